// Small helpers shared by the demo pages. No framework, no CDN.
'use strict';

/**
 * The token the pages use when the hub requires one (herald.auth.*): entered on the home page,
 * kept for this browser tab only. Empty when the hub runs without authentication.
 */
function heraldToken() {
  return sessionStorage.getItem('herald-token') || '';
}

/** A stream URL with the token as access_token, since EventSource cannot send headers. */
function heraldStreamUrl(url) {
  const token = heraldToken();
  if (!token) return url;
  return url + (url.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(token);
}

/** Publishes an event with the HTTP API; resolves to {ok, status, body}. */
async function heraldPublish(event) {
  const headers = { 'Content-Type': 'application/json' };
  if (heraldToken()) headers.Authorization = 'Bearer ' + heraldToken();
  const response = await fetch('/events', {
    method: 'POST',
    headers,
    body: JSON.stringify(event),
  });
  const text = await response.text();
  let body;
  try { body = JSON.parse(text); } catch (e) { body = text; }
  return { ok: response.ok, status: response.status, body };
}

/** Adds a row of text cells (never HTML) to a table and returns it. */
function heraldRow(table, cells, className) {
  const row = document.createElement('tr');
  cells.forEach((value, i) => {
    const cell = document.createElement('td');
    cell.textContent = value;
    if (i === 2 && className) cell.className = className;
    row.appendChild(cell);
  });
  (table.tBodies[0] || table).appendChild(row);
  return row;
}

/** One line describing a publish outcome. */
function heraldDescribe(result) {
  if (result.ok) return result.status + ' published, id ' + result.body.id;
  const problem = result.body || {};
  return result.status + ' ' + (problem.title || 'error') + ': ' + (problem.detail || JSON.stringify(problem));
}

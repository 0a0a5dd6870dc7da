// Small helpers shared by the demo pages. No framework, no CDN.
'use strict';

/** Publishes an event with the HTTP API; resolves to {ok, status, body}. */
async function heraldPublish(event) {
  const response = await fetch('/events', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
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

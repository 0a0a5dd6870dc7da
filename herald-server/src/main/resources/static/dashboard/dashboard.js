// The dashboard: one EventSource on /dashboard/stream, a `snapshot` message (JSON) per second,
// drawn with uPlot. Plain script, no build step, nothing loaded from elsewhere. Every value from
// the server is shown as text, never as HTML.
'use strict';

(() => {
  const TOKEN_KEY = 'herald-token'; // the key the demo pages use too, so a token entered there works here
  const KEEP = 300; // points per chart: five minutes

  /** The state the page draws from; tests read it as window.dashboard. */
  const state = {
    snapshots: 0,
    last: null,
    data: { time: [], connections: [], published: [], delivered: [], p50: [], p90: [], p99: [] },
  };
  window.dashboard = state;

  const $ = (id) => document.getElementById(id);

  // ---- The token, kept for this tab only, sent as access_token since EventSource cannot send headers.
  const token = () => sessionStorage.getItem(TOKEN_KEY) || '';
  const streamUrl = () => '/dashboard/stream' + (token() ? '?access_token=' + encodeURIComponent(token()) : '');
  const describeToken = () => { $('token-status').textContent = token() ? 'Admin token set (this tab)' : 'Admin token'; };
  $('token').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token-input').value.trim());
    $('token-input').value = '';
    describeToken();
    connect();
  });
  $('forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    describeToken();
    connect();
  });
  describeToken();

  // ---- Charts.
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();
  const fromZero = (u, min, max) => [0, Math.max(1, max * 1.15)];

  function chart(id, series) {
    const element = $(id);
    const options = {
      width: Math.max(200, element.clientWidth),
      height: 200,
      scales: { x: { time: true }, y: { range: fromZero } },
      axes: [{ stroke: color('--muted'), grid: { stroke: '#eef1f5' } }, { stroke: color('--muted'), grid: { stroke: '#eef1f5' }, size: 48 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      series: [{}].concat(series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, fill: s.fill, spanGaps: false,
        value: (u, v) => (v == null ? '–' : number(v)) }))),
    };
    const plot = new uPlot(options, [[]].concat(series.map(() => [])), element);
    plot.element = element;
    return plot;
  }

  const charts = {
    connections: chart('chart-connections', [{ label: 'Connections', stroke: '#2f6fde', fill: 'rgba(47,111,222,0.12)' }]),
    rates: chart('chart-rates', [
      { label: 'Published/s', stroke: '#b26a00' },
      { label: 'Delivered/s', stroke: '#1b8a3a' },
    ]),
    latency: chart('chart-latency', [
      { label: 'p50', stroke: '#1b8a3a' },
      { label: 'p90', stroke: '#b26a00' },
      { label: 'p99', stroke: '#c62828' },
    ]),
  };
  window.addEventListener('resize', () => {
    Object.values(charts).forEach((plot) => plot.setSize({ width: Math.max(200, plot.element.clientWidth), height: 200 }));
  });

  // ---- Formatting.
  function number(value) {
    if (value == null) return '–';
    if (Number.isInteger(value)) return value.toLocaleString('en');
    return value.toLocaleString('en', { maximumFractionDigits: value < 10 ? 2 : 1 });
  }
  function bytes(value) {
    if (value < 1024) return value + ' B';
    if (value < 1024 * 1024) return (value / 1024).toFixed(1) + ' kB';
    return (value / 1024 / 1024).toFixed(1) + ' MB';
  }
  const time = (millis) => new Date(millis).toLocaleTimeString('en-GB');

  /** Replaces a table's rows with rows of text cells; `numbers` are the indexes of right-aligned cells. */
  function rows(table, values, numbers, empty) {
    const body = $(table).tBodies[0];
    body.replaceChildren();
    if (values.length === 0) {
      const cell = document.createElement('td');
      cell.colSpan = $(table).tHead.rows[0].cells.length;
      cell.className = 'empty';
      cell.textContent = empty;
      body.insertRow().appendChild(cell);
      return;
    }
    values.forEach((cells) => {
      const row = body.insertRow();
      cells.forEach((value, i) => {
        const cell = row.insertCell();
        cell.textContent = value;
        if (numbers.includes(i)) cell.className = 'number';
      });
    });
  }

  // ---- Snapshots.
  function show(snapshot) {
    state.snapshots++;
    state.last = snapshot;
    const data = state.data;
    const latency = snapshot.latency || {};
    data.time.push(snapshot.time / 1000);
    data.connections.push(snapshot.connections);
    data.published.push(snapshot.publishedPerSecond);
    data.delivered.push(snapshot.deliveredPerSecond);
    data.p50.push(latency.p50 ?? null);
    data.p90.push(latency.p90 ?? null);
    data.p99.push(latency.p99 ?? null);
    if (data.time.length > KEEP) Object.values(data).forEach((series) => series.shift());
    charts.connections.setData([data.time, data.connections]);
    charts.rates.setData([data.time, data.published, data.delivered]);
    charts.latency.setData([data.time, data.p50, data.p90, data.p99]);

    $('node').textContent = snapshot.node;
    $('connections').textContent = number(snapshot.connections);
    $('cluster-connections').textContent = number(snapshot.nodes.reduce((sum, node) => sum + node.connections, 0));
    $('published-rate').textContent = number(snapshot.publishedPerSecond);
    $('delivered-rate').textContent = number(snapshot.deliveredPerSecond);
    const p99 = data.p99.findLast((value) => value != null); // the last known, across seconds with no delivery
    $('latency-p99').textContent = p99 == null ? '–' : number(p99) + ' ms';
    $('latency-note').hidden = snapshot.latency != null;

    rows('topics', snapshot.topics.map((t) => [t.selector, number(t.connections)]), [1], 'No open streams');
    rows('nodes', snapshot.nodes.map((n) => [n.node, number(n.connections)]), [1], 'No node has reported yet');
    rows('events', snapshot.events.map((e) => [time(e.time), e.topics.join(', '), e.type, bytes(e.bytes)]), [3], 'No events yet');
  }

  // ---- The stream.
  let source = null;
  function setState(name, text) {
    $('state').className = 'pill ' + name;
    $('state').textContent = text;
  }
  function refuse(text) {
    setState('refused', 'Refused');
    $('refusal').textContent = text;
    $('refusal').hidden = false;
  }

  function connect() {
    if (source) source.close();
    $('refusal').hidden = true;
    setState('connecting', 'Connecting');
    source = new EventSource(streamUrl());
    const mine = source;
    source.addEventListener('snapshot', (event) => show(JSON.parse(event.data)));
    source.onopen = () => setState('live', 'Live');
    source.onerror = () => {
      if (mine !== source) return;
      if (source.readyState === EventSource.CLOSED) {
        explain();
      } else {
        setState('connecting', 'Reconnecting');
      }
    };
  }

  /** The EventSource gave up (the server answered with an error): ask once more to say why. */
  async function explain() {
    const controller = new AbortController();
    try {
      const response = await fetch(streamUrl(), { signal: controller.signal, headers: { Accept: 'text/event-stream' } });
      if (response.ok) {
        controller.abort();
        setTimeout(connect, 1000);
        return;
      }
      const problem = await response.json().catch(() => ({}));
      refuse(response.status + ' ' + (problem.title || response.statusText) + (problem.detail ? ': ' + problem.detail : '')
        + (response.status === 401 || response.status === 403 ? '. Paste an admin token above.' : ''));
    } catch (e) {
      setState('connecting', 'Server unreachable');
      setTimeout(connect, 5000);
    }
  }

  connect();
})();

// The collector of www/ on its own (no browser): what it refuses and why, dedupe, the NDJSON
// log file, the Prometheus exposition (checked by promtool), the dashboard summary and the
// demo API; and the same for its OTLP/HTTP JSON endpoints (/v1/*), CORS included. Every OTLP
// body sent as valid is first checked by the official validator (tests/otlp/validate.mjs).
// Then traces: spans on /v1/traces, the demo backend's log of each request with the trace id
// of its `traceparent`, and the slowest requests on the dashboard, joined to that log. Last,
// the bounds (#21): route templates as the client makes them, no series per user, the cap of
// series per metric and its overflow series, the cap of metric names, label values cut at 256
// characters, the client's health counters at 0, and memory that stays flat however many
// events arrive.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startCollector } from '../www/collector.mjs';
import { TIME_BUCKETS, CLS_BUCKETS, CLIENT_STREAMS, DROP_REASONS, MAX_LABEL_VALUE, Prometheus } from '../www/collector/prometheus.mjs';
import { Outage } from '../www/collector/outage.mjs';
import { MAX_LEN, routeLabel, template } from '../www/collector/route.mjs';
import { BoundedMap, BoundedSet } from '../www/collector/bounded.mjs';
import { validateOtlp } from './otlp/validate.mjs';

const PROMTOOL = process.env.PROMTOOL || '/usr/bin/promtool';
const MAX_BODY = 1 << 20;
const T0 = 1764166892000;

let server;
let dir;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'collector-test-'));
  // A folder that does not exist yet: the collector makes it.
  server = await startCollector({ logFile: join(dir, 'data', 'logs.ndjson') });
});
after(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(() => server.reset());

let keys = 0;
/** POSTs `body` (an object, or text as is) to a stream; returns {status, body}. */
async function post(stream, body, { type = 'application/json', key = `key-${++keys}`, query = '' } = {}) {
  const headers = { 'Content-Type': type };
  if (key) headers['Idempotency-Key'] = key;
  const res = await fetch(`${server.url}/api/${stream}${query}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const metric = (name, value, labels, timestamp = T0) => (labels ? { name, value, labels, timestamp } : { name, value, timestamp });
const log = (message, extra = {}) => ({
  timestamp: '2025-11-26T14:21:32.123Z',
  level: 'info',
  message,
  service: 'recoloca-frontend',
  version: '1.0.0',
  ...extra,
});

test('a body that is not application/json is refused with 415, before it is parsed', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json-patch+json', 'application/json; charset=latin1']) {
    // Not even JSON: a 415 still, as the type is looked at first.
    const res = await post('metrics', 'page_views_total=1', { type });
    assert.equal(res.status, 415, type);
    assert.match(res.body.error, /Content-Type must be application\/json/);
  }
  const missing = await fetch(`${server.url}/api/logs`, { method: 'POST', body: new Uint8Array([123, 125]) });
  assert.equal(missing.status, 415, 'no Content-Type at all');
  for (const type of ['application/json', 'Application/JSON; charset=UTF-8', 'application/json;charset="utf-8"']) {
    assert.equal((await post('metrics', { metrics: [metric('a_total', 1)] }, { type })).status, 200, type);
  }
  assert.equal(server.state.metrics.length, 3);
});

test('a body over 1 MiB is refused with 413; exactly 1 MiB is taken', async () => {
  const small = JSON.stringify({ metrics: [metric('a_total', 1)] });
  const exact = small + ' '.repeat(MAX_BODY - small.length);
  assert.equal(Buffer.byteLength(exact), MAX_BODY);
  assert.equal((await post('metrics', exact)).status, 200);
  const over = await post('metrics', exact + ' ');
  assert.equal(over.status, 413);
  assert.match(over.body.error, /1 MiB/);
  // Far over, in chunks of unknown total length: still an answer, not a reset.
  const chunks = Array.from({ length: 3 }, () => new Uint8Array(MAX_BODY).fill(32));
  const stream = new ReadableStream({
    pull(c) {
      if (chunks.length) c.enqueue(chunks.pop());
      else c.close();
    },
  });
  const res = await fetch(`${server.url}/api/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: stream, duplex: 'half' });
  assert.equal(res.status, 413);
  assert.equal(server.state.metrics.length, 1);
});

test('a malformed batch is refused whole with 400 naming the first bad field', async () => {
  const ok = metric('page_views_total', 1, { page: '/jobs', user_id: 'anonymous' });
  const cases = [
    ['metrics', '{"metrics": [', /^body is not JSON: /],
    ['metrics', { events: [] }, 'field "metrics" must be an array'],
    ['metrics', [ok], 'field "metrics" must be an array'],
    ['metrics', { metrics: [ok, ok, ok, { ...ok, value: '1' }] }, 'metrics[3].value must be a finite number'],
    ['metrics', { metrics: [{ ...ok, value: null }] }, 'metrics[0].value must be a finite number'],
    ['metrics', { metrics: [{ value: 1, timestamp: T0 }] }, 'metrics[0].name must be a non-empty string'],
    ['metrics', { metrics: [{ ...ok, name: 'x'.repeat(201) }] }, 'metrics[0].name must be at most 200 characters'],
    ['metrics', { metrics: [{ ...ok, timestamp: '2025-11-26' }] }, 'metrics[0].timestamp must be a finite number (milliseconds since 1970)'],
    ['metrics', { metrics: [{ ...ok, labels: ['a'] }] }, 'metrics[0].labels must be an object of strings'],
    ['metrics', { metrics: [{ ...ok, labels: { page: 3 } }] }, 'metrics[0].labels.page must be a string'],
    ['metrics', { metrics: [ok, { ...ok, labels: { 'user-id': null } }] }, 'metrics[1].labels["user-id"] must be a string'],
    ['metrics', { metrics: [7] }, 'metrics[0] must be an object'],
    ['logs', { logs: {} }, 'field "logs" must be an array'],
    ['logs', { logs: [log('a'), log('b', { level: 'fatal' })] }, 'logs[1].level must be one of debug, info, warn, error'],
    ['logs', { logs: [log('a', { timestamp: 'yesterday' })] }, 'logs[0].timestamp must be an ISO-8601 date string'],
    ['logs', { logs: [log('a', { timestamp: 1764166892123 })] }, 'logs[0].timestamp must be an ISO-8601 date string'],
    ['logs', { logs: [log(42)] }, 'logs[0].message must be a string'],
    ['logs', { logs: [{ ...log('a'), service: undefined }] }, 'logs[0].service must be a string'],
    ['logs', { logs: [log('a', { context: [1, 2] })] }, 'logs[0].context must be an object'],
    ['logs', { logs: [log('a', { error: 'boom' })] }, 'logs[0].error must be an object'],
    ['logs', { logs: [log('a', { error: { message: 'boom' } })] }, 'logs[0].error.name must be a string'],
    ['logs', { logs: [log('a', { error: { name: 'Error', message: 'boom', stack: 5 } })] }, 'logs[0].error.stack must be a string'],
    ['logs', { logs: [log('a', { user_id: 42 })] }, 'logs[0].user_id must be a string'],
  ];
  for (const [stream, body, expected] of cases) {
    const res = await post(stream, body, { key: 'reused-key' });
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 120));
    if (expected instanceof RegExp) assert.match(res.body.error, expected);
    else assert.equal(res.body.error, expected);
  }
  // Several problems: the first is `error`, all are listed.
  const many = await post('metrics', { metrics: [{ name: '', value: 'x', timestamp: T0 }] });
  assert.deepEqual(many.body.errors, ['metrics[0].name must be a non-empty string', 'metrics[0].value must be a finite number']);
  // Nothing of a refused batch was kept, and a refusal does not use up its key.
  assert.equal(server.state.metrics.length + server.state.logs.length, 0);
  assert.deepEqual(await post('metrics', { metrics: [ok] }, { key: 'reused-key' }), { status: 200, body: { accepted: 1 } });
  // What the format does not name is let through: a newer client may send more.
  assert.equal((await post('logs', { logs: [log('a', { request_id: 'r-1', extra: { x: 1 } })], sent_at: 1 })).status, 200);
  const summary = await (await fetch(server.url + '/api/summary')).json();
  assert.equal(summary.totals.rejected, cases.length + 1);
});

test('batches are deduplicated by the Idempotency-Key header and by the beacon query key', async () => {
  const batch = { metrics: [metric('a_total', 1)] };
  assert.deepEqual(await post('metrics', batch, { key: 'k1' }), { status: 200, body: { accepted: 1 } });
  assert.deepEqual(await post('metrics', batch, { key: 'k1' }), { status: 200, body: { accepted: 0, duplicate: true } });
  // A beacon carries its key in the query string; the same key by either road is one batch.
  assert.deepEqual(await post('metrics', batch, { key: null, query: '?idempotency_key=k2' }), { status: 200, body: { accepted: 1 } });
  assert.deepEqual(await post('metrics', batch, { key: null, query: '?idempotency_key=k2' }), { status: 200, body: { accepted: 0, duplicate: true } });
  assert.deepEqual(await post('metrics', batch, { key: 'k2' }), { status: 200, body: { accepted: 0, duplicate: true } });
  // Without a key nothing can be told apart: both are kept.
  await post('metrics', batch, { key: null });
  await post('metrics', batch, { key: null });
  assert.equal(server.state.metrics.length, 4);
  assert.equal(server.state.duplicates, 3);
  // Only the accepted copies reach Prometheus.
  const text = await (await fetch(server.url + '/api/metrics')).text();
  assert.match(text, /^a_total 4$/m);
});

test('every accepted log entry is appended to the NDJSON file, in order, once', async () => {
  const file = server.state.logFile;
  const before = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  const first = [log('one', { context: { cvId: 'cv-1', text: 'line\nbreak "quoted"' } }), log('two', { level: 'error', error: { name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x\n  at y' } })];
  await post('logs', { logs: first }, { key: 'logs-1' });
  await post('logs', { logs: first }, { key: 'logs-1' }); // duplicate: not written again
  await post('logs', { logs: [log('bad', { level: 'fatal' })] }); // refused: not written
  // Many at once: the file keeps the order in which they were accepted.
  await Promise.all(Array.from({ length: 20 }, (_, i) => post('logs', { logs: [log(`burst ${i}`, { context: { i } })] })));
  await post('metrics', { metrics: [metric('a_total', 1)] }); // metrics are not logs
  const lines = (await readFile(file, 'utf8')).split('\n');
  assert.equal(lines.pop(), '', 'the file ends with a newline');
  const entries = lines.slice(before).map((l) => JSON.parse(l));
  assert.equal(entries.length, 22);
  assert.deepEqual(
    entries.map((e) => e.message),
    server.state.logs.map((l) => l.message),
  );
  for (const [i, e] of entries.entries()) {
    const { received_at, ...entry } = e;
    assert.deepEqual(entry, server.state.logs[i], 'each line is the entry as received');
    assert.match(received_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.deepEqual(entries[0].context, { cvId: 'cv-1', text: 'line\nbreak "quoted"' });
  assert.equal(entries[1].error.stack, 'TypeError: x\n  at y');
});

/** The samples of an exposition: `name{a="x",b="y"}` (labels sorted) -> value. */
function samples(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `exposition line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    const key = labels.length ? `${m[1]}{${labels.join(',')}}` : m[1];
    assert.ok(!out.has(key), `one sample per series: ${key}`);
    out.set(key, Number(m[3]));
  }
  return out;
}

/** promtool's verdict on an exposition: exit status and everything it printed. */
function promtool(text) {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.ok(!run.error, `${PROMTOOL} could not run (.ci/bootstrap.sh installs it): ${run.error?.message}`);
  return { status: run.status, output: (run.stdout + run.stderr).trim() };
}

// What the package sends for a short session, Web Vitals included.
const SESSION = [
  metric('page_views_total', 1, { page: '/jobs', user_id: 'u-1' }),
  metric('page_views_total', 1, { page: '/jobs', user_id: 'u-1' }),
  metric('page_views_total', 1, { page: '/upload', user_id: 'anonymous' }),
  metric('user_actions_total', 1, { action: 'apply', component: 'JobCard', user_id: 'u-1' }),
  metric('api_calls_total', 1, { endpoint: '/api/jobs', method: 'GET', status: '200' }),
  metric('api_calls_total', 1, { endpoint: '/api/jobs', method: 'GET', status: '503' }),
  metric('api_calls_total', 1, { endpoint: '/api/jobs', method: 'GET', status: '200' }),
  metric('api_call_duration_ms', 100, { endpoint: '/api/jobs', method: 'GET' }),
  metric('api_call_duration_ms', 250, { endpoint: '/api/jobs', method: 'GET' }),
  metric('api_call_duration_ms', 1200, { endpoint: '/api/jobs', method: 'GET' }),
  metric('frontend_errors_total', 1, { error_type: 'TypeError', component: 'AnalysisPage', user_id: 'u-1' }),
  metric('frontend_errors_total', 1, { error_type: 'TypeError', component: 'global', user_id: 'u-1' }),
  metric('frontend_errors_total', 1, { error_type: 'SyntaxError', component: 'promise', user_id: 'u-1' }),
  metric('telemetry_events_dropped_total', 5, { stream: 'metrics', reason: 'buffer_full_events' }),
  metric('telemetry_events_dropped_total', 2, { stream: 'metrics', reason: 'buffer_full_events' }),
  metric('telemetry_events_dropped_total', 1, { stream: 'logs', reason: 'rejected' }),
  metric('telemetry_retries_total', 3, { stream: 'logs' }),
  // The seed sent load timings without labels; this client adds a rating.
  metric('page_load_time_ms', 1500),
  metric('page_load_time_ms', 900, { rating: 'good' }),
  metric('largest_contentful_paint_ms', 1200, { rating: 'good' }),
  metric('largest_contentful_paint_ms', 2000, { rating: 'good' }),
  metric('largest_contentful_paint_ms', 3000, { rating: 'needs-improvement' }),
  metric('largest_contentful_paint_ms', 5000, { rating: 'poor' }),
  metric('cumulative_layout_shift', 0.05, { rating: 'good' }),
  metric('cumulative_layout_shift', 0.3, { rating: 'poor' }),
  metric('interaction_to_next_paint_ms', 180, { rating: 'good' }),
  // An app's own metrics, with names Prometheus would not take as they are.
  metric('cvPages', 2, { fileFormat: 'pdf' }),
  metric('cvPages', 3, { fileFormat: 'pdf' }),
  metric('cache:hits_total', 4, { 'tier-name': 'edge', le: 'x' }),
  metric('cache:hits_total', 1),
  metric('cache:hits_total', -2), // a counter does not go down: left out
];

test('GET /api/metrics: counters summed, timings as histograms in seconds, promtool finds nothing', async () => {
  // In three batches, the first without labels for page_load_time_ms: the label set grows.
  await post('metrics', { metrics: SESSION.slice(0, 18) });
  await post('metrics', { metrics: SESSION.slice(18, 25) });
  await post('metrics', { metrics: SESSION.slice(25) });
  const res = await fetch(server.url + '/api/metrics');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await res.text();
  const s = samples(text);
  const expected = {
    // Never by user: `user_id` is not a label (it stays in the events and the log file).
    'page_views_total{page="/jobs"}': 2,
    'page_views_total{page="/upload"}': 1,
    'user_actions_total{action="apply",component="JobCard"}': 1,
    'api_calls_total{endpoint="/api/jobs",method="GET",status="200"}': 2,
    'api_calls_total{endpoint="/api/jobs",method="GET",status="503"}': 1,
    'frontend_errors_total{component="AnalysisPage",error_type="TypeError"}': 1,
    'frontend_errors_total{component="global",error_type="TypeError"}': 1,
    'frontend_errors_total{component="promise",error_type="SyntaxError"}': 1,
    'telemetry_events_dropped_total{reason="buffer_full_events",stream="metrics"}': 7,
    'telemetry_events_dropped_total{reason="rejected",stream="logs"}': 1,
    'telemetry_retries_total{stream="logs"}': 3,
    // 100, 250 and 1200 ms.
    'api_call_duration_seconds_count{endpoint="/api/jobs",method="GET"}': 3,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="0.05",method="GET"}': 0,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="0.1",method="GET"}': 1,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="0.3",method="GET"}': 2,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="1",method="GET"}': 2,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="1.8",method="GET"}': 3,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="+Inf",method="GET"}': 3,
    // Both series of page_load_time: the one first seen without labels was kept.
    page_load_time_seconds_count: 1,
    page_load_time_seconds_sum: 1.5,
    'page_load_time_seconds_bucket{le="1.8"}': 1,
    'page_load_time_seconds_bucket{le="1"}': 0,
    'page_load_time_seconds_count{rating="good"}': 1,
    'page_load_time_seconds_sum{rating="good"}': 0.9,
    'largest_contentful_paint_seconds_count{rating="good"}': 2,
    'largest_contentful_paint_seconds_bucket{le="2.5",rating="good"}': 2,
    'largest_contentful_paint_seconds_count{rating="needs-improvement"}': 1,
    'largest_contentful_paint_seconds_bucket{le="4",rating="poor"}': 0,
    'largest_contentful_paint_seconds_bucket{le="6",rating="poor"}': 1,
    // CLS has buckets of its own, around its 0.1 / 0.25 thresholds.
    'cumulative_layout_shift_bucket{le="0.05",rating="good"}': 1,
    'cumulative_layout_shift_bucket{le="0.25",rating="poor"}': 0,
    'cumulative_layout_shift_bucket{le="0.5",rating="poor"}': 1,
    'cumulative_layout_shift_sum{rating="poor"}': 0.3,
    'interaction_to_next_paint_seconds_bucket{le="0.2",rating="good"}': 1,
    // Sanitized: snake_case, no ':', and `le` (a histogram's) renamed. A gauge keeps the last value.
    'cv_pages{file_format="pdf"}': 3,
    'cache_hits_total{exported_le="x",tier_name="edge"}': 4,
    cache_hits_total: 1,
  };
  for (const [key, value] of Object.entries(expected)) assert.equal(s.get(key), value, key);
  const sum = s.get('api_call_duration_seconds_sum{endpoint="/api/jobs",method="GET"}');
  assert.ok(Math.abs(sum - 1.55) < 1e-9, `sum ${sum}`);
  assert.equal([...s.keys()].filter((k) => k.startsWith('page_load_time_seconds_count')).length, 2);
  assert.equal([...s.keys()].filter((k) => k.startsWith('api_call_duration_ms')).length, 0, 'no _ms names');
  assert.match(text, /^# TYPE api_call_duration_seconds histogram$/m);
  assert.match(text, /^# TYPE page_views_total counter$/m);
  assert.match(text, /^# TYPE cv_pages gauge$/m);
  assert.match(text, /^# HELP largest_contentful_paint_seconds Largest Contentful Paint \(Web Vital\)$/m);

  // Accepted: nothing. Every name the package sends is a counter ending in _total or a
  // histogram in base units, each with HELP; the sanitizer makes an app's own names snake_case
  // without ':'. So promtool has no lint to report, and the exit status is 0 (it is 3 on lint).
  const verdict = promtool(text);
  assert.deepEqual(verdict, { status: 0, output: '' });
  // The check does bite: the same exposition with a millisecond name is flagged.
  assert.equal(promtool(text.replaceAll('api_call_duration_seconds', 'api_call_duration_ms')).status, 3);

  // The summary of the same events, for the dashboard.
  const summary = await (await fetch(server.url + '/api/summary')).json();
  assert.equal(summary.totals.ignored, 1);
  const lcp = summary.vitals.find((v) => v.short === 'LCP');
  assert.deepEqual(
    { count: lcp.count, p75: lcp.p75, rating: lcp.rating, ratings: lcp.ratings },
    { count: 4, p75: 3000, rating: 'needs-improvement', ratings: { good: 2, 'needs-improvement': 1, poor: 1 } },
  );
  const cls = summary.vitals.find((v) => v.short === 'CLS');
  assert.deepEqual([cls.count, cls.p75, cls.rating], [2, 0.3, 'poor']);
  const load = summary.vitals.find((v) => v.short === 'Load');
  assert.deepEqual([load.count, load.p75, load.rating, load.thresholds], [2, 1500, null, null], 'no thresholds, and the p75 sample had no rating');
  assert.equal(summary.vitals.find((v) => v.short === 'FID').count, 0);
  assert.deepEqual(summary.errors.byType, [{ type: 'TypeError', count: 2 }, { type: 'SyntaxError', count: 1 }]);
  assert.equal(summary.errors.total, 3);
  assert.deepEqual(summary.client, {
    dropped: [{ stream: 'metrics', reason: 'buffer_full_events', count: 7 }, { stream: 'logs', reason: 'rejected', count: 1 }],
    droppedTotal: 8,
    retries: [{ stream: 'logs', count: 3 }],
    retriesTotal: 3,
  });
  assert.deepEqual(summary.api, { calls: 3, failed: 1, p75Ms: 1200 });
  assert.deepEqual(summary.pages, [{ page: '/jobs', count: 2 }, { page: '/upload', count: 1 }]);
  // The events are from 2025 (T0): far from the collector's clock, they count at arrival.
  assert.equal(summary.rate.points.length, 120);
  assert.equal(summary.rate.lastMinute, SESSION.length);
});

test('the summary counts events in the second they happened, and the newest logs first', async () => {
  const now = Date.now();
  await post('metrics', { metrics: [metric('a_total', 1, undefined, now - 30_000), metric('a_total', 1, undefined, now - 30_000), metric('a_total', 1, undefined, now)] });
  await post('logs', { logs: [log('old', { timestamp: new Date(now - 90_000).toISOString() }), log('new', { level: 'warn', timestamp: new Date(now).toISOString() })] });
  const summary = await (await fetch(server.url + '/api/summary')).json();
  const points = summary.rate.points;
  const at = (t) => points.find((p) => p.t === Math.floor(t / 1000) * 1000) ?? { metrics: 0, logs: 0 };
  assert.equal(at(now - 30_000).metrics, 2);
  assert.equal(at(now).metrics + at(now).logs, 2);
  assert.equal(at(now - 90_000).logs, 1);
  assert.equal(summary.rate.lastMinute, 4, 'the log of 90 s ago is on the chart, not in the last minute');
  assert.deepEqual(summary.recentLogs.map((l) => l.message), ['new', 'old']);
  assert.deepEqual(summary.logLevels, { debug: 0, info: 1, warn: 1, error: 0 });
});

test('the demo API answers after 50-800 ms, now and then with a 5xx', async () => {
  const rolls = [];
  const demo = await startCollector({ demo: { random: () => rolls.shift() ?? 0.5 } });
  try {
    const call = async (method, path, ...r) => {
      rolls.push(...r);
      const started = performance.now();
      const res = await fetch(demo.url + path, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'POST' ? '{"cvId":"cv-1"}' : undefined });
      return { status: res.status, body: await res.json(), ms: performance.now() - started };
    };
    // Rolls: latency (0 -> 50 ms, 1 -> 800 ms), then failure (< 0.15 fails), then which 5xx.
    const fast = await call('GET', '/api/demo/jobs/matches', 0, 0.9);
    assert.equal(fast.status, 200);
    assert.deepEqual(fast.body, { ok: true, method: 'GET', path: '/api/demo/jobs/matches', latency_ms: 50 });
    assert.ok(fast.ms >= 45, `${fast.ms} ms`);
    const created = await call('POST', '/api/demo/cv/analyze', 1, 0.5);
    assert.equal(created.status, 201);
    assert.ok(created.ms >= 795 && created.ms < 2000, `${created.ms} ms`);
    const failed = await call('POST', '/api/demo/cv/analyze', 0, 0.1, 0.9);
    assert.equal(failed.status, 503);
    assert.deepEqual(failed.body, { ok: false, error: 'simulated failure' });
    assert.equal((await call('GET', '/api/demo/x', 0, 0.1, 0)).status, 500);
    assert.equal((await fetch(demo.url + '/api/demo/x', { method: 'DELETE' })).status, 405);
  } finally {
    await demo.close();
  }
  // With the real dice, about 15% fail, every one a 5xx; the latency stays in its range.
  const real = await startCollector({ demo: { minLatencyMs: 0, maxLatencyMs: 5 } });
  try {
    const statuses = await Promise.all(Array.from({ length: 400 }, () => fetch(real.url + '/api/demo/ping').then((r) => r.status)));
    const failures = statuses.filter((s) => s !== 200);
    assert.ok(failures.every((s) => s >= 500 && s <= 503), String(failures));
    assert.ok(failures.length > 20 && failures.length < 110, `${failures.length} failures of 400`);
  } finally {
    await real.close();
  }
});

test('other methods on the telemetry endpoints get 405, and the dashboard data is JSON', async () => {
  assert.equal((await fetch(server.url + '/api/logs')).status, 405);
  assert.equal((await fetch(server.url + '/api/metrics', { method: 'PUT' })).status, 405);
  const res = await fetch(server.url + '/api/summary');
  assert.equal(res.headers.get('content-type'), 'application/json');
  const summary = await res.json();
  assert.deepEqual(summary.totals, { metrics: 0, logs: 0, requests: 0, duplicates: 0, rejected: 0, ignored: 0 });
  assert.equal(summary.vitals.length, 8);
  assert.ok(summary.vitals.every((v) => v.count === 0 && v.p75 === null));
});

// ---- OTLP/HTTP JSON: POST /v1/metrics and /v1/logs ------------------------------------------

const ORIGIN = 'http://app.example:5173';
const nanos = (ms) => (BigInt(Math.round(ms)) * 1_000_000n).toString();
const str = (key, value) => ({ key, value: { stringValue: value } });
// The package's resource and scope, as it sends them.
const RESOURCE = {
  attributes: [
    str('service.name', 'recoloca-frontend'),
    str('service.version', '1.0.0'),
    str('deployment.environment.name', 'production'),
    str('telemetry.sdk.name', '@recoloca/telemetry'),
    str('telemetry.sdk.language', 'webjs'),
    str('telemetry.sdk.version', '0.1.0'),
    str('session.id', 's-1'),
    str('user_agent.original', 'Mozilla/5.0 (collector test)'),
  ],
};
const RESOURCE_FLAT = {
  'service.name': 'recoloca-frontend',
  'service.version': '1.0.0',
  'deployment.environment.name': 'production',
  'telemetry.sdk.name': '@recoloca/telemetry',
  'telemetry.sdk.language': 'webjs',
  'telemetry.sdk.version': '0.1.0',
  'session.id': 's-1',
  'user_agent.original': 'Mozilla/5.0 (collector test)',
};
const SCOPE = { name: '@recoloca/telemetry', version: '0.1.0' };
// The client's bounds: the collector's buckets in ms, and CLS's as they are.
const MS_BOUNDS = TIME_BUCKETS.map((b) => b * 1000);

const otlpMetrics = (metrics) => ({ resourceMetrics: [{ resource: structuredClone(RESOURCE), scopeMetrics: [{ scope: SCOPE, metrics }] }] });
const otlpLogs = (logRecords) => ({ resourceLogs: [{ resource: structuredClone(RESOURCE), scopeLogs: [{ scope: SCOPE, logRecords }] }] });
const counter = (name, points) => ({ name, sum: { dataPoints: points, aggregationTemporality: 1, isMonotonic: true } });
const sumPoint = (value, attributes, at) => ({ attributes, startTimeUnixNano: nanos(at - 5000), timeUnixNano: nanos(at), asDouble: value });
const gauge = (name, value, at) => ({ name, gauge: { dataPoints: [{ attributes: [], timeUnixNano: nanos(at), asDouble: value }] } });
/** A histogram metric of one point holding `values`, bucketed as the client does. */
function histogram(name, unit, bounds, values, attributes, at) {
  const counts = new Array(bounds.length + 1).fill(0);
  for (const v of values) {
    const i = bounds.findIndex((b) => v <= b);
    counts[i < 0 ? bounds.length : i]++;
  }
  const point = {
    attributes,
    startTimeUnixNano: nanos(at - 5000),
    timeUnixNano: nanos(at),
    count: String(values.length),
    sum: values.reduce((a, b) => a + b, 0),
    bucketCounts: counts.map(String),
    explicitBounds: [...bounds],
    min: Math.min(...values),
    max: Math.max(...values),
  };
  return { name, unit, histogram: { dataPoints: [point], aggregationTemporality: 1 } };
}
const logRecord = (at, severityNumber, severityText, body, attributes) => ({
  timeUnixNano: nanos(at),
  observedTimeUnixNano: nanos(at),
  severityNumber,
  severityText,
  body: { stringValue: body },
  attributes,
});

let otlpKeys = 0;
/** POSTs `body` (an object, or text as is) to /v1/<kind>, from ORIGIN; returns {status, headers, body}. */
async function postOtlp(kind, body, { type = 'application/json', key = `otlp-${++otlpKeys}`, origin = ORIGIN, headers = {}, to = server } = {}) {
  const h = { ...headers };
  if (type) h['Content-Type'] = type;
  if (origin) h.Origin = origin;
  if (key) h['Idempotency-Key'] = key;
  const res = await fetch(`${to.url}/v1/${kind}`, { method: 'POST', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** As postOtlp, for a body that must be valid: the official OTLP/JSON validator says so first. */
async function sendValid(kind, body, options) {
  const verdict = validateOtlp(kind, body);
  assert.ok(verdict.ok, verdict.error);
  return postOtlp(kind, body, options);
}

const summaryNow = async () => (await fetch(server.url + '/api/summary')).json();

function assertCors(res, what) {
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN, `${what}: Allow-Origin echoed`);
  assert.equal(res.headers.get('access-control-expose-headers'), 'Retry-After', `${what}: Retry-After readable`);
  assert.match(res.headers.get('vary') ?? '', /\bOrigin\b/, `${what}: Vary: Origin`);
}

test('OTLP metrics: accepted, kept flat, merged into the Prometheus histograms and counted on the dashboard', async () => {
  const at = Date.now();
  const api = [str('endpoint', '/api/jobs'), str('method', 'GET')];
  const first = otlpMetrics([
    counter('page_views_total', [sumPoint(3, [str('page', '/home')], at)]),
    histogram('api_call_duration_ms', 'ms', MS_BOUNDS, [120, 230], api, at),
    histogram('cumulative_layout_shift', '1', CLS_BUCKETS, [0.05, 0.3], [], at),
    gauge('memory_used_bytes', 1234, at),
  ]);
  const res = await sendValid('metrics', first);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.deepEqual(res.body, { partialSuccess: {} });
  // The same histogram series from the seed's road, observed one value at a time.
  await post('metrics', { metrics: [metric('api_call_duration_ms', 100, { endpoint: '/api/jobs', method: 'GET' })] });
  const second = otlpMetrics([
    counter('page_views_total', [
      sumPoint(2, [str('page', '/home')], at),
      sumPoint(1, [str('page', '/jobs'), { key: 'logged_in', value: { boolValue: true } }, { key: 'visits', value: { intValue: '12' } }], at),
    ]),
    histogram('api_call_duration_ms', 'ms', MS_BOUNDS, [1500], api, at),
    gauge('memory_used_bytes', 2048, at),
  ]);
  assert.equal((await sendValid('metrics', second)).status, 200);

  // Kept as flat points, and the raw bodies by stream.
  assert.equal(server.state.otlp.metrics.length, 8);
  assert.deepEqual(server.state.otlp.metrics[0], {
    name: 'page_views_total',
    kind: 'sum',
    unit: '',
    monotonic: true,
    attributes: { page: '/home' },
    value: 3,
    startTimeUnixNano: nanos(at - 5000),
    timeUnixNano: nanos(at),
    resource: RESOURCE_FLAT,
    scope: SCOPE,
  });
  const hist = server.state.otlp.metrics[1];
  assert.deepEqual(
    [hist.kind, hist.count, hist.sum, hist.min, hist.max, hist.bucketCounts.slice(3, 7), hist.explicitBounds],
    ['histogram', 2, 350, 120, 230, [0, 1, 1, 0], MS_BOUNDS],
  );
  assert.deepEqual(server.state.otlp.metrics[5].attributes, { page: '/jobs', logged_in: true, visits: 12 });
  assert.deepEqual(server.bodies('otlp_metrics'), [JSON.stringify(first), JSON.stringify(second)]);

  const text = await (await fetch(server.url + '/api/metrics')).text();
  const s = samples(text);
  const expected = {
    // Deltas add up; attributes are labels, a boolean or integer one as its text.
    'page_views_total{page="/home"}': 5,
    'page_views_total{logged_in="true",page="/jobs",visits="12"}': 1,
    // 120 and 230 ms, then 1500 ms (OTLP), and 100 ms (seed): one series, in seconds.
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="0.05",method="GET"}': 0,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="0.1",method="GET"}': 1,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="0.2",method="GET"}': 2,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="0.3",method="GET"}': 3,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="1",method="GET"}': 3,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="1.8",method="GET"}': 4,
    'api_call_duration_seconds_bucket{endpoint="/api/jobs",le="+Inf",method="GET"}': 4,
    'api_call_duration_seconds_count{endpoint="/api/jobs",method="GET"}': 4,
    // CLS keeps its own buckets and unit.
    'cumulative_layout_shift_bucket{le="0.05"}': 1,
    'cumulative_layout_shift_bucket{le="0.25"}': 1,
    'cumulative_layout_shift_bucket{le="0.5"}': 2,
    'cumulative_layout_shift_bucket{le="+Inf"}': 2,
    cumulative_layout_shift_count: 2,
    // A gauge holds the last value.
    memory_used_bytes: 2048,
  };
  for (const [key, value] of Object.entries(expected)) assert.equal(s.get(key), value, key);
  const apiSum = s.get('api_call_duration_seconds_sum{endpoint="/api/jobs",method="GET"}');
  assert.ok(Math.abs(apiSum - 1.95) < 1e-9, `sum ${apiSum}`);
  assert.ok(Math.abs(s.get('cumulative_layout_shift_sum') - 0.35) < 1e-9);
  assert.equal([...s.keys()].filter((k) => k.startsWith('api_call_duration_seconds_count')).length, 1, 'one series, not one per road');
  assert.match(text, /^# TYPE api_call_duration_seconds histogram$/m);
  assert.match(text, /^# TYPE page_views_total counter$/m);
  assert.match(text, /^# TYPE memory_used_bytes gauge$/m);
  assert.deepEqual(promtool(text), { status: 0, output: '' });

  const summary = await summaryNow();
  // Events: a sum or gauge point is one, a histogram point its count: 6 + 4, and the seed's 1.
  assert.deepEqual(summary.sources, { seed: { requests: 1, metrics: 1, logs: 0 }, otlp: { requests: 2, points: 8, metrics: 10, logs: 0 } });
  assert.equal(summary.totals.metrics, 11);
  assert.equal(summary.totals.requests, 3);
  assert.equal(summary.rate.lastMinute, 11);
  assert.deepEqual(summary.pages, [{ page: '/home', count: 5 }, { page: '/jobs', count: 1 }]);
  // p75 from buckets: rank 3 of 4 (100, 120, 230, 1500 ms) falls in (200, 300] ms.
  assert.equal(summary.api.p75Ms, 300);
  assert.equal(summary.apiP75Estimated, true);
  // CLS: 0.05 good and 0.3 poor (exact: the thresholds are bounds); p75 in (0.25, 0.5], at
  // most the largest value seen.
  const cls = summary.vitals.find((v) => v.short === 'CLS');
  assert.deepEqual(
    { count: cls.count, p75: cls.p75, rating: cls.rating, ratings: cls.ratings, estimated: cls.estimated },
    { count: 2, p75: 0.3, rating: 'poor', ratings: { good: 1, 'needs-improvement': 0, poor: 1 }, estimated: true },
  );
});

test('one histogram fed in ms and in s, by both roads: each point\'s sum in seconds by its own unit, whichever came first', async () => {
  const at = Date.now();
  // checkout_seconds is made by a seed `_ms` timing (its first event divides by 1000), then
  // takes an OTLP point in ms and one in s; search_seconds the other way round: first an OTLP
  // point in s (dividing by 1), then one in ms and a seed `_ms` timing. Every value lands in
  // the same buckets in both, so only a sum divided by the wrong unit tells them apart.
  assert.equal(await postTo(server, 'metrics', [metric('checkout_ms', 500, { step: 'pay' })]), 200);
  const secondsBounds = [...TIME_BUCKETS];
  const both = (name) => [
    histogram(name, 'ms', MS_BOUNDS, [120, 2000], [str('step', 'pay')], at),
    histogram(name, 's', secondsBounds, [0.3, 7], [str('step', 'pay')], at),
  ];
  assert.equal((await sendValid('metrics', otlpMetrics(both('checkout')))).status, 200);
  assert.equal((await sendValid('metrics', otlpMetrics(both('search').reverse()))).status, 200);
  assert.equal(await postTo(server, 'metrics', [metric('search_ms', 500, { step: 'pay' })]), 200);

  const text = await (await fetch(server.url + '/api/metrics')).text();
  const s = samples(text);
  for (const name of ['checkout_seconds', 'search_seconds']) {
    const at = (suffix, le) => s.get(`${name}_${suffix}{${le === undefined ? '' : `le="${le}",`}step="pay"}`);
    // 0.5 s (seed), 0.12 s and 2 s (OTLP ms), 0.3 s and 7 s (OTLP s).
    assert.ok(Math.abs(at('sum') - (0.5 + 0.12 + 2 + 0.3 + 7)) < 1e-9, `${name}_sum ${at('sum')}`);
    assert.equal(at('count'), 5, `${name}_count`);
    assert.deepEqual(
      ['0.1', '0.2', '0.3', '0.5', '1.8', '2.5', '6', '10', '+Inf'].map((le) => at('bucket', le)),
      [0, 1, 2, 3, 3, 4, 4, 5, 5],
      `${name}_bucket`,
    );
  }
  assert.equal(server.state.prometheus.ignored, 0, 'nothing left out');
  assert.deepEqual(promtool(text), { status: 0, output: '' });
});

test('OTLP logs: accepted, kept flat, counted by level and listed on the dashboard', async () => {
  const at = Date.now();
  await post('logs', { logs: [log('from the seed', { timestamp: new Date(at).toISOString() })] });
  const body = otlpLogs([
    logRecord(at, 9, 'INFO', 'User logged in', [str('component', 'auth'), str('user.id', 'u-1'), str('session.id', 's-1')]),
    logRecord(at, 5, 'DEBUG', 'cache warm', []),
    logRecord(at, 13, 'WARN', 'slow', [{ key: 'ms', value: { doubleValue: 1.5 } }]),
    logRecord(at + 1, 17, 'ERROR', 'boom', [str('exception.type', 'TypeError'), str('exception.message', 'x is undefined'), str('exception.stacktrace', 'TypeError: x is undefined\n    at f (app.js:1:1)')]),
  ]);
  const res = await sendValid('logs', body);
  assert.deepEqual([res.status, res.body], [200, { partialSuccess: {} }]);
  assert.equal(server.state.otlp.logs.length, 4);
  assert.deepEqual(server.state.otlp.logs[0], {
    timeUnixNano: nanos(at),
    observedTimeUnixNano: nanos(at),
    severityNumber: 9,
    severityText: 'INFO',
    body: 'User logged in',
    attributes: { component: 'auth', 'user.id': 'u-1', 'session.id': 's-1' },
    resource: RESOURCE_FLAT,
    scope: SCOPE,
  });
  assert.equal(server.state.logs.length, 1, 'the seed road keeps its own');
  assert.deepEqual(server.bodies('otlp_logs'), [JSON.stringify(body)]);

  const summary = await summaryNow();
  assert.deepEqual(summary.logLevels, { debug: 1, info: 2, warn: 1, error: 1 });
  assert.equal(summary.errors.errorLogs, 1);
  assert.equal(summary.totals.logs, 5);
  assert.deepEqual(summary.sources.otlp, { requests: 1, points: 0, metrics: 0, logs: 4 });
  assert.equal(summary.rate.lastMinute, 5);
  // Newest first, both roads, OTLP's marked as such.
  assert.deepEqual(
    summary.recentLogs.map((l) => [l.message, l.level, l.source ?? 'seed']),
    [['boom', 'error', 'otlp'], ['slow', 'warn', 'otlp'], ['cache warm', 'debug', 'otlp'], ['User logged in', 'info', 'otlp'], ['from the seed', 'info', 'seed']],
  );
  assert.deepEqual(summary.recentLogs[0].error, { name: 'TypeError', message: 'x is undefined' });
  assert.deepEqual(summary.recentLogs[3].context, { component: 'auth' });
  assert.equal(summary.recentLogs[0].timestamp, new Date(at + 1).toISOString());
});

test('OTLP: a bad body is refused with 400 naming the field by its path, and nothing of it is kept', async () => {
  const at = Date.now();
  const good = () =>
    otlpMetrics([counter('page_views_total', [sumPoint(1, [str('page', '/home')], at)]), histogram('api_call_duration_ms', 'ms', MS_BOUNDS, [120, 230], [], at)]);
  const goodLogs = () => otlpLogs([logRecord(at, 9, 'INFO', 'hello', [])]);
  const sum = (b) => b.resourceMetrics[0].scopeMetrics[0].metrics[0].sum;
  const hist = (b) => b.resourceMetrics[0].scopeMetrics[0].metrics[1].histogram.dataPoints[0];
  const record = (b) => b.resourceLogs[0].scopeLogs[0].logRecords[0];
  const M = 'resourceMetrics[0].scopeMetrics[0].metrics';
  const L = 'resourceLogs[0].scopeLogs[0].logRecords[0]';
  // [kind, change, error, whether the official validator refuses it too (OTLP/JSON's own
  // rules) or takes it (rules of this collector: delta only, buckets that add up)]
  const cases = [
    ['metrics', (b) => ((sum(b).dataPoints[0].time_unix_nano = nanos(at)), delete sum(b).dataPoints[0].timeUnixNano), `${M}[0].sum.dataPoints[0].time_unix_nano: unknown field; OTLP/JSON spells it timeUnixNano`, false],
    ['metrics', (b) => (sum(b).aggregationTemporality = 'AGGREGATION_TEMPORALITY_DELTA'), `${M}[0].sum.aggregationTemporality: an enum is an integer in OTLP/JSON, not "AGGREGATION_TEMPORALITY_DELTA"`, false],
    ['metrics', (b) => (sum(b).aggregationTemporality = 2), `${M}[0].sum.aggregationTemporality: 2 (cumulative): this collector takes delta (1) only`, true],
    ['metrics', (b) => (sum(b).dataPoints[0].asDouble = 'lots'), `${M}[0].sum.dataPoints[0].asDouble: not a number`, false],
    ['metrics', (b) => (sum(b).dataPoints[0].timeUnixNano = '1.5e18'), `${M}[0].sum.dataPoints[0].timeUnixNano: not an unsigned 64-bit integer (a decimal string)`, false],
    ['metrics', (b) => (sum(b).dataPoints[0].attributes[0].value = { bytesValue: 'AAE=' }), `${M}[0].sum.dataPoints[0].attributes[0].value.bytesValue: bytes values are not supported by this collector`, true],
    ['metrics', (b) => (sum(b).dataPoints[0].attributes[0].value = {}), `${M}[0].sum.dataPoints[0].attributes[0].value: no value (one of stringValue, boolValue, intValue, doubleValue, arrayValue or kvlistValue)`, true],
    ['metrics', (b) => sum(b).dataPoints[0].attributes.push(str('page', '/jobs')), `${M}[0].sum.dataPoints[0].attributes[1].key: "page" again (first at index 0)`, true],
    ['metrics', (b) => hist(b).bucketCounts.pop(), `${M}[1].histogram.dataPoints[0].bucketCounts: 18 entries for 18 explicitBounds: 19 expected`, true],
    ['metrics', (b) => (hist(b).count = '3'), `${M}[1].histogram.dataPoints[0].count: 3 is not the sum of bucketCounts (2)`, true],
    ['metrics', (b) => (hist(b).explicitBounds[3] = 5), `${M}[1].histogram.dataPoints[0].explicitBounds[3]: not above explicitBounds[2] (bounds increase)`, true],
    ['metrics', (b) => (b.resourceMetrics[0].resource.dropped = 1), 'resourceMetrics[0].resource.dropped: unknown field', false],
    ['metrics', (b) => (b.resourceMetrics[0].scopeMetrics[0].metrics[0].name = ''), `${M}[0].name: empty`, true],
    ['logs', (b) => (record(b).severityNumber = 'SEVERITY_NUMBER_INFO'), `${L}.severityNumber: an enum is an integer in OTLP/JSON, not "SEVERITY_NUMBER_INFO"`, false],
    ['logs', (b) => ((record(b).observed_time_unix_nano = nanos(at)), delete record(b).observedTimeUnixNano), `${L}.observed_time_unix_nano: unknown field; OTLP/JSON spells it observedTimeUnixNano`, false],
    ['logs', (b) => (record(b).traceId = 'AAECAwQFBgcICQoLDA0ODw=='), `${L}.traceId: not 32 hex digits`, false],
  ];
  for (const [kind, change, error, official] of cases) {
    const body = kind === 'metrics' ? good() : goodLogs();
    change(body);
    const res = await postOtlp(kind, body, { key: 'reused-otlp-key' });
    assert.equal(res.status, 400, error);
    assert.deepEqual(res.body, { error });
    assertCors(res, error);
    assert.equal(validateOtlp(kind, body).ok, official, `the official validator on: ${error}`);
  }
  const notJson = await postOtlp('metrics', '{"resourceMetrics": [');
  assert.equal(notJson.status, 400);
  assert.match(notJson.body.error, /^body is not JSON: /);
  const notObject = await postOtlp('logs', []);
  assert.deepEqual([notObject.status, notObject.body], [400, { error: 'body: not an object' }]);
  assert.equal(server.state.otlp.metrics.length + server.state.otlp.logs.length, 0);
  assert.equal((await summaryNow()).totals.rejected, cases.length + 2);
  assert.deepEqual(
    server.state.requests.map((r) => [r.stream, r.status]).slice(0, 2),
    [['otlp_metrics', 400], ['otlp_metrics', 400]],
    'the status answered is recorded',
  );
  // A refusal does not use up its key.
  assert.deepEqual((await sendValid('metrics', good(), { key: 'reused-otlp-key' })).body, { partialSuccess: {} });
  assert.equal(server.state.otlp.metrics.length, 2);
});

test('OTLP: a body that is not application/json is refused with 415, before it is parsed', async () => {
  const body = otlpLogs([logRecord(Date.now(), 9, 'INFO', 'hello', [])]);
  for (const type of ['application/x-protobuf', 'text/plain', 'application/json; charset=latin1']) {
    const res = await postOtlp('logs', body, { type });
    assert.equal(res.status, 415, type);
    assert.match(res.body.error, /^Content-Type must be application\/json/);
    assertCors(res, type);
  }
  const missing = await fetch(`${server.url}/v1/metrics`, { method: 'POST', body: new Uint8Array([123, 125]) });
  assert.equal(missing.status, 415, 'no Content-Type at all');
  assert.equal((await sendValid('logs', body, { type: 'application/json; charset=utf-8' })).status, 200);
  assert.equal(server.state.otlp.logs.length, 1);
});

test('OTLP CORS: the preflight is answered and recorded, and every answer is readable cross-origin', async () => {
  const preflight = await fetch(`${server.url}/v1/metrics`, {
    method: 'OPTIONS',
    headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,idempotency-key,x-api-key' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'content-type,idempotency-key,x-api-key');
  assert.equal(preflight.headers.get('access-control-max-age'), '600');
  assert.equal(preflight.headers.get('vary'), 'Origin');
  assert.equal(preflight.headers.get('access-control-allow-credentials'), null, 'no credentials');
  await fetch(`${server.url}/v1/logs`, { method: 'OPTIONS', headers: { Origin: 'https://other.example', 'Access-Control-Request-Method': 'POST' } });
  assert.deepEqual(
    server.state.preflights.map(({ path, origin, method, headers }) => ({ path, origin, method, headers })),
    [
      { path: '/v1/metrics', origin: ORIGIN, method: 'POST', headers: 'content-type,idempotency-key,x-api-key' },
      { path: '/v1/logs', origin: 'https://other.example', method: 'POST', headers: null },
    ],
  );
  assert.equal(server.state.requests.length, 0, 'a preflight is no export request');

  // The POST itself, with the app's own header: answered readably, the header recorded.
  const res = await sendValid('metrics', otlpMetrics([gauge('memory_used_bytes', 1, Date.now())]), { headers: { 'X-Api-Key': 'secret-1' } });
  assert.equal(res.status, 200);
  assertCors(res, 'the 200');
  assert.equal(server.state.requests[0].headers['x-api-key'], 'secret-1');
  assert.equal(server.state.requests[0].headers.origin, ORIGIN);
  // Other methods and paths under /v1/ too.
  const get = await fetch(`${server.url}/v1/logs`, { headers: { Origin: ORIGIN } });
  assert.deepEqual([get.status, get.headers.get('allow')], [405, 'POST, OPTIONS']);
  assertCors(get, 'the 405');
  const profiles = await fetch(`${server.url}/v1/profiles`, { method: 'POST', headers: { Origin: ORIGIN, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(profiles.status, 404);
  assertCors(profiles, 'the 404');
  // The seed's same-origin endpoints are not opened to other origins.
  const seed = await fetch(`${server.url}/api/metrics`, { method: 'POST', headers: { Origin: ORIGIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ metrics: [] }) });
  assert.equal(seed.headers.get('access-control-allow-origin'), null);
});

test('OTLP: batches are deduplicated by Idempotency-Key, as on the seed paths', async () => {
  const at = Date.now();
  const batch = otlpMetrics([counter('page_views_total', [sumPoint(2, [str('page', '/home')], at)])]);
  assert.deepEqual((await sendValid('metrics', batch, { key: 'k-otlp' })).body, { partialSuccess: {} });
  const again = await postOtlp('metrics', batch, { key: 'k-otlp' });
  assert.deepEqual([again.status, again.body], [200, { partialSuccess: {} }], 'a copy is answered as taken');
  assertCors(again, 'the duplicate');
  const logs = otlpLogs([logRecord(at, 9, 'INFO', 'once', [])]);
  await sendValid('logs', logs, { key: 'k-otlp-logs' });
  await postOtlp('logs', logs, { key: 'k-otlp-logs' });
  // Without a key nothing can be told apart: both are kept.
  await postOtlp('metrics', batch, { key: null });
  await postOtlp('metrics', batch, { key: null });
  assert.equal(server.state.duplicates, 2);
  assert.equal(server.state.otlp.metrics.length, 3);
  assert.equal(server.state.otlp.logs.length, 1);
  assert.deepEqual(
    server.state.requests.map((r) => [r.stream, r.key, r.status]),
    [
      ['otlp_metrics', 'k-otlp', 200],
      ['otlp_metrics', 'k-otlp', 200],
      ['otlp_logs', 'k-otlp-logs', 200],
      ['otlp_logs', 'k-otlp-logs', 200],
      ['otlp_metrics', null, 200],
      ['otlp_metrics', null, 200],
    ],
  );
  assert.match(await (await fetch(server.url + '/api/metrics')).text(), /^page_views_total\{page="\/home"\} 6$/m);
  const summary = await summaryNow();
  assert.deepEqual([summary.totals.duplicates, summary.pages], [2, [{ page: '/home', count: 6 }]]);
});

test('OTLP: scripted answers, a partialSuccess, a 429 with Retry-After, a 503, a reset', async () => {
  const seen = [];
  const scripted = await startCollector({
    respond: ({ stream, key, attempt, headers }) => {
      seen.push({ stream, key, attempt, apiKey: headers['x-api-key'] ?? null });
      if (stream === 'otlp_logs') return attempt === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : attempt === 2 ? 503 : 200;
      if (key === 'partial') return { status: 200, body: { partialSuccess: { rejectedDataPoints: '2', errorMessage: 'two points over the limit' } } };
      if (key === 'cut') return 'reset';
      return 200;
    },
  });
  try {
    const at = Date.now();
    const metrics = otlpMetrics([counter('page_views_total', [sumPoint(1, [str('page', '/home')], at)])]);
    // 200 with a partialSuccess: answered as scripted, and the batch is still taken.
    const partial = await sendValid('metrics', metrics, { key: 'partial', to: scripted, headers: { 'X-Api-Key': 'k-9' } });
    assert.deepEqual([partial.status, partial.body], [200, { partialSuccess: { rejectedDataPoints: '2', errorMessage: 'two points over the limit' } }]);
    assert.equal(partial.headers.get('content-type'), 'application/json');
    assert.equal(scripted.state.otlp.metrics.length, 1);

    const logs = otlpLogs([logRecord(at, 9, 'INFO', 'retry me', [])]);
    const limited = await sendValid('logs', logs, { key: 'L', to: scripted });
    assert.deepEqual([limited.status, limited.headers.get('retry-after'), limited.body], [429, '1', { error: 'scripted failure' }]);
    assertCors(limited, 'the 429');
    const unavailable = await postOtlp('logs', logs, { key: 'L', to: scripted });
    assert.equal(unavailable.status, 503);
    assertCors(unavailable, 'the 503');
    assert.equal(scripted.state.otlp.logs.length, 0, 'a scripted failure takes nothing');
    assert.deepEqual((await postOtlp('logs', logs, { key: 'L', to: scripted })).body, { partialSuccess: {} });
    assert.equal(scripted.state.otlp.logs.length, 1);

    await assert.rejects(postOtlp('metrics', metrics, { key: 'cut', to: scripted }), 'a reset connection');
    assert.deepEqual(seen, [
      { stream: 'otlp_metrics', key: 'partial', attempt: 1, apiKey: 'k-9' },
      { stream: 'otlp_logs', key: 'L', attempt: 1, apiKey: null },
      { stream: 'otlp_logs', key: 'L', attempt: 2, apiKey: null },
      { stream: 'otlp_logs', key: 'L', attempt: 3, apiKey: null },
      { stream: 'otlp_metrics', key: 'cut', attempt: 1, apiKey: null },
    ]);
    assert.deepEqual(
      scripted.state.requests.map((r) => [r.stream, r.status]),
      [['otlp_metrics', 200], ['otlp_logs', 429], ['otlp_logs', 503], ['otlp_logs', 200], ['otlp_metrics', 'reset']],
    );
  } finally {
    await scripted.close();
  }
});

// ---- OTLP traces, and the demo backend's log: one browser request followed into the server's --

const S = 'resourceSpans[0].scopeSpans[0].spans';
const otlpTraces = (spans) => ({ resourceSpans: [{ resource: structuredClone(RESOURCE), scopeSpans: [{ scope: SCOPE, spans }] }] });
const newTraceId = () => randomBytes(16).toString('hex');
const newSpanId = () => randomBytes(8).toString('hex');
const int = (key, value) => ({ key, value: { intValue: String(value) } });
/** A client span as the package sends it for a fetch or XHR call of `ms` that ended `at`;
 *  `code` null for a network error (no answer: no status code, the span's status says so). */
function httpSpan({ method = 'GET', url = 'https://app.example/api/demo/jobs', code = 200, ms = 100, at = Date.now(), traceId = newTraceId(), spanId = newSpanId(), failed = code === null || code >= 500 } = {}) {
  const attributes = [str('http.request.method', method), str('url.full', url), str('server.address', 'app.example')];
  if (code === null) attributes.push(str('error.type', 'TypeError'));
  else attributes.push(int('http.response.status_code', code));
  const span = { traceId, spanId, name: `HTTP ${method}`, kind: 3, startTimeUnixNano: nanos(at - ms), endTimeUnixNano: nanos(at), attributes };
  if (failed) span.status = { code: 2 };
  return span;
}

test('OTLP traces: accepted, kept flat, and the slowest client requests listed on the dashboard', async () => {
  const t = 1764166892000000000n;
  const ns = (ms) => (t + BigInt(ms) * 1_000_000n).toString();
  const get = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    name: 'HTTP GET',
    kind: 3,
    startTimeUnixNano: ns(0),
    endTimeUnixNano: ns(183),
    attributes: [str('http.request.method', 'GET'), str('url.full', 'https://app.example/api/demo/jobs'), str('server.address', 'app.example'), int('http.response.status_code', 200)],
  };
  const post503 = httpSpan({ method: 'POST', url: 'https://app.example/api/demo/cv/analyze', code: 503, ms: 950 });
  const offline = httpSpan({ url: 'https://app.example/api/demo/ping', code: null, ms: 420 });
  const load = {
    traceId: newTraceId(),
    spanId: newSpanId(),
    name: 'documentLoad',
    kind: 1,
    startTimeUnixNano: ns(0),
    endTimeUnixNano: ns(1800),
    attributes: [str('url.full', 'https://app.example/')],
    events: [
      { timeUnixNano: ns(0), name: 'fetchStart' },
      { timeUnixNano: ns(300), name: 'responseEnd' },
      { timeUnixNano: ns(1200), name: 'domContentLoadedEventEnd' },
      { timeUnixNano: ns(1800), name: 'loadEventEnd', attributes: [int('dom.nodes', 812)] },
    ],
  };
  // A child of the page load, with times as JSON numbers (OTLP/JSON takes them; these two are
  // multiples of 256, which a double holds exactly at this size) and a status message.
  const child = { traceId: load.traceId, spanId: newSpanId(), parentSpanId: load.spanId, name: 'parse', kind: 0, startTimeUnixNano: 1764166892000000000, endTimeUnixNano: 1764166892000512000, status: { code: 1, message: 'fine' } };
  const body = otlpTraces([get, post503, offline, load, child]);
  const res = await sendValid('traces', body);
  assert.deepEqual([res.status, res.body], [200, { partialSuccess: {} }]);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assertCors(res, 'the 200');

  assert.equal(server.state.otlp.spans.length, 5);
  assert.deepEqual(server.state.otlp.spans[0], {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    parentSpanId: null,
    name: 'HTTP GET',
    kind: 3,
    startTimeUnixNano: '1764166892000000000',
    endTimeUnixNano: '1764166892183000000',
    durationMs: 183,
    attributes: { 'http.request.method': 'GET', 'url.full': 'https://app.example/api/demo/jobs', 'server.address': 'app.example', 'http.response.status_code': 200 },
    status: { code: 0 },
    events: [],
    resource: RESOURCE_FLAT,
    scope: SCOPE,
  });
  assert.deepEqual(server.state.otlp.spans[1].status, { code: 2 });
  assert.equal(server.state.otlp.spans[2].attributes['error.type'], 'TypeError');
  assert.deepEqual(server.state.otlp.spans[3].events, [
    { name: 'fetchStart', timeUnixNano: ns(0) },
    { name: 'responseEnd', timeUnixNano: ns(300) },
    { name: 'domContentLoadedEventEnd', timeUnixNano: ns(1200) },
    { name: 'loadEventEnd', timeUnixNano: ns(1800), attributes: { 'dom.nodes': 812 } },
  ]);
  const flatChild = server.state.otlp.spans[4];
  assert.deepEqual(
    [flatChild.parentSpanId, flatChild.kind, flatChild.startTimeUnixNano, flatChild.durationMs, flatChild.status, flatChild.attributes],
    [load.spanId, 0, '1764166892000000000', 0.512, { code: 1, message: 'fine' }, {}],
  );
  assert.deepEqual(server.bodies('otlp_traces'), [JSON.stringify(body)]);
  assert.deepEqual(server.state.requests.map((r) => [r.stream, r.status]), [['otlp_traces', 200]]);

  // Client spans only (kind 3): the page load, slower still, is not a request.
  const summary = await summaryNow();
  assert.deepEqual(summary.slowestRequests, [
    { name: 'HTTP POST', url: 'https://app.example/api/demo/cv/analyze', status: 503, durationMs: 950, failed: true, traceId: post503.traceId, spanId: post503.spanId, serverLogged: false },
    { name: 'HTTP GET', url: 'https://app.example/api/demo/ping', status: null, durationMs: 420, failed: true, traceId: offline.traceId, spanId: offline.spanId, serverLogged: false },
    { name: 'HTTP GET', url: 'https://app.example/api/demo/jobs', status: 200, durationMs: 183, failed: false, traceId: get.traceId, spanId: get.spanId, serverLogged: false },
  ]);
  assert.deepEqual(summary.traces, { spans: 5, clientSpans: 3, window: 500 });
  // Spans are no events of the chart, nor metrics or logs.
  assert.deepEqual([summary.totals.metrics, summary.totals.logs, summary.rate.lastMinute], [0, 0, 0]);
  assert.deepEqual(summary.sources.otlp, { requests: 1, points: 0, metrics: 0, logs: 0 });
  const received = await (await fetch(server.url + '/api/received')).json();
  assert.equal(received.otlp.spans.length, 5);

  server.reset();
  assert.equal(server.state.otlp.spans.length, 0);
  const after = await summaryNow();
  assert.deepEqual([after.slowestRequests, after.traces.spans], [[], 0]);
});

test('OTLP traces: the slowest requests are the 10 slowest of the last 500 client spans', async () => {
  const slow = httpSpan({ ms: 5000, url: 'https://app.example/api/demo/slow' });
  const some = [120, 80, 300, 40, 300, 60, 220, 90, 10, 500, 70, 250].map((ms) => httpSpan({ ms }));
  await sendValid('traces', otlpTraces([slow, ...some]));
  let summary = await summaryNow();
  // Slowest first; of two as slow, the newer first.
  assert.deepEqual(
    summary.slowestRequests.map((r) => [r.durationMs, r.traceId]),
    [[5000, slow.traceId], [500, some[9].traceId], [300, some[4].traceId], [300, some[2].traceId], [250, some[11].traceId], [220, some[6].traceId], [120, some[0].traceId], [90, some[7].traceId], [80, some[1].traceId], [70, some[10].traceId]],
  );
  // 500 quick ones later, the slow ones are out of the window: memory stays bounded.
  const quick = Array.from({ length: 500 }, (_, i) => httpSpan({ ms: 1 + (i % 3) }));
  await sendValid('traces', otlpTraces(quick));
  summary = await summaryNow();
  assert.equal(summary.traces.clientSpans, 500);
  assert.equal(summary.slowestRequests.length, 10);
  assert.ok(summary.slowestRequests.every((r) => r.durationMs === 3), JSON.stringify(summary.slowestRequests.map((r) => r.durationMs)));
  assert.equal(summary.slowestRequests[0].traceId, quick[497].traceId, 'the newest of the slowest first');
  assert.equal(server.state.otlp.spans.length, 513, 'state.otlp keeps the spans (the newest 10,000), as it does points and records');
});

test('OTLP traces: a bad span is refused with 400 naming the field by its path, and nothing of it is kept', async () => {
  const good = () => otlpTraces([httpSpan({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' })]);
  const sp = (b) => b.resourceSpans[0].scopeSpans[0].spans[0];
  const at = `${S}[0]`;
  // [change, error, whether the official validator refuses it too (OTLP/JSON's rules) or takes
  // it (this collector's: ids that are not zero, a name, times in order, known enum values)]
  const cases = [
    [(b) => (sp(b).traceId = 'S/kvNXezTaajzpKdDg5HNg=='), `${at}.traceId: not 32 lowercase hex digits`, false],
    [(b) => (sp(b).traceId = '4BF92F3577B34DA6A3CE929D0E0E4736'), `${at}.traceId: not 32 lowercase hex digits`, false],
    [(b) => (sp(b).spanId = 'APBnqguaArc='), `${at}.spanId: not 16 lowercase hex digits`, false],
    [(b) => (sp(b).parentSpanId = '00f067aa0ba902b'), `${at}.parentSpanId: not 16 lowercase hex digits`, false],
    [(b) => (sp(b).traceId = '0'.repeat(32)), `${at}.traceId: all zeros, which is no valid id`, true],
    [(b) => (sp(b).spanId = '0'.repeat(16)), `${at}.spanId: all zeros, which is no valid id`, true],
    [(b) => delete sp(b).traceId, `${at}.traceId: missing`, true],
    [(b) => (sp(b).kind = 'SPAN_KIND_CLIENT'), `${at}.kind: an enum is an integer in OTLP/JSON, not "SPAN_KIND_CLIENT"`, false],
    [(b) => (sp(b).kind = '3'), `${at}.kind: an enum is an integer in OTLP/JSON, not "3"`, false],
    [(b) => (sp(b).kind = 6), `${at}.kind: 6 is no SpanKind (0 to 5)`, true],
    [(b) => ((sp(b).start_time_unix_nano = sp(b).startTimeUnixNano), delete sp(b).startTimeUnixNano), `${at}.start_time_unix_nano: unknown field; OTLP/JSON spells it startTimeUnixNano`, false],
    [(b) => ((sp(b).trace_id = sp(b).traceId), delete sp(b).traceId), `${at}.trace_id: unknown field; OTLP/JSON spells it traceId`, false],
    [(b) => (sp(b).endTimeUnixNano = (BigInt(sp(b).startTimeUnixNano) - 1n).toString()), `${at}.endTimeUnixNano: before startTimeUnixNano`, true],
    [(b) => delete sp(b).endTimeUnixNano, `${at}.endTimeUnixNano: missing`, true],
    [(b) => (sp(b).startTimeUnixNano = '1.764e18'), `${at}.startTimeUnixNano: not an unsigned 64-bit integer (a decimal string)`, false],
    [(b) => (sp(b).name = ''), `${at}.name: empty`, true],
    [(b) => (sp(b).status = { code: 3 }), `${at}.status.code: 3 is no StatusCode (0 to 2)`, true],
    [(b) => (sp(b).status = { code: 2, description: 'boom' }), `${at}.status.description: unknown field`, false],
    [(b) => (sp(b).events = [{ timeUnixNano: sp(b).startTimeUnixNano }]), `${at}.events[0].name: missing`, true],
    [(b) => (sp(b).events = [{ name: 'x', time_unix_nano: sp(b).startTimeUnixNano }]), `${at}.events[0].time_unix_nano: unknown field; OTLP/JSON spells it timeUnixNano`, false],
    [(b) => sp(b).attributes.push(str('url.full', 'https://app.example/again')), `${at}.attributes[4].key: "url.full" again (first at index 1)`, true],
    [(b) => (b.resourceSpans[0].scope_spans = b.resourceSpans[0].scopeSpans), 'resourceSpans[0].scope_spans: unknown field; OTLP/JSON spells it scopeSpans', false],
  ];
  for (const [change, error, official] of cases) {
    const body = good();
    change(body);
    const res = await postOtlp('traces', body, { key: 'reused-traces-key' });
    assert.equal(res.status, 400, error);
    assert.deepEqual(res.body, { error });
    assertCors(res, error);
    assert.equal(validateOtlp('traces', body).ok, official, `the official validator on: ${error}`);
  }
  assert.equal(server.state.otlp.spans.length, 0);
  const summary = await summaryNow();
  assert.deepEqual([summary.totals.rejected, summary.slowestRequests], [cases.length, []]);
  assert.ok(server.state.requests.every((r) => r.stream === 'otlp_traces' && r.status === 400));
  // A refusal does not use up its key.
  assert.deepEqual((await sendValid('traces', good(), { key: 'reused-traces-key' })).body, { partialSuccess: {} });
  assert.equal(server.state.otlp.spans.length, 1);
});

test('OTLP traces: CORS, the 415, dedupe by Idempotency-Key and scripted answers, as on the other /v1 paths', async () => {
  const preflight = await fetch(`${server.url}/v1/traces`, {
    method: 'OPTIONS',
    headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,idempotency-key' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'content-type,idempotency-key');
  assertCors(preflight, 'the preflight');
  assert.deepEqual(server.state.preflights.map((p) => [p.path, p.origin]), [['/v1/traces', ORIGIN]]);
  const get = await fetch(`${server.url}/v1/traces`, { headers: { Origin: ORIGIN } });
  assert.deepEqual([get.status, get.headers.get('allow')], [405, 'POST, OPTIONS']);
  assertCors(get, 'the 405');

  const body = otlpTraces([httpSpan({ ms: 250 })]);
  const protobuf = await postOtlp('traces', body, { type: 'application/x-protobuf', key: 'k-traces' });
  assert.equal(protobuf.status, 415);
  assert.match(protobuf.body.error, /^Content-Type must be application\/json/);
  assertCors(protobuf, 'the 415');
  assert.deepEqual((await sendValid('traces', body, { key: 'k-traces' })).body, { partialSuccess: {} });
  const again = await postOtlp('traces', body, { key: 'k-traces' });
  assert.deepEqual([again.status, again.body], [200, { partialSuccess: {} }], 'a copy is answered as taken');
  assertCors(again, 'the duplicate');
  assert.equal(server.state.otlp.spans.length, 1);
  assert.equal(server.state.duplicates, 1);
  assert.deepEqual(
    server.state.requests.map((r) => [r.stream, r.key, r.status]),
    [['otlp_traces', 'k-traces', 415], ['otlp_traces', 'k-traces', 200], ['otlp_traces', 'k-traces', 200]],
  );
  assert.equal((await summaryNow()).slowestRequests.length, 1, 'the copy is not listed twice');

  // Scripted: the `respond` hook sees the stream 'otlp_traces'.
  const seen = [];
  const scripted = await startCollector({
    respond: ({ stream, key, attempt }) => {
      seen.push([stream, key, attempt]);
      return attempt === 1 ? { status: 503, headers: { 'Retry-After': '2' } } : 200;
    },
  });
  try {
    const first = await sendValid('traces', body, { key: 'T', to: scripted });
    assert.deepEqual([first.status, first.headers.get('retry-after'), first.body], [503, '2', { error: 'scripted failure' }]);
    assertCors(first, 'the scripted 503');
    assert.equal(scripted.state.otlp.spans.length, 0, 'a scripted failure takes nothing');
    assert.equal((await postOtlp('traces', body, { key: 'T', to: scripted })).status, 200);
    assert.equal(scripted.state.otlp.spans.length, 1);
    assert.deepEqual(seen, [['otlp_traces', 'T', 1], ['otlp_traces', 'T', 2]]);
    assert.deepEqual(scripted.bodies('otlp_traces'), [JSON.stringify(body), JSON.stringify(body)]);
  } finally {
    await scripted.close();
  }
});

test('the demo backend logs each request with the trace id of its traceparent, and the dashboard joins the two', async () => {
  const rolls = [];
  const logFile = join(dir, 'demo-api', 'logs.ndjson');
  const demo = await startCollector({ logFile, demo: { minLatencyMs: 1, maxLatencyMs: 1, random: () => rolls.shift() ?? 0.5 } });
  try {
    const call = async (method, path, traceparent, ...r) => {
      rolls.push(...r);
      const headers = traceparent === undefined ? {} : { traceparent };
      const res = await fetch(demo.url + path, { method, headers });
      await res.text();
      return res.status;
    };
    const ok = { traceId: newTraceId(), spanId: newSpanId() };
    const failed = { traceId: newTraceId(), spanId: newSpanId() };
    const later = { traceId: newTraceId(), spanId: newSpanId() };
    assert.equal(await call('GET', '/api/demo/jobs?page=2', `00-${ok.traceId}-${ok.spanId}-01`), 200);
    assert.equal(await call('POST', '/api/demo/cv/analyze', `00-${failed.traceId}-${failed.spanId}-00`, 0.5, 0.1, 0.9), 503);
    // A later version may add fields after the four it shares with version 00.
    assert.equal(await call('GET', '/api/demo/ping', `01-${later.traceId}-${later.spanId}-01-what-comes-next`), 200);
    const malformed = [
      `00-${ok.traceId.toUpperCase()}-${ok.spanId}-01`, // upper case
      `00-${'0'.repeat(32)}-${ok.spanId}-01`, // an all-zero trace id
      `00-${ok.traceId}-${'0'.repeat(16)}-01`, // an all-zero span id
      `ff-${ok.traceId}-${ok.spanId}-01`, // version ff is invalid
      `00-${ok.traceId}-${ok.spanId}-01-extra`, // version 00 has four fields
      `00-${ok.traceId}-${ok.spanId.slice(1)}-01`, // a short span id
      `00-${ok.traceId}-${ok.spanId}`, // no flags
      'garbage',
    ];
    for (const header of malformed) assert.equal(await call('GET', '/api/demo/x', header), 200, header);
    assert.equal(await call('GET', '/api/demo/none'), 200);
    assert.equal(await call('DELETE', '/api/demo/x', `00-${later.traceId}-${later.spanId}-01`), 405);

    const serverLog = demo.state.serverLog;
    assert.equal(serverLog.length, 5 + malformed.length);
    const { timestamp, duration_ms, ...first } = serverLog[0];
    assert.deepEqual(first, {
      level: 'info',
      service: 'recoloca-demo-api',
      message: 'GET /api/demo/jobs 200',
      http_method: 'GET',
      url_path: '/api/demo/jobs',
      http_status: 200,
      trace_id: ok.traceId,
      span_id: ok.spanId,
      trace_flags: '01',
    });
    assert.match(timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(duration_ms >= 0.5 && duration_ms < 1000, String(duration_ms));
    assert.deepEqual(
      serverLog.map((l) => [l.message, l.level, l.trace_id ?? null, l.span_id ?? null]),
      [
        ['GET /api/demo/jobs 200', 'info', ok.traceId, ok.spanId],
        ['POST /api/demo/cv/analyze 503', 'error', failed.traceId, failed.spanId],
        ['GET /api/demo/ping 200', 'info', later.traceId, later.spanId],
        ...malformed.map(() => ['GET /api/demo/x 200', 'info', null, null]),
        ['GET /api/demo/none 200', 'info', null, null],
        ['DELETE /api/demo/x 405', 'warn', later.traceId, later.spanId],
      ],
    );

    // The same lines in the log file, beside the browser's entries and told apart from them.
    await fetch(`${demo.url}/api/logs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ logs: [log('from the browser')] }) });
    await demo.state.writes;
    const lines = (await readFile(logFile, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const fromServer = lines.filter((l) => l.service === 'recoloca-demo-api');
    assert.deepEqual(fromServer, serverLog, 'each line as kept in memory');
    assert.ok(fromServer.every((l) => !('received_at' in l)), 'no received_at: nobody sent it');
    const browser = lines.filter((l) => l.service !== 'recoloca-demo-api');
    assert.deepEqual(browser.map((l) => [l.service, l.message, typeof l.received_at]), [['recoloca-frontend', 'from the browser', 'string']]);

    // The browser's spans of those calls: the dashboard says which the server logged.
    const spans = [
      httpSpan({ ...ok, ms: 120 }),
      httpSpan({ ...failed, method: 'POST', url: 'https://app.example/api/demo/cv/analyze', code: 503, ms: 300 }),
      httpSpan({ ms: 200 }), // a call the demo backend never saw (another server, or offline)
    ];
    await sendValid('traces', otlpTraces(spans), { to: demo });
    const summary = await (await fetch(demo.url + '/api/summary')).json();
    assert.deepEqual(
      summary.slowestRequests.map((r) => [r.traceId, r.status, r.serverLogged]),
      [[failed.traceId, 503, true], [spans[2].traceId, 200, false], [ok.traceId, 200, true]],
    );
    demo.reset();
    assert.equal(demo.state.serverLog.length, 0);
  } finally {
    await demo.close();
  }

  // Without a log file, in memory only; and only the newest 500 lines.
  const memory = await startCollector({ demo: { minLatencyMs: 0, maxLatencyMs: 0, failureRate: 0 } });
  try {
    assert.equal(memory.state.logFile, null);
    const ids = Array.from({ length: 510 }, newTraceId);
    const call = (id) => fetch(`${memory.url}/api/demo/n`, { headers: { traceparent: `00-${id}-${newSpanId()}-01` } }).then((r) => r.text());
    // The first ten one by one, so that they are the oldest; the others fifty at a time.
    for (const id of ids.slice(0, 10)) await call(id);
    for (let i = 10; i < ids.length; i += 50) await Promise.all(ids.slice(i, i + 50).map(call));
    assert.equal(memory.state.serverLog.length, 500);
    const kept = new Set(memory.state.serverLog.map((l) => l.trace_id));
    assert.ok(ids.slice(-50).every((id) => kept.has(id)), 'the newest are kept');
    assert.ok(ids.slice(0, 10).every((id) => !kept.has(id)), 'the oldest are dropped');
  } finally {
    await memory.close();
  }
});

// ---- The outage switch ---------------------------------------------------------------------

test('the outage switch: the telemetry endpoints answer 503 with Retry-After until it is off, the demo backend does not; then they take the same batches', async () => {
  // A collector of its own, whose demo backend never fails: any 503 from it would be the switch's.
  const site = await startCollector({ demo: { minLatencyMs: 0, maxLatencyMs: 0, failureRate: 0 } });
  try {
    const outage = async (body) => {
      const res = await fetch(`${site.url}/api/outage`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    };
    const seedPost = (stream, body, key) =>
      fetch(`${site.url}/api/${stream}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify(body) });
    const now = Date.now();
    const otlp = [
      ['metrics', otlpMetrics([gauge('memory_used_bytes', 1, now)])],
      ['logs', otlpLogs([logRecord(now, 9, 'INFO', 'during the outage', [])])],
      ['traces', otlpTraces([httpSpan({ at: now })])],
    ];
    for (const [kind, body] of otlp) assert.ok(validateOtlp(kind, body).ok, kind);
    // One valid batch per endpoint, each sent twice under the same key: during the outage and
    // after it, as a client's retry would.
    const sendAll = () =>
      Promise.all([
        seedPost('metrics', { metrics: [metric('outage_total', 1)] }, 'outage-m'),
        seedPost('logs', { logs: [log('during the outage')] }, 'outage-l'),
        ...otlp.map(async ([kind, body]) => {
          const res = await fetch(`${site.url}/v1/${kind}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `outage-${kind}`, Origin: ORIGIN },
            body: JSON.stringify(body),
          });
          assertCors(res, `/v1/${kind}`);
          return res;
        }),
      ]);
    const ENDPOINTS = ['/api/metrics', '/api/logs', '/v1/metrics', '/v1/logs', '/v1/traces'];

    for (const bad of [{}, { seconds: -1 }, { seconds: 601 }, { seconds: '30' }]) {
      assert.equal((await outage(bad)).status, 400, JSON.stringify(bad));
    }
    // JSON only: a page of another site can send a text/plain or form body here without a
    // preflight, and must not be able to switch the outage on.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null]) {
      const res = await fetch(`${site.url}/api/outage`, { method: 'POST', headers: type ? { 'Content-Type': type } : {}, body: JSON.stringify({ seconds: 30 }) });
      assert.equal(res.status, 415, String(type));
      assert.match((await res.json()).error, /^Content-Type must be application\/json/);
    }
    assert.equal(site.state.outage.active(), false, 'none of them switched it on');
    // Long enough that nothing below can outlast it; switched off by hand ({seconds: 0}) once
    // the refusals are checked. How an outage ends by itself is tested on its own, without
    // waiting (see the next test).
    const on = await outage({ seconds: 600 });
    assert.equal(on.status, 200);
    assert.equal(on.body.active, true);
    assert.equal(on.body.retryAfterSeconds, 5);

    const during = await sendAll();
    assert.deepEqual(
      during.map((r) => [r.status, r.headers.get('retry-after')]),
      ENDPOINTS.map(() => [503, '5']),
    );
    // A preflight is still answered, and so is the demo backend.
    const preflight = await fetch(`${site.url}/v1/traces`, { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } });
    assert.equal(preflight.status, 204);
    const demo = await fetch(`${site.url}/api/demo/jobs`);
    assert.deepEqual([demo.status, demo.headers.get('retry-after')], [200, null]);
    // Nothing of the refused batches was kept; the summary says what was refused.
    const summary = await (await fetch(`${site.url}/api/summary`)).json();
    assert.deepEqual([summary.totals.metrics, summary.totals.logs, summary.traces.spans], [0, 0, 0]);
    assert.equal(summary.outage.active, true);
    assert.deepEqual(summary.outage.refused, { logs: 1, metrics: 1, otlp_logs: 1, otlp_metrics: 1, otlp_traces: 1 });

    // 0 ends it at once.
    const off = await outage({ seconds: 0 });
    assert.deepEqual([off.status, off.body.active], [200, false]);
    assert.ok(off.body.ended >= on.body.startedAt && off.body.ended < on.body.endsAt, 'ended before its time');
    const after = await sendAll();
    assert.deepEqual(
      after.map((r) => r.status),
      ENDPOINTS.map(() => 200),
      'the same keys are taken once the outage is over',
    );
    assert.deepEqual([site.state.metrics.length, site.state.logs.length, site.state.otlp.metrics.length, site.state.otlp.logs.length, site.state.otlp.spans.length], [1, 1, 1, 1, 1]);
    const ended = await (await fetch(`${site.url}/api/outage`)).json();
    assert.deepEqual([ended.active, ended.ended, ended.refusedTotal], [false, off.body.ended, 5]);
    assert.equal((await seedPost('metrics', { metrics: [metric('outage_total', 2)] }, 'outage-m2')).status, 200);
  } finally {
    await site.close();
  }
});

test('an outage ends by itself at its time; one under way is lengthened or shortened, a new one counts afresh (its clock given, no waiting)', () => {
  const outage = new Outage();
  const seen = (now) => {
    const v = outage.view(now);
    return { active: v.active, startedAt: v.startedAt, endsAt: v.endsAt, remainingMs: v.remainingMs, ended: v.ended, refused: v.refused, refusedTotal: v.refusedTotal };
  };
  assert.deepEqual(seen(T0), { active: false, startedAt: null, endsAt: null, remainingMs: 0, ended: null, refused: {}, refusedTotal: 0 });
  outage.set(30, T0);
  outage.refuse('metrics');
  outage.refuse('otlp_logs');
  outage.refuse('metrics');
  assert.deepEqual(seen(T0 + 10_000), { active: true, startedAt: T0, endsAt: T0 + 30_000, remainingMs: 20_000, ended: null, refused: { metrics: 2, otlp_logs: 1 }, refusedTotal: 3 });
  // Lengthened while on: the same outage, started when it started, its counts kept.
  outage.set(60, T0 + 10_000);
  assert.equal(outage.active(T0 + 69_999), true);
  // It ends at its time by itself, and then says when.
  assert.equal(outage.active(T0 + 70_000), false);
  assert.deepEqual(seen(T0 + 70_000), { active: false, startedAt: T0, endsAt: T0 + 70_000, remainingMs: 0, ended: T0 + 70_000, refused: { metrics: 2, otlp_logs: 1 }, refusedTotal: 3 });
  // 0 after its end changes nothing.
  outage.set(0, T0 + 80_000);
  assert.equal(seen(T0 + 80_000).ended, T0 + 70_000);
  // A new one starts afresh; shortened while on, it ends at the new time.
  outage.set(5, T0 + 90_000);
  assert.deepEqual(seen(T0 + 90_000), { active: true, startedAt: T0 + 90_000, endsAt: T0 + 95_000, remainingMs: 5_000, ended: null, refused: {}, refusedTotal: 0 });
  outage.set(1, T0 + 91_000);
  assert.deepEqual([outage.active(T0 + 91_999), outage.active(T0 + 92_000), seen(T0 + 92_000).ended], [true, false, T0 + 92_000]);
});

// ---- Bounds (#21): route templates, series, memory -------------------------------------------

const APP = 'https://app.recoloca.ai';

test('route templates: the template cases of src/core/src/route_tests.rs, read from it, and its property test', async () => {
  // The client's cases, read from its tests so that a case added there is checked here too:
  // every `template("<url>", PAGE)` compared with a literal, and the (path, expected) pairs of
  // `ids_become_placeholders_and_words_stay`. (Its `server` cases are route.rs' own business:
  // the collector has no use for host and port.)
  const rs = await readFile(new URL('../src/core/src/route_tests.rs', import.meta.url), 'utf8');
  assert.equal(/const PAGE: &str = "([^"]*)";/.exec(rs)?.[1], APP, 'the same page origin');
  const direct = [...rs.matchAll(/template\(\s*"([^"]*)",\s*PAGE\s*\),\s*"([^"]*)"/g)].map((m) => [m[1], m[2]]);
  const start = rs.indexOf('fn ids_become_placeholders_and_words_stay');
  const body = rs.slice(start, rs.indexOf('#[test]', start));
  const cases = [...body.matchAll(/\(\s*"([^"]*)",\s*"([^"]*)",?\s*\)/g)].map((m) => [m[1], m[2]]);
  // As many as the file has today, at least: a regular expression that stopped matching would
  // otherwise check nothing.
  assert.ok(direct.length >= 6 && cases.length >= 8, `${direct.length} template assertions and ${cases.length} id cases read`);
  for (const [url, expected] of direct) assert.equal(template(url, APP), expected, url);
  // Ids become placeholders and words stay; the collector's road (a path, no origin) agrees.
  for (const [path, expected] of cases) {
    assert.equal(template(APP + path, APP), expected, path);
    assert.equal(routeLabel(path), expected, `${path} as the collector reads it`);
  }
  // `a_very_long_path_is_cut_at_a_segment` and the property test are code, not data: mirrored
  // here by hand. A very long path is cut at a segment.
  const long = template(`${APP}/${Array(40).fill('segment').join('/')}`, APP);
  assert.ok(Buffer.byteLength(long) <= MAX_LEN + Buffer.byteLength('/…'), long);
  assert.ok(long.endsWith('/…'));

  // The property test, with the same generators (segments of letters, of digits, or 24 hex
  // digits; a query of [a-z0-9=&]) from a seeded generator: no query or fragment survives, no
  // number segment survives, a template of a template is itself, and the label stays bounded.
  let seed = 21;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = (alphabet, min, max) => Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const SEGMENTS = [() => pick('abcdefghijklmnopqrstuvwxyz', 1, 8), () => pick('0123456789', 1, 12), () => pick('0123456789abcdef', 24, 24)];
  for (let run = 0; run < 500; run++) {
    const segments = Array.from({ length: Math.floor(random() * 30) }, () => SEGMENTS[Math.floor(random() * 3)]());
    const url = `${APP}/${segments.join('/')}?${pick('abcdefghijklmnopqrstuvwxyz0123456789=&', 0, 20)}#frag`;
    const t = template(url, APP);
    assert.ok(!t.includes('?') && !t.includes('#'), t);
    assert.ok(Buffer.byteLength(t) <= MAX_LEN + Buffer.byteLength('/…'), t);
    assert.ok(t.split('/').every((s) => s === '' || !/^\d+$/.test(s)), t);
    assert.equal(template(APP + t, APP), t);
    assert.equal(routeLabel(t), t, 'the collector leaves a client-made template as it is');
  }
});

test('route labels as the collector reads them: paths, absolute URLs and bare names', () => {
  assert.equal(routeLabel('/api/jobs/42?q=x#results'), '/api/jobs/:id');
  assert.equal(routeLabel('/jobs/42/'), '/jobs/:id/');
  // The collector does not know the page's origin: an absolute URL keeps its own.
  assert.equal(routeLabel(`${APP}/jobs/7?ref=mail`), `${APP}/jobs/:id`);
  assert.equal(routeLabel('https://api.example.com/v1/users/42/cv?x=1'), 'https://api.example.com/v1/users/:id/cv');
  // A bare name stays one; its ids still go.
  assert.deepEqual(['home', 'jobs/12', '12', '', 'JobsPage?tab=2'].map(routeLabel), ['home', 'jobs/:id', ':id', '', 'JobsPage']);
  // Cut by UTF-8 bytes, as the client cuts (a character is never split).
  const wide = routeLabel('/' + Array(60).fill('çà').join('/'));
  assert.ok(Buffer.byteLength(wide) <= MAX_LEN + Buffer.byteLength('/…') && wide.endsWith('/…'), wide);
});

/** POSTs a seed batch to `to`; returns the status. */
async function postTo(to, stream, events, key = `bound-${++keys}`) {
  const res = await fetch(`${to.url}/api/${stream}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify({ [stream]: events }) });
  await res.arrayBuffer();
  return res.status;
}

/** The series of an exposition, by family: a histogram's _bucket, _sum and _count samples (any
 *  `le`) are one series. */
function seriesByFamily(text) {
  const families = new Map();
  for (const key of samples(text).keys()) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*?)(_bucket|_sum|_count)?(?:\{(.*)\})?$/.exec(key);
    const isHistogram = m[2] && new RegExp(`^# TYPE ${m[1]} histogram$`, 'm').test(text);
    const family = isHistogram ? m[1] : m[1] + (m[2] ?? '');
    const labels = (m[3] ?? '').split(',').filter((l) => l && !l.startsWith('le=')).join(',');
    if (!families.has(family)) families.set(family, new Set());
    families.get(family).add(labels);
  }
  return families;
}

test('/api/metrics stays bounded: 2,000 events of distinct users, pages and endpoints are a few series, none by user or session', async () => {
  const events = [];
  for (let i = 0; i < 2000; i++) {
    const user = { user_id: `u-${i}` };
    const endpoint = `/api/jobs/${i}?q=x`;
    events.push(
      [
        metric('page_views_total', 1, { page: `/jobs/${i}`, ...user }),
        metric('user_actions_total', 1, { action: 'apply', component: 'JobCard', ...user, session_id: `s-${i}` }),
        metric('api_calls_total', 1, { endpoint, method: 'GET', status: '200' }),
        metric('api_call_duration_ms', 100 + (i % 900), { endpoint, method: 'GET' }),
        metric('frontend_errors_total', 1, { error_type: 'TypeError', component: 'JobCard', ...user }),
      ][i % 5],
    );
  }
  for (let i = 0; i < events.length; i += 100) assert.equal(await postTo(server, 'metrics', events.slice(i, i + 100)), 200);
  // And by OTLP, with the user and session as attributes (the client leaves them out; another
  // sender may not).
  const at = Date.now();
  const who = (i) => [str('user_id', `u-${i}`), str('session.id', `s-${i}`)];
  const otlp = otlpMetrics([
    counter('page_views_total', Array.from({ length: 100 }, (_, i) => sumPoint(1, [str('page', `/jobs/${i}?from=otlp`), ...who(i)], at))),
    histogram('api_call_duration_ms', 'ms', MS_BOUNDS, [120], [str('endpoint', '/api/jobs/77?q=x'), str('method', 'GET'), ...who(77)], at),
  ]);
  assert.equal((await sendValid('metrics', otlp)).status, 200);

  const text = await (await fetch(server.url + '/api/metrics')).text();
  assert.doesNotMatch(text, /user_id|session_id|u-\d|s-\d/, 'no user or session anywhere');
  const s = samples(text);
  const expected = {
    'page_views_total{page="/jobs/:id"}': 400 + 100,
    'user_actions_total{action="apply",component="JobCard"}': 400,
    'api_calls_total{endpoint="/api/jobs/:id",method="GET",status="200"}': 400,
    'api_call_duration_seconds_count{endpoint="/api/jobs/:id",method="GET"}': 400 + 1,
    'frontend_errors_total{component="JobCard",error_type="TypeError"}': 400,
  };
  for (const [key, value] of Object.entries(expected)) assert.equal(s.get(key), value, key);
  const families = seriesByFamily(text);
  for (const name of ['page_views_total', 'user_actions_total', 'api_calls_total', 'api_call_duration_seconds', 'frontend_errors_total']) {
    assert.equal(families.get(name).size, 1, `${name}: one series`);
  }
  const total = [...families.values()].reduce((n, set) => n + set.size, 0);
  assert.ok(total < 60, `${total} series in all (the client's 41 health series among them)`);
  assert.ok([...families.values()].every((set) => set.size <= 1000), 'within the default cap');
  assert.equal(s.get('collector_series_overflow_total{metric="page_views_total"}'), undefined, 'nothing overflowed');
  assert.deepEqual(promtool(text), { status: 0, output: '' });
  // The users stay in the events as received (the collector view) ...
  assert.equal(new Set(server.state.metrics.map((m) => m.labels.user_id).filter(Boolean)).size, 1200);
  // ... and the dashboard counts pages by the same template.
  assert.deepEqual((await summaryNow()).pages, [{ page: '/jobs/:id', count: 500 }]);
});

test('past MAX_SERIES_PER_METRIC series, a name\'s samples go to its one overflow series and are counted, by both roads', async () => {
  const small = await startCollector({ maxSeriesPerMetric: 50 });
  try {
    // Words, not ids: each is a series of its own.
    const word = (i) => 'section-' + [...i.toString(26).padStart(3, '0')].map((c) => String.fromCharCode(97 + parseInt(c, 26))).join('');
    const seed = [];
    for (let i = 0; i < 80; i++) {
      seed.push(metric('page_views_total', 1, { page: `/${word(i)}`, user_id: `u-${i}` }));
      seed.push(metric('api_call_duration_ms', 100, { endpoint: `/api/${word(i)}`, method: 'GET' }));
    }
    assert.equal(await postTo(small, 'metrics', seed), 200);
    const at = Date.now();
    const otlp = otlpMetrics([
      counter('page_views_total', Array.from({ length: 20 }, (_, k) => sumPoint(2, [str('page', `/${word(80 + k)}`)], at))),
      ...Array.from({ length: 20 }, (_, k) => histogram('api_call_duration_ms', 'ms', MS_BOUNDS, [200, 300], [str('endpoint', `/api/${word(80 + k)}`), str('method', 'GET')], at)),
    ]);
    assert.equal((await sendValid('metrics', otlp, { to: small })).status, 200);
    // After the cap: a series the name has still takes its samples; a new label set, even one
    // with a label name of its own, goes to the overflow series.
    assert.equal(await postTo(small, 'metrics', [metric('page_views_total', 1, { page: `/${word(0)}` }), metric('page_views_total', 1, { page: '/elsewhere', referrer: 'mail' })]), 200);

    const text = await (await fetch(small.url + '/api/metrics')).text();
    const s = samples(text);
    const families = seriesByFamily(text);
    assert.equal(families.get('page_views_total').size, 51, '50 series and the overflow series');
    assert.equal(families.get('api_call_duration_seconds').size, 51);
    assert.equal(s.get(`page_views_total{page="/${word(0)}"}`), 2);
    // Pages 50-79 by the seed (30), 80-99 by OTLP (20 points of 2), and /elsewhere.
    assert.equal(s.get('page_views_total{page="__overflow__"}'), 30 + 40 + 1);
    assert.equal(s.get('collector_series_overflow_total{metric="page_views_total"}'), 30 + 20 + 1);
    // Histograms: 30 seed values and 20 OTLP points of two values each, in one series.
    assert.equal(s.get('api_call_duration_seconds_count{endpoint="__overflow__",method="__overflow__"}'), 30 + 40);
    assert.equal(s.get('api_call_duration_seconds_bucket{endpoint="__overflow__",le="0.1",method="__overflow__"}'), 30);
    assert.equal(s.get('collector_series_overflow_total{metric="api_call_duration_seconds"}'), 30 + 20);
    assert.deepEqual(promtool(text), { status: 0, output: '' });
  } finally {
    await small.close();
  }

  // MAX_SERIES_PER_METRIC sets the default; startCollector's option wins over it.
  const saved = process.env.MAX_SERIES_PER_METRIC;
  try {
    process.env.MAX_SERIES_PER_METRIC = '2';
    const tiny = await startCollector();
    try {
      await postTo(tiny, 'metrics', ['/a', '/b', '/c', '/d'].map((page) => metric('page_views_total', 1, { page })));
      const s = samples(await (await fetch(tiny.url + '/api/metrics')).text());
      assert.deepEqual([s.get('page_views_total{page="/b"}'), s.get('page_views_total{page="/c"}'), s.get('page_views_total{page="__overflow__"}')], [1, undefined, 2]);
    } finally {
      await tiny.close();
    }
    process.env.MAX_SERIES_PER_METRIC = '1e3';
    await assert.rejects(startCollector(), { name: 'RangeError', message: 'MAX_SERIES_PER_METRIC must be a positive integer (got "1e3")' });
  } finally {
    if (saved === undefined) delete process.env.MAX_SERIES_PER_METRIC;
    else process.env.MAX_SERIES_PER_METRIC = saved;
  }
});

test('past MAX_METRIC_NAMES names, a new name\'s samples are dropped and counted, by both roads; the names there keep taking theirs', async () => {
  const few = await startCollector({ maxMetricNames: 3 });
  try {
    // A name made from data (recordMetric(`load_${id}`)): one more name with every id, which
    // the cap per name cannot stop. The first three take the places.
    assert.equal(await postTo(few, 'metrics', Array.from({ length: 6 }, (_, id) => metric(`load_${id}`, id))), 200);
    // After the cap: a name already there still takes its samples, and so do the client's health
    // counters (there from the start, not among the three); a new name, a histogram too, does not.
    assert.equal(await postTo(few, 'metrics', [metric('load_1', 10), metric('telemetry_retries_total', 1, { stream: 'logs' }), metric('checkout_ms', 100)]), 200);
    const at = Date.now();
    const otlp = otlpMetrics([
      { name: 'load_2', gauge: { dataPoints: [{ attributes: [str('board', 'main')], timeUnixNano: nanos(at), asDouble: 7 }] } },
      counter('searches_total', [sumPoint(1, [], at)]),
      histogram('render', 'ms', MS_BOUNDS, [120], [], at),
    ]);
    assert.equal((await sendValid('metrics', otlp, { to: few })).status, 200);

    const text = await (await fetch(few.url + '/api/metrics')).text();
    const s = samples(text);
    assert.deepEqual(
      ['load_0', 'load_1', 'load_2', 'load_2{board="main"}', 'telemetry_retries_total{stream="logs"}'].map((k) => s.get(k)),
      [0, 10, 2, 7, 1],
    );
    const names = new Set([...s.keys()].map((k) => /^[a-z_0-9]+/.exec(k)[0]));
    for (const dropped of ['load_3', 'load_4', 'load_5', 'checkout_seconds_count', 'searches_total', 'render_seconds_count']) assert.ok(!names.has(dropped), dropped);
    // load_3-5, checkout_ms, and the two OTLP points of new names.
    assert.equal(s.get('collector_metric_names_overflow_total'), 3 + 1 + 2);
    assert.equal((await (await fetch(few.url + '/api/summary')).json()).totals.ignored, 6);
    assert.deepEqual(promtool(text), { status: 0, output: '' });
    // The batches stay accepted: only the exposition misses those samples.
    assert.equal(few.state.metrics.length, 9);
  } finally {
    await few.close();
  }

  // MAX_METRIC_NAMES sets the default; startCollector's option wins over it.
  const saved = process.env.MAX_METRIC_NAMES;
  try {
    process.env.MAX_METRIC_NAMES = '1';
    const one = await startCollector();
    try {
      await postTo(one, 'metrics', [metric('a_total', 1), metric('b_total', 1)]);
      const s = samples(await (await fetch(one.url + '/api/metrics')).text());
      assert.deepEqual([s.get('a_total'), s.get('b_total'), s.get('collector_metric_names_overflow_total')], [1, undefined, 1]);
    } finally {
      await one.close();
    }
    const two = await startCollector({ maxMetricNames: 2 });
    try {
      await postTo(two, 'metrics', [metric('a_total', 1), metric('b_total', 1)]);
      assert.equal(samples(await (await fetch(two.url + '/api/metrics')).text()).get('b_total'), 1);
    } finally {
      await two.close();
    }
    process.env.MAX_METRIC_NAMES = '0';
    await assert.rejects(startCollector(), { name: 'RangeError', message: 'MAX_METRIC_NAMES must be a positive integer (got "0")' });
  } finally {
    if (saved === undefined) delete process.env.MAX_METRIC_NAMES;
    else process.env.MAX_METRIC_NAMES = saved;
  }
});

test('a label value is at most MAX_LABEL_VALUE characters, cut with a marker, by both roads and on the dashboard', async () => {
  const long = 'x'.repeat(10_000);
  const emoji = '\u{1F600}'.repeat(300); // 600 UTF-16 units: a cut must not split one in halves
  const exact = 'y'.repeat(MAX_LABEL_VALUE);
  assert.equal(
    await postTo(server, 'metrics', [
      metric('jobs_open', 1, { query: long }),
      metric('jobs_open', 2, { query: long + 'z' }), // alike in the first 255: the same series
      metric('jobs_open', 3, { query: emoji }),
      metric('jobs_open', 4, { query: exact }),
      metric('frontend_errors_total', 1, { error_type: long, component: 'JobCard' }),
    ]),
    200,
  );
  const at = Date.now();
  assert.equal((await sendValid('metrics', otlpMetrics([counter('searches_total', [sumPoint(1, [str('query', long)], at)])]))).status, 200);

  const text = await (await fetch(server.url + '/api/metrics')).text();
  assert.ok(!text.includes('\uFFFD'), 'valid UTF-8: no character was split');
  const s = samples(text);
  const cut = (value) => Array.from(value).slice(0, MAX_LABEL_VALUE - 1).join('') + '…';
  assert.deepEqual(
    [
      `jobs_open{query="${cut(long)}"}`,
      `jobs_open{query="${cut(emoji)}"}`,
      `jobs_open{query="${exact}"}`,
      `frontend_errors_total{component="JobCard",error_type="${cut(long)}"}`,
      `searches_total{query="${cut(long)}"}`,
    ].map((k) => s.get(k)),
    [2, 3, 4, 1, 1],
  );
  for (const key of s.keys()) {
    for (const [, value] of key.matchAll(/="((?:[^"\\]|\\.)*)"/g)) assert.ok(Array.from(value).length <= MAX_LABEL_VALUE, key.slice(0, 80));
  }
  assert.deepEqual(promtool(text), { status: 0, output: '' });
  // The dashboard counts errors by the same cut value.
  assert.deepEqual((await summaryNow()).errors.byType, [{ type: cut(long), count: 1 }]);
});

test('a sample prom-client refuses takes no place: no series under the cap, none made up at the next rebuild', async () => {
  const prom = new Prometheus({ maxSeriesPerMetric: 3 });
  const open = (board, value, labels = {}) => ({ name: 'jobs_open', value, labels: { board, ...labels }, timestamp: T0 });
  prom.add([open('a', 1)]);
  const family = prom.families.get('jobs_open');
  // prom-client refuses the next sample (as it refuses a label or value it does not take).
  family.metric.set = () => {
    throw new Error('refused');
  };
  prom.add([open('b', 2)]);
  delete family.metric.set;
  assert.equal(prom.ignored, 1);
  // b holds no place: a, c and d are the three series; d, with a label name of its own, makes
  // the metric be created again with its series put back, and b was never one of them.
  prom.add([open('c', 3), open('d', 4, { region: 'eu' })]);
  const s = samples((await prom.exposition()).text);
  assert.deepEqual(
    [...s].filter(([k]) => k.startsWith('jobs_open')),
    [
      ['jobs_open{board="a"}', 1],
      ['jobs_open{board="c"}', 3],
      ['jobs_open{board="d",region="eu"}', 4],
    ],
  );
  assert.equal(s.get('collector_series_overflow_total{metric="jobs_open"}'), undefined);
});

test('a fresh collector exposes the client\'s health counters at 0, for every stream and reason the client reports', async () => {
  // The client's own names, read from its source: every stream (Kind::name) and drop reason
  // (Drop::reason) it labels its counts with must have its series.
  const source = (file) => readFile(new URL(`../src/core/src/${file}`, import.meta.url), 'utf8');
  const streams = [...(await source('stream.rs')).matchAll(/Kind::\w+ => "(\w+)"/g)].map((m) => m[1]);
  const reasons = [...(await source('batch.rs')).matchAll(/Drop::\w+ => "(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(streams, CLIENT_STREAMS);
  assert.ok(reasons.length >= 6 && reasons.every((r) => DROP_REASONS.includes(r)), `${reasons} among ${DROP_REASONS}`);
  // The reason the client gains in the same change set (its beforeSend hook's drops), here
  // whether or not batch.rs names it yet.
  assert.ok(DROP_REASONS.includes('before_send'));

  const text = await (await fetch(server.url + '/api/metrics')).text();
  const s = samples(text);
  const expected = new Map();
  for (const stream of CLIENT_STREAMS) {
    for (const reason of DROP_REASONS) expected.set(`telemetry_events_dropped_total{reason="${reason}",stream="${stream}"}`, 0);
    expected.set(`telemetry_retries_total{stream="${stream}"}`, 0);
  }
  // Calls made before the module loaded only ever overflow the JS shell's buffer.
  expected.set('telemetry_events_dropped_total{reason="buffer_full_events",stream="early"}', 0);
  // The collector's own count of samples dropped by MAX_METRIC_NAMES (it has no label).
  expected.set('collector_metric_names_overflow_total', 0);
  assert.deepEqual(s, expected, 'exactly these series, all at 0');
  assert.match(text, /^# TYPE collector_series_overflow_total counter$/m);
  assert.deepEqual(promtool(text), { status: 0, output: '' });

  // A report adds to its series; the others stay at 0, and a reset brings them all back.
  await post('metrics', { metrics: [metric('telemetry_events_dropped_total', 3, { stream: 'otlp_logs', reason: 'rejected' }), metric('telemetry_retries_total', 2, { stream: 'otlp_traces' })] });
  const after = samples(await (await fetch(server.url + '/api/metrics')).text());
  assert.equal(after.get('telemetry_events_dropped_total{reason="rejected",stream="otlp_logs"}'), 3);
  assert.equal(after.get('telemetry_retries_total{stream="otlp_traces"}'), 2);
  assert.equal(after.get('telemetry_events_dropped_total{reason="rejected",stream="logs"}'), 0);
  assert.equal(after.size, expected.size);
  server.reset();
  assert.deepEqual(samples(await (await fetch(server.url + '/api/metrics')).text()), expected);
  // The cap does not take them away: they are the collector's from the start.
  const tiny = await startCollector({ maxSeriesPerMetric: 3 });
  try {
    await postTo(tiny, 'metrics', [metric('telemetry_events_dropped_total', 1, { stream: 'metrics', reason: 'retries_exhausted' })]);
    const s3 = samples(await (await fetch(tiny.url + '/api/metrics')).text());
    assert.equal(s3.get('telemetry_events_dropped_total{reason="retries_exhausted",stream="metrics"}'), 1);
    assert.equal(s3.size, expected.size);
  } finally {
    await tiny.close();
  }
});

test('the lists kept in memory hold the newest events, and the totals count them all', async () => {
  const few = await startCollector({ recent: 5 });
  try {
    for (let b = 0; b < 3; b++) await postTo(few, 'metrics', Array.from({ length: 4 }, (_, i) => metric('a_total', 1, { n: String(b * 4 + i) })));
    await postTo(few, 'logs', Array.from({ length: 7 }, (_, i) => log(`log ${i}`)));
    assert.deepEqual(few.state.metrics.map((m) => m.labels.n), ['7', '8', '9', '10', '11']);
    assert.deepEqual(few.state.logs.map((l) => l.message), ['log 2', 'log 3', 'log 4', 'log 5', 'log 6']);
    for (let i = 0; i < 4; i++) await sendValid('logs', otlpLogs([logRecord(Date.now(), 9, 'INFO', `otlp ${i}`, [])]), { to: few });
    assert.equal(few.state.requests.length, 5);
    const received = await (await fetch(few.url + '/api/received')).json();
    assert.deepEqual(received.totals, { metrics: 12, logs: 7, requests: 8, duplicates: 0 });
    const summary = await (await fetch(few.url + '/api/summary')).json();
    assert.deepEqual([summary.totals.metrics, summary.totals.logs, summary.totals.requests], [12, 7 + 4, 8]);
  } finally {
    await few.close();
  }
  // Dedupe keys and attempts: the newest, a key set again counting as new.
  const keys = new BoundedSet(3);
  for (const k of ['a', 'b', 'c', 'd']) keys.add(k);
  assert.deepEqual([...keys], ['b', 'c', 'd']);
  const attempts = new BoundedMap(3);
  for (const k of ['a', 'b', 'c', 'a', 'd']) attempts.set(k, (attempts.get(k) ?? 0) + 1);
  assert.deepEqual([...attempts], [['c', 1], ['a', 2], ['d', 1]]);
});

test('memory stays flat however many values arrive, by both roads: histograms are buckets, every list is bounded', async (t) => {
  const gc = globalThis.gc ?? (setFlagsFromString('--expose-gc'), runInNewContext('gc'));
  const heapUsed = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  // Small lists of recent events and requests, so that a short warm-up fills them (the 40
  // batches before the first measure); their default size is only a larger constant.
  const mem = await startCollector({ recent: 20 });
  try {
    let n = 0;
    // Per event: a page view of its own user and page, an API call's duration on an endpoint of
    // its own id, and an LCP: two histogram observations in three events.
    const batch = () =>
      Array.from({ length: 999 }, (_, k) => {
        const i = n + Math.floor(k / 3);
        if (k % 3 === 0) return metric('page_views_total', 1, { page: `/jobs/${i}`, user_id: `u-${i}` });
        if (k % 3 === 1) return metric('api_call_duration_ms', 50 + (i % 3000), { endpoint: `/api/jobs/${i}?q=x`, method: 'GET' });
        return metric('largest_contentful_paint_ms', 800 + (i % 4000), { rating: 'good' });
      });
    // And by OTLP: histogram points of PER_POINT durations each, every point of its own endpoint
    // id and user, as a client aggregating for a minute would send them.
    const POINTS = 100;
    const PER_POINT = 50;
    const otlpBatch = () => {
      const at = Date.now();
      return otlpMetrics(
        Array.from({ length: POINTS }, (_, k) => {
          const i = n + k;
          const values = Array.from({ length: PER_POINT }, (_, v) => 20 + ((i * 7 + v * 131) % 5000));
          return histogram('api_call_duration_ms', 'ms', MS_BOUNDS, values, [str('endpoint', `/api/jobs/${i}?q=x`), str('method', 'GET'), str('user_id', `u-${i}`)], at);
        }),
      );
    };
    // Four seed batches and one OTLP request at a time.
    const send = async (batches) => {
      for (let b = 0; b < batches; b += 4) {
        await Promise.all([
          ...[0, 1, 2, 3].map(() => postTo(mem, 'metrics', batch()).then((status) => assert.equal(status, 200))),
          postOtlp('metrics', otlpBatch(), { to: mem }).then((res) => assert.equal(res.status, 200)),
        ]);
        n += 333 * 4;
      }
    };
    const count = (name) => samples(text).get(`${name}_count${name === 'api_call_duration_seconds' ? '{endpoint="/api/jobs/:id",method="GET"}' : '{rating="good"}'}`);
    await send(40);
    const before = heapUsed();
    let text = await (await fetch(mem.url + '/api/metrics')).text();
    const first = [count('api_call_duration_seconds'), count('largest_contentful_paint_seconds')];
    const BATCHES = 400;
    await send(BATCHES);
    const grown = heapUsed() - before;
    text = await (await fetch(mem.url + '/api/metrics')).text();
    // Every value arrived and was counted: 333 API durations and 333 LCPs per seed batch, and
    // POINTS × PER_POINT durations per OTLP request (one per four seed batches).
    const seedValues = BATCHES * 333;
    const otlpValues = (BATCHES / 4) * POINTS * PER_POINT;
    assert.deepEqual([count('api_call_duration_seconds') - first[0], count('largest_contentful_paint_seconds') - first[1]], [seedValues + otlpValues, seedValues]);
    // Keeping the values would cost at least 8 bytes each (a packed array of doubles, the least
    // any list of them takes); the heap must grow by less than a quarter of that, which only
    // buckets can do. It is measured, not a fixed size, so that more values make a stricter test.
    const kept = (2 * seedValues + otlpValues) * 8;
    t.diagnostic(`heap grew by ${(grown / 1024).toFixed(0)} KiB; keeping the ${2 * seedValues + otlpValues} values would take ${(kept / 1024).toFixed(0)} KiB`);
    assert.ok(grown < kept / 4, `the heap grew by ${(grown / 1024).toFixed(0)} KiB, a quarter of keeping the values is ${(kept / 4 / 1024).toFixed(0)} KiB`);
    assert.deepEqual([mem.state.metrics.length, mem.state.otlp.metrics.length, mem.state.requests.length], [20, 20, 20]);
  } finally {
    await mem.close();
  }
});

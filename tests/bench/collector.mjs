// The demo collector's bounds, measured (#21): series in /api/metrics and the process's memory
// on a fresh collector and after many events, with a checkpoint every quarter of the way.
//
//   node --expose-gc tests/bench/collector.mjs [--events 100000] [--collector www/collector.mjs]
//
// The events are a mix a busy site would send: the seed's metrics in batches of 10 (the
// client's default) from distinct users, pages (/jobs/N) and endpoints (/api/jobs/N?q=x), with
// Web Vitals and the client's health counters; log entries in batches of 50, each with its user
// and session; and OTLP batches of 100: sums and histogram points (distinct pages and
// endpoints, user and session as attributes), log records and spans. 70% seed metrics, 20%
// seed logs, 10% OTLP. Eight requests are under way at a time, each with its own
// Idempotency-Key, and log entries go to an NDJSON file in a temporary folder, as in the demo.
//
// Memory is the heap used after two full garbage collections (what the collector holds), the
// heap V8 has reserved for it, and the resident set (what the process costs: the reserved heap,
// code and buffers together; memory freed inside it is not always given back to the system). `--collector`
// names another collector.mjs to measure the same way (e.g. an older one, for comparison).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc, so that memory is measured after a full collection');
  process.exit(2);
}
const { values: args } = parseArgs({ options: { events: { type: 'string', default: '100000' }, collector: { type: 'string' } } });
const EVENTS = Number(args.events);
const collectorFile = args.collector ? resolve(args.collector) : new URL('../../www/collector.mjs', import.meta.url);
const { startCollector } = await import(collectorFile instanceof URL ? collectorFile.href : pathToFileURL(collectorFile).href);

const CONCURRENCY = 8;
const VITALS = [['largest_contentful_paint_ms', 2500], ['interaction_to_next_paint_ms', 200], ['cumulative_layout_shift', 0.1]];

const dir = await mkdtemp(join(tmpdir(), 'collector-bench-'));
const collector = await startCollector({ logFile: join(dir, 'logs.ndjson') });

let keys = 0;
async function post(path, body) {
  const res = await fetch(collector.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `bench-${++keys}` }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
}

// ---- the events: event number i makes the same thing whatever the run ----

const now = () => Date.now();
const user = (i) => `u-${i % 50000}`;
function seedMetric(i) {
  switch (i % 10) {
    case 0:
    case 1:
      return { name: 'page_views_total', value: 1, labels: { page: `/jobs/${i}`, user_id: user(i) }, timestamp: now() };
    case 2:
      return { name: 'user_actions_total', value: 1, labels: { action: 'apply', component: 'JobCard', user_id: user(i) }, timestamp: now() };
    case 3:
    case 4:
      return { name: 'api_calls_total', value: 1, labels: { endpoint: `/api/jobs/${i}?q=x`, method: 'GET', status: i % 7 ? '200' : '503' }, timestamp: now() };
    case 5:
    case 6:
      return { name: 'api_call_duration_ms', value: 20 + (i % 2000), labels: { endpoint: `/api/jobs/${i}?q=x`, method: 'GET' }, timestamp: now() };
    case 7: {
      const [name, good] = VITALS[i % VITALS.length];
      const value = (good * (i % 30)) / 10;
      return { name, value, labels: { rating: value <= good ? 'good' : 'poor', navigation_type: 'navigate' }, timestamp: now() };
    }
    case 8:
      return { name: 'frontend_errors_total', value: 1, labels: { error_type: ['TypeError', 'RangeError'][i % 2], component: 'global', user_id: user(i) }, timestamp: now() };
    default:
      return i % 100 === 9
        ? { name: 'telemetry_retries_total', value: 1, labels: { stream: 'metrics' }, timestamp: now() }
        : { name: 'cv_pages', value: i % 9, labels: { format: 'pdf' }, timestamp: now() };
  }
}
const seedLog = (i) => ({
  timestamp: new Date().toISOString(),
  level: ['info', 'info', 'warn', 'error'][i % 4],
  message: `job ${i} viewed`,
  service: 'recoloca-frontend',
  version: '1.0.0',
  context: { component: 'JobsPage', jobId: `job-${i}` },
  user_id: user(i),
  session_id: `s-${i % 20000}`,
});

const nanos = (ms) => (BigInt(ms) * 1_000_000n).toString();
const str = (key, value) => ({ key, value: { stringValue: value } });
const resource = (i) => ({ attributes: [str('service.name', 'recoloca-frontend'), str('session.id', `s-${i}`)] });
const scope = { name: '@recoloca/telemetry', version: '0.1.0' };
const BOUNDS = [10, 25, 50, 100, 200, 300, 500, 800, 1000, 1800, 2500, 3000, 4000, 6000, 10000, 20000, 30000, 60000];
function otlpBody(kind, from, n) {
  const at = now();
  const ids = Array.from({ length: n }, (_, k) => from + k);
  if (kind === 'metrics') {
    const who = (i) => [str('user_id', user(i)), str('session.id', `s-${i}`)];
    const half = ids.slice(0, n >> 1);
    const rest = ids.slice(n >> 1);
    const counts = (i) => BOUNDS.map((_, b) => (b === i % BOUNDS.length ? '1' : '0')).concat('0');
    const metrics = [
      { name: 'page_views_total', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: half.map((i) => ({ attributes: [str('page', `/jobs/${i}`), ...who(i)], startTimeUnixNano: nanos(at - 5000), timeUnixNano: nanos(at), asDouble: 1 })) } },
      {
        name: 'api_call_duration_ms',
        unit: 'ms',
        histogram: {
          aggregationTemporality: 1,
          dataPoints: rest.map((i) => ({ attributes: [str('endpoint', `/api/jobs/${i}?q=x`), str('method', 'GET'), ...who(i)], startTimeUnixNano: nanos(at - 5000), timeUnixNano: nanos(at), count: '1', sum: BOUNDS[i % BOUNDS.length], bucketCounts: counts(i), explicitBounds: BOUNDS })),
        },
      },
    ];
    return { resourceMetrics: [{ resource: resource(from), scopeMetrics: [{ scope, metrics }] }] };
  }
  if (kind === 'logs') {
    const logRecords = ids.map((i) => ({ timeUnixNano: nanos(at), observedTimeUnixNano: nanos(at), severityNumber: 9, severityText: 'INFO', body: { stringValue: `otlp ${i}` }, attributes: [str('user.id', user(i))] }));
    return { resourceLogs: [{ resource: resource(from), scopeLogs: [{ scope, logRecords }] }] };
  }
  const hex = (i, digits) => (i + 1).toString(16).padStart(digits, '0');
  const spans = ids.map((i) => ({
    traceId: hex(i, 32),
    spanId: hex(i, 16),
    name: 'HTTP GET',
    kind: 3,
    startTimeUnixNano: nanos(at - 200),
    endTimeUnixNano: nanos(at - 200 + (i % 900)),
    attributes: [str('url.full', `https://app.example/api/jobs/${i}`), { key: 'http.response.status_code', value: { intValue: '200' } }],
    status: {},
  }));
  return { resourceSpans: [{ resource: resource(from), scopeSpans: [{ scope, spans }] }] };
}

/** The requests that carry events [from, to) of the run, in order. */
function requests(from, to) {
  const out = [];
  // Per 1000 events: 700 seed metrics (70 batches of 10), 200 log entries (4 of 50), and 100
  // OTLP items (one batch of 100, by turns metrics, logs, spans).
  for (let block = from; block < to; block += 1000) {
    for (let b = 0; b < 70; b++) out.push(['/api/metrics', () => ({ metrics: Array.from({ length: 10 }, (_, k) => seedMetric(block + b * 10 + k)) })]);
    for (let b = 0; b < 4; b++) out.push(['/api/logs', () => ({ logs: Array.from({ length: 50 }, (_, k) => seedLog(block + 700 + b * 50 + k)) })]);
    const kind = ['metrics', 'logs', 'traces'][(block / 1000) % 3];
    out.push([`/v1/${kind}`, () => otlpBody(kind, block + 900, 100)]);
  }
  return out;
}

async function send(from, to) {
  const queue = requests(from, to);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let next; (next = queue.shift()); ) await post(next[0], next[1]());
    }),
  );
}

// ---- what is measured ----

async function measure(events) {
  gc();
  gc();
  const { heapUsed, heapTotal, rss } = process.memoryUsage();
  const text = await (await fetch(collector.url + '/api/metrics')).text();
  const histograms = new Set([...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]));
  let samples = 0;
  const series = new Set();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    samples++;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*?)(_bucket|_sum|_count)?(\{.*\})? \S+$/.exec(line);
    const family = m[2] && histograms.has(m[1]) ? m[1] : m[1] + (m[2] ?? '');
    series.add(family + (m[3] ?? '').replace(/,?le="[^"]*"/, ''));
  }
  const mib = (n) => (n / 1048576).toFixed(1);
  return { events, samples, series: series.size, expositionKiB: (text.length / 1024).toFixed(0), heapMiB: mib(heapUsed), heapTotalMiB: mib(heapTotal), rssMiB: mib(rss), userId: /user_id|session_id/.test(text) };
}

const rows = [await measure(0)];
const step = Math.max(1000, Math.round(EVENTS / 4 / 1000) * 1000);
const started = performance.now();
for (let done = 0; done < EVENTS; ) {
  const next = Math.min(EVENTS, done + step);
  await send(done, next);
  done = next;
  rows.push(await measure(done));
}
const seconds = (performance.now() - started) / 1000;
console.table(rows);
const received = await (await fetch(collector.url + '/api/received')).json();
console.log(`${EVENTS} events in ${keys} requests, ${seconds.toFixed(1)} s; totals ${JSON.stringify(received.totals)}; kept in memory: ${collector.state.metrics.length} metrics, ${collector.state.logs.length} logs, ${collector.state.requests.length} requests`);
await collector.close();
await rm(dir, { recursive: true, force: true });

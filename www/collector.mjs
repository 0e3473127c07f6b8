// The collector: receives what @recoloca/telemetry POSTs to /api/metrics and /api/logs,
// validates it (collector/validate.mjs), keeps the newest of it in memory (deduped by
// Idempotency-Key; every list bounded, see RECENT), appends every log entry to an NDJSON
// file for Filebeat, aggregates the metrics for Prometheus
// (collector/prometheus.mjs) and for the live dashboard (collector/summary.mjs), answers the
// demo app's API calls (collector/demo-api.mjs) and serves static files (the demo, the
// package). `make demo` runs it through server.mjs; the tests start it in-process and script
// its answers.
//
// It also takes OpenTelemetry's wire format, OTLP/HTTP with JSON bodies (collector/otlp.mjs),
// from pages on other origins (collector/cors.mjs); those data go to the same Prometheus
// exposition and dashboard, and are kept in `state.otlp`; so are spans, of which the dashboard
// lists the slowest browser requests.
//
// The demo backend logs each request it answers, with the trace id of its `traceparent` header,
// to the same NDJSON file (and `state.serverLog`): a slow request on the dashboard can be
// followed into the server's log.
//
//   POST /api/metrics, /api/logs   the package's batches: 200, or 400 / 413 / 415 with {error}
//   POST /v1/metrics, /v1/logs,    OTLP/HTTP JSON: 200 {"partialSuccess":{}}, or 400 / 413 / 415
//        /v1/traces                with {error}; OPTIONS answers the CORS preflight
//   GET  /api/metrics              Prometheus text exposition
//   GET  /api/summary              what the dashboard shows
//   GET  /api/received             the newest events as received, and totals (collector view)
//   GET, POST /api/demo/*          the demo's slow, unreliable backend
//   GET, POST /api/outage          the outage switch: POST {seconds} makes the telemetry
//                                  endpoints answer 503 for that long (collector/outage.mjs);
//                                  400 / 415 with {error}, as the endpoints
import { createServer } from 'node:http';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { isJsonType, validateBatch } from './collector/validate.mjs';
import { readOtlp } from './collector/otlp.mjs';
import { corsHeaders, preflightHeaders } from './collector/cors.mjs';
import { DEFAULT_MAX_NAMES, DEFAULT_MAX_SERIES, Prometheus } from './collector/prometheus.mjs';
import { BoundedMap, BoundedSet, keepNewest } from './collector/bounded.mjs';
import { Summary } from './collector/summary.mjs';
import { demoApi } from './collector/demo-api.mjs';
import { Outage, RETRY_AFTER_SECONDS, readOutageRequest } from './collector/outage.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8',
};
const MAX_BODY = 1 << 20;
// A body over MAX_BODY is still read to its end (and dropped) so that the client gets its 413
// rather than a reset while it is sending; past this much it is cut off.
const MAX_DRAIN = 16 << 20;
const STREAMS = { '/api/metrics': 'metrics', '/api/logs': 'logs' };
const OTLP_KINDS = { '/v1/metrics': 'metrics', '/v1/logs': 'logs', '/v1/traces': 'traces' }; // stream: `otlp_${kind}`
const OTLP_STORES = { metrics: 'metrics', logs: 'logs', traces: 'spans' }; // kind -> its list in state.otlp
const SERVER_LOG = 500; // the demo backend's newest log lines kept in memory
// What the collector keeps in memory is bounded, so that it can run for days. The newest RECENT
// (startCollector's `recent`) events of each list (state.metrics, state.logs, state.otlp.*),
// requests (state.requests, whose bodies are also held to REQUEST_CHARS characters in all) and
// preflights: far more than a test or the collector view looks at; some 60 MB with the demo's
// batches (tests/bench/collector.mjs). The totals count everything.
const RECENT = 10_000;
const REQUEST_CHARS = 64 << 20;
// Idempotency keys remembered for dedupe: the newest DEDUPE_KEYS batches' (about 20 MB, with the
// attempts counted per key). The client retries a batch within minutes, but a batch kept in
// localStorage comes back at the page's next visit, maybe days later; if more than DEDUPE_KEYS
// batches arrived meanwhile and its first copy had been taken (the answer lost), it is stored
// twice. A bigger number moves that horizon, it cannot remove it; a collector that must never
// double-count needs a store of keys with a time to live (a database), not process memory.
const DEDUPE_KEYS = 100_000;

/** The environment variable `name` (MAX_SERIES_PER_METRIC, MAX_METRIC_NAMES), or `fallback`
 *  when it is unset or empty; a RangeError when it is set to anything but a positive integer. */
function capFromEnv(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^[1-9]\d*$/.test(text)) throw new RangeError(`${name} must be a positive integer (got ${JSON.stringify(text)})`);
  return Number(text);
}

/**
 * Starts a collector.
 * @param {object} opts
 * @param {number} [opts.port] 0 for any free port
 * @param {string} [opts.host]
 * @param {Record<string,string>} [opts.mounts] URL prefix -> directory to serve
 * @param {(req: {stream: string, key: string|null, attempt: number, body: string|null, url: string,
 *   headers: object}) => number|'reset'|'hang'|{status: number|'reset'|'hang', body?: object|string,
 *   headers?: object}} [opts.respond]
 *   scripted answers for fault injection; the default accepts everything. `stream` is 'metrics',
 *   'logs', 'otlp_metrics', 'otlp_logs' or 'otlp_traces'. Any status but 200 is answered as
 *   scripted, the batch untouched; 200 takes the batch as usual. On /v1/* a scripted `body`
 *   replaces the answer's (e.g. a partialSuccess), scripted `headers` are added (e.g.
 *   Retry-After) and so are CORS's.
 * @param {string} [opts.logFile] append every accepted log entry to this file, one JSON per line,
 *   and the demo backend's line for each request it answers
 * @param {object} [opts.demo] latency and failure rate of /api/demo/* (see collector/demo-api.mjs)
 * @param {(url: string) => Record<string,string>|undefined} [opts.pageHeaders] headers added to
 *   a static file's answer (by request URL, query included), e.g. a Content-Security-Policy, or
 *   a Cache-Control other than `no-store` for a page that must be able to enter the
 *   back/forward cache
 * @param {number} [opts.maxSeriesPerMetric] series per metric name in /api/metrics before the
 *   overflow series (collector/prometheus.mjs); default MAX_SERIES_PER_METRIC, else 1000
 * @param {number} [opts.maxMetricNames] metric names from the browsers in /api/metrics; samples
 *   of any further name are dropped and counted; default MAX_METRIC_NAMES, else 500
 * @param {number} [opts.recent] events, requests and preflights kept in memory, the newest of
 *   each list (default RECENT, 10,000)
 */
export async function startCollector({
  port = 0,
  host = '127.0.0.1',
  mounts = {},
  respond,
  logFile,
  demo,
  pageHeaders,
  maxSeriesPerMetric = capFromEnv('MAX_SERIES_PER_METRIC', DEFAULT_MAX_SERIES),
  maxMetricNames = capFromEnv('MAX_METRIC_NAMES', DEFAULT_MAX_NAMES),
  recent = RECENT,
} = {}) {
  const state = {
    recent,
    /** The newest `recent` events accepted, per stream, in arrival order (after dedupe). */
    metrics: [],
    logs: [],
    /** The newest `recent` requests that reached an endpoint: {stream, key, status, body, type,
     *  url, headers, at}. `status` is the scripted one ('reset', 'hang' or a number) on /api/*,
     *  the one answered on /v1/*. `requestChars` is the length of their bodies together. */
    requests: [],
    requestChars: 0,
    /** Everything accepted since the start (or reset): events of the seed's streams, and
     *  requests that reached an endpoint. */
    totals: { metrics: 0, logs: 0, requests: 0 },
    /** What the OTLP endpoints accepted, the newest `recent` of each, flat (collector/otlp.mjs):
     *  data points {name, kind, unit, attributes, value | count, sum, bucketCounts, explicitBounds, min, max,
     *  startTimeUnixNano, timeUnixNano, resource, scope} and log records {timeUnixNano,
     *  observedTimeUnixNano, severityNumber, severityText, body, attributes, resource, scope}
     *  and spans {traceId, spanId, parentSpanId (null for a root), name, kind,
     *  startTimeUnixNano, endTimeUnixNano, durationMs, attributes, status: {code, message?},
     *  events: [{name, timeUnixNano, attributes?}], links?, resource, scope}. */
    otlp: { metrics: [], logs: [], spans: [] },
    /** The demo backend's newest log lines (SERVER_LOG of them), oldest first: {timestamp,
     *  level, service: 'recoloca-demo-api', message, http_method, url_path, http_status,
     *  duration_ms, trace_id?, span_id?, trace_flags?} (collector/demo-api.mjs). */
    serverLog: [],
    /** The newest `recent` CORS preflights of /v1/*: {path, origin, method, headers, at}. */
    preflights: [],
    duplicates: 0,
    /** Idempotency keys of the batches taken (the newest DEDUPE_KEYS), and attempts per key. */
    seenKeys: new BoundedSet(DEDUPE_KEYS),
    attempts: new BoundedMap(DEDUPE_KEYS),
    respond,
    prometheus: new Prometheus({ maxSeriesPerMetric, maxMetricNames }),
    summary: new Summary(),
    demo: null,
    /** The outage switch: while it is on, the telemetry endpoints answer 503. */
    outage: new Outage(),
    logFile: logFile ? resolve(logFile) : null,
    // Appends run one after another, so the file keeps the order in which batches were accepted.
    writes: Promise.resolve(),
  };
  state.demo = demoApi(demo, { log: (line) => logServerLine(state, line) });
  if (state.logFile) await mkdir(dirname(state.logFile), { recursive: true });

  const server = createServer((req, res) => {
    handle(req, res, state, mounts, pageHeaders).catch((err) => {
      if (res.headersSent) return res.destroy();
      const cors = req.url.startsWith('/v1/') ? corsHeaders(req) : {};
      res.writeHead(500, { 'Content-Type': 'text/plain', ...cors });
      res.end(String(err && err.message));
    });
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const address = server.address();
  const url = `http://${host}:${address.port}`;
  return {
    url,
    state,
    /** Bodies received (raw text), per stream, in arrival order, rejected attempts included
     *  (those of the newest `recent` requests). */
    bodies(stream) {
      return state.requests.filter((r) => r.stream === stream).map((r) => r.body);
    },
    reset() {
      state.metrics.length = 0;
      state.logs.length = 0;
      state.requests.length = 0;
      state.requestChars = 0;
      state.totals = { metrics: 0, logs: 0, requests: 0 };
      state.otlp.metrics.length = 0;
      state.otlp.logs.length = 0;
      state.otlp.spans.length = 0;
      state.serverLog.length = 0;
      state.preflights.length = 0;
      state.duplicates = 0;
      state.seenKeys.clear();
      state.attempts.clear();
      state.prometheus.reset();
      state.summary.reset();
      state.outage.reset();
    },
    async close() {
      state.demo.close();
      server.closeAllConnections?.();
      await new Promise((ok) => server.close(ok));
      await state.writes;
    },
  };
}

async function handle(req, res, state, mounts, pageHeaders) {
  const path = new URL(req.url, 'http://x').pathname;
  // During an outage a batch is refused before anything else looks at it; preflights and the
  // other paths go on (collector/outage.mjs says why).
  const intake = STREAMS[path] ?? (OTLP_KINDS[path] && `otlp_${OTLP_KINDS[path]}`);
  if (intake && req.method === 'POST' && state.outage.active()) return unavailable(req, res, state, intake, path);
  if (path === '/api/outage') return outageSwitch(req, res, state);
  if (path.startsWith('/v1/')) return otlpEndpoint(req, res, state, path);
  const stream = STREAMS[path];
  if (stream && req.method === 'POST') return receive(req, res, state, stream);
  if (path === '/api/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
    const { contentType, text } = await state.prometheus.exposition();
    res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
    return res.end(req.method === 'HEAD' ? undefined : text);
  }
  if (stream) return res.writeHead(405, { Allow: path === '/api/metrics' ? 'GET, HEAD, POST' : 'POST' }).end();
  if (path === '/api/summary' && req.method === 'GET') return json(res, 200, { ...state.summary.snapshot(state), outage: state.outage.view() });
  if (path.startsWith('/api/demo/')) return state.demo.handle(req, res, path);
  if (path === '/api/received' && req.method === 'GET') {
    return json(res, 200, {
      metrics: state.metrics.slice(-500),
      logs: state.logs.slice(-200),
      otlp: { metrics: state.otlp.metrics.slice(-500), logs: state.otlp.logs.slice(-200), spans: state.otlp.spans.slice(-200) },
      serverLog: state.serverLog.slice(-200),
      totals: { ...state.totals, duplicates: state.duplicates },
    });
  }
  if (path === '/favicon.ico') return res.writeHead(204).end();
  if (req.method === 'GET' || req.method === 'HEAD') return serveStatic(req, res, path, mounts, pageHeaders?.(req.url));
  res.writeHead(405).end();
}

/** Answers `value` as JSON (a string is taken as JSON text already). */
function json(res, status, value, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(typeof value === 'string' ? value : JSON.stringify(value));
}

/** GET /api/outage: the switch's state; POST {seconds}: an outage of that long (0 ends it). */
async function outageSwitch(req, res, state) {
  if (req.method === 'GET') return json(res, 200, state.outage.view());
  if (req.method !== 'POST') return res.writeHead(405, { Allow: 'GET, POST' }).end();
  const body = await readBody(req);
  // JSON only, as on the telemetry endpoints, and here it matters more: a page of any site can
  // POST a text/plain form or fetch() to this address without a preflight, and with the body
  // `{"seconds": 600}` it would switch the outage on. A JSON Content-Type cannot be sent across
  // sites without a CORS preflight, which this path refuses (405, without CORS headers).
  if (!isJsonType(req.headers['content-type'])) {
    return json(res, 415, { error: `Content-Type must be application/json (got ${JSON.stringify(req.headers['content-type'] ?? null)})` });
  }
  const read = readOutageRequest(body);
  if (read.error) return json(res, 400, { error: read.error });
  state.outage.set(read.seconds);
  return json(res, 200, state.outage.view());
}

/** A batch that arrived during an outage: 503 with Retry-After, and CORS's headers on /v1/*
 *  so that a page of another origin can read both. The body is read first, so that the page
 *  gets its answer rather than a connection closed while it was still sending. */
async function unavailable(req, res, state, stream, path) {
  await readBody(req);
  state.outage.refuse(stream);
  const cors = path.startsWith('/v1/') ? corsHeaders(req) : {};
  const error = `collector outage (the demo's switch): retry after ${RETRY_AFTER_SECONDS} s`;
  return json(res, 503, { error }, { ...cors, 'Retry-After': String(RETRY_AFTER_SECONDS) });
}

/** The body as text, or null when it is over MAX_BODY. */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_DRAIN) {
      req.socket.destroy();
      return null;
    }
    if (size <= MAX_BODY) chunks.push(chunk);
  }
  return size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8');
}

/** The batch's idempotency key. Beacons cannot carry headers: theirs comes in the query string. */
const idempotencyKey = (req) => req.headers['idempotency-key'] || new URL(req.url, 'http://x').searchParams.get('idempotency_key') || null;

/** Keeps `record` among the newest requests: `recent` of them, REQUEST_CHARS of bodies. */
function keepRequest(state, record) {
  state.totals.requests++;
  state.requests.push(record);
  state.requestChars += record.body?.length ?? 0;
  while (state.requests.length > state.recent || (state.requestChars > REQUEST_CHARS && state.requests.length > 1)) {
    state.requestChars -= state.requests.shift().body?.length ?? 0;
  }
}

function nextAttempt(state, key) {
  const attempt = (state.attempts.get(key) || 0) + 1;
  state.attempts.set(key, attempt);
  return attempt;
}

async function receive(req, res, state, stream) {
  const body = await readBody(req);
  const key = idempotencyKey(req);
  const attempt = nextAttempt(state, key);
  state.summary.request('seed');
  let scripted = state.respond ? state.respond({ stream, key, attempt, body, url: req.url, headers: req.headers }) : 200;
  let headers = {};
  if (scripted && typeof scripted === 'object') ({ status: scripted, headers = {} } = scripted);
  keepRequest(state, { stream, key, status: scripted, body, type: req.headers['content-type'], url: req.url, headers: { ...req.headers }, at: Date.now() });
  if (scripted === 'reset') return req.socket.destroy();
  if (scripted === 'hang') return; // never answer
  if (body === null) return refuse(res, state, 413, 'body over 1 MiB');
  if (scripted !== 200) {
    res.writeHead(scripted, { 'Content-Type': 'application/json', ...headers });
    return res.end(JSON.stringify({ error: 'scripted failure' }));
  }
  // The type is checked before the body is parsed: a form or text body is refused as such.
  if (!isJsonType(req.headers['content-type'])) {
    return refuse(res, state, 415, `Content-Type must be application/json (got ${JSON.stringify(req.headers['content-type'] ?? null)})`);
  }
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return refuse(res, state, 400, 'body is not JSON: ' + err.message);
  }
  const invalid = validateBatch(stream, parsed);
  if (invalid) return refuse(res, state, 400, invalid.error, invalid.errors);
  if (key && state.seenKeys.has(key)) {
    state.duplicates++;
    return json(res, 200, { accepted: 0, duplicate: true });
  }
  // Taken before any wait, so that a copy of this batch arriving meanwhile is a duplicate.
  if (key) state.seenKeys.add(key);
  const events = parsed[stream];
  const arrival = Date.now();
  if (stream === 'logs' && state.logFile && events.length) {
    try {
      await appendLogs(state, events, arrival);
    } catch (err) {
      // Not stored: forget the key so that the client's retry (503 is retried) is taken.
      if (key) state.seenKeys.delete(key);
      return json(res, 503, { error: 'cannot write the log file: ' + err.message });
    }
  }
  keepNewest(state[stream], events, state.recent);
  state.totals[stream] += events.length;
  if (stream === 'metrics') {
    state.prometheus.add(events);
    state.summary.addMetrics(events, arrival);
  } else {
    state.summary.addLogs(events, arrival);
  }
  return json(res, 200, { accepted: events.length });
}

function refuse(res, state, status, error, errors) {
  state.summary.rejected++;
  return json(res, status, errors && errors.length > 1 ? { error, errors } : { error });
}

/** /v1/*: the OTLP endpoints, every answer with CORS headers (collector/cors.mjs). */
function otlpEndpoint(req, res, state, path) {
  const kind = OTLP_KINDS[path];
  const cors = corsHeaders(req);
  if (!kind) return json(res, 404, { error: `no OTLP endpoint ${path} here (only /v1/metrics, /v1/logs and /v1/traces)` }, cors);
  if (req.method === 'OPTIONS') {
    const h = req.headers;
    keepNewest(state.preflights, [{ path, origin: h.origin ?? null, method: h['access-control-request-method'] ?? null, headers: h['access-control-request-headers'] ?? null, at: Date.now() }], state.recent);
    return res.writeHead(204, preflightHeaders(req)).end();
  }
  if (req.method !== 'POST') return res.writeHead(405, { ...cors, Allow: 'POST, OPTIONS' }).end();
  return receiveOtlp(req, res, state, kind, cors);
}

/** What `respond` returned, as {status, body?, headers}. */
function scriptedAnswer(value) {
  if (value && typeof value === 'object') return { status: value.status ?? 200, body: value.body, headers: value.headers ?? {} };
  return { status: value ?? 200, headers: {} };
}

/**
 * An OTLP export request, in the steps and order of `receive` (the seed's): scripted answer,
 * size, type, JSON, validity, dedupe by Idempotency-Key. Accepted data go to `state.otlp`,
 * Prometheus and the summary. OTLP/HTTP's success answer is an Export*ServiceResponse, whose
 * empty partialSuccess says that everything was taken.
 */
async function receiveOtlp(req, res, state, kind, cors) {
  const stream = `otlp_${kind}`;
  const body = await readBody(req);
  const key = idempotencyKey(req);
  const attempt = nextAttempt(state, key);
  state.summary.request('otlp');
  const script = scriptedAnswer(state.respond?.({ stream, key, attempt, body, url: req.url, headers: req.headers }));
  const record = { stream, key, status: script.status, body, type: req.headers['content-type'], url: req.url, headers: { ...req.headers }, at: Date.now() };
  keepRequest(state, record);
  if (script.status === 'reset') return req.socket.destroy();
  if (script.status === 'hang') return; // never answer

  const answer = (status, value, headers = {}) => {
    record.status = status;
    return json(res, status, value, { ...cors, ...headers });
  };
  const refuse = (status, error) => {
    state.summary.rejected++;
    return answer(status, { error });
  };
  if (body === null) return refuse(413, 'body over 1 MiB');
  if (script.status !== 200) return answer(script.status, script.body ?? { error: 'scripted failure' }, script.headers);
  // OTLP/HTTP also has a protobuf encoding (application/x-protobuf); this collector reads JSON only.
  if (!isJsonType(req.headers['content-type'])) {
    return refuse(415, `Content-Type must be application/json (got ${JSON.stringify(req.headers['content-type'] ?? null)})`);
  }
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return refuse(400, 'body is not JSON: ' + err.message);
  }
  const read = readOtlp(kind, parsed);
  if (read.error) return refuse(400, read.error);
  const accepted = () => answer(200, script.body ?? { partialSuccess: {} }, script.headers);
  if (key && state.seenKeys.has(key)) {
    state.duplicates++;
    return accepted();
  }
  if (key) state.seenKeys.add(key);
  const arrival = Date.now();
  keepNewest(state.otlp[OTLP_STORES[kind]], read.items, state.recent);
  if (kind === 'metrics') {
    state.prometheus.addOtlp(read.items);
    state.summary.addOtlpMetrics(read.items, arrival);
  } else if (kind === 'logs') {
    state.summary.addOtlpLogs(read.items, arrival);
  } else {
    state.summary.addOtlpSpans(read.items);
  }
  return accepted();
}

/** Appends `text` to the log file after the appends before it. */
function append(state, text) {
  const write = state.writes.then(() => appendFile(state.logFile, text));
  state.writes = write.catch(() => {}); // one failed append does not stop the next
  return write;
}

/** One line per entry, as received plus the time it was: what Filebeat ships to Logstash. */
function appendLogs(state, events, arrival) {
  const receivedAt = new Date(arrival).toISOString();
  return append(state, events.map((e) => JSON.stringify({ ...e, received_at: receivedAt }) + '\n').join(''));
}

/** The demo backend's line for one request: kept in memory, and appended to the log file as it
 *  is (it has no `received_at`: the server wrote it, nobody sent it). A failed append loses the
 *  line from the file only; the demo's answer does not wait for it. */
function logServerLine(state, line) {
  keepNewest(state.serverLog, [line], SERVER_LOG);
  if (state.logFile) append(state, JSON.stringify(line) + '\n').catch(() => {});
}

async function serveStatic(req, res, path, mounts, extraHeaders) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    if (!path.startsWith(prefix)) continue;
    const root = resolve(mounts[prefix]);
    let rel = decodeURIComponent(path.slice(prefix.length)) || 'index.html';
    if (rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(root, rel));
    if (!file.startsWith(root)) break;
    try {
      const info = await stat(file);
      if (!info.isFile()) continue;
      const data = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
        'Cache-Control': 'no-store',
        ...extraHeaders,
      });
      return res.end(req.method === 'HEAD' ? undefined : data);
    } catch (_) {
      continue;
    }
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
}

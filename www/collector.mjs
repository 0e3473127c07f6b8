// The collector: receives what @recoloca/telemetry POSTs to /api/metrics and /api/logs,
// validates it (collector/validate.mjs), keeps it in memory (deduped by Idempotency-Key),
// appends every log entry to an NDJSON file for Filebeat, aggregates the metrics for Prometheus
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
import { createServer } from 'node:http';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { isJsonType, validateBatch } from './collector/validate.mjs';
import { readOtlp } from './collector/otlp.mjs';
import { corsHeaders, preflightHeaders } from './collector/cors.mjs';
import { Prometheus } from './collector/prometheus.mjs';
import { Summary } from './collector/summary.mjs';
import { demoApi } from './collector/demo-api.mjs';

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
 */
export async function startCollector({ port = 0, host = '127.0.0.1', mounts = {}, respond, logFile, demo, pageHeaders } = {}) {
  const state = {
    /** Every event accepted, per stream, in arrival order (after dedupe). */
    metrics: [],
    logs: [],
    /** Every request that reached an endpoint: {stream, key, status, body, type, url, headers, at}.
     *  `status` is the scripted one ('reset', 'hang' or a number) on /api/*, the one answered on
     *  /v1/*. */
    requests: [],
    /** What the OTLP endpoints accepted, flat (see collector/otlp.mjs): data points
     *  {name, kind, unit, attributes, value | count, sum, bucketCounts, explicitBounds, min, max,
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
    /** CORS preflights of /v1/*: {path, origin, method, headers, at}. */
    preflights: [],
    duplicates: 0,
    seenKeys: new Set(),
    attempts: new Map(),
    respond,
    prometheus: new Prometheus(),
    summary: new Summary(),
    demo: null,
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
    /** Bodies received (raw text), per stream, in arrival order, rejected attempts included. */
    bodies(stream) {
      return state.requests.filter((r) => r.stream === stream).map((r) => r.body);
    },
    reset() {
      state.metrics.length = 0;
      state.logs.length = 0;
      state.requests.length = 0;
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
  if (path.startsWith('/v1/')) return otlpEndpoint(req, res, state, path);
  const stream = STREAMS[path];
  if (stream && req.method === 'POST') return receive(req, res, state, stream);
  if (path === '/api/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
    const { contentType, text } = await state.prometheus.exposition();
    res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
    return res.end(req.method === 'HEAD' ? undefined : text);
  }
  if (stream) return res.writeHead(405, { Allow: path === '/api/metrics' ? 'GET, HEAD, POST' : 'POST' }).end();
  if (path === '/api/summary' && req.method === 'GET') return json(res, 200, state.summary.snapshot(state));
  if (path.startsWith('/api/demo/')) return state.demo.handle(req, res, path);
  if (path === '/api/received' && req.method === 'GET') {
    return json(res, 200, {
      metrics: state.metrics.slice(-500),
      logs: state.logs.slice(-200),
      otlp: { metrics: state.otlp.metrics.slice(-500), logs: state.otlp.logs.slice(-200), spans: state.otlp.spans.slice(-200) },
      serverLog: state.serverLog.slice(-200),
      totals: { metrics: state.metrics.length, logs: state.logs.length, requests: state.requests.length, duplicates: state.duplicates },
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
  state.requests.push({ stream, key, status: scripted, body, type: req.headers['content-type'], url: req.url, headers: { ...req.headers }, at: Date.now() });
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
  state[stream].push(...events);
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
    state.preflights.push({ path, origin: h.origin ?? null, method: h['access-control-request-method'] ?? null, headers: h['access-control-request-headers'] ?? null, at: Date.now() });
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
  state.requests.push(record);
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
  for (const item of read.items) state.otlp[OTLP_STORES[kind]].push(item);
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
  state.serverLog.push(line);
  if (state.serverLog.length > SERVER_LOG) state.serverLog.splice(0, state.serverLog.length - SERVER_LOG);
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

// GET/POST /api/demo/*: a stand-in backend for the demo app, slow and unreliable on purpose so
// that the API metrics it reports (api_calls_total, api_call_duration_ms) have something to
// show: each answer takes a random 50-800 ms and about one in seven is a 5xx.
//
// It logs every request it answers, as a server would, so that one browser request can be
// followed from the client's span to the server's log: the package sends a W3C `traceparent`
// header with its fetch and XHR calls, and the line carries that trace id and span id (the
// client span's, which is the parent of whatever the server did). A malformed or missing
// header is ignored: the line is written without them.

const FAILURES = [500, 502, 503];
const MAX_BODY = 1 << 20;
export const SERVICE = 'recoloca-demo-api';

// version "-" trace-id "-" parent-id "-" trace-flags, lowercase hex (W3C Trace Context, level 1).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZEROS = /^0+$/;

/**
 * The trace context of a `traceparent` header, or null when there is none or it is malformed.
 * Version 00 is exactly four fields; a later version may add fields after them (the
 * specification asks a reader to parse the first four); version ff is invalid, and so are
 * all-zero ids.
 * @param {string|undefined} header
 * @returns {{traceId: string, spanId: string, flags: string} | null}
 */
export function parseTraceparent(header) {
  if (typeof header !== 'string') return null;
  const m = TRACEPARENT.exec(header);
  if (!m) return null;
  const [, version, traceId, spanId, flags, more] = m;
  if (version === 'ff' || (version === '00' && more !== undefined)) return null;
  if (ZEROS.test(traceId) || ZEROS.test(spanId)) return null;
  return { traceId, spanId, flags };
}

/**
 * The log line of one request, as the demo backend writes it. Its own `service` tells it apart
 * from the browser's log entries in the same file (which carry the app's service and a
 * `received_at`); the fields are snake_case, as the package's are.
 */
function requestLine({ method, path, status, startedAt, durationMs, context }) {
  const line = {
    timestamp: new Date(startedAt).toISOString(),
    level: status === null || (status >= 400 && status < 500) ? 'warn' : status >= 500 ? 'error' : 'info',
    service: SERVICE,
    message: status === null ? `${method} ${path}: the client left before the answer` : `${method} ${path} ${status}`,
    http_method: method,
    url_path: path,
  };
  if (status !== null) line.http_status = status;
  line.duration_ms = Math.round(durationMs * 10) / 10;
  if (context) {
    line.trace_id = context.traceId;
    line.span_id = context.spanId;
    line.trace_flags = context.flags;
  }
  return line;
}

/**
 * @param {object} [opts]
 * @param {number} [opts.minLatencyMs]
 * @param {number} [opts.maxLatencyMs]
 * @param {number} [opts.failureRate] 0..1
 * @param {() => number} [opts.random] for tests: a scripted Math.random
 * @param {object} [hooks]
 * @param {(line: object) => void} [hooks.log] takes each request's log line, just before the
 *   answer is sent (the collector keeps it and appends it to its log file)
 */
export function demoApi({ minLatencyMs = 50, maxLatencyMs = 800, failureRate = 0.15, random = Math.random } = {}, { log } = {}) {
  const timers = new Set();
  return {
    async handle(req, res, path) {
      const startedAt = Date.now();
      const started = performance.now();
      const context = parseTraceparent(req.headers.traceparent);
      const done = (status) => log?.(requestLine({ method: req.method, path, status, startedAt, durationMs: performance.now() - started, context }));
      if (req.method !== 'GET' && req.method !== 'POST') {
        done(405);
        res.writeHead(405, { Allow: 'GET, POST', 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ error: 'only GET and POST' }));
      }
      // The body is read and dropped (the demo sends none that matters), so the connection
      // stays usable; past 1 MiB the answer is a 413.
      let size = 0;
      for await (const chunk of req) size += chunk.length;
      const latency = minLatencyMs + random() * (maxLatencyMs - minLatencyMs);
      const status = size > MAX_BODY ? 413 : random() < failureRate ? FAILURES[Math.floor(random() * FAILURES.length)] : req.method === 'POST' ? 201 : 200;
      await new Promise((ok) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          ok();
        }, latency);
        timers.add(timer);
      });
      if (res.destroyed) return done(null);
      done(status);
      const body = status < 300 ? { ok: true, method: req.method, path, latency_ms: Math.round(latency) } : { ok: false, error: status === 413 ? 'body over 1 MiB' : 'simulated failure' };
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(body));
    },
    /** Drops the answers still waiting, so that closing the server does not wait for them. */
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

// GET/POST /api/demo/*: a stand-in backend for the demo app, slow and unreliable on purpose so
// that the API metrics it reports (api_calls_total, api_call_duration_ms) have something to
// show: each answer takes a random 50-800 ms and about one in seven is a 5xx.

const FAILURES = [500, 502, 503];
const MAX_BODY = 1 << 20;

/**
 * @param {object} [opts]
 * @param {number} [opts.minLatencyMs]
 * @param {number} [opts.maxLatencyMs]
 * @param {number} [opts.failureRate] 0..1
 * @param {() => number} [opts.random] for tests: a scripted Math.random
 */
export function demoApi({ minLatencyMs = 50, maxLatencyMs = 800, failureRate = 0.15, random = Math.random } = {}) {
  const timers = new Set();
  return {
    async handle(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'POST') {
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
      if (res.destroyed) return;
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

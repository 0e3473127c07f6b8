// The collector: receives what @recoloca/telemetry POSTs to /api/metrics and /api/logs, keeps
// it in memory (deduped by Idempotency-Key), and serves static files (the demo, the package).
// `make demo` runs it through server.mjs; the end-to-end tests start it in-process and script
// its answers.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

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
const STREAMS = { '/api/metrics': 'metrics', '/api/logs': 'logs' };

/**
 * Starts a collector.
 * @param {object} opts
 * @param {number} [opts.port] 0 for any free port
 * @param {string} [opts.host]
 * @param {Record<string,string>} [opts.mounts] URL prefix -> directory to serve
 * @param {(req: {stream: string, key: string|null, attempt: number}) => number|'reset'|'hang'} [opts.respond]
 *   scripted answers for fault injection; the default accepts everything
 */
export async function startCollector({ port = 0, host = '127.0.0.1', mounts = {}, respond } = {}) {
  const state = {
    /** Every event accepted, per stream, in arrival order (after dedupe). */
    metrics: [],
    logs: [],
    /** Every request that reached an endpoint: {stream, key, status, body}. */
    requests: [],
    duplicates: 0,
    seenKeys: new Set(),
    attempts: new Map(),
    respond,
  };

  const server = createServer((req, res) => {
    handle(req, res, state, mounts).catch((err) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
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
      state.duplicates = 0;
      state.seenKeys.clear();
      state.attempts.clear();
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((ok) => server.close(ok));
    },
  };
}

async function handle(req, res, state, mounts) {
  const path = new URL(req.url, 'http://x').pathname;
  const stream = STREAMS[path];
  if (stream && req.method === 'POST') return receive(req, res, state, stream);
  if (path === '/api/received' && req.method === 'GET') {
    return json(res, 200, {
      metrics: state.metrics.slice(-500),
      logs: state.logs.slice(-200),
      totals: { metrics: state.metrics.length, logs: state.logs.length, requests: state.requests.length, duplicates: state.duplicates },
    });
  }
  if (path === '/favicon.ico') return res.writeHead(204).end();
  if (req.method === 'GET' || req.method === 'HEAD') return serveStatic(req, res, path, mounts);
  res.writeHead(405).end();
}

function json(res, status, value) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(value));
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function receive(req, res, state, stream) {
  const body = await readBody(req);
  // Beacons cannot carry headers: their key comes in the query string.
  const key = req.headers['idempotency-key'] || new URL(req.url, 'http://x').searchParams.get('idempotency_key') || null;
  const attempt = (state.attempts.get(key) || 0) + 1;
  state.attempts.set(key, attempt);
  let scripted = state.respond ? state.respond({ stream, key, attempt, body, url: req.url }) : 200;
  let headers = {};
  if (scripted && typeof scripted === 'object') ({ status: scripted, headers = {} } = scripted);
  state.requests.push({ stream, key, status: scripted, body, type: req.headers['content-type'], url: req.url, at: Date.now() });
  if (scripted === 'reset') return req.socket.destroy();
  if (scripted === 'hang') return; // never answer
  if (body === null) return json(res, 413, { error: 'body over 1 MiB' });
  if (scripted !== 200) {
    res.writeHead(scripted, { 'Content-Type': 'application/json', ...headers });
    return res.end(JSON.stringify({ error: 'scripted failure' }));
  }
  if (!/^application\/json\b/.test(req.headers['content-type'] || '')) {
    return json(res, 415, { error: 'Content-Type must be application/json' });
  }
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return json(res, 400, { error: 'body is not JSON: ' + err.message });
  }
  if (!parsed || !Array.isArray(parsed[stream])) return json(res, 400, { error: `field "${stream}" must be an array` });
  if (key && state.seenKeys.has(key)) {
    state.duplicates++;
    return json(res, 200, { accepted: 0, duplicate: true });
  }
  if (key) state.seenKeys.add(key);
  state[stream].push(...parsed[stream]);
  return json(res, 200, { accepted: parsed[stream].length });
}

async function serveStatic(req, res, path, mounts) {
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
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
      return res.end(req.method === 'HEAD' ? undefined : data);
    } catch (_) {
      continue;
    }
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
}

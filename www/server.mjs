// `make demo`: serves the built demo (www/dist) and receives its telemetry, in one process.
//   node www/server.mjs [--port N] [--log-file PATH]
// PORT=N also sets the port (default 8080, on 127.0.0.1). Log entries are appended to
// www/data/logs.ndjson by default, one JSON per line, for Filebeat to ship.
// MAX_SERIES_PER_METRIC=N caps the series of each metric in /api/metrics (default 1000), and
// MAX_METRIC_NAMES=N the metric names from the browsers (default 500).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCollector } from './collector.mjs';

const HOST = '127.0.0.1';
const DIST = fileURLToPath(new URL('./dist/', import.meta.url));
const LOG_FILE = fileURLToPath(new URL('./data/logs.ndjson', import.meta.url));

function fail(message) {
  console.error(message);
  process.exit(1);
}

let options;
try {
  ({ values: options } = parseArgs({ options: { port: { type: 'string' }, 'log-file': { type: 'string' } } }));
} catch (err) {
  fail(`${err.message}\nusage: node www/server.mjs [--port N] [--log-file PATH]`);
}
const portText = options.port ?? process.env.PORT ?? '8080';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) fail(`not a port number: ${portText}`);

if (!existsSync(DIST + 'index.html')) {
  fail(`The demo is not built (no ${DIST}index.html). Run \`make demo\` from the repository root: it builds it, then starts this server.`);
}

let collector;
try {
  collector = await startCollector({ port, host: HOST, mounts: { '/': DIST }, logFile: options['log-file'] ?? LOG_FILE });
} catch (err) {
  if (err instanceof RangeError) fail(err.message); // a MAX_SERIES_PER_METRIC or MAX_METRIC_NAMES that is no number
  if (err.code === 'EADDRINUSE') fail(`Port ${port} on ${HOST} is in use. Try another: make demo PORT=8081`);
  if (err.path) fail(`Cannot create the log file's folder: ${err.message}`);
  fail(`Cannot listen on ${HOST}:${port}: ${err.message}`);
}
console.log(`Demo:           ${collector.url}/
Dashboard:      ${collector.url}/dashboard.html
Collector view: ${collector.url}/collector.html
Prometheus:     ${collector.url}/api/metrics
Log entries:    ${collector.state.logFile}`);

let closing = false;
async function shutdown() {
  if (closing) process.exit(1); // a second Ctrl-C: leave at once
  closing = true;
  await collector.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

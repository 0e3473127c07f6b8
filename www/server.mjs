// `make demo`: serves the built demo (www/dist) and receives its telemetry, in one process.
//   node www/server.mjs [--port N]     (or PORT=N; default 8080, on 127.0.0.1)
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCollector } from './collector.mjs';

const HOST = '127.0.0.1';
const DIST = fileURLToPath(new URL('./dist/', import.meta.url));

function fail(message) {
  console.error(message);
  process.exit(1);
}

let options;
try {
  ({ values: options } = parseArgs({ options: { port: { type: 'string' } } }));
} catch (err) {
  fail(`${err.message}\nusage: node www/server.mjs [--port N]`);
}
const portText = options.port ?? process.env.PORT ?? '8080';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) fail(`not a port number: ${portText}`);

if (!existsSync(DIST + 'index.html')) {
  fail(`The demo is not built (no ${DIST}index.html). Run \`make demo\` from the repository root: it builds it, then starts this server.`);
}

let collector;
try {
  collector = await startCollector({ port, host: HOST, mounts: { '/': DIST } });
} catch (err) {
  if (err.code === 'EADDRINUSE') fail(`Port ${port} on ${HOST} is in use. Try another: make demo PORT=8081`);
  fail(`Cannot listen on ${HOST}:${port}: ${err.message}`);
}
console.log(`Demo: ${collector.url}/  (collector view: ${collector.url}/collector.html)`);

let closing = false;
async function shutdown() {
  if (closing) process.exit(1); // a second Ctrl-C: leave at once
  closing = true;
  await collector.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

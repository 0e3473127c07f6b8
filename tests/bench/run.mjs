// `make bench`: the seed's MetricsCollector and Logger (ported to plain JS, seed.mjs) against
// @recoloca/telemetry, in one headless Chromium page, alternating, several repetitions,
// medians. Prints a table of ns per call (each including its share of the flush work, both at
// the seed's batch sizes, sending to a local sink) with the ratio ours / seed, then import-to-
// ready time, memory after 200,000 events recorded while the collector is down, and request
// bytes per event.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../e2e/harness.mjs';

const REPS = Number(process.env.BENCH_REPS || 7);
const CALLS = Number(process.env.BENCH_CALLS || 20000);
const CHUNK = 250;
const SETTLE_EVERY = 1000;
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

// The sink: reads each body, counts requests, bytes and events per library and stream.
const counts = {};
const STATIC = { '/pkg/': here('../../pkg/'), '/bench/': here('./'), '/': here('./pages/') };
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const sink = createServer(async (req, res) => {
  const path = req.url.split('?')[0];
  if (req.method === 'GET') {
    // Pages and the package, from the same origin as the sink (no CORS preflights).
    const prefix = Object.keys(STATIC).find((p) => path.startsWith(p));
    try {
      const file = join(STATIC[prefix], path.slice(prefix.length));
      const data = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' });
      return res.end(data);
    } catch {
      return res.writeHead(404).end();
    }
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const [, , lib, stream] = req.url.split('?')[0].split('/');
    const body = Buffer.concat(chunks);
    const c = (counts[`${lib}/${stream}`] ??= { requests: 0, bytes: 0, events: 0 });
    c.requests++;
    c.bytes += body.length;
    try {
      c.events += JSON.parse(body)[stream]?.length ?? 0;
    } catch {}
    res.writeHead(204).end();
  });
});
await new Promise((ok) => sink.listen(0, '127.0.0.1', ok));

const origin = `http://127.0.0.1:${sink.address().port}`;
const sinkUrl = '/sink';

const browser = await launch();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function openBench() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(origin + '/bench.html');
  await page.waitForFunction(() => window.bench);
  await page.evaluate(() => window.bench.ready);
  return { page, context };
}

// 1. ns per call, alternating seed and ours, fresh page per repetition.
const ops = ['recordMetric', 'trackPageView', 'logger.info'];
const samples = Object.fromEntries(ops.map((op) => [op, { seed: [], ours: [], hooked: [] }]));
// The ops also timed with a pass-through `beforeSend` (bench.html's `hooked`).
const hookedOps = ['recordMetric', 'logger.info'];
for (let rep = 0; rep < REPS; rep++) {
  const { page, context } = await openBench();
  await page.evaluate((sink) => {
    window.libs = window.bench.libraries(sink);
  }, sinkUrl);
  for (const op of ops) {
    const order = rep % 2 ? ['ours', 'seed'] : ['seed', 'ours'];
    if (hookedOps.includes(op)) order.splice(rep % 3, 0, 'hooked');
    for (const lib of order) {
      const ns = await page.evaluate(({ lib, op, n, chunk, every }) => window.bench.time(window.libs[lib], op, n, chunk, every), { lib, op, n: CALLS, chunk: CHUNK, every: SETTLE_EVERY });
      samples[op][lib].push(ns);
    }
  }
  await context.close();
}

// 2. Import to ready, in fresh pages, and the main thread's busy time meanwhile (Chromium's
// own count of task time, `TaskDuration`, before and after): what loading costs the page,
// ours and the seed's module.
const readyMs = [];
const loadTaskMs = { ours: [], seed: [] };
const taskMs = async (cdp) => {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return 1000 * (metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN);
};
for (let rep = 0; rep < REPS; rep++) {
  for (const lib of ['ours', 'seed']) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(origin + '/blank.html');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy0 = await taskMs(cdp);
    const ms = await page.evaluate(async (lib) => {
      const t0 = performance.now();
      if (lib === 'ours') await (await import('/pkg/index.js')).ready;
      else await import('/bench/seed.mjs');
      return performance.now() - t0;
    }, lib);
    loadTaskMs[lib].push((await taskMs(cdp)) - busy0);
    if (lib === 'ours') readyMs.push(ms);
    await context.close();
  }
}

// 3. Memory after 200,000 events recorded while the collector is down (connection refused).
const memory = await (async () => {
  const { page, context } = await openBench();
  const result = await page.evaluate(async () => {
    const { ours, core, tick } = window.bench;
    ours.configure({ metricsEndpoint: 'http://127.0.0.1:9/down', logsEndpoint: 'http://127.0.0.1:9/down', retryInitialMs: 50, retryMaxMs: 200 });
    const heap0 = performance.memory ? performance.memory.usedJSHeapSize : 0;
    const wasm0 = core.memoryBytes();
    for (let i = 0; i < 200000; i++) {
      ours.metricsCollector.recordMetric('down_total', i, { route: '/r' + (i & 7) });
      if (i % 1000 === 999) await tick();
    }
    await ours.flush();
    const [mEvents, mBytes] = Array.from(core.held());
    return {
      heapMB: ((performance.memory ? performance.memory.usedJSHeapSize : 0) - heap0) / 1048576,
      wasm0KB: wasm0 / 1024,
      wasmKB: core.memoryBytes() / 1024,
      heldEvents: mEvents,
      heldBytes: mBytes,
    };
  });
  await context.close();
  return result;
})();

// 4. What measuring the page's own requests costs (the OTLP entry's instrumentRequests): the
// main thread's busy time for FETCHES sequential fetches of a small same-origin file, with the
// wrappers on and off, alternating, in fresh pages. With them on, the spans and metrics those
// requests make are batched and sent too: their cost is counted.
const FETCHES = Number(process.env.BENCH_FETCHES || 1000);
const fetchTaskMs = { on: [], off: [] };
for (let rep = 0; rep < REPS; rep++) {
  for (const mode of rep % 2 ? ['on', 'off'] : ['off', 'on']) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(origin + '/blank.html');
    await page.evaluate(
      async ({ on, otel }) => {
        const t = await import('/pkg/otlp.js');
        await t.ready;
        t.configure({ otlpEndpoint: otel, instrumentRequests: on, metricsEndpoint: null, logsEndpoint: null, captureErrors: false, observePerformance: false });
      },
      { on: mode === 'on', otel: origin + '/otel' },
    );
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy0 = await taskMs(cdp);
    await page.evaluate(async (n) => {
      for (let i = 0; i < n; i++) await (await fetch('/blank.html?' + i)).arrayBuffer();
    }, FETCHES);
    fetchTaskMs[mode].push((await taskMs(cdp)) - busy0);
    await context.close();
  }
}

await browser.close();
sink.close();

// The report.
const pad = (s, n) => String(s).padEnd(n);
const num = (x, d = 0) => x.toFixed(d).padStart(9);
console.log(`\n@recoloca/telemetry vs the seed — headless Chromium, ${REPS} repetitions of ${CALLS} calls, medians`);
console.log(`(main-thread time of the calls and the batching, encoding and fetch() calls they cause;`);
console.log(` chunks of ${CHUNK} calls a task; both at the seed's batch sizes 10 / 50, to a local sink)\n`);
console.log(`${pad('ns per call (incl. flush work)', 34)}${'seed'.padStart(9)}${'ours'.padStart(9)}${'ours/seed'.padStart(11)}`);
let worst = 0;
for (const op of ops) {
  const s = median(samples[op].seed);
  const o = median(samples[op].ours);
  worst = Math.max(worst, o / s);
  const label = op === 'recordMetric' ? 'recordMetric, 2 labels' : op === 'logger.info' ? 'logger.info, 3-key context' : op;
  console.log(`${pad(label, 34)}${num(s)}${num(o)}${num(o / s, 2).padStart(11)}`);
}
console.log(`\n${pad('beforeSend returning the event', 34)}${'without'.padStart(9)}${'with'.padStart(9)}${'per event'.padStart(11)}`);
for (const op of hookedOps) {
  const o = median(samples[op].ours);
  const h = median(samples[op].hooked);
  console.log(`${pad(op, 34)}${num(o)}${num(h)}${num(h - o).padStart(8)} ns`);
}
console.log(`\nimport to ready (ours)            ${num(median(readyMs), 1)} ms`);
console.log(`main-thread time during load      ${num(median(loadTaskMs.ours), 1)} ms ours, ${median(loadTaskMs.seed).toFixed(1)} ms the seed's module`);
console.log(`after 200,000 events, collector down: held ${memory.heldEvents} events / ${memory.heldBytes} bytes (bounds 1000 / 1048576); wasm memory ${memory.wasm0KB} -> ${memory.wasmKB} KiB; JS heap +${memory.heapMB.toFixed(1)} MB`);
const fetchOn = median(fetchTaskMs.on);
const fetchOff = median(fetchTaskMs.off);
console.log(`a page's fetch, instrumented       ${num(((fetchOn - fetchOff) / FETCHES) * 1000, 0)} µs more main-thread time per request (${FETCHES} fetches: ${fetchOn.toFixed(1)} ms on, ${fetchOff.toFixed(1)} ms off; the OTLP entry, spans and metrics sent)`);
console.log('\nrequest bytes per event (requests, events):');
for (const [k, c] of Object.entries(counts).sort()) {
  if (c.events) console.log(`  ${pad(k, 14)} ${num(c.bytes / c.events, 1)} B  (${c.requests} requests, ${c.events} events, ${(c.events / c.requests).toFixed(1)} events/request)`);
}
// Every event must have arrived: a benchmark of a client that drops events proves nothing.
const expected = REPS * CALLS;
const lost = [];
for (const lib of ['seed', 'ours']) {
  const m = counts[`${lib}/metrics`]?.events ?? 0;
  const l = counts[`${lib}/logs`]?.events ?? 0;
  if (m < 2 * expected || l < expected) lost.push(`${lib}: ${m} of ${2 * expected} metrics, ${l} of ${expected} logs`);
}
console.log(`\nworst ratio: ${worst.toFixed(2)}`);
if (lost.length) {
  console.error('events lost during the benchmark: ' + lost.join('; '));
  process.exit(1);
}

// The package as shipped (release build, optimized, minified) in headless Firefox ESR against a
// real collector: the seed's bodies byte for byte, a captured uncaught error, and page exit.
// The browser tests (wasm-pack test --firefox) run the debug build with std; only this file
// shows that what users download works in a second engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { collector, until, assertExactBody } from './harness.mjs';
import { launchFirefox } from './firefox.mjs';

let firefox;
let server;
before(async () => {
  firefox = await launchFirefox();
  server = await collector();
});
after(async () => {
  try {
    await firefox?.close();
  } finally {
    await server?.close();
  }
});

const T0 = 1764166892000;

/** Leaves the page for another page of the collector's, as a user would. (Not about:blank:
 *  Firefox then sometimes stops the page's pagehide handler partway, which no user's
 *  navigation was seen to do; seen here under geckodriver, one stream sent and not the
 *  other, never with a real page.) */
const leave = () => firefox.goto(server.url + '/away.html');

/** Opens the test page (its clock, user and session fixed before the package loads, as the
 *  Chromium harness does) and waits for the module. The previous test's page is left first,
 *  and what it sends as it goes (its page timings) is let land before the collector forgets
 *  everything. */
async function open(options = {}) {
  await leave();
  await new Promise((r) => setTimeout(r, 300));
  server.reset();
  await firefox.goto(server.url + '/firefox.html');
  await firefox.run(async (options) => {
    if (!(await window.telemetry.ready)) throw new Error('the module did not load');
    window.telemetry.configure(options);
  }, options);
}

test('Firefox: the seed methods send the seed bodies, byte for byte', async () => {
  await open();
  const stack = await firefox.run(async () => {
    const { metricsCollector: m, logger, flush } = window.telemetry;
    m.recordMetric('cv_uploads_total', 1, { format: 'pdf', source: 'drag' });
    m.recordMetric('bare_metric', 2.5);
    m.trackApiCall('/api/cv/analyze', 'POST', 201, 845.25);
    logger.info('CV uploaded', { sizeKb: 120, tags: ['pdf'] });
    const err = new TypeError('cannot read "score"');
    logger.error('analysis failed', err, { cvId: 'cv-9' });
    await flush();
    return err.stack;
  });
  let t = T0;
  assertExactBody(server.bodies('metrics')[0], {
    metrics: [
      { name: 'cv_uploads_total', value: 1, labels: { format: 'pdf', source: 'drag' }, timestamp: t++ },
      { name: 'bare_metric', value: 2.5, timestamp: t++ },
      { name: 'api_calls_total', value: 1, labels: { endpoint: '/api/cv/analyze', method: 'POST', status: '201' }, timestamp: t++ },
      { name: 'api_call_duration_ms', value: 845.25, labels: { endpoint: '/api/cv/analyze', method: 'POST' }, timestamp: t++ },
    ],
  });
  const entry = (level, message) => ({
    timestamp: new Date(t++).toISOString(),
    level,
    message,
    service: 'recoloca-frontend',
    version: '1.0.0',
  });
  const who = { user_id: 'user-ff', session_id: 'sess-ff' };
  assertExactBody(server.bodies('logs')[0], {
    logs: [
      { ...entry('info', 'CV uploaded'), context: { sizeKb: 120, tags: ['pdf'] }, ...who },
      {
        ...entry('error', 'analysis failed'),
        context: { cvId: 'cv-9' },
        error: { name: 'TypeError', message: 'cannot read "score"', stack },
        ...who,
      },
    ],
  });
  assert.equal(server.bodies('metrics').length, 1);
  assert.equal(server.bodies('logs').length, 1);
});

test('Firefox: an uncaught error is captured as a metric and a log entry', async () => {
  await open({ batchSize: 1000, logBatchSize: 1000 });
  await firefox.run(async () => {
    window.throwLater();
    await new Promise((r) => setTimeout(r, 50));
    await window.telemetry.flush();
  });
  const metric = server.state.metrics.find((m) => m.name === 'frontend_errors_total');
  assert.deepEqual(metric?.labels, { error_type: 'RangeError', component: 'global', user_id: 'user-ff' });
  const log = server.state.logs.find((l) => l.error?.name === 'RangeError');
  assert.deepEqual([log?.level, log?.error.message], ['error', 'out of range in Firefox']);
  assert.match(log.context.source.file, /\/firefox\.html$/);
});

test('Firefox: what is buffered when the page is left is delivered', async () => {
  await open({ batchSize: 1000, logBatchSize: 1000, flushIntervalMs: 600000, logFlushIntervalMs: 600000 });
  await firefox.run(async () => {
    window.telemetry.metricsCollector.recordMetric('left_in_firefox_total', 3);
    window.telemetry.logger.warn('leaving Firefox');
    // Time for anything that would go now to arrive: nothing should.
    await new Promise((r) => setTimeout(r, 300));
  });
  const ours = () => server.state.metrics.filter((m) => m.name === 'left_in_firefox_total');
  const logs = () => server.state.logs.filter((l) => l.message === 'leaving Firefox');
  assert.deepEqual([ours().length, logs().length], [0, 0], 'nothing sent before the page is left');
  await leave();
  await until(() => ours().length === 1 && logs().length === 1, 5000, 'the batches sent at page exit');
  assert.equal(ours()[0].value, 3);
});

test('Firefox: a batch whose keepalive request from an earlier hide still hangs goes again when the page is left', async () => {
  // Firefox keeps such a request pending while the page is left (Chromium fails it from the
  // page's side, so the module sends again anyway): the exit pass must not count it as gone.
  // Its own collector, whose first answer to each batch never comes (the hanging connections
  // go with it).
  const hanging = await collector({ respond: ({ attempt }) => (attempt === 1 ? 'hang' : 200) });
  try {
    await firefox.goto(hanging.url + '/firefox.html');
    await firefox.run(async () => {
      if (!(await window.telemetry.ready)) throw new Error('the module did not load');
      const { configure, metricsCollector, logger } = window.telemetry;
      configure({ batchSize: 1000, logBatchSize: 1000, flushIntervalMs: 600000, logFlushIntervalMs: 600000 });
      metricsCollector.recordMetric('hidden_before_total', 1);
      logger.info('hidden before');
      // A tab switch away and back (a headless page cannot be hidden for real).
      const visibility = (state) => {
        Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
        delete document.visibilityState;
      };
      visibility('hidden');
      await new Promise((r) => setTimeout(r, 300));
      visibility('visible');
    });
    const answered = (stream) => hanging.state.requests.filter((r) => r.stream === stream && r.status === 200);
    assert.deepEqual(hanging.state.requests.map((r) => r.status), ['hang', 'hang'], 'the hide sent both batches');
    await firefox.goto(hanging.url + '/away.html');
    await until(() => answered('metrics').length === 1 && answered('logs').length === 1, 5000, 'both batches again at page exit');
    const metrics = JSON.parse(answered('metrics')[0].body).metrics.map((m) => m.name);
    assert.ok(metrics.includes('hidden_before_total'), metrics.join());
  } finally {
    await hanging.close();
  }
});

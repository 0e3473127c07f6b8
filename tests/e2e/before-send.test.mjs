// `beforeSend` (#21) in the shipped package, headless Chromium: what the app's hook is shown
// (a copy in the seed's wire shape), and what reaches the collector after it dropped, changed
// or broke on an event. The page's hook is in pages/before-send.html.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, collector, openPage, until, TIMINGS } from './harness.mjs';

let browser;
let server;
before(async () => {
  browser = await launch();
  server = await collector();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** The page, with the requests it made for the package's files. */
async function start(query = '', options = {}) {
  server.reset();
  const opened = await openPage(browser, `${server.url}/before-send.html${query}`, options);
  await opened.page.evaluate(() => window.telemetry.ready);
  return opened;
}

/** Every metric event and log entry received, as sent (the page's own timings left out). */
const received = () => ({
  metrics: server.bodies('metrics').flatMap((b) => JSON.parse(b).metrics).filter((m) => !TIMINGS.test(m.name)),
  logs: server.bodies('logs').flatMap((b) => JSON.parse(b).logs),
});

/** The paths of the files the page has loaded. */
const loadedFiles = (page) => page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));

const flush = (page) => page.evaluate(() => window.telemetry.flush());

/** An uncaught error in the page, then a flush. */
async function throwInPage(page, message) {
  await page.evaluate((message) =>
    setTimeout(() => {
      throw new Error(message);
    }),
  message);
  await page.waitForTimeout(50);
  await flush(page);
}

test('the hook is shown seed-shaped copies; what it returns is sent, what it drops is counted', async () => {
  const { page, context, problems } = await openPage(browser, `${server.url}/before-send.html?early`, { user: 'user-1', session: 'sess-1' });
  await page.evaluate(async () => {
    const { metricsCollector: m, logger, ready, configure } = window.telemetry;
    await ready;
    configure({ service: 'jobs-ui', version: '2.1.0', captureErrors: false, observePerformance: false });
    m.recordMetric('kept_total', 3, { plan: 'pro' });
    m.recordMetric('secret_total', 1);
    m.recordMetric('renamed_total', 4, { x: 'y' });
    m.trackPageView('/jobs', 'user-1');
    logger.info('plain', { step: 1 });
    logger.warn('drop me');
    logger.info('login', { token: 's3cr3t', ok: true });
    logger.info('louder');
    logger.error('failed 42 times', new TypeError('code 500 from 10.0.0.1'), { job: 7 });
  });
  await flush(page);
  await until(() => received().metrics.some((m) => m.name === 'telemetry_events_dropped_total'), 3000, 'the drop counts');
  await flush(page);
  const { metrics, logs } = received();
  const seen = await page.evaluate(() => window.seen);

  // Metrics: the early call (set and made before the module loaded) reviewed too.
  const strip = ({ name, value, labels }) => ({ name, value, labels });
  assert.deepEqual(metrics.map(strip), [
    { name: 'early_total', value: 1, labels: { email: '[email]' } },
    { name: 'kept_total', value: 3, labels: { plan: 'pro' } },
    { name: 'renamed_v2_total', value: 8, labels: { a: 'b' } },
    { name: 'page_views_total', value: 1, labels: { page: '/jobs', user_id: 'user-1' } },
    { name: 'telemetry_events_dropped_total', value: 1, labels: { stream: 'metrics', reason: 'before_send' } },
    { name: 'telemetry_events_dropped_total', value: 1, labels: { stream: 'logs', reason: 'before_send' } },
  ]);
  // An event the hook returned as it was shown is sent exactly as shown.
  const shownKept = seen.find(([, e]) => e.name === 'kept_total');
  assert.deepEqual(shownKept, ['metric', metrics[1]]);
  assert.deepEqual(seen.find(([, e]) => e.name === 'secret_total')?.[0], 'metric');
  assert.equal(metrics.filter((m) => m.name === 'secret_total').length, 0);

  // Logs: the seed's LogEntry, every field; the hook's changes applied.
  assert.deepEqual(
    logs.map((l) => [l.level, l.message, l.context]),
    [
      ['info', 'plain', { step: 1 }],
      ['info', 'login (scrubbed)', { ok: true }],
      ['warn', 'louder!', undefined],
      ['error', 'failed 42 times', { job: 7 }],
    ],
  );
  assert.deepEqual(logs[3].error.message, 'code N from N.N.N.N');
  const shownPlain = seen.find(([, e]) => e.message === 'plain');
  assert.deepEqual(shownPlain, ['log', logs[0]]);
  assert.deepEqual(Object.keys(logs[0]), ['timestamp', 'level', 'message', 'service', 'version', 'context', 'user_id', 'session_id']);
  assert.deepEqual([logs[0].service, logs[0].version, logs[0].user_id, logs[0].session_id], ['jobs-ui', '2.1.0', 'user-1', 'sess-1']);
  const shownError = seen.find(([, e]) => e.message === 'failed 42 times')[1];
  assert.equal(shownError.error.name, 'TypeError');
  assert.equal(shownError.error.message, 'code 500 from 10.0.0.1');
  assert.match(shownError.error.stack, /TypeError: code 500/);
  assert.equal(logs.filter((l) => l.message === 'drop me').length, 0);

  assert.ok((await loadedFiles(page)).includes('/pkg/review.js'), 'review.js loaded once a hook is set');
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.warnings, []);
  await context.close();
});

test('a hook that throws sends the event unchanged, said once; a promise likewise; a hook that logs, and one that would loop', async () => {
  const { page, context, problems } = await start();
  await page.evaluate(() => {
    const { logger, configure } = window.telemetry;
    // Set after `ready`, and calls made at once: they wait for review.js, in order.
    configure({ beforeSend: (e, k) => window.hook(e, k), captureErrors: false, observePerformance: false });
    logger.info('half changed then threw', { n: 1 });
    logger.info('half changed then threw', { n: 2 });
    logger.info('async', { n: 3 });
    logger.info('async', { n: 4 });
    logger.info('reenter');
    logger.info('echo');
  });
  await flush(page);
  await until(() => received().logs.length >= 8, 3000, 'eight entries');
  assert.deepEqual(
    received().logs.map((l) => [l.message, l.context]),
    [
      ['half changed then threw', { n: 1 }],
      ['half changed then threw', { n: 2 }],
      ['async', { n: 3 }],
      ['async', { n: 4 }],
      // What the hook logs itself is shown to it too, and recorded first (during the review
      // of the entry that led to it).
      ['said by the hook', undefined],
      ['reenter', undefined],
      // One it logs while shown its own is dropped: a hook that logs each entry cannot loop.
      ['echo', undefined],
      ['echo', undefined],
    ],
  );
  const seen = await page.evaluate(() => window.seen.map(([, e]) => e.message));
  // (The third 'echo', logged while the hook was shown its own, is dropped unseen.)
  assert.deepEqual(seen.slice(-4), ['reenter', 'said by the hook', 'echo', 'echo']);
  await until(() => received().metrics.some((m) => m.name === 'telemetry_events_dropped_total'), 3000, 'the drop count');
  assert.deepEqual(
    received().metrics.filter((m) => m.name === 'telemetry_events_dropped_total').map((m) => [m.labels, m.value]),
    [[{ stream: 'logs', reason: 'before_send' }, 1]],
  );
  const said = (what) => problems.warnings.filter((w) => w.includes(what)).length;
  assert.equal(said('beforeSend threw'), 1, problems.warnings.join('\n'));
  assert.equal(said('beforeSend must return the event'), 1, problems.warnings.join('\n'));
  assert.equal(said('while shown its own were dropped'), 1, problems.warnings.join('\n'));
  assert.equal(problems.warnings.length, 3, problems.warnings.join('\n'));
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("captured errors go through the hook too; without one, review.js is never loaded", async () => {
  const { page, context } = await openPage(browser, `${server.url}/before-send.html`);
  // Error capture listening (on a loaded machine the second module may still be loading: an
  // error then waits for it, and its entry for a flush after that).
  await page.evaluate(() => window.telemetry.ready.then(() => window.telemetry.__internals.watching()));
  server.reset();
  await throwInPage(page, 'uncaught at row 12');
  await until(() => received().logs.length >= 1, 3000, 'the first captured error');
  assert.equal(received().logs[0].error.message, 'uncaught at row 12');
  const files = await loadedFiles(page);
  assert.ok(files.includes('/pkg/watch.js') && !files.includes('/pkg/review.js'), files.join());

  // Now with the hook: the captured entry and its metric are shown to it.
  await page.evaluate(() => window.telemetry.configure({ beforeSend: (e, k) => window.hook(e, k) }));
  // (Once review.js is there: calls are let through again, and `held` answers.)
  await until(async () => (await page.evaluate(() => window.core.held())).length === 4, 3000, 'review.js');
  await throwInPage(page, 'uncaught at row 13');
  await until(() => received().logs.length >= 2, 3000, 'the second captured error');
  assert.equal(received().logs[1].error.message, 'uncaught at row N');
  const seen = await page.evaluate(() => window.seen);
  assert.deepEqual(
    seen.map(([kind, e]) => [kind, e.name ?? e.error?.message]).filter(([, what]) => !TIMINGS.test(what)),
    [
      ['metric', 'frontend_errors_total'],
      ['log', 'uncaught at row 13'],
    ],
  );
  // And unset again: nothing more is shown to it.
  await page.evaluate(() => {
    window.telemetry.configure({ beforeSend: null });
    window.telemetry.logger.info('unreviewed');
  });
  await flush(page);
  assert.equal(await page.evaluate(() => window.seen.length), seen.length);
  assert.ok(received().logs.some((l) => l.message === 'unreviewed'));
  await context.close();
});

test('should review.js not load, events are dropped and counted while a hook is set; a later hook loads it', async () => {
  const { page, context, problems } = await start();
  await page.route('**/pkg/review.js', (route) => route.abort());
  await page.evaluate(() => {
    const { metricsCollector: m, logger, configure } = window.telemetry;
    configure({ beforeSend: (e, k) => window.hook(e, k), captureErrors: false, observePerformance: false });
    m.recordMetric('unreviewed_total', 1);
    logger.info('unreviewed');
  });
  await flush(page);
  await until(() => received().metrics.length >= 2, 3000, 'the drop counts');
  assert.deepEqual(received(), {
    metrics: [
      { name: 'telemetry_events_dropped_total', value: 1, labels: { stream: 'metrics', reason: 'before_send' }, timestamp: received().metrics[0].timestamp },
      { name: 'telemetry_events_dropped_total', value: 1, labels: { stream: 'logs', reason: 'before_send' }, timestamp: received().metrics[1].timestamp },
    ],
    logs: [],
  });
  assert.equal(problems.warnings.filter((w) => w.includes('beforeSend did not load')).length, 1, problems.warnings.join('\n'));

  // Reachable again: the next hook set loads it, and events are reviewed.
  await page.unroute('**/pkg/review.js');
  await page.evaluate(() => {
    window.telemetry.configure({ beforeSend: (e, k) => window.hook(e, k) });
    window.telemetry.logger.info('login', { token: 's3cr3t' });
  });
  await flush(page);
  await until(() => received().logs.length >= 1, 3000, 'the reviewed entry');
  assert.deepEqual(received().logs.map((l) => [l.message, l.context]), [['login (scrubbed)', {}]]);
  // (The browser's own report of the refused file aside.)
  assert.deepEqual(problems.pageErrors, ['Failed to load resource: net::ERR_FAILED']);
  await context.close();
});

test('calls made while review.js loads are shown to the hook set when they were made; a name removed drops the event', async () => {
  const { page, context, problems } = await start();
  await page.evaluate(() => {
    const { metricsCollector: m, logger, configure } = window.telemetry;
    configure({ beforeSend: (e, k) => window.hook(e, k), captureErrors: false, observePerformance: false });
    logger.info('login', { token: 's3cr3t' });
    m.recordMetric('nameless_total', 1);
    m.recordMetric('named_total', 1);
    // Removed before review.js has loaded: the calls above still meet the hook, later ones not.
    configure({ beforeSend: null });
    logger.info('after', { token: 'kept' });
  });
  await flush(page);
  await until(() => received().logs.length >= 2 && received().metrics.length >= 1, 3000, 'two entries and a metric');
  assert.deepEqual(
    received().logs.map((l) => [l.message, l.context]),
    [
      ['login (scrubbed)', {}],
      ['after', { token: 'kept' }],
    ],
  );
  assert.deepEqual(received().metrics.map((m) => m.name), ['named_total']);
  assert.ok(problems.warnings.some((w) => w.includes('a metric without a name')), problems.warnings.join('\n'));
  await context.close();
});

test('what the hook drops as the page hides is counted in what leaves with the hide', async () => {
  const { page, context } = await start();
  await page.evaluate(async () => {
    const { configure, __internals } = window.telemetry;
    // Page timings are reported as the page hides: the hook drops them all.
    configure({ beforeSend: (e, kind) => (kind === 'metric' && e.name.endsWith('_ms') ? false : e) });
    await __internals.watching();
    window.telemetry.metricsCollector.recordMetric('before_hiding_total', 1);
  });
  // One hide, as a phone's app switch gives (no pagehide after it): what leaves then is all a
  // page killed in the background sends. The flush interval (30 s) is far off.
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await until(() => received().metrics.some((m) => m.name === 'before_hiding_total'), 3000, 'what the hide sent');
  await new Promise((r) => setTimeout(r, 300));
  const counts = received().metrics.filter((m) => m.name === 'telemetry_events_dropped_total');
  assert.equal(counts.length, 1, JSON.stringify(received().metrics.map((m) => m.name)));
  assert.deepEqual(counts[0].labels, { stream: 'metrics', reason: 'before_send' });
  assert.ok(counts[0].value >= 2, `the timings dropped: ${counts[0].value}`);
  await context.close();
});

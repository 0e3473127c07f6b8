// The slim entry (@recoloca/telemetry/slim) as shipped, in headless Chromium against a real
// collector: the seed's bodies and delivery at page exit, as the main entry; no page timings and
// no error capture, and one warning for a page that asks for them; and only its own files loaded.
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

const T0 = 1764166892000; // the fixed clock's first reading

test('the slim entry sends the seed bodies, and loads only its own files', async () => {
  server.reset();
  const { page, context, problems } = await openPage(browser, server.url + '/slim.html', { user: 'user-42' });
  const loaded = await page.evaluate(async () => {
    const { metricsCollector: m, logger, ready, flush } = window.telemetry;
    if ((await ready) !== true) throw new Error('the slim entry did not load');
    m.trackPageView('/jobs', 'user-42');
    m.trackApiCall('/api/jobs', 'GET', 200, 12.5);
    logger.info('jobs listed', { count: 3 });
    await flush();
    return performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname);
  });
  // Byte for byte, with nothing filtered out: the slim entry adds no page timings.
  const exact = (body, expected) => assert.equal(body, JSON.stringify(expected));
  let t = T0;
  exact(server.bodies('metrics')[0], {
    metrics: [
      { name: 'page_views_total', value: 1, labels: { page: '/jobs', user_id: 'user-42' }, timestamp: t++ },
      { name: 'api_calls_total', value: 1, labels: { endpoint: '/api/jobs', method: 'GET', status: '200' }, timestamp: t++ },
      { name: 'api_call_duration_ms', value: 12.5, labels: { endpoint: '/api/jobs', method: 'GET' }, timestamp: t++ },
    ],
  });
  exact(server.bodies('logs')[0], {
    logs: [
      {
        timestamp: new Date(t++).toISOString(),
        level: 'info',
        message: 'jobs listed',
        service: 'recoloca-frontend',
        version: '1.0.0',
        context: { count: 3 },
        user_id: 'user-42',
        session_id: 'session-e2e',
      },
    ],
  });
  assert.deepEqual(
    loaded.filter((p) => p.startsWith('/pkg/')),
    ['/pkg/slim.js', '/pkg/slim_bg.wasm'],
  );
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.warnings, []);
  await context.close();
});

test('the slim entry captures no errors and reports no timings, even when asked, and says so once', async () => {
  server.reset();
  const { page, context, problems } = await openPage(browser, server.url + '/slim.html', { now: null });
  await page.evaluate(async () => {
    const { configure, ready, metricsCollector } = window.telemetry;
    await ready;
    configure({ captureErrors: true, observePerformance: true, batchSize: 1000 });
    configure({ captureErrors: true });
    metricsCollector.recordMetric('before_exit_total', 1);
  });
  await page.mouse.click(10, 10); // an input, which page timings would measure
  await page.evaluate(() => window.throwLater());
  await until(() => problems.pageErrors.length === 1, 3000, 'the page to see its own error');
  // Leaving the page: the held metric goes out at exit (keepalive), as with the main entry.
  await page.goto(server.url + '/away.html');
  await until(() => server.state.metrics.some((m) => m.name === 'before_exit_total'), 5000, 'the metric sent at exit');
  await page.waitForTimeout(300);
  const names = server.state.metrics.map((m) => m.name);
  assert.deepEqual(names.filter((n) => TIMINGS.test(n) || n === 'frontend_errors_total'), [], names.join());
  assert.deepEqual(server.state.logs, [], 'no error entry');
  assert.deepEqual(problems.warnings, [
    '[@recoloca/telemetry] captureErrors and observePerformance are not in the slim entry',
  ]);
  assert.equal(problems.pageErrors.length, 1, 'only the page\'s own error: ' + problems.pageErrors.join());
  await context.close();
});

test('a page that loads both entries is told once that it has two clients', async () => {
  const { page, context, problems } = await openPage(browser, server.url + '/slim.html');
  await page.evaluate(async () => {
    await window.telemetry.ready;
    const main = await import('/pkg/index.js');
    await main.ready;
  });
  assert.deepEqual(problems.warnings, [
    '[@recoloca/telemetry] loaded twice: two separate clients',
  ]);
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

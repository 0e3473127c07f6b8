// The React bindings of the built package in headless Chromium, against the real collector:
// hook identity, StrictMode, and the error boundary. The app (app.jsx) is bundled by esbuild
// with the package left external, so the page loads the real /pkg/index.js and /pkg/react.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launch, collector, until } from '../e2e/harness.mjs';
import { buildApp } from './build.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

let browser;
let server;
let app;
before(async () => {
  app = buildApp();
  browser = await launch();
});

/** A collector of its own for each test: a closed page's exit request (its final timings)
 *  lands after the next test has begun, and must not count there. */
async function fresh() {
  await server?.close();
  server = await collector({
    mounts: { '/pkg/': here('../../pkg/'), '/react-app/': app, '/': here('../e2e/pages/') },
  });
}
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the app with listener and timer accounting installed before any script runs:
 *  `window.__added` lists `target:type` of every listener added to window or document, and
 *  `window.__intervals` counts intervals started minus cleared. */
async function openApp() {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.__added = [];
    window.__intervals = 0;
    const add = EventTarget.prototype.addEventListener;
    EventTarget.prototype.addEventListener = function (type, ...rest) {
      if (this === window) window.__added.push('window:' + type);
      else if (this === document) window.__added.push('document:' + type);
      return add.call(this, type, ...rest);
    };
    const setI = window.setInterval;
    const clearI = window.clearInterval;
    window.setInterval = function (...args) {
      window.__intervals++;
      return setI.apply(this, args);
    };
    window.clearInterval = function (id) {
      if (id !== undefined && id !== null) window.__intervals--;
      return clearI.call(this, id);
    };
    localStorage.removeItem('user_id');
    sessionStorage.setItem('session_id', 'session-react');
  });
  const page = await context.newPage();
  const uncaught = [];
  const consoleErrors = [];
  page.on('pageerror', (e) => uncaught.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(server.url + '/react-app/index.html');
  await page.waitForFunction(() => window.t !== undefined);
  assert.equal(await page.evaluate(() => window.t.telemetry.ready), true, 'the module loaded');
  // And the second module (error capture, page timings), which adds its listeners once loaded:
  // the package's own start is over before the tests mount anything.
  assert.equal(await page.evaluate(() => window.t.telemetry.__internals.watching()), true, 'the second module loaded');
  return { page, context, uncaught, consoleErrors };
}

const flush = (page) => page.evaluate(() => window.t.telemetry.flush());
const named = (name) => server.state.metrics.filter((m) => m.name === name);

for (const withProvider of [false, true]) {
  test(`hook functions keep their identity across renders (${withProvider ? 'with' : 'without'} a provider)`, async () => {
    await fresh();
    const { page, context, uncaught, consoleErrors } = await openApp();
    const report = await page.evaluate((wp) => {
      t.identity(wp);
      t.bump();
      t.bump();
      t.bump();
      t.rename('Renamed');
      t.bump();
      return t.identityReport();
    }, withProvider);
    assert.deepEqual(report.names, ['Probe', 'Probe', 'Probe', 'Probe', 'Renamed', 'Renamed']);
    assert.deepEqual(report.metricsKeys, ['recordMetric', 'trackApiCall', 'trackError', 'trackPageView', 'trackUserAction']);
    assert.deepEqual(report.loggerKeys, ['debug', 'error', 'info', 'warn']);
    assert.equal(report.metricsSame, true, 'useMetrics returns the same object and functions on every render');
    assert.equal(report.loggerSamePerName, true, 'useLogger returns the same functions while the name is the same');
    assert.equal(report.loggerChangedWithName, true, 'useLogger returns new functions for a new name');
    // The effect depends on hook functions: it ran on mount and on the rename only.
    assert.deepEqual(report.effects, ['Probe', 'Renamed']);

    await page.evaluate(() => t.useLast());
    await flush(page);
    const service = withProvider ? 'identity-app' : 'recoloca-frontend';
    assert.deepEqual(
      server.state.logs.map((l) => [l.level, l.message, l.service, l.context]),
      [
        ['debug', 'effect ran', service, { component: 'Probe' }],
        ['debug', 'effect ran', service, { component: 'Renamed' }],
        ['info', 'from the hook', service, { component: 'Renamed', k: 1 }],
        ['warn', 'own component wins', service, { component: 'Mine' }],
        ['error', 'hook error', service, { component: 'Renamed', k: 2 }],
      ],
    );
    assert.equal(server.state.logs[4].error.name, 'RangeError');
    assert.deepEqual(
      server.state.metrics.map((m) => [m.name, m.labels]),
      [['page_views_total', { page: '/identity', user_id: 'u-1' }]],
    );
    assert.deepEqual(uncaught, []);
    assert.deepEqual(consoleErrors, []);
    await context.close();
  });
}

for (const counted of [true, false]) {
  test(`under StrictMode the provider configures once and starts nothing (${counted ? 'a counting client' : 'the package client'})`, async () => {
    await fresh();
    const { page, context, uncaught, consoleErrors } = await openApp();
    const before = await page.evaluate(() => {
      // Buffered before the mount: a flush started by the provider would send it.
      t.telemetry.metricsCollector.recordMetric('before_mount_total', 1);
      return { added: window.__added.length, intervals: window.__intervals };
    });
    const during = await page.evaluate(async (counted) => {
      const at = window.__added.length;
      t.strict(counted);
      t.bump(); // new config objects, equal content
      t.bump();
      await new Promise((r) => setTimeout(r, 300)); // let effects and anything scheduled run
      return {
        added: window.__added.slice(at),
        intervals: window.__intervals,
        calls: t.configureCalls.slice(),
        lifecycle: t.lifecycle.slice(),
      };
    }, counted);
    assert.deepEqual(during.lifecycle, ['mount', 'unmount', 'mount'], 'StrictMode mounted the tree twice');
    assert.equal(await page.evaluate(() => t.text('n')), '2');
    // React DOM itself listens for selectionchange on the document; nothing else is added.
    assert.deepEqual(during.added.filter((a) => a !== 'document:selectionchange'), []);
    assert.equal(during.intervals, before.intervals, 'no interval started or left running');
    assert.equal(server.state.requests.length, 0, 'nothing sent by mounting, unmounting and remounting');
    if (counted) {
      assert.deepEqual(during.calls, [{ service: 'strict-app', version: '1.2.3', batchSize: 50 }]);
    }

    await page.click('#click');
    await page.click('#click');
    await flush(page);
    // One request per stream, and each event once.
    assert.deepEqual(server.state.requests.map((r) => r.stream).sort(), ['logs', 'metrics']);
    assert.deepEqual(
      server.state.metrics.map((m) => [m.name, m.labels?.action ?? null]),
      [['before_mount_total', null], ['user_actions_total', 'click'], ['user_actions_total', 'click']],
    );
    assert.deepEqual(
      server.state.logs.map((l) => [l.message, l.service, l.version, l.context]),
      [
        ['clicked', 'strict-app', '1.2.3', { component: 'Clicker' }],
        ['clicked', 'strict-app', '1.2.3', { component: 'Clicker' }],
      ],
    );

    // A changed config is applied, once.
    const calls = await page.evaluate(() => {
      t.setVersion('2.0.0');
      t.bump();
      return t.configureCalls.slice();
    });
    if (counted) {
      assert.deepEqual(calls, [
        { service: 'strict-app', version: '1.2.3', batchSize: 50 },
        { service: 'strict-app', version: '2.0.0', batchSize: 50 },
      ]);
    }
    server.reset(); // the same page goes on: same collector, counts from zero
    await page.click('#click');
    await flush(page);
    assert.deepEqual(server.state.logs.map((l) => l.version), ['2.0.0']);
    assert.equal(await page.evaluate(() => window.__intervals), before.intervals);
    assert.deepEqual(uncaught, []);
    assert.deepEqual(consoleErrors, []);
    await context.close();
  });
}

/** The boundary's reports received by the collector so far. */
function reports() {
  return {
    metrics: named('frontend_errors_total').map((m) => m.labels),
    logs: server.state.logs
      .filter((l) => l.level === 'error')
      .map((l) => ({ message: l.message, error: [l.error?.name, l.error?.message], context: l.context })),
  };
}

for (const strict of [false, true]) {
  test(`the error boundary reports each error once, renders the function fallback and resets (${strict ? 'StrictMode' : 'plain'})`, async () => {
    await fresh();
    const { page, context, uncaught } = await openApp();
    await page.evaluate((strict) => t.boundaryApp('function', strict), strict);
    assert.equal(await page.evaluate(() => t.text('ok')), 'fine');

    await page.evaluate(() => t.explode('first'));
    assert.equal(await page.evaluate(() => t.text('fallback')), 'failed: first');
    assert.equal(await page.evaluate(() => t.text('ok')), null);
    await flush(page);
    let r = reports();
    assert.deepEqual(r.metrics, [{ error_type: 'TypeError', component: 'Checkout', user_id: 'anonymous' }]);
    assert.equal(r.logs.length, 1);
    assert.equal(r.logs[0].message, 'Render error caught by Checkout');
    assert.deepEqual(r.logs[0].error, ['TypeError', 'first']);
    assert.equal(r.logs[0].context.component, 'Checkout');
    // React's component stack, innermost first: the thrower, then its parents up to the boundary.
    assert.match(r.logs[0].context.componentStack, /^\s+at Bomb\b.*\n\s+at section\b.*\n\s+at TelemetryErrorBoundary\b/s);
    assert.ok(server.state.logs[0].error.stack.includes('first'), 'the error stack is sent');

    // Defused, then reset from the fallback: the children render again, nothing new is reported.
    await page.evaluate(() => t.defuse());
    assert.equal(await page.evaluate(() => t.text('fallback')), 'failed: first', 'the fallback stays until reset');
    await page.click('#reset');
    assert.equal(await page.evaluate(() => t.text('ok')), 'fine');
    assert.equal(await page.evaluate(() => t.text('fallback')), null);

    // A second error is a new report; a reset while the child still throws is a third.
    await page.evaluate(() => t.explode('second'));
    await page.click('#reset');
    assert.equal(await page.evaluate(() => t.text('fallback')), 'failed: second');
    await flush(page);
    r = reports();
    assert.equal(r.metrics.length, 3);
    assert.deepEqual(r.logs.map((l) => l.error[1]), ['first', 'second', 'second']);
    assert.deepEqual(
      (await page.evaluate(() => t.onError)).map(([m, stack]) => [m, /at Bomb\b/.test(stack)]),
      [['first', true], ['second', true], ['second', true]],
    );
    assert.equal(server.state.duplicates, 0);
    assert.deepEqual(uncaught, [], 'a caught error does not reach the page');
    await context.close();
  });
}

test('the error boundary without provider or name: element fallback, default label, reset by ref', async () => {
  await fresh();
  const { page, context, uncaught } = await openApp();
  // A signed-in user: the boundary reports them, as the client's own error capture does.
  await page.evaluate(() => localStorage.setItem('user_id', 'u-7'));
  await page.evaluate(() => t.boundaryApp('element', false));
  await page.evaluate(() => t.explode('boom'));
  assert.equal(await page.evaluate(() => t.text('fallback')), 'element fallback');
  await page.evaluate(() => t.defuse());
  await page.evaluate(() => t.resetByRef());
  assert.equal(await page.evaluate(() => t.text('ok')), 'fine');
  await flush(page);
  const r = reports();
  assert.deepEqual(r.metrics, [{ error_type: 'TypeError', component: 'ErrorBoundary', user_id: 'u-7' }]);
  assert.deepEqual(
    r.logs.map((l) => [l.message, l.error, l.context.component, /at Bomb\b/.test(l.context.componentStack)]),
    [['Render error caught by ErrorBoundary', ['TypeError', 'boom'], 'ErrorBoundary', true]],
  );
  assert.deepEqual(uncaught, []);
  await context.close();
});

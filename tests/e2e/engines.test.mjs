// The package as shipped (release build, optimized, minified) in all three engines, through
// WebDriver (webdriver.mjs): Chromium, Firefox ESR and WebKitGTK, each against a real collector.
// The same tests in each: the seed's bodies byte for byte, calls made before `ready`, retry and
// idempotency, every page-exit path (hide, navigating away, closing the tab, a back/forward
// cache restore), persistence across a reload, hostile input, a module that traps, error
// capture, the React bindings, a strict Content-Security-Policy, and the page timings each
// engine can measure.
// ENGINES=webkit (or a comma-separated list) runs fewer.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startCollector } from '../../www/collector.mjs';
import { assertExactBody, until, TIMINGS } from './harness.mjs';
import { launch } from './webdriver.mjs';
import { validateOtlp } from '../otlp/validate.mjs';
import { callWithHostileInput, assertSurvivedHostileInput } from './hostile.mjs';
import { buildApp } from '../react/build.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const ENGINES = (process.env.ENGINES || 'chromium,firefox,webkit').split(',').filter(Boolean);

const T0 = 1764166892000; // the fixed clock's first reading (pages/setup.js)
const iso = (ms) => new Date(ms).toISOString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const KEPT = 'recoloca-telemetry:';

/** Large batches and long intervals: nothing goes before a flush or page exit. */
const HOLD = { batchSize: 1000, logBatchSize: 1000, flushIntervalMs: 600000, logFlushIntervalMs: 600000 };
const FAST_RETRY = { retryInitialMs: 50, retryMaxMs: 400, requestTimeoutMs: 1000 };

// The React test app is built once, for every engine.
let reactApp;
before(() => {
  reactApp = buildApp();
});

for (const engine of ENGINES) {
  describe(engine, () => {
    let browser;
    let server;
    before(async () => {
      browser = await launch(engine);
      console.log(`# ${engine}: ${browser.version}`);
    });
    after(async () => {
      try {
        await browser?.close();
      } finally {
        await server?.close();
      }
    });

    /** A collector of its own for each test, on a new port: a new origin, so neither the
     *  previous test's late requests nor its localStorage reach this one. */
    async function fresh(opts = {}) {
      await server?.close();
      server = await startCollector({
        mounts: { '/pkg/': here('../../pkg/'), '/react-app/': reactApp, '/': here('./pages/') },
        ...opts,
      });
      return server;
    }

    /** Opens engine.html with `query` (pages/setup.js) and applies `options` once loaded. */
    async function open(query = '', options = {}) {
      await browser.goto(`${server.url}/engine.html${query ? '?' + query : ''}`);
      const ok = await browser.run(async (options) => {
        const loaded = await window.telemetry.ready;
        window.telemetry.configure(options);
        // And the second module (loaded right after ready): the package's start is over, so
        // that no load of its own is in flight when a test leaves the page (Firefox keeps no
        // page with a request under way in its back/forward cache).
        await window.telemetry.__internals.watching();
        return loaded;
      }, options);
      assert.equal(ok, true, 'the module loaded');
    }

    const leave = () => browser.goto(server.url + '/away.html');
    const problems = () => browser.run(async () => window.problems);
    const flush = () => browser.run(() => window.telemetry.flush());
    const named = (name) => server.state.metrics.filter((m) => m.name === name);
    const kept = () => browser.run(async (prefix) => Object.keys(localStorage).filter((k) => k.startsWith(prefix)).length, KEPT);

    /** Records `n` metrics (`e2e_total` from..from+n-1) and as many log entries. */
    const record = (n, from = 0) =>
      browser.run(
        async (n, from) => {
          const { metricsCollector, logger } = window.telemetry;
          for (let i = from; i < from + n; i++) {
            metricsCollector.recordMetric('e2e_total', i, { k: 'v' });
            logger.info('log ' + i, { i });
          }
        },
        n,
        from,
      );

    const received = () => ({
      metrics: named('e2e_total').map((m) => m.value),
      logs: server.state.logs.filter((l) => l.message.startsWith('log ')).map((l) => l.context.i),
    });
    const range = (n, from = 0) => Array.from({ length: n }, (_, i) => from + i);

    /** Each of events from..from+n-1 arrives once per stream, in order, and no batch was sent
     *  again after it was accepted (the collector hides such duplicates: its requests show
     *  them). With `resent`, a batch may go again, but only as the same bytes under the same
     *  key, which a deduping collector stores once. */
    async function exactlyOnce(n, { from = 0, resent = false } = {}) {
      await until(() => received().metrics.length >= n && received().logs.length >= n, 8000, `${n} events per stream`);
      await sleep(300); // anything extra would show up now
      assert.deepEqual(received().metrics, range(n, from), 'metrics: each once, in order');
      assert.deepEqual(received().logs, range(n, from), 'logs: each once, in order');
      const accepted = server.state.requests.filter((r) => r.status === 200);
      const keys = accepted.map((r) => r.key);
      if (!resent) assert.equal(new Set(keys).size, keys.length, 'a batch was sent again: ' + keys.join());
      for (const r of accepted) {
        assert.equal(r.body, accepted.find((first) => first.key === r.key).body, `batch ${r.key}: other bytes under the same key`);
      }
    }

    test('the seed methods send the seed bodies and headers, byte for byte', async () => {
      await fresh();
      await open('user=user-7&session=sess-1');
      const stack = await browser.run(async () => {
        const { metricsCollector: m, logger, flush } = window.telemetry;
        m.recordMetric('cv_uploads_total', 1, { format: 'pdf', source: 'drag' });
        m.recordMetric('bare_metric', 2.5);
        m.trackPageView('/dashboard', 'user-42');
        m.trackPageView('/home');
        m.trackUserAction('click', 'UploadButton');
        m.trackApiCall('/api/cv/analyze', 'POST', 201, 845.25);
        m.trackError(new TypeError('x is undefined'), 'CVList', 'user-42');
        m.trackError(new RangeError('bad'));
        logger.debug('debugging', { step: 1 });
        logger.info('CV uploaded', { sizeKb: 120, tags: ['pdf'], nested: { ok: true } });
        logger.warn('slow response');
        const err = new TypeError('cannot read "score"');
        logger.error('analysis failed', err, { cvId: 'cv-9' });
        logger.error('no error object');
        await flush();
        return err.stack;
      });
      let t = T0;
      assertExactBody(server.bodies('metrics')[0], {
        metrics: [
          { name: 'cv_uploads_total', value: 1, labels: { format: 'pdf', source: 'drag' }, timestamp: t++ },
          { name: 'bare_metric', value: 2.5, timestamp: t++ },
          { name: 'page_views_total', value: 1, labels: { page: '/dashboard', user_id: 'user-42' }, timestamp: t++ },
          { name: 'page_views_total', value: 1, labels: { page: '/home', user_id: 'anonymous' }, timestamp: t++ },
          { name: 'user_actions_total', value: 1, labels: { action: 'click', component: 'UploadButton', user_id: 'anonymous' }, timestamp: t++ },
          { name: 'api_calls_total', value: 1, labels: { endpoint: '/api/cv/analyze', method: 'POST', status: '201' }, timestamp: t++ },
          { name: 'api_call_duration_ms', value: 845.25, labels: { endpoint: '/api/cv/analyze', method: 'POST' }, timestamp: t++ },
          { name: 'frontend_errors_total', value: 1, labels: { error_type: 'TypeError', component: 'CVList', user_id: 'user-42' }, timestamp: t++ },
          { name: 'frontend_errors_total', value: 1, labels: { error_type: 'RangeError', component: 'unknown', user_id: 'anonymous' }, timestamp: t++ },
        ],
      });
      const entry = (level, message) => ({ timestamp: iso(t++), level, message, service: 'recoloca-frontend', version: '1.0.0' });
      const who = { user_id: 'user-7', session_id: 'sess-1' };
      assertExactBody(server.bodies('logs')[0], {
        logs: [
          { ...entry('debug', 'debugging'), context: { step: 1 }, ...who },
          { ...entry('info', 'CV uploaded'), context: { sizeKb: 120, tags: ['pdf'], nested: { ok: true } }, ...who },
          { ...entry('warn', 'slow response'), ...who },
          { ...entry('error', 'analysis failed'), context: { cvId: 'cv-9' }, error: { name: 'TypeError', message: 'cannot read "score"', stack }, ...who },
          { ...entry('error', 'no error object'), ...who },
        ],
      });
      assert.deepEqual(server.state.requests.map((r) => r.stream), ['metrics', 'logs'], 'one request per stream');
      for (const r of server.state.requests) {
        assert.equal(r.type, 'application/json');
        assert.match(r.key, UUID);
      }
      assert.deepEqual(await problems(), { warnings: [], errors: [], violations: [] });
    });

    test('calls made before ready arrive, in order, with the time they were made', async () => {
      await fresh();
      await browser.goto(server.url + '/engine.html?early');
      assert.equal(await browser.run(() => window.readyResult), true);
      await browser.run(() => window.flushed);
      const seedMetrics = () => server.state.metrics.filter((m) => !TIMINGS.test(m.name));
      await until(() => seedMetrics().length === 6 && server.state.logs.length === 2, 3000, 'the early calls');
      assert.deepEqual(
        seedMetrics().map((m) => [m.name, m.value, m.timestamp]),
        [0, 1, 2, 3, 4].map((i) => ['early_total', i, T0 + i]).concat([['page_views_total', 1, T0 + 6]]),
      );
      assert.deepEqual(
        server.state.logs.map((l) => [l.level, l.message, l.timestamp]),
        [['info', 'first', iso(T0 + 5)], ['warn', 'second', iso(T0 + 7)]],
      );
      assert.deepEqual((await problems()).errors, []);
    });

    test('failed attempts are retried with the same key and body; Retry-After is obeyed', async () => {
      // Each batch: a 503, then a 429 asking for a 1 s wait, then accepted.
      await fresh({
        respond: ({ attempt }) => (attempt === 1 ? 503 : attempt === 2 ? { status: 429, headers: { 'Retry-After': '1' } } : 200),
      });
      await open('clock=real', { ...HOLD, ...FAST_RETRY });
      await record(12);
      await flush();
      await exactlyOnce(12);
      for (const stream of ['metrics', 'logs']) {
        const tries = server.state.requests.filter((r) => r.stream === stream);
        const first = tries[0];
        const same = tries.filter((r) => r.key === first.key);
        assert.deepEqual(same.map((r) => r.status), [503, 429, 200], `${stream}: the attempts of one batch`);
        assert.ok(same.every((r) => r.body === first.body), `${stream}: the same bytes on every attempt`);
        assert.ok(same[2].at - same[1].at >= 950, `${stream}: retried ${same[2].at - same[1].at} ms after the 429`);
      }
      // The client reports its own retries.
      await flush();
      await until(() => named('telemetry_retries_total').length > 0, 3000, 'the retries metric');
    });

    test('a fetch that ignores its abort signal and never settles is timed out and retried', async () => {
      await fresh();
      await open('clock=real', { ...HOLD, ...FAST_RETRY, requestTimeoutMs: 500 });
      const flushed = await browser.run(async () => {
        // A page's own wrapper of fetch that swallows each stream's first request: it never
        // settles, whatever the signal says.
        const real = window.fetch;
        const swallowed = new Set();
        window.fetch = (url, init) => {
          if (!swallowed.has(String(url))) {
            swallowed.add(String(url));
            return new Promise(() => {});
          }
          return real(url, init);
        };
        const { metricsCollector, logger, flush } = window.telemetry;
        for (let i = 0; i < 6; i++) {
          metricsCollector.recordMetric('e2e_total', i, { k: 'v' });
          logger.info('log ' + i, { i });
        }
        // flush() settles once each stream has sent or stopped at a failure: here, the timeout.
        return Promise.race([flush().then(() => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 3000))]);
      });
      assert.equal(flushed, 'settled', 'flush() waits no longer than the timeout');
      await exactlyOnce(6);
    });

    test('a tab switch away sends what is buffered, once, and coming back withdraws nothing', async () => {
      await fresh();
      await open('clock=real', HOLD);
      await record(7);
      await sleep(200);
      assert.equal(server.state.requests.length, 0, 'nothing before the hide');
      await browser.run(async () => window.setVisibility('hidden'));
      await exactlyOnce(7);
      await browser.run(async () => window.setVisibility('visible'));
      await record(3, 7);
      await flush();
      await exactlyOnce(10);
    });

    test('navigating away sends what is buffered, each batch once', async () => {
      await fresh();
      await open('clock=real', HOLD);
      await record(15);
      await sleep(200);
      assert.equal(server.state.requests.length, 0, 'nothing before the page is left');
      await leave();
      await exactlyOnce(15);
    });

    test('closing the tab sends what is buffered', async () => {
      await fresh();
      await leave(); // the tab that opens the next one is a page of this origin
      const tab = await browser.openTab(server.url + '/engine.html?clock=real');
      try {
        await browser.run(async (options) => {
          await window.telemetry.ready;
          window.telemetry.configure(options);
        }, HOLD);
        await record(9);
        await sleep(200);
        assert.equal(server.state.requests.length, 0, 'nothing before the tab is closed');
      } finally {
        await tab.close();
      }
      await exactlyOnce(9);
    });

    test('a page restored from the back/forward cache goes on sending, nothing twice', async () => {
      // Served without `no-store`, which would keep the page out of the cache.
      await fresh({ pageHeaders: (url) => (url.startsWith('/engine.html') ? { 'Cache-Control': 'no-cache' } : undefined) });
      await open('clock=real', HOLD);
      await browser.run(async () => {
        window.restored = false;
        addEventListener('pageshow', (e) => (window.restored = e.persisted));
      });
      await record(5);
      await leave();
      await exactlyOnce(5);
      await browser.back();
      // The same page object, back from the cache: its own state survived.
      await until(() => browser.poll(async () => window.restored === true), 5000, 'the restore');
      const types = await browser.run(async () => {
        // The two frames that time the restored view's paints (and one more).
        for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
        return PerformanceObserver.supportedEntryTypes;
      });
      await record(5, 5);
      await leave();
      // Firefox never hands the page the answers to keepalive requests that arrive while it is
      // in the cache (Chromium hands them over after pageshow): the client cannot know those
      // batches arrived, and sends them again under their keys.
      await exactlyOnce(10, { resent: engine === 'firefox' });
      // The restored view is a new one (web-vitals' reading): TTFB 0, and the paints timed by
      // frames, but only where the engine measures that paint at all; CLS starts over where
      // the engine has layout shifts. Nothing is invented for what the engine lacks.
      const has = (type) => types.includes(type);
      const expected = [
        'time_to_first_byte_ms',
        ...(has('paint') ? ['first_contentful_paint_ms'] : []),
        ...(has('largest-contentful-paint') ? ['largest_contentful_paint_ms'] : []),
        ...(has('layout-shift') && has('paint') ? ['cumulative_layout_shift'] : []),
      ].sort();
      const restoredView = () => server.state.metrics.filter((m) => m.labels?.navigation_type === 'back-forward-cache');
      await until(() => restoredView().length >= expected.length, 3000, 'the restored view timings');
      assert.deepEqual(restoredView().map((m) => m.name).sort(), expected, `supported: ${types.join()}`);
      assert.equal(restoredView().find((m) => m.name === 'time_to_first_byte_ms').value, 0);
    });

    test('batches of a page left during an outage are kept and sent once by the next load', async () => {
      let outage = true;
      await fresh({ respond: () => (outage ? 503 : 200) });
      await open('clock=real', { ...FAST_RETRY, batchSize: 5, logBatchSize: 5 });
      await record(25);
      await flush();
      await leave();
      assert.equal(await kept(), 1, 'one entry in localStorage');
      assert.deepEqual(received(), { metrics: [], logs: [] });
      outage = false;
      await browser.goto(server.url + '/engine.html?clock=real');
      await exactlyOnce(25);
      assert.equal(await kept(), 0, 'taken over by the new page');
    });

    test('a batch whose keepalive request from an earlier hide still hangs goes again when the page is left', async () => {
      // The collector never answers a batch's first attempt (hanging connections go with it).
      await fresh({ respond: ({ attempt }) => (attempt === 1 ? 'hang' : 200) });
      await open('clock=real', HOLD);
      await browser.run(async () => {
        window.telemetry.metricsCollector.recordMetric('hidden_before_total', 1);
        window.telemetry.logger.info('hidden before');
        window.setVisibility('hidden');
        await new Promise((r) => setTimeout(r, 300));
        window.setVisibility('visible');
      });
      await until(() => server.state.requests.length >= 2, 3000, 'the hide to send both batches');
      assert.deepEqual(server.state.requests.map((r) => r.status), ['hang', 'hang'], 'the hide sent both batches');
      await leave();
      const answered = (stream) => server.state.requests.filter((r) => r.stream === stream && r.status === 200);
      await until(() => answered('metrics').length === 1 && answered('logs').length === 1, 5000, 'both batches again at page exit');
      assert.ok(named('hidden_before_total').length === 1);
    });

    test('hostile input neither throws nor stops delivery', async () => {
      await fresh();
      await open();
      const thrown = await browser.run(callWithHostileInput);
      const { warnings, errors } = await problems();
      assert.deepEqual(errors, []);
      assertSurvivedHostileInput(server, thrown, warnings);
    });

    test('a module that traps is turned off: no call throws, and a trap in its own listener is recognised', async () => {
      await fresh();
      await open('memory');
      const r = await browser.run(async () => {
        const t = window.telemetry;
        // Every byte of the module's memory made 0xff: the next pointer it follows is out of
        // bounds, and it traps (as a bug in it would).
        new Uint8Array(window.wasmMemory.buffer).fill(0xff);
        const thrown = [];
        const calls = [
          () => t.metricsCollector.recordMetric('after_trap', 1),
          () => t.logger.info('after trap', { a: 1 }),
          () => t.configure({ batchSize: 5 }),
          () => t.flush(),
        ];
        for (const call of calls) {
          try {
            await call();
          } catch (e) {
            thrown.push(String(e));
          }
        }
        await new Promise((r) => setTimeout(r, 50));
        const afterCalls = t.__internals.traps();
        // One of the module's own listeners runs, with no call of the page around it: the
        // package must know that trap for its own (by the stack this engine writes).
        dispatchEvent(new Event('online'));
        await new Promise((r) => setTimeout(r, 100));
        return { thrown, afterCalls, traps: t.__internals.traps() };
      });
      assert.deepEqual(r.thrown, []);
      assert.ok(r.afterCalls >= 1, 'the trap in a call is counted');
      assert.ok(r.traps > r.afterCalls, 'the trap in the module\'s own listener is recognised');
      const { warnings } = await problems();
      const ours = warnings.filter((w) => w.startsWith('[@recoloca/telemetry]'));
      assert.deepEqual(ours, [ours.find((w) => /WebAssembly module failed/.test(w))], 'said once, nothing else said');
    });

    test('uncaught errors, unhandled rejections and failed loads are captured', async () => {
      await fresh();
      await open('clock=real&user=u-1', HOLD);
      await browser.run(async () => {
        window.throwLater();
        window.rejectLater();
        const img = document.createElement('img');
        const failed = new Promise((r) => img.addEventListener('error', r));
        img.src = '/missing-picture.png';
        document.body.appendChild(img);
        await failed;
        await new Promise((r) => setTimeout(r, 100)); // the thrown error and the rejections too
        await window.telemetry.flush();
      });
      await until(() => server.state.logs.length === 4, 3000, 'four error entries');
      const entry = (name) => server.state.logs.find((l) => l.error?.name === name);
      const thrown = entry('TypeError');
      assert.equal(thrown.error.message, 'cannot read "score"');
      assert.match(thrown.error.stack, /thrower/);
      assert.deepEqual(thrown.context.cause, [{ name: 'Error', message: 'no analysis' }]);
      assert.equal(thrown.context.component, 'global');
      assert.match(thrown.context.source.file, /\/setup\.js$/);
      assert.ok(thrown.context.source.line > 0, JSON.stringify(thrown.context.source));
      assert.deepEqual([entry('RangeError').error.message, entry('RangeError').context.component], ['quota exceeded', 'promise']);
      assert.equal(entry('UnhandledRejection').error.message, '{"code":503}');
      assert.equal(entry('ResourceError').message, 'failed to load <img> /missing-picture.png');
      const counted = named('frontend_errors_total').map((m) => `${m.labels.error_type}/${m.labels.component}/${m.labels.user_id}`);
      assert.deepEqual(counted.sort(), ['RangeError/promise/u-1', 'ResourceError/global/u-1', 'TypeError/global/u-1', 'UnhandledRejection/promise/u-1']);
    });

    test("a captured error's name and every line of its stack are bounded like its message", async () => {
      await fresh();
      await open('clock=real', HOLD);
      const longest = await browser.run(async () => {
        window.throwLong();
        await new Promise((r) => setTimeout(r, 300));
        await window.telemetry.flush();
        return window.longestStackLine;
      });
      await until(() => server.state.logs.length === 1, 3000, 'the error entry');
      const { error } = server.state.logs[0];
      assert.equal(error.name, 'N'.repeat(1000));
      assert.equal(error.message, 'long');
      const lines = error.stack.split('\n');
      // Where the engine names the function in its frame (Chromium, Firefox), that line is
      // kept, cut to the bound.
      if (longest > 3000) assert.ok(lines.some((l) => l.includes('f'.repeat(500))), 'the long frame is kept, cut');
      assert.ok(lines.every((l) => [...l].length <= 1000), `lines of ${lines.map((l) => l.length).join(', ')} characters`);
      assert.deepEqual(named('frontend_errors_total').map((m) => m.labels.error_type), ['N'.repeat(1000)]);
    });

    test('the React bindings: stable hooks, and the error boundary reports a render error once', async () => {
      await fresh();
      await browser.goto(server.url + '/react-app/index.html');
      await until(() => browser.run(async () => window.t !== undefined), 5000, 'the app');
      assert.equal(await browser.run(() => window.t.telemetry.ready), true, 'the module loaded');
      const report = await browser.run(async () => {
        const { t } = window;
        t.identity(true);
        t.bump();
        t.bump();
        const identity = t.identityReport();
        t.useLast();
        t.root.unmount();
        t.boundaryApp('function', false);
        t.explode('render failed');
        const fallback = t.text('fallback');
        await t.telemetry.flush();
        return { identity, fallback };
      });
      assert.equal(report.identity.metricsSame, true, 'useMetrics: the same functions on every render');
      assert.equal(report.identity.loggerSamePerName, true, 'useLogger: the same functions on every render');
      assert.equal(report.fallback, 'failed: render failed');
      await until(() => server.state.logs.some((l) => l.message === 'Render error caught by Checkout'), 3000, 'the boundary report');
      assert.deepEqual(
        named('frontend_errors_total').filter((m) => m.labels.component === 'Checkout').map((m) => [m.labels.error_type, m.value]),
        [['TypeError', 1]],
      );
      const caught = server.state.logs.filter((l) => l.message === 'Render error caught by Checkout');
      assert.equal(caught.length, 1);
      assert.equal(caught[0].error.message, 'render failed');
      assert.match(caught[0].context.componentStack, /Bomb/);
      const hooks = server.state.logs.filter((l) => l.message === 'from the hook');
      assert.deepEqual(hooks.map((l) => l.context), [{ component: 'Probe', k: 1 }]);
    });

    test('under a strict Content-Security-Policy the package loads and delivers', async () => {
      // No eval, no inline script: only the page's own scripts, WebAssembly compilation
      // ('wasm-unsafe-eval'), and requests to its own origin.
      const policy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self'";
      await fresh({ pageHeaders: (url) => (url.startsWith('/engine.html') ? { 'Content-Security-Policy': policy } : undefined) });
      await open('clock=real', HOLD);
      await record(4);
      await flush();
      await exactlyOnce(4);
      // What this page saw while it loaded the module and sent (one seen at exit could not be
      // read: the delivery at exit is asserted instead).
      const { violations, errors } = await problems();
      assert.deepEqual([violations, errors], [[], []]);
      await record(2, 4);
      await leave(); // keepalive or beacon: connect-src governs both
      await exactlyOnce(6);
    });

    test('page timings: what the engine measures, and nothing it does not', async () => {
      await fresh();
      await open('clock=real');
      await browser.click('#button');
      await sleep(300);
      const facts = await browser.run(async () => {
        const nav = performance.getEntriesByType('navigation')[0];
        return {
          types: PerformanceObserver.supportedEntryTypes,
          interactionId: typeof PerformanceEventTiming !== 'undefined' && 'interactionId' in PerformanceEventTiming.prototype,
          // What TTFB needs, as in web-vitals. WebKit's timings are whole milliseconds: a page
          // that arrives over loopback within one has a responseStart of 0, and no TTFB.
          responseStart: !!nav && nav.responseStart > 0 && nav.responseStart < performance.now(),
        };
      });
      await leave();
      const has = (type) => facts.types.includes(type);
      // What each timing needs from the engine (README, "Page timings").
      const expected = [
        ...(has('navigation') ? ['dom_content_loaded_ms', 'page_load_time_ms'] : []),
        ...(has('navigation') && facts.responseStart ? ['time_to_first_byte_ms'] : []),
        ...(has('paint') ? ['first_contentful_paint_ms'] : []),
        ...(has('largest-contentful-paint') ? ['largest_contentful_paint_ms'] : []),
        ...(has('layout-shift') && has('paint') ? ['cumulative_layout_shift'] : []),
        // The click was the page's first input, and an interaction.
        ...(has('first-input') ? ['first_input_delay_ms'] : []),
        ...(has('event') && facts.interactionId ? ['interaction_to_next_paint_ms'] : []),
      ].sort();
      const timings = () => server.state.metrics.filter((m) => TIMINGS.test(m.name));
      // Given time to arrive; then exactly these, whatever did (the comparison shows the rest).
      await until(() => timings().length >= expected.length, 5000).catch(() => {});
      await sleep(300);
      assert.deepEqual(timings().map((m) => m.name).sort(), expected, `supported: ${facts.types.join()}`);
      for (const m of timings()) {
        assert.equal(m.labels.navigation_type, 'navigate');
        assert.ok(m.value >= 0, JSON.stringify(m));
      }
      console.log(`# ${engine}: ${facts.types.join(', ')} -> ${expected.join(', ')}`);
    });

    test('the OTLP entry traces the page\'s fetch and XMLHttpRequest calls, and its header goes to the page\'s origin only', async () => {
      await fresh({ demo: { minLatencyMs: 5, maxLatencyMs: 20, failureRate: 0 } });
      const otel = await startCollector(); // another origin: the OpenTelemetry Collector
      const other = await startCollector(); // an unlisted origin: no traceparent ever
      try {
        await browser.goto(`${server.url}/engine-otlp.html`);
        const statuses = await browser.run(
          async (otel, other) => {
            await window.telemetry.ready;
            window.telemetry.configure({ otlpEndpoint: otel, instrumentRequests: true, metricsEndpoint: null, logsEndpoint: null, captureErrors: false, observePerformance: false });
            const out = [(await fetch('/api/demo/jobs?token=x')).status];
            out.push(await (await fetch(new Request('/api/demo/jobs', { method: 'POST', body: 'hello' }))).json().then((j) => j.ok));
            out.push(
              await new Promise((resolve) => {
                const x = new XMLHttpRequest();
                x.open('GET', '/api/demo/jobs/7');
                x.onloadend = () => resolve(x.status);
                x.send();
              }),
            );
            // No CORS there: an opaque answer, whose status the page cannot read (0).
            out.push((await fetch(other + '/api/demo/jobs', { mode: 'no-cors' })).status);
            await new Promise((r) => setTimeout(r, 50));
            await window.telemetry.flush();
            return out;
          },
          otel.url,
          other.url,
        );
        assert.deepEqual(statuses, [200, true, 200, 0]);
        // The page's own origin got a traceparent on each request; the other origin none.
        const logged = server.state.serverLog.filter((l) => l.trace_id);
        assert.equal(logged.length, 3, JSON.stringify(server.state.serverLog));
        assert.equal(other.state.serverLog.length, 1, 'the other origin was asked');
        assert.equal(other.state.serverLog.filter((l) => l.trace_id).length, 0);
        // One CLIENT span per request, the same trace ids as the headers, every body valid.
        await until(() => otel.state.otlp.spans.filter((s) => s.kind === 3).length >= 4, 8000, 'four client spans');
        const spans = otel.state.otlp.spans.filter((s) => s.kind === 3);
        for (const l of logged) assert.ok(spans.some((s) => s.traceId === l.trace_id && s.spanId === l.span_id), `no span for ${l.trace_id}`);
        assert.equal(spans.length, 4);
        for (const body of otel.bodies('otlp_traces')) {
          const v = validateOtlp('traces', body);
          assert.ok(v.ok, v.error);
        }
        const endpoints = new Set(otel.state.otlp.metrics.filter((p) => p.name === 'api_calls_total').map((p) => p.attributes.endpoint));
        assert.ok(endpoints.has('/api/demo/jobs') && endpoints.has('/api/demo/jobs/:id'), [...endpoints].join());
      } finally {
        await otel.close();
        await other.close();
      }
    });
  });
}

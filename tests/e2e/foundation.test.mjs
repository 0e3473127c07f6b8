// The built, optimized package in headless Chromium against a real collector: the exact bodies
// of every seed method, and hostile input. (Calls made before `ready` are tested in every
// engine, Chromium included, by engines.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, collector, openPage, until, assertExactBody, TIMINGS } from './harness.mjs';
import { callWithHostileInput, assertSurvivedHostileInput } from './hostile.mjs';

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

const T0 = 1764166892000; // the fixed clock's first reading: 2025-11-26T14:21:32.000Z
const iso = (ms) => new Date(ms).toISOString();

test('every seed metric method produces the seed body', async () => {
  server.reset();
  const { page, context, problems } = await openPage(browser, server.url + '/index.html');
  await page.evaluate(async () => {
    const { metricsCollector: m, ready, flush } = window.telemetry;
    await ready;
    m.recordMetric('cv_uploads_total', 1, { format: 'pdf', source: 'drag' });
    m.recordMetric('bare_metric', 2.5);
    m.trackPageView('/dashboard', 'user-42');
    m.trackPageView('/home');
    m.trackUserAction('click', 'UploadButton');
    m.trackUserAction('submit', 'CVForm', 'user-42');
    m.trackApiCall('/api/cv/analyze', 'POST', 201, 845.25);
    m.trackError(new TypeError('x is undefined'), 'CVList', 'user-42');
    m.trackError(new RangeError('bad'));
    await flush();
  });
  const bodies = server.bodies('metrics');
  assert.equal(bodies.length, 1, 'ten metrics under one flush: one request');
  let t = T0;
  const expected = {
    metrics: [
      { name: 'cv_uploads_total', value: 1, labels: { format: 'pdf', source: 'drag' }, timestamp: t++ },
      { name: 'bare_metric', value: 2.5, timestamp: t++ },
      { name: 'page_views_total', value: 1, labels: { page: '/dashboard', user_id: 'user-42' }, timestamp: t++ },
      { name: 'page_views_total', value: 1, labels: { page: '/home', user_id: 'anonymous' }, timestamp: t++ },
      { name: 'user_actions_total', value: 1, labels: { action: 'click', component: 'UploadButton', user_id: 'anonymous' }, timestamp: t++ },
      { name: 'user_actions_total', value: 1, labels: { action: 'submit', component: 'CVForm', user_id: 'user-42' }, timestamp: t++ },
      { name: 'api_calls_total', value: 1, labels: { endpoint: '/api/cv/analyze', method: 'POST', status: '201' }, timestamp: t++ },
      { name: 'api_call_duration_ms', value: 845.25, labels: { endpoint: '/api/cv/analyze', method: 'POST' }, timestamp: t++ },
      { name: 'frontend_errors_total', value: 1, labels: { error_type: 'TypeError', component: 'CVList', user_id: 'user-42' }, timestamp: t++ },
      { name: 'frontend_errors_total', value: 1, labels: { error_type: 'RangeError', component: 'unknown', user_id: 'anonymous' }, timestamp: t++ },
    ],
  };
  // Byte for byte what the seed's JSON.stringify({ metrics }) would send.
  assertExactBody(bodies[0], expected);
  const req = server.state.requests[0];
  assert.equal(req.type, 'application/json');
  assert.match(req.key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('a batch of ten metrics is sent without waiting for the timer (the seed batch size)', async () => {
  server.reset();
  const { page, context } = await openPage(browser, server.url + '/index.html');
  await page.evaluate(async () => {
    await window.telemetry.ready;
    for (let i = 0; i < 10; i++) window.telemetry.metricsCollector.recordMetric('tick_total', i);
  });
  const ticks = () => server.state.metrics.filter((m) => m.name === 'tick_total');
  await until(() => ticks().length === 10, 3000, 'ten metrics');
  assert.deepEqual(ticks().map((m) => m.value), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await context.close();
});

test('every logger method produces the seed LogEntry', async () => {
  server.reset();
  const { page, context, problems } = await openPage(browser, server.url + '/index.html', { user: 'user-7', session: 'sess-1' });
  const stack = await page.evaluate(async () => {
    const { logger, ready, flush } = window.telemetry;
    await ready;
    logger.debug('debugging', { step: 1 });
    logger.info('CV uploaded', { component: 'Upload', sizeKb: 120, tags: ['pdf'], nested: { ok: true } });
    logger.warn('slow response');
    const err = new TypeError('cannot read "score"');
    logger.error('analysis failed', err, { cvId: 'cv-9' });
    logger.error('no error object');
    await flush();
    return err.stack;
  });
  const bodies = server.bodies('logs');
  assert.equal(bodies.length, 1);
  let t = T0;
  const base = (level, message) => ({ timestamp: iso(t++), level, message, service: 'recoloca-frontend', version: '1.0.0' });
  const who = { user_id: 'user-7', session_id: 'sess-1' };
  const expected = {
    logs: [
      { ...base('debug', 'debugging'), context: { step: 1 }, ...who },
      { ...base('info', 'CV uploaded'), context: { component: 'Upload', sizeKb: 120, tags: ['pdf'], nested: { ok: true } }, ...who },
      { ...base('warn', 'slow response'), ...who },
      { ...base('error', 'analysis failed'), context: { cvId: 'cv-9' }, error: { name: 'TypeError', message: 'cannot read "score"', stack }, ...who },
      { ...base('error', 'no error object'), ...who },
    ],
  };
  assertExactBody(bodies[0], expected);
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('text outside ASCII arrives intact, whichever way it crosses into the module', async () => {
  // Every string a call hands the module crosses as UTF-8 written into its memory: ASCII a byte
  // at a time, anything else through TextEncoder into a block grown and then shrunk to fit,
  // which the module takes over as its own. A long ASCII start makes the second path begin
  // late in the block.
  server.reset();
  const user = 'usuário-7';
  const session = 'sessão-1';
  const { page, context, problems } = await openPage(browser, server.url + '/index.html', { user, session });
  const long = 'a'.repeat(300) + 'é — 日本語 😀';
  const stack = await page.evaluate(async (long) => {
    const { metricsCollector: m, logger, ready, flush, configure } = window.telemetry;
    await ready;
    // The other way in: the module reads each option's text from the object (js-sys Reflect).
    configure({ service: 'serviço 🚀' });
    m.recordMetric('ações_total', 1, { cidade: 'São Paulo 🌎' });
    m.trackPageView('/vagas/é', 'usuário-7');
    // Half of a surrogate pair is not text: TextEncoder writes it as U+FFFD, so the body stays
    // valid UTF-8. (The seed's JSON.stringify writes the escape \ud83d, which decodes to no
    // character; labels and contexts, which index.js turns into JSON, keep that escape.)
    m.recordMetric('metade_\ud83d', 1, { metade: '\ud83d' });
    logger.info(long, { cidade: 'São Paulo' });
    const err = new TypeError('não é função 🙃');
    logger.error('falhou ✗', err);
    logger.warn('metade \ud83d', { metade: '\ud83d' });
    await flush();
    return err.stack;
  }, long);
  assert.equal(server.bodies('metrics').length, 1);
  assert.equal(server.bodies('logs').length, 1);
  let t = T0;
  assertExactBody(server.bodies('metrics')[0], {
    metrics: [
      { name: 'ações_total', value: 1, labels: { cidade: 'São Paulo 🌎' }, timestamp: t++ },
      { name: 'page_views_total', value: 1, labels: { page: '/vagas/é', user_id: user }, timestamp: t++ },
      { name: 'metade_\ufffd', value: 1, labels: { metade: '\ud83d' }, timestamp: t++ },
    ],
  });
  const base = (level, message) => ({ timestamp: iso(t++), level, message, service: 'serviço 🚀', version: '1.0.0' });
  const who = { user_id: user, session_id: session };
  assertExactBody(server.bodies('logs')[0], {
    logs: [
      { ...base('info', long), context: { cidade: 'São Paulo' }, ...who },
      { ...base('error', 'falhou ✗'), error: { name: 'TypeError', message: 'não é função 🙃', stack }, ...who },
      { ...base('warn', 'metade \ufffd'), context: { metade: '\ud83d' }, ...who },
    ],
  });
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('a session id is created once with crypto.randomUUID and kept in sessionStorage', async () => {
  server.reset();
  const { page, context } = await openPage(browser, server.url + '/index.html', { session: null });
  const stored = await page.evaluate(async () => {
    sessionStorage.removeItem('session_id');
    const { logger, ready, flush } = window.telemetry;
    await ready;
    logger.info('a');
    logger.info('b');
    await flush();
    return sessionStorage.getItem('session_id');
  });
  assert.match(stored, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(server.state.logs.map((l) => l.session_id), [stored, stored]);
  assert.ok(server.state.logs.every((l) => !('user_id' in l)), 'no user_id when localStorage has none');
  await context.close();
});

/** batchSize 2 took effect: `first_total` and `second_total` go at once, together, not at the
 *  30 s interval. (Other bodies may arrive too: the previous test's page sends its timings as
 *  it closes.) */
async function assertSentAsBatchOfTwo() {
  const batch = () => server.bodies('metrics').find((b) => b.includes('"second_total"'));
  await until(() => batch() !== undefined, 3000, 'a batch of two');
  const names = JSON.parse(batch()).metrics.map((m) => m.name).filter((n) => !TIMINGS.test(n));
  assert.deepEqual(names, ['first_total', 'second_total']);
}

test('configure() called from inside an option getter: the outer options still apply', async () => {
  server.reset();
  const { page, context } = await openPage(browser, server.url + '/index.html');
  await page.evaluate(async () => {
    const { configure, metricsCollector: m, ready } = window.telemetry;
    await ready;
    configure({
      batchSize: 2,
      // Read after the options before it: the inner call must not take what they staged.
      get service() {
        configure({ logBatchSize: 500 });
        return 'recoloca-frontend';
      },
    });
    m.recordMetric('first_total', 1);
    m.recordMetric('second_total', 1);
  });
  await assertSentAsBatchOfTwo();
  await context.close();
});

test('configure() made from inside a call of the module (a wrapped fetch) still applies', async () => {
  server.reset();
  const { page, context, problems } = await openPage(browser, server.url + '/index.html');
  await page.evaluate(async () => {
    const { configure, metricsCollector: m, ready, flush } = window.telemetry;
    await ready;
    const send = window.fetch;
    window.fetch = (...args) => {
      window.fetch = send;
      configure({ batchSize: 2 }); // the module is inside flush() here
      return send(...args);
    };
    m.recordMetric('flushed_total', 1);
    await flush();
    // The wrapper runs when that batch goes (later, if a request of the page's timings is
    // still under way); the retry applies the options a microtask after it.
    for (let i = 0; i < 300 && window.fetch !== send; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 0));
    m.recordMetric('first_total', 1);
    m.recordMetric('second_total', 1);
  });
  await assertSentAsBatchOfTwo();
  assert.deepEqual(problems.warnings, []);
  await context.close();
});

test('logs and identity changes made from inside the client\'s own calls are applied, in order', async () => {
  server.reset();
  const { page, context, problems } = await openPage(browser, server.url + '/index.html');
  await page.evaluate(async () => {
    const { configure, logger, ready, flush } = window.telemetry;
    await ready;
    configure({ observePerformance: false, logBatchSize: 1000, batchSize: 1000 });
    await flush();
    // A page's own fetch wrapper that logs, and changes the user, while the client is sending;
    // and a console.warn hook that logs while the client warns.
    const send = window.fetch;
    window.fetch = (...args) => {
      window.fetch = send;
      logger.info('from inside fetch');
      localStorage.setItem('user_id', 'user-after');
      return send(...args);
    };
    const warn = console.warn;
    console.warn = (...args) => {
      console.warn = warn;
      logger.info('from inside console.warn');
    };
    logger.info('before');
    await flush(); // the wrapper runs here, inside the client's delivery
    configure({ batchSize: 'ten' }); // the client warns: the hook runs inside its call
    logger.info('after');
    await flush();
  });
  await until(() => server.state.logs.length >= 4);
  assert.deepEqual(
    server.state.logs.map((l) => [l.message, l.user_id]),
    [
      ['before', undefined],
      ['from inside fetch', undefined],
      ['from inside console.warn', 'user-after'],
      ['after', 'user-after'],
    ],
  );
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('hostile input neither throws nor stops delivery', async () => {
  server.reset();
  const { page, context, problems } = await openPage(browser, server.url + '/index.html');
  const thrown = await page.evaluate(callWithHostileInput);
  assert.deepEqual(problems.pageErrors, []);
  assertSurvivedHostileInput(server, thrown, problems.warnings);
  await context.close();
});

test('a module that traps turns telemetry off for the page: said once, counted, no call throws', async () => {
  server.reset();
  // The page keeps the module's memory, as any script could, by wrapping WebAssembly's own
  // instantiation (nothing of the package's is reached into).
  const keepMemory = () => {
    for (const name of ['instantiateStreaming', 'instantiate']) {
      const original = WebAssembly[name];
      WebAssembly[name] = async (...args) => {
        const result = await original.apply(WebAssembly, args);
        const instance = result.instance ?? result;
        // The main module's: the first instantiated (the second one loads after `ready`).
        window.wasmMemory ??= instance.exports?.memory;
        return result;
      };
    }
  };
  const { page, context, problems } = await openPage(browser, server.url + '/index.html', { init: keepMemory });
  const { thrown, afterCalls, traps, before } = await page.evaluate(async () => {
    const t = window.telemetry;
    await t.ready;
    t.configure({ observePerformance: false, captureErrors: false, flushIntervalMs: 60_000 });
    await t.flush();
    const before = t.__internals.traps();
    // Every byte of the module's memory made 0xff: the next pointer it follows is out of
    // bounds, and the module traps (as a bug in it would).
    new Uint8Array(window.wasmMemory.buffer).fill(0xff);
    const thrown = [];
    const calls = [
      () => t.metricsCollector.recordMetric('after_trap', 1),
      () => t.metricsCollector.trackPageView('/x'),
      () => t.logger.info('after trap', { a: 1 }),
      () => t.logger.error('after trap', new Error('e')),
      () => t.configure({ batchSize: 5 }),
      () => t.flush(),
      () => t.metricsCollector.recordMetric('again', 2),
    ];
    for (const call of calls) {
      try {
        await call();
      } catch (e) {
        thrown.push(String(e));
      }
    }
    const afterCalls = t.__internals.traps();
    // One of the module's own listeners runs now, with no call of the page around it.
    dispatchEvent(new Event('online'));
    await new Promise((r) => setTimeout(r, 100));
    return { thrown, afterCalls, traps: t.__internals.traps(), before };
  });
  assert.equal(before, 0);
  assert.deepEqual(thrown, []);
  // The first call that reached the module trapped (and the module was not called again); its
  // own listener trapped too: each is counted, and none reaches the page as an error.
  assert.ok(afterCalls >= 1, 'the trap in a call is counted');
  assert.ok(traps > afterCalls, 'the trap in the module\'s own listener is counted');
  // Said once, and nothing else said: no call reached the dead module to fail there.
  const ours = problems.warnings.filter((w) => w.startsWith('[@recoloca/telemetry]'));
  assert.deepEqual(ours, [ours.find((w) => /WebAssembly module failed/.test(w))]);
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

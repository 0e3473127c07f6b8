// Error capture with real uncaught errors in Chromium, against the built package: global
// errors, cross-origin "Script error.", unhandled rejections, failed resources, and a storm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, collector, openPage, until } from './harness.mjs';

let browser;
let server;
let other; // a second origin, for the cross-origin script
before(async () => {
  browser = await launch();
  other = await collector();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await other?.close();
});

async function start() {
  await server?.close();
  server = await collector();
  const opened = await openPage(browser, server.url + '/errors.html', { now: null, user: 'u-1' });
  await opened.page.evaluate(async () => {
    await window.telemetry.ready;
    window.telemetry.configure({ batchSize: 1000, logBatchSize: 1000 });
    // Error capture listens once the second module has loaded (errors before that are kept
    // and reported then, but not while their event is being told, which some tests need).
    await window.telemetry.__internals.watching();
  });
  return opened;
}

const flush = (page) => page.evaluate(() => window.telemetry.flush());
const errorMetrics = () => server.state.metrics.filter((m) => m.name === 'frontend_errors_total');
const errorCount = () => errorMetrics().reduce((n, m) => n + m.value, 0);

test('an uncaught error is reported once, and the page keeps its own onerror', async () => {
  const { page, context } = await start();
  await page.evaluate(() => window.throwLater());
  await page.waitForTimeout(50);
  await flush(page);
  await until(() => server.state.logs.length === 1, 3000, 'the error entry');
  const [m] = errorMetrics();
  assert.deepEqual(m.labels, { error_type: 'TypeError', component: 'global', user_id: 'u-1' });
  const [l] = server.state.logs;
  assert.equal(l.level, 'error');
  assert.deepEqual([l.error.name, l.error.message], ['TypeError', 'cannot read "score"']);
  assert.match(l.error.stack, /at thrower .*errors\.html:\d+:\d+/);
  assert.equal(l.context.component, 'global');
  assert.deepEqual(l.context.cause, [{ name: 'Error', message: 'no analysis' }]);
  assert.match(l.context.source.file, /\/errors\.html$/);
  assert.ok(l.context.source.line > 0 && l.context.source.column > 0);
  assert.equal(await page.evaluate(() => typeof window.onerror), 'function');
  assert.equal(await page.evaluate(() => window.pageSawErrors), 1);
  await context.close();
});

test('a cause chain is cut at five causes and each message at 1,000 characters; no cause, no field', async () => {
  const { page, context } = await start();
  await page.evaluate(() => {
    // top -> level 1 -> (1,200 × é) -> level 3 -> … -> level 6 -> root: seven causes.
    let cause = new Error('root');
    for (let i = 6; i >= 1; i--) cause = new Error(i === 2 ? 'é'.repeat(1200) : 'level ' + i, { cause });
    const top = new TypeError('top', { cause });
    setTimeout(() => {
      throw top;
    });
    setTimeout(() => {
      throw new RangeError('alone');
    });
  });
  await page.waitForTimeout(50);
  await flush(page);
  await until(() => server.state.logs.length >= 2, 3000, 'two error entries');
  const byMessage = (m) => server.state.logs.filter((l) => l.error?.message === m);
  const [withCauses] = byMessage('top');
  assert.deepEqual(withCauses.context.cause, [
    { name: 'Error', message: 'level 1' },
    { name: 'Error', message: 'é'.repeat(1000) }, // cut on a character, not a byte
    { name: 'Error', message: 'level 3' },
    { name: 'Error', message: 'level 4' },
    { name: 'Error', message: 'level 5' },
  ]);
  const [alone] = byMessage('alone');
  assert.equal(alone.error.name, 'RangeError');
  assert.ok(!('cause' in alone.context), JSON.stringify(alone.context));
  assert.equal(server.state.logs.length, 2);
  await context.close();
});

test('metrics recorded before an uncaught error arrive ahead of its report', async () => {
  const { page, context } = await start();
  // One task: the metric is staged for the module, then the error event fires before that
  // task's microtasks would hand it over.
  await page.evaluate(() =>
    setTimeout(() => {
      window.telemetry.metricsCollector.recordMetric('before_error_total', 1);
      throw new Error('after the metric');
    }),
  );
  await page.waitForTimeout(50);
  await flush(page);
  const names = server.state.metrics.map((m) => m.name).filter((n) => n !== 'telemetry_events_dropped_total');
  assert.deepEqual(names.slice(0, 2), ['before_error_total', 'frontend_errors_total'], names.join());
  await context.close();
});

test('an error told while a wrapped fetch calls configure() keeps its location', async () => {
  const { page, context } = await start();
  await page.evaluate(() => {
    // Handing over the metric staged just before the throw sends a batch of one, through the
    // page's own fetch, which calls configure() while the error event is being told.
    window.telemetry.configure({ batchSize: 1 });
    const send = window.fetch;
    window.fetch = (...args) => {
      // The test means something only if this runs while the error event is being told.
      window.sentDuringError ||= window.event?.type === 'error';
      window.telemetry.configure({ service: 'recoloca-frontend' });
      return send(...args);
    };
    setTimeout(function located() {
      window.telemetry.metricsCollector.recordMetric('before_error_total', 1);
      throw new TypeError('located');
    });
  });
  await page.waitForTimeout(50);
  await flush(page);
  await until(() => server.state.logs.length === 1, 3000, 'the error entry');
  assert.equal(await page.evaluate(() => window.sentDuringError), true);
  const { source } = server.state.logs[0].context;
  assert.ok(source.line > 0 && source.column > 0, JSON.stringify(source));
  await context.close();
});

test('a cross-origin "Script error." is captured with what the browser tells', async () => {
  const { page, context, problems } = await start();
  await page.evaluate((src) => {
    const s = document.createElement('script');
    s.src = src;
    document.head.appendChild(s);
  }, other.url + '/thrower.js');
  await page.waitForTimeout(200);
  await flush(page);
  await until(() => server.state.logs.length === 1, 3000, 'the error entry');
  const [l] = server.state.logs;
  assert.equal(l.message, 'Script error.');
  assert.equal(l.error.name, 'Error');
  assert.deepEqual(l.context.source, { file: '', line: 0, column: 0 });
  assert.ok(!JSON.stringify(server.state.logs).includes('secret'), 'nothing the browser hid');
  assert.equal(errorCount(), 1);
  assert.ok(problems.pageErrors.length >= 1, 'the page did see an error');
  await context.close();
});

test('unhandled rejections: an Error keeps its fields, any other value a bounded text', async () => {
  const { page, context } = await start();
  await page.evaluate(() => {
    Promise.reject(new RangeError('quota exceeded'));
    Promise.reject({ code: 503, body: 'y'.repeat(3000) });
    Promise.reject(undefined);
  });
  await page.waitForTimeout(100);
  await flush(page);
  await until(() => server.state.logs.length === 3, 3000, 'three entries');
  const [a, b, c] = server.state.logs;
  assert.deepEqual([a.error.name, a.error.message, a.context.component], ['RangeError', 'quota exceeded', 'promise']);
  assert.equal(b.error.name, 'UnhandledRejection');
  assert.ok(b.error.message.startsWith('{"code":503,"body":"yyy') && b.error.message.length === 1000);
  assert.deepEqual([c.error.name, c.error.message], ['UnhandledRejection', 'undefined']);
  assert.deepEqual(errorMetrics().map((m) => m.labels.component), ['promise', 'promise', 'promise']);
  await context.close();
});

test('captureErrors off removes both listeners; on again adds them once', async () => {
  const { page, context, problems } = await start();
  const breakBoth = async (label) => {
    const before = problems.pageErrors.length;
    await page.evaluate((label) => {
      setTimeout(() => {
        throw new Error('thrown ' + label);
      });
      Promise.reject(new Error('rejected ' + label));
    }, label);
    await until(() => problems.pageErrors.length === before + 2, 3000, 'the page to see both');
    await page.waitForTimeout(50);
    await flush(page);
  };
  await page.evaluate(() => window.telemetry.configure({ captureErrors: false }));
  await breakBoth('while off');
  await page.evaluate(() => {
    window.telemetry.configure({ captureErrors: true });
    window.telemetry.configure({ captureErrors: true });
  });
  await breakBoth('while on');
  await until(() => server.state.logs.length >= 2, 3000, 'the two entries');
  await page.waitForTimeout(200);
  await flush(page);
  assert.deepEqual(server.state.logs.map((l) => l.error.message).sort(), ['rejected while on', 'thrown while on']);
  // A second pair of listeners would report each error twice, the repeat as a count.
  assert.equal(errorMetrics().reduce((n, m) => n + m.value, 0), 2, JSON.stringify(errorMetrics()));
  await context.close();
});

test('a failed resource load is captured', async () => {
  const { page, context } = await start();
  await page.evaluate(() => {
    const img = document.createElement('img');
    img.src = '/missing-picture.png';
    document.body.appendChild(img);
  });
  await page.waitForTimeout(200);
  await flush(page);
  await until(() => server.state.logs.length === 1, 3000, 'the entry');
  assert.equal(server.state.logs[0].error.name, 'ResourceError');
  assert.equal(server.state.logs[0].message, 'failed to load <img> /missing-picture.png');
  await context.close();
});

/** Throws 10,000 errors spread over one second; reports how long that second really took and
 *  the longest the page went without running a 4 ms heartbeat. */
const storm = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve) => {
        const t0 = performance.now();
        let longestGap = 0;
        let last = t0;
        const beat = setInterval(() => {
          const now = performance.now();
          longestGap = Math.max(longestGap, now - last);
          last = now;
        }, 4);
        for (let i = 0; i < 10000; i++) {
          setTimeout(() => {
            throw new Error('storm ' + (i % 300));
          }, i / 10);
        }
        setTimeout(() => {
          clearInterval(beat);
          resolve({ total: performance.now() - t0, longestGap });
        }, 1100);
      }),
  );

test('a storm of 10,000 errors: the page stays responsive, reports stay within the limit, counts are exact', async () => {
  // The same storm without capture first: the browser's own cost of 10,000 uncaught errors
  // (with a debugger protocol client attached) is the yardstick for "responsive".
  const bare = await start();
  await bare.page.evaluate(() => window.telemetry.configure({ captureErrors: false }));
  const without = await storm(bare.page);
  await bare.context.close();

  const { page, context } = await start();
  const withCapture = await storm(page);
  await flush(page);
  await until(() => errorCount() === 10000, 5000, 'every error counted');
  const reports = server.state.logs.filter((l) => l.level === 'error').length;
  const notices = server.state.logs.filter((l) => l.message.startsWith('error reports rate limited')).length;
  assert.equal(reports, 100);
  assert.equal(notices, 1);
  assert.equal(server.state.metrics.filter((m) => m.name === 'frontend_errors_total').length <= 110, true, 'counted in a few events, not 10,000');
  console.log(`storm: ${Math.round(without.total)} ms / longest stall ${Math.round(without.longestGap)} ms without capture; ${Math.round(withCapture.total)} / ${Math.round(withCapture.longestGap)} ms with`);
  // Generous margins: both runs share a 2-core machine with whatever else runs; what must not
  // happen is capture multiplying the cost (a per-error request or report would).
  const budget = without.total * 2 + 1000;
  assert.ok(withCapture.total < budget, `storm took ${withCapture.total} ms with capture, ${without.total} ms without`);
  // The longest stall is printed, not asserted: with a debugger-protocol client receiving
  // 10,000 exceptions it swings by seconds from run to run, with capture or without.
  await context.close();
});

test('redact: one RegExp as a list of one; a value that is not a RegExp left out, said once', async () => {
  const { page, context, problems } = await start();
  const thrown = async (message) => {
    await page.evaluate((message) => {
      setTimeout(() => {
        throw new Error(message);
      });
      return new Promise((r) => setTimeout(r, 50));
    }, message);
    await flush(page);
  };
  await page.evaluate(() => window.telemetry.configure({ redact: /k-\d+/ }));
  await thrown('key k-123 refused');
  await page.evaluate(() => window.telemetry.configure({ redact: ['k-', null, /id=\w+/] }));
  await thrown('key k-456 refused for id=ana');
  await page.evaluate(() => window.telemetry.configure({ redact: 'k-' }));
  await until(() => server.state.logs.length === 2, 3000, 'two error entries');
  assert.deepEqual(server.state.logs.map((l) => l.error.message), ['key [redacted] refused', 'key k-456 refused for [redacted]']);
  const said = problems.warnings.filter((w) => w.includes('redact takes RegExps'));
  assert.deepEqual(said, ['[@recoloca/telemetry] redact takes RegExps (an array, or one); other values were left out']);
  await context.close();
});

test('URLs lose their query and fragment, and the app\'s redact patterns hide what they match', async () => {
  const { page, context } = await start();
  await page.evaluate(async () => {
    // An email anywhere in a captured message or stack, as an app would list it.
    window.telemetry.configure({ redact: [/[\w.+-]+@[\w-]+\.[\w.]+/] });
    const script = document.createElement('script');
    script.src = '/query-thrower.js?token=s3cr3t#session=abc';
    document.head.append(script);
    const img = document.createElement('img');
    img.src = '/missing.png?token=s3cr3t';
    document.body.append(img);
    await new Promise((r) => setTimeout(r, 200));
  });
  await flush(page);
  await until(() => server.state.logs.length === 2, 3000, 'two error entries');
  const [thrown, resource] = ['Error', 'ResourceError'].map((name) => server.state.logs.find((l) => l.error.name === name));
  assert.equal(thrown.error.message, 'could not save for [redacted]: https://api.recoloca.ai/v1/cv');
  assert.equal(thrown.context.source.file, server.url + '/query-thrower.js');
  assert.match(thrown.error.stack ?? '', /query-thrower\.js:3:\d+/, 'the frame keeps its line and column');
  // (A resource is named as its attribute names it: here, relative.)
  assert.equal(resource.error.message, 'failed to load <img> /missing.png');
  assert.equal(resource.context.source.file, '/missing.png');
  const sent = JSON.stringify(server.state.logs) + JSON.stringify(server.state.metrics);
  for (const secret of ['s3cr3t', 'session=abc', 'k-123', 'ana.lima']) assert.ok(!sent.includes(secret), `no ${secret} in what was sent`);
  await context.close();
});

// Consent and session sampling (#21) in the shipped package, headless Chromium: what reaches
// the collector and what the page's storage holds after each step. The gates themselves are
// the core's (src/core/src/consent.rs, tested natively); this checks that the page's calls,
// its exit and its storage all go through them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, collector, openPage, until } from './harness.mjs';

let browser;
let server;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

// Quick batches, so that anything allowed out goes within a second.
const FAST = { batchSize: 2, logBatchSize: 2, flushIntervalMs: 200, logFlushIntervalMs: 200, retryInitialMs: 50, retryMaxMs: 200 };

async function start(query, { respond, session = null } = {}) {
  await server?.close();
  server = await collector(respond ? { respond } : {});
  const opened = await openPage(browser, `${server.url}/consent.html${query}`, { now: null, session });
  await opened.page.evaluate(async (c) => {
    await window.telemetry.ready;
    window.telemetry.configure(c);
  }, FAST);
  return opened;
}

/** Records `n` metrics and `n` log entries of the test's own. */
const record = (page, n, from = 0) =>
  page.evaluate(
    ({ n, from }) => {
      for (let i = from; i < from + n; i++) {
        window.telemetry.metricsCollector.recordMetric('c_total', i);
        window.telemetry.logger.info('entry ' + i);
      }
    },
    { n, from },
  );

const arrived = () => ({
  metrics: server.state.metrics.filter((m) => m.name === 'c_total' || m.name === 'early_total').map((m) => `${m.name}:${m.value}`),
  logs: server.state.logs.filter((l) => l.message.startsWith('entry ')).map((l) => l.message),
});

/** What the page's storage holds of the client's: batches kept for a later page, and the session. */
const storage = (page) =>
  page.evaluate(() => ({
    kept: Object.keys(localStorage).filter((k) => k.startsWith('recoloca-telemetry:')).length,
    session: sessionStorage.getItem('session_id'),
  }));

const setVisibility = (page, state) =>
  page.evaluate((state) => {
    Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);

const settle = (ms = 700) => new Promise((r) => setTimeout(r, ms));

/** Waits until no request has reached the collector for `ms`. */
async function quiet(ms = 500) {
  let seen = -1;
  while (server.state.totals.requests !== seen) {
    seen = server.state.totals.requests;
    await settle(ms);
  }
}

test("'pending' records and keeps everything in the page; 'granted' sends it, once", async () => {
  const { page, context } = await start('?consent=pending');
  await record(page, 3);
  await page.evaluate(() => window.telemetry.flush());
  await settle();
  assert.deepEqual(arrived(), { metrics: [], logs: [] }, 'nothing sent while pending');
  assert.deepEqual(await page.evaluate(() => window.core.held()[0] + window.core.held()[2]), 7, 'but recorded: 4 metrics, 3 entries');
  assert.deepEqual(await storage(page), { kept: 0, session: null }, 'nothing written: no batch, no session id');
  // Page exit while pending: still nothing out, nothing stored.
  await setVisibility(page, 'hidden');
  await settle(300);
  assert.deepEqual(arrived(), { metrics: [], logs: [] });
  assert.equal((await storage(page)).kept, 0);
  await setVisibility(page, 'visible');

  await page.evaluate(() => window.telemetry.setTrackingConsent('granted'));
  // The session id the page kept in memory is written at once (an app that records only
  // metrics from then on keeps its session across its pages too).
  const held = await storage(page);
  assert.ok(held.session, 'the session id written when consent is granted');
  await record(page, 1, 3);
  await until(() => arrived().metrics.length >= 5 && arrived().logs.length >= 4, 5000, 'what pending kept');
  await settle(300);
  assert.deepEqual(arrived(), {
    metrics: ['early_total:1', 'c_total:0', 'c_total:1', 'c_total:2', 'c_total:3'],
    logs: ['entry 0', 'entry 1', 'entry 2', 'entry 3'],
  });
  // The session id the entries carry is the one now written, the same before and after.
  const { session } = await storage(page);
  assert.equal(session, held.session);
  assert.deepEqual([...new Set(server.state.logs.map((l) => l.session_id))], [session]);
  await context.close();
});

test("'not-granted' records nothing and removes what earlier pages stored", async () => {
  // An earlier page of the origin, the collector down: its batches stay in localStorage.
  const down = await start('', { respond: () => 503 });
  await record(down.page, 2);
  await down.page.evaluate(() => window.telemetry.flush());
  await setVisibility(down.page, 'hidden');
  assert.equal((await storage(down.page)).kept, 1, 'an earlier page kept its batches');
  const page = await down.context.newPage();
  await down.page.close({ runBeforeUnload: true });
  // The collector back only once the earlier page's last attempts have come and been refused
  // (it retried every 200 ms at most until it closed): what arrives from then on can only be
  // this page's doing.
  await quiet();
  server.state.respond = undefined;
  await page.goto(`${server.url}/consent.html?consent=not-granted`);
  await page.evaluate(async (c) => {
    await window.telemetry.ready;
    window.telemetry.configure(c);
  }, FAST);
  await until(async () => (await storage(page)).kept === 0, 3000, 'the stored batches removed');
  await record(page, 3);
  await page.evaluate(() => window.telemetry.flush());
  await settle();
  assert.deepEqual(await page.evaluate(() => window.core.held()), [0, 0, 0, 0], 'nothing recorded');
  assert.equal(server.state.metrics.filter((m) => m.name === 'c_total').length, 0, 'nothing sent, the stored batches neither');
  assert.deepEqual(await storage(page), { kept: 0, session: null });
  await down.context.close();
});

test("consent withdrawn: what was buffered is discarded, and nothing more is recorded", async () => {
  const { page, context } = await start('', { respond: () => 503 });
  await record(page, 3);
  assert.ok((await page.evaluate(() => window.core.held()[0])) > 0, 'buffered while the collector is down');
  await page.evaluate(() => window.telemetry.setTrackingConsent('not-granted'));
  assert.deepEqual(await page.evaluate(() => window.core.held()), [0, 0, 0, 0], 'discarded');
  server.state.respond = undefined;
  await record(page, 2, 3);
  await page.evaluate(() => window.telemetry.flush());
  await setVisibility(page, 'hidden');
  await settle();
  assert.equal(server.state.metrics.filter((m) => m.name === 'c_total').length, 0);
  assert.equal((await storage(page)).kept, 0, 'and nothing stored at exit');
  await context.close();
});

/** The client's sampling decision, as src/core/src/consent.rs makes it: FNV-1a of the id. */
function inSample(id, rate) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(id)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h % 10000 < rate * 100;
}

test('sessionSampleRate: 0 sends nothing, 100 everything, and a session is in or out for good', async () => {
  for (const [rate, expected] of [[0, 0], [100, 3]]) {
    const { page, context } = await start(`?rate=${rate}`, { session: 's-fixed' });
    await record(page, 2);
    await page.evaluate(() => window.telemetry.flush());
    await settle();
    assert.equal(arrived().metrics.length, expected, `rate ${rate}`);
    await context.close();
  }
  // Two sessions on either side of a 50% sample, each loaded twice: the same answer each time.
  const ids = ['s-1', 's-2', 's-3', 's-4', 's-5', 's-6'];
  const inside = ids.find((id) => inSample(id, 50));
  const outside = ids.find((id) => !inSample(id, 50));
  for (const [session, expected] of [[inside, 3], [outside, 0]]) {
    for (const load of [1, 2]) {
      const { page, context } = await start('?rate=50', { session });
      await record(page, 2);
      await page.evaluate(() => window.telemetry.flush());
      await settle();
      assert.equal(arrived().metrics.length, expected, `session ${session}, load ${load}`);
      await context.close();
    }
  }
});

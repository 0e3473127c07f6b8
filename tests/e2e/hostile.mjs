// Hostile input, shared by the Playwright suite (foundation.test.mjs) and the WebDriver suite of
// every engine (engines.test.mjs): every exported function called with values that break naive
// code, then ordinary calls that must still arrive.
import assert from 'node:assert/strict';

/** Runs in the page (its source is sent to the browser: it may use nothing from this file).
 *  Returns what threw, as `label: error` lines; there must be none. */
export async function callWithHostileInput() {
  const { metricsCollector: m, logger, configure, ready, flush } = window.telemetry;
  await ready;
  const circular = { a: 1 };
  circular.self = circular;
  const evil = {
    toString() {
      throw new Error('toString');
    },
    get message() {
      throw new Error('getter');
    },
  };
  const huge = 'x'.repeat(1 << 20);
  const values = [undefined, null, NaN, Infinity, -Infinity, 10n, Symbol('s'), () => 1, circular, huge, evil];
  const thrown = [];
  const attempt = (label, f) => {
    try {
      f();
    } catch (e) {
      thrown.push(label + ': ' + e);
    }
  };
  for (const v of values) {
    attempt('recordMetric name', () => m.recordMetric(v, 1));
    attempt('recordMetric value', () => m.recordMetric('hostile_value', v));
    attempt('recordMetric labels', () => m.recordMetric('hostile_labels', 1, v));
    attempt('recordMetric label value', () => m.recordMetric('hostile_label_value', 1, { k: v }));
    attempt('trackPageView', () => m.trackPageView(v, v));
    attempt('trackUserAction', () => m.trackUserAction(v, v, v));
    attempt('trackApiCall', () => m.trackApiCall(v, v, v, v));
    attempt('trackError', () => m.trackError(v, v, v));
    for (const level of ['debug', 'info', 'warn']) attempt(level, () => logger[level](v, v));
    attempt('error', () => logger.error(v, v, v));
    attempt('configure', () => configure(v));
    // beforeSend set to it, and a hook that answers it (then calls that go through them).
    attempt('beforeSend', () => configure({ beforeSend: v }));
    attempt('beforeSend metric', () => m.recordMetric('hostile_hooked', 1));
    attempt('beforeSend answer', () => configure({ beforeSend: () => v }));
    attempt('beforeSend answer metric', () => m.recordMetric('hostile_answered', 1, { k: 'v' }));
    attempt('beforeSend answer log', () => logger.info('hostile answered', { k: 'v' }));
  }
  attempt('beforeSend off', () => configure({ beforeSend: null }));
  attempt('configure bad types', () => configure({ batchSize: 'ten', service: 42 }));
  await flush();
  m.recordMetric('after_hostile_total', 1, { ok: 'yes' });
  logger.info('still alive', { ok: true });
  await flush();
  return thrown;
}

/** What the collector received and the page's console warnings after
 *  `callWithHostileInput` threw `thrown`: nothing thrown, every body of the seed's shape, the
 *  calls after it delivered, and warnings that name the problem without flooding. */
export function assertSurvivedHostileInput(server, thrown, warnings) {
  assert.deepEqual(thrown, []);
  const after = server.state.metrics.filter((m) => m.name === 'after_hostile_total');
  assert.deepEqual(after.map((m) => m.labels), [{ ok: 'yes' }]);
  assert.equal(server.state.logs.at(-1).message, 'still alive');
  // Every body that arrived is valid JSON of the seed's shape, whatever went in.
  for (const m of server.state.metrics) assert.ok(typeof m.name === 'string' && Number.isFinite(m.value), JSON.stringify(m));
  assert.ok(server.state.logs.every((l) => typeof l.message === 'string' && l.message.length < 65536));
  // The circular context arrived, its cycle coerced.
  assert.ok(server.state.logs.some((l) => l.context && l.context.self === '[Circular]'));
  // Warnings, not silence: and not one per call.
  assert.ok(warnings.length > 0 && warnings.length < 30, warnings.join('\n'));
  // A mistyped option is named, with the type it must have.
  for (const w of ['configure(): batchSize must be a number; it was ignored', 'configure(): service must be a string; it was ignored']) {
    assert.ok(warnings.includes('[@recoloca/telemetry] ' + w), warnings.join('\n'));
  }
}

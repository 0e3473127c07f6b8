// Server-side rendering imports the package in Node: importing and calling it must not throw,
// touch `window`, or start anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('the main entry imports and runs in Node without a window', async () => {
  assert.equal(typeof globalThis.window, 'undefined');
  const t = await import('../../pkg/index.js');
  assert.equal(await t.ready, false, 'no module is loaded outside a browser');
  t.configure({ batchSize: 5 });
  t.metricsCollector.recordMetric('ssr_total', 1, { a: 'b' });
  t.metricsCollector.trackPageView('/ssr');
  t.logger.info('rendered on the server', { ok: true });
  t.logger.error('oops', new Error('x'));
  assert.equal(await t.flush(), undefined);
  assert.equal(typeof globalThis.window, 'undefined');
});

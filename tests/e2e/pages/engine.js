// The package as a page without a bundler loads it: a native ES module import. With `?early`,
// calls are made before the WebAssembly module has loaded: they must be queued and replayed in
// order once it has.
import * as telemetry from '/pkg/index.js';

window.telemetry = telemetry;
window.core = telemetry.__internals;

if (new URLSearchParams(location.search).has('early')) {
  const { metricsCollector, logger, configure, flush, ready } = telemetry;
  configure({ batchSize: 1000, logBatchSize: 1000 });
  for (let i = 0; i < 5; i++) metricsCollector.recordMetric('early_total', i);
  logger.info('first');
  metricsCollector.trackPageView('/early');
  logger.warn('second', { n: 2 });
  window.flushed = flush();
  window.readyResult = ready;
}

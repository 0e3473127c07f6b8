// OTLP export end to end: the built `@recoloca/telemetry/otlp` entry in Chromium, on one origin,
// exporting to a collector on another (a second port), under the faults the seed's streams are
// tested with. Every OTLP body the package sends is checked against the official protobuf
// definitions and OTLP/JSON's own rules (tests/otlp/validate.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, collector, openPage, until } from './harness.mjs';
import { startCollector } from '../../www/collector.mjs';
import { validateOtlp } from '../otlp/validate.mjs';

let browser;
let site; // serves the page and the package, and takes the seed's own bodies
let otel; // the OpenTelemetry Collector's stand-in, on another origin
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await site?.close();
  await otel?.close();
});

const FAST = { retryInitialMs: 50, retryMaxMs: 400, requestTimeoutMs: 500, batchSize: 5, logBatchSize: 5, flushIntervalMs: 1000, logFlushIntervalMs: 1000 };
const OTLP_ONLY = { metricsEndpoint: null, logsEndpoint: null };
const API_KEY = { 'X-Api-Key': 'k-123' };

/** A page of the OTLP entry on `site`, configured to export to `otel`. */
async function start({ respond, config = {}, now = null } = {}) {
  await site?.close();
  await otel?.close();
  site = await collector();
  otel = await startCollector({ respond });
  const opened = await openPage(browser, site.url + '/otlp.html', { now, user: 'u-1' });
  await opened.page.evaluate(
    async (c) => {
      await window.telemetry.ready;
      window.telemetry.configure(c);
    },
    { ...FAST, otlpEndpoint: otel.url, otlpHeaders: API_KEY, observePerformance: false, captureErrors: false, ...config },
  );
  return opened;
}

/** Every OTLP body the collector received, each valid; the parsed bodies. */
function validBodies(stream) {
  return otel.bodies(stream).map((body) => {
    const kind = stream === 'otlp_metrics' ? 'metrics' : 'logs';
    const verdict = validateOtlp(kind, body);
    assert.ok(verdict.ok, `${kind} body rejected by the OTLP validator: ${verdict.error}\n${body}`);
    return JSON.parse(body);
  });
}

/** Data points of accepted batches, by metric name. */
const points = (name) => otel.state.otlp.metrics.filter((p) => p.name === name);
const sum = (name) => points(name).reduce((s, p) => s + p.value, 0);
const logRecords = (prefix) => otel.state.otlp.logs.filter((l) => l.body.startsWith(prefix));

/** Records `n` increments of `fi_total` (0..n-1), `n` durations `fi_ms` (the same values) and
 *  `n` log entries `log i`. */
async function record(page, n) {
  await page.evaluate(async (n) => {
    const { metricsCollector, logger } = window.telemetry;
    for (let i = 0; i < n; i++) {
      metricsCollector.recordMetric('fi_total', i, { k: 'v' });
      metricsCollector.recordMetric('fi_ms', i, { k: 'v' });
      logger.info('log ' + i, { i });
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 5));
    }
  }, n);
}

/** Each of `n` events arrived once: the sums add up to 0+1+…+(n-1), the histograms hold `n`
 *  samples adding up to the same, and there is one record per entry. */
async function exactlyOnce(n, ms = 15000) {
  const total = (n * (n - 1)) / 2;
  const samples = () => points('fi_ms').reduce((c, p) => c + Number(p.count), 0);
  await until(() => sum('fi_total') >= total && samples() >= n && logRecords('log ').length >= n, ms, `${n} events in OTLP`);
  await new Promise((r) => setTimeout(r, 300)); // anything extra would show up now
  assert.equal(sum('fi_total'), total, 'the sums of fi_total');
  assert.equal(samples(), n, 'the histogram samples of fi_ms');
  assert.equal(points('fi_ms').reduce((s, p) => s + p.sum, 0), total, 'the histogram sums of fi_ms');
  const seen = logRecords('log ').map((l) => Number(l.body.slice(4))).sort((a, b) => a - b);
  assert.deepEqual(seen, Array.from({ length: n }, (_, i) => i), 'each log record once');
  validBodies('otlp_metrics');
  validBodies('otlp_logs');
}

test('the seed\'s calls reach a collector on another origin as OTLP, with exact sums, histograms and log records', async () => {
  const { page, context, problems } = await start({ config: { ...OTLP_ONLY, batchSize: 100, logBatchSize: 100 }, now: 1764166892000 });
  await page.evaluate(async () => {
    const { metricsCollector: m, logger } = window.telemetry;
    m.trackPageView('/jobs', 'u-1');
    m.trackPageView('/jobs', 'u-2');
    m.trackPageView('/cv', 'u-1');
    m.trackApiCall('/api/jobs', 'GET', 200, 120);
    m.trackApiCall('/api/jobs', 'GET', 200, 2600);
    m.recordMetric('queue_length', 3, { queue: 'uploads' });
    m.recordMetric('queue_length', 5, { queue: 'uploads' });
    logger.info('CV uploaded', { component: 'Upload', size: 3 });
    const e = new TypeError('x is undefined');
    logger.error('upload failed', e, { component: 'Upload' });
    await window.telemetry.flush();
  });
  await until(() => otel.state.otlp.logs.length >= 2 && points('page_views_total').length >= 2, 5000, 'both bodies');

  const [metrics] = validBodies('otlp_metrics');
  const [logs] = validBodies('otlp_logs');
  console.log('OTLP metrics body:', JSON.stringify(metrics));
  console.log('OTLP logs body:', JSON.stringify(logs));

  // Resource: who sent it, for both signals; never the user.
  const resource = Object.fromEntries(metrics.resourceMetrics[0].resource.attributes.map((a) => [a.key, a.value.stringValue]));
  assert.deepEqual(Object.keys(resource), ['service.name', 'service.version', 'deployment.environment.name', 'telemetry.sdk.name', 'telemetry.sdk.language', 'telemetry.sdk.version', 'session.id', 'user_agent.original']);
  assert.equal(resource['service.name'], 'recoloca-frontend');
  assert.equal(resource['telemetry.sdk.language'], 'webjs');
  assert.equal(resource['session.id'], 'session-e2e');
  assert.match(resource['user_agent.original'], /Chrome/);

  // Page views: one delta monotonic sum per page, user_id left out.
  const views = metrics.resourceMetrics[0].scopeMetrics[0].metrics.find((m) => m.name === 'page_views_total');
  assert.equal(views.sum.aggregationTemporality, 1);
  assert.equal(views.sum.isMonotonic, true);
  assert.deepEqual(
    views.sum.dataPoints.map((p) => [p.attributes.map((a) => `${a.key}=${a.value.stringValue}`).join(), p.asDouble]),
    [['page=/jobs', 2], ['page=/cv', 1]],
  );
  // API call durations: one histogram point, two samples, in the buckets of 120 and 2600 ms.
  const durations = metrics.resourceMetrics[0].scopeMetrics[0].metrics.find((m) => m.name === 'api_call_duration_ms');
  assert.equal(durations.unit, 'ms');
  const [d] = durations.histogram.dataPoints;
  assert.equal(d.count, '2');
  assert.equal(d.sum, 2720);
  const bucket = (v) => d.explicitBounds.findIndex((b) => v <= b);
  assert.equal(d.bucketCounts[bucket(120)], '1');
  assert.equal(d.bucketCounts[bucket(2600)], '1');
  assert.equal(d.bucketCounts.reduce((s, c) => s + Number(c), 0), 2);
  // Anything else: a gauge of the latest value.
  const queue = metrics.resourceMetrics[0].scopeMetrics[0].metrics.find((m) => m.name === 'queue_length');
  assert.equal(queue.gauge.dataPoints[0].asDouble, 5);

  // Logs: severity, body, context and exception attributes, user and session.
  const [info, error] = logs.resourceLogs[0].scopeLogs[0].logRecords;
  assert.equal(info.severityNumber, 9);
  assert.equal(info.severityText, 'INFO');
  assert.deepEqual(info.body, { stringValue: 'CV uploaded' });
  const attrs = (r) => Object.fromEntries(r.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
  assert.deepEqual(attrs(info), { component: 'Upload', size: '3', 'user.id': 'u-1', 'session.id': 'session-e2e' });
  assert.equal(info.timeUnixNano, info.observedTimeUnixNano);
  assert.equal(error.severityNumber, 17);
  assert.equal(attrs(error)['exception.type'], 'TypeError');
  assert.equal(attrs(error)['exception.message'], 'x is undefined');
  assert.match(attrs(error)['exception.stacktrace'], /TypeError: x is undefined/);

  // Headers, and the preflight a cross-origin JSON POST needs.
  const req = otel.state.requests.find((r) => r.stream === 'otlp_metrics');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers['x-api-key'], 'k-123');
  assert.match(req.headers['idempotency-key'], /^[0-9a-f-]{36}$/);
  assert.ok(otel.state.preflights.length >= 1, 'a CORS preflight');
  // OTLP only: the seed's endpoints got nothing.
  assert.equal(site.state.requests.length, 0);
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test('without otlpEndpoint the OTLP entry sends the seed\'s bodies, byte for byte', async () => {
  await site?.close();
  site = await collector();
  const { page, context } = await openPage(browser, site.url + '/otlp.html', { now: 1764166892000 });
  await page.evaluate(async () => {
    await window.telemetry.ready;
    window.telemetry.configure({ observePerformance: false, captureErrors: false });
    window.telemetry.metricsCollector.recordMetric('x_total', 1, { a: 'b' });
    await window.telemetry.flush();
  });
  await until(() => site.bodies('metrics').length >= 1, 5000, 'the seed body');
  assert.match(site.bodies('metrics')[0], /^\{"metrics":\[\{"name":"x_total","value":1,"labels":\{"a":"b"\},"timestamp":1764166892\d{3}\}\]\}$/);
  await context.close();
});

test('503s, 429 with Retry-After and resets: each event exported once', async () => {
  const answers = [503, { status: 429, headers: { 'Retry-After': '1' } }, 'reset'];
  const { page, context } = await start({
    respond: ({ attempt }) => (attempt <= answers.length ? answers[attempt - 1] : 200),
    config: OTLP_ONLY,
  });
  await record(page, 30);
  await page.evaluate(() => window.telemetry.flush());
  await exactlyOnce(30, 20000);
  const failed = otel.state.requests.filter((r) => r.status !== 200).length;
  assert.ok(failed >= 6, `${failed} failed attempts`);
  await context.close();
});

test('a 400 is not retried: the batch is dropped and counted; a partial success counts what it refused', async () => {
  let refuse = true;
  let partial = 0; // answers that said two points were refused
  const { page, context } = await start({
    respond: ({ stream }) => {
      if (stream === 'otlp_logs' && refuse) return 400;
      if (stream !== 'otlp_metrics' || !refuse) return 200;
      partial += 1;
      return { status: 200, body: { partialSuccess: { rejectedDataPoints: '2', errorMessage: 'two points refused' } } };
    },
    config: OTLP_ONLY,
  });
  await record(page, 5);
  await page.evaluate(() => window.telemetry.flush());
  await until(() => otel.state.requests.filter((r) => r.stream === 'otlp_logs').length >= 1, 5000, 'the logs attempt');
  refuse = false;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(otel.state.requests.filter((r) => r.stream === 'otlp_logs').length, 1, 'one attempt of the refused batch');
  await page.evaluate(() => window.telemetry.flush());
  const dropped = (reason, stream) =>
    points('telemetry_events_dropped_total')
      .filter((p) => p.attributes.stream === stream && p.attributes.reason === reason)
      .reduce((s, p) => s + p.value, 0);
  assert.ok(partial >= 1);
  await until(() => dropped('rejected', 'otlp_logs') === 5 && dropped('rejected', 'otlp_metrics') === 2 * partial, 5000, 'the drop counts');
  validBodies('otlp_metrics');
  await context.close();
});

test('leaving the page: keepalive across origins; what keepalive cannot carry is sent by the next page', async () => {
  const slow = { batchSize: 1000, logBatchSize: 1000, flushIntervalMs: 60000, logFlushIntervalMs: 60000 };
  const { page, context } = await start({ config: { ...OTLP_ONLY, ...slow } });
  await record(page, 15);
  await page.goto(site.url + '/away.html');
  await exactlyOnce(15, 5000);
  await context.close();

  const next = await start({ config: { ...OTLP_ONLY, ...slow } });
  await record(next.page, 400); // more than the 64 KiB keepalive may carry
  await next.page.goto(site.url + '/away.html');
  const kept = await next.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('recoloca-telemetry:')).length);
  assert.equal(kept, 1, 'what could not go was kept');
  await next.page.goto(site.url + '/otlp.html');
  await next.page.evaluate(
    async (c) => {
      await window.telemetry.ready;
      window.telemetry.configure(c);
    },
    { ...FAST, ...OTLP_ONLY, otlpEndpoint: otel.url, observePerformance: false, captureErrors: false },
  );
  await exactlyOnce(400, 15000);
  const keys = otel.state.requests.filter((r) => r.status === 200).map((r) => r.key);
  assert.equal(new Set(keys).size, keys.length, 'a batch sent twice');
  await next.context.close();
});

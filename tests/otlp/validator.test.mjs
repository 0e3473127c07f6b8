// The OTLP/JSON validator the OTLP export is tested with: it takes what a Collector takes, and
// refuses what protobuf's own JSON parser would let through but OTLP/JSON forbids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateOtlp } from './validate.mjs';

const attribute = (key, value) => ({ key, value: { stringValue: value } });
const NOW = '1764166892000000000';

const metrics = () => ({
  resourceMetrics: [
    {
      resource: { attributes: [attribute('service.name', 'recoloca-frontend')] },
      scopeMetrics: [
        {
          scope: { name: '@recoloca/telemetry', version: '0.1.0' },
          metrics: [
            {
              name: 'page_views_total',
              sum: {
                aggregationTemporality: 1,
                isMonotonic: true,
                dataPoints: [{ asInt: '3', startTimeUnixNano: NOW, timeUnixNano: NOW, attributes: [attribute('page', '/jobs')] }],
              },
            },
            {
              name: 'api_call_duration_ms',
              unit: 'ms',
              histogram: {
                aggregationTemporality: 1,
                dataPoints: [{ count: '2', sum: 30.5, bucketCounts: ['1', '1', '0'], explicitBounds: [10, 100], startTimeUnixNano: NOW, timeUnixNano: NOW }],
              },
            },
            { name: 'queue_depth', gauge: { dataPoints: [{ asDouble: 4.5, timeUnixNano: NOW }] } },
          ],
        },
      ],
    },
  ],
});

const logs = () => ({
  resourceLogs: [
    {
      resource: { attributes: [attribute('service.name', 'recoloca-frontend')] },
      scopeLogs: [
        {
          scope: { name: '@recoloca/telemetry' },
          logRecords: [
            {
              timeUnixNano: NOW,
              observedTimeUnixNano: NOW,
              severityNumber: 17,
              severityText: 'ERROR',
              body: { stringValue: 'upload failed' },
              attributes: [attribute('exception.type', 'TypeError')],
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
            },
          ],
        },
      ],
    },
  ],
});

test('valid metrics and logs bodies pass', () => {
  assert.deepEqual(validateOtlp('metrics', metrics()), { ok: true });
  assert.deepEqual(validateOtlp('logs', logs()), { ok: true });
  // 64-bit integers may be numbers as well as decimal strings.
  const asNumbers = metrics();
  asNumbers.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asInt = 3;
  assert.deepEqual(validateOtlp('metrics', asNumbers), { ok: true });
});

test('a wrong field name is refused, the proto spelling too', () => {
  const snake = metrics();
  snake.resource_metrics = snake.resourceMetrics;
  delete snake.resourceMetrics;
  assert.match(validateOtlp('metrics', snake).error, /resource_metrics: OTLP\/JSON spells it 'resourceMetrics'/);
  const unknown = logs();
  unknown.resourceLogs[0].scopeLogs[0].logRecords[0].severity = 17;
  assert.match(validateOtlp('logs', unknown).error, /severity: no such field/);
});

test('an id in base64, or of the wrong length, is refused', () => {
  const base64 = logs();
  // The same 16 bytes in base64: protobuf's JSON parser alone would take it.
  base64.resourceLogs[0].scopeLogs[0].logRecords[0].traceId = 'W47/95gDgQPSabYzgT/GDA==';
  assert.match(validateOtlp('logs', base64).error, /traceId: expected 32 lowercase hex digits/);
  const short = logs();
  short.resourceLogs[0].scopeLogs[0].logRecords[0].spanId = 'eee19b7e';
  assert.match(validateOtlp('logs', short).error, /spanId: expected 16 lowercase hex digits/);
});

test('an enum by name is refused', () => {
  const named = metrics();
  named.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality = 'AGGREGATION_TEMPORALITY_DELTA';
  assert.match(validateOtlp('metrics', named).error, /aggregationTemporality: an enum is an integer/);
});

test('a 64-bit integer that is neither a decimal string nor an integer is refused', () => {
  const fraction = metrics();
  fraction.resourceMetrics[0].scopeMetrics[0].metrics[1].histogram.dataPoints[0].count = 2.5;
  assert.match(validateOtlp('metrics', fraction).error, /count: a 64-bit integer/);
});

test('what protobuf itself refuses is refused: a wrong type', () => {
  const wrong = logs();
  wrong.resourceLogs[0].scopeLogs[0].logRecords[0].severityText = 17;
  assert.equal(validateOtlp('logs', wrong).ok, false);
});

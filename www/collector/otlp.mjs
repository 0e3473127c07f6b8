// What the collector accepts on POST /v1/metrics, /v1/logs and /v1/traces: OTLP/HTTP requests
// in their JSON encoding (the OTLP specification, "JSON Protobuf Encoding"), as
// @recoloca/telemetry sends them. Reading and checking are one pass: a body is either refused,
// with the path of its first bad field
// (`resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].asDouble: not a number`),
// or turned into flat data points, log records and spans that the rest of the collector (and
// the tests) can use without knowing OTLP's nesting.
//
// Stricter than protobuf's JSON parser where OTLP/JSON or this collector needs it:
//   - keys are OTLP/JSON's lowerCamelCase names; any other key is refused, a proto field name
//     such as `time_unix_nano` included (protobuf's parser would take it; OTLP/JSON fixes the
//     spelling), with the right spelling in the message;
//   - 64-bit integers are decimal strings or integral numbers; enums are integers, not names;
//   - doubles are JSON numbers (protobuf would also take "NaN", "Infinity" and numeric strings,
//     which the client never sends and Prometheus could not add up);
//   - sums and histograms are delta (aggregationTemporality 1): the collector adds each point
//     to what it has, which would count a cumulative point's past again;
//   - a histogram's buckets agree with its bounds and its count, so that they can be merged;
//   - a span's ids are lowercase hex and not all zeros (W3C Trace Context calls such an id
//     invalid), and it has a name, a start and an end no earlier than its start;
//   - exponential histograms, summaries, bytes values and the profiles-only `*Strindex` and
//     `entityRefs` fields are known to OTLP but refused as unsupported, rather than dropped
//     silently.

const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const AGGREGATION_DELTA = 1;
const MAX_SEVERITY = 24; // SEVERITY_NUMBER_FATAL4

class Fault extends Error {}
const fail = (at, what) => {
  throw new Fault(`${at || 'body'}: ${what}`);
};

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The path of `key` inside `at`: `a.b`, or `a["odd key"]` when the key is no identifier. */
function join(at, key) {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${at}[${JSON.stringify(key)}]`;
  return at ? `${at}.${key}` : key;
}

const camel = (key) => key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/**
 * The fields of the object `v` at `at`, each read by its reader in `spec` (absent and null
 * fields, which protobuf's JSON mapping treats alike, are left out). A key outside `spec` is
 * refused: by name when `unsupported` lists it, with OTLP/JSON's spelling when it is a
 * snake_case form of a field of `spec`.
 */
function fields(v, at, spec, unsupported = {}) {
  if (!isObject(v)) fail(at, 'not an object');
  for (const key of Object.keys(v)) {
    if (Object.hasOwn(spec, key)) continue;
    if (Object.hasOwn(unsupported, key)) fail(join(at, key), unsupported[key]);
    const spelled = camel(key);
    if (spelled !== key && Object.hasOwn(spec, spelled)) fail(join(at, key), `unknown field; OTLP/JSON spells it ${spelled}`);
    fail(join(at, key), 'unknown field');
  }
  const out = {};
  for (const [key, read] of Object.entries(spec)) {
    if (v[key] !== undefined && v[key] !== null) out[key] = read(v[key], join(at, key));
  }
  return out;
}

const list = (read) => (v, at) => {
  if (!Array.isArray(v)) fail(at, 'not an array');
  return v.map((item, i) => read(item, `${at}[${i}]`));
};

const string = (v, at) => (typeof v === 'string' ? v : fail(at, 'not a string'));
const bool = (v, at) => (typeof v === 'boolean' ? v : fail(at, 'not a boolean'));
const double = (v, at) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(at, 'not a number'));
const uint32 = (v, at) => (Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : fail(at, 'not an unsigned 32-bit integer'));

/** A 64-bit integer as a BigInt. An integral JSON number is taken too (protobuf's JSON mapping
 *  reads both), though past 2^53 it has already lost digits in JSON.parse: the client sends
 *  strings. */
function integer64(v, at, min, max, what) {
  let n = null;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) n = BigInt(v);
  else if (Number.isInteger(v)) n = BigInt(v);
  if (n === null) fail(at, `not ${what} (a decimal string)`);
  if (n < min || n > max) fail(at, `out of range for ${what}`);
  return n;
}
const uint64 = (v, at) => integer64(v, at, 0n, U64_MAX, 'an unsigned 64-bit integer');
const int64 = (v, at) => integer64(v, at, I64_MIN, I64_MAX, 'a 64-bit integer');

/** A BigInt as a plain number when that is exact, else as its decimal string. */
const plainInteger = (n) => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString());

const enumeration = (name, max) => (v, at) => {
  if (!Number.isInteger(v)) fail(at, `an enum is an integer in OTLP/JSON, not ${JSON.stringify(v)}`);
  if (v < 0 || v > max) fail(at, `${v} is no ${name} (0 to ${max})`);
  return v;
};
const temporality = enumeration('AggregationTemporality', 2);
const severity = enumeration('SeverityNumber', MAX_SEVERITY);

/** Trace and span ids are hex in OTLP/JSON (protobuf's mapping would read base64). */
const hexId = (bytes) => (v, at) => {
  if (typeof v !== 'string' || (v !== '' && !new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v))) {
    fail(at, `not ${bytes * 2} hex digits`);
  }
  return v.toLowerCase();
};

// ---- attributes ----------------------------------------------------------------------------

const VALUE_KINDS = 'stringValue, boolValue, intValue, doubleValue, arrayValue or kvlistValue';

/** An AnyValue as the plain value it holds: string, boolean, number (an intValue past 2^53 as
 *  its decimal string), array or object. */
function anyValue(v, at) {
  const got = fields(
    v,
    at,
    {
      stringValue: string,
      boolValue: bool,
      intValue: (x, where) => plainInteger(int64(x, where)),
      doubleValue: double,
      arrayValue: (x, where) => fields(x, where, { values: list(anyValue) }).values ?? [],
      kvlistValue: (x, where) => fields(x, where, { values: keyValues }).values ?? {},
    },
    {
      bytesValue: 'bytes values are not supported by this collector',
      stringValueStrindex: 'string table references are for profiles, not supported here',
    },
  );
  const kinds = Object.keys(got);
  if (kinds.length === 0) fail(at, `no value (one of ${VALUE_KINDS})`);
  if (kinds.length > 1) fail(at, `${kinds.join(' and ')}: one value only`);
  return got[kinds[0]];
}

/** A list of KeyValue as an object. Keys are non-empty and unique, as OTLP's attribute rules
 *  ask, so that no attribute silently overwrites another. */
function keyValues(v, at) {
  if (!Array.isArray(v)) fail(at, 'not an array');
  const seen = new Map();
  v.forEach((item, i) => {
    const where = `${at}[${i}]`;
    const kv = fields(item, where, { key: string, value: anyValue }, { keyStrindex: 'string table references are for profiles, not supported here' });
    if (kv.key === undefined) fail(join(where, 'key'), 'missing');
    if (kv.key === '') fail(join(where, 'key'), 'empty');
    if (kv.value === undefined) fail(join(where, 'value'), 'missing');
    if (seen.has(kv.key)) fail(join(where, 'key'), `${JSON.stringify(kv.key)} again (first at index ${seen.get(kv.key).i})`);
    seen.set(kv.key, { i, value: kv.value });
  });
  // fromEntries defines own properties, so even a key "__proto__" stays an attribute.
  return Object.fromEntries([...seen].map(([key, { value }]) => [key, value]));
}

const resource = (v, at) =>
  fields(v, at, { attributes: keyValues, droppedAttributesCount: uint32 }, { entityRefs: 'entity references are not supported by this collector' });

const scope = (v, at) => fields(v, at, { name: string, version: string, attributes: keyValues, droppedAttributesCount: uint32 });

// ---- metrics -------------------------------------------------------------------------------

const exemplar = (v, at) => {
  const e = fields(v, at, { filteredAttributes: keyValues, timeUnixNano: uint64, asDouble: double, asInt: int64, spanId: hexId(8), traceId: hexId(16) });
  if (e.asDouble !== undefined && e.asInt !== undefined) fail(at, 'asDouble and asInt: one value only');
  return e;
};

/** The times every point has; a point without its end time cannot be placed anywhere. */
function times(p, at) {
  if (!p.timeUnixNano) fail(join(at, 'timeUnixNano'), 'missing');
  if (p.startTimeUnixNano !== undefined && p.startTimeUnixNano > p.timeUnixNano) fail(join(at, 'startTimeUnixNano'), 'after timeUnixNano');
  const out = { timeUnixNano: p.timeUnixNano.toString() };
  if (p.startTimeUnixNano !== undefined) out.startTimeUnixNano = p.startTimeUnixNano.toString();
  return out;
}

function numberPoint(v, at) {
  const p = fields(v, at, {
    attributes: keyValues,
    startTimeUnixNano: uint64,
    timeUnixNano: uint64,
    asDouble: double,
    asInt: int64,
    exemplars: list(exemplar),
    flags: uint32,
  });
  if (p.asDouble === undefined && p.asInt === undefined) fail(at, 'no value (asDouble or asInt)');
  if (p.asDouble !== undefined && p.asInt !== undefined) fail(at, 'asDouble and asInt: one value only');
  return { attributes: p.attributes ?? {}, value: p.asDouble ?? Number(p.asInt), ...times(p, at) };
}

function histogramPoint(v, at) {
  const p = fields(v, at, {
    attributes: keyValues,
    startTimeUnixNano: uint64,
    timeUnixNano: uint64,
    count: uint64,
    sum: double,
    bucketCounts: list(uint64),
    explicitBounds: list(double),
    exemplars: list(exemplar),
    flags: uint32,
    min: double,
    max: double,
  });
  const bounds = p.explicitBounds ?? [];
  const counts = p.bucketCounts ?? [];
  for (let i = 1; i < bounds.length; i++) {
    if (!(bounds[i] > bounds[i - 1])) fail(`${join(at, 'explicitBounds')}[${i}]`, `not above explicitBounds[${i - 1}] (bounds increase)`);
  }
  // OTLP lets a point carry no buckets at all; this collector merges buckets, so it needs them.
  if (counts.length !== bounds.length + 1) {
    fail(join(at, 'bucketCounts'), `${counts.length} entries for ${bounds.length} explicitBounds: ${bounds.length + 1} expected`);
  }
  const count = p.count ?? 0n;
  const total = counts.reduce((a, b) => a + b, 0n);
  if (total !== count) fail(join(at, 'count'), `${count} is not the sum of bucketCounts (${total})`);
  if (p.min !== undefined && p.max !== undefined && p.min > p.max) fail(join(at, 'min'), 'above max');
  const out = { attributes: p.attributes ?? {}, count: Number(count), bucketCounts: counts.map(Number), explicitBounds: bounds };
  for (const key of ['sum', 'min', 'max']) if (p[key] !== undefined) out[key] = p[key];
  return { ...out, ...times(p, at) };
}

/** Sums and histograms: delta only (see the top of the file). */
function delta(aggregation, at) {
  const where = join(at, 'aggregationTemporality');
  if (aggregation === undefined || aggregation === 0) fail(where, 'missing: 1 (delta) expected');
  if (aggregation !== AGGREGATION_DELTA) fail(where, `${aggregation} (cumulative): this collector takes delta (1) only`);
}

const gauge = (v, at) => ({ kind: 'gauge', points: fields(v, at, { dataPoints: list(numberPoint) }).dataPoints ?? [] });

function sum(v, at) {
  const s = fields(v, at, { dataPoints: list(numberPoint), aggregationTemporality: temporality, isMonotonic: bool });
  delta(s.aggregationTemporality, at);
  return { kind: 'sum', monotonic: s.isMonotonic ?? false, points: s.dataPoints ?? [] };
}

function histogram(v, at) {
  const h = fields(v, at, { dataPoints: list(histogramPoint), aggregationTemporality: temporality });
  delta(h.aggregationTemporality, at);
  return { kind: 'histogram', points: h.dataPoints ?? [] };
}

const DATA_KINDS = ['gauge', 'sum', 'histogram'];

/** One metric's points, flat: each carries the metric's name, kind and unit. */
function metric(v, at) {
  const m = fields(
    v,
    at,
    { name: string, description: string, unit: string, gauge, sum, histogram, metadata: keyValues },
    {
      exponentialHistogram: 'exponential histograms are not supported by this collector (gauge, sum and histogram are)',
      summary: 'summaries are not supported by this collector (gauge, sum and histogram are)',
    },
  );
  if (!m.name) fail(join(at, 'name'), m.name === undefined ? 'missing' : 'empty');
  const kinds = DATA_KINDS.filter((k) => m[k]);
  if (kinds.length === 0) fail(at, `no data (one of ${DATA_KINDS.join(', ')})`);
  if (kinds.length > 1) fail(at, `${kinds.join(' and ')}: one kind of data only`);
  const data = m[kinds[0]];
  const common = { name: m.name, kind: data.kind, unit: m.unit ?? '' };
  if (m.description) common.description = m.description;
  if (data.kind === 'sum') common.monotonic = data.monotonic;
  return data.points.map((p) => ({ ...common, ...p }));
}

function metricsRequest(body) {
  const r = fields(body, '', {
    resourceMetrics: list((rm, at) => {
      const f = fields(rm, at, {
        resource,
        schemaUrl: string,
        scopeMetrics: list((sm, where) => fields(sm, where, { scope, schemaUrl: string, metrics: list(metric) })),
      });
      const attributes = f.resource?.attributes ?? {};
      return (f.scopeMetrics ?? []).flatMap((sm) => {
        const from = { name: sm.scope?.name ?? '', version: sm.scope?.version ?? '' };
        return (sm.metrics ?? []).flat().map((p) => ({ ...p, resource: attributes, scope: from }));
      });
    }),
  });
  return (r.resourceMetrics ?? []).flat();
}

// ---- logs ----------------------------------------------------------------------------------

function logRecord(v, at) {
  const l = fields(v, at, {
    timeUnixNano: uint64,
    observedTimeUnixNano: uint64,
    severityNumber: severity,
    severityText: string,
    body: anyValue,
    attributes: keyValues,
    droppedAttributesCount: uint32,
    flags: uint32,
    traceId: hexId(16),
    spanId: hexId(8),
    eventName: string,
  });
  // Absent fields as protobuf has them: zero times (unknown), severity 0 (unspecified).
  const out = {
    timeUnixNano: (l.timeUnixNano ?? 0n).toString(),
    observedTimeUnixNano: (l.observedTimeUnixNano ?? 0n).toString(),
    severityNumber: l.severityNumber ?? 0,
    severityText: l.severityText ?? '',
    body: l.body ?? null,
    attributes: l.attributes ?? {},
  };
  for (const key of ['traceId', 'spanId', 'eventName']) if (l[key]) out[key] = l[key];
  return out;
}

function logsRequest(body) {
  const r = fields(body, '', {
    resourceLogs: list((rl, at) => {
      const f = fields(rl, at, {
        resource,
        schemaUrl: string,
        scopeLogs: list((sl, where) => fields(sl, where, { scope, schemaUrl: string, logRecords: list(logRecord) })),
      });
      const attributes = f.resource?.attributes ?? {};
      return (f.scopeLogs ?? []).flatMap((sl) => {
        const from = { name: sl.scope?.name ?? '', version: sl.scope?.version ?? '' };
        return (sl.logRecords ?? []).map((record) => ({ ...record, resource: attributes, scope: from }));
      });
    }),
  });
  return (r.resourceLogs ?? []).flat();
}

// ---- traces --------------------------------------------------------------------------------

export const SPAN_KIND_CLIENT = 3;
const spanKind = enumeration('SpanKind', 5);
const statusCode = enumeration('StatusCode', 2);

/** A span's trace or span id: as `hexId`, but lowercase only (OTLP/JSON writes lowercase, and
 *  the official validator refuses upper case) and not all zeros. An empty one means absent. */
const spanHexId = (bytes) => {
  const pattern = new RegExp(`^[0-9a-f]{${bytes * 2}}$`);
  return (v, at) => {
    if (typeof v !== 'string' || (v !== '' && !pattern.test(v))) fail(at, `not ${bytes * 2} lowercase hex digits`);
    if (/^0+$/.test(v)) fail(at, 'all zeros, which is no valid id');
    return v;
  };
};
const traceIdHex = spanHexId(16);
const spanIdHex = spanHexId(8);

/** A name that must be there and not be empty. */
function named(v, at) {
  if (!v.name) fail(join(at, 'name'), v.name === undefined ? 'missing' : 'empty');
  return v.name;
}

function spanEvent(v, at) {
  const e = fields(v, at, { timeUnixNano: uint64, name: string, attributes: keyValues, droppedAttributesCount: uint32 });
  if (!e.timeUnixNano) fail(join(at, 'timeUnixNano'), 'missing');
  const out = { name: named(e, at), timeUnixNano: e.timeUnixNano.toString() };
  if (e.attributes && Object.keys(e.attributes).length) out.attributes = e.attributes;
  return out;
}

function spanLink(v, at) {
  const l = fields(v, at, { traceId: traceIdHex, spanId: spanIdHex, traceState: string, attributes: keyValues, droppedAttributesCount: uint32, flags: uint32 });
  for (const key of ['traceId', 'spanId']) if (!l[key]) fail(join(at, key), 'missing');
  return { traceId: l.traceId, spanId: l.spanId };
}

const spanStatus = (v, at) => fields(v, at, { message: string, code: statusCode });

/** One span, flat: times as decimal strings of nanoseconds, and its duration in milliseconds. */
function span(v, at) {
  const s = fields(v, at, {
    traceId: traceIdHex,
    spanId: spanIdHex,
    traceState: string,
    parentSpanId: spanIdHex,
    flags: uint32,
    name: string,
    kind: spanKind,
    startTimeUnixNano: uint64,
    endTimeUnixNano: uint64,
    attributes: keyValues,
    droppedAttributesCount: uint32,
    events: list(spanEvent),
    droppedEventsCount: uint32,
    links: list(spanLink),
    droppedLinksCount: uint32,
    status: spanStatus,
  });
  for (const key of ['traceId', 'spanId']) if (!s[key]) fail(join(at, key), 'missing');
  if (s.parentSpanId === s.spanId) fail(join(at, 'parentSpanId'), 'the span itself');
  const name = named(s, at);
  for (const key of ['startTimeUnixNano', 'endTimeUnixNano']) if (!s[key]) fail(join(at, key), 'missing');
  if (s.endTimeUnixNano < s.startTimeUnixNano) fail(join(at, 'endTimeUnixNano'), 'before startTimeUnixNano');
  const status = { code: s.status?.code ?? 0 };
  if (s.status?.message) status.message = s.status.message;
  const out = {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId || null,
    name,
    kind: s.kind ?? 0,
    startTimeUnixNano: s.startTimeUnixNano.toString(),
    endTimeUnixNano: s.endTimeUnixNano.toString(),
    durationMs: Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6,
    attributes: s.attributes ?? {},
    status,
    events: s.events ?? [],
  };
  if (s.links?.length) out.links = s.links;
  return out;
}

function tracesRequest(body) {
  const r = fields(body, '', {
    resourceSpans: list((rs, at) => {
      const f = fields(rs, at, {
        resource,
        schemaUrl: string,
        scopeSpans: list((ss, where) => fields(ss, where, { scope, schemaUrl: string, spans: list(span) })),
      });
      const attributes = f.resource?.attributes ?? {};
      return (f.scopeSpans ?? []).flatMap((ss) => {
        const from = { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' };
        return (ss.spans ?? []).map((s) => ({ ...s, resource: attributes, scope: from }));
      });
    }),
  });
  return (r.resourceSpans ?? []).flat();
}

const REQUESTS = { metrics: metricsRequest, logs: logsRequest, traces: tracesRequest };

/**
 * Reads a parsed OTLP/JSON request of `kind` ('metrics', 'logs' or 'traces').
 * @returns {{items: object[]} | {error: string}} the data points (metrics), log records or spans,
 *   flat; or the first fault, as `<path>: <what is wrong>`
 */
export function readOtlp(kind, body) {
  const read = REQUESTS[kind];
  if (!read) throw new Error(`no OTLP signal ${kind}`);
  try {
    return { items: read(body) };
  } catch (err) {
    if (err instanceof Fault) return { error: err.message };
    throw err;
  }
}

// The metrics the browsers sent, aggregated for Prometheus to scrape (GET /api/metrics, as the
// seed's scrape job `recoloca-frontend` expects). How a wire name is exposed:
//
//   *_total                       counter, increased by each event's value (events are increments)
//   *_ms                          histogram in seconds, renamed *_seconds (Prometheus' base unit;
//                                 promtool flags abbreviated units such as _ms)
//   *_seconds                     histogram in seconds
//   cumulative_layout_shift       histogram with buckets for a unitless score
//   anything else                 gauge holding the last value
//
// Names and label names become snake_case Prometheus identifiers (see `sanitizeName`).
//
// The series stay bounded (`exposedLabels`, `Prometheus#admits`, `Prometheus#place`):
// `user_id` and `session_id` are never labels (a series per user or session would grow with
// the traffic; they stay in the NDJSON log and the dashboard's recent lists), `page` and
// `endpoint` values are route templates (collector/route.mjs, the client's own rules: no query,
// ids as `:id`), other label values are at most MAX_LABEL_VALUE (256) characters
// (`capLabelValue`), a name holds at most `maxSeriesPerMetric` series (MAX_SERIES_PER_METRIC,
// default 1000): a sample of any further label set goes to the name's one overflow series,
// every label of it `__overflow__`, and is counted in `collector_series_overflow_total{metric}`,
// and at most `maxMetricNames` names come from the browsers (MAX_METRIC_NAMES, default 500): a
// sample of any further name is dropped and counted in `collector_metric_names_overflow_total`.
// So whatever the browsers send, the exposition holds at most maxMetricNames ×
// (maxSeriesPerMetric + 1) series of theirs, besides the collector's own two counters and the
// client's health counters. Those (`telemetry_events_dropped_total`, `telemetry_retries_total`)
// exist at 0 from the start for every stream and reason the client reports, so that an alert
// on them has a series.
//
// OTLP data points (POST /v1/*, read by collector/otlp.mjs) come pre-aggregated and typed, so
// their kind decides, not the name (`describeOtlp`): a monotonic Sum adds its delta to the
// counter of that name (`_total` appended when missing, as OpenTelemetry's Prometheus mapping
// does), a Gauge sets the gauge, a non-monotonic Sum moves a gauge by its delta, and a
// Histogram point is merged whole (buckets, sum, count) into the histogram of that name: unit
// "ms" is exposed in seconds under `*_seconds` like a seed `*_ms` name. The client's bounds are
// the seed's buckets in the point's unit, so the buckets match one to one. Both roads go
// through the same labels rules and the same per-name series count.
//
// Counters and gauges are prom-client's. Histograms are kept here as per-bucket counts, sum and
// count per series (`HistogramFamily`), whichever road fed them: prom-client has no API to add
// a pre-aggregated OTLP point to its Histogram, and observing a seed value means only adding 1
// to a bucket, so memory stays one array per series however many values came. They join the
// exposition at scrape time through `AggregatorRegistry.aggregate`, prom-client's public way to
// add up registries (made for cluster workers), fed `getMetricsAsJSON()`'s documented shape. A
// name holds one type and one bucket layout; a point or event that does not fit what its name
// already holds is left out of the exposition and counted in `ignored`.
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import { routeLabel } from './route.mjs';

// The bounds include each Web Vital's "good" and "poor" thresholds (FID 0.1/0.3, INP 0.2/0.5,
// TTFB 0.8/1.8, FCP 1.8/3, LCP 2.5/4 s), so the share of good samples is read off a bucket
// exactly; the rest covers API calls from 10 ms to a minute.
export const TIME_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1, 1.8, 2.5, 3, 4, 6, 10, 20, 30, 60];
// CLS is good up to 0.1 and poor above 0.25; a score above 1 is already extreme.
export const CLS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2];

const HELP = {
  page_views_total: 'Page views (trackPageView)',
  user_actions_total: 'User actions (trackUserAction)',
  api_calls_total: 'API calls made by the page, by endpoint, method and status (trackApiCall)',
  api_call_duration_seconds: 'Duration of API calls measured by the page (trackApiCall)',
  frontend_errors_total: 'Errors reported by the page, by error type and component (trackError)',
  telemetry_events_dropped_total: 'Telemetry events the browser client dropped, by stream and reason',
  telemetry_retries_total: 'Telemetry requests the browser client retried, by stream',
  page_load_time_seconds: 'Page load time, from fetch start to the load event',
  dom_content_loaded_seconds: 'Time from fetch start to DOMContentLoaded',
  largest_contentful_paint_seconds: 'Largest Contentful Paint (Web Vital)',
  first_input_delay_seconds: 'First Input Delay (Web Vital)',
  first_contentful_paint_seconds: 'First Contentful Paint (Web Vital)',
  time_to_first_byte_seconds: 'Time to First Byte (Web Vital)',
  interaction_to_next_paint_seconds: 'Interaction to Next Paint (Web Vital)',
  cumulative_layout_shift: 'Cumulative Layout Shift (Web Vital, unitless)',
};

/** Series per metric name when neither startCollector's option nor MAX_SERIES_PER_METRIC says. */
export const DEFAULT_MAX_SERIES = 1000;
/** Metric names from the browsers when neither startCollector's option nor MAX_METRIC_NAMES
 *  says. A name is code, not data: the seed's own are fifteen, and an app adds a few dozen
 *  with recordMetric. Hundreds of names mean a name made from data (`load_${id}`), one more
 *  with every id, which the per-name cap cannot stop; 500 leaves room for any real app and
 *  stops that growth, at most 500 × 1001 series in the worst case. */
export const DEFAULT_MAX_NAMES = 500;
/** The longest label value exposed, in characters (Unicode code points). The client's route
 *  labels are at most 160 bytes and its other values are words (a status, a method, a
 *  component); a longer value is free text (a message, a serialized object) and would make
 *  every one of the name's series that much bigger, in memory and in each scrape. Prometheus'
 *  own scrape setting for this, `label_value_length_limit`, fails the whole scrape instead. */
export const MAX_LABEL_VALUE = 256;
/** Every label value of a name's overflow series. */
export const OVERFLOW = '__overflow__';
const OVERFLOW_METRIC = 'collector_series_overflow_total';
const NAMES_OVERFLOW_METRIC = 'collector_metric_names_overflow_total';
// The collector's own metrics: a browser's metric of the same name is left out.
const OWN = new Set([OVERFLOW_METRIC, NAMES_OVERFLOW_METRIC]);
// Never labels: one series per user or session grows with the traffic.
const UNBOUNDED_LABELS = new Set(['user_id', 'session_id']);
// URLs and paths: templated as the client templates its own (collector/route.mjs).
const ROUTE_LABELS = new Set(['page', 'endpoint']);

// The client's health counters, at 0 from the start. The label values are exactly what it sends:
// its streams (src/core/src/stream.rs, `Kind::name`) and reasons (src/core/src/batch.rs,
// `Drop::reason`), `before_send` among them: the client counts the events its `beforeSend`
// hook drops as telemetry_events_dropped_total{reason="before_send"}, a reason it gains in the
// same change set as this list. `early` is the JS shell's count of calls made before the module
// loaded, which only ever fill its buffer.
export const CLIENT_STREAMS = ['metrics', 'logs', 'otlp_metrics', 'otlp_logs', 'otlp_traces'];
export const DROP_REASONS = ['invalid', 'event_too_large', 'buffer_full_events', 'buffer_full_bytes', 'rejected', 'retries_exhausted', 'before_send'];
const HEALTH_SERIES = [
  ...CLIENT_STREAMS.flatMap((stream) => DROP_REASONS.map((reason) => ['telemetry_events_dropped_total', { stream, reason }])),
  ['telemetry_events_dropped_total', { stream: 'early', reason: 'buffer_full_events' }],
  ...CLIENT_STREAMS.map((stream) => ['telemetry_retries_total', { stream }]),
];

/**
 * A Prometheus identifier for any string: camelCase split into snake_case and lower-cased
 * (promtool's lint asks for snake_case), every other character outside [a-z0-9_] made `_`
 * (':' included: it is reserved for recording rules), runs of `_` collapsed (which also keeps
 * label names clear of the reserved `__` prefix), and a leading digit prefixed with `_`.
 */
export function sanitizeName(raw) {
  let s = String(raw)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/_+/g, '_');
  if (s === '' || /^[0-9]/.test(s)) s = '_' + s;
  return s;
}

/** How the wire name `raw` is exposed: {name, type, divisor?, buckets?}. */
export function describe(raw) {
  const base = sanitizeName(raw);
  if (base.endsWith('_total')) return { name: base, type: 'counter' };
  if (base.endsWith('_ms') && base.length > 3) {
    return { name: base.slice(0, -3) + '_seconds', type: 'histogram', divisor: 1000, buckets: TIME_BUCKETS };
  }
  if (base.endsWith('_seconds')) return { name: base, type: 'histogram', divisor: 1, buckets: TIME_BUCKETS };
  if (base === 'cumulative_layout_shift') return { name: base, type: 'histogram', divisor: 1, buckets: CLS_BUCKETS };
  return { name: base, type: 'gauge' };
}

/**
 * The labels of an event as Prometheus label names. `le` and `quantile` are taken by
 * histograms and summaries, so they become `exported_le` / `exported_quantile` (Prometheus'
 * own convention for clashing labels). When two keys sanitize to the same name, a key that was
 * already that name wins, else the first.
 */
export function sanitizeLabels(labels) {
  const out = {};
  const exact = new Set();
  for (const [key, value] of Object.entries(labels ?? {})) {
    let name = sanitizeName(key);
    if (name === 'le' || name === 'quantile') name = 'exported_' + name;
    if (name in out && (exact.has(name) || key !== name)) continue;
    if (key === name) exact.add(name);
    out[name] = value;
  }
  return out;
}

/**
 * The labels of a sample as exposed: sanitized names (`sanitizeLabels`), without `user_id` and
 * `session_id` (also when sent as `userId` or `session.id`, which sanitize to them), and `page`
 * and `endpoint` as route templates.
 */
export function exposedLabels(labels) {
  const out = sanitizeLabels(labels);
  for (const name of Object.keys(out)) {
    if (UNBOUNDED_LABELS.has(name)) delete out[name];
    else if (ROUTE_LABELS.has(name)) out[name] = routeLabel(out[name]);
    else out[name] = capLabelValue(out[name]);
  }
  return out;
}

/**
 * `value` cut to MAX_LABEL_VALUE characters: the first MAX_LABEL_VALUE - 1 and `…`, which
 * says that it was cut. Counted in code points, so that a character outside the BMP (an emoji)
 * is never split into a half that is not UTF-8. Two values alike in their first 255 characters
 * become one series; a label that long was never a good series key anyway.
 */
export function capLabelValue(value) {
  // A string's length in UTF-16 units is at least its number of code points: short enough.
  if (value.length <= MAX_LABEL_VALUE) return value;
  // Twice as many units hold at least MAX_LABEL_VALUE code points, or all of the value's.
  const head = Array.from(value.slice(0, 2 * MAX_LABEL_VALUE));
  if (head.length <= MAX_LABEL_VALUE && value.length <= 2 * MAX_LABEL_VALUE) return value;
  return head.slice(0, MAX_LABEL_VALUE - 1).join('') + '…';
}

/**
 * How the metric of an OTLP point ({name, kind, unit, monotonic?, explicitBounds?}) is exposed:
 * {name, type, divisor?, buckets?}. A histogram's buckets are its own bounds in the exposed
 * unit: for the client's `ms` histograms exactly TIME_BUCKETS, as 10 / 1000 is the double 0.01.
 */
export function describeOtlp(point) {
  const base = sanitizeName(point.name);
  if (point.kind === 'sum') {
    if (point.monotonic) return { name: base.endsWith('_total') ? base : base + '_total', type: 'counter' };
    return { name: base, type: 'gauge' }; // an up-down counter: its deltas add up to a level
  }
  if (point.kind === 'gauge') return { name: base, type: 'gauge' };
  // A histogram: its unit gives the exposed unit, as a seed name's suffix does.
  let wire = base;
  if (point.unit === 'ms' && !base.endsWith('_ms')) wire = base + '_ms';
  if (point.unit === 's' && !base.endsWith('_seconds')) wire = base + '_seconds';
  const seed = describe(wire);
  const divisor = seed.type === 'histogram' ? seed.divisor : 1;
  return { name: seed.name, type: 'histogram', divisor, buckets: point.explicitBounds.map((b) => b / divisor) };
}

/** Prometheus label values are strings: an attribute's array or object value as its JSON. */
function labelValues(attributes) {
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]));
}

const sameBuckets = (a, b) => a.length === b.length && a.every((bound, i) => bound === b[i]);

const seriesKey = (labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * One exposed counter or gauge and every series of it.
 *
 * prom-client fixes a metric's label names when it is created, and refuses a label outside
 * them (a missing one is fine: it is exposed without it, which Prometheus treats as empty).
 * Events of one name need not agree: an app may add a label to its own metric later. So the
 * family grows: when an event brings a label name not seen yet, the metric is created again
 * with the union of the names and its series are put back, each with the labels and current
 * value it had. Nothing is lost and nothing is merged. (A name's label set stops growing after
 * its first few events, and at the latest when its series reach the cap.)
 */
class Family {
  constructor(registry, desc, help) {
    this.registry = registry;
    this.desc = desc;
    this.help = help;
    this.labelNames = [];
    this.series = new Map(); // key -> {labels, value} (counter sum, gauge value)
    this.metric = null;
  }

  /** `add` moves a gauge by `value` instead of setting it (an OTLP up-down counter's delta). */
  record(labels, value, add = false) {
    const added = Object.keys(labels).filter((n) => !this.labelNames.includes(n));
    if (!this.metric || added.length) this.rebuild([...this.labelNames, ...added].sort());
    const key = seriesKey(labels);
    const series = this.series.get(key) ?? { labels, value: 0 };
    // prom-client first, and the series kept only once it took the event: if it refused it, the
    // series' record stays as it was, and a series prom-client never had is not made up (the
    // next `rebuild` would put it back, at 0).
    if (this.desc.type === 'counter') {
      this.metric.inc(labels, value);
      series.value += value;
    } else {
      if (add) this.metric.inc(labels, value);
      else this.metric.set(labels, value);
      series.value = add ? series.value + value : value;
    }
    this.series.set(key, series);
  }

  rebuild(labelNames) {
    if (this.metric) this.registry.removeSingleMetric(this.desc.name);
    this.labelNames = labelNames;
    const config = { name: this.desc.name, help: this.help, labelNames, registers: [this.registry] };
    if (this.desc.type === 'counter') this.metric = new Counter(config);
    else this.metric = new Gauge(config);
    for (const { labels, value } of this.series.values()) {
      if (this.desc.type === 'counter') this.metric.inc(labels, value);
      else this.metric.set(labels, value);
    }
  }
}

/**
 * One exposed histogram, per series: per-bucket counts (not cumulative), sum and count, in the
 * exposed unit. A seed event adds one value, an OTLP point its buckets whole.
 */
class HistogramFamily {
  constructor(desc, help) {
    this.desc = desc;
    this.buckets = desc.buckets;
    this.help = help;
    this.series = new Map(); // key -> {labels, counts, sum, count}
  }

  at(labels) {
    const key = seriesKey(labels);
    let series = this.series.get(key);
    if (!series) this.series.set(key, (series = { labels, counts: new Array(this.buckets.length + 1).fill(0), sum: 0, count: 0 }));
    return series;
  }

  /** One value, in the wire unit (`divisor` is the event's own: x_ms and x_seconds both feed
   *  x_seconds), in the first bucket whose bound it does not exceed, as Prometheus counts. */
  observe(labels, value, divisor) {
    const v = value / divisor;
    const series = this.at(labels);
    const i = this.buckets.findIndex((le) => v <= le);
    series.counts[i < 0 ? this.buckets.length : i]++;
    series.sum += v;
    series.count++;
  }

  /** An OTLP point, whose bounds are this family's (`clash` made sure). `divisor` is the
   *  point's own, from its unit, as for `observe`: a family made by a seed `x_ms` (1000) also
   *  takes points of unit "s" (1), and one made by an "s" point also takes "ms" points. */
  add(labels, point, divisor) {
    const series = this.at(labels);
    point.bucketCounts.forEach((n, i) => (series.counts[i] += n));
    series.sum += point.sum / divisor;
    series.count += point.count;
  }

  /** The metric in the shape of one entry of `Registry#getMetricsAsJSON()`, which
   *  `AggregatorRegistry.aggregate` adds up: cumulative `le` buckets, then `+Inf`, sum, count. */
  toJSON() {
    const { name } = this.desc;
    const values = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let below = 0;
      this.buckets.forEach((le, i) => {
        below += counts[i];
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: below });
      });
      values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
      values.push({ metricName: `${name}_sum`, labels, value: sum });
      values.push({ metricName: `${name}_count`, labels, value: count });
    }
    return { name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }
}

/** Counts the series `key` (of `labels`) among those a name holds. */
function hold(held, key, labels) {
  held.keys.add(key);
  for (const n of Object.keys(labels)) held.labelNames.add(n);
}

const defaultHelp = (wireName) => `Browser metric ${JSON.stringify(wireName)}, as reported by @recoloca/telemetry`;

/** The collector's Prometheus side: feed it accepted metric events, scrape `exposition()`. */
export class Prometheus {
  /** @param {{maxSeriesPerMetric?: number, maxMetricNames?: number}} [opts] series per name
   *  before the overflow series; names from the browsers before their samples are dropped */
  constructor({ maxSeriesPerMetric = DEFAULT_MAX_SERIES, maxMetricNames = DEFAULT_MAX_NAMES } = {}) {
    this.maxSeries = maxSeriesPerMetric;
    this.maxNames = maxMetricNames;
    this.registry = new Registry();
    this.families = new Map(); // exposed name -> Family (counters and gauges, through prom-client)
    this.histograms = new Map(); // exposed name -> HistogramFamily (both roads)
    this.reset();
  }

  /** Why `desc` cannot be exposed under its name, or null: a name holds one type, and a
   *  histogram one bucket layout, whichever of the two roads it came by first. */
  clash(desc) {
    if (OWN.has(desc.name)) return `${desc.name} is the collector's own metric`;
    const held = this.families.get(desc.name)?.desc ?? this.histograms.get(desc.name)?.desc;
    if (!held) return null;
    if (held.type !== desc.type) return `${desc.name} is already a ${held.type}`;
    if (desc.type === 'histogram' && !sameBuckets(held.buckets, desc.buckets)) return `${desc.name} already has the buckets ${held.buckets.join(', ')}`;
    return null;
  }

  /** An accepted batch stays accepted: the event is still in the collector's memory and in its
   *  answer; only this aggregate misses it. */
  leaveOut(wireName, why) {
    this.ignored++;
    console.warn(`collector: metric ${JSON.stringify(wireName)} left out of /api/metrics: ${why}`);
  }

  family(desc, help) {
    let family = this.families.get(desc.name);
    if (!family) this.families.set(desc.name, (family = new Family(this.registry, desc, help)));
    return family;
  }

  histogram(desc, help) {
    let family = this.histograms.get(desc.name);
    if (!family) this.histograms.set(desc.name, (family = new HistogramFamily(desc, help)));
    return family;
  }

  /**
   * Whether a sample of the exposed `name` may be exposed: always when the name is exposed
   * already; a new name only while fewer than `maxNames` names came from the browsers (the
   * health counters, there from the start, are not among them). Else the sample is dropped
   * (no overflow series here: a name has a type, and the dropped ones may have any), counted
   * in collector_metric_names_overflow_total and in `ignored`, and the first such sample is
   * named in a warning. A name takes its place with its first sample, before prom-client sees
   * it: its entry in `held`, and its family, stay whether or not prom-client took the sample.
   */
  admits(name, wireName) {
    if (this.held.has(name) || this.held.size - this.fixedNames < this.maxNames) return true;
    this.namesOverflowed.inc();
    this.ignored++;
    if (!this.warnedNames) {
      this.warnedNames = true;
      console.warn(`collector: ${this.maxNames} metric names (MAX_METRIC_NAMES) reached: ${JSON.stringify(wireName)} and every further new name are dropped from /api/metrics, counted in ${NAMES_OVERFLOW_METRIC}`);
    }
    return false;
  }

  /**
   * Where a sample of `name` goes: {labels, taken}. Its own labels when the name already has
   * that series or has fewer than `maxSeries`; else the labels of the name's overflow series,
   * and the sample counts in collector_series_overflow_total. The caller calls `taken()` once
   * the sample is recorded: only then does a new series take its place under the cap, or an
   * overflowed sample count, so that a sample prom-client refused takes neither.
   *
   * The overflow series has every label name the name's series had when it first overflowed
   * (no series, hence no label name, is added after that), each `__overflow__`; the sample's
   * own names if the name had none, so that it is not confused with a series without labels.
   * It is one series more than `maxSeries`. A browser may itself send `__overflow__` as a
   * value: that sample is not rewritten (the value is the sender's), so with the same label
   * names it adds into the overflow series, and otherwise looks like one.
   * collector_series_overflow_total counts only the samples the cap sent there.
   */
  place(name, labels) {
    const held = this.heldOf(name);
    const key = seriesKey(labels);
    if (held.keys.has(key)) return { labels, taken: () => {} };
    if (held.keys.size < this.maxSeries) return { labels, taken: () => hold(held, key, labels) };
    if (!held.overflow) {
      const names = held.labelNames.size ? [...held.labelNames] : Object.keys(labels);
      held.overflow = Object.fromEntries(names.map((n) => [n, OVERFLOW]));
    }
    return { labels: held.overflow, taken: () => this.overflowed.inc({ metric: name }) };
  }

  /** What the exposed `name` holds: the keys of its series, their label names, and its
   *  overflow series' labels once it has one. */
  heldOf(name) {
    let held = this.held.get(name);
    if (!held) this.held.set(name, (held = { keys: new Set(), labelNames: new Set(), overflow: null }));
    return held;
  }

  /** The collector's own metrics and the client's health series, at 0. */
  start() {
    this.overflowed = new Counter({
      name: OVERFLOW_METRIC,
      help: 'Samples put into the overflow series of a metric (labels all "__overflow__") because it had MAX_SERIES_PER_METRIC series',
      labelNames: ['metric'],
      registers: [this.registry],
    });
    this.namesOverflowed = new Counter({
      name: NAMES_OVERFLOW_METRIC,
      help: 'Samples dropped from this exposition because their metric name was new and MAX_METRIC_NAMES names had come already',
      registers: [this.registry],
    });
    for (const [name, labels] of HEALTH_SERIES) {
      const desc = describe(name);
      // Held whatever the caps: a fixed set, known before any page sent anything.
      hold(this.heldOf(desc.name), seriesKey(labels), labels);
      this.family(desc, HELP[desc.name]).record(labels, 0);
    }
    this.fixedNames = this.held.size;
  }

  /** Adds validated wire events ({name, value, labels?}). */
  add(events) {
    for (const event of events) {
      const desc = describe(event.name);
      if (desc.type === 'counter' && event.value < 0) {
        this.ignored++; // a counter only goes up; Prometheus would read a decrease as a reset
        continue;
      }
      const clash = this.clash(desc);
      if (clash) {
        this.leaveOut(event.name, clash);
        continue;
      }
      if (!this.admits(desc.name, event.name)) continue;
      const help = HELP[desc.name] ?? defaultHelp(event.name);
      const place = this.place(desc.name, exposedLabels(event.labels));
      try {
        if (desc.type === 'histogram') this.histogram(desc, help).observe(place.labels, event.value, desc.divisor);
        else this.family(desc, help).record(place.labels, event.value);
        place.taken();
      } catch (err) {
        this.leaveOut(event.name, err.message);
      }
    }
  }

  /** Adds validated OTLP data points, as collector/otlp.mjs flattens them. */
  addOtlp(points) {
    for (const point of points) {
      const desc = describeOtlp(point);
      if (desc.type === 'counter' && point.value < 0) {
        this.ignored++; // a monotonic sum's delta cannot be negative; as for the seed's counters
        continue;
      }
      const clash = this.clash(desc);
      if (clash) {
        this.leaveOut(point.name, clash);
        continue;
      }
      // OTLP lets a histogram point leave out its sum (when it saw negative values); a
      // Prometheus histogram must have one, and a made-up 0 would be wrong.
      if (desc.type === 'histogram' && point.sum === undefined) {
        this.leaveOut(point.name, 'a histogram point without a sum');
        continue;
      }
      if (!this.admits(desc.name, point.name)) continue;
      const help = HELP[desc.name] ?? point.description ?? defaultHelp(point.name);
      const place = this.place(desc.name, exposedLabels(labelValues(point.attributes)));
      try {
        if (desc.type === 'histogram') this.histogram(desc, help).add(place.labels, point, desc.divisor);
        else this.family(desc, help).record(place.labels, point.value, point.kind === 'sum');
        place.taken();
      } catch (err) {
        this.leaveOut(point.name, err.message);
      }
    }
  }

  /** The text exposition and its content type. */
  async exposition() {
    const contentType = this.registry.contentType;
    if (!this.histograms.size) return { contentType, text: await this.registry.metrics() };
    // Each name is in one of the two lists only, so nothing is added up: aggregate merely puts
    // prom-client's metrics and the histograms into one registry, in that order.
    const observed = await this.registry.getMetricsAsJSON();
    const histograms = [...this.histograms.values()].map((h) => h.toJSON());
    return { contentType, text: await AggregatorRegistry.aggregate([observed, histograms]).metrics() };
  }

  reset() {
    this.registry.clear();
    this.families.clear();
    this.histograms.clear();
    this.held = new Map(); // exposed name -> what it holds (`heldOf`)
    this.warnedNames = false; // whether `admits` has warned of MAX_METRIC_NAMES
    /** Events and points left out of the exposition: a negative increment of a counter, one
     *  whose name already holds another type or bucket layout or is the collector's own, one
     *  of a new name past MAX_METRIC_NAMES, an OTLP histogram point without a sum, or one that
     *  prom-client refused (it should not: names and values are checked before). */
    this.ignored = 0;
    this.start();
  }
}

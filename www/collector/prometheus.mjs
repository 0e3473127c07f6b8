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
// OTLP data points (POST /v1/*, read by collector/otlp.mjs) come pre-aggregated and typed, so
// their kind decides, not the name (`describeOtlp`): a monotonic Sum adds its delta to the
// counter of that name (`_total` appended when missing, as OpenTelemetry's Prometheus mapping
// does), a Gauge sets the gauge, a non-monotonic Sum moves a gauge by its delta, and a
// Histogram point is merged whole (buckets, sum, count) into the histogram of that name: unit
// "ms" is exposed in seconds under `*_seconds` like a seed `*_ms` name. The client's bounds are
// the seed's buckets in the point's unit, so the buckets match one to one.
//
// prom-client has no API to add a pre-aggregated histogram point to a Histogram (only single
// observations), so the merged points are kept here (`MergedHistogram`) and added to the
// observed metrics at scrape time with `AggregatorRegistry.aggregate`: prom-client's public
// way to add up registries (made for cluster workers), fed `getMetricsAsJSON()`'s documented
// shape. A name holds one type and one bucket layout; a point or event that does not fit what
// its name already holds is left out of the exposition and counted in `ignored`.
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client';

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
 * One exposed metric and every series of it.
 *
 * prom-client fixes a metric's label names when it is created, and refuses a label outside
 * them (a missing one is fine: it is exposed without it, which Prometheus treats as empty).
 * Events of one name need not agree: `page_load_time_ms` came without labels from the seed's
 * client and comes with `rating` from this one; an app may add a label to its own metric later.
 * So the family grows: when an event brings a label name not seen yet, the metric is created
 * again with the union of the names and its series are put back, each with the labels it had.
 * Nothing is lost and nothing is merged. Counters and gauges put back their current value;
 * a histogram's buckets cannot be set through prom-client's API, so a histogram family keeps
 * the values it observed and observes them again (the collector holds every event in memory
 * anyway; a name's label set stops growing after its first few events).
 */
class Family {
  constructor(registry, desc, help) {
    this.registry = registry;
    this.desc = desc;
    this.help = help;
    this.labelNames = [];
    this.series = new Map(); // key -> {labels, value} (counter sum, gauge value) or {labels, values}
    this.metric = null;
  }

  /** `divisor` is the event's own (x_ms and x_seconds both feed x_seconds); `add` moves a
   *  gauge by `value` instead of setting it (an OTLP up-down counter's delta). */
  record(labels, value, divisor = 1, add = false) {
    const added = Object.keys(labels).filter((n) => !this.labelNames.includes(n));
    if (!this.metric || added.length) this.rebuild([...this.labelNames, ...added].sort());
    const key = seriesKey(labels);
    let series = this.series.get(key);
    if (!series) series = this.desc.type === 'histogram' ? { labels, values: [] } : { labels, value: 0 };
    this.series.set(key, series);
    // prom-client first: if it refused the event, the series' record stays as it was.
    if (this.desc.type === 'counter') {
      this.metric.inc(labels, value);
      series.value += value;
    } else if (this.desc.type === 'gauge') {
      if (add) this.metric.inc(labels, value);
      else this.metric.set(labels, value);
      series.value = add ? series.value + value : value;
    } else {
      const v = value / divisor;
      this.metric.observe(labels, v);
      series.values.push(v);
    }
  }

  rebuild(labelNames) {
    if (this.metric) this.registry.removeSingleMetric(this.desc.name);
    this.labelNames = labelNames;
    const config = { name: this.desc.name, help: this.help, labelNames, registers: [this.registry] };
    if (this.desc.type === 'counter') this.metric = new Counter(config);
    else if (this.desc.type === 'gauge') this.metric = new Gauge(config);
    else this.metric = new Histogram({ ...config, buckets: this.desc.buckets });
    for (const { labels, value, values } of this.series.values()) {
      if (this.desc.type === 'counter') this.metric.inc(labels, value);
      else if (this.desc.type === 'gauge') this.metric.set(labels, value);
      else for (const v of values) this.metric.observe(labels, v);
    }
  }
}

/**
 * The OTLP histogram points of one name, merged per series: per-bucket counts (not
 * cumulative), sum and count, in the exposed unit.
 */
class MergedHistogram {
  constructor(desc, help) {
    this.desc = desc;
    this.type = 'histogram';
    this.buckets = desc.buckets;
    this.help = help;
    this.series = new Map(); // key -> {labels, counts, sum, count}
  }

  add(labels, point) {
    const key = seriesKey(labels);
    let series = this.series.get(key);
    if (!series) this.series.set(key, (series = { labels, counts: new Array(this.buckets.length + 1).fill(0), sum: 0, count: 0 }));
    point.bucketCounts.forEach((n, i) => (series.counts[i] += n));
    series.sum += point.sum / this.desc.divisor;
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

const defaultHelp = (wireName) => `Browser metric ${JSON.stringify(wireName)}, as reported by @recoloca/telemetry`;

/** The collector's Prometheus side: feed it accepted metric events, scrape `exposition()`. */
export class Prometheus {
  constructor() {
    this.registry = new Registry();
    this.families = new Map(); // exposed name -> Family (observed through prom-client)
    this.merged = new Map(); // exposed name -> MergedHistogram (OTLP histogram points)
    /** Events and points left out of the exposition: a negative increment of a counter, one
     *  whose name already holds another type or bucket layout, an OTLP histogram point without
     *  a sum, or one that prom-client refused (it should not: names and values are checked
     *  before). */
    this.ignored = 0;
  }

  /** Why `desc` cannot be exposed under its name, or null: a name holds one type, and a
   *  histogram one bucket layout, whichever of the two roads it came by first. */
  clash(desc) {
    const held = this.families.get(desc.name)?.desc ?? this.merged.get(desc.name)?.desc;
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
      try {
        this.family(desc, HELP[desc.name] ?? defaultHelp(event.name)).record(sanitizeLabels(event.labels), event.value, desc.divisor);
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
      const help = HELP[desc.name] ?? point.description ?? defaultHelp(point.name);
      const labels = sanitizeLabels(labelValues(point.attributes));
      if (desc.type !== 'histogram') {
        try {
          this.family(desc, help).record(labels, point.value, 1, point.kind === 'sum');
        } catch (err) {
          this.leaveOut(point.name, err.message);
        }
        continue;
      }
      // OTLP lets a histogram point leave out its sum (when it saw negative values); a
      // Prometheus histogram must have one, and a made-up 0 would be wrong.
      if (point.sum === undefined) {
        this.leaveOut(point.name, 'a histogram point without a sum');
        continue;
      }
      let merged = this.merged.get(desc.name);
      if (!merged) this.merged.set(desc.name, (merged = new MergedHistogram(desc, help)));
      merged.add(labels, point);
    }
  }

  /** The text exposition and its content type. */
  async exposition() {
    const contentType = this.registry.contentType;
    if (!this.merged.size) return { contentType, text: await this.registry.metrics() };
    // Same name and labels (`le` included) add up: observed and merged histograms of one name
    // become one family, in the order of first appearance.
    const observed = await this.registry.getMetricsAsJSON();
    const merged = [...this.merged.values()].map((m) => m.toJSON());
    return { contentType, text: await AggregatorRegistry.aggregate([observed, merged]).metrics() };
  }

  reset() {
    this.registry.clear();
    this.families.clear();
    this.merged.clear();
    this.ignored = 0;
  }
}

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
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

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

  /** `divisor` is the event's own (x_ms and x_seconds both feed x_seconds). */
  record(labels, value, divisor = 1) {
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
      this.metric.set(labels, value);
      series.value = value;
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

/** The collector's Prometheus side: feed it accepted metric events, scrape `exposition()`. */
export class Prometheus {
  constructor() {
    this.registry = new Registry();
    this.families = new Map();
    /** Events left out of the exposition: a negative increment of a counter, or one that
     *  prom-client refused (it should not: names and values are checked before). */
    this.ignored = 0;
  }

  /** Adds validated wire events ({name, value, labels?}). */
  add(events) {
    for (const event of events) {
      const desc = describe(event.name);
      if (desc.type === 'counter' && event.value < 0) {
        this.ignored++; // a counter only goes up; Prometheus would read a decrease as a reset
        continue;
      }
      let family = this.families.get(desc.name);
      if (!family) {
        family = new Family(this.registry, desc, HELP[desc.name] ?? `Browser metric ${JSON.stringify(event.name)}, as reported by @recoloca/telemetry`);
        this.families.set(desc.name, family);
      }
      try {
        family.record(sanitizeLabels(event.labels), event.value, desc.divisor);
      } catch (err) {
        // An accepted batch stays accepted: the event is still in the collector's memory and
        // in its answer; only this aggregate misses it.
        this.ignored++;
        console.warn(`collector: metric ${JSON.stringify(event.name)} left out of /api/metrics: ${err.message}`);
      }
    }
  }

  /** The text exposition and its content type. */
  async exposition() {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  reset() {
    this.registry.clear();
    this.families.clear();
    this.ignored = 0;
  }
}

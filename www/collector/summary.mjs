// What the live dashboard shows (GET /api/summary), kept up to date as events are accepted so
// that a poll every second costs a few small loops, not a pass over every event.

export const WINDOW_SECONDS = 120; // the event-rate chart: the last two minutes, per second
const MAX_SAMPLES = 10000; // per vital and for API durations: the newest are kept
const RATINGS = ['good', 'needs-improvement', 'poor'];

// Web Vitals, with the thresholds web.dev publishes (good up to the first, poor above the
// second). The load timings have none: their rating comes from the samples' own labels.
export const VITALS = [
  { name: 'largest_contentful_paint_ms', short: 'LCP', title: 'Largest Contentful Paint', unit: 'ms', good: 2500, poor: 4000 },
  { name: 'interaction_to_next_paint_ms', short: 'INP', title: 'Interaction to Next Paint', unit: 'ms', good: 200, poor: 500 },
  { name: 'cumulative_layout_shift', short: 'CLS', title: 'Cumulative Layout Shift', unit: '', good: 0.1, poor: 0.25 },
  { name: 'first_contentful_paint_ms', short: 'FCP', title: 'First Contentful Paint', unit: 'ms', good: 1800, poor: 3000 },
  { name: 'time_to_first_byte_ms', short: 'TTFB', title: 'Time to First Byte', unit: 'ms', good: 800, poor: 1800 },
  { name: 'first_input_delay_ms', short: 'FID', title: 'First Input Delay', unit: 'ms', good: 100, poor: 300 },
  { name: 'page_load_time_ms', short: 'Load', title: 'Page load time', unit: 'ms' },
  { name: 'dom_content_loaded_ms', short: 'DCL', title: 'DOM content loaded', unit: 'ms' },
];
const VITAL = new Map(VITALS.map((v) => [v.name, v]));

function byThresholds(vital, value) {
  if (vital.good === undefined) return null;
  return value <= vital.good ? 'good' : value <= vital.poor ? 'needs-improvement' : 'poor';
}

/** Nearest-rank p75: a value some sample really had, so that, for a timing without
 *  thresholds, that sample's own rating label applies to it. */
function p75Sample(samples) {
  if (!samples.length) return null;
  const sorted = [...samples].sort((a, b) => a.value - b.value);
  return sorted[Math.ceil(sorted.length * 0.75) - 1];
}

function pushBounded(list, item) {
  list.push(item);
  if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
}

const add = (map, key, n) => map.set(key, (map.get(key) ?? 0) + n);
const sortedCounts = (map, keyName) =>
  [...map].map(([key, count]) => ({ [keyName]: key, count })).sort((a, b) => b.count - a.count || String(a[keyName]).localeCompare(String(b[keyName])));

export class Summary {
  constructor() {
    this.reset();
  }

  reset() {
    this.rate = new Map(); // second -> {metrics, logs}
    this.vitals = new Map(); // name -> [{value, rating}]
    this.errorTypes = new Map();
    this.errorComponents = new Map();
    this.levels = new Map();
    this.pages = new Map();
    this.dropped = new Map(); // "stream/reason" -> count
    this.retries = new Map(); // stream -> count
    this.api = { calls: 0, failed: 0, durations: [] };
    this.rejected = 0; // batches answered 400, 413 or 415
  }

  /**
   * The second an event counts in: its own time, since a batch arrives up to a flush interval
   * after its events and arrival time would show every flush as a spike; the arrival time when
   * the page's clock is off by more than the chart's window.
   */
  second(eventTime, arrival) {
    const t = Number.isFinite(eventTime) && Math.abs(eventTime - arrival) < WINDOW_SECONDS * 1000 ? Math.min(eventTime, arrival) : arrival;
    return Math.floor(t / 1000);
  }

  count(stream, eventTime, arrival) {
    const s = this.second(eventTime, arrival);
    if (s <= Math.floor(arrival / 1000) - WINDOW_SECONDS) return;
    let slot = this.rate.get(s);
    if (!slot) this.rate.set(s, (slot = { metrics: 0, logs: 0 }));
    slot[stream]++;
  }

  addMetrics(events, arrival = Date.now()) {
    for (const m of events) {
      this.count('metrics', m.timestamp, arrival);
      const labels = m.labels ?? {};
      const vital = VITAL.get(m.name);
      if (vital) {
        const rating = RATINGS.includes(labels.rating) ? labels.rating : byThresholds(vital, m.value);
        const samples = this.vitals.get(m.name) ?? [];
        pushBounded(samples, { value: m.value, rating });
        this.vitals.set(m.name, samples);
        continue;
      }
      switch (m.name) {
        case 'frontend_errors_total':
          add(this.errorTypes, labels.error_type || 'unknown', m.value);
          add(this.errorComponents, labels.component || 'unknown', m.value);
          break;
        case 'page_views_total':
          add(this.pages, labels.page || 'unknown', m.value);
          break;
        case 'api_calls_total':
          this.api.calls += m.value;
          // A status that is no 2xx/3xx number (0 for a network error) is a failure too.
          if (!/^[23]\d\d$/.test(labels.status ?? '')) this.api.failed += m.value;
          break;
        case 'api_call_duration_ms':
          pushBounded(this.api.durations, { value: m.value });
          break;
        case 'telemetry_events_dropped_total':
          add(this.dropped, `${labels.stream ?? '?'}/${labels.reason ?? '?'}`, m.value);
          break;
        case 'telemetry_retries_total':
          add(this.retries, labels.stream ?? '?', m.value);
          break;
      }
    }
  }

  addLogs(events, arrival = Date.now()) {
    for (const l of events) {
      this.count('logs', Date.parse(l.timestamp), arrival);
      add(this.levels, l.level, 1);
    }
  }

  /** The dashboard's data. `state` is the collector's (totals and the newest logs). */
  snapshot(state, now = Date.now()) {
    const last = Math.floor(now / 1000);
    for (const s of this.rate.keys()) if (s <= last - WINDOW_SECONDS) this.rate.delete(s);
    const rate = [];
    for (let s = last - WINDOW_SECONDS + 1; s <= last; s++) {
      const slot = this.rate.get(s);
      rate.push({ t: s * 1000, metrics: slot?.metrics ?? 0, logs: slot?.logs ?? 0 });
    }
    const vitals = VITALS.map((v) => {
      const samples = this.vitals.get(v.name) ?? [];
      const p75 = p75Sample(samples);
      const ratings = Object.fromEntries(RATINGS.map((r) => [r, samples.filter((s) => s.rating === r).length]));
      return {
        name: v.name,
        short: v.short,
        title: v.title,
        unit: v.unit,
        thresholds: v.good === undefined ? null : [v.good, v.poor],
        count: samples.length,
        p75: p75?.value ?? null,
        rating: p75 ? (byThresholds(v, p75.value) ?? p75.rating ?? null) : null,
        ratings,
      };
    });
    const dropped = [...this.dropped].map(([key, count]) => {
      const [stream, reason] = key.split('/');
      return { stream, reason, count };
    });
    const sum = (map) => [...map.values()].reduce((a, b) => a + b, 0);
    return {
      now,
      totals: {
        metrics: state.metrics.length,
        logs: state.logs.length,
        requests: state.requests.length,
        duplicates: state.duplicates,
        rejected: this.rejected,
        ignored: state.prometheus?.ignored ?? 0,
      },
      rate: { seconds: WINDOW_SECONDS, points: rate, lastMinute: rate.slice(-60).reduce((n, p) => n + p.metrics + p.logs, 0) },
      vitals,
      errors: {
        total: sum(this.errorTypes),
        byType: sortedCounts(this.errorTypes, 'type'),
        byComponent: sortedCounts(this.errorComponents, 'component'),
        errorLogs: this.levels.get('error') ?? 0,
      },
      logLevels: Object.fromEntries(['debug', 'info', 'warn', 'error'].map((l) => [l, this.levels.get(l) ?? 0])),
      pages: sortedCounts(this.pages, 'page'),
      api: { calls: this.api.calls, failed: this.api.failed, p75Ms: p75Sample(this.api.durations)?.value ?? null },
      client: {
        dropped,
        droppedTotal: sum(this.dropped),
        retries: sortedCounts(this.retries, 'stream'),
        retriesTotal: sum(this.retries),
      },
      recentLogs: state.logs.slice(-50).reverse(),
    };
  }
}

// What the live dashboard shows (GET /api/summary), kept up to date as events are accepted so
// that a poll every second costs a few small loops, not a pass over every event.
//
// Both roads in count: the seed's events (/api/*) and OTLP data (/v1/*, collector/otlp.mjs).
// An OTLP data point counts as one event, but a histogram point as `count` events: each of
// those was one measurement the client aggregated (a sum's delta does not say how many
// increments made it, so it counts once). `sources` tells the two roads apart.
//
// Spans (OTLP only) are not events of the chart: the dashboard lists the slowest browser
// requests among them, each with whether the demo backend logged a line of the same trace.
import { byThresholds, Distribution, RATINGS } from './distribution.mjs';
import { TIME_BUCKETS, CLS_BUCKETS, OVERFLOW, capLabelValue } from './prometheus.mjs';
import { SPAN_KIND_CLIENT } from './otlp.mjs';
import { routeLabel } from './route.mjs';

export const WINDOW_SECONDS = 120; // the event-rate chart: the last two minutes, per second
const RECENT_LOGS = 50;
// The bounds an OTLP histogram of a timing must have to feed a p75 here: the client's, in ms.
const MS_BUCKETS = TIME_BUCKETS.map((b) => b * 1000);
const LEVELS = ['debug', 'info', 'warn', 'error'];
// The slowest requests: the slowest SLOWEST of the last CLIENT_SPANS client spans.
export const CLIENT_SPANS = 500;
export const SLOWEST = 10;
// The counts by a label's value (error types, components, pages, the client's streams and
// reasons): at most COUNTED values each, so that a page sending a new value with every event
// cannot grow them; what comes after adds up under `__overflow__`, as in /api/metrics.
export const COUNTED = 1000;

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
const API_DURATION = 'api_call_duration_ms';

const vitalDistribution = (vital) => new Distribution(vital.unit === 'ms' ? MS_BUCKETS : CLS_BUCKETS, vital);

/** OTLP's SeverityNumber as the dashboard's four levels: 1-4 TRACE and 5-8 DEBUG are debug,
 *  9-12 info, 13-16 warn, 17-24 ERROR and FATAL error; unspecified (0) by its text, if any. */
function levelOf(severityNumber, severityText) {
  if (severityNumber >= 17) return 'error';
  if (severityNumber >= 13) return 'warn';
  if (severityNumber >= 9) return 'info';
  if (severityNumber >= 1) return 'debug';
  const text = severityText.toLowerCase();
  return LEVELS.includes(text) ? text : text === 'warning' ? 'warn' : null;
}

const nanosToMs = (nanos) => Number(BigInt(nanos) / 1000000n);
const asText = (v) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));

/** An OTLP log record as a recent log of the seed's shape, which the dashboard lists. */
function recentOtlpLog(record, level, time) {
  const a = record.attributes;
  const entry = { timestamp: new Date(time).toISOString(), level, message: asText(record.body), source: 'otlp' };
  if (a.component !== undefined) entry.context = { component: asText(a.component) };
  if (a['exception.type'] !== undefined || a['exception.message'] !== undefined) {
    entry.error = { name: asText(a['exception.type'] ?? 'Error'), message: asText(a['exception.message']) };
  }
  return entry;
}

function add(map, key, n, overflow = OVERFLOW) {
  if (!map.has(key) && map.size >= COUNTED) key = overflow;
  map.set(key, (map.get(key) ?? 0) + n);
}
const sortedCounts = (map, keyName) =>
  [...map].map(([key, count]) => ({ [keyName]: key, count })).sort((a, b) => b.count - a.count || String(a[keyName]).localeCompare(String(b[keyName])));

export class Summary {
  constructor() {
    this.reset();
  }

  reset() {
    this.rate = new Map(); // second -> {metrics, logs}
    this.vitals = new Map(VITALS.map((v) => [v.name, vitalDistribution(v)]));
    this.errorTypes = new Map();
    this.errorComponents = new Map();
    this.levels = new Map();
    this.pages = new Map();
    this.dropped = new Map(); // "stream/reason" -> count
    this.retries = new Map(); // stream -> count
    this.api = { calls: 0, failed: 0, durations: new Distribution(MS_BUCKETS) };
    this.rejected = 0; // batches answered 400, 413 or 415
    this.recent = []; // the newest log entries, both roads, oldest first
    this.spans = 0; // spans accepted
    this.clientSpans = []; // the newest CLIENT_SPANS client spans, as slowest() lists them, oldest first
    // Per road: requests that reached it, events accepted (as counted on the chart), and for
    // OTLP the data points they came in.
    this.sources = { seed: { requests: 0, metrics: 0, logs: 0 }, otlp: { requests: 0, points: 0, metrics: 0, logs: 0 } };
  }

  /** A request reached the seed's endpoints ('seed') or OTLP's ('otlp'). */
  request(source) {
    this.sources[source].requests++;
  }

  recentLog(entry) {
    this.recent.push(entry);
    if (this.recent.length > RECENT_LOGS) this.recent.splice(0, this.recent.length - RECENT_LOGS);
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

  count(stream, eventTime, arrival, n = 1) {
    const s = this.second(eventTime, arrival);
    if (s <= Math.floor(arrival / 1000) - WINDOW_SECONDS) return;
    let slot = this.rate.get(s);
    if (!slot) {
      // A new second: the ones that left the window go now, not only when the dashboard polls
      // (a collector nobody watches would keep one per second for ever).
      this.prune(Math.floor(arrival / 1000));
      this.rate.set(s, (slot = { metrics: 0, logs: 0 }));
    }
    slot[stream] += n;
  }

  /** Forgets the seconds before the chart's window ending at second `last`. */
  prune(last) {
    for (const s of this.rate.keys()) if (s <= last - WINDOW_SECONDS) this.rate.delete(s);
  }

  addMetrics(events, arrival = Date.now()) {
    for (const m of events) {
      this.count('metrics', m.timestamp, arrival);
      this.sources.seed.metrics++;
      const labels = m.labels ?? {};
      const vital = VITAL.get(m.name);
      if (vital) {
        const rating = RATINGS.includes(labels.rating) ? labels.rating : byThresholds(vital, m.value);
        this.vitals.get(m.name).addSample(m.value, rating);
        continue;
      }
      if (m.name === API_DURATION) this.api.durations.addSample(m.value);
      else this.counted(m.name, m.value, labels);
    }
  }

  /**
   * OTLP data points, as collector/otlp.mjs flattens them. A Sum's delta counts like a seed
   * event of that value; a Histogram point of a vital or of API durations goes into its
   * distribution whole (when its bounds are the client's; else it is only counted).
   */
  addOtlpMetrics(points, arrival = Date.now()) {
    for (const p of points) {
      const events = p.kind === 'histogram' ? p.count : 1;
      this.count('metrics', nanosToMs(p.timeUnixNano), arrival, events);
      this.sources.otlp.points++;
      this.sources.otlp.metrics += events;
      const labels = Object.fromEntries(Object.entries(p.attributes).map(([k, v]) => [k, asText(v)]));
      if (p.kind === 'sum') this.counted(p.name, p.value, labels);
      if (p.kind !== 'histogram') continue;
      const vital = VITAL.get(p.name);
      if (vital) this.vitals.get(p.name).addHistogram(p, RATINGS.includes(labels.rating) ? labels.rating : undefined);
      else if (p.name === API_DURATION) this.api.durations.addHistogram(p);
    }
  }

  /** A counter's increment, by the name the client gives it. */
  counted(name, value, labels) {
    // A value as a key of the counts: at most MAX_LABEL_VALUE characters, as /api/metrics
    // exposes it, so that COUNTED keys stay small too.
    const label = (key) => (typeof labels[key] === 'string' ? capLabelValue(labels[key]) : labels[key]);
    switch (name) {
      case 'frontend_errors_total':
        add(this.errorTypes, label('error_type') || 'unknown', value);
        add(this.errorComponents, label('component') || 'unknown', value);
        break;
      case 'page_views_total':
        // As /api/metrics exposes it: a route template, so that /jobs/1 and /jobs/2 are one page.
        add(this.pages, labels.page ? routeLabel(labels.page) : 'unknown', value);
        break;
      case 'api_calls_total':
        this.api.calls += value;
        // A status that is no 2xx/3xx number (0 for a network error) is a failure too.
        if (!/^[23]\d\d$/.test(labels.status ?? '')) this.api.failed += value;
        break;
      case 'telemetry_events_dropped_total':
        add(this.dropped, `${label('stream') ?? '?'}/${label('reason') ?? '?'}`, value, `${OVERFLOW}/${OVERFLOW}`);
        break;
      case 'telemetry_retries_total':
        add(this.retries, label('stream') ?? '?', value);
        break;
    }
  }

  addLogs(events, arrival = Date.now()) {
    for (const l of events) {
      this.count('logs', Date.parse(l.timestamp), arrival);
      this.sources.seed.logs++;
      add(this.levels, l.level, 1);
      this.recentLog(l);
    }
  }

  /** OTLP log records, as collector/otlp.mjs flattens them. A record's time is when it
   *  happened, else when the client observed it, else its arrival. */
  addOtlpLogs(records, arrival = Date.now()) {
    for (const r of records) {
      const nanos = r.timeUnixNano !== '0' ? r.timeUnixNano : r.observedTimeUnixNano;
      const time = nanos !== '0' ? nanosToMs(nanos) : arrival;
      this.count('logs', time, arrival);
      this.sources.otlp.logs++;
      const level = levelOf(r.severityNumber, r.severityText);
      if (level) add(this.levels, level, 1);
      this.recentLog(recentOtlpLog(r, level, time));
    }
  }

  /** OTLP spans, as collector/otlp.mjs flattens them. A client span (kind CLIENT: the
   *  browser's fetch or XHR) is kept for the slowest requests, by its HTTP attributes. */
  addOtlpSpans(spans) {
    for (const s of spans) {
      this.spans++;
      if (s.kind !== SPAN_KIND_CLIENT) continue;
      const a = s.attributes;
      const code = a['http.response.status_code'];
      this.clientSpans.push({
        name: s.name,
        url: a['url.full'] === undefined ? null : asText(a['url.full']),
        // Absent when no answer came (a network error): the span's status says it failed.
        status: Number.isInteger(code) ? code : /^\d+$/.test(code ?? '') ? Number(code) : null,
        durationMs: s.durationMs,
        failed: s.status.code === 2,
        traceId: s.traceId,
        spanId: s.spanId,
      });
    }
    if (this.clientSpans.length > CLIENT_SPANS) this.clientSpans.splice(0, this.clientSpans.length - CLIENT_SPANS);
  }

  /** The slowest client spans, slowest first (the newer first among equals), each with whether
   *  the demo backend logged a line of its trace among `serverLog`, the newest lines it wrote. */
  slowest(serverLog = []) {
    const logged = new Set();
    for (const line of serverLog) if (line.trace_id) logged.add(line.trace_id);
    return this.clientSpans
      .map((s, i) => ({ s, i }))
      .sort((a, b) => b.s.durationMs - a.s.durationMs || b.i - a.i)
      .slice(0, SLOWEST)
      .map(({ s }) => ({ ...s, serverLogged: logged.has(s.traceId) }));
  }

  /** The dashboard's data. `state` is the collector's (totals, the newest logs, the server's log). */
  snapshot(state, now = Date.now()) {
    const last = Math.floor(now / 1000);
    this.prune(last);
    const rate = [];
    for (let s = last - WINDOW_SECONDS + 1; s <= last; s++) {
      const slot = this.rate.get(s);
      rate.push({ t: s * 1000, metrics: slot?.metrics ?? 0, logs: slot?.logs ?? 0 });
    }
    const vitals = VITALS.map((v) => {
      const { count, p75, p75Rating, ratings, estimated } = this.vitals.get(v.name).view();
      return {
        name: v.name,
        short: v.short,
        title: v.title,
        unit: v.unit,
        thresholds: v.good === undefined ? null : [v.good, v.poor],
        count,
        p75,
        rating: p75 === null ? null : (byThresholds(v, p75) ?? p75Rating),
        ratings,
        // From OTLP histogram buckets: an estimate (collector/distribution.mjs).
        estimated,
      };
    });
    const apiDurations = this.api.durations.view();
    const dropped = [...this.dropped].map(([key, count]) => {
      const [stream, reason] = key.split('/');
      return { stream, reason, count };
    });
    const sum = (map) => [...map.values()].reduce((a, b) => a + b, 0);
    return {
      now,
      totals: {
        metrics: state.totals.metrics + this.sources.otlp.metrics,
        logs: state.totals.logs + this.sources.otlp.logs,
        requests: state.totals.requests,
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
      api: { calls: this.api.calls, failed: this.api.failed, p75Ms: apiDurations.p75 },
      apiP75Estimated: apiDurations.estimated,
      client: {
        dropped,
        droppedTotal: sum(this.dropped),
        retries: sortedCounts(this.retries, 'stream'),
        retriesTotal: sum(this.retries),
      },
      recentLogs: this.recent.slice().reverse(),
      traces: { spans: this.spans, clientSpans: this.clientSpans.length, window: CLIENT_SPANS },
      slowestRequests: this.slowest(state.serverLog),
      sources: { seed: { ...this.sources.seed }, otlp: { ...this.sources.otlp } },
    };
  }
}

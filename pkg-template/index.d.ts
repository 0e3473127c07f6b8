// Types of @recoloca/telemetry (the main entry; the slim entry has the same types).

/** Labels of a metric: each becomes a Prometheus label on the collector. */
export type Labels = Record<string, string>;

/** Options of `configure()`; every one is optional and defaults to the seed's value. */
export interface TelemetryOptions {
  /** Where metric batches are POSTed. Default `'/api/metrics'`. */
  metricsEndpoint?: string;
  /** Metrics buffered before a flush starts. Default 10. */
  batchSize?: number;
  /** Period of the metrics flush, in ms. Default 30000. */
  flushIntervalMs?: number;
  /** Where log batches are POSTed. Default `'/api/logs'`. */
  logsEndpoint?: string;
  /** Log entries buffered before a flush starts. Default 50. */
  logBatchSize?: number;
  /** Period of the logs flush, in ms. Default 10000. */
  logFlushIntervalMs?: number;
  /** `service` of every log entry. Default `'recoloca-frontend'`. */
  service?: string;
  /** `version` of every log entry. Default `'1.0.0'`. */
  version?: string;
  /** `'development'` also prints each log entry to the console. Default `'production'`. */
  environment?: string;
  /** First retry delay, in ms. Default 1000. */
  retryInitialMs?: number;
  /** Longest retry delay, in ms. Default 60000. */
  retryMaxMs?: number;
  /** Attempts of one batch before it is given up (and counted). Default 10. */
  retryMaxAttempts?: number;
  /** An attempt without an answer after this long, in ms, is aborted and retried. Default 10000. */
  requestTimeoutMs?: number;
  /** Events held per stream, buffered and awaiting retry. Default 1000. */
  maxBufferedEvents?: number;
  /** Bytes of encoded events held per stream. Default 1048576. */
  maxBufferedBytes?: number;
  /** Largest request body, in bytes. Default 60000. */
  maxRequestBytes?: number;
  /** `localStorage` bytes kept for undelivered batches, per origin. Default 262144. */
  maxPersistedBytes?: number;
  /** Report uncaught errors, unhandled rejections and failed resource loads. Default `true`
   *  (the slim entry has no error capture: always off there). */
  captureErrors?: boolean;
  /** Observe page timings and Web Vitals (page_load_time_ms, LCP, CLS, INP, …). Default true
   *  (the slim entry has no page timings: always off there). */
  observePerformance?: boolean;
  /** The visitor's consent. `'granted'` (default, the seed's behaviour): recorded and sent.
   *  `'pending'`: recorded into the bounded buffers, nothing sent or written to storage until
   *  `'granted'`, which sends what was kept. `'not-granted'`: nothing recorded, what was kept
   *  discarded, and the client's stored batches removed. See `setTrackingConsent`. */
  trackingConsent?: TrackingConsent;
  /** The share of sessions that send anything, 0 to 100. Default 100. Decided from the
   *  session id, so that a session is in or out for its whole life. */
  sessionSampleRate?: number;
  /** Patterns whose matches in captured errors (message, stack, causes) become `[redacted]`.
   *  URLs there lose their query and fragment in any case. (The slim entry captures none.) */
  redact?: RegExp | RegExp[];
  /** The app's look at each metric event and log entry before it is recorded: a copy in the
   *  seed's wire shape. Return it (changed or not) to record it, `false` or `null` to drop it
   *  (counted as `telemetry_events_dropped_total{reason="before_send"}`); nothing returned
   *  (or `true`) keeps the copy as the hook left it. A hook that throws leaves the event
   *  unchanged (said once). Synchronous. `null` removes it. */
  beforeSend?: BeforeSend | null;
}

export type TrackingConsent = 'granted' | 'pending' | 'not-granted';

/** A metric event as the seed's `MetricData` sends it. */
export interface MetricEvent {
  name: string;
  value: number;
  labels?: Record<string, string>;
  /** Epoch milliseconds. */
  timestamp: number;
}

/** A log entry as the seed's `LogEntry` sends it. Only `timestamp`, `level`, `message`,
 *  `context` and `error` are taken back from the hook's answer; the rest are shown only. */
export interface LogEvent {
  /** ISO 8601, as `Date.prototype.toISOString` writes it. */
  timestamp: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  service: string;
  version: string;
  context?: Record<string, unknown>;
  error?: { name: string; message: string; stack?: string };
  user_id?: string;
  session_id?: string;
}

/** `beforeSend`: `kind` says which of the two `event` is (TypeScript narrows `event` by it). */
export type BeforeSend = (
  ...args: [event: MetricEvent, kind: 'metric'] | [event: LogEvent, kind: 'log']
) => MetricEvent | LogEvent | boolean | null | void;

export interface MetricsCollector {
  recordMetric(name: string, value: number, labels?: Labels): void;
  trackPageView(page: string, userId?: string): void;
  trackUserAction(action: string, component: string, userId?: string): void;
  trackApiCall(endpoint: string, method: string, status: number, duration: number): void;
  trackError(error: Error | unknown, component?: string, userId?: string): void;
}

export type LogContext = Record<string, unknown>;

export interface Logger {
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, error?: Error | unknown, context?: LogContext): void;
}

export const metricsCollector: MetricsCollector;
export const logger: Logger;

/** Changes options; those not named keep their value. Never throws. */
export function configure(options: TelemetryOptions): void;

/** Changes `trackingConsent` at any time, before `ready` too. Never throws. */
export function setTrackingConsent(value: TrackingConsent): void;

/** Sends everything buffered now. Resolves when the requests have settled; never rejects. */
export function flush(): Promise<void>;

/** Resolves `true` once the WebAssembly module is loaded and earlier calls were replayed;
 *  `false` if it could not load (or outside a browser). Never rejects. */
export const ready: Promise<boolean>;

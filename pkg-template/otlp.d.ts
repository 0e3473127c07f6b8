// Types of @recoloca/telemetry/otlp: the main entry's API, whose batches can also be exported
// as OTLP/HTTP JSON to an OpenTelemetry Collector (README, "Scaling out").
import type { TelemetryOptions } from './index.js';

export * from './index.js';

/** The main entry's options, and OTLP export's. */
export interface OtlpTelemetryOptions extends Omit<TelemetryOptions, 'metricsEndpoint' | 'logsEndpoint'> {
  /** Where metric batches are POSTed in the seed's format. Default `'/api/metrics'`; `null` (or
   *  `''`) sends none, for an app that exports OTLP only. */
  metricsEndpoint?: string | null;
  /** Where log batches are POSTed in the seed's format. Default `'/api/logs'`; `null` (or `''`)
   *  sends none. */
  logsEndpoint?: string | null;
  /** An OpenTelemetry Collector's OTLP/HTTP base URL, such as `'https://otel.example.com:4318'`:
   *  metric and log batches are also sent to its `/v1/metrics` and `/v1/logs` as OTLP JSON.
   *  Default none. */
  otlpEndpoint?: string;
  /** One signal's own OTLP URL, whole (no path is added), as OpenTelemetry's
   *  `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`; `null` (or `''`) exports no metrics as OTLP. Default:
   *  `${otlpEndpoint}/v1/metrics`. */
  otlpMetricsEndpoint?: string | null;
  /** As `otlpMetricsEndpoint`, for logs. Default: `${otlpEndpoint}/v1/logs`. */
  otlpLogsEndpoint?: string | null;
  /** As `otlpMetricsEndpoint`, for spans; `null` with `instrumentRequests` measures the page's
   *  requests and propagates their context without exporting spans. Default:
   *  `${otlpEndpoint}/v1/traces`. */
  otlpTracesEndpoint?: string | null;
  /** Headers every OTLP request carries besides `Content-Type` and `Idempotency-Key`, such as an
   *  API key. The collector's CORS configuration must allow their names. */
  otlpHeaders?: Record<string, string>;
  /** Measure every `fetch` and `XMLHttpRequest` of the page (the client's own deliveries
   *  aside) as `api_calls_total` and `api_call_duration_ms`, with the endpoint as a route
   *  template, and trace each with a CLIENT span. Default `false` (an app that calls
   *  `trackApiCall` itself would count each call twice). */
  instrumentRequests?: boolean;
  /** The share of traces whose spans are recorded, 0 to 1. Default 1. A trace sampled out
   *  still propagates its `traceparent`, with flags `00`. */
  traceSampleRate?: number;
  /** Other origins that may receive a `traceparent` (their CORS must allow it): URL prefixes,
   *  or regular expressions. The page's own origin always does; no other origin ever does. */
  propagateTraceHeaderCorsUrls?: Array<string | RegExp>;
}

export function configure(options: OtlpTelemetryOptions): void;

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
  /** Headers every OTLP request carries besides `Content-Type` and `Idempotency-Key`, such as an
   *  API key. The collector's CORS configuration must allow their names. */
  otlpHeaders?: Record<string, string>;
}

export function configure(options: OtlpTelemetryOptions): void;

// Types of @recoloca/telemetry/otlp/react: the React bindings over the OTLP entry, whose
// provider takes the OTLP entry's options.
import type { ReactElement, ReactNode } from 'react';
import type { Logger, MetricsCollector, OtlpTelemetryOptions } from '../otlp.js';

export * from '../react.js';

/** What the bindings use of a client: the OTLP entry's own `{ metricsCollector, logger,
 *  configure }` by default. */
export interface TelemetryClient {
  metricsCollector: MetricsCollector;
  logger: Logger;
  configure(options: OtlpTelemetryOptions): void;
}

export interface TelemetryProviderProps {
  /** As the main entry's provider: applied once, and again when a later render passes
   *  different options. */
  config?: OtlpTelemetryOptions;
  /** The client to hand down; the package's own by default. */
  client?: TelemetryClient;
  children?: ReactNode;
}

/** Hands the client down and applies `config` (see `@recoloca/telemetry/react`). */
export function TelemetryProvider(props: TelemetryProviderProps): ReactElement;

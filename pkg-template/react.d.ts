// Types of @recoloca/telemetry/react.
import { Component, type ErrorInfo, type ReactElement, type ReactNode } from 'react';
import type { Logger, MetricsCollector, TelemetryOptions } from './index.js';

/** What the bindings use of a client. The default is the main entry's own
 *  `{ metricsCollector, logger, configure }`; pass another (a fake in tests) to `TelemetryProvider`. */
export interface TelemetryClient {
  metricsCollector: MetricsCollector;
  logger: Logger;
  configure(options: TelemetryOptions): void;
}

export interface TelemetryProviderProps {
  /** Applied once, when the provider first renders; applied again only if a later render
   *  passes different options (compared by their JSON). Options not named keep their value. */
  config?: TelemetryOptions;
  /** The client to hand down; the package's own by default. */
  client?: TelemetryClient;
  children?: ReactNode;
}

/** Hands the client down and applies `config`. Optional: without it the hooks and the boundary
 *  use the package's own client with its current options. */
export function TelemetryProvider(props: TelemetryProviderProps): ReactElement;

/** The metrics API; the same object (and functions) on every render. */
export function useMetrics(): MetricsCollector;

/** The logger, adding `component: componentName` to every entry's context (a context's own
 *  `component` wins). The same object for as long as `componentName` stays the same. */
export function useLogger(componentName: string): Logger;

/** Renders in place of the children after an error: `reset()` renders the children again. */
export type TelemetryErrorFallback = ReactNode | ((error: unknown, reset: () => void) => ReactNode);

export interface TelemetryErrorBoundaryProps {
  /** The `component` reported with each error. Default `'ErrorBoundary'`. */
  name?: string;
  /** What to render after an error; nothing by default. */
  fallback?: TelemetryErrorFallback;
  /** Called after the error was reported, with React's info (its `componentStack`). */
  onError?: (error: unknown, info: ErrorInfo) => void;
  children?: ReactNode;
}

export interface TelemetryErrorBoundaryState {
  failed: boolean;
  error: unknown;
}

/** Reports each error thrown while rendering its children once, as `frontend_errors_total`
 *  {component: name} and an error log entry with `{ component: name, componentStack }`, then
 *  renders `fallback`. */
export class TelemetryErrorBoundary extends Component<TelemetryErrorBoundaryProps, TelemetryErrorBoundaryState> {
  static getDerivedStateFromError(error: unknown): Partial<TelemetryErrorBoundaryState>;
  componentDidCatch(error: unknown, info: ErrorInfo): void;
  /** Clears the error: the children render again. */
  reset(): void;
  render(): ReactNode;
}

import type { MetricsCollector, Logger } from './index.js';

/** The metrics API; the same object (and functions) on every render. */
export function useMetrics(): MetricsCollector;

/** The logger, adding `component: componentName` to every entry's context. Stable for a given
 *  component name. */
export function useLogger(componentName: string): Logger;

// @recoloca/telemetry/react: hooks over the core entry. The functions they return are
// module-level or memoized, so their identity is stable across renders.
import { useMemo } from 'react';
import { metricsCollector, logger } from './index.js';

const metrics = {
  recordMetric: metricsCollector.recordMetric,
  trackPageView: metricsCollector.trackPageView,
  trackUserAction: metricsCollector.trackUserAction,
  trackApiCall: metricsCollector.trackApiCall,
  trackError: metricsCollector.trackError,
};

/** The metrics API; the same object on every render. */
export function useMetrics() {
  return metrics;
}

function withComponent(component, context) {
  if (context === undefined || context === null || typeof context !== 'object') return { component };
  return { component, ...context };
}

/** The logger with `component` added to every context, as the seed's hook does. */
export function useLogger(componentName) {
  return useMemo(
    () => ({
      debug: (message, context) => logger.debug(message, withComponent(componentName, context)),
      info: (message, context) => logger.info(message, withComponent(componentName, context)),
      warn: (message, context) => logger.warn(message, withComponent(componentName, context)),
      error: (message, error, context) => logger.error(message, error, withComponent(componentName, context)),
    }),
    [componentName],
  );
}

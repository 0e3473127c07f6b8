// @recoloca/telemetry/react: React bindings over the main entry.
//
// The client is the main entry's module singleton, created outside React: the provider only
// configures it and hands it down, so nothing here starts timers or adds listeners, and
// StrictMode's double render and double mount cannot duplicate anything.
//
// No JSX here: the file is shipped as it is and must load without a build step.
import { Component, createContext, createElement, useContext, useMemo } from 'react';
import { metricsCollector, logger, configure } from './index.js';

/** The package's own client. */
const defaultClient = Object.freeze({ metricsCollector, logger, configure });

const TelemetryContext = createContext(defaultClient);

// ---- configuration ----------------------------------------------------------------------------

/** Per client, the text of the options a provider last applied: a provider re-rendered with an
 *  equal object (an inline literal, StrictMode's second render) does not configure again. */
const applied = new WeakMap();

/** The options as text, and what JSON would leave out or blur as text too: a function
 *  (`beforeSend`) as 'function', and a RegExp (`redact`) by its source and flags, where JSON
 *  would write `{}` for every one. */
function optionsKey(options) {
  try {
    return JSON.stringify(options, (_, v) => (typeof v === 'function' ? 'function' : v instanceof RegExp ? String(v) : v));
  } catch (_) {
    return options; // a cycle: fall back to identity
  }
}

/** Per client, the provider's `beforeSend`: the client is given one function for good, which
 *  calls the one of the provider's latest render. A hook written inline (a new function each
 *  render) then configures nothing again: configuring again would also set the other options
 *  back, undoing a `setTrackingConsent` made since. */
const hooks = new WeakMap();

function withStableHook(client, options) {
  const hook = options.beforeSend;
  if (typeof hook !== 'function') return options;
  let latest = hooks.get(client);
  if (!latest) {
    latest = { hook, call: (event, kind) => latest.hook(event, kind) };
    hooks.set(client, latest);
  }
  latest.hook = hook;
  return { ...options, beforeSend: latest.call };
}

function applyOnce(client, options) {
  if (options === undefined || options === null) return;
  let config = options;
  try {
    config = withStableHook(client, options);
  } catch (_) {
    /* a throwing getter: applied as given */
  }
  const key = optionsKey(config);
  if (applied.has(client) && applied.get(client) === key) return;
  applied.set(client, key);
  try {
    client.configure(config);
  } catch (_) {
    /* the core's configure never throws; a custom client's failure must not break rendering */
  }
}

/**
 * Hands the telemetry client down and applies `config` to it.
 *
 * `config` is applied during the provider's render, not in an effect: React runs children's
 * effects before their parent's, so an effect would come after the first events the children
 * record on mount. Applying is idempotent (see `applyOnce`), so a discarded or repeated render
 * costs nothing. Children render at once; calls made before the module is ready are queued by
 * the main entry.
 */
export function TelemetryProvider({ config, client, children }) {
  const c = client || defaultClient;
  applyOnce(c, config);
  return createElement(TelemetryContext.Provider, { value: c }, children);
}

// ---- hooks ------------------------------------------------------------------------------------

/** Per client, the metrics functions: one set for the client's lifetime, so their identity is
 *  stable across renders and components without relying on a memo cache. */
const metricsOf = new WeakMap();

function metricsFor(client) {
  let m = metricsOf.get(client);
  if (m === undefined) {
    // Calls go through the client at call time, so methods that use `this` keep working.
    m = Object.freeze({
      recordMetric: (name, value, labels) => client.metricsCollector.recordMetric(name, value, labels),
      trackPageView: (page, userId) => client.metricsCollector.trackPageView(page, userId),
      trackUserAction: (action, component, userId) =>
        client.metricsCollector.trackUserAction(action, component, userId),
      trackApiCall: (endpoint, method, status, duration) =>
        client.metricsCollector.trackApiCall(endpoint, method, status, duration),
      trackError: (error, component, userId) => client.metricsCollector.trackError(error, component, userId),
    });
    metricsOf.set(client, m);
  }
  return m;
}

/** The metrics API of the client in context; the same object (and functions) on every render. */
export function useMetrics() {
  return metricsFor(useContext(TelemetryContext));
}

/** The seed's merge: `{ component, ...context }`, so a context's own `component` wins. */
function withComponent(component, context) {
  if (context === undefined || context === null || typeof context !== 'object') return { component };
  try {
    return { component, ...context };
  } catch (_) {
    return { component }; // a throwing getter: logging must not throw
  }
}

function loggerFor(client, component) {
  return Object.freeze({
    debug: (message, context) => client.logger.debug(message, withComponent(component, context)),
    info: (message, context) => client.logger.info(message, withComponent(component, context)),
    warn: (message, context) => client.logger.warn(message, withComponent(component, context)),
    error: (message, error, context) => client.logger.error(message, error, withComponent(component, context)),
  });
}

/** The logger with `component: componentName` added to every context. The same object for as
 *  long as the component name (and client) stay the same. */
export function useLogger(componentName) {
  const client = useContext(TelemetryContext);
  return useMemo(() => loggerFor(client, componentName), [client, componentName]);
}

// ---- error boundary ---------------------------------------------------------------------------

const DEFAULT_BOUNDARY_NAME = 'ErrorBoundary';

/** `localStorage.user_id`, or undefined (no storage, as on the server or in a sandbox). */
function storedUserId() {
  try {
    return globalThis.localStorage?.getItem('user_id') || undefined;
  } catch (_) {
    return undefined;
  }
}

/**
 * Catches errors thrown while rendering its children, reports each once and renders
 * `fallback` instead: an element, or `(error, reset) => element`. `reset()` clears the error
 * and renders the children again.
 *
 * The `component` reported (the label of `frontend_errors_total` and the log context's
 * `component`) is the `name` prop, 'ErrorBoundary' by default: a fixed label keeps the metric's
 * cardinality bounded, where the throwing component's name would vary with minification.
 * React's component stack goes in the log context as `componentStack`.
 *
 * As everywhere in React, boundaries do not run during server rendering.
 */
export class TelemetryErrorBoundary extends Component {
  constructor(props) {
    super(props);
    // `failed` apart from `error`: `throw undefined` is still an error.
    this.state = { failed: false, error: undefined };
    this.reported = false;
    this.reportedError = undefined;
    this.reset = this.reset.bind(this);
  }

  static getDerivedStateFromError(error) {
    return { failed: true, error };
  }

  componentDidCatch(error, info) {
    // Once per error: a repeated call for the same error before a reset is not a new one.
    if (this.reported && Object.is(this.reportedError, error)) return;
    this.reported = true;
    this.reportedError = error;
    const name = typeof this.props.name === 'string' && this.props.name ? this.props.name : DEFAULT_BOUNDARY_NAME;
    const componentStack = info && typeof info.componentStack === 'string' ? info.componentStack : undefined;
    const client = this.context || defaultClient;
    try {
      // The same user as the client's own error capture: the seed's localStorage user_id.
      client.metricsCollector.trackError(error, name, storedUserId());
    } catch (_) {
      /* reporting must not turn one error into two */
    }
    try {
      client.logger.error('Render error caught by ' + name, error, { component: name, componentStack });
    } catch (_) {
      /* as above */
    }
    if (typeof this.props.onError === 'function') this.props.onError(error, info);
  }

  reset() {
    this.reported = false;
    this.reportedError = undefined;
    this.setState({ failed: false, error: undefined });
  }

  render() {
    if (!this.state.failed) return this.props.children === undefined ? null : this.props.children;
    const fallback = this.props.fallback;
    if (typeof fallback === 'function') return fallback(this.state.error, this.reset);
    return fallback === undefined ? null : fallback;
  }
}
TelemetryErrorBoundary.contextType = TelemetryContext;

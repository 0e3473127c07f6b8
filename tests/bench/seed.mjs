// The seed's MetricsCollector and Logger (../shared/seed, "Frontend Metrics" and "Frontend
// Logging"), ported line by line to plain JavaScript as the benchmark's baseline. Only two
// things differ, both so that the benchmark can drive it like ours: the endpoints and batch
// sizes are constructor options (defaults are the seed's), and the fetch promises are kept so
// that the benchmark can wait for the requests it caused. The logger's development console
// echo is off (NODE_ENV is not 'development' in a production build).

export class MetricsCollector {
  constructor({ endpoint = '/api/metrics', batchSize = 10, flushInterval = 30000 } = {}) {
    this.metrics = [];
    this.endpoint = endpoint;
    this.batchSize = batchSize;
    this.flushInterval = flushInterval;
    this.inFlight = new Set();
    this.startPeriodicFlush();
    this.setupPerformanceObserver();
    this.setupErrorTracking();
  }

  recordMetric(name, value, labels) {
    this.metrics.push({
      name,
      value,
      labels,
      timestamp: Date.now(),
    });

    if (this.metrics.length >= this.batchSize) {
      this.flush();
    }
  }

  trackPageView(page, userId) {
    this.recordMetric('page_views_total', 1, {
      page,
      user_id: userId || 'anonymous',
    });
  }

  trackUserAction(action, component, userId) {
    this.recordMetric('user_actions_total', 1, {
      action,
      component,
      user_id: userId || 'anonymous',
    });
  }

  trackApiCall(endpoint, method, status, duration) {
    this.recordMetric('api_calls_total', 1, {
      endpoint,
      method,
      status: status.toString(),
    });

    this.recordMetric('api_call_duration_ms', duration, {
      endpoint,
      method,
    });
  }

  trackError(error, component, userId) {
    this.recordMetric('frontend_errors_total', 1, {
      error_type: error.name,
      component: component || 'unknown',
      user_id: userId || 'anonymous',
    });
  }

  setupPerformanceObserver() {
    if ('PerformanceObserver' in window) {
      const observer = new PerformanceObserver((list) => {
        list.getEntries().forEach((entry) => {
          if (entry.entryType === 'navigation') {
            this.recordMetric('page_load_time_ms', entry.loadEventEnd - entry.fetchStart);
            this.recordMetric('dom_content_loaded_ms', entry.domContentLoadedEventEnd - entry.fetchStart);
          }
          if (entry.entryType === 'largest-contentful-paint') {
            this.recordMetric('largest_contentful_paint_ms', entry.startTime);
          }
          if (entry.entryType === 'first-input') {
            this.recordMetric('first_input_delay_ms', entry.processingStart - entry.startTime);
          }
        });
      });
      observer.observe({ entryTypes: ['navigation', 'largest-contentful-paint', 'first-input'] });
    }
  }

  setupErrorTracking() {
    window.addEventListener('error', (event) => {
      this.trackError(event.error, 'global');
    });
    window.addEventListener('unhandledrejection', (event) => {
      this.trackError(new Error(event.reason), 'promise');
    });
  }

  async flush() {
    if (this.metrics.length === 0) return;

    const metricsToSend = [...this.metrics];
    this.metrics = [];

    try {
      const request = fetch(this.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ metrics: metricsToSend }),
      });
      this.inFlight.add(request);
      request.finally(() => this.inFlight.delete(request)).catch(() => {});
      await request;
    } catch (error) {
      console.error('Failed to send metrics:', error);
      this.metrics.unshift(...metricsToSend);
    }
  }

  startPeriodicFlush() {
    setInterval(() => {
      this.flush();
    }, this.flushInterval);
  }
}

export class Logger {
  constructor({ endpoint = '/api/logs', maxBufferSize = 50, flushInterval = 10000 } = {}) {
    this.service = 'recoloca-frontend';
    this.version = '1.0.0';
    this.logEndpoint = endpoint;
    this.logBuffer = [];
    this.maxBufferSize = maxBufferSize;
    this.flushInterval = flushInterval;
    this.inFlight = new Set();
    this.startPeriodicFlush();
  }

  debug(message, context) {
    this.log('debug', message, context);
  }

  info(message, context) {
    this.log('info', message, context);
  }

  warn(message, context) {
    this.log('warn', message, context);
  }

  error(message, error, context) {
    const errorInfo = error ? { name: error.name, message: error.message, stack: error.stack } : undefined;
    this.log('error', message, context, errorInfo);
  }

  log(level, message, context, error) {
    const entry = {
      timestamp: new Date().toISOString(),
      level,
      message,
      service: this.service,
      version: this.version,
      context,
      error,
      user_id: this.getCurrentUserId(),
      session_id: this.getSessionId(),
      request_id: this.getCurrentRequestId(),
    };

    this.logBuffer.push(entry);

    if (this.logBuffer.length >= this.maxBufferSize) {
      this.flush();
    }
  }

  async flush() {
    if (this.logBuffer.length === 0) return;

    const logsToSend = [...this.logBuffer];
    this.logBuffer = [];

    try {
      const request = fetch(this.logEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ logs: logsToSend }),
      });
      this.inFlight.add(request);
      request.finally(() => this.inFlight.delete(request)).catch(() => {});
      await request;
    } catch (error) {
      console.error('Failed to send logs:', error);
      this.logBuffer.unshift(...logsToSend);
    }
  }

  startPeriodicFlush() {
    setInterval(() => {
      this.flush();
    }, this.flushInterval);
  }

  getCurrentUserId() {
    return localStorage.getItem('user_id') || undefined;
  }

  getSessionId() {
    let sessionId = sessionStorage.getItem('session_id');
    if (!sessionId) {
      sessionId = crypto.randomUUID();
      sessionStorage.setItem('session_id', sessionId);
    }
    return sessionId;
  }

  getCurrentRequestId() {
    return undefined;
  }
}

// Compiled with `tsc --noEmit` (tests/types/tsconfig.json) against pkg/*.d.ts: typical usage
// must compile, and each `@ts-expect-error` line must be an error (else tsc fails on it).
import { useEffect, useRef, type ReactNode } from 'react';
import {
  configure,
  flush,
  logger,
  metricsCollector,
  ready,
  setTrackingConsent,
  type Logger,
  type MetricsCollector,
  type TelemetryOptions,
} from '@recoloca/telemetry';
import {
  TelemetryErrorBoundary,
  TelemetryProvider,
  useLogger,
  useMetrics,
  type TelemetryClient,
  type TelemetryErrorFallback,
} from '@recoloca/telemetry/react';
import { configure as configureOtlp, metricsCollector as otlpMetrics, type OtlpTelemetryOptions } from '@recoloca/telemetry/otlp';
import { TelemetryProvider as OtlpProvider } from '@recoloca/telemetry/otlp/react';

// ---- the main entry -------------------------------------------------------------------------

const options: TelemetryOptions = {
  metricsEndpoint: '/api/metrics',
  batchSize: 10,
  flushIntervalMs: 30_000,
  logsEndpoint: '/api/logs',
  logBatchSize: 50,
  logFlushIntervalMs: 10_000,
  service: 'recoloca-frontend',
  version: '2.3.0',
  environment: 'development',
  retryInitialMs: 1000,
  retryMaxMs: 60_000,
  retryMaxAttempts: 10,
  requestTimeoutMs: 10_000,
  maxBufferedEvents: 1000,
  maxBufferedBytes: 1 << 20,
  maxRequestBytes: 60_000,
  maxPersistedBytes: 262_144,
  captureErrors: true,
};
configure(options);
// Privacy controls: consent (at any time, before `ready` too) and session sampling.
configure({ trackingConsent: 'pending', sessionSampleRate: 25 });
setTrackingConsent('granted');
// @ts-expect-error: consent is one of three words
setTrackingConsent('yes');
// beforeSend: `event` narrowed by `kind`; changed in place, returned, or dropped.
configure({
  redact: [/token=\w+/g],
  beforeSend(event, kind) {
    if (kind === 'log') {
      const level: 'debug' | 'info' | 'warn' | 'error' = event.level;
      if (event.context) delete event.context.email;
      return level === 'debug' ? false : event;
    }
    if (event.name === 'debug_ticks_total') return null;
    event.labels = { ...event.labels, plan: 'pro' };
  },
});
configure({ beforeSend: null });
// @ts-expect-error: the hook is synchronous (a page being closed does not wait)
configure({ beforeSend: async (event) => event });
metricsCollector.trackApiCall('/api/jobs', 'GET', 200, 183.4);
logger.error('failed', new Error('x'), { cvId: 'cv-9' });
const done: Promise<void> = flush();
const loaded: Promise<boolean> = ready;
void done;
void loaded;

// @ts-expect-error: an option of the wrong type
configure({ batchSize: '10' });
// @ts-expect-error: a switch is a boolean
configure({ captureErrors: 'yes' });
// @ts-expect-error: an option that does not exist
configure({ batchsize: 10 });
// @ts-expect-error: OTLP export is the OTLP entry's
configure({ otlpEndpoint: 'https://otel.example.com:4318' });
// @ts-expect-error: the main entry has no other destination to turn its streams off for
configure({ metricsEndpoint: null });
// @ts-expect-error: per-signal OTLP URLs are the OTLP entry's
configure({ otlpTracesEndpoint: null });

// ---- the OTLP entry -------------------------------------------------------------------------

const otlpOptions: OtlpTelemetryOptions = {
  service: 'recoloca-frontend',
  otlpEndpoint: 'https://otel.example.com:4318',
  otlpHeaders: { 'X-Api-Key': 'k' },
  metricsEndpoint: null,
  logsEndpoint: null,
  instrumentRequests: true,
  traceSampleRate: 0.25,
  otlpMetricsEndpoint: 'https://metrics.example.com/ingest',
  otlpTracesEndpoint: null,
  propagateTraceHeaderCorsUrls: ['https://api.recoloca.ai/', /^https:\/\/[a-z]+\.recoloca\.ai\//],
};
configureOtlp(otlpOptions);
otlpMetrics.trackPageView('/jobs', 'u-1');
// @ts-expect-error: header values are strings
configureOtlp({ otlpHeaders: { 'X-Retries': 3 } });
export function OtlpApp({ children }: { children: ReactNode }) {
  return <OtlpProvider config={{ otlpEndpoint: 'https://otel.example.com:4318', metricsEndpoint: null }}>{children}</OtlpProvider>;
}
// @ts-expect-error: labels are strings
metricsCollector.recordMetric('cv_pages', 3, { pages: 3 });
// @ts-expect-error: status is a number
metricsCollector.trackApiCall('/api/jobs', 'GET', '200', 1);

// ---- the React entry ------------------------------------------------------------------------

function UploadButton({ userId }: { userId?: string }) {
  const { trackUserAction, trackPageView } = useMetrics();
  const log = useLogger('UploadButton');
  useEffect(() => {
    trackPageView('/upload', userId);
    log.debug('mounted');
  }, [trackPageView, log, userId]);
  return (
    <button
      onClick={() => {
        trackUserAction('upload_click', 'UploadButton', userId);
        log.info('upload started', { sizeKb: 120 });
        log.error('upload failed', new Error('network'), { retry: true });
      }}
    >
      Upload CV
    </button>
  );
}

const metrics: MetricsCollector = (() => {
  // Hooks return the core types: what a component gets can be passed to plain functions.
  const m: ReturnType<typeof useMetrics> = metricsCollector;
  return m;
})();
const typedLogger: Logger = logger;
void metrics;
void typedLogger;

const functionFallback: TelemetryErrorFallback = (error, reset) => (
  <div role="alert">
    <p>{error instanceof Error ? error.message : String(error)}</p>
    <button onClick={reset}>Try again</button>
  </div>
);

function App(): ReactNode {
  const boundary = useRef<TelemetryErrorBoundary>(null);
  return (
    <TelemetryProvider config={{ service: 'recoloca-frontend', version: '2.3.0' }}>
      <TelemetryErrorBoundary
        ref={boundary}
        name="UploadPage"
        fallback={functionFallback}
        onError={(error, info) => console.debug(error, info.componentStack)}
      >
        <UploadButton userId="u-42" />
      </TelemetryErrorBoundary>
      <TelemetryErrorBoundary fallback={<p>Something went wrong.</p>}>
        <UploadButton />
      </TelemetryErrorBoundary>
      <button onClick={() => boundary.current?.reset()}>reset</button>
    </TelemetryProvider>
  );
}
void App;

// A client of one's own (a fake in tests) fits the provider.
const fake: TelemetryClient = { metricsCollector, logger, configure: () => undefined };
const withFake = (
  <TelemetryProvider client={fake}>
    <UploadButton />
  </TelemetryProvider>
);
void withFake;

function Wrong() {
  // @ts-expect-error: useLogger needs the component name
  useLogger();
  // @ts-expect-error: the component name is a string
  useLogger(42);
  const log = useLogger('Wrong');
  // @ts-expect-error: warn takes no error argument, only a context object
  log.warn('slow', new Error('x'), {});
  const { trackPageView } = useMetrics();
  // @ts-expect-error: the page is required
  trackPageView();
  return null;
}
void Wrong;

const wrongProviders = (
  <>
    {/* @ts-expect-error: a misspelled option */}
    <TelemetryProvider config={{ batchsize: 5 }} />
    {/* @ts-expect-error: the client must have the whole API */}
    <TelemetryProvider client={{ configure: () => undefined }} />
    {/* @ts-expect-error: the label is a string */}
    <TelemetryErrorBoundary name={1} />
    {/* @ts-expect-error: a fallback function returns something React can render */}
    <TelemetryErrorBoundary fallback={() => ({ not: 'a node' })} />
    {/* @ts-expect-error: reset takes no argument */}
    <TelemetryErrorBoundary fallback={(_error, reset) => <button onClick={() => reset(1)} />} />
  </>
);
void wrongProviders;

// ---- the slim entry: the same API under its own names ---------------------------------------

import * as slim from '@recoloca/telemetry/slim';
import * as slimReact from '@recoloca/telemetry/slim/react';

slim.configure({ batchSize: 20, captureErrors: false });
slim.metricsCollector.trackPageView('/home', 'user-42');
slim.logger.error('failed', new Error('x'), { attempt: 2 });
const slimReady: Promise<boolean> = slim.ready;
void slimReady;
const slimClient: TelemetryClient = slim;
function SlimApp({ children }: { children: ReactNode }) {
  const { trackUserAction } = slimReact.useMetrics();
  const log: Logger = slimReact.useLogger('SlimApp');
  void log;
  trackUserAction('open', 'SlimApp');
  return (
    <slimReact.TelemetryProvider client={slimClient} config={{ logBatchSize: 10 }}>
      <slimReact.TelemetryErrorBoundary fallback={<p>broken</p>}>{children}</slimReact.TelemetryErrorBoundary>
    </slimReact.TelemetryProvider>
  );
}
void SlimApp;
// @ts-expect-error: the slim entry takes the same options, and no others
slim.configure({ batchsize: 5 });

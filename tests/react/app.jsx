// The browser test app of the React bindings. It imports the built package exactly as served
// (/pkg/index.js, /pkg/react.js) and exposes scenarios on `window.t` for hooks.test.mjs to drive.
// Updates go through flushSync so that each call returns with the render committed.
import { StrictMode, createRef, useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as telemetry from '/pkg/index.js';
import { TelemetryErrorBoundary, TelemetryProvider, useLogger, useMetrics } from '/pkg/react.js';

const t = {
  telemetry,
  renders: [], // what each Probe render got from the hooks
  effects: [], // runs of an effect depending on hook functions
  configureCalls: [], // through the counting client
  onError: [], // the boundary's onError calls: [message, componentStack]
  lifecycle: [], // StrictApp's effect runs
  root: null,
};
window.t = t;

function mount(element, strict) {
  t.root = createRoot(document.getElementById('root'));
  flushSync(() => t.root.render(strict ? <StrictMode>{element}</StrictMode> : element));
}

const text = (id) => document.getElementById(id)?.textContent ?? null;
t.text = text;

// ---- identity of what the hooks return ------------------------------------------------------

function Probe({ name }) {
  const metrics = useMetrics();
  const log = useLogger(name);
  t.renders.push({ name, metrics, log });
  useEffect(() => {
    t.effects.push(name);
    log.debug('effect ran'); // a child's effect runs before its provider's: config must be in place
  }, [metrics.recordMetric, metrics.trackPageView, metrics.trackError, log.info, log.error]);
  return <p id="probe">{name}</p>;
}

function IdentityApp({ withProvider }) {
  const [n, setN] = useState(0);
  const [name, setName] = useState('Probe');
  t.bump = () => flushSync(() => setN((x) => x + 1));
  t.rename = (s) => flushSync(() => setName(s));
  const tree = (
    <>
      <Probe name={name} />
      <span id="n">{n}</span>
    </>
  );
  // A new config object on every render, equal in content.
  return withProvider ? <TelemetryProvider config={{ service: 'identity-app' }}>{tree}</TelemetryProvider> : tree;
}

const METRIC_FNS = ['recordMetric', 'trackPageView', 'trackUserAction', 'trackApiCall', 'trackError'];
const LOG_FNS = ['debug', 'info', 'warn', 'error'];

t.identity = (withProvider) => mount(<IdentityApp withProvider={withProvider} />, false);

/** What the renders saw, reduced to facts Node can compare. */
t.identityReport = () => {
  const r = t.renders;
  const named = (n) => r.filter((x) => x.name === n);
  const sameLogger = (list) =>
    list.every((x) => x.log === list[0].log && LOG_FNS.every((k) => x.log[k] === list[0].log[k]));
  const [a, b] = [named('Probe'), named('Renamed')];
  return {
    names: r.map((x) => x.name),
    metricsSame: r.every((x) => x.metrics === r[0].metrics && METRIC_FNS.every((k) => x.metrics[k] === r[0].metrics[k])),
    metricsKeys: Object.keys(r[0].metrics).sort(),
    loggerKeys: Object.keys(r[0].log).sort(),
    loggerSamePerName: sameLogger(a) && sameLogger(b),
    loggerChangedWithName: b.length > 0 && LOG_FNS.every((k) => a[0].log[k] !== b[0].log[k]),
    effects: t.effects.slice(),
  };
};

/** Logs and metrics through the last render's hooks. */
t.useLast = () => {
  const { metrics, log } = t.renders[t.renders.length - 1];
  metrics.trackPageView('/identity', 'u-1');
  log.info('from the hook', { k: 1 });
  log.warn('own component wins', { component: 'Mine' });
  log.error('hook error', new RangeError('out of range'), { k: 2 });
};

// ---- StrictMode: config applied once, nothing started ---------------------------------------

const countingClient = {
  metricsCollector: telemetry.metricsCollector,
  logger: telemetry.logger,
  configure(options) {
    t.configureCalls.push(options);
    telemetry.configure(options);
  },
};

function Clicker() {
  const { trackUserAction } = useMetrics();
  const log = useLogger('Clicker');
  return (
    <button
      id="click"
      onClick={() => {
        trackUserAction('click', 'Clicker');
        log.info('clicked');
      }}
    >
      click
    </button>
  );
}

function StrictApp({ counted }) {
  const [n, setN] = useState(0);
  const [version, setVersion] = useState('1.2.3');
  t.bump = () => flushSync(() => setN((x) => x + 1));
  t.setVersion = (v) => flushSync(() => setVersion(v));
  // Evidence that StrictMode is in force (development React): mount, unmount, mount.
  useEffect(() => {
    t.lifecycle.push('mount');
    return () => t.lifecycle.push('unmount');
  }, []);
  return (
    <TelemetryProvider
      client={counted ? countingClient : undefined}
      config={{ service: 'strict-app', version, batchSize: 50 }}
    >
      <Clicker />
      <span id="n">{n}</span>
    </TelemetryProvider>
  );
}

t.strict = (counted) => mount(<StrictApp counted={counted} />, true);

// ---- the error boundary -----------------------------------------------------------------------

function Bomb({ message }) {
  if (message) throw new TypeError(message);
  return <p id="ok">fine</p>;
}

function BoundaryApp({ form }) {
  const [message, setMessage] = useState(null);
  t.explode = (m) => flushSync(() => setMessage(m));
  t.defuse = () => flushSync(() => setMessage(null));
  if (form === 'element') {
    // No provider, no name: the package's own client and the default label.
    t.boundary = createRef();
    return (
      <TelemetryErrorBoundary ref={t.boundary} fallback={<p id="fallback">element fallback</p>}>
        <Bomb message={message} />
      </TelemetryErrorBoundary>
    );
  }
  return (
    <TelemetryProvider>
      <TelemetryErrorBoundary
        name="Checkout"
        onError={(error, info) => t.onError.push([error.message, info.componentStack])}
        fallback={(error, reset) => (
          <div>
            <p id="fallback">failed: {error.message}</p>
            <button id="reset" onClick={reset}>
              retry
            </button>
          </div>
        )}
      >
        <section>
          <Bomb message={message} />
        </section>
      </TelemetryErrorBoundary>
    </TelemetryProvider>
  );
}

t.boundaryApp = (form, strict) => mount(<BoundaryApp form={form} />, strict);
t.resetByRef = () => flushSync(() => t.boundary.current.reset());

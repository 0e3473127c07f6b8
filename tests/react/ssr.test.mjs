// Server rendering in Node of the React bindings, imported as an app would
// (`@recoloca/telemetry/react` from node_modules): rendering must not throw, nor touch the
// browser's globals; calls made while rendering are no-ops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createElement as h, Suspense } from 'react';
import { renderToString } from 'react-dom/server';
import { installedPackage } from './build.mjs';

let t; // the package's React entry, plus `core`
before(async () => {
  t = await import(pathToFileURL(installedPackage() + 'entry.mjs').href);
});

// Any read of a browser global while rendering is recorded (and yields undefined, as in Node).
const BROWSER_GLOBALS = ['window', 'document', 'localStorage', 'sessionStorage'];
let touched = [];
function trapGlobals() {
  touched = [];
  for (const g of BROWSER_GLOBALS) {
    assert.equal(g in globalThis, false, `Node has no ${g}`);
    Object.defineProperty(globalThis, g, {
      configurable: true,
      get() {
        touched.push(g);
        return undefined;
      },
    });
  }
}
function untrapGlobals() {
  for (const g of BROWSER_GLOBALS) delete globalThis[g];
}
after(untrapGlobals);

/** A page using both hooks while rendering, as components do in event handlers and effects. */
function Page({ name = 'Page' }) {
  const metrics = useMetricsOf();
  const log = t.useLogger(name);
  metrics.trackPageView('/ssr', 'u-1');
  metrics.trackApiCall('/api/jobs', 'GET', 200, 12.5);
  metrics.recordMetric('ssr_renders_total', 1, { page: name });
  log.info('rendering', { step: 1 });
  log.error('not really', new Error('x'), { step: 2 });
  return h('main', null, h('h1', null, 'Jobs'), h('p', { id: 'who' }, name));
}
const useMetricsOf = () => t.useMetrics();

function Bomb() {
  throw new TypeError('server bomb');
}

test('provider, hooks and boundary render to HTML in Node without touching browser globals', () => {
  trapGlobals();
  try {
    const html = renderToString(
      h(
        t.TelemetryProvider,
        { config: { service: 'ssr-app', version: '3.0.0', batchSize: 5 } },
        h(t.TelemetryErrorBoundary, { name: 'Root', fallback: h('p', null, 'fallback') }, h(Page)),
      ),
    );
    assert.equal(html, '<main><h1>Jobs</h1><p id="who">Page</p></main>');
    assert.deepEqual(touched, []);
  } finally {
    untrapGlobals();
  }
});

test('the hooks and the boundary work without a provider (the package defaults)', () => {
  trapGlobals();
  try {
    const html = renderToString(
      h(t.TelemetryErrorBoundary, { fallback: (e) => h('p', null, String(e)) }, h(Page, { name: 'Bare' })),
    );
    assert.equal(html, '<main><h1>Jobs</h1><p id="who">Bare</p></main>');
    assert.deepEqual(touched, []);
  } finally {
    untrapGlobals();
  }
});

test('a child that throws on the server: boundaries do not run there, React rethrows the error itself', () => {
  // React never runs error boundaries during server rendering. Outside a <Suspense> the render
  // fails with the child's own error (not a ReferenceError about `window` from the boundary).
  trapGlobals();
  try {
    assert.throws(
      () =>
        renderToString(
          h(t.TelemetryProvider, null, h(t.TelemetryErrorBoundary, { fallback: h('p', null, 'fallback') }, h(Bomb))),
        ),
      (e) => e instanceof TypeError && e.message === 'server bomb',
    );
    assert.deepEqual(touched, []);
  } finally {
    untrapGlobals();
  }
});

test('a child that throws on the server inside <Suspense>: the Suspense fallback is sent and the client takes over', () => {
  trapGlobals();
  try {
    const html = renderToString(
      h(
        t.TelemetryProvider,
        null,
        h(
          Suspense,
          { fallback: h('i', null, 'loading') },
          h(t.TelemetryErrorBoundary, { fallback: h('p', null, 'fallback') }, h(Bomb)),
        ),
      ),
    );
    // `<!--$!-->` marks a boundary the client must render; the boundary's fallback is not sent.
    assert.match(html, /^<!--\$!-->.*<i>loading<\/i><!--\/\$-->$/s);
    assert.doesNotMatch(html, /<p>fallback<\/p>/);
    assert.deepEqual(touched, []);
  } finally {
    untrapGlobals();
  }
});

/** A client that records every call, to see what the bindings pass through. */
function recordingClient() {
  const calls = [];
  const rec = (what) => (...args) => calls.push([what, ...args]);
  return {
    calls,
    metricsCollector: {
      recordMetric: rec('recordMetric'),
      trackPageView: rec('trackPageView'),
      trackUserAction: rec('trackUserAction'),
      trackApiCall: rec('trackApiCall'),
      trackError: rec('trackError'),
    },
    logger: { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') },
    configure: rec('configure'),
  };
}

test('a provided client receives the config once and every hook call, with the seed merge of component', () => {
  const client = recordingClient();
  const err = new Error('e');
  function Widget() {
    const m = t.useMetrics();
    const log = t.useLogger('Widget');
    m.recordMetric('m', 2, { a: 'b' });
    m.trackPageView('/p', 'u');
    m.trackUserAction('click', 'Btn', 'u');
    m.trackApiCall('/api', 'POST', 201, 3.5);
    m.trackError(err, 'Comp', 'u');
    log.debug('d');
    log.info('i', { x: 1 });
    log.warn('w', { component: 'Override', y: 2 }); // the context's own component wins, as in the seed
    log.error('e', err, { z: 3 });
    return null;
  }
  const tree = () => h(t.TelemetryProvider, { client, config: { service: 'svc', batchSize: 3 } }, h(Widget));
  renderToString(tree());
  renderToString(tree()); // an equal config (a new object) is not applied again
  const second = client.calls.length;
  renderToString(h(t.TelemetryProvider, { client, config: { service: 'svc2' } }));
  assert.deepEqual(client.calls.filter((c) => c[0] === 'configure'), [
    ['configure', { service: 'svc', batchSize: 3 }],
    ['configure', { service: 'svc2' }],
  ]);
  const perRender = [
    ['recordMetric', 'm', 2, { a: 'b' }],
    ['trackPageView', '/p', 'u'],
    ['trackUserAction', 'click', 'Btn', 'u'],
    ['trackApiCall', '/api', 'POST', 201, 3.5],
    ['trackError', err, 'Comp', 'u'],
    ['debug', 'd', { component: 'Widget' }],
    ['info', 'i', { component: 'Widget', x: 1 }],
    ['warn', 'w', { component: 'Override', y: 2 }],
    ['error', 'e', err, { component: 'Widget', z: 3 }],
  ];
  assert.deepEqual(client.calls.slice(0, second), [['configure', { service: 'svc', batchSize: 3 }], ...perRender, ...perRender]);
});

test("a provider's beforeSend is its latest render's, configured once; a new redact pattern is applied", () => {
  const client = recordingClient();
  const seen = [];
  const hook = (name) => (event, kind) => {
    seen.push([name, kind]);
    return event;
  };
  const render = (config) => renderToString(h(t.TelemetryProvider, { client, config }));
  render({ trackingConsent: 'pending', beforeSend: hook('first'), redact: [/token=\w+/g] });
  // An inline hook, a new function each render: not configured again (which would also set
  // trackingConsent back), but the one called from now on.
  render({ trackingConsent: 'pending', beforeSend: hook('second'), redact: [/token=\w+/g] });
  render({ trackingConsent: 'pending', beforeSend: hook('third'), redact: [/secret/] }); // a new pattern
  render({ trackingConsent: 'pending', beforeSend: hook('fourth'), redact: [/secret/] });
  const configured = client.calls.filter((c) => c[0] === 'configure').map((c) => c[1]);
  assert.deepEqual(configured.map((c) => String(c.redact)), ['/token=\\w+/g', '/secret/']);
  assert.equal(configured[0].beforeSend, configured[1].beforeSend, 'one function for the client, for good');
  configured[0].beforeSend({ name: 'm' }, 'metric');
  assert.deepEqual(seen, [['fourth', 'metric']]);
});

test('the logger adds only `component` for a missing or non-object context', () => {
  const client = recordingClient();
  function Widget() {
    const log = t.useLogger('W');
    log.info('a', undefined);
    log.info('b', null);
    log.info('c', 'text');
    const hostile = {};
    Object.defineProperty(hostile, 'boom', { enumerable: true, get() { throw new Error('getter'); } });
    log.info('d', hostile);
    return null;
  }
  renderToString(h(t.TelemetryProvider, { client }, h(Widget)));
  assert.deepEqual(client.calls.map((c) => c[2]), [{ component: 'W' }, { component: 'W' }, { component: 'W' }, { component: 'W' }]);
});

test('the main entry is a no-op here: ready resolves false and flush resolves', async () => {
  assert.equal(await t.core.ready, false);
  assert.equal(await t.core.flush(), undefined);
});

test('the slim entry and its React bindings resolve through "exports" and render here too', async () => {
  assert.equal(await t.slim.ready, false);
  assert.equal(await t.slim.flush(), undefined);
  function Slim() {
    t.slimReact.useMetrics().trackPageView('/jobs');
    t.slimReact.useLogger('Slim').info('rendered');
    return h('p', null, 'slim');
  }
  trapGlobals();
  try {
    const html = renderToString(h(t.slimReact.TelemetryProvider, { config: { batchSize: 5 } }, h(Slim)));
    assert.equal(html, '<p>slim</p>');
  } finally {
    untrapGlobals();
  }
  assert.deepEqual(touched, []);
});

test('the slim React bindings are the main ones over the slim entry, and import nothing else', () => {
  const dir = installedPackage() + 'node_modules/@recoloca/telemetry/';
  const imports = (file) => [...readFileSync(dir + file, 'utf8').matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
  assert.deepEqual(imports('react.js'), ['react', './index.js']);
  assert.deepEqual(imports('slim/react.js'), ['react', '../slim.js']);
});

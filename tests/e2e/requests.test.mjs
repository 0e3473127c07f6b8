// The page's own requests, measured and traced (#20): the built OTLP entry in Chromium with
// `instrumentRequests`, its `fetch` and `XMLHttpRequest` calls going to its own origin, to a
// second origin listed in `propagateTraceHeaderCorsUrls` and to a third one that is not. Each
// server records exactly what it received; the OTLP collector (a fourth origin) what the
// package exported. Every traces body is checked against the official protobuf definitions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { launch, collector, openPage, until } from './harness.mjs';
import { startCollector } from '../../www/collector.mjs';
import { validateOtlp } from '../otlp/validate.mjs';

let browser;
const servers = [];
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
});

/** A server of another origin that records every request (method, path, headers, body) and
 *  allows any of the page's requests by CORS, preflight included. */
async function recorder() {
  const seen = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(req.method === 'OPTIONS' ? 204 : 200, {
        'Access-Control-Allow-Origin': req.headers.origin ?? '*',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '',
        'Access-Control-Allow-Methods': 'GET, POST',
        'Content-Type': 'application/json',
      });
      res.end(req.method === 'OPTIONS' ? undefined : '{"ok":true}');
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const r = { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((ok) => server.close(ok)) };
  servers.push(r);
  return r;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

test('fetch and XMLHttpRequest: the header to the page and listed origins only, the same ids in the spans, bodies intact', async () => {
  const site = await collector({ demo: { minLatencyMs: 5, maxLatencyMs: 20, failureRate: 0 } });
  const otel = await startCollector();
  const listed = await recorder();
  const unlisted = await recorder();
  const gone = await recorder(); // a port where nothing listens any more: a network error
  await gone.close();
  servers.splice(servers.indexOf(gone), 1);
  servers.push(site, otel);
  const { page, context, problems } = await openPage(browser, site.url + '/otlp.html', { now: null });
  await page.evaluate(
    async ({ otel, listed }) => {
      await window.telemetry.ready;
      window.telemetry.configure({
        otlpEndpoint: otel,
        instrumentRequests: true,
        propagateTraceHeaderCorsUrls: [listed + '/', /never-matches/],
        metricsEndpoint: null,
        logsEndpoint: null,
        batchSize: 1000,
        logBatchSize: 1000,
        captureErrors: false,
        observePerformance: false,
      });
    },
    { otel: otel.url, listed: listed.url },
  );
  const results = await page.evaluate(
    async ({ listed, unlisted, gone }) => {
      const out = {};
      out.string = (await fetch('/api/demo/jobs?token=s3cr3t')).status;
      out.url = (await fetch(new URL(listed + '/a/42?token=s3cr3t'))).status;
      out.request = await (await fetch(new Request(listed + '/b', { method: 'POST', body: 'hello body' }))).json();
      out.unlisted = (await fetch(unlisted + '/c')).status;
      out.own = (await fetch('/api/demo/jobs', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } })).status;
      const xhr = (method, url, async = true, body = null) =>
        new Promise((resolve) => {
          const x = new XMLHttpRequest();
          x.open(method, url, async);
          x.onloadend = () => resolve(x.status);
          try {
            x.send(body);
          } catch (e) {
            resolve('threw ' + e.name);
          }
          if (!async) resolve(x.status);
        });
      out.xhrAsync = await xhr('GET', listed + '/d');
      out.xhrSync = await xhr('GET', '/api/demo/jobs', false);
      out.xhrError = await xhr('GET', gone + '/e');
      const aborted = new XMLHttpRequest();
      aborted.open('GET', listed + '/f');
      aborted.send();
      aborted.abort();
      out.aborted = aborted.status;
      await window.telemetry.flush();
      return out;
    },
    { listed: listed.url, unlisted: unlisted.url, gone: gone.url },
  );
  assert.deepEqual(results, { string: 200, url: 200, request: { ok: true }, unlisted: 200, own: 200, xhrAsync: 200, xhrSync: 200, xhrError: 0, aborted: 0 });

  // Headers each server received.
  const got = (server, method, path) => server.seen.find((r) => r.method === method && r.path.startsWith(path));
  const a = got(listed, 'GET', '/a/42');
  const b = got(listed, 'POST', '/b');
  assert.match(a.headers.traceparent, TRACEPARENT);
  assert.match(b.headers.traceparent, TRACEPARENT);
  assert.equal(b.body, 'hello body', 'the Request body arrived intact');
  assert.match(got(listed, 'OPTIONS', '/b').headers['access-control-request-headers'], /traceparent/);
  assert.match(got(listed, 'GET', '/d').headers.traceparent, TRACEPARENT);
  assert.equal(got(unlisted, 'GET', '/c').headers.traceparent, undefined, 'never to an unlisted origin');
  assert.equal(unlisted.seen.filter((r) => r.method === 'OPTIONS').length, 0, 'so no preflight there either');
  const sameOrigin = site.state.serverLog.filter((l) => l.trace_id);
  assert.ok(sameOrigin.some((l) => l.trace_id === '4bf92f3577b34da6a3ce929d0e0e4736'), 'the app\'s own traceparent kept');
  assert.ok(sameOrigin.length >= 3, `same-origin requests carry a traceparent: ${JSON.stringify(site.state.serverLog)}`);

  // The spans: one per request, joined by the ids of their headers; none for the client's own.
  await until(() => otel.state.otlp.spans.filter((s) => s.kind === 3).length >= 9, 5000, 'nine client spans');
  for (const body of otel.bodies('otlp_traces')) {
    const v = validateOtlp('traces', body);
    assert.ok(v.ok, `${v.error}\n${body}`);
  }
  const spans = otel.state.otlp.spans.filter((s) => s.kind === 3);
  console.log('OTLP traces body:', otel.bodies('otlp_traces')[0]);
  const byIds = (header) => {
    const [, trace, span] = TRACEPARENT.exec(header);
    return spans.find((s) => s.traceId === trace && s.spanId === span);
  };
  assert.equal(byIds(a.headers.traceparent).attributes['url.full'], listed.url + '/a/42', 'no query string');
  assert.equal(byIds(b.headers.traceparent).name, 'HTTP POST');
  assert.ok(spans.some((s) => s.traceId === '4bf92f3577b34da6a3ce929d0e0e4736' && s.spanId === '00f067aa0ba902b7'));
  const failed = spans.filter((s) => s.status?.code === 2);
  assert.equal(failed.length, 2, 'the error and the abort');
  assert.ok(spans.every((s) => !String(s.attributes['url.full']).startsWith(otel.url)), 'no span for the client\'s own deliveries');
  assert.ok(spans.every((s) => !String(s.attributes['url.full']).includes('/pkg/')), 'nor for the client loading itself');
  assert.equal(spans.length, 9, 'one span per request');
  // The seed's metrics, templated.
  const calls = otel.state.otlp.metrics.filter((p) => p.name === 'api_calls_total');
  const endpoints = new Set(calls.map((p) => p.attributes.endpoint));
  assert.ok(endpoints.has('/api/demo/jobs') && endpoints.has(listed.url + '/a/:id'), [...endpoints].join());
  assert.ok(calls.some((p) => p.attributes.status === '0'));
  assert.equal(calls.filter((p) => String(p.attributes.endpoint).startsWith(otel.url)).length, 0);
  // The console reports the refused connection the test made on purpose; nothing else.
  assert.deepEqual(problems.pageErrors.filter((e) => !/ERR_CONNECTION_REFUSED/.test(e)), []);
  await context.close();
});

test('a fetch wrapper the page installs before or after ours still works, and requests are still measured', async () => {
  const site = await collector({ demo: { minLatencyMs: 5, maxLatencyMs: 20, failureRate: 0 } });
  const otel = await startCollector();
  servers.push(site, otel);
  const { page, context } = await openPage(browser, site.url + '/otlp.html', {
    now: null,
    // The page's own wrapper, installed before the package loads.
    init: () => {
      const original = window.fetch;
      window.beforeCalls = 0;
      window.fetch = function (...args) {
        window.beforeCalls++;
        return original.apply(this, args);
      };
    },
  });
  const calls = await page.evaluate(async (otel) => {
    await window.telemetry.ready;
    window.telemetry.configure({ otlpEndpoint: otel, instrumentRequests: true, metricsEndpoint: null, logsEndpoint: null, captureErrors: false, observePerformance: false });
    const ours = window.fetch;
    window.afterCalls = 0;
    window.fetch = function (...args) {
      window.afterCalls++;
      return ours.apply(this, args);
    };
    await fetch('/api/demo/jobs');
    await window.telemetry.flush();
    return { before: window.beforeCalls, after: window.afterCalls };
  }, otel.url);
  assert.ok(calls.before >= 1 && calls.after >= 1, JSON.stringify(calls));
  await until(() => otel.state.otlp.spans.some((s) => s.name === 'HTTP GET'), 5000, 'the span');
  await context.close();
});

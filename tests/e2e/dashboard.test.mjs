// The demo's Error lab and the live dashboard (www/, built by `make www`) in headless Chromium:
// a person breaks the demo in the three ways it offers, the collector receives what the
// package captured, and the dashboard shows it and keeps up without a reload. Then its slowest
// requests: a page of the OTLP entry calls the demo backend, and each row leads to the backend's
// log line by its trace id. Last, the collector outage switched on from the dashboard: a page
// of the package retries through it, and everything arrives once it is over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCollector } from '../../www/collector.mjs';
import { launch, openPage, until } from './harness.mjs';

const DIST = fileURLToPath(new URL('../../www/dist/', import.meta.url));
const OUTPUT = fileURLToPath(new URL('../output/', import.meta.url));
const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
const USER = 'demo-user-42';

// The errors the Error lab throws on purpose. Each must happen exactly once per click; any
// other page error, console error or failed response fails the test.
const INTENDED = {
  uncaught: /TypeError: Cannot read properties of undefined \(reading 'length'\)/,
  rejection: /LinkedIn sync failed: access token expired/,
  // React prints an error its boundary caught to the console (its default onCaughtError).
  render: /RangeError: Invalid count value: -4/,
};

let browser;
let server;
before(async () => {
  assert.ok(existsSync(DIST + 'dashboard.html'), `${DIST} is not built: run \`make www\` first`);
  browser = await launch();
  // A quicker demo backend than `make demo`'s, still failing now and then.
  server = await startCollector({ mounts: { '/': DIST }, demo: { minLatencyMs: 50, maxLatencyMs: 200 } });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const demoFailure = (url, status) => new URL(url).pathname.startsWith('/api/demo/') && status >= 500;

/** Sorts what goes wrong on a page into the intended errors (counted by kind) and problems. */
function watch(page, seen) {
  const sort = (text) => {
    const kind = Object.keys(INTENDED).find((k) => INTENDED[k].test(text));
    if (kind) seen.intended[kind] = (seen.intended[kind] ?? 0) + 1;
    else seen.problems.push(text);
  };
  page.on('pageerror', (e) => sort(`pageerror: ${e.name}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of 5\d\d/.test(m.text()) && demoFailure(m.location().url, 500)) return;
    sort(`console: ${m.text()}`);
  });
  page.on('response', (r) => r.status() >= 400 && !demoFailure(r.url(), r.status()) && seen.problems.push(`HTTP ${r.status()} ${r.url()}`));
  return page;
}

const named = (name) => server.state.metrics.filter((m) => m.name === name);
const sum = (events) => events.reduce((n, m) => n + m.value, 0);

/** What the dashboard shows in a stat card. */
const stat = (view, id) => view.locator(`[data-stat="${id}"] .stat-value`).innerText();

/** Nearest-rank p75, as the dashboard computes it. */
function p75(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length * 0.75) - 1];
}

test('breaking the demo on purpose reaches the collector, and the live dashboard shows it', async () => {
  const seen = { intended: {}, problems: [] };
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = watch(await context.newPage(), seen);
  await page.goto(server.url + '/');
  await page.getByText('telemetry ready').waitFor();

  // Jobs: an API call and a saved job, so that the dashboard has more than errors.
  await page.getByRole('navigation').getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('heading', { name: 'Jobs' }).waitFor();
  await page.getByRole('button', { name: 'Refresh matches' }).click();
  await until(async () => !/\bpending\b/.test(await page.locator('p.api').getAttribute('class')), 5000, 'the API call');
  await page.locator('li.job').first().getByRole('button', { name: 'Save' }).click();

  // The Error lab: each button breaks the page in its own way.
  await page.getByRole('navigation').getByRole('link', { name: 'Error lab' }).click();
  await page.getByRole('heading', { name: 'Error lab' }).waitFor();
  await page.getByRole('button', { name: 'Preview CV (throws)' }).click();
  await until(() => seen.intended.uncaught === 1, 3000, 'the uncaught TypeError');
  await page.getByRole('button', { name: 'Sync LinkedIn (rejects)' }).click();
  await until(() => seen.intended.rejection === 1, 3000, 'the unhandled rejection');
  await page.getByRole('button', { name: 'Render cover letter (breaks)' }).click();
  const fallback = page.getByRole('alert');
  await fallback.getByText('The cover letter could not be shown.').waitFor();
  assert.match(await fallback.innerText(), /RangeError: Invalid count value: -4/);
  // The page is still usable: the fallback dismisses and the button works again.
  await fallback.getByRole('button', { name: 'Dismiss' }).click();
  await page.getByRole('button', { name: 'Render cover letter (breaks)' }).waitFor({ state: 'visible' });
  assert.ok(await page.getByRole('button', { name: 'Render cover letter (breaks)' }).isEnabled());

  await page.getByRole('button', { name: 'Send now' }).click();
  await until(() => sum(named('frontend_errors_total')) >= 3 && server.state.logs.some((l) => /CoverLetterPreview/.test(l.message)), 5000, 'the error reports');

  // Every click is a user action of the lab.
  const actions = named('user_actions_total').filter((m) => m.labels.component === 'ErrorLabPage');
  assert.deepEqual(actions.map((m) => m.labels.action), ['preview_cv', 'sync_linkedin', 'render_cover_letter']);
  // Nothing in the lab reports an error by hand. The package's global capture reports the
  // uncaught error (component "global") and the rejection ("promise"); its error boundary the
  // render error, under the boundary's name.
  const reported = named('frontend_errors_total');
  assert.deepEqual(
    reported.map((m) => [m.labels.error_type, m.labels.component, m.value]),
    [
      ['TypeError', 'global', 1],
      ['SyncError', 'promise', 1],
      ['RangeError', 'CoverLetterPreview', 1],
    ],
  );
  // Global capture takes the user from localStorage.user_id; the boundary has no user to give
  // trackError (no userId prop yet), so its metric says 'anonymous' for now.
  assert.deepEqual(reported.slice(0, 2).map((m) => m.labels.user_id), [USER, USER]);
  assert.ok([USER, 'anonymous'].includes(reported[2].labels.user_id), reported[2].labels.user_id);
  const errors = server.state.logs.filter((l) => l.level === 'error');
  assert.deepEqual(
    errors.map((l) => [l.error?.name, l.error?.message, l.context?.component]),
    [
      ['TypeError', "Cannot read properties of undefined (reading 'length')", 'global'],
      ['SyncError', 'LinkedIn sync failed: access token expired', 'promise'],
      ['RangeError', 'Invalid count value: -4', 'CoverLetterPreview'],
    ],
  );
  // The build is minified, so frames name no function; they do point into the demo's bundle.
  const frame = /\n\s+at .*\/assets\/main-[\w-]+\.js:\d+:\d+/;
  assert.match(errors[0].error.stack, frame);
  assert.deepEqual(errors[1].context.cause, [{ name: 'Error', message: 'HTTP 401 from the profile API' }]);
  assert.equal(errors[2].message, 'Render error caught by CoverLetterPreview');
  assert.match(errors[2].context.componentStack, frame, 'React\'s component stack is in the context');
  assert.ok(errors.every((l) => l.user_id === USER));

  // The dashboard, opened from the nav (a new tab).
  const [view] = await Promise.all([context.waitForEvent('page'), page.getByRole('navigation').getByRole('link', { name: /Dashboard/ }).click()]);
  watch(view, seen);
  await view.waitForLoadState();
  assert.equal(new URL(view.url()).pathname, '/dashboard.html');
  await view.locator('[data-stat="errors"]').waitFor();
  await view.evaluate(() => {
    window.stillTheSamePage = true; // gone if the page reloads
  });
  const showsTotals = async () =>
    (await stat(view, 'metrics')) === String(server.state.metrics.length) && (await stat(view, 'logs')) === String(server.state.logs.length);
  await until(showsTotals, 5000, 'the dashboard to show the totals');
  assert.equal(await stat(view, 'errors'), '3');
  const errorChart = view.locator('.errors-chart svg');
  assert.equal(await errorChart.getAttribute('aria-label'), 'RangeError: 1, SyncError: 1, TypeError: 1');
  const chips = await view.locator('.chips .chip').allInnerTexts();
  assert.deepEqual(new Set(chips), new Set(['global × 1', 'promise × 1', 'CoverLetterPreview × 1']));
  const calls = named('api_calls_total');
  assert.equal(await stat(view, 'api'), String(calls.length));
  const logsText = await view.locator('table.logs').innerText();
  for (const text of ['Render error caught by CoverLetterPreview', 'RangeError: Invalid count value: -4', 'LinkedIn sync failed: access token expired', 'Job saved']) {
    assert.ok(logsText.includes(text), `recent logs show ${text}`);
  }
  // The rate chart drew this session's events (some bars), and says how many in its label.
  assert.ok((await view.locator('.chart rect.bar.metrics').count()) > 0);
  assert.match(await view.locator('.panel .chart svg').first().getAttribute('aria-label'), /Events per second over the last 120 seconds: \d+ in all/);
  // The client delivered everything: no drops reported.
  assert.equal(await view.locator('[data-health="dropped"] b').innerText(), String(sum(named('telemetry_events_dropped_total'))));

  // Web Vitals: whatever the demo's page sent so far; with none, a clear empty state.
  const vitalsSent = named('largest_contentful_paint_ms').length;
  if (!vitalsSent) {
    await view.locator('[data-empty="vitals"]').waitFor();
    assert.equal(await view.locator('[data-vital="LCP"] .vital-value').innerText(), '—');
  }

  // Live: more arrives while the dashboard is open, and it shows without a reload. Another
  // render error from the demo tab, and Web Vitals as a page would report them.
  const updated = Number(await view.locator('.pill.live').getAttribute('data-updated'));
  await page.getByRole('button', { name: 'Render cover letter (breaks)' }).click();
  await page.getByRole('alert').waitFor();
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: OUTPUT + 'error-lab.png' });
  await page.getByRole('button', { name: 'Send now' }).click();
  const now = Date.now();
  const vitals = [
    ['largest_contentful_paint_ms', 1800, 'good'],
    ['largest_contentful_paint_ms', 3200, 'needs-improvement'],
    ['largest_contentful_paint_ms', 2100, 'good'],
    ['largest_contentful_paint_ms', 5200, 'poor'],
    ['cumulative_layout_shift', 0.02, 'good'],
    ['cumulative_layout_shift', 0.04, 'good'],
    ['interaction_to_next_paint_ms', 380, 'needs-improvement'],
  ].map(([name, value, rating]) => ({ name, value, labels: { rating }, timestamp: now }));
  const posted = await fetch(server.url + '/api/metrics', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metrics: vitals }) });
  assert.equal(posted.status, 200);
  await until(async () => (await stat(view, 'errors')) === '4', 5000, 'the dashboard to count the fourth error');
  const lcp = p75(named('largest_contentful_paint_ms').map((m) => m.value));
  const lcpCard = view.locator('[data-vital="LCP"]');
  await until(async () => (await lcpCard.locator('.vital-value').innerText()) === `${(lcp / 1000).toFixed(2)} s`, 5000, 'the LCP card');
  const expectedRating = lcp <= 2500 ? 'good' : lcp <= 4000 ? 'needs-improvement' : 'poor';
  assert.match(await lcpCard.getAttribute('class'), new RegExp(`\\b${expectedRating}\\b`));
  assert.equal(await lcpCard.locator('.rating').innerText(), { good: 'Good', 'needs-improvement': 'Needs improvement', poor: 'Poor' }[expectedRating]);
  const cls = view.locator('[data-vital="CLS"]');
  await until(async () => (await cls.locator('.vital-value').innerText()) === p75(named('cumulative_layout_shift').map((m) => m.value)).toFixed(2), 3000, 'the CLS card');
  assert.equal(await view.locator('[data-empty="vitals"]').count(), 0, 'no empty state once vitals arrived');
  assert.equal(await view.locator('.errors-chart svg').getAttribute('aria-label'), 'RangeError: 2, SyncError: 1, TypeError: 1');
  await until(showsTotals, 5000, 'the totals to catch up');
  assert.equal(await view.evaluate(() => window.stillTheSamePage), true, 'updated without a reload');
  assert.ok(Number(await view.locator('.pill.live').getAttribute('data-updated')) > updated);

  await view.screenshot({ path: OUTPUT + 'dashboard.png', fullPage: true });

  // Each intended error happened once per click, and nothing else went wrong.
  assert.deepEqual(seen.intended, { uncaught: 1, rejection: 1, render: 2 });
  assert.deepEqual(seen.problems, []);
  await context.close();
});

// The slowest-requests table: a page of the OTLP entry (`instrumentRequests`) calls the demo
// backend, the collector receives the client spans, and the dashboard lists them, each by the
// trace id the backend received in its `traceparent` and wrote into its own log line, so that a
// slow request on the dashboard can be followed into the server's log.
test('the slowest requests: the page\'s traced calls, slowest first, each by the trace id the demo backend logged', async () => {
  // A collector of its own, so that nothing from the other test's session is in the table: it
  // serves the dashboard, the package and the test pages, takes the page's OTLP export on its
  // own origin and answers the demo's API calls. The backend's latencies and failures are
  // scripted (its `random`, called per request for the latency, whether it fails and how), so
  // that the order of the table is known: the calls below run one at a time, in this order.
  const script = [
    [0.4, 0.9], // GET /api/demo/jobs: 400 ms, 200
    [0.25, 0.9], // POST /api/demo/jobs/42/save: 250 ms, 201
    [0.1, 0.1, 0.9], // GET /api/demo/profile: 100 ms, fails with FAILURES[2], a 503
  ].flat();
  const site = await startCollector({
    mounts: { '/pkg/': PKG, '/pages/': PAGES, '/': DIST },
    demo: { minLatencyMs: 0, maxLatencyMs: 1000, failureRate: 0.5, random: () => script.shift() ?? 0.99 },
  });
  try {
    // What the demo backend received, before it parses anything: the trace ids the table must
    // show are those of the headers that actually arrived, not whatever the collector kept.
    const received = [];
    const handle = site.state.demo.handle;
    site.state.demo.handle = (req, res, path) => {
      received.push({ method: req.method, path, traceparent: req.headers.traceparent });
      return handle(req, res, path);
    };

    const seen = { intended: {}, problems: [] };
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = watch(await context.newPage(), seen);
    // One call does not reach the demo backend (the collector's own summary): the browser's
    // header for it, as sent, since no server log can say what arrived.
    const summaryHeader = [];
    page.on('request', (r) => new URL(r.url()).pathname === '/api/summary' && summaryHeader.push(r.headerValue('traceparent')));
    await page.goto(site.url + '/pages/otlp.html');
    const statuses = await page.evaluate(async (endpoint) => {
      await window.telemetry.ready;
      // OTLP only (the seed's endpoints off), to this same collector.
      window.telemetry.configure({ otlpEndpoint: endpoint, instrumentRequests: true, metricsEndpoint: null, logsEndpoint: null });
      const out = [];
      // The query carries a token: neither the span nor the dashboard may show it.
      out.push((await fetch('/api/demo/jobs?q=rust&token=s3cr3t')).status);
      out.push((await fetch('/api/demo/jobs/42/save', { method: 'POST', body: '{"saved":true}' })).status);
      out.push((await fetch('/api/demo/profile')).status);
      out.push((await fetch('/api/summary')).status);
      await window.telemetry.flush();
      return out;
    }, site.url);
    assert.deepEqual(statuses, [200, 201, 503, 200]);
    assert.equal(script.length, 0, 'the backend answered the three demo calls, as scripted');

    // The trace id of each call, from the header the backend received; the backend's log line
    // for each carries the same.
    const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
    assert.deepEqual(
      received.map((r) => [r.method, r.path]),
      [
        ['GET', '/api/demo/jobs'],
        ['POST', '/api/demo/jobs/42/save'],
        ['GET', '/api/demo/profile'],
      ],
    );
    for (const r of received) assert.match(r.traceparent ?? '', TRACEPARENT, `${r.method} ${r.path} carried a traceparent`);
    const traceOf = (r) => TRACEPARENT.exec(r.traceparent)[1];
    assert.deepEqual(
      site.state.serverLog.map((l) => [l.http_method, l.url_path, l.http_status, l.trace_id]),
      received.map((r, i) => [r.method, r.path, [200, 201, 503][i], traceOf(r)]),
    );
    const summaryTrace = TRACEPARENT.exec((await summaryHeader[0]) ?? '')?.[1];
    assert.ok(summaryTrace, 'the same-origin call to /api/summary carried a traceparent too');
    assert.ok(!site.state.serverLog.some((l) => l.trace_id === summaryTrace), 'which no server log line names');

    // The four client spans, as the collector stored them (their durations are what the table
    // must show); one for each call, by its trace.
    const clientSpans = () => site.state.otlp.spans.filter((s) => s.kind === 3);
    await until(() => clientSpans().length >= 4, 5000, 'the four client spans');
    const spanOf = (trace) => {
      const found = clientSpans().filter((s) => s.traceId === trace);
      assert.equal(found.length, 1, `one client span of trace ${trace}`);
      return found[0];
    };
    // Slowest first: the backend's latencies put them in this order, and the summary, answered
    // at once, last. Each expected row: [trace, status, its tone, request, server logged].
    const url = (path) => site.url + path;
    const expected = [
      [traceOf(received[0]), '200', 'ok', `HTTP GET ${url('/api/demo/jobs')}`, true],
      [traceOf(received[1]), '201', 'ok', `HTTP POST ${url('/api/demo/jobs/42/save')}`, true],
      [traceOf(received[2]), '503', 'bad', `HTTP GET ${url('/api/demo/profile')}`, true],
      [summaryTrace, '200', 'ok', `HTTP GET ${url('/api/summary')}`, false],
    ];
    // Each span lasted at least the backend's latency (less 2 ms: Node's timers and the page's
    // coarsened clock are each good to about a millisecond).
    const scripted = [400, 250, 100, 0];
    expected.forEach(([trace], i) => assert.ok(spanOf(trace).durationMs >= scripted[i] - 2, `row ${i + 1}: ${spanOf(trace).durationMs} ms`));
    // As the dashboard writes a duration (dashboard.jsx's formatDuration).
    const formatDuration = (ms) => (ms < 10 ? `${ms.toFixed(1)} ms` : ms < 10000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

    // The dashboard, in a tab of its own.
    const view = watch(await context.newPage(), seen);
    await view.goto(site.url + '/dashboard.html');
    const rows = view.locator('[data-panel="slowest"] table.slowest tbody tr');
    // (A page error, say a row React cannot draw, blanks the whole dashboard: it fails here, by
    // name, rather than as a timeout.)
    await until(
      async () => {
        assert.deepEqual(seen.problems, []);
        return (await rows.count()) === 4;
      },
      5000,
      'four rows in the slowest requests',
    );
    for (const [i, [trace, status, tone, request, logged]] of expected.entries()) {
      const row = rows.nth(i);
      const cells = row.locator('td');
      const what = `row ${i + 1} (${request})`;
      // The trace id: whole on the row, in the id's tooltip and in its text (which a person
      // copies to find the server's log line; CSS shows its start).
      assert.equal(await row.getAttribute('data-trace'), trace, `${what}: the trace id the backend received`);
      const id = row.locator('code.trace-id');
      assert.equal(await id.getAttribute('title'), trace, what);
      assert.equal(await id.textContent(), trace, what);
      const shown = await id.evaluate((e) => e.clientWidth < e.scrollWidth);
      assert.ok(shown, `${what}: the id is shortened on screen`);
      assert.equal(await cells.nth(0).innerText(), formatDuration(spanOf(trace).durationMs), `${what}: the span's duration`);
      const badge = cells.nth(1).locator('.http-status');
      assert.equal(await badge.innerText(), status, what);
      assert.match(await badge.getAttribute('class'), new RegExp(`\\b${tone}\\b`), what);
      // The method and the URL, its query (and the token in it) left out.
      assert.equal((await cells.nth(2).innerText()).trim(), request, what);
      // Whether the backend's log has a line of this trace: only for the demo backend's calls.
      const serverLog = cells.nth(4);
      assert.equal(await serverLog.innerText(), logged ? '✓ logged' : '—', what);
      assert.equal(/\byes\b/.test(await serverLog.getAttribute('class')), logged, what);
    }
    assert.ok(!(await view.locator('[data-panel="slowest"]').innerText()).includes('s3cr3t'), 'no query string on the dashboard');
    assert.equal(await view.locator('[data-empty="slowest"]').count(), 0);

    mkdirSync(OUTPUT, { recursive: true });
    await view.locator('[data-panel="slowest"]').screenshot({ path: OUTPUT + 'slowest-requests.png' });
    // The 503 is the backend's scripted failure (watch lets the demo's 5xx through); nothing
    // else went wrong on either page.
    assert.deepEqual(seen.problems, []);
    assert.deepEqual(seen.intended, {});
    await context.close();
  } finally {
    await site.close();
  }
});

// The collector outage switch (www/collector/outage.mjs), as a person uses it: turned on from
// the dashboard's control, it makes the collector answer 503 to a page of the package for the
// seconds chosen. The page retries (after the collector's Retry-After), and once the outage is
// over every event has arrived exactly once (a retried batch carries the same Idempotency-Key)
// and the dashboard counts the page's retries: one per refused request.
test('the collector outage: switched on from the dashboard, every event arrives once after it, and the dashboard shows the retries', async () => {
  const site = await startCollector({ mounts: { '/pkg/': PKG, '/pages/': PAGES, '/': DIST } });
  let pageContext;
  try {
    const seen = { intended: {}, problems: [] };
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const view = watch(await context.newPage(), seen);
    await view.goto(site.url + '/dashboard.html');
    const panel = view.locator('[data-panel="outage"]');
    await panel.waitFor();
    assert.equal(await panel.getAttribute('data-outage'), 'off');
    await panel.getByLabel('Duration').selectOption('10');
    await panel.getByRole('button', { name: 'Start outage' }).click();
    await until(async () => (await panel.getAttribute('data-outage')) === 'on', 3000, 'the dashboard to show the outage');
    assert.ok(site.state.outage.active(), 'the collector refuses');
    assert.match(await panel.locator('.outage-countdown').innerText(), /^([1-9]|10) s$/);

    // A page of the package records events during the outage. Its own backoff is short, but the
    // collector's Retry-After (5 s) is what it waits; enough attempts that no batch is given up.
    const N = 20;
    const opened = await openPage(browser, site.url + '/pages/index.html', { now: null });
    const { page, problems } = opened;
    pageContext = opened.context;
    await page.evaluate(async (n) => {
      const { ready, configure, metricsCollector, logger, flush } = window.telemetry;
      await ready;
      configure({ retryInitialMs: 100, retryMaxMs: 1000, retryMaxAttempts: 20, requestTimeoutMs: 2000, batchSize: 5, logBatchSize: 5 });
      for (let i = 0; i < n; i++) {
        metricsCollector.recordMetric('outage_events_total', i);
        logger.info('during the outage ' + i, { i });
      }
      flush(); // not awaited: its requests are refused for a while
    }, N);
    const refused = () => site.state.outage.refused;
    await until(() => refused().get('metrics') && refused().get('logs'), 5000, 'the page\'s batches to be refused');
    assert.equal(site.state.metrics.length + site.state.logs.length, 0, 'nothing taken during the outage');
    await until(async () => /\b[1-9]\d* requests? refused/.test(await panel.innerText()), 3000, 'the dashboard to count the refusals');

    // The outage ends by itself, and the dashboard says so.
    await until(async () => (await panel.getAttribute('data-outage')) === 'ended', 12000, 'the outage to end');
    assert.match(await panel.locator('[role="status"]').innerText(), /^Ended at .*, after 10 s · \d+ requests? refused/);
    assert.equal(site.state.outage.active(), false);

    // The retried batches arrive within the Retry-After: each event exactly once.
    const values = () => site.state.metrics.filter((m) => m.name === 'outage_events_total').map((m) => m.value);
    const logged = () => site.state.logs.filter((l) => l.message.startsWith('during the outage ')).map((l) => l.context.i);
    await until(() => values().length >= N && logged().length >= N, 8000, 'the retried batches');
    // No waiting for a second copy that might come: a flush resolves once the page's requests
    // have settled, and then the page holds nothing more to send (no batch in flight or waiting
    // for a retry), so any second copy has arrived already, and the collector, which dedupes by
    // Idempotency-Key, has counted it as a duplicate.
    await page.evaluate(() => window.telemetry.flush());
    const [metricsHeld, , logsHeld] = await page.evaluate(() => Array.from(window.core.held()));
    assert.deepEqual([metricsHeld, logsHeld], [0, 0], 'the page has sent everything');
    assert.equal(site.state.duplicates, 0, 'no batch arrived twice');
    const range = Array.from({ length: N }, (_, i) => i);
    assert.deepEqual(values(), range, 'metrics: each once, in order');
    assert.deepEqual(logged(), range, 'logs: each once, in order');

    // The page reports its retries (telemetry_retries_total), one per refused request, and the
    // dashboard shows them.
    const attempts = refused().get('metrics') + refused().get('logs');
    const retries = () => site.state.metrics.filter((m) => m.name === 'telemetry_retries_total').reduce((n, m) => n + m.value, 0);
    await until(() => retries() === attempts, 5000, `the page to report its ${attempts} retries`);
    await until(async () => (await view.locator('[data-health="retries"] b').innerText()) === String(attempts), 3000, 'the dashboard to show the retries');
    assert.equal(await stat(view, 'client'), `0 / ${attempts}`, 'retries, and no drops');
    assert.ok(attempts > 0);

    mkdirSync(OUTPUT, { recursive: true });
    await view.screenshot({ path: OUTPUT + 'dashboard-outage.png', fullPage: true });
    // The page's only complaints are the browser's own lines for the refused requests.
    assert.deepEqual(problems.pageErrors.filter((e) => !/status of 503 \(Service Unavailable\)/.test(e)), []);
    assert.deepEqual(problems.warnings, []);
    assert.deepEqual(seen.problems, []);
    await context.close();
  } finally {
    await pageContext?.close();
    await site.close();
  }
});

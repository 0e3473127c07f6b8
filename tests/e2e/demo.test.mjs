// The demo app (www/, built by `make www`) in headless Chromium: a person clicks through its
// three pages, the collector receives what @recoloca/telemetry sent, and the collector view
// shows it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCollector } from '../../www/collector.mjs';
import { launch, until } from './harness.mjs';

const DIST = fileURLToPath(new URL('../../www/dist/', import.meta.url));
const OUTPUT = fileURLToPath(new URL('../output/', import.meta.url));
const USER = 'demo-user-42';

let browser;
let server;
before(async () => {
  assert.ok(existsSync(DIST + 'index.html'), `${DIST} is not built: run \`make www\` first`);
  browser = await launch();
  server = await startCollector({ mounts: { '/': DIST } });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** The demo backend fails now and then on purpose: a 5xx from /api/demo/ (and the console
 *  line Chromium prints for it) is expected. */
const demoFailure = (url, status) => new URL(url).pathname.startsWith('/api/demo/') && status >= 500;

/** Every page error, console error and failed response of a page, to assert there are none. */
function watch(page, problems) {
  page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of 5\d\d/.test(m.text()) && demoFailure(m.location().url, 500)) return;
    problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => r.status() >= 400 && !demoFailure(r.url(), r.status()) && problems.push(`HTTP ${r.status()} ${r.url()}`));
  return page;
}

/** Clicks a button that calls the demo backend and waits for its outcome; true if 2xx. */
async function callApi(page, button) {
  await page.getByRole('button', { name: button }).click();
  const line = page.locator('p.api');
  await until(async () => !/\bpending\b/.test(await line.getAttribute('class')), 5000, `${button} to answer`);
  return /\bok\b/.test(await line.getAttribute('class'));
}

const named = (name) => server.state.metrics.filter((m) => m.name === name);

test('clicking through the demo reaches the collector, and the collector view shows it', async () => {
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = watch(await context.newPage(), problems);

  await page.goto(server.url + '/');
  await page.getByText('telemetry ready').waitFor();

  // Upload CV: pick a sample, upload it, analyze it (the demo backend fails now and then: a
  // person would try again).
  await page.getByRole('heading', { name: 'Upload your CV' }).waitFor();
  await page.getByText('Li Wei').click();
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByText('Uploaded: li-wei_data-scientist.docx').waitFor();
  let analyses = 0;
  let analysed = false;
  while (!analysed && analyses < 10) {
    analyses++;
    analysed = await callApi(page, 'Analyze CV');
  }
  assert.ok(analysed, 'ten analyses in a row failed');

  // Analysis, through the nav.
  await page.getByRole('navigation').getByRole('link', { name: 'Analysis' }).click();
  await page.getByRole('heading', { name: 'Analysis' }).waitFor();
  await page.getByRole('button', { name: 'Export report' }).click();
  await page.getByText('Report exported').waitFor();
  await page.getByRole('button', { name: /Show score history/ }).click();

  // Jobs: save and apply to the best match, refresh the list.
  await page.getByRole('navigation').getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('heading', { name: 'Jobs' }).waitFor();
  const first = page.locator('li.job').first();
  await first.getByRole('button', { name: 'Save' }).click();
  await first.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('1 saved').waitFor();
  await callApi(page, 'Refresh matches');

  // The browser's Back button is a navigation too.
  await page.goBack();
  await page.getByRole('heading', { name: 'Analysis' }).waitFor();

  await page.getByRole('button', { name: 'Send now' }).click();
  await page.getByText(/^Sent at /).waitFor();
  await until(
    () => named('page_views_total').length === 4 && server.state.logs.some((l) => l.message === 'Job matches refreshed' || l.message === 'Job matches unavailable'),
    5000,
    'the batches sent by "Send now"',
  );

  // Metrics.
  assert.deepEqual(
    named('page_views_total').map((m) => [m.labels.page, m.labels.user_id, m.value]),
    [['/upload', USER, 1], ['/analysis', USER, 1], ['/jobs', USER, 1], ['/analysis', USER, 1]],
  );
  const actions = new Set(named('user_actions_total').map((m) => `${m.labels.component}:${m.labels.action}`));
  for (const a of ['UploadPage:select_sample', 'UploadPage:upload_cv', 'UploadPage:analyze_cv', 'AnalysisPage:export_report', 'JobsPage:save_job', 'JobsPage:apply_job', 'JobsPage:refresh_matches']) {
    assert.ok(actions.has(a), `user action ${a} recorded (got ${[...actions]})`);
  }
  assert.ok(named('user_actions_total').every((m) => m.labels.user_id === USER));
  const calls = named('api_calls_total');
  assert.equal(calls.length, analyses + 1, 'one api_calls_total per call to the demo backend');
  assert.deepEqual(
    calls.map((m) => `${m.labels.method} ${m.labels.endpoint}`),
    [...Array(analyses).fill('POST /api/demo/cv/analyze'), 'GET /api/demo/jobs/matches'],
  );
  // The backend answers 2xx or, now and then, a 5xx.
  assert.ok(calls.every((m) => /^(20[01]|50[023])$/.test(m.labels.status)), calls.map((m) => m.labels.status).join());
  assert.equal(calls[analyses - 1].labels.status, '201', 'the last analysis succeeded');
  const durations = named('api_call_duration_ms');
  assert.equal(durations.length, calls.length);
  assert.deepEqual(durations.map((m) => m.labels.endpoint), calls.map((m) => m.labels.endpoint));
  // The backend waits 50-800 ms; the recorded value is what the page measured.
  assert.ok(durations.every((m) => m.value >= 45 && m.value < 5000), `durations ${durations.map((m) => m.value)}`);
  // The package measured those calls itself (`instrumentRequests`): each also carried a
  // traceparent that the backend wrote into its log, and its span reached /v1/traces with
  // the same trace id, which is how the dashboard joins a slow request to the server's line.
  const logged = server.state.serverLog.map((l) => `${l.http_method} ${l.url_path} ${l.http_status} ${l.trace_id}`);
  const clientSpans = () => server.state.otlp.spans.filter((s) => s.name.startsWith('HTTP '));
  await until(() => clientSpans().length >= calls.length, 5000, 'the spans of the calls');
  assert.deepEqual(server.state.otlp.spans.filter((s) => !s.name.startsWith('HTTP ')).map((s) => s.name), ['documentLoad']);
  const spans = clientSpans().map((s) => `${s.attributes['http.request.method']} ${new URL(s.attributes['url.full']).pathname} ${s.attributes['http.response.status_code']} ${s.traceId}`);
  assert.deepEqual(spans, logged, 'one span per call, by the trace id the backend logged');
  assert.equal(server.state.otlp.metrics.length + server.state.otlp.logs.length, 0, 'metrics and logs in the seed format only');
  assert.deepEqual(named('cv_uploads_total').map((m) => m.labels), [{ format: 'docx' }]);
  assert.deepEqual(named('frontend_errors_total').map((m) => m.labels), [{ error_type: 'TypeError', component: 'AnalysisPage', user_id: USER }]);

  // Logs: each carries the component its useLogger() named, and the signed-in user.
  const logs = server.state.logs;
  assert.deepEqual(new Set(logs.map((l) => l.context?.component)), new Set(['UploadPage', 'AnalysisPage', 'JobsPage']));
  assert.ok(logs.every((l) => l.user_id === USER && typeof l.session_id === 'string'));
  const uploaded = logs.find((l) => l.message === 'CV uploaded');
  assert.deepEqual(uploaded?.context, { component: 'UploadPage', cvId: 'cv-li-wei', format: 'docx', sizeKb: 96 });
  assert.equal(uploaded.level, 'info');
  const failed = logs.find((l) => l.message === 'Score history chart failed');
  assert.equal(failed?.level, 'error');
  assert.equal(failed.error.name, 'TypeError');
  assert.deepEqual(failed.context, { component: 'AnalysisPage', cvId: 'cv-li-wei' });

  // The collector view, opened from the nav as a person would (it opens a new tab).
  const [view] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('navigation').getByRole('link', { name: /Collector view/ }).click(),
  ]);
  watch(view, problems);
  await view.waitForLoadState();
  assert.equal(new URL(view.url()).pathname, '/collector.html');
  const shows = (texts) => async () => {
    const body = await view.locator('body').innerText();
    return texts.every((t) => body.includes(t));
  };
  const names = ['page_views_total', 'user_actions_total', 'api_calls_total', 'api_call_duration_ms', 'cv_uploads_total', 'frontend_errors_total'];
  await until(shows([...names, 'CV uploaded', 'Score history chart failed', '"component":"JobsPage"']), 5000, 'the collector view to show what arrived');
  const totals = await view.locator('.total b').allInnerTexts();
  assert.deepEqual(totals.slice(0, 2), [String(server.state.metrics.length), String(server.state.logs.length)]);

  mkdirSync(OUTPUT, { recursive: true });
  await view.screenshot({ path: OUTPUT + 'collector-view.png', fullPage: true });

  assert.deepEqual(problems, []);
  await context.close();
});

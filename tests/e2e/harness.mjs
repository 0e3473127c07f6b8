// Shared by the end-to-end tests: headless Debian Chromium through playwright-core, and the
// collector from www/ serving the built package and the test pages.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { startCollector } from '../../www/collector.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Chromium's flags here: no sandbox (root), no GPU, and nothing that wanders off to the
 *  network (which is closed here). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A headless Chromium; Playwright gives it a fresh profile directory of its own. */
export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** The collector, serving /pkg/ (the built package) and the test pages at /. */
export function collector(opts = {}) {
  return startCollector({
    mounts: { '/pkg/': here('../../pkg/'), '/': here('./pages/') },
    ...opts,
  });
}

/** A fresh page whose clock, user and session are fixed, so bodies are exact. Every page error
 *  and console warning is collected. */
export async function openPage(browser, url, { now = 1764166892000, user = null, session = 'session-e2e', init } = {}) {
  const context = await browser.newContext();
  // A test's own script, run in the page before anything else.
  if (init) await context.addInitScript(init);
  await context.addInitScript(
    ({ now, user, session }) => {
      let t = now;
      // A fixed clock makes bodies exact; `now: null` keeps the real one (timing tests).
      if (now !== null) Date.now = () => t++;
      if (user) localStorage.setItem('user_id', user);
      else localStorage.removeItem('user_id');
      if (session !== null) sessionStorage.setItem('session_id', session);
    },
    { now, user, session },
  );
  const page = await context.newPage();
  const problems = { pageErrors: [], warnings: [] };
  page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'warning') problems.warnings.push(m.text());
    if (m.type() === 'error') problems.pageErrors.push(m.text());
  });
  await page.goto(url);
  return { page, context, problems };
}

/** Waits until `check()` is true, polling; fails after `ms`. */
export async function until(check, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The page's own timings (page_load_time_ms, …) may join a batch at any moment; tests of the
 *  seed's methods leave them out. */
export const TIMINGS = /^(page_load_time|dom_content_loaded|largest_contentful_paint|first_contentful_paint|first_input_delay|time_to_first_byte|interaction_to_next_paint)_ms$|^cumulative_layout_shift$/;

/** A body as the bytes it must be: canonical JSON (what JSON.stringify of its own parse gives:
 *  same key order, same number and string spelling) whose content, the page's timings left
 *  out, equals `expected`. */
export function assertExactBody(body, expected) {
  assert.equal(body, JSON.stringify(JSON.parse(body)), 'the body is canonical JSON');
  const parsed = JSON.parse(body);
  if (parsed.metrics) parsed.metrics = parsed.metrics.filter((m) => !TIMINGS.test(m.name));
  assert.equal(JSON.stringify(parsed), JSON.stringify(expected));
}

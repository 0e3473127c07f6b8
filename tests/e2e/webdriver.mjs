// The three engines through the W3C WebDriver protocol (plain HTTP): Debian's Chromium through
// chromedriver, Firefox ESR through geckodriver, WebKitGTK through WebKitWebDriver. Playwright
// drives only its own patched Firefox and WebKit builds, which cannot be downloaded here; this
// small client is how the package as shipped reaches every engine with the same test code
// (tests/e2e/engines.test.mjs).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { CHROMIUM_FLAGS } from './harness.mjs';

const firstFile = (...paths) => paths.find((p) => p && existsSync(p));

/** WebKitGTK's MiniBrowser: /usr/lib/<multiarch>/webkit2gtk-<api>/MiniBrowser. */
function miniBrowsers() {
  const found = [];
  for (const arch of readdirSync('/usr/lib')) {
    for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) {
      found.push(`/usr/lib/${arch}/${api}/MiniBrowser`);
    }
  }
  return found;
}

/** How each engine is started: its driver, the arguments the driver takes, and the session's
 *  capabilities. Every engine runs with the network closed here, so nothing may phone home. */
export const ENGINES = {
  chromium: {
    driver: () => firstFile(process.env.CHROMEDRIVER, '/usr/bin/chromedriver'),
    driverArgs: (port) => [`--port=${port}`],
    capabilities: () => ({
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: firstFile(process.env.CHROMIUM_PATH, '/usr/bin/chromium'),
        args: ['--headless', ...CHROMIUM_FLAGS],
      },
    }),
  },
  firefox: {
    driver: () => firstFile(process.env.GECKODRIVER, `${homedir()}/.cargo/bin/geckodriver`),
    driverArgs: (port) => ['--host', '127.0.0.1', '--port', String(port)],
    // geckodriver's Close Window runs the page's pagehide only about half the time (measured
    // here: a synchronous request from the handler arrived for 17 closes in 30, and no
    // keepalive request or beacon it sent after that ever did). A tab the opener's script
    // closes runs it every time (30 in 30, both requests arriving), as Chromium's and WebKit's
    // WebDriver closes do (20 in 20 each).
    closeTabsByScript: true,
    capabilities: () => ({
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: firstFile(process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'),
        args: ['-headless'],
        prefs: {
          'app.update.disabledForTesting': true,
          'network.captive-portal-service.enabled': false,
          'datareporting.policy.dataSubmissionEnabled': false,
          'toolkit.telemetry.reportingpolicy.firstRun': false,
        },
      },
    }),
  },
  webkit: {
    // WebKitGTK has no headless mode: its MiniBrowser needs an X display (see `display()`).
    driver: () => firstFile(process.env.WEBKIT_DRIVER, '/usr/bin/WebKitWebDriver'),
    driverArgs: (port) => [`--port=${port}`],
    needsDisplay: true,
    capabilities: () => ({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': {
        binary: firstFile(process.env.WEBKIT_BROWSER, ...miniBrowsers()),
        args: ['--automation'],
      },
    }),
  },
};

/** A port nobody listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** An X display for a browser that needs one: `$DISPLAY` when set (`xvfb-run`), else a private
 *  Xvfb on a free display number, which `stop()` ends. */
async function display() {
  if (process.env.DISPLAY) return { name: process.env.DISPLAY, stop() {} };
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const name = await new Promise((resolve, reject) => {
    xvfb.once('error', (err) => reject(new Error(`Xvfb could not start (${err.message}); install the xvfb package`)));
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
    xvfb.stdout.once('data', (d) => resolve(':' + String(d).trim()));
  });
  return { name, stop: () => xvfb.kill() };
}

/**
 * Starts an engine's driver and one session in it. The session's `run(f, ...args)` runs
 * `async f(...args)` in the current page and returns what it resolves with; a rejection fails
 * the call with its message and stack (WebKit's stack leaves the message out). Arguments and
 * results must be JSON.
 * @param {'chromium'|'firefox'|'webkit'} name
 */
export async function launch(name) {
  const engine = ENGINES[name];
  const binary = engine.driver();
  if (!binary) throw new Error(`no WebDriver for ${name}: run .ci/bootstrap.sh`);
  const port = await freePort();
  const screen = engine.needsDisplay ? await display() : { name: process.env.DISPLAY, stop() {} };
  const env = { ...process.env, ...(screen.name ? { DISPLAY: screen.name } : {}) };
  const driver = spawn(binary, engine.driverArgs(port), { stdio: 'ignore', env });
  let failed; // why the driver could not run (a missing binary, say)
  driver.once('error', (err) => (failed = err));
  // The driver (and with it the browser) ends with this process, however the tests end.
  const stop = () => {
    driver.kill();
    screen.stop();
  };
  process.once('exit', stop);
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const { value } = await res.json();
    if (!res.ok) throw new Error(`${name} WebDriver ${method} ${path}: ${value?.error}: ${value?.message}`);
    return value;
  };
  // A driver takes a moment to listen: up to 10 s.
  for (let i = 0; ; i++) {
    let why = 'not ready';
    try {
      if ((await call('GET', '/status')).ready) break;
    } catch (err) {
      why = err.message;
    }
    if (failed || i >= 100) {
      stop();
      throw new Error(`the ${name} WebDriver (${binary}) did not start: ${failed?.message ?? why}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let session;
  let capabilities;
  try {
    ({ sessionId: session, capabilities } = await call('POST', '/session', {
      capabilities: { alwaysMatch: engine.capabilities() },
    }));
  } catch (err) {
    stop();
    throw err;
  }
  const at = (path) => `/session/${session}${path}`;
  const browser = {
    name,
    version: `${capabilities.browserName} ${capabilities.browserVersion}`,
    /** Navigates to `url` and returns once its document is the current one and loaded.
     *  WebKitWebDriver's navigation now and then returns while the previous page is still
     *  current (seen once in a few full runs: the next script ran in the old page). */
    async goto(url) {
      await call('POST', at('/url'), { url });
      const href = new URL(url).href;
      const arrived = () => browser.poll(async (href) => location.href === href && document.readyState === 'complete', href);
      for (let i = 0; !(await arrived()); i++) {
        if (i >= 200) throw new Error(`${name}: ${url} did not load`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    back: () => call('POST', at('/back'), {}),
    async run(f, ...args) {
      const script = `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${f}).apply(null, Array.from(arguments).slice(0, -1))).then(
          (value) => done({ value: value === undefined ? null : value }),
          (err) => done({ error: String(err) + (err && err.stack ? '\\n' + err.stack : '') }));`;
      const out = await call('POST', at('/execute/async'), { script, args });
      if (out?.error !== undefined) throw new Error(`in ${name}: ${out.error}`);
      return out?.value;
    },
    /** `run(f, ...args)` for a poll: false, not an error, while the page cannot run scripts
     *  (it is in the middle of navigating). */
    async poll(f, ...args) {
      try {
        return await browser.run(f, ...args);
      } catch (_) {
        return false;
      }
    },
    /** A trusted click on the first element matching `css` (real input, as a user's). */
    async click(css) {
      const found = await call('POST', at('/element'), { using: 'css selector', value: css });
      const id = Object.values(found)[0];
      await call('POST', at(`/element/${id}/click`), {});
    },
    /** Opens `url` in a new tab and makes it current. Its `close()` closes it, as a user
     *  closing the tab, and makes the tab before it current again. */
    async openTab(url) {
      const previous = await call('GET', at('/window'));
      if (!engine.closeTabsByScript) {
        const { handle } = await call('POST', at('/window/new'), { type: 'tab' });
        await call('POST', at('/window'), { handle });
        await browser.goto(url);
        return {
          async close() {
            await call('DELETE', at('/window'));
            await call('POST', at('/window'), { handle: previous });
          },
        };
      }
      const before = await call('GET', at('/window/handles'));
      await browser.run(async (url) => {
        window.__tab = window.open(url);
        if (!window.__tab) throw new Error('the tab was not opened (a popup blocker?)');
      }, url);
      let handle;
      for (let i = 0; !handle && i < 100; i++) {
        handle = (await call('GET', at('/window/handles'))).find((h) => !before.includes(h));
        if (!handle) await new Promise((r) => setTimeout(r, 50));
      }
      if (!handle) throw new Error(`${name}: the new tab did not appear`);
      await call('POST', at('/window'), { handle });
      // WebDriver's navigation waited for the load; here the page is polled for it (past the
      // initial about:blank, which is complete at once).
      const loaded = () => browser.poll(async () => location.href !== 'about:blank' && document.readyState === 'complete');
      for (let i = 0; !(await loaded()); i++) {
        if (i >= 100) throw new Error(`${name}: ${url} did not load in the new tab`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return {
        async close() {
          await call('POST', at('/window'), { handle: previous });
          await browser.run(async () => window.__tab.close());
        },
      };
    },
    async close() {
      try {
        await call('DELETE', at(''));
      } finally {
        stop();
        process.off('exit', stop);
      }
    },
  };
  return browser;
}

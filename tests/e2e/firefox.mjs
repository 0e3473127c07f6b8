// Headless Firefox for the end-to-end tests, through geckodriver and the W3C WebDriver protocol
// (plain HTTP). Playwright drives only its own patched Firefox builds, not Debian's Firefox
// ESR, so this small client is how the package as shipped reaches a second engine.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';

export const GECKODRIVER = process.env.GECKODRIVER || `${homedir()}/.cargo/bin/geckodriver`;
export const FIREFOX =
  process.env.FIREFOX_PATH || ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find((p) => existsSync(p));

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

/** Starts geckodriver and one headless Firefox session. The session's `run(f, ...args)` runs
 *  `async f(...args)` in the page and returns what it resolves with (a rejection fails the
 *  call with its message). */
export async function launchFirefox() {
  const port = await freePort();
  const driver = spawn(GECKODRIVER, ['--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore' });
  let failed; // why geckodriver could not run (a missing binary, say)
  driver.once('error', (err) => (failed = err));
  // geckodriver (and with it Firefox) ends with this process, however the tests end.
  const stop = () => driver.kill();
  process.once('exit', stop);
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const { value } = await res.json();
    if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${value?.error}: ${value?.message}`);
    return value;
  };
  // geckodriver takes a moment to listen: up to 10 s.
  for (let i = 0; ; i++) {
    let why = 'not ready';
    try {
      if ((await call('GET', '/status')).ready) break;
    } catch (err) {
      why = err.message;
    }
    if (failed || i >= 100) {
      stop();
      throw new Error(`geckodriver (${GECKODRIVER}) did not start: ${failed?.message ?? why}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let session;
  try {
    ({ sessionId: session } = await call('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'firefox',
          'moz:firefoxOptions': {
            binary: FIREFOX,
            args: ['-headless'],
            // The network is closed here: no update, telemetry or captive-portal checks.
            prefs: {
              'app.update.disabledForTesting': true,
              'network.captive-portal-service.enabled': false,
              'datareporting.policy.dataSubmissionEnabled': false,
              'toolkit.telemetry.reportingpolicy.firstRun': false,
            },
          },
        },
      },
    }));
  } catch (err) {
    stop();
    throw err;
  }
  const at = (path) => `/session/${session}${path}`;
  return {
    goto: (url) => call('POST', at('/url'), { url }),
    async run(f, ...args) {
      const script = `const done = arguments[arguments.length - 1];
        (${f}).apply(null, Array.from(arguments).slice(0, -1)).then(
          (value) => done({ value }),
          (err) => done({ error: String(err && err.stack || err) }));`;
      const out = await call('POST', at('/execute/async'), { script, args });
      if (out.error !== undefined) throw new Error('in Firefox: ' + out.error);
      return out.value;
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
}

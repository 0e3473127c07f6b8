// Set before the package loads, for the pages the WebDriver suite opens in every engine
// (engines.test.mjs): what Playwright's init scripts do for the Chromium suites, which WebDriver
// lacks. A classic script of the page's own origin, so that it also runs under the strict
// Content-Security-Policy of the CSP test. The query string says how:
//   clock=real       keep the real Date.now (timing tests); otherwise a fixed clock that starts
//                    at 2025-11-26T14:21:32.000Z and ticks 1 ms a reading, so bodies are exact
//   user=U           localStorage.user_id (none when absent)
//   session=S        sessionStorage.session_id (default 'session-e2e'; empty: none)
//   memory           window.wasmMemory: the main module's memory (the first instantiated), kept
//                    by wrapping WebAssembly's own instantiation, as any script of the page
//                    could (the trap test)
(() => {
  const query = new URLSearchParams(location.search);
  if (query.get('clock') !== 'real') {
    let t = 1764166892000;
    Date.now = () => t++;
  }
  if (query.has('memory')) {
    for (const name of ['instantiateStreaming', 'instantiate']) {
      const original = WebAssembly[name];
      WebAssembly[name] = async (...args) => {
        const result = await original.apply(WebAssembly, args);
        window.wasmMemory ??= (result.instance ?? result).exports?.memory;
        return result;
      };
    }
  }
  if (query.has('user')) localStorage.setItem('user_id', query.get('user'));
  else localStorage.removeItem('user_id');
  const session = query.has('session') ? query.get('session') : 'session-e2e';
  if (session) sessionStorage.setItem('session_id', session);
  else sessionStorage.removeItem('session_id');

  // What the page saw: console warnings, uncaught errors and rejections, CSP violations.
  const problems = { warnings: [], errors: [], violations: [] };
  window.problems = problems;
  const warn = console.warn;
  console.warn = function (...args) {
    problems.warnings.push(args.map(String).join(' '));
    return warn.apply(this, args);
  };
  addEventListener('error', (e) => problems.errors.push(String(e.message || e.type)), true);
  addEventListener('unhandledrejection', (e) => problems.errors.push('rejection: ' + String(e.reason)));
  document.addEventListener('securitypolicyviolation', (e) =>
    problems.violations.push(`${e.violatedDirective} ${e.blockedURI}`),
  );

  // An error thrown by the page's own code, from this file (one thrown by a WebDriver script is
  // not the page's).
  window.throwLater = () =>
    setTimeout(function thrower() {
      throw new TypeError('cannot read "score"', { cause: new Error('no analysis') });
    });

  // An error whose name and top frame are 3,000 characters long (a function of that name).
  window.throwLong = () =>
    setTimeout(() => {
      const fn = 'f'.repeat(3000);
      const error = new Error('long');
      error.name = 'N'.repeat(3000);
      const thrower = {
        [fn]() {
          error.stack = new Error('long').stack; // a stack through the long-named function
          // Its longest line, as the engine wrote it (WebKit does not name such a method).
          window.longestStackLine = Math.max(...error.stack.split('\n').map((l) => l.length));
          throw error;
        },
      };
      thrower[fn]();
    });

  // Unhandled rejections of the page's own code (Chromium and Firefox do not report one made in
  // a WebDriver script as unhandled).
  window.rejectLater = () =>
    setTimeout(() => {
      Promise.reject(new RangeError('quota exceeded'));
      Promise.reject({ code: 503 });
    });

  // A tab switch away (or back): headless pages cannot be hidden for real in every engine.
  window.setVisibility = (state) => {
    Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    delete document.visibilityState;
  };
})();

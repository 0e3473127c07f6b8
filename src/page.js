// The module's one door to the page: every browser API the client uses, as a few functions
// that take and return numbers and strings (see src/page.rs, their Rust face).
//
// Why a hand-written door instead of web-sys: each web-sys call site costs marshalling code in
// the module and a function in the generated glue, and each closure type costs a set of
// shims. Here the page's objects are read where they live, and everything the page tells the
// module (events, timers, observer entries, answers) comes back through one callback.
//
// Nothing here decides anything: limits, formats and what to do with an answer are the
// module's. Nothing here throws either: a page API that is missing or throws reads as absent.

const nothing = () => {};

/** `f()`, or `fallback` where it throws: how a page API that is missing or throws reads as
 *  absent, and how page code run from here cannot throw into the module or the page. */
function attempt(f, fallback) {
  try {
    return f();
  } catch (_) {
    return fallback;
  }
}

let wake = nothing;
let before = nothing;
/** Numbers staged for the module to take (observer entries, error locations, navigation
 *  facts, option values). Each stager stages its numbers at once, after any page code it
 *  runs, so that a nested call cannot take part of them. */
let numbers = [];

/** Hands over the module's callback, `wake(token, number, text)` (its exported `wake`; the
 *  browser tests hand over a closure instead), and what to run before anything is told to it:
 *  index.js's `drain`, which gives the module the metric events staged so far. */
export function init(f, first) {
  wake = f;
  before = first || nothing;
}

/** Tells the module that `token` happened, never throwing into the page (a listener must not
 *  throw). The calls made before it go in first, so that the module sees everything in the
 *  order it happened; only then does `read()` give (and stage) what the module is to know of
 *  it, `[number, text]`, so that nothing the page runs meanwhile (a wrapped `fetch` the draining
 *  sends with) can take what was staged. */
function tell(token, read) {
  // Should `before` fail, the module is unusable, and its own call below fails quietly the
  // same way; a throwing getter in `read` leaves the module hearing of the event without its
  // facts; and a trap in the module must not reach the page.
  attempt(before);
  const got = attempt(read, [0]);
  attempt(() => wake(token, got[0], got[1] ?? '')); // "": no text
}

/** Writes the last staged numbers into `into` (a view of the module's memory), as many as it
 *  holds, and returns how many; all are taken (with any an earlier call left behind). */
export function takeNumbers(into) {
  const all = numbers.splice(0);
  const last = into.length > 0 ? all.slice(-into.length) : [];
  into.set(last);
  return last.length;
}

// ---- what undoes a listener, timer or observer ----------------------------------------------

const held = new Map();
let serial = 0;
function hold(undo) {
  held.set(++serial, undo);
  return serial;
}

/** Undoes what `id` holds (removes the listener, clears the timer, disconnects). */
export function release(id) {
  const undo = held.get(id);
  held.delete(id);
  try {
    if (undo) undo();
  } catch (_) {
    /* gone already */
  }
}

// ---- timers ---------------------------------------------------------------------------------

/** Wakes `token` after `ms` (and every `ms` if `repeat`). */
export function timer(token, ms, repeat) {
  return attempt(() => {
    const id = (repeat ? setInterval : setTimeout)(() => tell(token, () => [0]), ms);
    return hold(() => (repeat ? clearInterval : clearTimeout)(id));
  }, 0);
}

/** Wakes `token` with `performance.now()` at the second animation frame from now (by then a
 *  page restored from the back/forward cache has been presented). */
export function frames(token) {
  return attempt(() => {
    let id = requestAnimationFrame(() => {
      id = requestAnimationFrame(() => {
        const at = performance.now();
        tell(token, () => [at]);
      });
    });
    return hold(() => cancelAnimationFrame(id));
  }, 0);
}

// ---- events ---------------------------------------------------------------------------------

const hidden = () => document.visibilityState === 'hidden';

/** `v[key]`, or undefined where reading it throws (a getter, a revoked proxy): one bad
 *  property must not cost the whole error. */
function get(v, key) {
  try {
    return v[key];
  } catch (_) {
    return undefined;
  }
}

/** What the module needs of a value thrown or rejected with: name, message, stack, and the
 *  causes of an Error-like one; else `name` with `message`, or (if that is undefined) the value
 *  as text. */
function errorFacts(v, name, message) {
  if (!errorLike(v)) return [name, message ?? text(v), undefined];
  const own = get(v, 'name');
  const out = [typeof own === 'string' && own ? own : 'Error', str(get(v, 'message')), get(v, 'stack')];
  let cause = get(v, 'cause');
  // At most 5 causes (the module keeps no more); a cycle of causes ends there too.
  for (let i = 0; i < 5 && cause !== undefined && cause !== null; i++) {
    if (!errorLike(cause)) {
      out.push('Value', text(cause));
      break;
    }
    const causeName = get(cause, 'name');
    out.push(typeof causeName === 'string' ? causeName : 'Error', str(get(cause, 'message')));
    cause = get(cause, 'cause');
  }
  return out;
}

const str = (v) => (typeof v === 'string' ? v : '');
const errorLike = (v) =>
  typeof v === 'object' &&
  v !== null &&
  (typeof get(v, 'message') === 'string' || typeof get(v, 'stack') === 'string');

/** A value as text: strings as they are, objects as JSON, anything else as `String()` does. */
function text(v) {
  if (typeof v === 'string') return v;
  try {
    if (typeof v === 'object' && v !== null) {
      const json = JSON.stringify(v);
      if (typeof json === 'string') return json;
    }
  } catch (_) {
    /* a cycle, a BigInt: fall back to String() */
  }
  try {
    return String(v);
  } catch (_) {
    return '';
  }
}

/** An error event: `[name, message, stack, causes…]` as text, the location as numbers. */
function uncaught(e) {
  if (e instanceof ErrorEvent) {
    // Without an error, most often a cross-origin script ("Script error."), whose details the
    // browser hides: the event's message.
    const error = get(e, 'error');
    const out = errorFacts(error, 'Error', error === undefined || error === null ? str(e.message) : undefined);
    numbers.push(e.lineno, e.colno);
    return [1, facts(out, e.filename)];
  }
  // Not an ErrorEvent: a resource (img, script, link…) that failed to load.
  const el = e.target;
  if (!(el instanceof Element)) return [0];
  const url = el.getAttribute('src') ?? el.getAttribute('href') ?? '';
  numbers.push(0, 0);
  return [1, facts(['ResourceError', 'failed to load <' + el.tagName.toLowerCase() + '> ' + url, undefined], url)];
}

function rejected(e) {
  if (!(e instanceof PromiseRejectionEvent)) return [0];
  return [1, facts(errorFacts(get(e, 'reason'), 'UnhandledRejection'), undefined)];
}

/** `file \0 name \0 message \0 stack \0 causes…`: a value that is not a string (an absent
 *  file or stack) is `\u0001`, and a NUL inside a value becomes U+FFFD so that it cannot split
 *  the text. */
function facts(out, file) {
  return [file, ...out].map((v) => (typeof v === 'string' ? field(v) : ABSENT)).join('\0');
}

/** What page.js writes for an absent field (`page::ABSENT` in Rust), and for an option of the
 *  wrong type (`page::MISTYPED`). */
const ABSENT = '\u0001';
const MISTYPED = '\u0002';

/** A string as one NUL-separated field: a NUL inside it becomes U+FFFD. */
const field = (v) => v.replace(/\0/g, '\ufffd');

// The module's listeners come in three groups, each added and removed as a whole: page exit and
// connectivity, error capture, and the inputs and restores that page timings watch. A listener
// is [code, type, on document, capture, what the module gets] (addEventListener reads a
// capture of 0 or 1 as false or true); the code is also the token the module is woken with.
// Groups, each behind its own function, rather than one table: a build without error capture
// or page timings (the slim entry) never imports theirs, and the bundler leaves their code out.

/** Adds the listeners of `group` as one: one id removes them all; 0 when there is no page to
 *  listen to. */
function listenAll(group) {
  const undo = [];
  const removeAll = () => undo.forEach((f) => attempt(f));
  const id = attempt(() => {
    for (const [code, type, onDocument, capture, read] of group) {
      const target = onDocument ? document : window;
      const f = (e) => tell(code, () => read(e));
      target.addEventListener(type, f, capture);
      undo.push(() => target.removeEventListener(type, f, capture));
    }
    return hold(removeAll);
  }, 0);
  // All or none: should one fail, the ones before it are not left behind unowned.
  if (!id) attempt(removeAll);
  return id;
}

export function listenExit() {
  return listenAll([
    [10, 'pagehide', 0, 0, (e) => [e.persisted ? 1 : 0]],
    [11, 'pageshow', 0, 0, () => [0]],
    [12, 'online', 0, 0, () => [0]],
    [13, 'visibilitychange', 1, 0, () => [hidden() ? 1 : 0]],
  ]);
}

export function listenErrors() {
  return listenAll([
    [14, 'error', 0, 1, uncaught],
    [15, 'unhandledrejection', 0, 0, rejected],
  ]);
}

const trusted = (e) => [e.isTrusted ? 1 : 0];

export function listenInputs() {
  return listenAll([
    [16, 'keydown', 0, 1, trusted],
    [17, 'click', 0, 1, trusted],
    // The event's timeStamp if the page comes back from the bfcache, else -1.
    [18, 'pageshow', 0, 1, (e) => [e.persisted ? e.timeStamp : -1]],
  ]);
}

// ---- page timings ---------------------------------------------------------------------------

const ENTRY_TYPES = ['paint', 'largest-contentful-paint', 'layout-shift', 'event', 'first-input'];
const observers = new Map();

/** Stages each entry as seven numbers: startTime, duration, value, interactionId,
 *  processingStart, hadRecentInput, and whether it is the first contentful paint. */
function stage(entries) {
  const got = [];
  for (const e of entries) {
    got.push(
      e.startTime, +e.duration, +e.value, +e.interactionId, +e.processingStart,
      e.hadRecentInput === true ? 1 : 0, e.name === 'first-contentful-paint' ? 1 : 0,
    );
  }
  numbers = numbers.concat(got); // not push(...got): thousands would overflow its arguments
  return entries.length;
}

/** Observes entries of `ENTRY_TYPES[source]` (buffered), waking `token` with their count;
 *  0 when the browser cannot. */
export function observe(source, token, threshold) {
  return attempt(() => {
    const po = new PerformanceObserver((list) => tell(token, () => [stage(list.getEntries())]));
    const options = { type: ENTRY_TYPES[source], buffered: true };
    if (threshold > 0) options.durationThreshold = threshold;
    po.observe(options);
    const id = hold(() => {
      observers.delete(id);
      po.disconnect();
    });
    observers.set(id, po);
    return id;
  }, 0);
}

/** Stages the records observer `id` has not delivered yet; returns their count. */
export function takeRecords(id) {
  return attempt(() => stage(observers.get(id).takeRecords()), 0);
}

/** Which entry types the browser can observe: bit `i` for `ENTRY_TYPES[i]`. */
export function supported() {
  return attempt(() => {
    const all = PerformanceObserver.supportedEntryTypes;
    return ENTRY_TYPES.reduce((bits, t, i) => (all.includes(t) ? bits | (1 << i) : bits), 0);
  }, 0);
}

/** The page as it was at start, staged as numbers: activationStart, fetchStart,
 *  responseStart, domContentLoadedEventEnd, loadEventEnd (NaN without a navigation entry),
 *  prerendering, wasDiscarded, hidden now, event entries with interactionId, and the first
 *  `visibility-state` hidden entry's startTime at or after activation (NaN if none). Returns
 *  the navigation type (`undefined` without a page). */
export function navigation() {
  return attempt(() => {
    const nav = performance.getEntriesByType('navigation')[0] || {};
    const activation = Math.max(+nav.activationStart || 0, 0);
    let hiddenAt = NaN;
    for (const e of performance.getEntriesByType('visibility-state')) {
      if (e.name === 'hidden' && e.startTime >= activation) {
        hiddenAt = e.startTime;
        break;
      }
    }
    const proto = typeof PerformanceEventTiming === 'function' && PerformanceEventTiming.prototype;
    numbers.push(
      +nav.activationStart, +nav.fetchStart, +nav.responseStart,
      +nav.domContentLoadedEventEnd, +nav.loadEventEnd,
      document.prerendering === true ? 1 : 0, document.wasDiscarded === true ? 1 : 0, hidden() ? 1 : 0,
      proto && 'interactionId' in proto ? 1 : 0, hiddenAt,
    );
    return str(nav.type);
  });
}

/** `performance.now()`; NaN without a page. */
export function now() {
  return attempt(() => performance.now(), NaN);
}

/** `performance.interactionCount`; NaN where the browser has none. */
export function interactionCount() {
  return attempt(() => +performance.interactionCount, NaN);
}

// ---- requests -------------------------------------------------------------------------------

/** POSTs `body` (copied: the module's memory may move) as JSON with its idempotency key,
 *  ended after `timeoutMs` (0: never). The answer wakes `token`, exactly once, with the
 *  status (-1 when there was none) and the Retry-After header. Returns whether a request
 *  started. */
export function post(url, body, key, keepalive, timeoutMs, token) {
  const init = {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: body.slice(),
    keepalive,
  };
  let controller;
  try {
    if (timeoutMs > 0) {
      controller = new AbortController();
      init.signal = controller.signal;
    }
  } catch (_) {
    /* no AbortController: the timeout below still ends the attempt, without cancelling it */
  }
  let abort;
  let done = false;
  const settled = (status, retryAfter) => {
    if (done) return; // once: the answer or the timeout, whichever came first
    done = true;
    clearTimeout(abort);
    tell(token, () => [status, retryAfter]);
  };
  try {
    fetch(url, init).then(
      (r) => {
        // A wrapped or mocked fetch may resolve with anything: what is not a response with a
        // status reads as no answer, and the module hears of it all the same.
        let status = -1;
        let after;
        try {
          if (typeof r.status === 'number') status = r.status;
          after = r.headers.get('Retry-After') ?? undefined;
        } catch (_) {
          /* no headers to read */
        }
        settled(status, after);
      },
      () => settled(-1),
    );
  } catch (_) {
    return false;
  }
  // The timeout ends the attempt by itself, as no answer: a fetch that ignores its signal and
  // never settles (a page's own wrapper can) must not hold the stream, nor flush() waiters,
  // forever. Whatever its promise does later is ignored.
  if (timeoutMs > 0) {
    abort = setTimeout(() => {
      attempt(() => controller.abort());
      settled(-1);
    }, timeoutMs);
  }
  return true;
}

/** Queues `body` with `navigator.sendBeacon`; whether the browser took it. */
export function beacon(url, body) {
  try {
    return navigator.sendBeacon(url, new Blob([body.slice()], { type: 'application/json' }));
  } catch (_) {
    return false;
  }
}

/** `navigator.onLine`, true where unknown. */
export function online() {
  return attempt(() => navigator.onLine !== false, true);
}

// ---- flush() promises -----------------------------------------------------------------------

const waiting = new Map();

const made = new Map();

/** Makes the promise of one `flush()`, which resolves once `resolve(a)` and `resolve(b)` have
 *  both been called; the caller takes it with `settled(a)`. */
export function promise(a, b) {
  const one = (id) => new Promise((r) => waiting.set(id, r));
  made.set(a, Promise.all([one(a), one(b)]).then(() => undefined));
}

/** The promise `promise(id, …)` made (taken, so that it is not kept); a settled one if none. */
export function settled(id) {
  const p = made.get(id) || Promise.resolve();
  made.delete(id);
  return p;
}

export function resolve(id) {
  const r = waiting.get(id);
  waiting.delete(id);
  if (r) r();
}

// ---- localStorage ---------------------------------------------------------------------------

/** Our keys (those starting with `prefix`), joined by NUL; `undefined` without storage. */
export function storeKeys(prefix) {
  try {
    const s = localStorage; // throws where it is blocked (a sandboxed frame, some privacy settings)
    const keys = [];
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      if (k !== null && k.startsWith(prefix)) keys.push(k);
    }
    return keys.join('\0');
  } catch (_) {
    return undefined;
  }
}

export function storeGet(key) {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch (_) {
    return undefined;
  }
}

/** Whether `value` (UTF-8 bytes) was written (the quota may refuse it). */
export function storeSet(key, value) {
  try {
    localStorage.setItem(key, new TextDecoder().decode(value));
    return true;
  } catch (_) {
    return false;
  }
}

export function storeRemove(key) {
  try {
    localStorage.removeItem(key);
  } catch (_) {
    /* nothing to remove */
  }
}

// ---- configure() ----------------------------------------------------------------------------

const TYPES = { s: 'string', n: 'number', b: 'boolean' };
let offered;

/** The object of a `configure()` call, which the module's `configure` reads next. */
export function offer(o) {
  offered = o;
}

/** Looks up each of `names` (NUL-separated) in the object offered (and forgets it), expecting
 *  the type `types[i]` (s, n, b). Stages one number per option (numbers as they are, booleans
 *  as 0/1, NaN otherwise) and returns, NUL-separated, a string option's value and "" for the
 *  others, or U+0001 when the option is absent (undefined, null, a throwing getter) and U+0002
 *  when it has another type. `undefined` when what was offered is not an object. */
export function readOptions(names, types) {
  const o = offered;
  offered = undefined;
  if (typeof o !== 'object' || o === null) return undefined;
  // Staged once every getter has run: one that calls configure() itself stages and takes its
  // own numbers in between.
  const got = [];
  const states = names
    .split('\0')
    .slice(0, types.length)
    .map((name, i) => {
      const v = get(o, name); // a throwing getter: absent
      const ok = typeof v === TYPES[types[i]];
      got.push(ok && typeof v !== 'string' ? +v : NaN);
      if (v === undefined || v === null) return ABSENT;
      if (!ok) return MISTYPED;
      return typeof v === 'string' ? field(v) : '';
    })
    .join('\0');
  numbers = numbers.concat(got);
  return states;
}

// ---- odds and ends --------------------------------------------------------------------------

/** The wall clock, epoch milliseconds: every timestamp the module writes. (Here rather than
 *  through js-sys, whose imports cost the module more.) */
export function dateNow() {
  return Date.now();
}

/** `Math.random()`: the fallback of `randomBytes`, and the jitter of retries. */
export function random() {
  return Math.random();
}

/** Fills `bytes` from `crypto.getRandomValues`; false where there is none. */
export function randomBytes(bytes) {
  try {
    crypto.getRandomValues(bytes);
    return true;
  } catch (_) {
    return false;
  }
}

/** Epoch ms of a date as `Date.parse` reads it (an HTTP-date among others); NaN if it cannot. */
export function dateMs(text) {
  return Date.parse(text);
}

/** A number as the engine prints it. */
export function numberText(v) {
  return String(v);
}

/** The keys of the warnings printed so far (a few dozen at most: the module's texts are
 *  fixed, but for the name of a mistyped option, and index.js's keys are short names). */
const warned = new Set();

/** A warning, printed the first time its key comes up. The module's are keyed by their text;
 *  index.js's (it warns through this one, `core.__pageWarn`) by a short name, which no text of
 *  the module's is. */
export function warn(key, message = key) {
  if (warned.has(key)) return;
  warned.add(key);
  try {
    console.warn('[@recoloca/telemetry] ' + message);
  } catch (_) {
    /* a console that throws (a test helper failing on warnings) is not ours to report */
  }
}

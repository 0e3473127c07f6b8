// @recoloca/telemetry: the JavaScript face of the WebAssembly client.
//
// This file only normalizes arguments, queues calls made before the module has loaded (or
// while it is busy), and stages metric events so that they cross into WebAssembly in bulk.
// Buffering, batching, encoding and delivery all happen in the module (src/ in the
// repository), loaded with wasm-bindgen's own loader. Error capture and page timings are a
// second module (watch.js, src/watch/ in the repository), loaded once the first is ready; what
// it reports comes back here and goes into the first like the page's own calls.
//
// Nothing exported here throws: every entry point catches, warns once, and carries on. Should
// the module ever trap (a bug: it is built never to), the trap is caught here like any error,
// said once, counted, and the module is not called again.

import init, * as core from './core.js';

// WASM_FILE: the module this entry loads, beside it (`core_bg.wasm`, or `slim_bg.wasm` for
// the slim entry). `make pkg` builds this file once per entry and defines it as a string, which
// leaves `new URL('…_bg.wasm', import.meta.url)` literally in the output, where bundlers look.
/* global WASM_FILE */
// WATCH: whether this entry has the second module (the slim entry has not).
/* global WATCH */
// OTLP: whether this entry is the OTLP one, whose module measures the page's own requests
// (`instrumentRequests`, the wrappers below); elsewhere that code is left out of the build.
/* global OTLP */

/** The log levels, by the number the module takes. */
const LEVELS = ['debug', 'info', 'warn', 'error'];
/** Calls kept while the module loads; beyond this many the oldest are dropped. */
const MAX_EARLY_CALLS = 10000;
/** Longest metric name sent; collectors refuse longer ones (and with them a whole batch). */
const MAX_NAME = 200;
/** Characters of message, context and stack beyond which a log entry cannot fit 64 KiB. */
const MAX_EVENT_CHARS = 65536;
/** Longest labels JSON accepted: an event carries it whole and must stay far below 64 KiB. */
const MAX_LABELS_JSON = 16384;
/** What addSeries answers when the module is busy; never a series id. */
const BUSY = 0xffffffff;
/** Series ids remembered before starting over (the module keeps the same bound). */
const RESET_FLAG = 0x80000000;
/** Metric events staged before they cross into the module in one call. */
const STAGING_EVENTS = 512;
/** Errors of the page kept from this file's start until the second module listens. */
const MAX_EARLY_ERRORS = 100;

const warned = new Set();

/** Says `message` once per `key` (the message itself, unless it has changing parts), with the
 *  package's prefix. */
function warnOnce(key, message = key) {
  if (warned.has(key)) return;
  warned.add(key);
  try {
    console.warn('[@recoloca/telemetry] ' + message);
  } catch (_) {
    /* a console that throws (a test helper failing on warnings) is not ours to report */
  }
}

// ---- argument normalization -----------------------------------------------------------------

/** `String(v)` that survives Symbols and objects whose toString throws. */
function toText(v, fallback = '') {
  if (typeof v === 'string') return v;
  try {
    return String(v);
  } catch (_) {
    return fallback;
  }
}

/** A number for a metric value: numbers as they are, anything else as `Number()` converts it
 *  (BigInts too), except null (not 0 but NaN); NaN where that throws (a Symbol). */
function toNumber(v) {
  if (typeof v === 'number') return v; // the usual case, on every recordMetric
  try {
    return v === null ? NaN : Number(v);
  } catch (_) {
    return NaN;
  }
}

/** JSON text of a context or labels object, as JSON.stringify gives it; `undefined` when there
 *  is nothing to send. Values it cannot encode are made encodable, with one warning. */
function toJson(value, what) {
  if (value === undefined || value === null) return undefined;
  try {
    return JSON.stringify(value);
  } catch (_) {
    warnOnce('json-' + what, what + ' held a value JSON cannot encode (BigInt or a cycle); it was coerced');
    // What JSON.stringify refuses made encodable: BigInts become strings, repeated or circular
    // objects "[Circular]".
    const seen = new WeakSet();
    try {
      return JSON.stringify(value, (key, v) => {
        if (typeof v === 'bigint') return v.toString();
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[Circular]';
          seen.add(v);
        }
        return v;
      });
    } catch (_) {
      warnOnce('json2-' + what, what + ' could not be encoded and was left out');
      return undefined;
    }
  }
}

/** `[name, message]` of anything thrown or passed as an error, and its stack if it has one. */
function errorParts(e) {
  if (e === undefined || e === null) return null;
  const parts = ['Error', ''];
  try {
    // A primitive has none of these properties, and is its own message.
    if (typeof e.name === 'string' && e.name) parts[0] = e.name;
    parts[1] = typeof e.message === 'string' ? e.message : toText(e);
    if (typeof e.stack === 'string') parts.push(e.stack);
  } catch (_) {
    /* a throwing getter: keep what we have */
  }
  return parts;
}

// ---- the module and the calls made before it loaded -----------------------------------------

const inBrowser = typeof window !== 'undefined' && typeof WebAssembly === 'object';

// One client per page. A second copy of the package (the other entry, or a second bundle of
// it) is a second client, with its own options, buffers and timers: said once, in a browser.
const LOADED = Symbol.for('@recoloca/telemetry');
if (inBrowser) {
  if (globalThis[LOADED]) warnOnce('loaded twice: two separate clients');
  globalThis[LOADED] = true;
}
let exports_ = null; // the raw WebAssembly exports once loaded (for `memory`)
// Calls go straight into the module once it has loaded, and unless an app's `beforeSend` is
// waiting for the code that shows it events (review.js, loaded the first time one is set).
let loaded = false;
const early = []; // [what to do, ...its arguments] of calls made before `ready`
let earlyDropped = 0;

/** Keeps the call `f(...args)` for when the client opens (in a browser: elsewhere it never
 *  does). Callers check `loaded` first, so that a call after that makes no array. */
function keepEarly(f, ...args) {
  if (!inBrowser) return;
  if (early.length >= MAX_EARLY_CALLS) {
    early.shift();
    earlyDropped++;
    warnOnce('too many calls while the client was not ready; the oldest are dropped');
  }
  early.push([f, ...args]);
}

let echo = false; // environment === 'development': log entries go to the console too
let redact; // the app's patterns for captured errors (`redact`)

let traps = 0;
let dead = false; // the main module trapped

/** Calls into the module: `f()`, or `fallback` once it has trapped. A trap (a
 *  `WebAssembly.RuntimeError`) leaves the module unusable for the rest of the page's life: it
 *  is said once, counted, and the module is not called again, so that no call of the page
 *  throws. Anything else thrown is passed on, to the entry point's own catch. */
function call(f, fallback) {
  if (dead) return fallback;
  try {
    return f();
  } catch (err) {
    if (!(err instanceof WebAssembly.RuntimeError)) throw err;
    trapped(err);
    return fallback;
  }
}

function trapped(err) {
  traps++;
  dead = true;
  earlyErrors = null; // (and what the second module reports is not taken: see reportMetric)
  warnOnce('trap', 'the WebAssembly module failed (' + toText(err) + '); telemetry is off for this page');
}

// The module's own callbacks (its timer, listeners and observers, and the answers of its
// requests) can trap too, with no call of ours around them: the browser would report that as
// an uncaught error, or an unhandled rejection, of the page. It is this package's failure, not
// the page's, so it is counted and said like a trap in a call, and kept from the page's error
// reports (and from the module's own, dead, error capture). Ours is a trap whose stack names
// our module (Chromium and Firefox name a wasm frame by its URL) or this file, which bundles
// the glue that calls into it (WebKit names only JavaScript frames); the second module's
// likewise, by the URLs it gives.
//
// The same listener keeps the page's own errors from this file's start until the second
// module listens, which reports them then (errors thrown while the page loads are the ones
// most worth having).
let earlyErrors = WATCH ? [] : null;
let watchSources = [];
if (inBrowser && typeof addEventListener === 'function') {
  const sources = [new URL(WASM_FILE, import.meta.url).href, import.meta.url];
  const named = (err, urls) => urls.some((s) => String(err.stack).includes(s));
  const keep = (err, event) => {
    if (!(err instanceof WebAssembly.RuntimeError) || !(named(err, watchSources) || named(err, sources))) {
      // (Until the second module listens, or the options say it never will: see syncWatch.)
      if (earlyErrors?.length < MAX_EARLY_ERRORS) earlyErrors.push(event);
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (WATCH && named(err, watchSources)) watchTrapped(err);
    else trapped(err);
  };
  addEventListener('error', (event) => keep(event.error, event), true);
  addEventListener('unhandledrejection', (event) => keep(event.reason, event), true);
}

/** Resolves with `true` once the module is loaded and every earlier call has been replayed, or
 *  with `false` (after one warning) if it could not load. Never rejects. */
export const ready = inBrowser
  ? init({ module_or_path: new URL(WASM_FILE, import.meta.url) })
      .then((raw) => {
        // The module runs `drain` before it hears of anything from the page (an event, an
        // answer, a timer), so that it sees every call in the order it was made: metrics
        // recorded just before an uncaught error arrive ahead of its report, and page exit
        // seals everything recorded before it.
        core.start(fromModule);
        exports_ = raw; // (only once started: `open` needs both)
        return reviewLoading;
      })
      .then(() => {
        open();
        return true;
      })
      .catch((err) => {
        earlyErrors = null;
        warnOnce('load', 'the WebAssembly module did not load; telemetry is off: ' + toText(err, 'unknown error'));
        return false;
      })
  : Promise.resolve(false);

/** Lets calls into the module, once it has loaded and review.js, once asked for, has loaded
 *  or failed to; and makes the calls that waited, in order. */
function open() {
  if (loaded || !exports_ || (reviewLoading && !review)) return;
  loaded = true;
  // The calls that waited, made now (the session first: whether it is in
  // `sessionSampleRate`'s sample is decided by its id), then the loss made visible: the calls
  // the waiting queue could not keep. One that fails is reported, and the rest still run.
  for (const [f, ...args] of [[syncIdentity], ...early.splice(0), [countEarlyDrops], [syncWatch]]) {
    try {
      f(...args);
    } catch (err) {
      warnOnce('replay', 'a queued call failed: ' + toText(err));
    }
  }
}

function countEarlyDrops() {
  if (earlyDropped > 0) countDropped('early', 'buffer_full_events', earlyDropped);
  earlyDropped = 0;
}

/** Counts `n` events the client lost before they reached the module. */
function countDropped(stream, reason, n) {
  stage(seriesId('telemetry_events_dropped_total', { stream, reason }), n, Date.now());
}

// ---- the OTLP entry: the page's own requests, measured ---------------------------------------
//
// `instrumentRequests` wraps the page's `fetch` and `XMLHttpRequest` once. A wrapper only tells
// the module that a request starts (it answers with the `traceparent` to add, if any) and how
// it ended; what that means (labels, spans, which origins get the header) is the module's
// (src/core/src/requests.rs). The page's call behaves exactly as without us: same arguments
// and `this`, the same promise (its result and errors untouched), no body read, and whatever
// fails in our part is swallowed. The client's own deliveries (marked `recolocaTelemetry` by
// src/transport.rs) pass straight through.

let requestsWrapped = false;

/** Wraps `fetch` and `XMLHttpRequest`, once. */
function wrapRequests() {
  if (!OTLP || requestsWrapped || !inBrowser) return;
  requestsWrapped = true;
  wrapFetch();
  wrapXhr();
}

/** `[id, traceparent]` for a request to `url` (relative to the page), or undefined. */
function startRequest(url, method, existing) {
  try {
    const absolute = new URL(url, location.href).href;
    return call(() => core.requestStart(absolute, String(method || 'GET'), existing ?? undefined), undefined);
  } catch (_) {
    return undefined;
  }
}

function endRequest(started, status) {
  try {
    if (started) call(() => core.requestEnd(started[0], status), false);
  } catch (_) {
    // (never the page's problem)
  }
}

function wrapFetch() {
  const original = globalThis.fetch;
  if (typeof original !== 'function') return;
  globalThis.fetch = function fetch(input, init) {
    let started;
    let args = arguments;
    try {
      if (!(init && init.recolocaTelemetry === true)) {
        const isRequest = typeof Request === 'function' && input instanceof Request;
        const given = init && init.headers;
        // The headers are copied only when some are given (and read only for a traceparent of
        // the app's own): most calls pass none, and a copy per request is most of our cost.
        const headers = given ? new Headers(given) : isRequest ? input.headers : undefined;
        started = startRequest(isRequest ? input.url : String(input), (init && init.method) || (isRequest ? input.method : 'GET'), headers && headers.get('traceparent'));
        const header = started && started[1];
        if (header && isRequest && !given) {
          input.headers.set('traceparent', header); // the Request's own headers: its body untouched
        } else if (header) {
          args = [input, { ...init, headers: given ? headers : { traceparent: header } }];
          if (given) headers.set('traceparent', header);
        }
      }
    } catch (_) {
      args = arguments;
    }
    const result = original.apply(this, args);
    if (started) {
      Promise.resolve(result).then(
        (response) => endRequest(started, (response && response.status) | 0),
        () => endRequest(started, 0),
      );
    }
    return result;
  };
}

function wrapXhr() {
  const X = globalThis.XMLHttpRequest;
  if (typeof X !== 'function') return;
  const proto = X.prototype;
  const { open, send, setRequestHeader } = proto;
  const requests = new WeakMap();
  proto.open = function (method, url) {
    try {
      let r = requests.get(this);
      if (!r) {
        // Listening from `open` on (not `send`): ahead of the handlers the page adds later,
        // so that the request's end is counted before the page's own code reacts to it.
        r = {};
        requests.set(this, r);
        this.addEventListener('loadend', () => r.end && r.end());
      }
      Object.assign(r, { method: String(method), url: String(url), traceparent: undefined, end: undefined });
    } catch (_) {
      // (never the page's problem)
    }
    return open.apply(this, arguments);
  };
  proto.setRequestHeader = function (name, value) {
    try {
      const r = requests.get(this);
      if (r && String(name).toLowerCase() === 'traceparent') r.traceparent = String(value);
    } catch (_) {
      // (never the page's problem)
    }
    return setRequestHeader.apply(this, arguments);
  };
  proto.send = function () {
    const r = requests.get(this);
    try {
      const started = r && startRequest(r.url, r.method, r.traceparent);
      if (started) {
        if (started[1]) setRequestHeader.call(this, 'traceparent', started[1]);
        r.end = () => {
          r.end = undefined;
          endRequest(started, this.status | 0);
        };
      }
    } catch (_) {
      // (never the page's problem)
    }
    try {
      return send.apply(this, arguments);
    } finally {
      // A synchronous request is over when `send` returns (or throws).
      if (r && r.end && this.readyState === 4) r.end();
    }
  };
}

// ---- staging: metric events cross into the module in bulk -----------------------------------

const staging = new Float64Array(STAGING_EVENTS * 3);
let staged = 0;
let draining = false;
let drainQueued = false;
const seriesIds = new Map();

/** Hands every staged event to the module, in one call. Called before any other call into it,
 *  and by the module before it hears of anything from the page, so that it sees calls in the
 *  order they were made. */
function drain() {
  if (staged === 0 || draining) return;
  const n = staged;
  let took = false;
  draining = true;
  try {
    took = call(() => core.ingest(staging.subarray(0, n * 3)), true);
  } finally {
    draining = false;
  }
  if (!took) return; // the module was busy: next time
  // Events staged while it ingested (from a page callback it triggered) move to the front.
  if (staged > n) staging.copyWithin(0, n * 3, staged * 3);
  staged -= n;
}

/** What the module tells this file: before it hears of anything from the page, `false`, or
 *  `true` before a hide (the second module's page timings are final then, and recorded); or a
 *  warning, which is said here like this file's own, once, with the package's name. */
function fromModule(what) {
  if (typeof what === 'string') return warnOnce(what);
  if (what === true) {
    // A hide while the second module is still loading: its timings follow once it has
    // loaded (with the next batch, since this hide's have gone).
    if (watch) toWatch((w) => w.hidden());
    else hiddenWhileLoading = true;
    // What `beforeSend` dropped, counted now rather than at the next tick: this hide's
    // batches are sealed before that.
    review?.report?.();
  }
  drainTask();
}

function drainTask() {
  drainQueued = false;
  try {
    drain();
  } catch (err) {
    warnOnce('drain', 'delivering staged metrics failed: ' + toText(err));
  }
}

/** Labels as the wire format has them: an object of strings. Numbers, booleans and BigInts
 *  become their text, objects their JSON; undefined, functions and symbols are left out (as
 *  JSON.stringify would), so that one odd label cannot make a collector refuse a whole batch. */
function stringLabels(labels) {
  const out = {};
  for (const k of Object.keys(labels)) {
    const v = labels[k];
    const type = typeof v;
    if (type === 'string') out[k] = v;
    else if (type === 'number' || type === 'boolean' || type === 'bigint') out[k] = String(v);
    else if (type === 'object' && v !== null) out[k] = toJson(v, 'labels') ?? '';
  }
  warnOnce('label values must be strings; others were converted or left out');
  return out;
}

/** The series id of a metric name with a label set, named to the module the first time. */
function seriesId(name, labels) {
  if (labels === null || (labels !== undefined && typeof labels !== 'object')) {
    if (labels !== null) warnOnce('labels must be an object; they were left out');
    labels = undefined;
  }
  let key = name;
  if (labels !== undefined) {
    if (Array.isArray(labels) || typeof labels.toJSON === 'function') {
      labels = stringLabels(labels); // not a plain record: send it as one
    }
    key += '\u0003'; // `{}` is sent as "labels":{}, unlike no labels at all
    for (const k in labels) {
      const v = labels[k];
      if (typeof v !== 'string') {
        // Rare: normalize, and key the series by what will be sent.
        labels = stringLabels(labels);
        key = name + '\u0002' + JSON.stringify(labels);
        break;
      }
      key += '\u0000' + k + '\u0001' + v;
    }
  }
  const id = seriesIds.get(key);
  return id !== undefined ? id : addSeries(key, name, toJson(labels, 'labels'));
}

/** Names a new series to the module: `key` is what this file knows it by. */
function addSeries(key, name, labelsJson) {
  drain();
  if (labelsJson?.length > MAX_LABELS_JSON) {
    warnOnce('a metric whose labels are over ' + MAX_LABELS_JSON + ' characters was dropped');
    return -1;
  }
  let id = call(() => core.addSeries(name, labelsJson), BUSY);
  if (id === BUSY) return -1; // the module is inside one of its own calls: drop, do not cache
  if (id & RESET_FLAG) {
    seriesIds.clear();
    id &= ~RESET_FLAG;
  }
  seriesIds.set(key, id);
  return id;
}

/** Stages a metric event of the page (or of the second module), shown first to `hook`: the
 *  `beforeSend` set when the call was made, or else the one set now (a call made before the
 *  app set its hook is shown to it too). */
function stageMetric(name, value, labels, ts, hook) {
  hook ??= beforeSend;
  if (hook) {
    const e = review?.metric?.(hook, toText(name), toNumber(value), labels, ts);
    // (`undefined` when review.js could not load: dropped, and counted here.)
    if (!e) return e === undefined && countDropped('metrics', 'before_send', 1);
    [name, value, labels, ts] = e;
  }
  name = toText(name);
  if (!name || name.length > MAX_NAME) {
    warnOnce('a metric without a name, or with a name over ' + MAX_NAME + ' characters, was dropped');
    return;
  }
  stage(seriesId(name, labels), value, ts);
}

/** Stages one event of series `id` (none for a negative id). */
function stage(id, value, ts) {
  if (id < 0) return;
  if (staged === STAGING_EVENTS) {
    drain();
    if (staged === STAGING_EVENTS) {
      warnOnce('a metric recorded from inside the module\'s own call was dropped');
      return;
    }
  }
  const i = staged * 3;
  staging[i] = id;
  staging[i + 1] = toNumber(value);
  staging[i + 2] = ts;
  staged++;
  if (!drainQueued) {
    drainQueued = true;
    queueMicrotask(drainTask);
  }
}

// ---- logs -------------------------------------------------------------------------------------

let lastUser;
let lastSession;

function storageGet(kind, key) {
  try {
    return window[kind].getItem(key);
  } catch (_) {
    return null; // storage disabled (sandboxed frames, some privacy modes)
  }
}

/** The seed's user and session: `localStorage.user_id`, and `sessionStorage.session_id`
 *  (created on first use). Read at every entry, as the seed does; the module hears of it only
 *  when it changed. */
function syncIdentity() {
  const user = storageGet('localStorage', 'user_id') || undefined;
  let session = storageGet('sessionStorage', 'session_id');
  if (!session) {
    // As the seed: a new id when the tab has none (its storage was cleared, or it is new).
    // (Or the id this page kept in memory while it had no consent to write one.)
    let fresh = heldSession;
    try {
      fresh ||= crypto.randomUUID();
    } catch (_) {
      fresh = uuidV4(); // not a secure context: no randomUUID
    }
    try {
      if (!consented) throw 0; // without consent nothing is written
      window.sessionStorage.setItem('session_id', fresh);
      session = fresh;
      heldSession = undefined;
    } catch (_) {
      // No storage at all, or no consent: one id for this page's life (meanwhile).
      session = heldSession = lastSession || fresh;
    }
  }
  if (user !== lastUser || session !== lastSession) {
    lastUser = user;
    lastSession = session;
    whenFree(() => core.setIdentity(user, session));
  }
}

/** A version 4 UUID from `crypto.getRandomValues` (which, unlike `randomUUID`, works outside
 *  secure contexts), or `Math.random` where there is no crypto at all. */
function uuidV4() {
  const b = new Uint8Array(16);
  try {
    crypto.getRandomValues(b);
  } catch (_) {
    for (let i = 0; i < 16; i++) b[i] = Math.random() * 256;
  }
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  // 32 hex digits (each byte as 256 + it, its leading 1 cut), then the dashes after 8-4-4-4.
  let h = '';
  for (const x of b) h += (x + 256).toString(16).slice(1);
  return h.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}

/** The wire format's context is an object; anything else is kept under `value`. */
function contextObject(context) {
  if (context === undefined || context === null) return undefined;
  if (typeof context === 'object' && !Array.isArray(context)) return context;
  if (typeof context === 'function' || typeof context === 'symbol') return undefined;
  warnOnce('a log context must be an object; it was wrapped as { value }');
  return { value: typeof context === 'bigint' ? String(context) : context };
}

/** Sends a log entry, shown first to `hook` as `stageMetric` shows a metric event (`false`
 *  once it has been). */
function sendLog(level, message, context, error, ts, hook) {
  hook ??= beforeSend;
  drain();
  syncIdentity();
  const err = level === 3 ? errorParts(error) : null;
  let contextJson = toJson(contextObject(context), 'context');
  // An object with toJSON (a URL, a Date) can still encode as something else than an object.
  if (contextJson !== undefined && contextJson[0] !== '{') contextJson = '{"value":' + contextJson + '}';
  const text = toText(message);
  if (hook) {
    // The app's hook sees the entry as it would be sent; what it answers is checked again.
    const e = review?.log?.(hook, level, text, contextJson, err, ts, lastUser, lastSession, settings);
    return e ? sendLog(...e, false) : e === undefined && countDropped('logs', 'before_send', 1);
  }
  // The message, the context, and the error's message and stack: so far over the 64 KiB an
  // event may have, the entry is dropped (and counted) before it is even copied. (Lengths
  // added, not the texts joined: joining texts too long for one string would throw, and the
  // drop would go uncounted.)
  let size = text.length + (contextJson ? contextJson.length : 0);
  for (const part of err ? err.slice(1) : []) size += part.length;
  if (size > MAX_EVENT_CHARS) {
    warnOnce('a log entry over 64 KiB was dropped');
    whenFree(() => core.logTooLarge());
    return;
  }
  whenFree(() => core.log(level, text, contextJson, err ?? undefined, ts, new Date(ts).toISOString()));
}

// ---- the second module: error capture and page timings -------------------------------------

let watch = null; // its exports, once loaded and told where to report
let watchLoading = null; // the promise of its loading, once begun (true when it listens)
let watchDead = false; // it trapped: nothing it reports is taken any more
let hiddenWhileLoading = false; // the page was hidden while it loaded

/** Tells the second module what the options say now; loads it the first time one of its
 *  features is on. */
function syncWatch() {
  if (!WATCH) return;
  let wants = call(() => core.features(), 0);
  if (OTLP) {
    if (wants & 4) wrapRequests();
    wants &= 3; // the second module's features only
  }
  if (watch) {
    toWatch((w) => w.setFeatures((wants & 1) !== 0, (wants & 2) !== 0, redact));
    return;
  }
  // Errors kept from before it listens are only wanted while error capture is on.
  if (!(wants & 1)) earlyErrors = null;
  if (wants === 0 || watchLoading || dead) return;
  watchLoading = import('./watch.js')
    .then((w) => w.default().then(() => w))
    .then((w) => {
      watchSources = w.sources;
      watch = w;
      toWatch((w) => w.watch(reportMetric, reportLog));
      syncWatch();
      const kept = earlyErrors ?? [];
      earlyErrors = null;
      for (const event of kept) toWatch((w) => w.replay(event));
      if (hiddenWhileLoading) {
        hiddenWhileLoading = false;
        fromModule(true);
      }
      return watch !== null;
    })
    .catch((err) => {
      earlyErrors = null;
      warnOnce('watch', 'error capture and page timings did not load: ' + toText(err, 'unknown error'));
      return false;
    });
}

/** Calls the second module, if it is there. A trap turns it off for the page (the client
 *  goes on without it); anything else thrown is said once. */
function toWatch(f) {
  if (!WATCH || !watch) return;
  try {
    f(watch);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) watchTrapped(err);
    else warnOnce('watch-call', 'error capture or page timings failed: ' + toText(err));
  }
}

function watchTrapped(err) {
  traps++;
  watch = null;
  watchDead = true;
  warnOnce('watch-trap', 'the error capture and page timings module failed (' + toText(err) + '); they are off for this page');
}

// What the second module reports is recorded as the page's own calls are (and shown to
// `beforeSend` like them); neither is taken once either module has trapped (a trapped module's
// listeners may still run).

/** A metric event of the second module, its labels as JSON text. */
function reportMetric(name, value, labelsJson) {
  if (!dead && !watchDead) recordMetric(name, value, labelsJson && JSON.parse(labelsJson));
}

/** A log entry of the second module (a captured error), `parts` its error's name, message
 *  and stack: as `logger.*` makes one. */
function reportLog(level, message, contextJson, parts) {
  if (dead || watchDead) return;
  const error = parts && { name: parts[0], message: parts[1], stack: parts[2] };
  const args = [level, message, contextJson && JSON.parse(contextJson), error, Date.now()];
  if (loaded) sendLog(...args);
  else keepEarly(sendLog, ...args, beforeSend);
}

// ---- the public API ---------------------------------------------------------------------------

/** Tries of a call the module could not take because it was inside one of its own calls (a
 *  page's `fetch` wrapper that logs, say): it is applied once that call is over, in order. */
const BUSY_RETRIES = 3;
const later = [];

/** Runs `f` (a call into the module that answers `false` when busy) now, or after the calls
 *  already waiting; one still refused after `BUSY_RETRIES` tries is said once and dropped. */
function whenFree(f) {
  if (later.length === 0 && call(f, true)) return;
  later.push([f, BUSY_RETRIES]);
  if (later.length === 1) queueMicrotask(retryLater);
}

function retryLater() {
  while (later.length > 0) {
    const next = later[0];
    let done = true;
    try {
      done = call(next[0], true);
    } catch (err) {
      warnOnce('busy-throw', 'a call failed: ' + toText(err));
    }
    if (!done && --next[1] > 0) {
      queueMicrotask(retryLater);
      return;
    }
    if (!done) warnOnce('a call could not be applied: the client stayed busy');
    later.shift();
  }
}

function applyConfig(options) {
  drain();
  whenFree(() => {
    const done = core.configure(options);
    if (done) syncWatch();
    return done;
  });
}

/** Changes options (see the README); those not named keep their value. */
export function configure(options) {
  try {
    if (options === null || typeof options !== 'object') {
      warnOnce('configure() takes an object; ignored');
      return;
    }
    if ('environment' in options) echo = options.environment === 'development';
    if ('redact' in options) redact = options.redact; // the second module's: see syncWatch
    if ('beforeSend' in options) setBeforeSend(options.beforeSend);
    Object.assign(settings, options); // (service and version, for the entries beforeSend sees)
    if (!WATCH && (options.captureErrors === true || options.observePerformance === true)) {
      warnOnce('captureErrors and observePerformance are not in the slim entry');
    }
    if ('trackingConsent' in options && !CONSENTS.includes(options.trackingConsent)) {
      warnOnce("trackingConsent must be 'granted', 'pending' or 'not-granted'; it was ignored");
      options = { ...options, trackingConsent: undefined };
    } else if ('trackingConsent' in options) {
      consented = options.trackingConsent === 'granted';
      // Granted: the session id kept in memory is written now, not at the next log entry.
      if (consented && loaded) syncIdentity();
    }
    // A call kept until the module has loaded keeps a copy: the options as they are now.
    if (loaded) applyConfig(options);
    else keepEarly(applyConfig, { ...options });
  } catch (err) {
    warnOnce('configure-throw', 'configure() failed: ' + toText(err));
  }
}

const CONSENTS = ['granted', 'pending', 'not-granted'];
let consented = true; // trackingConsent is 'granted' (the session id may be stored)
let heldSession; // the session id kept in memory only, for want of consent or storage

/** The visitor's answer to the consent banner, at any time (`trackingConsent`). */
export function setTrackingConsent(value) {
  configure({ trackingConsent: value });
}

// ---- beforeSend: the app's last look at each event -------------------------------------------

let beforeSend = null; // the app's hook, while one is set
let review = null; // review.js's review of this client, once loaded ({} if it could not load)
let reviewLoading = null; // its loading, once begun; never rejects
const settings = {}; // the options given so far

function setBeforeSend(hook) {
  beforeSend = typeof hook === 'function' ? hook : null;
  if (hook != null && !beforeSend) warnOnce('beforeSend must be a function');
  if (!beforeSend || review?.metric || !inBrowser) return;
  // Until review.js is here, calls wait as they do before `ready`, in order, each with the
  // hook set when it was made: none leaves unreviewed. Should it fail to load, events are
  // dropped (and counted) while a hook is set, and the next hook set asks again.
  loaded = false;
  review = null;
  reviewLoading ||= import('./review.js')
    .then((r) => {
      review = r.create(warnOnce, (stream, n) => countDropped(stream, 'before_send', n), stringLabels);
    })
    .catch((err) => {
      review = {};
      reviewLoading = null;
      warnOnce('beforeSend did not load; events are dropped while it is set: ' + toText(err));
    })
    .then(open);
}

/** Sends everything buffered now. The promise resolves when the requests have settled; it
 *  never rejects. */
export function flush() {
  if (!loaded) return inBrowser ? ready.then(() => reviewLoading).then(() => (loaded ? flush() : undefined)) : Promise.resolve();
  // Resolved by the module once it has sent everything (or stopped at a failure to retry
  // later); at once when it could not take the call, or anything failed.
  return new Promise((resolve) => {
    try {
      toWatch((w) => w.report());
      drain();
      if (!call(() => core.flush(resolve), false)) resolve();
    } catch (err) {
      warnOnce('flush', 'flush() failed: ' + toText(err));
      resolve();
    }
  });
}

/** What the client holds (`[metrics events, metrics bytes, logs events, logs bytes]`) and the
 *  module's memory in bytes, for the package's own tests and benchmark: the package ships as
 *  one file, so they cannot load the glue beside it. Not part of the API (index.d.ts leaves
 *  it out). */
export const __internals = {
  held: () => guarded(() => [0, 1, 2, 3].map(core.held), []),
  traps: () => traps,
  /** Resolves once the second module has loaded (`true`), failed to (`false`), or was never
   *  needed (`false`). */
  watching: () => watchLoading ?? Promise.resolve(false),
  memoryBytes: () => guarded(() => exports_.memory.buffer.byteLength, 0),
};

/** `f()` once the module is loaded, else (or should it throw) `fallback`. */
function guarded(f, fallback) {
  try {
    return loaded ? f() : fallback;
  } catch (_) {
    return fallback;
  }
}

function recordMetric(name, value, labels) {
  try {
    const ts = Date.now();
    if (loaded) stageMetric(name, value, labels, ts);
    else keepEarly(stageMetric, name, value, labels, ts, beforeSend); // (the hook set now)
  } catch (err) {
    warnOnce('recordMetric', 'recordMetric() failed: ' + toText(err));
  }
}

/** A label as the seed has it: the value given as text, else (or if it has none) `fallback`. */
function labelOr(v, fallback) {
  return v ? toText(v, fallback) : fallback;
}

export const metricsCollector = {
  recordMetric,

  trackPageView(page, userId) {
    recordMetric('page_views_total', 1, {
      page: toText(page),
      user_id: labelOr(userId, 'anonymous'),
    });
  },

  trackUserAction(action, component, userId) {
    recordMetric('user_actions_total', 1, {
      action: toText(action),
      component: toText(component),
      user_id: labelOr(userId, 'anonymous'),
    });
  },

  trackApiCall(endpoint, method, status, duration) {
    const e = toText(endpoint);
    const m = toText(method);
    recordMetric('api_calls_total', 1, { endpoint: e, method: m, status: toText(status) });
    recordMetric('api_call_duration_ms', duration, { endpoint: e, method: m });
  },

  trackError(error, component, userId) {
    recordMetric('frontend_errors_total', 1, {
      error_type: errorParts(error)?.[0] ?? 'Error',
      component: labelOr(component, 'unknown'),
      user_id: labelOr(userId, 'anonymous'),
    });
  },
};

export const logger = {
  debug: (message, context) => safeLog(0, message, context),
  info: (message, context) => safeLog(1, message, context),
  warn: (message, context) => safeLog(2, message, context),
  error: (message, error, context) => safeLog(3, message, context, error),
};

function safeLog(level, message, context, error) {
  const levelName = LEVELS[level];
  try {
    const ts = Date.now();
    if (echo) {
      try {
        console[levelName](message, context, error);
      } catch (_) {
        /* a throwing console does not stop the entry */
      }
    }
    if (loaded) sendLog(level, message, context, error, ts);
    else keepEarly(sendLog, level, message, context, error, ts, beforeSend);
  } catch (err) {
    warnOnce('log', 'logger.' + levelName + '() failed: ' + toText(err));
  }
}

// @recoloca/telemetry: `beforeSend`, the app's last look at each event it records.
//
// index.js imports this file the first time an app sets a `beforeSend`, so that a page without
// one neither downloads nor runs any of it. The hook is shown a copy of each event in the
// seed's wire shape (its `MetricData` and `LogEntry`) and the kind, 'metric' or 'log'. What it
// answers goes back to index.js, which checks it as it checks the page's own calls:
//
// - an object: the event to record (the copy, changed or not, or a new object);
// - `false` or `null`: the event is dropped, and counted as
//   `telemetry_events_dropped_total{reason="before_send"}`;
// - `undefined` or `true`: the copy as the hook left it, so that a hook that edits the event in
//   place and returns nothing (as Datadog's does) is not ignored;
// - anything else (a promise: the hook must be synchronous): the same, said once;
// - a throw: the event as it was, not the copy it may have half changed, said once.
//
// Only what the app can also give the client is taken back: a metric's name, value, labels and
// timestamp, and a log entry's timestamp, level, message, context and error. A log entry's
// service, version, user and session are the page's (configure() and storage), shown only.
//
// An event the hook records itself (a `logger.warn` in it) is shown to it too, within the
// review of the one that led to it; one it records while shown its own is dropped and counted,
// so that a hook that logs every event cannot loop.

const KINDS = ['metric', 'log'];
const LEVELS = ['debug', 'info', 'warn', 'error'];
const STREAMS = ['metrics', 'logs'];

/** The review of one client (index.js's, with its `warnOnce(key, message)`, its
 *  `countDropped(stream, n)` and its `stringLabels(labels)`), state and all: two entries on
 *  one page share this file, not their counts. */
export function create(warn, countDropped, stringLabels) {
  let depth = 0; // hooks running: 1 while it is shown an event, 2 while shown its own
  let queued = false; // a count of the dropped events is on its way
  const dropped = [0, 0]; // metric events, log entries: dropped and not counted yet

  /** What the hook makes of `event` (`kind` 0 a metric event, 1 a log entry): the object to
   *  record, `null` to drop it, `undefined` to record it as it was. */
  function ask(hook, event, kind) {
    if (depth > 1) {
      warn('beforeSend-loop', 'events beforeSend recorded while shown its own were dropped');
      return drop(kind);
    }
    let out;
    try {
      depth++;
      out = hook(event, KINDS[kind]);
      if (out === undefined || out === true) return event;
      if (out === false || out === null) return drop(kind);
      if (typeof out === 'object' && typeof out.then !== 'function') return out;
    } catch (err) {
      return threw(err);
    } finally {
      depth--;
    }
    warn('beforeSend-return', 'beforeSend must return the event, false or null (synchronously); the event was sent as it left it');
    return event;
  }

  /** `read()` of the hook's answer `out`: `null` to drop, `undefined` for the event as it was
   *  (also when the answer's own getters throw). */
  function taken(out, read) {
    if (out === null || out === undefined) return out;
    try {
      return read();
    } catch (err) {
      return threw(err);
    }
  }

  function threw(err) {
    warn('beforeSend-throw', 'beforeSend threw; the event was sent unchanged: ' + text(err));
    return undefined;
  }

  function drop(kind) {
    if (!queued) {
      queued = true;
      queueMicrotask(report);
    }
    dropped[kind]++;
    return null;
  }

  /** Counts the events dropped since the last time, one count per stream (at the tick after
   *  the first of them, or when index.js asks: before a hide). */
  function report() {
    queued = false;
    for (const kind of [0, 1]) {
      const n = dropped[kind];
      dropped[kind] = 0;
      try {
        if (n > 0) countDropped(STREAMS[kind], n);
      } catch (err) {
        warn('beforeSend-count', 'events dropped by beforeSend could not be counted: ' + text(err));
      }
    }
  }

  return {
    report,

    /** `[name, value, labels, timestamp]` to record, or `null` to drop the metric event. */
    metric(hook, name, value, labels, ts) {
      const out = ask(hook, { name, value, labels: wireLabels(labels), timestamp: ts }, 0);
      // (A name or message the hook removed is none, not the text 'undefined'.)
      const e = taken(out, () => [out.name ?? '', out.value, out.labels, Number.isFinite(out.timestamp) ? out.timestamp : ts]);
      return e === undefined ? [name, value, labels, ts] : e;
    },

    /** `[level, message, context, error, epoch ms]` to record, or `null` to drop the log
     *  entry. `contextJson` is the context as it would be sent, `parts` the error's name,
     *  message and stack; `settings` the options given so far. */
    log(hook, level, message, contextJson, parts, ts, user, session, settings) {
      // Made twice when the hook throws: once for it, once untouched for the entry.
      const context = () => (contextJson === undefined ? undefined : JSON.parse(contextJson));
      const error = () => (parts ? { name: parts[0], message: parts[1], stack: parts[2] } : undefined);
      const out = ask(
        hook,
        {
          timestamp: new Date(ts).toISOString(),
          level: LEVELS[level],
          message,
          service: typeof settings.service === 'string' ? settings.service : 'recoloca-frontend',
          version: typeof settings.version === 'string' ? settings.version : '1.0.0',
          context: context(),
          error: error(),
          user_id: user,
          session_id: session,
        },
        1,
      );
      const e = taken(out, () => {
        const named = LEVELS.indexOf(out.level);
        return [named < 0 ? level : named, out.message ?? '', out.context, out.error, Date.parse(out.timestamp) || ts];
      });
      return e === undefined ? [level, message, context(), error(), ts] : e;
    },
  };

  /** Labels as they would be sent: a record of strings (a copy, whatever the page passed). */
  function wireLabels(labels) {
    if (labels === null || typeof labels !== 'object') return undefined;
    const plain = !Array.isArray(labels) && typeof labels.toJSON !== 'function';
    return plain && Object.values(labels).every((v) => typeof v === 'string') ? { ...labels } : stringLabels(labels);
  }
}

function text(v) {
  try {
    return String(v);
  } catch (_) {
    return 'an error';
  }
}

// The demo's "collector outage" switch: for the seconds asked (POST /api/outage {seconds}, or
// the dashboard's control), the telemetry endpoints (POST /api/metrics, /api/logs, /v1/*)
// answer 503 with a Retry-After, as an overloaded collector would, so that a person can watch
// the package retry, give up on a batch when the outage outlasts its attempts, and keep what a
// closed page could not send for the next page load; and, once it is over, see the retried
// batches arrive (each once: the collector dedupes by Idempotency-Key as always).
//
// What keeps working meanwhile, and why:
// - CORS preflights (OPTIONS /v1/*). In a real deployment they are answered in front of the
//   ingestion (a load balancer, a gateway, the HTTP server's CORS layer), which an overloaded
//   pipeline does not slow down. And a refused preflight would hide the 503 from the page: the
//   browser fails the POST as a CORS error, with no status and no Retry-After for the client
//   to read, and the console shows a CORS error instead of the outage that was turned on.
// - The demo backend (/api/demo/*): it is the app's server, not the telemetry collector.
// - GET /api/metrics (Prometheus' scrape), /api/summary (the dashboard) and the pages.

// Fixed, as an overloaded collector sends it: it cannot know when it will have recovered, so it
// asks for a pause rather than naming an end (which would also bring every page back in the
// same second). Five seconds spares the collector the package's own backoff (1 s, 2 s, 4 s…),
// brings the pages back within seconds of the end, and makes an outage of a minute outlast
// the package's default 10 attempts of a batch (about 45 s of waits), so that the dashboard
// shows retries in any outage and drops ("retries exhausted") in a long one.
export const RETRY_AFTER_SECONDS = 5;
// Longer than any demo needs; a slip of the finger (3000 for 30) should not leave the demo
// refusing everything for an hour.
export const MAX_SECONDS = 600;

export class Outage {
  constructor() {
    this.reset();
  }

  reset() {
    this.startedAt = null;
    this.endsAt = null;
    this.endedAt = null; // set when the last outage was ended early; otherwise endsAt
    this.refused = new Map(); // stream -> requests answered 503 during the last outage
  }

  active(now = Date.now()) {
    return this.endsAt !== null && this.endedAt === null && now < this.endsAt;
  }

  /** Starts an outage of `seconds` from now; 0 ends the current one. An outage under way is
   *  lengthened or shortened: the same outage, its counts kept. */
  set(seconds, now = Date.now()) {
    if (seconds === 0) {
      if (this.active(now)) this.endedAt = now;
      return;
    }
    if (!this.active(now)) {
      this.startedAt = now;
      this.endedAt = null;
      this.refused.clear();
    }
    this.endsAt = now + seconds * 1000;
  }

  /** Counts a request refused with 503. */
  refuse(stream) {
    this.refused.set(stream, (this.refused.get(stream) ?? 0) + 1);
  }

  /** What /api/summary and /api/outage say of it. `ended` is null while none has been over. */
  view(now = Date.now()) {
    const active = this.active(now);
    const refused = Object.fromEntries([...this.refused].sort(([a], [b]) => a.localeCompare(b)));
    return {
      now,
      active,
      startedAt: this.startedAt,
      endsAt: this.endsAt,
      remainingMs: active ? this.endsAt - now : 0,
      ended: this.startedAt === null || active ? null : (this.endedAt ?? this.endsAt),
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      refused,
      refusedTotal: [...this.refused.values()].reduce((a, b) => a + b, 0),
    };
  }
}

/** The `seconds` of a POST /api/outage body, or {error}. */
export function readOutageRequest(body) {
  let parsed;
  try {
    parsed = JSON.parse(body ?? '');
  } catch (err) {
    return { error: 'body is not JSON: ' + err.message };
  }
  const seconds = parsed?.seconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_SECONDS) {
    return { error: `seconds must be a number from 0 (end the outage now) to ${MAX_SECONDS}` };
  }
  return { seconds };
}

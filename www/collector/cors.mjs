// Cross-origin access to the OTLP endpoints (/v1/*). The package POSTs there from a page on
// another origin, with a JSON body and its own headers (Idempotency-Key, and whatever the app
// configured, such as an API key), so every such POST is preceded by a preflight.
//
// The demo collector lets any origin in and echoes what was asked for, rather than keeping a
// list: it holds nothing secret and no credentials are involved (no cookies, so no
// Access-Control-Allow-Credentials). `Vary: Origin` because each answer names the origin it was
// for, so a cache must not hand one origin's answer to another.

const MAX_AGE_SECONDS = 600; // the browser may skip the preflight for ten minutes

/** Headers for every /v1/* answer, errors included: without Allow-Origin the page cannot read
 *  the status, and without exposing Retry-After it cannot see how long a 429 or 503 asks it to
 *  wait (only a few "safelisted" response headers are readable cross-origin). */
export function corsHeaders(req) {
  const headers = { Vary: 'Origin', 'Access-Control-Expose-Headers': 'Retry-After' };
  if (req.headers.origin) headers['Access-Control-Allow-Origin'] = req.headers.origin;
  return headers;
}

/** The answer to a preflight (OPTIONS): POST with the headers the browser asked about. */
export function preflightHeaders(req) {
  const headers = {
    ...corsHeaders(req),
    Allow: 'POST, OPTIONS',
    'Access-Control-Allow-Methods': 'POST',
    'Access-Control-Max-Age': String(MAX_AGE_SECONDS),
  };
  const asked = req.headers['access-control-request-headers'];
  if (asked) headers['Access-Control-Allow-Headers'] = asked;
  return headers;
}

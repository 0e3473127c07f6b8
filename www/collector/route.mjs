// Route templates for the `page` and `endpoint` labels: one route is one Prometheus series
// however many ids it is called with. The rules are the client's own (src/core/src/route.rs,
// `template`), so that a label the client already templated (`instrumentRequests`) comes out
// unchanged, and one a page passed to trackPageView or trackApiCall by hand is made the same:
//
// - the query and the fragment are dropped (they vary per call, and often carry tokens);
// - a path segment that is an id becomes `:id`: a number, a UUID, a long hexadecimal id (a
//   hash, a Mongo ObjectId) or a long token of base64 characters with a digit in it;
// - an absolute URL keeps its origin, as route.rs does for an origin other than the page's (the
//   collector does not know the page's origin, so it cannot tell its own requests apart);
// - the result is at most MAX_LEN bytes of UTF-8 (cut at a segment, marked `/…`).
//
// Lengths are counted in UTF-8 bytes, as Rust's `str::len` counts them, so that a long label
// is cut where the client would cut it.

/** The longest label (route.rs' MAX_LEN). */
export const MAX_LEN = 160;

const bytes = (s) => Buffer.byteLength(s);

/** `url` without its query and fragment. */
export function withoutQuery(url) {
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

/** Where the host starts (after `://`), 0 without a scheme. */
export function schemeEnd(url) {
  const at = url.indexOf('://');
  return at < 0 ? 0 : at + 3;
}

/** The first `max` bytes of `s` when that cut falls between two characters; else all of `s`
 *  (Rust's `str::get(..max)` gives nothing inside a character, and route.rs then keeps it all). */
function cutBytes(s, max) {
  const buf = Buffer.from(s);
  if (buf.length <= max || (buf[max] & 0xc0) === 0x80) return s;
  return buf.subarray(0, max).toString();
}

/** `https://host:port` and the path after it (`/…`, or empty). */
function splitOrigin(url) {
  const slash = url.indexOf('/', schemeEnd(url));
  const at = slash < 0 ? url.length : slash;
  return [cutBytes(url.slice(0, at), MAX_LEN), url.slice(at)];
}

/** Whether a path segment is an id (see the file's head). Every pattern but the plain number
 *  is ASCII only, so the string's length is its length in bytes wherever one applies. */
export function isId(s) {
  const digits = s.replace(/[^0-9]/g, '').length;
  const number = s.length > 0 && digits === s.length;
  const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s);
  const hex = s.length >= 12 && digits > 0 && /^[0-9a-fA-F]+$/.test(s);
  const token = s.length >= 20 && digits > 0 && /^[A-Za-z0-9\-_+=%]+$/.test(s);
  return number || uuid || hex || token;
}

/** The route template of absolute `url`, relative to the page's `origin`: route.rs' `template`,
 *  line for line. */
export function template(url, origin) {
  url = withoutQuery(url);
  const rest = url.startsWith(origin) ? url.slice(origin.length) : null;
  const [prefix, path] = rest !== null && schemeEnd(origin) > 0 && (rest === '' || rest.startsWith('/')) ? ['', rest] : splitOrigin(url);
  let out = prefix;
  for (const segment of path.split('/').slice(1)) {
    const next = isId(segment) ? ':id' : segment;
    if (bytes(out) + 1 + bytes(next) > MAX_LEN) return out + '/…';
    out += '/' + next;
  }
  if (path === '') out += '/'; // the root: `/`, as a browser names it
  return out;
}

/**
 * A `page` or `endpoint` label value as the collector exposes it. Pages send paths (`/jobs/42`)
 * and sometimes absolute URLs; both are templated as route.rs templates a URL of another origin
 * (a path has no origin to keep). A value that is neither (`home`, a screen's name) is read as
 * a path without its leading `/`, so that it stays a bare name and its ids still go.
 */
export function routeLabel(value) {
  if (schemeEnd(value) > 0 || value.startsWith('/')) return template(value, '');
  return template('/' + value, '').slice(1);
}

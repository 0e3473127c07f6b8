//! The `endpoint` label of a request the client measures itself (`instrumentRequests`): its URL
//! as a route template, so that one API route is one series however many ids it is called with.
//!
//! - The query and the fragment are dropped: they vary per call, and often carry tokens that
//!   must not reach telemetry.
//! - A request to the page's own origin is named by its path, as the seed's `trackApiCall`
//!   calls are (`/api/jobs`); one to another origin keeps its origin (`https://api.example.com/v1`).
//! - A path segment that is an id becomes `:id`: a number, a UUID, a long hexadecimal id (a
//!   hash, a Mongo ObjectId) or a long token of base64 characters with a digit in it.
//! - The result is at most [`MAX_LEN`] bytes (cut at a segment, marked `/…`).

use alloc::string::String;

/// The longest endpoint label.
pub const MAX_LEN: usize = 160;

/// `url` without its query and fragment: what a span's `url.full` and a template keep.
pub fn without_query(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url.get(..end).unwrap_or(url)
}

/// The route template of absolute `url`, relative to the page's `origin` (`https://host:port`).
pub fn template(url: &str, origin: &str) -> String {
    let url = without_query(url);
    let (prefix, path) = match url.strip_prefix(origin) {
        Some(path) if scheme_end(origin) > 0 && (path.is_empty() || path.starts_with('/')) => {
            ("", path)
        }
        _ => split_origin(url),
    };
    let mut out = String::from(prefix);
    for segment in path.split('/').skip(1) {
        let next = if is_id(segment) { ":id" } else { segment };
        if out.len() + 1 + next.len() > MAX_LEN {
            out.push_str("/…");
            return out;
        }
        out.push('/');
        out.push_str(next);
    }
    if path.is_empty() {
        out.push('/'); // the root: `/`, as a browser names it
    }
    out
}

/// Where the host starts (after `://`), 0 without a scheme. (Bytes compared: a `str` search
/// for a text brings a general string searcher, and its panic paths, into the module.)
pub fn scheme_end(url: &str) -> usize {
    url.as_bytes()
        .windows(3)
        .position(|w| w == b"://")
        .map_or(0, |i| i + 3)
}

/// The host and port of absolute `url` (`server.address`, `server.port`): between `://` and
/// the path; the port the scheme implies when the URL names none (as `new URL().href` leaves
/// it out), 0 when neither says.
pub fn server(url: &str) -> (&str, u16) {
    let rest = url.get(scheme_end(url)..).unwrap_or("");
    let authority = rest.get(..rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let authority = authority.unwrap_or("");
    // An IPv6 host is bracketed (`[::1]:8080`): its colons are not the port's. (By bytes,
    // as elsewhere here: `str`'s searchers would bring their general code.)
    let bytes = authority.as_bytes();
    let close = bytes.iter().rposition(|&c| c == b']').unwrap_or(0);
    let port_at = bytes
        .iter()
        .skip(close)
        .position(|&c| c == b':')
        .map(|i| close + i);
    let (host, port) = match port_at {
        Some(i) => (authority.get(..i).unwrap_or(""), authority.get(i + 1..)),
        None => (authority, None),
    };
    // Digits read by hand: `str::parse` would bring its error type.
    let digits = port.and_then(|p| {
        p.bytes().try_fold(0u32, |n, b| {
            Some(n * 10 + u32::from(b.checked_sub(b'0').filter(|d| *d < 10)?))
                .filter(|n| *n < 65_536)
        })
    });
    let port = match digits {
        Some(p) if p > 0 => p as u16,
        _ if url.starts_with("https:") => 443,
        _ if url.starts_with("http:") => 80,
        _ => 0,
    };
    (host, port)
}

/// `https://host:port` and the path after it (`/…`, or empty).
fn split_origin(url: &str) -> (&str, &str) {
    let after_scheme = scheme_end(url);
    let path_at = url
        .get(after_scheme..)
        .and_then(|rest| rest.find('/'))
        .map_or(url.len(), |i| after_scheme + i);
    let (origin, path) = url.split_at_checked(path_at).unwrap_or((url, ""));
    // An origin is bounded by the pages' own code, not by its data; still, keep it to the limit.
    (origin.get(..MAX_LEN).unwrap_or(origin), path)
}

/// Whether a path segment is an id (see the file's head).
pub fn is_id(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let number = !b.is_empty() && digits == b.len();
    let uuid = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    let hex = b.len() >= 12 && digits > 0 && b.iter().all(u8::is_ascii_hexdigit);
    let token = b.len() >= 20
        && digits > 0
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'+' | b'=' | b'%'));
    number || uuid || hex || token
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "route_tests.rs"]
mod tests;

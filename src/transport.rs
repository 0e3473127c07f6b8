//! How a batch travels: a `fetch` POST of the batch's exact bytes (aborted after a timeout),
//! or at page exit a keepalive `fetch` or a beacon, all made by page.js (see [`crate::page`]).
//! The answer wakes the module with the request's token; [`Request`] remembers what it was.

use alloc::string::String;

use crate::client::Kind;

/// The server's answer to one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer<'a> {
    /// The HTTP status; `None` when there was no answer (network error, reset, timeout).
    pub status: Option<u16>,
    /// The `Retry-After` header, if any (borrowed from what page.js handed over).
    pub retry_after: Option<&'a str>,
}

impl<'a> Answer<'a> {
    /// From what page.js reports: the status (-1 without an answer) and the header ("" for
    /// none).
    pub fn from_page(status: f64, retry_after: &'a str) -> Answer<'a> {
        Answer {
            status: (0.0..=65535.0).contains(&status).then_some(status as u16),
            retry_after: crate::text::given(retry_after),
        }
    }
}

/// One attempt to make.
pub struct Attempt<'a> {
    pub url: &'a str,
    pub body: &'a [u8],
    pub key: &'a str,
    /// Outlives the page (for page exit); such requests share a 64 KiB budget.
    pub keepalive: bool,
    /// Aborted without an answer after this long (0: never).
    pub timeout_ms: u32,
}

/// A request under way, found again by its token when the answer comes.
pub struct Request {
    pub token: u32,
    pub kind: Kind,
    /// The idempotency key of the batch it carries.
    pub key: String,
    /// Set for a keepalive request (made at page exit).
    pub keepalive: Option<Keepalive>,
}

/// What page exit keeps of a keepalive request.
pub struct Keepalive {
    /// The body's length (keepalive requests share the browser's budget).
    pub len: usize,
    /// The hide it was made in (see `Client::hides`).
    pub hide: u32,
}

/// POSTs the body as `application/json` with its `Idempotency-Key`; the answer wakes `token`,
/// once, in a later task. Returns `false` (and nothing wakes) when no request started.
pub fn send(a: &Attempt, token: u32) -> bool {
    crate::page::post(a.url, a.body, a.key, a.keepalive, a.timeout_ms, token)
}

/// Queues the body with `navigator.sendBeacon`. A beacon cannot carry headers, so the
/// idempotency key travels in the query string (`idempotency_key`). Returns whether the
/// browser took it.
pub fn beacon(url: &str, body: &[u8], key: &str) -> bool {
    let mut full = String::from(url);
    full.push(if url.bytes().any(|b| b == b'?') {
        '&'
    } else {
        '?'
    });
    full.push_str("idempotency_key=");
    full.push_str(key);
    crate::page::beacon(&full, body)
}

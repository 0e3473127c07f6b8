//! W3C Trace Context (<https://www.w3.org/TR/trace-context/>) for the page's own requests: the
//! ids of a trace and a span, the `traceparent` header that carries them to the backend, the
//! sampling decision, and which URLs may receive the header at all.
//!
//! A `traceparent` goes only to the page's own origin and to URLs the app lists
//! (`propagateTraceHeaderCorsUrls`): a header the other origin does not allow in its CORS
//! configuration makes the browser refuse the request, and so the page would break.

use alloc::string::String;

use crate::random::Random;

/// A trace id: 16 bytes, never all zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceId(pub [u8; 16]);

/// A span id: 8 bytes, never all zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanId(pub [u8; 8]);

/// One request's place in a trace: what its `traceparent` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    pub trace: TraceId,
    pub span: SpanId,
    /// The `sampled` flag: whether spans of this trace are recorded.
    pub sampled: bool,
}

impl Random {
    /// `N` random bytes, not all zero (an all-zero id is invalid).
    fn nonzero<const N: usize>(&mut self) -> [u8; N] {
        let mut bytes = [0u8; N];
        while bytes.iter().all(|&b| b == 0) {
            self.fill(&mut bytes);
        }
        bytes
    }

    pub fn trace_id(&mut self) -> TraceId {
        TraceId(self.nonzero())
    }

    pub fn span_id(&mut self) -> SpanId {
        SpanId(self.nonzero())
    }
}

impl Context {
    /// A new trace, sampled when `draw` (uniform in `[0, 1)`) is below `rate`.
    pub fn start(random: &mut Random, rate: f64) -> Context {
        let sampled = random.unit() < rate;
        Context {
            trace: random.trace_id(),
            span: random.span_id(),
            sampled,
        }
    }

    /// The `traceparent` header: `00-<trace id>-<span id>-<flags>`, lowercase hex.
    pub fn traceparent(&self) -> String {
        let mut s = String::with_capacity(55);
        s.push_str("00-");
        hex(&mut s, &self.trace.0);
        s.push('-');
        hex(&mut s, &self.span.0);
        s.push_str(if self.sampled { "-01" } else { "-00" });
        s
    }

    /// Reads a `traceparent` (version `00`, or a later version read as `00` allows); `None` for
    /// anything malformed, uppercase hex or all-zero ids included.
    pub fn parse(header: &str) -> Option<Context> {
        let h = header.trim_ascii().as_bytes();
        let field = |from: usize, len: usize| h.get(from..from + len);
        let version = field(0, 2)?;
        let dashes = [2, 35, 52].iter().all(|&i| h.get(i) == Some(&b'-'));
        if !dashes || version == b"ff" || (version == b"00" && h.len() != 55) || h.len() < 55 {
            return None;
        }
        let mut trace = [0u8; 16];
        let mut span = [0u8; 8];
        let mut flags = [0u8; 1];
        unhex(version, &mut [0u8; 1])?;
        unhex(field(3, 32)?, &mut trace)?;
        unhex(field(36, 16)?, &mut span)?;
        unhex(field(53, 2)?, &mut flags)?;
        if trace == [0; 16] || span == [0; 8] {
            return None;
        }
        Some(Context {
            trace: TraceId(trace),
            span: SpanId(span),
            sampled: flags[0] & 1 == 1,
        })
    }
}

/// Appends `bytes` as lowercase hex.
pub fn hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        for nibble in [b >> 4, b & 15] {
            out.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
}

/// Lowercase hex into `out` (exactly twice as many digits as bytes); `None` otherwise.
fn unhex(digits: &[u8], out: &mut [u8]) -> Option<()> {
    if digits.len() != out.len() * 2 {
        return None;
    }
    let value = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let [hi, lo] = pair else { return None };
        *byte = value(*hi)? << 4 | value(*lo)?;
    }
    Some(())
}

/// Whether a request to absolute `url` may carry a `traceparent`: it goes to the page's own
/// `origin`, or starts with one of the app's `prefixes` (the app's regular expressions are
/// matched by the browser layer, with the page's own `RegExp`).
pub fn may_propagate(url: &str, origin: &str, prefixes: &[String]) -> bool {
    let same_origin = url
        .strip_prefix(origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
    same_origin
        || prefixes
            .iter()
            .any(|p| !p.is_empty() && url.starts_with(p.as_str()))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "trace_tests.rs"]
mod tests;

//! Retrying: which answers deserve another attempt, and when it may be made.
//!
//! Pure arithmetic; the clock and the randomness come in as arguments so that the schedule is
//! tested natively and exactly.

/// What to do with a batch after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: done.
    Delivered,
    /// Worth trying again later: no answer, a timeout, or 408, 425, 429, 500, 502, 503, 504.
    Retry,
    /// 413: the server takes smaller bodies; send the batch as two halves.
    Split,
    /// Any other answer: the server will never take this batch. Drop it and count it.
    Reject,
}

/// Classifies an attempt by its HTTP status, `None` meaning no answer at all (network error,
/// connection reset, timeout, offline).
pub fn classify(status: Option<u16>) -> Verdict {
    match status {
        None => Verdict::Retry,
        Some(200..=299) => Verdict::Delivered,
        Some(408 | 425 | 429 | 500 | 502 | 503 | 504) => Verdict::Retry,
        Some(413) => Verdict::Split,
        Some(_) => Verdict::Reject,
    }
}

/// Classifies an OTLP/HTTP attempt as the protocol says a client must
/// (<https://opentelemetry.io/docs/specs/otlp/#failures-1>): 429, 502, 503 and 504 are worth
/// retrying, and so is no answer at all; any other refusal (400 for a body the collector cannot
/// read, and 500 too) is for good. A 413 still splits the batch: halves the collector may take.
pub fn classify_otlp(status: Option<u16>) -> Verdict {
    match status {
        None | Some(429 | 502 | 503 | 504) => Verdict::Retry,
        Some(200..=299) => Verdict::Delivered,
        Some(413) => Verdict::Split,
        Some(_) => Verdict::Reject,
    }
}

/// The delay before attempt number `failures + 1`, after `failures` consecutive failures:
/// `initial`, doubling each time up to `max`, then spread by ±20% with `jitter` in `[0, 1)`
/// so that many pages recovering from one outage do not all come back in the same second.
pub fn backoff_ms(failures: u32, initial_ms: f64, max_ms: f64, jitter: f64) -> f64 {
    let exp = failures.saturating_sub(1).min(52);
    let base = (initial_ms * crate::float::pow2(exp)).min(max_ms);
    let spread = 0.8 + 0.4 * jitter.clamp_unit();
    base * spread
}

/// The longest `Retry-After` obeyed: a misconfigured server must not silence a page for days.
pub const MAX_RETRY_AFTER_MS: f64 = 3_600_000.0;

/// The wait a `Retry-After` header asks for, in ms from `now_ms` (epoch ms): either
/// delay-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`), which
/// `date_ms` turns into epoch ms (NaN when it cannot: the page's `Date.parse`, whose date
/// parser the browser ships anyway). A date in the past means no wait; anything unparseable
/// is `None`, and so the backoff applies.
///
/// `Date.parse` reads far more than HTTP-dates (V8 takes `-1` or `1.5` for dates in 2001,
/// which would mean "retry at once", every time), so only text shaped like one reaches it: a
/// weekday first, a time, and GMT last (the IMF-fixdate and the obsolete RFC 850 form).
pub fn parse_retry_after(
    value: &str,
    now_ms: f64,
    date_ms: impl FnOnce(&str) -> f64,
) -> Option<f64> {
    let v = value.trim_ascii();
    let wait = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let secs = v.bytes().fold(0f64, |n, b| n * 10.0 + f64::from(b - b'0'));
        secs * 1000.0
    } else if looks_like_http_date(v) {
        let at = date_ms(v);
        if at.is_nan() {
            return None;
        }
        at - now_ms
    } else {
        return None;
    };
    Some(wait.max(0.0).min(MAX_RETRY_AFTER_MS))
}

/// Starts with a letter (the weekday), has a time, ends in `GMT`.
fn looks_like_http_date(v: &str) -> bool {
    v.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && v.bytes().any(|b| b == b':')
        && v.ends_with(" GMT")
}

trait ClampUnit {
    fn clamp_unit(self) -> f64;
}

impl ClampUnit for f64 {
    /// Into `[0, 1]`, NaN to 0.5; not `f64::clamp`, whose assertion formats floats.
    fn clamp_unit(self) -> f64 {
        if self.is_nan() {
            0.5
        } else {
            self.max(0.0).min(1.0)
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "retry_tests.rs"]
mod tests;

//! Retrying: which answers deserve another attempt, and when it may be made.
//!
//! Pure arithmetic; the clock and the randomness come in as arguments so that the schedule is
//! tested natively and exactly.

use crate::text;

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
/// delay-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`). A date in the
/// past means no wait; anything unparseable is `None`.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<f64> {
    let v = value.trim_ascii();
    let wait = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let secs = v.bytes().fold(0f64, |n, b| n * 10.0 + f64::from(b - b'0'));
        secs * 1000.0
    } else {
        parse_http_date(v)? - now_ms
    };
    Some(wait.max(0.0).min(MAX_RETRY_AFTER_MS))
}

/// Epoch ms of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form servers must send;
/// the obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37 GMT`) is accepted too.
pub fn parse_http_date(s: &str) -> Option<f64> {
    // Drop the weekday: everything up to the first space.
    let (_, rest) = text::split_once(s, b' ')?;
    let mut parts = text::split(rest, b' ', b'-').filter(|p| !p.is_empty());
    let day = text::number_u32(parts.next()?)?;
    let month = month_number(parts.next()?)?;
    let mut year = text::number(parts.next()?)? as i64;
    if year < 100 {
        year += if year < 70 { 2000 } else { 1900 };
    }
    let mut hms = text::split(parts.next()?, b':', b':');
    let h = text::number_u32(hms.next()?)?;
    let m = text::number_u32(hms.next()?)?;
    let sec = text::number_u32(hms.next()?)?;
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400) + i64::from(h * 3600 + m * 60 + sec)) as f64 * 1000.0)
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS.iter().position(|m| *m == name).map(|i| i as u32 + 1)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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

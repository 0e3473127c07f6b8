//! Native unit tests of `src/retry.rs` (kept apart so that no test-only panic sits in module code).

use super::*;
use proptest::prelude::*;

#[test]
fn statuses_are_classified_as_the_delivery_contract_says() {
    assert_eq!(classify(None), Verdict::Retry);
    for s in [200, 201, 202, 204, 299] {
        assert_eq!(classify(Some(s)), Verdict::Delivered, "{s}");
    }
    for s in [408, 425, 429, 500, 502, 503, 504] {
        assert_eq!(classify(Some(s)), Verdict::Retry, "{s}");
    }
    assert_eq!(classify(Some(413)), Verdict::Split);
    for s in [400, 401, 403, 404, 405, 409, 415, 422, 501, 505, 301, 0] {
        assert_eq!(classify(Some(s)), Verdict::Reject, "{s}");
    }
}

#[test]
fn backoff_doubles_from_initial_to_max() {
    let mid = |n| backoff_ms(n, 1000.0, 60_000.0, 0.5);
    let schedule: Vec<f64> = (1..=9).map(mid).collect();
    assert_eq!(
        schedule,
        [1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 32000.0, 60000.0, 60000.0, 60000.0]
    );
    assert_eq!(backoff_ms(0, 1000.0, 60_000.0, 0.5), 1000.0);
    assert_eq!(backoff_ms(u32::MAX, 1000.0, 60_000.0, 0.5), 60_000.0);
}

#[test]
fn jitter_spreads_twenty_percent_either_way() {
    assert_eq!(backoff_ms(1, 1000.0, 60_000.0, 0.0), 800.0);
    assert!((backoff_ms(3, 1000.0, 60_000.0, 1.0) - 4800.0).abs() < 1e-9);
    assert_eq!(backoff_ms(1, 1000.0, 60_000.0, f64::NAN), 1000.0);
}

proptest! {
    #[test]
    fn backoff_stays_within_its_bounds(n in 0u32..100, initial in 1.0f64..10_000.0, max in 1.0f64..1e6, j in 0.0f64..1.0) {
        let d = backoff_ms(n, initial, max, j);
        let base = (initial * 2f64.powi(n.saturating_sub(1).min(52) as i32)).min(max);
        prop_assert!(d >= base * 0.8 - 1e-9 && d <= base * 1.2 + 1e-9);
        prop_assert!(d <= max * 1.2 + 1e-9);
    }
}

/// A date parser for the tests, as lenient as V8's `Date.parse`: the one date they use, and a
/// date in 2001 for anything else (V8 reads `-1`, `1.5` or `+5` so).
fn one_date(text: &str) -> f64 {
    // Date.parse('Wed, 21 Oct 2015 07:28:00 GMT') === 1445412480000
    if text == "Wed, 21 Oct 2015 07:28:00 GMT" {
        1_445_412_480_000.0
    } else {
        978_307_200_000.0
    }
}

/// A date parser that finds no date.
fn no_parse(_: &str) -> f64 {
    f64::NAN
}

/// A date parser that must not be asked.
fn no_date(text: &str) -> f64 {
    panic!("delay-seconds {text:?} went to the date parser")
}

#[test]
fn retry_after_in_seconds() {
    assert_eq!(parse_retry_after("120", 0.0, no_date), Some(120_000.0));
    assert_eq!(parse_retry_after(" 0 ", 0.0, no_date), Some(0.0));
    assert_eq!(
        parse_retry_after("99999999", 0.0, no_date),
        Some(MAX_RETRY_AFTER_MS)
    );
}

#[test]
fn retry_after_that_is_neither_form_means_the_backoff() {
    // Not even handed to the (lenient) date parser: none of these is shaped like a date.
    for bad in [
        "",
        "-1",
        "1.5",
        "+5",
        "soon",
        "2015-10-21T07:28:00Z",
        "Wed, 21 Oct 2015 07:28:00 PST",
        "Wed, 21 Oct 2015 GMT",
        "21 Oct 2015 07:28:00 GMT",
    ] {
        assert_eq!(parse_retry_after(bad, 0.0, one_date), None, "{bad:?}");
    }
}

#[test]
fn retry_after_as_an_http_date() {
    let at = 1_445_412_480_000.0;
    let date = "Wed, 21 Oct 2015 07:28:00 GMT";
    assert_eq!(parse_retry_after(date, at - 5000.0, one_date), Some(5000.0));
    // Surrounding whitespace is not the parser's business.
    assert_eq!(
        parse_retry_after(&format!("  {date} "), at - 5000.0, one_date),
        Some(5000.0)
    );
    // A date in the past: no wait. Far ahead: the longest wait obeyed.
    assert_eq!(parse_retry_after(date, at + 5000.0, one_date), Some(0.0));
    assert_eq!(
        parse_retry_after(date, 0.0, one_date),
        Some(MAX_RETRY_AFTER_MS)
    );
    // Shaped like a date, but not one the page's parser reads.
    assert_eq!(
        parse_retry_after("Wed, 99 Foo 2015 07:28:00 GMT", 0.0, no_parse),
        None
    );
}

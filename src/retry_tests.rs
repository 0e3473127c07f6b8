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

#[test]
fn retry_after_in_seconds() {
    assert_eq!(parse_retry_after("120", 0.0), Some(120_000.0));
    assert_eq!(parse_retry_after(" 0 ", 0.0), Some(0.0));
    assert_eq!(parse_retry_after("99999999", 0.0), Some(MAX_RETRY_AFTER_MS));
    assert_eq!(parse_retry_after("-1", 0.0), None);
    assert_eq!(parse_retry_after("1.5", 0.0), None);
    assert_eq!(parse_retry_after("", 0.0), None);
}

#[test]
fn retry_after_as_an_http_date() {
    // Date.parse('Wed, 21 Oct 2015 07:28:00 GMT') === 1445412480000
    let at = 1_445_412_480_000.0;
    assert_eq!(parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT"), Some(at));
    assert_eq!(
        parse_http_date("Wednesday, 21-Oct-15 07:28:00 GMT"),
        Some(at)
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", at - 5000.0),
        Some(5000.0)
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", at + 5000.0),
        Some(0.0)
    );
    // Date.parse('Thu, 29 Feb 2024 23:59:59 GMT') === 1709251199000
    assert_eq!(
        parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT"),
        Some(1_709_251_199_000.0)
    );
    assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0.0));
    for bad in [
        "",
        "soon",
        "Wed, 21 Oct 2015 07:28:00 PST",
        "Wed, 32 Oct 2015 07:28:00 GMT",
        "Wed, 21 Foo 2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 07:28 GMT",
    ] {
        assert_eq!(parse_http_date(bad), None, "{bad}");
    }
}

//! An error storm, in a page of its own (the rate limit is per page and minute): 10,000
//! errors in a burst keep the page responsive, the reports within the limit, and the counts
//! exact. Chromium and Firefox. Shares its stand-ins with errors_web.rs
//! (tests/error_support).
#![cfg(target_arch = "wasm32")]

mod error_support;
mod support;
mod watch_support;

use error_support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn g_a_storm_is_rate_limited_and_counted_exactly() {
    setup().await;
    fire_error("storm", 10_000);
    let (metrics, logs) = sent().await;
    assert_eq!(error_counts(&metrics), 10_000.0);
    let reports = logs
        .iter()
        .filter(|l| text(l, &["level"]) == "error")
        .count();
    let notices = logs
        .iter()
        .filter(|l| text(l, &["message"]).starts_with("error reports rate limited"))
        .count();
    assert_eq!(reports, 100);
    assert_eq!(notices, 1);
}

//! Browser tests of error capture (src/watch/src/errors.rs), in Chromium and Firefox: the
//! events are dispatched on window as the browser would dispatch them, and what the client
//! sends is read from a stand-in `fetch` (the two modules wired as index.js wires them).
#![cfg(target_arch = "wasm32")]

mod error_support;
mod support;
mod watch_support;

use error_support::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The gate remembers fingerprints for 5 s and counts reports per minute: each test here uses
/// errors of its own, and the storm has a file (a page) of its own: errors_storm_web.rs.
#[wasm_bindgen_test]
async fn a_uncaught_error_is_reported_with_its_cause_chain_and_source() {
    setup().await;
    fire_error("error", 1);
    let (metrics, logs) = sent().await;
    let m = metrics
        .iter()
        .find(|m| text(m, &["name"]) == "frontend_errors_total")
        .expect("metric");
    assert_eq!(text(m, &["labels", "error_type"]), "TypeError");
    assert_eq!(text(m, &["labels", "component"]), "global");
    assert_eq!(text(m, &["labels", "user_id"]), "u-9");
    assert_eq!(logs.len(), 1);
    let l = &logs[0];
    assert_eq!(text(l, &["level"]), "error");
    assert_eq!(text(l, &["error", "name"]), "TypeError");
    assert_eq!(text(l, &["error", "message"]), "x is undefined");
    assert!(!text(l, &["error", "stack"]).is_empty());
    assert_eq!(
        text(l, &["context", "source", "file"]),
        "https://app.example/main.js"
    );
    assert_eq!(text(l, &["context", "source", "line"]), "12");
    assert_eq!(text(l, &["context", "cause", "0", "name"]), "RangeError");
    assert_eq!(
        text(l, &["context", "cause", "1", "message"]),
        "\"root reason\"".trim_matches('"')
    );
    assert_eq!(text(l, &["session_id"]), "s-9");
}

#[wasm_bindgen_test]
async fn b_a_null_error_keeps_message_and_location() {
    setup().await;
    fire_error("script-error", 1);
    let (metrics, logs) = sent().await;
    assert_eq!(error_counts(&metrics), 1.0);
    assert_eq!(text(&logs[0], &["message"]), "Script error.");
    assert_eq!(text(&logs[0], &["error", "name"]), "Error");
    assert_eq!(text(&logs[0], &["context", "source", "line"]), "0");
}

#[wasm_bindgen_test]
async fn c_rejections_keep_errors_and_bounded_values() {
    setup().await;
    fire_error("rejection-error", 1);
    fire_error("rejection-value", 1);
    let (metrics, logs) = sent().await;
    assert_eq!(error_counts(&metrics), 2.0);
    assert_eq!(logs.len(), 2);
    assert_eq!(text(&logs[0], &["error", "message"]), "fetch failed");
    assert_eq!(text(&logs[0], &["context", "component"]), "promise");
    assert_eq!(text(&logs[1], &["error", "name"]), "UnhandledRejection");
    let value = text(&logs[1], &["error", "message"]);
    assert!(
        value.starts_with("{\"code\":42,\"detail\":\"xxx"),
        "{value}"
    );
    assert_eq!(value.chars().count(), 1000);
}

#[wasm_bindgen_test]
async fn d_a_failed_resource_load_is_captured() {
    setup().await;
    JsFuture::from(fail_image()).await.unwrap();
    let (metrics, logs) = sent().await;
    assert_eq!(error_counts(&metrics), 1.0);
    assert_eq!(text(&logs[0], &["error", "name"]), "ResourceError");
    assert!(text(&logs[0], &["message"]).starts_with("failed to load <img> /definitely-missing-"));
}

#[wasm_bindgen_test]
async fn e_stacks_are_cut_to_fifty_frames() {
    setup().await;
    fire_error("deep-stack", 1);
    let (_, logs) = sent().await;
    let stack = text(&logs[0], &["error", "stack"]);
    assert_eq!(stack.lines().count(), 51, "{stack}");
}

#[wasm_bindgen_test]
async fn f_repeats_are_counted_not_resent() {
    setup().await;
    fire_error("repeat", 31); // one error thrown 31 times within 5 s
    let (metrics, logs) = sent().await;
    assert_eq!(error_counts(&metrics), 31.0, "every one counted");
    assert_eq!(logs.len(), 1, "reported once");
}

#[wasm_bindgen_test]
async fn g_a_throwing_property_is_an_absence_not_a_lost_error() {
    setup().await;
    fire_error("hostile", 1);
    let (metrics, logs) = sent().await;
    assert_eq!(error_counts(&metrics), 2.0, "both counted");
    assert_eq!(logs.len(), 2, "both reported");
    assert_eq!(text(&logs[0], &["error", "message"]), "hostile getter");
    assert_eq!(text(&logs[0], &["context", "source", "line"]), "3");
    assert_eq!(text(&logs[1], &["error", "name"]), "UnhandledRejection");
}

//! Browser tests of the glue: the exported functions, as `pkg-template/index.js` calls them,
//! against a stand-in `fetch` that records every request and answers with a scripted status.
//! Run by `make test-browser` in headless Chromium and Firefox.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use recoloca_telemetry as telemetry;

mod support;

use support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A time as the engine writes it (`toISOString`), as index.js hands it over.
fn iso(ms: f64) -> JsValue {
    js_sys::Date::new(&JsValue::from_f64(ms))
        .to_iso_string()
        .into()
}

/// Stages events as index.js does: `(series, value, epoch ms)` triples, in one call.
fn stage(events: &[(u32, f64, f64)]) {
    let flat: Vec<f64> = events
        .iter()
        .flat_map(|&(id, value, ts)| [f64::from(id), value, ts])
        .collect();
    telemetry::ingest(&flat);
}

async fn flush() {
    JsFuture::from(support::flush()).await.unwrap();
}

/// A fresh pair of endpoints, large batches (only flush() sends) and fast retries. Whatever an
/// earlier test left (health counters included) is flushed away first.
async fn setup(tag: &str) {
    install_fetch();
    telemetry::configure(options(&[
        ("batchSize", 1000.into()),
        ("logBatchSize", 1000.into()),
        ("retryInitialMs", 20.into()),
        ("retryMaxMs", 20.into()),
        ("retryMaxAttempts", 10.into()),
        // These tests compare whole bodies: the page's own timings stay out of them.
        ("observePerformance", false.into()),
    ]));
    flush().await;
    telemetry::configure(options(&[
        ("metricsEndpoint", format!("/{tag}/metrics").into()),
        ("logsEndpoint", format!("/{tag}/logs").into()),
    ]));
    take_sent();
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.chars().nth(14) == Some('4')
        && s.split('-').map(str::len).eq([8, 4, 4, 4, 12])
}

#[wasm_bindgen_test]
async fn metrics_arrive_as_the_seeds_body() {
    setup("m1").await;
    let pv = telemetry::add_series(
        "page_views_total".into(),
        r#"{"page":"/cv","user_id":"anonymous"}"#.into(),
    );
    let plain = telemetry::add_series("custom_ms".into(), JsValue::UNDEFINED);
    stage(&[
        (pv, 1.0, 1_764_166_892_123.0),
        (plain, 12.75, 1_764_166_892_124.0),
        (plain, 0.1 + 0.2, 5.0),
    ]);
    flush().await;
    let s = sent();
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].url, "/m1/metrics");
    assert_eq!(s[0].method, "POST");
    assert_eq!(s[0].content_type, "application/json");
    assert!(is_uuid(&s[0].key), "{}", s[0].key);
    assert_eq!(
        s[0].body,
        concat!(
            r#"{"metrics":[{"name":"page_views_total","value":1,"labels":{"page":"/cv","user_id":"anonymous"},"timestamp":1764166892123},"#,
            r#"{"name":"custom_ms","value":12.75,"timestamp":1764166892124},"#,
            r#"{"name":"custom_ms","value":0.30000000000000004,"timestamp":5}]}"#
        )
    );
}

#[wasm_bindgen_test]
async fn logs_arrive_as_the_seeds_body() {
    setup("l1").await;
    telemetry::set_identity("u-1".into(), "s-1".into());
    telemetry::log(
        1,
        "hello \"world\"".into(),
        r#"{"component":"Upload"}"#.into(),
        JsValue::UNDEFINED,
        0.0,
        iso(0.0),
    );
    let error = js_sys::Array::of2(&"TypeError".into(), &"x is undefined".into());
    telemetry::log(
        3,
        "failed".into(),
        JsValue::UNDEFINED,
        error.into(),
        1.0,
        iso(1.0),
    );
    flush().await;
    let s = sent();
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].url, "/l1/logs");
    assert_eq!(
        s[0].body,
        concat!(
            r#"{"logs":[{"timestamp":"1970-01-01T00:00:00.000Z","level":"info","message":"hello \"world\"","service":"recoloca-frontend","version":"1.0.0","context":{"component":"Upload"},"user_id":"u-1","session_id":"s-1"},"#,
            r#"{"timestamp":"1970-01-01T00:00:00.001Z","level":"error","message":"failed","service":"recoloca-frontend","version":"1.0.0","error":{"name":"TypeError","message":"x is undefined"},"user_id":"u-1","session_id":"s-1"}]}"#
        )
    );
}

#[wasm_bindgen_test]
async fn a_failed_batch_is_retried_with_the_same_bytes_and_key() {
    setup("r1").await;
    let id = telemetry::add_series("retry_total".into(), JsValue::UNDEFINED);
    stage(&[(id, 1.0, 1.0), (id, 2.0, 2.0)]);
    script_statuses(vec![503, 0]); // a server error, then a network failure
    flush().await; // settles at the first failure: the rest is the backoff's business
    assert_eq!(sent().len(), 1);
    sleep(150).await; // two backoffs of 16–24 ms, and the success
    stage(&[(id, 3.0, 3.0)]);
    flush().await;
    let s = sent();
    assert_eq!(s.len(), 3, "{s:?}");
    let first = &s[0];
    assert!(first.body.contains(r#""value":1,"#) && first.body.contains(r#""value":2,"#));
    assert!(
        s[..2]
            .iter()
            .all(|r| r.body == first.body && r.key == first.key),
        "{s:?}"
    );
    // The next batch carries the new event and the client's own count of retries.
    assert!(s[2].body.contains(r#""value":3,"#) && s[2].key != first.key);
    assert!(
        s[2].body.contains(
            r#"{"name":"telemetry_retries_total","value":2,"labels":{"stream":"metrics"},"#
        ),
        "{}",
        s[2].body
    );
}

#[wasm_bindgen_test]
async fn a_fetch_that_resolves_with_no_response_counts_as_no_answer() {
    setup("r0").await;
    let id = telemetry::add_series("odd_fetch_total".into(), JsValue::UNDEFINED);
    stage(&[(id, 1.0, 1.0)]);
    script_statuses(vec![1]); // resolves with undefined: the stream must not wait forever
    flush().await;
    sleep(100).await; // one backoff of 16–24 ms, and the retry
    let s = sent();
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(s[0].body == s[1].body && s[0].key == s[1].key, "{s:?}");
}

#[wasm_bindgen_test]
async fn retry_after_is_obeyed() {
    setup("ra").await;
    telemetry::log(
        1,
        "wait for it".into(),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
        0.0,
        iso(0.0),
    );
    script_retry_after(429, "1");
    flush().await;
    sleep(700).await;
    assert_eq!(
        sent().len(),
        1,
        "no attempt before Retry-After's second is up"
    );
    sleep(600).await;
    let s = sent();
    assert_eq!(s.len(), 1, "{s:?}");
    assert!(s[0].body.contains("wait for it"));
}

#[wasm_bindgen_test]
async fn a_413_splits_the_batch_and_other_4xx_drop_it_counted() {
    setup("sp").await;
    let id = telemetry::add_series("split_total".into(), JsValue::UNDEFINED);
    stage(&[(id, 1.0, 1.0), (id, 2.0, 2.0), (id, 3.0, 3.0)]);
    script_statuses(vec![413, 200, 400]); // whole: too large; first half ok; second half refused
    flush().await;
    let s = sent();
    assert_eq!(s.len(), 3, "{s:?}");
    assert_eq!(
        s[1].body,
        r#"{"metrics":[{"name":"split_total","value":1,"timestamp":1}]}"#
    );
    assert_eq!(
        s[2].body,
        r#"{"metrics":[{"name":"split_total","value":2,"timestamp":2},{"name":"split_total","value":3,"timestamp":3}]}"#
    );
    assert!(s[1].key != s[0].key && s[2].key != s[1].key);
    flush().await;
    let s = sent();
    assert!(
        s[0].body.contains(r#"{"name":"telemetry_events_dropped_total","value":2,"labels":{"stream":"metrics","reason":"rejected"},"#),
        "{}",
        s[0].body
    );
}

#[wasm_bindgen_test]
async fn a_batch_is_given_up_after_max_attempts() {
    setup("gu").await;
    telemetry::configure(options(&[("retryMaxAttempts", 3.into())]));
    telemetry::log(
        1,
        "doomed".into(),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
        0.0,
        iso(0.0),
    );
    script_statuses(vec![500, 500, 500]);
    flush().await;
    sleep(200).await;
    assert_eq!(sent().len(), 3);
    flush().await;
    let s = sent();
    assert!(
        s.iter().any(|r| r
            .body
            .contains(r#""labels":{"stream":"logs","reason":"retries_exhausted"}"#)),
        "{s:?}"
    );
    assert!(s.iter().all(|r| !r.body.contains("doomed")));
}

#[wasm_bindgen_test]
async fn a_full_batch_is_sent_without_waiting_for_the_timer() {
    setup("b1").await;
    telemetry::configure(options(&[("batchSize", 2.into())]));
    let id = telemetry::add_series("batch_total".into(), JsValue::UNDEFINED);
    stage(&[(id, 1.0, 1.0), (id, 2.0, 2.0)]);
    sleep(50).await;
    let s = sent();
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].body.matches("batch_total").count(), 2);
}

#[wasm_bindgen_test]
async fn bad_input_is_dropped_and_delivery_goes_on() {
    setup("h1").await;
    telemetry::configure(JsValue::from_str("not an object"));
    telemetry::configure(options(&[("batchSize", "ten".into())]));
    let id = telemetry::add_series("hostile".into(), JsValue::UNDEFINED);
    stage(&[
        (id, f64::NAN, 1.0),
        (id, f64::INFINITY, 2.0),
        (999_999, 1.0, 3.0),
        (id, 7.0, 4.0),
    ]);
    telemetry::log(
        9,
        "x".repeat(1 << 20).into(),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
        5.0,
        iso(5.0),
    ); // over 64 KiB: dropped
    telemetry::log(
        1,
        "after".into(),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
        6.0,
        iso(6.0),
    );
    flush().await;
    let s = sent();
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(
        s[0].body
            .starts_with(r#"{"metrics":[{"name":"hostile","value":7,"timestamp":4},"#),
        "{}",
        s[0].body
    );
    // The drops are counted: three metric events that could not be encoded, one log too large.
    assert!(s[0]
        .body
        .contains(r#""value":3,"labels":{"stream":"metrics","reason":"invalid"}"#));
    assert!(s[0]
        .body
        .contains(r#""value":1,"labels":{"stream":"logs","reason":"event_too_large"}"#));
    assert!(s[1].body.contains(r#""message":"after""#) && s[1].body.len() < 1000);
}

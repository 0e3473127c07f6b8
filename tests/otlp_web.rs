//! Browser tests of the OTLP entry's glue (`src/otlp.rs`, the `otlp` feature): the page's
//! labels and context read into typed attributes, `otlpHeaders` on every OTLP request, and a
//! collector's `partialSuccess` read from its answer. Against a stand-in `fetch`; run by
//! `make test-browser` in Chromium, Firefox and WebKit with `--features otlp`.
#![cfg(all(target_arch = "wasm32", feature = "otlp"))]

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use recoloca_telemetry as telemetry;

mod support;

use support::options;

wasm_bindgen_test_configure!(run_in_browser);

/// A time as the engine writes it (`toISOString`), as index.js hands it over.
fn iso(ms: f64) -> JsValue {
    js_sys::Date::new(&JsValue::from_f64(ms))
        .to_iso_string()
        .into()
}

async fn flush() {
    JsFuture::from(support::flush()).await.unwrap();
}

#[wasm_bindgen(inline_js = r#"
export function installOtlpFetch() {
  globalThis.__otlp = [];
  globalThis.__answers = [];
  globalThis.fetch = async (url, init) => {
    const headers = Object.fromEntries(new Headers(init.headers));
    globalThis.__otlp.push({ url, headers, body: new TextDecoder().decode(init.body) });
    const body = globalThis.__answers.length ? globalThis.__answers.shift() : '{"partialSuccess":{}}';
    return new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
}
export function answerWith(body) { globalThis.__answers.push(body); }
export function takeOtlp() { const s = globalThis.__otlp; globalThis.__otlp = []; return s; }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installOtlpFetch)]
    fn install_otlp_fetch();
    #[wasm_bindgen(js_name = answerWith)]
    fn answer_with(body: &str);
    #[wasm_bindgen(js_name = takeOtlp)]
    fn take_otlp() -> Array;
}

/// (url, header, body) of each request since the last call; `header` is `x-api-key`.
fn requests() -> Vec<(String, String, String)> {
    let get = |o: &JsValue, k: &str| {
        Reflect::get(o, &k.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    take_otlp()
        .iter()
        .map(|r| {
            let headers = Reflect::get(&r, &"headers".into()).unwrap_or(JsValue::UNDEFINED);
            (get(&r, "url"), get(&headers, "x-api-key"), get(&r, "body"))
        })
        .collect()
}

#[wasm_bindgen_test]
async fn labels_and_context_become_typed_attributes_and_otlp_headers_are_sent() {
    install_otlp_fetch();
    let headers = options(&[("X-Api-Key", "k-1".into())]);
    telemetry::configure(options(&[
        ("otlpEndpoint", "http://collector.test/".into()),
        ("otlpHeaders", headers),
        ("metricsEndpoint", JsValue::NULL),
        ("logsEndpoint", JsValue::NULL),
        ("batchSize", 1000.into()),
        ("logBatchSize", 1000.into()),
        ("observePerformance", false.into()),
        ("captureErrors", false.into()),
    ]));
    flush().await;
    take_otlp();
    let id = telemetry::add_series(
        "api_calls_total".into(),
        r#"{"status":200,"ok":true,"ratio":0.5,"nested":{"a":[1]},"none":null,"user_id":"u-1"}"#
            .into(),
    );
    telemetry::ingest(&[f64::from(id), 1.0, 1_764_166_892_000.0]);
    telemetry::log(
        1,
        "hi".into(),
        r#"{"n":1,"who":"me"}"#.into(),
        JsValue::UNDEFINED,
        1_764_166_892_001.0,
        iso(1_764_166_892_001.0),
    );
    flush().await;
    let sent = requests();
    assert_eq!(sent.len(), 2, "{sent:?}");
    let (url, key, body) = &sent[0];
    assert_eq!(url, "http://collector.test/v1/metrics");
    assert_eq!(key, "k-1");
    assert!(
        body.contains(r#""attributes":[{"key":"status","value":{"intValue":"200"}},{"key":"ok","value":{"boolValue":true}},{"key":"ratio","value":{"doubleValue":0.5}},{"key":"nested","value":{"stringValue":"{\"a\":[1]}"}}]"#),
        "{body}"
    );
    let (url, key, body) = &sent[1];
    assert_eq!(
        (url.as_str(), key.as_str()),
        ("http://collector.test/v1/logs", "k-1")
    );
    assert!(
        body.contains(r#""attributes":[{"key":"n","value":{"intValue":"1"}},{"key":"who","value":{"stringValue":"me"}}]"#),
        "{body}"
    );
}

#[wasm_bindgen_test]
async fn a_partial_success_counts_what_the_collector_refused() {
    install_otlp_fetch();
    telemetry::configure(options(&[
        ("otlpEndpoint", "http://collector.test".into()),
        ("metricsEndpoint", JsValue::NULL),
        ("logsEndpoint", JsValue::NULL),
        ("batchSize", 1000.into()),
        ("observePerformance", false.into()),
        ("captureErrors", false.into()),
    ]));
    flush().await;
    take_otlp();
    answer_with(r#"{"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"no"}}"#);
    let id = telemetry::add_series("x_total".into(), JsValue::UNDEFINED);
    telemetry::ingest(&[f64::from(id), 1.0, 1_764_166_892_000.0]);
    flush().await;
    // The answer's body is read after the answer is handed over: the count follows shortly.
    let mut bodies: Vec<String> = Vec::new();
    for _ in 0..20 {
        support::sleep(10).await;
        flush().await;
        bodies.extend(requests().into_iter().map(|r| r.2));
        if bodies
            .iter()
            .any(|b| b.contains("telemetry_events_dropped_total"))
        {
            break;
        }
    }
    let health = bodies
        .iter()
        .find(|b| b.contains("telemetry_events_dropped_total"));
    let health = health.unwrap_or_else(|| panic!("no drop count in {bodies:?}"));
    assert!(
        health.contains(r#"{"key":"stream","value":{"stringValue":"otlp_metrics"}},{"key":"reason","value":{"stringValue":"rejected"}}]"#)
            && health.contains(r#""asDouble":3}"#),
        "{health}"
    );
}

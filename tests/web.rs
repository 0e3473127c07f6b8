//! Browser tests of the glue: the exported functions, as `pkg-template/index.js` calls them,
//! against a stand-in `fetch` that records every request and answers with a scripted status.
//! Run by `make test-browser` in headless Chromium and Firefox.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Float64Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use recoloca_telemetry as telemetry;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function installFetch() {
  globalThis.__sent = [];
  globalThis.__status = [];
  globalThis.fetch = async (url, init) => {
    const body = new TextDecoder().decode(init.body);
    const headers = new Headers(init.headers);
    globalThis.__sent.push({ url, method: init.method, body,
      type: headers.get('content-type'), key: headers.get('idempotency-key') });
    const status = globalThis.__status.length ? globalThis.__status.shift() : 200;
    if (status === 0) throw new TypeError('Failed to fetch');
    return new Response(null, { status });
  };
}
export function scriptStatuses(list) { globalThis.__status = Array.from(list); }
export function takeSent() { const s = globalThis.__sent; globalThis.__sent = []; return s; }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installFetch)]
    fn install_fetch();
    #[wasm_bindgen(js_name = scriptStatuses)]
    fn script_statuses(list: Vec<u32>);
    #[wasm_bindgen(js_name = takeSent)]
    fn take_sent() -> Array;
}

/// A request the stand-in fetch saw.
#[derive(Debug)]
struct Sent {
    url: String,
    method: String,
    body: String,
    content_type: String,
    key: String,
}

fn sent() -> Vec<Sent> {
    let get = |o: &JsValue, k: &str| {
        Reflect::get(o, &k.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    take_sent()
        .iter()
        .map(|o| Sent {
            url: get(&o, "url"),
            method: get(&o, "method"),
            body: get(&o, "body"),
            content_type: get(&o, "type"),
            key: get(&o, "key"),
        })
        .collect()
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

/// Stages events as index.js does: straight into the module's staging area.
fn stage(events: &[(u32, f64, f64)]) {
    let memory = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>();
    let view = Float64Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        telemetry::staging_ptr(),
        telemetry::staging_events() * 3,
    );
    for (i, &(id, value, ts)) in events.iter().enumerate() {
        view.set_index(3 * i as u32, f64::from(id));
        view.set_index(3 * i as u32 + 1, value);
        view.set_index(3 * i as u32 + 2, ts);
    }
    telemetry::ingest(events.len() as u32);
}

async fn flush() {
    JsFuture::from(telemetry::flush()).await.unwrap();
}

fn setup(tag: &str) {
    install_fetch();
    telemetry::configure(options(&[
        ("metricsEndpoint", format!("/{tag}/metrics").into()),
        ("logsEndpoint", format!("/{tag}/logs").into()),
        ("batchSize", 1000.into()),
        ("logBatchSize", 1000.into()),
    ]));
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.chars().nth(14) == Some('4')
        && s.split('-').map(str::len).eq([8, 4, 4, 4, 12])
}

#[wasm_bindgen_test]
async fn metrics_arrive_as_the_seeds_body() {
    setup("m1");
    let pv = telemetry::add_series(
        "page_views_total",
        Some(r#"{"page":"/cv","user_id":"anonymous"}"#.into()),
    );
    let plain = telemetry::add_series("custom_ms", None);
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
    setup("l1");
    telemetry::set_identity(Some("u-1".into()), Some("s-1".into()));
    telemetry::log(
        1,
        "hello \"world\"",
        Some(r#"{"component":"Upload"}"#.into()),
        None,
        None,
        None,
        0.0,
    );
    telemetry::log(
        3,
        "failed",
        None,
        Some("TypeError".into()),
        Some("x is undefined".into()),
        None,
        1.0,
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
async fn a_failed_flush_keeps_its_batch_and_resends_the_same_bytes() {
    setup("r1");
    let id = telemetry::add_series("retry_total", None);
    stage(&[(id, 1.0, 1.0), (id, 2.0, 2.0)]);
    script_statuses(vec![503, 0]); // a server error, then a network failure
    flush().await;
    flush().await;
    stage(&[(id, 3.0, 3.0)]);
    flush().await; // delivers the kept batch, then the new event
    let s = sent();
    assert_eq!(s.len(), 4, "{s:?}");
    assert!(
        s[..3]
            .iter()
            .all(|r| r.body == s[0].body && r.key == s[0].key),
        "{s:?}"
    );
    assert!(s[0].body.contains(r#""value":1,"#) && s[0].body.contains(r#""value":2,"#));
    assert!(s[3].body.contains(r#""value":3,"#) && s[3].key != s[0].key);
}

#[wasm_bindgen_test]
async fn a_full_batch_is_sent_without_waiting_for_the_timer() {
    setup("b1");
    telemetry::configure(options(&[("batchSize", 2.into())]));
    let id = telemetry::add_series("batch_total", None);
    stage(&[(id, 1.0, 1.0), (id, 2.0, 2.0)]);
    // The request loop starts in a microtask; give it a turn of the event loop.
    JsFuture::from(js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)
            .unwrap();
    }))
    .await
    .unwrap();
    let s = sent();
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].body.matches("batch_total").count(), 2);
}

#[wasm_bindgen_test]
async fn bad_input_is_dropped_and_delivery_goes_on() {
    setup("h1");
    telemetry::configure(JsValue::from_str("not an object"));
    telemetry::configure(options(&[("batchSize", "ten".into())]));
    let id = telemetry::add_series("hostile", None);
    stage(&[
        (id, f64::NAN, 1.0),
        (id, f64::INFINITY, 2.0),
        (999_999, 1.0, 3.0),
        (id, 7.0, 4.0),
    ]);
    telemetry::log(9, &"x".repeat(1 << 20), None, None, None, None, 5.0); // over 64 KiB: dropped
    telemetry::log(1, "after", None, None, None, None, 6.0);
    flush().await;
    let s = sent();
    assert_eq!(s.len(), 2, "{s:?}");
    assert_eq!(
        s[0].body,
        r#"{"metrics":[{"name":"hostile","value":7,"timestamp":4}]}"#
    );
    assert!(s[1].body.contains(r#""message":"after""#) && s[1].body.len() < 1000);
}

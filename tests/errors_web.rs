//! Browser tests of error capture (src/errors.rs), in Chromium and Firefox: the events are
//! dispatched on window as the browser would dispatch them, and what the client sends is read
//! from a stand-in `fetch`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use recoloca_telemetry as telemetry;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function installFetch() {
  globalThis.__bodies = [];
  globalThis.fetch = async (url, init) => {
    globalThis.__bodies.push(new TextDecoder().decode(init.body));
    return new Response(null, { status: 200 });
  };
}
export function bodies() { const b = globalThis.__bodies; globalThis.__bodies = []; return b; }
export function fireError(kind, n) {
  for (let i = 0; i < n; i++) {
    if (kind === 'error') {
      const error = new TypeError('x is undefined', { cause: new RangeError('inner', { cause: 'root reason' }) });
      window.dispatchEvent(new ErrorEvent('error', { error, message: 'Uncaught TypeError: x is undefined', filename: 'https://app.example/main.js', lineno: 12, colno: 34 }));
    } else if (kind === 'script-error') {
      window.dispatchEvent(new ErrorEvent('error', { error: null, message: 'Script error.', filename: '', lineno: 0, colno: 0 }));
    } else if (kind === 'rejection-error') {
      const p = Promise.resolve();
      window.dispatchEvent(new PromiseRejectionEvent('unhandledrejection', { promise: p, reason: new Error('fetch failed') }));
    } else if (kind === 'rejection-value') {
      const p = Promise.resolve();
      window.dispatchEvent(new PromiseRejectionEvent('unhandledrejection', { promise: p, reason: { code: 42, detail: 'x'.repeat(5000) } }));
    } else if (kind === 'storm') {
      window.dispatchEvent(new ErrorEvent('error', { error: new Error('storm ' + i), message: 'storm', filename: 'a.js', lineno: i, colno: 1 }));
    } else if (kind === 'repeat') {
      window.dispatchEvent(new ErrorEvent('error', { error: new SyntaxError('again'), message: 'again', filename: 'r.js', lineno: 7, colno: 7 }));
    } else if (kind === 'deep-stack') {
      const error = new Error('deep');
      error.stack = 'Error: deep\n' + Array.from({ length: 80 }, (_, j) => '    at f' + j + ' (https://app.example/x.js:' + j + ':1)').join('\n');
      window.dispatchEvent(new ErrorEvent('error', { error, message: 'deep', filename: 'x.js', lineno: 1, colno: 1 }));
    }
  }
}
export function failImage() {
  return new Promise((resolve) => {
    const img = document.createElement('img');
    img.onerror = () => setTimeout(resolve, 0);
    img.src = '/definitely-missing-' + Math.random() + '.png';
    document.body.appendChild(img);
  });
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installFetch)]
    fn install_fetch();
    fn bodies() -> Array;
    #[wasm_bindgen(js_name = fireError)]
    fn fire_error(kind: &str, n: u32);
    #[wasm_bindgen(js_name = failImage)]
    fn fail_image() -> js_sys::Promise;
}

/// Every metric and log entry sent since the last call, parsed.
async fn sent() -> (Vec<JsValue>, Vec<JsValue>) {
    JsFuture::from(telemetry::flush()).await.unwrap();
    let mut metrics = Vec::new();
    let mut logs = Vec::new();
    for b in bodies().iter() {
        let v = js_sys::JSON::parse(&b.as_string().unwrap()).unwrap();
        for (key, into) in [("metrics", &mut metrics), ("logs", &mut logs)] {
            if let Ok(list) = Reflect::get(&v, &key.into()) {
                if let Some(a) = list.dyn_ref::<Array>() {
                    into.extend(a.iter());
                }
            }
        }
    }
    (metrics, logs)
}

fn text(v: &JsValue, path: &[&str]) -> String {
    let mut cur = v.clone();
    for k in path {
        cur = Reflect::get(&cur, &(*k).into()).unwrap_or(JsValue::UNDEFINED);
    }
    cur.as_string()
        .or_else(|| cur.as_f64().map(|n| n.to_string()))
        .unwrap_or_default()
}

fn error_counts(metrics: &[JsValue]) -> f64 {
    metrics
        .iter()
        .filter(|m| text(m, &["name"]) == "frontend_errors_total")
        .map(|m| Reflect::get(m, &"value".into()).unwrap().as_f64().unwrap())
        .sum()
}

async fn setup() {
    install_fetch();
    let o = Object::new();
    Reflect::set(&o, &"batchSize".into(), &1000.into()).unwrap();
    Reflect::set(&o, &"logBatchSize".into(), &1000.into()).unwrap();
    telemetry::configure(o.into());
    telemetry::set_identity(Some("u-9".into()), Some("s-9".into()));
    let _ = sent().await;
}

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

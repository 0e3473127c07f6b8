//! What the error capture tests share (errors_web.rs, errors_storm_web.rs): errors dispatched
//! on window as the browser dispatches them, and readers of what the client sent (through the
//! stand-in `fetch` of tests/support).
#![allow(dead_code)]

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use recoloca_telemetry as telemetry;

use crate::support::{bodies, install_fetch};
use crate::watch_support;

#[wasm_bindgen(inline_js = r#"
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
    } else if (kind === 'hostile') {
      // One property that throws must not cost the error: a cause getter that throws, and a
      // rejection whose reason is a revoked proxy.
      const error = new TypeError('hostile getter');
      Object.defineProperty(error, 'cause', { get() { throw new Error('no'); } });
      window.dispatchEvent(new ErrorEvent('error', { error, message: 'hostile', filename: 'h.js', lineno: 3, colno: 4 }));
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      window.dispatchEvent(new PromiseRejectionEvent('unhandledrejection', { promise: Promise.resolve(), reason: proxy }));
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
    #[wasm_bindgen(js_name = fireError)]
    pub fn fire_error(kind: &str, n: u32);
    #[wasm_bindgen(js_name = failImage)]
    pub fn fail_image() -> js_sys::Promise;
}

/// Every metric and log entry sent since the last call, parsed.
pub async fn sent() -> (Vec<JsValue>, Vec<JsValue>) {
    JsFuture::from(watch_support::flush()).await.unwrap();
    let mut metrics = Vec::new();
    let mut logs = Vec::new();
    for b in bodies() {
        let v = js_sys::JSON::parse(&b).unwrap();
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

pub fn text(v: &JsValue, path: &[&str]) -> String {
    let mut cur = v.clone();
    for k in path {
        cur = Reflect::get(&cur, &(*k).into()).unwrap_or(JsValue::UNDEFINED);
    }
    cur.as_string()
        .or_else(|| cur.as_f64().map(|n| n.to_string()))
        .unwrap_or_default()
}

pub fn error_counts(metrics: &[JsValue]) -> f64 {
    metrics
        .iter()
        .filter(|m| text(m, &["name"]) == "frontend_errors_total")
        .map(|m| Reflect::get(m, &"value".into()).unwrap().as_f64().unwrap())
        .sum()
}

pub async fn setup() {
    install_fetch();
    let o = Object::new();
    Reflect::set(&o, &"batchSize".into(), &1000.into()).unwrap();
    Reflect::set(&o, &"logBatchSize".into(), &1000.into()).unwrap();
    watch_support::configure(o.into());
    telemetry::set_identity("u-9".into(), "s-9".into());
    // The second module names the seed's user, localStorage.user_id, in its error metrics.
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("user_id", "u-9").unwrap();
    let _ = sent().await;
}

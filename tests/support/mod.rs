//! What the browser tests share: a stand-in `fetch` that records every request (and answers
//! with scripted statuses), and small helpers.
#![allow(dead_code)]

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use recoloca_telemetry as telemetry;

#[wasm_bindgen(inline_js = r#"
export function installFetch() {
  globalThis.__sent = [];
  globalThis.__status = [];
  globalThis.fetch = async (url, init) => {
    const body = new TextDecoder().decode(init.body);
    const headers = new Headers(init.headers);
    globalThis.__sent.push({ url, method: init.method, body, at: Date.now(),
      type: headers.get('content-type'), key: headers.get('idempotency-key') });
    const next = globalThis.__status.length ? globalThis.__status.shift() : 200;
    const [status, retryAfter] = Array.isArray(next) ? next : [next];
    if (status === 0) throw new TypeError('Failed to fetch');
    if (status === 1) return undefined; // a wrapped fetch that resolves with no response
    return new Response(null, { status, headers: retryAfter ? { 'Retry-After': retryAfter } : {} });
  };
}
export function scriptStatuses(list) { globalThis.__status = Array.from(list); }
export function scriptRetryAfter(status, value) { globalThis.__status = [[status, value]]; }
export function bodies() { return takeSent().map((s) => s.body); }
export function takeSent() { const s = globalThis.__sent; globalThis.__sent = []; return s; }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = installFetch)]
    pub fn install_fetch();
    #[wasm_bindgen(js_name = scriptStatuses)]
    pub fn script_statuses(list: Vec<u32>);
    #[wasm_bindgen(js_name = scriptRetryAfter)]
    pub fn script_retry_after(status: u32, value: &str);
    #[wasm_bindgen(js_name = takeSent)]
    pub fn take_sent() -> Array;
    /// The bodies sent since the last call (and forgets them).
    pub fn bodies() -> Vec<String>;
}

/// A request the stand-in fetch saw.
#[derive(Debug)]
pub struct Sent {
    pub url: String,
    pub method: String,
    pub body: String,
    pub content_type: String,
    pub key: String,
}

/// The requests sent since the last call (and forgets them).
pub fn sent() -> Vec<Sent> {
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

/// A plain object of `configure()` options.
pub fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

pub async fn sleep(ms: i32) {
    JsFuture::from(js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    }))
    .await
    .unwrap();
}

/// `flush()` as index.js makes it: a promise the module resolves once everything is sent (at
/// once when the module could not take the call).
pub fn flush() -> Promise {
    Promise::new(&mut |resolve: Function, _| {
        if !telemetry::flush(resolve.clone()) {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    })
}

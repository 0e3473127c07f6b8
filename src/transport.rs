//! How a batch travels: a `fetch` POST of the batch's exact bytes (aborted after a timeout),
//! or at page exit a keepalive `fetch` or a beacon. Answers come back through a callback (no
//! futures executor: it would cost more bytes than this whole module).

use alloc::boxed::Box;
use alloc::string::String;

use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, Blob, BlobPropertyBag, Headers, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    /// A promise seen only through `then(onFulfilled, onRejected)` with plain functions.
    type Thenable;
    /// The global `fetch`, caught: pages and other SDKs wrap it, and a wrapper that throws
    /// must not unwind through the module while it holds its state.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_caught(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, js_name = then)]
    fn then_either(this: &Thenable, on_fulfilled: &Function, on_rejected: &Function) -> Promise;
}

/// The server's answer to one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status; `None` when there was no answer (network error, reset, timeout).
    pub status: Option<u16>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
}

/// One attempt to make.
pub struct Attempt<'a> {
    pub url: &'a str,
    pub body: &'a [u8],
    pub key: &'a str,
    /// Outlives the page (for page exit); such requests share a 64 KiB budget.
    pub keepalive: bool,
    /// Aborted without an answer after this long (0: never).
    pub timeout_ms: u32,
}

/// POSTs the body as `application/json` with its `Idempotency-Key` and calls `done` with
/// the answer, once, in a later task. Returns `false` (and never calls `done`) when there is
/// no `fetch` to call.
pub fn send(a: &Attempt, done: Box<dyn FnOnce(Answer)>) -> bool {
    let init = RequestInit::new();
    init.set_method("POST");
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("Content-Type", "application/json");
        let _ = headers.set("Idempotency-Key", a.key);
        init.set_headers(&headers);
    }
    init.set_body(&Uint8Array::from(a.body));
    if a.keepalive {
        // Not in web-sys' RequestInit (yet): set the field directly.
        let _ = js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    }
    let mut timer = None;
    if a.timeout_ms > 0 {
        if let Ok(controller) = AbortController::new() {
            init.set_signal(Some(&controller.signal()));
            timer = Some(crate::listen::after(
                a.timeout_ms,
                Box::new(move || controller.abort()),
            ));
        }
    }
    let Ok(promise) = fetch_caught(a.url, &init) else {
        return false;
    };
    // One function serves as both handlers: exactly one of them runs, and it frees itself.
    let settle = Closure::once_into_js(move |v: JsValue| {
        drop(timer); // cancels the abort
        done(match v.dyn_into::<Response>() {
            Ok(resp) => Answer {
                status: Some(resp.status()),
                retry_after: resp.headers().get("Retry-After").ok().flatten(),
            },
            Err(_) => Answer {
                status: None,
                retry_after: None,
            },
        })
    });
    let settle: &Function = settle.unchecked_ref();
    let _ = promise
        .unchecked_ref::<Thenable>()
        .then_either(settle, settle);
    true
}

/// Queues the body with `navigator.sendBeacon`. A beacon cannot carry headers, so the
/// idempotency key travels in the query string (`idempotency_key`). Returns whether the
/// browser took it.
pub fn beacon(url: &str, body: &[u8], key: &str) -> bool {
    let Some(window) = crate::page::window() else {
        return false;
    };
    let parts = Array::of1(&Uint8Array::from(body));
    let options = BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return false;
    };
    let mut full = String::from(url);
    full.push(if url.contains('?') { '&' } else { '?' });
    full.push_str("idempotency_key=");
    full.push_str(key);
    window
        .navigator()
        .send_beacon_with_opt_blob(&full, Some(&blob))
        .unwrap_or(false)
}

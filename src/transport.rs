//! How a batch travels: one `fetch` POST of the batch's exact bytes, reported through a
//! callback (no futures executor: it would cost more bytes than this whole module).

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Headers, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    /// A promise seen only through `then(onFulfilled, onRejected)` with plain functions.
    type Thenable;
    #[wasm_bindgen(method, js_name = then)]
    fn then_either(this: &Thenable, on_fulfilled: &Function, on_rejected: &Function) -> Promise;
}

/// What became of one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered with this status.
    Status(u16),
    /// No answer: the network failed, or fetch is unavailable.
    NetworkError,
}

impl Outcome {
    pub fn delivered(self) -> bool {
        matches!(self, Outcome::Status(200..=299))
    }
}

/// POSTs `body` to `url` as `application/json` with its `Idempotency-Key`, and calls `done`
/// with the outcome once, in a later task. Returns `false` (and never calls `done`) when
/// there is no `fetch` to call.
pub fn send(url: &str, body: &[u8], key: &str, done: impl FnOnce(Outcome) + 'static) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let init = RequestInit::new();
    init.set_method("POST");
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("Content-Type", "application/json");
        let _ = headers.set("Idempotency-Key", key);
        init.set_headers(&headers);
    }
    init.set_body(&Uint8Array::from(body));
    let promise = window.fetch_with_str_and_init(url, &init);
    // One function serves as both handlers: exactly one of them runs, and it frees itself.
    let settle = Closure::once_into_js(move |v: JsValue| {
        done(match v.dyn_into::<Response>() {
            Ok(resp) => Outcome::Status(resp.status()),
            Err(_) => Outcome::NetworkError,
        })
    });
    let settle: &Function = settle.unchecked_ref();
    let _ = promise
        .unchecked_ref::<Thenable>()
        .then_either(settle, settle);
    true
}

//! How a batch travels: a `fetch` POST of its exact bytes, or at page exit a keepalive `fetch`
//! or a beacon. The answer is handed back, as [`Input::Answer`], to whoever asked (the driver);
//! *when* to send and what an answer means are the client's (`src/core/src/delivery.rs`).

use std::cell::RefCell;

use js_sys::{Promise, Reflect, Uint8Array};
use recoloca_telemetry_core::client::{Input, Post, RequestId};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Blob, BlobPropertyBag, Headers};

use crate::property;

#[wasm_bindgen]
extern "C" {
    /// The page's `fetch` as it is at call time (a wrapper the page installs later is used
    /// too). web-sys's `Window::fetch_with_str_and_init` would let an exception a wrapper
    /// throws pass through the module; this one catches it.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch(url: &str, init: &js_sys::Object) -> Result<Promise, JsValue>;
}

thread_local! {
    /// The abort controllers of ordinary requests under way, by request.
    static UNDER_WAY: RefCell<Vec<(RequestId, AbortController)>> = const { RefCell::new(Vec::new()) };
}

/// POSTs the body as `application/json` with its `Idempotency-Key`; the answer goes to
/// `answered` once, in a later task, even when no request could start.
pub fn post(p: Post, answered: fn(Input) -> bool) {
    // The init and its headers as plain records, which `fetch` takes as it takes a
    // `RequestInit` and a `Headers`, set through the one `Reflect.set` binding (which the
    // body's `keepalive` needs anyway: web-sys 0.3 has no setter for it) rather than a
    // binding per field.
    let init = js_sys::Object::new();
    let set = |on: &js_sys::Object, field: &str, value: &JsValue| {
        let _ = Reflect::set(on, &field.into(), value);
    };
    set(&init, "method", &"POST".into());
    let headers = js_sys::Object::new();
    set(&headers, "Content-Type", &"application/json".into());
    set(&headers, "Idempotency-Key", &p.key.as_str().into());
    #[cfg(feature = "otlp")]
    if p.stream.is_otlp() {
        crate::otlp::add_headers(&headers);
    }
    set(&init, "headers", &headers);
    set(&init, "body", &Uint8Array::from(p.body.as_slice()));
    // The OTLP entry's request wrappers leave the client's own deliveries alone.
    #[cfg(feature = "otlp")]
    set(&init, "recolocaTelemetry", &JsValue::TRUE);
    if p.keepalive {
        set(&init, "keepalive", &JsValue::TRUE);
    } else if let Ok(controller) = AbortController::new() {
        set(&init, "signal", &property::get(&controller, "signal"));
        UNDER_WAY.with(|u| {
            if let Ok(mut u) = u.try_borrow_mut() {
                u.push((p.request, controller));
            }
        });
    }
    let started = fetch(&p.url, &init);
    let request = p.request;
    #[cfg(feature = "otlp")]
    let stream = p.stream;
    wasm_bindgen_futures::spawn_local(async move {
        let answer = match started {
            Ok(promise) => JsFuture::from(promise).await.ok(),
            Err(_) => None,
        };
        forget(request);
        let (status, retry_after) = answer.as_ref().map(read).unwrap_or((None, None));
        answered(Input::Answer {
            request,
            status,
            retry_after: retry_after.as_deref(),
        });
        // A collector that took an OTLP batch may say it refused part of it: read after the
        // answer is handed over, so that a slow body never makes the client give up on (and
        // send again) a batch the collector took.
        #[cfg(feature = "otlp")]
        if stream.is_otlp() && status.is_some_and(|s| (200..300).contains(&s)) {
            if let Some(response) = answer.as_ref() {
                let count = crate::otlp::rejected(&json_body(response).await);
                if count > 0 {
                    answered(Input::Rejected { stream, count });
                }
            }
        }
    });
}

/// The status and `Retry-After` of what `fetch` resolved with. A page's wrapper of `fetch`
/// may resolve with anything: what is not a response with a status reads as no answer.
fn read(response: &JsValue) -> (Option<u16>, Option<String>) {
    let status = Some(property::number(response, "status"))
        .filter(|s| (0.0..=65535.0).contains(s))
        .map(|s| s as u16);
    // Not checked to be a `Headers`: `get` is called caught, and whatever it throws (on
    // anything that is none, undefined included) reads as no header.
    let headers = property::get(response, "headers");
    let retry_after = headers
        .unchecked_ref::<Headers>()
        .get("Retry-After")
        .ok()
        .flatten();
    (status, retry_after)
}

/// The answer's body as JSON (undefined when it has none, or it is not JSON).
#[cfg(feature = "otlp")]
async fn json_body(response: &JsValue) -> JsValue {
    let Some(r) = response.dyn_ref::<web_sys::Response>() else {
        return JsValue::UNDEFINED;
    };
    match r.json() {
        Ok(p) => JsFuture::from(p).await.unwrap_or(JsValue::UNDEFINED),
        Err(_) => JsValue::UNDEFINED,
    }
}

/// Ends request `request`'s attempt (the client gave up waiting for it).
pub fn abort(request: RequestId) {
    if let Some(controller) = forget(request) {
        controller.abort();
    }
}

fn forget(request: RequestId) -> Option<AbortController> {
    UNDER_WAY.with(|u| {
        let mut u = u.try_borrow_mut().ok()?;
        let i = u.iter().position(|(r, _)| *r == request)?;
        Some(u.swap_remove(i).1)
    })
}

/// Queues the body with `navigator.sendBeacon`. Whether the browser took it.
pub fn beacon(url: &str, body: &[u8]) -> bool {
    let Some(navigator) = crate::property::of_window::<web_sys::Navigator>("navigator") else {
        return false;
    };
    // (A plain record, as for `fetch`: no binding for `type`'s setter.)
    let options = js_sys::Object::new();
    let _ = Reflect::set(&options, &"type".into(), &"application/json".into());
    let parts = js_sys::Array::of1(&Uint8Array::from(body));
    let options = options.unchecked_into::<BlobPropertyBag>();
    let Ok(blob) = Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return false;
    };
    navigator
        .send_beacon_with_opt_blob(url, Some(&blob))
        .unwrap_or(false)
}

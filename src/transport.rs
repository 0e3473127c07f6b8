//! How a batch travels: one `fetch` POST of the batch's exact bytes.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

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

/// Everything one attempt needs, copied out of the client state so that no borrow of it is
/// held while the request is under way.
pub struct Request {
    pub url: String,
    pub body: Uint8Array,
    pub key: String,
}

impl Request {
    pub fn new(url: &str, body: &[u8], key: &str) -> Self {
        Request {
            url: url.into(),
            body: Uint8Array::from(body),
            key: key.into(),
        }
    }
}

/// POSTs the body as `application/json` with its `Idempotency-Key`, and reports the outcome.
pub async fn send(req: Request) -> Outcome {
    let Some(window) = web_sys::window() else {
        return Outcome::NetworkError;
    };
    let init = RequestInit::new();
    init.set_method("POST");
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("Content-Type", "application/json");
        let _ = headers.set("Idempotency-Key", &req.key);
        init.set_headers(&headers);
    }
    init.set_body(&req.body);
    let promise = window.fetch_with_str_and_init(&req.url, &init);
    match JsFuture::from(promise).await {
        Ok(value) => match value.dyn_into::<Response>() {
            Ok(resp) => Outcome::Status(resp.status()),
            Err(_) => Outcome::NetworkError,
        },
        Err(_) => Outcome::NetworkError,
    }
}

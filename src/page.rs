//! The page's globals, through two static imports instead of js-sys' global-object lookup
//! (four accessors behind `web_sys::window()`), which made the module larger.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::Window;

#[wasm_bindgen]
extern "C" {
    /// `window`, or `None` where there is none (Node, a worker).
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Option<Window>;
    /// `globalThis`.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: Option<JsValue>;
}

/// The page's window; `None` when `window` is missing or is not a `Window` (a test shim),
/// whose methods the glue would call and fail on.
pub fn window() -> Option<Window> {
    WINDOW
        .with(Clone::clone)
        .filter(|w| wasm_bindgen::JsCast::is_instance_of::<Window>(w))
}

/// A property of the global object (`undefined` when it has none).
pub fn global(key: &str) -> JsValue {
    GLOBAL_THIS
        .with(|g| {
            g.as_ref()
                .and_then(|g| js_sys::Reflect::get(g, &key.into()).ok())
        })
        .unwrap_or(JsValue::UNDEFINED)
}

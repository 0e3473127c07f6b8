//! The page's globals, read once. `web_sys::window()` finds the window through four global
//! accessors and an `instanceof` check on every call; these are two plain reads.

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

pub fn window() -> Option<Window> {
    WINDOW.with(Clone::clone)
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

//! The client's console warnings: handed to index.js's `warnOnce`, which says each once, with
//! the package's name, as it says its own (one place decides how a warning reads; the module
//! needs no binding of `console.warn` and no list of what it said).

use std::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::JsValue;

thread_local! {
    static WARN: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Sets where warnings go (`None`: nowhere, as for a module used without index.js).
pub fn set(warn: Option<Function>) {
    WARN.with(|w| {
        if let Ok(mut w) = w.try_borrow_mut() {
            *w = warn;
        }
    });
}

/// Says `message`, once per page (index.js keeps count); a function that throws is not ours
/// to report.
pub fn warn_once(message: &str) {
    let warn = WARN.with(|w| w.try_borrow().ok()?.clone());
    if let Some(f) = warn {
        let _ = f.call1(&JsValue::UNDEFINED, &JsValue::from_str(message));
    }
}

//! The one function the module calls index.js by (`start`'s argument): told `false` before the
//! client hears of an event of the page (index.js hands over the metric events it staged, so
//! that the client sees every call in the order it was made), `true` before a hide (the second
//! module's page timings are recorded then), and a text for a warning (said once, as index.js
//! says its own).

use std::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::JsValue;

thread_local! {
    static SHELL: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Sets the function (`None`: nothing is told, as for a module used without index.js).
pub fn set(f: Option<Function>) {
    SHELL.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            *s = f;
        }
    });
}

/// Tells index.js `what`. A function that throws is not the page's problem.
pub fn tell(what: &JsValue) {
    let f = SHELL.with(|s| s.try_borrow().ok()?.clone());
    if let Some(f) = f {
        let _ = f.call1(&JsValue::UNDEFINED, what);
    }
}

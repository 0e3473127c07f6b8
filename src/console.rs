//! The client's console warnings: each said once per page, with the package's name.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `console.warn`, caught: a console that throws (a test helper failing on warnings) is
    /// not ours to report, and must not stop what the client was doing.
    #[wasm_bindgen(catch, js_namespace = console, js_name = warn)]
    fn console_warn(message: &str) -> Result<(), JsValue>;
}

thread_local! {
    static SAID: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Says `message` on the console, the first time it comes up.
pub fn warn_once(message: &str) {
    let new = SAID.with(|s| {
        let Ok(mut s) = s.try_borrow_mut() else {
            return false;
        };
        let new = !s.iter().any(|m| m == message);
        if new {
            s.push(message.into());
        }
        new
    });
    if new {
        let mut line = String::from("[@recoloca/telemetry] ");
        line.push_str(message);
        let _ = console_warn(&line);
    }
}

//! The client's console warnings: told to index.js (through the one function the module
//! calls it by, see `driver::tell`), whose `warnOnce` says each once, with the package's name,
//! as it says its own: the module needs no binding of `console.warn` and no list of what it
//! said.

use wasm_bindgen::JsValue;

use crate::driver;

/// Says `message`, once per page (index.js keeps count).
pub fn warn_once(message: &str) {
    driver::tell(&JsValue::from_str(message));
}

//! The client's console warnings: told to index.js ([`crate::shell`]), whose `warnOnce` says
//! each once, with the package's name, as it says its own: the module needs no binding of
//! `console.warn` and no list of what it said.

use wasm_bindgen::JsValue;

use crate::shell;

/// Says `message`, once per page (index.js keeps count).
pub fn warn_once(message: &str) {
    shell::tell(&JsValue::from_str(message));
}

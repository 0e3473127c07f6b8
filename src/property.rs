//! Reading a property of a page object by name: where web-sys has no getter, or where its
//! getter of a string would cost the glue a conversion of its own. A throwing getter or a
//! revoked proxy reads as an absence, never as an exception crossing the module.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

/// `v[key]`; undefined where `v` is not an object or reading it throws.
pub fn get(v: &JsValue, key: &str) -> JsValue {
    if !v.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The page's global object, `window`, as js-sys finds it. (web-sys's `window()` checks it
/// with `instanceof Window`, a binding of its own.)
#[allow(dead_code)] // (the second module, which shares this file, reads none of them)
pub fn window() -> JsValue {
    js_sys::global().into()
}

/// `window[key]` (`performance`, `crypto`, `document`, `navigator`, `localStorage`) as the type
/// web-sys gives it, if it is an object. Read through the one `Reflect.get` binding rather
/// than web-sys's getters: each getter is a binding of its own, about 55 bytes of the main
/// entry (README, "Building").
#[allow(dead_code)]
pub fn of_window<T: JsCast>(key: &str) -> Option<T> {
    let v = get(&window(), key);
    v.is_object().then(|| v.unchecked_into())
}

/// `v[key]` if it is a string.
pub fn text(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

/// `v[key]` if it is a number, else NaN.
pub fn number(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().unwrap_or(f64::NAN)
}

/// Whether `v[key]` is `true`.
pub fn is_true(v: &JsValue, key: &str) -> bool {
    get(v, key) == JsValue::TRUE
}

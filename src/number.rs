//! A number as the JavaScript engine prints it: what the core's JSON writer asks for the rare
//! number whose shortest form it does not find itself (`json::NumberFallback`). Shared by the
//! two modules (the main one's `driver.rs`, the second one's `lib.rs`).

pub fn engine_number(v: f64, out: &mut Vec<u8>) {
    if let Ok(text) = js_sys::Number::from(v).to_string_with_radix(10) {
        out.extend_from_slice(String::from(text).as_bytes());
    }
}

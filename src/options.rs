//! Reading a `configure()` object into the core's [`Options`]: each option looked up by name
//! and checked for its type, so that one mistyped option is dropped with one warning and the
//! others still apply.
//!
//! Read with js-sys (`Reflect`) rather than serde-wasm-bindgen: a derived `Deserialize` fails
//! the whole object on one bad field, and serde's error formatting costs the module more than
//! the rest of the client's input handling (README, "Building", has the figure).

use recoloca_telemetry_core::config::{Options, Value, NAMES, TYPES};
use recoloca_telemetry_core::text;
use wasm_bindgen::JsValue;

use crate::{console, property};

/// The options `o` names. `None` when it is not an object.
pub fn read(o: &JsValue) -> Option<Options> {
    if !o.is_object() {
        console::warn_once("configure() takes an object; ignored");
        return None;
    }
    let mut given = Options::new();
    for (i, (name, kind)) in text::split(NAMES, 0).zip(TYPES.bytes()).enumerate() {
        // A getter that throws reads as absent.
        let v = property::get(o, name);
        // (Compared with `null`, `true` and `false` rather than asked `is_null()` or
        // `as_bool()`: one binding of the glue serves all three.)
        // With OTLP, `metricsEndpoint: null` or `logsEndpoint: null` turns that stream off
        // (an empty endpoint, `config.rs`); otherwise `null` means "as it is".
        let off = cfg!(feature = "otlp") && v == JsValue::NULL && name.ends_with("sEndpoint");
        if off {
            given.push((i, Value::Text(String::new())));
            continue;
        }
        if v.is_undefined() || v == JsValue::NULL {
            continue;
        }
        let value = match kind {
            b's' => v.as_string().map(Value::Text),
            b'n' => v.as_f64().map(Value::Number),
            _ => [JsValue::FALSE, JsValue::TRUE]
                .iter()
                .position(|b| v == *b)
                .map(|i| Value::Number(i as f64)),
        };
        match value {
            Some(value) => given.push((i, value)),
            None => mistyped(name, kind),
        }
    }
    Some(given)
}

fn mistyped(name: &str, kind: u8) {
    let mut msg = String::from("configure(): ");
    msg.push_str(name);
    msg.push_str(match kind {
        b's' => " must be a string",
        b'n' => " must be a number",
        _ => " must be true or false",
    });
    msg.push_str("; it was ignored");
    console::warn_once(&msg);
}

//! What the OTLP export needs of the page (the `otlp` feature, the `@recoloca/telemetry/otlp`
//! entry): the page's labels and context read as values (OTLP attributes have types, where the
//! seed's JSON text has none), the `otlpHeaders` every OTLP request carries, and the
//! `partialSuccess` of a collector's answer. The bodies themselves are the core's
//! (`src/core/src/otlp.rs`).

use std::cell::RefCell;

use js_sys::{Array, Object, JSON};
use recoloca_telemetry_core::otlp::Value;
use wasm_bindgen::{JsCast, JsValue};

use crate::property;

thread_local! {
    /// `otlpHeaders`, as `configure()` last gave them: (name, value) pairs.
    static HEADERS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// The fields of a JSON object's text (a metric's labels, a log entry's context, as
/// `JSON.stringify` wrote them) as values: strings, booleans and numbers as they are, nested
/// objects and arrays as their JSON text, `null` left out. Nothing for anything but an object.
pub fn values(json: Option<&str>) -> Vec<(String, Value)> {
    let Some(parsed) = json.and_then(|t| JSON::parse(t).ok()) else {
        return Vec::new();
    };
    if !parsed.is_object() || Array::is_array(&parsed) {
        return Vec::new();
    }
    Object::entries(parsed.unchecked_ref())
        .iter()
        .filter_map(|pair| {
            let pair: Array = pair.unchecked_into();
            let (key, v) = (pair.get(0).as_string()?, pair.get(1));
            let value = if let Some(s) = v.as_string() {
                Value::Text(s)
            } else if let Some(b) = v.as_bool() {
                Value::Bool(b)
            } else if let Some(n) = v.as_f64() {
                Value::Number(n)
            } else if v.is_object() {
                Value::Text(JSON::stringify(&v).ok()?.as_string()?)
            } else {
                return None;
            };
            Some((key, value))
        })
        .collect()
}

/// Takes `otlpHeaders` from `configure()`'s options, when they name it: an object of strings
/// (a value of another type is left out with a warning).
pub fn configure(options: &JsValue) {
    let given = property::get(options, "otlpHeaders");
    if given.is_undefined() {
        return;
    }
    let mut headers = Vec::new();
    if given.is_object() {
        for pair in Object::entries(given.unchecked_ref()).iter() {
            let pair: Array = pair.unchecked_into();
            match (pair.get(0).as_string(), pair.get(1).as_string()) {
                (Some(k), Some(v)) => headers.push((k, v)),
                _ => crate::console::warn_once(
                    "configure(): otlpHeaders takes strings only; a header was ignored",
                ),
            }
        }
    } else if given != JsValue::NULL {
        crate::console::warn_once("configure(): otlpHeaders must be an object; it was ignored");
    }
    HEADERS.with(|h| {
        if let Ok(mut h) = h.try_borrow_mut() {
            *h = headers;
        }
    });
}

/// Sets `otlpHeaders` on a request's headers (a plain object).
pub fn add_headers(headers: &Object) {
    HEADERS.with(|h| {
        let Ok(h) = h.try_borrow() else {
            return;
        };
        for (k, v) in h.iter() {
            let _ = js_sys::Reflect::set(headers, &k.into(), &v.into());
        }
    });
}

/// The `rejectedDataPoints` or `rejectedLogRecords` of a collector's answer body (JSON):
/// what it refused of a batch it otherwise took. 0 for none, or a body it cannot read.
pub fn rejected(body: &JsValue) -> u64 {
    let partial = property::get(body, "partialSuccess");
    ["rejectedDataPoints", "rejectedLogRecords"]
        .iter()
        .map(|field| {
            // OTLP/JSON writes an int64 as a string or a number.
            let v = property::get(&partial, field);
            v.as_f64()
                .or_else(|| {
                    v.as_string()
                        .and_then(|s| recoloca_telemetry_core::text::number(&s))
                        .map(|n| n as f64)
                })
                .filter(|n| n.is_finite() && *n > 0.0)
                .map_or(0, |n| n.min(1e15) as u64)
        })
        .sum()
}

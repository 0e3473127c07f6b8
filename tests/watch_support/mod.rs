//! The two modules wired together as index.js wires them, for the browser tests of error
//! capture and page timings (errors_web.rs, errors_storm_web.rs, vitals_web.rs): the second
//! module's reports go into the main one like the page's own calls, it hears of a hide before
//! the main module acts on it, and of the options after each `configure()`.
#![allow(dead_code)]

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use recoloca_telemetry as telemetry;
use recoloca_telemetry_watch as watch;

/// Starts the main module with index.js's hook and gives the second one its reports' way in.
pub fn wire() {
    let hook = Closure::<dyn Fn(JsValue)>::new(|hiding: JsValue| {
        if hiding.as_bool() == Some(true) {
            watch::hidden();
        }
    });
    telemetry::start(Some(hook.into_js_value().unchecked_into()));
    let metric = Closure::<dyn Fn(JsValue, f64, JsValue)>::new(|name, value, labels| {
        let id = telemetry::add_series(name, labels);
        telemetry::ingest(&[f64::from(id), value, js_sys::Date::now()]);
    });
    let log =
        Closure::<dyn Fn(u32, JsValue, JsValue, JsValue)>::new(|level, message, context, error| {
            // As index.js does: the time, and the engine's text of it.
            let now = js_sys::Date::now();
            let iso = js_sys::Date::new(&now.into()).to_iso_string();
            telemetry::log(level, message, context, error, now, iso.into());
        });
    watch::watch(as_function(metric), as_function(log));
    sync();
}

fn as_function<T: ?Sized + wasm_bindgen::closure::WasmClosure>(c: Closure<T>) -> Function {
    c.into_js_value().unchecked_into()
}

/// Tells the second module what the options say now.
fn sync() {
    let wants = telemetry::features();
    watch::set_features(wants & 1 != 0, wants & 2 != 0, JsValue::UNDEFINED);
}

/// `configure()` as index.js makes it.
pub fn configure(options: JsValue) {
    wire_once();
    telemetry::configure(options);
    sync();
}

/// `flush()` as index.js makes it: the counted errors first.
pub fn flush() -> Promise {
    wire_once();
    watch::report();
    crate::support::flush()
}

thread_local! {
    static WIRED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub fn wire_once() {
    if !WIRED.with(|w| w.replace(true)) {
        wire();
    }
}

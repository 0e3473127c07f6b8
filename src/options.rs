//! Reading a `configure()` object field by field.
//!
//! A hand-written reader rather than serde-wasm-bindgen: it lets one mistyped option be
//! dropped on its own (the others still apply), and it keeps serde's error formatting and
//! Rust's float printing out of the module, about 20 kB of the 20 kB budget.

use alloc::string::String;

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::config::Options;

/// The value of `key` in `obj`, unless absent, `undefined` or `null` (or its getter throws).
fn field(obj: &JsValue, key: &str) -> Option<JsValue> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).ok()?;
    if v.is_undefined() || v.is_null() {
        None
    } else {
        Some(v)
    }
}

fn number(obj: &JsValue, key: &str) -> Option<f64> {
    let v = field(obj, key)?;
    let n = v.as_f64();
    if n.is_none() {
        mistyped(key, "a number");
    }
    n
}

fn text(obj: &JsValue, key: &str) -> Option<String> {
    let v = field(obj, key)?;
    let s = v.as_string();
    if s.is_none() {
        mistyped(key, "a string");
    }
    s
}

fn boolean(obj: &JsValue, key: &str) -> Option<bool> {
    let v = field(obj, key)?;
    let b = v.as_bool();
    if b.is_none() {
        mistyped(key, "true or false");
    }
    b
}

fn mistyped(key: &str, want: &str) {
    let mut msg = String::from("configure(): ");
    msg.push_str(key);
    msg.push_str(" must be ");
    msg.push_str(want);
    msg.push_str("; it was ignored");
    crate::warn(&msg);
}

/// The options named in `obj`; anything that is not an object names none.
pub fn read(obj: &JsValue) -> Options {
    if !obj.is_object() {
        crate::warn("configure() takes an object; ignored");
        return Options::default();
    }
    Options {
        metrics_endpoint: text(obj, "metricsEndpoint"),
        batch_size: number(obj, "batchSize"),
        flush_interval_ms: number(obj, "flushIntervalMs"),
        logs_endpoint: text(obj, "logsEndpoint"),
        log_batch_size: number(obj, "logBatchSize"),
        log_flush_interval_ms: number(obj, "logFlushIntervalMs"),
        service: text(obj, "service"),
        version: text(obj, "version"),
        environment: text(obj, "environment"),
        retry_initial_ms: number(obj, "retryInitialMs"),
        retry_max_ms: number(obj, "retryMaxMs"),
        max_buffered_events: number(obj, "maxBufferedEvents"),
        max_buffered_bytes: number(obj, "maxBufferedBytes"),
        max_request_bytes: number(obj, "maxRequestBytes"),
        request_timeout_ms: number(obj, "requestTimeoutMs"),
        retry_max_attempts: number(obj, "retryMaxAttempts"),
        max_persisted_bytes: number(obj, "maxPersistedBytes"),
        capture_errors: boolean(obj, "captureErrors"),
        observe_performance: boolean(obj, "observePerformance"),
    }
}

//! A value of the page's labels or log context, as OTLP attributes carry it (`otlp.rs`): apart
//! from the OTLP code so that a log entry (`log::Entry`) can hold its context's values in every
//! build, while the OTLP code is compiled only with the `otlp` feature.

use alloc::string::String;

/// A label or context value as the page gave it (the browser layer reads it from the page's
/// object; nested objects and arrays arrive as their JSON text).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Bool(bool),
    Number(f64),
}

//! The wire records: one metric event and one log entry, field for field what the seed's
//! `MetricsCollector` and `Logger` hand to `JSON.stringify`, declared as serde structs and
//! written by serde_json as JavaScript would write them ([`crate::json::JsFormatter`]).
//!
//! Two values arrive as JSON text the JavaScript engine already wrote: a metric's labels and a
//! log entry's context (`JSON.stringify` of the page's own object, so its key order, `toJSON`
//! and escapes are exactly the seed's). They are [`JsonText`], copied into the record as they
//! are. (serde_json's own `RawValue` would parse each one again to check it: its parser, with
//! the float formatting of its error messages, costs the module about 16 kB gzip.)
//!
//! As with `JSON.stringify`, a field whose value is missing is left out entirely: a metric
//! without labels has no `labels`, and a log entry has `context`, `error`, `user_id` and
//! `session_id` only when it has them (`request_id` never: the seed never sets one).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// `{name, value, labels?, timestamp}` of the seed's `Metric`.
#[derive(Serialize)]
pub struct Metric<'a, L> {
    pub name: &'a str,
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<L>,
    /// Epoch ms.
    pub timestamp: f64,
}

/// Labels the client makes itself (its own counters, captured errors): written as an object
/// of string values in the order given.
pub struct Labels<'a>(pub &'a [(&'a str, &'a str)]);

impl Serialize for Labels<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The seed's `LogEntry`, in its field order.
#[derive(Serialize)]
pub struct LogEntry<'a> {
    pub timestamp: &'a str,
    /// `debug`, `info`, `warn` or `error`.
    pub level: &'a str,
    pub message: &'a str,
    pub service: &'a str,
    pub version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<JsonText<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorRecord<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<&'a str>,
    /// The page's current trace id (32 hex digits, as JSON text with its quotes): a real one
    /// only, never made up (the `traces` feature).
    #[cfg(feature = "traces")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<JsonText<'a>>,
}

/// A log entry's `error`.
#[derive(Serialize)]
pub struct ErrorRecord<'a> {
    pub name: &'a str,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<&'a str>,
}

/// The context of a captured error: where it was thrown and what caused it.
#[derive(Serialize)]
pub struct ErrorContext<'a> {
    /// `global` (an error event) or `promise` (an unhandled rejection).
    pub component: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source<'a>>,
    /// `{name, message}` of each `cause`, outermost first; left out when there is none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub cause: &'a [Cause<'a>],
}

/// Where an error event says its error was thrown.
#[derive(Serialize)]
pub struct Source<'a> {
    pub file: &'a str,
    pub line: f64,
    pub column: f64,
}

/// One link of an error's `cause` chain.
#[derive(Serialize)]
pub struct Cause<'a> {
    pub name: &'a str,
    pub message: &'a str,
}

/// JSON text the JavaScript engine wrote (`JSON.stringify` in `pkg-template/index.js`), copied
/// into a record as it is. It is serialized as bytes, which [`crate::json::JsFormatter`] writes
/// verbatim: serde's data model has no "already JSON" value, and a formatter decides how bytes
/// are spelled.
#[derive(Clone, Copy)]
pub struct JsonText<'a>(pub &'a str);

impl Serialize for JsonText<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0.as_bytes())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "wire_tests.rs"]
mod tests;

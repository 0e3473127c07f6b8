//! Log entries: one `logger.*` call as the client receives it, and the page's stamp (service,
//! version, user, session), written together as the seed's `LogEntry` ([`crate::wire`]).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::json::{self, NumberFallback};
use crate::wire::{self, JsonText};

/// The four levels, in the order the JavaScript side numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

impl Level {
    pub fn from_index(i: u32) -> Option<Level> {
        match i {
            0 => Some(Level::Debug),
            1 => Some(Level::Info),
            2 => Some(Level::Warn),
            3 => Some(Level::Error),
            _ => None,
        }
    }

    /// As the wire format spells it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// The `error` object of an entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorInfo<'a> {
    pub name: &'a str,
    pub message: &'a str,
    pub stack: Option<&'a str>,
}

/// One call to the logger, with its context as the JSON text `JSON.stringify` wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<'a> {
    pub epoch_ms: f64,
    /// The same time as `Date.prototype.toISOString` writes it (the engine's: see index.js).
    pub timestamp: &'a str,
    pub level: Level,
    pub message: &'a str,
    pub context_json: Option<&'a str>,
    pub error: Option<ErrorInfo<'a>>,
    /// The context's fields as values, for OTLP's attributes (empty without OTLP).
    pub context: &'a [(String, crate::attribute::Value)],
}

/// What every entry of this page carries: service and version (from `configure`), the user and
/// the session.
#[derive(Clone, Debug, Default)]
pub struct Stamp {
    service: String,
    version: String,
    user_id: Option<String>,
    session_id: Option<String>,
    /// The page's current trace (its load's), which entries name as `trace_id`.
    #[cfg(feature = "traces")]
    trace_id: Option<[u8; 16]>,
}

impl Stamp {
    pub fn set_service(&mut self, service: &str, version: &str) {
        self.service = service.to_string();
        self.version = version.to_string();
    }

    /// Sets the trace later entries name.
    #[cfg(feature = "traces")]
    pub fn set_trace(&mut self, trace_id: Option<[u8; 16]>) {
        self.trace_id = trace_id;
    }

    /// The current trace, if any.
    pub fn trace(&self) -> Option<[u8; 16]> {
        #[cfg(feature = "traces")]
        return self.trace_id;
        #[cfg(not(feature = "traces"))]
        None
    }

    /// The user and the session, if known.
    pub fn identity(&self) -> (Option<&str>, Option<&str>) {
        (self.user_id.as_deref(), self.session_id.as_deref())
    }

    pub fn set_identity(&mut self, user_id: Option<&str>, session_id: Option<&str>) {
        self.user_id = user_id.map(String::from);
        self.session_id = session_id.map(String::from);
    }
}

/// Appends `entry` as one JSON object.
pub fn encode(out: &mut Vec<u8>, entry: &Entry, stamp: &Stamp, number: NumberFallback) -> bool {
    #[cfg(feature = "traces")]
    let trace_text = stamp.trace_id.map(|t| {
        let mut s = String::from("\"");
        crate::trace::hex(&mut s, &t);
        s.push('"');
        s
    });
    let record = wire::LogEntry {
        timestamp: entry.timestamp,
        level: entry.level.name(),
        message: entry.message,
        service: &stamp.service,
        version: &stamp.version,
        context: entry.context_json.map(JsonText),
        error: entry.error.as_ref().map(|e| wire::ErrorRecord {
            name: e.name,
            message: e.message,
            stack: e.stack,
        }),
        user_id: stamp.user_id.as_deref(),
        session_id: stamp.session_id.as_deref(),
        #[cfg(feature = "traces")]
        trace_id: trace_text.as_deref().map(JsonText),
    };
    json::write(out, &record, number)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "log_tests.rs"]
mod tests;

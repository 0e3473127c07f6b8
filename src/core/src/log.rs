//! Log entries: the seed's `LogEntry`, encoded in its field order.
//!
//! `{"timestamp":"<ISO-8601>","level":…,"message":…,"service":…,"version":…,"context":{…},
//! "error":{"name":…,"message":…,"stack":…},"user_id":…,"session_id":…}`. As with
//! `JSON.stringify`, a field whose value is missing is left out entirely (`request_id` always is:
//! the seed never has one).

use alloc::vec::Vec;

use crate::json;

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

    fn json(self) -> &'static [u8] {
        match self {
            Level::Debug => b"\"debug\"",
            Level::Info => b"\"info\"",
            Level::Warn => b"\"warn\"",
            Level::Error => b"\"error\"",
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

/// One call to the logger, with its context already as JSON text.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<'a> {
    pub epoch_ms: f64,
    pub level: Level,
    pub message: &'a str,
    pub context_json: Option<&'a [u8]>,
    pub error: Option<ErrorInfo<'a>>,
}

/// What every entry of this page carries: service and version (from `configure`), the user and
/// the session. Kept pre-encoded, since it changes rarely and is written into every entry.
#[derive(Clone, Debug, Default)]
pub struct Stamp {
    /// `,"service":"…","version":"…"`
    service_version: Vec<u8>,
    /// `,"user_id":"…","session_id":"…"` (each left out when unknown)
    identity: Vec<u8>,
}

impl Stamp {
    pub fn set_service(&mut self, service: &str, version: &str) {
        let v = &mut self.service_version;
        v.clear();
        v.extend_from_slice(b",\"service\":");
        json::write_str(v, service);
        v.extend_from_slice(b",\"version\":");
        json::write_str(v, version);
    }

    pub fn set_identity(&mut self, user_id: Option<&str>, session_id: Option<&str>) {
        let v = &mut self.identity;
        v.clear();
        if let Some(u) = user_id {
            v.extend_from_slice(b",\"user_id\":");
            json::write_str(v, u);
        }
        if let Some(s) = session_id {
            v.extend_from_slice(b",\"session_id\":");
            json::write_str(v, s);
        }
    }
}

/// Appends `entry` as one JSON object.
pub fn encode(out: &mut Vec<u8>, entry: &Entry, stamp: &Stamp) {
    out.extend_from_slice(b"{\"timestamp\":");
    json::write_iso8601(out, entry.epoch_ms);
    out.extend_from_slice(b",\"level\":");
    out.extend_from_slice(entry.level.json());
    out.extend_from_slice(b",\"message\":");
    json::write_str(out, entry.message);
    out.extend_from_slice(&stamp.service_version);
    if let Some(ctx) = entry.context_json {
        out.extend_from_slice(b",\"context\":");
        out.extend_from_slice(ctx);
    }
    if let Some(e) = &entry.error {
        out.extend_from_slice(b",\"error\":{\"name\":");
        json::write_str(out, e.name);
        out.extend_from_slice(b",\"message\":");
        json::write_str(out, e.message);
        if let Some(stack) = e.stack {
            out.extend_from_slice(b",\"stack\":");
            json::write_str(out, stack);
        }
        out.push(b'}');
    }
    out.extend_from_slice(&stamp.identity);
    out.push(b'}');
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "log_tests.rs"]
mod tests;

//! Log entries: the seed's `LogEntry`, encoded in its field order.
//!
//! `{"timestamp":"<ISO-8601>","level":…,"message":…,"service":…,"version":…,"context":{…},
//! "error":{"name":…,"message":…,"stack":…},"user_id":…,"session_id":…}`. As with
//! `JSON.stringify`, a field whose value is missing is left out entirely (`request_id` always is:
//! the seed never has one).

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
    pub context_json: Option<&'a str>,
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
    pub fn new(service: &str, version: &str) -> Self {
        let mut s = Stamp::default();
        s.set_service(service, version);
        s
    }

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
        out.extend_from_slice(ctx.as_bytes());
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
mod tests {
    use super::*;

    fn text(entry: &Entry, stamp: &Stamp) -> String {
        let mut out = Vec::new();
        encode(&mut out, entry, stamp);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_info_entry_has_the_seeds_fields_in_order() {
        let mut stamp = Stamp::new("recoloca-frontend", "1.0.0");
        stamp.set_identity(None, Some("5f0c6c1e-0000-4000-8000-000000000001"));
        let e = Entry {
            epoch_ms: 1_764_166_892_123.0,
            level: Level::Info,
            message: "CV uploaded",
            context_json: Some(r#"{"component":"Upload","size":3}"#),
            error: None,
        };
        assert_eq!(
            text(&e, &stamp),
            r#"{"timestamp":"2025-11-26T14:21:32.123Z","level":"info","message":"CV uploaded","service":"recoloca-frontend","version":"1.0.0","context":{"component":"Upload","size":3},"session_id":"5f0c6c1e-0000-4000-8000-000000000001"}"#
        );
    }

    #[test]
    fn an_error_entry_carries_the_error_and_the_user() {
        let mut stamp = Stamp::new("svc", "2");
        stamp.set_identity(Some("u-7"), Some("s"));
        let e = Entry {
            epoch_ms: 0.0,
            level: Level::Error,
            message: "boom",
            context_json: None,
            error: Some(ErrorInfo {
                name: "TypeError",
                message: "x is \"undefined\"",
                stack: Some("TypeError: x\n    at f (a.js:1:2)"),
            }),
        };
        assert_eq!(
            text(&e, &stamp),
            r#"{"timestamp":"1970-01-01T00:00:00.000Z","level":"error","message":"boom","service":"svc","version":"2","error":{"name":"TypeError","message":"x is \"undefined\"","stack":"TypeError: x\n    at f (a.js:1:2)"},"user_id":"u-7","session_id":"s"}"#
        );
    }

    #[test]
    fn levels_round_trip_their_index() {
        for l in [Level::Debug, Level::Info, Level::Warn, Level::Error] {
            assert_eq!(Level::from_index(l as u32), Some(l));
        }
        assert_eq!(Level::from_index(4), None);
    }
}

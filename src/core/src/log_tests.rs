//! Native unit tests of `src/log.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

fn text(entry: &Entry, stamp: &Stamp) -> String {
    let mut out = Vec::new();
    assert!(encode(&mut out, entry, stamp, json::format_natively));
    String::from_utf8(out).unwrap()
}

/// A stamp as the client makes it: the defaults', then `configure()`'s service and version.
fn stamp(service: &str, version: &str) -> Stamp {
    let mut s = Stamp::default();
    s.set_service(service, version);
    s
}

#[test]
fn an_info_entry_has_the_seeds_fields_in_order() {
    let mut stamp = stamp("recoloca-frontend", "1.0.0");
    stamp.set_identity(None, Some("5f0c6c1e-0000-4000-8000-000000000001"));
    let e = Entry {
        epoch_ms: 1_764_166_892_123.0,
        timestamp: &crate::json::iso_text(1_764_166_892_123.0),
        level: Level::Info,
        message: "CV uploaded",
        context_json: Some(r#"{"component":"Upload","size":3}"#),
        error: None,
        context: &[],
    };
    assert_eq!(
        text(&e, &stamp),
        r#"{"timestamp":"2025-11-26T14:21:32.123Z","level":"info","message":"CV uploaded","service":"recoloca-frontend","version":"1.0.0","context":{"component":"Upload","size":3},"session_id":"5f0c6c1e-0000-4000-8000-000000000001"}"#
    );
}

#[test]
fn an_error_entry_carries_the_error_and_the_user() {
    let mut stamp = stamp("svc", "2");
    stamp.set_identity(Some("u-7"), Some("s"));
    let e = Entry {
        epoch_ms: 0.0,
        timestamp: &crate::json::iso_text(0.0),
        level: Level::Error,
        message: "boom",
        context_json: None,
        error: Some(ErrorInfo {
            name: "TypeError",
            message: "x is \"undefined\"",
            stack: Some("TypeError: x\n    at f (a.js:1:2)"),
        }),
        context: &[],
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

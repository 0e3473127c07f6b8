//! Native unit tests of `src/metric.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

fn encode(t: &SeriesTable, id: u32, v: f64, ts: f64) -> Option<String> {
    let mut out = Vec::new();
    t.encode(&mut out, id, v, ts, json::format_natively)
        .then(|| String::from_utf8(out).unwrap())
}

#[test]
fn events_encode_as_the_seed_does() {
    let mut t = SeriesTable::new(10);
    let pv = t.add(
        "page_views_total",
        Some(r#"{"page":"/home","user_id":"anonymous"}"#),
    );
    let bare = t.add("custom", None);
    assert_eq!(
        encode(&t, pv, 1.0, 1_764_166_892_123.0).unwrap(),
        r#"{"name":"page_views_total","value":1,"labels":{"page":"/home","user_id":"anonymous"},"timestamp":1764166892123}"#
    );
    assert_eq!(
        encode(&t, bare, 12.5, 5.0).unwrap(),
        r#"{"name":"custom","value":12.5,"timestamp":5}"#
    );
}

#[test]
fn bad_ids_and_values_write_nothing() {
    let mut t = SeriesTable::new(10);
    let id = t.add("x", None);
    assert_eq!(encode(&t, id + 1, 1.0, 1.0), None);
    assert_eq!(encode(&t, id, f64::NAN, 1.0), None);
    assert_eq!(encode(&t, id, f64::INFINITY, 1.0), None);
}

#[test]
fn a_full_table_starts_over_and_says_so() {
    let mut t = SeriesTable::new(2);
    assert_eq!(t.add("a", None), 0);
    assert_eq!(t.add("b", None), 1);
    assert_eq!(t.add("c", None), RESET_FLAG);
    assert_eq!(t.len(), 1);
    assert_eq!(
        encode(&t, 0, 1.0, 2.0).unwrap(),
        r#"{"name":"c","value":1,"timestamp":2}"#
    );
}

//! Native unit tests of `src/persist.rs` (kept apart so that no test-only panic sits in module code).

use super::*;
use proptest::prelude::*;

/// `decode`'s batches, collected in order.
fn decoded(text: &str) -> Vec<(Stream, Batch)> {
    let mut found = Vec::new();
    decode(text, |stream, batch| found.push((stream, batch)));
    found
}

/// `encode`, with its bytes as text (they are UTF-8: JSON bodies and ASCII headers).
fn enc<'a>(
    batches: impl Iterator<Item = (Stream, &'a Batch)>,
    max_bytes: usize,
) -> (String, usize) {
    let (bytes, n) = encode(batches, max_bytes);
    (String::from_utf8(bytes).unwrap(), n)
}

fn batch(key: &str, events: &[&str]) -> Batch {
    Batch::build(
        b"{\"logs\":[",
        key.into(),
        events.iter().map(|e| e.as_bytes()),
    )
}

#[test]
fn round_trips_in_order() {
    let a = batch("k-a", &["{\"message\":\"line\\nbreak é\"}", "{}"]);
    let b = batch("k-b", &["{\"x\":\"rt1\\n m k 1 1\"}"]);
    let (text, n) = enc(
        [(Stream::Logs, &a), (Stream::Metrics, &b)].into_iter(),
        usize::MAX,
    );
    assert_eq!(n, 2);
    let back = decoded(&text);
    assert_eq!(back, vec![(Stream::Logs, a), (Stream::Metrics, b)]);
}

#[test]
fn stops_at_the_byte_limit() {
    let a = batch("a", &["{\"n\":1}"]);
    let b = batch("b", &["{\"n\":2}"]);
    let (one, _) = enc([(Stream::Logs, &a)].into_iter(), usize::MAX);
    let (text, n) = enc(
        [(Stream::Logs, &a), (Stream::Logs, &b)].into_iter(),
        one.len() + 5,
    );
    assert_eq!((n, text), (1, one));
}

#[test]
fn malformed_text_keeps_what_parsed_before() {
    let a = batch("a", &["{\"n\":1}"]);
    let (text, _) = enc([(Stream::Logs, &a)].into_iter(), usize::MAX);
    assert_eq!(decoded(&(text.clone() + "l b 1 999\n{}")).len(), 1);
    assert_eq!(decoded(&(text.clone() + "x")).len(), 1);
    assert!(decoded("garbage").is_empty());
    assert!(decoded(&text[..text.len() - 3]).is_empty());
}

proptest! {
    #[test]
    fn any_bodies_round_trip(events in proptest::collection::vec("[\\PC\n]{0,40}", 1..6)) {
        let refs: Vec<&str> = events.iter().map(String::as_str).collect();
        let b = batch("key", &refs);
        let (text, n) = enc([(Stream::Metrics, &b)].into_iter(), usize::MAX);
        prop_assert_eq!(n, 1);
        prop_assert_eq!(decoded(&text), vec![(Stream::Metrics, b)]);
    }
}

//! Native unit tests of `src/persist.rs` (kept apart so that no test-only panic sits in module code).

use super::*;
use proptest::prelude::*;

/// `decode`'s batches, collected in order.
fn decoded(text: &str) -> Vec<(Kind, Batch)> {
    let mut found = Vec::new();
    decode(text, |stream, batch| found.push((stream, batch)));
    found
}

/// `encode`, with its bytes as text (they are UTF-8: JSON bodies and ASCII headers).
fn enc<'a>(batches: impl Iterator<Item = (Kind, &'a Batch)>, max_bytes: usize) -> (String, usize) {
    enc_with(batches, [Counters::default(); Kind::COUNT], max_bytes)
}

fn enc_with<'a>(
    batches: impl Iterator<Item = (Kind, &'a Batch)>,
    counters: [Counters; Kind::COUNT],
    max_bytes: usize,
) -> (String, usize) {
    let (bytes, n) = encode(batches, counters, max_bytes);
    (String::from_utf8(bytes).unwrap(), n)
}

/// Counts per stream: these for the seed's two, none for the others.
fn per_stream(metrics: Counters, logs: Counters) -> [Counters; Kind::COUNT] {
    let mut all = [Counters::default(); Kind::COUNT];
    all[0] = metrics;
    all[1] = logs;
    all
}

/// The counters `decode` reads from `text`.
fn decoded_counters(text: &str) -> [Counters; Kind::COUNT] {
    decode(text, |_, _| {})
}

/// How a reader of the format before counters lines read a text: batch after batch, stopping
/// at the first line it cannot read.
fn decoded_by_the_first_format(text: &str) -> Vec<(Kind, Batch)> {
    let mut found = Vec::new();
    let Some(mut rest) = text.strip_prefix(MAGIC) else {
        return found;
    };
    while let Some((header, after)) = text::split_once(rest, b'\n') {
        let Some((Some(stream), batch, remaining)) = read_one(header, after) else {
            break;
        };
        found.push((stream, batch));
        rest = remaining;
    }
    found
}

fn batch(key: &str, events: &[&str]) -> Batch {
    Batch::build(
        b"{\"logs\":[",
        key.into(),
        events.iter().map(|e| e.as_bytes()),
    )
}

/// Counters with `dropped` by reason (in the order of `Drop::ALL`) and `retries`.
fn counters(dropped: [u64; 6], retries: u64) -> Counters {
    Counters { dropped, retries }
}

/// Only `n` events lost for `reason`.
fn lost(reason: Drop, n: u64) -> Counters {
    let mut c = Counters::default();
    c.count_drop(reason, n as usize);
    c
}

#[test]
fn round_trips_in_order() {
    let a = batch("k-a", &["{\"message\":\"line\\nbreak é\"}", "{}"]);
    let b = batch("k-b", &["{\"x\":\"rt1\\n m k 1 1\\nc m 1,1,1,1,1,1,1\"}"]);
    let (text, n) = enc(
        [(Kind::Logs, &a), (Kind::Metrics, &b)].into_iter(),
        usize::MAX,
    );
    assert_eq!(n, 2);
    let back = decoded(&text);
    assert_eq!(back, vec![(Kind::Logs, a), (Kind::Metrics, b)]);
    assert_eq!(decoded_counters(&text), [Counters::default(); Kind::COUNT]);
    assert!(
        !text.contains("\nc "),
        "no counters line without counts: {text:?}"
    );
}

#[test]
fn counters_round_trip_after_the_batches() {
    let a = batch("a", &["{\"n\":1}"]);
    let both = per_stream(counters([0, 1, 2, 3, 4, 5], 6), counters([0; 6], 7));
    let (text, n) = enc_with([(Kind::Logs, &a)].into_iter(), both, usize::MAX);
    assert_eq!(n, 1);
    assert!(
        text.ends_with("\nc m 0,1,2,3,4,5,6\nc l 0,0,0,0,0,0,7\n"),
        "{text:?}"
    );
    assert_eq!(decoded(&text), vec![(Kind::Logs, a)]);
    assert_eq!(decoded_counters(&text), both);

    // Only the streams with a count have a line; counters alone make a text too.
    let only_logs = per_stream(Counters::default(), lost(Drop::Rejected, 3));
    let (text, n) = enc_with(std::iter::empty(), only_logs, usize::MAX);
    assert_eq!((n, text.as_str()), (0, "rt1\nc l 0,0,0,0,3,0,0\n"));
    assert_eq!(decoded_counters(&text), only_logs);
}

#[test]
fn text_of_the_first_format_still_decodes() {
    // As the encoder before counters lines wrote it.
    let old = "rt1\nl k-a 7,2 21\n{\"logs\":[{\"n\":1},{}]}\nm k-b 2 13\n{\"logs\":[{}]}\n";
    assert_eq!(
        decoded(old),
        vec![
            (Kind::Logs, batch("k-a", &["{\"n\":1}", "{}"])),
            (Kind::Metrics, batch("k-b", &["{}"])),
        ]
    );
    assert_eq!(decoded_counters(old), [Counters::default(); Kind::COUNT]);
}

#[test]
fn a_reader_of_the_first_format_takes_every_batch_of_the_new_one() {
    let a = batch("a", &["{\"n\":1}"]);
    let b = batch("b", &["{\"n\":2}", "{}"]);
    let both = per_stream(lost(Drop::BufferEvents, 2), counters([1, 0, 0, 0, 0, 0], 4));
    let (text, _) = enc_with(
        [(Kind::Metrics, &a), (Kind::Logs, &b)].into_iter(),
        both,
        usize::MAX,
    );
    assert_eq!(decoded_by_the_first_format(&text), decoded(&text));
    assert_eq!(decoded(&text).len(), 2);
}

#[test]
fn stops_at_the_byte_limit_and_counts_what_it_leaves_out() {
    let a = batch("a", &["{\"n\":1}"]);
    let b = batch("b", &["{\"n\":2}", "{\"n\":3}"]);
    let c = batch("c", &["{\"n\":4}"]);
    let (one, _) = enc([(Kind::Logs, &a)].into_iter(), usize::MAX);
    let all = [(Kind::Logs, &a), (Kind::Logs, &b), (Kind::Metrics, &c)];
    // Room for `a` and its counters line: `b` does not fit, nor does anything after it.
    let line = "c m 0,0,0,1,0,0,0\nc l 0,0,0,2,0,0,0\n";
    let (text, n) = enc(all.into_iter(), one.len() + line.len());
    assert_eq!((n, text.as_str()), (1, format!("{one}{line}").as_str()));
    assert_eq!(decoded(&text), vec![(Kind::Logs, a.clone())]);
    assert_eq!(
        decoded_counters(&text),
        per_stream(lost(Drop::BufferBytes, 1), lost(Drop::BufferBytes, 2))
    );

    // The counts it was given are added to.
    let given = per_stream(lost(Drop::BufferBytes, 10), counters([0; 6], 1));
    let (text, _) = enc_with(all.into_iter(), given, one.len() + line.len() + 2);
    let mut logs = lost(Drop::BufferBytes, 2);
    logs.retries = 1;
    assert_eq!(
        decoded_counters(&text),
        per_stream(lost(Drop::BufferBytes, 11), logs)
    );
}

#[test]
fn the_newest_batches_make_room_for_the_counters() {
    let a = batch("a", &["{\"n\":1}"]);
    let b = batch("b", &["{\"n\":2}"]);
    let (two, n) = enc([(Kind::Logs, &a), (Kind::Logs, &b)].into_iter(), usize::MAX);
    assert_eq!(n, 2);
    // Room for both batches, not for a counters line as well: `b` goes, and is counted.
    let given = per_stream(Counters::default(), lost(Drop::BufferEvents, 5));
    let (text, n) = enc_with(
        [(Kind::Logs, &a), (Kind::Logs, &b)].into_iter(),
        given,
        two.len(),
    );
    assert_eq!(n, 1);
    assert!(text.len() <= two.len());
    assert_eq!(decoded(&text), vec![(Kind::Logs, a)]);
    let mut logs = lost(Drop::BufferEvents, 5);
    logs.count_drop(Drop::BufferBytes, 1);
    assert_eq!(
        decoded_counters(&text),
        per_stream(Counters::default(), logs)
    );

    // No room for even the counters alone: they are left out, and nothing goes over.
    let (text, n) = enc_with([(Kind::Logs, &b)].into_iter(), given, 10);
    assert_eq!((n, text.as_str()), (0, "rt1\n"));
}

#[test]
fn a_batch_of_a_stream_this_build_does_not_know_is_skipped_and_the_reading_goes_on() {
    // The OTLP entry's copy read by the main entry: its `M`/`L` lines (here `X`, known to no
    // build) are skipped by their length; the seed's batches and counts after them still count.
    let (a, b) = (batch("a", &[r#"{"n":1}"#]), batch("b", &[r#"{"n":2}"#]));
    let (first, _) = enc([(Kind::Logs, &a)].into_iter(), usize::MAX);
    let (second, _) = enc_with(
        [(Kind::Logs, &b)].into_iter(),
        per_stream(lost(Drop::Rejected, 4), Counters::default()),
        usize::MAX,
    );
    let foreign = "X k 5 9 1 2 4\nabcd{\"x\"}\n";
    let text = format!("{first}{foreign}{}", second.strip_prefix(MAGIC).unwrap());
    let keys: Vec<String> = decoded(&text).into_iter().map(|(_, b)| b.key).collect();
    assert_eq!(keys, ["a", "b"], "{text}");
    assert_eq!(
        decoded_counters(&text),
        per_stream(lost(Drop::Rejected, 4), Counters::default())
    );
}

#[test]
fn malformed_text_keeps_what_parsed_before() {
    let a = batch("a", &["{\"n\":1}"]);
    let (text, _) = enc([(Kind::Logs, &a)].into_iter(), usize::MAX);
    assert_eq!(decoded(&(text.clone() + "l b 1 999\n{}")).len(), 1);
    assert_eq!(decoded(&(text.clone() + "x")).len(), 1);
    assert!(decoded("garbage").is_empty());
    assert!(decoded(&text[..text.len() - 3]).is_empty());
}

#[test]
fn a_counters_line_that_does_not_parse_is_skipped_and_the_reading_goes_on() {
    let a = batch("a", &["{\"n\":1}"]);
    let (text, _) = enc([(Kind::Logs, &a)].into_iter(), usize::MAX);
    let batches = text.strip_prefix(MAGIC).unwrap();
    for bad in [
        "c m 1,2,3\n",                           // too few counts
        "c m 1,2,3,4,5,6,7,8\n",                 // too many
        "c x 1,1,1,1,1,1,1\n",                   // no such stream
        "c m 1,1,1,-1,1,1,1\n",                  // not a count
        "c m 1,1,1,1,1,1,1234567890123456789\n", // over 18 digits
        "c\n",
        "c m\n",
    ] {
        let text = format!("{MAGIC}{bad}{batches}c l 0,0,0,0,0,0,9\n");
        assert_eq!(decoded(&text), vec![(Kind::Logs, a.clone())], "{bad:?}");
        let logs = counters([0; 6], 9);
        assert_eq!(
            decoded_counters(&text),
            per_stream(Counters::default(), logs),
            "{bad:?}"
        );
    }
    // A counters line anywhere is read; two of one stream add up.
    let text = format!("{MAGIC}c l 1,0,0,0,0,0,0\n{batches}c l 1,0,0,0,0,0,2\n");
    assert_eq!(decoded(&text).len(), 1);
    assert_eq!(
        decoded_counters(&text),
        per_stream(Counters::default(), counters([2, 0, 0, 0, 0, 0], 2))
    );
}

proptest! {
    #[test]
    fn any_bodies_round_trip(events in proptest::collection::vec("[\\PC\n]{0,40}", 1..6)) {
        let refs: Vec<&str> = events.iter().map(String::as_str).collect();
        let b = batch("key", &refs);
        let (text, n) = enc([(Kind::Metrics, &b)].into_iter(), usize::MAX);
        prop_assert_eq!(n, 1);
        prop_assert_eq!(decoded(&text), vec![(Kind::Metrics, b)]);
    }

    /// Whatever the budget: every event of the batches is in the text or counted in it (as
    /// long as the counters fit at all), the text stays within the budget, and the batches
    /// kept are the first ones, in order.
    #[test]
    fn every_event_is_kept_or_counted_within_the_budget(
        sizes in proptest::collection::vec((any::<bool>(), 1usize..5), 0..6),
        given in proptest::collection::vec(0u64..1_000_000, 14),
        max_bytes in 0usize..400,
    ) {
        let batches: Vec<(Kind, Batch)> = sizes
            .iter()
            .enumerate()
            .map(|(i, &(logs, n))| {
                let events: Vec<String> = (0..n).map(|e| format!("{{\"e\":{e}}}")).collect();
                let refs: Vec<&str> = events.iter().map(String::as_str).collect();
                let stream = if logs { Kind::Logs } else { Kind::Metrics };
                (stream, batch(&format!("k{i}"), &refs))
            })
            .collect();
        let mut counts = [Counters::default(); Kind::COUNT];
        for (c, g) in counts.iter_mut().zip(given.chunks(7)) {
            c.dropped.copy_from_slice(&g[..6]);
            c.retries = g[6];
        }
        let (text, n) = enc_with(batches.iter().map(|(s, b)| (*s, b)), counts, max_bytes);
        prop_assert!(text.len() <= max_bytes.max(MAGIC.len()), "{} > {}", text.len(), max_bytes);
        let back = decoded(&text);
        prop_assert_eq!(back.len(), n);
        prop_assert_eq!(&back[..], &batches[..n]);
        let read = decoded_counters(&text);
        if read != [Counters::default(); Kind::COUNT] || counts == [Counters::default(); Kind::COUNT] && n == batches.len() {
            for stream in [Kind::Metrics, Kind::Logs] {
                let i = stream as usize;
                let left_out: usize = batches[n..].iter().filter(|b| b.0 == stream).map(|b| b.1.events()).sum();
                let mut expected = counts[i];
                expected.count_drop(Drop::BufferBytes, left_out);
                prop_assert_eq!(read[i], expected);
            }
        } else {
            // The counters did not fit even alone: nothing else did either.
            prop_assert_eq!(n, 0);
            prop_assert_eq!(text.as_str(), MAGIC);
        }
    }
}

//! Native unit tests of `src/vitals/inp.rs` (kept apart so that no test-only panic sits in module code).

use super::*;
use proptest::prelude::*;

#[test]
fn no_interaction_no_value() {
    let inp = Inp::default();
    assert_eq!(inp.value(Some(0.0), false), None);
    assert_eq!(inp.value(None, false), None);
    let mut short = Inp::default();
    short.entry(7.0, 24.0, false); // too short to be a candidate
    assert_eq!(short.value(Some(1.0), false), None);
}

#[test]
fn an_interaction_is_its_longest_entry() {
    let mut inp = Inp::default();
    inp.entry(7.0, 48.0, false); // pointerdown
    inp.entry(7.0, 176.0, false); // click, with its 150 ms handler
    inp.entry(7.0, 56.0, false); // pointerup
    assert_eq!(inp.value(Some(1.0), false), Some(176.0));
}

#[test]
fn the_first_input_counts_however_short() {
    let mut inp = Inp::default();
    inp.entry(14.0, 16.0, true);
    assert_eq!(inp.value(Some(1.0), false), Some(16.0));
    // Entries without an interaction id (e.g. mouseover) never count.
    inp.entry(0.0, 300.0, false);
    assert_eq!(inp.value(Some(1.0), false), Some(16.0));
}

#[test]
fn p98_skips_one_outlier_per_fifty_interactions() {
    let mut inp = Inp::default();
    for (k, latency) in [400.0, 300.0, 200.0, 100.0].into_iter().enumerate() {
        inp.entry(7.0 * (k as f64 + 1.0), latency, false);
    }
    assert_eq!(inp.value(Some(4.0), false), Some(400.0));
    assert_eq!(inp.value(Some(49.0), false), Some(400.0));
    assert_eq!(inp.value(Some(50.0), false), Some(300.0));
    assert_eq!(inp.value(Some(149.0), false), Some(200.0));
    // Never past the last candidate.
    assert_eq!(inp.value(Some(10_000.0), false), Some(100.0));
}

#[test]
fn the_count_is_estimated_from_ids_without_interaction_count() {
    let mut inp = Inp::default();
    inp.entry(7.0, 400.0, false);
    inp.entry(14.0, 300.0, false);
    // Fifty interactions apart (ids step by 7), the quick ones seen only for their ids.
    inp.entry(7.0 + 7.0 * 50.0, 16.0, false);
    assert_eq!(inp.value(None, false), Some(300.0));
}

#[test]
fn a_restore_starts_over() {
    let mut inp = Inp::default();
    inp.entry(7.0, 400.0, false);
    inp.restart(Some(60.0));
    assert_eq!(inp.value(Some(60.0), true), None);
    // Interactions since the restore, all too short to be candidates: the 8 ms stand-in.
    assert_eq!(inp.value(Some(61.0), true), Some(8.0));
    inp.entry(21.0, 120.0, false);
    assert_eq!(inp.value(Some(61.0), true), Some(120.0));
}

/// The definition: every interaction's longest candidate entry, longest first.
fn reference(entries: &[(u8, f64, bool)], n: f64) -> Option<f64> {
    let mut by_id: Vec<(u8, f64)> = Vec::new();
    for &(id, d, first) in entries {
        if id == 0 || !(first || d >= DURATION_THRESHOLD) {
            continue;
        }
        match by_id.iter_mut().find(|(i, _)| *i == id) {
            Some(e) => e.1 = e.1.max(d),
            None => by_id.push((id, d)),
        }
    }
    let mut latencies: Vec<f64> = by_id.iter().map(|e| e.1).collect();
    latencies.sort_by(|a, b| b.total_cmp(a));
    latencies.truncate(MAX_CANDIDATES);
    let index = ((n / 50.0).floor() as usize).min(latencies.len().checked_sub(1)?);
    Some(latencies[index])
}

proptest! {
    #[test]
    fn inp_is_the_p98_of_the_longest_interactions(
        entries in proptest::collection::vec((0u8..40, 0.0f64..600.0, proptest::bool::weighted(0.05)), 0..200),
        n in 0.0f64..1000.0,
    ) {
        let mut inp = Inp::default();
        for &(id, d, first) in &entries {
            inp.entry(f64::from(id), (d / 8.0).round() * 8.0, first);
        }
        let rounded: Vec<(u8, f64, bool)> =
            entries.iter().map(|&(i, d, f)| (i, (d / 8.0).round() * 8.0, f)).collect();
        prop_assert_eq!(inp.value(Some(n), false), reference(&rounded, n));
        prop_assert!(inp.longest.len() <= MAX_CANDIDATES);
        prop_assert!(inp.longest.windows(2).all(|w| w[0].latency >= w[1].latency));
    }
}

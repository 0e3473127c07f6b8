//! Interaction to Next Paint: `interaction_to_next_paint_ms`.
//!
//! Each interaction (a tap, click or key press) is the longest `event` entry sharing its
//! `interactionId`. The ten longest interactions are kept; INP is the 98th percentile
//! estimate web-vitals uses: with `n` interactions on the page, the `min(n / 50, 9)`-th longest
//! (so the longest one below 50 interactions, the second longest below 100, …). `n` is
//! `performance.interactionCount` where the browser has it, otherwise estimated from the
//! spread of interaction ids (which Chromium increments by 7), as web-vitals' polyfill does.

/// web-vitals' thresholds for INP (ms): good up to 200, poor above 500.
pub const THRESHOLDS: [f64; 2] = [200.0, 500.0];

/// Interactions kept as candidates.
pub const MAX_CANDIDATES: usize = 10;

/// `event` entries shorter than this (ms) are not candidates (web-vitals' default
/// `durationThreshold`); `first-input` entries always are.
pub const DURATION_THRESHOLD: f64 = 40.0;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Interaction {
    id: f64,
    latency: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Inp {
    /// The longest interactions, longest first, at most [`MAX_CANDIDATES`].
    longest: Vec<Interaction>,
    /// Interactions before this view began (a bfcache restore starts a new view).
    count_base: f64,
    /// Smallest and largest interaction id seen, for the estimated count.
    min_id: f64,
    max_id: f64,
}

impl Inp {
    /// An `event` or `first-input` entry. Every one with an interaction id counts towards the
    /// estimated interaction count; those at least [`DURATION_THRESHOLD`] long (or the first
    /// input) are candidates.
    pub fn entry(&mut self, interaction_id: f64, duration: f64, first_input: bool) {
        if interaction_id.is_nan() || interaction_id <= 0.0 || !duration.is_finite() {
            return;
        }
        self.note_id(interaction_id);
        if first_input || duration >= DURATION_THRESHOLD {
            self.candidate(interaction_id, duration);
        }
    }

    fn note_id(&mut self, id: f64) {
        if self.max_id == 0.0 {
            self.min_id = id;
            self.max_id = id;
        } else {
            self.min_id = self.min_id.min(id);
            self.max_id = self.max_id.max(id);
        }
    }

    /// Merges the entry into its interaction, or adds the interaction if it may be among
    /// the longest, keeping the list sorted and bounded.
    fn candidate(&mut self, id: f64, duration: f64) {
        let at = match self.longest.iter().position(|i| i.id == id) {
            Some(at) => {
                let Some(known) = self.longest.get_mut(at) else {
                    return;
                };
                if duration <= known.latency {
                    return;
                }
                known.latency = duration;
                at
            }
            None => {
                let full = self.longest.len() >= MAX_CANDIDATES;
                if full && self.longest.last().is_some_and(|l| duration <= l.latency) {
                    return;
                }
                self.longest.push(Interaction {
                    id,
                    latency: duration,
                });
                self.longest.len() - 1
            }
        };
        // Move the grown (or new) interaction up to its place; the rest stays sorted.
        let mut i = at;
        while i > 0 && self.longest.get(i - 1).map(|p| p.latency) < Some(duration) {
            // Reversing the pair swaps it without an index that could panic.
            if let Some(pair) = self.longest.get_mut(i - 1..=i) {
                pair.reverse();
            }
            i -= 1;
        }
        self.longest.truncate(MAX_CANDIDATES);
    }

    /// Interactions on the page so far, as web-vitals' polyfill estimates them.
    fn estimated_count(&self) -> f64 {
        if self.max_id > 0.0 {
            (self.max_id - self.min_id) / 7.0 + 1.0
        } else {
            0.0
        }
    }

    fn count(&self, native_count: Option<f64>) -> f64 {
        let total = native_count.unwrap_or_else(|| self.estimated_count());
        (total - self.count_base).max(0.0)
    }

    /// A new view (bfcache restore): no candidates, and only interactions from now on count.
    pub fn restart(&mut self, native_count: Option<f64>) {
        self.count_base = native_count.unwrap_or_else(|| self.estimated_count());
        self.longest.clear();
    }

    /// The p98 estimate, or `None` without any interaction. A restored view whose interactions
    /// were all too short to be seen gets web-vitals' stand-in of 8 ms.
    pub fn value(&self, native_count: Option<f64>, restored: bool) -> Option<f64> {
        let n = self.count(native_count);
        if self.longest.is_empty() {
            return (restored && n > 0.0).then_some(8.0);
        }
        let index = ((n / 50.0).floor() as usize).min(self.longest.len() - 1);
        self.longest.get(index).map(|i| i.latency)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
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
}

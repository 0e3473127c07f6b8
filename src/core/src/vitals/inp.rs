//! Interaction to Next Paint: `interaction_to_next_paint_ms`.
//!
//! Each interaction (a tap, click or key press) is the longest `event` entry sharing its
//! `interactionId`. The ten longest interactions are kept; INP is the 98th percentile
//! estimate web-vitals uses: with `n` interactions on the page, the `min(n / 50, 9)`-th longest
//! (so the longest one below 50 interactions, the second longest below 100, …). `n` is
//! `performance.interactionCount` where the browser has it, otherwise estimated from the
//! spread of interaction ids (which Chromium increments by 7), as web-vitals' polyfill does.

use alloc::vec::Vec;

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

    /// `id` is positive, so `max_id` is 0 only before the first.
    fn note_id(&mut self, id: f64) {
        if self.max_id == 0.0 || id < self.min_id {
            self.min_id = id;
        }
        if id > self.max_id {
            self.max_id = id;
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
        let index = (crate::float::floor(n / 50.0) as usize).min(self.longest.len() - 1);
        self.longest.get(index).map(|i| i.latency)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "inp_tests.rs"]
mod tests;

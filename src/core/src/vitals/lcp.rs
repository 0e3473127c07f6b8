//! Largest Contentful Paint: `largest_contentful_paint_ms`.
//!
//! The browser emits a `largest-contentful-paint` entry each time a larger element is painted,
//! and stops at the first user input. The last entry before the page was first hidden is the
//! value; the metric is final at the first trusted keydown or click, or when the page is
//! hidden (web-vitals' rules). web-vitals looks only at the last entry of each observer
//! callback; this looks at every entry, which differs only when one callback mixes entries
//! from before and after the page was hidden (web-vitals then keeps an older value).

/// web-vitals' thresholds for LCP (ms): good up to 2500, poor above 4000.
pub const THRESHOLDS: [f64; 2] = [2500.0, 4000.0];

#[derive(Clone, Debug, Default)]
pub struct Lcp {
    /// `startTime` (render time, or load time when not exposed) of the latest candidate.
    start: Option<f64>,
    /// No candidate is taken any more.
    done: bool,
}

impl Lcp {
    /// A `largest-contentful-paint` entry: the new candidate, unless final already or painted
    /// after the page was first hidden.
    pub fn candidate(&mut self, start: f64, first_hidden: f64) {
        if !self.done && start < first_hidden {
            self.start = Some(start);
        }
    }

    /// The first input, or the page hidden: later entries no longer count.
    pub fn finalize(&mut self) {
        self.done = true;
    }

    pub fn is_final(&self) -> bool {
        self.done
    }

    /// A bfcache restore: the view's LCP is given (the time to the frames after the restore),
    /// and final.
    pub fn set(&mut self, value: f64) {
        self.start = Some(value);
        self.done = true;
    }

    /// Relative to activation (0 unless prerendered), never negative.
    pub fn value(&self, activation_start: f64) -> Option<f64> {
        Some((self.start? - activation_start).max(0.0))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "lcp_tests.rs"]
mod tests;

//! First Input Delay: `first_input_delay_ms`, from the `first-input` entry.
//!
//! web-vitals dropped FID in v5 (INP replaced it); the seed reported it, so it stays, with
//! web-vitals v3's rules: `processingStart − startTime` of the first input, counted only if
//! that input came before the page was first hidden.

/// web-vitals' (v3) thresholds for FID (ms): good up to 100, poor above 300.
pub const THRESHOLDS: [f64; 2] = [100.0, 300.0];

#[derive(Clone, Debug, Default)]
pub struct Fid {
    /// `(startTime, delay)` of the first input.
    first: Option<(f64, f64)>,
}

impl Fid {
    /// The `first-input` entry (there is one per page; a replay changes nothing).
    pub fn first_input(&mut self, start: f64, processing_start: f64) {
        if self.first.is_none() && start.is_finite() && processing_start.is_finite() {
            self.first = Some((start, (processing_start - start).max(0.0)));
        }
    }

    pub fn value(&self, first_hidden: f64) -> Option<f64> {
        let (start, delay) = self.first?;
        (start < first_hidden).then_some(delay)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "fid_tests.rs"]
mod tests;

//! First Contentful Paint: `first_contentful_paint_ms`.

/// web-vitals' thresholds for FCP (ms): good up to 1800, poor above 3000.
pub const THRESHOLDS: [f64; 2] = [1800.0, 3000.0];

/// The `first-contentful-paint` entry's time, once seen.
#[derive(Clone, Debug, Default)]
pub struct Fcp {
    start: Option<f64>,
}

impl Fcp {
    /// The `first-contentful-paint` entry (page.js tells it from the other `paint` entries);
    /// a buffered replay of it changes nothing.
    pub fn contentful_paint(&mut self, start: f64) {
        if self.start.is_none() && start.is_finite() {
            self.start = Some(start);
        }
    }

    /// A bfcache restore has no paint entry: the view's FCP is given directly (the time to
    /// the frames after the restore).
    pub fn set(&mut self, value: f64) {
        self.start = Some(value);
    }

    /// The FCP of the view: only if it happened before the page was first hidden (a page
    /// loaded in the background paints whenever the browser gets to it, which says nothing
    /// about the user's wait), relative to activation and never negative.
    pub fn value(&self, first_hidden: f64, activation_start: f64) -> Option<f64> {
        let start = self.start?;
        (start < first_hidden).then(|| (start - activation_start).max(0.0))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "fcp_tests.rs"]
mod tests;

//! Cumulative Layout Shift: `cumulative_layout_shift` (a unitless score).
//!
//! Layout shifts are grouped into session windows: a shift joins the current window if it
//! came less than 1 s after the previous shift and less than 5 s after the window's first;
//! otherwise it starts a new window. CLS is the largest window's total. Shifts within 500 ms
//! of user input (`hadRecentInput`) are expected and ignored.
//!
//! web-vitals compares the current window with its running maximum once per observer callback;
//! this compares after every shift. They differ only when one callback carries a large window
//! followed by the start of a smaller one (as a buffered replay at start-up can), where
//! web-vitals under-reports.

/// web-vitals' thresholds for CLS: good up to 0.1, poor above 0.25.
pub const THRESHOLDS: [f64; 2] = [0.1, 0.25];

/// Longest gap between two shifts of one window (ms).
pub const MAX_GAP_MS: f64 = 1000.0;
/// Longest span of one window, from its first shift (ms).
pub const MAX_WINDOW_MS: f64 = 5000.0;

#[derive(Clone, Debug, Default)]
pub struct Cls {
    /// Total of the current window (0 before the first shift).
    window: f64,
    /// `startTime` of the current window's first and latest shift.
    first: f64,
    last: f64,
    /// Largest window total so far.
    largest: f64,
}

impl Cls {
    /// A `layout-shift` entry.
    pub fn shift(&mut self, start: f64, value: f64, had_recent_input: bool) {
        if had_recent_input || !value.is_finite() || !start.is_finite() {
            return;
        }
        if self.window != 0.0
            && start - self.last < MAX_GAP_MS
            && start - self.first < MAX_WINDOW_MS
        {
            self.window += value;
            self.last = start;
        } else {
            self.window = value;
            self.first = start;
            self.last = start;
        }
        if self.window > self.largest {
            self.largest = self.window;
        }
    }

    /// The score so far (0 without shifts).
    pub fn value(&self) -> f64 {
        self.largest
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "cls_tests.rs"]
mod tests;

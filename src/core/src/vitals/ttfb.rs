//! Time to First Byte: `time_to_first_byte_ms`, from the navigation entry.

/// web-vitals' thresholds for TTFB (ms): good up to 800, poor above 1800.
pub const THRESHOLDS: [f64; 2] = [800.0, 1800.0];

/// `responseStart` relative to page activation (0 unless prerendered), never negative: a
/// prerendered page received its first byte before the user asked for it. `None` when the
/// browser gives no usable `responseStart` (0 for privacy reasons, or a value in the future
/// through a bug), which web-vitals ignores as well.
pub fn value(response_start: f64, activation_start: f64, now: f64) -> Option<f64> {
    if response_start > 0.0 && response_start < now {
        Some((response_start - activation_start).max(0.0))
    } else {
        None
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "ttfb_tests.rs"]
mod tests;

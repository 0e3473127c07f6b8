//! Native unit tests of `src/vitals/ttfb.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

#[test]
fn first_byte_relative_to_activation() {
    assert_eq!(value(27.6, 0.0, 100.0), Some(27.6));
    assert_eq!(value(27.6, 10.0, 100.0), Some(17.6));
    // Prerendered: the byte came long before activation.
    assert_eq!(value(27.6, 900.0, 1000.0), Some(0.0));
}

#[test]
fn unusable_response_start_is_no_value() {
    assert_eq!(value(0.0, 0.0, 100.0), None);
    assert_eq!(value(-3.0, 0.0, 100.0), None);
    assert_eq!(value(150.0, 0.0, 100.0), None);
    assert_eq!(value(f64::NAN, 0.0, 100.0), None);
}

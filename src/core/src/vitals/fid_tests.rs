//! Native unit tests of `src/vitals/fid.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

#[test]
fn delay_of_the_first_input_before_hidden() {
    let mut f = Fid::default();
    assert_eq!(f.value(f64::INFINITY), None);
    f.first_input(1000.0, 1012.5);
    f.first_input(2000.0, 2300.0);
    assert_eq!(f.value(f64::INFINITY), Some(12.5));
    assert_eq!(f.value(1000.0), None);
}

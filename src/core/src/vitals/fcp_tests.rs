//! Native unit tests of `src/vitals/fcp.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

#[test]
fn the_first_contentful_paint_counts() {
    let mut f = Fcp::default();
    assert_eq!(f.value(f64::INFINITY, 0.0), None);
    f.contentful_paint(120.5);
    f.contentful_paint(300.0);
    assert_eq!(f.value(f64::INFINITY, 0.0), Some(120.5));
    assert_eq!(f.value(f64::INFINITY, 20.5), Some(100.0));
    assert_eq!(f.value(f64::INFINITY, 500.0), Some(0.0));
}

#[test]
fn none_if_the_page_was_hidden_first() {
    let mut f = Fcp::default();
    f.contentful_paint(120.5);
    assert_eq!(f.value(120.5, 0.0), None);
    assert_eq!(f.value(0.0, 0.0), None);
    assert_eq!(f.value(120.6, 0.0), Some(120.5));
}

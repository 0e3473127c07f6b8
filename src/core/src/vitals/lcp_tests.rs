//! Native unit tests of `src/vitals/lcp.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

const VISIBLE: f64 = f64::INFINITY;

#[test]
fn the_latest_candidate_until_final() {
    let mut l = Lcp::default();
    assert_eq!(l.value(0.0), None);
    l.candidate(150.0, VISIBLE);
    l.candidate(620.25, VISIBLE);
    assert_eq!(l.value(0.0), Some(620.25));
    l.finalize();
    assert!(l.is_final());
    l.candidate(900.0, VISIBLE);
    assert_eq!(l.value(0.0), Some(620.25));
    assert_eq!(l.value(20.25), Some(600.0));
    assert_eq!(l.value(1000.0), Some(0.0));
}

#[test]
fn paints_after_the_page_was_first_hidden_do_not_count() {
    let mut l = Lcp::default();
    l.candidate(150.0, 400.0);
    l.candidate(450.0, 400.0);
    assert_eq!(l.value(0.0), Some(150.0));
    // A page hidden from the start has no LCP.
    let mut hidden = Lcp::default();
    hidden.candidate(10.0, 0.0);
    assert_eq!(hidden.value(0.0), None);
}

#[test]
fn a_restore_sets_a_final_value() {
    let mut l = Lcp::default();
    l.set(33.5);
    l.candidate(40.0, VISIBLE);
    assert_eq!(l.value(0.0), Some(33.5));
}

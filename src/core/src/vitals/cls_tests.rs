//! Native unit tests of `src/vitals/cls.rs` (kept apart so that no test-only panic sits in module code).

use super::*;
use proptest::prelude::*;

fn cls(shifts: &[(f64, f64)]) -> f64 {
    let mut c = Cls::default();
    for &(t, v) in shifts {
        c.shift(t, v, false);
    }
    c.value()
}

#[test]
fn shifts_close_together_add_up() {
    assert_eq!(cls(&[]), 0.0);
    assert_eq!(
        cls(&[(100.0, 0.05), (600.0, 0.05), (1500.0, 0.02)]),
        0.12000000000000001
    );
}

#[test]
fn a_gap_of_one_second_starts_a_new_window() {
    // 0.1 then, a second later, 0.05 + 0.02: the first window is the largest.
    assert_eq!(cls(&[(0.0, 0.1), (1000.0, 0.05), (1100.0, 0.02)]), 0.1);
    assert_eq!(cls(&[(0.0, 0.1), (999.9, 0.05)]), 0.15000000000000002);
}

#[test]
fn a_window_spans_at_most_five_seconds() {
    // Shifts every 900 ms: the window closes at 5 s and a new one begins.
    let shifts: Vec<(f64, f64)> = (0..8).map(|i| (i as f64 * 900.0, 0.01)).collect();
    // 0, 900, …, 4500 (six shifts) in the first window; 5400 starts the next.
    assert!((cls(&shifts) - 0.06).abs() < 1e-12, "{}", cls(&shifts));
}

#[test]
fn shifts_after_input_are_ignored() {
    let mut c = Cls::default();
    c.shift(100.0, 0.3, true);
    assert_eq!(c.value(), 0.0);
    c.shift(200.0, 0.01, false);
    assert_eq!(c.value(), 0.01);
}

#[test]
fn a_larger_earlier_window_is_kept_even_within_one_callback() {
    // web-vitals would report 0.01 if these four arrived in one callback.
    assert_eq!(
        cls(&[(0.0, 0.2), (100.0, 0.1), (3000.0, 0.01), (3100.0, 0.0)]),
        0.30000000000000004
    );
}

/// The definition, spelled out: every window as the rules form it, and the largest total.
fn reference(shifts: &[(f64, f64)]) -> f64 {
    let mut windows: Vec<(f64, f64, f64)> = Vec::new(); // (first, last, total)
    for &(t, v) in shifts {
        match windows.last_mut() {
            Some(w) if w.2 != 0.0 && t - w.1 < 1000.0 && t - w.0 < 5000.0 => {
                w.1 = t;
                w.2 += v;
            }
            _ => windows.push((t, t, v)),
        }
    }
    windows.iter().map(|w| w.2).fold(0.0, f64::max)
}

proptest! {
    #[test]
    fn cls_is_the_largest_session_window(
        gaps in proptest::collection::vec((0.0f64..2500.0, 0.0f64..0.5), 0..60)
    ) {
        let mut t = 0.0;
        let shifts: Vec<(f64, f64)> = gaps.iter().map(|&(g, v)| { t += g; (t, v) }).collect();
        let got = cls(&shifts);
        prop_assert_eq!(got, reference(&shifts));
        // Never more than all shifts together, never less than the largest single one.
        let total: f64 = shifts.iter().map(|s| s.1).sum();
        let single = shifts.iter().map(|s| s.1).fold(0.0, f64::max);
        prop_assert!(got <= total + 1e-9 && got >= single);
    }

    #[test]
    fn cls_never_decreases(
        gaps in proptest::collection::vec((0.0f64..2500.0, 0.0f64..0.5), 1..40)
    ) {
        let mut c = Cls::default();
        let mut t = 0.0;
        let mut previous = 0.0;
        for (g, v) in gaps {
            t += g;
            c.shift(t, v, false);
            prop_assert!(c.value() >= previous);
            previous = c.value();
        }
    }
}

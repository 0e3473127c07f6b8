//! Native unit tests of `src/vitals/mod.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

#[test]
fn boundaries_belong_to_the_better_rating() {
    let t = [2500.0, 4000.0];
    assert_eq!(rate(0.0, t), Rating::Good);
    assert_eq!(rate(2500.0, t), Rating::Good);
    assert_eq!(rate(2500.1, t), Rating::NeedsImprovement);
    assert_eq!(rate(4000.0, t), Rating::NeedsImprovement);
    assert_eq!(rate(4000.1, t), Rating::Poor);
    assert_eq!(rate(0.1, [0.1, 0.25]), Rating::Good);
    assert_eq!(rate(0.25000001, [0.1, 0.25]), Rating::Poor);
}

#[test]
fn every_metric_has_web_vitals_thresholds() {
    assert_eq!(lcp::THRESHOLDS, [2500.0, 4000.0]);
    assert_eq!(fcp::THRESHOLDS, [1800.0, 3000.0]);
    assert_eq!(cls::THRESHOLDS, [0.1, 0.25]);
    assert_eq!(inp::THRESHOLDS, [200.0, 500.0]);
    assert_eq!(ttfb::THRESHOLDS, [800.0, 1800.0]);
    assert_eq!(fid::THRESHOLDS, [100.0, 300.0]);
}

#[test]
fn navigation_types_are_spelled_as_web_vitals_does() {
    // (entry type, prerendered, discarded) and the label web-vitals gives it.
    let cases = [
        ("navigate", false, false, "navigate"),
        ("reload", false, false, "reload"),
        ("back_forward", false, false, "back-forward"),
        ("navigate", true, false, "prerender"),
        ("reload", false, true, "restore"),
        ("", false, false, "navigate"),
    ];
    for (kind, prerendered, discarded, label) in cases {
        assert_eq!(
            Navigation::from_entry(kind, prerendered, discarded).label(),
            label,
            "{kind:?} prerendered={prerendered} discarded={discarded}"
        );
    }
    assert_eq!(Navigation::BackForwardCache.label(), "back-forward-cache");
}

//! Native unit tests of `src/vitals/view.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

const VISIBLE: f64 = f64::INFINITY;

fn timing(now: f64) -> Timing {
    Timing {
        now,
        activation_start: 0.0,
        fetch_start: 1.5,
        response_start: 27.5,
        dom_content_loaded_end: 88.5,
        load_event_end: 91.5,
        interaction_count: Some(1.0),
    }
}

/// What a hide reports, in order.
fn reports(v: &mut View, t: &Timing) -> Vec<Report> {
    let mut out = Vec::new();
    v.reports(t, |r| out.push(r));
    out
}

fn names(r: &[Report]) -> Vec<&'static str> {
    r.iter().map(|r| r.name).collect()
}

fn value(r: &[Report], name: &str) -> Option<(f64, Option<&'static str>)> {
    r.iter()
        .find(|r| r.name == name)
        .map(|r| (r.value, r.rating.map(Rating::label)))
}

/// A page that painted, shifted and was clicked, then hidden.
fn busy_page() -> View {
    let mut v = View::new(Navigation::Navigate, VISIBLE);
    v.contentful_paint(100.0);
    v.largest_paint(100.0);
    v.largest_paint(2600.0);
    v.layout_shift(700.0, 0.125, false);
    v.layout_shift(900.0, 0.0625, false);
    v.first_input(FirstInput {
        start: 3000.0,
        processing_start: 3004.25,
        duration: 16.0,
        interaction_id: 7.0,
    });
    v.input();
    v.largest_paint(3100.0); // after the input: not a candidate any more
    v.event(7.0, 176.0);
    v
}

#[test]
fn everything_is_reported_once_at_the_first_hide() {
    let mut v = busy_page();
    v.hidden(5000.0);
    let r = reports(&mut v, &timing(5000.0));
    assert_eq!(
        names(&r),
        [
            DOM_CONTENT_LOADED,
            PAGE_LOAD_TIME,
            TTFB,
            FCP,
            LCP,
            FID,
            CLS,
            INP
        ]
    );
    assert_eq!(value(&r, DOM_CONTENT_LOADED), Some((87.0, None)));
    assert_eq!(value(&r, PAGE_LOAD_TIME), Some((90.0, None)));
    assert_eq!(value(&r, TTFB), Some((27.5, Some("good"))));
    assert_eq!(value(&r, FCP), Some((100.0, Some("good"))));
    assert_eq!(value(&r, LCP), Some((2600.0, Some("needs-improvement"))));
    assert_eq!(value(&r, FID), Some((4.25, Some("good"))));
    assert_eq!(value(&r, CLS), Some((0.1875, Some("needs-improvement"))));
    assert_eq!(value(&r, INP), Some((176.0, Some("good"))));
    // Hidden again (pagehide after visibilitychange, or a later tab switch): nothing new.
    v.event(14.0, 600.0);
    assert_eq!(reports(&mut v, &timing(6000.0)), []);
}

#[test]
fn a_metric_without_value_at_the_first_hide_goes_at_a_later_one() {
    let mut v = View::new(Navigation::Navigate, VISIBLE);
    v.contentful_paint(100.0);
    v.hidden(1000.0);
    let r = reports(&mut v, &timing(1000.0));
    assert!(value(&r, INP).is_none() && value(&r, FID).is_none());
    // Back to the tab, a slow click, hidden again: INP goes now; FID (an input after the
    // first hide) does not, as in web-vitals v3.
    v.first_input(FirstInput {
        start: 5000.0,
        processing_start: 5001.0,
        duration: 48.0,
        interaction_id: 7.0,
    });
    v.event(7.0, 320.0);
    let r = reports(&mut v, &timing(8000.0));
    assert_eq!(names(&r), [INP]);
    assert_eq!(value(&r, INP), Some((320.0, Some("needs-improvement"))));
}

#[test]
fn paints_after_the_first_hide_are_not_the_users_wait() {
    let mut v = View::new(Navigation::Navigate, VISIBLE);
    v.hidden(50.0);
    v.contentful_paint(80.0);
    v.largest_paint(80.0);
    v.layout_shift(90.0, 0.3, false);
    let r = reports(&mut v, &timing(100.0));
    assert_eq!(names(&r), [DOM_CONTENT_LOADED, PAGE_LOAD_TIME, TTFB]);
}

#[test]
fn a_page_loaded_in_the_background_has_no_paint_metrics() {
    let mut v = View::new(Navigation::Navigate, 0.0);
    v.contentful_paint(80.0);
    v.largest_paint(80.0);
    let r = reports(&mut v, &timing(100.0));
    assert!(value(&r, FCP).is_none() && value(&r, LCP).is_none() && value(&r, CLS).is_none());
}

#[test]
fn the_last_paint_before_hiding_is_the_lcp_without_input() {
    let mut v = View::new(Navigation::Navigate, VISIBLE);
    v.contentful_paint(100.0);
    v.largest_paint(100.0);
    v.largest_paint(450.0);
    v.hidden(500.0);
    v.largest_paint(480.0); // taken from the observer at the hide: painted before it
    v.largest_paint(520.0); // painted after the hide
    let r = reports(&mut v, &timing(600.0));
    assert_eq!(value(&r, LCP), Some((480.0, Some("good"))));
    assert_eq!(value(&r, CLS), Some((0.0, Some("good"))));
}

#[test]
fn prerendered_pages_count_from_activation() {
    let mut v = View::new(Navigation::Prerender, VISIBLE);
    v.contentful_paint(100.0);
    v.largest_paint(900.0);
    let mut t = timing(2000.0);
    t.activation_start = 500.0;
    let r = reports(&mut v, &t);
    assert_eq!(value(&r, TTFB), Some((0.0, Some("good"))));
    assert_eq!(value(&r, FCP), Some((0.0, Some("good"))));
    assert_eq!(value(&r, LCP), Some((400.0, Some("good"))));
    assert_eq!(v.navigation().label(), "prerender");
}

#[test]
fn a_bfcache_restore_is_a_new_view() {
    let mut v = busy_page();
    v.hidden(5000.0);
    reports(&mut v, &timing(5000.0));
    v.restore(Some(1.0));
    assert_eq!(v.navigation().label(), "back-forward-cache");
    assert_eq!(v.first_hidden(), VISIBLE);
    // Entries of the old view arriving late change nothing of the new one's paints.
    v.contentful_paint(100.0);
    v.largest_paint(7000.0);
    v.painted_after_restore(33.25);
    v.layout_shift(9000.0, 0.05, false);
    v.hidden(12_000.0);
    let r = reports(&mut v, &timing(12_000.0));
    assert_eq!(names(&r), [TTFB, FCP, LCP, CLS]);
    assert_eq!(value(&r, TTFB), Some((0.0, Some("good"))));
    assert_eq!(value(&r, FCP), Some((33.25, Some("good"))));
    assert_eq!(value(&r, LCP), Some((33.25, Some("good"))));
    assert_eq!(value(&r, CLS), Some((0.05, Some("good"))));
}

#[test]
fn interactions_after_a_restore_count_in_the_new_view_only() {
    let mut v = busy_page();
    reports(&mut v, &timing(5000.0));
    v.restore(Some(1.0));
    let mut t = timing(9000.0);
    t.interaction_count = Some(2.0); // one quick interaction since the restore
    assert_eq!(value(&reports(&mut v, &t), INP), Some((8.0, Some("good"))));
}

#[test]
fn a_restore_without_frames_has_no_paint_metrics() {
    let mut v = busy_page();
    reports(&mut v, &timing(5000.0));
    v.restore(Some(1.0));
    v.hidden(5100.0);
    let r = reports(&mut v, &timing(5100.0));
    assert_eq!(names(&r), [TTFB, CLS]);
}

#[test]
fn a_restore_reports_no_paint_the_browser_cannot_measure() {
    // WebKit: paint entries, but no `largest-contentful-paint` nor `layout-shift`.
    let mut v = View::new(Navigation::Navigate, VISIBLE);
    v.without(Metric::Lcp);
    v.without(Metric::Cls);
    v.contentful_paint(100.0);
    reports(&mut v, &timing(5000.0));
    v.restore(Some(1.0));
    v.painted_after_restore(33.25);
    v.hidden(9000.0);
    let r = reports(&mut v, &timing(9000.0));
    assert_eq!(names(&r), [TTFB, FCP]);
    assert_eq!(value(&r, FCP), Some((33.25, Some("good"))));
}

#[test]
fn no_cls_for_a_page_that_never_painted() {
    let mut v = View::new(Navigation::Navigate, VISIBLE);
    v.layout_shift(90.0, 0.3, false);
    let r = reports(&mut v, &timing(100.0));
    assert!(value(&r, CLS).is_none());
    // Nor after a restore of it.
    v.restore(None);
    v.painted_after_restore(20.0);
    assert!(value(&reports(&mut v, &timing(200.0)), CLS).is_none());
}

#[test]
fn a_metric_is_its_place_in_the_report_order() {
    let all = [
        (Metric::DomContentLoaded, DOM_CONTENT_LOADED),
        (Metric::PageLoadTime, PAGE_LOAD_TIME),
        (Metric::Ttfb, TTFB),
        (Metric::Fcp, FCP),
        (Metric::Lcp, LCP),
        (Metric::Fid, FID),
        (Metric::Cls, CLS),
        (Metric::Inp, INP),
    ];
    for (metric, name) in all {
        let mut v = busy_page();
        v.without(metric);
        let r = reports(&mut v, &timing(5000.0));
        assert_eq!(r.len(), 7);
        assert!(value(&r, name).is_none(), "{name}");
    }
}

#[test]
fn what_the_browser_cannot_measure_is_absent_not_zero() {
    let mut v = busy_page();
    v.without(Metric::Cls);
    v.without(Metric::Inp);
    let r = reports(&mut v, &timing(5000.0));
    assert!(value(&r, CLS).is_none() && value(&r, INP).is_none());
    assert!(value(&r, LCP).is_some());
}

#[test]
fn turned_off_and_on_again_nothing_is_reported_twice() {
    let mut v = busy_page();
    v.hidden(5000.0);
    assert_eq!(reports(&mut v, &timing(5000.0)).len(), 8);
    // The observers start over: buffered entries are replayed into a fresh view.
    let mut again = View::new(Navigation::Navigate, VISIBLE);
    again.carry_over(&v);
    again.contentful_paint(100.0);
    again.layout_shift(700.0, 0.125, false);
    assert_eq!(again.first_hidden(), 5000.0);
    assert_eq!(reports(&mut again, &timing(6000.0)), []);
}

#[test]
fn without_a_navigation_entry_there_are_no_navigation_timings() {
    // The marks of an entry page.js could not read (NaN), and observe.rs's stand-in when there
    // is no entry at all (0).
    for none in [f64::NAN, 0.0] {
        let mut v = View::new(Navigation::Navigate, VISIBLE);
        let t = Timing {
            now: 100.0,
            activation_start: 0.0,
            fetch_start: none,
            response_start: none,
            dom_content_loaded_end: none,
            load_event_end: none,
            interaction_count: None,
        };
        assert_eq!(reports(&mut v, &t), []);
    }
}

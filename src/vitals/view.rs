//! One page view's timings, and which of them were reported.
//!
//! A view is the page as loaded, or as restored from the back/forward cache. Each metric is
//! reported at most once per view, when the page is hidden: by then LCP and FCP are final
//! (paints after the first hide do not count), and CLS and INP have their value for everything
//! the user saw. A metric with no value yet at a hide (say INP before any interaction) is
//! reported at the first later hide where it has one. The reports go into the metrics stream
//! right before the page-exit code seals and sends it, so they leave with the page.

use super::cls::{self, Cls};
use super::fcp::{self, Fcp};
use super::fid::{self, Fid};
use super::inp::{self, Inp};
use super::lcp::{self, Lcp};
use super::{navigation, rate, ttfb, Navigation, Rating};

/// What the page exposes at report time: the navigation entry's marks (NaN without one),
/// `performance.now()` and `performance.interactionCount` (where the browser has it).
#[derive(Clone, Debug)]
pub struct Timing {
    pub now: f64,
    pub activation_start: f64,
    pub fetch_start: f64,
    pub response_start: f64,
    pub dom_content_loaded_end: f64,
    pub load_event_end: f64,
    pub interaction_count: Option<f64>,
}

/// One metric to record.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub name: &'static str,
    pub value: f64,
    /// For the web vitals; the seed's navigation timings have no thresholds.
    pub rating: Option<Rating>,
}

pub const DOM_CONTENT_LOADED: &str = "dom_content_loaded_ms";
pub const PAGE_LOAD_TIME: &str = "page_load_time_ms";
pub const TTFB: &str = "time_to_first_byte_ms";
pub const FCP: &str = "first_contentful_paint_ms";
pub const LCP: &str = "largest_contentful_paint_ms";
pub const FID: &str = "first_input_delay_ms";
pub const CLS: &str = "cumulative_layout_shift";
pub const INP: &str = "interaction_to_next_paint_ms";

/// Every metric, in the order they are reported, with web-vitals' thresholds (the seed's
/// navigation timings have none); a metric's bit in `View::sent` is its index.
const METRICS: [(&str, Option<[f64; 2]>); 8] = [
    (DOM_CONTENT_LOADED, None),
    (PAGE_LOAD_TIME, None),
    (TTFB, Some(ttfb::THRESHOLDS)),
    (FCP, Some(fcp::THRESHOLDS)),
    (LCP, Some(lcp::THRESHOLDS)),
    (FID, Some(fid::THRESHOLDS)),
    (CLS, Some(cls::THRESHOLDS)),
    (INP, Some(inp::THRESHOLDS)),
];

#[derive(Clone, Debug)]
pub struct View {
    navigation: Navigation,
    /// When the page was first hidden in this view (`performance.now()` time), or infinity.
    first_hidden: f64,
    fcp: Fcp,
    lcp: Lcp,
    fid: Fid,
    cls: Cls,
    inp: Inp,
    /// CLS is reported only on a page that had a first contentful paint, as web-vitals and
    /// CrUX do. Kept across bfcache restores (web-vitals arms CLS once, at the load's FCP).
    cls_armed: bool,
    /// Bit `i` set: `METRICS[i]` was reported in this view.
    sent: u8,
    /// Bit `i` set: the browser cannot measure `METRICS[i]`, which is never reported.
    missing: u8,
}

impl View {
    /// The view of a page load. `first_hidden` is 0 if the page was loaded in the background,
    /// the time of an earlier hide if the browser recorded one, else infinity.
    pub fn new(navigation: Navigation, first_hidden: f64) -> View {
        View {
            navigation,
            first_hidden,
            fcp: Fcp::default(),
            lcp: Lcp::default(),
            fid: Fid::default(),
            cls: Cls::default(),
            inp: Inp::default(),
            cls_armed: false,
            sent: 0,
            missing: 0,
        }
    }

    /// The browser cannot measure `name` (say, Firefox and layout shifts): it is never
    /// reported, not even as 0.
    pub fn without(&mut self, name: &str) {
        self.missing |= bit(name);
    }

    /// This view replaces `old` of the same page (the timings were turned off and on again):
    /// what `old` reported stays reported, as does its first hide.
    pub fn carry_over(&mut self, old: &View) {
        self.navigation = old.navigation;
        self.first_hidden = self.first_hidden.min(old.first_hidden);
        self.cls_armed = old.cls_armed;
        self.sent = old.sent;
        if old.restored() {
            self.lcp.finalize();
        }
    }

    /// The page came back from the back/forward cache: a new view, which web-vitals reports
    /// with TTFB 0, FCP and LCP given by [`View::painted_after_restore`], CLS and INP from
    /// what happens from now on, and no navigation timings or FID (no new load or first input).
    pub fn restore(&mut self, interaction_count: Option<f64>) {
        self.navigation = Navigation::BackForwardCache;
        self.first_hidden = f64::INFINITY;
        self.fcp = Fcp::default();
        self.lcp = Lcp::default();
        self.lcp.finalize();
        self.cls = Cls::default();
        self.inp.restart(interaction_count);
        self.cls_armed |= self.was_sent(FCP);
        self.sent = 0;
    }

    pub fn navigation(&self) -> Navigation {
        self.navigation
    }

    fn restored(&self) -> bool {
        self.navigation == Navigation::BackForwardCache
    }

    /// The page is hidden (or leaving) at `at`. Only the first time counts.
    pub fn hidden(&mut self, at: f64) {
        if at < self.first_hidden {
            self.first_hidden = at;
        }
    }

    pub fn first_hidden(&self) -> f64 {
        self.first_hidden
    }

    /// A `paint` entry.
    pub fn paint(&mut self, name: &str, start: f64) {
        if !self.restored() {
            self.fcp.paint(name, start);
        }
    }

    /// A `largest-contentful-paint` entry.
    pub fn largest_paint(&mut self, start: f64) {
        self.lcp.candidate(start, self.first_hidden);
    }

    /// The first trusted keydown or click: LCP is final.
    pub fn input(&mut self) {
        self.lcp.finalize();
    }

    pub fn lcp_is_final(&self) -> bool {
        self.lcp.is_final()
    }

    /// A `layout-shift` entry.
    pub fn layout_shift(&mut self, start: f64, value: f64, had_recent_input: bool) {
        self.cls.shift(start, value, had_recent_input);
    }

    /// An `event` entry.
    pub fn event(&mut self, interaction_id: f64, duration: f64) {
        self.inp.entry(interaction_id, duration, false);
    }

    /// The `first-input` entry: FID, and an INP candidate (`inp` false where the browser
    /// lacks interaction ids, as web-vitals then reports no INP at all).
    pub fn first_input(&mut self, e: FirstInput, inp: bool) {
        if !self.restored() {
            self.fid.first_input(e.start, e.processing_start);
        }
        if inp {
            self.inp.entry(e.interaction_id, e.duration, true);
        }
    }

    /// After a restore: the time from `pageshow` to the second frame after it, which stands
    /// for both FCP and LCP of the restored view (web-vitals' approach).
    pub fn painted_after_restore(&mut self, ms: f64) {
        if self.restored() && ms.is_finite() {
            self.fcp.set(ms.max(0.0));
            self.lcp.set(ms.max(0.0));
        }
    }

    fn was_sent(&self, name: &str) -> bool {
        self.sent & bit(name) != 0
    }

    /// The value each metric has now, in the order of [`METRICS`].
    fn values(&self, t: &Timing) -> [Option<f64>; 8] {
        if self.restored() {
            // Restored: no load to time; FCP and LCP were measured from the restore.
            let fcp = self.fcp.value(f64::INFINITY, 0.0);
            return [
                None,
                None,
                Some(0.0),
                fcp,
                self.lcp.value(0.0),
                None,
                self.cls_armed.then(|| self.cls.value()),
                self.inp.value(t.interaction_count, true),
            ];
        }
        let fcp = self.fcp.value(self.first_hidden, t.activation_start);
        [
            navigation::dom_content_loaded(t.fetch_start, t.dom_content_loaded_end),
            navigation::page_load_time(t.fetch_start, t.load_event_end),
            ttfb::value(t.response_start, t.activation_start, t.now),
            fcp,
            self.lcp.value(t.activation_start),
            self.fid.value(self.first_hidden),
            (self.cls_armed || fcp.is_some()).then(|| self.cls.value()),
            self.inp.value(t.interaction_count, false),
        ]
    }

    /// The page is hidden: LCP is final, and every metric not yet reported in this view that
    /// has a value now is returned (and counted as reported).
    pub fn reports(&mut self, t: &Timing) -> Vec<Report> {
        self.lcp.finalize();
        let values = self.values(t);
        let mut out = Vec::new();
        for (i, (&(name, thresholds), value)) in METRICS.iter().zip(values).enumerate() {
            let bit = 1u8 << i;
            let Some(value) = value else { continue };
            if (self.sent | self.missing) & bit != 0 || !value.is_finite() {
                continue;
            }
            self.sent |= bit;
            out.push(Report {
                name,
                value,
                rating: thresholds.map(|th| rate(value, th)),
            });
        }
        out
    }
}

/// A metric's bit in `View::sent` and `View::missing`.
fn bit(name: &str) -> u8 {
    METRICS
        .iter()
        .position(|m| m.0 == name)
        .map_or(0, |i| 1 << i)
}

/// The `first-input` entry's numbers.
#[derive(Clone, Copy, Debug)]
pub struct FirstInput {
    pub start: f64,
    pub processing_start: f64,
    pub duration: f64,
    pub interaction_id: f64,
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
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
        v.paint("first-paint", 100.0);
        v.paint("first-contentful-paint", 100.0);
        v.largest_paint(100.0);
        v.largest_paint(2600.0);
        v.layout_shift(700.0, 0.125, false);
        v.layout_shift(900.0, 0.0625, false);
        v.first_input(
            FirstInput {
                start: 3000.0,
                processing_start: 3004.25,
                duration: 16.0,
                interaction_id: 7.0,
            },
            true,
        );
        v.input();
        v.largest_paint(3100.0); // after the input: not a candidate any more
        v.event(7.0, 176.0);
        v
    }

    #[test]
    fn everything_is_reported_once_at_the_first_hide() {
        let mut v = busy_page();
        v.hidden(5000.0);
        let r = v.reports(&timing(5000.0));
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
        assert_eq!(v.reports(&timing(6000.0)), []);
    }

    #[test]
    fn a_metric_without_value_at_the_first_hide_goes_at_a_later_one() {
        let mut v = View::new(Navigation::Navigate, VISIBLE);
        v.paint("first-contentful-paint", 100.0);
        v.hidden(1000.0);
        let r = v.reports(&timing(1000.0));
        assert!(value(&r, INP).is_none() && value(&r, FID).is_none());
        // Back to the tab, a slow click, hidden again: INP goes now; FID (an input after the
        // first hide) does not, as in web-vitals v3.
        v.first_input(
            FirstInput {
                start: 5000.0,
                processing_start: 5001.0,
                duration: 48.0,
                interaction_id: 7.0,
            },
            true,
        );
        v.event(7.0, 320.0);
        let r = v.reports(&timing(8000.0));
        assert_eq!(names(&r), [INP]);
        assert_eq!(value(&r, INP), Some((320.0, Some("needs-improvement"))));
    }

    #[test]
    fn paints_after_the_first_hide_are_not_the_users_wait() {
        let mut v = View::new(Navigation::Navigate, VISIBLE);
        v.hidden(50.0);
        v.paint("first-contentful-paint", 80.0);
        v.largest_paint(80.0);
        v.layout_shift(90.0, 0.3, false);
        let r = v.reports(&timing(100.0));
        assert_eq!(names(&r), [DOM_CONTENT_LOADED, PAGE_LOAD_TIME, TTFB]);
    }

    #[test]
    fn a_page_loaded_in_the_background_has_no_paint_metrics() {
        let mut v = View::new(Navigation::Navigate, 0.0);
        v.paint("first-contentful-paint", 80.0);
        v.largest_paint(80.0);
        let r = v.reports(&timing(100.0));
        assert!(value(&r, FCP).is_none() && value(&r, LCP).is_none() && value(&r, CLS).is_none());
    }

    #[test]
    fn the_last_paint_before_hiding_is_the_lcp_without_input() {
        let mut v = View::new(Navigation::Navigate, VISIBLE);
        v.paint("first-contentful-paint", 100.0);
        v.largest_paint(100.0);
        v.largest_paint(450.0);
        v.hidden(500.0);
        v.largest_paint(480.0); // taken from the observer at the hide: painted before it
        v.largest_paint(520.0); // painted after the hide
        let r = v.reports(&timing(600.0));
        assert_eq!(value(&r, LCP), Some((480.0, Some("good"))));
        assert_eq!(value(&r, CLS), Some((0.0, Some("good"))));
    }

    #[test]
    fn prerendered_pages_count_from_activation() {
        let mut v = View::new(Navigation::Prerender, VISIBLE);
        v.paint("first-contentful-paint", 100.0);
        v.largest_paint(900.0);
        let mut t = timing(2000.0);
        t.activation_start = 500.0;
        let r = v.reports(&t);
        assert_eq!(value(&r, TTFB), Some((0.0, Some("good"))));
        assert_eq!(value(&r, FCP), Some((0.0, Some("good"))));
        assert_eq!(value(&r, LCP), Some((400.0, Some("good"))));
        assert_eq!(v.navigation().label(), "prerender");
    }

    #[test]
    fn a_bfcache_restore_is_a_new_view() {
        let mut v = busy_page();
        v.hidden(5000.0);
        v.reports(&timing(5000.0));
        v.restore(Some(1.0));
        assert_eq!(v.navigation().label(), "back-forward-cache");
        assert_eq!(v.first_hidden(), VISIBLE);
        // Entries of the old view arriving late change nothing of the new one's paints.
        v.paint("first-contentful-paint", 100.0);
        v.largest_paint(7000.0);
        v.painted_after_restore(33.25);
        v.layout_shift(9000.0, 0.05, false);
        v.hidden(12_000.0);
        let r = v.reports(&timing(12_000.0));
        assert_eq!(names(&r), [TTFB, FCP, LCP, CLS]);
        assert_eq!(value(&r, TTFB), Some((0.0, Some("good"))));
        assert_eq!(value(&r, FCP), Some((33.25, Some("good"))));
        assert_eq!(value(&r, LCP), Some((33.25, Some("good"))));
        assert_eq!(value(&r, CLS), Some((0.05, Some("good"))));
    }

    #[test]
    fn interactions_after_a_restore_count_in_the_new_view_only() {
        let mut v = busy_page();
        v.reports(&timing(5000.0));
        v.restore(Some(1.0));
        let mut t = timing(9000.0);
        t.interaction_count = Some(2.0); // one quick interaction since the restore
        assert_eq!(value(&v.reports(&t), INP), Some((8.0, Some("good"))));
    }

    #[test]
    fn a_restore_without_frames_has_no_paint_metrics() {
        let mut v = busy_page();
        v.reports(&timing(5000.0));
        v.restore(Some(1.0));
        v.hidden(5100.0);
        let r = v.reports(&timing(5100.0));
        assert_eq!(names(&r), [TTFB, CLS]);
    }

    #[test]
    fn no_cls_for_a_page_that_never_painted() {
        let mut v = View::new(Navigation::Navigate, VISIBLE);
        v.layout_shift(90.0, 0.3, false);
        let r = v.reports(&timing(100.0));
        assert!(value(&r, CLS).is_none());
        // Nor after a restore of it.
        v.restore(None);
        v.painted_after_restore(20.0);
        assert!(value(&v.reports(&timing(200.0)), CLS).is_none());
    }

    #[test]
    fn what_the_browser_cannot_measure_is_absent_not_zero() {
        let mut v = busy_page();
        v.without(CLS);
        v.without(INP);
        let r = v.reports(&timing(5000.0));
        assert!(value(&r, CLS).is_none() && value(&r, INP).is_none());
        assert!(value(&r, LCP).is_some());
    }

    #[test]
    fn turned_off_and_on_again_nothing_is_reported_twice() {
        let mut v = busy_page();
        v.hidden(5000.0);
        assert_eq!(v.reports(&timing(5000.0)).len(), 8);
        // The observers start over: buffered entries are replayed into a fresh view.
        let mut again = View::new(Navigation::Navigate, VISIBLE);
        again.carry_over(&v);
        again.paint("first-contentful-paint", 100.0);
        again.layout_shift(700.0, 0.125, false);
        assert_eq!(again.first_hidden(), 5000.0);
        assert_eq!(again.reports(&timing(6000.0)), []);
    }

    #[test]
    fn without_a_navigation_entry_there_are_no_navigation_timings() {
        let mut v = View::new(Navigation::Navigate, VISIBLE);
        let t = Timing {
            now: 100.0,
            activation_start: 0.0,
            fetch_start: f64::NAN,
            response_start: f64::NAN,
            dom_content_loaded_end: f64::NAN,
            load_event_end: f64::NAN,
            interaction_count: None,
        };
        assert_eq!(v.reports(&t), []);
    }
}

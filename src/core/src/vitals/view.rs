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

/// What the page exposes at report time: the navigation entry's marks (NaN or 0 without one),
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

/// A metric, by its place in [`METRICS`] (the variants are in that order), which is also its
/// bit in `View::sent` and `View::missing`: no name to look up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    DomContentLoaded,
    PageLoadTime,
    Ttfb,
    Fcp,
    Lcp,
    Fid,
    Cls,
    Inp,
}

impl Metric {
    fn bit(self) -> u8 {
        1 << self as u8
    }
}

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

    /// The browser cannot measure `metric` (say, Firefox and layout shifts): it is never
    /// reported, not even as 0.
    pub fn without(&mut self, metric: Metric) {
        self.missing |= metric.bit();
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
        self.cls_armed |= self.was_sent(Metric::Fcp);
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

    /// The `first-contentful-paint` entry.
    pub fn contentful_paint(&mut self, start: f64) {
        if !self.restored() {
            self.fcp.contentful_paint(start);
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

    /// The `first-input` entry: FID, and an INP candidate unless INP is missing (without
    /// interaction ids, web-vitals reports no INP at all).
    pub fn first_input(&mut self, e: FirstInput) {
        if !self.restored() {
            self.fid.first_input(e.start, e.processing_start);
        }
        if self.missing & Metric::Inp.bit() == 0 {
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

    fn was_sent(&self, metric: Metric) -> bool {
        self.sent & metric.bit() != 0
    }

    /// The value each metric has now, in the order of [`METRICS`].
    fn values(&self, t: &Timing) -> [Option<f64>; 8] {
        // Restored: no load to time, and no first input of its own; FCP and LCP were measured
        // from the restore, while the page was visible.
        let restored = self.restored();
        let (first_hidden, activation) = if restored {
            (f64::INFINITY, 0.0)
        } else {
            (self.first_hidden, t.activation_start)
        };
        let load = |value: Option<f64>| value.filter(|_| !restored);
        let fcp = self.fcp.value(first_hidden, activation);
        [
            load(navigation::dom_content_loaded(
                t.fetch_start,
                t.dom_content_loaded_end,
            )),
            load(navigation::page_load_time(t.fetch_start, t.load_event_end)),
            if restored {
                Some(0.0)
            } else {
                ttfb::value(t.response_start, activation, t.now)
            },
            fcp,
            self.lcp.value(activation),
            load(self.fid.value(first_hidden)),
            // CLS of a restored view is armed by the load's FCP only.
            (self.cls_armed || load(fcp).is_some()).then(|| self.cls.value()),
            self.inp.value(t.interaction_count, restored),
        ]
    }

    /// The page is hidden: LCP is final, and every metric not yet reported in this view that
    /// has a value now is given to `report`, in order (and counted as reported). A callback
    /// rather than a returned list: the module needs no `Vec` code for reports.
    pub fn reports(&mut self, t: &Timing, mut report: impl FnMut(Report)) {
        self.lcp.finalize();
        let values = self.values(t);
        for (i, (&(name, thresholds), value)) in METRICS.iter().zip(values).enumerate() {
            let bit = 1u8 << i;
            let Some(value) = value else { continue };
            if (self.sent | self.missing) & bit != 0 || !value.is_finite() {
                continue;
            }
            self.sent |= bit;
            report(Report {
                name,
                value,
                rating: thresholds.map(|th| rate(value, th)),
            });
        }
    }
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
#[path = "view_tests.rs"]
mod tests;

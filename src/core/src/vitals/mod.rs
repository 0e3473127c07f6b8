//! Page timings: the web vitals (LCP, FCP, CLS, INP, TTFB, FID) and the seed's navigation
//! timings, as plain arithmetic over the numbers the browser's performance entries carry.
//!
//! The semantics are those of the `web-vitals` library (v6), which the end-to-end tests
//! compare against; where this code deliberately differs, the metric's file says why. Nothing
//! here touches a browser API: `src/observe.rs` reads the entries and feeds them to a
//! [`View`], and asks it for the [`Report`]s when the page is hidden.

pub mod cls;
pub mod fcp;
pub mod fid;
pub mod inp;
pub mod lcp;
pub mod navigation;
pub mod ttfb;
mod view;

pub use view::{
    FirstInput, Metric, Report, Timing, View, CLS, DOM_CONTENT_LOADED, FCP, FID, INP, LCP,
    PAGE_LOAD_TIME, TTFB,
};

/// How a value compares with a metric's thresholds, as web-vitals rates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rating {
    Good,
    NeedsImprovement,
    Poor,
}

impl Rating {
    /// The `rating` label.
    pub fn label(self) -> &'static str {
        match self {
            Rating::Good => "good",
            Rating::NeedsImprovement => "needs-improvement",
            Rating::Poor => "poor",
        }
    }
}

/// Rates `value` against `[good, poor]`: at most `good` is good, above `poor` is poor (the
/// boundaries themselves belong to the better rating, as in web-vitals).
pub fn rate(value: f64, [good, poor]: [f64; 2]) -> Rating {
    if value > poor {
        Rating::Poor
    } else if value > good {
        Rating::NeedsImprovement
    } else {
        Rating::Good
    }
}

/// How the page view began: the `navigation_type` label, spelled as web-vitals spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Navigation {
    Navigate,
    Reload,
    BackForward,
    /// Restored from the back/forward cache: a new view of a page already loaded.
    BackForwardCache,
    Prerender,
    /// Reloaded after the browser discarded the tab.
    Restore,
}

impl Navigation {
    /// From the navigation entry's `type`, as web-vitals derives it: a prerendered page
    /// (`activationStart` > 0, or `document.prerendering`) and a discarded tab reloaded count
    /// as such, whatever the type.
    pub fn from_entry(kind: &str, prerendered: bool, was_discarded: bool) -> Navigation {
        if prerendered {
            return Navigation::Prerender;
        }
        if was_discarded {
            return Navigation::Restore;
        }
        match kind {
            "reload" => Navigation::Reload,
            "back_forward" => Navigation::BackForward,
            "prerender" => Navigation::Prerender,
            _ => Navigation::Navigate,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Navigation::Navigate => "navigate",
            Navigation::Reload => "reload",
            Navigation::BackForward => "back-forward",
            Navigation::BackForwardCache => "back-forward-cache",
            Navigation::Prerender => "prerender",
            Navigation::Restore => "restore",
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "tests.rs"]
mod tests;

//! The seed's navigation timings: `page_load_time_ms` and `dom_content_loaded_ms`, both from
//! `fetchStart` of the navigation entry, as the seed's `MetricsCollector` measured them.

/// `loadEventEnd − fetchStart`, once the load event has ended (`loadEventEnd` > 0).
pub fn page_load_time(fetch_start: f64, load_event_end: f64) -> Option<f64> {
    since_fetch(fetch_start, load_event_end)
}

/// `domContentLoadedEventEnd − fetchStart`, once that event has ended.
pub fn dom_content_loaded(fetch_start: f64, dom_content_loaded_end: f64) -> Option<f64> {
    since_fetch(fetch_start, dom_content_loaded_end)
}

/// An end mark is 0 until its event has ended (and NaN when the browser has no entry).
fn since_fetch(fetch_start: f64, end: f64) -> Option<f64> {
    if end > 0.0 && fetch_start.is_finite() {
        Some((end - fetch_start).max(0.0))
    } else {
        None
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "navigation_tests.rs"]
mod tests;

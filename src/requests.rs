//! The page's own requests, as the OTLP entry's `fetch` and `XMLHttpRequest` wrappers report
//! them (`pkg-template/index.js`, `instrumentRequests`), and the page's load. What to make of
//! them (headers, metrics, spans) is the core's (`src/core/src/requests.rs`); this file
//! carries the calls in, matches the app's regular expressions of
//! `propagateTraceHeaderCorsUrls` (with the page's own `RegExp`), and reads the navigation
//! timing.

use std::cell::RefCell;

use js_sys::{Array, RegExp};
use recoloca_telemetry_core::client::Input;
use wasm_bindgen::prelude::*;

use crate::{driver, property};

thread_local! {
    /// `propagateTraceHeaderCorsUrls`' regular expressions.
    static PATTERNS: RefCell<Vec<RegExp>> = const { RefCell::new(Vec::new()) };
}

/// Takes `propagateTraceHeaderCorsUrls` from `configure()`'s options when they name it: its
/// strings are URL prefixes (the core's), its `RegExp`s are kept here.
pub fn configure(options: &JsValue) {
    let given = property::get(options, "propagateTraceHeaderCorsUrls");
    if given.is_undefined() {
        return;
    }
    let (mut prefixes, mut patterns) = (Vec::new(), Vec::new());
    if Array::is_array(&given) {
        for item in Array::from(&given).iter() {
            if let Some(s) = item.as_string() {
                prefixes.push(s);
            } else if let Some(r) = item.dyn_ref::<RegExp>() {
                patterns.push(r.clone());
            }
        }
    }
    PATTERNS.with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            *p = patterns;
        }
    });
    driver::with(|c| c.set_propagation_prefixes(prefixes));
}

/// Whether one of the app's regular expressions matches `url` (a throwing one does not).
fn listed(url: &str) -> bool {
    PATTERNS.with(|p| {
        p.try_borrow().is_ok_and(|p| {
            p.iter().any(|r| {
                // `test` of a global RegExp moves its lastIndex: start from 0 each time.
                r.set_last_index(0);
                r.test(url)
            })
        })
    })
}

/// A request of the page starts: `url` absolute, `method`, and the `traceparent` the app set
/// itself (undefined if none). Returns `[id, traceparent]` (the header undefined when none is
/// to be added), or undefined when the request is not measured.
#[wasm_bindgen(js_name = requestStart)]
pub fn request_start(url: JsValue, method: JsValue, traceparent: JsValue) -> JsValue {
    let (Some(url), method) = (
        url.as_string(),
        method.as_string().unwrap_or_else(|| "GET".into()),
    ) else {
        return JsValue::UNDEFINED;
    };
    let own = traceparent.as_string();
    let listed = listed(&url);
    let now = driver::now();
    let started = ORIGIN.with(|origin| {
        driver::with(|c| c.request_start(now, &url, &method, origin, own.as_deref(), listed))
    });
    match started.flatten() {
        Some(s) => {
            let header = s.traceparent.map_or(JsValue::UNDEFINED, JsValue::from);
            Array::of2(&JsValue::from(s.id), &header).into()
        }
        None => JsValue::UNDEFINED,
    }
}

thread_local! {
    /// The page's origin: a document's never changes, so it is read once, not per request.
    static ORIGIN: String = location("origin");
}

/// `location[field]` of the page, read as the page's own objects (empty where it has none).
fn location(field: &str) -> String {
    property::text(&property::get(&property::window(), "location"), field).unwrap_or_default()
}

/// Request `id` ended with HTTP `status` (0: a network error or an abort). `false` when the
/// client was busy.
#[wasm_bindgen(js_name = requestEnd)]
pub fn request_end(id: u32, status: u32) -> bool {
    driver::handle(Input::RequestEnd {
        id,
        status: u16::try_from(status).unwrap_or(0),
    })
}

/// The navigation timing's phases the document-load span carries as events, in order.
const PHASES: [&str; 10] = [
    "fetchStart",
    "domainLookupStart",
    "connectStart",
    "requestStart",
    "responseStart",
    "responseEnd",
    "domInteractive",
    "domContentLoadedEventEnd",
    "domComplete",
    "loadEventEnd",
];

/// Reads the page's navigation timing once it has loaded, and hands it to the client.
pub fn document_loaded() {
    let Some(performance) = property::of_window::<web_sys::Performance>("performance") else {
        return;
    };
    let Some(entry) = performance.get_entries_by_type("navigation").iter().next() else {
        return;
    };
    let origin = crate::driver::time_origin(&performance);
    let phases: Vec<(&str, f64)> = PHASES
        .iter()
        .map(|&name| (name, property::number(&entry, name)))
        // Phases a browser does not report (0, or absent) are left out.
        .filter(|(_, at)| at.is_finite() && *at > 0.0)
        .map(|(name, at)| (name, origin + at))
        .collect();
    let url = location("href");
    driver::handle(Input::DocumentLoad {
        url: &url,
        phases: &phases,
    });
}

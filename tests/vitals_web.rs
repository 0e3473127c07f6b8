//! Browser tests of the page timing glue (src/watch/src/observe.rs), in Chromium, Firefox and WebKit: the
//! observers start for every entry type the browser supports and skip the others without an
//! error, and the timings are recorded when the page hides (here a `pagehide` dispatched on
//! window, which the page-exit code handles as the browser's own), once per view, and not at
//! all with `observePerformance: false`. What the client sends is read from a stand-in `fetch`.
#![cfg(target_arch = "wasm32")]

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use recoloca_telemetry_watch as watch;

mod support;
mod watch_support;

use support::{install_fetch, options, sleep};
use watch_support::configure;

/// Every body sent since the last call, one per line.
fn bodies() -> String {
    support::bodies().join("\n")
}

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function supported() {
  const types = globalThis.PerformanceObserver?.supportedEntryTypes ?? [];
  const ids = !!globalThis.PerformanceEventTiming && 'interactionId' in PerformanceEventTiming.prototype;
  return ['paint', 'largest-contentful-paint', 'layout-shift', 'event', 'first-input']
    .filter((t) => types.includes(t) && (t !== 'event' || ids));
}
export function painted() { return performance.getEntriesByName('first-contentful-paint').length > 0; }
// What TTFB needs (as web-vitals): a responseStart after 0 and before now. WebKit's entry for
// the test runner's page has none.
export function hasResponseStart() {
  const nav = performance.getEntriesByType('navigation')[0];
  return !!nav && nav.responseStart > 0 && nav.responseStart < performance.now();
}
export function loaded() {
  return new Promise((resolve) => document.readyState === 'complete'
    ? setTimeout(resolve, 0) : addEventListener('load', () => setTimeout(resolve, 0)));
}
export function hide() { window.dispatchEvent(new Event('pagehide')); }
export function describe() {
  return navigator.userAgent + ' supports ' + JSON.stringify(globalThis.PerformanceObserver?.supportedEntryTypes);
}
"#)]
extern "C" {
    fn supported() -> Array;
    fn painted() -> bool;
    #[wasm_bindgen(js_name = hasResponseStart)]
    fn has_response_start() -> bool;
    fn loaded() -> js_sys::Promise;
    fn hide();
    fn describe() -> String;
}

const TIMINGS: [&str; 8] = [
    "dom_content_loaded_ms",
    "page_load_time_ms",
    "time_to_first_byte_ms",
    "first_contentful_paint_ms",
    "largest_contentful_paint_ms",
    "first_input_delay_ms",
    "cumulative_layout_shift",
    "interaction_to_next_paint_ms",
];

fn timings_in(body: &str) -> Vec<&'static str> {
    TIMINGS
        .into_iter()
        .filter(|n| body.contains(&format!("\"name\":\"{n}\"")))
        .collect()
}

#[wasm_bindgen_test]
fn observers_start_for_each_supported_entry_type_and_skip_the_others() {
    watch_support::wire_once();
    let expected: Vec<String> = supported().iter().filter_map(|v| v.as_string()).collect();
    web_sys::console::log_1(&describe().into());
    assert_eq!(watch::observed_entry_types(), expected);
    // Whatever the browser lacks (Firefox: layout-shift; WebKit: everything but paint) is
    // simply not observed; every engine has paint entries.
    assert!(!watch::observed_entry_types().is_empty(), "{expected:?}");
}

#[wasm_bindgen_test]
async fn timings_are_recorded_at_the_hide_once_and_not_when_turned_off() {
    JsFuture::from(loaded()).await.unwrap();
    install_fetch();
    configure(options(&[("batchSize", 1000.into())]));
    JsFuture::from(watch_support::flush()).await.unwrap();
    bodies();

    // Off: the observers are dropped and a hide records nothing.
    configure(options(&[("observePerformance", false.into())]));
    assert!(watch::observed_entry_types().is_empty());
    hide();
    sleep(50).await;
    assert_eq!(timings_in(&bodies()), Vec::<&str>::new());

    // On again: the hide records the timings the page has, with their labels.
    configure(options(&[("observePerformance", true.into())]));
    assert!(!watch::observed_entry_types().is_empty());
    hide();
    sleep(50).await;
    let body = bodies();
    let got = timings_in(&body);
    for name in ["dom_content_loaded_ms", "page_load_time_ms"] {
        assert!(got.contains(&name), "{name} in {body}");
    }
    // TTFB and FCP exactly where the page's own timeline has them: nothing is made up.
    let ttfb = has_response_start();
    assert_eq!(got.contains(&"time_to_first_byte_ms"), ttfb, "{body}");
    assert_eq!(
        got.contains(&"first_contentful_paint_ms"),
        painted(),
        "{body}"
    );
    assert!(
        body.contains(r#""labels":{"navigation_type":"navigate"}"#),
        "{body}"
    );
    // A web vital carries its rating.
    assert_eq!(
        body.contains(r#""labels":{"rating":"good","navigation_type":"navigate"}"#),
        ttfb || painted(),
        "{body}"
    );
    // CLS only where layout shifts can be observed, and only on a page that painted.
    let shifts = supported().includes(&"layout-shift".into(), 0);
    assert_eq!(
        got.contains(&"cumulative_layout_shift"),
        shifts && painted(),
        "{body}"
    );
    // No input happened: no FID, no INP.
    assert!(
        !got.contains(&"first_input_delay_ms") && !got.contains(&"interaction_to_next_paint_ms")
    );

    // Hidden again in the same view: nothing is reported twice.
    hide();
    sleep(50).await;
    assert_eq!(timings_in(&bodies()), Vec::<&str>::new());
}

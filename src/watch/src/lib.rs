//! # recoloca-telemetry-watch
//!
//! The second WebAssembly module of `@recoloca/telemetry`: error capture ([`errors`]) and page
//! timings ([`observe`]). The main module (the crate at the repository's root) batches and
//! delivers; this one watches the page and reports what it saw. index.js loads it once the
//! main module is ready, and only when `captureErrors` or `observePerformance` is on, so that
//! a page pays for neither before its client runs (and the slim entry never loads it).
//!
//! What it reports goes out through two JavaScript functions index.js gives it ([`watch`]),
//! and from there into the main module as the page's own calls do:
//!
//! - a metric event (`frontend_errors_total`, a page timing): `metric(name, value,
//!   labelsJson)`, staged like `recordMetric`;
//! - a log entry (a captured error, the storm notice): `log(level, message, contextJson,
//!   [name, message, stack])`, like `logger.error`.
//!
//! The logic is the core's (`src/core/`): the error gate and the error's wire context in
//! `capture.rs` and `error_gate.rs`, the page-timing arithmetic in `vitals/`. Here are the
//! listeners and observers, the reading of what the page threw, and where reports go
//! (`report.rs`, which both report to and which calls back into neither).
//!
//! index.js tells it the options ([`set_features`]), when the page is being hidden
//! ([`hidden`]: the timings are final then) and when the page's client flushes ([`report`]:
//! errors only counted so far are handed over); errors thrown before it loaded, which index.js
//! kept, come in through [`replay`]. The user that error metrics name is the seed's,
//! `localStorage.user_id`, read at each report.

mod errors;
#[path = "../../number.rs"]
mod number;
mod observe;
#[path = "../../property.rs"]
mod property;
mod report;

use std::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::prelude::*;

/// What runs while the options say so: listeners and observers, removed when dropped.
#[derive(Default)]
struct Running {
    errors: Option<errors::Capture>,
    vitals: Option<observe::Vitals>,
}

thread_local! {
    static RUNNING: RefCell<Running> = RefCell::new(Running::default());
}

/// Sets the functions reports go out through.
#[wasm_bindgen]
pub fn watch(metric: Function, log: Function) {
    report::set_sinks(metric, log);
}

/// Starts or stops error capture and page timings; `redact` is the app's patterns (see
/// `errors::set_patterns`).
#[wasm_bindgen(js_name = setFeatures)]
pub fn set_features(errors: bool, timings: bool, redact: JsValue) {
    errors::set_patterns(&redact);
    // Started and stopped outside the borrow: starting reads the page, which may run its code.
    let now = RUNNING.with(|r| {
        let r = r.try_borrow().ok()?;
        Some((r.errors.is_some(), r.vitals.is_some()))
    });
    let Some((had_errors, had_vitals)) = now else {
        return;
    };
    let capture = match (errors, had_errors) {
        (true, false) => Some(errors::listen()),
        (false, true) => Some(None),
        _ => None,
    };
    let vitals = match (timings, had_vitals) {
        (true, false) => Some(observe::start()),
        (false, true) => Some(None),
        _ => None,
    };
    let replaced = RUNNING.with(|r| {
        let mut r = r.try_borrow_mut().ok()?;
        let old_errors = capture.map(|c| std::mem::replace(&mut r.errors, c));
        let old_vitals = vitals.map(|v| std::mem::replace(&mut r.vitals, v));
        Some((old_errors, old_vitals))
    });
    drop(replaced);
}

/// The page is being hidden (index.js hears it from the main module, before the main module
/// acts on it): the page timings of this view are recorded, and the counted errors handed over.
#[wasm_bindgen]
pub fn hidden() {
    observe::on_hide();
    report();
}

/// Hands over the errors counted but not reported yet (the page's client is flushing).
#[wasm_bindgen]
pub fn report() {
    report::counts();
}

/// An `error` or `unhandledrejection` event the page had before this module was listening
/// (index.js keeps a few from its own start on). Ignored while error capture is off.
#[wasm_bindgen]
pub fn replay(event: web_sys::Event) {
    let on = RUNNING.with(|r| r.try_borrow().is_ok_and(|r| r.errors.is_some()));
    if on {
        errors::replay(&event);
    }
}

/// Entry types the page timings observe now (for the browser tests).
#[doc(hidden)]
pub fn observed_entry_types() -> Vec<&'static str> {
    observe::observed()
}

/// The allocator: lol_alloc's free list, as in the main module (see its `lib.rs`).
#[cfg(all(target_arch = "wasm32", feature = "allocator"))]
#[global_allocator]
// Safety: wasm32 without the `atomics` target feature has no threads.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

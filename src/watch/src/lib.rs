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
//! listeners and observers, the reading of what the page threw, and the clock.
//!
//! index.js tells it the options ([`set_features`]), the user that error metrics name
//! ([`set_user`]), when the page is being hidden ([`hidden`]: the timings are final then) and
//! when the page's client flushes ([`report`]: errors only counted so far are handed over);
//! errors thrown before it loaded, which index.js kept, come in through [`replay`].

mod errors;
#[path = "../../number.rs"]
mod number;
mod observe;
#[path = "../../property.rs"]
mod property;

use std::cell::RefCell;

use gloo_timers::callback::Timeout;
use js_sys::{Array, Function};
use recoloca_telemetry_core::capture::{Captured, ErrorCapture, Report};
use wasm_bindgen::prelude::*;

/// Errors only counted are handed over at most this long after the first of them.
const COUNTS_AFTER_MS: u32 = 5_000;

/// The two functions reports go out through: `metric` and `log` (see the crate's docs).
struct Sinks {
    metric: Function,
    log: Function,
}

/// What runs while the options say so: listeners and observers, removed when dropped.
#[derive(Default)]
struct Running {
    errors: Option<errors::Capture>,
    vitals: Option<observe::Vitals>,
}

thread_local! {
    static SINKS: RefCell<Option<Sinks>> = const { RefCell::new(None) };
    static RUNNING: RefCell<Running> = RefCell::new(Running::default());
    static CAPTURE: RefCell<ErrorCapture> = RefCell::new(ErrorCapture::new());
    /// Armed when an error is first only counted; hands the counts over when it fires.
    static COUNTS_TIMER: RefCell<Option<Timeout>> = const { RefCell::new(None) };
}

/// Sets the functions reports go out through.
#[wasm_bindgen]
pub fn watch(metric: Function, log: Function) {
    SINKS.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            *s = Some(Sinks { metric, log });
        }
    });
}

/// Starts or stops error capture and page timings.
#[wasm_bindgen(js_name = setFeatures)]
pub fn set_features(errors: bool, timings: bool) {
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

/// The user that `frontend_errors_total` names (text, or undefined for `anonymous`).
#[wasm_bindgen(js_name = setUser)]
pub fn set_user(user: JsValue) {
    let user = user.as_string();
    CAPTURE.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.set_user(user.as_deref());
        }
    });
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
    let timer = COUNTS_TIMER.with(|t| t.try_borrow_mut().ok()?.take());
    drop(timer);
    let mut out = Vec::new();
    CAPTURE.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.counts(number::engine_number, &mut out);
        }
    });
    emit(out);
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

/// Counts one captured error and reports it as the gate allows.
pub(crate) fn captured(e: Captured) {
    let now = now();
    let mut out = Vec::new();
    let counting = CAPTURE.with(|c| {
        let mut c = c.try_borrow_mut().ok()?;
        c.capture(e, now, number::engine_number, &mut out);
        Some(c.has_counts())
    });
    emit(out);
    if counting == Some(true) {
        let armed = COUNTS_TIMER.with(|t| t.try_borrow().is_ok_and(|t| t.is_some()));
        if !armed {
            let timer = Timeout::new(COUNTS_AFTER_MS, report);
            COUNTS_TIMER.with(|t| {
                if let Ok(mut t) = t.try_borrow_mut() {
                    *t = Some(timer);
                }
            });
        }
    }
}

/// Hands reports to index.js, in order. A sink that throws is not the page's problem.
pub(crate) fn emit(reports: Vec<Report>) {
    let Some((metric, log)) = SINKS.with(|s| {
        let s = s.try_borrow().ok()?;
        let s = s.as_ref()?;
        Some((s.metric.clone(), s.log.clone()))
    }) else {
        return;
    };
    let this = JsValue::UNDEFINED;
    for r in reports {
        match r {
            Report::Metric {
                name,
                value,
                labels_json,
            } => {
                let _ = metric.call3(
                    &this,
                    &JsValue::from_str(name),
                    &JsValue::from_f64(value),
                    &JsValue::from(labels_json),
                );
            }
            Report::Log {
                level,
                message,
                context_json,
                error,
            } => {
                let parts = error.map(|(name, message, stack)| {
                    let parts = Array::of2(&name.into(), &message.into());
                    if let Some(stack) = stack {
                        parts.push(&stack.into());
                    }
                    parts
                });
                let _ = log.call4(
                    &this,
                    &JsValue::from(level as u32),
                    &JsValue::from(message),
                    &context_json.map_or(JsValue::UNDEFINED, JsValue::from),
                    &parts.map_or(JsValue::UNDEFINED, JsValue::from),
                );
            }
        }
    }
}

/// The gate's clock: `performance.now()`, monotonic (a page that fakes `Date.now` cannot
/// stall the repeat window or the minute of reports).
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// The allocator: lol_alloc's free list, as in the main module (see its `lib.rs`).
#[cfg(all(target_arch = "wasm32", feature = "allocator"))]
#[global_allocator]
// Safety: wasm32 without the `atomics` target feature has no threads.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

//! What the module reports, and where it goes: the two functions index.js gives it (`metric`
//! and `log`, see the crate's docs), the error gate's state (the core's [`ErrorCapture`]), and
//! the timer that hands over errors only counted. Error capture ([`crate::errors`]) and page
//! timings ([`crate::observe`]) report here; nothing here calls back into them.

use std::cell::RefCell;

use gloo_timers::callback::Timeout;
use js_sys::{Array, Function};
use recoloca_telemetry_core::capture::{Captured, ErrorCapture, Report};
use wasm_bindgen::JsValue;

use crate::number;

/// Errors only counted are handed over at most this long after the first of them.
const COUNTS_AFTER_MS: u32 = 5_000;

/// The two functions reports go out through.
struct Sinks {
    metric: Function,
    log: Function,
}

thread_local! {
    static SINKS: RefCell<Option<Sinks>> = const { RefCell::new(None) };
    static CAPTURE: RefCell<ErrorCapture> = RefCell::new(ErrorCapture::new());
    /// Armed when an error is first only counted; hands the counts over when it fires.
    static COUNTS_TIMER: RefCell<Option<Timeout>> = const { RefCell::new(None) };
}

/// Sets the functions reports go out through.
pub fn set_sinks(metric: Function, log: Function) {
    SINKS.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            *s = Some(Sinks { metric, log });
        }
    });
}

/// Hands over the errors counted but not reported yet.
pub fn counts() {
    let timer = COUNTS_TIMER.with(|t| t.try_borrow_mut().ok()?.take());
    drop(timer);
    let user = user();
    let mut out = Vec::new();
    CAPTURE.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.counts(user.as_deref(), number::engine_number, &mut out);
        }
    });
    emit(out);
}

/// Counts one captured error and reports it as the gate allows.
pub fn captured(e: Captured) {
    let now = now();
    let user = user();
    let mut out = Vec::new();
    let counting = CAPTURE.with(|c| {
        let mut c = c.try_borrow_mut().ok()?;
        c.capture(e, now, user.as_deref(), number::engine_number, &mut out);
        Some(c.has_counts())
    });
    emit(out);
    if counting == Some(true) {
        let armed = COUNTS_TIMER.with(|t| t.try_borrow().is_ok_and(|t| t.is_some()));
        if !armed {
            let timer = Timeout::new(COUNTS_AFTER_MS, counts);
            COUNTS_TIMER.with(|t| {
                if let Ok(mut t) = t.try_borrow_mut() {
                    *t = Some(timer);
                }
            });
        }
    }
}

/// Hands reports to index.js, in order. A sink that throws is not the page's problem.
pub fn emit(reports: Vec<Report>) {
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

/// The user `frontend_errors_total` names: the seed's, `localStorage.user_id` (none when empty
/// or unreadable: `anonymous`), read at each report as index.js reads it for the log entry that
/// goes with it.
fn user() -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok().flatten()?;
    storage
        .get_item("user_id")
        .ok()
        .flatten()
        .filter(|u| !u.is_empty())
}

/// The gate's clock: `performance.now()`, monotonic (a page that fakes `Date.now` cannot
/// stall the repeat window or the minute of reports).
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

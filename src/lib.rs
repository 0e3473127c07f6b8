//! # recoloca-telemetry
//!
//! The browser telemetry client of the Recoloca.ai frontend: metrics and logs, batched and
//! delivered to `/api/metrics` and `/api/logs` in the wire format of the TypeScript
//! `MetricsCollector` and `Logger` it replaces. This crate is the browser layer of the
//! WebAssembly module; the npm package `@recoloca/telemetry` wraps it in a small JavaScript API
//! (`pkg-template/index.js`), and the logic it drives is the crate `recoloca-telemetry-core`
//! (`src/core/`), a sans-IO state machine with no browser in it.
//!
//! One event, from call to request body, in one direction:
//!
//! 1. `metricsCollector.recordMetric('page_views_total', 1, {page: '/'})` in
//!    `pkg-template/index.js` finds the series id of that name and label set (asking
//!    [`add_series`] the first time) and stages `(id, value, Date.now())` in a `Float64Array`.
//! 2. At the end of the task (or before anything else reaches the module) index.js hands the
//!    staged events over in one call, [`ingest`].
//! 3. [`driver`] gives them to the core's `Client` as `Input::Metrics`; the client encodes
//!    each into the metrics queue (`src/core/src/client.rs`, `metric.rs`, `batch.rs`) and, when
//!    a batch is full, decides to send it (`delivery.rs`): `Output::Post`.
//! 4. [`driver`] carries that output to [`transport`], which `fetch`es the exact body; the
//!    answer goes back to the client as `Input::Answer`.
//!
//! Page exit ([`lifecycle`]) is an input too; storage ([`storage`]) and console
//! ([`console`]) are outputs.
//!
//! Captured errors and page timings are the second module's (`src/watch/`), which index.js
//! loads once this one is ready, when `captureErrors` or `observePerformance` is on. What it
//! reports reaches this module as the page's own calls do: metric events through
//! [`add_series`] and [`ingest`], error entries through [`log`]. This module only reads the two
//! options ([`features`]).

mod console;
mod driver;
mod lifecycle;
#[path = "number.rs"]
mod number;
mod options;
#[cfg(feature = "otlp")]
mod otlp;
mod property;
#[cfg(feature = "otlp")]
mod requests;
mod shell;
mod storage;
mod transport;

use std::cell::RefCell;

use gloo_timers::callback::Timeout;
use js_sys::Function;
use recoloca_telemetry_core::client::Input;
use recoloca_telemetry_core::log::{Entry, ErrorInfo, Level};
use wasm_bindgen::prelude::*;

// The logic, in its own crate (src/core/): re-exported under its own names.
pub use recoloca_telemetry_core as logic;

/// What the module holds of the page while it runs: its listeners, removed when dropped, and
/// the one-off timer that takes over what earlier pages kept.
struct Page {
    _lifecycle: Option<lifecycle::Lifecycle>,
    _restore: Option<Timeout>,
    /// The OTLP entry's wait for the page's load (its document-load span), and the tick after
    /// it, when the navigation timing is complete.
    #[cfg(feature = "otlp")]
    _load: Option<gloo_events::EventListener>,
    #[cfg(feature = "otlp")]
    _loaded: Option<Timeout>,
}

thread_local! {
    static PAGE: RefCell<Page> = const {
        RefCell::new(Page {
            _lifecycle: None,
            _restore: None,
            #[cfg(feature = "otlp")]
            _load: None,
            #[cfg(feature = "otlp")]
            _loaded: None,
        })
    };
    static NEXT_FLUSH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Creates the client the first time any function is called, with its listeners.
fn started() {
    if !driver::ensure() {
        return;
    }
    // What earlier pages kept is taken over in a later task: after the calls made before the
    // module loaded (a `configure` with other bounds among them) have been replayed.
    let restore = Timeout::new(0, restore as driver::Callback);
    PAGE.with(|p| {
        let Ok(mut p) = p.try_borrow_mut() else {
            return;
        };
        p._lifecycle = lifecycle::listen();
        p._restore = Some(restore);
    });
    #[cfg(feature = "otlp")]
    after_load();
}

/// Reads the page's load once it is complete: a tick after the `load` event (whose handlers
/// set `loadEventEnd`), or a tick from now when it has loaded already.
#[cfg(feature = "otlp")]
fn after_load() {
    let Some(document) = property::of_window::<web_sys::Document>("document") else {
        return;
    };
    let tick = || {
        Some(Timeout::new(
            0,
            requests::document_loaded as driver::Callback,
        ))
    };
    PAGE.with(|p| {
        let Ok(mut p) = p.try_borrow_mut() else {
            return;
        };
        if property::text(&document, "readyState").as_deref() == Some("complete") {
            p._loaded = tick();
        } else {
            let window: web_sys::EventTarget = property::window().unchecked_into();
            let on_load: fn(&web_sys::Event) = |_| {
                PAGE.with(|p| {
                    if let Ok(mut p) = p.try_borrow_mut() {
                        p._loaded = Some(Timeout::new(
                            0,
                            requests::document_loaded as driver::Callback,
                        ));
                    }
                });
            };
            p._load = Some(gloo_events::EventListener::once(&window, "load", on_load));
        }
    });
}

/// Hands the client what earlier pages kept.
fn restore() {
    driver::handle(Input::Stored(storage::entries()));
}

/// Starts the client. `shell` is the one function the module calls index.js by: before the
/// client hears of any event of the page (`false`; it hands over the metric events it staged),
/// before a hide (`true`; the second module's page timings are recorded then), and with a
/// warning's text (it says it once).
#[wasm_bindgen]
pub fn start(shell: Option<Function>) {
    shell::set(shell);
    started();
}

/// Applies the `configure()` options (a plain object). An option of the wrong type is ignored
/// with one warning; the others still apply. `false` when the client was busy: index.js offers
/// the options again.
#[wasm_bindgen]
pub fn configure(options: JsValue) -> bool {
    started();
    let Some(o) = options::read(&options) else {
        return true;
    };
    #[cfg(feature = "otlp")]
    otlp::configure(&options);
    #[cfg(feature = "otlp")]
    requests::configure(&options);
    driver::handle(Input::Configure(o))
}

/// What the second module should do as the options say now: 1 for error capture
/// (`captureErrors`), 2 for page timings (`observePerformance`), added; and in the OTLP entry
/// 4 for measuring the page's requests (`instrumentRequests`: index.js's wrappers).
#[wasm_bindgen]
pub fn features() -> u32 {
    driver::with(|c| {
        let bits =
            u32::from(c.config().capture_errors) + 2 * u32::from(c.config().observe_performance);
        #[cfg(feature = "otlp")]
        let bits = bits + 4 * u32::from(c.config().instrument_requests);
        bits
    })
    .unwrap_or(0)
}

/// Takes metric events staged by index.js: `(series, value, epoch ms)` triples. `false`,
/// taking nothing, when the client was busy: index.js keeps them for the next time.
#[wasm_bindgen]
pub fn ingest(events: &[f64]) -> bool {
    started();
    driver::handle(Input::Metrics(events))
}

/// Names a series (metric name, and labels as JSON text or undefined) and returns its id; see
/// `recoloca_telemetry_core::metric::RESET_FLAG`. `u32::MAX` (never an id) when the client
/// was busy.
///
/// The exports take texts as plain values, read with one shared conversion (`text`): each
/// `String` or `Option<String>` parameter would cost its export a conversion of its own.
#[wasm_bindgen(js_name = addSeries)]
pub fn add_series(name: JsValue, labels_json: JsValue) -> u32 {
    started();
    let (name, labels) = (text(&name).unwrap_or_default(), text(&labels_json));
    #[cfg(feature = "otlp")]
    {
        let values = otlp::values(labels.as_deref());
        driver::with(|c| c.add_series_with(&name, labels.as_deref(), &values)).unwrap_or(u32::MAX)
    }
    #[cfg(not(feature = "otlp"))]
    driver::with(|c| c.add_series(&name, labels.as_deref())).unwrap_or(u32::MAX)
}

/// A text the JavaScript side passed, `None` for anything else (undefined, null).
fn text(v: &JsValue) -> Option<String> {
    v.as_string()
}

/// Counts one log entry index.js dropped as too large before encoding it.
#[wasm_bindgen(js_name = logTooLarge)]
pub fn log_too_large() -> bool {
    started();
    driver::handle(Input::LogTooLarge)
}

/// Records one log entry. `level` is 0 debug, 1 info, 2 warn, 3 error; `context_json` the
/// context as JSON text; `error` the error's `[name, message, stack]` when it has one (the
/// stack may be missing); `timestamp` the time as `toISOString` wrote it (the engine's dates
/// are smaller than a calendar here). `false` when the client was busy.
#[wasm_bindgen]
pub fn log(
    level: u32,
    message: JsValue,
    context_json: JsValue,
    error: JsValue,
    epoch_ms: f64,
    timestamp: JsValue,
) -> bool {
    started();
    let message = text(&message).unwrap_or_default();
    let timestamp = text(&timestamp).unwrap_or_default();
    let context = text(&context_json);
    #[cfg(feature = "otlp")]
    let values = otlp::values(context.as_deref());
    #[cfg(feature = "otlp")]
    let values = values.as_slice();
    #[cfg(not(feature = "otlp"))]
    let values = &[];
    let part = |i: &str| property::text(&error, i);
    let parts = error.is_object().then(|| (part("0"), part("1"), part("2")));
    let error = parts.as_ref().and_then(|(name, message, stack)| {
        Some(ErrorInfo {
            name: name.as_deref()?,
            message: message.as_deref().unwrap_or(""),
            stack: stack.as_deref(),
        })
    });
    driver::handle(Input::Log(Entry {
        epoch_ms,
        timestamp: &timestamp,
        level: Level::from_index(level).unwrap_or(Level::Info),
        message: &message,
        context_json: context.as_deref(),
        error,
        context: values,
    }))
}

/// The user and session every later log entry carries (texts, or undefined for none).
/// `false` when the client was busy.
#[wasm_bindgen(js_name = setIdentity)]
pub fn set_identity(user_id: JsValue, session_id: JsValue) -> bool {
    started();
    let (user, session) = (text(&user_id), text(&session_id));
    driver::handle(Input::Identity {
        user_id: user.as_deref(),
        session_id: session.as_deref(),
    })
}

/// Sends everything buffered now, then calls `done` (the `resolve` of the promise index.js's
/// `flush()` returns) once each stream has sent it all, or stopped at a failure to retry
/// later. `false`, without calling it, when the client was busy.
#[wasm_bindgen]
pub fn flush(done: Function) -> bool {
    started();
    let id = NEXT_FLUSH.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    });
    driver::on_flushed(id, done);
    driver::handle(Input::Flush(id))
}

/// What the client holds, item `i` of `[metrics events, metrics bytes, logs events, logs
/// bytes]` (for tests and the benchmark); NaN when unavailable.
#[wasm_bindgen]
pub fn held(i: u32) -> f64 {
    driver::with(|c| c.held().get(i as usize).copied())
        .flatten()
        .unwrap_or(f64::NAN)
}

/// The allocator: lol_alloc's free list, a few hundred bytes where Rust's default (dlmalloc)
/// costs the module about 3 kB gzip. The module's allocations are few and long-lived (the
/// queues and their batches), which a free list serves well.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// Safety: wasm32 without the `atomics` target feature has no threads.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

//! # recoloca-telemetry
//!
//! The browser telemetry client of the Recoloca.ai frontend: metrics and logs, batched and
//! delivered to `/api/metrics` and `/api/logs` in the wire format of the TypeScript
//! `MetricsCollector` and `Logger` it replaces. This crate is the WebAssembly core; the npm
//! package `@recoloca/telemetry` wraps it in a small JavaScript API (see `pkg-template/`).
//!
//! One event, from call to request body:
//!
//! 1. `metricsCollector.recordMetric('page_views_total', 1, {page: '/'})` in `pkg-template/index.js`
//!    finds the series id of that name and label set (asking [`add_series`] the first time),
//!    and writes `(id, value, Date.now())` into the staging area shared with this module.
//! 2. At the end of the task, when staging is full, or before any other call into this
//!    module or anything page.js tells it, it calls [`ingest`]: the
//!    [`client`] encodes each staged event with the [`metric`] table into the metrics
//!    [`batch::Queue`], within its bounds.
//! 3. When a batch is full, the timer fires or [`flush`] is called, [`delivery`] seals the
//!    pending events into a batch body (`{"metrics":[…]}`) and [`transport`] POSTs it.
//!
//! The logic (`json`, `batch`, `metric`, `log`, `config`, `retry`, `persist`, `vitals`, …) is
//! its own crate, `recoloca-telemetry-core` (src/core/), with no browser dependency, tested
//! natively with `cargo test --workspace` and re-exported here under the same names; this
//! crate is the browser glue that drives it.

//! ## Size
//!
//! The crate is `no_std` (with `alloc`): std would bring its panic hook, which formats panic
//! messages, and with it most of `core::fmt`. The module has its own allocator (`heap`) and
//! its own panic handler, which traps; nothing reachable from JavaScript is meant to panic in
//! the first place (no `unwrap`, no unchecked indexing). Native builds and the browser tests
//! (feature `std`) link std as usual.
//!
//! Page timings and error capture are the features `timings` and `errors`, on by default; the
//! package's slim entry is this crate built without them. The code asks `cfg!(feature = …)`,
//! a constant, at the few places that start or feed them, so such a build leaves them out.

#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]
// `f64::clamp` asserts its bounds with a message that formats floats, which would drag Rust's
// float printing into the module; the code clamps with `max`/`min` on purpose.
#![allow(clippy::manual_clamp)]

extern crate alloc;

// The logic, in its own crate (src/core/): re-exported under the names the browser layer uses.
pub use recoloca_telemetry_core::{
    batch, config, error_gate, float, json, log, metric, persist, retry, text, uuid, vitals,
};

#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
mod delivery;
#[cfg(target_arch = "wasm32")]
mod errors;
#[cfg(target_arch = "wasm32")]
mod heap;

/// A trap, without a message: formatting one would cost more bytes than the rest of the
/// client's error handling. The browser tests link std instead (feature `std`).
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// A value of the page's one thread, in a plain `static`.
#[cfg(target_arch = "wasm32")]
pub(crate) struct Local<T>(pub T);

// Safety: wasm32 without the `atomics` target feature has no threads; a build with threads
// fails here instead of sharing the state unsoundly.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl<T> Sync for Local<T> {}

/// A few hundred bytes instead of dlmalloc's eight thousand (see `heap`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: heap::SizeClasses = heap::SizeClasses::new();
#[cfg(target_arch = "wasm32")]
mod exit;
#[cfg(target_arch = "wasm32")]
mod listen;
#[cfg(target_arch = "wasm32")]
mod observe;
#[cfg(target_arch = "wasm32")]
mod options;
#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(target_arch = "wasm32")]
mod random;
#[cfg(target_arch = "wasm32")]
mod transport;
#[cfg(target_arch = "wasm32")]
mod wake;

#[cfg(target_arch = "wasm32")]
pub use exports::*;
/// Entry types the page timings observe now (for the browser tests).
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub use observe::observed as observed_entry_types;
/// `configure` and `flush` as the browser tests call them (see [`page::host`]).
#[cfg(all(target_arch = "wasm32", feature = "std"))]
pub use page::host;

/// The functions `pkg-template/index.js` calls, and `wake`, which `src/page.js` calls. None of
/// them throws or panics: each takes already-normalized arguments and does nothing when the
/// state is unavailable.
#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::*;

    use crate::client::{self, Kind, STAGING_EVENTS};
    use crate::delivery;
    use crate::log::{Entry, ErrorInfo, Level};
    use crate::page::Text;

    /// Applies the `configure()` options (a plain object) index.js offered to page.js. An
    /// option of the wrong type is ignored with one warning; the others still apply. `false`,
    /// reading nothing, when the client is busy (a call made from inside one of its own calls
    /// into the page): index.js offers the options again once that call is over.
    #[wasm_bindgen]
    pub fn configure() -> bool {
        if client::busy() {
            return false;
        }
        let o = crate::options::read();
        client::with(|c| c.configure(o)).is_some()
    }

    /// Creates the client (timers included) if it does not exist yet.
    #[wasm_bindgen]
    pub fn start() {
        client::with(|_| ());
    }

    /// Where in this module's memory the JavaScript side stages metric events.
    #[wasm_bindgen(js_name = stagingPtr)]
    pub fn staging_ptr() -> u32 {
        client::with(|c| c.staging_ptr()).unwrap_or(0)
    }

    /// How many events fit in the staging area.
    #[wasm_bindgen(js_name = stagingEvents)]
    pub fn staging_events() -> u32 {
        STAGING_EVENTS as u32
    }

    /// Names a series (metric name and labels JSON) and returns its id; see
    /// [`crate::metric::RESET_FLAG`]. `u32::MAX` (never an id) when the client is busy: a
    /// call made from inside one of its own calls into the page (a wrapped `fetch`, say).
    #[wasm_bindgen(js_name = addSeries)]
    pub fn add_series(name: Text, labels_json: Text) -> u32 {
        client::with(|c| c.add_series(&name, crate::text::given(&labels_json))).unwrap_or(u32::MAX)
    }

    /// Takes the first `n` staged metric events. `false` when the client was busy (see
    /// `add_series`) and took nothing: the caller keeps them for the next time.
    #[wasm_bindgen]
    pub fn ingest(n: u32) -> bool {
        client::with(|c| {
            if c.ingest(n as usize) {
                delivery::on_full_batch(c, Kind::Metrics);
            }
        })
        .is_some()
    }

    /// Counts one log entry the JavaScript side dropped as too large before encoding it.
    #[wasm_bindgen(js_name = droppedLog)]
    pub fn dropped_log() {
        client::with(|c| c.logs.count_drop(crate::batch::Drop::TooLarge, 1));
    }

    /// Records one log entry. `level` is 0 debug, 1 info, 2 warn, 3 error; `error` is the
    /// error's name, message and (when it has one) stack, NUL-separated (a NUL inside one
    /// written as U+FFFD by index.js).
    #[wasm_bindgen]
    pub fn log(level: u32, message: Text, context_json: Text, error: Text, epoch_ms: f64) {
        let mut parts = crate::text::given(&error).map(|e| crate::text::split(e, 0));
        let error = parts.as_mut().and_then(|p| {
            Some(ErrorInfo {
                name: p.next()?,
                message: p.next().unwrap_or(""),
                stack: p.next(),
            })
        });
        let entry = Entry {
            epoch_ms,
            level: Level::from_index(level).unwrap_or(Level::Info),
            message: &message,
            context_json: crate::text::given(&context_json).map(str::as_bytes),
            error,
        };
        client::with(|c| {
            if c.log(&entry) {
                delivery::on_full_batch(c, Kind::Logs);
            }
        });
    }

    /// The user and session every later log entry carries.
    #[wasm_bindgen(js_name = setIdentity)]
    pub fn set_identity(user_id: Text, session_id: Text) {
        client::with(|c| {
            c.set_identity(
                crate::text::given(&user_id),
                crate::text::given(&session_id),
            )
        });
    }

    /// Sends everything buffered now. Returns the id under which page.js keeps the promise
    /// that settles (never rejects) when done; index.js takes it with `settled(id)`.
    #[wasm_bindgen]
    pub fn flush() -> u32 {
        delivery::flush_all()
    }

    /// What page.js calls when something the module waits for happens: a listener, timer,
    /// observer or request of the module's, named by `token` (see `wake`).
    #[wasm_bindgen]
    pub fn wake(token: u32, n: f64, text: Text) {
        crate::wake::wake(token, n, &text);
    }

    /// What the client holds, item `i` of `[metrics events, metrics bytes, logs events, logs
    /// bytes]` (for tests and the benchmark); NaN when unavailable.
    #[wasm_bindgen]
    pub fn held(i: u32) -> f64 {
        client::with(|c| c.held().get(i as usize).copied())
            .flatten()
            .unwrap_or(f64::NAN)
    }

    /// A fresh random UUID (for the session id where `crypto.randomUUID` is missing).
    #[wasm_bindgen]
    pub fn uuid() -> Text {
        Text(crate::random::uuid())
    }
}

/// Prints a number the way the JavaScript engine does (the fallback of [`json::write_f64`]).
#[cfg(target_arch = "wasm32")]
fn engine_number(v: f64, out: &mut alloc::vec::Vec<u8>) {
    out.extend_from_slice(page::number_text(v).as_bytes());
}

/// One console warning, the first time this text comes up in the page (page.js prefixes it
/// with the package name and remembers what it printed, as index.js does for its own).
#[cfg(target_arch = "wasm32")]
fn warn(message: &str) {
    page::warn(message);
}

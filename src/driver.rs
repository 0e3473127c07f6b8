//! The client's home in the page: the one [`Client`] (the sans-IO state machine of
//! `src/core/`), the inputs it is handed, and the outputs carried out for it.
//!
//! Every path into the client goes through [`handle`]: it takes the time, hands over the input,
//! drains the outputs, and only then, with the client no longer borrowed, carries them out
//! (a `fetch`, a beacon, a storage write, a console warning). Page code those run (a page's own
//! `fetch` wrapper that logs, a `console.warn` that records a metric) finds the client free, so
//! its calls are applied in order instead of being lost. Last, the one timer is set for the
//! client's next deadline ([`Client::poll_timeout`]).

use std::cell::RefCell;

use gloo_timers::callback::Timeout;
use js_sys::Function;
use recoloca_telemetry_core::client::{Client, Input, Output, Platform};
use wasm_bindgen::JsValue;

use crate::{console, shell, storage, transport};

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
    /// The timer for the client's next deadline, and that deadline.
    static TIMER: RefCell<Option<(f64, Timeout)>> = const { RefCell::new(None) };
    /// `flush()` calls waiting, by id: their promises' `resolve`.
    static FLUSHES: RefCell<Vec<(u32, Function)>> = const { RefCell::new(Vec::new()) };
}

/// The client's scheduling clock: `performance.now()`, monotonic, which a page that fakes
/// `Date.now` or a wall clock set back cannot stall (see `src/core/src/client.rs`).
pub fn now() -> f64 {
    performance().map_or_else(js_sys::Date::now, |p| p.now())
}

fn performance() -> Option<web_sys::Performance> {
    crate::property::of_window("performance")
}

/// `performance.timeOrigin`: epoch ms at the scheduling clock's zero; where a browser has no
/// `timeOrigin` (Safari before 15), the wall clock less the scheduling clock. Read by name:
/// web-sys's getter would be one more binding (README, "Building").
pub fn time_origin(performance: &web_sys::Performance) -> f64 {
    let origin = crate::property::number(performance, "timeOrigin");
    if origin.is_finite() {
        origin
    } else {
        js_sys::Date::now() - performance.now()
    }
}

/// Creates the client with the seed's defaults, if there is none yet. Returns whether it
/// was created now.
pub fn ensure() -> bool {
    let created = CLIENT.with(|cell| {
        let mut c = cell.try_borrow_mut().ok()?;
        if c.is_some() {
            return None;
        }
        let platform = Platform {
            number: crate::number::engine_number,
            parse_date: |text| js_sys::Date::parse(text),
        };
        let now = now();
        let mut client = Client::new(platform, seed(), online(), now);
        // Epoch ms at the scheduling clock's zero (without `performance`, the clocks are one).
        let origin = performance().map_or(0.0, |p| time_origin(&p));
        client.set_wall_offset(origin);
        #[cfg(feature = "otlp")]
        if let Some(ua) = crate::property::of_window::<web_sys::Navigator>("navigator")
            .and_then(|n| n.user_agent().ok())
        {
            client.set_user_agent(&ua);
        }
        *c = Some(client);
        Some(now)
    });
    if let Some(now) = created {
        rearm(now);
    }
    created.is_some()
}

/// An event of the page (an answer, connectivity, another tab): index.js hears of it first
/// (see [`shell`]: it hands over the metric events it staged), then the client takes it. See
/// [`handle`] for the result.
pub fn from_page(input: Input) -> bool {
    before_event();
    handle(input)
}

/// `navigator.onLine`, true where unknown.
pub fn online() -> bool {
    let navigator = crate::property::of_window::<JsValue>("navigator");
    navigator.is_none_or(|n| crate::property::get(&n, "onLine") != JsValue::FALSE)
}

/// Tells index.js that an event of the page comes.
fn before_event() {
    shell::tell(&JsValue::FALSE);
}

/// Tells index.js that a hide comes.
pub fn before_hide() {
    shell::tell(&JsValue::TRUE);
}

/// Reads the client (`None` before it exists, or while it is in use).
pub fn with<R>(f: impl FnOnce(&mut Client) -> R) -> Option<R> {
    CLIENT.with(|cell| cell.try_borrow_mut().ok()?.as_mut().map(f))
}

/// Hands `input` to the client and carries out what it asks. `false`, doing nothing, when the
/// client does not exist or is in use (which the order above rules out; the caller keeps the
/// call for later rather than lose it).
pub fn handle(input: Input) -> bool {
    let now = now();
    if with(|c| c.handle_input(now, input)).is_none() {
        return false;
    }
    // One output at a time, each taken only once the one before it is carried out: an output
    // may bring an input of its own (a refused beacon), whose outputs then come after those
    // already waiting, in the order the client made them.
    while let Some(o) = with(|c| c.poll_output()).flatten() {
        carry(o);
    }
    rearm(now);
    true
}

/// Carries out one output of the client.
fn carry(o: Output) {
    match o {
        Output::Post(post) => transport::post(post, from_page),
        Output::Abort(request) => transport::abort(request),
        Output::Beacon { request, url, body } => {
            let accepted = transport::beacon(&url, &body);
            handle(Input::Beaconed { request, accepted });
        }
        Output::Store { key, text } => {
            if !storage::set(&key, &text) {
                console::warn_once(
                    "localStorage refused the undelivered telemetry; it is lost with this page",
                );
            }
        }
        Output::Unstore { key } => storage::remove(&key),
        Output::ReadStored => {
            handle(Input::Stored(storage::entries()));
        }
        Output::Flushed(id) => {
            let waiting = FLUSHES.with(|f| {
                let mut f = f.try_borrow_mut().ok()?;
                let i = f.iter().position(|(w, _)| *w == id)?;
                Some(f.swap_remove(i).1)
            });
            if let Some(resolve) = waiting {
                // (`call1`, as index.js is called: one binding for both.)
                let _ = resolve.call1(&JsValue::UNDEFINED, &JsValue::UNDEFINED);
            }
        }
        Output::Warn(w) => console::warn_once(w.text()),
    }
}

/// Calls `done` when the client says `flush()` number `id` is done.
pub fn on_flushed(id: u32, done: Function) {
    FLUSHES.with(|f| {
        if let Ok(mut f) = f.try_borrow_mut() {
            f.push((id, done));
        }
    });
}

/// Sets the timer for the client's next deadline (if it moved), from `now`.
fn rearm(now: f64) {
    let Some(at) = with(|c| c.poll_timeout()) else {
        return;
    };
    let armed = TIMER.with(|t| Some(t.try_borrow().ok()?.as_ref()?.0));
    if armed == Some(at) {
        return;
    }
    let timer = at.is_finite().then(|| {
        // A timer may fire a little early by the wall clock: one millisecond more.
        let ms = (at - now).ceil().max(0.0) + 1.0;
        let timeout = Timeout::new(ms.min(2_147_483_647.0) as u32, timer_fired as Callback);
        (at, timeout)
    });
    TIMER.with(|t| {
        if let Ok(mut t) = t.try_borrow_mut() {
            *t = timer;
        }
    });
}

/// What a timer of the module runs: a plain function, the same type for each of its timers,
/// so that the module has one copy of gloo's timer code, not one per closure.
pub type Callback = fn();

/// The client's deadline came.
fn timer_fired() {
    // Forgotten before the client runs, so that whatever deadline it has next is armed anew,
    // even the same one (should the clock say it has not come yet).
    let fired = TIMER.with(|t| t.try_borrow_mut().ok()?.take());
    handle(Input::Timeout);
    drop(fired);
}

/// 32 bytes from `crypto.getRandomValues`, which every browser that runs the module has (in
/// insecure contexts too). Without it (a bare embedding), the time since the page's start, to
/// the microsecond where the engine gives it: enough for keys that differ between pages, all
/// the seed is for (no secret is made from it).
fn seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    let crypto = crate::property::of_window::<web_sys::Crypto>("crypto");
    if crypto.is_none_or(|c| c.get_random_values_with_u8_array(&mut seed).is_err()) {
        for (b, t) in seed.iter_mut().zip(now().to_bits().to_le_bytes()) {
            *b = t;
        }
    }
    seed
}

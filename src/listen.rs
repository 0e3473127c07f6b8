//! Event listeners and timers that remove themselves when dropped.
//!
//! Timers and animation frames share one closure type (`FnMut()`), so the module carries one
//! copy of wasm-bindgen's closure glue for all of them.

use alloc::boxed::Box;

use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

#[wasm_bindgen]
extern "C" {
    // The global timer functions (window and worker scopes alike). The ids are plain numbers.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: u32) -> f64;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: f64);
    #[wasm_bindgen(js_name = setInterval)]
    fn set_interval(f: &Function, ms: u32) -> f64;
    #[wasm_bindgen(js_name = clearInterval)]
    fn clear_interval(id: f64);
}

/// A listener on `target` for `kind`, registered for as long as this value lives.
#[must_use = "the listener is removed as soon as this value is dropped"]
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    capture: bool,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Adds `f` as a listener. The callback must not throw; ours never do.
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        capture: bool,
        f: impl FnMut(Event) + 'static,
    ) -> Self {
        let callback = Closure::<dyn FnMut(Event)>::new(f);
        let _ = target.add_event_listener_with_callback_and_bool(
            kind,
            callback.as_ref().unchecked_ref(),
            capture,
        );
        Listener {
            target: target.clone(),
            kind,
            capture,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.kind,
            self.callback.as_ref().unchecked_ref(),
            self.capture,
        );
    }
}

/// The one closure type of timers and frames.
pub type Task = Closure<dyn FnMut()>;

/// Wraps a callback that runs at most once into a [`Task`].
pub fn task_once(f: Box<dyn FnOnce()>) -> Task {
    let mut f = Some(f);
    Closure::new(move || {
        if let Some(f) = f.take() {
            f();
        }
    })
}

/// `f` in `ms` milliseconds, once; cancelled if this value is dropped first.
#[must_use = "the timeout is cancelled as soon as this value is dropped"]
pub struct Timeout {
    id: f64,
    _task: Task,
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(self.id);
    }
}

/// Calls `f` once after `ms` milliseconds, unless the returned value is dropped first.
pub fn after(ms: u32, f: Box<dyn FnOnce()>) -> Timeout {
    let task = task_once(f);
    Timeout {
        id: set_timeout(task.as_ref().unchecked_ref(), ms),
        _task: task,
    }
}

/// `f` every `ms` milliseconds, for as long as this value lives.
#[must_use = "the interval is cancelled as soon as this value is dropped"]
pub struct Interval {
    id: f64,
    _task: Task,
}

impl Interval {
    pub fn new(ms: u32, f: impl FnMut() + 'static) -> Self {
        let task: Task = Closure::new(f);
        Interval {
            id: set_interval(task.as_ref().unchecked_ref(), ms),
            _task: task,
        }
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        clear_interval(self.id);
    }
}

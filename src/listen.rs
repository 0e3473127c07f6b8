//! Event listeners and timeouts that remove themselves when dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

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

/// A timeout that is cancelled when dropped. Every caller goes through this one closure type,
/// so the module carries one copy of the glue instead of one per call site.
#[must_use = "the timeout is cancelled as soon as this value is dropped"]
pub fn after(ms: u32, f: Box<dyn FnOnce()>) -> gloo_timers::callback::Timeout {
    gloo_timers::callback::Timeout::new(ms, f)
}

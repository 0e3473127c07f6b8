//! Listeners, timers and observers that end when dropped.
//!
//! Each lives on the JavaScript side of [`crate::page`] under a serial number; a [`Hold`] owns
//! that number and releases it (removes the listener, clears the timer, disconnects the
//! observer) when it is dropped. What they report comes back through
//! [`crate::wake`](mod@crate::wake).

use crate::page;

/// One listener, timer, observer or pair of animation frames, ended when this value is dropped.
#[must_use = "what it holds ends as soon as this value is dropped"]
pub struct Hold(u32);

impl Hold {
    /// `None` when page.js could not set it up (no page, an API missing).
    fn of(id: u32) -> Option<Hold> {
        (id != 0).then_some(Hold(id))
    }

    /// Wakes `token` once, after `ms` milliseconds.
    pub fn timeout(token: u32, ms: u32) -> Option<Hold> {
        Hold::of(page::timer(token, ms, false))
    }

    /// Wakes `token` every `ms` milliseconds.
    pub fn interval(token: u32, ms: u32) -> Option<Hold> {
        Hold::of(page::timer(token, ms, true))
    }

    /// A group of listeners page.js has just added (`listenExit`, `listenErrors`,
    /// `listenInputs`), by the one id that removes them all.
    pub fn listeners(id: u32) -> Option<Hold> {
        Hold::of(id)
    }

    /// A buffered `PerformanceObserver` of entry type `source`, waking `token`.
    pub fn observer(source: u32, token: u32, threshold: f64) -> Option<Hold> {
        Hold::of(page::observe(source, token, threshold))
    }

    /// Wakes `token` at the second animation frame from now.
    pub fn frames(token: u32) -> Option<Hold> {
        Hold::of(page::frames(token))
    }

    /// The serial number page.js knows it by.
    pub fn id(&self) -> u32 {
        self.0
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        page::release(self.0);
    }
}

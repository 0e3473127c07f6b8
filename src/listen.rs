//! Listeners, timers and observers that end when dropped.
//!
//! Each lives on the JavaScript side of [`crate::page`] under a serial number; a [`Hold`] owns
//! that number and releases it (removes the listener, clears the timer, disconnects the
//! observer) when it is dropped. What they report comes back through [`crate::wake`].

use alloc::vec::Vec;

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

    /// The listener `code` (see `EVENTS` in page.js); it wakes `code`.
    pub fn listener(code: u32) -> Option<Hold> {
        Hold::of(page::listen(code))
    }

    /// The listeners `codes`, leaving out any page.js could not set up. (A slice rather than
    /// an array: one copy of the code for every caller, whatever its count.)
    pub fn listeners(codes: &[u32]) -> Vec<Hold> {
        codes.iter().filter_map(|&c| Hold::listener(c)).collect()
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

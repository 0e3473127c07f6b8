//! Which captured errors are reported, and how the rest are counted.
//!
//! An error storm must neither flood the collector nor freeze the page, and yet the counts must
//! stay exact. So every error is counted, but only some are *reported* (a log entry and a
//! `frontend_errors_total` event of its own):
//! - the same error (type, message, top frame) within 5 s of its last report is a repeat;
//! - at most 100 reports a minute; past that, one "rate limited" notice until the minute ends.
//!
//! Errors that are not reported are added to per-label counters that the client turns into
//! `frontend_errors_total` events with their summed value at the next flush.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::text;

/// A repeat of a reported error within this long is only counted.
pub const REPEAT_WINDOW_MS: f64 = 5_000.0;
/// Reports allowed per minute.
pub const REPORTS_PER_MINUTE: u32 = 100;
const MINUTE_MS: f64 = 60_000.0;
/// Fingerprints remembered (the one reported longest ago is forgotten first).
const MAX_SEEN: usize = 256;
/// Distinct label sets counted between two flushes; beyond it, counts go to an `other` type.
const MAX_COUNTERS: usize = 64;

/// What to do with one captured error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Report it: a log entry and its own metric event.
    Report,
    /// Count it only: it repeats an error reported less than 5 s ago.
    Repeat,
    /// Count it only: the minute's reports are used up. `notice` is true for the first such
    /// error of the minute, which should send one "rate limited" notice.
    Limited { notice: bool },
}

/// Counts waiting to be sent, by `(error_type, component)`. The component is one of the
/// module's own names, so it is kept as given: no copy of it to make or drop.
pub type Counts = Vec<((String, &'static str), u64)>;

#[derive(Debug, Default)]
pub struct Gate {
    /// (fingerprint, time of its last report, its number among the reports).
    seen: Vec<(String, f64, u64)>,
    /// Reports so far: the entry with the lowest number was reported longest ago, whatever the
    /// clock did since (it may be set back).
    serial: u64,
    minute_start: f64,
    reports: u32,
    noticed: bool,
    counts: Counts,
}

impl Gate {
    pub fn new() -> Self {
        Gate::default()
    }

    /// Decides for an error with this fingerprint, captured at `now` (epoch ms). The
    /// fingerprint is taken, not borrowed: it is kept as it is, never copied.
    pub fn decide(&mut self, fingerprint: String, now: f64) -> Decision {
        if now - self.minute_start >= MINUTE_MS || now < self.minute_start {
            self.minute_start = now;
            self.reports = 0;
            self.noticed = false;
        }
        let last = self.seen.iter().position(|(f, ..)| *f == fingerprint);
        if let Some(i) = last {
            if self
                .seen
                .get(i)
                .is_some_and(|(_, at, _)| now - at < REPEAT_WINDOW_MS && now >= *at)
            {
                return Decision::Repeat;
            }
        }
        if self.reports >= REPORTS_PER_MINUTE {
            let notice = !self.noticed;
            self.noticed = true;
            return Decision::Limited { notice };
        }
        self.reports += 1;
        // Remembered in its own place if known, else in the place of the one reported longest
        // ago once the list is full (written over in place: nothing shifts).
        let place = last.or_else(|| (self.seen.len() >= MAX_SEEN).then(|| oldest(&self.seen)));
        self.serial += 1;
        match place.and_then(|i| self.seen.get_mut(i)) {
            Some(entry) => *entry = (fingerprint, now, self.serial),
            None => self.seen.push((fingerprint, now, self.serial)),
        }
        Decision::Report
    }

    /// Counts one error that was not reported.
    pub fn count(&mut self, error_type: &str, component: &'static str) {
        // A new label set once the counters are all in use goes to `other`.
        let full = self.counts.len() >= MAX_COUNTERS;
        let error_type = if full && self.counter(error_type, component).is_none() {
            "other"
        } else {
            error_type
        };
        match self.counter(error_type, component) {
            Some(n) => *n += 1,
            None => self.counts.push(((error_type.into(), component), 1)),
        }
    }

    /// The counter of `(error_type, component)`, if there is one.
    fn counter(&mut self, error_type: &str, component: &'static str) -> Option<&mut u64> {
        self.counts
            .iter_mut()
            .find(|((t, c), _)| t == error_type && *c == component)
            .map(|(_, n)| n)
    }

    /// The counts waiting; [`Gate::report_counts`] offers them to be sent.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Offers each count to `send` as `(error_type, component, n)`; a count it takes (returns
    /// `true` for) is forgotten, the others wait for the next time.
    pub fn report_counts(&mut self, mut send: impl FnMut(&str, &str, u64) -> bool) {
        self.counts.retain_mut(|((t, c), n)| !send(t, c, *n));
    }
}

/// The place of the entry reported longest ago (0 for an empty list).
fn oldest(seen: &[(String, f64, u64)]) -> usize {
    let mut place = 0;
    let mut earliest = u64::MAX;
    for (i, &(_, _, serial)) in seen.iter().enumerate() {
        if serial < earliest {
            earliest = serial;
            place = i;
        }
    }
    place
}

/// The fingerprint of an error: its type, its message and where it was thrown.
pub fn fingerprint(name: &str, message: &str, top_frame: &str) -> String {
    let mut f = String::with_capacity(name.len() + message.len() + top_frame.len() + 2);
    f.push_str(name);
    f.push('\n');
    f.push_str(message);
    f.push('\n');
    f.push_str(top_frame);
    f
}

/// The first frame of a stack trace (`    at f (a.js:1:2)` in Chromium, `f@a.js:1:2` in
/// Firefox and Safari), trimmed; empty when there is none.
pub fn top_frame(stack: &str) -> &str {
    text::split(stack, b'\n')
        .map(str::trim_ascii)
        .find(|l| is_frame(l))
        .unwrap_or("")
}

/// Whether a trimmed stack line is a frame: `at …` (Chromium) or `…@…` (Firefox, Safari).
fn is_frame(line: &str) -> bool {
    line.starts_with("at ") || line.bytes().any(|b| b == b'@')
}

/// The stack with at most `max_frames` frames: what comes before the first frame (the
/// message lines, in Chromium) is kept whole.
pub fn truncate_stack(stack: &str, max_frames: usize) -> &str {
    let mut frames = 0;
    let mut end = 0;
    for line in text::split(stack, b'\n') {
        if is_frame(line.trim_ascii()) {
            if frames == max_frames {
                break;
            }
            frames += 1;
        }
        end += line.len() + 1; // and its newline (one past the end after the last line)
    }
    // Without the newlines that end what is kept.
    let bytes = stack.as_bytes();
    let mut end = end.min(bytes.len());
    while end > 0 && bytes.get(end - 1) == Some(&b'\n') {
        end -= 1;
    }
    stack.get(..end).unwrap_or(stack)
}

/// The stack as [`truncate_stack`] keeps it, with every line cut to `max_chars` characters as
/// [`bounded`] cuts a message: a frame of a minified bundle or a first line that repeats a
/// huge message must not make the report too large to send. Borrowed as it is when no line is
/// that long.
pub fn bound_stack(stack: &str, max_frames: usize, max_chars: usize) -> Cow<'_, str> {
    let kept = truncate_stack(stack, max_frames);
    let long = |line: &str| bounded(line, max_chars).len() < line.len();
    if !text::split(kept, b'\n').any(long) {
        return Cow::Borrowed(kept);
    }
    let mut out = String::new();
    for (i, line) in text::split(kept, b'\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(bounded(line, max_chars));
    }
    Cow::Owned(out)
}

/// At most `max_chars` characters of `s` (on a character boundary).
pub fn bounded(s: &str, max_chars: usize) -> &str {
    let mut chars = 0;
    for (i, b) in s.bytes().enumerate() {
        // Each character starts with a byte that is not a continuation byte (10xxxxxx).
        if b & 0xC0 != 0x80 {
            if chars == max_chars {
                return s.get(..i).unwrap_or(s);
            }
            chars += 1;
        }
    }
    s
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "error_gate_tests.rs"]
mod tests;

//! What to send: one stream's buffer of encoded events and the batches sealed from it.
//!
//! Events arrive already encoded as JSON objects. They wait in `pending` until a flush seals
//! the oldest of them into a [`Batch`]: the exact request body, fixed from then on, so that
//! every attempt of that batch sends the same bytes under the same idempotency key. Sealed
//! batches leave in order, front first, and a failed attempt keeps its batch at the front.
//!
//! Both the pending events and the sealed batches count against the bounds, so memory stays
//! bounded however long the collector is down. When a bound is hit the *incoming* event is
//! dropped and counted: dropping the oldest instead would mean rewriting batches that may
//! already have reached the server, which breaks the no-duplicates promise.

use alloc::string::String;
use alloc::vec::Vec;

use crate::retry::Verdict;

/// What [`Queue::settle_front`] did with the front batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Removed: the server has it.
    Delivered,
    /// Replaced by its two halves, to be sent next.
    Split,
    /// Kept at the front for another attempt.
    Retry,
    /// Removed without delivery: this many events, for this reason.
    Dropped(Drop, usize),
}

/// The bounds of one stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Most events held, pending and sealed together.
    pub max_events: usize,
    /// Most bytes of encoded events held, pending and sealed together.
    pub max_bytes: usize,
    /// Largest single encoded event accepted.
    pub max_event_bytes: usize,
    /// Largest request body a batch may have.
    pub max_request_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_events: 1000,
            max_bytes: 1 << 20,
            max_event_bytes: 64 * 1024,
            max_request_bytes: 60_000,
        }
    }
}

/// Why an event was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drop {
    /// The event could not be encoded (a value JSON cannot carry, an unknown series).
    Invalid,
    /// The event alone is larger than `max_event_bytes` (or than a request may be).
    TooLarge,
    /// The stream already holds `max_events` events.
    BufferEvents,
    /// The stream already holds `max_bytes` bytes.
    BufferBytes,
    /// The server refused the batch for good (a 4xx other than 408, 425 and 429, or a 413 for
    /// a single event).
    Rejected,
    /// Every attempt of the batch failed (`retryMaxAttempts`).
    RetriesExhausted,
}

impl Drop {
    /// Every reason, in the order of their counters.
    pub const ALL: [Drop; 6] = [
        Drop::Invalid,
        Drop::TooLarge,
        Drop::BufferEvents,
        Drop::BufferBytes,
        Drop::Rejected,
        Drop::RetriesExhausted,
    ];

    /// The position of this reason's counter.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl Drop {
    /// The `reason` label of `telemetry_events_dropped_total`.
    pub fn reason(self) -> &'static str {
        match self {
            Drop::Invalid => "invalid",
            Drop::TooLarge => "event_too_large",
            Drop::BufferEvents => "buffer_full_events",
            Drop::BufferBytes => "buffer_full_bytes",
            Drop::Rejected => "rejected",
            Drop::RetriesExhausted => "retries_exhausted",
        }
    }
}

/// A sealed request body and what is known about its delivery.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    /// Sent as `Idempotency-Key`; the same on every attempt.
    pub key: String,
    /// The complete JSON body, e.g. `{"metrics":[...]}`.
    pub body: Vec<u8>,
    /// The length of each event in the body, in order (to split the batch on a 413).
    pub lengths: Vec<u32>,
    /// Attempts made so far.
    pub attempts: u32,
    /// An OTLP batch's resource and time span, fixed when it was sealed (`otlp.rs`).
    #[cfg(feature = "otlp")]
    pub otlp: crate::otlp::Sealed,
}

impl Batch {
    /// A batch whose body wraps `events` in `open` … `]}`.
    pub fn build<'a>(open: &[u8], key: String, events: impl Iterator<Item = &'a [u8]>) -> Batch {
        let mut body = Vec::new();
        body.extend_from_slice(open);
        let mut lengths = Vec::new();
        for e in events {
            if !lengths.is_empty() {
                body.push(b',');
            }
            body.extend_from_slice(e);
            lengths.push(e.len() as u32);
        }
        body.extend_from_slice(b"]}");
        Batch {
            key,
            body,
            lengths,
            attempts: 0,
            #[cfg(feature = "otlp")]
            otlp: Default::default(),
        }
    }

    /// How many events the body carries.
    pub fn events(&self) -> usize {
        self.lengths.len()
    }

    /// Bytes of the events themselves (the body less its wrapper and commas).
    pub fn event_bytes(&self) -> usize {
        self.lengths.iter().map(|&l| l as usize).sum()
    }

    /// The events of the body, in order; `open_len` is the length of its opening.
    pub fn event_slices(&self, open_len: usize) -> impl Iterator<Item = &[u8]> {
        let mut at = open_len;
        self.lengths.iter().map(move |&len| {
            let e = self.body.get(at..at + len as usize).unwrap_or_default();
            at += len as usize + 1;
            e
        })
    }

    /// Whether the body is well formed for `open`: the shape persisted or restored batches
    /// must have before they are trusted.
    pub fn is_consistent(&self, open: &[u8]) -> bool {
        let commas = self.lengths.len().saturating_sub(1);
        !self.lengths.is_empty()
            && self.body.starts_with(open)
            && self.body.ends_with(b"]}")
            && self.body.len() == open.len() + self.event_bytes() + commas + 2
    }
}

/// One stream (metrics or logs): pending events, then sealed batches, oldest first.
#[derive(Debug)]
pub struct Queue {
    /// `{"metrics":[` or `{"logs":[`.
    open: &'static [u8],
    pub limits: Limits,
    /// Pending events, back to back, without separators.
    pending: Vec<u8>,
    /// The length of each pending event, oldest first.
    lengths: Vec<usize>,
    /// Sealed batches, front first. A `Vec` rather than a `VecDeque`: it holds a handful of
    /// batches, and the module is smaller without a second container's code.
    sealed: Vec<Batch>,
    sealed_events: usize,
    sealed_bytes: usize,
}

/// Bytes a body adds around its events: the wrapper, `]}`.
fn wrapper_len(open: &[u8]) -> usize {
    open.len() + 2
}

impl Queue {
    /// A queue whose bodies are `{"<field>":[...]}`; `open` is `{"<field>":[`.
    pub fn new(open: &'static [u8], limits: Limits) -> Self {
        Queue {
            open,
            limits,
            pending: Vec::new(),
            lengths: Vec::new(),
            sealed: Vec::new(),
            sealed_events: 0,
            sealed_bytes: 0,
        }
    }

    /// Events held, pending and sealed.
    pub fn len(&self) -> usize {
        self.lengths.len() + self.sealed_events
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of encoded events held, pending and sealed.
    pub fn bytes(&self) -> usize {
        self.pending.len() + self.sealed_bytes
    }

    /// Events not yet sealed into a batch.
    pub fn pending_len(&self) -> usize {
        self.lengths.len()
    }

    /// Admits one encoded event, or says why not. The event is appended by `write`, so the
    /// caller encodes straight into the buffer; `write` returns `false` when it could not
    /// encode the event. A rejected event leaves no trace.
    pub fn push_with(&mut self, write: impl FnOnce(&mut Vec<u8>) -> bool) -> Result<(), Drop> {
        let start = self.pending.len();
        let encoded = write(&mut self.pending);
        self.admit(start, encoded)
    }

    /// The rest of [`Queue::push_with`], apart so that its callers (each with its own `write`)
    /// share one copy of it: keeps the bytes written from `start` on as one event, or removes
    /// them and says why.
    fn admit(&mut self, start: usize, encoded: bool) -> Result<(), Drop> {
        let len = self.pending.len().saturating_sub(start);
        let verdict = if !encoded || len == 0 {
            Err(Drop::Invalid)
        } else if len > self.limits.max_event_bytes
            || len + wrapper_len(self.open) > self.limits.max_request_bytes
        {
            Err(Drop::TooLarge)
        } else if self.len() >= self.limits.max_events {
            Err(Drop::BufferEvents)
        } else if self.bytes() > self.limits.max_bytes {
            Err(Drop::BufferBytes)
        } else {
            Ok(())
        };
        match verdict {
            Ok(()) => self.lengths.push(len),
            Err(_) => self.pending.truncate(start),
        }
        if self.pending.capacity() > 4 * self.pending.len().max(4096) {
            // A copy rather than `shrink_to`, which brings a panic message of its own.
            let mut smaller = Vec::with_capacity(self.pending.len().max(4096));
            smaller.extend_from_slice(&self.pending);
            self.pending = smaller;
        }
        verdict
    }

    /// Seals every pending event into batches, oldest first, each with as many events as fit
    /// in `max_request_bytes` and named by `new_key`. Returns how many batches it sealed.
    ///
    /// Reads the pending buffers front to back and then empties them (keeping their capacity
    /// for what comes next): nothing is removed from their front, which would shift what is
    /// left once per batch.
    ///
    /// Sealed batches are only appended: the place of one already sealed stays the same, which
    /// page exit relies on (`exit::on_exit` remembers batches by place).
    pub fn seal_all(&mut self, mut new_key: impl FnMut() -> String) -> usize {
        let mut pending = core::mem::take(&mut self.pending);
        let mut lengths = core::mem::take(&mut self.lengths);
        let mut rest = lengths.as_slice();
        let mut at = 0;
        let mut sealed = 0;
        while !rest.is_empty() {
            let count = self.batch_count(rest);
            let (these, after) = rest.split_at_checked(count).unwrap_or((rest, &[]));
            let events = these.iter().map(|&len| {
                let e = pending.get(at..at + len).unwrap_or_default();
                at += len;
                e
            });
            let batch = Batch::build(self.open, new_key(), events);
            self.add_sealed_back(batch);
            rest = after;
            sealed += 1;
        }
        pending.clear();
        lengths.clear();
        self.pending = pending;
        self.lengths = lengths;
        sealed
    }

    /// How many of the events of `lengths` (at least one) the next batch takes: as many as
    /// fit in `max_request_bytes`, or the first alone.
    fn batch_count(&self, lengths: &[usize]) -> usize {
        let mut count = 0;
        let mut body_len = wrapper_len(self.open);
        for &len in lengths {
            let add = len + usize::from(count > 0);
            if count > 0 && body_len + add > self.limits.max_request_bytes {
                break;
            }
            body_len += add;
            count += 1;
        }
        count
    }

    fn add_sealed_back(&mut self, batch: Batch) {
        self.sealed_events += batch.events();
        self.sealed_bytes += batch.event_bytes();
        self.sealed.push(batch);
    }

    /// Puts batches restored from an earlier page in front of everything else (they are
    /// older), keeping their keys so that a collector can recognize a repeat. Batches that
    /// are malformed, or over the bounds, are refused; returns how many batches were taken
    /// and how many events were refused.
    pub fn restore_front(&mut self, mut batches: Vec<Batch>) -> (usize, usize) {
        let mut taken = 0;
        let mut refused = 0;
        // The newest first, each put in front of the ones before it.
        while let Some(b) = batches.pop() {
            if !b.is_consistent(self.open)
                || self.len() + b.events() > self.limits.max_events
                || self.bytes() + b.event_bytes() > self.limits.max_bytes
            {
                refused += b.events();
                continue;
            }
            self.sealed_events += b.events();
            self.sealed_bytes += b.event_bytes();
            self.sealed.push(b);
            to_front(&mut self.sealed);
            taken += 1;
        }
        (taken, refused)
    }

    /// Replaces the front batch by its two halves, each under a new key (the server refused
    /// the whole as too large, so no part of it was stored). Returns `false`, changing
    /// nothing, when the front batch has a single event.
    pub fn split_front(&mut self, key_a: String, key_b: String) -> bool {
        self.split_at(0, key_a, key_b)
    }

    /// [`Queue::split_front`] for the sealed batch with this key, wherever it stands (refused
    /// as too large when a request made at page exit carried it): its halves take its place.
    /// Returns `false`, changing nothing, when there is no such batch or it has a single event.
    pub fn split_key(&mut self, key: &str, key_a: String, key_b: String) -> bool {
        let Some(i) = self.sealed.iter().position(|b| b.key == key) else {
            return false;
        };
        self.split_at(i, key_a, key_b)
    }

    /// Replaces sealed batch `i` by its two halves, the first at its place, the second right
    /// after it.
    fn split_at(&mut self, i: usize, key_a: String, key_b: String) -> bool {
        let Some(whole) = self.sealed.get(i) else {
            return false;
        };
        let n = whole.events();
        if n < 2 {
            return false;
        }
        let open = self.open;
        // Both halves as `skip(…).take(…)`: one iterator type, so one copy of `build`.
        let half = |from, count| whole.event_slices(open.len()).skip(from).take(count);
        #[allow(unused_mut)]
        let mut first = Batch::build(open, key_a, half(0, n / 2));
        #[allow(unused_mut)]
        let mut second = Batch::build(open, key_b, half(n / 2, n));
        #[cfg(feature = "otlp")]
        {
            // Each half keeps the resource, and half the time span: a series in both halves
            // must not have two delta points over the same span.
            let (span, mid) = (
                &whole.otlp,
                whole.otlp.start + (whole.otlp.end - whole.otlp.start) / 2.0,
            );
            first.otlp = crate::otlp::Sealed {
                end: mid,
                ..span.clone()
            };
            second.otlp = crate::otlp::Sealed {
                start: mid,
                ..span.clone()
            };
        }
        if let Some(slot) = self.sealed.get_mut(i) {
            *slot = first;
        }
        self.sealed.push(second);
        if let Some(after_first) = self.sealed.get_mut(i + 1..) {
            to_front(after_first);
        }
        true
    }

    /// The batch to send next, if any.
    pub fn front(&self) -> Option<&Batch> {
        self.sealed.first()
    }

    pub fn front_mut(&mut self) -> Option<&mut Batch> {
        self.sealed.first_mut()
    }

    /// Sealed batches waiting, front first.
    pub fn sealed(&self) -> &[Batch] {
        &self.sealed
    }

    /// Lets go of every event and batch (consent refused; an OTLP entry's stream turned off).
    pub fn clear(&mut self) {
        self.pending.clear();
        self.lengths.clear();
        self.sealed.clear();
        self.sealed_events = 0;
        self.sealed_bytes = 0;
    }

    /// The same, to complete what sealing left to the client (an OTLP batch's resource).
    #[cfg(feature = "otlp")]
    pub fn sealed_mut(&mut self) -> &mut [Batch] {
        &mut self.sealed
    }

    /// Removes the sealed batch with this key, wherever it stands (delivered by a request made
    /// at page exit). Returns whether there was one.
    pub fn remove_key(&mut self, key: &str) -> bool {
        let Some(i) = self.sealed.iter().position(|b| b.key == key) else {
            return false;
        };
        self.take(i);
        true
    }

    /// Applies the verdict on the latest attempt of the front batch: removes it (delivered,
    /// refused, or out of attempts after `max_attempts`), splits it (`new_key` names the
    /// halves), or keeps it for a retry. `None` when there is no front batch.
    pub fn settle_front(
        &mut self,
        verdict: Verdict,
        max_attempts: u32,
        mut new_key: impl FnMut() -> String,
    ) -> Option<Settled> {
        let front = self.sealed.first()?;
        let (events, attempts) = (front.events(), front.attempts);
        let settled = match verdict {
            Verdict::Delivered => Settled::Delivered,
            Verdict::Split if self.split_front(new_key(), new_key()) => {
                return Some(Settled::Split)
            }
            Verdict::Split | Verdict::Reject => Settled::Dropped(Drop::Rejected, events),
            Verdict::Retry if attempts >= max_attempts => {
                Settled::Dropped(Drop::RetriesExhausted, events)
            }
            Verdict::Retry => return Some(Settled::Retry),
        };
        self.pop_front();
        Some(settled)
    }

    /// Removes the front batch (delivered, or given up) and returns it.
    pub fn pop_front(&mut self) -> Option<Batch> {
        self.take(0)
    }

    /// Removes sealed batch `i` (if there is one) from the queue and its counts.
    pub fn take(&mut self, i: usize) -> Option<Batch> {
        to_back(self.sealed.get_mut(i..)?);
        let batch = self.sealed.pop()?;
        self.sealed_events -= batch.events();
        self.sealed_bytes -= batch.event_bytes();
        Some(batch)
    }
}

// `Vec::insert` and `Vec::remove` by swaps instead: the same work, without their panics (whose
// messages would be the only reason for the module to carry them).

/// Moves the last batch of `s` to its front, the others one place back.
fn to_front(s: &mut [Batch]) {
    s.iter_mut().rev().reduce(|a, b| {
        core::mem::swap(a, b);
        b
    });
}

/// Moves the first batch of `s` to its end, the others one place forward.
fn to_back(s: &mut [Batch]) {
    s.iter_mut().reduce(|a, b| {
        core::mem::swap(a, b);
        b
    });
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "batch_tests.rs"]
mod tests;

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

use std::collections::VecDeque;

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
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// Sent as `Idempotency-Key`; the same on every attempt.
    pub key: String,
    /// The complete JSON body, e.g. `{"metrics":[...]}`.
    pub body: Vec<u8>,
    /// The length of each event in the body, in order (to split the batch on a 413).
    pub lengths: Vec<u32>,
    /// Attempts made so far.
    pub attempts: u32,
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
    fn event_slices(&self, open_len: usize) -> impl Iterator<Item = &[u8]> {
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
    lengths: VecDeque<usize>,
    sealed: VecDeque<Batch>,
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
            lengths: VecDeque::new(),
            sealed: VecDeque::new(),
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
        let len = self.pending.len() - start;
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
            Ok(()) => self.lengths.push_back(len),
            Err(_) => self.pending.truncate(start),
        }
        if self.pending.capacity() > 4 * self.pending.len().max(4096) {
            self.pending.shrink_to(self.pending.len().max(4096));
        }
        verdict
    }

    /// Seals the oldest pending events into one batch, as many as fit in
    /// `max_request_bytes`. Returns `false` when nothing was pending.
    pub fn seal(&mut self, key: String) -> bool {
        let mut count = 0;
        let mut bytes = 0;
        let mut body_len = wrapper_len(self.open);
        for &len in &self.lengths {
            let add = len + usize::from(count > 0);
            if count > 0 && body_len + add > self.limits.max_request_bytes {
                break;
            }
            body_len += add;
            bytes += len;
            count += 1;
        }
        if count == 0 {
            return false;
        }
        let pending = &self.pending;
        let mut at = 0;
        let events = self.lengths.drain(..count).map(|len| {
            let e = pending.get(at..at + len).unwrap_or_default();
            at += len;
            e
        });
        let batch = Batch::build(self.open, key, events);
        self.pending.drain(..bytes.min(self.pending.len()));
        self.add_sealed_back(batch);
        true
    }

    fn add_sealed_back(&mut self, batch: Batch) {
        self.sealed_events += batch.events();
        self.sealed_bytes += batch.event_bytes();
        self.sealed.push_back(batch);
    }

    /// Puts batches restored from an earlier page in front of everything else (they are
    /// older), keeping their keys so that a collector can recognize a repeat. Batches that
    /// are malformed, or over the bounds, are refused; returns how many batches were taken
    /// and how many events were refused.
    pub fn restore_front(&mut self, batches: Vec<Batch>) -> (usize, usize) {
        let mut taken = 0;
        let mut refused = 0;
        for b in batches.into_iter().rev() {
            if !b.is_consistent(self.open)
                || self.len() + b.events() > self.limits.max_events
                || self.bytes() + b.event_bytes() > self.limits.max_bytes
            {
                refused += b.events();
                continue;
            }
            self.sealed_events += b.events();
            self.sealed_bytes += b.event_bytes();
            self.sealed.push_front(b);
            taken += 1;
        }
        (taken, refused)
    }

    /// Replaces the front batch by its two halves, each under a new key (the server refused
    /// the whole as too large, so no part of it was stored). Returns `false`, changing
    /// nothing, when the front batch has a single event.
    pub fn split_front(&mut self, key_a: String, key_b: String) -> bool {
        let Some(front) = self.sealed.front() else {
            return false;
        };
        let n = front.events();
        if n < 2 {
            return false;
        }
        let open = self.open;
        let first = Batch::build(open, key_a, front.event_slices(open.len()).take(n / 2));
        let second = Batch::build(open, key_b, front.event_slices(open.len()).skip(n / 2));
        self.sealed.pop_front();
        self.sealed.push_front(second);
        self.sealed.push_front(first);
        true
    }

    /// The batch to send next, if any.
    pub fn front(&self) -> Option<&Batch> {
        self.sealed.front()
    }

    pub fn front_mut(&mut self) -> Option<&mut Batch> {
        self.sealed.front_mut()
    }

    /// Sealed batches waiting, front first.
    pub fn sealed(&self) -> impl Iterator<Item = &Batch> {
        self.sealed.iter()
    }

    /// Removes the sealed batch with this key, wherever it stands (delivered by a request made
    /// at page exit). Returns whether there was one.
    pub fn remove_key(&mut self, key: &str) -> bool {
        let Some(i) = self.sealed.iter().position(|b| b.key == key) else {
            return false;
        };
        if let Some(batch) = self.sealed.remove(i) {
            self.sealed_events -= batch.events();
            self.sealed_bytes -= batch.event_bytes();
        }
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
        let front = self.sealed.front()?;
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
        let batch = self.sealed.pop_front()?;
        self.sealed_events -= batch.events();
        self.sealed_bytes -= batch.event_bytes();
        Some(batch)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn queue(limits: Limits) -> Queue {
        Queue::new(b"{\"metrics\":[", limits)
    }

    fn push(q: &mut Queue, s: &str) -> Result<(), Drop> {
        q.push_with(|out| {
            out.extend_from_slice(s.as_bytes());
            true
        })
    }

    fn body(b: &Batch) -> &str {
        std::str::from_utf8(&b.body).unwrap()
    }

    #[test]
    fn seals_pending_events_into_one_body() {
        let mut q = queue(Limits::default());
        push(&mut q, "{\"a\":1}").unwrap();
        push(&mut q, "{\"b\":2}").unwrap();
        assert!(q.seal("k1".into()));
        assert!(!q.seal("k2".into()));
        let b = q.front().unwrap();
        assert_eq!(body(b), r#"{"metrics":[{"a":1},{"b":2}]}"#);
        assert_eq!((b.events(), b.key.as_str()), (2, "k1"));
        assert!(b.is_consistent(b"{\"metrics\":["));
        assert_eq!(q.len(), 2);
        q.pop_front();
        assert!(q.is_empty());
        assert_eq!(q.bytes(), 0);
    }

    #[test]
    fn a_request_never_exceeds_max_request_bytes() {
        let limits = Limits {
            max_request_bytes: 40,
            ..Limits::default()
        };
        let mut q = queue(limits);
        for _ in 0..5 {
            push(&mut q, "{\"x\":12345}").unwrap(); // 11 bytes
        }
        let mut bodies = Vec::new();
        while q.seal(String::new()) {}
        while let Some(b) = q.pop_front() {
            assert!(b.body.len() <= 40, "{}", body(&b));
            bodies.push(b.events());
        }
        assert_eq!(bodies, vec![2, 2, 1]);
    }

    #[test]
    fn bounds_drop_the_incoming_event_and_keep_the_rest() {
        let mut q = queue(Limits {
            max_events: 2,
            ..Limits::default()
        });
        push(&mut q, "1").unwrap();
        q.seal("k".into());
        push(&mut q, "2").unwrap();
        assert_eq!(push(&mut q, "3"), Err(Drop::BufferEvents));
        assert_eq!(q.len(), 2);

        let mut q = queue(Limits {
            max_bytes: 10,
            ..Limits::default()
        });
        push(&mut q, "123456").unwrap();
        push(&mut q, "7890").unwrap();
        assert_eq!(push(&mut q, "2"), Err(Drop::BufferBytes));
        assert_eq!(q.bytes(), 10);

        let mut q = queue(Limits {
            max_event_bytes: 4,
            ..Limits::default()
        });
        assert_eq!(push(&mut q, "12345"), Err(Drop::TooLarge));
        assert_eq!((q.len(), q.bytes()), (0, 0));
        assert_eq!(
            q.push_with(|out| {
                out.push(b'x');
                false
            }),
            Err(Drop::Invalid)
        );
        assert_eq!((q.len(), q.bytes()), (0, 0));
    }

    #[test]
    fn a_refused_batch_splits_into_halves_in_order() {
        let mut q = queue(Limits::default());
        for n in 1..=5 {
            push(&mut q, &format!("{{\"n\":{n}}}")).unwrap();
        }
        q.seal("whole".into());
        assert!(q.split_front("a".into(), "b".into()));
        let a = q.pop_front().unwrap();
        let b = q.pop_front().unwrap();
        assert_eq!(body(&a), r#"{"metrics":[{"n":1},{"n":2}]}"#);
        assert_eq!(body(&b), r#"{"metrics":[{"n":3},{"n":4},{"n":5}]}"#);
        assert_eq!((a.key.as_str(), b.key.as_str()), ("a", "b"));
        assert!(q.is_empty() && q.bytes() == 0);

        push(&mut q, "{}").unwrap();
        q.seal("one".into());
        assert!(!q.split_front("x".into(), "y".into()));
        assert_eq!(q.front().unwrap().key, "one");
    }

    #[test]
    fn restored_batches_go_first_and_malformed_ones_are_refused() {
        let open: &[u8] = b"{\"metrics\":[";
        let mut q = queue(Limits::default());
        push(&mut q, "{\"new\":1}").unwrap();
        q.seal("new".into());
        let old = Batch::build(open, "old".into(), [&b"{\"old\":1}"[..]].into_iter());
        let mut bad = old.clone();
        bad.lengths.push(3);
        assert_eq!(
            q.restore_front(vec![old, bad]),
            (1, 2),
            "the malformed one has two events"
        );
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop_front().unwrap().key, "old");
        assert_eq!(q.pop_front().unwrap().key, "new");
    }

    #[test]
    fn a_batch_is_removed_by_key_wherever_it_stands() {
        let mut q = queue(Limits::default());
        for k in ["a", "b", "c"] {
            push(&mut q, "{}").unwrap();
            q.seal(k.into());
        }
        assert!(q.remove_key("b"));
        assert!(!q.remove_key("b"));
        assert_eq!(
            q.sealed().map(|b| b.key.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        assert_eq!((q.len(), q.bytes()), (2, 4));
    }

    #[test]
    fn drop_reasons_index_their_counters() {
        for (i, d) in Drop::ALL.iter().enumerate() {
            assert_eq!(d.index(), i);
        }
    }

    #[derive(Clone, Debug)]
    enum Step {
        Push(u8),
        Seal,
        /// An attempt of the front batch, answered with this status (`None`: no answer).
        Attempt(Option<u16>),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            5 => (1u8..40).prop_map(Step::Push),
            2 => Just(Step::Seal),
            3 => proptest::sample::select(vec![Some(200), Some(204), Some(503), Some(429), None, Some(413), Some(400)])
                .prop_map(Step::Attempt),
        ]
    }

    proptest! {
        /// Whatever sequence of pushes, seals and send outcomes (successes, retryable failures,
        /// 413s, refusals): every admitted event is delivered exactly once and in order, or
        /// counted as dropped; no body exceeds the request limit; the bounds hold throughout.
        #[test]
        fn no_outcome_loses_or_duplicates_an_admitted_event(steps in proptest::collection::vec(step(), 1..400)) {
            let limits = Limits { max_events: 20, max_bytes: 300, max_event_bytes: 30, max_request_bytes: 100 };
            let max_attempts = 3;
            let mut q = queue(limits.clone());
            let mut admitted = Vec::new();
            let mut delivered = Vec::new();
            let mut dropped = Vec::new();
            let mut next = 0u32;
            let mut keys = 0u32;
            let mut attempt = |q: &mut Queue, status: Option<u16>, delivered: &mut Vec<u32>, dropped: &mut Vec<u32>| {
                let Some(front) = q.front_mut() else { return };
                front.attempts += 1;
                let numbers_in_front = numbers(&front.body);
                assert!(front.body.len() <= 100, "{}", body(front));
                let settled = q.settle_front(crate::retry::classify(status), max_attempts, || { keys += 1; format!("s{keys}") });
                match settled {
                    Some(Settled::Delivered) => delivered.extend(numbers_in_front),
                    Some(Settled::Dropped(_, n)) => {
                        assert_eq!(n, numbers_in_front.len());
                        dropped.extend(numbers_in_front);
                    }
                    Some(Settled::Split) | Some(Settled::Retry) | None => {}
                }
            };
            for s in &steps {
                match *s {
                    Step::Push(pad) => {
                        next += 1;
                        let ev = format!("{{\"n\":{next},\"p\":\"{}\"}}", "x".repeat(pad as usize));
                        if push(&mut q, &ev).is_ok() { admitted.push(next); }
                    }
                    Step::Seal => { q.seal(format!("k{next}")); }
                    Step::Attempt(status) => attempt(&mut q, status, &mut delivered, &mut dropped),
                }
                prop_assert!(q.len() <= limits.max_events);
                prop_assert!(q.bytes() <= limits.max_bytes);
            }
            // The collector comes back: everything still held goes through.
            while q.seal(String::new()) {}
            while q.front().is_some() { attempt(&mut q, Some(200), &mut delivered, &mut dropped); }
            let mut accounted: Vec<u32> = delivered.iter().chain(&dropped).copied().collect();
            accounted.sort_unstable();
            prop_assert_eq!(&accounted, &admitted, "each admitted event delivered or counted, once");
            prop_assert!(delivered.windows(2).all(|w| w[0] < w[1]), "delivered in order: {:?}", delivered);
        }
    }

    /// The `"n"` of each event in a body.
    fn numbers(body: &[u8]) -> Vec<u32> {
        let s = std::str::from_utf8(body).unwrap();
        assert!(s.starts_with("{\"metrics\":[") && s.ends_with("]}"), "{s}");
        s.split("{\"n\":")
            .skip(1)
            .map(|part| part.split(',').next().unwrap().parse().unwrap())
            .collect()
    }
}

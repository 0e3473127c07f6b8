//! When batches go, one at a time per stream, and what happens after each answer.
//!
//! A stream has at most one request in flight, so batches reach the server in order. After a
//! success the next sealed batch goes at once (sealing a new one if a full batch is pending).
//! After a retryable failure the batch stays at the front and the stream waits out a backoff
//! (or the server's `Retry-After`); nothing of it is attempted meanwhile, nor while the browser
//! is offline. While a request is under way new events simply collect, so a burst becomes a
//! few large requests instead of many small ones.

use core::cell::Cell;

use crate::batch::Settled;
use crate::client::{self, Client, Kind};
use crate::listen::Hold;
use crate::retry::{self, Verdict};
use crate::transport::{self, Answer, Attempt, Request};
use crate::{exit, page, wake};

/// A full batch is pending (batch size reached): seal it and start sending, unless a request
/// is under way or the stream is backing off (it will take the pending events next).
pub fn on_full_batch(c: &mut Client, kind: Kind) {
    let s = c.stream(kind);
    if s.busy.is_none() && !s.is_failing() {
        seal(c, kind);
        pump(c, kind);
    }
}

/// Seals everything pending; for metrics, the client's own health counters first. Only this
/// stream's queue changes, and only at its back (see `Queue::seal_all`).
pub fn seal(c: &mut Client, kind: Kind) {
    if kind == Kind::Metrics {
        c.report_health();
    }
    c.stream(kind).seal_all();
}

/// `flush()`: seals everything of both streams now. Returns the id of the promise page.js
/// made for it, which resolves once each stream has sent it all, or stopped at a failure to
/// retry later; it never rejects.
pub fn flush_all() -> u32 {
    let ids = [next_waiter(), next_waiter()];
    page::promise(ids[0], ids[1]);
    for (kind, id) in [(Kind::Metrics, ids[0]), (Kind::Logs, ids[1])] {
        let waiting = client::with(|c| {
            seal(c, kind);
            c.stream(kind).waiters.push(id);
            pump(c, kind);
        });
        if waiting.is_none() {
            page::resolve(id);
        }
    }
    ids[0]
}

/// Ids of `flush()` waiters, for page.js (which keeps their promises).
static WAITERS: crate::Local<Cell<u32>> = crate::Local(Cell::new(0));

fn next_waiter() -> u32 {
    let id = WAITERS.0.get().wrapping_add(1);
    WAITERS.0.set(id);
    id
}

/// The browser is online again: end every backoff and send at once.
pub fn on_online(c: &mut Client) {
    for kind in [Kind::Metrics, Kind::Logs] {
        c.stream(kind).retry_at = 0.0;
        pump(c, kind);
    }
}

pub fn is_online() -> bool {
    page::online()
}

/// Sends the front sealed batch if the stream may send now. When it may not (a request
/// under way, a backoff, offline, nothing to send), whoever waits on a flush is told.
pub fn pump(c: &mut Client, kind: Kind) {
    let timeout_ms = c.config().retry().timeout_ms;
    let token = c.next_token();
    let s = c.stream(kind);
    if s.busy.is_some() {
        return;
    }
    if s.queue.front().is_none() && s.queue.pending_len() >= s.settings.batch_size {
        s.seal_all();
    }
    let now = crate::page::date_now();
    let waiting = now < s.retry_at || !is_online();
    let Some(batch) = s.queue.front_mut().filter(|_| !waiting) else {
        s.release_waiters();
        return;
    };
    batch.attempts += 1;
    let key = batch.key.clone();
    let attempt = Attempt {
        url: &s.settings.endpoint,
        body: &batch.body,
        key: &batch.key,
        keepalive: false,
        timeout_ms,
    };
    let started = transport::send(&attempt, token);
    if started {
        s.busy = Some(key.clone());
        c.requests.push(Request {
            token,
            kind,
            key,
            keepalive: None,
        });
    } else {
        s.release_waiters();
    }
}

/// The answer to request `token` arrived: `status` and `retry_after` as page.js read them.
pub fn answered(c: &mut Client, token: u32, status: f64, retry_after: &str) {
    let Some(i) = c.requests.iter().position(|r| r.token == token) else {
        return;
    };
    let r = c.requests.swap_remove(i);
    let answer = Answer::from_page(status, retry_after);
    match r.keepalive {
        Some(k) => exit::keepalive_done(c, r.kind, &r.key, k.len, answer),
        None => settle(c, r.kind, &r.key, answer),
    }
}

/// The answer to the attempt of batch `key` arrived.
fn settle(c: &mut Client, kind: Kind, key: &str, answer: Answer) {
    let retry = c.config().retry();
    let s = c.stream(kind);
    if s.busy.as_deref() == Some(key) {
        s.busy = None;
    }
    // The batch may be gone already: delivered by a keepalive request at page exit.
    if s.queue.front().map(|b| b.key.as_str()) != Some(key) {
        return pump(c, kind);
    }
    let verdict = retry::classify(answer.status);
    if verdict != Verdict::Retry {
        // The server answered: whatever became of this batch, the stream is not failing.
        s.failures = 0;
        s.retry_at = 0.0;
    }
    match s
        .queue
        .settle_front(verdict, retry.max_attempts, crate::random::uuid)
    {
        Some(Settled::Delivered) | Some(Settled::Split) | None => {}
        Some(Settled::Dropped(reason, n)) => s.count_drop(reason, n),
        Some(Settled::Retry) => s.retries += 1,
    }
    if verdict == Verdict::Retry {
        // The server or the network is failing: nothing more of this stream until the
        // backoff (or the server's Retry-After) has passed.
        s.failures = s.failures.saturating_add(1);
        let now = crate::page::date_now();
        let delay = answer
            .retry_after
            .and_then(|v| retry::parse_retry_after(v, now, crate::page::date_ms))
            .unwrap_or_else(|| {
                retry::backoff_ms(
                    s.failures,
                    retry.initial_ms,
                    retry.max_ms,
                    crate::page::random(),
                )
            });
        s.retry_at = now + delay;
        // Replacing the previous timer is safe: it has fired already, or is cancelled.
        s.retry_timer = Hold::timeout(wake::RETRY[kind.index()], crate::float::ceil(delay) as u32);
        s.release_waiters();
        return;
    }
    pump(c, kind);
}

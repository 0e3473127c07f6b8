//! When batches go, and one at a time: the request loop of each stream.
//!
//! A stream has at most one request in flight, so batches reach the server in order. When a
//! request succeeds the next sealed batch goes at once (sealing a new one if a full batch is
//! pending); when it fails the batch stays at the front for the next trigger. While a request
//! is under way new events simply collect, so a burst becomes a few large requests instead of
//! many small ones.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::JsValue;

use crate::client::{self, Client, Kind};
use crate::transport::{self, Outcome};

/// A full batch is pending (batch size reached): seal it and start sending, unless a request
/// is under way already (it will take the pending events next).
pub fn on_full_batch(c: &mut Client, kind: Kind) {
    if !c.stream(kind).busy {
        c.stream(kind).seal_all();
        pump(c, kind);
    }
}

/// The interval timer: send whatever is pending.
pub fn flush_stream(kind: Kind) {
    client::with(|c| {
        c.stream(kind).seal_all();
        pump(c, kind);
    });
}

/// `flush()`: seals everything of both streams now; the promise resolves once each stream
/// has sent it all or stopped at a failure. It never rejects.
pub fn flush_all() -> Promise {
    let both = Array::new();
    for kind in [Kind::Metrics, Kind::Logs] {
        let mut executor = |resolve: Function, _reject: Function| {
            let waiting = client::with(|c| {
                let s = c.stream(kind);
                s.seal_all();
                s.waiters.push(resolve.clone());
                pump(c, kind);
            });
            if waiting.is_none() {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        };
        both.push(&Promise::new(&mut executor));
    }
    Promise::all(&both)
}

/// Sends the front sealed batch unless a request is already under way. When there is
/// nothing to send, whoever waits on a flush of this stream is told.
fn pump(c: &mut Client, kind: Kind) {
    let s = c.stream(kind);
    if s.busy {
        return;
    }
    if s.queue.front().is_none() && s.queue.pending_len() >= s.settings.batch_size {
        s.seal_all();
    }
    let Some(batch) = s.queue.front_mut() else {
        s.release_waiters();
        return;
    };
    batch.attempts += 1;
    let started = transport::send(
        &s.settings.endpoint,
        &batch.body,
        &batch.key,
        move |outcome| {
            client::with(|c| settle(c, kind, outcome));
        },
    );
    if started {
        s.busy = true;
    } else {
        s.release_waiters();
    }
}

/// One attempt ended.
fn settle(c: &mut Client, kind: Kind, outcome: Outcome) {
    let s = c.stream(kind);
    s.busy = false;
    if outcome.delivered() {
        s.queue.pop_front();
        pump(c, kind);
    } else {
        // Kept at the front; the next trigger tries again.
        s.release_waiters();
    }
}

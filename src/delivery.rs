//! When batches go, and one at a time: the request loop of each stream.
//!
//! A stream has at most one request in flight. A loop (the "pump") sends the front sealed
//! batch, waits for the answer, removes the batch on success, seals the next one if a full
//! batch is pending, and goes on; it stops when nothing is left or an attempt fails (the
//! failed batch stays at the front for the next trigger). While it runs, new events simply
//! collect, so a burst becomes a few large requests instead of many small ones.

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::client::{self, Client, Kind};
use crate::transport::{self, Request};

/// A full batch is pending (batch size reached): seal it and start sending, unless a request
/// is under way already (the running loop will take it next).
pub fn on_full_batch(c: &mut Client, kind: Kind) {
    let s = c.stream(kind);
    if s.pump.is_none() {
        s.seal_all();
        ensure_pump(c, kind);
    }
}

/// The interval timer: send whatever is pending.
pub fn flush_stream(kind: Kind) {
    client::with(|c| {
        c.stream(kind).seal_all();
        ensure_pump(c, kind);
    });
}

/// `flush()`: seal everything of both streams now; the promise settles when both loops have
/// sent it all or stopped at a failure. It never rejects.
pub fn flush_all() -> Promise {
    let pumps = client::with(|c| {
        c.metrics.seal_all();
        c.logs.seal_all();
        [ensure_pump(c, Kind::Metrics), ensure_pump(c, Kind::Logs)]
    });
    future_to_promise(async move {
        for p in pumps.into_iter().flatten().flatten() {
            let _ = JsFuture::from(p).await;
        }
        Ok(JsValue::UNDEFINED)
    })
}

/// Starts the stream's loop if it has something sealed and is not running; returns the
/// running loop's promise, if any.
fn ensure_pump(c: &mut Client, kind: Kind) -> Option<Promise> {
    let s = c.stream(kind);
    if s.pump.is_none() && s.queue.front().is_some() {
        // The loop body first runs in a later microtask, never inside this borrow.
        s.pump = Some(future_to_promise(async move {
            pump(kind).await;
            Ok(JsValue::UNDEFINED)
        }));
    }
    s.pump.clone()
}

async fn pump(kind: Kind) {
    loop {
        let next = client::with(|c| {
            let s = c.stream(kind);
            if s.queue.front().is_none() && s.queue.pending_len() >= s.settings.batch_size {
                s.seal_all();
            }
            let batch = s.queue.front_mut()?;
            batch.attempts += 1;
            Some(Request::new(&s.settings.endpoint, &batch.body, &batch.key))
        })
        .flatten();
        let Some(request) = next else { break };
        let outcome = transport::send(request).await;
        let delivered = outcome.delivered();
        client::with(|c| {
            if delivered {
                c.stream(kind).queue.pop_front();
            }
        });
        if !delivered {
            break;
        }
    }
    client::with(|c| c.stream(kind).pump = None);
}

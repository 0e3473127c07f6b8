//! Page exit: nothing buffered is lost when the tab is hidden, closed or navigated away.
//!
//! On `visibilitychange` to hidden and on `pagehide` (never `unload` or `beforeunload`, which
//! break the back/forward cache) everything buffered is sealed and sent at once: by keepalive
//! `fetch` while the keepalive bytes under way stay within the browser's 64 KiB, then by
//! `navigator.sendBeacon`. What cannot go is written to `localStorage`, and so is everything
//! of a stream that is failing or offline: its backoff (or the server's `Retry-After`) still
//! holds, and a request would most likely fail with nobody left to retry it. The next page
//! load of the origin sends what was kept with its original idempotency keys, so a deduping
//! collector counts each event once.

use alloc::string::String;
use alloc::vec::Vec;

use crate::batch::Batch;
use crate::client::{Client, Kind};
use crate::listen::Hold;
use crate::page::{store_get, store_keys, store_remove, store_set};
use crate::persist::{self, Stream as Persisted};
use crate::transport::{self, Answer, Attempt, Request};
use crate::{delivery, wake};

/// Keepalive bytes the browser lets a page have under way (Chromium and Firefox: 64 KiB).
const KEEPALIVE_BUDGET: usize = 65_536;

/// Every key of ours in `localStorage` starts with this.
const PREFIX: &str = "recoloca-telemetry:batches:";

/// This page's key for what it keeps at exit.
pub fn page_key() -> String {
    let mut k = String::from(PREFIX);
    k.push_str(&crate::random::uuid());
    k
}

/// The listeners for page exit, return and connectivity (see [`wake`] for what each does).
pub fn listen() -> Vec<Hold> {
    [
        wake::PAGEHIDE,
        wake::PAGESHOW,
        wake::ONLINE,
        wake::VISIBILITY,
    ]
    .into_iter()
    .filter_map(Hold::listener)
    .collect()
}

/// The page is going away (or hidden, which may be the last chance it gets). `last` when it
/// is unloading for good: only then are beaconed batches forgotten, since a beacon gives no
/// answer and a page that lives on must still be able to retry them.
pub fn on_exit(c: &mut Client, last: bool) {
    // The page timings first, so that their final values leave with this page.
    crate::observe::on_hide(c);
    let online = delivery::is_online();
    let mut keep: Vec<(Persisted, Batch)> = Vec::new();
    for (kind, tag) in [
        (Kind::Metrics, Persisted::Metrics),
        (Kind::Logs, Persisted::Logs),
    ] {
        delivery::seal(c, kind);
        let may_send = online && !c.stream(kind).is_failing();
        let endpoint = c.stream(kind).settings.endpoint.clone();
        let mut beaconed = Vec::new();
        let batches: Vec<Batch> = c.stream(kind).queue.sealed().cloned().collect();
        for b in batches {
            let mut went = false;
            if may_send {
                let len = b.body.len();
                if c.keepalive_bytes + len <= KEEPALIVE_BUDGET {
                    went = send_keepalive(c, kind, &endpoint, &b);
                } else if transport::beacon(&endpoint, &b.body, &b.key) {
                    went = true;
                    beaconed.push(b.key.clone());
                }
            }
            if !went {
                keep.push((tag, b));
            }
        }
        // The browser delivers a beacon after the page is gone; it gives no answer to wait for.
        for key in beaconed.into_iter().filter(|_| last) {
            if c.stream(kind).busy.as_deref() != Some(key.as_str()) {
                c.stream(kind).queue.remove_key(&key);
            }
        }
    }
    write_kept(c, keep);
}

fn send_keepalive(c: &mut Client, kind: Kind, endpoint: &str, b: &Batch) -> bool {
    let len = b.body.len();
    let token = c.next_token();
    let attempt = Attempt {
        url: endpoint,
        body: &b.body,
        key: &b.key,
        keepalive: true,
        timeout_ms: 0,
    };
    let started = transport::send(&attempt, token);
    if started {
        c.keepalive_bytes += len;
        c.requests.push(Request {
            token,
            kind,
            key: b.key.clone(),
            keepalive: Some(len),
        });
    }
    started
}

/// The answer to a keepalive request of `len` bytes carrying batch `key`.
pub fn keepalive_done(c: &mut Client, kind: Kind, key: &str, len: usize, answer: Answer) {
    c.keepalive_bytes = c.keepalive_bytes.saturating_sub(len);
    let s = c.stream(kind);
    // The page lived on and the batch arrived: it must not go again (unless its ordinary
    // request is under way; that one's answer will remove it).
    let delivered = matches!(answer.status, Some(200..=299));
    if delivered && s.busy.as_deref() != Some(key) {
        s.queue.remove_key(key);
    }
}

/// Writes the kept batches under this page's key, within what other pages left of the
/// origin's `maxPersistedBytes`.
fn write_kept(c: &mut Client, keep: Vec<(Persisted, Batch)>) {
    let Some(keys) = our_keys() else { return };
    if keep.is_empty() {
        store_remove(&c.page_key);
        return;
    }
    let others: usize = keys
        .iter()
        .filter(|k| **k != c.page_key)
        .filter_map(|k| store_get(k))
        .map(|v| v.len())
        .sum();
    let budget = c.config().max_persisted_bytes().saturating_sub(others);
    let (text, _) = persist::encode(keep.iter().map(|(s, b)| (*s, b)), budget);
    if !store_set(&c.page_key, &text) {
        crate::warn("localStorage refused the undelivered telemetry; it is lost with this page");
    }
}

/// The page is visible again, or restored from the back/forward cache: its batches are
/// still in memory, so the copy kept for a later page is withdrawn.
pub fn on_return(c: &mut Client) {
    store_remove(&c.page_key);
}

/// Our keys in `localStorage`; `None` when the page has no storage.
fn our_keys() -> Option<Vec<String>> {
    let joined = store_keys(PREFIX)?;
    Some(
        crate::text::split(&joined, 0)
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect(),
    )
}

/// Takes over every batch that earlier pages of this origin kept, ahead of anything new, and
/// counts what the bounds refuse. Returns whether there were any. Runs once the calls made
/// before the module loaded (`configure` among them) have been replayed, so that the page's
/// own bounds apply.
pub fn restore(c: &mut Client) -> bool {
    let Some(keys) = our_keys() else { return false };
    let mut metrics = Vec::new();
    let mut logs = Vec::new();
    for key in keys {
        if let Some(text) = store_get(&key) {
            for (stream, batch) in persist::decode(&text) {
                match stream {
                    Persisted::Metrics => metrics.push(batch),
                    Persisted::Logs => logs.push(batch),
                }
            }
        }
        store_remove(&key);
    }
    let mut restored = 0;
    for (kind, batches) in [(Kind::Metrics, metrics), (Kind::Logs, logs)] {
        let s = c.stream(kind);
        let (taken, refused) = s.queue.restore_front(batches);
        if refused > 0 {
            s.count_drop(crate::batch::Drop::BufferEvents, refused);
        }
        restored += taken;
    }
    restored > 0
}

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
use crate::delivery;
use crate::listen::Hold;
use crate::page::{store_get, store_keys, store_remove, store_set};
use crate::persist::{self, Stream as Persisted};
use crate::transport::{self, Answer, Attempt, Keepalive, Request};

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

/// The listeners for page exit, return and connectivity, as one group (`wake::PAGEHIDE`,
/// `PAGESHOW`, `ONLINE`, `VISIBILITY`: see [`wake`](mod@crate::wake) for what each does).
pub fn listen() -> Option<Hold> {
    Hold::listeners(crate::page::listen_exit())
}

/// The page is going away (or hidden, which may be the last chance it gets). `last` when it
/// is unloading for good: only then are beaconed batches forgotten, since a beacon gives no
/// answer and a page that lives on must still be able to retry them.
///
/// The batches are read where they are, by their place in the queue, never copied: a page
/// leaving mid-outage may hold a megabyte of them.
pub fn on_exit(c: &mut Client, last: bool) {
    // The page timings first, so that their final values leave with this page.
    if cfg!(feature = "timings") {
        crate::observe::on_hide(c);
    }
    let online = delivery::is_online();
    // What stays behind and what went by beacon (to forget once the page is gone), each by
    // stream and place in its queue: nothing below moves a batch before the beaconed ones
    // are removed, last first. Places, not copies of the keys: no string clone, and one list
    // type for both.
    let mut keep: Vec<(Kind, usize)> = Vec::new();
    let mut beaconed: Vec<(Kind, usize)> = Vec::new();
    for kind in [Kind::Metrics, Kind::Logs] {
        delivery::seal(c, kind);
        let may_send = online && !c.stream(kind).is_failing();
        for i in 0..c.stream(kind).queue.sealed().len() {
            let went = may_send && send(c, kind, i, &mut beaconed);
            if !went {
                keep.push((kind, i));
            }
        }
    }
    write_kept(c, &keep);
    // The browser delivers a beacon after the page is gone; it gives no answer to wait for.
    if !last {
        return;
    }
    for &(kind, i) in beaconed.iter().rev() {
        let s = c.stream(kind);
        let Some(b) = s.queue.sealed().get(i) else {
            continue;
        };
        if s.busy.as_deref() != Some(b.key.as_str()) {
            s.queue.take(i);
        }
    }
}

/// Sends sealed batch `i` of the stream: by keepalive `fetch` while the keepalive budget
/// lasts, else by beacon (`(kind, i)` then goes into `beaconed`). Whether it went (or is going).
fn send(c: &mut Client, kind: Kind, i: usize, beaconed: &mut Vec<(Kind, usize)>) -> bool {
    let Some(b) = c.stream_ref(kind).queue.sealed().get(i) else {
        return false;
    };
    // Already on its way by a keepalive request of this same hide (leaving a page fires both
    // visibilitychange and pagehide, and both come here): that request outlives the page, so
    // the batch counts as gone. Not so a keepalive request from before the page was last
    // visible (it may hang on a network that has changed since), nor an ordinary request
    // (leaving the page may cancel it).
    let this_hide = |r: &Request| r.keepalive.as_ref().is_some_and(|k| k.hide == c.hides);
    if c.requests.iter().any(|r| this_hide(r) && r.key == b.key) {
        return true;
    }
    let len = b.body.len();
    if len > KEEPALIVE_BUDGET.saturating_sub(c.keepalive_bytes) {
        let endpoint = &c.stream_ref(kind).settings.endpoint;
        let went = transport::beacon(endpoint, &b.body, &b.key);
        if went {
            beaconed.push((kind, i));
        }
        return went;
    }
    // A request needs a token, taken from the client: the batch is found again after.
    let token = c.next_token();
    let s = c.stream_ref(kind);
    let Some(b) = s.queue.sealed().get(i) else {
        return false;
    };
    let attempt = Attempt {
        url: &s.settings.endpoint,
        body: &b.body,
        key: &b.key,
        keepalive: true,
        timeout_ms: 0,
    };
    if !transport::send(&attempt, token) {
        return false;
    }
    let key = b.key.clone();
    c.keepalive_bytes += len;
    c.requests.push(Request {
        token,
        kind,
        key,
        keepalive: Some(Keepalive { len, hide: c.hides }),
    });
    true
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

/// Writes the kept batches (by stream and place in its queue) under this page's key, within
/// what other pages left of the origin's `maxPersistedBytes`.
fn write_kept(c: &mut Client, keep: &[(Kind, usize)]) {
    let Some(joined) = our_keys() else { return };
    if keep.is_empty() {
        store_remove(&c.page_key);
        return;
    }
    let others: usize = keys(&joined)
        .filter(|k| *k != c.page_key)
        .filter_map(store_get)
        .map(|v| v.len())
        .sum();
    let budget = c.config().max_persisted_bytes().saturating_sub(others);
    let c: &Client = c;
    let batches = keep.iter().filter_map(|&(kind, i)| {
        let tag = match kind {
            Kind::Metrics => Persisted::Metrics,
            Kind::Logs => Persisted::Logs,
        };
        Some((tag, c.stream_ref(kind).queue.sealed().get(i)?))
    });
    let (text, _) = persist::encode(batches, budget);
    if !store_set(&c.page_key, &text) {
        crate::warn("localStorage refused the undelivered telemetry; it is lost with this page");
    }
}

/// The page is visible again, or restored from the back/forward cache: its batches are
/// still in memory, so the copy kept for a later page is withdrawn.
pub fn on_return(c: &mut Client) {
    store_remove(&c.page_key);
    // A later hide starts afresh: what this one sent may not arrive.
    c.hides = c.hides.wrapping_add(1);
}

/// Our keys in `localStorage`, NUL-separated (see [`keys`]); `None` when the page has no
/// storage.
fn our_keys() -> Option<crate::page::Text> {
    store_keys(PREFIX)
}

/// The keys in what [`our_keys`] returned.
fn keys(joined: &str) -> impl Iterator<Item = &str> {
    crate::text::split(joined, 0).filter(|k| !k.is_empty())
}

/// Takes over every batch that earlier pages of this origin kept, ahead of anything new, and
/// counts what the bounds refuse. Returns whether there were any. Runs once the calls made
/// before the module loaded (`configure` among them) have been replayed, so that the page's
/// own bounds apply.
pub fn restore(c: &mut Client) -> bool {
    let Some(joined) = our_keys() else {
        return false;
    };
    // The batches by stream, metrics then logs; each list is taken out of the array below, so
    // the loop goes over the kinds alone, not over an array of (Kind, Vec) pairs to consume.
    let mut lists: [Vec<Batch>; 2] = Default::default();
    for key in keys(&joined) {
        if let Some(text) = store_get(key) {
            persist::decode(&text, |stream, batch| {
                let kind = match stream {
                    Persisted::Metrics => Kind::Metrics,
                    Persisted::Logs => Kind::Logs,
                };
                if let Some(list) = lists.get_mut(kind.index()) {
                    list.push(batch);
                }
            });
        }
        store_remove(key);
    }
    let mut restored = 0;
    for kind in [Kind::Metrics, Kind::Logs] {
        let batches = lists
            .get_mut(kind.index())
            .map(core::mem::take)
            .unwrap_or_default();
        let s = c.stream(kind);
        let (taken, refused) = s.queue.restore_front(batches);
        if refused > 0 {
            s.count_drop(crate::batch::Drop::BufferEvents, refused);
        }
        restored += taken;
    }
    restored > 0
}

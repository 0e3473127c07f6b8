//! Page exit and reload: nothing buffered is lost when the tab is hidden, closed or navigated
//! away, and nothing is sent twice.
//!
//! On a hide (`visibilitychange` to hidden, or `pagehide`) everything buffered is sealed and
//! sent at once: by keepalive request while the keepalive bytes under way stay within the
//! browser's 64 KiB, then by beacon. What cannot go is written to storage, and so is
//! everything of a stream that is failing or offline: its backoff (or the server's
//! `Retry-After`) still holds, and a request would most likely fail with nobody left to retry
//! it. The next page load of the origin sends what was kept with its original idempotency
//! keys, so a deduping collector counts each event once.

use alloc::string::String;
use alloc::vec::Vec;

use crate::batch::{Batch, Drop};
use crate::client::{Client, Keepalive, Output, Post, Request, RequestId};
use crate::persist::{self, Stream as Persisted};
use crate::random::Random;
use crate::stream::Kind;

/// Keepalive bytes the browser lets a page have under way (Chromium and Firefox: 64 KiB).
pub const KEEPALIVE_BUDGET: usize = 65_536;

/// Every storage key of ours starts with this.
pub const STORAGE_PREFIX: &str = "recoloca-telemetry:batches:";

/// The state of the latest hide.
#[derive(Debug, Default)]
pub struct Exit {
    /// Whether the page is unloading for good.
    last: bool,
    /// Batches (stream, key) that stay behind, in storage.
    kept: Vec<(Kind, String)>,
    /// Beacons awaiting the browser's word ([`crate::client::Input::Beaconed`]).
    beacons: Vec<(RequestId, Kind, String)>,
    /// What other pages keep, as of the hide.
    stored_elsewhere: usize,
}

/// A fresh key for what this page keeps.
pub(crate) fn page_key(random: &mut Random) -> String {
    let mut k = String::from(STORAGE_PREFIX);
    k.push_str(&random.uuid());
    k
}

impl Client {
    /// The page is hidden, or unloading for good (`last`): only then are beaconed batches
    /// forgotten, since a beacon gives no answer and a page that lives on must still be able
    /// to retry them.
    pub(crate) fn on_hide(&mut self, last: bool, stored_elsewhere: usize, now: f64) {
        self.exit = crate::exit::Exit {
            last,
            stored_elsewhere,
            ..Default::default()
        };
        for kind in Kind::BOTH {
            self.seal(kind, now);
            let may_send = self.online && !self.stream_ref(kind).is_failing();
            let keys: Vec<String> = self
                .stream_ref(kind)
                .queue
                .sealed()
                .iter()
                .map(|b| b.key.clone())
                .collect();
            for key in keys {
                if !(may_send && self.send_at_exit(kind, &key)) {
                    self.exit.kept.push((kind, key));
                }
            }
        }
        self.write_kept();
    }

    /// Sends batch `key` of the stream by keepalive request while the budget lasts, else by
    /// beacon. Whether it went (or is going).
    fn send_at_exit(&mut self, kind: Kind, key: &str) -> bool {
        // Already on its way by a keepalive request of this same hide (leaving a page fires
        // both visibilitychange and pagehide): that request outlives the page, so the batch
        // counts as gone. Not so a keepalive request from before the page was last visible
        // (it may hang on a network that has changed since), nor an ordinary request
        // (leaving the page may cancel it).
        let hides = self.hides;
        let this_hide =
            |r: &Request| r.key == key && r.keepalive.as_ref().is_some_and(|k| k.hide == hides);
        if self.requests.iter().any(this_hide) {
            return true;
        }
        let request = self.next_request();
        let s = self.stream_ref(kind);
        let Some(b) = s.queue.sealed().iter().find(|b| b.key == key) else {
            return false;
        };
        let (url, body, len) = (s.settings.endpoint.clone(), b.body.clone(), b.body.len());
        if len > KEEPALIVE_BUDGET.saturating_sub(self.keepalive_bytes) {
            // A beacon cannot carry headers: the idempotency key travels in the query string.
            let mut full = url;
            full.push(if full.contains('?') { '&' } else { '?' });
            full.push_str("idempotency_key=");
            full.push_str(key);
            self.exit.beacons.push((request, kind, key.into()));
            self.emit(Output::Beacon {
                request,
                url: full,
                body,
            });
            return true;
        }
        self.keepalive_bytes += len;
        self.requests.push(Request {
            id: request,
            kind,
            key: key.into(),
            deadline: f64::INFINITY,
            keepalive: Some(Keepalive {
                len,
                hide: self.hides,
            }),
        });
        self.emit(Output::Post(Post {
            request,
            url,
            body,
            key: key.into(),
            keepalive: true,
        }));
        true
    }

    /// The browser queued beacon `request`, or refused it (then its batch stays behind too).
    pub(crate) fn beaconed(&mut self, request: RequestId, accepted: bool) {
        let Some(i) = self.exit.beacons.iter().position(|b| b.0 == request) else {
            return;
        };
        let (_, kind, key) = self.exit.beacons.swap_remove(i);
        if !accepted {
            self.exit.kept.push((kind, key));
            return self.write_kept();
        }
        // Gone with the page for good: a beacon is not answered, and nothing is left to retry.
        if self.exit.last && self.stream_ref(kind).busy.as_deref() != Some(key.as_str()) {
            self.stream(kind).queue.remove_key(&key);
        }
    }

    /// The answer to a keepalive request of `len` bytes carrying batch `key`.
    pub(crate) fn keepalive_done(
        &mut self,
        kind: Kind,
        key: &str,
        len: usize,
        status: Option<u16>,
    ) {
        self.keepalive_bytes = self.keepalive_bytes.saturating_sub(len);
        let s = self.stream(kind);
        // The page lived on and the batch arrived: it must not go again (unless its ordinary
        // request is under way; that one's answer will remove it).
        if matches!(status, Some(200..=299)) && s.busy.as_deref() != Some(key) {
            s.queue.remove_key(key);
        }
    }

    /// Writes the kept batches under this page's key, within what other pages left of the
    /// origin's `maxPersistedBytes`; removes the key when nothing stays behind.
    fn write_kept(&mut self) {
        let key = self.page_key.clone();
        if self.exit.kept.is_empty() {
            return self.emit(Output::Unstore { key });
        }
        let budget = self
            .config
            .max_persisted_bytes()
            .saturating_sub(self.exit.stored_elsewhere);
        let batches = self.exit.kept.iter().filter_map(|(kind, key)| {
            let tag = match kind {
                Kind::Metrics => Persisted::Metrics,
                Kind::Logs => Persisted::Logs,
            };
            let b = self
                .stream_ref(*kind)
                .queue
                .sealed()
                .iter()
                .find(|b| &b.key == key)?;
            Some((tag, b))
        });
        let (text, _) = persist::encode(batches, budget);
        self.emit(Output::Store { key, text });
    }

    /// The page is visible again, or restored from the back/forward cache: its batches are
    /// still in memory, so the copy kept for a later page is withdrawn.
    pub(crate) fn on_show(&mut self) {
        let key = self.page_key.clone();
        self.emit(Output::Unstore { key });
        self.exit = Exit::default();
        // A later hide starts afresh: what this one sent may not arrive.
        self.hides = self.hides.wrapping_add(1);
    }

    /// Takes over every batch that earlier pages of this origin kept, ahead of anything new,
    /// and counts what the bounds refuse; each key read is removed.
    pub(crate) fn restore(&mut self, entries: Vec<(String, String)>, now: f64) {
        let (mut metrics, mut logs) = (Vec::<Batch>::new(), Vec::<Batch>::new());
        for (key, text) in entries {
            if key == self.page_key {
                continue;
            }
            persist::decode(&text, |stream, batch| {
                let list = match stream {
                    Persisted::Metrics => &mut metrics,
                    Persisted::Logs => &mut logs,
                };
                list.push(batch);
            });
            self.emit(Output::Unstore { key });
        }
        let mut restored = 0;
        for (kind, batches) in [(Kind::Metrics, metrics), (Kind::Logs, logs)] {
            let (taken, refused) = self.stream(kind).queue.restore_front(batches);
            if refused > 0 {
                self.count_drop(kind, Drop::BufferEvents, refused);
            }
            restored += taken;
        }
        if restored > 0 {
            for kind in Kind::BOTH {
                self.pump(kind, now);
            }
        }
    }
}

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
//!
//! The loss and retry counts the page has not reported when it writes its copy (at a hide:
//! those whose health report did not fit a full buffer) go into storage with the batches, and
//! so do the events of kept batches that the storage budget leaves out (as
//! `buffer_full_bytes`): the next page reports them. Counts in storage are *handed over*: the
//! page no longer holds them, so that they are reported once, by this page if it becomes
//! visible again (it takes them back, and withdraws the stored copy) or by whichever page reads
//! the copy. Until then the copy is kept current: a kept batch that this page delivers, drops
//! or splits while hidden is written out of it again (with the counts that dropping it made).
//! What a hidden page records or counts otherwise reaches a copy only at its next hide.
//!
//! Another page of the origin may read the copy while this one still lives (a new tab loads
//! while this one is hidden): the browser's `storage` event tells this page, with the text that
//! page read (`Input::CopyTaken`), and this page leaves the batches and counts in it to the
//! page that took them. A copy that merely vanished (storage cleared, or expired) tells
//! nothing: its batches stay this page's, so nothing is lost.
//!
//! The answer to a keepalive request is heeded as an ordinary answer would be, unless an
//! ordinary request of the same batch is under way (its answer decides): a 2xx removes the
//! batch, a 413 splits it, another refusal drops and counts it; a retryable failure leaves it
//! for the next attempt.

use alloc::string::String;
use alloc::vec::Vec;

use crate::batch::{Batch, Drop};
use crate::client::{Client, Exit, Keepalive, Output, Post, Request, RequestId};
use crate::persist;
use crate::retry::Verdict;
use crate::stream::{Counters, Kind};

/// Keepalive bytes the browser lets a page have under way (Chromium and Firefox: 64 KiB).
pub const KEEPALIVE_BUDGET: usize = 65_536;

impl Client {
    /// The page is hidden, or unloading for good (`last`): only then are beaconed batches
    /// forgotten, since a beacon gives no answer and a page that lives on must still be able
    /// to retry them.
    pub(crate) fn on_hide(&mut self, last: bool, stored_elsewhere: usize, now: f64) {
        // Counts an earlier hide handed over: this one reports what it can and stores the rest.
        self.take_back_counts();
        self.exit = Exit {
            hidden: true,
            last,
            stored_elsewhere,
            ..Default::default()
        };
        for kind in Kind::ALL {
            self.seal(kind, now);
            // A stream without an endpoint (the OTLP entry's, before `configure()` names one)
            // keeps its batches for a page that has one.
            let s = self.stream_ref(kind);
            let may_send = self.online && !s.is_failing() && s.is_on() && self.lets_out();
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
        let s = self.stream_ref(kind);
        let Some(b) = s.queue.sealed().iter().find(|b| b.key == key) else {
            return false;
        };
        #[allow(unused_mut)]
        let (url, mut body) = (s.settings.endpoint.clone(), b.body.clone());
        #[cfg(feature = "otlp")]
        self.otlp_body(kind, key, &mut body);
        let len = body.len();
        let fits = len <= KEEPALIVE_BUDGET.saturating_sub(self.keepalive_bytes);
        if !fits && kind.is_otlp() {
            // No beacon for OTLP: a collector takes only `application/json`, which a beacon
            // may carry to another origin only after a CORS preflight that browsers do not make
            // for beacons. The batch stays in storage for the next page.
            return false;
        }
        let request = self.next_request();
        if !fits {
            // A beacon cannot carry headers: the idempotency key travels in the query string.
            let mut full = url;
            // (Bytes compared one by one: `contains` would bring memchr's general search.)
            full.push(if full.bytes().any(|b| b == b'?') {
                '&'
            } else {
                '?'
            });
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
            #[cfg(feature = "otlp")]
            stream: kind,
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

    /// The answer to a keepalive request of `len` bytes carrying batch `key`: what an ordinary
    /// answer would do, unless the batch's ordinary request is under way (that one's answer
    /// decides) or the batch is gone already.
    pub(crate) fn keepalive_done(
        &mut self,
        kind: Kind,
        key: &str,
        len: usize,
        status: Option<u16>,
    ) {
        self.keepalive_bytes = self.keepalive_bytes.saturating_sub(len);
        let s = self.stream_ref(kind);
        if s.busy.as_deref() == Some(key) {
            return;
        }
        let Some((at, events)) = s
            .queue
            .sealed()
            .iter()
            .enumerate()
            .find(|(_, b)| b.key == key)
            .map(|(i, b)| (i, b.events()))
        else {
            return;
        };
        let halves = match kind.verdict(status) {
            // It stays, for an ordinary request or the next exit.
            Verdict::Retry => return,
            // The page lived on and the batch arrived: it must not go again.
            Verdict::Delivered => {
                self.stream(kind).queue.remove_key(key);
                None
            }
            // Too large: the server will refuse these bytes every time, so its halves go
            // instead (each under a new key), by this page or the next.
            Verdict::Split if events > 1 => {
                let (a, b) = (self.random.uuid(), self.random.uuid());
                self.stream(kind).queue.split_key(key, a, b);
                Some(at)
            }
            Verdict::Split | Verdict::Reject => {
                self.stream(kind).queue.remove_key(key);
                self.count_drop(kind, Drop::Rejected, events);
                None
            }
        };
        self.rekeep(kind, key, halves);
    }

    /// Batch `key` of the stream left the queue: delivered, dropped, or split into the two
    /// batches from place `halves` on. If the stored copy of the current hide holds it, the
    /// copy is written again, with the halves in its place: it must not hold a batch this page
    /// delivered or counted as dropped since, nor bytes the server refuses.
    pub(crate) fn rekeep(&mut self, kind: Kind, key: &str, halves: Option<usize>) {
        if !self.exit.kept.iter().any(|(k, x)| *k == kind && x == key) {
            return;
        }
        let halves: Vec<String> = halves
            .and_then(|i| self.stream_ref(kind).queue.sealed().get(i..))
            .unwrap_or_default()
            .iter()
            .take(2)
            .map(|b| b.key.clone())
            .collect();
        for (k, x) in core::mem::take(&mut self.exit.kept) {
            if k == kind && x == key {
                self.exit
                    .kept
                    .extend(halves.iter().map(|h| (kind, h.clone())));
            } else {
                self.exit.kept.push((k, x));
            }
        }
        self.write_kept();
    }

    /// Writes the kept batches under this page's key, within what other pages left of the
    /// origin's `maxPersistedBytes`, with the counts this page has not reported (handed over
    /// to the copy) and the events of kept batches the budget leaves out; removes the key when
    /// nothing stays behind.
    fn write_kept(&mut self) {
        if !self.lets_out() {
            return; // nothing is written without consent (`consent.rs`)
        }
        let [metrics, logs, ..] = &mut self.exit.handed;
        metrics.add(&core::mem::take(&mut self.metrics.counts));
        logs.add(&core::mem::take(&mut self.logs.counts));
        // The OTLP entry's streams, after the seed's two.
        #[cfg(feature = "otlp")]
        for kind in Kind::ALL.into_iter().skip(2) {
            let counts = core::mem::take(&mut self.stream(kind).counts);
            if let Some(handed) = self.exit.handed.get_mut(kind as usize) {
                handed.add(&counts);
            }
        }
        let key = self.page_key.clone();
        if self.exit.kept.is_empty() && self.exit.handed.iter().all(Counters::is_zero) {
            return self.emit(Output::Unstore { key });
        }
        let budget = self
            .config
            .max_persisted_bytes()
            .saturating_sub(self.exit.stored_elsewhere);
        let batches = self.exit.kept.iter().filter_map(|(kind, key)| {
            let b = self
                .stream_ref(*kind)
                .queue
                .sealed()
                .iter()
                .find(|b| &b.key == key)?;
            Some((*kind, b))
        });
        let (text, _) = persist::encode(batches, self.exit.handed, budget);
        self.emit(Output::Store { key, text });
    }

    /// The counts handed to the stored copy are the streams' again (to report, or to hand
    /// over anew).
    fn take_back_counts(&mut self) {
        let handed = core::mem::take(&mut self.exit.handed);
        self.add_counts(&handed);
    }

    /// Adds counts to report, per stream (in the order of [`Kind::ALL`]). (Each stream named:
    /// the main entry's module is smaller so than with a loop over them.)
    fn add_counts(&mut self, counts: &[Counters; Kind::COUNT]) {
        let [metrics, logs, ..] = counts;
        self.metrics.counts.add(metrics);
        self.logs.counts.add(logs);
        #[cfg(feature = "otlp")]
        for (kind, c) in Kind::ALL.into_iter().zip(counts).skip(2) {
            self.stream(kind).counts.add(c);
        }
    }

    /// The page is visible again, or restored from the back/forward cache: its batches are
    /// still in memory, so the copy kept for a later page is withdrawn, and the counts handed
    /// to it are this page's to report again.
    pub(crate) fn on_show(&mut self) {
        self.take_back_counts();
        let key = self.page_key.clone();
        self.emit(Output::Unstore { key });
        self.exit = Exit::default();
        // A later hide starts afresh: what this one sent may not arrive.
        self.hides = self.hides.wrapping_add(1);
    }

    /// Another page took this page's stored copy, `text`: the batches in it are that page's to
    /// send and the counts in it are that page's to report. Those batches leave this one (an
    /// ordinary request of one still under way finds it gone when answered), and those counts
    /// are taken from what was handed to the copy, or, if the page was shown meanwhile (and
    /// took them back), from the streams. Whatever the copy did not hold (counts made since,
    /// batches a storage budget left out) stays this page's, and, while it is hidden, in a
    /// copy written anew.
    ///
    /// A copy's counts may hold more than was handed to it: the events of batches the budget
    /// left out, counted as `buffer_full_bytes` for a reader. While hidden, that excess is not
    /// taken from the page's own counts; those batches are still the page's to send, so a
    /// reader's count of them may over-report the loss, never hide one.
    pub(crate) fn on_copy_taken(&mut self, text: &str) {
        let mut taken = Vec::new();
        let counts = persist::decode(text, |_, batch| taken.push(batch.key));
        for key in &taken {
            for kind in Kind::ALL {
                self.stream(kind).queue.remove_key(key);
            }
        }
        self.exit.kept.retain(|(_, key)| !taken.contains(key));
        let mut rest = [Counters::default(); Kind::COUNT];
        for ((r, handed), taken) in rest.iter_mut().zip(&mut self.exit.handed).zip(&counts) {
            *r = handed.subtract(taken);
        }
        if !self.exit.hidden {
            let [metrics, logs, ..] = &rest;
            self.metrics.counts.subtract(metrics);
            self.logs.counts.subtract(logs);
            #[cfg(feature = "otlp")]
            for (kind, r) in Kind::ALL.into_iter().zip(&rest).skip(2) {
                self.stream(kind).counts.subtract(r);
            }
        }
        if self.exit.hidden {
            self.write_kept();
        }
    }

    /// `localStorage.clear()` by another document (a logout, say): nobody took the copy, but it
    /// is gone. A hidden page writes it again, so that what it keeps still outlives it.
    pub(crate) fn on_storage_cleared(&mut self) {
        if self.exit.hidden {
            self.write_kept();
        }
    }

    /// Takes over every batch that earlier pages of this origin kept, ahead of anything new,
    /// and counts what the bounds refuse; adds the counts they could not report to this page's
    /// (reported with its next metrics batch); each key read is removed.
    pub(crate) fn restore(&mut self, entries: Vec<(String, String)>, now: f64) {
        let (mut metrics, mut logs) = (Vec::<Batch>::new(), Vec::<Batch>::new());
        // The OTLP entry's streams' batches, sorted out below.
        #[cfg(feature = "otlp")]
        let mut others = Vec::<(Kind, Batch)>::new();
        for (key, text) in entries {
            if key == self.page_key {
                continue;
            }
            let found = persist::decode(&text, |stream, batch| {
                let list = match stream {
                    Kind::Metrics => &mut metrics,
                    Kind::Logs => &mut logs,
                    #[cfg(feature = "otlp")]
                    other => return others.push((other, batch)),
                };
                list.push(batch);
            });
            self.add_counts(&found);
            self.emit(Output::Unstore { key });
        }
        let mut restored = 0;
        let lists = [(Kind::Metrics, metrics), (Kind::Logs, logs)];
        // The OTLP entry's streams: their batches, stream by stream, after the seed's.
        #[cfg(feature = "otlp")]
        let lists = lists
            .into_iter()
            .chain(Kind::ALL.into_iter().skip(2).map(|kind| {
                let batches = others
                    .iter_mut()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, b)| core::mem::take(b))
                    .collect();
                (kind, batches)
            }));
        for (kind, batches) in lists {
            // Batches of a stream this page turned off are let go, as its own events were.
            #[cfg(feature = "otlp")]
            if !self.takes(kind) {
                continue;
            }
            let (taken, refused) = self.stream(kind).queue.restore_front(batches);
            if refused > 0 {
                self.count_drop(kind, Drop::BufferEvents, refused);
            }
            restored += taken;
        }
        if restored > 0 {
            for kind in Kind::ALL {
                self.pump(kind, now);
            }
        }
    }
}

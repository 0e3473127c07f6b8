//! When batches go, one at a time per stream, and what each answer does.
//!
//! A stream has at most one ordinary request in flight, so batches reach the server in order.
//! After a success the next sealed batch goes at once (sealing a new one if a full batch is
//! pending). After a retryable failure the batch stays at the front and the stream waits out a
//! backoff (or the server's `Retry-After`); nothing of it is attempted meanwhile, nor while the
//! browser is offline. While a request is under way new events simply collect, so a burst
//! becomes a few large requests instead of many small ones. A request without an answer after
//! `requestTimeoutMs` is given up by the client itself ([`Output::Abort`]), whatever the
//! page's `fetch` does later.

use crate::batch::Settled;
use crate::client::{Client, Output, Post, Request, RequestId};
use crate::retry::{self, Verdict};
use crate::stream::Kind;

impl Client {
    /// A full batch is pending: seal it and start sending, unless a request is under way or
    /// the stream is backing off (it will take the pending events next).
    pub(crate) fn on_full_batch(&mut self, kind: Kind, now: f64) {
        let s = self.stream_ref(kind);
        if s.busy.is_none() && !s.is_failing() {
            self.seal(kind, now);
            self.pump(kind, now);
        }
    }

    /// Seals everything pending; for metrics, the client's own health counters first.
    pub(crate) fn seal(&mut self, kind: Kind, now: f64) {
        if kind == self.health_stream() {
            self.report_health(now);
        }
        let (queue, random) = self.queue_and_random(kind);
        let _sealed = queue.seal_all(|| random.uuid());
        #[cfg(feature = "otlp")]
        if kind.is_otlp() && _sealed > 0 {
            self.sealed_otlp(kind, _sealed, now);
        }
    }

    /// A stream's queue, and the randomness that names its batches.
    fn queue_and_random(
        &mut self,
        kind: Kind,
    ) -> (&mut crate::batch::Queue, &mut crate::random::Random) {
        let Client { random, .. } = self;
        let queue = match kind {
            Kind::Metrics => &mut self.metrics.queue,
            Kind::Logs => &mut self.logs.queue,
            #[cfg(feature = "otlp")]
            Kind::OtlpMetrics => &mut self.otlp_metrics.queue,
            #[cfg(feature = "otlp")]
            Kind::OtlpLogs => &mut self.otlp_logs.queue,
            #[cfg(feature = "traces")]
            Kind::OtlpTraces => &mut self.otlp_traces.queue,
        };
        (queue, random)
    }

    /// Sends the front sealed batch if the stream may send now. When it may not (a request
    /// under way, a backoff, offline, nothing to send), whoever waits on a flush is told.
    pub(crate) fn pump(&mut self, kind: Kind, now: f64) {
        if self.stream_ref(kind).busy.is_some() {
            return;
        }
        if self.stream_ref(kind).queue.front().is_none() && self.stream_ref(kind).is_full() {
            self.seal(kind, now);
        }
        // A stream that is off (no endpoint) keeps what it holds (batches an earlier page kept,
        // say) until `configure()` turns it on.
        // Nor does anything leave without consent (`consent.rs`).
        let waiting = now < self.stream_ref(kind).retry_at
            || !self.online
            || !self.stream_ref(kind).is_on()
            || !self.lets_out();
        if waiting || self.stream_ref(kind).queue.front().is_none() {
            return self.release_waiters(kind);
        }
        let timeout = f64::from(self.config.retry().timeout_ms);
        let request = self.next_request();
        let s = self.stream(kind);
        let Some(batch) = s.queue.front_mut() else {
            return self.release_waiters(kind);
        };
        batch.attempts += 1;
        #[allow(unused_mut)]
        let mut post = Post {
            request,
            url: s.settings.endpoint.clone(),
            // (An OTLP stream's body is made from the batch below, not copied from it.)
            body: if kind.is_otlp() {
                alloc::vec::Vec::new()
            } else {
                batch.body.clone()
            },
            key: batch.key.clone(),
            keepalive: false,
            #[cfg(feature = "otlp")]
            stream: kind,
        };
        s.busy = Some(post.key.clone());
        #[cfg(feature = "otlp")]
        self.otlp_body(kind, &post.key, &mut post.body);
        self.requests.push(Request {
            id: request,
            kind,
            key: post.key.clone(),
            deadline: now + timeout,
            keepalive: None,
        });
        self.emit(Output::Post(post));
    }

    /// The browser is online again (end the client's own backoffs and send at once; a wait
    /// the server asked for with `Retry-After` still holds), or offline.
    pub(crate) fn on_online(&mut self, online: bool, now: f64) {
        self.online = online;
        if online {
            for kind in Kind::ALL {
                let s = self.stream(kind);
                if !s.server_wait {
                    s.retry_at = 0.0;
                }
                self.pump(kind, now);
            }
        }
    }

    /// Flush intervals, ends of backoffs and request deadlines that have come by `now`.
    pub(crate) fn on_timeout(&mut self, now: f64) {
        // Requests given up first: their streams are then free for what follows.
        while let Some(id) = self
            .requests
            .iter()
            .find(|r| r.deadline <= now)
            .map(|r| r.id)
        {
            self.emit(Output::Abort(id));
            self.answered(id, None, None, now);
        }
        for kind in Kind::ALL {
            let s = self.stream(kind);
            if s.retry_at > 0.0 && s.retry_at <= now {
                s.retry_at = 0.0;
                self.pump(kind, now);
            }
            let s = self.stream(kind);
            if s.next_flush <= now {
                // From now, not from the missed time: a throttled background tab gets one
                // flush when it wakes, not a burst of them.
                s.next_flush = now + f64::from(s.settings.flush_interval_ms);
                self.seal(kind, now);
                self.pump(kind, now);
            }
        }
    }

    /// The answer to request `id`: `status` (`None`: no answer) and its `Retry-After`.
    pub(crate) fn answered(
        &mut self,
        id: RequestId,
        status: Option<u16>,
        retry_after: Option<&str>,
        now: f64,
    ) {
        let Some(i) = self.requests.iter().position(|r| r.id == id) else {
            return; // given up already, or not ours
        };
        let r = self.requests.swap_remove(i);
        match r.keepalive {
            Some(k) => self.keepalive_done(r.kind, &r.key, k.len, status),
            None => self.settle(r.kind, &r.key, status, retry_after, now),
        }
    }

    /// The answer to the ordinary attempt of batch `key`.
    fn settle(
        &mut self,
        kind: Kind,
        key: &str,
        status: Option<u16>,
        retry_after: Option<&str>,
        now: f64,
    ) {
        let retry = self.config.retry();
        let s = self.stream(kind);
        if s.busy.as_deref() == Some(key) {
            s.busy = None;
        }
        // The batch may be gone already: delivered by a keepalive request at page exit.
        if s.queue.front().map(|b| b.key.as_str()) != Some(key) {
            return self.pump(kind, now);
        }
        let verdict = kind.verdict(status);
        if verdict != Verdict::Retry {
            // The server answered: whatever became of this batch, the stream is not failing.
            s.failures = 0;
            s.retry_at = 0.0;
        }
        let (queue, random) = self.queue_and_random(kind);
        let settled = queue.settle_front(verdict, retry.max_attempts, || random.uuid());
        match settled {
            Some(Settled::Delivered) | Some(Settled::Split) | None => {}
            Some(Settled::Dropped(reason, n)) => self.count_drop(kind, reason, n),
            Some(Settled::Retry) => self.stream(kind).counts.retries += 1,
        }
        // Hidden, with the batch in the stored copy: the copy follows what became of it.
        match settled {
            Some(Settled::Delivered) | Some(Settled::Dropped(..)) => self.rekeep(kind, key, None),
            Some(Settled::Split) => self.rekeep(kind, key, Some(0)),
            Some(Settled::Retry) | None => {}
        }
        if verdict != Verdict::Retry {
            return self.pump(kind, now);
        }
        // The server or the network is failing: nothing more of this stream until the
        // backoff (or the server's Retry-After) has passed.
        let (parse_date, wall) = (self.platform.parse_date, self.wall(now));
        let jitter = self.random.unit();
        let s = self.stream(kind);
        s.failures = s.failures.saturating_add(1);
        let server_wait = retry_after.and_then(|v| retry::parse_retry_after(v, wall, parse_date));
        s.server_wait = server_wait.is_some();
        let delay = server_wait.unwrap_or_else(|| {
            retry::backoff_ms(s.failures, retry.initial_ms, retry.max_ms, jitter)
        });
        // At least a millisecond: a zero wait would make the same time both "now" and "later".
        s.retry_at = now + delay.max(1.0);
        self.release_waiters(kind);
    }
}

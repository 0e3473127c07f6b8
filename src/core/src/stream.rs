//! One stream (metrics or logs): its settings, its queue, and where its delivery stands.
//!
//! The fields say *what is*; `delivery.rs` decides what happens next from them.

use alloc::string::String;
use alloc::vec::Vec;

use crate::batch::{Drop, Queue};
use crate::config::StreamSettings;
use crate::retry::{self, Verdict};

/// Which stream. As a number (`kind as usize`), its place in what is kept per stream (the
/// `[Counters; Kind::COUNT]` of `persist.rs`, the `handed` counts of page exit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The seed's metrics (`metricsEndpoint`).
    Metrics = 0,
    /// The seed's logs (`logsEndpoint`).
    Logs = 1,
    /// The same metric events, as OTLP (`${otlpEndpoint}/v1/metrics`).
    #[cfg(feature = "otlp")]
    OtlpMetrics = 2,
    /// The same log entries, as OTLP (`${otlpEndpoint}/v1/logs`).
    #[cfg(feature = "otlp")]
    OtlpLogs = 3,
    /// Spans of the page's requests and of its load (`${otlpEndpoint}/v1/traces`).
    #[cfg(feature = "traces")]
    OtlpTraces = 4,
}

impl Kind {
    /// Every stream, in the order they are always visited.
    #[cfg(not(feature = "otlp"))]
    pub const ALL: [Kind; 2] = [Kind::Metrics, Kind::Logs];
    #[cfg(all(feature = "otlp", not(feature = "traces")))]
    pub const ALL: [Kind; 4] = [Kind::Metrics, Kind::Logs, Kind::OtlpMetrics, Kind::OtlpLogs];
    #[cfg(feature = "traces")]
    pub const ALL: [Kind; 5] = [
        Kind::Metrics,
        Kind::Logs,
        Kind::OtlpMetrics,
        Kind::OtlpLogs,
        Kind::OtlpTraces,
    ];
    /// How many streams there are.
    pub const COUNT: usize = Kind::ALL.len();

    /// The `stream` label of the client's own health metrics.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Metrics => "metrics",
            Kind::Logs => "logs",
            #[cfg(feature = "otlp")]
            Kind::OtlpMetrics => "otlp_metrics",
            #[cfg(feature = "otlp")]
            Kind::OtlpLogs => "otlp_logs",
            #[cfg(feature = "traces")]
            Kind::OtlpTraces => "otlp_traces",
        }
    }

    /// Whether its batches are OTLP (made into their body at send time: `otlp.rs`).
    pub fn is_otlp(self) -> bool {
        #[cfg(feature = "otlp")]
        return self as usize >= Kind::OtlpMetrics as usize;
        #[cfg(not(feature = "otlp"))]
        false
    }

    /// What to do with a batch of this stream after an attempt that got `status`: the seed's
    /// streams by [`retry::classify`], the OTLP streams by [`retry::classify_otlp`].
    pub fn verdict(self, status: Option<u16>) -> Verdict {
        if self.is_otlp() {
            retry::classify_otlp(status)
        } else {
            retry::classify(status)
        }
    }
}

/// A stream's loss and retry counts not yet reported, as they travel apart from the stream:
/// kept in storage at page exit (`exit.rs`, `persist.rs`) for the next page to report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Events lost, by reason (indexed by [`Drop::index`]).
    pub dropped: [u64; Drop::ALL.len()],
    /// Retries scheduled.
    pub retries: u64,
}

impl Counters {
    pub fn is_zero(&self) -> bool {
        self.retries == 0 && self.dropped.iter().all(|&n| n == 0)
    }

    /// Adds `other` (saturating: the counts may come from storage, which anyone can write).
    pub fn add(&mut self, other: &Counters) {
        for (n, m) in self.dropped.iter_mut().zip(other.dropped) {
            *n = n.saturating_add(m);
        }
        self.retries = self.retries.saturating_add(other.retries);
    }

    /// Takes `other` away, as far as these counts go; returns the part of `other` they did not
    /// hold.
    pub fn subtract(&mut self, other: &Counters) -> Counters {
        let mut rest = *other;
        let mine = self.dropped.iter_mut().chain([&mut self.retries]);
        for (n, r) in mine.zip(rest.dropped.iter_mut().chain([&mut rest.retries])) {
            let taken = (*n).min(*r);
            *n -= taken;
            *r -= taken;
        }
        rest
    }

    /// Counts `n` more events lost for `reason`.
    pub fn count_drop(&mut self, reason: Drop, n: usize) {
        if let Some(count) = self.dropped.get_mut(reason.index()) {
            *count = count.saturating_add(n as u64);
        }
    }
}

/// One stream's settings, buffer, and the state of its delivery.
pub struct Stream {
    pub settings: StreamSettings,
    pub queue: Queue,
    /// The key of the batch whose ordinary request is under way: at most one at a time, so
    /// that batches reach the server in order.
    pub busy: Option<String>,
    /// Consecutive failed attempts; 0 while the stream is healthy.
    pub failures: u32,
    /// No attempt before this time (epoch ms); 0 when no backoff is pending.
    pub retry_at: f64,
    /// Whether `retry_at` is the server's own `Retry-After`, which coming back online does not
    /// cut short (the client's backoff it does: it only guessed how long the network was out).
    pub server_wait: bool,
    /// When the flush interval next seals and sends what is pending (epoch ms).
    pub next_flush: f64,
    /// `flush()` calls (their ids) waiting for this stream to go quiet.
    pub waiters: Vec<u32>,
    /// Events lost and retries scheduled, not yet reported.
    pub counts: Counters,
}

impl Stream {
    pub fn new(open: &'static [u8], settings: StreamSettings, now: f64) -> Self {
        Stream {
            queue: Queue::new(open, settings.limits.clone()),
            next_flush: now + f64::from(settings.flush_interval_ms),
            settings,
            busy: None,
            failures: 0,
            retry_at: 0.0,
            server_wait: false,
            waiters: Vec::new(),
            counts: Counters::default(),
        }
    }

    /// Takes new settings; the flush interval restarts only if its period changed.
    pub fn update(&mut self, settings: StreamSettings, now: f64) {
        if settings.flush_interval_ms != self.settings.flush_interval_ms {
            self.next_flush = now + f64::from(settings.flush_interval_ms);
        }
        self.queue.limits = settings.limits.clone();
        self.settings = settings;
    }

    /// Whether the stream waits out a backoff (or is failing).
    pub fn is_failing(&self) -> bool {
        self.failures > 0
    }

    /// Whether the stream takes events: every stream of the main entry does; with OTLP, a
    /// stream whose endpoint is empty (`metricsEndpoint: null`, no `otlpEndpoint`) is off.
    pub fn is_on(&self) -> bool {
        !cfg!(feature = "otlp") || !self.settings.endpoint.is_empty()
    }

    /// Whether a full batch is pending.
    pub fn is_full(&self) -> bool {
        self.queue.pending_len() >= self.settings.batch_size
    }

    /// Counts `n` events lost for `reason` (reported later as `telemetry_events_dropped_total`).
    pub fn count_drop(&mut self, reason: Drop, n: usize) {
        self.counts.count_drop(reason, n);
    }

    /// Whether any loss or retry count waits to be reported (for tests).
    #[cfg(test)]
    pub fn has_counts(&self) -> bool {
        !self.counts.is_zero()
    }
}

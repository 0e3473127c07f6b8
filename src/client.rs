//! The one client of the page: its settings, its two streams and its series table, and the
//! operations the exported functions perform on them.
//!
//! The state lives in a thread-local cell. Every access goes through [`with`], which borrows it
//! with `try_borrow_mut`: should a callback ever re-enter while it is borrowed, the call is
//! skipped instead of panicking (a panic would poison the module for the page's lifetime).

use std::cell::RefCell;

use gloo_timers::callback::Interval;

use crate::batch::{Drop, Queue};
use crate::config::{Config, Options, StreamSettings};
use crate::delivery;
use crate::log::{self, Entry, Stamp};
use crate::metric::SeriesTable;

/// Events the JavaScript side may stage between two crossings: three `f64` each
/// (series id, value, epoch milliseconds).
pub const STAGING_EVENTS: usize = 512;

/// Most series remembered before the table starts over.
const MAX_SERIES: usize = 2048;

/// Which stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Metrics,
    Logs,
}

/// One stream's settings, buffer, and the timer and request loop that deliver it.
pub struct Stream {
    pub settings: StreamSettings,
    pub queue: Queue,
    /// A request of this stream is under way (see `delivery`).
    pub busy: bool,
    /// `resolve` functions of `flush()` promises waiting for this stream to go quiet.
    pub waiters: Vec<js_sys::Function>,
    /// Flushes every `flush_interval_ms`; dropping it cancels it.
    timer: Option<Interval>,
    /// Drops by reason (indexed as [`drop_index`]).
    pub dropped: [u64; 4],
}

impl Stream {
    fn new(open: &'static [u8], settings: StreamSettings) -> Self {
        Stream {
            queue: Queue::new(open, settings.limits.clone()),
            settings,
            busy: false,
            waiters: Vec::new(),
            timer: None,
            dropped: [0; 4],
        }
    }

    /// Takes new settings; the timer is rearmed only if its period changed.
    fn update(&mut self, settings: StreamSettings, kind: Kind) {
        let rearm =
            self.timer.is_none() || settings.flush_interval_ms != self.settings.flush_interval_ms;
        self.queue.limits = settings.limits.clone();
        self.settings = settings;
        if rearm {
            self.timer = Some(Interval::new(self.settings.flush_interval_ms, move || {
                delivery::flush_stream(kind);
            }));
        }
    }

    /// Seals everything pending into batches, each within the request size limit.
    pub fn seal_all(&mut self) {
        while self.queue.seal(crate::random::uuid()) {}
    }

    /// Resolves every `flush()` promise waiting on this stream.
    pub fn release_waiters(&mut self) {
        for resolve in self.waiters.drain(..) {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    }

    fn record_drop(&mut self, d: Drop) {
        if let Some(n) = self.dropped.get_mut(drop_index(d)) {
            if *n == 0 {
                crate::warn(match d {
                    Drop::Invalid => "a metric value that is not a finite number was dropped",
                    Drop::TooLarge => "an event over 64 KiB was dropped",
                    Drop::BufferEvents | Drop::BufferBytes => {
                        "the buffer is full (collector unreachable?); new events are dropped"
                    }
                });
            }
            *n += 1;
        }
    }
}

pub fn drop_index(d: Drop) -> usize {
    match d {
        Drop::Invalid => 0,
        Drop::TooLarge => 1,
        Drop::BufferEvents => 2,
        Drop::BufferBytes => 3,
    }
}

pub struct Client {
    config: Config,
    pub metrics: Stream,
    pub logs: Stream,
    series: SeriesTable,
    stamp: Stamp,
    /// Where the JavaScript side writes staged metric events (see `STAGING_EVENTS`).
    staging: Vec<f64>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

/// Runs `f` on the client, creating it with the defaults on first use. `None` when the state
/// is unavailable (already borrowed, or the thread is shutting down).
pub fn with<R>(f: impl FnOnce(&mut Client) -> R) -> Option<R> {
    CLIENT
        .try_with(|cell| {
            let mut guard = cell.try_borrow_mut().ok()?;
            let client = guard.get_or_insert_with(Client::new);
            Some(f(client))
        })
        .ok()
        .flatten()
}

impl Client {
    fn new() -> Self {
        let config = Config::default();
        let mut c = Client {
            metrics: Stream::new(b"{\"metrics\":[", config.metrics()),
            logs: Stream::new(b"{\"logs\":[", config.logs()),
            series: SeriesTable::new(MAX_SERIES),
            stamp: Stamp::new(&config.service, &config.version),
            staging: vec![0.0; STAGING_EVENTS * 3],
            config,
        };
        c.metrics.update(c.config.metrics(), Kind::Metrics);
        c.logs.update(c.config.logs(), Kind::Logs);
        c
    }

    pub fn stream(&mut self, kind: Kind) -> &mut Stream {
        match kind {
            Kind::Metrics => &mut self.metrics,
            Kind::Logs => &mut self.logs,
        }
    }

    pub fn configure(&mut self, options: Options) {
        self.config.apply(options);
        self.stamp
            .set_service(&self.config.service, &self.config.version);
        self.metrics.update(self.config.metrics(), Kind::Metrics);
        self.logs.update(self.config.logs(), Kind::Logs);
    }

    pub fn staging_ptr(&self) -> u32 {
        self.staging.as_ptr() as usize as u32
    }

    pub fn add_series(&mut self, name: &str, labels_json: Option<&str>) -> u32 {
        self.series.add(name, labels_json)
    }

    /// Encodes the first `n` staged events into the metrics stream. Returns whether the stream
    /// now holds a full batch.
    pub fn ingest(&mut self, n: usize) -> bool {
        let staged = self.staging.get(..n.saturating_mul(3)).unwrap_or_default();
        for event in staged.chunks_exact(3) {
            let &[id, value, ts] = event else { continue };
            let series = &self.series;
            let admitted = self
                .metrics
                .queue
                .push_with(|out| series.encode(out, id as u32, value, ts, crate::engine_number));
            if let Err(d) = admitted {
                self.metrics.record_drop(d);
            }
        }
        self.metrics.queue.pending_len() >= self.metrics.settings.batch_size
    }

    pub fn set_identity(&mut self, user_id: Option<&str>, session_id: Option<&str>) {
        self.stamp.set_identity(user_id, session_id);
    }

    /// Encodes one log entry into the logs stream. Returns whether it now holds a full batch.
    pub fn log(&mut self, entry: &Entry) -> bool {
        let stamp = &self.stamp;
        let admitted = self.logs.queue.push_with(|out| {
            log::encode(out, entry, stamp);
            true
        });
        if let Err(d) = admitted {
            self.logs.record_drop(d);
        }
        self.logs.queue.pending_len() >= self.logs.settings.batch_size
    }
}

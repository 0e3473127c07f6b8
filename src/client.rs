//! The one client of the page: its settings, its two streams and its series table, and the
//! operations the exported functions perform on them.
//!
//! The state lives in a thread-local cell. Every access goes through [`with`], which borrows it
//! with `try_borrow_mut`: should a callback ever re-enter while it is borrowed, the call is
//! skipped instead of panicking (a panic would poison the module for the page's lifetime).

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use crate::batch::{Drop, Queue};
use crate::config::{Config, Options, StreamSettings};
use crate::error_gate::Gate;
use crate::json;
use crate::listen::Hold;
use crate::log::{self, Entry, Stamp};
use crate::metric::SeriesTable;
use crate::transport::Request;
use crate::{errors, exit, observe, wake};

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

impl Kind {
    /// 0 for metrics, 1 for logs.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Metrics => "metrics",
            Kind::Logs => "logs",
        }
    }
}

/// One stream's settings, buffer, and the state of its delivery.
pub struct Stream {
    pub settings: StreamSettings,
    pub queue: Queue,
    /// The key of the batch whose request is under way (see `delivery`).
    pub busy: Option<String>,
    /// Consecutive failed attempts; 0 while the stream is healthy.
    pub failures: u32,
    /// No attempt before this time (epoch ms): the backoff of the last failure.
    pub retry_at: f64,
    /// Wakes the stream when `retry_at` has come. Replaced, never dropped from its own callback.
    pub retry_timer: Option<Hold>,
    /// `flush()` promises (their page.js ids) waiting for this stream to go quiet.
    pub waiters: Vec<u32>,
    /// Events lost, by reason (indexed by [`Drop::index`]), not yet reported.
    pub dropped: [u64; Drop::ALL.len()],
    /// Retries scheduled, not yet reported.
    pub retries: u64,
    /// Flushes every `flush_interval_ms`; dropping it cancels it.
    timer: Option<Hold>,
}

impl Stream {
    /// A stream whose settings are placeholders: `Client::new` configures it right after, as
    /// every `configure()` does (computing the real ones twice would be more code).
    #[inline(never)]
    fn new(open: &'static [u8]) -> Self {
        let settings = StreamSettings::default();
        Stream {
            queue: Queue::new(open, settings.limits.clone()),
            settings,
            busy: None,
            failures: 0,
            retry_at: 0.0,
            retry_timer: None,
            waiters: Vec::new(),
            dropped: [0; Drop::ALL.len()],
            retries: 0,
            timer: None,
        }
    }

    /// Takes new settings; the timer is rearmed only if its period changed.
    fn update(&mut self, settings: StreamSettings, kind: Kind) {
        let rearm =
            self.timer.is_none() || settings.flush_interval_ms != self.settings.flush_interval_ms;
        self.queue.limits = settings.limits.clone();
        self.settings = settings;
        if rearm {
            self.timer = Hold::interval(wake::FLUSH[kind.index()], self.settings.flush_interval_ms);
        }
    }

    /// Seals everything pending into batches, each within the request size limit.
    pub fn seal_all(&mut self) {
        self.queue.seal_all(crate::random::uuid);
    }

    /// Whether the stream waits out a backoff (or is failing).
    pub fn is_failing(&self) -> bool {
        self.failures > 0
    }

    /// Resolves every `flush()` promise waiting on this stream.
    pub fn release_waiters(&mut self) {
        for &id in &self.waiters {
            crate::page::resolve(id);
        }
        self.waiters.clear();
    }

    /// Counts `n` events lost for `reason` (reported later as `telemetry_events_dropped_total`).
    pub fn count_drop(&mut self, reason: Drop, n: usize) {
        if let Some(count) = self.dropped.get_mut(reason.index()) {
            *count += n as u64;
        }
        crate::warn("telemetry events were dropped; see telemetry_events_dropped_total");
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
    /// Bytes of keepalive requests under way (the browser allows 64 KiB in all).
    pub keepalive_bytes: usize,
    /// This page's `localStorage` key for batches kept at exit.
    pub page_key: String,
    /// Page exit and connectivity listeners; removed when the client is dropped.
    _listeners: Option<Hold>,
    /// Takes over and sends what earlier pages kept, once the client is in place.
    kick: Option<Hold>,
    /// Error capture listeners, while `captureErrors` is on.
    error_listeners: Option<Hold>,
    /// Requests under way, waiting for their answer.
    pub requests: Vec<Request>,
    /// How many times the page came back from hidden (`exit::on_return`): the exit passes of
    /// one hide share a count.
    pub hides: u32,
    /// The token of the next request.
    next_token: u32,
    /// Which captured errors are reported, and the counts of the others.
    gate: Gate,
    /// `localStorage.user_id`, as last heard from the JavaScript side.
    user_id: Option<String>,
    /// Page timing observers and listeners, while `observePerformance` is on.
    vitals: Option<observe::Vitals>,
}

static CLIENT: crate::Local<RefCell<Option<Client>>> = crate::Local(RefCell::new(None));

/// Whether the client is in use: a call now would come from inside one of its own calls.
pub fn busy() -> bool {
    CLIENT.0.try_borrow_mut().is_err()
}

/// Runs `f` on the client, creating it with the defaults on first use. `None` when the state
/// is unavailable (already borrowed: a call from inside one of the client's own calls).
pub fn with<R>(f: impl FnOnce(&mut Client) -> R) -> Option<R> {
    let mut guard = CLIENT.0.try_borrow_mut().ok()?;
    let client = guard.get_or_insert_with(Client::new);
    Some(f(client))
}

impl Client {
    fn new() -> Self {
        crate::page::start();
        let mut c = Client {
            metrics: Stream::new(b"{\"metrics\":["),
            logs: Stream::new(b"{\"logs\":["),
            series: SeriesTable::new(MAX_SERIES),
            stamp: Stamp::default(),
            staging: alloc::vec![0.0; STAGING_EVENTS * 3],
            keepalive_bytes: 0,
            page_key: exit::page_key(),
            _listeners: exit::listen(),
            kick: None,
            error_listeners: None,
            requests: Vec::new(),
            hides: 0,
            next_token: wake::REQUESTS,
            gate: Gate::new(),
            user_id: None,
            vitals: None,
            config: Config::default(),
        };
        // The defaults take effect as any configure() does (stamp, timers, error capture, page
        // timings): one path for both, and one copy of it in the module.
        c.configure(Options::new());
        // What earlier pages kept is taken over in a later task: after the calls made before
        // the module loaded (a `configure` with other bounds among them) have been replayed.
        c.kick = Hold::timeout(wake::KICK, 0);
        c
    }

    pub fn stream(&mut self, kind: Kind) -> &mut Stream {
        match kind {
            Kind::Metrics => &mut self.metrics,
            Kind::Logs => &mut self.logs,
        }
    }

    /// [`Client::stream`], to read.
    pub fn stream_ref(&self, kind: Kind) -> &Stream {
        match kind {
            Kind::Metrics => &self.metrics,
            Kind::Logs => &self.logs,
        }
    }

    /// A token for the next request (see [`wake::REQUESTS`]).
    pub fn next_token(&mut self) -> u32 {
        let t = self.next_token;
        self.next_token = t.checked_add(1).unwrap_or(wake::REQUESTS);
        t
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn configure(&mut self, options: Options) {
        self.config.apply(options);
        self.stamp
            .set_service(&self.config.service, &self.config.version);
        self.metrics.update(self.config.metrics(), Kind::Metrics);
        self.logs.update(self.config.logs(), Kind::Logs);
        // A build without error capture or page timings (the slim entry) turns their options
        // back off, and says so once. The features are tested with `cfg!`, a constant, so that
        // such a build leaves their code out.
        let capture_errors = cfg!(feature = "errors") && self.config.capture_errors;
        let observe_performance = cfg!(feature = "timings") && self.config.observe_performance;
        let asked = (self.config.capture_errors, self.config.observe_performance);
        if asked != (capture_errors, observe_performance) {
            crate::warn("captureErrors and observePerformance are not in the slim entry");
        }
        self.config.capture_errors = capture_errors;
        self.config.observe_performance = observe_performance;
        match (capture_errors, self.error_listeners.is_some()) {
            (true, false) => self.error_listeners = errors::listen(),
            (false, true) => self.error_listeners = None,
            _ => {}
        }
        match (observe_performance, self.vitals.is_some()) {
            (true, false) => self.vitals = observe::start(),
            (false, true) => self.vitals = None,
            _ => {}
        }
    }

    pub fn error_gate(&mut self) -> &mut Gate {
        &mut self.gate
    }

    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
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
                if d == Drop::Invalid {
                    crate::warn("a metric value that is not a finite number was dropped");
                }
                self.metrics.count_drop(d, 1);
            }
        }
        self.metrics.queue.pending_len() >= self.metrics.settings.batch_size
    }

    /// Records a metric produced inside the module (timings, captured errors), stamped now.
    /// Returns whether the metrics stream now holds a full batch.
    pub fn record(&mut self, name: &str, value: f64, labels: &[(&str, &str)]) -> bool {
        let now = crate::page::date_now();
        let admitted = self
            .metrics
            .queue
            .push_with(|out| encode_metric(out, name, value, labels, now));
        if let Err(d) = admitted {
            self.metrics.count_drop(d, 1);
        }
        self.metrics.queue.pending_len() >= self.metrics.settings.batch_size
    }

    pub fn set_identity(&mut self, user_id: Option<&str>, session_id: Option<&str>) {
        self.user_id = user_id.map(String::from);
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
            self.logs.count_drop(d, 1);
        }
        self.logs.queue.pending_len() >= self.logs.settings.batch_size
    }

    /// Puts the client's own health into the metrics stream: every non-zero loss and retry
    /// counter becomes one event, and is reset only once that event was admitted (so a count
    /// waits out a full buffer instead of vanishing).
    pub fn report_health(&mut self) {
        for kind in [Kind::Metrics, Kind::Logs] {
            for reason in Drop::ALL {
                let n = self
                    .stream(kind)
                    .dropped
                    .get(reason.index())
                    .copied()
                    .unwrap_or(0);
                if n > 0
                    && self.push_health("telemetry_events_dropped_total", kind, Some(reason), n)
                {
                    if let Some(count) = self.stream(kind).dropped.get_mut(reason.index()) {
                        *count -= n;
                    }
                }
            }
            let n = self.stream(kind).retries;
            if n > 0 && self.push_health("telemetry_retries_total", kind, None, n) {
                self.stream(kind).retries -= n;
            }
        }
        if cfg!(feature = "errors") {
            self.report_error_counts();
        }
    }

    /// Errors counted but not reported one by one (repeats, rate-limited) become
    /// `frontend_errors_total` events with their summed value; a count is taken only once its
    /// event was admitted.
    fn report_error_counts(&mut self) {
        let user = self.user_id.as_deref().unwrap_or("anonymous");
        let now = crate::page::date_now();
        let queue = &mut self.metrics.queue;
        self.gate.report_counts(|error_type, component, n| {
            let labels = [
                ("error_type", error_type),
                ("component", component),
                ("user_id", user),
            ];
            queue
                .push_with(|out| {
                    encode_metric(out, "frontend_errors_total", n as f64, &labels, now)
                })
                .is_ok()
        });
    }

    /// One health event; a report that does not fit is not itself a loss to count (the
    /// counter simply stays).
    fn push_health(&mut self, name: &str, kind: Kind, reason: Option<Drop>, n: u64) -> bool {
        let stream = ("stream", kind.name());
        let labels: &[(&str, &str)] = match reason {
            Some(r) => &[stream, ("reason", r.reason())],
            None => &[stream],
        };
        let now = crate::page::date_now();
        self.metrics
            .queue
            .push_with(|out| encode_metric(out, name, n as f64, labels, now))
            .is_ok()
    }

    /// Counts of what the client holds, for tests and the benchmark:
    /// `[metrics events, metrics bytes, logs events, logs bytes]`.
    pub fn held(&self) -> [f64; 4] {
        [
            self.metrics.queue.len() as f64,
            self.metrics.queue.bytes() as f64,
            self.logs.queue.len() as f64,
            self.logs.queue.bytes() as f64,
        ]
    }
}

/// Appends `{"name":…,"value":…,"labels":{…},"timestamp":…}` (labels left out when there are
/// none, as the seed does). `false`, writing nothing, for a value JSON cannot carry.
fn encode_metric(
    out: &mut Vec<u8>,
    name: &str,
    value: f64,
    labels: &[(&str, &str)],
    now: f64,
) -> bool {
    if !value.is_finite() {
        return false;
    }
    out.extend_from_slice(b"{\"name\":");
    json::write_str(out, name);
    out.extend_from_slice(b",\"value\":");
    json::write_f64(out, value, crate::engine_number);
    if !labels.is_empty() {
        out.extend_from_slice(b",\"labels\":{");
        for (i, (k, v)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::write_str(out, k);
            out.push(b':');
            json::write_str(out, v);
        }
        out.push(b'}');
    }
    out.extend_from_slice(b",\"timestamp\":");
    json::write_f64(out, now, crate::engine_number);
    out.push(b'}');
    true
}

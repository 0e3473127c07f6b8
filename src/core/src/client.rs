//! The client as one state machine, in the manner of str0m: the browser layer hands it
//! [`Input`]s with the time they happened ([`Client::handle_input`]), drains the
//! [`Output`]s it asks for ([`Client::poll_output`]: requests, beacons, storage writes,
//! warnings, finished flushes), and wakes it at [`Client::poll_timeout`]. It never reads a
//! clock, never waits, and never touches the page, so native tests drive it through hours of
//! outages in microseconds.
//!
//! Two clocks: `now`, given with every input, is the scheduling clock (monotonic in the
//! browser: `performance.now()`, which neither a page that fakes `Date.now` nor a wall clock
//! set back can stall); the timestamps of events the client makes itself (its own health) are
//! wall-clock epoch ms, `now` plus an offset that the timestamps of the
//! page's own events keep up to date ([`Client::set_wall_offset`] sets the first).
//!
//! This file holds the state and the dispatch; each concern is in the file named after it:
//! what the streams hold (`stream.rs`, `batch.rs`), when and how batches go and what an
//! answer does (`delivery.rs`), page exit and reload (`exit.rs`). Captured errors and page
//! timings come in as the page's own metrics and log entries do: they are the lazily loaded
//! second module's (`capture.rs`, `vitals/`, and `src/watch/` in the repository).
//!
//! ```
//! use recoloca_telemetry_core::client::{Client, Input, Output, Platform};
//! use recoloca_telemetry_core::config::{Options, Value};
//!
//! let mut c = Client::new(Platform::native(), [7; 32], true, 0.0);
//! c.handle_input(0.0, Input::Configure(vec![(1, Value::Number(1.0))])); // batchSize: 1
//! let id = c.add_series("page_views_total", None);
//! c.handle_input(5.0, Input::Metrics(&[f64::from(id), 1.0, 5.0]));
//! let body = match c.poll_output() {
//!     Some(Output::Post(p)) => p.body,
//!     _ => Vec::new(),
//! };
//! assert_eq!(
//!     body,
//!     br#"{"metrics":[{"name":"page_views_total","value":1,"timestamp":5}]}"#
//! );
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::batch::Drop;
use crate::config::{Config, Options};
use crate::json::NumberFallback;
use crate::log::{self, Entry, Stamp};
use crate::metric::{self, SeriesTable};
use crate::random::Random;
use crate::stream::{Counters, Kind, Stream};

/// Most series remembered before the table starts over.
const MAX_SERIES: usize = 2048;

/// A request of the client's, named in its answer.
pub type RequestId = u32;

/// The two functions of the JavaScript engine the client uses for what it cannot do as well
/// in a few bytes: printing the rare number whose shortest form it does not find itself, and
/// reading an HTTP-date. Both pure; neither is I/O.
#[derive(Clone, Copy)]
pub struct Platform {
    pub number: NumberFallback,
    /// Epoch ms of an HTTP-date, NaN when it cannot read it (the engine's `Date.parse`).
    pub parse_date: fn(&str) -> f64,
}

#[cfg(not(target_arch = "wasm32"))]
impl Platform {
    /// For native code and tests: Rust's number printing, and no dates.
    pub fn native() -> Platform {
        Platform {
            number: crate::json::format_natively,
            parse_date: |_| f64::NAN,
        }
    }
}

/// What happened, as the browser layer tells it. Every input comes with `now` (ms on the
/// scheduling clock).
#[derive(Debug)]
pub enum Input<'a> {
    /// `configure()`: the options it named.
    Configure(Options),
    /// Metric events staged by the JavaScript side: `(series, value, epoch ms)` triples.
    Metrics(&'a [f64]),
    /// One `logger.*` call.
    Log(Entry<'a>),
    /// A log entry the JavaScript side found too large to even encode.
    LogTooLarge,
    /// The user and session later log entries carry.
    Identity {
        user_id: Option<&'a str>,
        session_id: Option<&'a str>,
    },
    /// `flush()`: [`Output::Flushed`] with this id says when it is done.
    Flush(u32),
    /// The time [`Client::poll_timeout`] asked for has come (or passed).
    Timeout,
    /// The answer to a request: its HTTP status (`None`: no answer, a network error) and its
    /// `Retry-After` header.
    Answer {
        request: RequestId,
        status: Option<u16>,
        retry_after: Option<&'a str>,
    },
    /// A 2xx answer to a request of OTLP stream `stream` said (`partialSuccess`) that the
    /// collector refused `count` of the batch's data points or log records: counted as dropped
    /// (`rejected`), whenever it comes.
    #[cfg(feature = "otlp")]
    Rejected { stream: Kind, count: u64 },
    /// A request of the page measured since [`Client::request_start`] ended with HTTP `status`
    /// (0: no answer) (`requests.rs`).
    #[cfg(feature = "traces")]
    RequestEnd { id: u32, status: u16 },
    /// The page has loaded: its URL, and the navigation timing's phases (name, epoch ms).
    #[cfg(feature = "traces")]
    DocumentLoad {
        url: &'a str,
        phases: &'a [(&'a str, f64)],
    },
    /// Whether the browser queued a beacon ([`Output::Beacon`]) or refused it.
    Beaconed { request: RequestId, accepted: bool },
    /// The page is hidden (`last: false`) or unloading for good (`last: true`).
    /// `stored_elsewhere`: bytes other pages of the origin keep in storage now.
    Hide { last: bool, stored_elsewhere: usize },
    /// The page is visible again, or restored from the back/forward cache.
    Show,
    /// Another page of the origin took the copy this page keeps in storage (a `storage` event:
    /// this page's key removed by another document), `text` being the copy as that page read
    /// it. That page sends the batches in it and reports the counts in it, so this one does
    /// neither; what the copy did not hold stays this page's.
    CopyTaken { text: &'a str },
    /// Another document cleared the origin's storage (a `storage` event naming no key): the
    /// copy this page keeps is gone, though nobody took it.
    StorageCleared,
    /// Connectivity changed (`navigator.onLine`).
    Online(bool),
    /// What earlier pages kept in storage (key, text), read once at start.
    Stored(Vec<(String, String)>),
}

/// One request to make.
#[derive(Clone, Debug, PartialEq)]
pub struct Post {
    pub request: RequestId,
    pub url: String,
    /// The exact bytes, `application/json`.
    pub body: Vec<u8>,
    /// The `Idempotency-Key` header.
    pub key: String,
    /// Outlives the page (made at page exit).
    pub keepalive: bool,
    /// The stream it carries a batch of. An OTLP stream's request carries `otlpHeaders`, and
    /// its answer's `partialSuccess` is read ([`Input::Rejected`]).
    #[cfg(feature = "otlp")]
    pub stream: Kind,
}

/// What the client asks of the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// POST a batch; answer with [`Input::Answer`].
    Post(Post),
    /// Give up request `id` (it timed out): abort it; any answer it still gets is ignored.
    Abort(RequestId),
    /// `navigator.sendBeacon(url, body)`; say how it went with [`Input::Beaconed`].
    Beacon {
        request: RequestId,
        url: String,
        body: Vec<u8>,
    },
    /// `localStorage.setItem(key, text)` (UTF-8).
    Store { key: String, text: Vec<u8> },
    /// `localStorage.removeItem(key)`.
    Unstore { key: String },
    /// Read every batch earlier pages stored, and hand them over as [`Input::Stored`] (they
    /// were left untouched while consent was pending: `consent.rs`).
    ReadStored,
    /// The `flush()` with this id is done.
    Flushed(u32),
    /// Say this once on the console.
    Warn(Warning),
}

/// The client's own warnings, each said once per page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warning {
    Dropped,
    NotANumber,
}

impl Warning {
    pub fn text(self) -> &'static str {
        match self {
            Warning::Dropped => "telemetry events were dropped; see telemetry_events_dropped_total",
            Warning::NotANumber => "a metric value that is not a finite number was dropped",
        }
    }
}

/// A request under way.
#[derive(Debug)]
pub(crate) struct Request {
    pub id: RequestId,
    pub kind: Kind,
    /// The idempotency key of the batch it carries.
    pub key: String,
    /// An ordinary request is given up at this time (epoch ms); a keepalive one never.
    pub deadline: f64,
    /// Set for a keepalive request (made at page exit).
    pub keepalive: Option<Keepalive>,
}

/// What page exit keeps of a keepalive request.
#[derive(Debug)]
pub(crate) struct Keepalive {
    /// The body's length (keepalive requests share the browser's budget).
    pub len: usize,
    /// The hide it was made in (see `Client::hides`).
    pub hide: u32,
}

pub struct Client {
    pub(crate) config: Config,
    pub(crate) metrics: Stream,
    pub(crate) logs: Stream,
    #[cfg(feature = "otlp")]
    pub(crate) otlp_metrics: Stream,
    #[cfg(feature = "otlp")]
    pub(crate) otlp_logs: Stream,
    #[cfg(feature = "traces")]
    pub(crate) otlp_traces: Stream,
    /// The page's requests being measured (`requests.rs`).
    #[cfg(feature = "traces")]
    pub(crate) measured: Measured,
    /// What the OTLP streams need of the client (`otlp_streams.rs`).
    #[cfg(feature = "otlp")]
    pub(crate) otlp: OtlpState,
    series: SeriesTable,
    pub(crate) stamp: Stamp,
    pub(crate) random: Random,
    pub(crate) platform: Platform,
    pub(crate) online: bool,
    pub(crate) requests: Vec<Request>,
    next_request: RequestId,
    /// Bytes of keepalive requests under way (the browser allows 64 KiB in all).
    pub(crate) keepalive_bytes: usize,
    /// How many times the page came back from hidden: the exit passes of one hide share it.
    pub(crate) hides: u32,
    /// This page's storage key for batches kept at exit.
    pub(crate) page_key: String,
    /// `flush()` calls under way: id, and streams still to go quiet.
    flushes: Vec<(u32, u8)>,
    pub(crate) exit: Exit,
    /// Outputs not yet polled, oldest first (a handful at most, so a `Vec`: the module's
    /// code for a `VecDeque` of outputs would cost more than moving two or three of them).
    outputs: Vec<Output>,
    /// Warnings said, by bit.
    warned: u8,
    /// Consent and session sampling (`consent.rs`).
    pub(crate) gates: crate::consent::Gates,
    /// Wall-clock epoch ms less the scheduling clock.
    wall_offset: f64,
}

/// The state of the latest hide (see `exit.rs`).
#[derive(Debug, Default)]
pub(crate) struct Exit {
    /// Whether the page is hidden (from a hide until it is shown again).
    pub(crate) hidden: bool,
    /// Whether the page is unloading for good.
    pub(crate) last: bool,
    /// Batches (stream, key) that stay behind, in storage.
    pub(crate) kept: Vec<(Kind, String)>,
    /// Beacons awaiting the browser's word ([`Input::Beaconed`]).
    pub(crate) beacons: Vec<(RequestId, Kind, String)>,
    /// What other pages keep, as of the hide.
    pub(crate) stored_elsewhere: usize,
    /// Counts (metrics, logs) handed to the stored copy: the streams no longer hold them. They
    /// come back when the page is shown again (the copy is withdrawn) or hidden again (the
    /// copy is written anew); otherwise the next page reads them from the copy.
    pub(crate) handed: [Counters; Kind::COUNT],
}

#[cfg(feature = "otlp")]
/// What the client keeps for its OTLP streams (see `otlp_streams.rs`).
#[derive(Debug)]
pub(crate) struct OtlpState {
    /// `navigator.userAgent`: the resource's `user_agent.original`.
    pub(crate) user_agent: Option<String>,
    /// The end of the OTLP metrics stream's latest span (epoch ms), or where the first starts:
    /// the client's creation (on the scheduling clock until the first span makes it epoch ms).
    pub(crate) since: Option<f64>,
    pub(crate) created: f64,
    /// Whether `configure()` was called: from then on, a stream without an endpoint is off.
    pub(crate) configured: bool,
}

#[cfg(feature = "otlp")]
impl OtlpState {
    pub(crate) fn new(now: f64) -> OtlpState {
        OtlpState {
            user_agent: None,
            since: None,
            created: now,
            configured: false,
        }
    }
}

/// One of the page's requests being measured (see `requests.rs`).
#[cfg(feature = "traces")]
#[derive(Debug)]
pub(crate) struct MeasuredRequest {
    pub(crate) id: u32,
    pub(crate) method: String,
    /// The URL without its query and fragment (`url.full`).
    pub(crate) url: String,
    /// Its route template (the `endpoint` label).
    pub(crate) endpoint: String,
    /// `server.address`: the URL's host.
    pub(crate) server: String,
    /// `server.port`: the URL's port, or its scheme's (0: unknown, not reported).
    pub(crate) port: u16,
    pub(crate) context: crate::trace::Context,
    /// When it started, on the scheduling clock.
    pub(crate) start: f64,
}

/// The page's requests being measured, and what its tracing settles on (see `requests.rs`).
#[cfg(feature = "traces")]
#[derive(Debug, Default)]
pub(crate) struct Measured {
    pub(crate) under_way: Vec<MeasuredRequest>,
    pub(crate) next_id: u32,
    /// `propagateTraceHeaderCorsUrls`' strings: prefixes of URLs that may get a `traceparent`.
    pub(crate) prefixes: Vec<String>,
    /// The trace log entries name: the document load's.
    pub(crate) current: Option<crate::trace::TraceId>,
}

impl Client {
    /// A client with the seed's defaults at `now`. `seed` feeds its idempotency keys and retry
    /// jitter (from `crypto.getRandomValues` in the browser); `online` is connectivity now.
    pub fn new(platform: Platform, seed: [u8; 32], online: bool, now: f64) -> Self {
        let config = Config::default();
        let mut random = Random::new(seed);
        let page_key = crate::persist::page_key(&mut random);
        let mut c = Client {
            metrics: Stream::new(b"{\"metrics\":[", config.metrics(), now),
            logs: Stream::new(b"{\"logs\":[", config.logs(), now),
            // The OTLP streams keep their events in the client's own form (`otlp.rs`).
            #[cfg(feature = "otlp")]
            otlp_metrics: Stream::new(b"{\"m\":[", config.otlp_metrics(), now),
            #[cfg(feature = "otlp")]
            otlp_logs: Stream::new(b"{\"l\":[", config.otlp_logs(), now),
            #[cfg(feature = "traces")]
            otlp_traces: Stream::new(b"{\"t\":[", config.otlp_traces(), now),
            #[cfg(feature = "traces")]
            measured: Default::default(),
            #[cfg(feature = "otlp")]
            otlp: OtlpState::new(now),
            config,
            series: SeriesTable::new(MAX_SERIES),
            stamp: Stamp::default(),
            random,
            platform,
            online,
            requests: Vec::new(),
            next_request: 1,
            keepalive_bytes: 0,
            hides: 0,
            page_key,
            flushes: Vec::new(),
            exit: Default::default(),
            outputs: Vec::new(),
            warned: 0,
            gates: crate::consent::Gates::new(),
            wall_offset: 0.0,
        };
        c.stamp.set_service(&c.config.service, &c.config.version);
        c
    }

    /// Sets the wall clock: epoch ms at `now` = 0 on the scheduling clock (in the browser,
    /// `performance.timeOrigin`). Until then (natively) the two clocks are one.
    pub fn set_wall_offset(&mut self, offset: f64) {
        if offset.is_finite() {
            self.wall_offset = offset;
        }
    }

    /// Epoch ms at `now`, whole as `Date.now()` gives them.
    pub(crate) fn wall(&self, now: f64) -> f64 {
        crate::float::floor(now + self.wall_offset)
    }

    /// Takes one input at `now`.
    pub fn handle_input(&mut self, now: f64, input: Input) {
        // Without consent, or outside the sample, nothing is recorded (`consent.rs`).
        let records = matches!(
            input,
            Input::Metrics(_) | Input::Log(_) | Input::LogTooLarge
        );
        #[cfg(feature = "traces")]
        let records =
            records || matches!(input, Input::RequestEnd { .. } | Input::DocumentLoad { .. });
        if records && !self.records() {
            return;
        }
        match input {
            Input::Configure(o) => {
                let was_out = !self.lets_out();
                self.configure(o, now);
                self.gates_changed(was_out, now);
            }
            Input::Metrics(staged) => {
                // The page's own timestamps keep the wall clock current.
                if let Some(&ts) = staged.chunks_exact(3).filter_map(|e| e.get(2)).next_back() {
                    self.set_wall_offset(ts - now);
                }
                if self.ingest(staged) {
                    self.on_full_batch(Kind::Metrics, now);
                }
                #[cfg(feature = "otlp")]
                if self.otlp_metrics.is_full() {
                    self.on_full_batch(Kind::OtlpMetrics, now);
                }
            }
            Input::Log(entry) => {
                self.set_wall_offset(entry.epoch_ms - now);
                if self.log(&entry) {
                    self.on_full_batch(Kind::Logs, now);
                }
                #[cfg(feature = "otlp")]
                if self.otlp_log(&entry) {
                    self.on_full_batch(Kind::OtlpLogs, now);
                }
            }
            Input::LogTooLarge => {
                #[cfg(feature = "otlp")]
                if !self.logs.is_on() {
                    return self.count_drop(Kind::OtlpLogs, Drop::TooLarge, 1);
                }
                self.count_drop(Kind::Logs, Drop::TooLarge, 1)
            }
            Input::Identity {
                user_id,
                session_id,
            } => {
                let was_out = !self.lets_out();
                self.stamp.set_identity(user_id, session_id);
                // Another session may be outside the sample.
                self.set_gates();
                self.gates_changed(was_out, now);
            }
            Input::Flush(id) => self.flush(id, now),
            Input::Timeout => self.on_timeout(now),
            Input::Answer {
                request,
                status,
                retry_after,
            } => self.answered(request, status, retry_after, now),
            Input::Beaconed { request, accepted } => self.beaconed(request, accepted),
            #[cfg(feature = "traces")]
            Input::RequestEnd { id, status } => self.request_end(now, id, status),
            #[cfg(feature = "traces")]
            Input::DocumentLoad { url, phases } => self.document_load(now, url, phases),
            #[cfg(feature = "otlp")]
            Input::Rejected { stream, count } => {
                if let Some(kind) = Some(stream).filter(|k| k.is_otlp()) {
                    self.count_drop(kind, Drop::Rejected, count as usize);
                }
            }
            Input::Hide {
                last,
                stored_elsewhere,
            } => self.on_hide(last, stored_elsewhere, now),
            Input::Show => self.on_show(),
            Input::CopyTaken { text } => self.on_copy_taken(text),
            Input::StorageCleared => self.on_storage_cleared(),
            Input::Online(online) => self.on_online(online, now),
            Input::Stored(entries) => self.stored(entries, now),
        }
    }

    /// The next thing to do, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        (!self.outputs.is_empty()).then(|| self.outputs.remove(0))
    }

    /// When to wake the client with [`Input::Timeout`] (epoch ms): the next flush interval,
    /// end of a backoff, or request deadline.
    pub fn poll_timeout(&self) -> f64 {
        let mut at = f64::INFINITY;
        for kind in Kind::ALL {
            let s = self.stream_ref(kind);
            at = at.min(s.next_flush);
            if s.retry_at > 0.0 {
                at = at.min(s.retry_at);
            }
        }
        for r in &self.requests {
            at = at.min(r.deadline);
        }
        at
    }

    pub(crate) fn emit(&mut self, o: Output) {
        self.outputs.push(o);
    }

    pub(crate) fn warn(&mut self, w: Warning) {
        let bit = 1 << (w as u8);
        if self.warned & bit == 0 {
            self.warned |= bit;
            self.emit(Output::Warn(w));
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn stream(&mut self, kind: Kind) -> &mut Stream {
        match kind {
            Kind::Metrics => &mut self.metrics,
            Kind::Logs => &mut self.logs,
            #[cfg(feature = "otlp")]
            Kind::OtlpMetrics => &mut self.otlp_metrics,
            #[cfg(feature = "otlp")]
            Kind::OtlpLogs => &mut self.otlp_logs,
            #[cfg(feature = "traces")]
            Kind::OtlpTraces => &mut self.otlp_traces,
        }
    }

    pub(crate) fn stream_ref(&self, kind: Kind) -> &Stream {
        match kind {
            Kind::Metrics => &self.metrics,
            Kind::Logs => &self.logs,
            #[cfg(feature = "otlp")]
            Kind::OtlpMetrics => &self.otlp_metrics,
            #[cfg(feature = "otlp")]
            Kind::OtlpLogs => &self.otlp_logs,
            #[cfg(feature = "traces")]
            Kind::OtlpTraces => &self.otlp_traces,
        }
    }

    pub(crate) fn next_request(&mut self) -> RequestId {
        let id = self.next_request;
        self.next_request = id.wrapping_add(1).max(1);
        id
    }

    /// Counts `n` events of `kind` lost for `reason`, and says so once.
    pub(crate) fn count_drop(&mut self, kind: Kind, reason: Drop, n: usize) {
        self.stream(kind).count_drop(reason, n);
        self.warn(Warning::Dropped);
    }

    fn configure(&mut self, options: Options, now: f64) {
        self.config.apply(options);
        self.set_gates();
        self.stamp
            .set_service(&self.config.service, &self.config.version);
        let (m, l) = (self.config.metrics(), self.config.logs());
        self.metrics.update(m, now);
        self.logs.update(l, now);
        #[cfg(feature = "otlp")]
        {
            let (m, l) = (self.config.otlp_metrics(), self.config.otlp_logs());
            self.otlp_metrics.update(m, now);
            self.otlp_logs.update(l, now);
            #[cfg(feature = "traces")]
            {
                let t = self.config.otlp_traces();
                self.otlp_traces.update(t, now);
            }
            self.configured_otlp(now);
        }
    }

    /// The metrics stream that carries the client's own health: the seed's, or the OTLP one
    /// when the seed's is off.
    pub(crate) fn health_stream(&self) -> Kind {
        #[cfg(feature = "otlp")]
        if !self.metrics.is_on() {
            return Kind::OtlpMetrics;
        }
        Kind::Metrics
    }

    /// Names a series (metric name and labels JSON) and returns its id; see
    /// [`crate::metric::RESET_FLAG`].
    pub fn add_series(&mut self, name: &str, labels_json: Option<&str>) -> u32 {
        self.series.add(name, labels_json)
    }

    /// [`Client::add_series`] with the labels also as values, for the OTLP attributes.
    #[cfg(feature = "otlp")]
    pub fn add_series_with(
        &mut self,
        name: &str,
        labels_json: Option<&str>,
        labels: &[(String, crate::otlp::Value)],
    ) -> u32 {
        let id = self.series.add(name, labels_json);
        self.series.set_attributes(id, labels, self.platform.number);
        id
    }

    /// Encodes staged events into the metrics stream. Whether it now holds a full batch.
    fn ingest(&mut self, staged: &[f64]) -> bool {
        for event in staged.chunks_exact(3) {
            let &[id, value, ts] = event else { continue };
            self.push_staged(Kind::Metrics, id as u32, value, ts);
            #[cfg(feature = "otlp")]
            if self.takes(Kind::OtlpMetrics) {
                self.push_staged(Kind::OtlpMetrics, id as u32, value, ts);
            }
        }
        self.metrics.is_full()
    }

    /// One staged event of series `id` into metrics stream `kind` (the seed's, or OTLP's),
    /// counted when it is refused (a value that is not a number also said once).
    fn push_staged(&mut self, kind: Kind, id: u32, value: f64, ts: f64) {
        let (series, number) = (&self.series, self.platform.number);
        let admitted = match kind {
            #[cfg(feature = "otlp")]
            Kind::OtlpMetrics => self
                .otlp_metrics
                .queue
                .push_with(|out| series.encode_otlp(out, id, value, ts, number)),
            _ if !self.metrics.is_on() => Ok(()),
            _ => self
                .metrics
                .queue
                .push_with(|out| series.encode(out, id, value, ts, number)),
        };
        if let Err(d) = admitted {
            if d == Drop::Invalid {
                self.warn(Warning::NotANumber);
            }
            self.count_drop(kind, d, 1);
        }
    }

    /// Encodes one log entry. Whether the logs stream now holds a full batch.
    pub(crate) fn log(&mut self, entry: &Entry) -> bool {
        if !self.logs.is_on() {
            return false;
        }
        let (stamp, number) = (&self.stamp, self.platform.number);
        let admitted = self
            .logs
            .queue
            .push_with(|out| log::encode(out, entry, stamp, number));
        if let Err(d) = admitted {
            self.count_drop(Kind::Logs, d, 1);
        }
        self.logs.is_full()
    }

    /// Puts the client's own health into the metrics stream: every non-zero loss and retry
    /// counter becomes one event, reset only once that event was admitted (so a count waits
    /// out a full buffer instead of vanishing; one still waiting at page exit goes to storage
    /// with the kept batches, for the next page to report: see `exit.rs`).
    pub(crate) fn report_health(&mut self, now: f64) {
        for kind in Kind::ALL {
            for reason in Drop::ALL {
                let slot = reason.index();
                let n = self
                    .stream_ref(kind)
                    .counts
                    .dropped
                    .get(slot)
                    .copied()
                    .unwrap_or(0);
                if n > 0
                    && self.push_health(
                        "telemetry_events_dropped_total",
                        kind,
                        Some(reason),
                        n,
                        now,
                    )
                {
                    if let Some(count) = self.stream(kind).counts.dropped.get_mut(slot) {
                        *count -= n;
                    }
                }
            }
            let n = self.stream_ref(kind).counts.retries;
            if n > 0 && self.push_health("telemetry_retries_total", kind, None, n, now) {
                self.stream(kind).counts.retries -= n;
            }
        }
    }

    /// One health event; a report that does not fit is not itself a loss to count (the
    /// counter simply stays).
    fn push_health(
        &mut self,
        name: &str,
        kind: Kind,
        reason: Option<Drop>,
        n: u64,
        now: f64,
    ) -> bool {
        // `{"stream":…,"reason":…}`, put together here: both values are the client's own names
        // (ASCII, nothing to escape), and written as text the records share one serializer
        // with the page's own labels.
        let mut labels = String::from(r#"{"stream":""#);
        labels.push_str(kind.name());
        if let Some(r) = reason {
            labels.push_str(r#"","reason":""#);
            labels.push_str(r.reason());
        }
        labels.push_str(r#""}"#);
        let (number, wall) = (self.platform.number, self.wall(now));
        #[cfg(feature = "otlp")]
        if self.health_stream() == Kind::OtlpMetrics {
            if !self.takes(Kind::OtlpMetrics) {
                return false; // no metrics stream at all: the counts wait
            }
            // The same labels as OTLP attributes, put together as the text they are too.
            let mut attrs = String::from(r#"[{"key":"stream","value":{"stringValue":""#);
            attrs.push_str(kind.name());
            if let Some(r) = reason {
                attrs.push_str(r#""}},{"key":"reason","value":{"stringValue":""#);
                attrs.push_str(r.reason());
            }
            attrs.push_str(r#""}}]"#);
            let attrs = attrs.as_bytes();
            return self
                .otlp_metrics
                .queue
                .push_with(|out| {
                    crate::otlp::encode_metric(out, name, attrs, n as f64, wall, number)
                })
                .is_ok();
        }
        self.metrics
            .queue
            .push_with(|out| metric::encode_own(out, name, n as f64, &labels, wall, number))
            .is_ok()
    }

    /// `flush()` number `id`: seals both streams now; done once each has sent it all, or
    /// stopped at a failure to retry later.
    fn flush(&mut self, id: u32, now: f64) {
        self.flushes.push((id, Kind::COUNT as u8));
        for kind in Kind::ALL {
            self.seal(kind, now);
            self.stream(kind).waiters.push(id);
            self.pump(kind, now);
        }
    }

    /// Tells every `flush()` waiting on this stream that it is quiet.
    pub(crate) fn release_waiters(&mut self, kind: Kind) {
        let ids = core::mem::take(&mut self.stream(kind).waiters);
        for id in ids {
            let Some(i) = self.flushes.iter().position(|f| f.0 == id) else {
                continue;
            };
            let done = self.flushes.get_mut(i).is_some_and(|f| {
                f.1 -= 1;
                f.1 == 0
            });
            if done {
                self.flushes.swap_remove(i);
                self.emit(Output::Flushed(id));
            }
        }
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

    /// This page's storage key, and the prefix every page's key has: the browser layer sums
    /// what *other* pages keep before a hide.
    pub fn page_key(&self) -> &str {
        &self.page_key
    }

    /// Requests under way (for tests: bounded).
    pub fn requests_under_way(&self) -> usize {
        self.requests.len()
    }

    /// `flush()` calls not yet done (for tests: bounded).
    pub fn flushes_waiting(&self) -> usize {
        self.flushes.len()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "client_tests.rs"]
mod tests;

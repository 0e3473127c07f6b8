//! The options `configure()` accepts, their defaults (the seed's), and the clamping that keeps
//! a bad value from breaking delivery.

use alloc::string::String;
use alloc::vec::Vec;

use crate::batch::Limits;

/// The settings in force. Starts as the seed's defaults; `configure()` changes only the options
/// it names.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub metrics_endpoint: String,
    pub batch_size: f64,
    pub flush_interval_ms: f64,
    pub logs_endpoint: String,
    pub log_batch_size: f64,
    pub log_flush_interval_ms: f64,
    pub service: String,
    pub version: String,
    /// `'development'` echoes each log entry to the console, as the seed does.
    pub environment: String,
    pub retry_initial_ms: f64,
    pub retry_max_ms: f64,
    pub max_buffered_events: f64,
    pub max_buffered_bytes: f64,
    pub max_request_bytes: f64,
    pub request_timeout_ms: f64,
    pub retry_max_attempts: f64,
    pub max_persisted_bytes: f64,
    /// Capture uncaught errors, unhandled rejections and failed resource loads.
    pub capture_errors: bool,
    /// Observe page timings (web vitals, navigation timing) and report them at page hide.
    pub observe_performance: bool,
    /// `'granted'`, `'pending'` or `'not-granted'` (`consent.rs`; index.js checks the text).
    pub tracking_consent: String,
    /// The share of sessions that send anything, in percent (`consent.rs`).
    pub session_sample_rate: f64,
    /// The OpenTelemetry Collector's base URL (`otlpEndpoint`): metric and log batches are
    /// also sent, as OTLP/HTTP JSON, to its `/v1/metrics` and `/v1/logs`. Empty: none.
    #[cfg(feature = "otlp")]
    pub otlp_endpoint: String,
    /// One signal's own OTLP URL, whole (`otlpMetricsEndpoint`, `otlpLogsEndpoint`,
    /// `otlpTracesEndpoint`, as OpenTelemetry's `OTEL_EXPORTER_OTLP_{SIGNAL}_ENDPOINT`):
    /// `None` when not given (`otlpEndpoint` and the signal's path), empty for "not exported".
    #[cfg(feature = "otlp")]
    pub otlp_metrics_endpoint: Option<String>,
    #[cfg(feature = "otlp")]
    pub otlp_logs_endpoint: Option<String>,
    #[cfg(feature = "traces")]
    pub otlp_traces_endpoint: Option<String>,
    /// Measure the page's own `fetch` and `XMLHttpRequest` calls (`requests.rs`).
    #[cfg(feature = "traces")]
    pub instrument_requests: bool,
    /// The share of traces whose spans are recorded (`traceSampleRate`, 0 to 1).
    #[cfg(feature = "traces")]
    pub trace_sample_rate: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            metrics_endpoint: "/api/metrics".into(),
            // Not given (NaN): each stream takes its own, the seed's 10 and 50 (see
            // [`Config::metrics`] and [`Config::logs`]), or OTLP's [`OTLP_BATCH_SIZE`].
            batch_size: f64::NAN,
            flush_interval_ms: 30_000.0,
            logs_endpoint: "/api/logs".into(),
            log_batch_size: f64::NAN,
            log_flush_interval_ms: 10_000.0,
            service: "recoloca-frontend".into(),
            version: "1.0.0".into(),
            environment: "production".into(),
            retry_initial_ms: 1_000.0,
            retry_max_ms: 60_000.0,
            max_buffered_events: 1000.0,
            max_buffered_bytes: 1_048_576.0,
            max_request_bytes: 60_000.0,
            request_timeout_ms: 10_000.0,
            retry_max_attempts: 10.0,
            max_persisted_bytes: 262_144.0,
            // Both carried out by the second module (`src/watch/`), which the main entry loads
            // when either is on; the slim entry has none, and says so when they are asked for.
            capture_errors: true,
            observe_performance: true,
            tracking_consent: String::new(), // (as `'granted'`)
            session_sample_rate: 100.0,
            #[cfg(feature = "otlp")]
            otlp_endpoint: String::new(),
            #[cfg(feature = "otlp")]
            otlp_metrics_endpoint: None,
            #[cfg(feature = "otlp")]
            otlp_logs_endpoint: None,
            #[cfg(feature = "traces")]
            otlp_traces_endpoint: None,
            // Off by default: an app that calls `trackApiCall` itself would count each call twice.
            #[cfg(feature = "traces")]
            instrument_requests: false,
            #[cfg(feature = "traces")]
            trace_sample_rate: 1.0,
        }
    }
}

/// The options of every entry, NUL-separated.
macro_rules! names {
    () => {
        "metricsEndpoint\0batchSize\0flushIntervalMs\0logsEndpoint\0logBatchSize\0\
        logFlushIntervalMs\0service\0version\0environment\0retryInitialMs\0retryMaxMs\0\
        maxBufferedEvents\0maxBufferedBytes\0maxRequestBytes\0requestTimeoutMs\0retryMaxAttempts\0\
        maxPersistedBytes\0captureErrors\0observePerformance\0trackingConsent\0sessionSampleRate"
    };
}

/// The options `configure()` reads, in the order of [`Config::slot`], NUL-separated (as
/// page.js takes them).
#[cfg(not(feature = "otlp"))]
pub const NAMES: &str = names!();
#[cfg(all(feature = "otlp", not(feature = "traces")))]
pub const NAMES: &str = concat!(
    names!(),
    "\0otlpEndpoint\0otlpMetricsEndpoint\0otlpLogsEndpoint"
);
#[cfg(feature = "traces")]
pub const NAMES: &str = concat!(
    names!(),
    "\0otlpEndpoint\0otlpMetricsEndpoint\0otlpLogsEndpoint\0instrumentRequests\0\
    traceSampleRate\0otlpTracesEndpoint"
);
/// Each option's type, by its place in [`NAMES`]: `s` string, `n` number, `b` boolean.
#[cfg(not(feature = "otlp"))]
pub const TYPES: &str = "snnsnnsssnnnnnnnnbbsn";
#[cfg(all(feature = "otlp", not(feature = "traces")))]
pub const TYPES: &str = "snnsnnsssnnnnnnnnbbsnsss";
#[cfg(feature = "traces")]
pub const TYPES: &str = "snnsnnsssnnnnnnnnbbsnsssbns";

// One type per name, checked when the crate compiles.
const _: () = assert!(count(NAMES.as_bytes(), 0) + 1 == TYPES.len());

const fn count(bytes: &[u8], b: u8) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The place of option `name` in [`NAMES`].
#[cfg(test)]
pub fn index_of(name: &str) -> Option<usize> {
    crate::text::split(NAMES, 0).position(|n| n == name)
}

/// What one `configure()` call names: each option by its place in [`NAMES`]
/// (JavaScript spells them in camelCase, e.g. `batchSize`), with its value. Unknown keys are
/// not read; `null` and `undefined` mean "leave as it is" and are not listed.
pub type Options = Vec<(usize, Value)>;

/// A value given for an option: a string option's text, or a number (a boolean as 0 or 1).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
}

/// The field that holds an option.
pub enum Slot<'a> {
    Text(&'a mut String),
    /// A text option whose absence means something of its own.
    #[cfg(feature = "otlp")]
    Given(&'a mut Option<String>),
    Number(&'a mut f64),
    Flag(&'a mut bool),
}

impl Config {
    /// The field of option `i`, in the order of [`NAMES`] (a native test
    /// checks that each name reaches its field, and that the types agree).
    pub fn slot(&mut self, i: usize) -> Option<Slot<'_>> {
        use Slot::{Flag, Number, Text};
        Some(match i {
            0 => Text(&mut self.metrics_endpoint),
            1 => Number(&mut self.batch_size),
            2 => Number(&mut self.flush_interval_ms),
            3 => Text(&mut self.logs_endpoint),
            4 => Number(&mut self.log_batch_size),
            5 => Number(&mut self.log_flush_interval_ms),
            6 => Text(&mut self.service),
            7 => Text(&mut self.version),
            8 => Text(&mut self.environment),
            9 => Number(&mut self.retry_initial_ms),
            10 => Number(&mut self.retry_max_ms),
            11 => Number(&mut self.max_buffered_events),
            12 => Number(&mut self.max_buffered_bytes),
            13 => Number(&mut self.max_request_bytes),
            14 => Number(&mut self.request_timeout_ms),
            15 => Number(&mut self.retry_max_attempts),
            16 => Number(&mut self.max_persisted_bytes),
            17 => Flag(&mut self.capture_errors),
            18 => Flag(&mut self.observe_performance),
            19 => Text(&mut self.tracking_consent),
            20 => Number(&mut self.session_sample_rate),
            #[cfg(feature = "otlp")]
            21 => Text(&mut self.otlp_endpoint),
            #[cfg(feature = "otlp")]
            22 => Slot::Given(&mut self.otlp_metrics_endpoint),
            #[cfg(feature = "otlp")]
            23 => Slot::Given(&mut self.otlp_logs_endpoint),
            #[cfg(feature = "traces")]
            24 => Flag(&mut self.instrument_requests),
            #[cfg(feature = "traces")]
            25 => Number(&mut self.trace_sample_rate),
            #[cfg(feature = "traces")]
            26 => Slot::Given(&mut self.otlp_traces_endpoint),
            _ => return None,
        })
    }

    /// Takes every option that `o` names; a value of another type than its option's is
    /// ignored (page.js has checked the types already).
    pub fn apply(&mut self, mut o: Options) {
        // By reference, the texts moved out: no copy of them, nor of Vec's consuming iterator.
        for (i, value) in &mut o {
            match (self.slot(*i), value) {
                (Some(Slot::Text(slot)), Value::Text(v)) => *slot = core::mem::take(v),
                #[cfg(feature = "otlp")]
                (Some(Slot::Given(slot)), Value::Text(v)) => *slot = Some(core::mem::take(v)),
                (Some(Slot::Number(slot)), Value::Number(v)) => *slot = *v,
                (Some(Slot::Flag(slot)), Value::Number(v)) => *slot = *v == 1.0,
                _ => {}
            }
        }
    }
}

/// A count or duration from JavaScript as a whole number within `lo..=hi`; NaN and other
/// nonsense fall back to `default`.
fn whole(v: f64, lo: u32, hi: u32, default: u32) -> u32 {
    if v.is_nan() {
        return default;
    }
    // Not f64::clamp: its assertion formats floats, which drags float printing into the module.
    crate::float::round(v).max(f64::from(lo)).min(f64::from(hi)) as u32
}

/// Events per OTLP request when the app gives no `batchSize`/`logBatchSize`: OpenTelemetry's
/// own batch processors' default (`maxExportBatchSize`). The seed's 10 suits its raw events;
/// OTLP metrics are summed per series within a batch, so a larger one sends fewer, smaller
/// requests, and a page's own requests (one span and two metric events each) do not cause an
/// export every few of them. The flush interval still bounds how long an event waits.
#[cfg(feature = "otlp")]
pub const OTLP_BATCH_SIZE: usize = 512;

/// The settings of one stream, as the client uses them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamSettings {
    pub endpoint: String,
    pub batch_size: usize,
    pub flush_interval_ms: u32,
    pub limits: Limits,
    pub retry: RetrySettings,
}

/// How failed attempts are retried (the same for both streams).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetrySettings {
    pub initial_ms: f64,
    pub max_ms: f64,
    /// Attempts of one batch before it is given up.
    pub max_attempts: u32,
    /// An attempt without an answer after this long is aborted (and retried).
    pub timeout_ms: u32,
}

impl Config {
    /// Metrics settings with every number clamped into a range that works.
    pub fn metrics(&self) -> StreamSettings {
        self.stream(
            &self.metrics_endpoint,
            (self.batch_size, 10),
            (self.flush_interval_ms, 30_000),
        )
    }

    /// Logs settings with every number clamped into a range that works.
    pub fn logs(&self) -> StreamSettings {
        self.stream(
            &self.logs_endpoint,
            (self.log_batch_size, 50),
            (self.log_flush_interval_ms, 10_000),
        )
    }

    /// The OTLP metrics stream: the metrics settings, sent to `${otlpEndpoint}/v1/metrics`
    /// (off without an `otlpEndpoint`).
    #[cfg(feature = "otlp")]
    pub fn otlp_metrics(&self) -> StreamSettings {
        let (own, given) = (&self.otlp_metrics_endpoint, self.batch_size);
        self.otlp(self.metrics(), own, "/v1/metrics", given)
    }

    /// The OTLP logs stream: the logs settings, sent to `${otlpEndpoint}/v1/logs`.
    #[cfg(feature = "otlp")]
    pub fn otlp_logs(&self) -> StreamSettings {
        let own = &self.otlp_logs_endpoint;
        self.otlp(self.logs(), own, "/v1/logs", self.log_batch_size)
    }

    /// The OTLP traces stream: the logs' batching, sent to `${otlpEndpoint}/v1/traces`.
    #[cfg(feature = "traces")]
    pub fn otlp_traces(&self) -> StreamSettings {
        let own = &self.otlp_traces_endpoint;
        self.otlp(self.logs(), own, "/v1/traces", self.log_batch_size)
    }

    /// An OTLP stream's settings from its seed counterpart's: its own URL if the app gave one
    /// (`own`), else `otlpEndpoint` and `path`; and unless the app gave a batch size (`given`),
    /// OTLP's larger batches.
    #[cfg(feature = "otlp")]
    fn otlp(
        &self,
        mut s: StreamSettings,
        own: &Option<String>,
        path: &str,
        given: f64,
    ) -> StreamSettings {
        s.endpoint = match own {
            Some(url) => url.clone(),
            None => self.otlp_path(path),
        };
        if given.is_nan() {
            s.batch_size = OTLP_BATCH_SIZE.min(s.limits.max_events);
        }
        s
    }

    /// `otlpEndpoint` (without a trailing `/`) and `path`; empty without an `otlpEndpoint`.
    #[cfg(feature = "otlp")]
    fn otlp_path(&self, path: &str) -> String {
        let base = self.otlp_endpoint.trim_end_matches('/');
        if base.is_empty() {
            return String::new();
        }
        let mut url = String::from(base);
        url.push_str(path);
        url
    }

    /// `batch` and `interval` are (value given, default).
    fn stream(&self, endpoint: &str, batch: (f64, u32), interval: (f64, u32)) -> StreamSettings {
        let max_events = whole(self.max_buffered_events, 1, 1_000_000, 1000) as usize;
        let max_request_bytes = whole(self.max_request_bytes, 1024, 60_000, 60_000) as usize;
        StreamSettings {
            // With OTLP an empty endpoint turns the stream off (`metricsEndpoint: null`).
            endpoint: if endpoint.is_empty() && !cfg!(feature = "otlp") {
                "/".into()
            } else {
                endpoint.into()
            },
            batch_size: whole(batch.0, 1, 100_000, batch.1) as usize,
            flush_interval_ms: whole(interval.0, 100, 86_400_000, interval.1),
            limits: Limits {
                max_events,
                max_bytes: whole(self.max_buffered_bytes, 1024, 64 << 20, 1 << 20) as usize,
                max_event_bytes: 64 * 1024,
                max_request_bytes,
            },
            retry: self.retry(),
        }
    }

    pub fn retry(&self) -> RetrySettings {
        let initial = whole(self.retry_initial_ms, 10, 3_600_000, 1000);
        RetrySettings {
            initial_ms: f64::from(initial),
            max_ms: f64::from(whole(
                self.retry_max_ms,
                initial,
                86_400_000,
                60_000.max(initial),
            )),
            max_attempts: whole(self.retry_max_attempts, 1, 1000, 10),
            timeout_ms: whole(self.request_timeout_ms, 100, 600_000, 10_000),
        }
    }

    /// The most bytes of `localStorage` kept for undelivered batches, per origin.
    pub fn max_persisted_bytes(&self) -> usize {
        whole(self.max_persisted_bytes, 0, 4 << 20, 262_144) as usize
    }

    /// `traceSampleRate` within 0 to 1 (NaN: every trace).
    #[cfg(feature = "traces")]
    pub fn trace_sample_rate(&self) -> f64 {
        let r = self.trace_sample_rate;
        if r.is_nan() {
            1.0
        } else {
            r.max(0.0).min(1.0)
        }
    }

    /// Whether log entries are echoed to the console.
    pub fn echo_logs(&self) -> bool {
        self.environment == "development"
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "config_tests.rs"]
mod tests;

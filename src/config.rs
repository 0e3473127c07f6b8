//! The options `configure()` accepts, their defaults (the seed's), and the clamping that keeps
//! a bad value from breaking delivery.

use alloc::string::String;

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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            metrics_endpoint: "/api/metrics".into(),
            batch_size: 10.0,
            flush_interval_ms: 30_000.0,
            logs_endpoint: "/api/logs".into(),
            log_batch_size: 50.0,
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
            capture_errors: true,
            observe_performance: true,
        }
    }
}

/// One `configure()` call: the options it names (JavaScript spells them in camelCase, e.g.
/// `batchSize`). Unknown keys are ignored; `null` and `undefined` mean "leave as it is".
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub metrics_endpoint: Option<String>,
    pub batch_size: Option<f64>,
    pub flush_interval_ms: Option<f64>,
    pub logs_endpoint: Option<String>,
    pub log_batch_size: Option<f64>,
    pub log_flush_interval_ms: Option<f64>,
    pub service: Option<String>,
    pub version: Option<String>,
    pub environment: Option<String>,
    pub retry_initial_ms: Option<f64>,
    pub retry_max_ms: Option<f64>,
    pub max_buffered_events: Option<f64>,
    pub max_buffered_bytes: Option<f64>,
    pub max_request_bytes: Option<f64>,
    pub request_timeout_ms: Option<f64>,
    pub retry_max_attempts: Option<f64>,
    pub max_persisted_bytes: Option<f64>,
    pub capture_errors: Option<bool>,
    pub observe_performance: Option<bool>,
}

impl Config {
    /// Takes every option that `o` names.
    pub fn apply(&mut self, o: Options) {
        fn set<T>(slot: &mut T, v: Option<T>) {
            if let Some(v) = v {
                *slot = v;
            }
        }
        set(&mut self.metrics_endpoint, o.metrics_endpoint);
        set(&mut self.batch_size, o.batch_size);
        set(&mut self.flush_interval_ms, o.flush_interval_ms);
        set(&mut self.logs_endpoint, o.logs_endpoint);
        set(&mut self.log_batch_size, o.log_batch_size);
        set(&mut self.log_flush_interval_ms, o.log_flush_interval_ms);
        set(&mut self.service, o.service);
        set(&mut self.version, o.version);
        set(&mut self.environment, o.environment);
        set(&mut self.retry_initial_ms, o.retry_initial_ms);
        set(&mut self.retry_max_ms, o.retry_max_ms);
        set(&mut self.max_buffered_events, o.max_buffered_events);
        set(&mut self.max_buffered_bytes, o.max_buffered_bytes);
        set(&mut self.max_request_bytes, o.max_request_bytes);
        set(&mut self.request_timeout_ms, o.request_timeout_ms);
        set(&mut self.retry_max_attempts, o.retry_max_attempts);
        set(&mut self.max_persisted_bytes, o.max_persisted_bytes);
        set(&mut self.capture_errors, o.capture_errors);
        set(&mut self.observe_performance, o.observe_performance);
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

/// The settings of one stream, as the client uses them.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamSettings {
    pub endpoint: String,
    pub batch_size: usize,
    pub flush_interval_ms: u32,
    pub limits: Limits,
    pub retry: RetrySettings,
}

/// How failed attempts are retried (the same for both streams).
#[derive(Clone, Debug, PartialEq)]
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

    /// `batch` and `interval` are (value given, default).
    fn stream(&self, endpoint: &str, batch: (f64, u32), interval: (f64, u32)) -> StreamSettings {
        let max_events = whole(self.max_buffered_events, 1, 1_000_000, 1000) as usize;
        let max_request_bytes = whole(self.max_request_bytes, 1024, 60_000, 60_000) as usize;
        StreamSettings {
            endpoint: if endpoint.is_empty() {
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

    /// Whether log entries are echoed to the console.
    pub fn echo_logs(&self) -> bool {
        self.environment == "development"
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "config_tests.rs"]
mod tests;

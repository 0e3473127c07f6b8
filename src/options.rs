//! Reading a `configure()` object: index.js offers it to page.js, which looks the options up
//! by name and type (see `readOptions` there) and hands back plain values; here they become
//! [`Options`].
//!
//! A hand-written reader rather than serde-wasm-bindgen: it lets one mistyped option be
//! dropped on its own (the others still apply), and it keeps serde's error formatting and
//! Rust's float printing out of the module.

use alloc::string::String;

use crate::config::Options;
use crate::page;

/// The options, in the order page.js reports them, NUL-separated (as page.js takes them).
const NAMES: &str = "metricsEndpoint\0batchSize\0flushIntervalMs\0logsEndpoint\0logBatchSize\0\
    logFlushIntervalMs\0service\0version\0environment\0retryInitialMs\0retryMaxMs\0\
    maxBufferedEvents\0maxBufferedBytes\0maxRequestBytes\0requestTimeoutMs\0retryMaxAttempts\0\
    maxPersistedBytes\0captureErrors\0observePerformance";
/// Each option's type, by its place in [`NAMES`]: `s` string, `n` number, `b` boolean.
const TYPES: &str = "snnsnnsssnnnnnnnnbb";

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

/// The options named in the object page.js was offered; anything that is not an object
/// names none.
pub fn read() -> Options {
    let Some(states) = page::read_options(NAMES, TYPES) else {
        crate::warn("configure() takes an object; ignored");
        return Options::default();
    };
    let r = Reader {
        states: crate::text::split(&states, 0).collect(),
        numbers: page::numbers(TYPES.len()),
    };
    Options {
        metrics_endpoint: r.text(0),
        batch_size: r.number(1),
        flush_interval_ms: r.number(2),
        logs_endpoint: r.text(3),
        log_batch_size: r.number(4),
        log_flush_interval_ms: r.number(5),
        service: r.text(6),
        version: r.text(7),
        environment: r.text(8),
        retry_initial_ms: r.number(9),
        retry_max_ms: r.number(10),
        max_buffered_events: r.number(11),
        max_buffered_bytes: r.number(12),
        max_request_bytes: r.number(13),
        request_timeout_ms: r.number(14),
        retry_max_attempts: r.number(15),
        max_persisted_bytes: r.number(16),
        capture_errors: r.flag(17),
        observe_performance: r.flag(18),
    }
}

/// What page.js said of each option, by its place in [`NAMES`].
struct Reader<'a> {
    /// A string option's value, "" for the others when present, U+0001 when absent
    /// (undefined, null) and U+0002 when of the wrong type.
    states: alloc::vec::Vec<&'a str>,
    /// Numbers as they are, booleans as 0 or 1.
    numbers: alloc::vec::Vec<f64>,
}

impl Reader<'_> {
    /// The state of option `i` if it is present and well typed; a mistyped one is ignored
    /// with a warning.
    fn state(&self, i: usize) -> Option<&str> {
        match self.states.get(i).copied() {
            None => None,
            Some(s) if s == page::ABSENT => None,
            Some(s) if s == page::MISTYPED => {
                let name = crate::text::split(NAMES, 0).nth(i);
                if let (Some(name), Some(kind)) = (name, TYPES.as_bytes().get(i)) {
                    mistyped(name, *kind);
                }
                None
            }
            Some(s) => Some(s),
        }
    }

    fn text(&self, i: usize) -> Option<String> {
        self.state(i).map(String::from)
    }

    fn number(&self, i: usize) -> Option<f64> {
        self.state(i)?;
        self.numbers.get(i).copied()
    }

    fn flag(&self, i: usize) -> Option<bool> {
        self.state(i)?;
        Some(self.numbers.get(i) == Some(&1.0))
    }
}

fn mistyped(key: &str, kind: u8) {
    let mut msg = String::from("configure(): ");
    msg.push_str(key);
    msg.push_str(match kind {
        b's' => " must be a string",
        b'n' => " must be a number",
        _ => " must be true or false",
    });
    msg.push_str("; it was ignored");
    crate::warn(&msg);
}

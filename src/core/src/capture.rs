//! Captured errors: each uncaught error, unhandled rejection or failed resource load becomes
//! the seed's `frontend_errors_total` {error_type, component: 'global' or 'promise', user_id}
//! and an error log entry with name, message, stack (at most 50 frames), the `cause` chain (at
//! most 5 deep) and the source location, as the gate of [`crate::error_gate`] allows: repeats
//! and storms are only counted, and the counts leave as [`ErrorCapture::counts`] says.
//!
//! This is the error capture module's logic (`src/watch/`, the lazily loaded second module).
//! The browser layer there reads the page's objects (a throwing getter or a revoked proxy is
//! just an absence) and hands over plain text; the bounds, the dedupe and the encoding are
//! here. What comes out is [`Report`]s: a metric event and a log entry, which the main module
//! takes like any `recordMetric` and `logger.error` call.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error_gate::{self, Decision, Gate};
use crate::json::{self, NumberFallback};
use crate::log::Level;
use crate::redact::without_queries;
use crate::wire::{Cause, ErrorContext, Labels, Source};

const MAX_FRAMES: usize = 50;
const MAX_CAUSES: usize = 5;
/// Longest message, name, file, stack line or non-Error rejection value kept, in characters.
const MAX_TEXT: usize = 1000;
/// The one notice of a minute whose reports are used up.
pub const RATE_LIMITED: &str =
    "error reports rate limited: at most 100 a minute; further errors are only counted";

/// One captured error, as the browser layer read it.
#[derive(Clone, Debug, Default)]
pub struct Captured<'a> {
    /// An unhandled rejection (component `promise`), else an error event (`global`).
    pub rejection: bool,
    pub name: &'a str,
    pub message: &'a str,
    pub stack: Option<&'a str>,
    /// `name, message` of each `cause`, outermost first.
    pub causes: &'a [(&'a str, &'a str)],
    /// `(file, line, column)` where it was thrown, for an error event.
    pub source: Option<(&'a str, f64, f64)>,
}

/// What error capture hands to the client.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// A metric event: name, value, and labels as JSON text.
    Metric {
        name: &'static str,
        value: f64,
        labels_json: String,
    },
    /// A log entry: its level, message, context as JSON text, and the error's
    /// `(name, message, stack)`.
    Log {
        level: Level,
        message: String,
        context_json: Option<String>,
        error: Option<(String, String, Option<String>)>,
    },
}

/// The gate: which errors are reported, and the counts of the others.
#[derive(Debug, Default)]
pub struct ErrorCapture {
    gate: Gate,
}

fn bounded(s: &str) -> &str {
    error_gate::bounded(s, MAX_TEXT)
}

/// `frontend_errors_total` for `n` errors, naming `user` (`None`: `anonymous`, as the seed
/// labels an unknown user).
fn metric(
    error_type: &str,
    component: &str,
    user: Option<&str>,
    n: f64,
    number: NumberFallback,
) -> Report {
    let labels = [
        ("error_type", error_type),
        ("component", component),
        ("user_id", user.unwrap_or("anonymous")),
    ];
    let mut out = Vec::new();
    json::write(&mut out, &Labels(&labels), number);
    Report::Metric {
        name: "frontend_errors_total",
        value: n,
        labels_json: String::from_utf8(out).unwrap_or_default(),
    }
}

impl ErrorCapture {
    pub fn new() -> Self {
        ErrorCapture::default()
    }

    /// Counts one error captured at `now` (a monotonic clock, ms) and, when the gate allows,
    /// reports it into `out`; its metric names `user` (the seed's `localStorage.user_id`).
    pub fn capture(
        &mut self,
        e: Captured,
        now: f64,
        user: Option<&str>,
        number: NumberFallback,
        out: &mut Vec<Report>,
    ) {
        // URLs without their queries and fragments (`redact.rs`), before anything is made of
        // the texts: the same error with another token in its URL is the same error.
        let (message, file) = (
            without_queries(e.message),
            e.source.map(|s| without_queries(s.0)),
        );
        let stack = e.stack.map(without_queries);
        // Every text is bounded like the message: the name, the file, and each line of the stack.
        let name = match bounded(e.name) {
            "" => "Error",
            n => n,
        };
        let message = bounded(&message);
        let stack = stack
            .as_deref()
            .map(|s| error_gate::bound_stack(s, MAX_FRAMES, MAX_TEXT));
        let source = e
            .source
            .zip(file.as_deref())
            .map(|((_, line, col), file)| (bounded(file), line, col));
        let component = if e.rejection { "promise" } else { "global" };
        // The top frame of the stack, else where it was thrown, in the fingerprint.
        let frame = stack.as_deref().map_or("", error_gate::top_frame);
        let mut fingerprint = error_gate::fingerprint(name, message, frame);
        if let (true, Some((file, line, col))) = (frame.is_empty(), source) {
            fingerprint.push_str(file);
            for n in [line, col] {
                let mut text = Vec::new();
                json::write_f64(&mut text, n, number);
                fingerprint.push(':');
                fingerprint.push_str(core::str::from_utf8(&text).unwrap_or(""));
            }
        }
        match self.gate.decide(fingerprint, now) {
            Decision::Report => {}
            Decision::Repeat | Decision::Limited { notice: false } => {
                return self.gate.count(name, component);
            }
            Decision::Limited { notice: true } => {
                self.gate.count(name, component);
                out.push(Report::Log {
                    level: Level::Warn,
                    message: RATE_LIMITED.to_string(),
                    context_json: Some(r#"{"component":"telemetry"}"#.to_string()),
                    error: None,
                });
                return;
            }
        }
        out.push(metric(name, component, user, 1.0, number));
        // Their messages without URL queries too, as the error's own.
        let messages: Vec<_> = (e.causes.iter().take(MAX_CAUSES))
            .map(|(_, message)| without_queries(message))
            .collect();
        let causes: Vec<Cause> = (e.causes.iter().zip(&messages))
            .map(|((name, _), message)| Cause {
                name: bounded(name),
                message: bounded(message),
            })
            .collect();
        let context = ErrorContext {
            component,
            source: source.map(|(file, line, column)| Source { file, line, column }),
            cause: &causes,
        };
        let mut context_json = Vec::new();
        if !json::write(&mut context_json, &context, number) {
            context_json.clear(); // never half an object: no context rather
        }
        out.push(Report::Log {
            level: Level::Error,
            message: message.to_string(),
            context_json: String::from_utf8(context_json)
                .ok()
                .filter(|c| !c.is_empty()),
            error: Some((
                name.to_string(),
                message.to_string(),
                stack.map(|s| s.into_owned()),
            )),
        });
    }

    /// Whether errors were counted but not reported yet.
    pub fn has_counts(&self) -> bool {
        !self.gate.counts().is_empty()
    }

    /// Errors counted but not reported one by one (repeats, rate-limited), as
    /// `frontend_errors_total` events with their summed value, into `out`; the counters start
    /// again from zero.
    pub fn counts(&mut self, user: Option<&str>, number: NumberFallback, out: &mut Vec<Report>) {
        self.gate.report_counts(|error_type, component, n| {
            out.push(metric(error_type, component, user, n as f64, number));
            true
        });
    }
}

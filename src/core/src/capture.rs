//! Captured errors: each uncaught error, unhandled rejection or failed resource load becomes
//! the seed's `frontend_errors_total` {error_type, component: 'global' or 'promise', user_id}
//! and an error log entry with name, message, stack (at most 50 frames), the `cause` chain (at
//! most 5 deep) and the source location, as the gate of [`crate::error_gate`] allows: repeats
//! and storms are only counted.
//!
//! The browser layer reads the page's objects (a throwing getter or a revoked proxy is just an
//! absence there) and hands over plain text; the bounds, the dedupe and the encoding are here.

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::client::Client;
use crate::error_gate::{self, Decision};
use crate::json;
use crate::log::{Entry, ErrorInfo, Level};
use crate::stream::Kind;
use crate::wire::{Cause, ErrorContext, Source};

const MAX_FRAMES: usize = 50;
const MAX_CAUSES: usize = 5;
/// Longest message, name, file, stack line or non-Error rejection value kept, in characters.
const MAX_TEXT: usize = 1000;

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

fn bounded(s: &str) -> &str {
    error_gate::bounded(s, MAX_TEXT)
}

impl Client {
    /// Counts and, when the gate allows, reports one error.
    pub(crate) fn capture(&mut self, e: Captured, now: f64) {
        // Every text is bounded like the message: the name, the file, and each line of the stack.
        let name = match bounded(e.name) {
            "" => "Error",
            n => n,
        };
        let message = bounded(e.message);
        let stack = e
            .stack
            .map(|s| error_gate::bound_stack(s, MAX_FRAMES, MAX_TEXT));
        let source = e.source.map(|(file, line, col)| (bounded(file), line, col));
        let component = if e.rejection { "promise" } else { "global" };
        // The top frame of the stack, else where it was thrown, in the fingerprint.
        let frame = stack.as_deref().map_or("", error_gate::top_frame);
        let mut fingerprint = error_gate::fingerprint(name, message, frame);
        if let (true, Some((file, line, col))) = (frame.is_empty(), source) {
            fingerprint.push_str(file);
            for n in [line, col] {
                let mut text = Vec::new();
                json::write_f64(&mut text, n, self.platform.number);
                fingerprint.push(':');
                fingerprint.push_str(core::str::from_utf8(&text).unwrap_or(""));
            }
        }
        let wall = self.wall(now);
        match self.gate.decide(fingerprint, now) {
            Decision::Report => {}
            Decision::Repeat | Decision::Limited { notice: false } => {
                return self.gate.count(name, component);
            }
            Decision::Limited { notice: true } => {
                self.gate.count(name, component);
                let entry = Entry {
                    epoch_ms: wall,
                    level: Level::Warn,
                    message: "error reports rate limited: at most 100 a minute; further errors are only counted",
                    context_json: Some(r#"{"component":"telemetry"}"#),
                    error: None,
                };
                if self.log(&entry) {
                    self.on_full_batch(Kind::Logs, now);
                }
                return;
            }
        }
        let user = self.stamp.user_label().to_string();
        let labels = [
            ("error_type", name),
            ("component", component),
            ("user_id", user.as_str()),
        ];
        if self.record("frontend_errors_total", 1.0, &labels, now) {
            self.on_full_batch(Kind::Metrics, now);
        }
        let causes: Vec<Cause> = (e.causes.iter().take(MAX_CAUSES))
            .map(|(name, message)| Cause {
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
        if !json::write(&mut context_json, &context, self.platform.number) {
            context_json.clear(); // never half an object: no context rather
        }
        let entry = Entry {
            epoch_ms: wall,
            level: Level::Error,
            message,
            context_json: core::str::from_utf8(&context_json)
                .ok()
                .filter(|c| !c.is_empty()),
            error: Some(ErrorInfo {
                name,
                message,
                stack: stack.as_deref(),
            }),
        };
        if self.log(&entry) {
            self.on_full_batch(Kind::Logs, now);
        }
    }
}

//! Capturing the page's uncaught errors, unhandled rejections and failed resource loads.
//!
//! Listeners are added with `addEventListener` (never by overwriting `window.onerror`, which
//! belongs to the page). Each error becomes the seed's `frontend_errors_total` {error_type,
//! component: 'global' or 'promise', user_id} and an error log entry with name, message, stack
//! (at most 50 frames), the `cause` chain (at most 5 deep) and the source location, subject to
//! the dedupe and rate limit of [`crate::error_gate`]. page.js reads the page's objects (a
//! throwing getter or a revoked proxy is just an absence there) and hands over plain text;
//! the bounds, the dedupe and the encoding are here.
//!
//! The client's own requests never come through here: a failed `fetch` rejects a promise that
//! the client handles, and fires no `error` event, so delivery trouble cannot feed back.

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::client::{self, Client, Kind};
use crate::delivery;
use crate::error_gate::{self, Decision};
use crate::json;
use crate::listen::Hold;
use crate::log::{Entry, ErrorInfo, Level};

const MAX_FRAMES: usize = 50;
const MAX_CAUSES: usize = 5;
/// Longest message, name, file, stack line or non-Error rejection value kept, in characters.
const MAX_TEXT: usize = 1000;

/// The listeners: one capture-phase `error` listener on window (it sees script errors, which
/// reach window as ErrorEvents, and resource failures, which do not bubble), and one for
/// `unhandledrejection`. page.js reads each error's facts (see [`on_error`]).
pub fn listen() -> Option<Hold> {
    Hold::listeners(crate::page::listen_errors())
}

/// One captured error, read out of the page's objects (its text borrowed from what page.js
/// handed over, already cut to the bounds).
#[derive(Debug, Default)]
struct Captured<'a> {
    name: &'a str,
    message: &'a str,
    stack: Option<&'a str>,
    /// The facts' remaining fields: `name, message` of each `cause`, outermost first (the
    /// first `MAX_CAUSES` pairs count). Read where they are when the context is written, and
    /// each message bounded then, rather than collected into a `Vec`.
    causes: crate::text::Split<'a>,
    /// `(file, line, column)` where it was thrown, when the browser says.
    source: Option<(&'a str, f64, f64)>,
    component: &'static str,
}

fn bounded(s: &str) -> &str {
    error_gate::bounded(s, MAX_TEXT)
}

/// A field of the facts page.js read: U+0001 stands for "absent".
fn present(field: &str) -> Option<&str> {
    (field != crate::page::ABSENT).then_some(field)
}

/// An uncaught error (`rejection`: an unhandled rejection) as page.js read it: `facts` is
/// `file, name, message, stack, (cause name, cause message)…` separated by NULs, and for an
/// error event the line and column are staged as numbers.
pub fn on_error(rejection: bool, facts: &str) {
    let mut fields = crate::text::split(facts, 0);
    // Every text is bounded like the message: the name, the file, and each line of the stack.
    let file = present(fields.next().unwrap_or("")).map(bounded);
    let name = bounded(fields.next().unwrap_or(""));
    let message = bounded(fields.next().unwrap_or(""));
    let stack = fields
        .next()
        .and_then(present)
        .map(|s| error_gate::bound_stack(s, MAX_FRAMES, MAX_TEXT));
    let mut e = Captured {
        name: if name.is_empty() { "Error" } else { name },
        message,
        stack: stack.as_deref(),
        component: if rejection { "promise" } else { "global" },
        causes: fields,
        ..Captured::default()
    };
    if !rejection {
        let at = crate::page::numbers(2);
        let (line, col) = match at.as_slice() {
            [line, col] => (*line, *col),
            _ => (0.0, 0.0),
        };
        e.source = Some((file.unwrap_or_default(), line, col));
    }
    client::with(|c| capture(c, e));
}

/// Counts and, when the gate allows, reports one error.
fn capture(c: &mut Client, e: Captured) {
    let now = crate::page::date_now();
    // The top frame of the stack, else where it was thrown, written straight into the
    // fingerprint: no string of its own, and the stack searched once.
    let frame = e.stack.map_or("", error_gate::top_frame);
    let mut fingerprint = error_gate::fingerprint(e.name, e.message, frame);
    if let (true, Some((file, line, col))) = (frame.is_empty(), &e.source) {
        fingerprint.push_str(file);
        for n in [line, col] {
            fingerprint.push(':');
            fingerprint.push_str(&crate::page::number_text(*n));
        }
    }
    let decision = c.error_gate().decide(fingerprint, now);
    match decision {
        Decision::Report => report(c, &e, now),
        Decision::Repeat | Decision::Limited { notice: false } => {
            c.error_gate().count(e.name, e.component)
        }
        Decision::Limited { notice: true } => {
            c.error_gate().count(e.name, e.component);
            let entry = Entry {
                epoch_ms: now,
                level: Level::Warn,
                message: "error reports rate limited: at most 100 a minute; further errors are only counted",
                context_json: Some(b"{\"component\":\"telemetry\"}"),
                error: None,
            };
            if c.log(&entry) {
                delivery::on_full_batch(c, Kind::Logs);
            }
        }
    }
}

fn report(c: &mut Client, e: &Captured, now: f64) {
    let user = c.user_id().unwrap_or("anonymous").to_string();
    let labels = [
        ("error_type", e.name),
        ("component", e.component),
        ("user_id", user.as_str()),
    ];
    if c.record("frontend_errors_total", 1.0, &labels) {
        delivery::on_full_batch(c, Kind::Metrics);
    }
    let context = context_json(e);
    let entry = Entry {
        epoch_ms: now,
        level: Level::Error,
        message: e.message,
        context_json: Some(&context),
        error: Some(ErrorInfo {
            name: e.name,
            message: e.message,
            stack: e.stack,
        }),
    };
    if c.log(&entry) {
        delivery::on_full_batch(c, Kind::Logs);
    }
}

/// `{"component":…,"source":{"file":…,"line":…,"column":…},"cause":[{"name":…,"message":…}]}`
fn context_json(e: &Captured) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"component\":");
    json::write_str(&mut out, e.component);
    if let Some((file, line, col)) = &e.source {
        out.extend_from_slice(b",\"source\":{\"file\":");
        json::write_str(&mut out, file);
        out.extend_from_slice(b",\"line\":");
        json::write_f64(&mut out, *line, crate::engine_number);
        out.extend_from_slice(b",\"column\":");
        json::write_f64(&mut out, *col, crate::engine_number);
        out.push(b'}');
    }
    let mut causes = e.causes.clone();
    let mut n = 0;
    while let (Some(name), Some(message)) = (causes.next(), causes.next()) {
        if n == MAX_CAUSES {
            break;
        }
        out.extend_from_slice(if n == 0 { b",\"cause\":[" } else { b"," });
        out.extend_from_slice(b"{\"name\":");
        json::write_str(&mut out, bounded(name));
        out.extend_from_slice(b",\"message\":");
        json::write_str(&mut out, bounded(message));
        out.push(b'}');
        n += 1;
    }
    if n > 0 {
        out.push(b']');
    }
    out.push(b'}');
    out
}

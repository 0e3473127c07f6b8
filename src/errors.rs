//! Capturing the page's uncaught errors, unhandled rejections and failed resource loads.
//!
//! Listeners are added with `addEventListener` (never by overwriting `window.onerror`, which
//! belongs to the page). Each error becomes the seed's `frontend_errors_total` {error_type,
//! component: 'global' or 'promise', user_id} and an error log entry with name, message, stack
//! (at most 50 frames), the `cause` chain (at most 5 deep) and the source location, subject to
//! the dedupe and rate limit of [`crate::error_gate`]. Nothing here throws: every property is
//! read with `Reflect`, whose failures (a throwing getter, a revoked proxy) are just absences.
//!
//! The client's own requests never come through here: a failed `fetch` rejects a promise that
//! the client handles, and fires no `error` event, so delivery trouble cannot feed back.

use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;

use js_sys::{JsString, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, ErrorEvent, Event, PromiseRejectionEvent};

use crate::client::{self, Client, Kind};
use crate::delivery;
use crate::error_gate::{self, Decision};
use crate::json;
use crate::listen::Listener;
use crate::log::{Entry, ErrorInfo, Level};

const MAX_FRAMES: usize = 50;
const MAX_CAUSES: usize = 5;
/// Longest message or non-Error rejection value kept, in characters.
const MAX_TEXT: usize = 1000;

#[wasm_bindgen]
extern "C" {
    /// `String(value)`, which can throw (a Symbol inside a template, a throwing toString).
    #[wasm_bindgen(catch, js_name = String)]
    fn to_js_string(value: &JsValue) -> Result<JsString, JsValue>;
}

/// The listeners: one capture-phase `error` listener on window (it sees script errors, which
/// reach window as ErrorEvents, and resource failures, which do not bubble), and one for
/// `unhandledrejection`.
pub fn listen() -> Vec<Listener> {
    let Some(window) = crate::page::window() else {
        return Vec::new();
    };
    alloc::vec![
        Listener::new(&window, "error", true, |e| {
            if let Some(error) = from_error_event(&e) {
                client::with(|c| capture(c, error));
            }
        }),
        Listener::new(&window, "unhandledrejection", false, |e| {
            if let Some(error) = from_rejection(&e) {
                client::with(|c| capture(c, error));
            }
        }),
    ]
}

/// One captured error, read out of the page's objects.
#[derive(Debug, Default)]
struct Captured {
    name: String,
    message: String,
    stack: Option<String>,
    /// `(name, message)` of each `cause`, outermost first.
    causes: Vec<(String, String)>,
    /// `(file, line, column)` where it was thrown, when the browser says.
    source: Option<(String, f64, f64)>,
    component: &'static str,
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text_of(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        return s;
    }
    if v.is_object() {
        if let Ok(json) = js_sys::JSON::stringify(v) {
            if let Some(s) = json.as_string() {
                return s;
            }
        }
    }
    to_js_string(v).map(String::from).unwrap_or_default()
}

fn bounded(s: String) -> String {
    let cut = error_gate::bounded(&s, MAX_TEXT);
    if cut.len() == s.len() {
        s
    } else {
        cut.into()
    }
}

/// Whether `v` looks like an Error: an object with a string `message` or `stack`.
fn is_error_like(v: &JsValue) -> bool {
    v.is_object() && (get(v, "message").is_string() || get(v, "stack").is_string())
}

/// Name, message, stack and causes of an Error-like value.
fn read_error(v: &JsValue, into: &mut Captured) {
    into.name = get(v, "name")
        .as_string()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Error".into());
    into.message = bounded(get(v, "message").as_string().unwrap_or_default());
    into.stack = get(v, "stack")
        .as_string()
        .map(|s| error_gate::truncate_stack(&s, MAX_FRAMES).to_string());
    let mut cause = get(v, "cause");
    while !cause.is_undefined() && !cause.is_null() && into.causes.len() < MAX_CAUSES {
        if is_error_like(&cause) {
            let name = get(&cause, "name")
                .as_string()
                .unwrap_or_else(|| "Error".into());
            let message = bounded(get(&cause, "message").as_string().unwrap_or_default());
            into.causes.push((name, message));
            cause = get(&cause, "cause");
        } else {
            into.causes.push(("Value".into(), bounded(text_of(&cause))));
            break;
        }
    }
}

fn from_error_event(e: &Event) -> Option<Captured> {
    let mut c = Captured {
        component: "global",
        ..Captured::default()
    };
    if let Some(ev) = e.dyn_ref::<ErrorEvent>() {
        let error = ev.error();
        if is_error_like(&error) {
            read_error(&error, &mut c);
        } else {
            // A null error: most often a cross-origin script ("Script error."), whose details
            // the browser hides. Keep what it does say.
            c.name = "Error".into();
            c.message = bounded(ev.message());
            if !error.is_undefined() && !error.is_null() {
                c.message = bounded(text_of(&error));
            }
        }
        c.source = Some((ev.filename(), f64::from(ev.lineno()), f64::from(ev.colno())));
        return Some(c);
    }
    // Not an ErrorEvent: a resource (img, script, link…) that failed to load.
    let target = e.target()?;
    let element = target.dyn_ref::<Element>()?;
    let url = element
        .get_attribute("src")
        .or_else(|| element.get_attribute("href"))
        .unwrap_or_default();
    c.name = "ResourceError".into();
    let mut message = String::from("failed to load <");
    message.push_str(&element.tag_name().to_ascii_lowercase());
    message.push_str("> ");
    message.push_str(&url);
    c.message = bounded(message);
    c.source = Some((url, 0.0, 0.0));
    Some(c)
}

fn from_rejection(e: &Event) -> Option<Captured> {
    let ev = e.dyn_ref::<PromiseRejectionEvent>()?;
    let reason = ev.reason();
    let mut c = Captured {
        component: "promise",
        ..Captured::default()
    };
    if is_error_like(&reason) {
        read_error(&reason, &mut c);
    } else {
        // Not an Error: keep a bounded text of the value itself, which `new Error(reason)`
        // (the seed's approach) would reduce to "[object Object]".
        c.name = "UnhandledRejection".into();
        c.message = bounded(text_of(&reason));
    }
    Some(c)
}

/// Counts and, when the gate allows, reports one error.
fn capture(c: &mut Client, e: Captured) {
    let now = js_sys::Date::now();
    let top = match (&e.stack, &e.source) {
        (Some(stack), _) if !error_gate::top_frame(stack).is_empty() => {
            error_gate::top_frame(stack).to_string()
        }
        (_, Some((file, line, col))) => {
            let mut s = Vec::from(file.as_bytes());
            s.push(b':');
            json::write_f64(&mut s, *line, crate::engine_number);
            s.push(b':');
            json::write_f64(&mut s, *col, crate::engine_number);
            String::from_utf8(s).unwrap_or_default()
        }
        _ => String::new(),
    };
    let decision = c
        .error_gate()
        .decide(&error_gate::fingerprint(&e.name, &e.message, &top), now);
    match decision {
        Decision::Report => report(c, &e, now),
        Decision::Repeat | Decision::Limited { notice: false } => {
            c.error_gate().count(&e.name, e.component)
        }
        Decision::Limited { notice: true } => {
            c.error_gate().count(&e.name, e.component);
            let entry = Entry {
                epoch_ms: now,
                level: Level::Warn,
                message: "error reports rate limited: at most 100 a minute; further errors are only counted",
                context_json: Some("{\"component\":\"telemetry\"}"),
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
        ("error_type", e.name.as_str()),
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
        message: &e.message,
        context_json: Some(&context),
        error: Some(ErrorInfo {
            name: &e.name,
            message: &e.message,
            stack: e.stack.as_deref(),
        }),
    };
    if c.log(&entry) {
        delivery::on_full_batch(c, Kind::Logs);
    }
}

/// `{"component":…,"source":{"file":…,"line":…,"column":…},"cause":[{"name":…,"message":…}]}`
fn context_json(e: &Captured) -> String {
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
    if !e.causes.is_empty() {
        out.extend_from_slice(b",\"cause\":[");
        for (i, (name, message)) in e.causes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"name\":");
            json::write_str(&mut out, name);
            out.extend_from_slice(b",\"message\":");
            json::write_str(&mut out, message);
            out.push(b'}');
        }
        out.push(b']');
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_default()
}

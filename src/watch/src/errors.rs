//! Error capture in the page: the listeners, and reading what was thrown.
//!
//! Listeners are added with `addEventListener` (never by overwriting `window.onerror`, which
//! belongs to the page): one capture-phase `error` listener on window (it sees script errors,
//! which reach window as `ErrorEvent`s, and failed resource loads, which do not bubble), and
//! one for `unhandledrejection`. What was thrown is read here, where every property read may
//! run page code (a getter, a proxy) and is allowed to fail; counting, bounds and encoding are
//! the core's (`src/core/src/capture.rs`, `error_gate.rs`), through [`crate::report::captured`].
//!
//! The client's own requests never come through here: a failed `fetch` rejects a promise that
//! the client handles, and fires no `error` event, so delivery trouble cannot feed back.

use gloo_events::{EventListener, EventListenerOptions, EventListenerPhase};
use recoloca_telemetry_core::capture::Captured;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, ErrorEvent, Event, PromiseRejectionEvent};

use crate::property::get;
use crate::report::captured;

thread_local! {
    /// The app's `redact` patterns, each as a global copy: every match in a captured message,
    /// stack or cause becomes `[redacted]`.
    static PATTERNS: std::cell::RefCell<Vec<js_sys::RegExp>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Whether a `redact` value that is not a RegExp was said.
    static WARNED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[wasm_bindgen]
extern "C" {
    /// `console.warn`, caught: a page's console that throws is not ours to report.
    #[wasm_bindgen(catch, js_namespace = console, js_name = warn)]
    fn console_warn(message: &str) -> Result<(), JsValue>;
}

/// Says `message` (with the package's prefix), the first time only. (The main module's
/// warnings go through index.js; this module has this one.)
fn warn_once(message: &str) {
    if !WARNED.with(|w| w.replace(true)) {
        let _ = console_warn(message);
    }
}

/// Takes `redact`: an array of `RegExp`s, or one `RegExp` (as an app may write it for a
/// single pattern). Each is copied from its source and flags, read as values, with `g` added:
/// the copy is a plain `RegExp` whatever the page's was (a subclass, a getter that throws), so
/// replacing with it runs no page code. Anything else is left out, said once.
pub fn set_patterns(given: &JsValue) {
    let mut patterns = Vec::new();
    let mut take = |r: JsValue| {
        let copy = r
            .is_instance_of::<js_sys::RegExp>()
            .then(|| (get(&r, "source").as_string(), get(&r, "flags").as_string()));
        let Some((Some(source), Some(mut flags))) = copy else {
            warn_once("[@recoloca/telemetry] redact takes RegExps (an array, or one); other values were left out");
            return;
        };
        // Global, and not sticky (a sticky pattern replaces only at the start of the text).
        flags.retain(|f| f != 'g' && f != 'y');
        flags.push('g');
        if let Ok(r) = new_regexp(&source, &flags) {
            patterns.push(r);
        }
    };
    if js_sys::Array::is_array(given) {
        js_sys::Array::from(given).iter().for_each(&mut take);
    } else if !given.is_undefined() && !given.is_null() {
        take(given.clone());
    }
    PATTERNS.with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            *p = patterns;
        }
    });
}

/// `String.prototype.replace`, read once per text redacted (the page may replace it meanwhile).
fn string_replace() -> Option<js_sys::Function> {
    use js_sys::Reflect;
    let string = Reflect::get(&js_sys::global(), &"String".into()).ok()?;
    let prototype = Reflect::get(&string, &"prototype".into()).ok()?;
    Reflect::get(&prototype, &"replace".into())
        .ok()?
        .dyn_into()
        .ok()
}

/// `text` with every match of the app's patterns replaced by `[redacted]`: the text crosses
/// into the engine once, goes through each pattern there, and comes back once.
fn redact(text: &mut String) {
    PATTERNS.with(|p| {
        let Ok(patterns) = p.try_borrow() else {
            return;
        };
        if patterns.is_empty() {
            return;
        }
        let Some(replace) = string_replace() else {
            return;
        };
        let mut value = JsValue::from_str(text);
        for r in patterns.iter() {
            // Caught (`Reflect.apply`): `replace` goes through `RegExp.prototype`, which a page
            // may have patched; a pattern that fails leaves the text as it was.
            let args = js_sys::Array::of2(r, &"[redacted]".into());
            match js_sys::Reflect::apply(&replace, &value, &args) {
                Ok(replaced) if replaced.is_string() => value = replaced,
                _ => {}
            }
        }
        if let Some(replaced) = value.as_string() {
            *text = replaced;
        }
    });
}

/// Causes read at most (the core keeps no more).
const MAX_CAUSES: usize = 5;

#[wasm_bindgen]
extern "C" {
    /// `RegExp(source, flags)`, caught: a page's subclass may have handed over a source or
    /// flags the constructor refuses.
    #[wasm_bindgen(catch, js_name = RegExp)]
    fn new_regexp(source: &str, flags: &str) -> Result<js_sys::RegExp, JsValue>;

    /// `String(v)`: a value as text, whatever it is (a Symbol too), caught should its
    /// `toString` throw. js-sys has no binding of the global `String` function.
    #[wasm_bindgen(catch, js_name = String)]
    fn string_of(v: &JsValue) -> Result<String, JsValue>;
}

/// The listeners, removed when dropped (`captureErrors: false`).
pub struct Capture {
    _listeners: [EventListener; 2],
}

pub fn listen() -> Option<Capture> {
    let window = web_sys::window()?;
    let capture = EventListenerOptions {
        phase: EventListenerPhase::Capture,
        passive: true,
    };
    Some(Capture {
        _listeners: [
            EventListener::new_with_options(&window, "error", capture, on_error),
            EventListener::new(&window, "unhandledrejection", on_rejection),
        ],
    })
}

/// What was read of one error: owned, because reading it ran page code.
#[derive(Default)]
struct Facts {
    name: String,
    message: String,
    stack: Option<String>,
    causes: Vec<(String, String)>,
    source: Option<(String, f64, f64)>,
}

/// An event from before the listeners were added (see [`crate::replay`]).
pub fn replay(e: &Event) {
    match e.type_().as_str() {
        "error" => on_error(e),
        "unhandledrejection" => on_rejection(e),
        _ => {}
    }
}

fn on_error(e: &Event) {
    let facts = if let Some(e) = e.dyn_ref::<ErrorEvent>() {
        // Without an error, most often a cross-origin script ("Script error."), whose details
        // the browser hides: the event's message.
        let error = e.error();
        let mut f = if error.is_undefined() || error.is_null() {
            read(&error, "Error", Some(string(e, "message")))
        } else {
            read(&error, "Error", None)
        };
        f.source = Some((
            string(e, "filename"),
            f64::from(e.lineno()),
            f64::from(e.colno()),
        ));
        f
    } else {
        // Not an ErrorEvent: a resource (img, script, link…) that failed to load.
        let Some(el) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let attribute = |name: &str| el.get_attribute_node(name).map(|a| string(&a, "value"));
        let url = attribute("src")
            .or_else(|| attribute("href"))
            .unwrap_or_default();
        // As written in the page, perhaps relative: its query goes here (`redact.rs`).
        let url = recoloca_telemetry_core::redact::url_without_query(&url).to_string();
        let mut message = String::from("failed to load <");
        message.push_str(&string(&el, "tagName").to_ascii_lowercase());
        message.push_str("> ");
        message.push_str(&url);
        Facts {
            name: "ResourceError".into(),
            message,
            source: Some((url, 0.0, 0.0)),
            ..Facts::default()
        }
    };
    report(false, facts);
}

fn on_rejection(e: &Event) {
    let Some(e) = e.dyn_ref::<PromiseRejectionEvent>() else {
        return;
    };
    report(true, read(&e.reason(), "UnhandledRejection", None));
}

fn report(rejection: bool, mut f: Facts) {
    redact(&mut f.message);
    if let Some(stack) = &mut f.stack {
        redact(stack);
    }
    for (_, message) in &mut f.causes {
        redact(message);
    }
    let causes: Vec<(&str, &str)> = f
        .causes
        .iter()
        .map(|(n, m)| (n.as_str(), m.as_str()))
        .collect();
    captured(Captured {
        rejection,
        name: &f.name,
        message: &f.message,
        stack: f.stack.as_deref(),
        causes: &causes,
        source: f
            .source
            .as_ref()
            .map(|(file, l, c)| (file.as_str(), *l, *c)),
    });
}

/// `v[key]` as a string, "" when it is none. (Strings are read through one conversion rather
/// than a binding per getter: each binding that returns a string costs the glue its own copy of
/// the conversion.)
fn string(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

/// Whether `v` is shaped like an Error: an object with a string message or stack.
fn error_like(v: &JsValue) -> bool {
    v.is_object() && (get(v, "message").is_string() || get(v, "stack").is_string())
}

/// The name, message, stack and causes of an Error-like value; else `name` with `message`, or
/// (if that is none) the value as text.
fn read(v: &JsValue, name: &str, message: Option<String>) -> Facts {
    if !error_like(v) {
        return Facts {
            name: name.into(),
            message: message.unwrap_or_else(|| text(v)),
            ..Facts::default()
        };
    }
    let mut f = Facts {
        name: get(v, "name")
            .as_string()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Error".into()),
        message: get(v, "message").as_string().unwrap_or_default(),
        stack: get(v, "stack").as_string(),
        ..Facts::default()
    };
    // At most 5 causes; a cycle of causes ends there too.
    let mut cause = get(v, "cause");
    while f.causes.len() < MAX_CAUSES && !cause.is_undefined() && !cause.is_null() {
        if !error_like(&cause) {
            f.causes.push(("Value".into(), text(&cause)));
            break;
        }
        let name = get(&cause, "name")
            .as_string()
            .unwrap_or_else(|| "Error".into());
        let message = get(&cause, "message").as_string().unwrap_or_default();
        f.causes.push((name, message));
        cause = get(&cause, "cause");
    }
    f
}

/// A value as text: strings as they are, objects as JSON, anything else as `String()` does.
fn text(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        return s;
    }
    if v.is_object() {
        if let Some(json) = js_sys::JSON::stringify(v).ok().and_then(|j| j.as_string()) {
            return json;
        }
    }
    string_of(v).unwrap_or_default()
}

//! Page timings in the page: the `PerformanceObserver`s and listeners that feed
//! [`View`] (the arithmetic is the core's, `src/core/src/vitals/`), and the reports it gives
//! when the page is hidden.
//!
//! Each entry type is observed with `buffered: true` (so entries from before the module loaded
//! count), only if the browser lists it in `PerformanceObserver.supportedEntryTypes`: a
//! browser without one (Firefox has no `layout-shift`, WebKit no `largest-contentful-paint`)
//! simply has no such metric. Entries are processed as they arrive, not in an idle callback as
//! web-vitals does, and when the page is hidden every observer's pending records are taken
//! synchronously (`takeRecords()`) before the values are computed.
//!
//! The state is kept here ([`LIVE`]); observer callbacks only feed it, and only the hide
//! reports from it (`crate::report`, on to the main module). What runs while
//! `observePerformance` is on owns the observers and listeners ([`Vitals`]); dropping them
//! (`observePerformance: false`) disconnects them.

use std::cell::RefCell;

use gloo_events::{EventListener, EventListenerOptions};
use js_sys::{Array, Reflect};
use recoloca_telemetry_core::capture::Report;
use recoloca_telemetry_core::json;
use recoloca_telemetry_core::vitals::{FirstInput, Metric, Navigation, Timing, View};
use recoloca_telemetry_core::wire::Labels;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Performance, PerformanceObserver, PerformanceObserverEntryList};

use crate::property::{self, number};
use crate::report;

/// The entry types observed, by source number.
const ENTRY_TYPES: [&str; 5] = [
    "paint",
    "largest-contentful-paint",
    "layout-shift",
    "event",
    "first-input",
];
const PAINT: usize = 0;
const LARGEST_PAINT: usize = 1;
const LAYOUT_SHIFT: usize = 2;
const EVENT: usize = 3;
const FIRST_INPUT: usize = 4;

/// One animation frame callback, cancelled when dropped. (gloo-render's `AnimationFrame` is
/// the same idea; its callback takes the frame's time as a number, a closure signature of its
/// own that the glue would carry only for this.)
#[must_use = "the callback is cancelled as soon as this value is dropped"]
struct Frame {
    id: i32,
    _callback: Closure<dyn FnMut(JsValue)>,
}

impl Frame {
    /// Runs `f` at the next animation frame. `None` without a window.
    fn next(f: impl FnOnce() + 'static) -> Option<Frame> {
        let mut f = Some(f);
        let callback = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(f) = f.take() {
                f()
            }
        });
        let window = web_sys::window()?;
        let id = window
            .request_animation_frame(callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Frame {
            id,
            _callback: callback,
        })
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.cancel_animation_frame(self.id);
        }
    }
}

/// One observer, disconnected when dropped.
struct Observer {
    observer: PerformanceObserver,
    _callback: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// The observers and listeners, owned by the module's running features while
/// `observePerformance` is on.
pub struct Vitals {
    _listeners: Vec<EventListener>,
}

impl Drop for Vitals {
    /// Stops everything, but keeps the view: what was reported stays reported if the timings
    /// are turned on again.
    fn drop(&mut self) {
        let stopped = LIVE.with(|l| {
            let mut l = l.try_borrow_mut().ok()?;
            let live = l.as_mut()?;
            live.on = false;
            Some((std::mem::take(&mut live.observers), live.frames.take()))
        });
        drop(stopped);
    }
}

/// The measuring state.
struct Live {
    view: View,
    /// Each source's observer (by source number), to take its pending records.
    observers: Vec<(usize, Observer)>,
    /// The frames after a bfcache restore, while awaited.
    frames: Option<Frame>,
    /// When the page came back from the bfcache (the `pageshow` event's timeStamp).
    shown: f64,
    /// Whether the observers run (false once [`Vitals`] was dropped).
    on: bool,
}

thread_local! {
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
}

/// Runs `f` on the state while the timings are on (and the state is free).
fn with_live<R>(f: impl FnOnce(&mut Live) -> R) -> Option<R> {
    LIVE.with(|l| l.try_borrow_mut().ok()?.as_mut().filter(|l| l.on).map(f))
}

fn performance() -> Option<Performance> {
    web_sys::window()?.performance()
}

/// `performance.interactionCount`, where the browser has it.
fn interaction_count() -> Option<f64> {
    let n = number(&performance()?.into(), "interactionCount");
    n.is_finite().then_some(n)
}

/// The navigation entry (web-sys's `PerformanceNavigationTiming` lacks `activationStart`, so
/// its fields are read by name).
fn navigation_entry() -> Option<JsValue> {
    let entries = performance()?.get_entries_by_type("navigation");
    let first = entries.get(0);
    (!first.is_undefined()).then_some(first)
}

/// Entry types the browser can observe, by source number (none where there is no
/// `PerformanceObserver`, which web-sys would assume).
fn supported() -> [bool; 5] {
    let all = Reflect::get(&js_sys::global(), &"PerformanceObserver".into())
        .and_then(|po| Reflect::get(&po, &"supportedEntryTypes".into()))
        .ok()
        .and_then(|v| v.dyn_into::<Array>().ok());
    let mut out = [false; 5];
    if let Some(all) = all {
        for (on, t) in out.iter_mut().zip(ENTRY_TYPES) {
            *on = all.includes(&JsValue::from_str(t), 0);
        }
    }
    out
}

/// Starts the observers and listeners. `None` outside a browser.
pub fn start() -> Option<Vitals> {
    let window = web_sys::window()?;
    let document = window.document()?;
    let nav = navigation_entry().unwrap_or(JsValue::UNDEFINED);
    let activation = number(&nav, "activationStart");
    let kind = property::text(&nav, "type").unwrap_or_default();
    let flag = |key: &str| property::is_true(&document, key);
    let prerendering = flag("prerendering");
    // When the page was first hidden before we started: the browser's record of an earlier
    // hide (`visibility-state` entries, where available), else 0 if it is hidden now (loaded
    // in the background), else never. A prerendering page is hidden without being hidden
    // from anyone.
    let hidden_at = performance()
        .map(|p| p.get_entries_by_type("visibility-state"))
        .and_then(|entries| {
            entries.iter().find_map(|e| {
                let hidden = property::text(&e, "name").as_deref() == Some("hidden");
                let start = number(&e, "startTime");
                (hidden && start >= activation.max(0.0)).then_some(start)
            })
        });
    let first_hidden = if prerendering {
        f64::INFINITY
    } else if let Some(at) = hidden_at {
        at
    } else if document.visibility_state() == web_sys::VisibilityState::Hidden {
        0.0
    } else {
        f64::INFINITY
    };
    let mut view = View::new(
        Navigation::from_entry(
            &kind,
            prerendering || activation > 0.0,
            flag("wasDiscarded"),
        ),
        first_hidden,
    );
    let supported = supported();
    // INP needs event entries with an interactionId (web-sys has no PerformanceEventTiming).
    let inp = Reflect::get(&js_sys::global(), &"PerformanceEventTiming".into())
        .and_then(|t| Reflect::get(&t, &"prototype".into()))
        .and_then(|p| Reflect::has(&p, &"interactionId".into()))
        .unwrap_or(false);
    if !inp {
        view.without(Metric::Inp);
    }
    // Without paint or LCP entries (WebKit has no `largest-contentful-paint`) the first view
    // has no such value anyway; marked absent, a bfcache restore does not time one from
    // animation frames either, as web-vitals does not: a restored view's paints are only
    // reported where the browser measures them for a load.
    for (source, metric) in [
        (LAYOUT_SHIFT, Metric::Cls),
        (PAINT, Metric::Fcp),
        (LARGEST_PAINT, Metric::Lcp),
    ] {
        if !supported.get(source).copied().unwrap_or(false) {
            view.without(metric);
        }
    }
    // A restart (turned off and on again) keeps what was already reported: the buffered
    // entries replayed into the new view would otherwise be reported twice. The state is in
    // place before any observer exists: a browser that calls back from within observe() (old
    // Safari did) finds it.
    let old = LIVE.with(|l| {
        let mut l = l.try_borrow_mut().ok()?;
        if let Some(old) = l.as_ref() {
            view.carry_over(&old.view);
        }
        l.replace(Live {
            view,
            observers: Vec::new(),
            frames: None,
            shown: 0.0,
            on: true,
        })
    });
    drop(old);
    let native_count = interaction_count().is_some();
    for (source, &on) in supported.iter().enumerate() {
        if !on || (source == EVENT && !inp) {
            continue;
        }
        // Candidates are event entries of 40 ms or more; without performance.interactionCount,
        // the shorter ones (down to the 16 ms minimum) are needed too, to estimate the count.
        let threshold = match (source == EVENT, native_count) {
            (false, _) => 0.0,
            (true, true) => 40.0,
            (true, false) => 16.0,
        };
        if let Some(o) = observe(source, threshold) {
            with_live(|live| live.observers.push((source, o)));
        }
    }
    let capture = EventListenerOptions::run_in_capture_phase();
    let input = |e: &web_sys::Event| {
        if e.is_trusted() {
            on_input()
        }
    };
    let listeners = vec![
        EventListener::new_with_options(&window, "keydown", capture, input),
        EventListener::new_with_options(&window, "click", capture, input),
        EventListener::new_with_options(&window, "pageshow", capture, |e| {
            if property::is_true(e, "persisted") {
                on_restore(e.time_stamp());
            }
        }),
    ];
    Some(Vitals {
        _listeners: listeners,
    })
}

/// A buffered observer of entry type `source`.
fn observe(source: usize, threshold: f64) -> Option<Observer> {
    // Taking a plain value, the callback shares its glue with wasm-bindgen-futures' callbacks
    // (one copy per closure signature).
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |list: JsValue| {
        let entries = list
            .unchecked_into::<PerformanceObserverEntryList>()
            .get_entries();
        with_live(|live| feed_view(&mut live.view, source, &entries));
    });
    let observer = PerformanceObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    // web-sys's PerformanceObserverInit has no `type` (needed with `buffered`), nor
    // `durationThreshold`: the options are a plain object.
    let options = js_sys::Object::new();
    let set = |k: &str, v: JsValue| Reflect::set(&options, &JsValue::from_str(k), &v);
    let _ = set("type", JsValue::from_str(ENTRY_TYPES.get(source)?));
    let _ = set("buffered", JsValue::TRUE);
    if threshold > 0.0 {
        let _ = set("durationThreshold", JsValue::from_f64(threshold));
    }
    // Called as a function, caught: `observe()` throws for an entry type the browser does not
    // know, and web-sys's binding of it would let that pass through the module.
    let observe = Reflect::get(&observer, &"observe".into()).ok()?;
    observe
        .dyn_ref::<js_sys::Function>()?
        .call1(&observer, &options)
        .ok()?;
    Some(Observer {
        observer,
        _callback: callback,
    })
}

/// Entry types observed now (for the browser tests).
pub fn observed() -> Vec<&'static str> {
    with_live(|live| {
        let mut sources: Vec<usize> = live.observers.iter().map(|(s, _)| *s).collect();
        sources.sort_unstable();
        sources
            .into_iter()
            .filter_map(|s| ENTRY_TYPES.get(s).copied())
            .collect()
    })
    .unwrap_or_default()
}

fn feed_view(view: &mut View, source: usize, entries: &Array) {
    for e in entries.iter() {
        let start = number(&e, "startTime");
        let duration = number(&e, "duration");
        match source {
            PAINT if property::text(&e, "name").as_deref() == Some("first-contentful-paint") => {
                view.contentful_paint(start)
            }
            LARGEST_PAINT => view.largest_paint(start),
            LAYOUT_SHIFT => {
                let recent = property::is_true(&e, "hadRecentInput");
                view.layout_shift(start, number(&e, "value"), recent)
            }
            EVENT => view.event(number(&e, "interactionId"), duration),
            FIRST_INPUT => view.first_input(FirstInput {
                start,
                processing_start: number(&e, "processingStart"),
                duration,
                interaction_id: number(&e, "interactionId"),
            }),
            _ => {}
        }
    }
}

/// Takes every observer's pending records (those of `only`, if given) into the view.
fn take_pending(live: &mut Live, only: Option<usize>) {
    let Live {
        view, observers, ..
    } = live;
    for (source, o) in observers.iter() {
        if only.is_none_or(|s| s == *source) {
            feed_view(view, *source, &o.observer.take_records());
        }
    }
}

/// The first trusted keydown or click makes LCP final (the browser stops reporting candidates
/// at input too); the candidates painted before it that are still pending are taken first.
fn on_input() {
    with_live(|live| {
        if !live.view.lcp_is_final() {
            take_pending(live, Some(LARGEST_PAINT));
            live.view.input();
        }
    });
}

/// A restore from the back/forward cache (`pageshow` at `shown`) begins a new view (see
/// [`View::restore`]); its FCP and LCP are the time to the second frame after it.
fn on_restore(shown: f64) {
    let count = interaction_count();
    let first = Frame::next(|| {
        let second = Frame::next(|| {
            let now = performance().map_or(f64::NAN, |p| p.now());
            with_live(|live| live.view.painted_after_restore(now - live.shown));
        });
        with_live(|live| live.frames = second);
    });
    with_live(|live| {
        live.view.restore(count);
        live.shown = shown;
        live.frames = first;
    });
}

/// What the navigation entry and `performance` say now.
fn timing() -> Timing {
    // Without an entry, all 0: what an entry has for the marks not reached yet.
    let nav = navigation_entry();
    let read = |key: &str| nav.as_ref().map_or(0.0, |n| number(n, key));
    Timing {
        now: performance().map_or(f64::NAN, |p| p.now()),
        activation_start: read("activationStart").max(0.0),
        fetch_start: read("fetchStart"),
        response_start: read("responseStart"),
        dom_content_loaded_end: read("domContentLoadedEventEnd"),
        load_event_end: read("loadEventEnd"),
        interaction_count: interaction_count(),
    }
}

/// The page is being hidden or left (called before the client hears of it): pending entries
/// are taken, and every timing of this view not yet reported is handed over as a metric.
pub fn on_hide() {
    let timing = timing();
    let reports = with_live(|live| {
        live.view.hidden(timing.now);
        take_pending(live, None);
        let nav = live.view.navigation().label();
        let mut reports = Vec::new();
        live.view
            .reports(&timing, |r| reports.push((r.name, r.value, r.rating, nav)));
        reports
    });
    let mut out = Vec::new();
    for (name, value, rating, nav) in reports.unwrap_or_default() {
        // A metric without thresholds has no rating label.
        let rated = [
            ("rating", rating.map_or("", |r| r.label())),
            ("navigation_type", nav),
        ];
        let labels = if rating.is_some() {
            &rated[..]
        } else {
            &rated[1..]
        };
        let mut labels_json = Vec::new();
        json::write(
            &mut labels_json,
            &Labels(labels),
            crate::number::engine_number,
        );
        out.push(Report::Metric {
            name,
            value,
            labels_json: String::from_utf8(labels_json).unwrap_or_default(),
        });
    }
    report::emit(out);
}

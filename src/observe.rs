//! Browser glue of the page timings: the `PerformanceObserver`s and listeners that feed
//! [`crate::vitals::View`], and the reports it gives when the page is hidden.
//!
//! Each entry type is observed with `buffered: true` (so entries from before the module loaded
//! count), only if the browser lists it in `PerformanceObserver.supportedEntryTypes`: a
//! browser without one (Firefox has no `layout-shift`) simply has no such metric. Entries are
//! processed as they arrive, not in an idle callback as web-vitals does, and when the page is
//! hidden every observer's pending records are taken synchronously (`takeRecords()`) before
//! the values are computed. [`on_hide`] runs first thing in the page-exit handling
//! (`exit::on_exit`), so the reports are in the batch that exit sends.
//!
//! The state lives in its own thread-local ([`LIVE`]), not in the client, so an observer
//! callback never needs the client; only the hide (which records) and the first input (which
//! takes the LCP records) run with it. The client owns the observers and listeners
//! ([`Vitals`]); dropping them (`observePerformance: false`) disconnects and removes them.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, Performance, VisibilityState};

use crate::client::Client;
use crate::listen::Listener;
use crate::vitals::{self, FirstInput, Navigation, Timing, View};

#[wasm_bindgen]
extern "C" {
    /// A `PerformanceObserver` (constructed through `Reflect` once it is known to exist).
    #[wasm_bindgen(extends = Object)]
    type Po;
    #[wasm_bindgen(method, catch)]
    fn observe(this: &Po, options: &Object) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    fn disconnect(this: &Po);
    #[wasm_bindgen(method, js_name = takeRecords)]
    fn take_records(this: &Po) -> Array;

    type EntryList;
    #[wasm_bindgen(method, js_name = getEntries)]
    fn get_entries(this: &EntryList) -> Array;

    /// Any performance entry; each reads only the fields its type has. Missing fields are
    /// `None` (never a thrown conversion).
    type Entry;
    #[wasm_bindgen(method, getter)]
    fn name(this: &Entry) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = startTime)]
    fn start_time(this: &Entry) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn duration(this: &Entry) -> Option<f64>;
    #[wasm_bindgen(method, getter)]
    fn value(this: &Entry) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = hadRecentInput)]
    fn had_recent_input(this: &Entry) -> Option<bool>;
    #[wasm_bindgen(method, getter, js_name = interactionId)]
    fn interaction_id(this: &Entry) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = processingStart)]
    fn processing_start(this: &Entry) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = fetchStart)]
    fn fetch_start(this: &Entry) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = responseStart)]
    fn response_start(this: &Entry) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = domContentLoadedEventEnd)]
    fn dom_content_loaded_end(this: &Entry) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = loadEventEnd)]
    fn load_event_end(this: &Entry) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = activationStart)]
    fn activation_start(this: &Entry) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = type)]
    fn kind(this: &Entry) -> Option<String>;

    /// `pageshow`'s event.
    type Transition;
    #[wasm_bindgen(method, getter)]
    fn persisted(this: &Transition) -> Option<bool>;
}

/// What an observer watches, and how its entries feed the view.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Paint,
    LargestPaint,
    LayoutShift,
    Event,
    FirstInput,
}

impl Source {
    const ALL: [Source; 5] = [
        Source::Paint,
        Source::LargestPaint,
        Source::LayoutShift,
        Source::Event,
        Source::FirstInput,
    ];

    fn entry_type(self) -> &'static str {
        match self {
            Source::Paint => "paint",
            Source::LargestPaint => "largest-contentful-paint",
            Source::LayoutShift => "layout-shift",
            Source::Event => "event",
            Source::FirstInput => "first-input",
        }
    }
}

/// A `PerformanceObserver` of one entry type, disconnected when dropped.
#[must_use = "the observer is disconnected as soon as this value is dropped"]
struct Observer {
    po: Po,
    _callback: Closure<dyn FnMut(EntryList)>,
}

impl Observer {
    /// Observes `source` (buffered), or `None` if the browser cannot.
    fn new(source: Source, duration_threshold: Option<f64>) -> Option<Observer> {
        let ctor = Reflect::get(&js_sys::global(), &"PerformanceObserver".into()).ok()?;
        let callback = Closure::<dyn FnMut(EntryList)>::new(move |list: EntryList| {
            feed(source, &list.get_entries());
        });
        let args = Array::of1(callback.as_ref());
        let po: Po = Reflect::construct(ctor.dyn_ref::<Function>()?, &args)
            .ok()?
            .unchecked_into();
        let options = Object::new();
        set(&options, "type", &source.entry_type().into());
        set(&options, "buffered", &true.into());
        if let Some(ms) = duration_threshold {
            set(&options, "durationThreshold", &ms.into());
        }
        po.observe(&options).ok()?;
        Some(Observer {
            po,
            _callback: callback,
        })
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.po.disconnect();
    }
}

fn set(o: &Object, key: &str, v: &JsValue) {
    let _ = Reflect::set(o, &key.into(), v);
}

/// Two animation frames from now, `f` runs (web-vitals' `doubleRAF`: by then the restored page
/// has been presented). Cancelled when dropped.
struct Frames {
    handle: Rc<Cell<i32>>,
    _first: Closure<dyn FnMut()>,
    _second: Closure<dyn FnMut()>,
}

impl Frames {
    fn new(f: impl FnMut() + 'static) -> Option<Frames> {
        let window = web_sys::window()?;
        let second = Closure::<dyn FnMut()>::new(f);
        let second_fn: Function = second.as_ref().clone().unchecked_into();
        let handle = Rc::new(Cell::new(0));
        let h = handle.clone();
        let first = Closure::<dyn FnMut()>::new(move || {
            if let Some(w) = web_sys::window() {
                h.set(w.request_animation_frame(&second_fn).unwrap_or(0));
            }
        });
        handle.set(
            window
                .request_animation_frame(first.as_ref().unchecked_ref())
                .ok()?,
        );
        Some(Frames {
            handle,
            _first: first,
            _second: second,
        })
    }
}

impl Drop for Frames {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.cancel_animation_frame(self.handle.get());
        }
    }
}

/// The observers and listeners, owned by the client while `observePerformance` is on.
pub struct Vitals {
    _observers: Vec<Observer>,
    _listeners: Vec<Listener>,
}

impl Drop for Vitals {
    /// Stops everything, but keeps the view: what was reported stays reported if the timings
    /// are turned on again.
    fn drop(&mut self) {
        with_live(|live| {
            live.takers.clear();
            live.frames = None;
            live.on = false;
        });
    }
}

/// The measuring state.
struct Live {
    view: View,
    /// Each observer's `PerformanceObserver`, to take its pending records.
    takers: Vec<(Source, Po)>,
    /// Whether `first-input` entries are INP candidates (the browser has interaction ids).
    inp: bool,
    /// The frames after a bfcache restore, while awaited.
    frames: Option<Frames>,
    /// Whether the observers run (false once [`Vitals`] was dropped).
    on: bool,
}

thread_local! {
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
}

/// Runs `f` on the state if there is one and it is free.
fn with_live<R>(f: impl FnOnce(&mut Live) -> R) -> Option<R> {
    LIVE.try_with(|cell| {
        let mut guard = cell.try_borrow_mut().ok()?;
        guard.as_mut().map(f)
    })
    .ok()
    .flatten()
}

fn performance() -> Option<Performance> {
    web_sys::window()?.performance()
}

fn now() -> f64 {
    performance().map_or(f64::NAN, |p| p.now())
}

fn navigation_entry() -> Option<Entry> {
    let first = performance()?.get_entries_by_type("navigation").get(0);
    (!first.is_undefined()).then(|| first.unchecked_into())
}

fn global_flag(target: &JsValue, key: &str) -> bool {
    Reflect::get(target, &key.into())
        .ok()
        .and_then(|v| v.as_bool())
        == Some(true)
}

/// `performance.interactionCount`, where the browser has it.
fn interaction_count() -> Option<f64> {
    Reflect::get(performance()?.as_ref(), &"interactionCount".into())
        .ok()?
        .as_f64()
}

/// Whether event entries carry `interactionId` (web-vitals' condition for INP).
fn has_interaction_ids() -> bool {
    let Ok(timing) = Reflect::get(&js_sys::global(), &"PerformanceEventTiming".into()) else {
        return false;
    };
    Reflect::get(&timing, &"prototype".into())
        .ok()
        .filter(|p| p.is_object())
        .is_some_and(|p| Reflect::has(&p, &"interactionId".into()).unwrap_or(false))
}

fn supported_entry_types() -> Array {
    Reflect::get(&js_sys::global(), &"PerformanceObserver".into())
        .and_then(|po| Reflect::get(&po, &"supportedEntryTypes".into()))
        .ok()
        .and_then(|v| v.dyn_into::<Array>().ok())
        .unwrap_or_default()
}

/// When the page was first hidden before we started: 0 if it is hidden now (loaded in the
/// background), the browser's record of an earlier hide (`visibility-state` entries, where
/// available), or never. A prerendering page is hidden without having been hidden from anyone.
fn first_hidden_at_start(activation_start: f64) -> f64 {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return f64::INFINITY;
    };
    let prerendering = global_flag(&document, "prerendering");
    let recorded = performance().and_then(|p| {
        if prerendering {
            return None;
        }
        p.get_entries_by_type("visibility-state")
            .iter()
            .map(JsValue::unchecked_into::<Entry>)
            .filter(|e| e.name().as_deref() == Some("hidden"))
            .filter_map(|e| e.start_time())
            .find(|t| *t >= activation_start)
    });
    recorded.unwrap_or(
        if document.visibility_state() == VisibilityState::Hidden && !prerendering {
            0.0
        } else {
            f64::INFINITY
        },
    )
}

/// Starts the observers and listeners. `None` outside a browser.
pub fn start() -> Option<Vitals> {
    let window = web_sys::window()?;
    performance()?;
    let nav = navigation_entry();
    let activation = nav
        .as_ref()
        .and_then(Entry::activation_start)
        .unwrap_or(0.0);
    let prerendered = activation > 0.0
        || window
            .document()
            .is_some_and(|d| global_flag(&d, "prerendering"));
    let discarded = window
        .document()
        .is_some_and(|d| global_flag(&d, "wasDiscarded"));
    let kind = nav.as_ref().and_then(Entry::kind).unwrap_or_default();
    let mut view = View::new(
        Navigation::from_entry(&kind, prerendered, discarded),
        first_hidden_at_start(activation),
    );
    let supported = supported_entry_types();
    let inp = has_interaction_ids();
    if !inp {
        view.without(vitals::INP);
    }
    if !supported.includes(&"layout-shift".into(), 0) {
        view.without(vitals::CLS);
    }
    // A restart (turned off and on again) keeps what was already reported: the buffered
    // entries replayed into the new view would otherwise be reported twice.
    let previous = LIVE
        .try_with(|cell| cell.try_borrow_mut().ok().and_then(|mut l| l.take()))
        .ok()
        .flatten();
    if let Some(old) = previous {
        view.carry_over(&old.view);
    }
    // The state is in place before any observer exists: a browser that calls back from
    // within observe() (old Safari did) finds it.
    LIVE.try_with(|cell| {
        if let Ok(mut l) = cell.try_borrow_mut() {
            *l = Some(Live {
                view,
                takers: Vec::new(),
                inp,
                frames: None,
                on: true,
            });
        }
    })
    .ok()?;
    let native_count = interaction_count().is_some();
    let mut observers = Vec::new();
    for source in Source::ALL {
        if !supported.includes(&source.entry_type().into(), 0) || (source == Source::Event && !inp)
        {
            continue;
        }
        // Candidates are event entries of 40 ms or more; without performance.interactionCount,
        // the shorter ones (down to the 16 ms minimum) are needed too, to estimate the count.
        let threshold = (source == Source::Event).then_some(if native_count { 40.0 } else { 16.0 });
        if let Some(o) = Observer::new(source, threshold) {
            let po: Po = o.po.clone().unchecked_into();
            with_live(|live| live.takers.push((source, po)));
            observers.push(o);
        }
    }
    let listeners = vec![
        Listener::new(&window, "keydown", true, on_input),
        Listener::new(&window, "click", true, on_input),
        Listener::new(&window, "pageshow", true, on_pageshow),
    ];
    Some(Vitals {
        _observers: observers,
        _listeners: listeners,
    })
}

/// Entry types observed now (for the browser tests).
#[doc(hidden)]
pub fn observed() -> Vec<&'static str> {
    with_live(|live| {
        live.takers
            .iter()
            .map(|(s, _)| s.entry_type())
            .collect::<Vec<_>>()
    })
    .unwrap_or_default()
}

/// Entries of `source`, from an observer callback or taken at a hide.
fn feed(source: Source, entries: &Array) {
    with_live(|live| feed_live(live, source, entries));
}

fn feed_live(live: &mut Live, source: Source, entries: &Array) {
    if !live.on {
        return;
    }
    for e in entries.iter() {
        let e: Entry = e.unchecked_into();
        let start = e.start_time().unwrap_or(f64::NAN);
        let view = &mut live.view;
        match source {
            Source::Paint => view.paint(&e.name().unwrap_or_default(), start),
            Source::LargestPaint => view.largest_paint(start),
            Source::LayoutShift => view.layout_shift(
                start,
                e.value().unwrap_or(0.0),
                e.had_recent_input().unwrap_or(false),
            ),
            Source::Event => view.event(
                e.interaction_id().unwrap_or(0.0),
                e.duration().unwrap_or(f64::NAN),
            ),
            Source::FirstInput => view.first_input(
                FirstInput {
                    start,
                    processing_start: e.processing_start().unwrap_or(f64::NAN),
                    duration: e.duration().unwrap_or(f64::NAN),
                    interaction_id: e.interaction_id().unwrap_or(0.0),
                },
                live.inp,
            ),
        }
    }
}

/// Takes every observer's pending records (those of `only`, if given) into the view.
fn take_pending(live: &mut Live, only: Option<Source>) {
    let pending: Vec<(Source, Array)> = live
        .takers
        .iter()
        .filter(|(s, _)| only.is_none_or(|o| o == *s))
        .map(|(s, po)| (*s, po.take_records()))
        .collect();
    for (source, entries) in pending {
        feed_live(live, source, &entries);
    }
}

/// The first trusted keydown or click makes LCP final (the browser stops reporting candidates
/// at input too); the candidates painted before it that are still pending are taken first.
fn on_input(e: Event) {
    if !e.is_trusted() {
        return;
    }
    with_live(|live| {
        if live.on && !live.view.lcp_is_final() {
            take_pending(live, Some(Source::LargestPaint));
            live.view.input();
        }
    });
}

/// A restore from the back/forward cache begins a new view (see [`View::restore`]); its FCP
/// and LCP are the time to the second frame after `pageshow`.
fn on_pageshow(e: Event) {
    let persisted = e.unchecked_ref::<Transition>().persisted() == Some(true);
    if !persisted {
        return;
    }
    let shown = e.time_stamp();
    with_live(|live| {
        if !live.on {
            return;
        }
        live.view.restore(interaction_count());
        live.frames = Frames::new(move || {
            let painted = now() - shown;
            with_live(|live| live.view.painted_after_restore(painted));
        });
    });
}

/// What the navigation entry and `performance` say now.
fn timing() -> Timing {
    let nav = navigation_entry();
    let get = |f: fn(&Entry) -> Option<f64>| nav.as_ref().and_then(f).unwrap_or(f64::NAN);
    Timing {
        now: now(),
        activation_start: nav
            .as_ref()
            .and_then(Entry::activation_start)
            .unwrap_or(0.0),
        fetch_start: get(Entry::fetch_start),
        response_start: get(Entry::response_start),
        dom_content_loaded_end: get(Entry::dom_content_loaded_end),
        load_event_end: get(Entry::load_event_end),
        interaction_count: interaction_count(),
    }
}

/// The page is being hidden or left (called by `exit::on_exit` before it seals the streams):
/// pending entries are taken, and every timing of this view not yet reported goes into the
/// metrics stream.
pub fn on_hide(c: &mut Client) {
    let reports = with_live(|live| {
        if !live.on {
            return None;
        }
        live.view.hidden(now());
        take_pending(live, None);
        Some((live.view.reports(&timing()), live.view.navigation().label()))
    });
    let Some(Some((reports, navigation))) = reports else {
        return;
    };
    let nav = ("navigation_type", navigation);
    for r in reports {
        match r.rating {
            Some(rating) => c.record(r.name, r.value, &[("rating", rating.label()), nav]),
            None => c.record(r.name, r.value, &[nav]),
        };
    }
}

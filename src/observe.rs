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
//! The state lives in its own thread-local ([`LIVE`]), not in the client, so observer
//! callbacks and listeners never borrow the client; only the hide, which records, runs with it
//! (called from page exit, which holds it already). The client owns the observers and
//! listeners ([`Vitals`]); dropping them (`observePerformance: false`) disconnects and removes
//! them.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Event, Performance, VisibilityState};

use crate::client::Client;
use crate::listen::Listener;
use crate::page::global;
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

}

/// A number property of a performance entry or event; NaN where it has none (a field its type
/// lacks, or a browser without it). One `Reflect.get` path for every field keeps the module
/// smaller than one import per field would.
fn num(v: &JsValue, key: &str) -> f64 {
    Reflect::get(v, &key.into())
        .ok()
        .and_then(|x| x.as_f64())
        .unwrap_or(f64::NAN)
}

fn text(v: &JsValue, key: &str) -> Option<String> {
    Reflect::get(v, &key.into()).ok()?.as_string()
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
        let ctor = crate::page::global("PerformanceObserver");
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
        let window = crate::page::window()?;
        let second = Closure::<dyn FnMut()>::new(f);
        let second_fn: Function = second.as_ref().clone().unchecked_into();
        let handle = Rc::new(Cell::new(0));
        let h = handle.clone();
        let first = Closure::<dyn FnMut()>::new(move || {
            if let Some(w) = crate::page::window() {
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
        if let Some(w) = crate::page::window() {
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

static LIVE: crate::Local<RefCell<Option<Live>>> = crate::Local(RefCell::new(None));

/// Runs `f` on the state while the timings are on (and the state is free).
fn with_live<R>(f: impl FnOnce(&mut Live) -> R) -> Option<R> {
    let mut guard = LIVE.0.try_borrow_mut().ok()?;
    guard.as_mut().filter(|l| l.on).map(f)
}

fn performance() -> Option<Performance> {
    crate::page::window()?.performance()
}

fn now() -> f64 {
    performance().map_or(f64::NAN, |p| p.now())
}

/// The navigation entry (`undefined` where the browser has none: every field is then NaN).
fn navigation_entry() -> JsValue {
    performance().map_or(JsValue::UNDEFINED, |p| {
        p.get_entries_by_type("navigation").get(0)
    })
}

fn flag(target: &JsValue, key: &str) -> bool {
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
    let proto = Reflect::get(&global("PerformanceEventTiming"), &"prototype".into());
    proto
        .ok()
        .filter(JsValue::is_object)
        .is_some_and(|p| Reflect::has(&p, &"interactionId".into()).unwrap_or(false))
}

/// When the page was first hidden before we started: the browser's record of an earlier hide
/// (`visibility-state` entries, where available), else 0 if it is hidden now (loaded in the
/// background), else never. A prerendering page is hidden without being hidden from anyone.
fn first_hidden_at_start(document: &Document, prerendering: bool, activation: f64) -> f64 {
    if !prerendering {
        if let Some(p) = performance() {
            for e in p.get_entries_by_type("visibility-state").iter() {
                let t = num(&e, "startTime");
                if text(&e, "name").as_deref() == Some("hidden") && t >= activation {
                    return t;
                }
            }
        }
        if document.visibility_state() == VisibilityState::Hidden {
            return 0.0;
        }
    }
    f64::INFINITY
}

/// Starts the observers and listeners. `None` outside a browser.
pub fn start() -> Option<Vitals> {
    let window = crate::page::window()?;
    let document = window.document()?;
    let nav = navigation_entry();
    let activation = num(&nav, "activationStart").max(0.0);
    let prerendering = flag(&document, "prerendering");
    let mut view = View::new(
        Navigation::from_entry(
            &text(&nav, "type").unwrap_or_default(),
            prerendering || activation > 0.0,
            flag(&document, "wasDiscarded"),
        ),
        first_hidden_at_start(&document, prerendering, activation),
    );
    let supported = Reflect::get(
        &global("PerformanceObserver"),
        &"supportedEntryTypes".into(),
    )
    .ok()
    .and_then(|v| v.dyn_into::<Array>().ok())
    .unwrap_or_default();
    let inp = has_interaction_ids();
    if !inp {
        view.without(vitals::INP);
    }
    if !supported.includes(&"layout-shift".into(), 0) {
        view.without(vitals::CLS);
    }
    // A restart (turned off and on again) keeps what was already reported: the buffered
    // entries replayed into the new view would otherwise be reported twice. The state is in
    // place before any observer exists: a browser that calls back from within observe() (old
    // Safari did) finds it.
    {
        let mut live = LIVE.0.try_borrow_mut().ok()?;
        if let Some(old) = live.as_ref() {
            view.carry_over(&old.view);
        }
        *live = Some(Live {
            view,
            takers: Vec::new(),
            inp,
            frames: None,
            on: true,
        });
    }
    let native_count = interaction_count().is_some();
    let mut observers = Vec::new();
    for source in Source::ALL {
        let event = source == Source::Event;
        if !supported.includes(&source.entry_type().into(), 0) || (event && !inp) {
            continue;
        }
        // Candidates are event entries of 40 ms or more; without performance.interactionCount,
        // the shorter ones (down to the 16 ms minimum) are needed too, to estimate the count.
        let threshold = event.then_some(if native_count { 40.0 } else { 16.0 });
        if let Some(o) = Observer::new(source, threshold) {
            let po: Po = o.po.clone().unchecked_into();
            with_live(|live| live.takers.push((source, po)));
            observers.push(o);
        }
    }
    let listeners = alloc::vec![
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
pub fn observed() -> Vec<&'static str> {
    with_live(|live| live.takers.iter().map(|(s, _)| s.entry_type()).collect()).unwrap_or_default()
}

/// Entries of `source`, from an observer callback.
fn feed(source: Source, entries: &Array) {
    with_live(|live| feed_view(&mut live.view, live.inp, source, entries));
}

fn feed_view(view: &mut View, inp: bool, source: Source, entries: &Array) {
    for e in entries.iter() {
        let start = num(&e, "startTime");
        match source {
            Source::Paint => view.paint(&text(&e, "name").unwrap_or_default(), start),
            Source::LargestPaint => view.largest_paint(start),
            Source::LayoutShift => {
                view.layout_shift(start, num(&e, "value"), flag(&e, "hadRecentInput"))
            }
            Source::Event => view.event(num(&e, "interactionId"), num(&e, "duration")),
            Source::FirstInput => view.first_input(
                FirstInput {
                    start,
                    processing_start: num(&e, "processingStart"),
                    duration: num(&e, "duration"),
                    interaction_id: num(&e, "interactionId"),
                },
                inp,
            ),
        }
    }
}

/// Takes every observer's pending records (those of `only`, if given) into the view.
fn take_pending(live: &mut Live, only: Option<Source>) {
    let Live {
        view, takers, inp, ..
    } = live;
    for (source, po) in takers.iter() {
        if only.is_none_or(|o| o == *source) {
            feed_view(view, *inp, *source, &po.take_records());
        }
    }
}

/// The first trusted keydown or click makes LCP final (the browser stops reporting candidates
/// at input too); the candidates painted before it that are still pending are taken first.
fn on_input(e: Event) {
    if !e.is_trusted() {
        return;
    }
    with_live(|live| {
        if !live.view.lcp_is_final() {
            take_pending(live, Some(Source::LargestPaint));
            live.view.input();
        }
    });
}

/// A restore from the back/forward cache begins a new view (see [`View::restore`]); its FCP
/// and LCP are the time to the second frame after `pageshow`.
fn on_pageshow(e: Event) {
    if !flag(&e, "persisted") {
        return;
    }
    let shown = e.time_stamp();
    with_live(|live| {
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
    Timing {
        now: now(),
        activation_start: num(&nav, "activationStart").max(0.0),
        fetch_start: num(&nav, "fetchStart"),
        response_start: num(&nav, "responseStart"),
        dom_content_loaded_end: num(&nav, "domContentLoadedEventEnd"),
        load_event_end: num(&nav, "loadEventEnd"),
        interaction_count: interaction_count(),
    }
}

/// The page is being hidden or left (called by `exit::on_exit` before it seals the streams):
/// pending entries are taken, and every timing of this view not yet reported goes into the
/// metrics stream.
#[inline(never)]
pub fn on_hide(c: &mut Client) {
    let reports = with_live(|live| {
        live.view.hidden(now());
        take_pending(live, None);
        (live.view.reports(&timing()), live.view.navigation().label())
    });
    let Some((reports, navigation)) = reports else {
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

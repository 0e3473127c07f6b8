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
//! The state lives in its own static ([`LIVE`]), not in the client, so observer
//! callbacks and listeners never borrow the client; only the hide, which records, runs with it
//! (called from page exit, which holds it already). The client owns the observers and
//! listeners ([`Vitals`]); dropping them (`observePerformance: false`) disconnects and removes
//! them.

use alloc::vec::Vec;
use core::cell::RefCell;

use crate::client::Client;
use crate::listen::Hold;
use crate::page;
use crate::vitals::{FirstInput, Metric, Navigation, Timing, View};
use crate::wake;

/// The entry types observed, by source number (the order of `ENTRY_TYPES` in page.js).
const ENTRY_TYPES: [&str; 5] = [
    "paint",
    "largest-contentful-paint",
    "layout-shift",
    "event",
    "first-input",
];
const PAINT: u32 = 0;
const LARGEST_PAINT: u32 = 1;
const LAYOUT_SHIFT: u32 = 2;
const EVENT: u32 = 3;
/// Numbers page.js stages per entry: startTime, duration, value, interactionId,
/// processingStart, hadRecentInput, and whether it is the first contentful paint.
const STRIDE: usize = 7;

/// The observers and listeners, owned by the client while `observePerformance` is on.
pub struct Vitals {
    /// The input and restore listeners, then the observers.
    _held: Vec<Hold>,
}

// A build without page timings (the slim entry) never makes a `Vitals`, but its client still
// has the field; without this impl there, the field's drop costs no code.
#[cfg(feature = "timings")]
impl Drop for Vitals {
    /// Stops everything, but keeps the view: what was reported stays reported if the timings
    /// are turned on again.
    fn drop(&mut self) {
        with_live(|live| {
            live.takers = [0; ENTRY_TYPES.len()];
            live.frames = None;
            live.on = false;
        });
    }
}

/// The measuring state.
struct Live {
    view: View,
    /// Each source's observer, by its page.js id (0: none), to take its pending records. An
    /// array by source rather than a list: no `Vec` code for it in the module.
    takers: [u32; ENTRY_TYPES.len()],
    /// The frames after a bfcache restore, while awaited.
    frames: Option<Hold>,
    /// When the page came back from the bfcache (the `pageshow` event's timeStamp).
    shown: f64,
    /// Whether the observers run (false once [`Vitals`] was dropped).
    on: bool,
}

static LIVE: crate::Local<RefCell<Option<Live>>> = crate::Local(RefCell::new(None));

/// Runs `f` on the state while the timings are on (and the state is free).
fn with_live<R>(f: impl FnOnce(&mut Live) -> R) -> Option<R> {
    let mut guard = LIVE.0.try_borrow_mut().ok()?;
    guard.as_mut().filter(|l| l.on).map(f)
}

/// `performance.interactionCount`, where the browser has it.
fn interaction_count() -> Option<f64> {
    let n = page::interaction_count();
    n.is_finite().then_some(n)
}

/// The navigation entry and the document as page.js reads them (see `navigation` there):
/// the navigation type, then ten numbers. `None` outside a browser.
fn navigation() -> Option<(page::Text, [f64; 10])> {
    let kind = page::navigation()?;
    // page.js stages all ten whenever it answers with a type.
    let facts = page::numbers(10).as_slice().try_into();
    Some((kind, facts.unwrap_or([f64::NAN; 10])))
}

/// Starts the observers and listeners. `None` outside a browser.
pub fn start() -> Option<Vitals> {
    let (kind, [activation, _, _, _, _, prerendering, discarded, hidden_now, ids, hidden_at]) =
        navigation()?;
    let prerendering = prerendering == 1.0;
    // When the page was first hidden before we started: the browser's record of an earlier
    // hide (`visibility-state` entries, where available), else 0 if it is hidden now (loaded
    // in the background), else never. A prerendering page is hidden without being hidden
    // from anyone.
    let first_hidden = if prerendering {
        f64::INFINITY
    } else if hidden_at.is_finite() {
        hidden_at
    } else if hidden_now == 1.0 {
        0.0
    } else {
        f64::INFINITY
    };
    let mut view = View::new(
        Navigation::from_entry(&kind, prerendering || activation > 0.0, discarded == 1.0),
        first_hidden,
    );
    let supported = page::supported();
    let inp = ids == 1.0;
    if !inp {
        view.without(Metric::Inp);
    }
    if supported & (1 << LAYOUT_SHIFT) == 0 {
        view.without(Metric::Cls);
    }
    // Without paint or LCP entries (WebKit has no `largest-contentful-paint`) the first view
    // has no such value anyway; marked absent, a bfcache restore does not time one from
    // animation frames either, as web-vitals does not: a restored view's paints are only
    // reported where the browser measures them for a load.
    if supported & (1 << PAINT) == 0 {
        view.without(Metric::Fcp);
    }
    if supported & (1 << LARGEST_PAINT) == 0 {
        view.without(Metric::Lcp);
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
            takers: [0; ENTRY_TYPES.len()],
            frames: None,
            shown: 0.0,
            on: true,
        });
    }
    let native_count = interaction_count().is_some();
    // The input and restore listeners (`wake::KEYDOWN`, `CLICK`, `RESTORE`), then the observers.
    let mut held = Vec::new();
    if let Some(inputs) = Hold::listeners(page::listen_inputs()) {
        held.push(inputs);
    }
    for source in 0..ENTRY_TYPES.len() as u32 {
        let event = source == EVENT;
        if supported & (1 << source) == 0 || (event && !inp) {
            continue;
        }
        // Candidates are event entries of 40 ms or more; without performance.interactionCount,
        // the shorter ones (down to the 16 ms minimum) are needed too, to estimate the count.
        let threshold = match (event, native_count) {
            (false, _) => 0.0,
            (true, true) => 40.0,
            (true, false) => 16.0,
        };
        if let Some(o) = Hold::observer(source, wake::ENTRIES + source, threshold) {
            with_live(|live| {
                if let Some(taker) = live.takers.get_mut(source as usize) {
                    *taker = o.id();
                }
            });
            held.push(o);
        }
    }
    Some(Vitals { _held: held })
}

/// Entry types observed now (for the browser tests).
pub fn observed() -> Vec<&'static str> {
    with_live(|live| {
        ENTRY_TYPES
            .iter()
            .zip(live.takers)
            .filter_map(|(&name, id)| (id != 0).then_some(name))
            .collect()
    })
    .unwrap_or_default()
}

/// An observer of `source` delivered `n` entries, which page.js staged.
pub fn on_entries(source: u32, n: f64) {
    let entries = page::numbers(n as usize * STRIDE);
    with_live(|live| feed_view(&mut live.view, source, &entries));
}

fn feed_view(view: &mut View, source: u32, entries: &[f64]) {
    for e in entries.chunks_exact(STRIDE) {
        let &[start, duration, value, interaction_id, processing_start, recent, fcp] = e else {
            continue;
        };
        match source {
            PAINT if fcp == 1.0 => view.contentful_paint(start),
            LARGEST_PAINT => view.largest_paint(start),
            LAYOUT_SHIFT => view.layout_shift(start, value, recent == 1.0),
            EVENT => view.event(interaction_id, duration),
            4 => view.first_input(FirstInput {
                start,
                processing_start,
                duration,
                interaction_id,
            }),
            _ => {}
        }
    }
}

/// Takes every observer's pending records (those of `only`, if given) into the view.
fn take_pending(live: &mut Live, only: Option<u32>) {
    let Live { view, takers, .. } = live;
    for (source, &id) in (0..).zip(takers.iter()) {
        if id != 0 && only.is_none_or(|o| o == source) {
            let n = page::take_records(id) as usize;
            feed_view(view, source, &page::numbers(n * STRIDE));
        }
    }
}

/// The first trusted keydown or click makes LCP final (the browser stops reporting candidates
/// at input too); the candidates painted before it that are still pending are taken first.
pub fn on_input() {
    with_live(|live| {
        if !live.view.lcp_is_final() {
            take_pending(live, Some(LARGEST_PAINT));
            live.view.input();
        }
    });
}

/// A restore from the back/forward cache (`pageshow` at `shown`) begins a new view (see
/// [`View::restore`]); its FCP and LCP are the time to the second frame after it.
pub fn on_restore(shown: f64) {
    with_live(|live| {
        live.view.restore(interaction_count());
        live.shown = shown;
        live.frames = Hold::frames(wake::FRAMES);
    });
}

/// The second frame after a restore, at `now`.
pub fn on_frames(now: f64) {
    with_live(|live| live.view.painted_after_restore(now - live.shown));
}

/// What the navigation entry and `performance` say now.
fn timing() -> Timing {
    // Without an entry, all 0: what an entry has for the marks not reached yet.
    let (_, [activation, fetch_start, response_start, dcl_end, load_end, ..]) =
        navigation().unwrap_or_default();
    Timing {
        now: page::now(),
        activation_start: activation.max(0.0),
        fetch_start,
        response_start,
        dom_content_loaded_end: dcl_end,
        load_event_end: load_end,
        interaction_count: interaction_count(),
    }
}

/// The page is being hidden or left (called by `exit::on_exit` before it seals the streams):
/// pending entries are taken, and every timing of this view not yet reported goes into the
/// metrics stream.
#[inline(never)]
pub fn on_hide(c: &mut Client) {
    with_live(|live| {
        live.view.hidden(page::now());
        take_pending(live, None);
        let nav = ("navigation_type", live.view.navigation().label());
        // Recorded as they come, with the state still borrowed: recording touches only the
        // client.
        live.view.reports(&timing(), |r| {
            // One call for both shapes: a metric without thresholds skips the rating label.
            let labels = [("rating", r.rating.map_or("", |r| r.label())), nav];
            let rated = labels.get(usize::from(r.rating.is_none())..);
            c.record(r.name, r.value, rated.unwrap_or_default());
        });
    });
}

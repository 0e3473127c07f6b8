//! The page's lifecycle, as the client hears of it: hidden, shown, unloading, online, and its
//! kept batches taken by another tab.
//!
//! `visibilitychange` to hidden and `pagehide` are the exits (never `unload` or
//! `beforeunload`, which break the back/forward cache); `pageshow` and `visibilitychange` to
//! visible are returns; `online` and `offline` are connectivity; a `storage` event that says
//! another document removed this page's key is another tab taking what this page kept. What
//! the client does then is in `src/core/src/exit.rs`.

use gloo_events::EventListener;
use recoloca_telemetry_core::client::Input;
use wasm_bindgen::JsCast;

use crate::{driver, property};

/// The listeners, removed when dropped.
pub struct Lifecycle {
    _listeners: Vec<EventListener>,
}

/// What a listener runs: a plain function of the event, the same type for every listener, so
/// that the module has one copy of gloo's listener code, not one per closure.
type OnEvent = fn(&web_sys::Event);

pub fn listen() -> Option<Lifecycle> {
    let window: web_sys::EventTarget = property::window().unchecked_into();
    let document = crate::property::of_window::<web_sys::EventTarget>("document")?;
    let on: [(&web_sys::EventTarget, &str, OnEvent); 6] = [
        (&window, "pagehide", on_pagehide),
        (&window, "pageshow", |_| show()),
        (&document, "visibilitychange", on_visibility),
        (&window, "storage", taken),
        (&window, "online", on_connectivity),
        (&window, "offline", on_connectivity),
    ];
    Some(Lifecycle {
        _listeners: on
            .into_iter()
            .map(|(target, kind, f)| EventListener::new(target, kind, f))
            .collect(),
    })
}

fn on_pagehide(e: &web_sys::Event) {
    // Persisted: into the back/forward cache, from where it may come back.
    hide(!property::is_true(e, "persisted"));
}

fn on_visibility(_: &web_sys::Event) {
    // The document's state, read as text: web-sys's `VisibilityState` enum would bring its
    // conversion (and its panic message) for one comparison.
    let document = property::of_window::<wasm_bindgen::JsValue>("document");
    let state = document.and_then(|d| property::text(&d, "visibilityState"));
    if state.as_deref() == Some("hidden") {
        hide(false)
    } else {
        show()
    }
}

fn on_connectivity(_: &web_sys::Event) {
    driver::from_page(Input::Online(driver::online()));
}

/// The page is hidden, or unloading for good (`last`). index.js hears of it first, told that
/// it is a hide: the page timings of the second module are recorded then, so that their final
/// values leave with this page.
fn hide(last: bool) {
    driver::before_hide();
    let own = own_key().unwrap_or_default();
    driver::handle(Input::Hide {
        last,
        stored_elsewhere: crate::storage::bytes_elsewhere(&own),
    });
}

fn show() {
    driver::from_page(Input::Show);
}

/// A `storage` event (only ever another document's change): this page's key removed, which
/// another page of the origin does once it has read the copy; or a `clear()`, which names no
/// key and takes nothing (the batches stay this page's, and a hidden page writes its copy
/// again). Its texts are read as plain values, as every text the module takes (each web-sys
/// getter of a string would cost the glue a conversion).
fn taken(e: &web_sys::Event) {
    let text = |name: &str| property::text(e, name);
    let Some(key) = text("key") else {
        // localStorage's or sessionStorage's: either way, writing the copy again costs a write.
        driver::from_page(Input::StorageCleared);
        return;
    };
    let (None, Some(text)) = (text("newValue"), text("oldValue")) else {
        return;
    };
    if own_key().is_some_and(|own| own == key) {
        driver::from_page(Input::CopyTaken { text: &text });
    }
}

/// This page's storage key (where it keeps what it could not send).
fn own_key() -> Option<String> {
    driver::with(|c| c.page_key().to_owned())
}

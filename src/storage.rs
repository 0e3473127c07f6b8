//! `localStorage`, where batches that could not leave with a page wait for the next one. Every
//! call fails soft: a sandboxed frame or a privacy mode has no storage, a full one refuses.

use recoloca_telemetry_core::persist::STORAGE_PREFIX;
use web_sys::Storage;

fn local() -> Option<Storage> {
    crate::property::of_window("localStorage")
}

/// Every key of ours with its text.
pub fn entries() -> Vec<(String, String)> {
    let Some(s) = local() else {
        return Vec::new();
    };
    // Every key (`Object.keys` of a Storage lists its items), then ours read.
    js_sys::Object::keys(&s)
        .iter()
        .filter_map(|k| k.as_string())
        .filter(|k| k.starts_with(STORAGE_PREFIX))
        .filter_map(|k| {
            // `localStorage[key]`: our keys are never the name of one of Storage's methods.
            let v = crate::property::text(&s, &k)?;
            Some((k, v))
        })
        .collect()
}

/// Bytes other pages of the origin keep (all our keys but `own`).
pub fn bytes_elsewhere(own: &str) -> usize {
    entries()
        .iter()
        .filter(|(k, _)| k != own)
        .map(|(_, v)| v.len())
        .sum()
}

/// Whether `text` (UTF-8) was written (the quota may refuse it).
pub fn set(key: &str, text: &[u8]) -> bool {
    // The engine's `TextDecoder` makes the bytes a string: checking them in the module would
    // bring Rust's UTF-8 validation along for this one call.
    let text = web_sys::TextDecoder::new().and_then(|d| d.decode_with_u8_array(text));
    // `localStorage[key] = text` through `Reflect.set`, a binding the module has anyway: a full
    // storage throws there as `setItem` does.
    text.is_ok_and(|text| {
        local().is_some_and(|s| {
            js_sys::Reflect::set(&s, &key.into(), &text.into()).is_ok_and(|done| done)
        })
    })
}

pub fn remove(key: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(key);
    }
}

//! `localStorage`, where batches that could not leave with a page wait for the next one. Every
//! call fails soft: a sandboxed frame or a privacy mode has no storage, a full one refuses.

use recoloca_telemetry_core::exit::STORAGE_PREFIX;
use web_sys::Storage;

fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Every key of ours with its text.
pub fn entries() -> Vec<(String, String)> {
    let Some(s) = local() else {
        return Vec::new();
    };
    let n = s.length().unwrap_or(0);
    let keys: Vec<String> = (0..n)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(STORAGE_PREFIX))
        .collect();
    keys.into_iter()
        .filter_map(|k| Some((k.clone(), s.get_item(&k).ok().flatten()?)))
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
    let text = String::from_utf8_lossy(text);
    local().is_some_and(|s| s.set_item(key, &text).is_ok())
}

pub fn remove(key: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(key);
    }
}

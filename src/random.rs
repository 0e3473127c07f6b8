//! Randomness from the browser: `crypto.getRandomValues`, which (unlike `crypto.randomUUID`)
//! also works outside secure contexts, with `Math.random` as the last resort.

use alloc::string::String;

/// A fresh version 4 UUID.
pub fn uuid() -> String {
    let mut bytes = [0u8; 16];
    if !crate::page::random_bytes(&mut bytes) {
        for b in bytes.iter_mut() {
            *b = (crate::page::random() * 256.0) as u8;
        }
    }
    crate::uuid::format_v4(bytes)
}

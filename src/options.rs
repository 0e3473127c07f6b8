//! Reading a `configure()` object: index.js offers it to page.js, which looks the options up
//! by name and type (see `readOptions` there) and hands back plain values; here they become
//! [`Options`].
//!
//! A hand-written reader rather than serde-wasm-bindgen: it lets one mistyped option be
//! dropped on its own (the others still apply), and it keeps serde's error formatting and
//! Rust's float printing out of the module.

use alloc::string::String;

use crate::config::{Options, Value, NAMES, TYPES};
use crate::page;

/// The options named in the object page.js was offered; anything that is not an object
/// names none. A mistyped option is left out with a warning; the others still apply.
pub fn read() -> Options {
    let mut given = Options::new();
    let Some(states) = page::read_options(NAMES, TYPES) else {
        crate::warn("configure() takes an object; ignored");
        return given;
    };
    let numbers = page::numbers(TYPES.len());
    // Per option, NUL-separated: a string option's value, "" for the others when present,
    // U+0001 when absent (undefined, null) and U+0002 when of the wrong type. Numbers are
    // staged as they are, booleans as 0 or 1.
    let names = crate::text::split(NAMES, 0);
    let kinds = TYPES.bytes();
    for (i, ((state, name), kind)) in crate::text::split(&states, 0)
        .zip(names)
        .zip(kinds)
        .enumerate()
    {
        if state == page::ABSENT {
            continue;
        }
        if state == page::MISTYPED {
            mistyped(name, kind);
            continue;
        }
        let value = match (kind, numbers.get(i)) {
            (b's', _) => Value::Text(state.into()),
            (_, Some(n)) => Value::Number(*n),
            // No number staged for it (never, from page.js): left as it is.
            (_, None) => continue,
        };
        given.push((i, value));
    }
    given
}

fn mistyped(key: &str, kind: u8) {
    let mut msg = String::from("configure(): ");
    msg.push_str(key);
    msg.push_str(match kind {
        b's' => " must be a string",
        b'n' => " must be a number",
        _ => " must be true or false",
    });
    msg.push_str("; it was ignored");
    crate::warn(&msg);
}

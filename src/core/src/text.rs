//! Splitting text at an ASCII separator and reading decimal numbers, on bytes.
//!
//! What `str::split`, `str::lines`, `split_once` and `str::parse` would do for the client's
//! simple formats (persisted batches, `Retry-After`, stack traces, page.js's NUL-separated
//! fields), with a fraction of the code: core's versions are generic over patterns and number
//! types (character searchers, UTF-8 decoding, `memchr`), which cost the module kilobytes.
//! Separators are ASCII, so every cut falls on a character boundary.

/// An optional text as it crosses from JavaScript: "" for none. (Cheaper to take than an
/// `Option<String>`, and never ambiguous here: what crosses this way, JSON text, an error's
/// fields, ids, a header, is never empty when there is one.)
pub fn given(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// The pieces of `s` between occurrences of `sep`, as `str::split` gives them.
pub fn split(s: &str, sep: u8) -> Split<'_> {
    Split { rest: Some(s), sep }
}

#[derive(Clone, Debug, Default)]
pub struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match s.bytes().position(|b| b == self.sep) {
            Some(i) => {
                self.rest = s.get(i + 1..);
                s.get(..i)
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// `s` cut at its first `sep`, without it; `None` when there is none.
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let mut parts = split(s, sep);
    let first = parts.next()?;
    Some((first, parts.rest?))
}

/// A whole number written in decimal digits only (no sign, no spaces), as `str::parse`
/// reads one; `None` for anything else, or more than 18 digits.
pub fn number(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 18 {
        return None;
    }
    let mut n = 0u64;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n)
}

/// Any `u64` in decimal digits (the bits of an `f64` take up to 20); `None` for anything else.
#[cfg(feature = "otlp")]
pub fn number_u64(s: &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for &b in s {
        let d = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    (!s.is_empty()).then_some(n)
}

/// [`number`], within `u32`.
pub fn number_u32(s: &str) -> Option<u32> {
    u32::try_from(number(s)?).ok()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "text_tests.rs"]
mod tests;

//! JSON as JavaScript writes it: the wire records ([`crate::wire`]) are written by serde_json
//! with [`JsFormatter`], its `Formatter` that spells numbers as `JSON.stringify` does (`1`, not
//! serde_json's `1.0`; `1e+21`, not `1e21`) and copies JSON text the engine wrote as it is;
//! and timestamps as `toISOString` does.
//!
//! The digits are found here, without `core::fmt`, whose float machinery alone would cost the
//! module more than everything else in this file.

use alloc::vec::Vec;

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

/// Appends `record` as JSON, numbers spelled as JavaScript spells them (`number` prints those
/// this file cannot). `false` if serde_json refused it, with whatever it wrote left in `out`.
pub fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, record: &T, number: NumberFallback) -> bool {
    let formatter = JsFormatter {
        number,
        digits: Vec::new(),
    };
    let mut serializer = Serializer::with_formatter(out, formatter);
    record.serialize(&mut serializer).is_ok()
}

/// serde_json's compact output, as `JSON.stringify` would write the same object.
pub struct JsFormatter {
    /// Prints the numbers this file cannot.
    pub number: NumberFallback,
    /// Where a number's digits are put together: one buffer for all the numbers of a record.
    pub digits: Vec<u8>,
}

impl Formatter for JsFormatter {
    /// Numbers as JavaScript prints them. (serde_json itself writes NaN and ±Infinity as
    /// `null`, as JavaScript does, before asking for digits.)
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        self.digits.clear();
        write_f64(&mut self.digits, value, self.number);
        writer.write_all(&self.digits)
    }

    /// The only bytes in a record are [`crate::wire::JsonText`]: JSON the engine wrote, copied
    /// as it is.
    fn write_byte_array<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        value: &[u8],
    ) -> std::io::Result<()> {
        writer.write_all(value)
    }
}

/// The decimal digits of `n`: the end of the array, from the place returned.
fn digits(mut n: u64) -> ([u8; 20], usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    (digits, i)
}

/// Appends an unsigned integer in decimal.
pub fn write_u64(out: &mut Vec<u8>, n: u64) {
    write_padded(out, n, 0);
}

/// Appends `n` left-padded with zeros to `width` digits.
fn write_padded(out: &mut Vec<u8>, n: u64, width: usize) {
    let (digits, start) = digits(n);
    for _ in digits.len().saturating_sub(start)..width {
        out.push(b'0');
    }
    out.extend_from_slice(digits.get(start..).unwrap_or_default());
}

/// Largest integer below which every integer is exactly representable as an f64.
const EXACT_INT: f64 = 9_007_199_254_740_992.0; // 2^53

/// Powers of ten that are exact in an f64.
const POW10: [f64; 18] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17,
];

/// Appends a finite number as JavaScript prints it, for the numbers telemetry carries: counts,
/// epoch milliseconds, durations and scores. Returns `false`, writing nothing, when the value
/// needs digits this short path cannot prove (exponent notation, more than 15–17 significant
/// digits); the caller then asks the JavaScript engine itself (see `encode::NumberFormat`).
/// Non-finite numbers are never written: JSON has no spelling for them.
pub fn try_write_f64(out: &mut Vec<u8>, v: f64) -> bool {
    if !v.is_finite() {
        return false;
    }
    if v == 0.0 {
        out.push(b'0'); // JavaScript prints -0 as 0 too
        return true;
    }
    let neg = v < 0.0;
    let a = if neg { -v } else { v };
    // JavaScript switches to exponent notation outside [1e-6, 1e21).
    if !(1e-6..1e21).contains(&a) {
        return false;
    }
    if crate::float::fract(a) == 0.0 && a < EXACT_INT {
        if neg {
            out.push(b'-');
        }
        write_u64(out, a as u64);
        return true;
    }
    // The fewest fraction digits k for which some k-digit decimal parses back to `a`. Such a
    // decimal n/10^k (n and 10^k exact, so their quotient is the correctly rounded value of
    // the decimal, the double a JavaScript parser produces) lies within one unit of a*10^k,
    // which is itself rounded: so n is one of round(a*10^k) and its two neighbours. When
    // exactly one of them parses back, it is the shortest decimal, as JavaScript prints it;
    // when two do, choosing the closest needs exact arithmetic, which the engine has.
    for (k, &p) in POW10.iter().enumerate().skip(1) {
        let scaled = crate::float::round(a * p);
        if scaled + 1.0 >= EXACT_INT {
            return false;
        }
        let mut found = None;
        for n in [scaled - 1.0, scaled, scaled + 1.0] {
            if n > 0.0 && n / p == a {
                if found.is_some() {
                    return false;
                }
                found = Some(n);
            }
        }
        if let Some(n) = found {
            let n = n as u64;
            // `p` is exact, and at least 10: checked only so that no panic path is compiled in.
            let pow = p as u64;
            let (Some(whole), Some(fraction)) = (n.checked_div(pow), n.checked_rem(pow)) else {
                return false;
            };
            if neg {
                out.push(b'-');
            }
            write_u64(out, whole);
            out.push(b'.');
            // The shortest decimal ends in a non-zero digit, else k-1 digits would do.
            write_padded(out, fraction, k);
            return true;
        }
    }
    false
}

/// Prints a number the short path of [`try_write_f64`] declined. In the browser this asks the
/// JavaScript engine (`Number#toString`), which is the definition of the right answer.
pub type NumberFallback = fn(f64, &mut Vec<u8>);

/// Appends any number as `JSON.stringify` would: `null` for NaN and ±Infinity.
pub fn write_f64(out: &mut Vec<u8>, v: f64, fallback: NumberFallback) {
    if !v.is_finite() {
        out.extend_from_slice(b"null");
    } else if !try_write_f64(out, v) {
        fallback(v, out);
    }
}

/// A [`NumberFallback`] for native code and tests: Rust's shortest round-trip digits, which
/// agree with JavaScript's except in where they switch to exponent notation.
#[cfg(not(target_arch = "wasm32"))]
pub fn format_natively(v: f64, out: &mut Vec<u8>) {
    out.extend_from_slice(alloc::format!("{v}").as_bytes());
}

/// [`iso8601`] as text: the `timestamp` of an entry as the engine writes it, for native tests.
#[cfg(not(target_arch = "wasm32"))]
pub fn iso_text(epoch_ms: f64) -> alloc::string::String {
    alloc::string::String::from_utf8(iso8601(epoch_ms)).unwrap_or_default()
}

/// Epoch milliseconds as `Date.prototype.toISOString` prints them, without quotes:
/// `YYYY-MM-DDTHH:MM:SS.mmmZ`. Years outside 0..=9999 use the expanded six-digit form.
#[cfg(not(target_arch = "wasm32"))]
pub fn iso8601(epoch_ms: f64) -> Vec<u8> {
    let mut text = Vec::with_capacity(27);
    let out = &mut text;
    let ms_total = if epoch_ms.is_finite() {
        crate::float::floor(epoch_ms) as i64
    } else {
        0
    };
    let days = ms_total.div_euclid(86_400_000);
    let ms_of_day = ms_total.rem_euclid(86_400_000) as u64;
    let (year, month, day) = civil_from_days(days);
    if (0..=9999).contains(&year) {
        write_padded(out, year as u64, 4);
    } else {
        out.push(if year < 0 { b'-' } else { b'+' });
        write_padded(out, year.unsigned_abs(), 6);
    }
    out.push(b'-');
    write_padded(out, month, 2);
    out.push(b'-');
    write_padded(out, day, 2);
    out.push(b'T');
    write_padded(out, ms_of_day / 3_600_000, 2);
    out.push(b':');
    write_padded(out, ms_of_day / 60_000 % 60, 2);
    out.push(b':');
    write_padded(out, ms_of_day / 1000 % 60, 2);
    out.push(b'.');
    write_padded(out, ms_of_day % 1000, 3);
    out.push(b'Z');
    text
}

/// Proleptic Gregorian (year, month, day) for a count of days since 1970-01-01
/// (Howard Hinnant's days-to-civil arithmetic).
#[cfg(not(target_arch = "wasm32"))]
fn civil_from_days(days: i64) -> (i64, u64, u64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "json_tests.rs"]
mod tests;

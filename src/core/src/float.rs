//! The few `f64` roundings the client needs. std has them as methods; `core` (this crate is
//! `no_std`) does not, so here they are, exact for every finite input.

/// 2^52: from here on every `f64` is a whole number.
const WHOLE: f64 = 4_503_599_627_370_496.0;

/// `x` without its fraction (toward zero). Values that have none (large, infinite, NaN) pass
/// through; below 2^52 the conversion to `i64` and back is exact.
pub fn trunc(x: f64) -> f64 {
    if x.abs() < WHOLE {
        let t = x as i64 as f64;
        // Keep the sign of a zero result (-0.5 truncates to -0), as std does.
        if t == 0.0 && x.is_sign_negative() {
            -0.0
        } else {
            t
        }
    } else {
        x
    }
}

pub fn floor(x: f64) -> f64 {
    let t = trunc(x);
    if t > x {
        t - 1.0
    } else {
        t
    }
}

pub fn ceil(x: f64) -> f64 {
    let t = trunc(x);
    if t < x {
        t + 1.0
    } else {
        t
    }
}

/// Rounds half away from zero, as `f64::round`. `x - trunc(x)` is exact (the two share their
/// exponent, or the truncation is zero).
pub fn round(x: f64) -> f64 {
    let t = trunc(x);
    let d = x - t;
    if d >= 0.5 {
        t + 1.0
    } else if d <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

pub fn fract(x: f64) -> f64 {
    x - trunc(x)
}

/// 2^`exp` for `exp` in 0..=1023, exactly.
pub fn pow2(exp: u32) -> f64 {
    f64::from_bits(u64::from(exp.min(1023) + 1023) << 52)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "float_tests.rs"]
mod tests;

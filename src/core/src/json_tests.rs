//! Native unit tests of `src/json.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut v = Vec::new();
    f(&mut v);
    String::from_utf8(v).unwrap()
}

#[test]
fn integers_print_plainly() {
    assert_eq!(s(|o| assert!(try_write_f64(o, 1.0))), "1");
    assert_eq!(s(|o| assert!(try_write_f64(o, -42.0))), "-42");
    assert_eq!(s(|o| assert!(try_write_f64(o, -0.0))), "0");
    assert_eq!(
        s(|o| assert!(try_write_f64(o, 1_764_166_892_123.0))),
        "1764166892123"
    );
    assert_eq!(s(|o| write_u64(o, u64::MAX)), "18446744073709551615");
    assert_eq!(s(|o| write_u64(o, 0)), "0");
}

#[test]
fn fractions_print_shortest_round_trip() {
    for (v, want) in [
        (0.5, "0.5"),
        (123.45, "123.45"),
        (0.1, "0.1"),
        (-2.25, "-2.25"),
        (0.000001, "0.000001"),
        (1234.5678, "1234.5678"),
        (0.0123, "0.0123"),
        (99.99999, "99.99999"),
    ] {
        assert_eq!(s(|o| assert!(try_write_f64(o, v))), want, "{v}");
    }
}

#[test]
fn an_ambiguous_last_digit_is_left_to_the_engine() {
    // 688137431146954.2 and …954.3 parse to the same double; JavaScript prints the closer
    // one (…954.3), which only exact arithmetic can tell.
    let mut o = Vec::new();
    let v = 688_137_431_146_954.3;
    assert!(!try_write_f64(&mut o, v) || String::from_utf8(o).unwrap() == "688137431146954.3");
}

#[test]
fn hard_numbers_are_left_to_the_engine() {
    for v in [0.1 + 0.2, 1e21, 1e-7, f64::NAN, f64::INFINITY] {
        let mut o = Vec::new();
        assert!(!try_write_f64(&mut o, v), "{v}");
        assert!(o.is_empty());
    }
}

#[test]
fn iso_timestamps_match_to_iso_string() {
    let iso = |ms| String::from_utf8(iso8601(ms)).unwrap();
    assert_eq!(iso(0.0), "1970-01-01T00:00:00.000Z");
    // new Date(1764166892123).toISOString()
    assert_eq!(iso(1_764_166_892_123.0), "2025-11-26T14:21:32.123Z");
    // a leap day, and the day after it
    assert_eq!(iso(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
    assert_eq!(iso(951_868_799_999.0), "2000-02-29T23:59:59.999Z");
    assert_eq!(iso(-1.0), "1969-12-31T23:59:59.999Z");
    assert_eq!(iso(253_402_300_800_000.0), "+010000-01-01T00:00:00.000Z");
}

proptest::proptest! {
    #[test]
    fn every_written_number_parses_back_exactly(v in proptest::num::f64::NORMAL) {
        let mut o = Vec::new();
        if try_write_f64(&mut o, v) {
            // Rust's Display is also shortest-round-trip without exponent, as JavaScript's
            // Number#toString is inside [1e-6, 1e21): the digits must agree exactly.
            let text = String::from_utf8(o).unwrap();
            proptest::prop_assert_eq!(text, format!("{v}"));
        }
    }

    /// Where an f64 has only a digit or two after the point, several decimals can parse
    /// to the same double: the printed one must still be JavaScript's.
    #[test]
    fn large_values_with_fractions_print_as_javascript_does(v in 1e9f64..9e15) {
        let mut o = Vec::new();
        if try_write_f64(&mut o, v) {
            proptest::prop_assert_eq!(String::from_utf8(o).unwrap(), format!("{v}"));
        }
    }

    #[test]
    fn two_decimal_values_always_take_the_short_path(cents in -10_000_000i64..10_000_000) {
        let v = cents as f64 / 100.0;
        let mut o = Vec::new();
        proptest::prop_assert!(try_write_f64(&mut o, v));
        let text = String::from_utf8(o).unwrap();
        proptest::prop_assert_eq!(text.parse::<f64>().unwrap(), v);
    }
}

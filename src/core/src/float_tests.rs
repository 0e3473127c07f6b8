use super::*;
use proptest::prelude::*;

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn edges_agree_with_std() {
    let xs = [
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.5,
        -1.5,
        2.5,
        0.49999999999999994,
        -0.49999999999999994,
        4503599627370495.5,
        -4503599627370495.5,
        4503599627370497.0,
        1e300,
        -1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        1.0 - f64::EPSILON,
        1774000000000.7,
    ];
    for x in xs {
        assert!(same(trunc(x), x.trunc()), "trunc {x}");
        assert!(same(floor(x), x.floor()), "floor {x}");
        assert!(same(ceil(x), x.ceil()), "ceil {x}");
        assert!(
            same(round(x), x.round()),
            "round {x}: {} vs {}",
            round(x),
            x.round()
        );
        if x.is_finite() {
            assert!(same(fract(x), x.fract()), "fract {x}");
        }
    }
}

#[test]
fn powers_of_two_are_exact() {
    for e in 0..=1023u32 {
        assert_eq!(pow2(e), 2f64.powi(e as i32));
    }
}

proptest! {
    #[test]
    fn roundings_agree_with_std(bits in any::<u64>()) {
        let x = f64::from_bits(bits);
        prop_assert!(same(trunc(x), x.trunc()));
        prop_assert!(same(floor(x), x.floor()));
        prop_assert!(same(ceil(x), x.ceil()));
        prop_assert!(same(round(x), x.round()));
    }

    #[test]
    fn roundings_agree_on_ordinary_numbers(x in -1e7f64..1e7) {
        prop_assert!(same(floor(x), x.floor()));
        prop_assert!(same(ceil(x), x.ceil()));
        prop_assert!(same(round(x), x.round()));
        prop_assert!(same(fract(x), x.fract()));
    }
}

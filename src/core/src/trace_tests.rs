//! Native tests of `src/trace.rs`.

use super::*;
use proptest::prelude::*;

const PAGE: &str = "https://app.recoloca.ai";

#[test]
fn a_traceparent_is_version_00_lowercase_hex_with_the_sampled_flag() {
    let c = Context {
        trace: TraceId([
            0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e,
            0x47, 0x36,
        ]),
        span: SpanId([0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]),
        sampled: true,
    };
    assert_eq!(
        c.traceparent(),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    );
    assert_eq!(
        Context {
            sampled: false,
            ..c
        }
        .traceparent(),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
    );
    assert_eq!(Context::parse(&c.traceparent()), Some(c));
}

#[test]
fn malformed_headers_are_refused() {
    for bad in [
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ] {
        assert_eq!(Context::parse(bad), None, "{bad}");
    }
    // A later version may add fields after the flags.
    assert!(
        Context::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra").is_some()
    );
}

#[test]
fn sampling_follows_the_rate() {
    let mut r = Random::new([3; 32]);
    assert!((0..100).all(|_| Context::start(&mut r, 1.0).sampled));
    assert!((0..100).all(|_| !Context::start(&mut r, 0.0).sampled));
    let kept = (0..10_000)
        .filter(|_| Context::start(&mut r, 0.25).sampled)
        .count();
    assert!((2_200..2_800).contains(&kept), "{kept}");
}

#[test]
fn the_header_goes_only_to_the_page_and_to_listed_urls() {
    let listed = [String::from("https://api.recoloca.ai/"), String::new()];
    assert!(may_propagate(
        "https://app.recoloca.ai/api/jobs",
        PAGE,
        &listed
    ));
    assert!(may_propagate("https://app.recoloca.ai", PAGE, &listed));
    assert!(may_propagate("https://api.recoloca.ai/v1/x", PAGE, &listed));
    assert!(!may_propagate(
        "https://app.recoloca.ai.evil.test/",
        PAGE,
        &listed
    ));
    assert!(
        !may_propagate("https://cdn.example.com/x.js", PAGE, &listed),
        "an empty prefix lists nothing"
    );
    assert!(
        !may_propagate("http://app.recoloca.ai/api", PAGE, &listed),
        "another scheme is another origin"
    );
}

proptest! {
    /// Every context the client makes reads back from its header as itself, with ids that are
    /// never all zero.
    #[test]
    fn contexts_round_trip(seed in any::<[u8; 32]>(), rate in 0.0f64..=1.0) {
        let mut r = Random::new(seed);
        let c = Context::start(&mut r, rate);
        prop_assert!(c.trace.0 != [0; 16] && c.span.0 != [0; 8]);
        prop_assert_eq!(Context::parse(&c.traceparent()), Some(c));
    }
}

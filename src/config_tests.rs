//! Native unit tests of `src/config.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

#[test]
fn defaults_are_the_seeds() {
    let c = Config::default();
    let m = c.metrics();
    assert_eq!(
        (m.endpoint.as_str(), m.batch_size, m.flush_interval_ms),
        ("/api/metrics", 10, 30_000)
    );
    let l = c.logs();
    assert_eq!(
        (l.endpoint.as_str(), l.batch_size, l.flush_interval_ms),
        ("/api/logs", 50, 10_000)
    );
    assert_eq!(
        (c.service.as_str(), c.version.as_str()),
        ("recoloca-frontend", "1.0.0")
    );
    assert!(!c.echo_logs());
}

#[test]
fn configure_changes_only_what_it_names() {
    let mut c = Config::default();
    c.apply(Options {
        batch_size: Some(3.0),
        ..Options::default()
    });
    c.apply(Options {
        service: Some("svc".into()),
        ..Options::default()
    });
    assert_eq!(c.metrics().batch_size, 3);
    assert_eq!(c.service, "svc");
    assert_eq!(c.logs().batch_size, 50);
}

#[test]
fn nonsense_numbers_are_clamped_or_defaulted() {
    let c = Config {
        batch_size: f64::NAN,
        flush_interval_ms: -5.0,
        log_batch_size: 1e12,
        max_request_bytes: 1e9,
        ..Config::default()
    };
    assert_eq!(c.metrics().batch_size, 10);
    assert_eq!(c.metrics().flush_interval_ms, 100);
    assert_eq!(c.logs().batch_size, 100_000);
    assert_eq!(c.logs().limits.max_request_bytes, 60_000);
}

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

/// The options of one `configure()` call, by name as JavaScript spells them.
fn named(options: &[(&str, Value)]) -> Options {
    options
        .iter()
        .map(|(name, v)| (index_of(name).expect(name), v.clone()))
        .collect()
}

#[test]
fn configure_changes_only_what_it_names() {
    let mut c = Config::default();
    c.apply(named(&[("batchSize", Value::Number(3.0))]));
    c.apply(named(&[("service", Value::Text("svc".into()))]));
    assert_eq!(c.metrics().batch_size, 3);
    assert_eq!(c.service, "svc");
    assert_eq!(c.logs().batch_size, 50);
    assert_eq!(c.version, "1.0.0");
}

/// An option's name, and how to read its field back as text.
type Field = (&'static str, fn(&Config) -> String);

#[test]
fn each_option_name_reaches_its_own_field() {
    // Every name, with a value unlike any default, lands in the field of that name and
    // nowhere else; and each field's type is the one page.js checks for (`TYPES`).
    #[allow(unused_mut)]
    let mut fields: Vec<Field> = vec![
        ("metricsEndpoint", |c| c.metrics_endpoint.clone()),
        ("batchSize", |c| c.batch_size.to_string()),
        ("flushIntervalMs", |c| c.flush_interval_ms.to_string()),
        ("logsEndpoint", |c| c.logs_endpoint.clone()),
        ("logBatchSize", |c| c.log_batch_size.to_string()),
        ("logFlushIntervalMs", |c| {
            c.log_flush_interval_ms.to_string()
        }),
        ("service", |c| c.service.clone()),
        ("version", |c| c.version.clone()),
        ("environment", |c| c.environment.clone()),
        ("retryInitialMs", |c| c.retry_initial_ms.to_string()),
        ("retryMaxMs", |c| c.retry_max_ms.to_string()),
        ("maxBufferedEvents", |c| c.max_buffered_events.to_string()),
        ("maxBufferedBytes", |c| c.max_buffered_bytes.to_string()),
        ("maxRequestBytes", |c| c.max_request_bytes.to_string()),
        ("requestTimeoutMs", |c| c.request_timeout_ms.to_string()),
        ("retryMaxAttempts", |c| c.retry_max_attempts.to_string()),
        ("maxPersistedBytes", |c| c.max_persisted_bytes.to_string()),
        ("captureErrors", |c| c.capture_errors.to_string()),
        ("observePerformance", |c| c.observe_performance.to_string()),
        ("trackingConsent", |c| c.tracking_consent.clone()),
        ("sessionSampleRate", |c| c.session_sample_rate.to_string()),
    ];
    #[cfg(feature = "otlp")]
    fields.push(("otlpEndpoint", |c| c.otlp_endpoint.clone()));
    #[cfg(feature = "otlp")]
    fields.push(("otlpMetricsEndpoint", |c| {
        c.otlp_metrics_endpoint.clone().unwrap_or_default()
    }));
    #[cfg(feature = "otlp")]
    fields.push(("otlpLogsEndpoint", |c| {
        c.otlp_logs_endpoint.clone().unwrap_or_default()
    }));
    #[cfg(feature = "traces")]
    fields.push(("otlpTracesEndpoint", |c| {
        c.otlp_traces_endpoint.clone().unwrap_or_default()
    }));
    #[cfg(feature = "traces")]
    fields.push(("instrumentRequests", |c| c.instrument_requests.to_string()));
    #[cfg(feature = "traces")]
    fields.push(("traceSampleRate", |c| c.trace_sample_rate.to_string()));
    assert_eq!(NAMES.split('\0').count(), fields.len());
    let defaults = Config::default();
    for &(name, read) in &fields {
        let i = index_of(name).expect(name);
        let (value, expected) = match TYPES.as_bytes()[i] {
            b's' => (Value::Text("x".into()), "x".to_string()),
            b'n' => (Value::Number(7.0), "7".to_string()),
            _ => (Value::Number(0.0), "false".to_string()),
        };
        let mut c = Config::default();
        c.apply(alloc::vec![(i, value)]);
        assert_eq!(read(&c), expected, "{name}");
        for (other, read_other) in fields.iter().filter(|(n, _)| *n != name) {
            assert_eq!(
                read_other(&c),
                read_other(&defaults),
                "{name} changed {other}"
            );
        }
    }
}

#[test]
fn a_value_of_another_type_than_its_option_is_ignored() {
    let mut c = Config::default();
    c.apply(named(&[
        ("batchSize", Value::Text("3".into())),
        ("service", Value::Number(1.0)),
        ("captureErrors", Value::Text("no".into())),
    ]));
    // (As text: a batch size not given is NaN, which `==` never equals.)
    let defaults = alloc::format!("{:?}", Config::default());
    assert_eq!(alloc::format!("{c:?}"), defaults);
    c.apply(alloc::vec![(99, Value::Number(1.0))]);
    assert_eq!(alloc::format!("{c:?}"), defaults);
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

#[cfg(feature = "otlp")]
#[test]
fn otlp_streams_batch_more_unless_the_app_says() {
    let mut c = Config::default();
    c.apply(named(&[(
        "otlpEndpoint",
        Value::Text("https://otel.example/".into()),
    )]));
    let (m, l) = (c.otlp_metrics(), c.otlp_logs());
    assert_eq!((m.batch_size, l.batch_size), (512, 512));
    assert_eq!(m.endpoint, "https://otel.example/v1/metrics");
    // The seed's streams keep the seed's.
    assert_eq!((c.metrics().batch_size, c.logs().batch_size), (10, 50));
    // A batch never waits for more events than the buffer holds.
    c.apply(named(&[("maxBufferedEvents", Value::Number(100.0))]));
    assert_eq!(c.otlp_metrics().batch_size, 100);
    // Given, a batch size is every stream's of its kind.
    c.apply(named(&[
        ("batchSize", Value::Number(7.0)),
        ("logBatchSize", Value::Number(9.0)),
    ]));
    assert_eq!(
        (c.otlp_metrics().batch_size, c.otlp_logs().batch_size),
        (7, 9)
    );
    #[cfg(feature = "traces")]
    assert_eq!(c.otlp_traces().batch_size, 9);
}

#[cfg(feature = "otlp")]
#[test]
fn one_signal_can_have_its_own_url_or_none() {
    let mut c = Config::default();
    c.apply(named(&[
        ("otlpEndpoint", Value::Text("https://otel.example".into())),
        (
            "otlpMetricsEndpoint",
            Value::Text("https://m.example/ingest".into()),
        ),
        // `null` from JavaScript (src/options.rs): not exported.
        ("otlpLogsEndpoint", Value::Text(String::new())),
    ]));
    // Whole, as given: no path added.
    assert_eq!(c.otlp_metrics().endpoint, "https://m.example/ingest");
    assert_eq!(c.otlp_logs().endpoint, "");
    #[cfg(feature = "traces")]
    assert_eq!(c.otlp_traces().endpoint, "https://otel.example/v1/traces");
}

//! Native tests of `src/otlp.rs`: the bodies, exactly; and, with the `otlp` feature, the
//! client's OTLP streams (their options, retry codes, partial success and page exit).

use super::*;
use crate::json::format_natively as number;
use crate::log::ErrorInfo;

fn text(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap()
}

fn labels(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn attrs(pairs: &[(&str, Value)]) -> String {
    let mut out = Vec::new();
    assert!(write_metric_attributes(&mut out, &labels(pairs), number));
    text(out)
}

fn event(name: &str, attributes: &str, value: f64, ms: f64) -> Vec<u8> {
    let mut out = Vec::new();
    assert!(encode_metric(
        &mut out,
        name,
        attributes.as_bytes(),
        value,
        ms,
        number
    ));
    out
}

const RESOURCE: Resource = Resource {
    service: "svc",
    version: "2",
    environment: "production",
    session_id: Some("s-1"),
    user_agent: None,
};

const RESOURCE_JSON: &str = r#"{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}},{"key":"service.version","value":{"stringValue":"2"}},{"key":"deployment.environment.name","value":{"stringValue":"production"}},{"key":"telemetry.sdk.name","value":{"stringValue":"@recoloca/telemetry"}},{"key":"telemetry.sdk.language","value":{"stringValue":"webjs"}},{"key":"telemetry.sdk.version","value":{"stringValue":"0.1.0"}},{"key":"session.id","value":{"stringValue":"s-1"}}]},"#;

#[test]
fn labels_become_attributes_of_their_type_without_user_or_session() {
    let a = attrs(&[
        ("page", Value::Text("/jobs".into())),
        ("user_id", Value::Text("u-1".into())),
        ("status", Value::Number(200.0)),
        ("ratio", Value::Number(0.5)),
        ("cached", Value::Bool(true)),
        ("session_id", Value::Text("s".into())),
    ]);
    assert_eq!(
        a,
        r#"[{"key":"page","value":{"stringValue":"/jobs"}},{"key":"status","value":{"intValue":"200"}},{"key":"ratio","value":{"doubleValue":0.5}},{"key":"cached","value":{"boolValue":true}}]"#
    );
}

#[test]
fn an_event_reads_back_as_written() {
    let e = event(
        r#"odd "name", with \ and ,"#,
        "[]",
        1.5,
        1_700_000_000_123.0,
    );
    let read = read_event(&e).unwrap();
    assert_eq!(read.instrument, Instrument::Gauge);
    assert_eq!((read.value, read.epoch_ms), (1.5, 1_700_000_000_123.0));
    assert_eq!(read.name, br#""odd \"name\", with \\ and ,""#);
    assert_eq!(read.attributes, b"[]");
    assert!(read_event(b"[9,1,2,\"x\",[]]").is_none());
    assert!(
        read_event(b"[0,1.5,2,\"x\",[]]").is_none(),
        "numbers are bits"
    );
    assert!(read_event(b"{\"name\":\"x\"}").is_none());
}

#[test]
fn totals_are_summed_per_series_as_one_delta_monotonic_sum() {
    let home = attrs(&[("page", Value::Text("/".into()))]);
    let jobs = attrs(&[("page", Value::Text("/jobs".into()))]);
    let events = [
        event("page_views_total", &home, 1.0, 1000.0),
        event("page_views_total", &jobs, 1.0, 1500.0),
        event("page_views_total", &home, 2.0, 3000.0),
    ];
    let body = text(metrics_body(
        &RESOURCE,
        events.iter().map(Vec::as_slice),
        number,
    ));
    let expected = String::from(r#"{"resourceMetrics":["#)
        + RESOURCE_JSON
        + r#""scopeMetrics":[{"scope":{"name":"@recoloca/telemetry","version":"0.1.0"},"metrics":[{"name":"page_views_total","sum":{"dataPoints":[{"attributes":[{"key":"page","value":{"stringValue":"/"}}],"startTimeUnixNano":"1000000000","timeUnixNano":"3000000000","asDouble":3},{"attributes":[{"key":"page","value":{"stringValue":"/jobs"}}],"startTimeUnixNano":"1500000000","timeUnixNano":"1500000000","asDouble":1}],"aggregationTemporality":1,"isMonotonic":true}}]}]}]}"#;
    assert_eq!(body, expected);
}

#[test]
fn durations_fill_histogram_buckets_whose_bounds_hold_the_vitals_thresholds() {
    let events = [
        event("largest_contentful_paint_ms", "[]", 2500.0, 10.0), // good: the bound itself
        event("largest_contentful_paint_ms", "[]", 2501.0, 20.0),
        event("largest_contentful_paint_ms", "[]", 70000.0, 30.0), // past the last bound
        event("cumulative_layout_shift", "[]", 0.1, 40.0),
        event("memory_used_bytes", "[]", 5.0, 50.0),
        event("memory_used_bytes", "[]", 7.0, 60.0),
    ];
    let body = text(metrics_body(
        &RESOURCE,
        events.iter().map(Vec::as_slice),
        number,
    ));
    let metrics = body.split(r#""metrics":["#).nth(1).unwrap();
    assert_eq!(
        metrics,
        concat!(
            r#"{"name":"largest_contentful_paint_ms","unit":"ms","histogram":{"dataPoints":[{"attributes":[],"startTimeUnixNano":"10000000","timeUnixNano":"30000000","count":"3","sum":75001,"min":2500,"max":70000,"#,
            r#""bucketCounts":["0","0","0","0","0","0","0","0","0","0","1","1","0","0","0","0","0","0","1"],"explicitBounds":[10,25,50,100,200,300,500,800,1000,1800,2500,3000,4000,6000,10000,20000,30000,60000]}],"aggregationTemporality":1}},"#,
            r#"{"name":"cumulative_layout_shift","unit":"1","histogram":{"dataPoints":[{"attributes":[],"startTimeUnixNano":"40000000","timeUnixNano":"40000000","count":"1","sum":0.1,"min":0.1,"max":0.1,"#,
            r#""bucketCounts":["0","0","0","1","0","0","0","0","0","0"],"explicitBounds":[0.01,0.025,0.05,0.1,0.15,0.25,0.5,1,2]}],"aggregationTemporality":1}},"#,
            r#"{"name":"memory_used_bytes","gauge":{"dataPoints":[{"attributes":[],"timeUnixNano":"60000000","asDouble":7}]}}"#,
            r#"]}]}]}"#
        )
    );
    // Every bound of a Web Vital's thresholds is there.
    for t in [
        100.0, 300.0, 200.0, 500.0, 800.0, 1800.0, 3000.0, 2500.0, 4000.0,
    ] {
        assert!(MS_BOUNDS.contains(&t), "{t}");
    }
    assert!(SCORE_BOUNDS.contains(&0.1) && SCORE_BOUNDS.contains(&0.25));
}

#[test]
fn instruments_follow_the_seeds_names() {
    assert_eq!(Instrument::of("api_calls_total"), Instrument::Sum);
    assert_eq!(
        Instrument::of("api_call_duration_ms"),
        Instrument::Milliseconds
    );
    assert_eq!(Instrument::of("render_seconds"), Instrument::Seconds);
    assert_eq!(Instrument::of("cumulative_layout_shift"), Instrument::Score);
    assert_eq!(Instrument::of("queue_length"), Instrument::Gauge);
}

#[test]
fn a_log_entry_becomes_a_log_record_with_its_severity_and_exception() {
    let context = labels(&[
        ("component", Value::Text("Upload".into())),
        ("size", Value::Number(3.0)),
    ]);
    let entry = Entry {
        epoch_ms: 1_700_000_000_123.0,
        level: Level::Error,
        message: "upload failed",
        context_json: None,
        error: Some(ErrorInfo {
            name: "TypeError",
            message: "x is undefined",
            stack: Some("TypeError: x is undefined\n    at f (a.js:1:2)"),
        }),
        context: &context,
    };
    let mut out = Vec::new();
    assert!(encode_log(
        &mut out,
        &entry,
        &context,
        Some("u-7"),
        Some("s-1"),
        number
    ));
    assert_eq!(
        text(out.clone()),
        r#"{"timeUnixNano":"1700000000123000000","observedTimeUnixNano":"1700000000123000000","severityNumber":17,"severityText":"ERROR","body":{"stringValue":"upload failed"},"attributes":[{"key":"component","value":{"stringValue":"Upload"}},{"key":"size","value":{"intValue":"3"}},{"key":"exception.type","value":{"stringValue":"TypeError"}},{"key":"exception.message","value":{"stringValue":"x is undefined"}},{"key":"exception.stacktrace","value":{"stringValue":"TypeError: x is undefined\n    at f (a.js:1:2)"}},{"key":"user.id","value":{"stringValue":"u-7"}},{"key":"session.id","value":{"stringValue":"s-1"}}]}"#
    );
    let levels = [
        (Level::Debug, "5,\"severityText\":\"DEBUG\""),
        (Level::Info, "9,\"severityText\":\"INFO\""),
        (Level::Warn, "13,\"severityText\":\"WARN\""),
    ];
    for (level, expected) in levels {
        let mut out = Vec::new();
        let e = Entry {
            level,
            error: None,
            ..entry.clone()
        };
        assert!(encode_log(&mut out, &e, &[], None, None, number));
        assert!(text(out).contains(expected), "{level:?}");
    }
    let body = text(logs_body(&RESOURCE, b"{},{}", number));
    assert_eq!(
        body,
        String::from(r#"{"resourceLogs":["#)
            + RESOURCE_JSON
            + r#""scopeLogs":[{"scope":{"name":"@recoloca/telemetry","version":"0.1.0"},"logRecords":[{},{}]}]}]}"#
    );
}

#[test]
fn times_are_whole_nanoseconds() {
    let mut out = Vec::new();
    write_nanos(&mut out, 1_700_000_000_123.5);
    assert_eq!(out, b"\"1700000000123500000\"");
}

/// The client's OTLP streams.
#[cfg(feature = "otlp")]
mod client {
    use crate::client::{Client, Input, Output, Platform, Post};
    use crate::config::{index_of, Value as Opt};
    use crate::otlp::Value;

    const T0: f64 = 1_700_000_000_000.0;

    fn client(options: &[(&str, Opt)]) -> Client {
        let mut c = Client::new(Platform::native(), [7; 32], true, T0);
        let o = options
            .iter()
            .map(|(name, v)| (index_of(name).unwrap(), v.clone()))
            .collect();
        c.handle_input(T0, Input::Configure(o));
        c
    }

    fn posts(c: &mut Client) -> Vec<Post> {
        std::iter::from_fn(|| c.poll_output())
            .filter_map(|o| match o {
                Output::Post(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    fn otlp_only() -> Client {
        client(&[
            ("otlpEndpoint", Opt::Text("http://collector:4318/".into())),
            ("metricsEndpoint", Opt::Text(String::new())),
            ("logsEndpoint", Opt::Text(String::new())),
            ("batchSize", Opt::Number(2.0)),
        ])
    }

    fn page_view(c: &mut Client, page: &str, at: f64) {
        let labels = vec![("page".to_string(), Value::Text(page.into()))];
        let json = format!(r#"{{"page":"{page}"}}"#);
        let id = f64::from(c.add_series_with("page_views_total", Some(&json), &labels));
        c.handle_input(at, Input::Metrics(&[id, 1.0, at]));
    }

    #[test]
    fn without_an_otlp_endpoint_nothing_changes() {
        let mut c = client(&[("batchSize", Opt::Number(1.0))]);
        page_view(&mut c, "/", T0);
        let p = posts(&mut c);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].url, "/api/metrics");
        assert!(!p[0].otlp);
    }

    #[test]
    fn with_one_metrics_go_both_ways_and_null_turns_a_seed_stream_off() {
        let mut c = client(&[
            ("otlpEndpoint", Opt::Text("http://collector:4318".into())),
            ("batchSize", Opt::Number(1.0)),
        ]);
        page_view(&mut c, "/", T0);
        let p = posts(&mut c);
        let urls: Vec<_> = p.iter().map(|p| (p.url.as_str(), p.otlp)).collect();
        assert_eq!(
            urls,
            [
                ("/api/metrics", false),
                ("http://collector:4318/v1/metrics", true)
            ]
        );

        let mut c = otlp_only();
        page_view(&mut c, "/", T0);
        page_view(&mut c, "/", T0 + 5.0);
        let p = posts(&mut c);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].url, "http://collector:4318/v1/metrics");
        let body = String::from_utf8(p[0].body.clone()).unwrap();
        assert!(body.contains(r#""asDouble":2}"#), "{body}");
        assert!(body.starts_with(r#"{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"recoloca-frontend"}}"#), "{body}");
    }

    #[test]
    fn otlp_retries_only_its_retryable_codes_and_counts_partial_rejections() {
        let mut c = otlp_only();
        page_view(&mut c, "/", T0);
        page_view(&mut c, "/", T0);
        let first = posts(&mut c).remove(0);
        // 500 is not retryable in OTLP (the seed's streams retry it): the batch is dropped.
        c.handle_input(
            T0,
            Input::Answer {
                request: first.request,
                status: Some(500),
                retry_after: None,
            },
        );
        assert_eq!(c.otlp_metrics.queue.len(), 0);
        assert_eq!(
            c.otlp_metrics.counts.dropped[crate::batch::Drop::Rejected.index()],
            2
        );

        let mut c = otlp_only();
        page_view(&mut c, "/", T0);
        page_view(&mut c, "/", T0);
        let first = posts(&mut c).remove(0);
        c.handle_input(
            T0,
            Input::Answer {
                request: first.request,
                status: Some(503),
                retry_after: Some("2"),
            },
        );
        assert_eq!(c.otlp_metrics.queue.len(), 2, "kept for a retry");
        assert_eq!(c.otlp_metrics.retry_at, T0 + 2000.0);
        c.handle_input(T0 + 2000.0, Input::Timeout);
        let again = posts(&mut c).remove(0);
        assert_eq!(
            (again.key.as_str(), &again.body),
            (first.key.as_str(), &first.body),
            "the same bytes, the same key"
        );
        c.handle_input(
            T0 + 2000.0,
            Input::Rejected {
                request: again.request,
                count: 1,
            },
        );
        c.handle_input(
            T0 + 2000.0,
            Input::Answer {
                request: again.request,
                status: Some(200),
                retry_after: None,
            },
        );
        assert_eq!(c.otlp_metrics.queue.len(), 0);
        assert_eq!(
            c.otlp_metrics.counts.dropped[crate::batch::Drop::Rejected.index()],
            1
        );
        // The health report goes out through OTLP too, since the seed's stream is off.
        c.handle_input(T0 + 2000.0, Input::Flush(1));
        let health = posts(&mut c).remove(0);
        let body = String::from_utf8(health.body).unwrap();
        assert!(body.contains(r#"{"name":"telemetry_events_dropped_total","sum":{"dataPoints":[{"attributes":[{"key":"stream","value":{"stringValue":"otlp_metrics"}},{"key":"reason","value":{"stringValue":"rejected"}}]"#), "{body}");
    }

    #[test]
    fn at_page_exit_otlp_uses_keepalive_never_a_beacon() {
        let mut c = client(&[
            ("otlpEndpoint", Opt::Text("http://collector:4318".into())),
            ("logsEndpoint", Opt::Text(String::new())),
            ("maxRequestBytes", Opt::Number(60_000.0)),
        ]);
        // Two batches of ~40 kB: the second does not fit the keepalive budget.
        let big = "x".repeat(39_000);
        for i in 0..2 {
            c.handle_input(
                T0,
                Input::Log(crate::log::Entry {
                    epoch_ms: T0 + f64::from(i),
                    level: crate::log::Level::Info,
                    message: &big,
                    context_json: None,
                    error: None,
                    context: &[],
                }),
            );
        }
        c.handle_input(
            T0,
            Input::Hide {
                last: true,
                stored_elsewhere: 0,
            },
        );
        let outputs: Vec<Output> = std::iter::from_fn(|| c.poll_output()).collect();
        let keepalive = outputs
            .iter()
            .filter(|o| matches!(o, Output::Post(p) if p.keepalive && p.otlp))
            .count();
        let beacons = outputs
            .iter()
            .filter(|o| matches!(o, Output::Beacon { .. }))
            .count();
        let stored = outputs.iter().find_map(|o| match o {
            Output::Store { text, .. } => Some(String::from_utf8(text.clone()).unwrap()),
            _ => None,
        });
        assert_eq!((keepalive, beacons), (1, 0), "{outputs:?}");
        let stored = stored.expect("the rest kept in storage");
        assert!(stored.lines().any(|l| l.starts_with("L ")), "{stored}");
    }
}

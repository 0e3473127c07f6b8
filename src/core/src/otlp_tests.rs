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

/// What sealing fixes for a batch: this resource, and the span `start`..`end` (epoch ms).
fn sealed(start: f64, end: f64) -> Sealed {
    Sealed {
        resource: RESOURCE.json(number),
        start,
        end,
    }
}

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
fn totals_are_summed_per_series_as_one_delta_monotonic_sum_over_the_batchs_span() {
    let home = attrs(&[("page", Value::Text("/".into()))]);
    let jobs = attrs(&[("page", Value::Text("/jobs".into()))]);
    let events = [
        event("page_views_total", &home, 1.0, 1000.0),
        event("page_views_total", &jobs, 1.0, 1500.0),
        event("page_views_total", &home, 2.0, 3000.0),
    ];
    let body = text(metrics_body(
        &sealed(500.0, 3000.0),
        events.iter().map(Vec::as_slice),
        number,
    ));
    let expected = String::from(r#"{"resourceMetrics":["#)
        + RESOURCE_JSON
        + r#""scopeMetrics":[{"scope":{"name":"@recoloca/telemetry","version":"0.1.0"},"metrics":[{"name":"page_views_total","sum":{"dataPoints":[{"attributes":[{"key":"page","value":{"stringValue":"/"}}],"startTimeUnixNano":"500000000","timeUnixNano":"3000000000","asDouble":3},{"attributes":[{"key":"page","value":{"stringValue":"/jobs"}}],"startTimeUnixNano":"500000000","timeUnixNano":"3000000000","asDouble":1}],"aggregationTemporality":1,"isMonotonic":true}}]}]}]}"#;
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
        &sealed(5.0, 60.0),
        events.iter().map(Vec::as_slice),
        number,
    ));
    let metrics = body.split(r#""metrics":["#).nth(1).unwrap();
    assert_eq!(
        metrics,
        concat!(
            r#"{"name":"largest_contentful_paint_ms","unit":"ms","histogram":{"dataPoints":[{"attributes":[],"startTimeUnixNano":"5000000","timeUnixNano":"60000000","count":"3","sum":75001,"min":2500,"max":70000,"#,
            r#""bucketCounts":["0","0","0","0","0","0","0","0","0","0","1","1","0","0","0","0","0","0","1"],"explicitBounds":[10,25,50,100,200,300,500,800,1000,1800,2500,3000,4000,6000,10000,20000,30000,60000]}],"aggregationTemporality":1}},"#,
            r#"{"name":"cumulative_layout_shift","unit":"1","histogram":{"dataPoints":[{"attributes":[],"startTimeUnixNano":"5000000","timeUnixNano":"60000000","count":"1","sum":0.1,"min":0.1,"max":0.1,"#,
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
        // Named like what the client writes itself: left out, not written twice.
        ("user.id", Value::Text("someone else".into())),
        ("exception.type", Value::Text("Nope".into())),
    ]);
    let entry = Entry {
        epoch_ms: 1_700_000_000_123.0,
        timestamp: &crate::json::iso_text(1_700_000_000_123.0),
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
        None,
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
        assert!(encode_log(&mut out, &e, &[], None, None, None, number));
        assert!(text(out).contains(expected), "{level:?}");
    }
    let body = text(logs_body(&sealed(0.0, 0.0), b"{},{}"));
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
    use crate::stream::Kind;

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
        assert!(!p[0].stream.is_otlp());
    }

    #[test]
    fn with_one_metrics_go_both_ways_and_null_turns_a_seed_stream_off() {
        let mut c = client(&[
            ("otlpEndpoint", Opt::Text("http://collector:4318".into())),
            ("batchSize", Opt::Number(1.0)),
        ]);
        page_view(&mut c, "/", T0);
        let p = posts(&mut c);
        let urls: Vec<_> = p
            .iter()
            .map(|p| (p.url.as_str(), p.stream.is_otlp()))
            .collect();
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
            Input::Answer {
                request: again.request,
                status: Some(200),
                retry_after: None,
            },
        );
        // The collector's partial success, read after the answer.
        c.handle_input(
            T0 + 2000.0,
            Input::Rejected {
                stream: Kind::OtlpMetrics,
                count: 1,
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
                    timestamp: &crate::json::iso_text(T0 + f64::from(i)),
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
            .filter(|o| matches!(o, Output::Post(p) if p.keepalive && p.stream.is_otlp()))
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

    fn body_of(p: &Post) -> String {
        String::from_utf8(p.body.clone()).unwrap()
    }

    fn outputs(c: &mut Client) -> Vec<Output> {
        std::iter::from_fn(|| c.poll_output()).collect()
    }

    #[test]
    fn events_before_configure_reach_otlp_and_a_hide_before_it_keeps_them() {
        // A page view before configure(): the OTLP stream keeps it.
        let mut c = Client::new(Platform::native(), [7; 32], true, T0);
        page_view(&mut c, "/early", T0);
        c.handle_input(
            T0 + 1.0,
            Input::Hide {
                last: true,
                stored_elsewhere: 0,
            },
        );
        let out = outputs(&mut c);
        // Nothing is sent without an endpoint: no request to "" (the page's own URL).
        assert!(
            out.iter()
                .all(|o| !matches!(o, Output::Post(p) if p.url.is_empty())),
            "{out:?}"
        );
        let stored = out
            .iter()
            .find_map(|o| match o {
                Output::Store { key, text } => {
                    Some((key.clone(), String::from_utf8(text.clone()).unwrap()))
                }
                _ => None,
            })
            .expect("kept in storage");
        assert!(
            stored.1.lines().any(|l| l.starts_with("M ")),
            "{}",
            stored.1
        );

        // The next page reads it before its configure(), and sends it once configured.
        let mut next = Client::new(Platform::native(), [8; 32], true, T0); // another page
        next.handle_input(T0 + 10.0, Input::Stored(vec![stored]));
        let early: Vec<Post> = posts(&mut next);
        assert!(early.iter().all(|p| !p.url.is_empty()), "{early:?}");
        next.handle_input(
            T0 + 20.0,
            Input::Configure(vec![
                (
                    index_of("otlpEndpoint").unwrap(),
                    Opt::Text("http://c".into()),
                ),
                (
                    index_of("metricsEndpoint").unwrap(),
                    Opt::Text(String::new()),
                ),
            ]),
        );
        let sent = posts(&mut next);
        let otlp: Vec<_> = sent
            .iter()
            .filter(|p| p.url == "http://c/v1/metrics")
            .collect();
        assert_eq!(otlp.len(), 1, "{sent:?}");
        assert!(body_of(otlp[0]).contains(r#"{"stringValue":"/early"}"#));
        // With the resource it was sealed with, kept in storage.
        assert!(body_of(otlp[0]).contains(r#"{"resource":{"attributes":[{"key":"service.name""#));
        // The seed's stream, turned off, let go of its copy: nothing went to "".
        assert!(sent.iter().all(|p| !p.url.is_empty()), "{sent:?}");
    }

    #[test]
    fn a_seed_stream_turned_off_lets_go_and_health_waits_without_any_metrics_stream() {
        let mut c = Client::new(Platform::native(), [7; 32], true, T0);
        page_view(&mut c, "/", T0);
        c.handle_input(
            T0,
            Input::Configure(vec![(
                index_of("metricsEndpoint").unwrap(),
                Opt::Text(String::new()),
            )]),
        );
        assert_eq!(c.metrics.queue.len(), 0);
        assert_eq!(c.otlp_metrics.queue.len(), 0, "no otlpEndpoint either: off");
        c.metrics.counts.retries = 3;
        c.handle_input(T0, Input::Flush(1));
        c.handle_input(
            T0,
            Input::Hide {
                last: true,
                stored_elsewhere: 0,
            },
        );
        assert!(outputs(&mut c)
            .iter()
            .all(|o| !matches!(o, Output::Post(_) | Output::Beacon { .. })));
    }

    #[test]
    fn the_resource_is_the_one_of_when_the_batch_was_sealed() {
        let mut c = otlp_only();
        c.handle_input(
            T0,
            Input::Configure(vec![(
                index_of("version").unwrap(),
                Opt::Text("1.0-old".into()),
            )]),
        );
        c.handle_input(T0, Input::Online(false));
        page_view(&mut c, "/", T0);
        c.handle_input(T0, Input::Flush(1)); // sealed now, sent later
        c.handle_input(
            T0,
            Input::Configure(vec![(
                index_of("version").unwrap(),
                Opt::Text("2.0-new".into()),
            )]),
        );
        c.handle_input(T0 + 1.0, Input::Online(true));
        let p = posts(&mut c);
        assert!(
            body_of(&p[0])
                .contains(r#"{"key":"service.version","value":{"stringValue":"1.0-old"}}"#),
            "{}",
            body_of(&p[0])
        );
    }

    #[test]
    fn delta_spans_follow_one_another() {
        let mut c = otlp_only();
        let mut spans = Vec::new();
        for i in 0..3 {
            let at = T0 + 1000.0 * f64::from(i);
            page_view(&mut c, "/", at);
            c.handle_input(at, Input::Flush(i as u32));
            for p in posts(&mut c) {
                let b = body_of(&p);
                let field = |name: &str| {
                    b.split(&format!(r#""{name}":""#))
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap()
                        .parse::<u64>()
                        .unwrap()
                };
                spans.push((field("startTimeUnixNano"), field("timeUnixNano")));
                c.handle_input(
                    at,
                    Input::Answer {
                        request: p.request,
                        status: Some(200),
                        retry_after: None,
                    },
                );
            }
        }
        assert_eq!(spans.len(), 3, "{spans:?}");
        for w in spans.windows(2) {
            assert_eq!(
                w[0].1, w[1].0,
                "each span starts where the one before ended: {spans:?}"
            );
            assert!(w[1].0 <= w[1].1);
        }
    }

    #[test]
    fn a_body_larger_than_max_request_bytes_is_split_until_it_fits() {
        let mut c = client(&[
            ("otlpEndpoint", Opt::Text("http://c".into())),
            ("metricsEndpoint", Opt::Text(String::new())),
            ("batchSize", Opt::Number(10_000.0)),
            ("maxRequestBytes", Opt::Number(20_000.0)),
        ]);
        // 300 series of one histogram: small events, large points.
        for i in 0..300 {
            let labels = vec![("route".to_string(), Value::Text(format!("/r/{i}")))];
            let id = f64::from(c.add_series_with("api_call_duration_ms", None, &labels));
            c.handle_input(T0, Input::Metrics(&[id, 120.0, T0]));
        }
        c.handle_input(T0, Input::Flush(1));
        let (mut samples, mut requests) = (0, 0);
        while let Some(p) = posts(&mut c).pop() {
            requests += 1;
            assert!(p.body.len() <= 20_000, "a body of {} bytes", p.body.len());
            samples += body_of(&p).matches(r#""count":"1""#).count();
            c.handle_input(
                T0,
                Input::Answer {
                    request: p.request,
                    status: Some(200),
                    retry_after: None,
                },
            );
        }
        assert_eq!(samples, 300);
        assert!(requests > 1);
    }
}

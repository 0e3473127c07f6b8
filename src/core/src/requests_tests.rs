//! Native tests of `src/requests.rs`: what the client makes of the page's requests.

use crate::client::{Client, Input, Output, Platform, Post};
use crate::config::{index_of, Value as Opt};
use crate::stream::Kind;
use crate::trace::Context;

const T0: f64 = 1_700_000_000_000.0;
const PAGE: &str = "https://app.recoloca.ai";

fn client(options: &[(&str, Opt)]) -> Client {
    let mut c = Client::new(Platform::native(), [5; 32], true, T0);
    let o = options
        .iter()
        .map(|(n, v)| (index_of(n).unwrap(), v.clone()))
        .collect();
    c.handle_input(T0, Input::Configure(o));
    c
}

/// Instrumented, OTLP only, large batches (only flush() sends).
fn traced(rate: f64) -> Client {
    client(&[
        ("instrumentRequests", Opt::Number(1.0)),
        ("traceSampleRate", Opt::Number(rate)),
        ("otlpEndpoint", Opt::Text("https://otel.test".into())),
        ("metricsEndpoint", Opt::Text(String::new())),
        ("logsEndpoint", Opt::Text(String::new())),
        ("batchSize", Opt::Number(1000.0)),
        ("logBatchSize", Opt::Number(1000.0)),
    ])
}

fn flushed(c: &mut Client) -> Vec<Post> {
    c.handle_input(T0 + 10_000.0, Input::Flush(9));
    std::iter::from_fn(|| c.poll_output())
        .filter_map(|o| match o {
            Output::Post(p) => Some(p),
            _ => None,
        })
        .collect()
}

fn body(posts: &[Post], path: &str) -> String {
    let p = posts
        .iter()
        .find(|p| p.url.ends_with(path))
        .unwrap_or_else(|| panic!("no {path} in {posts:?}"));
    String::from_utf8(p.body.clone()).unwrap()
}

#[test]
fn off_by_default_nothing_is_measured() {
    let mut c = client(&[("otlpEndpoint", Opt::Text("https://otel.test".into()))]);
    assert_eq!(
        c.request_start(T0, "https://app.recoloca.ai/api", "GET", PAGE, None, false),
        None
    );
}

#[test]
fn the_header_goes_to_the_page_and_listed_urls_only_and_the_apps_own_is_kept() {
    let mut c = traced(1.0);
    c.set_propagation_prefixes(vec!["https://api.recoloca.ai/".into()]);
    let same = c
        .request_start(
            T0,
            "https://app.recoloca.ai/api/jobs?x=1",
            "get",
            PAGE,
            None,
            false,
        )
        .unwrap();
    let listed = c
        .request_start(
            T0,
            "https://api.recoloca.ai/v1/cv",
            "GET",
            PAGE,
            None,
            false,
        )
        .unwrap();
    let by_regex = c
        .request_start(T0, "https://eu.api.example/x", "GET", PAGE, None, true)
        .unwrap();
    let other = c
        .request_start(T0, "https://cdn.example.com/x.js", "GET", PAGE, None, false)
        .unwrap();
    let app = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let own = c
        .request_start(
            T0,
            "https://app.recoloca.ai/api/x",
            "GET",
            PAGE,
            Some(app),
            false,
        )
        .unwrap();
    for s in [&same, &listed, &by_regex] {
        let header = s.traceparent.as_deref().expect("a traceparent");
        assert!(
            Context::parse(header).is_some_and(|c| c.sampled),
            "{header}"
        );
    }
    assert_eq!(other.traceparent, None, "never to an unlisted origin");
    assert_eq!(own.traceparent, None, "the app's own is kept");
    // The app's ids are the span's.
    c.request_end(T0 + 5.0, own.id, 200);
    let posts = flushed(&mut c);
    assert!(body(&posts, "/v1/traces")
        .contains(r#""traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7""#));
}

#[test]
fn a_request_becomes_the_seeds_metrics_and_a_client_span_joined_by_its_ids() {
    let mut c = traced(1.0);
    let s = c
        .request_start(
            T0,
            "https://app.recoloca.ai/api/jobs/123?token=secret",
            "GET",
            PAGE,
            None,
            false,
        )
        .unwrap();
    let failed = c
        .request_start(
            T0,
            "https://api.example.com/v1/cv",
            "POST",
            PAGE,
            None,
            false,
        )
        .unwrap();
    c.request_end(T0 + 183.0, s.id, 200);
    c.request_end(T0 + 20.0, failed.id, 0);
    let posts = flushed(&mut c);
    let metrics = body(&posts, "/v1/metrics");
    assert!(metrics.contains(r#"{"name":"api_calls_total","sum":{"dataPoints":[{"attributes":[{"key":"endpoint","value":{"stringValue":"/api/jobs/:id"}},{"key":"method","value":{"stringValue":"GET"}},{"key":"status","value":{"stringValue":"200"}}]"#), "{metrics}");
    assert!(metrics.contains(r#"{"key":"endpoint","value":{"stringValue":"https://api.example.com/v1/cv"}},{"key":"method","value":{"stringValue":"POST"}},{"key":"status","value":{"stringValue":"0"}}"#), "{metrics}");
    assert!(metrics.contains(r#""count":"1","sum":183,"#), "{metrics}");
    assert!(!metrics.contains("secret"));
    let spans = body(&posts, "/v1/traces");
    let header = Context::parse(s.traceparent.as_deref().unwrap()).unwrap();
    let mut ids = String::new();
    crate::trace::hex(&mut ids, &header.trace.0);
    assert!(spans.contains(&format!(r#""traceId":"{ids}""#)), "{spans}");
    assert!(spans.contains(r#""name":"HTTP GET","kind":3,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000183000000","attributes":[{"key":"http.request.method","value":{"stringValue":"GET"}},{"key":"url.full","value":{"stringValue":"https://app.recoloca.ai/api/jobs/123"}},{"key":"server.address","value":{"stringValue":"app.recoloca.ai"}},{"key":"server.port","value":{"intValue":"443"}},{"key":"http.response.status_code","value":{"intValue":"200"}}]}"#), "{spans}");
    assert!(
        spans.contains(
            r#"{"key":"error.type","value":{"stringValue":"network"}}],"status":{"code":2}}"#
        ),
        "{spans}"
    );
}

#[test]
fn a_trace_sampled_out_still_propagates_and_records_no_span() {
    let mut c = traced(0.0);
    let s = c
        .request_start(T0, "https://app.recoloca.ai/api", "GET", PAGE, None, false)
        .unwrap();
    assert!(s.traceparent.as_deref().is_some_and(|h| h.ends_with("-00")));
    c.request_end(T0 + 1.0, s.id, 200);
    let posts = flushed(&mut c);
    assert!(
        posts.iter().all(|p| !p.url.ends_with("/v1/traces")),
        "{posts:?}"
    );
    assert!(
        body(&posts, "/v1/metrics").contains("api_calls_total"),
        "metrics still count it"
    );
}

#[test]
fn the_document_load_is_a_span_with_its_phases_and_log_entries_name_its_trace() {
    let mut c = traced(1.0);
    c.handle_input(
        T0,
        Input::Configure(vec![(
            index_of("logsEndpoint").unwrap(),
            Opt::Text("/api/logs".into()),
        )]),
    );
    let phases = [
        ("fetchStart", T0),
        ("responseEnd", T0 + 80.0),
        ("loadEventEnd", T0 + 400.0),
    ];
    c.document_load(T0 + 401.0, "https://app.recoloca.ai/jobs?ref=mail", &phases);
    let entry = crate::log::Entry {
        epoch_ms: T0 + 500.0,
        timestamp: &crate::json::iso_text(T0 + 500.0),
        level: crate::log::Level::Info,
        message: "hi",
        context_json: None,
        error: None,
        context: &[],
    };
    c.handle_input(T0 + 500.0, Input::Log(entry));
    let posts = flushed(&mut c);
    let spans = body(&posts, "/v1/traces");
    assert!(spans.contains(r#""name":"documentLoad","kind":1,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000400000000","attributes":[{"key":"url.full","value":{"stringValue":"https://app.recoloca.ai/jobs"}}],"events":[{"timeUnixNano":"1700000000000000000","name":"fetchStart"},{"timeUnixNano":"1700000000080000000","name":"responseEnd"},{"timeUnixNano":"1700000000400000000","name":"loadEventEnd"}]}"#), "{spans}");
    let trace = spans
        .split(r#""traceId":""#)
        .nth(1)
        .unwrap()
        .get(..32)
        .unwrap()
        .to_string();
    let seed_log = body(&posts, "/api/logs");
    assert!(
        seed_log.contains(&format!(r#""trace_id":"{trace}"}}"#)),
        "{seed_log}"
    );
    let otlp_log = body(&posts, "/v1/logs");
    assert!(
        otlp_log.contains(&format!(r#""traceId":"{trace}""#)),
        "{otlp_log}"
    );
}

#[test]
fn requests_under_way_are_bounded() {
    let mut c = traced(1.0);
    let started = (0..1000)
        .filter(|_| {
            c.request_start(T0, "https://app.recoloca.ai/a", "GET", PAGE, None, false)
                .is_some()
        })
        .count();
    assert_eq!(started, crate::requests::MAX_IN_FLIGHT);
    assert_eq!(c.stream_ref(Kind::OtlpTraces).queue.len(), 0);
}

#[test]
fn measured_requests_leave_the_pages_series_ids_alone() {
    // index.js keeps the ids the series table gave it: requests measured by the thousand must
    // not make that table start over (their metrics do not go through it).
    let mut c = traced(0.0);
    c.handle_input(
        T0,
        Input::Configure(vec![
            (
                index_of("maxBufferedEvents").unwrap(),
                Opt::Number(100_000.0),
            ),
            (
                index_of("maxBufferedBytes").unwrap(),
                Opt::Number(64.0 * 1048576.0),
            ),
        ]),
    );
    let id = c.add_series("x_total", None);
    for i in 0..3000 {
        let s = c
            .request_start(
                T0,
                &format!("https://app.recoloca.ai/api/{i}/x"),
                "GET",
                PAGE,
                None,
                false,
            )
            .unwrap();
        c.request_end(T0 + 1.0, s.id, 200);
    }
    c.handle_input(T0 + 2.0, Input::Metrics(&[f64::from(id), 7.0, T0 + 2.0]));
    // Every batch, each answered so that the next one goes.
    let mut posts = flushed(&mut c);
    let mut metrics = String::new();
    while let Some(p) = posts.pop() {
        if p.url.ends_with("/v1/metrics") {
            metrics.push_str(&String::from_utf8(p.body.clone()).unwrap());
        }
        let answer = Input::Answer {
            request: p.request,
            status: Some(200),
            retry_after: None,
        };
        c.handle_input(T0 + 3.0, answer);
        posts.extend(
            std::iter::from_fn(|| c.poll_output()).filter_map(|o| match o {
                Output::Post(p) => Some(p),
                _ => None,
            }),
        );
    }
    assert!(
        metrics.contains(r#"{"name":"x_total","sum":{"dataPoints":[{"attributes":[],"#),
        "{metrics}"
    );
}

#[test]
fn without_a_traces_url_requests_are_still_measured_and_propagated() {
    // `otlpTracesEndpoint: null`: an app that keeps its spans out of OTLP (or has no tracing
    // backend) still gets the metrics and the header that joins the backend's logs.
    let mut c = traced(1.0);
    c.handle_input(
        T0,
        Input::Configure(vec![(
            index_of("otlpTracesEndpoint").unwrap(),
            Opt::Text(String::new()),
        )]),
    );
    let s = c
        .request_start(
            T0,
            "https://app.recoloca.ai/api/jobs/7",
            "GET",
            PAGE,
            None,
            false,
        )
        .unwrap();
    assert!(s.traceparent.is_some());
    c.handle_input(
        T0 + 30.0,
        Input::RequestEnd {
            id: s.id,
            status: 200,
        },
    );
    let posts = flushed(&mut c);
    assert!(body(&posts, "/v1/metrics").contains("api_call_duration_ms"));
    assert!(
        posts.iter().all(|p| !p.url.ends_with("/v1/traces")),
        "{posts:?}"
    );
}

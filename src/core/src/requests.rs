//! The page's own requests, measured (`instrumentRequests`, the `traces` feature): what the
//! browser layer's `fetch` and `XMLHttpRequest` wrappers tell the client when a request starts
//! and when it ends, and what the client makes of it.
//!
//! - At the start: whether the request gets a `traceparent` (`trace.rs`: to the page's origin
//!   and to listed URLs only; one the app set itself is kept, and its ids are the span's), with
//!   a trace id and a span id, sampled by `traceSampleRate`.
//! - At the end: the seed's `api_calls_total` and `api_call_duration_ms`, labelled as
//!   `trackApiCall` labels them (endpoint as a route template, `route.rs`; method; status, `0`
//!   for a network error or an abort), and, when sampled, a CLIENT span for the OTLP traces
//!   stream.
//! - The page's load: one `documentLoad` span with the navigation timing's phases as events,
//!   whose trace is then the page's current trace, which log entries name (`trace_id`).
//!
//! The client's own deliveries never reach here: the wrappers leave them alone.

use alloc::string::String;
use alloc::vec::Vec;

use crate::client::{Client, MeasuredRequest};
use crate::otlp::{self, Span, Value};
use crate::stream::Kind;
use crate::trace::{self, Context};

/// Most requests measured at once; one more is not measured (a page that never lets its
/// requests end must not grow the client's memory).
pub const MAX_IN_FLIGHT: usize = 256;

/// OTLP's span kinds used here.
const INTERNAL: u8 = 1;
const CLIENT: u8 = 3;

/// What a wrapper learns when a request starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Started {
    /// Names the request when it ends ([`Client::request_end`]).
    pub id: u32,
    /// The `traceparent` to add, if any (none for other origins, or when the app set one).
    pub traceparent: Option<String>,
}

impl Client {
    /// `propagateTraceHeaderCorsUrls`' strings (regular expressions stay in the browser layer,
    /// which tells [`Client::request_start`] whether one matched).
    pub fn set_propagation_prefixes(&mut self, prefixes: Vec<String>) {
        self.measured.prefixes = prefixes;
    }

    /// A request of the page starts at `now`: `url` absolute, the page's `origin`, the
    /// `traceparent` the app set itself if any, and whether one of the app's regular
    /// expressions listed the URL. `None`: not measured (`instrumentRequests` off, or too many
    /// under way).
    pub fn request_start(
        &mut self,
        now: f64,
        url: &str,
        method: &str,
        origin: &str,
        app_traceparent: Option<&str>,
        listed: bool,
    ) -> Option<Started> {
        if !self.config.instrument_requests
            || self.measured.under_way.len() >= MAX_IN_FLIGHT
            || !self.records()
        {
            return None;
        }
        let own = app_traceparent.and_then(Context::parse);
        let rate = self.config.trace_sample_rate();
        let context = own.unwrap_or_else(|| Context::start(&mut self.random, rate));
        // (A header of the client's is something leaving the page too: not while consent is
        // pending, `consent.rs`.)
        let propagate = own.is_none()
            && self.lets_out()
            && (listed || trace::may_propagate(url, origin, &self.measured.prefixes));
        let bare = crate::route::without_query(url);
        let (host, port) = crate::route::server(bare);
        let m = &mut self.measured;
        m.next_id = m.next_id.wrapping_add(1).max(1);
        let id = m.next_id;
        m.under_way.push(MeasuredRequest {
            id,
            method: method.to_ascii_uppercase(),
            url: bare.into(),
            endpoint: crate::route::template(bare, origin),
            server: host.into(),
            port,
            context,
            start: now,
        });
        Some(Started {
            id,
            traceparent: propagate.then(|| context.traceparent()),
        })
    }

    /// Request `id` ended at `now` with HTTP `status` (0: no answer: a network error or an
    /// abort): its metrics, and its span when sampled.
    pub fn request_end(&mut self, now: f64, id: u32, status: u16) {
        let Some(i) = self.measured.under_way.iter().position(|r| r.id == id) else {
            return;
        };
        let r = self.measured.under_way.swap_remove(i);
        let mut digits = Vec::new();
        crate::json::write_u64(&mut digits, u64::from(status));
        let status_text: String = digits.iter().map(|&d| char::from(d)).collect();
        let duration = (now - r.start).max(0.0);
        let wall = self.wall(now);
        let (endpoint, method) = (
            ("endpoint", r.endpoint.as_str()),
            ("method", r.method.as_str()),
        );
        self.push_metric(
            "api_calls_total",
            &[endpoint, method, ("status", &status_text)],
            1.0,
            wall,
            now,
        );
        self.push_metric(
            "api_call_duration_ms",
            &[endpoint, method],
            duration,
            wall,
            now,
        );
        if !r.context.sampled {
            return;
        }
        let mut attributes = alloc::vec![
            ("http.request.method", Value::Text(r.method.clone())),
            ("url.full", Value::Text(r.url)),
            ("server.address", Value::Text(r.server)),
        ];
        if r.port > 0 {
            attributes.push(("server.port", Value::Number(f64::from(r.port))));
        }
        if status > 0 {
            attributes.push((
                "http.response.status_code",
                Value::Number(f64::from(status)),
            ));
        } else {
            attributes.push(("error.type", Value::Text("network".into())));
        }
        let mut name = String::from("HTTP ");
        name.push_str(&r.method);
        let span = Span {
            context: r.context,
            name: &name,
            kind: CLIENT,
            start: self.wall(r.start),
            end: wall,
            attributes: &attributes,
            error: status == 0 || status >= 500,
            events: &[],
        };
        self.push_span(&span, now);
    }

    /// The page's load, from the navigation timing: `phases` are (name, epoch ms) in order,
    /// the first its start and the last its end. Starts the page's current trace.
    pub fn document_load(&mut self, now: f64, url: &str, phases: &[(&str, f64)]) {
        let context = Context::start(&mut self.random, self.config.trace_sample_rate());
        self.measured.current = Some(context.trace);
        self.stamp.set_trace(Some(context.trace.0));
        let (Some(first), Some(last)) = (phases.first(), phases.last()) else {
            return;
        };
        if !context.sampled || !self.config.instrument_requests {
            return;
        }
        let attributes = [(
            "url.full",
            Value::Text(crate::route::without_query(url).into()),
        )];
        let span = Span {
            context,
            name: "documentLoad",
            kind: INTERNAL,
            start: first.1,
            end: last.1,
            attributes: &attributes,
            error: false,
            events: phases,
        };
        self.push_span(&span, now);
    }

    /// One metric event with these labels (written as `JSON.stringify` writes the seed's
    /// labels, in this order), into every metrics stream that takes events. Not through the
    /// series table: that one's ids are shared with index.js, and a series added here could
    /// make the table start over under its feet.
    fn push_metric(
        &mut self,
        name: &str,
        labels: &[(&str, &str)],
        value: f64,
        wall: f64,
        now: f64,
    ) {
        // Each stream's labels are written only if it takes the event (an app that exports
        // OTLP metrics only, or none, pays for no other encoding on every request).
        let number = self.platform.number;
        if self.takes(Kind::Metrics) {
            let mut json = Vec::new();
            crate::json::write(&mut json, &crate::wire::Labels(labels), number);
            let json = core::str::from_utf8(&json).unwrap_or("{}");
            let admitted = self
                .metrics
                .queue
                .push_with(|out| crate::metric::encode_own(out, name, value, json, wall, number));
            self.admitted(Kind::Metrics, admitted, now);
        }
        if self.takes(Kind::OtlpMetrics) {
            let values: Vec<(String, Value)> = labels
                .iter()
                .map(|(k, v)| (String::from(*k), Value::Text(String::from(*v))))
                .collect();
            let mut attributes = Vec::new();
            otlp::write_metric_attributes(&mut attributes, &values, number);
            let admitted = self
                .otlp_metrics
                .queue
                .push_with(|out| otlp::encode_metric(out, name, &attributes, value, wall, number));
            self.admitted(Kind::OtlpMetrics, admitted, now);
        }
    }

    /// Counts an event stream `kind` refused, and sends its batch once full.
    fn admitted(&mut self, kind: Kind, admitted: Result<(), crate::batch::Drop>, now: f64) {
        if let Err(d) = admitted {
            self.count_drop(kind, d, 1);
        }
        if self.stream_ref(kind).is_full() {
            self.on_full_batch(kind, now);
        }
    }

    /// Puts one span into the OTLP traces stream (counted when it does not fit).
    fn push_span(&mut self, span: &Span, now: f64) {
        if !self.takes(Kind::OtlpTraces) {
            return;
        }
        let number = self.platform.number;
        let admitted = self
            .otlp_traces
            .queue
            .push_with(|out| otlp::encode_span(out, span, number));
        self.admitted(Kind::OtlpTraces, admitted, now);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "requests_tests.rs"]
mod tests;

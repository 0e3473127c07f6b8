//! OTLP/HTTP JSON: the bodies an OpenTelemetry Collector takes on `/v1/metrics` and `/v1/logs`
//! (the `otlp` feature, the package's `@recoloca/telemetry/otlp` entry).
//!
//! The OTLP streams queue, seal, retry, persist and leave at page exit exactly as the seed's
//! streams do (`batch.rs`, `delivery.rs`, `exit.rs`, `persist.rs`): a sealed batch is a list of
//! events under one idempotency key. What differs is only the body a request carries, made here
//! from the batch each time it is sent. What the body says besides the events is fixed when
//! the batch is sealed ([`Sealed`]: the resource as the options and identity were then, and the
//! time span the batch covers), and kept with it in storage, so every attempt, by this page or
//! the next, sends the same bytes; and the batch stays in the client's own form, so splitting a
//! refused batch in two still works by events.
//!
//! - A metric event is kept as `[instrument,value,epoch ms,"name",attributes]`, its attributes
//!   already in OTLP's form and its two numbers as the bits of their `f64` (read back exactly,
//!   with no decimal parsing: Rust's float parser and its tables would cost the module
//!   about 10 kB). At send time the events of one series (name and attributes) are
//!   aggregated as OpenTelemetry's metrics data model describes
//!   (<https://opentelemetry.io/docs/specs/otel/metrics/data-model/>): `*_total` events are
//!   increments, summed into one monotonic `Sum` point with delta temporality; durations
//!   (`*_ms`, `*_seconds`) and the unitless layout-shift score go into one delta `Histogram`
//!   point, with bounds that include each Web Vital's good/poor thresholds so a collector reads
//!   the share of good samples off a bucket; anything else is a `Gauge` of its latest value.
//! - A log entry is kept as its finished OTLP `LogRecord`; the body puts the resource around
//!   them. Severity numbers and exception attributes follow the logs data model and semantic
//!   conventions (<https://opentelemetry.io/docs/specs/otel/logs/data-model/>,
//!   <https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-logs/>).
//!
//! `user_id` and `session_id` labels never become metric attributes: each user would be a
//! series of its own in every backend. The session travels as the resource's `session.id`, and
//! both as log attributes (`user.id`, `session.id`).
//!
//! OTLP/JSON spells 64-bit integers (times in ns, counts) as decimal strings and enums as
//! integers (<https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding>).

use alloc::string::String;
use alloc::vec::Vec;

use serde::ser::Serializer;
use serde::Serialize;

use crate::json::{self, NumberFallback};
use crate::log::{Entry, Level};

/// The instrumentation scope and `telemetry.sdk.name`.
pub const SDK_NAME: &str = "@recoloca/telemetry";
/// The package's version: `telemetry.sdk.version` and the scope's version.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Histogram bounds for durations in ms. They include the good/poor thresholds of each Web
/// Vital (FID 100/300, INP 200/500, TTFB 800/1800, FCP 1800/3000, LCP 2500/4000 ms), and the
/// rest spans API calls from 10 ms to a minute. The same bounds as the demo collector's
/// Prometheus histograms (in seconds there), so that buckets map one to one.
pub const MS_BOUNDS: [f64; 18] = [
    10.0, 25.0, 50.0, 100.0, 200.0, 300.0, 500.0, 800.0, 1000.0, 1800.0, 2500.0, 3000.0, 4000.0,
    6000.0, 10000.0, 20000.0, 30000.0, 60000.0,
];
/// The same bounds for durations in seconds.
pub const SECONDS_BOUNDS: [f64; 18] = [
    0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.8, 2.5, 3.0, 4.0, 6.0, 10.0, 20.0, 30.0,
    60.0,
];
/// Bounds for the layout-shift score: good up to 0.1, poor above 0.25, extreme above 1.
pub const SCORE_BOUNDS: [f64; 9] = [0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.0];

/// The label keys that never become metric attributes (unbounded cardinality).
const NOT_METRIC_ATTRIBUTES: [&str; 2] = ["user_id", "session_id"];

/// What a sealed OTLP batch's body says besides its events, fixed at sealing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sealed {
    /// The resource (`{"attributes":[…]}`, [`Resource::json`]) as it was when the batch was
    /// sealed.
    pub resource: Vec<u8>,
    /// The time span (epoch ms) of a metrics batch's delta points: from the end of the
    /// stream's batch before it to this batch's latest event. One stream's spans follow one
    /// another without overlap, as delta points of one series must.
    pub start: f64,
    pub end: f64,
}

pub use crate::attribute::Value;

/// How the events of a metric name are aggregated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instrument {
    /// Increments, summed: a monotonic `Sum`.
    Sum = 0,
    /// Durations in ms.
    Milliseconds = 1,
    /// Durations in seconds.
    Seconds = 2,
    /// A unitless score (the cumulative layout shift).
    Score = 3,
    /// Anything else: a `Gauge`, the latest value.
    Gauge = 4,
}

impl Instrument {
    /// The instrument of a metric name, by the seed's naming conventions.
    pub fn of(name: &str) -> Instrument {
        if name.ends_with("_total") {
            Instrument::Sum
        } else if name.ends_with("_ms") {
            Instrument::Milliseconds
        } else if name.ends_with("_seconds") {
            Instrument::Seconds
        } else if name == "cumulative_layout_shift" {
            Instrument::Score
        } else {
            Instrument::Gauge
        }
    }

    fn from_digit(d: u8) -> Option<Instrument> {
        Some(match d {
            b'0' => Instrument::Sum,
            b'1' => Instrument::Milliseconds,
            b'2' => Instrument::Seconds,
            b'3' => Instrument::Score,
            b'4' => Instrument::Gauge,
            _ => return None,
        })
    }

    /// Bounds and unit of a histogram; `None` for the others.
    fn histogram(self) -> Option<(&'static [f64], &'static str)> {
        match self {
            Instrument::Milliseconds => Some((&MS_BOUNDS, "ms")),
            Instrument::Seconds => Some((&SECONDS_BOUNDS, "s")),
            Instrument::Score => Some((&SCORE_BOUNDS, "1")),
            Instrument::Sum | Instrument::Gauge => None,
        }
    }
}

/// One OTLP `KeyValue`.
#[derive(Serialize)]
struct KeyValue<'a> {
    key: &'a str,
    value: AnyValue<'a>,
}

/// OTLP's `AnyValue`, as much of it as a label or context value needs.
#[derive(Serialize)]
enum AnyValue<'a> {
    #[serde(rename = "stringValue")]
    Text(&'a str),
    #[serde(rename = "boolValue")]
    Bool(bool),
    /// A whole number, as the decimal string OTLP/JSON makes of an int64.
    #[serde(rename = "intValue")]
    Int(Decimal),
    #[serde(rename = "doubleValue")]
    Double(f64),
}

impl<'a> AnyValue<'a> {
    fn of(v: &'a Value) -> AnyValue<'a> {
        match v {
            Value::Text(t) => AnyValue::Text(t),
            Value::Bool(b) => AnyValue::Bool(*b),
            // Whole numbers that an int64 holds exactly become `intValue` (a status code, a
            // count), so a backend sees the integer the page meant.
            Value::Number(n) if crate::float::fract(*n) == 0.0 && n.abs() < 9.0e15 => {
                AnyValue::Int(Decimal(*n as i64))
            }
            Value::Number(n) => AnyValue::Double(*n),
        }
    }
}

/// An integer written as OTLP/JSON writes 64-bit integers: a quoted decimal.
#[derive(Clone, Copy)]
struct Decimal(i64);

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = Vec::with_capacity(22);
        text.push(b'"');
        if self.0 < 0 {
            text.push(b'-');
        }
        json::write_u64(&mut text, self.0.unsigned_abs());
        text.push(b'"');
        // Written verbatim (see `json::JsFormatter`): digits need no escaping.
        serializer.serialize_bytes(&text)
    }
}

/// Epoch ms as OTLP's `fixed64` ns since the epoch, a quoted decimal.
#[derive(Clone, Copy)]
struct Nanos(f64);

impl Serialize for Nanos {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = Vec::with_capacity(22);
        write_nanos(&mut text, self.0);
        serializer.serialize_bytes(&text)
    }
}

/// Appends epoch ms as a quoted decimal of ns, exact for whole ms and to the ns otherwise.
fn write_nanos(out: &mut Vec<u8>, ms: f64) {
    let ms = ms.max(0.0);
    let whole = crate::float::floor(ms);
    let ns = (whole as u64)
        .saturating_mul(1_000_000)
        .saturating_add(crate::float::round((ms - whole) * 1e6) as u64);
    out.push(b'"');
    json::write_u64(out, ns);
    out.push(b'"');
}

/// A list of attributes, as OTLP's `[KeyValue]`.
fn attributes<'a>(pairs: impl Iterator<Item = (&'a str, AnyValue<'a>)>) -> Vec<KeyValue<'a>> {
    pairs.map(|(key, value)| KeyValue { key, value }).collect()
}

/// Appends a metric series' labels as OTLP attributes (`[{"key":…,"value":{…}}]`), leaving out
/// `user_id` and `session_id`.
pub fn write_metric_attributes(
    out: &mut Vec<u8>,
    labels: &[(String, Value)],
    number: NumberFallback,
) -> bool {
    let kept = labels
        .iter()
        .filter(|(k, _)| !NOT_METRIC_ATTRIBUTES.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), AnyValue::of(v)));
    json::write(out, &attributes(kept), number)
}

/// Appends one metric event in the OTLP streams' own form: `[instrument,value bits,epoch ms
/// bits,"name",attributes]`, `attributes_json` being what [`write_metric_attributes`] wrote.
/// `false` for a value JSON cannot carry.
pub fn encode_metric(
    out: &mut Vec<u8>,
    name: &str,
    attributes_json: &[u8],
    value: f64,
    epoch_ms: f64,
    number: NumberFallback,
) -> bool {
    if !value.is_finite() || !epoch_ms.is_finite() {
        return false;
    }
    out.push(b'[');
    out.push(b'0' + Instrument::of(name) as u8);
    out.push(b',');
    json::write_u64(out, value.to_bits());
    out.push(b',');
    json::write_u64(out, epoch_ms.to_bits());
    out.push(b',');
    if !json::write(out, name, number) {
        return false;
    }
    out.push(b',');
    out.extend_from_slice(attributes_json);
    out.push(b']');
    true
}

/// One metric event read back from its own form.
struct Event<'a> {
    instrument: Instrument,
    value: f64,
    epoch_ms: f64,
    /// The name as its JSON string, quotes included.
    name: &'a [u8],
    /// The attributes as their JSON array.
    attributes: &'a [u8],
}

/// Reads an event [`encode_metric`] wrote; `None` for anything else (a batch from storage
/// that someone edited).
fn read_event(e: &[u8]) -> Option<Event<'_>> {
    let inner = e.strip_prefix(b"[")?.strip_suffix(b"]")?;
    let mut fields = inner.splitn(4, |&b| b == b',');
    let instrument = match fields.next()? {
        [d] => Instrument::from_digit(*d)?,
        _ => return None,
    };
    let value = number(fields.next()?)?;
    let epoch_ms = number(fields.next()?)?;
    let rest = fields.next()?;
    // The name: a JSON string, whose end is the first quote not escaped.
    let mut i = 1;
    while *rest.get(i)? != b'"' {
        i += if rest.get(i) == Some(&b'\\') { 2 } else { 1 };
    }
    let (name, after) = rest.split_at_checked(i + 1)?;
    let attributes = after.strip_prefix(b",")?;
    (name.first() == Some(&b'"') && attributes.first() == Some(&b'[')).then_some(Event {
        instrument,
        value,
        epoch_ms,
        name,
        attributes,
    })
}

/// A finite `f64` from the decimal of its bits.
fn number(digits: &[u8]) -> Option<f64> {
    let bits = crate::text::number_u64(digits)?;
    Some(f64::from_bits(bits)).filter(|v| v.is_finite())
}

/// The events of one series in a batch, aggregated.
struct Point<'a> {
    instrument: Instrument,
    name: &'a [u8],
    attributes: &'a [u8],
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
    /// The latest value (a gauge's).
    last: f64,
    /// Per bucket of a histogram.
    buckets: Vec<u64>,
}

impl<'a> Point<'a> {
    fn new(e: &Event<'a>) -> Point<'a> {
        let buckets = e.instrument.histogram().map_or(0, |(b, _)| b.len() + 1);
        Point {
            instrument: e.instrument,
            name: e.name,
            attributes: e.attributes,
            count: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            last: e.value,
            buckets: alloc::vec![0; buckets],
        }
    }

    fn add(&mut self, e: &Event) {
        self.count += 1;
        self.sum += e.value;
        self.min = self.min.min(e.value);
        self.max = self.max.max(e.value);
        self.last = e.value;
        if let Some((bounds, _)) = self.instrument.histogram() {
            // OTLP's bucket i holds values in (bounds[i-1], bounds[i]]; the last, the rest.
            let i = bounds
                .iter()
                .position(|&b| e.value <= b)
                .unwrap_or(bounds.len());
            if let Some(n) = self.buckets.get_mut(i) {
                *n += 1;
            }
        }
    }
}

/// What every body says of its source: the OTLP resource.
#[derive(Clone, Copy, Debug, Default)]
pub struct Resource<'a> {
    pub service: &'a str,
    pub version: &'a str,
    pub environment: &'a str,
    pub session_id: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

impl Resource<'_> {
    /// `{"attributes":[…]}`.
    pub fn json(&self, number: NumberFallback) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out, number);
        out
    }

    fn write(&self, out: &mut Vec<u8>, number: NumberFallback) {
        let text = |k, v| Some((k, AnyValue::Text(v)));
        let attrs = [
            text("service.name", self.service),
            text("service.version", self.version),
            text("deployment.environment.name", self.environment),
            text("telemetry.sdk.name", SDK_NAME),
            text("telemetry.sdk.language", "webjs"),
            text("telemetry.sdk.version", SDK_VERSION),
            self.session_id.and_then(|s| text("session.id", s)),
            self.user_agent.and_then(|s| text("user_agent.original", s)),
        ];
        out.extend_from_slice(br#"{"attributes":"#);
        json::write(out, &attributes(attrs.into_iter().flatten()), number);
        out.push(b'}');
    }
}

/// Opens a body: `{"resource<kind>":[{"resource":…,"scope<kind>":[{"scope":…,"<list>":[`.
fn open(out: &mut Vec<u8>, kind: &str, list: &str, resource: &[u8]) {
    out.extend_from_slice(br#"{"resource"#);
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(br#"":[{"resource":"#);
    out.extend_from_slice(resource);
    out.extend_from_slice(br#","scope"#);
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(br#"":[{"scope":{"name":""#);
    out.extend_from_slice(SDK_NAME.as_bytes());
    out.extend_from_slice(br#"","version":""#);
    out.extend_from_slice(SDK_VERSION.as_bytes());
    out.extend_from_slice(br#""},""#);
    out.extend_from_slice(list.as_bytes());
    out.extend_from_slice(br#"":["#);
}

const CLOSE: &[u8] = b"]}]}]}";

/// The latest time (epoch ms) among metric events in the streams' own form.
pub fn latest<'a>(events: impl Iterator<Item = &'a [u8]>) -> Option<f64> {
    events
        .filter_map(read_event)
        .map(|e| e.epoch_ms)
        .reduce(f64::max)
}

/// The `/v1/metrics` body of a batch's metric events: one OTLP `Metric` per name, in the order
/// names first appear, with one point per series over the batch's span. Events that do not
/// read back are left out.
pub fn metrics_body<'a>(
    sealed: &Sealed,
    events: impl Iterator<Item = &'a [u8]>,
    number: NumberFallback,
) -> Vec<u8> {
    let mut points: Vec<Point> = Vec::new();
    for e in events.filter_map(read_event) {
        let same = |p: &&mut Point| p.name == e.name && p.attributes == e.attributes;
        match points.iter_mut().find(same) {
            Some(p) => p.add(&e),
            None => {
                let mut p = Point::new(&e);
                p.add(&e);
                points.push(p);
            }
        }
    }
    let mut out = Vec::new();
    open(&mut out, "Metrics", "metrics", &sealed.resource);
    let mut names: Vec<&[u8]> = Vec::new();
    for p in &points {
        if names.contains(&p.name) {
            continue;
        }
        if !names.is_empty() {
            out.push(b',');
        }
        names.push(p.name);
        let series = points.iter().filter(|q| q.name == p.name);
        write_metric(&mut out, p, series, (sealed.start, sealed.end), number);
    }
    out.extend_from_slice(CLOSE);
    out
}

/// One `Metric`: `first`'s name and instrument, with the points of every series of that name.
fn write_metric<'a>(
    out: &mut Vec<u8>,
    first: &Point,
    series: impl Iterator<Item = &'a Point<'a>>,
    (start, end): (f64, f64),
    number: NumberFallback,
) {
    out.extend_from_slice(br#"{"name":"#);
    out.extend_from_slice(first.name);
    let histogram = first.instrument.histogram();
    if let Some((_, unit)) = histogram {
        out.extend_from_slice(br#","unit":""#);
        out.extend_from_slice(unit.as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(match (first.instrument, histogram) {
        (Instrument::Sum, _) => br#","sum":{"dataPoints":["#.as_slice(),
        (_, Some(_)) => br#","histogram":{"dataPoints":["#,
        _ => br#","gauge":{"dataPoints":["#,
    });
    for (i, p) in series.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"attributes":"#);
        out.extend_from_slice(p.attributes);
        if first.instrument != Instrument::Gauge {
            out.extend_from_slice(br#","startTimeUnixNano":"#);
            write_nanos(out, start);
        }
        out.extend_from_slice(br#","timeUnixNano":"#);
        write_nanos(out, end);
        match (first.instrument, histogram) {
            (Instrument::Sum, _) => field(out, br#","asDouble":"#, p.sum, number),
            (_, Some((bounds, _))) => {
                out.extend_from_slice(br#","count":""#);
                json::write_u64(out, p.count);
                out.push(b'"');
                field(out, br#","sum":"#, p.sum, number);
                field(out, br#","min":"#, p.min, number);
                field(out, br#","max":"#, p.max, number);
                out.extend_from_slice(br#","bucketCounts":["#);
                for (i, n) in p.buckets.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.push(b'"');
                    json::write_u64(out, *n);
                    out.push(b'"');
                }
                out.extend_from_slice(br#"],"explicitBounds":["#);
                for (i, b) in bounds.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    json::write_f64(out, *b, number);
                }
                out.push(b']');
            }
            _ => field(out, br#","asDouble":"#, p.last, number),
        }
        out.push(b'}');
    }
    out.push(b']');
    // Delta: each batch carries what happened since the one before (OTLP's
    // AGGREGATION_TEMPORALITY_DELTA is 1); a collector's deltatocumulative processor, or the
    // backend, adds them up.
    out.extend_from_slice(match (first.instrument, histogram) {
        (Instrument::Sum, _) => br#","aggregationTemporality":1,"isMonotonic":true}}"#.as_slice(),
        (_, Some(_)) => br#","aggregationTemporality":1}}"#,
        _ => b"}}",
    });
}

/// Appends `"name":value` (`name` with its comma and quotes).
fn field(out: &mut Vec<u8>, name: &[u8], v: f64, number: NumberFallback) {
    out.extend_from_slice(name);
    json::write_f64(out, v, number);
}

/// The `/v1/logs` body of a batch: its log records, as they were written, in a resource.
/// `records` is the batch's events joined by commas.
pub fn logs_body(sealed: &Sealed, records: &[u8]) -> Vec<u8> {
    listed_body(sealed, "Logs", "logRecords", records)
}

/// A body whose items were written as they are sent (log records, spans), joined by commas:
/// `items` in `<list>` of a scope in a resource.
fn listed_body(sealed: &Sealed, kind: &str, list: &str, items: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(items.len() + sealed.resource.len() + 128);
    open(&mut out, kind, list, &sealed.resource);
    out.extend_from_slice(items);
    out.extend_from_slice(CLOSE);
    out
}

/// OTLP's `LogRecord`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogRecord<'a> {
    time_unix_nano: Nanos,
    observed_time_unix_nano: Nanos,
    severity_number: u8,
    severity_text: &'a str,
    body: AnyValue<'a>,
    attributes: Vec<KeyValue<'a>>,
    /// The page's current trace (the `traces` feature).
    #[cfg(feature = "traces")]
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_id: Option<Hex<'a>>,
}

/// Severity number and text of a level (the data model's DEBUG, INFO, WARN and ERROR).
fn severity(level: Level) -> (u8, &'static str) {
    match level {
        Level::Debug => (5, "DEBUG"),
        Level::Info => (9, "INFO"),
        Level::Warn => (13, "WARN"),
        Level::Error => (17, "ERROR"),
    }
}

/// Appends one log entry as an OTLP `LogRecord`: the message as its body, the context's
/// fields (`context`) as attributes, then the error's as `exception.*` and the user and
/// session as `user.id` and `session.id`.
pub fn encode_log(
    out: &mut Vec<u8>,
    entry: &Entry,
    context: &[(String, Value)],
    user_id: Option<&str>,
    session_id: Option<&str>,
    trace_id: Option<&[u8; 16]>,
    number: NumberFallback,
) -> bool {
    let _ = trace_id;
    let (severity_number, severity_text) = severity(entry.level);
    let error = entry.error.as_ref();
    let exception = [
        error.map(|e| ("exception.type", AnyValue::Text(e.name))),
        error.map(|e| ("exception.message", AnyValue::Text(e.message))),
        error
            .and_then(|e| e.stack)
            .map(|s| ("exception.stacktrace", AnyValue::Text(s))),
        user_id.map(|u| ("user.id", AnyValue::Text(u))),
        session_id.map(|s| ("session.id", AnyValue::Text(s))),
    ];
    // A context field named like one of these is left out: a key twice in one record is
    // refused by some collectors, and these say what the client knows for sure.
    let ours = |k: &str| k.starts_with("exception.") || k == "user.id" || k == "session.id";
    let attrs = context
        .iter()
        .filter(|(k, _)| !ours(k))
        .map(|(k, v)| (k.as_str(), AnyValue::of(v)))
        .chain(exception.into_iter().flatten());
    let record = LogRecord {
        time_unix_nano: Nanos(entry.epoch_ms),
        // The client observes an entry when the page logs it.
        observed_time_unix_nano: Nanos(entry.epoch_ms),
        severity_number,
        severity_text,
        body: AnyValue::Text(entry.message),
        attributes: attributes(attrs),
        #[cfg(feature = "traces")]
        trace_id: trace_id.map(|t| Hex(t)),
    };
    json::write(out, &record, number)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "otlp_tests.rs"]
mod tests;

/// One span as OTLP's `Span` (the `traces` feature): what [`encode_span`] writes.
#[cfg(feature = "traces")]
pub struct Span<'a> {
    pub context: crate::trace::Context,
    pub name: &'a str,
    /// OTLP's `SpanKind`: 1 internal, 3 client.
    pub kind: u8,
    /// Epoch ms.
    pub start: f64,
    pub end: f64,
    pub attributes: &'a [(&'a str, Value)],
    /// Whether the span failed (OTLP's `STATUS_CODE_ERROR`); unset otherwise.
    pub error: bool,
    /// Named moments (epoch ms), such as the phases of the document's load.
    pub events: &'a [(&'a str, f64)],
}

/// Lowercase hex of an id, as OTLP/JSON writes trace and span ids (not base64).
#[cfg(feature = "traces")]
struct Hex<'a>(&'a [u8]);

#[cfg(feature = "traces")]
impl Serialize for Hex<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(2 + self.0.len() * 2);
        text.push('"');
        crate::trace::hex(&mut text, self.0);
        text.push('"');
        serializer.serialize_bytes(text.as_bytes())
    }
}

#[cfg(feature = "traces")]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpanRecord<'a> {
    trace_id: Hex<'a>,
    span_id: Hex<'a>,
    name: &'a str,
    kind: u8,
    start_time_unix_nano: Nanos,
    end_time_unix_nano: Nanos,
    attributes: Vec<KeyValue<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    events: &'a [EventRecord<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
}

#[cfg(feature = "traces")]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventRecord<'a> {
    time_unix_nano: Nanos,
    name: &'a str,
}

/// OTLP's `Status`: only an error is written (`STATUS_CODE_ERROR` is 2).
#[cfg(feature = "traces")]
#[derive(Serialize)]
struct Status {
    code: u8,
}

/// Appends one span as an OTLP `Span`.
#[cfg(feature = "traces")]
pub fn encode_span(out: &mut Vec<u8>, span: &Span, number: NumberFallback) -> bool {
    let events: Vec<EventRecord> = span
        .events
        .iter()
        .map(|(name, at)| EventRecord {
            time_unix_nano: Nanos(*at),
            name,
        })
        .collect();
    let attrs = span.attributes.iter().map(|(k, v)| (*k, AnyValue::of(v)));
    let record = SpanRecord {
        trace_id: Hex(&span.context.trace.0),
        span_id: Hex(&span.context.span.0),
        name: span.name,
        kind: span.kind,
        start_time_unix_nano: Nanos(span.start),
        end_time_unix_nano: Nanos(span.end.max(span.start)),
        attributes: attributes(attrs),
        events: &events,
        status: span.error.then_some(Status { code: 2 }),
    };
    json::write(out, &record, number)
}

/// The `/v1/traces` body of a batch: its spans, as they were written, in a resource.
#[cfg(feature = "traces")]
pub fn traces_body(sealed: &Sealed, spans: &[u8]) -> Vec<u8> {
    listed_body(sealed, "Spans", "spans", spans)
}

//! Native tests of the client's state machine (`client.rs` and its concerns `delivery.rs`,
//! `exit.rs`). Time is always given as explicit epoch ms: nothing here reads a clock.
//!
//! First the focused tests, one behaviour each. Then the property test: the client runs in a
//! simulated [`World`] (a server that dedupes by idempotency key, storage, a clock, a page that
//! hides, shows and reloads), and every recorded event must reach the server exactly once or
//! be counted as dropped.

use super::*;
use crate::config::{index_of, Value};
use crate::exit::KEEPALIVE_BUDGET;
use crate::log::Level;
use crate::persist;
use crate::persist::STORAGE_PREFIX;
use proptest::prelude::*;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, UNIX_EPOCH};

/// Where the tests' clocks start (epoch ms, 2023-11-14T22:13:20Z): a real date, so that
/// HTTP-dates mean something, and a whole second, so that they are exact.
const T0: f64 = 1_700_000_000_000.0;

// ---------------------------------------------------------------------------------------------
// Helpers

/// `Date.parse` for HTTP-dates, natively.
fn parse_http_date(s: &str) -> f64 {
    httpdate::parse_http_date(s)
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(f64::NAN, |d| d.as_millis() as f64)
}

/// The HTTP-date of `epoch_ms` (to the second, as the format has it).
fn http_date(epoch_ms: f64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(epoch_ms as u64))
}

/// Rust's number printing, and a real HTTP-date parser.
fn platform() -> Platform {
    Platform {
        number: crate::json::format_natively,
        parse_date: parse_http_date,
    }
}

/// Options by their JavaScript names.
fn options(named: &[(&str, f64)]) -> Options {
    named
        .iter()
        .map(|&(name, v)| {
            let i = index_of(name).unwrap_or_else(|| panic!("no option {name}"));
            (i, Value::Number(v))
        })
        .collect()
}

/// A client created at `T0`, online, configured with `named`.
fn client_with(named: &[(&str, f64)]) -> Client {
    let mut c = Client::new(platform(), [7; 32], true, T0);
    c.handle_input(T0, Input::Configure(options(named)));
    c
}

/// Everything the client asks for now, its console warnings left out.
fn drain(c: &mut Client) -> Vec<Output> {
    std::iter::from_fn(|| c.poll_output())
        .filter(|o| !matches!(o, Output::Warn(_)))
        .collect()
}

/// The one request the client makes now (and nothing else).
fn the_post(c: &mut Client) -> Post {
    match drain(c).as_slice() {
        [Output::Post(p)] => p.clone(),
        other => panic!("expected one Post, got {other:?}"),
    }
}

/// The requests among `outputs`.
fn posts(outputs: &[Output]) -> Vec<&Post> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Post(p) => Some(p),
            _ => None,
        })
        .collect()
}

/// Records metric events of the series `e` (no labels), one per value, stamped `now`.
fn record(c: &mut Client, now: f64, values: &[f64]) {
    let id = f64::from(c.add_series("e", None));
    let staged: Vec<f64> = values.iter().flat_map(|&v| [id, v, now]).collect();
    c.handle_input(now, Input::Metrics(&staged));
}

/// One `logger.info(message)` at `now`.
fn log(c: &mut Client, now: f64, message: &str) {
    c.handle_input(
        now,
        Input::Log(Entry {
            epoch_ms: now,
            timestamp: &crate::json::iso_text(now),
            level: Level::Info,
            message,
            context_json: None,
            error: None,
            context: &[],
        }),
    );
}

fn answer(c: &mut Client, now: f64, p: &Post, status: Option<u16>, retry_after: Option<&str>) {
    c.handle_input(
        now,
        Input::Answer {
            request: p.request,
            status,
            retry_after,
        },
    );
}

/// A hide at `now` (`last`: the page goes for good), with nothing of other pages in storage.
fn hide(c: &mut Client, now: f64, last: bool) {
    let stored_elsewhere = 0;
    c.handle_input(
        now,
        Input::Hide {
            last,
            stored_elsewhere,
        },
    );
}

/// The copy of this page the client writes among what it asks now.
fn the_copy(c: &mut Client) -> Vec<u8> {
    let key = c.page_key().to_owned();
    the_store(&drain(c), &key).to_vec()
}

/// The next page load of the origin, a minute later, configured with `named`, taking what an
/// earlier page kept under `key`.
fn next_page(named: &[(&str, f64)], key: String, text: Vec<u8>) -> Client {
    let now = T0 + 60_000.0;
    let mut c = Client::new(platform(), [8; 32], true, now);
    c.handle_input(now, Input::Configure(options(named)));
    let stored = vec![(key, String::from_utf8(text).unwrap())];
    c.handle_input(now, Input::Stored(stored));
    c
}

fn text(body: &[u8]) -> &str {
    std::str::from_utf8(body).unwrap()
}

/// The events of a body (`{"metrics":[…]}` or `{"logs":[…]}`).
fn events(body: &[u8]) -> Vec<Json> {
    let json: Json = serde_json::from_slice(body).unwrap_or_else(|e| panic!("{e}: {}", text(body)));
    let list = json.get("metrics").or_else(|| json.get("logs"));
    list.and_then(Json::as_array).cloned().unwrap_or_default()
}

/// The values of the test metric `e` in a body, in order.
fn values(body: &[u8]) -> Vec<f64> {
    events(body)
        .iter()
        .filter(|e| e["name"] == "e")
        .filter_map(|e| e["value"].as_f64())
        .collect()
}

/// The `telemetry_events_dropped_total` events of a body, as (stream, reason, value).
fn drop_reports(body: &[u8]) -> Vec<(String, String, f64)> {
    events(body)
        .iter()
        .filter(|e| e["name"] == "telemetry_events_dropped_total")
        .map(|e| {
            let label = |l: &str| e["labels"][l].as_str().unwrap_or_default().to_owned();
            (
                label("stream"),
                label("reason"),
                e["value"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// The batches a stored text holds, as (stream, key, body).
fn stored_batches(text: &[u8]) -> Vec<(Kind, String, Vec<u8>)> {
    let mut found = Vec::new();
    persist::decode(std::str::from_utf8(text).unwrap(), |stream, b| {
        found.push((stream, b.key, b.body))
    });
    found
}

/// The text of the one `Store` among `outputs`, under `key`.
fn the_store<'a>(outputs: &'a [Output], key: &str) -> &'a [u8] {
    let stores: Vec<_> = outputs
        .iter()
        .filter_map(|o| match o {
            Output::Store { key: k, text } => Some((k, text)),
            _ => None,
        })
        .collect();
    match stores.as_slice() {
        [(k, text)] => {
            assert_eq!(k.as_str(), key);
            text
        }
        other => panic!("expected one Store, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Sending

#[test]
fn a_full_batch_posts_at_once_with_the_exact_seed_body() {
    let mut c = client_with(&[("batchSize", 2.0), ("logBatchSize", 1.0)]);
    let plain = f64::from(c.add_series("page_views_total", None));
    let labelled = f64::from(c.add_series("api_calls_total", Some(r#"{"endpoint":"/x"}"#)));
    c.handle_input(T0 + 5.0, Input::Metrics(&[plain, 1.0, T0 + 5.0]));
    assert_eq!(drain(&mut c), [], "one event of a batch of two: not yet");

    c.handle_input(T0 + 6.0, Input::Metrics(&[labelled, 2.5, T0 + 6.0]));
    let p = the_post(&mut c);
    assert_eq!(
        text(&p.body),
        r#"{"metrics":[{"name":"page_views_total","value":1,"timestamp":1700000000005},{"name":"api_calls_total","value":2.5,"labels":{"endpoint":"/x"},"timestamp":1700000000006}]}"#
    );
    assert_eq!(p.url, "/api/metrics");
    assert!(!p.keepalive);
    assert_eq!((p.key.len(), p.key.as_bytes()[14]), (36, b'4'), "a v4 UUID");

    log(&mut c, T0 + 7.0, "hello");
    let p = the_post(&mut c);
    assert_eq!(
        text(&p.body),
        r#"{"logs":[{"timestamp":"2023-11-14T22:13:20.007Z","level":"info","message":"hello","service":"recoloca-frontend","version":"1.0.0"}]}"#
    );
    assert_eq!(p.url, "/api/logs");
}

#[test]
fn the_flush_interval_seals_and_posts_what_is_pending() {
    let mut c = client_with(&[
        ("flushIntervalMs", 2_000.0),
        ("logFlushIntervalMs", 5_000.0),
    ]);
    record(&mut c, T0 + 10.0, &[1.0]);
    assert_eq!(drain(&mut c), []);
    assert_eq!(c.poll_timeout(), T0 + 2_000.0);

    c.handle_input(T0 + 1_999.0, Input::Timeout);
    assert_eq!(drain(&mut c), [], "woken early: nothing is due");
    c.handle_input(T0 + 2_000.0, Input::Timeout);
    assert_eq!(values(&the_post(&mut c).body), [1.0]);
    // The next interval runs from the wake-up.
    assert_eq!(c.poll_timeout(), T0 + 4_000.0);
}

#[test]
fn only_one_request_per_stream_is_under_way() {
    let mut c = client_with(&[("batchSize", 1.0), ("logBatchSize", 1.0)]);
    record(&mut c, T0, &[1.0]);
    let first = the_post(&mut c);
    record(&mut c, T0 + 1.0, &[2.0]);
    record(&mut c, T0 + 2.0, &[3.0]);
    assert_eq!(drain(&mut c), [], "the metrics stream waits for its answer");
    assert_eq!(c.requests_under_way(), 1);

    // The other stream is not held up by it.
    log(&mut c, T0 + 3.0, "independent");
    assert_eq!(the_post(&mut c).url, "/api/logs");
    assert_eq!(c.requests_under_way(), 2);

    // What collected meanwhile goes as one request.
    answer(&mut c, T0 + 4.0, &first, Some(200), None);
    assert_eq!(values(&the_post(&mut c).body), [2.0, 3.0]);
}

#[test]
fn a_success_removes_the_batch_and_sends_the_next() {
    let mut c = client_with(&[("batchSize", 2.0), ("maxRequestBytes", 1024.0)]);
    let pad = "x".repeat(400);
    let id = f64::from(c.add_series("e", Some(&format!(r#"{{"pad":"{pad}"}}"#))));
    // Three ~450-byte events: two fit in 1024 bytes, so sealing makes two batches.
    c.handle_input(T0, Input::Metrics(&[id, 1.0, T0, id, 2.0, T0, id, 3.0, T0]));
    let first = the_post(&mut c);
    assert_eq!(values(&first.body), [1.0, 2.0]);
    assert_eq!(c.held()[0], 3.0);

    answer(&mut c, T0 + 1.0, &first, Some(204), None);
    let second = the_post(&mut c);
    assert_eq!(values(&second.body), [3.0]);
    assert_ne!(second.key, first.key);
    assert_eq!(c.held()[0], 1.0, "the delivered batch is gone");

    answer(&mut c, T0 + 2.0, &second, Some(200), None);
    assert_eq!(drain(&mut c), []);
    assert_eq!(c.held(), [0.0; 4]);
    assert_eq!(c.requests_under_way(), 0);
}

// ---------------------------------------------------------------------------------------------
// Failures and retries

#[test]
fn a_retryable_failure_keeps_the_batch_and_retries_it_unchanged_after_a_backoff() {
    for status in [Some(500), Some(503), Some(408), None] {
        let mut c = client_with(&[("batchSize", 1.0)]);
        record(&mut c, T0, &[1.0]);
        let first = the_post(&mut c);
        answer(&mut c, T0 + 100.0, &first, status, None);
        assert_eq!(drain(&mut c), [], "{status:?}: no retry at once");
        assert_eq!(c.held()[0], 1.0, "{status:?}: the batch is kept");

        // The first backoff is retryInitialMs (1 s), spread by ±20%.
        let at = c.poll_timeout();
        assert!(
            (T0 + 900.0..=T0 + 1_300.0).contains(&at),
            "{status:?}: retry at T0 + {}",
            at - T0
        );
        // Nothing goes before it, not even a new full batch.
        record(&mut c, at - 1.0, &[2.0]);
        c.handle_input(at - 1.0, Input::Timeout);
        assert_eq!(
            drain(&mut c),
            [],
            "{status:?}: nothing before the retry time"
        );

        c.handle_input(at, Input::Timeout);
        let again = the_post(&mut c);
        assert_eq!(again.key, first.key, "{status:?}: the same idempotency key");
        assert_eq!(again.body, first.body, "{status:?}: the same bytes");
        assert_ne!(again.request, first.request);
    }
}

#[test]
fn a_429_waits_the_seconds_of_its_retry_after() {
    let mut c = client_with(&[("batchSize", 1.0)]);
    record(&mut c, T0, &[1.0]);
    let first = the_post(&mut c);
    answer(&mut c, T0 + 100.0, &first, Some(429), Some("7"));
    assert_eq!(c.poll_timeout(), T0 + 7_100.0);

    c.handle_input(T0 + 7_099.0, Input::Timeout);
    assert_eq!(drain(&mut c), []);
    c.handle_input(T0 + 7_100.0, Input::Timeout);
    let again = the_post(&mut c);
    assert_eq!((again.key, again.body), (first.key, first.body));
}

/// A client that sends each metric at once and flushes nothing on its own (its intervals are
/// ten minutes), and its first request: one metric, recorded at `T0`.
fn first_of_one_by_one() -> (Client, Post) {
    let mut c = client_with(&[
        ("batchSize", 1.0),
        ("flushIntervalMs", 600_000.0),
        ("logFlushIntervalMs", 600_000.0),
    ]);
    record(&mut c, T0, &[1.0]);
    let first = the_post(&mut c);
    (c, first)
}

#[test]
fn a_retry_after_http_date_is_waited_for() {
    let (mut c, first) = first_of_one_by_one();
    let date = http_date(T0 + 90_000.0);
    assert_eq!(date, "Tue, 14 Nov 2023 22:14:50 GMT");
    answer(&mut c, T0 + 100.0, &first, Some(503), Some(&date));
    assert_eq!(c.poll_timeout(), T0 + 90_000.0);

    c.handle_input(T0 + 89_999.0, Input::Timeout);
    assert_eq!(drain(&mut c), []);
    c.handle_input(T0 + 90_000.0, Input::Timeout);
    assert_eq!(the_post(&mut c).key, first.key);

    // Without a date parser (Platform::native) the date means nothing: the backoff applies.
    let mut c = Client::new(Platform::native(), [7; 32], true, T0);
    c.handle_input(T0, Input::Configure(options(&[("batchSize", 1.0)])));
    record(&mut c, T0, &[1.0]);
    let first = the_post(&mut c);
    answer(&mut c, T0, &first, Some(503), Some(&date));
    assert!(c.poll_timeout() <= T0 + 1_200.0);
}

#[test]
fn a_refused_batch_is_dropped_and_counted_in_a_later_metrics_batch() {
    let mut c = client_with(&[("batchSize", 1.0), ("logBatchSize", 1.0)]);
    record(&mut c, T0, &[1.0]);
    let metrics = the_post(&mut c);
    log(&mut c, T0, "refused too");
    let logs = the_post(&mut c);
    answer(&mut c, T0 + 1.0, &metrics, Some(400), None);
    answer(&mut c, T0 + 1.0, &logs, Some(422), None);
    let said = std::iter::from_fn(|| c.poll_output()).collect::<Vec<_>>();
    assert_eq!(
        said,
        [Output::Warn(Warning::Dropped)],
        "said once, no retry"
    );
    assert_eq!(c.held(), [0.0; 4], "neither batch is kept");

    record(&mut c, T0 + 2.0, &[2.0]);
    let next = the_post(&mut c);
    let mut reports = drop_reports(&next.body);
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        reports,
        [
            ("logs".into(), "rejected".into(), 1.0),
            ("metrics".into(), "rejected".into(), 1.0)
        ]
    );
    assert_eq!(values(&next.body), [2.0]);

    // Counted once: the batch after that carries no report.
    answer(&mut c, T0 + 3.0, &next, Some(200), None);
    record(&mut c, T0 + 4.0, &[3.0]);
    assert_eq!(drop_reports(&the_post(&mut c).body), []);
}

#[test]
fn a_413_splits_the_batch_into_halves_with_new_keys() {
    let mut c = client_with(&[("batchSize", 5.0)]);
    record(&mut c, T0, &[1.0, 2.0, 3.0, 4.0, 5.0]);
    let whole = the_post(&mut c);
    answer(&mut c, T0 + 1.0, &whole, Some(413), None);
    let first = the_post(&mut c);
    assert_eq!(values(&first.body), [1.0, 2.0]);
    answer(&mut c, T0 + 2.0, &first, Some(200), None);
    let second = the_post(&mut c);
    assert_eq!(values(&second.body), [3.0, 4.0, 5.0]);
    let keys: HashSet<_> = [&whole.key, &first.key, &second.key].into_iter().collect();
    assert_eq!(keys.len(), 3, "each half under a key of its own");

    // A single event the server finds too large cannot be split: dropped and counted.
    answer(&mut c, T0 + 3.0, &second, Some(413), None);
    let half = the_post(&mut c);
    assert_eq!(values(&half.body), [3.0]);
    answer(&mut c, T0 + 4.0, &half, Some(413), None);
    let rest = the_post(&mut c);
    assert_eq!(values(&rest.body), [4.0, 5.0]);
    answer(&mut c, T0 + 5.0, &rest, Some(200), None);
    record(&mut c, T0 + 6.0, &[6.0; 5]);
    let reports = drop_reports(&the_post(&mut c).body);
    assert_eq!(reports, [("metrics".into(), "rejected".into(), 1.0)]);
}

#[test]
fn a_request_without_an_answer_is_aborted_and_retried_and_its_late_answer_ignored() {
    let mut c = client_with(&[
        ("batchSize", 1.0),
        ("flushIntervalMs", 60_000.0),
        ("logFlushIntervalMs", 60_000.0),
    ]);
    record(&mut c, T0, &[1.0]);
    let first = the_post(&mut c);
    assert_eq!(
        c.poll_timeout(),
        T0 + 10_000.0,
        "requestTimeoutMs is 10 s by default"
    );

    c.handle_input(T0 + 10_000.0, Input::Timeout);
    assert_eq!(drain(&mut c), [Output::Abort(first.request)]);
    let at = c.poll_timeout();
    assert!(
        (T0 + 10_800.0..=T0 + 11_200.0).contains(&at),
        "then a backoff"
    );

    // The aborted request's answer comes after all: it changes nothing.
    answer(&mut c, T0 + 10_500.0, &first, Some(200), None);
    assert_eq!(drain(&mut c), []);
    assert_eq!(c.held()[0], 1.0);
    assert_eq!(c.poll_timeout(), at);

    c.handle_input(at, Input::Timeout);
    let again = the_post(&mut c);
    assert_eq!((&again.key, &again.body), (&first.key, &first.body));

    // requestTimeoutMs sets the deadline.
    let mut c = client_with(&[("batchSize", 1.0), ("requestTimeoutMs", 2_500.0)]);
    record(&mut c, T0, &[1.0]);
    let p = the_post(&mut c);
    assert_eq!(c.poll_timeout(), T0 + 2_500.0);
    c.handle_input(T0 + 2_500.0, Input::Timeout);
    assert_eq!(drain(&mut c), [Output::Abort(p.request)]);
}

#[test]
fn offline_nothing_is_sent_and_back_online_it_is_sent_at_once() {
    let mut c = client_with(&[("batchSize", 1.0), ("flushIntervalMs", 1_000.0)]);
    c.handle_input(T0, Input::Online(false));
    record(&mut c, T0 + 1.0, &[1.0]);
    record(&mut c, T0 + 2.0, &[2.0]);
    c.handle_input(T0 + 1_000.0, Input::Timeout);
    assert_eq!(drain(&mut c), []);
    assert_eq!(c.held()[0], 2.0);

    c.handle_input(T0 + 1_500.0, Input::Online(true));
    assert_eq!(values(&the_post(&mut c).body), [1.0]);
}

#[test]
fn back_online_ends_the_clients_own_backoff_but_not_the_servers_retry_after() {
    // A network error: the backoff only guessed how long the network was out.
    let (mut c, first) = first_of_one_by_one();
    answer(&mut c, T0 + 10.0, &first, None, None);
    c.handle_input(T0 + 20.0, Input::Online(false));
    c.handle_input(T0 + 30.0, Input::Online(true));
    assert_eq!(the_post(&mut c).key, first.key, "sent again at once");

    // A 429 asking for 30 s: the server's wait holds, online or not.
    let (mut c, first) = first_of_one_by_one();
    answer(&mut c, T0 + 10.0, &first, Some(429), Some("30"));
    c.handle_input(T0 + 20.0, Input::Online(false));
    c.handle_input(T0 + 30.0, Input::Online(true));
    assert_eq!(drain(&mut c), []);
    assert_eq!(c.poll_timeout(), T0 + 30_010.0);
    c.handle_input(T0 + 30_010.0, Input::Timeout);
    assert_eq!(the_post(&mut c).key, first.key);
}

// ---------------------------------------------------------------------------------------------
// flush()

#[test]
fn flush_is_done_once_both_streams_are_quiet() {
    let mut c = client_with(&[]);
    record(&mut c, T0, &[1.0]);
    log(&mut c, T0, "one");
    c.handle_input(T0 + 1.0, Input::Flush(7));
    let outputs = drain(&mut c);
    let sent = posts(&outputs);
    assert_eq!(sent.len(), 2, "{outputs:?}");
    let (metrics, logs) = (sent[0].clone(), sent[1].clone());
    assert_eq!(c.flushes_waiting(), 1);

    answer(&mut c, T0 + 2.0, &metrics, Some(200), None);
    assert_eq!(drain(&mut c), [], "logs are still under way");
    answer(&mut c, T0 + 3.0, &logs, Some(200), None);
    assert_eq!(drain(&mut c), [Output::Flushed(7)]);
    assert_eq!(c.flushes_waiting(), 0);

    // Said once: later answers and timeouts do not repeat it.
    record(&mut c, T0 + 4.0, &[2.0]);
    c.handle_input(T0 + 40_000.0, Input::Timeout);
    let p = the_post(&mut c);
    answer(&mut c, T0 + 40_001.0, &p, Some(200), None);
    assert_eq!(drain(&mut c), []);
}

#[test]
fn flush_is_done_when_a_stream_stops_at_a_failure_or_has_nothing() {
    let mut c = client_with(&[]);
    c.handle_input(T0, Input::Flush(1));
    assert_eq!(drain(&mut c), [Output::Flushed(1)], "nothing to send");

    record(&mut c, T0, &[1.0]);
    c.handle_input(T0 + 1.0, Input::Flush(2));
    let p = the_post(&mut c);
    answer(&mut c, T0 + 2.0, &p, Some(503), None);
    assert_eq!(drain(&mut c), [Output::Flushed(2)], "stopped at a failure");

    c.handle_input(T0 + 3.0, Input::Online(false));
    c.handle_input(T0 + 3.0, Input::Flush(3));
    assert_eq!(drain(&mut c), [Output::Flushed(3)], "offline");
}

// ---------------------------------------------------------------------------------------------
// Page exit and reload

/// A client holding one small metrics batch and two log batches of ~40 KB each: more than the
/// 64 KiB keepalive budget in all.
fn client_with_big_logs() -> Client {
    let mut c = client_with(&[("logBatchSize", 100.0), ("maxRequestBytes", 60_000.0)]);
    record(&mut c, T0, &[1.0]);
    let big = "x".repeat(20_000);
    for _ in 0..4 {
        log(&mut c, T0, &big); // two of them per 60 000-byte body
    }
    c
}

#[test]
fn hide_sends_by_keepalive_within_64_kib_then_by_beacon() {
    let mut c = client_with_big_logs();
    hide(&mut c, T0 + 1.0, false);
    let outputs = drain(&mut c);
    let keys: Vec<String> = c
        .logs
        .queue
        .sealed()
        .iter()
        .map(|b| b.key.clone())
        .collect();
    assert_eq!(keys.len(), 2, "two log batches");
    let page_key = c.page_key().to_owned();
    match outputs.as_slice() {
        [Output::Post(m), Output::Post(l), Output::Beacon { url, body, .. }, Output::Unstore { key }] =>
        {
            assert!(m.keepalive && l.keepalive);
            assert_eq!(
                (m.url.as_str(), l.url.as_str()),
                ("/api/metrics", "/api/logs")
            );
            assert_eq!(l.key, keys[0]);
            assert!(m.body.len() + l.body.len() <= KEEPALIVE_BUDGET);
            assert!(m.body.len() + l.body.len() + body.len() > KEEPALIVE_BUDGET);
            // A beacon has no headers: the key is in the query.
            assert_eq!(*url, format!("/api/logs?idempotency_key={}", keys[1]));
            assert_eq!(*key, page_key, "nothing kept: no stored copy");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn hide_stores_a_failing_stream_and_sends_the_healthy_one() {
    let mut c = client_with(&[("batchSize", 1.0)]);
    record(&mut c, T0, &[1.0]);
    let failed = the_post(&mut c);
    answer(&mut c, T0 + 1.0, &failed, Some(503), None);
    log(&mut c, T0 + 2.0, "healthy");

    hide(&mut c, T0 + 3.0, false);
    let outputs = drain(&mut c);
    let sent = posts(&outputs);
    assert_eq!(sent.len(), 1, "{outputs:?}");
    assert!(sent[0].keepalive && sent[0].url == "/api/logs");
    let page_key = c.page_key().to_owned();
    let kept = stored_batches(the_store(&outputs, &page_key));
    // The failed batch first, as it was; then what the hide sealed: the client's own report
    // of the retry it scheduled.
    assert_eq!(kept[0], (Kind::Metrics, failed.key, failed.body));
    assert_eq!(kept.len(), 2);
    assert_eq!(events(&kept[1].2)[0]["name"], "telemetry_retries_total");
}

#[test]
fn hide_while_offline_stores_everything_and_sends_nothing() {
    let mut c = client_with(&[]);
    c.handle_input(T0, Input::Online(false));
    record(&mut c, T0, &[1.0, 2.0]);
    log(&mut c, T0, "kept");
    hide(&mut c, T0 + 1.0, true);
    let outputs = drain(&mut c);
    let page_key = c.page_key().to_owned();
    assert_eq!(outputs.len(), 1, "only the Store: {outputs:?}");
    assert!(page_key.starts_with(STORAGE_PREFIX));
    let kept = stored_batches(the_store(&outputs, &page_key));
    let streams: Vec<_> = kept.iter().map(|k| k.0).collect();
    assert_eq!(streams, [Kind::Metrics, Kind::Logs]);
    assert_eq!(values(&kept[0].2), [1.0, 2.0]);
}

#[test]
fn a_refused_beacon_is_stored_and_an_accepted_one_on_the_last_hide_is_forgotten() {
    let mut c = client_with_big_logs();
    hide(&mut c, T0 + 1.0, true);
    let Some(Output::Beacon { request, body, .. }) = drain(&mut c)
        .into_iter()
        .find(|o| matches!(o, Output::Beacon { .. }))
    else {
        panic!("no beacon")
    };
    c.handle_input(
        T0 + 1.0,
        Input::Beaconed {
            request,
            accepted: false,
        },
    );
    let outputs = drain(&mut c);
    let page_key = c.page_key().to_owned();
    let kept = stored_batches(the_store(&outputs, &page_key));
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].2, body, "the refused beacon's batch is kept");

    // Accepted on the last hide: gone with the page, not kept in memory for a retry.
    let mut c = client_with_big_logs();
    hide(&mut c, T0 + 1.0, true);
    let Some(Output::Beacon { request, .. }) = drain(&mut c)
        .into_iter()
        .find(|o| matches!(o, Output::Beacon { .. }))
    else {
        panic!("no beacon")
    };
    let before = c.logs.queue.sealed().len();
    c.handle_input(
        T0 + 1.0,
        Input::Beaconed {
            request,
            accepted: true,
        },
    );
    assert_eq!(drain(&mut c), []);
    assert_eq!(c.logs.queue.sealed().len(), before - 1);
}

#[test]
fn show_withdraws_the_stored_copy() {
    let mut c = client_with(&[]);
    c.handle_input(T0, Input::Online(false));
    record(&mut c, T0, &[1.0]);
    hide(&mut c, T0, false);
    let page_key = c.page_key().to_owned();
    the_store(&drain(&mut c), &page_key);
    c.handle_input(T0 + 1.0, Input::Show);
    assert_eq!(drain(&mut c), [Output::Unstore { key: page_key }]);
    assert_eq!(c.held()[0], 1.0, "the batch is still in memory");
}

#[test]
fn a_reload_resends_what_the_old_page_stored_under_the_original_keys() {
    let mut old = client_with(&[("batchSize", 2.0), ("logBatchSize", 1.0)]);
    old.handle_input(T0, Input::Online(false));
    record(&mut old, T0, &[1.0, 2.0]);
    record(&mut old, T0, &[3.0]);
    log(&mut old, T0, "kept");
    hide(&mut old, T0 + 1.0, true);
    let outputs = drain(&mut old);
    let old_key = old.page_key().to_owned();
    let text = the_store(&outputs, &old_key).to_vec();
    let kept = stored_batches(&text);
    assert_eq!(kept.len(), 3);
    drop(old);

    let mut new = Client::new(platform(), [8; 32], true, T0 + 60_000.0);
    new.handle_input(
        T0 + 60_000.0,
        Input::Configure(options(&[("batchSize", 2.0), ("logBatchSize", 1.0)])),
    );
    assert_ne!(new.page_key(), old_key);
    new.handle_input(
        T0 + 60_000.0,
        Input::Stored(vec![(old_key.clone(), String::from_utf8(text).unwrap())]),
    );
    let outputs = drain(&mut new);
    assert!(outputs.contains(&Output::Unstore { key: old_key }));
    // One request per stream at a time: the first metrics batch and the log batch, each under
    // its original key and with its original bytes.
    let sent: Vec<_> = posts(&outputs)
        .iter()
        .map(|p| (p.key.clone(), p.body.clone()))
        .collect();
    let expected: Vec<_> = [&kept[0], &kept[2]]
        .iter()
        .map(|k| (k.1.clone(), k.2.clone()))
        .collect();
    assert_eq!(sent, expected);
    let first = posts(&outputs)[0].clone();
    answer(&mut new, T0 + 60_001.0, &first, Some(200), None);
    let next = the_post(&mut new);
    assert_eq!(
        (next.key, next.body),
        (kept[1].1.clone(), kept[1].2.clone())
    );
}

/// Answers every request with 200, and flushes again, until a flush sends nothing (counts
/// kept out of a full batch go with the next one sealed); returns the bodies sent.
fn deliver_everything(c: &mut Client, now: f64) -> Vec<Vec<u8>> {
    let mut bodies = Vec::new();
    let mut outputs = drain(c);
    for _ in 0..100 {
        c.handle_input(now, Input::Flush(u32::MAX));
        outputs.extend(drain(c));
        let mut sent: Vec<Post> = posts(&outputs).into_iter().cloned().collect();
        if sent.is_empty() {
            return bodies;
        }
        while !sent.is_empty() {
            outputs.clear();
            for p in sent {
                bodies.push(p.body.clone());
                answer(c, now, &p, Some(200), None);
                outputs.extend(drain(c));
            }
            sent = posts(&outputs).into_iter().cloned().collect();
        }
        outputs.clear();
    }
    panic!("never quiet");
}

#[test]
fn drop_counts_survive_a_page_exit_with_a_full_buffer() {
    let named = [("maxBufferedEvents", 3.0)];
    let mut old = client_with(&named);
    old.handle_input(T0, Input::Online(false));
    // Two over the bound: dropped and counted, to be reported as
    // telemetry_events_dropped_total{stream="metrics",reason="buffer_full_events"} 2.
    record(&mut old, T0, &[1.0, 2.0, 3.0, 4.0, 5.0]);
    hide(&mut old, T0 + 1.0, true);
    let (old_key, text) = (old.page_key().to_owned(), the_copy(&mut old));
    drop(old); // the page is gone; what it stored is all that is left of it

    let mut new = next_page(&named, old_key, text);
    let bodies = deliver_everything(&mut new, T0 + 60_000.0);
    let delivered: Vec<f64> = bodies.iter().flat_map(|b| values(b)).collect();
    assert_eq!(delivered, [1.0, 2.0, 3.0]);
    let counted: f64 = bodies
        .iter()
        .flat_map(|b| drop_reports(b))
        .fold(0.0, |n, r| n + r.2);
    assert_eq!(
        counted, 2.0,
        "the two events dropped by the old page are counted"
    );
}

#[test]
fn a_413_to_a_keepalive_request_splits_the_batch_too() {
    let mut c = client_with(&[("batchSize", 2.0)]);
    record(&mut c, T0, &[1.0, 2.0]);
    let busy = the_post(&mut c); // stays unanswered: the page goes before its answer comes
    record(&mut c, T0, &[3.0, 4.0]);
    hide(&mut c, T0 + 1.0, false);
    let outputs = drain(&mut c);
    let sent = posts(&outputs);
    assert_eq!(sent.len(), 2, "{outputs:?}");
    assert!(sent.iter().all(|p| p.keepalive));
    let too_large = sent[1].clone();
    assert_eq!(values(&too_large.body), [3.0, 4.0]);
    assert_ne!(too_large.key, busy.key);

    // The server refuses the body as too large: it will refuse these bytes every time.
    answer(&mut c, T0 + 2.0, &too_large, Some(413), None);
    drain(&mut c);
    hide(&mut c, T0 + 3.0, true);
    let outputs = drain(&mut c);
    let sent = posts(&outputs);
    assert!(
        sent.iter().all(|p| p.key != too_large.key),
        "the refused bytes are sent again, to be refused again, by a page about to go: {:?}",
        sent.iter()
            .map(|p| (&p.key, text(&p.body)))
            .collect::<Vec<_>>()
    );
    // Its events go as two halves (or stay behind in storage, for the next page to split).
    let mut resent: Vec<f64> = sent.iter().flat_map(|p| values(&p.body)).collect();
    for o in &outputs {
        if let Output::Store { text, .. } = o {
            resent.extend(stored_batches(text).iter().flat_map(|b| values(&b.2)));
        }
    }
    assert_eq!(resent, [3.0, 4.0]);
}

/// The counts a stored text passes on, by stream (metrics, logs).
fn stored_counts(text: &[u8]) -> [crate::stream::Counters; crate::stream::Kind::COUNT] {
    persist::decode(std::str::from_utf8(text).unwrap(), |_, _| {})
}

/// The stores among `outputs`, last one last.
fn stores(outputs: &[Output]) -> Vec<Vec<u8>> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Store { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// The sum of the `telemetry_events_dropped_total` reports among `bodies`, for one stream and
/// reason.
fn reported(bodies: &[Vec<u8>], stream: &str, reason: &str) -> f64 {
    bodies
        .iter()
        .flat_map(|b| drop_reports(b))
        .filter(|r| r.0 == stream && r.1 == reason)
        .fold(0.0, |n, r| n + r.2)
}

/// A page that dropped two metric events (its buffer holds three) and could not report them,
/// hidden (not for good) while offline: its stored copy holds the batch and the two counts.
fn hidden_with_counts_it_could_not_report() -> (Client, Vec<u8>) {
    let mut c = client_with(&[("maxBufferedEvents", 3.0)]);
    c.handle_input(T0, Input::Online(false));
    record(&mut c, T0, &[1.0, 2.0, 3.0, 4.0, 5.0]);
    hide(&mut c, T0 + 1.0, false);
    let text = the_copy(&mut c);
    assert_eq!(stored_batches(&text).len(), 1);
    assert_eq!(
        stored_counts(&text)[0].dropped[Drop::BufferEvents.index()],
        2
    );
    assert!(
        !c.metrics.has_counts(),
        "handed over to the stored copy: not this page's to report while it is hidden"
    );
    (c, text)
}

#[test]
fn counts_handed_to_storage_come_back_when_the_page_is_shown() {
    let (mut c, _) = hidden_with_counts_it_could_not_report();
    let page_key = c.page_key().to_owned();
    c.handle_input(T0 + 2.0, Input::Show);
    assert_eq!(drain(&mut c), [Output::Unstore { key: page_key }]);
    c.handle_input(T0 + 3.0, Input::Online(true));
    let bodies = deliver_everything(&mut c, T0 + 3.0);
    let delivered: Vec<f64> = bodies.iter().flat_map(|b| values(b)).collect();
    assert_eq!(delivered, [1.0, 2.0, 3.0]);
    assert_eq!(reported(&bodies, "metrics", "buffer_full_events"), 2.0);
    assert!(!c.metrics.has_counts());
}

#[test]
fn a_copy_another_page_took_is_neither_sent_nor_counted_again_by_this_one() {
    // A new tab loads while this page is hidden, and takes its copy (batch and counts).
    let (mut c, text) = hidden_with_counts_it_could_not_report();
    let page_key = c.page_key().to_owned();
    let text = String::from_utf8(text).unwrap();
    c.handle_input(T0 + 2.0, Input::CopyTaken { text: &text });
    assert_eq!(drain(&mut c), [Output::Unstore { key: page_key }]);
    c.handle_input(T0 + 3.0, Input::Show);
    c.handle_input(T0 + 3.0, Input::Online(true));
    record(&mut c, T0 + 3.0, &[6.0]);
    let bodies = deliver_everything(&mut c, T0 + 3.0);
    let delivered: Vec<f64> = bodies.iter().flat_map(|b| values(b)).collect();
    assert_eq!(
        delivered,
        [6.0],
        "the taken batch is the other page's to send"
    );
    assert_eq!(reported(&bodies, "metrics", "buffer_full_events"), 0.0);
}

#[test]
fn what_a_taken_copy_did_not_hold_stays_this_pages() {
    // Two kept batches, and a storage budget with room for one: the copy holds the first, and
    // counts the second's event as `buffer_full_bytes` for whoever reads it.
    let mut c = client_with(&[("batchSize", 1.0), ("maxPersistedBytes", 200.0)]);
    c.handle_input(T0, Input::Online(false));
    record(&mut c, T0, &[1.0]);
    record(&mut c, T0, &[2.0]);
    hide(&mut c, T0 + 1.0, false);
    let page_key = c.page_key().to_owned();
    let copy = the_store(&drain(&mut c), &page_key).to_vec();
    let kept = stored_batches(&copy);
    assert_eq!(kept.len(), 1);
    assert_eq!(
        stored_counts(&copy)[0].dropped[Drop::BufferBytes.index()],
        1
    );
    // Another tab takes it. The second batch is still this page's: written anew, sent later.
    let copy = String::from_utf8(copy).unwrap();
    c.handle_input(T0 + 2.0, Input::CopyTaken { text: &copy });
    let again = the_store(&drain(&mut c), &page_key).to_vec();
    let again: Vec<String> = stored_batches(&again).into_iter().map(|b| b.1).collect();
    assert_eq!(again.len(), 1);
    assert_ne!(again[0], kept[0].1);
    c.handle_input(T0 + 3.0, Input::Show);
    c.handle_input(T0 + 3.0, Input::Online(true));
    let bodies = deliver_everything(&mut c, T0 + 3.0);
    let delivered: Vec<f64> = bodies.iter().flat_map(|b| values(b)).collect();
    assert_eq!(delivered, [2.0], "nothing lost");
    // The loss the other tab reports for it over-counts; this page adds no count of its own.
    assert_eq!(reported(&bodies, "metrics", "buffer_full_bytes"), 0.0);
}

#[test]
fn drops_a_hidden_page_counts_after_its_copy_stay_its_own_when_another_tab_takes_it() {
    // The page's copy holds its batch and two drops. Still hidden, with its buffer still full,
    // it drops three more (the page timings a second module records once it has loaded, after
    // the hide): counted, not yet in any copy.
    let (mut a, text) = hidden_with_counts_it_could_not_report();
    record(&mut a, T0 + 1.5, &[6.0, 7.0, 8.0]);
    assert!(a.metrics.has_counts());
    // A new tab takes the copy and reports what it holds: the two drops.
    let key = a.page_key().to_owned();
    let mut b = next_page(&[], key.clone(), text.clone());
    let from_b = deliver_everything(&mut b, T0 + 60_000.0);
    assert_eq!(reported(&from_b, "metrics", "buffer_full_events"), 2.0);
    // The hidden page hears of it: the batch and the two drops leave it, the three stay. Its
    // copy is written anew with only those (they outlive it, should it die hidden).
    let text = String::from_utf8(text).unwrap();
    a.handle_input(T0 + 2.0, Input::CopyTaken { text: &text });
    let again = the_store(&drain(&mut a), &key).to_vec();
    assert_eq!(stored_batches(&again), []);
    assert_eq!(
        stored_counts(&again)[0].dropped[Drop::BufferEvents.index()],
        3
    );
    // Shown, it withdraws that copy and reports the three: each of the five drops once.
    a.handle_input(T0 + 3.0, Input::Show);
    a.handle_input(T0 + 3.0, Input::Online(true));
    let from_a = deliver_everything(&mut a, T0 + 3.0);
    assert_eq!(reported(&from_a, "metrics", "buffer_full_events"), 3.0);
    assert_eq!(from_a.iter().flat_map(|b| values(b)).count(), 0);
}

#[test]
fn a_cleared_storage_takes_nothing_and_a_hidden_page_writes_its_copy_again() {
    let (mut c, copy) = hidden_with_counts_it_could_not_report();
    let page_key = c.page_key().to_owned();
    c.handle_input(T0 + 2.0, Input::StorageCleared);
    assert_eq!(the_store(&drain(&mut c), &page_key), &copy[..]);
    // Shown, the page sends all it kept, and reports its counts: nobody else has them.
    c.handle_input(T0 + 3.0, Input::Show);
    c.handle_input(T0 + 3.0, Input::Online(true));
    let bodies = deliver_everything(&mut c, T0 + 3.0);
    let delivered: Vec<f64> = bodies.iter().flat_map(|b| values(b)).collect();
    assert_eq!(delivered, [1.0, 2.0, 3.0]);
    assert_eq!(reported(&bodies, "metrics", "buffer_full_events"), 2.0);
}

#[test]
fn counts_of_a_page_that_dies_hidden_are_reported_once_by_the_next() {
    let (mut old, _) = hidden_with_counts_it_could_not_report();
    // Hidden, the page goes online and delivers its batch, and is flushed: its stored copy
    // follows (the batch leaves it), and it reports nothing of the counts handed over.
    old.handle_input(T0 + 2.0, Input::Online(true));
    let outputs = drain(&mut old);
    let sent = posts(&outputs);
    assert_eq!(sent.len(), 1);
    let p = sent[0].clone();
    answer(&mut old, T0 + 3.0, &p, Some(200), None);
    let outputs = drain(&mut old);
    let text = stores(&outputs).pop().expect("the copy is written again");
    assert_eq!(
        stored_batches(&text),
        [],
        "the delivered batch left the copy"
    );
    assert_eq!(
        stored_counts(&text)[0].dropped[Drop::BufferEvents.index()],
        2
    );
    let bodies = deliver_everything(&mut old, T0 + 4.0);
    assert_eq!(reported(&bodies, "metrics", "buffer_full_events"), 0.0);
    // The tab is discarded without another event: the next page reports the counts.
    let old_key = old.page_key().to_owned();
    drop(old);
    let mut new = next_page(&[], old_key, text);
    let bodies = deliver_everything(&mut new, T0 + 60_000.0);
    assert_eq!(reported(&bodies, "metrics", "buffer_full_events"), 2.0);
    assert_eq!(bodies.iter().flat_map(|b| values(b)).count(), 0);
}

#[test]
fn a_second_hide_reports_the_counts_the_first_handed_over_when_it_has_room() {
    let (mut c, _) = hidden_with_counts_it_could_not_report();
    // Hidden, the page gets its batch delivered: room for the report at the next hide.
    c.handle_input(T0 + 2.0, Input::Online(true));
    let p = the_post(&mut c);
    answer(&mut c, T0 + 3.0, &p, Some(200), None);
    drain(&mut c);
    hide(&mut c, T0 + 4.0, true);
    let outputs = drain(&mut c);
    let sent = posts(&outputs);
    assert_eq!(sent.len(), 1, "{outputs:?}");
    assert!(sent[0].keepalive);
    let bodies = vec![sent[0].body.clone()];
    assert_eq!(reported(&bodies, "metrics", "buffer_full_events"), 2.0);
    // Reported: nothing is left to store.
    let page_key = c.page_key().to_owned();
    assert!(outputs.contains(&Output::Unstore { key: page_key }));
    assert_eq!(stores(&outputs), Vec::<Vec<u8>>::new());
}

#[test]
fn batches_left_out_of_storage_are_counted_by_the_next_page() {
    let named = [("batchSize", 2.0), ("maxPersistedBytes", 300.0)];
    let mut old = client_with(&named);
    old.handle_input(T0, Input::Online(false));
    record(&mut old, T0, &[1.0, 2.0]);
    record(&mut old, T0, &[3.0, 4.0]);
    assert_eq!(old.metrics.queue.sealed().len(), 2);
    hide(&mut old, T0 + 1.0, true);
    let (old_key, text) = (old.page_key().to_owned(), the_copy(&mut old));
    assert!(text.len() <= 300);
    let kept = stored_batches(&text);
    assert_eq!(kept.len(), 1, "one batch fits in 300 bytes, not two");
    assert_eq!(values(&kept[0].2), [1.0, 2.0]);
    drop(old);

    let mut new = next_page(&[], old_key, text);
    let bodies = deliver_everything(&mut new, T0 + 60_000.0);
    let delivered: Vec<f64> = bodies.iter().flat_map(|b| values(b)).collect();
    assert_eq!(delivered, [1.0, 2.0]);
    assert_eq!(reported(&bodies, "metrics", "buffer_full_bytes"), 2.0);
}

/// A client that sent one batch of `values` by keepalive request at a hide (and was shown
/// again); the request is still under way.
fn sent_at_a_hide(values: &[f64]) -> (Client, Post) {
    let mut c = client_with(&[("batchSize", 100.0)]);
    record(&mut c, T0, values);
    hide(&mut c, T0 + 1.0, false);
    let outputs = drain(&mut c);
    let sent = posts(&outputs);
    assert_eq!(sent.len(), 1, "{outputs:?}");
    assert!(sent[0].keepalive);
    let p = sent[0].clone();
    c.handle_input(T0 + 2.0, Input::Show);
    drain(&mut c);
    (c, p)
}

#[test]
fn a_refusal_of_a_keepalive_request_drops_and_counts_its_batch() {
    // A 413 for a single event, or any other refusal: as an ordinary answer would.
    for (events, status) in [(&[1.0][..], 413), (&[1.0, 2.0][..], 400), (&[1.0][..], 422)] {
        let (mut c, p) = sent_at_a_hide(events);
        answer(&mut c, T0 + 3.0, &p, Some(status), None);
        assert_eq!(c.held()[0], 0.0, "{status}: the batch is dropped");
        let bodies = deliver_everything(&mut c, T0 + 4.0);
        let n = events.len() as f64;
        assert_eq!(reported(&bodies, "metrics", "rejected"), n, "{status}");
        assert!(bodies.iter().all(|b| values(b).is_empty()), "{status}");
    }
    // A retryable failure keeps it, and it goes again (whole, under its key).
    let (mut c, p) = sent_at_a_hide(&[1.0, 2.0]);
    answer(&mut c, T0 + 3.0, &p, Some(503), None);
    assert_eq!(c.held()[0], 2.0);
    c.handle_input(T0 + 4.0, Input::Flush(1));
    let again = the_post(&mut c);
    assert_eq!((again.key, again.body), (p.key, p.body));
}

#[test]
fn a_413_to_a_keepalive_request_is_left_to_the_ordinary_request_of_the_same_batch() {
    let mut c = client_with(&[("batchSize", 2.0)]);
    record(&mut c, T0, &[1.0, 2.0]);
    let ordinary = the_post(&mut c);
    hide(&mut c, T0 + 1.0, false);
    let outputs = drain(&mut c);
    let keepalive = posts(&outputs)
        .into_iter()
        .find(|p| p.key == ordinary.key)
        .expect("the batch goes by keepalive request too")
        .clone();
    answer(&mut c, T0 + 2.0, &keepalive, Some(413), None);
    assert_eq!(drain(&mut c), []);
    assert_eq!(
        c.metrics.queue.front().map(|b| b.key.clone()),
        Some(ordinary.key.clone())
    );
    // The ordinary answer decides: the batch is split.
    answer(&mut c, T0 + 3.0, &ordinary, Some(413), None);
    assert_eq!(values(&the_post(&mut c).body), [1.0]);
}

#[test]
fn a_split_of_a_kept_batch_while_hidden_replaces_it_in_the_stored_copy() {
    let (mut c, p) = sent_at_a_hide(&[1.0, 2.0, 3.0]);
    // Hidden again, offline this time: the batch is kept, whole.
    c.handle_input(T0 + 3.0, Input::Online(false));
    hide(&mut c, T0 + 4.0, false);
    let kept = stored_batches(&the_copy(&mut c));
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1, p.key);
    // The first keepalive request's answer: too large. The stored copy now holds the halves.
    answer(&mut c, T0 + 5.0, &p, Some(413), None);
    let kept = stored_batches(&the_copy(&mut c));
    let halves: Vec<Vec<f64>> = kept.iter().map(|k| values(&k.2)).collect();
    assert_eq!(halves, [vec![1.0], vec![2.0, 3.0]]);
    assert!(kept.iter().all(|k| k.1 != p.key));
    let queued: Vec<String> = c
        .metrics
        .queue
        .sealed()
        .iter()
        .map(|b| b.key.clone())
        .collect();
    assert_eq!(queued, [kept[0].1.clone(), kept[1].1.clone()]);
}

// ---------------------------------------------------------------------------------------------
// Captured errors (src/capture.rs): what one becomes on the wire, and the gate in front of it.
// The reports go into the client as the main module takes them from the second one (index.js):
// a metric as a series and a staged event, a log entry as a `logger.*` call.
#[cfg(feature = "errors")]
mod captured_errors {
    use super::*;
    use crate::capture::{Captured, ErrorCapture, Report};
    use crate::log::{Entry, ErrorInfo};

    /// Captures `e` at `now`, naming `user` as the second module does (`localStorage.user_id`),
    /// and hands what it reports to the client, stamped `now`.
    fn capture(
        c: &mut Client,
        errors: &mut ErrorCapture,
        e: Captured,
        user: Option<&str>,
        now: f64,
    ) {
        let mut reports = Vec::new();
        errors.capture(e, now, user, Platform::native().number, &mut reports);
        hand_over(c, reports, now);
    }

    fn hand_over(c: &mut Client, reports: Vec<Report>, now: f64) {
        for r in reports {
            match r {
                Report::Metric {
                    name,
                    value,
                    labels_json,
                } => {
                    let id = c.add_series(name, Some(&labels_json));
                    c.handle_input(now, Input::Metrics(&[f64::from(id), value, now]));
                }
                Report::Log {
                    level,
                    message,
                    context_json,
                    error,
                } => {
                    let error = error.as_ref().map(|(name, message, stack)| ErrorInfo {
                        name,
                        message,
                        stack: stack.as_deref(),
                    });
                    let entry = Entry {
                        epoch_ms: now,
                        timestamp: &crate::json::iso_text(now),
                        level,
                        message: &message,
                        context_json: context_json.as_deref(),
                        error,
                        context: &[],
                    };
                    c.handle_input(now, Input::Log(entry));
                }
            }
        }
    }

    /// An uncaught `TypeError` thrown at https://app/a.js:10:4, with one cause.
    fn type_error(message: &str) -> Captured<'_> {
        Captured {
            rejection: false,
            name: "TypeError",
            message,
            stack: Some("TypeError: x\n    at f (https://app/a.js:10:4)"),
            causes: &[("Error", "inner")],
            source: Some(("https://app/a.js", 10.0, 4.0)),
        }
    }

    /// Every event sent once flushed: (metrics, log entries).
    fn sent(c: &mut Client, now: f64) -> (Vec<Json>, Vec<Json>) {
        let bodies = deliver_everything(c, now);
        let of = |stream: &str| -> Vec<Json> {
            let prefix = format!("{{\"{stream}\":");
            bodies
                .iter()
                .filter(|b| b.starts_with(prefix.as_bytes()))
                .flat_map(|b| events(b))
                .collect()
        };
        (of("metrics"), of("logs"))
    }

    #[test]
    fn a_captured_error_is_a_metric_and_an_error_log_entry_in_the_seeds_format() {
        let mut c = client_with(&[]);
        let identity = Input::Identity {
            user_id: Some("u-1"),
            session_id: Some("s-1"),
        };
        c.handle_input(T0, identity);
        let mut errors = ErrorCapture::new();
        capture(
            &mut c,
            &mut errors,
            type_error("x is undefined"),
            Some("u-1"),
            T0 + 5.0,
        );
        let bodies = deliver_everything(&mut c, T0 + 6.0);
        let metric = bodies
            .iter()
            .find(|b| text(b).contains("frontend_errors_total"))
            .expect("the metric is sent");
        assert_eq!(
            text(metric),
            r#"{"metrics":[{"name":"frontend_errors_total","value":1,"labels":{"error_type":"TypeError","component":"global","user_id":"u-1"},"timestamp":1700000000005}]}"#
        );
        let log = bodies.iter().find(|b| b.starts_with(b"{\"logs\":"));
        assert_eq!(
            text(log.expect("the entry is sent")),
            r#"{"logs":[{"timestamp":"2023-11-14T22:13:20.005Z","level":"error","message":"x is undefined","service":"recoloca-frontend","version":"1.0.0","context":{"component":"global","source":{"file":"https://app/a.js","line":10,"column":4},"cause":[{"name":"Error","message":"inner"}]},"error":{"name":"TypeError","message":"x is undefined","stack":"TypeError: x\n    at f (https://app/a.js:10:4)"},"user_id":"u-1","session_id":"s-1"}]}"#
        );
    }

    #[test]
    fn a_repeat_is_counted_not_reported_and_a_storm_is_limited_with_one_notice() {
        let mut c = client_with(&[("batchSize", 1000.0), ("logBatchSize", 1000.0)]);
        let mut errors = ErrorCapture::new();
        // The same error three times within the repeat window: one entry, three in the metric.
        for i in 0..3 {
            capture(
                &mut c,
                &mut errors,
                type_error("same"),
                None,
                T0 + f64::from(i),
            );
        }
        // 150 different errors in a minute: 100 reports a minute at most, then one notice.
        let messages: Vec<String> = (0..150).map(|i| format!("storm {i}")).collect();
        for (i, m) in messages.iter().enumerate() {
            capture(
                &mut c,
                &mut errors,
                type_error(m),
                None,
                T0 + 10.0 + i as f64,
            );
        }
        // What was only counted leaves as summed events (at a flush, a hide, or the second
        // module's own timer).
        let mut counts = Vec::new();
        errors.counts(None, Platform::native().number, &mut counts);
        hand_over(&mut c, counts, T0 + 999.0);
        let (metrics, logs) = sent(&mut c, T0 + 1_000.0);
        let errors = logs.iter().filter(|e| e["level"] == "error").count();
        assert_eq!(errors, 100, "one entry for the repeats and 99 of the storm");
        let notices: Vec<_> = logs.iter().filter(|e| e["level"] == "warn").collect();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0]["context"]["component"], "telemetry");
        // Yet every error is counted.
        let counted: f64 = metrics
            .iter()
            .filter(|e| e["name"] == "frontend_errors_total")
            .filter_map(|e| e["value"].as_f64())
            .sum();
        assert_eq!(counted, 153.0);
    }

    #[test]
    fn a_captured_errors_texts_are_bounded() {
        let mut c = client_with(&[]);
        let long = "m".repeat(5_000);
        let name = "N".repeat(5_000);
        let stack: String = (0..80)
            .map(|i| format!("    at f{i} (a.js:{i}:1)\n"))
            .collect();
        let error = Captured {
            rejection: true,
            name: &name,
            message: &long,
            stack: Some(&stack),
            causes: &[],
            source: None,
        };
        capture(&mut c, &mut ErrorCapture::new(), error, None, T0);
        let (_, logs) = sent(&mut c, T0 + 1.0);
        let entry = &logs[0];
        assert_eq!(
            entry["context"],
            serde_json::json!({"component": "promise"})
        );
        assert_eq!(entry["message"].as_str().unwrap().chars().count(), 1000);
        assert_eq!(
            entry["error"]["name"].as_str().unwrap().chars().count(),
            1000
        );
        let frames = entry["error"]["stack"].as_str().unwrap().lines().count();
        assert!(frames <= 50, "{frames} frames");
    }
}

// ---------------------------------------------------------------------------------------------
// The property test: a simulated world

/// The bounds the world configures: small, so that they are hit.
const MAX_EVENTS: usize = 50;
const MAX_BYTES: usize = 100_000;

/// The options of every page of the world.
///
/// - `retryMaxAttempts` at its maximum, and the server's 413 only for bodies of two events or
///   more: a batch dropped as `retries_exhausted` or `rejected` may carry the client's own
///   `telemetry_events_dropped_total` report, whose count would then be lost with it, and the
///   accounting below could not close. (The focused tests cover both drops.)
/// - `maxPersistedBytes` at its maximum (4 MiB), far above what two streams of at most
///   `MAX_BYTES` can hold: a dying page always stores everything it keeps. (A batch the
///   budget leaves out is counted as `buffer_full_bytes`, but it too may carry the client's
///   own report, as above; `batches_left_out_of_storage_are_counted_by_the_next_page` covers
///   it.)
fn world_options() -> Options {
    options(&[
        ("batchSize", 5.0),
        ("flushIntervalMs", 1_000.0),
        ("logBatchSize", 4.0),
        ("logFlushIntervalMs", 1_500.0),
        ("retryInitialMs", 200.0),
        ("retryMaxMs", 5_000.0),
        ("maxBufferedEvents", MAX_EVENTS as f64),
        ("maxBufferedBytes", MAX_BYTES as f64),
        ("maxRequestBytes", 8_000.0),
        ("requestTimeoutMs", 3_000.0),
        ("retryMaxAttempts", 1_000.0),
        ("maxPersistedBytes", f64::from(4u32 << 20)),
    ])
}

/// The two streams, as indices of the world's tallies.
const METRICS: usize = 0;
const LOGS: usize = 1;

/// How the server answers one request.
#[derive(Clone, Copy, Debug)]
enum Reply {
    /// A 2xx: the server has the batch.
    Success(u16),
    /// A retryable status, or no answer at all (`None`, a network error). `reached`: the
    /// batch got stored all the same (a proxy's 502 after the origin stored it, a connection
    /// lost on the way back).
    Failure {
        status: Option<u16>,
        reached: bool,
        retry_after: Wait,
    },
    /// A 413, for a body of two events or more that the server has not stored, first given
    /// to an answer the client heeds (see `Server::serve`).
    TooLarge,
}

/// The `Retry-After` of a 429 or 503.
#[derive(Clone, Copy, Debug)]
enum Wait {
    None,
    Seconds(u8),
    /// An HTTP-date this many seconds ahead.
    Date(u8),
}

#[derive(Clone, Debug)]
enum Step {
    /// This many metric events in one `Input::Metrics`.
    Metrics(u8),
    /// This many log entries, each with this much padding in its message.
    Logs(u8, u16),
    /// Time passes (ms); the client is woken whenever its `poll_timeout` comes.
    Advance(u32),
    /// The server answers one of the requests under way (any, aborted ones included).
    Answer(usize, Reply),
    /// The page is hidden; beacon `i` of this hide is accepted when bit `i % 8` is set.
    Hide {
        last: bool,
        beacons: u8,
    },
    Show,
    Online(bool),
    Flush,
    /// The page goes and a new one loads. Ordinary request `i` under way reached the server
    /// when bit `i % 8` of `reached` is set; `beacons` as for `Hide` (for the `pagehide`).
    Reload {
        reached: u8,
        beacons: u8,
    },
    /// Another page of the origin loads (a new tab) while this one lives on: it takes every
    /// copy in storage, this page's too, sends their batches and reports their counts.
    OtherPage,
}

fn reply() -> impl Strategy<Value = Reply> {
    let wait = prop_oneof![
        2 => Just(Wait::None),
        1 => (0u8..20).prop_map(Wait::Seconds),
        1 => (0u8..20).prop_map(Wait::Date),
    ];
    let failing = prop::sample::select(vec![
        Some(408),
        Some(429),
        Some(500),
        Some(502),
        Some(503),
        Some(504),
        None,
    ]);
    prop_oneof![
        4 => prop::sample::select(vec![200u16, 202, 204]).prop_map(Reply::Success),
        4 => (failing, any::<bool>(), wait).prop_map(|(status, reached, retry_after)| {
            Reply::Failure { status, reached, retry_after }
        }),
        1 => Just(Reply::TooLarge),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (1u8..=12).prop_map(Step::Metrics),
        4 => (1u8..=4, 0u16..8_000).prop_map(|(n, pad)| Step::Logs(n, pad)),
        5 => prop_oneof![0u32..500, 0u32..5_000, 0u32..60_000].prop_map(Step::Advance),
        8 => (any::<usize>(), reply()).prop_map(|(i, r)| Step::Answer(i, r)),
        1 => (any::<bool>(), any::<u8>()).prop_map(|(last, beacons)| Step::Hide { last, beacons }),
        1 => Just(Step::Show),
        1 => any::<bool>().prop_map(Step::Online),
        1 => Just(Step::Flush),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(reached, beacons)| Step::Reload { reached, beacons }),
        1 => Just(Step::OtherPage),
    ]
}

/// A request the client made, as the world sees it.
#[derive(Debug)]
struct Sent {
    id: RequestId,
    key: String,
    body: Vec<u8>,
    keepalive: bool,
    /// Given up by the client: its answer will be ignored.
    aborted: bool,
}

/// A collector that dedupes by idempotency key, as the real one does.
#[derive(Default)]
struct Server {
    /// Batches stored, by key: a repeat of a key is answered 2xx and otherwise ignored.
    stored: HashSet<String>,
    /// Keys refused as too large: the same bytes are refused every time.
    too_large: HashSet<String>,
    /// The key each test event arrived under, by stream and event id.
    events: [HashMap<u64, String>; 2],
    /// The `telemetry_events_dropped_total` received, by stream.
    dropped: [u64; 2],
}

impl Server {
    /// The server takes (or not) one request for batch `key`; the status it answers.
    /// `heeded`: the client acts on this answer (see `Step::Answer`).
    fn serve(&mut self, key: &str, body: &[u8], heeded: bool, reply: Reply) -> Option<u16> {
        if self.too_large.contains(key) {
            return match reply {
                Reply::Failure { status: None, .. } => None,
                _ => Some(413),
            };
        }
        match reply {
            Reply::Success(status) => {
                self.store(key, body);
                Some(status)
            }
            // A batch stored already is not too large; a single event is never refused as such
            // (see `world_options`). And the first 413 for a body goes to an answer the client
            // heeds (an ordinary request's, or a keepalive request's unless the same batch's
            // ordinary request is under way): an ignored one would leave the client to send the
            // same bytes again, perhaps at a last exit, by keepalive request or beacon, to be
            // refused again with nobody left to split them. Once the client has split them, any
            // request of the same bytes still under way is refused too (above), as a real
            // server would.
            Reply::TooLarge if self.stored.contains(key) || events(body).len() < 2 || !heeded => {
                self.store(key, body);
                Some(200)
            }
            Reply::TooLarge => {
                self.too_large.insert(key.to_owned());
                Some(413)
            }
            Reply::Failure {
                status, reached, ..
            } => {
                if reached {
                    self.store(key, body);
                }
                status
            }
        }
    }

    /// Stores the batch `key` unless it has it already (the dedupe).
    fn store(&mut self, key: &str, body: &[u8]) {
        if !self.stored.insert(key.to_owned()) {
            return;
        }
        let stream = if body.starts_with(b"{\"metrics\":") {
            METRICS
        } else {
            LOGS
        };
        for e in events(body) {
            let id = match stream {
                METRICS if e["name"] == "e" => e["value"].as_u64(),
                METRICS => {
                    if e["name"] == "telemetry_events_dropped_total" {
                        let of = if e["labels"]["stream"] == "metrics" {
                            METRICS
                        } else {
                            LOGS
                        };
                        self.dropped[of] += e["value"].as_u64().unwrap();
                    }
                    None
                }
                _ => {
                    let message = e["message"].as_str().unwrap_or_default();
                    let id = message.strip_prefix('e').and_then(|m| m.split_once(' '));
                    id.and_then(|(n, _)| n.parse().ok())
                }
            };
            let Some(id) = id else { continue };
            // The same event under two keys: the dedupe cannot catch it, the collector counts
            // it twice.
            if let Some(first) = self.events[stream].insert(id, key.to_owned()) {
                panic!("a true duplicate: event {id} of stream {stream} arrived under key {first} and again under key {key}");
            }
        }
    }
}

/// The page, its client, its storage and network, the server, and a clock.
struct World {
    now: f64,
    client: Client,
    /// Pages loaded so far (each client gets its own seed, as each page would).
    pages: u64,
    /// The test series of this page's client.
    series: f64,
    online: bool,
    hidden: bool,
    /// After a last hide (`pagehide`): the page is in the back/forward cache or unloading, and
    /// runs nothing until it is shown again or replaced.
    frozen: bool,
    /// `localStorage` of the origin.
    storage: BTreeMap<String, String>,
    /// Requests under way, aborted ones included (they may still reach the server).
    under_way: Vec<Sent>,
    /// The body of every key the client sent: a key never carries other bytes.
    bodies: HashMap<String, Vec<u8>>,
    /// Keys whose delivery the client was told of: it must not send them again (with a
    /// deduping server that would be waste, not a duplicate, so `Server` cannot see it).
    acked: HashSet<String>,
    server: Server,
    /// Ids of the events recorded (unique across pages), and how many of each stream.
    next_event: u64,
    recorded: [u64; 2],
    /// `flush()` calls not yet done, and the next id.
    flushes: Vec<u32>,
    next_flush: u32,
    /// Which beacons of the current hide the browser accepts.
    beacons: u8,
    beacon_count: u32,
    /// Copies of this page that another page took while this one was frozen: the `storage`
    /// events it gets once it runs again.
    taken_while_frozen: Vec<String>,
}

impl World {
    fn new() -> World {
        let mut w = World {
            now: T0,
            client: Client::new(platform(), [0; 32], true, T0),
            pages: 0,
            series: 0.0,
            online: true,
            hidden: false,
            frozen: false,
            storage: BTreeMap::new(),
            under_way: Vec::new(),
            bodies: HashMap::new(),
            acked: HashSet::new(),
            server: Server::default(),
            next_event: 0,
            recorded: [0; 2],
            flushes: Vec::new(),
            next_flush: 1,
            beacons: 0,
            beacon_count: 0,
            taken_while_frozen: Vec::new(),
        };
        w.load_page();
        w
    }

    /// A new page: a new client, configured, handed what earlier pages stored.
    fn load_page(&mut self) {
        self.pages += 1;
        let mut seed = [0xA5; 32];
        seed[..8].copy_from_slice(&self.pages.to_le_bytes());
        self.client = Client::new(platform(), seed, self.online, self.now);
        self.taken_while_frozen.clear();
        self.hidden = false;
        self.frozen = false;
        self.input(Input::Configure(world_options()));
        self.series = f64::from(self.client.add_series("e", None));
        let stored = self
            .storage
            .iter()
            .filter(|(k, _)| k.starts_with(STORAGE_PREFIX))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.input(Input::Stored(stored));
    }

    /// Hands the client one input now, carries out what it asks, and checks its bounds.
    fn input(&mut self, input: Input) {
        self.client.handle_input(self.now, input);
        self.carry_out();
        self.check_bounds();
    }

    fn carry_out(&mut self) {
        while let Some(output) = self.client.poll_output() {
            match output {
                Output::Post(p) => {
                    self.same_bytes(&p.key, &p.body);
                    self.under_way.push(Sent {
                        id: p.request,
                        key: p.key,
                        body: p.body,
                        keepalive: p.keepalive,
                        aborted: false,
                    });
                }
                Output::Abort(id) => {
                    let r = self.under_way.iter_mut().find(|r| r.id == id);
                    let r = r.unwrap_or_else(|| panic!("Abort({id}) of no request under way"));
                    assert!(!r.keepalive && !r.aborted, "Abort({id}) of {r:?}");
                    // It stays in `under_way`: it may still reach the server.
                    r.aborted = true;
                }
                Output::Beacon { request, url, body } => {
                    let (_, key) = url.split_once("?idempotency_key=").expect(&url);
                    let key = key.to_owned();
                    self.same_bytes(&key, &body);
                    let accepted = self.beacons & (1 << (self.beacon_count % 8)) != 0;
                    self.beacon_count += 1;
                    if accepted {
                        // A beacon the browser queued reaches the server (it gets no answer).
                        self.server.serve(&key, &body, false, Reply::Success(200));
                    }
                    // sendBeacon says at once whether it queued it.
                    let beaconed = Input::Beaconed { request, accepted };
                    self.client.handle_input(self.now, beaconed);
                }
                Output::Store { key, text } => {
                    assert!(key.starts_with(STORAGE_PREFIX), "{key}");
                    let text = String::from_utf8(text).expect("stored text is UTF-8");
                    self.storage.insert(key, text);
                }
                Output::Unstore { key } => {
                    self.storage.remove(&key);
                }
                Output::ReadStored => {
                    let entries = self
                        .storage
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    self.client.handle_input(self.now, Input::Stored(entries));
                }
                Output::Flushed(id) => {
                    let i = self.flushes.iter().position(|&f| f == id);
                    let i = i.unwrap_or_else(|| panic!("Flushed({id}): not waiting for it"));
                    self.flushes.swap_remove(i);
                }
                Output::Warn(_) => {}
            }
        }
    }

    /// The same idempotency key always carries the same bytes, and none goes again once the
    /// client knows it arrived.
    fn same_bytes(&mut self, key: &str, body: &[u8]) {
        assert!(
            !self.acked.contains(key),
            "{key} sent again after its success"
        );
        let first = self.bodies.entry(key.to_owned()).or_insert(body.to_vec());
        assert!(first == body, "key {key} sent with two different bodies");
    }

    /// Memory, requests and flushes stay bounded, whatever happens.
    fn check_bounds(&self) {
        let c = &self.client;
        let [me, mb, le, lb] = c.held();
        assert!(
            me <= MAX_EVENTS as f64 && le <= MAX_EVENTS as f64,
            "{:?}",
            c.held()
        );
        assert!(
            mb <= MAX_BYTES as f64 && lb <= MAX_BYTES as f64,
            "{:?}",
            c.held()
        );
        let ordinary = c.requests.iter().filter(|r| r.keepalive.is_none()).count();
        assert!(ordinary <= 2, "one ordinary request per stream: {ordinary}");
        let keepalive: usize = c
            .requests
            .iter()
            .filter_map(|r| r.keepalive.as_ref())
            .map(|k| k.len)
            .sum();
        assert_eq!(keepalive, c.keepalive_bytes);
        assert!(
            keepalive <= KEEPALIVE_BUDGET,
            "{keepalive} keepalive bytes under way"
        );
        // Every body is 50 bytes or more: the budget bounds the keepalive requests.
        assert!(c.requests_under_way() <= 2 + KEEPALIVE_BUDGET / 50);
        assert_eq!(
            c.flushes_waiting(),
            self.flushes.len(),
            "flushes the client waits on"
        );
    }

    fn step(&mut self, step: &Step) {
        // A page in the back/forward cache, or unloading, runs nothing.
        let frozen_out = !matches!(
            step,
            Step::Advance(_) | Step::Show | Step::Reload { .. } | Step::OtherPage
        );
        if self.frozen && frozen_out {
            return;
        }
        match *step {
            Step::Metrics(n) => {
                let mut staged = Vec::new();
                for _ in 0..n {
                    staged.extend([self.series, self.next_event as f64, self.now]);
                    self.next_event += 1;
                }
                self.recorded[METRICS] += u64::from(n);
                self.input(Input::Metrics(&staged));
            }
            Step::Logs(n, pad) => {
                for _ in 0..n {
                    let message = format!("e{} é{}", self.next_event, "x".repeat(pad.into()));
                    self.next_event += 1;
                    self.recorded[LOGS] += 1;
                    let entry = Entry {
                        epoch_ms: self.now,
                        timestamp: &crate::json::iso_text(self.now),
                        level: Level::Info,
                        message: &message,
                        context_json: None,
                        error: None,
                        context: &[],
                    };
                    self.input(Input::Log(entry));
                }
            }
            Step::Advance(ms) => self.advance(f64::from(ms)),
            Step::Answer(pick, reply) => {
                if self.under_way.is_empty() {
                    return;
                }
                let r = self.under_way.remove(pick % self.under_way.len());
                // The client acts on this answer: not on one to a request it gave up, nor on one
                // to a keepalive request while the same batch's ordinary request is under way
                // (whose answer decides).
                let ordinary = |o: &Sent| o.key == r.key && !o.keepalive && !o.aborted;
                let heeded = !r.aborted && (!r.keepalive || !self.under_way.iter().any(ordinary));
                let status = self.server.serve(&r.key, &r.body, heeded, reply);
                let retry_after = match (status, reply) {
                    (Some(429 | 503), Reply::Failure { retry_after, .. }) => match retry_after {
                        Wait::None => None,
                        Wait::Seconds(s) => Some(s.to_string()),
                        Wait::Date(s) => Some(http_date(self.now + 1000.0 * f64::from(s))),
                    },
                    _ => None,
                };
                self.answer(r, status, retry_after.as_deref());
            }
            Step::Hide { last, beacons } => {
                // visibilitychange to hidden comes once; pagehide may follow it.
                if !self.hidden || last {
                    self.hide(last, beacons);
                }
            }
            Step::Show => {
                if self.hidden {
                    self.show();
                }
            }
            Step::Online(online) => {
                self.online = online;
                self.input(Input::Online(online));
            }
            Step::Flush => {
                let id = self.next_flush;
                self.next_flush += 1;
                self.flushes.push(id);
                self.input(Input::Flush(id));
            }
            Step::Reload { reached, beacons } => self.reload(reached, beacons),
            Step::OtherPage => self.other_page(),
        }
    }

    /// The page is visible again; then the `storage` events it missed while frozen come (a
    /// page restored from the back/forward cache runs its queued tasks after `pageshow`).
    fn show(&mut self) {
        self.hidden = false;
        self.frozen = false;
        self.input(Input::Show);
        for text in std::mem::take(&mut self.taken_while_frozen) {
            self.input(Input::CopyTaken { text: &text });
        }
    }

    /// Another page reads every copy in storage and removes it, sends the batches in it
    /// (delivered: that page's own delivery is not what this test is about) and reports the
    /// counts in it. This page hears of it by a `storage` event, at once or, frozen, later.
    fn other_page(&mut self) {
        let mine = self.client.page_key().to_owned();
        for (key, text) in std::mem::take(&mut self.storage) {
            let server = &mut self.server;
            let counts = persist::decode(&text, |_, batch| {
                server.serve(&batch.key, &batch.body, false, Reply::Success(200));
            });
            for (stream, c) in [METRICS, LOGS].into_iter().zip(counts) {
                self.server.dropped[stream] += c.dropped.iter().sum::<u64>();
            }
            if key != mine {
                continue;
            }
            if self.frozen {
                self.taken_while_frozen.push(text);
            } else {
                self.input(Input::CopyTaken { text: &text });
            }
        }
    }

    /// Hands the client the answer to request `r`, noting what it now knows the server has.
    fn answer(&mut self, r: Sent, status: Option<u16>, retry_after: Option<&str>) {
        // A success it heeds: of an ordinary request it has not given up, or of a keepalive
        // request while no ordinary one of the same batch is under way (whose answer decides).
        let ordinary = |o: &Sent| o.key == r.key && !o.keepalive && !o.aborted;
        let decided = !r.aborted && !self.under_way.iter().any(ordinary);
        if matches!(status, Some(200..=299)) && decided {
            self.acked.insert(r.key.clone());
        }
        self.input(Input::Answer {
            request: r.id,
            status,
            retry_after,
        });
    }

    /// Lets `ms` pass, waking the client each time its `poll_timeout` comes (not while the
    /// page is frozen: then it is woken late, at the first advance after it is shown again).
    fn advance(&mut self, ms: f64) {
        let until = self.now + ms;
        let mut wakes = 0;
        while !self.frozen && self.client.poll_timeout() <= until {
            self.now = self.now.max(self.client.poll_timeout());
            self.input(Input::Timeout);
            assert!(
                self.client.poll_timeout() > self.now,
                "woken, it asks to be woken now again"
            );
            wakes += 1;
            assert!(wakes < 10_000);
        }
        self.now = until;
    }

    fn hide(&mut self, last: bool, beacons: u8) {
        self.beacons = beacons;
        self.beacon_count = 0;
        let mine = self.client.page_key();
        let stored_elsewhere = self
            .storage
            .iter()
            .filter(|(k, _)| k.as_str() != mine)
            .map(|(_, v)| v.len())
            .sum();
        self.hidden = true;
        self.frozen = last;
        let hide = Input::Hide {
            last,
            stored_elsewhere,
        };
        self.client.handle_input(self.now, hide);
        self.carry_out();
        self.check_bounds();
    }

    /// The page goes (after its `pagehide`, unless it had one already) and a new one loads.
    fn reload(&mut self, reached: u8, beacons: u8) {
        if !self.frozen {
            self.hide(true, beacons);
        }
        // What the old page had under way: its keepalive requests outlive it; its ordinary
        // requests, aborted ones included, may or may not have reached the server.
        for (i, r) in std::mem::take(&mut self.under_way).into_iter().enumerate() {
            if r.keepalive || reached & (1 << (i % 8)) != 0 {
                self.server
                    .serve(&r.key, &r.body, false, Reply::Success(200));
            }
        }
        // Its flush() calls die with it. Not so the counts it could not report: they are in
        // storage, for the next page to report.
        self.flushes.clear();
        self.load_page();
    }

    /// The final phase: online, visible, every request answered 200, time past every timeout,
    /// flush(), until nothing is under way and nothing is held.
    fn deliver_everything(&mut self) {
        if self.hidden {
            self.show();
        }
        if !self.online {
            self.online = true;
            self.input(Input::Online(true));
        }
        for _ in 0..200 {
            let mut answered = 0;
            while let Some(r) = self.under_way.pop() {
                answered += 1;
                assert!(answered < 1_000, "every answer brings another request");
                let status = self
                    .server
                    .serve(&r.key, &r.body, false, Reply::Success(200));
                self.answer(r, status, None);
            }
            let c = &self.client;
            let counters = [&c.metrics, &c.logs].iter().all(|s| s.counts.is_zero());
            if c.held() == [0.0; 4] && counters && self.flushes.is_empty() {
                return;
            }
            self.now = self.now.max(self.client.poll_timeout());
            self.input(Input::Timeout);
            self.step(&Step::Flush);
        }
        panic!("never quiet: held {:?}", self.client.held());
    }

    /// Every event recorded reached the server exactly once (`Server::store` panics on a
    /// second arrival under another key), or was counted as dropped.
    fn check_accounting(&self) {
        for (stream, name) in [(METRICS, "metrics"), (LOGS, "logs")] {
            let received = self.server.events[stream].len() as u64;
            let dropped = self.server.dropped[stream];
            assert_eq!(
                received + dropped,
                self.recorded[stream],
                "{name}: {received} received + {dropped} counted as dropped != {} recorded",
                self.recorded[stream]
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever the interleaving of events, answers (successes, retryable failures with or
    /// without Retry-After, 413s, network errors, no answer at all), hides, shows, reloads,
    /// connectivity changes, refused beacons and flush() calls: once the collector is back and
    /// everything is delivered, each event reached it exactly once (after dedupe by key) or
    /// was counted as dropped, and no event reached it under two keys.
    #[test]
    fn every_event_arrives_exactly_once_or_is_counted_as_dropped(
        steps in prop::collection::vec(step(), 1..150)
    ) {
        let mut world = World::new();
        for s in &steps {
            world.step(s);
        }
        world.deliver_everything();
        world.check_accounting();
    }
}

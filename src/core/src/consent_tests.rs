//! Native tests of `src/consent.rs`: what each consent and the sample let in and out.

use crate::client::{Client, Input, Output, Platform};
use crate::config::{index_of, Value};
use crate::consent::in_sample;

const T0: f64 = 1_700_000_000_000.0;

fn client() -> Client {
    let mut c = Client::new(Platform::native(), [3; 32], true, T0);
    c.handle_input(
        T0,
        Input::Configure(options(&[("batchSize", Value::Number(2.0))])),
    );
    c
}

fn options(o: &[(&str, Value)]) -> crate::config::Options {
    o.iter()
        .map(|(n, v)| (index_of(n).unwrap(), v.clone()))
        .collect()
}

fn consent(c: &mut Client, now: f64, value: &str) {
    let o = options(&[("trackingConsent", Value::Text(value.into()))]);
    c.handle_input(now, Input::Configure(o));
}

fn record(c: &mut Client, now: f64, n: usize) {
    let id = c.add_series("clicks_total", None);
    let events: Vec<f64> = (0..n).flat_map(|_| [f64::from(id), 1.0, T0]).collect();
    c.handle_input(now, Input::Metrics(&events));
}

fn outputs(c: &mut Client) -> Vec<Output> {
    std::iter::from_fn(|| c.poll_output()).collect()
}

fn posted_events(outs: &[Output]) -> usize {
    outs.iter()
        .filter_map(|o| match o {
            Output::Post(p) => Some(
                String::from_utf8_lossy(&p.body)
                    .matches("clicks_total")
                    .count(),
            ),
            _ => None,
        })
        .sum()
}

fn hide(c: &mut Client, now: f64) {
    c.handle_input(
        now,
        Input::Hide {
            last: true,
            stored_elsewhere: 0,
        },
    );
}

#[test]
fn pending_records_but_nothing_leaves_until_granted() {
    let mut c = client();
    consent(&mut c, T0, "pending");
    record(&mut c, T0, 5);
    c.handle_input(T0 + 1.0, Input::Flush(1));
    c.handle_input(T0 + 60_000.0, Input::Timeout);
    let outs = outputs(&mut c);
    assert_eq!(posted_events(&outs), 0, "{outs:?}");
    assert!(outs.contains(&Output::Flushed(1)), "flush() still settles");
    // Page exit: no request, no beacon, no storage write.
    hide(&mut c, T0 + 70_000.0);
    c.handle_input(T0 + 70_001.0, Input::Show);
    let outs = outputs(&mut c);
    assert!(
        outs.iter().all(|o| matches!(o, Output::Unstore { .. })),
        "{outs:?}"
    );
    // Granted: what was kept goes at the next tick, all of it.
    consent(&mut c, T0 + 80_000.0, "granted");
    assert_eq!(c.poll_timeout(), T0 + 80_000.0);
    c.handle_input(T0 + 80_000.0, Input::Timeout);
    let mut sent = 0;
    for i in 0..10 {
        let outs = outputs(&mut c);
        sent += posted_events(&outs);
        for o in outs {
            if let Output::Post(p) = o {
                let answer = Input::Answer {
                    request: p.request,
                    status: Some(200),
                    retry_after: None,
                };
                c.handle_input(T0 + 80_001.0 + f64::from(i), answer);
            }
        }
    }
    assert_eq!(sent, 5);
}

#[test]
fn not_granted_records_nothing_discards_what_was_kept_and_removes_stored_copies() {
    let mut c = client();
    consent(&mut c, T0, "pending");
    record(&mut c, T0, 1);
    consent(&mut c, T0 + 1.0, "not-granted");
    // This page's own stored copy goes.
    let outs = outputs(&mut c);
    assert!(
        matches!(outs.as_slice(), [Output::Unstore { .. }]),
        "{outs:?}"
    );
    assert!(c.metrics.queue.is_empty());
    record(&mut c, T0 + 2.0, 5);
    assert!(c.metrics.queue.is_empty());
    // Stored batches of earlier pages are read (which removes them) and dropped unsent.
    c.handle_input(
        T0 + 3.0,
        Input::Stored(vec![("rt:x".into(), "whatever".into())]),
    );
    assert_eq!(
        outputs(&mut c),
        vec![Output::Unstore { key: "rt:x".into() }]
    );
    // Granted later: recording starts again from nothing.
    consent(&mut c, T0 + 4.0, "granted");
    record(&mut c, T0 + 5.0, 2);
    assert_eq!(posted_events(&outputs(&mut c)), 2);
}

#[test]
fn stored_batches_wait_untouched_while_pending() {
    let mut c = client();
    consent(&mut c, T0, "pending");
    c.handle_input(
        T0 + 1.0,
        Input::Stored(vec![("rt:other".into(), "x".into())]),
    );
    assert_eq!(outputs(&mut c), vec![], "not taken, not removed");
    // Granted: they are read again (another page may have taken or rewritten them since), and
    // what is read then is taken over.
    consent(&mut c, T0 + 2.0, "granted");
    assert!(outputs(&mut c).contains(&Output::ReadStored));
    c.handle_input(T0 + 3.0, Input::Stored(vec![("rt:now".into(), "y".into())]));
    assert!(outputs(&mut c).contains(&Output::Unstore {
        key: "rt:now".into()
    }));
    // Nothing more is asked for.
    consent(&mut c, T0 + 4.0, "granted");
    assert!(!outputs(&mut c).contains(&Output::ReadStored));
}

#[test]
fn a_session_outside_the_sample_records_nothing() {
    let mut c = client();
    let o = options(&[("sessionSampleRate", Value::Number(0.0))]);
    c.handle_input(T0, Input::Configure(o));
    record(&mut c, T0, 4);
    assert!(c.metrics.queue.is_empty());
    let o = options(&[("sessionSampleRate", Value::Number(100.0))]);
    c.handle_input(T0, Input::Configure(o));
    record(&mut c, T0, 2);
    assert_eq!(posted_events(&outputs(&mut c)), 2);
}

#[test]
fn the_sample_is_a_stable_share_of_sessions() {
    let ids: Vec<String> = (0..20_000).map(|i| format!("session-{i}")).collect();
    let share = |rate: f64| ids.iter().filter(|id| in_sample(Some(id), rate)).count();
    assert_eq!(share(0.0), 0);
    assert_eq!(share(100.0), ids.len());
    let quarter = share(25.0) as f64 / ids.len() as f64;
    assert!((quarter - 0.25).abs() < 0.02, "{quarter}");
    // The same id, the same answer; a larger sample keeps everyone a smaller one had.
    for id in &ids[..500] {
        assert!(!in_sample(Some(id), 25.0) || in_sample(Some(id), 50.0));
    }
}

proptest::proptest! {
    /// Whatever the page does and whenever the visitor answers, the collector fails or the
    /// browser goes offline: nothing leaves the client (a request, a beacon, a storage write)
    /// while consent is not granted, and every event recorded while it was pending or granted
    /// is sent once consent is granted, once.
    #[test]
    fn nothing_leaves_without_consent_and_nothing_kept_is_lost(
        ops in proptest::collection::vec(0u8..10, 1..60),
    ) {
        let mut c = client();
        let (mut now, mut recorded, mut sent, mut lost) = (T0, 0usize, 0usize, false);
        let (mut outage, mut online, mut sessions) = (false, true, 0u32);
        // Counted once per batch key, as the collector dedupes (a batch may go again after its
        // keepalive request at a hide: at least once by design, once at the server).
        let mut keys = std::collections::HashSet::new();
        for op in ops {
            now += 400.0;
            match op {
                0 | 1 => {
                    if c.records() {
                        recorded += 1;
                    }
                    record(&mut c, now, 1);
                }
                2 => consent(&mut c, now, "pending"),
                3 => consent(&mut c, now, "granted"),
                4 => {
                    // Refused: whatever was kept is gone, by the visitor's choice.
                    lost |= recorded > sent;
                    consent(&mut c, now, "not-granted");
                }
                5 => c.handle_input(now, Input::Timeout),
                6 => {
                    // Hidden and shown again (a tab switch).
                    let hidden = Input::Hide { last: false, stored_elsewhere: 0 };
                    c.handle_input(now, hidden);
                    c.handle_input(now, Input::Show);
                }
                7 => outage = !outage, // the collector fails (503) from now, or is back
                8 => {
                    online = !online;
                    c.handle_input(now, Input::Online(online));
                }
                _ => {
                    // Another session (storage cleared in another tab, say): no gate opens.
                    sessions += 1;
                    let session = format!("s-{sessions}");
                    c.handle_input(now, Input::Identity { user_id: Some("u"), session_id: Some(&session) });
                }
            }
            let open = c.lets_out();
            for o in outputs(&mut c) {
                match o {
                    Output::Post(p) => {
                        proptest::prop_assert!(open, "a request without consent");
                        // Counted when the collector takes it (a failed one goes again).
                        if !outage && keys.insert(p.key.clone()) {
                            sent += String::from_utf8_lossy(&p.body).matches("clicks_total").count();
                        }
                        let status = Some(if outage { 503 } else { 200 });
                        let answer = Input::Answer { request: p.request, status, retry_after: None };
                        c.handle_input(now, answer);
                        outputs(&mut c).iter().for_each(drop);
                    }
                    Output::Beacon { .. } | Output::Store { .. } => {
                        proptest::prop_assert!(open, "a beacon or a storage write without consent: {o:?}");
                    }
                    _ => {}
                }
            }
        }
        // Granted at last, the collector back and the browser online: what was kept goes, and
        // nothing twice.
        c.handle_input(now + 1.0, Input::Online(true));
        consent(&mut c, now + 1.0, "granted");
        for i in 0..20 {
            // (Past the 30 s flush interval, and any backoff.)
            c.handle_input(now + 2.0 + f64::from(i) * 4000.0, Input::Timeout);
            for o in outputs(&mut c) {
                if let Output::Post(p) = o {
                    if keys.insert(p.key.clone()) {
                        sent += String::from_utf8_lossy(&p.body).matches("clicks_total").count();
                    }
                    let answer = Input::Answer { request: p.request, status: Some(200), retry_after: None };
                    c.handle_input(now + 3.0 + f64::from(i) * 4000.0, answer);
                }
            }
        }
        if lost {
            proptest::prop_assert!(sent <= recorded);
        } else {
            proptest::prop_assert_eq!(sent, recorded);
        }
    }
}

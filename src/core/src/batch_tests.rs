//! Native unit tests of `src/batch.rs` (kept apart so that no test-only panic sits in module code).

use super::*;
use proptest::prelude::*;

fn queue(limits: Limits) -> Queue {
    Queue::new(b"{\"metrics\":[", limits)
}

fn push(q: &mut Queue, s: &str) -> Result<(), Drop> {
    q.push_with(|out| {
        out.extend_from_slice(s.as_bytes());
        true
    })
}

fn body(b: &Batch) -> &str {
    std::str::from_utf8(&b.body).unwrap()
}

#[test]
fn seals_pending_events_into_one_body() {
    let mut q = queue(Limits::default());
    push(&mut q, "{\"a\":1}").unwrap();
    push(&mut q, "{\"b\":2}").unwrap();
    assert_eq!(q.seal_all(|| "k1".into()), 1);
    assert_eq!(q.seal_all(|| "k2".into()), 0);
    let b = q.front().unwrap();
    assert_eq!(body(b), r#"{"metrics":[{"a":1},{"b":2}]}"#);
    assert_eq!((b.events(), b.key.as_str()), (2, "k1"));
    assert!(b.is_consistent(b"{\"metrics\":["));
    assert_eq!(q.len(), 2);
    q.pop_front();
    assert!(q.is_empty());
    assert_eq!(q.bytes(), 0);
}

#[test]
fn a_request_never_exceeds_max_request_bytes() {
    let limits = Limits {
        max_request_bytes: 40,
        ..Limits::default()
    };
    let mut q = queue(limits);
    for _ in 0..5 {
        push(&mut q, "{\"x\":12345}").unwrap(); // 11 bytes
    }
    let mut bodies = Vec::new();
    assert_eq!(q.seal_all(String::new), 3);
    while let Some(b) = q.pop_front() {
        assert!(b.body.len() <= 40, "{}", body(&b));
        bodies.push(b.events());
    }
    assert_eq!(bodies, vec![2, 2, 1]);
}

#[test]
fn bounds_drop_the_incoming_event_and_keep_the_rest() {
    let mut q = queue(Limits {
        max_events: 2,
        ..Limits::default()
    });
    push(&mut q, "1").unwrap();
    q.seal_all(|| "k".into());
    push(&mut q, "2").unwrap();
    assert_eq!(push(&mut q, "3"), Err(Drop::BufferEvents));
    assert_eq!(q.len(), 2);

    let mut q = queue(Limits {
        max_bytes: 10,
        ..Limits::default()
    });
    push(&mut q, "123456").unwrap();
    push(&mut q, "7890").unwrap();
    assert_eq!(push(&mut q, "2"), Err(Drop::BufferBytes));
    assert_eq!(q.bytes(), 10);

    let mut q = queue(Limits {
        max_event_bytes: 4,
        ..Limits::default()
    });
    assert_eq!(push(&mut q, "12345"), Err(Drop::TooLarge));
    assert_eq!((q.len(), q.bytes()), (0, 0));
    assert_eq!(
        q.push_with(|out| {
            out.push(b'x');
            false
        }),
        Err(Drop::Invalid)
    );
    assert_eq!((q.len(), q.bytes()), (0, 0));
}

#[test]
fn a_refused_batch_splits_into_halves_in_order() {
    let mut q = queue(Limits::default());
    for n in 1..=5 {
        push(&mut q, &format!("{{\"n\":{n}}}")).unwrap();
    }
    q.seal_all(|| "whole".into());
    assert!(q.split_front("a".into(), "b".into()));
    let a = q.pop_front().unwrap();
    let b = q.pop_front().unwrap();
    assert_eq!(body(&a), r#"{"metrics":[{"n":1},{"n":2}]}"#);
    assert_eq!(body(&b), r#"{"metrics":[{"n":3},{"n":4},{"n":5}]}"#);
    assert_eq!((a.key.as_str(), b.key.as_str()), ("a", "b"));
    assert!(q.is_empty() && q.bytes() == 0);

    push(&mut q, "{}").unwrap();
    q.seal_all(|| "one".into());
    assert!(!q.split_front("x".into(), "y".into()));
    assert_eq!(q.front().unwrap().key, "one");
}

#[test]
fn restored_batches_go_first_and_malformed_ones_are_refused() {
    let open: &[u8] = b"{\"metrics\":[";
    let mut q = queue(Limits::default());
    push(&mut q, "{\"new\":1}").unwrap();
    q.seal_all(|| "new".into());
    let old = Batch::build(open, "old".into(), [&b"{\"old\":1}"[..]].into_iter());
    let mut bad = old.clone();
    bad.lengths.push(3);
    assert_eq!(
        q.restore_front(vec![old, bad]),
        (1, 2),
        "the malformed one has two events"
    );
    assert_eq!(q.len(), 2);
    assert_eq!(q.pop_front().unwrap().key, "old");
    assert_eq!(q.pop_front().unwrap().key, "new");
}

#[test]
fn a_batch_is_removed_by_key_wherever_it_stands() {
    let mut q = queue(Limits::default());
    for k in ["a", "b", "c"] {
        push(&mut q, "{}").unwrap();
        q.seal_all(|| k.into());
    }
    assert!(q.remove_key("b"));
    assert!(!q.remove_key("b"));
    assert_eq!(
        q.sealed()
            .iter()
            .map(|b| b.key.as_str())
            .collect::<Vec<_>>(),
        ["a", "c"]
    );
    assert_eq!((q.len(), q.bytes()), (2, 4));
}

#[test]
fn drop_reasons_index_their_counters() {
    for (i, d) in Drop::ALL.iter().enumerate() {
        assert_eq!(d.index(), i);
    }
}

#[derive(Clone, Debug)]
enum Step {
    Push(u8),
    Seal,
    /// An attempt of the front batch, answered with this status (`None`: no answer).
    Attempt(Option<u16>),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (1u8..40).prop_map(Step::Push),
        2 => Just(Step::Seal),
        3 => proptest::sample::select(vec![Some(200), Some(204), Some(503), Some(429), None, Some(413), Some(400)])
            .prop_map(Step::Attempt),
    ]
}

proptest! {
    /// Whatever sequence of pushes, seals and send outcomes (successes, retryable failures,
    /// 413s, refusals): every admitted event is delivered exactly once and in order, or
    /// counted as dropped; no body exceeds the request limit; the bounds hold throughout.
    #[test]
    fn no_outcome_loses_or_duplicates_an_admitted_event(steps in proptest::collection::vec(step(), 1..400)) {
        let limits = Limits { max_events: 20, max_bytes: 300, max_event_bytes: 30, max_request_bytes: 100 };
        let max_attempts = 3;
        let mut q = queue(limits.clone());
        let mut admitted = Vec::new();
        let mut delivered = Vec::new();
        let mut dropped = Vec::new();
        let mut next = 0u32;
        let mut keys = 0u32;
        let mut attempt = |q: &mut Queue, status: Option<u16>, delivered: &mut Vec<u32>, dropped: &mut Vec<u32>| {
            let Some(front) = q.front_mut() else { return };
            front.attempts += 1;
            let numbers_in_front = numbers(&front.body);
            assert!(front.body.len() <= 100, "{}", body(front));
            let settled = q.settle_front(crate::retry::classify(status), max_attempts, || { keys += 1; format!("s{keys}") });
            match settled {
                Some(Settled::Delivered) => delivered.extend(numbers_in_front),
                Some(Settled::Dropped(_, n)) => {
                    assert_eq!(n, numbers_in_front.len());
                    dropped.extend(numbers_in_front);
                }
                Some(Settled::Split) | Some(Settled::Retry) | None => {}
            }
        };
        for s in &steps {
            match *s {
                Step::Push(pad) => {
                    next += 1;
                    let ev = format!("{{\"n\":{next},\"p\":\"{}\"}}", "x".repeat(pad as usize));
                    if push(&mut q, &ev).is_ok() { admitted.push(next); }
                }
                Step::Seal => { q.seal_all(|| format!("k{next}")); }
                Step::Attempt(status) => attempt(&mut q, status, &mut delivered, &mut dropped),
            }
            prop_assert!(q.len() <= limits.max_events);
            prop_assert!(q.bytes() <= limits.max_bytes);
        }
        // The collector comes back: everything still held goes through.
        q.seal_all(String::new);
        while q.front().is_some() { attempt(&mut q, Some(200), &mut delivered, &mut dropped); }
        let mut accounted: Vec<u32> = delivered.iter().chain(&dropped).copied().collect();
        accounted.sort_unstable();
        prop_assert_eq!(&accounted, &admitted, "each admitted event delivered or counted, once");
        prop_assert!(delivered.windows(2).all(|w| w[0] < w[1]), "delivered in order: {:?}", delivered);
    }
}

/// The `"n"` of each event in a body.
fn numbers(body: &[u8]) -> Vec<u32> {
    let s = std::str::from_utf8(body).unwrap();
    assert!(s.starts_with("{\"metrics\":[") && s.ends_with("]}"), "{s}");
    s.split("{\"n\":")
        .skip(1)
        .map(|part| part.split(',').next().unwrap().parse().unwrap())
        .collect()
}

//! Native unit tests of `src/error_gate.rs` (kept apart so that no test-only panic sits in module code).

use super::*;
use proptest::prelude::*;

#[test]
fn a_repeat_within_five_seconds_is_only_counted() {
    let mut g = Gate::new();
    assert_eq!(g.decide("a".into(), 1000.0), Decision::Report);
    assert_eq!(g.decide("a".into(), 5999.0), Decision::Repeat);
    assert_eq!(g.decide("b".into(), 5999.0), Decision::Report);
    assert_eq!(g.decide("a".into(), 6000.0), Decision::Report);
    assert_eq!(g.decide("a".into(), 6001.0), Decision::Repeat);
}

#[test]
fn a_hundred_reports_a_minute_then_one_notice() {
    let mut g = Gate::new();
    for i in 0..100 {
        assert_eq!(g.decide(format!("e{i}"), 10.0), Decision::Report);
    }
    assert_eq!(
        g.decide("x".into(), 20.0),
        Decision::Limited { notice: true }
    );
    assert_eq!(
        g.decide("y".into(), 30.0),
        Decision::Limited { notice: false }
    );
    assert_eq!(
        g.decide("z".into(), 60_010.0),
        Decision::Report,
        "a new minute"
    );
    assert_eq!(g.decide("w".into(), 60_011.0), Decision::Report);
}

#[test]
fn counts_add_up_per_label_set_and_are_taken_once_sent() {
    let mut g = Gate::new();
    g.count("TypeError", "global");
    g.count("TypeError", "global");
    g.count("Error", "promise");
    assert_eq!(
        g.counts(),
        &vec![
            (("TypeError".into(), "global"), 2),
            (("Error".into(), "promise"), 1)
        ]
    );
    let mut offered = vec![];
    g.report_counts(|t, c, n| {
        offered.push((t.to_string(), c.to_string(), n));
        t == "TypeError"
    });
    assert_eq!(
        offered,
        [
            ("TypeError".into(), "global".into(), 2),
            ("Error".into(), "promise".into(), 1)
        ]
    );
    assert_eq!(g.counts(), &vec![(("Error".into(), "promise"), 1)]);
    for i in 0..200 {
        g.count(&format!("T{i}"), "global");
    }
    assert_eq!(g.counts().len(), MAX_COUNTERS + 1);
    let total: u64 = g.counts().iter().map(|(_, n)| n).sum();
    assert_eq!(total, 201);
}

#[test]
fn stacks_are_cut_to_fifty_frames_and_their_top_frame_found() {
    let chromium: String = std::iter::once("TypeError: boom\n  second line".to_string())
        .chain((0..80).map(|i| format!("    at f{i} (https://x/app.js:{i}:1)")))
        .collect::<Vec<_>>()
        .join("\n");
    let cut = truncate_stack(&chromium, 50);
    assert_eq!(cut.lines().count(), 52);
    assert!(cut.ends_with("at f49 (https://x/app.js:49:1)"));
    assert_eq!(top_frame(&chromium), "at f0 (https://x/app.js:0:1)");
    let firefox = "f@https://x/app.js:1:2\ng@https://x/app.js:3:4\n";
    assert_eq!(top_frame(firefox), "f@https://x/app.js:1:2");
    assert_eq!(truncate_stack(firefox, 1), "f@https://x/app.js:1:2");
    assert_eq!(top_frame("no frames"), "");
}

#[test]
fn bounded_cuts_on_characters() {
    assert_eq!(bounded("héllo", 2), "hé");
    assert_eq!(bounded("abc", 10), "abc");
}

proptest! {
    /// Whatever the sequence of errors and times: never more than 100 reports in any one
    /// minute window, and never two reports of one fingerprint less than 5 s apart.
    #[test]
    fn reports_stay_within_the_limits(events in proptest::collection::vec((0u8..150, 0u32..200), 1..600)) {
        let mut g = Gate::new();
        let mut now = 0.0;
        let mut last: std::collections::HashMap<u8, f64> = Default::default();
        let mut reports_in_window = 0;
        let mut window = 0.0;
        for (fp, step) in events {
            now += f64::from(step);
            if now - window >= 60_000.0 { window = now; reports_in_window = 0; }
            if g.decide(fp.to_string(), now) == Decision::Report {
                reports_in_window += 1;
                if let Some(t) = last.insert(fp, now) { prop_assert!(now - t >= REPEAT_WINDOW_MS); }
            }
            prop_assert!(reports_in_window <= REPORTS_PER_MINUTE);
        }
    }
}

/// `top_frame` as it was written with std's `lines` and `trim`: the byte-level version must
/// agree with it on any stack of ASCII text (browsers write stacks with ASCII whitespace).
fn top_frame_std(stack: &str) -> &str {
    stack
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("at ") || l.contains('@'))
        .unwrap_or("")
}

/// `truncate_stack` as it was written with std's `split_inclusive` and `trim_end_matches`.
fn truncate_stack_std(stack: &str, max_frames: usize) -> &str {
    let mut frames = 0;
    let mut end = 0;
    for line in stack.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("at ") || t.contains('@') {
            if frames == max_frames {
                break;
            }
            frames += 1;
        }
        end += line.len();
    }
    stack.get(..end).unwrap_or(stack).trim_end_matches('\n')
}

proptest! {
    #[test]
    fn stack_reading_agrees_with_the_std_version(
        lines in proptest::collection::vec("[ \t]{0,2}(at |[a-z]{0,3}@)?[a-z:.()0-9 ]{0,8}\r?", 0..12),
        trailing in proptest::bool::ANY,
        max in 0usize..6,
    ) {
        let mut stack = lines.join("\n");
        if trailing {
            stack.push('\n');
        }
        prop_assert_eq!(top_frame(&stack), top_frame_std(&stack));
        prop_assert_eq!(truncate_stack(&stack, max), truncate_stack_std(&stack, max));
    }
}

#[test]
fn the_fingerprint_reported_longest_ago_is_forgotten_first() {
    let mut g = Gate::new();
    // Spread over minutes so that the rate limit never applies.
    let at = |i: usize| i as f64 * 1_000.0;
    for i in 0..MAX_SEEN {
        assert_eq!(g.decide(format!("f{i}"), at(i)), Decision::Report);
    }
    // f0 is reported again (after its window): now f1 is the one reported longest ago.
    let t = at(MAX_SEEN);
    assert_eq!(g.decide("f0".into(), t), Decision::Report);
    assert_eq!(g.decide("new".into(), t + 1.0), Decision::Report);
    // f0 and the newcomer are remembered (repeats within 5 s); f1 was forgotten, so it is
    // reported again.
    assert_eq!(g.decide("f0".into(), t + 2.0), Decision::Repeat);
    assert_eq!(g.decide("new".into(), t + 3.0), Decision::Repeat);
    assert_eq!(g.decide("f1".into(), t + 4.0), Decision::Report);
}

#[test]
fn a_clock_set_back_does_not_change_which_fingerprint_is_forgotten() {
    let mut g = Gate::new();
    let base = 10_000_000.0;
    for i in 0..MAX_SEEN {
        assert_eq!(
            g.decide(format!("f{i}"), base + i as f64 * 1_000.0),
            Decision::Report
        );
    }
    // The clock goes back an hour: the newcomers are still the most recent reports, so they
    // push out the earliest fingerprints, not each other.
    let t = base - 3_600_000.0;
    assert_eq!(g.decide("A".into(), t), Decision::Report);
    assert_eq!(g.decide("B".into(), t + 10.0), Decision::Report);
    assert_eq!(g.decide("A".into(), t + 20.0), Decision::Repeat);
    assert_eq!(g.decide("B".into(), t + 30.0), Decision::Repeat);
}

#[test]
fn a_stack_keeps_its_frames_each_line_cut_to_the_bound() {
    // Chromium's first line repeats the message; a minified bundle's frame can be very long.
    let stack = format!(
        "TypeError: {}\n    at {} (https://x/app.js:1:2)\n    at g (https://x/app.js:3:4)",
        "m".repeat(30),
        "f".repeat(40)
    );
    let cut = bound_stack(&stack, 50, 20);
    let lines: Vec<&str> = cut.split('\n').collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
    assert_eq!(lines[0], "TypeError: mmmmmmmmm");
    assert_eq!(lines[1], format!("    at {}", "f".repeat(13)));
    assert_eq!(lines[2], "    at g (https://x/");
    // Within the bound, the stack is the one truncate_stack keeps, not a copy.
    let short = "Error: x\n    at g (a.js:1:2)";
    assert!(matches!(bound_stack(short, 50, 1000), Cow::Borrowed(s) if s == short));
    // The frame limit still applies first; characters, not bytes, are counted.
    assert_eq!(
        bound_stack("E: ééé\n    at a (x:1:1)\n    at b (x:1:1)", 1, 4),
        "E: é\n    "
    );
}

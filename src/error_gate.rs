//! Which captured errors are reported, and how the rest are counted.
//!
//! An error storm must neither flood the collector nor freeze the page, and yet the counts must
//! stay exact. So every error is counted, but only some are *reported* (a log entry and a
//! `frontend_errors_total` event of its own):
//! - the same error (type, message, top frame) within 5 s of its last report is a repeat;
//! - at most 100 reports a minute; past that, one "rate limited" notice until the minute ends.
//!
//! Errors that are not reported are added to per-label counters that the client turns into
//! `frontend_errors_total` events with their summed value at the next flush.

/// A repeat of a reported error within this long is only counted.
pub const REPEAT_WINDOW_MS: f64 = 5_000.0;
/// Reports allowed per minute.
pub const REPORTS_PER_MINUTE: u32 = 100;
const MINUTE_MS: f64 = 60_000.0;
/// Fingerprints remembered (the oldest is forgotten first).
const MAX_SEEN: usize = 256;
/// Distinct label sets counted between two flushes; beyond it, counts go to an `other` type.
const MAX_COUNTERS: usize = 64;

/// What to do with one captured error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Report it: a log entry and its own metric event.
    Report,
    /// Count it only: it repeats an error reported less than 5 s ago.
    Repeat,
    /// Count it only: the minute's reports are used up. `notice` is true for the first such
    /// error of the minute, which should send one "rate limited" notice.
    Limited { notice: bool },
}

/// Counts waiting to be sent, by `(error_type, component)`.
pub type Counts = Vec<((String, String), u64)>;

#[derive(Debug, Default)]
pub struct Gate {
    /// (fingerprint, time of its last report), oldest first.
    seen: Vec<(String, f64)>,
    minute_start: f64,
    reports: u32,
    noticed: bool,
    counts: Counts,
}

impl Gate {
    pub fn new() -> Self {
        Gate::default()
    }

    /// Decides for an error with this fingerprint, captured at `now` (epoch ms).
    pub fn decide(&mut self, fingerprint: &str, now: f64) -> Decision {
        if now - self.minute_start >= MINUTE_MS || now < self.minute_start {
            self.minute_start = now;
            self.reports = 0;
            self.noticed = false;
        }
        let last = self.seen.iter().position(|(f, _)| f == fingerprint);
        if let Some(i) = last {
            if self
                .seen
                .get(i)
                .is_some_and(|(_, at)| now - at < REPEAT_WINDOW_MS && now >= *at)
            {
                return Decision::Repeat;
            }
        }
        if self.reports >= REPORTS_PER_MINUTE {
            let notice = !self.noticed;
            self.noticed = true;
            return Decision::Limited { notice };
        }
        self.reports += 1;
        if let Some(i) = last {
            self.seen.remove(i);
        } else if self.seen.len() >= MAX_SEEN {
            self.seen.remove(0);
        }
        self.seen.push((fingerprint.into(), now));
        Decision::Report
    }

    /// Counts one error that was not reported.
    pub fn count(&mut self, error_type: &str, component: &str) {
        if let Some((_, n)) = self
            .counts
            .iter_mut()
            .find(|((t, c), _)| t == error_type && c == component)
        {
            *n += 1;
            return;
        }
        let error_type = if self.counts.len() >= MAX_COUNTERS {
            "other"
        } else {
            error_type
        };
        match self
            .counts
            .iter_mut()
            .find(|((t, c), _)| t == error_type && c == component)
        {
            Some((_, n)) => *n += 1,
            None => self.counts.push(((error_type.into(), component.into()), 1)),
        }
    }

    /// The counts waiting; take them with [`Gate::take_counts`] once they are sent.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Removes `n` from the counter of `(error_type, component)` (after it was reported).
    pub fn take_counts(&mut self, error_type: &str, component: &str, n: u64) {
        self.counts.retain_mut(|((t, c), count)| {
            if t == error_type && c == component {
                *count = count.saturating_sub(n);
            }
            *count > 0
        });
    }
}

/// The fingerprint of an error: its type, its message and where it was thrown.
pub fn fingerprint(name: &str, message: &str, top_frame: &str) -> String {
    let mut f = String::with_capacity(name.len() + message.len() + top_frame.len() + 2);
    f.push_str(name);
    f.push('\n');
    f.push_str(message);
    f.push('\n');
    f.push_str(top_frame);
    f
}

/// The first frame of a stack trace (`    at f (a.js:1:2)` in Chromium, `f@a.js:1:2` in
/// Firefox and Safari), trimmed; empty when there is none.
pub fn top_frame(stack: &str) -> &str {
    stack
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("at ") || l.contains('@'))
        .unwrap_or("")
}

/// The stack with at most `max_frames` frames: what comes before the first frame (the
/// message lines, in Chromium) is kept whole.
pub fn truncate_stack(stack: &str, max_frames: usize) -> &str {
    let mut frames = 0;
    let mut end = 0;
    for line in stack.split_inclusive('\n') {
        let t = line.trim();
        let is_frame = t.starts_with("at ") || t.contains('@');
        if is_frame {
            if frames == max_frames {
                break;
            }
            frames += 1;
        }
        end += line.len();
    }
    stack.get(..end).unwrap_or(stack).trim_end_matches('\n')
}

/// At most `max_chars` characters of `s` (on a character boundary).
pub fn bounded(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_repeat_within_five_seconds_is_only_counted() {
        let mut g = Gate::new();
        assert_eq!(g.decide("a", 1000.0), Decision::Report);
        assert_eq!(g.decide("a", 5999.0), Decision::Repeat);
        assert_eq!(g.decide("b", 5999.0), Decision::Report);
        assert_eq!(g.decide("a", 6000.0), Decision::Report);
        assert_eq!(g.decide("a", 6001.0), Decision::Repeat);
    }

    #[test]
    fn a_hundred_reports_a_minute_then_one_notice() {
        let mut g = Gate::new();
        for i in 0..100 {
            assert_eq!(g.decide(&format!("e{i}"), 10.0), Decision::Report);
        }
        assert_eq!(g.decide("x", 20.0), Decision::Limited { notice: true });
        assert_eq!(g.decide("y", 30.0), Decision::Limited { notice: false });
        assert_eq!(g.decide("z", 60_010.0), Decision::Report, "a new minute");
        assert_eq!(g.decide("w", 60_011.0), Decision::Report);
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
                (("TypeError".into(), "global".into()), 2),
                (("Error".into(), "promise".into()), 1)
            ]
        );
        g.take_counts("TypeError", "global", 2);
        assert_eq!(g.counts(), &vec![(("Error".into(), "promise".into()), 1)]);
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
                if g.decide(&fp.to_string(), now) == Decision::Report {
                    reports_in_window += 1;
                    if let Some(t) = last.insert(fp, now) { prop_assert!(now - t >= REPEAT_WINDOW_MS); }
                }
                prop_assert!(reports_in_window <= REPORTS_PER_MINUTE);
            }
        }
    }
}

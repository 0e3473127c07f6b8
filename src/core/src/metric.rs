//! Metric events: the series table and the seed's `{name, value, labels, timestamp}` encoding.
//!
//! A series is a metric name with one set of labels. The JavaScript side names each series once
//! (name and labels as JSON), gets a small number back, and from then on records an event as
//! three numbers: series, value, timestamp. Here every series keeps its JSON already written
//! around the two numbers that change, so encoding an event is two copies and two numbers.

use alloc::vec::Vec;

use crate::json::{self, NumberFallback};

/// One series: the encoded text before the value and between value and timestamp.
struct Series {
    /// `{"name":"…","value":`
    head: Vec<u8>,
    /// `,"labels":{…},"timestamp":` (or without labels, `,"timestamp":`)
    middle: Vec<u8>,
}

/// The series named so far. Bounded: when full it starts again from empty and says so, and
/// the JavaScript side forgets its ids too (high-cardinality labels must not grow memory).
pub struct SeriesTable {
    series: Vec<Series>,
    max: usize,
}

/// Set in a series id when the table was emptied before that series was added.
pub const RESET_FLAG: u32 = 0x8000_0000;

impl SeriesTable {
    pub fn new(max: usize) -> Self {
        SeriesTable {
            series: Vec::new(),
            max: max.max(1),
        }
    }

    /// Adds a series and returns its id, with [`RESET_FLAG`] set when earlier ids were
    /// forgotten to make room. `labels_json` is the labels object as JSON text (already
    /// normalized by the caller), or `None` for a metric without labels, which the seed
    /// encodes with no `labels` field at all.
    pub fn add(&mut self, name: &str, labels_json: Option<&str>) -> u32 {
        let mut flag = 0;
        if self.series.len() >= self.max {
            self.series.clear();
            flag = RESET_FLAG;
        }
        let mut head = Vec::with_capacity(name.len() + 20);
        head.extend_from_slice(b"{\"name\":");
        json::write_str(&mut head, name);
        head.extend_from_slice(b",\"value\":");
        let mut middle = Vec::new();
        if let Some(labels) = labels_json {
            middle.extend_from_slice(b",\"labels\":");
            middle.extend_from_slice(labels.as_bytes());
        }
        middle.extend_from_slice(b",\"timestamp\":");
        self.series.push(Series { head, middle });
        (self.series.len() as u32 - 1) | flag
    }

    /// Appends one event of series `id` to `out`. Returns `false`, writing nothing, for an
    /// unknown id or a value that JSON cannot carry (NaN, ±Infinity).
    pub fn encode(
        &self,
        out: &mut Vec<u8>,
        id: u32,
        value: f64,
        timestamp: f64,
        fmt: NumberFallback,
    ) -> bool {
        let Some(s) = self.series.get(id as usize) else {
            return false;
        };
        if !value.is_finite() || !timestamp.is_finite() {
            return false;
        }
        out.extend_from_slice(&s.head);
        json::write_f64(out, value, fmt);
        out.extend_from_slice(&s.middle);
        json::write_f64(out, timestamp, fmt);
        out.push(b'}');
        true
    }

    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "metric_tests.rs"]
mod tests;

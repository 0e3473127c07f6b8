//! Metric events: the series table, and each event written as the seed's `Metric` record.
//!
//! A series is a metric name with one set of labels. The JavaScript side names each series once
//! (name, and labels as the JSON text `JSON.stringify` gave it), gets a small number back, and
//! from then on records an event as three numbers: series, value, timestamp.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::json::{self, NumberFallback};
use crate::wire::{self, JsonText};

/// One series: its name, and its labels as JSON text (`None`: no labels, and the seed writes
/// no `labels` field at all).
struct Series {
    name: String,
    labels: Option<String>,
    /// The labels as OTLP attributes (JSON text), `[]` until set.
    #[cfg(feature = "otlp")]
    attributes: Vec<u8>,
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
    /// forgotten to make room. `labels_json` is the labels object as the JSON text
    /// `JSON.stringify` wrote (copied into every event as it is), or `None` for a metric
    /// without labels.
    pub fn add(&mut self, name: &str, labels_json: Option<&str>) -> u32 {
        let mut flag = 0;
        if self.series.len() >= self.max {
            self.series.clear();
            flag = RESET_FLAG;
        }
        self.series.push(Series {
            name: name.to_string(),
            labels: labels_json.map(String::from),
            #[cfg(feature = "otlp")]
            attributes: Vec::from(*b"[]"),
        });
        (self.series.len() as u32 - 1) | flag
    }

    /// Appends one event of series `id` to `out`. Returns `false` for an unknown id or a value
    /// that JSON cannot carry (NaN, ±Infinity).
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
        let record = wire::Metric {
            name: &s.name,
            value,
            labels: s.labels.as_deref().map(JsonText),
            timestamp,
        };
        json::write(out, &record, fmt)
    }

    /// Sets the OTLP attributes of series `id` from its labels.
    #[cfg(feature = "otlp")]
    pub fn set_attributes(
        &mut self,
        id: u32,
        labels: &[(String, crate::otlp::Value)],
        number: NumberFallback,
    ) {
        let Some(s) = self.series.get_mut((id & !RESET_FLAG) as usize) else {
            return;
        };
        let mut out = Vec::new();
        if crate::otlp::write_metric_attributes(&mut out, labels, number) {
            s.attributes = out;
        }
    }

    /// Appends one event of series `id` in the OTLP streams' form (`otlp::encode_metric`).
    #[cfg(feature = "otlp")]
    pub fn encode_otlp(
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
        crate::otlp::encode_metric(out, &s.name, &s.attributes, value, timestamp, fmt)
    }

    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}

/// Appends a metric the client makes itself, with its labels as JSON text. `false` for a
/// value JSON cannot carry.
pub(crate) fn encode_own(
    out: &mut Vec<u8>,
    name: &str,
    value: f64,
    labels_json: &str,
    now: f64,
    number: NumberFallback,
) -> bool {
    if !value.is_finite() {
        return false;
    }
    let record = wire::Metric {
        name,
        value,
        labels: Some(JsonText(labels_json)),
        timestamp: now,
    };
    json::write(out, &record, number)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "metric_tests.rs"]
mod tests;

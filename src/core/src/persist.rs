//! The text form of what a page keeps in `localStorage` for the next page load of the origin:
//! batches it could not send, and the loss and retry counts it could not report.
//!
//! ```text
//! rt1
//! m <key> <len>,<len>,… <body bytes>
//! <body>
//! l <key> …
//! c m <invalid>,<too large>,<buffer events>,<buffer bytes>,<rejected>,<retries exhausted>,<retries>
//! c l …
//! ```
//! One header line per batch (stream, idempotency key, event lengths, body length), then the
//! body itself. Lengths make the format immune to whatever the bodies contain; anything that
//! does not parse ends the reading (what came before it is kept).
//!
//! Then at most one counters line per stream (`c`, the stream, and its counts: the events lost
//! by reason in the order of [`Drop::ALL`], then the retries), for the streams with a count to
//! pass on, the events of batches left out for lack of room included (as
//! [`Drop::BufferBytes`]). The counters come last so that a reader of the format before them
//! (which stops at the first line it cannot read) still takes every batch; and text without
//! them is text of this format, so the magic stays `rt1`. A counters line is read wherever it
//! stands; one that does not parse (another number of counts, a number too large) is skipped,
//! and the reading goes on.
//!
//! The OTLP entry's streams write their batches as `M` (metrics) and `L` (logs) lines, whose
//! header has three more fields: the bits of the batch's span (start, end) and the length of
//! its resource, which comes first in the body bytes (`otlp::Sealed`). A batch line of a stream
//! the reader does not know (the main entry reading the OTLP entry's copy) is skipped by its
//! length, and the reading goes on: what the reader can send, it takes.

use alloc::string::String;
use alloc::vec::Vec;

use crate::batch::{Batch, Drop};
use crate::json;
use crate::stream::{Counters, Kind};
use crate::text;

/// Every storage key of ours starts with this.
pub const STORAGE_PREFIX: &str = "recoloca-telemetry:batches:";

/// A fresh storage key for what one page keeps.
pub(crate) fn page_key(random: &mut crate::random::Random) -> String {
    let mut k = String::from(STORAGE_PREFIX);
    k.push_str(&random.uuid());
    k
}

const MAGIC: &str = "rt1\n";

/// A stream's one-letter tag in the text.
fn tag(kind: Kind) -> u8 {
    match kind {
        Kind::Metrics => b'm',
        Kind::Logs => b'l',
        #[cfg(feature = "otlp")]
        Kind::OtlpMetrics => b'M',
        #[cfg(feature = "otlp")]
        Kind::OtlpLogs => b'L',
        #[cfg(feature = "traces")]
        Kind::OtlpTraces => b'T',
    }
}

fn from_tag(tag: &str) -> Option<Kind> {
    match tag {
        "m" => Some(Kind::Metrics),
        "l" => Some(Kind::Logs),
        #[cfg(feature = "otlp")]
        "M" => Some(Kind::OtlpMetrics),
        #[cfg(feature = "otlp")]
        "L" => Some(Kind::OtlpLogs),
        #[cfg(feature = "traces")]
        "T" => Some(Kind::OtlpTraces),
        _ => None,
    }
}

/// Writes `batches` in order, stopping before the first that would take the text over
/// `max_bytes`, then the `counters` of each stream (metrics, logs) that has any. The events of
/// every batch left out are added to its stream's counters as [`Drop::BufferBytes`]; when the
/// counters lines do not fit either, the newest batches written make room for them (and are
/// counted so), so that every event of `batches` is either in the text or counted in it.
/// Only when not even the counters fit alone are they left out. Returns the text (UTF-8) and
/// how many batches it holds.
pub fn encode<'a>(
    batches: impl Iterator<Item = (Kind, &'a Batch)>,
    mut counters: [Counters; Kind::COUNT],
    max_bytes: usize,
) -> (Vec<u8>, usize) {
    let mut out = Vec::from(MAGIC.as_bytes());
    // Where each batch written starts, its stream and its events: to take it back out.
    let mut written: Vec<(usize, Kind, usize)> = Vec::new();
    let mut full = false;
    for (stream, b) in batches {
        let start = out.len();
        if !full {
            write_batch(&mut out, stream, b);
            full = out.len() > max_bytes;
        }
        if full {
            out.truncate(start);
            left_out(&mut counters, stream, b.events());
        } else {
            written.push((start, stream, b.events()));
        }
    }
    let end = loop {
        let end = out.len();
        for stream in Kind::ALL {
            if let Some(c) = counters.get(stream as usize).filter(|c| !c.is_zero()) {
                write_counters(&mut out, stream, c);
            }
        }
        if out.len() <= max_bytes {
            break out.len();
        }
        let Some((start, stream, events)) = written.pop() else {
            break end;
        };
        out.truncate(start);
        left_out(&mut counters, stream, events);
    };
    out.truncate(end);
    (out, written.len())
}

/// Counts the events of a batch left out of the text.
fn left_out(counters: &mut [Counters; Kind::COUNT], stream: Kind, events: usize) {
    if let Some(c) = counters.get_mut(stream as usize) {
        c.count_drop(Drop::BufferBytes, events);
    }
}

fn write_batch(out: &mut Vec<u8>, stream: Kind, b: &Batch) {
    out.push(tag(stream));
    out.push(b' ');
    out.extend_from_slice(b.key.as_bytes());
    out.push(b' ');
    for (i, len) in b.lengths.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json::write_u64(out, u64::from(*len));
    }
    out.push(b' ');
    #[cfg(feature = "otlp")]
    if stream.is_otlp() {
        let s = &b.otlp;
        json::write_u64(out, (s.resource.len() + b.body.len()) as u64);
        for n in [s.start.to_bits(), s.end.to_bits(), s.resource.len() as u64] {
            out.push(b' ');
            json::write_u64(out, n);
        }
        out.push(b'\n');
        out.extend_from_slice(&s.resource);
        out.extend_from_slice(&b.body);
        out.push(b'\n');
        return;
    }
    json::write_u64(out, b.body.len() as u64);
    out.push(b'\n');
    out.extend_from_slice(&b.body);
    out.push(b'\n');
}

fn write_counters(out: &mut Vec<u8>, stream: Kind, c: &Counters) {
    out.extend_from_slice(b"c ");
    out.push(tag(stream));
    out.push(b' ');
    for (i, n) in c.dropped.iter().chain([&c.retries]).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json::write_u64(out, *n);
    }
    out.push(b'\n');
}

/// Reads what [`encode`] wrote, handing each batch to `found` in order, and returns the
/// counters of each stream (metrics, logs; zero where the text has none). Malformed text
/// yields what parsed before the fault. A callback rather than a returned `Vec`: the caller
/// sorts the batches into its own lists, with no list of pairs to build, empty and drop
/// between.
pub fn decode(text: &str, mut found: impl FnMut(Kind, Batch)) -> [Counters; Kind::COUNT] {
    decode_into(text, &mut found)
}

/// [`decode`], once in the module whatever its callers pass.
fn decode_into(text: &str, found: &mut dyn FnMut(Kind, Batch)) -> [Counters; Kind::COUNT] {
    let mut counters = [Counters::default(); Kind::COUNT];
    if !text.as_bytes().starts_with(MAGIC.as_bytes()) {
        return counters;
    }
    let Some(mut rest) = text.get(MAGIC.len()..) else {
        return counters;
    };
    while let Some((header, after)) = text::split_once(rest, b'\n') {
        let tag = text::split(header, b' ').next();
        if tag == Some("c") {
            if let Some((stream, c)) = read_counters(header.get(2..).unwrap_or_default()) {
                if let Some(sum) = counters.get_mut(stream as usize) {
                    sum.add(&c);
                }
            }
            rest = after;
            continue;
        }
        let Some((stream, batch, remaining)) = read_one(header, after) else {
            break;
        };
        if let Some(stream) = stream {
            found(stream, batch);
        }
        rest = remaining;
    }
    counters
}

/// A counters line after its `c `: the stream, then exactly one count per reason and the
/// retries.
fn read_counters(fields: &str) -> Option<(Kind, Counters)> {
    let (stream, counts) = text::split_once(fields, b' ')?;
    let stream = from_tag(stream)?;
    let mut c = Counters::default();
    let mut numbers = text::split(counts, b',');
    for slot in c.dropped.iter_mut().chain([&mut c.retries]) {
        *slot = text::number(numbers.next()?)?;
    }
    numbers.next().is_none().then_some((stream, c))
}

/// A batch line and its body: the batch, and its stream (`None`: a stream this build does not
/// know, whose line is only skipped).
fn read_one<'a>(header: &str, after: &'a str) -> Option<(Option<Kind>, Batch, &'a str)> {
    let mut fields = text::split(header, b' ');
    let stream = from_tag(fields.next()?);
    let key = fields.next()?;
    let mut lengths = Vec::new();
    for l in text::split(fields.next()?, b',') {
        lengths.push(text::number_u32(l)?);
    }
    let body_len = text::number_u32(fields.next()?)? as usize;
    let body = after.get(..body_len)?;
    let remaining = after.get(body_len..)?;
    if remaining.as_bytes().first() != Some(&b'\n') {
        return None;
    }
    let remaining = remaining.get(1..)?;
    #[cfg(feature = "otlp")]
    let (body, otlp) = match stream {
        Some(kind) if kind.is_otlp() => {
            let mut n = || text::number_u64(fields.next()?.as_bytes());
            let (start, end, resource_len) = (n()?, n()?, n()? as usize);
            let (resource, body) = body.split_at_checked(resource_len)?;
            let otlp = crate::otlp::Sealed {
                resource: resource.as_bytes().to_vec(),
                start: f64::from_bits(start),
                end: f64::from_bits(end),
            };
            (body, otlp)
        }
        _ => (body, Default::default()),
    };
    let batch = Batch {
        key: key.into(),
        body: body.as_bytes().to_vec(),
        lengths,
        attempts: 0,
        #[cfg(feature = "otlp")]
        otlp,
    };
    Some((stream, batch, remaining))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "persist_tests.rs"]
mod tests;

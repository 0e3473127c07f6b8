//! The text form of batches kept in `localStorage` across page loads.
//!
//! ```text
//! rt1
//! m <key> <len>,<len>,… <body bytes>
//! <body>
//! l <key> …
//! ```
//! One header line per batch (stream, idempotency key, event lengths, body length), then the
//! body itself. Lengths make the format immune to whatever the bodies contain; anything that
//! does not parse ends the reading (what came before it is kept).

use alloc::vec::Vec;

use crate::batch::Batch;
use crate::json;
use crate::text;

const MAGIC: &str = "rt1\n";

/// Which stream a persisted batch belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Metrics,
    Logs,
}

/// Writes `batches` in order, stopping before the first that would take the text over
/// `max_bytes`. Returns the text (UTF-8) and how many batches it holds.
pub fn encode<'a>(
    batches: impl Iterator<Item = (Stream, &'a Batch)>,
    max_bytes: usize,
) -> (Vec<u8>, usize) {
    let mut out = Vec::from(MAGIC.as_bytes());
    let mut n = 0;
    for (stream, b) in batches {
        let start = out.len();
        out.push(match stream {
            Stream::Metrics => b'm',
            Stream::Logs => b'l',
        });
        out.push(b' ');
        out.extend_from_slice(b.key.as_bytes());
        out.push(b' ');
        for (i, len) in b.lengths.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::write_u64(&mut out, u64::from(*len));
        }
        out.push(b' ');
        json::write_u64(&mut out, b.body.len() as u64);
        out.push(b'\n');
        out.extend_from_slice(&b.body);
        out.push(b'\n');
        if out.len() > max_bytes {
            out.truncate(start);
            break;
        }
        n += 1;
    }
    (out, n)
}

/// Reads what [`encode`] wrote, handing each batch to `found` in order. Malformed text yields
/// what parsed before the fault. A callback rather than a returned `Vec`: the caller sorts
/// the batches into its own lists, with no list of pairs to build, empty and drop between.
pub fn decode(text: &str, mut found: impl FnMut(Stream, Batch)) {
    if !text.as_bytes().starts_with(MAGIC.as_bytes()) {
        return;
    }
    let Some(mut rest) = text.get(MAGIC.len()..) else {
        return;
    };
    while let Some((header, after)) = text::split_once(rest, b'\n') {
        let Some((stream, batch, remaining)) = read_one(header, after) else {
            break;
        };
        found(stream, batch);
        rest = remaining;
    }
}

fn read_one<'a>(header: &str, after: &'a str) -> Option<(Stream, Batch, &'a str)> {
    let mut fields = text::split(header, b' ');
    let stream = match fields.next()? {
        "m" => Stream::Metrics,
        "l" => Stream::Logs,
        _ => return None,
    };
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
    let batch = Batch {
        key: key.into(),
        body: body.as_bytes().to_vec(),
        lengths,
        attempts: 0,
    };
    Some((stream, batch, remaining))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "persist_tests.rs"]
mod tests;

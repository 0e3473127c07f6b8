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

/// Reads what [`encode`] wrote. Malformed text yields what parsed before the fault.
pub fn decode(text: &str) -> Vec<(Stream, Batch)> {
    let mut found = Vec::new();
    let Some(mut rest) = text.strip_prefix(MAGIC) else {
        return found;
    };
    while let Some((header, after)) = rest.split_once('\n') {
        let Some((stream, batch, remaining)) = read_one(header, after) else {
            break;
        };
        found.push((stream, batch));
        rest = remaining;
    }
    found
}

fn read_one<'a>(header: &str, after: &'a str) -> Option<(Stream, Batch, &'a str)> {
    let mut fields = header.split(' ');
    let stream = match fields.next()? {
        "m" => Stream::Metrics,
        "l" => Stream::Logs,
        _ => return None,
    };
    let key = fields.next()?;
    let lengths = fields
        .next()?
        .split(',')
        .map(|l| l.parse::<u32>().ok())
        .collect::<Option<Vec<u32>>>()?;
    let body_len: usize = fields.next()?.parse().ok()?;
    let body = after.get(..body_len)?;
    let remaining = after.get(body_len..)?.strip_prefix('\n')?;
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

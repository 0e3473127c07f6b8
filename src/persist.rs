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
/// `max_bytes`. Returns the text and how many batches it holds.
pub fn encode<'a>(
    batches: impl Iterator<Item = (Stream, &'a Batch)>,
    max_bytes: usize,
) -> (String, usize) {
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
    (String::from_utf8(out).unwrap_or_default(), n)
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn batch(key: &str, events: &[&str]) -> Batch {
        Batch::build(
            b"{\"logs\":[",
            key.into(),
            events.iter().map(|e| e.as_bytes()),
        )
    }

    #[test]
    fn round_trips_in_order() {
        let a = batch("k-a", &["{\"message\":\"line\\nbreak é\"}", "{}"]);
        let b = batch("k-b", &["{\"x\":\"rt1\\n m k 1 1\"}"]);
        let (text, n) = encode(
            [(Stream::Logs, &a), (Stream::Metrics, &b)].into_iter(),
            usize::MAX,
        );
        assert_eq!(n, 2);
        let back = decode(&text);
        assert_eq!(back, vec![(Stream::Logs, a), (Stream::Metrics, b)]);
    }

    #[test]
    fn stops_at_the_byte_limit() {
        let a = batch("a", &["{\"n\":1}"]);
        let b = batch("b", &["{\"n\":2}"]);
        let (one, _) = encode([(Stream::Logs, &a)].into_iter(), usize::MAX);
        let (text, n) = encode(
            [(Stream::Logs, &a), (Stream::Logs, &b)].into_iter(),
            one.len() + 5,
        );
        assert_eq!((n, text), (1, one));
    }

    #[test]
    fn malformed_text_keeps_what_parsed_before() {
        let a = batch("a", &["{\"n\":1}"]);
        let (text, _) = encode([(Stream::Logs, &a)].into_iter(), usize::MAX);
        assert_eq!(decode(&(text.clone() + "l b 1 999\n{}")).len(), 1);
        assert_eq!(decode(&(text.clone() + "x")).len(), 1);
        assert!(decode("garbage").is_empty());
        assert!(decode(&text[..text.len() - 3]).is_empty());
    }

    proptest! {
        #[test]
        fn any_bodies_round_trip(events in proptest::collection::vec("[\\PC\n]{0,40}", 1..6)) {
            let refs: Vec<&str> = events.iter().map(String::as_str).collect();
            let b = batch("key", &refs);
            let (text, n) = encode([(Stream::Metrics, &b)].into_iter(), usize::MAX);
            prop_assert_eq!(n, 1);
            prop_assert_eq!(decode(&text), vec![(Stream::Metrics, b)]);
        }
    }
}

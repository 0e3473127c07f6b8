//! What error capture records of a page is redacted before it is recorded: the query string
//! and fragment of every URL (absolute, or a path) in an error's message, file and stack are
//! removed, since a URL's
//! query is where tokens, emails and session ids travel (`?token=…`, `#access_token=…`). The
//! path stays, and a stack frame's `:line:column` after it, so that a frame still points at
//! its code. (The app's own patterns, `redact`, are the page's `RegExp`s: applied in the
//! browser layer, `src/watch/src/errors.rs`.)

use alloc::borrow::Cow;
use alloc::string::String;

/// `text` without the query and fragment of each URL in it, each URL ending at a space, a
/// quote, a bracket or the end: an absolute one (`scheme://…`) wherever it starts, and a path
/// (`/api/jobs?token=…`, `//cdn.x/a.js?…`) that starts a word, as a message names a request.
pub fn without_queries(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0; // bytes of `text` already in `out` (or left out)
    let mut start = 0;
    while start < b.len() {
        let word = b.get(start..).unwrap_or_default();
        let end = start + word.iter().position(|&c| ends_url(c)).unwrap_or(word.len());
        if let Some(query) = query_of(b.get(start..end).unwrap_or_default()) {
            let query = start + query;
            let keep_from = end - line_and_column(b.get(query..end).unwrap_or_default());
            out.push_str(text.get(copied..query).unwrap_or_default());
            out.push_str(text.get(keep_from..end).unwrap_or_default());
            copied = end;
        }
        start = end + 1;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

/// Where the query or fragment of the URL in `word` starts, if it has one: after the first
/// `://` in it (a Firefox frame is `name@https://…`), or after its first byte if it is a path.
fn query_of(word: &[u8]) -> Option<usize> {
    let from = match word.windows(3).position(|w| w == b"://") {
        Some(sep) => sep + 3,
        None if word.first() == Some(&b'/') => 1,
        None => return None,
    };
    let query = word
        .get(from..)?
        .iter()
        .position(|&c| c == b'?' || c == b'#')?;
    Some(from + query)
}

/// `url` (a failed resource's, relative or not) up to its query or fragment.
pub fn url_without_query(url: &str) -> &str {
    let end = url.bytes().position(|c| c == b'?' || c == b'#');
    url.get(..end.unwrap_or(url.len())).unwrap_or(url)
}

/// Whether `c` ends a URL in a message or a stack: white space, quotes, brackets.
fn ends_url(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(
            c,
            b'"' | b'\'' | b'`' | b'(' | b')' | b'<' | b'>' | b'[' | b']'
        )
}

/// The length of a stack frame's `:line:column` at the end of `s` (0 if none). Both numbers,
/// as every engine writes a frame: a lone `:123` may as well be the end of a query's value.
fn line_and_column(s: &[u8]) -> usize {
    let mut len = 0;
    for _ in 0..2 {
        let rest = s.get(..s.len() - len).unwrap_or_default();
        let digits = rest.iter().rev().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || rest.len() == digits || rest.get(rest.len() - digits - 1) != Some(&b':') {
            return 0;
        }
        len += digits + 1;
    }
    len
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "redact_tests.rs"]
mod tests;

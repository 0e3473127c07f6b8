//! What woke the module. Every listener, timer, observer and answer of the page calls back
//! through one function with a token (see [`crate::page`]); this is where each token leads.

use crate::client::{self, Client, Kind};
use crate::{delivery, errors, exit, observe};

/// A stream's flush interval (metrics, logs).
pub const FLUSH: [u32; 2] = [1, 2];
/// The end of a stream's backoff (metrics, logs).
pub const RETRY: [u32; 2] = [3, 4];
/// Taking over what earlier pages kept, once the calls made before load are replayed.
pub const KICK: u32 = 5;
// Listener codes (page.js's `listenExit`, `listenErrors` and `listenInputs` wake them).
pub const PAGEHIDE: u32 = 10;
pub const PAGESHOW: u32 = 11;
pub const ONLINE: u32 = 12;
pub const VISIBILITY: u32 = 13;
pub const ERROR: u32 = 14;
pub const REJECTION: u32 = 15;
pub const KEYDOWN: u32 = 16;
pub const CLICK: u32 = 17;
pub const RESTORE: u32 = 18;
/// Observer entries: `ENTRIES + source`.
pub const ENTRIES: u32 = 20;
/// The second frame after a back/forward cache restore.
pub const FRAMES: u32 = 30;
/// This token and the ones above are requests, woken by their answer.
pub const REQUESTS: u32 = 256;

/// The stream a per-stream token (of `FLUSH` or `RETRY`) belongs to.
fn kind(token: u32, tokens: [u32; 2]) -> Kind {
    if token == tokens[0] {
        Kind::Metrics
    } else {
        Kind::Logs
    }
}

/// The page's callback: `n` and `text` are what page.js read for this token ("" for no text).
pub fn wake(token: u32, n: f64, text: &str) {
    match token {
        // `n`: 1 when page.js could read the error (its facts are `text`).
        ERROR | REJECTION if cfg!(feature = "errors") && n == 1.0 => {
            errors::on_error(token == REJECTION, text)
        }
        // `n`: whether the input is the user's (trusted).
        KEYDOWN | CLICK if cfg!(feature = "timings") && n == 1.0 => observe::on_input(),
        // `n`: the event's timeStamp if the page comes back from the cache, else -1.
        RESTORE if cfg!(feature = "timings") && n >= 0.0 => observe::on_restore(n),
        // `n`: how many entries page.js staged.
        t if cfg!(feature = "timings") && (ENTRIES..ENTRIES + 5).contains(&t) => {
            observe::on_entries(t - ENTRIES, n)
        }
        // `n`: `performance.now()` at that frame.
        FRAMES if cfg!(feature = "timings") => observe::on_frames(n),
        // The rest works on the client, borrowed here once for all of them: each borrow site
        // would be a copy of `client::with`. A token `on_client` ignores (an unread error,
        // an untrusted input) borrows it for nothing: every token comes from something the
        // client started, so it exists already and is not created by this.
        t => {
            client::with(|c| on_client(c, t, n, text));
        }
    }
}

/// The tokens of [`wake`] that work on the client.
fn on_client(c: &mut Client, token: u32, n: f64, text: &str) {
    match token {
        t if FLUSH.contains(&t) => {
            let kind = kind(t, FLUSH);
            delivery::seal(c, kind);
            delivery::pump(c, kind);
        }
        t if RETRY.contains(&t) => {
            let kind = kind(t, RETRY);
            c.stream(kind).retry_at = 0.0;
            delivery::pump(c, kind);
        }
        KICK => {
            if exit::restore(c) {
                delivery::pump(c, Kind::Metrics);
                delivery::pump(c, Kind::Logs);
            }
        }
        // `n`: whether the page goes into the back/forward cache (and may come back).
        PAGEHIDE => exit::on_exit(c, n == 0.0),
        PAGESHOW => exit::on_return(c),
        ONLINE => delivery::on_online(c),
        // `n`: whether the page is hidden now.
        VISIBILITY => {
            if n == 1.0 {
                exit::on_exit(c, false)
            } else {
                exit::on_return(c)
            }
        }
        // `n`: the HTTP status (-1: no answer); `text`: its Retry-After.
        t if t >= REQUESTS => delivery::answered(c, t, n, text),
        _ => {}
    }
}

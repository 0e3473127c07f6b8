//! Whether the client may record and send at all: the visitor's consent (`trackingConsent`)
//! and session sampling (`sessionSampleRate`).
//!
//! Both gate the client at two places only, so that no path around them exists: every input
//! that records an event ([`Client::records`]), and everything that lets data out of the
//! client, requests, beacons and storage writes alike ([`Client::lets_out`]).
//!
//! - `'granted'` (the default, the seed's behaviour): both open.
//! - `'pending'` (a consent banner not yet answered): events are recorded into the ordinary
//!   bounded buffers, and nothing leaves; batches earlier pages stored stay where they are,
//!   untouched. `'granted'` then sends what was kept, and takes the stored batches over.
//! - `'not-granted'`: nothing is recorded, what the client held is discarded, and the batches
//!   the client stored on this origin are removed: this page's copy, and those of earlier pages
//!   (read, and dropped unsent).
//!
//! Events recorded before `'pending'` or `'not-granted'` came are the client's as any other
//! (`'pending'` keeps them too, `'not-granted'` discards them).
//!
//! A session outside the sample records nothing. The decision is a function of the session id
//! alone, so that a session is in or out for its whole life, reloads included, and every
//! page of it decides the same without asking anyone.

use alloc::string::String;
use alloc::vec::Vec;

use crate::client::{Client, Output};
use crate::stream::{Counters, Kind};

/// The visitor's answer, as `trackingConsent` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consent {
    Granted,
    Pending,
    NotGranted,
}

impl Consent {
    /// The option's text; anything else (index.js lets no other text through) is the default.
    pub fn from_text(text: &str) -> Consent {
        match text {
            "pending" => Consent::Pending,
            "not-granted" => Consent::NotGranted,
            _ => Consent::Granted,
        }
    }
}

/// Whether session `id` is among `rate` percent of sessions: the 32-bit FNV-1a hash of the id,
/// in ten-thousandths, below the rate. A session not known yet counts as in (index.js names
/// it before anything is recorded). NaN reads as the default, 100.
pub fn in_sample(id: Option<&str>, rate: f64) -> bool {
    if rate.is_nan() || rate >= 100.0 {
        return true;
    }
    if rate <= 0.0 {
        return false;
    }
    let Some(id) = id else {
        return true;
    };
    let mut hash: u32 = 0x811c_9dc5;
    for b in id.bytes() {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    f64::from(hash % 10_000) < rate * 100.0
}

/// The gates' state, kept by the client.
#[derive(Debug)]
pub(crate) struct Gates {
    pub(crate) consent: Consent,
    pub(crate) sampled: bool,
    /// Whether what earlier pages stored was offered while it could not be taken: it is read
    /// again ([`Output::ReadStored`]) once it can, as it is then, not as it was.
    pub(crate) stored_waiting: bool,
}

impl Gates {
    pub(crate) fn new() -> Gates {
        Gates {
            consent: Consent::Granted,
            sampled: true,
            stored_waiting: false,
        }
    }
}

impl Client {
    /// Whether events are recorded now.
    pub(crate) fn records(&self) -> bool {
        self.gates.consent != Consent::NotGranted && self.gates.sampled
    }

    /// Whether anything may leave the client now: a request, a beacon, a storage write.
    pub(crate) fn lets_out(&self) -> bool {
        self.gates.consent == Consent::Granted && self.gates.sampled
    }

    /// Sets the gates as the options and the session say now: as soon as `configure()` has
    /// read the options (before anything they change can send), or a new session id came.
    pub(crate) fn set_gates(&mut self) {
        let consent = Consent::from_text(&self.config.tracking_consent);
        if consent == Consent::NotGranted && self.gates.consent != consent {
            // The copy an earlier hide of this page may have written.
            let key = self.page_key.clone();
            self.emit(Output::Unstore { key });
        }
        self.gates.consent = consent;
        self.gates.sampled = in_sample(self.stamp.identity().1, self.config.session_sample_rate);
    }

    /// What the gates set since `was_out` (whether nothing could leave then) now do: what was
    /// kept goes if they opened, what may not be recorded is let go of.
    pub(crate) fn gates_changed(&mut self, was_out: bool, now: f64) {
        if was_out && self.lets_out() {
            // What was kept meanwhile goes at the next tick (a flush due now), behind what
            // earlier pages stored.
            for kind in Kind::ALL {
                self.stream(kind).next_flush = now;
            }
        }
        self.take_stored();
    }

    /// What earlier pages stored (`entries`, as read now): taken over if the client may send;
    /// read and dropped when consent is refused (reading a copy removes it); left untouched
    /// while consent is pending or the session is outside the sample, and read again when
    /// that changes (other pages may have taken or rewritten them meanwhile).
    pub(crate) fn stored(&mut self, entries: Vec<(String, String)>, now: f64) {
        if self.stored_aside() {
            self.gates.stored_waiting = true;
            return;
        }
        self.restore(entries, now);
        if !self.records() {
            self.discard();
        }
    }

    fn stored_aside(&self) -> bool {
        self.gates.consent != Consent::NotGranted && !self.lets_out()
    }

    /// Whatever the client holds is let go of if it may not record; stored batches left
    /// untouched are asked for again if they may now be taken.
    fn take_stored(&mut self) {
        if !self.records() {
            self.discard();
        }
        if self.gates.stored_waiting && !self.stored_aside() {
            self.gates.stored_waiting = false;
            self.emit(Output::ReadStored);
        }
    }

    /// Lets go of every event and count the client holds (a batch under way still gets its
    /// answer, which then finds nothing to settle).
    fn discard(&mut self) {
        for kind in Kind::ALL {
            let s = self.stream(kind);
            s.queue.clear();
            s.counts = Counters::default();
        }
        #[cfg(feature = "traces")]
        self.measured.under_way.clear();
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "consent_tests.rs"]
mod tests;

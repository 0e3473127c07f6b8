//! What the client does for its two OTLP streams (the `otlp` feature), beyond what every stream
//! gets from `delivery.rs`, `exit.rs` and `persist.rs`:
//!
//! - which events they take: until the first `configure()` they keep the page's events even
//!   without an `otlpEndpoint`, since an app configures its client after the first events
//!   (a module's top level, an error at startup); from then on, a stream without an endpoint
//!   takes nothing, and what it held is let go (the app sends elsewhere; not counted as lost);
//! - what sealing adds to a batch: the resource and, for metrics, the time span of its delta
//!   points (`otlp::Sealed`), fixed then so that every attempt sends the same bytes; and a
//!   batch whose body would exceed `maxRequestBytes` is split until it fits;
//! - a request's body, made from the batch (`otlp.rs`).

use alloc::vec::Vec;

use crate::client::Client;
use crate::log::Entry;
use crate::otlp::{self, Sealed};
use crate::stream::Kind;

/// Both OTLP streams' batches open with `{"m":[` or `{"l":[` (6 bytes) and end in `]}`.
const OPEN: usize = 6;

impl Client {
    /// Sets `navigator.userAgent`, which OTLP bodies name as `user_agent.original`.
    pub fn set_user_agent(&mut self, user_agent: &str) {
        self.otlp.user_agent = Some(user_agent.into());
    }

    /// Whether stream `kind` takes events now (see the file's head).
    pub(crate) fn takes(&self, kind: Kind) -> bool {
        self.stream_ref(kind).is_on() || (kind.is_otlp() && !self.otlp.configured)
    }

    /// After `configure()`: a stream now off lets go of what it held; one now on sends what it
    /// kept meanwhile (events from before, batches of an earlier page).
    pub(crate) fn configured_otlp(&mut self, now: f64) {
        self.otlp.configured = true;
        for kind in Kind::ALL {
            if !self.stream_ref(kind).is_on() {
                self.stream(kind).queue.clear();
            }
            self.pump(kind, now);
        }
    }

    /// Encodes one log entry as an OTLP log record. Whether that stream now holds a full batch.
    pub(crate) fn otlp_log(&mut self, entry: &Entry) -> bool {
        if !self.takes(Kind::OtlpLogs) {
            return false;
        }
        let (stamp, number) = (&self.stamp, self.platform.number);
        let (user, session) = stamp.identity();
        let trace = stamp.trace();
        let admitted = self.otlp_logs.queue.push_with(|out| {
            otlp::encode_log(
                out,
                entry,
                entry.context,
                user,
                session,
                trace.as_ref(),
                number,
            )
        });
        if let Err(d) = admitted {
            self.count_drop(Kind::OtlpLogs, d, 1);
        }
        self.otlp_logs.is_full()
    }

    /// The resource as the options and identity are now.
    fn resource_json(&self) -> Vec<u8> {
        let c = &self.config;
        let resource = otlp::Resource {
            service: &c.service,
            version: &c.version,
            environment: &c.environment,
            session_id: self.stamp.identity().1,
            user_agent: self.otlp.user_agent.as_deref(),
        };
        resource.json(self.platform.number)
    }

    /// Completes the `n` batches just sealed on OTLP stream `kind` (see the file's head).
    pub(crate) fn sealed_otlp(&mut self, kind: Kind, n: usize, now: f64) {
        let resource = self.resource_json();
        let max = self.stream_ref(kind).settings.limits.max_request_bytes;
        let mut i = self.stream_ref(kind).queue.sealed().len().saturating_sub(n);
        loop {
            let since = self
                .otlp
                .since
                .unwrap_or_else(|| self.wall(self.otlp.created));
            let wall = self.wall(now);
            let Some(b) = self.stream(kind).queue.sealed_mut().get_mut(i) else {
                return;
            };
            let mut fresh = false;
            if b.otlp.resource.is_empty() {
                let mut sealed = Sealed {
                    resource: resource.clone(),
                    ..Default::default()
                };
                if kind == Kind::OtlpMetrics {
                    // From the end of the span before it to its latest event: spans follow one
                    // another, never overlapping, whatever the page's clock does.
                    let latest = otlp::latest(b.event_slices(OPEN)).unwrap_or(wall);
                    sealed.start = since;
                    sealed.end = latest.max(since);
                }
                b.otlp = sealed;
                fresh = true;
            }
            let (key, events, end) = (b.key.clone(), b.events(), b.otlp.end);
            if fresh && kind == Kind::OtlpMetrics {
                self.otlp.since = Some(end);
            }
            let mut body = Vec::new();
            self.otlp_body(kind, &key, &mut body);
            if body.len() > max && events > 1 {
                // Its halves take its place; the first is looked at next.
                let (a, b) = (self.random.uuid(), self.random.uuid());
                self.stream(kind).queue.split_key(&key, a, b);
                continue;
            }
            i += 1;
        }
    }

    /// The request body of sealed batch `key` of stream `kind`: a seed stream's batch is sent
    /// as it is (`body` already holds a copy of its bytes); an OTLP stream's body is made from
    /// it here, with what sealing fixed.
    pub(crate) fn otlp_body(&self, kind: Kind, key: &str, body: &mut Vec<u8>) {
        if !kind.is_otlp() {
            return;
        }
        let s = self.stream_ref(kind);
        let Some(batch) = s.queue.sealed().iter().find(|b| b.key == key) else {
            return;
        };
        let number = self.platform.number;
        let records = batch
            .body
            .get(OPEN..batch.body.len().saturating_sub(2))
            .unwrap_or_default();
        *body = match kind {
            Kind::OtlpMetrics => otlp::metrics_body(&batch.otlp, batch.event_slices(OPEN), number),
            #[cfg(feature = "traces")]
            Kind::OtlpTraces => otlp::traces_body(&batch.otlp, records),
            _ => otlp::logs_body(&batch.otlp, records),
        };
    }
}

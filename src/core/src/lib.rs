//! # recoloca-telemetry-core
//!
//! The logic of the `@recoloca/telemetry` client, with no browser in it: the JSON encoding of
//! metrics and log entries in the seed's wire format, a stream's queue with its bounds, the
//! retry schedule, the text form of batches kept in `localStorage`, the options, the gate that
//! keeps error storms quiet, and the arithmetic of the page timings. It imports nothing from
//! wasm-bindgen, web-sys or js-sys, reads no clock of its own, and is tested natively
//! (`cargo test --workspace`), with property tests where an invariant matters.
//!
//! The crate at the repository's root is the browser layer that drives it.
//!
//! It is `no_std` (with `alloc`) outside tests, so that nothing here reaches for std's panic
//! machinery or its formatting by accident. The one exception is named: serde_json lets a
//! crate choose how numbers are written (its `Formatter`, see [`json`]) only with its `std`
//! feature, whose writer trait is `std::io::Write`.

#![cfg_attr(not(test), no_std)]
// `f64::clamp` asserts its bounds with a message that formats floats, which would drag Rust's
// float printing into the module; the code clamps with `max`/`min` on purpose.
#![allow(clippy::manual_clamp)]

extern crate alloc;
#[cfg(not(test))]
extern crate std;

pub mod attribute;
pub mod batch;
#[cfg(feature = "errors")]
pub mod capture;
pub mod client;
pub mod config;
pub mod consent;
mod delivery;
#[cfg(feature = "errors")]
pub mod error_gate;
pub mod exit;
pub mod float;
pub mod json;
pub mod log;
pub mod metric;
#[cfg(feature = "errors")]
pub mod redact;
// Compiled only for the OTLP entry: present but unused, its callers of serde_json's code
// would change how that code is inlined in the main entry's module, and cost it bytes.
#[cfg(feature = "otlp")]
pub mod otlp;
#[cfg(feature = "otlp")]
mod otlp_streams;
pub mod persist;
mod random;
pub mod retry;
// Measuring the page's own requests (`instrumentRequests`) and tracing them (#20): the OTLP
// entry's, compiled only with the feature (see `otlp` above).
#[cfg(feature = "traces")]
pub mod requests;
#[cfg(feature = "traces")]
pub mod route;
pub mod stream;
pub mod text;
#[cfg(feature = "traces")]
pub mod trace;
pub mod uuid;
#[cfg(feature = "timings")]
pub mod vitals;
pub mod wire;

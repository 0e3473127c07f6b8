//! The client's randomness: idempotency keys, its page's storage key, and retry jitter, from
//! a generator seeded once by the browser (`crypto.getRandomValues`). Seeded, the client stays
//! a pure function of its inputs, and tests replay any run exactly.

use alloc::string::String;

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

pub struct Random(Xoshiro256PlusPlus);

impl Random {
    pub fn new(seed: [u8; 32]) -> Random {
        Random(Xoshiro256PlusPlus::from_seed(seed))
    }

    /// A version 4 UUID.
    pub fn uuid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.0.fill_bytes(&mut bytes);
        crate::uuid::format_v4(bytes)
    }

    /// Random bytes (trace and span ids).
    #[cfg(feature = "traces")]
    pub(crate) fn fill(&mut self, bytes: &mut [u8]) {
        self.0.fill_bytes(bytes);
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        // The top 53 bits, as a fraction of 2^53: every value equally likely.
        (self.0.next_u64() >> 11) as f64 / 9_007_199_254_740_992.0
    }
}

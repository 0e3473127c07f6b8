//! Native unit tests of `src/uuid.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

#[test]
fn sets_version_and_variant() {
    let s = format_v4([0xff; 16]);
    assert_eq!(s, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    let s = format_v4([0; 16]);
    assert_eq!(s, "00000000-0000-4000-8000-000000000000");
}

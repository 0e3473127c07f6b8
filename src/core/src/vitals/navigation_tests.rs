//! Native unit tests of `src/vitals/navigation.rs` (kept apart so that no test-only panic sits in module code).

use super::*;

#[test]
fn measured_from_fetch_start_once_the_event_ended() {
    assert_eq!(page_load_time(1.5, 89.5), Some(88.0));
    assert_eq!(dom_content_loaded(1.5, 88.5), Some(87.0));
    assert_eq!(page_load_time(1.5, 0.0), None);
    assert_eq!(dom_content_loaded(1.5, 0.0), None);
    assert_eq!(page_load_time(f64::NAN, 89.5), None);
    assert_eq!(page_load_time(1.5, f64::NAN), None);
}

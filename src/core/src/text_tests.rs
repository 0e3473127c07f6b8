//! Native tests of `src/text.rs`: each helper agrees with the std function it stands in for.

use super::*;
use proptest::prelude::*;

#[test]
fn splits_as_str_split_does() {
    for s in ["", "a", "a b", " a  b ", "a-b c", "é-ü ß", "\0x\0"] {
        assert_eq!(
            split(s, b' ').collect::<Vec<_>>(),
            s.split(' ').collect::<Vec<_>>()
        );
        assert_eq!(
            split(s, b'-').collect::<Vec<_>>(),
            s.split('-').collect::<Vec<_>>()
        );
        assert_eq!(
            split(s, 0).collect::<Vec<_>>(),
            s.split('\0').collect::<Vec<_>>()
        );
        assert_eq!(split_once(s, b' '), s.split_once(' '));
    }
}

#[test]
fn reads_plain_decimal_numbers_only() {
    assert_eq!(number("0"), Some(0));
    assert_eq!(number("007"), Some(7));
    assert_eq!(number("123456789012345678"), Some(123_456_789_012_345_678));
    for bad in [
        "",
        "+1",
        "-1",
        " 1",
        "1 ",
        "1.5",
        "١",
        "1234567890123456789",
    ] {
        assert_eq!(number(bad), None, "{bad:?}");
    }
    assert_eq!(number_u32("4294967295"), Some(u32::MAX));
    assert_eq!(number_u32("4294967296"), None);
}

proptest! {
    #[test]
    fn any_text_splits_as_std_does(s in "[a-c é\\-,\n\0]{0,30}") {
        prop_assert_eq!(split(&s, b'\n').collect::<Vec<_>>(), s.split('\n').collect::<Vec<_>>());
        prop_assert_eq!(split(&s, b',').collect::<Vec<_>>(), s.split(',').collect::<Vec<_>>());
        prop_assert_eq!(split_once(&s, b','), s.split_once(','));
    }

    #[test]
    fn digits_read_as_parse_does(n in 0u64..1_000_000_000_000_000_000) {
        prop_assert_eq!(number(&n.to_string()), Some(n));
        prop_assert_eq!(number_u32(&n.to_string()), n.to_string().parse::<u32>().ok());
    }
}

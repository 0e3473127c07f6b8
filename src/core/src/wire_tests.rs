//! Native unit tests of `src/wire.rs`: the records as serde_json writes them through
//! `json::JsFormatter`, checked against what `JSON.stringify` gives for the seed's objects.

use super::*;
use crate::json;

fn text<T: Serialize>(record: &T) -> String {
    let mut out = Vec::new();
    assert!(json::write(&mut out, record, json::format_natively));
    String::from_utf8(out).unwrap()
}

fn metric<'a>(name: &'a str, value: f64, labels: Option<Labels<'a>>) -> Metric<'a, Labels<'a>> {
    Metric {
        name,
        value,
        labels,
        timestamp: 1_764_166_892_123.0,
    }
}

#[test]
fn strings_are_escaped_as_json_stringify_escapes_them() {
    // JSON.stringify("a\"b\\c\nd\re\tf\bg\fh\u0001i\u001f") and of "é ✓ 😀 /\u007f\u2028"
    assert_eq!(
        text(&metric(
            "a\"b\\c\nd\re\tf\u{8}g\u{c}h\u{1}i\u{1f}",
            1.0,
            None
        )),
        r#"{"name":"a\"b\\c\nd\re\tf\bg\fh\u0001i\u001f","value":1,"timestamp":1764166892123}"#
    );
    assert_eq!(
        text(&metric("é ✓ 😀 /\u{7f}\u{2028}", 1.0, None)),
        "{\"name\":\"é ✓ 😀 /\u{7f}\u{2028}\",\"value\":1,\"timestamp\":1764166892123}"
    );
}

#[test]
fn numbers_are_spelled_as_javascript_spells_them() {
    // serde_json alone would write 1.0 and -0.0. (What this file's short path cannot print,
    // such as 1e21, goes to the fallback: in the browser the engine's own Number#toString,
    // here Rust's digits, so those are not checked here but by the browser tests.)
    for (v, want) in [
        (1.0, "1"),
        (-3.0, "-3"),
        (0.1, "0.1"),
        (-0.0, "0"),
        (12.5, "12.5"),
        (1e20, "100000000000000000000"),
    ] {
        assert_eq!(
            text(&metric("m", v, None)),
            format!(r#"{{"name":"m","value":{want},"timestamp":1764166892123}}"#)
        );
    }
    assert_eq!(
        text(&metric("m", f64::NAN, None)),
        r#"{"name":"m","value":null,"timestamp":1764166892123}"#
    );
}

#[test]
fn labels_the_client_makes_keep_their_order() {
    let labels = [
        ("error_type", "TypeError"),
        ("component", "global"),
        ("user_id", "u"),
    ];
    assert_eq!(
        text(&metric("frontend_errors_total", 1.0, Some(Labels(&labels)))),
        r#"{"name":"frontend_errors_total","value":1,"labels":{"error_type":"TypeError","component":"global","user_id":"u"},"timestamp":1764166892123}"#
    );
}

#[test]
fn labels_given_as_json_are_copied_as_they_are() {
    // Key order and spelling are the engine's: an integer-like key first, as JSON.stringify
    // writes it, and an escape serde_json would not write itself.
    let m = Metric {
        name: "page_views_total",
        value: 1.0,
        labels: Some(JsonText(r#"{"2":"b","page":"\u002fhome"}"#)),
        timestamp: 5.0,
    };
    assert_eq!(
        text(&m),
        r#"{"name":"page_views_total","value":1,"labels":{"2":"b","page":"\u002fhome"},"timestamp":5}"#
    );
}

#[test]
fn an_error_context_leaves_out_what_it_does_not_have() {
    let bare = ErrorContext {
        component: "promise",
        source: None,
        cause: &[],
    };
    assert_eq!(text(&bare), r#"{"component":"promise"}"#);
    let full = ErrorContext {
        component: "global",
        source: Some(Source {
            file: "https://app/a.js",
            line: 10.0,
            column: 4.0,
        }),
        cause: &[Cause {
            name: "Error",
            message: "inner",
        }],
    };
    assert_eq!(
        text(&full),
        r#"{"component":"global","source":{"file":"https://app/a.js","line":10,"column":4},"cause":[{"name":"Error","message":"inner"}]}"#
    );
}

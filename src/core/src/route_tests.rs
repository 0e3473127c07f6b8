//! Native tests of `src/route.rs`.

use super::*;
use proptest::prelude::*;

const PAGE: &str = "https://app.recoloca.ai";

#[test]
fn same_origin_requests_are_named_by_their_path_without_query_or_fragment() {
    assert_eq!(
        template(
            "https://app.recoloca.ai/api/jobs?page=2&token=s3cr3t#top",
            PAGE
        ),
        "/api/jobs"
    );
    assert_eq!(template("https://app.recoloca.ai", PAGE), "/");
    assert_eq!(template("https://app.recoloca.ai/", PAGE), "/");
    // Another host that merely starts like the page's is another origin.
    assert_eq!(
        template("https://app.recoloca.ai.evil.test/x", PAGE),
        "https://app.recoloca.ai.evil.test/x"
    );
}

#[test]
fn other_origins_keep_their_origin() {
    assert_eq!(
        template("https://api.example.com/v1/users/42/cv?x=1", PAGE),
        "https://api.example.com/v1/users/:id/cv"
    );
    assert_eq!(
        template("https://api.example.com", PAGE),
        "https://api.example.com/"
    );
}

#[test]
fn ids_become_placeholders_and_words_stay() {
    let cases = [
        ("/api/jobs/123", "/api/jobs/:id"),
        (
            "/api/cv/5f0c6c1e-1a2b-4c3d-8e9f-0123456789ab/pages",
            "/api/cv/:id/pages",
        ),
        ("/api/objects/507f1f77bcf86cd799439011", "/api/objects/:id"),
        ("/files/aGVsbG8gd29ybGQgdGhpcyBpczEy", "/files/:id"),
        ("/api/v2/jobs", "/api/v2/jobs"),
        ("/api/feed/deadbeef", "/api/feed/deadbeef"),
        ("/api/users/me/settings", "/api/users/me/settings"),
        (
            "/api/really-long-descriptive-route-name",
            "/api/really-long-descriptive-route-name",
        ),
    ];
    for (path, expected) in cases {
        assert_eq!(template(&format!("{PAGE}{path}"), PAGE), expected, "{path}");
    }
}

#[test]
fn a_very_long_path_is_cut_at_a_segment() {
    let long = format!("{PAGE}/{}", ["segment"; 40].join("/"));
    let t = template(&long, PAGE);
    assert!(t.len() <= MAX_LEN + "/…".len(), "{t}");
    assert!(t.ends_with("/…"));
}

#[test]
fn the_server_is_the_host_and_the_port_or_the_schemes() {
    let cases = [
        ("https://api.recoloca.ai/v1/cv", ("api.recoloca.ai", 443)),
        ("http://127.0.0.1:8080/api?x=1", ("127.0.0.1", 8080)),
        ("http://example.com", ("example.com", 80)),
        ("http://[::1]:3000/x", ("[::1]", 3000)),
        ("https://[2001:db8::1]/x", ("[2001:db8::1]", 443)),
        ("ws://example.com:99999/x", ("example.com", 0)),
        ("https://example.com#a:1", ("example.com", 443)),
    ];
    for (url, expected) in cases {
        assert_eq!(server(url), expected, "{url}");
    }
}

proptest! {
    /// Whatever the URL: no query or fragment survives, no number segment survives, a template
    /// of a template is itself, and the label stays bounded.
    #[test]
    fn templates_are_bounded_and_stable(
        segments in proptest::collection::vec("[a-z]{1,8}|[0-9]{1,12}|[0-9a-f]{24}", 0..30),
        query in "[a-z0-9=&]{0,20}",
    ) {
        let url = format!("{PAGE}/{}?{query}#frag", segments.join("/"));
        let t = template(&url, PAGE);
        prop_assert!(!t.contains('?') && !t.contains('#'));
        prop_assert!(t.len() <= MAX_LEN + "/…".len());
        prop_assert!(t.split('/').all(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit())));
        prop_assert_eq!(template(&format!("{PAGE}{t}"), PAGE), t.clone());
    }
}

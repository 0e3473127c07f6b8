//! Native tests of `src/redact.rs`.

use super::*;

#[test]
fn queries_and_fragments_go_and_frames_keep_their_lines() {
    let cases = [
        // A file.
        ("https://app.recoloca.ai/main.js?v=3&token=s3cr3t", "https://app.recoloca.ai/main.js"),
        // Chromium's frame, and Firefox's and Safari's.
        (
            "    at upload (https://app.recoloca.ai/a.js?token=s3cr3t:10:5)",
            "    at upload (https://app.recoloca.ai/a.js:10:5)",
        ),
        ("upload@https://app.recoloca.ai/a.js?token=s3cr3t:10:5", "upload@https://app.recoloca.ai/a.js:10:5"),
        // A failed resource, a fragment, and a URL in a message.
        ("failed to load <img> https://cdn.x/p.png#access_token=abc", "failed to load <img> https://cdn.x/p.png"),
        ("GET 'https://api.x/v1?email=a@b.c' failed", "GET 'https://api.x/v1' failed"),
        // Several in one text, one without a query.
        (
            "at f (https://a.x/1.js?q=1:1:2)\nat g (https://a.x/2.js:3:4)\nat h (https://a.x/3.js#x:5:6)",
            "at f (https://a.x/1.js:1:2)\nat g (https://a.x/2.js:3:4)\nat h (https://a.x/3.js:5:6)",
        ),
        // A lone `:digits` is a query's, not a frame's: it goes with the query.
        ("https://api.x/v?user=bob:123456", "https://api.x/v"),
        // A path that starts a word, as a message names a request, and a scheme-relative URL.
        ("GET /api/jobs?token=s3cr3t failed: 500", "GET /api/jobs failed: 500"),
        ("loading (//cdn.x/a.js?key=k-1#f)", "loading (//cdn.x/a.js)"),
        ("/?email=a@b.c", "/"),
        // Nothing to do: no URL, or a `/` inside a word (`a/b?`: not a path to cut).
        ("TypeError: x is undefined", "TypeError: x is undefined"),
        ("https://", "https://"),
        ("a ?b=1 c", "a ?b=1 c"),
        ("is it x/y? no", "is it x/y? no"),
    ];
    for (text, expected) in cases {
        assert_eq!(without_queries(text), expected, "{text}");
    }
    assert!(matches!(without_queries("no url here"), Cow::Borrowed(_)));
    // A resource's URL as its attribute has it, relative.
    assert_eq!(url_without_query("/img/a.png?token=s3cr3t#x"), "/img/a.png");
    assert_eq!(url_without_query("a.png#top"), "a.png");
    assert_eq!(url_without_query("a.png"), "a.png");
}

proptest::proptest! {
    /// Whatever the text: no `?` or `#` is left after a `://` in the same word, nor in a word
    /// that starts with `/`, nothing outside the URLs changes, and redacting twice changes
    /// nothing more.
    #[test]
    fn no_query_survives(
        parts in proptest::collection::vec("[a-z ():@]{0,6}|(https:/)?/[a-z.]{1,8}/[a-z/]{0,8}(\\?[a-z=&]{0,8})?(#[a-z]{0,4})?(:[0-9]{1,3}){0,2}", 0..8),
    ) {
        let text = parts.concat();
        let once = without_queries(&text).into_owned();
        for word in once.split(|c: char| ends_url(c as u8)) {
            if let Some(i) = word.find("://") {
                proptest::prop_assert!(!word[i..].contains(['?', '#']), "{word} in {once}");
            } else if word.starts_with('/') {
                proptest::prop_assert!(!word.contains(['?', '#']), "{word} in {once}");
            }
        }
        proptest::prop_assert_eq!(without_queries(&once).into_owned(), once.clone());
        proptest::prop_assert!(once.len() <= text.len());
    }
}

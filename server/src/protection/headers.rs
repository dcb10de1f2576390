//! Security headers on every answer. Set only where a route has not set its own, so a page with a
//! stricter policy (the demo page's CSP) keeps it.
//!
//! The widget's assets are fetched by other origins' pages as module scripts, styles and wasm; none of
//! these headers stops that (`Cross-Origin-Resource-Policy: cross-origin` says so explicitly), while the
//! API's JSON can never be framed, sniffed into HTML or run as a document.

use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;
use tower::util::MapResponseLayer;

/// For the API and widget listener: also a CSP that lets nothing run if an answer is opened as a page.
pub const API: &[(&str, &str)] = &[
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-resource-policy", "cross-origin"),
];

/// For HTML pages that bring their own CSP (the demo host page).
const PAGES: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-resource-policy", "same-origin"),
];

/// Headers parsed once, to copy into each answer.
type Headers = Vec<(HeaderName, HeaderValue)>;

fn parsed(headers: &[(&'static str, &'static str)]) -> Headers {
    headers
        .iter()
        .map(|&(name, value)| {
            (
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            )
        })
        .collect()
}

/// Adds the API's security headers to every answer of the service it wraps.
pub fn security_headers() -> MapResponseLayer<fn(Response) -> Response> {
    MapResponseLayer::new(|mut response: Response| {
        static HEADERS: LazyLock<Headers> = LazyLock::new(|| parsed(API));
        add_missing(response.headers_mut(), &HEADERS);
        response
    })
}

/// Adds the pages' security headers to every answer of `router`.
pub fn security_headers_for_pages<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
) -> Router<S> {
    static HEADERS: LazyLock<Headers> = LazyLock::new(|| parsed(PAGES));
    router.layer(MapResponseLayer::new(|mut response: Response| {
        add_missing(response.headers_mut(), &HEADERS);
        response
    }))
}

/// Sets each header the answer does not already have, making room for all of them at once (one layer and
/// one allocation per answer, not one of each per header).
fn add_missing(headers: &mut HeaderMap, wanted: &[(HeaderName, HeaderValue)]) {
    headers.reserve(wanted.len());
    for (name, value) in wanted {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
}

//! Security headers on every answer. Set only where a route has not set its own, so a page with a
//! stricter policy (the demo page's CSP) keeps it.
//!
//! The widget's assets are fetched by other origins' pages as module scripts, styles and wasm; none of
//! these headers stops that (`Cross-Origin-Resource-Policy: cross-origin` says so explicitly), while the
//! API's JSON can never be framed, sniffed into HTML or run as a document.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

fn header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// For the API and widget listener: also a CSP that lets nothing run if an answer is opened as a page.
pub fn security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            HeaderName::from_static("cross-origin-resource-policy"),
            "cross-origin",
        ))
}

/// For HTML pages that bring their own CSP (the demo host page).
pub fn security_headers_for_pages<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
) -> Router<S> {
    router
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(
            header::REFERRER_POLICY,
            "strict-origin-when-cross-origin",
        ))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ))
}

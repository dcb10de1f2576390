//! The demo host page: a small site on its own origin that embeds the widget with one script tag, the way
//! a site builder would paste it, in the modes and on the kinds of page the e2e suite checks it on.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

const STYLESHEET: &str = include_str!("site.css");
const HOSTILE_STYLESHEET: &str = include_str!("hostile.css");

/// The demo pages: `(path, page, whether it is served under the strict Content-Security-Policy)`.
const PAGES: [(&str, &str, bool); 5] = [
    ("/", include_str!("page.html"), false),
    ("/launcher", include_str!("launcher.html"), false),
    ("/hostile", include_str!("hostile.html"), false),
    ("/csp", include_str!("csp.html"), true),
    ("/two-widgets", include_str!("two-widgets.html"), false),
];

/// The demo site's routes. `widget_src` is the URL of `widget.js` on the widget server.
///
/// `/` embeds the form inline, `/launcher` as a floating button, `/hostile` both under a stylesheet that
/// attacks every element, `/csp` both under the strict policy the README documents, and `/two-widgets`
/// an inline form and a launcher side by side.
pub fn app(widget_src: &str) -> Router {
    let policy = HeaderValue::from_str(&strict_policy(widget_src)).ok();
    let mut router = Router::new();
    for (path, page, strict) in PAGES {
        let body = page.replace("{{WIDGET_SRC}}", &escape_attr(widget_src));
        let policy = if strict { policy.clone() } else { None };
        router = router.route(
            path,
            get(move || std::future::ready(page_response(body.clone(), policy.clone()))),
        );
    }
    router
        .route("/site.css", get(|| async { css(STYLESHEET) }))
        .route("/hostile.css", get(|| async { css(HOSTILE_STYLESHEET) }))
        .fallback(crate::error::not_found)
}

/// The policy the README gives site owners: scripts and styles from the page's origin and the widget
/// server only, WebAssembly compilation allowed, nothing inline, no `eval`.
fn strict_policy(widget_src: &str) -> String {
    let server = url_origin(widget_src);
    format!(
        "default-src 'self'; script-src 'self' {server} 'wasm-unsafe-eval'; \
         style-src 'self' {server}; connect-src 'self' {server}; img-src 'self'; \
         object-src 'none'; base-uri 'none'"
    )
}

/// `scheme://host:port` of a URL.
fn url_origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

fn page_response(body: String, policy: Option<HeaderValue>) -> Response {
    let mut response = Html(body).into_response();
    if let Some(policy) = policy {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

fn css(text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], text).into_response()
}

/// Escapes a value for a double-quoted HTML attribute.
fn escape_attr(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strict_policy_names_the_widget_server_and_allows_nothing_inline() {
        let policy = strict_policy("http://127.0.0.1:3000/widget.js");
        assert!(policy.contains("script-src 'self' http://127.0.0.1:3000 'wasm-unsafe-eval';"));
        assert!(policy.contains("style-src 'self' http://127.0.0.1:3000;"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("'unsafe-eval'"));
    }

    #[test]
    fn attribute_values_cannot_break_out_of_their_quotes() {
        assert_eq!(
            escape_attr(r#"http://x/"><script>"#),
            "http://x/&quot;&gt;&lt;script&gt;"
        );
    }
}

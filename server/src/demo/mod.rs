//! The demo host page: a small site on its own origin that embeds the widget with one script tag, the way
//! a site builder would paste it.

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

const PAGE: &str = include_str!("page.html");
const STYLESHEET: &str = include_str!("site.css");

/// The demo site's routes. `widget_src` is the URL of `widget.js` on the widget server.
pub fn app(widget_src: &str) -> Router {
    let page = Html(PAGE.replace("{{WIDGET_SRC}}", &escape_attr(widget_src)));
    Router::new()
        .route("/", get(move || std::future::ready(page.clone())))
        .route(
            "/site.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    STYLESHEET,
                )
                    .into_response()
            }),
        )
        .fallback(crate::error::not_found)
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
    fn attribute_values_cannot_break_out_of_their_quotes() {
        assert_eq!(
            escape_attr(r#"http://x/"><script>"#),
            "http://x/&quot;&gt;&lt;script&gt;"
        );
    }
}

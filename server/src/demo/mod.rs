//! The demo host pages: a small site on its own origin that embeds the widget with one script tag, the way
//! a site builder would paste it. With the built-in demo sites, it also shows signed-in visitors: its
//! server side signs an identity token for its (pretend) signed-in user, as a real host's back end would.

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::sites::{DEMO_MEMBERS_SITE_KEY, DEMO_SITE_KEY, DemoSigner};

const PAGE: &str = include_str!("page.html");
const STYLESHEET: &str = include_str!("site.css");

/// One demo page: which site it embeds, and whether its visitor is signed in.
struct Variant {
    path: &'static str,
    site: &'static str,
    signed_in: bool,
    heading: &'static str,
}

const VARIANTS: [Variant; 4] = [
    Variant {
        path: "/",
        site: DEMO_SITE_KEY,
        signed_in: false,
        heading: "Talk to a plumber",
    },
    Variant {
        path: "/signed-in",
        site: DEMO_SITE_KEY,
        signed_in: true,
        heading: "Talk to a plumber (signed in as Dana)",
    },
    Variant {
        path: "/members",
        site: DEMO_MEMBERS_SITE_KEY,
        signed_in: false,
        heading: "Members' line (sign-in only)",
    },
    Variant {
        path: "/members/signed-in",
        site: DEMO_MEMBERS_SITE_KEY,
        signed_in: true,
        heading: "Members' line (signed in as Dana)",
    },
];

/// The demo site's routes. `widget_src` is the URL of `widget.js` on the widget server; `signer` signs the
/// signed-in pages' identity tokens (absent when the server runs configured sites, which sign their own).
pub fn app(widget_src: &str, signer: Option<DemoSigner>) -> Router {
    let mut router = Router::new().route(
        "/site.css",
        get(|| async {
            (
                [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                STYLESHEET,
            )
                .into_response()
        }),
    );
    for variant in VARIANTS.iter().filter(|v| !v.signed_in || signer.is_some()) {
        let widget_src = widget_src.to_owned();
        let signer = signer.clone();
        router = router.route(
            variant.path,
            get(move || {
                // A fresh token per page view, as a host would issue for each signed-in page.
                let token = signer
                    .as_ref()
                    .filter(|_| variant.signed_in)
                    .map(|s| s.token(variant.site));
                std::future::ready(Html(page(&widget_src, variant, token.as_deref())))
            }),
        );
    }
    router.fallback(crate::error::not_found)
}

fn page(widget_src: &str, variant: &Variant, token: Option<&str>) -> String {
    let identity = token.map_or_else(String::new, |t| {
        format!(" data-identity-token=\"{}\"", escape_attr(t))
    });
    PAGE.replace("{{WIDGET_SRC}}", &escape_attr(widget_src))
        .replace("{{SITE}}", variant.site)
        .replace("{{IDENTITY}}", &identity)
        .replace("{{HEADING}}", variant.heading)
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

    #[test]
    fn the_signed_in_page_carries_a_token_and_the_guest_page_does_not() {
        let guest = page("http://w/widget.js", &VARIANTS[0], None);
        assert!(
            guest.contains(r#"<script src="http://w/widget.js" data-site="demo" async></script>"#),
            "{guest}"
        );
        let signed = page("http://w/widget.js", &VARIANTS[1], Some("a.b.c"));
        assert!(
            signed.contains(r#"data-site="demo" data-identity-token="a.b.c" async"#),
            "{signed}"
        );
    }
}

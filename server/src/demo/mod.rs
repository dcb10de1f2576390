//! The demo host pages: a small site on its own origin that embeds the widget with one script tag, the way
//! a site builder would paste it, in the modes and on the kinds of page the e2e suite checks it on. With
//! the built-in demo sites it also shows signed-in visitors: its server side signs an identity token for
//! its (pretend) signed-in user, as a real host's back end would.

pub mod users;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use rand::RngCore;

use crate::sites::{DEMO_MEMBERS_SITE_KEY, DEMO_SITE_KEY, DemoSigner};

const STYLESHEET: &str = include_str!("site.css");
/// The contact page, embedding the form inline for the site and visitor of a [`Variant`].
const CONTACT_PAGE: &str = include_str!("page.html");
const HOSTILE_STYLESHEET: &str = include_str!("hostile.css");
/// Both kinds of widget under a nonce-based policy, with a fresh nonce per page view.
const NONCE_PAGE: &str = include_str!("csp-nonce.html");
/// The launcher alone on a hostile page under the nonce-based policy.
const NONCE_LAUNCHER_PAGE: &str = include_str!("csp-nonce-launcher.html");

/// The other demo pages: `(path, page, whether it is served under the strict Content-Security-Policy)`.
const PAGES: [(&str, &str, bool); 6] = [
    ("/launcher", include_str!("launcher.html"), false),
    ("/hostile", include_str!("hostile.html"), false),
    ("/csp", include_str!("csp.html"), true),
    ("/csp-launcher", include_str!("csp-launcher.html"), true),
    ("/two-widgets", include_str!("two-widgets.html"), false),
    ("/consent", include_str!("consent.html"), false),
];

/// One contact page: which site it embeds, and whether its visitor is signed in.
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
///
/// `/` embeds the form inline for a guest, `/signed-in` for a signed-in visitor, `/members` and
/// `/members/signed-in` the same on a sign-in-only site; `/launcher` embeds it as a floating button,
/// `/hostile` both under a stylesheet that attacks every element, `/csp` both under the strict policy the
/// README documents, `/csp-nonce` both under a policy that trusts scripts and styles by nonce alone,
/// `/csp-launcher` and `/csp-nonce-launcher` the launcher alone on a hostile page under each policy (what a
/// page pays before anyone opens the widget), `/two-widgets` an inline form and a launcher side by side, and
/// `/consent` the launcher on a page that requires consent before analytics (`data-consent="required"`).
pub fn app(widget_src: &str, signer: Option<DemoSigner>) -> Router {
    let policy = HeaderValue::from_str(&strict_policy(widget_src)).ok();
    let mut router = Router::new();
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
                std::future::ready(Html(contact_page(&widget_src, variant, token.as_deref())))
            }),
        );
    }
    for (path, page, strict) in PAGES {
        let body = page.replace("{{WIDGET_SRC}}", &escape_attr(widget_src));
        let policy = if strict { policy.clone() } else { None };
        router = router.route(
            path,
            get(move || std::future::ready(page_response(body.clone(), policy.clone()))),
        );
    }
    let widget_src_for_nonce = widget_src.to_owned();
    router
        .route(
            "/csp-nonce",
            get({
                let widget_src = widget_src_for_nonce.clone();
                move || std::future::ready(nonce_page(&widget_src, NONCE_PAGE))
            }),
        )
        .route(
            "/csp-nonce-launcher",
            get(move || std::future::ready(nonce_page(&widget_src_for_nonce, NONCE_LAUNCHER_PAGE))),
        )
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

/// A policy that trusts scripts and stylesheets by `nonce` alone (plus the page's own stylesheet): the
/// widget server appears only where the browser fetches data (`connect-src`: the wasm, the locale, the
/// API), so everything the widget runs or styles with must come through the nonce on its tag.
fn nonce_policy(widget_src: &str, nonce: &str) -> String {
    let server = url_origin(widget_src);
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; connect-src 'self' {server}; img-src 'self'; \
         object-src 'none'; base-uri 'none'"
    )
}

/// A nonce `page` with a fresh nonce, in its tags and its policy.
fn nonce_page(widget_src: &str, page: &str) -> Response {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = base64::engine::general_purpose::STANDARD.encode(bytes);
    let body = page
        .replace("{{WIDGET_SRC}}", &escape_attr(widget_src))
        .replace("{{NONCE}}", &nonce);
    page_response(
        body,
        HeaderValue::from_str(&nonce_policy(widget_src, &nonce)).ok(),
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

fn contact_page(widget_src: &str, variant: &Variant, token: Option<&str>) -> String {
    let identity = token.map_or_else(String::new, |t| {
        format!(" data-identity-token=\"{}\"", escape_attr(t))
    });
    CONTACT_PAGE
        .replace("{{WIDGET_SRC}}", &escape_attr(widget_src))
        .replace("{{SITE}}", variant.site)
        .replace("{{IDENTITY}}", &identity)
        .replace("{{HEADING}}", variant.heading)
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
    fn the_nonce_policy_trusts_scripts_and_styles_by_nonce_alone() {
        let policy = nonce_policy("http://127.0.0.1:3000/widget.js", "abc");
        assert!(policy.contains("script-src 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(policy.contains("style-src 'self' 'nonce-abc';"));
        assert!(policy.contains("connect-src 'self' http://127.0.0.1:3000;"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("strict-dynamic"));
    }

    #[test]
    fn the_signed_in_page_carries_a_token_and_the_guest_page_does_not() {
        let guest = contact_page("http://w/widget.js", &VARIANTS[0], None);
        assert!(
            guest.contains(
                r#"<script src="http://w/widget.js" data-site="demo" data-mode="inline" async>"#
            ),
            "{guest}"
        );
        let signed = contact_page("http://w/widget.js", &VARIANTS[1], Some("a.b.c"));
        assert!(
            signed.contains(
                r#"data-site="demo" data-mode="inline" data-identity-token="a.b.c" async"#
            ),
            "{signed}"
        );
    }

    #[test]
    fn attribute_values_cannot_break_out_of_their_quotes() {
        assert_eq!(
            escape_attr(r#"http://x/"><script>"#),
            "http://x/&quot;&gt;&lt;script&gt;"
        );
    }
}

//! Serving the built console (`cargo xtask build` puts it in `console/` of the widget folder): two apps,
//! the work app at `/console/` and the administration app in its `admin/` folder at `/console/admin`, each
//! with its content-hashed assets and its page for every client route under it, so a reload or a shared
//! link of any console view opens the app, which then routes in the browser.
//!
//! The pages have a CSP of their own: scripts only from this origin (no inline script: the build moves
//! Trunk's start-up script into a file) and `'wasm-unsafe-eval'` to compile the app's wasm.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::AppError;

/// The console's folder inside the widget folder.
pub const DIR: &str = "console";
/// The administration app's folder inside the console's, and its path under `/console`.
const ADMIN: &str = "admin";

/// The console pages' policy.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// The built console, as found at start-up.
#[derive(Debug, Clone, Default)]
pub struct ConsoleAssets {
    work: App,
    admin: App,
}

/// One built app.
#[derive(Debug, Clone, Default)]
struct App {
    dir: PathBuf,
    /// The page, read once; `None` without a build.
    page: Option<String>,
    /// The asset files beside it (not the page, nor the `.br`/`.gz` copies by their own names).
    assets: Vec<String>,
}

impl ConsoleAssets {
    /// Finds the built console in `dir`. Without one, every console page answers 503 saying how to build
    /// it, until the server is restarted after a build.
    pub fn load(dir: &Path) -> Self {
        Self {
            work: App::load(dir),
            admin: App::load(&dir.join(ADMIN)),
        }
    }

    /// Whether both apps' pages were found.
    pub fn is_built(&self) -> bool {
        self.work.page.is_some() && self.admin.page.is_some()
    }

    /// `GET /console` (to `/console/`), each app's assets (cached a year, precompressed), the
    /// administration's page for `/console/admin` and every path under it, and the work app's page for
    /// every other path under `/console/` but the console's API.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let work = self.work.page_route();
        let admin = self.admin.page_route();
        let routes = Router::new()
            .route(
                "/console",
                get(|| async { Redirect::permanent("/console/") }),
            )
            .route("/console/", work.clone())
            .route("/console/{*route}", work)
            .route("/console/admin", admin.clone())
            .route("/console/admin/", admin.clone())
            .route("/console/admin/{*route}", admin);
        routes
            .merge(self.work.assets("/console"))
            .merge(self.admin.assets("/console/admin"))
    }
}

impl App {
    fn load(dir: &Path) -> Self {
        let page = std::fs::read_to_string(dir.join("index.html"));
        let listed = std::fs::read_dir(dir).map(|entries| {
            let mut names: Vec<String> = entries
                .filter_map(|entry| {
                    let entry = entry.ok()?;
                    entry.file_type().ok()?.is_file().then_some(())?;
                    entry.file_name().into_string().ok()
                })
                .filter(|name| {
                    name != "index.html" && !name.ends_with(".br") && !name.ends_with(".gz")
                })
                .collect();
            names.sort();
            names
        });
        match (page, listed) {
            (Ok(page), Ok(assets)) => Self {
                dir: dir.to_owned(),
                page: Some(page),
                assets,
            },
            (Err(problem), _) | (_, Err(problem)) => {
                tracing::warn!(dir = %dir.display(), "console not served: {problem}");
                Self {
                    dir: dir.to_owned(),
                    ..Self::default()
                }
            }
        }
    }

    fn page_route<S: Clone + Send + Sync + 'static>(&self) -> axum::routing::MethodRouter<S> {
        let page = self.page.clone();
        get(move |uri: axum::http::Uri| {
            let page = page.clone();
            async move { serve_page(uri.path(), page) }
        })
    }

    fn assets<S: Clone + Send + Sync + 'static>(&self, prefix: &str) -> Router<S> {
        // Without a build there are no assets, and axum refuses layers on an empty router.
        if self.assets.is_empty() {
            return Router::new();
        }
        super::hashed_assets(&self.dir, &self.assets, prefix).route_layer(
            SetResponseHeaderLayer::overriding(
                header::HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("same-origin"),
            ),
        )
    }
}

fn serve_page(path: &str, page: Option<String>) -> Response {
    // The console's API answers its own 404s; a path there is never a page.
    if path.starts_with(contact_shared::console::API_PREFIX) {
        return AppError::NotFound.into_response();
    }
    match page {
        Some(html) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                // Each build names new assets, so the page is always revalidated.
                (header::CACHE_CONTROL, "no-cache"),
                (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
                (
                    header::HeaderName::from_static("cross-origin-resource-policy"),
                    "same-origin",
                ),
            ],
            html,
        )
            .into_response(),
        None => AppError::ConsoleNotBuilt.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    const PAGE: &str =
        r#"<!doctype html><script type="module" src="/console/boot-1a2b.js"></script>"#;
    const ADMIN_PAGE: &str =
        r#"<!doctype html><script type="module" src="/console/admin/boot-3c4d.js"></script>"#;

    fn built() -> (tempfile::TempDir, Router) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), PAGE).unwrap();
        std::fs::write(dir.path().join("contact-console-ab12_bg.wasm"), "wasm").unwrap();
        std::fs::write(dir.path().join("contact-console-ab12_bg.wasm.br"), "br").unwrap();
        std::fs::write(dir.path().join("console-cd34.css"), "css").unwrap();
        let admin = dir.path().join(ADMIN);
        std::fs::create_dir(&admin).unwrap();
        std::fs::write(admin.join("index.html"), ADMIN_PAGE).unwrap();
        std::fs::write(
            admin.join("contact-console-admin-ef56_bg.wasm"),
            "admin wasm",
        )
        .unwrap();
        let console = ConsoleAssets::load(dir.path());
        assert!(console.is_built());
        (dir, console.routes())
    }

    async fn get(
        router: &Router,
        path: &str,
        encoding: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let mut request = Request::get(path);
        if let Some(encoding) = encoding {
            request = request.header(header::ACCEPT_ENCODING, encoding);
        }
        let response = router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn every_client_route_under_console_answers_the_page_with_its_strict_policy() {
        let (_dir, router) = built();
        for path in [
            "/console/",
            "/console/sign-in?next=%2Fconsole%2Fall",
            "/console/queues/00G000000000001EAA",
            "/console/requests/0SR000000000001AAA",
            "/console/all?status=any&page=2",
            "/console/administration-is-not-this",
        ] {
            let (status, headers, body) = get(&router, path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(body, PAGE, "{path}");
            assert_eq!(headers[header::CONTENT_SECURITY_POLICY], PAGE_CSP, "{path}");
            assert_eq!(headers[header::CACHE_CONTROL], "no-cache", "{path}");
        }
        for path in ["/console/admin", "/console/admin/", "/console/admin/tokens"] {
            let (status, headers, body) = get(&router, path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(body, ADMIN_PAGE, "{path}");
            assert_eq!(headers[header::CONTENT_SECURITY_POLICY], PAGE_CSP, "{path}");
        }
        assert!(!PAGE_CSP.contains("unsafe-inline"));
        assert!(PAGE_CSP.contains("script-src 'self' 'wasm-unsafe-eval'"));
    }

    #[tokio::test]
    async fn assets_are_served_precompressed_and_cached_for_a_year() {
        let (_dir, router) = built();
        let (status, headers, body) =
            get(&router, "/console/contact-console-ab12_bg.wasm", Some("br")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "br");
        assert_eq!(headers[header::CONTENT_ENCODING], "br");
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers["cross-origin-resource-policy"], "same-origin");
        let (_, _, plain) = get(&router, "/console/console-cd34.css", None).await;
        assert_eq!(plain, "css");
        let (status, headers, admin) = get(
            &router,
            "/console/admin/contact-console-admin-ef56_bg.wasm",
            None,
        )
        .await;
        assert_eq!((status, admin.as_str()), (StatusCode::OK, "admin wasm"));
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
    }

    #[tokio::test]
    async fn the_bare_path_redirects_and_the_console_api_is_never_the_page() {
        let (_dir, router) = built();
        let (status, headers, _) = get(&router, "/console", None).await;
        assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(headers[header::LOCATION], "/console/");
        let (status, _, body) = get(&router, "/console/api/nothing-here", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("nothing at this address"), "{body}");
    }

    #[tokio::test]
    async fn a_missing_build_answers_how_to_build_it() {
        let dir = tempfile::tempdir().unwrap();
        let console = ConsoleAssets::load(&dir.path().join("missing"));
        assert!(!console.is_built());
        let (status, _, body) = get(&console.routes(), "/console/requests/0SR1", None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            body["message"],
            "The console is not built on this server: run `cargo xtask build`, then restart the server."
        );
    }
}

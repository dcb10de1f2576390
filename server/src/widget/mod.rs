//! Serving the built widget: the `widget.js` loader a site embeds, and the assets Trunk built.
//!
//! Trunk names its outputs with content hashes. At start-up the server finds them in the widget folder and
//! writes their names into the loader, so a page fetches `widget.js` (short cache) and then exactly the
//! assets of this build (cached for a year, as their names change with their content).

pub mod console;
mod template;

use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeFile;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::AppError;

/// The path prefix of the built assets.
const ASSETS_PATH: &str = "/widget";

/// The built widget, as found in Trunk's output folder.
#[derive(Debug, Clone, Default)]
pub struct WidgetAssets {
    dir: PathBuf,
    loader: Option<String>,
    /// The files the loader names, relative to the folder; nothing else in it is served.
    named: Vec<String>,
    /// The representatives' console, built into the same folder.
    console: console::ConsoleAssets,
}

impl WidgetAssets {
    /// Finds the built widget in `dir`. A missing or incomplete build is logged, and `/widget.js` then
    /// answers 503 until the server is restarted after a build.
    pub fn load(dir: &Path) -> Self {
        let built = build_loader(dir).and_then(|loader| Ok((loader, template::assets(dir)?)));
        let (loader, named) = match built {
            Ok((loader, assets)) => {
                let mut named = vec![assets.glue, assets.wasm, assets.css];
                named.extend(
                    assets
                        .locales
                        .iter()
                        .map(|name| format!("{}/{name}", template::LOCALES_DIR)),
                );
                (Some(loader), named)
            }
            Err(problem) => {
                tracing::warn!(dir = %dir.display(), "widget not served: {problem}");
                (None, Vec::new())
            }
        };
        Self {
            dir: dir.to_owned(),
            loader,
            named,
            console: console::ConsoleAssets::load(&dir.join(console::DIR)),
        }
    }

    /// Whether the loader and its assets were found.
    pub fn is_built(&self) -> bool {
        self.loader.is_some()
    }

    /// `GET /widget.js` and `GET /widget/*`, readable from any origin (the loader fetches the assets with
    /// CORS so their integrity can be checked). Only the assets the loader names are served, each with its
    /// build's `.br` or `.gz` to browsers that accept them; the rest of the folder (Trunk's page, the
    /// loader's source, the compressed files by their own names) is not. The loader, written at start-up,
    /// is compressed as it is sent.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let loader = self.loader.clone();
        let mut routes = Router::new().route(
            "/widget.js",
            get(move || serve_loader(loader.clone())).layer(CompressionLayer::new()),
        );
        // Without a build there is nothing to nest (axum refuses an empty router); the app's own
        // fallback answers 404.
        if !self.named.is_empty() {
            let assets =
                hashed_assets(&self.dir, &self.named, "").fallback(crate::error::not_found);
            routes = routes.nest(ASSETS_PATH, assets);
        }
        // The console is for this origin alone: it is merged outside the widget's any-origin CORS.
        routes
            .layer(CorsLayer::new().allow_origin(tower_http::cors::Any))
            .merge(self.console.routes())
    }
}

async fn serve_loader(loader: Option<String>) -> Response {
    match loader {
        Some(js) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            js,
        )
            .into_response(),
        None => AppError::WidgetNotBuilt.into_response(),
    }
}

/// Reads the loader source and writes the hashed asset names and their integrity into it.
fn build_loader(dir: &Path) -> Result<String, String> {
    template::render_loader(dir)
}

/// Content-hashed build files of `dir`, each at `{prefix}/{name}`: precompressed (brotli, gzip) by
/// `Accept-Encoding`, cached for a year as immutable. The headers go on the routes only, so a 404 is never
/// cached for a year. `names` must not be empty (axum refuses layers on an empty router).
pub(crate) fn hashed_assets<S: Clone + Send + Sync + 'static>(
    dir: &Path,
    names: &[String],
    prefix: &str,
) -> Router<S> {
    let mut assets = Router::new();
    for name in names {
        assets = assets.route_service(
            &format!("{prefix}/{name}"),
            ServeFile::new(dir.join(name))
                .precompressed_br()
                .precompressed_gzip(),
        );
    }
    assets
        .route_layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .route_layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_pins_each_asset_of_the_build_by_path_and_integrity() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("widget.js"), "var assets = __CRW_ASSETS__;").unwrap();
        std::fs::create_dir(dir.path().join("locales")).unwrap();
        std::fs::write(dir.path().join("locales/en.json"), "{}").unwrap();
        for name in [
            "contact-widget-ab12_bg.wasm",
            "contact-widget-ab12.js",
            "widget-cd34.css",
            "index.html",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let loader = build_loader(dir.path()).unwrap();
        let json = loader
            .strip_prefix("var assets = ")
            .and_then(|s| s.strip_suffix(';'))
            .unwrap();
        let assets: serde_json::Value = serde_json::from_str(json).unwrap();
        // SHA-256 of the empty file and of "{}", as `openssl dgst -sha256 -binary | base64` prints them.
        let empty = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        assert_eq!(
            assets[0],
            serde_json::json!(["widget/contact-widget-ab12.js", empty])
        );
        assert_eq!(
            assets[1],
            serde_json::json!(["widget/contact-widget-ab12_bg.wasm", empty])
        );
        assert_eq!(
            assets[2],
            serde_json::json!(["widget/widget-cd34.css", empty])
        );
        assert_eq!(
            assets[3]["en"],
            serde_json::json!([
                "widget/locales/en.json?v=44136fa3",
                "sha256-RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="
            ])
        );
    }

    #[test]
    fn an_incomplete_build_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("widget.js"), "__CRW_ASSETS__").unwrap();
        assert_eq!(
            build_loader(dir.path()),
            Err("no *_bg.wasm file".to_owned())
        );
        assert!(!WidgetAssets::load(&dir.path().join("missing")).is_built());
    }
}

//! Serving the built widget: the `widget.js` loader a site embeds, and the assets Trunk built.
//!
//! Trunk names its outputs with content hashes. At start-up the server finds them in the widget folder and
//! writes their names into the loader, so a page fetches `widget.js` (short cache) and then exactly the
//! assets of this build (cached for a year, as their names change with their content).

use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::AppError;

/// The file Trunk copies the loader source to.
const LOADER_FILE: &str = "widget.js";
/// Where in the loader the asset names go.
const ASSETS_PLACEHOLDER: &str = "__CRW_ASSETS__";
/// The path prefix of the built assets.
const ASSETS_PATH: &str = "/widget";

/// The built widget, as found in Trunk's output folder.
#[derive(Debug, Clone, Default)]
pub struct WidgetAssets {
    dir: PathBuf,
    loader: Option<String>,
}

impl WidgetAssets {
    /// Finds the built widget in `dir`. A missing or incomplete build is logged, and `/widget.js` then
    /// answers 503 until the server is restarted after a build.
    pub fn load(dir: &Path) -> Self {
        let loader = match build_loader(dir) {
            Ok(loader) => Some(loader),
            Err(problem) => {
                tracing::warn!(dir = %dir.display(), "widget not served: {problem}");
                None
            }
        };
        Self {
            dir: dir.to_owned(),
            loader,
        }
    }

    /// Whether the loader and its assets were found.
    pub fn is_built(&self) -> bool {
        self.loader.is_some()
    }

    /// `GET /widget.js` and `GET /widget/*`, readable from any origin.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let loader = self.loader.clone();
        let assets = Router::new()
            .fallback_service(ServeDir::new(&self.dir))
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ));
        Router::new()
            .route("/widget.js", get(move || serve_loader(loader.clone())))
            .nest(ASSETS_PATH, assets)
            // The loader imports the glue as a module, which browsers fetch with CORS.
            .layer(CorsLayer::new().allow_origin(tower_http::cors::Any))
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

/// Reads the loader source and writes the hashed asset names into it.
fn build_loader(dir: &Path) -> Result<String, String> {
    let source = std::fs::read_to_string(dir.join(LOADER_FILE))
        .map_err(|e| format!("cannot read {LOADER_FILE}: {e}"))?;
    if !source.contains(ASSETS_PLACEHOLDER) {
        return Err(format!(
            "{LOADER_FILE} has no {ASSETS_PLACEHOLDER} placeholder"
        ));
    }
    let names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list the folder: {e}"))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    let wasm = names
        .iter()
        .find(|n| n.ends_with("_bg.wasm"))
        .ok_or("no *_bg.wasm file")?;
    let glue = format!("{}.js", wasm.trim_end_matches("_bg.wasm"));
    if !names.contains(&glue) {
        return Err(format!("no {glue} beside {wasm}"));
    }
    let css = names
        .iter()
        .find(|n| n.ends_with(".css"))
        .ok_or("no .css file")?;
    let assets = serde_json::json!({
        "glue": format!("{}/{glue}", &ASSETS_PATH[1..]),
        "wasm": format!("{}/{wasm}", &ASSETS_PATH[1..]),
        "css": format!("{}/{css}", &ASSETS_PATH[1..]),
    });
    Ok(source.replace(ASSETS_PLACEHOLDER, &assets.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_names_the_hashed_assets_of_the_build() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("widget.js"), "var assets = __CRW_ASSETS__;").unwrap();
        for name in [
            "contact-widget-ab12_bg.wasm",
            "contact-widget-ab12.js",
            "widget-cd34.css",
            "index.html",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let loader = build_loader(dir.path()).unwrap();
        assert_eq!(
            loader,
            r#"var assets = {"css":"widget/widget-cd34.css","glue":"widget/contact-widget-ab12.js","wasm":"widget/contact-widget-ab12_bg.wasm"};"#
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

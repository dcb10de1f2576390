//! Serving the built widget: the `widget.js` loader a site embeds, and the assets Trunk built.
//!
//! Trunk names its outputs with content hashes. At start-up the server finds them in the widget folder and
//! writes their names into the loader and into `open.js` (the loader's open path, which it fetches on
//! open), so a page fetches `widget.js` (short cache) and then exactly the assets of this build (cached
//! for a year, as their names change with their content). Both are compressed then too, at the best
//! settings: the loader is on every page of every site.

pub mod console;
mod template;

use std::io::Write;
use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
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
    loader: Option<Rendered>,
    /// `open.js`, pinned by the loader as written here.
    open: Option<Rendered>,
    /// The files the loader names, relative to the folder; nothing else in it is served.
    named: Vec<String>,
    /// The representatives' console, built into the same folder.
    console: console::ConsoleAssets,
}

/// A file written at start-up (the loader, `open.js`), and its brotli and gzip encodings.
#[derive(Debug, Clone)]
struct Rendered {
    plain: Bytes,
    brotli: Bytes,
    gzip: Bytes,
}

impl Rendered {
    fn new(js: String) -> Self {
        let plain = Bytes::from(js);
        let mut brotli = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        };
        // Writing to a Vec cannot fail.
        let _ = brotli::BrotliCompress(&mut &plain[..], &mut brotli, &params);
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = gzip.write_all(&plain);
        let gzip = gzip.finish().unwrap_or_default();
        Self {
            plain,
            brotli: brotli.into(),
            gzip: gzip.into(),
        }
    }

    /// The encoding `accept_encoding` prefers (brotli, then gzip), with its `Content-Encoding`.
    fn encoded(&self, accept_encoding: &str) -> (Option<&'static str>, Bytes) {
        let accepts = |coding: &str| {
            accept_encoding.split(',').any(|item| {
                let mut parts = item.split(';').map(str::trim);
                let name = parts.next().unwrap_or_default();
                let refused = parts.any(|p| {
                    p.strip_prefix("q=")
                        .is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0))
                });
                name.eq_ignore_ascii_case(coding) && !refused
            })
        };
        if accepts("br") {
            (Some("br"), self.brotli.clone())
        } else if accepts("gzip") {
            (Some("gzip"), self.gzip.clone())
        } else {
            (None, self.plain.clone())
        }
    }
}

impl WidgetAssets {
    /// Finds the built widget in `dir`. A missing or incomplete build is logged, and `/widget.js` then
    /// answers 503 until the server is restarted after a build.
    pub fn load(dir: &Path) -> Self {
        let built = build_loader(dir)
            .and_then(|loader| Ok((loader, template::render_open(dir)?, template::assets(dir)?)));
        let (loader, open, named) = match built {
            Ok((loader, open, assets)) => {
                let mut named = vec![assets.glue, assets.wasm, assets.css];
                named.extend(
                    assets
                        .locales
                        .iter()
                        .map(|name| format!("{}/{name}", template::LOCALES_DIR)),
                );
                (
                    Some(Rendered::new(loader)),
                    Some(Rendered::new(open)),
                    named,
                )
            }
            Err(problem) => {
                tracing::warn!(dir = %dir.display(), "widget not served: {problem}");
                (None, None, Vec::new())
            }
        };
        Self {
            dir: dir.to_owned(),
            loader,
            open,
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
    /// loader's sources, the compressed files by their own names, the facade's stylesheet the loader carries)
    /// is not. The loader, `open.js` (`/widget/open.js?v=…`, so cached as the hashed assets are) and their
    /// encodings are made once, at start-up.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let loader = self.loader.clone();
        let mut routes = Router::new().route(
            "/widget.js",
            get(move |headers: HeaderMap| serve_rendered(loader.clone(), headers, LOADER_CACHE)),
        );
        // Without a build there is nothing to nest (axum refuses an empty router); the app's own
        // fallback answers 404.
        if !self.named.is_empty() {
            let open = self.open.clone();
            let assets = hashed_assets(&self.dir, &self.named, "")
                .route(
                    &format!("/{}", template::OPEN_FILE),
                    get(move |headers: HeaderMap| serve_rendered(open.clone(), headers, IMMUTABLE)),
                )
                .fallback(crate::error::not_found);
            routes = routes.nest(ASSETS_PATH, assets);
        }
        // The console is for this origin alone: it is merged outside the widget's any-origin CORS.
        routes
            .layer(CorsLayer::new().allow_origin(tower_http::cors::Any))
            .merge(self.console.routes())
    }
}

/// The loader's caching: a short while, as its asset names change with each build.
const LOADER_CACHE: &str = "public, max-age=300";
/// The caching of what a build names by its content: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A file written at start-up, in the best encoding the request accepts, with `cache`.
async fn serve_rendered(
    loader: Option<Rendered>,
    headers: HeaderMap,
    cache: &'static str,
) -> Response {
    let Some(loader) = loader else {
        return AppError::WidgetNotBuilt.into_response();
    };
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (encoding, body) = loader.encoded(accept);
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
            (header::VARY, "accept-encoding"),
        ],
        body,
    )
        .into_response();
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
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
            HeaderValue::from_static(IMMUTABLE),
        ))
        .route_layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use sha2::Digest;

    /// The locale the tests' builds ship: the facade's strings and two of the form's.
    const LOCALE: &str =
        r#"{"launcher":"L","title":"T","loading":"W","load_failed":"F","name":"N"}"#;

    /// A build in a fresh folder: the loader `source`, `open.js`, the locale `en.json` and empty assets.
    fn build(source: &str, en: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("widget.js"), source).unwrap();
        std::fs::write(dir.path().join("open.js"), "var open = __CRW_OPEN__;").unwrap();
        std::fs::create_dir(dir.path().join("locales")).unwrap();
        std::fs::write(dir.path().join("locales/en.json"), en).unwrap();
        for name in [
            "contact-widget-ab12_bg.wasm",
            "contact-widget-ab12.js",
            "widget-cd34.css",
            "index.html",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        std::fs::write(
            dir.path().join("launcher-ef56.css"),
            ".crw-launch{color:red}\n",
        )
        .unwrap();
        dir
    }

    /// The JSON a rendered file carries after `prefix`, up to its final `;`.
    fn carried(text: &str, prefix: &str) -> serde_json::Value {
        let json = text
            .strip_prefix(prefix)
            .and_then(|s| s.strip_suffix(';'))
            .unwrap();
        serde_json::from_str(json).unwrap()
    }

    /// SHA-256 of the empty file, as `openssl dgst -sha256 -binary | base64` prints it.
    const EMPTY: &str = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    #[test]
    fn the_loader_pins_open_js_as_served_and_open_js_the_wasm() {
        let dir = build("var assets = __CRW_ASSETS__;", LOCALE);
        let assets = carried(&build_loader(dir.path()).unwrap(), "var assets = ");
        let open = template::render_open(dir.path()).unwrap();
        let digest = sha2::Sha256::digest(open.as_bytes());
        let version: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            assets[0],
            serde_json::json!([
                format!("widget/open.js?v={version}"),
                format!(
                    "sha256-{}",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                )
            ])
        );
        // The facade's stylesheet and strings follow; nothing else.
        assert_eq!(assets.as_array().unwrap().len(), 3);
    }

    #[test]
    fn open_js_pins_the_glue_the_wasm_the_form_stylesheet_and_each_locale() {
        let dir = build("__CRW_ASSETS__", LOCALE);
        let assets = carried(&template::render_open(dir.path()).unwrap(), "var open = ");
        assert_eq!(
            assets[0],
            serde_json::json!(["widget/contact-widget-ab12.js", EMPTY])
        );
        assert_eq!(
            assets[1],
            serde_json::json!(["widget/contact-widget-ab12_bg.wasm", EMPTY])
        );
        assert_eq!(
            assets[2],
            serde_json::json!(["widget/widget-cd34.css", EMPTY])
        );
        // SHA-256 of LOCALE.
        assert_eq!(
            assets[3]["en"],
            serde_json::json!([
                "widget/locales/en.json?v=7d82c651",
                "sha256-fYLGUS5nfYWBzb7zu61+oFooH6eaLX3uRTDm3QX21HQ="
            ])
        );
    }

    #[test]
    fn the_loader_carries_the_facade_stylesheet_and_strings_so_the_launcher_draws_without_a_request()
     {
        let dir = build("var assets = __CRW_ASSETS__;", LOCALE);
        let assets = carried(&build_loader(dir.path()).unwrap(), "var assets = ");
        assert_eq!(assets[1], ".crw-launch{color:red}");
        // In the order the loader reads them: launcher, loading, load_failed.
        assert_eq!(assets[2], serde_json::json!(["L", "W", "F"]));
    }

    #[test]
    fn a_default_locale_without_a_facade_string_is_reported() {
        let table = [
            (
                r#"{"launcher":"L","loading":"W"}"#,
                "locales/en.json has no \"load_failed\" string",
            ),
            (
                r#"{"launcher":1,"loading":"W","load_failed":"F"}"#,
                "locales/en.json has no \"launcher\" string",
            ),
        ];
        for (locale, problem) in table {
            let dir = build("__CRW_ASSETS__", locale);
            assert_eq!(
                build_loader(dir.path()),
                Err(problem.to_owned()),
                "{locale}"
            );
        }
        let dir = build("__CRW_ASSETS__", "[]");
        assert!(
            build_loader(dir.path())
                .unwrap_err()
                .contains("is not a JSON object")
        );
    }

    #[test]
    fn the_loader_is_sent_in_the_best_encoding_the_browser_accepts() {
        let loader = Rendered::new("var a = 1;".repeat(50));
        let table = [
            ("gzip, deflate, br, zstd", Some("br")),
            ("br;q=0.5, gzip", Some("br")),
            ("BR", Some("br")),
            ("gzip, deflate", Some("gzip")),
            ("br;q=0, gzip", Some("gzip")),
            ("br; q=0.0, gzip;q=0", None),
            ("", None),
            ("identity", None),
        ];
        for (accept, expected) in table {
            let (encoding, body) = loader.encoded(accept);
            assert_eq!(encoding, expected, "{accept}");
            let plain: Vec<u8> = match encoding {
                Some("br") => {
                    let mut out = Vec::new();
                    brotli::BrotliDecompress(&mut &body[..], &mut out).unwrap();
                    out
                }
                Some(_) => {
                    let mut out = Vec::new();
                    std::io::Read::read_to_end(
                        &mut flate2::read::GzDecoder::new(&body[..]),
                        &mut out,
                    )
                    .unwrap();
                    out
                }
                None => body.to_vec(),
            };
            assert_eq!(plain, loader.plain, "{accept}");
        }
    }

    #[test]
    fn an_incomplete_build_is_reported() {
        let dir = build("__CRW_ASSETS__", LOCALE);
        std::fs::write(dir.path().join("open.js"), "var open;").unwrap();
        assert_eq!(
            build_loader(dir.path()),
            Err("open.js has no __CRW_OPEN__ placeholder".to_owned())
        );

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("widget.js"), "__CRW_ASSETS__").unwrap();
        assert_eq!(
            build_loader(dir.path()),
            Err("no *_bg.wasm file".to_owned())
        );
        assert!(!WidgetAssets::load(&dir.path().join("missing")).is_built());

        let dir = build("__CRW_ASSETS__", LOCALE);
        std::fs::remove_file(dir.path().join("launcher-ef56.css")).unwrap();
        assert_eq!(
            build_loader(dir.path()),
            Err("no launcher-*.css file".to_owned())
        );
    }
}

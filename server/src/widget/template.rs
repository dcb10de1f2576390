//! Writes the build's asset names and their Subresource Integrity hashes into the loader and into
//! `open.js`, the part of it fetched on open.
//!
//! Pure: a folder in, the files' text out. The server runs it once at start-up; `cargo xtask sizes` runs
//! the same file (included by path) to measure both exactly as they are served.

use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha256};

/// The file Trunk copies the loader source to.
pub const LOADER_FILE: &str = "widget.js";
/// Where in the loader the asset object goes.
pub const ASSETS_PLACEHOLDER: &str = "__CRW_ASSETS__";
/// The file Trunk copies the open path's source to: the loader fetches it, written over by
/// [`render_open`], when a widget opens.
pub const OPEN_FILE: &str = "open.js";
/// Where in `open.js` its assets go.
pub const OPEN_PLACEHOLDER: &str = "__CRW_OPEN__";
/// The URL path prefix of the built assets, relative to the loader.
pub const ASSETS_PREFIX: &str = "widget";
/// The folder of the locale files (`en.json`, `fr.json`, ...) inside the build.
pub const LOCALES_DIR: &str = "locales";
/// The locale every other falls back to; the build must ship it.
pub const DEFAULT_LOCALE: &str = "en";
/// How the build's facade stylesheet is named (`launcher-HASH.css`): its rules go into the loader, and no
/// browser fetches the file.
pub const FACADE_CSS_PREFIX: &str = "launcher-";
/// How the form's stylesheet is named (`widget-HASH.css`), fetched when the form opens.
pub const FORM_CSS_PREFIX: &str = "widget-";
/// The strings of the default locale the loader draws the launcher and the placeholder with, before the
/// form (and the rest of the locale) is fetched; the panel's head is drawn on open, from the locale. Only
/// the default's: each locale would cost the loader some 100 B brotli, and a page in another locale
/// fetches its locale first.
const FACADE_STRINGS: [&str; 3] = ["launcher", "loading", "load_failed"];

/// The files of a build the loader names, by their names in the build folder.
pub struct Assets {
    /// wasm-bindgen's JS glue.
    pub glue: String,
    /// The `*_bg.wasm` module.
    pub wasm: String,
    /// The form's stylesheet, fetched on open.
    pub css: String,
    /// The facade's stylesheet, whose rules the loader carries; not served.
    pub facade_css: String,
    /// The locale files, by name inside [`LOCALES_DIR`].
    pub locales: Vec<String>,
}

/// Finds the assets of the build in `dir`.
pub fn assets(dir: &Path) -> Result<Assets, String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list the folder: {e}"))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    let wasm = names
        .iter()
        .find(|n| n.ends_with("_bg.wasm"))
        .ok_or("no *_bg.wasm file")?;
    let glue = format!("{}.js", wasm.trim_end_matches("_bg.wasm"));
    if !names.contains(&glue) {
        return Err(format!("no {glue} beside {wasm}"));
    }
    let css = |prefix: &str| {
        names
            .iter()
            .find(|n| n.starts_with(prefix) && n.ends_with(".css"))
            .cloned()
            .ok_or(format!("no {prefix}*.css file"))
    };
    let form_css = css(FORM_CSS_PREFIX)?;
    let facade_css = css(FACADE_CSS_PREFIX)?;
    let folder = dir.join(LOCALES_DIR);
    let mut locales: Vec<String> = std::fs::read_dir(&folder)
        .map_err(|e| format!("cannot list {LOCALES_DIR}: {e}"))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    locales.sort();
    if !locales.contains(&format!("{DEFAULT_LOCALE}.json")) {
        return Err(format!("no {LOCALES_DIR}/{DEFAULT_LOCALE}.json"));
    }
    Ok(Assets {
        glue,
        wasm: wasm.clone(),
        css: form_css,
        facade_css,
        locales,
    })
}

/// The loader with `[open.js, facade css, facade strings]` in place of the placeholder (an array rather
/// than an object: the key names cost the loader 35 B of its 2 KB brotli), `open.js` as `[path,
/// integrity]`, pinned as [`render_open`] writes it (it pins the rest), the facade's stylesheet as its
/// text and the default locale's [`FACADE_STRINGS`] as an array in that order: all a page needs to draw
/// the launcher is in this file. The wasm's pin is in `open.js`: the loader carries the offer's analytics
/// instead, and fetches `open.js` as a pointer or the focus reaches the launcher.
pub fn render_loader(dir: &Path) -> Result<String, String> {
    let source = placeholder_source(dir, LOADER_FILE, ASSETS_PLACEHOLDER)?;
    let found = assets(dir)?;
    let facade_css = std::fs::read_to_string(dir.join(&found.facade_css))
        .map_err(|e| format!("cannot read the facade's stylesheet: {e}"))?;
    let open = render_open(dir)?;
    let assets = serde_json::json!([
        [
            format!("{ASSETS_PREFIX}/{OPEN_FILE}?v={}", version(open.as_bytes())),
            integrity(open.as_bytes())
        ],
        facade_css.trim_end(),
        facade_strings(dir)?
    ]);
    Ok(source.replace(ASSETS_PLACEHOLDER, &assets.to_string()))
}

/// `open.js` with `[glue, wasm, form css, locales]` in place of its placeholder, each asset as `[path,
/// integrity]` and `locales` an object by language tag: what only the open path fetches.
pub fn render_open(dir: &Path) -> Result<String, String> {
    let source = placeholder_source(dir, OPEN_FILE, OPEN_PLACEHOLDER)?;
    let found = assets(dir)?;
    let assets = serde_json::json!([
        asset(dir, &found.glue)?,
        asset(dir, &found.wasm)?,
        asset(dir, &found.css)?,
        locales(dir, &found.locales)?
    ]);
    Ok(source.replace(OPEN_PLACEHOLDER, &assets.to_string()))
}

/// The text of `name` in the build, which must have `placeholder` in it.
fn placeholder_source(dir: &Path, name: &str, placeholder: &str) -> Result<String, String> {
    let source =
        std::fs::read_to_string(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"))?;
    if !source.contains(placeholder) {
        return Err(format!("{name} has no {placeholder} placeholder"));
    }
    Ok(source)
}

/// The build file `name` as `[path, integrity]`.
fn asset(dir: &Path, name: &str) -> Result<serde_json::Value, String> {
    let bytes = std::fs::read(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"))?;
    Ok(serde_json::json!([
        format!("{ASSETS_PREFIX}/{name}"),
        integrity(&bytes)
    ]))
}

/// Each shipped locale as `[path?v=version, integrity]`. The files keep their names (a locale is added by
/// dropping in a file), so their [`version`] is in the query.
fn locales(
    dir: &Path,
    names: &[String],
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let mut locales = serde_json::Map::new();
    for name in names {
        let Some(tag) = name.strip_suffix(".json") else {
            continue;
        };
        let bytes = std::fs::read(dir.join(LOCALES_DIR).join(name))
            .map_err(|e| format!("cannot read {name}: {e}"))?;
        locales.insert(
            tag.to_ascii_lowercase(),
            serde_json::json!([
                format!("{ASSETS_PREFIX}/{LOCALES_DIR}/{name}?v={}", version(&bytes)),
                integrity(&bytes)
            ]),
        );
    }
    Ok(locales)
}

/// The default locale's [`FACADE_STRINGS`], in their order.
fn facade_strings(dir: &Path) -> Result<Vec<serde_json::Value>, String> {
    let name = format!("{LOCALES_DIR}/{DEFAULT_LOCALE}.json");
    let bytes = std::fs::read(dir.join(&name)).map_err(|e| format!("cannot read {name}: {e}"))?;
    let strings: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|e| format!("{name} is not a JSON object: {e}"))?;
    FACADE_STRINGS
        .iter()
        .map(|&key| match strings.get(key) {
            Some(text @ serde_json::Value::String(_)) => Ok(text.clone()),
            _ => Err(format!("{name} has no \"{key}\" string")),
        })
        .collect()
}

/// A file's version in its URL's query, for a file that keeps its name: the first 4 bytes of its SHA-256,
/// in hex. A changed file gets a new URL under the immutable cache.
fn version(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The SRI value of `bytes`: SHA-256, the shortest hash browsers accept, as every page carries two.
fn integrity(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

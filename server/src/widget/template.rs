//! Writes the build's asset names and their Subresource Integrity hashes into the loader.
//!
//! Pure: a folder in, the loader's text out. The server runs it once at start-up; `cargo xtask sizes` runs
//! the same file (included by path) to measure the loader exactly as it is served.

use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha256};

/// The file Trunk copies the loader source to.
pub const LOADER_FILE: &str = "widget.js";
/// Where in the loader the asset object goes.
pub const ASSETS_PLACEHOLDER: &str = "__CRW_ASSETS__";
/// The URL path prefix of the built assets, relative to the loader.
pub const ASSETS_PREFIX: &str = "widget";
/// The folder of the locale files (`en.json`, `fr.json`, ...) inside the build.
pub const LOCALES_DIR: &str = "locales";
/// The locale every other falls back to; the build must ship it.
pub const DEFAULT_LOCALE: &str = "en";

/// The files of a build the loader names, by their names in the build folder.
pub struct Assets {
    /// wasm-bindgen's JS glue.
    pub glue: String,
    /// The `*_bg.wasm` module.
    pub wasm: String,
    /// The stylesheet.
    pub css: String,
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
    let css = names
        .iter()
        .find(|n| n.ends_with(".css"))
        .ok_or("no .css file")?;
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
        css: css.clone(),
        locales,
    })
}

/// The loader with `[glue, wasm, css, locales]` in place of the placeholder (an array rather than an
/// object: the key names cost the loader 35 B of its 2 KB brotli), each asset as `[path, integrity]`
/// and `locales` an object by language tag.
pub fn render_loader(dir: &Path) -> Result<String, String> {
    let source = std::fs::read_to_string(dir.join(LOADER_FILE))
        .map_err(|e| format!("cannot read {LOADER_FILE}: {e}"))?;
    if !source.contains(ASSETS_PLACEHOLDER) {
        return Err(format!(
            "{LOADER_FILE} has no {ASSETS_PLACEHOLDER} placeholder"
        ));
    }
    let found = assets(dir)?;
    let asset = |name: &str| -> Result<serde_json::Value, String> {
        let bytes =
            std::fs::read(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"))?;
        Ok(serde_json::json!([
            format!("{ASSETS_PREFIX}/{name}"),
            integrity(&bytes)
        ]))
    };
    let assets = serde_json::json!([
        asset(&found.glue)?,
        asset(&found.wasm)?,
        asset(&found.css)?,
        locales(dir, &found.locales)?
    ]);
    Ok(source.replace(ASSETS_PLACEHOLDER, &assets.to_string()))
}

/// Each shipped locale as `[path?v=hash, integrity]`. The files keep their names (a locale is added by
/// dropping in a file), so the hash in the query gives a changed file a new URL under the immutable cache.
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
        let digest = Sha256::digest(&bytes);
        let version: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        locales.insert(
            tag.to_ascii_lowercase(),
            serde_json::json!([
                format!("{ASSETS_PREFIX}/{LOCALES_DIR}/{name}?v={version}"),
                integrity(&bytes)
            ]),
        );
    }
    Ok(locales)
}

/// The SRI value of `bytes`: SHA-256, the shortest hash browsers accept, as the loader carries five.
fn integrity(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

//! The build's finishing steps after Trunk: minify the loader (terser) and the glue (minify-js), then write `.br` and `.gz` beside every
//! asset so the server sends them precompressed (at the best settings, which are too slow per request).

use std::io::Write;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, anyhow, bail};

/// The kinds of file worth compressing.
const COMPRESSIBLE: [&str; 4] = ["js", "wasm", "css", "json"];

/// Stands in for the glue's default export while minifying (see [`minify_glue`]).
const DEFAULT_STAND_IN: &str = "__CRW_DEFAULT__";

/// The loader's files, which the glue's minifier leaves alone.
const LOADER_FILES: [&str; 2] = ["widget.js", "open.js"];

/// Minifies the loader in place with terser: `dist/widget.js`, which every page pays for (terser's output
/// compresses some 70 B smaller than minify-js's, brotli, and the loader's budget is 2 KB), and
/// `dist/open.js`, its open path, an ES module. Their `__CRW_ASSETS__` and `__CRW_OPEN__` placeholders
/// are free names, so they survive.
pub fn minify_loader(dist: &Path) -> Result<()> {
    terser(&dist.join("widget.js"), "__CRW_ASSETS__", &[])?;
    terser(&dist.join("open.js"), "__CRW_OPEN__", &["--module"])
}

/// Minifies `path` in place with terser, which must keep `placeholder`.
fn terser(path: &Path, placeholder: &str, options: &[&str]) -> Result<()> {
    let terser = Path::new(crate::tools::MINIFIER_DIR).join("node_modules/terser/bin/terser");
    let out = Command::new("node")
        .arg(&terser)
        .arg(path)
        .args(["--compress", "passes=3", "--mangle", "--ecma", "2020"])
        .args(options)
        .output()
        .with_context(|| format!("cannot run {}", terser.display()))?;
    if !out.status.success() {
        bail!(
            "cannot minify {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let minified = String::from_utf8(out.stdout)?;
    if !minified.contains(placeholder) {
        bail!("{}: the minified file lost its placeholder", path.display());
    }
    std::fs::write(path, minified.trim_end())?;
    Ok(())
}

/// Minifies wasm-bindgen's JS glue (every `.js` but the loader) in place, as an ES module.
pub fn minify_glue(dist: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let is_glue = path.extension().is_some_and(|e| e == "js")
            && !LOADER_FILES.iter().any(|name| path.ends_with(name));
        if !is_glue {
            continue;
        }
        // minify-js 0.5 does not parse `as default` in an export list: a stand-in name goes through.
        let source = std::fs::read_to_string(&path)?
            .replace(" as default", &format!(" as {DEFAULT_STAND_IN}"));
        let minified = minify(&source, minify_js::TopLevelMode::Module, &path)?;
        if !minified.contains(DEFAULT_STAND_IN) {
            bail!(
                "{}: the minified glue lost its default export",
                path.display()
            );
        }
        std::fs::write(&path, minified.replace(DEFAULT_STAND_IN, "default"))?;
    }
    Ok(())
}

/// `source`, the text of `path`, minified by minify-js.
fn minify(source: &str, mode: minify_js::TopLevelMode, path: &Path) -> Result<String> {
    let session = minify_js::Session::new();
    let mut out = Vec::new();
    minify_js::minify(&session, mode, source.as_bytes(), &mut out)
        .map_err(|e| anyhow!("cannot minify {}: {e:?}", path.display()))?;
    Ok(String::from_utf8(out)?)
}

/// Writes `NAME.br` and `NAME.gz` for every compressible file under `dir`.
pub fn precompress(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        // The loader is written at start-up and compressed as it is served.
        if !COMPRESSIBLE.contains(&ext) || LOADER_FILES.iter().any(|name| path.ends_with(name)) {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let mut name = path.clone().into_os_string();
        name.push(".br");
        std::fs::write(&name, brotli(&bytes)?)?;
        let mut gz = path.into_os_string();
        gz.push(".gz");
        std::fs::write(gz, gzip(&bytes)?)?;
    }
    Ok(())
}

/// Gzip at the best level.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// Brotli at the best quality.
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

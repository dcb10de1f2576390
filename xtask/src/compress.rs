//! The build's finishing steps after Trunk: minify the loader, then write `.br` and `.gz` beside every
//! asset so the server sends them precompressed (at the best settings, which are too slow per request).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, anyhow};

/// The kinds of file worth compressing.
const COMPRESSIBLE: [&str; 4] = ["js", "wasm", "css", "json"];

/// Stands in for `import(` while minifying: minify-js 0.5 does not parse dynamic imports, and a free name
/// is left as it is.
const IMPORT_STAND_IN: &str = "__CRW_IMPORT__(";

/// Minifies `dist/widget.js` in place. The `__CRW_ASSETS__` placeholder is a free name, so it survives.
pub fn minify_loader(dist: &Path) -> Result<()> {
    let path = dist.join("widget.js");
    let source = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .replace("import(", IMPORT_STAND_IN);
    let session = minify_js::Session::new();
    let mut out = Vec::new();
    minify_js::minify(
        &session,
        minify_js::TopLevelMode::Global,
        source.as_bytes(),
        &mut out,
    )
    .map_err(|e| anyhow!("cannot minify widget.js: {e:?}"))?;
    let minified = String::from_utf8(out)?.replace(IMPORT_STAND_IN, "import(");
    std::fs::write(&path, minified)?;
    Ok(())
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
        if !COMPRESSIBLE.contains(&ext) || path.ends_with("widget.js") {
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

//! The widget's transfer sizes: what a visitor's browser downloads, raw, gzip and brotli.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Prints the size of each file the widget loads from `dist`, and their total.
pub fn report(dist: &Path) -> Result<()> {
    let mut files: Vec<_> = std::fs::read_dir(dist)
        .with_context(|| format!("{} is missing: build the widget first", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".wasm") || name.ends_with(".js") || name.ends_with(".css")
        })
        .collect();
    files.sort();
    println!(
        "\n{:<44} {:>9} {:>9} {:>9}",
        "widget file", "raw", "gzip", "brotli"
    );
    let mut total = [0usize; 3];
    for path in &files {
        let bytes = std::fs::read(path)?;
        let sizes = [bytes.len(), gzip(&bytes)?, brotli(&bytes)?];
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        println!("{name:<44} {:>9} {:>9} {:>9}", sizes[0], sizes[1], sizes[2]);
        for (t, s) in total.iter_mut().zip(sizes) {
            *t += s;
        }
    }
    println!(
        "{:<44} {:>9} {:>9} {:>9}",
        "total", total[0], total[1], total[2]
    );
    Ok(())
}

fn gzip(bytes: &[u8]) -> Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn brotli(bytes: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out.len())
}

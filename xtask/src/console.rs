//! Builds the representatives' console: Trunk's release build into `dist/console/` (after the widget's,
//! whose build replaces `dist/`), then Trunk's inline start-up script moved into a content-hashed file so
//! the page's CSP allows no inline script, then every asset precompressed. None of the widget's size
//! flags: the console has a generous budget and builds on stable as it is.

use std::path::Path;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::{compress, step};

/// The console's build folder, inside the widget's.
pub const DIST: &str = "dist/console";

pub fn build() -> Result<()> {
    step(
        "building the console (Trunk, release)",
        std::process::Command::new("trunk").args([
            "build",
            "--release",
            "--config",
            "console/Trunk.toml",
        ]),
    )?;
    eprintln!(
        "\n==> moving the console's start-up script into a file, precompressing (brotli, gzip)"
    );
    let dist = Path::new(DIST);
    let page_path = dist.join("index.html");
    let page = std::fs::read_to_string(&page_path)
        .with_context(|| format!("cannot read {}", page_path.display()))?;
    let (page, name, script) = externalise_boot(&page)?;
    std::fs::write(dist.join(&name), script)?;
    std::fs::write(&page_path, page)?;
    compress::precompress(dist)
}

/// `page` with its one inline module script replaced by a reference to a file; answers the new page, the
/// file's name and its content.
pub fn externalise_boot(page: &str) -> Result<(String, String, String)> {
    // Trunk's minifier drops the quotes.
    let opens = ["<script type=\"module\">", "<script type=module>"];
    let Some((start, open)) = opens
        .into_iter()
        .find_map(|open| Some((page.find(open)?, open)))
    else {
        bail!("the console's page has no inline module script to move");
    };
    let body_start = start + open.len();
    let end = body_start
        + page[body_start..]
            .find("</script>")
            .context("the inline script is not closed")?;
    let script = page[body_start..end].trim().to_owned();
    let digest = Sha256::digest(script.as_bytes());
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let name = format!("boot-{hash}.js");
    let tag = format!("<script type=\"module\" src=\"/console/{name}\"></script>");
    let page = format!(
        "{}{tag}{}",
        &page[..start],
        &page[end + "</script>".len()..]
    );
    if opens.iter().any(|open| page.contains(open)) {
        bail!("the console's page has more than one inline module script");
    }
    Ok((page, name, script))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inline_start_up_script_becomes_a_hashed_file() {
        let page = "<head><script type=\"module\">\nimport init from '/console/app.js';\ninit();\n</script></head>";
        let (page, name, script) = externalise_boot(page).unwrap();
        assert_eq!(script, "import init from '/console/app.js';\ninit();");
        assert!(
            name.starts_with("boot-")
                && name.ends_with(".js")
                && name.len() == "boot-.js".len() + 16,
            "{name}"
        );
        assert_eq!(
            page,
            format!("<head><script type=\"module\" src=\"/console/{name}\"></script></head>")
        );
    }

    #[test]
    fn a_minified_page_has_its_script_moved_too() {
        let (page, name, _) =
            externalise_boot("<title>C</title><script type=module>init()</script>").unwrap();
        assert_eq!(
            page,
            format!("<title>C</title><script type=\"module\" src=\"/console/{name}\"></script>")
        );
    }

    #[test]
    fn a_page_without_exactly_one_inline_script_is_refused() {
        assert!(externalise_boot("<head></head>").is_err());
        let two = "<script type=\"module\">a</script><script type=\"module\">b</script>";
        assert!(externalise_boot(two).is_err());
    }
}

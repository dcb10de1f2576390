//! Builds the representatives' console, two apps (see [`APPS`]): for each, Trunk's release build with the
//! widget's size flags into its folder under `dist/console/` (after the widget's build, which replaces
//! `dist/`), then Trunk's inline start-up script moved into a content-hashed file so the page's CSP allows
//! no inline script, then wasm-bindgen's JS glue minified (its integrity hash in the page made again to
//! match) and every asset precompressed.

use std::path::Path;

use anyhow::{Context, Result, bail};
use base64::Engine;
use sha2::{Digest, Sha256, Sha384};

use crate::{compress, step};

/// The console's build folder, inside the widget's.
pub const DIST: &str = "dist/console";

/// One of the console's two apps: the work app at `/console/` and the administration app beside it, so the
/// first page fetches none of the administration's code.
pub struct App {
    /// Its Trunk configuration.
    pub config: &'static str,
    /// Its build folder.
    pub dist: &'static str,
    /// The path its assets are served under.
    pub url: &'static str,
    /// Its binary, which names its wasm and glue.
    pub bin: &'static str,
}

/// The work app first: its build replaces `dist/console/`, the administration's folder included.
pub const APPS: [App; 2] = [
    App {
        config: "console/Trunk.toml",
        dist: DIST,
        url: "/console",
        bin: "contact-console",
    },
    App {
        config: "console/Trunk-admin.toml",
        dist: "dist/console/admin",
        url: "/console/admin",
        bin: "contact-console-admin",
    },
];

pub fn build() -> Result<()> {
    for app in &APPS {
        build_app(app)?;
    }
    Ok(())
}

fn build_app(app: &App) -> Result<()> {
    // As lean as the widget's: without it the first page is over its budget (280 KB brotli of 250).
    step(
        &format!("building the console's {} (Trunk, release)", app.bin),
        crate::lean_wasm(std::process::Command::new("trunk").args([
            "build",
            "--release",
            "--config",
            app.config,
        ])),
    )?;
    eprintln!(
        "\n==> minifying {}'s JS glue, moving its start-up script into a file, precompressing",
        app.bin
    );
    let dist = Path::new(app.dist);
    let page_path = dist.join("index.html");
    let page = std::fs::read_to_string(&page_path)
        .with_context(|| format!("cannot read {}", page_path.display()))?;
    // Trunk's own minifier fails on the glue's `as default`; ours goes round it. Before the start-up
    // script is written, which is not the glue.
    // The widget's two savings that fit here: short import names (wasm and glue alike) and the glue
    // minified.
    crate::imports::shorten(dist)?;
    compress::minify_glue(dist)?;
    let (mut page, name, script) = externalise_boot(&page, app.url)?;
    std::fs::write(dist.join(&name), script)?;
    let built_prefix = format!("{}-", app.bin);
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let file = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let built = file.ends_with(".js") || file.ends_with("_bg.wasm");
        if file.starts_with(&built_prefix) && built {
            page = with_integrity(
                &page,
                &format!("{}/{file}", app.url),
                &std::fs::read(&path)?,
            )?;
        }
    }
    std::fs::write(&page_path, page)?;
    compress::precompress(dist)
}

/// `page` with the `integrity` of the tag that links `href` made again for `content`, so the browser still
/// accepts the file after it was changed.
pub fn with_integrity(page: &str, href: &str, content: &[u8]) -> Result<String> {
    let at = page
        .find(href)
        .with_context(|| format!("the console's page does not link {href}"))?;
    let tag_start = page[..at].rfind('<').context("the link is not in a tag")?;
    let tag_end = at
        + page[at..]
            .find('>')
            .context("the link's tag is not closed")?;
    let tag = &page[tag_start..tag_end];
    let Some(attribute) = tag.find("integrity=") else {
        return Ok(page.to_owned());
    };
    let value_start = tag_start + attribute + "integrity=".len();
    let quoted = page[value_start..].starts_with('"');
    let value_end = if quoted {
        value_start
            + 1
            + page[value_start + 1..]
                .find('"')
                .context("unclosed integrity")?
            + 1
    } else {
        value_start
            + page[value_start..tag_end]
                .find(|c: char| c.is_whitespace())
                .unwrap_or(tag_end - value_start)
    };
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha384::digest(content));
    let value = if quoted {
        format!("\"sha384-{digest}\"")
    } else {
        format!("sha384-{digest}")
    };
    Ok(format!(
        "{}{value}{}",
        &page[..value_start],
        &page[value_end..]
    ))
}

/// `page` with its one inline module script replaced by a reference to a file served under `url`; answers
/// the new page, the file's name and its content.
pub fn externalise_boot(page: &str, url: &str) -> Result<(String, String, String)> {
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
    let tag = format!("<script type=\"module\" src=\"{url}/{name}\"></script>");
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
        let (page, name, script) = externalise_boot(page, "/console").unwrap();
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
        let (page, name, _) = externalise_boot(
            "<title>C</title><script type=module>init()</script>",
            "/console/admin",
        )
        .unwrap();
        assert_eq!(
            page,
            format!(
                "<title>C</title><script type=\"module\" src=\"/console/admin/{name}\"></script>"
            )
        );
    }

    #[test]
    fn the_integrity_of_a_changed_file_is_made_again_quoted_or_not() {
        let sri = |content: &[u8]| {
            format!(
                "sha384-{}",
                base64::engine::general_purpose::STANDARD.encode(Sha384::digest(content))
            )
        };
        let page = "<link crossorigin href=/console/a.js integrity=sha384-old rel=modulepreload><link href=/console/b.css integrity=sha384-keep>";
        assert_eq!(
            with_integrity(page, "/console/a.js", b"new").unwrap(),
            format!(
                "<link crossorigin href=/console/a.js integrity={} rel=modulepreload><link href=/console/b.css integrity=sha384-keep>",
                sri(b"new")
            )
        );
        let quoted = "<link href=\"/console/a.js\" integrity=\"sha384-old\">";
        assert_eq!(
            with_integrity(quoted, "/console/a.js", b"new").unwrap(),
            format!(
                "<link href=\"/console/a.js\" integrity=\"{}\">",
                sri(b"new")
            )
        );
        assert!(with_integrity(page, "/console/missing.js", b"x").is_err());
    }

    #[test]
    fn a_page_without_exactly_one_inline_script_is_refused() {
        assert!(externalise_boot("<head></head>", "/console").is_err());
        let two = "<script type=\"module\">a</script><script type=\"module\">b</script>";
        assert!(externalise_boot(two, "/console").is_err());
    }
}

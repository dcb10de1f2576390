//! The demo's webhooks key: made on the first `cargo xtask run` and kept in the demo's data folder beside
//! its database, so the console can create webhook endpoints and their sealed secrets still open after a
//! restart. It is handed to the server in its environment (not on its command line, which `ps` shows)
//! and never printed.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use base64::Engine;

/// Where the key is kept: the demo's data folder, where the server's default database lives.
pub const FILE: &str = "data/webhooks.key";

/// The key in `path`, made there first (32 random bytes in base64, readable by its owner only) when
/// the file does not exist yet.
pub fn ensure(path: &Path) -> Result<String> {
    if let Ok(key) = std::fs::read_to_string(path) {
        return Ok(key.trim().to_owned());
    }
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .context("reading random bytes for the demo's webhooks key")?;
    let key = base64::engine::general_purpose::STANDARD.encode(bytes);
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating {}", folder.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut file| writeln!(file, "{key}"))
        .with_context(|| format!("writing the demo's webhooks key to {}", path.display()))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_then_reused() {
        let dir = std::env::temp_dir().join(format!("xtask-key-{}", std::process::id()));
        let path = dir.join("data/webhooks.key");
        let made = ensure(&path).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&made)
            .unwrap();
        assert_eq!(bytes.len(), 32);
        assert_eq!(ensure(&path).unwrap(), made, "reused on the next run");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

//! Shortens the names the widget's WebAssembly and its JavaScript glue know each other by.
//!
//! wasm-bindgen names each import `__wbg_NAME_HASH`, with 16 hex digits of hash, in both the wasm's import
//! section and the glue's import object: some 80 imports whose hashes are 2 KB of the widget's brotli
//! transfer, as random digits do not compress. After Trunk, each such import gets a short name (`a`, `b`,
//! ..., `aa`, ...) in both files. So does each export the glue reads (`__wbindgen_malloc`,
//! `__wasm_bindgen_func_elem_2334`, ...: `$a`, `$b`, ...); `mount` and `memory` keep their names. Only the
//! import and export sections of the wasm are rewritten, and its custom sections are dropped; every
//! other section is copied as it is.
//!
//! The custom sections are for tools, never read by a browser: the `name` section wasm-bindgen writes for
//! the shims it generates (3.2 KB raw, even though rustc's own names are stripped), `producers`,
//! `target_features` and wasm-bindgen's `__wasm_split_unstable` marker.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// The import section's id in the WebAssembly binary format.
const IMPORT_SECTION: u8 = 2;
/// A custom section's id: names, producers and other data for tools, which the module runs without.
const CUSTOM_SECTION: u8 = 0;
/// The export section's id.
const EXPORT_SECTION: u8 = 7;

/// Renames the hashed imports of the build's wasm and its glue, in place.
pub fn shorten(dist: &Path) -> Result<()> {
    let wasm_name = std::fs::read_dir(dist)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.ends_with("_bg.wasm"))
        .context("no *_bg.wasm in the build")?;
    let wasm_path = dist.join(&wasm_name);
    let glue_path = dist.join(format!("{}.js", wasm_name.trim_end_matches("_bg.wasm")));
    let wasm = std::fs::read(&wasm_path)?;
    let mut glue = std::fs::read_to_string(&glue_path)
        .with_context(|| format!("cannot read {}", glue_path.display()))?;
    // A name is renamed only where the glue names it exactly once: in its import object.
    let (wasm, renamed) = rename_imports(&wasm, |name| {
        is_hashed(name) && glue.matches(name).count() == 1
    })?;
    for (old, new) in &renamed {
        glue = glue.replace(old.as_str(), new);
    }
    // An export is renamed only where the glue reads it as `wasm.NAME` and nowhere else, which leaves the
    // module's own API (`mount`, `memory`) as it is.
    let (wasm, renamed) = rename_exports(&wasm, |name| {
        name.starts_with("__w") && {
            let uses = identifiers(&glue, name);
            !uses.is_empty() && uses.iter().all(|&at| glue[..at].ends_with("wasm."))
        }
    })?;
    for (old, new) in &renamed {
        for at in identifiers(&glue, old).into_iter().rev() {
            glue.replace_range(at..at + old.len(), new);
        }
    }
    std::fs::write(&wasm_path, wasm)?;
    std::fs::write(&glue_path, glue)?;
    Ok(())
}

/// Whether `name` is one of wasm-bindgen's generated import names.
fn is_hashed(name: &str) -> bool {
    let hex_suffix = name
        .rsplit_once('_')
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    (name.starts_with("__wbg_") && hex_suffix) || name.starts_with("__wbindgen_generic_")
}

/// Where `name` occurs in `js` as a whole identifier (not inside a longer one).
fn identifiers(js: &str, name: &str) -> Vec<usize> {
    let part =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    js.match_indices(name)
        .map(|(at, _)| at)
        .filter(|&at| {
            !part(js[..at].chars().next_back()) && !part(js[at + name.len()..].chars().next())
        })
        .collect()
}

/// The `n`th short name: `a` to `z`, then `aa`, `ab`, ...
fn short_name(mut n: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
        n -= 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// Each renamed import's `(old, new)` name.
type Renamed = Vec<(String, String)>;

/// `wasm` with the imports whose field name `rename` accepts given short names and without its custom
/// sections, and the names changed.
fn rename_imports(wasm: &[u8], rename: impl Fn(&str) -> bool) -> Result<(Vec<u8>, Renamed)> {
    if wasm.get(..4) != Some(b"\0asm") {
        bail!("not a WebAssembly module");
    }
    let mut out = wasm[..8].to_vec();
    let mut renamed = Vec::new();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        let mut reader = Reader {
            bytes: wasm,
            at: at + 1,
        };
        let size = reader.leb()? as usize;
        let start = reader.at;
        let end = start + size;
        let body = wasm
            .get(start..end)
            .context("a section runs past the end")?;
        if id == IMPORT_SECTION {
            let section = rewrite_import_section(body, &rename, &mut renamed)?;
            out.push(id);
            write_leb(&mut out, section.len() as u64);
            out.extend(section);
        } else if id != CUSTOM_SECTION {
            out.extend(&wasm[at..end]);
        }
        at = end;
    }
    Ok((out, renamed))
}

/// `wasm` with the exports whose name `rename` accepts given short names (`$a`, `$b`, ...: never the
/// name of another export), and the names changed.
fn rename_exports(wasm: &[u8], rename: impl Fn(&str) -> bool) -> Result<(Vec<u8>, Renamed)> {
    let mut out = wasm[..8].to_vec();
    let mut renamed = Vec::new();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        let mut reader = Reader {
            bytes: wasm,
            at: at + 1,
        };
        let size = reader.leb()? as usize;
        let end = reader.at + size;
        let body = wasm
            .get(reader.at..end)
            .context("a section runs past the end")?;
        if id == EXPORT_SECTION {
            let section = rewrite_export_section(body, &rename, &mut renamed)?;
            out.push(id);
            write_leb(&mut out, section.len() as u64);
            out.extend(section);
        } else {
            out.extend(&wasm[at..end]);
        }
        at = end;
    }
    Ok((out, renamed))
}

fn rewrite_export_section(
    body: &[u8],
    rename: &impl Fn(&str) -> bool,
    renamed: &mut Renamed,
) -> Result<Vec<u8>> {
    let mut reader = Reader { bytes: body, at: 0 };
    let count = reader.leb()?;
    let mut exports = Vec::new();
    for _ in 0..count {
        let name = std::str::from_utf8(reader.name()?).context("an export name is not UTF-8")?;
        let descriptor_start = reader.at;
        reader.byte()?;
        reader.leb()?;
        exports.push((name, &body[descriptor_start..reader.at]));
    }
    if reader.at != body.len() {
        bail!("the export section has bytes after its exports");
    }
    let mut out = Vec::new();
    write_leb(&mut out, count);
    let mut next = 0;
    for (name, descriptor) in &exports {
        let name = if rename(name) {
            let new = loop {
                let new = format!("${}", short_name(next));
                next += 1;
                if !exports.iter().any(|(other, _)| *other == new) {
                    break new;
                }
            };
            renamed.push(((*name).to_owned(), new.clone()));
            new
        } else {
            (*name).to_owned()
        };
        write_leb(&mut out, name.len() as u64);
        out.extend(name.as_bytes());
        out.extend(*descriptor);
    }
    Ok(out)
}

fn rewrite_import_section(
    body: &[u8],
    rename: &impl Fn(&str) -> bool,
    renamed: &mut Renamed,
) -> Result<Vec<u8>> {
    let mut reader = Reader { bytes: body, at: 0 };
    let count = reader.leb()?;
    let mut out = Vec::new();
    write_leb(&mut out, count);
    for _ in 0..count {
        let module = reader.name()?;
        let field = std::str::from_utf8(reader.name()?).context("an import name is not UTF-8")?;
        let descriptor_start = reader.at;
        reader.skip_descriptor()?;
        let descriptor = &body[descriptor_start..reader.at];
        let field = if rename(field) {
            let new = short_name(renamed.len());
            renamed.push((field.to_owned(), new.clone()));
            new
        } else {
            field.to_owned()
        };
        write_leb(&mut out, module.len() as u64);
        out.extend(module);
        write_leb(&mut out, field.len() as u64);
        out.extend(field.as_bytes());
        out.extend(descriptor);
    }
    if reader.at != body.len() {
        bail!("the import section has bytes after its imports");
    }
    Ok(out)
}

/// Reads the binary format's variable-length parts.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let byte = *self
            .bytes
            .get(self.at)
            .context("unexpected end of the wasm")?;
        self.at += 1;
        Ok(byte)
    }

    /// An unsigned LEB128 number.
    fn leb(&mut self) -> Result<u64> {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                bail!("a LEB128 number is too long");
            }
        }
    }

    /// A length-prefixed name.
    fn name(&mut self) -> Result<&'a [u8]> {
        let len = self.leb()? as usize;
        let name = self
            .bytes
            .get(self.at..self.at + len)
            .context("a name runs past the end")?;
        self.at += len;
        Ok(name)
    }

    /// An import's descriptor: a function's type, a table's, a memory's, a global's or a tag's.
    fn skip_descriptor(&mut self) -> Result<()> {
        match self.byte()? {
            0x00 => {
                self.leb()?;
            }
            0x01 => {
                self.byte()?;
                self.skip_limits()?;
            }
            0x02 => self.skip_limits()?,
            0x03 => {
                self.byte()?;
                self.byte()?;
            }
            0x04 => {
                self.byte()?;
                self.leb()?;
            }
            kind => bail!("unknown import kind {kind:#x}"),
        }
        Ok(())
    }

    fn skip_limits(&mut self) -> Result<()> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Ok(())
    }
}

fn write_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing `names` from `./glue.js`, each a function of type 0, then a custom section
    /// when `custom`.
    fn module(names: &[&str], custom: bool) -> Vec<u8> {
        let mut imports = Vec::new();
        write_leb(&mut imports, names.len() as u64);
        for name in names {
            for part in ["./glue.js", name] {
                write_leb(&mut imports, part.len() as u64);
                imports.extend(part.as_bytes());
            }
            imports.extend([0x00, 0x00]);
        }
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([0x01, 0x04, 0x01, 0x60, 0x00, 0x00]);
        wasm.push(IMPORT_SECTION);
        write_leb(&mut wasm, imports.len() as u64);
        wasm.extend(imports);
        if custom {
            wasm.extend([CUSTOM_SECTION, 0x03, 0x01, b'x', 0xff]);
        }
        wasm
    }

    #[test]
    fn hashed_imports_get_short_names_custom_sections_go_and_the_rest_of_the_module_is_kept() {
        let names = [
            "__wbg_focus_d5e2fdbdb56416f0",
            "__wbindgen_init_externref_table",
            "__wbg_setAttribute_f75317b2b5cabfb4",
            "__wbindgen_generic_0000000000000001",
        ];
        let (wasm, renamed) = rename_imports(&module(&names, true), is_hashed).unwrap();
        assert_eq!(
            wasm,
            module(&["a", "__wbindgen_init_externref_table", "b", "c"], false)
        );
        assert_eq!(
            renamed,
            [
                ("__wbg_focus_d5e2fdbdb56416f0".to_owned(), "a".to_owned()),
                (
                    "__wbg_setAttribute_f75317b2b5cabfb4".to_owned(),
                    "b".to_owned()
                ),
                (
                    "__wbindgen_generic_0000000000000001".to_owned(),
                    "c".to_owned()
                ),
            ]
        );
    }

    /// A module exporting `names`, each function 0.
    fn exporting(names: &[&str]) -> Vec<u8> {
        let mut exports = Vec::new();
        write_leb(&mut exports, names.len() as u64);
        for name in names {
            write_leb(&mut exports, name.len() as u64);
            exports.extend(name.as_bytes());
            exports.extend([0x00, 0x00]);
        }
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.push(EXPORT_SECTION);
        write_leb(&mut wasm, exports.len() as u64);
        wasm.extend(exports);
        wasm
    }

    #[test]
    fn exports_the_rule_accepts_get_short_names_that_no_other_export_has() {
        let names = ["mount", "__wbindgen_malloc", "$a", "__wbindgen_start"];
        let (wasm, renamed) = rename_exports(&exporting(&names), |n| n.starts_with("__w")).unwrap();
        assert_eq!(wasm, exporting(&["mount", "$b", "$a", "$c"]));
        assert_eq!(
            renamed,
            [
                ("__wbindgen_malloc".to_owned(), "$b".to_owned()),
                ("__wbindgen_start".to_owned(), "$c".to_owned()),
            ]
        );
    }

    #[test]
    fn identifiers_are_found_only_whole() {
        let js = "wasm.__x(1); wasm.__x2(); a__x; $__x; wasm.__x";
        assert_eq!(identifiers(js, "__x"), [5, 43]);
    }

    #[test]
    fn short_names_run_through_the_alphabet_then_grow() {
        let table = [
            (0, "a"),
            (25, "z"),
            (26, "aa"),
            (27, "ab"),
            (52, "ba"),
            (701, "zz"),
            (702, "aaa"),
        ];
        for (n, name) in table {
            assert_eq!(short_name(n), name, "{n}");
        }
    }

    #[test]
    fn what_is_not_a_module_is_refused() {
        assert!(rename_imports(b"not wasm", is_hashed).is_err());
        let mut truncated = module(&["__wbg_focus_d5e2fdbdb56416f0"], true);
        truncated.truncate(20);
        assert!(rename_imports(&truncated, is_hashed).is_err());
    }
}

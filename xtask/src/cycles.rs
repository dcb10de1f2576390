//! The module-graph check: `cargo xtask test` fails when a crate's modules depend on each other in a
//! circle, so the shape the project keeps (docs/ARCHITECTURE.md) cannot erode one import at a time.
//!
//! A node is a module (a file); an arrow is a path that file names (`use crate::a::b`, `super::c`, or a
//! path written inline) resolved to the deepest module it reaches. Containment is not dependency: a
//! folder's `mod.rs` and the files inside it may name each other freely. Every other arrow is lifted to
//! each level of the tree: among the children of one module, child A depends on sibling B when anything
//! inside A names anything inside B. A circle among siblings at any level is a cycle. Test code (from
//! `#[cfg(test)]` on) is left out: tests may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A module's path inside its crate: `[]` is the crate root, `["store", "sqlite"]` is `crate::store::sqlite`.
type ModPath = Vec<String>;

/// The crates whose module graphs must stay acyclic, by their `src/` folder.
pub const CRATES: [&str; 3] = ["server/src", "frontend/src", "shared/src"];

/// Fails naming every cycle, with the arrows that make each.
pub fn check(root: &Path) -> Result<()> {
    let mut found = Vec::new();
    for krate in CRATES {
        let graph = Graph::read(&root.join(krate))?;
        for cycle in graph.cycles() {
            found.push(format!("{krate}: {cycle}"));
        }
    }
    if found.is_empty() {
        eprintln!("module graph: no cycle in {}", CRATES.join(", "));
        return Ok(());
    }
    bail!(
        "the module graph has {} cycle(s); break each (move the shared piece down, or invert the call):\n{}",
        found.len(),
        found.join("\n")
    )
}

struct Graph {
    /// Every module of the crate.
    modules: BTreeSet<ModPath>,
    /// File-level arrows: from a module to each module it names, with one name that shows it.
    arrows: BTreeMap<ModPath, BTreeMap<ModPath, String>>,
}

impl Graph {
    fn read(src: &Path) -> Result<Self> {
        let mut files = Vec::new();
        collect(src, &mut files)?;
        let has_lib = src.join("lib.rs").exists();
        let mut sources = BTreeMap::new();
        for file in files {
            let relative = file.strip_prefix(src).expect("under src").to_owned();
            // With a lib.rs, main.rs is another crate that reaches the library by its name, not `crate::`.
            if has_lib && relative == Path::new("main.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            sources.insert(module_of(&relative), text);
        }
        let modules: BTreeSet<ModPath> = sources.keys().cloned().collect();
        let mut arrows: BTreeMap<ModPath, BTreeMap<ModPath, String>> = BTreeMap::new();
        for (module, text) in &sources {
            for path in named_paths(without_tests(&strip_comments_and_strings(text))) {
                let Some(absolute) = absolute(module, &path) else {
                    continue;
                };
                let target = deepest_module(&modules, &absolute);
                if is_within(module, &target) || is_within(&target, module) {
                    continue;
                }
                arrows
                    .entry(module.clone())
                    .or_default()
                    .entry(target)
                    .or_insert_with(|| format!("crate::{}", absolute.join("::")));
            }
        }
        Ok(Self { modules, arrows })
    }

    /// Each cycle among the children of one module, written with the file arrows behind it.
    fn cycles(&self) -> Vec<String> {
        let parents: BTreeSet<ModPath> = self
            .modules
            .iter()
            .filter(|m| !m.is_empty())
            .map(|m| m[..m.len() - 1].to_vec())
            .collect();
        let mut cycles = Vec::new();
        for parent in parents {
            let child_of = |module: &ModPath| -> Option<ModPath> {
                (module.len() > parent.len() && module.starts_with(&parent))
                    .then(|| module[..=parent.len()].to_vec())
            };
            // Sibling arrows, each with the file arrows that lift to it.
            let mut lifted: BTreeMap<ModPath, BTreeMap<ModPath, Vec<String>>> = BTreeMap::new();
            for (from, targets) in &self.arrows {
                let Some(a) = child_of(from) else { continue };
                for (to, name) in targets {
                    let Some(b) = child_of(to) else { continue };
                    if a != b {
                        lifted
                            .entry(a.clone())
                            .or_default()
                            .entry(b)
                            .or_default()
                            .push(format!("{} -> {name}", display(from)));
                    }
                }
            }
            for component in strongly_connected(&lifted) {
                let members: BTreeSet<&ModPath> = component.iter().collect();
                let mut why = Vec::new();
                for a in &component {
                    for (b, names) in lifted.get(a).into_iter().flatten() {
                        if members.contains(b) {
                            why.push(format!(
                                "{} -> {} ({})",
                                display(a),
                                display(b),
                                names.join("; ")
                            ));
                        }
                    }
                }
                cycles.push(format!(
                    "{} depend on each other: {}",
                    component.iter().map(display).collect::<Vec<_>>().join(", "),
                    why.join(" | ")
                ));
            }
        }
        cycles
    }
}

fn display(module: &ModPath) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// `store/sqlite.rs` is `store::sqlite`; `store/mod.rs` is `store`; `lib.rs` and `main.rs` are the root.
fn module_of(relative: &Path) -> ModPath {
    let mut parts: ModPath = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    let at_root = parts.is_empty() && (stem == "lib" || stem == "main");
    if stem != "mod" && !at_root {
        parts.push(stem.to_owned());
    }
    parts
}

fn is_within(module: &ModPath, ancestor: &ModPath) -> bool {
    module.starts_with(ancestor)
}

/// The longest prefix of `path` that is a module (items inside a module resolve to it).
fn deepest_module(modules: &BTreeSet<ModPath>, path: &[String]) -> ModPath {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains(prefix))
        .unwrap_or_default()
}

/// A named path made absolute from `module`, or `None` for paths into other crates.
fn absolute(module: &ModPath, path: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = match path.first().map(String::as_str) {
        Some("crate") => Vec::new(),
        Some("super" | "self") => module.clone(),
        _ => return None,
    };
    let mut rest = path;
    if rest.first().is_some_and(|s| s == "crate") {
        rest = &rest[1..];
    } else {
        while let Some(first) = rest.first() {
            match first.as_str() {
                "super" => {
                    base.pop()?;
                }
                "self" => {}
                _ => break,
            }
            rest = &rest[1..];
        }
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Source text with comments and string literals blanked, so that neither can name a path.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1).copied()) {
            ('/', Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ('/', Some('*')) => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i += 2;
            }
            ('r', Some('#' | '"'))
                if !chars
                    .get(i.wrapping_sub(1))
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_') =>
            {
                // A raw string: r"…" or r#"…"#.
                let mut j = i + 1;
                let mut hashes = 0;
                while chars.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if chars.get(j) != Some(&'"') {
                    out.push(chars[i]);
                    i += 1;
                    continue;
                }
                j += 1;
                while j < chars.len() {
                    if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                out.push_str("\"\"");
                i = j;
            }
            ('"', _) => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push_str("\"\"");
            }
            ('\'', Some(c)) if chars.get(i + 2) == Some(&'\'') || c == '\\' => {
                // A char literal ('x' or '\n'); a lifetime has no closing quote and is kept.
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The text before the first `#[cfg(test)]`: the file's own code, without its tests.
fn without_tests(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

/// Every path the code names that starts with `crate`, `super` or `self`, with `use` trees expanded
/// (`use crate::a::{b, c::d}` names `crate::a::b` and `crate::a::c::d`).
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let tokens = tokenize(code);
    let mut paths = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "use" {
            let end = tokens[i..]
                .iter()
                .position(|t| t == ";")
                .map_or(tokens.len(), |p| i + p);
            expand_use(&tokens[i + 1..end], &mut Vec::new(), &mut paths);
            i = end;
            continue;
        }
        let starts = matches!(tokens[i].as_str(), "crate" | "super" | "self")
            && tokens.get(i + 1).is_some_and(|t| t == "::")
            && !(i > 0 && tokens[i - 1] == "::");
        if starts {
            let mut path = vec![tokens[i].clone()];
            let mut j = i + 1;
            while tokens.get(j).is_some_and(|t| t == "::")
                && tokens.get(j + 1).is_some_and(|t| is_ident(t))
            {
                path.push(tokens[j + 1].clone());
                j += 2;
            }
            paths.push(path);
            i = j;
            continue;
        }
        i += 1;
    }
    paths
}

fn expand_use(tokens: &[String], prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let depth = prefix.len();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].as_str();
        match token {
            "::" => i += 1,
            "{" => {
                // Each comma-separated branch at this brace's depth continues the prefix.
                let close = matching_brace(tokens, i);
                let mut start = i + 1;
                let mut level = 0;
                for k in i + 1..close {
                    match tokens[k].as_str() {
                        "{" => level += 1,
                        "}" => level -= 1,
                        "," if level == 0 => {
                            expand_use(&tokens[start..k], &mut prefix.clone(), out);
                            start = k + 1;
                        }
                        _ => {}
                    }
                }
                expand_use(&tokens[start..close], &mut prefix.clone(), out);
                prefix.truncate(depth);
                return;
            }
            "as" => break,
            "*" => break,
            // `use a::{self, b}`: `self` is `a` itself.
            "self" if depth > 0 => i += 1,
            _ if is_ident(token) => {
                prefix.push(token.to_owned());
                i += 1;
            }
            _ => i += 1,
        }
    }
    if !prefix.is_empty() {
        out.push(prefix.clone());
    }
    prefix.truncate(depth);
}

fn matching_brace(tokens: &[String], open: usize) -> usize {
    let mut level = 0;
    for (k, token) in tokens.iter().enumerate().skip(open) {
        match token.as_str() {
            "{" => level += 1,
            "}" => {
                level -= 1;
                if level == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

fn is_ident(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && token.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Identifiers, `::`, and single punctuation characters.
fn tokenize(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push("::".into());
            i += 2;
        } else {
            if !c.is_whitespace() {
                tokens.push(c.to_string());
            }
            i += 1;
        }
    }
    tokens
}

/// Tarjan's strongly connected components with more than one member.
fn strongly_connected(
    arrows: &BTreeMap<ModPath, BTreeMap<ModPath, Vec<String>>>,
) -> Vec<Vec<ModPath>> {
    struct State<'a> {
        arrows: &'a BTreeMap<ModPath, BTreeMap<ModPath, Vec<String>>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on_stack: BTreeSet<&'a ModPath>,
        next: usize,
        found: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a ModPath) {
        state.index.insert(node, state.next);
        state.low.insert(node, state.next);
        state.next += 1;
        state.stack.push(node);
        state.on_stack.insert(node);
        if let Some(targets) = state.arrows.get(node) {
            for target in targets.keys() {
                if !state.index.contains_key(target) {
                    visit(state, target);
                    let low = state.low[node].min(state.low[target]);
                    state.low.insert(node, low);
                } else if state.on_stack.contains(target) {
                    let low = state.low[node].min(state.index[target]);
                    state.low.insert(node, low);
                }
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                component.push(member.clone());
                if member == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        arrows,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    let nodes: BTreeSet<&ModPath> = arrows
        .iter()
        .flat_map(|(from, to)| std::iter::once(from).chain(to.keys()))
        .collect();
    for node in nodes {
        if !state.index.contains_key(node) {
            visit(&mut state, node);
        }
    }
    state.found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> Graph {
        let dir = std::env::temp_dir().join(format!("cycles-test-{}", rand_suffix()));
        for (path, text) in files {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        let graph = Graph::read(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        graph
    }

    fn rand_suffix() -> String {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        )
    }

    #[test]
    fn siblings_that_name_each_other_are_a_cycle() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "use crate::b::thing;"),
            ("b.rs", "pub fn thing() { crate::a::other() }"),
        ]);
        let cycles = g.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(
            cycles[0].starts_with("a, b depend on each other"),
            "{cycles:?}"
        );
    }

    #[test]
    fn a_folder_and_its_own_files_are_not_a_cycle() {
        let g = graph(&[
            ("lib.rs", "mod store;"),
            (
                "store/mod.rs",
                "mod sqlite; pub use sqlite::Db; pub struct Error;",
            ),
            ("store/sqlite.rs", "use super::Error; pub struct Db;"),
        ]);
        assert_eq!(g.cycles(), Vec::<String>::new());
    }

    #[test]
    fn a_file_deep_in_one_folder_naming_a_folder_that_names_it_back_is_a_cycle() {
        let g = graph(&[
            ("lib.rs", "mod store; mod slots;"),
            ("store/mod.rs", "mod batch; pub struct Booking;"),
            ("store/batch.rs", "fn f() { crate::slots::taken(); }"),
            ("slots.rs", "use crate::store::Booking; pub fn taken() {}"),
        ]);
        let cycles = g.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(
            cycles[0].contains("store::batch -> crate::slots::taken"),
            "{cycles:?}"
        );
    }

    #[test]
    fn use_trees_comments_strings_and_tests_are_read_as_rust_reads_them() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b; mod c;"),
            (
                "a.rs",
                "use crate::{b::{x, y as z}, self as me};\n// crate::c::no\nconst S: &str = \"crate::c::no\";\n#[cfg(test)]\nmod tests { use crate::c::fine; }",
            ),
            ("b.rs", "pub fn x() {} pub fn y() {}"),
            ("c.rs", "use super::a::thing;"),
        ]);
        assert_eq!(g.cycles(), Vec::<String>::new());
        assert!(g.arrows[&vec!["a".to_owned()]].contains_key(&vec!["b".to_owned()]));
        assert!(!g.arrows[&vec!["a".to_owned()]].contains_key(&vec!["c".to_owned()]));
    }

    #[test]
    fn super_paths_climb_from_the_files_own_module() {
        assert_eq!(
            absolute(
                &vec!["sites".into(), "routes".into()],
                &["super".into(), "file".into(), "X".into()]
            ),
            Some(vec!["sites".to_owned(), "file".into(), "X".into()])
        );
        assert_eq!(absolute(&vec![], &["super".into(), "x".into()]), None);
        assert_eq!(
            absolute(&vec!["a".into()], &["contact_shared".into()]),
            None
        );
    }
}

//! The modules of `src/` form layers, and a module uses only the layers below it: the corpus
//! knows nothing of the reader, the reader's state nothing of its views (issue 20). This reads
//! every `crate::<module>` path in the code (comments aside, tests included) and fails on an
//! arrow that points sideways or up, unless it is one of the known ones listed in [`PENDING`],
//! each waiting for its fix. A pending arrow that is gone fails the test too, so the list only
//! shrinks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first. A module may use the modules of the layers before its own.
const LAYERS: &[&[&str]] = &[
    &["union_find", "durable", "convert", "wrap"],
    &["corpus"],
    &["output"],
    &["search"],
    &["versions"],
    &["loader"],
    &["quote", "dict", "words", "bookmarks", "convert_cpp"],
    &["app"],
    &["ui"],
    &["term", "cli"],
    // The fuzz checks (behind the `testing` feature), on top: they may exercise anything.
    &["fuzzing"],
];

/// Arrows against the layers that are known, each with what fixing it takes (issue 20).
const PENDING: &[(&str, &str, &str)] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file of `src/` belongs to (`src/corpus/load.rs` → `corpus`), or
/// `None` for the crate roots.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// The modules `source` names as `crate::<module>`, outside comments, other than `own`, with
/// the first line naming each.
fn uses(source: &str, own: &str) -> BTreeMap<String, usize> {
    let mut found = BTreeMap::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `gongbao_crate::`, not `crate::`
            }
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && name != own {
                found.entry(name).or_insert(n + 1);
            }
        }
    }
    found
}

/// What is wrong with `module` using `used`: `None` when the arrow points down (or is pending).
fn wrong(module: &str, used: &str) -> Option<String> {
    if PENDING.iter().any(|&(from, to, _)| (from, to) == (module, used)) {
        return None;
    }
    match (layer_of(module), layer_of(used)) {
        (None, _) => Some(format!("{module} is in no layer: add it to LAYERS in tests/it/layers.rs")),
        (_, None) => Some(format!("{used} is in no layer: add it to LAYERS in tests/it/layers.rs")),
        (Some(a), Some(b)) if b >= a => Some(format!("{module} uses {used}, which is not below it")),
        _ => None,
    }
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut arrows = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.expect("walk src");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let Some(module) = module_of(path.strip_prefix(&src).expect("under src")) else { continue };
        let source = std::fs::read_to_string(path).expect("read");
        for (used, line) in uses(&source, &module) {
            arrows.insert((module.clone(), used.clone()));
            if let Some(why) = wrong(&module, &used) {
                problems.push(format!("{}:{line}: {why}", path.display()));
            }
        }
    }
    for &(from, to, fix) in PENDING {
        if !arrows.contains(&(from.to_string(), to.to_string())) {
            problems.push(format!("{from} no longer uses {to} ({fix}): remove it from PENDING"));
        }
    }
    assert!(arrows.len() > 30, "only {} arrows found: is the walk reading src/?", arrows.len());
    assert!(problems.is_empty(), "arrows against the layers:\n{}", problems.join("\n"));
}

/// A back arrow planted in a module is caught: the corpus, the bottom of the pipeline,
/// reaching up into the reader.
#[test]
fn a_planted_back_arrow_is_caught() {
    let planted = "use crate::convert::Script;\n// crate::app in a comment is no use\nuse crate::app::App;\n";
    let used = uses(planted, "corpus");
    assert_eq!(used.keys().map(String::as_str).collect::<Vec<_>>(), ["app", "convert"]);
    assert_eq!(used["app"], 3);
    assert_eq!(wrong("corpus", "convert"), None, "down is allowed");
    assert!(wrong("corpus", "app").is_some_and(|w| w.contains("not below")));
    assert!(wrong("ui", "term").is_some(), "up is caught between any two layers");
    assert!(wrong("words", "dict").is_some(), "so is sideways, within a layer");
    assert!(wrong("newmodule", "corpus").is_some_and(|w| w.contains("no layer")));
}

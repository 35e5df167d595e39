//! The project's documents agree with the code: every reliability check the code cites by id
//! (`ESC-08`, `PST-12`, …) is defined in `docs/reliability.md`, so a comment never points at
//! a checklist nobody can find.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn check_id() -> Regex {
    Regex::new(r"\b(?:ENC|ESC|PST|TERM|TST)-[0-9]{2}\b").expect("the pattern compiles")
}

/// The ids `docs/reliability.md` defines: each check opens with its id in bold.
fn defined() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(root().join("docs/reliability.md")).expect("docs/reliability.md");
    let heading = Regex::new(r"(?m)^\*\*((?:ENC|ESC|PST|TERM|TST)-[0-9]{2}) — ").expect("the pattern compiles");
    let ids: Vec<String> = heading.captures_iter(&doc).map(|c| c[1].to_string()).collect();
    let set: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(set.len(), ids.len(), "an id is defined twice in docs/reliability.md");
    set
}

/// Ids in `text` that `defined` lacks, each with the line it is on.
fn undefined(text: &str, defined: &BTreeSet<String>) -> Vec<(usize, String)> {
    let id = check_id();
    text.lines()
        .enumerate()
        .flat_map(|(n, line)| id.find_iter(line).map(move |m| (n + 1, m.as_str().to_string())))
        .filter(|(_, id)| !defined.contains(id))
        .collect()
}

/// The files where code and its configuration cite checks: sources, tests and their
/// documentation, the CI script and the manifests (fixtures of news text are left out).
fn cited_in() -> Vec<PathBuf> {
    let mut files = vec![root().join("Cargo.toml"), root().join("clippy.toml"), root().join(".ci/run")];
    for dir in ["src", "tests", "fuzz/fuzz_targets"] {
        for entry in walkdir::WalkDir::new(root().join(dir)).sort_by_file_name() {
            let entry = entry.expect("walk");
            let path = entry.path();
            let pages = path.components().any(|c| c.as_os_str() == "fixtures")
                && path.extension().is_none_or(|e| e != "tsv" && e != "json");
            if entry.file_type().is_file() && !pages && path.extension().is_some_and(|e| e != "snap") {
                files.push(path.to_path_buf());
            }
        }
    }
    files
}

#[test]
fn every_check_id_cited_in_the_code_is_defined() {
    let defined = defined();
    assert!(defined.len() >= 50, "docs/reliability.md defines only {} checks", defined.len());
    let mut missing = Vec::new();
    let mut cited = 0;
    for path in cited_in() {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        cited += check_id().find_iter(&text).count();
        for (line, id) in undefined(&text, &defined) {
            missing.push(format!("{}:{line}: {id}", path.strip_prefix(root()).unwrap_or(&path).display()));
        }
    }
    assert!(cited > 100, "found only {cited} citations: is the walk looking in the right places?");
    assert!(missing.is_empty(), "cited but not defined in docs/reliability.md:\n{}", missing.join("\n"));
}

/// The check above would catch a citation of a check that does not exist. (The unknown ids
/// are spelt with `\u{2d}` for their hyphen, so that this file does not cite them itself.)
#[test]
fn a_planted_unknown_id_is_caught() {
    let defined = defined();
    let text = "// ESC-08: one audited sink\n// see ESC\u{2d}99 and PST\u{2d}77 too; UTF-16 is no check\n";
    assert_eq!(undefined(text, &defined), [(2, "ESC\u{2d}99".to_string()), (2, "PST\u{2d}77".to_string())]);
}

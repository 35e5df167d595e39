//! `gongbao export` writes each file's articles as its turn comes, on the loader that reads
//! files on every core (issue 20): what it writes must still be in the order of the inputs,
//! whichever file finishes first, and a file that fails must not stop the others.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn gongbao(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongbao")).args(args).stdin(Stdio::null()).output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn page(title: &str, paragraphs: usize) -> String {
    let mut text = format!("# {title}\n\n本报北京3月1日电 {title}的正文第一段。\n\n");
    for n in 0..paragraphs {
        let _ = write!(text, "正文第{n}段，记者从有关部门了解到，今年以来各项工作稳步推进，取得明显成效。\n\n");
    }
    text
}

fn sources(v: &Value) -> Vec<String> {
    v["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The articles' sources in the order the articles come, each once.
fn article_sources(v: &Value) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for a in v["articles"].as_array().expect("articles") {
        let source = a["source"].as_str().unwrap_or_default().to_string();
        if seen.last() != Some(&source) {
            seen.push(source);
        }
    }
    seen
}

/// A long file first and many short ones after: the short ones finish long before it, and
/// must still come after it, in file-name order (more files than an export lets start ahead
/// of the one it is waiting for, so the bound is crossed too).
#[test]
fn export_is_in_input_order_when_a_long_first_file_finishes_last() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("000_long.txt"), page("长文", 5_000)).expect("write");
    let mut expected = vec!["000_long.txt".to_string()];
    for n in 1..=100 {
        let name = format!("{n:03}_short.txt");
        std::fs::write(dir.path().join(&name), page(&format!("短文{n}"), 2)).expect("write");
        expected.push(name);
    }
    let folder = dir.path().display().to_string();
    let o = gongbao(&["export", "--format", "json", &folder]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(sources(&v), expected);
    assert_eq!(article_sources(&v), expected);
    // The text form, file by file in the same order.
    let o = gongbao(&["export", "--format", "text", &folder]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    let order: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("id "))
        .map(|id| id.split('#').next().unwrap_or(""))
        .collect();
    let mut files: Vec<&str> = order.clone();
    files.dedup();
    let stems: Vec<&str> = expected.iter().map(|n| n.trim_end_matches(".txt")).collect();
    assert_eq!(files, stems);
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("write");
}

/// Files that cannot be read are said on stderr, after the warnings, each once and in list
/// order; the others are all exported, and the exit status says something was skipped.
#[test]
fn a_broken_file_is_reported_and_the_rest_still_export() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.txt", page("第一篇", 3).as_bytes());
    write(dir.path(), "b.txt", b"");
    write(dir.path(), "c.txt", b"abc\0\0\0\x01\x02def\0");
    let mut undecodable = page("第四篇", 3).into_bytes();
    undecodable.extend_from_slice(b"\xff\xfe\x80 \xe4\xb8\xad\n");
    write(dir.path(), "d.txt", &undecodable);
    write(dir.path(), "e.txt", page("第五篇", 3).as_bytes());
    let folder = dir.path().display().to_string();
    let missing = dir.path().join("gone.txt").display().to_string();
    let o = gongbao(&["export", "--format", "json", &folder, &missing]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(sources(&v), ["a.txt", "d.txt", "e.txt"]);
    assert_eq!(article_sources(&v), ["a.txt", "d.txt", "e.txt"]);
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "{err}");
    assert!(lines[0].starts_with("gongbao: warning: 'd.txt': "), "{err}");
    assert!(lines[1].contains("gone.txt' does not exist"), "{err}");
    assert!(lines[2].starts_with("gongbao: 'b.txt': the file is empty"), "{err}");
    assert!(lines[3].starts_with("gongbao: 'c.txt': this looks like a binary file"), "{err}");
}

/// When nothing loads, nothing is written: no half document on stdout.
#[test]
fn an_export_where_every_file_fails_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "empty.txt", b"");
    let file = dir.path().join("empty.txt").display().to_string();
    let o = gongbao(&["export", "--format", "json", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(stderr(&o).ends_with("gongbao: nothing to read: no input could be loaded\n"), "{}", stderr(&o));
}

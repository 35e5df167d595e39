//! Hostile names and notes never reach a terminal raw outside the TUI either (issue 22).
//!
//! Files named with a title-setting and a clipboard-writing escape, a binary file and a file
//! with undecodable bytes named likewise, and a bookmark whose every field holds escapes, C1
//! and bidi controls. Every command of the real binary that prints runs over them, and every
//! byte of its stdout and stderr is checked; so are the reader's messages after it ends and
//! its Markdown export.
#![cfg(target_os = "linux")]

use crate::common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::EXE;

const TITLE: &str = "evil\u{1b}]0;PWNED\u{7}";
const CLIPBOARD: &str = "clip\u{1b}]52;c;cHduZWQ=\u{7}";
/// The second version's stem: an 8-bit CSI (as UTF-8) and a right-to-left override.
const SECOND: &str = "v2\u{9b}31m\u{202e}txt";
const BINARY: &str = "bin\u{1b}]52;c;Y2xpcA==\u{7}";
const BAD_BYTES: &str = "bad\u{1b}[2J\u{1b}]0;BYTES\u{7}";

/// What a terminal acts on: C0 but line break and tab, DEL, C1, bidi controls, and bytes that
/// are not UTF-8 (a lone 0x9B byte is an 8-bit CSI). Returns what was found, with context.
fn raw_controls(bytes: &[u8]) -> Vec<String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return vec![format!("not UTF-8 at byte {}", e.valid_up_to())],
    };
    text.char_indices()
        .filter(|&(_, c)| {
            (c < ' ' && c != '\n' && c != '\t')
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .map(|(at, c)| {
            let from = text.floor_char_boundary(at.saturating_sub(30));
            format!("U+{:04X} after {:?}", u32::from(c), &text[from..at])
        })
        .collect()
}

fn assert_safe(what: &str, out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let found = raw_controls(bytes);
        assert!(found.is_empty(), "{what}: raw controls on {stream}: {found:?}");
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    files: PathBuf,
    data: PathBuf,
}

fn communique() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/000_bdb5e1677ee91c80.txt")).expect("sample")
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let (files, data) = (dir.path().join("files"), dir.path().join("data"));
    std::fs::create_dir_all(&files).expect("mkdir");
    std::fs::create_dir_all(&data).expect("mkdir");
    let text = communique();
    std::fs::write(files.join(format!("{TITLE}.txt")), &text).expect("write");
    let second = String::from_utf8(text.clone()).expect("UTF-8 sample").replacen("各方", "多方", 1);
    std::fs::write(files.join(format!("{SECOND}.txt")), second).expect("write");
    // A name that is not UTF-8 at all: 0x9B alone.
    std::fs::write(files.join(OsStr::from_bytes(b"raw\x9b2J.txt")), "新华社北京电 各方欢迎。\n").expect("write");
    let mut bad = text.clone();
    bad.splice(300..300, [0xFF, 0xFE, 0xFF]);
    std::fs::write(files.join(format!("{BAD_BYTES}.txt")), bad).expect("write");
    std::fs::write(files.join(BINARY), [0u8, 1, 2, 0x1b, 0, 0, 0xFF, 0].repeat(64)).expect("write");
    let note = format!("note \u{9b}2J {TITLE} {CLIPBOARD} \u{202e}reversed\u{7f}\nsecond line \u{1b}[31m");
    let bookmark = serde_json::json!({
        "id": format!("id-{TITLE}"),
        "created": format!("2026-11-22T10:00:00Z{CLIPBOARD}"),
        "updated": "2026-11-22T10:00:00Z",
        "source": {"name": format!("{CLIPBOARD}.txt"), "path": format!("/tmp/{TITLE}/x.txt"), "fingerprint": ""},
        "article": {"id": format!("{TITLE}#1"), "title": format!("title {CLIPBOARD} \u{9b}1m")},
        "clause": format!("十三{TITLE}、"),
        "quote": {"text": format!("quote {TITLE} \u{2066}x\u{2069}"), "prefix": "", "suffix": "", "paragraph": 0, "offset": 0},
        "note": note,
    });
    let file = serde_json::json!({"schema_version": 1, "bookmarks": [bookmark]});
    std::fs::write(data.join("bookmarks.json"), file.to_string()).expect("write");
    // A word list edited by hand (issue 21): every field hostile.
    let word = serde_json::json!({
        "id": format!("w-{TITLE}"),
        "word": format!("各方{TITLE}"),
        "traditional": format!("各方\u{202e}{CLIPBOARD}"),
        "simplified": "各方",
        "pinyin": format!("gè fāng \u{9b}2J"),
        "senses": [format!("all parties {TITLE}"), "\u{1b}[2J"],
        "sentence": format!("各方欢迎。{CLIPBOARD}\n\u{7f}"),
        "title": format!("title {TITLE}"),
        "clause": format!("十三{TITLE}、"),
        "article": "a#1",
        "source": format!("{CLIPBOARD}.txt"),
        "added": "2026-12-06T00:00:00Z",
    });
    let words = serde_json::json!({"schema_version": 1, "words": [word]});
    std::fs::write(data.join("words.json"), words.to_string()).expect("write");
    Fixture { _dir: dir, files, data }
}

impl Fixture {
    fn run(&self, args: &[&OsStr]) -> Output {
        Command::new(EXE)
            .args(args)
            .env("GONGBAO_DATA", &self.data)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("run gongbao")
    }

    /// The ids of the first article of the two versions of the communiqué.
    fn version_ids(&self) -> (String, String) {
        let out = self.run(&["export".as_ref(), "--format".as_ref(), "json".as_ref(), self.files.as_os_str()]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("export is JSON");
        let first = |stem: &str| {
            json["articles"]
                .as_array()
                .expect("articles")
                .iter()
                .filter_map(|a| a["id"].as_str())
                .find(|id| id.starts_with(&format!("{stem}#")))
                .unwrap_or_else(|| panic!("no article of {stem:?}"))
                .to_string()
        };
        (first(TITLE), first(SECOND))
    }
}

fn os(s: &str) -> &OsStr {
    s.as_ref()
}

#[test]
fn every_command_prints_hostile_names_and_notes_inert() {
    let f = fixture();
    let files = f.files.as_os_str();
    let (a, b) = f.version_ids();
    let hostile_id = format!("{TITLE}#0");
    let (option, missing) = (format!("--{TITLE}"), format!("/nonexistent/{TITLE}"));
    let hostile_word = format!("各方{TITLE}");
    // (what, arguments, text that shows the hostile content did reach this output)
    let runs: Vec<(&str, Vec<&OsStr>, &str)> = vec![
        ("export --format text", vec![os("export"), os("--format"), os("text"), files], "PWNED"),
        ("export --format json", vec![os("export"), os("--format"), os("json"), files], "\\u001b]0;PWNED"),
        ("export --explain", vec![os("export"), os("--explain"), files], "PWNED"),
        ("search", vec![os("search"), os("各方"), files], "PWNED"),
        ("search --json", vec![os("search"), os("--json"), os("各方"), files], "PWNED"),
        ("versions", vec![os("versions"), files], "PWNED"),
        ("diff", vec![os("diff"), os(&a), os(&b), files], "PWNED"),
        ("diff --json", vec![os("diff"), os("--json"), os(&a), os(&b), files], "PWNED"),
        ("diff of an unknown id", vec![os("diff"), os(&hostile_id), os(&b), files], "PWNED"),
        ("bookmarks list", vec![os("bookmarks"), os("list")], "PWNED"),
        ("bookmarks export --format md", vec![os("bookmarks"), os("export"), os("--format"), os("md")], "PWNED"),
        (
            "bookmarks export --format json",
            vec![os("bookmarks"), os("export"), os("--format"), os("json")],
            "\\u009b2J",
        ),
        ("words list", vec![os("words"), os("list")], "PWNED"),
        ("words export --format tsv", vec![os("words"), os("export"), os("--format"), os("tsv")], "PWNED"),
        ("words export --format md", vec![os("words"), os("export"), os("--format"), os("md")], "PWNED"),
        ("lookup", vec![os("lookup"), os(&hostile_word)], "PWNED"),
        ("lookup --json", vec![os("lookup"), os("--json"), os(&hostile_word)], "PWNED"),
        ("lookup of nothing but controls", vec![os("lookup"), os("\u{1b}\u{9b}\u{7}")], "no words"),
        ("an unknown encoding", vec![os("--encoding"), os(TITLE), os("export"), files], "PWNED"),
        ("an unknown option", vec![os(&option), os("export")], "--evil"),
        ("a missing file", vec![os("export"), os(&missing)], "PWNED"),
    ];
    for (what, args, shown) in &runs {
        let out = f.run(args);
        assert_safe(what, &out);
        let all = [String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)].concat();
        assert!(all.contains(shown), "{what}: the hostile input never reached the output:\n{all}");
    }
    // The warnings of a load name every hostile file, and say what was wrong with it.
    let out = f.run(&[os("export"), os("--format"), os("text"), files]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("undecodable") && stderr.contains("BYTES"), "{stderr}");
    assert!(stderr.contains("Y2xpcA=="), "the binary file is named: {stderr}");
    // JSON keeps every value exact: the escapes decode back to the hostile bytes.
    let out = f.run(&[os("bookmarks"), os("export"), os("--format"), os("json")]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let note = json["bookmarks"][0]["note"].as_str().expect("a note");
    assert!(note.contains('\u{9b}') && note.contains(TITLE) && note.contains('\u{202e}'), "{note:?}");
}

/// The reader: started on the folder in a pseudo-terminal (stderr to a file), the bookmarks
/// exported with `x`, then quit. What it prints after the screen is restored, and the exported
/// Markdown, hold no raw control.
#[test]
fn the_reader_s_messages_and_markdown_export_are_inert() {
    let f = fixture();
    let stderr_path = f.data.parent().expect("parent").join("stderr");
    let mut reader = common::PtyReader::start(&[f.files.as_os_str()], &f.data, &stderr_path);
    reader.wait_for_text("loaded");
    let export = f.data.join("bookmarks-export.md");
    reader.send(b"B");
    reader.wait_until("the x export", |r| {
        r.send(b"x");
        std::thread::sleep(Duration::from_millis(100));
        export.exists()
    });
    reader.send(b"\x1b");
    std::thread::sleep(Duration::from_millis(100));
    reader.send(b"q");
    let status = reader.wait_exit();
    let stderr = reader.stderr();
    let markdown = std::fs::read(&export).expect("export");
    for (what, bytes) in [("stderr after the reader", &stderr), ("the x export", &markdown)] {
        let found = raw_controls(bytes);
        assert!(found.is_empty(), "{what}: raw controls {found:?}\n{}", String::from_utf8_lossy(bytes));
    }
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(stderr.contains("Y2xpcA=="), "the skipped binary file is named ({status}):\n{stderr}");
    assert!(String::from_utf8_lossy(&markdown).contains("PWNED"), "the export holds the hostile bookmark");
}

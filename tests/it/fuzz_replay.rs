//! The fuzz targets' corpora and crash inputs, replayed on stable (docs/reliability.md §5.1 item 5,
//! TST-08).
//!
//! Each cargo-fuzz target in `fuzz/` is a one-line call of a function in `gongbao::fuzzing`
//! that panics only when an invariant breaks. This test calls the same functions over:
//! - the committed corpus of each target, `fuzz/corpus/<target>/`;
//! - every crash input found and fixed so far, `fuzz/regressions/<target>/` (inputs whose fix
//!   is still to be made wait in `fuzz/pending/<target>/` and must keep failing);
//! - the regression corpus `tests/corpus/` (through every target: it is all just bytes);
//! - the seeds built here: the bundled samples, the fixtures in GBK, Big5, UTF-16 and UTF-8,
//!   the ESC-02 payloads and TST-01's mixed text, shaped for each target.
//!
//! `cargo test --test it -- --ignored fuzz_replay::write_seed_corpora` writes the seeds to
//! `fuzz/seeds/<target>/`, where `scripts/fuzz.sh` hands them to the fuzzer.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use encoding_rs::{BIG5, GBK, UTF_16LE};
use gongbao::app::Action;
use gongbao::bookmarks::{self, Passage, store::Store};
use gongbao::corpus::{Corpus, load, sanitize};
use gongbao::fuzzing::{self, ESC_02_PAYLOADS, Frame, MIXED_TEXT};

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("decode_pipeline", fuzzing::decode_pipeline),
    ("sanitize", fuzzing::sanitize),
    ("wrap", fuzzing::wrap),
    ("state_load", fuzzing::state_load),
    ("render_frames", fuzzing::render_frames),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files directly in `dir`, sorted; none when it does not exist.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

/// The ESC-02 payloads, each inside ordinary news text, and a lone ESC as the last byte.
fn payload_page() -> String {
    use std::fmt::Write as _;
    let mut text = String::from("新华社北京4月26日电 标题行\n\n");
    for (i, p) in ESC_02_PAYLOADS.iter().enumerate() {
        let _ = write!(text, "第{i}段：各方欢迎{p}合作，共同推进发展。\n\n");
    }
    text.push('\u{1b}');
    text
}

/// News text with an ESC on each side of the byte offsets where reading or scanning might
/// split the input (4 KiB and 8 KiB).
fn escape_on_chunk_boundaries() -> Vec<u8> {
    let mut bytes = "各方欢迎合作，共同推进发展。\n".repeat(300).into_bytes();
    for at in [4095, 4096, 8191, 8192] {
        bytes[at] = 0x1B;
    }
    bytes
}

/// The texts of the fixtures: every `.txt` file under `tests/fixtures/` (UTF-8, GBK, GB18030,
/// Big5, Big5-HKSCS, UTF-16LE with and without BOM, CRLF).
fn fixture_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let fixtures = root().join("tests/fixtures");
    let mut dirs = vec![fixtures.clone()];
    dirs.extend(fs::read_dir(&fixtures).expect("tests/fixtures").flatten().map(|e| e.path()).filter(|p| p.is_dir()));
    dirs.sort();
    for dir in dirs {
        for path in files_in(&dir) {
            if path.extension().is_some_and(|e| e == "txt") {
                let name = format!(
                    "fixture_{}_{}",
                    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
                );
                out.push((name, fs::read(&path).expect("a readable fixture")));
            }
        }
    }
    out
}

/// The payload page in GBK, Big5 and UTF-16LE (unmappable characters become numeric
/// references, which is fine for seeds).
fn payload_page_encoded() -> Vec<(String, Vec<u8>)> {
    let page = payload_page();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(page.encode_utf16().flat_map(u16::to_le_bytes));
    let mut utf16_bomless: Vec<u8> = page.encode_utf16().flat_map(u16::to_le_bytes).collect();
    utf16_bomless.truncate(utf16_bomless.len() - 1);
    vec![
        ("esc02_page_utf8.txt".into(), page.clone().into_bytes()),
        ("esc02_page_gbk.txt".into(), GBK.encode(&page).0.into_owned()),
        ("esc02_page_big5.txt".into(), BIG5.encode(&page).0.into_owned()),
        ("esc02_page_utf16le_bom.txt".into(), utf16),
        ("esc02_page_utf16le_truncated.txt".into(), utf16_bomless),
        ("esc_on_chunk_boundaries.txt".into(), escape_on_chunk_boundaries()),
        ("mixed.txt".into(), MIXED_TEXT.as_bytes().to_vec()),
        ("mixed_utf16le.txt".into(), UTF_16LE.encode(MIXED_TEXT).0.into_owned()),
    ]
}

/// A first paragraph of each bundled sample, about `max` bytes of it.
fn sample_excerpts(max: usize) -> Vec<(String, String)> {
    load::bundled()
        .into_iter()
        .map(|doc| {
            let text = String::from_utf8(doc.bytes).expect("the samples are UTF-8");
            let end = (0..=max.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            (doc.name, text[..end].to_owned())
        })
        .collect()
}

/// A bookmarks file as the store writes it, with one bookmark per note.
fn bookmarks_file(notes: &[&str]) -> Vec<u8> {
    let (corpus, _) = Corpus::from_docs(&load::bundled(), None);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (mut store, _) = Store::open(Some(dir.path()));
    for (i, note) in notes.iter().enumerate() {
        let article = i % corpus.articles.len();
        let text = bookmarks::article_text(&corpus.articles[article]);
        let end = text.char_indices().nth(12).map_or(text.len(), |(at, _)| at);
        let passage = Passage { article, range: 0..end };
        let mark = bookmarks::bookmark(&corpus, &passage, note).expect("a bookmark");
        store.put(mark).expect("put");
    }
    store.save().expect("save");
    fs::read(dir.path().join(bookmarks::store::FILE)).expect("the saved file")
}

fn frame(size: (u16, u16), actions: &[Action], name: &str, text: &[u8], flags: u8) -> Frame {
    Frame {
        width: size.0,
        height: size.1,
        flags,
        actions: actions.iter().map(|&a| fuzzing::action_index(a).expect("an action of the table")).collect(),
        name: name.as_bytes().to_vec(),
        text: text.to_vec(),
    }
}

/// The seeds of `target`, named.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    match target {
        "decode_pipeline" => decode_pipeline_seeds(),
        "sanitize" => sanitize_seeds(),
        "wrap" => wrap_seeds(),
        "state_load" => state_load_seeds(),
        "render_frames" => render_frames_seeds(),
        other => panic!("no target {other}"),
    }
}

/// Files as the reader loads them: the samples, the fixtures, the payload page in several
/// encodings, ESC on chunk boundaries, TST-01's mixed text.
fn decode_pipeline_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = load::bundled().into_iter().map(|d| (d.name, d.bytes)).collect();
    seeds.extend(fixture_files());
    seeds.extend(payload_page_encoded());
    seeds
}

/// Each payload inside text, the payload page, the mixed text, a combining flood with tabs and
/// CRs, excerpts of the samples.
fn sanitize_seeds() -> Vec<(String, Vec<u8>)> {
    let page = payload_page();
    let mut seeds: Vec<(String, Vec<u8>)> = ESC_02_PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("esc02_{i:02}"), format!("各方{p}合作").into_bytes()))
        .collect();
    seeds.push(("esc02_page".into(), page.into_bytes()));
    seeds.push(("mixed".into(), MIXED_TEXT.as_bytes().to_vec()));
    let flood = format!("e{}\u{200b}{}\tA\tB\r\nx\ry", "\u{301}".repeat(40), "\u{1d165}".repeat(20));
    seeds.push(("combining_flood_tabs_cr".into(), flood.into_bytes()));
    seeds.extend(sample_excerpts(1500).into_iter().map(|(n, t)| (n, t.into_bytes())));
    seeds
}

/// Texts with hard cases (no break opportunity, kinsoku marks, spaces) at widths 0 to 200.
fn wrap_seeds() -> Vec<(String, Vec<u8>)> {
    let page = payload_page();
    let mut texts: Vec<(String, String)> = vec![
        ("mixed".into(), MIXED_TEXT.to_owned()),
        ("esc02_page".into(), page),
        ("no_break_run".into(), "字".repeat(300)),
        ("kinsoku".into(), "他说：“好。”（完）——是的……对！「引号」《书名》".repeat(4)),
        ("spaces".into(), "  indented words   and  spaces   \n  next line  ".into()),
    ];
    texts.extend(sample_excerpts(1200));
    let mut seeds = Vec::new();
    for (name, text) in &texts {
        for width in [0u8, 1, 2, 3, 7, 20, 40, 79, 200] {
            seeds.push((format!("{name}_w{width}"), fuzzing::wrap_input(width, text)));
        }
    }
    seeds
}

/// Bookmark files as the store writes them, and the corrupt inputs of PST-07.
fn state_load_seeds() -> Vec<(String, Vec<u8>)> {
    let valid = bookmarks_file(&["第一条笔记", "", "see \u{1b}[2J here \u{9b}31m and \u{202e}gnirts"]);
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(&valid);
    let text = String::from_utf8(valid.clone()).expect("the store writes UTF-8");
    let newer = text.replacen("\"schema_version\":1", "\"schema_version\":99", 1);
    let compact: serde_json::Value = serde_json::from_slice(&valid).expect("valid JSON");
    let mut seeds = vec![
        ("valid.json".into(), valid.clone()),
        ("bom_valid.json".into(), bom),
        ("newer_schema.json".into(), newer.into_bytes()),
        ("one_line.json".into(), serde_json::to_vec(&compact).expect("json")),
        ("half.json".into(), valid[..valid.len() / 2].to_vec()),
        ("empty.json".into(), Vec::new()),
        ("nuls.json".into(), vec![0; 4096]),
        ("null.json".into(), b"null".to_vec()),
        ("array.json".into(), b"[]".to_vec()),
        ("deep.json".into(), format!("{}{}", "[".repeat(200), "]".repeat(200)).into_bytes()),
        ("wrong_types.json".into(), br#"{"schema_version":"1","bookmarks":{}}"#.to_vec()),
        ("missing_field.json".into(), br#"{"bookmarks":[]}"#.to_vec()),
        ("invalid_utf8.json".into(), b"{\"schema_version\":1,\"bookmarks\":[\xff\xfe]}".to_vec()),
        ("empty_list.json".into(), br#"{"schema_version":1,"bookmarks":[]}"#.to_vec()),
    ];
    seeds.push(("bookmarks.json".into(), bookmarks_file(&["x"])));
    seeds
}

/// The payload page through the reader's views at sizes from 1×1 to 200×60, the page in GBK,
/// the mixed text, and the samples.
fn render_frames_seeds() -> Vec<(String, Vec<u8>)> {
    let page = payload_page();
    let small = page.as_bytes();
    let sizes = [(80, 24), (40, 12), (20, 5), (19, 4), (1, 1), (2, 1), (200, 60), (21, 60), (200, 1)];
    let steps: [&[Action]; 8] = [
        &[],
        &[Action::Open],
        &[Action::Open, Action::PageDown, Action::Bottom],
        &[Action::ToggleScript, Action::Open],
        &[Action::SearchCorpus, Action::Input('各'), Action::Confirm],
        &[Action::ToggleOutline],
        &[Action::Open, Action::MarkParagraph, Action::Input('国'), Action::Confirm, Action::ShowBookmarks],
        &[Action::ShowMessages],
    ];
    let mut seeds = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let frames: Vec<Frame> = sizes
            .iter()
            .enumerate()
            .map(|(n, &size)| {
                // The first frame loads the page; the others resize and act on the same app.
                if n == 0 {
                    frame(size, s, "evil\u{1b}]0;x\u{7}.txt", small, fuzzing::MESSAGES)
                } else {
                    frame(size, s, "", b"", fuzzing::KEEP_APP)
                }
            })
            .collect();
        seeds.push((format!("esc02_page_steps{i}"), fuzzing::encode_frames(&frames)));
    }
    let gbk = GBK.encode(&page).0.into_owned();
    let mixed = MIXED_TEXT.as_bytes();
    let frames = vec![
        frame((80, 24), &[Action::Open], "gbk.txt", &gbk, fuzzing::COLOR),
        frame((80, 24), &[Action::Open], "mixed.txt", mixed, fuzzing::COLOR | fuzzing::WIDE),
        frame((41, 10), &[Action::Open, Action::StartVisual], "mixed.txt", mixed, fuzzing::COLOR),
        frame((3, 5), &[], "\u{202e}txt.exe", mixed, fuzzing::WIDE),
    ];
    seeds.push(("gbk_and_mixed".into(), fuzzing::encode_frames(&frames)));
    for (name, text) in sample_excerpts(1000) {
        let frames = vec![
            frame((80, 24), &[Action::Open], &name, text.as_bytes(), fuzzing::COLOR),
            frame((40, 12), &[Action::NextClause, Action::Compare], "", b"", fuzzing::KEEP_APP),
            frame((120, 40), &[Action::ToggleHelp], "", b"", fuzzing::KEEP_APP),
        ];
        seeds.push((format!("sample_{name}"), fuzzing::encode_frames(&frames)));
    }
    seeds
}

/// Runs `target` over `data`, turning a panic into its message.
fn run(target: Target, data: &[u8]) -> Result<(), String> {
    panic::catch_unwind(AssertUnwindSafe(|| target(data))).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

/// Every input of one target: committed corpus, crash files, the regression corpus and the
/// seeds.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in [
        root().join("fuzz/corpus").join(target),
        root().join("fuzz/regressions").join(target),
        root().join("tests/corpus"),
    ] {
        for path in files_in(&dir) {
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let shown = path.strip_prefix(root()).unwrap_or(&path).display().to_string();
            out.push((shown, bytes));
        }
    }
    out.extend(seeds(target).into_iter().map(|(name, bytes)| (format!("seed {name}"), bytes)));
    out
}

fn replay(target: &str) {
    let (_, function) = TARGETS.iter().find(|(name, _)| *name == target).expect("a target");
    // The panics are collected and reported together, after every input ran.
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "{target}: nothing to replay");
    let mut failures = Vec::new();
    for (name, bytes) in &inputs {
        if let Err(why) = run(*function, bytes) {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{target}: {} of {} inputs fail:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

#[test]
fn fuzz_decode_pipeline_corpus_replays() {
    replay("decode_pipeline");
}

#[test]
fn fuzz_sanitize_corpus_replays() {
    replay("sanitize");
}

#[test]
fn fuzz_wrap_corpus_replays() {
    replay("wrap");
}

#[test]
fn fuzz_state_load_corpus_replays() {
    replay("state_load");
}

#[test]
fn fuzz_render_frames_corpus_replays() {
    replay("render_frames");
}

/// Every crash input is replayed through its target, and a target's folder holds only crash
/// inputs of a target that exists.
#[test]
fn tst_08_crash_inputs_are_kept_per_existing_target() {
    for kept in ["fuzz/regressions", "fuzz/pending"] {
        let Ok(entries) = fs::read_dir(root().join(kept)) else { continue };
        for dir in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            assert!(TARGETS.iter().any(|(t, _)| *t == name), "{kept}/{name} names no target");
        }
    }
}

/// Crash inputs whose fix belongs to code this harness does not own wait in
/// `fuzz/pending/<target>/`: each must still fail, so that the day it passes the test says to
/// move it to `fuzz/regressions/`, where it is replayed for good.
#[test]
fn pending_crash_inputs_still_fail_until_fixed() {
    for (target, function) in TARGETS {
        for path in files_in(&root().join("fuzz/pending").join(target)) {
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                run(*function, &bytes).is_err(),
                "{} passes now: move it to fuzz/regressions/{target}/",
                path.strip_prefix(root()).unwrap_or(&path).display()
            );
        }
    }
}

/// The frame format reads back what was written, so seeds mean what they say.
#[test]
fn frames_encode_and_parse_back() {
    let frames = vec![
        frame((1, 1), &[], "", b"", 0),
        frame(
            (200, 60),
            &[Action::Open, Action::Input('国'), Action::Click(2, 2)],
            "名字.txt",
            "正文".as_bytes(),
            0xFF,
        ),
        frame((80, 24), &[Action::ToggleScript; 8], "n", &[0x1B; 300], fuzzing::KEEP_APP),
    ];
    assert_eq!(fuzzing::parse_frames(&fuzzing::encode_frames(&frames)), frames);
    assert!(fuzzing::parse_frames(&[]).is_empty());
    let many = vec![frame((10, 10), &[], "", b"x", 0); 60];
    assert_eq!(fuzzing::parse_frames(&fuzzing::encode_frames(&many)).len(), fuzzing::MAX_FRAMES);
}

/// The render target draws the article, not an empty or "too small" screen: the harness reaches
/// the views it claims to check.
#[test]
fn render_frames_draws_the_loaded_text() {
    let page = payload_page();
    let data = fuzzing::encode_frames(&[
        frame((80, 24), &[], "a.txt", b"x", 0),
        frame((100, 30), &[Action::Open], "evil.txt", page.as_bytes(), fuzzing::COLOR),
    ]);
    let screen = fuzzing::draw_frames(&data).expect("a screen");
    assert_eq!((screen.area.width, screen.area.height), (100, 30));
    // A wide character takes two cells, the second blank: compare without the blanks.
    let text: String = screen.content().iter().map(ratatui::buffer::Cell::symbol).filter(|s| *s != " ").collect();
    assert!(text.contains("各方欢迎"), "{text}");
    assert!(text.contains("␛"), "the escapes are shown as control pictures: {text}");
}

/// The checks catch what they are there to catch: a replay that accepts everything proves
/// nothing.
#[test]
fn the_checks_reject_broken_output() {
    use gongbao::wrap::{AmbiguousWidth, Row};
    use ratatui::buffer::{Buffer, Cell};

    // A row wider than allowed, a gap between rows, a split grapheme, trimmed letters.
    let narrow = AmbiguousWidth::Narrow;
    assert!(fuzzing::check_rows("中文字", 4, narrow, &[Row { start: 0, end: 9, width: 6 }]).is_err());
    assert!(
        fuzzing::check_rows(
            "abcd",
            2,
            narrow,
            &[Row { start: 0, end: 2, width: 2 }, Row { start: 3, end: 4, width: 1 }]
        )
        .is_err()
    );
    assert!(
        fuzzing::check_rows(
            "e\u{301}x",
            1,
            narrow,
            &[Row { start: 0, end: 1, width: 1 }, Row { start: 1, end: 4, width: 1 }]
        )
        .is_err()
    );
    assert!(fuzzing::check_rows("ab cd", 5, narrow, &[Row { start: 0, end: 5, width: 4 }]).is_err());
    assert!(fuzzing::check_rows("ab cd", 5, narrow, &[Row { start: 0, end: 5, width: 5 }]).is_ok());

    // Cells holding an escape, a bidi override, a zero-width space, a ZWJ outside an emoji,
    // an over-long cluster, each in a cell made with `Cell::new` (the cell setters are forbidden
    // by ESC-08, and ratatui's own text paths filter some of these).
    let flood: &'static str = Box::leak(format!("e{}", "\u{301}".repeat(40)).into_boxed_str());
    for bad in ["\u{1b}[2J", "a\u{202e}b", "x\u{200b}y", "a\u{200d}b", "\u{85}", "\n", flood] {
        let mut buffer = Buffer::with_lines(["ok"]);
        buffer.content[1] = Cell::new(bad);
        assert!(fuzzing::check_buffer(&buffer).is_err(), "{bad:?} passes the cell check");
    }
    let emoji = Buffer::with_lines(["👨\u{200d}👩\u{200d}👧 ❤\u{fe0f} #\u{fe0f}\u{20e3} 国"]);
    assert!(fuzzing::check_buffer(&emoji).is_ok(), "ZWJ and VS16 inside emoji are fine");

    // The sanitiser's output is checked by the sanitize target; its input need not be safe.
    assert!(!sanitize::is_display_safe("\u{1b}"));
    fuzzing::sanitize(b"\x1b[2J");
}

/// Writes the seeds to `fuzz/seeds/<target>/` for the fuzzer (see `scripts/fuzz.sh`).
#[test]
#[ignore = "writes files; run by scripts/fuzz.sh"]
fn write_seed_corpora() {
    for (target, _) in TARGETS {
        let dir = root().join("fuzz/seeds").join(target);
        fs::create_dir_all(&dir).expect("the seeds folder");
        for (name, bytes) in seeds(target) {
            let file: String =
                name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '_' { c } else { '_' }).collect();
            fs::write(dir.join(file), bytes).expect("write a seed");
        }
    }
}

/// `(name, version)` of every package in a `Cargo.lock`.
fn locked_packages(lock: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            out.push((n, v.trim_matches('"').to_string()));
        }
    }
    out
}

/// The fuzz build resolves the versions the shipped build does: a package both locks hold is
/// at the same version in each, so the fuzzers test the code that ships (refresh with
/// `cp Cargo.lock fuzz/ && cd fuzz && cargo +nightly tree`).
#[test]
fn the_fuzz_lock_agrees_with_the_main_lock() {
    let read = |p: &str| fs::read_to_string(root().join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let main = locked_packages(&read("Cargo.lock"));
    let fuzz = locked_packages(&read("fuzz/Cargo.lock"));
    assert!(main.len() > 50 && fuzz.len() > main.len() / 2, "both locks parsed: {} and {}", main.len(), fuzz.len());
    let differing: Vec<String> = fuzz
        .iter()
        .filter(|(n, v)| {
            n != "gongbao" && main.iter().any(|(m, _)| m == n) && !main.iter().any(|p| &p.0 == n && &p.1 == v)
        })
        .map(|(n, v)| format!("{n} {v}"))
        .collect();
    assert!(differing.is_empty(), "fuzz/Cargo.lock has other versions than Cargo.lock: {differing:?}");
}

/// The fuzz lock is complete: the fuzz build resolves with `--locked`, so it needs no update
/// before a run (it did, when dependencies were added to the main build and not to it).
/// Offline: where the fuzz-only crates were never downloaded, the check is skipped, visibly.
#[test]
fn the_fuzz_build_resolves_from_its_lock_as_committed() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["tree", "--locked", "--offline", "-q", "--manifest-path"])
        .arg(root().join("fuzz/Cargo.toml"))
        .output()
        .expect("run cargo tree");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("cannot update the lock file"), "fuzz/Cargo.lock is stale:\n{err}");
    if !out.status.success() {
        eprintln!("SKIPPED: the fuzz build's crates are not all here to resolve offline:\n{err}");
    }
}

//! Hostile text never reaches the terminal raw (ESC checks of `docs/reliability.md`).
//!
//! The screens are drawn through the real `CrosstermBackend` into a byte buffer. The golden
//! for a screen is the same screen drawn from the *sanitised* text (which holds no escape at
//! all): if the bytes are equal, none came from the content.

use std::collections::HashMap;

use gongbao::app::{Action, App, Settings};
use gongbao::corpus::{Corpus, load, sanitize};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

/// The payloads of ESC-02, each inside ordinary news text.
const PAYLOADS: &[&str] = &[
    "\u{1b}]0;pwned\u{7}",
    "\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}",
    "\u{1b}]8;;http://evil/\u{1b}\\click\u{1b}]8;;\u{1b}\\",
    "\u{1b}[2J\u{1b}[H",
    "\u{1b}[?1049l\u{1b}[?25l",
    "\u{1b}[6n\u{1b}[21t\u{1b}P$q m\u{1b}\\",
    "\u{1b}Pq#0;2;0;0;0#0!2147483647@\u{1b}\\",
    "\u{9b}2J\u{9d}0;x\u{9c}",
    "\u{1b}]8;;\u{1b}0m\u{1b}[>0q",
    "\u{1b}\u{1b}[[31m\u{1b}[\u{1b}[31m",
    "\u{1b}(0\u{1b}7\u{1b}8",
    "\u{202e}evil\u{202c}\u{200b}\u{2060}\u{feff}",
    "\u{1b}]0;unterminated title",
];

fn page(payloads: &[&str]) -> String {
    use std::fmt::Write as _;
    let mut text = String::from("新华社北京4月26日电 标题行\n\n");
    for (i, p) in payloads.iter().enumerate() {
        let _ = write!(text, "第{i}段：各方欢迎{p}合作，共同推进发展。\n\n");
    }
    // A lone ESC as the very last byte.
    text.push('\u{1b}');
    text
}

fn app_for(text: &str, name: &str) -> App {
    let docs = vec![load::RawDoc { name: name.into(), path: None, bytes: text.as_bytes().to_vec() }];
    let corpus = Corpus::from_docs(&docs, None).0;
    let mut app = App::new(corpus, Settings { color: false, ..Settings::default() }, HashMap::new(), (100, 30));
    app.update(Action::Resize(100, 30));
    app
}

/// A writer whose bytes can be read after the terminal has them.
#[derive(Clone, Default)]
struct Captured(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The bytes a screen of `app` sends to a terminal.
fn bytes_of(app: &App) -> Vec<u8> {
    let captured = Captured::default();
    let backend = CrosstermBackend::new(captured.clone());
    let options = TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, app.size.0, app.size.1)) };
    let mut terminal = Terminal::with_options(backend, options).expect("terminal");
    terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw");
    drop(terminal);
    captured.0.borrow().clone()
}

fn drive(app: &mut App, actions: &[Action]) {
    for &a in actions {
        app.update(a);
    }
}

#[test]
fn esc_02_payloads_never_reach_the_terminal() {
    let raw = page(PAYLOADS);
    let (safe, _) = sanitize::sanitize(&raw);
    assert!(!safe.contains('\u{1b}') && !safe.contains('\u{9b}'), "the golden has no escape");
    for steps in [
        vec![Action::Open],
        vec![Action::Open, Action::PageDown],
        vec![Action::ToggleScript, Action::ToggleScript, Action::Open],
        vec![Action::SearchCorpus, Action::Input('各'), Action::Input('方'), Action::Confirm],
        vec![Action::ToggleOutline],
    ] {
        let (mut hostile, mut golden) = (app_for(&raw, "evil.txt"), app_for(&safe, "evil.txt"));
        drive(&mut hostile, &steps);
        drive(&mut golden, &steps);
        let (h, g) = (bytes_of(&hostile), bytes_of(&golden));
        assert!(h == g, "{steps:?}: the hostile screen differs from its sanitised golden");
        for needle in ["\u{1b}]", "\u{1b}P", "\u{1b}[2J", "\u{1b}[?1049l", "\u{1b}[6n", "\u{9b}", "\u{202e}"] {
            assert!(!String::from_utf8_lossy(&h).contains(needle), "{steps:?}: {needle:?} reached the terminal");
        }
    }
}

/// ESC-06: a file name with escapes, a line break and a bidi override is shown sanitised in
/// the library, the status line and the messages view.
#[test]
fn esc_06_hostile_file_names_are_shown_sanitised() {
    for name in
        ["evil\u{1b}]0;x\u{7}.txt", "two\nlines.txt", "\u{202e}txt.exe", "a\u{200d}👧.txt", "\u{c}a\u{200d}.txt"]
    {
        let mut app = app_for("标题\n\n正文第一段，各方欢迎合作。\n", name);
        // The reader's meta line under the title shows the file name too (found by fuzzing:
        // a joiner after `a` reached a cell there).
        app.update(Action::Open);
        assert_cells_safe(&buffer_of(&app), &format!("{name:?} in the reader"));
        app.messages.push(format!("'{name}': could not be read"));
        for view in [vec![], vec![Action::ShowMessages]] {
            drive(&mut app, &view);
            let out = String::from_utf8_lossy(&bytes_of(&app)).into_owned();
            for bad in ["\u{1b}]0", "\u{7}", "\u{202e}"] {
                assert!(!out.contains(bad), "{name:?}: {bad:?} reached the terminal");
            }
            app.update(Action::Cancel);
        }
    }
}

/// ESC-07: a note with ESC, U+009B and U+202E is stored exactly (JSON-escaped on disk) and shown
/// sanitised in the bookmarks view.
#[test]
fn esc_07_hostile_notes_are_stored_exactly_and_shown_sanitised() {
    let data = tempfile::tempdir().expect("data folder");
    let note = "see \u{1b}[2J here \u{9b}31m and \u{202e}gnirts";
    let mut app = app_for(&page(&[]), "a.txt");
    app.set_bookmarks(gongbao::bookmarks::store::Store::open(Some(data.path())).0);
    drive(&mut app, &[Action::Open, Action::MarkParagraph]);
    // Typed keys refuse control characters; a pasted or hand-edited note can still hold them,
    // so the note is written into the file directly.
    drive(&mut app, &[Action::Input('x'), Action::Confirm]);
    let file = data.path().join(gongbao::bookmarks::store::FILE);
    let json = std::fs::read_to_string(&file).expect("saved");
    let hostile = json.replace("\"note\":\"x\"", &format!("\"note\":{}", serde_json::to_string(note).expect("json")));
    assert_ne!(json, hostile, "the note was found in the file");
    assert!(!hostile.contains('\u{1b}'), "escaped on disk");
    std::fs::write(&file, &hostile).expect("write");
    let (store, messages) = gongbao::bookmarks::store::Store::open(Some(data.path()));
    assert!(messages.is_empty(), "{messages:?}");
    assert_eq!(store.bookmarks()[0].note, note, "stored exactly");
    app.set_bookmarks(store);
    app.update(Action::ShowBookmarks);
    let out = String::from_utf8_lossy(&bytes_of(&app)).into_owned();
    assert!(out.contains("see"), "the note is shown");
    for bad in ["\u{1b}[2J", "\u{9b}", "\u{202e}"] {
        assert!(!out.contains(bad), "{bad:?} reached the terminal");
    }
}

/// Every cell of `buffer` is display-safe (ESC-01/04/05/09): no Cc or C1, no `Bidi_Control`,
/// no default-ignorable code point outside an emoji cluster, and at most 64 bytes.
fn assert_cells_safe(buffer: &ratatui::buffer::Buffer, what: &str) {
    if let Err(why) = gongbao::fuzzing::check_buffer(buffer) {
        panic!("{what}: {why}");
    }
}

fn buffer_of(app: &App) -> ratatui::buffer::Buffer {
    let mut terminal = Terminal::new(ratatui::backend::TestBackend::new(app.size.0, app.size.1)).expect("terminal");
    terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw");
    terminal.backend().buffer().clone()
}

fn text_of(buffer: &ratatui::buffer::Buffer) -> String {
    buffer.content().iter().map(ratatui::buffer::Cell::symbol).collect()
}

fn app_for_bytes(bytes: Vec<u8>, size: (u16, u16)) -> App {
    let docs = vec![load::RawDoc { name: "a.txt".into(), path: None, bytes }];
    let corpus = Corpus::from_docs(&docs, None).0;
    let mut app = App::new(corpus, Settings { color: false, ..Settings::default() }, HashMap::new(), size);
    app.update(Action::Resize(size.0, size.1));
    app.update(Action::Open);
    app
}

/// The visible stand-in the policy gives each C0, DEL and C1 code point.
fn placeholder(c: char) -> Option<char> {
    match c as u32 {
        0x09 | 0x0A | 0x0D => None,
        u @ 0x00..=0x1F => char::from_u32(0x2400 + u),
        0x7F => Some('␡'),
        _ => None,
    }
}

#[test]
fn esc_01_every_c0_del_and_c1_code_point_is_shown_as_a_placeholder_never_raw() {
    let controls = (0u32..=0x1F).chain([0x7F]).chain(0x80..=0x9F).filter_map(char::from_u32);
    for c in controls {
        let text = format!("标题\n\n正文开头，各方欢迎{c}合作，共同推进发展。\n");
        let app = app_for_bytes(text.into_bytes(), (80, 24));
        let buffer = buffer_of(&app);
        assert_cells_safe(&buffer, &format!("U+{:04X}", c as u32));
        if let Some(p) = placeholder(c) {
            assert!(text_of(&buffer).contains(p), "U+{:04X}: no {p} on screen", c as u32);
        }
    }
    // The C0 bytes inside GBK and Big5 text (they are ASCII there too).
    for (encoding, words) in
        [(encoding_rs::GBK, "各方欢迎合作共同推进发展"), (encoding_rs::BIG5, "各方歡迎合作共同推進發展")]
    {
        for byte in (0u8..=0x1F).filter(|b| !matches!(b, b'\t' | b'\n' | b'\r')) {
            let mut bytes = encoding.encode("新闻标题\n\n").0.into_owned();
            for _ in 0..4 {
                bytes.extend_from_slice(&encoding.encode(words).0);
                bytes.push(byte);
            }
            bytes.extend_from_slice(&encoding.encode("。\n").0);
            let app = app_for_bytes(bytes, (80, 24));
            let buffer = buffer_of(&app);
            let what = format!("{} byte {byte:#04x}", encoding.name());
            assert_cells_safe(&buffer, &what);
            let p = placeholder(char::from(byte)).expect("C0");
            assert!(text_of(&buffer).contains(p), "{what}: no {p} on screen");
        }
    }
}

#[test]
fn esc_03_a_tab_moves_to_column_8_and_cr_or_crlf_break_the_line() {
    // A page as gongbao reads them: a Chinese title over a paragraph. (Two bare English lines
    // may be read as a title block with no text under it, which is no article at all.)
    let page = "新闻标题\n\nA\tB 以及更多的文字，这是一段正文。\n";
    let app = app_for_bytes(page.as_bytes().to_vec(), (80, 24));
    let buffer = buffer_of(&app);
    let rows: Vec<String> = (0..buffer.area.height)
        .map(|y| (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect::<String>())
        .collect();
    let row = rows.iter().find(|r| r.contains("B ") && r.contains('以')).expect("the tab line is drawn");
    let a = row.find('A').expect("A");
    let b = row.find('B').expect("B");
    assert_eq!(b - a, gongbao::corpus::sanitize::TAB_STOP, "B is not at the tab stop: {row:?}");
    // Sentences, so that the segmenter reads them as text: two bare short lines under a title
    // may as well be its subtitle, and a subtitle's lines are shown joined.
    for text in [&b"Title\n\nxx first line.\r\nyy second line.\n"[..], b"Title\n\nxx first line.\ryy second line.\n"] {
        let app = app_for_bytes(text.to_vec(), (80, 24));
        let screen: Vec<String> = {
            let buffer = buffer_of(&app);
            (0..buffer.area.height).map(|y| (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect()).collect()
        };
        let first = screen.iter().position(|r| r.contains("xx first")).expect("first line");
        let second = screen.iter().position(|r| r.contains("yy second")).expect("second line");
        assert!(second > first, "{text:?}: one line");
        assert!(!screen[first].contains("yy"), "{text:?}: joined");
    }
}

/// The bidi controls and the invisibles of ESC-04.
const INVISIBLE: &[char] = &[
    '\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}',
    '\u{2067}', '\u{2068}', '\u{2069}', '\u{200b}', '\u{2060}', '\u{feff}',
];

#[test]
fn esc_04_bidi_and_invisible_characters_reach_no_view() {
    let data = tempfile::tempdir().expect("data folder");
    for &c in INVISIBLE {
        let what = format!("U+{:04X}", c as u32);
        let name = format!("file{c}name.txt");
        let text = format!("标题{c}一行\n\n正文{c}开头，各方欢迎{c}合作。\n\n第二段{c}。\n");
        let docs = vec![load::RawDoc { name, path: None, bytes: text.into_bytes() }];
        let corpus = Corpus::from_docs(&docs, None).0;
        let mut app = App::new(corpus, Settings { color: false, ..Settings::default() }, HashMap::new(), (100, 30));
        app.update(Action::Resize(100, 30));
        // Library, title and status bar.
        assert_cells_safe(&buffer_of(&app), &format!("{what} library"));
        app.update(Action::Open);
        assert_cells_safe(&buffer_of(&app), &format!("{what} article"));
        // The search prompt's echo, with the character typed into it.
        drive(&mut app, &[Action::SearchPrompt, Action::Input('各'), Action::Input(c), Action::Input('方')]);
        assert_cells_safe(&buffer_of(&app), &format!("{what} search prompt"));
        app.update(Action::Cancel);
        // A note holding it, in the note prompt, the bookmark list and the notes view.
        let dir = data.path().join(format!("{:x}", c as u32));
        app.set_bookmarks(gongbao::bookmarks::store::Store::open(Some(&dir)).0);
        drive(&mut app, &[Action::MarkParagraph, Action::Input('注'), Action::Input(c), Action::Input('释')]);
        assert_cells_safe(&buffer_of(&app), &format!("{what} note prompt"));
        app.update(Action::Confirm);
        app.update(Action::ShowBookmarks);
        let buffer = buffer_of(&app);
        assert_cells_safe(&buffer, &format!("{what} bookmark list"));
        assert!(text_of(&buffer).contains('释'), "{what}: the note is listed");
        app.update(Action::EditNote);
        assert_cells_safe(&buffer_of(&app), &format!("{what} note editor"));
    }
}

#[test]
fn esc_05_a_combining_flood_stays_within_64_bytes_a_cell() {
    let flood = format!("标题\n\n开头e{}结尾。\n", "\u{301}".repeat(10_000));
    // A "Zalgo" paragraph of 100 KiB: letters each under a pile of marks.
    let marks: Vec<char> = (0x300..=0x36F).filter_map(char::from_u32).collect();
    let mut zalgo = String::from("标题\n\n");
    let mut i = 0;
    while zalgo.len() < 100 * 1024 {
        zalgo.push(char::from(b'a' + u8::try_from(i % 26).expect("letter")));
        for k in 0..(i % 40) {
            zalgo.push(marks[(i * 7 + k) % marks.len()]);
        }
        i += 1;
    }
    zalgo.push('\n');
    for (what, text) in [("e + 10,000 marks", flood), ("Zalgo 100 KiB", zalgo)] {
        let mut app = app_for_bytes(text.into_bytes(), (80, 24));
        assert_cells_safe(&buffer_of(&app), what);
        app.update(Action::PageDown);
        assert_cells_safe(&buffer_of(&app), what);
    }
}

#[test]
fn esc_10_ratatui_is_at_least_0_30() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).expect("Cargo.lock");
    let mut found = false;
    for entry in lock.split("[[package]]") {
        let field = |key: &str| {
            entry.lines().find_map(|l| l.strip_prefix(key).map(|v| v.trim().trim_start_matches("= ").trim_matches('"')))
        };
        if field("name ") == Some("ratatui") {
            let version: Vec<u64> =
                field("version ").expect("version").split('.').map(|n| n.parse().unwrap_or(0)).collect();
            assert!(version >= vec![0, 30, 0], "ratatui {version:?} is older than 0.30.0");
            found = true;
        }
    }
    assert!(found, "ratatui is not in Cargo.lock");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// ESC-09 on stable: arbitrary bytes, as a file and as frame sizes and keys, through
    /// detection, decoding, sanitising, wrapping and rendering at sizes up to 200×60; every
    /// cell display-safe and within 64 bytes (the same check as the `render_frames` fuzz target).
    #[test]
    fn esc_09_arbitrary_bytes_render_only_display_safe_cells(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
        gongbao::fuzzing::render_frames(&data);
    }

    /// The same with the payloads of ESC-02 spliced into random text, so the generator does not
    /// have to find an escape sequence by chance.
    #[test]
    fn esc_09_payloads_in_random_text_render_only_display_safe_cells(
        pieces in proptest::collection::vec((0usize..PAYLOADS.len(), "[a-z\u{4e00}-\u{4e20} ，。]{0,40}"), 1..12),
        size in (1u16..=200, 1u16..=60),
    ) {
        let text: String = pieces.iter().flat_map(|(i, t)| [t.as_str(), PAYLOADS[*i]]).collect();
        let mut app = app_for(&format!("标题\n\n{text}\n"), "p.txt");
        app.update(Action::Resize(size.0, size.1));
        app.update(Action::Open);
        let mut terminal = Terminal::new(ratatui::backend::TestBackend::new(size.0, size.1)).expect("terminal");
        terminal.draw(|f| gongbao::ui::render(&app, f)).expect("draw");
        if let Err(why) = gongbao::fuzzing::check_buffer(terminal.backend().buffer()) {
            proptest::prop_assert!(false, "{}", why);
        }
    }
}

/// ESC-08: the raw terminal sinks are refused by clippy (clippy.toml), and only the two audited
/// files opt out of that refusal; this keeps both halves from being loosened unnoticed.
#[test]
fn esc_08_raw_sinks_are_refused_outside_the_audited_module() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = std::fs::read_to_string(root.join("clippy.toml")).expect("clippy.toml");
    for sink in [
        "ratatui::buffer::Cell::set_symbol",
        "ratatui::buffer::Cell::set_char",
        "std::io::stdout",
        "crossterm::style::Print",
    ] {
        assert!(config.contains(&format!("\"{sink}\"")), "clippy.toml no longer refuses {sink}");
    }
    let mut files = vec![root.join("src")];
    let mut sources = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).expect("src").map(|e| e.expect("entry").path()));
        } else if path.extension().is_some_and(|e| e == "rs") {
            sources.push(path);
        }
    }
    let audited = ["src/term.rs", "src/main.rs"];
    for path in sources {
        let relative = path.strip_prefix(root).expect("inside").to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).expect("read");
        let opts_out =
            text.contains("allow(clippy::disallowed_methods)") || text.contains("allow(clippy::disallowed_types)");
        assert!(!opts_out || audited.contains(&relative.as_str()), "{relative} opts out of the ESC-08 lint");
        if !audited.contains(&relative.as_str()) {
            for raw in ["io::stdout()", ".set_symbol(", ".set_char(", "style::Print"] {
                assert!(!text.contains(raw), "{relative} uses the raw sink {raw}");
            }
        }
    }
}

/// Short forms cut the text (the library's title for an untitled article, the outline's
/// clause text, the bookmark list's first words): a cut by characters split `#` VS16 U+20E3
/// and left the VS16 alone in a cell (found by fuzzing `render_frames`). Each emoji sequence
/// is tried at every position across the cuts.
#[test]
fn esc_09_short_forms_never_split_an_emoji_sequence() {
    let data = tempfile::tempdir().expect("data folder");
    for sequence in
        ["#\u{fe0f}\u{20e3}", "\u{2764}\u{fe0f}\u{200d}\u{1f525}", "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}"]
    {
        for lead in 0..28 {
            let what = format!("{sequence:?} after {lead} characters");
            let head = "各".repeat(lead);
            let text = format!(
                "{head}{sequence}方面继续推进务实合作，取得积极进展。\n\n一、{head}{sequence}双方同意加强合作，共同维护地区和平稳定。\n"
            );
            let docs = vec![load::RawDoc { name: "a.txt".into(), path: None, bytes: text.into_bytes() }];
            let corpus = Corpus::from_docs(&docs, None).0;
            let mut app = App::new(corpus, Settings { color: false, ..Settings::default() }, HashMap::new(), (100, 30));
            app.update(Action::Resize(100, 30));
            assert_cells_safe(&buffer_of(&app), &format!("{what}: library"));
            app.update(Action::Open);
            app.update(Action::ToggleOutline);
            assert_cells_safe(&buffer_of(&app), &format!("{what}: outline"));
            app.update(Action::ToggleOutline);
            app.set_bookmarks(gongbao::bookmarks::store::Store::open(Some(&data.path().join(lead.to_string()))).0);
            drive(&mut app, &[Action::MarkParagraph, Action::Confirm, Action::ShowBookmarks]);
            assert_cells_safe(&buffer_of(&app), &format!("{what}: bookmark list"));
        }
    }
}

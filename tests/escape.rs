//! Hostile text never reaches the terminal raw (ESC checks of `shared/docs/reliability.md`).
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
    for name in ["evil\u{1b}]0;x\u{7}.txt", "two\nlines.txt", "\u{202e}txt.exe"] {
        let mut app = app_for("标题\n\n正文第一段，各方欢迎合作。\n", name);
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

//! Bookmarks in the reader: marking and selecting passages, and finding them again after the
//! file was edited, renamed, converted to the other script, or read at another width.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use gongbao::app::{Action, App, Settings};
use gongbao::bookmarks::anchor::Found;
use gongbao::bookmarks::store::Store;
use gongbao::bookmarks::{StoredPath, article_text};
use gongbao::convert::{Converter, Script};
use gongbao::corpus::{Corpus, load};
use gongbao::search::folder;
use proptest::prelude::*;

const COMMUNIQUE: &str = "000_bdb5e1677ee91c80.txt";

fn sample_bytes(name: &str) -> Vec<u8> {
    load::bundled().into_iter().find(|d| d.name == name).expect("bundled sample").bytes
}

fn corpus_from(path: &Path) -> Corpus {
    let loaded = load::load(&[load::Input::from_arg(path.as_os_str())], 1 << 30);
    assert!(loaded.failures.is_empty(), "{:?}", loaded.failures.iter().map(ToString::to_string).collect::<Vec<_>>());
    Corpus::from_docs(&loaded.docs, None).0
}

fn reader(corpus: Corpus, data: &Path, size: (u16, u16)) -> App {
    let mut app = App::new(corpus, Settings { color: false, ..Settings::default() }, HashMap::new(), size);
    app.update(Action::Resize(size.0, size.1));
    let (store, messages) = Store::open(Some(data));
    assert!(messages.is_empty(), "{messages:?}");
    app.set_bookmarks(store);
    app
}

fn type_in(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Input(c));
    }
}

fn open_communique(app: &mut App) {
    let index = app.corpus.articles.iter().position(|a| a.clauses.len() >= 20).expect("communiqué");
    app.open_article(index);
    app.selected = index;
    app.focus = gongbao::app::Pane::Reader;
    app.update(Action::Top);
}

fn go_to_clause(app: &mut App, clause: &str) {
    app.update(Action::GoToPrompt);
    type_in(app, clause);
    app.update(Action::Confirm);
}

/// A folder holding the communiqué sample (`files/`), a data folder (`data/`), and a reader on
/// them with the bookmarks of [`make_bookmarks`] made; the folder lives as long as the guard.
fn communique_reader_with_bookmarks() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (files, data) = (dir.path().join("files"), dir.path().join("data"));
    fs::create_dir_all(&files).expect("mkdir");
    fs::write(files.join(COMMUNIQUE), sample_bytes(COMMUNIQUE)).expect("write");
    let mut app = reader(corpus_from(&files), &data, (100, 30));
    make_bookmarks(&mut app);
    (dir, app)
}

/// Three bookmarks in the communiqué: clause 十三 (a paragraph, with a note), the second
/// sentence of clause 九 (visual mode, sentences), and clause 二十一's two paragraphs.
fn make_bookmarks(app: &mut App) {
    open_communique(app);
    go_to_clause(app, "十三");
    app.update(Action::MarkParagraph);
    type_in(app, "第一行");
    app.update(Action::Newline);
    type_in(app, "second line");
    app.update(Action::Confirm);
    // The first paragraph of two sentences or more, brought to the top.
    let target = app
        .article()
        .and_then(|a| a.paragraphs.iter().position(|p| gongbao::bookmarks::sentences(&p.text).len() >= 2))
        .expect("a paragraph of several sentences");
    app.update(Action::Top);
    for _ in 0..2000 {
        if app.top_paragraph() == Some(target) {
            break;
        }
        app.update(Action::Down);
    }
    assert_eq!(app.top_paragraph(), Some(target));
    app.update(Action::StartVisual);
    // From the whole paragraph down to its first sentence, then swap ends and move the start
    // on by one: the second sentence alone, when the paragraph has several.
    let sentences = {
        let a = app.article().expect("open");
        let p = app.top_paragraph().expect("top");
        gongbao::bookmarks::sentences(&a.paragraphs[p].text).len()
    };
    for _ in 1..sentences {
        app.update(Action::PreviousSentence);
    }
    app.update(Action::SwapEnds);
    app.update(Action::NextSentence);
    app.update(Action::SwapEnds);
    app.update(Action::NextSentence);
    app.update(Action::Confirm);
    app.update(Action::Confirm);
    go_to_clause(app, "二十一");
    app.update(Action::StartVisual);
    app.update(Action::Down);
    app.update(Action::Confirm);
    type_in(app, "两段");
    app.update(Action::Confirm);
    assert_eq!(app.bookmarks.store.bookmarks().len(), 3, "{:?}", app.status);
    // The selected sentence is a strict part of its paragraph.
    let sentence = &app.bookmarks.store.bookmarks()[1].quote;
    let paragraph = &app.article().expect("open").paragraphs[sentence.paragraph].text;
    assert!(sentence.offset > 0 && sentence.text.len() < paragraph.len(), "{sentence:?}");
    let last = &app.bookmarks.store.bookmarks()[2].quote;
    assert!(last.text.starts_with("二十一、") && last.text.contains('\n'), "two paragraphs from 二十一: {last:?}");
    assert_eq!(app.bookmarks.store.unsaved(), 0, "saved at once");
}

/// Every bookmark is found, and the text there is its quote.
fn assert_all_found(app: &App, allow: &[Found]) {
    for b in app.bookmarks.store.bookmarks() {
        let (passage, how) = app.bookmarks.resolved[&b.id].clone().unwrap_or_else(|| panic!("{} lost", b.quote.text));
        assert!(allow.contains(&how), "{how:?} for {}", b.quote.text);
        let text = article_text(&app.corpus.articles[passage.article]);
        let found = &text[passage.range.clone()];
        if how == Found::Folded {
            assert_eq!(folder().fold(found), folder().fold(b.quote.text.lines().next().unwrap_or_default()));
        } else {
            assert_eq!(found, b.quote.text);
        }
    }
}

/// After a jump, the reader's top row holds the passage's first character.
fn assert_jump_lands(app: &mut App) {
    let list: Vec<_> = app.bookmarks.store.bookmarks().to_vec();
    for b in &list {
        app.jump_to_bookmark(b);
        let line = app.reader.layout.lines[app.reader.top];
        let row = &app.reader.layout.texts[line.text][line.row.start..line.row.end];
        let first = b.quote.text.chars().next().expect("non-empty");
        let first = app.converter.convert(&first.to_string(), app.settings.script).expect("converts").into_owned();
        assert!(row.contains(&first), "top row {row:?} lacks {first:?} of {:?}", b.quote.text);
    }
}

#[test]
fn bookmarks_survive_a_restart_an_edit_a_rename_and_a_script_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (files, data) = (dir.path().join("files"), dir.path().join("data"));
    fs::create_dir_all(&files).expect("mkdir");
    let original = String::from_utf8(sample_bytes(COMMUNIQUE)).expect("UTF-8 sample");
    fs::write(files.join(COMMUNIQUE), &original).expect("write");

    let mut app = reader(corpus_from(&files), &data, (100, 30));
    make_bookmarks(&mut app);
    let notes: Vec<String> = app.bookmarks.store.bookmarks().iter().map(|b| b.note.clone()).collect();
    assert!(notes.contains(&"第一行\nsecond line".to_string()), "{notes:?}");

    // A restart: the same file, a new reader; everything in place.
    let mut app = reader(corpus_from(&files), &data, (100, 30));
    assert_all_found(&app, &[Found::InPlace]);
    assert_jump_lands(&mut app);

    // Edit: two paragraphs inserted near the top, a word changed elsewhere; then renamed.
    let mut lines: Vec<&str> = original.lines().collect();
    let at = lines.iter().position(|l| l.contains("会晤")).unwrap_or(0) + 1;
    lines.insert(at, "\n编者按：这是插入的第一段文字，用于检验书签。\n\n这是插入的第二段文字。\n");
    let edited = lines.join("\n").replacen("深化", "加深", 1);
    fs::remove_file(files.join(COMMUNIQUE)).expect("rm");
    fs::write(files.join("renamed.txt"), edited).expect("write");
    let mut app = reader(corpus_from(&files), &data, (100, 30));
    assert_all_found(&app, &[Found::InPlace, Found::Moved, Found::Elsewhere]);
    assert!(
        app.bookmarks.resolved.values().flatten().all(|(_, how)| *how != Found::InPlace),
        "the edit moved every passage, so none can be where it was"
    );
    assert_jump_lands(&mut app);
    // Shown in another script, the jump still lands on the passage.
    app.update(Action::ToggleScript);
    app.update(Action::ToggleScript);
    assert_eq!(app.settings.script, Script::Traditional);
    assert_jump_lands(&mut app);

    // The file converted to Traditional characters: found through folding.
    let traditional = Converter::new().convert(&original, Script::Traditional).expect("s2t").into_owned();
    fs::write(files.join("renamed.txt"), traditional).expect("write");
    let app = reader(corpus_from(&files), &data, (100, 30));
    assert_all_found(&app, &[Found::Folded, Found::InPlace, Found::Moved, Found::Elsewhere]);
}

#[test]
fn an_unresolvable_bookmark_is_kept_listed_and_can_be_reattached() {
    let (dir, _first) = communique_reader_with_bookmarks();
    let (files, data) = (dir.path().join("files"), dir.path().join("data"));
    // Another file entirely: nothing can be found, nothing is dropped.
    fs::remove_file(files.join(COMMUNIQUE)).expect("rm");
    fs::write(files.join("other.txt"), sample_bytes("003_79302bc9a94f92f4.txt")).expect("write");
    let mut app = reader(corpus_from(&files), &data, (100, 30));
    assert_eq!(app.bookmarks.store.bookmarks().len(), 3);
    let lost = app.bookmark_rows().iter().filter(|b| !app.bookmark_found(&b.id)).count();
    assert_eq!(lost, 3);
    app.update(Action::ShowBookmarks);
    app.update(Action::Confirm);
    assert!(app.status.as_deref().is_some_and(|s| s.contains("not found")), "{:?}", app.status);
    app.update(Action::Reattach);
    let found = app.bookmark_rows().iter().filter(|b| app.bookmark_found(&b.id)).count();
    assert_eq!(found, 1);
    let (again, _) = Store::open(Some(&data));
    assert_eq!(again.bookmarks().len(), 3, "re-attaching kept the rest");
    app.update(Action::Undo);
    let found = app.bookmark_rows().iter().filter(|b| app.bookmark_found(&b.id)).count();
    assert_eq!(found, 0, "u undoes a re-attachment too");
}

#[test]
fn delete_and_undo_in_the_bookmarks_view() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let corpus = Corpus::from_docs(&load::bundled(), None).0;
    let mut app = reader(corpus, &data, (100, 30));
    make_bookmarks(&mut app);
    app.update(Action::ShowBookmarks);
    app.update(Action::DeleteBookmark);
    assert_eq!(Store::open(Some(&data)).0.bookmarks().len(), 2);
    app.update(Action::Undo);
    assert_eq!(Store::open(Some(&data)).0.bookmarks().len(), 3);
    app.update(Action::EditNote);
    type_in(&mut app, " 补充");
    app.update(Action::Confirm);
    assert!(Store::open(Some(&data)).0.bookmarks().iter().any(|b| b.note.ends_with(" 补充")));
    app.update(Action::SearchPrompt);
    type_in(&mut app, "兩段");
    assert_eq!(app.bookmark_rows().len(), 1, "the filter folds scripts");
}

/// A found bookmark is what the user saved: `a` on it only asks, a second `a` re-attaches, and
/// `u` brings the saved quote back. A lost bookmark is re-attached at once, and undoably too.
#[test]
fn reattaching_a_found_bookmark_asks_first_and_can_be_undone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let corpus = Corpus::from_docs(&load::bundled(), None).0;
    let mut app = reader(corpus, &data, (100, 30));
    open_communique(&mut app);
    go_to_clause(&mut app, "十三");
    app.update(Action::MarkParagraph);
    app.update(Action::Confirm);
    let saved = app.bookmarks.store.bookmarks()[0].quote.text.clone();
    assert!(saved.starts_with("十三、"), "{saved:?}");
    go_to_clause(&mut app, "二");
    let stored = |data: &Path| Store::open(Some(data)).0.bookmarks()[0].quote.text.clone();

    app.update(Action::ShowBookmarks);
    app.update(Action::Reattach);
    assert_eq!(stored(&data), saved, "one `a` on a found bookmark changes nothing");
    assert!(app.status.as_deref().is_some_and(|s| s.contains("a again")), "{:?}", app.status);
    // Another key in between: the question is forgotten.
    app.update(Action::Down);
    app.update(Action::Reattach);
    assert_eq!(stored(&data), saved);
    app.update(Action::Reattach);
    let moved = stored(&data);
    assert!(moved.starts_with("二、"), "the second `a` re-attaches: {moved:?}");
    app.update(Action::Undo);
    assert_eq!(stored(&data), saved, "u brings the saved quote back");
    assert!(app.bookmark_found(&app.bookmarks.store.bookmarks()[0].id.clone()));
}

/// "By article" lists the bookmarks in reading order: by article as the library lists them,
/// then where each passage is in the text, whatever order they were made in.
#[test]
fn bookmarks_by_article_are_in_text_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let corpus = Corpus::from_docs(&load::bundled(), None).0;
    let mut app = reader(corpus, &data, (100, 30));
    open_communique(&mut app);
    // Made out of order: 十三, 二, 二十; then one in the first article.
    for clause in ["十三", "二", "二十"] {
        go_to_clause(&mut app, clause);
        app.update(Action::MarkParagraph);
        type_in(&mut app, clause);
        app.update(Action::Confirm);
    }
    app.open_article(0);
    app.update(Action::Top);
    app.update(Action::Down);
    app.update(Action::Down);
    app.update(Action::Down);
    app.update(Action::Down);
    app.update(Action::MarkParagraph);
    type_in(&mut app, "first article");
    app.update(Action::Confirm);
    assert_eq!(app.bookmarks.store.bookmarks().len(), 4, "{:?}", app.status);
    app.update(Action::ShowBookmarks);
    app.update(Action::ToggleOrder);
    let notes: Vec<&str> = app.bookmark_rows().iter().map(|b| b.note.as_str()).collect();
    assert_eq!(notes, ["first article", "二", "十三", "二十"]);
}

/// PST-02: a file whose name is not UTF-8 (中文.txt in GBK) is bookmarked, and after a restart
/// the bookmark is found there and its stored path is the file's real path.
#[cfg(unix)]
#[test]
fn pst_02_a_gbk_file_name_round_trips() {
    use std::os::unix::ffi::OsStringExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let name = OsString::from_vec(b"\xd6\xd0\xce\xc4.txt".to_vec());
    let path: PathBuf = dir.path().join(&name);
    fs::write(&path, sample_bytes(COMMUNIQUE)).expect("write");
    let mut app = reader(corpus_from(&path), &data, (100, 30));
    make_bookmarks(&mut app);
    let app = reader(corpus_from(&path), &data, (100, 30));
    assert_all_found(&app, &[Found::InPlace]);
    for b in app.bookmarks.store.bookmarks() {
        let stored = b.source.path.as_ref().expect("a path");
        assert!(matches!(stored, StoredPath::Bytes { .. }));
        assert_eq!(stored.to_path().as_deref(), Some(path.as_path()));
    }
}

/// Issue 22: numbers in `bookmarks.json` are untrusted. An offset or paragraph near
/// `usize::MAX` on an entry naming a real article must neither overflow (a panic in debug
/// builds, on every start) nor point anywhere: the passage is found by its quote or not at all.
#[test]
fn out_of_range_offsets_in_the_file_do_not_panic_and_do_not_anchor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    fs::create_dir_all(&data).expect("mkdir");
    let corpus = Corpus::from_docs(&load::bundled(), None).0;
    let (article, second) = corpus
        .articles
        .iter()
        .find_map(|a| a.paragraphs.get(1).map(|p| (a, p.text.clone())))
        .expect("an article of two paragraphs or more");
    let entry = |id: &str, text: &str, paragraph: u64, offset: u64| {
        serde_json::json!({
            "id": id, "created": "2026-11-22T10:00:00Z", "updated": "2026-11-22T10:00:00Z",
            "source": {"name": "gone.txt"},
            "article": {"id": article.id},
            "quote": {"text": text, "paragraph": paragraph, "offset": offset},
        })
    };
    let file = serde_json::json!({"schema_version": 1, "bookmarks": [
        // A quote that is in the article: found by searching, not "in place" at a wrapped offset.
        entry("real-quote", &second, 1, u64::MAX),
        // A quote that is nowhere: unresolved, whatever the numbers say.
        entry("no-quote", "这段话不在任何文件里出现过", 1, u64::MAX),
        entry("huge-paragraph", "这段话也不在任何文件里", u64::MAX, u64::MAX),
    ]});
    fs::write(data.join("bookmarks.json"), file.to_string()).expect("write");
    let app = reader(corpus, &data, (100, 30));
    assert_eq!(app.bookmarks.store.bookmarks().len(), 3, "all entries listed");
    let (passage, how) = app.bookmarks.resolved["real-quote"].clone().expect("found by its quote");
    assert_ne!(how, Found::InPlace, "an out-of-range offset is no place");
    assert_eq!(article_text(&app.corpus.articles[passage.article])[passage.range].to_string(), second);
    assert!(!app.bookmark_found("no-quote"));
    assert!(!app.bookmark_found("huge-paragraph"));
}

/// Issue 22: a paste into a note keeps its control characters as visible placeholders, and a
/// paste over the note limit keeps everything typed before it, refuses only the rest, and says
/// how much it refused.
#[test]
fn a_pasted_note_keeps_placeholders_and_the_limit_refuses_only_the_excess() {
    use gongbao::app::keymap::{Scope, paste};
    use gongbao::bookmarks::MAX_NOTE_BYTES;
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = Corpus::from_docs(&load::bundled(), None).0;
    let mut app = reader(corpus, &dir.path().join("data"), (100, 30));
    open_communique(&mut app);
    app.update(Action::MarkParagraph);
    type_in(&mut app, "typed first ");
    let over = 1000;
    let pasted = format!("\u{1b}]0;x\u{7}{}", "长".repeat((MAX_NOTE_BYTES + over) / 3));
    for action in paste(Scope::Note, &pasted) {
        app.update(action);
    }
    let status = app.status.clone().unwrap_or_default();
    assert!(status.contains("refused"), "the refusal is said: {status}");
    let refused: usize =
        status.split(": ").nth(1).and_then(|s| s.split(' ').next()).and_then(|n| n.parse().ok()).expect("a count");
    app.update(Action::Confirm);
    let note = &app.bookmarks.store.bookmarks().last().expect("saved").note;
    assert!(note.starts_with("typed first ␛]0;x␇长"), "{:?}", note.get(..40));
    assert!(note.len() <= MAX_NOTE_BYTES && note.len() + 3 > MAX_NOTE_BYTES, "filled to the limit: {}", note.len());
    let kept = note.chars().filter(|&c| c == '长').count();
    assert_eq!(kept + refused, (MAX_NOTE_BYTES + over) / 3, "every pasted character kept or counted as refused");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// PST-14: a passage bookmarked at width 80 opens with its first character on the top row
    /// at any other width, for passages starting at any sentence.
    #[test]
    fn pst_14_a_bookmark_opens_at_its_character_at_any_width(width in 1u16..200, sentence in 0usize..40) {
        static CORPUS: std::sync::OnceLock<Corpus> = std::sync::OnceLock::new();
        let corpus = CORPUS.get_or_init(|| Corpus::from_docs(&load::bundled(), None).0).clone();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut app = reader(corpus.clone(), dir.path(), (80, 24));
        open_communique(&mut app);
        app.update(Action::StartVisual);
        // Walk to the wanted sentence start: shrink to one sentence, then move both ends on.
        for _ in 0..sentence {
            app.update(Action::NextSentence);
        }
        app.update(Action::SwapEnds);
        for _ in 0..sentence {
            app.update(Action::NextSentence);
        }
        app.update(Action::Confirm);
        app.update(Action::Confirm);
        let mut app = reader(corpus, dir.path(), (width.max(20), 24));
        app.update(Action::Resize(width, 24));
        let list: Vec<_> = app.bookmarks.store.bookmarks().to_vec();
        prop_assert_eq!(list.len(), 1);
        app.jump_to_bookmark(&list[0]);
        let line = app.reader.layout.lines[app.reader.top];
        let row = &app.reader.layout.texts[line.text][line.row.start..line.row.end];
        let first = list[0].quote.text.chars().next().expect("non-empty").to_string();
        prop_assert!(row.contains(&first), "width {}: top row {:?} lacks {:?}", width, row, first);
    }
}

/// Issue 19: the reader's `x` and `gongbao bookmarks export --format md` write a quote of two
/// paragraphs and a note of two lines so that Markdown keeps them apart (a `>` line between
/// the quote's paragraphs, a blank line between the note's lines); they used to run together.
#[test]
fn markdown_exports_keep_a_quote_s_paragraphs_and_a_note_s_lines_apart() {
    let (dir, mut app) = communique_reader_with_bookmarks();
    let data = dir.path().join("data");
    let two_paragraphs = app.bookmarks.store.bookmarks()[2].quote.text.clone();
    let (first, second) = two_paragraphs.split_once('\n').expect("two paragraphs");
    app.update(Action::ShowBookmarks);
    app.update(Action::ExportBookmarks);
    let from_reader = fs::read_to_string(data.join("bookmarks-export.md")).expect("exported");
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_gongbao"))
        .args(["bookmarks", "export", "--format", "md", "--data-dir"])
        .arg(&data)
        .output()
        .expect("the binary runs");
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let from_cli = String::from_utf8(cli.stdout).expect("UTF-8");
    for md in [&from_reader, &from_cli] {
        assert!(md.contains(&format!("> {first}\n>\n> {second}\n")), "{md}");
        assert!(md.contains("\n第一行\n\nsecond line\n"), "{md}");
    }
}

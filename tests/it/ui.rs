//! Snapshot tests of the views, drawn with ratatui's `TestBackend` from an
//! app driven by actions, at 80×24 and 40×12, in the original script and in
//! Traditional. Snapshots are taken with `screen_text`, which writes each
//! wide character once (a `TestBackend` buffer holds it in two cells).

use std::collections::HashMap;

use crate::common::screen_text;
use gongbao::app::lookup::LookupCursor;
use gongbao::app::{Action, App, Settings};
use gongbao::convert::Script;
use gongbao::corpus::{Corpus, load};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app(size: (u16, u16)) -> App {
    let (corpus, _) = Corpus::from_docs(&load::bundled(), None);
    let mut app = App::new(corpus, Settings { color: false, ..Settings::default() }, HashMap::new(), size);
    app.update(Action::Resize(size.0, size.1));
    app
}

fn draw(app: &App) -> String {
    let backend = TestBackend::new(app.size.0, app.size.1);
    let mut terminal = Terminal::new(backend).expect("test terminal");
    terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw");
    screen_text(terminal.backend().buffer())
}

/// Opens the simplified communiqué (the article with 24 clauses in 000).
fn open_communique(app: &mut App) {
    let index = app.corpus.articles.iter().position(|a| a.clauses.len() >= 20).expect("communiqué");
    while app.selected < index {
        app.update(Action::Down);
    }
    app.update(Action::Open);
}

#[test]
fn library_and_reader_at_80x24() {
    let app = app((80, 24));
    insta::assert_snapshot!("start_80x24", draw(&app));
}

#[test]
fn library_and_reader_at_40x12() {
    let app = app((40, 12));
    insta::assert_snapshot!("start_40x12", draw(&app));
}

#[test]
fn communique_at_clause_thirteen_in_both_scripts() {
    for size in [(80, 24), (40, 12)] {
        let mut app = app(size);
        open_communique(&mut app);
        app.update(Action::GoToPrompt);
        for c in "十三".chars() {
            app.update(Action::Input(c));
        }
        app.update(Action::Confirm);
        let original = draw(&app);
        assert!(original.contains("十三"), "{original}");
        insta::assert_snapshot!(format!("clause13_original_{}x{}", size.0, size.1), original);
        app.update(Action::ToggleScript);
        app.update(Action::ToggleScript);
        assert_eq!(app.settings.script, Script::Traditional);
        insta::assert_snapshot!(format!("clause13_traditional_{}x{}", size.0, size.1), draw(&app));
    }
}

/// Names a snapshot by view, size and script.
fn name(view: &str, app: &App) -> String {
    let script = if app.settings.script == Script::Original { "original" } else { "traditional" };
    format!("{view}_{}x{}_{script}", app.size.0, app.size.1)
}

/// Runs `check` at both sizes, in the original script and in Traditional.
fn each_size_and_script(mut check: impl FnMut(&mut App)) {
    for size in [(80, 24), (40, 12)] {
        for traditional in [false, true] {
            let mut app = app(size);
            if traditional {
                app.settings.script = Script::Traditional;
                app.relayout();
            }
            check(&mut app);
        }
    }
}

#[test]
fn help_overlay_lists_the_keys() {
    each_size_and_script(|app| {
        app.update(Action::ToggleHelp);
        let screen = draw(app);
        assert!(screen.contains("quit"), "{screen}");
        insta::assert_snapshot!(name("help", app), screen);
    });
}

#[test]
fn outline_overlay_shows_the_clauses() {
    each_size_and_script(|app| {
        open_communique(app);
        app.update(Action::ToggleOutline);
        insta::assert_snapshot!(name("outline", app), draw(app));
    });
}

#[test]
fn full_width_reader_without_the_library() {
    each_size_and_script(|app| {
        app.update(Action::ToggleLibrary);
        insta::assert_snapshot!(name("reader_only", app), draw(app));
    });
}

#[test]
fn the_library_follows_the_script() {
    each_size_and_script(|app| {
        let screen = draw(app);
        if app.settings.script == Script::Traditional {
            assert!(screen.contains("中國一中亞外長") || app.size.1 < 24, "{screen}");
        }
        insta::assert_snapshot!(name("library", app), screen);
    });
}

#[test]
fn toggling_the_script_keeps_the_paragraph_at_the_top() {
    let mut app = app((80, 24));
    open_communique(&mut app);
    for _ in 0..30 {
        app.update(Action::Down);
    }
    let before = app.top_paragraph();
    for _ in 0..5 {
        app.update(Action::ToggleScript);
        assert_eq!(app.top_paragraph(), before, "script {:?}", app.settings.script);
    }
}

#[test]
fn clause_keys_step_through_the_clauses() {
    let mut app = app((80, 24));
    open_communique(&mut app);
    app.update(Action::NextClause);
    let first = app.current_clause().expect("in a clause");
    app.update(Action::NextClause);
    assert_eq!(app.current_clause(), Some(first + 1));
    app.update(Action::PreviousClause);
    assert_eq!(app.current_clause(), Some(first));
}

#[test]
fn go_to_accepts_arabic_and_chinese_numbers() {
    for wanted in ["13", "十三", "十三、"] {
        let mut app = app((80, 24));
        open_communique(&mut app);
        app.go_to_clause(wanted);
        let a = app.article().expect("open");
        let clause = &a.clauses[app.current_clause().expect("in a clause")];
        assert_eq!(clause.number, 13, "{wanted}");
    }
}

#[test]
fn reading_positions_are_remembered_per_article() {
    let mut app = app((80, 24));
    open_communique(&mut app);
    app.update(Action::PageDown);
    app.update(Action::PageDown);
    let there = app.top_paragraph();
    app.update(Action::NextArticle);
    app.update(Action::PreviousArticle);
    assert_eq!(app.top_paragraph(), there);
}

#[test]
fn search_in_the_reader_and_the_results_list() {
    for size in [(80, 24), (120, 40)] {
        let mut app = app(size);
        open_communique(&mut app);
        app.update(Action::SearchPrompt);
        for c in "各方歡迎".chars() {
            app.update(Action::Input(c));
        }
        let typing = draw(&app);
        assert!(typing.contains("/ 各方歡迎") && typing.contains("match 1/5"), "{typing}");
        insta::assert_snapshot!(format!("search_prompt_{}x{}", size.0, size.1), typing);
        app.update(Action::Confirm);
        app.update(Action::SearchCorpus);
        let results = draw(&app);
        assert!(results.contains("12 match(es) in 4 article(s)"), "{results}");
        insta::assert_snapshot!(format!("search_results_{}x{}", size.0, size.1), results);
    }
}

#[test]
fn bookmark_note_prompt_margin_and_view() {
    let data = tempfile::tempdir().expect("data folder");
    let mut app = app((100, 30));
    app.set_bookmarks(gongbao::bookmarks::store::Store::open(Some(data.path())).0);
    open_communique(&mut app);
    app.update(Action::GoToPrompt);
    for c in "十三".chars() {
        app.update(Action::Input(c));
    }
    app.update(Action::Confirm);
    app.update(Action::MarkParagraph);
    for c in "值得引用".chars() {
        app.update(Action::Input(c));
    }
    app.update(Action::Newline);
    for c in "second line".chars() {
        app.update(Action::Input(c));
    }
    let prompt = draw(&app);
    assert!(prompt.contains("值得引用") && prompt.contains("second line"), "{prompt}");
    insta::assert_snapshot!("bookmark_note_100x30", prompt);
    app.update(Action::Confirm);
    let marked = draw(&app);
    assert!(marked.contains("▍"), "the margin marks the paragraph:\n{marked}");
    insta::assert_snapshot!("bookmark_margin_100x30", marked);
    app.update(Action::ShowBookmarks);
    let view = draw(&app);
    assert!(view.contains("1 bookmark(s)") && view.contains("值得引用"), "{view}");
    insta::assert_snapshot!("bookmarks_view_100x30", view);
}

#[test]
fn compare_view_of_the_two_communiques() {
    for size in [(120, 40), (80, 24)] {
        let mut app = app(size);
        open_communique(&mut app);
        app.update(Action::Compare);
        app.update(Action::NextMatch);
        app.update(Action::NextMatch);
        let screen = draw(&app);
        assert!(screen.contains("COMPARE difference 2/"), "{screen}");
        insta::assert_snapshot!(format!("compare_{}x{}", size.0, size.1), screen);
    }
}

/// With the library focused (as at start-up), the reader's keys act on the open article; the
/// keys go through the key table as in the terminal.
#[test]
fn reader_keys_act_on_the_open_article_while_the_library_has_focus() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use gongbao::app::keymap::lookup;
    use gongbao::app::{Overlay, Pane};
    let press = |app: &mut App, c: char| {
        let action = lookup(app.scope(), &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        app.update(action.unwrap_or_else(|| panic!("{c:?} is bound to nothing with the library focused")));
    };
    let mut app = app((100, 30));
    open_communique(&mut app);
    app.update(Action::SwitchFocus);
    assert_eq!(app.focus, Pane::Library);
    press(&mut app, ']');
    assert_eq!(app.current_clause(), Some(0), "] went to the first clause");
    press(&mut app, ']');
    assert_eq!(app.current_clause(), Some(1));
    let top = app.reader.top;
    press(&mut app, ' ');
    assert!(app.reader.top > top, "Space pages the reader");
    press(&mut app, 'o');
    assert!(matches!(app.overlay, Overlay::Outline { .. }), "{:?}", app.overlay);
    app.update(Action::Cancel);
    press(&mut app, ':');
    assert!(matches!(app.overlay, Overlay::Prompt { .. }), "{:?}", app.overlay);
    app.update(Action::Cancel);
    press(&mut app, 'v');
    assert!(app.visual.is_some(), "v starts a selection");
    app.update(Action::Cancel);
    press(&mut app, 'm');
    assert!(matches!(app.overlay, Overlay::Note { .. }), "{:?}", app.overlay);
    app.update(Action::Cancel);
    press(&mut app, 'c');
    assert!(matches!(app.overlay, Overlay::Compare { .. }), "{:?} {:?}", app.overlay, app.status);
    // The library keeps its own keys and the focus.
    app.update(Action::Cancel);
    assert_eq!(app.focus, Pane::Library);
}

/// With nothing open, a reader key says why it does nothing.
#[test]
fn a_reader_key_with_no_article_says_why() {
    let mut app =
        App::new(Corpus::default(), Settings { color: false, ..Settings::default() }, HashMap::new(), (80, 24));
    for action in [Action::NextClause, Action::PageDown, Action::GoToPrompt, Action::MarkParagraph] {
        app.update(action);
        assert!(app.status.as_deref().is_some_and(|s| s.contains("no article")), "{action:?}: {:?}", app.status);
    }
}

/// The frame as drawn (before ratatui works out what to send), and the screen that results.
fn draw_frame(app: &App) -> (ratatui::buffer::Buffer, String) {
    let backend = TestBackend::new(app.size.0, app.size.1);
    let mut terminal = Terminal::new(backend).expect("test terminal");
    let frame = terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw").buffer.clone();
    (frame, screen_text(terminal.backend().buffer()))
}

/// A wide character covers the cell after it, so in the frame that cell must be blank: a border
/// drawn there is never seen (ratatui does not send it, the terminal draws the character over
/// it).
fn wide_characters_cover_nothing(buffer: &ratatui::buffer::Buffer) -> Result<(), String> {
    let area = buffer.area;
    for y in 0..area.height {
        for x in 0..area.width.saturating_sub(1) {
            let symbol = buffer[(x, y)].symbol();
            let covered = buffer[(x + 1, y)].symbol();
            if unicode_width::UnicodeWidthStr::width(symbol) > 1 && covered != " " {
                return Err(format!("{symbol:?} at ({x}, {y}) covers {covered:?}"));
            }
        }
    }
    Ok(())
}

/// Opens one overlay.
type OpenOverlay = fn(&mut App);

/// Each overlay opened over the communiqué (wide characters in the library and the reader)
/// at a run of widths, so that its edges fall at odd and even columns of the text beneath.
#[test]
fn overlay_borders_stay_whole_over_wide_characters_at_odd_and_even_offsets() {
    let data = tempfile::tempdir().expect("data folder");
    let overlays: [(&str, OpenOverlay); 6] = [
        ("help", |app| app.update(Action::ToggleHelp)),
        ("outline", |app| app.update(Action::ToggleOutline)),
        ("results", |app| {
            app.update(Action::SearchCorpus);
            for c in "各方".chars() {
                app.update(Action::Input(c));
            }
            app.update(Action::Confirm);
        }),
        ("note", |app| app.update(Action::MarkParagraph)),
        ("bookmarks", |app| {
            app.update(Action::MarkParagraph);
            app.update(Action::Confirm);
            app.update(Action::ShowBookmarks);
        }),
        ("messages", |app| {
            app.messages = vec!["某文件.txt: 无法读取".into(); 3];
            app.update(Action::ShowMessages);
        }),
    ];
    for (name, open) in overlays {
        for size in (80..=87).map(|w| (w, 24)).chain([(120, 40), (121, 40)]) {
            let mut app = app(size);
            app.set_bookmarks(gongbao::bookmarks::store::Store::open(Some(data.path())).0);
            open_communique(&mut app);
            app.update(Action::SwitchFocus);
            open(&mut app);
            let (frame, screen) = draw_frame(&app);
            if let Err(e) = wide_characters_cover_nothing(&frame) {
                panic!("{name} at {size:?}: {e}\n{screen}");
            }
            for b in app.bookmarks.store.bookmarks().to_vec() {
                app.bookmarks.store.delete(&b.id);
            }
            app.save_bookmarks();
        }
    }
}

/// The help and the outline at an even and an odd width: their left borders are drawn whole.
#[test]
fn overlay_snapshots_over_wide_characters() {
    for width in [82, 83] {
        let mut app = app((width, 24));
        open_communique(&mut app);
        app.update(Action::SwitchFocus);
        app.update(Action::ToggleHelp);
        insta::assert_snapshot!(format!("help_over_wide_text_{width}x24"), draw(&app));
        app.update(Action::Cancel);
        app.update(Action::ToggleOutline);
        insta::assert_snapshot!(format!("outline_over_wide_text_{width}x24"), draw(&app));
    }
}

/// `G`, and Space pressed until it stops, end on the last full page of every article, as in
/// `less`: never one line on an otherwise empty reader.
#[test]
fn the_end_of_an_article_is_a_full_page() {
    for size in [(80, 24), (40, 12)] {
        let mut app = app(size);
        app.update(Action::SwitchFocus);
        for i in 0..app.corpus.articles.len() {
            app.open_article(i);
            let page = app.page_height();
            let lines = app.reader.layout.lines.len();
            app.update(Action::Bottom);
            assert_eq!(lines - app.reader.top, page.min(lines), "G in article {i} at {size:?}");
            assert_eq!(app.percent(), 100);
            app.update(Action::Top);
            for _ in 0..lines {
                app.update(Action::PageDown);
            }
            assert_eq!(lines - app.reader.top, page.min(lines), "Space in article {i} at {size:?}");
            app.update(Action::Down);
            assert_eq!(lines - app.reader.top, page.min(lines), "j at the end in article {i} at {size:?}");
        }
    }
}

/// `c` while reading clause 十三 opens the comparison at clause 十三, and the status line gives
/// the compare view's own position, not the reader's.
#[test]
fn compare_opens_at_the_clause_being_read() {
    use gongbao::app::Overlay;
    let mut app = app((120, 40));
    open_communique(&mut app);
    app.update(Action::GoToPrompt);
    for c in "十三".chars() {
        app.update(Action::Input(c));
    }
    app.update(Action::Confirm);
    app.update(Action::Down);
    let reader_percent = app.percent();
    app.update(Action::Compare);
    assert!(matches!(app.overlay, Overlay::Compare { .. }), "{:?}", app.status);
    let top = app.compare.place.top;
    let line = &app.compare.lines[top];
    let pair = &app.compare.pairs[line.pair.expect("a pair at the top")];
    assert!(pair.left.starts_with("十三、"), "the top pair is clause 十三: {:?}", pair.left);
    let screen = draw(&app);
    let status = screen.lines().last().expect("status line");
    let percent = app.compare_percent().expect("compare percent");
    assert_ne!(percent, reader_percent, "the two positions differ here, so the test can tell");
    assert!(status.contains(&format!("{percent}%")) && !status.contains(&format!(" {reader_percent}%")), "{status}");
    assert!(screen.contains("十三、各方欢迎"), "{screen}");
    // n goes to the next difference after clause 十三, not back to the first one.
    app.update(Action::NextMatch);
    assert!(matches!(app.overlay, Overlay::Compare { .. }));
    let after = app.compare.place.top;
    assert!(after >= top.saturating_sub(2), "n went back from {top} to {after}");
}

/// The wheel over the library moves through the library; over the reader it scrolls the text.
#[test]
fn the_mouse_wheel_scrolls_the_pane_under_it() {
    let mut app = app((80, 24));
    app.update(Action::Top);
    let (library, reader) = (app.areas().library, app.areas().reader);
    let first = app.selected;
    app.update(Action::Wheel(3, library.x + 2, library.y + 3));
    assert_eq!(app.reader.top, 0, "the reader did not move");
    let visible = app.visible_articles();
    let at = visible.iter().position(|&i| i == app.selected).expect("selected is shown");
    assert_eq!(visible[at - 3], first, "three articles down the library");
    app.update(Action::Wheel(-3, library.x + 2, library.y + 3));
    assert_eq!(app.selected, first);
    app.update(Action::Wheel(3, reader.x + 10, reader.y + 3));
    assert_eq!((app.reader.top, app.selected), (3, first), "over the reader the text scrolls");
}

/// In a selection `y` copies the selection (not the clause) and ends it; `--copy-command` is
/// named in the status line, and a failed delivery is reported.
#[test]
fn y_in_a_selection_copies_the_selection_and_says_how() {
    let mut app = app((100, 30));
    app.copy_command = Some("wl-copy".into());
    open_communique(&mut app);
    app.update(Action::GoToPrompt);
    for c in "十三".chars() {
        app.update(Action::Input(c));
    }
    app.update(Action::Confirm);
    app.update(Action::StartVisual);
    let top = app.top_paragraph().expect("a paragraph at the top");
    let sentences = gongbao::bookmarks::sentences(&app.article().expect("open").paragraphs[top].text).len();
    for _ in 1..sentences {
        app.update(Action::PreviousSentence);
    }
    app.update(Action::CopyPassage);
    assert!(app.visual.is_none(), "the selection ends");
    let copied = app.clipboard.clone().expect("something to deliver");
    let (text, citation) = copied.rsplit_once('\n').expect("a citation line");
    assert!(text.starts_with("十三、各方欢迎") && text.ends_with([';', '；']), "{text:?}");
    assert!(!text.contains("——2025年5月29日"), "one sentence only: {text:?}");
    assert!(citation.starts_with("— 中国一中亚外长第六次会晤新闻公报 · 十三"), "{citation}");
    assert!(app.status.as_deref().is_some_and(|s| s.contains("through `wl-copy`")), "{:?}", app.status);
    app.update(Action::CopyDelivered(false));
    assert_eq!(app.clipboard, None);
    assert!(app.status.as_deref().is_some_and(|s| s.contains("could not copy")), "{:?}", app.status);
}

/// Puts the look-up cursor (`w`) on the first `word` after the top of the open article, or
/// after the cursor when there is one.
fn look_up(app: &mut App, word: &str) {
    if app.lookup.is_none() {
        app.update(Action::StartLookup);
    }
    for _ in 0..2000 {
        if app.lookup_word() == Some(word) {
            return;
        }
        app.update(Action::NextWord);
    }
    panic!("{word} not reached; at {:?}", app.lookup_word());
}

/// The pop-up is beside the word, inside the screen, and its border is whole on every row:
/// no wide character of the text under it shows through or pushes it out of line.
fn assert_popup_beside_the_word(app: &App) -> ratatui::layout::Rect {
    let (word, popup) = gongbao::ui::lookup_placement(app).expect("the pop-up has room");
    assert!(!popup.intersects(word), "pop-up {popup:?} covers the word {word:?}");
    assert!(popup.right() <= app.size.0 && popup.bottom() < app.size.1, "{popup:?} off screen");
    let backend = TestBackend::new(app.size.0, app.size.1);
    let mut terminal = Terminal::new(backend).expect("test terminal");
    terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    let bottom = popup.bottom() - 1;
    assert_eq!(buffer[(popup.x, bottom)].symbol(), "└");
    assert_eq!(buffer[(popup.x, popup.y)].symbol(), "┌");
    assert_eq!(buffer[(popup.right() - 1, popup.y)].symbol(), "┐");
    assert_eq!(buffer[(popup.right() - 1, bottom)].symbol(), "┘");
    for y in popup.y + 1..bottom {
        assert_eq!(buffer[(popup.x, y)].symbol(), "│", "left border, row {y}");
        assert_eq!(buffer[(popup.right() - 1, y)].symbol(), "│", "right border, row {y}");
        if popup.x > 0 {
            let before = buffer[(popup.x - 1, y)].symbol();
            assert!(unicode_width::UnicodeWidthStr::width(before) <= 1, "a wide {before} overlaps the border, row {y}");
        }
    }
    popup
}

#[test]
fn lookup_popup_at_the_left_and_right_of_the_text_in_simplified_and_taiwan() {
    for size in [(120, 40), (80, 24), (40, 12)] {
        for (script, label) in [(Script::Simplified, "simplified"), (Script::Taiwan, "taiwan")] {
            let mut app = app(size);
            app.settings.script = script;
            open_communique(&mut app);
            look_up(&mut app, "各方");
            let screen = draw(&app);
            assert!(screen.contains("gè fāng") && screen.contains("all parties"), "{screen}");
            assert_eq!(screen.contains("ㄍㄜˋ ㄈㄤ"), script == Script::Taiwan, "{screen}");
            assert_popup_beside_the_word(&app);
            insta::assert_snapshot!(format!("lookup_left_{}x{}_{label}", size.0, size.1), screen);
            // On to the first word that ends a row, at the right edge of the text column.
            let reader = app.areas().reader;
            let column = app.reader.layout.width.min(reader.width);
            let right = reader.x + (reader.width - column) / 2 + column;
            for _ in 0..500 {
                match gongbao::ui::lookup_placement(&app) {
                    Some((word, _)) if word.right() + 2 >= right => break,
                    _ => app.update(Action::NextWord),
                }
            }
            let (word, _) = gongbao::ui::lookup_placement(&app).expect("the pop-up has room");
            assert!(word.right() + 2 >= right, "{word:?} is not at the right edge {right}");
            assert_popup_beside_the_word(&app);
            insta::assert_snapshot!(format!("lookup_right_{}x{}_{label}", size.0, size.1), draw(&app));
        }
    }
}

#[test]
fn the_lookup_cursor_moves_by_word_character_and_line_and_esc_leaves_it_in_place() {
    let mut app = app((80, 24));
    open_communique(&mut app);
    app.update(Action::StartLookup);
    // The first word of the top line with text: the date line starts with a number.
    assert_eq!(app.lookup_word(), Some("2025"));
    look_up(&mut app, "各方");
    // Punctuation is stepped over: 各方”)通过.
    app.update(Action::NextWord);
    assert_eq!(app.lookup_word(), Some("通过"));
    app.update(Action::PreviousWord);
    assert_eq!(app.lookup_word(), Some("各方"));
    // By character: the cursor inside 各方 looks 方 up.
    app.update(Action::NextCharacter);
    assert_eq!(app.lookup_word(), Some("方"));
    app.update(Action::PreviousCharacter);
    assert_eq!(app.lookup_word(), Some("各方"));
    // The cursor is on the original text: another script keeps it on the same word.
    app.update(Action::ToggleScript);
    assert_eq!(app.lookup_word(), Some("各方"));
    assert!(app.reader.highlights.iter().any(|h| h.kind == gongbao::app::HighlightKind::Word));
    // By line: down and back up to the same line.
    let (line, _) = app.cursor_line().expect("cursor on screen");
    app.update(Action::Down);
    let (below, _) = app.cursor_line().expect("cursor on screen");
    assert!(below > line, "{below} not below {line}");
    app.update(Action::Up);
    assert_eq!(app.cursor_line().map(|(l, _)| l), Some(line));
    let top = app.reader.top;
    app.update(Action::Cancel);
    assert!(app.lookup.is_none());
    assert_eq!(app.reader.top, top);
    assert!(!app.reader.highlights.iter().any(|h| h.kind == gongbao::app::HighlightKind::Word));
}

#[test]
fn the_lookup_cursor_keeps_its_word_on_screen() {
    let mut app = app((40, 12));
    open_communique(&mut app);
    app.update(Action::StartLookup);
    for _ in 0..200 {
        app.update(Action::NextWord);
        let (line, _) = app.cursor_line().expect("cursor");
        assert!(
            line >= app.reader.top && line < app.reader.top + app.page_height(),
            "line {line}, top {}",
            app.reader.top
        );
    }
    assert!(app.reader.top > 0, "the reader scrolled with the cursor");
}

#[test]
fn a_in_the_lookup_cursor_keeps_the_word_with_its_sentence_and_the_list_deletes_it() {
    let mut app = app((80, 24));
    open_communique(&mut app);
    look_up(&mut app, "各方");
    app.update(Action::AddWord);
    assert!(app.status.as_deref().is_some_and(|s| s.contains("added")), "{:?}", app.status);
    let saved = app.words.words().first().expect("a word kept").clone();
    assert_eq!((saved.word.as_str(), saved.pinyin.as_str()), ("各方", "gè fāng"));
    assert!(saved.senses.iter().any(|s| s == "all parties (in a dispute etc)"), "{:?}", saved.senses);
    // The sentence the word is in, whole, and nothing after it.
    assert!(saved.sentence.contains("各方") && saved.sentence.ends_with('。'), "{}", saved.sentence);
    assert_eq!(saved.sentence.matches('。').count(), 1, "{}", saved.sentence);
    assert_eq!(saved.title.as_deref(), app.article().and_then(|a| a.title.as_deref()));
    // Again from the same sentence: kept once.
    app.update(Action::AddWord);
    assert_eq!(app.words.words().len(), 1);
    app.update(Action::ShowWords);
    let screen = draw(&app);
    assert!(screen.contains("各方  gè fāng"), "{screen}");
    insta::assert_snapshot!("words_80x24", screen);
    app.update(Action::DeleteWord);
    assert!(app.words.words().is_empty());
    app.update(Action::Cancel);
    // The look-up cursor is still there after the list closes.
    assert_eq!(app.lookup_word(), Some("各方"));
    // The first 各方 is before the first clause; the next one opens clause 二, which is kept.
    assert_eq!(saved.clause, None);
    app.update(Action::NextWord);
    look_up(&mut app, "各方");
    app.update(Action::AddWord);
    let saved = app.words.words().last().expect("a word kept").clone();
    assert_eq!(saved.clause.as_deref(), Some("二、"));
    assert!(saved.sentence.starts_with("二、各方在友好"), "{}", saved.sentence);
}

/// Opens the first article with `text` in it and puts the look-up cursor on the word where
/// `text` starts.
fn look_up_at(app: &mut App, text: &str) {
    let index = app
        .corpus
        .articles
        .iter()
        .position(|a| a.paragraphs.iter().any(|p| p.text.contains(text)))
        .unwrap_or_else(|| panic!("no article has {text}"));
    while app.selected < index {
        app.update(Action::Down);
    }
    app.update(Action::Open);
    app.update(Action::StartLookup);
    for _ in 0..5000 {
        let c = app.lookup.expect("a cursor");
        if app.article().expect("open").paragraphs[c.paragraph].text[c.at..].starts_with(text) {
            return;
        }
        app.update(Action::NextWord);
    }
    panic!("{text} not reached");
}

/// A dictionary of the caller's own for the look-up cursor (which stays where it is, a
/// selection looked up let go), living as long as the test.
fn own_dictionary(app: &mut App, text: &str) {
    let dictionary = Box::leak(Box::new(gongbao::dict::Dictionary::parse(Box::leak(text.into()))));
    app.lookup = app.lookup.map(|c| LookupCursor { dictionary, chosen: None, anchor: None, ..c });
}

#[test]
fn enter_on_a_v_selection_looks_it_up_with_the_longer_and_shorter_words_starting_there() {
    let mut app = app((80, 24));
    look_up_at(&mut app, "一个中国原则");
    // CC-CEDICT has neither 一个 nor 一个中国原则: the cutting takes 一, and the pop-up names the
    // longer entry that goes on as the text does furthest.
    assert_eq!(app.lookup_word(), Some("一"));
    let screen = draw(&app);
    assert!(screen.contains("一个中国政策") && screen.contains("one-China policy"), "{screen}");
    // v and five characters on: the whole phrase, looked up as one, word by word.
    app.update(Action::SelectText);
    for _ in 0..5 {
        app.update(Action::NextCharacter);
    }
    assert!(gongbao::ui::lookup_placement(&app).is_none(), "no pop-up while selecting");
    assert!(app.reader.highlights.iter().any(|h| h.kind == gongbao::app::HighlightKind::Word));
    app.update(Action::LookUpSelection);
    assert_eq!(app.lookup_word(), Some("一个中国原则"));
    assert_eq!(app.lookup_parts(), ["一", "个中", "国", "原则"]);
    let screen = draw(&app);
    assert!(screen.contains("not one entry; word by word:") && screen.contains("principle"), "{screen}");
    assert_popup_beside_the_word(&app);
    insta::assert_snapshot!("lookup_selection_80x24_simplified", screen);

    // With a dictionary that has the three words, the cursor at 一 takes the longest,
    // and lists the shorter ones; a selection of 一个 lists the longer ones too.
    own_dictionary(
        &mut app,
        "一 一 [yi1] /one/\n一個 一个 [yi1 ge4] /a; an/\n一個中國 一个中国 [yi1 ge4 Zhong1 guo2] /one China/\n\
         一個中國原則 一个中国原则 [yi1 ge4 Zhong1 guo2 yuan2 ze2] /the One-China principle/\n",
    );
    assert_eq!(app.lookup_word(), Some("一个中国原则"));
    assert_eq!(app.lookup_words(), ["一个中国原则", "一个中国", "一个", "一"]);
    let screen = draw(&app);
    let shown = |screen: &str, line: &str| screen.lines().any(|l| l.contains(line));
    assert!(shown(&screen, "一个中国  yī gè Zhōng guó  one China"), "{screen}");
    assert!(shown(&screen, "一个  yī gè  a; an") && shown(&screen, "一  yī  one"), "{screen}");
    app.update(Action::SelectText);
    app.update(Action::NextCharacter);
    app.update(Action::LookUpSelection);
    assert_eq!(app.lookup_word(), Some("一个"));
    let screen = draw(&app);
    assert!(screen.contains("a; an"), "{screen}");
    // Too long for one row: the sense goes below.
    assert!(shown(&screen, "一个中国原则  yī gè Zhōng guó yuán zé"), "{screen}");
    assert!(shown(&screen, "  the One-China principle"), "{screen}");
    assert!(shown(&screen, "一个中国  yī gè Zhōng guó  one China") && shown(&screen, "一  yī  one"), "{screen}");
    assert_popup_beside_the_word(&app);
    // a keeps the selection looked up.
    app.update(Action::AddWord);
    assert_eq!(app.words.words().last().map(|w| w.word.as_str()), Some("一个"));
}

#[test]
fn a_long_reading_goes_on_to_the_next_row_instead_of_being_cut() {
    let mut app = app((80, 24));
    app.settings.script = Script::Taiwan;
    look_up_at(&mut app, "和平共处五项原则");
    assert_eq!(app.lookup_word(), Some("和平共处五项原则"));
    let screen = draw(&app);
    assert_popup_beside_the_word(&app);
    // 33 columns of pinyin and 39 of zhuyin: two rows, every syllable whole.
    assert!(screen.lines().any(|l| l.contains("│hé píng gòng chǔ wǔ xiàng yuán zé")), "{screen}");
    // The pop-up's rows (between its borders), joined as one text.
    let inside: Vec<&str> = screen.lines().filter_map(|l| l.split('│').nth(2)).map(str::trim_end).collect();
    let zhuyin = "ㄏㄜˊ ㄆㄧㄥˊ ㄍㄨㄥˋ ㄔㄨˇ ㄨˇ ㄒㄧㄤˋ ㄩㄢˊ ㄗㄜˊ";
    assert!(inside.join(" ").contains(zhuyin), "{screen}");
    assert!(!inside.iter().any(|row| row.contains(zhuyin)), "one row cannot hold it: {screen}");
}

#[test]
fn esc_ends_a_selection_first_and_a_selection_stays_in_its_paragraph() {
    let mut app = app((80, 24));
    open_communique(&mut app);
    look_up(&mut app, "各方");
    let (paragraph, at, top) = (app.lookup.expect("cursor").paragraph, app.lookup.expect("cursor").at, app.reader.top);
    app.update(Action::SelectText);
    for _ in 0..400 {
        app.update(Action::NextWord);
    }
    let c = app.lookup.expect("cursor");
    assert_eq!(c.paragraph, paragraph, "the selection left its paragraph");
    assert!(app.status.as_deref().is_some_and(|s| s.contains("stays in its paragraph")), "{:?}", app.status);
    // From 各方 through the first character of the paragraph's last word.
    let selected = app.lookup_selection().expect("a selection");
    let text = &app.article().expect("open").paragraphs[paragraph].text;
    assert_eq!(selected.start, at);
    let last_word = gongbao::dict::cut::cut(c.dictionary, text).last().expect("words").range.clone();
    assert_eq!(selected.end, last_word.start + text[last_word.start..].chars().next().map_or(0, char::len_utf8));
    app.update(Action::Cancel);
    assert!(app.lookup.is_some_and(|c| c.anchor.is_none()), "Esc ends the selection, the cursor stays");
    assert!(gongbao::ui::lookup_placement(&app).is_some());
    // Enter without a selection says what it wants.
    app.update(Action::LookUpSelection);
    assert!(app.status.as_deref().is_some_and(|s| s.contains("v selects")), "{:?}", app.status);
    let top_now = app.reader.top;
    app.update(Action::Cancel);
    assert!(app.lookup.is_none());
    assert_eq!(app.reader.top, top_now);
    assert!(top_now >= top);
}

#[test]
fn the_popup_shows_what_the_dictionary_holds_made_display_safe() {
    let mut app = app((80, 24));
    open_communique(&mut app);
    look_up(&mut app, "各方");
    own_dictionary(
        &mut app,
        "各方\u{1b}]0;PWNED\u{7} 各方 [ge4 fang1\u{9b}2J] /all \u{202e}parties\u{1b}[2J/all sides/\n",
    );
    let screen = draw(&app);
    // Each control shows as its visible placeholder, as in the text; the bidi override goes.
    assert!(screen.contains("各方 各方␛]0;PWNED␇"), "the title: {screen}");
    assert!(screen.contains("all parties␛[2J"), "a sense: {screen}");
    let backend = TestBackend::new(app.size.0, app.size.1);
    let mut terminal = Terminal::new(backend).expect("test terminal");
    terminal.draw(|f| gongbao::ui::render(&app, f)).expect("draw");
    for cell in terminal.backend().buffer().content() {
        let symbol = cell.symbol();
        assert!(
            !symbol.chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{symbol:?} drawn raw"
        );
    }
}

/// Where `app` draws the terminal's cursor.
fn cursor_of(app: &App) -> (u16, u16) {
    let backend = TestBackend::new(app.size.0, app.size.1);
    let mut terminal = Terminal::new(backend).expect("test terminal");
    terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw");
    let p = terminal.get_cursor_position().expect("cursor");
    (p.x, p.y)
}

/// The cell where `text` starts on screen (its first character; wide ones take two cells).
fn cell_of(app: &App, text: &str) -> (u16, u16) {
    let backend = TestBackend::new(app.size.0, app.size.1);
    let mut terminal = Terminal::new(backend).expect("test terminal");
    terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    let first: Vec<String> = text.chars().map(|c| c.to_string()).collect();
    for y in 0..app.size.1 {
        for x in 0..app.size.0 {
            // Consecutive wide characters, two cells apart.
            let here = first.iter().enumerate().all(|(i, c)| {
                let cx = x + 2 * i as u16;
                cx < app.size.0 && buffer[(cx, y)].symbol() == c
            });
            if here {
                return (x, y);
            }
        }
    }
    panic!("{text} is not on screen:\n{}", draw(app));
}

/// Issue 19: with the cursor moved back into the text, the terminal's cursor is drawn where the
/// next character goes, in a prompt and in a note of several lines.
#[test]
fn the_prompt_and_note_cursors_are_drawn_where_the_next_character_goes() {
    let mut app = app((80, 24));
    open_communique(&mut app);
    app.update(Action::SearchPrompt);
    for c in "各方欢迎".chars() {
        app.update(Action::Input(c));
    }
    assert_eq!(cursor_of(&app), (2 + 8, 23), "after `/ ` and four Han characters");
    app.update(Action::CursorLeft);
    app.update(Action::CursorLeft);
    assert_eq!(cursor_of(&app), (2 + 4, 23), "after 各方");
    app.update(Action::Cancel);

    app.update(Action::MarkParagraph);
    for c in "值得引用".chars() {
        app.update(Action::Input(c));
    }
    app.update(Action::Newline);
    for c in "第二行".chars() {
        app.update(Action::Input(c));
    }
    let (x, y) = cell_of(&app, "第二行");
    assert_eq!(cursor_of(&app), (x + 6, y), "at the end of the second line");
    app.update(Action::LineStart);
    assert_eq!(cursor_of(&app), (x, y));
    app.update(Action::CursorLeft);
    let (first_x, first_y) = cell_of(&app, "值得引用");
    assert_eq!(cursor_of(&app), (first_x + 8, first_y), "at the end of the first line");
    app.update(Action::LineStart);
    app.update(Action::CursorRight);
    assert_eq!(cursor_of(&app), (first_x + 2, first_y));
}

/// Issue 19: `S` lists every script with what it is (繁體 `OpenCC`'s standard forms, 臺灣 the
/// Taiwan ones), the one shown marked.
#[test]
fn the_script_picker_lists_every_script_with_what_it_is() {
    let mut app = app((80, 24));
    open_communique(&mut app);
    app.update(Action::ToggleScript);
    app.update(Action::ChooseScript);
    let screen = draw(&app);
    assert!(screen.contains("•简体"), "the script shown is marked:\n{screen}");
    insta::assert_snapshot!("script_picker_80x24", screen);
}

/// Issue 19: the help says what 繁體 and 臺灣 are, under the picker's keys.
#[test]
fn the_help_explains_the_traditional_scripts() {
    let mut app = app((80, 200));
    app.update(Action::ToggleHelp);
    let screen = draw(&app);
    let section = screen.split("Choosing a script").nth(1).unwrap_or_else(|| panic!("no scripts section:\n{screen}"));
    assert!(section.contains("繁體     OpenCC's standard forms: 爲 祕書"), "{section}");
    assert!(section.contains("臺灣     Taiwan's standard forms: 為 秘書"), "{section}");
}

/// Issue 19: at 40 columns the library and the reader take turns at the whole width (the one
/// with the keys is shown), a key acting on the article brings the reader up, and the status
/// line drops the file name before the clause, script and position.
#[test]
fn at_40_columns_one_pane_at_a_time_and_the_status_keeps_clause_script_and_position() {
    use gongbao::app::LibraryPane;
    let mut app = app((40, 12));
    assert_eq!(app.library_pane(), LibraryPane::Alone);
    assert_eq!((app.areas().library.width, app.areas().reader.width), (40, 0));
    let width = app.reader.layout.width;
    open_communique(&mut app);
    assert_eq!(app.library_pane(), LibraryPane::Hidden);
    assert_eq!(app.areas().reader.width, 40);
    assert_eq!(app.reader.layout.width, width, "the text kept its width while the library was shown");
    app.update(Action::GoToPrompt);
    for c in "十二".chars() {
        app.update(Action::Input(c));
    }
    app.update(Action::Confirm);
    // Back to the library (Esc), then `]`: the reader comes back, a clause further on.
    app.update(Action::ClearHighlights);
    assert_eq!(app.library_pane(), LibraryPane::Alone);
    app.update(Action::NextClause);
    assert_eq!(app.library_pane(), LibraryPane::Hidden);
    let screen = draw(&app);
    let status = screen.lines().last().expect("a status line");
    assert!(status.starts_with("5/24 │ 十三 / 24 │ 原文 │"), "{status}");
    assert!(!status.contains(".txt"), "{status}");
    assert!(screen.contains("十三、各方欢迎"), "{screen}");
    // Wide enough, both panes and the file name again.
    app.update(Action::Resize(80, 24));
    assert_eq!(app.library_pane(), LibraryPane::Beside);
    let screen = draw(&app);
    assert!(screen.lines().last().is_some_and(|s| s.starts_with("000_bdb5e1677ee91c80.txt UTF-8 │ 5/24 │ 十三 / 24")));
}

fn buffer(app: &App) -> ratatui::buffer::Buffer {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("test terminal");
    terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw");
    terminal.backend().buffer().clone()
}

/// Issue 19: without colour the focused pane showed only as a dim divider beside the reader
/// and a plain one beside the library, and the library's selection was reversed either way.
/// Now the divider is heavy and bold beside the focused library, and the selection is
/// reversed only there.
#[test]
fn the_focused_pane_is_plain_to_see_without_colour() {
    use ratatui::style::Modifier;
    let mut app = app((80, 24));
    assert!(!app.settings.color);
    let divider = app.areas().library.right() - 1;
    let selected_row = (0..app.size.1).find(|&y| buffer(&app)[(1, y)].modifier.contains(Modifier::REVERSED));
    let row = selected_row.expect("the selection is reversed while the library has the keys");
    let library = buffer(&app);
    assert_eq!(library[(divider, 3)].symbol(), "┃");
    assert!(library[(divider, 3)].modifier.contains(Modifier::BOLD));

    app.update(Action::SwitchFocus);
    let reader = buffer(&app);
    assert_eq!(reader[(divider, 3)].symbol(), "│");
    assert!(reader[(divider, 3)].modifier.contains(Modifier::DIM));
    assert!(!reader[(1, row)].modifier.contains(Modifier::REVERSED), "no reversed row beside the focused reader");
    assert!(reader[(1, row)].modifier.contains(Modifier::UNDERLINED), "the selection is still marked");
    insta::assert_snapshot!("reader_focused_80x24", draw(&app));
}

/// Issue 19: two loaded files of one name looked the same in the library, and a long file name
/// was cut off without a sign (its encoding lost with it).
#[test]
fn files_of_one_name_show_their_folder_and_long_names_end_in_an_ellipsis() {
    let dir = tempfile::tempdir().expect("tempdir");
    let news = "# 标题一\n\n本报北京3月1日电 正文第一段。\n";
    for (folder, name) in [("a", "page.txt"), ("b", "page.txt"), ("c", "a_very_long_file_name_of_a_news_page_2026.txt")]
    {
        std::fs::create_dir_all(dir.path().join(folder)).expect("mkdir");
        std::fs::write(dir.path().join(folder).join(name), news).expect("write");
    }
    let loaded = load::load(&[load::Input::from_arg(dir.path().as_os_str())], 1 << 30);
    let (corpus, _) = Corpus::from_docs(&loaded.docs, None);
    let mut app = App::new(corpus, Settings { color: false, ..Settings::default() }, HashMap::new(), (80, 12));
    app.update(Action::Resize(80, 12));
    let screen = draw(&app);
    let library: Vec<String> =
        screen.lines().map(|l| l.split(['│', '┃']).next().unwrap_or("").trim_end().to_string()).collect();
    assert!(library.iter().any(|l| l.starts_with("a/page.txt UTF-8")), "{screen}");
    assert!(library.iter().any(|l| l.starts_with("b/page.txt UTF-8")), "{screen}");
    assert!(library.iter().any(|l| l.starts_with("a_very_long_file_name_of_a… UTF-8")), "{screen}");
    insta::assert_snapshot!("library_same_names_80x12", screen);
}

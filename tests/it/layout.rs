//! Testing practice (TST checks of `docs/reliability.md`): the app's idea of the screen
//! against what ratatui actually draws, every tiny and extreme size, random frame sequences,
//! both ambiguous-width settings, and positions kept across resizes.

use std::collections::HashMap;

use gongbao::app::{Action, App, Settings};
use gongbao::corpus::{Corpus, load};
use gongbao::wrap::{AmbiguousWidth, display_width};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellWidth as _};

/// News text with everything that has tripped width code: CJK, full-width and ambiguous
/// punctuation, emoji sequences, combining marks, Hangul, half-width kana, U+3000, a tab,
/// and zero-width characters (removed by the sanitiser).
const MIXED: &str = "混合宽度测试\n\n\
    新华社北京电\t“上合组织”峰会……各方——欢迎①※·合作，e\u{301}👨\u{200d}👩\u{200d}👧👍🏽🇨🇳 한국어 ｶﾞ\u{3000}全角\u{200b}零宽\u{feff}。\n\n\
    Latin words with spaces between them, then 中文紧接着 English again (括号) 「引号」『书名』《公报》。\n\n\
    第三段：1.5%、25℃、‰、§4 与 ½ 等符号，以及一个很长的没有任何断点的字符串abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz。\n";

fn app_with(text: &str, size: (u16, u16), ambiguous: AmbiguousWidth) -> App {
    let docs = vec![load::RawDoc { name: "mixed.txt".into(), path: None, bytes: text.as_bytes().to_vec() }];
    let corpus = Corpus::from_docs(&docs, None).0;
    let settings = Settings { color: false, ambiguous, ..Settings::default() };
    let mut app = App::new(corpus, settings, HashMap::new(), size);
    app.update(Action::Resize(size.0, size.1));
    app
}

fn bundled(size: (u16, u16)) -> App {
    let (corpus, _) = Corpus::from_docs(&load::bundled(), None);
    let mut app = App::new(corpus, Settings { color: false, ..Settings::default() }, HashMap::new(), size);
    app.update(Action::Resize(size.0, size.1));
    app
}

fn buffer_of(app: &App) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("terminal");
    terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw");
    terminal.backend().buffer().clone()
}

/// Columns drawn in row `y` between `x0` and `x1`: up to the end of the last non-blank cell,
/// each cell as wide as ratatui takes it to be.
fn drawn_width(buffer: &Buffer, y: u16, x0: u16, x1: u16) -> usize {
    let mut end = x0;
    let mut x = x0;
    while x < x1 {
        let cell = &buffer[(x, y)];
        let symbol = cell.symbol();
        let w = cell.cell_width().max(1);
        if symbol != " " {
            end = x + w;
        }
        x += w;
    }
    usize::from(end - x0)
}

/// TST-02 for one screen: each reader row's width as the app computes it equals the columns
/// ratatui drew for it.
fn assert_app_and_ratatui_agree(app: &App) {
    let buffer = buffer_of(app);
    let areas = app.areas();
    let area = areas.reader;
    let layout = &app.reader.layout;
    let width = layout.width.min(area.width);
    let left = area.x + (area.width - width) / 2;
    for (y, line) in layout.lines.iter().skip(app.reader.top).take(usize::from(area.height)).enumerate() {
        let text = &layout.texts[line.text];
        let row = text[line.row.start..line.row.end].trim_start_matches(' ').trim_end_matches(['\n', ' ']);
        let computed = display_width(row, app.settings.ambiguous);
        let y = area.y + u16::try_from(y).expect("row");
        let drawn = drawn_width(&buffer, y, left, left + width);
        assert_eq!(computed, drawn, "row {y} {row:?} at {:?} ({:?})", app.size, app.settings.ambiguous);
    }
}

#[test]
fn tst_02_the_app_and_ratatui_agree_on_every_rows_width() {
    for size in [(80, 24), (40, 12), (120, 40), (23, 8)] {
        let mut app = app_with(MIXED, size, AmbiguousWidth::Narrow);
        app.update(Action::Open);
        for _ in 0..4 {
            assert_app_and_ratatui_agree(&app);
            app.update(Action::PageDown);
        }
        let mut app = bundled(size);
        app.update(Action::Open);
        for _ in 0..6 {
            assert_app_and_ratatui_agree(&app);
            app.update(Action::PageDown);
        }
    }
}

/// The notice drawn below the smallest usable size, clipped to the width.
const TOO_SMALL: &str = "terminal too small";

#[test]
fn tst_03_every_tiny_and_extreme_size_draws_and_below_20x5_only_the_notice() {
    let mut app = bundled((80, 24));
    app.update(Action::Open);
    let tiny = (0..=4u16).flat_map(|w| (0..=4u16).map(move |h| (w, h)));
    let small = (0..=24u16).flat_map(|w| (0..=6u16).map(move |h| (w, h)));
    let extreme = [(1, 200), (200, 1), (1000, 3), (3, 1000), (20, 5), (19, 5), (20, 4)];
    for (w, h) in tiny.chain(small).chain(extreme) {
        app.update(Action::Resize(w, h));
        let buffer = buffer_of(&app);
        let rows: Vec<String> = (0..h)
            .map(|y| (0..w).map(|x| buffer[(x, y)].symbol()).collect::<String>().trim_end().to_string())
            .collect();
        if w < 20 || h < 5 {
            let expected: String = TOO_SMALL.chars().take(usize::from(w)).collect();
            if h > 0 {
                assert_eq!(rows[0], expected.trim_end(), "{w}x{h}");
            }
            assert!(rows.iter().skip(1).all(String::is_empty), "{w}x{h}: more than the notice: {rows:?}");
        } else {
            assert!(!rows.iter().any(|r| r.starts_with(TOO_SMALL)), "{w}x{h} is usable: {rows:?}");
        }
    }
}

/// A wide glyph with a background, possibly at the right edge, and other content.
fn frame_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z ]{1,20}",
        "[\u{4E00}-\u{4E40}]{1,30}",
        prop::sample::select(vec!["👨\u{200d}👩\u{200d}👧", "🇨🇳", "“”…—", "\t", "\n\n", "e\u{301}", "ｶﾞ", "\u{3000}"])
            .prop_map(ToString::to_string),
    ];
    prop::collection::vec(piece, 1..30).prop_map(|p| format!("标题\n\n{}", p.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// TST-04: 50 frames of random size and content, drawn one after another on one terminal
    /// (so every frame is diffed against the last), with colour on so wide glyphs carry a
    /// background, and the library's selection bar reaching the right edge.
    #[test]
    fn tst_04_random_frame_sequences_never_panic(
        texts in prop::collection::vec(frame_text(), 1..4),
        frames in prop::collection::vec((0u16..=130, 0u16..=45, 0usize..4, 0u8..6), 50),
    ) {
        let apps: Vec<App> = texts
            .iter()
            .map(|t| {
                let docs = vec![load::RawDoc { name: "f.txt".into(), path: None, bytes: t.as_bytes().to_vec() }];
                let corpus = Corpus::from_docs(&docs, None).0;
                App::new(corpus, Settings::default(), HashMap::new(), (80, 24))
            })
            .collect();
        let mut apps = apps;
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        for (w, h, which, action) in frames {
            let app = &mut apps[which % texts.len()];
            app.update(Action::Resize(w, h));
            app.update(match action {
                0 => Action::Open,
                1 => Action::PageDown,
                2 => Action::ToggleScript,
                3 => Action::Down,
                4 => Action::ToggleLibrary,
                _ => Action::Up,
            });
            terminal.backend_mut().resize(w, h);
            terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw");
        }
    }
}

#[test]
fn tst_06_the_wide_setting_lays_ambiguous_punctuation_out_two_columns_wide() {
    let text = "宽度\n\n“引号”……“引号”……“引号”……“引号”……“引号”……“引号”……“引号”……“引号”……“引号”……“引号”……结束。\n";
    let mut narrow = app_with(text, (60, 12), AmbiguousWidth::Narrow);
    let mut wide = app_with(text, (60, 12), AmbiguousWidth::Wide);
    narrow.update(Action::Open);
    wide.update(Action::Open);
    // Under wide the same paragraph takes more rows, each still within the column.
    let rows = |app: &App| app.reader.layout.lines.iter().filter(|l| l.paragraph == Some(0)).count();
    assert!(rows(&wide) > rows(&narrow), "wide {} rows, narrow {}", rows(&wide), rows(&narrow));
    for app in [&narrow, &wide] {
        for line in &app.reader.layout.lines {
            let row = &app.reader.layout.texts[line.text][line.row.start..line.row.end];
            assert!(display_width(row.trim_end(), app.settings.ambiguous) <= usize::from(app.reader.layout.width));
        }
    }
    let draw = |app: &App| {
        let buffer = buffer_of(app);
        (0..buffer.area.height)
            .map(|y| {
                let mut line = String::new();
                let mut x = 0;
                while x < buffer.area.width {
                    let s = buffer[(x, y)].symbol();
                    line.push_str(s);
                    x += u16::try_from(unicode_width::UnicodeWidthStr::width(s).max(1)).unwrap_or(1);
                }
                line.trim_end().to_string() + "\n"
            })
            .collect::<String>()
    };
    insta::assert_snapshot!("ambiguous_narrow_60x12", draw(&narrow));
    insta::assert_snapshot!("ambiguous_wide_60x12", draw(&wide));
}

/// The character at the top-left of the reader: the first visible character of the top row.
fn top_left(app: &App) -> (usize, usize, char) {
    let line = &app.reader.layout.lines[app.reader.top];
    let text = &app.reader.layout.texts[line.text];
    let row = &text[line.row.start..line.row.end];
    let skipped = row.len() - row.trim_start_matches(' ').len();
    let at = line.row.start + skipped;
    (line.text, at, text[at..].chars().next().unwrap_or(' '))
}

#[test]
fn tst_07_resizing_keeps_the_character_at_the_top_left() {
    let mut app = bundled((80, 24));
    let index = app.corpus.articles.iter().position(|a| a.clauses.len() >= 20).expect("communiqué");
    while app.selected < index {
        app.update(Action::Down);
    }
    app.update(Action::Open);
    for _ in 0..7 {
        app.update(Action::Down);
    }
    let (text, at, c) = top_left(&app);
    for (w, h) in [(20, 24), (120, 24), (80, 24), (33, 10), (200, 60)] {
        app.update(Action::Resize(w, h));
        let (t, a, ch) = top_left(&app);
        assert_eq!(t, text, "{w}x{h}: another paragraph on top");
        // The row containing the character is on top: it starts at or before it.
        let line = &app.reader.layout.lines[app.reader.top];
        assert!(
            line.row.start <= at && at < line.row.end.max(line.row.start + 1),
            "{w}x{h}: {a} vs {at} ({ch} vs {c})"
        );
    }
}

#[test]
fn tst_01_a_grapheme_wider_than_a_one_column_text_is_shown_as_a_placeholder() {
    assert_eq!(unicode_width::UnicodeWidthStr::width(gongbao::ui::TOO_WIDE), 1);
    assert_eq!(unicode_width::UnicodeWidthStr::width_cjk(gongbao::ui::TOO_WIDE), 1);
    let docs = vec![load::RawDoc { name: "a.txt".into(), path: None, bytes: "标题\n\n中文\n".as_bytes().to_vec() }];
    let corpus = Corpus::from_docs(&docs, None).0;
    // A column of zero Han characters: the text is one column wide.
    let settings = Settings { color: false, column: 0, ..Settings::default() };
    let mut app = App::new(corpus, settings, HashMap::new(), (40, 50));
    app.update(Action::Resize(40, 50));
    app.update(Action::Open);
    assert_eq!(app.reader.layout.width, 1);
    let buffer = buffer_of(&app);
    let placeholders = buffer.content().iter().filter(|c| c.symbol() == gongbao::ui::TOO_WIDE).count();
    // 标, 题, 中, 文: each on a row of its own, none dropped.
    assert_eq!(placeholders, 4, "every too-wide grapheme is shown");
}

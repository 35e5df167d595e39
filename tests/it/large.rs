//! TST-05 (the functional half): in a long file every position, the last line included, can
//! be reached and is drawn. The time half (open in 2 s, frames within 16 ms, 64 MiB files) is
//! measured in release by `cargo run --release --example bench -- --large`, not asserted here.

use std::collections::HashMap;
use std::fmt::Write as _;

use gongbao::app::{Action, App, Settings};
use gongbao::corpus::{Corpus, load};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn open(bytes: Vec<u8>) -> App {
    let docs = vec![load::RawDoc { name: "big.txt".into(), path: None, bytes }];
    let (corpus, problems) = Corpus::from_docs(&docs, None);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(corpus.sources[0].fingerprint, gongbao::corpus::fingerprint(&docs[0].bytes));
    let mut app = App::new(corpus, Settings { color: false, ..Settings::default() }, HashMap::new(), (80, 24));
    app.update(Action::Resize(80, 24));
    app
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    terminal.draw(|f| gongbao::ui::render(app, f)).expect("draw");
    crate::common::screen_text(terminal.backend().buffer())
}

/// Opens the last article and goes to its bottom.
fn to_the_end(app: &mut App) {
    app.update(Action::Bottom);
    app.update(Action::Open);
    app.update(Action::Bottom);
}

#[test]
fn tst_05_the_last_of_100_000_short_lines_is_reachable_and_drawn() {
    let mut text = String::from("长文件\n\n");
    for i in 0..100_000 {
        let _ = writeln!(text, "第{i}行各方欢迎。");
    }
    let mut app = open(text.into_bytes());
    to_the_end(&mut app);
    let shown = screen(&app);
    assert!(shown.contains("第99999行"), "{shown}");
}

#[test]
fn tst_05_the_end_of_one_5_mib_line_is_reachable_and_drawn() {
    let mut text = String::from("一行长文\n\n");
    while text.len() < 5 * 1024 * 1024 {
        text.push_str("各方欢迎中国中亚合作机制秘书处启动全面运营");
    }
    text.push_str("终点标记。\n");
    let mut app = open(text.into_bytes());
    to_the_end(&mut app);
    let shown = screen(&app);
    assert!(shown.contains("终点") && shown.contains("标记。"), "{shown}");
    // And back to the start.
    app.update(Action::Top);
    assert!(screen(&app).contains("各方欢迎"));
}

/// 200,000 lines without punctuation are each a heading candidate; deciding which are
/// headings once walked every following heading per heading (quadratic: a million such lines
/// never finished opening). Now the file opens and its end is drawn.
#[test]
fn tst_05_the_end_of_200_000_unpunctuated_lines_is_reachable() {
    let mut text = String::from("短行\n\n");
    for i in 0..200_000 {
        let _ = writeln!(text, "第{i}行");
    }
    text.push_str("最后一行。\n");
    let mut app = open(text.into_bytes());
    to_the_end(&mut app);
    let shown = screen(&app);
    assert!(shown.contains("最后一行"), "{shown}");
}

/// A million end markers alone on their lines (a 10 MB file of `（完）`): each closes a piece, and
/// the piece pass once asked the whole growing piece about its text for every block (quadratic:
/// 200,000 lines took 13–21 s and a million never finished). Every marker is accounted for.
#[test]
fn a_million_end_markers_segment_and_every_one_is_accounted_for() {
    let text = "（完）\n".repeat(1_000_000);
    let doc = gongbao::corpus::load::RawDoc { name: "markers.txt".into(), path: None, bytes: text.into_bytes() };
    let (corpus, problems) = gongbao::corpus::Corpus::from_docs(&[doc], None);
    assert!(problems.iter().all(|p| !p.fatal), "{problems:?}");
    let kept: usize = corpus.articles.iter().flat_map(|a| &a.paragraphs).map(|p| p.text.matches('完').count()).sum();
    let removed: usize =
        corpus.sources.iter().flat_map(|s| s.removed.iter()).map(|r| r.text.matches('完').count()).sum();
    assert_eq!(kept + removed, 1_000_000);
}

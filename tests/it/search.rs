//! Search: script-insensitive matching on the samples and on random text, matches mapped back
//! to exact positions, and the reader's search driven by actions.

use std::collections::HashMap;
use std::fs;

use gongbao::app::{Action, App, Settings};
use gongbao::convert::{Converter, Script};
use gongbao::corpus::{Corpus, ReadOptions, load};
use gongbao::search::{Match, Query, SearchIndex, folder};
use proptest::prelude::*;

fn samples() -> Corpus {
    Corpus::from_docs(&load::bundled(), None).0
}

fn search(corpus: &Corpus, query: &str) -> Vec<Match> {
    let index = SearchIndex::build(corpus, folder());
    let mut out = Vec::new();
    index.search(corpus, &Query::new(query, false), folder(), |m| {
        out.push(m);
        true
    });
    out
}

fn as_written<'a>(corpus: &'a Corpus, m: &Match) -> &'a str {
    &corpus.articles[m.article].paragraphs[m.paragraph].text[m.range.clone()]
}

fn per_source(corpus: &Corpus, matches: &[Match]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for m in matches {
        let name = corpus.articles[m.article].source[..3].to_string();
        match counts.last_mut() {
            Some((n, c)) if *n == name => *c += 1,
            _ => counts.push((name, 1)),
        }
    }
    counts
}

#[test]
fn ge_fang_huan_ying_is_found_in_both_scripts_of_the_samples() {
    let corpus = samples();
    let traditional = search(&corpus, "各方歡迎");
    let simplified = search(&corpus, "各方欢迎");
    let expected = [("000".to_string(), 6), ("001".to_string(), 5), ("002".to_string(), 1)];
    assert_eq!(per_source(&corpus, &traditional), expected);
    assert_eq!(traditional, simplified, "the query's script does not matter");
    for m in &traditional {
        let written = as_written(&corpus, m);
        assert!(written == "各方欢迎" || written == "各方歡迎", "{written}");
    }
}

#[test]
fn width_and_script_variants_of_a_parenthesised_name_match() {
    let corpus = samples();
    let found = search(&corpus, "中欧（亚）班列");
    let written: Vec<&str> = found.iter().map(|m| as_written(&corpus, m)).collect();
    assert_eq!(written, ["中欧(亚)班列", "中歐(亞)班列", "中欧（亚）班列"]);
}

#[test]
fn a_query_across_a_rejoined_line_break_is_found() {
    // Sample 004 breaks "活动期" / "间,与会" over two lines; cleaning rejoins them.
    let corpus = samples();
    let found = search(&corpus, "活動期間，與會");
    assert_eq!(found.len(), 1);
    assert_eq!(as_written(&corpus, &found[0]), "活动期间,与会");
    // And a break the cleaner keeps as a line break inside a paragraph is skipped too.
    let mut corpus = samples();
    corpus.articles[0].paragraphs[0].text = "各方\n欢 迎".into();
    assert_eq!(as_written(&corpus, &search(&corpus, "各方歡迎")[0]), "各方\n欢 迎");
}

#[test]
fn exact_mode_searches_the_text_as_written() {
    let corpus = samples();
    let index = SearchIndex::build(&corpus, folder());
    let mut n = 0;
    index.search(&corpus, &Query::new("各方歡迎", true), folder(), |m| {
        assert_eq!(as_written(&corpus, &m), "各方歡迎");
        n += 1;
        true
    });
    assert_eq!(n, 6);
}

/// Words with characters whose Traditional forms differ, some more than one way (发 → 發/髮,
/// 后 → 後/后, 干 → 幹/乾, 里 → 裏/里, 着 → 著).
const WORDS: &[&str] = &[
    "发展",
    "头发",
    "后来",
    "皇后",
    "干净",
    "干部",
    "里面",
    "公里",
    "看着",
    "著名",
    "台湾",
    "台风",
    "经济",
    "会议",
    "合作",
    "历史",
    "问题",
    "关系",
    "标准",
    "联合国",
    "一个中国",
    "愿意",
    "面条",
    "表面",
    "制度",
    "制造",
    "系统",
    "联系",
    "，",
    "。",
    "、",
];

fn simplified_text() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..WORDS.len(), 1..60)
}

/// Character offsets of every occurrence of `needle` in `haystack` (non-overlapping, in order).
fn char_positions(haystack: &str, needle: &str) -> Vec<(usize, usize)> {
    let n = needle.chars().count();
    haystack.match_indices(needle).map(|(b, _)| haystack[..b].chars().count()).map(|c| (c, c + n)).collect()
}

fn char_ranges(corpus: &Corpus, found: &[Match]) -> Vec<(usize, usize)> {
    found
        .iter()
        .map(|m| {
            let text = &corpus.articles[m.article].paragraphs[m.paragraph].text;
            let start = text[..m.range.start].chars().count();
            (start, start + text[m.range.clone()].chars().count())
        })
        .collect()
}

/// One converter for all cases: building an engine is the slow part.
fn converter() -> &'static Converter {
    static CONVERTER: std::sync::OnceLock<Converter> = std::sync::OnceLock::new();
    CONVERTER.get_or_init(Converter::new)
}

/// The samples' first paragraph, replaced by `text` (real article metadata around it).
fn one_paragraph(text: &str) -> Corpus {
    static SAMPLES: std::sync::OnceLock<Corpus> = std::sync::OnceLock::new();
    let mut corpus = SAMPLES.get_or_init(samples).clone();
    corpus.articles.truncate(1);
    corpus.articles[0].paragraphs.truncate(1);
    corpus.articles[0].paragraphs[0].text = text.to_string();
    corpus
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random Simplified text and its Traditional conversion: a Simplified query finds every
    /// occurrence in the Traditional text, and a Traditional query every one in the Simplified,
    /// at the positions the Simplified text has them; matches never overlap.
    #[test]
    fn queries_find_every_occurrence_across_scripts(words in simplified_text(), pick in 0..WORDS.len() - 3) {
        let converter = converter();
        let simplified: String = words.iter().map(|&w| WORDS[w]).collect();
        let traditional = converter.convert(&simplified, Script::Traditional).expect("s2t").into_owned();
        prop_assert_eq!(simplified.chars().count(), traditional.chars().count());
        let needle = WORDS[pick];
        let needle_traditional = converter.convert(needle, Script::Traditional).expect("s2t").into_owned();
        let expected = char_positions(&simplified, needle);
        for (text, query) in [(&traditional, needle), (&simplified, needle_traditional.as_str()), (&simplified, needle)] {
            let corpus = one_paragraph(text);
            let found = search(&corpus, query);
            let ranges = char_ranges(&corpus, &found);
            // Every expected occurrence is found (folding may merge a few extra characters,
            // such as 着 with 著, so extra matches are allowed only where the folded text has one).
            for e in &expected {
                prop_assert!(ranges.contains(e), "{} not found at {:?} in {}", query, e, text);
            }
            for w in found.windows(2) {
                prop_assert!(w[0].range.end <= w[1].range.start, "overlapping matches");
            }
            for m in &found {
                prop_assert!(!m.range.is_empty());
            }
        }
    }
}

fn app_at(size: (u16, u16)) -> App {
    let mut app = App::new(samples(), Settings { color: false, ..Settings::default() }, HashMap::new(), size);
    app.update(Action::Resize(size.0, size.1));
    app
}

fn open_communique(app: &mut App) {
    let index = app.corpus.articles.iter().position(|a| a.clauses.len() >= 20).expect("communiqué");
    while app.selected < index {
        app.update(Action::Down);
    }
    app.update(Action::Open);
}

fn type_in(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Input(c));
    }
}

#[test]
fn reader_search_moves_through_the_communique_clause_by_clause() {
    let mut app = app_at((100, 30));
    open_communique(&mut app);
    app.update(Action::SearchPrompt);
    type_in(&mut app, "各方歡迎");
    app.update(Action::Confirm);
    let current = |app: &App| {
        let s = app.search.active.as_ref().expect("a search");
        let m = &s.matches[s.current.expect("a current match")];
        gongbao::search::clause_label(&app.corpus, m.article, m.paragraph).map(str::to_string)
    };
    assert_eq!(app.match_position(), Some((Some(0), 5)));
    assert_eq!(current(&app).as_deref(), Some("七、"));
    let line = app.match_line(&app.search.active.as_ref().expect("search").matches[0]).expect("laid out");
    assert!(line >= app.reader.top && line < app.reader.top + app.page_height(), "the match is in view");
    app.update(Action::NextMatch);
    assert_eq!(current(&app).as_deref(), Some("十三、"));
    assert_eq!(app.match_position(), Some((Some(1), 5)));
    // Past the last match: told first, then on to the next article with a match.
    for _ in 0..3 {
        app.update(Action::NextMatch);
    }
    let open = app.reader.open;
    app.update(Action::NextMatch);
    assert!(app.status.as_deref().is_some_and(|s| s.contains("again")), "{:?}", app.status);
    assert_eq!(app.reader.open, open);
    app.update(Action::NextMatch);
    assert_ne!(app.reader.open, open);
    assert_eq!(app.match_position(), Some((Some(0), 5)), "the Traditional communiqué, at its first match");
}

#[test]
fn highlights_follow_the_script_toggle() {
    let mut app = app_at((100, 30));
    open_communique(&mut app);
    app.update(Action::SearchPrompt);
    type_in(&mut app, "各方欢迎");
    app.update(Action::Confirm);
    for _ in 0..2 {
        app.update(Action::ToggleScript);
        for h in &app.reader.highlights {
            let shown = &app.reader.layout.texts[h.text][h.range.clone()];
            assert!(shown == "各方欢迎" || shown == "各方歡迎", "{shown} in {:?}", app.settings.script);
        }
        assert_eq!(app.reader.highlights.len(), 5);
    }
}

#[test]
fn escape_puts_the_reader_back_where_the_search_started() {
    let mut app = app_at((100, 30));
    open_communique(&mut app);
    let top = app.reader.top;
    app.update(Action::SearchPrompt);
    type_in(&mut app, "各方欢迎");
    assert_ne!(app.reader.top, top, "incremental search moved the view");
    app.update(Action::Cancel);
    assert_eq!(app.reader.top, top);
    assert!(app.search.active.is_none());
}

#[test]
fn results_list_opens_an_article_at_its_match() {
    let mut app = app_at((100, 30));
    app.update(Action::SearchCorpus);
    type_in(&mut app, "中欧（亚）班列");
    app.update(Action::Confirm);
    let rows = app.search.results.len();
    assert_eq!(rows, 3 * 3, "a source, an article and a match row for each of three");
    app.update(Action::Bottom);
    app.update(Action::Confirm);
    let s = app.search.active.as_ref().expect("search kept");
    assert_eq!(app.corpus.articles[app.reader.open].source[..3].to_string(), "003");
    assert_eq!(s.current, Some(0));
}

#[test]
fn the_library_filter_matches_titles_in_either_script() {
    let mut app = app_at((100, 30));
    let all = app.visible_articles().len();
    app.update(Action::FilterLibrary);
    type_in(&mut app, "會晤");
    let shown = app.visible_articles().to_vec();
    assert!(!shown.is_empty() && shown.len() < all);
    for &i in &shown {
        assert!(folder().fold(&app.library_title(i)).contains(&folder().fold("会晤")));
    }
    assert!(shown.contains(&app.selected));
    app.update(Action::Confirm);
    app.update(Action::Down);
    assert!(shown.contains(&app.selected), "moving stays within the filtered list");
    app.update(Action::FilterLibrary);
    app.update(Action::Cancel);
    assert_eq!(app.visible_articles().len(), all);
}

fn any_action() -> impl Strategy<Value = Action> {
    let typed =
        prop::sample::select(vec!['各', '方', '歡', '迎', '欢', '（', '(', ' ', 'a', '\u{202e}', '\u{1b}', '\n']);
    prop_oneof![
        3 => typed.prop_map(Action::Input),
        1 => Just(Action::Backspace),
        1 => Just(Action::SearchPrompt),
        1 => Just(Action::SearchCorpus),
        2 => Just(Action::NextMatch),
        1 => Just(Action::PreviousMatch),
        1 => Just(Action::FilterLibrary),
        1 => Just(Action::ToggleExact),
        1 => Just(Action::Confirm),
        1 => Just(Action::Cancel),
        1 => Just(Action::Down),
        1 => Just(Action::Up),
        1 => Just(Action::Bottom),
        1 => Just(Action::PageDown),
        1 => Just(Action::ToggleScript),
        1 => Just(Action::NextArticle),
        1 => Just(Action::SwitchFocus),
        1 => (0u16..130, 0u16..50).prop_map(|(w, h)| Action::Resize(w, h)),
        1 => Just(Action::Compare),
        1 => Just(Action::MarkParagraph),
        1 => Just(Action::StartVisual),
        1 => Just(Action::NextSentence),
        1 => Just(Action::PreviousSentence),
        1 => Just(Action::SwapEnds),
        1 => Just(Action::ShowBookmarks),
        1 => Just(Action::EditNote),
        1 => Just(Action::DeleteBookmark),
        1 => Just(Action::Undo),
        1 => Just(Action::ToggleOrder),
        1 => Just(Action::Reattach),
        1 => Just(Action::Newline),
        1 => Just(Action::Top),
        1 => Just(Action::GoToPrompt),
        1 => Just(Action::ToggleOutline),
        1 => Just(Action::ToggleHelp),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any sequence of search, filter, bookmark, compare and movement actions, drawn after each
    /// step at whatever size, never panics, and the search state stays consistent.
    #[test]
    fn random_search_sessions_never_panic(actions in prop::collection::vec(any_action(), 1..60)) {
        static CORPUS: std::sync::OnceLock<Corpus> = std::sync::OnceLock::new();
        let corpus = CORPUS.get_or_init(samples).clone();
        let mut app = App::new(corpus, Settings::default(), HashMap::new(), (80, 24));
        // Bookmarks in memory only: nothing is written.
        app.set_bookmarks(gongbao::bookmarks::store::Store::in_memory());
        for action in actions {
            app.update(action);
            let (w, h) = app.size;
            let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
            terminal.draw(|f| gongbao::ui::render(&app, f)).expect("draw");
            if let Some(s) = &app.search.active {
                if let Some(c) = s.current {
                    prop_assert!(c < s.matches.len());
                }
                prop_assert!(s.query.text.chars().all(|c| !c.is_control() && c != '\u{202e}'), "{:?}", s.query.text);
            }
            for h in &app.reader.highlights {
                prop_assert!(app.reader.layout.texts[h.text].get(h.range.clone()).is_some(), "highlight off a char boundary");
            }
        }
    }
}

/// Loading in the background appends files in list order: the corpus, the search results and
/// the versions are those of a load done at once.
#[test]
fn background_loading_gives_the_same_corpus_as_loading_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, d) in load::bundled().iter().enumerate() {
        for copy in 0..3 {
            fs::write(dir.path().join(format!("{copy}_{i}_{}", d.name)), &d.bytes).expect("write");
        }
    }
    fs::write(dir.path().join("empty.txt"), b"").expect("write");
    let inputs = vec![load::Input::from_arg(dir.path().as_os_str())];
    let at_once = {
        let loaded = load::load(&inputs, 1 << 30);
        Corpus::from_docs(&loaded.docs, None).0
    };
    let loading = gongbao::loader::start(inputs, 1 << 30, None, ReadOptions::default(), 3);
    let mut app = App::new(Corpus::default(), Settings::default(), HashMap::new(), (80, 24));
    app.start_loading(loading);
    tick_until_loaded(&mut app);
    let json = |c: &Corpus| serde_json::to_string(c).expect("serialises");
    assert_eq!(json(&app.corpus), json(&at_once));
    assert_eq!(app.messages.len(), 1, "the empty file is reported: {:?}", app.messages);
    assert_eq!(search(&app.corpus, "各方歡迎").len(), search(&at_once, "各方歡迎").len());
    let mut n = 0;
    app.index.search(&app.corpus, &Query::new("各方歡迎", false), folder(), |_| {
        n += 1;
        true
    });
    assert_eq!(n, 12 * 3, "the index grew with every file");
    assert!(app.versions.iter().any(|v| !v.is_empty()), "versions are linked once loaded");
    assert!(app.article().is_some(), "an article is open");
    // The library grew file by file; rebuilding it at once gives the same rows.
    let grown = app.library.rows.clone();
    app.refresh_library();
    assert_eq!(grown, app.library.rows);
    assert_eq!(app.library.rows.len(), app.corpus.sources.len() + app.corpus.articles.len());
}

/// If the loading threads vanish without finishing, the reader stops loading, keeps what it
/// has and says so, instead of waiting for ever.
#[test]
fn loading_threads_that_vanish_end_the_load_with_a_message() {
    use gongbao::loader::{Loading, Outcome, Update};
    let (tx, rx) = std::sync::mpsc::channel();
    let docs = load::bundled();
    let (source, articles) = gongbao::corpus::process(&docs[0], None, 0, ReadOptions::default()).expect("a sample");
    tx.send(Update::Listed { files: 3, problems: vec![], skipped: 0 }).expect("send");
    tx.send(Update::File { position: 0, bytes: 1, outcome: Outcome::Loaded(Box::new(source), articles, vec![], None) })
        .expect("send");
    drop(tx);
    let mut app = App::new(Corpus::default(), Settings::default(), HashMap::new(), (80, 24));
    app.start_loading(Loading::from_channel(rx));
    app.update(Action::Tick);
    tick_until_loaded(&mut app);
    assert_eq!(app.corpus.sources.len(), 1, "what arrived is kept");
    assert!(app.messages.iter().any(|m| m.contains("ended early")), "{:?}", app.messages);
    assert!(app.article().is_some());
}

/// When a tick runs out of time with results still waiting, the reader says so, so that its
/// loop ticks again at once instead of waiting for a key; once everything that arrived is
/// appended, it does not.
#[test]
fn a_tick_that_leaves_results_waiting_reports_a_backlog() {
    use gongbao::loader::{Loading, Outcome, Update};
    let (tx, rx) = std::sync::mpsc::channel();
    let docs = load::bundled();
    let (source, articles) = gongbao::corpus::process(&docs[0], None, 0, ReadOptions::default()).expect("a sample");
    // Far more than one 25 ms tick can append.
    let files = 3000;
    tx.send(Update::Listed { files, problems: vec![], skipped: 0 }).expect("send");
    for position in 0..files {
        let outcome = Outcome::Loaded(Box::new(source.clone()), articles.clone(), vec![], None);
        tx.send(Update::File { position, bytes: 1, outcome }).expect("send");
    }
    let mut app = App::new(Corpus::default(), Settings::default(), HashMap::new(), (80, 24));
    app.start_loading(Loading::from_channel(rx));
    app.update(Action::Tick);
    assert!(app.loading_backlog(), "{} of {files} files appended after one tick", app.corpus.sources.len());
    let mut ticks = 1;
    while app.loading_backlog() {
        app.update(Action::Tick);
        ticks += 1;
        assert!(ticks < 10_000, "the backlog never cleared");
    }
    assert_eq!(app.corpus.sources.len(), files, "everything sent was appended");
    assert!(app.is_loading(), "still loading: the workers have not said they finished");
    drop(tx);
    app.update(Action::Tick);
    assert!(!app.loading_backlog());
    tick_until_loaded(&mut app);
}

/// Ticks until the load is over (versions are linked on a thread of their own at its end).
fn tick_until_loaded(app: &mut App) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_mins(1);
    while app.is_loading() {
        assert!(std::time::Instant::now() < deadline, "loading never finished");
        app.update(Action::Tick);
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// At the end of a load the versions are linked on another thread: the reader keeps
/// answering (its ticks return at once), says what it is doing, and the load ends with the
/// same versions a synchronous link gives.
#[test]
fn versions_are_linked_off_the_reader_thread_at_the_end_of_a_load() {
    use gongbao::loader::{Loading, Outcome, Update};
    let (tx, rx) = std::sync::mpsc::channel();
    let docs = load::bundled();
    let files = docs.len();
    tx.send(Update::Listed { files, problems: vec![], skipped: 0 }).expect("send");
    for (position, doc) in docs.iter().enumerate() {
        let (source, articles) =
            gongbao::corpus::process(doc, None, position, ReadOptions::default()).expect("a sample");
        tx.send(Update::File {
            position,
            bytes: 1,
            outcome: Outcome::Loaded(Box::new(source), articles, vec![], None),
        })
        .expect("send");
    }
    tx.send(Update::Finished).expect("send");
    let mut app = App::new(Corpus::default(), Settings::default(), HashMap::new(), (80, 24));
    app.start_loading(Loading::from_channel(rx));
    app.update(Action::Tick);
    assert!(app.is_loading(), "still loading until the versions arrive");
    assert!(app.progress().is_some_and(|p| p.contains("linking versions")), "{:?}", app.progress());
    tick_until_loaded(&mut app);
    let expected =
        gongbao::versions::by_article(&gongbao::versions::link(&app.corpus, &app.index), app.corpus.articles.len());
    assert_eq!(app.versions, expected);
    assert!(app.versions.iter().any(|v| !v.is_empty()), "the samples have versions of each other");
    assert!(app.status.as_deref().is_some_and(|s| s.starts_with("loaded")), "{:?}", app.status);
}

//! ENC-08 in the reader: `E` decodes the open file as the next encoding, the choice is shown
//! in the status bar and remembered per file (by content) across a restart.

use std::collections::HashMap;
use std::path::Path;

use gongbao::app::positions;
use gongbao::app::{Action, App, Settings};
use gongbao::bookmarks::store::Store;
use gongbao::corpus::{Corpus, load};
use gongbao::loader;

const TEXT: &str = "中國—中亞外長舉行第六次會晤\n\n新華社阿拉木圖電 各方歡迎中國—中亞秘書處啟動全面運營，將全力支持秘書處為促進合作發揮積極作用。\n";

/// The reader on `path` with `data` as its data folder, as `main` sets it up for standard
/// input or the samples: loaded first, in the encodings chosen for the files.
fn reader(path: &Path, data: &Path) -> App {
    let (file, saved, messages) = positions::Store::open(data);
    assert!(messages.is_empty(), "{messages:?}");
    let config = loader::Config { search_index: false, ..saved.load_config(u64::MAX, None) };
    let loaded = loader::gather(loader::start_with(vec![load::Input::Path(path.to_path_buf())], config));
    assert!(loaded.failures.is_empty(), "{:?}", loaded.failures);
    let mut app = App::new(loaded.corpus, Settings { color: false, ..Settings::default() }, saved.positions, (100, 30));
    app.encodings = saved.encodings;
    app.positions_file = file;
    app.set_bookmarks(Store::open(Some(data)).0);
    app.adopt_legacy_encodings();
    app.update(Action::Resize(100, 30));
    app
}

/// The reader on `path` as `main` sets it up for files: the first frame at once, the files
/// loading on worker threads with the encodings chosen for them.
fn reader_loading(path: &Path, data: &Path) -> App {
    let (file, saved, _) = positions::Store::open(data);
    let loading = loader::start_with(vec![load::Input::Path(path.to_path_buf())], saved.load_config(u64::MAX, None));
    let mut app =
        App::new(Corpus::default(), Settings { color: false, ..Settings::default() }, saved.positions, (100, 30));
    app.encodings = saved.encodings;
    app.positions_file = file;
    app.adopt_legacy_encodings();
    app.start_loading(loading);
    app
}

/// `E`, and the ticks of the event loop until the file has been read again (the reader
/// goes on meanwhile).
fn cycle_encoding(app: &mut App) {
    app.update(Action::CycleEncoding);
    let start = std::time::Instant::now();
    while app.is_busy() {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "E never finished");
        std::thread::sleep(std::time::Duration::from_millis(1));
        app.update(Action::Tick);
    }
}

fn text_of(app: &App) -> String {
    app.corpus.articles.iter().flat_map(|a| a.paragraphs.iter().map(|p| p.text.clone())).collect()
}

/// `news.txt` in `dir`: a Big5 body behind a UTF-8 BOM (as converters glue it on), which
/// detection reads as UTF-8; its path and bytes.
fn big5_behind_a_utf8_bom(dir: &Path) -> (std::path::PathBuf, Vec<u8>) {
    let path = dir.join("news.txt");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(&encoding_rs::BIG5.encode(TEXT).0);
    std::fs::write(&path, &bytes).expect("write");
    (path, bytes)
}

/// The reader on [`big5_behind_a_utf8_bom`] in a temporary folder, the file opened and `E`
/// pressed until it reads as Big5, chosen (each step decodes it again): the folder, the data
/// folder, the file and the reader.
fn big5_chosen() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf, App) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (path, _) = big5_behind_a_utf8_bom(dir.path());
    let mut app = reader(&path, &data);
    app.update(Action::Open);
    let mut steps = 0;
    while app.corpus.sources[0].encoding != "Big5" || app.chosen_encoding(0).is_none() {
        cycle_encoding(&mut app);
        steps += 1;
        assert!(steps <= 6, "Big5 is never offered: {:?}", app.status);
    }
    (dir, data, path, app)
}

#[test]
fn enc_08_e_reads_a_big5_body_behind_a_utf8_bom_as_big5_and_remembers_it() {
    let (dir, data, path, mut app) = big5_chosen();
    assert!(text_of(&app).contains("各方歡迎中國"), "{}", text_of(&app));
    assert!(app.status.as_deref().is_some_and(|s| s.contains("Big5") && s.contains("remembered")), "{:?}", app.status);
    assert!(!app.corpus.sources[0].guessed, "a choice is not a guess");
    // Search and the library follow the new text.
    assert!(app.corpus.articles.iter().any(|a| a.title.as_deref().is_some_and(|t| t.contains("外長"))));

    // The status bar says it was chosen (and no longer guessed).
    app.update(Action::Cancel);
    app.status = None;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).expect("terminal");
    terminal.draw(|f| gongbao::ui::render(&app, f)).expect("draw");
    let screen: String = terminal.backend().buffer().content().iter().map(ratatui::buffer::Cell::symbol).collect();
    assert!(screen.contains("Big5 (set)"), "{screen}");

    // A restart: the choice comes back from the state file, by the file's content.
    let again = reader(&path, &data);
    assert_eq!(again.corpus.sources[0].encoding, "Big5");
    assert!(text_of(&again).contains("各方歡迎中國"));
    assert!(again.chosen_encoding(0).is_some());
    // The same bytes under another name are the same file.
    let moved = dir.path().join("renamed.txt");
    std::fs::rename(&path, &moved).expect("rename");
    assert_eq!(reader(&moved, &data).corpus.sources[0].encoding, "Big5");

    // Round the cycle back to detection: the choice is forgotten.
    let mut app = reader(&moved, &data);
    app.update(Action::Open);
    while app.chosen_encoding(0).is_some() {
        cycle_encoding(&mut app);
    }
    assert!(positions::Store::open(&data).1.encodings.is_empty(), "forgotten in the state file too");
}

#[test]
fn a_remembered_choice_is_read_while_the_file_loads_not_applied_after_it() {
    let (_dir, data, path, _) = big5_chosen();
    // The next run: the file's articles arrive already in Big5, while the load is under way.
    let mut app = reader_loading(&path, &data);
    let start = std::time::Instant::now();
    while app.corpus.sources.is_empty() {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "the file never arrived");
        std::thread::sleep(std::time::Duration::from_millis(1));
        app.update(Action::Tick);
    }
    assert!(app.is_loading(), "the load has not ended yet");
    assert_eq!((app.corpus.sources[0].encoding.as_str(), app.corpus.sources[0].guessed), ("Big5", false));
    assert!(app.chosen_encoding(0).is_some(), "shown as chosen");
    assert!(text_of(&app).contains("各方歡迎中國"), "{}", text_of(&app));
    // The search index the worker made is of that text: nothing is rebuilt at the end.
    let index = std::sync::Arc::clone(&app.index);
    let hits = |app: &App| {
        let mut n = 0;
        let query = gongbao::search::Query::new("各方歡迎", false);
        app.index.search(&app.corpus, &query, gongbao::search::folder(), |_| {
            n += 1;
            true
        });
        n
    };
    assert_eq!(hits(&app), 1);
    while app.is_loading() {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "loading never ended");
        std::thread::sleep(std::time::Duration::from_millis(1));
        app.update(Action::Tick);
    }
    assert!(std::sync::Arc::ptr_eq(&index, &app.index), "the index was not built again");
    assert_eq!(app.corpus.sources[0].encoding, "Big5");
    assert!(app.messages.is_empty(), "{:?}", app.messages);
    let rebuilt = gongbao::search::SearchIndex::build(&app.corpus, gongbao::search::folder());
    assert_eq!(format!("{:?}", app.index), format!("{rebuilt:?}"));
}

#[test]
fn enc_08_e_while_files_load_says_to_wait_and_changes_nothing() {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut app = App::new(Corpus::default(), Settings::default(), HashMap::new(), (80, 24));
    app.start_loading(gongbao::loader::Loading::from_channel(rx));
    app.update(Action::CycleEncoding);
    assert!(app.status.as_deref().is_some_and(|s| s.contains("loading")), "{:?}", app.status);
    drop(tx);
}

#[test]
fn a_choice_saved_under_the_old_fingerprint_still_applies_and_moves_to_the_new_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data folder");
    let path = dir.path().join("news.txt");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(&encoding_rs::BIG5.encode(TEXT).0);
    std::fs::write(&path, &bytes).expect("write");
    // The state file as an earlier build wrote it: Big5 chosen for these bytes, by FNV-1a.
    let old_key = gongbao::corpus::legacy_fingerprint(&bytes);
    let other_key = "0123456789abcdef";
    let state = format!(r#"{{"schema_version":1,"encodings":{{"{old_key}":"Big5","{other_key}":"GBK"}}}}"#);
    std::fs::write(data.join(positions::FILE), state).expect("state");

    let mut app = reader(&path, &data);
    assert_eq!(app.corpus.sources[0].legacy_fingerprint.as_deref(), Some(old_key.as_str()));
    assert_eq!(app.corpus.sources[0].encoding, "Big5");
    assert!(text_of(&app).contains("各方歡迎中國"), "{}", text_of(&app));
    // Moved to the new key; the choice for a file not loaded keeps its old one.
    let new_key = gongbao::corpus::fingerprint(&bytes);
    assert_eq!(app.encodings.get(&new_key).map(String::as_str), Some("Big5"));
    assert!(!app.encodings.contains_key(&old_key));
    assert_eq!(app.encodings.get(other_key).map(String::as_str), Some("GBK"));
    app.save_reading_state().expect("save");

    // Still an old key in the state: the next run takes old fingerprints, and reads Big5 by the new.
    let again = reader(&path, &data);
    assert_eq!(again.corpus.sources[0].encoding, "Big5");
    assert_eq!(again.encodings.len(), 2);
    // With no old keys left, loading does not take them.
    let mut again = again;
    again.encodings.remove(other_key);
    again.save_reading_state().expect("save");
    let last = reader(&path, &data);
    assert_eq!(
        (last.corpus.sources[0].encoding.as_str(), last.corpus.sources[0].legacy_fingerprint.as_ref()),
        ("Big5", None)
    );
}

#[test]
fn e_reads_the_file_again_off_the_ui_thread_and_the_reader_goes_on_meanwhile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("news.txt");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(&encoding_rs::BIG5.encode(TEXT).0);
    std::fs::write(&path, &bytes).expect("write");
    let mut app = reader(&path, &dir.path().join("data"));
    app.update(Action::Open);
    let before = text_of(&app);
    app.update(Action::CycleEncoding);
    // Nothing changed yet: the file is read on the loader's thread, and the status line says so.
    assert!(app.is_busy());
    assert_eq!(text_of(&app), before);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).expect("terminal");
    terminal.draw(|f| gongbao::ui::render(&app, f)).expect("draw");
    let screen: String = terminal.backend().buffer().content().iter().map(ratatui::buffer::Cell::symbol).collect();
    assert!(screen.contains("reading news.txt as"), "{screen}");
    // A second E meanwhile starts nothing new.
    app.update(Action::CycleEncoding);
    assert!(app.status.as_deref().is_some_and(|s| s.starts_with("still reading news.txt")), "{:?}", app.status);
    let start = std::time::Instant::now();
    while app.is_busy() {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "E never finished");
        std::thread::sleep(std::time::Duration::from_millis(1));
        app.update(Action::Tick);
    }
    assert_ne!(text_of(&app), before, "read as the next encoding");
    assert!(app.status.as_deref().is_some_and(|s| s.contains("E again")), "{:?}", app.status);
    // The search index and the versions are those of the new text.
    assert_eq!(app.versions.len(), app.corpus.articles.len());
    let rebuilt = gongbao::search::SearchIndex::build(&app.corpus, gongbao::search::folder());
    assert_eq!(format!("{:?}", app.index), format!("{rebuilt:?}"));
}

#[test]
fn e_skips_an_encoding_the_bytes_are_not_text_in_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("news.txt");
    // GBK: detected so, then UTF-8 is offered first, and GBK bytes are no UTF-8 text.
    std::fs::write(&path, encoding_rs::GBK.encode(&TEXT.repeat(4)).0).expect("write");
    let mut app = reader(&path, &dir.path().join("data"));
    app.update(Action::Open);
    cycle_encoding(&mut app);
    let status = app.status.clone().unwrap_or_default();
    assert!(status.contains("(not text as UTF-8)") && status.starts_with("news.txt: gb18030"), "{status}");
}

#[test]
fn e_goes_through_the_loaders_checks_and_changes_nothing_when_they_refuse() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("news.txt");
    std::fs::write(&path, TEXT).expect("write");
    let mut app = reader(&path, &dir.path().join("data"));
    app.update(Action::Open);
    let before = text_of(&app);
    // The size cap.
    app.max_bytes = 10;
    cycle_encoding(&mut app);
    let status = app.status.clone().unwrap_or_default();
    assert!(status.starts_with("news.txt: could not read it again:") && status.contains("larger than"), "{status}");
    assert_eq!(text_of(&app), before);
    assert!(app.chosen_encoding(0).is_none(), "no choice remembered");
    // A FIFO in the file's place is refused, not opened (which would wait for a writer).
    app.max_bytes = u64::MAX;
    std::fs::remove_file(&path).expect("remove");
    let made = std::process::Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(made.success());
    cycle_encoding(&mut app);
    let status = app.status.clone().unwrap_or_default();
    assert!(status.contains("not a regular file"), "{status}");
    assert_eq!(text_of(&app), before);
}

//! The dictionary is unpacked by the first look-up, never at start-up (issue 21): the reader
//! starts, opens and draws an article, changes script and searches without it. In a process of
//! its own, since the dictionary, once unpacked, stays for the process: the test runs the test
//! binary again for itself alone.

use std::collections::HashMap;

use gongbao::app::{Action, App, Settings};
use gongbao::corpus::{Corpus, load};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Its name in the test binary, for the child run.
const NAME: &str = "lookup_lazy::the_dictionary_is_unpacked_at_the_first_look_up_and_not_before";

#[test]
fn the_dictionary_is_unpacked_at_the_first_look_up_and_not_before() {
    if std::env::var_os("GONGBAO_LOOKUP_LAZY_CHILD").is_none() {
        // Other tests in this binary look words up: run again, alone.
        let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", NAME, "--test-threads=1"])
            .env("GONGBAO_LOOKUP_LAZY_CHILD", "1")
            .output()
            .expect("run the test binary");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("1 passed"), "the child ran no test: {stdout}");
        return;
    }
    let (corpus, _) = Corpus::from_docs(&load::bundled(), None);
    let mut app = App::new(corpus, Settings { color: false, ..Settings::default() }, HashMap::new(), (80, 24));
    app.update(Action::Resize(80, 24));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    let mut draw = |app: &App| terminal.draw(|f| gongbao::ui::render(app, f)).map(drop).expect("draw");
    for action in
        [Action::Down, Action::Open, Action::ToggleScript, Action::PageDown, Action::ShowWords, Action::Cancel]
    {
        app.update(action);
        draw(&app);
    }
    assert!(!gongbao::dict::loaded(), "unpacked before any look-up");
    app.update(Action::StartLookup);
    assert!(gongbao::dict::loaded());
    assert!(app.lookup_word().is_some());
    draw(&app);
}

//! End-to-end: the real binary driven in tmux (a private server per test,
//! `send-keys`, `capture-pane`), to see what a person sees. Skips visibly
//! where tmux is missing; CI has tmux.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server running gongbao; killed on drop.
struct Session {
    socket: PathBuf,
    _dir: tempfile::TempDir,
    data: PathBuf,
}

fn wait_ms() -> u64 {
    let base = std::env::var("GONGBAO_TEST_WAIT_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(5000);
    if std::env::var_os("CI").is_some() { base * 3 } else { base }
}

impl Session {
    fn start(args: &[&str]) -> Option<Session> {
        Session::start_with(args, None)
    }

    /// Starts gongbao with `data` as its data folder (default: a fresh one).
    fn start_with(args: &[&str], data: Option<&Path>) -> Option<Session> {
        Session::start_piped(None, args, data)
    }

    /// Starts gongbao as `cat FILE | gongbao ARGS` when `stdin` is given, as a shell would.
    fn start_piped(stdin: Option<&Path>, args: &[&str], data: Option<&Path>) -> Option<Session> {
        if Command::new("tmux").arg("-V").output().is_err() {
            println!("SKIPPED: tmux is not installed");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("sock");
        let data = data.map_or_else(|| dir.path().join("data"), Path::to_path_buf);
        let bin = env!("CARGO_BIN_EXE_gongbao");
        let mut cmd = format!("GONGBAO_DATA='{}' NO_COLOR=1 '{bin}'", data.display());
        if let Some(file) = stdin {
            cmd = format!("cat '{}' | {cmd}", file.display());
        }
        for a in args {
            cmd.push_str(" '");
            cmd.push_str(a);
            cmd.push('\'');
        }
        let ok = Command::new("tmux")
            .args(["-S"])
            .arg(&socket)
            .args(["-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "30", "-s", "t"])
            .arg(format!("{cmd}; echo \"exit status $?\"; sleep 30"))
            .status()
            .expect("tmux")
            .success();
        assert!(ok, "tmux new-session failed");
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(["set-option", "-t", "t", "remain-on-exit", "on"])
            .status();
        Some(Session { socket, _dir: dir, data })
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-S").arg(&self.socket).args(args).output().expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "t", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// Waits until the screen contains `text`, then for it to stop changing.
    fn wait_for(&self, text: &str) -> String {
        self.wait_for_within(text, wait_ms())
    }

    /// [`Session::wait_for`] with a wait of its own, in milliseconds.
    fn wait_for_within(&self, text: &str, ms: u64) -> String {
        let deadline = Instant::now() + Duration::from_millis(ms);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                std::thread::sleep(Duration::from_millis(100));
                return self.screen();
            }
            assert!(Instant::now() < deadline, "'{text}' never appeared; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn alternate_screen(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "t", "#{alternate_on}"]).trim() == "1"
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-S").arg(&self.socket).arg("kill-server").status();
    }
}

/// Opens the simplified communiqué, the fifth article of the samples' library, and waits for it.
fn open_communique(s: &Session) {
    s.keys(&["j", "j", "j", "j", "Enter"]);
    s.wait_for("中国一中亚外长第六次会晤新闻公报");
}

fn positions_file(dir: &Path) -> PathBuf {
    dir.join("positions.json")
}

#[test]
fn read_the_communique_jump_to_clause_thirteen_and_toggle_script() {
    let Some(s) = Session::start(&[]) else { return };
    s.wait_for("000_bdb5e1677ee91c80.txt");
    assert!(s.alternate_screen(), "the reader runs on the alternate screen");
    open_communique(&s);
    s.keys(&[":"]);
    s.wait_for("go to clause");
    s.keys(&["十三", "Enter"]);
    let screen = s.wait_for("十三 / 24");
    assert!(screen.contains("十三、各方欢迎"), "{screen}");
    // 原文 → 简体 → 繁體
    s.keys(&["s", "s"]);
    let screen = s.wait_for("繁體");
    assert!(screen.contains("各方歡迎"), "{screen}");
    assert!(screen.contains("十三 / 24"), "the place is kept: {screen}");
    // 繁體 → 臺灣 → 香港 → 原文
    s.keys(&["s", "s", "s"]);
    let screen = s.wait_for("原文");
    assert!(screen.contains("各方欢迎"), "{screen}");
    s.keys(&["?"]);
    s.wait_for("keys (Esc closes)");
    s.keys(&["Escape", "q"]);
    let deadline = Instant::now() + Duration::from_millis(wait_ms());
    while s.alternate_screen() {
        assert!(Instant::now() < deadline, "still on the alternate screen after q");
        std::thread::sleep(Duration::from_millis(50));
    }
    let deadline = Instant::now() + Duration::from_millis(wait_ms());
    while !positions_file(&s.data).exists() {
        assert!(Instant::now() < deadline, "reading positions were not saved");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn search_the_communique_in_the_other_script_and_step_to_clause_thirteen() {
    let Some(s) = Session::start(&[]) else { return };
    s.wait_for("000_bdb5e1677ee91c80.txt");
    open_communique(&s);
    // The query in Traditional characters, the text in Simplified.
    s.keys(&["/"]);
    s.wait_for("type to search");
    s.keys(&["各方歡迎", "Enter"]);
    let screen = s.wait_for("match 1/5");
    assert!(screen.contains("各方欢迎在中国"), "the first match, after clause 七, is in view:\n{screen}");
    // Highlighted: drawn in reverse video (NO_COLOR) right where the match starts.
    let styled = s.tmux(&["capture-pane", "-p", "-e", "-t", "t"]);
    // (Any SGR ending in 7, reverse video, e.g. `ESC[1;7m`.)
    assert!(styled.contains("7m各方欢迎"), "the match is highlighted:\n{styled}");
    s.keys(&["n"]);
    let screen = s.wait_for("match 2/5");
    assert!(screen.contains("十三、各方欢迎"), "n moves to clause 十三:\n{screen}");
    // Issue 19: Esc in the reader takes the highlights away, the text stays where it is.
    s.keys(&["Escape"]);
    let screen = s.wait_for("highlights of '各方歡迎' cleared");
    assert!(screen.contains("十三、各方欢迎"), "{screen}");
    let styled = s.tmux(&["capture-pane", "-p", "-e", "-t", "t"]);
    assert!(!styled.contains("7m各方欢迎"), "no match is highlighted:\n{styled}");
    s.keys(&["q"]);
    s.wait_for("exit status 0");
}

#[test]
fn bookmark_clause_thirteen_with_a_note_restart_jump_back_and_export() {
    let data = tempfile::tempdir().expect("data folder");
    {
        let Some(s) = Session::start_with(&[], Some(data.path())) else { return };
        s.wait_for("000_bdb5e1677ee91c80.txt");
        open_communique(&s);
        s.keys(&[":", "十三", "Enter"]);
        s.wait_for("十三 / 24");
        s.keys(&["m"]);
        s.wait_for("note for the new bookmark");
        s.keys(&["值得引用", "Enter"]);
        s.wait_for("bookmarked in 十三");
        s.keys(&["q"]);
        s.wait_for("exit status 0");
    }
    let Some(s) = Session::start_with(&[], Some(data.path())) else { return };
    s.wait_for("000_bdb5e1677ee91c80.txt");
    s.keys(&["B"]);
    let screen = s.wait_for("1 bookmark(s)");
    assert!(screen.contains("值得引用") && screen.contains("十三、"), "{screen}");
    s.keys(&["Enter"]);
    let screen = s.wait_for("十三 / 24");
    assert!(screen.contains("十三、各方欢迎"), "back at the passage:\n{screen}");
    s.keys(&["B", "x"]);
    let screen = s.wait_for("exported to");
    let export = data.path().join("bookmarks-export.md");
    assert!(screen.contains("bookmarks-export.md"), "the path is shown:\n{screen}");
    let markdown = std::fs::read_to_string(&export).expect("the export file");
    assert!(markdown.contains("值得引用"), "{markdown}");
    assert!(markdown.contains("> 十三、各方欢迎"), "{markdown}");
    s.keys(&["Escape", "q"]);
    s.wait_for("exit status 0");
}

#[test]
fn compare_the_communique_with_its_traditional_version_and_step_through_differences() {
    let Some(s) = Session::start(&[]) else { return };
    s.wait_for("000_bdb5e1677ee91c80.txt");
    let screen = s.screen();
    assert!(screen.contains("⇄"), "the library marks articles with versions:\n{screen}");
    open_communique(&s);
    s.keys(&["c"]);
    let screen = s.wait_for("COMPARE difference –/9");
    assert!(screen.contains("中國-中亞外長第六次會晤新聞公報"), "the other version beside it:\n{screen}");
    s.keys(&["n"]);
    s.wait_for("COMPARE difference 1/9");
    for _ in 0..3 {
        s.keys(&["n"]);
    }
    let screen = s.wait_for("COMPARE difference 4/9");
    assert!(screen.contains("部门级") && screen.contains("部級合"), "{screen}");
    s.keys(&["n"]);
    let screen = s.wait_for("COMPARE difference 5/9");
    assert!(screen.contains("供应链") && screen.contains("產供鏈"), "{screen}");
    s.keys(&["N"]);
    s.wait_for("COMPARE difference 4/9");
    s.keys(&["Escape", "q"]);
    s.wait_for("exit status 0");
}

/// A generated archive of 300 pages (the samples, twice, per page): the progress bar shows,
/// an article can be read while loading goes on, and Esc stops it keeping what is loaded.
#[test]
fn a_large_folder_loads_in_the_background_and_esc_stops_it() {
    let archive = tempfile::tempdir().expect("archive");
    let mut page = Vec::new();
    for _ in 0..2 {
        for name in ["000_bdb5e1677ee91c80.txt", "001_2193c9b2d3e5f70a.txt", "003_79302bc9a94f92f4.txt"] {
            page.extend(
                std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(name)).expect("sample"),
            );
            page.push(b'\n');
        }
    }
    // A release build loads 300 pages before Esc can be pressed: it gets ten times as many.
    let pages = if cfg!(debug_assertions) { 300 } else { 3000 };
    for i in 0..pages {
        std::fs::write(archive.path().join(format!("page{i:03}.txt")), &page).expect("write page");
    }
    let dir = archive.path().display().to_string();
    let Some(s) = Session::start(&[&dir]) else { return };
    let screen = s.wait_for("loading ");
    assert!(screen.contains(&format!("/{pages} files")) && screen.contains("Esc stops"), "{screen}");
    assert!(screen.contains('█') || screen.contains('░'), "a progress bar:\n{screen}");
    // Reading while loading: open the second article of the first page.
    s.keys(&["j", "Enter"]);
    let screen = s.wait_for("page000.txt");
    assert!(screen.contains("loading "), "still loading while reading:\n{screen}");
    s.keys(&["Escape"]);
    let screen = s.wait_for("stopped:");
    assert!(screen.contains(&format!("of {pages} files loaded")), "{screen}");
    s.keys(&["q"]);
    s.wait_for("exit status 0");
}

/// `cat FILE | gongbao -`, as with `less`: the text comes from the pipe, the keys from the
/// terminal. A GBK file, so that the pipe's bytes are decoded like a file's.
#[test]
fn a_gbk_file_piped_into_the_reader_is_read_with_keys_from_the_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/000_bdb5e1677ee91c80.txt"))
        .expect("sample");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable, "the communiqué is all in GBK");
    let file = dir.path().join("gbk.txt");
    std::fs::write(&file, &gbk).expect("write");
    let Some(s) = Session::start_piped(Some(&file), &["-"], None) else { return };
    let screen = s.wait_for("<stdin>");
    assert!(!screen.contains("not a terminal"), "{screen}");
    // The communiqué is the file's last article.
    s.keys(&["G", "Enter"]);
    s.wait_for("中国一中亚外长第六次会晤新闻公报");
    s.keys(&[":", "十三", "Enter"]);
    let screen = s.wait_for("十三 / 24");
    assert!(screen.contains("十三、各方欢迎"), "{screen}");
    s.keys(&["q"]);
    s.wait_for("exit status 0");
}

/// The library has focus after Esc in the reader; `]` still moves the open article on.
#[test]
fn from_the_library_the_clause_key_moves_the_open_article() {
    let Some(s) = Session::start(&[]) else { return };
    s.wait_for("000_bdb5e1677ee91c80.txt");
    open_communique(&s);
    s.keys(&[":", "十二", "Enter"]);
    s.wait_for("十二 / 24");
    s.keys(&["Escape", "]"]);
    let screen = s.wait_for("十三 / 24");
    assert!(screen.contains("十三、各方欢迎"), "{screen}");
    s.keys(&["q"]);
    s.wait_for("exit status 0");
}

/// Issue 21: look a word up in the communiqué, keep it, and find it in the Anki export.
#[test]
fn look_up_a_word_keep_it_and_export_it_for_anki() {
    let Some(s) = Session::start(&[]) else { return };
    s.wait_for("000_bdb5e1677ee91c80.txt");
    open_communique(&s);
    s.keys(&["w"]);
    // The first w unpacks the dictionary: a tenth of a second in a release build, but 2-3 s of
    // CPU in the debug build the tests run, which the other tests running beside it stretch.
    s.wait_for_within("LOOK UP", wait_ms() * 6);
    // Word by word to the first 各方, whose pop-up gives its pinyin and senses.
    let mut screen = s.screen();
    for _ in 0..300 {
        if screen.contains("gè fāng") && screen.contains("all parties") {
            break;
        }
        // Each w is waited for until the screen shows it, so that the word on screen is the one
        // `a` keeps, however slowly the frames come.
        let before = screen.clone();
        s.keys(&["w"]);
        let deadline = Instant::now() + Duration::from_millis(wait_ms());
        while screen == before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            screen = s.screen();
        }
    }
    assert!(screen.contains("gè fāng") && screen.contains("all parties"), "{screen}");
    s.keys(&["a"]);
    s.wait_for("added to the word list");
    s.keys(&["q"]);
    s.wait_for("exit status 0");
    let out = Command::new(env!("CARGO_BIN_EXE_gongbao"))
        .args(["words", "export", "--format", "tsv"])
        .env("GONGBAO_DATA", &s.data)
        .output()
        .expect("gongbao runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tsv = String::from_utf8_lossy(&out.stdout);
    let line = tsv.lines().find(|l| l.starts_with("各方\t")).unwrap_or_else(|| panic!("各方 not exported: {tsv}"));
    assert!(line.contains("gè fāng<br>all parties"), "{line}");
    assert!(line.contains("下称“各方”"), "the sentence is not there: {line}");
}

/// Issue 19: started again with no arguments, gongbao resumes where the last session on the
/// samples ended: the communiqué, one row into clause 十三 (inside the paragraph, not at its
/// start), in 繁體.
#[test]
fn quit_inside_clause_thirteen_in_traditional_and_start_again_where_it_ended() {
    let data = tempfile::tempdir().expect("data folder");
    let before = {
        let Some(s) = Session::start_with(&[], Some(data.path())) else { return };
        s.wait_for("000_bdb5e1677ee91c80.txt");
        open_communique(&s);
        s.keys(&[":", "十三", "Enter"]);
        s.wait_for("十三 / 24");
        // 原文 → 简体 → 繁體, then a row down: the top row is the clause's second.
        s.keys(&["s", "s"]);
        s.wait_for("繁體");
        let at_clause = s.screen();
        s.keys(&["j"]);
        let deadline = Instant::now() + Duration::from_millis(wait_ms());
        while s.screen() == at_clause {
            assert!(Instant::now() < deadline, "j did not scroll:\n{at_clause}");
            std::thread::sleep(Duration::from_millis(50));
        }
        let screen = s.wait_for("十三 / 24");
        assert!(!screen.contains("十三、各方歡迎"), "the clause's first row is scrolled away:\n{screen}");
        s.keys(&["q"]);
        s.wait_for("exit status 0");
        screen
    };
    let Some(s) = Session::start_with(&[], Some(data.path())) else { return };
    let after = s.wait_for("resumed where you left off");
    assert!(after.contains("繁體") && after.contains("十三 / 24"), "{after}");
    // Everything but the status line (which says what happened) is as it was at the quit.
    let without_status = |screen: &str| -> Vec<String> {
        let rows: Vec<String> = screen.lines().map(str::to_string).collect();
        rows[..rows.len().saturating_sub(1)].to_vec()
    };
    assert_eq!(without_status(&after), without_status(&before), "before:\n{before}\nafter:\n{after}");
    s.keys(&["L"]);
    s.keys(&["q"]);
    s.wait_for("exit status 0");
}

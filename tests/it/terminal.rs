//! Terminal lifecycle (TERM checks of `docs/reliability.md`): the real binary in a
//! pseudo-terminal, with every byte it writes kept, the terminal settings read back from the
//! pty, and the screen rebuilt from the bytes by a terminal emulator (`vt100`).
//!
//! The reader is started the way a shell would start it (`setsid -c` makes the pty its
//! controlling terminal), on one bundled sample, with a private data folder.
#![cfg(target_os = "linux")]

use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::{self, LocalModes, SpecialCodeIndex, Termios, Winsize};

const EXE: &str = env!("CARGO_BIN_EXE_gongbao");

/// How long to wait for something that normally takes a fraction of that (longer in CI).
fn patience() -> Duration {
    Duration::from_secs(if std::env::var_os("CI").is_some() { 30 } else { 10 })
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/000_bdb5e1677ee91c80.txt")
}

/// A new pseudo-terminal of `cols`×`rows`: the master and the path of its slave.
fn open_pty(cols: u16, rows: u16) -> io::Result<(OwnedFd, PathBuf)> {
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
    grantpt(&master)?;
    unlockpt(&master)?;
    let name = ptsname(&master, Vec::new())?;
    let path = PathBuf::from(name.to_string_lossy().into_owned());
    termios::tcsetwinsize(&master, Winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 })?;
    Ok((master, path))
}

fn open_slave(path: &Path) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new().read(true).write(true).open(path)
}

/// Everything read from a pty master, on a thread of its own. The master is closed for good
/// once [`Output::close`] is called (the thread holds the last copy and lets go of it).
struct Output {
    master: Option<Arc<OwnedFd>>,
    bytes: Arc<Mutex<Vec<u8>>>,
    closing: Arc<AtomicBool>,
}

impl Output {
    fn collect(master: OwnedFd) -> Output {
        let flags = rustix::fs::fcntl_getfl(&master).expect("flags");
        rustix::fs::fcntl_setfl(&master, flags | rustix::fs::OFlags::NONBLOCK).expect("non-blocking");
        let master = Arc::new(master);
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let closing = Arc::new(AtomicBool::new(false));
        let (fd, sink, stop) = (Arc::clone(&master), Arc::clone(&bytes), Arc::clone(&closing));
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            while !stop.load(Ordering::SeqCst) {
                match rustix::io::read(&*fd, &mut buf) {
                    Ok(0) => break,
                    Ok(n) => sink.lock().expect("output").extend_from_slice(&buf[..n]),
                    // EIO: no slave is open (the reader exited; another may start on it).
                    Err(rustix::io::Errno::AGAIN | rustix::io::Errno::INTR | rustix::io::Errno::IO) => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => break,
                }
            }
        });
        Output { master: Some(master), bytes, closing }
    }

    fn close(&mut self) {
        self.closing.store(true, Ordering::SeqCst);
        self.master = None;
    }

    fn bytes(&self) -> Vec<u8> {
        self.bytes.lock().expect("output").clone()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.close();
    }
}

/// The reader running in a pty.
struct Reader {
    output: Output,
    child: Child,
    /// The pty's settings before the reader started.
    before: Termios,
    size: (u16, u16),
    slave: PathBuf,
    data: tempfile::TempDir,
}

fn spawn_reader(slave: &Path, data: &Path, env: &[(&str, &str)]) -> Child {
    let tty = open_slave(slave).expect("slave");
    Command::new("setsid")
        .arg("-c")
        .arg(EXE)
        .arg(sample())
        .env("GONGBAO_DATA", data)
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .env_remove("GONGBAO_FAULT")
        .envs(env.iter().copied())
        .stdin(Stdio::from(tty.try_clone().expect("dup")))
        .stdout(Stdio::from(tty.try_clone().expect("dup")))
        .stderr(Stdio::from(tty))
        .spawn()
        .expect("setsid is part of util-linux")
}

impl Reader {
    fn start(env: &[(&str, &str)]) -> Reader {
        let (master, slave) = open_pty(80, 24).expect("pty");
        let before = termios::tcgetattr(&master).expect("termios");
        let data = tempfile::tempdir().expect("tempdir");
        let child = spawn_reader(&slave, data.path(), env);
        Reader { output: Output::collect(master), child, before, size: (80, 24), slave, data }
    }

    /// Starts the reader again on the same terminal and data folder (the last one has exited).
    fn relaunch(&mut self) {
        let _ = self.child.wait();
        self.child = spawn_reader(&self.slave, self.data.path(), &[]);
    }

    fn master(&self) -> &OwnedFd {
        self.output.master.as_ref().expect("the master is open")
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn send(&self, bytes: &[u8]) {
        rustix::io::write(self.master(), bytes).expect("write to the pty");
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill").args(["-s", name, &self.pid().to_string()]).status().expect("kill");
        assert!(ok.success(), "kill -s {name}");
    }

    fn resize(&mut self, cols: u16, rows: u16) {
        let size = Winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
        // Setting the size on the master sends SIGWINCH to the terminal's foreground group.
        termios::tcsetwinsize(self.master(), size).expect("resize");
        self.size = (cols, rows);
    }

    fn termios(&self) -> Termios {
        termios::tcgetattr(self.master()).expect("termios")
    }

    /// The screen as the last full redraw (from the last clear on) left it.
    fn screen(&self) -> String {
        screen_of(&self.output.bytes(), self.size)
    }

    fn wait_until(&self, what: &str, done: impl Fn(&Reader) -> bool) {
        let deadline = Instant::now() + patience();
        while Instant::now() < deadline {
            if done(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "timed out waiting for {what}; screen:\n{}\nlast bytes: {:?}",
            self.screen(),
            String::from_utf8_lossy(tail(&self.output.bytes(), 400))
        );
    }

    fn wait_for_text(&self, text: &str) {
        self.wait_until(&format!("'{text}' on screen"), |r| r.screen().contains(text));
    }

    /// Waits for the first frame: the status bar's help hint.
    fn wait_for_first_frame(&self) {
        self.wait_for_text("? help");
    }

    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + patience();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                // The reading thread may not have taken the last bytes yet: wait until the
                // output has stopped growing.
                let settled = Instant::now() + Duration::from_secs(2);
                let mut len = self.output.bytes().len();
                while Instant::now() < settled {
                    std::thread::sleep(Duration::from_millis(50));
                    let now = self.output.bytes().len();
                    if now == len {
                        break;
                    }
                    len = now;
                }
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the reader did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The process state letter from /proc (`T` stopped, `Z` exited but not yet waited for).
    fn state(&self) -> Option<char> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).ok()?;
        stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next())
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tail(bytes: &[u8], n: usize) -> &[u8] {
    &bytes[bytes.len().saturating_sub(n)..]
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

/// The screen a terminal of `size` shows after the last full clear in `bytes`.
fn screen_of(bytes: &[u8], (cols, rows): (u16, u16)) -> String {
    let from = rfind(bytes, b"\x1b[2J").unwrap_or(0);
    let nz = |n: u16| std::num::NonZero::new(n).unwrap_or(std::num::NonZero::<u16>::MIN);
    let mut parser = vt100::Parser::new(nz(rows), nz(cols), 0);
    parser.process(&bytes[from..]);
    parser.screen().contents()
}

/// The private modes (`CSI ? n h`) turned on in `bytes`, in order, each once.
fn modes_set(bytes: &[u8]) -> Vec<String> {
    let mut modes = Vec::new();
    let mut i = 0;
    while let Some(at) = find(&bytes[i..], b"\x1b[?") {
        let start = i + at + 3;
        let digits = bytes[start..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 && bytes.get(start + digits) == Some(&b'h') {
            let mode = String::from_utf8_lossy(&bytes[start..start + digits]).into_owned();
            if !modes.contains(&mode) {
                modes.push(mode);
            }
        }
        i = start;
    }
    modes
}

/// TERM-01's byte checks: every mode the reader turned on is turned off after the last time
/// it was turned on, the main screen is back and the cursor shown.
fn assert_modes_restored(bytes: &[u8]) {
    let modes = modes_set(bytes);
    assert!(modes.contains(&"1049".to_string()), "the reader never took the alternate screen");
    // ?25 is the other way round (h shows the cursor), checked below.
    for mode in modes.iter().filter(|m| *m != "25") {
        let on = rfind(bytes, format!("\x1b[?{mode}h").as_bytes()).expect("set");
        let off = rfind(bytes, format!("\x1b[?{mode}l").as_bytes());
        assert!(off.is_some_and(|off| off > on), "mode ?{mode} was turned on and never off again");
    }
    let leave = rfind(bytes, b"\x1b[?1049l").expect("main screen");
    let shown = rfind(bytes, b"\x1b[?25h").expect("cursor shown");
    assert!(shown > rfind(bytes, b"\x1b[?25l").unwrap_or(0), "the cursor is left hidden");
    assert!(leave > 0);
}

/// The pty's settings equal `before`, field by field.
fn assert_same_termios(now: &Termios, before: &Termios) {
    assert_eq!(now.input_modes, before.input_modes, "input modes");
    assert_eq!(now.output_modes, before.output_modes, "output modes");
    assert_eq!(now.control_modes, before.control_modes, "control modes");
    assert_eq!(now.local_modes, before.local_modes, "local modes");
    for code in [
        SpecialCodeIndex::VINTR,
        SpecialCodeIndex::VQUIT,
        SpecialCodeIndex::VERASE,
        SpecialCodeIndex::VKILL,
        SpecialCodeIndex::VEOF,
        SpecialCodeIndex::VTIME,
        SpecialCodeIndex::VMIN,
        SpecialCodeIndex::VSTART,
        SpecialCodeIndex::VSTOP,
        SpecialCodeIndex::VSUSP,
    ] {
        assert_eq!(now.special_codes[code], before.special_codes[code], "special code {code:?}");
    }
}

fn is_raw(t: &Termios) -> bool {
    !t.local_modes.contains(LocalModes::ICANON) && !t.local_modes.contains(LocalModes::ECHO)
}

#[test]
fn term_01_q_restores_every_mode_and_the_settings_and_exits_0() {
    let mut r = Reader::start(&[]);
    r.wait_for_first_frame();
    assert!(is_raw(&r.termios()), "the reader runs in raw mode");
    r.send(b"q");
    let status = r.wait_exit();
    assert_eq!(status.code(), Some(0));
    assert_same_termios(&r.termios(), &r.before);
    assert_modes_restored(&r.output.bytes());
}

/// An idle reader writes nothing: frames are drawn when something changed, not on every
/// wake-up (each unchanged frame still cost cursor and style codes), and a key still redraws.
#[test]
fn an_idle_reader_writes_nothing_to_the_terminal() {
    let mut r = Reader::start(&[]);
    r.wait_for_first_frame();
    // Loading of the sample is over well within this; the reader wakes every 200 ms.
    std::thread::sleep(Duration::from_millis(800));
    let settled = r.output.bytes().len();
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(r.output.bytes().len(), settled, "bytes written while idle");
    r.send(b"j");
    r.wait_until("a frame after a key", |r| r.output.bytes().len() > settled);
    r.send(b"q");
    assert_eq!(r.wait_exit().code(), Some(0));
}

#[test]
fn term_02_catchable_signals_restore_the_terminal_and_exit_128_plus_n() {
    for (name, n) in [("TERM", 15), ("HUP", 1), ("INT", 2), ("QUIT", 3)] {
        let mut r = Reader::start(&[]);
        r.wait_for_first_frame();
        r.signal(name);
        let status = r.wait_exit();
        assert_eq!(status.code(), Some(128 + n), "SIG{name}: {status:?}");
        assert_same_termios(&r.termios(), &r.before);
        assert_modes_restored(&r.output.bytes());
        // It left through the normal path: reading positions were saved.
        assert!(r.data.path().join("positions.json").exists(), "SIG{name}: positions were not saved");
    }
}

#[test]
fn term_03_ctrl_c_typed_in_raw_mode_quits_cleanly() {
    let mut r = Reader::start(&[]);
    r.wait_for_first_frame();
    r.send(b"\x03");
    assert_eq!(r.wait_exit().code(), Some(0));
    assert_same_termios(&r.termios(), &r.before);
    assert_modes_restored(&r.output.bytes());
}

/// Suspends the reader with `how`, checks the shell's terminal while it is stopped, resizes,
/// continues it and checks it is back in raw mode, redrawn at the new size.
fn suspend_and_continue(how: impl Fn(&Reader)) {
    let mut r = Reader::start(&[]);
    r.wait_for_first_frame();
    how(&r);
    r.wait_until("the reader to stop", |r| r.state() == Some('T'));
    // Stopped: the terminal is the shell's again.
    r.wait_until("the restore's bytes", |r| {
        let bytes = r.output.bytes();
        rfind(&bytes, b"\x1b[?1049l") > rfind(&bytes, b"\x1b[?1049h")
    });
    assert_same_termios(&r.termios(), &r.before);
    let stopped = r.output.bytes();
    assert_modes_restored(&stopped);
    // The window changes while it is stopped; it must come back at the new size.
    r.resize(100, 30);
    r.signal("CONT");
    r.wait_until("raw mode again", |r| is_raw(&r.termios()));
    r.wait_until("a redraw after continuing", |r| {
        let bytes = r.output.bytes();
        bytes.len() > stopped.len() && find(&bytes[stopped.len()..], b"\x1b[?1049h").is_some()
    });
    r.wait_until("the status bar on the last row of 100x30", |r| {
        r.screen().lines().nth(29).is_some_and(|row| row.contains("q quit"))
    });
    r.send(b"q");
    assert_eq!(r.wait_exit().code(), Some(0));
    assert_same_termios(&r.termios(), &r.before);
}

#[test]
fn term_03_ctrl_z_suspends_and_a_continue_redraws_at_the_current_size() {
    suspend_and_continue(|r| r.send(b"\x1a"));
}

#[test]
fn term_03_an_outside_sigtstp_suspends_the_same_way() {
    suspend_and_continue(|r| r.signal("TSTP"));
}

/// TERM-04/08: a panic in the render path. Exit 101, the terminal restored exactly once, and
/// the panic's message after the restore, with nothing that could move the cursor or switch
/// screens after it.
fn check_render_panic(exe: &str) {
    let data = tempfile::tempdir().expect("tempdir");
    let (master, slave) = open_pty(80, 24).expect("pty");
    let before = termios::tcgetattr(&master).expect("termios");
    let tty = open_slave(&slave).expect("slave");
    let mut child = Command::new("setsid")
        .arg("-c")
        .arg(exe)
        .arg(sample())
        .env("GONGBAO_DATA", data.path())
        .env("TERM", "xterm-256color")
        .env("GONGBAO_FAULT", "render")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::from(tty.try_clone().expect("dup")))
        .stdout(Stdio::from(tty.try_clone().expect("dup")))
        .stderr(Stdio::from(tty))
        .spawn()
        .expect("setsid");
    let output = Output::collect(master);
    let deadline = Instant::now() + patience();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "no exit after the panic");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(101), "{exe}: {status:?}");
    let now = termios::tcgetattr(output.master.as_ref().expect("open")).expect("termios");
    assert_same_termios(&now, &before);
    // Let the reading thread take the last bytes.
    std::thread::sleep(Duration::from_millis(100));
    let bytes = output.bytes();
    assert_modes_restored(&bytes);
    assert_eq!(count(&bytes, b"\x1b[?1049l"), 1, "restored more than once (TERM-08)");
    let message = find(&bytes, b"injected fault in the render path").expect("the panic message is shown");
    let leave = find(&bytes, b"\x1b[?1049l").expect("left the alternate screen");
    assert!(message > leave, "the panic message was printed on the alternate screen, where it is lost");
    let after = &bytes[message..];
    for bad in [&b"\x1b7"[..], b"\x1b8", b"\x1b[?1049", b"\x1b[2J", b"\x1b[?25l"] {
        assert!(find(after, bad).is_none(), "{:?} after the panic message", String::from_utf8_lossy(bad));
    }
}

#[test]
fn term_04_and_08_a_render_panic_restores_once_then_shows_its_message() {
    check_render_panic(EXE);
}

/// The same under `panic = "abort"`, where no `Drop` runs: the hook alone must restore. Built
/// here in its own profile (`cargo build --profile panic-abort`), into a folder of its own
/// inside the target folder of the build running the tests (`CARGO_TARGET_DIR` honoured,
/// removed by `cargo clean`): its own, so that it never waits for the lock of the build that
/// is running it. With the `testing` feature, which holds the fault it injects.
#[test]
fn term_04_the_same_under_panic_abort() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("panic-abort");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--quiet", "--locked", "--profile", "panic-abort", "--bin", "gongbao"])
        .args(["--features", "testing", "--target-dir"])
        .arg(&target)
        .status()
        .expect("cargo");
    assert!(built.success(), "cargo build --profile panic-abort failed");
    let exe = target.join("panic-abort/gongbao");
    check_render_panic(exe.to_str().expect("path"));
}

#[test]
fn term_05_a_panicking_loader_thread_is_contained_and_the_reader_goes_on() {
    let mut r = Reader::start(&[("GONGBAO_FAULT", "worker"), ("RUST_BACKTRACE", "0")]);
    r.wait_for_first_frame();
    // The file fails to load; the reader says so and keeps the terminal.
    r.send(b"M");
    r.wait_for_text("injected fault in a loading thread");
    let bytes = r.output.bytes();
    assert!(find(&bytes, b"\x1b[?1049l").is_none(), "the terminal was given back while the reader still runs");
    assert!(find(&bytes, b"panicked at").is_none(), "a worker's panic was printed over the reader");
    // Esc and q apart: together they would read as Alt-q.
    r.send(b"\x1b");
    std::thread::sleep(Duration::from_millis(200));
    r.send(b"q");
    let status = r.wait_exit();
    assert!(status.code().is_some_and(|c| c <= 2), "{status:?}");
    assert_same_termios(&r.termios(), &r.before);
    assert_modes_restored(&r.output.bytes());
}

/// CPU seconds a process has used, read while it is a zombie (exited, not yet waited for).
fn cpu_seconds_of_zombie(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let rest = stat.rsplit_once(") ").expect("stat").1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command: state is field 3; utime and stime are fields 14 and 15.
    let ticks: f64 = fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / 100.0
}

/// Waits (up to 2 s) for `pid` to exit, leaving it a zombie so its CPU time can be read.
fn exits_within_two_seconds(r: &Reader) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        if matches!(r.state(), Some('Z') | None) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn term_06_a_hang_up_of_the_terminal_ends_the_reader_promptly_and_without_spinning() {
    let mut r = Reader::start(&[]);
    r.wait_for_first_frame();
    let started = Instant::now();
    r.output.close();
    assert!(exits_within_two_seconds(&r), "still running 2 s after the terminal went away");
    let cpu = cpu_seconds_of_zombie(r.pid());
    let status = r.wait_exit();
    assert!(!status.success(), "{status:?}");
    assert!(cpu < 1.0, "{cpu} s of CPU: a busy loop");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn term_06_a_failing_draw_ends_the_reader_with_an_error() {
    // Keys come from one pty; frames go to another, whose far end is then closed, so the
    // next frame's write fails (EIO) while the input side is fine.
    let data = tempfile::tempdir().expect("tempdir");
    let (keys_master, keys_slave) = open_pty(80, 24).expect("pty");
    let (screen_master, screen_slave) = open_pty(80, 24).expect("pty");
    let keys = Output::collect(keys_master);
    let mut screen = Output::collect(screen_master);
    let tty = open_slave(&keys_slave).expect("slave");
    let child = Command::new("setsid")
        .arg("-c")
        .arg(EXE)
        .arg(sample())
        .env("GONGBAO_DATA", data.path())
        .env("TERM", "xterm-256color")
        .stdin(Stdio::from(tty))
        .stdout(Stdio::from(open_slave(&screen_slave).expect("slave")))
        .stderr(Stdio::null())
        .spawn()
        .expect("setsid");
    let before = termios::tcgetattr(keys.master.as_ref().expect("open")).expect("termios");
    let mut r = Reader { output: keys, child, before, size: (80, 24), slave: keys_slave, data };
    let deadline = Instant::now() + patience();
    while screen_of(&screen.bytes(), (80, 24)).find("q quit").is_none() {
        assert!(Instant::now() < deadline, "no first frame");
        std::thread::sleep(Duration::from_millis(20));
    }
    screen.close();
    std::thread::sleep(Duration::from_millis(100));
    // A key that changes the screen, so a frame is written.
    r.send(b"?");
    assert!(exits_within_two_seconds(&r), "still running 2 s after its output failed");
    let cpu = cpu_seconds_of_zombie(r.pid());
    let status = r.wait_exit();
    assert!(!status.success(), "{status:?}");
    assert!(cpu < 1.0, "{cpu} s of CPU");
}

#[test]
fn term_07_without_a_terminal_it_says_so_on_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("out");
    // Output to a file.
    let out = Command::new(EXE)
        .arg(sample())
        .env("GONGBAO_DATA", dir.path())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("out"))
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not a terminal"), "{stderr}");
    assert_eq!(std::fs::metadata(&out_path).expect("out").len(), 0, "bytes were written to the file");
    // Input from /dev/null, output to a terminal: nothing may reach the terminal either.
    let (master, slave) = open_pty(80, 24).expect("pty");
    let output = Output::collect(master);
    let status = Command::new(EXE)
        .arg(sample())
        .env("GONGBAO_DATA", dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::from(open_slave(&slave).expect("slave")))
        .stderr(Stdio::piped())
        .output()
        .expect("run");
    assert!(!status.status.success());
    assert_eq!(String::from_utf8_lossy(&status.stderr).trim_end().lines().count(), 1);
    std::thread::sleep(Duration::from_millis(100));
    assert!(output.bytes().is_empty(), "{:?}", String::from_utf8_lossy(&output.bytes()));
}

/// `gongbao -` with its output redirected: there is no terminal to read in, so the one-line
/// message, and nothing written where the output goes.
#[test]
fn standard_input_with_no_terminal_for_the_output_says_so_on_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("out");
    let mut child = Command::new(EXE)
        .arg("-")
        .env("GONGBAO_DATA", dir.path())
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&out_path).expect("out"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    // The pipe stays open: the message must come without waiting for the data's end.
    let stdin = child.stdin.take();
    let out = child.wait_with_output().expect("wait");
    drop(stdin);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not a terminal"), "{stderr}");
    assert_eq!(std::fs::metadata(&out_path).expect("out").len(), 0);
}

#[test]
fn term_08_a_signal_during_the_panic_path_still_restores_once() {
    // The panic's restore and the signal watcher's both run; only one may write.
    let mut r = Reader::start(&[("GONGBAO_FAULT", "render"), ("RUST_BACKTRACE", "0")]);
    let _ = r.wait_exit();
    r.signal_if_alive("TERM");
    std::thread::sleep(Duration::from_millis(100));
    let bytes = r.output.bytes();
    assert_eq!(count(&bytes, b"\x1b[?1049l"), 1);
    assert_eq!(count(&bytes, b"\x1b[?1049h"), 1);
}

impl Reader {
    fn signal_if_alive(&self, name: &str) {
        let _ = Command::new("kill").args(["-s", name, &self.pid().to_string()]).stderr(Stdio::null()).status();
    }
}

#[test]
fn term_09_a_resize_storm_down_to_0x0_and_up_to_65535x1_leaves_a_correct_last_frame() {
    let mut r = Reader::start(&[]);
    r.wait_for_first_frame();
    let sizes = [(0, 0), (1, 1), (2, 1), (1, 2), (10, 3), (80, 24), (300, 100), (65535, 1)];
    for i in 0..100 {
        let (cols, rows) = sizes[i % sizes.len()];
        r.resize(cols, rows);
        std::thread::sleep(Duration::from_millis(if i % 10 == 0 { 30 } else { 2 }));
    }
    r.resize(80, 24);
    r.wait_until("the status bar on the last row of 80x24 after the storm", |r| {
        r.screen().lines().nth(23).is_some_and(|row| row.contains("q quit"))
    });
    assert!(r.state().is_some_and(|s| s != 'Z'), "the reader died in the storm");
    r.send(b"q");
    assert_eq!(r.wait_exit().code(), Some(0));
    assert_same_termios(&r.termios(), &r.before);
}

#[test]
fn term_10_after_a_kill_9_while_saving_the_next_start_is_normal() {
    let mut r = Reader::start(&[]);
    // Enter before the articles are in would open nothing.
    r.wait_for_text("5 articles");
    // Open the first article, bookmark its top paragraph (m, then Enter for an empty note)
    // and kill the reader as it saves.
    r.send(b"\r");
    r.wait_until("the article open", |r| r.screen().contains("1/"));
    r.send(b"m");
    r.wait_for_text("note for the new bookmark");
    r.send(b"\r");
    std::thread::sleep(Duration::from_millis(2));
    r.signal("KILL");
    let status = r.wait_exit();
    assert_eq!(status.code(), None, "killed by a signal");
    // SIGKILL cannot be caught: the terminal is left raw. A new start on that same terminal
    // must come up, and leave the terminal usable (cooked) when it quits.
    assert!(is_raw(&r.termios()));
    r.relaunch();
    r.wait_until("a second first frame", |r| count(&r.output.bytes(), b"\x1b[?1049h") == 2);
    r.wait_for_first_frame();
    r.send(b"q");
    assert_eq!(r.wait_exit().code(), Some(0));
    assert!(!is_raw(&r.termios()), "the terminal was left raw after a clean quit");
    // Whatever the kill interrupted, the second start found a bookmark file it could read.
    let aside: Vec<_> = std::fs::read_dir(r.data.path())
        .expect("data")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("corrupt"))
        .collect();
    assert!(aside.is_empty(), "the bookmark file was corrupt after the kill: {aside:?}");
}

/// The texts of the OSC 52 clipboard sequences in `bytes`, decoded (plain or wrapped for tmux).
fn clipboard_writes(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.split("]52;c;")
        .skip(1)
        .map(|rest| {
            let payload = &rest[..rest.find('\u{7}').expect("the sequence ends with BEL")];
            String::from_utf8(decode_base64(payload)).expect("UTF-8 in the clipboard")
        })
        .collect()
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        other => panic!("not base64: {other}"),
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &d)| n | (u32::from(d) << (18 - 6 * i)));
        out.extend(n.to_be_bytes()[1..chunk.len()].iter().copied());
    }
    out
}

/// `y` at clause 十三 in 繁體 puts that clause, in 繁體, and its citation on the clipboard through
/// OSC 52, and `Y` the citation alone; nothing else is ever written to the clipboard.
#[test]
fn y_copies_the_clause_in_the_script_on_screen_with_its_citation_through_osc_52() {
    let mut r = Reader::start(&[]);
    // Keys sent before the articles are in would act on an empty library.
    r.wait_for_text("5 articles");
    // The communiqué is the file's last article.
    r.send(b"G\r");
    r.wait_for_text("5/5");
    r.send(":".as_bytes());
    r.wait_for_text("go to clause");
    r.send("十三\r".as_bytes());
    r.wait_for_text("十三 / 24");
    r.send(b"ss");
    r.wait_for_text("繁體");
    assert!(clipboard_writes(&r.output.bytes()).is_empty(), "nothing copied before y");
    r.send(b"y");
    r.wait_for_text("copied");
    r.send(b"Y");
    r.wait_until("the second copy", |r| clipboard_writes(&r.output.bytes()).len() >= 2);
    r.send(b"q");
    let _ = r.wait_exit();
    let writes = clipboard_writes(&r.output.bytes());
    assert_eq!(writes.len(), 2, "{writes:?}");
    let citation = "— 中國一中亞外長第六次會晤新聞公報 · 十三 · 新華社阿拉木圖4月26日電 · 000_bdb5e1677ee91c80.txt";
    let (text, last) = writes[0].rsplit_once('\n').expect("a citation line");
    assert!(text.starts_with("十三、各方歡迎:"), "{text}");
    assert!(text.contains("各方支持塔吉克斯坦") && !text.contains("十四、"), "the whole clause and no more: {text}");
    assert_eq!(last, citation);
    assert_eq!(writes[1], citation);
}

//! The terminal: entering and leaving the alternate screen, the event loop,
//! signals and suspend. The only module that talks to the real terminal.
//!
//! Every mode the reader turns on (raw mode, the alternate screen, mouse
//! reporting, bracketed paste, a hidden cursor) is turned off by one
//! [`restore`], which acts at most once per [`enter`] whatever calls it: `q`,
//! a terminating signal, a panic hook, a `Drop` while unwinding, or the hang-up
//! watcher. After it, frames are written to [`Screen`], which drops them, so
//! nothing is ever drawn over the shell or after a panic message.
//!
//! SIGTERM, SIGHUP, SIGINT and SIGQUIT record themselves in a flag the loop
//! checks, so the app leaves through the same restore path as `q` and the
//! caller can exit with status 128+n. `Ctrl-z` and an outside SIGTSTP restore
//! the terminal, stop the process, and set it up again (at the size the
//! terminal has by then) when it is continued.
//!
//! For the terminal tests, `GONGBAO_FAULT=render` panics in the render path on
//! the second frame (`worker` is handled by the loader). Both exist only with the `testing`
//! feature, which the tests turn on (Cargo.toml); a release build has no fault injection.
// The audited module for raw terminal output (ESC-08): terminal modes only, no text.
#![allow(clippy::disallowed_methods)]

use std::io::{self, IsTerminal as _, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crossterm::event::{self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::app::{Action, App, keymap};

/// Whether there is a terminal the reader can take over: standard output is one, and so is
/// standard input or, when standard input carries the data (`gongbao -`), the controlling
/// terminal, from which the keys are then read as `less` reads them (crossterm opens
/// `/dev/tty` for its input and raw mode when standard input is not a terminal).
pub fn is_terminal(stdin_is_data: bool) -> bool {
    io::stdout().is_terminal() && (io::stdin().is_terminal() || (stdin_is_data && controlling_terminal().is_some()))
}

/// The controlling terminal, when the process has one.
fn controlling_terminal() -> Option<std::fs::File> {
    if cfg!(unix) { std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").ok() } else { None }
}

/// True between [`enter`] and [`restore`]: the terminal is the reader's.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Standard output while the reader owns the terminal; a sink after [`restore`], so a frame
/// drawn late (by the loop as it unwinds, or by `Terminal`'s own `Drop`) never reaches the
/// shell's screen or lands after a panic message.
pub struct Screen;

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if ACTIVE.load(Ordering::SeqCst) { io::stdout().write(buf) } else { Ok(buf.len()) }
    }

    fn flush(&mut self) -> io::Result<()> {
        if ACTIVE.load(Ordering::SeqCst) { io::stdout().flush() } else { Ok(()) }
    }
}

type Term = Terminal<CrosstermBackend<Screen>>;

/// Takes the terminal: raw mode, alternate screen, mouse, bracketed paste, cursor hidden.
///
/// # Errors
/// When the terminal cannot be put in raw mode or written.
pub fn enter() -> io::Result<()> {
    #[cfg(unix)]
    repair_stale_raw_mode();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture, EnableBracketedPaste, cursor::Hide)
}

/// A terminal left raw by a reader that was killed (SIGKILL cannot be caught) would be put
/// back to raw on quit, since raw mode restores what it found. Starting from such a terminal,
/// the reader first gives it sane line settings (as `stty sane` would), so that quitting
/// leaves it usable.
#[cfg(unix)]
fn repair_stale_raw_mode() {
    use rustix::termios::{
        InputModes, LocalModes, OptionalActions, OutputModes, SpecialCodeIndex, tcgetattr, tcsetattr,
    };
    // The keyboard: standard input, or the controlling terminal when the data came through it.
    let stdin = io::stdin();
    let tty = if stdin.is_terminal() { None } else { controlling_terminal() };
    let keyboard: std::os::fd::BorrowedFd<'_> = match &tty {
        Some(file) => std::os::fd::AsFd::as_fd(file),
        None => std::os::fd::AsFd::as_fd(&stdin),
    };
    let Ok(mut settings) = tcgetattr(keyboard) else { return };
    if settings.local_modes.intersects(LocalModes::ICANON | LocalModes::ECHO) {
        return;
    }
    settings.local_modes |= LocalModes::ICANON
        | LocalModes::ECHO
        | LocalModes::ECHOE
        | LocalModes::ECHOK
        | LocalModes::ISIG
        | LocalModes::IEXTEN;
    settings.input_modes |= InputModes::ICRNL | InputModes::BRKINT;
    settings.output_modes |= OutputModes::OPOST | OutputModes::ONLCR;
    settings.special_codes[SpecialCodeIndex::VMIN] = 1;
    settings.special_codes[SpecialCodeIndex::VTIME] = 0;
    let _ = tcsetattr(keyboard, OptionalActions::Now, &settings);
}

/// Gives the terminal back: every mode [`enter`] turned on, turned off, once. Errors are
/// ignored, since this also runs when the terminal has gone.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(io::stdout(), DisableBracketedPaste, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
        let _ = disable_raw_mode();
    }
}

/// Restores the terminal when dropped, so an early return or an unwinding panic restores too.
struct Session;

impl Drop for Session {
    fn drop(&mut self) {
        restore();
    }
}

/// Restores the terminal before a panic's message is printed, so the message lands on the
/// shell's screen and stays there. A loading thread's panic is caught and reported as a
/// skipped file (`loader`): it must neither restore the terminal under the running
/// reader nor print over its screen. Under `panic = "abort"` no `Drop` runs, so the hook itself
/// restores (cursor included) and exits with the status an unwinding panic gives.
///
/// Installed once, before loading starts, so that a worker's panic is never printed.
pub fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(install_panic_hook_now);
}

fn install_panic_hook_now() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let worker = std::thread::current().name().is_some_and(|n| n.starts_with(crate::loader::WORKER));
        if worker {
            return;
        }
        restore();
        report(info);
        if cfg!(panic = "abort") {
            std::process::exit(101);
        }
    }));
}

/// Runs the reader until the user quits or a terminating signal arrives.
/// Returns the signal that ended it, if one did.
///
/// # Errors
/// When the terminal cannot be set up, read or written.
pub fn run(app: &mut App) -> io::Result<Option<i32>> {
    // The number of the signal that asked us to stop; 0 while none has.
    let stop = Arc::new(AtomicUsize::new(0));
    for signal in TERMINATING {
        signal_hook::flag::register_usize(signal, Arc::clone(&stop), signal.unsigned_abs() as usize)?;
    }
    let suspend_asked = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGTSTP, Arc::clone(&suspend_asked))?;
    let done = Arc::new(AtomicBool::new(false));
    watch_for_hangs(Arc::clone(&stop), Arc::clone(&done));
    install_panic_hook();
    let session = Session;
    enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(Screen))?;
    redraw_all(&mut terminal)?;
    let result = event_loop(&mut terminal, app, &stop, &suspend_asked);
    done.store(true, Ordering::Relaxed);
    drop(session);
    result.map(|()| received(&stop))
}

/// The catchable signals that end the reader cleanly.
const TERMINATING: [i32; 4] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGQUIT,
];

fn received(stop: &AtomicUsize) -> Option<i32> {
    i32::try_from(stop.load(Ordering::Relaxed)).ok().filter(|&n| n != 0)
}

fn event_loop(terminal: &mut Term, app: &mut App, stop: &AtomicUsize, suspend_asked: &AtomicBool) -> io::Result<()> {
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    #[cfg(feature = "testing")]
    let render_fault = std::env::var_os("GONGBAO_FAULT").is_some_and(|f| f == "render");
    #[cfg(not(feature = "testing"))]
    let render_fault = false;
    #[cfg(feature = "testing")]
    let mut frames = 0u64;
    // A frame is drawn only when something may have changed: an idle reader writes nothing
    // (even an unchanged frame costs a few bytes of cursor and style codes, every wake-up).
    let mut dirty = true;
    while !app.quit {
        if app.is_busy() {
            app.update(Action::Tick);
            dirty = true;
        }
        // (The injected fault needs a second frame whatever happens.)
        if dirty || render_fault {
            terminal.draw(|frame| {
                #[cfg(feature = "testing")]
                {
                    frames += 1;
                    assert!(!(render_fault && frames == 2), "injected fault in the render path (GONGBAO_FAULT=render)");
                }
                crate::ui::render(app, frame);
            })?;
            dirty = false;
        }
        // Wake up now and then to notice signals, and often while files load (almost at once
        // while loaded files wait to be appended: crossterm's tty source does not look at the
        // terminal at all for a zero wait, so Esc would go unread until the backlog is gone).
        let wait = if app.loading_backlog() {
            1
        } else if app.is_busy() {
            50
        } else {
            200
        };
        if !event::poll(Duration::from_millis(wait))? {
            if suspend_asked.swap(false, Ordering::SeqCst) {
                suspend(terminal, app)?;
                dirty = true;
            }
            if received(stop).is_some() {
                app.update(Action::Quit);
            }
            continue;
        }
        dirty = true;
        for action in keymap::route(app.context(), &event::read()?) {
            // The terminal is the loop's to give back.
            if action == Action::Suspend {
                suspend(terminal, app)?;
            } else {
                app.update(action);
            }
        }
        if let Some(text) = &app.clipboard {
            let delivered = deliver_copy(text, app.copy_command.as_deref());
            app.update(Action::CopyDelivered(delivered));
        }
        if suspend_asked.swap(false, Ordering::SeqCst) {
            suspend(terminal, app)?;
        }
        if received(stop).is_some() {
            app.update(Action::Quit);
        }
    }
    Ok(())
}

/// Hands copied text to the system clipboard: to `command` (split at spaces, run without a
/// shell) on its standard input, or as an OSC 52 sequence to the terminal, through tmux when
/// inside it. The text is the reader's display-safe text, and OSC 52 carries it as base64.
fn deliver_copy(text: &str, command: Option<&str>) -> bool {
    if let Some(command) = command {
        let mut words = command.split_whitespace();
        let Some(program) = words.next() else { return false };
        let child = std::process::Command::new(program)
            .args(words)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let Ok(mut child) = child else { return false };
        let written = child.stdin.take().is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
        return child.wait().is_ok_and(|status| status.success()) && written;
    }
    let sequence = crate::quote::osc52(text, std::env::var_os("TMUX").is_some());
    let mut screen = Screen;
    screen.write_all(sequence.as_bytes()).and_then(|()| screen.flush()).is_ok()
}

/// After a terminating signal the loop normally quits within one poll. When
/// the terminal itself has gone (a hang-up), the input reader can be stuck
/// re-reading end of file and never return; then this watcher restores what
/// it can and ends the process, so nothing is left spinning.
fn watch_for_hangs(stop: Arc<AtomicUsize>, done: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let signal = loop {
            if let Some(signal) = received(&stop) {
                // A save waiting for another copy's lock gives up now, so the reader leaves
                // within the grace below and keeps what it could not save (see `main`).
                crate::durable::stop_waiting_for_locks();
                break signal;
            }
            if done.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        // After a hang-up the terminal is gone and the input reader may spin on its end of
        // file, so that wait is short; otherwise the loop gets time to leave the normal way.
        let grace = if signal == signal_hook::consts::SIGHUP { 300 } else { 1500 };
        std::thread::sleep(Duration::from_millis(grace));
        if !done.load(Ordering::Relaxed) {
            restore();
            std::process::exit(128 + signal);
        }
    });
}

/// Gives the terminal back to the shell and stops, as SIGTSTP's default would; once continued,
/// takes the terminal again and redraws everything at the size it has now.
fn suspend(terminal: &mut Term, app: &mut App) -> io::Result<()> {
    restore();
    signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP)?;
    enter()?;
    redraw_all(terminal)?;
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    Ok(())
}

/// Clears the screen and makes the next frame draw every cell, at the terminal's size now.
/// (`Terminal::clear` would ask the terminal where its cursor is, and a terminal that does not
/// answer, or answers late, must not stop the reader.)
fn redraw_all(terminal: &mut Term) -> io::Result<()> {
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

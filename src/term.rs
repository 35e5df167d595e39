//! The terminal: entering and leaving the alternate screen, the event loop,
//! signals and suspend. The only module that talks to the real terminal.
//!
//! ratatui's `init` installs a panic hook that restores the terminal before
//! the panic message is printed. SIGTERM, SIGHUP, SIGINT and SIGQUIT record
//! themselves in a flag the loop checks, so the app leaves through the same
//! restore path as `q` and the caller can exit with status 128+n.
//! `Ctrl-z` restores the terminal, stops the process, and sets it up again
//! when the shell resumes it.
// The audited module for raw terminal output (ESC-08): terminal modes only, no text.
#![allow(clippy::disallowed_methods)]

use std::io::{self, IsTerminal as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEventKind, KeyModifiers, MouseEventKind,
};
use crossterm::execute;

use crate::app::{Action, App, keymap};

/// Whether standard output is a terminal the reader can take over.
pub fn is_terminal() -> bool {
    io::stdout().is_terminal() && io::stdin().is_terminal()
}

/// Runs the reader until the user quits or a terminating signal arrives.
/// Returns the signal that ended it, if one did.
///
/// # Errors
/// When the terminal cannot be set up or read.
pub fn run(app: &mut App) -> io::Result<Option<i32>> {
    // The number of the signal that asked us to stop; 0 while none has.
    let stop = Arc::new(AtomicUsize::new(0));
    for signal in TERMINATING {
        signal_hook::flag::register_usize(signal, Arc::clone(&stop), signal.unsigned_abs() as usize)?;
    }
    let done = Arc::new(AtomicBool::new(false));
    watch_for_hangs(Arc::clone(&stop), Arc::clone(&done));
    let mut terminal = ratatui::init();
    // ratatui's hook restores the terminal on any panic. A loading thread's panic is caught
    // and reported as a skipped file (`corpus::background`), so it must neither restore the
    // terminal under the running reader nor print over its screen.
    let restore_and_report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let worker = std::thread::current().name().is_some_and(|n| n.starts_with(crate::corpus::background::WORKER));
        if !worker {
            restore_and_report(info);
        }
    }));
    let _ = execute!(io::stdout(), EnableMouseCapture);
    let result = event_loop(&mut terminal, app, &stop);
    done.store(true, Ordering::Relaxed);
    let _ = execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
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

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App, stop: &AtomicUsize) -> io::Result<()> {
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    while !app.quit {
        if app.is_loading() {
            app.update(Action::Tick);
        }
        terminal.draw(|frame| crate::ui::render(app, frame))?;
        // Wake up now and then to notice signals, and often while files load.
        let wait = if app.is_loading() { 50 } else { 200 };
        if !event::poll(Duration::from_millis(wait))? {
            if received(stop).is_some() {
                app.update(Action::Quit);
            }
            continue;
        }
        let action = match event::read()? {
            Event::Key(key) if key.kind == KeyEventKind::Press => {
                if key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL) {
                    suspend(terminal)?;
                    continue;
                }
                // While files load, Esc stops loading unless something is open to close.
                if key.code == KeyCode::Esc
                    && app.is_loading()
                    && app.overlay == crate::app::Overlay::None
                    && app.visual.is_none()
                {
                    Some(Action::StopLoading)
                } else {
                    keymap::lookup(app.scope(), &key)
                }
            }
            Event::Mouse(m) => match m.kind {
                MouseEventKind::ScrollDown => Some(Action::Scroll(3)),
                MouseEventKind::ScrollUp => Some(Action::Scroll(-3)),
                MouseEventKind::Down(_) => Some(Action::Click(m.column, m.row)),
                _ => None,
            },
            Event::Resize(w, h) => Some(Action::Resize(w, h)),
            _ => None,
        };
        if let Some(action) = action {
            app.update(action);
        }
        if received(stop).is_some() {
            app.update(Action::Quit);
        }
    }
    Ok(())
}

/// After a terminating signal the loop normally quits within one poll. When
/// the terminal itself has gone (a hang-up), the input reader can be stuck
/// re-reading end of file and never return; then this watcher restores what
/// it can and ends the process, so nothing is left spinning.
fn watch_for_hangs(stop: Arc<AtomicUsize>, done: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let signal = loop {
            if let Some(signal) = received(&stop) {
                break signal;
            }
            if done.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        std::thread::sleep(Duration::from_millis(1500));
        if !done.load(Ordering::Relaxed) {
            ratatui::restore();
            std::process::exit(128 + signal);
        }
    });
}

/// Gives the terminal back to the shell and stops; on resume, takes it again.
fn suspend(terminal: &mut ratatui::DefaultTerminal) -> io::Result<()> {
    let _ = execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
    signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
    *terminal = ratatui::init();
    let _ = execute!(io::stdout(), EnableMouseCapture);
    terminal.clear()?;
    Ok(())
}

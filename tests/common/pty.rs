//! The real reader in a pseudo-terminal, for integration tests: stdin and stdout on the pty (so
//! it runs), stderr to a file (so what it prints after restoring the screen can be read byte by
//! byte), and the screen rebuilt from the pty's bytes by a terminal emulator (`vt100`).
#![allow(dead_code, reason = "the modules that use it use parts of it")]

use std::ffi::OsStr;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};

pub const EXE: &str = env!("CARGO_BIN_EXE_gongbao");
const SIZE: (u16, u16) = (100, 30);

/// How long to wait for something that normally takes a fraction of that (longer in CI).
pub fn patience() -> Duration {
    Duration::from_secs(if std::env::var_os("CI").is_some() { 60 } else { 20 })
}

fn nonzero(n: u16) -> std::num::NonZero<u16> {
    std::num::NonZero::new(n).unwrap_or(std::num::NonZero::<u16>::MIN)
}

pub struct PtyReader {
    master: OwnedFd,
    screen: Arc<Mutex<vt100::Parser>>,
    child: Child,
    stderr: PathBuf,
}

impl PtyReader {
    /// Starts `gongbao ARGS` with `GONGBAO_DATA=data`, stderr written to `stderr`.
    pub fn start(args: &[&OsStr], data: &Path, stderr: &Path) -> PtyReader {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).expect("pty");
        grantpt(&master).expect("grantpt");
        unlockpt(&master).expect("unlockpt");
        let slave = PathBuf::from(ptsname(&master, Vec::new()).expect("ptsname").to_string_lossy().into_owned());
        let size = rustix::termios::Winsize { ws_row: SIZE.1, ws_col: SIZE.0, ws_xpixel: 0, ws_ypixel: 0 };
        rustix::termios::tcsetwinsize(&master, size).expect("size");
        // The screen's bytes must be read, or the reader blocks writing them.
        let screen = Arc::new(Mutex::new(vt100::Parser::new(nonzero(SIZE.1), nonzero(SIZE.0), 0)));
        let (fd, sink) = (master.try_clone().expect("dup"), Arc::clone(&screen));
        std::thread::spawn(move || {
            let mut buf = [0u8; 1 << 14];
            while let Ok(n) = rustix::io::read(&fd, &mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("screen").process(&buf[..n]);
            }
        });
        let tty = std::fs::OpenOptions::new().read(true).write(true).open(&slave).expect("slave");
        let child = Command::new("setsid")
            .arg("-c")
            .arg(EXE)
            .args(args)
            .env("GONGBAO_DATA", data)
            .env("TERM", "xterm-256color")
            .env("NO_COLOR", "1")
            .env_remove("GONGBAO_FAULT")
            .stdin(Stdio::from(tty.try_clone().expect("dup")))
            .stdout(Stdio::from(tty))
            .stderr(Stdio::from(std::fs::File::create(stderr).expect("stderr file")))
            .spawn()
            .expect("setsid is part of util-linux");
        PtyReader { master, screen, child, stderr: stderr.to_path_buf() }
    }

    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill").args(["-s", name, &self.child.id().to_string()]).status().expect("kill");
        assert!(sent.success(), "kill -s {name}");
    }

    pub fn send(&self, keys: &[u8]) {
        rustix::io::write(&self.master, keys).expect("write to the pty");
    }

    pub fn screen(&self) -> String {
        self.screen.lock().expect("screen").screen().contents()
    }

    /// Waits until `done` holds, failing with the screen after [`patience`].
    pub fn wait_until(&mut self, what: &str, mut done: impl FnMut(&mut PtyReader) -> bool) {
        let deadline = Instant::now() + patience();
        while !done(self) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}; screen:\n{}", self.screen());
            assert!(self.child.try_wait().expect("wait").is_none(), "the reader ended waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_for_text(&mut self, text: &str) {
        self.wait_until(&format!("'{text}' on screen"), |r| r.screen().contains(text));
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + patience();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the reader did not end; screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the reader wrote to stderr so far.
    pub fn stderr(&self) -> Vec<u8> {
        std::fs::read(&self.stderr).expect("stderr file")
    }
}

impl Drop for PtyReader {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

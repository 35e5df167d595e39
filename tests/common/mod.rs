//! Helpers shared by the integration tests (tests/it/): the real reader in a pseudo-terminal
//! ([`pty`], Linux only), and a screen as text ([`screen_text`]).
#![allow(dead_code, reason = "the modules that use it use parts of it")]

#[cfg(target_os = "linux")]
mod pty;
#[cfg(target_os = "linux")]
pub use pty::*;

use ratatui::buffer::Buffer;

/// The screen in `buffer` as text, one line per row with trailing blanks trimmed, each wide
/// character written once (the cell after it is its continuation): what view tests compare
/// and search.
pub fn screen_text(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut x = 0;
        let mut line = String::new();
        while x < buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            line.push_str(symbol);
            x += u16::try_from(unicode_width::UnicodeWidthStr::width(symbol).max(1)).unwrap_or(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

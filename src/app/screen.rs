//! The screen's layout: where the library, the reader, the status line and the overlays go on
//! a terminal of a given size. Pure functions of the size, used by `App::update` (page sizes,
//! clicks) and by the views ([`crate::ui`]) alike, so the two agree on every rectangle.

use ratatui::layout::{Constraint, Layout as Split, Rect};

use super::{LIBRARY_DEFAULT_MIN_WIDTH, LIBRARY_MAX_WIDTH, LIBRARY_MIN_WIDTH, LIBRARY_SHARE};

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub library: Rect,
    pub reader: Rect,
    pub status: Rect,
}

/// The library's width beside the reader on a screen `width` columns wide: `share` per cent
/// of it (the default share without one), within bounds, and never more than half.
pub fn library_width(width: u16, share: Option<u16>) -> u16 {
    let (share, least) = match share {
        Some(share) => (share, LIBRARY_MIN_WIDTH),
        None => (LIBRARY_SHARE, LIBRARY_DEFAULT_MIN_WIDTH),
    };
    let wanted = (u32::from(width) * u32::from(share) + 50) / 100;
    u16::try_from(wanted).unwrap_or(u16::MAX).clamp(least, LIBRARY_MAX_WIDTH).min(width / 2)
}

/// Splits a screen of `size` into library, reader and status line; `share` is the library's
/// share of the width when it is beside the reader.
pub fn areas(size: (u16, u16), library: LibraryPane, share: Option<u16>) -> Areas {
    let screen = Rect::new(0, 0, size.0, size.1);
    let [main, status] = Split::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(screen);
    let library_width = match library {
        LibraryPane::Hidden => 0,
        LibraryPane::Beside => library_width(main.width, share),
        LibraryPane::Alone => main.width,
    };
    let [library, reader] = Split::horizontal([Constraint::Length(library_width), Constraint::Min(0)]).areas(main);
    Areas { library, reader, status }
}

/// How the library shares the screen with the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryPane {
    Hidden,
    /// At its width on the left, the reader beside it.
    Beside,
    /// The whole width, the reader hidden: a narrow terminal while the library has the keys.
    Alone,
}

/// A rectangle of at most `width` × `height` in the middle of `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

/// Where the help overlay goes on a screen of `area`.
pub fn help_rect(area: Rect) -> Rect {
    centered(area, 64, area.height.saturating_sub(2).max(3))
}

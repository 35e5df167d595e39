//! The reader's state and the one place it changes.
//!
//! Keys become [`Action`]s through the [`keymap`]; [`App::update`] carries
//! them out; views in `ui` only read the [`App`]. The text shown in the
//! reader is laid out once per (article, script, width) into a [`Layout`],
//! so drawing a frame only touches the visible rows.

pub mod action;
pub mod bookmarks;
pub mod compare;
pub mod edit;
pub mod encoding;
pub mod keymap;
pub mod library;
pub mod loading;
pub mod lookup;
pub mod positions;
mod quote;
pub mod reader;
pub mod screen;
pub mod search;

use std::collections::HashMap;
use unicode_segmentation::UnicodeSegmentation;

pub use action::Action;
use keymap::Scope;
pub use library::LibraryRow;
pub use reader::{Highlight, HighlightKind, Layout, Line, LineKind, Reader, layout};
pub use screen::{Areas, LibraryPane};
pub use search::{ResultRow, SearchState};

use crate::convert::{Converter, Script};
use crate::corpus::{Article, Corpus, ParagraphKind};
use crate::search::SearchIndex;
use crate::wrap::{self, AmbiguousWidth};

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Library,
    Reader,
}

/// What is drawn over the panes, and takes the keys first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help {
        scroll: u16,
    },
    Outline {
        selected: usize,
    },
    /// A prompt in the status line, what has been typed, and where `↑`/`↓` are in its history.
    Prompt {
        kind: PromptKind,
        input: edit::Edit,
        recall: edit::Recall,
    },
    /// Every match of the search in the corpus; `selected` is a row of [`search::Search::results`].
    Results {
        selected: usize,
    },
    /// The note of a bookmark being made or edited.
    Note {
        target: bookmarks::NoteTarget,
        input: edit::Edit,
    },
    /// The bookmarks; `selected` is a row of [`App::bookmark_rows`].
    Bookmarks {
        selected: usize,
    },
    /// Problems with inputs, one per line.
    Messages {
        scroll: u16,
    },
    /// The word list; `selected` is a row of it.
    Words {
        selected: usize,
    },
    /// The script picker; `selected` indexes [`Script::ALL`].
    Scripts {
        selected: usize,
    },
    /// The open article beside another version of it (where the view stands is
    /// [`App::compare`]'s).
    Compare {
        other: usize,
    },
}

/// What a prompt asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// A clause to go to: `13`, `十三`, `十三、`.
    GoTo,
    /// A search; the reader's first line when the prompt opened, to go back to on `Esc`. With
    /// `corpus`, `Enter` lists the matches in every article.
    Search { origin: usize, corpus: bool },
    /// A filter on the library's titles.
    Filter,
    /// A filter on the bookmarks view (title, passage, note).
    BookmarkFilter,
}

/// Reading settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub ambiguous: AmbiguousWidth,
    /// Text column in Han characters.
    pub column: u16,
    pub script: Script,
    pub color: bool,
    /// The library's share of the terminal's width in per cent, as chosen with `<`/`>`;
    /// `None`: the default (see [`screen::library_width`]).
    pub library_share: Option<u16>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ambiguous: AmbiguousWidth::Narrow,
            column: 40,
            script: Script::Original,
            color: true,
            library_share: None,
        }
    }
}

/// Bounds of the text column (`+`/`-`), in Han characters.
pub const MIN_COLUMN: u16 = 8;
pub const MAX_COLUMN: u16 = 200;

/// The library's share of the width until `<`/`>` choose another, in per cent, and its least
/// width then: titles keep about fifteen Han characters on an 80-column terminal, and from
/// about 120 columns on the library grows while the reader keeps its 40-character column.
pub const LIBRARY_SHARE: u16 = 30;
pub const LIBRARY_DEFAULT_MIN_WIDTH: u16 = 34;
/// Bounds of the share `<`/`>` choose, in per cent; the width has its own bounds
/// ([`LIBRARY_MIN_WIDTH`], [`LIBRARY_MAX_WIDTH`]).
pub const LIBRARY_SHARES: std::ops::RangeInclusive<u16> = 10..=50;
/// A chosen width is never narrower than a short title, nor wider than whole long ones.
pub const LIBRARY_MIN_WIDTH: u16 = 16;
pub const LIBRARY_MAX_WIDTH: u16 = 64;
/// Per cent of the width one `<`/`>` takes or gives: three or four columns at 80.
const LIBRARY_SHARE_STEP: i16 = 4;
/// Narrower terminals show the library or the reader, not both: beside a library the text
/// column would be a few characters wide (nine Han characters at 40 columns).
pub const NARROW_WIDTH: u16 = 60;
/// Below this the app draws only a notice.
pub const MIN_WIDTH: u16 = 20;
pub const MIN_HEIGHT: u16 = 5;

/// Everything the reader knows.
pub struct App {
    pub corpus: Corpus,
    pub converter: Converter,
    pub settings: Settings,
    pub focus: Pane,
    pub overlay: Overlay,
    pub show_library: bool,
    /// Article selected in the library.
    pub selected: usize,
    /// The reader pane: the article open, the line at the top, the layout and its highlights.
    pub reader: reader::Reader,
    pub size: (u16, u16),
    /// The place at the top of each article visited, by article id.
    pub positions: HashMap<String, positions::Position>,
    /// Where the last session on each set of inputs ended (kept with the positions).
    pub sessions: HashMap<String, positions::Session>,
    /// The key this session is kept under in `sessions` ([`positions::session_key`]); `None`:
    /// the session is not kept.
    pub session_key: Option<String>,
    /// The session being resumed, until its article has loaded.
    resume: Option<positions::Session>,
    /// Encodings chosen with `E`: file fingerprint → encoding label (kept with the positions).
    pub encodings: HashMap<String, String>,
    /// Where `positions` and `encodings` are kept (`positions.json`); in memory until set.
    pub positions_file: positions::Store,
    /// A message for the status line (errors, "no clauses", …).
    pub status: Option<String>,
    pub quit: bool,
    /// The corpus folded for search, built with the app.
    /// Shared with the thread that links versions at the end of a load.
    pub index: std::sync::Arc<SearchIndex>,
    /// The search, its prompt's history and its results list.
    pub search: search::Search,
    /// Clauses confirmed in the go-to prompt, for `↑`/`↓` there.
    pub goto_history: edit::History,
    pub bookmarks: bookmarks::BookmarkState,
    /// The passage being selected, in visual mode.
    pub visual: Option<bookmarks::Visual>,
    /// The look-up cursor (`w`) and the dictionary it looks words up in.
    pub lookup: Option<lookup::LookupCursor>,
    /// The word list (`a` in the look-up pop-up adds to it, `W` shows it).
    pub words: crate::words::WordList,
    /// Other versions of each article, best first (found when the app starts).
    pub versions: Vec<Vec<usize>>,
    /// The compare view laid out.
    pub compare: compare::CompareLayout,
    /// Files still loading in the background.
    pub loading: Option<loading::LoadState>,
    /// The open file being read again in another encoding (`E`).
    rereading: Option<encoding::Rereading>,
    /// Files larger than this are not read (`--max-size`), also when `E` reads one again.
    pub max_bytes: u64,
    /// Problems with inputs (skipped files, undecodable bytes), for the messages view.
    pub messages: Vec<String>,
    /// Inputs that could not be read at all (a subset of `messages`): the exit status says so.
    pub inputs_skipped: usize,
    /// Characters refused at the note limit since the note prompt opened, for its message.
    note_refused: usize,
    /// Text copied with `y`/`Y`, waiting for the terminal to deliver it (display-safe text).
    pub clipboard: Option<String>,
    /// The command copies are piped to (`--copy-command`); without one, OSC 52.
    pub copy_command: Option<String>,
    /// The library's rows and title filter.
    pub library: library::Library,
}

impl App {
    /// A reader over `corpus` at terminal size `size`.
    pub fn new(
        corpus: Corpus,
        settings: Settings,
        positions: HashMap<String, positions::Position>,
        size: (u16, u16),
    ) -> App {
        let mut app = App {
            corpus,
            converter: Converter::new(),
            settings,
            focus: Pane::Library,
            overlay: Overlay::None,
            show_library: true,
            selected: 0,
            reader: reader::Reader::default(),
            size,
            positions,
            sessions: HashMap::new(),
            session_key: None,
            resume: None,
            positions_file: positions::Store::in_memory(),
            encodings: HashMap::new(),
            status: None,
            quit: false,
            index: std::sync::Arc::default(),
            search: search::Search::default(),
            goto_history: edit::History::default(),
            bookmarks: bookmarks::BookmarkState::default(),
            visual: None,
            lookup: None,
            words: crate::words::WordList::in_memory(),
            versions: Vec::new(),
            compare: compare::CompareLayout::default(),
            loading: None,
            rereading: None,
            max_bytes: crate::loader::DEFAULT_MAX_BYTES,
            messages: Vec::new(),
            inputs_skipped: 0,
            note_refused: 0,
            clipboard: None,
            copy_command: None,
            library: library::Library::default(),
        };
        app.rebuild_derived();
        app
    }

    /// The scope keys are looked up in: overlay first, then the focused pane.
    pub fn scope(&self) -> Scope {
        match &self.overlay {
            // The messages view scrolls and closes like the help.
            Overlay::Help { .. } | Overlay::Messages { .. } => Scope::Help,
            Overlay::Outline { .. } => Scope::Outline,
            Overlay::Prompt { .. } => Scope::Prompt,
            Overlay::Results { .. } => Scope::Results,
            Overlay::Note { .. } => Scope::Note,
            Overlay::Bookmarks { .. } => Scope::Bookmarks,
            Overlay::Words { .. } => Scope::Words,
            Overlay::Compare { .. } => Scope::Compare,
            Overlay::Scripts { .. } => Scope::Scripts,
            Overlay::None if self.lookup.is_some() => Scope::Lookup,
            Overlay::None if self.visual.is_some() => Scope::Visual,
            Overlay::None => match self.focus {
                Pane::Library if self.show_library => Scope::Library,
                _ => Scope::Reader,
            },
        }
    }

    /// What decides what a terminal event does ([`keymap::route`]).
    pub fn context(&self) -> keymap::Context {
        keymap::Context { scope: self.scope(), loading: self.is_loading() }
    }

    pub fn article(&self) -> Option<&Article> {
        self.corpus.articles.get(self.reader.open)
    }

    /// Screen areas for the current size (the same function the views use).
    pub fn areas(&self) -> Areas {
        screen::areas(self.size, self.library_pane(), self.settings.library_share)
    }

    /// How the library shares the screen: beside the reader, or, below [`NARROW_WIDTH`], alone
    /// while it has the keys (the reader takes the whole width otherwise).
    pub fn library_pane(&self) -> LibraryPane {
        if !self.show_library {
            return LibraryPane::Hidden;
        }
        if self.size.0 >= NARROW_WIDTH {
            return LibraryPane::Beside;
        }
        // What shows in the reader (a cursor, a selection, the outline, a search as typed)
        // needs the reader on screen, wherever the focus is.
        let reader_busy = self.lookup.is_some()
            || self.visual.is_some()
            || matches!(
                self.overlay,
                Overlay::Outline { .. } | Overlay::Prompt { kind: PromptKind::GoTo | PromptKind::Search { .. }, .. }
            );
        if self.focus == Pane::Library && !reader_busy { LibraryPane::Alone } else { LibraryPane::Hidden }
    }

    /// The reader's area whenever it is on screen: at narrow widths the library hides it at
    /// times, and the text keeps its width meanwhile (no new layout on every `Tab`).
    fn reader_area(&self) -> ratatui::layout::Rect {
        let library = match self.library_pane() {
            LibraryPane::Alone => LibraryPane::Hidden,
            shown => shown,
        };
        screen::areas(self.size, library, self.settings.library_share).reader
    }

    /// The help's lines, and the rows of them on screen at once: for `G` and paging in the help.
    pub fn help_size(&self) -> (usize, usize) {
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        (keymap::help().len(), usize::from(screen::help_rect(area).height.saturating_sub(2)).max(1))
    }

    /// Rows of text the reader shows at once.
    pub fn page_height(&self) -> usize {
        usize::from(self.reader_area().height.max(1))
    }

    /// The text column width for the reader pane.
    pub fn text_width(&self) -> u16 {
        let pane = self.reader_area().width.saturating_sub(2).max(1);
        pane.min(self.settings.column.saturating_mul(2)).max(1)
    }

    /// Carries out one action; the only place state changes.
    pub fn update(&mut self, action: Action) {
        // A message stays until the next thing the user does: the terminal's first size, which
        // arrives as a resize, does not take the start-up message (a resume, a warning) away.
        if !matches!(action, Action::Tick | Action::CopyDelivered(_) | Action::Resize(..)) {
            self.status = None;
        }
        match (&self.overlay, action) {
            (_, Action::Tick) => {
                self.tick();
                self.tick_rereading();
            }
            (_, Action::CopyDelivered(delivered)) => self.copy_delivered(delivered),
            (_, Action::StopLoading) => self.stop_loading(),
            (_, Action::Quit) => {
                self.remember_position();
                self.quit = true;
            }
            (_, Action::Resize(w, h)) => {
                self.size = (w, h);
                self.relayout();
                if matches!(self.overlay, Overlay::Compare { .. }) {
                    self.lay_out_compare();
                }
            }
            (Overlay::None, Action::Wheel(by, x, y)) if self.visual.is_none() && self.in_library(x, y) => {
                self.select_visible(by as isize);
            }
            (_, Action::Wheel(by, ..)) => self.update(Action::Scroll(by)),
            (Overlay::Help { .. }, a) => self.update_help(a),
            (Overlay::Messages { scroll }, a) => {
                let scroll = *scroll;
                self.update_messages(a, scroll);
            }
            (Overlay::Outline { .. }, a) => self.update_outline(a),
            (Overlay::Prompt { .. }, a) => self.update_prompt(a),
            (Overlay::Results { .. }, a) => self.update_results(a),
            (Overlay::Note { .. }, a) => self.update_note(a),
            (Overlay::Bookmarks { .. }, a) => self.update_bookmarks(a),
            (Overlay::Words { selected }, a) => {
                let selected = *selected;
                self.update_words(a, selected);
            }
            (Overlay::Compare { .. }, a) => self.update_compare(a),
            (Overlay::Scripts { selected }, a) => {
                let selected = *selected;
                self.update_scripts(a, selected);
            }
            // Also from the look-up cursor, which stays where it is.
            (Overlay::None, Action::ShowWords) => self.overlay = Overlay::Words { selected: 0 },
            (Overlay::None, a) if self.lookup.is_some() => self.update_lookup(a),
            (Overlay::None, a) if self.visual.is_some() => self.update_visual(a),
            (Overlay::None, a) => self.update_panes(a),
        }
    }

    fn update_help(&mut self, action: Action) {
        let (lines, rows) = self.help_size();
        let Overlay::Help { scroll } = &mut self.overlay else { return };
        // A page on keeps one line of the last page in view, as the reader does.
        if let Some(to) = moved(usize::from(*scroll), action, rows.saturating_sub(1), lines.saturating_sub(rows)) {
            *scroll = u16::try_from(to).unwrap_or(u16::MAX);
        } else if matches!(action, Action::Cancel | Action::ToggleHelp) {
            self.overlay = Overlay::None;
        }
    }

    fn update_messages(&mut self, action: Action, scroll: u16) {
        // The view wraps long messages: its lines, counted at its width.
        let width = usize::from(self.size.0.saturating_sub(4).clamp(20, 100).saturating_sub(2)).max(1);
        let lines: usize =
            self.messages.iter().map(|m| wrap::display_width(m, self.settings.ambiguous) / width + 1).sum();
        let last = lines.saturating_sub(1);
        self.overlay = match moved(usize::from(scroll), action, self.page_height().saturating_sub(3), last) {
            Some(to) => Overlay::Messages { scroll: u16::try_from(to).unwrap_or(u16::MAX) },
            None if matches!(action, Action::Cancel | Action::ToggleHelp | Action::ShowMessages) => Overlay::None,
            None => Overlay::Messages { scroll },
        };
    }

    fn update_outline(&mut self, action: Action) {
        let entries = self.outline();
        // The outline's rows: the reader's height less its frame and margin.
        let page = usize::from(self.areas().reader.height.saturating_sub(4));
        let Overlay::Outline { selected } = &mut self.overlay else { return };
        if let Some(to) = moved(*selected, action, page, entries.len().saturating_sub(1)) {
            *selected = to;
            return;
        }
        match action {
            Action::Confirm => {
                let target = entries.get(*selected).map(|e| e.paragraph);
                self.overlay = Overlay::None;
                if let Some(p) = target {
                    self.scroll_to_paragraph(p);
                }
            }
            Action::Cancel | Action::ToggleOutline => self.overlay = Overlay::None,
            _ => {}
        }
    }

    fn update_prompt(&mut self, action: Action) {
        let Overlay::Prompt { kind, input, recall } = &mut self.overlay else { return };
        let kind = *kind;
        let before = input.text().to_string();
        match action {
            // Typed (or pasted) control and invisible characters would reach the terminal in
            // the prompt's echo: they are not taken.
            Action::Input(c)
                if !c.is_control() && crate::corpus::sanitize::is_display_safe(c.encode_utf8(&mut [0; 4])) =>
            {
                input.insert(c);
            }
            Action::HistoryPrevious | Action::HistoryNext => {
                let history = match kind {
                    PromptKind::GoTo => &self.goto_history,
                    PromptKind::Search { .. } => &self.search.history,
                    PromptKind::Filter | PromptKind::BookmarkFilter => return,
                };
                let by = if action == Action::HistoryPrevious { -1 } else { 1 };
                match recall.step(history, input.text(), by) {
                    Some(text) => input.set(&text),
                    None => return,
                }
            }
            Action::ToggleExact => self.search.toggle_exact(),
            Action::Confirm => {
                let typed = input.take();
                self.overlay = Overlay::None;
                match kind {
                    PromptKind::GoTo => {
                        self.goto_history.push(typed.trim());
                        self.go_to_clause(&typed);
                    }
                    PromptKind::Search { corpus, .. } => {
                        self.search.history.push(&typed);
                        self.confirm_search(&typed, corpus);
                    }
                    PromptKind::Filter => self.confirm_filter(),
                    PromptKind::BookmarkFilter => self.overlay = Overlay::Bookmarks { selected: 0 },
                }
                return;
            }
            Action::Cancel => {
                self.overlay = Overlay::None;
                match kind {
                    PromptKind::GoTo => {}
                    PromptKind::Search { origin, .. } => {
                        self.search.cancel_prompt();
                        self.refresh_search();
                        self.reader.top = origin.min(self.max_top());
                    }
                    PromptKind::Filter => {
                        self.library.filter.clear();
                        self.keep_selection_visible();
                    }
                    PromptKind::BookmarkFilter => {
                        self.bookmarks.filter.clear();
                        self.overlay = Overlay::Bookmarks { selected: 0 };
                    }
                }
                return;
            }
            other => {
                if !edit_line(input, other) {
                    return;
                }
            }
        }
        // Typing: search and filter follow every change of the text (and of exactness).
        let typed = input.text().to_string();
        if typed == before && action != Action::ToggleExact {
            return;
        }
        match kind {
            PromptKind::GoTo | PromptKind::Search { corpus: true, .. } => {}
            PromptKind::Search { origin, corpus: false } => self.search_as_typed(&typed, origin),
            PromptKind::Filter => {
                self.library.filter = typed;
                self.keep_selection_visible();
            }
            PromptKind::BookmarkFilter => self.bookmarks.filter = typed,
        }
    }

    fn update_note(&mut self, action: Action) {
        let Overlay::Note { target, input } = &mut self.overlay else { return };
        let typed = match action {
            Action::Input(c) => Some(c),
            Action::Newline => Some('\n'),
            _ => None,
        };
        // At the limit what is typed or pasted is refused, one character at a time and said
        // so, and everything before it is kept.
        if let Some(c) = typed
            && input.text().len() + c.len_utf8() > crate::bookmarks::MAX_NOTE_BYTES
        {
            self.note_refused += 1;
            self.status = Some(format!(
                "the note is at its limit of {} KiB: {} character(s) refused",
                crate::bookmarks::MAX_NOTE_BYTES / 1024,
                self.note_refused
            ));
            return;
        }
        match action {
            Action::Input(c)
                if !c.is_control() && crate::corpus::sanitize::is_display_safe(c.encode_utf8(&mut [0; 4])) =>
            {
                input.insert(c);
            }
            Action::Newline => input.insert('\n'),
            // A note from a hand-edited file can be over the limit: kept open, not thrown away.
            Action::Confirm if input.text().trim_end().len() > crate::bookmarks::MAX_NOTE_BYTES => {
                let too_long = crate::bookmarks::store::SaveError::NoteTooLong(input.text().trim_end().len());
                self.status = Some(format!("{too_long}; shorten it, or Esc to leave the note as it was"));
            }
            Action::Confirm => {
                let (target, note) = (target.clone(), input.take());
                self.overlay = match target {
                    bookmarks::NoteTarget::Edit(_) if !self.bookmarks.store.bookmarks().is_empty() => {
                        Overlay::Bookmarks { selected: 0 }
                    }
                    _ => Overlay::None,
                };
                self.save_note(target, note.trim_end());
                if let Overlay::Bookmarks { .. } = self.overlay {
                    self.keep_bookmark_selection(&note);
                }
            }
            Action::Cancel => {
                self.overlay = match target {
                    bookmarks::NoteTarget::Edit(_) => Overlay::Bookmarks { selected: 0 },
                    bookmarks::NoteTarget::New(_) => Overlay::None,
                };
            }
            other => {
                edit_line(input, other);
            }
        }
    }

    /// After editing a note, select the bookmark with that note again.
    fn keep_bookmark_selection(&mut self, note: &str) {
        let at = self.bookmark_rows().iter().position(|b| b.note == note.trim_end()).unwrap_or(0);
        self.overlay = Overlay::Bookmarks { selected: at };
    }

    fn update_visual(&mut self, action: Action) {
        match action {
            Action::Down => self.move_visual(1, 0),
            Action::Up => self.move_visual(-1, 0),
            Action::NextSentence => self.move_visual(0, 1),
            Action::PreviousSentence => self.move_visual(0, -1),
            Action::SwapEnds => self.swap_visual_ends(),
            Action::Confirm | Action::MarkParagraph => self.confirm_visual(),
            Action::CopyPassage | Action::CopyCitation => {
                self.copy(action == Action::CopyPassage);
                self.cancel_visual();
            }
            Action::Cancel | Action::StartVisual => self.cancel_visual(),
            Action::ToggleScript | Action::Scroll(_) | Action::PageDown | Action::PageUp => {
                self.update_panes(action);
                self.refresh_highlights();
            }
            _ => {}
        }
    }

    fn update_results(&mut self, action: Action) {
        let Overlay::Results { selected } = self.overlay else { return };
        let page = self.page_height().saturating_sub(3).max(1);
        let half = (page / 2).max(1);
        let target = match action {
            Action::Down => self.result_row_from(selected + 1, 1),
            Action::Up => self.result_row_from(selected.saturating_sub(1), -1),
            Action::PageDown | Action::HalfPageDown => {
                let by = if action == Action::PageDown { page } else { half };
                self.result_row_from(selected + by, 1).or_else(|| self.result_row_from(usize::MAX, -1))
            }
            Action::PageUp | Action::HalfPageUp => {
                let by = if action == Action::PageUp { page } else { half };
                self.result_row_from(selected.saturating_sub(by), -1).or_else(|| self.result_row_from(0, 1))
            }
            Action::Top => self.result_row_from(0, 1),
            Action::Bottom => self.result_row_from(usize::MAX, -1),
            Action::Confirm => {
                self.overlay = Overlay::None;
                self.open_result(selected);
                return;
            }
            Action::Cancel | Action::SearchCorpus => {
                self.overlay = Overlay::None;
                return;
            }
            _ => None,
        };
        if let Some(row) = target {
            self.overlay = Overlay::Results { selected: row };
        }
    }

    /// The first selectable results row at or after (`dir` 1) or before (-1) `from`.
    fn result_row_from(&self, from: usize, dir: isize) -> Option<usize> {
        let last = self.search.results.len().checked_sub(1)?;
        let mut i = from.min(last);
        loop {
            if !matches!(self.search.results[i], ResultRow::Source(_)) {
                return Some(i);
            }
            i = i.checked_add_signed(dir).filter(|&i| i <= last)?;
        }
    }

    fn update_panes(&mut self, action: Action) {
        // With the library alone on a narrow screen, a key that acts on the article brings the
        // reader up: its effect would be out of sight otherwise.
        if self.library_pane() == LibraryPane::Alone && action.shows_in_reader() {
            self.focus = Pane::Reader;
        }
        let library = self.focus == Pane::Library && self.show_library;
        let page = self.page_height();
        if action.needs_article() && self.article().is_none() {
            self.status = Some(if self.is_loading() {
                "no article yet: files are still loading".into()
            } else {
                "no article to act on: nothing could be read".into()
            });
            return;
        }
        match action {
            Action::ToggleHelp => self.overlay = Overlay::Help { scroll: 0 },
            Action::SwitchFocus => {
                self.focus = if self.focus == Pane::Library { Pane::Reader } else { Pane::Library };
                if !self.show_library {
                    self.focus = Pane::Reader;
                }
            }
            Action::ToggleLibrary => {
                self.show_library = !self.show_library;
                self.focus = if self.show_library { self.focus } else { Pane::Reader };
                self.relayout();
            }
            Action::Down if library => self.select_visible(1),
            Action::Up if library => self.select_visible(-1),
            Action::Top if library => self.select_visible(isize::MIN),
            Action::LibraryTop => self.go_to_library_top(),
            Action::ClearHighlights => self.clear_highlights_or_leave(),
            Action::Bottom if library => self.select_visible(isize::MAX),
            Action::Open => {
                self.open_article(self.selected);
                self.focus = Pane::Reader;
            }
            Action::Down => self.scroll_by(1),
            Action::Up => self.scroll_by(-1),
            Action::Scroll(n) => self.scroll_by(n as isize),
            Action::PageDown => self.scroll_by(page.saturating_sub(1).max(1).cast_signed()),
            Action::PageUp => self.scroll_by(-page.saturating_sub(1).max(1).cast_signed()),
            Action::HalfPageDown => self.scroll_by((page / 2).max(1).cast_signed()),
            Action::HalfPageUp => self.scroll_by(-(page / 2).max(1).cast_signed()),
            Action::Top => self.reader.top = 0,
            Action::Bottom => self.reader.top = self.last_page_top(),
            Action::NextArticle => self.step_article(1),
            Action::PreviousArticle => self.step_article(-1),
            Action::ToggleScript => self.set_script(self.settings.script.next()),
            Action::ChooseScript => {
                let current = Script::ALL.iter().position(|&s| s == self.settings.script).unwrap_or(0);
                self.overlay = Overlay::Scripts { selected: current };
            }
            Action::WiderLibrary => self.step_library_share(1),
            Action::NarrowerLibrary => self.step_library_share(-1),
            Action::LibraryPageDown
            | Action::LibraryPageUp
            | Action::LibraryHalfPageDown
            | Action::LibraryHalfPageUp
                if library =>
            {
                self.page_library(action);
            }
            Action::WiderColumn => self.set_column(self.settings.column.saturating_add(2)),
            Action::NarrowerColumn => self.set_column(self.settings.column.saturating_sub(2)),
            Action::NextClause => self.step_clause(1, false),
            Action::PreviousClause => self.step_clause(-1, false),
            Action::NextSibling => self.step_clause(1, true),
            Action::PreviousSibling => self.step_clause(-1, true),
            Action::ToggleOutline => {
                let current = self.current_outline_entry();
                self.overlay = Overlay::Outline { selected: current };
            }
            Action::GoToPrompt => self.open_go_to_prompt(),
            Action::SearchPrompt => self.open_search_prompt(false),
            Action::SearchCorpus => match self.search.active.as_ref().map(|s| s.query.clone()) {
                Some(query) if !query.text.is_empty() => self.show_results(&query),
                _ => self.open_search_prompt(true),
            },
            Action::NextMatch => self.step_match(1),
            Action::PreviousMatch => self.step_match(-1),
            Action::MarkParagraph => self.mark_paragraph(),
            Action::StartVisual => self.start_visual(),
            Action::StartLookup => self.start_lookup(),
            Action::CopyPassage => self.copy(true),
            Action::CopyCitation => self.copy(false),
            Action::ShowBookmarks => self.open_bookmarks(),
            Action::Compare => self.open_compare(),
            Action::CycleEncoding => self.cycle_encoding(),
            Action::ShowMessages => self.show_messages(),
            Action::FilterLibrary => self.open_filter_prompt(),
            Action::Click(x, y) => self.click(x, y),
            _ => {}
        }
    }

    /// `f`: the library shown and focused, the filter's prompt open with the filter in it.
    fn open_filter_prompt(&mut self) {
        self.show_library = true;
        self.focus = Pane::Library;
        self.relayout();
        self.overlay = Overlay::Prompt {
            kind: PromptKind::Filter,
            input: edit::Edit::new(self.library.filter.clone()),
            recall: edit::Recall::default(),
        };
    }

    fn open_go_to_prompt(&mut self) {
        if self.article().is_some_and(|a| a.clauses.is_empty()) {
            self.status = Some("this article has no numbered clauses".into());
        } else {
            self.overlay = Overlay::Prompt {
                kind: PromptKind::GoTo,
                input: edit::Edit::default(),
                recall: edit::Recall::default(),
            };
        }
    }

    /// Sets the text column to `wanted` Han characters (within bounds), the place at the top
    /// kept, and says what it is now: a step that changes nothing on screen would otherwise
    /// look like a key ignored.
    fn set_column(&mut self, wanted: u16) {
        self.settings.column = wanted.clamp(MIN_COLUMN, MAX_COLUMN);
        self.keep_position(Self::relayout);
        let column = self.settings.column;
        // The pane can be narrower than the column asked for: the text is then as wide as it.
        let shown = self.text_width() / 2;
        let limit = match column {
            MIN_COLUMN => " (the narrowest)".to_string(),
            _ if shown < column => format!(" (the pane fits {shown})"),
            MAX_COLUMN => " (the widest)".to_string(),
            _ => String::new(),
        };
        self.status = Some(format!("text column {column}{limit}"));
    }

    /// Moves the library's selection a page (its rows less one kept in view) or half of one.
    fn page_library(&mut self, action: Action) {
        let page = usize::from(self.areas().library.height.saturating_sub(1)).max(1).cast_signed();
        let by = match action {
            Action::LibraryPageDown => page,
            Action::LibraryPageUp => -page,
            Action::LibraryHalfPageDown => (page / 2).max(1),
            _ => -(page / 2).max(1),
        };
        self.select_visible(by);
    }

    /// `<`/`>`: the library a step narrower or wider (a share of the width, so that it follows
    /// the terminal), the reader's place kept, and the width said. At a bound the share stays,
    /// so that the other key undoes a step at once.
    fn step_library_share(&mut self, by: i16) {
        use screen::library_width;
        self.show_library = true;
        let main = self.size.0;
        let before = library_width(main, self.settings.library_share);
        // From the default, the step starts at the share the library has on screen.
        let current = self.settings.library_share.unwrap_or_else(|| {
            u16::try_from((u32::from(before) * 100 + u32::from(main) / 2) / u32::from(main.max(1))).unwrap_or(0)
        });
        let share = current.saturating_add_signed(by * LIBRARY_SHARE_STEP);
        let share = share.clamp(*LIBRARY_SHARES.start(), *LIBRARY_SHARES.end());
        let after = library_width(main, Some(share));
        let end = if by > 0 { "the widest" } else { "the narrowest" };
        if after == before {
            self.status = Some(format!("library {before} columns ({end})"));
            return;
        }
        self.settings.library_share = Some(share);
        self.keep_position(Self::relayout);
        let narrow = if main < NARROW_WIDTH { "; beside the reader from 60 columns on" } else { "" };
        self.status = Some(format!("library {after} columns{narrow}"));
    }

    /// Shows the text in `script`, the place at the top kept.
    fn set_script(&mut self, script: Script) {
        self.settings.script = script;
        self.keep_position(Self::relayout);
    }

    /// The script picker (`S`): `j`/`k` and `Enter`, or a script's number at once.
    fn update_scripts(&mut self, action: Action, selected: usize) {
        let last = Script::ALL.len() - 1;
        let chosen = match action {
            Action::Down => {
                self.overlay = Overlay::Scripts { selected: (selected + 1).min(last) };
                None
            }
            Action::Up => {
                self.overlay = Overlay::Scripts { selected: selected.saturating_sub(1) };
                None
            }
            Action::Confirm => Some(selected),
            Action::PickScript(n) => Some(usize::from(n)),
            Action::Cancel | Action::ChooseScript => {
                self.overlay = Overlay::None;
                None
            }
            _ => None,
        };
        if let Some(&script) = chosen.and_then(|i| Script::ALL.get(i)) {
            self.overlay = Overlay::None;
            self.set_script(script);
            self.status = Some(format!("{}: {}", script.label(), script.about()));
        }
    }

    /// `L`: the library shown and focused, its first article selected.
    fn go_to_library_top(&mut self) {
        self.show_library = true;
        self.focus = Pane::Library;
        self.select_visible(isize::MIN);
        self.relayout();
    }

    fn show_messages(&mut self) {
        if self.messages.is_empty() {
            self.status = Some("no messages: every input loaded cleanly".into());
        } else {
            self.overlay = Overlay::Messages { scroll: 0 };
        }
    }

    /// Moves the library selection `by` visible articles (`isize::MIN`/`MAX`: first/last).
    fn select_visible(&mut self, by: isize) {
        if let Some(to) = self.library.step(self.selected, by) {
            self.selected = to;
        }
    }

    /// Articles the library shows, in order: all, or those whose title matches the filter.
    pub fn visible_articles(&self) -> &[usize] {
        self.library.visible()
    }

    /// First library row shown in a pane `height` rows high, keeping the selection in view.
    pub fn library_offset(&self, height: usize) -> usize {
        self.library.offset(self.selected, height)
    }

    /// Row of article `i` in the library, if shown.
    pub fn library_row_of(&self, i: usize) -> Option<usize> {
        self.library.row_of(i)
    }

    /// Adds the library rows of sources from `first_source` on (articles from `first_article`):
    /// files that just loaded ([`library::Library::extend`]).
    pub(super) fn extend_library(&mut self, first_source: usize, first_article: usize) {
        self.library.extend(&self.corpus, first_source, first_article);
    }

    /// Rebuilds the library's rows: after files load and when the filter changes.
    pub fn refresh_library(&mut self) {
        self.library.rebuild(&self.corpus);
    }

    /// The name the library shows for source `s` ([`library::Library::source_label`]).
    pub fn source_label(&self, s: usize) -> String {
        self.library.source_label(&self.corpus, s)
    }

    /// The title the library shows for article `i` ([`library::title`]).
    pub fn library_title(&self, i: usize) -> String {
        library::title(&self.corpus.articles[i])
    }

    /// After the filter changed: select the first shown article if the selection was hidden.
    fn keep_selection_visible(&mut self) {
        self.refresh_library();
        self.selected = self.library.keep(self.selected);
    }

    fn confirm_filter(&mut self) {
        let shown = self.visible_articles().len();
        self.keep_selection_visible();
        if !self.library.filter.is_empty() {
            self.status =
                Some(format!("{shown} of {} articles; f then Esc clears the filter", self.corpus.articles.len()));
        }
    }

    fn step_article(&mut self, by: isize) {
        let n = self.corpus.articles.len();
        if n == 0 {
            return;
        }
        let next = self.reader.open.saturating_add_signed(by).min(n - 1);
        if next == self.reader.open {
            self.status = Some(if by < 0 { "first article" } else { "last article" }.into());
        } else {
            self.open_article(next);
            self.selected = next;
        }
    }

    /// Opens article `index` at its remembered place.
    pub fn open_article(&mut self, index: usize) {
        if self.corpus.articles.is_empty() {
            return;
        }
        self.remember_position();
        self.reader.open = index.min(self.corpus.articles.len() - 1);
        self.relayout();
        self.refresh_search();
        let place = self.article().and_then(|a| self.positions.get(&a.id).copied()).unwrap_or_default();
        self.go_to_remembered(place);
    }

    /// Puts a remembered place at the top, and remembers that it is there.
    fn go_to_remembered(&mut self, place: positions::Position) {
        let page = self.page_height();
        self.reader.go_to_remembered(self.corpus.articles.get(self.reader.open), place, page);
    }

    /// Keeps the place at the top of the open article in `positions`.
    fn remember_position(&mut self) {
        let Some(article) = self.article() else { return };
        let (id, place) = (article.id.clone(), self.reader.place_to_remember(Some(article)));
        if let Some(place) = place {
            self.positions.insert(id, place);
        }
    }

    /// The place at the top of the reader ([`Reader::top_position`]).
    pub fn top_position(&self) -> Option<positions::Position> {
        self.reader.top_position(self.article())
    }

    /// Where this session is, as a new start on the same inputs resumes it.
    pub fn session(&self) -> Option<positions::Session> {
        let article = self.article()?;
        Some(positions::Session {
            article: article.id.clone(),
            script: positions::Session::script_name(self.settings.script),
            filter: self.library.filter.clone(),
            library_share: self.settings.library_share,
        })
    }

    /// Keeps the place in the open article, and the session under its key: at the end of a run.
    pub fn remember_session(&mut self) {
        self.remember_position();
        // A session still waiting for its article (quit while loading) stays as it was.
        if self.resume.is_some() {
            return;
        }
        if let (Some(key), Some(session)) = (self.session_key.clone(), self.session()) {
            self.sessions.insert(key, session);
        }
    }

    /// Saves positions, encoding choices and sessions to `positions.json`.
    ///
    /// # Errors
    /// See [`positions::Store::save`].
    pub fn save_reading_state(&mut self) -> Result<(), positions::SaveError> {
        self.positions_file.save(positions::Current {
            positions: &self.positions,
            encodings: &self.encodings,
            sessions: &self.sessions,
        })
    }

    /// Resumes the session kept under `key`: its script (unless `keep_script`: one was asked for
    /// on the command line), its library filter, and its article at its place, now or once the
    /// article has loaded. The session ending this run is kept under `key` too.
    pub fn resume(&mut self, key: String, keep_script: bool) {
        let session = self.sessions.get(&key).cloned();
        self.session_key = Some(key);
        let Some(session) = session else { return };
        if let Some(script) = session.script().filter(|_| !keep_script) {
            self.settings.script = script;
            self.relayout();
        }
        if !session.filter.is_empty() {
            self.library.filter.clone_from(&session.filter);
            self.refresh_library();
        }
        // A share out of bounds (a hand-edited file) is brought within them.
        if let Some(share) = session.library_share {
            self.settings.library_share = Some(share.clamp(*LIBRARY_SHARES.start(), *LIBRARY_SHARES.end()));
            self.relayout();
        }
        self.resume = Some(session);
        self.resume_from(0);
    }

    /// Opens the resumed session's article if it is among the articles from `first` on (those
    /// just loaded); forgets the session once everything is loaded without it.
    pub(super) fn resume_from(&mut self, first: usize) {
        let Some(session) = &self.resume else { return };
        let found = self.corpus.articles.get(first..).and_then(|new| new.iter().position(|a| a.id == session.article));
        let Some(i) = found.map(|i| i + first) else {
            if !self.is_loading() {
                self.resume = None;
            }
            return;
        };
        self.resume = None;
        self.selected = i;
        self.open_article(i);
        self.focus = Pane::Reader;
        let keys = keymap::keys_for(Scope::Reader, Action::LibraryTop);
        let key = keys.first().map_or_else(String::new, |k| format!("; {}: the library's top", k.label()));
        self.status = Some(format!("resumed where you left off{key}"));
    }

    /// Paragraph at the top of the reader (or the first one below it).
    pub fn top_paragraph(&self) -> Option<usize> {
        self.reader.top_paragraph()
    }

    /// Runs `change` and puts the place that was at the top back there: it survives a
    /// script toggle or a new width.
    fn keep_position(&mut self, change: fn(&mut App)) {
        let place = if self.reader.top == 0 { None } else { self.top_position() };
        change(self);
        let page = self.page_height();
        self.reader.return_to(place, self.corpus.articles.get(self.reader.open), page);
    }

    /// Lays the open article out again if its article, script or width changed.
    pub fn relayout(&mut self) {
        let (width, page) = (self.text_width(), self.page_height());
        let article = self.corpus.articles.get(self.reader.open);
        let (script, ambiguous) = (self.settings.script, self.settings.ambiguous);
        if self.reader.relayout(article, &self.converter, script, width, ambiguous, page) {
            self.refresh_highlights();
        }
    }

    /// The last first line ([`Reader::max_top`]).
    fn max_top(&self) -> usize {
        self.reader.max_top(self.page_height())
    }

    /// The first line of the last full page ([`Reader::last_page_top`]).
    fn last_page_top(&self) -> usize {
        self.reader.last_page_top(self.page_height())
    }

    fn scroll_by(&mut self, by: isize) {
        let page = self.page_height();
        self.reader.scroll_by(by, page);
    }

    fn scroll_to_paragraph(&mut self, p: usize) {
        let page = self.page_height();
        self.reader.scroll_to_paragraph(p, page);
    }

    /// The clause the reader is in: the last one starting at or above the top.
    pub fn current_clause(&self) -> Option<usize> {
        let article = self.article()?;
        let top = self.top_paragraph()?;
        article.clauses.iter().rposition(|c| c.paragraph <= top)
    }

    fn step_clause(&mut self, by: isize, same_level: bool) {
        let Some(article) = self.article() else { return };
        if article.clauses.is_empty() {
            self.status = Some("this article has no numbered clauses".into());
            return;
        }
        let top = self.top_paragraph().unwrap_or(0);
        let current = self.current_clause();
        let level = current.map(|i| article.clauses[i].level);
        let fits = |c: &crate::corpus::Clause| !same_level || level.is_none_or(|l| c.level == l);
        let target = if by > 0 {
            article.clauses.iter().find(|c| c.paragraph > top && fits(c))
        } else {
            let limit = current.map_or(0, |i| article.clauses[i].paragraph);
            let at_start = current.is_some_and(|i| article.clauses[i].paragraph == top);
            article
                .clauses
                .iter()
                .rev()
                .find(|c| (c.paragraph < limit || (!at_start && c.paragraph == limit)) && fits(c))
        };
        match target.map(|c| c.paragraph) {
            Some(p) => self.scroll_to_paragraph(p),
            None => self.status = Some(if by > 0 { "last clause" } else { "first clause" }.into()),
        }
    }

    /// Jumps to the clause named like `13`, `十三` or `十三、`.
    pub fn go_to_clause(&mut self, wanted: &str) {
        let Some(article) = self.article() else { return };
        let found = crate::quote::find_clause(article, wanted).map(|i| article.clauses[i].paragraph);
        match found {
            Some(p) => self.scroll_to_paragraph(p),
            None => self.status = Some(format!("no clause '{}'", wanted.trim())),
        }
    }

    /// Entries of the outline: clauses, or the headings of an article without any.
    pub fn outline(&self) -> Vec<OutlineEntry> {
        let Some(article) = self.article() else { return Vec::new() };
        if article.clauses.is_empty() {
            return article
                .paragraphs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.kind == ParagraphKind::Heading)
                .map(|(i, p)| OutlineEntry {
                    label: String::new(),
                    text: p.text.clone(),
                    paragraph: i,
                    level: 1,
                    stray: false,
                })
                .collect();
        }
        article
            .clauses
            .iter()
            .map(|c| {
                let text = article.paragraphs.get(c.paragraph).map_or(String::new(), |p| {
                    p.text.strip_prefix(c.label.as_str()).unwrap_or(&p.text).graphemes(true).take(24).collect()
                });
                OutlineEntry {
                    label: c.label.clone(),
                    text,
                    paragraph: c.paragraph,
                    level: c.level,
                    stray: !c.in_sequence,
                }
            })
            .collect()
    }

    fn current_outline_entry(&self) -> usize {
        let top = self.top_paragraph().unwrap_or(0);
        self.outline().iter().rposition(|e| e.paragraph <= top).unwrap_or(0)
    }

    /// Whether screen position (`x`, `y`) is on the library pane.
    fn in_library(&self, x: u16, y: u16) -> bool {
        let library = self.areas().library;
        self.show_library
            && x >= library.x
            && x < library.x + library.width
            && y >= library.y
            && y < library.y + library.height
    }

    fn click(&mut self, x: u16, y: u16) {
        let library = self.areas().library;
        if self.in_library(x, y) {
            let row = usize::from(y - library.y);
            let offset = self.library_offset(usize::from(library.height));
            if let Some(&LibraryRow::Article(i)) = self.library.rows.get(offset + row) {
                self.selected = i;
                self.open_article(i);
            }
            self.focus = Pane::Library;
        } else {
            self.focus = Pane::Reader;
        }
    }

    /// Position in the article as a percentage of its lines.
    pub fn percent(&self) -> u16 {
        self.reader.percent(self.page_height())
    }
}

/// Where a motion key takes a cursor or scroll position `at` in `0..=last`: a line, `page`
/// rows, half of them, the ends. The same keys move every list and view (issue 19); `None`
/// when `action` is no motion.
pub(super) fn moved(at: usize, action: Action, page: usize, last: usize) -> Option<usize> {
    let page = page.max(1);
    let half = (page / 2).max(1);
    let to = match action {
        Action::Down => at.saturating_add(1),
        Action::Up => at.saturating_sub(1),
        Action::Scroll(n) => at.saturating_add_signed(n as isize),
        Action::PageDown => at.saturating_add(page),
        Action::PageUp => at.saturating_sub(page),
        Action::HalfPageDown => at.saturating_add(half),
        Action::HalfPageUp => at.saturating_sub(half),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return None,
    };
    Some(to.min(last))
}

/// Carries out an editing key (cursor moves and deletions, the same in prompts and the note
/// box); false when `action` is not one.
fn edit_line(input: &mut edit::Edit, action: Action) -> bool {
    match action {
        Action::Backspace => input.backspace(),
        Action::DeleteForward => input.delete(),
        Action::CursorLeft => input.left(),
        Action::CursorRight => input.right(),
        Action::LineStart => input.line_start(),
        Action::LineEnd => input.line_end(),
        Action::DeleteToLineStart => input.delete_to_line_start(),
        Action::DeleteWordBefore => input.delete_word_before(),
        _ => return false,
    }
    true
}

/// One entry of the outline overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineEntry {
    pub label: String,
    pub text: String,
    pub paragraph: usize,
    pub level: u8,
    pub stray: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::load;
    use positions::{Position, Session};

    const COMMUNIQUE: &str = "中国一中亚外长第六次会晤新闻公报";

    fn samples() -> Corpus {
        Corpus::from_docs(&load::bundled(), None).0
    }

    fn reader(positions: HashMap<String, Position>, size: (u16, u16)) -> App {
        App::new(samples(), Settings { color: false, ..Settings::default() }, positions, size)
    }

    fn communique(app: &App) -> usize {
        app.corpus.articles.iter().position(|a| a.title.as_deref() == Some(COMMUNIQUE)).expect("the communiqué")
    }

    /// The shown text of the top row.
    fn top_row(app: &App) -> String {
        let line = app.reader.layout.lines[app.reader.top];
        app.reader.layout.texts[line.text][line.row.start..line.row.end].to_string()
    }

    /// The communiqué open at clause 十三, scrolled on to the first row that is inside a
    /// paragraph rather than at its start.
    fn inside_clause_thirteen(size: (u16, u16)) -> App {
        let mut app = reader(HashMap::new(), size);
        app.open_article(communique(&app));
        app.focus = Pane::Reader;
        app.go_to_clause("十三");
        for _ in 0..10 {
            if app.top_position().is_some_and(|p| p.character > 0) {
                break;
            }
            app.update(Action::Down);
        }
        app
    }

    #[test]
    fn the_place_is_kept_to_the_character_at_another_width_and_in_another_script() {
        let mut app = inside_clause_thirteen((80, 24));
        let place = app.top_position().expect("a place");
        assert!(place.character > 0, "the top row is inside the paragraph: {place:?}");
        let source = app.article().unwrap().paragraphs[place.paragraph].text.clone();
        let character: String = source.chars().skip(place.character).take(4).collect();
        assert!(top_row(&app).starts_with(&character), "{:?} / {character:?}", top_row(&app));
        app.remember_position();
        // Another run, narrower and in 繁體: the row holding that character is at the top.
        let settings = Settings { color: false, script: Script::Traditional, ..Settings::default() };
        let mut again = App::new(samples(), settings, app.positions.clone(), (60, 24));
        again.open_article(communique(&again));
        let shown = again.converter.shown(&character, Script::Traditional);
        let line = again.reader.layout.lines[again.reader.top];
        assert_eq!(line.paragraph, Some(place.paragraph));
        let text = &again.reader.layout.texts[line.text];
        let at = text.find(&shown).expect("the character in the text");
        assert!(line.row.start <= at && at < line.row.end, "{:?} does not hold {shown}", top_row(&again));
        assert!(line.row.start > 0, "a row inside the paragraph, not its start");
    }

    #[test]
    fn reopening_at_another_width_and_leaving_does_not_move_the_place() {
        let mut app = inside_clause_thirteen((80, 24));
        app.remember_position();
        let id = app.article().unwrap().id.clone();
        let place = app.positions[&id];
        // At 100 columns the row holding the character starts earlier; leaving without
        // scrolling keeps the character, not that row's start.
        let mut again = reader(app.positions.clone(), (100, 30));
        again.open_article(communique(&again));
        again.open_article(0);
        assert_eq!(again.positions[&id], place);
    }

    #[test]
    fn a_script_toggle_keeps_the_row_inside_the_paragraph() {
        let mut app = inside_clause_thirteen((80, 24));
        let before = app.top_position();
        app.update(Action::ToggleScript);
        app.update(Action::ToggleScript);
        assert_eq!(app.settings.script, Script::Traditional);
        assert_eq!(app.top_position(), before);
    }

    fn ended_session() -> App {
        let mut app = inside_clause_thirteen((80, 24));
        app.update(Action::ToggleScript);
        app.update(Action::ToggleScript);
        app.library.filter = "公报".into();
        app.refresh_library();
        app.session_key = Some("samples".into());
        app.remember_session();
        app
    }

    #[test]
    fn a_new_start_on_the_same_inputs_resumes_article_place_script_and_filter() {
        let ended = ended_session();
        assert_eq!(
            ended.sessions["samples"],
            Session {
                article: ended.article().unwrap().id.clone(),
                script: "traditional".into(),
                filter: "公报".into(),
                library_share: None,
            }
        );
        let mut app = reader(ended.positions.clone(), (80, 24));
        app.sessions = ended.sessions.clone();
        app.resume("samples".into(), false);
        assert_eq!((app.reader.open, app.selected, app.focus), (ended.reader.open, ended.reader.open, Pane::Reader));
        assert_eq!(app.settings.script, Script::Traditional);
        assert_eq!((app.reader.top, top_row(&app)), (ended.reader.top, top_row(&ended)));
        assert_eq!(app.library.filter, "公报");
        assert!(app.visible_articles().len() < app.corpus.articles.len(), "the filter applies");
        assert!(app.status.as_deref().is_some_and(|s| s.contains("L: the library's top")), "{:?}", app.status);
        // `L` goes to the library's top.
        app.update(Action::LibraryTop);
        assert_eq!((app.focus, app.selected, app.scope()), (Pane::Library, app.visible_articles()[0], Scope::Library));
    }

    #[test]
    fn a_script_asked_for_wins_over_the_resumed_one_and_other_inputs_start_afresh() {
        let ended = ended_session();
        let mut app = reader(ended.positions.clone(), (80, 24));
        app.sessions = ended.sessions.clone();
        app.resume("samples".into(), true);
        assert_eq!((app.reader.open, app.settings.script), (ended.reader.open, Script::Original));
        let mut other = reader(ended.positions.clone(), (80, 24));
        other.sessions = ended.sessions.clone();
        other.resume("inputs-0123".into(), false);
        assert_eq!(
            (other.reader.open, other.settings.script, other.library.filter.as_str()),
            (0, Script::Original, "")
        );
        // That run's session is kept under its own key, the other one left as it was.
        other.remember_session();
        assert_eq!(other.sessions["samples"], ended.sessions["samples"]);
        assert_eq!(other.sessions["inputs-0123"].article, other.corpus.articles[0].id);
    }

    #[test]
    fn a_session_whose_article_is_gone_is_forgotten() {
        let mut app = reader(HashMap::new(), (80, 24));
        app.sessions.insert("samples".into(), Session { article: "gone#1".into(), ..Session::default() });
        app.resume("samples".into(), false);
        assert_eq!((app.reader.open, app.focus, app.resume.is_none()), (0, Pane::Library, true));
    }

    /// Files load in the background: the session's article is opened when it arrives, and a
    /// quit before that leaves the session as it was.
    #[test]
    fn esc_while_files_load_stops_them_from_the_panes_but_closes_what_is_open_first() {
        use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
        let esc = Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        let mut app = reader(HashMap::new(), (100, 30));
        app.update(Action::Open);
        assert_eq!(app.scope(), Scope::Reader);
        assert_eq!(keymap::route(app.context(), &esc), [Action::ClearHighlights], "not loading: the reader's Esc");
        let (tx, rx) = std::sync::mpsc::channel();
        app.start_loading(crate::loader::Loading::from_channel(rx));
        assert_eq!(keymap::route(app.context(), &esc), [Action::StopLoading]);
        app.update(Action::StartVisual);
        assert_eq!(keymap::route(app.context(), &esc), [Action::Cancel], "the selection ends first");
        app.update(Action::Cancel);
        app.update(Action::ToggleHelp);
        assert_eq!(keymap::route(app.context(), &esc), [Action::Cancel], "the help closes first");
        drop(tx);
    }

    #[test]
    fn a_resumed_article_still_loading_is_opened_when_it_arrives() {
        let dir = tempfile::tempdir().unwrap();
        for doc in load::bundled() {
            std::fs::write(dir.path().join(&doc.name), &doc.bytes).unwrap();
        }
        let ended = ended_session();
        let mut app = App::new(Corpus::default(), Settings::default(), ended.positions.clone(), (80, 24));
        app.sessions = ended.sessions.clone();
        app.start_loading(crate::loader::start(
            vec![load::Input::Path(dir.path().to_path_buf())],
            1 << 30,
            None,
            crate::corpus::ReadOptions::default(),
            1,
        ));
        app.resume("samples".into(), false);
        // Nothing has arrived before the first tick.
        app.remember_session();
        assert_eq!(app.sessions["samples"], ended.sessions["samples"], "kept while its article is to come");
        let start = std::time::Instant::now();
        while app.is_loading() {
            assert!(start.elapsed() < std::time::Duration::from_secs(20), "loading never ended");
            app.update(Action::Tick);
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(app.article().map(|a| a.title.as_deref()), Some(Some(COMMUNIQUE)));
        assert_eq!(top_row(&app), top_row(&ended));
    }

    fn type_text(app: &mut App, text: &str) {
        for c in text.chars() {
            app.update(Action::Input(c));
        }
    }

    fn prompt_text(app: &App) -> (String, usize) {
        match &app.overlay {
            Overlay::Prompt { input, .. } | Overlay::Note { input, .. } => (input.text().to_string(), input.cursor()),
            other => panic!("no prompt: {other:?}"),
        }
    }

    #[test]
    fn the_go_to_and_search_prompts_recall_their_own_history_with_up_and_down() {
        let mut app = reader(HashMap::new(), (80, 24));
        app.open_article(communique(&app));
        app.focus = Pane::Reader;
        for clause in ["十二", "3"] {
            app.update(Action::GoToPrompt);
            type_text(&mut app, clause);
            app.update(Action::Confirm);
        }
        app.update(Action::SearchPrompt);
        type_text(&mut app, "各方");
        app.update(Action::Confirm);
        app.update(Action::GoToPrompt);
        type_text(&mut app, "十");
        app.update(Action::HistoryPrevious);
        assert_eq!(prompt_text(&app).0, "3");
        app.update(Action::HistoryPrevious);
        assert_eq!(prompt_text(&app), ("十二".to_string(), "十二".len()), "the cursor at the end");
        app.update(Action::HistoryNext);
        app.update(Action::HistoryNext);
        assert_eq!(prompt_text(&app).0, "十", "what was typed comes back");
        app.update(Action::Cancel);
        // The search prompt has its own, and a recalled query is searched as typed.
        app.update(Action::SearchPrompt);
        app.update(Action::HistoryPrevious);
        assert_eq!(prompt_text(&app).0, "各方");
        assert!(app.search.active.as_ref().is_some_and(|s| s.query.text == "各方" && !s.matches.is_empty()));
        app.update(Action::HistoryPrevious);
        assert_eq!(prompt_text(&app).0, "各方", "only one search so far");
    }

    #[test]
    fn editing_in_the_middle_of_the_search_prompt_searches_what_is_shown() {
        let mut app = reader(HashMap::new(), (80, 24));
        app.open_article(communique(&app));
        app.focus = Pane::Reader;
        app.update(Action::SearchPrompt);
        type_text(&mut app, "各欢迎 x");
        app.update(Action::DeleteWordBefore);
        assert_eq!(prompt_text(&app).0, "各欢迎 ", "the word, not the space before it");
        app.update(Action::Backspace);
        assert_eq!(prompt_text(&app).0, "各欢迎");
        app.update(Action::LineStart);
        app.update(Action::CursorRight);
        app.update(Action::Input('方'));
        assert_eq!(prompt_text(&app), ("各方欢迎".to_string(), "各方".len()));
        assert_eq!(app.search.active.as_ref().map(|s| s.query.text.as_str()), Some("各方欢迎"));
        assert!(app.search.active.as_ref().is_some_and(|s| !s.matches.is_empty()));
        app.update(Action::LineEnd);
        app.update(Action::CursorLeft);
        app.update(Action::DeleteToLineStart);
        assert_eq!(prompt_text(&app), ("迎".to_string(), 0));
        app.update(Action::DeleteForward);
        assert_eq!(prompt_text(&app).0, "");
        assert!(app.search.active.is_none(), "an empty prompt searches nothing");
    }

    #[test]
    fn a_note_is_edited_where_the_cursor_is() {
        let mut app = reader(HashMap::new(), (80, 24));
        app.open_article(communique(&app));
        app.focus = Pane::Reader;
        app.go_to_clause("十三");
        app.update(Action::MarkParagraph);
        type_text(&mut app, "值得引用");
        app.update(Action::Newline);
        type_text(&mut app, "第二行");
        app.update(Action::LineStart);
        app.update(Action::Input('见'));
        app.update(Action::CursorLeft);
        app.update(Action::CursorLeft);
        app.update(Action::LineStart);
        app.update(Action::Input('很'));
        assert_eq!(prompt_text(&app).0, "很值得引用\n见第二行");
        // Ctrl-u at the end of the first line empties that line only.
        app.update(Action::LineEnd);
        app.update(Action::DeleteToLineStart);
        assert_eq!(prompt_text(&app), ("\n见第二行".to_string(), 0));
        app.update(Action::DeleteForward);
        app.update(Action::Confirm);
        assert_eq!(app.bookmarks.store.bookmarks()[0].note, "见第二行");
    }

    /// The communiqué searched for 各方 from the reader, the search kept with `Enter`.
    fn searched_for_gefang() -> App {
        let mut app = reader(HashMap::new(), (80, 24));
        app.open_article(communique(&app));
        app.focus = Pane::Reader;
        app.update(Action::SearchPrompt);
        type_text(&mut app, "各方");
        app.update(Action::Confirm);
        app
    }

    fn match_highlights(app: &App) -> usize {
        app.reader
            .highlights
            .iter()
            .filter(|h| matches!(h.kind, HighlightKind::Match | HighlightKind::CurrentMatch))
            .count()
    }

    #[test]
    fn esc_in_the_reader_clears_the_highlights_then_goes_to_the_library() {
        let mut app = searched_for_gefang();
        assert!(match_highlights(&app) > 0);
        let top = app.reader.top;
        app.update(Action::ClearHighlights);
        assert_eq!(
            (match_highlights(&app), app.focus, app.reader.top),
            (0, Pane::Reader, top),
            "cleared, nothing moved"
        );
        assert_eq!(app.match_position(), None, "no match count for hidden matches");
        assert!(app.status.as_deref().is_some_and(|s| s.contains("'各方'")), "{:?}", app.status);
        // `n` still moves on, and shows them again.
        app.update(Action::NextMatch);
        assert!(match_highlights(&app) > 0);
        app.update(Action::ClearHighlights);
        app.update(Action::ClearHighlights);
        assert_eq!(app.focus, Pane::Library, "a second Esc: back to the library");
    }

    #[test]
    fn an_empty_search_prompt_ends_the_search_and_says_how_to_get_it_back() {
        let mut app = searched_for_gefang();
        app.update(Action::SearchPrompt);
        app.update(Action::Confirm);
        assert!(
            app.search.active.is_none(),
            "the previous query is not reused: {:?}",
            app.search.active.as_ref().map(|s| &s.query)
        );
        assert_eq!(match_highlights(&app), 0);
        assert!(app.status.as_deref().is_some_and(|s| s.contains("'各方'") && s.contains("↑")), "{:?}", app.status);
        app.update(Action::NextMatch);
        assert_eq!(app.status.as_deref(), Some("no search yet: / searches"));
        // `↑` brings it back on purpose.
        app.update(Action::SearchPrompt);
        app.update(Action::HistoryPrevious);
        app.update(Action::Confirm);
        assert_eq!(app.search.active.as_ref().map(|s| s.query.text.as_str()), Some("各方"));
    }

    #[test]
    fn s_capital_picks_a_script_by_list_or_number_and_keeps_the_place() {
        let mut app = inside_clause_thirteen((80, 24));
        let place = app.top_position();
        app.update(Action::ChooseScript);
        assert_eq!(app.overlay, Overlay::Scripts { selected: 0 }, "the script shown is selected");
        assert_eq!(app.scope(), Scope::Scripts);
        app.update(Action::Down);
        app.update(Action::Down);
        app.update(Action::Down);
        app.update(Action::Confirm);
        assert_eq!((app.settings.script, &app.overlay), (Script::Taiwan, &Overlay::None));
        assert!(app.status.as_deref().is_some_and(|s| s.starts_with("臺灣: Taiwan")), "{:?}", app.status);
        assert_eq!(app.top_position(), place);
        // By number, including the one `s` never reaches.
        app.update(Action::ChooseScript);
        assert_eq!(app.overlay, Overlay::Scripts { selected: 3 });
        app.update(Action::PickScript(5));
        assert_eq!(app.settings.script, Script::TaiwanPhrases);
        assert_eq!(app.top_position().map(|p| p.paragraph), place.map(|p| p.paragraph));
        // Esc leaves the script as it was.
        app.update(Action::ChooseScript);
        app.update(Action::Up);
        app.update(Action::Cancel);
        assert_eq!((app.settings.script, &app.overlay), (Script::TaiwanPhrases, &Overlay::None));
    }

    #[test]
    fn a_motion_moves_by_line_page_half_page_and_to_the_ends_within_bounds() {
        let cases = [
            (Action::Down, 6),
            (Action::Up, 4),
            (Action::PageDown, 15),
            (Action::PageUp, 0),
            (Action::HalfPageDown, 10),
            (Action::HalfPageUp, 0),
            (Action::Top, 0),
            (Action::Bottom, 20),
            (Action::Scroll(3), 8),
        ];
        for (action, to) in cases {
            assert_eq!(moved(5, action, 10, 20), Some(to), "{action:?}");
        }
        assert_eq!(moved(19, Action::PageDown, 10, 20), Some(20), "never past the last");
        assert_eq!(moved(0, Action::HalfPageDown, 1, 20), Some(1), "at least a line");
        assert_eq!(moved(5, Action::Confirm, 10, 20), None);
    }

    #[test]
    fn help_outline_and_compare_page_and_jump_to_their_ends() {
        let mut app = reader(HashMap::new(), (80, 24));
        app.open_article(communique(&app));
        app.focus = Pane::Reader;
        app.update(Action::ToggleHelp);
        app.update(Action::Bottom);
        let (lines, rows) = app.help_size();
        assert!(lines > rows, "the help is longer than a screen");
        assert_eq!(app.overlay, Overlay::Help { scroll: (lines - rows) as u16 }, "its last page");
        app.update(Action::Down);
        assert_eq!(app.overlay, Overlay::Help { scroll: (lines - rows) as u16 }, "no further");
        app.update(Action::PageUp);
        assert_eq!(app.overlay, Overlay::Help { scroll: (lines - rows - (rows - 1)) as u16 });
        app.update(Action::Top);
        assert_eq!(app.overlay, Overlay::Help { scroll: 0 });
        app.update(Action::Cancel);

        app.update(Action::ToggleOutline);
        app.update(Action::Top);
        app.update(Action::HalfPageDown);
        let Overlay::Outline { selected: half } = app.overlay else { panic!("{:?}", app.overlay) };
        assert!(half > 1, "more than a line: {half}");
        app.update(Action::PageDown);
        let Overlay::Outline { selected: page } = app.overlay else { panic!() };
        assert!(page > half + 1, "{page}");
        app.update(Action::Bottom);
        assert_eq!(app.overlay, Overlay::Outline { selected: app.outline().len() - 1 });
        app.update(Action::Cancel);

        app.update(Action::Compare);
        app.update(Action::Top);
        app.update(Action::HalfPageDown);
        assert!(matches!(app.overlay, Overlay::Compare { .. }), "{:?}", app.overlay);
        let top = app.compare.place.top;
        assert_eq!(top, (usize::from(app.size.1) - 3 - 1) / 2);
    }

    /// Issue 19: `+`/`-` changed the column with nothing said, and `K`/`J` at either end did
    /// nothing at all.
    #[test]
    fn column_steps_say_the_width_and_the_ends_of_the_articles_say_so() {
        let mut app = reader(HashMap::new(), (140, 30));
        app.open_article(0);
        app.update(Action::WiderColumn);
        assert_eq!(app.status.as_deref(), Some("text column 42"));
        app.update(Action::NarrowerColumn);
        app.update(Action::NarrowerColumn);
        assert_eq!((app.settings.column, app.status.as_deref()), (38, Some("text column 38")));
        for _ in 0..40 {
            app.update(Action::NarrowerColumn);
        }
        assert_eq!(app.status.as_deref(), Some("text column 8 (the narrowest)"));
        for _ in 0..30 {
            app.update(Action::WiderColumn);
        }
        // 140 columns less the library leave room for fewer than 68 Han characters.
        let fits = app.text_width() / 2;
        assert!(fits < 68, "{fits}");
        assert_eq!(app.status, Some(format!("text column 68 (the pane fits {fits})")));

        app.update(Action::PreviousArticle);
        assert_eq!((app.reader.open, app.status.as_deref()), (0, Some("first article")));
        let last = app.corpus.articles.len() - 1;
        app.open_article(last);
        app.update(Action::NextArticle);
        assert_eq!((app.reader.open, app.status.as_deref()), (last, Some("last article")));
        app.update(Action::PreviousArticle);
        assert_eq!((app.reader.open, app.status), (last - 1, None));
    }

    /// Issue 19: the library was 34 columns at any width, with no way to change it.
    #[test]
    fn the_library_s_width_follows_the_terminal_and_a_chosen_one_is_kept() {
        let widths: Vec<u16> =
            [80, 120, 160, 240].iter().map(|&w| reader(HashMap::new(), (w, 24)).areas().library.width).collect();
        assert_eq!(widths, [34, 36, 48, 64]);
        let mut app = reader(HashMap::new(), (100, 24));
        app.open_article(0);
        app.update(Action::WiderLibrary);
        assert_eq!((app.areas().library.width, app.status.as_deref()), (38, Some("library 38 columns")));
        app.update(Action::NarrowerLibrary);
        app.update(Action::NarrowerLibrary);
        let chosen = app.areas().library.width;
        assert_eq!(chosen, 30);
        assert_eq!(app.text_width(), app.areas().reader.width - 2, "the reader took the room");
        for _ in 0..20 {
            app.update(Action::NarrowerLibrary);
        }
        assert_eq!(app.status.as_deref(), Some("library 16 columns (the narrowest)"));
        app.update(Action::WiderLibrary);
        assert!(app.areas().library.width > 16, "one step back at once");
        let share = app.settings.library_share;
        // A share, so a wider terminal gives a wider library; kept for the next run.
        app.update(Action::Resize(160, 24));
        assert!(app.areas().library.width > 20, "{:?}", app.areas().library);
        app.session_key = Some("samples".into());
        app.remember_session();
        assert_eq!(app.sessions["samples"].library_share, share);
        let mut again = reader(HashMap::new(), (160, 24));
        again.sessions = app.sessions.clone();
        again.resume("samples".into(), false);
        assert_eq!(again.areas().library, app.areas().library);
    }

    #[test]
    fn page_keys_page_through_the_library_and_space_reads_on() {
        use crossterm::event::{KeyCode, KeyModifiers};
        let mut app = reader(HashMap::new(), (80, 12));
        app.open_article(0);
        assert_eq!(app.scope(), Scope::Library);
        let page = usize::from(app.areas().library.height - 1);
        let at = |app: &App| app.visible_articles().iter().position(|&i| i == app.selected).unwrap();
        let key = |c: crossterm::event::KeyCode, m: crossterm::event::KeyModifiers| {
            keymap::lookup(Scope::Library, &crossterm::event::KeyEvent::new(c, m)).expect("bound")
        };
        app.update(key(KeyCode::PageDown, KeyModifiers::NONE));
        assert_eq!((at(&app), app.reader.top), (page, 0), "the selection moved a page, the reader stayed");
        app.update(key(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(at(&app), page - page / 2);
        app.update(key(KeyCode::Char('d'), KeyModifiers::CONTROL));
        assert_eq!(at(&app), page);
        app.update(key(KeyCode::PageUp, KeyModifiers::NONE));
        assert_eq!(at(&app), 0);
        app.update(key(KeyCode::Char(' '), KeyModifiers::NONE));
        assert_eq!((at(&app), app.reader.open), (0, 0));
        assert!(app.reader.top > 0, "Space reads on in the open article");
    }
}

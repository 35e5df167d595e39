//! Everything the reader can be asked to do. Keys and mouse events become
//! [`Action`]s through the key table; only `App::update` carries them out.

/// One thing the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave gongbao, saving reading positions.
    Quit,
    /// Show or hide the key help.
    ToggleHelp,
    /// Move keyboard focus between the library and the reader.
    SwitchFocus,
    /// Hide or show the library for a full-width reader.
    ToggleLibrary,
    /// Move up one line (reader) or one article (library).
    Up,
    /// Move down one line (reader) or one article (library).
    Down,
    /// Scroll down a screen.
    PageDown,
    /// Scroll up a screen.
    PageUp,
    /// Scroll down half a screen.
    HalfPageDown,
    /// Scroll up half a screen.
    HalfPageUp,
    /// Go to the start.
    Top,
    /// Go to the end.
    Bottom,
    /// Open the selected article in the reader.
    Open,
    /// Take the search's highlights away (`n` brings them back); without any, focus the library.
    ClearHighlights,
    /// Show the library, focus it and select its first article: the way back after a resume.
    LibraryTop,
    /// Open the next article.
    NextArticle,
    /// Open the previous article.
    PreviousArticle,
    /// Cycle the script: original → 简体 → 繁體 → 臺灣 → 香港.
    ToggleScript,
    /// Choose the script from a list of all of them.
    ChooseScript,
    /// In the script picker: the script with this index in the list (`1` is the first).
    PickScript(u8),
    /// Jump to the next numbered clause.
    NextClause,
    /// Jump to the previous numbered clause.
    PreviousClause,
    /// Jump to the next clause of the same level.
    NextSibling,
    /// Jump to the previous clause of the same level.
    PreviousSibling,
    /// Show or hide the outline of clauses and headings.
    ToggleOutline,
    /// Ask for a clause to go to (`13`, `十三`, `十三、`).
    GoToPrompt,
    /// Search this article as you type (any script).
    SearchPrompt,
    /// List every match in the corpus (asks for a query when there is none).
    SearchCorpus,
    /// Go to the next match, on into the next article with matches.
    NextMatch,
    /// Go to the previous match, back into the previous article with matches.
    PreviousMatch,
    /// Search the text exactly as written, or folded (script, width, spaces).
    ToggleExact,
    /// Filter the library by title as you type.
    FilterLibrary,
    /// Bookmark the paragraph at the top of the reader (asks for a note).
    MarkParagraph,
    /// Select a passage to bookmark: paragraphs with `j`/`k`, sentences with `h`/`l`.
    StartVisual,
    /// Extend the selection by a sentence.
    NextSentence,
    /// Shrink the selection by a sentence.
    PreviousSentence,
    /// Move the other end of the selection.
    SwapEnds,
    /// Put a look-up cursor on the first word of the top line, or take it away.
    StartLookup,
    /// Move the look-up cursor to the next word.
    NextWord,
    /// Move the look-up cursor to the previous word.
    PreviousWord,
    /// Move the look-up cursor to the next character.
    NextCharacter,
    /// Move the look-up cursor to the previous character.
    PreviousCharacter,
    /// Add the word under the look-up cursor to the word list, with its sentence.
    AddWord,
    /// Start selecting characters at the look-up cursor, or stop.
    SelectText,
    /// Look the selected characters up as one.
    LookUpSelection,
    /// Show or hide the word list.
    ShowWords,
    /// Delete the selected word of the word list.
    DeleteWord,
    /// Show or hide the bookmarks.
    ShowBookmarks,
    /// Edit the selected bookmark's note.
    EditNote,
    /// Delete the selected bookmark (undo with `u`).
    DeleteBookmark,
    /// Put back the bookmark last deleted or re-attached.
    Undo,
    /// List bookmarks newest first or by article.
    ToggleOrder,
    /// Attach the selected bookmark to the paragraph at the top of the reader.
    Reattach,
    /// Write the bookmarks as Markdown to a file.
    ExportBookmarks,
    /// A line break in the note.
    Newline,
    /// Compare the article with another version of it (again: the next version).
    Compare,
    /// Copy the passage being read (the selection, else the clause, else the paragraph at the
    /// top) with its citation, in the script shown.
    CopyPassage,
    /// Copy the citation of the passage being read alone.
    CopyCitation,
    /// The terminal delivered the copy (true) or could not (false).
    CopyDelivered(bool),
    /// Stop loading, keeping what is loaded.
    StopLoading,
    /// Show the problems met while loading.
    ShowMessages,
    /// Decode the open article's file as the next encoding, and remember the choice.
    CycleEncoding,
    /// Time passed: take what the loading workers delivered.
    Tick,
    /// Give the terminal back to the shell until continued (`Ctrl-z`); carried out by the
    /// terminal loop, which owns the terminal, not by `App::update`.
    Suspend,
    /// Type into a prompt.
    Input(char),
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character under the cursor.
    DeleteForward,
    /// Move the cursor a character left.
    CursorLeft,
    /// Move the cursor a character right.
    CursorRight,
    /// Move the cursor to the start of the line.
    LineStart,
    /// Move the cursor to the end of the line.
    LineEnd,
    /// Delete from the start of the line to the cursor.
    DeleteToLineStart,
    /// Delete the word before the cursor.
    DeleteWordBefore,
    /// Recall the previous entry of the prompt's history.
    HistoryPrevious,
    /// Recall the next entry of the prompt's history (past the newest: what was typed).
    HistoryNext,
    /// Confirm the prompt or the selection in a list.
    Confirm,
    /// Close the open overlay or prompt.
    Cancel,
    /// Widen the text column by two characters.
    WiderColumn,
    /// Narrow the text column by two characters.
    NarrowerColumn,
    /// Give the library a larger share of the width.
    WiderLibrary,
    /// Give the library a smaller share of the width.
    NarrowerLibrary,
    /// Move the library's selection down a page (the library's own, not the reader's).
    LibraryPageDown,
    /// Move the library's selection up a page.
    LibraryPageUp,
    /// Move the library's selection down half a page.
    LibraryHalfPageDown,
    /// Move the library's selection up half a page.
    LibraryHalfPageUp,
    /// Scroll by this many lines; negative is up.
    Scroll(i32),
    /// The mouse wheel turned this many lines (negative: up) with the pointer at this screen
    /// position: over the library it moves the library's selection, elsewhere it scrolls.
    Wheel(i32, u16, u16),
    /// A click at this screen position.
    Click(u16, u16),
    /// The terminal now has this size.
    Resize(u16, u16),
}

impl Action {
    /// Whether the action works on the open article, so that without one it cannot act.
    pub fn needs_article(self) -> bool {
        matches!(
            self,
            Action::PageDown
                | Action::PageUp
                | Action::HalfPageDown
                | Action::HalfPageUp
                | Action::NextClause
                | Action::PreviousClause
                | Action::NextSibling
                | Action::PreviousSibling
                | Action::ToggleOutline
                | Action::GoToPrompt
                | Action::MarkParagraph
                | Action::StartVisual
                | Action::StartLookup
                | Action::Compare
                | Action::CopyPassage
                | Action::CopyCitation
                | Action::CycleEncoding
        )
    }

    /// Whether the action's effect is seen in the reader (with the library alone on a narrow
    /// screen, the reader is brought up for it).
    pub fn shows_in_reader(self) -> bool {
        self.needs_article() || matches!(self, Action::SearchPrompt | Action::NextMatch | Action::PreviousMatch)
    }

    /// What the action does, as the help overlay shows it.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::ToggleHelp => "show or hide this help",
            Action::SwitchFocus => "switch between library and reader",
            Action::ToggleLibrary => "hide or show the library",
            Action::Up => "up a line / previous article",
            Action::Down => "down a line / next article",
            Action::PageDown => "down a screen",
            Action::PageUp => "up a screen",
            Action::HalfPageDown => "down half a screen",
            Action::HalfPageUp => "up half a screen",
            Action::Top => "to the start",
            Action::Bottom => "to the end",
            Action::Open => "open the article",
            Action::ClearHighlights => "clear search highlights (n shows them); else to the library",
            Action::LibraryTop => "to the library's top (after a resume)",
            Action::NextArticle => "next article",
            Action::PreviousArticle => "previous article",
            Action::ToggleScript => "script: original → 简体 → 繁體 → 臺灣 → 香港",
            Action::ChooseScript => "choose the script from a list (what each one is)",
            Action::PickScript(_) => "that script",
            Action::NextClause => "next clause",
            Action::PreviousClause => "previous clause",
            Action::NextSibling => "next clause of the same level",
            Action::PreviousSibling => "previous clause of the same level",
            Action::ToggleOutline => "outline of clauses and headings",
            Action::GoToPrompt => "go to clause (13, 十三, 十三、)",
            Action::SearchPrompt => "search this article (台湾 finds 臺灣)",
            Action::SearchCorpus => "list matches in every article",
            Action::NextMatch => "next match (then next article)",
            Action::PreviousMatch => "previous match (then previous article)",
            Action::ToggleExact => "exact: match the text as written",
            Action::FilterLibrary => "filter the library by title",
            Action::MarkParagraph => "bookmark the paragraph at the top, with a note",
            Action::StartVisual => "select a passage to bookmark",
            Action::NextSentence => "selection: one sentence more",
            Action::PreviousSentence => "selection: one sentence less",
            Action::SwapEnds => "selection: move the other end",
            Action::StartLookup => "look words up (pinyin, senses) with a cursor",
            Action::NextWord => "next word",
            Action::PreviousWord => "previous word",
            Action::NextCharacter => "next character",
            Action::PreviousCharacter => "previous character",
            Action::AddWord => "add the word, with its sentence, to the word list",
            Action::SelectText => "select characters from the cursor (again: stop)",
            Action::LookUpSelection => "look the selection up as one",
            Action::ShowWords => "word list (gongbao words export writes it)",
            Action::DeleteWord => "delete the word",
            Action::ShowBookmarks => "bookmarks",
            Action::EditNote => "edit the note",
            Action::DeleteBookmark => "delete (u undoes)",
            Action::Undo => "undo the last delete or re-attachment",
            Action::ToggleOrder => "newest first / by article",
            Action::Reattach => "re-attach to the paragraph at the top of the reader (a found one: press twice)",
            Action::ExportBookmarks => "export all as Markdown (the path is shown)",
            Action::Newline => "new line in the note",
            Action::Compare => "compare with another version (⇄ in the library)",
            Action::CopyPassage => "copy the passage (selection, clause or paragraph) with its citation",
            Action::CopyCitation => "copy the citation alone",
            Action::CopyDelivered(_) => "copied",
            Action::StopLoading => "while files load: stop, keep what is loaded",
            Action::ShowMessages => "messages: files skipped, bytes undecodable",
            Action::CycleEncoding => "next encoding for this file (remembered)",
            Action::Tick => "tick",
            Action::Suspend => "suspend to the shell (fg resumes)",
            Action::Input(_) => "type",
            Action::Backspace => "delete the character before the cursor",
            Action::DeleteForward => "delete the character under the cursor",
            Action::CursorLeft => "cursor left",
            Action::CursorRight => "cursor right",
            Action::LineStart => "cursor to the start of the line",
            Action::LineEnd => "cursor to the end of the line",
            Action::DeleteToLineStart => "delete to the start of the line",
            Action::DeleteWordBefore => "delete the word before the cursor",
            Action::HistoryPrevious => "earlier query or clause (search, go to)",
            Action::HistoryNext => "later query or clause; past the last, what was typed",
            Action::Confirm => "confirm",
            Action::Cancel => "close",
            Action::WiderColumn => "wider text column",
            Action::NarrowerColumn => "narrower text column",
            Action::WiderLibrary => "wider library (kept for these inputs)",
            Action::NarrowerLibrary => "narrower library (kept for these inputs)",
            Action::LibraryPageDown => "a page down the library",
            Action::LibraryPageUp => "a page up the library",
            Action::LibraryHalfPageDown => "half a page down the library",
            Action::LibraryHalfPageUp => "half a page up the library",
            Action::Scroll(_) => "scroll",
            Action::Wheel(..) => "scroll the pane under the mouse",
            Action::Click(..) => "select",
            Action::Resize(..) => "resize",
        }
    }
}

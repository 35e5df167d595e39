//! The key table: one list drives both the key bindings and the help
//! overlay, so the help can never disagree with the keys.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

use super::action::Action;
use crate::convert::Script;

/// Where a key is looked up; overlays come before panes, panes before global.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere, unless an overlay or pane took the key first.
    Global,
    /// The library pane has focus.
    Library,
    /// The reader pane has focus.
    Reader,
    /// The help overlay is open.
    Help,
    /// The outline overlay is open.
    Outline,
    /// A prompt is open (go to clause, search, filter).
    Prompt,
    /// The list of search results is open.
    Results,
    /// A passage is being selected for a bookmark.
    Visual,
    /// The note prompt is open.
    Note,
    /// The bookmarks view is open.
    Bookmarks,
    /// Two versions side by side.
    Compare,
    /// The look-up cursor is on a word.
    Lookup,
    /// The word list is open.
    Words,
    /// The script picker is open.
    Scripts,
    /// Taken before every other scope: keys for the terminal itself (`Ctrl-z`), in prompts too.
    Always,
    /// While files load, taken before the panes' own keys (not over an overlay or a passage
    /// being selected): `Esc` stops loading.
    Loading,
}

impl Scope {
    /// Heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Scope::Global => "Everywhere",
            Scope::Library => "Library (reader keys act on the open article)",
            Scope::Reader => "Reader",
            Scope::Help => "Help",
            Scope::Outline => "Outline",
            Scope::Prompt => "Prompts (go to, search, filter)",
            Scope::Results => "Search results",
            Scope::Visual => "Selecting a passage",
            Scope::Note => "Note",
            Scope::Bookmarks => "Bookmarks",
            Scope::Compare => "Compare versions",
            Scope::Lookup => "Looking words up",
            Scope::Words => "Word list",
            Scope::Scripts => "Choosing a script",
            Scope::Always => "Anywhere, before everything",
            Scope::Loading => "While files load",
        }
    }
}

/// A key as written in the table and shown in the help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn key(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key { code: KeyCode::Char(c), ctrl: true }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    /// How the key is written in the help and the status line.
    pub fn label(self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.ctrl { format!("Ctrl-{name}") } else { name }
    }

    fn matches(self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        // Shifted letters arrive as upper-case chars (`G`), with or without SHIFT.
        self.code == event.code && self.ctrl == ctrl
    }
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub scope: Scope,
    pub key: Key,
    pub action: Action,
}

const fn bind(scope: Scope, key: Key, action: Action) -> Binding {
    Binding { scope, key, action }
}

use Scope::{
    Always, Bookmarks, Compare, Global, Help, Library, Loading, Lookup, Note, Outline, Prompt, Reader, Results,
    Scripts, Visual, Words,
};

/// Every key gongbao understands.
pub static BINDINGS: &[Binding] = &[
    // As in a shell: the terminal goes back to it, whatever is open.
    bind(Always, ctrl('z'), Action::Suspend),
    // While files load, Esc stops loading unless something is open to close.
    bind(Loading, code(KeyCode::Esc), Action::StopLoading),
    bind(Global, key('q'), Action::Quit),
    bind(Global, ctrl('c'), Action::Quit),
    bind(Global, key('?'), Action::ToggleHelp),
    bind(Global, code(KeyCode::F(1)), Action::ToggleHelp),
    bind(Global, code(KeyCode::Tab), Action::SwitchFocus),
    bind(Global, key('\\'), Action::ToggleLibrary),
    bind(Global, key('L'), Action::LibraryTop),
    bind(Global, key('s'), Action::ToggleScript),
    bind(Global, key('S'), Action::ChooseScript),
    bind(Scripts, key('j'), Action::Down),
    bind(Scripts, code(KeyCode::Down), Action::Down),
    bind(Scripts, key('k'), Action::Up),
    bind(Scripts, code(KeyCode::Up), Action::Up),
    bind(Scripts, code(KeyCode::Enter), Action::Confirm),
    bind(Scripts, key('1'), Action::PickScript(0)),
    bind(Scripts, key('2'), Action::PickScript(1)),
    bind(Scripts, key('3'), Action::PickScript(2)),
    bind(Scripts, key('4'), Action::PickScript(3)),
    bind(Scripts, key('5'), Action::PickScript(4)),
    bind(Scripts, key('6'), Action::PickScript(5)),
    bind(Scripts, code(KeyCode::Esc), Action::Cancel),
    bind(Scripts, key('q'), Action::Cancel),
    bind(Scripts, key('S'), Action::Cancel),
    bind(Global, key('J'), Action::NextArticle),
    bind(Global, key('K'), Action::PreviousArticle),
    bind(Global, key('/'), Action::SearchPrompt),
    bind(Global, key('n'), Action::NextMatch),
    bind(Global, key('N'), Action::PreviousMatch),
    bind(Global, key('F'), Action::SearchCorpus),
    bind(Global, key('f'), Action::FilterLibrary),
    bind(Global, key('B'), Action::ShowBookmarks),
    bind(Global, key('W'), Action::ShowWords),
    bind(Global, key('M'), Action::ShowMessages),
    bind(Global, key('E'), Action::CycleEncoding),
    // Listed in the help here; while files load, taken before the pane's Esc (see `Loading`).
    bind(Global, code(KeyCode::Esc), Action::StopLoading),
    bind(Global, key('+'), Action::WiderColumn),
    bind(Global, key('-'), Action::NarrowerColumn),
    bind(Global, key('>'), Action::WiderLibrary),
    bind(Global, key('<'), Action::NarrowerLibrary),
    bind(Library, key('j'), Action::Down),
    bind(Library, code(KeyCode::Down), Action::Down),
    bind(Library, key('k'), Action::Up),
    bind(Library, code(KeyCode::Up), Action::Up),
    bind(Library, key('g'), Action::Top),
    bind(Library, code(KeyCode::Home), Action::Top),
    bind(Library, key('G'), Action::Bottom),
    bind(Library, code(KeyCode::End), Action::Bottom),
    // Space and `b` stay the reader's (see `lookup`): reading on from the library is common,
    // paging the list by the same keys would surprise; these keys page the list itself.
    bind(Library, code(KeyCode::PageDown), Action::LibraryPageDown),
    bind(Library, code(KeyCode::PageUp), Action::LibraryPageUp),
    bind(Library, ctrl('d'), Action::LibraryHalfPageDown),
    bind(Library, ctrl('u'), Action::LibraryHalfPageUp),
    bind(Library, code(KeyCode::Enter), Action::Open),
    bind(Library, key('l'), Action::Open),
    bind(Reader, key('j'), Action::Down),
    bind(Reader, code(KeyCode::Down), Action::Down),
    bind(Reader, key('k'), Action::Up),
    bind(Reader, code(KeyCode::Up), Action::Up),
    bind(Reader, key(' '), Action::PageDown),
    bind(Reader, code(KeyCode::PageDown), Action::PageDown),
    bind(Reader, key('b'), Action::PageUp),
    bind(Reader, code(KeyCode::PageUp), Action::PageUp),
    bind(Reader, ctrl('d'), Action::HalfPageDown),
    bind(Reader, ctrl('u'), Action::HalfPageUp),
    bind(Reader, key('g'), Action::Top),
    bind(Reader, code(KeyCode::Home), Action::Top),
    bind(Reader, key('G'), Action::Bottom),
    bind(Reader, code(KeyCode::End), Action::Bottom),
    bind(Reader, key(']'), Action::NextClause),
    bind(Reader, key('['), Action::PreviousClause),
    bind(Reader, key('}'), Action::NextSibling),
    bind(Reader, key('{'), Action::PreviousSibling),
    bind(Reader, key('o'), Action::ToggleOutline),
    bind(Reader, key(':'), Action::GoToPrompt),
    bind(Reader, key('m'), Action::MarkParagraph),
    bind(Reader, key('v'), Action::StartVisual),
    bind(Reader, key('c'), Action::Compare),
    bind(Reader, key('y'), Action::CopyPassage),
    bind(Reader, key('Y'), Action::CopyCitation),
    bind(Reader, key('w'), Action::StartLookup),
    bind(Lookup, key('w'), Action::NextWord),
    bind(Lookup, key('b'), Action::PreviousWord),
    bind(Lookup, key('l'), Action::NextCharacter),
    bind(Lookup, code(KeyCode::Right), Action::NextCharacter),
    bind(Lookup, key('h'), Action::PreviousCharacter),
    bind(Lookup, code(KeyCode::Left), Action::PreviousCharacter),
    bind(Lookup, key('j'), Action::Down),
    bind(Lookup, code(KeyCode::Down), Action::Down),
    bind(Lookup, key('k'), Action::Up),
    bind(Lookup, code(KeyCode::Up), Action::Up),
    bind(Lookup, code(KeyCode::Esc), Action::Cancel),
    bind(Lookup, key('a'), Action::AddWord),
    bind(Lookup, key('v'), Action::SelectText),
    bind(Lookup, code(KeyCode::Enter), Action::LookUpSelection),
    bind(Words, key('j'), Action::Down),
    bind(Words, code(KeyCode::Down), Action::Down),
    bind(Words, key('k'), Action::Up),
    bind(Words, code(KeyCode::Up), Action::Up),
    bind(Words, key('d'), Action::DeleteWord),
    bind(Words, code(KeyCode::Esc), Action::Cancel),
    bind(Words, key('q'), Action::Cancel),
    bind(Words, key('W'), Action::Cancel),
    bind(Words, key(' '), Action::PageDown),
    bind(Words, code(KeyCode::PageDown), Action::PageDown),
    bind(Words, key('b'), Action::PageUp),
    bind(Words, code(KeyCode::PageUp), Action::PageUp),
    bind(Words, ctrl('d'), Action::HalfPageDown),
    bind(Words, ctrl('u'), Action::HalfPageUp),
    bind(Words, key('g'), Action::Top),
    bind(Words, code(KeyCode::Home), Action::Top),
    bind(Words, key('G'), Action::Bottom),
    bind(Words, code(KeyCode::End), Action::Bottom),
    bind(Compare, key('j'), Action::Down),
    bind(Compare, code(KeyCode::Down), Action::Down),
    bind(Compare, key('k'), Action::Up),
    bind(Compare, code(KeyCode::Up), Action::Up),
    bind(Compare, key(' '), Action::PageDown),
    bind(Compare, code(KeyCode::PageDown), Action::PageDown),
    bind(Compare, code(KeyCode::PageUp), Action::PageUp),
    bind(Compare, key('g'), Action::Top),
    bind(Compare, key('G'), Action::Bottom),
    bind(Compare, key('n'), Action::NextMatch),
    bind(Compare, key(']'), Action::NextMatch),
    bind(Compare, key('N'), Action::PreviousMatch),
    bind(Compare, key('['), Action::PreviousMatch),
    bind(Compare, key('s'), Action::ToggleScript),
    bind(Compare, key('c'), Action::Compare),
    bind(Compare, code(KeyCode::Esc), Action::Cancel),
    bind(Compare, key('q'), Action::Cancel),
    bind(Compare, key('b'), Action::PageUp),
    bind(Compare, ctrl('d'), Action::HalfPageDown),
    bind(Compare, ctrl('u'), Action::HalfPageUp),
    bind(Compare, code(KeyCode::Home), Action::Top),
    bind(Compare, code(KeyCode::End), Action::Bottom),
    bind(Reader, code(KeyCode::Esc), Action::ClearHighlights),
    bind(Help, code(KeyCode::Esc), Action::Cancel),
    bind(Help, key('?'), Action::Cancel),
    bind(Help, key('q'), Action::Cancel),
    bind(Help, code(KeyCode::F(1)), Action::Cancel),
    bind(Help, key('j'), Action::Down),
    bind(Help, code(KeyCode::Down), Action::Down),
    bind(Help, key('k'), Action::Up),
    bind(Help, code(KeyCode::Up), Action::Up),
    bind(Help, key(' '), Action::PageDown),
    bind(Help, code(KeyCode::PageDown), Action::PageDown),
    bind(Help, key('b'), Action::PageUp),
    bind(Help, code(KeyCode::PageUp), Action::PageUp),
    bind(Help, ctrl('d'), Action::HalfPageDown),
    bind(Help, ctrl('u'), Action::HalfPageUp),
    bind(Help, key('g'), Action::Top),
    bind(Help, code(KeyCode::Home), Action::Top),
    bind(Help, key('G'), Action::Bottom),
    bind(Help, code(KeyCode::End), Action::Bottom),
    bind(Outline, code(KeyCode::Esc), Action::Cancel),
    bind(Outline, key('o'), Action::Cancel),
    bind(Outline, key('j'), Action::Down),
    bind(Outline, code(KeyCode::Down), Action::Down),
    bind(Outline, key('k'), Action::Up),
    bind(Outline, code(KeyCode::Up), Action::Up),
    bind(Outline, code(KeyCode::Enter), Action::Confirm),
    bind(Outline, key(' '), Action::PageDown),
    bind(Outline, code(KeyCode::PageDown), Action::PageDown),
    bind(Outline, key('b'), Action::PageUp),
    bind(Outline, code(KeyCode::PageUp), Action::PageUp),
    bind(Outline, ctrl('d'), Action::HalfPageDown),
    bind(Outline, ctrl('u'), Action::HalfPageUp),
    bind(Outline, key('g'), Action::Top),
    bind(Outline, code(KeyCode::Home), Action::Top),
    bind(Outline, key('G'), Action::Bottom),
    bind(Outline, code(KeyCode::End), Action::Bottom),
    bind(Prompt, code(KeyCode::Esc), Action::Cancel),
    bind(Prompt, code(KeyCode::Enter), Action::Confirm),
    bind(Prompt, code(KeyCode::Backspace), Action::Backspace),
    // Ctrl-e is readline's end of line; Ctrl-x, for eXact, has no meaning in a prompt.
    bind(Prompt, ctrl('x'), Action::ToggleExact),
    bind(Prompt, code(KeyCode::Left), Action::CursorLeft),
    bind(Prompt, code(KeyCode::Right), Action::CursorRight),
    bind(Prompt, code(KeyCode::Home), Action::LineStart),
    bind(Prompt, ctrl('a'), Action::LineStart),
    bind(Prompt, code(KeyCode::End), Action::LineEnd),
    bind(Prompt, ctrl('e'), Action::LineEnd),
    bind(Prompt, code(KeyCode::Delete), Action::DeleteForward),
    bind(Prompt, ctrl('u'), Action::DeleteToLineStart),
    bind(Prompt, ctrl('w'), Action::DeleteWordBefore),
    bind(Prompt, code(KeyCode::Up), Action::HistoryPrevious),
    bind(Prompt, code(KeyCode::Down), Action::HistoryNext),
    // Ctrl-c quits everywhere else; in a prompt it abandons the prompt, as in a shell.
    bind(Prompt, ctrl('c'), Action::Cancel),
    bind(Visual, key('j'), Action::Down),
    bind(Visual, code(KeyCode::Down), Action::Down),
    bind(Visual, key('k'), Action::Up),
    bind(Visual, code(KeyCode::Up), Action::Up),
    bind(Visual, key('l'), Action::NextSentence),
    bind(Visual, code(KeyCode::Right), Action::NextSentence),
    bind(Visual, key('h'), Action::PreviousSentence),
    bind(Visual, code(KeyCode::Left), Action::PreviousSentence),
    bind(Visual, key('o'), Action::SwapEnds),
    bind(Visual, key('m'), Action::Confirm),
    bind(Visual, code(KeyCode::Enter), Action::Confirm),
    bind(Visual, code(KeyCode::Esc), Action::Cancel),
    bind(Visual, key('v'), Action::Cancel),
    bind(Visual, key('y'), Action::CopyPassage),
    bind(Note, code(KeyCode::Enter), Action::Confirm),
    bind(Note, ctrl('j'), Action::Newline),
    bind(Note, code(KeyCode::Esc), Action::Cancel),
    bind(Note, code(KeyCode::Backspace), Action::Backspace),
    bind(Note, ctrl('c'), Action::Cancel),
    bind(Note, code(KeyCode::Left), Action::CursorLeft),
    bind(Note, code(KeyCode::Right), Action::CursorRight),
    bind(Note, code(KeyCode::Home), Action::LineStart),
    bind(Note, ctrl('a'), Action::LineStart),
    bind(Note, code(KeyCode::End), Action::LineEnd),
    bind(Note, ctrl('e'), Action::LineEnd),
    bind(Note, code(KeyCode::Delete), Action::DeleteForward),
    bind(Note, ctrl('u'), Action::DeleteToLineStart),
    bind(Note, ctrl('w'), Action::DeleteWordBefore),
    bind(Bookmarks, key('j'), Action::Down),
    bind(Bookmarks, code(KeyCode::Down), Action::Down),
    bind(Bookmarks, key('k'), Action::Up),
    bind(Bookmarks, code(KeyCode::Up), Action::Up),
    bind(Bookmarks, key('g'), Action::Top),
    bind(Bookmarks, key('G'), Action::Bottom),
    bind(Bookmarks, code(KeyCode::Enter), Action::Confirm),
    bind(Bookmarks, key('e'), Action::EditNote),
    bind(Bookmarks, key('d'), Action::DeleteBookmark),
    bind(Bookmarks, key('u'), Action::Undo),
    bind(Bookmarks, key('t'), Action::ToggleOrder),
    bind(Bookmarks, key('/'), Action::SearchPrompt),
    bind(Bookmarks, key('a'), Action::Reattach),
    bind(Bookmarks, key('x'), Action::ExportBookmarks),
    bind(Bookmarks, code(KeyCode::Esc), Action::Cancel),
    bind(Bookmarks, key('q'), Action::Cancel),
    bind(Bookmarks, key('B'), Action::Cancel),
    bind(Bookmarks, key(' '), Action::PageDown),
    bind(Bookmarks, code(KeyCode::PageDown), Action::PageDown),
    bind(Bookmarks, key('b'), Action::PageUp),
    bind(Bookmarks, code(KeyCode::PageUp), Action::PageUp),
    bind(Bookmarks, ctrl('d'), Action::HalfPageDown),
    bind(Bookmarks, ctrl('u'), Action::HalfPageUp),
    bind(Bookmarks, code(KeyCode::Home), Action::Top),
    bind(Bookmarks, code(KeyCode::End), Action::Bottom),
    bind(Results, code(KeyCode::Esc), Action::Cancel),
    bind(Results, key('q'), Action::Cancel),
    bind(Results, key('F'), Action::Cancel),
    bind(Results, key('j'), Action::Down),
    bind(Results, code(KeyCode::Down), Action::Down),
    bind(Results, key('k'), Action::Up),
    bind(Results, code(KeyCode::Up), Action::Up),
    bind(Results, code(KeyCode::PageDown), Action::PageDown),
    bind(Results, key(' '), Action::PageDown),
    bind(Results, code(KeyCode::PageUp), Action::PageUp),
    bind(Results, key('g'), Action::Top),
    bind(Results, key('G'), Action::Bottom),
    bind(Results, code(KeyCode::Enter), Action::Confirm),
    bind(Results, key('b'), Action::PageUp),
    bind(Results, ctrl('d'), Action::HalfPageDown),
    bind(Results, ctrl('u'), Action::HalfPageUp),
    bind(Results, code(KeyCode::Home), Action::Top),
    bind(Results, code(KeyCode::End), Action::Bottom),
];

/// What decides what an event does, besides the event: the scope keys are looked up in, and
/// whether files are loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub scope: Scope,
    pub loading: bool,
}

/// The actions for a terminal event: the one place an event becomes actions. Keys go
/// through the table ([`Scope::Always`] first, then [`Scope::Loading`] while files load,
/// then [`lookup`] in the scope), pasted text is typed into an open prompt ([`paste`]), the
/// mouse wheel scrolls and a click selects, and a resize is passed on. Key releases and
/// repeats-as-releases (kitty's protocol) do nothing.
pub fn route(context: Context, event: &Event) -> Vec<Action> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => route_key(context, key).into_iter().collect(),
        // Pasted text is typed into an open prompt, never taken as commands.
        Event::Paste(text) => paste(context.scope, text),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => vec![Action::Wheel(WHEEL_LINES, m.column, m.row)],
            MouseEventKind::ScrollUp => vec![Action::Wheel(-WHEEL_LINES, m.column, m.row)],
            MouseEventKind::Down(_) => vec![Action::Click(m.column, m.row)],
            _ => Vec::new(),
        },
        Event::Resize(w, h) => vec![Action::Resize(*w, *h)],
        _ => Vec::new(),
    }
}

/// Lines one turn of the mouse wheel scrolls.
const WHEEL_LINES: i32 = 3;

/// The action for a key press in `context`.
fn route_key(context: Context, key: &KeyEvent) -> Option<Action> {
    let found = |s: Scope| BINDINGS.iter().find(|b| b.scope == s && b.key.matches(key)).map(|b| b.action);
    found(Scope::Always)
        .or_else(|| {
            // An overlay or a passage being selected closes first; the panes and the look-up
            // cursor give way.
            let before_panes = matches!(context.scope, Scope::Library | Scope::Reader | Scope::Lookup);
            (context.loading && before_panes).then(|| found(Scope::Loading)).flatten()
        })
        .or_else(|| lookup(context.scope, key))
}

/// The action for `event` in `scope` (falling back to the global keys). In
/// the prompt, unbound printable keys are typed.
pub fn lookup(scope: Scope, event: &KeyEvent) -> Option<Action> {
    let found = |s: Scope| BINDINGS.iter().find(|b| b.scope == s && b.key.matches(event)).map(|b| b.action);
    if let Some(action) = found(scope) {
        return Some(action);
    }
    if matches!(scope, Scope::Prompt | Scope::Note) {
        return match event.code {
            KeyCode::Char(c) if !event.modifiers.contains(KeyModifiers::CONTROL) => Some(Action::Input(c)),
            _ => None,
        };
    }
    // Overlays keep their keys to themselves, except quitting.
    if matches!(
        scope,
        Scope::Help
            | Scope::Outline
            | Scope::Results
            | Scope::Bookmarks
            | Scope::Compare
            | Scope::Words
            | Scope::Scripts
    ) {
        return (event.code == KeyCode::Char('c') && event.modifiers.contains(KeyModifiers::CONTROL))
            .then_some(Action::Quit);
    }
    // The library has focus at start-up and after most jumps, while the status line advertises
    // the reader's keys: those the library does not bind itself act on the open article. Esc is
    // the reader's way back to the library, meaningless from there.
    if scope == Scope::Library
        && event.code != KeyCode::Esc
        && let Some(action) = found(Scope::Reader)
    {
        return Some(action);
    }
    found(Scope::Global)
}

/// The actions for text pasted in `scope` (bracketed paste): typed into an open prompt, a
/// line break becoming a new line in a note and nothing in a one-line prompt (where it would
/// submit a half-pasted query). Outside prompts a paste does nothing: pasted text is never
/// taken as commands.
pub fn paste(scope: Scope, text: &str) -> Vec<Action> {
    if !matches!(scope, Scope::Prompt | Scope::Note) {
        return Vec::new();
    }
    // CRLF and a lone CR are one break each; then the text is made display-safe as file text
    // is: a control character becomes its visible placeholder (`␛`) instead of vanishing, a TAB
    // spaces, and invisible characters go.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let (safe, _) = crate::corpus::sanitize::sanitize(text);
    safe.chars()
        .filter_map(|c| match c {
            '\n' => (scope == Scope::Note).then_some(Action::Newline),
            c => Some(Action::Input(c)),
        })
        .collect()
}

/// The keys bound to `action` in `scope` (or globally), for hints.
pub fn keys_for(scope: Scope, action: Action) -> Vec<Key> {
    BINDINGS
        .iter()
        .filter(|b| (b.scope == scope || b.scope == Scope::Global) && b.action == action)
        .map(|b| b.key)
        .collect()
}

/// The scopes the help lists, in its order.
const HELP_SCOPES: [Scope; 10] = [
    Scope::Global,
    Scope::Library,
    Scope::Reader,
    Scope::Lookup,
    Scope::Words,
    Scope::Outline,
    Scope::Results,
    Scope::Prompt,
    Scope::Scripts,
    Scope::Help,
];

/// A line of the help overlay.
#[derive(Debug, Clone, PartialEq)]
pub enum HelpLine {
    /// A scope's heading.
    Title(Scope),
    /// An action bound in the scope, with every key bound to it there.
    Binding { keys: Vec<String>, action: Action },
    /// Script `n` of [`Script::ALL`], under the script picker's bindings: its key and what it is.
    Script(usize),
}

/// The help overlay's lines, from [`BINDINGS`]: the help view draws them and `App::update`
/// counts them for paging, so the two cannot disagree.
pub fn help() -> Vec<HelpLine> {
    let mut lines = Vec::new();
    for scope in HELP_SCOPES {
        lines.push(HelpLine::Title(scope));
        let mut seen: Vec<Action> = Vec::new();
        for b in BINDINGS.iter().filter(|b| b.scope == scope) {
            // The scripts' numbers are listed below with what each script is.
            if seen.contains(&b.action) || matches!(b.action, Action::PickScript(_)) {
                continue;
            }
            seen.push(b.action);
            let keys =
                BINDINGS.iter().filter(|x| x.scope == scope && x.action == b.action).map(|x| x.key.label()).collect();
            lines.push(HelpLine::Binding { keys, action: b.action });
        }
        if scope == Scope::Scripts {
            lines.extend((0..Script::ALL.len()).map(HelpLine::Script));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_has_a_title_per_scope_and_a_line_per_script() {
        let help = help();
        assert_eq!(help.iter().filter(|l| matches!(l, HelpLine::Title(_))).count(), HELP_SCOPES.len());
        let scripts: Vec<usize> =
            help.iter().filter_map(|l| if let HelpLine::Script(n) = l { Some(*n) } else { None }).collect();
        assert_eq!(scripts, (0..Script::ALL.len()).collect::<Vec<_>>());
    }

    /// The rows of the README's key table (the one under "## The reader"): each row's first
    /// column and the whole row.
    fn readme_key_rows() -> Vec<(String, String)> {
        let readme = include_str!("../../README.md");
        let section = readme.split("## The reader").nth(1).expect("a section on the reader");
        section
            .lines()
            .skip_while(|l| !l.starts_with("| keys"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| (l.split('|').nth(1).unwrap_or_default().to_string(), l.to_string()))
            .collect()
    }

    /// The backticked words of `text`.
    fn ticked(text: &str) -> Vec<&str> {
        text.split('`').skip(1).step_by(2).collect()
    }

    #[test]
    fn the_readme_key_table_and_the_bindings_agree() {
        let rows = readme_key_rows();
        assert!(rows.len() > 10, "the README's key table was not found");
        // Every key of the panes and the global keys is in the table.
        for b in BINDINGS.iter().filter(|b| matches!(b.scope, Global | Library | Reader)) {
            let label = b.key.label();
            assert!(
                rows.iter().any(|(_, row)| ticked(row).contains(&label.as_str())),
                "{label} ({:?}, {:?}) is bound but not in the README's key table",
                b.scope,
                b.action
            );
        }
        // Every key the table lists first in a row is bound somewhere.
        for (keys, _) in &rows {
            for label in ticked(keys) {
                assert!(
                    BINDINGS.iter().any(|b| b.key.label() == label),
                    "the README lists {label}, which no binding has"
                );
            }
        }
    }

    fn press(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                assert!(!(a.scope == b.scope && a.key == b.key), "{:?} {} bound twice", a.scope, a.key.label());
            }
        }
    }

    #[test]
    fn every_bound_action_has_a_description() {
        for b in BINDINGS {
            assert!(!b.action.description().is_empty(), "{:?}", b.action);
        }
    }

    #[test]
    fn pane_keys_come_before_global_ones() {
        let j = press(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Reader, &j), Some(Action::Down));
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Reader, &q), Some(Action::Quit));
        assert_eq!(lookup(Scope::Help, &q), Some(Action::Cancel));
    }

    #[test]
    fn the_reader_keys_reach_the_open_article_from_the_library() {
        let plain = |c| press(KeyCode::Char(c), KeyModifiers::NONE);
        for (c, action) in [
            (' ', Action::PageDown),
            ('b', Action::PageUp),
            (']', Action::NextClause),
            ('[', Action::PreviousClause),
            (':', Action::GoToPrompt),
            ('o', Action::ToggleOutline),
            ('m', Action::MarkParagraph),
            ('v', Action::StartVisual),
            ('c', Action::Compare),
        ] {
            assert_eq!(lookup(Scope::Library, &plain(c)), Some(action), "{c:?}");
        }
        // The library's own keys come first; global keys still work.
        assert_eq!(lookup(Scope::Library, &plain('j')), Some(Action::Down));
        assert_eq!(lookup(Scope::Library, &plain('q')), Some(Action::Quit));
        let esc = press(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Library, &esc), Some(Action::StopLoading));
    }

    #[test]
    fn f1_closes_the_help_it_opened_and_ctrl_c_abandons_a_prompt() {
        let f1 = press(KeyCode::F(1), KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Reader, &f1), Some(Action::ToggleHelp));
        assert_eq!(lookup(Scope::Help, &f1), Some(Action::Cancel));
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Scope::Prompt, &ctrl_c), Some(Action::Cancel));
        assert_eq!(lookup(Scope::Note, &ctrl_c), Some(Action::Cancel));
        assert_eq!(lookup(Scope::Reader, &ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn w_puts_a_lookup_cursor_that_then_moves_by_word() {
        let plain = |c| press(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Reader, &plain('w')), Some(Action::StartLookup));
        assert_eq!(lookup(Scope::Library, &plain('w')), Some(Action::StartLookup));
        assert_eq!(lookup(Scope::Lookup, &plain('w')), Some(Action::NextWord));
        assert_eq!(lookup(Scope::Lookup, &plain('b')), Some(Action::PreviousWord));
        assert_eq!(lookup(Scope::Lookup, &plain('h')), Some(Action::PreviousCharacter));
        assert_eq!(lookup(Scope::Lookup, &plain('j')), Some(Action::Down));
        assert_eq!(lookup(Scope::Lookup, &press(KeyCode::Esc, KeyModifiers::NONE)), Some(Action::Cancel));
        // v selects characters and Enter looks the selection up (v in the reader selects a
        // passage to bookmark, where Enter bookmarks it).
        assert_eq!(lookup(Scope::Lookup, &plain('v')), Some(Action::SelectText));
        assert_eq!(lookup(Scope::Lookup, &press(KeyCode::Enter, KeyModifiers::NONE)), Some(Action::LookUpSelection));
        // Global keys still work with the cursor out.
        assert_eq!(lookup(Scope::Lookup, &plain('s')), Some(Action::ToggleScript));
        assert_eq!(lookup(Scope::Lookup, &plain('q')), Some(Action::Quit));
    }

    #[test]
    fn prompts_and_the_note_edit_as_readline_does() {
        let ctrl = |c| press(KeyCode::Char(c), KeyModifiers::CONTROL);
        let plain = |c| press(c, KeyModifiers::NONE);
        for scope in [Scope::Prompt, Scope::Note] {
            for (key, action) in [
                (plain(KeyCode::Left), Action::CursorLeft),
                (plain(KeyCode::Right), Action::CursorRight),
                (plain(KeyCode::Home), Action::LineStart),
                (ctrl('a'), Action::LineStart),
                (plain(KeyCode::End), Action::LineEnd),
                (ctrl('e'), Action::LineEnd),
                (ctrl('u'), Action::DeleteToLineStart),
                (ctrl('w'), Action::DeleteWordBefore),
                (plain(KeyCode::Delete), Action::DeleteForward),
                (plain(KeyCode::Backspace), Action::Backspace),
            ] {
                assert_eq!(lookup(scope, &key), Some(action), "{scope:?} {key:?}");
            }
        }
        assert_eq!(lookup(Scope::Prompt, &plain(KeyCode::Up)), Some(Action::HistoryPrevious));
        assert_eq!(lookup(Scope::Prompt, &plain(KeyCode::Down)), Some(Action::HistoryNext));
        // Exact search moved off readline's Ctrl-e.
        assert_eq!(lookup(Scope::Prompt, &ctrl('x')), Some(Action::ToggleExact));
    }

    #[test]
    fn capital_s_opens_the_script_picker_where_numbers_choose() {
        let plain = |c| press(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Reader, &plain('S')), Some(Action::ChooseScript));
        assert_eq!(lookup(Scope::Library, &plain('S')), Some(Action::ChooseScript));
        for (i, c) in ('1'..='6').enumerate() {
            assert_eq!(lookup(Scope::Scripts, &plain(c)), Some(Action::PickScript(i as u8)));
        }
        assert_eq!(lookup(Scope::Scripts, &plain('q')), Some(Action::Cancel));
        assert_eq!(lookup(Scope::Scripts, &plain('7')), None, "nothing else gets through");
        assert_eq!(lookup(Scope::Scripts, &plain('s')), None);
    }

    /// Issue 19: compare, help, outline, bookmarks (and the results and the word list) move
    /// with the reader's keys.
    #[test]
    fn the_same_motions_everywhere() {
        let motions: Vec<KeyEvent> = [
            KeyCode::Char('j'),
            KeyCode::Down,
            KeyCode::Char('k'),
            KeyCode::Up,
            KeyCode::Char(' '),
            KeyCode::PageDown,
            KeyCode::Char('b'),
            KeyCode::PageUp,
            KeyCode::Char('g'),
            KeyCode::Home,
            KeyCode::Char('G'),
            KeyCode::End,
        ]
        .into_iter()
        .map(|c| press(c, KeyModifiers::NONE))
        .chain(['d', 'u'].map(|c| press(KeyCode::Char(c), KeyModifiers::CONTROL)))
        .collect();
        for scope in [Scope::Help, Scope::Outline, Scope::Bookmarks, Scope::Compare, Scope::Results, Scope::Words] {
            for key in &motions {
                let reader = lookup(Scope::Reader, key);
                assert!(reader.is_some(), "{key:?}");
                assert_eq!(lookup(scope, key), reader, "{scope:?} {key:?}");
            }
        }
    }

    #[test]
    fn the_prompt_types_what_it_does_not_bind() {
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Prompt, &q), Some(Action::Input('q')));
        let han = press(KeyCode::Char('十'), KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Prompt, &han), Some(Action::Input('十')));
    }

    #[test]
    fn control_keys_are_not_plain_keys() {
        let ctrl_d = press(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Scope::Reader, &ctrl_d), Some(Action::HalfPageDown));
        let d = press(KeyCode::Char('d'), KeyModifiers::NONE);
        assert_eq!(lookup(Scope::Reader, &d), None);
    }

    #[test]
    fn shifted_letters_match_their_capitals() {
        let g = press(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Scope::Reader, &g), Some(Action::Bottom));
    }

    #[test]
    fn a_paste_is_typed_into_prompts_and_never_taken_as_commands() {
        assert_eq!(paste(Scope::Reader, "q"), Vec::new());
        assert_eq!(paste(Scope::Library, "jjq"), Vec::new());
        assert_eq!(paste(Scope::Prompt, "各方\nq"), vec![Action::Input('各'), Action::Input('方'), Action::Input('q')]);
        assert_eq!(
            paste(Scope::Note, "a\r\nb\rc"),
            vec![Action::Input('a'), Action::Newline, Action::Input('b'), Action::Newline, Action::Input('c')]
        );
    }

    /// Issue 22: control characters in a paste used to vanish; the policy is a placeholder.
    #[test]
    fn a_pasted_control_character_becomes_its_visible_placeholder() {
        let typed: String = paste(Scope::Note, "a\u{1b}[31mb\u{7}\u{202e}c")
            .into_iter()
            .map(|a| match a {
                Action::Input(c) => c,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(typed, "a␛[31mb␇c");
    }

    fn routed(scope: Scope, loading: bool, event: &Event) -> Vec<Action> {
        route(Context { scope, loading }, event)
    }

    fn key_event(c: KeyCode, m: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(c, m))
    }

    /// Every scope a key can be looked up in.
    const SCOPES: [Scope; 14] = [
        Scope::Global,
        Scope::Library,
        Scope::Reader,
        Scope::Help,
        Scope::Outline,
        Scope::Prompt,
        Scope::Results,
        Scope::Visual,
        Scope::Note,
        Scope::Bookmarks,
        Scope::Compare,
        Scope::Lookup,
        Scope::Words,
        Scope::Scripts,
    ];

    #[test]
    fn ctrl_z_suspends_from_every_scope_prompts_included() {
        let ctrl_z = key_event(KeyCode::Char('z'), KeyModifiers::CONTROL);
        for scope in SCOPES {
            for loading in [false, true] {
                assert_eq!(routed(scope, loading, &ctrl_z), [Action::Suspend], "{scope:?}");
            }
        }
        // A plain z is still typed in a prompt.
        let z = key_event(KeyCode::Char('z'), KeyModifiers::NONE);
        assert_eq!(routed(Scope::Prompt, false, &z), [Action::Input('z')]);
    }

    #[test]
    fn esc_while_loading_stops_it_unless_an_overlay_or_a_selection_is_open() {
        let esc = key_event(KeyCode::Esc, KeyModifiers::NONE);
        // The panes and the look-up cursor give Esc to loading.
        for scope in [Scope::Library, Scope::Reader, Scope::Lookup] {
            assert_eq!(routed(scope, true, &esc), [Action::StopLoading], "{scope:?}");
        }
        // What is open closes first.
        for scope in [Scope::Visual, Scope::Help, Scope::Prompt, Scope::Note, Scope::Bookmarks, Scope::Compare] {
            assert_eq!(routed(scope, true, &esc), [Action::Cancel], "{scope:?}");
        }
        // Not loading: the pane's own Esc.
        assert_eq!(routed(Scope::Reader, false, &esc), [Action::ClearHighlights]);
        assert_eq!(routed(Scope::Lookup, false, &esc), [Action::Cancel]);
        // Other keys while loading are the scope's.
        let j = key_event(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(routed(Scope::Reader, true, &j), [Action::Down]);
    }

    #[test]
    fn the_wheel_scrolls_and_a_click_selects_where_the_pointer_is() {
        use crossterm::event::{MouseButton, MouseEvent};
        let mouse = |kind| Event::Mouse(MouseEvent { kind, column: 7, row: 3, modifiers: KeyModifiers::NONE });
        for scope in SCOPES {
            assert_eq!(routed(scope, false, &mouse(MouseEventKind::ScrollDown)), [Action::Wheel(3, 7, 3)]);
            assert_eq!(routed(scope, true, &mouse(MouseEventKind::ScrollUp)), [Action::Wheel(-3, 7, 3)]);
            assert_eq!(routed(scope, false, &mouse(MouseEventKind::Down(MouseButton::Left))), [Action::Click(7, 3)]);
            assert!(routed(scope, false, &mouse(MouseEventKind::Moved)).is_empty());
            assert!(routed(scope, false, &mouse(MouseEventKind::Up(MouseButton::Left))).is_empty());
        }
    }

    #[test]
    fn key_releases_do_nothing_and_resizes_and_pastes_are_passed_on() {
        let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert!(routed(Scope::Reader, false, &Event::Key(release)).is_empty());
        let q = key_event(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(routed(Scope::Reader, false, &q), [Action::Quit]);
        assert_eq!(routed(Scope::Help, false, &Event::Resize(90, 20)), [Action::Resize(90, 20)]);
        let pasted = Event::Paste("q".into());
        assert_eq!(routed(Scope::Prompt, false, &pasted), [Action::Input('q')]);
        assert!(routed(Scope::Reader, false, &pasted).is_empty(), "never taken as commands");
        assert!(routed(Scope::Reader, false, &Event::FocusGained).is_empty());
    }
}

//! Views: pure functions of the [`App`] state drawn into a ratatui frame.
//!
//! The layout of the screen is a pure function of its size ([`areas`], in
//! [`crate::app::screen`]), used by `App::update` too for page sizes and clicks,
//! so the views draw where the app thinks they are. Panes are drawn first, the
//! status line next, the open overlay last, on a cleared area. Every string
//! shown comes from the corpus, which sanitised it once after decoding, so no
//! control character reaches the terminal from here.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line as TextLine, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use crate::app::keymap::{self, BINDINGS, HelpLine, Scope};
use crate::app::screen::{areas, centered, help_rect};
use crate::app::{
    Action, App, HighlightKind, LibraryRow, LineKind, MIN_HEIGHT, MIN_WIDTH, Overlay, PromptKind, ResultRow,
};
use crate::convert::Script;
use crate::corpus::{ArticleKind, NoteKind, ParagraphKind};
use crate::wrap;

/// Drawn instead of a grapheme wider than the text column (TST-01). One column wide under
/// either ambiguous-width setting.
pub const TOO_WIDE: &str = "▯";

/// Draws the whole app.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let notice = Paragraph::new("terminal too small").style(Style::new().add_modifier(Modifier::BOLD));
        frame.render_widget(notice, area);
        return;
    }
    let areas = areas((area.width, area.height), app.library_pane(), app.settings.library_share);
    if areas.library.width > 0 {
        render_library(app, frame, areas.library);
    }
    if areas.reader.width > 0 {
        render_reader(app, frame, areas.reader);
    }
    render_status(app, frame, areas.status);
    match &app.overlay {
        Overlay::None => render_lookup(app, frame),
        Overlay::Help { scroll } => render_help(app, frame, area, *scroll),
        Overlay::Outline { selected } => render_outline(app, frame, areas.reader, *selected),
        Overlay::Prompt { kind, input, .. } => {
            if *kind == PromptKind::BookmarkFilter {
                render_bookmarks(app, frame, area, 0);
            }
            render_prompt(app, frame, areas.status, *kind, input);
        }
        Overlay::Note { target, input } => render_note(app, frame, area, target, input),
        Overlay::Bookmarks { selected } => render_bookmarks(app, frame, area, *selected),
        Overlay::Words { selected } => render_words(app, frame, area, *selected),
        Overlay::Messages { scroll } => render_messages(app, frame, area, *scroll),
        Overlay::Scripts { selected } => render_scripts(app, frame, area, *selected),
        Overlay::Compare { other } => {
            let main = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
            let place = app.compare.place;
            render_compare(app, frame, main, *other, place.top, place.difference);
        }
        Overlay::Results { selected } => render_results(app, frame, area, *selected),
    }
}

/// The encoding of source `s` as shown: `GBK?` when detection guessed, `Big5 (set)` when the
/// reader chose it with `E`.
fn encoding_label(app: &App, s: usize) -> String {
    let Some(src) = app.corpus.sources.get(s) else { return String::new() };
    if app.chosen_encoding(s).is_some() {
        format!("{} (set)", src.encoding)
    } else if src.guessed {
        format!("{}?", src.encoding)
    } else {
        src.encoding.clone()
    }
}

/// A file name made display-safe: names come from the file system, not through the text
/// sanitiser, and may hold escapes, line breaks or bidi overrides (ESC-06).
fn safe(name: &str) -> String {
    crate::corpus::sanitize::display_name(name)
}

fn color(app: &App, c: Color) -> Style {
    if app.settings.color { Style::new().fg(c) } else { Style::new() }
}

fn convert(app: &App, text: &str) -> String {
    app.converter.shown(text, app.settings.script)
}

/// `text` cut to `width` columns, ending in `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if wrap::display_width(text, wrap::AmbiguousWidth::Narrow) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in unicode_segmentation::UnicodeSegmentation::graphemes(text, true) {
        let w = wrap::grapheme_width(g, wrap::AmbiguousWidth::Narrow);
        if used + w + 1 > width {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

fn title_or_fallback(app: &App, i: usize) -> (String, bool) {
    let title = convert(app, &app.library_title(i));
    if app.corpus.articles[i].title.is_some() { (title, false) } else { (format!("{title}…"), true) }
}

/// Whether the library has the keys: focused, and no overlay or mode has them instead.
fn library_focused(app: &App) -> bool {
    app.scope() == Scope::Library
}

fn render_library(app: &App, frame: &mut Frame, area: Rect) {
    let focused = library_focused(app);
    // The focus shows without colour too (NO_COLOR, or a terminal that dims badly): the
    // divider is heavy and bold beside the focused library, thin and dim beside the focused
    // reader, and the selection is reversed only while the library has the keys.
    let block = if focused {
        Block::new()
            .borders(Borders::RIGHT)
            .border_type(BorderType::Thick)
            .border_style(color(app, Color::Cyan).add_modifier(Modifier::BOLD))
    } else {
        Block::new().borders(Borders::RIGHT).border_style(Style::new().add_modifier(Modifier::DIM))
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = &app.library.rows;
    let offset = app.library_offset(usize::from(inner.height));
    let mut lines = Vec::new();
    for row in rows.iter().skip(offset).take(usize::from(inner.height)) {
        lines.push(match *row {
            LibraryRow::Source(s) => {
                // A long name gives way to the encoding, which says how the text was read.
                let encoding = format!(" {}", encoding_label(app, s));
                let room = usize::from(inner.width)
                    .saturating_sub(wrap::display_width(&encoding, wrap::AmbiguousWidth::Narrow));
                let name = fit(&safe(&app.source_label(s)), room);
                TextLine::from(Span::styled(format!("{name}{encoding}"), Style::new().add_modifier(Modifier::DIM)))
            }
            LibraryRow::Article(i) => {
                let a = &app.corpus.articles[i];
                let (title, fallback) = title_or_fallback(app, i);
                let mut badges = String::new();
                if a.kind == ArticleKind::Excerpt {
                    badges.push_str(" 摘");
                }
                if !a.clauses.is_empty() {
                    badges.push_str(" §");
                    badges.push_str(&a.clauses.len().to_string());
                }
                if a.notes.iter().any(|n| n.kind == NoteKind::Garbled) {
                    badges.push_str(" ⚠");
                }
                if a.notes.iter().any(|n| matches!(n.kind, NoteKind::ContinuesOn | NoteKind::ContinuedFrom)) {
                    badges.push_str(" ↪");
                }
                if app.versions.get(i).is_some_and(|v| !v.is_empty()) {
                    badges.push_str(" ⇄");
                }
                let mut style = if fallback { Style::new().add_modifier(Modifier::DIM) } else { Style::new() };
                if i == app.selected {
                    style = style.add_modifier(if focused { Modifier::REVERSED } else { Modifier::UNDERLINED });
                }
                let marker = if i == app.reader.open { "▸" } else { " " };
                // The title gives way to the badges, which say more per column.
                let room = usize::from(inner.width)
                    .saturating_sub(1 + wrap::display_width(&badges, wrap::AmbiguousWidth::Narrow));
                let title = fit(&title, room);
                TextLine::from(vec![
                    Span::raw(marker),
                    Span::styled(title, style),
                    Span::styled(badges, color(app, Color::Yellow)),
                ])
            }
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn line_style(app: &App, kind: LineKind) -> Style {
    match kind {
        LineKind::Title => Style::new().add_modifier(Modifier::BOLD),
        LineKind::Subtitle => Style::new().add_modifier(Modifier::ITALIC),
        LineKind::Meta => Style::new().add_modifier(Modifier::DIM),
        LineKind::Blank => Style::new(),
        LineKind::Paragraph(p) => match p {
            ParagraphKind::Body => Style::new(),
            ParagraphKind::Heading => Style::new().add_modifier(Modifier::BOLD),
            ParagraphKind::Dateline => color(app, Color::Cyan),
            ParagraphKind::Caption => Style::new().add_modifier(Modifier::ITALIC | Modifier::DIM),
            ParagraphKind::Signature | ParagraphKind::End => Style::new().add_modifier(Modifier::DIM),
        },
    }
}

/// The text column of the reader pane `area`: its left edge and width (centred in the pane).
fn text_column(app: &App, area: Rect) -> (u16, u16) {
    let width = app.reader.layout.width.min(area.width);
    (area.x + (area.width - width) / 2, width)
}

fn render_reader(app: &App, frame: &mut Frame, area: Rect) {
    let layout = &app.reader.layout;
    let (left, width) = text_column(app, area);
    let height = usize::from(area.height);
    let garbled_shown = app.settings.script == Script::Original;
    let article = app.article();
    let marked = app.bookmarked_paragraphs();
    let bar = color(app, Color::Magenta);
    for (y, line) in layout.lines.iter().skip(app.reader.top).take(height).enumerate() {
        // Bookmarked paragraphs get a bar in the margin left of the text (the text column
        // always leaves at least one column free there).
        if let Some(p) = line.paragraph
            && marked.binary_search(&p).is_ok()
            && left > area.x
        {
            let x = left.saturating_sub(2).max(area.x);
            frame.render_widget(Paragraph::new(Span::styled("▍", bar)), Rect::new(x, area.y + y as u16, 1, 1));
        }
        let text = &layout.texts[line.text];
        // A grapheme wider than the whole column (a hanzi at width 1) gets a row of its own
        // that ratatui would silently leave empty: a placeholder shows something is there.
        if usize::from(line.row.width) > usize::from(width) {
            let rect = Rect::new(left, area.y + y as u16, width, 1);
            frame.render_widget(Paragraph::new(TOO_WIDE), rect);
            continue;
        }
        let row = text.get(line.row.start..line.row.end).unwrap_or("");
        let row = row.trim_start_matches(' ');
        let style = line_style(app, line.kind);
        let offset = line.row.end - row.len();
        let mut marks: Vec<(std::ops::Range<usize>, Style)> = Vec::new();
        // Search matches first: where they overlap a garbled span, the match wins.
        let found = app.reader.highlights.partition_point(|h| h.text < line.text);
        for h in app.reader.highlights[found..].iter().take_while(|h| h.text == line.text) {
            marks.push((h.range.clone(), highlight_style(app, h.kind)));
        }
        // Garbled spans are byte ranges of the original text: marked in the original script only.
        if garbled_shown && let Some(p) = line.paragraph.and_then(|p| article.and_then(|a| a.paragraphs.get(p))) {
            let bad = color(app, Color::Red).add_modifier(Modifier::UNDERLINED);
            marks.extend(p.garbled.iter().map(|r| (r.clone(), bad)));
        }
        marks.sort_by_key(|(r, _)| r.start);
        let spans = styled_spans(row, offset, &marks, style);
        let rect = Rect::new(left, area.y + y as u16, width, 1);
        frame.render_widget(Paragraph::new(TextLine::from(spans)), rect);
    }
}

fn highlight_style(app: &App, kind: HighlightKind) -> Style {
    match kind {
        HighlightKind::Match => match_style(app, false),
        HighlightKind::CurrentMatch => match_style(app, true),
        HighlightKind::Selection if app.settings.color => Style::new().bg(Color::Blue).fg(Color::White),
        HighlightKind::Selection => Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
        HighlightKind::Word if app.settings.color => Style::new().fg(Color::Black).bg(Color::Green),
        HighlightKind::Word => Style::new().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED),
    }
}

fn match_style(app: &App, current: bool) -> Style {
    match (app.settings.color, current) {
        (true, true) => Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD),
        (true, false) => Style::new().fg(Color::Black).bg(Color::Cyan),
        (false, true) => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        (false, false) => Style::new().add_modifier(Modifier::REVERSED),
    }
}

/// `row` (which starts at byte `offset` of its text) cut into spans: the parts inside `marks`
/// (byte ranges of the whole text, sorted by start) in their style, the rest in `style`. Where
/// marks overlap, the earlier one keeps the overlap.
fn styled_spans(
    row: &str,
    offset: usize,
    marks: &[(std::ops::Range<usize>, Style)],
    style: Style,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut at = 0;
    for (r, mark) in marks {
        let (s, e) = (r.start.saturating_sub(offset).min(row.len()), r.end.saturating_sub(offset).min(row.len()));
        let s = s.max(at);
        if e <= s || !row.is_char_boundary(s) || !row.is_char_boundary(e) {
            continue;
        }
        if s > at {
            spans.push(Span::styled(row[at..s].to_string(), style));
        }
        spans.push(Span::styled(row[s..e].to_string(), *mark));
        at = e;
    }
    if at < row.len() || spans.is_empty() {
        spans.push(Span::styled(row[at..].to_string(), style));
    }
    spans
}

fn hint(scope: Scope, action: Action) -> String {
    keymap::keys_for(scope, action).first().map_or(String::new(), |k| k.label())
}

fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let mut parts = Vec::new();
    let mut file = None;
    // Modes (COMPARE, LOOK UP, SELECT, loading) lead the line, before the file name.
    let mut modes = 0;
    if let Some(a) = app.article() {
        // A message needs the room more than the file name, which the library shows anyway.
        if app.status.is_none() && a.source_index < app.corpus.sources.len() {
            let name = safe(&app.source_label(a.source_index));
            file = Some(format!("{name} {}", encoding_label(app, a.source_index)));
        }
        parts.push(format!("{}/{}", app.reader.open + 1, app.corpus.articles.len()));
        // The compare view scrolls on its own: the reader's clause would be stale there.
        if !a.clauses.is_empty() && app.compare_position().is_none() {
            let current = app
                .current_clause()
                .map_or("–".to_string(), |i| a.clauses[i].label.trim_end_matches('、').to_string());
            parts.push(format!("{current} / {}", a.clauses.len()));
        }
    }
    if let Some((current, total)) = app.match_position() {
        let at = current.map_or("–".to_string(), |c| (c + 1).to_string());
        parts.push(format!("match {at}/{total}"));
    }
    if !app.library.filter.is_empty() {
        parts.push(format!("filter {}", app.library.filter));
    }
    if app.visual.is_some() {
        parts.insert(0, "SELECT".into());
        modes += 1;
    }
    if app.lookup.is_some() {
        parts.insert(0, "LOOK UP".into());
        modes += 1;
    }
    if let (Some(progress), Some(ratio)) = (app.progress(), app.progress_ratio()) {
        // A bar of ten cells, then the figures.
        let filled = ((ratio * 10.0).round() as usize).min(10);
        parts.insert(0, format!("{}{} {progress}", "█".repeat(filled), "░".repeat(10 - filled)));
        modes += 1;
    }
    if let Some((current, total)) = app.compare_position() {
        let at = current.map_or("–".to_string(), |c| (c + 1).to_string());
        parts.insert(0, format!("COMPARE difference {at}/{total}"));
        modes += 1;
    }
    parts.push(app.settings.script.label().to_string());
    parts.push(format!("{}%", app.compare_percent().unwrap_or_else(|| app.percent())));
    // The file name goes first when the line is too narrow: clause, script and position are
    // what the reader shows nowhere else.
    if let Some(file) = file {
        let all = wrap::display_width(&format!("{file} │ {}", parts.join(" │ ")), wrap::AmbiguousWidth::Narrow);
        if all <= usize::from(area.width) {
            parts.insert(modes, file);
        }
    }
    // A message (an error, "last clause") goes first; the position stays visible.
    let left = match &app.status {
        // Messages quote file names and errors: made display-safe here, whoever wrote them.
        Some(m) => format!("{} │ {}", safe(m), parts.join(" │ ")),
        None => parts.join(" │ "),
    };
    // Key hints in a fixed order, as many as fit beside the position, the most needed first.
    let candidates = [
        (0, format!("{} help", hint(Scope::Global, Action::ToggleHelp))),
        (4, format!("{} quit", hint(Scope::Global, Action::Quit))),
        (1, format!("{} search", hint(Scope::Global, Action::SearchPrompt))),
        (2, format!("{} script", hint(Scope::Global, Action::ToggleScript))),
        (3, format!("{} clause", hint(Scope::Reader, Action::NextClause))),
    ];
    let mut room = usize::from(area.width).saturating_sub(wrap::display_width(&left, wrap::AmbiguousWidth::Narrow) + 1);
    let mut shown: Vec<&(i32, String)> = Vec::new();
    for c in &candidates {
        let need = c.1.len() + 2;
        if need <= room {
            room -= need;
            shown.push(c);
        }
    }
    shown.sort_by_key(|c| c.0);
    let hints = shown.iter().map(|c| c.1.as_str()).collect::<Vec<_>>().join("  ");
    let style = Style::new().add_modifier(Modifier::REVERSED);
    let line = TextLine::from(vec![
        Span::styled(left, style),
        Span::raw(" "),
        Span::styled(hints, Style::new().add_modifier(Modifier::DIM)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// Clears `rect` for an overlay. A wide character just left of it has its second half under
/// the overlay, where it would hide the left border: ratatui does not send a cell a wide
/// character covers, and the terminal draws the character over it. Such a character is
/// blanked too. (One cut by the right edge is cleared with the rect: its first half is inside.)
fn clear_under(frame: &mut Frame, rect: Rect) {
    frame.render_widget(Clear, rect);
    let Some(left) = rect.x.checked_sub(1) else { return };
    let bottom = rect.bottom().min(frame.buffer_mut().area.bottom());
    for y in rect.top()..bottom {
        if unicode_width::UnicodeWidthStr::width(frame.buffer_mut()[(left, y)].symbol()) > 1 {
            frame.render_widget(Clear, Rect::new(left, y, 1, 1));
        }
    }
}

fn render_help(app: &App, frame: &mut Frame, area: Rect, scroll: u16) {
    let lines = help_lines(app);
    let rect = help_rect(area);
    clear_under(frame, rect);
    let block = Block::bordered().title(" keys (Esc closes) ");
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
}

/// Every binding by scope, for the help.
fn help_lines(app: &App) -> Vec<TextLine<'static>> {
    let scripts = script_lines(app, None);
    keymap::help()
        .into_iter()
        .map(|line| match line {
            HelpLine::Title(scope) => {
                TextLine::from(Span::styled(scope.title(), Style::new().add_modifier(Modifier::BOLD)))
            }
            HelpLine::Binding { keys, action } => TextLine::from(vec![
                Span::styled(format!("  {:<14}", keys.join(" ")), color(app, Color::Cyan)),
                Span::raw(action.description()),
            ]),
            HelpLine::Script(n) => scripts.get(n).cloned().unwrap_or_default(),
        })
        .collect()
}

/// One line per script: its key in the picker, its name, what it is; `selected` reversed, the
/// script shown marked.
fn script_lines(app: &App, selected: Option<usize>) -> Vec<TextLine<'static>> {
    Script::ALL
        .iter()
        .enumerate()
        .map(|(i, &script)| {
            let key = BINDINGS
                .iter()
                .find(|b| b.scope == Scope::Scripts && b.action == Action::PickScript(i as u8))
                .map_or(String::new(), |b| b.key.label());
            let shown = if script == app.settings.script { "•" } else { " " };
            let style = if selected == Some(i) { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
            // Names are padded by display width: 臺灣用語 is four Han characters, 原文 two.
            let name = script.label();
            let pad = 8usize.saturating_sub(wrap::display_width(name, wrap::AmbiguousWidth::Narrow));
            TextLine::from(vec![
                Span::styled(format!("  {key:<3}"), color(app, Color::Cyan)),
                Span::styled(format!("{shown}{name}{} {}", " ".repeat(pad), script.about()), style),
            ])
        })
        .collect()
}

/// The script picker (`S`).
fn render_scripts(app: &App, frame: &mut Frame, area: Rect, selected: usize) {
    let lines = script_lines(app, Some(selected));
    let rect = centered(area, 56, lines.len() as u16 + 2);
    clear_under(frame, rect);
    let block = Block::bordered().title(" script · Enter or number chooses · Esc closes ");
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn render_outline(app: &App, frame: &mut Frame, area: Rect, selected: usize) {
    let entries = app.outline();
    let rect = centered(area, 40, area.height.saturating_sub(2).max(3));
    clear_under(frame, rect);
    let block = Block::bordered().title(" outline ");
    let inner_height = usize::from(rect.height.saturating_sub(2));
    let offset = selected.saturating_sub(inner_height.saturating_sub(1) / 2);
    let lines: Vec<TextLine> = if entries.is_empty() {
        vec![TextLine::from("no clauses or headings")]
    } else {
        entries
            .iter()
            .enumerate()
            .skip(offset)
            .take(inner_height)
            .map(|(i, e)| {
                let indent = "  ".repeat(usize::from(e.level.saturating_sub(1)));
                let mark = if e.stray { "*" } else { "" };
                let mut style = Style::new();
                if i == selected {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                TextLine::from(Span::styled(format!("{indent}{}{mark} {}", e.label, convert(app, &e.text)), style))
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn render_prompt(app: &App, frame: &mut Frame, area: Rect, kind: PromptKind, edit: &crate::app::edit::Edit) {
    clear_under(frame, area);
    let input = edit.text();
    let exact = if app.search.exact {
        format!(" (exact, {}: any script)", hint(Scope::Prompt, Action::ToggleExact))
    } else {
        String::new()
    };
    let (label, info) = match kind {
        PromptKind::GoTo => ("go to clause: ".to_string(), String::new()),
        PromptKind::Search { corpus, .. } => {
            let label = if corpus { format!("search all{exact}: ") } else { format!("/{exact} ") };
            let info = match (corpus, app.match_position()) {
                (true, _) => "Enter lists every match".to_string(),
                (false, Some((current, total))) => {
                    format!("match {}/{total}", current.map_or("–".to_string(), |c| (c + 1).to_string()))
                }
                (false, None) if input.trim().is_empty() => "type to search; Enter keeps it, Esc goes back".into(),
                (false, None) => "no match in this article (Enter: look elsewhere)".into(),
            };
            (label, info)
        }
        PromptKind::BookmarkFilter => {
            let shown = app.bookmark_rows().len();
            ("filter bookmarks: ".to_string(), format!("{shown} of {}", app.bookmarks.store.bookmarks().len()))
        }
        PromptKind::Filter => {
            let shown = app.visible_articles().len();
            ("filter titles: ".to_string(), format!("{shown} of {} articles", app.corpus.articles.len()))
        }
    };
    let text = format!("{label}{input}");
    let width = wrap::display_width(&text[..label.len() + edit.cursor()], wrap::AmbiguousWidth::Narrow);
    let line = TextLine::from(vec![
        Span::raw(text),
        Span::styled(format!("   {info}"), Style::new().add_modifier(Modifier::DIM)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    // The cursor goes after the text before it, at its display width (Han characters are two
    // columns).
    frame.set_cursor_position((area.x + (width as u16).min(area.width.saturating_sub(1)), area.y));
}

fn render_results(app: &App, frame: &mut Frame, area: Rect, selected: usize) {
    let rect = centered(area, area.width.saturating_sub(4).clamp(20, 100), area.height.saturating_sub(2).max(3));
    clear_under(frame, rect);
    let matches = app.search.results.iter().filter(|r| matches!(r, ResultRow::Match(_))).count();
    let articles = app.search.results.iter().filter(|r| matches!(r, ResultRow::Article { .. })).count();
    let query = app.search.active.as_ref().map_or("", |s| s.query.text.as_str());
    let title = format!(" {query}: {matches} match(es) in {articles} article(s) · Enter opens · Esc closes ");
    let block = Block::bordered().title(title);
    let inner_height = usize::from(rect.height.saturating_sub(2));
    let offset = selected.saturating_sub(inner_height.saturating_sub(1) / 2);
    let script = app.settings.script;
    let lines: Vec<TextLine> = app
        .search
        .results
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_height)
        .map(|(i, row)| {
            let chosen = if i == selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
            match row {
                ResultRow::Source(s) => TextLine::from(Span::styled(
                    safe(&app.corpus.sources[*s].name),
                    Style::new().add_modifier(Modifier::DIM),
                )),
                ResultRow::Article { article, count } => TextLine::from(vec![
                    Span::styled(
                        format!(" {}", convert(app, &app.library_title(*article))),
                        chosen.add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(format!("  {count}"), color(app, Color::Yellow)),
                ]),
                ResultRow::Match(m) => {
                    let c =
                        crate::search::context(&app.corpus, m, crate::search::CONTEXT_CHARS, &app.converter, script);
                    let clause = crate::search::clause_label(&app.corpus, m.article, m.paragraph).unwrap_or("");
                    // Labels padded by display width (Han characters are two columns), so the
                    // context lines start in one column.
                    let pad = 10usize.saturating_sub(wrap::display_width(clause, wrap::AmbiguousWidth::Narrow));
                    TextLine::from(vec![
                        Span::styled(format!("   {clause}{}", " ".repeat(pad)), color(app, Color::Cyan)),
                        Span::styled(format!("{}{}", if c.more_before { "…" } else { "" }, c.before), chosen),
                        Span::styled(c.matched, match_style(app, true)),
                        Span::styled(format!("{}{}", c.after, if c.more_after { "…" } else { "" }), chosen),
                    ])
                }
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn render_note(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    target: &crate::app::bookmarks::NoteTarget,
    edit: &crate::app::edit::Edit,
) {
    let width = area.width.saturating_sub(4).clamp(20, 72);
    let rect = centered(area, width, area.height.saturating_sub(4).clamp(3, 14));
    clear_under(frame, rect);
    let what = match target {
        crate::app::bookmarks::NoteTarget::New(_) => "note for the new bookmark",
        crate::app::bookmarks::NoteTarget::Edit(_) => "edit the note",
    };
    let block = Block::bordered().title(format!(" {what} · Enter saves · Ctrl-j new line · Esc cancels "));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    // Wrapped like the reader wraps text, so the cursor lands where the reader would put that
    // character: on the row holding it, after the text before it on that row.
    let input = edit.text();
    let mut rows: Vec<String> = Vec::new();
    let mut cursor = (0, 0);
    let mut line_start = 0;
    for line in input.split('\n') {
        let wrapped = wrap::wrap(line, inner.width.saturating_sub(1).max(1), app.settings.ambiguous);
        let at = edit.cursor().checked_sub(line_start).filter(|&at| at <= line.len());
        if let Some(at) = at {
            // The last row starting at or before the cursor holds it.
            let row = wrapped.iter().rposition(|r| r.start <= at);
            let before = row.map_or("", |i| line.get(wrapped[i].start..at).unwrap_or(""));
            cursor = (rows.len() + row.unwrap_or(0), wrap::display_width(before.trim_start(), app.settings.ambiguous));
        }
        if wrapped.is_empty() {
            rows.push(String::new());
        }
        rows.extend(wrapped.iter().map(|r| r.visible(line).to_string()));
        line_start += line.len() + 1;
    }
    // The rows in view end with the last, unless the cursor is above them.
    let height = usize::from(inner.height);
    let skip = rows.len().saturating_sub(height).min(cursor.0);
    let shown: Vec<TextLine> = rows.iter().skip(skip).take(height).map(|r| TextLine::from(r.clone())).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    if inner.width > 0 && inner.height > 0 {
        let (row, x) = cursor;
        let y = inner.y + (row - skip) as u16;
        frame.set_cursor_position((inner.x + (x as u16).min(inner.width - 1), y.min(inner.y + inner.height - 1)));
    }
}

fn render_bookmarks(app: &App, frame: &mut Frame, area: Rect, selected: usize) {
    let rect = centered(area, area.width.saturating_sub(4).clamp(20, 100), area.height.saturating_sub(2).max(3));
    clear_under(frame, rect);
    let rows = app.bookmark_rows();
    let order = match app.bookmarks.order {
        crate::app::bookmarks::Order::NewestFirst => "newest first",
        crate::app::bookmarks::Order::ByArticle => "by article",
    };
    let title = format!(
        " {} bookmark(s), {order} · Enter opens · e note · d delete · u undo · / filter · x export · t order ",
        rows.len()
    );
    let block = Block::bordered().title(title);
    let inner_height = usize::from(rect.height.saturating_sub(2));
    // Two lines per bookmark: where and what, then the note.
    let per_page = (inner_height / 2).max(1);
    let offset = selected.saturating_sub(per_page.saturating_sub(1) / 2);
    let mut lines: Vec<TextLine> = Vec::new();
    for (i, b) in rows.iter().enumerate().skip(offset).take(per_page) {
        let chosen = if i == selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        let found = app.bookmark_found(&b.id);
        // From bookmarks.json, which may have been edited by hand: made display-safe here.
        let safe = |t: &str| crate::corpus::sanitize::sanitize(t).0;
        let title = b.article.title.as_deref().map_or_else(|| "(untitled)".to_string(), |t| convert(app, &safe(t)));
        let clause = safe(b.clause.as_deref().unwrap_or(""));
        let words = crate::app::bookmarks::first_words(&convert(app, &safe(&b.quote.text)));
        lines.push(TextLine::from(vec![
            Span::styled(if found { " " } else { "?" }, color(app, Color::Red)),
            Span::styled(title, chosen.add_modifier(Modifier::BOLD)),
            Span::styled(format!(" {clause} "), color(app, Color::Cyan)),
            Span::styled(words, chosen),
        ]));
        let note = safe(b.note.lines().next().unwrap_or_default());
        let more = if b.note.lines().count() > 1 { " …" } else { "" };
        let status = if found { String::new() } else { " (not found in the loaded files: a re-attaches)".to_string() };
        lines.push(TextLine::from(Span::styled(
            format!("   {note}{more}{status}"),
            Style::new().add_modifier(Modifier::DIM),
        )));
    }
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn render_compare(app: &App, frame: &mut Frame, area: Rect, other: usize, top: usize, difference: Option<usize>) {
    clear_under(frame, area);
    if area.height < 2 || area.width < 7 {
        return;
    }
    let layout = &app.compare;
    let column = layout.column.min(area.width.saturating_sub(3) / 2).max(1);
    let (lx, sx, rx) = (area.x, area.x + column + 1, area.x + column + 2);
    let bold = Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED);
    let title = |i: usize| format!(" {} · {}", app.library_title(i), safe(&app.corpus.articles[i].source));
    frame.render_widget(
        Paragraph::new(Span::styled(convert(app, &title(app.reader.open)), bold)),
        Rect::new(lx, area.y, column + 1, 1),
    );
    frame.render_widget(
        Paragraph::new(Span::styled(convert(app, &title(other)), bold)),
        Rect::new(rx, area.y, column, 1),
    );
    let removed = if app.settings.color {
        Style::new().fg(Color::Black).bg(Color::Red)
    } else {
        Style::new().add_modifier(Modifier::REVERSED)
    };
    let added = if app.settings.color {
        Style::new().fg(Color::Black).bg(Color::Green)
    } else {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
    };
    let current_pair =
        difference.and_then(|d| layout.differences.get(d)).and_then(|&l| layout.lines.get(l)).and_then(|l| l.pair);
    let height = usize::from(area.height - 1);
    for (y, line) in layout.lines.iter().skip(top).take(height).enumerate() {
        let y = area.y + 1 + y as u16;
        let Some(p) = line.pair.and_then(|p| layout.pairs.get(p)) else { continue };
        let only_one = p.left.is_empty() != p.right.is_empty();
        for (row, text, changes, x, mark) in
            [(line.left, &p.left, &p.left_changes, lx, removed), (line.right, &p.right, &p.right_changes, rx, added)]
        {
            let Some(row) = row else { continue };
            let shown = text.get(row.start..row.end).unwrap_or("");
            let base = if only_one { mark } else { Style::new() };
            let marks: Vec<(std::ops::Range<usize>, Style)> = changes.iter().map(|r| (r.clone(), mark)).collect();
            let spans = styled_spans(shown, row.start, &marks, base);
            frame.render_widget(Paragraph::new(TextLine::from(spans)), Rect::new(x, y, column, 1));
        }
        let gutter = if line.pair == current_pair && current_pair.is_some() {
            Span::styled("▶", color(app, Color::Yellow).add_modifier(Modifier::BOLD))
        } else if p.differs {
            Span::styled("┃", color(app, Color::Yellow))
        } else {
            Span::styled("│", Style::new().add_modifier(Modifier::DIM))
        };
        frame.render_widget(Paragraph::new(gutter), Rect::new(sx, y, 1, 1));
    }
}

fn render_messages(app: &App, frame: &mut Frame, area: Rect, scroll: u16) {
    let rect = centered(area, area.width.saturating_sub(4).clamp(20, 100), area.height.saturating_sub(2).max(3));
    clear_under(frame, rect);
    let block = Block::bordered().title(format!(" {} message(s) · Esc closes ", app.messages.len()));
    // File names and reasons come from the file system: made display-safe here.
    let lines: Vec<TextLine> =
        app.messages.iter().map(|m| TextLine::from(crate::corpus::sanitize::sanitize(m).0)).collect();
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(ratatui::widgets::Wrap { trim: false }).scroll((scroll, 0)),
        rect,
    );
}

/// Widest and tallest the look-up pop-up gets.
const LOOKUP_WIDTH: u16 = 40;
const LOOKUP_HEIGHT: u16 = 16;

/// Where the word under the look-up cursor is on screen (its first row; a word wrapped onto
/// the next row spans both), and where its pop-up goes: below the word, else above it,
/// whichever has room for the content (`wanted` rows with borders), never over the word.
/// `None` when the cursor is off screen or there is no room.
fn lookup_areas(app: &App, wanted: u16) -> Option<(Rect, Rect)> {
    let areas = app.areas();
    let reader = areas.reader;
    let (line, at) = app.cursor_line()?;
    let word = app.lookup_word()?;
    let first = line.checked_sub(app.reader.top).filter(|&y| y < usize::from(reader.height))?;
    let l = app.reader.layout.lines.get(line)?;
    let text = app.reader.layout.texts.get(l.text)?;
    let row = text.get(l.row.start..l.row.end)?;
    let row_start = l.row.end - row.trim_start_matches(' ').len();
    let (left, _) = text_column(app, reader);
    let ambiguous = app.settings.ambiguous;
    let x = left + wrap::display_width(text.get(row_start..at.max(row_start))?, ambiguous) as u16;
    // The word as shown: as many characters as the original word, from the cursor.
    let end = text.get(at..)?.char_indices().nth(word.chars().count()).map_or(text.len(), |(i, _)| at + i);
    let on_row = wrap::display_width(text.get(at..end.min(l.row.end))?, ambiguous) as u16;
    let rows =
        1 + app.reader.layout.lines[line + 1..].iter().take_while(|n| n.text == l.text && n.row.start < end).count();
    let top = reader.y + first as u16;
    let word_rect = Rect::new(x, top, on_row.max(1), (rows as u16).min(reader.bottom() - top));
    // Over the whole screen but the status line: the pop-up may cover the library.
    let main = Rect::new(0, 0, app.size.0, areas.status.y);
    let (above, below) = (word_rect.y - main.y, main.bottom().saturating_sub(word_rect.bottom()));
    let wanted = wanted.min(LOOKUP_HEIGHT);
    let (y, height) = if below >= wanted || below >= above {
        (word_rect.bottom(), wanted.min(below))
    } else {
        let height = wanted.min(above);
        (word_rect.y - height, height)
    };
    let width = LOOKUP_WIDTH.min(main.width);
    if height < 3 || width < 10 {
        return None;
    }
    let x = x.min(main.right() - width).max(main.x);
    Some((word_rect, Rect::new(x, y, width, height)))
}

/// Whether the look-up pop-up shows Traditional forms first: in a Traditional script, or in
/// the original script when the word is written in Traditional.
fn traditional_first(app: &App, word: &str, entry: &crate::dict::Entry<'_>) -> bool {
    use crate::convert::Script;
    match app.settings.script {
        Script::Traditional | Script::Taiwan | Script::HongKong | Script::TaiwanPhrases => true,
        Script::Simplified => false,
        Script::Original => word == entry.traditional && word != entry.simplified,
    }
}

/// Both forms of an entry, the one of the script read first; one when they are the same.
fn both_forms(entry: &crate::dict::Entry<'_>, traditional_first: bool) -> String {
    let (a, b) =
        if traditional_first { (entry.traditional, entry.simplified) } else { (entry.simplified, entry.traditional) };
    if a == b { a.to_string() } else { format!("{a} {b}") }
}

/// `pieces` (each with its style) laid out in rows of `width` columns: a piece goes on the row
/// before it when it fits there (after two spaces), and is broken between its syllables when
/// it is wider than a row (a long pinyin or zhuyin).
fn flow(app: &App, pieces: Vec<(String, Style)>, width: u16) -> Vec<TextLine<'static>> {
    let width = usize::from(width.max(1));
    let ambiguous = app.settings.ambiguous;
    let mut rows: Vec<TextLine<'static>> = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (piece, style) in pieces {
        let piece_width = wrap::display_width(&piece, ambiguous);
        if used > 0 && used + 2 + piece_width <= width {
            row.push(Span::raw("  "));
            used += 2;
        } else if used > 0 {
            rows.push(TextLine::from(std::mem::take(&mut row)));
            used = 0;
        }
        if used + piece_width <= width {
            row.push(Span::styled(piece, style));
            used += piece_width;
            continue;
        }
        for syllable in piece.split(' ') {
            let w = wrap::display_width(syllable, ambiguous);
            if used > 0 && used + 1 + w > width {
                rows.push(TextLine::from(std::mem::take(&mut row)));
                used = 0;
            } else if used > 0 {
                row.push(Span::styled(" ", style));
                used += 1;
            }
            row.push(Span::styled(syllable.to_string(), style));
            used += w;
        }
    }
    rows.push(TextLine::from(row));
    rows
}

/// A word other than the one looked up: in the script shown, with the pinyin and first sense
/// of its likeliest entry, on one row, or on two when they do not fit (the sense below,
/// indented), each cut to `width`.
fn brief(app: &App, dictionary: &crate::dict::Dictionary<'_>, word: &str, width: u16) -> Vec<TextLine<'static>> {
    let safe = |t: &str| crate::corpus::sanitize::sanitize(t).0;
    let width = usize::from(width);
    let shown = safe(&convert(app, word));
    let Some(e) = dictionary.lookup(word).first().copied() else {
        return vec![TextLine::from(fit(&format!("{shown}  ?"), width))];
    };
    let head = format!("{shown}  {}", safe(&e.pinyin_marked()));
    let sense = safe(e.senses().next().unwrap_or(""));
    let line = format!("{head}  {sense}");
    if wrap::display_width(&line, wrap::AmbiguousWidth::Narrow) <= width {
        return vec![TextLine::from(line)];
    }
    vec![TextLine::from(fit(&head, width)), TextLine::from(fit(&format!("  {sense}"), width))]
}

/// The pop-up's title and lines at `width` columns inside: each entry's reading (pinyin, and
/// zhuyin in the 臺灣 scripts) and every sense, or for a selection that is no entry its words
/// one a line; and apart, the other entries starting at the cursor, longer ones first.
///
/// Everything from the dictionary is made display-safe here, as the corpus's text is: it is
/// embedded data, but a rebuilt binary may carry another file.
fn lookup_content(app: &App, width: u16) -> (String, Vec<TextLine<'static>>, Vec<TextLine<'static>>) {
    use crate::convert::Script;
    let Some(c) = app.lookup else { return (String::new(), Vec::new(), Vec::new()) };
    let Some(word) = app.lookup_word() else { return (String::new(), Vec::new(), Vec::new()) };
    let zhuyin = matches!(app.settings.script, Script::Taiwan | Script::TaiwanPhrases);
    let safe = |t: &str| crate::corpus::sanitize::sanitize(t).0;
    let dim = Style::new().add_modifier(Modifier::DIM);
    let entries = c.dictionary.lookup(word);
    let mut lines = Vec::new();
    let title = if let Some(first) = entries.first() {
        let traditional = traditional_first(app, word, first);
        let title = safe(&both_forms(first, traditional));
        for e in &entries {
            let mut head = vec![(safe(&e.pinyin_marked()), color(app, Color::Cyan).add_modifier(Modifier::BOLD))];
            if zhuyin {
                head.push((safe(&e.zhuyin()), color(app, Color::Cyan)));
            }
            let forms = safe(&both_forms(e, traditional));
            if forms != title {
                head.push((forms, dim));
            }
            lines.extend(flow(app, head, width));
            for sense in e.senses() {
                let sense = safe(sense);
                let rows = wrap::wrap(&sense, width.saturating_sub(2).max(1), app.settings.ambiguous);
                for (i, r) in rows.iter().enumerate() {
                    let bullet = if i == 0 { "· " } else { "  " };
                    lines.push(TextLine::from(format!("{bullet}{}", r.visible(&sense))));
                }
            }
        }
        title
    } else {
        let parts = app.lookup_parts();
        if parts.len() > 1 {
            lines.push(TextLine::from(Span::styled("not one entry; word by word:", dim)));
            lines.extend(parts.iter().flat_map(|p| brief(app, c.dictionary, p, width)));
        } else {
            lines.push(TextLine::from(Span::styled("not in CC-CEDICT", dim)));
        }
        safe(&convert(app, word))
    };
    let longer = app.lookup_longer();
    let others: Vec<&str> = app.lookup_words().into_iter().filter(|w| *w != word).collect();
    let mut starting = Vec::new();
    if !longer.is_empty() || !others.is_empty() {
        starting.push(TextLine::from(Span::styled("starting here:", dim)));
        // Longest first: those going on past the text, then the text's own.
        for other in longer.iter().rev().chain(&others) {
            starting.extend(brief(app, c.dictionary, other, width));
        }
    }
    (title, lines, starting)
}

/// The pop-up's lines in `room` rows: when they do not fit, the senses are cut (`…`) rather than
/// the words starting at the cursor, which keep up to half the rows: a word with many senses
/// (一 has 14) would otherwise hide them.
fn fit_popup(
    mut lines: Vec<TextLine<'static>>,
    mut starting: Vec<TextLine<'static>>,
    room: usize,
) -> Vec<TextLine<'static>> {
    if lines.len() + starting.len() > room {
        // The heading alone says nothing.
        let keep = match starting.len().min(room / 2) {
            1 => 0,
            n => n,
        };
        starting.truncate(keep);
        lines.truncate(room.saturating_sub(keep + 1));
        lines.push(TextLine::from(Span::styled("…", Style::new().add_modifier(Modifier::DIM))));
    }
    lines.extend(starting);
    lines
}

/// Where the word under the look-up cursor is on screen and where its pop-up is drawn (see
/// [`lookup_areas`]); `None` when no pop-up is shown (none while characters are selected).
pub fn lookup_placement(app: &App) -> Option<(Rect, Rect)> {
    if app.lookup?.anchor.is_some() {
        return None;
    }
    let (_, lines, starting) = lookup_content(app, LOOKUP_WIDTH.min(app.size.0).saturating_sub(2));
    lookup_areas(app, u16::try_from(lines.len() + starting.len() + 2).unwrap_or(u16::MAX))
}

/// The look-up pop-up beside the word under the cursor.
fn render_lookup(app: &App, frame: &mut Frame) {
    if app.lookup.is_none_or(|c| c.anchor.is_some()) {
        return;
    }
    let inner_width = LOOKUP_WIDTH.min(app.size.0).saturating_sub(2);
    let (title, lines, starting) = lookup_content(app, inner_width);
    let wanted = u16::try_from(lines.len() + starting.len() + 2).unwrap_or(u16::MAX);
    let Some((_, rect)) = lookup_areas(app, wanted) else { return };
    let lines = fit_popup(lines, starting, usize::from(rect.height.saturating_sub(2)));
    clear_under(frame, rect);
    let title = fit(&format!(" {title} "), usize::from(inner_width));
    let block = Block::bordered().title(title).border_style(color(app, Color::Green));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The word list: one word a line with its pinyin and the start of its sentence.
fn render_words(app: &App, frame: &mut Frame, area: Rect, selected: usize) {
    let rect = centered(area, area.width.saturating_sub(4).clamp(20, 100), area.height.saturating_sub(2).max(3));
    clear_under(frame, rect);
    let words = app.words.words();
    let block = Block::bordered().title(format!(" {} word(s) · d deletes · Esc closes ", words.len()));
    let inner_height = usize::from(rect.height.saturating_sub(2));
    let offset = selected.saturating_sub(inner_height.saturating_sub(1) / 2);
    let width = usize::from(rect.width.saturating_sub(2));
    // From words.json, which may have been edited by hand: made display-safe here.
    let safe = |t: &str| crate::corpus::sanitize::sanitize(t).0;
    let lines: Vec<TextLine> = if words.is_empty() {
        vec![TextLine::from(Span::styled(
            "no words yet: w puts a cursor on a word, a adds it",
            Style::new().add_modifier(Modifier::DIM),
        ))]
    } else {
        words
            .iter()
            .enumerate()
            .skip(offset)
            .take(inner_height)
            .map(|(i, w)| {
                let chosen = if i == selected { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
                let head = format!("{}  {}  ", convert(app, &safe(&w.word)), safe(&w.pinyin));
                let room = width.saturating_sub(wrap::display_width(&head, wrap::AmbiguousWidth::Narrow));
                let sentence = fit(&convert(app, &safe(&w.sentence.replace('\n', " "))), room);
                TextLine::from(vec![
                    Span::styled(head, chosen.add_modifier(Modifier::BOLD)),
                    Span::styled(sentence, Style::new().add_modifier(Modifier::DIM)),
                ])
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

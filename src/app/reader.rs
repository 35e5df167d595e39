//! The reader pane's own state: the article open, the line at the top, the article laid out
//! for the script and width shown, what is highlighted in it, and its update. Scrolling
//! clamps here, and the place at the top (a paragraph and a character in the source text)
//! survives a new width or script here; the [`App`](super::App) gives the page height and the
//! article, and views only read it.

use crate::convert::{Converter, Script};
use crate::corpus::{Article, ParagraphKind};
use crate::wrap::{self, AmbiguousWidth, Row};

use super::positions::Position;

/// The reader pane: which article, where in it, and how it is laid out.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    /// Article open in the reader.
    pub open: usize,
    /// First visible line of [`Reader::layout`].
    pub top: usize,
    /// The character a resize keeps on the top row: (text, byte) of the layout it was taken
    /// in. Kept while the top row still holds it, so that a run of resizes does not drift
    /// from row start to row start.
    resize_anchor: Option<(usize, usize)>,
    pub layout: Layout,
    /// The place the open article was opened at: (article, top line, place). While the top line
    /// is still that one, the place is remembered as it was, not as the start of the row it
    /// fell in, so that reopening at another width never drifts back row by row.
    restored: Option<(usize, usize, Position)>,
    /// Matches to highlight in the layout, sorted by text (the app computes them).
    pub highlights: Vec<Highlight>,
}

impl Reader {
    /// Lays `article` (the open one) out again if it, the script or the width changed, and
    /// puts the place that was at the top back there; `page` is the rows shown at once.
    /// Returns whether it was laid out anew (its highlights are then to be made again).
    pub fn relayout(
        &mut self,
        article: Option<&Article>,
        converter: &Converter,
        script: Script,
        width: u16,
        ambiguous: AmbiguousWidth,
        page: usize,
    ) -> bool {
        if self.layout.article == self.open && self.layout.script == Some(script) && self.layout.width == width {
            return false;
        }
        // At the very top (the title), stay there. A new width keeps the character at the
        // top-left (TST-07, PST-14); a new script changes the text, so it keeps the character
        // counted in the source text.
        let same_article = self.layout.article == self.open && self.top > 0;
        let place = same_article.then(|| self.top_position(article)).flatten();
        // Still at the place the article was opened at (the first frame's size arrives after
        // a resume): that place, not the start of the row it fell in.
        let restored = self
            .restored
            .filter(|&(open, top, _)| open == self.open && top == self.top && self.layout.article == self.open)
            .map(|(_, _, place)| place);
        let anchor = (same_article && self.layout.script == Some(script))
            .then(|| self.layout.lines.get(self.top))
            .flatten()
            .map(|top| match self.resize_anchor {
                Some((text, at)) if text == top.text && top.row.start <= at && at < top.row.end => (text, at),
                _ => (top.text, top.row.start),
            });
        self.resize_anchor = anchor;
        self.restored = None;
        self.layout = match article {
            Some(a) => layout(a, converter, script, width, ambiguous, self.open),
            None => Layout::default(),
        };
        match (restored, anchor, place) {
            (Some(place), ..) => self.go_to_remembered(article, place, page),
            (None, Some((text, at)), _) => {
                // Lines are in text order, each text's rows in byte order: the row holding `at`
                // is the last one starting at or before it.
                let line = self.layout.lines.partition_point(|l| (l.text, l.row.start) <= (text, at));
                self.top = line.saturating_sub(1).min(self.max_top(page));
            }
            (None, None, Some(p)) => self.scroll_to_position(article, p, page),
            (None, None, None) => self.top = self.top.min(self.max_top(page)),
        }
        true
    }

    /// Forgets the layout (the article's text changed): the next [`Reader::relayout`] lays it
    /// out afresh, from the top.
    pub fn forget_layout(&mut self) {
        self.layout = Layout::default();
        self.top = 0;
    }

    /// The last first line: a page from the end, or further, so that every paragraph can be at
    /// the top (a jump to the last clause puts it there, and `m` marks the paragraph at the top).
    pub fn max_top(&self, page: usize) -> usize {
        let last_paragraph = self.layout.paragraph_line.last().copied().unwrap_or(0);
        self.layout.lines.len().saturating_sub(page).max(last_paragraph)
    }

    /// The first line of the last full page: where reading on stops, as in `less`, so that the
    /// end of an article is never one line on an empty screen.
    pub fn last_page_top(&self, page: usize) -> usize {
        self.layout.lines.len().saturating_sub(page)
    }

    /// Scrolls `by` lines.
    pub fn scroll_by(&mut self, by: isize, page: usize) {
        // Moving on stops at the last full page; a jump that put a later paragraph at the top
        // (see `max_top`) is not undone by it.
        let limit = if by > 0 { self.last_page_top(page).max(self.top) } else { self.max_top(page) };
        self.top = self.top.saturating_add_signed(by).min(limit);
    }

    /// Puts `line` at the top, as far as the end of the article allows.
    pub fn scroll_to_line(&mut self, line: usize, page: usize) {
        self.top = line.min(self.max_top(page));
    }

    /// Puts paragraph `p`'s first line at the top, as far as the end allows.
    pub fn scroll_to_paragraph(&mut self, p: usize, page: usize) {
        if let Some(&line) = self.layout.paragraph_line.get(p) {
            self.scroll_to_line(line, page);
        }
    }

    /// Position in the article as a percentage of its lines.
    pub fn percent(&self, page: usize) -> u16 {
        let max = self.last_page_top(page);
        (self.top.min(max) * 100).checked_div(max).map_or(100, |p| p as u16)
    }

    /// Paragraph at the top (or the first one below it).
    pub fn top_paragraph(&self) -> Option<usize> {
        self.layout.lines.get(self.top..)?.iter().find_map(|l| l.paragraph)
    }

    /// The place at the top of the open `article`: the paragraph of the top row and the
    /// character the row starts at, counted in the source text; a row that is no paragraph's
    /// (the title, a blank) gives the start of the paragraph below it.
    pub fn top_position(&self, article: Option<&Article>) -> Option<Position> {
        let line = self.layout.lines.get(self.top)?;
        let Some(paragraph) = line.paragraph else {
            return self.top_paragraph().map(Position::paragraph);
        };
        let source = &article?.paragraphs.get(paragraph)?.text;
        let shown = self.layout.texts.get(line.text)?;
        let at = shown.get(..line.row.start).map_or(0, |before| before.chars().count());
        Some(Position { paragraph, character: corresponding_character(shown, source, at) })
    }

    /// The place to remember for the open `article`: the one it was opened at while the top is
    /// still there, else the place at the top.
    pub fn place_to_remember(&self, article: Option<&Article>) -> Option<Position> {
        match self.restored {
            Some((open, top, place)) if open == self.open && top == self.top => Some(place),
            _ => self.top_position(article),
        }
    }

    /// Puts the row holding `place` of the open `article` at the top (as far as the end of the
    /// article allows).
    pub fn scroll_to_position(&mut self, article: Option<&Article>, place: Position, page: usize) {
        let Some(&first) = self.layout.paragraph_line.get(place.paragraph) else { return };
        let (Some(text), Some(source)) = (
            self.layout.lines.get(first).map(|l| l.text),
            article.and_then(|a| a.paragraphs.get(place.paragraph)).map(|p| p.text.as_str()),
        ) else {
            return;
        };
        let shown = &self.layout.texts[text];
        let at = corresponding_character(source, shown, place.character);
        let byte = shown.char_indices().nth(at).map_or(shown.len(), |(b, _)| b);
        // Lines are in text order, each text's rows in byte order: the row holding `byte` is
        // the last one starting at or before it.
        let line = self.layout.lines.partition_point(|l| (l.text, l.row.start) <= (text, byte));
        self.top = line.saturating_sub(1).max(first).min(self.max_top(page));
    }

    /// Puts a remembered place of the open `article` at the top, and remembers that it is there.
    pub fn go_to_remembered(&mut self, article: Option<&Article>, place: Position, page: usize) {
        // The start of the first paragraph is kept as the very top, the title.
        if place == Position::default() {
            self.top = 0;
        } else {
            self.scroll_to_position(article, place, page);
        }
        self.restored = Some((self.open, self.top, place));
    }

    /// After a change of the layout taken with `place` at the top ([`Reader::top_position`],
    /// `None` at the very top): that place at the top again, or the top kept within bounds.
    pub fn return_to(&mut self, place: Option<Position>, article: Option<&Article>, page: usize) {
        match place {
            Some(p) => self.scroll_to_position(article, p, page),
            None => self.top = self.top.min(self.max_top(page)),
        }
    }
}

/// What a line of the reader shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Title,
    Subtitle,
    Meta,
    Paragraph(ParagraphKind),
    Blank,
}

/// One display row of the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    /// Index into [`Layout::texts`].
    pub text: usize,
    pub row: Row,
    /// Paragraph of the article this row belongs to, if any.
    pub paragraph: Option<usize>,
}

/// The open article laid out for one script and width.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub article: usize,
    pub script: Option<Script>,
    pub width: u16,
    /// The texts shown (title, subtitle, meta line, paragraphs), converted.
    pub texts: Vec<String>,
    pub lines: Vec<Line>,
    /// First line of each paragraph of the article.
    pub paragraph_line: Vec<usize>,
}

/// A match drawn in the reader: a byte range of one of the [`Layout`]'s texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub text: usize,
    pub range: std::ops::Range<usize>,
    pub kind: HighlightKind,
}

/// What a highlight marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HighlightKind {
    Match,
    /// The match last moved to, drawn stronger.
    CurrentMatch,
    /// The passage being selected for a bookmark.
    Selection,
    /// The word under the look-up cursor.
    Word,
}

/// Lays article `a` out in `script` at `width` columns.
pub fn layout(
    a: &Article,
    converter: &Converter,
    script: Script,
    width: u16,
    ambiguous: AmbiguousWidth,
    index: usize,
) -> Layout {
    let convert = |t: &str| converter.shown(t, script);
    let mut out = Layout { article: index, script: Some(script), width, ..Layout::default() };
    let push = |out: &mut Layout, kind: LineKind, text: String, paragraph: Option<usize>| {
        let t = out.texts.len();
        for row in wrap::wrap(&text, width, ambiguous) {
            out.lines.push(Line { kind, text: t, row, paragraph });
        }
        out.texts.push(text);
    };
    let blank = |out: &mut Layout| {
        let t = out.texts.len();
        out.texts.push(String::new());
        out.lines.push(Line {
            kind: LineKind::Blank,
            text: t,
            row: Row { start: 0, end: 0, width: 0 },
            paragraph: None,
        });
    };
    if let Some(column) = &a.column {
        push(&mut out, LineKind::Meta, convert(column), None);
    }
    if let Some(title) = &a.title {
        push(&mut out, LineKind::Title, convert(title), None);
    }
    if let Some(sub) = &a.subtitle {
        push(&mut out, LineKind::Subtitle, convert(sub), None);
    }
    // The file name comes from the file system, not through the text sanitiser.
    let mut meta = vec![crate::corpus::sanitize::display_name(&a.source)];
    meta.extend(a.notes.iter().map(|n| n.text.clone()));
    push(&mut out, LineKind::Meta, meta.join(" · "), None);
    blank(&mut out);
    for (i, p) in a.paragraphs.iter().enumerate() {
        out.paragraph_line.push(out.lines.len());
        push(&mut out, LineKind::Paragraph(p.kind), convert(&p.text), Some(i));
        if i + 1 < a.paragraphs.len() {
            blank(&mut out);
        }
    }
    out
}

/// How many characters into `to` stand where `at` characters into `from` stand, `from` and `to`
/// being one text in two scripts. Conversion keeps the number of characters (see
/// [`super::search::converted_offset`]), so the count is the same; should a conversion ever change it,
/// the place is taken in proportion, which stays inside the text and near the place.
fn corresponding_character(from: &str, to: &str, at: usize) -> usize {
    let (from_len, to_len) = (from.chars().count(), to.chars().count());
    if from_len == to_len || from_len == 0 {
        return at.min(to_len);
    }
    (at.min(from_len) * to_len + from_len / 2) / from_len
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{ReadOptions, load, process};

    /// Rows the reader shows at once in these tests.
    const PAGE: usize = 10;

    /// An article of twelve paragraphs, each several rows long at 20 columns.
    fn article() -> Article {
        let paragraph = "段，各方欢迎中国—中亚秘书处启动全面运营，将全力支持秘书处为促进合作发挥积极作用。\n\n";
        let body: String = (1..=12).flat_map(|i| ["第", &i.to_string(), paragraph].map(String::from)).collect();
        let text = format!("中国—中亚外长第六次会晤新闻公报\n\n{body}");
        let doc = load::RawDoc { name: "a.txt".into(), path: None, bytes: text.into_bytes() };
        let (_, articles) = process(&doc, None, 0, ReadOptions::default()).expect("text");
        let article = articles.into_iter().max_by_key(|a| a.paragraphs.len()).expect("an article");
        assert!(article.paragraphs.len() >= 10, "{:?}", article.paragraphs.len());
        article
    }

    /// `a` laid out at `width` columns in its own script, at the top.
    fn laid_out(a: &Article, width: u16) -> Reader {
        let mut reader = Reader::default();
        assert!(reader.relayout(Some(a), &Converter::new(), Script::Original, width, AmbiguousWidth::Narrow, PAGE));
        reader
    }

    fn relayout(reader: &mut Reader, a: &Article, script: Script, width: u16) -> bool {
        reader.relayout(Some(a), &Converter::new(), script, width, AmbiguousWidth::Narrow, PAGE)
    }

    /// The text of the top row.
    fn top_row(reader: &Reader) -> &str {
        let line = reader.layout.lines[reader.top];
        &reader.layout.texts[line.text][line.row.start..line.row.end]
    }

    /// The first row at or after `from` that starts inside its paragraph, not at its start.
    fn inside_a_paragraph(reader: &Reader, from: usize) -> usize {
        (from..reader.layout.lines.len())
            .find(|&i| reader.layout.lines[i].paragraph.is_some() && reader.layout.lines[i].row.start > 0)
            .expect("a paragraph of more than one row")
    }

    #[test]
    fn scrolling_stops_at_the_last_full_page_and_at_the_start() {
        let a = article();
        let mut reader = laid_out(&a, 20);
        let lines = reader.layout.lines.len();
        assert!(lines > 3 * PAGE, "{lines} lines");
        reader.scroll_by(3, PAGE);
        assert_eq!(reader.top, 3);
        reader.scroll_by(isize::MAX, PAGE);
        assert_eq!(reader.top, lines - PAGE, "the end is a full page, not one line on an empty screen");
        assert_eq!(reader.percent(PAGE), 100);
        reader.scroll_by(1, PAGE);
        assert_eq!(reader.top, lines - PAGE);
        reader.scroll_by(-5, PAGE);
        assert_eq!(reader.top, lines - PAGE - 5);
        reader.scroll_by(isize::MIN, PAGE);
        assert_eq!((reader.top, reader.percent(PAGE)), (0, 0));
    }

    #[test]
    fn a_jump_to_the_last_paragraph_puts_it_at_the_top_and_reading_on_does_not_undo_it() {
        let a = article();
        let mut reader = laid_out(&a, 20);
        let last = a.paragraphs.len() - 1;
        let line = reader.layout.paragraph_line[last];
        assert!(line > reader.last_page_top(PAGE), "the last paragraph is shorter than a page");
        reader.scroll_to_paragraph(last, PAGE);
        assert_eq!((reader.top, reader.top_paragraph()), (line, Some(last)));
        reader.scroll_by(1, PAGE);
        assert_eq!(reader.top, line, "on from there stays there");
        reader.scroll_by(-1, PAGE);
        assert_eq!(reader.top, line - 1);
        // A line past every paragraph's start is as far as the last one.
        reader.scroll_to_line(usize::MAX, PAGE);
        assert_eq!(reader.top, line);
    }

    #[test]
    fn a_new_width_keeps_the_character_at_the_top_and_a_run_of_resizes_does_not_drift() {
        let a = article();
        let mut reader = laid_out(&a, 20);
        reader.top = inside_a_paragraph(&reader, PAGE);
        let (start, row) = (reader.top, top_row(&reader).to_string());
        let line = reader.layout.lines[reader.top];
        let (text, at) = (line.text, line.row.start);
        for width in [30, 26, 44] {
            assert!(relayout(&mut reader, &a, Script::Original, width));
            let top = reader.layout.lines[reader.top];
            assert_eq!(top.text, text);
            assert!(top.row.start <= at && at < top.row.end, "at {width}: the top row {:?} holds it", top_row(&reader));
        }
        assert!(relayout(&mut reader, &a, Script::Original, 20));
        assert_eq!((reader.top, top_row(&reader)), (start, row.as_str()), "back at 20: the same row");
    }

    #[test]
    fn another_script_keeps_the_place_counted_in_the_source_text() {
        let a = article();
        let mut reader = laid_out(&a, 20);
        reader.top = inside_a_paragraph(&reader, PAGE);
        let place = reader.top_position(Some(&a)).expect("a place");
        assert!(place.character > 0);
        assert!(relayout(&mut reader, &a, Script::Traditional, 20));
        assert_eq!(reader.top_position(Some(&a)), Some(place));
        // The same article, script and width: nothing to do.
        let top = reader.top;
        assert!(!relayout(&mut reader, &a, Script::Traditional, 20));
        assert_eq!(reader.top, top);
    }

    #[test]
    fn a_place_opened_at_is_remembered_as_it_was_until_the_reader_moves() {
        let a = article();
        let mut reader = laid_out(&a, 20);
        // A character inside a row: the row holding it comes to the top, and the place kept is
        // the character, not the start of that row.
        let place = Position { paragraph: 4, character: 7 };
        reader.go_to_remembered(Some(&a), place, PAGE);
        let row = reader.top_position(Some(&a)).expect("a place");
        assert_eq!(row.paragraph, 4);
        assert!(row.character <= 7 && row.character < place.character, "{row:?} starts before it");
        assert_eq!(reader.place_to_remember(Some(&a)), Some(place));
        // Laid out at another width without moving: still that place.
        assert!(relayout(&mut reader, &a, Script::Original, 34));
        assert_eq!(reader.place_to_remember(Some(&a)), Some(place));
        // Moved on: the place at the top.
        reader.scroll_by(1, PAGE);
        assert_eq!(reader.place_to_remember(Some(&a)), reader.top_position(Some(&a)));
        assert_ne!(reader.place_to_remember(Some(&a)), Some(place));
        // The very start is the title, not the first paragraph.
        reader.go_to_remembered(Some(&a), Position::default(), PAGE);
        assert_eq!(reader.top, 0);
    }

    #[test]
    fn a_forgotten_layout_is_laid_out_again_from_the_top() {
        let a = article();
        let mut reader = laid_out(&a, 20);
        reader.scroll_by(7, PAGE);
        reader.forget_layout();
        assert_eq!(reader.top, 0);
        assert!(relayout(&mut reader, &a, Script::Original, 20));
        assert_eq!(reader.top, 0);
        // Without an article there is nothing to show, and nothing to scroll.
        let mut empty = Reader::default();
        assert!(empty.relayout(None, &Converter::new(), Script::Original, 20, AmbiguousWidth::Narrow, PAGE));
        empty.scroll_by(5, PAGE);
        assert_eq!((empty.top, empty.top_position(None), empty.percent(PAGE)), (0, None, 100));
    }
}

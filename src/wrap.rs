//! Chinese-aware line wrapping for the reader pane.
//!
//! Text layout, not a view: the app wraps to count rows and place the cursor, the views
//! ([`crate::ui`]) draw the rows, so it sits below both.
//!
//! The reader needs the number of display rows of every paragraph (for scrolling, jumping to a
//! clause, search hits and bookmark positions), and ratatui's own `Paragraph` wrapping neither
//! follows Chinese line-breaking rules nor exposes its rows. So the reader wraps each paragraph
//! once per `(article, script, width)` with [`wrap`], keeps the [`Row`]s in its cache, and the
//! renderer only draws `Row::visible` slices. Nothing here allocates per grapheme; the cost is
//! linear in the text (each grapheme is measured once, and moving a break back rescans
//! nothing), and runs of plain hanzi, of ASCII and of spaces skip the grapheme segmenter.
//!
//! # Rules
//!
//! * Width is measured per grapheme cluster with `unicode-width` (`width` for
//!   [`AmbiguousWidth::Narrow`], `width_cjk` for [`AmbiguousWidth::Wide`]); control characters
//!   count 0 because the text is sanitised before it gets here. A grapheme is never split.
//! * Break opportunities: next to any "ideographic" grapheme (one that is wide even in a narrow
//!   terminal: hanzi, kana, Hangul syllables, full-width forms and punctuation, wide emoji, plus
//!   the half-width katakana block U+FF61..U+FF9F), and before a run of ASCII spaces. Other
//!   graphemes (Latin letters, digits, ASCII punctuation, the ambiguous quotes, dashes and dots)
//!   glue to each other, so Latin words and numbers stay whole unless a word alone is wider than
//!   the row, in which case it is broken between graphemes.
//! * Kinsoku (W3C clreq): a row never starts with a closing or trailing mark
//!   (`，。、；：？！）」』》】〕〉”’…—·%‰℃`, the ASCII `,.;:?!)]}`, and their relatives
//!   `％．］｝〗〙〛｠〞〟・‧｡｣､･―⸺⸻⋯﹐﹑﹒﹔﹕﹖﹗﹚﹜﹞`) and never ends with an opening mark
//!   (`（「『《【〔〈“‘([{` and `［｛〖〘〚｟〝｢﹙﹛﹝`). When the natural break is illegal, the
//!   break moves to the last legal opportunity earlier in the row, which pulls the opening
//!   mark, or the character before the closing mark, down to the next row. Only a row with no
//!   legal opportunity at all is broken at its natural point anyway.
//! * `——` and `……` (also `――` and `⋯⋯`) never separate at a legal break, because their second
//!   half may not start a row; when a row has to be broken by force between the two halves, the
//!   break moves before the pair if that leaves something on the row.
//! * A newline inside the text (paragraphs should have none) is a forced break; the row that ends
//!   there includes it, and a newline at the very end adds no empty row (like `str::lines`).
//!
//! # What a row covers and what it shows
//!
//! Rows are contiguous: `rows[0].start == 0`, `rows[i].end == rows[i + 1].start`, and the last
//! row ends at `text.len()`, so the row slices concatenate back to the input. Some of those bytes
//! are not shown (see [`Row::visible`]), and `Row::width` is the width of what is shown:
//!
//! * the ASCII spaces at which a row was wrapped lead the next row and are skipped there (a row
//!   that starts a line, such as the first one, keeps its indentation);
//! * ASCII spaces at the end of a line (the end of the text, or before a newline) hang and are
//!   not counted, so they never open an empty row;
//! * the newline that ends a row.
//!
//! Every row's `width` is at most the requested width (or 1 for 0), with one exception: a
//! grapheme wider than the whole row (a CJK character at width 1) gets a row of its own whose
//! `width` is its real width. This is the only way a row exceeds the width.
//! The renderer has to draw a placeholder for it, because ratatui silently drops such a cell.
//!
//! Only ASCII space is a space here. Ideographic space U+3000 is a wide "ideographic" grapheme
//! like a hanzi: it is counted and drawn wherever it falls, also at the start of a wrapped row.
//! No-break space U+00A0 glues like a letter.

use std::sync::LazyLock;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How wide the terminal draws East Asian Ambiguous characters such as `“ ” … · —`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AmbiguousWidth {
    /// One column, as in most terminals and Windows Terminal (the default).
    #[default]
    Narrow,
    /// Two columns, as in terminals configured for CJK (vim `ambiwidth=double`).
    Wide,
}

/// One display row: a byte range of the paragraph text and its display width.
///
/// `width` is that of [`Row::visible`]; it saturates at `u16::MAX` for an absurdly wide grapheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub start: usize,
    pub end: usize,
    pub width: u16,
}

impl Row {
    /// The part of `text[start..end]` to draw: without the spaces skipped at the start of a
    /// wrapped row, the spaces hanging at the end of a line, or the newline that ends the row.
    /// `width` is the display width of exactly this slice (see the module docs).
    pub fn visible<'a>(&self, text: &'a str) -> &'a str {
        let Some(mut s) = text.get(self.start..self.end) else {
            return "";
        };
        let line_end = if let Some(t) = s.strip_suffix('\n') {
            s = t.strip_suffix('\r').unwrap_or(t);
            true
        } else {
            self.end == text.len()
        };
        // Trim whole space graphemes only: a space can carry a combining mark.
        if line_end {
            while s.graphemes(true).next_back() == Some(" ") {
                s = &s[..s.len() - 1];
            }
        }
        // A row that does not start a line began at a wrap, so its leading spaces were skipped.
        let starts_line = self.start == 0 || text.as_bytes().get(self.start - 1) == Some(&b'\n');
        if !starts_line {
            while s.graphemes(true).next() == Some(" ") {
                s = &s[1..];
            }
        }
        s
    }
}

/// Display width of `s` (graphemes measured as the terminal will draw them; control chars count
/// 0 — the text is already sanitised).
pub fn display_width(s: &str, ambiguous: AmbiguousWidth) -> usize {
    let b = s.as_bytes();
    let mut total = 0;
    let mut i = 0;
    while i < b.len() {
        // The same hanzi shortcut as `next_unit` takes first, without building a `Unit`.
        if han_at(b, i) && starts_fresh(b, i + 3) {
            total += 2;
            i += 3;
            continue;
        }
        let unit = next_unit(s, i, ambiguous);
        total += unit.width;
        i = unit.end;
    }
    total
}

/// Display width of one grapheme cluster.
pub fn grapheme_width(g: &str, ambiguous: AmbiguousWidth) -> usize {
    // unicode-width counts a control character as one column inside a string; sanitised text has
    // none except a possible newline, which takes no column.
    if g.chars().next().is_some_and(char::is_control) {
        return 0;
    }
    let width = match ambiguous {
        AmbiguousWidth::Narrow => g.width(),
        AmbiguousWidth::Wide => g.width_cjk(),
    };
    width + sound_marks(g)
}

/// ratatui (0.30) gives each half-width (semi-)voiced sound mark one more column than
/// unicode-width does (`ｶﾞ` takes 3 cells in its buffer), so the app reserves the same, or
/// the rows it lays out would be clipped by one column when drawn (TST-02). The marks are
/// not [`is_safe`], so only the segmenter's path meets them.
fn sound_marks(g: &str) -> usize {
    g.chars().filter(|&c| c == '\u{ff9e}' || c == '\u{ff9f}').count()
}

/// Breaks `text` (one paragraph, no '\n' inside; if there is one, treat it as a forced break)
/// into rows of at most `width` columns.
///
/// Width 0 is treated as 1. See the module docs for the rules, for the bytes a row covers but
/// does not show, and for the single case in which a row is wider than `width`.
pub fn wrap(text: &str, width: u16, ambiguous: AmbiguousWidth) -> Vec<Row> {
    let max = usize::from(width.max(1));
    // Dense CJK takes about 1.5 bytes per column and ASCII 1; half a row per `max` bytes is a
    // cheap guess that avoids most regrowth without reserving much too much.
    let mut wrapper = Wrapper::new(max, text.len() / (max * 2) + 1);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i = wrapper.fast_forward(bytes, i);
        if i >= bytes.len() {
            break;
        }
        let unit = next_unit(text, i, ambiguous);
        wrapper.push(i, unit);
        i = unit.end;
    }
    wrapper.finish(text.len())
}

// Class bits of a grapheme. Several may be set (a full-width comma is IDEO | NO_START).
/// An ASCII space: a break opportunity before a run of them; skipped or hanging at a break.
const SPACE: u8 = 1;
/// A newline: a forced break.
const NEWLINE: u8 = 1 << 1;
/// Break opportunity on both sides (hanzi, kana, full-width forms, wide emoji).
const IDEO: u8 = 1 << 2;
/// Closing or trailing mark: may not start a row.
const NO_START: u8 = 1 << 3;
/// Opening mark: may not end a row.
const NO_END: u8 = 1 << 4;
/// Dashes that come in pairs (`——`).
const DASH: u8 = 1 << 5;
/// Ellipses that come in pairs (`……`).
const ELLIPSIS: u8 = 1 << 6;
const TWIN: u8 = DASH | ELLIPSIS;

/// One grapheme as the wrapper sees it; its start is where the scan stood.
#[derive(Debug, Clone, Copy)]
struct Unit {
    end: usize,
    width: usize,
    class: u8,
}

/// Kinsoku and pairing class of a character (`wide`: two columns even in a narrow terminal).
fn classify(c: char, wide: bool) -> u8 {
    let kinsoku = match c {
        '—' | '―' | '⸺' | '⸻' => NO_START | DASH,
        '…' | '⋯' => NO_START | ELLIPSIS,
        ',' | '.' | ';' | ':' | '?' | '!' | ')' | ']' | '}' | '%' | '，' | '。' | '、' | '；' | '：' | '？' | '！'
        | '）' | '」' | '』' | '》' | '】' | '〕' | '〉' | '”' | '’' | '·' | '‰' | '℃' | '％' | '．' | '］' | '｝'
        | '〗' | '〙' | '〛' | '｠' | '〞' | '〟' | '・' | '‧' | '｡' | '｣' | '､' | '･' | '﹐' | '﹑' | '﹒' | '﹔'
        | '﹕' | '﹖' | '﹗' | '﹚' | '﹜' | '﹞' => NO_START,
        '(' | '[' | '{' | '（' | '「' | '『' | '《' | '【' | '〔' | '〈' | '“' | '‘' | '［' | '｛' | '〖' | '〘'
        | '〚' | '｟' | '〝' | '｢' | '﹙' | '﹛' | '﹝' => NO_END,
        _ => 0,
    };
    // Half-width katakana are narrow but break like kana.
    if wide || ('\u{FF61}'..='\u{FF9F}').contains(&c) { kinsoku | IDEO } else { kinsoku }
}

/// Class of an ASCII grapheme.
fn ascii_class(b: u8) -> u8 {
    match b {
        b' ' => SPACE,
        b'\n' => NEWLINE,
        _ => classify(char::from(b), false),
    }
}

/// Whether a CJK Unified Ideograph (U+4E00..U+9FFF) starts at byte `i`: width 2 in every
/// terminal setting, no kinsoku restriction, and never part of a longer grapheme when the next
/// character is [`is_safe`]. Judged from the UTF-8 lead bytes alone, because this runs once per
/// character of Chinese text; the rarer extension blocks take the general path.
#[inline]
fn han_at(b: &[u8], i: usize) -> bool {
    match b.get(i..i + 3) {
        Some(&[0xE5..=0xE9, _, _]) => true,
        Some(&[0xE4, b1, _]) => b1 >= 0xB8,
        _ => false,
    }
}

/// Characters whose `Grapheme_Cluster_Break` is Other (or a Hangul LV/LVT syllable) and which are
/// not controls. Two such neighbours, or one next to ASCII, are always separate graphemes, so the
/// scan can take them one `char` at a time without running the grapheme segmenter. The list is
/// deliberately partial (the common scripts of Chinese news); anything else takes the segmenter.
/// `safe_chars_are_single_graphemes` checks every code point listed here.
#[inline]
fn is_safe(cp: u32) -> bool {
    // Hanzi first: they are most of the text.
    (0x3400..=0x9FFF).contains(&cp)
        || matches!(
            cp,
            0x00A0..=0x00AC | 0x00AE..=0x02FF // Latin-1 and Latin Extended (pinyin tones)
                | 0x0370..=0x0482 // Greek, Cyrillic letters
                | 0x2010..=0x2027 | 0x2030..=0x205E // general punctuation without format controls
                | 0x2100..=0x27BF // letterlike, arrows, symbols, ①, box drawing
                | 0x2E80..=0x2FDF // CJK radicals
                | 0x3000..=0x3029 | 0x3030..=0x303F // CJK symbols, without the tone marks
                | 0x3041..=0x3096 | 0x309B..=0x30FF // kana, without combining voicing marks
                | 0x3105..=0x312F | 0x3131..=0x318E | 0x3190..=0x31FF // bopomofo, compatibility jamo
                | 0x3200..=0x33FF // enclosed CJK
                | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF // Yi, Hangul syllables
                | 0xFE10..=0xFE19 | 0xFE30..=0xFE4F | 0xFE50..=0xFE6B // vertical and small forms
                | 0xFF01..=0xFF9D | 0xFFE0..=0xFFEE // full-width and half-width forms, no voicing
        )
}

/// Flag of a [`HOT`] entry: the character is [`is_safe`] (or ASCII). The low byte is the class.
const HOT_SAFE: u16 = 1 << 8;
/// Shifts of the two-bit narrow and wide widths in a [`HOT`] entry.
const HOT_NARROW: u16 = 10;
const HOT_WIDE: u16 = 12;

/// Class and widths of the 256-character pages where Chinese news spends most of its
/// non-hanzi characters: ASCII and Latin-1, general punctuation, CJK symbols and kana, and
/// full-width forms. One lookup per punctuation mark is cheaper than asking `unicode-width`
/// twice and matching the kinsoku lists. Built on first use (1024 entries).
static HOT: LazyLock<[[u16; 256]; 4]> = LazyLock::new(|| {
    let mut table = [[0; 256]; 4];
    for (page, high) in [0x00, 0x20, 0x30, 0xFF].into_iter().enumerate() {
        for (low, entry) in (0u32..).zip(table[page].iter_mut()) {
            if let Some(c) = char::from_u32((high << 8) | low) {
                *entry = hot_entry(c);
            }
        }
    }
    table
});

/// Index into [`HOT`] of the page holding `cp`, if it is one of them.
#[inline]
fn hot_page(cp: u32) -> Option<usize> {
    match cp >> 8 {
        0x00 => Some(0),
        0x20 => Some(1),
        0x30 => Some(2),
        0xFF => Some(3),
        _ => None,
    }
}

/// The [`HOT`] entry of one character; 0 for characters the fast scan must not take alone.
fn hot_entry(c: char) -> u16 {
    let cp = u32::from(c);
    let (class, narrow, wide) = if let Ok(ascii) = u8::try_from(cp)
        && ascii.is_ascii()
    {
        let width = u16::from((0x20..0x7F).contains(&ascii));
        (ascii_class(ascii), width, width)
    } else if is_safe(cp) {
        let narrow = c.width().unwrap_or(0);
        let wide = c.width_cjk().unwrap_or(0);
        (classify(c, narrow >= 2), u16::try_from(narrow).unwrap_or(0), u16::try_from(wide).unwrap_or(0))
    } else {
        return 0;
    };
    u16::from(class) | HOT_SAFE | (narrow.min(3) << HOT_NARROW) | (wide.min(3) << HOT_WIDE)
}

/// Decodes the char starting at byte `i` of valid UTF-8 into (code point, length). Cheaper than
/// `str::chars` here because the caller only needs range checks, not a `char`.
#[inline]
fn decode_at(b: &[u8], i: usize) -> (u32, usize) {
    let low = |x: u8| u32::from(x & 0x3F);
    match *b.get(i..).unwrap_or_default() {
        [b0, ..] if b0 < 0x80 => (u32::from(b0), 1),
        [b0, b1, ..] if b0 < 0xE0 => ((u32::from(b0 & 0x1F) << 6) | low(b1), 2),
        [b0, b1, b2, ..] if b0 < 0xF0 => ((u32::from(b0 & 0x0F) << 12) | (low(b1) << 6) | low(b2), 3),
        [b0, b1, b2, b3, ..] => ((u32::from(b0 & 0x07) << 18) | (low(b1) << 12) | (low(b2) << 6) | low(b3), 4),
        // Only past the end of `b` (or for a truncated sequence, which valid UTF-8 has not).
        _ => (0, 1),
    }
}

/// Whether the grapheme that starts at `i` cannot reach back into the one before it.
#[inline]
fn starts_fresh(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        None => true,
        Some(&b0) if b0 < 0x80 => true,
        Some(_) if han_at(b, i) => true,
        Some(_) => {
            let cp = decode_at(b, i).0;
            match hot_page(cp) {
                Some(page) => HOT[page][(cp & 0xFF) as usize] & HOT_SAFE != 0,
                None => is_safe(cp),
            }
        }
    }
}

/// The grapheme starting at byte `i` (a grapheme boundary) of `text`.
#[inline]
fn next_unit(text: &str, i: usize, ambiguous: AmbiguousWidth) -> Unit {
    let b = text.as_bytes();
    if han_at(b, i) && starts_fresh(b, i + 3) {
        return Unit { end: i + 3, width: 2, class: IDEO };
    }
    let (cp, len) = decode_at(b, i);
    let end = i + len;
    if let Some(page) = hot_page(cp) {
        let entry = HOT[page][(cp & 0xFF) as usize];
        if entry & HOT_SAFE != 0 {
            if cp == u32::from(b'\r') && b.get(end) == Some(&b'\n') {
                return Unit { end: end + 1, width: 0, class: NEWLINE };
            }
            if starts_fresh(b, end) {
                let shift = match ambiguous {
                    AmbiguousWidth::Narrow => HOT_NARROW,
                    AmbiguousWidth::Wide => HOT_WIDE,
                };
                let width = usize::from((entry >> shift) & 3);
                return Unit { end, width, class: entry.to_le_bytes()[0] };
            }
        }
    } else if is_safe(cp)
        && starts_fresh(b, end)
        && let Some(c) = char::from_u32(cp)
    {
        let narrow = c.width().unwrap_or(0);
        let width = match ambiguous {
            AmbiguousWidth::Narrow => narrow,
            AmbiguousWidth::Wide => c.width_cjk().unwrap_or(0),
        };
        return Unit { end, width, class: classify(c, narrow >= 2) };
    }
    slow_unit(text, i, ambiguous)
}

/// The general case: ask the grapheme segmenter. Starting it at `i` gives the same cluster as
/// segmenting the whole text, because `i` is a boundary and no rule looks back across one.
#[cold]
fn slow_unit(text: &str, i: usize, ambiguous: AmbiguousWidth) -> Unit {
    let rest = text.get(i..).unwrap_or_default();
    let g = rest.graphemes(true).next().unwrap_or(rest);
    let end = i + g.len().max(1);
    let Some(first) = g.chars().next() else {
        return Unit { end, width: 0, class: 0 };
    };
    if let [b] = g.as_bytes() {
        // ASCII before a character the fast scan does not know.
        return Unit { end, width: usize::from((0x20..0x7F).contains(b)), class: ascii_class(*b) };
    }
    if first.is_control() {
        let class = if g.ends_with('\n') { NEWLINE } else { 0 };
        return Unit { end, width: 0, class };
    }
    let narrow = g.width();
    let width = match ambiguous {
        AmbiguousWidth::Narrow => narrow,
        AmbiguousWidth::Wide => g.width_cjk(),
    } + sound_marks(g);
    // A space carrying a combining mark is drawn as a mark, not a break: only a bare ASCII space
    // (the one-byte case above) is SPACE, which keeps every SPACE unit exactly one byte long.
    let class = if first == ' ' { 0 } else { classify(first, narrow >= 2) };
    Unit { end, width, class }
}

/// A legal break opportunity seen in the current row.
#[derive(Debug, Clone, Copy)]
struct Break {
    /// Where the next row would start (at a space run, the run becomes its skipped lead).
    pos: usize,
    /// Committed width of the current row before `pos`.
    width_at: usize,
    /// Width of the space run at `pos`, counted in the row since, and skipped after a break.
    skip: usize,
    /// Start of the first visible grapheme after the break.
    content_start: usize,
}

/// Greedy row filler. Spaces are held back in `run` until the next visible grapheme shows
/// whether they are inner spaces (counted), a break (skipped) or line-end spaces (hanging).
struct Wrapper {
    rows: Vec<Row>,
    max: usize,
    row_start: usize,
    /// The row began at a wrap, so its leading spaces are skipped.
    wrapped: bool,
    /// Width of the row's visible graphemes and inner spaces so far.
    width: usize,
    /// The row has a visible (non-space) grapheme.
    has_content: bool,
    /// Start of the row's first visible grapheme (meaningful once `has_content`).
    content_start: usize,
    /// Pending spaces right before the scan position (each one byte and one column).
    run: usize,
    /// Class, start and width of the last non-space grapheme.
    prev: u8,
    prev_pos: usize,
    prev_width: usize,
    /// The last legal break opportunity in this row.
    brk: Option<Break>,
}

impl Wrapper {
    fn new(max: usize, capacity: usize) -> Self {
        Wrapper {
            rows: Vec::with_capacity(capacity),
            max,
            row_start: 0,
            wrapped: false,
            width: 0,
            has_content: false,
            content_start: 0,
            run: 0,
            prev: 0,
            prev_pos: 0,
            prev_width: 0,
            brk: None,
        }
    }

    fn emit(&mut self, end: usize, width: usize) {
        let width = u16::try_from(width).unwrap_or(u16::MAX);
        self.rows.push(Row { start: self.row_start, end, width });
    }

    /// Starts an empty row at `pos`; the caller decides what happens to pending spaces.
    fn start_row(&mut self, pos: usize, wrapped: bool) {
        self.row_start = pos;
        self.wrapped = wrapped;
        self.width = 0;
        self.has_content = false;
        self.brk = None;
    }

    /// Runs the fast paths from `i` for as long as one of them applies, and returns where the
    /// general path has to take over. Spaces can always be taken. Hanzi and ASCII need a row
    /// with something visible on it and no pending spaces. Hanzi also need a grapheme before
    /// them that is not an opening mark, so that a break before each is legal; ASCII needs one
    /// that is not ideographic, so that there is no break opportunity before it at all.
    #[inline]
    fn fast_forward(&mut self, b: &[u8], mut i: usize) -> usize {
        loop {
            let before = i;
            if self.has_content && self.run == 0 {
                if self.prev & NO_END == 0 {
                    i = self.han_run(b, i);
                }
                if self.prev & IDEO == 0 {
                    i = self.ascii_run(b, i);
                }
            }
            // Spaces only join the pending run, whatever the state.
            while b.get(i) == Some(&b' ') && starts_fresh(b, i + 1) {
                self.run += 1;
                i += 1;
            }
            if i == before {
                return i;
            }
        }
    }

    /// Fast path: consumes printable non-space ASCII from `i` while it fits on the row (see
    /// `fast_forward` for the state it needs) and returns where it stopped. No break is possible
    /// between two of them, so each only adds a column.
    #[inline]
    fn ascii_run(&mut self, b: &[u8], mut i: usize) -> usize {
        let start = i;
        let mut width = self.width;
        let mut class = self.prev;
        while width < self.max {
            let Some(&c) = b.get(i) else { break };
            if !(0x21..0x7F).contains(&c) || !starts_fresh(b, i + 1) {
                break;
            }
            class = HOT[0][usize::from(c)].to_le_bytes()[0];
            width += 1;
            i += 1;
        }
        if i > start {
            self.width = width;
            self.prev = class;
            self.prev_pos = i - 1;
            self.prev_width = 1;
        }
        i
    }

    /// Fast path: consumes plain hanzi from `i` (in the state `fast_forward` checks) and returns
    /// where it stopped. A break before each of them is legal, so the state reduces to "fits,
    /// or starts a new row", with no grapheme segmentation.
    #[inline]
    fn han_run(&mut self, b: &[u8], mut i: usize) -> usize {
        let start = i;
        // Locals rather than fields, so the loop keeps them in registers.
        let mut width = self.width;
        // The last hanzi that followed something on its row: the latest legal break.
        let mut last_break = None;
        // Each character is looked at once, as the lookahead of the one before it.
        let mut here = han_at(b, i);
        while here {
            let next = han_at(b, i + 3);
            if !next && !starts_fresh(b, i + 3) {
                break;
            }
            if width + 2 > self.max {
                self.emit(i, width);
                self.start_row(i, true);
                self.has_content = true;
                self.content_start = i;
                width = 0;
                last_break = None;
            } else {
                last_break = Some((i, width));
            }
            width += 2;
            i += 3;
            here = next;
        }
        self.width = width;
        if i > start {
            self.prev = IDEO;
            self.prev_pos = i - 3;
            self.prev_width = 2;
        }
        if let Some((pos, width_at)) = last_break {
            self.brk = Some(Break { pos, width_at, skip: 0, content_start: pos });
        }
        i
    }

    /// Adds the grapheme `unit` that starts at byte `p`.
    fn push(&mut self, p: usize, unit: Unit) {
        if unit.class & SPACE != 0 {
            self.run += 1;
            return;
        }
        if unit.class & NEWLINE != 0 {
            // Pending spaces hang at the end of the line and are not counted.
            self.emit(unit.end, self.width);
            self.start_row(unit.end, false);
            self.run = 0;
            return;
        }
        loop {
            let run_start = p - self.run;
            // Spaces before the first visible grapheme are shown only at the start of a line.
            let add_run = if !self.has_content && self.wrapped { 0 } else { self.run };
            let legal = self.prev & NO_END == 0 && unit.class & NO_START == 0;
            let candidate = if !self.has_content || !legal {
                None
            } else if self.run > 0 {
                Some(Break { pos: run_start, width_at: self.width, skip: self.run, content_start: p })
            } else if (self.prev | unit.class) & IDEO != 0 {
                Some(Break { pos: p, width_at: self.width, skip: 0, content_start: p })
            } else {
                None
            };

            // An over-wide grapheme on an otherwise empty row stays: nothing else could go first.
            if self.width + add_run + unit.width <= self.max || (!self.has_content && add_run == 0) {
                if candidate.is_some() {
                    self.brk = candidate;
                }
                if !self.has_content {
                    self.has_content = true;
                    self.content_start = p;
                }
                self.width += add_run + unit.width;
                self.run = 0;
                self.prev = unit.class;
                self.prev_pos = p;
                self.prev_width = unit.width;
                return;
            }

            if let Some(c) = candidate {
                // Break right here; pending spaces stay pending and become the skipped lead.
                self.emit(c.pos, self.width);
                self.start_row(c.pos, true);
                continue;
            }
            if let Some(b) = self.brk.take() {
                // Move the break back to the last legal opportunity; what followed it moves along.
                self.emit(b.pos, b.width_at);
                let moved = self.width.saturating_sub(b.width_at + b.skip);
                self.start_row(b.pos, true);
                self.width = moved;
                self.has_content = true;
                self.content_start = b.content_start;
                continue;
            }

            // No legal break anywhere in the row: break at the natural point anyway.
            if add_run > 0 && self.width + add_run > self.max {
                // The spaces themselves overflow: fill the row, the rest lead the next one.
                let fill = self.max.saturating_sub(self.width);
                self.emit(run_start + fill, self.width + fill);
                self.start_row(run_start + fill, true);
                self.run -= fill;
                continue;
            }
            if self.run == 0 && self.prev & unit.class & TWIN != 0 && self.prev_pos > self.content_start {
                // Rather than split `——` or `……`, carry the first half over with the second.
                self.emit(self.prev_pos, self.width - self.prev_width);
                self.start_row(self.prev_pos, true);
                self.width = self.prev_width;
                self.has_content = true;
                self.content_start = self.prev_pos;
                continue;
            }
            self.width += add_run;
            self.emit(p, self.width);
            self.start_row(p, true);
            self.run = 0;
        }
    }

    fn finish(mut self, len: usize) -> Vec<Row> {
        // A text ending in a newline has already emitted its last row.
        if self.row_start < len || self.rows.is_empty() {
            self.emit(len, self.width);
        }
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const N: AmbiguousWidth = AmbiguousWidth::Narrow;
    const W: AmbiguousWidth = AmbiguousWidth::Wide;

    /// The visible text of each row, the form most assertions read best in.
    fn shown(text: &str, width: u16, ambiguous: AmbiguousWidth) -> Vec<&str> {
        wrap(text, width, ambiguous).iter().map(|r| r.visible(text)).collect()
    }

    /// Class of a grapheme, the way the wrapper's general path computes it.
    fn class_of(g: &str) -> u8 {
        match g {
            " " => SPACE,
            "\n" | "\r\n" => NEWLINE,
            _ => {
                let first = g.chars().next().unwrap();
                if first.is_control() || first == ' ' { 0 } else { classify(first, g.width() >= 2) }
            }
        }
    }

    /// Legal break points by byte offset, computed straight from the rules over the whole
    /// grapheme list (no greedy state), to judge the wrapper's forced breaks.
    fn legal_breaks(text: &str) -> Vec<bool> {
        let gs: Vec<(usize, u8)> = text.grapheme_indices(true).map(|(i, g)| (i, class_of(g))).collect();
        let mut legal = vec![false; text.len() + 1];
        for k in 1..gs.len() {
            let (q, b) = gs[k];
            let a = gs[k - 1].1;
            if (a | b) & NEWLINE != 0 || a & SPACE != 0 {
                continue;
            }
            legal[q] = if b & SPACE != 0 {
                match gs[k..].iter().find(|g| g.1 & SPACE == 0) {
                    Some(&(_, c)) => c & NEWLINE == 0 && a & NO_END == 0 && c & NO_START == 0,
                    None => false,
                }
            } else {
                (a | b) & IDEO != 0 && a & NO_END == 0 && b & NO_START == 0
            };
        }
        legal
    }

    /// The wrapper fed by the segmenter one grapheme at a time, without the fast scan or the
    /// fast paths; `wrap` must give exactly the same rows.
    fn wrap_reference(text: &str, width: u16, ambiguous: AmbiguousWidth) -> Vec<Row> {
        let mut wrapper = Wrapper::new(usize::from(width.max(1)), 0);
        for (i, g) in text.grapheme_indices(true) {
            wrapper.push(i, Unit { end: i + g.len(), width: grapheme_width(g, ambiguous), class: class_of(g) });
        }
        wrapper.finish(text.len())
    }

    /// Every invariant of TST-01 for one text, width and setting.
    fn check_invariants(text: &str, width: u16, ambiguous: AmbiguousWidth) {
        let rows = wrap(text, width, ambiguous);
        let max = usize::from(width.max(1));
        let ctx = format!("text {text:?} width {width} {ambiguous:?} rows {rows:?}");
        if text.is_empty() {
            assert_eq!(rows, vec![Row { start: 0, end: 0, width: 0 }], "{ctx}");
            return;
        }
        assert_eq!(rows[0].start, 0, "{ctx}");
        assert_eq!(rows.last().unwrap().end, text.len(), "{ctx}");
        for pair in rows.windows(2) {
            assert_eq!(pair[0].end, pair[1].start, "rows not contiguous: {ctx}");
            assert!(pair[0].start < pair[1].start, "starts not increasing: {ctx}");
        }
        let joined: String = rows.iter().map(|r| &text[r.start..r.end]).collect();
        assert_eq!(joined, text, "{ctx}");

        let mut boundary = vec![false; text.len() + 1];
        for (i, _) in text.grapheme_indices(true) {
            boundary[i] = true;
        }
        boundary[text.len()] = true;
        let legal = legal_breaks(text);

        for (i, row) in rows.iter().enumerate() {
            assert!(row.start < row.end, "empty row {i}: {ctx}");
            assert!(boundary[row.start] && boundary[row.end], "row {i} splits a grapheme: {ctx}");
            let vis = row.visible(text);
            let measured: usize = vis.graphemes(true).map(|g| grapheme_width(g, ambiguous)).sum();
            assert_eq!(display_width(vis, ambiguous), measured, "display_width of {vis:?}: {ctx}");
            assert_eq!(usize::from(row.width), measured.min(usize::from(u16::MAX)), "row {i} width: {ctx}");
            if measured > max {
                assert_eq!(vis.graphemes(true).count(), 1, "row {i} too wide: {ctx}");
            }

            // Kinsoku may only be broken where the row offered no legal break at all.
            let Some(next) = rows.get(i + 1) else { continue };
            if text[..row.end].ends_with('\n') {
                continue;
            }
            let last = vis.graphemes(true).next_back().map_or(0, class_of);
            let first = next.visible(text).graphemes(true).next().map_or(0, class_of);
            if last & NO_END != 0 || first & NO_START != 0 {
                let inside = (row.start + 1..row.end).find(|&q| legal[q]);
                assert_eq!(inside, None, "row {i} broke kinsoku though it had a legal break: {ctx}");
            }
        }
    }

    #[test]
    fn empty_text_gives_one_empty_row() {
        assert_eq!(wrap("", 10, N), vec![Row { start: 0, end: 0, width: 0 }]);
        assert_eq!(wrap("", 0, W), vec![Row { start: 0, end: 0, width: 0 }]);
    }

    #[test]
    fn width_zero_is_treated_as_one() {
        assert_eq!(wrap("abc", 0, N), wrap("abc", 1, N));
        assert_eq!(shown("ab", 0, N), ["a", "b"]);
    }

    #[test]
    fn short_text_is_one_row() {
        assert_eq!(wrap("新闻 news", 80, N), vec![Row { start: 0, end: 11, width: 9 }]);
    }

    #[test]
    fn hanzi_break_anywhere() {
        assert_eq!(shown("上海合作组织政党论坛", 8, N), ["上海合作", "组织政党", "论坛"]);
        // An odd width leaves a column free rather than splitting a character.
        assert_eq!(shown("上海合作组织", 5, N), ["上海", "合作", "组织"]);
    }

    #[test]
    fn no_row_starts_with_fullwidth_comma() {
        // The natural break falls before `，`; the character before it moves down too.
        assert_eq!(shown("上海合作，组织", 8, N), ["上海合", "作，组织"]);
    }

    #[test]
    fn no_row_starts_with_ideographic_full_stop() {
        assert_eq!(shown("成功举办了。来自", 10, N), ["成功举办", "了。来自"]);
    }

    #[test]
    fn no_row_starts_with_closing_quote() {
        // Narrow: `”` is one column, so the row is full after 庭 and the quote overflows.
        assert_eq!(shown("有助于“上合大家庭”凝聚", 17, N), ["有助于“上合大家", "庭”凝聚"]);
        assert_eq!(shown("大家庭”凝聚", 6, N), ["大家", "庭”凝", "聚"]);
    }

    #[test]
    fn no_row_starts_with_ascii_comma_in_chinese_text() {
        // The seed texts use ASCII punctuation between hanzi.
        assert_eq!(shown("出席论坛,与会各方", 8, N), ["出席论", "坛,与会", "各方"]);
    }

    #[test]
    fn no_row_ends_with_opening_quote() {
        assert_eq!(shown("围绕“弘扬", 5, N), ["围绕", "“弘扬"]);
    }

    #[test]
    fn no_row_ends_with_opening_paren() {
        assert_eq!(shown("协议（草案", 6, N), ["协议", "（草案"]);
        assert_eq!(shown("协议（草案）全文", 6, N), ["协议", "（草", "案）全", "文"]);
    }

    #[test]
    fn latin_words_stay_whole() {
        assert_eq!(
            shown("the Shanghai Cooperation Organisation", 12, N),
            ["the Shanghai", "Cooperation", "Organisation"]
        );
    }

    #[test]
    fn leading_space_of_a_wrapped_row_is_covered_but_skipped() {
        let rows = wrap("hello world", 5, N);
        assert_eq!(rows, vec![Row { start: 0, end: 5, width: 5 }, Row { start: 5, end: 11, width: 5 }]);
        assert_eq!(rows[1].visible("hello world"), "world");
    }

    #[test]
    fn indentation_of_a_line_is_kept() {
        assert_eq!(shown("  ab cd", 5, N), ["  ab", "cd"]);
        assert_eq!(wrap("  ab cd", 5, N)[0].width, 4);
    }

    #[test]
    fn trailing_spaces_hang_instead_of_opening_a_row() {
        assert_eq!(wrap("abc     ", 4, N), vec![Row { start: 0, end: 8, width: 3 }]);
        assert_eq!(wrap("   ", 2, N), vec![Row { start: 0, end: 3, width: 0 }]);
    }

    #[test]
    fn long_url_is_broken_by_grapheme() {
        let text = "见 https://example.com/a/very/long/path?q=1 全文";
        let rows = shown(text, 10, N);
        assert_eq!(rows, ["见", "https://ex", "ample.com/", "a/very/lon", "g/path?q=1", "全文"]);
    }

    #[test]
    fn em_dash_pair_stays_together() {
        // `——` may not start a row, so the character before it comes along.
        assert_eq!(shown("他说——好的", 5, N), ["他", "说——", "好的"]);
        assert_eq!(shown("他说——好的", 7, W), ["他", "说——", "好的"]);
        // Forced (nothing but dashes): split the run of pairs between pairs, not inside one.
        assert_eq!(shown("————", 3, N), ["——", "——"]);
    }

    #[test]
    fn ellipsis_pair_stays_together() {
        assert_eq!(shown("等等……好", 5, N), ["等", "等……", "好"]);
        assert_eq!(shown("…………", 3, N), ["……", "……"]);
    }

    #[test]
    fn combining_marks_are_not_split() {
        let text = "ne\u{301}e\u{301}e\u{301}";
        assert_eq!(shown(text, 2, N), ["ne\u{301}", "e\u{301}e\u{301}"]);
        for w in 1..5 {
            check_invariants(text, w, N);
        }
    }

    #[test]
    fn emoji_zwj_sequences_and_flags_are_not_split() {
        let family = "👨\u{200d}👩\u{200d}👧";
        let text = format!("{family}{family}🇨🇳👍🏽");
        let rows = shown(&text, 2, N);
        assert_eq!(rows, [family, family, "🇨🇳", "👍🏽"]);
        assert_eq!(wrap(&text, 2, N)[0].width, 2);
    }

    #[test]
    fn ambiguous_width_changes_the_row_count() {
        let text = "“中文”“中文”“中文”“中文”";
        assert_eq!(display_width(text, N), 24);
        assert_eq!(display_width(text, W), 32);
        assert_eq!(wrap(text, 24, N).len(), 1);
        assert_eq!(wrap(text, 24, W).len(), 2);
        for rows in [wrap(text, 24, W), wrap(text, 7, W), wrap(text, 7, N)] {
            assert!(rows.iter().all(|r| r.width <= 24));
        }
    }

    #[test]
    fn width_one_gives_each_hanzi_its_own_row_at_full_width() {
        let rows = wrap("中文，", 1, N);
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.width == 2 && r.end - r.start == 3));
    }

    #[test]
    fn width_two_fits_one_hanzi_per_row() {
        assert_eq!(shown("中文新闻", 2, N), ["中", "文", "新", "闻"]);
        // No legal break in a one-character row: `，` starts a row by force.
        assert_eq!(shown("中，文", 2, N), ["中", "，", "文"]);
        assert_eq!(shown("a中b", 2, N), ["a", "中", "b"]);
    }

    #[test]
    fn newline_is_a_forced_break() {
        let text = "ab\ncd\n";
        assert_eq!(wrap(text, 80, N), vec![Row { start: 0, end: 3, width: 2 }, Row { start: 3, end: 6, width: 2 }]);
        assert_eq!(shown("ab  \r\n  cd", 80, N), ["ab", "  cd"]);
        assert_eq!(shown("\n\n", 80, N), ["", ""]);
    }

    #[test]
    fn halfwidth_katakana_with_voicing_mark_is_one_grapheme() {
        // As ratatui draws it: one cell more than unicode-width says.
        assert_eq!(grapheme_width("ｶﾞ", N), 3);
        assert_eq!(shown("ｶﾞｷﾞ", 3, N), ["ｶﾞ", "ｷﾞ"]);
    }

    #[test]
    fn control_characters_take_no_column() {
        assert_eq!(display_width("a\u{1b}b\u{85}c", N), 3);
        assert_eq!(grapheme_width("\r\n", W), 0);
    }

    #[test]
    fn oversized_grapheme_after_spaces_keeps_the_row_free_of_blank_rows() {
        assert_eq!(shown("a 中 b", 1, N), ["a", "中", "b"]);
        assert_eq!(shown("  中", 1, N), [" ", "中"]);
    }

    /// The fast scan measures and classes a lone character as the general path does.
    fn assert_single_unit(c: char) {
        let s = c.to_string();
        for amb in [N, W] {
            let u = next_unit(&s, 0, amb);
            assert_eq!((u.end, u.width, u.class), (s.len(), grapheme_width(&s, amb), class_of(&s)), "{c:?} {amb:?}");
        }
    }

    #[test]
    fn ascii_units_match_the_general_path() {
        (0..0x80).filter_map(char::from_u32).for_each(assert_single_unit);
    }

    // Found by `wrap_invariants_hold` (proptest-regressions): `visible` trimmed the space off a
    // space-plus-combining-mark grapheme, splitting it.
    #[test]
    fn regression_space_with_combining_mark_is_not_trimmed() {
        let text = "0 \u{301}";
        assert_eq!(shown(text, 1, N), ["0", " \u{301}"]);
        check_invariants(text, 1, N);
    }

    // Found by `wrap_invariants_hold`: a space before a conjoining jamo went to the segmenter,
    // which classed it as a letter, so it was neither skipped nor a break.
    #[test]
    fn regression_space_before_jamo_is_still_a_space() {
        let text = "  \u{1100}\u{1161}\u{11a8}";
        assert_eq!(shown(text, 1, N), [" ", "\u{1100}\u{1161}\u{11a8}"]);
        check_invariants(text, 1, W);
    }

    #[test]
    fn safe_chars_are_single_graphemes() {
        // The fast scan takes `is_safe` characters one `char` at a time; check that claim, and
        // the widths it assumes, against the segmenter for every listed code point.
        let mut count = 0;
        for c in (0..=u32::from(char::MAX)).filter(|&cp| is_safe(cp)).filter_map(char::from_u32) {
            count += 1;
            assert!(!c.is_control(), "{c:?}");
            for s in [format!("a{c}"), format!("{c}a"), format!("가{c}"), format!("{c}가"), format!("{c}{c}")] {
                assert_eq!(s.graphemes(true).count(), 2, "{s:?}");
            }
            assert_eq!(format!("{c}\u{301}").graphemes(true).count(), 1, "{c:?} is not a base");
            assert_single_unit(c);
            let s = c.to_string();
            assert_eq!(han_at(s.as_bytes(), 0), ('\u{4E00}'..='\u{9FFF}').contains(&c), "{c:?}");
            if han_at(s.as_bytes(), 0) {
                assert_eq!(classify(c, c.width() == Some(2)), IDEO, "{c:?}");
                assert_eq!((c.width(), c.width_cjk()), (Some(2), Some(2)), "{c:?}");
            }
        }
        assert!(count > 40_000);
    }

    /// The scan's graphemes, widths and classes equal the segmenter's.
    fn assert_scan_agrees(text: &str) {
        for amb in [N, W] {
            let mut i = 0;
            let mut ours = Vec::new();
            while i < text.len() {
                let u = next_unit(text, i, amb);
                ours.push((i, u.end, u.width, u.class));
                i = u.end;
            }
            let theirs: Vec<_> = text
                .grapheme_indices(true)
                .map(|(i, g)| (i, i + g.len(), grapheme_width(g, amb), class_of(g)))
                .collect();
            assert_eq!(ours, theirs, "{text:?}");
            assert_eq!(display_width(text, amb), theirs.iter().map(|u| u.2).sum::<usize>());
        }
    }

    #[test]
    fn scan_agrees_with_the_segmenter() {
        assert_scan_agrees("由中共中央,“上合”——e\u{301}👨\u{200d}👩\u{200d}👧 ｶﾞ\u{3000}한\u{1100}\u{1161}\r\n①※…(x)");
        // A space before a character only the segmenter handles is still a space.
        assert_scan_agrees("  \u{1100}\u{1161}\u{11a8} \u{600}1 \u{301}");
    }

    #[test]
    fn tst_01_seed_paragraphs_keep_the_invariants() {
        let text = "与会人士认为,论坛为上海合作组织国家交流治国理政经验提供了重要平台,不仅有助于“上合大家庭”凝聚\
                    共识,推动各国携手同行现代化之路。“政党既是国家发展的核心力量。”叶尔梅克巴耶夫(Yermekbayev)说。";
        for w in 1..=90 {
            check_invariants(text, w, N);
            check_invariants(text, w, W);
        }
    }

    /// One piece of generated text; the mix follows TST-01.
    fn fragment() -> impl Strategy<Value = String> {
        let pick = |items: &[&str]| prop::sample::select(items.iter().map(ToString::to_string).collect::<Vec<_>>());
        prop_oneof![
            4 => "[a-zA-Z0-9]{1,12}",
            3 => " {1,3}",
            4 => "[\u{4E00}-\u{9FFF}]{1,12}",
            1 => pick(&["㐀", "䶵", "䷀", "\u{20000}", "々", "〜", "ー", "shàng", "hǎi", "Ωμέγα", "\u{a0}"]),
            3 => pick(&["，", "。", "、", "；", "：", "？", "！", "（", "）", "「", "」", "『", "』", "《", "》",
                        "【", "】", "〔", "〕", "〈", "〉", "％", "．", "［", "］"]),
            3 => pick(&["“", "”", "‘", "’", "…", "……", "—", "——", "·", "①", "※", "℃", "‰"]),
            2 => pick(&[",", ".", ";", ":", "?", "!", "(", ")", "[", "]", "{", "}", "%", "-", "/"]),
            2 => pick(&["👨\u{200d}👩\u{200d}👧", "👍🏽", "❤\u{fe0f}", "☺\u{fe0f}", "🇨🇳", "🇺🇸", "🇨", "😀", "☺"]),
            2 => pick(&["e\u{301}", "a\u{300}\u{301}", "\u{301}", "n\u{303}\u{308}", " \u{301}", "中\u{302}"]),
            2 => pick(&["한국어", "\u{1100}\u{1161}\u{11a8}", "\u{1100}\u{1100}", "각", "\u{1161}"]),
            1 => pick(&["ｶﾞ", "ｶ", "ﾞ", "｡", "｢", "｣", "\u{3000}", "\u{3000}\u{3000}"]),
            1 => "[a-z]{40,300}",
            1 => "[\u{4E00}-\u{4E10}]{40,300}",
            1 => pick(&["", "\n", "\r\n"]),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(fragment(), 0..40).prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn tst_01_wrap_invariants_hold(text in text(), widths in prop::collection::vec(1u16..=200, 6)) {
            for w in widths.into_iter().chain([1, 2, 3]) {
                check_invariants(&text, w, N);
                check_invariants(&text, w, W);
            }
        }

        #[test]
        fn scan_matches_the_segmenter(text in text()) {
            assert_scan_agrees(&text);
        }

        #[test]
        fn fast_paths_match_the_general_path(text in text(), widths in prop::collection::vec(1u16..=200, 6)) {
            for w in widths.into_iter().chain([1, 2, 3]) {
                prop_assert_eq!(wrap(&text, w, N), wrap_reference(&text, w, N));
                prop_assert_eq!(wrap(&text, w, W), wrap_reference(&text, w, W));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        /// TST-01's 10k-character runs with no break, between ordinary text.
        #[test]
        fn tst_01_long_unbreakable_runs_keep_the_invariants(
            head in text(), run in "[a-z0-9]{10000}", tail in text(), w in 1u16..=200,
        ) {
            let text = format!("{head}{run}{tail}");
            check_invariants(&text, w, N);
            check_invariants(&text, w, W);
        }
    }
}

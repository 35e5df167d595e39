//! STUB (replaced by helper): CJK-aware wrapping.
use unicode_width::UnicodeWidthStr;
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AmbiguousWidth {
    #[default]
    Narrow,
    Wide,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub start: usize,
    pub end: usize,
    pub width: u16,
}
pub fn display_width(s: &str, _a: AmbiguousWidth) -> usize {
    s.width()
}
pub fn grapheme_width(g: &str, a: AmbiguousWidth) -> usize {
    display_width(g, a)
}
pub fn wrap(text: &str, width: u16, a: AmbiguousWidth) -> Vec<Row> {
    let width = usize::from(width.max(1));
    let mut rows = Vec::new();
    let mut start = 0;
    let mut w = 0;
    for (i, c) in text.char_indices() {
        let cw = display_width(c.encode_utf8(&mut [0; 4]), a);
        if w + cw > width && i > start {
            rows.push(Row { start, end: i, width: w as u16 });
            start = i;
            w = 0;
        }
        w += cw;
    }
    rows.push(Row { start, end: text.len(), width: w as u16 });
    rows
}

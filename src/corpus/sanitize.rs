//! Display safety: neutralise control and invisible characters once, right after decoding.
//!
//! [`sanitize`] runs on the decoded text (CRLF and lone CR already turned into `'\n'`)
//! before anything else looks at it: cleaning, segmentation, wrapping, search and
//! bookmark offsets all see the same display-safe string, so no later stage has to
//! think about terminal escapes and every byte offset stays valid from here on.
//!
//! # Policy
//!
//! | Input | Handling | Listed in `removed` |
//! |---|---|---|
//! | `'\n'` | kept | – |
//! | TAB | spaces up to the next multiple of [`TAB_STOP`] display columns, counted from the line start with `unicode-width` (a Han character is 2 columns) | no |
//! | other C0 (U+0000–U+001F) | the matching Control Picture, U+2400 + code (ESC → `␛`, a stray CR → `␍`) | no (visible) |
//! | DEL (U+007F) | `␡` (U+2421) | no (visible) |
//! | C1 (U+0080–U+009F) | U+FFFD; but in a text that shows it went through Windows-1252 and was read as Latin-1 (a line holds a Windows-1252 quotation pair, `\u{93}…\u{94}` or `\u{91}…\u{92}`), the Windows-1252 character for that byte when it has one (`\u{93}` → `“`) | no (visible) |
//! | `Bidi_Control` and other `Default_Ignorable_Code_Point`s (U+200B, U+2060, U+FEFF, U+00AD, U+034F, Hangul fillers, variation selectors, tags, …) | removed | yes, [`RemovedKind::Invisible`], e.g. `U+202E` or `U+200B ×3` for an adjacent run |
//! | ZWJ (U+200D), VS15/VS16 (U+FE0E/U+FE0F) | kept when the previous output character or the next input character is an emoji / pictograph, otherwise removed as above | only when removed |
//! | combining marks | at most [`MAX_COMBINING`] in a row after one base character, and no more than fit in [`MAX_CLUSTER_BYTES`] with it; the rest are dropped | yes, one [`RemovedKind::CombiningFlood`] per run, e.g. `U+0301 ×9984` |
//!
//! Escape sequences are therefore *shown*, never removed: only their introducer is a
//! control character, so `ESC[2J` becomes the inert text `␛[2J`, an 8-bit CSI becomes
//! `�2J`, and unterminated sequences need no special case. Replacements are visible,
//! which is why they are not reported; removals are invisible, which is why they are.
//! Line numbers in the report are 1-based lines of the input.
//!
//! The whole pass is idempotent and its output satisfies [`is_display_safe`]. To keep
//! it so, the mark cap and the emoji-neighbour test look at the *output*: an invisible
//! removed between two marks does not restart the count, and a ZWJ whose emoji
//! neighbour was hidden behind a removed invisible is judged on what ends up next to it.
//!
//! # Speed
//!
//! This runs over every byte of the corpus, so the common case (nothing to change) is a
//! byte scan that skips CJK ideographs and Hangul by lead byte and decodes only the few
//! non-ASCII characters that could matter; text without anything to fix is returned as
//! a plain copy. When something needs fixing, the same scan finds the next position to
//! handle and everything before it is copied in bulk.

use std::borrow::Cow;

use super::{Removed, RemovedKind};
use unicode_normalization::char::is_combining_mark;
use unicode_width::UnicodeWidthStr;

/// Display columns between tab stops.
pub const TAB_STOP: usize = 8;

/// Combining marks kept after one base character; more than this is a "Zalgo" flood
/// that would make one terminal cell carry kilobytes.
pub const MAX_COMBINING: usize = 16;

/// Bytes a base character and its kept combining marks may take together: the
/// per-cell budget of docs/reliability.md (§6). Only 4-byte marks can reach it within
/// [`MAX_COMBINING`] marks.
pub const MAX_CLUSTER_BYTES: usize = 64;

/// The combining-mark run being scanned or written: marks since the last base
/// character, and bytes of that base plus its marks.
#[derive(Clone, Copy, Default)]
struct Run {
    marks: usize,
    bytes: usize,
}

impl Run {
    fn base(len: usize) -> Run {
        Run { marks: 0, bytes: len }
    }

    /// Whether one more mark of `len` bytes stays within the caps.
    fn fits(self, len: usize) -> bool {
        self.marks < MAX_COMBINING && self.bytes + len <= MAX_CLUSTER_BYTES
    }

    fn add(self, len: usize) -> Run {
        Run { marks: self.marks + 1, bytes: self.bytes + len }
    }
}

const ZWJ: char = '\u{200D}';
const VS15: char = '\u{FE0E}';
const VS16: char = '\u{FE0F}';

/// Returns the display-safe text and what was taken out (with 1-based line numbers).
///
/// Text handed over owned comes back as it is when nothing needed changing, as nearly every
/// file's does: no copy of a whole file.
pub fn sanitize<'a>(text: impl Into<Cow<'a, str>>) -> (String, Vec<Removed>) {
    let text = text.into();
    let bytes = text.as_bytes();
    let (stop, run) = scan_plain(bytes, 0, Run::default(), true);
    if stop == bytes.len() {
        return (text.into_owned(), Vec::new());
    }
    Sanitizer::new(&text).run(stop, run)
}

/// The Windows-1252 character for byte `u` in 0x80–0x9F, if it defines one.
/// Five bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) are undefined there.
fn windows_1252(u: u32) -> Option<char> {
    const TABLE: [char; 32] = [
        '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0', '‘', '’', '“', '”',
        '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
    ];
    let c = *TABLE.get(usize::try_from(u.checked_sub(0x80)?).ok()?)?;
    (c != '\0').then_some(c)
}

/// A name from the file system (or a note's label) made display-safe: names do not come
/// through the text sanitiser and may hold escapes, line breaks, bidi overrides or a stray
/// joiner (ESC-06); a line break is shown as `␤`, since a name is one line.
pub fn display_name(name: &str) -> String {
    sanitize(name).0.replace('\n', "␤")
}

/// True when no C0 (other than `'\n'`), DEL, C1, `Bidi_Control` or stray
/// default-ignorable code point remains. ZWJ and VS15/VS16 are allowed next to an
/// emoji, exactly as [`sanitize`] keeps them.
pub fn is_display_safe(text: &str) -> bool {
    // Combining marks are not this function's concern, hence no cap in the scan.
    let (stop, _) = scan_plain(text.as_bytes(), 0, Run::default(), false);
    let Some(rest) = text.get(stop..).filter(|rest| !rest.is_empty()) else {
        return true;
    };
    let mut prev: Option<char> = text.get(..stop).and_then(|head| head.chars().next_back());
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        let u = c as u32;
        let unsafe_char = if u < 0x20 {
            c != '\n'
        } else if u < 0x7F {
            false
        } else if u <= 0x9F {
            // DEL and the C1 block.
            true
        } else if is_invisible(c) {
            let next = chars.peek().copied();
            // The sanitiser's rule: a joiner after an emoji, or before one when it follows a
            // kept joiner (❤ VS16 ZWJ 🔥) or the emoji is the keycap mark joining its cluster.
            let next_joins =
                next.is_some_and(|n| is_pictographic(n) && (is_combining_mark(n) || prev.is_some_and(is_emoji_joiner)));
            !(is_emoji_joiner(c) && (prev.is_some_and(is_pictographic) || next_joins))
        } else {
            false
        };
        if unsafe_char {
            return false;
        }
        prev = Some(c);
    }
    true
}

/// What the scanner needs to know about one non-ASCII character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Copied as is; ends a run of combining marks.
    Plain,
    /// A combining mark: copied while the run is within the cap.
    Mark,
    /// C1 or default-ignorable: always handled one by one.
    Special,
}

/// Scans from `i`, in the middle of `run`, and returns the byte position of the first
/// character that needs handling (or the length) and the run at that position. A
/// character needs handling when it is a control, C1 or invisible character, or (with
/// `capped`) a combining mark beyond the caps. Everything before the returned position
/// can be copied verbatim.
fn scan_plain(bytes: &[u8], i: usize, run: Run, capped: bool) -> (usize, Run) {
    scan(bytes, i, run, capped, true)
}

/// Whether the character whose UTF-8 starts with `x0 x1 x2` (or any position inside one)
/// may need handling. False only for characters that are plain for certain: printable
/// ASCII and the line break, Latin-1 and Latin Extended letters (`·`, pinyin's tone-marked
/// vowels, U+00A0–02FF but the soft hyphen), and the three-byte forms Chinese text is made
/// of (ideographs and Hangul, `“”—…` U+2010–2027, `、。《》「」` U+3000–3029, full-width forms
/// U+FF01–FF9F).
/// Written without branches on the bytes, so that a block of positions is tested at once.
#[expect(clippy::needless_bitwise_bool, reason = "`&` and `|` keep the block test branch-free, so it vectorises")]
fn may_need_care(x0: u8, x1: u8, x2: u8) -> bool {
    let control = (x0 < 0x20) & (x0 != b'\n') | (x0 == 0x7F);
    let plain_two = ((x0 == 0xC2) & (x1 >= 0xA0) & (x1 != 0xAD)) | (0xC3..=0xCB).contains(&x0);
    let plain_three = matches!(x0, 0xE4..=0xE9 | 0xEB..=0xED)
        | ((x0 == 0xE2) & (x1 == 0x80) & (0x90..=0xA7).contains(&x2))
        | ((x0 == 0xE3) & (x1 == 0x80) & (x2 <= 0xA9))
        | ((x0 == 0xEF) & (((x1 == 0xBC) & (x2 >= 0x81)) | (x1 == 0xBD) | ((x1 == 0xBE) & (x2 <= 0x9F))));
    // Continuation bytes (0x80–0xBF) belong to a character judged at its first byte.
    control | ((x0 >= 0xC0) & !plain_two & !plain_three)
}

/// [`scan_plain`]; with `blocks`, runs of characters that are plain for certain (see
/// [`may_need_care`]) are passed over sixteen positions at a time.
fn scan(bytes: &[u8], mut i: usize, mut run: Run, capped: bool, blocks: bool) -> (usize, Run) {
    let mut next_block = i;
    while let Some(&b) = bytes.get(i) {
        if blocks && i >= next_block {
            let at = super::scan::first_block(bytes, i, may_need_care);
            if at > i {
                // Back to the start of the character the block's end falls in (one judged
                // plain, since its first byte was tested): the scan goes on from there.
                i = (i + 1..=at).rev().find(|&k| !matches!(bytes.get(k), Some(0x80..=0xBF))).unwrap_or(at);
                // The character before was passed over, so it is a plain base.
                let last = (i.saturating_sub(4)..i).rev().find(|&k| !matches!(bytes[k], 0x80..=0xBF)).unwrap_or(i - 1);
                run = Run::base(i - last);
                continue;
            }
            // A block with something to look at: one by one for a while.
            next_block = i + 2 * super::scan::LANES;
        }
        if b < 0x80 {
            if (b < 0x20 && b != b'\n') || b == 0x7F {
                return (i, run);
            }
            run = Run::base(1);
            i += 1;
            continue;
        }
        // Lead bytes E4–E9 (U+4000–U+9FFF: CJK ideographs, hexagrams) and EB–ED
        // (U+B000–U+DFFF: Hangul) start no control, invisible or combining character,
        // and they are the bulk of Chinese text, so they are skipped undecoded. (A
        // branch beats a lookup table here: the predicted jump lets the CPU run ahead.)
        if matches!(b, 0xE4..=0xE9 | 0xEB..=0xED) {
            run = Run::base(3);
            i += 3;
            continue;
        }
        let Some((c, len)) = decode_at(bytes, i) else {
            // Unreachable for a `&str`; handing the position to the careful path is safe.
            return (i, run);
        };
        match classify(c) {
            Class::Plain => run = Run::base(len),
            Class::Mark => {
                if capped && !run.fits(len) {
                    return (i, run);
                }
                run = run.add(len);
            }
            Class::Special => return (i, run),
        }
        i += len;
    }
    (bytes.len(), run)
}

/// Decodes the multi-byte UTF-8 sequence starting at `i` (the lead byte is ≥ 0xC0).
fn decode_at(bytes: &[u8], i: usize) -> Option<(char, usize)> {
    let lead = u32::from(*bytes.get(i)?);
    let (len, mut code) = match lead {
        0xC0..=0xDF => (2, lead & 0x1F),
        0xE0..=0xEF => (3, lead & 0x0F),
        0xF0..=0xF7 => (4, lead & 0x07),
        _ => return None,
    };
    for &t in bytes.get(i + 1..i + len)? {
        code = (code << 6) | (u32::from(t) & 0x3F);
    }
    char::from_u32(code).map(|c| (c, len))
}

fn classify(c: char) -> Class {
    // Ranges that hold nothing special and that Chinese text uses constantly:
    // punctuation (“”—…、。《》，：（）) and the pinyin letters of gateway notes
    // (Latin-1 and Latin Extended, below the combining block at U+0300). Answering
    // them here avoids the table lookup below.
    if matches!(
        c as u32,
        0x00A0..=0x00AC | 0x00AE..=0x02FF | 0x2010..=0x2027 | 0x2030..=0x205F | 0x3000..=0x3029 | 0x3030..=0x3098 | 0x309B..=0x3163 | 0x3165..=0x33FF | 0xFF01..=0xFF9F
    ) {
        return Class::Plain;
    }
    if is_c1(c) || is_invisible(c) {
        Class::Special
    } else if is_combining_mark(c) {
        Class::Mark
    } else {
        Class::Plain
    }
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9F}').contains(&c)
}

/// `Default_Ignorable_Code_Point` (Unicode 15), which includes every `Bidi_Control`
/// character. These draw nothing, so a terminal either hides them (text that reads
/// differently from what is stored) or reorders the line around them.
fn is_invisible(c: char) -> bool {
    matches!(
        c as u32,
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// The invisibles that carry meaning inside an emoji sequence (👨‍👩‍👧, ❤️).
fn is_emoji_joiner(c: char) -> bool {
    matches!(c, ZWJ | VS15 | VS16)
}

/// A coarse emoji test: enough to decide whether a ZWJ or VS15/VS16 belongs to an
/// emoji sequence, not a full `Extended_Pictographic` table.
fn is_pictographic(c: char) -> bool {
    matches!(
        c as u32,
        0x1F000..=0x1FAFF
            | 0x2600..=0x27BF
            | 0x2300..=0x23FF
            | 0x2B00..=0x2BFF
            | 0x2190..=0x21FF
            | 0x00A9
            | 0x00AE
            | 0x203C
            | 0x2049
            | 0x2122
            | 0x2139
            | 0x20E3
            | 0x3030
            | 0x303D
            | 0x3297
            | 0x3299
    )
}

/// `U+202E` style label used in removal records.
fn code_label(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// A removal record that may still grow: adjacent identical invisibles and a flood's
/// dropped marks are reported once with a count.
struct Pending {
    /// Index of the record in `removed`.
    index: usize,
    code: char,
    count: usize,
    /// Input byte just after the last merged character.
    end: usize,
}

/// The careful path: walks the text from one position that needs handling to the next.
struct Sanitizer<'a> {
    text: &'a str,
    out: String,
    removed: Vec<Removed>,
    /// 1-based input line of the current position.
    line: usize,
    /// Combining marks emitted since the last base character.
    run: Run,
    /// Display column at `out[measured..]`; columns are measured lazily, only when a
    /// TAB needs them, so ordinary text never pays for width lookups.
    col_base: usize,
    measured: usize,
    /// Last character written to `out`, for the emoji-neighbour test.
    prev_out: Option<char>,
    invisible: Option<Pending>,
    flood: Option<Pending>,
    /// Whether the text went through Windows-1252 and was read as Latin-1
    /// ([`read_as_latin1`]); judged at its first C1 character, since most texts have none.
    latin1: Option<bool>,
}

/// Evidence that `text` is Windows-1252 read as Latin-1: some line holds an opening
/// Windows-1252 quotation mark (`\u{93}` or `\u{91}`) and later its closing one. A C1
/// control on its own is no such evidence (an 8-bit CSI, `\u{9B}`, would otherwise show as
/// `›` and hide that the file held a control), so it gets the placeholder.
fn read_as_latin1(text: &str) -> bool {
    text.lines().any(|line| {
        [('\u{93}', '\u{94}'), ('\u{91}', '\u{92}')]
            .iter()
            .any(|&(open, close)| line.find(open).is_some_and(|at| line[at..].contains(close)))
    })
}

impl<'a> Sanitizer<'a> {
    fn new(text: &'a str) -> Self {
        Sanitizer {
            text,
            // Placeholders are longer than what they replace (1 byte → 3), so leave room.
            out: String::with_capacity(text.len() + text.len() / 16 + 16),
            removed: Vec::new(),
            line: 1,
            run: Run::default(),
            col_base: 0,
            measured: 0,
            prev_out: None,
            invisible: None,
            flood: None,
            latin1: None,
        }
    }

    /// `stop` and `run` come from the first scan, which found nothing to handle before `stop`.
    fn run(mut self, mut stop: usize, mut run: Run) -> (String, Vec<Removed>) {
        let bytes = self.text.as_bytes();
        let mut start = 0;
        loop {
            self.copy_plain(start, stop, run);
            let Some(c) = self.text.get(stop..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            start = stop + c.len_utf8();
            let next = self.text.get(start..).and_then(|rest| rest.chars().next());
            self.handle(c, stop, next);
            (stop, run) = scan_plain(bytes, start, self.run, true);
        }
        self.finish_invisible();
        self.finish_flood();
        (self.out, self.removed)
    }

    /// Copies `text[start..stop]`, which the scanner found needs no change.
    fn copy_plain(&mut self, start: usize, stop: usize, run_after: Run) {
        let Some(chunk) = self.text.get(start..stop) else {
            return;
        };
        if chunk.is_empty() {
            return;
        }
        // A non-empty chunk starts with a base character (the scanner stops at any mark
        // beyond the cap), so a flood being dropped has ended.
        self.finish_flood();
        let newlines = chunk.bytes().filter(|&b| b == b'\n').count();
        if newlines > 0 {
            self.line += newlines;
            if let Some(last) = chunk.bytes().rposition(|b| b == b'\n') {
                self.col_base = 0;
                self.measured = self.out.len() + last + 1;
            }
        }
        self.out.push_str(chunk);
        self.prev_out = chunk.chars().next_back();
        self.run = run_after;
    }

    /// Handles one character the scanner stopped at; `at` is its input byte offset.
    fn handle(&mut self, c: char, at: usize, next: Option<char>) {
        let u = c as u32;
        if c == '\t' {
            self.tab();
        } else if u < 0x20 {
            self.emit(char::from_u32(0x2400 + u).unwrap_or('\u{FFFD}'), at);
        } else if u == 0x7F {
            self.emit('\u{2421}', at);
        } else if is_c1(c) {
            let latin1 = *self.latin1.get_or_insert_with(|| read_as_latin1(self.text));
            self.emit(latin1.then(|| windows_1252(u)).flatten().unwrap_or('\u{FFFD}'), at);
        } else if is_invisible(c) {
            // A joiner belongs to the cluster before it, so an emoji after it does not make
            // that cluster an emoji (`a` ZWJ 👧 would leave `a` ZWJ in one cell, ESC-09): the
            // next emoji counts only after a joiner kept for an emoji (❤ VS16 ZWJ 🔥), or when
            // it is the keycap mark U+20E3 that joins this cluster and the cap keeps it.
            let after = if is_combining_mark(c) { self.run.add(c.len_utf8()) } else { Run::base(c.len_utf8()) };
            let next_joins = next.is_some_and(|n| {
                is_pictographic(n)
                    && if is_combining_mark(n) {
                        after.fits(n.len_utf8())
                    } else {
                        self.prev_out.is_some_and(is_emoji_joiner)
                    }
            });
            let in_emoji = is_emoji_joiner(c) && (self.prev_out.is_some_and(is_pictographic) || next_joins);
            if in_emoji {
                self.emit(c, at);
            } else {
                self.record_invisible(c, at);
            }
        } else {
            // A combining mark beyond the cap (or anything else the scanner is unsure of).
            self.emit(c, at);
        }
    }

    /// Writes one character, applying the combining-mark cap.
    fn emit(&mut self, c: char, at: usize) {
        if is_combining_mark(c) {
            if !self.run.fits(c.len_utf8()) {
                self.record_flood(c, at);
                return;
            }
            self.run = self.run.add(c.len_utf8());
        } else {
            self.finish_flood();
            self.run = Run::base(c.len_utf8());
        }
        self.out.push(c);
        self.prev_out = Some(c);
    }

    fn tab(&mut self) {
        self.finish_flood();
        let col = self.col_base + self.out.get(self.measured..).map_or(0, UnicodeWidthStr::width);
        let pad = TAB_STOP - col % TAB_STOP;
        self.out.extend(std::iter::repeat_n(' ', pad));
        self.col_base = col + pad;
        self.measured = self.out.len();
        self.run = Run::base(1);
        self.prev_out = Some(' ');
    }

    fn record_invisible(&mut self, c: char, at: usize) {
        if let Some(p) = &mut self.invisible
            && p.code == c
            && p.end == at
        {
            p.count += 1;
            p.end = at + c.len_utf8();
            return;
        }
        self.finish_invisible();
        self.removed.push(Removed { kind: RemovedKind::Invisible, text: code_label(c), line: self.line });
        self.invisible = Some(Pending { index: self.removed.len() - 1, code: c, count: 1, end: at + c.len_utf8() });
    }

    fn finish_invisible(&mut self) {
        if let Some(p) = self.invisible.take()
            && p.count > 1
            && let Some(r) = self.removed.get_mut(p.index)
        {
            r.text = format!("{} ×{}", code_label(p.code), p.count);
        }
    }

    fn record_flood(&mut self, c: char, at: usize) {
        if let Some(p) = &mut self.flood {
            p.count += 1;
            p.end = at + c.len_utf8();
            return;
        }
        self.removed.push(Removed { kind: RemovedKind::CombiningFlood, text: code_label(c), line: self.line });
        self.flood = Some(Pending { index: self.removed.len() - 1, code: c, count: 1, end: at + c.len_utf8() });
    }

    fn finish_flood(&mut self) {
        if let Some(p) = self.flood.take()
            && let Some(r) = self.removed.get_mut(p.index)
        {
            r.text = format!("{} ×{}", code_label(p.code), p.count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn invisible(text: &str, line: usize) -> Removed {
        Removed { kind: RemovedKind::Invisible, text: text.to_owned(), line }
    }

    fn is_control(c: char) -> bool {
        let u = c as u32;
        u < 0x20 || (0x7F..=0x9F).contains(&u)
    }

    #[test]
    fn ordinary_text_is_returned_unchanged() {
        let text =
            "新华社北京4月27日电（记者杨维汉）“关键一步”……——《人民日报》\n第二行：ＡＢＣ１２３，é façade ÷ ½ 한국어 ✓";
        let (out, removed) = sanitize(text);
        assert_eq!(out, text);
        assert!(removed.is_empty());
        assert!(is_display_safe(text));
    }

    #[test]
    fn windows_1252_quotes_read_as_latin1_come_back() {
        assert_eq!(sanitize("以\u{93}山水田园\u{94}为主题").0, "以“山水田园”为主题");
        // The pair on one line is the evidence; every C1 of that text is then read so.
        assert_eq!(sanitize("他说\u{91}好\u{92}\na\u{85}b\u{97}c").0, "他说‘好’\na…b—c");
    }

    #[test]
    fn c1_controls_without_windows_1252_quotes_are_placeholders() {
        // An 8-bit CSI is a control, not `›`; nor is a lone quote mark evidence of Latin-1.
        assert_eq!(sanitize("前\u{9B}2J后").0, "前\u{FFFD}2J后");
        assert_eq!(sanitize("a\u{85}b\u{97}c").0, "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(sanitize("以\u{94}山水\u{93}为主题").0, "以\u{FFFD}山水\u{FFFD}为主题");
        assert_eq!(sanitize("以\u{93}山水\n田园\u{94}").0, "以\u{FFFD}山水\n田园\u{FFFD}");
    }

    #[test]
    fn every_c0_del_and_c1_becomes_a_visible_placeholder() {
        for u in (0u32..0x20).chain(0x7F..=0x9F) {
            let c = char::from_u32(u).unwrap();
            if c == '\n' || c == '\t' {
                continue;
            }
            let (out, removed) = sanitize(format!("前{c}后"));
            let expected = match u {
                0x7F => '\u{2421}',
                0x80..=0x9F => '\u{FFFD}',
                _ => char::from_u32(0x2400 + u).unwrap(),
            };
            assert_eq!(out, format!("前{expected}后"), "U+{u:04X}");
            assert!(removed.is_empty(), "U+{u:04X} is visible, not removed");
            assert!(is_display_safe(&out), "U+{u:04X}");
            assert!(!is_display_safe(&format!("前{c}后")), "U+{u:04X} raw");
        }
    }

    #[test]
    fn escape_sequences_are_shown_inert() {
        let payloads = [
            ("\x1b]0;pwned\x07", "␛]0;pwned␇"),
            ("\x1b]52;c;ZWNobyBwd25lZA==\x07", "␛]52;c;ZWNobyBwd25lZA==␇"),
            ("\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\", "␛]8;;http://evil/␛\\click␛]8;;␛\\"),
            ("\x1b[2J\x1b[H", "␛[2J␛[H"),
            ("\x1b[?1049l", "␛[?1049l"),
            ("\x1b[?25l", "␛[?25l"),
            ("\x1b[6n\x1b[21t\x1bP$q m\x1b\\", "␛[6n␛[21t␛P$q m␛\\"),
            ("\x1bPq#0;2;0;0;0#0!2147483647@\x1b\\", "␛Pq#0;2;0;0;0#0!2147483647@␛\\"),
            ("\u{9B}2J", "\u{FFFD}2J"),
            ("\u{9D}0;x\u{9C}", "\u{FFFD}0;x\u{FFFD}"),
            ("\x1b]8;;\x1b0m\x1b[>0q", "␛]8;;␛0m␛[>0q"),
            ("\x1b\x1b[[31m", "␛␛[[31m"),
            ("\x1b[\x1b[31m", "␛[␛[31m"),
            ("\x1b(0\x1b7\x1b8", "␛(0␛7␛8"),
            // Unterminated OSC at end of input, and a lone ESC as the last byte.
            ("正文\x1b]0;title", "正文␛]0;title"),
            ("正文\x1b", "正文␛"),
        ];
        for (payload, shown) in payloads {
            let (out, removed) = sanitize(payload);
            assert_eq!(out, shown, "{payload:?}");
            assert!(removed.is_empty());
            assert!(is_display_safe(&out), "{payload:?}");
            assert!(!out.chars().any(is_control), "{payload:?}");
            let bytes = out.as_bytes();
            assert!(!bytes.contains(&0x1B));
            assert!(!bytes.windows(2).any(|w| w[0] == 0xC2 && matches!(w[1], 0x90 | 0x9B | 0x9D)));
        }
    }

    #[test]
    fn tabs_expand_to_the_next_stop_in_display_columns() {
        assert_eq!(sanitize("A\tB").0, format!("A{}B", " ".repeat(7)));
        assert_eq!(sanitize("中\tB").0, format!("中{}B", " ".repeat(6)));
        assert_eq!(sanitize("\tB").0, format!("{}B", " ".repeat(8)));
        assert_eq!(sanitize("12345678\tB").0, format!("12345678{}B", " ".repeat(8)));
        assert_eq!(sanitize("A\t\tB").0, format!("A{}B", " ".repeat(15)));
        // Columns restart on each line, and count placeholders and wide characters.
        assert_eq!(sanitize("中文中文中\t|\nx\t|").0, format!("中文中文中{}|\nx{}|", " ".repeat(6), " ".repeat(7)));
        assert_eq!(sanitize("\x1b\tX").0, format!("␛{}X", " ".repeat(7)));
        assert!(sanitize("A\tB").1.is_empty());
    }

    #[test]
    fn bidi_and_invisible_characters_are_removed_and_recorded() {
        let all = [
            0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200B,
            0x200C, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x180E, 0x00AD, 0x034F, 0x115F, 0x1160, 0x3164,
            0xFFA0, 0x200D, 0xFE0E, 0xFE0F, 0xE0041,
        ];
        for u in all {
            let c = char::from_u32(u).unwrap();
            let input = format!("第一行\n第二{c}行\n第三行");
            let (out, removed) = sanitize(&input);
            assert_eq!(out, "第一行\n第二行\n第三行", "U+{u:04X}");
            assert_eq!(removed, vec![invisible(&format!("U+{u:04X}"), 2)], "U+{u:04X}");
            assert!(!is_display_safe(&input), "U+{u:04X}");
            assert!(is_display_safe(&out));
        }
    }

    #[test]
    fn adjacent_identical_invisibles_are_merged() {
        let (out, removed) = sanitize("a\u{200B}\u{200B}\u{200B}b\u{200B}c\u{202E}\u{202E}\nd\u{FEFF}");
        assert_eq!(out, "abc\nd");
        assert_eq!(
            removed,
            vec![invisible("U+200B ×3", 1), invisible("U+200B", 1), invisible("U+202E ×2", 1), invisible("U+FEFF", 2),]
        );
    }

    #[test]
    fn leading_bom_is_removed() {
        let (out, removed) = sanitize("\u{FEFF}新华社电");
        assert_eq!(out, "新华社电");
        assert_eq!(removed, vec![invisible("U+FEFF", 1)]);
    }

    #[test]
    fn emoji_joiners_are_kept_only_inside_emoji() {
        let family = "一家👨\u{200D}👩\u{200D}👧\u{200D}👦出游";
        assert_eq!(sanitize(family), (family.to_owned(), Vec::new()));
        for kept in ["❤\u{FE0F}", "🏳\u{FE0F}\u{200D}🌈", "☺\u{FE0E}", "#\u{FE0F}\u{20E3}"] {
            assert_eq!(sanitize(kept).0, kept);
            assert!(is_display_safe(kept), "{kept:?}");
        }
        let (out, removed) = sanitize("中\u{200D}文\u{FE0F}字");
        assert_eq!(out, "中文字");
        assert_eq!(removed, vec![invisible("U+200D", 1), invisible("U+FE0F", 1)]);
        assert!(!is_display_safe("中\u{200D}文"));
    }

    #[test]
    fn combining_flood_is_capped_and_recorded_once() {
        let input = format!("x\ne{}!", "\u{301}".repeat(10_000));
        let (out, removed) = sanitize(&input);
        assert_eq!(out, format!("x\ne{}!", "\u{301}".repeat(MAX_COMBINING)));
        assert_eq!(
            removed,
            vec![Removed { kind: RemovedKind::CombiningFlood, text: "U+0301 ×9984".to_owned(), line: 2 }]
        );
        // The grapheme stays within the 64-byte cell budget of docs/reliability.md (§6).
        let cell = out.trim_start_matches("x\n").trim_end_matches('!');
        assert!(cell.len() <= 64, "{} bytes", cell.len());
    }

    #[test]
    fn four_byte_marks_are_capped_by_bytes() {
        // U+1D165 (MUSICAL SYMBOL COMBINING STEM) is a 4-byte mark: after a 4-byte
        // base, only 15 fit in the 64-byte cell budget.
        let input = format!("𝄞{}", "\u{1D165}".repeat(20));
        let (out, removed) = sanitize(&input);
        assert_eq!(out, format!("𝄞{}", "\u{1D165}".repeat(15)));
        assert_eq!(out.len(), 64);
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].text, "U+1D165 ×5");
        assert_eq!(sanitize(&out), (out.clone(), Vec::new()));
    }

    #[test]
    fn combining_marks_up_to_the_cap_are_untouched() {
        let input = format!("e{}\u{0302}a\u{0308}", "\u{301}".repeat(MAX_COMBINING - 1));
        assert_eq!(sanitize(&input), (input.clone(), Vec::new()));
        // Two separate floods are two records.
        let two = format!("a{m}b{m}", m = "\u{300}".repeat(MAX_COMBINING + 2));
        let (_, removed) = sanitize(&two);
        assert_eq!(removed.len(), 2);
        assert!(removed.iter().all(|r| r.text == "U+0300 ×2"));
    }

    #[test]
    fn sample_files_only_lose_their_tabs() {
        let samples = [
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/000_bdb5e1677ee91c80.txt")),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/001_2193c9b2d3e5f70a.txt")),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/002_05223ddfc07066bf.txt")),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/003_79302bc9a94f92f4.txt")),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/004_beff7861e42a5cfd.txt")),
        ];
        for text in samples {
            let (out, removed) = sanitize(text);
            assert!(removed.is_empty());
            assert!(is_display_safe(&out));
            if !text.contains('\t') {
                assert_eq!(out, text);
            }
            let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            assert_eq!(strip(&out), strip(text));
        }
    }

    /// Characters the properties should meet often, not once in a million.
    fn tricky_char() -> impl Strategy<Value = char> {
        prop_oneof![
            3 => any::<char>(),
            2 => prop::char::range('\u{0}', '\u{A0}'),
            2 => prop::sample::select(vec![
                '\n', '\t', '\u{1B}', '\u{9B}', '\u{7F}', '\u{200B}', '\u{200D}', '\u{FE0F}',
                '\u{FE0E}', '\u{202E}', '\u{2066}', '\u{FEFF}', '\u{AD}', '\u{34F}', '\u{E0020}',
                '\u{301}', '\u{300}', '\u{20E3}', '👨', '❤', '中', '“', '…', '—', '␛', '\u{FFFD}',
            ]),
            1 => Just('\u{301}'),
        ]
    }

    fn tricky_string() -> impl Strategy<Value = String> {
        prop::collection::vec(tricky_char(), 0..80).prop_map(|v| v.into_iter().collect())
    }

    /// Chinese text with, now and then, a character at or just past an edge of the ranges
    /// [`may_need_care`] passes over (U+200F/2010, U+2027/2028, U+3029/302A, U+FF00/FF01,
    /// U+FF9F/FFA0 …), long enough for whole blocks.
    fn block_string() -> impl Strategy<Value = String> {
        let edge = prop::sample::select(vec![
            '\u{200F}', '\u{2010}', '\u{2027}', '\u{2028}', '\u{202E}', '\u{2030}', '\u{3000}', '\u{3029}', '\u{302A}',
            '\u{3030}', '\u{FF00}', '\u{FF01}', '\u{FF0C}', '\u{FF3F}', '\u{FF40}', '\u{FF7F}', '\u{FF80}', '\u{FF9F}',
            '\u{FFA0}', '\u{FEFF}', '\u{FE0F}', '\u{301}', '\u{3099}', '\u{1B}', '\u{7F}', '\u{85}', '\n', 'é', 'ǎ',
            '👨', '\u{E000}', '\u{3164}', '\u{AC00}', '\u{4DFF}', '\u{9FFF}',
        ]);
        let char = prop_oneof![
            12 => prop::char::range('\u{4E00}', '\u{9FFF}'),
            3 => prop::sample::select(vec!['，', '。', '“', '”', '、', '《', '》', '—', '…', 'a', ' ', '1']),
            1 => edge,
            1 => any::<char>(),
        ];
        prop::collection::vec(char, 0..300).prop_map(|v| v.into_iter().collect())
    }

    /// Characters sanitize may legitimately drop, replace or pad around.
    fn touched(c: char) -> bool {
        c.is_whitespace() || is_control(c) || is_invisible(c) || is_combining_mark(c)
    }

    /// Every character the block test passes over is one the scan one by one takes as a
    /// plain base character: checked for all of Unicode.
    #[test]
    fn what_blocks_pass_over_is_plain() {
        let mut passed = 0;
        for c in (0..=0x10_FFFFu32).filter_map(char::from_u32) {
            let mut buf = [0u8; 6];
            let len = c.encode_utf8(&mut buf).len();
            if may_need_care(buf[0], buf[1], buf[2]) {
                continue;
            }
            passed += 1;
            let (at, run) = scan(&buf[..len], 0, Run { marks: 1, bytes: 9 }, true, false);
            assert_eq!((at, run.marks, run.bytes), (len, 0, len), "{c:?} U+{:04X}", c as u32);
        }
        // U+4000–9FFF and the Hangul of U+B000–D7FF alone are over 30,000.
        assert!(passed > 30_000, "{passed}");
    }

    /// Combining marks right after a run passed over in blocks are capped as they are after
    /// the same run read one by one: the run's last character counts towards the byte cap
    /// (which four-byte marks reach, after one or two two-byte ones).
    #[test]
    fn marks_after_a_passed_over_run_are_capped_alike() {
        for base in ["a", "中", "é", "·", "，"] {
            // Lengths whose bytes end on a block boundary among them (the marks then start a block).
            for n in [16, 17, 24, 32, 40, 48, 64] {
                for marks in (1..20).flat_map(|k| [(1, k), (2, k)]) {
                    let marks = format!("{}{}", "\u{301}".repeat(marks.0), "\u{1D167}".repeat(marks.1));
                    let text = format!("{}{marks}", base.repeat(n));
                    let (at, run) = scan(text.as_bytes(), 0, Run::default(), true, true);
                    let (want, want_run) = scan(text.as_bytes(), 0, Run::default(), true, false);
                    assert_eq!(
                        (at, run.marks, run.bytes),
                        (want, want_run.marks, want_run.bytes),
                        "{base} × {n}, {marks} marks"
                    );
                }
            }
        }
    }

    proptest! {
        /// Passing over blocks stops where going one character at a time stops, with the
        /// same combining-mark run, from any starting character and with or without caps.
        #[test]
        fn block_scan_is_the_scan_one_by_one(text in block_string()) {
            let b = text.as_bytes();
            for (start, _) in text.char_indices() {
                for capped in [true, false] {
                    let (at, run) = scan(b, start, Run::default(), capped, true);
                    let (want, want_run) = scan(b, start, Run::default(), capped, false);
                    prop_assert_eq!((at, run.marks, run.bytes), (want, want_run.marks, want_run.bytes), "from {}", start);
                }
            }
        }

        #[test]
        fn output_is_display_safe(s in tricky_string()) {
            let (out, _) = sanitize(&s);
            prop_assert!(is_display_safe(&out), "{:?} -> {:?}", s, out);
        }

        #[test]
        fn sanitize_is_idempotent(s in tricky_string()) {
            let (once, _) = sanitize(&s);
            let (twice, removed) = sanitize(&once);
            prop_assert_eq!(&twice, &once);
            prop_assert!(removed.is_empty());
        }

        #[test]
        fn visible_characters_are_preserved_in_order(s in tricky_string()) {
            let (out, _) = sanitize(&s);
            let mut rest = out.chars().filter(|&c| !touched(c));
            for c in s.chars().filter(|&c| !touched(c)) {
                prop_assert!(rest.any(|o| o == c), "{:?} lost from {:?} -> {:?}", c, s, out);
            }
        }

        #[test]
        fn safe_text_passes_through(s in "[a-z中文“”…—，。 \n]{0,60}") {
            prop_assert_eq!(sanitize(&s), (s.clone(), Vec::new()));
        }
    }

    /// `cargo test --release -- --ignored --nocapture sanitize_throughput`
    #[test]
    #[ignore = "benchmark; run with --ignored --nocapture in release"]
    fn sanitize_throughput() {
        let base = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/004_beff7861e42a5cfd.txt"));
        let clean: String = base.repeat(100_000_000 / base.len() + 1);
        let with_tabs = clean.replace('。', "。\t");
        // Best of five, so a busy machine does not hide the figure.
        let rate = |text: &str, run: &dyn Fn() -> usize| {
            let mut best = f64::MAX;
            for _ in 0..5 {
                let start = std::time::Instant::now();
                assert!(run() > 0);
                best = best.min(start.elapsed().as_secs_f64());
            }
            text.len() as f64 / best / 1e6
        };
        let scan = rate(&clean, &|| usize::from(is_display_safe(&clean)));
        println!("scan only (is_display_safe), clean Chinese: {scan:.0} MB/s");
        let whole = rate(&clean, &|| sanitize(&clean).0.len());
        println!("sanitize, clean Chinese, one 100 MB string: {whole:.0} MB/s");
        let per_file = rate(&clean, &|| (0..clean.len() / base.len()).map(|_| sanitize(base).0.len()).sum());
        println!("sanitize, clean Chinese, file by file: {per_file:.0} MB/s");
        let tabs = rate(&with_tabs, &|| sanitize(&with_tabs).0.len());
        println!("sanitize, a TAB per sentence: {tabs:.0} MB/s");
    }
}

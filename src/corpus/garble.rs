//! Mojibake detection: flag garbled spans of a paragraph, never delete them.
//!
//! Runs after [`super::sanitize`] and cleaning, on each paragraph's text; the byte
//! ranges it returns end up in `Paragraph::garbled` so the reader can mark them and an
//! article can carry a `Garbled` note. Nothing is repaired here: a wrong guess must
//! only ever cost a highlight.
//!
//! # How a span is found
//!
//! Text that went through a wrong conversion (UTF-8 read as GBK, GBK as Big5, a
//! gateway that swallowed bytes) shows several kinds of evidence close together.
//! Each character is weighed on its own and in its immediate neighbourhood:
//!
//! | Evidence | Weight |
//! |---|---|
//! | private-use code point or U+FFFD | certain on its own |
//! | `锟斤拷`, or three or more `烫` or `屯` in a row (lost bytes, see `lost_data_runs`) | certain on its own |
//! | box drawing (U+2500–U+257F) not next to other box drawing | 2 |
//! | kana not next to other kana, in text that is not Japanese | 2 |
//! | bopomofo, CJK compatibility or small form punctuation not next to its kind (GBK punctuation read as Big5 and back) | 2 |
//! | a pinyin note that lost its `(`, like `xiàng)` | 2, or 3 right after a `?` |
//! | a half-width `?` right before such a note (it replaced the `(`) | 2 |
//! | any other half-width `?` | 1 |
//! | a rare Han character (see [`is_rare_han`]) | 1 |
//! | a word with pinyin tone marks outside a `(…)` note | 1 |
//! | an unbalanced `)` | 1 |
//! | a single Latin letter between two non-ASCII characters | 1 (supporting only) |
//!
//! Evidence is chained into a cluster while at most [`GAP`] ordinary characters
//! separate one piece from the next; a line break ends a cluster. A cluster is
//! flagged when it holds certain evidence, or when its weight reaches [`THRESHOLD`]
//! and it combines at least two kinds of evidence (mojibake mixes them; a legitimate
//! name made of uncommon characters, or a `?` after one, does not), or when a single
//! kind is dense enough on its own ([`DENSE`]). Lone Latin letters never count as a
//! kind: `A股` or `维生素C` are normal.
//!
//! A complete `(pinyin)` or `（pinyin）` note — added by Big5/GB gateways and removed
//! later by the cleaner — is neutral and, like a note that lost its `(` (which the
//! cleaner keeps), takes no room in the gap count, so the same spans come out before
//! and after notes are removed. A flagged span runs from the first to the last
//! character that is itself suspicious; a broken note at either edge is left outside.
//!
//! The pass is linear: lookahead is bounded by the length of a pinyin syllable, and
//! ordinary text costs one table lookup per character.

use std::ops::Range;
use std::sync::OnceLock;

/// Ordinary characters allowed between two pieces of evidence in one cluster.
pub const GAP: usize = 2;
/// Weight a cluster needs (with two kinds of evidence) to be flagged.
pub const THRESHOLD: u32 = 5;
/// Weight that flags a cluster with a single kind of evidence.
pub const DENSE: u32 = 8;

/// Longest pinyin syllable plus slack (`zhuang` is 6 letters).
const MAX_SYLLABLE: usize = 8;

/// Byte ranges of `text` that look garbled.
///
/// The ranges are sorted, do not overlap and fall on character boundaries.
pub fn garbled_spans(text: &str) -> Vec<Range<usize>> {
    let (spans, lost) = Scanner::new(text).run::<true>();
    if lost.is_empty() { spans } else { merge(spans, lost) }
}

/// The classic marks of bytes that are gone, not just misread: `锟斤拷` (two U+FFFD in UTF-8
/// read as GBK) and runs of `烫` or `屯` (the fill bytes 0xCC and 0xCD of uninitialised
/// memory read as GBK). Certain evidence on their own; three of `烫` or `屯` in a row, since
/// `烫烫的` is ordinary Chinese. The scanner finds them as it reads (see
/// [`Scanner::lost_mark`]); this is the same with a substring search per mark, written out on
/// its own as the definition the tests hold the scanner to.
#[cfg(test)]
fn lost_data_runs(text: &str) -> Vec<Range<usize>> {
    use memchr::memmem;
    static FINDERS: OnceLock<[memmem::Finder<'static>; 3]> = OnceLock::new();
    let finders = FINDERS
        .get_or_init(|| [memmem::Finder::new("锟斤拷"), memmem::Finder::new("烫烫烫"), memmem::Finder::new("屯屯屯")]);
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (finder, unit) in finders.iter().zip(["锟斤拷", "烫", "屯"]) {
        let mut from = 0;
        while let Some(at) = finder.find(&text.as_bytes()[from..]) {
            let start = from + at;
            let mut end = start + finder.needle().len();
            while text[end..].starts_with(unit) {
                end += unit.len();
            }
            runs.push(start..end);
            from = end;
        }
    }
    runs.sort_by_key(|r| r.start);
    runs
}

/// Two sorted lists of spans as one, overlapping or touching spans joined.
fn merge(a: Vec<Range<usize>>, b: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut all = a;
    all.extend(b);
    all.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(all.len());
    for r in all {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The end of the run of ordinary characters from byte `at`, and how many characters it
/// holds. Ordinary: a common ideograph, ASCII punctuation and digits, and CJK punctuation:
/// never evidence. Read from the UTF-8 bytes, since this covers nearly every character of
/// every paragraph: each character is decoded and looked up in one bitmap over
/// U+0000–U+FFFF (see [`ordinary_table`]) rather than tested against ranges by kind.
fn ordinary_run(bytes: &[u8], at: usize, ordinary: &[u64; ORDINARY_WORDS]) -> (usize, usize) {
    let (mut i, mut n) = (at, 0);
    let is_ordinary = |u: u32| ordinary[(u / 64) as usize % ORDINARY_WORDS] & (1 << (u % 64)) != 0;
    loop {
        // Two three-byte characters at a time while there are, most of a Chinese paragraph:
        // half the branches.
        while let Some(&[b0, b1, b2, c0, c1, c2]) = bytes.get(i..i + 6) {
            let three = |x0: u8, x1: u8, x2: u8| {
                (u32::from(x0 & 0x0F) << 12) | (u32::from(x1 & 0x3F) << 6) | u32::from(x2 & 0x3F)
            };
            if b0 & 0xF0 != 0xE0
                || c0 & 0xF0 != 0xE0
                || !is_ordinary(three(b0, b1, b2))
                || !is_ordinary(three(c0, c1, c2))
            {
                break;
            }
            i += 6;
            n += 2;
        }
        // Then one character of any length. Three bytes are read for every character, so the
        // last two bytes of the text go below.
        let Some(&[b0, b1, b2]) = bytes.get(i..i + 3) else { break };
        let (lead, b1, b2) = (u32::from(b0), u32::from(b1 & 0x3F), u32::from(b2 & 0x3F));
        // The length comes from a branch, not from arithmetic on the byte: predicted, the
        // next character's position is known before this one's byte is even loaded.
        let (u, len) = match b0 {
            0..0x80 => (lead, 1),
            0xE0..0xF0 => (((lead & 0x0F) << 12) | (b1 << 6) | b2, 3),
            0xC0..0xE0 => (((lead & 0x1F) << 6) | b1, 2),
            // Beyond U+FFFF (or not a lead byte, which a `str` cannot start a character
            // with): never ordinary.
            _ => return (i, n),
        };
        if !is_ordinary(u) {
            return (i, n);
        }
        i += len;
        n += 1;
    }
    while let Some(&b0) = bytes.get(i) {
        let (u, len) = match (b0, bytes.get(i + 1)) {
            (0..0x80, _) => (u32::from(b0), 1),
            (0xC0..0xE0, Some(&b1)) => (((u32::from(b0) & 0x1F) << 6) | u32::from(b1 & 0x3F), 2),
            _ => break,
        };
        if !is_ordinary(u) {
            break;
        }
        i += len;
        n += 1;
    }
    (i, n)
}

/// Words of a bitmap over U+0000–U+FFFF.
const ORDINARY_WORDS: usize = 0x1_0000 / 64;

/// Bitmap over U+0000–U+FFFF of the characters [`ordinary_run`] passes over: common
/// ideographs but the first characters of the marks of lost bytes ([`ordinary_han`]),
/// ASCII but letters, `?`, parentheses and the line break, and punctuation.
///
/// With `ALL_PUNCTUATION`, every punctuation mark the scanner would only count (`“”—…·`,
/// `《》「」【】`, full-width forms but `（`) is ordinary; without, only `、。，：；？` and the
/// full-width digits are, and the others take the way through [`Scanner::special`], which
/// ends the same (tested: the narrower set is the reference).
fn ordinary_table<const ALL_PUNCTUATION: bool>() -> &'static [u64; ORDINARY_WORDS] {
    static TABLES: [OnceLock<[u64; ORDINARY_WORDS]>; 2] = [OnceLock::new(), OnceLock::new()];
    TABLES[usize::from(ALL_PUNCTUATION)].get_or_init(|| {
        let han = ordinary_han();
        let mut bits = [0u64; ORDINARY_WORDS];
        for u in 0..0x1_0000u32 {
            let ordinary = match u {
                0..0x80 => {
                    let b = u as u8;
                    !b.is_ascii_alphabetic() && !matches!(b, b'?' | b'(' | b')' | b'\n')
                }
                // `·`, between the parts of a transliterated name.
                0xB7 => ALL_PUNCTUATION,
                HAN_FIRST..=HAN_LAST => {
                    let bit = (u - HAN_FIRST) as usize;
                    han.get(bit / 64).is_some_and(|word| word & (1 << (bit % 64)) != 0)
                }
                // General punctuation, CJK symbols and punctuation, full-width forms (but
                // `（`, which may open a note, and the letters, which may be a word).
                _ if ALL_PUNCTUATION => {
                    matches!(u, 0x2010..=0x2027 | 0x2030..=0x205E | 0x3000..=0x303F | 0xFF01..=0xFF07 | 0xFF09..=0xFF20)
                }
                _ => (0x3000..=0x3004).contains(&u) || (0xFF0C..=0xFF1F).contains(&u),
            };
            bits[(u / 64) as usize] |= u64::from(ordinary) << (u % 64);
        }
        bits
    })
}

/// True for a CJK ideograph that is in neither the GB2312 level-1 set nor the Big5
/// level-1 set: the characters everyday Simplified or Traditional text is made of.
/// Ideographs outside U+4E00–U+9FFF (extensions, compatibility ideographs) are rare.
pub fn is_rare_han(c: char) -> bool {
    let u = c as u32;
    if (HAN_FIRST..=HAN_LAST).contains(&u) {
        let bit = (u - HAN_FIRST) as usize;
        let common = common_han().get(bit / 64).is_some_and(|word| word & (1 << (bit % 64)) != 0);
        !common
    } else {
        is_han(c)
    }
}

const HAN_FIRST: u32 = 0x4E00;
const HAN_LAST: u32 = 0x9FFF;
const HAN_WORDS: usize = ((HAN_LAST - HAN_FIRST + 1) as usize).div_ceil(64);

/// The marks of lost bytes ([`lost_data_runs`]): the character each starts with, the mark,
/// and the unit a run of it repeats.
const LOST_MARKS: [(char, &str, &str); 3] =
    [('锟', "锟斤拷", "锟斤拷"), ('烫', "烫烫烫", "烫"), ('屯', "屯屯屯", "屯")];

/// [`common_han`] without the first characters of the marks of lost bytes: the scanner's
/// ordinary runs stop at those, so that it finds the marks as it reads.
fn ordinary_han() -> &'static [u64] {
    static TABLE: OnceLock<Vec<u64>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut bits = common_han().to_vec();
        for (c, _, _) in LOST_MARKS {
            let bit = (c as u32 - HAN_FIRST) as usize;
            if let Some(word) = bits.get_mut(bit / 64) {
                *word &= !(1 << (bit % 64));
            }
        }
        bits
    })
}

/// Bitset over U+4E00–U+9FFF of the level-1 characters, built once by decoding
/// every level-1 code of both charsets rather than shipped as a table, so it
/// always agrees with the decoders in use (and costs a few thousand decodes).
fn common_han() -> &'static [u64] {
    static TABLE: OnceLock<Vec<u64>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut bits = vec![0u64; HAN_WORDS];
        // GB2312 level 1 is rows 16–55 (lead 0xB0–0xD7, trail 0xA1–0xFE) of the GBK grid.
        let mut gb = Vec::with_capacity(40 * 94 * 2);
        for lead in 0xB0..=0xD7u8 {
            for trail in 0xA1..=0xFEu8 {
                gb.extend([lead, trail]);
            }
        }
        // Big5 level 1 is 0xA440–0xC67E.
        let mut big5 = Vec::with_capacity(35 * 157 * 2);
        for lead in 0xA4..=0xC6u8 {
            for trail in (0x40..=0x7Eu8).chain(0xA1..=0xFE) {
                if lead == 0xC6 && trail > 0x7E {
                    break;
                }
                big5.extend([lead, trail]);
            }
        }
        for (encoding, bytes) in [(encoding_rs::GBK, gb), (encoding_rs::BIG5, big5)] {
            let (text, _) = encoding.decode_without_bom_handling(&bytes);
            for c in text.chars() {
                let u = c as u32;
                if (HAN_FIRST..=HAN_LAST).contains(&u) {
                    let bit = (u - HAN_FIRST) as usize;
                    if let Some(word) = bits.get_mut(bit / 64) {
                        *word |= 1 << (bit % 64);
                    }
                }
            }
        }
        bits
    })
}

fn is_han(c: char) -> bool {
    matches!(
        c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x323AF
    )
}

fn is_kana(c: char) -> bool {
    // U+30FB (・) and U+30FC (ー) also appear in Chinese text and are left out.
    matches!(c as u32, 0x3041..=0x3096 | 0x30A1..=0x30FA | 0xFF66..=0xFF9D)
}

/// Bopomofo and the vertical / small punctuation forms: what GBK's full-width
/// punctuation rows turn into when read as Big5 and the reverse; legitimate
/// horizontal Chinese text almost never uses them one at a time.
fn is_stray_form(c: char) -> bool {
    matches!(c as u32, 0x3105..=0x312F | 0x31A0..=0x31BF | 0xFE30..=0xFE6F)
}

fn is_box_drawing(c: char) -> bool {
    ('\u{2500}'..='\u{257F}').contains(&c)
}

fn is_private_or_replacement(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF_0000..=0x10_FFFF | 0xFFFD)
}

/// A vowel with a pinyin tone mark (or ü / ê, which only pinyin writes in Chinese text).
fn is_tone_letter(c: char) -> bool {
    super::clean::is_toned(c) || matches!(c, 'ü' | 'ê')
}

/// A letter that can appear inside a pinyin note.
fn is_pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase() || is_tone_letter(c)
}

/// A letter of a Latin word (for runs outside notes).
fn is_word_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || is_tone_letter(c)
}

/// If `rest` starts with `1..=MAX_SYLLABLE` pinyin letters and a closing parenthesis
/// (half- or full-width, as gateways write both), returns the byte length up to and
/// including it and whether a tone mark was seen.
fn note_body(rest: &str) -> Option<(usize, bool)> {
    let mut toned = false;
    for (letters, (i, c)) in rest.char_indices().enumerate() {
        if c == ')' || c == '）' {
            return (letters > 0).then_some((i + c.len_utf8(), toned));
        }
        if !is_pinyin_letter(c) || letters == MAX_SYLLABLE {
            return None;
        }
        toned |= is_tone_letter(c);
    }
    None
}

/// Kinds of evidence, as bits so a cluster can count how many it mixes.
#[derive(Clone, Copy)]
enum Kind {
    Certain = 1,
    Box = 1 << 1,
    Kana = 1 << 2,
    BrokenNote = 1 << 3,
    Question = 1 << 4,
    RareHan = 1 << 5,
    Tone = 1 << 6,
    Paren = 1 << 7,
    Letter = 1 << 8,
    Stray = 1 << 9,
}

/// Evidence chained so far.
#[derive(Default)]
struct Cluster {
    /// Byte range from the first to the last hard (span-delimiting) evidence.
    span: Option<Range<usize>>,
    weight: u32,
    letter_weight: u32,
    kinds: u16,
    /// Logical position just after the last evidence.
    end_pos: usize,
}

impl Cluster {
    fn is_empty(&self) -> bool {
        self.kinds == 0
    }

    fn flagged(&self) -> bool {
        if self.kinds & Kind::Certain as u16 != 0 {
            return true;
        }
        let kinds = (self.kinds & !(Kind::Letter as u16)).count_ones();
        let own_weight = self.weight - self.letter_weight;
        kinds >= 1 && self.weight >= THRESHOLD && (kinds >= 2 || own_weight >= DENSE)
    }
}

struct Scanner<'a> {
    text: &'a str,
    spans: Vec<Range<usize>>,
    cluster: Cluster,
    /// Count of characters that take room in a gap (notes do not).
    pos: usize,
    /// Open ASCII parentheses on this line, to tell a broken note from a closing one.
    depth: usize,
    /// Whether kana is ordinary here (Japanese text); decided on the first kana.
    japanese: Option<bool>,
    /// Runs of lost bytes found so far (see [`lost_data_runs`]), apart from the clusters.
    lost: Vec<Range<usize>>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            text,
            spans: Vec::new(),
            cluster: Cluster::default(),
            pos: 0,
            depth: 0,
            japanese: None,
            lost: Vec::new(),
        }
    }

    /// The flagged spans, and the runs of lost bytes, each sorted.
    fn run<const ALL_PUNCTUATION: bool>(mut self) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut prev: Option<char> = None;
        // Fetched once: this runs for every character of every paragraph.
        let ordinary = ordinary_table::<ALL_PUNCTUATION>();
        while i < bytes.len() {
            // Ordinary text, nearly all of every paragraph, is passed over a run at a time:
            // each of its characters only counts towards the gap.
            let (end, run) = ordinary_run(bytes, i, ordinary);
            if run > 0 {
                self.pos += run;
                prev = text.get(i..end).and_then(|r| r.chars().next_back());
                i = end;
                continue;
            }
            let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else { break };
            let u = c as u32;
            let resume = if (HAN_FIRST..=HAN_LAST).contains(&u) {
                if let Some(&(_, mark, unit)) = LOST_MARKS.iter().find(|m| m.0 == c) {
                    self.lost_mark(i, mark, unit);
                }
                if is_rare_han(c) {
                    self.hard(Kind::RareHan, 1, i..i + c.len_utf8(), 1);
                } else {
                    // A mark's character that is common: counted as ordinary text is.
                    self.pos += 1;
                }
                None
            } else {
                self.special(i, c, prev)
            };
            if let Some((end, last)) = resume {
                i = end.max(i + c.len_utf8());
                prev = Some(last);
            } else {
                i += c.len_utf8();
                prev = Some(c);
            }
        }
        self.finish_cluster();
        (self.spans, self.lost)
    }

    /// At byte `i`, the first character of `mark`: records the run of `unit`s that starts
    /// here, if the mark does and it does not lie inside the last run found (found left to
    /// right, without overlaps, as [`lost_data_runs`] finds them).
    fn lost_mark(&mut self, i: usize, mark: &str, unit: &str) {
        if self.lost.last().is_some_and(|last| last.end > i) {
            return;
        }
        let rest = self.text.get(i..).unwrap_or_default();
        if !rest.starts_with(mark) {
            return;
        }
        let mut end = i + mark.len();
        while self.text.get(end..).is_some_and(|r| r.starts_with(unit)) {
            end += unit.len();
        }
        self.lost.push(i..end);
    }

    /// Everything but ordinary Han and ASCII punctuation. Returns the byte offset to
    /// resume at and the last character consumed, when more than `c` was consumed.
    fn special(&mut self, i: usize, c: char, prev: Option<char>) -> Option<(usize, char)> {
        let here = i..i + c.len_utf8();
        let after = here.end;
        let rest = self.text.get(after..).unwrap_or("");
        // Decoded here rather than for every character: only rare kinds look at it.
        let next = rest.chars().next();
        match c {
            '\n' => {
                self.finish_cluster();
                self.depth = 0;
                self.pos += 1;
            }
            '(' | '（' => {
                if let Some((len, _)) = note_body(rest) {
                    // A complete `(pinyin)` note: neutral, and no room in the gap.
                    return Some((after + len, ')'));
                }
                if c == '(' {
                    self.depth += 1;
                }
                self.pos += 1;
            }
            ')' => {
                if self.depth > 0 {
                    self.depth -= 1;
                    self.pos += 1;
                } else {
                    self.hard(Kind::Paren, 1, here, 1);
                }
            }
            '?' => {
                if let Some((len, _)) = note_body(rest) {
                    // `?xiàng)`: the `?` is what is left of the note's `(` and of the
                    // bytes before it.
                    self.hard(Kind::Question, 2, here, 1);
                    self.soft(Kind::BrokenNote, 3);
                    return Some((after + len, ')'));
                }
                self.hard(Kind::Question, 1, here, 1);
            }
            _ if is_word_letter(c) => return Some(self.word(i, prev)),
            _ if is_private_or_replacement(c) => self.hard(Kind::Certain, THRESHOLD, here, 1),
            _ if is_box_drawing(c) => {
                if prev.is_some_and(is_box_drawing) || next.is_some_and(is_box_drawing) {
                    self.pos += 1;
                } else {
                    self.hard(Kind::Box, 2, here, 1);
                }
            }
            _ if is_kana(c) => {
                let isolated = !prev.is_some_and(is_kana) && !next.is_some_and(is_kana);
                if isolated && !self.is_japanese() {
                    self.hard(Kind::Kana, 2, here, 1);
                } else {
                    self.pos += 1;
                }
            }
            _ if is_stray_form(c) => {
                if prev.is_some_and(is_stray_form) || next.is_some_and(is_stray_form) {
                    self.pos += 1;
                } else {
                    self.hard(Kind::Stray, 2, here, 1);
                }
            }
            _ if is_rare_han(c) => self.hard(Kind::RareHan, 1, here, 1),
            _ => self.pos += 1,
        }
        None
    }

    /// A run of Latin letters starting at `i`: a broken note, a pinyin word, a lone
    /// letter wedged between Han characters, or an ordinary word.
    fn word(&mut self, i: usize, prev: Option<char>) -> (usize, char) {
        let rest = self.text.get(i..).unwrap_or("");
        let starts_word = !prev.is_some_and(|p| p.is_ascii_alphanumeric() || is_tone_letter(p));
        // `xiàng)` with no `(`: a note whose `(` was eaten. Without a tone mark it is
        // more likely an ordinary `a)` list label or the end of `(… word)`.
        if starts_word
            && self.depth == 0
            && let Some((len, true)) = note_body(rest)
        {
            self.soft(Kind::BrokenNote, 2);
            return (i + len, ')');
        }
        let mut end = i;
        let mut count = 0;
        let mut toned = false;
        let mut last = 'a';
        for (j, c) in rest.char_indices() {
            if !is_word_letter(c) {
                break;
            }
            toned |= is_tone_letter(c);
            count += 1;
            last = c;
            end = i + j + c.len_utf8();
        }
        let next = self.text.get(end..).and_then(|r| r.chars().next());
        let wedged = |n: Option<char>| n.is_some_and(|n| !n.is_ascii() && !n.is_whitespace());
        if toned {
            self.hard(Kind::Tone, 1, i..end, count);
        } else if count == 1 && wedged(prev) && wedged(next) {
            self.hard(Kind::Letter, 1, i..end, count);
        } else {
            self.pos += count;
        }
        (end, last)
    }

    /// Evidence that is itself part of the garbage and delimits a span.
    fn hard(&mut self, kind: Kind, weight: u32, bytes: Range<usize>, chars: usize) {
        self.link();
        let c = &mut self.cluster;
        c.span = Some(match c.span.take() {
            Some(span) => span.start..bytes.end,
            None => bytes,
        });
        self.add(kind, weight);
        self.pos += chars;
        self.cluster.end_pos = self.pos;
    }

    /// Evidence that supports a cluster but is not garbage itself (a broken note):
    /// it weighs in and links neighbours, but never widens the span.
    fn soft(&mut self, kind: Kind, weight: u32) {
        self.link();
        self.add(kind, weight);
        self.cluster.end_pos = self.pos;
    }

    fn add(&mut self, kind: Kind, weight: u32) {
        let c = &mut self.cluster;
        c.weight += weight;
        if matches!(kind, Kind::Letter) {
            c.letter_weight += weight;
        }
        c.kinds |= kind as u16;
    }

    /// Ends the current cluster when the new evidence is too far from it.
    fn link(&mut self) {
        if !self.cluster.is_empty() && self.pos - self.cluster.end_pos > GAP {
            self.finish_cluster();
        }
    }

    fn finish_cluster(&mut self) {
        let cluster = std::mem::take(&mut self.cluster);
        if !cluster.flagged() {
            return;
        }
        if let Some(span) = cluster.span {
            match self.spans.last_mut() {
                Some(last) if last.end >= span.start => last.end = last.end.max(span.end),
                _ => self.spans.push(span),
            }
        }
    }

    /// Japanese text uses kana everywhere; only in Chinese text is an isolated kana a
    /// sign of mojibake. Decided once per call, on the first kana.
    fn is_japanese(&mut self) -> bool {
        *self.japanese.get_or_insert_with(|| {
            let (mut kana, mut han) = (0usize, 0usize);
            for c in self.text.chars() {
                if is_kana(c) {
                    kana += 1;
                } else if is_han(c) {
                    han += 1;
                }
            }
            kana >= 3 && kana * 8 >= kana + han
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAMPLE_000: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/000_bdb5e1677ee91c80.txt"));
    const SAMPLE_001: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/001_2193c9b2d3e5f70a.txt"));
    const SAMPLE_002: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/002_05223ddfc07066bf.txt"));
    const SAMPLE_003: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/003_79302bc9a94f92f4.txt"));
    const SAMPLE_004: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/004_beff7861e42a5cfd.txt"));

    /// The flagged text, for readable assertions.
    fn flagged(text: &str) -> Vec<&str> {
        garbled_spans(text).into_iter().map(|r| &text[r]).collect()
    }

    /// What the cleaner does to gateway notes: drop every complete `(pinyin)`.
    /// Written independently of the scanner's own note test.
    fn strip_notes(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('(') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let body_len = after.find(')').filter(|&n| {
                let body = &after[..n];
                !body.is_empty()
                    && body.chars().count() <= 8
                    && body.chars().all(|c| c.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ".contains(c))
            });
            if let Some(n) = body_len {
                rest = &after[n + 1..];
            } else {
                out.push('(');
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }

    /// Asserts the spans of `text` are exactly the given substrings, each found once in order.
    fn assert_spans(text: &str, expected: &[&str]) {
        let mut want = Vec::new();
        let mut from = 0;
        for e in expected {
            let at = from + text[from..].find(e).unwrap_or_else(|| panic!("{e:?} not in text"));
            want.push(at..at + e.len());
            from = at + e.len();
        }
        assert_eq!(garbled_spans(text), want, "got {:?}", flagged(text));
    }

    #[test]
    fn rare_han_is_outside_both_level_one_sets() {
        for common in ['中', '国', '國', '的', '黜', '埃', '赫', '坊', '貢', '痹'] {
            assert!(!is_rare_han(common), "{common}");
        }
        for rare in ['嵤', '趥', '鞒', '袆', '\u{3400}', '\u{20000}', '\u{F900}', '\u{9FA6}'] {
            assert!(is_rare_han(rare), "{rare}");
        }
        for not_han in ['a', '?', '、', 'ダ', '\u{E367}', '〇'] {
            assert!(!is_rare_han(not_han), "{not_han}");
        }
    }

    #[test]
    fn sample_001_flags_exactly_the_garbage() {
        let garbage = ["?qū)嵤┗ダ\u{E367}献黜?"];
        assert_spans(SAMPLE_001, &garbage);
        assert_spans(&strip_notes(SAMPLE_001), &garbage);
        assert_spans("領(lǐng)域?qū)嵤┗ダ献黜?xiàng)目", &["?qū)嵤┗ダ献黜?"]);
    }

    #[test]
    fn sample_002_flags_exactly_the_garbage() {
        let garbage = ["?shù)貢r", "?!痹趥鞒兄袆?"];
        assert_spans(SAMPLE_002, &garbage);
        assert_spans(&strip_notes(SAMPLE_002), &garbage);
        assert_spans("當(dāng)?shù)貢r間2025年", &["?shù)貢r"]);
        assert_spans("優秀文化?!痹趥鞒兄袆?chuàng)新", &["?!痹趥鞒兄袆?"]);
    }

    #[test]
    fn clean_sample_files_have_no_spans() {
        for text in [SAMPLE_000, SAMPLE_003, SAMPLE_004] {
            assert_eq!(flagged(text), Vec::<&str>::new());
            for line in text.lines() {
                assert_eq!(flagged(line), Vec::<&str>::new(), "{line}");
            }
        }
        // The rest of the two damaged files is clean too, line by line.
        for (text, damaged_lines) in [(SAMPLE_001, 1), (SAMPLE_002, 2)] {
            let damaged = text.lines().filter(|line| !garbled_spans(line).is_empty()).count();
            assert_eq!(damaged, damaged_lines);
        }
    }

    #[test]
    fn private_use_and_replacement_characters_are_garbled_alone() {
        assert_spans("新华社\u{E000}\u{E001}\u{E002}电", &["\u{E000}\u{E001}\u{E002}"]);
        assert_spans("新华社北京\u{FFFD}日电", &["\u{FFFD}"]);
        assert_spans("\u{F8FF}", &["\u{F8FF}"]);
        assert_spans("第一段\u{E000}。\n\n第二段落很长很长\u{FFFD}", &["\u{E000}", "\u{FFFD}"]);
    }

    #[test]
    fn legitimate_question_marks_are_not_garbled() {
        for text in [
            "法律制度如何讓天更藍、水更綠、土更凈?各界高度關注",
            "法律制度如何讓天更藍(lán)、水更綠(lǜ)、土更凈?各界高度關(guān)注",
            "新項目花落誰家?",
            "什么是“親吻病”?又有哪些典型癥狀呢?",
            "真的吗?!我不信??",
            "详见 https://example.cn/a?id=3&b=4 。",
        ] {
            assert_eq!(flagged(text), Vec::<&str>::new(), "{text}");
        }
    }

    #[test]
    fn names_and_ordinary_latin_are_not_garbled() {
        for text in [
            "塔吉克斯坦总统埃莫马利·拉赫蒙会见王毅",
            "乌兹别克斯坦外长赛义多夫、叶尔梅克巴耶夫出席",
            "鲁班工坊在中亚落地",
            "A股、B股、C类、D类、E类、F类、G类、H类、I类",
            "维生素C和维生素D,5G网络,X光",
            "他用拼音写下“Zhōngguó hěn měi”。",
            "见附件(a)和(b),以及1)、2)两项",
            "日本の首相が東京で会談した。",
            "┌──┐\n│表│\n└──┘",
            "魑魅魍魉",
        ] {
            assert_eq!(flagged(text), Vec::<&str>::new(), "{text}");
        }
    }

    #[test]
    fn full_width_notes_are_neutral_too() {
        assert_spans("當（dāng）?shù)貢r間", &["?shù)貢r"]);
        assert_spans("優秀文化?!痹趥鞒兄袆?chuàng）新", &["?!痹趥鞒兄袆?"]);
    }

    #[test]
    fn a_question_mark_that_ate_a_notes_parenthesis_is_garbled() {
        assert_spans("合作項?xiàng)目", &["?"]);
    }

    #[test]
    fn real_wrong_conversions_are_flagged() {
        let simplified = "中国同中亚国家关系发展，在基础设施建设、数字互联互通和绿色经济领域实施互利合作项目。";
        let traditional = "中國同中亞國家關係發展，在基礎設施建設、數字互聯互通和綠色經濟領域實施互利合作項目。";
        let cases = [
            encoding_rs::GBK.decode(simplified.as_bytes()).0.into_owned(),
            encoding_rs::GBK.decode(traditional.as_bytes()).0.into_owned(),
            encoding_rs::BIG5.decode(simplified.as_bytes()).0.into_owned(),
            encoding_rs::GBK.decode(&encoding_rs::BIG5.encode(traditional).0).0.into_owned(),
            encoding_rs::UTF_8.decode(&encoding_rs::GBK.encode(simplified).0).0.into_owned(),
        ];
        for garbled in cases {
            let covered: usize = garbled_spans(&garbled).iter().map(std::iter::ExactSizeIterator::len).sum();
            assert!(covered * 2 >= garbled.len(), "{garbled:?} -> {:?}", flagged(&garbled));
        }
    }

    #[test]
    fn spans_do_not_cross_lines() {
        let text = "好\u{E000}\n\u{E001}好";
        assert_eq!(flagged(text), vec!["\u{E000}", "\u{E001}"]);
    }

    fn tricky_string() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            3 => any::<char>().prop_map(String::from),
            3 => prop::sample::select(vec![
                "中", "國", "嵤", "趥", "?", "(", ")", "(guó)", "xiàng)", "?qū)", "┗", "ダ", "\u{E367}",
                "\u{FFFD}", "r", "ā", "\n", " ", "、", "ㄛ", "﹜", "a",
            ])
            .prop_map(String::from),
        ];
        prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
    }

    /// The spans as found when only the commonest punctuation is passed over as ordinary.
    fn spans_by_narrow_runs(text: &str) -> Vec<Range<usize>> {
        let (spans, _) = Scanner::new(text).run::<false>();
        let lost = lost_data_runs(text);
        if lost.is_empty() { spans } else { merge(spans, lost) }
    }

    /// Every character, at either edge of a flagged cluster (evidence there would widen the
    /// span), before a pinyin note, and between evidence: passing over punctuation as
    /// ordinary changes nothing.
    #[test]
    fn every_character_passed_over_counts_as_it_did() {
        let flagged = "ダ?ダ?";
        assert!(!garbled_spans(&format!("中中{flagged}中中")).is_empty(), "the context is flagged");
        let contexts = [
            (flagged, "中中中"),
            ("中中中", flagged),
            // Under the threshold, unless what follows is taken for a broken note.
            ("?ダ", "guó)中中"),
            (flagged, "xiàng)中中"),
            ("?", "?"),
            ("(guó", "zhè)"),
            ("嵤", "\u{E367}"),
        ];
        let chars = (0..=0xFFFFu32).chain((0x1_0000..=0x10_FFFF).step_by(97)).filter_map(char::from_u32);
        for c in chars {
            for (before, after) in contexts {
                for text in [format!("{before}{c}{after}"), format!("{before}{c}{c}{c}{after}中")] {
                    assert_eq!(garbled_spans(&text), spans_by_narrow_runs(&text), "U+{:04X} in {text:?}", c as u32);
                }
            }
        }
    }

    proptest! {
        /// The run read from the bytes is the run of characters the table marks, however the
        /// text ends (the last two bytes are read apart from the rest).
        #[test]
        fn ordinary_runs_decode_as_chars_do(text in "[中國1a ,·à?，“（\u{E000}\u{1F600}\n]{0,20}", from in 0usize..12) {
            let from = text.char_indices().nth(from).map_or(text.len(), |(i, _)| i);
            for table in [ordinary_table::<true>(), ordinary_table::<false>()] {
                let marked = |c: &char| {
                    let u = *c as usize;
                    u < 0x1_0000 && table[u / 64] & (1 << (u % 64)) != 0
                };
                let run: Vec<char> = text[from..].chars().take_while(marked).collect();
                let end = from + run.iter().map(|c| c.len_utf8()).sum::<usize>();
                prop_assert_eq!(ordinary_run(text.as_bytes(), from, table), (end, run.len()), "{:?}", &text[from..]);
            }
        }

        /// The scanner finds the runs of lost bytes a substring search per mark finds, also
        /// next to each other, inside other evidence and in runs too short to count.
        #[test]
        fn the_scanner_finds_the_lost_runs_a_search_finds(
            pieces in proptest::collection::vec(
                prop::sample::select(vec!["烫", "屯", "锟斤拷", "锟", "斤拷", "烫烫", "屯屯屯", "中", "，", "?", "(guó)", "ダ", "嵤"]),
                0..40,
            ),
        ) {
            let text = pieces.concat();
            for lost in [Scanner::new(&text).run::<true>().1, Scanner::new(&text).run::<false>().1] {
                prop_assert_eq!(&lost, &lost_data_runs(&text), "{:?}", text);
            }
        }

        /// The same on longer mixtures of evidence, ideographs and punctuation.
        #[test]
        fn passing_over_punctuation_changes_no_span(text in tricky_string(), punct in "[“”—…·《》「」【】！（）：，。、％＋－]{0,8}") {
            let text: String = text.chars().zip(punct.chars().cycle()).flat_map(|(a, b)| [a, b]).collect();
            prop_assert_eq!(garbled_spans(&text), spans_by_narrow_runs(&text));
        }

        #[test]
        fn spans_are_sorted_disjoint_and_on_char_boundaries(text in tricky_string()) {
            let spans = garbled_spans(&text);
            let mut last_end = 0;
            for (n, span) in spans.iter().enumerate() {
                prop_assert!(span.start < span.end);
                prop_assert!(n == 0 || span.start > last_end, "{:?}", spans);
                prop_assert!(span.end <= text.len());
                prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                last_end = span.end;
            }
        }

        #[test]
        fn arbitrary_strings_never_panic(text in any::<String>()) {
            let _ = garbled_spans(&text);
        }

        #[test]
        fn common_han_text_has_no_spans(text in "[中国人民的一是了不在有个这上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感，。、“”！？：；]{0,200}") {
            prop_assert!(garbled_spans(&text).is_empty());
        }
    }

    /// `cargo test --release -- --ignored --nocapture garble_throughput`
    #[test]
    #[ignore = "benchmark; run with --ignored --nocapture in release"]
    fn garble_throughput() {
        for (name, base) in [("clean simplified", SAMPLE_004), ("traditional with notes", SAMPLE_001)] {
            let text = base.repeat(100_000_000 / base.len() + 1);
            let _ = garbled_spans("中");
            let start = std::time::Instant::now();
            let spans = garbled_spans(&text);
            let secs = start.elapsed().as_secs_f64();
            println!("garbled_spans, {name}: {:.0} MB/s ({} spans)", text.len() as f64 / secs / 1e6, spans.len());
        }
    }

    #[test]
    fn lost_byte_marks_are_flagged_but_ordinary_words_are_not() {
        let text = "水烫烫的，屯兵。据报道锟斤拷锟斤拷双方烫烫烫烫同意";
        let spans = garbled_spans(text);
        let shown: Vec<&str> = spans.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(shown, ["锟斤拷锟斤拷", "烫烫烫烫"]);
        // Joined with the scanner's own spans where they touch.
        assert_eq!(merge(vec![0..3, 10..12], vec![2..6, 12..15, 20..21]), vec![0..6, 10..15, 20..21]);
    }
}

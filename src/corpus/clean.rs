//! Cleaning: decoded, sanitised text → [`Line`]s ready for segmentation.
//!
//! Each rule is a small function with its own tests. Whatever a rule takes
//! out is recorded as a [`Removed`](super::Removed) item, so nothing is lost silently. The
//! rules that need to see several paragraphs at once (rejoining a sentence
//! broken across paragraphs, telling page numerals from section numerals)
//! live here as predicates and are applied by `segment`, which knows the
//! surrounding structure.

use std::borrow::Cow;

use super::{RemovedKind, RemovedList};

/// One non-empty line of the source after markup and pinyin notes are gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    /// 1-based line number in the decoded text.
    pub line: usize,
    /// Markdown heading level (`#` = 1), when the line was marked as a heading.
    pub heading: Option<u8>,
    /// The text of the bold run the line began with (`**本报北京11月19日电**`
    /// or a news brief's headline), without its marks.
    pub bold_lead: Option<String>,
    /// The line was an item of a Markdown list (`- ` or `* ` before it).
    pub list_item: bool,
}

/// Cleaned lines of one source, and whether the source used Markdown headings.
#[derive(Debug, Clone, Default)]
pub struct Cleaned {
    pub lines: Vec<Line>,
    pub markdown: bool,
}

/// Applies the per-line rules to a whole text, appending what they remove to `removed`.
pub fn clean(text: &str, removed: &mut RemovedList) -> Cleaned {
    let lenient_pinyin = count_toned_notes(text) >= 2;
    let mut out = Cleaned::default();
    let mut md_headings = 0;
    for (line, raw) in unwrap_hard_wrapped(text, lenient_pinyin) {
        let trimmed = trim_space(&raw);
        if trimmed.is_empty() {
            continue;
        }
        let md = strip_markdown(trimmed);
        for m in md.removed {
            removed.add(RemovedKind::Markup, &m, line);
        }
        let (text, notes) = strip_pinyin_notes(&md.text, lenient_pinyin);
        for n in notes {
            removed.add(RemovedKind::PinyinNote, &md.text[n], line);
        }
        let text = trim_space(&text).to_string();
        if text.is_empty() {
            continue;
        }
        md_headings += usize::from(md.heading.is_some());
        let bold_lead = md.bold_lead.map(|b| strip_pinyin_notes(&b, lenient_pinyin).0.trim().to_string());
        out.lines.push(Line { text, line, heading: md.heading, bold_lead, list_item: md.list_item });
    }
    // One stray `#` line does not make a Markdown page whose other headings
    // would all be marked; two or more do.
    out.markdown = md_headings >= 2;
    out
}

/// Undoes hard wrapping. Some sources break every paragraph into lines of one
/// fixed width; when most long lines share a width, a line of that width is
/// joined to the next unless the next is indented, blank or a Markdown
/// heading, or the line ends a sentence and the next does not continue one.
/// Returns logical lines with the 1-based number of their first physical line.
///
/// `pinyin_notes`: the text carries tone-marked pinyin notes (`中國(guó)`), which Big5
/// gateways add after the text was wrapped: the lines are measured without them, or their
/// widths scatter with the notes each holds and no wrap width is found.
pub fn unwrap_hard_wrapped(text: &str, pinyin_notes: bool) -> Vec<(usize, Cow<'_, str>)> {
    let lines = split_lines(text);
    // The lines as the wrapper saw them.
    let without_notes: Vec<Cow<'_, str>>;
    let without_notes_refs: Vec<&str>;
    let as_wrapped: &[&str] = if pinyin_notes {
        without_notes = lines.iter().map(|l| strip_pinyin_notes(l, true).0).collect();
        without_notes_refs = without_notes.iter().map(AsRef::as_ref).collect();
        &without_notes_refs
    } else {
        &lines
    };
    // Wrappers count either display columns or characters.
    let measures: [fn(&str) -> usize; 2] =
        [line_width, |s: &str| s.bytes().filter(|&b| !(0x80..=0xBF).contains(&b)).count()];
    // The measure the most lines reach the width by; between two that explain as many (a page
    // of ideographs and a few digits: each digit is one column and one character), the one
    // that leaves fewer lines longer than the width, which a wrapper never writes.
    let Some((measure, width)) = measures
        .iter()
        .filter_map(|m| wrap_width(as_wrapped, *m).map(|(w, near, longer)| (*m, w, near, longer)))
        .max_by_key(|&(_, _, near, longer)| (near, std::cmp::Reverse(longer)))
        .map(|(m, w, _, _)| (m, w))
    else {
        return lines.into_iter().enumerate().map(|(i, l)| (i + 1, Cow::Borrowed(l))).collect();
    };
    let mut out: Vec<(usize, Cow<'_, str>)> = Vec::with_capacity(lines.len());
    let mut joining = false;
    for (i, l) in lines.iter().enumerate() {
        let indented = l.starts_with(['\u{3000}', '\t']) || l.starts_with("  ");
        let starts_block = trim_space(l).is_empty() || indented || l.starts_with('#') || is_boxed_label(l);
        match out.last_mut() {
            Some((_, prev)) if joining && !starts_block => {
                let t = trim_space(l);
                // Only a full stop (not `；` or `：`, which also fall at the
                // wrap width) can end a wrapped paragraph.
                if ends_paragraph(prev) && mid_sentence_start(t) < 0.6 {
                    out.push((i + 1, Cow::Borrowed(*l)));
                } else {
                    prev.to_mut().push_str(t);
                }
            }
            _ => out.push((i + 1, Cow::Borrowed(*l))),
        }
        let w = measure(unindented(as_wrapped[i]));
        joining = at_wrap_width(w, width) && !l.starts_with('#');
    }
    out
}

/// A short line that is one label in lenticular brackets and nothing else (`【遇见】`): a column
/// label or marker on a line of its own. It never goes on a wrapped paragraph, even after a
/// line that reaches the wrap width (a paragraph cut off by the page, a label under it): were
/// it the end of the paragraph, it would not stop this far short of the width without a full
/// stop, and a label inside a paragraph has text after it on its line.
fn is_boxed_label(line: &str) -> bool {
    let t = trim_space(line);
    t.strip_prefix('【').and_then(|t| t.strip_suffix('】')).is_some_and(|inner| {
        !inner.is_empty() && !inner.contains(['【', '】']) && inner.chars().count() <= BOXED_LABEL_CHARS
    })
}

/// The longest label [`is_boxed_label`] takes, in characters inside the brackets.
const BOXED_LABEL_CHARS: usize = 12;

/// How far short of the wrap width a wrapped line may fall: a wide character that did not fit
/// leaves two columns, and a width estimated from bytes counts quotes (`“”`) as one column where
/// the wrapper counted two.
const WRAP_UNDER: usize = 3;
/// How far past it a wrapped line may reach: closing punctuation hung at the line's end instead
/// of starting the next.
const WRAP_OVER: usize = 2;

/// Whether a line `w` wide was cut at the wrap width `width`.
fn at_wrap_width(w: usize, width: usize) -> bool {
    w.saturating_add(WRAP_UNDER) >= width && w <= width + WRAP_OVER
}

/// A line without its paragraph indent and trailing space: the part a wrapper measures. Some
/// wrappers indent the first line of a paragraph after cutting it (it is then longer than the
/// others by the indent), others before (it then holds fewer characters); without the indent
/// both fall within the wrap width.
fn unindented(l: &str) -> &str {
    l.trim_start_matches(['\u{3000}', '\t', ' ']).trim_end()
}

/// `text.split('\n')`, with the SIMD byte search of `memchr` (the standard library's reads a
/// word at a time).
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::with_capacity(text.len() / 64 + 1);
    let mut start = 0;
    for at in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(&text[start..at]);
        start = at + 1;
    }
    lines.push(&text[start..]);
    lines
}

/// Display columns of a line, estimated from its UTF-8 lead bytes: CJK and
/// other three- and four-byte characters take two columns, except general
/// punctuation (`“”—…`, lead byte 0xE2), which takes one like ASCII and
/// two-byte characters. Exact enough to find a wrap width, and it reads each
/// byte once without decoding.
fn line_width(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            0x80..=0xBF => 0,
            0xE0..=0xE1 | 0xE3..=0xFF => 2,
            _ => 1,
        })
        .sum()
}

/// The width most long lines are cut at, when the text is hard-wrapped, how many lines are cut
/// there and how many are longer.
fn wrap_width(lines: &[&str], measure: fn(&str) -> usize) -> Option<(usize, usize, usize)> {
    // Quick rejection, without measuring: hard-wrapped text has many short
    // lines, and most prose paragraphs are longer than any wrap width.
    let long_enough = lines.iter().filter(|l| l.len() >= 12).count();
    let mut by_len = [0usize; 31];
    for l in lines.iter().filter(|l| (12..=480).contains(&l.len())) {
        by_len[l.len() / 16] += 1;
    }
    let short: usize = by_len.iter().sum();
    // Lines cut at one width have nearly one byte length too (a CJK character
    // is three bytes, a digit one): most of them fall in neighbouring bins.
    let densest = (1..30).map(|i| by_len[i - 1] + by_len[i] + by_len[i + 1]).max().unwrap_or(0);
    if short < 6 || short * 2 < long_enough || densest * 5 < long_enough * 2 {
        return None;
    }
    // Wrapped lines are short; a long paragraph (over 160 columns, so over
    // 480 bytes in any encoding's worst case) only counts as "longer".
    let widths: Vec<usize> = lines
        .iter()
        .map(|l| if l.len() > 480 { usize::MAX } else { measure(unindented(l)) })
        .filter(|&w| w >= 12)
        .collect();
    if widths.len() < 6 {
        return None;
    }
    let mut counts: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for &w in &widths {
        *counts.entry(w).or_default() += 1;
    }
    let (&mode, _) = counts.iter().filter(|&(w, _)| *w != usize::MAX).max_by_key(|&(w, c)| (*c, *w))?;
    // Wrapped lines reach the width, fall a little short or reach a little past it
    // ([`at_wrap_width`]); paragraph ends are shorter.
    let near = widths.iter().filter(|&&w| at_wrap_width(w, mode)).count();
    let longer = widths.iter().filter(|&&w| w != usize::MAX && w > mode + WRAP_OVER).count()
        + widths.iter().filter(|&&w| w == usize::MAX).count();
    (near * 2 >= widths.len() && longer * 10 <= widths.len()).then_some((mode, near, longer))
}

/// Trims ASCII and ideographic white space (U+3000 indents paragraphs in Chinese text).
pub fn trim_space(s: &str) -> &str {
    // Called for nearly every line, several times, and nearly every line neither starts nor
    // ends with white space: the bytes of the first and last characters settle that without
    // decoding (every `White_Space` character, U+3000 among them, spelled out in UTF-8).
    let b = s.as_bytes();
    let starts = matches!(
        b,
        [0x09..=0x0D | 0x20, ..]
            | [0xC2, 0x85 | 0xA0, ..]
            | [0xE1, 0x9A, 0x80, ..]
            | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
            | [0xE2, 0x81, 0x9F, ..]
            | [0xE3, 0x80, 0x80, ..]
    );
    let ends = matches!(
        b,
        [.., 0x09..=0x0D | 0x20]
            | [.., 0xC2, 0x85 | 0xA0]
            | [.., 0xE1, 0x9A, 0x80]
            | [.., 0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF]
            | [.., 0xE2, 0x81, 0x9F]
            | [.., 0xE3, 0x80, 0x80]
    );
    if !starts && !ends {
        return s;
    }
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
}

/// What Markdown markup told us about a line, and the line without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmarked<'a> {
    pub text: Cow<'a, str>,
    pub heading: Option<u8>,
    pub bold_lead: Option<String>,
    /// A list item's mark (`- `, `* `) opened the line.
    pub list_item: bool,
    pub removed: Vec<String>,
}

/// Removes `#` heading marks and `**` bold marks, keeping what they meant.
pub fn strip_markdown(line: &str) -> Unmarked<'_> {
    let mut removed = Vec::new();
    let mut heading = None;
    let mut rest = line;
    let mut list_item = false;
    // A quotation (`> `) or list item (`- `, `* `) mark: the line's text follows it. (A
    // line of dashes alone is a separator, and keeps its dashes.)
    if let Some(mark) = ["> ", "- ", "* "].iter().find(|m| rest.starts_with(**m))
        && !rest[mark.len()..].chars().all(|c| matches!(c, '-' | '*' | '>' | '_' | '=' | ' ' | '\u{3000}'))
    {
        list_item = *mark != "> ";
        removed.push(mark.trim_end().to_string());
        rest = trim_space(&rest[mark.len()..]);
    }
    let hashes = rest.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) && rest[hashes..].starts_with([' ', '\u{3000}']) {
        heading = Some(hashes as u8);
        removed.push(rest[..hashes].to_string());
        rest = trim_space(&rest[hashes..]);
    }
    // (A byte search: most lines hold no `*` at all, and a substring search costs more to
    // set up than this line takes to read.)
    let bytes = rest.as_bytes();
    if !memchr::memchr_iter(b'*', bytes).any(|i| bytes.get(i + 1) == Some(&b'*')) {
        return Unmarked { text: Cow::Borrowed(rest), heading, bold_lead: None, list_item, removed };
    }
    let bold_lead = rest.strip_prefix("**").and_then(|r| r.split_once("**")).map(|(bold, _)| bold.to_string());
    let mut text = String::with_capacity(rest.len());
    let mut pieces = rest.split("**").peekable();
    let pairs = rest.matches("**").count();
    // Only balanced pairs are markup; a lone `**` is left as written.
    let mut seen = 0;
    while let Some(piece) = pieces.next() {
        text.push_str(piece);
        if pieces.peek().is_some() {
            seen += 1;
            if pairs % 2 == 1 && seen == pairs {
                text.push_str("**");
            } else {
                removed.push("**".to_string());
            }
        }
    }
    Unmarked { text: Cow::Owned(text), heading, bold_lead, list_item, removed }
}

/// A vowel (or syllabic consonant) carrying a pinyin tone mark.
#[rustfmt::skip]
pub(crate) fn is_toned(c: char) -> bool {
    matches!(c,
        'ā' | 'á' | 'ǎ' | 'à' | 'ē' | 'é' | 'ě' | 'è' | 'ī' | 'í' | 'ǐ' | 'ì' | 'ō' | 'ó' | 'ǒ' | 'ò'
        | 'ū' | 'ú' | 'ǔ' | 'ù' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ń' | 'ň' | 'ǹ' | 'ḿ')
}

/// `（` in UTF-8.
const FULL_WIDTH_OPEN: [u8; 3] = [0xEF, 0xBC, 0x88];

/// Finds `（`: a SIMD search for its three bytes (its lead 0xEF also starts every
/// full-width comma, so a search for the lead alone would stop constantly).
static FULL_WIDTH_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(&FULL_WIDTH_OPEN));

/// The first `(` or `（` at or after byte `from`: `memchr` for the one, and a search for
/// the other only up to it.
fn find_open_bracket(b: &[u8], from: usize) -> Option<usize> {
    let rest = b.get(from..)?;
    // Gateway pages have a note every few characters: the next few bytes are looked at one
    // by one first, which costs less than setting up the two searches for a short distance.
    let near = rest.len().min(NEAR_BRACKET);
    let is_open = |i: usize| rest[i] == b'(' || rest[i..].starts_with(&FULL_WIDTH_OPEN);
    if let Some(at) = (0..near).find(|&i| is_open(i)) {
        return Some(from + at);
    }
    // (A `（` whose first byte was looked at above was found there.)
    let far = &rest[near..];
    let half = memchr::memchr(b'(', far);
    let full = FULL_WIDTH_FINDER.find(&far[..half.unwrap_or(far.len())]);
    full.or(half).map(|at| from + near + at)
}

/// Bytes after a note looked at one by one for the next bracket (see [`find_open_bracket`]).
const NEAR_BRACKET: usize = 48;

/// A bracketed run of pinyin letters: byte ranges of the whole note and of
/// the letters inside. Finds `(…)` and `（…）` with 1–7 letters (tone-marked
/// vowels, `ü`, or `?` for a tone mark a legacy encoding lost).
fn notes_in(s: &str) -> impl Iterator<Item = (std::ops::Range<usize>, std::ops::Range<usize>)> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let bytes = s.as_bytes();
        while let Some(open) = find_open_bracket(bytes, from) {
            let inner_start = open + if bytes[open] == b'(' { 1 } else { FULL_WIDTH_OPEN.len() };
            from = inner_start;
            let mut end = inner_start;
            let mut letters = 0;
            for c in s[inner_start..].chars() {
                if !(c.is_ascii_alphabetic() || c == '?' || c == 'ü' || c == 'Ü' || is_toned(c)) {
                    break;
                }
                letters += 1;
                end += c.len_utf8();
                if letters > 7 {
                    break;
                }
            }
            if !(1..=7).contains(&letters) {
                continue;
            }
            let close = match s[end..].chars().next() {
                Some(')') => 1,
                Some('）') => '）'.len_utf8(),
                _ => continue,
            };
            from = end + close;
            return Some((open..end + close, inner_start..end));
        }
        None
    })
}

/// `t?i`: one `?` standing for a tone-marked vowel between pinyin letters.
fn is_lost_tone(s: &str) -> bool {
    // A byte count, not `matches`: this runs for every note of a gateway page.
    s.bytes().filter(|&b| b == b'?').count() == 1
        && !s.starts_with('?')
        && s.chars().all(|c| c == '?' || c.is_ascii_lowercase())
        && ["a", "e", "i", "o", "u"].iter().any(|v| is_pinyin_syllable(&s.replacen('?', v, 1)))
}

fn count_toned_notes(text: &str) -> usize {
    if !may_hold_note(text) {
        return 0;
    }
    notes_in(text)
        .filter(|(_, inner)| {
            let syllable = &text[inner.clone()];
            is_lost_tone(syllable) || syllable.chars().any(is_toned)
        })
        .take(2)
        .count()
}

/// Removes pinyin readings that Big5/GB conversion gateways insert after
/// characters (`中國(guó)` → `中國`). A note must follow a Han character (or the
/// `?` of a garbled one) and spell one pinyin syllable; with `lenient`, set when
/// the text already has tone-marked notes, a toneless syllable (`(de)`) counts too.
/// Real parentheticals such as `中歐(亞)班列` or `(记者李强)` are never notes. The notes
/// are returned as byte ranges of `s`.
pub fn strip_pinyin_notes(s: &str, lenient: bool) -> (Cow<'_, str>, Vec<std::ops::Range<usize>>) {
    if !may_hold_note(s) {
        return (Cow::Borrowed(s), Vec::new());
    }
    let mut out = String::with_capacity(s.len());
    let mut notes = Vec::new();
    let mut last = 0;
    for (note, inner) in notes_in(s) {
        let before = s[..note.start].chars().next_back();
        let after_han = before.is_some_and(|c| is_han(c) || c == '?' || c == '\u{FFFD}');
        let syllable = &s[inner];
        // A legacy encoding without tone marks turns them into `?` (`(t?i)`).
        let marked = is_lost_tone(syllable);
        let toned = marked || syllable.chars().any(is_toned);
        let syllable: Cow<'_, str> = if marked { Cow::Owned(syllable.replacen('?', "a", 1)) } else { syllable.into() };
        let syllable = &*syllable;
        // Toneless readings are accepted only with an initial consonant, so
        // list labels like `(a)` stay.
        let toneless_ok = lenient
            && syllable.len() >= 2
            && syllable.chars().all(|c| c.is_ascii_lowercase())
            && !syllable.starts_with(['a', 'e', 'i', 'o', 'u']);
        if after_han && (toned || toneless_ok) && is_pinyin_syllable(syllable) {
            out.push_str(&s[last..note.start]);
            notes.push(note.clone());
            last = note.end;
        }
    }
    if notes.is_empty() {
        return (Cow::Borrowed(s), notes);
    }
    out.push_str(&s[last..]);
    (Cow::Owned(out), notes)
}

/// A cheap test before the note pattern: an opening bracket followed by a
/// lowercase Latin letter (plain, or a tone-marked vowel of Latin-1 or Latin
/// Extended-A/B, whose UTF-8 lead bytes are 0xC3–0xC7).
///
/// This reads every byte of every line, and most lines hold no note: the brackets are
/// found with `memchr`'s SIMD searches (`(` and the three bytes of `（`, EF BC 88, which
/// is rare beside the other full-width punctuation that shares its first two bytes), and
/// only the byte after each is looked at.
fn may_hold_note(s: &str) -> bool {
    let letter = |c: Option<&u8>| c.is_some_and(|&c| c.is_ascii_lowercase() || (0xC3..=0xC7).contains(&c));
    let b = s.as_bytes();
    memchr::memchr_iter(b'(', b).any(|i| letter(b.get(i + 1)))
        || FULL_WIDTH_FINDER.find_iter(b).any(|i| letter(b.get(i + FULL_WIDTH_OPEN.len())))
}

/// True for CJK ideographs (the unified blocks and compatibility ideographs).
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}' | '〇')
}

/// A final (the syllable after its initial consonant). A `match` on the
/// bytes rather than a search of a list: gateway pages have a note every
/// few characters, and each note is checked against every initial.
#[rustfmt::skip]
fn is_final(f: &[u8]) -> bool {
    matches!(f,
        b"a" | b"o" | b"e" | b"i" | b"u" | b"v" | b"ai" | b"ei" | b"ao" | b"ou" | b"an" | b"en" | b"ang" | b"eng"
        | b"ong" | b"er" | b"ia" | b"ie" | b"iao" | b"iu" | b"ian" | b"in" | b"iang" | b"ing" | b"iong" | b"ua"
        | b"uo" | b"uai" | b"ui" | b"uan" | b"un" | b"uang" | b"ue" | b"ve" | b"van" | b"vn" | b"io" | b"ueng")
}

/// A syllable without an initial consonant.
#[rustfmt::skip]
fn is_bare(s: &[u8]) -> bool {
    matches!(s,
        b"n" | b"ng" | b"m" | b"hm" | b"er" | b"a" | b"o" | b"e" | b"ai" | b"ei" | b"ao" | b"ou" | b"an" | b"en"
        | b"ang" | b"eng")
}

/// Whether `s` spells a single Mandarin syllable (tone marks allowed).
pub fn is_pinyin_syllable(s: &str) -> bool {
    // Base letters on the stack: this runs for every note of a gateway page.
    let mut buf = [0u8; 8];
    let mut n = 0;
    for c in s.chars() {
        let base = match c {
            'a'..='z' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            'ā' | 'á' | 'ǎ' | 'à' => 'a',
            'ē' | 'é' | 'ě' | 'è' => 'e',
            'ī' | 'í' | 'ǐ' | 'ì' => 'i',
            'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
            'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
            'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ü' | 'Ü' => 'v',
            'ń' | 'ň' | 'ǹ' => 'n',
            'ḿ' => 'm',
            _ => return false,
        };
        let Some(slot) = buf.get_mut(n) else { return false };
        *slot = base as u8;
        n += 1;
    }
    let plain = &buf[..n];
    // An initial and a final: zh, ch and sh, or a single consonant.
    let two_letter = matches!(plain, [b'z' | b'c' | b's', b'h', ..]);
    let one_letter = matches!(
        plain,
        [
            b'b' | b'p'
                | b'm'
                | b'f'
                | b'd'
                | b't'
                | b'n'
                | b'l'
                | b'g'
                | b'k'
                | b'h'
                | b'j'
                | b'q'
                | b'x'
                | b'r'
                | b'z'
                | b'c'
                | b's'
                | b'y'
                | b'w',
            ..
        ]
    );
    is_bare(plain) || (two_letter && is_final(&plain[2..])) || (one_letter && is_final(&plain[1..]))
}

/// Characters that end a sentence (closing quotes and brackets are skipped first).
const TERMINAL: &[char] = &['。', '！', '？', '!', '?', '；', ';', '：', ':', '…', '．'];
const CLOSERS: &[char] = &['”', '’', '」', '』', '》', '"', '\'', '）', ')', '】', '〕'];

/// True when a paragraph ends where a sentence can end. Closing quotes and
/// brackets count as an ending (`…说。”`, `(2014年，杜尚别)`), as does `：`
/// before a list; a paragraph ending in a character or a comma does not.
pub fn ends_sentence(text: &str) -> bool {
    let t = trim_space(text);
    match t.chars().next_back() {
        None => true,
        Some(c) if CLOSERS.contains(&c) => true,
        // `.` ends a sentence after a character or a closing quote (pages typed
        // with half-width punctuation), or as an ellipsis; not after a digit.
        Some('.') => t.ends_with("...") || t.chars().rev().nth(1).is_some_and(|c| is_han(c) || CLOSERS.contains(&c)),
        Some(c) => TERMINAL.contains(&c),
    }
}

/// Reporting verbs that need a speaker before them.
const SPEECH: [&str; 10] = ["表示", "认为", "認為", "指出", "强调", "強調", "介绍", "介紹", "说", "說"];

/// True when a line ends with a full stop, question or exclamation mark (after
/// any closing quotes): where a wrapped paragraph can end.
fn ends_paragraph(text: &str) -> bool {
    let t = trim_space(text).trim_end_matches(CLOSERS);
    t.ends_with(['。', '！', '？', '!', '?', '…']) || t.ends_with("...")
}

/// Evidence (0 = none) that a paragraph begins in the middle of a sentence:
/// it opens with punctuation, closes a quote it never opened, or its first
/// phrase is one or two characters cut off by an enumeration comma (`能、…`).
pub fn mid_sentence_start(text: &str) -> f32 {
    let t = trim_space(text);
    let Some(first) = t.chars().next() else { return 0.0 };
    if matches!(first, '，' | ',' | '、' | '；' | ';' | '。' | '：' | ':' | '）' | ')' | '”' | '’' | '」' | '』' | '》')
    {
        return 1.0;
    }
    let mut score: f32 = 0.0;
    // Particles that attach to what precedes them never open a sentence
    // (的确 "indeed" does).
    if (t.starts_with('的') && !t.starts_with("的确") && !t.starts_with("的確"))
        || t.starts_with('们')
        || t.starts_with('們')
    {
        score += 0.8;
    }
    // A reporting verb with no subject before it ("表示，…") continues a
    // sentence whose speaker was named in the previous paragraph.
    if let Some(verb) = SPEECH.iter().find(|v| t.starts_with(**v))
        && t[verb.len()..].starts_with(['，', ',', '：', ':'])
    {
        score += 0.8;
    }
    // A closing quote before any opening one: the quote began in an earlier paragraph.
    if closes_quote_first(t) {
        score += 1.0;
    }
    // The first four characters, without allocating (this runs on nearly every paragraph).
    let mut first_four = ['\0'; 4];
    let mut n = 0;
    for (slot, c) in first_four.iter_mut().zip(t.chars()) {
        *slot = c;
        n += 1;
    }
    let head = &first_four[..n];
    if let Some(pos) = head.iter().position(|&c| matches!(c, '、' | '，' | ',' | '。')) {
        let lead = &head[..pos];
        let numeric_label = lead.iter().all(|&c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c));
        if !numeric_label && !lead.is_empty() {
            score += match (lead.len(), head[pos]) {
                // One character and a full stop: the rest of a word cut at a page end.
                (1, '。') => 1.0,
                (1 | 2, '、') => 0.9,
                // One character and a comma: the same.
                (1, _) => 0.8,
                (_, '。') => 0.6,
                _ => 0.2,
            };
        }
    }
    score.min(1.5)
}

/// Whether the first quotation mark or title bracket in `t` is a closing one
/// (`”」』》` before any of `“「『《`).
///
/// Reads bytes, not characters: this runs on nearly every paragraph, and
/// most have no quote at all. All eight marks are three bytes, `E2 80 9C/9D`
/// or `E3 80 8A–8F`, and a byte E2 or E3 always starts a character. Blocks of
/// sixteen positions are tested branch-free (so the test vectorises) and
/// only a block holding a mark is read position by position.
#[expect(clippy::needless_bitwise_bool, reason = "`&` and `|` keep the block test branch-free, so it vectorises")]
fn closes_quote_first(t: &str) -> bool {
    let is_mark = |x0: u8, x1: u8, x2: u8| {
        (x1 == 0x80) & (((x0 == 0xE2) & ((x2 == 0x9C) | (x2 == 0x9D))) | ((x0 == 0xE3) & (0x8A..=0x8F).contains(&x2)))
    };
    // An opening mark has the even last byte of its pair except `“` (9C):
    // 《 8A, 「 8C, 『 8E open; 》 8B, 」 8D, 』 8F and ” 9D close.
    let closes = |x2: u8| x2 == 0x9D || (x2 != 0x9C && x2 % 2 == 1);
    let b = t.as_bytes();
    let at = super::scan::first_block(b, 0, is_mark);
    // The first mark from `at` on (within the block found, or in the tail).
    b[at..].windows(3).find(|w| is_mark(w[0], w[1], w[2])).is_some_and(|w| closes(w[2]))
}

#[cfg(test)]
mod tests {

    proptest::proptest! {
        /// The searched test says what the definition says: a `(` or `（` followed by a
        /// lowercase letter or a Latin-1/Extended lead byte, anywhere in the line.
        #[test]
        fn may_hold_note_is_a_bracket_before_a_letter(s in "[（(，。a-zA-Zàǎü中国 ]{0,24}") {
            let b = s.as_bytes();
            let letter = |c: Option<&u8>| c.is_some_and(|&c| c.is_ascii_lowercase() || (0xC3..=0xC7).contains(&c));
            let expected = (0..b.len()).any(|i| {
                (b[i] == b'(' && letter(b.get(i + 1))) || (b[i..].starts_with(&FULL_WIDTH_OPEN) && letter(b.get(i + 3)))
            });
            proptest::prop_assert_eq!(may_hold_note(&s), expected);
        }

        /// Lines are split exactly where `str::split` splits them, empty ones included.
        #[test]
        fn split_lines_is_splitting_at_line_breaks(s in "[\n中a\r ]{0,40}") {
            proptest::prop_assert_eq!(split_lines(&s), s.split('\n').collect::<Vec<_>>());
        }

        /// The next bracket from any position is the first `(` or `（` there.
        #[test]
        fn find_open_bracket_finds_the_first_bracket(s in "[（(，。a-z中 ]{0,24}", from in 0usize..80) {
            let b = s.as_bytes();
            let expected = (from..b.len()).find(|&i| b[i] == b'(' || b[i..].starts_with(&FULL_WIDTH_OPEN));
            proptest::prop_assert_eq!(find_open_bracket(b, from), expected);
        }

        /// The byte shortcut never changes what trimming gives, whatever white space (every
        /// `White_Space` character and U+3000) stands at either end.
        #[test]
        fn trim_space_is_trimming_white_space(
            s in "[ \t\n\u{b}\u{c}\r\u{85}\u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}中国a。（ ]{0,12}"
        ) {
            let expected = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
            proptest::prop_assert_eq!(trim_space(&s), expected);
        }
    }

    use super::*;
    use proptest::prelude::*;

    /// The syllable test as first written, over lists of initials and finals.
    fn is_pinyin_syllable_by_lists(plain: &[u8]) -> bool {
        const INITIALS: [&str; 23] = [
            "zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s",
            "y", "w",
        ];
        const FINALS: [&str; 38] = [
            "a", "o", "e", "i", "u", "v", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong", "er", "ia", "ie",
            "iao", "iu", "ian", "in", "iang", "ing", "iong", "ua", "uo", "uai", "ui", "uan", "un", "uang", "ue", "ve",
            "van", "vn", "io", "ueng",
        ];
        const BARE: [&[u8]; 16] = [
            b"n", b"ng", b"m", b"hm", b"er", b"a", b"o", b"e", b"ai", b"ei", b"ao", b"ou", b"an", b"en", b"ang", b"eng",
        ];
        BARE.contains(&plain)
            || INITIALS.iter().any(|ini| {
                plain.strip_prefix(ini.as_bytes()).is_some_and(|fin| FINALS.iter().any(|f| f.as_bytes() == fin))
            })
    }

    #[test]
    fn syllables_agree_with_the_lists_of_initials_and_finals() {
        // Every string of up to four letters over the alphabet pinyin uses,
        // and every initial before every final and its near misses.
        let letters = b"abcdefghijklmnopqrstuvwxyz";
        let mut words: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> = words
                .iter()
                .filter(|w| w.len() == words.last().map_or(0, Vec::len))
                .flat_map(|w| letters.iter().map(move |&l| [w.as_slice(), &[l]].concat()))
                .collect();
            words.extend(longer);
        }
        for ini in ["zh", "ch", "sh", "b", "z", "y", ""] {
            for fin in ["iang", "iong", "uang", "ueng", "uangg", "ianx", "van", "vn", "ng"] {
                words.push(format!("{ini}{fin}").into_bytes());
            }
        }
        for w in &words {
            let s = std::str::from_utf8(w).expect("ASCII");
            assert_eq!(is_pinyin_syllable(s), is_pinyin_syllable_by_lists(w), "{s}");
        }
    }

    proptest! {
        #[test]
        fn open_brackets_are_found_like_a_plain_search(s in "[(（a中，。）]{0,50}", from in 0usize..60) {
            let from = from.min(s.len());
            let plain = (from..s.len()).find(|&i| s.as_bytes()[i] == b'(' || s.as_bytes()[i..].starts_with(&FULL_WIDTH_OPEN));
            prop_assert_eq!(find_open_bracket(s.as_bytes(), from), plain);
        }

        #[test]
        fn the_note_pre_check_agrees_with_a_plain_search(s in "[(（a-zǎü中文，。?）)]{0,60}") {
            let b = s.as_bytes();
            let letter = |i: usize| b.get(i).is_some_and(|&c| c.is_ascii_lowercase() || (0xC3..=0xC7).contains(&c));
            let plain = s.match_indices('(').any(|(i, _)| letter(i + 1))
                || s.match_indices('（').any(|(i, _)| letter(i + '（'.len_utf8()));
            prop_assert_eq!(may_hold_note(&s), plain);
        }

        #[test]
        fn the_quote_scan_on_bytes_agrees_with_reading_characters(
            t in "[“”「」『』《》〈〉、。，…—中文a1 ]{0,40}"
        ) {
            let by_chars = t.chars().find_map(|c| match c {
                '“' | '「' | '『' | '《' => Some(false),
                '”' | '」' | '』' | '》' => Some(true),
                _ => None,
            });
            prop_assert_eq!(closes_quote_first(&t), by_chars.unwrap_or(false));
        }
    }

    #[test]
    fn the_note_pre_check_finds_both_brackets_anywhere() {
        for (s, expected) in [
            ("中國(guó)", true),
            ("中國（guó）", true),
            ("中國（ǎ）", true),
            ("(a)", true),
            ("中國", false),
            ("中國（记者）", false),
            ("中國(CIPS)", false),
            ("，。：（", false),
            ("(", false),
            ("末尾（", false),
            ("中，國（記者），（xiàng）", true),
        ] {
            assert_eq!(may_hold_note(s), expected, "{s}");
        }
    }

    #[test]
    fn pinyin_notes_are_removed_after_characters() {
        let s = "中國(guó)-中亞外長(zhǎng)第六次會(huì)晤";
        let (text, notes) = strip_pinyin_notes(s, false);
        assert_eq!(text, "中國-中亞外長第六次會晤");
        assert_eq!(notes.into_iter().map(|n| &s[n]).collect::<Vec<_>>(), ["(guó)", "(zhǎng)", "(huì)"]);
    }

    #[test]
    fn pinyin_note_after_a_garbled_question_mark_is_removed() {
        let (text, _) = strip_pinyin_notes("作黜?(xiàng)目", false);
        assert_eq!(text, "作黜?目");
    }

    #[test]
    fn notes_whose_tone_marks_were_lost_to_a_legacy_encoding_are_removed() {
        let s = "生態(t?i)環(hu?n)境";
        let (text, notes) = strip_pinyin_notes(s, false);
        assert_eq!(text, "生態環境");
        assert_eq!(notes.into_iter().map(|n| &s[n]).collect::<Vec<_>>(), ["(t?i)", "(hu?n)"]);
        assert_eq!(strip_pinyin_notes("是什么(?)呢", true).0, "是什么(?)呢");
    }

    #[test]
    fn real_parentheticals_are_kept() {
        for s in [
            "中歐(亞)班列",
            "與會外長(下稱“各方”)通過",
            "(记者李强)吉尔吉斯",
            "人民银行跨境支付系统(CIPS)",
            "附件(a)",
            "(完)",
        ] {
            assert_eq!(strip_pinyin_notes(s, true).0, s, "{s}");
        }
    }

    #[test]
    fn toneless_syllables_need_evidence_from_the_text() {
        assert_eq!(strip_pinyin_notes("我們(men)", false).0, "我們(men)");
        assert_eq!(strip_pinyin_notes("我們(men)", true).0, "我們");
        assert_eq!(strip_pinyin_notes("系統(abc)", true).0, "系統(abc)");
    }

    #[test]
    fn pinyin_syllables_are_validated() {
        for s in ["guó", "zhǎng", "huì", "xiàng", "lǐng", "er", "lüè", "chuàng"] {
            assert!(is_pinyin_syllable(s), "{s}");
        }
        for s in ["CIPS", "abc", "xyz", "qqq"] {
            assert!(!is_pinyin_syllable(s), "{s}");
        }
    }

    #[test]
    fn markdown_headings_keep_their_level() {
        let m = strip_markdown("### 先立后破、破立并举,以改革促开放");
        assert_eq!(m.text, "先立后破、破立并举,以改革促开放");
        assert_eq!(m.heading, Some(3));
        assert_eq!(m.removed, ["###"]);
        assert_eq!(strip_markdown("#没有空格").heading, None);
    }

    #[test]
    fn quotation_and_list_marks_are_markup_and_a_dash_line_is_not() {
        let m = strip_markdown("> 本报记者  王  珂");
        assert_eq!(m.text, "本报记者  王  珂");
        assert_eq!(m.removed, [">"]);
        let m = strip_markdown("- **港口吞吐量稳步增长**");
        assert_eq!(m.text, "港口吞吐量稳步增长");
        assert_eq!(m.bold_lead.as_deref(), Some("港口吞吐量稳步增长"));
        assert!(m.list_item);
        assert!(strip_markdown("* 港口吞吐量稳步增长").list_item);
        assert!(!strip_markdown("> 本报记者").list_item);
        assert_eq!(strip_markdown("- - -").text, "- - -");
        assert_eq!(strip_markdown("-5度以下").text, "-5度以下");
    }

    #[test]
    fn bold_dateline_markup_is_removed_and_remembered() {
        let m = strip_markdown("**本报比什凯克11月19日电** (记者李强)吉尔吉斯斯坦");
        assert_eq!(m.text, "本报比什凯克11月19日电 (记者李强)吉尔吉斯斯坦");
        assert_eq!(m.bold_lead.as_deref(), Some("本报比什凯克11月19日电"));
        assert_eq!(m.removed, ["**", "**"]);
    }

    #[test]
    fn an_unpaired_bold_mark_is_text() {
        assert_eq!(strip_markdown("a**b").text, "a**b");
        assert_eq!(strip_markdown("**a** b**").text, "a b**");
    }

    #[test]
    fn cleaning_records_everything_it_removes() {
        let mut removed = RemovedList::default();
        let c = clean("## 标题(biāo)\n\n  正文。\n", &mut removed);
        assert!(!c.markdown, "one heading line does not make a Markdown page");
        assert_eq!(c.lines.len(), 2);
        assert_eq!(c.lines[0].text, "标题");
        assert_eq!(c.lines[1].line, 3);
        let kinds: Vec<RemovedKind> = removed.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, [RemovedKind::Markup, RemovedKind::PinyinNote]);
    }

    #[test]
    fn two_heading_lines_make_a_markdown_page() {
        let c = clean("# 标题\n正文。\n## 小标题\n正文。\n", &mut RemovedList::default());
        assert!(c.markdown);
        assert_eq!(c.lines[2].heading, Some(2));
    }

    #[test]
    fn hard_wrapped_paragraphs_are_unwrapped() {
        let para = "中华人民共和国外交部长王毅十九日在北京会见来访的吉尔吉斯斯坦外长，双方就两国关系和共同关心的国际地区问题深入交换意见。";
        let mut text = String::new();
        for _ in 0..4 {
            let chars: Vec<char> = para.chars().collect();
            for chunk in chars.chunks(15) {
                text.extend(chunk);
                text.push('\n');
            }
            text.push('\n');
        }
        let logical: Vec<String> = unwrap_hard_wrapped(&text, false)
            .into_iter()
            .map(|(_, l)| l.into_owned())
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(logical, vec![para.to_string(); 4]);
    }

    #[test]
    fn a_label_on_its_own_line_is_not_joined_to_a_paragraph_cut_at_the_wrap_width() {
        let para = "中华人民共和国外交部长王毅十九日在北京会见来访的吉尔吉斯斯坦外长，双方就两国关系和共同关心的国际地区问题深入交换意见。";
        let chars: Vec<char> = para.chars().collect();
        let mut text = String::new();
        for _ in 0..3 {
            for chunk in chars.chunks(15) {
                text.extend(chunk);
                text.push('\n');
            }
            text.push('\n');
        }
        // A paragraph the page cut off after its second full line, then a label and a title.
        for chunk in chars.chunks(15).take(2) {
            text.extend(chunk);
            text.push('\n');
        }
        text.push_str("【遇见】\n## 芦笙响起\n");
        let logical: Vec<String> = unwrap_hard_wrapped(&text, false)
            .into_iter()
            .map(|(_, l)| l.into_owned())
            .filter(|l| !l.is_empty())
            .collect();
        let cut: String = chars[..30].iter().collect();
        assert_eq!(logical[3..], [cut, "【遇见】".to_string(), "## 芦笙响起".to_string()]);
        // A label with text after it on its line is part of the paragraph.
        assert!(!is_boxed_label("【新华视点】记者从有关部门获悉"));
        assert!(!is_boxed_label("【】"));
        assert!(is_boxed_label(" 【遇见】 "));
    }

    #[test]
    fn paragraphs_indented_after_wrapping_are_unwrapped() {
        // The wrapper cut every line at 15 characters and then indented each paragraph's first
        // line, so first lines are two characters longer than the width and the others.
        let paras = [
            "中华人民共和国外交部长王毅十九日在北京会见来访的吉尔吉斯斯坦外长，双方就两国关系和共同关心的国际地区问题深入交换意见。",
            "双方一致同意，继续加强高层交往，深化共建一带一路合作，推动两国全面战略伙伴关系不断向前发展，造福两国人民。",
        ];
        let mut text = String::new();
        for _ in 0..3 {
            for para in paras {
                let chars: Vec<char> = para.chars().collect();
                for (i, chunk) in chars.chunks(15).enumerate() {
                    if i == 0 {
                        text.push_str("\u{3000}\u{3000}");
                    }
                    text.extend(chunk);
                    text.push('\n');
                }
            }
        }
        let logical: Vec<String> = unwrap_hard_wrapped(&text, false)
            .into_iter()
            .map(|(_, l)| trim_space(&l).to_string())
            .filter(|l| !l.is_empty())
            .collect();
        let want: Vec<String> = (0..3).flat_map(|_| paras.map(str::to_string)).collect();
        assert_eq!(logical, want);
    }

    #[test]
    fn lines_with_hung_punctuation_still_show_the_wrap_width() {
        // Wrapped at 20 columns (ten wide characters), closing punctuation hung at a line's end
        // rather than starting the next: a third of the lines are one character longer.
        let para = "各地持续推进城市更新行动，改造老旧小区，完善社区服务设施，居民生活品质不断提升，一些城市还新建口袋公园，增加绿地和健身场所，方便市民就近休闲。";
        let chars: Vec<char> = para.chars().collect();
        let mut lines: Vec<String> = Vec::new();
        let mut at = 0;
        while at < chars.len() {
            let mut end = (at + 10).min(chars.len());
            if chars.get(end).is_some_and(|c| "，。".contains(*c)) {
                end += 1;
            }
            lines.push(chars[at..end].iter().collect());
            at = end;
        }
        assert!(lines.iter().filter(|l| l.chars().count() == 11).count() * 10 > lines.len(), "{lines:?}");
        let mut text = String::new();
        for _ in 0..4 {
            for l in &lines {
                text.push_str(l);
                text.push('\n');
            }
            text.push('\n');
        }
        let logical: Vec<String> = unwrap_hard_wrapped(&text, false)
            .into_iter()
            .map(|(_, l)| l.into_owned())
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(logical, vec![para.to_string(); 4]);
    }

    #[test]
    fn lines_wrapped_before_pinyin_notes_were_added_are_unwrapped() {
        // A Big5 gateway wrapped the page at 15 characters and then noted the reading of some
        // characters (`國(guó)`): the lines' lengths scatter with the notes each holds.
        let para = "中华人民共和国外交部长王毅十九日在北京会见来访的吉尔吉斯斯坦外长，双方就两国关系和共同关心的国际地区问题深入交换意见。";
        let readings = [('国', "(guó)"), ('交', "(jiāo)"), ('会', "(huì)"), ('来', "(lái)"), ('问', "(wèn)")];
        let with_readings = |s: &str| -> String {
            s.chars()
                .map(|c| readings.iter().find(|(n, _)| *n == c).map_or(c.to_string(), |(_, p)| format!("{c}{p}")))
                .collect()
        };
        let chars: Vec<char> = para.chars().collect();
        let mut text = String::new();
        for _ in 0..4 {
            for chunk in chars.chunks(15) {
                text.push_str(&with_readings(&chunk.iter().collect::<String>()));
                text.push('\n');
            }
            text.push('\n');
        }
        let logical = |notes: bool| -> Vec<String> {
            unwrap_hard_wrapped(&text, notes)
                .into_iter()
                .map(|(_, l)| l.into_owned())
                .filter(|l| !l.is_empty())
                .collect()
        };
        assert_eq!(logical(true), vec![with_readings(para); 4]);
        // Measured with their notes, the lines' widths scatter: paragraphs stay cut.
        assert_ne!(logical(false), vec![with_readings(para); 4]);
        // `clean` finds the notes and takes them out after joining.
        let cleaned = clean(&text, &mut RemovedList::default());
        assert_eq!(cleaned.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(), vec![para; 4]);
    }

    #[test]
    fn a_page_wrapped_by_columns_is_measured_in_columns_when_characters_explain_as_many_lines() {
        // Wrapped at 40 columns: lines of twenty ideographs; in each paragraph one line holding
        // digits (12 ideographs and 16 digits: 40 columns, 28 characters) and a short closing
        // line with letters (26 columns, 20 characters). Counted in characters as many lines
        // reach a width (20) as counted in columns (40); only in characters are some longer.
        let han: Vec<char> =
            "各地持续推进城市更新行动改造老旧小区完善社区服务设施居民生活品质不断提升".chars().collect();
        let a_line = |i: usize| -> String { (0..20).map(|k| han[(i + k) % han.len()]).collect() };
        let digits_line = "统计数据显示今年以来增长1234567890123456";
        let closing_line = "合计有五个ABCDEFGHIJKLMN。";
        let mut text = String::new();
        let mut paragraphs = Vec::new();
        for p in 0..4 {
            let mut lines: Vec<String> = (0..9).map(|i| a_line(p * 9 + i)).collect();
            lines.insert(4, digits_line.to_string());
            lines.push(closing_line.to_string());
            paragraphs.push(lines.concat());
            for l in lines {
                text.push_str(&l);
                text.push('\n');
            }
        }
        assert_eq!((line_width(digits_line), digits_line.chars().count()), (40, 28));
        assert_eq!((line_width(closing_line), closing_line.chars().count()), (26, 20));
        let logical: Vec<String> = unwrap_hard_wrapped(&text, false)
            .into_iter()
            .map(|(_, l)| l.into_owned())
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(logical, paragraphs);
    }

    #[test]
    fn ordinary_text_is_not_unwrapped() {
        let text = "第一段很短。\n第二段也很短，但是比第一段长一些。\n第三段。\n";
        let logical: Vec<_> = unwrap_hard_wrapped(text, false).into_iter().map(|(n, l)| (n, l.into_owned())).collect();
        assert_eq!(logical.len(), 4);
        assert_eq!(logical[1], (2, "第二段也很短，但是比第一段长一些。".to_string()));
    }

    #[test]
    fn sentence_endings_are_recognised() {
        for s in [
            "开展合作。”",
            "会议发表了新闻公报。",
            "十三、各方欢迎:",
            "举行国际冰川保护高级别会议；",
            "从早年间以咏春...",
            "(2014年，杜尚别)",
        ] {
            assert!(ends_sentence(s), "{s}");
        }
        for s in ["提升整体管控效", "外事负责人胡利", "中明确了台湾的归属问题,", "活动期"] {
            assert!(!ends_sentence(s), "{s}");
        }
    }

    #[test]
    fn continuations_look_like_continuations() {
        for s in [
            "能、芬太尼类物质全球共治",
            "元级、千亿元级出口产业集群。",
            "间,与会嘉宾将围绕",
            "展工作。",
            "区安全不可或缺的一环”的论述。",
            "，其意义重大",
            "表示,此次论坛提出了",
        ] {
            assert!(mid_sentence_start(s) >= 0.6, "{s}");
        }
        for s in [
            "2025年4月26日,中国一中亚外长",
            "一、各方梳理了",
            "“政党既是国家发展的核心力量。”他说",
            "中方一如既往地坚定支持",
            "今年,广东将加强",
            "表示感谢",
        ] {
            assert!(mid_sentence_start(s) < 0.6, "{s}");
        }
    }
}

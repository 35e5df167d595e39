//! Fuzz entry points (docs/reliability.md §5.1 item 5, ESC-09, TST-01, TST-04, TST-08).
//!
//! One function per cargo-fuzz target in `fuzz/`, each taking the fuzzer's raw bytes and
//! panicking only when an invariant is broken. The targets are one-line wrappers, and
//! `tests/it/fuzz_replay.rs` runs the same functions over the committed corpora and crash files
//! on stable, so a crash found on nightly stays fixed without nightly.
//!
//! | Function | Path | Invariants |
//! |---|---|---|
//! | [`decode_pipeline`] | bytes → decode → sanitise → clean → segment, as a loaded file | no panic; one source or one fatal problem; every text display-safe, also cluster by cluster as a cell would hold it; ranges, clause and source indices in bounds; ids unique |
//! | [`sanitize`] | `corpus::sanitize::sanitize` | output display-safe by the library's test *and* by an independent one, cluster by cluster; idempotent; combining runs within the caps |
//! | [`wrap`] | `wrap::wrap`, narrow and wide | TST-01: rows cover the text contiguously, trimming only what the docs allow; starts strictly increase; no grapheme split; widths right and within the row |
//! | [`state_load`] | `bookmarks::store::Store::open` over a file of these bytes | no panic; the file is never rewritten: its bytes stay in place or move aside intact |
//! | [`render_frames`] | frames of (size, actions, file) drawn by the whole app into a `TestBackend` | ESC-09 and TST-04: no panic (also in `Buffer::diff`), no cell holds a Cc, `Bidi_Control` or `Default_Ignorable` code point outside an emoji cluster, no cell symbol over 64 bytes |
//!
//! The byte formats of the structured inputs ([`wrap`], [`render_frames`]) are documented on
//! those functions, with encoders ([`wrap_input`], [`encode_frames`]) for seeding corpora.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

use crate::app::{Action, App, Settings};
use crate::bookmarks::store::{self, Store};
use crate::convert::Converter;
use crate::corpus::load::RawDoc;
use crate::corpus::{self, Corpus};
use crate::wrap::{self as wrapper, AmbiguousWidth, Row};

/// Largest terminal a frame asks for (ESC-09: 1..=200 × 1..=60).
pub const MAX_WIDTH: u16 = 200;
pub const MAX_HEIGHT: u16 = 60;
/// Frames drawn from one input at most (TST-04: 50 random frames).
pub const MAX_FRAMES: usize = 50;
/// Actions applied before one frame is drawn, at most.
pub const MAX_ACTIONS: usize = 8;
/// Longest file name a frame carries.
pub const MAX_NAME: usize = 32;
/// Bytes one rendered cell symbol may hold (docs/reliability.md §6).
pub const MAX_SYMBOL_BYTES: usize = 64;

/// The ESC-02 attack payloads, for seeding corpora and for the replay test.
pub const ESC_02_PAYLOADS: &[&str] = &[
    "\u{1b}]0;pwned\u{7}",
    "\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}",
    "\u{1b}]8;;http://evil/\u{1b}\\click\u{1b}]8;;\u{1b}\\",
    "\u{1b}[2J\u{1b}[H",
    "\u{1b}[?1049l",
    "\u{1b}[?25l",
    "\u{1b}[6n",
    "\u{1b}[21t",
    "\u{1b}P$q m\u{1b}\\",
    "\u{1b}Pq#0;2;0;0;0#0!2147483647@\u{1b}\\",
    "\u{9b}2J",
    "\u{9d}0;x\u{9c}",
    "\u{1b}]8;;\u{1b}0m\u{1b}[>0q",
    "\u{1b}]0;unterminated title",
    "\u{1b}",
    "\u{1b}\u{1b}[[31m",
    "\u{1b}[\u{1b}[31m",
    "\u{1b}(0",
    "\u{1b}7",
    "\u{1b}8",
    "\u{202e}evil\u{202c}\u{200b}\u{2060}\u{feff}",
];

/// Text of the kinds TST-01's generator mixes: CJK, full-width and ambiguous punctuation,
/// emoji sequences (ZWJ, VS16, flags, skin tones, keycaps), combining marks, Hangul jamo,
/// half-width kana with a voicing mark, ideographic space, a long unbreakable run.
pub const MIXED_TEXT: &str = "国务院新闻办公室发表《白皮书》，“全面”‘深化’……——·①※ \
    word words 2025 👨\u{200d}👩\u{200d}👧 ❤\u{fe0f} 🇨🇳🇹🇼 👍🏽 #\u{fe0f}\u{20e3} e\u{301}\u{302}\u{303} \
    \u{1100}\u{1161}\u{11a8}\u{1100}\u{1100}\u{1161} ｶﾞｷﾞ\u{3000}\u{3000}全角　空格 \
    abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\n\n下一段。";

/// The actions a frame can apply, by index (byte modulo the length). Everything a reader
/// does that stays in memory: no quit, no export (it writes a file).
const ACTIONS: &[Action] = &[
    Action::Open,
    Action::Down,
    Action::Up,
    Action::PageDown,
    Action::PageUp,
    Action::HalfPageDown,
    Action::HalfPageUp,
    Action::Top,
    Action::Bottom,
    Action::NextArticle,
    Action::PreviousArticle,
    Action::ToggleScript,
    Action::NextClause,
    Action::PreviousClause,
    Action::NextSibling,
    Action::PreviousSibling,
    Action::ToggleOutline,
    Action::GoToPrompt,
    Action::SearchPrompt,
    Action::SearchCorpus,
    Action::NextMatch,
    Action::PreviousMatch,
    Action::ToggleExact,
    Action::FilterLibrary,
    Action::MarkParagraph,
    Action::StartVisual,
    Action::NextSentence,
    Action::PreviousSentence,
    Action::SwapEnds,
    Action::ShowBookmarks,
    Action::EditNote,
    Action::DeleteBookmark,
    Action::Undo,
    Action::ToggleOrder,
    Action::Newline,
    Action::Compare,
    Action::ShowMessages,
    Action::ToggleHelp,
    Action::SwitchFocus,
    Action::ToggleLibrary,
    Action::Input('国'),
    Action::Input('各'),
    Action::Input('的'),
    Action::Input('一'),
    Action::Input('a'),
    Action::Input('1'),
    Action::Input('、'),
    Action::Input('“'),
    Action::Input('\u{202e}'),
    Action::Backspace,
    Action::Confirm,
    Action::Cancel,
    Action::WiderColumn,
    Action::NarrowerColumn,
    Action::Scroll(3),
    Action::Scroll(-3),
    Action::Click(40, 3),
    Action::Click(2, 2),
];

/// The bytes as text: as they are when they are UTF-8, lossily otherwise.
fn text_of(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

// ---------------------------------------------------------------------------------------------
// Independent character classes (Unicode 16), so that the checks do not trust the sanitiser's
// own tables.

/// `Bidi_Control`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `Default_Ignorable_Code_Point` (DerivedCoreProperties.txt).
fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// The invisibles that are allowed inside an emoji cluster (docs/reliability.md §6: ZWJ and
/// variation selectors).
fn is_emoji_component(c: char) -> bool {
    matches!(c, '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
}

/// A coarse `Extended_Pictographic` (plus the keycap mark and regional indicators): what makes
/// a grapheme cluster an emoji cluster.
fn is_emoji(c: char) -> bool {
    matches!(
        c as u32,
        0x1F000..=0x1FAFF
            | 0x1FC00..=0x1FFFD
            | 0x2600..=0x27BF
            | 0x2300..=0x23FF
            | 0x2B00..=0x2BFF
            | 0x2190..=0x21FF
            | 0x2934..=0x2935
            | 0x25AA..=0x25FE
            | 0x00A9
            | 0x00AE
            | 0x203C
            | 0x2049
            | 0x2122
            | 0x2139
            | 0x20E3
            | 0x24C2
            | 0x3030
            | 0x303D
            | 0x3297
            | 0x3299
    )
}

/// Why `cluster` (one grapheme cluster, or one cell symbol) may not reach the terminal, if it
/// may not: a Cc (C0, DEL, C1, also `'\n'`), a `Bidi_Control`, or a `Default_Ignorable` code
/// point other than a ZWJ or variation selector inside an emoji cluster (ESC-09).
fn unsafe_in_cluster(cluster: &str) -> Option<String> {
    let emoji = cluster.chars().any(is_emoji);
    for c in cluster.chars() {
        let why = if c.is_control() {
            "a Cc control"
        } else if is_bidi_control(c) {
            "a Bidi_Control"
        } else if is_default_ignorable(c) && !(emoji && is_emoji_component(c)) {
            "a Default_Ignorable outside an emoji cluster"
        } else {
            continue;
        };
        return Some(format!("U+{:04X} ({why}) in {cluster:?}", c as u32));
    }
    None
}

/// [`unsafe_in_cluster`] for each grapheme cluster of `text` but line breaks: what a terminal
/// cell would receive once the text is drawn (ESC-09).
fn unsafe_cluster(text: &str) -> Option<String> {
    text.graphemes(true).filter(|g| !matches!(*g, "\n" | "\r\n")).find_map(unsafe_in_cluster)
}

// ---------------------------------------------------------------------------------------------
// decode_pipeline

/// Loads `data` as a file named `fuzz.txt` through [`Corpus::from_docs`] (decode → sanitise →
/// clean → segment, with no forced encoding) and checks what comes out.
///
/// # Panics
/// When the pipeline panics or an invariant of the result is broken.
pub fn decode_pipeline(data: &[u8]) {
    let doc = RawDoc { name: "fuzz.txt".to_owned(), path: None, bytes: data.to_vec() };
    let (corpus, problems) = Corpus::from_docs(std::slice::from_ref(&doc), None);
    let fatal = problems.iter().filter(|p| p.fatal).count();
    assert_eq!(corpus.sources.len() + fatal, 1, "one input gives one source or one fatal problem: {problems:?}");
    if fatal == 1 {
        assert!(corpus.articles.is_empty(), "a skipped input gives no articles");
        return;
    }
    let source = &corpus.sources[0];
    assert_eq!(source.bytes, data.len() as u64, "source size");
    assert_eq!(source.fingerprint, corpus::fingerprint(data), "fingerprint");
    if let Err(why) = check_corpus(&corpus) {
        panic!("{why}");
    }
}

/// What must hold for every corpus the pipeline returns, whatever the input.
///
/// # Errors
/// The first broken invariant, described.
pub fn check_corpus(corpus: &Corpus) -> Result<(), String> {
    let mut ids = HashSet::new();
    for a in &corpus.articles {
        let Some(source) = corpus.sources.get(a.source_index) else {
            return Err(format!("{}: source_index {} of {} sources", a.id, a.source_index, corpus.sources.len()));
        };
        if source.name != a.source {
            return Err(format!("{}: source {:?} but source_index names {:?}", a.id, a.source, source.name));
        }
        if !ids.insert(a.id.as_str()) {
            return Err(format!("duplicate article id {}", a.id));
        }
        let fields = [&a.title, &a.subtitle, &a.author, &a.column, &a.dateline];
        for text in fields.into_iter().flatten() {
            if let Some(c) = text.chars().find(|c| c.is_control()) {
                return Err(format!("{}: metadata {text:?} holds control {c:?}", a.id));
            }
            if !corpus::sanitize::is_display_safe(text) {
                return Err(format!("{}: metadata {text:?} is not display-safe", a.id));
            }
            if let Some(why) = unsafe_cluster(text) {
                return Err(format!("{}: metadata {text:?}: {why}", a.id));
            }
        }
        for (i, p) in a.paragraphs.iter().enumerate() {
            if p.text.is_empty() {
                return Err(format!("{}: paragraph {i} is empty", a.id));
            }
            if let Some(c) = p.text.chars().find(|&c| c.is_control() && c != '\n') {
                return Err(format!("{}: paragraph {i} holds control {c:?}: {:?}", a.id, p.text));
            }
            if !corpus::sanitize::is_display_safe(&p.text) {
                return Err(format!("{}: paragraph {i} is not display-safe: {:?}", a.id, p.text));
            }
            if let Some(why) = unsafe_cluster(&p.text) {
                return Err(format!("{}: paragraph {i}: {why}", a.id));
            }
            for r in &p.garbled {
                let inside = r.start <= r.end && r.end <= p.text.len();
                if !inside || !p.text.is_char_boundary(r.start) || !p.text.is_char_boundary(r.end) {
                    return Err(format!(
                        "{}: paragraph {i} garbled range {r:?} is not on char boundaries of {} bytes",
                        a.id,
                        p.text.len()
                    ));
                }
            }
        }
        for c in &a.clauses {
            if c.paragraph >= a.paragraphs.len() {
                return Err(format!(
                    "{}: clause {:?} points at paragraph {} of {}",
                    a.id,
                    c.label,
                    c.paragraph,
                    a.paragraphs.len()
                ));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// sanitize

/// Runs the sanitiser over `data` (lossy UTF-8) and checks its output.
///
/// # Panics
/// When the sanitiser panics, or its output is not display-safe, not a fixed point, or has a
/// combining run beyond [`corpus::sanitize::MAX_COMBINING`] marks or
/// [`corpus::sanitize::MAX_CLUSTER_BYTES`] bytes with its base.
pub fn sanitize(data: &[u8]) {
    let text = text_of(data);
    let (out, removed) = corpus::sanitize::sanitize(&*text);
    assert!(corpus::sanitize::is_display_safe(&out), "output is not display-safe by is_display_safe: {out:?}");
    if let Some(why) = unsafe_cluster(&out) {
        panic!("output {out:?}: {why}");
    }
    for (i, c) in out.char_indices() {
        let bad = (c.is_control() && c != '\n')
            || is_bidi_control(c)
            || (is_default_ignorable(c) && !matches!(c, '\u{200D}' | '\u{FE0E}' | '\u{FE0F}'));
        assert!(!bad, "U+{:04X} left at byte {i} of {out:?}", c as u32);
    }
    let (again, removed_again) = corpus::sanitize::sanitize(&out);
    assert_eq!(again, out, "sanitising twice changes the text");
    assert!(removed_again.is_empty(), "the second pass removes {removed_again:?}");
    if removed.is_empty() {
        // Replacements are one character for one (TAB aside): nothing reported, nothing lost.
        let tabs = text.chars().filter(|&c| c == '\t').count();
        if tabs == 0 {
            assert_eq!(out.chars().count(), text.chars().count(), "characters vanished without a report");
        }
    }
    // Combining runs: at most MAX_COMBINING marks after one base, and the base and its marks
    // within MAX_CLUSTER_BYTES.
    let mut base_len = 0;
    let mut marks = 0;
    let mut bytes = 0;
    for c in out.chars() {
        if is_combining_mark(c) {
            marks += 1;
            bytes += c.len_utf8();
            assert!(marks <= corpus::sanitize::MAX_COMBINING, "{marks} combining marks in a row in {out:?}");
            assert!(
                base_len + bytes <= corpus::sanitize::MAX_CLUSTER_BYTES,
                "a base and its marks take {} bytes in {out:?}",
                base_len + bytes
            );
        } else {
            base_len = c.len_utf8();
            marks = 0;
            bytes = 0;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// wrap

/// The input of [`wrap`] for `width` and `text`.
pub fn wrap_input(width: u8, text: &str) -> Vec<u8> {
    let mut data = vec![width];
    data.extend_from_slice(text.as_bytes());
    data
}

/// Wraps text at one width under both [`AmbiguousWidth`] settings and checks TST-01.
///
/// Input: the first byte is the width (0..=255; 0 is treated as 1, as `wrap` documents), the
/// rest the text (lossy UTF-8). The text is wrapped as given and also sanitised, as the
/// reader gives it.
///
/// # Panics
/// When `wrap` panics or a row breaks an invariant.
pub fn wrap(data: &[u8]) {
    let Some((&width, rest)) = data.split_first() else { return };
    let text = text_of(rest);
    let safe = corpus::sanitize::sanitize(&*text).0;
    for t in [text.as_ref(), safe.as_str()] {
        for ambiguous in [AmbiguousWidth::Narrow, AmbiguousWidth::Wide] {
            let rows = wrapper::wrap(t, u16::from(width), ambiguous);
            if let Err(why) = check_rows(t, u16::from(width), ambiguous, &rows) {
                panic!("wrap at width {width}, {ambiguous:?}: {why}\ntext: {t:?}\nrows: {rows:?}");
            }
        }
    }
}

/// Width of `s` measured grapheme by grapheme with [`wrapper::grapheme_width`], the width one
/// grapheme takes as ratatui draws it (tests/it/layout.rs holds that definition to ratatui, TST-02).
/// The wrapper sums widths its own way (runs of hanzi, ASCII and spaces skip the segmenter), so
/// this checks the sums and the fast paths against the plain definition.
fn measured_width(s: &str, ambiguous: AmbiguousWidth) -> usize {
    s.graphemes(true).map(|g| wrapper::grapheme_width(g, ambiguous)).sum()
}

/// TST-01 for the rows of `text`.
///
/// # Errors
/// The first broken invariant, described.
pub fn check_rows(text: &str, width: u16, ambiguous: AmbiguousWidth, rows: &[Row]) -> Result<(), String> {
    let max = usize::from(width.max(1));
    if text.is_empty() {
        let ok = rows.is_empty() || rows == [Row { start: 0, end: 0, width: 0 }];
        return if ok { Ok(()) } else { Err(format!("rows {rows:?} for no text")) };
    }
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Err("no rows for some text".into());
    };
    if first.start != 0 || last.end != text.len() {
        return Err(format!("rows span {}..{} of {} bytes", first.start, last.end, text.len()));
    }
    let boundaries: HashSet<usize> =
        text.grapheme_indices(true).map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
    for (i, pair) in rows.windows(2).enumerate() {
        if pair[0].end != pair[1].start {
            return Err(format!("row {i} ends at {} but row {} starts at {}", pair[0].end, i + 1, pair[1].start));
        }
    }
    for (i, row) in rows.iter().enumerate() {
        if row.start >= row.end {
            return Err(format!("row {i} is empty or backwards: {row:?} (starts must strictly increase)"));
        }
        if !boundaries.contains(&row.start) || !boundaries.contains(&row.end) {
            return Err(format!("row {i} {row:?} splits a grapheme"));
        }
        let raw = &text[row.start..row.end];
        if let Some(nl) = raw.find('\n')
            && nl + 1 != raw.len()
        {
            return Err(format!("row {i} {row:?} runs past a newline"));
        }
        let visible = row.visible(text);
        check_trimming(text, row, raw, visible).map_err(|why| format!("row {i} {row:?}: {why}"))?;
        let measured = measured_width(visible, ambiguous);
        if usize::from(row.width) != measured.min(usize::from(u16::MAX)) {
            return Err(format!("row {i} {row:?} says width {} but {visible:?} is {measured} wide", row.width));
        }
        if measured > max {
            // The one documented exception: a grapheme wider than the whole row, alone.
            let alone = visible.graphemes(true).count() == 1;
            if !alone {
                return Err(format!("row {i} {row:?} is {measured} wide, over {max}: {visible:?}"));
            }
        }
    }
    Ok(())
}

/// What a row covers but does not show is only what the wrap docs allow: ASCII spaces skipped
/// at the start of a row that does not start a line, ASCII spaces hanging at the end of a line,
/// and the newline (with a CR before it) that ends the row.
fn check_trimming(text: &str, row: &Row, raw: &str, visible: &str) -> Result<(), String> {
    let starts_line = row.start == 0 || text.as_bytes()[row.start - 1] == b'\n';
    let (lead, tail) = if visible.is_empty() {
        // Nothing shown: all of it must be trimmable, as leading or as trailing spaces.
        (raw.len() - raw.trim_start_matches(' ').len(), raw.trim_start_matches(' '))
    } else {
        let base = text.as_ptr() as usize;
        let at = (visible.as_ptr() as usize).wrapping_sub(base);
        if at < row.start || at + visible.len() > row.end || text.get(at..at + visible.len()) != Some(visible) {
            return Err(format!("visible {visible:?} is not a slice of the row"));
        }
        (at - row.start, &text[at + visible.len()..row.end])
    };
    if lead > 0 && starts_line && !visible.is_empty() {
        return Err(format!("a row that starts a line lost its indentation {:?}", &raw[..lead]));
    }
    if !raw[..lead].bytes().all(|b| b == b' ') {
        return Err(format!("trimmed at the start: {:?}", &raw[..lead]));
    }
    let line_end = raw.ends_with('\n') || row.end == text.len();
    let body = tail.strip_suffix('\n').map_or(tail, |t| t.strip_suffix('\r').unwrap_or(t));
    if !body.bytes().all(|b| b == b' ') || (!body.is_empty() && !line_end) {
        return Err(format!("trimmed at the end: {tail:?}"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// state_load

/// Writes `data` as the bookmarks file of a fresh folder and opens the store there.
///
/// # Panics
/// When opening panics, or the file's bytes are lost: a file that cannot be used must be left
/// as it is (a newer schema, read-only) or moved aside intact, never rewritten (PST-07).
pub fn state_load(data: &[u8]) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let main = dir.path().join(store::FILE);
    std::fs::write(&main, data).expect("write the bookmarks file");
    let (opened, messages) = Store::open(Some(dir.path()));
    let kept = std::fs::read(&main).ok();
    let aside = corrupt_copies(dir.path());
    match (kept, aside.as_slice()) {
        (Some(bytes), []) => {
            assert!(bytes == data, "the bookmarks file was rewritten in place");
        }
        (None, [moved]) => {
            assert!(*moved == data, "the bookmarks file was moved aside but its bytes changed");
            assert!(!messages.is_empty(), "a file was moved aside without a message");
            assert!(opened.bookmarks().is_empty(), "bookmarks from a file moved aside (no backup exists)");
        }
        (kept, aside) => panic!(
            "after opening: bookmarks file {}, {} copies aside; messages {messages:?}",
            if kept.is_some() { "kept" } else { "gone" },
            aside.len()
        ),
    }
    if messages.is_empty() {
        // A file that loaded loads again the same.
        let (again, messages_again) = Store::open(Some(dir.path()));
        assert!(messages_again.is_empty(), "a file that loaded cleanly gives {messages_again:?} the second time");
        assert!(again.bookmarks() == opened.bookmarks(), "a second open reads different bookmarks");
    }
}

/// The contents of the `bookmarks.json.corrupt-*` files in `dir`.
fn corrupt_copies(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("bookmarks.json.corrupt-"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// render_frames

/// One frame of [`render_frames`]: a terminal size, what to load, and the actions applied
/// before drawing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    /// 1..=[`MAX_WIDTH`].
    pub width: u16,
    /// 1..=[`MAX_HEIGHT`].
    pub height: u16,
    /// Bit 0: colours; bit 1: ambiguous characters wide; bit 2: keep the previous frame's app
    /// (only resize and act), bit 3: the file's problems go to the messages view.
    pub flags: u8,
    /// Indices into the action table (modulo its length); at most [`MAX_ACTIONS`].
    pub actions: Vec<u8>,
    /// The file name, at most [`MAX_NAME`] bytes (lossy UTF-8, as file names are shown).
    pub name: Vec<u8>,
    /// The file's bytes, at most `u16::MAX`.
    pub text: Vec<u8>,
}

pub const COLOR: u8 = 1;
pub const WIDE: u8 = 1 << 1;
pub const KEEP_APP: u8 = 1 << 2;
pub const MESSAGES: u8 = 1 << 3;

/// Bytes read front to back; past the end, reads give zeros and empty slices.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.rest.split_at(n.min(self.rest.len()));
        self.rest = tail;
        head
    }

    fn byte(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }
}

/// Reads frames from fuzzer bytes. Each frame is
/// `width-1 (mod 200), height-1 (mod 60), flags, n (mod 9), n action bytes, m (mod 33),
/// m name bytes, text length (u16 LE), text`; missing bytes read as 0 and a short text is what
/// is left. Frames are read until the bytes run out, at most [`MAX_FRAMES`].
pub fn parse_frames(data: &[u8]) -> Vec<Frame> {
    let mut r = Reader { rest: data };
    let mut frames = Vec::new();
    while !r.rest.is_empty() && frames.len() < MAX_FRAMES {
        let width = 1 + u16::from(r.byte()) % MAX_WIDTH;
        let height = 1 + u16::from(r.byte()) % MAX_HEIGHT;
        let flags = r.byte();
        let n = usize::from(r.byte()) % (MAX_ACTIONS + 1);
        let actions = r.take(n).to_vec();
        let m = usize::from(r.byte()) % (MAX_NAME + 1);
        let name = r.take(m).to_vec();
        let len = u16::from_le_bytes([r.byte(), r.byte()]);
        let text = r.take(usize::from(len)).to_vec();
        frames.push(Frame { width, height, flags, actions, name, text });
    }
    frames
}

/// The bytes [`parse_frames`] reads back as `frames` (for seeding corpora). Sizes, action
/// counts, names and texts beyond the limits are clamped.
pub fn encode_frames(frames: &[Frame]) -> Vec<u8> {
    let mut data = Vec::new();
    for f in frames.iter().take(MAX_FRAMES) {
        data.push((f.width.clamp(1, MAX_WIDTH) - 1) as u8);
        data.push((f.height.clamp(1, MAX_HEIGHT) - 1) as u8);
        data.push(f.flags);
        let actions = &f.actions[..f.actions.len().min(MAX_ACTIONS)];
        data.push(actions.len() as u8);
        data.extend_from_slice(actions);
        let name = &f.name[..f.name.len().min(MAX_NAME)];
        data.push(name.len() as u8);
        data.extend_from_slice(name);
        let text = &f.text[..f.text.len().min(usize::from(u16::MAX))];
        data.extend_from_slice(&(text.len() as u16).to_le_bytes());
        data.extend_from_slice(text);
    }
    data
}

/// The action table's index of `action`, for building frames (`None`: not in the table).
pub fn action_index(action: Action) -> Option<u8> {
    ACTIONS.iter().position(|&a| a == action).map(|i| i as u8)
}

thread_local! {
    /// One converter for every app this thread builds: its `OpenCC` engines are built once,
    /// not once per frame. Taken while an app uses it and put back after.
    static CONVERTER: RefCell<Option<Converter>> = const { RefCell::new(None) };
}

/// An app over a corpus made from one frame's file, as the reader builds it.
fn app_for(frame: &Frame, converter: Converter) -> App {
    let name = String::from_utf8_lossy(&frame.name).into_owned();
    let doc = RawDoc { name, path: None, bytes: frame.text.clone() };
    let (corpus, problems) = Corpus::from_docs(std::slice::from_ref(&doc), None);
    let settings = Settings {
        color: frame.flags & COLOR != 0,
        ambiguous: if frame.flags & WIDE != 0 { AmbiguousWidth::Wide } else { AmbiguousWidth::Narrow },
        ..Settings::default()
    };
    let mut app = App::new(corpus, settings, HashMap::new(), (frame.width, frame.height));
    app.converter = converter;
    if frame.flags & MESSAGES != 0 {
        app.messages.extend(problems.iter().map(ToString::to_string));
    }
    app
}

/// Draws every frame of `data` (see [`parse_frames`]) with the whole app into one
/// `TestBackend` terminal, resized to each frame's size, and checks every cell after each draw
/// (ESC-09, TST-04).
///
/// # Panics
/// When building, updating or drawing the app panics, or a cell symbol holds a Cc,
/// `Bidi_Control` or `Default_Ignorable` code point outside an emoji cluster, or is longer than
/// [`MAX_SYMBOL_BYTES`].
pub fn render_frames(data: &[u8]) {
    draw_frames(data);
}

/// [`render_frames`], returning the last screen drawn (`None`: no frame).
///
/// # Panics
/// As [`render_frames`].
pub fn draw_frames(data: &[u8]) -> Option<Buffer> {
    let frames = parse_frames(data);
    let first = frames.first()?;
    let mut converter = CONVERTER.with(|c| c.borrow_mut().take()).unwrap_or_default();
    let mut terminal = Terminal::new(TestBackend::new(first.width, first.height)).expect("a test terminal");
    let mut app: Option<App> = None;
    for (n, frame) in frames.iter().enumerate() {
        let mut current = match app.take() {
            Some(previous) if frame.flags & KEEP_APP != 0 => previous,
            previous => {
                if let Some(mut previous) = previous {
                    converter = std::mem::take(&mut previous.converter);
                }
                app_for(frame, std::mem::take(&mut converter))
            }
        };
        terminal.backend_mut().resize(frame.width, frame.height);
        current.update(Action::Resize(frame.width, frame.height));
        for &a in &frame.actions {
            current.update(ACTIONS[usize::from(a) % ACTIONS.len()]);
        }
        terminal.draw(|f| crate::ui::render(&current, f)).expect("draw");
        if let Err(why) = check_buffer(terminal.backend().buffer()) {
            panic!("frame {n} ({}×{}): {why}", frame.width, frame.height);
        }
        app = Some(current);
    }
    if let Some(mut last) = app {
        converter = std::mem::take(&mut last.converter);
    }
    CONVERTER.with(|c| *c.borrow_mut() = Some(converter));
    Some(terminal.backend().buffer().clone())
}

/// ESC-09 over every cell of `buffer`.
///
/// # Errors
/// The first offending cell, described with its position.
pub fn check_buffer(buffer: &Buffer) -> Result<(), String> {
    let width = buffer.area.width.max(1);
    for (i, cell) in buffer.content().iter().enumerate() {
        let symbol = cell.symbol();
        let (x, y) = (i % usize::from(width), i / usize::from(width));
        if symbol.len() > MAX_SYMBOL_BYTES {
            return Err(format!("cell ({x}, {y}) holds {} bytes: {symbol:?}", symbol.len()));
        }
        if let Some(why) = unsafe_in_cluster(symbol) {
            return Err(format!("cell ({x}, {y}): {why}"));
        }
    }
    Ok(())
}

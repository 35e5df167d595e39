//! The corpus: files → text → fixes → articles.
//!
//! Data flows through four stages, each in its own module:
//! [`load`] (paths → [`load::RawDoc`]), [`decode`] (bytes → text),
//! [`clean`] (text → cleaned lines, recording what was removed) and
//! [`segment`] (cleaned lines → [`Article`]s with paragraphs and clauses).
//! Nothing in here knows about terminals: the same [`Corpus`] feeds the
//! reader and `gongbao export`.

pub mod clause;
pub mod clean;
pub mod decode;
pub mod export;
pub mod garble;
pub mod identity;
pub mod load;
pub mod sanitize;
pub(crate) mod scan;
pub mod segment;
pub mod topic;

use serde::Serialize;

pub use identity::{fingerprint, is_legacy_fingerprint, legacy_fingerprint};

/// Everything gongbao loaded: where it came from and the articles found in it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Corpus {
    pub sources: Vec<Source>,
    pub articles: Vec<Article>,
}

/// One input file (or standard input) and what decoding and cleaning did to it.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// File name (last path component), as shown to people and matched by the scorer.
    pub name: String,
    /// Full path as given, when the source is a file; a hint only.
    pub path: Option<String>,
    /// The same path as the file system has it (a GBK file name is not valid UTF-8), for
    /// bookmarks; not exported.
    #[serde(skip)]
    pub os_path: Option<std::path::PathBuf>,
    /// XXH3-128 of the file's bytes (32 hex digits): finds a file again after a move.
    pub fingerprint: String,
    /// The fingerprint earlier builds stored ([`legacy_fingerprint`]), taken only while saved
    /// state still holds such keys ([`ReadOptions::legacy_fingerprints`]); not exported.
    #[serde(skip)]
    pub legacy_fingerprint: Option<String>,
    /// Encoding used to decode the bytes (WHATWG label, e.g. `UTF-8`, `GBK`, `Big5`, `UTF-16LE`).
    pub encoding: String,
    /// True when the encoding was inferred by a heuristic rather than known (BOM, override).
    pub guessed: bool,
    /// Size of the input in bytes.
    pub bytes: u64,
    /// Number of undecodable byte sequences replaced by U+FFFD.
    pub replacements: usize,
    /// Everything cleaning and segmentation took out of the text, with its kind.
    pub removed: RemovedList,
}

/// A piece of the decoded text that is not part of any article, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub kind: RemovedKind,
    pub text: String,
    /// 1-based line of the decoded text where it was found.
    pub line: usize,
}

/// The [`Removed`] items of one source, held compactly: a gateway page has a pinyin note after
/// nearly every character, and an archive millions of them, which as a `String` each cost
/// several times their text (an allocation, its header and the struct). Here the texts share
/// one buffer and an item is 16 bytes. Exported exactly like a list of [`Removed`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemovedList {
    texts: String,
    items: Vec<RemovedItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RemovedItem {
    /// End of the text in [`RemovedList::texts`]; it starts where the previous one ends.
    end: usize,
    line: u32,
    kind: RemovedKind,
}

/// One item of a [`RemovedList`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RemovedRef<'a> {
    pub kind: RemovedKind,
    pub text: &'a str,
    /// 1-based line of the decoded text where it was found.
    pub line: usize,
}

impl RemovedList {
    pub fn push(&mut self, removed: &Removed) {
        self.add(removed.kind, &removed.text, removed.line);
    }

    /// Records `text` (copied into the shared buffer: cleaning passes slices of the line).
    pub fn add(&mut self, kind: RemovedKind, text: &str, line: usize) {
        self.texts.push_str(text);
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        self.items.push(RemovedItem { end: self.texts.len(), line, kind });
    }

    /// Gives back the spare capacity (a finished source's list lives as long as the corpus).
    pub fn shrink_to_fit(&mut self) {
        self.texts.shrink_to_fit();
        self.items.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = RemovedRef<'_>> {
        let starts = std::iter::once(0).chain(self.items.iter().map(|i| i.end));
        self.items.iter().zip(starts).map(|(item, start)| RemovedRef {
            kind: item.kind,
            text: self.texts.get(start..item.end).unwrap_or_default(),
            line: item.line as usize,
        })
    }
}

impl<'a> FromIterator<&'a Removed> for RemovedList {
    fn from_iter<I: IntoIterator<Item = &'a Removed>>(items: I) -> Self {
        let mut list = RemovedList::default();
        for r in items {
            list.push(r);
        }
        list.shrink_to_fit();
        list
    }
}

impl Serialize for RemovedList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemovedKind {
    /// `(guó)` after a character, added by Big5/GB conversion gateways.
    PinyinNote,
    /// Markdown syntax such as `##` or `**`.
    Markup,
    /// A page numeral between articles (`二`).
    PageNumeral,
    /// `（上接第二版）`, `(下转第七版)`.
    JumpMarker,
    /// A line of dashes separating teasers.
    Separator,
    /// Page furniture a scraper kept: `[图片]`, `点击查看大图`, page headers
    /// (`第03版：国际`), editor lines (`本版责编：…`), running heads repeated
    /// on every page, page footers (`— 2 —`), a boxed list of link titles
    /// (`【延伸阅读】` over titles with no text of their own), and a heading with no text
    /// under it (the label over teasers that became excerpts of their own).
    Furniture,
    /// Invisible or direction-changing code points (bidi controls, zero-width space, BOM).
    Invisible,
    /// Combining marks beyond the per-character cap.
    CombiningFlood,
}

/// One article (or excerpt) reassembled from a source.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    /// Stable identifier derived from the source name and the article's opening text.
    pub id: String,
    /// Index into [`Corpus::sources`].
    #[serde(skip)]
    pub source_index: usize,
    pub source: String,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub author: Option<String>,
    pub column: Option<String>,
    pub dateline: Option<String>,
    pub kind: ArticleKind,
    pub paragraphs: Vec<Paragraph>,
    pub clauses: Vec<Clause>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleKind {
    Article,
    /// A truncated teaser ending in `...`.
    Excerpt,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    pub kind: ParagraphKind,
    pub text: String,
    /// Byte ranges of `text` that look garbled (mojibake); flagged, never deleted. (A boxed
    /// slice, not a `Vec`: an archive holds millions of paragraphs, nearly all without.)
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub garbled: Box<[std::ops::Range<usize>]>,
    /// 1-based line in the decoded source where the paragraph starts (a hint; a file of more
    /// than 4 billion lines is over the input size cap).
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParagraphKind {
    Body,
    Heading,
    Dateline,
    Caption,
    Signature,
    End,
}

/// A numbered clause of a statement or communiqué.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clause {
    pub number: u32,
    /// The label as written: `十三、`, `一是`, `（一）`, `第一条`, `二`.
    pub label: String,
    /// Index into the article's paragraphs.
    pub paragraph: usize,
    /// Nesting level: 1 for `一、`, 2 for `（一）`, 3 for `1.`, 4 for `（1）`.
    pub level: u8,
    pub style: clause::ClauseStyle,
    /// False when the clause breaks its sequence (a stray `二、` before `一、`).
    pub in_sequence: bool,
}

/// Something a reader should know about an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// `（上接第二版）`: the beginning is on another page.
    ContinuedFrom,
    /// `(下转第七版)`: the rest is on another page.
    ContinuesOn,
    /// The article was reassembled from fragments separated by other text.
    Stitched,
    /// Part of the text looks garbled.
    Garbled,
    /// The article starts or ends mid-sentence and no other part was found.
    Fragment,
}

/// A problem with one input, reported in one line; the other inputs still load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub source: String,
    pub message: String,
    /// True when the input was skipped entirely (as opposed to a warning).
    pub fatal: bool,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "'{}': {}", self.source, self.message)
    }
}

/// Choices that hold for every file of one load, given to [`process`], [`Corpus::from_docs_with`]
/// and the background loader rather than set process-wide, so two loads in one process can
/// differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Whether each source also gets its [`legacy_fingerprint`]. Off unless saved state still
    /// holds such keys: it costs eight times the new fingerprint, and only the first run after an
    /// upgrade (or one with old keys left for files not opened) needs it. The reader turns it on
    /// when its saved state holds keys of that form.
    pub legacy_fingerprints: bool,
}

/// Runs one document through decode → sanitise → clean → segment.
///
/// # Panics
/// Never: it never asks [`process_unless`] to stop.
///
/// # Errors
/// When the bytes are empty or not text (see [`decode::DecodeError`]).
pub fn process(
    doc: &load::RawDoc,
    forced: Option<&'static encoding_rs::Encoding>,
    source_index: usize,
    options: ReadOptions,
) -> Result<(Source, Vec<Article>), decode::DecodeError> {
    let read = process_unless(doc, forced, source_index, options, &|| false)?;
    Ok(read.expect("processing stops only when asked to"))
}

/// [`process`], giving up between its stages (decode, sanitise, clean, segment) as soon as
/// `stop` says so: `Ok(None)`. A long file can then be abandoned while it is read, not only
/// after it.
///
/// # Errors
/// When the bytes are empty or not text (see [`decode::DecodeError`]).
pub fn process_unless(
    doc: &load::RawDoc,
    forced: Option<&'static encoding_rs::Encoding>,
    source_index: usize,
    options: ReadOptions,
    stop: &dyn Fn() -> bool,
) -> Result<Option<(Source, Vec<Article>)>, decode::DecodeError> {
    process_choosing(doc, &|_, _| forced, source_index, options, stop)
}

/// [`process_unless`] with the encoding chosen per file by its fingerprints: `choose` is given
/// the document's [`fingerprint`] and, when `options` take it, its [`legacy_fingerprint`],
/// before anything is decoded, and names the encoding to read it in (`None`: detected). The
/// reader's loads read a file whose encoding was chosen by hand this way, fingerprinting it once.
///
/// # Errors
/// When the bytes are empty or not text in the encoding chosen (see [`decode::DecodeError`]).
pub fn process_choosing(
    doc: &load::RawDoc,
    choose: &dyn Fn(&str, Option<&str>) -> Option<&'static encoding_rs::Encoding>,
    source_index: usize,
    options: ReadOptions,
    stop: &dyn Fn() -> bool,
) -> Result<Option<(Source, Vec<Article>)>, decode::DecodeError> {
    let print = fingerprint(&doc.bytes);
    let legacy = options.legacy_fingerprints.then(|| legacy_fingerprint(&doc.bytes));
    let forced = choose(&print, legacy.as_deref());
    let Some((decoded, removed, articles)) = read_text(doc, forced, source_index, stop)? else {
        return Ok(None);
    };
    let source = Source {
        name: doc.name.clone(),
        path: doc.path.as_ref().map(|p| p.to_string_lossy().into_owned()),
        os_path: doc.path.clone(),
        fingerprint: print,
        legacy_fingerprint: legacy,
        encoding: decoded.encoding.name().to_string(),
        guessed: decoded.guessed,
        bytes: doc.bytes.len() as u64,
        replacements: decoded.replacements,
        removed,
    };
    Ok(Some((source, articles)))
}

/// Decode → sanitise → clean → segment: the text of one document, what was removed from it,
/// and its articles. The decoded text itself is dropped; its encoding facts are kept.
/// `None` when `stop` said so between two stages.
fn read_text(
    doc: &load::RawDoc,
    forced: Option<&'static encoding_rs::Encoding>,
    source_index: usize,
    stop: &dyn Fn() -> bool,
) -> Result<Option<(decode::Decoded, RemovedList, Vec<Article>)>, decode::DecodeError> {
    let mut decoded = decode::decode(&doc.bytes, forced)?;
    if stop() {
        return Ok(None);
    }
    // The decoded text is handed over: sanitising keeps it as it is when it can.
    let (text, invisible) = sanitize::sanitize(std::mem::take(&mut decoded.text));
    if stop() {
        return Ok(None);
    }
    // What cleaning and segmenting remove goes straight into the compact list.
    let mut removed: RemovedList = invisible.iter().collect();
    let cleaned = clean::clean(&text, &mut removed);
    if stop() {
        return Ok(None);
    }
    let articles = segment::segment(&doc.name, source_index, cleaned.lines, cleaned.markdown, &mut removed);
    removed.shrink_to_fit();
    Ok(Some((decoded, removed, articles)))
}

/// Every decision the segmenter weighs on one document, with its features and scores: what
/// `gongbao export --explain` prints.
///
/// # Errors
/// When the bytes are empty or not text (see [`decode::DecodeError`]).
pub fn explain(doc: &load::RawDoc) -> Result<Vec<segment::Decision>, decode::DecodeError> {
    let mut decoded = decode::decode(&doc.bytes, None)?;
    let (text, invisible) = sanitize::sanitize(std::mem::take(&mut decoded.text));
    let mut removed: RemovedList = invisible.iter().collect();
    let cleaned = clean::clean(&text, &mut removed);
    let mut decisions = Vec::new();
    segment::segment_explained(&doc.name, 0, cleaned.lines, cleaned.markdown, &mut removed, Some(&mut decisions));
    Ok(decisions)
}

/// The warning for a source with undecodable bytes, if it has any.
pub fn decode_warning(source: &Source) -> Option<Problem> {
    let n = source.replacements;
    (n > 0).then(|| Problem {
        source: source.name.clone(),
        message: format!(
            "{n} undecodable byte sequence{} shown as U+FFFD (decoded as {}{}); try --encoding",
            if n == 1 { "" } else { "s" },
            source.encoding,
            if source.guessed { ", guessed" } else { "" },
        ),
        fatal: false,
    })
}

impl Corpus {
    /// Builds a corpus from raw documents. Documents that cannot be decoded are
    /// reported and left out; the rest still load.
    pub fn from_docs(docs: &[load::RawDoc], forced: Option<&'static encoding_rs::Encoding>) -> (Corpus, Vec<Problem>) {
        Corpus::from_docs_with(docs, forced, ReadOptions::default())
    }

    /// [`Corpus::from_docs`] with the given [`ReadOptions`].
    pub fn from_docs_with(
        docs: &[load::RawDoc],
        forced: Option<&'static encoding_rs::Encoding>,
        options: ReadOptions,
    ) -> (Corpus, Vec<Problem>) {
        let mut corpus = Corpus::default();
        let mut problems = Vec::new();
        for doc in docs {
            match process(doc, forced, corpus.sources.len(), options) {
                Ok((source, articles)) => {
                    problems.extend(decode_warning(&source));
                    corpus.sources.push(source);
                    corpus.articles.extend(articles);
                }
                Err(e) => {
                    problems.push(Problem { source: doc.name.clone(), message: format!("{e}; skipped"), fatal: true });
                }
            }
        }
        (corpus, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processing_stops_between_any_two_stages_when_asked() {
        let doc =
            load::RawDoc { name: "a.txt".into(), path: None, bytes: "标题\n\n正文。\n".repeat(50).into_bytes() };
        // Asked at the k-th check (after decode, sanitise, clean): nothing is returned.
        for k in 1..=3 {
            let asked = std::cell::Cell::new(0);
            let stop = || {
                asked.set(asked.get() + 1);
                asked.get() >= k
            };
            assert!(
                process_unless(&doc, None, 0, ReadOptions::default(), &stop).expect("text").is_none(),
                "stop at check {k}"
            );
            assert_eq!(asked.get(), k, "no stage runs after the stop");
        }
        let (_, articles) =
            process_unless(&doc, None, 0, ReadOptions::default(), &|| false).expect("text").expect("not stopped");
        assert!(!articles.is_empty());
    }

    #[test]
    fn two_loads_in_one_process_each_follow_their_own_options() {
        let doc = load::RawDoc { name: "a.txt".into(), path: None, bytes: "标题\n\n正文。\n".as_bytes().to_vec() };
        let with = ReadOptions { legacy_fingerprints: true };
        let (old_keys, _) = Corpus::from_docs_with(std::slice::from_ref(&doc), None, with);
        let (new_keys, _) = Corpus::from_docs_with(std::slice::from_ref(&doc), None, ReadOptions::default());
        // The second load did not inherit the first one's choice, nor the first the second's.
        assert_eq!(old_keys.sources[0].legacy_fingerprint, Some(legacy_fingerprint(&doc.bytes)));
        assert_eq!(new_keys.sources[0].legacy_fingerprint, None);
        let (source, _) = process(&doc, None, 0, with).expect("text");
        assert_eq!(source.legacy_fingerprint, Some(legacy_fingerprint(&doc.bytes)));
        assert_eq!(old_keys.sources[0].fingerprint, new_keys.sources[0].fingerprint);
    }

    /// An archive of a gigabyte holds about four million paragraphs: each byte of the
    /// struct costs 4 MB of memory there (it was 64 bytes with a `Vec` and a `usize`).
    #[test]
    fn a_paragraph_takes_48_bytes_besides_its_text() {
        assert!(std::mem::size_of::<Paragraph>() <= 48, "{}", std::mem::size_of::<Paragraph>());
    }

    proptest::proptest! {
        /// A compact list gives back every item as pushed, and exports exactly as the list of
        /// items it replaced.
        #[test]
        fn a_removed_list_holds_and_exports_what_was_pushed(
            items in proptest::collection::vec(("\\PC{0,8}", 0usize..100_000, 0usize..8), 0..40),
        ) {
            let kinds = [
                RemovedKind::PinyinNote,
                RemovedKind::Markup,
                RemovedKind::PageNumeral,
                RemovedKind::JumpMarker,
                RemovedKind::Separator,
                RemovedKind::Furniture,
                RemovedKind::Invisible,
                RemovedKind::CombiningFlood,
            ];
            let removed: Vec<Removed> =
                items.into_iter().map(|(text, line, k)| Removed { kind: kinds[k], text, line }).collect();
            let list: RemovedList = removed.iter().collect();
            proptest::prop_assert_eq!(list.len(), removed.len());
            let back: Vec<Removed> =
                list.iter().map(|r| Removed { kind: r.kind, text: r.text.to_string(), line: r.line }).collect();
            proptest::prop_assert_eq!(&back, &removed);
            proptest::prop_assert_eq!(
                serde_json::to_string(&list).unwrap_or_default(),
                serde_json::to_string(&removed).unwrap_or_default()
            );
        }
    }
}

//! Search that does not care which script the text or the query is in.
//!
//! [`fold`] defines the normal form (script, width, case, quotes and white space folded, one
//! character at a time); [`index`] finds a query in the text as written, folding it on the fly,
//! and gives each match as exact byte offsets of the original text; [`shingle`] samples each
//! article's n-grams as the index is built, for linking versions. This module adds what the
//! reader and `gongbao search` show about a match: its clause and a line of context.

pub mod fold;
pub mod index;
pub mod shingle;

use serde::Serialize;

pub use fold::{Folder, folder};
pub use index::{Match, Query, SearchIndex};

use crate::convert::{Converter, Script};
use crate::corpus::Corpus;

/// Characters of context shown on each side of a match.
pub const CONTEXT_CHARS: usize = 16;

/// A line of context around a match, in three parts so the match can be highlighted: text
/// before, the match, text after; each converted to `script` on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Context {
    pub before: String,
    pub matched: String,
    pub after: String,
    /// The paragraph goes on before `before` / after `after`.
    pub more_before: bool,
    pub more_after: bool,
}

impl Context {
    /// The three parts joined.
    pub fn line(&self) -> String {
        let (open, close) = (if self.more_before { "…" } else { "" }, if self.more_after { "…" } else { "" });
        format!("{open}{}{}{}{close}", self.before, self.matched, self.after)
    }
}

/// The context of `m`: up to `chars` characters either side, within its paragraph, line breaks
/// shown as spaces, converted to `script`.
pub fn context(corpus: &Corpus, m: &Match, chars: usize, converter: &Converter, script: Script) -> Context {
    let text = corpus.articles.get(m.article).and_then(|a| a.paragraphs.get(m.paragraph)).map_or("", |p| &p.text);
    let (start, end) = (m.range.start.min(text.len()), m.range.end.min(text.len()));
    let before_start = text[..start].char_indices().rev().take(chars).last().map_or(start, |(i, _)| i);
    let after_end = text[end..].char_indices().nth(chars).map_or(text.len(), |(i, _)| end + i);
    let show = |s: &str| {
        let flat = s.replace(['\n', '\r'], " ");
        converter.shown(&flat, script)
    };
    // Converted as one line, so phrase context is the same as in the reader; cut back into three
    // by character counts when conversion kept them (it almost always does), else piece by piece.
    let parts = [&text[before_start..start], &text[start..end], &text[end..after_end]];
    let whole = show(&text[before_start..after_end]);
    let counts = parts.map(|p| p.chars().count());
    let [before, matched, after] = if whole.chars().count() == counts.iter().sum::<usize>() {
        let mut chars = whole.chars();
        counts.map(|n| chars.by_ref().take(n).collect::<String>())
    } else {
        parts.map(show)
    };
    Context { before, matched, after, more_before: before_start > 0, more_after: after_end < text.len() }
}

/// The label of the clause paragraph `paragraph` of article `article` belongs to (`十三、`), if any.
pub fn clause_label(corpus: &Corpus, article: usize, paragraph: usize) -> Option<&str> {
    let a = corpus.articles.get(article)?;
    a.clauses.iter().rev().find(|c| c.paragraph <= paragraph).map(|c| c.label.as_str())
}

/// One match as `gongbao search --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct MatchRecord<'a> {
    pub source: &'a str,
    pub article: &'a str,
    pub title: Option<&'a str>,
    pub clause: Option<&'a str>,
    /// Index of the paragraph in the article (as in `export`).
    pub paragraph: usize,
    /// Byte offsets of the match in the paragraph's text as exported.
    pub start: usize,
    pub end: usize,
    /// The same offsets counted in characters (Unicode scalar values), for languages that index so.
    pub start_char: usize,
    pub end_char: usize,
    /// The matched text as written in the source.
    pub text: &'a str,
    /// The line of context, in the script asked for.
    pub context: String,
}

impl<'a> MatchRecord<'a> {
    pub fn new(corpus: &'a Corpus, m: &Match, converter: &Converter, script: Script) -> MatchRecord<'a> {
        let a = &corpus.articles[m.article];
        let text = a.paragraphs.get(m.paragraph).map_or("", |p| p.text.as_str());
        let range = m.range.start.min(text.len())..m.range.end.min(text.len());
        let start_char = text[..range.start].chars().count();
        MatchRecord {
            source: &a.source,
            article: &a.id,
            title: a.title.as_deref(),
            clause: clause_label(corpus, m.article, m.paragraph),
            paragraph: m.paragraph,
            start: range.start,
            end: range.end,
            start_char,
            end_char: start_char + text[range.clone()].chars().count(),
            text: &text[range],
            context: context(corpus, m, CONTEXT_CHARS, converter, script).line(),
        }
    }
}

/// `{"matches": [...]}` for `gongbao search --json`.
///
/// # Errors
/// When serialisation fails (it does not for these types).
pub fn to_json(
    corpus: &Corpus,
    matches: &[Match],
    converter: &Converter,
    script: Script,
) -> serde_json::Result<String> {
    #[derive(Serialize)]
    struct Report<'a> {
        matches: Vec<MatchRecord<'a>>,
    }
    let matches = matches.iter().map(|m| MatchRecord::new(corpus, m, converter, script)).collect();
    serde_json::to_string_pretty(&Report { matches })
}

/// The matches as text, grouped by source and article: a line per article with its count, then
/// a line per match with its clause, paragraph and context, the match in 【】.
pub fn to_text(corpus: &Corpus, matches: &[Match], converter: &Converter, script: Script) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut source = None;
    for (i, m) in matches.iter().enumerate() {
        let a = &corpus.articles[m.article];
        if source != Some(a.source_index) {
            source = Some(a.source_index);
            let _ = writeln!(out, "{}", crate::output::safe_line(&a.source));
        }
        if i == 0 || matches[i - 1].article != m.article {
            let count = matches[i..].iter().take_while(|n| n.article == m.article).count();
            let title = a.title.as_deref().map_or_else(|| "(untitled)".to_string(), |t| show(converter, t, script));
            let id = crate::output::safe_line(&a.id);
            let _ = writeln!(out, "  {title} [{id}]: {count} match{}", if count == 1 { "" } else { "es" });
        }
        let c = context(corpus, m, CONTEXT_CHARS, converter, script);
        let clause = clause_label(corpus, m.article, m.paragraph).map_or(String::new(), |l| format!("{l} "));
        let (open, close) = (if c.more_before { "…" } else { "" }, if c.more_after { "…" } else { "" });
        let _ = writeln!(out, "    {clause}¶{} {open}{}【{}】{}{close}", m.paragraph + 1, c.before, c.matched, c.after);
    }
    out
}

fn show(converter: &Converter, text: &str, script: Script) -> String {
    converter.shown(text, script)
}

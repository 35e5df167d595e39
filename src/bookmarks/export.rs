//! Bookmarks printed for a notebook (Markdown) or for tools (JSON), quotes in a chosen script.

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use super::Bookmark;
use crate::convert::{Converter, Script};

/// `text` in `script`, with control and invisible characters made visible: notes and quotes in
/// a hand-edited file could hold an escape sequence, and Markdown and lists go to terminals.
fn show(converter: &Converter, text: &str, script: Script) -> String {
    let safe = crate::corpus::sanitize::sanitize(text).0;
    converter.shown(&safe, script)
}

/// A field from the file on one line, display-safe: names, ids and times are untrusted too.
fn line(text: &str) -> String {
    crate::output::safe_line(text)
}

/// Newest first: the order people want to see their notes in.
pub fn newest_first(bookmarks: &[Bookmark]) -> Vec<&Bookmark> {
    let mut list: Vec<&Bookmark> = bookmarks.iter().collect();
    list.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.id.cmp(&a.id)));
    list
}

/// Markdown: a section per bookmark with title, clause, source, the quote as a block quote and
/// the note.
pub fn to_markdown(bookmarks: &[Bookmark], converter: &Converter, script: Script) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("# gongbao bookmarks\n");
    for b in newest_first(bookmarks) {
        let title = b.article.title.as_deref().map_or_else(|| "(untitled)".to_string(), |t| show(converter, t, script));
        let clause = b.clause.as_deref().map_or(String::new(), |c| format!(" — {}", line(c.trim_end_matches('、'))));
        let _ = writeln!(out, "\n## {title}{clause}\n");
        let path = b.source.path.as_ref().map_or(String::new(), |p| format!(" ({})", line(&p.display())));
        let (name, article, created) = (line(&b.source.name), line(&b.article.id), line(&b.created));
        let _ = writeln!(out, "*{name}*{path} · article `{article}` · {created}\n");
        for line in show(converter, &b.quote.text, script).lines() {
            let _ = writeln!(out, "> {line}");
        }
        if !b.note.trim().is_empty() {
            let _ = writeln!(out, "\n{}", crate::corpus::sanitize::sanitize(b.note.trim_end()).0);
        }
    }
    out
}

/// One bookmark as `gongbao bookmarks export --format json` prints it.
#[derive(Debug, Serialize)]
struct Record<'a> {
    id: &'a str,
    created: &'a str,
    updated: &'a str,
    source: &'a str,
    path: Option<String>,
    article: &'a str,
    title: Option<String>,
    clause: Option<&'a str>,
    /// The quote in the chosen script.
    quote: String,
    /// The quote as written in the source.
    quote_original: &'a str,
    note: &'a str,
}

/// `{"bookmarks": [...]}`, newest first.
///
/// # Errors
/// When serialisation fails (it does not for these types).
pub fn to_json(bookmarks: &[Bookmark], converter: &Converter, script: Script) -> serde_json::Result<String> {
    #[derive(Serialize)]
    struct Report<'a> {
        bookmarks: Vec<Record<'a>>,
    }
    let records = newest_first(bookmarks)
        .into_iter()
        .map(|b| Record {
            id: &b.id,
            created: &b.created,
            updated: &b.updated,
            source: &b.source.name,
            path: b.source.path.as_ref().map(super::StoredPath::display),
            article: &b.article.id,
            title: b.article.title.as_deref().map(|t| show(converter, t, script)),
            clause: b.clause.as_deref(),
            quote: show(converter, &b.quote.text, script),
            quote_original: &b.quote.text,
            note: &b.note,
        })
        .collect();
    serde_json::to_string_pretty(&Report { bookmarks: records })
}

/// One line per bookmark: time, title, clause, first words, note.
pub fn to_list(bookmarks: &[Bookmark], converter: &Converter, script: Script) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for b in newest_first(bookmarks) {
        let title = b.article.title.as_deref().map_or_else(|| "(untitled)".to_string(), |t| show(converter, t, script));
        let words: String =
            show(converter, &b.quote.text, script).replace('\n', " ").graphemes(true).take(24).collect();
        let note = crate::corpus::sanitize::sanitize(b.note.lines().next().unwrap_or_default()).0;
        let (created, clause) = (line(&b.created), line(b.clause.as_deref().unwrap_or("-")));
        let _ = writeln!(out, "{created}  {title}  {clause}  {words}  {note}");
    }
    out
}

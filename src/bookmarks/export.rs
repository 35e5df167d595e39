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
        // A quote of several paragraphs has them on lines of their own; in Markdown lines
        // run together into one paragraph unless a blank one (here `>`, to stay inside the
        // block quote) stands between them.
        let quote = show(converter, &b.quote.text, script);
        for (i, paragraph) in paragraphs(&quote).enumerate() {
            let _ = writeln!(out, "{}> {paragraph}", if i > 0 { ">\n" } else { "" });
        }
        // A note's lines were typed as lines (Ctrl-j): each its own paragraph for the same reason.
        let note = crate::corpus::sanitize::sanitize(&b.note).0;
        for line in paragraphs(&note) {
            let _ = writeln!(out, "\n{line}");
        }
    }
    out
}

/// The non-blank lines of `text`, without their trailing blanks (which Markdown reads as a
/// hard line break).
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim_end).filter(|l| !l.trim_start().is_empty())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bookmarks::{ArticleRef, Quote, SourceRef};

    fn bookmark(quote: &str, note: &str) -> Bookmark {
        Bookmark {
            id: "b1".into(),
            created: "2026-11-22T10:00:00Z".into(),
            updated: "2026-11-22T10:00:00Z".into(),
            source: SourceRef { name: "a.txt".into(), path: None, fingerprint: "f".into() },
            article: ArticleRef { id: "a#1".into(), title: Some("公报".into()) },
            clause: Some("二十一、".into()),
            quote: Quote { text: quote.into(), prefix: String::new(), suffix: String::new(), paragraph: 0, offset: 0 },
            note: note.into(),
        }
    }

    /// The Markdown after the bookmark's heading and source line.
    fn body(md: &str) -> &str {
        md.split_once("· 2026-11-22T10:00:00Z\n\n").expect("the source line").1
    }

    /// Issue 19: the paragraphs of a quote and the lines of a note ran together into one
    /// paragraph when the Markdown was rendered.
    #[test]
    fn a_quote_s_paragraphs_and_a_note_s_lines_stay_paragraphs_in_markdown() {
        let b = bookmark("二十一、各方同意。\n第一段之后的第二段。", "第一行\nsecond line  \n\nthird");
        let md = to_markdown(&[b], &Converter::new(), Script::Original);
        assert_eq!(
            body(&md),
            "> 二十一、各方同意。\n>\n> 第一段之后的第二段。\n\n第一行\n\nsecond line\n\nthird\n",
            "{md}"
        );
    }

    #[test]
    fn a_one_paragraph_quote_and_note_are_written_as_before() {
        let md = to_markdown(&[bookmark("各方同意。", "值得引用")], &Converter::new(), Script::Traditional);
        assert_eq!(body(&md), "> 各方同意。\n\n值得引用\n", "{md}");
        let md = to_markdown(&[bookmark("各方同意。", "  \n")], &Converter::new(), Script::Original);
        assert_eq!(body(&md), "> 各方同意。\n", "a blank note writes nothing");
    }
}

//! `gongbao export`: the corpus as JSON (for scripts and the gold scorer) or
//! as plain text. The JSON is the serde form of the corpus model itself, so
//! the export and the model cannot drift apart.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Article, ArticleKind, Corpus, ParagraphKind, Source};

/// Version of the export schema; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Export<'a> {
    schema_version: u32,
    articles: &'a [Article],
    sources: &'a [Source],
}

/// The corpus as pretty-printed JSON.
///
/// # Errors
/// Only if serialisation fails, which the model's types do not do.
pub fn to_json(corpus: &Corpus) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&Export {
        schema_version: SCHEMA_VERSION,
        articles: &corpus.articles,
        sources: &corpus.sources,
    })
}

/// The corpus as readable text: a header per article, then its paragraphs.
pub fn to_text(corpus: &Corpus) -> String {
    let mut out = String::new();
    for (i, a) in corpus.articles.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let title = a.title.as_deref().unwrap_or("(untitled)");
        let _ = writeln!(out, "=== {title}");
        // Names come from the file system: one line each, as the TUI shows them.
        let mut meta = vec![
            format!("id {}", crate::output::safe_line(&a.id)),
            format!("source {}", crate::output::safe_line(&a.source)),
        ];
        if a.kind == ArticleKind::Excerpt {
            meta.push("excerpt".into());
        }
        for (label, value) in
            [("column", &a.column), ("subtitle", &a.subtitle), ("author", &a.author), ("dateline", &a.dateline)]
        {
            if let Some(v) = value {
                meta.push(format!("{label} {v}"));
            }
        }
        if !a.clauses.is_empty() {
            meta.push(format!("{} clauses", a.clauses.len()));
        }
        meta.extend(a.notes.iter().map(|n| n.text.clone()));
        let _ = writeln!(out, "    {}", meta.join(" · "));
        for p in &a.paragraphs {
            let mark = match p.kind {
                ParagraphKind::Heading => "## ",
                ParagraphKind::Dateline => "[dateline] ",
                ParagraphKind::Caption => "[caption] ",
                ParagraphKind::Signature => "[signature] ",
                ParagraphKind::End => "[end] ",
                ParagraphKind::Body => "",
            };
            let _ = writeln!(out, "\n{mark}{}", p.text);
        }
    }
    out
}

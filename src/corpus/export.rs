//! `gongbao export`: the corpus as JSON (for scripts and the gold scorer) or
//! as plain text. The JSON is the serde form of the corpus model itself, so
//! the export and the model cannot drift apart.

use std::fmt::Write as _;

use serde::Serialize;

use super::sanitize::display_name;
use super::{Article, ArticleKind, Corpus, Paragraph, ParagraphKind, Source};
use crate::convert::{ConvertError, Converter, Script};

/// Version of the export schema; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Export<'a> {
    schema_version: u32,
    /// The script the articles' text is in (`original`: as the files have it).
    script: Script,
    articles: &'a [Article],
    sources: &'a [Source],
}

/// The corpus as pretty-printed JSON, saying that its text is in `script` (see [`in_script`]).
///
/// # Errors
/// Only if serialisation fails, which the model's types do not do.
pub fn to_json(corpus: &Corpus, script: Script) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&Export {
        schema_version: SCHEMA_VERSION,
        script,
        articles: &corpus.articles,
        sources: &corpus.sources,
    })
}

/// The corpus with the text of its articles (titles, subtitles, authors, columns, datelines,
/// paragraphs and clause labels) converted to `script`. What describes the files (names,
/// sources, the text removed from them) and gongbao's own notes stay as they are.
///
/// # Errors
/// When a conversion engine cannot be built.
pub fn in_script(corpus: &Corpus, converter: &Converter, script: Script) -> Result<Corpus, ConvertError> {
    let mut out = corpus.clone();
    if script == Script::Original {
        return Ok(out);
    }
    let convert = |text: &mut String| -> Result<(), ConvertError> {
        if let std::borrow::Cow::Owned(converted) = converter.convert(text, script)? {
            *text = converted;
        }
        Ok(())
    };
    for a in &mut out.articles {
        for text in [&mut a.title, &mut a.subtitle, &mut a.author, &mut a.column, &mut a.dateline].into_iter().flatten()
        {
            convert(text)?;
        }
        for p in &mut a.paragraphs {
            convert_paragraph(p, converter, script)?;
        }
        for c in &mut a.clauses {
            convert(&mut c.label)?;
        }
    }
    Ok(out)
}

/// Converts a paragraph piece by piece between its garbled ranges, so that the ranges still
/// mark the same text when a conversion changes lengths.
fn convert_paragraph(p: &mut Paragraph, converter: &Converter, script: Script) -> Result<(), ConvertError> {
    let mut text = String::with_capacity(p.text.len());
    let mut garbled = Vec::with_capacity(p.garbled.len());
    let mut at = 0;
    for range in &p.garbled {
        text.push_str(&converter.convert(&p.text[at..range.start], script)?);
        let start = text.len();
        text.push_str(&converter.convert(&p.text[range.clone()], script)?);
        garbled.push(start..text.len());
        at = range.end;
    }
    text.push_str(&converter.convert(&p.text[at..], script)?);
    p.text = text;
    p.garbled = garbled.into_boxed_slice();
    Ok(())
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
        let mut meta = vec![format!("id {}", display_name(&a.id)), format!("source {}", display_name(&a.source))];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbled_ranges_still_mark_their_text_after_conversion() {
        let original = "乡镇经济发展ÃƒÂ¤这里时间";
        let start = original.find('Ã').expect("garbled start");
        let end = original.find('这').expect("garbled end");
        let mut p = Paragraph {
            kind: ParagraphKind::Body,
            text: original.to_string(),
            garbled: std::iter::once(start..end).collect(),
            line: 1,
        };
        convert_paragraph(&mut p, &Converter::new(), Script::Traditional).expect("converts");
        assert_eq!(p.text, "鄉鎮經濟發展ÃƒÂ¤這裏時間");
        assert_eq!(&p.text[p.garbled[0].clone()], "ÃƒÂ¤");
    }
}

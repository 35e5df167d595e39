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

/// [`to_json`] in pieces, so that an export can write each file's articles as they come
/// instead of holding the whole corpus: the head, each article, the middle, each source (which
/// the caller keeps aside until the articles are out), the tail. Put together they are byte for
/// byte what `to_json` gives, with the line break after it.
#[derive(Debug)]
pub struct JsonPieces {
    script: Script,
    articles: usize,
    sources: usize,
}

/// How far an article or a source is indented in the export: two levels of two spaces.
const ITEM_INDENT: &str = "    ";

impl JsonPieces {
    pub fn new(script: Script) -> JsonPieces {
        JsonPieces { script, articles: 0, sources: 0 }
    }

    /// Counts articles and sources whose pieces were made by another [`JsonPieces`] (on
    /// another thread, each file on its own, then joined with `,`), for [`JsonPieces::middle`] and
    /// [`JsonPieces::tail`].
    pub fn count(&mut self, articles: usize, sources: usize) {
        self.articles += articles;
        self.sources += sources;
    }

    /// Everything before the first article.
    ///
    /// # Errors
    /// Only if serialisation fails, which a script does not do.
    pub fn head(&self) -> serde_json::Result<String> {
        let script = serde_json::to_string(&self.script)?;
        Ok(format!("{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"script\": {script},\n  \"articles\": ["))
    }

    /// The next article, after what separates it from the one before, onto `out`.
    ///
    /// # Errors
    /// Only if serialisation fails, which the model's types do not do.
    pub fn article(&mut self, article: &Article, out: &mut String) -> serde_json::Result<()> {
        item(article, self.articles == 0, out)?;
        self.articles += 1;
        Ok(())
    }

    /// From the end of the articles to the first source.
    pub fn middle(&self) -> &'static str {
        if self.articles == 0 { "],\n  \"sources\": [" } else { "\n  ],\n  \"sources\": [" }
    }

    /// The next source, after what separates it from the one before, onto `out`.
    ///
    /// # Errors
    /// Only if serialisation fails, which the model's types do not do.
    pub fn source(&mut self, source: &Source, out: &mut String) -> serde_json::Result<()> {
        item(source, self.sources == 0, out)?;
        self.sources += 1;
        Ok(())
    }

    /// After the last source: the end, and the line break the export ends with.
    pub fn tail(&self) -> &'static str {
        if self.sources == 0 { "]\n}\n" } else { "\n  ]\n}\n" }
    }
}

/// One element of an array two levels down, as the pretty printer lays it out inside the whole
/// export: its own layout with every line after the first indented two levels more. Laid out
/// nested in two arrays and cut out of them, the printer indents it as it would inside the
/// export (re-indenting its layout line by line afterwards was 4% of an export).
fn item(value: &impl Serialize, first: bool, out: &mut String) -> serde_json::Result<()> {
    out.push_str(if first { "\n" } else { ",\n" });
    out.push_str(ITEM_INDENT);
    let json = serde_json::to_string_pretty(&[[value]])?;
    let laid_out = json.strip_prefix(NESTED_OPEN).and_then(|j| j.strip_suffix(NESTED_CLOSE));
    out.push_str(laid_out.expect("a value nested in two arrays is laid out between their brackets"));
    Ok(())
}

/// What the pretty printer writes around a value nested in two arrays (indent two spaces).
const NESTED_OPEN: &str = "[\n  [\n    ";
const NESTED_CLOSE: &str = "\n  ]\n]";

/// The corpus with the text of its articles (titles, subtitles, authors, columns, datelines,
/// paragraphs and clause labels) converted to `script`. What describes the files (names,
/// sources, the text removed from them) and gongbao's own notes stay as they are.
///
/// # Errors
/// When a conversion engine cannot be built.
pub fn in_script(corpus: &Corpus, converter: &Converter, script: Script) -> Result<Corpus, ConvertError> {
    let mut out = corpus.clone();
    for a in &mut out.articles {
        article_in_script(a, converter, script)?;
    }
    Ok(out)
}

/// One article's text converted to `script`, as [`in_script`] converts each.
///
/// # Errors
/// When a conversion engine cannot be built.
pub fn article_in_script(a: &mut Article, converter: &Converter, script: Script) -> Result<(), ConvertError> {
    if script == Script::Original {
        return Ok(());
    }
    let convert = |text: &mut String| -> Result<(), ConvertError> {
        if let std::borrow::Cow::Owned(converted) = converter.convert(text, script)? {
            *text = converted;
        }
        Ok(())
    };
    for text in [&mut a.title, &mut a.subtitle, &mut a.author, &mut a.column, &mut a.dateline].into_iter().flatten() {
        convert(text)?;
    }
    for p in &mut a.paragraphs {
        convert_paragraph(p, converter, script)?;
    }
    for c in &mut a.clauses {
        convert(&mut c.label)?;
    }
    Ok(())
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
        article_text(a, i == 0, &mut out);
    }
    out
}

/// One article as [`to_text`] writes it, onto `out`; `first`: the first of the export (the
/// others are set apart by an empty line).
pub fn article_text(a: &Article, first: bool, out: &mut String) {
    if !first {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces put together, as a streaming export writes them.
    fn in_pieces(corpus: &Corpus, script: Script) -> String {
        let mut json = JsonPieces::new(script);
        let (mut articles, mut sources) = (String::new(), String::new());
        for a in &corpus.articles {
            json.article(a, &mut articles).expect("serialises");
        }
        for s in &corpus.sources {
            json.source(s, &mut sources).expect("serialises");
        }
        let mut out = json.head().expect("serialises");
        out.push_str(&articles);
        out.push_str(json.middle());
        out.push_str(&sources);
        out.push_str(json.tail());
        out
    }

    #[test]
    fn the_json_in_pieces_is_byte_for_byte_the_json_at_once() {
        let (samples, _) = Corpus::from_docs(&crate::corpus::load::bundled(), None);
        assert!(samples.articles.len() > 1 && samples.sources.len() > 1);
        let no_articles = Corpus { sources: samples.sources[..1].to_vec(), articles: Vec::new() };
        let one_each = Corpus { sources: samples.sources[..1].to_vec(), articles: samples.articles[..1].to_vec() };
        for corpus in [&samples, &no_articles, &one_each, &Corpus::default()] {
            for script in [Script::Original, Script::Traditional] {
                let whole = to_json(corpus, script).expect("serialises") + "\n";
                assert_eq!(in_pieces(corpus, script), whole, "{} articles", corpus.articles.len());
            }
        }
    }

    #[test]
    fn the_text_article_by_article_is_the_text_at_once() {
        let (samples, _) = Corpus::from_docs(&crate::corpus::load::bundled(), None);
        let mut out = String::new();
        for (i, a) in samples.articles.iter().enumerate() {
            article_text(a, i == 0, &mut out);
        }
        assert_eq!(out, to_text(&samples));
    }

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

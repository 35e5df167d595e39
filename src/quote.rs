//! Quoting what is read: a passage in the script on screen, followed by a citation line (title,
//! clause label, dateline, source file), and the OSC 52 sequence that hands it to the system
//! clipboard through the terminal.
//!
//! The text comes from the corpus, which made it display-safe when it was decoded; the
//! citation's file name goes through the same name sanitiser the reader's meta line uses. So
//! what is copied is what the reader shows, never raw file bytes.

use std::ops::Range;

use crate::convert::{Converter, Script};
use crate::corpus::{Article, ParagraphKind, sanitize};

/// A passage and its citation, in one script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The passage: its paragraphs, one a line.
    pub text: String,
    /// One line: `— title · clause · dateline · source` (the parts the article has).
    pub citation: String,
}

impl Quote {
    /// The passage followed by its citation, as copied.
    pub fn with_citation(&self) -> String {
        format!("{}\n{}", self.text, self.citation)
    }
}

/// The paragraphs of clause `clause` of `article`: from its own paragraph up to the next clause
/// of the same level or above (its sub-clauses are part of it).
pub fn clause_paragraphs(article: &Article, clause: usize) -> Option<Range<usize>> {
    let c = article.clauses.get(clause)?;
    let end = article.clauses[clause + 1..]
        .iter()
        .find(|next| next.level <= c.level && next.paragraph > c.paragraph)
        .map_or(article.paragraphs.len(), |next| next.paragraph);
    Some(c.paragraph..end.max(c.paragraph + 1).min(article.paragraphs.len()))
}

/// The clause named like `13`, `十三`, `十三、`, `第十三条` or `（一）`: an in-sequence
/// top-level one with that number first.
pub fn find_clause(article: &Article, wanted: &str) -> Option<usize> {
    let t = wanted.trim().trim_end_matches(['、', '.', '．', ' ']);
    let bare = t.trim_start_matches(['(', '（', '第']).trim_end_matches([')', '）', '条', '是']);
    let number = bare.parse::<u32>().ok().or_else(|| crate::corpus::clause::parse_chinese_numeral(bare))?;
    (0..article.clauses.len())
        .filter(|&i| article.clauses[i].number == number)
        .min_by_key(|&i| (!article.clauses[i].in_sequence, article.clauses[i].level, i))
}

/// The clause a paragraph is in: the last one starting at or before it.
pub fn clause_of(article: &Article, paragraph: usize) -> Option<usize> {
    article.clauses.iter().rposition(|c| c.paragraph <= paragraph)
}

/// The citation line of `article` for a passage in clause `clause`, in `script`.
pub fn citation(article: &Article, clause: Option<usize>, converter: &Converter, script: Script) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(title) = &article.title {
        parts.push(converter.shown(title, script));
    }
    if let Some(c) = clause.and_then(|i| article.clauses.get(i)) {
        parts.push(converter.shown(c.label.trim_end_matches(['、', '.', '．']), script));
    }
    // The dateline, else the agency's closing line (`（新华社阿拉木图4月26日电）`), which dates it.
    let dateline = article.dateline.clone().or_else(|| {
        let closing =
            article.paragraphs.iter().rev().find(|p| p.kind == ParagraphKind::End && p.text.ends_with(['）', ')']));
        closing.map(|p| p.text.trim_matches(['(', '（', ')', '）']).to_string())
    });
    if let Some(dateline) = dateline {
        parts.push(converter.shown(&dateline, script));
    }
    parts.push(sanitize::display_name(&article.source));
    format!("— {}", parts.join(" · "))
}

/// Paragraphs `paragraphs` of `article` (byte range `within` of the article's text when a part
/// of them is quoted) in `script`, with their citation.
pub fn quote(article: &Article, paragraphs: Range<usize>, converter: &Converter, script: Script) -> Option<Quote> {
    let texts: Vec<&str> = article.paragraphs.get(paragraphs.clone())?.iter().map(|p| p.text.as_str()).collect();
    let text = converter.shown(&texts.join("\n"), script);
    Some(Quote { text, citation: citation(article, clause_of(article, paragraphs.start), converter, script) })
}

/// Text that is already the passage (a selection), in `script`, with the citation of the
/// paragraph it starts in.
pub fn quote_text(
    article: &Article,
    text: &str,
    first_paragraph: usize,
    converter: &Converter,
    script: Script,
) -> Quote {
    Quote {
        text: converter.shown(text, script),
        citation: citation(article, clause_of(article, first_paragraph), converter, script),
    }
}

/// The OSC 52 sequence that puts `text` on the system clipboard. Inside tmux it is wrapped for
/// tmux to pass on to the outer terminal, as helix and yazi do. The payload is base64, so
/// whatever the text holds, nothing but the sequence itself reaches the terminal.
pub fn osc52(text: &str, inside_tmux: bool) -> String {
    let sequence = format!("\u{1b}]52;c;{}\u{7}", base64(text.as_bytes()));
    if inside_tmux {
        // tmux's passthrough: the sequence in a DCS, its escapes doubled.
        format!("\u{1b}Ptmux;{}\u{1b}\\", sequence.replace('\u{1b}', "\u{1b}\u{1b}"))
    } else {
        sequence
    }
}

/// Standard base64 with padding (RFC 4648), as OSC 52 expects.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (plain, encoded) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")]
        {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn osc52_carries_only_base64_and_is_wrapped_for_tmux() {
        let plain = osc52("a\u{1b}]0;x\u{7}", false);
        assert!(plain.starts_with("\u{1b}]52;c;") && plain.ends_with('\u{7}'));
        assert_eq!(plain.matches('\u{1b}').count(), 1, "the text's escape is inside the base64");
        let wrapped = osc52("a", true);
        assert_eq!(wrapped, "\u{1b}Ptmux;\u{1b}\u{1b}]52;c;YQ==\u{7}\u{1b}\\");
    }
}

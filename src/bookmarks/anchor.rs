//! Finding a bookmarked passage again in the corpus as it is now.
//!
//! In order, cheapest first, each step only when the one before found nothing:
//! 1. the same article (by id) at the stored offset, if the quote is still there;
//! 2. the quote anywhere in that article;
//! 3. the quote in the same source (same content fingerprint, else same file name);
//! 4. the quote anywhere in the corpus (the file was moved, renamed or re-segmented);
//! 5. the stored prefix and suffix with a changed passage between them (the quote was edited);
//! 6. the quote with script and width folded, as search does (the file was converted).
//!
//! Where the quote occurs more than once, the occurrence whose surroundings match the stored
//! prefix and suffix best wins, then the one nearest the stored place.

use std::collections::HashMap;

use super::{Bookmark, Passage, article_text, paragraph_starts};
use crate::corpus::Corpus;
use crate::search::{Query, SearchIndex, folder};

/// How a passage was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Where it was.
    InPlace,
    /// In the same article, elsewhere.
    Moved,
    /// In another article (the file changed, moved or was re-segmented).
    Elsewhere,
    /// Between the stored prefix and suffix; the passage itself changed.
    Edited,
    /// With script or width folded.
    Folded,
}

/// Looks bookmarks up by article id; built once per corpus.
pub struct Anchorer<'a> {
    corpus: &'a Corpus,
    index: &'a SearchIndex,
    by_id: HashMap<&'a str, usize>,
}

impl<'a> Anchorer<'a> {
    pub fn new(corpus: &'a Corpus, index: &'a SearchIndex) -> Anchorer<'a> {
        let by_id = corpus.articles.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
        Anchorer { corpus, index, by_id }
    }

    /// Where `b`'s passage is now, or `None` when it cannot be found.
    pub fn resolve(&self, b: &Bookmark) -> Option<(Passage, Found)> {
        let quote = &b.quote.text;
        if quote.is_empty() {
            return None;
        }
        let article = self.by_id.get(b.article.id.as_str()).copied();
        if let Some(a) = article {
            let art = &self.corpus.articles[a];
            let starts = paragraph_starts(art);
            // The paragraph and offset come from the file and may be anything: a hint outside
            // the paragraph is no hint at all, and the quote is then looked for by its text.
            let hint = art
                .paragraphs
                .get(b.quote.paragraph)
                .filter(|p| b.quote.offset <= p.text.len())
                .and_then(|_| starts.get(b.quote.paragraph)?.checked_add(b.quote.offset));
            // The common case, checked without building the article's text: still in place.
            let first_line = quote.split('\n').next().unwrap_or_default();
            let in_place = art
                .paragraphs
                .get(b.quote.paragraph)
                .is_some_and(|p| p.text.get(b.quote.offset..).is_some_and(|t| t.starts_with(first_line)));
            if let Some(at) = hint
                && in_place
                && (!quote.contains('\n') || article_text(art).get(at..).is_some_and(|t| t.starts_with(quote.as_str())))
                && let Some(end) = at.checked_add(quote.len())
            {
                return Some((Passage { article: a, range: at..end }, Found::InPlace));
            }
            if let Some(range) = best(&article_text(art), b, hint) {
                return Some((Passage { article: a, range }, Found::Moved));
            }
        }
        let same_source = |i: usize| {
            let s = &self.corpus.sources[self.corpus.articles[i].source_index];
            let fingerprint = b.source.fingerprint.as_str();
            let same = |f: &str| !fingerprint.is_empty() && f == fingerprint;
            same(&s.fingerprint) || s.legacy_fingerprint.as_deref().is_some_and(same) || s.name == b.source.name
        };
        let others: Vec<usize> = (0..self.corpus.articles.len()).filter(|&i| Some(i) != article).collect();
        let (near, far): (Vec<usize>, Vec<usize>) = others.into_iter().partition(|&i| same_source(i));
        for group in [&near, &far] {
            for &i in group {
                if let Some(range) = best(&article_text(&self.corpus.articles[i]), b, None) {
                    return Some((Passage { article: i, range }, Found::Elsewhere));
                }
            }
        }
        for i in article.into_iter().chain(near.iter().copied()).chain(far.iter().copied()) {
            if let Some(range) = between(&article_text(&self.corpus.articles[i]), b) {
                return Some((Passage { article: i, range }, Found::Edited));
            }
        }
        self.folded(b)
    }

    /// Step 6: the first paragraph of the quote, folded, through the search index.
    fn folded(&self, b: &Bookmark) -> Option<(Passage, Found)> {
        let first_line = b.quote.text.lines().next().unwrap_or_default();
        let mut found = None;
        self.index.search(self.corpus, &Query::new(first_line, false), folder(), |m| {
            found = Some(m);
            false
        });
        let m = found?;
        let start = paragraph_starts(&self.corpus.articles[m.article]).get(m.paragraph)? + m.range.start;
        let end = start + (m.range.end - m.range.start);
        Some((Passage { article: m.article, range: start..end }, Found::Folded))
    }
}

/// The occurrence of the quote in `text` whose surroundings match best (then nearest `near`).
fn best(text: &str, b: &Bookmark, near: Option<usize>) -> Option<std::ops::Range<usize>> {
    let quote = &b.quote.text;
    text.match_indices(quote.as_str())
        .map(|(at, _)| {
            let before = common_suffix(&text[..at], &b.quote.prefix);
            let after = common_prefix(&text[at + quote.len()..], &b.quote.suffix);
            let distance = near.map_or(0, |n| n.abs_diff(at));
            (std::cmp::Reverse(before + after), distance, at)
        })
        .min()
        .map(|(_, _, at)| at..at + quote.len())
}

/// The stored prefix and suffix with at most a little more than the quote's length between.
fn between(text: &str, b: &Bookmark) -> Option<std::ops::Range<usize>> {
    let (prefix, suffix) = (&b.quote.prefix, &b.quote.suffix);
    // Short contexts would match by chance.
    if prefix.chars().count() < 6 || suffix.chars().count() < 6 {
        return None;
    }
    let limit = b.quote.text.len() * 2 + 64;
    for (at, _) in text.match_indices(prefix.as_str()) {
        let start = at + prefix.len();
        let window_end = (start + limit).min(text.len());
        let window = text.get(start..window_end).or_else(|| {
            let mut end = window_end;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.get(start..end)
        })?;
        if let Some(off) = window.find(suffix.as_str())
            && off > 0
        {
            return Some(start..start + off);
        }
    }
    None
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.chars().rev().zip(b.chars().rev()).take_while(|(x, y)| x == y).count()
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

//! The search index: every paragraph of the corpus folded once, at load time, into one buffer.
//!
//! A query is folded the same way and looked for with `memchr`'s `memmem` over the buffer, so a
//! corpus-wide search is one linear scan at memory speed; no per-query conversion of the text.
//! Paragraphs are separated by a newline, which folding never produces (white space is dropped),
//! so a match never runs from one paragraph into the next.
//!
//! Mapping back: folding turns each original character into zero or one folded character, so
//! within a stretch where no character was dropped and none changed its UTF-8 length, a folded
//! offset and the original one differ by a constant. A [`Mark`] is stored wherever that
//! difference changes (after a dropped space, after `,` became `，`); most Chinese paragraphs need
//! none, so the index costs about the size of the text plus a few bytes per paragraph.

use std::ops::Range;

use memchr::memmem;

use super::fold::Folder;
use crate::corpus::Corpus;

/// Where a stretch of the folded buffer comes from: one paragraph of one article. Corpus-wide
/// offsets are `usize` (a corpus may hold more than 4 GiB of text); article and paragraph
/// numbers are `u32`, which no corpus that fits in memory outgrows. 24 bytes a paragraph.
#[derive(Debug, Clone, Copy)]
struct Span {
    /// Offset of the paragraph's first folded byte in [`SearchIndex::folded`].
    start: usize,
    article: u32,
    paragraph: u32,
    /// First of this paragraph's marks in [`SearchIndex::marks`].
    marks: usize,
}

impl Span {
    fn article(&self) -> usize {
        self.article as usize
    }

    fn paragraph(&self) -> usize {
        self.paragraph as usize
    }
}

/// From `folded` on (offset within the paragraph's folded text), the original offset is
/// `original + (f - folded)`. Offsets within one paragraph, so `u32`: marks are the bulk of the
/// index after the folded text (one at every dropped space or widened `,`), and half the size
/// is half the memory. A paragraph is indexed up to its first 4 GiB (the input size cap keeps
/// every real one far below).
#[derive(Debug, Clone, Copy)]
struct Mark {
    folded: u32,
    original: u32,
}

/// One occurrence of a query: a byte range of one paragraph's original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub article: usize,
    pub paragraph: usize,
    /// Byte range in `corpus.articles[article].paragraphs[paragraph].text`.
    pub range: Range<usize>,
}

/// What to look for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// As typed.
    pub text: String,
    /// True: compare the text as written, no folding.
    pub exact: bool,
}

impl Query {
    pub fn new(text: impl Into<String>, exact: bool) -> Query {
        Query { text: text.into(), exact }
    }
}

/// Text from which [`SearchIndex::build`] folds on all cores: below it, threads cost more
/// than they save.
const PARALLEL_BYTES: usize = 8 << 20;

/// The folded corpus, built once when the corpus is loaded.
#[derive(Debug, Default, Clone)]
pub struct SearchIndex {
    folded: String,
    spans: Vec<Span>,
    marks: Vec<Mark>,
    /// First span of each article, plus one past the last: article `a` is `spans[first[a]..first[a + 1]]`.
    first: Vec<usize>,
}

impl SearchIndex {
    /// Folds every paragraph of `corpus`.
    pub fn build(corpus: &Corpus, folder: &Folder) -> SearchIndex {
        Self::build_on(corpus, folder, None)
    }

    /// [`SearchIndex::build`] on `workers` threads (`None`: all cores from [`PARALLEL_BYTES`]
    /// of text, one below).
    fn build_on(corpus: &Corpus, folder: &Folder, workers: Option<usize>) -> SearchIndex {
        let bytes = |a: &crate::corpus::Article| a.paragraphs.iter().map(|p| p.text.len() + 1).sum::<usize>();
        let text_bytes: usize = corpus.articles.iter().map(bytes).sum();
        let workers = workers.unwrap_or_else(|| {
            if text_bytes >= PARALLEL_BYTES {
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get).clamp(1, 8)
            } else {
                1
            }
        });
        if workers <= 1 {
            let mut index = Self::build_range(corpus, 0..corpus.articles.len(), text_bytes, folder);
            index.folded.shrink_to_fit();
            return index;
        }
        // A large corpus (one big file opened at start) is folded on all cores, in runs of
        // whole articles with about the same amount of text each, then joined in order.
        let mut bounds = vec![0];
        let mut done = 0;
        for (a, article) in corpus.articles.iter().enumerate() {
            done += bytes(article);
            if bounds.len() < workers && done * workers >= text_bytes * bounds.len() {
                bounds.push(a + 1);
            }
        }
        bounds.push(corpus.articles.len());
        let parts: Vec<SearchIndex> = std::thread::scope(|scope| {
            let runs: Vec<_> = bounds
                .windows(2)
                .map(|w| {
                    let (from, to) = (w[0], w[1]);
                    let run_bytes = corpus.articles[from..to].iter().map(bytes).sum();
                    scope.spawn(move || Self::build_range(corpus, from..to, run_bytes, folder))
                })
                .collect();
            runs.into_iter()
                .zip(bounds.windows(2))
                .map(|(run, w)| run.join().unwrap_or_else(|_| Self::build_range(corpus, w[0]..w[1], 0, folder)))
                .collect()
        });
        let mut parts = parts.into_iter();
        let mut index = parts.next().unwrap_or_default();
        for part in parts {
            index.join(part);
        }
        index.folded.shrink_to_fit();
        index
    }

    /// The index of articles `articles` alone (article numbers stay those of the corpus).
    fn build_range(corpus: &Corpus, articles: Range<usize>, text_bytes: usize, folder: &Folder) -> SearchIndex {
        let mut index = SearchIndex { folded: String::with_capacity(text_bytes), ..SearchIndex::default() };
        for (a, article) in corpus.articles.iter().enumerate().take(articles.end).skip(articles.start) {
            index.first.push(index.spans.len());
            for (p, paragraph) in article.paragraphs.iter().enumerate() {
                index.push(a, p, &paragraph.text, folder);
            }
        }
        index.first.push(index.spans.len());
        index
    }

    /// Appends `next`, the index of the articles right after this one's.
    fn join(&mut self, next: SearchIndex) {
        let (folded, spans, marks) = (self.folded.len(), self.spans.len(), self.marks.len());
        self.folded.push_str(&next.folded);
        self.spans.extend(next.spans.into_iter().map(|s| Span {
            start: s.start + folded,
            marks: s.marks + marks,
            ..s
        }));
        self.marks.extend(next.marks);
        self.first.pop();
        self.first.extend(next.first.iter().map(|f| f + spans));
    }

    /// Adds the articles of `corpus` from `from` on (loaded since the index was built).
    pub fn append(&mut self, corpus: &Corpus, from: usize, folder: &Folder) {
        self.first.pop();
        for (a, article) in corpus.articles.iter().enumerate().skip(from) {
            self.first.push(self.spans.len());
            for (p, paragraph) in article.paragraphs.iter().enumerate() {
                self.push(a, p, &paragraph.text, folder);
            }
        }
        self.first.push(self.spans.len());
    }

    fn push(&mut self, article: usize, paragraph: usize, text: &str, folder: &Folder) {
        let start = self.folded.len();
        let (Ok(article), Ok(paragraph)) = (u32::try_from(article), u32::try_from(paragraph)) else { return };
        self.spans.push(Span { start, article, paragraph, marks: self.marks.len() });
        // Original minus folded offset, in wrapping arithmetic (it can be "negative" after `,` → `，`).
        let mut delta = 0usize;
        for (at, c) in text.char_indices() {
            let Some(folded_char) = folder.fold_char(c) else { continue };
            let here = self.folded.len() - start;
            // Offsets within the paragraph end where `u32` does (see `Mark`).
            let (Ok(mark_at), Ok(original)) = (u32::try_from(here), u32::try_from(at)) else { break };
            if at.wrapping_sub(here) != delta {
                delta = at.wrapping_sub(here);
                self.marks.push(Mark { folded: mark_at, original });
            }
            self.folded.push(folded_char);
        }
        self.folded.push('\n');
    }

    /// The folded text of article `article`'s paragraphs, each followed by a newline (for
    /// comparing versions, which works on the same normal form).
    pub fn article_folded(&self, article: usize) -> &str {
        let (Some(&first), Some(&end)) = (self.first.get(article), self.first.get(article + 1)) else { return "" };
        match (self.spans.get(first), first < end) {
            (Some(s), true) => &self.folded[s.start..self.span_end(end).unwrap_or(s.start)],
            _ => "",
        }
    }

    /// Bytes the index holds (folded text, spans, marks), for the benchmark.
    pub fn heap_bytes(&self) -> usize {
        self.folded.capacity()
            + self.spans.capacity() * std::mem::size_of::<Span>()
            + self.marks.capacity() * std::mem::size_of::<Mark>()
            + self.first.capacity() * std::mem::size_of::<usize>()
    }

    /// Every match in the corpus, in corpus order, handed to `found` as it is found; return
    /// `false` from `found` to stop early.
    pub fn search(&self, corpus: &Corpus, query: &Query, folder: &Folder, found: impl FnMut(Match) -> bool) {
        self.search_spans(corpus, query, folder, 0..self.spans.len(), found);
    }

    /// Every match in article `article`.
    pub fn search_article(&self, corpus: &Corpus, query: &Query, folder: &Folder, article: usize) -> Vec<Match> {
        let mut out = Vec::new();
        if let (Some(&s), Some(&e)) = (self.first.get(article), self.first.get(article + 1)) {
            self.search_spans(corpus, query, folder, s..e, |m| {
                out.push(m);
                true
            });
        }
        out
    }

    fn search_spans(
        &self,
        corpus: &Corpus,
        query: &Query,
        folder: &Folder,
        spans: Range<usize>,
        mut found: impl FnMut(Match) -> bool,
    ) {
        if query.exact {
            search_exact(corpus, &query.text, &self.spans[spans], found);
            return;
        }
        let needle = folder.fold(&query.text);
        let Some(last) = needle.chars().next_back() else { return };
        let (Some(first), Some(end)) = (self.spans.get(spans.start), self.span_end(spans.end)) else { return };
        let haystack = &self.folded[first.start..end];
        let finder = memmem::Finder::new(needle.as_bytes());
        let mut span = spans.start;
        for hit in finder.find_iter(haystack.as_bytes()) {
            let hit = hit + first.start;
            // Hits come in order: walk the spans forward instead of searching for each.
            while span + 1 < spans.end && self.spans[span + 1].start <= hit {
                span += 1;
            }
            let s = self.spans[span];
            let Some(text) = corpus.articles.get(s.article()).and_then(|a| a.paragraphs.get(s.paragraph())) else {
                continue;
            };
            let text = &text.text;
            let local = hit - s.start;
            let start = self.original(span, local);
            let last_start = self.original(span, local + needle.len() - last.len_utf8());
            let end = last_start + text[last_start..].chars().next().map_or(0, char::len_utf8);
            if !found(Match { article: s.article(), paragraph: s.paragraph(), range: start..end }) {
                return;
            }
        }
    }

    /// End of the folded text of spans before `end` (the start of span `end`, or the buffer's end).
    fn span_end(&self, end: usize) -> Option<usize> {
        if end == 0 {
            return None;
        }
        Some(self.spans.get(end).map_or(self.folded.len(), |s| s.start))
    }

    /// Original byte offset of the folded character at `local` in span `span`.
    fn original(&self, span: usize, local: usize) -> usize {
        let from = self.spans[span].marks;
        let to = self.spans.get(span + 1).map_or(self.marks.len(), |s| s.marks);
        let marks = &self.marks[from..to];
        let after = marks.partition_point(|m| m.folded as usize <= local);
        match after.checked_sub(1).map(|i| marks[i]) {
            Some(m) => m.original as usize + (local - m.folded as usize),
            None => local,
        }
    }
}

/// Exact search: the query as typed, in each paragraph as written.
fn search_exact(corpus: &Corpus, needle: &str, spans: &[Span], mut found: impl FnMut(Match) -> bool) {
    if needle.is_empty() {
        return;
    }
    let finder = memmem::Finder::new(needle.as_bytes());
    for s in spans {
        let Some(p) = corpus.articles.get(s.article()).and_then(|a| a.paragraphs.get(s.paragraph())) else { continue };
        for at in finder.find_iter(p.text.as_bytes()) {
            if !found(Match { article: s.article(), paragraph: s.paragraph(), range: at..at + needle.len() }) {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Article, ArticleKind, Paragraph, ParagraphKind};
    use crate::search::fold::folder;

    pub(crate) fn corpus_of(paragraphs: &[&[&str]]) -> Corpus {
        let mut corpus = Corpus::default();
        for (i, ps) in paragraphs.iter().enumerate() {
            corpus.articles.push(Article {
                id: format!("a{i}"),
                source_index: 0,
                source: "test.txt".into(),
                title: None,
                subtitle: None,
                author: None,
                column: None,
                dateline: None,
                kind: ArticleKind::Article,
                paragraphs: ps
                    .iter()
                    .map(|t| Paragraph { kind: ParagraphKind::Body, text: (*t).to_string(), garbled: vec![], line: 1 })
                    .collect(),
                clauses: vec![],
                notes: vec![],
            });
        }
        corpus
    }

    /// Folded text, spans, marks and first spans.
    type Contents = (String, Vec<(usize, u32, u32, usize)>, Vec<(u32, u32)>, Vec<usize>);

    /// Everything an index holds, to compare two.
    fn contents(index: &SearchIndex) -> Contents {
        (
            index.folded.clone(),
            index.spans.iter().map(|s| (s.start, s.article, s.paragraph, s.marks)).collect(),
            index.marks.iter().map(|m| (m.folded, m.original)).collect(),
            index.first.clone(),
        )
    }

    #[test]
    fn an_index_built_on_several_threads_is_the_one_built_on_one() {
        // Marks (spaces, `,`), empty articles and an article with no paragraph at the edges
        // of the runs.
        let corpus = corpus_of(&[
            &["各方, 欢迎 合作", "第二段"],
            &[],
            &["A B C", "東亞 合作"],
            &["一"],
            &["x, y", "", "z"],
            &[],
        ]);
        let folder = folder();
        let serial = SearchIndex::build_on(&corpus, folder, Some(1));
        for workers in 2..=8 {
            let parallel = SearchIndex::build_on(&corpus, folder, Some(workers));
            assert_eq!(contents(&parallel), contents(&serial), "{workers} workers");
            assert_eq!(
                found_with(&parallel, &corpus, "合作"),
                found_with(&serial, &corpus, "合作"),
                "{workers} workers"
            );
        }
    }

    fn found_with(index: &SearchIndex, corpus: &Corpus, q: &str) -> Vec<Match> {
        let mut out = Vec::new();
        index.search(corpus, &Query::new(q, false), folder(), |m| {
            out.push(m);
            true
        });
        out
    }

    fn found(corpus: &Corpus, q: &str, exact: bool) -> Vec<(usize, usize, String)> {
        let index = SearchIndex::build(corpus, folder());
        let mut out = Vec::new();
        index.search(corpus, &Query::new(q, exact), folder(), |m| {
            out.push((m.article, m.paragraph, corpus.articles[m.article].paragraphs[m.paragraph].text[m.range].into()));
            true
        });
        out
    }

    #[test]
    fn matches_map_back_to_the_text_as_written() {
        let corpus = corpus_of(&[&["他说，各方歡迎中歐(亞)班列。", "各方 欢\n迎"], &["臺灣 and 台湾"]]);
        assert_eq!(
            found(&corpus, "各方欢迎", false),
            [(0, 0, "各方歡迎".to_string()), (0, 1, "各方 欢\n迎".to_string())]
        );
        assert_eq!(found(&corpus, "中欧（亚）班列", false), [(0, 0, "中歐(亞)班列".to_string())]);
        assert_eq!(found(&corpus, "台湾", false), [(1, 0, "臺灣".to_string()), (1, 0, "台湾".to_string())]);
        assert_eq!(found(&corpus, "，各方", false), [(0, 0, "，各方".to_string())]);
    }

    #[test]
    fn exact_mode_matches_only_the_text_as_written() {
        let corpus = corpus_of(&[&["臺灣 and 台湾"]]);
        assert_eq!(found(&corpus, "台湾", true), [(0, 0, "台湾".to_string())]);
        assert_eq!(found(&corpus, "臺灣", true), [(0, 0, "臺灣".to_string())]);
    }

    #[test]
    fn a_match_never_joins_two_paragraphs_and_an_empty_query_finds_nothing() {
        let corpus = corpus_of(&[&["各方", "欢迎"], &[]]);
        assert!(found(&corpus, "各方欢迎", false).is_empty());
        assert!(found(&corpus, " \n", false).is_empty());
        assert!(found(&corpus, "", true).is_empty());
    }

    #[test]
    fn appending_articles_finds_the_same_as_building_at_once() {
        let corpus = corpus_of(&[&["合作"], &["各方歡迎"], &["各方欢迎", "合作"]]);
        let mut part = corpus.clone();
        part.articles.truncate(1);
        let mut index = SearchIndex::build(&part, folder());
        index.append(&corpus, 1, folder());
        let whole = SearchIndex::build(&corpus, folder());
        for q in ["合作", "各方欢迎"] {
            let q = Query::new(q, false);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            index.search(&corpus, &q, folder(), |m| {
                a.push(m);
                true
            });
            whole.search(&corpus, &q, folder(), |m| {
                b.push(m);
                true
            });
            assert_eq!(a, b);
            assert_eq!(
                index.search_article(&corpus, &q, folder(), 2).len(),
                whole.search_article(&corpus, &q, folder(), 2).len()
            );
        }
    }

    #[test]
    fn search_in_one_article_and_stopping_early() {
        let corpus = corpus_of(&[&["合作，合作"], &["合作"], &[], &["合作"]]);
        let index = SearchIndex::build(&corpus, folder());
        let q = Query::new("合作", false);
        assert_eq!(index.search_article(&corpus, &q, folder(), 0).len(), 2);
        assert_eq!(index.search_article(&corpus, &q, folder(), 2).len(), 0);
        assert_eq!(index.search_article(&corpus, &q, folder(), 3)[0].article, 3);
        assert!(index.search_article(&corpus, &q, folder(), 9).is_empty());
        let mut n = 0;
        index.search(&corpus, &q, folder(), |_| {
            n += 1;
            n < 3
        });
        assert_eq!(n, 3);
    }
}

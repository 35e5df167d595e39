//! Corpus-wide search in the text as written, script and width folded on the fly.
//!
//! A query is folded ([`super::fold`]), and each folded character stands for the few characters
//! that fold to it (国 for 国 and 國). The index keeps no folded copy of the corpus (that copy
//! was as large as the text itself); instead part of the query, its anchor, is spelt out in
//! every combination of those spellings and looked for in each paragraph with one `memmem`
//! (one spelling) or Teddy (several) pass; each hit is then checked character by character
//! against the whole folded query, backwards and forwards. The anchor is the longest run of
//! characters with one spelling each, or else the longest stretch with at most [`SPELLINGS`].
//! Folding drops white space, so a phrase broken by a space still matches: in a paragraph that
//! holds white space the first character alone is looked for, since a space may sit inside the
//! anchor.
//!
//! What the index does keep is small: where each article's paragraphs start in a corpus-wide
//! numbering, a bit per paragraph telling whether it holds white space, and each article's
//! sampled n-grams for linking versions ([`crate::versions`]), all taken in one pass over the
//! text when the corpus is loaded.

use std::ops::Range;

use aho_corasick::{AhoCorasick, Input, MatchKind, Span, packed};
use memchr::memmem;

use super::fold::{DROP, Folder};
use super::shingle::Shingler;
use crate::corpus::{Article, Corpus};

/// Most spellings of an anchor looked for at once (Teddy is fastest with few).
const SPELLINGS: usize = 8;

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

/// Paragraphs from which a corpus-wide search runs on all cores: below it, threads cost more
/// than they save.
const PARALLEL_PARAGRAPHS: usize = 50_000;

/// What search and version linking need to know of the corpus beyond its text, built once
/// when the corpus is loaded and extended as files arrive.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    /// Corpus-wide number of each article's first paragraph, plus one past the last: article
    /// `a` has paragraphs `first[a]..first[a + 1]`.
    first: Vec<usize>,
    /// One bit per paragraph (corpus-wide number): it holds white space.
    spaced: Vec<u64>,
    /// Each article's sampled n-grams (see [`Shingler`]): article `a`'s are
    /// `shingles[shingle_starts[a]..shingle_starts[a + 1]]`.
    shingles: Vec<u32>,
    shingle_starts: Vec<usize>,
}

impl Default for SearchIndex {
    fn default() -> Self {
        SearchIndex { first: vec![0], spaced: Vec::new(), shingles: Vec::new(), shingle_starts: vec![0] }
    }
}

impl SearchIndex {
    /// Reads every article of `corpus`.
    pub fn build(corpus: &Corpus, folder: &Folder) -> SearchIndex {
        let mut index = SearchIndex::of_articles(&corpus.articles, folder);
        index.shingles.shrink_to_fit();
        index
    }

    /// The index of `articles` alone, numbered from 0 (a loading thread takes it for the
    /// articles of one file; [`SearchIndex::extend`] adds it to the corpus's).
    pub fn of_articles(articles: &[Article], folder: &Folder) -> SearchIndex {
        let mut index = SearchIndex::default();
        index.append_articles(articles, folder);
        index
    }

    /// Adds `part`, the index of the articles that follow this one's.
    pub fn extend(&mut self, part: &SearchIndex) {
        let paragraphs = self.paragraphs();
        for p in 0..part.paragraphs() {
            self.set_spaced(paragraphs + p, part.is_spaced(p));
        }
        self.first.extend(part.first.iter().skip(1).map(|f| f + paragraphs));
        let shingles = self.shingles.len();
        self.shingles.extend_from_slice(&part.shingles);
        self.shingle_starts.extend(part.shingle_starts.iter().skip(1).map(|s| s + shingles));
    }

    /// This index with articles `range` replaced by those `part` indexes (the reader's `E`
    /// reads one file again): what [`SearchIndex::build`] gives for the corpus so changed,
    /// without reading its other articles again.
    ///
    /// # Panics
    /// When `range` is not a range of this index's articles.
    #[must_use]
    pub fn splice(&self, range: Range<usize>, part: &SearchIndex) -> SearchIndex {
        let mut index = self.slice(0..range.start);
        index.extend(part);
        index.extend(&self.slice(range.end..self.articles()));
        index.shingles.shrink_to_fit();
        index
    }

    /// The index of articles `range` alone, numbered from 0.
    fn slice(&self, range: Range<usize>) -> SearchIndex {
        let (from, to) = (self.first[range.start], self.first[range.end]);
        let mut slice = SearchIndex::default();
        for p in from..to {
            slice.set_spaced(p - from, self.is_spaced(p));
        }
        slice.first = self.first[range.start..=range.end].iter().map(|f| f - from).collect();
        let (start, end) = (self.shingle_starts[range.start], self.shingle_starts[range.end]);
        slice.shingles = self.shingles[start..end].to_vec();
        slice.shingle_starts = self.shingle_starts[range.start..=range.end].iter().map(|s| s - start).collect();
        slice
    }

    fn append_articles(&mut self, articles: &[Article], folder: &Folder) {
        let mut shingler = Shingler::default();
        for article in articles {
            let mut number = self.paragraphs();
            for paragraph in &article.paragraphs {
                let mut spaced = false;
                for c in paragraph.text.chars() {
                    let f = folder.fold_code(c);
                    if f == DROP {
                        spaced = true;
                    } else {
                        shingler.push(f);
                    }
                }
                self.set_spaced(number, spaced);
                number += 1;
            }
            self.first.push(number);
            shingler.finish_into(&mut self.shingles);
            self.shingle_starts.push(self.shingles.len());
        }
    }

    /// Paragraphs indexed so far.
    fn paragraphs(&self) -> usize {
        self.first.last().copied().unwrap_or(0)
    }

    /// Articles indexed so far.
    fn articles(&self) -> usize {
        self.first.len() - 1
    }

    /// Records whether paragraph `paragraph` (the next one, or earlier) holds white space.
    fn set_spaced(&mut self, paragraph: usize, spaced: bool) {
        if paragraph / 64 >= self.spaced.len() {
            self.spaced.resize(paragraph / 64 + 1, 0);
        }
        self.spaced[paragraph / 64] |= u64::from(spaced) << (paragraph % 64);
    }

    fn is_spaced(&self, paragraph: usize) -> bool {
        self.spaced.get(paragraph / 64).is_some_and(|bits| bits >> (paragraph % 64) & 1 == 1)
    }

    /// Article `article`'s sampled n-grams, sorted and without duplicates (for linking versions).
    pub fn shingles(&self, article: usize) -> &[u32] {
        match (self.shingle_starts.get(article), self.shingle_starts.get(article + 1)) {
            (Some(&from), Some(&to)) => &self.shingles[from..to],
            _ => &[],
        }
    }

    /// Bytes the index holds, for the benchmark.
    pub fn heap_bytes(&self) -> usize {
        (self.first.capacity() + self.shingle_starts.capacity()) * std::mem::size_of::<usize>()
            + self.spaced.capacity() * 8
            + self.shingles.capacity() * 4
    }

    /// Every match in the corpus, in corpus order, handed to `found` as it is found; return
    /// `false` from `found` to stop early.
    pub fn search(&self, corpus: &Corpus, query: &Query, folder: &Folder, found: impl FnMut(Match) -> bool) {
        let workers = if self.paragraphs() < PARALLEL_PARAGRAPHS {
            1
        } else {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get).clamp(1, 8)
        };
        self.search_on(corpus, query, folder, workers, found);
    }

    /// [`SearchIndex::search`] on `workers` threads.
    fn search_on(
        &self,
        corpus: &Corpus,
        query: &Query,
        folder: &Folder,
        workers: usize,
        mut found: impl FnMut(Match) -> bool,
    ) {
        let Some(matcher) = Matcher::new(query, folder) else { return };
        let articles = self.articles().min(corpus.articles.len());
        if workers <= 1 {
            self.search_articles(corpus, &matcher, 0..articles, &mut found);
            return;
        }
        // A large corpus is searched on all cores, a run of articles each. This thread takes the
        // first run and hands its matches over as it finds them (the first result shows at
        // once); the others' follow in order, and they stop early when `found` does.
        let per = articles.div_ceil(workers).max(1);
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let later: Vec<_> = (per..articles)
                .step_by(per)
                .map(|from| {
                    let (matcher, stop, to) = (&matcher, &stop, (from + per).min(articles));
                    scope.spawn(move || {
                        // Held until this thread's turn comes, so kept compact: a query as
                        // common as 的 has millions of matches in a large corpus.
                        let mut out: Vec<[u32; 4]> = Vec::new();
                        self.search_articles(corpus, matcher, from..to, &mut |m| {
                            let fits = |x: usize| u32::try_from(x).ok();
                            match (fits(m.article), fits(m.paragraph), fits(m.range.start), fits(m.range.end)) {
                                (Some(a), Some(p), Some(s), Some(e)) => out.push([a, p, s, e]),
                                // Past what `u32` holds (never in a corpus that fits in memory).
                                _ => return false,
                            }
                            !stop.load(std::sync::atomic::Ordering::Relaxed)
                        });
                        out
                    })
                })
                .collect();
            let mut go_on = self.search_articles(corpus, &matcher, 0..per.min(articles), &mut found);
            for run in later {
                if !go_on {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                let run = run.join().unwrap_or_default();
                for [a, p, s, e] in run {
                    let m = Match { article: a as usize, paragraph: p as usize, range: s as usize..e as usize };
                    if go_on && !found(m) {
                        go_on = false;
                    }
                }
            }
        });
    }

    /// Every match in article `article`.
    pub fn search_article(&self, corpus: &Corpus, query: &Query, folder: &Folder, article: usize) -> Vec<Match> {
        let mut out = Vec::new();
        if let Some(matcher) = Matcher::new(query, folder)
            && article < self.articles().min(corpus.articles.len())
        {
            self.search_articles(corpus, &matcher, article..article + 1, &mut |m| {
                out.push(m);
                true
            });
        }
        out
    }

    /// Matches in articles `articles`; `false` when `found` asked to stop.
    fn search_articles(
        &self,
        corpus: &Corpus,
        matcher: &Matcher,
        articles: Range<usize>,
        found: &mut impl FnMut(Match) -> bool,
    ) -> bool {
        for a in articles {
            let first = self.first[a];
            for (p, paragraph) in corpus.articles[a].paragraphs.iter().enumerate() {
                let spaced = self.is_spaced(first + p);
                let go_on =
                    matcher.find(&paragraph.text, spaced, |range| found(Match { article: a, paragraph: p, range }));
                if !go_on {
                    return false;
                }
            }
        }
        true
    }
}

/// Looks for one or several byte strings.
enum Finder {
    One(memmem::Finder<'static>),
    /// Teddy (SIMD) over a few strings: a general automaton's prefilter would look for the
    /// rarest byte, and in UTF-8 Chinese no byte is rare.
    Packed(packed::Searcher),
    /// Where Teddy is not available.
    Many(AhoCorasick),
}

impl Finder {
    /// `None` when there is nothing to look for, or the automaton cannot be built.
    fn new(needles: &[Vec<u8>]) -> Option<Finder> {
        match needles {
            [] => None,
            [one] => Some(Finder::One(memmem::Finder::new(one).into_owned())),
            many => packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .builder()
                .extend(many)
                .build()
                .map(Finder::Packed)
                .or_else(|| {
                    AhoCorasick::builder().match_kind(MatchKind::LeftmostFirst).build(many).ok().map(Finder::Many)
                }),
        }
    }

    /// Start of the leftmost occurrence at or after `from`.
    #[inline]
    fn find(&self, haystack: &[u8], from: usize) -> Option<usize> {
        match self {
            Finder::One(f) => f.find(&haystack[from..]).map(|at| at + from),
            Finder::Packed(p) => p.find_in(haystack, Span::from(from..haystack.len())).map(|m| m.start()),
            Finder::Many(ac) => ac.find(Input::new(haystack).range(from..)).map(|m| m.start()),
        }
    }
}

/// Which characters of a folded query (given each one's spellings) to look for first: the
/// longest run of characters that have one spelling each, one `memmem` pass, the fastest there
/// is, when it is two characters at least (one common character, 的 or 中, would stop at every
/// other sentence) or the whole query. Else the longest stretch whose spellings stay within
/// [`SPELLINGS`] (fewest spellings among equals; one character at least): a quote at the start
/// (eleven spellings) is better checked around a hit of the words after it.
fn anchor(spellings: &[Vec<char>]) -> Range<usize> {
    let mut run = 0..0;
    let mut run_start = 0;
    for (i, chars) in spellings.iter().enumerate() {
        if chars.len() != 1 {
            run_start = i + 1;
        } else if i + 1 - run_start > run.len() {
            run = run_start..i + 1;
        }
    }
    if run.len() >= 2 || run.len() == spellings.len() {
        return run;
    }
    let mut window = 0..1;
    let mut window_count = spellings.first().map_or(1, Vec::len);
    for start in 0..spellings.len() {
        let mut count = 1usize;
        for (len, chars) in (1..).zip(&spellings[start..]) {
            count = count.saturating_mul(chars.len());
            if count > SPELLINGS && len > 1 {
                break;
            }
            if (len, std::cmp::Reverse(count)) > (window.len(), std::cmp::Reverse(window_count)) {
                (window, window_count) = (start..start + len, count);
            }
        }
    }
    window
}

/// A query ready to be looked for in paragraphs.
struct Matcher<'f> {
    folder: &'f Folder,
    /// The folded query (no white space, never empty); unused for an exact query.
    folded: Vec<char>,
    /// An exact query's length in bytes.
    exact: Option<usize>,
    /// What is looked for first, and at which character of `folded` its hits begin: exact, the
    /// query as typed; folded, the longest run of characters with one spelling each, or else
    /// every spelling of the longest stretch that has few.
    anchor: Finder,
    anchor_at: usize,
    /// Every spelling of the first character alone, for paragraphs holding white space (a
    /// space may sit inside the anchor there); `None` when the anchor is that already.
    first: Option<Finder>,
}

impl<'f> Matcher<'f> {
    /// `None` when the query finds nothing (empty, or only white space).
    fn new(query: &Query, folder: &'f Folder) -> Option<Matcher<'f>> {
        if query.exact {
            let anchor = Finder::new(&[query.text.as_bytes().to_vec()]).filter(|_| !query.text.is_empty())?;
            let exact = Some(query.text.len());
            return Some(Matcher { folder, folded: Vec::new(), exact, anchor, anchor_at: 0, first: None });
        }
        let needle: Vec<char> = query.text.chars().filter_map(|c| folder.fold_char(c)).collect();
        if needle.is_empty() {
            return None;
        }
        let spellings: Vec<Vec<char>> = needle.iter().map(|&c| folder.preimages(c)).collect();
        let spell = |chars: &[Vec<char>]| -> Vec<Vec<u8>> {
            let mut out = vec![String::new()];
            for options in chars {
                out = out.iter().flat_map(|s| options.iter().map(move |&c| format!("{s}{c}"))).collect();
            }
            out.into_iter().map(String::into_bytes).collect()
        };
        let window = anchor(&spellings);
        let anchor = Finder::new(&spell(&spellings[window.clone()]))?;
        // A one-character query's anchor is its first character already.
        let first = if needle.len() == 1 { None } else { Finder::new(&spell(&spellings[..1])) };
        Some(Matcher { folder, folded: needle, exact: None, anchor, anchor_at: window.start, first })
    }

    /// Hands each match in `text` to `found`, left to right, never two overlapping; `false`
    /// when `found` asked to stop.
    fn find(&self, text: &str, spaced: bool, mut found: impl FnMut(Range<usize>) -> bool) -> bool {
        let bytes = text.as_bytes();
        let (finder, anchor_at) = match (&self.first, spaced) {
            (Some(first), true) => (first, 0),
            _ => (&self.anchor, self.anchor_at),
        };
        // `from`: where the next anchor is looked for; `free`: where the last match ended.
        let (mut from, mut free) = (0, 0);
        while from < bytes.len() {
            let Some(hit) = finder.find(bytes, from) else { break };
            match self.match_around(text, hit, anchor_at).filter(|m| m.start >= free) {
                Some(m) => {
                    (from, free) = (m.end, m.end);
                    if !found(m) {
                        return false;
                    }
                }
                None => from = hit + text[hit..].chars().next().map_or(1, char::len_utf8),
            }
        }
        true
    }

    /// The match whose character `anchor_at` (of the folded query) is at `hit`, if the text
    /// around folds to the query.
    #[inline]
    fn match_around(&self, text: &str, hit: usize, anchor_at: usize) -> Option<Range<usize>> {
        if let Some(len) = self.exact {
            // Exact: the finder's hit is the match.
            return Some(hit..hit + len);
        }
        // Back from the anchor over the characters before it, white space passed over.
        let mut start = hit;
        let mut before = self.folded[..anchor_at].iter().rev();
        let mut want = before.next();
        for (at, c) in text[..hit].char_indices().rev() {
            let Some(w) = want else { break };
            match self.folder.fold_char(c) {
                None => {}
                Some(f) if f == *w => {
                    start = at;
                    want = before.next();
                }
                Some(_) => return None,
            }
        }
        if want.is_some() {
            return None;
        }
        // Forward from the anchor over the rest.
        let mut after = self.folded[anchor_at..].iter();
        let mut want = after.next();
        for (at, c) in text[hit..].char_indices() {
            let Some(w) = want else { break };
            match self.folder.fold_char(c) {
                None => {}
                Some(f) if f == *w => {
                    want = after.next();
                    if want.is_none() {
                        return Some(start..hit + at + c.len_utf8());
                    }
                }
                Some(_) => return None,
            }
        }
        None
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::corpus::{Article, ArticleKind, Paragraph, ParagraphKind};
    use crate::search::fold::folder;

    /// A corpus of one article per list, each text a body paragraph (for tests here and in
    /// [`crate::versions`]).
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
                    .map(|t| Paragraph {
                        kind: ParagraphKind::Body,
                        text: (*t).to_string(),
                        garbled: Box::default(),
                        line: 1,
                    })
                    .collect(),
                clauses: vec![],
                notes: vec![],
            });
        }
        corpus
    }

    #[test]
    fn splicing_in_a_file_read_again_gives_the_index_a_full_build_gives() {
        let f = folder();
        // Enough paragraphs that the white-space bits run past one word, spaced ones among them.
        let long: Vec<String> =
            (0..70).map(|i| if i % 3 == 0 { format!("第{i}段 有空格") } else { format!("第{i}段正文") }).collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        let before = corpus_of(&[&["甲文第一段。", "a b"], &long, &["乙文。"], &["丙文 丁文。"]]);
        let index = SearchIndex::build(&before, f);
        for (range, new) in [
            (1..2, vec![vec!["新的一段 有空格", "新的第二段。"], vec!["又一篇。"]]),
            (0..1, vec![]),
            (3..4, vec![vec!["最后 一篇"]]),
            (2..2, vec![vec!["插入的 一篇"]]),
            (0..4, vec![vec!["全部换掉。"]]),
        ] {
            let new: Vec<&[&str]> = new.iter().map(Vec::as_slice).collect();
            let part_corpus = corpus_of(&new);
            let part = SearchIndex::of_articles(&part_corpus.articles, f);
            let mut after = before.clone();
            after.articles.splice(range.clone(), part_corpus.articles);
            let spliced = index.splice(range.clone(), &part);
            assert_eq!(format!("{spliced:?}"), format!("{:?}", SearchIndex::build(&after, f)), "{range:?}");
        }
    }

    /// The definition: each paragraph folded whole, the folded query looked for in it left to
    /// right without overlaps, each hit mapped back through the folded characters' origins.
    fn by_definition(corpus: &Corpus, q: &str) -> Vec<Match> {
        let f = folder();
        let needle: Vec<char> = f.fold(q).chars().collect();
        let mut out = Vec::new();
        if needle.is_empty() {
            return out;
        }
        for (a, article) in corpus.articles.iter().enumerate() {
            for (p, paragraph) in article.paragraphs.iter().enumerate() {
                let folded: Vec<(usize, char)> =
                    paragraph.text.char_indices().filter_map(|(at, c)| f.fold_char(c).map(|d| (at, d))).collect();
                let mut i = 0;
                while i + needle.len() <= folded.len() {
                    if folded[i..i + needle.len()].iter().map(|x| x.1).eq(needle.iter().copied()) {
                        let last = folded[i + needle.len() - 1].0;
                        let end = last + paragraph.text[last..].chars().next().map_or(0, char::len_utf8);
                        out.push(Match { article: a, paragraph: p, range: folded[i].0..end });
                        i += needle.len();
                    } else {
                        i += 1;
                    }
                }
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn search_finds_what_the_definition_finds_on_any_number_of_threads(
            paragraphs in proptest::collection::vec("[国國际際各方合作 ,，“”\"「」a-cA-C１\u{3000}\n]{0,12}", 0..12),
            query in "[国國际際各方合作 ,，“”\"a-cA１]{1,5}",
            cut in 0usize..4,
        ) {
            // Paragraphs spread over a few articles, some empty.
            let mut articles: Vec<Vec<&str>> = vec![Vec::new()];
            for (i, p) in paragraphs.iter().enumerate() {
                if i % (cut + 2) == 0 {
                    articles.push(Vec::new());
                }
                if let Some(a) = articles.last_mut() {
                    a.push(p.as_str());
                }
            }
            let refs: Vec<&[&str]> = articles.iter().map(Vec::as_slice).collect();
            let corpus = corpus_of(&refs);
            let index = SearchIndex::build(&corpus, folder());
            let expected = by_definition(&corpus, &query);
            for workers in 1..=3 {
                let mut got = Vec::new();
                index.search_on(&corpus, &Query::new(query.clone(), false), folder(), workers, |m| {
                    got.push(m);
                    true
                });
                proptest::prop_assert_eq!(&got, &expected, "{} workers", workers);
            }
        }
    }

    #[test]
    fn whole_phrases_are_found_in_every_spelling_and_with_spaces_inside() {
        // Each character of 丝绸之路经济带 but 之 and 路 has two spellings: 32 spellings of the
        // whole, more than are looked for at once, so the opening is cut and the rest checked.
        let corpus = corpus_of(&[
            &["丝绸之路经济带", "絲綢之路經濟帶", "丝绸之路 經济\n带", "丝绸之路经济", "丝绸之路经济丝绸之路经济带"],
            &["“丝绸之路经济带”", " 丝 绸之路经济带 "],
        ]);
        let hits: Vec<(usize, usize, String)> = found(&corpus, "絲绸之路经濟帶", false);
        assert_eq!(
            hits,
            [
                (0, 0, "丝绸之路经济带".to_string()),
                (0, 1, "絲綢之路經濟帶".to_string()),
                (0, 2, "丝绸之路 經济\n带".to_string()),
                (0, 4, "丝绸之路经济带".to_string()),
                (1, 0, "丝绸之路经济带".to_string()),
                (1, 1, "丝 绸之路经济带".to_string()),
            ]
        );
        assert_eq!(found(&corpus, "“丝绸", false), [(1, 0, "“丝绸".to_string())]);
        assert_eq!(found(&corpus, "\"丝绸", false), [(1, 0, "“丝绸".to_string())], "a quote is any quote");
    }

    #[test]
    fn a_space_inside_any_part_of_a_query_is_passed_over() {
        // 各方 has one spelling: it is looked for as written, and the paragraphs with a space are
        // searched character by character instead. 国 has two.
        let corpus = corpus_of(&[&["各 方欢迎", "各方 欢迎", "国 各方", "國各\u{3000}方", "各方"]]);
        for (q, expected) in [("各方", vec![0, 1, 2, 3, 4]), ("各方欢迎", vec![0, 1]), ("国各方", vec![2, 3])]
        {
            let hits: Vec<usize> = found(&corpus, q, false).into_iter().map(|(_, p, _)| p).collect();
            assert_eq!(hits, expected, "{q}");
        }
    }

    #[test]
    fn matches_never_overlap_and_the_leftmost_wins() {
        let corpus = corpus_of(&[&["合作合作合作", "合 作合作"]]);
        let ranges: Vec<_> = found(&corpus, "合作合作", false).into_iter().map(|(_, p, t)| (p, t)).collect();
        assert_eq!(ranges, [(0, "合作合作".to_string()), (1, "合 作合作".to_string())]);
        let starts: Vec<Match> = found_with(&SearchIndex::build(&corpus, folder()), &corpus, "作合");
        assert_eq!(starts.iter().map(|m| (m.paragraph, m.range.start)).collect::<Vec<_>>(), [(0, 3), (0, 9), (1, 4)]);
    }

    #[test]
    fn an_index_records_spaces_and_samples_per_article() {
        let corpus = corpus_of(&[&["各方, 欢迎", "第二段"], &[], &["A\u{3000}B"]]);
        let index = SearchIndex::build(&corpus, folder());
        assert_eq!(index.first, [0, 2, 2, 3]);
        assert_eq!((0..3).map(|p| index.is_spaced(p)).collect::<Vec<_>>(), [true, false, true]);
        assert_eq!(index.shingle_starts.len(), 4);
        let mut appended = SearchIndex::build(&corpus_of(&[&["各方, 欢迎", "第二段"]]), folder());
        appended.extend(&SearchIndex::of_articles(&corpus.articles[1..], folder()));
        assert_eq!((&appended.first, &appended.spaced), (&index.first, &index.spaced));
        // Parts taken apart (as loading threads do) and joined give the same index.
        for split in 0..=corpus.articles.len() {
            let mut joined = SearchIndex::of_articles(&corpus.articles[..split], folder());
            joined.extend(&SearchIndex::of_articles(&corpus.articles[split..], folder()));
            assert_eq!((&joined.first, &joined.spaced), (&index.first, &index.spaced), "split at {split}");
            assert_eq!((&joined.shingles, &joined.shingle_starts), (&index.shingles, &index.shingle_starts));
        }
        // Across the words of the white-space bits: parts of 0..150 paragraphs.
        let texts: Vec<String> =
            (0..150).map(|i| if i % 3 == 0 { format!("第{i} 段") } else { format!("第{i}段") }).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let big = corpus_of(&[&refs[..40], &refs[40..41], &refs[41..107], &[], &refs[107..]]);
        let whole = SearchIndex::build(&big, folder());
        for split in 0..=big.articles.len() {
            let mut joined = SearchIndex::of_articles(&big.articles[..split], folder());
            joined.extend(&SearchIndex::of_articles(&big.articles[split..], folder()));
            assert_eq!((&joined.first, &joined.spaced), (&whole.first, &whole.spaced), "split at {split}");
        }
        assert_eq!((0..150).filter(|&p| whole.is_spaced(p)).count(), 50);
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
        index.extend(&SearchIndex::of_articles(&corpus.articles[1..], folder()));
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
        let all = found_with(&index, &corpus, "合作");
        for workers in 1..=4 {
            for stop_after in 1..=all.len() {
                let mut got = Vec::new();
                index.search_on(&corpus, &q, folder(), workers, |m| {
                    got.push(m);
                    got.len() < stop_after
                });
                assert_eq!(got, all[..stop_after], "{workers} workers, stop after {stop_after}");
            }
        }
    }
}

//! Versions of the same text: finding them ([`link`]) and comparing two ([`compare`](mod@compare)).
//!
//! Both work on a normal form where a Simplified/Traditional difference, a full-width comma or a
//! line break cannot count as a change: the search folding ([`crate::search::fold`]) with
//! punctuation, symbols and white space dropped, so only letters, digits and Han characters
//! remain. `中國-中亞外長` and `中国—中亚外长` are the same there; `部门级` and `部级` are not.
//!
//! **Linking** samples the character 5-grams of every article (one in sixteen, by hash, so the same
//! 5-gram is sampled in every article that has it; the sampler, [`crate::search::shingle`], runs
//! while the search index is built), indexes them, and counts for each pair of
//! articles the samples they share, skipping 5-grams so common they say nothing (set phrases in
//! hundreds of articles). A pair is linked when the shared samples are at least half of the
//! smaller article's: containment rather than overlap, so a fragment links to the full text it
//! was cut from. Cost is linear in the text plus the postings of rare 5-grams.
//!
//! **Comparing** aligns clause by clause where both articles have numbered clauses (the
//! paragraphs before the first clause form one more unit), paragraph by paragraph inside each
//! unit and everywhere else (an edit-distance alignment on paragraph similarity), then diffs
//! aligned paragraphs character by character in the normal form, mapped back to the text as
//! written.

pub mod compare;

pub use compare::{Change, Comparison, Pair, Unit, compare, pair_text};

use rustc_hash::FxHashMap;

use crate::corpus::Corpus;
use crate::search::shingle::counts;
use crate::search::{Folder, SearchIndex};

/// N-grams in more articles than this are too common to tell versions apart.
const MAX_POSTINGS: usize = 24;
/// Fewest shared samples for a link (about 16 × this many shared characters).
const MIN_SHARED: u32 = 5;
/// Shared samples over the smaller article's samples, for a link.
const MIN_CONTAINMENT: f32 = 0.5;

/// Two articles that are versions of the same text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub a: usize,
    pub b: usize,
    /// Shared samples over the smaller article's samples, 0..=1.
    pub containment: f32,
}

/// Parts of the sample hash space linking goes through one at a time (by the top bits),
/// instead of one sort of every sample in the corpus (160 MB at 1 GB of text, held at once).
/// Each part is a walk over every article's samples, so more parts cost more walks: at 1 GB,
/// 64 parts took 410-440 ms, 16 took 280-290 ms (10 MB of postings a core), 8 took 260-320.
const PARTS: u32 = 16;

/// Every pair of articles in `corpus` that are versions of each other (a < b).
pub fn link(corpus: &Corpus, index: &SearchIndex) -> Vec<Link> {
    link_articles(index, corpus.articles.len())
}

/// [`link`] for the first `n` articles of `index`: all it needs, so that it can run on a
/// thread of its own while the reader goes on.
pub fn link_articles(index: &SearchIndex, n: usize) -> Vec<Link> {
    let n = n.min(u32::MAX as usize);
    // Each core takes a run of parts; for each part, the postings (hash, article) of every
    // article's samples in it, sorted, so the articles sharing a sample are a run.
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).clamp(1, 8) as u32;
    let per = PARTS.div_ceil(workers);
    let counted: Vec<FxHashMap<(u32, u32), u32>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..PARTS)
            .step_by(per as usize)
            .map(|from| scope.spawn(move || shared_samples(index, n, from..(from + per).min(PARTS))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let mut counted = counted.into_iter();
    let mut shared = counted.next().unwrap_or_default();
    for more in counted {
        for (pair, k) in more {
            *shared.entry(pair).or_default() += k;
        }
    }
    let mut links: Vec<Link> = shared
        .into_iter()
        .filter(|&(_, n)| n >= MIN_SHARED)
        .filter_map(|((a, b), n)| {
            let size = |x: u32| index.shingles(x as usize).len();
            let smaller = size(a).min(size(b)).max(1);
            let containment = n as f32 / smaller as f32;
            (containment >= MIN_CONTAINMENT).then_some(Link { a: a as usize, b: b as usize, containment })
        })
        .collect();
    links.sort_by_key(|l| (l.a, l.b));
    links
}

/// For the samples whose hash falls in `parts`: how many samples each pair of articles
/// shares (a < b), skipping samples in more than [`MAX_POSTINGS`] articles.
fn shared_samples(index: &SearchIndex, n: usize, parts: std::ops::Range<u32>) -> FxHashMap<(u32, u32), u32> {
    let shift = 32 - PARTS.trailing_zeros();
    let low = |part: u32| -> u64 { u64::from(part) << shift };
    // Where each article's samples (sorted) enter the current part.
    let mut cursors: Vec<usize> =
        (0..n).map(|a| index.shingles(a).partition_point(|&h| u64::from(h) < low(parts.start))).collect();
    let mut shared: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    // (hash << 32 | article): sorting the numbers sorts by hash, then article.
    let mut postings: Vec<u64> = Vec::new();
    for part in parts {
        let end = low(part + 1);
        postings.clear();
        for (a, cursor) in cursors.iter_mut().enumerate() {
            let samples = index.shingles(a);
            while let Some(&h) = samples.get(*cursor).filter(|&&h| u64::from(h) < end) {
                postings.push(u64::from(h) << 32 | a as u64);
                *cursor += 1;
            }
        }
        postings.sort_unstable();
        for run in postings.chunk_by(|x, y| x >> 32 == y >> 32) {
            if run.len() < 2 || run.len() > MAX_POSTINGS {
                continue;
            }
            for (i, &x) in run.iter().enumerate() {
                for &y in &run[i + 1..] {
                    *shared.entry((x as u32, y as u32)).or_default() += 1;
                }
            }
        }
    }
    shared
}

/// For each article, the articles linked to it, best first.
pub fn by_article(links: &[Link], articles: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<(usize, f32)>> = vec![Vec::new(); articles];
    for l in links {
        if let (Some(_), Some(_)) = (out.get(l.a), out.get(l.b)) {
            out[l.a].push((l.b, l.containment));
            out[l.b].push((l.a, l.containment));
        }
    }
    out.into_iter()
        .map(|mut v| {
            v.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            v.into_iter().map(|(a, _)| a).collect()
        })
        .collect()
}

/// `text` in the normal form, with the byte range in `text` of each character kept.
pub fn normal_form(text: &str, folder: &Folder) -> (Vec<char>, Vec<std::ops::Range<usize>>) {
    let mut chars = Vec::with_capacity(text.len() / 3);
    let mut ranges = Vec::with_capacity(text.len() / 3);
    for (at, c) in text.char_indices() {
        if let Some(f) = folder.fold_char(c).filter(|&f| counts(f)) {
            chars.push(f);
            ranges.push(at..at + c.len_utf8());
        }
    }
    (chars, ranges)
}

/// The comparison as text, for `gongbao diff`: a line per pair that differs, labelled with its
/// clause, the left paragraph with changes marked `[-removed-]{+added+}` against the right.
pub fn to_text(corpus: &Corpus, c: &Comparison) -> String {
    use std::fmt::Write as _;
    let (left, right) = (&corpus.articles[c.a], &corpus.articles[c.b]);
    let mut out = String::new();
    let name = |a: &crate::corpus::Article| {
        format!("{} {}", crate::output::safe_line(&a.id), a.title.as_deref().unwrap_or("(untitled)"))
    };
    let _ = writeln!(out, "--- {}", name(left));
    let _ = writeln!(out, "+++ {}", name(right));
    for unit in &c.units {
        let label = format!("{}{}", unit.label.as_deref().unwrap_or("·"), if unit.moved { " (moved)" } else { "" });
        for pair in unit.pairs.iter().filter(|p| p.differs()) {
            let at = |r: &std::ops::Range<usize>| {
                if r.len() > 1 { format!("¶{}-{}", r.start + 1, r.end) } else { format!("¶{}", r.start + 1) }
            };
            match (&pair.left, &pair.right) {
                (Some(l), Some(r)) => {
                    let (lt, rt) = (pair_text(left, l), pair_text(right, r));
                    let mut line = String::new();
                    let mut pos = 0;
                    for ch in &pair.changes {
                        line.push_str(&lt[pos..ch.left.start]);
                        if !ch.left.is_empty() {
                            let _ = write!(line, "[-{}-]", &lt[ch.left.clone()]);
                        }
                        if !ch.right.is_empty() {
                            let _ = write!(line, "{{+{}+}}", &rt[ch.right.clone()]);
                        }
                        pos = ch.left.end;
                    }
                    line.push_str(&lt[pos..]);
                    let _ = writeln!(out, "~ {label} {}/{}: {}", at(l), at(r), line.replace('\n', " "));
                }
                (Some(l), None) => {
                    let _ = writeln!(out, "- {label} {}: {}", at(l), pair_text(left, l).replace('\n', " "));
                }
                (None, Some(r)) => {
                    let _ = writeln!(out, "+ {label} {}: {}", at(r), pair_text(right, r).replace('\n', " "));
                }
                (None, None) => {}
            }
        }
    }
    out
}

/// The comparison as JSON, for `gongbao diff --json`.
///
/// # Errors
/// When serialisation fails (it does not for these values).
pub fn to_json(corpus: &Corpus, c: &Comparison) -> serde_json::Result<String> {
    use serde_json::json;
    let (left, right) = (&corpus.articles[c.a], &corpus.articles[c.b]);
    let mut differences = Vec::new();
    for unit in &c.units {
        for pair in unit.pairs.iter().filter(|p| p.differs()) {
            let kind = match (&pair.left, &pair.right) {
                (Some(_), Some(_)) => "changed",
                (Some(_), None) => "missing",
                _ => "added",
            };
            let lt = pair.left.as_ref().map(|r| pair_text(left, r));
            let rt = pair.right.as_ref().map(|r| pair_text(right, r));
            let changes: Vec<_> = pair
                .changes
                .iter()
                .filter_map(|ch| {
                    let (lt, rt) = (lt.as_deref()?, rt.as_deref()?);
                    Some(json!({
                        "left": &lt[ch.left.clone()], "right": &rt[ch.right.clone()],
                        "left_start": ch.left.start, "left_end": ch.left.end,
                        "right_start": ch.right.start, "right_end": ch.right.end,
                    }))
                })
                .collect();
            differences.push(json!({
                "kind": kind,
                "clause": unit.label,
                "moved": unit.moved,
                "left_paragraphs": pair.left.as_ref().map(|r| [r.start, r.end]),
                "right_paragraphs": pair.right.as_ref().map(|r| [r.start, r.end]),
                "left_text": lt,
                "right_text": rt,
                "changes": changes,
            }));
        }
    }
    serde_json::to_string_pretty(&json!({
        "left": {"article": left.id, "title": left.title, "source": left.source},
        "right": {"article": right.id, "title": right.title, "source": right.source},
        "differences": differences,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::folder;

    /// Articles made of sentences drawn from a pool, so that many share samples: most in a
    /// few articles, some (the short pool's first sentences, drawn more often) in more than
    /// [`MAX_POSTINGS`].
    fn corpus(seed: u64, articles: usize) -> Corpus {
        // Random Han characters, some of them written in either script.
        const CHARS: [char; 24] = [
            '国', '國', '合', '作', '发', '發', '展', '双', '雙', '方', '同', '意', '深', '化', '关', '關', '系', '係',
            '会', '會', '议', '議', '和', '平',
        ];
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let pool: Vec<String> = (0..40)
            .map(|_| {
                (0..12 + next() % 30).map(|k| if k % 11 == 10 { '，' } else { CHARS[next() % CHARS.len()] }).collect()
            })
            .collect();
        let pick = |k: usize| pool[if k % 50 < 40 { k % 50 } else { k % 3 }].clone();
        let texts: Vec<Vec<String>> = (0..articles)
            .map(|_| (0..=next() % 5).map(|_| (0..=next() % 3).map(|_| pick(next())).collect()).collect())
            .collect();
        let paragraphs: Vec<Vec<&str>> = texts.iter().map(|a| a.iter().map(String::as_str).collect()).collect();
        let articles: Vec<&[&str]> = paragraphs.iter().map(Vec::as_slice).collect();
        crate::search::index::tests::corpus_of(&articles)
    }

    /// Linking by its definition: for every pair, the samples both have that are in at most
    /// [`MAX_POSTINGS`] articles.
    fn by_definition(index: &SearchIndex, n: usize) -> Vec<(usize, usize, u32)> {
        let mut df: FxHashMap<u32, usize> = FxHashMap::default();
        for a in 0..n {
            for &h in index.shingles(a) {
                *df.entry(h).or_default() += 1;
            }
        }
        let mut out = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                let shared =
                    index.shingles(a).iter().filter(|h| index.shingles(b).contains(h) && df[h] <= MAX_POSTINGS);
                let shared = shared.count() as u32;
                let smaller = index.shingles(a).len().min(index.shingles(b).len()).max(1);
                if shared >= MIN_SHARED && shared as f32 / smaller as f32 >= MIN_CONTAINMENT {
                    out.push((a, b, shared));
                }
            }
        }
        out
    }

    #[test]
    fn linking_by_parts_finds_the_pairs_the_definition_finds() {
        for seed in 0..6 {
            let corpus = corpus(seed, 80);
            let index = SearchIndex::build(&corpus, folder());
            let expected = by_definition(&index, corpus.articles.len());
            let links = link(&corpus, &index);
            let got: Vec<(usize, usize, u32)> = links
                .iter()
                .map(|l| {
                    let smaller = index.shingles(l.a).len().min(index.shingles(l.b).len()).max(1);
                    (l.a, l.b, (l.containment * smaller as f32).round() as u32)
                })
                .collect();
            assert_eq!(got, expected, "seed {seed}");
            assert!(!expected.is_empty(), "seed {seed}: the pool makes versions");
        }
    }
}

//! Topic profiles: the evidence segmentation uses for topic continuity.
//!
//! A stretch of text is profiled by its Han character bigrams (Chinese has no
//! spaces, and bigrams approximate words well enough to tell one news story
//! from another), weighted TF-IDF style by how rare each bigram is within the
//! source. Profiles are sorted vectors so that comparing two is a linear merge.

use rustc_hash::FxHashMap;

use super::clean::is_han;

/// Bigram → weight, sorted by bigram, with its Euclidean norm.
#[derive(Debug, Clone, Default)]
pub struct Topic {
    terms: Vec<(u64, f32)>,
    norm: f32,
    /// Characters of text profiled: short stretches give weak evidence.
    pub chars: usize,
}

fn key(a: char, b: char) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The Han bigrams of `text`, as keys.
pub fn bigrams(text: &str) -> impl Iterator<Item = u64> + '_ {
    let mut prev: Option<char> = None;
    text.chars().filter_map(move |c| {
        let out = match prev {
            Some(p) if is_han(p) && is_han(c) => Some(key(p, c)),
            _ => None,
        };
        prev = Some(c);
        out
    })
}

/// Document frequencies of bigrams over the blocks of one source.
pub struct Idf {
    df: FxHashMap<u64, u32>,
    docs: f32,
}

impl Idf {
    /// Counts, for each bigram, how many of `texts` contain it.
    pub fn new<'a>(texts: impl Iterator<Item = &'a str>) -> Self {
        let mut df: FxHashMap<u64, u32> = FxHashMap::default();
        let mut docs = 0.0;
        let mut seen = Vec::new();
        for t in texts {
            docs += 1.0;
            seen.clear();
            seen.extend(bigrams(t));
            seen.sort_unstable();
            seen.dedup();
            for &g in &seen {
                *df.entry(g).or_default() += 1;
            }
        }
        Idf { df, docs }
    }

    /// Whether the two characters occur side by side somewhere in the source.
    pub fn contains(&self, a: char, b: char) -> bool {
        self.df.contains_key(&key(a, b))
    }

    fn weight(&self, g: u64) -> f32 {
        let df = self.df.get(&g).copied().unwrap_or(1) as f32;
        (1.0 + self.docs / df).ln()
    }

    /// The profile of the concatenation of `texts`.
    pub fn topic<'a>(&self, texts: impl Iterator<Item = &'a str>) -> Topic {
        let mut grams: Vec<u64> = Vec::new();
        let mut chars = 0;
        for t in texts {
            chars += t.chars().count();
            grams.extend(bigrams(t));
        }
        grams.sort_unstable();
        let mut terms = Vec::with_capacity(grams.len() / 2);
        let mut i = 0;
        while i < grams.len() {
            let g = grams[i];
            let run = grams[i..].iter().take_while(|&&x| x == g).count();
            terms.push((g, (1.0 + (run as f32).ln()) * self.weight(g)));
            i += run;
        }
        Topic::from_terms(terms, chars)
    }
}

impl Topic {
    fn from_terms(terms: Vec<(u64, f32)>, chars: usize) -> Topic {
        let norm = terms.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        Topic { terms, norm, chars }
    }

    /// Bigram weights, sorted by bigram.
    pub fn terms(&self) -> &[(u64, f32)] {
        &self.terms
    }

    /// Euclidean norm of the weights.
    pub fn norm(&self) -> f32 {
        self.norm
    }

    /// Cosine similarity, 0 for unrelated text and 1 for the same text.
    pub fn similarity(&self, other: &Topic) -> f32 {
        if self.norm == 0.0 || other.norm == 0.0 {
            return 0.0;
        }
        let (mut i, mut j, mut dot) = (0, 0, 0.0);
        let (a, b) = (&self.terms, &other.terms);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += a[i].1 * b[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        dot / (self.norm * other.norm)
    }

    /// How far a similarity between these two stretches can be trusted: short
    /// stretches share few bigrams by chance.
    pub fn confidence(&self, other: &Topic) -> f32 {
        (self.chars.min(other.chars) as f32 / 150.0).clamp(0.2, 1.0)
    }
}

/// The profile of several stretches taken together (weights add up).
pub fn merge_topics<'a>(parts: impl Iterator<Item = &'a Topic>) -> Topic {
    let mut all: Vec<(u64, f32)> = Vec::new();
    let mut chars = 0;
    for t in parts {
        chars += t.chars;
        all.extend_from_slice(&t.terms);
    }
    all.sort_unstable_by_key(|&(g, _)| g);
    let mut terms: Vec<(u64, f32)> = Vec::with_capacity(all.len());
    for (g, w) in all {
        match terms.last_mut() {
            Some((last, sum)) if *last == g => *sum += w,
            _ => terms.push((g, w)),
        }
    }
    Topic::from_terms(terms, chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRADE: &str = "广东外贸企业坚持创新发展，跨境电商规模稳居全国第一，外贸新业态增长迅速。";
    const TRADE2: &str = "今年广东将推动跨境电商与产业带融合发展，扩大外贸规模，稳住外贸基本盘。";
    const DRUGS: &str = "美国芬太尼危机的根源在于自身，滥用过量致死人数逐年上升，禁毒执法亟待加强。";

    fn idf() -> Idf {
        Idf::new([TRADE, TRADE2, DRUGS].into_iter())
    }

    #[test]
    fn text_is_most_similar_to_itself() {
        let idf = idf();
        let t = idf.topic(std::iter::once(TRADE));
        assert!((t.similarity(&t) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn same_topic_scores_above_another_topic() {
        let idf = idf();
        let (a, b, c) = (idf.topic([TRADE].into_iter()), idf.topic([TRADE2].into_iter()), idf.topic([DRUGS].into_iter()));
        assert!(a.similarity(&b) > a.similarity(&c) + 0.05, "{} vs {}", a.similarity(&b), a.similarity(&c));
        assert!((a.similarity(&b) - b.similarity(&a)).abs() < 1e-6);
    }

    #[test]
    fn merged_profiles_compare_like_the_parts() {
        let idf = idf();
        let parts = [idf.topic([TRADE].into_iter()), idf.topic([TRADE2].into_iter())];
        let merged = merge_topics(parts.iter());
        assert_eq!(merged.chars, TRADE.chars().count() + TRADE2.chars().count());
        assert!(merged.similarity(&parts[0]) > 0.3);
    }

    #[test]
    fn text_without_han_has_an_empty_profile() {
        let idf = idf();
        let t = idf.topic(["abc 123"].into_iter());
        assert_eq!(t.similarity(&idf.topic([TRADE].into_iter())), 0.0);
    }

    #[test]
    fn adjacent_characters_are_known_to_the_source() {
        let idf = idf();
        assert!(idf.contains('外', '贸'));
        assert!(!idf.contains('贸', '芬'));
    }
}

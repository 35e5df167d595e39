//! What the decisions weigh: topic profiles either side of a break, and the
//! sentence and numbering evidence that one piece continues another.

use std::borrow::Cow;
use std::cell::OnceCell;

use super::Block;
use super::pieces::{Piece, Start, piece_texts};
use crate::corpus::clause;
use crate::corpus::clean::is_han;
use crate::corpus::topic::{Idf, Topic};

/// How many pieces ahead a continuation is looked for; keeps linking linear.
pub(super) const LINK_WINDOW: usize = 8;

/// Topic evidence for one source, computed only for the pieces a decision
/// needs: most pieces of most pages never need it, and profiling every piece
/// would dominate the cost of segmentation.
pub(super) struct Evidence<'a> {
    pub(super) pieces: &'a [Piece],
    /// Index of each piece's first text in the order the texts are counted.
    pub(super) first: Vec<usize>,
    pub(super) idf: OnceCell<Idf>,
    /// Where each text in counting order sits in `idf` when the line pass counted the
    /// blocks (its `text_index`); `None` when `idf` counted the pieces' texts in order.
    pub(super) order: Option<Vec<u32>>,
    pub(super) openings: Vec<OnceCell<Topic>>,
    pub(super) endings: Vec<OnceCell<Topic>>,
    /// Profiles of whole pieces, for those shorter than [`NEAR_BREAK`] both ways.
    pub(super) wholes: Vec<OnceCell<Topic>>,
    /// Profiles of pieces' headings, for those asked: an article's title is compared with
    /// each of its later headings.
    pub(super) heads: Vec<OnceCell<Topic>>,
    /// The last clause label of each piece, found on first use: every later
    /// piece that might continue or resume it compares its numbering.
    pub(super) last_labels: Vec<OnceCell<Option<clause::Label>>>,
    /// Scored continuations of each dangling piece (see [`super::link::start_candidates`]).
    pub(super) candidates: Vec<OnceCell<Vec<Candidate>>>,
}

/// A later piece that may continue a dangling piece: its index, the evidence part by part, the
/// numbering's agreement ([`numbering_agreement`]) and their hand-set sum.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    pub(super) c: usize,
    /// The paragraph of `c` that would continue the sentence (a caption may come first), by
    /// its line and its length in characters.
    pub(super) first_line: usize,
    pub(super) first_chars: usize,
    pub(super) parts: Continuation,
    pub(super) numbering: f32,
    /// [`Continuation::hand_score`] plus `numbering`.
    pub(super) score: f32,
}

/// How much text next to a break is profiled when judging a continuation:
/// enough to carry the topic, bounded so that long pieces cost no more.
pub(super) const NEAR_BREAK: usize = 600;

/// How much of an article, back from where it has got to, profiles what it is about
/// ([`Evidence::article_topic`]); bounded so that a page of many headings stays linear.
pub(super) const ARTICLE_REACH: usize = 2400;

impl<'a> Evidence<'a> {
    /// `by_block`: `idf` was counted by the line pass, over blocks that keep their place.
    pub(super) fn new(pieces: &'a [Piece], idf: Option<Idf>, by_block: bool) -> Self {
        let cells = || (0..pieces.len()).map(|_| OnceCell::new()).collect();
        let mut first = Vec::with_capacity(pieces.len());
        let mut at = 0;
        for p in pieces {
            first.push(at);
            at += p.head.len() + p.body.len();
        }
        let order = (by_block && idf.is_some())
            .then(|| pieces.iter().flat_map(|p| p.head.iter().chain(&p.body)).map(|b| b.text_index).collect());
        let idf = idf.map_or_else(OnceCell::new, OnceCell::from);
        let candidates = (0..pieces.len()).map(|_| OnceCell::new()).collect();
        Evidence {
            pieces,
            first,
            idf,
            order,
            openings: cells(),
            endings: cells(),
            wholes: cells(),
            heads: cells(),
            last_labels: (0..pieces.len()).map(|_| OnceCell::new()).collect(),
            candidates,
        }
    }

    /// Counting-order indices of piece `i`'s texts (head, then body).
    pub(super) fn texts(&self, i: usize) -> std::ops::Range<usize> {
        let p = &self.pieces[i];
        self.first[i]..self.first[i] + p.head.len() + p.body.len()
    }

    /// Counting-order index of block `k` of piece `i`'s body.
    pub(super) fn body_text(&self, i: usize, k: usize) -> usize {
        self.first[i] + self.pieces[i].head.len() + k
    }

    /// How many leading `texts` make up about [`NEAR_BREAK`] characters.
    pub(super) fn reach(&self, texts: impl Iterator<Item = usize>) -> usize {
        self.reach_chars(texts, NEAR_BREAK)
    }

    /// How many leading `texts` make up about `chars` characters.
    fn reach_chars(&self, texts: impl Iterator<Item = usize>, chars: usize) -> usize {
        let mut taken = 0;
        texts
            .take_while(|&t| {
                let more = taken < chars;
                taken += self.chars_of(t);
                more
            })
            .count()
    }

    /// The profile of the first paragraphs of piece `i`.
    pub(super) fn opening(&self, i: usize) -> &Topic {
        let n = self.reach(self.texts(i));
        if n == self.texts(i).len() {
            return self.whole(i);
        }
        self.openings[i].get_or_init(|| self.topic_of(self.texts(i).take(n)))
    }

    /// The profile of piece `i`'s heading lines.
    pub(super) fn head(&self, i: usize) -> &Topic {
        self.heads[i].get_or_init(|| self.topic_of(self.first[i]..self.first[i] + self.pieces[i].head.len()))
    }

    /// The profile of the last paragraphs of piece `i`.
    pub(super) fn ending(&self, i: usize) -> &Topic {
        let n = self.reach(self.texts(i).rev());
        if n == self.texts(i).len() {
            return self.whole(i);
        }
        self.endings[i].get_or_init(|| self.topic_of(self.texts(i).rev().take(n)))
    }

    /// The last numbered clause label in piece `i`.
    pub(super) fn last_label(&self, i: usize) -> Option<&clause::Label> {
        self.last_labels[i].get_or_init(|| self.pieces[i].last_label()).as_ref()
    }

    /// The profile of all of piece `i`: its opening and its ending when the
    /// piece is short, as most are. (A profile adds up counts, so the order
    /// the texts are read in does not change it.)
    pub(super) fn whole(&self, i: usize) -> &Topic {
        self.wholes[i].get_or_init(|| self.topic_of(self.texts(i)))
    }

    /// The profile of the last paragraphs of an article made of `pieces`,
    /// reaching back across pieces when the last one is short.
    pub(super) fn article_ending(&self, pieces: &[usize]) -> Cow<'_, Topic> {
        let texts = || pieces.iter().rev().flat_map(|&p| self.texts(p).rev());
        let n = self.reach(texts());
        // Within the last piece, this is that piece's ending, already known
        // or worth keeping: the same piece is judged again and again.
        match pieces.last() {
            Some(&last) if n <= self.texts(last).len() => Cow::Borrowed(self.ending(last)),
            _ => Cow::Owned(self.topic_of(texts().take(n))),
        }
    }

    /// The place of counting-order text `k` in `idf`.
    fn counted(&self, k: usize) -> usize {
        self.order.as_ref().map_or(k, |o| o.get(k).map_or(usize::MAX, |&i| i as usize))
    }

    /// The profile of the article made of `pieces`, its last [`ARTICLE_REACH`] characters: what
    /// the article is about, which a sub-heading's section goes on with and a new title leaves
    /// (on generated pages this tells them apart better than the article's last paragraphs do).
    pub(super) fn article_topic(&self, pieces: &[usize]) -> Topic {
        let texts = || pieces.iter().rev().flat_map(|&p| self.texts(p).rev());
        self.topic_of(texts().take(self.reach_chars(texts(), ARTICLE_REACH)))
    }

    /// The profile of counting-order texts.
    pub(super) fn topic_of(&self, texts: impl Iterator<Item = usize>) -> Topic {
        self.idf().topic_of(texts.map(|k| self.counted(k)))
    }

    /// The characters of counting-order text `k`.
    pub(super) fn chars_of(&self, k: usize) -> usize {
        self.idf().chars_of(self.counted(k))
    }

    pub(super) fn idf(&self) -> &Idf {
        self.idf.get_or_init(|| Idf::new(self.pieces.iter().flat_map(piece_texts)))
    }
}

/// The evidence that `first` (opening piece `cp`) continues the sentence `open` breaks off,
/// part by part: [`Continuation::hand_score`] weighs the parts by hand, the fitted `link`
/// decision ([`super::link::link`]) weighs them with the rest of what it knows.
#[derive(Debug, Clone, Copy, Default)]
#[expect(clippy::struct_excessive_bools, reason = "independent pieces of evidence, each present or not")]
pub(super) struct Continuation {
    /// A piece that opens without a title after a break has to belong somewhere.
    pub(super) headless_after_break: bool,
    /// The topic of the text either side ([`super::link::score_candidates`]) and its confidence.
    pub(super) similarity: f32,
    pub(super) confidence: f32,
    /// Evidence that `first` opens mid-sentence ([`Block::mid_start`]).
    pub(super) mid_start: f32,
    /// The two halves of a broken word occur whole elsewhere in the source.
    pub(super) broken_word: bool,
    /// A quotation left open is closed by the continuation.
    pub(super) quote_closed: bool,
    /// `first` opens a numbered clause, a sentence of its own.
    pub(super) opens_clause: bool,
    /// A sentence broken at a comma goes on with a conjunction.
    pub(super) comma_conjunction: bool,
    /// The tail of a broken word (`力。`) after a finished clause, which needs the head of that
    /// word before it.
    pub(super) word_tail_after_stop: bool,
    /// A bracketed note line (a statute's adoption note, a credit), which stands alone.
    pub(super) bracket_note: bool,
}

impl Continuation {
    /// `quote_open` when `open` opens more quotations than it closes, `topics` the similarity
    /// of the text either side and its confidence.
    pub(super) fn of(
        open: &Block,
        quote_open: bool,
        first: &Block,
        cp: &Piece,
        (similarity, confidence): (f32, f32),
        idf: &Idf,
    ) -> Self {
        Continuation {
            headless_after_break: cp.head.is_empty()
                && matches!(cp.start, Start::MidSentence | Start::Page | Start::Closed),
            similarity,
            confidence,
            mid_start: first.mid_start(),
            broken_word: matches!(
                (open.text.chars().next_back(), first.text.chars().next()),
                (Some(a), Some(b)) if is_han(a) && is_han(b) && idf.contains(a, b)
            ),
            // Searched only when a quotation is open, as it rarely is (this runs for every pair).
            quote_closed: quote_open
                && first.text.find(['”', '」']).is_some_and(|c| first.text.find(['“', '「']).is_none_or(|o| c < o)),
            opens_clause: clause::detect(&first.text).is_some(),
            comma_conjunction: open.text.ends_with(['，', ',', '、', '；', ';'])
                && starts_with_conjunction(&first.text),
            // (After `、` a short list item is normal: 汽车、船舶.)
            word_tail_after_stop: open.text.ends_with(['，', ',', '；', ';', '。', '：', ':', '！', '？'])
                && word_tail(&first.text),
            bracket_note: first.text.starts_with(['(', '（']) && first.text.ends_with([')', '）']),
        }
    }

    /// The hand-set sum of the parts: the evidence the link search starts from and that the
    /// searches for hidden continuations and resumptions compare with
    /// [`super::link::CONVINCING_START`].
    pub(super) fn hand_score(&self) -> f32 {
        let on = |v: bool, w: f32| if v { w } else { 0.0 };
        let mut score = 0.0;
        score += on(self.headless_after_break, 0.15);
        score += 2.0 * self.similarity * self.confidence;
        score += 0.5 * self.mid_start;
        score += on(self.broken_word, 0.4);
        score += on(self.quote_closed, 0.8);
        score -= on(self.opens_clause, 0.3);
        score += on(self.comma_conjunction, 0.4);
        score -= on(self.word_tail_after_stop, 0.6);
        score -= on(self.bracket_note, 0.5);
        score
    }
}

/// A paragraph that opens with a single character and then punctuation, or
/// two and a full stop: the end of a word broken across a page (`力。`).
pub(super) fn word_tail(s: &str) -> bool {
    let lead = s.chars().take_while(|c| is_han(*c)).count();
    // A closing quote may come between the word and its punctuation: 路”。
    let after = s.chars().skip(lead).find(|c| !matches!(c, '”' | '’' | '」' | '』' | '》'));
    let quoted = s.chars().nth(lead).is_some_and(|c| matches!(c, '”' | '’' | '」' | '』' | '》'));
    match (lead, after) {
        (1, Some(p)) => matches!(p, '。' | '，' | ',' | '、' | '；') || quoted,
        (2, Some(p)) => p == '。',
        _ => false,
    }
}

/// Words that join a clause to the one before it: conjunctions (并 "and
/// also", 而 "while", 但 "but", 且, 并且, 而且, 以及, 从而, 进而 "thereby")
/// and adverbs that need a subject before them (也 "also", 还, 又, 却, 更).
pub(super) fn starts_with_conjunction(s: &str) -> bool {
    [
        "并且", "而且", "以及", "从而", "進而", "进而", "並且", "反而", "並", "并", "而", "但", "且", "也", "还", "還",
        "又", "却", "卻", "更",
    ]
    .iter()
    .any(|c| s.starts_with(c))
}

/// Evidence from numbering that a piece whose first clause label is `next`
/// continues text whose last label is `prev`: `next` continues `prev` in the
/// same style (三、 after 二、), or contradicts it (a list restarting, or
/// jumping). The labels are found by the callers, once for all the pairs
/// they compare.
pub(super) fn numbering_agreement(prev: Option<&clause::Label>, next: Option<&clause::Label>) -> f32 {
    let Some(next) = next else { return 0.0 };
    match prev {
        Some(prev) if same_list(prev.style, next.style) => {
            if next.number == prev.number + 1 {
                0.6
            } else {
                -0.3
            }
        }
        // A list that starts past one continues some earlier list.
        _ if next.number > 1 => -0.2,
        _ => 0.0,
    }
}

/// Whether two label styles number the same list: section numerals alone on
/// a line and `一、` labels number the same sections.
pub(super) fn same_list(a: clause::ClauseStyle, b: clause::ClauseStyle) -> bool {
    use clause::ClauseStyle::{Enumerated, Section};
    a == b || matches!((a, b), (Section, Enumerated) | (Enumerated, Section))
}

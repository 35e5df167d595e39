//! Two versions side by side: units (clauses) matched, paragraphs aligned, characters diffed.

use std::ops::Range;

use similar::{Algorithm, DiffOp, capture_diff_slices};

use super::normal_form;
use crate::corpus::{Article, Corpus};
use crate::search::Folder;

/// The comparison of article `a` (left) with article `b` (right).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub a: usize,
    pub b: usize,
    pub units: Vec<Unit>,
}

/// A clause (or the text before the first clause, or a whole article without clauses).
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The clause label as the left version writes it (else the right's); `None` before the
    /// first clause and in articles without clauses.
    pub label: Option<String>,
    pub pairs: Vec<Pair>,
    /// The unit is in another place in the right version (shown at its place on the left).
    pub moved: bool,
}

/// Aligned paragraphs: both present (and maybe different), or only one (added or missing).
/// Usually one paragraph a side; two when one version splits what the other keeps as one.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub left: Option<Range<usize>>,
    pub right: Option<Range<usize>>,
    /// What differs, when both are present.
    pub changes: Vec<Change>,
}

/// The text of paragraphs `range` of `article`, joined by line breaks: what a [`Change`]'s
/// byte ranges refer to.
pub fn pair_text(article: &Article, range: &Range<usize>) -> String {
    let parts: Vec<&str> = article.paragraphs[range.clone()].iter().map(|p| p.text.as_str()).collect();
    parts.join("\n")
}

/// One difference: byte ranges of the left and right [`pair_text`]s (one may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub left: Range<usize>,
    pub right: Range<usize>,
}

impl Pair {
    /// True when the paragraph is in one version only, or differs.
    pub fn differs(&self) -> bool {
        self.left.is_none() || self.right.is_none() || !self.changes.is_empty()
    }
}

impl Comparison {
    /// Every pair that differs, as (unit, pair) indices, in order.
    pub fn differences(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (u, unit) in self.units.iter().enumerate() {
            for (p, pair) in unit.pairs.iter().enumerate() {
                if pair.differs() {
                    out.push((u, p));
                }
            }
        }
        out
    }
}

/// The top-level clauses that keep their sequence: `(number, paragraph, label)`.
fn clauses(a: &Article) -> Vec<(u32, usize, String)> {
    let level = a.clauses.iter().filter(|c| c.in_sequence).map(|c| c.level).min();
    a.clauses
        .iter()
        .filter(|c| c.in_sequence && Some(c.level) == level)
        .map(|c| (c.number, c.paragraph, c.label.clone()))
        .collect()
}

/// Units of an article: `(clause number or None, paragraphs, label)`.
fn units(a: &Article, by_clause: bool) -> Vec<(Option<u32>, Range<usize>, Option<String>)> {
    let n = a.paragraphs.len();
    if !by_clause {
        return vec![(None, 0..n, None)];
    }
    let cs = clauses(a);
    let mut out = Vec::new();
    let first = cs.first().map_or(n, |c| c.1);
    out.push((None, 0..first, None));
    for (i, (number, start, label)) in cs.iter().enumerate() {
        let end = cs.get(i + 1).map_or(n, |c| c.1);
        out.push((Some(*number), *start..end.max(*start), Some(label.clone())));
    }
    out
}

/// Compares article `a` with article `b` of `corpus`.
pub fn compare(corpus: &Corpus, a: usize, b: usize, folder: &Folder) -> Option<Comparison> {
    let (left, right) = (corpus.articles.get(a)?, corpus.articles.get(b)?);
    let by_clause = clauses(left).len() >= 2 && clauses(right).len() >= 2;
    let (lu, ru) = (units(left, by_clause), units(right, by_clause));
    // Units are matched by what they say, not by their numbers: inserting a clause renumbers
    // the ones after it. An order-keeping alignment first, then units left over on both sides
    // that are alike are paired as moved.
    let grams = |a: &Article, r: &Range<usize>| bigrams(&normal_form(&pair_text(a, r), folder).0);
    let (lg, rg): (Vec<_>, Vec<_>) =
        (lu.iter().map(|u| grams(left, &u.1)).collect(), ru.iter().map(|u| grams(right, &u.1)).collect());
    let sim = |i: usize, j: usize| {
        // The text before the first clause pairs with its counterpart whatever it says.
        if lu[i].0.is_none() && ru[j].0.is_none() && by_clause { 1.0 } else { dice(&lg[i], &rg[j]) }
    };
    let steps = order_keeping(lu.len(), ru.len(), |i, j| Some(sim(i, j)).filter(|&s| s >= MIN_SIMILARITY));
    let mut matched_right = vec![false; ru.len()];
    let mut matched_left = vec![None; lu.len()];
    for &(i, j) in &steps {
        matched_left[i] = Some(j);
        matched_right[j] = true;
    }
    // Moved: a left unit with no partner, and the most alike right unit with none.
    let mut moved = vec![false; lu.len()];
    for i in 0..lu.len() {
        if matched_left[i].is_some() {
            continue;
        }
        let best =
            (0..ru.len()).filter(|&j| !matched_right[j]).map(|j| (j, sim(i, j))).max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((j, s)) = best
            && s >= 0.5
        {
            matched_left[i] = Some(j);
            matched_right[j] = true;
            moved[i] = true;
        }
    }
    let mut out = Vec::new();
    let mut r_next = 0;
    let unit = |i: usize, j: usize, moved: bool| Unit {
        label: lu[i].2.clone().or_else(|| ru[j].2.clone()),
        pairs: align(left, right, lu[i].1.clone(), ru[j].1.clone(), folder),
        moved,
    };
    for i in 0..lu.len() {
        match matched_left[i] {
            Some(j) if !moved[i] => {
                // Units only the right version has, before this one.
                for (k, (_, rp, rl)) in ru.iter().enumerate().take(j).skip(r_next) {
                    if !steps.iter().any(|&(_, x)| x == k) && !matched_by_move(&matched_left, &moved, k) {
                        out.push(Unit { label: rl.clone(), pairs: only(Side::Right, rp.clone()), moved: false });
                    }
                }
                out.push(unit(i, j, false));
                r_next = r_next.max(j + 1);
            }
            Some(j) => out.push(unit(i, j, true)),
            None => out.push(Unit { label: lu[i].2.clone(), pairs: only(Side::Left, lu[i].1.clone()), moved: false }),
        }
    }
    for (k, (_, rp, rl)) in ru.iter().enumerate().skip(r_next) {
        if !matched_by_move(&matched_left, &moved, k) && !steps.iter().any(|&(_, x)| x == k) {
            out.push(Unit { label: rl.clone(), pairs: only(Side::Right, rp.clone()), moved: false });
        }
    }
    out.retain(|u| !u.pairs.is_empty());
    Some(Comparison { a, b, units: out })
}

fn matched_by_move(matched_left: &[Option<usize>], moved: &[bool], right: usize) -> bool {
    matched_left.iter().zip(moved).any(|(m, &mv)| mv && *m == Some(right))
}

/// The order-keeping one-to-one pairing of `n` left and `m` right items with the greatest total
/// of `sim` (where it is `Some`): `(left, right)` pairs in order.
fn order_keeping(n: usize, m: usize, sim: impl Fn(usize, usize) -> Option<f32>) -> Vec<(usize, usize)> {
    let mut best = vec![vec![0f32; m + 1]; n + 1];
    let mut take = vec![vec![0u8; m + 1]; n + 1];
    for i in 1..=n {
        for j in 1..=m {
            let (mut top, mut how) = (best[i - 1][j], 1u8);
            if best[i][j - 1] > top {
                (top, how) = (best[i][j - 1], 2);
            }
            if let Some(s) = sim(i - 1, j - 1)
                && best[i - 1][j - 1] + s > top
            {
                (top, how) = (best[i - 1][j - 1] + s, 0);
            }
            best[i][j] = top;
            take[i][j] = how;
        }
    }
    let (mut i, mut j, mut out) = (n, m, Vec::new());
    while i > 0 && j > 0 {
        match take[i][j] {
            0 => {
                out.push((i - 1, j - 1));
                i -= 1;
                j -= 1;
            }
            1 => i -= 1,
            _ => j -= 1,
        }
    }
    out.reverse();
    out
}

/// Which version a paragraph is in.
#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
}

/// Pairs for paragraphs in one version only.
fn only(side: Side, paragraphs: Range<usize>) -> Vec<Pair> {
    paragraphs
        .map(|p| match side {
            Side::Left => Pair { left: Some(p..p + 1), right: None, changes: Vec::new() },
            Side::Right => Pair { left: None, right: Some(p..p + 1), changes: Vec::new() },
        })
        .collect()
}

/// Character bigrams of a normal form, sorted, for similarity.
fn bigrams(chars: &[char]) -> Vec<(char, char)> {
    let mut v: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Dice similarity of two sorted bigram sets.
fn dice(x: &[(char, char)], y: &[(char, char)]) -> f32 {
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f32 / (x.len() + y.len()) as f32
}

/// Paragraphs this similar or more may be aligned as versions of each other.
const MIN_SIMILARITY: f32 = 0.3;

/// The pairings [`align`] tries: one paragraph with one, one with two, two with one.
const STEPS: [(usize, usize); 3] = [(1, 1), (1, 2), (2, 1)];

/// A merged pair must beat the best single pair by this much, so splits are not invented.
const MERGE_GAIN: f32 = 0.05;

/// Aligns paragraphs `lp` of `left` with `rp` of `right`: the order-keeping pairing with the
/// greatest total similarity (dynamic programming over one-to-one pairs, and one-to-two pairs
/// where a version splits a paragraph), then a character diff of each pair.
fn align(left: &Article, right: &Article, lp: Range<usize>, rp: Range<usize>, folder: &Folder) -> Vec<Pair> {
    let (lefts, rights) = (lp.len(), rp.len());
    let grams = |a: &Article, r: Range<usize>| -> Vec<Vec<(char, char)>> {
        r.map(|p| bigrams(&normal_form(&a.paragraphs[p].text, folder).0)).collect()
    };
    let (lb, rb) = (grams(left, lp.clone()), grams(right, rp.clone()));
    let joined = |a: &Article, r: Range<usize>| bigrams(&normal_form(&pair_text(a, &r), folder).0);
    // Similarity of left paragraphs (i - di)..i with right (j - dj)..j, 1-based ends.
    let score = |i: usize, j: usize, di: usize, dj: usize| -> Option<f32> {
        if i < di || j < dj {
            return None;
        }
        let s = match (di, dj) {
            (1, 1) => dice(&lb[i - 1], &rb[j - 1]),
            (1, 2) => {
                let merged = dice(&lb[i - 1], &joined(right, rp.start + j - 2..rp.start + j));
                let single = dice(&lb[i - 1], &rb[j - 1]).max(dice(&lb[i - 1], &rb[j - 2]));
                if merged < single + MERGE_GAIN {
                    return None;
                }
                merged
            }
            (2, 1) => {
                let merged = dice(&joined(left, lp.start + i - 2..lp.start + i), &rb[j - 1]);
                let single = dice(&lb[i - 1], &rb[j - 1]).max(dice(&lb[i - 2], &rb[j - 1]));
                if merged < single + MERGE_GAIN {
                    return None;
                }
                merged
            }
            _ => return None,
        };
        (s >= MIN_SIMILARITY).then_some(s)
    };
    // best[i][j]: best total similarity aligning the first i left and first j right paragraphs;
    // how[i][j]: the step that got there (0..3 a pair, 3 skip left, 4 skip right).
    let mut best = vec![vec![0f32; rights + 1]; lefts + 1];
    let mut how = vec![vec![4u8; rights + 1]; lefts + 1];
    for i in 0..=lefts {
        for j in 0..=rights {
            if i == 0 && j == 0 {
                continue;
            }
            let mut top = (f32::MIN, 4u8);
            if i > 0 && best[i - 1][j] > top.0 {
                top = (best[i - 1][j], 3);
            }
            if j > 0 && best[i][j - 1] > top.0 {
                top = (best[i][j - 1], 4);
            }
            // Only next to paragraphs that could pair at all: the merges cost a join each.
            if i > 0
                && j > 0
                && dice(&lb[i - 1], &rb[j - 1])
                    .max(if j > 1 { dice(&lb[i - 1], &rb[j - 2]) } else { 0.0 })
                    .max(if i > 1 { dice(&lb[i - 2], &rb[j - 1]) } else { 0.0 })
                    >= MIN_SIMILARITY / 2.0
            {
                for (step, &(di, dj)) in STEPS.iter().enumerate() {
                    if let Some(s) = score(i, j, di, dj) {
                        let total = best[i - di][j - dj] + s;
                        if total > top.0 {
                            top = (total, step as u8);
                        }
                    }
                }
            }
            best[i][j] = top.0;
            how[i][j] = top.1;
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (lefts, rights);
    while i > 0 || j > 0 {
        match how[i][j] {
            step @ 0..=2 => {
                let (di, dj) = STEPS[step as usize];
                let l = lp.start + i - di..lp.start + i;
                let r = rp.start + j - dj..rp.start + j;
                let changes =
                    diff(&normal_form(&pair_text(left, &l), folder), &normal_form(&pair_text(right, &r), folder));
                pairs.push(Pair { left: Some(l), right: Some(r), changes });
                i -= di;
                j -= dj;
            }
            3 => {
                pairs.push(Pair { left: Some(lp.start + i - 1..lp.start + i), right: None, changes: Vec::new() });
                i -= 1;
            }
            _ => {
                pairs.push(Pair { left: None, right: Some(rp.start + j - 1..rp.start + j), changes: Vec::new() });
                j -= 1;
            }
        }
    }
    pairs.reverse();
    pairs
}

/// Character differences of two normal forms, as byte ranges of the texts they came from.
fn diff(left: &(Vec<char>, Vec<Range<usize>>), right: &(Vec<char>, Vec<Range<usize>>)) -> Vec<Change> {
    let span = |ranges: &[Range<usize>], at: usize, len: usize| -> Range<usize> {
        if len == 0 {
            let p = ranges.get(at).map_or_else(|| ranges.last().map_or(0, |r| r.end), |r| r.start);
            return p..p;
        }
        ranges[at].start..ranges[at + len - 1].end
    };
    let mut out: Vec<Change> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &left.0, &right.0) {
        let (l, r) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete { old_index, old_len, new_index } => {
                (span(&left.1, old_index, old_len), span(&right.1, new_index, 0))
            }
            DiffOp::Insert { old_index, new_index, new_len } => {
                (span(&left.1, old_index, 0), span(&right.1, new_index, new_len))
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                (span(&left.1, old_index, old_len), span(&right.1, new_index, new_len))
            }
        };
        // A deletion next to an insertion is one change.
        match out.last_mut() {
            Some(last) if last.left.end == l.start && last.right.end == r.start => {
                last.left.end = l.end;
                last.right.end = r.end;
            }
            _ => out.push(Change { left: l, right: r }),
        }
    }
    out
}

//! Pass 3: each piece that stops mid-sentence paired with the piece that continues it.

use std::collections::HashMap;

use super::evidence::{Evidence, LINK_WINDOW, continuation_score, numbering_agreement, starts_with_conjunction};
use super::model::Decision;
use super::pieces::{Piece, Start};
use super::{Block, Kind};
use crate::corpus::clean::is_han;
use crate::union_find::UnionFind;

/// Pass 3: for each piece that stops mid-sentence, the later piece that continues it. Every
/// pair weighed is recorded in `explain` when it is given.
pub(super) fn link(ev: &Evidence, explain: Option<&mut Vec<Decision>>) -> Vec<Option<usize>> {
    let n = ev.pieces.len();
    let mut edges: Vec<Edge> = Vec::new();
    let mut weighed: Vec<(usize, usize, f32, f32, f32)> = Vec::new();
    for d in 0..n {
        let threshold = if ev.pieces[d].body.last().is_some_and(|b| ends_mid_clause(&b.text)) { 0.35 } else { 0.5 };
        for &(base, c) in start_candidates(ev, d) {
            let bonus = adjacency_bonus(&ev.pieces[c]);
            if explain.is_some() {
                weighed.push((d, c, base, bonus, threshold));
            }
            // Optimistic: the pieces between may turn out to belong elsewhere.
            if base + bonus >= threshold {
                edges.push(Edge { base, bonus, d, c, threshold });
            }
        }
    }
    let next = best_matching(n, &edges);
    if let Some(out) = explain {
        for (d, c, base, bonus, threshold) in weighed {
            let similarity = ev.ending(d).similarity(ev.opening(c));
            out.push(Decision::weighed(
                "link",
                ev.pieces[c].line(),
                piece_opening(&ev.pieces[c]),
                &[
                    ("from_line", ev.pieces[d].line() as f32),
                    ("evidence", base),
                    ("adjacency_bonus", bonus),
                    ("similarity", similarity),
                ],
                &[("apart", threshold), ("linked", base + bonus)],
                if next[d] == Some(c) { "linked" } else { "apart" },
            ));
        }
    }
    next
}

/// The first line of a piece, to name it in a record ([`Decision::weighed`] quotes its start).
pub(super) fn piece_opening(p: &Piece) -> &str {
    p.head.first().or(p.body.first()).map_or("", |b| b.text.as_str())
}

/// A possible link from dangling piece `d` to piece `c`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Edge {
    /// Evidence apart from adjacency.
    pub(super) base: f32,
    /// Added when `c` follows `d` directly, or once every piece between them
    /// is known to continue some other article: two articles interrupting
    /// each other meet again around the pieces that belong elsewhere.
    pub(super) bonus: f32,
    pub(super) d: usize,
    pub(super) c: usize,
    /// The least total evidence for the link.
    pub(super) threshold: f32,
}

impl Edge {
    pub(super) fn value(&self, claimed: impl Fn(usize) -> bool) -> f32 {
        let adjacent = (self.d + 1..self.c).all(claimed);
        self.base + if adjacent { self.bonus } else { 0.0 }
    }
}

/// The adjacency evidence a piece can get: strong for a headless piece cut
/// only because the one before stopped mid-sentence, weaker after a heading.
pub(super) fn adjacency_bonus(cp: &Piece) -> f32 {
    if cp.head.is_empty() && cp.start == Start::Open { 0.8 } else { 0.3 }
}

/// A paragraph that stops on a word that cannot end a clause (也, 和, 的, 在,
/// 为 …): the sentence certainly goes on somewhere.
pub(super) fn ends_mid_clause(text: &str) -> bool {
    text.ends_with([
        '也', '和', '與', '与', '及', '或', '的', '在', '對', '对', '為', '为', '把', '被', '將', '将', '從', '从',
        '向', '以', '並', '并', '而', '是',
    ])
}

/// Scores every later piece (within the window) that could continue dangling piece `d`.
pub(super) fn start_candidates<'e>(ev: &'e Evidence, d: usize) -> &'e [(f32, usize)] {
    ev.candidates[d].get_or_init(|| score_candidates(ev, d))
}

pub(super) fn score_candidates(ev: &Evidence, d: usize) -> Vec<(f32, usize)> {
    let pieces = ev.pieces;
    let dp = &pieces[d];
    let Some(open) = dp.body.last().filter(|_| dp.is_dangling()) else {
        return Vec::new();
    };
    // Found and counted once here, not for each candidate.
    let prev_label = ev.last_label(d);
    let quote_open = open.text.matches(['“', '「']).count() > open.text.matches(['”', '」']).count();
    let starts: Vec<(usize, &Block)> = (d + 1..pieces.len().min(d + 1 + LINK_WINDOW))
        .filter_map(|c| {
            let cp = &pieces[c];
            if matches!(cp.start, Start::Teaser | Start::JumpFrom | Start::Dateline | Start::File) {
                return None;
            }
            // A photo caption may sit between the two halves of a sentence.
            let first = cp.body.iter().find(|b| b.kind != Kind::Caption).filter(|b| b.kind == Kind::Body)?;
            Some((c, first))
        })
        .collect();
    if starts.is_empty() {
        return Vec::new();
    }
    let ending = ev.ending(d);
    ev.idf().spread(ending, |spread| {
        starts
            .iter()
            .map(|&(c, first)| {
                let cp = &pieces[c];
                let opening = ev.opening(c);
                let topics = (spread.similarity(opening), ending.confidence(opening));
                let mut score = continuation_score(open, quote_open, first, cp, topics, ev.idf());
                // The rest of a broken sentence comes first; a label right after it counts.
                score += numbering_agreement(prev_label, cp.first_label(2).as_ref());
                (score, c)
            })
            .collect()
    })
}

pub(super) fn best_start_score(ev: &Evidence, d: usize) -> f32 {
    start_candidates(ev, d)
        .iter()
        .map(|&(s, c)| if c == d + 1 { s + adjacency_bonus(&ev.pieces[c]) } else { s })
        .fold(0.0, f32::max)
}

/// Pairs dangling pieces with continuations so that the total evidence is
/// largest: a greedy start, then swaps while they help. A piece that looks like
/// a continuation of two breaks goes to the one whose topic it shares.
pub(super) fn best_matching(n: usize, edges: &[Edge]) -> Vec<Option<usize>> {
    let mut next: Vec<Option<usize>> = vec![None; n];
    let mut owner: Vec<Option<usize>> = vec![None; n];
    // Greedy first, on physical adjacency; exact where it matters, per
    // connected group below.
    let mut order: Vec<&Edge> = edges.iter().collect();
    let physical = |e: &Edge| e.value(|_| false);
    order.sort_by(|a, b| physical(b).total_cmp(&physical(a)).then(a.d.cmp(&b.d)));
    for e in order {
        if physical(e) >= e.threshold && next[e.d].is_none() && owner[e.c].is_none() {
            next[e.d] = Some(e.c);
            owner[e.c] = Some(e.d);
        }
    }
    // Groups of dangling pieces that compete for the same continuations.
    let mut group = UnionFind::new(n);
    for e in edges {
        group.union(e.d, e.c);
    }
    let mut claimed = vec![0u64; n.div_ceil(64)];
    let mut by_group: HashMap<usize, Vec<Edge>> = HashMap::new();
    for e in edges {
        let g = group.find(e.d);
        by_group.entry(g).or_default().push(*e);
    }
    for group_edges in by_group.values() {
        let mut ds: Vec<usize> = group_edges.iter().map(|e| e.d).collect();
        ds.sort_unstable();
        ds.dedup();
        if ds.len() > 8 {
            continue; // too large to search: greedy stands
        }
        let options: Vec<Vec<Edge>> =
            ds.iter().map(|&d| group_edges.iter().filter(|e| e.d == d).copied().collect()).collect();
        let mut best = (f32::MIN, Vec::new());
        let mut chosen = Vec::with_capacity(ds.len());
        claimed.fill(0);
        search(&options, &reach(&options), &mut chosen, &mut claimed, &mut best, &mut 0, 0.0);
        for (i, &d) in ds.iter().enumerate() {
            if let Some(c0) = next[d].take() {
                owner[c0] = None;
            }
            if let Some(Some(e)) = best.1.get(i) {
                next[d] = Some(e.c);
                owner[e.c] = Some(d);
            }
        }
    }
    next
}

/// Exhaustive search for the best assignment in one small group, with a
/// budget. An assignment's value depends on all of it (adjacency across the
/// pieces it gives to other articles), so it is scored whole at the leaves.
///
/// `claimed` is a bitset over pieces of the continuations in `chosen`, kept
/// alongside it so that the tests in this innermost loop are bit lookups
/// rather than passes over the choices.
///
/// Branch and bound: `most` is the most the links in `chosen` can be worth and `reach[i]`
/// the most the choices for `options[i..]` can add; only a strictly larger total replaces
/// the best, so a subtree that cannot reach past it (by more than rounding) is passed over,
/// and the search finds what the full search finds, in fewer steps.
pub(super) fn search(
    options: &[Vec<Edge>],
    reach: &[f32],
    chosen: &mut Vec<Option<Edge>>,
    claimed: &mut [u64],
    best: &mut (f32, Vec<Option<Edge>>),
    budget: &mut usize,
    most: f32,
) {
    *budget += 1;
    if *budget > 100_000 {
        return;
    }
    let i = chosen.len();
    if most + reach.get(i).copied().unwrap_or(0.0) + BOUND_SLACK < best.0 {
        return;
    }
    if i == options.len() {
        let mut total = 0.0;
        for e in chosen.iter().flatten() {
            let v = e.value(|p| is_claimed(claimed, p));
            if v < e.threshold {
                return; // a link without enough evidence is no link
            }
            total += v;
        }
        if total > best.0 {
            *best = (total, chosen.clone());
        }
        return;
    }
    chosen.push(None);
    search(options, reach, chosen, claimed, best, budget, most);
    chosen.pop();
    for e in &options[i] {
        if is_claimed(claimed, e.c) {
            continue;
        }
        claimed[e.c / 64] |= 1 << (e.c % 64);
        chosen.push(Some(*e));
        search(options, reach, chosen, claimed, best, budget, most + e.base + e.bonus);
        chosen.pop();
        claimed[e.c / 64] &= !(1 << (e.c % 64));
    }
}

/// The most the choices for `options[i..]` can add, for each `i` (each link at its full
/// value, or none): the bound [`search`] passes over assignments with.
pub(super) fn reach(options: &[Vec<Edge>]) -> Vec<f32> {
    let mut reach = vec![0.0f32; options.len() + 1];
    for i in (0..options.len()).rev() {
        reach[i] = reach[i + 1] + options[i].iter().map(|e| e.base + e.bonus).fold(0.0f32, f32::max);
    }
    reach
}

/// Rounding slack when a subtree's bound is compared with the best total (totals are sums of
/// at most eight scores of a few units each).
pub(super) const BOUND_SLACK: f32 = 1e-3;

pub(super) fn is_claimed(claimed: &[u64], p: usize) -> bool {
    claimed.get(p / 64).is_some_and(|w| w & (1 << (p % 64)) != 0)
}

/// Finds continuations that hide inside a later piece: a break between two
/// complete sentences where the text after it reads like the dangling piece
/// and unlike the text before it. Returns (piece, paragraph) places to cut.
pub(super) fn hidden_continuations(ev: &Evidence, mut explain: Option<&mut Vec<Decision>>) -> Vec<(usize, usize)> {
    let pieces = ev.pieces;
    let mut cuts = Vec::new();
    for (d, dp) in pieces.iter().enumerate() {
        // Only where no piece start continues the sentence convincingly.
        if !dp.is_dangling() || best_start_score(ev, d) >= 0.6 {
            continue;
        }
        // Places worth judging, compared with the dangling piece's ending afterwards, all at
        // once.
        let mut trials: Vec<(usize, usize, f32)> = Vec::new();
        for (c, piece) in pieces.iter().enumerate().take(d + 1 + LINK_WINDOW).skip(d + 1) {
            let body = &piece.body;
            for k in 1..body.len() {
                // The rest of a broken sentence, after a finished one: it opens
                // with a conjunction or a word's tail. After a break inside a
                // word or clause (no punctuation) it may open any way, but then
                // it was appended after the piece's own text, so only the last
                // few paragraphs are looked at.
                let (prev, here) = (&body[k - 1], &body[k]);
                if here.kind != Kind::Body || prev.kind != Kind::Body || prev.is_open() {
                    continue;
                }
                let opening = here.mid_start();
                let broken_inside =
                    k + 4 >= body.len() && dp.body.last().is_some_and(|b| b.text.ends_with(|c: char| is_han(c)));
                if !broken_inside && !starts_with_conjunction(&here.text) && opening < 0.5 {
                    continue;
                }
                // Too little text on either side to judge: known before profiling it.
                let chars =
                    |texts: std::ops::Range<usize>| -> usize { texts.map(|i| ev.chars_of(ev.body_text(c, i))).sum() };
                if chars(k..body.len()) < 40 || chars(0..k) < 40 {
                    continue;
                }
                trials.push((c, k, opening));
            }
        }
        if trials.is_empty() {
            continue;
        }
        let idf = ev.idf();
        let mut weighed: Vec<(usize, usize, f32, f32)> = Vec::new();
        let best = idf.spread(ev.ending(d), |ending| {
            let mut best: Option<(f32, usize, usize)> = None;
            for &(c, k, opening) in &trials {
                // The profile after the place first: a rest that does not resemble the
                // dangling piece's ending cannot be its continuation, whatever comes before.
                let len = pieces[c].body.len();
                let tail = ev.topic_of((k..len).map(|i| ev.body_text(c, i)));
                let to_d = ending.similarity(&tail);
                if to_d < 0.12 {
                    if explain.is_some() {
                        weighed.push((c, k, to_d, f32::NEG_INFINITY));
                    }
                    continue;
                }
                let head = ev.topic_of((0..k).map(|i| ev.body_text(c, i)));
                let gain = to_d - idf.similarity(&tail, &head) + 0.2 * opening;
                if explain.is_some() {
                    weighed.push((c, k, to_d, gain));
                }
                if gain >= 0.1 && best.is_none_or(|b| gain > b.0) {
                    best = Some((gain, c, k));
                }
            }
            best
        });
        if let Some(out) = explain.as_deref_mut() {
            for (c, k, to_d, gain) in weighed {
                let block = &pieces[c].body[k];
                out.push(Decision::weighed(
                    "hidden_continuation",
                    block.line,
                    &block.text,
                    &[("from_line", dp.line() as f32), ("to_dangling", to_d)],
                    &[("kept", 0.1), ("cut", gain)],
                    if best.is_some_and(|b| b.1 == c && b.2 == k) { "cut" } else { "kept" },
                ));
            }
        }
        if let Some((_, c, k)) = best {
            cuts.push((c, k));
        }
    }
    cuts.sort_unstable();
    cuts.dedup_by_key(|c| c.0);
    cuts
}

/// Cuts pieces at the given (piece, paragraph) places.
pub(super) fn split_pieces(pieces: Vec<Piece>, cuts: &[(usize, usize)]) -> Vec<Piece> {
    let mut out = Vec::with_capacity(pieces.len() + cuts.len());
    for (i, mut p) in pieces.into_iter().enumerate() {
        if let Some(&(_, k)) = cuts.iter().find(|c| c.0 == i) {
            let mut tail = Piece::new(Start::MidSentence);
            tail.body = p.body.split_off(k);
            tail.closed = std::mem::take(&mut p.closed);
            tail.continues_on = p.continues_on.take();
            out.push(p);
            out.push(tail);
        } else {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Branch and bound finds the assignment the full search finds (unbounded `reach`):
        /// small groups of dangling pieces competing for continuations, with thresholds.
        #[test]
        fn bounded_search_finds_what_the_full_search_finds(
            raw in proptest::collection::vec(
                proptest::collection::vec((1usize..6, 0.0f32..1.5, prop::sample::select(vec![0.3f32, 0.8]), prop::sample::select(vec![0.35f32, 0.5])), 0..4),
                1..6,
            ),
        ) {
            let n = raw.len() + 8;
            let options: Vec<Vec<Edge>> = raw
                .iter()
                .enumerate()
                .map(|(d, es)| {
                    let mut seen = Vec::new();
                    es.iter()
                        .filter(|e| !seen.contains(&(d + e.0)) && { seen.push(d + e.0); true })
                        .map(|&(ahead, base, bonus, threshold)| Edge { base, bonus, d, c: d + ahead, threshold })
                        .collect()
                })
                .collect();
            let run = |reach: &[f32]| {
                let mut best = (f32::MIN, Vec::new());
                let mut claimed = vec![0u64; n.div_ceil(64)];
                search(&options, reach, &mut Vec::new(), &mut claimed, &mut best, &mut 0, 0.0);
                best.1.iter().map(|e| e.map(|e| (e.d, e.c))).collect::<Vec<_>>()
            };
            prop_assert_eq!(run(&reach(&options)), run(&vec![f32::INFINITY; options.len() + 1]));
        }
    }
}

//! Pass 3: each piece that stops mid-sentence paired with the piece that continues it.

use std::cell::OnceCell;
use std::collections::HashMap;

use super::classify::char_len;
use super::evidence::{Candidate, Continuation, Evidence, LINK_WINDOW, numbering_agreement, starts_with_conjunction};
use super::model::{Decision, LEAD_CUT, LINK, RESUME_CUT, flag, ln};
use super::pieces::{Piece, Start};
use super::roles::opens_with_time;
use super::{Block, Kind};
use crate::corpus::clean::is_han;
use crate::corpus::topic::Topic;
use crate::union_find::UnionFind;

/// Pass 3: for each piece that stops mid-sentence, the later piece that continues it. Each
/// pair is weighed by the fitted `link` decision (by the hand-set evidence until it is fitted)
/// and the pairs are matched so that the total evidence is largest ([`best_matching`]). Every
/// pair weighed is recorded in `explain` when it is given.
pub(super) fn link(ev: &Evidence, explain: Option<&mut Vec<Decision>>) -> Vec<Option<usize>> {
    let n = ev.pieces.len();
    let model = &*LINK;
    let mut edges: Vec<Edge> = Vec::new();
    let mut weighed: Vec<(usize, Candidate, [f32; LINK_FEATURES.len()], Edge)> = Vec::new();
    // Each candidate's rivals: every dangling piece it may continue, with the evidence and the
    // topic each has for it. (By piece, as the two tables below: a map cost a hash per look-up.)
    let mut claims: Vec<Vec<(usize, f32, f32)>> = vec![Vec::new(); n];
    for d in 0..n {
        for k in start_candidates(ev, d) {
            claims[k.c].push((d, k.score, k.parts.similarity));
        }
    }
    // Each candidate's opening against the endings of the pieces before it, nearest first, as far
    // back as a pair has asked: the pairs of one candidate share them.
    let mut before: Vec<Vec<f32>> = vec![Vec::new(); n];
    for d in 0..n {
        let Some(open) = ev.pieces[d].body.last() else { continue };
        let candidates = start_candidates(ev, d);
        for k in candidates {
            let c = k.c;
            let others = candidates.iter().filter(|o| o.c != c).map(|o| (o.score, o.parts.similarity));
            let rivals = claims[c].iter().filter(|r| r.0 != d).map(|r| (r.1, r.2));
            let topics = &mut before[c];
            for p in (d + 1..c - topics.len()).rev() {
                topics.push(ev.idf().similarity(ev.ending(p), ev.opening(c)));
            }
            let between = topics[..c - d - 1].iter().copied().fold(0.0, f32::max);
            let x = link_features(ev, d, open, k, Lead::over(k, others), Lead::over(k, rivals), between);
            let edge = if model.is_fitted() {
                // The link's evidence is the decision's margin, as if the pieces between belonged
                // elsewhere and as if they did not; an adjacency that would count against the
                // link is not held against it (the search's bound takes the bonus as a gain).
                let margin = |x: &[f32]| {
                    let s = model.scores(x);
                    s[1] - s[0]
                };
                let mut x = x;
                x[LINK_ADJACENT] = 0.0;
                let apart = margin(&x);
                // With every piece between gone elsewhere the two meet as if nothing were between.
                x[LINK_ADJACENT] = 1.0;
                x[LINK_BETWEEN] = 0.0;
                let together = margin(&x);
                Edge { base: apart, bonus: (together - apart).max(0.0), d, c, threshold: 0.0 }
            } else {
                // The hand-set rule: a sentence that stops on a word that cannot end a clause
                // certainly goes on, so less evidence is asked for where it goes on.
                let threshold = if ends_mid_clause(&open.text) { 0.35 } else { 0.5 };
                Edge { base: k.score, bonus: adjacency_bonus(&ev.pieces[c]), d, c, threshold }
            };
            if explain.is_some() {
                weighed.push((d, *k, x, edge));
            }
            // Optimistic: the pieces between may turn out to belong elsewhere.
            if edge.base + edge.bonus >= edge.threshold {
                edges.push(edge);
            }
        }
    }
    let next = best_matching(n, &edges);
    if let Some(out) = explain {
        for (d, k, x, edge) in weighed {
            let mut record = x.to_vec();
            let open_line = ev.pieces[d].body.last().map_or(0, |b| b.line);
            record.extend([ev.pieces[d].line(), open_line, k.first_line].map(|l| l as f32));
            let physical = edge.value(|_| false);
            out.push(Decision::new(
                "link",
                ev.pieces[k.c].line(),
                piece_opening(&ev.pieces[k.c]),
                LINK_RECORD,
                &record,
                LINK_CLASSES,
                &[edge.threshold, physical],
                LINK_CLASSES[usize::from(next[d] == Some(k.c))],
            ));
        }
    }
    next
}

/// The classes of the `link` decision.
pub(super) const LINK_CLASSES: &[&str] = &["apart", "linked"];

/// What [`link`] records of a pair it weighs: the features of the fitted decision, then three
/// lines the trainer reads to know the truth and the model does not weigh.
const LINK_RECORD: &[&str] = &[
    "bias",
    // The hand-set evidence: the parts below in the proportions the hand rule weighs them, and
    // the numbering.
    "evidence",
    // Topic: the dangling piece's ending against the candidate's opening, and the confidence
    // of that comparison; and their product.
    "similarity",
    "confidence",
    "topic",
    // How the candidate's paragraph opens: evidence of a sentence begun elsewhere; the halves
    // of a broken word found whole elsewhere in the source; a quotation left open closed; a
    // numbered clause; a conjunction after a comma; the tail of a word after a finished
    // clause; a bracketed note.
    "mid_start",
    "broken_word",
    "quote_closed",
    "opens_clause",
    "comma_conjunction",
    "word_tail",
    "bracket_note",
    // The numbering's agreement (`三、` after `二、`).
    "numbering",
    // What cut the candidate off: it has a heading; which start it has.
    "headed",
    "start_open",
    "start_mid_sentence",
    "start_page",
    "start_closed",
    "start_heading",
    "start_shift",
    // How the dangling sentence stops: on a word that cannot end a clause, at a comma or an
    // enumeration comma, at a colon, or inside a word (a letter or a digit, no punctuation).
    "ends_mid_clause",
    "ends_comma",
    "ends_colon",
    "ends_in_word",
    // Pieces between the two as ln(1 + count); the two paragraphs' characters as ln(1 + count).
    "between",
    "open_chars",
    "first_chars",
    // How far the candidate's hand-set evidence and topic lead the dangling piece's other
    // candidates, and how far they lead the other dangling pieces the candidate may continue
    // (rivals); and how many rivals, as ln(1 + count). Without any, the lead is the value.
    "evidence_over_others",
    "topic_over_others",
    "evidence_over_rivals",
    "topic_over_rivals",
    "rivals",
    // How far the topic of the dangling piece's ending leads that of the pieces between, each
    // against the candidate's opening (without pieces between, the topic itself): an article
    // interrupted by another goes on with its own topic, not the interrupting one's.
    "topic_over_between",
    // The candidate follows the dangling piece, or every piece between goes elsewhere.
    "adjacent",
    // Not weighed: the dangling piece's first line, its last paragraph's, and the candidate
    // paragraph's.
    "from_line",
    "open_line",
    "first_line",
];

/// The features of the `link` decision.
pub(super) const LINK_FEATURES: &[&str] = LINK_RECORD.split_at(LINK_RECORD.len() - 3).0;

/// Where `adjacent` and `between` sit in [`LINK_FEATURES`].
const LINK_ADJACENT: usize = LINK_FEATURES.len() - 1;
const LINK_BETWEEN: usize = 24;

/// How far a candidate's evidence and topic lead those of the pairs it competes with, and how
/// many those are.
#[derive(Clone, Copy)]
struct Lead {
    evidence: f32,
    topic: f32,
    count: usize,
}

impl Lead {
    /// `k` against `competing` (their evidence and topic).
    fn over(k: &Candidate, competing: impl Iterator<Item = (f32, f32)>) -> Lead {
        let mut lead = Lead { evidence: k.score, topic: k.parts.similarity, count: 0 };
        let (mut evidence, mut topic) = (f32::MIN, f32::MIN);
        for (e, t) in competing {
            evidence = evidence.max(e);
            topic = topic.max(t);
            lead.count += 1;
        }
        if lead.count > 0 {
            lead.evidence -= evidence;
            lead.topic -= topic;
        }
        lead
    }
}

/// The features of the `link` decision for dangling piece `d`, whose last paragraph is `open`,
/// and candidate `k`, which leads `d`'s other candidates by `others` and the other dangling
/// pieces it may continue by `rivals`; `between`, the closest topic of a piece between to the
/// candidate's opening (0 without one); `adjacent` as the pieces stand.
fn link_features(
    ev: &Evidence,
    d: usize,
    open: &Block,
    k: &Candidate,
    others: Lead,
    rivals: Lead,
    between: f32,
) -> [f32; LINK_FEATURES.len()] {
    let cp = &ev.pieces[k.c];
    let p = &k.parts;
    let last = open.text.trim_end().chars().next_back();
    [
        1.0,
        k.score,
        p.similarity,
        p.confidence,
        p.similarity * p.confidence,
        p.mid_start,
        flag(p.broken_word),
        flag(p.quote_closed),
        flag(p.opens_clause),
        flag(p.comma_conjunction),
        flag(p.word_tail_after_stop),
        flag(p.bracket_note),
        k.numbering,
        flag(!cp.head.is_empty()),
        flag(cp.start == Start::Open),
        flag(cp.start == Start::MidSentence),
        flag(cp.start == Start::Page),
        flag(cp.start == Start::Closed),
        flag(cp.start == Start::Heading),
        flag(cp.start == Start::Shift),
        flag(ends_mid_clause(&open.text)),
        flag(matches!(last, Some('，' | ',' | '、' | '；' | ';'))),
        flag(matches!(last, Some('：' | ':'))),
        flag(last.is_some_and(char::is_alphanumeric)),
        ln(k.c - d - 1),
        ln(char_len(&open.text)),
        ln(k.first_chars),
        others.evidence,
        others.topic,
        rivals.evidence,
        rivals.topic,
        ln(rivals.count),
        k.parts.similarity - between,
        flag(k.c == d + 1),
    ]
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
pub(super) fn start_candidates<'e>(ev: &'e Evidence, d: usize) -> &'e [Candidate] {
    ev.candidates[d].get_or_init(|| score_candidates(ev, d))
}

pub(super) fn score_candidates(ev: &Evidence, d: usize) -> Vec<Candidate> {
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
                let parts = Continuation::of(open, quote_open, first, cp, topics, ev.idf());
                // The rest of a broken sentence comes first; a label right after it counts.
                let numbering = numbering_agreement(prev_label, cp.first_label(2).as_ref());
                Candidate {
                    c,
                    first_line: first.line,
                    first_chars: char_len(&first.text),
                    parts,
                    numbering,
                    score: parts.hand_score() + numbering,
                }
            })
            .collect()
    })
}

pub(super) fn best_start_score(ev: &Evidence, d: usize) -> f32 {
    start_candidates(ev, d)
        .iter()
        .map(|k| if k.c == d + 1 { k.score + adjacency_bonus(&ev.pieces[k.c]) } else { k.score })
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

/// A start of a piece that continues a dangling piece this convincingly ([`best_start_score`])
/// is left to the link search: no continuation is looked for inside other pieces.
pub(super) const CONVINCING_START: f32 = 0.6;

/// Finds continuations that hide inside a later piece: a break between two
/// complete sentences where the text after it reads like the dangling piece
/// and unlike the text before it. Returns (piece, paragraph) places to cut.
pub(super) fn hidden_continuations(ev: &Evidence, mut explain: Option<&mut Vec<Decision>>) -> Vec<Cut> {
    let pieces = ev.pieces;
    let mut cuts = Vec::new();
    for (d, dp) in pieces.iter().enumerate() {
        // Only where no piece start continues the sentence convincingly.
        if !dp.is_dangling() || best_start_score(ev, d) >= CONVINCING_START {
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
            cuts.push(Cut { piece: c, at: k, rest: Rest::Broken });
        }
    }
    cuts
}

/// A place to cut a piece in two: before paragraph `at` of its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cut {
    pub(super) piece: usize,
    pub(super) at: usize,
    /// What the text after the cut is.
    pub(super) rest: Rest,
}

/// The text after a [`Cut`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rest {
    /// The rest of a broken sentence ([`hidden_continuations`]), which the link pass pairs.
    Broken,
    /// The rest of the article of this earlier piece ([`hidden_resumptions`]).
    Resumes(usize),
    /// The opening of the article whose title block heads the next piece ([`hidden_resumptions`]).
    Leads,
}

impl Rest {
    /// Which of two cuts of one piece is taken, lowest first: the fitted searches' over the
    /// hand-set one.
    fn rank(self) -> u8 {
        match self {
            Rest::Resumes(_) => 0,
            Rest::Leads => 1,
            Rest::Broken => 2,
        }
    }
}

/// The classes of the decision whether the text of a finished piece's article resumes inside a
/// later piece ([`hidden_resumptions`]).
pub(super) const RESUME_CUT_CLASSES: &[&str] = &["kept", "cut"];

/// What [`hidden_resumptions`] records of the place it weighs in a piece: the features, then two
/// places the trainer reads to know the truth and the model does not weigh.
const RESUME_CUT_RECORD: &[&str] = &[
    "bias",
    // Each paragraph after the piece's lead leans towards the finished piece or towards the
    // piece's own title and lead (topic similarity to one less that to the other); the place
    // is where the balance changes sides most. The mean leaning after the place and before it.
    "tail_leaning",
    "head_leaning",
    // Topic: the text after the place against the finished piece's last text, against the
    // piece's own text before the place; that text before against the finished piece (pages of
    // one subject make every comparison alike); and the first less the second.
    "to_article",
    "to_before",
    "before_to_article",
    "gain",
    // The piece's heading against its text after and before the place: a title names its text.
    "heading_to_after",
    "heading_to_before",
    // How the text after the place opens: evidence of a sentence begun elsewhere, a conjunction.
    "opening",
    "conjunction",
    // The place follows the piece's lead.
    "first_break",
    // Sizes as ln(1 + characters): the piece's text before the place and after it, and the
    // finished piece's text; and the paragraphs after the place, as ln(1 + count).
    "before_chars",
    "after_chars",
    "article_chars",
    "after_paragraphs",
    // Pieces between the finished piece and the one cut; the finished piece has a heading.
    "gap",
    "titled",
    // The earlier piece ends inside a sentence (its rest may start like a new paragraph).
    "dangling",
    // Not weighed: the lines of the finished piece's last paragraph and of the piece's lead.
    "from_line",
    "lead_line",
];

/// The features of the decision [`hidden_resumptions`] takes.
pub(super) const RESUME_CUT_FEATURES: &[&str] = RESUME_CUT_RECORD.split_at(RESUME_CUT_RECORD.len() - 2).0;

/// Finds the rest of an article hidden inside the piece of another that interrupted it: a
/// piece that ends with a finished sentence (cut between sentences or paragraphs, no marker),
/// or inside one whose rest no piece's start continues convincingly (the rest may be set as
/// a paragraph of its own), and a titled piece right after it (or one piece later) whose text,
/// from some paragraph on, reads like the earlier piece rather than like its own title and
/// lead. The place in each such piece where the paragraphs' leaning changes sides most is
/// weighed by the fitted `resume_cut` decision, and the best place taken for each earlier
/// piece becomes a cut whose text resumes that piece's article ([`Rest::Resumes`]). The same
/// loop looks for an article's opening left before its own title block
/// ([`lead_before_title`]). Without fitted weights nothing is cut
/// (the places are still recorded in `explain`, which is how the trainer sees them).
pub(super) fn hidden_resumptions(ev: &Evidence, mut explain: Option<&mut Vec<Decision>>) -> Vec<Cut> {
    let model = &*RESUME_CUT;
    if !model.is_fitted() && explain.is_none() {
        return Vec::new();
    }
    let pieces = ev.pieces;
    // Per titled piece: its anchor (title and lead) and the profile of each paragraph.
    let mut profiled: HashMap<usize, Option<Profiled>> = HashMap::new();
    let mut cuts = Vec::new();
    for (d, dp) in pieces.iter().enumerate() {
        // Piece `d - 1` is no longer looked at: the search from `d` looks from `d + 1` on, and
        // the search for a lead looks at `d` itself.
        if let Some(before) = d.checked_sub(1) {
            profiled.remove(&before);
        }
        if let Some(cut) = lead_before_title(ev, d, &mut profiled, explain.as_deref_mut()) {
            cuts.push(cut);
        }
        let Some(last) = dp.body.iter().rev().find(|b| b.kind == Kind::Body) else { continue };
        // A piece that ends inside a sentence is searched too, unless a piece's start
        // continues it convincingly (the link search joins those).
        let dangling = dp.is_dangling();
        if dp.closed || dp.continues_on.is_some() || (dangling && best_start_score(ev, d) >= CONVINCING_START) {
            continue;
        }
        let article_chars = ln(ev.texts(d).map(|t| ev.chars_of(t)).sum());
        let mut best: Option<(f32, usize, usize)> = None;
        for (c, piece) in pieces.iter().enumerate().take(d + 3).skip(d + 1) {
            let body = &piece.body;
            // A titled piece with a lead and at least two paragraphs after it.
            if piece.head.is_empty() || body.len() < 3 {
                continue;
            }
            let Some(p) = profiled.entry(c).or_insert_with(|| Profiled::new(ev, c)) else { continue };
            let Some(place) = p.turn(ev, c, ev.ending(d), TURN_LEAST_BEFORE) else { continue };
            let k = place.at;
            let here = &body[k];
            let idf = ev.idf();
            let sides = p.sides(ev, c, k);
            let (after, before, to_before) = (&sides.after, &sides.before, sides.alike);
            let ending = ev.ending(d);
            let to_article = idf.similarity(ending, after);
            let x = [
                1.0,
                place.tail_leaning,
                place.head_leaning,
                to_article,
                to_before,
                idf.similarity(before, ending),
                to_article - to_before,
                idf.similarity(ev.head(c), after),
                idf.similarity(ev.head(c), before),
                here.mid_start(),
                flag(starts_with_conjunction(&here.text)),
                flag(k == p.lead + 1),
                ln(p.chars_before[k]),
                ln(p.chars_before[body.len()] - p.chars_before[k]),
                article_chars,
                ln(body.len() - k),
                (c - d - 1) as f32,
                flag(!dp.head.is_empty()),
                flag(dangling),
            ];
            let scores = if model.is_fitted() { model.scores(&x) } else { vec![0.0, f32::NEG_INFINITY] };
            let margin = scores[1] - scores[0];
            if margin >= 0.0 && best.is_none_or(|b| margin > b.0) {
                best = Some((margin, c, k));
            }
            if let Some(out) = explain.as_deref_mut() {
                let place = Weighed { decision: "resume_cut", here, names: RESUME_CUT_RECORD, cut: margin >= 0.0 };
                out.push(place.record(&x, [last.line, body[p.lead].line], &scores));
            }
        }
        if let Some((_, c, k)) = best {
            cuts.push(Cut { piece: c, at: k, rest: Rest::Resumes(d) });
        }
    }
    cuts
}

/// A place a fitted cut decision weighed ([`hidden_resumptions`], [`lead_before_title`]), for
/// `explain`.
struct Weighed<'b> {
    decision: &'static str,
    here: &'b Block,
    /// The features' names, then the names of the two lines the trainer reads the truth from.
    names: &'static [&'static str],
    cut: bool,
}

impl Weighed<'_> {
    /// The decision with features `x`, the two lines the trainer reads (not weighed) and the
    /// scores of keeping and cutting.
    fn record(&self, x: &[f32], lines: [usize; 2], scores: &[f32]) -> Decision {
        let mut record = x.to_vec();
        record.extend(lines.map(|l| l as f32));
        let quoted: String = self.here.text.chars().take(24).collect();
        let chosen = RESUME_CUT_CLASSES[usize::from(self.cut)];
        Decision::new(self.decision, self.here.line, &quoted, self.names, &record, RESUME_CUT_CLASSES, scores, chosen)
    }
}

/// The text of piece `p` just after place `k` of its body and just before it, each as far as
/// [`Evidence::reach`] goes: what the two sides of a turn of topic are about.
fn sides(ev: &Evidence, p: usize, k: usize) -> (Topic, Topic) {
    let len = ev.pieces[p].body.len();
    let ahead = ev.reach((k..len).map(|i| ev.body_text(p, i)));
    let after = ev.topic_of((k..k + ahead).map(|i| ev.body_text(p, i)));
    let back = ev.reach((0..k).rev().map(|i| ev.body_text(p, i)));
    let before = ev.topic_of((k - back..k).map(|i| ev.body_text(p, i)));
    (after, before)
}

/// What [`lead_before_title`] records of the place it weighs at the end of a piece: the
/// features, then two places the trainer reads to know the truth and the model does not weigh.
const LEAD_CUT_RECORD: &[&str] = &[
    "bias",
    // Each paragraph of the piece after its lead leans towards the next piece's title block and
    // lead or towards the piece's own title and lead; the place is where the balance changes
    // sides most. The mean leaning after the place and before it.
    "tail_leaning",
    "head_leaning",
    // Topic: the text after the place against the next piece's title block and lead, against
    // the piece's own text before the place; that text before against the next piece; and the
    // first less the second.
    "to_next",
    "to_before",
    "before_to_next",
    "gain",
    // The next piece's title block against the text after the place and before it.
    "heading_to_after",
    "heading_to_before",
    // How the text after the place opens: evidence of a sentence begun elsewhere, a time as a
    // news lead names one early (`5月3日`, `近日`).
    "opening",
    "lead_time",
    // The piece ends inside a sentence and the text under the next title block opens inside one:
    // the title block was put into a sentence of its article.
    "ends_open",
    "next_opening",
    // The place follows the piece's lead.
    "first_break",
    // Sizes as ln(1 + characters): the piece's text before the place and after it, and the next
    // piece's text; and the paragraphs after the place, as ln(1 + count).
    "before_chars",
    "after_chars",
    "next_chars",
    "after_paragraphs",
    // The next piece's title block: its lines; what the line model made of its first line
    // (sub-heading over title); the piece itself has a heading.
    "title_lines",
    "sub_evidence",
    "titled",
    // Not weighed: the lines of the piece's lead and of the next piece's lead.
    "from_line",
    "lead_line",
];

/// The features of the decision [`lead_before_title`] takes.
pub(super) const LEAD_CUT_FEATURES: &[&str] = LEAD_CUT_RECORD.split_at(LEAD_CUT_RECORD.len() - 2).0;

/// Whether the end of piece `d` is rather the opening of the article whose title block heads
/// the next piece: a title block put inside its own article's text, after the article's first
/// paragraph or deeper, leaves that text at the end of the piece before it. The place in `d`
/// where its paragraphs' leaning turns from its own title and lead towards the next piece's
/// title block and lead is weighed by the fitted `lead_cut` decision (recorded in `explain`
/// either way; without fitted weights nothing is cut).
fn lead_before_title(
    ev: &Evidence,
    d: usize,
    profiled: &mut HashMap<usize, Option<Profiled>>,
    explain: Option<&mut Vec<Decision>>,
) -> Option<Cut> {
    let model = &*LEAD_CUT;
    if !model.is_fitted() && explain.is_none() {
        return None;
    }
    let pieces = ev.pieces;
    let c = d + 1;
    let (dp, cp) = (&pieces[d], pieces.get(c)?);
    if cp.start != Start::Heading || cp.head.is_empty() || dp.closed || dp.continues_on.is_some() {
        return None;
    }
    let next_lead = cp.body.iter().position(|b| b.kind == Kind::Body)?;
    let own = profiled.entry(d).or_insert_with(|| Profiled::new(ev, d)).as_ref()?;
    let title_block = ev.first[c]..ev.first[c] + cp.head.len();
    let next = ev.topic_of(title_block.chain(std::iter::once(ev.body_text(c, next_lead))));
    let place = own.turn(ev, d, &next, LEAD_LEAST_CHARS)?;
    let (body, k) = (&dp.body, place.at);
    let here = &body[k];
    let idf = ev.idf();
    let sides = own.sides(ev, d, k);
    let (after, before, to_before) = (&sides.after, &sides.before, sides.alike);
    let to_next = idf.similarity(&next, after);
    let next_chars: usize = (0..cp.body.len()).map(|i| ev.chars_of(ev.body_text(c, i))).sum();
    let x = [
        1.0,
        place.tail_leaning,
        place.head_leaning,
        to_next,
        to_before,
        idf.similarity(before, &next),
        to_next - to_before,
        idf.similarity(ev.head(c), after),
        idf.similarity(ev.head(c), before),
        here.mid_start(),
        flag(opens_with_time(&here.text)),
        flag(body.last().is_some_and(Block::is_open)),
        cp.body[next_lead].mid_start(),
        flag(k == own.lead + 1),
        ln(own.chars_before[k]),
        ln(own.chars_before[body.len()] - own.chars_before[k]),
        ln(next_chars),
        ln(body.len() - k),
        cp.head.len() as f32,
        cp.head[0].sub_evidence,
        flag(!dp.head.is_empty()),
    ];
    let scores = if model.is_fitted() { model.scores(&x) } else { vec![0.0, f32::NEG_INFINITY] };
    let cut = scores[1] >= scores[0];
    if let Some(out) = explain {
        let place = Weighed { decision: "lead_cut", here, names: LEAD_CUT_RECORD, cut };
        out.push(place.record(&x, [body[own.lead].line, cp.body[next_lead].line], &scores));
    }
    cut.then_some(Cut { piece: d, at: k, rest: Rest::Leads })
}

/// The least text (characters) a turn of topic leaves before it in its piece, after the lead,
/// and, for the rest of an earlier article, after it: less is too little to judge a topic by.
const TURN_LEAST_BEFORE: usize = 40;

/// The least text the opening of an article before its own title block may have: a title block
/// put into the article's first sentence leaves only part of that sentence before it.
const LEAD_LEAST_CHARS: usize = 8;

/// A titled piece profiled for [`hidden_resumptions`]: its title and lead, each paragraph.
struct Profiled {
    /// The first paragraph of the body (datelines come before it).
    lead: usize,
    /// The piece's title and lead together: what its own text is about.
    anchor: Topic,
    /// Each body paragraph's profile and its similarity to the anchor, made when first needed:
    /// most pieces never turn towards anything.
    paragraphs: OnceCell<(Vec<Topic>, Vec<f32>)>,
    /// Characters of the body before each paragraph, and in all at the end.
    chars_before: Vec<usize>,
    /// The two sides of each place in the body, made when first needed ([`Profiled::sides`]).
    sides: Vec<OnceCell<Sides>>,
}

/// The text just after a place in a piece and just before it ([`sides`]), and how alike the
/// two are.
struct Sides {
    after: Topic,
    before: Topic,
    alike: f32,
}

/// Where the paragraphs of a piece turn towards a finished piece ([`Profiled::turn`]).
struct Turn {
    at: usize,
    tail_leaning: f32,
    head_leaning: f32,
}

impl Profiled {
    /// `None` when the piece has no paragraph.
    fn new(ev: &Evidence, c: usize) -> Option<Self> {
        let piece = &ev.pieces[c];
        let lead = piece.body.iter().position(|b| b.kind == Kind::Body)?;
        let head = ev.first[c]..ev.first[c] + piece.head.len();
        let mut chars_before = Vec::with_capacity(piece.body.len() + 1);
        chars_before.push(0);
        for i in 0..piece.body.len() {
            chars_before.push(chars_before[i] + ev.chars_of(ev.body_text(c, i)));
        }
        let anchor = ev.topic_of(head.chain(std::iter::once(ev.body_text(c, lead))));
        let sides = (0..piece.body.len()).map(|_| OnceCell::new()).collect();
        Some(Profiled { lead, anchor, paragraphs: OnceCell::new(), chars_before, sides })
    }

    /// [`Sides`] of place `k` of piece `c`, the piece profiled: found once per place, since
    /// the searches from the two pieces before `c` for the rest of their articles, and the
    /// search from `c` for the opening of the next article, may each turn at the same place.
    fn sides(&self, ev: &Evidence, c: usize, k: usize) -> &Sides {
        self.sides[k].get_or_init(|| {
            let (after, before) = sides(ev, c, k);
            let alike = ev.idf().similarity(&after, &before);
            Sides { after, before, alike }
        })
    }

    /// The place after piece `c`'s lead where its paragraphs' leaning towards piece `d`'s
    /// ending (over `c`'s title and lead) changes sides most: the place between two finished
    /// paragraphs that maximises the leaning after it less the leaning before it, when the text
    /// after it leans towards `d` on the whole.
    fn turn(&self, ev: &Evidence, c: usize, towards: &Topic, least_after: usize) -> Option<Turn> {
        let body = &ev.pieces[c].body;
        let idf = ev.idf();
        let (paragraphs, to_anchor) = self.paragraphs.get_or_init(|| {
            let paragraphs: Vec<Topic> =
                (0..body.len()).map(|i| ev.topic_of(std::iter::once(ev.body_text(c, i)))).collect();
            let to_anchor =
                idf.spread(&self.anchor, |anchor| paragraphs.iter().map(|p| anchor.similarity(p)).collect());
            (paragraphs, to_anchor)
        });
        let to_ending: Vec<f32> =
            idf.spread(towards, |towards| paragraphs.iter().map(|p| towards.similarity(p)).collect());
        let leaning: Vec<f32> = to_ending.iter().zip(to_anchor).map(|(e, a)| e - a).collect();
        let first = self.lead + 1;
        let total: f32 = leaning.iter().skip(first).sum();
        let all_chars = self.chars_before[body.len()];
        let mut before = 0.0;
        let mut best: Option<(f32, Turn)> = None;
        for k in first..body.len() {
            if k > first {
                before += leaning[k - 1];
            }
            let (prev, here) = (&body[k - 1], &body[k]);
            // Between two finished paragraphs, with enough text either side to judge.
            if here.kind != Kind::Body
                || prev.kind != Kind::Body
                || prev.is_open()
                || self.chars_before[k] - self.chars_before[self.lead] < TURN_LEAST_BEFORE
                || all_chars - self.chars_before[k] < least_after
            {
                continue;
            }
            let after = total - before;
            let tail_leaning = after / (body.len() - k) as f32;
            let score = after - before;
            if tail_leaning > 0.0 && best.as_ref().is_none_or(|b| score > b.0) {
                let head_leaning = if k > first { before / (k - first) as f32 } else { 0.0 };
                best = Some((score, Turn { at: k, tail_leaning, head_leaning }));
            }
        }
        best.map(|(_, turn)| turn)
    }
}

/// Cuts pieces at the given places, at most one per piece: a piece two searches cut is cut
/// where the fitted resumption search says ([`hidden_resumptions`]), not where the hand-set
/// search for the rest of a broken sentence does ([`hidden_continuations`]). Both look for
/// the rest of a piece that ends inside a sentence; on generated pages the fitted one is
/// right more often (segbench dev 0.685 → 0.689 with the same weights).
pub(super) fn split_pieces(pieces: Vec<Piece>, cuts: &[Cut]) -> Vec<Piece> {
    let mut cuts = cuts.to_vec();
    cuts.sort_unstable_by_key(|c| (c.piece, c.rest.rank(), c.at));
    cuts.dedup_by_key(|c| c.piece);
    // A piece's place once the cuts before it have each added one.
    let moved = |i: usize| i + cuts.partition_point(|c| c.piece < i);
    let mut out = Vec::with_capacity(pieces.len() + cuts.len());
    let mut next = cuts.iter().peekable();
    for (i, mut p) in pieces.into_iter().enumerate() {
        let Some(cut) = next.next_if(|c| c.piece == i) else {
            out.push(p);
            continue;
        };
        let mut tail = Piece::new(match cut.rest {
            Rest::Broken => Start::MidSentence,
            Rest::Resumes(_) => Start::Shift,
            Rest::Leads => Start::Lead,
        });
        if let Rest::Resumes(d) = cut.rest {
            tail.resumes = Some(moved(d));
        }
        tail.body = p.body.split_off(cut.at);
        tail.closed = std::mem::take(&mut p.closed);
        tail.continues_on = p.continues_on.take();
        out.push(p);
        out.push(tail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A piece of body paragraphs under an optional heading, each block on its own line from
    /// `line` on.
    fn piece(heading: Option<&str>, paragraphs: &[&str], line: usize) -> Piece {
        let mut p = Piece::new(if heading.is_some() { Start::Heading } else { Start::File });
        p.head = heading.into_iter().map(|h| Block::new(Kind::Heading, h, line)).collect();
        let first = line + p.head.len();
        p.body = paragraphs.iter().enumerate().map(|(i, t)| Block::new(Kind::Body, *t, first + i)).collect();
        p
    }

    const RICE: [&str; 4] = [
        "连日来，江汉平原各地早稻插秧进入高峰期，农户们抢抓晴好天气，育秧、整田、插秧同步推进。",
        "在一处水稻种植合作社，插秧机在稻田里来回穿梭，合作社早稻种植面积增加，机械插秧比例超过九成。",
        "农业部门组织农技人员深入田间，指导农户科学育秧、合理密植，推广水稻机插，帮助农户提高早稻亩产。",
        "江汉平原早稻插秧进度已过六成，农业部门提醒农户加强稻田水层管理，做好灌溉，为早稻丰收打好基础。",
    ];
    const RAIL: [&str; 3] = [
        "沿江城际铁路一段新线开通运营，首趟列车从始发车站驶出，沿线多个车站同步迎来首批旅客。",
        "新线设计时速二百五十公里，全线设八座车站，铁路部门表示，列车开行后沿线城市之间的旅行时间缩短一半。",
        "各车站增设了自助售票机和进站闸机，站台上安排工作人员引导旅客有序乘车，做好新线开通后的旅客服务。",
    ];

    #[test]
    fn the_paragraphs_turn_where_the_rest_of_an_earlier_article_begins() {
        let rail_then_rice = [RAIL[0], RAIL[1], RAIL[2], RICE[2], RICE[3]];
        let pieces = [
            piece(Some("江汉平原早稻插秧进入高峰"), &RICE[..2], 1),
            piece(Some("沿江城际铁路新线开通运营"), &rail_then_rice, 4),
        ];
        let ev = Evidence::new(&pieces, None, false);
        let profiled = Profiled::new(&ev, 1).expect("the piece has paragraphs");
        let turn = profiled
            .turn(&ev, 1, ev.ending(0), TURN_LEAST_BEFORE)
            .expect("the rice paragraphs lean towards the rice report");
        assert_eq!(turn.at, 3);
        assert!(turn.tail_leaning > 0.0 && turn.head_leaning < 0.0, "{} {}", turn.tail_leaning, turn.head_leaning);
        // A piece that stays on its own subject has no such place.
        let pieces =
            [piece(Some("江汉平原早稻插秧进入高峰"), &RICE[..2], 1), piece(Some("沿江城际铁路新线开通运营"), &RAIL, 4)];
        let ev = Evidence::new(&pieces, None, false);
        let profiled = Profiled::new(&ev, 1).expect("the piece has paragraphs");
        assert!(profiled.turn(&ev, 1, ev.ending(0), TURN_LEAST_BEFORE).is_none());
    }

    #[test]
    fn cut_pieces_keep_their_order_and_a_resumption_names_the_piece_where_it_now_is() {
        let pieces =
            vec![piece(None, &RICE[..2], 1), piece(Some("标题"), &RAIL, 4), piece(Some("另一个标题"), &RICE[2..], 8)];
        // Piece 1 is cut twice: the fitted resumption wins over the rest of a broken sentence.
        let cuts = [
            Cut { piece: 2, at: 1, rest: Rest::Resumes(1) },
            Cut { piece: 1, at: 1, rest: Rest::Resumes(0) },
            Cut { piece: 1, at: 2, rest: Rest::Broken },
        ];
        let out = split_pieces(pieces, &cuts);
        let shape: Vec<(usize, usize, Start, Option<usize>)> =
            out.iter().map(|p| (p.head.len(), p.body.len(), p.start, p.resumes)).collect();
        assert_eq!(
            shape,
            [
                (0, 2, Start::File, None),
                (1, 1, Start::Heading, None),
                (0, 2, Start::Shift, Some(0)),
                (1, 1, Start::Heading, None),
                // Resumes the article of old piece 1, now at 1 (the cut before it came after it).
                (0, 1, Start::Shift, Some(1)),
            ]
        );
        // A resumption of a piece after an earlier cut names its new place.
        let pieces =
            vec![piece(None, &RICE[..2], 1), piece(Some("标题"), &RAIL, 4), piece(Some("另一个标题"), &RICE[2..], 8)];
        let out = split_pieces(
            pieces,
            &[Cut { piece: 0, at: 1, rest: Rest::Broken }, Cut { piece: 2, at: 1, rest: Rest::Resumes(1) }],
        );
        assert_eq!(out.len(), 5);
        assert_eq!(out[2].head.len(), 1);
        assert_eq!(out[4].resumes, Some(2));
        // The opening of the next title block's article is cut off as a lead.
        let pieces = vec![piece(Some("标题"), &RAIL, 1), piece(Some("另一个标题"), &RICE[2..], 8)];
        let out = split_pieces(pieces, &[Cut { piece: 0, at: 2, rest: Rest::Leads }]);
        let shape: Vec<(usize, usize, Start, Option<usize>)> =
            out.iter().map(|p| (p.head.len(), p.body.len(), p.start, p.resumes)).collect();
        assert_eq!(
            shape,
            [(1, 2, Start::Heading, None), (0, RAIL.len() - 2, Start::Lead, None), (1, 2, Start::Heading, None)]
        );
    }

    #[test]
    fn the_link_decision_names_the_slots_it_sets_when_pieces_between_go_elsewhere() {
        assert_eq!(LINK_FEATURES[LINK_ADJACENT], "adjacent");
        assert_eq!(LINK_FEATURES[LINK_BETWEEN], "between");
        assert_eq!(LINK_RECORD.len(), LINK_FEATURES.len() + 3);
    }

    #[test]
    fn a_word_broken_across_another_article_is_joined_to_its_own_head() {
        // The rice report stops inside a word (亩|产), the rail report inside it stops at a comma,
        // and the rest of the rice report comes after the rail report.
        let rice_head = [RICE[0], "农业部门组织农技人员深入田间，指导农户科学育秧、合理密植，帮助农户提高早稻亩"];
        let rail = [RAIL[0], RAIL[1], "各车站增设了自助售票机和进站闸机，站台上安排工作人员引导旅客有序乘车，"];
        let rest = ["产。江汉平原早稻插秧进度已过六成，农业部门提醒农户加强稻田水层管理，做好灌溉。"];
        let mut tail = piece(None, &rest, 9);
        tail.start = Start::Open;
        let pieces = [
            piece(Some("江汉平原早稻插秧进入高峰"), &rice_head, 1),
            piece(Some("沿江城际铁路新线开通运营"), &rail, 4),
            tail,
        ];
        let ev = Evidence::new(&pieces, None, false);
        assert_eq!(link(&ev, None), [Some(2), None, None]);
    }

    proptest! {
        /// Branch and bound finds the assignment the full search finds (unbounded `reach`):
        /// small groups of dangling pieces competing for continuations, with thresholds, and
        /// links worth less than nothing unless the pieces between go elsewhere (fitted margins).
        #[test]
        fn bounded_search_finds_what_the_full_search_finds(
            raw in proptest::collection::vec(
                proptest::collection::vec((1usize..6, -1.0f32..1.5, prop::sample::select(vec![0.0f32, 0.3, 0.8]), prop::sample::select(vec![0.0f32, 0.35, 0.5])), 0..4),
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

//! Pass 1b: the role of each short line, weighed from named evidence with fitted weights.
//!
//! A short line on a scraped page may be an article's title, the kicker (引题) above it, a
//! column or section label, the subtitle (副题) below it, a byline, a sub-heading inside an
//! article, page furniture, or simply a short paragraph. Markup says little: titles and
//! sub-headings come at any heading level, bold or plain. What tells them apart is the
//! evidence around the line: what precedes and follows it (a dateline or byline under a title,
//! a sentence left open above a sub-heading), its shape, how many lines share its style, and
//! whether the text after it goes on with the topic of the text before it.
//!
//! Each feature below is a small named function of the line and its neighbours; the weights
//! that combine them are fitted ([`super::model`]). A line's role then sets its block kind
//! for the passes after this one.

use std::sync::LazyLock;

use regex::Regex;

use super::assemble::is_subtitle_line;
use super::classify::{
    BYLINE, DATELINE, after_own_dateline, balanced, char_len, ends_with_end_marker, holds_stop, two_short_phrases,
};
use super::model::{Decision, LINE_ROLE, LINE_TRANSITION, flag, ln};
use super::roles::{DOCUMENT_TITLE, is_salutation};
use super::{Block, Item, Kind};
use crate::corpus::clause;
use crate::corpus::clean::{ends_sentence, is_han};
use crate::corpus::topic::{Idf, Topic};

/// The roles a short line can have; the order is the model's class order.
pub const ROLES: &[&str] = &["body", "title", "kicker", "label", "subtitle", "byline", "sub", "furniture"];

/// What a line's role follows in its run: the run's start, then each of [`ROLES`] in order.
pub const TRANSITION_FROM: &[&str] =
    &["start", "body", "title", "kicker", "label", "subtitle", "byline", "sub", "furniture"];

/// A short line's role, as [`ROLES`] names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRole {
    Body,
    Title,
    Kicker,
    Label,
    Subtitle,
    Byline,
    Sub,
    Furniture,
}

impl LineRole {
    fn from_index(i: usize) -> LineRole {
        [
            LineRole::Body,
            LineRole::Title,
            LineRole::Kicker,
            LineRole::Label,
            LineRole::Subtitle,
            LineRole::Byline,
            LineRole::Sub,
            LineRole::Furniture,
        ][i]
    }

    /// A heading line: part of a title block, or a sub-heading.
    pub fn is_heading(self) -> bool {
        matches!(self, LineRole::Title | LineRole::Kicker | LineRole::Label | LineRole::Subtitle | LineRole::Sub)
    }
}

/// The features of a line's role, in the model's order. Each is computed by the function of
/// the same name below (or, for the one-hot groups, by the group's function).
pub const FEATURES: &[&str] = &[
    "bias",
    // How the source marked the line.
    "style_plain",
    "style_h1",
    "style_h2",
    "style_h3",
    "style_h4",
    "style_bold",
    "page_markdown",
    "same_style_lines",
    "same_style_share",
    // Its shape.
    "len_le6",
    "len_7_12",
    "len_13_20",
    "len_21_32",
    "len_33_48",
    "len_gt48",
    "ends_sentence",
    "ends_comma",
    "ends_colon",
    "has_comma",
    "has_stop",
    "two_phrases",
    "starts_dash",
    "ends_dash",
    "boxed",
    "starts_box",
    "suffix_bracket",
    "unbalanced",
    "clause_label",
    "byline_shape",
    "name_only",
    "page_line_shape",
    "digits_share",
    "mid_start",
    "ellipsis",
    // Its neighbours.
    "first_on_page",
    "after_break",
    "prev_heading",
    "prev_open",
    "prev_closed_body",
    "prev_end",
    "prev_dateline",
    "prev_byline",
    "next_heading",
    "next_dateline",
    "next_byline",
    "next_mid_start",
    "next_long_body",
    "next_none",
    "next2_dateline",
    "run_len",
    "run_pos_first",
    "run_pos_last",
    "run_single",
    "after_short_line",
    "run_prev_open",
    "run_next_mid_start",
    "run_next_dateline",
    "run_has_dash_line",
    "run_prev_marked",
    "run_next_marked",
    // What the shape rules of pass 1 made of the line (a heading, or a byline).
    "kind_heading",
    "kind_byline",
    "document_title",
    "next_salutation",
    "inner_dash",
    "run_headings",
    // Topic: does the text go on across the line?
    "topic_continuity",
    "topic_restates",
    "topic_line_before",
    "topic_known",
    // A name alone or a reporter's line just under it (a title's byline), and a short
    // unpunctuated line just over it (a byline's title).
    "next_name_only",
    "next_byline_shape",
    "prev_title_shaped",
    // Phrases set apart by spaces (`某地发生事故　三人受伤　当局调查`), as titles print them.
    "spaced_phrases",
    // A sentence left open before the run and the text after it join into a word seen elsewhere
    // on the page (`除了一` … `個墓地`): the run interrupts the sentence, as a title block set
    // inside its own article's text does. And the same across the line alone: the line itself
    // goes on with the word.
    "run_bridges_word",
    "line_continues_word",
    // Its length over the longest line of its style on the page: a page sets its titles at one
    // length and its sub-headings, at the same heading level or not, shorter.
    "length_to_style_longest",
    // The next line opens with a dash (`——…`), as a subtitle under its title does.
    "next_starts_dash",
    // The whole line in round brackets (`（记者 某某）`, `（某某参与采写）`): a credit or a note
    // closing an article, as a title hardly ever is.
    "bracketed",
];

/// A line is weighed when it could be anything but a paragraph: marked as a heading, shaped
/// like a byline, or short and free of full stops. A line closed by an end marker (`（完）`,
/// `（新华社…电）`, after a signing date or a name) ends an article: it is never weighed.
fn is_candidate(b: &Block) -> bool {
    if ends_with_end_marker(&b.text) {
        return false;
    }
    match b.kind {
        Kind::Heading | Kind::Byline => true,
        // Short phrases set apart by wide spaces are a signature block's row in shape, and a
        // Hong Kong headline's as well: the model tells them apart (and leaves a signature row
        // one unless it reads it as a heading line).
        Kind::Body | Kind::Signature => b.text.len() <= 240 && char_len(&b.text) <= 64 && !holds_stop(&b.text),
        _ => false,
    }
}

/// `(…)` or `（…）` closing the line: a column printed as the title's suffix.
static SUFFIX_BRACKET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[（(][^（()）]{2,16}[）)]$").expect("static regex"));

/// A line wholly in round brackets, with no bracket inside: `（记者 某某）`.
static BRACKETED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[（(][^（()）]+[）)]$").expect("static regex"));

/// The web edition's page line: `《人民日报》（2026年08月17日 第 03 版）`.
static PAGE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"《[^》]{2,12}》\s*[（(].{0,24}\d{1,2}\s*版\s*[）)]").expect("static regex"));

/// How much text either side of a line is profiled for the topic features.
const TOPIC_REACH_CHARS: usize = 300;

/// Weighs every candidate line of `items` and sets its block's kind and role. Lines the model
/// calls furniture are returned by index, for the caller to take out, with the page's bigram
/// statistics when they were counted (each block's `text_index` is its place in them). Every decision is
/// appended to `explain` when it is given.
pub fn assign_roles(
    items: &mut [Item],
    markdown: bool,
    mut explain: Option<&mut Vec<Decision>>,
) -> (Vec<usize>, Option<Idf>) {
    let model = &*LINE_ROLE;
    if !model.is_fitted() && explain.is_none() {
        return (Vec::new(), None);
    }
    let candidates: Vec<usize> = (0..items.len())
        .filter(|&i| matches!(&items[i], Item::Block(b) if is_candidate(b) && !after_own_dateline(items, i, b)))
        .collect();
    if candidates.is_empty() {
        return (Vec::new(), None);
    }
    let blocks: Vec<Option<&Block>> =
        items.iter().map(|it| if let Item::Block(b) = it { Some(b) } else { None }).collect();
    let idf = Idf::new(blocks.iter().flatten().map(|b| b.text.as_str()));
    // Each item's place among the texts `idf` counted (every block, in order; `u32::MAX` for
    // a break): profiles then read the counted bigrams instead of the text again.
    let mut counted = 0;
    let counted_at: Vec<u32> = blocks
        .iter()
        .map(|b| {
            b.map_or(u32::MAX, |_| {
                counted += 1;
                counted - 1
            })
        })
        .collect();
    let page = PageFacts::new(&blocks, &candidates, markdown);
    let mut decisions: Vec<(usize, LineRole, f32)> = Vec::with_capacity(candidates.len());
    // Roles are chosen a run of adjacent lines at a time, as the best sequence the title-block
    // grammar allows, not line by line. What the lines of a run share is found once per run:
    // a page of a million short lines is one run, and must cost no more than linear time.
    let first_block = blocks.iter().position(Option::is_some).unwrap_or(0);
    let explaining = explain.is_some();
    let mut near = NearProfiles::default();
    let mut at = 0;
    while at < candidates.len() {
        let mut end = at + 1;
        while end < candidates.len() && candidates[end] == candidates[end - 1] + 1 {
            end += 1;
        }
        let run = Run::new(&blocks, &counted_at, candidates[at], candidates[end - 1], &idf, &mut near);
        let scored: Vec<(usize, Vec<f32>, Vec<f32>)> = candidates[at..end]
            .iter()
            .map(|&i| {
                let x = features(&blocks, i, counted_at[i], &run, first_block, &page, &idf);
                let scores = model.scores(&x);
                // The features are kept only to be explained: a run may be a million lines.
                (i, if explaining { x } else { Vec::new() }, scores)
            })
            .collect();
        let run_scores: Vec<&[f32]> = scored.iter().map(|(_, _, s)| s.as_slice()).collect();
        for ((i, x, scores), role) in scored.iter().zip(best_sequence(&run_scores)) {
            if let Some(out) = explain.as_deref_mut()
                && let Some(b) = blocks[*i]
            {
                out.push(Decision::new("line_role", b.line, &b.text, FEATURES, x, ROLES, scores, ROLES[role as usize]));
            }
            let title_block = [LineRole::Title, LineRole::Kicker, LineRole::Label]
                .map(|r| scores[r as usize])
                .into_iter()
                .fold(f32::NEG_INFINITY, f32::max);
            decisions.push((*i, role, scores[LineRole::Sub as usize] - title_block));
        }
        at = end;
    }
    if !model.is_fitted() {
        return (Vec::new(), None);
    }
    for (it, &at) in items.iter_mut().zip(&counted_at) {
        if let Item::Block(b) = it {
            b.text_index = at;
        }
    }
    let mut furniture = Vec::new();
    for (i, role, sub_evidence) in decisions {
        let Item::Block(b) = &mut items[i] else { continue };
        if b.forced_title {
            continue; // the first line after a teaser separator is the teaser's title
        }
        // The model may raise a line the shape rules left as text into a title block or a
        // sub-heading (a plain title on a Markdown page, a long bold one) and name the role
        // of each heading line, but a line the shape rules took for a heading stays one: their
        // demotions weigh context the features do not yet hold, and on the fixture sets
        // (tests/fixtures/heldout*) demoting by the model cost more than it gained.
        if matches!(b.kind, Kind::Heading | Kind::Signature) && !role.is_heading() {
            continue;
        }
        b.role = Some(role);
        b.sub_evidence = sub_evidence;
        b.kind = match role {
            LineRole::Body => {
                if b.kind == Kind::Byline {
                    Kind::Byline
                } else {
                    Kind::Body
                }
            }
            LineRole::Byline => Kind::Byline,
            LineRole::Furniture => {
                furniture.push(i);
                b.kind
            }
            _ => Kind::Heading,
        };
    }
    (furniture, Some(idf))
}

/// Whether role `next` may follow role `prev` on the next line of a run (`None`: the run
/// starts). A kicker or label stands over a title; a subtitle stands under one; a title is
/// not directly followed by a sub-heading.
fn may_follow(prev: Option<LineRole>, next: LineRole) -> bool {
    use LineRole::{Furniture, Kicker, Label, Sub, Subtitle, Title};
    let over_title = matches!(prev, Some(Kicker | Label));
    match next {
        Subtitle => matches!(prev, Some(Title | Subtitle)),
        Title | Kicker | Label | Furniture => true,
        Sub => !over_title && prev != Some(Title),
        _ => !over_title,
    }
}

/// The longest run of candidate lines the transition weights apply to: the training pages'
/// runs are title blocks of one to seven lines (seed 106: 714 single lines, 246 pairs, … 5 runs
/// of seven, one longer).
const TRANSITION_RUN_MAX: usize = 7;

/// Whether a run may end on `last`: a kicker or label needs the title under it.
fn may_end(last: LineRole) -> bool {
    !matches!(last, LineRole::Kicker | LineRole::Label)
}

/// The sequence of roles over one run of lines that maximises the total score under
/// [`may_follow`] and [`may_end`] (Viterbi); the best role of each line alone when no sequence
/// is allowed.
fn best_sequence(run: &[&[f32]]) -> Vec<LineRole> {
    // The fitted log-ratio of a role after another ([`LINE_TRANSITION`]; 0 where unfitted).
    let transitions = &*LINE_TRANSITION;
    best_sequence_with(run, |prev, next| transitions.weight(prev.map_or(0, |p| p + 1), next))
}

/// [`best_sequence`] with the transition weights `after(previous role, role)` (role indices;
/// `None`: the run's start), applied on runs no longer than the training pages print: a
/// longer run is a table or a list, whose lines follow one another in ways no title block does.
fn best_sequence_with(run: &[&[f32]], after: impl Fn(Option<usize>, usize) -> f32) -> Vec<LineRole> {
    let k = ROLES.len();
    let roles: Vec<LineRole> = (0..k).map(LineRole::from_index).collect();
    let fitted_length = run.len() <= TRANSITION_RUN_MAX;
    let after = |prev: Option<usize>, next: usize| if fitted_length { after(prev, next) } else { 0.0 };
    let mut total: Vec<f32> = roles
        .iter()
        .zip(run[0])
        .enumerate()
        .map(|(j, (r, s))| if may_follow(None, *r) { *s + after(None, j) } else { f32::NEG_INFINITY })
        .collect();
    let mut back: Vec<Vec<usize>> = Vec::with_capacity(run.len());
    for scores in &run[1..] {
        let mut next = vec![f32::NEG_INFINITY; k];
        let mut from = vec![0; k];
        for (j, r) in roles.iter().enumerate() {
            for (i, p) in roles.iter().enumerate() {
                let v = total[i] + scores[j] + after(Some(i), j);
                if may_follow(Some(*p), *r) && v > next[j] {
                    next[j] = v;
                    from[j] = i;
                }
            }
        }
        back.push(from);
        total = next;
    }
    let last =
        (0..k).filter(|&j| may_end(roles[j]) && total[j].is_finite()).max_by(|&a, &b| total[a].total_cmp(&total[b]));
    let Some(mut j) = last else {
        return run
            .iter()
            .map(|s| LineRole::from_index((0..k).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap_or(0)))
            .collect();
    };
    let mut out = vec![roles[j]];
    for from in back.iter().rev() {
        j = from[j];
        out.push(roles[j]);
    }
    out.reverse();
    out
}

/// What the features need to know about the whole page.
struct PageFacts {
    markdown: bool,
    /// How many candidate lines carry each style (0 plain … 7 bold).
    style_counts: [usize; 8],
    /// The characters of the longest candidate line of each style.
    style_longest: [usize; 8],
    candidates: usize,
}

impl PageFacts {
    fn new(blocks: &[Option<&Block>], candidates: &[usize], markdown: bool) -> Self {
        let mut style_counts = [0; 8];
        let mut style_longest = [0; 8];
        for &c in candidates {
            if let Some(b) = blocks[c] {
                let style = usize::from(b.style.min(7));
                style_counts[style] += 1;
                style_longest[style] = style_longest[style].max(char_len(&b.text));
            }
        }
        PageFacts { markdown, style_counts, style_longest, candidates: candidates.len() }
    }
}

/// The feature vector of candidate line `i`, in [`FEATURES`] order; `counted` is its place
/// among the texts `idf` counted.
fn features(
    blocks: &[Option<&Block>],
    i: usize,
    counted: u32,
    run: &Run,
    first_block: usize,
    page: &PageFacts,
    idf: &Idf,
) -> Vec<f32> {
    let line = blocks[i].expect("a candidate is a block");
    let text = line.text.as_str();
    let chars = char_len(text);
    let style = line.style.min(7);
    let prev = i.checked_sub(1).and_then(|k| blocks[k]);
    let next = blocks.get(i + 1).copied().flatten();
    let next2 = blocks.get(i + 2).copied().flatten();
    let (start, end) = (run.start, run.end);
    let run_len = end - start + 1;
    let before_run = start.checked_sub(1).and_then(|k| blocks[k]);
    let after_run = blocks.get(end + 1).copied().flatten();
    let same_style = page.style_counts[usize::from(style)].saturating_sub(1);
    let topics = run.topic_features(counted, idf);
    let first_on_page = i <= first_block;
    let after_break = i > 0 && blocks[i - 1].is_none() && !first_on_page;
    let digits = text.chars().filter(char::is_ascii_digit).count();
    vec![
        1.0,
        flag(style == 0),
        flag(style == 1),
        flag(style == 2),
        flag(style == 3),
        flag((4..=6).contains(&style)),
        flag(style == 7),
        flag(page.markdown),
        ln(same_style),
        same_style as f32 / page.candidates.max(1) as f32,
        flag(chars <= 6),
        flag((7..=12).contains(&chars)),
        flag((13..=20).contains(&chars)),
        flag((21..=32).contains(&chars)),
        flag((33..=48).contains(&chars)),
        flag(chars > 48),
        flag(ends_sentence(text)),
        flag(text.ends_with(['，', ',', '、', '；', ';'])),
        flag(text.ends_with(['：', ':'])),
        flag(text.contains(['，', ','])),
        flag(holds_stop(text)),
        flag(two_phrases(text)),
        flag(starts_with_dash(text)),
        flag(text.ends_with('—') || text.ends_with("--")),
        flag(text.starts_with('【') && text.ends_with('】')),
        flag(text.starts_with('【') && !text.ends_with('】')),
        flag(SUFFIX_BRACKET.is_match(text)),
        flag(!balanced(text)),
        flag(clause::detect(text).is_some()),
        flag(text.len() <= 80 && BYLINE.is_match(text)),
        flag(name_only(text)),
        flag(PAGE_LINE.is_match(text)),
        digits as f32 / chars.max(1) as f32,
        line.mid_start().min(1.0),
        flag(text.ends_with("...") || text.ends_with('…')),
        flag(first_on_page),
        flag(after_break),
        flag(prev.is_some_and(|p| p.kind == Kind::Heading)),
        flag(prev.is_some_and(|p| p.kind == Kind::Body && !ends_sentence(&p.text))),
        flag(prev.is_some_and(|p| p.kind == Kind::Body && ends_sentence(&p.text))),
        flag(prev.is_some_and(|p| matches!(p.kind, Kind::End | Kind::Signature))),
        flag(prev.is_some_and(|p| p.kind == Kind::Dateline)),
        flag(prev.is_some_and(|p| p.kind == Kind::Byline)),
        flag(next.is_some_and(|p| p.kind == Kind::Heading)),
        flag(next.is_some_and(|p| p.kind == Kind::Dateline || DATELINE.is_match(&p.text))),
        flag(next.is_some_and(|p| p.kind == Kind::Byline)),
        flag(next.is_some_and(|p| p.kind == Kind::Body && p.mid_start() >= 0.8)),
        flag(next.is_some_and(|p| p.kind == Kind::Body && char_len(&p.text) > 60)),
        flag(next.is_none()),
        flag(next2.is_some_and(|p| p.kind == Kind::Dateline || DATELINE.is_match(&p.text))),
        ln(run_len),
        flag(i == start && run_len > 1),
        flag(i == end && run_len > 1),
        flag(run_len == 1),
        flag(i == start && prev.is_some_and(|p| char_len(&p.text) <= 64)),
        flag(before_run.is_some_and(|p| p.kind == Kind::Body && !ends_sentence(&p.text))),
        flag(after_run.is_some_and(|p| p.kind == Kind::Body && p.mid_start() >= 0.8)),
        flag(after_run.is_some_and(|p| p.kind == Kind::Dateline || DATELINE.is_match(&p.text))),
        flag(run.has_dash_line),
        flag(i > start && blocks[i - 1].is_some_and(|r| r.style != 0)),
        flag(i < end && blocks[i + 1].is_some_and(|r| r.style != 0)),
        flag(line.kind == Kind::Heading),
        flag(line.kind == Kind::Byline),
        flag(DOCUMENT_TITLE.is_match(text)),
        flag(next.is_some_and(|p| is_salutation(&p.text))),
        flag(text.char_indices().any(|(k, c)| k > 0 && c == '—')),
        ln(run.headings),
        topics[0],
        topics[1],
        topics[2],
        topics[3],
        flag(next.is_some_and(|p| name_only(&p.text))),
        flag(next.is_some_and(|p| p.text.len() <= 80 && BYLINE.is_match(&p.text))),
        flag(prev.is_some_and(title_shaped)),
        ln(spaced_phrases(text).saturating_sub(1)),
        flag(i == start && joins_word(before_run, after_run, idf)),
        flag(i == start && joins_word(before_run, Some(line), idf)),
        chars as f32 / page.style_longest[usize::from(style)].max(1) as f32,
        flag(next.is_some_and(|p| starts_with_dash(&p.text))),
        flag(BRACKETED.is_match(text)),
    ]
}

/// A line shaped as a title over a byline may be: short, with no full stop, not left open by a
/// comma.
fn title_shaped(b: &Block) -> bool {
    (4..=40).contains(&char_len(&b.text)) && !holds_stop(&b.text) && !b.text.ends_with(['，', ',', '、', '；', ';'])
}

/// A line that opens with a dash: a subtitle's (`——`, `--`, [`is_subtitle_line`]) or a single
/// `—`, as subtitles are also printed.
fn starts_with_dash(t: &str) -> bool {
    is_subtitle_line(t) || t.starts_with('—')
}

/// How many phrases of two characters or more spaces set apart in `t` (1 for a line without
/// inner spaces).
fn spaced_phrases(t: &str) -> usize {
    t.split([' ', '\u{3000}']).filter(|p| char_len(p) >= 2).count()
}

/// Whether `open`, a paragraph left open, and `next` meet in a word: the last character of one
/// and the first of the other are Han characters that stand side by side somewhere on the page.
fn joins_word(open: Option<&Block>, next: Option<&Block>, idf: &Idf) -> bool {
    let (Some(open), Some(next)) = (open, next) else { return false };
    open.kind == Kind::Body
        && !ends_sentence(&open.text)
        && matches!(
            (open.text.chars().next_back(), next.text.chars().next()),
            (Some(a), Some(b)) if is_han(a) && is_han(b) && idf.contains(a, b)
        )
}

/// Two short phrases side by side, as a sub-heading or a two-part title prints them.
fn two_phrases(t: &str) -> bool {
    two_short_phrases(t, 16)
}

/// A name alone: two to four Han characters, perhaps spaced (`王  珂`), or several names.
///
/// Asked of every line, paragraphs included: it stops at the first character that is not
/// part of a name, or past twelve Han characters, instead of counting the whole line.
fn name_only(t: &str) -> bool {
    let mut han = 0;
    for c in t.chars() {
        if is_han(c) {
            han += 1;
            if han > 12 {
                return false;
            }
        } else if !c.is_whitespace() && !matches!(c, '、' | '·') {
            return false;
        }
    }
    han >= 2 && t.split_whitespace().all(|w| char_len(w) <= 4)
}

/// How many blocks either side of a run are looked at for its topic, at most (with
/// [`TOPIC_REACH_CHARS`], this bounds the work a run costs).
const TOPIC_REACH_BLOCKS: usize = 12;

/// A run of adjacent candidate lines `start..=end`, and what its lines share.
struct Run {
    start: usize,
    end: usize,
    /// How many of its lines the shape rules took for headings.
    headings: usize,
    /// Whether one of its lines starts with a dash (a subtitle).
    has_dash_line: bool,
    /// Topic profiles of the text before the run and of the first paragraph after it; `None`
    /// when there is no text there.
    before: Option<Topic>,
    lead: Option<Topic>,
    /// How alike the text before and the text after are, when there is text on both sides:
    /// found once for all the lines of the run.
    continuity: Option<f32>,
}

/// The texts after the last run profiled and their profile, for the next run: the text between
/// two runs is often all of what one has after it and the other before it (a single
/// paragraph between two headings), and a profile depends only on which texts it counts.
#[derive(Default)]
struct NearProfiles {
    /// The texts after the last run, by their place among the counted texts, in order.
    after: Vec<u32>,
    profile: Option<Topic>,
}

impl Run {
    fn new(
        blocks: &[Option<&Block>],
        counted_at: &[u32],
        start: usize,
        end: usize,
        idf: &Idf,
        near: &mut NearProfiles,
    ) -> Self {
        let lines = || blocks[start..=end].iter().flatten();
        let headings = lines().filter(|r| r.kind == Kind::Heading).count();
        let has_dash_line = lines().any(|r| is_subtitle_line(&r.text));
        let mut before_texts = near_text(blocks[..start].iter().rev().copied(), |k| counted_at[start - 1 - k]);
        let after_texts = near_text(blocks[end + 1..].iter().copied(), |k| counted_at[end + 1 + k]);
        let profile = |texts: &[u32]| (!texts.is_empty()).then(|| idf.topic_of(texts.iter().map(|&t| t as usize)));
        // Walked back from the run, the texts before it come in reverse order.
        before_texts.reverse();
        let before = if before_texts == near.after { near.profile.take() } else { profile(&before_texts) };
        let after = profile(&after_texts);
        // A first paragraph that reaches past the text profiled is all of the text after.
        let lead = match after_texts.len() {
            0 => None,
            1 => after.clone(),
            _ => profile(&after_texts[..1]),
        };
        let continuity = match (&before, &after) {
            (Some(b), Some(a)) => Some(b.similarity(a)),
            _ => None,
        };
        near.after = after_texts;
        near.profile = after;
        Run { start, end, headings, has_dash_line, before, lead, continuity }
    }

    /// The topic evidence of one of the run's lines: how alike the text before and the text
    /// after are (a sub-heading divides one topic, a title starts another), how much the line
    /// restates the paragraph after the run (a title does), how much it shares with the text
    /// before, and whether there was text on both sides to judge.
    fn topic_features(&self, counted: u32, idf: &Idf) -> [f32; 4] {
        let own = idf.topic_of(std::iter::once(counted as usize));
        let restates = self.lead.as_ref().map_or(0.0, |l| own.similarity(l));
        match (&self.before, self.continuity) {
            (Some(b), Some(continuity)) => [continuity, restates, own.similarity(b), 1.0],
            _ => [0.0, restates, 0.0, 0.0],
        }
    }
}

/// The texts of the body paragraphs met walking `blocks` away from a run, up to a heading,
/// a break, [`TOPIC_REACH_CHARS`] characters or [`TOPIC_REACH_BLOCKS`] blocks.
/// Returns their places among the counted texts (`counted(k)` for the `k`th block walked).
fn near_text<'a>(blocks: impl Iterator<Item = Option<&'a Block>>, counted: impl Fn(usize) -> u32) -> Vec<u32> {
    let mut texts = Vec::new();
    let mut taken = 0;
    for (k, b) in blocks.take(TOPIC_REACH_BLOCKS).enumerate() {
        let Some(b) = b else { break };
        match b.kind {
            Kind::Heading => break,
            Kind::Body | Kind::Section => {
                texts.push(counted(k));
                taken += char_len(&b.text);
                if taken >= TOPIC_REACH_CHARS {
                    break;
                }
            }
            _ => {}
        }
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_alone_is_a_name_and_a_phrase_with_punctuation_is_not() {
        assert!(name_only("王  珂  王云杉"));
        assert!(name_only("钟声"));
        assert!(!name_only("本报记者：王珂"));
        assert!(!name_only("一"));
        assert!(!name_only("王珂王云杉李强张伟刘洋陈静"), "thirteen characters are more than names");
    }

    #[test]
    fn a_line_closed_by_an_end_marker_is_never_weighed() {
        for (kind, t) in [
            (Kind::Signature, "2024年7月5日于杜尚别 （新华社杜尚别7月5日电）"),
            (Kind::Body, "会谈在友好气氛中结束（完）"),
            (Kind::Heading, "王明（完）"),
        ] {
            assert!(!is_candidate(&Block::new(kind, t, 1)), "{t}");
        }
        for (kind, t) in [(Kind::Heading, "两国签署合作文件（附全文）"), (Kind::Signature, "2024年7月5日于杜尚别")]
        {
            assert!(is_candidate(&Block::new(kind, t, 1)), "{t}");
        }
    }

    #[test]
    fn a_line_wholly_in_round_brackets_is_bracketed_and_a_line_ending_in_them_is_not() {
        for t in ["（记者 王明）", "(王明参与采写)", "（受权发布）"] {
            assert!(BRACKETED.is_match(t), "{t}");
        }
        for t in ["（一）总体要求", "市政府召开常务会议（图）", "（一）（二）", "（记者 王明"]
        {
            assert!(!BRACKETED.is_match(t), "{t}");
        }
    }

    proptest::proptest! {
        /// The early exits change nothing: the line is judged as by counting it whole.
        #[test]
        fn a_name_alone_is_judged_as_by_counting_the_whole_line(t in "[王珂一 　、·，a]{0,20}") {
            let han = t.chars().filter(|c| is_han(*c)).count();
            let other = t.chars().filter(|c| !is_han(*c) && !c.is_whitespace() && !matches!(c, '、' | '·')).count();
            let whole = other == 0 && (2..=12).contains(&han) && t.split_whitespace().all(|w| char_len(w) <= 4);
            proptest::prop_assert_eq!(name_only(&t), whole);
        }
    }

    #[test]
    fn a_kicker_needs_a_title_under_it_and_a_subtitle_one_over_it() {
        let score = |best: usize| {
            let mut s = vec![0.0; ROLES.len()];
            s[best] = 1.0;
            s
        };
        // The grammar alone, without the fitted transitions.
        let no_transitions = |_: Option<usize>, _: usize| 0.0;
        let (kicker, sub, body) = (score(2), score(6), score(0));
        // Kicker over a sub-heading is not allowed: the first line falls to its next best.
        let mut first = kicker.clone();
        first[0] = 0.9;
        let seq = best_sequence_with(&[&first, &sub], no_transitions);
        assert_eq!(seq, [LineRole::Body, LineRole::Sub]);
        // A subtitle with no title over it is not one.
        let mut lone = score(4);
        lone[0] = 0.5;
        assert_eq!(best_sequence_with(&[&body, &lone], no_transitions), [LineRole::Body, LineRole::Body]);
        // Kicker, title, subtitle is a title block.
        assert_eq!(
            best_sequence_with(&[&kicker, &score(1), &score(4)], no_transitions),
            [LineRole::Kicker, LineRole::Title, LineRole::Subtitle]
        );
    }

    #[test]
    fn transitions_weigh_in_on_title_block_runs_and_not_on_tables() {
        // Alone, the second line is text by a little; a byline under a title outweighs that.
        let mut title = vec![0.0; ROLES.len()];
        title[LineRole::Title as usize] = 1.0;
        let mut name = vec![0.0; ROLES.len()];
        name[LineRole::Body as usize] = 1.0;
        name[LineRole::Byline as usize] = 0.5;
        let byline_after_title = |prev: Option<usize>, next: usize| {
            if prev == Some(LineRole::Title as usize) && next == LineRole::Byline as usize { 1.0 } else { 0.0 }
        };
        assert_eq!(best_sequence_with(&[&title, &name], |_, _| 0.0), [LineRole::Title, LineRole::Body]);
        assert_eq!(best_sequence_with(&[&title, &name], byline_after_title), [LineRole::Title, LineRole::Byline]);
        // In a run longer than any title block (a table), the transitions are not applied.
        let mut long: Vec<&[f32]> = vec![&title, &name];
        long.extend(std::iter::repeat_n(name.as_slice(), TRANSITION_RUN_MAX));
        let chosen = best_sequence_with(&long, byline_after_title);
        assert_eq!(chosen[1], LineRole::Body, "{chosen:?}");
    }

    #[test]
    fn phrases_set_apart_by_spaces_are_counted() {
        assert_eq!(spaced_phrases("安徽公墓違規出售\u{3000}5千蚊賣成30萬\u{3000}長輩仍健在"), 3);
        assert_eq!(spaced_phrases("长江十年禁渔进入第五年 水生生物资源持续恢复"), 2);
        // One-character pieces (a spaced-out name) are not phrases.
        assert_eq!(spaced_phrases("本报记者 王 珂"), 1);
        assert_eq!(spaced_phrases("会议在京举行。"), 1);
    }

    #[test]
    fn a_sentence_cut_inside_a_word_is_joined_across_the_lines_between() {
        let open = Block::new(Kind::Body, "在安徽省宿州市，除了一", 1);
        let rest = Block::new(Kind::Body, "個墓地由八千元賣至三十萬元。", 5);
        let title = Block::new(Kind::Heading, "安徽公墓違規以天價出售", 3);
        let idf = Idf::new(["這是一個墓地。", open.text.as_str(), title.text.as_str(), rest.text.as_str()].into_iter());
        // 一個 stands elsewhere on the page: the sentence goes on past the title.
        assert!(joins_word(Some(&open), Some(&rest), &idf));
        // 一安 does not: the title does not go on with it.
        assert!(!joins_word(Some(&open), Some(&title), &idf));
        // A finished sentence is not joined to anything.
        let closed = Block::new(Kind::Body, "墓地已经售出。", 1);
        assert!(!joins_word(Some(&closed), Some(&rest), &idf));
    }

    #[test]
    fn two_short_phrases_side_by_side() {
        assert!(two_phrases("真金白银投得更实  政策举措落得更准"));
        assert!(!two_phrases("伊春林区转型记"));
    }

    #[test]
    fn the_rest_of_a_line_opened_by_a_dateline_is_text_however_short() {
        // The page cut the report after its first words; a title follows. The words after the
        // dateline share its line, so they are the text it opens, not a kicker over that title.
        let mut items: Vec<Item> = [
            Block::new(Kind::Heading, "总理出席合作组织会议", 1),
            Block::new(Kind::Dateline, "本报北京10月17日电", 3),
            Block::new(Kind::Body, "当地时间16日，总理在当地出席合作组织成员国", 3),
            Block::new(Kind::Heading, "博览会参展商代表座谈会举行", 5),
            Block::new(Kind::Body, "参展商代表在座谈会上发言，介绍各自企业的经营情况。", 7),
        ]
        .into_iter()
        .map(Item::Block)
        .collect();
        let mut decisions = Vec::new();
        assign_roles(&mut items, false, Some(&mut decisions));
        assert!(decisions.iter().all(|d| d.line != 3), "{decisions:?}");
        assert!(matches!(&items[2], Item::Block(b) if b.kind == Kind::Body && b.role.is_none()));
        // The same words on a line of their own are weighed.
        if let Item::Block(b) = &mut items[2] {
            b.line = 4;
        }
        let mut decisions = Vec::new();
        assign_roles(&mut items, false, Some(&mut decisions));
        assert!(decisions.iter().any(|d| d.line == 4), "{decisions:?}");
    }

    #[test]
    fn a_line_over_a_dash_line_and_its_length_against_the_longest_of_its_style_are_weighed() {
        let mut blocks = [
            Block::new(Kind::Heading, "一二三四五六七八九", 1),
            Block::new(Kind::Body, "——副题", 2),
            Block::new(Kind::Heading, "一二三", 3),
            Block::new(Kind::Body, "正文说到这里。", 4),
        ];
        blocks[0].style = 2;
        blocks[2].style = 2;
        let refs: Vec<Option<&Block>> = blocks.iter().map(Some).collect();
        let idf = Idf::new(blocks.iter().map(|b| b.text.as_str()));
        let page = PageFacts::new(&refs, &[0, 2], true);
        let named = |i: usize| {
            let run = Run::new(&refs, &[0, 1, 2, 3], i, i, &idf, &mut NearProfiles::default());
            let x = features(&refs, i, i as u32, &run, 0, &page, &idf);
            move |name: &str| x[FEATURES.iter().position(|f| *f == name).expect("a feature")]
        };
        let (title, short) = (named(0), named(2));
        let near = |a: f32, b: f32| (a - b).abs() < 1e-6;
        assert!(near(title("next_starts_dash"), 1.0));
        assert!(near(short("next_starts_dash"), 0.0));
        assert!(near(title("length_to_style_longest"), 1.0));
        assert!(near(short("length_to_style_longest"), 1.0 / 3.0));
    }

    #[test]
    fn every_feature_has_a_value() {
        let blocks = [Block::new(Kind::Body, "前文说到这里。", 1), Block::new(Kind::Heading, "标题", 2)];
        let refs: Vec<Option<&Block>> = blocks.iter().map(Some).collect();
        let idf = Idf::new(blocks.iter().map(|b| b.text.as_str()));
        let page = PageFacts::new(&refs, &[1], false);
        let run = Run::new(&refs, &[0, 1], 1, 1, &idf, &mut NearProfiles::default());
        assert_eq!(features(&refs, 1, 1, &run, 0, &page, &idf).len(), FEATURES.len());
    }
}

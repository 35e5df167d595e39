//! Segmentation: cleaned lines → articles.
//!
//! A newspaper page scraped to text interleaves several articles: one is cut
//! mid-sentence and resumes after another, a sub-heading or the article's own
//! title block lands inside a sentence, page numerals and jump markers sit
//! between them. Segmentation works in passes, one module each, using only
//! evidence in the text (punctuation, heading shape, markers, datelines and
//! topic continuity):
//!
//! 1. [`classify`](mod@classify) turns lines into typed blocks (heading, body, dateline,
//!    caption, signature, end marker, numeral) and breaks (page, teaser list,
//!    jump marker), splitting datelines and end markers off their paragraphs;
//!    then [`lines`] weighs each short line for its role (title, kicker, label,
//!    subtitle, byline, sub-heading, furniture or text) with fitted weights
//!    ([`model`], `weights.tsv`, written by `scripts/train_segmenter`);
//! 2. [`pieces`](mod@pieces) cuts the blocks into pieces wherever an article may stop:
//!    before a heading, after an end marker, at a break, after a paragraph that
//!    stops mid-sentence and before one that starts mid-sentence;
//! 3. [`evidence`] holds what the decisions weigh: topic profiles of the text
//!    either side of a break, sentence and numbering continuity;
//! 4. [`link`](mod@link) pairs each piece that stops mid-sentence with the later piece
//!    that continues it, as one assignment over the page;
//! 5. [`roles`](mod@roles) decides each remaining piece's role: a new article, a section
//!    of the article before it, or the resumption of an earlier one;
//! 6. [`assemble`](mod@assemble) groups pieces into articles, moves a stray tail to the
//!    article it belongs to when the datelines disagree, and builds
//!    paragraphs, title block and clauses.
//!
//! `gongbao export --explain` prints every weighed decision with its features
//! and scores ([`Decision`]).

use std::cell::OnceCell;
use std::collections::HashMap;

use super::clean::{Line, ends_sentence, mid_sentence_start};
use super::{Article, RemovedKind, RemovedList};
pub use model::Decision;

mod assemble;
mod classify;
mod evidence;
mod lines;
mod link;
mod model;
mod pieces;
mod roles;

use assemble::{assemble, finish, move_stray_tails};
use classify::{classify, open_list_teasers, resolve_numerals};
use evidence::Evidence;
use link::{hidden_continuations, hidden_resumptions, link, split_pieces};
use pieces::pieces;
use roles::{drop_link_lists, roles};

/// What a block of text is, before articles are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Heading,
    Body,
    Dateline,
    Caption,
    Signature,
    End,
    /// A Chinese numeral alone on a line, page or section yet to be decided.
    Numeral(u32),
    /// A numeral that belongs to a numbered sequence of sections.
    Section,
    /// A chapter or section line of a statute (`第一章　总　则`).
    Chapter,
    /// A reporter's line (`本报记者 李 然`): a byline before the text, a
    /// credit after it.
    Byline,
}

#[derive(Debug, Clone)]
#[expect(clippy::struct_excessive_bools, reason = "independent facts about a line, each read by a different pass")]
struct Block {
    kind: Kind,
    text: String,
    line: usize,
    /// Marked as a heading by the source (`#`, or bold on its own).
    marked: bool,
    /// How the source marked it: 0 plain, 1–6 Markdown level, 7 bold. Sub-
    /// headings of one article share a style.
    style: u8,
    /// The first line after a teaser separator: a title whatever its shape.
    forced_title: bool,
    /// The title line of an item of a teaser list set as a Markdown list, opened as a teaser
    /// after the line pass ([`classify::open_list_teasers`]).
    list_teaser: bool,
    /// A bold headline its text runs on after, on the same line (`**标题** 正文…`), as news
    /// briefs are set.
    run_in: bool,
    /// The role the line model gave the line ([`lines`]), when it weighed it.
    role: Option<lines::LineRole>,
    /// The block's place in the page's bigram statistics when the line pass counted them
    /// ([`lines::assign_roles`]), so that the later passes profile it without counting again;
    /// `u32::MAX` before.
    text_index: u32,
    /// The line model's score for a sub-heading over its best title-block role (0 when the
    /// line was not weighed): evidence for the section decision of [`roles`].
    sub_evidence: f32,
    /// [`mid_sentence_start`] of `text`, once asked: several passes ask it of the same block
    /// (a block's text never changes once it is made).
    mid_start: OnceCell<f32>,
}

impl Block {
    fn new(kind: Kind, text: impl Into<String>, line: usize) -> Self {
        Block {
            kind,
            text: text.into(),
            line,
            marked: false,
            style: 0,
            forced_title: false,
            list_teaser: false,
            run_in: false,
            role: None,
            text_index: u32::MAX,
            sub_evidence: 0.0,
            mid_start: OnceCell::new(),
        }
    }

    /// Evidence that the block begins in the middle of a sentence ([`mid_sentence_start`]).
    fn mid_start(&self) -> f32 {
        *self.mid_start.get_or_init(|| mid_sentence_start(&self.text))
    }

    /// A body paragraph that stops mid-sentence.
    fn is_open(&self) -> bool {
        self.kind == Kind::Body && !ends_sentence(&self.text)
    }
}

/// Why the text is interrupted between two blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Break {
    /// A page numeral: the page changed (to this page, when it is a number).
    Page(u32),
    /// A separator line in a list of teasers.
    Teaser,
    /// `（上接第二版）`: what follows continues from another page.
    JumpFrom(String),
    /// `(下转第七版)`: what precedes continues on another page.
    JumpTo(String),
}

#[derive(Debug, Clone)]
enum Item {
    Block(Block),
    Break(Break),
}

/// Takes the items at `furniture` (indices, ascending) out of `items` into `removed`.
fn take_out(items: Vec<Item>, furniture: &[usize], removed: &mut RemovedList) -> Vec<Item> {
    if furniture.is_empty() {
        return items;
    }
    let mut next = furniture.iter().peekable();
    items
        .into_iter()
        .enumerate()
        .filter_map(|(i, it)| {
            if next.peek() != Some(&&i) {
                return Some(it);
            }
            next.next();
            if let Item::Block(b) = &it {
                removed.add(RemovedKind::Furniture, &b.text, b.line);
            }
            None
        })
        .collect()
}

/// Segments one source's cleaned lines into articles. `removed` receives the
/// markers segmentation takes out of the text.
pub fn segment(
    source: &str,
    source_index: usize,
    lines: Vec<Line>,
    markdown: bool,
    removed: &mut RemovedList,
) -> Vec<Article> {
    segment_explained(source, source_index, lines, markdown, removed, None)
}

/// [`segment`], appending every weighed decision to `explain` when it is given.
pub fn segment_explained(
    source: &str,
    source_index: usize,
    lines: Vec<Line>,
    markdown: bool,
    removed: &mut RemovedList,
    mut explain: Option<&mut Vec<Decision>>,
) -> Vec<Article> {
    let items = classify(lines, markdown, removed);
    let mut items = resolve_numerals(items, removed);
    let (furniture, counted) = lines::assign_roles(&mut items, markdown, explain.as_deref_mut());
    let items = open_list_teasers(take_out(items, &furniture, removed));
    let mut pieces = pieces(items);
    drop_link_lists(&mut pieces, removed);
    // Evidence is computed lazily and kept across passes: cutting a piece in
    // two keeps every text's position, so the counts stay valid.
    // The line pass's statistics serve the later passes too: blocks keep their place in them.
    let by_block = counted.is_some();
    let mut idf = counted;
    let mut searched = false;
    let roles = loop {
        let ev = Evidence::new(&pieces, idf.take(), by_block);
        // One search for hidden continuations; the pieces it cuts are final.
        let cuts = if searched {
            Vec::new()
        } else {
            let mut cuts = hidden_continuations(&ev, explain.as_deref_mut());
            cuts.extend(hidden_resumptions(&ev, explain.as_deref_mut()));
            cuts
        };
        searched = true;
        if cuts.is_empty() {
            if let Some(out) = explain.as_deref_mut() {
                for p in &pieces {
                    out.push(Decision::weighed(
                        "piece",
                        p.line(),
                        link::piece_opening(p),
                        &[
                            ("head_lines", p.head.len() as f32),
                            ("blocks", p.body.len() as f32),
                            ("dangling", f32::from(u8::from(p.is_dangling()))),
                            ("closed", f32::from(u8::from(p.closed))),
                        ],
                        &[],
                        p.start.name(),
                    ));
                }
            }
            let next = link(&ev, explain.as_deref_mut());
            let roles = roles(&ev, &next, explain.as_deref_mut());
            // The counts stay valid for the drafts (same blocks, as pieces were): kept for
            // the stray-tail pass rather than counted again.
            idf = ev.idf.into_inner();
            break roles;
        }
        idf = ev.idf.into_inner();
        pieces = split_pieces(pieces, &cuts);
    };
    let mut drafts = assemble(pieces, roles);
    move_stray_tails(&mut drafts, idf, explain);
    drafts.sort_by_key(|d| d.first_piece);
    keep_text_of_a_page_of_headings(&mut drafts);
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut articles = Vec::with_capacity(drafts.len());
    for d in drafts {
        // A heading with no text under it is not an article: the label over a list of teasers
        // whose items became excerpts of their own (`相关阅读`), a title the page cut off.
        if d.blocks().next().is_none() {
            for b in &d.head {
                removed.add(RemovedKind::Furniture, &b.text, b.line);
            }
            continue;
        }
        articles.push(finish(d, source, source_index, &mut ids));
    }
    articles
}

/// A page read as nothing but title blocks (two bare lines, a run of headlines) would show no
/// article at all, its every line set aside: its last line is taken as the text of the last
/// title block instead, so that a file with text never opens empty.
fn keep_text_of_a_page_of_headings(drafts: &mut [assemble::Draft]) {
    if drafts.iter().any(|d| d.blocks().next().is_some()) {
        return;
    }
    let Some(draft) = drafts.last_mut() else { return };
    let Some(mut text) = draft.head.pop() else { return };
    text.kind = Kind::Body;
    text.role = None;
    draft.parts.push(assemble::Part { blocks: vec![text], ..Default::default() });
}

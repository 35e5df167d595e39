//! Pass 5: pieces → drafts → [`Article`]s.

use std::cell::OnceCell;
use std::collections::HashMap;

use super::classify::{DATE_ONLY, DATELINE, DOCUMENT_NUMBER, END_DATELINE, WRITER, char_len, two_short_phrases};
use super::lines::LineRole;
use super::model::Decision;
use super::pieces::{Piece, Start};
use super::roles::Role;
use super::{Block, Kind};
use crate::corpus::clean::{ends_sentence, is_han, mid_sentence_start, trim_space};
use crate::corpus::garble::garbled_spans;
use crate::corpus::identity::article_id;
use crate::corpus::topic::{Idf, Topic};
use crate::corpus::{Article, ArticleKind, Note, NoteKind, Paragraph, ParagraphKind, clause};

/// An article under construction: the pieces it is made of, in reading order.
#[derive(Debug, Clone, Default)]
pub(super) struct Draft {
    /// Title block lines (column label, title, subtitle).
    pub(super) head: Vec<Block>,
    pub(super) parts: Vec<Part>,
    pub(super) teaser: bool,
    pub(super) continued_from: Option<String>,
    pub(super) continues_on: Option<String>,
    pub(super) stitched: bool,
    pub(super) first_piece: usize,
    /// Opened by a piece cut off where the text turns to the title block that comes next
    /// ([`Start::Lead`]).
    pub(super) leads: bool,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Part {
    pub(super) blocks: Vec<Block>,
    /// The first block continues the sentence the previous part broke off.
    pub(super) joins_previous: bool,
    /// Sub-headings that stood before this part.
    pub(super) subheads: Vec<Block>,
}

impl Draft {
    pub(super) fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.parts.iter().flat_map(|p| p.subheads.iter().chain(&p.blocks))
    }

    pub(super) fn starts_with_dateline(&self) -> bool {
        self.parts.first().and_then(|p| p.blocks.first()).is_some_and(|b| b.kind == Kind::Dateline)
    }

    pub(super) fn is_closed(&self) -> bool {
        self.continues_on.is_some()
            || self
                .parts
                .last()
                .and_then(|p| p.blocks.last())
                .is_some_and(|b| matches!(b.kind, Kind::End | Kind::Signature))
    }
}

/// A single heading line that reads as a sub-heading: two short phrases side by side.
pub(super) fn subheading_shaped(s: &str) -> bool {
    two_short_phrases(s, 12)
}

/// Pass 4b: groups the pieces into drafts by the roles [`roles`] gave them.
pub(super) fn assemble(pieces: Vec<Piece>, roles: Vec<Role>) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut draft_of: Vec<usize> = vec![0; pieces.len()];
    let style_recurs = heading_style_recurs(&pieces, &roles);
    for (i, (piece, role)) in pieces.into_iter().zip(roles).enumerate() {
        match role {
            Role::New | Role::Section if title_inside(&drafts, &draft_of, i, &piece) => {
                // The title block stands inside its own article's text: the untitled article
                // just before, which a dateline opened, is its opening.
                let a = drafts.len() - 1;
                draft_of[i] = a;
                let draft = &mut drafts[a];
                let open = draft.parts.last().and_then(|p| p.blocks.last()).is_some_and(Block::is_open);
                draft.head = piece.head;
                draft.continues_on = piece.continues_on.or(draft.continues_on.take());
                // The reporter's line under the title belongs with the title block, before the
                // opening, not between the two halves of the sentence the title block cut.
                let mut body = piece.body;
                let reporters = body.iter().take_while(|b| is_reporter_line(b)).count();
                draft.parts[0].blocks.splice(0..0, body.drain(..reporters));
                draft.parts.push(Part { blocks: body, joins_previous: open, subheads: Vec::new() });
            }
            Role::Continues(d) => {
                let a = draft_of[d];
                draft_of[i] = a;
                let draft = &mut drafts[a];
                draft.stitched |= d + 1 != i;
                let mut part = Part { blocks: piece.body, joins_previous: true, subheads: Vec::new() };
                // A title block (title with kicker or subtitle) inside the article's
                // own text becomes its title when the article has none; a single
                // line there is a sub-heading, unless a dateline opened the article
                // on this page (its title is then above it or here) and no later
                // section heading of the article shares its style (sub-headings share one).
                if draft.head.is_empty() && (piece.head.len() >= 2 || opened_here(draft) && !style_recurs[i]) {
                    draft.head = piece.head;
                } else {
                    part.subheads = piece.head;
                }
                draft.continues_on = piece.continues_on.or(draft.continues_on.take());
                draft.parts.push(part);
            }
            Role::Resumes(d) => {
                let a = draft_of[d];
                draft_of[i] = a;
                let draft = &mut drafts[a];
                // A sentence left open at the page end goes on here.
                let open = draft.parts.last().and_then(|p| p.blocks.last()).is_some_and(Block::is_open);
                draft.stitched = true;
                draft.continues_on = piece.continues_on;
                draft.parts.push(Part { blocks: piece.body, joins_previous: open, subheads: Vec::new() });
            }
            Role::Section => {
                let a = draft_of[i - 1];
                draft_of[i] = a;
                drafts[a].continues_on = piece.continues_on.or(drafts[a].continues_on.take());
                drafts[a].parts.push(Part { blocks: piece.body, joins_previous: false, subheads: piece.head });
            }
            Role::New => {
                draft_of[i] = drafts.len();
                drafts.push(Draft {
                    head: piece.head,
                    parts: vec![Part { blocks: piece.body, joins_previous: false, subheads: Vec::new() }],
                    teaser: piece.start == Start::Teaser,
                    continued_from: piece.continued_from,
                    continues_on: piece.continues_on,
                    stitched: false,
                    first_piece: i,
                    leads: piece.start == Start::Lead,
                });
            }
        }
    }
    drafts
}

/// For each piece, whether a section heading in the same style follows before the next new
/// article: sub-headings of one article share a style, its title stands apart.
fn heading_style_recurs(pieces: &[Piece], roles: &[Role]) -> Vec<bool> {
    let style = |p: &Piece| p.head.first().map(|b| b.style);
    (0..pieces.len())
        .map(|i| {
            let Some(own) = style(&pieces[i]) else { return false };
            (i + 1..pieces.len())
                .take_while(|&j| !matches!(roles[j], Role::New))
                .any(|j| matches!(roles[j], Role::Section | Role::Continues(_)) && style(&pieces[j]) == Some(own))
        })
        .collect()
}

/// Whether piece `i`, a new article under a title, is rather the title block of the untitled
/// article just before it: that article is only the pieces right before, and either the search
/// for turns of topic cut it off where the text turns to this title block ([`Start::Lead`]), or
/// a dateline opened it (a dateline starts an article, and an article starts under its title
/// unless the title block was put inside its text) and no dateline opens the text under the
/// title.
///
/// A heading judged a sub-heading counts too: an article that began on this page has a title
/// somewhere, and sub-headings come after it (so not after a sub-heading of the article).
fn title_inside(drafts: &[Draft], draft_of: &[usize], i: usize, piece: &Piece) -> bool {
    let Some(last) = drafts.last() else { return false };
    piece.start == Start::Heading
        && !piece.head.is_empty()
        && i > 0
        && (last.first_piece..i).all(|p| draft_of[p] == drafts.len() - 1)
        && last.head.is_empty()
        && last.parts.iter().all(|p| p.subheads.is_empty())
        && (last.leads
            || piece.body.iter().find(|b| !is_reporter_line(b)).is_some_and(|b| b.kind != Kind::Dateline)
                && opened_here(last))
}

/// A reporter's line before the text (`新华社记者 何晨`), which [`pieces`](super::pieces) files
/// with the datelines: it follows a title, so unlike a dispatch dateline it does not show that
/// the text under a title starts there.
fn is_reporter_line(b: &Block) -> bool {
    b.kind == Kind::Dateline && !DATELINE.is_match(&b.text)
}

/// An article a dateline opened on this page: not a teaser, not a continuation from another.
fn opened_here(draft: &Draft) -> bool {
    !draft.teaser && draft.continued_from.is_none() && draft.starts_with_dateline()
}

/// Open articles (nearest first) a stray tail may be moved back to.
pub(super) const STRAY_TAIL_WINDOW: usize = 8;

/// The least mean leaning of a tail's paragraphs towards an open article for it to move there.
const STRAY_TAIL_LEANING: f32 = 0.03;

/// Pass 4b: an article that opens with a dateline cannot also end with another
/// article's closing dateline `(新华社…电)`. When it does, its tail belongs to an
/// earlier article left open; find where the topic turns and move the tail. Every place
/// weighed is recorded in `explain` when it is given.
pub(super) fn move_stray_tails(drafts: &mut [Draft], idf: Option<Idf>, mut explain: Option<&mut Vec<Decision>>) {
    let idf_cell: OnceCell<Idf> = idf.map_or_else(OnceCell::new, OnceCell::from);
    let mut targets: HashMap<usize, Topic> = HashMap::new();
    for x in 0..drafts.len() {
        if !drafts[x].starts_with_dateline() {
            continue;
        }
        let blocks: Vec<&Block> = drafts[x].parts.iter().flat_map(|p| &p.blocks).collect();
        let Some(end) = blocks.iter().rposition(|b| b.kind == Kind::End && END_DATELINE.is_match(&b.text)) else {
            continue;
        };
        // The nearest open articles before it only: a stray tail lands on the page of the
        // article it belongs to, and looking further back made a long file quadratic.
        let mut open: Vec<usize> = (0..x)
            .rev()
            .filter(|&y| !drafts[y].teaser && !drafts[y].starts_with_dateline() && !drafts[y].is_closed())
            .take(STRAY_TAIL_WINDOW)
            .collect();
        open.reverse();
        if open.is_empty() {
            continue;
        }
        let idf = idf_cell.get_or_init(|| {
            Idf::new(drafts.iter().flat_map(|d| d.head.iter().chain(d.blocks())).map(|b| b.text.as_str()))
        });
        // The article's own anchor is its title and lead paragraph; each later
        // paragraph leans towards the anchor or towards the open article, and
        // the cut goes where the balance of evidence changes sides.
        let Some(lead) = blocks.iter().position(|b| b.kind == Kind::Body) else {
            continue;
        };
        let anchor = idf.topic(
            drafts[x].head.iter().map(|b| b.text.as_str()).chain(blocks[..=lead].iter().map(|b| b.text.as_str())),
        );
        let paras: Vec<Topic> =
            blocks[lead + 1..end].iter().map(|b| idf.topic(std::iter::once(b.text.as_str()))).collect();
        let to_anchor: Vec<f32> = idf.spread(&anchor, |anchor| paras.iter().map(|p| anchor.similarity(p)).collect());
        targets.retain(|y, _| open.contains(y));
        let mut best: Option<(f32, usize, usize)> = None;
        let mut weighed: Vec<(usize, usize, f32, f32)> = Vec::new();
        for &y in &open {
            // An open article is a target for each of the next few datelined ones: profile
            // it once, until a tail is moved onto it.
            let target = targets.entry(y).or_insert_with(|| idf.topic(drafts[y].blocks().map(|b| b.text.as_str())));
            let leaning: Vec<f32> = idf.spread(target, |target| {
                paras.iter().zip(&to_anchor).map(|(p, anchor)| target.similarity(p) - anchor).collect()
            });
            for k in 1..leaning.len() {
                let tail_mean = leaning[k..].iter().sum::<f32>() / (leaning.len() - k) as f32;
                let score: f32 = leaning[k..].iter().sum::<f32>() - leaning[..k].iter().sum::<f32>();
                if explain.is_some() {
                    weighed.push((y, lead + 1 + k, score, tail_mean));
                }
                if tail_mean > STRAY_TAIL_LEANING && best.is_none_or(|b| score > b.0) {
                    best = Some((score, y, lead + 1 + k));
                }
            }
        }
        if let Some(out) = explain.as_deref_mut() {
            for (y, k, score, tail_mean) in weighed {
                let block = blocks[k];
                let to = drafts[y].head.first().or_else(|| drafts[y].blocks().next()).map_or(0, |b| b.line);
                out.push(Decision::weighed(
                    "stray_tail",
                    block.line,
                    &block.text,
                    &[("to_article_line", to as f32), ("score", score)],
                    &[("stays", STRAY_TAIL_LEANING), ("moves", tail_mean)],
                    if best.is_some_and(|b| b.1 == y && b.2 == k) { "moves" } else { "stays" },
                ));
            }
        }
        let Some((_, y, k)) = best else { continue };
        targets.remove(&y);
        // Cut the flattened position k back into (part, block) coordinates.
        let mut tail: Vec<Block> = Vec::new();
        let mut seen = 0;
        for part in &mut drafts[x].parts {
            let len = part.blocks.len();
            if seen + len > k {
                let cut = k.saturating_sub(seen);
                tail.extend(part.blocks.drain(cut..));
            }
            seen += len;
        }
        drafts[x].parts.retain(|p| !p.blocks.is_empty() || !p.subheads.is_empty());
        drafts[y].stitched = true;
        let open = drafts[y].parts.last().and_then(|p| p.blocks.last()).is_some_and(Block::is_open);
        drafts[y].parts.push(Part { blocks: tail, joins_previous: open, subheads: Vec::new() });
    }
}

/// A block becomes a paragraph; its text moves (articles hold all the text
/// of the corpus, so copying it would cost an allocation per paragraph).
pub(super) fn paragraph(kind: ParagraphKind, b: Block) -> Paragraph {
    Paragraph { kind, text: b.text, garbled: Box::default(), line: u32::try_from(b.line).unwrap_or(u32::MAX) }
}

pub(super) fn paragraph_kind(k: Kind) -> ParagraphKind {
    match k {
        Kind::Heading | Kind::Chapter => ParagraphKind::Heading,
        Kind::Byline | Kind::Dateline => ParagraphKind::Dateline,
        Kind::Caption => ParagraphKind::Caption,
        Kind::Signature => ParagraphKind::Signature,
        Kind::End => ParagraphKind::End,
        Kind::Body | Kind::Numeral(_) | Kind::Section => ParagraphKind::Body,
    }
}

/// Joins two halves of a sentence; Latin words keep a space between them.
pub(super) fn join_text(a: &mut String, b: &str) {
    if a.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.starts_with(|c: char| c.is_ascii_alphanumeric())
    {
        a.push(' ');
    }
    a.push_str(b);
}

/// Pass 4c: a draft with text (a block under its heading) → an [`Article`]. A draft without
/// is no article: [`super::segment_explained`] sets its heading aside as furniture.
pub(super) fn finish(d: Draft, source: &str, source_index: usize, ids: &mut HashMap<String, usize>) -> Article {
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    for part in d.parts {
        let mut blocks = part.blocks.into_iter().peekable();
        // Captions that stood between the two halves of the sentence go after it.
        let mut captions = Vec::new();
        while part.joins_previous && blocks.peek().is_some_and(|b| b.kind == Kind::Caption) {
            captions.extend(blocks.next());
        }
        if part.joins_previous
            && let Some(last) = paragraphs.iter_mut().rev().find(|p| p.kind == ParagraphKind::Body)
            && let Some(first) = blocks.next()
        {
            if first.kind == Kind::Body {
                join_text(&mut last.text, &first.text);
            } else {
                paragraphs.push(paragraph(paragraph_kind(first.kind), first));
            }
        }
        paragraphs.extend(captions.into_iter().map(|b| paragraph(ParagraphKind::Caption, b)));
        paragraphs.extend(part.subheads.into_iter().map(|b| paragraph(ParagraphKind::Heading, b)));
        paragraphs.extend(blocks.map(|b| paragraph(paragraph_kind(b.kind), b)));
    }
    let (column, title, subtitle) = title_block(&d.head);
    let mut garbled = false;
    for p in &mut paragraphs {
        p.garbled = garbled_spans(&p.text).into_boxed_slice();
        garbled |= !p.garbled.is_empty();
    }
    let dateline = paragraphs
        .iter()
        .find(|p| p.kind == ParagraphKind::Dateline)
        .and_then(|p| DATELINE.find(&p.text))
        .map(|m| m.as_str().to_string());
    let dateline_text = dateline.as_deref().map(|s| {
        let cut = s.find(['(', '（']).unwrap_or(s.len());
        trim_space(&s[..cut]).to_string()
    });
    let author = author(&paragraphs, title.as_deref());
    let last_body = paragraphs.iter().rev().find(|p| p.kind == ParagraphKind::Body);
    let truncated = last_body.is_some_and(|p| {
        let t = trim_space(&p.text);
        t.ends_with("...") || (t.ends_with('…') && !t.ends_with("……")) || (d.teaser && t.ends_with("……"))
    });
    let kind = if truncated { ArticleKind::Excerpt } else { ArticleKind::Article };
    let notes = notes(d.continued_from, d.continues_on, d.stitched, kind, &paragraphs, garbled);
    let mut clauses = clause::number(&paragraphs);
    let id = article_id(source, title.as_deref(), &paragraphs, ids);
    // Articles are kept for the whole session, millions of paragraphs in an archive: no
    // spare capacity from growing the lists (5% of the paragraphs' own size).
    paragraphs.shrink_to_fit();
    clauses.shrink_to_fit();
    Article {
        id,
        source_index,
        source: source.to_string(),
        title,
        subtitle,
        author,
        column,
        dateline: dateline_text,
        kind,
        paragraphs,
        clauses,
        notes,
    }
}

/// What a reader should know about an article: where it continues, whether
/// it was stitched, whether it is a fragment, whether it holds garbled text.
pub(super) fn notes(
    continued_from: Option<String>,
    continues_on: Option<String>,
    stitched: bool,
    kind: ArticleKind,
    paragraphs: &[Paragraph],
    garbled: bool,
) -> Vec<Note> {
    let mut notes = Vec::new();
    if let Some(from) = continued_from {
        notes.push(Note { kind: NoteKind::ContinuedFrom, text: format!("continued from {from}") });
    }
    if let Some(to) = continues_on {
        notes.push(Note { kind: NoteKind::ContinuesOn, text: format!("continues on {to}") });
    }
    if stitched {
        notes.push(Note { kind: NoteKind::Stitched, text: "reassembled from parts separated by other text".into() });
    }
    let last_body = paragraphs.iter().rev().find(|p| p.kind == ParagraphKind::Body);
    let first_body = paragraphs.iter().find(|p| p.kind == ParagraphKind::Body);
    if notes.iter().all(|n| n.kind != NoteKind::ContinuedFrom)
        && first_body.is_some_and(|p| mid_sentence_start(&p.text) >= 0.8)
    {
        notes.push(Note { kind: NoteKind::Fragment, text: "starts mid-sentence".into() });
    }
    if kind == ArticleKind::Article
        && notes.iter().all(|n| n.kind != NoteKind::ContinuesOn)
        && last_body.is_some_and(|p| !ends_sentence(&p.text))
    {
        notes.push(Note { kind: NoteKind::Fragment, text: "ends mid-sentence".into() });
    }
    if garbled {
        notes.push(Note { kind: NoteKind::Garbled, text: "contains garbled text (mojibake)".into() });
    }
    notes
}

/// Splits a title block into column label, title and subtitle. A short first
/// line above a longer one is a column label (`国际论坛`); a line after the
/// title is its subtitle.
pub(super) fn title_block(head: &[Block]) -> (Option<String>, Option<String>, Option<String>) {
    // The line model names the title among the lines of the block; the lines above it are
    // kicker and column label, those below it the subtitle. When it calls two lines titles,
    // the lower one is: a kicker stands over its title, never under it. A document's number
    // or a date under its title is never the title.
    if let Some(t) = head.iter().rposition(|b| {
        let text = b.text.trim();
        b.role == Some(LineRole::Title) && !DOCUMENT_NUMBER.is_match(text) && !is_date_line(text)
    }) {
        // One column label; any other line the model read as a label stays in the subtitle, as
        // every line of the block has to be somewhere (a block of table cells read as labels
        // lost all but one).
        let label = head[..t].iter().position(|b| b.role == Some(LineRole::Label));
        let column = label.map(|l| head[l].text.clone());
        let rest: Vec<&str> = head
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != t && Some(i) != label)
            .map(|(_, b)| b.text.as_str())
            .collect();
        return (column, Some(head[t].text.clone()), (!rest.is_empty()).then(|| rest.join(" ")));
    }
    let mut lines: Vec<&str> = head.iter().map(|b| b.text.as_str()).collect();
    // 引题 / 主题 / 副题: the title is the line just above the `——` subtitle,
    // and a kicker above it joins the subtitle.
    if let Some(dash) = lines.iter().position(|l| is_subtitle_line(l)).filter(|&i| i >= 2) {
        let title = lines[dash - 1].to_string();
        let mut rest: Vec<&str> = lines[..dash - 1].to_vec();
        let column = (rest.len() >= 2 && char_len(rest[0]) <= 6).then(|| rest.remove(0).to_string());
        rest.extend(&lines[dash..]);
        return (column, Some(title), Some(rest.join(" ")));
    }
    let column = (lines.len() >= 2 && char_len(lines[0]) <= 6 && char_len(lines[1]) > char_len(lines[0]))
        .then(|| lines.remove(0).to_string());
    let title = (!lines.is_empty()).then(|| lines.remove(0).to_string());
    let subtitle = (!lines.is_empty()).then(|| lines.join(" "));
    (column, title, subtitle)
}

/// A date alone on its line, perhaps in brackets (`（2025年2月10日）`), as a speech prints it
/// under its title.
fn is_date_line(text: &str) -> bool {
    let inner = text.strip_prefix(['（', '(']).and_then(|t| t.strip_suffix(['）', ')'])).unwrap_or(text);
    DATE_ONLY.is_match(inner.trim())
}

/// A subtitle under a title: `——…`, or `--…` where the dash was typed in ASCII.
pub(super) fn is_subtitle_line(s: &str) -> bool {
    s.starts_with("——") || s.starts_with("--")
}

/// The writer named in a byline, an end marker or after the title (`… 钟声`).
pub(super) fn author(paragraphs: &[Paragraph], title: Option<&str>) -> Option<String> {
    for p in paragraphs {
        if matches!(p.kind, ParagraphKind::Dateline | ParagraphKind::End)
            // (Every match names a 记者 or 記者: a substring search first
            // spares the slower capturing search on other lines.)
            && (p.text.contains("记者") || p.text.contains("記者"))
            && let Some(c) = WRITER.captures(&p.text)
        {
            // Two-character names are often padded to three columns: 李 然.
            let name = trim_space(&c[1]);
            let squeezed: String = if name.split_whitespace().all(|p| p.chars().all(is_han)) {
                name.split_whitespace().collect()
            } else {
                name.to_string()
            };
            return Some(squeezed);
        }
    }
    let title = title?;
    let (before, pen) = title.rsplit_once([' ', '\u{3000}'])?;
    let n = char_len(pen);
    ((2..=3).contains(&n) && pen.chars().all(is_han) && char_len(before) >= 8).then(|| pen.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::pieces::test_piece as piece;

    /// A heading line the line model gave `role`.
    fn line(text: &str, role: LineRole) -> Block {
        let mut b = Block::new(Kind::Heading, text, 1);
        b.role = Some(role);
        b
    }

    #[test]
    fn a_date_under_a_speechs_title_is_never_its_title() {
        let head = [
            line("全力打造一流营商环境", LineRole::Title),
            line("——在全省优化营商环境大会上的讲话", LineRole::Subtitle),
            line("（2025年2月10日）", LineRole::Title),
        ];
        let (_, title, subtitle) = title_block(&head);
        assert_eq!(title.as_deref(), Some("全力打造一流营商环境"));
        assert_eq!(subtitle.as_deref(), Some("——在全省优化营商环境大会上的讲话 （2025年2月10日）"));
        assert!(is_date_line("2025年2月10日") && is_date_line("(二〇二五年三月一日)"));
        assert!(!is_date_line("2025年2月10日会议纪要") && !is_date_line("（记者 王珂）"));
    }

    #[test]
    fn every_line_of_a_title_block_read_as_labels_is_kept() {
        // Cells of a table the line model read as labels, over and under a title.
        let head = [
            line("城市", LineRole::Label),
            line("天气", LineRole::Label),
            line("全国部分城市天气预报", LineRole::Title),
            line("气温", LineRole::Label),
        ];
        let (column, title, subtitle) = title_block(&head);
        assert_eq!(column.as_deref(), Some("城市"));
        assert_eq!(title.as_deref(), Some("全国部分城市天气预报"));
        assert_eq!(subtitle.as_deref(), Some("天气 气温"));
    }

    fn texts(draft: &Draft) -> Vec<&str> {
        draft.blocks().map(|b| b.text.as_str()).collect()
    }

    #[test]
    fn an_opening_cut_off_before_a_title_block_is_that_titles_article() {
        let pieces = vec![
            piece(
                Start::File,
                Some("图书馆延长开放时间"),
                &["图书馆暑期每天开放至晚上九点。", "新增自习座位三百余个。"],
                1,
            ),
            piece(Start::Lead, None, &["连接县城和山区的公路近日建成通车，"], 4),
            piece(Start::Heading, Some("山区县新修公路通车"), &["沿线群众出行时间缩短到四十分钟。"], 5),
        ];
        let drafts = assemble(pieces, vec![Role::New, Role::New, Role::New]);
        assert_eq!(drafts.len(), 2);
        assert_eq!(drafts[1].head.first().map(|b| b.text.as_str()), Some("山区县新修公路通车"));
        assert_eq!(texts(&drafts[1]), ["连接县城和山区的公路近日建成通车，", "沿线群众出行时间缩短到四十分钟。"]);
        // The sentence the title block was put into goes on under it.
        assert!(drafts[1].parts[1].joins_previous);
        // Without the cut, an untitled piece no dateline opened keeps its own article.
        let pieces = vec![
            piece(Start::File, Some("图书馆延长开放时间"), &["图书馆暑期每天开放至晚上九点。"], 1),
            piece(Start::Closed, None, &["连接县城和山区的公路近日建成通车。"], 3),
            piece(Start::Heading, Some("山区县新修公路通车"), &["沿线群众出行时间缩短到四十分钟。"], 4),
        ];
        let drafts = assemble(pieces, vec![Role::New, Role::New, Role::New]);
        assert_eq!(drafts.len(), 3);
    }
}

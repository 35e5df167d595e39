//! Pass 2: blocks → pieces, cut wherever an article may stop.

use super::{Block, Break, Item, Kind};
use crate::corpus::clause;

/// Why a piece starts where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    File,
    Heading,
    Page,
    Teaser,
    JumpFrom,
    /// After an end marker or signature.
    Closed,
    Dateline,
    /// After a paragraph that stopped mid-sentence.
    Open,
    /// The first paragraph itself starts mid-sentence.
    MidSentence,
    /// Cut out of another article's text where the topic turns back to an earlier article
    /// ([`super::link::hidden_resumptions`]), which [`Piece::resumes`] names.
    Shift,
    /// Cut off the end of a piece where the text turns to the article whose title block comes
    /// next ([`super::link::hidden_resumptions`]): that title block stands inside its own
    /// article's text, and this is the article's opening.
    Lead,
}

impl Start {
    /// The name `--explain` gives it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Start::File => "file_start",
            Start::Heading => "heading",
            Start::Page => "page_break",
            Start::Teaser => "teaser",
            Start::JumpFrom => "jump_from",
            Start::Closed => "after_closed",
            Start::Dateline => "dateline",
            Start::Open => "after_open",
            Start::MidSentence => "mid_sentence",
            Start::Lead => "lead",
            Start::Shift => "topic_shift",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Piece {
    pub(super) head: Vec<Block>,
    pub(super) body: Vec<Block>,
    pub(super) start: Start,
    pub(super) closed: bool,
    pub(super) continued_from: Option<String>,
    pub(super) continues_on: Option<String>,
    /// The page numeral seen just before the piece.
    pub(super) page: Option<u32>,
    /// For a piece that starts at a [`Start::Shift`]: the earlier piece whose article it resumes.
    pub(super) resumes: Option<usize>,
}

impl Piece {
    pub(super) fn new(start: Start) -> Self {
        Piece {
            head: Vec::new(),
            body: Vec::new(),
            start,
            closed: false,
            continued_from: None,
            continues_on: None,
            page: None,
            resumes: None,
        }
    }

    /// The last numbered clause label in the piece.
    pub(super) fn last_label(&self) -> Option<clause::Label> {
        self.body
            .iter()
            .rev()
            .filter(|b| matches!(b.kind, Kind::Body | Kind::Section))
            .find_map(|b| clause::detect(&b.text))
    }

    /// The first numbered clause label among the piece's first `n` paragraphs.
    pub(super) fn first_label(&self, n: usize) -> Option<clause::Label> {
        self.body
            .iter()
            .take(n)
            .filter(|b| matches!(b.kind, Kind::Body | Kind::Section))
            .find_map(|b| clause::detect(&b.text))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.head.is_empty() && self.body.is_empty()
    }

    /// Stops mid-sentence, with nothing closing it.
    pub(super) fn is_dangling(&self) -> bool {
        !self.closed && self.body.last().is_some_and(Block::is_open)
    }

    pub(super) fn first_text(&self) -> Option<&Block> {
        self.body.first()
    }

    pub(super) fn line(&self) -> usize {
        self.head.first().or(self.body.first()).map_or(0, |b| b.line)
    }
}

/// Pass 2: cuts the stream of blocks into pieces at every place an article may stop.
pub(super) fn pieces(items: Vec<Item>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut cur = Piece::new(Start::File);
    let mut pending: Option<Start> = None;
    let mut pending_from: Option<String> = None;
    let mut pending_page: Option<u32> = None;
    let finish = |cur: &mut Piece, out: &mut Vec<Piece>, start: Start| {
        let done = std::mem::replace(cur, Piece::new(start));
        if !done.is_empty() {
            out.push(done);
        }
    };
    // What the current piece's body holds, counted as it grows: asking the body itself for
    // every block made a piece of many blocks quadratic.
    let mut tally = BodyTally::default();
    let mut items = items.into_iter().peekable();
    while let Some(item) = items.next() {
        let block = match item {
            Item::Break(Break::JumpTo(label)) => {
                if cur.is_empty() {
                    if let Some(prev) = out.last_mut() {
                        prev.continues_on = Some(label);
                        prev.closed = true;
                    }
                } else {
                    cur.continues_on = Some(label);
                    cur.closed = true;
                }
                pending = Some(Start::Closed);
                continue;
            }
            Item::Break(brk) => {
                let start = match brk {
                    Break::Page(n) => {
                        pending_page = Some(n);
                        Start::Page
                    }
                    Break::Teaser => Start::Teaser,
                    Break::JumpFrom(label) => {
                        pending_from = Some(label);
                        Start::JumpFrom
                    }
                    Break::JumpTo(_) => Start::Closed,
                };
                finish(&mut cur, &mut out, start);
                tally = BodyTally::default();
                // A teaser separator outranks a page break next to it.
                pending = Some(match pending {
                    Some(Start::Teaser) => Start::Teaser,
                    _ => start,
                });
                continue;
            }
            Item::Block(b) => b,
        };
        let only_datelines = !cur.body.is_empty() && tally.non_datelines == 0;
        let cut_start = cut_before(&cur, &block, only_datelines, tally.non_datelines > 0);
        if let Some(start) = cut_start {
            let start = pending.take().unwrap_or(start);
            // Datelines seen before a heading belong to the article the heading opens.
            let carried =
                if block.kind == Kind::Heading && only_datelines { std::mem::take(&mut cur.body) } else { Vec::new() };
            finish(&mut cur, &mut out, start);
            // Carried datelines are not counted: they hold no text and open the new piece.
            cur.body = carried;
            tally = BodyTally::default();
        } else if let Some(start) = pending.take()
            && cur.is_empty()
        {
            cur.start = start;
        }
        if cur.is_empty()
            && let Some(from) = pending_from.take()
        {
            cur.continued_from = Some(from);
        }
        if cur.is_empty()
            && let Some(page) = pending_page.take()
        {
            cur.page = Some(page);
        }
        let mut block = block;
        let has_text = tally.text > 0;
        // A reporter's line with text on both sides is the byline of a part of the article (a
        // feature of several reports, each under its own heading and byline), not its end.
        let inside = block.kind == Kind::Byline
            && has_text
            && matches!(items.peek(), Some(Item::Block(next)) if next.kind == Kind::Body);
        if matches!(block.kind, Kind::Byline | Kind::Signature) {
            // Before any text a reporter's line or note is the byline; after
            // the text it is the closing credit.
            block.kind = if has_text { Kind::Signature } else { Kind::Dateline };
        }
        match block.kind {
            Kind::Heading if tally.non_datelines == 0 => cur.head.push(block),
            Kind::End | Kind::Signature => {
                cur.closed |= !inside;
                tally.add(block.kind);
                cur.body.push(block);
            }
            _ => {
                tally.add(block.kind);
                cur.body.push(block);
            }
        }
    }
    finish(&mut cur, &mut out, Start::File);
    out
}

/// Counts of a piece's body blocks, kept as the body grows.
#[derive(Debug, Clone, Copy, Default)]
struct BodyTally {
    /// Blocks other than datelines.
    non_datelines: usize,
    /// Blocks of text: paragraphs, captions, sections, chapters.
    text: usize,
}

impl BodyTally {
    fn add(&mut self, kind: Kind) {
        self.non_datelines += usize::from(kind != Kind::Dateline);
        self.text += usize::from(matches!(kind, Kind::Body | Kind::Caption | Kind::Section | Kind::Chapter));
    }
}

/// Whether `block` starts a new piece after `cur`, and why. `only_datelines`: the body so far is
/// datelines alone; `past_opening`: it holds something else.
pub(super) fn cut_before(cur: &Piece, block: &Block, only_datelines: bool, past_opening: bool) -> Option<Start> {
    match block.kind {
        Kind::Heading if !cur.body.is_empty() && !only_datelines => Some(Start::Heading),
        // A dateline opens an article unless only the article's opening lines come before it: a
        // byline (made a dateline above) or the web edition's page line under a title.
        Kind::Dateline if past_opening => Some(Start::Dateline),
        Kind::Body | Kind::Caption | Kind::Section | Kind::Chapter | Kind::Heading | Kind::Dateline | Kind::Byline
            if cur.closed =>
        {
            Some(Start::Closed)
        }
        Kind::Body | Kind::Caption | Kind::Section | Kind::Chapter => {
            if cur.body.last().is_some_and(Block::is_open) {
                Some(Start::Open)
            } else if block.kind == Kind::Body && !cur.body.is_empty() && block.mid_start() >= 0.8 {
                Some(Start::MidSentence)
            } else {
                None
            }
        }
        _ => None,
    }
}

pub(super) fn piece_texts(p: &Piece) -> impl Iterator<Item = &str> {
    p.head.iter().chain(&p.body).map(|b| b.text.as_str())
}

/// A piece starting at `start`, of an optional heading and body paragraphs on lines from `line`
/// on: how the passes' tests build their pages.
#[cfg(test)]
pub(super) fn test_piece(start: Start, heading: Option<&str>, paragraphs: &[&str], line: usize) -> Piece {
    let mut p = Piece::new(start);
    p.head = heading.into_iter().map(|h| Block::new(Kind::Heading, h, line)).collect();
    let first = line + p.head.len();
    p.body = paragraphs.iter().enumerate().map(|(i, t)| Block::new(Kind::Body, *t, first + i)).collect();
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(kinds: &[(Kind, &str)]) -> Vec<Item> {
        kinds.iter().enumerate().map(|(i, &(kind, text))| Item::Block(Block::new(kind, text, i + 1))).collect()
    }

    #[test]
    fn a_reporters_line_between_paragraphs_bylines_a_part_and_one_after_the_text_closes_it() {
        let part = "工厂的产线可以兼容不同厂商的产品，实现快速换型。";
        let next = "实验室里，工作人员正在检测新材料的各项性能指标。";
        // Between two paragraphs: the byline of the next part, which goes on in the same piece.
        let within = pieces(blocks(&[(Kind::Body, part), (Kind::Byline, "本报记者 王明"), (Kind::Body, next)]));
        assert_eq!(within.len(), 1);
        assert!(!within[0].closed);
        assert_eq!(within[0].body.len(), 3);
        // After the text, before a heading or at the page's end: the closing credit.
        let heading_next = [(Kind::Heading, "新材料检测走进园区"), (Kind::Body, next)];
        for rest in [&heading_next[..], &[]] {
            let mut kinds = vec![(Kind::Body, part), (Kind::Byline, "本报记者 王明")];
            kinds.extend_from_slice(rest);
            let ended = pieces(blocks(&kinds));
            assert!(ended[0].closed, "{rest:?}");
        }
    }
}

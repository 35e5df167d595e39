//! Pass 4: the role of each piece: new article, section, or resumption.

use std::cell::OnceCell;
use std::sync::LazyLock;

use regex::Regex;

use super::assemble::{is_subtitle_line, subheading_shaped};
use super::classify::{DATELINE, char_len};
use super::evidence::{Evidence, numbering_agreement};
use super::lines::LineRole;
use super::link::piece_opening;
use super::model::{Decision, RESUME, SECTION, flag, ln};
use super::pieces::{Piece, Start};
use super::{Block, Kind};
use crate::corpus::clean::ends_sentence;
use crate::corpus::{RemovedKind, RemovedList, clause};

/// How a piece joins the articles: a new article, the continuation of a
/// dangling piece, or a section of the article before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    New,
    Continues(usize),
    Section,
    /// Resumes, after a page change, the article whose last piece is this one.
    Resumes(usize),
}

/// Pass 4a: decides each piece's role from the links and the headings.
/// The decisions weighed are appended to `explain` when it is given.
pub(super) fn roles(ev: &Evidence, next: &[Option<usize>], mut explain: Option<&mut Vec<Decision>>) -> Vec<Role> {
    let pieces = ev.pieces;
    let mut prev_of: Vec<Option<usize>> = vec![None; pieces.len()];
    for (d, n) in next.iter().enumerate() {
        if let Some(c) = *n {
            prev_of[c] = Some(d);
        }
    }
    let mut roles = Vec::with_capacity(pieces.len());
    // Pieces of each article so far, by the article's first piece.
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut article_of: Vec<usize> = vec![0; pieces.len()];
    // Articles whose jump to another page has been answered by a
    // `（上接…）` piece already.
    let mut caught: Vec<bool> = Vec::new();
    for i in 0..pieces.len() {
        let role = if let Some(d) = prev_of[i] {
            Role::Continues(d)
        } else if pieces[i].start == Start::Lead {
            // The opening of the article whose title block comes next (assemble puts the two
            // together).
            Role::New
        } else if let (Start::Shift, Some(d)) = (pieces[i].start, pieces[i].resumes) {
            // Cut out where the text turns back to an earlier article: it resumes that article.
            Role::Resumes(*members[article_of[d]].last().expect("an article has its pieces"))
        } else if i > 0
            && pieces[i].start == Start::Heading
            && is_subsection(
                ev,
                i,
                &members[article_of[i - 1]],
                caught.get(article_of[i - 1]).copied().unwrap_or(false),
                explain.as_deref_mut(),
            )
        {
            Role::Section
        } else if let Some(d) = resumed(ev, i, &members, &caught, explain.as_deref_mut()) {
            Role::Resumes(d)
        } else if i > 0 && goes_on(ev, i, &members[article_of[i - 1]], explain.as_deref_mut()) {
            Role::Section
        } else {
            Role::New
        };
        match role {
            Role::Continues(d) | Role::Resumes(d) => article_of[i] = article_of[d],
            Role::Section => article_of[i] = article_of[i - 1],
            Role::New => {
                article_of[i] = members.len();
                members.push(Vec::new());
            }
        }
        members[article_of[i]].push(i);
        // A jump marker is answered once: the article is no longer waiting, unless the piece that
        // answered it jumps on again (`（上接第一版）…（下转第六版）`).
        if matches!(role, Role::Resumes(_)) && pieces[i].start == Start::JumpFrom {
            caught.resize(members.len(), false);
            caught[article_of[i]] = pieces[i].continues_on.is_none();
        } else if pieces[i].continues_on.is_some() && article_of[i] < caught.len() {
            caught[article_of[i]] = false;
        }
        roles.push(role);
    }
    roles
}

/// Whether piece `i`, cut off only because it opens mid-sentence or follows a paragraph left
/// open, and linked to no sentence left open, goes on with the article before it (`article`, its
/// pieces so far). An opening that looks mid-sentence (`中大、科大…` reads like the tail of a
/// word cut after `、`) with nothing before it to continue is weak evidence of a new text, and
/// so is a line without a full stop before it that nothing continues (a label set as a line of
/// text, `福利工作`); the topic decides, by the standard a heading
/// needs to be a section (`HAND_SECTION.threshold`). A piece of one short finished sentence
/// always goes on: alone it would be an untitled article of a sentence, which no page prints (a
/// short line left open is the head of a broken sentence, for the link step), while a closing
/// line that lists names (`甲乙、丙丁等出席。`) opens as a cut word does. The decision is
/// recorded in `explain`.
fn goes_on(ev: &Evidence, i: usize, article: &[usize], explain: Option<&mut Vec<Decision>>) -> bool {
    let piece = &ev.pieces[i];
    if !piece.head.is_empty() || !matches!(piece.start, Start::MidSentence | Start::Open) {
        return false;
    }
    let continuity = ev.idf().similarity(&ev.article_ending(article), ev.opening(i));
    let short_line = piece.body.len() == 1 && {
        let text = &piece.body[0].text;
        char_len(text) <= SHORT_LINE_CHARS && ends_sentence(text)
    };
    let goes_on = short_line || continuity >= HAND_SECTION.threshold;
    if let Some(out) = explain {
        out.push(Decision::weighed(
            "mid_sentence_rest",
            piece.line(),
            piece_opening(piece),
            &[("continuity", continuity), ("short_line", if short_line { 1.0 } else { 0.0 })],
            &[("new", HAND_SECTION.threshold), ("goes_on", continuity)],
            if goes_on { "goes_on" } else { "new" },
        ));
    }
    goes_on
}

/// The longest piece of one line that [`goes_on`] never makes an article of its own: a closing
/// sentence (the longest such line on segbench dev, a list of six attendees, is 29 characters).
const SHORT_LINE_CHARS: usize = 40;

/// The article an untitled piece resumes, if any: one left open (no end marker) or sent on with
/// a jump marker, whose topic and numbering the piece continues. Weighed for a piece after a page
/// change or a jump marker, and for one after a finished article (an end marker, an author's
/// line): the rest of an article cut between paragraphs by another set inside it. Each earlier
/// article among the latest is weighed by the fitted `resume` decision ([`RESUME_FEATURES`]);
/// without its weights the hand-set rule ([`HAND_RESUME`]) decides, and only after a page change
/// or a jump. Returns the resumed article's last piece.
pub(super) fn resumed(
    ev: &Evidence,
    i: usize,
    articles: &[Vec<usize>],
    caught: &[bool],
    explain: Option<&mut Vec<Decision>>,
) -> Option<usize> {
    let model = &*RESUME;
    let piece = &ev.pieces[i];
    let after_closed = piece.start == Start::Closed && (model.is_fitted() || explain.is_some());
    if !piece.head.is_empty()
        || !(matches!(piece.start, Start::Page | Start::JumpFrom) || after_closed)
        || piece.first_text().is_none_or(|b| b.kind == Kind::Dateline)
    {
        return None;
    }
    let query = ResumeQuery::new(ev, i, articles, caught);
    // Resumption comes within a page or two: the latest articles only.
    let mut weighed: Vec<(usize, usize, ResumeRecord)> =
        (0..articles.len()).rev().take(RESUME_REACH).filter_map(|a| query.weigh(a)).collect();
    // How far each article's topic leads the best of the others weighed.
    let topics: Vec<f32> = weighed.iter().map(|w| w.2[RESUME_TOPIC]).collect();
    for (k, (_, _, x)) in weighed.iter_mut().enumerate() {
        let others = topics.iter().enumerate().filter(|&(j, _)| j != k).map(|(_, &t)| t);
        x[RESUME_TOPIC + 1] = others.clone().reduce(f32::max).map_or(x[RESUME_TOPIC], |best| x[RESUME_TOPIC] - best);
        x[RESUME_TOPIC + 2] = others.count() as f32;
    }
    let mut best: Option<(f32, usize, usize)> = None;
    let mut each_scores = Vec::with_capacity(weighed.len());
    for (first, last, x) in &weighed {
        let (s, margin) = if model.is_fitted() {
            let s = model.scores(&x[..RESUME_FEATURES.len()]);
            // A piece that opens with a numbered item the article's numbering does not lead to
            // (`二是…` where the article began no list) is not its rest, whatever the rest says.
            // The fitted decision alone resumed such a fragment after a page numeral on a
            // sample; the constraint costs nothing measurable on generated pages (training
            // seeds 101, 102, 201: 972, 985, 896 articles right with it, 973, 986, 897 without).
            let margin = if x[RESUME_NUMBERING] < 0.0 { f32::NEG_INFINITY } else { s[1] - s[0] };
            (s, margin)
        } else {
            // The hand rule weighs no piece after a finished article.
            let hand = x[RESUME_HAND];
            let margin = if piece.start == Start::Closed { f32::NEG_INFINITY } else { hand - HAND_RESUME.threshold };
            (vec![HAND_RESUME.threshold, hand], margin)
        };
        if margin >= 0.0 && best.is_none_or(|b| margin > b.0) {
            best = Some((margin, *first, *last));
        }
        each_scores.push(s);
    }
    if let Some(out) = explain {
        for ((first, _, x), s) in weighed.iter().zip(&each_scores) {
            let chosen = usize::from(best.is_some_and(|b| b.1 == *first));
            out.push(Decision::new(
                "resume",
                piece.line(),
                piece_opening(piece),
                RESUME_RECORD,
                x,
                RESUME_CLASSES,
                s,
                RESUME_CLASSES[chosen],
            ));
        }
    }
    best.map(|(_, _, last)| last)
}

/// One record of the resume decision ([`RESUME_RECORD`]).
type ResumeRecord = [f32; RESUME_RECORD.len()];

/// What [`resumed`] knows of the untitled piece it weighs, for each earlier article.
struct ResumeQuery<'e, 'a> {
    ev: &'e Evidence<'e>,
    i: usize,
    articles: &'a [Vec<usize>],
    caught: &'a [bool],
    /// A continuation marker with a single article waiting for it. (Counted only when asked:
    /// it reads every article so far.)
    waiting: OnceCell<usize>,
    next_label: Option<clause::Label>,
    mid_start: f32,
    piece_chars: f32,
}

impl<'e, 'a> ResumeQuery<'e, 'a> {
    fn new(ev: &'e Evidence<'e>, i: usize, articles: &'a [Vec<usize>], caught: &'a [bool]) -> Self {
        let piece = &ev.pieces[i];
        ResumeQuery {
            ev,
            i,
            articles,
            caught,
            waiting: OnceCell::new(),
            next_label: piece.first_label(3),
            mid_start: piece.first_text().map_or(0.0, Block::mid_start),
            piece_chars: ln(ev.texts(i).map(|t| ev.chars_of(t)).sum()),
        }
    }

    /// The jump label article `a` was sent on with, while no piece has answered it.
    fn jumped_of(&self, a: usize) -> Option<&'e str> {
        if self.caught.get(a).copied().unwrap_or(false) {
            return None;
        }
        let pieces = self.ev.pieces;
        self.articles[a].iter().rev().find_map(|&p| pieces[p].continues_on.as_deref())
    }

    /// Article `a`'s first and last pieces and the record of resuming it, if it may be resumed:
    /// not a teaser, and left open, or jumped from to a `（上接…）` piece such as this one.
    fn weigh(&self, a: usize) -> Option<(usize, usize, ResumeRecord)> {
        let (ev, i, pieces) = (self.ev, self.i, self.ev.pieces);
        let piece = &pieces[i];
        let article = &self.articles[a];
        let (&first, &last) = (article.first()?, article.last()?);
        let jumped = self.jumped_of(a);
        let closed = pieces[last].closed || jumped.is_some();
        if pieces[first].start == Start::Teaser || (closed && !(piece.start == Start::JumpFrom && jumped.is_some())) {
            return None;
        }
        // The article's recent text (its last pieces may be short) and its
        // latest numbered clause.
        let recent = ev.article_ending(article);
        let w = &HAND_RESUME;
        let topic = ev.idf().similarity(&recent, ev.opening(i));
        let confidence = recent.confidence(ev.opening(i));
        let mut score = w.topic * topic * confidence;
        let prev_label = article.iter().rev().find_map(|&p| ev.last_label(p));
        let numbering = numbering_agreement(prev_label, self.next_label.as_ref());
        score += numbering;
        // A sentence left open at the break, or a continuation that cannot
        // open a sentence after a finished one.
        let last_text = pieces[last].body.iter().rev().find(|b| b.kind == Kind::Body);
        let open = last_text.is_some_and(Block::is_open);
        match (open, self.mid_start >= 0.8) {
            (true, _) => score += w.left_open,
            (false, true) => score -= w.cannot_open,
            (false, false) => {}
        }
        // Right after the article, across a lone page numeral, with no numbering against it.
        let adjacent = last + 1 == i && piece.start == Start::Page && numbering >= 0.0;
        if adjacent {
            score += w.adjacent;
        }
        let mut only_waiting = false;
        let mut page_agrees = 0.0;
        if let Some(label) = jumped {
            score += w.jumped;
            let articles = self.articles.len();
            if piece.start == Start::JumpFrom
                && *self.waiting.get_or_init(|| (0..articles).filter(|&a| self.jumped_of(a).is_some()).count()) == 1
            {
                score += w.only_waiting;
                only_waiting = true;
            }
            // The page it jumped to is the page this piece is on.
            match (page_number(label), piece.page) {
                (Some(to), Some(on)) if to == on => page_agrees = 1.0,
                (Some(_), Some(_)) => page_agrees = -1.0,
                _ => {}
            }
            score += w.page_agrees * page_agrees;
        }
        let x = [
            1.0,
            topic,
            confidence,
            topic * confidence,
            // The lead over the other articles and how many they are: set once all are weighed.
            0.0,
            0.0,
            numbering,
            flag(open),
            self.mid_start,
            flag(adjacent),
            flag(jumped.is_some()),
            flag(only_waiting),
            page_agrees,
            flag(piece.start == Start::Page),
            flag(piece.start == Start::JumpFrom),
            flag(piece.start == Start::Closed),
            (self.articles.len() - 1 - a) as f32,
            ln(i - last - 1),
            self.piece_chars,
            ln(piece.body.len()),
            ln(article.iter().flat_map(|&p| ev.texts(p)).map(|t| ev.chars_of(t)).sum()),
            flag(!pieces[first].head.is_empty()),
            score,
            last_text.map_or(pieces[last].line(), |b| b.line) as f32,
            piece.first_text().map_or(piece.line(), |b| b.line) as f32,
        ];
        Some((first, last, x))
    }
}

/// How many of the latest articles an untitled piece may resume: resumption comes within a page
/// or two.
const RESUME_REACH: usize = 8;

/// The classes of the decision whether an untitled piece resumes an earlier article
/// ([`resumed`]).
pub(super) const RESUME_CLASSES: &[&str] = &["new", "resumes"];

/// What [`resumed`] records of each article it weighs for a piece: the features, then two lines
/// the trainer reads to know the truth and the model does not weigh.
const RESUME_RECORD: &[&str] = &[
    "bias",
    // Topic: the article's last text against the piece's first, how far a similarity of texts
    // that long can be trusted, and the two multiplied; how far that leads the best of the other
    // articles weighed (or itself, when there is none), and how many those are.
    "topic",
    "confidence",
    "weighted_topic",
    "topic_lead",
    "rivals",
    // The numbering the piece opens with against the article's last clause label.
    "numbering",
    // The article's last paragraph stops inside a sentence; the piece opens as a sentence's
    // middle does.
    "left_open",
    "mid_start",
    // Right after the article, across a page change, with no numbering against it.
    "adjacent",
    // The article was sent on with a jump marker; it is the only one waiting; the page the
    // marker names is (1) or is not (-1) the page the piece is on.
    "jumped",
    "only_waiting",
    "page_agrees",
    // What comes before the piece: a page change, a jump marker (`（上接…）`), a finished article.
    "after_page",
    "after_jump",
    "after_closed",
    // Articles begun since this one; pieces between its last and this one, as ln(1 + count).
    "articles_back",
    "pieces_between",
    // Sizes as ln(1 + count): the piece's characters and paragraphs, the article's characters.
    "piece_chars",
    "piece_paragraphs",
    "article_chars",
    // The article has a heading.
    "titled",
    // The hand-set rule's score ([`HAND_RESUME`]).
    "hand_score",
    // Not weighed: the lines of the article's last paragraph and of the piece's first.
    "article_line",
    "piece_line",
];

/// The features of the decision [`resumed`] takes.
pub(super) const RESUME_FEATURES: &[&str] = RESUME_RECORD.split_at(RESUME_RECORD.len() - 2).0;

/// Where the weighted topic, the numbering and the hand-set score sit in [`RESUME_RECORD`].
const RESUME_TOPIC: usize = 3;
const RESUME_NUMBERING: usize = 6;
const RESUME_HAND: usize = 22;

/// The hand-set weights of the resume decision ([`resumed`]): does an untitled piece after a page
/// change (or a jump marker) resume an earlier article? Each is added to the evidence when its
/// condition holds; the piece resumes the best-scoring article at or above `threshold`.
pub(super) struct HandResume {
    /// Per unit of topic similarity (times its confidence) between the article's last text and
    /// the piece's first.
    pub topic: f32,
    /// The article's last paragraph stopped mid-sentence.
    pub left_open: f32,
    /// Taken off when the article finished its sentence and the piece opens mid-sentence.
    pub cannot_open: f32,
    /// The piece comes right after the article's last piece, with only a page numeral between
    /// and no numbering against it. A numeral between two paragraphs of one article is the
    /// commonest stray numeral; a new text after it brings its own title. Chosen by a sweep on
    /// generated training pages (seeds 101 and 102, not the dev pages): scores rise to 0.5
    /// and stay level above it, so the smallest value on that level.
    pub adjacent: f32,
    /// The article was sent on with a jump marker (`（下转第四版）`) not yet answered.
    pub jumped: f32,
    /// …and it is the only article waiting for a `（上接…）` piece.
    pub only_waiting: f32,
    /// Added when the page the marker names is the page the piece is on, taken off when not.
    pub page_agrees: f32,
    /// The least evidence to resume.
    pub threshold: f32,
}

pub(super) const HAND_RESUME: HandResume = HandResume {
    topic: 2.0,
    left_open: 0.3,
    cannot_open: 0.6,
    adjacent: 0.5,
    jumped: 0.3,
    only_waiting: 0.3,
    page_agrees: 0.5,
    threshold: 0.5,
};

/// The page number in a jump label such as `第4版` or `第四版`.
pub(super) fn page_number(label: &str) -> Option<u32> {
    let inner = label.strip_prefix('第')?.strip_suffix('版')?;
    inner.parse().ok().or_else(|| clause::parse_chinese_numeral(inner))
}

/// Whether piece `i`, opened by a heading, is a section of the article made of
/// `article` (pieces so far) rather than a new article. Sub-headings divide
/// one topic; titles start another.
pub(super) fn is_subsection(
    ev: &Evidence,
    i: usize,
    article: &[usize],
    jump_answered: bool,
    explain: Option<&mut Vec<Decision>>,
) -> bool {
    let pieces = ev.pieces;
    let piece = &pieces[i];
    let (Some(&first), Some(&last)) = (article.first(), article.last()) else {
        return false;
    };
    // Closed by an end marker, or sent to another page and not back yet.
    let jumped = article.iter().any(|&p| pieces[p].continues_on.is_some()) && !jump_answered;
    let closed = jumped || pieces[last].closed;
    // A heading of several lines is a title block unless the line model read its first line as a
    // sub-heading and none of them as part of a title block (a sub-heading over its own
    // second-level heading, as long features print them).
    let sub_lines = piece.head.first().is_some_and(|h| h.role == Some(LineRole::Sub))
        && piece.head.iter().all(|h| matches!(h.role, Some(LineRole::Sub | LineRole::Body)));
    let several_lines = piece.head.len() != 1 && !sub_lines;
    if closed
        || pieces[first].start == Start::Teaser
        || piece.first_text().is_none_or(|b| b.kind == Kind::Dateline || DATELINE.is_match(&b.text))
        || pieces[last].body.last().is_some_and(Block::is_open)
    {
        return false;
    }
    let heading = &piece.head[0].text;
    // A document's own title (`关于…的通知`) or a letter's salutation under the
    // heading opens a new text, whatever the topic.
    if DOCUMENT_TITLE.is_match(heading)
        || DOCUMENT_GENRE.is_match(heading)
        || piece.body.first().is_some_and(|b| is_salutation(&b.text))
    {
        return false;
    }
    // Compare the section with what the article said before it, and the
    // heading with the paragraph under it: a title restates its lead.
    // What the article said just before, against what the section says first.
    let idf = ev.idf();
    let continuity = idf.similarity(&ev.article_ending(article), ev.opening(i));
    let article_topic = ev.article_topic(article);
    let on_topic = idf.similarity(&article_topic, ev.opening(i));
    let lead = ev.topic_of(std::iter::once(ev.body_text(i, 0)));
    let heading_topic = ev.topic_of(std::iter::once(ev.first[i]));
    let restates = idf.similarity(&heading_topic, &lead);
    let chars = |p: usize| ev.texts(p).map(|t| ev.chars_of(t)).sum::<usize>();
    // The article's recent pieces only: a page of many headings stays linear.
    let article_chars: usize = article.iter().rev().take(16).map(|&p| chars(p)).sum();
    // Marked like a sub-heading the article already has (plain lines carry
    // no such evidence).
    let style = piece.head[0].style;
    let style_seen = style != 0 && article.iter().skip(1).any(|&p| pieces[p].head.iter().any(|h| h.style == style));
    let title = pieces[first].head.iter().find(|h| h.role.is_none_or(|r| r == LineRole::Title));
    let title_style = title.map(|h| h.style);
    // A page sets its titles at one length and its sub-headings shorter: the heading's length
    // against the article's title (1 where the article has none).
    let length_to_title =
        title.map_or(1.0, |t| char_len(heading) as f32 / char_len(&t.text).max(1) as f32).min(LENGTH_TO_TITLE_MAX);
    let hand = &HAND_SECTION;
    let two_phrases = flag(subheading_shaped(heading));
    let hand_margin = continuity - hand.restates * restates
        + hand.two_phrases * two_phrases
        + hand.style_seen * flag(style_seen)
        + hand.sub_evidence * piece.head[0].sub_evidence
        - hand.threshold;
    let x = [
        1.0,
        piece.head[0].sub_evidence,
        continuity,
        restates,
        two_phrases,
        flag(style_seen),
        flag(piece.head[0].marked),
        flag(piece.head[0].role.is_some()),
        flag(boxed(heading)),
        flag(boxed(heading) && article.iter().skip(1).any(|&p| pieces[p].head.iter().any(|h| boxed(&h.text)))),
        flag(style != 0 && title_style == Some(style)),
        flag(title_style.is_some_and(|t| below_title(style, t))),
        flag(several_lines),
        flag(piece.head.iter().any(|h| {
            matches!(h.role, Some(LineRole::Kicker | LineRole::Subtitle | LineRole::Byline | LineRole::Label))
        })),
        on_topic,
        hand_margin,
        ln(article_chars),
        ln(article.len()),
        ln(chars(i)),
        char_len(heading) as f32,
        idf.similarity(&heading_topic, &article_topic),
        idf.similarity(&heading_topic, ev.head(first)),
        flag(piece.first_text().is_some_and(|b| opens_with_time(&b.text))),
        flag(spaced(heading)),
        length_to_title,
    ];
    let model = &*SECTION;
    let scores = if model.is_fitted() && piece.head[0].role.is_some() && !piece.head[0].run_in {
        model.scores(&x)
    } else if several_lines {
        // Without fitted weights a heading of several lines is a title block; the fitted
        // decision weighs it, with what the line model made of its lines.
        vec![1.0, 0.0]
    } else {
        // The hand-set rule: until the weights are fitted, and for what the generated training
        // pages hardly hold: headings the line model did not weigh (boxed `【…】` sub-headings,
        // lines shaped by markup alone) and brief headlines run into their text.
        vec![0.0, hand_margin]
    };
    let section = scores[1] >= scores[0];
    // The record is built only when asked for: headings are judged on every page.
    if let Some(out) = explain {
        out.push(Decision::new(
            "section",
            piece.head[0].line,
            heading,
            SECTION_FEATURES,
            &x,
            SECTION_CLASSES,
            &scores,
            SECTION_CLASSES[usize::from(section)],
        ));
    }
    section
}

/// The classes and features of the decision whether a heading opens a section of the article
/// before it or a new article ([`is_subsection`]).
pub(super) const SECTION_CLASSES: &[&str] = &["new", "section"];
pub(super) const SECTION_FEATURES: &[&str] = &[
    "bias",
    // What the line model made of the heading: sub-heading over title-block score.
    "sub_evidence",
    // Topic: the article's last text against the section's first; the heading against its lead.
    "continuity",
    "restates",
    "two_phrases",
    // Marked like a sub-heading the article already has.
    "style_seen",
    "marked",
    "line_weighed",
    // A heading in lenticular brackets (`【…】`), and one after such a heading of the article.
    "boxed",
    "boxed_seen",
    // Marked as the article's own title is (same heading level, or both bold): pages set their
    // titles alike and their sub-headings a step below. And a heading level below the title's.
    "title_style",
    "below_title",
    // A heading of several lines, and one with a line the line model read as a kicker,
    // subtitle, byline or column label: the parts of a title block.
    "several_lines",
    "title_block_part",
    // The section's opening against what the whole article has said so far.
    "on_topic",
    // The hand-set rule's margin ([`HAND_SECTION`]): what it weighs, in the proportions it
    // weighs them, which keeps the topic evidence in the fitted decision.
    "hand_margin",
    // Sizes as ln(1 + count): the article's text so far (its last pieces), its pieces, the
    // section's text; and the heading's characters.
    "article_chars",
    "article_pieces",
    "section_chars",
    "heading_chars",
    // The heading against what the article has said so far, and against the article's title.
    "heading_to_article",
    "heading_to_title",
    // The text under the heading opens with a time, as a news lead does (`5月3日`, `近日`).
    "lead_time",
    // Spaces inside the heading (`　` or ASCII) between its parts, as two-part news headlines
    // print them.
    "spaced",
    // The heading's characters over the article's title's, at most `LENGTH_TO_TITLE_MAX`.
    "length_to_title",
];

/// Where the `length_to_title` feature stops growing: a heading three times its article's
/// title is as long as any title.
const LENGTH_TO_TITLE_MAX: f32 = 3.0;

/// Whether a heading prints its parts apart, with spaces (`　` or ASCII) between them, as
/// two-part news headlines do (`跨性別平權W案後無寸進　中大調查：…`).
pub(super) fn spaced(heading: &str) -> bool {
    heading.trim().contains(char::is_whitespace)
}

/// Whether `text` names a time in its first words, as the lead of a news report does: a date
/// (`5月3日`, `三月十日`) or a relative day (`近日`, `昨天`, `当天`).
pub(super) fn opens_with_time(text: &str) -> bool {
    LEAD_TIME.is_match(text)
}

static LEAD_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^.{0,24}?(?:[0-9０-９一二三四五六七八九十]{1,3}月[0-9０-９一二三四五六七八九十]{1,3}日|今天|昨天|前天|近日|日前|當天|当天|當日|当日|今日|昨日)",
    )
    .expect("static regex")
});

/// Whether a heading marked `style` sits below a title marked `title` (markdown levels 1–6,
/// bold 7, plain 0): a deeper markdown level, or bold or plain under a markdown title.
fn below_title(style: u8, title: u8) -> bool {
    match (style, title) {
        (1..=6, 1..=6) => style > title,
        (0 | 7, 1..=6) => true,
        _ => false,
    }
}

/// A heading set in lenticular brackets, as `【…】` sub-headings and column labels are.
fn boxed(heading: &str) -> bool {
    let t = heading.trim();
    t.starts_with('【') && t.ends_with('】')
}

/// The hand-set weights of the section decision: a heading opens a section when the topic goes
/// on across it (continuity, weight 1) by more than `threshold`. The rule decides where the
/// fitted weights do not (none in `weights.tsv`, a heading the line model did not weigh, a
/// run-in brief headline; see [`is_subsection`]), and its margin is a feature of the fitted
/// decision. Set by hand on the fixture sets, which hold layouts the generator does not make.
pub(super) struct HandSection {
    /// Taken off per unit of the heading restating its lead paragraph, as titles do.
    pub restates: f32,
    /// Added for two short phrases side by side, the shape of a sub-heading.
    pub two_phrases: f32,
    /// Added when an earlier heading of the article was marked the same way.
    pub style_seen: f32,
    /// Per unit of the line model's margin for a sub-heading over its best title-block role
    /// (`sub_evidence`): the fitted line weights, taken at a twentieth so that the topic
    /// evidence keeps the last word (at a fourteenth, run-in brief headings and an article
    /// resumed after a comma on the fixture sets were taken for sub-headings).
    pub sub_evidence: f32,
    /// The least score of a section.
    pub threshold: f32,
}

pub(super) const HAND_SECTION: HandSection =
    HandSection { restates: 0.5, two_phrases: 0.1, style_seen: 0.15, sub_evidence: 0.05, threshold: 0.03 };

/// The title of an official document: `关于…的` and the document's genre.
pub(super) static DOCUMENT_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^关于.{2,60}的(?:通知|決定|决定|意见|意見|倡议|倡議|倡议书|倡議書|公告|通告|通报|通報|批复|批覆|报告|報告|办法|辦法|规定|規定|决议|決議|指示|函|实施方案|實施方案)$",
    )
    .expect("static regex")
});

/// The title of a document named by its genre at the end: a statement, communiqué,
/// declaration or minutes (`…联合声明`, `…新闻公报`, `…宣言`), the whole text it heads.
pub(super) static DOCUMENT_GENRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^.{6,80}(?:声明|聲明|公报|公報|宣言|纪要|紀要|联合公报|聯合公報)$").expect("static regex")
});

/// A letter's salutation: a short addressee line ending in a colon.
pub(super) fn is_salutation(text: &str) -> bool {
    let t = text.trim();
    (t.ends_with('：') || t.ends_with(':')) && (2..=20).contains(&char_len(t)) && !t.contains(['，', '。', ','])
}

/// A boxed label (`【延伸阅读】`) over several title lines and then a story: the
/// lines between are links to other pages, with no text of their own, and the
/// last line is the story's title. A label over a title, or over a title and
/// its subtitle, is a real title block and stays.
pub(super) fn drop_link_lists(pieces: &mut [Piece], removed: &mut RemovedList) {
    for piece in pieces {
        let head = &piece.head;
        let label = head.first().is_some_and(|b| boxed(&b.text) && char_len(b.text.trim()) <= 12);
        if !label
            || head.len() < 4
            || piece.body.is_empty()
            || head.iter().any(|b| b.marked || is_subtitle_line(&b.text))
        {
            continue;
        }
        let title = piece.head.pop().expect("four lines");
        for b in piece.head.drain(..) {
            removed.add(RemovedKind::Furniture, &b.text, b.line);
        }
        piece.head.push(title);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resume_record_indices_name_the_features_they_are_read_as() {
        assert_eq!(RESUME_RECORD[RESUME_TOPIC], "weighted_topic");
        assert_eq!(RESUME_RECORD[RESUME_TOPIC + 1], "topic_lead");
        assert_eq!(RESUME_RECORD[RESUME_TOPIC + 2], "rivals");
        assert_eq!(RESUME_RECORD[RESUME_NUMBERING], "numbering");
        assert_eq!(RESUME_RECORD[RESUME_HAND], "hand_score");
    }

    use super::super::pieces::test_piece as piece;

    #[test]
    fn an_untitled_piece_after_a_line_left_open_goes_on_by_its_topic() {
        let article = piece(
            Start::File,
            Some("社区推行垃圾分类"),
            &["某市多个社区近日推行垃圾分类，居民积极参与垃圾分类，垃圾分类后社区环境明显改善。", "宣传工作"],
            1,
        );
        let same = "社区组织志愿者上门宣传垃圾分类知识，向居民发放垃圾分类指南，讲解垃圾分类投放要求。";
        for (start, weighed) in
            [(Start::Open, true), (Start::MidSentence, true), (Start::Closed, false), (Start::Page, false)]
        {
            let pieces = vec![article.clone(), piece(start, None, &[same], 4)];
            let ev = Evidence::new(&pieces, None, false);
            let mut decisions = Vec::new();
            let went_on = goes_on(&ev, 1, &[0], Some(&mut decisions));
            // A piece after an end marker or a page change is weighed elsewhere.
            assert_eq!(decisions.len(), usize::from(weighed), "{start:?}");
            if let Some(d) = decisions.first() {
                let continuity = d.features[0].1;
                assert_eq!(went_on, continuity >= HAND_SECTION.threshold, "by the topic");
                assert_eq!(d.chosen, if went_on { "goes_on" } else { "new" });
            }
            assert_eq!(went_on, weighed, "{start:?}: the same topic goes on");
        }
    }

    #[test]
    fn one_short_finished_sentence_goes_on_whatever_its_topic() {
        let article = piece(
            Start::File,
            Some("两国领导人举行会谈"),
            &["双方就深化各领域合作交换意见，同意加强经贸、人文交流。"],
            1,
        );
        for (text, expected) in [("李明、王芳等出席。", true), ("李明、王芳等出席", false)] {
            let pieces = vec![article.clone(), piece(Start::MidSentence, None, &[text], 3)];
            let ev = Evidence::new(&pieces, None, false);
            assert_eq!(goes_on(&ev, 1, &[0], None), expected, "{text}");
        }
    }

    #[test]
    fn a_heading_sits_below_a_title_by_markdown_level_or_by_losing_its_markup() {
        // `###` under `#`; bold or plain under any markdown title.
        assert!(below_title(3, 1));
        assert!(below_title(7, 2));
        assert!(below_title(0, 6));
        // The same level, a higher one, or anything under a bold or plain title.
        assert!(!below_title(2, 2));
        assert!(!below_title(1, 3));
        assert!(!below_title(3, 7));
        assert!(!below_title(7, 0));
    }

    #[test]
    fn a_document_named_by_its_genre_heads_a_text_of_its_own() {
        for title in [
            "中华人民共和国和某国联合声明",
            "中国—中亚外长第六次会晤新闻公报",
            "某论坛部长级会议长沙宣言",
            "某省农业合作座谈会议纪要",
        ] {
            assert!(DOCUMENT_GENRE.is_match(title), "{title}");
        }
        // A sub-heading that mentions a statement, and a bare genre word, are not titles of one.
        for heading in ["各方发表联合声明后举行会谈", "声明", "新闻公报"] {
            assert!(!DOCUMENT_GENRE.is_match(heading), "{heading}");
        }
    }

    #[test]
    fn a_lead_that_opens_with_a_time_is_told_from_other_text() {
        for lead in [
            "5月3日，某市举行了春季招聘会。",
            "记者从有关部门获悉，三月十日起新线开通。",
            "近日，一批农机在田间投入使用。",
            "當天下午，會議在市政府舉行。",
        ] {
            assert!(opens_with_time(lead), "{lead}");
        }
        // A time late in the paragraph, or none, is not a lead's opening.
        for text in ["随着新线开通，沿线城市之间的旅行时间缩短了一半，旅客自5月3日起可以购票。", "一是加强组织领导。"]
        {
            assert!(!opens_with_time(text), "{text}");
        }
    }

    #[test]
    fn a_heading_with_its_parts_spaced_apart_is_told_from_one_run_of_text() {
        for heading in
            ["跨性別平權W案後無寸進\u{3000}中大調查：51%受訪者面對歧視", "探索“无人区”  步履不停歇", " 两段 标题 "]
        {
            assert!(spaced(heading), "{heading}");
        }
        // Space around the heading is not between its parts.
        for heading in ["疑點一、少兒人口", "\u{3000}以新思路打开文旅新可能 ", ""] {
            assert!(!spaced(heading), "{heading:?}");
        }
    }

    #[test]
    fn boxed_headings_are_told_by_their_brackets() {
        assert!(boxed("【核心产业规模稳步扩大】"));
        assert!(!boxed("【港大學生會補選】4人閣參選"));
    }
}

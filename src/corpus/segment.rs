//! Segmentation: cleaned lines → articles.
//!
//! A newspaper page scraped to text interleaves several articles: one is cut
//! mid-sentence and resumes after another, a sub-heading or the article's own
//! title block lands inside a sentence, page numerals and jump markers sit
//! between them. Segmentation works in four passes, using only evidence in the
//! text (punctuation, heading shape, markers, datelines and topic continuity):
//!
//! 1. [`classify`] turns lines into typed blocks (heading, body, dateline,
//!    caption, signature, end marker, numeral) and breaks (page, teaser list,
//!    jump marker), splitting datelines and end markers off their paragraphs;
//! 2. [`pieces`] cuts the blocks into pieces wherever an article may stop:
//!    before a heading, after an end marker, at a break, after a paragraph that
//!    stops mid-sentence and before one that starts mid-sentence;
//! 3. [`link`] pairs each piece that stops mid-sentence with the later piece
//!    that continues it, by sentence evidence and topic similarity;
//! 4. [`assemble`] groups pieces into articles (new article, continuation or
//!    sub-section), moves a stray tail to the article it belongs to when the
//!    datelines disagree, and builds paragraphs, title block and clauses.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use rustc_hash::FxHashMap;

use super::clause;
use super::clean::{Line, ends_sentence, is_han, mid_sentence_start, trim_space};
use super::garble::garbled_spans;
use super::topic::{Idf, Topic};
use super::{Article, ArticleKind, Note, NoteKind, Paragraph, ParagraphKind, RemovedKind, RemovedList};

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

static JUMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[（(]\s*(上接|紧接|緊接|续接|續接|接|下转|下轉|转|轉|续|續)(?:见|見)?第?\s*([一二三四五六七八九十\d]+)\s*版\s*[）)]")
        .expect("static regex")
});

const AGENCY: &str = r"(?:新华社|新華社|本报|本報|中新社|中新网|中新網|新华网|新華網|人民网|人民網|央视网|央視網|[\p{Han}]{2,6}(?:社|报|報|网|網|台))";
const MONTH_DAY: &str = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}|[一二三四五六七八九十]{1,3})日";

/// A dateline at the start of a paragraph, with an optional reporter byline.
static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:{AGENCY}(?:记者|記者)?[\p{{Han}}·]{{0,12}}?{MONTH_DAY}(?:电|電|讯|訊)|(?:本报讯|本報訊|本站讯|本站訊|本网讯|本網訊))(?:\s*[（(]\s*((?:记者|記者|通讯员|通訊員)[^（()）]{{1,40}})[）)])?"
    ))
    .expect("static regex")
});

/// An end marker that is a dateline in brackets: `(新华社比什凯克11月19日电)`.
static END_DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"[（(]\s*{AGENCY}[\p{{Han}}·]{{0,12}}?{MONTH_DAY}(?:电|電)[^（()）]*[）)]\s*$"))
        .expect("static regex")
});

static END_DONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[（(]\s*完\s*[）)]\s*$").expect("static regex"));

static AUTHOR_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]\s*(?:作者|记者|記者|编辑|編輯|责任编辑|責任編輯|来源|來源|执笔|執筆|本文|译者|譯者|翻译|翻譯)[^（()）]*[）)]$")
        .expect("static regex")
});

static SIGNING_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}年\d{1,2}月\d{1,2}日(?:于|於|在)[\p{Han}]{1,12}").expect("static regex"));

static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^图为|^圖為|[。\s]图为|[。\s]圖為|(?:新华社|新華社)(?:记者|記者)?[\p{Han}·\s]{0,12}(?:发|發|摄|攝)[）)]?$|[（(]?[\p{Han}·]{2,8}\s*(?:摄|攝)[）)]?$)")
        .expect("static regex")
});

/// A byline on a line of its own: `本报记者 李 然`, `記者 楊帆`.
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:本报|本報|新华社|新華社|中新社|人民日报|人民日報)?(?:特约|特約)?(?:记者|記者|通讯员|通訊員|评论员|評論員)[\s：:]*[\p{Han}·][\p{Han}·\s、]{0,20}$")
        .expect("static regex")
});

/// Page furniture: image placeholders, page headers and footers, editor lines.
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[\[【（(〔]?\s*(?:图片|圖片|图|圖|视频|視頻|照片|photo|image)\s*[\]】）)〕]?",
        r"|点击查看大图|點擊查看大圖|点击播放|點擊播放|点击查看|打印本页|关闭窗口",
        r"|[—\-－–]+\s*\d{1,4}\s*[—\-－–]+",
        r"|第\s*[0-9０-９]{1,3}\s*版\s*[：:︰]?.{0,12}",
        r"|.{0,30}(?:星期|周)[一二三四五六日天].{0,20}第\s*[0-9０-９一二三四五六七八九十]{1,3}\s*版.{0,10}",
        r"|[【（(\[]?\s*(?:本版)?(?:责任编辑|責任編輯|责编|責編|编辑|編輯|版式设计|版式設計|美编|美編|校对|校對|审校)\s*[:：].{0,40}",
        r")$"
    ))
    .expect("static regex")
});

/// A test [`FURNITURE`] needs to pass to match: the pattern is tried on nearly every line, and
/// its unanchored tails (`.{0,30}` before a weekday) make the regex read far into each. Every
/// alternative either holds `版` or starts (past an optional bracket) with one of a few
/// characters; a body line starts with neither, so most lines are settled by two tests.
fn may_be_furniture(s: &str, has_ban: bool) -> bool {
    /// What the alternatives without `版` can start with: a bracket, or the first character of
    /// 图片 视频 照片 photo image, 点击 打印 关闭, a dash, 本版 责任 编辑 美编 校对 审校.
    const STARTS: &[char] = &[
        '[', '【', '（', '(', '〔', '图', '圖', '视', '視', '照', 'p', 'i', '点', '點', '打', '关', '—', '-', '－',
        '–', '本', '责', '責', '编', '編', '版', '美', '校', '审',
    ];
    has_ban || s.starts_with(|c: char| c.is_whitespace() || STARTS.contains(&c))
}

/// Whether `s` holds `版` (page), which page furniture and jump markers name: one search a
/// line, with a searcher built once (`str::contains` sets one up per call).
fn has_ban(s: &str) -> bool {
    static BAN: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new("版"));
    BAN.find(s.as_bytes()).is_some()
}

/// A date alone on a line: the date of a signature block.
static DATE_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日$",
    )
    .expect("static regex")
});

/// A chapter or section line of a statute: `第一章　总　则`.
static CHAPTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^第[一二三四五六七八九十百零〇\d]+(?:章|节|節|编|編|篇)(?:\s|$)").expect("static regex")
});

static WRITER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:执笔记者|執筆記者|记者|記者)[：:\s]*([\p{Han}·、\s]{2,40}?)\s*[）)]?$").expect("static regex")
});

/// A cheap test before the dateline pattern: its day-and-dispatch mark
/// (`日电`, `日電`, `日讯`) or `本报讯` near the start of the paragraph.
/// One pass over the first 40 characters, looking back one character from
/// each dispatch mark, instead of a substring search per mark.
fn may_hold_dateline(s: &str) -> bool {
    // Most paragraphs have no dispatch mark at all near the start: rule that
    // out on bytes first (40 characters are at most 160 bytes), sixteen
    // positions at a time and branch-free, so that the test vectorises.
    let head = &s.as_bytes()[..s.len().min(160)];
    if !any_dispatch_mark(head) {
        return false;
    }
    let mut prev = '\0';
    for c in s.chars().take(40) {
        let mark = match c {
            '电' | '電' => prev == '日',
            '讯' => matches!(prev, '日' | '报' | '站' | '网'),
            '訊' => matches!(prev, '日' | '報' | '站' | '網'),
            _ => false,
        };
        if mark {
            return true;
        }
        prev = c;
    }
    false
}

/// Whether `电`, `電`, `讯` or `訊` (E7 94 B5, E9 9B BB, E8 AE AF, E8 A8 8A)
/// occurs in `b`.
#[expect(clippy::needless_bitwise_bool, reason = "`&` and `|` keep the block test branch-free, so it vectorises")]
fn any_dispatch_mark(b: &[u8]) -> bool {
    let is_mark = |x0: u8, x1: u8, x2: u8| {
        ((x0 == 0xE7) & (x1 == 0x94) & (x2 == 0xB5))
            | ((x0 == 0xE9) & (x1 == 0x9B) & (x2 == 0xBB))
            | ((x0 == 0xE8) & (((x1 == 0xAE) & (x2 == 0xAF)) | ((x1 == 0xA8) & (x2 == 0x8A))))
    };
    let at = super::scan::first_block(b, 0, is_mark);
    b[at..].windows(3).any(|w| is_mark(w[0], w[1], w[2]))
}

/// A cheap test before the caption pattern: `图为`, or a credit at the end.
fn may_be_caption(s: &str) -> bool {
    // Searchers built once: `str::contains` builds one per call, and this runs on most lines.
    static PHOTO: LazyLock<[memchr::memmem::Finder<'static>; 2]> =
        LazyLock::new(|| [memchr::memmem::Finder::new("图为"), memchr::memmem::Finder::new("圖為")]);
    s.trim_end_matches([')', '）']).ends_with(['发', '發', '摄', '攝'])
        || PHOTO.iter().any(|f| f.find(s.as_bytes()).is_some())
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// A line made only of dashes or similar marks: the separator of a teaser list.
fn is_separator(s: &str) -> bool {
    // Twelve characters take at most 48 bytes: longer lines need no counting.
    if s.len() > 48 {
        return false;
    }
    let n = char_len(s);
    (1..=12).contains(&n) && s.chars().all(|c| matches!(c, '-' | '—' | '－' | '*' | '＊' | '=' | '_' | '~' | '·'))
}

/// Whether quotes and brackets in `s` are balanced (a title never leaves one open).
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '“' | '「' | '『' | '《' | '（' | '(' | '【' => depth += 1,
            '”' | '」' | '』' | '》' | '）' | ')' | '】' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// Heading shape for sources without Markdown: short, no sentence inside,
/// not ending in a comma or colon, quotes balanced, not a numbered clause.
fn heading_shaped(s: &str) -> bool {
    // 64 characters take at most 256 bytes: body paragraphs are rejected
    // without counting their characters.
    if s.len() > 256 {
        return false;
    }
    // Cheapest first (the tests have no side effects, so their order changes nothing): the
    // last character, then a byte search for a full stop, which most body paragraphs under
    // 256 bytes hold, and only then reading the characters.
    !s.ends_with(['，', ',', '、', '：', ':', '…', '.'])
        && !holds_stop(s)
        && (2..=64).contains(&char_len(s))
        && balanced(s)
        && s.chars().any(is_han)
        && clause::detect(s).is_none()
}

/// `s.contains(['。', '；', ';'])`, on the bytes: 。 is E3 80 82 and ； EF BC 9B, and in UTF-8
/// a byte 82 or 9B after those two bytes is that character.
fn holds_stop(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr3_iter(b';', 0x82, 0x9B, b).any(|i| {
        matches!(
            (b[i], i.checked_sub(2).map(|k| &b[k..i])),
            (b';', _) | (0x82, Some([0xE3, 0x80])) | (0x9B, Some([0xEF, 0xBC]))
        )
    })
}

/// A row of a signature block: names and offices in columns, no sentence.
fn signature_shaped(s: &str) -> bool {
    if s.len() <= 180 && s.contains('年') && SIGNING_DATE.is_match(s) {
        return true;
    }
    // Punctuation first: prose has a comma within a few characters, while
    // looking for white space would read the whole paragraph.
    if s.contains(['，', ',', '。', '；', '：', '“', '”']) || !s.contains(char::is_whitespace) {
        return false;
    }
    let cols = s.split_whitespace().count();
    cols >= 3 && s.split_whitespace().all(|w| char_len(w) <= 14)
}

/// Pass 1: lines → blocks and breaks. Markers taken out are appended to `removed`.
fn classify(lines: Vec<Line>, markdown: bool, removed: &mut RemovedList) -> Vec<Item> {
    let mut items = Vec::with_capacity(lines.len());
    let mut after_teaser = false;
    let mut running: FxHashMap<&str, usize> = FxHashMap::default();
    // The longest line counted: a longer line cannot be a running head, and
    // is not hashed to find out.
    let mut longest_running = 0;
    for l in &lines {
        let t = l.text.as_str();
        // Cheap tests first: most paragraphs end a sentence. (Counting stops
        // past 40 characters.)
        if l.heading.is_none()
            && t.len() >= 6
            && !ends_sentence(t)
            && (6..=40).contains(&t.chars().filter(|c| !c.is_whitespace()).take(41).count())
            && !t.contains(['，', ','])
            && clause::lone_numeral(t).is_none()
        {
            *running.entry(t).or_default() += 1;
            longest_running = longest_running.max(t.len());
        }
    }
    // A short line repeated word for word is a running head (or foot).
    // Two texts signed on the same day repeat their date, though; a
    // running head names the paper or the issue as well. (Settled for every
    // line first: the lines' texts then move into their blocks.)
    let repeated: Vec<bool> = lines
        .iter()
        .map(|line| {
            line.text.len() <= longest_running
                && running.get(line.text.as_str()).is_some_and(|&c| c >= 2)
                && !DATE_ONLY.is_match(line.text.trim())
        })
        .collect();
    drop(running);
    for (line, repeated) in lines.into_iter().zip(repeated) {
        let n = line.line;
        if is_separator(&line.text) {
            removed.add(RemovedKind::Separator, &line.text, n);
            items.push(Item::Break(Break::Teaser));
            after_teaser = true;
            continue;
        }
        // A number in Arabic digits alone on a line is a page number: sections
        // of a statement are numbered in words.
        if (1..=3).contains(&line.text.len()) && line.text.bytes().all(|b| b.is_ascii_digit()) {
            removed.add(RemovedKind::PageNumeral, &line.text, n);
            items.push(Item::Break(Break::Page(line.text.parse().unwrap_or(0))));
            continue;
        }
        let ban = has_ban(&line.text);
        if (line.text.len() <= 160 && may_be_furniture(&line.text, ban) && FURNITURE.is_match(&line.text)) || repeated {
            removed.add(RemovedKind::Furniture, &line.text, n);
            // A page footer (`— 2 —`) marks a page change.
            if line.text.starts_with(['—', '-', '－', '–']) {
                items.push(Item::Break(Break::Page(0)));
            }
            continue;
        }
        let mut rest: &str = &line.text;
        // Jump markers at the start, at the end or alone on the line.
        let mut trailing_jump = None;
        // Whether `rest` holds 版: known for the whole line, looked for again as it shrinks.
        let mut marked = ban;
        while marked && let Some(m) = JUMP.captures(rest) {
            let Some(all) = m.get(0) else { break };
            let label = format!("第{}版", &m[2]);
            let from = !matches!(&m[1], "下转" | "下轉" | "转" | "轉");
            let at_start = trim_space(&rest[..all.start()]).is_empty();
            let at_end = trim_space(&rest[all.end()..]).is_empty();
            if !at_start && !at_end {
                break; // a page reference inside a sentence is text
            }
            removed.add(RemovedKind::JumpMarker, all.as_str(), n);
            let brk = if from { Break::JumpFrom(label) } else { Break::JumpTo(label) };
            if at_start {
                items.push(Item::Break(brk));
                rest = trim_space(&rest[all.end()..]);
            } else {
                trailing_jump = Some(brk);
                rest = trim_space(&rest[..all.start()]);
            }
            marked = has_ban(rest);
        }
        if !rest.is_empty() {
            let span = span_in(&line.text, rest);
            classify_text(line, span, markdown, after_teaser, &mut items);
            after_teaser = false;
        }
        if let Some(brk) = trailing_jump {
            items.push(Item::Break(brk));
        }
    }
    demote_lonely_headings(&mut items);
    items
}

/// Where `inner`, a slice of `outer`, lies in it.
fn span_in(outer: &str, inner: &str) -> std::ops::Range<usize> {
    let start = (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize).min(outer.len());
    start..(start + inner.len()).min(outer.len())
}

/// Classifies `span` of `line`'s text (what is left of it after jump markers).
fn classify_text(
    mut line: Line,
    span: std::ops::Range<usize>,
    markdown: bool,
    after_teaser: bool,
    items: &mut Vec<Item>,
) {
    let n = line.line;
    let text = line.text.get(span).unwrap_or_default();
    if let Some(num) = clause::lone_numeral(text) {
        items.push(Item::Block(Block::new(Kind::Numeral(num), text, n)));
        return;
    }
    if text.len() <= 40 && DATE_ONLY.is_match(text) {
        items.push(Item::Block(Block::new(Kind::Signature, text, n)));
        return;
    }
    if (text.starts_with(['(', '（']) && balanced(text) && text.ends_with([')', '）']))
        && (text.contains('完') || text.contains(['电', '電']))
        && (END_DONE.is_match(text) || END_DATELINE.is_match(text))
        && char_len(text) <= 60
    {
        items.push(Item::Block(Block::new(Kind::End, text, n)));
        return;
    }
    let credit = text.starts_with("数据来源")
        || text.starts_with("資料來源")
        || text.starts_with("资料来源")
        || text.starts_with("數據來源");
    if (text.starts_with(['(', '（']) && text.len() <= 240 && AUTHOR_NOTE.is_match(text))
        || (credit && text.len() <= 200)
    {
        items.push(Item::Block(Block::new(Kind::Signature, text, n)));
        return;
    }
    let mut rest = text;
    if line.heading.is_none()
        && may_hold_dateline(rest)
        && let Some(m) = DATELINE.find(rest)
    {
        items.push(Item::Block(Block::new(Kind::Dateline, trim_space(m.as_str()), n)));
        rest = trim_space(&rest[m.end()..]);
        if rest.is_empty() {
            return;
        }
    }
    // An end marker closing the last paragraph: split it off.
    let mut end = None;
    for re in [&*END_DONE, &*END_DATELINE] {
        if rest.ends_with([')', '）'])
            && let Some(m) = re.find(rest)
            && m.start() > 0
            && ends_sentence(&rest[..m.start()])
        {
            end = Some(Block::new(Kind::End, trim_space(m.as_str()), n));
            rest = trim_space(&rest[..m.start()]);
            break;
        }
    }
    // A bold run that opens the line: the whole line (a sub-heading), or the
    // headline of a news brief that runs on after it.
    let bold = line.bold_lead.as_deref().filter(|b| rest.starts_with(*b) && !b.is_empty());
    let bold_heading = bold.is_some_and(|b| char_len(b) <= 40 && !b.contains('。') && clause::detect(b).is_none());
    if bold_heading
        && let Some(b) = bold
        && b.len() < rest.len()
    {
        let mut head = Block::new(Kind::Heading, b, n);
        head.marked = true;
        head.style = 7;
        items.push(Item::Block(head));
        rest = trim_space(&rest[b.len()..]);
    }
    let whole_bold = bold_heading && bold.is_some_and(|b| b.len() == rest.len());
    let kind = if line.heading.is_some() || whole_bold || (after_teaser && char_len(rest) <= 80 && !rest.contains('。'))
    {
        Kind::Heading
    } else if rest.len() <= 80 && BYLINE.is_match(rest) {
        Kind::Byline
    } else if rest.len() <= 120 && CHAPTER.is_match(rest) {
        Kind::Chapter
    } else if signature_shaped(rest) {
        Kind::Signature
    } else if rest.len() <= 600 && may_be_caption(rest) && CAPTION.is_match(rest) {
        Kind::Caption
    } else if !markdown && heading_shaped(rest) {
        Kind::Heading
    } else {
        Kind::Body
    };
    // Most blocks are their whole line: its text moves into the block rather than being copied.
    let part = (rest.len() != line.text.len()).then(|| rest.to_owned());
    let mut block = Block::new(kind, part.unwrap_or_else(|| std::mem::take(&mut line.text)), n);
    block.marked = line.heading.is_some() || whole_bold;
    block.style = line.heading.unwrap_or(if whole_bold { 7 } else { 0 });
    block.forced_title = after_teaser && kind == Kind::Heading;
    items.push(Item::Block(block));
    if let Some(e) = end {
        items.push(Item::Block(e));
    }
}

/// A heading-shaped line is not a heading when no body follows it, or when
/// the text after it (past any real heading) continues a sentence that
/// nothing before it left open: then the line is the sentence's first half.
fn demote_lonely_headings(items: &mut [Item]) {
    // What the first block that is not a heading says, looking forward from each item: the
    // scans below would otherwise walk every heading of a long run once per heading (a file of
    // a million short lines). Items after `i` are not changed before `i` is, so these can be
    // computed up front; looking back, the answer is carried along as items are settled.
    let n = items.len();
    let mut next_body: Vec<Option<bool>> = vec![None; n + 1];
    let mut over_date: Vec<bool> = vec![false; n + 1];
    let name_line = |t: &str| !ends_sentence(t);
    for i in (0..n).rev() {
        next_body[i] = match &items[i] {
            Item::Block(nb) if nb.kind == Kind::Heading => next_body[i + 1],
            Item::Block(nb) => Some(nb.kind == Kind::Body && nb.mid_start() >= 0.8),
            Item::Break(_) => Some(false),
        };
        over_date[i] = match &items[i] {
            Item::Block(nb) if nb.kind == Kind::Heading && !nb.marked && name_line(&nb.text) => over_date[i + 1],
            Item::Block(nb) => nb.kind == Kind::Signature && DATE_ONLY.is_match(&nb.text),
            Item::Break(_) => false,
        };
    }
    let mut prev_open: Option<bool> = None;
    for i in 0..n {
        demote_one(items, i, prev_open, next_body[i + 1], over_date[i + 1]);
        prev_open = match &items[i] {
            Item::Block(pb) if pb.kind == Kind::Heading => prev_open,
            Item::Block(pb) => Some(pb.is_open()),
            Item::Break(_) => Some(false),
        };
    }
}

/// The decision of [`demote_lonely_headings`] for item `i`, given what the nearest blocks that
/// are not headings before and after it say, and whether a date signature follows its run.
fn demote_one(items: &mut [Item], i: usize, prev_open: Option<bool>, next_body: Option<bool>, over_date: bool) {
    let Item::Block(b) = &items[i] else { return };
    // A document's title (`关于…的通知`) is a heading whatever follows it.
    if b.kind != Kind::Heading || b.marked || b.forced_title || DOCUMENT_TITLE.is_match(&b.text) {
        return;
    }
    if prev_open == Some(false) && next_body == Some(true) && !ends_sentence(&b.text) {
        if let Item::Block(b) = &mut items[i] {
            b.kind = Kind::Body;
        }
        return;
    }
    let next_is_text = items[i + 1..]
        .first()
        .is_some_and(|it| matches!(it, Item::Block(nb) if matches!(nb.kind, Kind::Body | Kind::Heading | Kind::Dateline | Kind::Byline | Kind::Caption)));
    // A plain line of several clauses (two commas or more) is a title only
    // inside a title block (under a column label or kicker) or at the top
    // of a page; after body text it is a sentence cut short.
    let clauses = b.text.matches(['，', ',']).count();
    let after_body =
        items[..i].iter().next_back().is_some_and(|it| matches!(it, Item::Block(pb) if pb.kind != Kind::Heading));
    if clauses >= 2 && after_body {
        if let Item::Block(b) = &mut items[i] {
            b.kind = Kind::Body;
        }
        return;
    }
    // An issuer's name over a date is the signature of what precedes, and
    // so is a column of such names (the signatories). A name is not a
    // sentence: a closing exclamation above them ends the signed text.
    let name_line = |t: &str| !ends_sentence(t);
    if over_date && let Item::Block(b) = &mut items[i] {
        b.kind = if name_line(&b.text) { Kind::Signature } else { Kind::Body };
    } else if !next_is_text && let Item::Block(b) = &mut items[i] {
        b.kind = Kind::Body;
    }
}

/// Decides which lone numerals are section numbers (they count up within a
/// statement: 二 … 七) and which are page numbers (a lone 二 between articles),
/// removing the latter as page breaks.
fn resolve_numerals(items: Vec<Item>, removed: &mut RemovedList) -> Vec<Item> {
    let numerals: Vec<(usize, u32)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| match it {
            Item::Block(Block { kind: Kind::Numeral(n), .. }) => Some((i, *n)),
            _ => None,
        })
        .collect();
    // Anything that closes an article or changes page stops a sequence.
    let hard_stop = |from: usize, to: usize| {
        items[from + 1..to].iter().any(|it| match it {
            Item::Break(_) => true,
            Item::Block(b) => b.marked || matches!(b.kind, Kind::End | Kind::Signature),
        })
    };
    let mut section = vec![false; items.len()];
    for w in numerals.windows(2) {
        let ((i, a), (j, b)) = (w[0], w[1]);
        if b == a + 1 && !hard_stop(i, j) {
            section[i] = true;
            section[j] = true;
        }
    }
    // A sequence interrupted by another article resumes where it left off:
    // after 一 二 三, the next 四 continues it even past a stray page numeral
    // or an article in between.
    for k in 0..numerals.len() {
        let (i, n) = numerals[k];
        if !section[i] {
            continue;
        }
        let continues = numerals[k + 1..].iter().find(|&&(_, m)| m == n + 1);
        let already = numerals[k + 1..].iter().any(|&(j, m)| m == n + 1 && section[j]);
        if let Some(&(j, _)) = continues
            && !already
        {
            section[j] = true;
        }
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, it)| match it {
            Item::Block(mut b) if matches!(b.kind, Kind::Numeral(_)) => {
                if section[i] {
                    b.kind = Kind::Section;
                    Item::Block(b)
                } else {
                    let page = match b.kind {
                        Kind::Numeral(n) => n,
                        _ => 0,
                    };
                    removed.add(RemovedKind::PageNumeral, &b.text, b.line);
                    Item::Break(Break::Page(page))
                }
            }
            other => other,
        })
        .collect()
}

/// Why a piece starts where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
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
}

#[derive(Debug, Clone)]
struct Piece {
    head: Vec<Block>,
    body: Vec<Block>,
    start: Start,
    closed: bool,
    continued_from: Option<String>,
    continues_on: Option<String>,
    /// The page numeral seen just before the piece.
    page: Option<u32>,
}

impl Piece {
    fn new(start: Start) -> Self {
        Piece {
            head: Vec::new(),
            body: Vec::new(),
            start,
            closed: false,
            continued_from: None,
            continues_on: None,
            page: None,
        }
    }

    /// The last numbered clause label in the piece.
    fn last_label(&self) -> Option<clause::Label> {
        self.body
            .iter()
            .rev()
            .filter(|b| matches!(b.kind, Kind::Body | Kind::Section))
            .find_map(|b| clause::detect(&b.text))
    }

    /// The first numbered clause label among the piece's first `n` paragraphs.
    fn first_label(&self, n: usize) -> Option<clause::Label> {
        self.body
            .iter()
            .take(n)
            .filter(|b| matches!(b.kind, Kind::Body | Kind::Section))
            .find_map(|b| clause::detect(&b.text))
    }

    fn is_empty(&self) -> bool {
        self.head.is_empty() && self.body.is_empty()
    }

    /// Stops mid-sentence, with nothing closing it.
    fn is_dangling(&self) -> bool {
        !self.closed && self.body.last().is_some_and(Block::is_open)
    }

    fn first_text(&self) -> Option<&Block> {
        self.body.first()
    }

    fn line(&self) -> usize {
        self.head.first().or(self.body.first()).map_or(0, |b| b.line)
    }
}

/// Pass 2: cuts the stream of blocks into pieces at every place an article may stop.
fn pieces(items: Vec<Item>) -> Vec<Piece> {
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
    for item in items {
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
                // A teaser separator outranks a page break next to it.
                pending = Some(match pending {
                    Some(Start::Teaser) => Start::Teaser,
                    _ => start,
                });
                continue;
            }
            Item::Block(b) => b,
        };
        let only_datelines = !cur.body.is_empty() && cur.body.iter().all(|b| b.kind == Kind::Dateline);
        let cut_start = cut_before(&cur, &block, only_datelines);
        if let Some(start) = cut_start {
            let start = pending.take().unwrap_or(start);
            // Datelines seen before a heading belong to the article the heading opens.
            let carried =
                if block.kind == Kind::Heading && only_datelines { std::mem::take(&mut cur.body) } else { Vec::new() };
            finish(&mut cur, &mut out, start);
            cur.body = carried;
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
        let has_text =
            cur.body.iter().any(|b| matches!(b.kind, Kind::Body | Kind::Caption | Kind::Section | Kind::Chapter));
        if matches!(block.kind, Kind::Byline | Kind::Signature) {
            // Before any text a reporter's line or note is the byline; after
            // the text it is the closing credit.
            block.kind = if has_text { Kind::Signature } else { Kind::Dateline };
        }
        match block.kind {
            Kind::Heading if cur.body.iter().all(|b| b.kind == Kind::Dateline) => cur.head.push(block),
            Kind::End | Kind::Signature => {
                cur.closed = true;
                cur.body.push(block);
            }
            _ => cur.body.push(block),
        }
    }
    finish(&mut cur, &mut out, Start::File);
    out
}

/// Whether `block` starts a new piece after `cur`, and why.
fn cut_before(cur: &Piece, block: &Block, only_datelines: bool) -> Option<Start> {
    match block.kind {
        Kind::Heading if !cur.body.is_empty() && !only_datelines => Some(Start::Heading),
        Kind::Dateline
            if !cur.body.is_empty() || !cur.head.is_empty() && cur.body.iter().any(|b| b.kind != Kind::Dateline) =>
        {
            Some(Start::Dateline)
        }
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

fn piece_texts(p: &Piece) -> impl Iterator<Item = &str> {
    p.head.iter().chain(&p.body).map(|b| b.text.as_str())
}

/// How many pieces ahead a continuation is looked for; keeps linking linear.
const LINK_WINDOW: usize = 8;

/// Topic evidence for one source, computed only for the pieces a decision
/// needs: most pieces of most pages never need it, and profiling every piece
/// would dominate the cost of segmentation.
struct Evidence<'a> {
    pieces: &'a [Piece],
    /// Index of each piece's first text in the order the texts are counted.
    first: Vec<usize>,
    idf: OnceCell<Idf>,
    openings: Vec<OnceCell<Topic>>,
    endings: Vec<OnceCell<Topic>>,
    /// Profiles of whole pieces, for those shorter than [`NEAR_BREAK`] both ways.
    wholes: Vec<OnceCell<Topic>>,
    /// The last clause label of each piece, found on first use: every later
    /// piece that might continue or resume it compares its numbering.
    last_labels: Vec<OnceCell<Option<clause::Label>>>,
    /// Scored continuations of each dangling piece (see [`start_candidates`]).
    candidates: Vec<OnceCell<Vec<(f32, usize)>>>,
}

/// How much text next to a break is profiled when judging a continuation:
/// enough to carry the topic, bounded so that long pieces cost no more.
const NEAR_BREAK: usize = 600;

impl<'a> Evidence<'a> {
    fn new(pieces: &'a [Piece], idf: Option<Idf>) -> Self {
        let cells = || (0..pieces.len()).map(|_| OnceCell::new()).collect();
        let mut first = Vec::with_capacity(pieces.len());
        let mut at = 0;
        for p in pieces {
            first.push(at);
            at += p.head.len() + p.body.len();
        }
        let idf = idf.map_or_else(OnceCell::new, OnceCell::from);
        let candidates = (0..pieces.len()).map(|_| OnceCell::new()).collect();
        Evidence {
            pieces,
            first,
            idf,
            openings: cells(),
            endings: cells(),
            wholes: cells(),
            last_labels: (0..pieces.len()).map(|_| OnceCell::new()).collect(),
            candidates,
        }
    }

    /// Counting-order indices of piece `i`'s texts (head, then body).
    fn texts(&self, i: usize) -> std::ops::Range<usize> {
        let p = &self.pieces[i];
        self.first[i]..self.first[i] + p.head.len() + p.body.len()
    }

    /// Counting-order index of block `k` of piece `i`'s body.
    fn body_text(&self, i: usize, k: usize) -> usize {
        self.first[i] + self.pieces[i].head.len() + k
    }

    /// How many leading `texts` make up about [`NEAR_BREAK`] characters.
    fn reach(&self, texts: impl Iterator<Item = usize>) -> usize {
        let idf = self.idf();
        let mut taken = 0;
        texts
            .take_while(|&t| {
                let more = taken < NEAR_BREAK;
                taken += idf.chars_of(t);
                more
            })
            .count()
    }

    /// The profile of the first paragraphs of piece `i`.
    fn opening(&self, i: usize) -> &Topic {
        let n = self.reach(self.texts(i));
        if n == self.texts(i).len() {
            return self.whole(i);
        }
        self.openings[i].get_or_init(|| self.idf().topic_of(self.texts(i).take(n)))
    }

    /// The profile of the last paragraphs of piece `i`.
    fn ending(&self, i: usize) -> &Topic {
        let n = self.reach(self.texts(i).rev());
        if n == self.texts(i).len() {
            return self.whole(i);
        }
        self.endings[i].get_or_init(|| self.idf().topic_of(self.texts(i).rev().take(n)))
    }

    /// The last numbered clause label in piece `i`.
    fn last_label(&self, i: usize) -> Option<&clause::Label> {
        self.last_labels[i].get_or_init(|| self.pieces[i].last_label()).as_ref()
    }

    /// The profile of all of piece `i`: its opening and its ending when the
    /// piece is short, as most are. (A profile adds up counts, so the order
    /// the texts are read in does not change it.)
    fn whole(&self, i: usize) -> &Topic {
        self.wholes[i].get_or_init(|| self.idf().topic_of(self.texts(i)))
    }

    /// The profile of the last paragraphs of an article made of `pieces`,
    /// reaching back across pieces when the last one is short.
    fn article_ending(&self, pieces: &[usize]) -> Cow<'_, Topic> {
        let texts = || pieces.iter().rev().flat_map(|&p| self.texts(p).rev());
        let n = self.reach(texts());
        // Within the last piece, this is that piece's ending, already known
        // or worth keeping: the same piece is judged again and again.
        match pieces.last() {
            Some(&last) if n <= self.texts(last).len() => Cow::Borrowed(self.ending(last)),
            _ => Cow::Owned(self.idf().topic_of(texts().take(n))),
        }
    }

    fn idf(&self) -> &Idf {
        self.idf.get_or_init(|| Idf::new(self.pieces.iter().flat_map(piece_texts)))
    }
}

/// Pass 3: for each piece that stops mid-sentence, the later piece that continues it.
fn link(ev: &Evidence) -> Vec<Option<usize>> {
    let n = ev.pieces.len();
    let mut edges: Vec<Edge> = Vec::new();
    for d in 0..n {
        let threshold = if ev.pieces[d].body.last().is_some_and(|b| ends_mid_clause(&b.text)) { 0.35 } else { 0.5 };
        for &(base, c) in start_candidates(ev, d) {
            let bonus = adjacency_bonus(&ev.pieces[c]);
            if debug() {
                eprintln!(
                    "link {d}->{c} score {base:.3} (+{bonus} adjacent) sim {:.3}",
                    ev.ending(d).similarity(ev.opening(c))
                );
            }
            // Optimistic: the pieces between may turn out to belong elsewhere.
            if base + bonus >= threshold {
                edges.push(Edge { base, bonus, d, c, threshold });
            }
        }
    }
    best_matching(n, &edges)
}

/// A possible link from dangling piece `d` to piece `c`.
#[derive(Debug, Clone, Copy)]
struct Edge {
    /// Evidence apart from adjacency.
    base: f32,
    /// Added when `c` follows `d` directly, or once every piece between them
    /// is known to continue some other article: two articles interrupting
    /// each other meet again around the pieces that belong elsewhere.
    bonus: f32,
    d: usize,
    c: usize,
    /// The least total evidence for the link.
    threshold: f32,
}

impl Edge {
    fn value(&self, claimed: impl Fn(usize) -> bool) -> f32 {
        let adjacent = (self.d + 1..self.c).all(claimed);
        self.base + if adjacent { self.bonus } else { 0.0 }
    }
}

/// The adjacency evidence a piece can get: strong for a headless piece cut
/// only because the one before stopped mid-sentence, weaker after a heading.
fn adjacency_bonus(cp: &Piece) -> f32 {
    if cp.head.is_empty() && cp.start == Start::Open { 0.8 } else { 0.3 }
}

/// A paragraph that stops on a word that cannot end a clause (也, 和, 的, 在,
/// 为 …): the sentence certainly goes on somewhere.
fn ends_mid_clause(text: &str) -> bool {
    text.ends_with([
        '也', '和', '與', '与', '及', '或', '的', '在', '對', '对', '為', '为', '把', '被', '將', '将', '從', '从',
        '向', '以', '並', '并', '而', '是',
    ])
}

/// Scores every later piece (within the window) that could continue dangling piece `d`.
fn start_candidates<'e>(ev: &'e Evidence, d: usize) -> &'e [(f32, usize)] {
    ev.candidates[d].get_or_init(|| score_candidates(ev, d))
}

fn score_candidates(ev: &Evidence, d: usize) -> Vec<(f32, usize)> {
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

fn best_start_score(ev: &Evidence, d: usize) -> f32 {
    start_candidates(ev, d)
        .iter()
        .map(|&(s, c)| if c == d + 1 { s + adjacency_bonus(&ev.pieces[c]) } else { s })
        .fold(0.0, f32::max)
}

/// Pairs dangling pieces with continuations so that the total evidence is
/// largest: a greedy start, then swaps while they help. A piece that looks like
/// a continuation of two breaks goes to the one whose topic it shares.
fn best_matching(n: usize, edges: &[Edge]) -> Vec<Option<usize>> {
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
    let mut group: Vec<usize> = (0..n).collect();
    for e in edges {
        let (a, b) = (root(&mut group, e.d), root(&mut group, e.c));
        group[a] = b;
    }
    let mut claimed = vec![0u64; n.div_ceil(64)];
    let mut by_group: HashMap<usize, Vec<Edge>> = HashMap::new();
    for e in edges {
        let g = root(&mut group, e.d);
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

/// Union-find root with path halving.
fn root(g: &mut [usize], mut x: usize) -> usize {
    while g[x] != x {
        g[x] = g[g[x]];
        x = g[x];
    }
    x
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
fn search(
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
fn reach(options: &[Vec<Edge>]) -> Vec<f32> {
    let mut reach = vec![0.0f32; options.len() + 1];
    for i in (0..options.len()).rev() {
        reach[i] = reach[i + 1] + options[i].iter().map(|e| e.base + e.bonus).fold(0.0f32, f32::max);
    }
    reach
}

/// Rounding slack when a subtree's bound is compared with the best total (totals are sums of
/// at most eight scores of a few units each).
const BOUND_SLACK: f32 = 1e-3;

fn is_claimed(claimed: &[u64], p: usize) -> bool {
    claimed.get(p / 64).is_some_and(|w| w & (1 << (p % 64)) != 0)
}

/// Finds continuations that hide inside a later piece: a break between two
/// complete sentences where the text after it reads like the dangling piece
/// and unlike the text before it. Returns (piece, paragraph) places to cut.
fn hidden_continuations(ev: &Evidence) -> Vec<(usize, usize)> {
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
                let idf = ev.idf();
                // Too little text on either side to judge: known before profiling it.
                let chars =
                    |texts: std::ops::Range<usize>| -> usize { texts.map(|i| idf.chars_of(ev.body_text(c, i))).sum() };
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
        let best = idf.spread(ev.ending(d), |ending| {
            let mut best: Option<(f32, usize, usize)> = None;
            for &(c, k, opening) in &trials {
                // The profile after the place first: a rest that does not resemble the
                // dangling piece's ending cannot be its continuation, whatever comes before.
                let len = pieces[c].body.len();
                let tail = idf.topic_of((k..len).map(|i| ev.body_text(c, i)));
                let to_d = ending.similarity(&tail);
                if to_d < 0.12 {
                    if debug() {
                        eprintln!("hidden {d} in {c}@{k}: to_d {to_d:.3}");
                    }
                    continue;
                }
                let head = idf.topic_of((0..k).map(|i| ev.body_text(c, i)));
                let gain = to_d - idf.similarity(&tail, &head) + 0.2 * opening;
                if debug() {
                    eprintln!("hidden {d} in {c}@{k}: to_d {to_d:.3} gain {gain:.3}");
                }
                if gain >= 0.1 && best.is_none_or(|b| gain > b.0) {
                    best = Some((gain, c, k));
                }
            }
            best
        });
        if let Some((_, c, k)) = best {
            cuts.push((c, k));
        }
    }
    cuts.sort_unstable();
    cuts.dedup_by_key(|c| c.0);
    cuts
}

/// Cuts pieces at the given (piece, paragraph) places.
fn split_pieces(pieces: Vec<Piece>, cuts: &[(usize, usize)]) -> Vec<Piece> {
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

/// Evidence that `first` (opening piece `cp`) continues the sentence `open`
/// breaks off; `quote_open` when `open` opens more quotations than it closes,
/// `topics` the similarity of the text either side and its confidence.
fn continuation_score(
    open: &Block,
    quote_open: bool,
    first: &Block,
    cp: &Piece,
    (similarity, confidence): (f32, f32),
    idf: &Idf,
) -> f32 {
    let mut score = 0.0;
    // A piece that opens without a title after a break has to belong somewhere.
    if cp.head.is_empty() && matches!(cp.start, Start::MidSentence | Start::Page | Start::Closed) {
        score += 0.15;
    }
    score += 2.0 * similarity * confidence;
    score += 0.5 * first.mid_start();
    // The two halves of a broken word usually occur whole elsewhere in the source.
    if let (Some(a), Some(b)) = (open.text.chars().next_back(), first.text.chars().next())
        && is_han(a)
        && is_han(b)
        && idf.contains(a, b)
    {
        score += 0.4;
    }
    // A quotation left open is closed by its continuation.
    if quote_open {
        let first_close = first.text.find(['”', '」']);
        let first_open = first.text.find(['“', '「']);
        if first_close.is_some_and(|c| first_open.is_none_or(|o| c < o)) {
            score += 0.8;
        }
    }
    if clause::detect(&first.text).is_some() {
        score -= 0.3; // a numbered clause opens a sentence of its own
    }
    // A sentence broken at a comma goes on with a conjunction more often
    // than a new one starts with it.
    if open.text.ends_with(['，', ',', '、', '；', ';']) && starts_with_conjunction(&first.text) {
        score += 0.4;
    }
    // The tail of a broken word (`力。`) needs the head of that word before it,
    // not a finished clause.
    // (After `、` a short list item is normal: 汽车、船舶.)
    if open.text.ends_with(['，', ',', '；', ';', '。', '：', ':', '！', '？']) && word_tail(&first.text) {
        score -= 0.6;
    }
    // A bracketed note line (a statute's adoption note, a credit) stands alone.
    if first.text.starts_with(['(', '（']) && first.text.ends_with([')', '）']) {
        score -= 0.5;
    }
    score
}

/// A paragraph that opens with a single character and then punctuation, or
/// two and a full stop: the end of a word broken across a page (`力。`).
fn word_tail(s: &str) -> bool {
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
fn starts_with_conjunction(s: &str) -> bool {
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
fn numbering_agreement(prev: Option<&clause::Label>, next: Option<&clause::Label>) -> f32 {
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
fn same_list(a: clause::ClauseStyle, b: clause::ClauseStyle) -> bool {
    use clause::ClauseStyle::{Enumerated, Section};
    a == b || matches!((a, b), (Section, Enumerated) | (Enumerated, Section))
}

/// An article under construction: the pieces it is made of, in reading order.
#[derive(Debug, Clone, Default)]
struct Draft {
    /// Title block lines (column label, title, subtitle).
    head: Vec<Block>,
    parts: Vec<Part>,
    teaser: bool,
    continued_from: Option<String>,
    continues_on: Option<String>,
    stitched: bool,
    first_piece: usize,
}

#[derive(Debug, Clone, Default)]
struct Part {
    blocks: Vec<Block>,
    /// The first block continues the sentence the previous part broke off.
    joins_previous: bool,
    /// Sub-headings that stood before this part.
    subheads: Vec<Block>,
}

impl Draft {
    fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.parts.iter().flat_map(|p| p.subheads.iter().chain(&p.blocks))
    }

    fn starts_with_dateline(&self) -> bool {
        self.parts.first().and_then(|p| p.blocks.first()).is_some_and(|b| b.kind == Kind::Dateline)
    }

    fn is_closed(&self) -> bool {
        self.continues_on.is_some()
            || self
                .parts
                .last()
                .and_then(|p| p.blocks.last())
                .is_some_and(|b| matches!(b.kind, Kind::End | Kind::Signature))
    }
}

/// A single heading line that reads as a sub-heading: two short phrases side by side.
fn subheading_shaped(s: &str) -> bool {
    let phrases: Vec<&str> = s.split([' ', '\u{3000}']).filter(|p| !p.is_empty()).collect();
    phrases.len() == 2 && phrases.iter().all(|p| (3..=12).contains(&char_len(p)))
}

/// How a piece joins the articles: a new article, the continuation of a
/// dangling piece, or a section of the article before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    New,
    Continues(usize),
    Section,
    /// Resumes, after a page change, the article whose last piece is this one.
    Resumes(usize),
}

/// Pass 4b: groups the pieces into drafts by the roles [`roles`] gave them.
fn assemble(pieces: Vec<Piece>, roles: Vec<Role>) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut draft_of: Vec<usize> = vec![0; pieces.len()];
    for (i, (piece, role)) in pieces.into_iter().zip(roles).enumerate() {
        match role {
            Role::Continues(d) => {
                let a = draft_of[d];
                draft_of[i] = a;
                let draft = &mut drafts[a];
                draft.stitched |= d + 1 != i;
                let mut part = Part { blocks: piece.body, joins_previous: true, subheads: Vec::new() };
                // A title block (title with kicker or subtitle) inside the article's
                // own text becomes its title when the article has none; a single
                // line there is a sub-heading.
                if draft.head.is_empty() && piece.head.len() >= 2 {
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
                });
            }
        }
    }
    drafts
}

/// Pass 4a: decides each piece's role from the links and the headings.
fn roles(ev: &Evidence, next: &[Option<usize>]) -> Vec<Role> {
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
        } else if i > 0
            && pieces[i].start == Start::Heading
            && is_subsection(
                ev,
                i,
                &members[article_of[i - 1]],
                caught.get(article_of[i - 1]).copied().unwrap_or(false),
            )
        {
            Role::Section
        } else if let Some(d) = resumed(ev, i, &members, &caught) {
            Role::Resumes(d)
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
        // A jump marker is answered once: the article is no longer waiting.
        if matches!(role, Role::Resumes(_)) && pieces[i].start == Start::JumpFrom {
            caught.resize(members.len(), false);
            caught[article_of[i]] = true;
        }
        roles.push(role);
    }
    roles
}

/// The article an untitled piece after a page change resumes, if any: one
/// left open (no end marker) or sent on with a jump marker, whose topic and
/// numbering the piece continues. Returns that article's last piece.
fn resumed(ev: &Evidence, i: usize, articles: &[Vec<usize>], caught: &[bool]) -> Option<usize> {
    let pieces = ev.pieces;
    let piece = &pieces[i];
    if !piece.head.is_empty()
        || !matches!(piece.start, Start::Page | Start::JumpFrom)
        || piece.first_text().is_none_or(|b| b.kind == Kind::Dateline)
    {
        return None;
    }
    let mut best: Option<(f32, usize)> = None;
    let jumped_of = |a: usize| -> Option<&str> {
        if caught.get(a).copied().unwrap_or(false) {
            return None;
        }
        articles[a].iter().find_map(|&p| pieces[p].continues_on.as_deref())
    };
    // A continuation marker with a single article waiting for it. (Counted
    // only when asked: it reads every article so far.)
    let waiting = OnceCell::new();
    let next_label = piece.first_label(3);
    let starts_mid = piece.first_text().is_some_and(|b| b.mid_start() >= 0.8);
    // Resumption comes within a page or two: the latest articles only.
    for (a, article) in articles.iter().enumerate().rev().take(8) {
        let (Some(&first), Some(&last)) = (article.first(), article.last()) else { continue };
        let jumped = jumped_of(a);
        let closed = pieces[last].closed || jumped.is_some();
        let eligible =
            pieces[first].start != Start::Teaser && (!closed || (piece.start == Start::JumpFrom && jumped.is_some()));
        if !eligible {
            continue;
        }
        // The article's recent text (its last pieces may be short) and its
        // latest numbered clause.
        let recent = ev.article_ending(article);
        let mut score = 2.0 * ev.idf().similarity(&recent, ev.opening(i)) * recent.confidence(ev.opening(i));
        let prev_label = article.iter().rev().find_map(|&p| ev.last_label(p));
        score += numbering_agreement(prev_label, next_label.as_ref());
        // A sentence left open at the break, or a continuation that cannot
        // open a sentence after a finished one.
        let open = pieces[last].body.iter().rev().find(|b| b.kind == Kind::Body).is_some_and(Block::is_open);
        match (open, starts_mid) {
            (true, _) => score += 0.3,
            (false, true) => score -= 0.6,
            (false, false) => {}
        }
        if let Some(label) = jumped {
            score += 0.3;
            if piece.start == Start::JumpFrom
                && *waiting.get_or_init(|| (0..articles.len()).filter(|&a| jumped_of(a).is_some()).count()) == 1
            {
                score += 0.3;
            }
            // The page it jumped to is the page this piece is on.
            match (page_number(label), piece.page) {
                (Some(to), Some(on)) if to == on => score += 0.5,
                (Some(_), Some(_)) => score -= 0.5,
                _ => {}
            }
        }
        if debug() {
            eprintln!("resume {i} after {last}? score {score:.3}");
        }
        if score >= 0.5 && best.is_none_or(|b| score > b.0) {
            best = Some((score, last));
        }
    }
    best.map(|(_, last)| last)
}

/// The page number in a jump label such as `第4版` or `第四版`.
fn page_number(label: &str) -> Option<u32> {
    let inner = label.strip_prefix('第')?.strip_suffix('版')?;
    inner.parse().ok().or_else(|| clause::parse_chinese_numeral(inner))
}

/// Whether piece `i`, opened by a heading, is a section of the article made of
/// `article` (pieces so far) rather than a new article. Sub-headings divide
/// one topic; titles start another.
fn is_subsection(ev: &Evidence, i: usize, article: &[usize], jump_answered: bool) -> bool {
    let pieces = ev.pieces;
    let piece = &pieces[i];
    let (Some(&first), Some(&last)) = (article.first(), article.last()) else {
        return false;
    };
    // Closed by an end marker, or sent to another page and not back yet.
    let jumped = article.iter().any(|&p| pieces[p].continues_on.is_some()) && !jump_answered;
    let closed = jumped || pieces[last].closed;
    if piece.head.len() != 1
        || closed
        || pieces[first].start == Start::Teaser
        || piece.first_text().is_none_or(|b| b.kind == Kind::Dateline)
        || pieces[last].body.last().is_some_and(Block::is_open)
    {
        return false;
    }
    let heading = &piece.head[0].text;
    // A document's own title (`关于…的通知`) or a letter's salutation under the
    // heading opens a new text, whatever the topic.
    if DOCUMENT_TITLE.is_match(heading) || piece.body.first().is_some_and(|b| is_salutation(&b.text)) {
        return false;
    }
    // Compare the section with what the article said before it, and the
    // heading with the paragraph under it: a title restates its lead.
    // What the article said just before, against what the section says first.
    let idf = ev.idf();
    let continuity = idf.similarity(&ev.article_ending(article), ev.opening(i));
    let lead = idf.topic_of(std::iter::once(ev.body_text(i, 0)));
    let restates = idf.similarity(&idf.topic_of(std::iter::once(ev.first[i])), &lead);
    let mut score = continuity - 0.5 * restates;
    if subheading_shaped(heading) {
        score += 0.1;
    }
    // Marked like a sub-heading the article already has (plain lines carry
    // no such evidence).
    let style = piece.head[0].style;
    if style != 0 && article.iter().skip(1).any(|&p| pieces[p].head.iter().any(|h| h.style == style)) {
        score += 0.15;
    }
    if debug() {
        eprintln!("subsection? {heading:?}: continuity {continuity:.3} restates {restates:.3} score {score:.3}");
    }
    score >= SUBSECTION_THRESHOLD
}

fn debug() -> bool {
    std::env::var_os("GONGBAO_DEBUG_SEGMENT").is_some()
}

const SUBSECTION_THRESHOLD: f32 = 0.03;

/// The title of an official document: `关于…的` and the document's genre.
static DOCUMENT_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^关于.{2,60}的(?:通知|決定|决定|意见|意見|倡议|倡議|倡议书|倡議書|公告|通告|通报|通報|批复|批覆|报告|報告|办法|辦法|规定|規定|决议|決議|指示|函|实施方案|實施方案)$",
    )
    .expect("static regex")
});

/// A letter's salutation: a short addressee line ending in a colon.
fn is_salutation(text: &str) -> bool {
    let t = text.trim();
    (t.ends_with('：') || t.ends_with(':')) && (2..=20).contains(&char_len(t)) && !t.contains(['，', '。', ','])
}

/// A boxed label (`【延伸阅读】`) over several title lines and then a story: the
/// lines between are links to other pages, with no text of their own, and the
/// last line is the story's title. A label over a title, or over a title and
/// its subtitle, is a real title block and stays.
fn drop_link_lists(pieces: &mut [Piece], removed: &mut RemovedList) {
    for piece in pieces {
        let head = &piece.head;
        let boxed = head.first().is_some_and(|b| {
            let t = b.text.trim();
            t.starts_with('【') && t.ends_with('】') && char_len(t) <= 12
        });
        if !boxed
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

/// Pass 4b: an article that opens with a dateline cannot also end with another
/// article's closing dateline `(新华社…电)`. When it does, its tail belongs to an
/// earlier article left open; find where the topic turns and move the tail.
/// Open articles (nearest first) a stray tail may be moved back to.
const STRAY_TAIL_WINDOW: usize = 8;

fn move_stray_tails(drafts: &mut [Draft], idf: Option<Idf>) {
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
                if debug() {
                    eprintln!("tail of {x} to {y} at {k}: score {score:.3} tail mean {tail_mean:.3}");
                }
                if tail_mean > 0.03 && best.is_none_or(|b| score > b.0) {
                    best = Some((score, y, lead + 1 + k));
                }
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

/// Segments one source's cleaned lines into articles. `removed` receives the
/// markers segmentation takes out of the text.
pub fn segment(
    source: &str,
    source_index: usize,
    lines: Vec<Line>,
    markdown: bool,
    removed: &mut RemovedList,
) -> Vec<Article> {
    let items = classify(lines, markdown, removed);
    let items = resolve_numerals(items, removed);
    let mut pieces = pieces(items);
    drop_link_lists(&mut pieces, removed);
    // Evidence is computed lazily and kept across passes: cutting a piece in
    // two keeps every text's position, so the counts stay valid.
    let mut idf = None;
    let mut searched = false;
    let roles = loop {
        let ev = Evidence::new(&pieces, idf.take());
        // One search for hidden continuations; the pieces it cuts are final.
        let cuts = if searched { Vec::new() } else { hidden_continuations(&ev) };
        searched = true;
        if cuts.is_empty() {
            if debug() {
                for (i, p) in pieces.iter().enumerate() {
                    let first: String = p.body.first().map(|b| b.text.chars().take(12).collect()).unwrap_or_default();
                    let last: String = p
                        .body
                        .last()
                        .map(|b| {
                            let v: Vec<char> = b.text.chars().collect();
                            v[v.len().saturating_sub(8)..].iter().collect()
                        })
                        .unwrap_or_default();
                    eprintln!(
                        "piece {i} {:?} line {} head {:?} [{first} … {last}] dangling {} closed {}",
                        p.start,
                        p.line(),
                        p.head.iter().map(|b| b.text.as_str()).collect::<Vec<_>>(),
                        p.is_dangling(),
                        p.closed
                    );
                }
            }
            let next = link(&ev);
            let roles = roles(&ev, &next);
            // The counts stay valid for the drafts (same blocks, as pieces were): kept for
            // the stray-tail pass rather than counted again.
            idf = ev.idf.into_inner();
            break roles;
        }
        idf = ev.idf.into_inner();
        pieces = split_pieces(pieces, &cuts);
    };
    let mut drafts = assemble(pieces, roles);
    move_stray_tails(&mut drafts, idf);
    drafts.sort_by_key(|d| d.first_piece);
    let mut ids: HashMap<String, usize> = HashMap::new();
    drafts.into_iter().filter_map(|d| finish(d, source, source_index, &mut ids)).collect()
}

/// A block becomes a paragraph; its text moves (articles hold all the text
/// of the corpus, so copying it would cost an allocation per paragraph).
fn paragraph(kind: ParagraphKind, b: Block) -> Paragraph {
    Paragraph { kind, text: b.text, garbled: Box::default(), line: u32::try_from(b.line).unwrap_or(u32::MAX) }
}

fn paragraph_kind(k: Kind) -> ParagraphKind {
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
fn join_text(a: &mut String, b: &str) {
    if a.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.starts_with(|c: char| c.is_ascii_alphanumeric())
    {
        a.push(' ');
    }
    a.push_str(b);
}

/// Pass 4c: a draft → an [`Article`].
fn finish(d: Draft, source: &str, source_index: usize, ids: &mut HashMap<String, usize>) -> Option<Article> {
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
    if paragraphs.is_empty() && d.head.is_empty() {
        return None;
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
    Some(Article {
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
    })
}

/// What a reader should know about an article: where it continues, whether
/// it was stitched, whether it is a fragment, whether it holds garbled text.
fn notes(
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
fn title_block(head: &[Block]) -> (Option<String>, Option<String>, Option<String>) {
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

/// A subtitle under a title: `——…`, or `--…` where the dash was typed in ASCII.
fn is_subtitle_line(s: &str) -> bool {
    s.starts_with("——") || s.starts_with("--")
}

/// The writer named in a byline, an end marker or after the title (`… 钟声`).
fn author(paragraphs: &[Paragraph], title: Option<&str>) -> Option<String> {
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

/// A stable id: the source name and a hash of the article's opening text, so
/// that ids survive re-segmentation and do not depend on article order.
fn article_id(source: &str, title: Option<&str>, paragraphs: &[Paragraph], ids: &mut HashMap<String, usize>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let opening = paragraphs
        .iter()
        .filter(|p| p.kind == ParagraphKind::Body)
        .flat_map(|p| p.text.chars())
        .filter(|c| !c.is_whitespace())
        .take(48);
    for c in title.into_iter().flat_map(str::chars).chain(opening) {
        for b in u32::from(c).to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let stem = source.rsplit_once('.').map_or(source, |(s, _)| s);
    let base = format!("{stem}#{:08x}", (h ^ (h >> 32)) as u32);
    let n = ids.entry(base.clone()).or_default();
    *n += 1;
    if *n == 1 { base } else { format!("{base}-{n}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The dateline pre-check as first written: a substring search per mark.
    fn may_hold_dateline_by_substrings(s: &str) -> bool {
        let head = &s[..s.char_indices().nth(40).map_or(s.len(), |(i, _)| i)];
        ["日电", "日電", "日讯", "日訊", "报讯", "報訊", "站讯", "站訊", "网讯", "網訊"]
            .iter()
            .any(|m| head.contains(m))
    }

    #[test]
    fn the_dateline_pre_check_looks_at_the_first_forty_characters() {
        assert!(may_hold_dateline("新华社北京11月19日电 国家主席"));
        assert!(may_hold_dateline("本报讯（记者 李然）"));
        assert!(!may_hold_dateline("日本电视台报道"));
        assert!(may_hold_dateline(&format!("{}日电", "字".repeat(38))), "the mark ends the 40th character");
        assert!(!may_hold_dateline(&format!("{}日电", "字".repeat(39))), "the mark ends the 41st character");
    }

    #[test]
    fn the_furniture_pre_check_passes_every_line_the_pattern_matches() {
        let furniture = [
            "图片",
            "【图】",
            "（ 视频 ）",
            "photo",
            "image",
            "点击查看大图",
            "打印本页",
            "关闭窗口",
            "— 2 —",
            "-12-",
            "第3版：要闻",
            "第 ３ 版",
            "2025年11月20日 星期四 第7版",
            "人民日报 周三 第 三 版 国际",
            "责任编辑：李然",
            "【本版编辑：王明】",
            "版式设计：张三",
            "校对: 赵四",
            "（审校：钱五）",
        ];
        for line in furniture {
            assert!(FURNITURE.is_match(line), "{line} is furniture");
            assert!(may_be_furniture(line, has_ban(line)), "{line} passes the pre-check");
        }
        // And every line of the samples the pattern matches.
        for doc in crate::corpus::load::bundled() {
            let text = String::from_utf8_lossy(&doc.bytes).into_owned();
            for line in text.lines().map(str::trim) {
                assert!(!FURNITURE.is_match(line) || may_be_furniture(line, has_ban(line)), "{line}");
            }
        }
        assert!(!may_be_furniture("各方欢迎中亚国家与中国开展合作。", has_ban("各方欢迎中亚国家与中国开展合作。")));
    }

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

        /// The byte search for a full stop or semicolon finds what `str::contains` finds.
        #[test]
        fn holds_stop_is_contains(s in "[。；;，：a中\u{3082}\u{FF1B}\u{FF02}\u{3002}\u{0302}]{0,12}") {
            prop_assert_eq!(holds_stop(&s), s.contains(['。', '；', ';']), "{}", s);
        }

        #[test]
        fn the_furniture_pre_check_never_turns_a_match_away(
            s in "[\\[【（(〔 图圖视頻照片编輯辑責任责审校对版式设计美本第星期周一三0-9０２:：—\\-－–字a]{0,24}"
        ) {
            prop_assert!(!FURNITURE.is_match(&s) || may_be_furniture(&s, has_ban(&s)), "{}", s);
        }

        #[test]
        fn the_dateline_pre_check_agrees_with_substring_search(s in "[日电電讯訊报報站网網字a1 ，]{0,70}") {
            prop_assert_eq!(may_hold_dateline(&s), may_hold_dateline_by_substrings(&s));
        }
    }
}

//! Pass 1: lines → typed blocks and breaks, by the shape of each line.

use std::sync::LazyLock;

use regex::Regex;
use rustc_hash::FxHashMap;

use super::roles::DOCUMENT_TITLE;
use super::{Block, Break, Item, Kind};
use crate::corpus::clean::{Line, ends_sentence, is_han, trim_space};
use crate::corpus::{RemovedKind, RemovedList, clause};

pub(super) static JUMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[（(]\s*(上接|紧接|緊接|续接|續接|接|下转|下轉|转|轉|续|續)(?:见|見)?第?\s*([一二三四五六七八九十\d]+)\s*版\s*[）)]")
        .expect("static regex")
});

pub(super) const AGENCY: &str = r"(?:新华社|新華社|本报|本報|中新社|中新网|中新網|新华网|新華網|人民网|人民網|央视网|央視網|[\p{Han}]{2,6}(?:社|报|報|网|網|台))";
pub(super) const MONTH_DAY: &str =
    r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}|[一二三四五六七八九十]{1,3})日";

/// A dateline at the start of a paragraph, with an optional reporter byline: an agency's
/// dispatch (`新华社北京3月5日电`), a paper's or site's own news (`本报讯`), or a site's
/// news line with its programme (`央视网消息（新闻联播）：`).
pub(super) static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:{AGENCY}(?:记者|記者)?[\p{{Han}}·]{{0,12}}?{MONTH_DAY}(?:电|電|讯|訊)|(?:本报讯|本報訊|本站讯|本站訊|本网讯|本網訊)|{AGENCY}消息\s*(?:[（(][^（()）]{{1,16}}[）)])?\s*[：:])(?:\s*[（(]\s*((?:记者|記者|通讯员|通訊員)[^（()）]{{1,40}})[）)])?"
    ))
    .expect("static regex")
});

/// An official document's number on a line of its own, under the document's title: a serial
/// (`（第二十七号）`) or an issuer's code with the year (`国发〔2024〕7号`).
pub(super) static DOCUMENT_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[（(]第?[0-9一二三四五六七八九十百零〇]{1,6}号[）)]|[\p{Han}]{1,8}[〔\[［]\d{4}[〕\]］]\d{1,4}号)$",
    )
    .expect("static regex")
});

/// An end marker that is a dateline in brackets: `(新华社比什凯克11月19日电)`.
pub(super) static END_DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"[（(]\s*{AGENCY}[\p{{Han}}·]{{0,12}}?{MONTH_DAY}(?:电|電)[^（()）]*[）)]\s*$"))
        .expect("static regex")
});

pub(super) static END_DONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[（(]\s*完\s*[）)]\s*$").expect("static regex"));

/// Whether a text closes with an end marker, `（完）` or a dateline in brackets
/// (`（新华社…电）`): a line so closed ends an article, whatever comes before the marker.
pub(super) fn ends_with_end_marker(text: &str) -> bool {
    text.ends_with([')', '）']) && (END_DONE.is_match(text) || END_DATELINE.is_match(text))
}

/// An author's or reporter's note closing an article, the whole line in round brackets:
/// `（作者为本报记者）`, `（记者 某某）`, `（本报记者 某某）`, `（新华社记者 某某）`; or a
/// credit that ends the brackets with what the people named did: `（某某参与采写）`,
/// `（实习生某某对本文亦有贡献）`, `（本报记者某某采访整理）`.
pub(super) static AUTHOR_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^[（(]\s*(?:(?:作者|(?:{AGENCY}\s*)?(?:特约|特約)?(?:记者|記者|通讯员|通訊員)|编辑|編輯|责任编辑|責任編輯|来源|來源|执笔|執筆|本文|译者|譯者|翻译|翻譯)[^（()）]*|[^（()）]{{1,60}}(?:参与采写|參與採寫|有贡献|有貢獻|采访整理|採訪整理|供稿))[）)]$"
    ))
    .expect("static regex")
});

pub(super) static SIGNING_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}年\d{1,2}月\d{1,2}日(?:于|於|在)[\p{Han}]{1,12}").expect("static regex"));

pub(super) static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^图为|^圖為|[。\s]图为|[。\s]圖為|(?:新华社|新華社)(?:记者|記者)?[\p{Han}·\s]{0,12}(?:发|發|摄|攝)[）)]?$|[（(]?[\p{Han}·]{2,8}\s*(?:摄|攝)[）)]?$)")
        .expect("static regex")
});

/// A byline on a line of its own: `本报记者 李 然`, `記者 楊帆`.
pub(super) static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:本报|本報|新华社|新華社|中新社|人民日报|人民日報)?(?:特约|特約)?(?:记者|記者|通讯员|通訊員|评论员|評論員)[\s：:]*[\p{Han}·][\p{Han}·\s、]{0,20}$")
        .expect("static regex")
});

/// Page furniture: image placeholders, page headers and footers, editor lines.
pub(super) static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[\[【（(〔]?\s*(?:图片|圖片|图|圖|视频|視頻|照片|photo|image)\s*[\]】）)〕]?",
        r"|点击查看大图|點擊查看大圖|点击播放|點擊播放|点击查看|打印本页|关闭窗口",
        r"|[—\-－–]+\s*\d{1,4}\s*[—\-－–]+",
        r"|第\s*[0-9０-９]{1,3}\s*版\s*[：:︰]?.{0,12}",
        r"|[0-9０-９]{1,3}\s*版\s*[：:︰].{0,12}",
        r"|[【\[]第?\s*[0-9０-９一二三四五六七八九十]{1,3}\s*版.{0,12}[】\]]",
        r"|.{0,30}(?:星期|周)[一二三四五六日天].{0,20}第\s*[0-9０-９一二三四五六七八九十]{1,3}\s*版.{0,10}",
        // (The web edition's `《人民日报》（2026年08月04日第 07 版）` is not: it belongs to the
        // title block above it, which the line model reads.)
        r"|[^《》。，,；;！？]{0,30}\d{1,4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^。，,；;！？]{0,20}第\s*[0-9０-９一二三四五六七八九十]{1,3}\s*版[^。，,；;！？]{0,10}",
        r"|[【（(\[]?\s*(?:本版)?(?:责任编辑|責任編輯|责编|責編|编辑|編輯|版式设计|版式設計|美编|美編|校对|校對|审校)\s*[:：].{0,40}",
        r")$"
    ))
    .expect("static regex")
});

/// A test [`FURNITURE`] needs to pass to match: the pattern is tried on nearly every line, and
/// its unanchored tails (`.{0,30}` before a weekday) make the regex read far into each. Every
/// alternative either holds `版` or starts (past an optional bracket) with one of a few
/// characters; a body line starts with neither, so most lines are settled by two tests.
pub(super) fn may_be_furniture(s: &str, has_ban: bool) -> bool {
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
pub(super) fn has_ban(s: &str) -> bool {
    static BAN: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new("版"));
    BAN.find(s.as_bytes()).is_some()
}

/// A date alone on a line: the date of a signature block.
pub(super) static DATE_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日$",
    )
    .expect("static regex")
});

/// A chapter or section line of a statute: `第一章　总　则`.
pub(super) static CHAPTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^第[一二三四五六七八九十百零〇\d]+(?:章|节|節|编|編|篇)(?:\s|$)").expect("static regex")
});

pub(super) static WRITER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:执笔记者|執筆記者|记者|記者)[：:\s]*([\p{Han}·、\s]{2,40}?)\s*[）)]?$").expect("static regex")
});

/// A cheap test before the dateline pattern: its day-and-dispatch mark
/// (`日电`, `日電`, `日讯`) or `本报讯` near the start of the paragraph.
/// One pass over the first 40 characters, looking back one character from
/// each dispatch mark, instead of a substring search per mark.
pub(super) fn may_hold_dateline(s: &str) -> bool {
    // A site's news line names itself in its first few characters (`央视网消息`).
    static NEWS: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new("消息"));
    if NEWS.find(&s.as_bytes()[..s.len().min(SITE_NEWS_BYTES)]).is_some() {
        return true;
    }
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

/// How far into a paragraph (in bytes: ten characters) a site's news line names itself.
const SITE_NEWS_BYTES: usize = 30;

/// Whether `电`, `電`, `讯` or `訊` (E7 94 B5, E9 9B BB, E8 AE AF, E8 A8 8A)
/// occurs in `b`.
#[expect(clippy::needless_bitwise_bool, reason = "`&` and `|` keep the block test branch-free, so it vectorises")]
pub(super) fn any_dispatch_mark(b: &[u8]) -> bool {
    let is_mark = |x0: u8, x1: u8, x2: u8| {
        ((x0 == 0xE7) & (x1 == 0x94) & (x2 == 0xB5))
            | ((x0 == 0xE9) & (x1 == 0x9B) & (x2 == 0xBB))
            | ((x0 == 0xE8) & (((x1 == 0xAE) & (x2 == 0xAF)) | ((x1 == 0xA8) & (x2 == 0x8A))))
    };
    let at = crate::corpus::scan::first_block(b, 0, is_mark);
    b[at..].windows(3).any(|w| is_mark(w[0], w[1], w[2]))
}

/// A cheap test before the caption pattern: `图为`, or a credit at the end.
pub(super) fn may_be_caption(s: &str) -> bool {
    // Searchers built once: `str::contains` builds one per call, and this runs on most lines.
    static PHOTO: LazyLock<[memchr::memmem::Finder<'static>; 2]> =
        LazyLock::new(|| [memchr::memmem::Finder::new("图为"), memchr::memmem::Finder::new("圖為")]);
    s.trim_end_matches([')', '）']).ends_with(['发', '發', '摄', '攝'])
        || PHOTO.iter().any(|f| f.find(s.as_bytes()).is_some())
}

pub(super) fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Two phrases of three to `longest` characters side by side, split by a space or U+3000:
/// the shape of a sub-heading or of a two-part title.
pub(super) fn two_short_phrases(s: &str, longest: usize) -> bool {
    let phrases: Vec<&str> = s.split([' ', '\u{3000}']).filter(|p| !p.is_empty()).collect();
    phrases.len() == 2 && phrases.iter().all(|p| (3..=longest).contains(&char_len(p)))
}

/// A line made only of dashes or similar marks: the separator of a teaser list.
pub(super) fn is_separator(s: &str) -> bool {
    // Twelve characters take at most 48 bytes: longer lines need no counting.
    if s.len() > 48 {
        return false;
    }
    let n = char_len(s);
    (1..=12).contains(&n) && s.chars().all(|c| matches!(c, '-' | '—' | '－' | '*' | '＊' | '=' | '_' | '~' | '·'))
}

/// Whether quotes and brackets in `s` are balanced (a title never leaves one open).
pub(super) fn balanced(s: &str) -> bool {
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
pub(super) fn heading_shaped(s: &str) -> bool {
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
pub(super) fn holds_stop(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr3_iter(b';', 0x82, 0x9B, b).any(|i| {
        matches!(
            (b[i], i.checked_sub(2).map(|k| &b[k..i])),
            (b';', _) | (0x82, Some([0xE3, 0x80])) | (0x9B, Some([0xEF, 0xBC]))
        )
    })
}

/// A row of a signature block: names and offices in columns, no sentence.
pub(super) fn signature_shaped(s: &str) -> bool {
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

/// The lines that open the items of a teaser list set as a Markdown list (`- 标题` or
/// `- **标题**`, its summary on the next line): a list item shaped like a title (at most
/// [`TEASER_TITLE_CHARS`] characters, no full stop) with one line of text under it, in a run of
/// at least two such items. A list of sentences, or of titles without summaries (links), is not
/// one.
fn list_teasers(lines: &[Line]) -> Vec<bool> {
    let title = |l: &Line| l.list_item && char_len(&l.text) <= TEASER_TITLE_CHARS && !l.text.contains('。');
    let mut opens = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        // Items and their summaries, in pairs from `i`.
        let mut end = i;
        while end + 1 < lines.len() && title(&lines[end]) && !lines[end + 1].list_item {
            end += 2;
        }
        if end - i >= 4 {
            for k in (i..end).step_by(2) {
                opens[k] = true;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    opens
}

/// Opens each item of a teaser list set as a Markdown list ([`list_teasers`]) as a separator
/// line opens one: a teaser break before it, and the line its title.
pub(super) fn open_list_teasers(items: Vec<Item>) -> Vec<Item> {
    if !items.iter().any(|it| matches!(it, Item::Block(b) if b.list_teaser)) {
        return items;
    }
    let mut out = Vec::with_capacity(items.len() + 8);
    for it in items {
        if let Item::Block(mut b) = it {
            if b.list_teaser {
                out.push(Item::Break(Break::Teaser));
                b.kind = Kind::Heading;
                b.forced_title = true;
            }
            out.push(Item::Block(b));
        } else {
            out.push(it);
        }
    }
    out
}

/// The longest title of a teaser list's item.
const TEASER_TITLE_CHARS: usize = 80;

/// Pass 1: lines → blocks and breaks. Markers taken out are appended to `removed`.
pub(super) fn classify(lines: Vec<Line>, markdown: bool, removed: &mut RemovedList) -> Vec<Item> {
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
    let teasers = list_teasers(&lines);
    for ((line, repeated), teaser) in lines.into_iter().zip(repeated).zip(teasers) {
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
            let first = items.len();
            classify_text(line, span, markdown, after_teaser, &mut items);
            after_teaser = false;
            // The item of a teaser list set as a Markdown list: opened as one after the line
            // pass ([`open_list_teasers`]), which weighs its lines as they stand.
            if teaser && let Some(Item::Block(b)) = items.get_mut(first) {
                b.list_teaser = true;
            }
        }
        if let Some(brk) = trailing_jump {
            items.push(Item::Break(brk));
        }
    }
    demote_lonely_headings(&mut items);
    items
}

/// Where `inner`, a slice of `outer`, lies in it.
pub(super) fn span_in(outer: &str, inner: &str) -> std::ops::Range<usize> {
    let start = (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize).min(outer.len());
    start..(start + inner.len()).min(outer.len())
}

/// Classifies `span` of `line`'s text (what is left of it after jump markers).
pub(super) fn classify_text(
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
    if (text.starts_with(['(', '（']) && balanced(text))
        && (text.contains('完') || text.contains(['电', '電']))
        && ends_with_end_marker(text)
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
        head.run_in = true;
        items.push(Item::Block(head));
        rest = trim_space(&rest[b.len()..]);
    }
    let whole_bold = bold_heading && bold.is_some_and(|b| b.len() == rest.len());
    let kind = if line.heading.is_some()
        || whole_bold
        || (after_teaser && char_len(rest) <= TEASER_TITLE_CHARS && !rest.contains('。'))
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
pub(super) fn demote_lonely_headings(items: &mut [Item]) {
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

/// Whether block `i` is the rest of a line that opened with a dateline (`本报北京10月17日电 …`),
/// split off it by [`classify`]: the text the dateline opens, or the title that it prefixes.
pub(super) fn after_own_dateline(items: &[Item], i: usize, b: &Block) -> bool {
    i.checked_sub(1)
        .is_some_and(|p| matches!(&items[p], Item::Block(d) if d.kind == Kind::Dateline && d.line == b.line))
}

/// The decision of [`demote_lonely_headings`] for item `i`, given what the nearest blocks that
/// are not headings before and after it say, and whether a date signature follows its run.
pub(super) fn demote_one(
    items: &mut [Item],
    i: usize,
    prev_open: Option<bool>,
    next_body: Option<bool>,
    over_date: bool,
) {
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
    // The words after a dateline on its own line are the report's opening words or, when the
    // title line carries the dateline, its title. With a heading right under them they are not
    // the title (that is the heading), so the page cut the opening sentence short.
    let heading_next = matches!(items.get(i + 1), Some(Item::Block(nb)) if nb.kind == Kind::Heading);
    if heading_next && after_own_dateline(items, i, b) {
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
pub(super) fn resolve_numerals(items: Vec<Item>, removed: &mut RemovedList) -> Vec<Item> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lines_of(text: &str) -> Vec<Line> {
        crate::corpus::clean::clean(text, &mut RemovedList::default()).lines
    }

    #[test]
    fn a_markdown_list_of_titles_with_summaries_is_a_teaser_list() {
        let page = "正文最后一段。\n\n- **港口吞吐量稳步增长**\n  前三季度沿海港口货物吞吐量同比增长。\n- 山区公路通到村口\n今年新改建农村公路一万多公里……\n";
        let lines = lines_of(page);
        assert_eq!(list_teasers(&lines), [false, true, false, true, false]);
        let items = open_list_teasers(classify(lines, true, &mut RemovedList::default()));
        let teasers = items.iter().filter(|i| matches!(i, Item::Break(Break::Teaser))).count();
        assert_eq!(teasers, 2);
        let titles: Vec<&str> = items
            .iter()
            .filter_map(|i| match i {
                Item::Block(b) if b.forced_title => Some(b.text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(titles, ["港口吞吐量稳步增长", "山区公路通到村口"]);
    }

    #[test]
    fn lists_of_sentences_links_or_a_single_item_are_not_teasers() {
        for page in [
            // Items that are sentences.
            "- 一是加强组织领导，压实各方责任。\n说明。\n- 二是完善工作机制，强化协同配合。\n说明。\n",
            // Titles without summaries: a list of links.
            "- 港口吞吐量稳步增长\n- 山区公路通到村口\n- 新线开通运营\n",
            // One item with its summary.
            "- 港口吞吐量稳步增长\n前三季度沿海港口货物吞吐量同比增长。\n",
        ] {
            assert!(list_teasers(&lines_of(page)).iter().all(|&t| !t), "{page}");
        }
    }

    fn kinds_after_demotion(page: &str) -> Vec<(Kind, String)> {
        let mut items = classify(lines_of(page), false, &mut RemovedList::default());
        demote_lonely_headings(&mut items);
        items
            .into_iter()
            .filter_map(|i| match i {
                Item::Block(b) => Some((b.kind, b.text)),
                Item::Break(_) => None,
            })
            .collect()
    }

    #[test]
    fn words_after_a_dateline_with_a_heading_under_them_are_text() {
        // The page cut the opening sentence after a few words, and the title block follows.
        let cut = kinds_after_demotion(
            "本报北京10月17日电 全国秋粮收购工作会议在京召开\n\n秋粮收购进度加快\n\n记者从会议上获悉，今年秋粮收购总体平稳有序。\n",
        );
        assert_eq!(cut[0].0, Kind::Dateline);
        assert_eq!(cut[1], (Kind::Body, "全国秋粮收购工作会议在京召开".to_owned()));
        assert_eq!(cut[2].0, Kind::Heading);
        // With text under them, the same words are the title that the dateline prefixes.
        let titled = kinds_after_demotion(
            "本报北京10月17日电 全国秋粮收购工作会议在京召开\n\n记者从会议上获悉，今年秋粮收购总体平稳有序。\n",
        );
        assert_eq!(titled[1], (Kind::Heading, "全国秋粮收购工作会议在京召开".to_owned()));
    }

    /// The dateline pre-check as first written: a substring search per mark.
    fn may_hold_dateline_by_substrings(s: &str) -> bool {
        let head = &s[..s.char_indices().nth(40).map_or(s.len(), |(i, _)| i)];
        ["日电", "日電", "日讯", "日訊", "报讯", "報訊", "站讯", "站訊", "网讯", "網訊"]
            .iter()
            .any(|m| head.contains(m))
    }

    #[test]
    fn document_numbers_are_recognised_alone_on_their_line() {
        for n in ["（第二十七号）", "(第3号)", "国发〔2024〕7号", "京政办发[2023]12号"] {
            assert!(DOCUMENT_NUMBER.is_match(n), "{n}");
        }
        for n in ["第二十七号文件规定", "（第二十七号）公告", "国发〔2024〕7号文件", "（二〇二五年三月）"]
        {
            assert!(!DOCUMENT_NUMBER.is_match(n), "{n}");
        }
    }

    #[test]
    fn a_reporter_named_or_credited_in_brackets_on_his_own_line_is_an_author_note() {
        for n in [
            "（记者 王明）",
            "（本报记者 王明）",
            "(新华社记者王明、李华)",
            "（本報記者 陳明）",
            "（作者为本报记者）",
            "（王明参与采写）",
            "（實習生陳明參與採寫）",
            "（实习生王明对本文亦有贡献）",
            "（本报记者王明采访整理）",
        ] {
            assert!(AUTHOR_NOTE.is_match(n), "{n}");
        }
        for n in ["（受权发布）", "（本报评论员文章）", "（记者 王明）报道称", "记者 王明", "（参与采写的有）：王明"]
        {
            assert!(!AUTHOR_NOTE.is_match(n), "{n}");
        }
    }

    #[test]
    fn a_site_news_line_is_a_dateline_and_news_in_the_text_is_not() {
        let m = DATELINE.find("央视网消息（新闻联播）：全国政协主席2日在京会见来宾。").map(|m| m.as_str());
        assert_eq!(m, Some("央视网消息（新闻联播）："));
        assert_eq!(DATELINE.find("人民网消息：记者从有关部门获悉").map(|m| m.as_str()), Some("人民网消息："));
        assert!(DATELINE.find("央视网消息称，会议将于明日举行。").is_none(), "no colon: a sentence about the news");
        assert!(DATELINE.find("各方消息（据报道）：").is_none(), "no agency before 消息");
    }

    #[test]
    fn the_dateline_pre_check_looks_at_the_first_forty_characters() {
        assert!(may_hold_dateline("新华社北京11月19日电 国家主席"));
        assert!(may_hold_dateline("本报讯（记者 李然）"));
        assert!(!may_hold_dateline("日本电视台报道"));
        assert!(may_hold_dateline(&format!("{}日电", "字".repeat(38))), "the mark ends the 40th character");
        assert!(!may_hold_dateline(&format!("{}日电", "字".repeat(39))), "the mark ends the 41st character");
        assert!(may_hold_dateline("央视网消息（新闻联播）：国务院"));
        assert!(!may_hold_dateline("这是一段很长的文字，后面才有消息"), "消息 past the first ten characters");
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
            "人民日报 2026年8月2日 第2版",
            "02版：要闻",
            "【第二版 要闻】",
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
        // A sentence that cites a page is text.
        assert!(!FURNITURE.is_match("据2024年3月5日本报第2版报道，会议取得成功。"));
        assert!(!FURNITURE.is_match("《人民日报》（2026年08月04日第 07 版）"));
    }

    proptest! {
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

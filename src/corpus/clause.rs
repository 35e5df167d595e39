//! Numbered clauses: the `一、` … `二十三、`, `一是`, `（一）`, `1.`, `（1）`, `第一条`
//! labels that statements and communiqués are built from, and section numerals
//! standing alone on a line.
//!
//! Segmentation calls [`detect`] on each paragraph of an article and [`number`]
//! to assemble the article's clause list; nothing here looks at more than one
//! article.

use serde::Serialize;

use super::{Clause, Paragraph, ParagraphKind};

/// How a clause label is written; decides its nesting level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClauseStyle {
    /// `第一条`
    Article,
    /// A Chinese numeral alone on its own line: `二`.
    Section,
    /// `一、`
    Enumerated,
    /// `一是`
    Shi,
    /// `（一）` or `(一)`
    Parenthesised,
    /// `1.` `1、` `1．`
    Arabic,
    /// `（1）` or `(1)`
    ParenthesisedArabic,
}

impl ClauseStyle {
    /// Canonical nesting rank: smaller ranks enclose larger ones.
    fn rank(self) -> u8 {
        match self {
            ClauseStyle::Article => 0,
            ClauseStyle::Section | ClauseStyle::Enumerated | ClauseStyle::Shi => 1,
            ClauseStyle::Parenthesised => 2,
            ClauseStyle::Arabic => 3,
            ClauseStyle::ParenthesisedArabic => 4,
        }
    }
}

/// A label found at the start of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub number: u32,
    pub label: String,
    pub style: ClauseStyle,
}

fn digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '兩' | '贰' | '貳' => 2,
        '三' | '叁' | '參' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn is_numeral_char(c: char) -> bool {
    digit(c).is_some() || matches!(c, '十' | '拾' | '百' | '佰')
}

/// Parses a Chinese numeral from 一 to 九百九十九 (`二十三` → 23, `十` → 10, `一百零五` → 105).
pub fn parse_chinese_numeral(s: &str) -> Option<u32> {
    if s.is_empty() || !s.chars().all(is_numeral_char) {
        return None;
    }
    let mut total = 0u32;
    let mut pending: Option<u32> = None;
    let mut last_unit = u32::MAX;
    for c in s.chars() {
        let unit = match c {
            '十' | '拾' => 10,
            '百' | '佰' => 100,
            _ => {
                if pending.is_some() && pending != Some(0) {
                    return None; // two digits in a row ("二三") is not a numeral
                }
                pending = digit(c);
                continue;
            }
        };
        if unit >= last_unit {
            return None; // units must fall: 百 before 十
        }
        last_unit = unit;
        // A bare 十 means one ten.
        total += pending.take().filter(|&d| d > 0).unwrap_or(1) * unit;
    }
    total += pending.unwrap_or(0);
    (total > 0).then_some(total)
}

/// Parses ASCII or full-width Arabic digits.
fn parse_arabic(s: &str) -> Option<u32> {
    if s.is_empty() || s.chars().count() > 3 {
        return None;
    }
    let mut n = 0u32;
    for c in s.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => return None,
        };
        n = n * 10 + d;
    }
    (n > 0).then_some(n)
}

/// Splits `s` after its leading run of chars matching `pred`.
fn leading(s: &str, pred: impl Fn(char) -> bool) -> (&str, &str) {
    let end = s.char_indices().find(|&(_, c)| !pred(c)).map_or(s.len(), |(i, _)| i);
    s.split_at(end)
}

/// The number of a paragraph that is only a Chinese numeral (`二`, `十三`).
pub fn lone_numeral(text: &str) -> Option<u32> {
    let t = text.trim();
    // (More than four characters; `nth` stops there, `count` would read the whole paragraph.)
    if t.chars().nth(4).is_some() {
        return None;
    }
    parse_chinese_numeral(t)
}

/// Recognises a clause label at the start of a paragraph.
pub fn detect(text: &str) -> Option<Label> {
    let t = text.trim_start();
    if let Some(n) = lone_numeral(t) {
        return Some(Label { number: n, label: t.trim().to_string(), style: ClauseStyle::Section });
    }
    let mut chars = t.chars();
    let first = chars.next()?;
    if first == '第' {
        let (num, rest) = leading(&t[first.len_utf8()..], is_numeral_char);
        if let (Some(n), Some('条' | '條')) = (parse_chinese_numeral(num), rest.chars().next()) {
            let end = t.len() - rest.len() + '条'.len_utf8();
            return Some(Label { number: n, label: t[..end].to_string(), style: ClauseStyle::Article });
        }
        return None;
    }
    if matches!(first, '（' | '(') {
        let inner = &t[first.len_utf8()..];
        let (num, rest) = leading(inner, |c| is_numeral_char(c) || c.is_ascii_digit() || ('０'..='９').contains(&c));
        let close = rest.chars().next()?;
        if !matches!(close, '）' | ')') {
            return None;
        }
        let end = t.len() - rest.len() + close.len_utf8();
        let label = t[..end].to_string();
        if let Some(n) = parse_chinese_numeral(num) {
            return Some(Label { number: n, label, style: ClauseStyle::Parenthesised });
        }
        return parse_arabic(num).map(|n| Label { number: n, label, style: ClauseStyle::ParenthesisedArabic });
    }
    if is_numeral_char(first) {
        let (num, rest) = leading(t, is_numeral_char);
        let n = parse_chinese_numeral(num)?;
        let mut after = rest.chars();
        return match after.next() {
            Some('、') => Some(Label {
                number: n,
                label: t[..num.len() + '、'.len_utf8()].to_string(),
                style: ClauseStyle::Enumerated,
            }),
            // "一是" lists; "一是一" or "是否" would not follow a numeral like this.
            Some('是') if after.next().is_some_and(|c| !is_numeral_char(c)) => {
                Some(Label { number: n, label: t[..num.len() + '是'.len_utf8()].to_string(), style: ClauseStyle::Shi })
            }
            _ => None,
        };
    }
    if first.is_ascii_digit() || ('０'..='９').contains(&first) {
        let (num, rest) = leading(t, |c| c.is_ascii_digit() || ('０'..='９').contains(&c));
        let n = parse_arabic(num)?;
        let mut after = rest.chars();
        let sep = after.next()?;
        if !matches!(sep, '.' | '、' | '．') {
            return None;
        }
        // "1.4万" is a decimal, not a label.
        let next = after.next()?;
        if next.is_ascii_digit() || ('０'..='９').contains(&next) {
            return None;
        }
        return Some(Label {
            number: n,
            label: t[..num.len() + sep.len_utf8()].to_string(),
            style: ClauseStyle::Arabic,
        });
    }
    None
}

/// Builds the clause list of an article from its paragraphs, assigning nesting
/// levels and flagging clauses that break their sequence.
pub fn number(paragraphs: &[Paragraph]) -> Vec<Clause> {
    let found: Vec<(usize, Label)> = paragraphs
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, ParagraphKind::Body | ParagraphKind::Heading))
        .filter_map(|(i, p)| detect(&p.text).map(|l| (i, l)))
        .collect();
    // Levels follow the canonical nesting among the styles actually present,
    // so a statement using only （一） still has level-1 clauses.
    let mut ranks: Vec<u8> = found.iter().map(|(_, l)| l.style.rank()).collect();
    ranks.sort_unstable();
    ranks.dedup();
    let mut clauses: Vec<Clause> = found
        .into_iter()
        .map(|(paragraph, l)| Clause {
            number: l.number,
            level: ranks.iter().position(|&r| r == l.style.rank()).map_or(1, |p| p as u8 + 1),
            label: l.label,
            paragraph,
            style: l.style,
            in_sequence: true,
        })
        .collect();
    flag_out_of_sequence(&mut clauses);
    clauses
}

/// Marks clauses that are not on the longest run of consecutive numbers of
/// their level: the stray `二、` before `一、` in a communiqué.
fn flag_out_of_sequence(clauses: &mut [Clause]) {
    let mut levels: Vec<u8> = clauses.iter().map(|c| c.level).collect();
    levels.sort_unstable();
    levels.dedup();
    for level in levels {
        let idx: Vec<usize> = (0..clauses.len()).filter(|&i| clauses[i].level == level).collect();
        // best[k]: length of the longest chain n, n+1, … ending at idx[k].
        // Nested lists restart numbering under each parent, so a chain may
        // also restart at 1; the quadratic scan is bounded by clauses per article.
        let mut best = vec![1usize; idx.len()];
        let mut prev = vec![None; idx.len()];
        for k in 0..idx.len() {
            for j in 0..k {
                if clauses[idx[j]].number + 1 == clauses[idx[k]].number && best[j] + 1 > best[k] {
                    best[k] = best[j] + 1;
                    prev[k] = Some(j);
                }
            }
        }
        let Some(mut k) = (0..idx.len()).max_by_key(|&k| (best[k], std::cmp::Reverse(k))) else {
            continue;
        };
        let mut on_chain = vec![false; idx.len()];
        loop {
            on_chain[k] = true;
            match prev[k] {
                Some(j) => k = j,
                None => break,
            }
        }
        // Clauses off the main chain are out of sequence only when the chain
        // explains most of them; several restarted lists are all in sequence.
        let chain_len = on_chain.iter().filter(|&&b| b).count();
        if chain_len * 2 < idx.len() {
            continue;
        }
        for (k, &i) in idx.iter().enumerate() {
            clauses[i].in_sequence = on_chain[k];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Paragraph {
        Paragraph { kind: ParagraphKind::Body, text: text.to_string(), garbled: Box::default(), line: 1 }
    }

    #[test]
    fn chinese_numerals_parse_up_to_hundreds() {
        let cases = [
            ("一", 1),
            ("十", 10),
            ("十三", 13),
            ("二十", 20),
            ("二十三", 23),
            ("九十九", 99),
            ("一百", 100),
            ("一百零五", 105),
            ("三百二十一", 321),
            ("兩", 2),
        ];
        for (s, n) in cases {
            assert_eq!(parse_chinese_numeral(s), Some(n), "{s}");
        }
        for s in ["", "二三", "十十", "十百", "零", "一a"] {
            assert_eq!(parse_chinese_numeral(s), None, "{s}");
        }
    }

    #[test]
    fn every_number_to_ninety_nine_round_trips_through_its_numeral() {
        const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        for n in 1..100u32 {
            let s = match (n / 10, n % 10) {
                (0, u) => D[u as usize].to_string(),
                (1, u) => format!("十{}", D[u as usize]),
                (t, u) => format!("{}十{}", D[t as usize], D[u as usize]),
            };
            assert_eq!(parse_chinese_numeral(&s), Some(n), "{s}");
        }
    }

    #[test]
    fn labels_are_recognised_in_every_usual_style() {
        let cases = [
            ("一、各方梳理了", 1, "一、", ClauseStyle::Enumerated),
            ("二十三、各方商定", 23, "二十三、", ClauseStyle::Enumerated),
            ("三是坚持机制建设。", 3, "三是", ClauseStyle::Shi),
            ("（一）政治互信", 1, "（一）", ClauseStyle::Parenthesised),
            ("(十二)经贸合作", 12, "(十二)", ClauseStyle::Parenthesised),
            ("1.加强合作", 1, "1.", ClauseStyle::Arabic),
            ("12、深化交流", 12, "12、", ClauseStyle::Arabic),
            ("（3）具体措施", 3, "（3）", ClauseStyle::ParenthesisedArabic),
            ("第一条 为了", 1, "第一条", ClauseStyle::Article),
            ("第二十条　本法", 20, "第二十条", ClauseStyle::Article),
            ("七", 7, "七", ClauseStyle::Section),
        ];
        for (text, n, label, style) in cases {
            let l = detect(text).unwrap_or_else(|| panic!("no label in {text}"));
            assert_eq!((l.number, l.label.as_str(), l.style), (n, label, style), "{text}");
        }
    }

    #[test]
    fn ordinary_sentences_have_no_label() {
        for text in [
            "2025年4月26日,中国一中亚外长第六次会晤",
            "1.4万家企业上线",
            "一带一路倡议",
            "第一届撒马尔罕国际气候论坛",
            "十分重要。",
            "三国共建",
            "（新华社北京7月5日电）",
            "一是一,二是二",
        ] {
            assert_eq!(detect(text), None, "{text}");
        }
    }

    #[test]
    fn nested_styles_get_increasing_levels() {
        let paras = [body("一、总则"), body("（一）目标"), body("1.具体"), body("（1）细则"), body("二、分则")];
        let clauses = number(&paras);
        let levels: Vec<u8> = clauses.iter().map(|c| c.level).collect();
        assert_eq!(levels, [1, 2, 3, 4, 1]);
    }

    #[test]
    fn a_style_used_alone_is_level_one() {
        let clauses = number(&[body("（一）目标"), body("（二）措施")]);
        assert!(clauses.iter().all(|c| c.level == 1));
    }

    #[test]
    fn stray_clause_before_the_first_is_kept_and_flagged() {
        // seed 000: a stray "二、" precedes "一、" in the communiqué.
        let paras = [body("二、各方在友好"), body("一、各方梳理"), body("二、各方就"), body("三、各方高度")];
        let clauses = number(&paras);
        let numbers: Vec<u32> = clauses.iter().map(|c| c.number).collect();
        assert_eq!(numbers, [2, 1, 2, 3]);
        let flags: Vec<bool> = clauses.iter().map(|c| c.in_sequence).collect();
        assert_eq!(flags, [false, true, true, true]);
    }

    #[test]
    fn a_fragment_may_start_mid_sequence() {
        let paras = [body("二是坚持互利合作。"), body("三是坚持机制建设。"), body("四是坚持公平正义。")];
        assert!(number(&paras).iter().all(|c| c.in_sequence));
    }

    #[test]
    fn datelines_and_captions_are_not_clauses() {
        let mut p = body("一、不是条款");
        p.kind = ParagraphKind::Caption;
        assert!(number(&[p]).is_empty());
    }
}

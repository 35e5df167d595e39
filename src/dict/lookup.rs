//! What `gongbao lookup TEXT` prints: a word's entries, or a sentence word by word.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Dictionary, Entry, cut};

/// One entry as `--json` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRecord<'a> {
    pub traditional: &'a str,
    pub simplified: &'a str,
    /// With tone marks.
    pub pinyin: String,
    /// As CC-CEDICT writes it, with tone numbers.
    pub pinyin_numbered: &'a str,
    pub zhuyin: String,
    pub senses: Vec<&'a str>,
}

impl<'a> EntryRecord<'a> {
    pub fn new(e: &Entry<'a>) -> EntryRecord<'a> {
        EntryRecord {
            traditional: e.traditional,
            simplified: e.simplified,
            pinyin: e.pinyin_marked(),
            pinyin_numbered: e.pinyin,
            zhuyin: e.zhuyin(),
            senses: e.senses().collect(),
        }
    }
}

/// One word of the text looked up, with every entry the dictionary has for it (none for a
/// character it does not know).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordRecord<'t, 'a> {
    pub text: &'t str,
    /// Byte offsets in the text looked up.
    pub start: usize,
    pub end: usize,
    pub entries: Vec<EntryRecord<'a>>,
}

/// The words of `text`: the text itself when it is one dictionary word, else its words cut
/// by longest match.
pub fn words<'t, 'a>(dictionary: &Dictionary<'a>, text: &'t str) -> Vec<WordRecord<'t, 'a>> {
    let trimmed = text.trim();
    let start = text.len() - text.trim_start().len();
    let ranges: Vec<_> = if dictionary.contains(trimmed) {
        std::iter::once(start..start + trimmed.len()).collect()
    } else {
        cut::cut(dictionary, text).into_iter().map(|w| w.range).collect()
    };
    ranges
        .into_iter()
        .map(|r| WordRecord {
            text: &text[r.clone()],
            start: r.start,
            end: r.end,
            entries: dictionary.lookup(&text[r.clone()]).into_iter().map(EntryRecord::new).collect(),
        })
        .collect()
}

/// The forms of an entry, Traditional first; one when both are the same.
fn forms(e: &EntryRecord<'_>) -> String {
    if e.traditional == e.simplified { e.traditional.to_owned() } else { format!("{} {}", e.traditional, e.simplified) }
}

/// The reading of an entry: pinyin, and zhuyin after it when `zhuyin`.
fn reading(e: &EntryRecord<'_>, zhuyin: bool) -> String {
    if zhuyin { format!("{}  {}", e.pinyin, e.zhuyin) } else { e.pinyin.clone() }
}

/// As text: a single word with each entry and its numbered senses; several words one a line,
/// with the pinyin and senses of the likeliest entry (`?` for a word the dictionary lacks).
pub fn to_text(words: &[WordRecord<'_, '_>], zhuyin: bool) -> String {
    let mut out = String::new();
    if let [word] = words {
        if word.entries.is_empty() {
            let _ = writeln!(out, "{}  ?", word.text);
        }
        for e in &word.entries {
            let _ = writeln!(out, "{}  [{}]", forms(e), reading(e, zhuyin));
            for (n, sense) in e.senses.iter().enumerate() {
                let _ = writeln!(out, "  {}. {sense}", n + 1);
            }
        }
        return out;
    }
    for word in words {
        match word.entries.first() {
            Some(e) => {
                let _ = writeln!(out, "{}  [{}]  {}", word.text, reading(e, zhuyin), e.senses.join("; "));
            }
            None => {
                let _ = writeln!(out, "{}  ?", word.text);
            }
        }
    }
    out
}

/// As JSON: `{"words": [{"text", "start", "end", "entries": [...]}]}`.
///
/// # Errors
/// Only if serialisation fails, which plain strings and numbers do not.
pub fn to_json(words: &[WordRecord<'_, '_>]) -> serde_json::Result<String> {
    serde_json::to_string(&serde_json::json!({ "words": words }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "各方 各方 [ge4 fang1] /all parties/all sides/\n歡迎 欢迎 [huan1 ying2] /to welcome/welcome/\n\
        國 国 [guo2] /country/\n國 国 [Guo2] /surname Guo/\n";

    #[test]
    fn a_word_lists_each_entry_with_numbered_senses() {
        let d = Dictionary::parse(SAMPLE);
        let text = to_text(&words(&d, " 国 "), false);
        assert_eq!(text, "國 国  [guó]\n  1. country\n國 国  [Guó]\n  1. surname Guo\n");
    }

    #[test]
    fn a_sentence_gives_one_line_a_word_with_the_likeliest_reading() {
        let d = Dictionary::parse(SAMPLE);
        let w = words(&d, "各方歡迎美国");
        assert_eq!(w.iter().map(|w| (w.start, w.end)).collect::<Vec<_>>(), [(0, 6), (6, 12), (12, 15), (15, 18)]);
        let text = to_text(&w, true);
        assert_eq!(
            text,
            "各方  [gè fāng  ㄍㄜˋ ㄈㄤ]  all parties; all sides\n歡迎  [huān yíng  ㄏㄨㄢ ㄧㄥˊ]  to welcome; welcome\n\
             美  ?\n国  [guó  ㄍㄨㄛˊ]  country\n"
        );
    }

    #[test]
    fn json_keeps_every_entry_and_both_pinyin_forms() {
        let d = Dictionary::parse(SAMPLE);
        let v: serde_json::Value = serde_json::from_str(&to_json(&words(&d, "国")).expect("json")).expect("parses");
        let entries = v["words"][0]["entries"].as_array().expect("entries");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0]["pinyin"], "guó");
        assert_eq!(entries[0]["pinyin_numbered"], "guo2");
        assert_eq!(entries[0]["zhuyin"], "ㄍㄨㄛˊ");
        assert_eq!(entries[1]["senses"][0], "surname Guo");
    }
}

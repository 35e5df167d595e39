//! The normal form search compares in: one character in, at most one character out.
//!
//! Folding is a per-character table, so that every folded character comes from exactly one
//! original character and a match in the normal form is an exact range of the original (see
//! [`super::index`], which also uses the table backwards: the spellings of a folded character). What the table does, in order of how often it matters:
//!
//! - **Script.** Characters `OpenCC` links are one class: what t2s and s2t do to each character
//!   on its own (國/国, 臺/檯/台, 裏/裡/里, 乾/幹/干, 後/后), plus the links its dictionaries make
//!   only inside phrases or as second candidates (看着 → 看著 links 着/著; 了 → 瞭), collected by
//!   `scripts/gen_fold_variants.py` into `variants.txt`. Each class folds to one of its
//!   Simplified members. Query and text are folded by the same table, so 着 finds 著 and 著
//!   finds 着; the price is a few extra matches (着 also finds 著名), never a missed one.
//!   Phrase conversion itself is not used: it could fold a word differently in a short query
//!   and in a longer text, and it can change a word's length, which breaks the exact mapping.
//! - **Width and punctuation.** Full-width letters and digits become ASCII (`１２`→`12`), ASCII
//!   punctuation becomes full-width (`,`→`，`, `(`→`（`), so both spellings of `中歐(亞)班列`
//!   meet; Chinese text mostly uses the full-width forms, so most characters keep their length.
//!   Latin letters are lower-cased. The quotes `“”「」"` are one character, as are `‘’『』'`.
//! - **White space** is dropped, so a phrase broken by a line break or a stray space still matches.
//!
//! The table covers the Basic Multilingual Plane; characters beyond it are kept as they are.

use std::sync::OnceLock;

use crate::convert::{Converter, PROBED, Script};
use crate::union_find::UnionFind;

/// Pairs of characters `OpenCC` links, one pair per line (see the generating script).
const VARIANTS: &str = include_str!("variants.txt");

/// Marks a character that folding drops (white space).
pub const DROP: u32 = u32::MAX;

/// The folding table, learned once from the t2s dictionaries.
pub struct Folder {
    /// Folded code point for each BMP code point, or [`DROP`].
    table: Box<[u32]>,
    /// The inverse of `table`: the characters folding to `c` are
    /// `preimages[starts[c]..starts[c + 1]]` (for searching the text as written).
    starts: Box<[u32]>,
    preimages: Box<[char]>,
}

impl std::fmt::Debug for Folder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let changed = self.table.iter().enumerate().filter(|&(i, &v)| i as u32 != v).count();
        f.debug_struct("Folder").field("changed", &changed).finish_non_exhaustive()
    }
}

/// The shared folder, learned on first use (a few milliseconds, plus building t2s once).
pub fn folder() -> &'static Folder {
    static FOLDER: OnceLock<Folder> = OnceLock::new();
    FOLDER.get_or_init(|| Folder::learn(&Converter::new()))
}

impl Folder {
    /// Learns the table: script from `converter`'s t2s, width, case, quotes and white space
    /// from Unicode's character classes. If t2s cannot be built the script part is left out
    /// (search then only matches text written in the query's script) rather than failing.
    pub fn learn(converter: &Converter) -> Folder {
        let mut table: Vec<u32> = (0..0x1_0000).collect();
        // Script: each probed character converted on its own line, so no phrase context applies,
        // in both directions: t2s alone keeps 著 (its 着 reading is phrase-level), s2t gives
        // 着 → 著. A character and its images are put in one class (union-find); the class is
        // represented by a character t2s leaves alone, i.e. a Simplified form.
        let chars: Vec<char> = PROBED.iter().flat_map(|&(lo, hi)| (lo..=hi).filter_map(char::from_u32)).collect();
        let mut probe = String::with_capacity(chars.len() * 4);
        for &c in &chars {
            probe.push(c);
            probe.push('\n');
        }
        let mut classes = UnionFind::new(0x1_0000);
        let mut keeps = vec![false; 0x1_0000];
        for target in [Script::Simplified, Script::Traditional] {
            let Ok(images) = converter.convert(&probe, target) else { continue };
            for (&c, line) in chars.iter().zip(images.split('\n')) {
                let mut out = line.chars();
                if let (Some(d), None) = (out.next(), out.next())
                    && (d as u32) < 0x1_0000
                {
                    if target == Script::Simplified && d == c {
                        keeps[c as usize] = true;
                    }
                    classes.union(c as usize, d as usize);
                }
            }
        }
        // Links OpenCC makes only inside phrases (看着 → 看著) or as a second candidate (了 → 瞭),
        // taken from its dictionaries by scripts/gen_fold_variants.py.
        for line in VARIANTS.lines().filter(|l| !l.starts_with('#')) {
            let mut pair = line.chars();
            if let (Some(a), Some(b)) = (pair.next(), pair.next())
                && (a as u32) < 0x1_0000
                && (b as u32) < 0x1_0000
            {
                classes.union(a as usize, b as usize);
            }
        }
        let mut representative: std::collections::HashMap<usize, u32> = std::collections::HashMap::new();
        for &c in &chars {
            let root = classes.find(c as usize);
            let entry = representative.entry(root).or_insert(c as u32);
            // Prefer a Simplified form; among those the lowest code point, so the choice is stable.
            let (current, candidate) = (*entry, c as u32);
            if (keeps[candidate as usize], std::cmp::Reverse(candidate))
                > (keeps[current as usize], std::cmp::Reverse(current))
            {
                *entry = candidate;
            }
        }
        for &c in &chars {
            table[c as usize] = representative[&classes.find(c as usize)];
        }
        // Compatibility ideographs (豈 U+F900 …) are the same characters as unified ones.
        for c in (0xF900..=0xFAFF).filter_map(char::from_u32) {
            use unicode_normalization::UnicodeNormalization as _;
            let mut nfc = std::iter::once(c).nfc();
            if let (Some(d), None) = (nfc.next(), nfc.next())
                && d != c
                && (d as u32) < 0x1_0000
            {
                table[c as usize] = d as u32;
            }
        }
        // Width: full-width letters and digits to ASCII, ASCII punctuation to full-width.
        for c in 0xFF01..=0xFF5E_u32 {
            let ascii = c - 0xFEE0;
            if char::from_u32(ascii).is_some_and(|a| a.is_ascii_alphanumeric()) {
                table[c as usize] = ascii;
            } else {
                table[ascii as usize] = c;
            }
        }
        for c in 'A'..='Z' {
            table[c as usize] = c.to_ascii_lowercase() as u32;
        }
        let same = |table: &mut Vec<u32>, chars: &str, to: char| {
            for c in chars.chars() {
                table[c as usize] = to as u32;
            }
        };
        same(&mut table, "\"“”「」〝〞﹁﹂｢｣", '＂');
        same(&mut table, "'‘’『』﹃﹄", '＇');
        same(&mut table, "・‧•･", '·');
        same(&mut table, "｡", '。');
        same(&mut table, "､", '、');
        // White space, last, so nothing above maps a character onto it.
        for c in (0..0x1_0000).filter_map(char::from_u32).filter(|c| c.is_whitespace()) {
            table[c as usize] = DROP;
        }
        // Follow chains to their end (繁 → 简 → …), so folding twice changes nothing.
        for i in 0..table.len() {
            let mut v = table[i];
            for _ in 0..8 {
                let next = if v == DROP { DROP } else { table[v as usize] };
                if next == v {
                    break;
                }
                v = next;
            }
            table[i] = v;
        }
        let (starts, preimages) = invert(&table);
        Folder { table: table.into_boxed_slice(), starts, preimages }
    }

    /// Every character that folds to `folded`, in code point order: itself among them when
    /// folding keeps it, none when it is not a folded form. Beyond the table a character folds
    /// to itself alone.
    pub fn preimages(&self, folded: char) -> Vec<char> {
        let c = folded as usize;
        match (self.starts.get(c), self.starts.get(c + 1)) {
            (Some(&from), Some(&to)) => self.preimages[from as usize..to as usize].to_vec(),
            _ => vec![folded],
        }
    }

    /// The folded form of `c`, or `None` when folding drops it.
    #[inline]
    pub fn fold_char(&self, c: char) -> Option<char> {
        match self.table.get(c as usize) {
            Some(&DROP) => None,
            Some(&v) => char::from_u32(v),
            None => Some(c),
        }
    }

    /// [`Folder::fold_char`] as a code point, [`DROP`] (`u32::MAX`) when folding drops the
    /// character: for loops over the whole corpus, where an `Option<char>` costs a check.
    #[inline]
    pub fn fold_code(&self, c: char) -> u32 {
        self.table.get(c as usize).copied().unwrap_or(c as u32)
    }

    /// `text` folded (for queries, titles and tests; the index folds with offsets kept).
    pub fn fold(&self, text: &str) -> String {
        text.chars().filter_map(|c| self.fold_char(c)).collect()
    }
}

/// The characters folding to each BMP code point, grouped by it: (start of each group, plus
/// one past the last; the groups). Dropped characters are in no group.
fn invert(table: &[u32]) -> (Box<[u32]>, Box<[char]>) {
    let mut starts = vec![0u32; table.len() + 1];
    for &v in table.iter().filter(|&&v| v != DROP) {
        starts[v as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut next = starts.clone();
    let mut preimages = vec!['\0'; starts[table.len()] as usize];
    for (c, &v) in table.iter().enumerate() {
        if let (true, Some(c)) = (v != DROP, u32::try_from(c).ok().and_then(char::from_u32)) {
            preimages[next[v as usize] as usize] = c;
            next[v as usize] += 1;
        }
    }
    // Surrogate code points have no char: their slots (never filled) are cut from the groups.
    let mut kept = Vec::with_capacity(preimages.len());
    let mut kept_starts = vec![0u32; starts.len()];
    for v in 0..table.len() {
        let (from, to) = (starts[v] as usize, next[v] as usize);
        kept.extend_from_slice(&preimages[from..to]);
        kept_starts[v + 1] = u32::try_from(kept.len()).unwrap_or(u32::MAX);
    }
    (kept_starts.into_boxed_slice(), kept.into_boxed_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_and_simplified_fold_to_one_form() {
        let f = folder();
        for (a, b) in [
            ("各方歡迎", "各方欢迎"),
            ("一個中國原則", "一个中国原则"),
            ("臺灣", "台湾"),
            ("後來", "后来"),
            ("乾淨", "干净"),
            ("著", "着"),
            ("裡面", "里面"),
            ("裏面", "里面"),
        ] {
            assert_eq!(f.fold(a), f.fold(b), "{a} / {b}");
        }
    }

    #[test]
    fn width_case_quotes_and_space_fold() {
        let f = folder();
        assert_eq!(f.fold("中欧（亚）班列"), f.fold("中歐(亞)班列"));
        assert_eq!(f.fold("ＡＰＥＣ　１２"), f.fold("apec12"));
        assert_eq!(f.fold("“合作”"), f.fold("「合作」"));
        assert_eq!(f.fold("开\n展 工作"), f.fold("开展工作"));
    }

    #[test]
    fn different_words_stay_different() {
        let f = folder();
        assert_ne!(f.fold("中国"), f.fold("中华"));
        assert_ne!(f.fold("发展"), f.fold("发言"));
        assert_ne!(f.fold("，"), f.fold("。"));
    }

    #[test]
    fn script_classes_stay_small() {
        // Union-find could chain unrelated characters together; real variant sets are small.
        let f = folder();
        let mut sizes = std::collections::HashMap::new();
        for c in (0x4E00..=0x9FFF).filter_map(char::from_u32) {
            *sizes.entry(f.fold_char(c)).or_insert(0) += 1;
        }
        let (biggest, size) = sizes.iter().max_by_key(|(_, n)| **n).map_or((None, 0), |(c, n)| (*c, *n));
        assert!(size <= 6, "{biggest:?} stands for {size} characters");
    }

    #[test]
    fn preimages_are_exactly_the_characters_folding_to_a_form() {
        let f = folder();
        for c in (0..0x1_0000).filter_map(char::from_u32) {
            match f.fold_char(c) {
                Some(d) => assert!(f.preimages(d).contains(&c), "{c:?} folds to {d:?}"),
                None => assert!(c.is_whitespace()),
            }
            for p in f.preimages(c) {
                assert_eq!(f.fold_char(p), Some(c), "{p:?} is listed under {c:?}");
            }
        }
        assert_eq!(f.preimages('国'), ['国', '國']);
        assert_eq!(f.preimages('𠀀'), ['𠀀']);
        assert!(f.preimages('國').is_empty(), "國 is not a folded form");
    }

    #[test]
    fn folding_is_idempotent() {
        let f = folder();
        for c in (0..0x1_0000).filter_map(char::from_u32) {
            if let Some(d) = f.fold_char(c) {
                assert_eq!(f.fold_char(d), Some(d), "{c:?} → {d:?} folds again");
            }
        }
    }
}

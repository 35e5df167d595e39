//! A Chinese-English dictionary for looking words up as they are read: CC-CEDICT, embedded
//! gzip-compressed in the binary and unpacked the first time a word is looked up (never at
//! start-up).
//!
//! [`Dictionary`] indexes every entry by its Traditional and its Simplified form, so a word
//! written in either script finds the same entries. [`pinyin`] turns CC-CEDICT's numbered
//! pinyin into tone marks and zhuyin; [`cut`] cuts text into dictionary words.
//!
//! This module knows nothing of the reader: it imports neither `app` nor `ui`.

pub mod bench;
pub mod cut;
pub mod lookup;
pub mod pinyin;

use std::io::Read as _;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// CC-CEDICT as published by MDBG (licence CC BY-SA 4.0, see `assets/cedict/` and the README),
/// gzip-compressed as distributed: about 3.8 MB in the binary instead of 9.5 MB.
static CEDICT_GZ: &[u8] = include_bytes!("../../assets/cedict/cedict_1_0_ts_utf-8_mdbg.txt.gz");

/// What the embedded data is, for `--version` and the README.
pub const ATTRIBUTION: &str = "CC-CEDICT (MDBG, 2023-11-07), licensed CC BY-SA 4.0: \
                               https://creativecommons.org/licenses/by-sa/4.0/";

/// Why the dictionary could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DictError {
    /// The embedded data did not unpack (a broken build, not a user's error).
    #[error("the embedded dictionary could not be unpacked: {0}")]
    Unpack(String),
}

/// One CC-CEDICT entry: `Trad Simp [pin1 yin1] /sense/sense/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub traditional: &'a str,
    pub simplified: &'a str,
    /// As CC-CEDICT writes it: syllables with tone numbers, `u:` for ü (`nu:3`).
    pub pinyin: &'a str,
    /// The senses between the slashes, unsplit.
    senses: &'a str,
}

impl<'a> Entry<'a> {
    /// Every sense, in the dictionary's order.
    pub fn senses(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.senses.split('/').filter(|s| !s.is_empty())
    }

    /// The pinyin with tone marks (`Yī dài Yī lù`).
    pub fn pinyin_marked(&self) -> String {
        pinyin::marked(self.pinyin)
    }

    /// The pinyin in zhuyin (bopomofo), as read in Taiwan.
    pub fn zhuyin(&self) -> String {
        pinyin::zhuyin(self.pinyin)
    }

    /// The form of the entry in `script`'s family: Traditional when `traditional`.
    pub fn form(&self, traditional: bool) -> &'a str {
        if traditional { self.traditional } else { self.simplified }
    }

    /// Where the entry is listed among others for the same word: entries that only refer to
    /// another word (`variant of 臺灣|台湾`) or only give a surname are the least likely
    /// reading, so they come after the rest.
    fn rank(&self) -> u8 {
        let refers = |s: &str| {
            ["variant of ", "old variant of ", "erhua variant of ", "see ", "used in "].iter().any(|p| s.starts_with(p))
        };
        if self.senses().all(refers) { 2 } else { u8::from(self.senses().all(|s| s.starts_with("surname "))) }
    }
}

/// The entries of one dictionary text, indexed by both forms.
#[derive(Debug)]
pub struct Dictionary<'a> {
    entries: Vec<Entry<'a>>,
    /// Entry ids, grouped by word; [`Dictionary::words`] points at each group.
    ids: Vec<u32>,
    /// Each word (either form) → its group in `ids`, as start and length.
    words: FxHashMap<&'a str, (u32, u32)>,
    /// The longest word, in characters, that starts with each character: cutting tries no
    /// longer prefix than this.
    longest_from: FxHashMap<char, u8>,
    /// `#! date=` from the header: when this release was made.
    release: Option<&'a str>,
}

impl<'a> Dictionary<'a> {
    /// Reads CC-CEDICT text. Comment lines (`#`) are skipped, and so are lines that do not
    /// have the entry format (none in the released file).
    pub fn parse(text: &'a str) -> Dictionary<'a> {
        let mut release = None;
        let mut entries = Vec::new();
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if let Some(comment) = line.strip_prefix('#') {
                release = release.or_else(|| comment.strip_prefix("! date=").map(|d| d.get(..10).unwrap_or(d)));
            } else if let Some(entry) = parse_line(line) {
                entries.push(entry);
            }
        }
        let mut keyed: Vec<(&'a str, u8, u32)> = Vec::with_capacity(entries.len() * 2);
        for (id, e) in entries.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            keyed.push((e.traditional, e.rank(), id));
            if e.simplified != e.traditional {
                keyed.push((e.simplified, e.rank(), id));
            }
        }
        // By word, then rank; the file's order among equals.
        keyed.sort_unstable();
        // Reserved whole: growing the table by doubling took a third of the indexing time.
        let mut words = FxHashMap::with_capacity_and_hasher(keyed.len(), rustc_hash::FxBuildHasher);
        let mut longest_from: FxHashMap<char, u8> = FxHashMap::default();
        let mut ids = Vec::with_capacity(keyed.len());
        for group in keyed.chunk_by(|a, b| a.0 == b.0) {
            let word = group[0].0;
            let start = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            ids.extend(group.iter().map(|k| k.2));
            words.insert(word, (start, group.len() as u32));
            if let Some(first) = word.chars().next() {
                let chars = u8::try_from(word.chars().count()).unwrap_or(u8::MAX);
                let longest = longest_from.entry(first).or_insert(0);
                *longest = (*longest).max(chars);
            }
        }
        Dictionary { entries, ids, words, longest_from, release }
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The date of this release (`2023-11-07`), from the header.
    pub fn release(&self) -> Option<&'a str> {
        self.release
    }

    /// Every entry for `word`, written in either script; the likeliest reading first.
    pub fn lookup(&self, word: &str) -> Vec<&Entry<'a>> {
        self.words.get(word).map_or_else(Vec::new, |&(start, len)| {
            self.ids[start as usize..(start + len) as usize].iter().map(|&id| &self.entries[id as usize]).collect()
        })
    }

    /// Whether `word` is in the dictionary.
    pub fn contains(&self, word: &str) -> bool {
        self.words.contains_key(word)
    }

    /// The byte lengths of the dictionary words `text` starts with, longest first
    /// (`一带一路倡议` → 一带一路, 一带, 一).
    pub fn words_at(&self, text: &str) -> Vec<usize> {
        let Some(first) = text.chars().next() else { return Vec::new() };
        let longest = self.longest_from.get(&first).copied().unwrap_or(0) as usize;
        let ends: Vec<usize> = text.char_indices().map(|(i, c)| i + c.len_utf8()).take(longest).collect();
        ends.into_iter().rev().filter(|&end| self.words.contains_key(&text[..end])).collect()
    }
}

/// One entry line, or `None` when it does not have the format.
fn parse_line(line: &str) -> Option<Entry<'_>> {
    let (traditional, rest) = line.split_once(' ')?;
    let (simplified, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix('[')?;
    let (pinyin, rest) = rest.split_once(']')?;
    let senses = rest.trim_start().strip_prefix('/')?.strip_suffix('/')?;
    (!traditional.is_empty() && !simplified.is_empty()).then_some(Entry { traditional, simplified, pinyin, senses })
}

static EMBEDDED: OnceLock<Result<Dictionary<'static>, DictError>> = OnceLock::new();

/// The embedded CC-CEDICT, unpacked and indexed the first time it is asked for (about
/// 100 ms), then shared.
///
/// # Errors
/// When the embedded data does not unpack, which only a broken build can cause.
pub fn embedded() -> Result<&'static Dictionary<'static>, DictError> {
    EMBEDDED
        .get_or_init(|| {
            let mut text = String::with_capacity(10 << 20);
            flate2::read::GzDecoder::new(CEDICT_GZ)
                .read_to_string(&mut text)
                .map_err(|e| DictError::Unpack(e.to_string()))?;
            // The text lives as long as the process, as the index that borrows from it does:
            // leaking it once lets entries borrow plain `&str`s instead of holding offsets.
            let text: &'static str = Box::leak(text.into_boxed_str());
            Ok(Dictionary::parse(text))
        })
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# CC-CEDICT\r\n#! date=2023-11-07T06:42:16Z\r\n\
        臺灣 台湾 [Tai2 wan1] /Taiwan/\r\n\
        台灣 台湾 [Tai2 wan1] /variant of 臺灣|台湾[Tai2 wan1]/\r\n\
        國 国 [Guo2] /surname Guo/\r\n\
        國 国 [guo2] /country; nation; state/(bound form) national/\r\n\
        not an entry line\r\n";

    #[test]
    fn a_line_gives_both_forms_the_pinyin_and_every_sense() {
        let d = Dictionary::parse(SAMPLE);
        assert_eq!(d.len(), 4);
        let guo = d.lookup("国");
        assert_eq!(guo.len(), 2);
        let country = guo[0];
        assert_eq!((country.traditional, country.simplified, country.pinyin), ("國", "国", "guo2"));
        assert_eq!(country.senses().collect::<Vec<_>>(), ["country; nation; state", "(bound form) national"]);
        assert_eq!(d.release(), Some("2023-11-07"));
    }

    #[test]
    fn variants_and_surnames_come_after_the_common_reading() {
        let d = Dictionary::parse(SAMPLE);
        let taiwan = d.lookup("台湾");
        assert_eq!(taiwan.iter().map(|e| e.traditional).collect::<Vec<_>>(), ["臺灣", "台灣"]);
        assert_eq!(d.lookup("國")[1].senses().next(), Some("surname Guo"));
    }

    #[test]
    fn words_at_lists_the_prefixes_that_are_words_longest_first() {
        let d = Dictionary::parse(
            "一 一 [yi1] /one/\n一帶 一带 [yi1 dai4] /area/\n一帶一路 一带一路 [Yi1 dai4 Yi1 lu4] /BRI/\n",
        );
        assert_eq!(d.words_at("一带一路倡议"), ["一带一路".len(), "一带".len(), "一".len()]);
        assert_eq!(d.words_at("一帶一路"), ["一帶一路".len(), "一帶".len(), "一".len()]);
        assert_eq!(d.words_at("倡议"), Vec::<usize>::new());
        assert_eq!(d.words_at(""), Vec::<usize>::new());
    }
}

//! A Chinese-English dictionary for looking words up as they are read: CC-CEDICT, embedded
//! gzip-compressed in the binary and unpacked the first time a word is looked up (never at
//! start-up).
//!
//! [`Dictionary`] indexes every entry by its Traditional and its Simplified form, so a word
//! written in either script finds the same entries. [`pinyin`] turns CC-CEDICT's numbered
//! pinyin into tone marks and zhuyin; [`cut`] cuts text into dictionary words.
//!
//! This module knows nothing of the reader: it imports neither `app` nor `ui`.

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
    /// Every word (either form), in byte order: the words that start with some text are a run
    /// of it, found by binary search ([`Dictionary::continuing`]).
    sorted: Vec<&'a str>,
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
        let mut keyed: Vec<(u64, &'a str, u8, u32)> = Vec::with_capacity(entries.len() * 2);
        for (id, e) in entries.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            let rank = e.rank();
            keyed.push((head(e.traditional), e.traditional, rank, id));
            if e.simplified != e.traditional {
                keyed.push((head(e.simplified), e.simplified, rank, id));
            }
        }
        // By word, then rank; the file's order among equals.
        keyed.sort_unstable();
        // Reserved whole: growing the table by doubling took a third of the indexing time.
        let mut words = FxHashMap::with_capacity_and_hasher(keyed.len(), rustc_hash::FxBuildHasher);
        let mut longest_from: FxHashMap<char, u8> = FxHashMap::default();
        let mut ids = Vec::with_capacity(keyed.len());
        let mut sorted = Vec::with_capacity(keyed.len());
        for group in keyed.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
            let word = group[0].1;
            sorted.push(word);
            let start = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            ids.extend(group.iter().map(|k| k.3));
            words.insert(word, (start, group.len() as u32));
            if let Some(first) = word.chars().next() {
                let chars = u8::try_from(word.chars().count()).unwrap_or(u8::MAX);
                let longest = longest_from.entry(first).or_insert(0);
                *longest = (*longest).max(chars);
            }
        }
        Dictionary { entries, ids, words, sorted, longest_from, release }
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

    /// The words that start with `prefix`, in byte order.
    fn starting_with<'s>(&'s self, prefix: &'s str) -> impl Iterator<Item = &'a str> + use<'a, 's> {
        let from = self.sorted.partition_point(|w| *w < prefix);
        self.sorted[from..].iter().copied().take_while(move |w| w.starts_with(prefix))
    }

    /// The longer words that start at the beginning of `text` but go on differently: those that
    /// share the most characters with `text` past its first `len` bytes (at least one), when
    /// there are at most `max` of them, shortest first. At `一个中国原则` with `一` taken,
    /// CC-CEDICT has no `一个中国原则` but `一个中国政策`, which shares `一个中国`. Words that
    /// `text` itself starts with are left out ([`Dictionary::words_at`] gives those); so are
    /// runs of more than `max`, which share too little with the text to be worth showing.
    pub fn continuing(&self, text: &str, len: usize, max: usize) -> Vec<&'a str> {
        let Some(first) = text.chars().next() else { return Vec::new() };
        let longest = self.longest_from.get(&first).copied().unwrap_or(0) as usize;
        // The longest prefix of `text` past `len` that some word starts with: a word starting
        // with a prefix starts with every shorter one, so the search stops at the first miss.
        let shared = text
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take(longest)
            .filter(|&end| end > len)
            .take_while(|&end| self.starting_with(&text[..end]).next().is_some())
            .last();
        let Some(shared) = shared else { return Vec::new() };
        let mut found: Vec<&'a str> =
            self.starting_with(&text[..shared]).filter(|w| !text.starts_with(w)).take(max + 1).collect();
        if found.len() > max {
            return Vec::new();
        }
        found.sort_by_key(|w| (w.chars().count(), *w));
        found
    }
}

/// The first eight bytes of `word`, big-endian, zero-padded. Sorting by these first orders
/// words as their bytes do (no word holds a NUL), and compares whole strings only where they
/// agree: comparing whole strings took a sixth of the first look-up.
fn head(word: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = word.len().min(8);
    bytes[..n].copy_from_slice(&word.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
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

/// Whether the embedded dictionary has been unpacked yet (by a look-up).
pub fn loaded() -> bool {
    EMBEDDED.get().is_some()
}

/// The embedded CC-CEDICT, unpacked and indexed the first time it is asked for (about
/// 100 ms), then shared.
///
/// # Errors
/// When the embedded data does not unpack, which only a broken build can cause.
pub fn embedded() -> Result<&'static Dictionary<'static>, DictError> {
    EMBEDDED
        .get_or_init(|| {
            let mut bytes = Vec::with_capacity(10 << 20);
            flate2::read::GzDecoder::new(CEDICT_GZ)
                .read_to_end(&mut bytes)
                .map_err(|e| DictError::Unpack(e.to_string()))?;
            // The text lives as long as the process, as the index that borrows from it does:
            // leaking it once lets entries borrow plain `&str`s instead of holding offsets.
            let bytes: &'static [u8] = bytes.leak();
            // Checked with SIMD, as files are (`std` took 5% of the first look-up here).
            let text = simdutf8::basic::from_utf8(bytes).map_err(|e| DictError::Unpack(e.to_string()))?;
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

    #[test]
    fn words_are_sorted_by_their_bytes_past_the_first_eight() {
        let d = Dictionary::parse(
            "abcdefghij x [x] /x/\nabcdefgh x [x] /x/\nabcdefghi x [x] /x/\nab x [x] /x/\nabcdefgz x [x] /x/\n",
        );
        assert_eq!(d.sorted, ["ab", "abcdefgh", "abcdefghi", "abcdefghij", "abcdefgz", "x"]);
        assert_eq!(d.continuing("abcdefghiQ", "ab".len(), 3), ["abcdefghij"]);
    }

    #[test]
    fn continuing_gives_the_longer_words_that_go_on_as_the_text_does_furthest() {
        let d = Dictionary::parse(
            "一 一 [yi1] /one/\n一個 一个 [yi1 ge4] /a/\n一個人 一个人 [yi1 ge4 ren2] /alone/\n\
             一個勁 一个劲 [yi1 ge4 jin4] /persistently/\n一個樣 一个样 [yi1 ge4 yang4] /the same/\n\
             一個中國政策 一个中国政策 [yi1 ge4 Zhong1 guo2 zheng4 ce4] /one-China policy/\n\
             一個中國論壇 一个中国论坛 [yi1 ge4 Zhong1 guo2 lun4 tan2] /made up/\n",
        );
        let one = "一".len();
        // 一个中国 is shared by two words, which the text does not go on as.
        assert_eq!(d.continuing("一个中国原则", one, 3), ["一个中国政策", "一个中国论坛"]);
        assert_eq!(d.continuing("一個中國原則", one, 3), ["一個中國政策", "一個中國論壇"]);
        // Past 一 only 一个 is shared, by 一个 itself (a word of the text) and five others:
        // more than three, so none.
        assert_eq!(d.continuing("一个重要", one, 3), Vec::<&str>::new());
        assert_eq!(d.continuing("一个重要", one, 5), ["一个人", "一个劲", "一个样", "一个中国政策", "一个中国论坛"]);
        // Nothing goes on past the whole text taken, nor past an unknown character.
        assert_eq!(d.continuing("一个中国政策", "一个中国政策".len(), 3), Vec::<&str>::new());
        assert_eq!(d.continuing("二", "二".len(), 3), Vec::<&str>::new());
        assert_eq!(d.continuing("", 0, 3), Vec::<&str>::new());
    }
}

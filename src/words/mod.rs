//! The word list: words looked up in the reader and kept (`a` in the look-up pop-up), each with
//! the sentence it came from, to study later: exported as an Anki-importable TSV or Markdown.
//!
//! Kept as `words.json` beside the bookmarks, saved by the same rules ([`crate::durable`]): each
//! change takes the folder's lock, re-reads the file (another gongbao may have written it),
//! applies the change and replaces the file whole. Like [`crate::dict`], this module knows
//! nothing of the reader.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::durable::{self, ReadError};

const FILE: &str = "words.json";
const BACKUP: &str = "words.json.bak";
const LOCK: &str = "words.lock";
const TMP_PREFIX: &str = ".words.";
const TMP_SUFFIX: &str = ".tmp";
const LOCK_WAIT: Duration = Duration::from_secs(5);
/// A word list larger than this is not a word list.
const MAX_BYTES: u64 = 64 << 20;
const SCHEMA_VERSION: u32 = 1;

/// One word kept, with what it was read in. The reading and senses are kept as they were
/// shown, so exporting needs no dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedWord {
    pub id: String,
    /// As written in the text (original script).
    pub word: String,
    pub traditional: String,
    pub simplified: String,
    /// With tone marks.
    pub pinyin: String,
    pub senses: Vec<String>,
    /// The sentence the word was read in (original script).
    pub sentence: String,
    pub title: Option<String>,
    pub clause: Option<String>,
    /// The article's id and its file's name.
    pub article: String,
    pub source: String,
    /// When it was added (RFC 3339).
    pub added: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct WordFile {
    schema_version: u32,
    words: Vec<SavedWord>,
}

/// Why the word list could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum WordsError {
    #[error("no data folder to keep the word list in")]
    NoFolder,
    #[error("'{}' is from a newer gongbao (schema {version}); it is left as it is", path.display())]
    Newer { path: PathBuf, version: u32 },
    /// Another gongbao holds the folder's lock.
    #[error("{0}")]
    Busy(String),
    #[error("saving the word list failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The word list and where it is kept.
#[derive(Debug, Default)]
pub struct WordList {
    dir: Option<PathBuf>,
    words: Vec<SavedWord>,
}

/// What reading the file found: its words, or why there are none (with a message).
enum Loaded {
    Words(Vec<SavedWord>),
    Missing,
    /// Moved aside (the message says where): it did not parse.
    Corrupt(String),
    Newer(u32),
}

fn load(path: &Path) -> Loaded {
    let bytes = match durable::read(path, MAX_BYTES) {
        Ok((bytes, _)) => bytes,
        Err(ReadError::Missing) => return Loaded::Missing,
        Err(why) => return Loaded::Corrupt(format!("'{}' could not be read ({why:?})", path.display())),
    };
    let text = String::from_utf8_lossy(&bytes);
    match serde_json::from_str::<WordFile>(text.trim_start_matches('\u{feff}')) {
        Ok(f) if f.schema_version > SCHEMA_VERSION => Loaded::Newer(f.schema_version),
        Ok(f) => Loaded::Words(f.words),
        Err(e) => {
            let kept = durable::aside(path)
                .map_or_else(|_| "left in place".to_string(), |p| format!("kept as '{}'", p.display()));
            Loaded::Corrupt(format!("'{}' does not parse ({e}); {kept}, starting a new word list", path.display()))
        }
    }
}

impl WordList {
    /// A word list that is not saved (no data folder).
    pub fn in_memory() -> WordList {
        WordList::default()
    }

    /// The word list in `dir` (none yet: empty), with messages about a file that could not be
    /// used.
    pub fn open(dir: Option<&Path>) -> (WordList, Vec<String>) {
        let Some(dir) = dir else { return (WordList::in_memory(), Vec::new()) };
        let (words, messages) = match load(&dir.join(FILE)) {
            Loaded::Words(w) => (w, Vec::new()),
            Loaded::Missing => (Vec::new(), Vec::new()),
            Loaded::Corrupt(m) => (Vec::new(), vec![m]),
            Loaded::Newer(v) => (Vec::new(), vec![format!("words.json is from a newer gongbao (schema {v})")]),
        };
        (WordList { dir: Some(dir.to_path_buf()), words }, messages)
    }

    /// The words, oldest first.
    pub fn words(&self) -> &[SavedWord] {
        &self.words
    }

    /// Adds `word`, unless the same word from the same sentence is already kept. Returns
    /// whether it was added.
    ///
    /// # Errors
    /// When the list cannot be saved; the word is then not added.
    pub fn add(&mut self, word: SavedWord) -> Result<bool, WordsError> {
        self.change(|words| {
            if words.iter().any(|w| w.word == word.word && w.sentence == word.sentence) {
                return false;
            }
            words.push(word);
            true
        })
    }

    /// Deletes the word with this id. Returns whether it was there.
    ///
    /// # Errors
    /// When the list cannot be saved; nothing is deleted then.
    pub fn delete(&mut self, id: &str) -> Result<bool, WordsError> {
        self.change(|words| {
            let before = words.len();
            words.retain(|w| w.id != id);
            words.len() != before
        })
    }

    /// Applies `edit` to the words on disk (read again under the lock, so another gongbao's
    /// additions are kept) and saves them; in memory only without a data folder.
    fn change(&mut self, edit: impl FnOnce(&mut Vec<SavedWord>) -> bool) -> Result<bool, WordsError> {
        let Some(dir) = self.dir.clone() else {
            return Ok(edit(&mut self.words));
        };
        durable::create_dir(&dir)?;
        let _lock = durable::lock(&dir, LOCK, LOCK_WAIT).map_err(|e| WordsError::Busy(e.to_string()))?;
        durable::remove_stale_temporaries(&dir, TMP_PREFIX, TMP_SUFFIX);
        let main = dir.join(FILE);
        let mut words = match load(&main) {
            Loaded::Words(w) => w,
            Loaded::Missing | Loaded::Corrupt(_) => Vec::new(),
            Loaded::Newer(version) => return Err(WordsError::Newer { path: main, version }),
        };
        let changed = edit(&mut words);
        if changed {
            if main.exists() {
                durable::keep_backup(&dir, &main, BACKUP, &format!("{TMP_PREFIX}bak{TMP_SUFFIX}"))?;
            }
            let file = WordFile { schema_version: SCHEMA_VERSION, words };
            durable::replace(&dir, &main, TMP_PREFIX, TMP_SUFFIX, |out| {
                serde_json::to_writer_pretty(&mut *out, &file)?;
                out.write_all(b"\n")
            })?;
            self.words = file.words;
        } else {
            self.words = words;
        }
        Ok(changed)
    }
}

/// A field of the TSV: tabs and line breaks would start a new field or note.
fn tsv_field(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}

/// Anki-importable TSV, one note a line: the word, then the back: pinyin, senses and the
/// sentence, separated by `<br>` (Anki reads fields as HTML, so `&`, `<` and `>` are escaped).
pub fn to_tsv(words: &[SavedWord]) -> String {
    let html = |t: &str| tsv_field(t).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut out = String::new();
    for w in words {
        let back = [html(&w.pinyin), html(&w.senses.join("; ")), html(&w.sentence)].join("<br>");
        let _ = writeln!(out, "{}\t{back}", html(&w.word));
    }
    out
}

/// Markdown: a heading per word with its forms and pinyin, its senses, and the sentence quoted
/// with where it came from.
pub fn to_markdown(words: &[SavedWord]) -> String {
    let mut out = String::from("# Word list\n");
    for w in words {
        let forms = if w.traditional == w.simplified {
            w.word.clone()
        } else {
            format!("{} ({} / {})", w.word, w.simplified, w.traditional)
        };
        let _ = write!(out, "\n## {forms} · {}\n\n", w.pinyin);
        for s in &w.senses {
            let _ = writeln!(out, "- {s}");
        }
        let _ = writeln!(out, "\n> {}\n", w.sentence.replace('\n', " "));
        let place = [w.title.as_deref(), w.clause.as_deref(), Some(w.source.as_str())];
        let _ = writeln!(out, "— {}", place.into_iter().flatten().collect::<Vec<_>>().join(" · "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, sentence: &str) -> SavedWord {
        SavedWord {
            id: format!("{text}-{sentence}"),
            word: text.into(),
            traditional: "各方".into(),
            simplified: "各方".into(),
            pinyin: "gè fāng".into(),
            senses: vec!["all parties".into(), "all sides".into()],
            sentence: sentence.into(),
            title: Some("公报".into()),
            clause: Some("二、".into()),
            article: "a1".into(),
            source: "a.txt".into(),
            added: "2026-12-06T00:00:00Z".into(),
        }
    }

    #[test]
    fn words_added_are_saved_and_read_back_and_a_second_copy_sees_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut first, messages) = WordList::open(Some(dir.path()));
        assert!(messages.is_empty());
        let (mut second, _) = WordList::open(Some(dir.path()));
        assert!(first.add(word("各方", "各方欢迎。")).expect("saved"));
        // The same word from the same sentence is kept once.
        assert!(!first.add(word("各方", "各方欢迎。")).expect("saved"));
        // The second copy has not seen the first's word, and keeps it when it adds its own.
        assert!(second.add(word("欢迎", "各方欢迎。")).expect("saved"));
        let (reread, _) = WordList::open(Some(dir.path()));
        assert_eq!(reread.words().iter().map(|w| w.word.as_str()).collect::<Vec<_>>(), ["各方", "欢迎"]);
        assert!(second.delete("各方-各方欢迎。").expect("saved"));
        let (reread, _) = WordList::open(Some(dir.path()));
        assert_eq!(reread.words().len(), 1);
        assert!(dir.path().join(BACKUP).exists());
    }

    #[test]
    fn a_file_that_does_not_parse_is_kept_aside_not_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(FILE), b"{ not json").expect("write");
        let (list, messages) = WordList::open(Some(dir.path()));
        assert!(list.words().is_empty());
        assert!(messages[0].contains("does not parse"), "{messages:?}");
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("words.json."))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read(aside[0].path()).expect("read"), b"{ not json");
    }

    #[test]
    fn tsv_has_the_word_in_front_and_pinyin_senses_sentence_behind() {
        let tsv = to_tsv(&[word("各方", "各方\t欢迎<b>。")]);
        assert_eq!(tsv, "各方\tgè fāng<br>all parties; all sides<br>各方 欢迎&lt;b&gt;。\n");
        assert_eq!(tsv.lines().next().map(|l| l.split('\t').count()), Some(2));
    }

    #[test]
    fn markdown_quotes_the_sentence_with_its_place() {
        let md = to_markdown(&[word("各方", "各方欢迎。")]);
        assert!(md.contains("## 各方 · gè fāng\n\n- all parties\n- all sides\n\n> 各方欢迎。\n"), "{md}");
        assert!(md.contains("— 公报 · 二、 · a.txt"), "{md}");
    }
}

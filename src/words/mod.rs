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

/// Only the version of a file whose words this gongbao cannot read.
#[derive(Debug, Deserialize)]
struct Version {
    schema_version: u32,
}

/// Why the word list could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum WordsError {
    #[error("no data folder to keep the word list in")]
    NoFolder,
    #[error("'{}' is from a newer gongbao (schema {version}); it is left as it is", path.display())]
    Newer { path: PathBuf, version: u32 },
    /// The file cannot be written without losing something (see [`WordList::read_only`]).
    #[error("the word list is not saved: {0}")]
    ReadOnly(String),
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
    /// Why nothing may be saved: a newer file, a folder where the file should be, a damaged
    /// file that could not be moved aside. Writing would lose what is there.
    read_only: Option<String>,
}

/// What reading the file found: its words, or why there are none.
enum Loaded {
    Words(Vec<SavedWord>),
    Missing,
    /// A folder, FIFO or device where the file should be: left alone, nothing saved over it.
    NotAFile,
    /// It could not be read, or does not parse: the reason. The caller moves it aside.
    Corrupt(String),
    /// Written by a newer gongbao: its version and the words this one can read of it.
    Newer(u32, Vec<SavedWord>),
}

fn load(path: &Path) -> Loaded {
    let bytes = match durable::read(path, MAX_BYTES) {
        Ok((bytes, _)) => bytes,
        Err(ReadError::Missing) => return Loaded::Missing,
        Err(ReadError::NotAFile) => return Loaded::NotAFile,
        Err(ReadError::TooLarge(n)) => return Loaded::Corrupt(format!("{n} bytes, more than a word list holds")),
        Err(ReadError::Failed(e)) => return Loaded::Corrupt(format!("it could not be read: {e}")),
    };
    // Parsed from the bytes, not a lossy string: a file that is not UTF-8 is damaged, and
    // saving its words back with U+FFFD in them would make that permanent.
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    match serde_json::from_slice::<WordFile>(body) {
        Ok(f) if f.schema_version > SCHEMA_VERSION => Loaded::Newer(f.schema_version, f.words),
        Ok(f) => Loaded::Words(f.words),
        Err(e) => match serde_json::from_slice::<Version>(body) {
            Ok(v) if v.schema_version > SCHEMA_VERSION => Loaded::Newer(v.schema_version, Vec::new()),
            _ => Loaded::Corrupt(e.to_string()),
        },
    }
}

impl WordList {
    /// A word list that is not saved (no data folder).
    pub fn in_memory() -> WordList {
        WordList::default()
    }

    /// The word list in `dir` (none yet: empty), with messages about a file that could not be
    /// used. As with the bookmarks, a file that cannot be read or does not parse is moved aside
    /// (`words.json.corrupt-<time>`), never written over, and the backup is used instead; a
    /// newer file is shown but not changed.
    pub fn open(dir: Option<&Path>) -> (WordList, Vec<String>) {
        let Some(dir) = dir else { return (WordList::in_memory(), Vec::new()) };
        let main = dir.join(FILE);
        let mut list = WordList { dir: Some(dir.to_path_buf()), ..WordList::default() };
        let mut messages = Vec::new();
        match load(&main) {
            Loaded::Words(w) => list.words = w,
            Loaded::Missing => {}
            Loaded::NotAFile => {
                list.read_only = Some(format!("'{}' is not a regular file", main.display()));
                messages.push(format!("'{}' is not a regular file; the word list is not saved", main.display()));
            }
            Loaded::Newer(version, words) => {
                list.words = words;
                list.read_only = Some(format!(
                    "'{}' is from a newer gongbao (schema {version}); it is left as it is",
                    main.display()
                ));
                messages.push(format!(
                    "'{}' was written by a newer gongbao (schema {version}, this one knows {SCHEMA_VERSION}); it is shown but not changed",
                    main.display()
                ));
            }
            Loaded::Corrupt(why) => {
                let moved = match durable::aside(&main) {
                    Ok(to) => format!("moved to '{}'", to.display()),
                    Err(e) => {
                        list.read_only = Some(format!("'{}' is damaged and could not be moved aside", main.display()));
                        format!("could not be moved aside ({e}); it is left as it is and nothing is saved")
                    }
                };
                messages.push(format!("'{}' is not a valid word list ({why}); {moved}", main.display()));
                let backup = dir.join(BACKUP);
                match load(&backup) {
                    Loaded::Words(w) => {
                        messages.push(format!("using the backup '{}' ({} words)", backup.display(), w.len()));
                        list.words = w;
                    }
                    _ => messages.push("no usable backup: starting a new word list".into()),
                }
            }
        }
        (list, messages)
    }

    /// The words, oldest first.
    pub fn words(&self) -> &[SavedWord] {
        &self.words
    }

    /// Why the list is not saved, when it is not.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
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
    /// additions are kept) and saves them; in memory only without a data folder. Where there
    /// is no file to start from (none yet, or one damaged since it was read, which is moved
    /// aside first) the words in memory are the start.
    fn change(&mut self, edit: impl FnOnce(&mut Vec<SavedWord>) -> bool) -> Result<bool, WordsError> {
        let Some(dir) = self.dir.clone() else {
            return Ok(edit(&mut self.words));
        };
        if let Some(why) = &self.read_only {
            return Err(WordsError::ReadOnly(why.clone()));
        }
        durable::create_dir(&dir)?;
        let _lock = durable::lock(&dir, LOCK, LOCK_WAIT).map_err(|e| WordsError::Busy(e.to_string()))?;
        durable::remove_stale_temporaries(&dir, TMP_PREFIX, TMP_SUFFIX);
        let main = dir.join(FILE);
        let mut words = match load(&main) {
            Loaded::Words(w) => w,
            Loaded::Missing => self.words.clone(),
            Loaded::NotAFile => {
                self.read_only = Some(format!("'{}' is not a regular file", main.display()));
                return Err(WordsError::ReadOnly(self.read_only.clone().unwrap_or_default()));
            }
            Loaded::Corrupt(_) => {
                // Never written over: if it cannot be moved aside, nothing is saved.
                durable::aside(&main)?;
                self.words.clone()
            }
            Loaded::Newer(version, _) => return Err(WordsError::Newer { path: main, version }),
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
/// sentence, separated by `<br>`. Two header lines tell Anki (2.1.55 and later) that fields are
/// tab-separated and HTML, so `&`, `<`, `>` are escaped, and `"` too: a field starting with a
/// quote would be read as a quoted one.
pub fn to_tsv(words: &[SavedWord]) -> String {
    let html =
        |t: &str| tsv_field(t).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let mut out = String::from("#separator:tab\n#html:true\n");
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

    /// The files in `dir` whose names start with `prefix`.
    fn files_starting(dir: &Path, prefix: &str) -> Vec<PathBuf> {
        let mut found: Vec<_> = std::fs::read_dir(dir)
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
            .map(|e| e.path())
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_file_that_does_not_parse_is_kept_aside_not_overwritten_and_the_backup_used() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut list, _) = WordList::open(Some(dir.path()));
        list.add(word("各方", "各方欢迎。")).expect("saved");
        list.add(word("欢迎", "各方欢迎。")).expect("saved");
        // The backup now holds the first word alone; the file is then damaged.
        std::fs::write(dir.path().join(FILE), b"{ not json").expect("write");
        let (mut list, messages) = WordList::open(Some(dir.path()));
        assert!(messages[0].contains("not a valid word list"), "{messages:?}");
        assert!(messages[1].contains("using the backup"), "{messages:?}");
        assert_eq!(list.words().iter().map(|w| w.word.as_str()).collect::<Vec<_>>(), ["各方"]);
        let aside = files_starting(dir.path(), "words.json.corrupt-");
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read(&aside[0]).expect("read"), b"{ not json");
        // Saving again starts from the backup's words, and leaves the damaged file alone.
        assert!(list.add(word("中方", "中方欢迎。")).expect("saved"));
        let (reread, messages) = WordList::open(Some(dir.path()));
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(reread.words().iter().map(|w| w.word.as_str()).collect::<Vec<_>>(), ["各方", "中方"]);
        assert_eq!(std::fs::read(&aside[0]).expect("read"), b"{ not json");
    }

    #[test]
    fn a_file_too_large_to_read_is_moved_aside_not_saved_over() {
        let dir = tempfile::tempdir().expect("temp dir");
        let main = dir.path().join(FILE);
        // Sparse: nothing is written, but it is larger than a word list may be.
        std::fs::File::create(&main).and_then(|f| f.set_len(MAX_BYTES + 1)).expect("sparse file");
        let (mut list, messages) = WordList::open(Some(dir.path()));
        assert!(messages[0].contains("more than a word list holds"), "{messages:?}");
        assert!(list.words().is_empty());
        assert!(list.add(word("各方", "各方欢迎。")).expect("saved"));
        let aside = files_starting(dir.path(), "words.json.corrupt-");
        assert_eq!(aside.len(), 1, "{aside:?}");
        assert_eq!(std::fs::metadata(&aside[0]).expect("aside").len(), MAX_BYTES + 1);
        assert_eq!(WordList::open(Some(dir.path())).0.words().len(), 1);
    }

    #[test]
    fn a_file_that_is_not_utf8_is_moved_aside_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let bytes = b"{\"schema_version\":1,\"words\":[{\"id\":\"\xff\"}]}".to_vec();
        std::fs::write(dir.path().join(FILE), &bytes).expect("write");
        let (_, messages) = WordList::open(Some(dir.path()));
        assert!(messages[0].contains("not a valid word list"), "{messages:?}");
        let aside = files_starting(dir.path(), "words.json.corrupt-");
        assert_eq!(std::fs::read(&aside[0]).expect("read"), bytes);
    }

    #[test]
    fn a_file_damaged_after_it_was_read_is_moved_aside_and_the_words_in_memory_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut list, _) = WordList::open(Some(dir.path()));
        list.add(word("各方", "各方欢迎。")).expect("saved");
        std::fs::write(dir.path().join(FILE), b"[1, 2").expect("another program writes");
        assert!(list.add(word("欢迎", "各方欢迎。")).expect("saved"));
        let aside = files_starting(dir.path(), "words.json.corrupt-");
        assert_eq!(std::fs::read(&aside[0]).expect("read"), b"[1, 2");
        let (reread, _) = WordList::open(Some(dir.path()));
        assert_eq!(reread.words().iter().map(|w| w.word.as_str()).collect::<Vec<_>>(), ["各方", "欢迎"]);
    }

    #[test]
    fn a_folder_where_the_file_should_be_is_left_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join(FILE)).expect("a folder");
        let (mut list, messages) = WordList::open(Some(dir.path()));
        assert!(messages[0].contains("not a regular file"), "{messages:?}");
        assert!(matches!(list.add(word("各方", "各方欢迎。")), Err(WordsError::ReadOnly(_))));
        assert!(dir.path().join(FILE).is_dir());
        assert!(files_starting(dir.path(), "words.json.").is_empty());
    }

    #[test]
    fn a_newer_file_is_shown_but_never_changed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut newer =
            serde_json::to_value(WordFile { schema_version: 1, words: vec![word("各方", "各方欢迎。")] })
                .expect("json");
        newer["schema_version"] = 2.into();
        newer["words"][0]["tags"] = "a field this version does not know".into();
        let bytes = serde_json::to_vec(&newer).expect("json");
        std::fs::write(dir.path().join(FILE), &bytes).expect("write");
        let (mut list, messages) = WordList::open(Some(dir.path()));
        assert!(messages[0].contains("newer gongbao"), "{messages:?}");
        assert_eq!(list.words().len(), 1);
        assert!(list.add(word("欢迎", "各方欢迎。")).is_err());
        assert!(list.delete("各方-各方欢迎。").is_err());
        assert_eq!(std::fs::read(dir.path().join(FILE)).expect("read"), bytes);
    }

    #[test]
    fn tsv_has_the_word_in_front_and_pinyin_senses_sentence_behind() {
        let tsv = to_tsv(&[word("各方", "各方\t欢迎<b>“x”\"。")]);
        let mut lines = tsv.lines();
        assert_eq!(lines.next(), Some("#separator:tab"));
        assert_eq!(lines.next(), Some("#html:true"));
        let note = lines.next().expect("a note");
        assert_eq!(note, "各方\tgè fāng<br>all parties; all sides<br>各方 欢迎&lt;b&gt;“x”&quot;。");
        assert_eq!(note.split('\t').count(), 2);
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn markdown_quotes_the_sentence_with_its_place() {
        let md = to_markdown(&[word("各方", "各方欢迎。")]);
        assert!(md.contains("## 各方 · gè fāng\n\n- all parties\n- all sides\n\n> 各方欢迎。\n"), "{md}");
        assert!(md.contains("— 公报 · 二、 · a.txt"), "{md}");
    }
}

//! Bookmarks: passages someone will cite later, with notes, kept in `bookmarks.json`.
//!
//! A bookmark stores its passage as a quote in the original script (exact text plus a short
//! prefix and suffix), so that it can be found again after the file was edited, moved or
//! re-segmented ([`anchor`]); offsets are only hints. [`store`] keeps the file safe: atomic
//! replacement, a `.bak` of the previous good file, corrupt files moved aside, newer schemas
//! opened read-only, and a merge under a lock so two running copies lose nothing. [`export`]
//! prints them as Markdown or JSON.

pub mod anchor;
pub mod export;
pub mod store;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::corpus::{Article, Corpus};

/// Version of the file format written.
pub const SCHEMA_VERSION: u32 = 1;
/// Longer notes are refused with a message.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;
/// Characters of context kept on each side of a quote.
pub const CONTEXT_CHARS: usize = 16;

/// One bookmarked passage and its note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bookmark {
    /// Unique, stable across saves and merges.
    pub id: String,
    /// RFC 3339 times (UTC), e.g. `2026-11-22T22:30:00Z`.
    pub created: String,
    pub updated: String,
    pub source: SourceRef,
    pub article: ArticleRef,
    /// The clause the passage starts in, as labelled (`十三、`).
    #[serde(default)]
    pub clause: Option<String>,
    pub quote: Quote,
    #[serde(default)]
    pub note: String,
}

/// Where the passage came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRef {
    /// File name.
    pub name: String,
    /// Path when bookmarked (a hint: files move).
    #[serde(default)]
    pub path: Option<StoredPath>,
    /// The file's fingerprint when bookmarked ([`crate::corpus::fingerprint`]; bookmarks of
    /// earlier builds hold its [`crate::corpus::legacy_fingerprint`]).
    #[serde(default)]
    pub fingerprint: String,
}

/// A path that survives JSON even when it is not UTF-8 (a GBK file name): text when it is
/// valid UTF-8, else its bytes in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StoredPath {
    Text(String),
    Bytes { hex: String },
}

impl StoredPath {
    pub fn from_path(path: &Path) -> StoredPath {
        use std::fmt::Write as _;
        if let Some(s) = path.to_str() {
            return StoredPath::Text(s.to_string());
        }
        let hex = path_bytes(path).iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        StoredPath::Bytes { hex }
    }

    pub fn to_path(&self) -> Option<PathBuf> {
        match self {
            StoredPath::Text(s) => Some(PathBuf::from(s)),
            StoredPath::Bytes { hex } => {
                let bytes: Option<Vec<u8>> = (0..hex.len())
                    .step_by(2)
                    .map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
                    .collect();
                bytes.map(path_from_bytes)
            }
        }
    }

    /// For people: the path, with bytes that are not UTF-8 shown as replacement characters.
    pub fn display(&self) -> String {
        self.to_path().map_or_else(String::new, |p| p.to_string_lossy().into_owned())
    }
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt as _;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt as _;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// The article when bookmarked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleRef {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
}

/// The passage as written, with context, and where it was (a hint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Exact text in the original script; paragraphs joined by a line break.
    pub text: String,
    /// Up to [`CONTEXT_CHARS`] characters before and after, within the article.
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
    /// Paragraph where it started, and byte offset in that paragraph.
    #[serde(default)]
    pub paragraph: usize,
    #[serde(default)]
    pub offset: usize,
}

/// A passage of an article in the loaded corpus: a byte range of [`article_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub article: usize,
    pub range: Range<usize>,
}

/// An article's paragraphs joined by line breaks: the text passages are ranges of.
pub fn article_text(a: &Article) -> String {
    let mut out = String::with_capacity(a.paragraphs.iter().map(|p| p.text.len() + 1).sum());
    for (i, p) in a.paragraphs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&p.text);
    }
    out
}

/// Byte offset of each paragraph's start in [`article_text`].
pub fn paragraph_starts(a: &Article) -> Vec<usize> {
    let mut at = 0;
    a.paragraphs
        .iter()
        .map(|p| {
            let start = at;
            at += p.text.len() + 1;
            start
        })
        .collect()
}

/// (paragraph, byte offset in it) of byte `at` of [`article_text`].
pub fn paragraph_of(a: &Article, at: usize) -> (usize, usize) {
    let starts = paragraph_starts(a);
    let p = starts.partition_point(|&s| s <= at).saturating_sub(1);
    (p, at - starts.get(p).copied().unwrap_or(0))
}

/// Sentences of `text` as byte ranges: each ends after `。！？；!?;` (and any closing quotes
/// or brackets right after), or at the end. Together they cover the text.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n') {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if matches!(d, '”' | '’' | '」' | '』' | '）' | ')' | '"' | '\'' | '。' | '！' | '？') {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(start..end);
            start = end;
        }
    }
    if start < text.len() || out.is_empty() {
        out.push(start..text.len());
    }
    out
}

/// The current time as RFC 3339 (UTC, seconds).
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// A new bookmark id: time, process and a counter, so two running copies never collide.
pub fn new_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{:x}-{:x}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A bookmark for `passage` of `corpus` with `note`.
pub fn bookmark(corpus: &Corpus, passage: &Passage, note: &str) -> Option<Bookmark> {
    let a = corpus.articles.get(passage.article)?;
    let source = corpus.sources.get(a.source_index)?;
    let text = article_text(a);
    let range = passage.range.start.min(text.len())..passage.range.end.min(text.len());
    let quote = text.get(range.clone())?.to_string();
    let prefix_start =
        text[..range.start].char_indices().rev().take(CONTEXT_CHARS).last().map_or(range.start, |(i, _)| i);
    let suffix_end = text[range.end..].char_indices().nth(CONTEXT_CHARS).map_or(text.len(), |(i, _)| range.end + i);
    let (paragraph, offset) = paragraph_of(a, range.start);
    let now = now();
    Some(Bookmark {
        id: new_id(),
        created: now.clone(),
        updated: now,
        source: SourceRef {
            name: source.name.clone(),
            path: source.os_path.as_deref().map(StoredPath::from_path),
            fingerprint: source.fingerprint.clone(),
        },
        article: ArticleRef { id: a.id.clone(), title: a.title.clone() },
        clause: a.clauses.iter().rev().find(|c| c.paragraph <= paragraph).map(|c| c.label.clone()),
        quote: Quote {
            text: quote,
            prefix: text[prefix_start..range.start].to_string(),
            suffix: text[range.end..suffix_end].to_string(),
            paragraph,
            offset,
        },
        note: note.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_cover_the_text_and_keep_closing_quotes() {
        let text = "他说：“好。”然后走了！还有；最后";
        let s = sentences(text);
        let parts: Vec<&str> = s.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(parts, ["他说：“好。”", "然后走了！", "还有；", "最后"]);
        assert_eq!(sentences(""), vec![0..0]);
    }

    #[cfg(unix)]
    #[test]
    fn paths_that_are_not_utf8_round_trip() {
        let path = path_from_bytes(b"/tmp/\xd6\xd0\xce\xc4.txt".to_vec());
        let stored = StoredPath::from_path(&path);
        let json = serde_json::to_string(&stored).unwrap();
        let back: StoredPath = serde_json::from_str(&json).unwrap();
        assert_eq!(back.to_path(), Some(path));
        assert_eq!(StoredPath::from_path(Path::new("/a/中文.txt")), StoredPath::Text("/a/中文.txt".into()));
    }
}

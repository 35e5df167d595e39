//! Reading state kept across runs, in `positions.json` under the data directory: the place at
//! the top of each article (paragraph and character), by article id; the encodings chosen by
//! hand, by file fingerprint; and where each session ended (open article, script, library
//! filter), by the inputs it was started on, so that a new start on the same inputs resumes.
//!
//! Schema 2 added the character and the sessions; a schema 1 file (positions as bare paragraph
//! numbers) still loads, and is written as schema 2 at the next save.
//!
//! The file gets the bookmark store's protections ([`crate::durable`]):
//! - **atomic replacement** with a `positions.json.bak` of the previous file, and temporary
//!   files of a save killed midway removed at the next start;
//! - **two running copies**: a save takes `positions.lock`, reloads the file if another copy
//!   changed it, and applies only this copy's own changes since its last save, key by key
//!   (a position set or moved, an encoding chosen or forgotten), so neither loses the other's;
//! - **a newer schema** is used as far as it is understood and never written over;
//! - **corrupt files** are moved aside under a unique name, and the backup is used;
//! - **only a regular file** is read, never more than [`MAX_BYTES`]: a FIFO, a device or an
//!   oversized file is reported and left alone, and positions are then not saved.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::durable::{self, LockError, ReadError, Stamp};

/// File name inside the data directory.
pub const FILE: &str = "positions.json";
pub const BACKUP: &str = "positions.json.bak";
pub const LOCK: &str = "positions.lock";
const TMP_PREFIX: &str = ".positions.json.";
const TMP_SUFFIX: &str = ".tmp";
const SCHEMA_VERSION: u32 = 2;
/// Larger files are not read: positions are small.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;
/// How long a save waits for another copy to finish its own.
const LOCK_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    schema_version: u32,
    #[serde(default)]
    positions: HashMap<String, StoredPosition>,
    /// Encodings chosen by hand: file fingerprint → encoding label (ENC-08).
    #[serde(default)]
    encodings: HashMap<String, String>,
    /// Where the last session on each set of inputs ended (schema 2).
    #[serde(default)]
    sessions: HashMap<String, Session>,
}

/// A position as stored: schema 1 kept the paragraph alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum StoredPosition {
    Exact(Position),
    Paragraph(usize),
}

impl From<StoredPosition> for Position {
    fn from(stored: StoredPosition) -> Position {
        match stored {
            StoredPosition::Exact(p) => p,
            StoredPosition::Paragraph(paragraph) => Position { paragraph, character: 0 },
        }
    }
}

/// The place at the top of the reader in one article.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    /// Paragraph of the article.
    pub paragraph: usize,
    /// Characters (Unicode scalar values) into the paragraph, in the text as the file has it:
    /// a script's conversion can change lengths, the source text is what stays.
    pub character: usize,
}

impl Position {
    /// The start of paragraph `paragraph`.
    pub fn paragraph(paragraph: usize) -> Position {
        Position { paragraph, character: 0 }
    }
}

/// Where a session ended: what a new start on the same inputs comes back to.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Id of the article open in the reader; its place is in the positions.
    pub article: String,
    /// The script text was shown in, by its `--script` name. A name this gongbao does not know
    /// (written by a newer one) is kept as text and ignored, not taken for a damaged file.
    #[serde(default)]
    pub script: String,
    /// The library filter as typed (empty: none).
    #[serde(default)]
    pub filter: String,
    /// The library's share of the width in per cent (`<`/`>`); absent in files written before
    /// it was kept (the default share then), and an older gongbao ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library_share: Option<u16>,
}

impl Session {
    /// The session's script, if this gongbao knows its name.
    pub fn script(&self) -> Option<crate::convert::Script> {
        serde_json::from_value(serde_json::Value::String(self.script.clone())).ok()
    }

    /// `script`'s name as a session keeps it (its `--script` name).
    pub fn script_name(script: crate::convert::Script) -> String {
        serde_json::to_value(script).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

/// The key a session is kept under: the inputs gongbao was started on. No inputs (the bundled
/// samples) is one key; otherwise the inputs as absolute paths where they exist, in any order
/// (`-`, standard input, included as written), hashed so that no path is written in the file.
pub fn session_key(inputs: &[std::ffi::OsString]) -> String {
    if inputs.is_empty() {
        return "samples".into();
    }
    let mut paths: Vec<Vec<u8>> = inputs
        .iter()
        .map(|p| {
            let path = Path::new(p);
            let absolute =
                if p == "-" { path.to_path_buf() } else { path.canonicalize().unwrap_or_else(|_| path.to_path_buf()) };
            absolute.into_os_string().into_encoded_bytes()
        })
        .collect();
    paths.sort();
    paths.dedup();
    format!("inputs-{:016x}", xxhash_rust::xxh3::xxh3_64(&paths.join(&0u8)))
}

/// Only the version, read when the rest does not parse, to tell a newer file from a corrupt one.
#[derive(Deserialize)]
struct Version {
    schema_version: u32,
}

/// What `positions.json` keeps between runs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Article id → the place at the top.
    pub positions: HashMap<String, Position>,
    /// File fingerprint → the encoding chosen for it.
    pub encodings: HashMap<String, String>,
    /// Inputs ([`session_key`]) → where the last session on them ended.
    pub sessions: HashMap<String, Session>,
}

impl Saved {
    /// True while an encoding choice is keyed by a fingerprint of an earlier build
    /// ([`crate::corpus::legacy_fingerprint`]): loading must then take those too.
    #[must_use]
    pub fn holds_legacy_fingerprints(&self) -> bool {
        self.encodings.keys().any(|k| crate::corpus::is_legacy_fingerprint(k))
    }

    /// How the reader's load is to read its files: the encodings chosen for some of them, and
    /// with old fingerprints while a choice is kept under one (so that it is found).
    #[must_use]
    pub fn load_config(&self, max_bytes: u64, forced: Option<&'static encoding_rs::Encoding>) -> crate::loader::Config {
        let options = crate::corpus::ReadOptions { legacy_fingerprints: self.holds_legacy_fingerprints() };
        let chosen = (!self.encodings.is_empty())
            .then(|| std::sync::Arc::new(crate::loader::Chosen::from_labels(&self.encodings)));
        crate::loader::Config { chosen, ..crate::loader::Config::new(max_bytes, forced, options) }
    }
}

/// What can go wrong when saving; nothing on disk changes then.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("reading positions are not saved: {0}")]
    ReadOnly(String),
    #[error("another gongbao has held '{}' for {} s; reading positions are not saved", path.display(), waited_secs)]
    Busy { path: PathBuf, waited_secs: u64 },
    #[error("could not save reading positions in '{}': {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why the file could not be used.
enum Unusable {
    Missing,
    NotAFile,
    TooLarge(u64),
    Corrupt(String),
    /// Written by a newer gongbao: what this one understands of it, if anything.
    Newer(u32, Option<Box<Saved>>),
}

/// The file's contents, and the stamp of the very file read.
fn read(path: &Path) -> Result<(Saved, Stamp), Unusable> {
    let (bytes, stamp) = match durable::read(path, MAX_BYTES) {
        Ok(read) => read,
        Err(ReadError::Missing) => return Err(Unusable::Missing),
        Err(ReadError::NotAFile) => return Err(Unusable::NotAFile),
        Err(ReadError::TooLarge(n)) => return Err(Unusable::TooLarge(n)),
        Err(ReadError::Failed(e)) => return Err(Unusable::Corrupt(e.to_string())),
    };
    let bytes = bytes.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(&bytes);
    match serde_json::from_slice::<Stored>(bytes) {
        Ok(stored) => {
            let saved = Saved {
                positions: stored.positions.into_iter().map(|(k, v)| (k, v.into())).collect(),
                encodings: stored.encodings,
                sessions: stored.sessions,
            };
            if stored.schema_version > SCHEMA_VERSION {
                Err(Unusable::Newer(stored.schema_version, Some(Box::new(saved))))
            } else {
                Ok((saved, stamp))
            }
        }
        Err(e) => match serde_json::from_slice::<Version>(bytes) {
            Ok(v) if v.schema_version > SCHEMA_VERSION => Err(Unusable::Newer(v.schema_version, None)),
            _ => Err(Unusable::Corrupt(e.to_string())),
        },
    }
}

/// `positions.json` in one data folder, as this copy of gongbao last read or wrote it.
#[derive(Debug, Default)]
pub struct Store {
    /// `None`: nothing is kept (no data folder).
    dir: Option<PathBuf>,
    /// The file's contents as last read or written.
    file: Saved,
    /// This copy's state as of its last save (or the start): a save writes only what changed
    /// since, on top of the file.
    base: Saved,
    seen: Option<Stamp>,
    /// Why saving is refused, if it is.
    read_only: Option<String>,
}

impl Store {
    /// A store that keeps nothing.
    pub fn in_memory() -> Store {
        Store::default()
    }

    /// Opens the state in `dir`: the store, what it holds, and messages about a file that
    /// could not be used (moved aside, left alone, or read-only) and what was used instead.
    pub fn open(dir: &Path) -> (Store, Saved, Vec<String>) {
        let mut store = Store { dir: Some(dir.to_path_buf()), ..Store::default() };
        let mut messages = Vec::new();
        // Under the lock, so a save by another copy is wholly before the read or after it.
        let _lock = if dir.is_dir() { durable::lock(dir, LOCK, LOCK_WAIT).ok() } else { None };
        durable::remove_stale_temporaries(dir, TMP_PREFIX, TMP_SUFFIX);
        let main = dir.join(FILE);
        let shown = main.display();
        let mut refuse = |store: &mut Store, why: String| {
            messages.push(why.clone());
            store.read_only = Some(why);
        };
        match read(&main) {
            Ok((saved, stamp)) => {
                store.file = saved;
                store.seen = Some(stamp);
            }
            Err(Unusable::Missing) => {}
            Err(Unusable::NotAFile) => {
                refuse(&mut store, format!("'{shown}' is not a regular file; reading positions are not saved"));
            }
            Err(Unusable::TooLarge(n)) => refuse(
                &mut store,
                format!(
                    "'{shown}' is {n} bytes, more than reading positions take ({} MiB at most); it is left \
                     alone and positions are not saved until it is moved away",
                    MAX_BYTES >> 20
                ),
            ),
            Err(Unusable::Newer(v, understood)) => {
                store.file = understood.map(|saved| *saved).unwrap_or_default();
                refuse(
                    &mut store,
                    format!(
                        "'{shown}' was written by a newer gongbao (schema {v}, this one knows {SCHEMA_VERSION}); \
                         it is used but not changed"
                    ),
                );
            }
            Err(Unusable::Corrupt(why)) => {
                let moved = match durable::aside(&main) {
                    Ok(to) => format!("moved to '{}'", to.display()),
                    Err(e) => format!("could not be moved aside ({e}); it is left as it is"),
                };
                messages.push(format!("'{shown}' is not valid ({why}); {moved}"));
                match read(&dir.join(BACKUP)) {
                    Ok((saved, _)) => {
                        messages.push(format!("using the backup '{}'", dir.join(BACKUP).display()));
                        store.file = saved;
                    }
                    Err(_) => messages.push("no usable backup: starting afresh".into()),
                }
                if main.exists() {
                    // The bad file could not be moved: never overwrite it.
                    store.read_only = Some(format!("'{shown}' is damaged and could not be moved aside"));
                }
            }
        }
        store.base = store.file.clone();
        let saved = store.file.clone();
        (store, saved, messages)
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Writes `now`: this copy's changes since its last save, applied key by key to the file
    /// as it is now (another copy may have saved meanwhile).
    ///
    /// # Errors
    /// When the file is not to be written (see [`Store::open`]), another copy holds the lock
    /// too long, or writing fails; the file is then unchanged.
    pub fn save(&mut self, now: Current<'_>) -> Result<(), SaveError> {
        let Some(dir) = self.dir.clone() else { return Ok(()) };
        let main = dir.join(FILE);
        let changed = !same(&self.base.positions, now.positions)
            || !same(&self.base.encodings, now.encodings)
            || !same(&self.base.sessions, now.sessions);
        // Nothing of this copy's to write, and the file is there: a save would change nothing.
        if !changed && (self.read_only.is_some() || (self.seen.is_some() && Stamp::of(&main) == self.seen)) {
            return Ok(());
        }
        if let Some(why) = &self.read_only {
            return Err(SaveError::ReadOnly(why.clone()));
        }
        let io = |source| SaveError::Io { path: dir.clone(), source };
        durable::create_dir(&dir).map_err(io)?;
        let _lock = durable::lock(&dir, LOCK, LOCK_WAIT).map_err(|e| match e {
            LockError::Io(e) => io(e),
            LockError::Busy { path, waited } => SaveError::Busy { path, waited_secs: waited.as_secs() },
            interrupted @ LockError::Interrupted(_) => io(std::io::Error::other(interrupted)),
        })?;
        let mut file = if Stamp::of(&main) == self.seen {
            self.file.clone()
        } else {
            match read(&main) {
                Ok((saved, _)) => saved,
                Err(Unusable::Missing) => Saved::default(),
                Err(Unusable::Corrupt(_)) => {
                    durable::aside(&main).map_err(io)?;
                    Saved::default()
                }
                Err(Unusable::NotAFile) => {
                    return Err(self.refuse(format!("'{}' is not a regular file", main.display())));
                }
                Err(Unusable::TooLarge(n)) => {
                    return Err(self.refuse(format!("'{}' has grown to {n} bytes", main.display())));
                }
                Err(Unusable::Newer(v, _)) => {
                    return Err(self.refuse(format!("another gongbao wrote schema {v} to '{}'", main.display())));
                }
            }
        };
        apply(&mut file.positions, &self.base.positions, now.positions);
        apply(&mut file.encodings, &self.base.encodings, now.encodings);
        apply(&mut file.sessions, &self.base.sessions, now.sessions);
        let stored = Stored {
            schema_version: SCHEMA_VERSION,
            positions: file.positions.iter().map(|(k, v)| (k.clone(), StoredPosition::Exact(*v))).collect(),
            encodings: file.encodings,
            sessions: file.sessions,
        };
        let json = serde_json::to_vec_pretty(&stored).map_err(|e| io(std::io::Error::other(e)))?;
        if main.exists() {
            durable::keep_backup(&dir, &main, BACKUP, &format!("{TMP_PREFIX}bak{TMP_SUFFIX}")).map_err(io)?;
        }
        durable::replace(&dir, &main, TMP_PREFIX, TMP_SUFFIX, |out| out.write_all(&json)).map_err(io)?;
        self.seen = Stamp::of(&main);
        self.file = Saved { positions: file.positions, encodings: stored.encodings, sessions: stored.sessions };
        self.base = now.to_saved();
        Ok(())
    }

    fn refuse(&mut self, why: String) -> SaveError {
        self.read_only = Some(why.clone());
        SaveError::ReadOnly(why)
    }
}

/// This copy's reading state, as [`Store::save`] takes it.
#[derive(Debug, Clone, Copy)]
pub struct Current<'a> {
    pub positions: &'a HashMap<String, Position>,
    pub encodings: &'a HashMap<String, String>,
    pub sessions: &'a HashMap<String, Session>,
}

impl Current<'_> {
    fn to_saved(self) -> Saved {
        Saved { positions: self.positions.clone(), encodings: self.encodings.clone(), sessions: self.sessions.clone() }
    }
}

impl Saved {
    /// The whole state, to save.
    pub fn current(&self) -> Current<'_> {
        Current { positions: &self.positions, encodings: &self.encodings, sessions: &self.sessions }
    }
}

/// Whether `now` holds exactly what `base` holds.
fn same<V: PartialEq>(base: &HashMap<String, V>, now: &HashMap<String, V>) -> bool {
    base.len() == now.len() && now.iter().all(|(k, v)| base.get(k) == Some(v))
}

/// Applies to `file` what changed from `base` to `now`: keys set or changed, keys removed.
fn apply<V: Clone + PartialEq>(file: &mut HashMap<String, V>, base: &HashMap<String, V>, now: &HashMap<String, V>) {
    for (k, v) in now {
        if base.get(k) != Some(v) {
            file.insert(k.clone(), v.clone());
        }
    }
    for k in base.keys() {
        if !now.contains_key(k) {
            file.remove(k);
        }
    }
}

/// The data directory: `--data-dir`, else `GONGBAO_DATA`, else the platform's
/// data directory + `gongbao`. `None` when there is none (positions are then
/// not kept).
pub fn data_dir(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = flag {
        return Some(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("GONGBAO_DATA").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    // With HOME unset, dirs would fall back to the password database; state is off instead
    // (PST-12), so a sandboxed or misconfigured run never writes somewhere unexpected.
    if cfg!(unix) && std::env::var_os("HOME").is_none_or(|h| h.is_empty()) {
        return None;
    }
    dirs::data_dir().map(|d| d.join("gongbao"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map<V: Clone>(entries: &[(&str, V)]) -> HashMap<String, V> {
        entries.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect()
    }

    /// A position inside paragraph `p` (not at its start, so that the character is kept too).
    fn at(p: usize) -> Position {
        Position { paragraph: p, character: 3 * p + 1 }
    }

    fn save(
        store: &mut Store,
        positions: &HashMap<String, Position>,
        encodings: &HashMap<String, String>,
    ) -> Result<(), SaveError> {
        store.save(Current { positions, encodings, sessions: &HashMap::new() })
    }

    #[test]
    fn positions_round_trip_with_a_backup_of_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, saved, messages) = Store::open(dir.path());
        assert_eq!((saved, messages), (Saved::default(), vec![]));
        let p = map(&[("000_x#1a2b3c4d", at(7))]);
        let e = map(&[("0123456789abcdef", "Big5".to_string())]);
        save(&mut store, &p, &e).unwrap();
        save(&mut store, &map(&[("000_x#1a2b3c4d", at(9))]), &e).unwrap();
        let (_, loaded, messages) = Store::open(dir.path());
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(loaded.positions, map(&[("000_x#1a2b3c4d", at(9))]));
        assert_eq!(loaded.encodings, e);
        let backup: Stored = serde_json::from_slice(&std::fs::read(dir.path().join(BACKUP)).unwrap()).unwrap();
        let backup: HashMap<String, Position> = backup.positions.into_iter().map(|(k, v)| (k, v.into())).collect();
        assert_eq!(backup, p, "the backup is the previous file");
    }

    fn session(article: &str, script: &str, filter: &str) -> Session {
        Session { article: article.into(), script: script.into(), filter: filter.into(), library_share: None }
    }

    #[test]
    fn the_character_and_the_sessions_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _, _) = Store::open(dir.path());
        let positions = map(&[("a#1", Position { paragraph: 12, character: 37 })]);
        let sessions = map(&[("samples", session("a#1", "traditional", "公报"))]);
        store.save(Current { positions: &positions, encodings: &HashMap::new(), sessions: &sessions }).unwrap();
        let (_, loaded, messages) = Store::open(dir.path());
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!((loaded.positions, loaded.sessions), (positions, sessions));
    }

    /// Issue 19: files written before the character was kept hold bare paragraph numbers.
    #[test]
    fn a_schema_1_file_loads_with_each_paragraph_at_its_start_and_is_kept_at_the_next_save() {
        let dir = tempfile::tempdir().unwrap();
        let v1 = r#"{"schema_version": 1, "positions": {"a#1": 7, "b#2": 0}, "encodings": {"f1": "GBK"}}"#;
        std::fs::write(dir.path().join(FILE), v1).unwrap();
        let (mut store, saved, messages) = Store::open(dir.path());
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(saved.positions, map(&[("a#1", Position::paragraph(7)), ("b#2", Position::paragraph(0))]));
        assert_eq!(saved.encodings, map(&[("f1", "GBK".to_string())]));
        let mut positions = saved.positions.clone();
        positions.insert("c#3".into(), at(2));
        save(&mut store, &positions, &saved.encodings).unwrap();
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(FILE)).unwrap()).unwrap();
        assert_eq!(written["schema_version"], SCHEMA_VERSION);
        assert_eq!(written["positions"]["a#1"], serde_json::json!({"paragraph": 7, "character": 0}));
        assert_eq!(std::fs::read_to_string(dir.path().join(BACKUP)).unwrap(), v1, "the old file is the backup");
        let (_, again, _) = Store::open(dir.path());
        assert_eq!(again.positions, positions);
    }

    #[test]
    fn two_copies_keep_each_other_s_sessions_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let (mut a, a_saved, _) = Store::open(dir.path());
        let (mut b, b_saved, _) = Store::open(dir.path());
        let mut a_sessions = a_saved.sessions;
        a_sessions.insert("samples".into(), session("a#1", "traditional", ""));
        a.save(Current { positions: &HashMap::new(), encodings: &HashMap::new(), sessions: &a_sessions }).unwrap();
        let mut b_sessions = b_saved.sessions;
        b_sessions.insert("inputs-1".into(), session("b#1", "simplified", "公报"));
        b.save(Current { positions: &HashMap::new(), encodings: &HashMap::new(), sessions: &b_sessions }).unwrap();
        // The first copy ends on the samples again; the second copy's session stays.
        a_sessions.insert("samples".into(), session("a#2", "original", ""));
        a.save(Current { positions: &HashMap::new(), encodings: &HashMap::new(), sessions: &a_sessions }).unwrap();
        let (_, last, _) = Store::open(dir.path());
        assert_eq!(
            last.sessions,
            map(&[("samples", session("a#2", "original", "")), ("inputs-1", session("b#1", "simplified", "公报"))])
        );
    }

    #[test]
    fn a_session_in_a_script_this_gongbao_does_not_know_loads_without_its_script() {
        let dir = tempfile::tempdir().unwrap();
        let file = r#"{"schema_version": 2, "sessions": {"samples": {"article": "a#1", "script": "klingon"}}}"#;
        std::fs::write(dir.path().join(FILE), file).unwrap();
        let (_, saved, messages) = Store::open(dir.path());
        assert!(messages.is_empty(), "{messages:?}");
        let session = &saved.sessions["samples"];
        assert_eq!((session.article.as_str(), session.script(), session.filter.as_str()), ("a#1", None, ""));
        let known = Session { script: Session::script_name(crate::convert::Script::Traditional), ..Session::default() };
        assert_eq!(known.script(), Some(crate::convert::Script::Traditional));
    }

    #[test]
    fn the_session_key_names_the_inputs_in_any_order_and_the_samples_alone() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["x.txt", "y.txt"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let x = dir.path().join("x.txt").into_os_string();
        let y = dir.path().join("y.txt").into_os_string();
        assert_eq!(session_key(&[]), "samples");
        assert_eq!(session_key(&[x.clone(), y.clone()]), session_key(&[y.clone(), x.clone()]));
        assert_ne!(session_key(std::slice::from_ref(&x)), session_key(&[x.clone(), y.clone()]));
        assert_ne!(session_key(std::slice::from_ref(&x)), session_key(&[y]));
        // A relative path names the same file as its absolute form.
        let relative = std::ffi::OsString::from(format!(
            "{}/../{}/x.txt",
            dir.path().display(),
            dir.path().file_name().unwrap().to_string_lossy()
        ));
        assert_eq!(session_key(&[relative]), session_key(&[x]));
        assert!(!session_key(&[dir.path().join("x.txt").into_os_string()]).contains("x.txt"), "no path in the file");
    }

    #[test]
    fn a_missing_file_is_empty_and_silent() {
        let dir = tempfile::tempdir().unwrap();
        let (_, loaded, messages) = Store::open(dir.path());
        assert!(loaded.positions.is_empty() && loaded.encodings.is_empty() && messages.is_empty());
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_not_overwritten_and_the_backup_used() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _, _) = Store::open(dir.path());
        save(&mut store, &map(&[("a#1", at(1))]), &HashMap::new()).unwrap();
        save(&mut store, &map(&[("a#1", at(2))]), &HashMap::new()).unwrap();
        std::fs::write(dir.path().join(FILE), b"{ not json").unwrap();
        let (_, loaded, messages) = Store::open(dir.path());
        assert_eq!(loaded.positions, map(&[("a#1", at(1))]), "from the backup");
        assert!(messages.iter().any(|m| m.contains("moved to")), "{messages:?}");
        assert!(!dir.path().join(FILE).exists());
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read(aside[0].path()).unwrap(), b"{ not json");
    }

    #[test]
    fn two_copies_keep_each_other_s_changes_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let (mut first, _, _) = Store::open(dir.path());
        save(&mut first, &map(&[("shared#1", at(1))]), &map(&[("f1", "GBK".to_string())])).unwrap();
        let (mut a, a_saved, _) = Store::open(dir.path());
        let (mut b, b_saved, _) = Store::open(dir.path());
        let (mut a_pos, a_enc) = (a_saved.positions, a_saved.encodings);
        let (mut b_pos, mut b_enc) = (b_saved.positions, b_saved.encodings);
        a_pos.insert("a#1".into(), at(3));
        save(&mut a, &a_pos, &a_enc).unwrap();
        b_pos.insert("b#1".into(), at(4));
        b_pos.insert("shared#1".into(), at(5));
        b_enc.remove("f1");
        save(&mut b, &b_pos, &b_enc).unwrap();
        a_pos.insert("a#2".into(), at(6));
        save(&mut a, &a_pos, &a_enc).unwrap();
        let (_, last, _) = Store::open(dir.path());
        assert_eq!(last.positions, map(&[("shared#1", at(5)), ("a#1", at(3)), ("a#2", at(6)), ("b#1", at(4))]));
        assert!(last.encodings.is_empty(), "b forgot the choice and a did not touch it: {:?}", last.encodings);
    }

    /// Two copies saving at once, one keeping its store, the other opening afresh each time
    /// as a new run does: every position of both is in the file at the end.
    #[test]
    fn two_copies_saving_at_once_lose_no_position() {
        let dir = tempfile::tempdir().unwrap();
        let steady = {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let (mut store, saved, _) = Store::open(&dir);
                let mut positions = saved.positions;
                for k in 0..150 {
                    positions.insert(format!("steady#{k}"), at(k));
                    save(&mut store, &positions, &saved.encodings).unwrap();
                }
            })
        };
        let mut k = 0;
        while !steady.is_finished() || k < 20 {
            let (mut store, saved, messages) = Store::open(dir.path());
            assert!(messages.is_empty(), "{messages:?}");
            let mut positions = saved.positions;
            positions.insert(format!("fresh#{k}"), at(k));
            save(&mut store, &positions, &saved.encodings).unwrap();
            k += 1;
        }
        steady.join().unwrap();
        let (_, at_end, _) = Store::open(dir.path());
        let lost: Vec<String> = (0..150)
            .map(|k| format!("steady#{k}"))
            .chain((0..k).map(|k| format!("fresh#{k}")))
            .filter(|key| !at_end.positions.contains_key(key))
            .collect();
        assert!(lost.is_empty(), "lost {lost:?}");
    }

    #[test]
    fn a_newer_schema_is_used_but_left_byte_identical() {
        let dir = tempfile::tempdir().unwrap();
        let newer = format!(
            r#"{{"schema_version": {}, "positions": {{"a#1": {{"paragraph": 4, "character": 13}}}}, "bookmarks_of_the_future": [1]}}"#,
            SCHEMA_VERSION + 1
        );
        std::fs::write(dir.path().join(FILE), &newer).unwrap();
        let (mut store, saved, messages) = Store::open(dir.path());
        assert_eq!(saved.positions, map(&[("a#1", at(4))]));
        assert!(messages.iter().any(|m| m.contains("newer gongbao")), "{messages:?}");
        assert!(matches!(save(&mut store, &map(&[("a#1", at(5))]), &HashMap::new()), Err(SaveError::ReadOnly(_))));
        assert_eq!(std::fs::read_to_string(dir.path().join(FILE)).unwrap(), newer);
    }

    #[test]
    fn an_oversized_file_is_reported_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let big = vec![b' '; usize::try_from(MAX_BYTES).unwrap() + 1];
        std::fs::write(&path, &big).unwrap();
        let (mut store, saved, messages) = Store::open(dir.path());
        assert_eq!(saved, Saved::default());
        assert!(messages.iter().any(|m| m.contains("more than reading positions take")), "{messages:?}");
        assert!(save(&mut store, &map(&[("a#1", at(1))]), &HashMap::new()).is_err());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), MAX_BYTES + 1, "left alone");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_named_positions_json_is_reported_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join(FILE);
        if !std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
            eprintln!("SKIPPED a_fifo_named_positions_json_is_reported_without_blocking: no mkfifo");
            return;
        }
        let start = std::time::Instant::now();
        let (mut store, _, messages) = Store::open(dir.path());
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(messages.iter().any(|m| m.contains("not a regular file")), "{messages:?}");
        assert!(save(&mut store, &map(&[("a#1", at(1))]), &HashMap::new()).is_err());
    }

    #[test]
    fn stale_temporary_files_are_removed_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(format!("{TMP_PREFIX}killed{TMP_SUFFIX}"));
        std::fs::write(&stale, b"{").unwrap();
        let old = std::time::SystemTime::now() - Duration::from_mins(2);
        std::fs::File::options().write(true).open(&stale).unwrap().set_modified(old).unwrap();
        let _ = Store::open(dir.path());
        assert!(!stale.exists());
    }

    #[test]
    fn the_flag_wins_over_the_environment() {
        let flag = Path::new("/tmp/somewhere");
        assert_eq!(data_dir(Some(flag)), Some(flag.to_path_buf()));
    }
}

//! Reading positions kept across runs: the paragraph at the top of each article, by article
//! id, and the encodings chosen by hand, by file fingerprint, in `positions.json` under the
//! data directory.
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
const SCHEMA_VERSION: u32 = 1;
/// Larger files are not read: positions are small.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;
/// How long a save waits for another copy to finish its own.
const LOCK_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    schema_version: u32,
    #[serde(default)]
    positions: HashMap<String, usize>,
    /// Encodings chosen by hand: file fingerprint → encoding label (ENC-08).
    #[serde(default)]
    encodings: HashMap<String, String>,
}

/// Only the version, read when the rest does not parse, to tell a newer file from a corrupt one.
#[derive(Deserialize)]
struct Version {
    schema_version: u32,
}

/// What `positions.json` keeps between runs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Article id → the paragraph at the top.
    pub positions: HashMap<String, usize>,
    /// File fingerprint → the encoding chosen for it.
    pub encodings: HashMap<String, String>,
}

impl Saved {
    /// True while an encoding choice is keyed by a fingerprint of an earlier build
    /// ([`crate::corpus::legacy_fingerprint`]): loading must then take those too.
    #[must_use]
    pub fn holds_legacy_fingerprints(&self) -> bool {
        self.encodings.keys().any(|k| crate::corpus::is_legacy_fingerprint(k))
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
    Newer(u32, Option<Saved>),
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
            let saved = Saved { positions: stored.positions, encodings: stored.encodings };
            if stored.schema_version > SCHEMA_VERSION {
                Err(Unusable::Newer(stored.schema_version, Some(saved)))
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
                store.file = understood.unwrap_or_default();
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

    /// Writes `positions` and `encodings`: this copy's changes since its last save, applied
    /// key by key to the file as it is now (another copy may have saved meanwhile).
    ///
    /// # Errors
    /// When the file is not to be written (see [`Store::open`]), another copy holds the lock
    /// too long, or writing fails; the file is then unchanged.
    pub fn save<S: std::hash::BuildHasher, T: std::hash::BuildHasher>(
        &mut self,
        positions: &HashMap<String, usize, S>,
        encodings: &HashMap<String, String, T>,
    ) -> Result<(), SaveError> {
        let Some(dir) = self.dir.clone() else { return Ok(()) };
        let main = dir.join(FILE);
        let changed = !same(&self.base.positions, positions) || !same(&self.base.encodings, encodings);
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
        apply(&mut file.positions, &self.base.positions, positions);
        apply(&mut file.encodings, &self.base.encodings, encodings);
        let stored = Stored { schema_version: SCHEMA_VERSION, positions: file.positions, encodings: file.encodings };
        let json = serde_json::to_vec_pretty(&stored).map_err(|e| io(std::io::Error::other(e)))?;
        if main.exists() {
            durable::keep_backup(&dir, &main, BACKUP, &format!("{TMP_PREFIX}bak{TMP_SUFFIX}")).map_err(io)?;
        }
        durable::replace(&dir, &main, TMP_PREFIX, TMP_SUFFIX, |out| out.write_all(&json)).map_err(io)?;
        self.seen = Stamp::of(&main);
        self.file = Saved { positions: stored.positions, encodings: stored.encodings };
        self.base = Saved {
            positions: positions.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            encodings: encodings.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        };
        Ok(())
    }

    fn refuse(&mut self, why: String) -> SaveError {
        self.read_only = Some(why.clone());
        SaveError::ReadOnly(why)
    }
}

/// Whether `now` holds exactly what `base` holds.
fn same<V: PartialEq, S: std::hash::BuildHasher>(base: &HashMap<String, V>, now: &HashMap<String, V, S>) -> bool {
    base.len() == now.len() && now.iter().all(|(k, v)| base.get(k) == Some(v))
}

/// Applies to `file` what changed from `base` to `now`: keys set or changed, keys removed.
fn apply<V: Clone + PartialEq, S: std::hash::BuildHasher>(
    file: &mut HashMap<String, V>,
    base: &HashMap<String, V>,
    now: &HashMap<String, V, S>,
) {
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

    #[test]
    fn positions_round_trip_with_a_backup_of_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, saved, messages) = Store::open(dir.path());
        assert_eq!((saved, messages), (Saved::default(), vec![]));
        let p = map(&[("000_x#1a2b3c4d", 7)]);
        let e = map(&[("0123456789abcdef", "Big5".to_string())]);
        store.save(&p, &e).unwrap();
        store.save(&map(&[("000_x#1a2b3c4d", 9)]), &e).unwrap();
        let (_, loaded, messages) = Store::open(dir.path());
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(loaded.positions, map(&[("000_x#1a2b3c4d", 9)]));
        assert_eq!(loaded.encodings, e);
        let backup: Stored = serde_json::from_slice(&std::fs::read(dir.path().join(BACKUP)).unwrap()).unwrap();
        assert_eq!(backup.positions, p, "the backup is the previous file");
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
        store.save(&map(&[("a#1", 1)]), &HashMap::new()).unwrap();
        store.save(&map(&[("a#1", 2)]), &HashMap::new()).unwrap();
        std::fs::write(dir.path().join(FILE), b"{ not json").unwrap();
        let (_, loaded, messages) = Store::open(dir.path());
        assert_eq!(loaded.positions, map(&[("a#1", 1)]), "from the backup");
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
        first.save(&map(&[("shared#1", 1)]), &map(&[("f1", "GBK".to_string())])).unwrap();
        let (mut a, a_saved, _) = Store::open(dir.path());
        let (mut b, b_saved, _) = Store::open(dir.path());
        let (mut a_pos, a_enc) = (a_saved.positions, a_saved.encodings);
        let (mut b_pos, mut b_enc) = (b_saved.positions, b_saved.encodings);
        a_pos.insert("a#1".into(), 3);
        a.save(&a_pos, &a_enc).unwrap();
        b_pos.insert("b#1".into(), 4);
        b_pos.insert("shared#1".into(), 5);
        b_enc.remove("f1");
        b.save(&b_pos, &b_enc).unwrap();
        a_pos.insert("a#2".into(), 6);
        a.save(&a_pos, &a_enc).unwrap();
        let (_, last, _) = Store::open(dir.path());
        assert_eq!(last.positions, map(&[("shared#1", 5), ("a#1", 3), ("a#2", 6), ("b#1", 4)]));
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
                    positions.insert(format!("steady#{k}"), k);
                    store.save(&positions, &saved.encodings).unwrap();
                }
            })
        };
        let mut k = 0;
        while !steady.is_finished() || k < 20 {
            let (mut store, saved, messages) = Store::open(dir.path());
            assert!(messages.is_empty(), "{messages:?}");
            let mut positions = saved.positions;
            positions.insert(format!("fresh#{k}"), k);
            store.save(&positions, &saved.encodings).unwrap();
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
        let newer = r#"{"schema_version": 2, "positions": {"a#1": 4}, "bookmarks_of_the_future": [1]}"#;
        std::fs::write(dir.path().join(FILE), newer).unwrap();
        let (mut store, saved, messages) = Store::open(dir.path());
        assert_eq!(saved.positions, map(&[("a#1", 4)]));
        assert!(messages.iter().any(|m| m.contains("newer gongbao")), "{messages:?}");
        assert!(matches!(store.save(&map(&[("a#1", 5)]), &HashMap::new()), Err(SaveError::ReadOnly(_))));
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
        assert!(store.save(&map(&[("a#1", 1)]), &HashMap::new()).is_err());
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
        assert!(store.save(&map(&[("a#1", 1)]), &HashMap::new()).is_err());
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

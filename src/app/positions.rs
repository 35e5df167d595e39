//! Reading positions kept across runs: the paragraph at the top of each
//! article, by article id, in `positions.json` under the data directory.
//!
//! Saved whole through a temporary file in the same directory, synced and
//! renamed over the old one, so a crash leaves the old file or the new one,
//! never half of either. A file that does not parse is moved aside, never
//! overwritten.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// File name inside the data directory.
pub const FILE: &str = "positions.json";
const SCHEMA_VERSION: u32 = 1;
/// Larger files are not read: positions are small.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    schema_version: u32,
    #[serde(default)]
    positions: HashMap<String, usize>,
    /// Encodings chosen by hand: file fingerprint → encoding label (ENC-08).
    #[serde(default)]
    encodings: HashMap<String, String>,
}

/// What `positions.json` keeps between runs.
#[derive(Debug, Default)]
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

/// Loads positions from `dir`. A missing file is empty; an unreadable or
/// corrupt one is moved aside and reported in the returned message.
pub fn load(dir: &Path) -> (Saved, Option<String>) {
    let path = dir.join(FILE);
    let bytes = match std::fs::metadata(&path) {
        Err(_) => return (Saved::default(), None),
        Ok(m) if m.len() > MAX_BYTES => {
            return (
                Saved::default(),
                Some(format!("'{}' is too large to be reading positions; ignored", path.display())),
            );
        }
        Ok(_) => match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => return (Saved::default(), Some(format!("could not read '{}': {e}", path.display()))),
        },
    };
    let text = String::from_utf8_lossy(&bytes);
    match serde_json::from_str::<Stored>(text.trim_start_matches('\u{FEFF}')) {
        Ok(stored) => (Saved { positions: stored.positions, encodings: stored.encodings }, None),
        Err(e) => {
            let aside = path.with_extension(format!(
                "json.corrupt-{}",
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
            ));
            let moved = std::fs::rename(&path, &aside).is_ok();
            let what = if moved { format!("moved to '{}'", aside.display()) } else { "left in place".into() };
            (Saved::default(), Some(format!("'{}' is not valid ({e}); {what}; starting afresh", path.display())))
        }
    }
}

/// Saves positions to `dir` atomically (temp file, fsync, rename, fsync dir).
///
/// # Errors
/// When the directory cannot be created or written.
pub fn save_state<S: std::hash::BuildHasher, T: std::hash::BuildHasher>(
    dir: &Path,
    positions: &HashMap<String, usize, S>,
    encodings: &HashMap<String, String, T>,
) -> std::io::Result<()> {
    let stored = Stored {
        schema_version: SCHEMA_VERSION,
        positions: positions.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        encodings: encodings.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    };
    let json = serde_json::to_vec_pretty(&stored).map_err(std::io::Error::other)?;
    // Owner-only, like the bookmarks (PST-12).
    crate::durable::create_dir(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(&json)?;
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(FILE)).map_err(|e| e.error)?;
    // The rename is durable only once the directory is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = HashMap::new();
        p.insert("000_x#1a2b3c4d".to_string(), 7);
        let mut e = HashMap::new();
        e.insert("0123456789abcdef".to_string(), "Big5".to_string());
        save_state(dir.path(), &p, &e).unwrap();
        let (loaded, warning) = load(dir.path());
        assert_eq!(loaded.positions, p);
        assert_eq!(loaded.encodings, e);
        assert!(warning.is_none());
    }

    #[test]
    fn a_missing_file_is_empty_and_silent() {
        let dir = tempfile::tempdir().unwrap();
        let (loaded, warning) = load(dir.path());
        assert!(loaded.positions.is_empty() && loaded.encodings.is_empty() && warning.is_none());
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), b"{ not json").unwrap();
        let (loaded, warning) = load(dir.path());
        assert!(loaded.positions.is_empty());
        assert!(warning.unwrap().contains("moved to"));
        assert!(!dir.path().join(FILE).exists());
        let aside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(Result::ok).collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read(aside[0].path()).unwrap(), b"{ not json");
    }

    #[test]
    fn the_flag_wins_over_the_environment() {
        let flag = Path::new("/tmp/somewhere");
        assert_eq!(data_dir(Some(flag)), Some(flag.to_path_buf()));
    }
}

//! `bookmarks.json` on disk, kept safe.
//!
//! - **Atomic replacement** (PST-04): the whole file is serialised in memory, written to a
//!   temporary file in the same folder, synced, renamed over the old one, and the folder synced.
//!   A crash leaves the old file or the new one. Stale temporary files are removed at start.
//! - **A backup** (`bookmarks.json.bak`): the previous good file, hard-linked (or copied) aside
//!   before each replacement.
//! - **Corrupt files** are moved aside (`bookmarks.json.corrupt-<time>`), never rewritten; the
//!   backup is tried next; the messages say which file was used.
//! - **Newer schemas** are opened read-only: nothing is written, so nothing is lost. (Fields
//!   this version does not know are therefore not carried through a save: a file that has them
//!   is a newer one, and is never saved over.)
//! - **Speed** (PST-13): the file is written one bookmark per line, compact, straight from the
//!   list in memory; a save reloads only when another copy changed the file. Loading parses the
//!   lines on every core and keeps each as a slice of the buffer read, for the next save.
//! - **Two running copies** (PST-09): every save takes an advisory lock on `bookmarks.lock` (a
//!   separate file, so its inode never changes), reloads the file if another copy changed it,
//!   applies this copy's changes on top, and writes the result. Opening reads under the same
//!   lock and notes the identity of the very file it read, so a save by another copy just
//!   after the read is merged, not written over. No update is lost.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;

use super::{Bookmark, MAX_NOTE_BYTES, SCHEMA_VERSION};
use crate::durable::{self, LockError, ReadError, Stamp};

pub const FILE: &str = "bookmarks.json";
pub const BACKUP: &str = "bookmarks.json.bak";
pub const LOCK: &str = "bookmarks.lock";
/// Prefix and suffix of this module's temporary files, so stale ones can be recognised.
const TMP_PREFIX: &str = ".bookmarks.json.";
const TMP_SUFFIX: &str = ".tmp";
/// How long a save waits for another copy to finish its own.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// What can go wrong when saving; the bookmarks stay in memory for a retry.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("bookmarks are read-only: {0}")]
    ReadOnly(String),
    #[error("another gongbao has held '{0}' for {1} s; try again")]
    Busy(PathBuf, u64),
    #[error("gave up waiting for another gongbao to release '{0}': quitting")]
    Interrupted(PathBuf),
    #[error("could not save bookmarks in '{path}': {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("note too long: {0} bytes (at most {max} KiB)", max = MAX_NOTE_BYTES / 1024)]
    NoteTooLong(usize),
}

/// The file's contents.
#[derive(Debug, Deserialize)]
struct Stored {
    schema_version: u32,
    #[serde(default)]
    bookmarks: Vec<Bookmark>,
    /// Each bookmark's line, when the file was read line by line.
    #[serde(skip)]
    lines: Lines,
}

/// Only the version, read first so a newer file is recognised even when the rest differs.
#[derive(Deserialize)]
struct Version {
    schema_version: u32,
}

/// A change not yet written.
#[derive(Debug, Clone)]
enum Change {
    Put(Box<Bookmark>),
    Delete(String),
}

/// The bookmarks and where they are kept.
#[derive(Debug, Default)]
pub struct Store {
    /// Folder holding the files; `None`: bookmarks are not kept (no data folder).
    dir: Option<PathBuf>,
    bookmarks: Vec<Bookmark>,
    pending: Vec<Change>,
    /// Why saving is refused (a newer schema), if it is.
    read_only: Option<String>,
    seen: Option<Stamp>,
    /// Each bookmark's line of the file as last written or read, or `None` when it changed:
    /// a save serialises only what changed (PST-13). Same length as `bookmarks`.
    lines: Lines,
}

/// Each bookmark's serialised line, or `None` where it must be serialised again. The lines of
/// a file read whole are slices of the buffer it was read into (a [`Bytes`] shares it), not
/// copies: copying 100,000 lines into as many new allocations took a fifth of a load, most of
/// it the first touches of 71 MB of new memory. The buffer is freed with its last line.
type Lines = Vec<Option<Bytes>>;

/// Why a file could not be used.
enum Unusable {
    Missing,
    /// A directory or device where the file should be: reported, left alone, nothing saved.
    NotAFile,
    Corrupt(String),
    Newer(u32, Stored),
}

/// The file's contents and the stamp of exactly the file they were read from.
fn read(path: &Path) -> Result<(Stored, Stamp), Unusable> {
    // No cap: the file is whatever the bookmarks make it (the benchmark reads 100,000).
    match durable::read(path, u64::MAX) {
        Ok((bytes, stamp)) => parse(bytes.into()).map(|stored| (stored, stamp)),
        Err(ReadError::Missing) => Err(Unusable::Missing),
        Err(ReadError::NotAFile) => Err(Unusable::NotAFile),
        Err(ReadError::TooLarge(n)) => Err(Unusable::Corrupt(format!("{n} bytes"))),
        Err(ReadError::Failed(e)) => Err(Unusable::Corrupt(e.to_string())),
    }
}

/// The file another copy saved, as [`read`] gives it, but reusing this copy's bookmarks whose
/// line the file holds byte for byte (they are moved out of `marks`, and their cached lines out
/// of `lines`): after another copy's save nearly every line is unchanged, and parsing 100,000
/// bookmarks again was most of the time of a save that merges (PST-13). `marks` and `lines`
/// are left alone unless the file reads this way.
fn reread(path: &Path, marks: &mut Vec<Bookmark>, lines: &mut Lines) -> Result<(Vec<Bookmark>, Lines), Unusable> {
    let bytes = match durable::read(path, u64::MAX) {
        Ok((bytes, _)) => bytes,
        Err(ReadError::Missing) => return Err(Unusable::Missing),
        Err(ReadError::NotAFile) => return Err(Unusable::NotAFile),
        Err(ReadError::TooLarge(n)) => return Err(Unusable::Corrupt(format!("{n} bytes"))),
        Err(ReadError::Failed(e)) => return Err(Unusable::Corrupt(e.to_string())),
    };
    let body = bytes.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(&bytes);
    if let Some(reused) = reuse_lines(body, marks, lines) {
        return Ok(reused);
    }
    parse(bytes.into()).map(|stored| (stored.bookmarks, stored.lines))
}

/// [`parse_lines`], taking each line that `lines` caches for a bookmark of `marks` from there
/// rather than parsing it. `None` (and nothing taken) when the file is not laid out one bookmark
/// a line, a new line does not parse, or so many lines are new that parsing them all on every
/// core is quicker.
fn reuse_lines(bytes: &[u8], marks: &mut Vec<Bookmark>, lines: &mut Lines) -> Option<(Vec<Bookmark>, Lines)> {
    /// Where a line of the file comes from.
    enum Source {
        Known(usize),
        New(Box<Bookmark>, Bytes),
    }
    let body = bytes.strip_prefix(header().as_bytes())?.strip_suffix(FOOTER)?;
    if lines.len() != marks.len() {
        return None;
    }
    let sources: Vec<Source> = {
        // Lines mostly come in the order this copy has them: each is compared in place with the
        // line expected next (or one of the few after it, past lines the other copy deleted),
        // which also finds where it ends without scanning for the line break. Any other line is
        // parsed: the result is the same, and looking lines up by their bytes (hashing every
        // line) cost more than parsing the few that move.
        let mut used = vec![false; marks.len()];
        let mut next = 0usize;
        let mut new = 0usize;
        let mut sources = Vec::with_capacity(marks.len() + 8);
        let mut rest = body;
        let ends_here = |rest: &[u8], len: usize| matches!(rest.get(len), Some(b',' | b'\n') | None);
        while !rest.is_empty() {
            let found = (next..lines.len().min(next + LOOK_AHEAD)).find_map(|i| {
                let line =
                    lines[i].as_deref().filter(|l| !used[i] && rest.starts_with(l) && ends_here(rest, l.len()))?;
                Some((i, line))
            });
            let line = if let Some((i, line)) = found {
                used[i] = true;
                next = i + 1;
                sources.push(Source::Known(i));
                line
            } else {
                let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                let line = rest[..end].strip_suffix(b",").unwrap_or(&rest[..end]);
                if !line.is_empty() {
                    new += 1;
                    if new > REPARSE_WHOLE.max(marks.len() / 8) {
                        return None;
                    }
                    // A copy: a slice would keep this whole file in memory for a few lines.
                    let mark = serde_json::from_slice(line).ok()?;
                    sources.push(Source::New(Box::new(mark), Bytes::copy_from_slice(line)));
                }
                line
            };
            // Past the line, its comma and its line break.
            let mut skip = line.len();
            if rest.get(skip) == Some(&b',') {
                skip += 1;
            }
            if rest.get(skip) == Some(&b'\n') {
                skip += 1;
            }
            rest = &rest[skip.max(1).min(rest.len())..];
        }
        sources
    };
    let mut taken_marks: Vec<Option<Bookmark>> = std::mem::take(marks).into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(sources.len());
    let mut cache = Vec::with_capacity(sources.len());
    for source in sources {
        let (mark, line) = match source {
            Source::Known(i) => (taken_marks[i].take()?, lines[i].take()?),
            Source::New(mark, line) => (*mark, line),
        };
        out.push(mark);
        cache.push(Some(line));
    }
    lines.clear();
    Some((out, cache))
}

/// How many of this copy's lines past the expected one a line of the file is compared with.
const LOOK_AHEAD: usize = 4;

/// Up to this many new lines are parsed one by one when a file is read again (see
/// [`reuse_lines`]); more, past an eighth of the file, and the whole file is parsed on every core.
const REPARSE_WHOLE: usize = 256;

fn parse(bytes: Bytes) -> Result<Stored, Unusable> {
    let bom = "\u{FEFF}".as_bytes();
    let bytes = if bytes.starts_with(bom) { bytes.slice(bom.len()..) } else { bytes };
    if let Some((bookmarks, lines)) = parse_lines(&bytes) {
        return Ok(Stored { schema_version: SCHEMA_VERSION, bookmarks, lines });
    }
    // One parse in the common case; the version alone is read only when that fails, to tell a
    // newer file (kept, read-only) from a corrupt one (moved aside).
    match serde_json::from_slice::<Stored>(&bytes) {
        Ok(stored) if stored.schema_version > SCHEMA_VERSION => Err(Unusable::Newer(stored.schema_version, stored)),
        Ok(stored) => Ok(stored),
        Err(e) => match serde_json::from_slice::<Version>(&bytes) {
            Ok(v) if v.schema_version > SCHEMA_VERSION => Err(Unusable::Newer(
                v.schema_version,
                Stored { schema_version: v.schema_version, bookmarks: Vec::new(), lines: Vec::new() },
            )),
            _ => Err(Unusable::Corrupt(e.to_string())),
        },
    }
}

impl Store {
    /// A store that keeps nothing on disk.
    pub fn in_memory() -> Store {
        Store::default()
    }

    /// Opens the bookmarks in `dir` (`None`: not kept). The messages say what happened to a
    /// file that could not be used, and which file the bookmarks came from.
    pub fn open(dir: Option<&Path>) -> (Store, Vec<String>) {
        let mut store = Store { dir: dir.map(Path::to_path_buf), ..Store::default() };
        let mut messages = Vec::new();
        let Some(dir) = dir else {
            messages.push("no data folder (HOME unset?): bookmarks are not kept; use --data-dir".into());
            return (store, messages);
        };
        // Under the lock, so another copy's save is either wholly before the read or after it
        // (and then changes the stamp). Without it (a read-only folder, a copy holding it too
        // long), the stamp taken with the read still makes the next save merge.
        let _lock = if dir.is_dir() { durable::lock(dir, LOCK, LOCK_WAIT).ok() } else { None };
        durable::remove_stale_temporaries(dir, TMP_PREFIX, TMP_SUFFIX);
        let main = dir.join(FILE);
        match read(&main) {
            Ok((stored, stamp)) => {
                store.seen = Some(stamp);
                store.lines = stored.lines;
                store.bookmarks = stored.bookmarks;
            }
            Err(Unusable::Missing) => {}
            Err(Unusable::NotAFile) => {
                store.read_only = Some(format!("'{}' is not a regular file; bookmarks are not saved", main.display()));
                messages.push(store.read_only.clone().unwrap_or_default());
            }
            Err(Unusable::Newer(v, stored)) => {
                store.bookmarks = stored.bookmarks;
                store.read_only = Some(format!(
                    "'{}' was written by a newer gongbao (schema {v}, this one knows {SCHEMA_VERSION}); it is shown but not changed",
                    main.display()
                ));
                messages.push(store.read_only.clone().unwrap_or_default());
            }
            Err(Unusable::Corrupt(why)) => {
                let moved = match durable::aside(&main) {
                    Ok(to) => format!("moved to '{}'", to.display()),
                    Err(e) => format!("could not be moved aside ({e}); it is left as it is"),
                };
                messages.push(format!("'{}' is not a valid bookmarks file ({why}); {moved}", main.display()));
                let backup = dir.join(BACKUP);
                match read(&backup) {
                    Ok((stored, _)) => {
                        messages.push(format!(
                            "using the backup '{}' ({} bookmarks)",
                            backup.display(),
                            stored.bookmarks.len()
                        ));
                        store.pending = stored.bookmarks.iter().cloned().map(|b| Change::Put(Box::new(b))).collect();
                        store.bookmarks = stored.bookmarks;
                    }
                    Err(_) => messages.push("no usable backup: starting with no bookmarks".into()),
                }
                if store.read_only.is_none() && fs::metadata(&main).is_ok() {
                    // The bad file could not be moved: never overwrite it.
                    store.read_only = Some(format!("'{}' is damaged and could not be moved aside", main.display()));
                }
            }
        }
        (store, messages)
    }

    pub fn bookmarks(&self) -> &[Bookmark] {
        &self.bookmarks
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Why saving is refused, if it is.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// Changes not yet saved.
    pub fn unsaved(&self) -> usize {
        self.pending.len()
    }

    /// Adds or replaces (by id) a bookmark.
    ///
    /// # Errors
    /// [`SaveError::NoteTooLong`] for a note over [`MAX_NOTE_BYTES`]; nothing changes then.
    pub fn put(&mut self, bookmark: Bookmark) -> Result<(), SaveError> {
        if bookmark.note.len() > MAX_NOTE_BYTES {
            return Err(SaveError::NoteTooLong(bookmark.note.len()));
        }
        self.align_lines();
        if let Some(i) = self.bookmarks.iter().position(|b| b.id == bookmark.id) {
            self.bookmarks[i] = bookmark.clone();
            self.lines[i] = None;
        } else {
            self.bookmarks.push(bookmark.clone());
            self.lines.push(None);
        }
        self.pending.push(Change::Put(Box::new(bookmark)));
        Ok(())
    }

    /// Removes bookmark `id`, returning it (for undo).
    pub fn delete(&mut self, id: &str) -> Option<Bookmark> {
        let at = self.bookmarks.iter().position(|b| b.id == id)?;
        self.align_lines();
        self.pending.push(Change::Delete(id.to_string()));
        self.lines.remove(at);
        Some(self.bookmarks.remove(at))
    }

    /// Drops the line cache if it does not match the list (after a merge, or a load that did
    /// not read line by line).
    fn align_lines(&mut self) {
        if self.lines.len() != self.bookmarks.len() {
            self.lines = vec![None; self.bookmarks.len()];
        }
    }

    /// Writes the bookmarks, merged with what another running copy saved meanwhile.
    ///
    /// # Errors
    /// When the store is read-only, another copy holds the lock too long, or writing fails;
    /// the file is then unchanged and the changes stay pending for a retry.
    pub fn save(&mut self) -> Result<(), SaveError> {
        let Some(dir) = self.dir.clone() else { return Ok(()) };
        if self.pending.is_empty() {
            return Ok(());
        }
        if let Some(why) = &self.read_only {
            return Err(SaveError::ReadOnly(why.clone()));
        }
        let io = |source| SaveError::Io { path: dir.clone(), source };
        durable::create_dir(&dir).map_err(io)?;
        let _lock = durable::lock(&dir, LOCK, LOCK_WAIT).map_err(|e| match e {
            LockError::Busy { path, waited } => SaveError::Busy(path, waited.as_secs()),
            LockError::Interrupted(path) => SaveError::Interrupted(path),
            LockError::Io(e) => io(e),
        })?;
        self.save_locked(&dir)
    }

    /// Writes the bookmarks added or changed since the last save to a new file beside the
    /// store, `bookmarks.unsaved-<seconds>[-n].json` (the bookmarks file's format), without the
    /// lock: for when they cannot be saved and gongbao is quitting. Returns the file's path,
    /// or `None` when there is nothing such to keep (no data folder, or only deletions).
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn keep_unsaved(&self) -> std::io::Result<Option<PathBuf>> {
        let Some(dir) = &self.dir else { return Ok(None) };
        let mut latest: Vec<&Bookmark> = Vec::new();
        for change in &self.pending {
            match change {
                Change::Put(b) => {
                    latest.retain(|old| old.id != b.id);
                    latest.push(b);
                }
                Change::Delete(id) => latest.retain(|old| &old.id != id),
            }
        }
        if latest.is_empty() {
            return Ok(None);
        }
        let kept: Vec<Bookmark> = latest.into_iter().cloned().collect();
        let mut lines = vec![None; kept.len()];
        fill_lines(&kept, &mut lines).map_err(std::io::Error::other)?;
        let mut bytes = Vec::new();
        write_file(&mut bytes, &lines)?;
        durable::create_dir(dir)?;
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        for n in 0u32.. {
            let suffix = if n == 0 { String::new() } else { format!("-{n}") };
            let path = dir.join(format!("bookmarks.unsaved-{secs}{suffix}.json"));
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    std::io::Write::write_all(&mut file, &bytes)?;
                    file.sync_all()?;
                    return Ok(Some(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    fn save_locked(&mut self, dir: &Path) -> Result<(), SaveError> {
        let io = |source| SaveError::Io { path: dir.to_path_buf(), source };
        let main = dir.join(FILE);
        // Another copy saved since we last looked: start from its file and apply this copy's
        // changes on top. Otherwise the list in memory already is the result.
        if Stamp::of(&main) != self.seen {
            let (base, lines) = match reread(&main, &mut self.bookmarks, &mut self.lines) {
                Ok(reread) => reread,
                Err(Unusable::Missing) => (Vec::new(), Vec::new()),
                Err(Unusable::NotAFile) => {
                    self.read_only = Some(format!("'{}' is not a regular file", main.display()));
                    return Err(SaveError::ReadOnly(self.read_only.clone().unwrap_or_default()));
                }
                Err(Unusable::Newer(v, _)) => {
                    self.read_only = Some(format!("another gongbao wrote schema {v} to '{}'", main.display()));
                    return Err(SaveError::ReadOnly(self.read_only.clone().unwrap_or_default()));
                }
                Err(Unusable::Corrupt(_)) => {
                    durable::aside(&main).map_err(io)?;
                    (self.bookmarks.clone(), Vec::new())
                }
            };
            (self.bookmarks, self.lines) = apply(base, lines, &self.pending);
        }
        self.align_lines();
        fill_lines(&self.bookmarks, &mut self.lines).map_err(|e| io(std::io::Error::other(e)))?;
        if main.exists() {
            durable::keep_backup(dir, &main, BACKUP, &format!("{TMP_PREFIX}bak{TMP_SUFFIX}")).map_err(io)?;
        }
        let lines = &self.lines;
        durable::replace(dir, &main, TMP_PREFIX, TMP_SUFFIX, |out| write_file(out, lines)).map_err(io)?;
        self.seen = Stamp::of(&main);
        self.pending.clear();
        Ok(())
    }
}

/// The file's bytes: valid JSON with one bookmark per line, so it stays readable and diffable
/// without the cost of pretty-printing every field.
#[cfg(test)]
fn serialise(bookmarks: &[Bookmark]) -> serde_json::Result<Vec<u8>> {
    let mut lines = vec![None; bookmarks.len()];
    fill_lines(bookmarks, &mut lines)?;
    let mut out = Vec::new();
    write_file(&mut out, &lines).map_err(serde_json::Error::io)?;
    Ok(out)
}

/// The file's header, as written; a file that starts with it is read line by line.
fn header() -> String {
    format!("{{\"schema_version\": {SCHEMA_VERSION}, \"bookmarks\": [\n")
}

/// No newline after it: then every proper prefix of a file is invalid JSON, so a truncated
/// file is always recognised (PST-07).
const FOOTER: &[u8] = b"]}";

/// Serialises the bookmarks whose line is missing, on all cores.
fn fill_lines(bookmarks: &[Bookmark], lines: &mut [Option<Bytes>]) -> serde_json::Result<()> {
    let fill = |marks: &[Bookmark], lines: &mut [Option<Bytes>]| {
        for (b, line) in marks.iter().zip(lines.iter_mut()) {
            if line.is_none() {
                *line = Some(serde_json::to_vec(b)?.into());
            }
        }
        Ok::<(), serde_json::Error>(())
    };
    let per = bookmarks.len().div_ceil(workers(bookmarks.len(), SERIALISED_PER_THREAD)).max(1);
    std::thread::scope(|scope| {
        let mut chunks = bookmarks.chunks(per).zip(lines.chunks_mut(per));
        let mine = chunks.next();
        // A thread that cannot be started leaves its lines missing: the pass below fills them.
        let handles: Vec<_> = chunks
            .filter_map(|(marks, lines)| {
                std::thread::Builder::new().spawn_scoped(scope, move || fill(marks, lines)).ok()
            })
            .collect();
        if let Some((marks, lines)) = mine {
            fill(marks, lines)?;
        }
        for h in handles {
            h.join().unwrap_or(Ok(()))?;
        }
        Ok::<(), serde_json::Error>(())
    })?;
    fill(bookmarks, lines)
}

/// Header, the lines joined by `,` and line breaks, footer.
fn write_file(out: &mut (impl std::io::Write + ?Sized), lines: &[Option<Bytes>]) -> std::io::Result<()> {
    out.write_all(header().as_bytes())?;
    for (i, line) in lines.iter().enumerate() {
        out.write_all(line.as_deref().unwrap_or(b"null"))?;
        out.write_all(if i + 1 < lines.len() { b",\n" } else { b"\n" })?;
    }
    out.write_all(FOOTER)
}

/// How many threads share work of `size` units, each at least `per_thread` of them: a small
/// store is read and written on this thread alone (a thread costs more than it saves there).
fn workers(size: usize, per_thread: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(8);
    cores.min(size / per_thread.max(1)).max(1)
}

/// The least work worth a thread of its own: bytes of a file's lines parsed, bookmarks
/// serialised (each about 700 bytes).
const PARSED_BYTES_PER_THREAD: usize = 1 << 20;
const SERIALISED_PER_THREAD: usize = 2_000;

/// Reads a file in the layout [`serialise`] writes, one bookmark per line, on all cores.
/// `None` when the file is laid out otherwise (edited by hand) or any line does not parse: the
/// caller then parses it whole, which also gives the error to report.
fn parse_lines(file: &Bytes) -> Option<(Vec<Bookmark>, Lines)> {
    let body = file.strip_prefix(header().as_bytes())?.strip_suffix(FOOTER)?;
    // One run of whole lines for each core, cut at line breaks near equal sizes. This core
    // parses the first, so its bookmarks are already in place and only the others' are moved
    // after it (moving them all took 20-30 ms).
    let runs = runs(body, workers(body.len(), PARSED_BYTES_PER_THREAD));
    std::thread::scope(|scope| {
        // A thread that cannot be started makes this `None`: the caller then parses the file whole.
        let handles: Option<Vec<_>> = runs[1..]
            .iter()
            .map(|&run| std::thread::Builder::new().spawn_scoped(scope, move || parse_run(file, run, 1)).ok())
            .collect();
        let (mut marks, mut lines) = parse_run(file, runs[0], runs.len())?;
        for h in handles? {
            let (more, more_lines) = h.join().ok()??;
            marks.extend(more);
            lines.extend(more_lines);
        }
        Some((marks, lines))
    })
}

/// `body` cut into up to `n` runs of whole lines of about equal size.
fn runs(body: &[u8], n: usize) -> Vec<&[u8]> {
    let mut runs = Vec::with_capacity(n);
    let mut rest = body;
    for k in (1..=n).rev() {
        let cut = match memchr::memchr(b'\n', rest.get(rest.len() / k..).unwrap_or_default()) {
            Some(at) if k > 1 => rest.len() / k + at + 1,
            _ => rest.len(),
        };
        let (run, after) = rest.split_at(cut);
        runs.push(run);
        rest = after;
    }
    runs
}

/// The bookmarks of a run of lines of `file` and each one's line, a slice of `file` (so the
/// next save writes it as it is). The lists are made room for `runs` runs of this size.
fn parse_run(file: &Bytes, run: &[u8], runs: usize) -> Option<(Vec<Bookmark>, Lines)> {
    // The run is checked to be UTF-8 once, with SIMD (runs are cut after a line break, which is
    // ASCII), and each line is then parsed as a `&str`: `serde_json::from_slice` checks every
    // string it reads again with the standard library's check (per string, not SIMD), a third
    // of a line's parse. A file that is not UTF-8 is left to the whole-file parse, which
    // reports it as before.
    let run = simdutf8::basic::from_utf8(run).ok()?;
    let count = memchr::memchr_iter(b'\n', run.as_bytes()).count() + 1;
    let mut marks = Vec::with_capacity(count * runs);
    let mut lines = Vec::with_capacity(count * runs);
    // Lines found with memchr's SIMD search: splitting byte by byte took 50-70 ms.
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', run.as_bytes()).chain([run.len()]) {
        // Line breaks are ASCII: always a char boundary.
        let line = run.get(start..end)?;
        start = end + 1;
        if !line.is_empty() {
            let line = line.strip_suffix(',').unwrap_or(line);
            marks.push(serde_json::from_str::<Bookmark>(line).ok()?);
            lines.push(Some(file.slice_ref(line.as_bytes())));
        }
    }
    Some((marks, lines))
}

/// `base` with `changes` applied in order. A put replaces the bookmark with its id unless the
/// file's copy was updated later (another copy edited it after us).
/// Lines of `base` that the changes leave alone stay cached.
fn apply(mut base: Vec<Bookmark>, mut lines: Lines, changes: &[Change]) -> (Vec<Bookmark>, Lines) {
    if lines.len() != base.len() {
        lines = vec![None; base.len()];
    }
    let mut index: std::collections::HashMap<String, usize> =
        base.iter().enumerate().map(|(i, b)| (b.id.clone(), i)).collect();
    let mut deleted = std::collections::HashSet::new();
    for change in changes {
        match change {
            Change::Put(b) => {
                deleted.remove(&b.id);
                match index.get(&b.id) {
                    Some(&i) if base[i].updated <= b.updated => {
                        base[i] = (**b).clone();
                        lines[i] = None;
                    }
                    Some(_) => {}
                    None => {
                        index.insert(b.id.clone(), base.len());
                        base.push((**b).clone());
                        lines.push(None);
                    }
                }
            }
            Change::Delete(id) => {
                deleted.insert(id.clone());
            }
        }
    }
    if !deleted.is_empty() {
        let keep: Vec<bool> = base.iter().map(|b| !deleted.contains(&b.id)).collect();
        let mut k = keep.iter();
        base.retain(|_| *k.next().unwrap_or(&true));
        let mut k = keep.iter();
        lines.retain(|_| *k.next().unwrap_or(&true));
    }
    (base, lines)
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::time::SystemTime;

    use super::*;
    use crate::bookmarks::{ArticleRef, Quote, SourceRef};

    pub(crate) fn sample(id: &str, note: &str) -> Bookmark {
        Bookmark {
            id: id.into(),
            created: "2026-11-22T10:00:00Z".into(),
            updated: "2026-11-22T10:00:00Z".into(),
            source: SourceRef { name: "a.txt".into(), path: None, fingerprint: "0".repeat(16) },
            article: ArticleRef { id: "a#1".into(), title: Some("标题".into()) },
            clause: Some("十三、".into()),
            quote: Quote {
                text: "各方欢迎".into(),
                prefix: String::new(),
                suffix: String::new(),
                paragraph: 0,
                offset: 0,
            },
            note: note.into(),
        }
    }

    #[test]
    fn saved_bookmarks_load_back_and_a_backup_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, messages) = Store::open(Some(dir.path()));
        assert!(messages.is_empty());
        store.put(sample("1", "first")).unwrap();
        store.save().unwrap();
        store.put(sample("2", "second")).unwrap();
        store.save().unwrap();
        let (again, _) = Store::open(Some(dir.path()));
        assert_eq!(again.bookmarks(), store.bookmarks());
        let backup: Stored = serde_json::from_slice(&fs::read(dir.path().join(BACKUP)).unwrap()).unwrap();
        let backup = backup.bookmarks;
        assert_eq!(backup.len(), 1, "the backup is the previous good file");
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_and_the_backup_used() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(Some(dir.path()));
        store.put(sample("1", "kept")).unwrap();
        store.save().unwrap();
        store.put(sample("2", "also")).unwrap();
        store.save().unwrap();
        fs::write(dir.path().join(FILE), b"{\"schema_version\": 1, \"bookm").unwrap();
        let (store, messages) = Store::open(Some(dir.path()));
        assert_eq!(store.bookmarks().len(), 1, "from the backup");
        assert!(messages.iter().any(|m| m.contains("moved to")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("using the backup")), "{messages:?}");
        let corrupt: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
            .collect();
        assert_eq!(fs::read(corrupt[0].path()).unwrap(), b"{\"schema_version\": 1, \"bookm");
    }

    #[test]
    fn a_newer_schema_is_read_only_and_left_byte_identical() {
        let dir = tempfile::tempdir().unwrap();
        let newer =
            format!("{{\"schema_version\": {}, \"bookmarks\": [], \"future\": {{\"x\": 1}}}}", SCHEMA_VERSION + 1);
        fs::write(dir.path().join(FILE), &newer).unwrap();
        let (mut store, messages) = Store::open(Some(dir.path()));
        assert!(messages[0].contains("newer gongbao"));
        store.put(sample("1", "x")).unwrap();
        assert!(matches!(store.save(), Err(SaveError::ReadOnly(_))));
        assert_eq!(fs::read_to_string(dir.path().join(FILE)).unwrap(), newer);
    }

    #[test]
    fn unknown_fields_of_the_current_schema_do_not_stop_loading() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = serde_json::to_value(sample("1", "x")).unwrap();
        b["colour"] = serde_json::json!("red");
        let file = serde_json::json!({"schema_version": 1, "bookmarks": [b], "settings": {"k": 2}});
        fs::write(dir.path().join(FILE), file.to_string()).unwrap();
        let (store, messages) = Store::open(Some(dir.path()));
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(store.bookmarks(), [sample("1", "x")]);
    }

    #[test]
    fn the_file_is_one_bookmark_per_line() {
        let bytes = serialise(&[sample("1", "a"), sample("2", "b")]).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(text.ends_with("]}"));
        let back: Stored = serde_json::from_str(&text).unwrap();
        assert_eq!(back.bookmarks, [sample("1", "a"), sample("2", "b")]);
        let lines = |b: &[u8]| parse_lines(&Bytes::copy_from_slice(b)).map(|p| p.0);
        assert_eq!(lines(text.as_bytes()), Some(back.bookmarks), "the fast reader agrees");
        let many: Vec<Bookmark> = (0..37).map(|i| sample(&i.to_string(), "n")).collect();
        assert_eq!(lines(&serialise(&many).unwrap()), Some(many), "chunks keep the order");
        assert_eq!(lines(&serialise(&[]).unwrap()), Some(vec![]));
        assert!(lines(b"{\"schema_version\": 1, \"bookmarks\": [\n{\"id\"\n]}").is_none());
        let two = serialise(&[sample("1", "a"), sample("2", "b")]).unwrap();
        let at = two.windows(2).position(|w| w == b",\n").unwrap();
        let extra_comma = [&two[..at + 2], b",\n", &two[at + 2..]].concat();
        assert!(lines(&extra_comma).is_none(), "a line of only a comma is not JSON");
        // A byte that is not UTF-8 in a note: left to the whole parse, which reports it.
        let mut bad = serialise(&[sample("1", "ab")]).unwrap();
        let at = bad.windows(4).position(|w| w == b"\"ab\"").unwrap();
        bad[at + 1] = 0xff;
        assert!(lines(&bad).is_none());
        assert!(matches!(parse(bad.into()), Err(Unusable::Corrupt(_))));
    }

    #[test]
    fn runs_are_whole_lines_and_make_up_the_body() {
        let body = b"aa\nbbbb\nc\n\ndddddd\ne";
        for n in 1..=9 {
            let runs = runs(body, n);
            assert_eq!(runs.len(), n);
            assert_eq!(runs.concat(), body, "{n} runs");
            let mut at = 0;
            for run in &runs {
                at += run.len();
                assert!(at == body.len() || body[at - 1] == b'\n', "{n} runs cut a line: {runs:?}");
            }
        }
        assert_eq!(runs(b"", 2), [b"", b""]);
    }

    #[test]
    fn a_bom_before_valid_json_loads() {
        let dir = tempfile::tempdir().unwrap();
        let file = serde_json::json!({"schema_version": 1, "bookmarks": [sample("1", "x")]});
        fs::write(dir.path().join(FILE), format!("\u{FEFF}{file}")).unwrap();
        let (store, messages) = Store::open(Some(dir.path()));
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(store.bookmarks().len(), 1);
    }

    #[test]
    fn changes_from_another_copy_are_merged_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let (mut a, _) = Store::open(Some(dir.path()));
        let (mut b, _) = Store::open(Some(dir.path()));
        a.put(sample("a1", "from a")).unwrap();
        a.save().unwrap();
        b.put(sample("b1", "from b")).unwrap();
        b.save().unwrap();
        a.delete("a1");
        a.put(sample("a2", "from a")).unwrap();
        a.save().unwrap();
        let (c, _) = Store::open(Some(dir.path()));
        let ids: Vec<&str> = c.bookmarks().iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["b1", "a2"]);
        // The cached lines wrote exactly what serialising everything afresh writes.
        assert_eq!(fs::read(dir.path().join(FILE)).unwrap(), serialise(c.bookmarks()).unwrap());
        let (mut d, _) = Store::open(Some(dir.path()));
        let mut edited = sample("b1", "edited");
        edited.updated = "2026-11-23T00:00:00Z".into();
        d.put(edited).unwrap();
        d.save().unwrap();
        assert_eq!(fs::read(dir.path().join(FILE)).unwrap(), serialise(d.bookmarks()).unwrap());
        assert_eq!(Store::open(Some(dir.path())).0.bookmarks()[0].note, "edited");
    }

    /// Reading another copy's file again by reusing this copy's lines gives exactly what parsing
    /// it afresh gives, whatever the other copy did: added, deleted, edited, moved or duplicated
    /// lines; and where it cannot (too much new, a line that does not parse) it takes nothing.
    #[test]
    fn reusing_known_lines_reads_what_a_fresh_parse_reads() {
        let ours: Vec<Bookmark> = (0..40).map(|k| sample(&format!("b{k}"), &format!("note {k}"))).collect();
        let mut ours_lines = vec![None; ours.len()];
        fill_lines(&ours, &mut ours_lines).unwrap();
        let mut edited = ours[7].clone();
        edited.note = "edited elsewhere".into();
        let theirs: Vec<Vec<Bookmark>> = vec![
            ours.clone(),
            [ours.clone(), vec![sample("new", "added")]].concat(),
            ours.iter().filter(|b| b.id != "b3" && b.id != "b20").cloned().collect(),
            ours.iter().map(|b| if b.id == "b7" { edited.clone() } else { b.clone() }).collect(),
            ours.iter().rev().cloned().collect(),
            [ours[..5].to_vec(), ours[..5].to_vec()].concat(),
            Vec::new(),
        ];
        for (case, file) in theirs.iter().enumerate() {
            let bytes = serialise(file).unwrap();
            let (mut marks, mut lines) = (ours.clone(), ours_lines.clone());
            let fresh = parse_lines(&Bytes::copy_from_slice(&bytes)).expect("our own layout");
            let (reused, reused_lines) = reuse_lines(&bytes, &mut marks, &mut lines).expect("few new lines");
            let ids = |v: &[Bookmark]| v.iter().map(|b| (b.id.clone(), b.note.clone())).collect::<Vec<_>>();
            assert_eq!(ids(&reused), ids(&fresh.0), "case {case}");
            assert_eq!(reused_lines, fresh.1, "case {case}");
        }
        // Unparseable new line, or a file of new lines only: nothing is taken.
        let mut bad = serialise(&ours).unwrap();
        let at = bad.windows(4).position(|w| w == b"\"b5\"").unwrap();
        bad[at + 1] = b'\\';
        let (mut marks, mut lines) = (ours.clone(), ours_lines.clone());
        assert!(reuse_lines(&bad, &mut marks, &mut lines).is_none());
        let strangers: Vec<Bookmark> = (0..400).map(|k| sample(&format!("s{k}"), "other")).collect();
        assert!(reuse_lines(&serialise(&strangers).unwrap(), &mut marks, &mut lines).is_none());
        assert_eq!((marks.len(), lines.len()), (ours.len(), ours.len()), "left alone");
        assert_eq!(lines, ours_lines);
    }

    #[test]
    fn an_over_long_note_is_refused() {
        let mut store = Store::in_memory();
        let long = "长".repeat(MAX_NOTE_BYTES / 3 + 1);
        assert!(matches!(store.put(sample("1", &long)), Err(SaveError::NoteTooLong(_))));
        assert!(store.bookmarks().is_empty());
    }

    #[test]
    fn stale_temporary_files_are_removed_at_start_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(format!("{TMP_PREFIX}old{TMP_SUFFIX}"));
        let fresh = dir.path().join(format!("{TMP_PREFIX}new{TMP_SUFFIX}"));
        fs::write(&stale, b"x").unwrap();
        fs::write(&fresh, b"x").unwrap();
        let old = SystemTime::now() - Duration::from_mins(2);
        File::options().write(true).open(&stale).unwrap().set_modified(old).unwrap();
        let _ = Store::open(Some(dir.path()));
        assert!(!stale.exists());
        assert!(fresh.exists(), "a save in progress elsewhere may own it");
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_file_keeps_its_inode() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(Some(dir.path()));
        store.put(sample("0", "x")).unwrap();
        store.save().unwrap();
        let before = Stamp::of(&dir.path().join(LOCK)).map(|s| s.inode());
        for i in 1..10 {
            store.put(sample(&i.to_string(), "x")).unwrap();
            store.save().unwrap();
        }
        assert_eq!(Stamp::of(&dir.path().join(LOCK)).map(|s| s.inode()), before);
    }

    #[test]
    fn a_failed_save_and_its_retry_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(Some(dir.path()));
        store.put(sample("1", "saved")).unwrap();
        store.save().unwrap();
        // A folder where the backup goes: keeping the backup fails, and with it the save.
        fs::create_dir(dir.path().join(BACKUP)).unwrap();
        store.put(sample("2", "not saved")).unwrap();
        for attempt in ["the save", "its retry"] {
            assert!(store.save().is_err(), "{attempt} failed");
            let ours: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(TMP_PREFIX))
                .collect();
            assert!(ours.is_empty(), "{attempt} left {ours:?}");
        }
        assert_eq!(store.unsaved(), 1, "the change is still pending");
        assert_eq!(Store::open(Some(dir.path())).0.bookmarks().len(), 1, "the file is unchanged");
    }

    #[test]
    fn unsaved_bookmarks_are_kept_aside_in_new_files_in_the_store_s_format() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(Some(dir.path()));
        store.put(sample("gone", "x")).unwrap();
        store.delete("gone");
        assert_eq!(store.keep_unsaved().unwrap(), None, "nothing added survives: nothing to keep");
        store.put(sample("1", "first")).unwrap();
        store.put(sample("1", "edited")).unwrap();
        store.put(sample("2", "second")).unwrap();
        let first = store.keep_unsaved().unwrap().expect("kept");
        let second = store.keep_unsaved().unwrap().expect("kept again");
        assert_ne!(first, second, "never over an earlier one");
        let kept: Stored = serde_json::from_slice(&fs::read(&first).unwrap()).unwrap();
        assert_eq!(kept.bookmarks, [sample("1", "edited"), sample("2", "second")]);
        assert!(!dir.path().join(FILE).exists(), "the store itself is not written");
    }

    #[test]
    fn delete_then_undo_keeps_the_bookmark() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(Some(dir.path()));
        store.put(sample("1", "x")).unwrap();
        store.save().unwrap();
        let gone = store.delete("1").unwrap();
        store.put(gone).unwrap();
        store.save().unwrap();
        assert_eq!(Store::open(Some(dir.path())).0.bookmarks().len(), 1);
    }
}

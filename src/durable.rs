//! Files in the data folder that survive crashes and two running copies: the parts the
//! bookmark store ([`crate::bookmarks::store`]), the reading state
//! ([`crate::app::positions`]) and the word list ([`crate::words`]) share. [`replace`] is the
//! one atomic write in gongbao: whatever writes a file others read (the bookmark export too)
//! goes through it.
//!
//! - [`lock`]: an advisory lock on a separate lock file (its inode never changes), waited for a
//!   bounded time;
//! - [`read`]: regular files only, opened without blocking (a FIFO never hangs start-up), read
//!   up to a cap (a symlink to `/dev/zero` never fills memory), with the [`Stamp`] of the very
//!   file read;
//! - [`replace`]: a temporary file in the same folder, synced, renamed over the old one, the
//!   folder synced; [`keep_backup`] first keeps the old file aside as `.bak`;
//! - [`aside`]: a file that cannot be used moved to a unique name, never overwritten;
//! - [`remove_stale_temporaries`]: what a save killed midway left, removed once it is old.

use std::fs::{self, File};
use std::io::{Read as _, Seek as _, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// Set once gongbao is quitting on a signal: a lock is then tried once, never waited for, so
/// what cannot be saved is kept elsewhere before the signal's deadline instead of being lost.
static STOP_WAITING: AtomicBool = AtomicBool::new(false);

/// From now on, [`lock`] gives up at once when the lock is held.
pub(crate) fn stop_waiting_for_locks() {
    STOP_WAITING.store(true, Ordering::SeqCst);
}

/// Identity of a file as last read or written: when it is unchanged, a save need not reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl Stamp {
    pub(crate) fn of(path: &Path) -> Option<Stamp> {
        fs::metadata(path).ok().map(|m| Stamp::from_metadata(&m))
    }

    fn from_metadata(m: &fs::Metadata) -> Stamp {
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(m),
        }
    }

    #[cfg(all(test, unix))]
    pub(crate) fn inode(&self) -> u64 {
        self.inode
    }
}

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LockError {
    #[error("another gongbao has held '{}' for {} s; try again", path.display(), waited.as_secs())]
    Busy { path: PathBuf, waited: Duration },
    #[error("gave up waiting for '{}': gongbao is quitting", .0.display())]
    Interrupted(PathBuf),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The advisory lock on a lock file, held until dropped.
pub(crate) struct DirLock(File);

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Takes the lock on `dir/name` (created if missing), waiting up to `wait` for another copy.
pub(crate) fn lock(dir: &Path, name: &str, wait: Duration) -> Result<DirLock, LockError> {
    let path = dir.join(name);
    let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(DirLock(file)),
            Err(fs::TryLockError::WouldBlock) if STOP_WAITING.load(Ordering::SeqCst) => {
                return Err(LockError::Interrupted(path));
            }
            Err(fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                // Holders keep it for a read or a write, a few milliseconds: polling often
                // keeps a busy copy from starving the other.
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(fs::TryLockError::WouldBlock) => return Err(LockError::Busy { path, waited: wait }),
            Err(fs::TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
    }
}

/// Why a file could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    Missing,
    /// A folder, FIFO, device or socket where the file should be.
    NotAFile,
    /// Larger than the cap (the size found, at least).
    TooLarge(u64),
    Failed(std::io::Error),
}

/// Opens `path` for reading without waiting for a writer, should it be a FIFO.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits().cast_signed());
    }
    options.open(path)
}

/// Reads the regular file `path`, at most `max` bytes, with the stamp of the file read. The
/// stamp is taken from the open file before reading: a copy that replaces the file after this
/// makes the stamp differ, so the next save merges instead of writing over its work.
pub(crate) fn read(path: &Path, max: u64) -> Result<(Vec<u8>, Stamp), ReadError> {
    let file = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::Missing),
        Err(_) if fs::metadata(path).is_ok_and(|m| !m.is_file()) => return Err(ReadError::NotAFile),
        Err(e) => return Err(ReadError::Failed(e)),
    };
    let meta = file.metadata().map_err(ReadError::Failed)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let stamp = Stamp::from_metadata(&meta);
    let len = meta.len();
    let mut file = file;
    // Small, shrunk while read, or no second thread: one sequential read from the start.
    let (mut bytes, read_up_to) = read_halves(&file, len)
        .map_or_else(|| (Vec::with_capacity(usize::try_from(len).unwrap_or(0)), 0), |halves| (halves, len));
    file.seek(SeekFrom::Start(read_up_to)).map_err(ReadError::Failed)?;
    // The cap holds even for a file that grows while it is read.
    let more = max.saturating_add(1).saturating_sub(bytes.len() as u64);
    file.take(more).read_to_end(&mut bytes).map_err(ReadError::Failed)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok((bytes, stamp))
}

/// Files at least this large are read in two halves at once ([`read_halves`]).
const READ_IN_HALVES: u64 = 8 << 20;

/// The first `len` bytes of `file`, its two halves read by two threads at once: in a large
/// read the kernel's copy and the first touches of fresh memory take most of the time, and
/// they go on both cores (100,000 bookmarks: 71 MB). `None` for a smaller file, one that
/// shrank while read, or when no thread could be started; the caller then reads it in one go.
#[cfg(unix)]
fn read_halves(file: &File, len: u64) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt as _;
    if len < READ_IN_HALVES {
        return None;
    }
    let mut bytes = vec![0; usize::try_from(len).ok()?];
    let half = bytes.len() / 2;
    let (first, second) = bytes.split_at_mut(half);
    let read = std::thread::scope(|s| {
        let other = std::thread::Builder::new().spawn_scoped(s, || file.read_exact_at(second, half as u64)).ok()?;
        let mine = file.read_exact_at(first, 0);
        Some(mine.is_ok() && other.join().is_ok_and(|r| r.is_ok()))
    });
    (read == Some(true)).then_some(bytes)
}

#[cfg(not(unix))]
fn read_halves(_file: &File, _len: u64) -> Option<Vec<u8>> {
    None
}

/// Moves `path` aside as `<path>.corrupt-<seconds>[-n]`, a name no other file has.
///
/// # Errors
/// When the rename fails; the file is then left where it is.
pub(crate) fn aside(path: &Path) -> std::io::Result<PathBuf> {
    let secs = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let name = path.file_name().map_or_else(Default::default, |n| n.to_string_lossy().into_owned());
    let mut n = 0;
    loop {
        let suffix = if n == 0 { String::new() } else { format!("-{n}") };
        let target = path.with_file_name(format!("{name}.corrupt-{secs}{suffix}"));
        // A hard link fails when the target exists, so two copies setting files aside in the
        // same second never overwrite each other's; a rename is the fallback where links fail.
        match fs::hard_link(path, &target) {
            Ok(()) => {
                fs::remove_file(path)?;
                return Ok(target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            Err(_) if !target.exists() => {
                fs::rename(path, &target)?;
                return Ok(target);
            }
            Err(_) => n += 1,
        }
    }
}

/// Creates `dir` (owner-only on Unix) if it is missing.
pub(crate) fn create_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Removes the temporary files named `<prefix>…<suffix>` older than a minute (left by a crash
/// mid-save; younger ones may belong to a save in progress).
pub(crate) fn remove_stale_temporaries(dir: &Path, prefix: &str, suffix: &str) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(prefix) && name.ends_with(suffix)) {
            continue;
        }
        let stale = e
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_mins(1));
        if stale {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Keeps `main` as `dir/backup`: a hard link (no copy of the bytes) put in place by rename, so
/// the backup too is always whole. `tmp` is the name of the link before the rename.
pub(crate) fn keep_backup(dir: &Path, main: &Path, backup: &str, tmp: &str) -> std::io::Result<()> {
    let tmp = dir.join(tmp);
    let _ = fs::remove_file(&tmp);
    let result = fs::hard_link(main, &tmp)
        .or_else(|_| fs::copy(main, &tmp).map(drop))
        .and_then(|()| fs::rename(&tmp, dir.join(backup)));
    if result.is_err() {
        // A failed save, and each retry, leaves nothing of its own behind (a half copy included).
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Replaces `main` (in `dir`) with what `write` writes: to a temporary file
/// `<prefix>…<suffix>` in the same folder, synced, renamed over `main`, the folder synced. A
/// crash leaves the old file or the new one, never half of either.
///
/// # Errors
/// When any step fails; `main` is then unchanged and the temporary file removed.
pub(crate) fn replace(
    dir: &Path,
    main: &Path,
    prefix: &str,
    suffix: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut tmp = tempfile::Builder::new().prefix(prefix).suffix(suffix).tempfile_in(dir)?;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(main).map_err(|e| e.error)?;
    // The rename is durable only once the folder is synced.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_set_aside_in_the_same_second_keep_distinct_names() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("state.json");
        let mut names = Vec::new();
        for content in ["first", "second", "third"] {
            fs::write(&main, content).unwrap();
            names.push(aside(&main).unwrap());
        }
        let contents: Vec<String> = names.iter().map(|n| fs::read_to_string(n).unwrap()).collect();
        assert_eq!(contents, ["first", "second", "third"], "{names:?}");
        assert!(!main.exists());
    }

    #[test]
    fn reads_are_capped_and_take_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read(&path, 10).unwrap().0, b"0123456789");
        assert!(matches!(read(&path, 9), Err(ReadError::TooLarge(10))));
        assert!(matches!(read(dir.path(), 100), Err(ReadError::NotAFile)));
        assert!(matches!(read(&dir.path().join("none"), 100), Err(ReadError::Missing)));
    }

    #[test]
    fn a_large_file_is_read_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("large");
        // Odd-sized, so the halves differ, and no byte where it would be if a half were swapped.
        let len = usize::try_from(READ_IN_HALVES).unwrap() + 3;
        let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        fs::write(&path, &content).unwrap();
        let (read_back, _) = read(&path, u64::MAX).unwrap();
        assert!(read_back == content, "{} bytes read of {len}", read_back.len());
        assert!(matches!(read(&path, READ_IN_HALVES), Err(ReadError::TooLarge(_))));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_a_link_to_an_endless_device_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(matches!(read(&zero, 1 << 20), Err(ReadError::NotAFile)));
        let fifo = dir.path().join("fifo");
        if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
            let start = Instant::now();
            assert!(matches!(read(&fifo, 1 << 20), Err(ReadError::NotAFile)));
            assert!(start.elapsed() < Duration::from_secs(1), "a FIFO blocked the read");
        } else {
            eprintln!("SKIPPED the FIFO half: mkfifo is not available");
        }
    }
}

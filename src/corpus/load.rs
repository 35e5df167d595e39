//! First stage of the corpus pipeline: command-line paths (and standard input) → raw
//! bytes, one [`RawDoc`] per file, handed to [`super::decode`].
//!
//! This is the only corpus module that touches the filesystem. It reads regular files
//! only and caps their size, so a FIFO, `/dev/zero` or a huge dump can neither hang
//! nor exhaust the reader (docs/reliability.md §4.1, ENC-12). A bad input becomes a
//! [`LoadError`] next to the documents that did load; it never stops the others.

use std::ffi::OsStr;
use std::fs::{self, File, FileType};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// Default cap on the size of one input: well above any news file, well below what
/// would make loading a mistaken path painful.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Extensions read inside folders; files without an extension are read too.
const TEXT_EXTENSIONS: [&str; 4] = ["txt", "text", "md", "markdown"];

/// Shown as the name and path of standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// One input's bytes, not yet decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDoc {
    /// Last path component (lossy UTF-8), or `<stdin>`.
    pub name: String,
    /// The path the bytes were read from; `None` for standard input and bundled samples.
    pub path: Option<PathBuf>,
    pub bytes: Vec<u8>,
}

/// One command-line input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or a folder to walk.
    Path(PathBuf),
    Stdin,
    /// The sample files shipped inside the binary ([`bundled`]).
    Bundled,
}

impl Input {
    /// Interprets a command-line argument; `-` means standard input.
    #[must_use]
    pub fn from_arg(arg: &OsStr) -> Input {
        if arg == "-" { Input::Stdin } else { Input::Path(PathBuf::from(arg)) }
    }
}

/// Why one input could not be loaded. Each names the path (`<stdin>` for standard input)
/// and its message is one line saying what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("'{}' does not exist; check the path", .path.display())]
    NotFound { path: PathBuf },
    #[error("'{}' cannot be read: permission denied; check its permissions", .path.display())]
    PermissionDenied { path: PathBuf },
    #[error("'{}' is {what}, not a regular file; pass a text file or a folder instead", .path.display())]
    NotRegular { path: PathBuf, what: &'static str },
    #[error(
        "'{}' is larger than the {} input cap{}; split it or raise --max-size",
        .path.display(),
        human_size(*.cap),
        size_note(*.size, *.cap)
    )]
    TooLarge { path: PathBuf, size: u64, cap: u64 },
    #[error(
        "'{}' shrank from {} to {} while it was being read; another program is writing it, \
         try again when it is done",
        .path.display(),
        human_size(*.expected),
        human_size(*.read)
    )]
    Shrank { path: PathBuf, expected: u64, read: u64 },
    #[error("'{}' could not be read ({source}); check the file and try again", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl LoadError {
    /// The input the error is about.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            LoadError::NotFound { path }
            | LoadError::PermissionDenied { path }
            | LoadError::NotRegular { path, .. }
            | LoadError::TooLarge { path, .. }
            | LoadError::Shrank { path, .. }
            | LoadError::Io { path, .. } => path,
        }
    }

    fn from_io(path: &Path, source: io::Error) -> Self {
        let path = path.to_path_buf();
        match source.kind() {
            io::ErrorKind::NotFound => LoadError::NotFound { path },
            io::ErrorKind::PermissionDenied => LoadError::PermissionDenied { path },
            _ => LoadError::Io { path, source },
        }
    }
}

/// Everything [`load`] produced: the documents, in input order, and what went wrong.
#[derive(Debug, Default)]
pub struct Loaded {
    pub docs: Vec<RawDoc>,
    pub failures: Vec<LoadError>,
    /// Files inside folders that were passed over for their extension.
    pub skipped: usize,
}

/// Reads every input, walking folders, refusing non-regular files and files over
/// `max_bytes`. Failures are collected and never stop the other inputs.
#[must_use]
pub fn load(inputs: &[Input], max_bytes: u64) -> Loaded {
    let listing = list(inputs);
    let mut loaded = Loaded { docs: Vec::new(), failures: listing.failures, skipped: listing.skipped };
    for item in &listing.items {
        match read(item, max_bytes) {
            Ok(doc) => loaded.docs.push(doc),
            Err(error) => loaded.failures.push(error),
        }
    }
    loaded
}

/// One thing to read: standard input or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Stdin,
    File(PathBuf),
    /// The bundled sample of this place in [`bundled`].
    Bundled(usize),
}

/// What [`list`] found: the items in input order, and what could not be listed.
#[derive(Debug, Default)]
pub struct Listing {
    pub items: Vec<Item>,
    pub failures: Vec<LoadError>,
    /// Files inside folders that were passed over for their extension.
    pub skipped: usize,
}

/// The files the inputs name, folders walked, nothing read yet: loading in the background
/// lists first, so it can say how much there is, then reads on several threads.
#[must_use]
pub fn list(inputs: &[Input]) -> Listing {
    let mut listing = Listing::default();
    for input in inputs {
        match input {
            Input::Stdin => listing.items.push(Item::Stdin),
            Input::Bundled => listing.items.extend((0..BUNDLED.len()).map(Item::Bundled)),
            // Named paths follow symlinks: the user pointed at what the link points to.
            Input::Path(path) => match fs::metadata(path) {
                Ok(meta) if meta.is_dir() => walk(path, &mut listing),
                Ok(_) => listing.items.push(Item::File(path.clone())),
                Err(error) => listing.failures.push(LoadError::from_io(path, error)),
            },
        }
    }
    listing
}

/// Reads one listed item, refusing non-regular files and files over `max_bytes`.
///
/// # Errors
/// When the file cannot be read, is not a regular file or is too large.
pub fn read(item: &Item, max_bytes: u64) -> Result<RawDoc, LoadError> {
    match item {
        Item::Stdin => match read_capped(io::stdin().lock(), max_bytes, 0) {
            Ok(bytes) => Ok(RawDoc { name: STDIN_NAME.to_owned(), path: None, bytes }),
            Err(error) => Err(error.at(Path::new(STDIN_NAME), max_bytes)),
        },
        Item::File(path) => {
            read_file(path, max_bytes).map(|bytes| RawDoc { name: display_name(path), path: Some(path.clone()), bytes })
        }
        // Shipped inside the binary, so neither checked against the cap nor able to fail.
        Item::Bundled(n) => Ok(RawDoc {
            name: bundled_name(*n).to_owned(),
            path: None,
            bytes: BUNDLED.get(*n).map_or_else(Vec::new, |(_, bytes)| bytes.to_vec()),
        }),
    }
}

/// Walks a folder in file-name order, so document order (and anything derived from
/// it) is the same on every run and every filesystem.
fn walk(root: &Path, listing: &mut Listing) {
    // Links below the root are not followed as folders: that is how walks loop or
    // wander into `/dev`. Linked files are still read, through `read_file`'s checks.
    let walker = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error.path().unwrap_or(root).to_path_buf();
                let failure = match error.into_io_error() {
                    Some(source) => LoadError::from_io(&path, source),
                    None => LoadError::Io { path, source: io::Error::other("the folder links back to itself") },
                };
                listing.failures.push(failure);
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        if !has_text_extension(entry.path()) {
            listing.skipped += 1;
            continue;
        }
        if entry.file_type().is_symlink() && fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        listing.items.push(Item::File(entry.path().to_path_buf()));
    }
}

fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

fn has_text_extension(path: &Path) -> bool {
    match path.extension() {
        None => true,
        Some(extension) => {
            let extension = extension.to_string_lossy();
            extension.is_empty() || TEXT_EXTENSIONS.iter().any(|known| extension.eq_ignore_ascii_case(known))
        }
    }
}

fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned())
}

/// Reads one regular file of at most `max_bytes`.
fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, LoadError> {
    // The type is checked before opening because opening a FIFO blocks until a
    // writer appears. (A file swapped for a FIFO between the two calls can still
    // block; closing that needs O_NONBLOCK, which std does not expose portably.)
    let meta = fs::metadata(path).map_err(|error| LoadError::from_io(path, error))?;
    ensure_regular(path, meta.file_type())?;
    if meta.len() > max_bytes {
        return Err(LoadError::TooLarge { path: path.to_path_buf(), size: meta.len(), cap: max_bytes });
    }
    let file = File::open(path).map_err(|error| LoadError::from_io(path, error))?;
    let bytes = read_capped(file, max_bytes, meta.len()).map_err(|error| error.at(path, max_bytes))?;
    // Truncated by another program while being read: what arrived is the front of a
    // file that no longer exists, so it is refused rather than shown as if complete.
    // (A file that grows is fine: it is read to its end at that moment.)
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read < meta.len() {
        return Err(LoadError::Shrank { path: path.to_path_buf(), expected: meta.len(), read });
    }
    Ok(bytes)
}

fn ensure_regular(path: &Path, file_type: FileType) -> Result<(), LoadError> {
    if file_type.is_file() {
        return Ok(());
    }
    Err(LoadError::NotRegular { path: path.to_path_buf(), what: describe(file_type) })
}

fn describe(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() { "a folder" } else { "a special file" }
}

/// A read that stopped short of a document.
#[derive(Debug)]
enum ReadError {
    /// More than the cap arrived; holds how much was read.
    TooLarge(u64),
    Io(io::Error),
}

impl ReadError {
    fn at(self, path: &Path, cap: u64) -> LoadError {
        match self {
            ReadError::TooLarge(size) => LoadError::TooLarge { path: path.to_path_buf(), size, cap },
            ReadError::Io(source) => LoadError::from_io(path, source),
        }
    }
}

/// Reads to the end, but never more than `cap + 1` bytes: metadata can lie (files
/// in `/proc` report 0, files grow while read, stdin has no size at all). `expected`
/// is the size the metadata gave: reserving it up front spares the copies (and the
/// doubled peak memory) of a growing buffer.
fn read_capped(reader: impl Read, cap: u64, expected: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(cap)).unwrap_or(0));
    reader.take(cap.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > cap {
        return Err(ReadError::TooLarge(len));
    }
    Ok(bytes)
}

/// ` (300 MiB)`, or nothing when the size is only known to be over the cap: a capped
/// read stops one byte past it, and "(256 MiB)" after "the 256 MiB cap" would confuse.
fn size_note(size: u64, cap: u64) -> String {
    if size > cap.saturating_add(1) { format!(" ({})", human_size(size)) } else { String::new() }
}

/// `300 MiB`, `1.5 KiB`, `12 bytes`. Rounded up, so a size over a cap never prints as
/// the cap itself.
fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let tenths = bytes.saturating_mul(10).div_ceil(unit);
            return if tenths % 10 == 0 {
                format!("{} {name}", tenths / 10)
            } else {
                format!("{}.{} {name}", tenths / 10, tenths % 10)
            };
        }
    }
    if bytes == 1 { "1 byte".to_owned() } else { format!("{bytes} bytes") }
}

macro_rules! bundled_sample {
    ($name:literal) => {
        ($name, include_bytes!(concat!("../../assets/", $name)).as_slice())
    };
}

/// The sample files shipped inside the binary, so gongbao has something to show when
/// run without arguments.
const BUNDLED: [(&str, &[u8]); 5] = [
    bundled_sample!("000_bdb5e1677ee91c80.txt"),
    bundled_sample!("001_2193c9b2d3e5f70a.txt"),
    bundled_sample!("002_05223ddfc07066bf.txt"),
    bundled_sample!("003_79302bc9a94f92f4.txt"),
    bundled_sample!("004_beff7861e42a5cfd.txt"),
];

/// The name of the bundled sample at place `n` of [`bundled`] (empty past the last).
pub fn bundled_name(n: usize) -> &'static str {
    BUNDLED.get(n).map_or("", |(name, _)| name)
}

/// The bundled samples as documents, in file-name order, with no path.
#[must_use]
pub fn bundled() -> Vec<RawDoc> {
    BUNDLED.iter().map(|(name, bytes)| RawDoc { name: (*name).to_owned(), path: None, bytes: bytes.to_vec() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;
    use std::sync::mpsc;
    use std::time::Duration;

    fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, text).unwrap();
    }

    fn names(loaded: &Loaded) -> Vec<&str> {
        loaded.docs.iter().map(|doc| doc.name.as_str()).collect()
    }

    fn is_root() -> bool {
        if std::env::var("USER").is_ok_and(|user| user == "root") {
            return true;
        }
        Command::new("id").arg("-u").output().is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
    }

    /// A news folder with nesting, hidden entries and files of every kind.
    fn news_folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(&root.join("b_second.txt"), "二");
        write(&root.join("a_first.TXT"), "一");
        write(&root.join("README"), "no extension");
        write(&root.join("notes.Markdown"), "# 标题");
        write(&root.join("photo.png"), "not text");
        write(&root.join("data.json"), "{}");
        write(&root.join(".hidden.txt"), "hidden");
        write(&root.join(".git/config.txt"), "hidden folder");
        write(&root.join("2025/04/c_third.text"), "三");
        write(&root.join("2025/04/scan.pdf"), "%PDF");
        write(&root.join("2025/d_fourth.md"), "四");
        dir
    }

    #[test]
    fn folders_are_walked_recursively_in_file_name_order_without_hidden_entries() {
        let dir = news_folder();
        let loaded = load(&[Input::Path(dir.path().to_path_buf())], DEFAULT_MAX_BYTES);
        assert!(loaded.failures.is_empty(), "{:?}", loaded.failures);
        // Depth first, each folder sorted by byte value: digits, then capitals, then lower case.
        assert_eq!(
            names(&loaded),
            ["c_third.text", "d_fourth.md", "README", "a_first.TXT", "b_second.txt", "notes.Markdown"]
        );
        // photo.png, data.json and scan.pdf; hidden entries are not counted.
        assert_eq!(loaded.skipped, 3);
        let first = &loaded.docs[0];
        assert_eq!(first.bytes, "三".as_bytes());
        assert_eq!(first.path.as_deref(), Some(dir.path().join("2025/04/c_third.text").as_path()));
    }

    #[test]
    fn walking_the_same_folder_twice_gives_the_same_order() {
        let dir = news_folder();
        let inputs = [Input::Path(dir.path().to_path_buf())];
        let first = load(&inputs, DEFAULT_MAX_BYTES);
        let second = load(&inputs, DEFAULT_MAX_BYTES);
        assert_eq!(first.docs, second.docs);
    }

    #[test]
    fn a_file_named_explicitly_is_read_whatever_its_extension_or_hidden_name() {
        let dir = news_folder();
        let inputs = [Input::Path(dir.path().join("photo.png")), Input::Path(dir.path().join(".hidden.txt"))];
        let loaded = load(&inputs, DEFAULT_MAX_BYTES);
        assert_eq!(names(&loaded), ["photo.png", ".hidden.txt"]);
        assert_eq!(loaded.skipped, 0);
    }

    #[test]
    fn a_hidden_folder_named_explicitly_is_walked() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join(".news/today.txt"), "今日");
        let loaded = load(&[Input::Path(dir.path().join(".news"))], DEFAULT_MAX_BYTES);
        assert_eq!(names(&loaded), ["today.txt"]);
    }

    #[test]
    fn a_missing_path_is_reported_and_the_other_inputs_still_load() {
        let dir = news_folder();
        let missing = dir.path().join("gone.txt");
        let inputs = [Input::Path(missing.clone()), Input::Path(dir.path().join("b_second.txt"))];
        let loaded = load(&inputs, DEFAULT_MAX_BYTES);
        assert_eq!(names(&loaded), ["b_second.txt"]);
        assert_eq!(loaded.failures.len(), 1);
        let failure = &loaded.failures[0];
        assert!(matches!(failure, LoadError::NotFound { .. }), "{failure:?}");
        assert_eq!(failure.path(), missing);
        assert_eq!(failure.to_string(), format!("'{}' does not exist; check the path", missing.display()));
    }

    #[test]
    fn a_file_over_the_cap_is_refused_with_both_sizes_in_the_message() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("x.bin");
        write(&big, &"字".repeat(100));
        let loaded = load(&[Input::Path(big.clone())], 64);
        assert!(loaded.docs.is_empty());
        let [LoadError::TooLarge { size, cap, .. }] = loaded.failures.as_slice() else {
            panic!("{:?}", loaded.failures);
        };
        assert_eq!((*size, *cap), (300, 64));
        assert_eq!(
            loaded.failures[0].to_string(),
            format!(
                "'{}' is larger than the 64 bytes input cap (300 bytes); split it or raise --max-size",
                big.display()
            )
        );
        let at_cap = load(&[Input::Path(big)], 300);
        assert_eq!(at_cap.docs.len(), 1, "a file exactly at the cap is read");
    }

    #[test]
    fn the_too_large_message_names_the_path_and_the_sizes_in_mib() {
        let error =
            LoadError::TooLarge { path: PathBuf::from("x.bin"), size: 300 * 1024 * 1024, cap: DEFAULT_MAX_BYTES };
        assert_eq!(
            error.to_string(),
            "'x.bin' is larger than the 256 MiB input cap (300 MiB); split it or raise --max-size"
        );
    }

    #[test]
    fn a_capped_read_stops_one_byte_past_the_cap() {
        let input = vec![b'a'; 1000];
        assert!(matches!(read_capped(input.as_slice(), 10, 0), Err(ReadError::TooLarge(11))));
        assert_eq!(read_capped(input.as_slice(), 1000, 1000).unwrap().len(), 1000);
        let error = ReadError::TooLarge(11).at(Path::new(STDIN_NAME), 10);
        assert_eq!(error.to_string(), "'<stdin>' is larger than the 10 bytes input cap; split it or raise --max-size");
    }

    #[test]
    fn the_shrank_message_names_the_path_both_sizes_and_what_to_do() {
        let error = LoadError::Shrank { path: PathBuf::from("news.txt"), expected: 3 << 20, read: 1536 };
        assert_eq!(
            error.to_string(),
            "'news.txt' shrank from 3 MiB to 1.5 KiB while it was being read; another program is writing it, \
             try again when it is done"
        );
    }

    #[test]
    fn sizes_are_shown_in_readable_units_rounded_up() {
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(1023), "1023 bytes");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(DEFAULT_MAX_BYTES), "256 MiB");
        assert_eq!(human_size(DEFAULT_MAX_BYTES + 1), "256.1 MiB");
        assert_eq!(human_size(3 << 30), "3 GiB");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.txt");
        match Command::new("mkfifo").arg(&fifo).status() {
            Ok(status) if status.success() => {}
            _ => {
                eprintln!("SKIPPED a_fifo_is_refused_without_blocking: mkfifo is not available");
                return;
            }
        }
        write(&dir.path().join("real.txt"), "正文");
        let (sender, receiver) = mpsc::channel();
        let (named, walked) = (fifo.clone(), dir.path().to_path_buf());
        // On a thread, so a regression fails the test instead of hanging the suite.
        std::thread::spawn(move || {
            let loaded = load(&[Input::Path(named), Input::Path(walked)], DEFAULT_MAX_BYTES);
            sender.send(loaded).ok();
        });
        let loaded = receiver.recv_timeout(Duration::from_secs(5)).expect("loading a FIFO blocked");
        assert_eq!(names(&loaded), ["real.txt"]);
        assert_eq!(loaded.failures.len(), 2, "named and walked: {:?}", loaded.failures);
        for failure in &loaded.failures {
            assert!(matches!(failure, LoadError::NotRegular { what: "a FIFO", .. }), "{failure:?}");
        }
        assert_eq!(
            loaded.failures[0].to_string(),
            format!("'{}' is a FIFO, not a regular file; pass a text file or a folder instead", fifo.display())
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_character_device_is_refused() {
        let loaded = load(&[Input::Path(PathBuf::from("/dev/zero"))], DEFAULT_MAX_BYTES);
        if let [LoadError::NotFound { .. }] = loaded.failures.as_slice() {
            eprintln!("SKIPPED a_character_device_is_refused: no /dev/zero here");
            return;
        }
        assert!(loaded.docs.is_empty());
        assert!(matches!(loaded.failures.as_slice(), [LoadError::NotRegular { what: "a character device", .. }]));
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_file_is_reported_as_permission_denied() {
        use std::os::unix::fs::PermissionsExt;
        if is_root() {
            eprintln!(
                "SKIPPED an_unreadable_file_is_reported_as_permission_denied: running as root, \
                 which can read any file"
            );
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked.txt");
        write(&locked, "秘密");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let loaded = load(&[Input::Path(locked.clone())], DEFAULT_MAX_BYTES);
        assert!(matches!(loaded.failures.as_slice(), [LoadError::PermissionDenied { .. }]));
        assert!(loaded.failures[0].to_string().contains("permission denied"));
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o600)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_non_utf8_file_name_is_read_and_named_lossily() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        // 中文.txt in GBK.
        let name = OsStr::from_bytes(b"\xd6\xd0\xce\xc4.txt");
        let path = dir.path().join(name);
        if fs::write(&path, "内容").is_err() {
            eprintln!("SKIPPED a_non_utf8_file_name_is_read_and_named_lossily: filesystem refuses the name");
            return;
        }
        for input in [Input::Path(path.clone()), Input::Path(dir.path().to_path_buf())] {
            let loaded = load(&[input], DEFAULT_MAX_BYTES);
            assert_eq!(names(&loaded), ["\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}.txt"]);
            assert_eq!(loaded.docs[0].path.as_deref(), Some(path.as_path()));
        }
        let error = LoadError::NotFound { path };
        assert!(error.to_string().contains(".txt' does not exist"));
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_folders_are_read_as_files_but_not_walked_as_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("news");
        write(&root.join("a.txt"), "甲");
        write(&dir.path().join("elsewhere/b.txt"), "乙");
        std::os::unix::fs::symlink(dir.path().join("elsewhere/b.txt"), root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), root.join("linked_dir")).unwrap();
        std::os::unix::fs::symlink(&root, root.join("loop")).unwrap();
        let loaded = load(&[Input::Path(root)], DEFAULT_MAX_BYTES);
        assert!(loaded.failures.is_empty(), "{:?}", loaded.failures);
        assert_eq!(names(&loaded), ["a.txt", "link.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_named_link_to_a_folder_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("real/a.txt"), "甲");
        let link = dir.path().join("alias");
        std::os::unix::fs::symlink(dir.path().join("real"), &link).unwrap();
        let loaded = load(&[Input::Path(link)], DEFAULT_MAX_BYTES);
        assert_eq!(names(&loaded), ["a.txt"]);
    }

    #[test]
    fn a_dash_means_standard_input() {
        assert_eq!(Input::from_arg(OsStr::new("-")), Input::Stdin);
        assert_eq!(Input::from_arg(OsStr::new("news.txt")), Input::Path(PathBuf::from("news.txt")));
        assert_eq!(Input::from_arg(OsStr::new("./-")), Input::Path(PathBuf::from("./-")));
    }

    #[test]
    fn only_text_extensions_or_none_are_read_inside_folders() {
        for name in ["a.txt", "a.TXT", "a.text", "a.md", "a.MarkDown", "README", "a."] {
            assert!(has_text_extension(Path::new(name)), "{name}");
        }
        for name in ["a.png", "a.txt.gz", "a.html", "a.json"] {
            assert!(!has_text_extension(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn bundled_returns_the_five_samples_without_paths() {
        let docs = bundled();
        assert_eq!(docs.len(), 5);
        assert_eq!(docs[0].name, "000_bdb5e1677ee91c80.txt");
        assert_eq!(docs[4].name, "004_beff7861e42a5cfd.txt");
        for doc in &docs {
            assert!(doc.path.is_none());
            assert!(doc.bytes.len() > 1000, "{}", doc.name);
            assert!(std::str::from_utf8(&doc.bytes).is_ok(), "{}", doc.name);
        }
    }
}

//! Loading on worker threads, so the reader can show its first frame at once and fill the
//! library as files complete.
//!
//! It sits above [`corpus`](crate::corpus) and [`search`](crate::search): each worker runs the
//! corpus pipeline on a file and builds that file's part of the search index.
//!
//! One thread lists the inputs (walking folders), then workers (one per core) take files in
//! turn, read, decode, clean and segment them, and send each result back with its place in the
//! list. The receiver appends them in list order, so the corpus is the same as a synchronous
//! load gives. Cancelling stops each worker at the next stage of the file it is on
//! (decode, sanitise, clean, segment), and no worker takes another file.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::corpus::load::{self, Input, Item};
use crate::corpus::{Article, ReadOptions, Source, decode_warning, process_unless};
use crate::search::SearchIndex;

/// What the workers report.
#[derive(Debug)]
pub enum Update {
    /// The inputs were listed: this many files to read (and listing problems).
    Listed { files: usize, problems: Vec<String>, skipped: usize },
    /// File `position` of the list is done.
    File { position: usize, bytes: u64, outcome: Outcome },
    /// Every worker has stopped (all done, or cancelled).
    Finished,
}

/// One file's result.
#[derive(Debug)]
pub enum Outcome {
    /// Loaded, with its warnings (undecodable bytes), each one line, and what the search index
    /// keeps of its articles (taken here, on the loading thread, so the reader's thread only
    /// joins it; `None`: whoever appends takes it). Articles' `source_index` is to be set by
    /// whoever appends the source.
    Loaded(Box<Source>, Vec<Article>, Vec<String>, Option<Box<SearchIndex>>),
    /// Skipped, with the reason in one line.
    Failed(String),
    /// Given up half-read because loading was stopped: like the files never read, not loaded
    /// and not an error.
    Stopped,
}

/// A load in progress.
#[derive(Debug)]
pub struct Loading {
    pub updates: Receiver<Update>,
    cancel: Arc<AtomicBool>,
}

impl Loading {
    /// A load whose updates come from `updates` (for tests and other producers).
    pub fn from_channel(updates: Receiver<Update>) -> Loading {
        Loading { updates, cancel: Arc::new(AtomicBool::new(false)) }
    }

    /// Asks the workers to stop after their current file.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// Starts loading `inputs` on `workers` threads (0: one per core), every file read with `options`.
pub fn start(
    inputs: Vec<Input>,
    max_bytes: u64,
    forced: Option<&'static encoding_rs::Encoding>,
    options: ReadOptions,
    workers: usize,
) -> Loading {
    let (tx, rx) = channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&cancel);
    let workers =
        if workers == 0 { std::thread::available_parallelism().map_or(1, std::num::NonZero::get) } else { workers };
    std::thread::spawn(move || coordinate(&inputs, max_bytes, forced, options, workers, &stop, &tx));
    Loading { updates: rx, cancel }
}

fn coordinate(
    inputs: &[Input],
    max_bytes: u64,
    forced: Option<&'static encoding_rs::Encoding>,
    options: ReadOptions,
    workers: usize,
    cancel: &AtomicBool,
    tx: &Sender<Update>,
) {
    let listing = load::list(inputs);
    let problems = listing.failures.iter().map(ToString::to_string).collect();
    let _ = tx.send(Update::Listed { files: listing.items.len(), problems, skipped: listing.skipped });
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for n in 0..workers.max(1) {
            let work = || {
                loop {
                    if cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let position = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = listing.items.get(position) else { break };
                    let (bytes, outcome) = guarded(item, || one(item, max_bytes, forced, options, cancel));
                    if tx.send(Update::File { position, bytes, outcome }).is_err() {
                        break;
                    }
                }
            };
            // Named, so the panic hook can tell a worker's (caught) panic from the reader's.
            if std::thread::Builder::new().name(format!("{WORKER}{n}")).spawn_scoped(scope, work).is_err() {
                break;
            }
        }
    });
    let _ = tx.send(Update::Finished);
}

/// Name prefix of the loading threads.
pub const WORKER: &str = "gongbao-loader-";

/// Runs `f` for `item`, turning a panic (a bug in gongbao, met on some input) into a skipped
/// file with a message, so one bad file never takes the reader down with it.
fn guarded(item: &Item, f: impl FnOnce() -> (u64, Outcome)) -> (u64, Outcome) {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let name = match item {
            Item::Stdin => load::STDIN_NAME.to_string(),
            Item::File(p) => p.display().to_string(),
        };
        (0, Outcome::Failed(format!("'{name}': gongbao failed on this file ({why}); skipped. Please report it")))
    })
}

fn one(
    item: &Item,
    max_bytes: u64,
    forced: Option<&'static encoding_rs::Encoding>,
    options: ReadOptions,
    cancel: &AtomicBool,
) -> (u64, Outcome) {
    // For the terminal tests (TERM-05): a worker that panics while the reader runs. Compiled
    // only with the `testing` feature, which the tests turn on and a release build leaves off.
    #[cfg(feature = "testing")]
    assert!(
        std::env::var_os("GONGBAO_FAULT").is_none_or(|f| f != "worker"),
        "injected fault in a loading thread (GONGBAO_FAULT=worker)"
    );
    let doc = match load::read(item, max_bytes) {
        Ok(doc) => doc,
        Err(e) => return (0, Outcome::Failed(e.to_string())),
    };
    let bytes = doc.bytes.len() as u64;
    // A long file is given up between the stages of reading it, not only after it.
    match process_unless(&doc, forced, 0, options, &|| cancel.load(Ordering::Relaxed)) {
        Ok(None) => (bytes, Outcome::Stopped),
        Ok(Some((source, articles))) => {
            let warnings = decode_warning(&source).iter().map(ToString::to_string).collect();
            let index = SearchIndex::of_articles(&articles, crate::search::folder());
            (bytes, Outcome::Loaded(Box::new(source), articles, warnings, Some(Box::new(index))))
        }
        Err(e) => (bytes, Outcome::Failed(format!("'{}': {e}; skipped", doc.name))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_being_read_when_loading_is_cancelled_is_given_up() {
        let dir = std::env::temp_dir().join(format!("gongbao-cancel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("long.txt");
        std::fs::write(&path, "标题\n\n正文第一段。\n".repeat(1000)).expect("write");
        let item = Item::File(path.clone());
        let (_, read) = one(&item, u64::MAX, None, ReadOptions::default(), &AtomicBool::new(false));
        assert!(matches!(read, Outcome::Loaded(..)), "not cancelled: loaded");
        let (_, stopped) = one(&item, u64::MAX, None, ReadOptions::default(), &AtomicBool::new(true));
        assert!(matches!(stopped, Outcome::Stopped), "cancelled before the end: given up");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_panic_on_one_file_becomes_a_skipped_file() {
        let item = Item::File("bad.txt".into());
        let (bytes, outcome) = guarded(&item, || panic!("index out of bounds"));
        assert_eq!(bytes, 0);
        match outcome {
            Outcome::Failed(m) => assert!(m.contains("bad.txt") && m.contains("index out of bounds"), "{m}"),
            Outcome::Loaded(..) | Outcome::Stopped => panic!("not skipped"),
        }
    }
}

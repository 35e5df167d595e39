//! Loading on worker threads, the one load path: the reader fills its library as files
//! complete, and the commands (`export`, `search`, …) take the same results in list order.
//!
//! It sits above [`corpus`](crate::corpus) and [`search`](crate::search): each worker runs the
//! corpus pipeline on a file and (for the reader) builds that file's part of the search index.
//!
//! One thread lists the inputs (walking folders), then workers (one per core) take files in
//! turn, read, decode, clean and segment them, and send each result back with its place in the
//! list. The receiver appends them in list order ([`Reorder`]), so the corpus is the same as a
//! synchronous load gives. Cancelling stops each worker at the next stage of the file it is on
//! (decode, sanitise, clean, segment), and no worker takes another file.
//!
//! A consumer that writes results out as they come ([`export`]) bounds the load with
//! [`Config::ahead`]: no worker starts a file more than that many places past the first one
//! not yet taken in order, so the results waiting for an earlier file (a large one, say) stay
//! few whatever the size of the whole load.

pub mod export;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use crate::corpus::load::{self, Input, Item};
use crate::corpus::{Article, Corpus, ReadOptions, Source, decode_warning, process_choosing, process_unless};
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
    /// joins it; `None`: not asked for ([`Config::search_index`]), whoever appends takes it).
    /// Articles' `source_index` is to be set by whoever appends the source.
    Loaded(Box<Source>, Vec<Article>, Vec<String>, Option<Box<SearchIndex>>),
    /// Could not be read at all (missing, not a regular file, over the size cap…), with the
    /// reason in one line.
    Unread(String),
    /// Read but skipped (not text, or gongbao failed on it), with the reason in one line.
    Failed(String),
    /// Loaded and written out for an export on the loading thread ([`Config::render`]), which
    /// also frees the articles there.
    Rendered(Box<Result<export::Rendered, export::ExportError>>),
    /// Given up half-read because loading was stopped: like the files never read, not loaded
    /// and not an error.
    Stopped,
}

/// The message for files inside folders passed over for their extension.
pub fn skipped_message(skipped: usize) -> String {
    format!("{skipped} file(s) in folders skipped (only .txt, .text, .md and extensionless files are read)")
}

/// How far the consumer has taken results in list order, for a load bounded by
/// [`Config::ahead`]: workers wait here before starting a file too far ahead.
#[derive(Debug, Default)]
struct Gate {
    /// Files taken in order so far.
    taken: Mutex<usize>,
    moved: Condvar,
}

impl Gate {
    fn advance(&self, taken: usize) {
        let mut t = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        if taken > *t {
            *t = taken;
            self.moved.notify_all();
        }
    }

    /// Whether [`Gate::wait`] for file `position` would have to wait now.
    fn would_wait(&self, position: usize, ahead: usize) -> bool {
        position >= self.taken.lock().unwrap_or_else(PoisonError::into_inner).saturating_add(ahead)
    }

    /// Waits until file `position` is fewer than `ahead` places past the files taken; false
    /// when loading was cancelled meanwhile.
    fn wait(&self, position: usize, ahead: usize, cancel: &AtomicBool) -> bool {
        let mut taken = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        while position >= taken.saturating_add(ahead) && !cancel.load(Ordering::Relaxed) {
            taken = self.moved.wait(taken).unwrap_or_else(PoisonError::into_inner);
        }
        !cancel.load(Ordering::Relaxed)
    }

    fn wake(&self) {
        let _t = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        self.moved.notify_all();
    }
}

/// A load in progress. Dropping it stops the workers after their current file.
#[derive(Debug)]
pub struct Loading {
    pub updates: Receiver<Update>,
    cancel: Arc<AtomicBool>,
    gate: Arc<Gate>,
}

impl Loading {
    /// A load whose updates come from `updates` (for tests and other producers).
    pub fn from_channel(updates: Receiver<Update>) -> Loading {
        Loading { updates, cancel: Arc::new(AtomicBool::new(false)), gate: Arc::default() }
    }

    /// Asks the workers to stop after their current file.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.gate.wake();
    }

    /// The updates with the files in list order: `Listed` first, then each file once every
    /// earlier one has been given, then `Finished` (none when the loading threads vanished).
    /// Taking a file lets a bounded load ([`Config::ahead`]) start the next.
    pub fn in_order(self) -> InOrder {
        InOrder { loading: self, files: Reorder::default(), finished: false, done: false }
    }
}

impl Drop for Loading {
    fn drop(&mut self) {
        // Nobody takes the results any more: the workers need not wait for room.
        self.cancel();
    }
}

/// Results that arrive out of order, given back in order: a file's result waits here until
/// every earlier file's has been taken.
#[derive(Debug)]
pub struct Reorder<T> {
    next: usize,
    waiting: BTreeMap<usize, T>,
}

impl<T> Default for Reorder<T> {
    fn default() -> Self {
        Reorder { next: 0, waiting: BTreeMap::new() }
    }
}

impl<T> Reorder<T> {
    /// The result of file `position` has arrived.
    pub fn insert(&mut self, position: usize, item: T) {
        self.waiting.insert(position, item);
    }

    /// The next result in order, if it has arrived.
    pub fn pop(&mut self) -> Option<(usize, T)> {
        let item = self.waiting.remove(&self.next)?;
        self.next += 1;
        Some((self.next - 1, item))
    }

    /// The first result still waiting, past any gap: after a stop, the files never read leave
    /// gaps, and what arrived after them is still taken, in order.
    pub fn pop_past_gap(&mut self) -> Option<(usize, T)> {
        if self.skip_gap() { self.pop() } else { None }
    }

    /// Moves on to the first result still waiting, past any gap ([`Reorder::pop_past_gap`]);
    /// `false` when none is waiting.
    pub fn skip_gap(&mut self) -> bool {
        let Some((&first, _)) = self.waiting.first_key_value() else { return false };
        self.next = first;
        true
    }

    /// How many results are waiting for an earlier one.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }
}

/// [`Loading::in_order`]'s iterator.
#[derive(Debug)]
pub struct InOrder {
    loading: Loading,
    files: Reorder<(u64, Outcome)>,
    finished: bool,
    done: bool,
}

impl Iterator for InOrder {
    type Item = Update;

    fn next(&mut self) -> Option<Update> {
        loop {
            if self.done {
                return None;
            }
            let ready =
                if self.finished { self.files.pop().or_else(|| self.files.pop_past_gap()) } else { self.files.pop() };
            if let Some((position, (bytes, outcome))) = ready {
                self.loading.gate.advance(position + 1);
                return Some(Update::File { position, bytes, outcome });
            }
            if self.finished {
                self.done = true;
                return Some(Update::Finished);
            }
            match self.loading.updates.recv() {
                Ok(Update::File { position, bytes, outcome }) => self.files.insert(position, (bytes, outcome)),
                Ok(Update::Finished) => self.finished = true,
                Ok(listed @ Update::Listed { .. }) => return Some(listed),
                Err(_) => {
                    // The loading threads are gone without saying they finished.
                    self.done = true;
                    return None;
                }
            }
        }
    }
}

/// The size cap of an input file unless `--max-size` gives another (256 MiB, its default).
pub const DEFAULT_MAX_BYTES: u64 = 256 << 20;

/// Encodings chosen by hand for single files (the reader's `E`), by the file's fingerprint: a
/// load given them ([`Config::chosen`]) reads such a file in its encoding from the start, over
/// detection and over [`Config::forced`], so that nothing has to be read again once it is in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chosen(HashMap<String, &'static encoding_rs::Encoding>);

impl Chosen {
    /// The choices of a state file: fingerprint → encoding label (a label no encoding answers
    /// to, from a hand-edited file, chooses nothing).
    pub fn from_labels<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> Chosen {
        Chosen(
            labels
                .into_iter()
                .filter_map(|(key, label)| encoding_rs::Encoding::for_label(label.as_bytes()).map(|e| (key.clone(), e)))
                .collect(),
        )
    }

    /// The encoding chosen for the file with `fingerprint`; else the one chosen under its
    /// `legacy` fingerprint, where saved state still holds a choice of an earlier build.
    pub fn get(&self, fingerprint: &str, legacy: Option<&str>) -> Option<&'static encoding_rs::Encoding> {
        self.0.get(fingerprint).or_else(|| legacy.and_then(|l| self.0.get(l))).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How a load runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Files larger than this are refused.
    pub max_bytes: u64,
    /// The encoding every file is read in (`None`: detected per file).
    pub forced: Option<&'static encoding_rs::Encoding>,
    /// Encodings chosen for single files, which win over `forced` (`None`: no choices; the
    /// commands never take them, the reader does).
    pub chosen: Option<Arc<Chosen>>,
    pub options: ReadOptions,
    /// Loading threads (0: one per core).
    pub workers: usize,
    /// Whether each file's part of the search index is built on its loading thread.
    pub search_index: bool,
    /// At most this many files are started past the first one not yet taken in order
    /// ([`Loading::in_order`]); `None`: no bound (the reader takes every result at once).
    pub ahead: Option<usize>,
    /// Whether each file is written out for an export on its loading thread
    /// ([`Outcome::Rendered`]) instead of handed over as articles.
    pub render: Option<export::Render>,
}

impl Config {
    /// Every file read with `options`, capped at `max_bytes`, on one thread per core, unbounded,
    /// with the search index: how the reader loads.
    pub fn new(max_bytes: u64, forced: Option<&'static encoding_rs::Encoding>, options: ReadOptions) -> Config {
        Config { max_bytes, forced, chosen: None, options, workers: 0, search_index: true, ahead: None, render: None }
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
    start_with(inputs, Config { workers, ..Config::new(max_bytes, forced, options) })
}

/// Starts loading `inputs` as `config` says.
pub fn start_with(inputs: Vec<Input>, config: Config) -> Loading {
    let (tx, rx) = channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let gate = Arc::new(Gate::default());
    let (stop, room) = (Arc::clone(&cancel), Arc::clone(&gate));
    let workers = if config.workers == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        config.workers
    };
    let config = Config { workers, ..config };
    std::thread::spawn(move || coordinate(&load::list(&inputs), &config, &stop, &room, &tx));
    Loading { updates: rx, cancel, gate }
}

/// Starts reading one file again, as `config` says (the reader's `E` reads the open file in
/// another encoding this way): listed as it was, so a file name is not taken for a folder to
/// walk, and read with the same checks as a load (regular files only, the size cap).
pub fn reread(item: Item, config: Config) -> Loading {
    let (tx, rx) = channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let gate = Arc::new(Gate::default());
    let (stop, room) = (Arc::clone(&cancel), Arc::clone(&gate));
    let config = Config { workers: 1, ..config };
    let listing = load::Listing { items: vec![item], ..load::Listing::default() };
    std::thread::spawn(move || coordinate(&listing, &config, &stop, &room, &tx));
    Loading { updates: rx, cancel, gate }
}

fn coordinate(listing: &load::Listing, config: &Config, cancel: &AtomicBool, gate: &Gate, tx: &Sender<Update>) {
    let problems = listing.failures.iter().map(ToString::to_string).collect();
    let _ = tx.send(Update::Listed { files: listing.items.len(), problems, skipped: listing.skipped });
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for n in 0..config.workers.max(1) {
            let work = || {
                let mut held = Held::new(config.ahead.map_or(1, |_| HELD_IN_ORDER), tx);
                loop {
                    if cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let position = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = listing.items.get(position) else { break };
                    if let Some(ahead) = config.ahead.map(|a| a.max(1)) {
                        // What this worker holds may be what the files taken wait for.
                        if gate.would_wait(position, ahead) && !held.send() {
                            break;
                        }
                        if !gate.wait(position, ahead, cancel) {
                            break;
                        }
                    }
                    // Nor does what it holds wait behind a long file.
                    if held.holds_any() && may_take_long(item) && !held.send() {
                        break;
                    }
                    let (bytes, outcome) = guarded(item, || one(item, config, cancel));
                    if !held.push(Update::File { position, bytes, outcome }) {
                        break;
                    }
                }
                held.send();
            };
            // Named, so the panic hook can tell a worker's (caught) panic from the reader's.
            if std::thread::Builder::new().name(format!("{WORKER}{n}")).spawn_scoped(scope, work).is_err() {
                break;
            }
        }
    });
    let _ = tx.send(Update::Finished);
}

/// Files a worker holds before sending them on together when they are taken in order
/// ([`Config::ahead`]). Each send to a receiver that waits wakes it, and the writing thread of an
/// export waited after almost every file: a switch of threads per file, which on a virtual
/// machine cost about 5% of an export of news pages (perf, 8,700 files of 12 KB). Sent
/// together, the files wake it once. The reader, which shows each file as it comes, is sent
/// each at once.
const HELD_IN_ORDER: usize = 8;

/// Whether reading `item` may take long enough that the files a worker holds should be sent
/// first (standard input, whose size is unknown, or a file over [`LONG_FILE_BYTES`]): the
/// writing thread would wait for them, and the other workers for it.
fn may_take_long(item: &Item) -> bool {
    match item {
        Item::Stdin => true,
        Item::File(path) => std::fs::metadata(path).map_or(true, |m| m.len() > LONG_FILE_BYTES),
        Item::Bundled(_) => false,
    }
}

/// A file that takes a core several milliseconds or more to read (news pages go at 35 to
/// 45 MB/s a core, `cargo run --release --example bench`).
const LONG_FILE_BYTES: u64 = 256 << 10;

/// Updates a worker has not sent yet, sent when there are `room` of them.
struct Held<'a> {
    updates: Vec<Update>,
    room: usize,
    tx: &'a Sender<Update>,
}

impl<'a> Held<'a> {
    fn new(room: usize, tx: &'a Sender<Update>) -> Self {
        Held { updates: Vec::with_capacity(room), room, tx }
    }

    /// Holds `update`, sending what is held once it is full; false when no one receives.
    fn push(&mut self, update: Update) -> bool {
        self.updates.push(update);
        self.updates.len() < self.room || self.send()
    }

    fn holds_any(&self) -> bool {
        !self.updates.is_empty()
    }

    /// Sends what is held; false when no one receives.
    fn send(&mut self) -> bool {
        self.updates.drain(..).all(|u| self.tx.send(u).is_ok())
    }
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
            Item::Bundled(n) => load::bundled_name(*n).to_string(),
        };
        (0, Outcome::Failed(format!("'{name}': gongbao failed on this file ({why}); skipped. Please report it")))
    })
}

fn one(item: &Item, config: &Config, cancel: &AtomicBool) -> (u64, Outcome) {
    // For the terminal tests (TERM-05): a worker that panics while the reader runs. Compiled
    // only with the `testing` feature, which the tests turn on and a release build leaves off.
    #[cfg(feature = "testing")]
    assert!(
        std::env::var_os("GONGBAO_FAULT").is_none_or(|f| f != "worker"),
        "injected fault in a loading thread (GONGBAO_FAULT=worker)"
    );
    let doc = match load::read(item, config.max_bytes) {
        Ok(doc) => doc,
        Err(e) => return (0, Outcome::Unread(e.to_string())),
    };
    let bytes = doc.bytes.len() as u64;
    if config.render.is_some_and(|how| how.form == export::Form::Explain) {
        return match export::explain(&doc) {
            Ok(explained) => (bytes, Outcome::Rendered(Box::new(Ok(explained)))),
            Err(e) => (bytes, Outcome::Failed(failed(&doc.name, e))),
        };
    }
    // A long file is given up between the stages of reading it, not only after it.
    let stop = || cancel.load(Ordering::Relaxed);
    // An encoding chosen for this file by hand, found by its fingerprint once it is read.
    let chosen = std::cell::Cell::new(None);
    let choose = |fingerprint: &str, legacy: Option<&str>| {
        chosen.set(config.chosen.as_ref().and_then(|c| c.get(fingerprint, legacy)));
        chosen.get().or(config.forced)
    };
    let mut read = process_choosing(&doc, &choose, 0, config.options, &stop);
    let mut unchosen = None;
    if let (Err(e), Some(encoding)) = (&read, chosen.get()) {
        // The bytes were text in it when it was chosen, so this hardly happens; the file is
        // then read like the others, and the message says why the choice did not hold.
        unchosen = Some(format!("{}: as {}: {e}", doc.name, encoding.name()));
        read = process_unless(&doc, config.forced, 0, config.options, &stop);
    }
    match read {
        Ok(None) => (bytes, Outcome::Stopped),
        Ok(Some((source, articles))) => {
            let warnings =
                unchosen.into_iter().chain(decode_warning(&source).iter().map(ToString::to_string)).collect();
            if let Some(how) = config.render {
                return (bytes, Outcome::Rendered(Box::new(export::render(&source, articles, warnings, how))));
            }
            let index =
                config.search_index.then(|| Box::new(SearchIndex::of_articles(&articles, crate::search::folder())));
            (bytes, Outcome::Loaded(Box::new(source), articles, warnings, index))
        }
        Err(e) => (bytes, Outcome::Failed(failed(&doc.name, e))),
    }
}

/// The message of a file read but skipped: its name, why, and that it was skipped.
fn failed(name: &str, why: impl std::fmt::Display) -> String {
    format!("'{name}': {why}; skipped")
}

/// Why a file was skipped, from its [`Outcome::Failed`] message: the message without the name
/// and the "skipped" around it (the reader's `E` words it its own way); the whole message when
/// it has another form.
pub fn failure_reason(message: &str) -> &str {
    message
        .strip_suffix("; skipped")
        .and_then(|m| m.strip_prefix('\''))
        .and_then(|m| m.split_once("': "))
        .map_or(message, |(_, why)| why)
}

/// The skipped inputs of a load, each one line, grouped as the commands report them: what
/// could not be listed, then what could not be read, then what was read but skipped, each
/// group in list order.
#[derive(Debug, Default)]
pub struct Failures {
    listing: Vec<String>,
    unread: Vec<String>,
    failed: Vec<String>,
}

impl Failures {
    /// Records a file's outcome if it is a failure; true if it was.
    fn note(&mut self, outcome: &mut Outcome) -> bool {
        match outcome {
            Outcome::Unread(m) => self.unread.push(std::mem::take(m)),
            Outcome::Failed(m) => self.failed.push(std::mem::take(m)),
            Outcome::Loaded(..) | Outcome::Rendered(_) | Outcome::Stopped => return false,
        }
        true
    }

    /// The loading threads vanished before they said they were done.
    fn ended_early(&mut self) {
        self.failed.push("loading ended early: the loading threads stopped".into());
    }

    pub fn is_empty(&self) -> bool {
        self.listing.is_empty() && self.unread.is_empty() && self.failed.is_empty()
    }

    /// Every failure, in the order they are reported.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.listing.iter().chain(&self.unread).chain(&self.failed).map(String::as_str)
    }
}

/// A whole load gathered into one corpus, for the commands that need every article at once.
#[derive(Debug, Default)]
pub struct Gathered {
    pub corpus: Corpus,
    /// Files in folders passed over for their extension.
    pub skipped: usize,
    /// Each loaded file's warnings, in list order.
    pub warnings: Vec<String>,
    pub failures: Failures,
}

/// Waits for `loading` to finish and gathers its files, in list order, into a corpus (each
/// article's `source_index` set), with what went wrong.
pub fn gather(loading: Loading) -> Gathered {
    let mut gathered = Gathered::default();
    let mut finished = false;
    for update in loading.in_order() {
        match update {
            Update::Listed { problems, skipped, .. } => {
                gathered.failures.listing = problems;
                gathered.skipped = skipped;
            }
            Update::File { mut outcome, .. } => {
                if gathered.failures.note(&mut outcome) {
                    continue;
                }
                if let Outcome::Loaded(source, mut articles, warnings, _) = outcome {
                    let index = gathered.corpus.sources.len();
                    for a in &mut articles {
                        a.source_index = index;
                    }
                    gathered.corpus.sources.push(*source);
                    gathered.corpus.articles.extend(articles);
                    gathered.warnings.extend(warnings);
                }
            }
            Update::Finished => finished = true,
        }
    }
    if !finished {
        gathered.failures.ended_early();
    }
    gathered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config { workers: 1, ..Config::new(u64::MAX, None, ReadOptions::default()) }
    }

    #[test]
    fn a_file_being_read_when_loading_is_cancelled_is_given_up() {
        let dir = std::env::temp_dir().join(format!("gongbao-cancel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("long.txt");
        std::fs::write(&path, "标题\n\n正文第一段。\n".repeat(1000)).expect("write");
        let item = Item::File(path.clone());
        let (_, read) = one(&item, &config(), &AtomicBool::new(false));
        assert!(matches!(read, Outcome::Loaded(..)), "not cancelled: loaded");
        let (_, stopped) = one(&item, &config(), &AtomicBool::new(true));
        assert!(matches!(stopped, Outcome::Stopped), "cancelled before the end: given up");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_reason_a_file_was_skipped_comes_back_out_of_its_message() {
        let message = failed("新闻.txt", "not text: 12% control bytes");
        assert_eq!(message, "'新闻.txt': not text: 12% control bytes; skipped");
        assert_eq!(failure_reason(&message), "not text: 12% control bytes");
        // Another form is given whole.
        assert_eq!(failure_reason("the loading thread stopped"), "the loading thread stopped");
    }

    #[test]
    fn reading_a_file_again_goes_through_the_loaders_checks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("news.txt");
        std::fs::write(&path, encoding_rs::BIG5.encode("# 標題\n\n正文。\n").0).expect("write");
        let outcome = |max_bytes, forced| {
            let loading = reread(Item::File(path.clone()), Config { max_bytes, forced, ..config() });
            loading.in_order().find_map(|u| if let Update::File { outcome, .. } = u { Some(outcome) } else { None })
        };
        match outcome(u64::MAX, Some(encoding_rs::BIG5)) {
            Some(Outcome::Loaded(source, articles, _, index)) => {
                assert_eq!((source.name.as_str(), source.encoding.as_str()), ("news.txt", "Big5"));
                assert!(!articles.is_empty() && index.is_some(), "articles and their index");
            }
            other => panic!("not loaded: {other:?}"),
        }
        // The size cap applies.
        assert!(matches!(outcome(4, None), Some(Outcome::Unread(m)) if m.contains("larger")));
    }

    #[test]
    fn a_file_with_an_encoding_chosen_is_read_in_it_at_once_found_by_either_fingerprint() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("news.txt");
        let bytes = encoding_rs::BIG5.encode("# 各方歡迎\n\n各方歡迎中國—中亞秘書處啟動全面運營。\n").0.into_owned();
        std::fs::write(&path, &bytes).expect("write");
        let item = Item::File(path);
        let read = |config: &Config| match one(&item, config, &AtomicBool::new(false)).1 {
            Outcome::Loaded(source, articles, warnings, _) => (source, articles, warnings),
            other => panic!("not loaded: {other:?}"),
        };
        let title = |articles: &[Article]| articles[0].title.clone().unwrap_or_default();
        // Detection can only guess (a guess is shown as one); a choice is certain.
        let (detected, _, _) = read(&config());
        assert!(detected.guessed, "{detected:?}");
        let big5 = |key: String| {
            let chosen = Chosen::from_labels([(&key, &"Big5".to_string())]);
            Config { chosen: Some(Arc::new(chosen)), ..config() }
        };
        let (source, articles, warnings) = read(&big5(crate::corpus::fingerprint(&bytes)));
        assert_eq!((source.encoding.as_str(), source.guessed), ("Big5", false), "chosen, not guessed");
        assert_eq!(title(&articles), "各方歡迎");
        assert!(warnings.is_empty(), "{warnings:?}");
        // Over --encoding too, as the reader's choices always were.
        let gbk = Some(encoding_rs::GBK);
        assert_eq!(read(&Config { forced: gbk, ..config() }).0.encoding, "GBK");
        let forced = Config { forced: gbk, ..big5(crate::corpus::fingerprint(&bytes)) };
        assert_eq!(read(&forced).0.encoding, "Big5");
        // Under an old fingerprint: found when the load takes those, not otherwise.
        let legacy = big5(crate::corpus::legacy_fingerprint(&bytes));
        assert!(read(&legacy).0.guessed, "not found");
        let legacy = Config { options: ReadOptions { legacy_fingerprints: true }, ..legacy };
        assert_eq!((read(&legacy).0.encoding.as_str(), read(&legacy).0.guessed), ("Big5", false));
    }

    #[test]
    fn a_chosen_encoding_the_bytes_are_no_text_in_leaves_the_file_detected_and_says_so() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("news.txt");
        let bytes = encoding_rs::GBK.encode(&"中国—中亚外长举行第六次会晤。\n".repeat(8)).0.into_owned();
        std::fs::write(&path, &bytes).expect("write");
        let chosen = Chosen::from_labels([(&crate::corpus::fingerprint(&bytes), &"UTF-8".to_string())]);
        let config = Config { chosen: Some(Arc::new(chosen)), ..config() };
        match one(&Item::File(path), &config, &AtomicBool::new(false)).1 {
            Outcome::Loaded(source, _, warnings, _) => {
                assert_eq!(source.encoding, "GBK");
                assert!(warnings.first().is_some_and(|w| w.starts_with("news.txt: as UTF-8: ")), "{warnings:?}");
            }
            other => panic!("not loaded: {other:?}"),
        }
    }

    #[test]
    fn a_panic_on_one_file_becomes_a_skipped_file() {
        let item = Item::File("bad.txt".into());
        let (bytes, outcome) = guarded(&item, || panic!("index out of bounds"));
        assert_eq!(bytes, 0);
        match outcome {
            Outcome::Failed(m) => assert!(m.contains("bad.txt") && m.contains("index out of bounds"), "{m}"),
            Outcome::Loaded(..) | Outcome::Rendered(_) | Outcome::Unread(_) | Outcome::Stopped => panic!("not skipped"),
        }
    }

    #[test]
    fn the_search_index_is_built_only_when_asked() {
        let item = Item::Bundled(0);
        let (_, with) = one(&item, &config(), &AtomicBool::new(false));
        assert!(matches!(with, Outcome::Loaded(_, _, _, Some(_))));
        let (_, without) = one(&item, &Config { search_index: false, ..config() }, &AtomicBool::new(false));
        assert!(matches!(without, Outcome::Loaded(_, _, _, None)));
    }

    #[test]
    fn results_arriving_out_of_order_are_given_back_in_order() {
        let mut r = Reorder::default();
        r.insert(2, 'c');
        r.insert(1, 'b');
        assert_eq!(r.pop(), None, "the first has not arrived");
        assert_eq!(r.waiting(), 2);
        r.insert(0, 'a');
        assert_eq!(r.pop(), Some((0, 'a')));
        assert_eq!(r.pop(), Some((1, 'b')));
        assert_eq!(r.pop(), Some((2, 'c')));
        assert_eq!(r.pop(), None);
        r.insert(4, 'e');
        assert_eq!(r.pop(), None, "3 never came");
        assert_eq!(r.pop_past_gap(), Some((4, 'e')), "after a stop, taken past the gap");
        r.insert(5, 'f');
        assert_eq!(r.pop(), Some((5, 'f')), "and in order after it");
        assert_eq!(r.waiting(), 0);
        assert!(!r.skip_gap(), "nothing waiting: nothing to skip to");
        r.insert(8, 'i');
        assert!(r.skip_gap());
        assert_eq!(r.pop(), Some((8, 'i')), "skipping a gap moves on to the first still waiting");
    }

    #[test]
    fn in_order_gives_the_files_in_list_order_whatever_order_they_finish_in() {
        let (tx, rx) = channel();
        for update in [
            Update::Listed { files: 3, problems: vec!["'x': gone".into()], skipped: 0 },
            Update::File { position: 2, bytes: 3, outcome: Outcome::Failed("two".into()) },
            Update::File { position: 0, bytes: 1, outcome: Outcome::Unread("zero".into()) },
            Update::File { position: 1, bytes: 2, outcome: Outcome::Stopped },
            Update::Finished,
        ] {
            tx.send(update).expect("send");
        }
        let seen: Vec<String> = Loading::from_channel(rx)
            .in_order()
            .map(|u| match u {
                Update::Listed { files, .. } => format!("listed {files}"),
                Update::File { position, bytes, .. } => format!("{position}:{bytes}"),
                Update::Finished => "finished".into(),
            })
            .collect();
        assert_eq!(seen, ["listed 3", "0:1", "1:2", "2:3", "finished"]);
    }

    #[test]
    fn a_bounded_load_starts_no_file_too_far_past_those_taken() {
        let gate = Gate::default();
        let cancel = AtomicBool::new(false);
        // Nothing taken yet: files 0 and 1 may start with room for 2, file 2 must wait.
        assert!(gate.wait(1, 2, &cancel));
        let waiting = std::sync::atomic::AtomicBool::new(true);
        std::thread::scope(|s| {
            let worker = s.spawn(|| {
                let started = gate.wait(2, 2, &cancel);
                waiting.store(false, Ordering::SeqCst);
                started
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(waiting.load(Ordering::SeqCst), "file 2 started with files 0 and 1 still to be taken");
            gate.advance(1);
            assert!(worker.join().expect("worker"), "room once file 0 is taken");
        });
        // A cancelled load lets a waiting worker go, without starting the file.
        std::thread::scope(|s| {
            let worker = s.spawn(|| gate.wait(10, 2, &cancel));
            std::thread::sleep(std::time::Duration::from_millis(20));
            cancel.store(true, Ordering::Relaxed);
            gate.wake();
            assert!(!worker.join().expect("worker"));
        });
    }

    #[test]
    fn a_worker_sends_the_files_it_holds_together_when_its_room_is_full() {
        let (tx, rx) = channel();
        let mut held = Held::new(3, &tx);
        let file = |position| Update::File { position, bytes: 0, outcome: Outcome::Stopped };
        assert!(held.push(file(0)) && held.push(file(1)));
        assert!(rx.try_recv().is_err(), "two of three held back");
        assert!(held.push(file(2)));
        let sent: Vec<usize> = rx
            .try_iter()
            .filter_map(|u| if let Update::File { position, .. } = u { Some(position) } else { None })
            .collect();
        assert_eq!(sent, [0, 1, 2]);
        assert!(held.push(file(3)) && held.send() && !held.holds_any());
        drop(rx);
        assert!(!held.push(file(4)) || !held.send(), "no one receives");
    }

    #[test]
    fn only_a_large_file_or_standard_input_may_take_long() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (small, large) = (dir.path().join("small.txt"), dir.path().join("large.txt"));
        std::fs::write(&small, "短").expect("write");
        std::fs::write(&large, vec![b'a'; usize::try_from(LONG_FILE_BYTES).expect("small") + 1]).expect("write");
        assert!(!may_take_long(&Item::File(small)));
        assert!(may_take_long(&Item::File(large)));
        assert!(may_take_long(&Item::File(dir.path().join("gone.txt"))), "unknown size");
        assert!(may_take_long(&Item::Stdin));
        assert!(!may_take_long(&Item::Bundled(0)));
    }

    #[test]
    fn an_ordered_load_with_less_room_than_a_worker_holds_still_gives_every_file_in_order() {
        // Room for 3 files past those taken, less than the 8 a worker holds: a worker has to send
        // what it holds before it waits, or the load would stop with files held.
        let dir = tempfile::tempdir().expect("temp dir");
        for i in 0..40 {
            std::fs::write(dir.path().join(format!("{i:02}.txt")), format!("# 第{i}篇\n\n正文。\n")).expect("write");
        }
        for workers in [1, 2, 3] {
            let load = start_with(
                vec![Input::Path(dir.path().to_path_buf())],
                Config { workers, search_index: false, ahead: Some(3), ..config() },
            );
            let positions: Vec<usize> = load
                .in_order()
                .filter_map(|u| if let Update::File { position, .. } = u { Some(position) } else { None })
                .collect();
            assert_eq!(positions, (0..40).collect::<Vec<_>>(), "{workers} workers");
        }
    }

    #[test]
    fn gathering_a_load_keeps_list_order_and_groups_the_failures() {
        let dir = tempfile::tempdir().expect("temp dir");
        let news = "# 标题\n\n本报北京3月1日电 正文第一段。\n\n正文第二段。\n";
        std::fs::write(dir.path().join("a.txt"), "# 甲文\n\n正文。\n").expect("write");
        std::fs::write(dir.path().join("b.txt"), "").expect("write");
        std::fs::write(dir.path().join("c.txt"), news).expect("write");
        let inputs = vec![
            Input::Path(dir.path().join("gone.txt")),
            Input::Path(dir.path().to_path_buf()),
            Input::Path(dir.path().join("also-gone.txt")),
        ];
        let g = gather(start_with(inputs, Config { workers: 2, search_index: false, ahead: Some(1), ..config() }));
        let names: Vec<&str> = g.corpus.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a.txt", "c.txt"]);
        for a in &g.corpus.articles {
            assert_eq!(g.corpus.sources[a.source_index].name, a.source);
        }
        let failures: Vec<&str> = g.failures.lines().collect();
        assert_eq!(failures.len(), 3, "{failures:?}");
        assert!(failures[0].contains("gone.txt") && failures[1].contains("also-gone.txt"), "{failures:?}");
        assert!(failures[2].contains("b.txt") && failures[2].contains("empty"), "{failures:?}");
    }
}

//! The reader while files are still loading: results from the workers appended in list order,
//! progress for the status line, `Esc` to stop, problems gathered for the messages view.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use super::App;
use crate::loader::{Loading, Outcome, Reorder, Update};
use crate::search::{SearchIndex, folder};

/// A load in progress and how far it got.
#[derive(Debug)]
pub struct LoadState {
    loading: Loading,
    /// Files to read, once listed.
    pub files: Option<usize>,
    /// Files done (loaded or skipped).
    pub done: usize,
    pub bytes: u64,
    pub started: Instant,
    /// Results that arrived before an earlier file's: appended when their turn comes.
    pending: Reorder<Outcome>,
    /// `Esc` was pressed: the workers finish their current file and stop.
    pub stopping: bool,
    /// The last tick ran out of time with results still waiting: the loop should come back
    /// at once rather than wait for a key.
    backlog: bool,
    /// Every file is in: versions are being linked on a thread of their own (over a large
    /// archive that takes a second or more, which the reader should not freeze for).
    linking: Option<Receiver<Vec<Vec<usize>>>>,
}

/// How long one tick may spend appending results, so keys stay answered.
const TICK_BUDGET: Duration = Duration::from_millis(25);

impl App {
    /// Shows files as `loading` delivers them.
    pub fn start_loading(&mut self, loading: Loading) {
        self.loading = Some(LoadState {
            loading,
            files: None,
            done: 0,
            bytes: 0,
            started: Instant::now(),
            pending: Reorder::default(),
            stopping: false,
            backlog: false,
            linking: None,
        });
    }

    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Whether work on other threads is under way (files loading, or one read again with
    /// `E`): the event loop then ticks ([`Action::Tick`](super::Action::Tick)) to take its results.
    pub fn is_busy(&self) -> bool {
        self.is_loading() || self.is_rereading()
    }

    /// Whether results are waiting to be appended (the last tick used all its time): the
    /// event loop then ticks again at once, so a fast load is not held back by the wait for
    /// keys between ticks.
    pub fn loading_backlog(&self) -> bool {
        self.loading.as_ref().is_some_and(|state| state.backlog)
    }

    /// Takes what the workers delivered (for at most [`TICK_BUDGET`]).
    pub(super) fn tick(&mut self) {
        if let Some(linking) = self.loading.as_ref().and_then(|state| state.linking.as_ref()) {
            match linking.try_recv() {
                Ok(versions) => self.versions = versions,
                Err(TryRecvError::Empty) => return,
                // The linking thread is gone: no versions, the rest works.
                Err(TryRecvError::Disconnected) => self.versions = vec![Vec::new(); self.corpus.articles.len()],
            }
            self.complete_loading();
            return;
        }
        let start = Instant::now();
        let mut finished = false;
        let mut drained = false;
        while start.elapsed() < TICK_BUDGET {
            let Some(state) = &mut self.loading else { return };
            let update = match state.loading.updates.try_recv() {
                Ok(update) => update,
                Err(TryRecvError::Empty) => {
                    drained = true;
                    break;
                }
                // The loading threads are gone without saying they finished.
                Err(TryRecvError::Disconnected) => {
                    self.messages.push("loading ended early: the loading threads stopped".into());
                    self.inputs_skipped += 1;
                    finished = true;
                    break;
                }
            };
            match update {
                Update::Listed { files, problems, skipped } => {
                    state.files = Some(files);
                    self.inputs_skipped += problems.len();
                    self.messages.extend(problems);
                    if skipped > 0 {
                        self.messages.push(crate::loader::skipped_message(skipped));
                    }
                }
                Update::File { position, bytes, outcome } => {
                    state.done += 1;
                    state.bytes += bytes;
                    state.pending.insert(position, outcome);
                    self.append_ready();
                }
                Update::Finished => {
                    finished = true;
                    break;
                }
            }
        }
        if let Some(state) = &mut self.loading {
            state.backlog = !drained && !finished;
        }
        if finished {
            self.finish_loading();
        }
    }

    /// Appends the results that are next in list order.
    fn append_ready(&mut self) {
        let first_new = self.corpus.articles.len();
        let first_source = self.corpus.sources.len();
        let was_empty = self.corpus.articles.is_empty();
        while let Some(state) = &mut self.loading {
            let Some((_, outcome)) = state.pending.pop() else { break };
            match outcome {
                Outcome::Loaded(source, mut articles, warnings, part) => {
                    let index = self.corpus.sources.len();
                    for a in &mut articles {
                        a.source_index = index;
                    }
                    // Nothing else holds the index while files are appended, so this never
                    // copies it.
                    let search = Arc::make_mut(&mut self.index);
                    match part {
                        Some(part) => search.extend(&part),
                        None => search.extend(&SearchIndex::of_articles(&articles, folder())),
                    }
                    self.corpus.sources.push(*source);
                    self.corpus.articles.extend(articles);
                    self.messages.extend(warnings);
                }
                Outcome::Failed(message) | Outcome::Unread(message) => {
                    self.inputs_skipped += 1;
                    self.messages.push(message);
                }
                // Stopped by the reader (Esc while loading): left out like the files not read.
                // (Files written out for an export come only when an export asks.)
                Outcome::Stopped | Outcome::Rendered(_) => {}
            }
        }
        if self.corpus.sources.len() > first_source {
            self.adopt_legacy_encodings_from(first_source);
            self.extend_library(first_source, first_new);
        }
        if self.corpus.articles.len() > first_new && was_empty {
            self.open_article(0);
        }
        if self.corpus.articles.len() > first_new {
            self.resume_from(first_new);
        }
    }

    /// `Esc` while loading: keep what is loaded, stop the rest.
    pub(super) fn stop_loading(&mut self) {
        if let Some(state) = &mut self.loading {
            state.loading.cancel();
            state.stopping = true;
            self.status = Some("stopping: keeping what is loaded".into());
        }
    }

    fn finish_loading(&mut self) {
        // After a stop, files that arrived after a gap (an earlier file was never read) are
        // appended too, in order.
        while let Some(state) = &mut self.loading {
            if !state.pending.skip_gap() {
                break;
            }
            self.append_ready();
        }
        // Versions are linked on a thread of their own; the load ends when they arrive.
        let (index, n) = (Arc::clone(&self.index), self.corpus.articles.len());
        let (tx, rx) = std::sync::mpsc::channel();
        let versions = move |index: &crate::search::SearchIndex| {
            crate::versions::by_article(&crate::versions::link_articles(index, n), n)
        };
        let spawned = std::thread::Builder::new().name("gongbao-versions".into()).spawn(move || {
            let _ = tx.send(versions(&index));
        });
        if let (Ok(_), Some(state)) = (spawned, &mut self.loading) {
            state.linking = Some(rx);
            state.backlog = false;
        } else {
            self.versions = versions(&self.index);
            self.complete_loading();
        }
    }

    /// The end of a load, once versions are linked: bookmarks placed, and what happened said
    /// in the status line. (Chosen encodings were applied as each file was read.)
    fn complete_loading(&mut self) {
        let Some(state) = self.loading.take() else { return };
        // Everything is in: a session whose article never came is forgotten.
        self.resume_from(self.corpus.articles.len());
        self.resolve_bookmarks();
        let secs = state.started.elapsed().as_secs_f64();
        let files = state.files.unwrap_or(state.done);
        let what = if state.stopping && state.done < files {
            format!("stopped: {} of {files} files loaded", self.corpus.sources.len())
        } else {
            format!("loaded {} file(s), {} articles", self.corpus.sources.len(), self.corpus.articles.len())
        };
        let problems = if self.messages.is_empty() {
            String::new()
        } else {
            format!("; {} message(s): M shows them", self.messages.len())
        };
        self.status = Some(format!("{what} in {secs:.1} s ({:.0} MB){problems}", state.bytes as f64 / 1e6));
        if self.corpus.articles.is_empty() {
            self.status = Some(format!("nothing could be loaded{problems}"));
        }
    }

    /// The status line's progress: files and MB done, the rate, and how to stop.
    pub fn progress(&self) -> Option<String> {
        let Some(state) = self.loading.as_ref() else { return self.rereading_progress().map(|(what, _)| what) };
        let secs = state.started.elapsed().as_secs_f64().max(1e-3);
        let mb = state.bytes as f64 / 1e6;
        let files = state.files.map_or("?".to_string(), |f| f.to_string());
        if state.linking.is_some() {
            return Some(format!("linking versions of the {} files loaded ({mb:.0} MB)", state.done));
        }
        let verb = if state.stopping { "stopping" } else { "loading" };
        Some(format!("{verb} {}/{files} files · {mb:.0} MB · {:.0} MB/s · Esc stops", state.done, mb / secs))
    }

    /// Share of the files done, 0..=1, for the progress bar.
    pub fn progress_ratio(&self) -> Option<f64> {
        let Some(state) = self.loading.as_ref() else { return self.rereading_progress().map(|(_, ratio)| ratio) };
        Some(state.files.map_or(0.0, |f| if f == 0 { 1.0 } else { state.done as f64 / f as f64 }))
    }
}

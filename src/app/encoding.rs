//! Choosing a file's encoding by hand (ENC-08, ENC-10). Detection can only guess between
//! encodings that read the same bytes differently (GBK and Big5 above all), so `E` decodes the
//! open article's file again as the next encoding of [`CYCLE`], and the choice is remembered by
//! the file's content fingerprint in the state file: the next run, or the same bytes under
//! another name, opens it the same way. A choice applies the encoding without BOM handling's
//! say: a UTF-8 BOM glued onto a Big5 body no longer wins.
//!
//! The file is read again by the loader ([`crate::loader::reread`]), with a load's checks
//! (regular files only, the size cap), on the loader's thread; its search index and the
//! version links are then made on a thread of their own, and the reader takes the new text
//! in one step once both have arrived ([`App::tick_rereading`]). Meanwhile the reader goes on
//! with the old text and the status line says what is being read.
//!
//! Choices remembered from earlier runs are not applied here: the reader's load is given them
//! ([`crate::loader::Chosen`]), and each worker reads such a file in its chosen encoding
//! straight away, so nothing is read twice or indexed again once the files are in.

use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use encoding_rs::{BIG5, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

use super::App;
use crate::corpus::{Article, ReadOptions, Source, load};
use crate::loader::{self, Loading, Outcome, Update};
use crate::search::SearchIndex;

/// The encodings `E` steps through, then back to detection.
pub const CYCLE: [&Encoding; 5] = [UTF_8, GB18030, BIG5, UTF_16LE, UTF_16BE];

/// Where in [`CYCLE`] an encoding sits (GBK is read as its superset GB18030).
fn position(encoding: &'static Encoding) -> Option<usize> {
    let encoding = if encoding == encoding_rs::GBK { GB18030 } else { encoding };
    CYCLE.iter().position(|&e| e == encoding)
}

/// The choice after `chosen` for a file detection read as `detected`: from detection, the
/// first encoding of the cycle that reads it differently; then each in turn; after the last,
/// detection again (`None`). Every encoding is offered once per round.
pub fn next_choice(chosen: Option<&'static Encoding>, detected: &'static Encoding) -> Option<&'static Encoding> {
    match chosen {
        Some(e) => position(e).and_then(|i| CYCLE.get(i + 1).copied()),
        None => Some(if position(detected) == Some(0) { CYCLE[1] } else { CYCLE[0] }),
    }
}

/// The name of an encoding tried, or of detection.
fn label(forced: Option<&'static Encoding>) -> &'static str {
    forced.map_or("detected", Encoding::name)
}

/// A file read again: its source, articles, and their search index.
type Reread = (Box<Source>, Vec<Article>, Option<Box<SearchIndex>>);

/// `E` under way: the open file being read again.
#[derive(Debug)]
pub struct Rereading {
    /// The source read again, and its name.
    source: usize,
    name: String,
    /// The encoding being tried (`None`: detection).
    trying: Option<&'static Encoding>,
    /// The encodings tried before it that the bytes are not text in.
    skipped: Vec<&'static str>,
    stage: Stage,
}

/// Where a [`Rereading`] is.
#[derive(Debug)]
enum Stage {
    /// The loader reads the file.
    Reading(Loading),
    /// Read: the new source and articles wait for the search index and versions made with
    /// them, on a thread of their own.
    Linking {
        source: Box<Source>,
        articles: Vec<Article>,
        /// The articles of the corpus they replace.
        range: Range<usize>,
        derived: Receiver<(SearchIndex, Vec<Vec<usize>>)>,
    },
}

/// The search index with the articles of `range` replaced by those `part` indexes, and the
/// versions linked over it: what the reader needs of a file read again besides its articles.
fn derive(
    index: &SearchIndex,
    range: Range<usize>,
    part: &SearchIndex,
    articles: usize,
) -> (SearchIndex, Vec<Vec<usize>>) {
    let index = index.splice(range, part);
    let versions = crate::versions::by_article(&crate::versions::link_articles(&index, articles), articles);
    (index, versions)
}

impl App {
    /// The encoding chosen by hand for source `s`, if any.
    pub fn chosen_encoding(&self, s: usize) -> Option<&'static Encoding> {
        let source = self.corpus.sources.get(s)?;
        // Choices under old fingerprints have moved to the new ones by now (`adopt_legacy_encodings`).
        self.encodings.get(&source.fingerprint).and_then(|label| Encoding::for_label(label.as_bytes()))
    }

    /// Moves choices stored under a loaded file's old fingerprint
    /// ([`crate::corpus::legacy_fingerprint`]) to its current one, so that the next run finds
    /// them without taking old fingerprints. Choices for files not loaded keep their old key.
    /// (The load already read those files in the encoding chosen under the old key.)
    pub fn adopt_legacy_encodings(&mut self) {
        self.adopt_legacy_encodings_from(0);
    }

    /// [`App::adopt_legacy_encodings`] for the sources from `first` on: those just loaded.
    pub(super) fn adopt_legacy_encodings_from(&mut self, first: usize) {
        if self.encodings.is_empty() {
            return;
        }
        for source in self.corpus.sources.iter().skip(first) {
            let Some(legacy) = &source.legacy_fingerprint else { continue };
            if let Some(label) = self.encodings.remove(legacy) {
                self.encodings.entry(source.fingerprint.clone()).or_insert(label);
            }
        }
    }

    /// Whether `E` is reading a file again.
    pub fn is_rereading(&self) -> bool {
        self.rereading.is_some()
    }

    /// `E`: starts decoding the open article's file as the next encoding; the choice is
    /// remembered once the file has been read so ([`App::tick_rereading`]).
    pub(super) fn cycle_encoding(&mut self) {
        if self.is_loading() {
            self.status = Some("files are still loading; choose an encoding once they are in".into());
            return;
        }
        if let Some(rereading) = &self.rereading {
            self.status = Some(format!("still reading {} as {}", rereading.name, label(rereading.trying)));
            return;
        }
        let Some(s) = self.article().map(|a| a.source_index) else { return };
        let chosen = self.chosen_encoding(s);
        let detected = if chosen.is_some() {
            // What detection said is not kept once a choice is made; the choice's place in the
            // cycle is what counts then.
            UTF_8
        } else {
            Encoding::for_label(self.corpus.sources[s].encoding.as_bytes()).unwrap_or(UTF_8)
        };
        let next = next_choice(chosen, detected);
        match self.reread(s, next) {
            Ok(loading) => {
                let name = self.corpus.sources[s].name.clone();
                let stage = Stage::Reading(loading);
                self.rereading = Some(Rereading { source: s, name, trying: next, skipped: Vec::new(), stage });
            }
            Err(why) => self.status = Some(why),
        }
    }

    /// Starts the loader on source `s` again, decoding it as `forced` (`None`: detection).
    fn reread(&self, s: usize, forced: Option<&'static Encoding>) -> Result<Loading, String> {
        let source = &self.corpus.sources[s];
        let item = match &source.os_path {
            Some(path) => load::Item::File(path.clone()),
            None => {
                load::bundled().iter().position(|doc| doc.name == source.name).map(load::Item::Bundled).ok_or_else(
                    || format!("{}: standard input cannot be read again to change its encoding", source.name),
                )?
            }
        };
        // Read again the way the load read it: with its old fingerprint when the load took those.
        let options = ReadOptions { legacy_fingerprints: source.legacy_fingerprint.is_some() };
        Ok(loader::reread(item, loader::Config::new(self.max_bytes, forced, options)))
    }

    /// What the loader made of source `s` read as `forced`: its source, articles and their
    /// search index, or the message for the status line.
    fn reread_outcome(&self, s: usize, forced: Option<&'static Encoding>, outcome: Outcome) -> Result<Reread, String> {
        let name = &self.corpus.sources[s].name;
        match outcome {
            Outcome::Loaded(mut source, mut articles, _, part) => {
                // The same source: its name as it was, and a choice is certain.
                source.name.clone_from(name);
                source.guessed = forced.is_none() && source.guessed;
                for a in &mut articles {
                    a.source_index = s;
                }
                Ok((source, articles, part))
            }
            Outcome::Unread(why) => Err(format!("{name}: could not read it again: {why}")),
            Outcome::Failed(why) => Err(format!("{name}: as {}: {}", label(forced), loader::failure_reason(&why))),
            Outcome::Stopped | Outcome::Rendered(_) => Err(format!("{name}: reading it again stopped")),
        }
    }

    /// The articles of source `s` in the corpus (where they would be, when it has none).
    fn articles_of(&self, s: usize) -> Range<usize> {
        let articles = &self.corpus.articles;
        if let Some(start) = articles.iter().position(|a| a.source_index == s) {
            start..start + articles[start..].iter().take_while(|a| a.source_index == s).count()
        } else {
            // A source without articles: its place is after the last article of an earlier one.
            let at = articles.partition_point(|a| a.source_index < s);
            at..at
        }
    }

    /// Puts source `s` read again in the corpus; the index of its first article.
    fn replace_source(&mut self, s: usize, source: Source, articles: Vec<Article>, range: Range<usize>) -> usize {
        let start = range.start;
        self.corpus.articles.splice(range, articles);
        self.corpus.sources[s] = source;
        start.min(self.corpus.articles.len().saturating_sub(1))
    }

    /// Takes what `E`'s reading of a file delivered: on to the next encoding when the bytes
    /// are not text in this one, the index and versions made when the file was read, and
    /// the new text shown and the choice remembered when they are.
    pub(super) fn tick_rereading(&mut self) {
        let Some(rereading) = &mut self.rereading else { return };
        let (s, trying) = (rereading.source, rereading.trying);
        match &mut rereading.stage {
            Stage::Reading(loading) => {
                let outcome = loop {
                    match loading.updates.try_recv() {
                        Ok(Update::File { outcome, .. }) => break outcome,
                        Ok(Update::Listed { .. }) => {}
                        Err(TryRecvError::Empty) => return,
                        Ok(Update::Finished) | Err(TryRecvError::Disconnected) => {
                            break Outcome::Failed("the loading thread stopped".into());
                        }
                    }
                };
                self.read_again(s, trying, outcome);
            }
            Stage::Linking { derived, .. } => {
                let derived = match derived.try_recv() {
                    Ok(derived) => Some(derived),
                    Err(TryRecvError::Empty) => return,
                    // The thread is gone: made here instead.
                    Err(TryRecvError::Disconnected) => None,
                };
                let Some(Rereading { skipped, stage: Stage::Linking { source, articles, range, .. }, .. }) =
                    self.rereading.take()
                else {
                    return;
                };
                let (index, versions) = derived.unwrap_or_else(|| {
                    let part = SearchIndex::of_articles(&articles, crate::search::folder());
                    let n = self.corpus.articles.len() - range.len() + articles.len();
                    derive(&self.index, range.clone(), &part, n)
                });
                let first = self.replace_source(s, *source, articles, range);
                self.index = Arc::new(index);
                self.versions = versions;
                self.chose_encoding(s, trying, first, &skipped);
            }
        }
    }

    /// The loader's result for `E`'s reading of source `s` as `trying`.
    fn read_again(&mut self, s: usize, trying: Option<&'static Encoding>, outcome: Outcome) {
        let not_text = matches!(outcome, Outcome::Failed(_));
        match self.reread_outcome(s, trying, outcome) {
            Ok((source, articles, part)) => {
                let range = self.articles_of(s);
                let part = part.map_or_else(|| SearchIndex::of_articles(&articles, crate::search::folder()), |p| *p);
                let (index, n) = (Arc::clone(&self.index), self.corpus.articles.len() - range.len() + articles.len());
                let (tx, rx) = std::sync::mpsc::channel();
                let linked = range.clone();
                // (If no thread can be had, the receiver finds the sender gone and makes them itself.)
                let _ = std::thread::Builder::new().name("gongbao-versions".into()).spawn(move || {
                    let _ = tx.send(derive(&index, linked, &part, n));
                });
                if let Some(rereading) = &mut self.rereading {
                    rereading.stage = Stage::Linking { source, articles, range, derived: rx };
                }
            }
            // An encoding the bytes cannot be text in is skipped, and said so.
            Err(_) if not_text && trying.is_some() => {
                let next = next_choice(trying, UTF_8);
                match (self.reread(s, next), &mut self.rereading) {
                    (Ok(loading), Some(rereading)) => {
                        rereading.skipped.extend(trying.map(Encoding::name));
                        rereading.trying = next;
                        rereading.stage = Stage::Reading(loading);
                    }
                    (Err(why), _) => {
                        self.rereading = None;
                        self.status = Some(why);
                    }
                    (Ok(_), None) => {}
                }
            }
            Err(why) => {
                self.rereading = None;
                self.status = Some(why);
            }
        }
    }

    /// Source `s` has been read again as `chosen` (its first article `first`): shown, and the
    /// choice remembered.
    fn chose_encoding(&mut self, s: usize, chosen: Option<&'static Encoding>, first: usize, skipped: &[&str]) {
        // The reader shows the file's first article in its new reading.
        self.reader.open = first;
        self.selected = first;
        self.articles_changed();
        let source = &self.corpus.sources[s];
        let fingerprint = source.fingerprint.clone();
        let (name, shown) = (source.name.clone(), source.encoding.clone());
        match chosen {
            Some(e) => self.encodings.insert(fingerprint, e.name().to_string()),
            None => self.encodings.remove(&fingerprint),
        };
        let saved = self.save_state();
        let after = next_choice(chosen, UTF_8).map_or_else(|| "detect".to_string(), |e| e.name().to_string());
        let how = if chosen.is_some() { "chosen and remembered for this file" } else { "detected again" };
        let skipped = if skipped.is_empty() { String::new() } else { format!(" (not text as {})", skipped.join(", ")) };
        self.status = Some(format!("{name}: {shown}, {how}{saved}{skipped}; E again: {after}"));
    }

    /// What `E` is doing, for the status line's progress.
    pub(super) fn rereading_progress(&self) -> Option<(String, f64)> {
        let rereading = self.rereading.as_ref()?;
        let what = format!("reading {} as {}", rereading.name, label(rereading.trying));
        Some(match rereading.stage {
            Stage::Reading(_) => (what, 0.0),
            Stage::Linking { .. } => (format!("{what} · linking versions"), 0.5),
        })
    }

    /// Everything computed from the articles (search index, versions, library, bookmark
    /// places, the open article's layout): when the app is made on a corpus.
    pub(super) fn rebuild_derived(&mut self) {
        self.index = Arc::new(SearchIndex::build(&self.corpus, crate::search::folder()));
        self.versions =
            crate::versions::by_article(&crate::versions::link(&self.corpus, &self.index), self.corpus.articles.len());
        self.articles_changed();
    }

    /// What the reader shows of the articles (library, bookmark places, the open article's
    /// layout), once they and their index and versions have changed.
    fn articles_changed(&mut self) {
        self.refresh_library();
        self.resolve_bookmarks();
        // The layout belongs to the old text: laid out again, at the position remembered for
        // the article now open.
        self.reader.forget_layout();
        self.reader.open = self.reader.open.min(self.corpus.articles.len().saturating_sub(1));
        self.selected = self.selected.min(self.corpus.articles.len().saturating_sub(1));
        self.open_article(self.reader.open);
    }

    /// Saves the reading state (positions and encoding choices) now; a note for the status
    /// line when that failed.
    fn save_state(&mut self) -> String {
        if self.positions_file.dir().is_none() {
            return " (not saved: no data folder)".into();
        }
        match self.save_reading_state() {
            Ok(()) => String::new(),
            Err(e) => format!(" (not saved: {e})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cycle_starts_after_the_detected_encoding_and_ends_in_detection() {
        assert_eq!(next_choice(None, encoding_rs::GBK), Some(UTF_8));
        assert_eq!(next_choice(None, BIG5), Some(UTF_8));
        assert_eq!(next_choice(None, UTF_8), Some(GB18030));
        assert_eq!(next_choice(Some(UTF_8), UTF_8), Some(GB18030));
        assert_eq!(next_choice(Some(UTF_16BE), UTF_8), None);
        // Every encoding is reached, and detection after them.
        let mut seen = Vec::new();
        let mut at = Some(UTF_8);
        while let Some(e) = at {
            seen.push(e);
            at = next_choice(Some(e), UTF_8);
        }
        assert_eq!(seen, CYCLE.to_vec());
    }
}

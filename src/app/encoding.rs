//! Choosing a file's encoding by hand (ENC-08, ENC-10). Detection can only guess between
//! encodings that read the same bytes differently (GBK and Big5 above all), so `E` decodes the
//! open article's file again as the next encoding of [`CYCLE`], and the choice is remembered by
//! the file's content fingerprint in the state file: the next run, or the same bytes under
//! another name, opens it the same way. A choice applies the encoding without BOM handling's
//! say: a UTF-8 BOM glued onto a Big5 body no longer wins.

use encoding_rs::{BIG5, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

use super::App;
use crate::corpus::{ReadOptions, load, process};

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
    fn adopt_legacy_encodings(&mut self) {
        for source in &self.corpus.sources {
            let Some(legacy) = &source.legacy_fingerprint else { continue };
            if let Some(label) = self.encodings.remove(legacy) {
                self.encodings.entry(source.fingerprint.clone()).or_insert(label);
            }
        }
    }

    /// `E`: decodes the open article's file as the next encoding and remembers the choice.
    pub(super) fn cycle_encoding(&mut self) {
        if self.is_loading() {
            self.status = Some("files are still loading; choose an encoding once they are in".into());
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
        // An encoding the bytes cannot be text in is skipped, and said so.
        let mut next = next_choice(chosen, detected);
        let mut skipped = Vec::new();
        let first = loop {
            match self.decode_again(s, next) {
                Ok(first) => break Some(first),
                Err(_) if next.is_some() => {
                    skipped.extend(next.map(Encoding::name));
                    next = next_choice(next, UTF_8);
                }
                Err(why) => {
                    self.status = Some(why);
                    break None;
                }
            }
        };
        let Some(first) = first else { return };
        // The reader shows the file's first article in its new reading.
        self.open = first;
        self.selected = first;
        self.rebuild_derived();
        let source = &self.corpus.sources[s];
        let fingerprint = source.fingerprint.clone();
        let (name, shown) = (source.name.clone(), source.encoding.clone());
        match next {
            Some(e) => self.encodings.insert(fingerprint, e.name().to_string()),
            None => self.encodings.remove(&fingerprint),
        };
        let saved = self.save_state();
        let after = next_choice(next, UTF_8).map_or_else(|| "detect".to_string(), |e| e.name().to_string());
        let how = if next.is_some() { "chosen and remembered for this file" } else { "detected again" };
        let skipped = if skipped.is_empty() { String::new() } else { format!(" (not text as {})", skipped.join(", ")) };
        self.status = Some(format!("{name}: {shown}, {how}{saved}{skipped}; E again: {after}"));
    }

    /// Applies the remembered choices to the files loaded so far (at start, and when
    /// background loading ends).
    pub fn apply_chosen_encodings(&mut self) {
        self.adopt_legacy_encodings();
        let mut changed = false;
        for s in 0..self.corpus.sources.len() {
            let Some(chosen) = self.chosen_encoding(s) else { continue };
            if self.corpus.sources[s].encoding == chosen.name() && !self.corpus.sources[s].guessed {
                continue;
            }
            match self.decode_again(s, Some(chosen)) {
                Ok(_) => changed = true,
                Err(why) => self.messages.push(why),
            }
        }
        if changed {
            self.rebuild_derived();
        }
    }

    /// Reads source `s` again and replaces its articles with those of the new decoding; the
    /// index of its first article.
    fn decode_again(&mut self, s: usize, forced: Option<&'static Encoding>) -> Result<usize, String> {
        let source = &self.corpus.sources[s];
        let name = source.name.clone();
        let bytes = match &source.os_path {
            Some(path) => std::fs::read(path).map_err(|e| format!("{name}: could not read it again: {e}"))?,
            None => load::bundled()
                .into_iter()
                .find(|d| d.name == source.name)
                .map(|d| d.bytes)
                .ok_or_else(|| format!("{name}: standard input cannot be read again to change its encoding"))?,
        };
        let doc = load::RawDoc { name: source.name.clone(), path: source.os_path.clone(), bytes };
        // Read again the way the load read it: with its old fingerprint when the load took those.
        let options = ReadOptions { legacy_fingerprints: source.legacy_fingerprint.is_some() };
        let (mut new_source, mut articles) = process(&doc, forced, s, options)
            .map_err(|e| format!("{name}: as {}: {e}", forced.map_or("detected", |e| e.name())))?;
        // A choice is certain; the text shown is what it gives.
        new_source.guessed = forced.is_none() && new_source.guessed;
        for a in &mut articles {
            a.source_index = s;
        }
        let start = self.corpus.articles.iter().position(|a| a.source_index == s);
        // A source without articles: its place is after the last article of an earlier one.
        let (start, end) = if let Some(start) = start {
            let len = self.corpus.articles[start..].iter().take_while(|a| a.source_index == s).count();
            (start, start + len)
        } else {
            let at = self.corpus.articles.partition_point(|a| a.source_index < s);
            (at, at)
        };
        self.corpus.articles.splice(start..end, articles);
        self.corpus.sources[s] = new_source;
        Ok(start.min(self.corpus.articles.len().saturating_sub(1)))
    }

    /// Everything computed from the articles (search index, versions, library, bookmark
    /// places, the open article's layout): at start, and again after some were replaced.
    pub(super) fn rebuild_derived(&mut self) {
        self.index = std::sync::Arc::new(crate::search::SearchIndex::build(&self.corpus, crate::search::folder()));
        self.versions =
            crate::versions::by_article(&crate::versions::link(&self.corpus, &self.index), self.corpus.articles.len());
        self.refresh_library();
        self.resolve_bookmarks();
        // The layout belongs to the old text: laid out again, at the position remembered for
        // the article now open.
        self.layout = super::Layout::default();
        self.top = 0;
        self.open = self.open.min(self.corpus.articles.len().saturating_sub(1));
        self.selected = self.selected.min(self.corpus.articles.len().saturating_sub(1));
        self.open_article(self.open);
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

//! The look-up cursor (`w`): a word of the open article under a cursor, looked up in the
//! dictionary ([`crate::dict`]) and shown in a pop-up beside it.
//!
//! The cursor is a byte offset of the paragraph's *original* text, so it stays on the same
//! word when the script or the width changes; the layout maps it to what is shown.
//!
//! `v` selects characters from the cursor (the cursor's moves extend the selection, within its
//! paragraph) and `Enter` looks the selection up: a phrase the cutting takes apart
//! (`一个中国原则` is cut `一` `个中` `国` `原则`) or a shorter word than the one it takes.

use super::search::converted_offset;
use super::{App, Highlight, HighlightKind};
use crate::dict::{self, Dictionary, cut};
use crate::search::Match;

/// Where the look-up cursor is.
#[derive(Debug, Clone, Copy)]
pub struct LookupCursor {
    pub paragraph: usize,
    /// Byte offset in the paragraph's original text of the character under the cursor.
    pub at: usize,
    /// The dictionary, unpacked when the cursor first appeared.
    pub dictionary: &'static Dictionary<'static>,
    /// While selecting (`v`): where the selection started, in the same paragraph; the cursor is
    /// its other end, and both ends' characters are in it.
    pub anchor: Option<usize>,
    /// After `Enter` on a selection: the end of the text looked up, which starts at `at`
    /// (instead of the word the cutting takes there).
    pub chosen: Option<usize>,
}

impl LookupCursor {
    /// The cursor moved to `at` of `paragraph`, a selection kept, a chosen text let go.
    fn moved_to(self, paragraph: usize, at: usize) -> LookupCursor {
        LookupCursor { paragraph, at, chosen: None, ..self }
    }
}

/// Byte offset in `original` of the character at byte `at` of `converted`: the inverse of
/// [`converted_offset`] (conversion keeps the number of characters).
fn original_offset(original: &str, converted: &str, at: usize) -> usize {
    let index = converted.get(..at).map_or(0, |s| s.chars().count());
    original.char_indices().nth(index).map_or(original.len(), |(b, _)| b)
}

impl App {
    fn paragraph_text(&self, p: usize) -> Option<&str> {
        self.article()?.paragraphs.get(p).map(|x| x.text.as_str())
    }

    /// `w`: the cursor on the first word of the top line (the first line below with text, if
    /// the top one has none). The dictionary is unpacked now, the first time only.
    pub(super) fn start_lookup(&mut self) {
        let dictionary = match dict::embedded() {
            Ok(d) => d,
            Err(e) => {
                self.status = Some(e.to_string());
                return;
            }
        };
        let found = self.reader.layout.lines.iter().skip(self.reader.top).find_map(|line| {
            let p = line.paragraph?;
            let original = self.paragraph_text(p)?;
            let shown = self.reader.layout.texts.get(line.text)?;
            let row_start = original_offset(original, shown, line.row.start);
            let words = cut::cut(dictionary, original);
            words.iter().find(|w| w.range.start >= row_start).map(|w| (p, w.range.start))
        });
        let Some((paragraph, at)) = found.or_else(|| self.word_after(dictionary, self.top_paragraph()?, None)) else {
            self.status = Some("no word to look up here".into());
            return;
        };
        self.lookup = Some(LookupCursor { paragraph, at, dictionary, anchor: None, chosen: None });
        // From the library too (`w` reaches the open article): the reader has the keys now.
        self.focus = super::Pane::Reader;
        self.status = Some("look up: w b words, h l characters, j k lines, v selects, a keeps, Esc leaves".into());
        self.reveal_cursor();
        self.refresh_highlights();
    }

    pub(super) fn update_lookup(&mut self, action: super::Action) {
        use super::Action;
        match action {
            Action::NextWord => self.move_cursor(|app, c| app.word_after(c.dictionary, c.paragraph, Some(c.at))),
            Action::PreviousWord => self.move_cursor(|app, c| app.word_before(c.dictionary, c.paragraph, c.at)),
            Action::NextCharacter => self.move_cursor(|app, c| app.character_after(c.paragraph, c.at)),
            Action::PreviousCharacter => self.move_cursor(|app, c| app.character_before(c.paragraph, c.at)),
            Action::Down => self.move_cursor(|app, c| app.on_other_line(c, 1)),
            Action::Up => self.move_cursor(|app, c| app.on_other_line(c, -1)),
            Action::AddWord => self.add_word(),
            Action::SelectText => self.toggle_selection(),
            Action::LookUpSelection => self.look_up_selection(),
            // Esc ends a selection first, then the cursor.
            Action::Cancel if self.lookup.is_some_and(|c| c.anchor.is_some()) => {
                self.lookup = self.lookup.map(|c| LookupCursor { anchor: None, ..c });
                self.refresh_highlights();
            }
            Action::Cancel | Action::StartLookup => {
                self.lookup = None;
                self.refresh_highlights();
            }
            Action::ToggleScript | Action::ToggleHelp | Action::WiderColumn | Action::NarrowerColumn => {
                self.update_panes(action);
                self.reveal_cursor();
                self.refresh_highlights();
            }
            _ => {}
        }
    }

    fn move_cursor(&mut self, to: impl Fn(&App, LookupCursor) -> Option<(usize, usize)>) {
        let Some(cursor) = self.lookup else { return };
        match to(self, cursor) {
            Some((paragraph, _)) if cursor.anchor.is_some() && paragraph != cursor.paragraph => {
                self.status = Some("a selection stays in its paragraph: Enter looks it up, Esc ends it".into());
            }
            Some((paragraph, at)) => {
                self.lookup = Some(cursor.moved_to(paragraph, at));
                self.reveal_cursor();
                self.refresh_highlights();
            }
            None => self.status = Some("no further word that way".into()),
        }
    }

    /// `v`: starts selecting characters at the cursor, or ends the selection.
    fn toggle_selection(&mut self) {
        let Some(c) = self.lookup else { return };
        let anchor = if c.anchor.is_some() { None } else { Some(c.at) };
        self.lookup = Some(LookupCursor { anchor, chosen: None, ..c });
        if anchor.is_some() {
            self.status = Some("select: h l w b j k extend it, Enter looks it up, Esc ends it".into());
        }
        self.refresh_highlights();
    }

    /// The characters selected, as a byte range of the paragraph's original text: from the
    /// earlier end's character through the later end's.
    pub fn lookup_selection(&self) -> Option<std::ops::Range<usize>> {
        let c = self.lookup?;
        let anchor = c.anchor?;
        let text = self.paragraph_text(c.paragraph)?;
        let (start, last) = (anchor.min(c.at), anchor.max(c.at));
        let end = last + text.get(last..)?.chars().next().map_or(0, char::len_utf8);
        Some(start..end)
    }

    /// `Enter` on a selection: the selected text is looked up as one, the cursor at its start.
    fn look_up_selection(&mut self) {
        let Some(c) = self.lookup else { return };
        let Some(range) = self.lookup_selection() else {
            self.status = Some("v selects the characters to look up together".into());
            return;
        };
        self.lookup = Some(LookupCursor { at: range.start, anchor: None, chosen: Some(range.end), ..c });
        self.reveal_cursor();
        self.refresh_highlights();
    }

    /// The first word after byte `after` of paragraph `p` (from its start when `None`), going
    /// on into the next paragraphs.
    fn word_after(&self, d: &Dictionary<'_>, p: usize, after: Option<usize>) -> Option<(usize, usize)> {
        let count = self.article()?.paragraphs.len();
        (p..count).find_map(|q| {
            let words = cut::cut(d, self.paragraph_text(q)?);
            let word = match after {
                Some(at) if q == p => words.iter().find(|w| w.range.start > at),
                _ => words.first(),
            };
            word.map(|w| (q, w.range.start))
        })
    }

    /// The last word before byte `before` of paragraph `p`, going back into earlier paragraphs.
    fn word_before(&self, d: &Dictionary<'_>, p: usize, before: usize) -> Option<(usize, usize)> {
        (0..=p).rev().find_map(|q| {
            let words = cut::cut(d, self.paragraph_text(q)?);
            let limit = if q == p { before } else { usize::MAX };
            words.iter().rev().find(|w| w.range.start < limit).map(|w| (q, w.range.start))
        })
    }

    /// The next character that is not a space, on into the next paragraphs.
    fn character_after(&self, p: usize, at: usize) -> Option<(usize, usize)> {
        let count = self.article()?.paragraphs.len();
        (p..count).find_map(|q| {
            let text = self.paragraph_text(q)?;
            let from = if q == p { at + text.get(at..)?.chars().next().map_or(0, char::len_utf8) } else { 0 };
            text.get(from..)?.char_indices().find(|(_, c)| !c.is_whitespace()).map(|(i, _)| (q, from + i))
        })
    }

    /// The character before that is not a space, back into earlier paragraphs.
    fn character_before(&self, p: usize, at: usize) -> Option<(usize, usize)> {
        (0..=p).rev().find_map(|q| {
            let text = self.paragraph_text(q)?;
            let until = if q == p { at.min(text.len()) } else { text.len() };
            text.get(..until)?.char_indices().rev().find(|(_, c)| !c.is_whitespace()).map(|(i, _)| (q, i))
        })
    }

    /// The layout line the cursor is on, and the cursor's byte offset in that line's text.
    pub fn cursor_line(&self) -> Option<(usize, usize)> {
        let c = self.lookup?;
        let first = *self.reader.layout.paragraph_line.get(c.paragraph)?;
        let text = self.reader.layout.lines.get(first)?.text;
        let shown = self.reader.layout.texts.get(text)?;
        let at = converted_offset(self.paragraph_text(c.paragraph)?, shown, c.at);
        // Lines are in text order, each text's rows in byte order.
        let line = self.reader.layout.lines.partition_point(|l| (l.text, l.row.start) <= (text, at));
        Some((line.saturating_sub(1).max(first), at))
    }

    /// The word on the line `by` lines away that is under the cursor's column (or the
    /// character there, inside a word that starts on another line).
    fn on_other_line(&self, c: LookupCursor, by: isize) -> Option<(usize, usize)> {
        let (line, at) = self.cursor_line()?;
        let ambiguous = self.settings.ambiguous;
        let here = self.reader.layout.lines.get(line)?;
        let shown = self.reader.layout.texts.get(here.text)?;
        let column = crate::wrap::display_width(shown.get(here.row.start..at)?, ambiguous);
        let mut target = line;
        let next = loop {
            target = target.checked_add_signed(by)?;
            let l = self.reader.layout.lines.get(target)?;
            if l.paragraph.is_some() && l.row.end > l.row.start {
                break l;
            }
        };
        let p = next.paragraph?;
        let (original, shown) = (self.paragraph_text(p)?, self.reader.layout.texts.get(next.text)?);
        let row = shown.get(next.row.start..next.row.end)?;
        let mut used = 0;
        let mut offset = next.row.start;
        for (i, ch) in row.char_indices() {
            let w = crate::wrap::display_width(ch.encode_utf8(&mut [0; 4]), ambiguous);
            offset = next.row.start + i;
            if used + w > column || ch == '\n' {
                break;
            }
            used += w;
        }
        let at = original_offset(original, shown, offset);
        let words = cut::cut(c.dictionary, original);
        let word = words
            .iter()
            .find(|w| w.range.contains(&at) && w.range.start >= original_offset(original, shown, next.row.start));
        Some((p, word.map_or(at, |w| w.range.start)))
    }

    /// Scrolls so the cursor's line is on screen.
    fn reveal_cursor(&mut self) {
        let Some((line, _)) = self.cursor_line() else { return };
        let page = self.page_height();
        if line < self.reader.top {
            self.reader.top = line;
        } else if line >= self.reader.top + page {
            self.reader.top = (line + 1).saturating_sub(page).min(self.max_top());
        }
    }

    /// The original text looked up: the selection looked up with `Enter`, else the word
    /// starting at the cursor as cutting takes it (the longest dictionary word, a run of Latin
    /// letters and digits, else the character).
    pub fn lookup_word(&self) -> Option<&str> {
        let c = self.lookup?;
        let text = self.paragraph_text(c.paragraph)?;
        if let Some(end) = c.chosen {
            return text.get(c.at..end);
        }
        let rest = text.get(c.at..)?;
        rest.get(cut::word_at(c.dictionary, rest)?.range)
    }

    /// Every dictionary word the text at the cursor starts with, longest first (一个中国原则,
    /// 一个中国, 一个, 一, where the dictionary has them): longer than the word looked up when that
    /// is a shorter selection, else shorter. In the original text.
    pub fn lookup_words(&self) -> Vec<&str> {
        let Some(c) = self.lookup else { return Vec::new() };
        let Some(rest) = self.paragraph_text(c.paragraph).and_then(|t| t.get(c.at..)) else { return Vec::new() };
        c.dictionary.words_at(rest).into_iter().filter_map(|len| rest.get(..len)).collect()
    }

    /// The longer dictionary words that start as the text at the cursor does but go on
    /// differently (at most three; see [`Dictionary::continuing`]): at 一个中国原则, which
    /// CC-CEDICT lacks, 一个中国政策.
    pub fn lookup_longer(&self) -> Vec<&'static str> {
        let (Some(c), Some(word)) = (self.lookup, self.lookup_word()) else { return Vec::new() };
        let Some(rest) = self.paragraph_text(c.paragraph).and_then(|t| t.get(c.at..)) else { return Vec::new() };
        c.dictionary.continuing(rest, word.len(), 3)
    }

    /// The words of a selection looked up that is not one dictionary word, as cutting takes
    /// them; empty otherwise.
    pub fn lookup_parts(&self) -> Vec<&str> {
        let (Some(c), Some(word)) = (self.lookup, self.lookup_word()) else { return Vec::new() };
        if c.chosen.is_none() || c.dictionary.contains(word) {
            return Vec::new();
        }
        cut::cut(c.dictionary, word).into_iter().filter_map(|w| word.get(w.range)).collect()
    }

    /// `a`: the word under the cursor, its reading and senses, and the sentence it is in, added
    /// to the word list (saved at once).
    pub(super) fn add_word(&mut self) {
        let (Some(c), Some(word), Some(article)) = (self.lookup, self.lookup_word(), self.article()) else { return };
        let Some(text) = self.paragraph_text(c.paragraph) else { return };
        let entries = c.dictionary.lookup(word);
        let Some(entry) = entries.first() else {
            self.status = Some(format!("{word} is not in the dictionary: not added"));
            return;
        };
        let sentence = crate::bookmarks::sentences(text)
            .into_iter()
            .find(|s| s.contains(&c.at))
            .and_then(|s| text.get(s))
            .unwrap_or(text)
            .trim();
        let added = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
        let saved = crate::words::SavedWord {
            id: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(format!("{word}\u{0}{sentence}\u{0}{added}").as_bytes())),
            word: word.to_string(),
            traditional: entry.traditional.to_string(),
            simplified: entry.simplified.to_string(),
            pinyin: entry.pinyin_marked(),
            senses: entries.iter().flat_map(|e| e.senses()).map(String::from).collect(),
            sentence: sentence.to_string(),
            title: article.title.clone(),
            clause: crate::search::clause_label(&self.corpus, self.reader.open, c.paragraph).map(String::from),
            article: article.id.clone(),
            source: article.source.clone(),
            added,
        };
        let shown = self.converter.shown(word, self.settings.script);
        self.status = Some(match self.words.add(saved) {
            Ok(true) => format!("{shown} added to the word list ({} in it; W shows them)", self.words.words().len()),
            Ok(false) => format!("{shown} from this sentence is already in the word list"),
            Err(e) => format!("{shown} not added: {e}"),
        });
    }

    /// The word list view: `j` `k` move, `d` deletes, `Esc` closes.
    pub(super) fn update_words(&mut self, action: super::Action, selected: usize) {
        use super::{Action, Overlay};
        let count = self.words.words().len();
        if let Some(to) =
            super::moved(selected, action, usize::from(self.size.1.saturating_sub(6)), count.saturating_sub(1))
        {
            self.overlay = Overlay::Words { selected: to };
            return;
        }
        match action {
            Action::DeleteWord => {
                let Some(w) = self.words.words().get(selected) else { return };
                let (id, word) = (w.id.clone(), w.word.clone());
                self.status = Some(match self.words.delete(&id) {
                    Ok(_) => {
                        format!("{} deleted from the word list", self.converter.shown(&word, self.settings.script))
                    }
                    Err(e) => format!("not deleted: {e}"),
                });
                let count = self.words.words().len();
                self.overlay = Overlay::Words { selected: selected.min(count.saturating_sub(1)) };
            }
            Action::Cancel | Action::ShowWords => self.overlay = Overlay::None,
            _ => {}
        }
    }

    /// The word under the cursor, or the selection, as a highlight of the layout.
    pub(super) fn lookup_highlight(&self) -> Option<Highlight> {
        let c = self.lookup?;
        let range = match self.lookup_selection() {
            Some(range) => range,
            None => c.at..c.at + self.lookup_word()?.len(),
        };
        let m = Match { article: self.reader.open, paragraph: c.paragraph, range };
        self.converted_range(&m).map(|(text, range)| Highlight { text, range, kind: HighlightKind::Word })
    }
}

#[cfg(test)]
mod tests {
    use super::original_offset;

    #[test]
    fn offsets_map_back_from_the_converted_text() {
        let (original, converted) = ("各方欢迎中欧班列", "各方歡迎中歐班列");
        let at = converted.find("中歐").unwrap_or(0);
        assert_eq!(&original[original_offset(original, converted, at)..], "中欧班列");
        assert_eq!(original_offset(original, converted, converted.len()), original.len());
    }
}

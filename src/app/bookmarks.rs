//! The reader's side of bookmarks: marking the paragraph at the top (`m`), selecting a passage
//! (`v`, by paragraphs and sentences), the note prompt, the bookmarks view, and jumping back.
//! What is stored and how it is found again is [`crate::bookmarks`].

use std::collections::HashMap;
use unicode_segmentation::UnicodeSegmentation;

use super::{App, Highlight, HighlightKind, Overlay, Pane};
use crate::bookmarks::anchor::{Anchorer, Found};
use crate::bookmarks::store::Store;
use crate::bookmarks::{self, Bookmark, Passage, paragraph_of, paragraph_starts, sentences};
use crate::search::{Match, folder};

/// A passage being selected: sentence positions `(paragraph, sentence)`, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visual {
    pub anchor: (usize, usize),
    pub cursor: (usize, usize),
}

/// What the note prompt will do with the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteTarget {
    /// Bookmark this passage of the open article.
    New(Passage),
    /// Change the note of this bookmark.
    Edit(String),
}

/// How the bookmarks view orders its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    NewestFirst,
    ByArticle,
}

/// Bookmarks and what the reader knows about them.
#[derive(Debug)]
pub struct BookmarkState {
    pub store: Store,
    /// Where each bookmark (by id) is in the loaded corpus; `None`: not found.
    pub resolved: HashMap<String, Option<(Passage, Found)>>,
    /// Bookmarks as they were before a delete or a re-attachment in this session, newest last:
    /// `u` puts the last one back (a deleted bookmark returns, a re-attached one gets its old
    /// passage again).
    pub undo: Vec<Bookmark>,
    /// The found bookmark (by id) whose re-attachment was asked for once: `a` again confirms,
    /// any other key forgets it. A found bookmark's quote is what the user saved, so it is not
    /// overwritten on a single key.
    pub confirm_reattach: Option<String>,
    pub order: Order,
    /// Filter of the bookmarks view as typed.
    pub filter: String,
}

impl Default for BookmarkState {
    fn default() -> Self {
        BookmarkState {
            store: Store::in_memory(),
            resolved: HashMap::new(),
            undo: Vec::new(),
            confirm_reattach: None,
            order: Order::NewestFirst,
            filter: String::new(),
        }
    }
}

impl BookmarkState {
    /// The bookmarks the view lists: those the filter lets through (title, passage or note,
    /// in any script), newest first or in reading order.
    pub fn rows(&self) -> Vec<&Bookmark> {
        let wanted = folder().fold(&self.filter);
        let mut rows: Vec<&Bookmark> = bookmarks::export::newest_first(self.store.bookmarks())
            .into_iter()
            .filter(|b| {
                wanted.is_empty() || {
                    let haystack =
                        format!("{}{}{}", b.article.title.as_deref().unwrap_or_default(), b.quote.text, b.note);
                    folder().fold(&haystack).contains(&wanted)
                }
            })
            .collect();
        if self.order == Order::ByArticle {
            // In reading order: where the bookmark is found in the loaded files (articles in
            // library order, passages in text order), then those not found, by file and
            // article and where they were.
            let resolved = &self.resolved;
            rows.sort_by_key(|b| match resolved.get(&b.id) {
                Some(Some((passage, _))) => (0, passage.article, passage.range.start, "", "", 0, 0),
                _ => (1, 0, 0, b.source.name.as_str(), b.article.id.as_str(), b.quote.paragraph, b.quote.offset),
            });
        }
        rows
    }

    /// `t`: newest first, or in reading order.
    pub fn toggle_order(&mut self) {
        self.order = if self.order == Order::NewestFirst { Order::ByArticle } else { Order::NewestFirst };
    }

    /// `d`: deletes bookmark `id`, which `u` can bring back. Whether there was one.
    pub fn delete(&mut self, id: &str) -> bool {
        let Some(gone) = self.store.delete(id) else { return false };
        self.resolved.remove(&gone.id);
        self.undo.push(gone);
        true
    }

    /// `a` on bookmark `id`, `confirming` the bookmark `a` was pressed on just before: whether
    /// to re-attach it now. One not found in the text is at once; a found one only on a second
    /// `a`, and the first asks for it (its quote is what the user saved).
    pub fn reattach_now(&mut self, id: &str, confirming: Option<&str>) -> bool {
        let found = self.resolved.get(id).is_some_and(Option::is_some);
        if !found || confirming == Some(id) {
            return true;
        }
        self.confirm_reattach = Some(id.to_string());
        false
    }
}

impl App {
    /// Uses `store` for bookmarks, and finds each of them in the corpus.
    pub fn set_bookmarks(&mut self, store: Store) {
        self.bookmarks.store = store;
        self.resolve_bookmarks();
    }

    pub(super) fn resolve_bookmarks(&mut self) {
        let anchorer = Anchorer::new(&self.corpus, &self.index);
        self.bookmarks.resolved =
            self.bookmarks.store.bookmarks().iter().map(|b| (b.id.clone(), anchorer.resolve(b))).collect();
    }

    fn resolve_one(&mut self, id: &str) {
        let anchorer = Anchorer::new(&self.corpus, &self.index);
        let found = self.bookmarks.store.bookmarks().iter().find(|b| b.id == id).map(|b| anchorer.resolve(b));
        if let Some(found) = found {
            self.bookmarks.resolved.insert(id.to_string(), found);
        }
    }

    /// Paragraphs of the open article covered by a bookmark (for the margin).
    pub fn bookmarked_paragraphs(&self) -> Vec<usize> {
        let Some(a) = self.article() else { return Vec::new() };
        let mut out = Vec::new();
        for (passage, _) in self.bookmarks.resolved.values().flatten() {
            if passage.article == self.reader.open {
                let (first, _) = paragraph_of(a, passage.range.start);
                let (last, _) = paragraph_of(a, passage.range.end.saturating_sub(1).max(passage.range.start));
                out.extend(first..=last);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// `m`: bookmark the paragraph at the top of the reader (asks for a note).
    pub(super) fn mark_paragraph(&mut self) {
        let (Some(a), Some(p)) = (self.article(), self.top_paragraph()) else { return };
        let start = paragraph_starts(a).get(p).copied().unwrap_or(0);
        let end = start + a.paragraphs.get(p).map_or(0, |x| x.text.len());
        if end == start {
            self.status = Some("nothing to bookmark here".into());
            return;
        }
        self.open_note(NoteTarget::New(Passage { article: self.reader.open, range: start..end }), String::new());
    }

    fn open_note(&mut self, target: NoteTarget, input: String) {
        if let Some(why) = self.bookmarks.store.read_only() {
            self.status = Some(format!("bookmarks are read-only: {why}"));
            return;
        }
        self.note_refused = 0;
        self.overlay = Overlay::Note { target, input: super::edit::Edit::new(input) };
    }

    /// `v`: start selecting at the paragraph at the top, all of it selected.
    pub(super) fn start_visual(&mut self) {
        let (Some(a), Some(p)) = (self.article(), self.top_paragraph()) else { return };
        let last = sentences(&a.paragraphs[p].text).len().saturating_sub(1);
        self.visual = Some(Visual { anchor: (p, 0), cursor: (p, last) });
        self.status =
            Some("select: j k paragraphs, h l sentences, o other end, m or Enter bookmarks, Esc cancels".into());
        self.refresh_highlights();
    }

    /// Moves the selection's cursor end by paragraphs (`j`/`k`) or sentences (`l`/`h`).
    pub(super) fn move_visual(&mut self, paragraphs: isize, sentences_by: isize) {
        let (Some(a), Some(v)) = (self.article(), self.visual) else { return };
        let count = |p: usize| a.paragraphs.get(p).map_or(1, |x| sentences(&x.text).len());
        let last_paragraph = a.paragraphs.len().saturating_sub(1);
        let (mut p, mut s) = v.cursor;
        if paragraphs != 0 {
            p = p.saturating_add_signed(paragraphs).min(last_paragraph);
            s = if paragraphs > 0 || p < v.anchor.0 { count(p) - 1 } else { 0 }.min(count(p) - 1);
            if p < v.anchor.0 {
                s = 0;
            }
        }
        for _ in 0..sentences_by.unsigned_abs() {
            if sentences_by > 0 {
                if s + 1 < count(p) {
                    s += 1;
                } else if p < last_paragraph {
                    p += 1;
                    s = 0;
                }
            } else if s > 0 {
                s -= 1;
            } else if p > 0 {
                p -= 1;
                s = count(p) - 1;
            }
        }
        if let Some(v) = &mut self.visual {
            v.cursor = (p, s);
        }
        self.reveal_paragraph(p);
        self.refresh_highlights();
    }

    pub(super) fn swap_visual_ends(&mut self) {
        if let Some(v) = &mut self.visual {
            std::mem::swap(&mut v.anchor, &mut v.cursor);
        }
        self.refresh_highlights();
    }

    /// The selected passage: a byte range of the open article's text.
    pub fn visual_passage(&self) -> Option<Passage> {
        let (a, v) = (self.article()?, self.visual?);
        let (from, to) = if v.anchor <= v.cursor { (v.anchor, v.cursor) } else { (v.cursor, v.anchor) };
        let starts = paragraph_starts(a);
        let at = |(p, s): (usize, usize), end: bool| -> Option<usize> {
            let text = &a.paragraphs.get(p)?.text;
            let sentence = sentences(text).get(s)?.clone();
            Some(starts[p] + if end { sentence.end } else { sentence.start })
        };
        let range = at(from, false)?..at(to, true)?;
        (range.end > range.start).then_some(Passage { article: self.reader.open, range })
    }

    pub(super) fn confirm_visual(&mut self) {
        let passage = self.visual_passage();
        self.visual = None;
        self.refresh_highlights();
        match passage {
            Some(p) => self.open_note(NoteTarget::New(p), String::new()),
            None => self.status = Some("nothing selected".into()),
        }
    }

    pub(super) fn cancel_visual(&mut self) {
        self.visual = None;
        self.refresh_highlights();
    }

    /// The selection as highlights of the layout.
    pub(super) fn selection_highlights(&self) -> Vec<Highlight> {
        let (Some(a), Some(passage)) = (self.article(), self.visual_passage()) else { return Vec::new() };
        let starts = paragraph_starts(a);
        let mut out = Vec::new();
        for (p, &start) in starts.iter().enumerate() {
            let end = start + a.paragraphs[p].text.len();
            let (s, e) = (passage.range.start.max(start), passage.range.end.min(end));
            if s < e
                && let Some((text, range)) = self.converted_range(&Match {
                    article: self.reader.open,
                    paragraph: p,
                    range: s - start..e - start,
                })
            {
                out.push(Highlight { text, range, kind: HighlightKind::Selection });
            }
        }
        out
    }

    /// Keeps paragraph `p` on screen.
    fn reveal_paragraph(&mut self, p: usize) {
        let Some(&line) = self.reader.layout.paragraph_line.get(p) else { return };
        let page = self.page_height();
        if line < self.reader.top {
            self.reader.top = line;
        } else if line >= self.reader.top + page {
            self.reader.top = line.saturating_sub(page.saturating_sub(2)).min(self.max_top());
        }
    }

    /// `Enter` in the note prompt.
    pub(super) fn save_note(&mut self, target: NoteTarget, note: &str) {
        let result = match target {
            NoteTarget::New(passage) => match bookmarks::bookmark(&self.corpus, &passage, note) {
                Some(b) => {
                    let id = b.id.clone();
                    let clause = b.clause.clone();
                    let r = self.bookmarks.store.put(b);
                    if r.is_ok() {
                        self.bookmarks.resolved.insert(id, Some((passage, Found::InPlace)));
                        self.status = Some(match clause {
                            Some(c) => format!("bookmarked in {}; B lists bookmarks", c.trim_end_matches('、')),
                            None => "bookmarked; B lists bookmarks".into(),
                        });
                    }
                    r
                }
                None => return,
            },
            NoteTarget::Edit(id) => {
                let Some(mut b) = self.bookmarks.store.bookmarks().iter().find(|b| b.id == id).cloned() else { return };
                b.note = note.to_string();
                b.updated = bookmarks::now();
                let r = self.bookmarks.store.put(b);
                if r.is_ok() {
                    self.status = Some("note saved".into());
                }
                r
            }
        };
        match result {
            Ok(()) => self.save_bookmarks(),
            Err(e) => self.status = Some(e.to_string()),
        }
        self.refresh_bookmark_view();
    }

    /// Writes the bookmarks; a failure is shown and the changes stay for the next try.
    pub fn save_bookmarks(&mut self) {
        if let Err(e) = self.bookmarks.store.save() {
            self.status = Some(format!("{e}; kept in memory, will retry"));
        }
    }

    /// `B`: the bookmarks view.
    pub(super) fn open_bookmarks(&mut self) {
        if self.bookmarks.store.bookmarks().is_empty() {
            self.status = Some("no bookmarks yet: m bookmarks the paragraph at the top, v selects a passage".into());
            return;
        }
        self.overlay = Overlay::Bookmarks { selected: 0 };
    }

    /// The bookmarks the view lists, in its order and filtered ([`BookmarkState::rows`]).
    pub fn bookmark_rows(&self) -> Vec<&Bookmark> {
        self.bookmarks.rows()
    }

    fn selected_bookmark(&self, selected: usize) -> Option<Bookmark> {
        self.bookmark_rows().get(selected).map(|b| (*b).clone())
    }

    /// Keys of the bookmarks view.
    pub(super) fn update_bookmarks(&mut self, action: super::Action) {
        use super::Action;
        let Overlay::Bookmarks { selected } = self.overlay else { return };
        let confirming = self.bookmarks.confirm_reattach.take();
        let count = self.bookmark_rows().len();
        let last = count.saturating_sub(1);
        // Two lines a bookmark in a frame two rows short of the screen (see the view).
        let page = usize::from(self.size.1.saturating_sub(4)) / 2;
        if let Some(to) = super::moved(selected, action, page, last) {
            self.overlay = Overlay::Bookmarks { selected: to };
            return;
        }
        match action {
            Action::Confirm => {
                if let Some(b) = self.selected_bookmark(selected) {
                    self.jump_to_bookmark(&b);
                }
            }
            Action::EditNote => {
                if let Some(b) = self.selected_bookmark(selected) {
                    self.open_note(NoteTarget::Edit(b.id.clone()), b.note.clone());
                }
            }
            Action::DeleteBookmark => {
                if let Some(b) = self.selected_bookmark(selected)
                    && self.bookmarks.delete(&b.id)
                {
                    self.save_bookmarks();
                    self.status.get_or_insert_with(|| "deleted; u undoes".into());
                    self.overlay = Overlay::Bookmarks { selected: selected.min(count.saturating_sub(2)) };
                }
            }
            Action::Undo => {
                if let Some(b) = self.bookmarks.undo.pop() {
                    let id = b.id.clone();
                    if let Err(e) = self.bookmarks.store.put(b) {
                        self.status = Some(e.to_string());
                    } else {
                        self.resolve_one(&id);
                        self.save_bookmarks();
                        self.status.get_or_insert_with(|| "restored".into());
                    }
                } else {
                    self.status = Some("nothing to undo".into());
                }
            }
            Action::ToggleOrder => self.bookmarks.toggle_order(),
            Action::SearchPrompt => {
                self.overlay = Overlay::Prompt {
                    kind: super::PromptKind::BookmarkFilter,
                    input: super::edit::Edit::new(self.bookmarks.filter.clone()),
                    recall: super::edit::Recall::default(),
                };
            }
            Action::Reattach => {
                if let Some(b) = self.selected_bookmark(selected) {
                    if self.bookmarks.reattach_now(&b.id, confirming.as_deref()) {
                        self.reattach(b);
                    } else {
                        self.status = Some(
                            "this bookmark is found in the text: a again moves it to the paragraph at the top of \
                             the reader (u undoes), any other key keeps it"
                                .into(),
                        );
                    }
                }
            }
            Action::ExportBookmarks => self.export_bookmarks(),
            Action::Cancel | Action::ShowBookmarks => self.overlay = Overlay::None,
            _ => {}
        }
    }

    /// After a change: keep the view's selection in range.
    fn refresh_bookmark_view(&mut self) {
        if let Overlay::Bookmarks { selected } = self.overlay {
            let last = self.bookmark_rows().len().saturating_sub(1);
            self.overlay = Overlay::Bookmarks { selected: selected.min(last) };
        }
    }

    /// Opens the bookmark's article with its passage at the top of the reader.
    pub fn jump_to_bookmark(&mut self, b: &Bookmark) {
        let Some(Some((passage, found))) = self.bookmarks.resolved.get(&b.id).cloned() else {
            self.status =
                Some("this passage was not found in the loaded files; a re-attaches it to the reading position".into());
            return;
        };
        self.overlay = Overlay::None;
        self.selected = passage.article;
        self.open_article(passage.article);
        self.focus = Pane::Reader;
        if let Some(a) = self.article() {
            let (paragraph, offset) = paragraph_of(a, passage.range.start);
            let m = Match { article: passage.article, paragraph, range: offset..offset + 1 };
            if let Some(line) = self.match_line(&m) {
                self.reader.top = line.min(self.max_top());
            }
        }
        self.status = Some(match found {
            Found::InPlace | Found::Moved => format!("bookmark: {}", first_words(&b.quote.text)),
            Found::Elsewhere => "bookmark found in another place (the file changed or moved)".into(),
            Found::Edited => "bookmark found between its old surroundings; the passage itself changed".into(),
            Found::Folded => "bookmark found with a script or width difference".into(),
        });
    }

    /// `a` in the view: attach the bookmark to the passage at the top of the reader.
    fn reattach(&mut self, old: Bookmark) {
        let (Some(a), Some(p)) = (self.article(), self.top_paragraph()) else { return };
        let start = paragraph_starts(a).get(p).copied().unwrap_or(0);
        let passage = Passage { article: self.reader.open, range: start..start + a.paragraphs[p].text.len() };
        let Some(mut fresh) = bookmarks::bookmark(&self.corpus, &passage, &old.note) else { return };
        fresh.id.clone_from(&old.id);
        fresh.created.clone_from(&old.created);
        match self.bookmarks.store.put(fresh) {
            Ok(()) => {
                self.bookmarks.resolved.insert(old.id.clone(), Some((passage, Found::InPlace)));
                self.bookmarks.undo.push(old);
                self.save_bookmarks();
                self.status
                    .get_or_insert_with(|| "re-attached to the paragraph at the top of the reader; u undoes".into());
            }
            Err(e) => self.status = Some(e.to_string()),
        }
    }

    /// `x` in the view: Markdown of every bookmark, written next to `bookmarks.json`.
    fn export_bookmarks(&mut self) {
        let markdown =
            bookmarks::export::to_markdown(self.bookmarks.store.bookmarks(), &self.converter, self.settings.script);
        let dir = self.bookmarks.store.dir().map_or_else(std::env::temp_dir, std::path::Path::to_path_buf);
        let path = dir.join("bookmarks-export.md");
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            crate::durable::replace(&dir, &path, ".bookmarks-export.md.", ".tmp", |out| {
                // Read in terminals as often as in editors: made safe like all output.
                let mut safe = crate::output::SafeWriter::text(out);
                std::io::Write::write_all(&mut safe, markdown.as_bytes())?;
                std::io::Write::flush(&mut safe)
            })
        });
        self.status = Some(match written {
            Ok(()) => format!("exported to {}", path.display()),
            Err(e) => format!("could not export to {}: {e}", path.display()),
        });
    }

    /// Whether bookmark `id` was found in the loaded corpus.
    pub fn bookmark_found(&self, id: &str) -> bool {
        self.bookmarks.resolved.get(id).is_some_and(Option::is_some)
    }
}

/// The first few characters of `text`, on one line.
pub fn first_words(text: &str) -> String {
    // Graphemes, not chars, so an emoji sequence is never cut between its parts.
    let mut graphemes = text.graphemes(true).map(|g| if g == "\n" { " " } else { g });
    let words: String = graphemes.by_ref().take(20).collect();
    if graphemes.next().is_some() { format!("{words}…") } else { words }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bookmarks::{ArticleRef, Quote, SourceRef};

    /// Bookmark `id` made at minute `minute`, of article `article` in `file`, on `quote`.
    fn mark(id: &str, minute: u8, file: &str, article: &str, quote: &str, note: &str) -> Bookmark {
        let time = format!("2026-11-22T10:{minute:02}:00Z");
        Bookmark {
            id: id.into(),
            created: time.clone(),
            updated: time,
            source: SourceRef { name: file.into(), path: None, fingerprint: "0".repeat(16) },
            article: ArticleRef { id: article.into(), title: Some(format!("{article}的标题")) },
            clause: None,
            quote: Quote { text: quote.into(), prefix: String::new(), suffix: String::new(), paragraph: 0, offset: 0 },
            note: note.into(),
        }
    }

    /// Three bookmarks: 1 and 3 found (3 earlier in the text than 1), 2 not found.
    fn state() -> BookmarkState {
        let mut state = BookmarkState::default();
        for b in [
            mark("1", 1, "b.txt", "乙", "各方欢迎中方担任轮值主席国", ""),
            mark("2", 2, "a.txt", "甲", "双方同意加强合作", "待查"),
            mark("3", 3, "c.txt", "丙", "会议通过了宣言", "要点"),
        ] {
            state.store.put(b).expect("put");
        }
        let at = |article, start| Some((Passage { article, range: start..start + 3 }, Found::InPlace));
        state.resolved.insert("1".into(), at(4, 10));
        state.resolved.insert("2".into(), None);
        state.resolved.insert("3".into(), at(4, 2));
        state
    }

    fn ids(state: &BookmarkState) -> Vec<&str> {
        state.rows().iter().map(|b| b.id.as_str()).collect()
    }

    #[test]
    fn rows_are_newest_first_or_in_reading_order_with_the_lost_ones_last() {
        let mut state = state();
        assert_eq!(ids(&state), ["3", "2", "1"]);
        state.toggle_order();
        assert_eq!(state.order, Order::ByArticle);
        assert_eq!(ids(&state), ["3", "1", "2"], "found ones by place in the text, then the one not found");
        state.toggle_order();
        assert_eq!(ids(&state), ["3", "2", "1"]);
    }

    #[test]
    fn the_filter_looks_at_title_passage_and_note_in_any_script() {
        let mut state = state();
        state.filter = "各方歡迎".into();
        assert_eq!(ids(&state), ["1"], "the passage, typed in traditional script");
        state.filter = "待查".into();
        assert_eq!(ids(&state), ["2"], "the note");
        state.filter = "丙的標題".into();
        assert_eq!(ids(&state), ["3"], "the title");
        state.filter = "没有这个".into();
        assert!(ids(&state).is_empty());
    }

    #[test]
    fn a_deleted_bookmark_waits_on_the_undo_list() {
        let mut state = state();
        assert!(state.delete("2"));
        assert_eq!(ids(&state), ["3", "1"]);
        assert!(!state.resolved.contains_key("2"));
        assert_eq!(state.undo.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), ["2"]);
        assert!(!state.delete("2"), "gone already");
        assert_eq!(state.undo.len(), 1);
    }

    #[test]
    fn a_found_bookmark_is_reattached_only_on_a_second_a() {
        let mut state = state();
        assert!(state.reattach_now("2", None), "not found: at once");
        assert_eq!(state.confirm_reattach, None);
        assert!(!state.reattach_now("1", None), "found: asked first");
        assert_eq!(state.confirm_reattach.as_deref(), Some("1"));
        assert!(state.reattach_now("1", Some("1")), "a again on the same one");
        assert!(!state.reattach_now("3", Some("1")), "a on another found one asks again");
        assert_eq!(state.confirm_reattach.as_deref(), Some("3"));
    }
}

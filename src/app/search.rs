//! The reader's side of search: the prompt as you type, `n`/`N` through the article and on into
//! the next one, the results list, and what to highlight. Matching itself is [`crate::search`].

use super::Action;
use super::{App, Highlight, HighlightKind, Overlay, PromptKind, ResultRow, SearchState};
use crate::search::{Match, Query, folder};

impl App {
    pub(super) fn open_search_prompt(&mut self, corpus: bool) {
        self.saved_search = self.search.clone();
        let input =
            if corpus { self.search.as_ref().map(|s| s.query.text.clone()).unwrap_or_default() } else { String::new() };
        self.overlay = Overlay::Prompt {
            kind: PromptKind::Search { origin: self.top, corpus },
            input: super::edit::Edit::new(input),
            recall: super::edit::Recall::default(),
        };
    }

    /// Incremental search: the first match at or below where the prompt opened (else the first
    /// in the article) comes into view as each key is typed.
    pub(super) fn search_as_typed(&mut self, typed: &str, origin: usize) {
        self.top = origin.min(self.max_top());
        if typed.trim().is_empty() {
            self.search = None;
            self.refresh_highlights();
            return;
        }
        self.set_search(Query::new(typed, self.exact));
        let Some(search) = &self.search else { return };
        let lines: Vec<Option<usize>> = search.matches.iter().map(|m| self.match_line(m)).collect();
        let below = lines.iter().position(|l| l.is_some_and(|l| l >= origin));
        let target = below.or(if lines.is_empty() { None } else { Some(0) });
        if let Some(i) = target {
            self.go_to_match(i);
        }
    }

    /// `Enter` in the search prompt: keep the search, and say how far it reaches.
    pub(super) fn confirm_search(&mut self, typed: &str, corpus: bool) {
        if typed.trim().is_empty() {
            // Nothing typed: no search. Repeating the previous one unasked (as `less` does) left
            // its highlights up with no way to see why; `↑` in the prompt brings it back.
            let previous = self.saved_search.take().map(|s| s.query.text);
            self.clear_search();
            if let Some(query) = previous {
                let key = super::keymap::keys_for(super::Scope::Prompt, Action::HistoryPrevious);
                let recall =
                    key.first().map_or_else(String::new, |k| format!("; {} in the prompt recalls it", k.label()));
                self.status = Some(format!("search for '{query}' cleared{recall}"));
            }
            return;
        }
        self.saved_search = None;
        if self.search.as_ref().is_none_or(|s| s.query.text != typed || s.query.exact != self.exact) {
            self.set_search(Query::new(typed, self.exact));
        }
        let Some(query) = self.search.as_ref().map(|s| s.query.clone()) else { return };
        if corpus {
            self.show_results(&query);
            return;
        }
        let (total, articles) = self.corpus_count(&query);
        let here = self.search.as_ref().map_or(0, |s| s.matches.len());
        self.status = Some(if total == 0 {
            format!("no match for '{}'", query.text)
        } else if here == 0 {
            format!("none here; {total} in {articles} other article(s): n goes there, F lists")
        } else {
            format!("{total} in {articles} article(s), F lists")
        });
    }

    /// No search: its highlights go, and `n` has nothing to repeat.
    pub(super) fn clear_search(&mut self) {
        self.search = None;
        self.refresh_highlights();
    }

    /// `Esc` in the reader: the search's highlights go if the open article shows any, as with
    /// vim's `:noh` (`n` still finds the next match, and shows them again); else it is the way
    /// back to the library.
    pub(super) fn clear_highlights_or_leave(&mut self) {
        match &mut self.search {
            Some(s) if s.article == self.open && !s.matches.is_empty() && !s.hidden => {
                s.hidden = true;
                let query = s.query.text.clone();
                self.refresh_highlights();
                let keys = super::keymap::keys_for(super::Scope::Reader, Action::NextMatch);
                let next = keys.first().map_or_else(String::new, |k| format!("; {} shows them again", k.label()));
                self.status = Some(format!("highlights of '{query}' cleared{next}"));
            }
            _ => self.update(Action::SwitchFocus),
        }
    }

    /// Makes `query` the search, with its matches in the open article.
    fn set_search(&mut self, query: Query) {
        let matches = self.index.search_article(&self.corpus, &query, folder(), self.open);
        self.search =
            Some(SearchState { query, article: self.open, matches, current: None, leaving: None, hidden: false });
        self.refresh_highlights();
    }

    /// After another article was opened: the search's matches there.
    pub(super) fn refresh_search(&mut self) {
        if let Some(s) = &self.search
            && s.article != self.open
        {
            let query = s.query.clone();
            self.set_search(query);
        } else {
            self.refresh_highlights();
        }
    }

    fn corpus_count(&self, query: &Query) -> (usize, usize) {
        let (mut total, mut articles, mut last) = (0, 0, None);
        self.index.search(&self.corpus, query, folder(), |m| {
            total += 1;
            if last != Some(m.article) {
                articles += 1;
                last = Some(m.article);
            }
            true
        });
        (total, articles)
    }

    /// `n` (`by` 1) or `N` (-1).
    pub(super) fn step_match(&mut self, by: i8) {
        let Some(search) = &self.search else {
            self.status = Some("no search yet: / searches".into());
            return;
        };
        let page = self.page_height();
        let lines: Vec<Option<usize>> = search.matches.iter().map(|m| self.match_line(m)).collect();
        // From the current match while it is on screen, else from the screen.
        let visible = |l: Option<usize>| l.is_some_and(|l| l >= self.top && l < self.top + page);
        let target = match search.current.filter(|&c| visible(lines[c])) {
            Some(c) if by > 0 => (c + 1 < lines.len()).then_some(c + 1),
            Some(c) => c.checked_sub(1),
            None if by > 0 => lines.iter().position(|l| l.is_some_and(|l| l >= self.top)),
            None => lines.iter().rposition(|l| l.is_some_and(|l| l < self.top)),
        };
        if let Some(i) = target {
            self.go_to_match(i);
            return;
        }
        if search.leaving == Some(by) {
            self.leave_for_article(by);
            return;
        }
        let query = search.query.clone();
        let word = if by > 0 { "last" } else { "first" };
        let key = if by > 0 { "n" } else { "N" };
        let next = self.article_with_match(&query, by);
        self.status = Some(match next {
            Some(a) if search.matches.is_empty() => format!("no match here; {key} again: article {}", a + 1),
            Some(a) => format!("{word} match in this article; {key} again: article {}", a + 1),
            None if search.matches.is_empty() => format!("no match for '{}'", query.text),
            None => format!("{word} match; no other article has one"),
        });
        if next.is_some()
            && let Some(s) = &mut self.search
        {
            s.leaving = Some(by);
        }
    }

    /// The nearest article after (`by` 1) or before (-1) the open one with a match, wrapping
    /// around the corpus.
    fn article_with_match(&self, query: &Query, by: i8) -> Option<usize> {
        let open = self.open;
        let mut found = None;
        if by > 0 {
            let mut first_before = None;
            self.index.search(&self.corpus, query, folder(), |m| {
                if m.article > open {
                    found = Some(m.article);
                    return false;
                }
                if m.article < open && first_before.is_none() {
                    first_before = Some(m.article);
                }
                true
            });
            found.or(first_before)
        } else {
            let mut last_after = None;
            self.index.search(&self.corpus, query, folder(), |m| {
                if m.article < open {
                    found = Some(m.article);
                } else if m.article > open {
                    last_after = Some(m.article);
                }
                true
            });
            found.or(last_after)
        }
    }

    fn leave_for_article(&mut self, by: i8) {
        let Some(query) = self.search.as_ref().map(|s| s.query.clone()) else { return };
        let Some(article) = self.article_with_match(&query, by) else { return };
        self.selected = article;
        self.open_article(article);
        let count = self.search.as_ref().map_or(0, |s| s.matches.len());
        if count > 0 {
            self.go_to_match(if by > 0 { 0 } else { count - 1 });
        }
        let title = self.library_title(article);
        self.status = Some(format!("article {}: {title}", article + 1));
    }

    /// Scrolls match `i` of the open article into view, a third of the way down the page.
    pub(super) fn go_to_match(&mut self, i: usize) {
        let Some(search) = &mut self.search else { return };
        search.current = Some(i);
        search.leaving = None;
        search.hidden = false;
        let line = search.matches.get(i).cloned().and_then(|m| self.match_line(&m));
        if let Some(line) = line {
            let page = self.page_height();
            if line < self.top || line >= self.top + page {
                self.top = line.saturating_sub(page / 3).min(self.max_top());
            }
        }
        self.refresh_highlights();
    }

    /// The results list for `query`: every article with matches, grouped by source.
    pub(super) fn show_results(&mut self, query: &Query) {
        let mut matches = Vec::new();
        self.index.search(&self.corpus, query, folder(), |m| {
            matches.push(m);
            true
        });
        if matches.is_empty() {
            self.status = Some(format!("no match for '{}'", query.text));
            return;
        }
        let mut rows = Vec::new();
        let mut source = None;
        let mut i = 0;
        while i < matches.len() {
            let article = matches[i].article;
            let count = matches[i..].iter().take_while(|m| m.article == article).count();
            let s = self.corpus.articles[article].source_index;
            if source != Some(s) {
                source = Some(s);
                rows.push(ResultRow::Source(s));
            }
            rows.push(ResultRow::Article { article, count });
            rows.extend(matches[i..i + count].iter().cloned().map(ResultRow::Match));
            i += count;
        }
        self.results = rows;
        // Start at the first match in or after the open article.
        let selected = self
            .results
            .iter()
            .position(|r| matches!(r, ResultRow::Match(m) if m.article >= self.open))
            .or_else(|| self.results.iter().position(|r| matches!(r, ResultRow::Match(_))))
            .unwrap_or(0);
        self.overlay = Overlay::Results { selected };
    }

    /// Opens the article of results row `row` at its match (an article row: at its first).
    pub(super) fn open_result(&mut self, row: usize) {
        let target = match self.results.get(row) {
            Some(ResultRow::Match(m)) => Some(m.clone()),
            Some(ResultRow::Article { .. }) => match self.results.get(row + 1) {
                Some(ResultRow::Match(m)) => Some(m.clone()),
                _ => None,
            },
            _ => None,
        };
        let Some(m) = target else { return };
        let query = self.search.as_ref().map(|s| s.query.clone()).unwrap_or_default();
        self.selected = m.article;
        self.open_article(m.article);
        self.focus = super::Pane::Reader;
        if self.search.as_ref().is_none_or(|s| s.query != query) {
            self.set_search(query);
        }
        let i = self.search.as_ref().and_then(|s| s.matches.iter().position(|x| *x == m));
        if let Some(i) = i {
            self.go_to_match(i);
        }
    }

    /// The layout line where match `m` of the open article starts.
    pub fn match_line(&self, m: &Match) -> Option<usize> {
        let (text, range) = self.converted_range(m)?;
        let first = *self.layout.paragraph_line.get(m.paragraph)?;
        let lines = self.layout.lines.get(first..)?;
        let last = lines.iter().take_while(|l| l.text == text).count();
        let within = lines[..last].iter().position(|l| range.start < l.row.end.max(l.row.start + 1));
        Some(first + within.unwrap_or(last.saturating_sub(1)))
    }

    /// The layout text of `m`'s paragraph and the match's byte range in it (converted script).
    pub(super) fn converted_range(&self, m: &Match) -> Option<(usize, std::ops::Range<usize>)> {
        if m.article != self.layout.article {
            return None;
        }
        let original = &self.corpus.articles.get(m.article)?.paragraphs.get(m.paragraph)?.text;
        let line = self.layout.lines.get(*self.layout.paragraph_line.get(m.paragraph)?)?;
        let shown = self.layout.texts.get(line.text)?;
        let range = if shown == original {
            m.range.clone()
        } else {
            converted_offset(original, shown, m.range.start)..converted_offset(original, shown, m.range.end)
        };
        Some((line.text, range))
    }

    /// Recomputes what the reader highlights: the search's matches in the open article.
    pub(super) fn refresh_highlights(&mut self) {
        self.highlights.clear();
        let mut out = self.selection_highlights();
        out.extend(self.lookup_highlight());
        let Some(search) = self.search.as_ref().filter(|s| s.article == self.open && !s.hidden) else {
            self.highlights = out;
            return;
        };
        for (i, m) in search.matches.iter().enumerate() {
            if let Some((text, range)) = self.converted_range(m) {
                let kind = if search.current == Some(i) { HighlightKind::CurrentMatch } else { HighlightKind::Match };
                out.push(Highlight { text, range, kind });
            }
        }
        // Drawn in text order; a match inside the selection is drawn as a match.
        out.sort_by_key(|h| (h.text, h.range.start, h.kind == HighlightKind::Selection));
        self.highlights = out;
    }

    /// Match `i` of the open article and how many there are, for the status line.
    pub fn match_position(&self) -> Option<(Option<usize>, usize)> {
        let s = self.search.as_ref()?;
        (s.article == self.open && !s.matches.is_empty() && !s.hidden).then_some((s.current, s.matches.len()))
    }
}

/// Byte offset in `converted` of the character at byte `at` of `original`. Conversion keeps
/// the number of characters (the engines map character for character, phrases included, and
/// the overlay replaces sequences of equal length), so the n-th character corresponds; if a
/// conversion ever changed the count, the offset is scaled instead, which stays in bounds.
pub(crate) fn converted_offset(original: &str, converted: &str, at: usize) -> usize {
    let index = original.get(..at).map_or(0, |s| s.chars().count());
    match converted.char_indices().nth(index) {
        Some((b, _)) => b,
        None => converted.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::converted_offset;

    #[test]
    fn offsets_follow_characters_through_conversion() {
        let original = "各方欢迎中欧(亚)班列";
        let converted = "各方歡迎中歐(亞)班列";
        let at = original.find("中欧").unwrap_or(0);
        assert_eq!(&converted[converted_offset(original, converted, at)..], "中歐(亞)班列");
        assert_eq!(converted_offset(original, converted, original.len()), converted.len());
        assert_eq!(converted_offset(original, "短", at), "短".len());
    }
}

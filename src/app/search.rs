//! The reader's side of search: the prompt as you type, `n`/`N` through the article and on into
//! the next one, the results list, and what to highlight. Matching itself is [`crate::search`].

use super::Action;
use super::{App, Highlight, HighlightKind, Overlay, PromptKind};
use crate::search::{Match, Query, folder};

/// The search view's state: the search and where it stands, the one a prompt goes back to, how
/// it compares, its prompt's history and the results list. What changes only it is its own
/// methods here (unit-tested below); what also needs the corpus, the index or the layout is
/// `App`'s, further down.
#[derive(Debug, Default)]
pub struct Search {
    /// The last search and its matches in the open article.
    pub active: Option<SearchState>,
    /// The search before a prompt opened, restored when it is cancelled.
    saved: Option<SearchState>,
    /// Searches compare the text as written when true (`Ctrl-x` in the prompt).
    pub exact: bool,
    /// Queries confirmed in the search prompts, for `↑`/`↓` there.
    pub history: super::edit::History,
    /// Rows of the search results list.
    pub results: Vec<ResultRow>,
}

/// A search and where it stands in the open article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchState {
    pub query: Query,
    /// The article `matches` are in.
    pub article: usize,
    pub matches: Vec<Match>,
    /// The match last moved to.
    pub current: Option<usize>,
    /// `n` (1) or `N` (-1) was pressed with no match left that way: pressing it again moves to the
    /// next article with matches. Reset by any other move.
    pub leaving: Option<i8>,
    /// `Esc` took the highlights away; the next `n`/`N` brings them back.
    pub hidden: bool,
}

/// A row of the search results list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultRow {
    Source(usize),
    Article { article: usize, count: usize },
    Match(Match),
}

impl Search {
    /// A search prompt opens: the search so far is kept to go back to. The text the prompt
    /// starts with: the query, for the corpus-wide search; else nothing.
    pub fn open_prompt(&mut self, corpus: bool) -> String {
        self.saved = self.active.clone();
        if corpus { self.active.as_ref().map(|s| s.query.text.clone()).unwrap_or_default() } else { String::new() }
    }

    /// The prompt was cancelled: the search from before it comes back, as it was.
    pub fn cancel_prompt(&mut self) {
        self.active = self.saved.take();
    }

    /// `Enter` with nothing typed: no search. The query of the search before the prompt, if
    /// there was one, to say what was cleared.
    pub fn clear_from_prompt(&mut self) -> Option<String> {
        self.active = None;
        self.saved.take().map(|s| s.query.text)
    }

    /// `Enter` on `typed`: the search before the prompt is forgotten. Whether `typed` is to be
    /// searched anew (the search as typed differs from it, or in how it compares).
    pub fn confirm_prompt(&mut self, typed: &str) -> bool {
        self.saved = None;
        self.active.as_ref().is_none_or(|s| s.query.text != typed || s.query.exact != self.exact)
    }

    /// `Ctrl-x` in the prompt: compare as written, or in any script.
    pub fn toggle_exact(&mut self) {
        self.exact = !self.exact;
    }

    /// `Esc` in the reader, article `open` open: the search's highlights there go (as vim's
    /// `:noh`) if it shows any. The query when they went.
    pub fn hide(&mut self, open: usize) -> Option<String> {
        match &mut self.active {
            Some(s) if s.article == open && !s.matches.is_empty() && !s.hidden => {
                s.hidden = true;
                Some(s.query.text.clone())
            }
            _ => None,
        }
    }

    /// Moving to match `i`: it becomes the current one, the highlights show again, and `n`/`N`
    /// no longer leave the article. False without a search.
    pub fn go_to(&mut self, i: usize) -> bool {
        let Some(search) = &mut self.active else { return false };
        search.current = Some(i);
        search.leaving = None;
        search.hidden = false;
        true
    }

    /// `n` (`by` 1) or `N` (-1) found no match left that way: pressed again, it leaves the article.
    pub fn mark_leaving(&mut self, by: i8) {
        if let Some(s) = &mut self.active {
            s.leaving = Some(by);
        }
    }

    /// The row the results list starts on: the first match in or after article `open`, else
    /// the first match.
    pub fn first_result_row(&self, open: usize) -> usize {
        let rows = &self.results;
        rows.iter()
            .position(|r| matches!(r, ResultRow::Match(m) if m.article >= open))
            .or_else(|| rows.iter().position(|r| matches!(r, ResultRow::Match(_))))
            .unwrap_or(0)
    }

    /// The match results row `row` leads to: its own, or an article row's first.
    pub fn result_match(&self, row: usize) -> Option<Match> {
        match self.results.get(row) {
            Some(ResultRow::Match(m)) => Some(m.clone()),
            Some(ResultRow::Article { .. }) => match self.results.get(row + 1) {
                Some(ResultRow::Match(m)) => Some(m.clone()),
                _ => None,
            },
            _ => None,
        }
    }
}

impl App {
    pub(super) fn open_search_prompt(&mut self, corpus: bool) {
        let input = self.search.open_prompt(corpus);
        self.overlay = Overlay::Prompt {
            kind: PromptKind::Search { origin: self.reader.top, corpus },
            input: super::edit::Edit::new(input),
            recall: super::edit::Recall::default(),
        };
    }

    /// Incremental search: the first match at or below where the prompt opened (else the first
    /// in the article) comes into view as each key is typed.
    pub(super) fn search_as_typed(&mut self, typed: &str, origin: usize) {
        self.reader.top = origin.min(self.max_top());
        if typed.trim().is_empty() {
            self.search.active = None;
            self.refresh_highlights();
            return;
        }
        self.set_search(Query::new(typed, self.search.exact));
        let Some(search) = &self.search.active else { return };
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
            let previous = self.search.clear_from_prompt();
            self.refresh_highlights();
            if let Some(query) = previous {
                let key = super::keymap::keys_for(super::Scope::Prompt, Action::HistoryPrevious);
                let recall =
                    key.first().map_or_else(String::new, |k| format!("; {} in the prompt recalls it", k.label()));
                self.status = Some(format!("search for '{query}' cleared{recall}"));
            }
            return;
        }
        if self.search.confirm_prompt(typed) {
            self.set_search(Query::new(typed, self.search.exact));
        }
        let Some(query) = self.search.active.as_ref().map(|s| s.query.clone()) else { return };
        if corpus {
            self.show_results(&query);
            return;
        }
        let (total, articles) = self.corpus_count(&query);
        let here = self.search.active.as_ref().map_or(0, |s| s.matches.len());
        self.status = Some(if total == 0 {
            format!("no match for '{}'", query.text)
        } else if here == 0 {
            format!("none here; {total} in {articles} other article(s): n goes there, F lists")
        } else {
            format!("{total} in {articles} article(s), F lists")
        });
    }

    /// `Esc` in the reader: the search's highlights go if the open article shows any, as with
    /// vim's `:noh` (`n` still finds the next match, and shows them again); else it is the way
    /// back to the library.
    pub(super) fn clear_highlights_or_leave(&mut self) {
        if let Some(query) = self.search.hide(self.reader.open) {
            self.refresh_highlights();
            let keys = super::keymap::keys_for(super::Scope::Reader, Action::NextMatch);
            let next = keys.first().map_or_else(String::new, |k| format!("; {} shows them again", k.label()));
            self.status = Some(format!("highlights of '{query}' cleared{next}"));
        } else {
            self.update(Action::SwitchFocus);
        }
    }

    /// Makes `query` the search, with its matches in the open article.
    fn set_search(&mut self, query: Query) {
        let matches = self.index.search_article(&self.corpus, &query, folder(), self.reader.open);
        self.search.active = Some(SearchState {
            query,
            article: self.reader.open,
            matches,
            current: None,
            leaving: None,
            hidden: false,
        });
        self.refresh_highlights();
    }

    /// After another article was opened: the search's matches there.
    pub(super) fn refresh_search(&mut self) {
        if let Some(s) = &self.search.active
            && s.article != self.reader.open
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
        let Some(search) = &self.search.active else {
            self.status = Some("no search yet: / searches".into());
            return;
        };
        let page = self.page_height();
        let lines: Vec<Option<usize>> = search.matches.iter().map(|m| self.match_line(m)).collect();
        // From the current match while it is on screen, else from the screen.
        let visible = |l: Option<usize>| l.is_some_and(|l| l >= self.reader.top && l < self.reader.top + page);
        let target = match search.current.filter(|&c| visible(lines[c])) {
            Some(c) if by > 0 => (c + 1 < lines.len()).then_some(c + 1),
            Some(c) => c.checked_sub(1),
            None if by > 0 => lines.iter().position(|l| l.is_some_and(|l| l >= self.reader.top)),
            None => lines.iter().rposition(|l| l.is_some_and(|l| l < self.reader.top)),
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
        if next.is_some() {
            self.search.mark_leaving(by);
        }
    }

    /// The nearest article after (`by` 1) or before (-1) the open one with a match, wrapping
    /// around the corpus.
    fn article_with_match(&self, query: &Query, by: i8) -> Option<usize> {
        let open = self.reader.open;
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
        let Some(query) = self.search.active.as_ref().map(|s| s.query.clone()) else { return };
        let Some(article) = self.article_with_match(&query, by) else { return };
        self.selected = article;
        self.open_article(article);
        let count = self.search.active.as_ref().map_or(0, |s| s.matches.len());
        if count > 0 {
            self.go_to_match(if by > 0 { 0 } else { count - 1 });
        }
        let title = self.library_title(article);
        self.status = Some(format!("article {}: {title}", article + 1));
    }

    /// Scrolls match `i` of the open article into view, a third of the way down the page.
    pub(super) fn go_to_match(&mut self, i: usize) {
        if !self.search.go_to(i) {
            return;
        }
        let m = self.search.active.as_ref().and_then(|s| s.matches.get(i)).cloned();
        let line = m.and_then(|m| self.match_line(&m));
        if let Some(line) = line {
            let page = self.page_height();
            if line < self.reader.top || line >= self.reader.top + page {
                self.reader.top = line.saturating_sub(page / 3).min(self.max_top());
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
        self.search.results = rows;
        // Start at the first match in or after the open article.
        self.overlay = Overlay::Results { selected: self.search.first_result_row(self.reader.open) };
    }

    /// Opens the article of results row `row` at its match (an article row: at its first).
    pub(super) fn open_result(&mut self, row: usize) {
        let Some(m) = self.search.result_match(row) else { return };
        let query = self.search.active.as_ref().map(|s| s.query.clone()).unwrap_or_default();
        self.selected = m.article;
        self.open_article(m.article);
        self.focus = super::Pane::Reader;
        if self.search.active.as_ref().is_none_or(|s| s.query != query) {
            self.set_search(query);
        }
        let i = self.search.active.as_ref().and_then(|s| s.matches.iter().position(|x| *x == m));
        if let Some(i) = i {
            self.go_to_match(i);
        }
    }

    /// The layout line where match `m` of the open article starts.
    pub fn match_line(&self, m: &Match) -> Option<usize> {
        let (text, range) = self.converted_range(m)?;
        let first = *self.reader.layout.paragraph_line.get(m.paragraph)?;
        let lines = self.reader.layout.lines.get(first..)?;
        let last = lines.iter().take_while(|l| l.text == text).count();
        let within = lines[..last].iter().position(|l| range.start < l.row.end.max(l.row.start + 1));
        Some(first + within.unwrap_or(last.saturating_sub(1)))
    }

    /// The layout text of `m`'s paragraph and the match's byte range in it (converted script).
    pub(super) fn converted_range(&self, m: &Match) -> Option<(usize, std::ops::Range<usize>)> {
        if m.article != self.reader.layout.article {
            return None;
        }
        let original = &self.corpus.articles.get(m.article)?.paragraphs.get(m.paragraph)?.text;
        let line = self.reader.layout.lines.get(*self.reader.layout.paragraph_line.get(m.paragraph)?)?;
        let shown = self.reader.layout.texts.get(line.text)?;
        let range = if shown == original {
            m.range.clone()
        } else {
            converted_offset(original, shown, m.range.start)..converted_offset(original, shown, m.range.end)
        };
        Some((line.text, range))
    }

    /// Recomputes what the reader highlights: the search's matches in the open article.
    pub(super) fn refresh_highlights(&mut self) {
        self.reader.highlights.clear();
        let mut out = self.selection_highlights();
        out.extend(self.lookup_highlight());
        let Some(search) = self.search.active.as_ref().filter(|s| s.article == self.reader.open && !s.hidden) else {
            self.reader.highlights = out;
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
        self.reader.highlights = out;
    }

    /// Match `i` of the open article and how many there are, for the status line.
    pub fn match_position(&self) -> Option<(Option<usize>, usize)> {
        let s = self.search.active.as_ref()?;
        (s.article == self.reader.open && !s.matches.is_empty() && !s.hidden).then_some((s.current, s.matches.len()))
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
    use super::{ResultRow, Search, SearchState, converted_offset};
    use crate::search::{Match, Query};

    fn hit(article: usize, at: usize) -> Match {
        Match { article, paragraph: 0, range: at..at + 3 }
    }

    /// A search for `text` in article `article`, with `matches` there.
    fn searching(text: &str, article: usize, matches: usize) -> Search {
        let matches = (0..matches).map(|i| hit(article, i * 6)).collect();
        let state = SearchState {
            query: Query::new(text, false),
            article,
            matches,
            current: Some(0),
            leaving: None,
            hidden: false,
        };
        Search { active: Some(state), ..Search::default() }
    }

    #[test]
    fn cancelling_a_prompt_brings_back_the_search_from_before_it_as_it_was() {
        let mut search = searching("各方", 2, 3);
        search.mark_leaving(1);
        let before = search.active.clone();
        assert_eq!(search.open_prompt(false), "", "a new search starts empty");
        // What is typed meanwhile searches as it goes.
        search.active = searching("会晤", 2, 1).active;
        search.cancel_prompt();
        assert_eq!(search.active, before, "current match and leaving kept");
        // A second cancel has nothing more to bring back.
        search.cancel_prompt();
        assert_eq!(search.active, None);
    }

    #[test]
    fn the_corpus_wide_prompt_starts_with_the_query() {
        let mut search = searching("各方", 0, 1);
        assert_eq!(search.open_prompt(true), "各方");
        assert_eq!(Search::default().open_prompt(true), "");
    }

    #[test]
    fn an_empty_prompt_clears_the_search_and_says_which_one_once() {
        let mut search = searching("各方", 0, 1);
        search.open_prompt(false);
        assert_eq!(search.clear_from_prompt().as_deref(), Some("各方"));
        assert_eq!(search.active, None);
        assert_eq!(search.clear_from_prompt(), None, "said once");
    }

    #[test]
    fn confirming_searches_anew_only_what_differs_and_forgets_the_search_before() {
        let mut search = searching("各方", 0, 1);
        search.open_prompt(false);
        assert!(!search.confirm_prompt("各方"), "already searched as typed");
        assert!(search.confirm_prompt("各"));
        search.toggle_exact();
        assert!(search.exact);
        assert!(search.confirm_prompt("各方"), "the same text compared otherwise");
        assert_eq!(search.clear_from_prompt(), None, "nothing from before the prompt is left");
        search.toggle_exact();
        assert!(!search.exact);
    }

    #[test]
    fn esc_hides_highlights_only_where_they_show_and_moving_shows_them_again() {
        let mut search = searching("各方", 2, 3);
        assert_eq!(search.hide(1), None, "another article open");
        assert_eq!(search.hide(2).as_deref(), Some("各方"));
        assert_eq!(search.hide(2), None, "already hidden");
        search.mark_leaving(-1);
        assert!(search.go_to(1));
        let state = search.active.as_ref().expect("search");
        assert_eq!((state.current, state.leaving, state.hidden), (Some(1), None, false));
        // No match in the open article: nothing to hide (Esc goes back to the library).
        assert_eq!(searching("各方", 2, 0).hide(2), None);
        assert!(!Search::default().go_to(0), "no search to move in");
    }

    #[test]
    fn the_results_list_starts_at_the_open_article_and_rows_lead_to_matches() {
        let mut search = Search {
            results: vec![
                ResultRow::Source(0),
                ResultRow::Article { article: 1, count: 1 },
                ResultRow::Match(hit(1, 0)),
                ResultRow::Article { article: 4, count: 2 },
                ResultRow::Match(hit(4, 0)),
                ResultRow::Match(hit(4, 6)),
            ],
            ..Search::default()
        };
        assert_eq!(search.first_result_row(0), 2);
        assert_eq!(search.first_result_row(3), 4, "the first match at or after the open article");
        assert_eq!(search.first_result_row(9), 2, "none after it: the first");
        assert_eq!(search.result_match(3), Some(hit(4, 0)), "an article row: its first match");
        assert_eq!(search.result_match(5), Some(hit(4, 6)));
        assert_eq!(search.result_match(0), None, "a source row leads nowhere");
        assert_eq!(search.result_match(9), None);
        search.results.clear();
        assert_eq!(search.first_result_row(0), 0);
    }

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

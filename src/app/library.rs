//! The library pane's state: its rows (each source, then its articles the title filter lets
//! through), the filter, and where its selection moves. Rebuilt when files load or the filter
//! changes, so a frame does not walk the corpus.

use std::collections::HashMap;

use unicode_segmentation::UnicodeSegmentation;

use crate::corpus::{Article, Corpus};
use crate::search::folder;

/// A row of the library list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryRow {
    Source(usize),
    Article(usize),
}

/// The library's rows and filter.
#[derive(Debug, Default)]
pub struct Library {
    /// Title filter as typed (empty: none).
    pub filter: String,
    /// Each source, then its articles (those the filter lets through; with a filter, sources
    /// with none are left out).
    pub rows: Vec<LibraryRow>,
    /// The articles the filter shows.
    visible: Vec<usize>,
    /// Row of each article in `rows`, for keeping the selection in view.
    row_of: Vec<Option<usize>>,
    /// How many loaded sources have each file name: those sharing one show their folder.
    source_names: HashMap<String, usize>,
}

/// The title the library shows for `article`, in the original script: its title or, when it
/// has none, its first words.
pub fn title(article: &Article) -> String {
    match &article.title {
        Some(t) => t.clone(),
        // Cut by grapheme, not char: a char cut can split an emoji sequence (`#` VS16 U+20E3)
        // and leave its joiner alone in a cell (found by fuzzing render_frames).
        None => article.paragraphs.iter().flat_map(|p| p.text.graphemes(true)).take(14).collect(),
    }
}

impl Library {
    /// Rebuilds the rows for `corpus`: after files load and when the filter changes.
    pub fn rebuild(&mut self, corpus: &Corpus) {
        let wanted = folder().fold(&self.filter);
        self.visible = (0..corpus.articles.len())
            .filter(|&i| wanted.is_empty() || folder().fold(&title(&corpus.articles[i])).contains(&wanted))
            .collect();
        let mut by_source: Vec<Vec<usize>> = vec![Vec::new(); corpus.sources.len()];
        for &i in &self.visible {
            if let Some(list) = by_source.get_mut(corpus.articles[i].source_index) {
                list.push(i);
            }
        }
        let filtering = !wanted.is_empty();
        self.source_names.clear();
        self.count_source_names(corpus, 0);
        self.rows.clear();
        self.row_of = vec![None; corpus.articles.len()];
        for (s, articles) in by_source.into_iter().enumerate() {
            if filtering && articles.is_empty() {
                continue;
            }
            self.rows.push(LibraryRow::Source(s));
            for a in articles {
                self.row_of[a] = Some(self.rows.len());
                self.rows.push(LibraryRow::Article(a));
            }
        }
    }

    /// Adds the rows of `corpus`'s sources from `first_source` on (articles from
    /// `first_article`): files that just loaded. Linear in what is new, so loading many files
    /// stays linear; with a filter typed, the whole list is rebuilt instead.
    pub fn extend(&mut self, corpus: &Corpus, first_source: usize, first_article: usize) {
        if !self.filter.is_empty() {
            self.rebuild(corpus);
            return;
        }
        self.row_of.resize(corpus.articles.len(), None);
        self.count_source_names(corpus, first_source);
        let mut article = first_article;
        for s in first_source..corpus.sources.len() {
            self.rows.push(LibraryRow::Source(s));
            while corpus.articles.get(article).is_some_and(|a| a.source_index == s) {
                self.visible.push(article);
                self.row_of[article] = Some(self.rows.len());
                self.rows.push(LibraryRow::Article(article));
                article += 1;
            }
        }
    }

    fn count_source_names(&mut self, corpus: &Corpus, first: usize) {
        for src in corpus.sources.get(first..).unwrap_or_default() {
            *self.source_names.entry(src.name.clone()).or_default() += 1;
        }
    }

    /// Articles shown, in order: all, or those whose title matches the filter.
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// Row of article `i`, if shown.
    pub fn row_of(&self, i: usize) -> Option<usize> {
        self.row_of.get(i).copied().flatten()
    }

    /// First row shown in a pane `height` rows high, keeping article `selected` in view.
    pub fn offset(&self, selected: usize, height: usize) -> usize {
        let at = self.row_of(selected).unwrap_or(0);
        at.saturating_sub(height.saturating_sub(1) / 2).min(self.rows.len().saturating_sub(height))
    }

    /// The article `by` shown articles from `selected` (`isize::MIN`/`MAX`: the first/last);
    /// `None` when none is shown.
    pub fn step(&self, selected: usize, by: isize) -> Option<usize> {
        let visible = &self.visible;
        let &last = visible.last()?;
        let at = visible.partition_point(|&i| i < selected);
        Some(match by {
            isize::MIN => visible[0],
            isize::MAX => last,
            _ => visible[at.saturating_add_signed(by).min(visible.len() - 1)],
        })
    }

    /// The selection once the filter changed: `selected` if still shown, else the first
    /// article shown (`selected` when none is).
    pub fn keep(&self, selected: usize) -> usize {
        match self.visible.first() {
            Some(&first) if !self.visible.contains(&selected) => first,
            _ => selected,
        }
    }

    /// The name shown for source `s` of `corpus` (not yet display-safe): its file name, with
    /// its folder when another loaded file has the same name (`a/page.txt`, `b/page.txt`).
    pub fn source_label(&self, corpus: &Corpus, s: usize) -> String {
        let Some(src) = corpus.sources.get(s) else { return String::new() };
        let folder = src
            .path
            .as_deref()
            .filter(|_| self.source_names.get(&src.name).is_some_and(|&n| n > 1))
            .and_then(|p| std::path::Path::new(p).parent()?.file_name()?.to_str());
        match folder {
            Some(folder) => format!("{folder}/{}", src.name),
            None => src.name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::load::RawDoc;

    /// One article per file: (path, title).
    fn corpus(files: &[(&str, &str)]) -> Corpus {
        let docs: Vec<RawDoc> = files
            .iter()
            .map(|(path, title)| {
                let path = std::path::PathBuf::from(path);
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
                let text = format!("# {title}\n\n本报北京3月1日电 正文第一段。\n\n正文第二段。\n");
                RawDoc { name, path: Some(path), bytes: text.into_bytes() }
            })
            .collect();
        let corpus = Corpus::from_docs(&docs, None).0;
        assert_eq!(corpus.articles.len(), files.len(), "one article a file");
        corpus
    }

    fn news() -> Corpus {
        corpus(&[("x/a.txt", "外交部声明"), ("x/b.txt", "经济新闻"), ("y/c.txt", "外交部发言人答记者问")])
    }

    fn library(corpus: &Corpus, filter: &str) -> Library {
        let mut library = Library { filter: filter.into(), ..Library::default() };
        library.rebuild(corpus);
        library
    }

    #[test]
    fn the_filter_keeps_matching_titles_in_any_script_and_drops_sources_left_empty() {
        use LibraryRow::{Article, Source};
        let news = news();
        let all = library(&news, "");
        assert_eq!(all.rows, [Source(0), Article(0), Source(1), Article(1), Source(2), Article(2)]);
        let diplomacy = library(&news, "外交");
        assert_eq!(diplomacy.visible(), [0, 2]);
        assert_eq!(diplomacy.rows, [Source(0), Article(0), Source(2), Article(2)]);
        assert_eq!((diplomacy.row_of(2), diplomacy.row_of(1)), (Some(3), None));
        assert_eq!(library(&news, "經濟").rows, [Source(1), Article(1)], "typed in traditional script");
        assert!(library(&news, "体育").rows.is_empty());
    }

    #[test]
    fn rows_added_file_by_file_are_those_a_rebuild_gives() {
        let news = news();
        let mut grown = Library::default();
        for n in 1..=news.sources.len() {
            let mut part = news.clone();
            part.sources.truncate(n);
            part.articles.truncate(n);
            grown.extend(&part, n - 1, n - 1);
        }
        let at_once = library(&news, "");
        assert_eq!((grown.rows, grown.visible, grown.row_of), (at_once.rows, at_once.visible, at_once.row_of));
        // With a filter typed, extending rebuilds (only matching titles come in).
        let mut filtered = Library { filter: "外交".into(), ..Library::default() };
        filtered.extend(&news, 0, 0);
        assert_eq!(filtered.visible(), [0, 2]);
    }

    #[test]
    fn the_selection_moves_among_the_articles_shown_and_stays_on_one() {
        let diplomacy = library(&news(), "外交");
        assert_eq!(diplomacy.step(0, 1), Some(2));
        assert_eq!(diplomacy.step(0, 5), Some(2), "held at the last");
        assert_eq!(diplomacy.step(2, -1), Some(0));
        assert_eq!(diplomacy.step(2, isize::MIN), Some(0));
        assert_eq!(diplomacy.step(0, isize::MAX), Some(2));
        // From a hidden article: on from where it would be.
        assert_eq!(diplomacy.step(1, 0), Some(2));
        assert_eq!(library(&news(), "体育").step(0, 1), None, "nothing shown");
        // A filter that hides the selection moves it to the first article shown.
        assert_eq!(diplomacy.keep(1), 0);
        assert_eq!(diplomacy.keep(2), 2);
        assert_eq!(library(&news(), "体育").keep(1), 1, "nothing shown: left as it is");
    }

    #[test]
    fn the_pane_scrolls_to_keep_the_selection_in_the_middle() {
        let all = library(&news(), "");
        assert_eq!(all.offset(0, 4), 0);
        // Article 2 is row 5: centred, the pane would start at 4, past the last page (2).
        assert_eq!(all.offset(2, 4), 2);
        assert_eq!(all.offset(2, 10), 0, "all rows fit");
    }

    #[test]
    fn files_of_the_same_name_show_their_folder() {
        let pages = corpus(&[("x/page.txt", "外交部声明"), ("y/page.txt", "经济新闻"), ("y/other.txt", "体育")]);
        let library = library(&pages, "");
        let labels: Vec<String> = (0..3).map(|s| library.source_label(&pages, s)).collect();
        assert_eq!(labels, ["x/page.txt", "y/page.txt", "other.txt"]);
        assert_eq!(library.source_label(&pages, 9), "");
    }
}

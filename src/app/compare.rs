//! The compare view's state: which two versions, the comparison, its rows laid out in two
//! columns for the current script and width, and where the view stands in them (the line at
//! its top and the difference last stepped to), with the moves that change that.

use super::search::converted_offset;
use super::{Action, App, Overlay};
use crate::search::folder;
use crate::versions::{self, Comparison, pair_text};
use crate::wrap::{self, Row};

/// One screen row of the compare view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareLine {
    /// Index of the pair (in [`CompareLayout::pairs`]) this row belongs to; `None` for the gap.
    pub pair: Option<usize>,
    pub left: Option<Row>,
    pub right: Option<Row>,
}

/// A pair's texts as shown, and its changes as byte ranges of them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShownPair {
    pub left: String,
    pub right: String,
    pub left_changes: Vec<std::ops::Range<usize>>,
    pub right_changes: Vec<std::ops::Range<usize>>,
    pub differs: bool,
}

/// The compare view laid out, and where it stands.
#[derive(Debug, Clone, Default)]
pub struct CompareLayout {
    pub comparison: Option<Comparison>,
    pub pairs: Vec<ShownPair>,
    pub lines: Vec<CompareLine>,
    pub column: u16,
    /// First line of each pair that differs, in order.
    pub differences: Vec<usize>,
    /// Where the view stands while it is open; kept when the rows are laid out again (a new
    /// width or script), as the reader keeps its top line.
    pub place: ComparePlace,
}

/// Where the compare view stands: its first line shown, and the difference last stepped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ComparePlace {
    pub top: usize,
    pub difference: Option<usize>,
}

impl CompareLayout {
    /// The view's last first line with `page` rows on screen: its last full page.
    pub fn max_top(&self, page: usize) -> usize {
        self.lines.len().saturating_sub(page)
    }

    /// The view opened with `line` at its top (as far as the last full page allows), no
    /// difference stepped to yet.
    pub fn open_at(&mut self, line: usize, page: usize) {
        self.place = ComparePlace { top: line.min(self.max_top(page)), difference: None };
    }

    /// Carries out `action` if it is a move of the view ([`CompareLayout::step`]): `None` when
    /// it is not one, else the message for the status line, if any.
    pub fn update(&mut self, action: Action, page: usize) -> Option<Option<&'static str>> {
        let (place, message) = self.step(self.place, action, page)?;
        self.place = place;
        Some(message)
    }

    /// Position in the view as a percentage, with `page` rows on screen.
    pub fn percent(&self, page: usize) -> u16 {
        let max = self.max_top(page);
        (self.place.top.min(max) * 100).checked_div(max).map_or(100, |p| p as u16)
    }

    /// The view's moves from `place` with `page` rows on screen: the motion keys, and `n` `N`
    /// (also `]` `[`) to the next and previous difference; with a message for the status line
    /// at either end of the differences. `None`: `action` is not a move of this view.
    pub fn step(
        &self,
        place: ComparePlace,
        action: Action,
        page: usize,
    ) -> Option<(ComparePlace, Option<&'static str>)> {
        let ComparePlace { top, difference } = place;
        let diffs = &self.differences;
        // A page on keeps a line of the last page in view, as the reader does.
        if let Some(to) = super::moved(top, action, page.saturating_sub(1), self.max_top(page)) {
            // The ends are no difference's place: n and N go on from there.
            let difference = if matches!(action, Action::Top | Action::Bottom) { None } else { difference };
            return Some((ComparePlace { top: to, difference }, None));
        }
        // Before any step (the view opens where the reader was), n and N go to the differences
        // after and before that place.
        let below = diffs.partition_point(|&line| line < top);
        // The difference stepped to comes in view with two lines of context above it.
        let at = |d: usize| ComparePlace { top: diffs[d].saturating_sub(2), difference: Some(d) };
        match action {
            Action::NextMatch | Action::NextClause => {
                let next = difference.map_or(below, |d| d + 1);
                Some(if next < diffs.len() { (at(next), None) } else { (place, Some("last difference")) })
            }
            Action::PreviousMatch | Action::PreviousClause => {
                Some(match difference.map_or(below.checked_sub(1), |d| d.checked_sub(1)) {
                    Some(previous) => (at(previous), None),
                    None => (place, Some("first difference")),
                })
            }
            _ => None,
        }
    }
}

impl App {
    /// Width of each column of the compare view.
    pub fn compare_column(&self) -> u16 {
        self.size.0.saturating_sub(3) / 2
    }

    /// `c`: compare the open article with its next version.
    pub(super) fn open_compare(&mut self) {
        let others = self.versions.get(self.reader.open).cloned().unwrap_or_default();
        let current = match &self.overlay {
            Overlay::Compare { other } => others.iter().position(|o| o == other).map_or(0, |i| i + 1),
            _ => 0,
        };
        let Some(&other) = others.get(current % others.len().max(1)) else {
            self.status = Some("no other version of this article was found in the loaded files".into());
            return;
        };
        self.compare.comparison = versions::compare(&self.corpus, self.reader.open, other, folder());
        self.lay_out_compare();
        let line = self.compare_line_of_reading();
        self.compare.open_at(line, self.compare_page());
        self.overlay = Overlay::Compare { other };
        self.status = Some(format!(
            "n/N: next/previous{}",
            if others.len() > 1 { format!(", c: next of {} versions", others.len()) } else { String::new() }
        ));
    }

    /// The compare line where what the reader shows begins: the first row of the pair holding
    /// the clause being read (else the paragraph at the top), or of the first pair after it when
    /// that paragraph is in the other version only.
    fn compare_line_of_reading(&self) -> usize {
        let Some(c) = &self.compare.comparison else { return 0 };
        // At the title the view opens at its start too.
        let Some(top) = self.top_paragraph().filter(|_| self.reader.top > 0) else { return 0 };
        let at = self.current_clause().and_then(|i| self.article().map(|a| a.clauses[i].paragraph)).unwrap_or(top);
        let pairs = c.units.iter().flat_map(|u| &u.pairs);
        let Some(pair) = pairs
            .clone()
            .position(|p| p.left.as_ref().is_some_and(|r| r.contains(&at)))
            .or_else(|| pairs.clone().position(|p| p.left.as_ref().is_some_and(|r| r.start > at)))
        else {
            return 0;
        };
        self.compare.lines.iter().position(|l| l.pair == Some(pair)).unwrap_or(0)
    }

    /// Rows of text the compare view shows at once.
    fn compare_page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(3)).max(1)
    }

    /// Position in the compare view as a percentage, for the status line.
    pub fn compare_percent(&self) -> Option<u16> {
        let Overlay::Compare { .. } = self.overlay else { return None };
        Some(self.compare.percent(self.compare_page()))
    }

    /// Lays the comparison out for the current width and script.
    pub(super) fn lay_out_compare(&mut self) {
        let Some(c) = self.compare.comparison.clone() else { return };
        let column = self.compare_column().max(1);
        let script = self.settings.script;
        let convert = |t: &str| self.converter.shown(t, script);
        let (left, right) = (&self.corpus.articles[c.a], &self.corpus.articles[c.b]);
        let mut pairs = Vec::new();
        let mut lines = Vec::new();
        let mut differences = Vec::new();
        for unit in &c.units {
            for pair in &unit.pairs {
                let lt = pair.left.as_ref().map(|r| pair_text(left, r)).unwrap_or_default();
                let rt = pair.right.as_ref().map(|r| pair_text(right, r)).unwrap_or_default();
                let (ls, rs) = (convert(&lt), convert(&rt));
                let map = |orig: &str, shown: &str, r: &std::ops::Range<usize>| {
                    converted_offset(orig, shown, r.start)..converted_offset(orig, shown, r.end)
                };
                let shown = ShownPair {
                    left_changes: pair.changes.iter().map(|ch| map(&lt, &ls, &ch.left)).collect(),
                    right_changes: pair.changes.iter().map(|ch| map(&rt, &rs, &ch.right)).collect(),
                    differs: pair.differs(),
                    left: ls,
                    right: rs,
                };
                let (lw, rw) = (
                    wrap::wrap(&shown.left, column, self.settings.ambiguous),
                    wrap::wrap(&shown.right, column, self.settings.ambiguous),
                );
                if shown.differs {
                    differences.push(lines.len());
                }
                let index = pairs.len();
                for row in 0..lw.len().max(rw.len()).max(1) {
                    lines.push(CompareLine {
                        pair: Some(index),
                        left: lw.get(row).copied(),
                        right: rw.get(row).copied(),
                    });
                }
                lines.push(CompareLine { pair: None, left: None, right: None });
                pairs.push(shown);
            }
        }
        let place = self.compare.place;
        self.compare = CompareLayout { comparison: Some(c), pairs, lines, column, differences, place };
    }

    /// Keys of the compare view.
    pub(super) fn update_compare(&mut self, action: Action) {
        if let Some(message) = self.compare.update(action, self.compare_page()) {
            if let Some(message) = message {
                self.status = Some(message.into());
            }
            return;
        }
        match action {
            Action::ToggleScript => {
                self.settings.script = self.settings.script.next();
                self.lay_out_compare();
                self.relayout();
            }
            Action::Compare => self.open_compare(),
            Action::Cancel => self.overlay = Overlay::None,
            _ => {}
        }
    }

    /// Difference `i` of `n` shown, for the status line.
    pub fn compare_position(&self) -> Option<(Option<usize>, usize)> {
        match &self.overlay {
            Overlay::Compare { .. } => Some((self.compare.place.difference, self.compare.differences.len())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layout of `lines` rows whose differences start on `differences`.
    fn layout(lines: usize, differences: &[usize]) -> CompareLayout {
        let line = CompareLine { pair: None, left: None, right: None };
        CompareLayout { lines: vec![line; lines], differences: differences.to_vec(), ..CompareLayout::default() }
    }

    fn at(top: usize, difference: Option<usize>) -> ComparePlace {
        ComparePlace { top, difference }
    }

    #[test]
    fn n_and_shift_n_step_through_the_differences_from_where_the_view_opened() {
        let view = layout(100, &[5, 30, 60]);
        // Opened at line 20: n goes to the first difference below it, N to the one above.
        assert_eq!(view.step(at(20, None), Action::NextMatch, 10), Some((at(28, Some(1)), None)));
        assert_eq!(view.step(at(20, None), Action::PreviousMatch, 10), Some((at(3, Some(0)), None)));
        // Then on from the difference stepped to, whatever the scrolling since.
        assert_eq!(view.step(at(50, Some(1)), Action::NextClause, 10), Some((at(58, Some(2)), None)));
        assert_eq!(view.step(at(0, Some(1)), Action::PreviousClause, 10), Some((at(3, Some(0)), None)));
        // Context above a difference near the top stops at the first line.
        assert_eq!(layout(100, &[1]).step(at(0, None), Action::NextMatch, 10), Some((at(0, Some(0)), None)));
    }

    #[test]
    fn past_either_end_of_the_differences_the_view_stays_and_says_so() {
        let view = layout(100, &[5, 30]);
        let last = at(28, Some(1));
        assert_eq!(view.step(last, Action::NextMatch, 10), Some((last, Some("last difference"))));
        let first = at(3, Some(0));
        assert_eq!(view.step(first, Action::PreviousMatch, 10), Some((first, Some("first difference"))));
        // Above every difference, before any step.
        assert_eq!(view.step(at(0, None), Action::PreviousMatch, 10), Some((at(0, None), Some("first difference"))));
        // No differences at all.
        assert_eq!(
            layout(10, &[]).step(at(0, None), Action::NextMatch, 5),
            Some((at(0, None), Some("last difference")))
        );
    }

    #[test]
    fn the_motion_keys_scroll_within_the_last_page_and_the_ends_forget_the_difference() {
        let view = layout(100, &[5, 30, 60]);
        // A page on keeps a line of the last page in view; the difference stays the one to go on from.
        assert_eq!(view.step(at(20, Some(1)), Action::PageDown, 10), Some((at(29, Some(1)), None)));
        assert_eq!(view.step(at(88, Some(2)), Action::PageDown, 10), Some((at(90, Some(2)), None)), "last page");
        assert_eq!(view.step(at(20, Some(1)), Action::Bottom, 10), Some((at(90, None), None)));
        assert_eq!(view.step(at(20, Some(1)), Action::Top, 10), Some((at(0, None), None)));
        // After G, n finds nothing below and N the last difference.
        assert_eq!(view.step(at(90, None), Action::PreviousMatch, 10), Some((at(58, Some(2)), None)));
        // Not a move of the view.
        assert_eq!(view.step(at(20, None), Action::ToggleScript, 10), None);
        assert_eq!(view.step(at(20, None), Action::Cancel, 10), None);
    }

    #[test]
    fn the_view_opens_within_its_last_page_and_its_moves_change_where_it_stands() {
        let mut view = layout(100, &[5, 30, 60]);
        view.open_at(95, 10);
        assert_eq!(view.place, at(90, None), "opened as far down as the last full page");
        assert_eq!(view.percent(10), 100);
        view.open_at(20, 10);
        assert_eq!(view.update(Action::NextMatch, 10), Some(None));
        assert_eq!(view.place, at(28, Some(1)));
        assert_eq!(view.update(Action::Down, 10), Some(None));
        assert_eq!(view.place, at(29, Some(1)), "a line on; n goes on from the difference");
        assert_eq!(view.update(Action::NextMatch, 10), Some(None));
        assert_eq!(view.update(Action::NextMatch, 10), Some(Some("last difference")));
        assert_eq!(view.place, at(58, Some(2)), "stays at the last");
        assert_eq!(view.percent(10), 64);
        // What is not a move leaves it where it is.
        assert_eq!(view.update(Action::Compare, 10), None);
        assert_eq!(view.place, at(58, Some(2)));
        assert_eq!(view.update(Action::Top, 10), Some(None));
        assert_eq!((view.place, view.percent(10)), (at(0, None), 0));
    }

    #[test]
    fn a_view_shorter_than_a_page_does_not_scroll() {
        let mut view = layout(6, &[2]);
        view.open_at(4, 10);
        assert_eq!(view.place, at(0, None));
        for action in [Action::Down, Action::PageDown, Action::Bottom] {
            assert_eq!(view.update(action, 10), Some(None));
            assert_eq!(view.place.top, 0, "{action:?}");
        }
        assert_eq!(view.percent(10), 100);
        // n still steps to the difference, with the context above it.
        assert_eq!(view.update(Action::NextMatch, 10), Some(None));
        assert_eq!(view.place, at(0, Some(0)));
    }
}

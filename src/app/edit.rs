//! The text typed into a prompt or the note box, with a cursor that moves and deletes as in
//! readline: `←`/`→` by character, `Home`/`End` and `Ctrl-a`/`Ctrl-e` to the ends of the line,
//! `Ctrl-u` deletes to the line's start, `Ctrl-w` the word before the cursor. And the history
//! the search and go-to prompts recall with `↑`/`↓`.
//!
//! A "character" is a grapheme cluster, so that the cursor never stops inside an emoji
//! sequence or between a letter and its combining mark. What may be typed is decided by the
//! caller (only display-safe characters reach the text); this type only edits.

use unicode_segmentation::UnicodeSegmentation;

/// Text being typed and the cursor in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edit {
    text: String,
    /// Byte offset, always on a grapheme boundary.
    cursor: usize,
}

impl Edit {
    /// `text` with the cursor at its end, ready to type on.
    pub fn new(text: impl Into<String>) -> Edit {
        let text = text.into();
        let cursor = text.len();
        Edit { text, cursor }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Byte offset of the cursor in [`Edit::text`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The text, leaving this empty.
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    /// Replaces the text (a recalled query), the cursor at its end.
    pub fn set(&mut self, text: &str) {
        text.clone_into(&mut self.text);
        self.cursor = self.text.len();
    }

    /// Types `c` at the cursor.
    pub fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        // A combining mark typed after a letter joins its cluster: the cursor stays after it.
        self.cursor = self.boundary_at_or_after(self.cursor);
    }

    /// Deletes the character before the cursor.
    pub fn backspace(&mut self) {
        let start = self.previous_boundary(self.cursor);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// Deletes the character under the cursor.
    pub fn delete(&mut self) {
        let end = self.next_boundary(self.cursor);
        self.text.replace_range(self.cursor..end, "");
    }

    pub fn left(&mut self) {
        self.cursor = self.previous_boundary(self.cursor);
    }

    pub fn right(&mut self) {
        self.cursor = self.next_boundary(self.cursor);
    }

    /// To the start of the line the cursor is on (in a note, lines are split by `\n`).
    pub fn line_start(&mut self) {
        self.cursor = self.start_of_line();
    }

    /// To the end of the line the cursor is on.
    pub fn line_end(&mut self) {
        self.cursor = self.text[self.cursor..].find('\n').map_or(self.text.len(), |i| self.cursor + i);
    }

    /// `Ctrl-u`: deletes from the start of the line to the cursor.
    pub fn delete_to_line_start(&mut self) {
        let start = self.start_of_line();
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// `Ctrl-w`: deletes the word before the cursor and the spaces after it, as readline's
    /// `unix-word-rubout` does, but stopping at punctuation too: Chinese has no spaces between
    /// words, so a "word" here is a run of letters, digits and Han characters (十三、各方 loses
    /// 各方 first, then 、, then 十三). Never past the start of the line.
    pub fn delete_word_before(&mut self) {
        let line_start = self.start_of_line();
        let before = &self.text[line_start..self.cursor];
        let graphemes: Vec<(usize, &str)> = before.grapheme_indices(true).collect();
        let mut i = graphemes.len();
        while i > 0 && graphemes[i - 1].1.chars().all(char::is_whitespace) {
            i -= 1;
        }
        let class = |g: &str| g.chars().next().is_some_and(char::is_alphanumeric);
        if let Some(&(_, last)) = i.checked_sub(1).and_then(|j| graphemes.get(j)) {
            let word = class(last);
            while i > 0 && class(graphemes[i - 1].1) == word && !graphemes[i - 1].1.chars().all(char::is_whitespace) {
                i -= 1;
            }
        }
        let start = line_start + graphemes.get(i).map_or(before.len(), |&(at, _)| at);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    fn start_of_line(&self) -> usize {
        self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1)
    }

    fn previous_boundary(&self, at: usize) -> usize {
        self.text[..at].grapheme_indices(true).next_back().map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self, at: usize) -> usize {
        self.text[at..].graphemes(true).next().map_or(at, |g| at + g.len())
    }

    fn boundary_at_or_after(&self, at: usize) -> usize {
        let mut boundary = 0;
        for (i, g) in self.text.grapheme_indices(true) {
            boundary = i + g.len();
            if boundary >= at {
                break;
            }
        }
        boundary.max(at.min(self.text.len()))
    }
}

/// Entries typed into one kind of prompt, oldest first, and where `↑`/`↓` are in them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<String>,
}

/// How many entries a history keeps.
pub const HISTORY_SIZE: usize = 100;

impl History {
    /// Adds what was confirmed in the prompt: not blank, and moved to the end if already there
    /// (as with bash's `erasedups`), so `↑` finds the last one used first.
    pub fn push(&mut self, entry: &str) {
        if entry.trim().is_empty() {
            return;
        }
        self.entries.retain(|e| e != entry);
        self.entries.push(entry.to_string());
        if self.entries.len() > HISTORY_SIZE {
            self.entries.remove(0);
        }
    }

    pub fn entries(&self) -> &[String] {
        &self.entries
    }
}

/// Where `↑`/`↓` have got to in a history while a prompt is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recall {
    /// Index into the history's entries; `None`: at the text being typed.
    at: Option<usize>,
    /// What was typed before the first `↑`, given back by `↓` past the newest entry.
    typed: String,
}

impl Recall {
    /// `↑` (`by` -1) or `↓` (1): the text to show now, or `None` at either end.
    pub fn step(&mut self, history: &History, current: &str, by: isize) -> Option<String> {
        let n = history.entries.len();
        let next = match (self.at, by < 0) {
            (None, true) if n > 0 => Some(n - 1),
            (None, _) | (Some(0), true) => return None,
            (Some(i), true) => Some(i - 1),
            (Some(i), false) if i + 1 < n => Some(i + 1),
            (Some(_), false) => None,
        };
        if self.at.is_none() {
            current.clone_into(&mut self.typed);
        }
        self.at = next;
        Some(next.map_or_else(|| self.typed.clone(), |i| history.entries[i].clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Edit {
        let mut e = Edit::default();
        for c in text.chars() {
            e.insert(c);
        }
        e
    }

    #[test]
    fn typing_moving_and_deleting_in_the_middle() {
        let mut e = typed("十三各方");
        e.left();
        e.left();
        e.insert('、');
        assert_eq!((e.text(), e.cursor()), ("十三、各方", "十三、".len()));
        e.backspace();
        assert_eq!(e.text(), "十三各方");
        e.delete();
        assert_eq!((e.text(), &e.text()[e.cursor()..]), ("十三方", "方"));
        e.line_start();
        e.left();
        assert_eq!(e.cursor(), 0, "nothing before the start");
        e.backspace();
        assert_eq!(e.text(), "十三方");
        e.line_end();
        e.right();
        e.delete();
        assert_eq!((e.text(), e.cursor()), ("十三方", "十三方".len()), "nothing after the end");
    }

    #[test]
    fn the_cursor_never_stops_inside_a_cluster() {
        let mut e = typed("e\u{301}x");
        e.left();
        e.left();
        assert_eq!(e.cursor(), 0, "é is one character");
        e.right();
        assert_eq!(e.cursor(), "e\u{301}".len());
        e.backspace();
        assert_eq!(e.text(), "x");
        // A combining mark typed after a letter joins it; the cursor is after both.
        let mut e = typed("e");
        e.insert('\u{301}');
        assert_eq!(e.cursor(), e.text().len());
    }

    #[test]
    fn ctrl_u_deletes_to_the_line_start_and_keeps_what_follows() {
        let mut e = typed("第一行\n各方欢迎");
        e.left();
        e.left();
        e.delete_to_line_start();
        assert_eq!((e.text(), e.cursor()), ("第一行\n欢迎", "第一行\n".len()));
        e.delete_to_line_start();
        assert_eq!(e.text(), "第一行\n欢迎", "at the line start: nothing to delete");
    }

    #[test]
    fn ctrl_w_deletes_a_word_then_punctuation_then_the_next_word() {
        let mut e = typed("十三、各方  ");
        e.delete_word_before();
        assert_eq!(e.text(), "十三、");
        e.delete_word_before();
        assert_eq!(e.text(), "十三");
        e.delete_word_before();
        assert_eq!(e.text(), "");
        let mut e = typed("exact match here");
        e.left();
        e.left();
        e.left();
        e.left();
        e.delete_word_before();
        assert_eq!((e.text(), e.cursor()), ("exact here", "exact ".len()));
        let mut e = typed("上一行\n");
        e.delete_word_before();
        assert_eq!(e.text(), "上一行\n", "never past the line start");
    }

    #[test]
    fn home_and_end_work_on_the_line_of_a_note() {
        let mut e = typed("ab\ncd\nef");
        e.left();
        e.left();
        e.left();
        e.line_start();
        assert_eq!(&e.text()[e.cursor()..], "cd\nef");
        e.line_end();
        assert_eq!(&e.text()[e.cursor()..], "\nef");
    }

    #[test]
    fn history_recalls_newest_first_and_gives_back_what_was_typed() {
        let mut history = History::default();
        for q in ["各方", "中亚", "  ", "各方"] {
            history.push(q);
        }
        assert_eq!(history.entries(), ["中亚", "各方"], "blank dropped, repeat moved to the end");
        let mut recall = Recall::default();
        assert_eq!(recall.step(&history, "半", 1), None, "↓ first: nothing newer");
        assert_eq!(recall.step(&history, "半", -1).as_deref(), Some("各方"));
        assert_eq!(recall.step(&history, "各方", -1).as_deref(), Some("中亚"));
        assert_eq!(recall.step(&history, "中亚", -1), None, "the oldest");
        assert_eq!(recall.step(&history, "中亚", 1).as_deref(), Some("各方"));
        assert_eq!(recall.step(&history, "各方", 1).as_deref(), Some("半"), "back to what was typed");
        assert_eq!(recall.step(&history, "半", 1), None);
        assert_eq!(Recall::default().step(&History::default(), "", -1), None);
    }

    #[test]
    fn the_history_keeps_the_last_hundred() {
        let mut history = History::default();
        for i in 0..150 {
            history.push(&i.to_string());
        }
        assert_eq!(history.entries().len(), HISTORY_SIZE);
        assert_eq!(history.entries()[0], "50");
    }
}

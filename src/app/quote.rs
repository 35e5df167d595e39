//! `y` and `Y`: the passage being read, or its citation, copied in the script on screen. The
//! text is left in [`App::clipboard`] for the terminal to deliver (OSC 52, or the command of
//! `--copy-command`), which reports back with `Action::CopyDelivered`.

use super::App;
use super::bookmarks::first_words;
use crate::bookmarks::{article_text, paragraph_of};
use crate::quote::{self, Quote};

impl App {
    /// The passage `y` copies: the selection, else the clause being read, else the paragraph at
    /// the top.
    pub fn passage_being_read(&self) -> Option<Quote> {
        let a = self.article()?;
        let script = self.settings.script;
        if let Some(selection) = self.visual_passage() {
            let text = article_text(a);
            let (first, _) = paragraph_of(a, selection.range.start);
            return Some(quote::quote_text(a, text.get(selection.range)?, first, &self.converter, script));
        }
        let paragraphs = if let Some(clause) = self.current_clause() {
            quote::clause_paragraphs(a, clause)?
        } else {
            let top = self.top_paragraph()?;
            top..top + 1
        };
        quote::quote(a, paragraphs, &self.converter, script)
    }

    /// `y` (with the passage) or `Y` (the citation alone).
    pub(super) fn copy(&mut self, passage: bool) {
        let Some(quote) = self.passage_being_read() else {
            self.status = Some("nothing to copy here".into());
            return;
        };
        let (text, what) = if passage {
            (quote.with_citation(), format!("“{}” with its citation", first_words(&quote.text)))
        } else {
            (quote.citation.clone(), "the citation".to_string())
        };
        let how = match &self.copy_command {
            Some(command) => format!("through `{command}`"),
            None => "to the clipboard (OSC 52)".to_string(),
        };
        self.clipboard = Some(text);
        self.status = Some(format!("copied {what} {how}"));
    }

    pub(super) fn copy_delivered(&mut self, delivered: bool) {
        self.clipboard = None;
        if !delivered {
            let command = self.copy_command.as_deref().unwrap_or("the copy command");
            self.status = Some(format!("could not copy: `{command}` failed"));
        }
    }
}

//! Text cut into words by longest match against the dictionary, on the original text: each
//! word is a byte range of the text as written, whatever script it is shown in.

use std::ops::Range;

use super::Dictionary;

/// One word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Where the word is, in bytes of the text cut.
    pub range: Range<usize>,
    /// Whether the dictionary has it; else it is one character the dictionary does not know, or
    /// a run of Latin letters and digits it does not know.
    pub known: bool,
}

/// The words of `text`, in order: at each place the longest dictionary word that starts
/// there. Spaces and punctuation are not words and are stepped over, unless a dictionary
/// word starts with them.
pub fn cut(dictionary: &Dictionary<'_>, text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        match word_at(dictionary, &text[at..]) {
            Some(word) if c.is_alphanumeric() => {
                words.push(Word { range: at..at + word.range.end, known: word.known });
                at += word.range.end;
            }
            _ => at += c.len_utf8(),
        }
    }
    words
}

/// The word `text` starts with, as [`cut`] takes it there: a run of Latin letters and digits
/// (`APEC`, `2024`, found or not, so `G2000` is not `G20` `00`), else the longest dictionary
/// word, else the first character alone. `None` for empty text.
pub fn word_at(dictionary: &Dictionary<'_>, text: &str) -> Option<Word> {
    let c = text.chars().next()?;
    if c.is_ascii_alphanumeric() {
        let len = text.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(text.len());
        return Some(Word { range: 0..len, known: dictionary.contains(&text[..len]) });
    }
    Some(match dictionary.words_at(text).first() {
        Some(&len) => Word { range: 0..len, known: true },
        None => Word { range: 0..c.len_utf8(), known: false },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "各 各 [ge4] /each/\n各方 各方 [ge4 fang1] /all parties/\n方 方 [fang1] /square/\n\
        中 中 [zhong1] /middle/\n中方 中方 [Zhong1 fang1] /the Chinese side/\n\
        方中 方中 [fang1 zhong1] /made up/\nG20 G20 [G ershi2] /G20/\n";

    fn words<'t>(text: &'t str, d: &Dictionary<'_>) -> Vec<(&'t str, bool)> {
        cut(d, text).into_iter().map(|w| (&text[w.range], w.known)).collect()
    }

    #[test]
    fn the_longest_word_at_each_place_wins() {
        let d = Dictionary::parse(SAMPLE);
        // 方中 is a word too, but 各方 is taken first.
        assert_eq!(words("各方中方", &d), [("各方", true), ("中方", true)]);
    }

    #[test]
    fn unknown_characters_are_words_of_one_and_punctuation_is_stepped_over() {
        let d = Dictionary::parse(SAMPLE);
        assert_eq!(words("各方，欢 中", &d), [("各方", true), ("欢", false), ("中", true)]);
    }

    #[test]
    fn latin_letters_and_digits_run_together() {
        let d = Dictionary::parse(SAMPLE);
        assert_eq!(words("G20和APEC 2024", &d), [("G20", true), ("和", false), ("APEC", false), ("2024", false)]);
    }
}

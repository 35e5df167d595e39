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
        if c.is_ascii_alphanumeric() {
            // `APEC`, `2024`: one word each, found or not (so `G2000` is not cut as `G20` `00`).
            let len = text[at..].find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(text.len() - at);
            words.push(Word { range: at..at + len, known: dictionary.contains(&text[at..at + len]) });
            at += len;
        } else if let Some(&len) = dictionary.words_at(&text[at..]).first().filter(|_| c.is_alphanumeric()) {
            words.push(Word { range: at..at + len, known: true });
            at += len;
        } else {
            if c.is_alphanumeric() {
                words.push(Word { range: at..at + c.len_utf8(), known: false });
            }
            at += c.len_utf8();
        }
    }
    words
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

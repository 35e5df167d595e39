//! CC-CEDICT's numbered pinyin (`nu:3`, `Tai2 wan1`) as readers want it: with tone marks
//! (`nǚ`, `Tái wān`) or in zhuyin (`ㄋㄩˇ`, `ㄊㄞˊ ㄨㄢ`) for Taiwan.
//!
//! Syllables that are not pinyin (letters in `3C`, `·`, `,`) are kept as they are.

use unicode_normalization::UnicodeNormalization as _;

/// The numbered pinyin of an entry with tone marks, syllable by syllable.
pub fn marked(numbered: &str) -> String {
    numbered.split(' ').map(mark_syllable).collect::<Vec<_>>().join(" ")
}

/// The numbered pinyin of an entry in zhuyin, syllable by syllable; a syllable zhuyin cannot
/// write (a letter, `m2`) is given with tone marks instead.
pub fn zhuyin(numbered: &str) -> String {
    numbered.split(' ').map(|s| zhuyin_syllable(s).unwrap_or_else(|| mark_syllable(s))).collect::<Vec<_>>().join(" ")
}

/// A syllable split into its letters (`u:` and `v` as `ü`) and its tone, 1 to 5; `None` when
/// it has no tone number.
fn split_tone(syllable: &str) -> (String, Option<u8>) {
    let tone = syllable.chars().last().and_then(|c| c.to_digit(10)).filter(|d| (1..=5).contains(d));
    let letters = if tone.is_some() { &syllable[..syllable.len() - 1] } else { syllable };
    let letters = letters.replace("u:", "ü").replace("U:", "Ü").replace('v', "ü").replace('V', "Ü");
    (letters, tone.map(|t| t as u8))
}

/// One syllable with its tone mark: on `a` or `e` if there is one, on the `o` of `ou`, else on
/// the last vowel; none for the neutral tone (5).
fn mark_syllable(syllable: &str) -> String {
    let (letters, tone) = split_tone(syllable);
    let mark = match tone {
        Some(1) => '\u{304}',
        Some(2) => '\u{301}',
        Some(3) => '\u{30C}',
        Some(4) => '\u{300}',
        _ => return letters,
    };
    let lower = letters.to_lowercase();
    // Lower-casing keeps byte offsets here: pinyin letters and ü are the same length in both cases.
    let at = lower
        .find('a')
        .or_else(|| lower.find('e'))
        .or_else(|| lower.find("ou"))
        .or_else(|| lower.rfind(['i', 'o', 'u', 'ü']))
        // A syllable without a vowel (`m2`, `ng2`, `hm5`) carries the mark on its nasal.
        .or_else(|| lower.find(['m', 'n']));
    let Some(at) = at.filter(|&i| lower.len() == letters.len() && letters.is_char_boundary(i)) else {
        return letters;
    };
    let vowel_end = at + letters[at..].chars().next().map_or(0, char::len_utf8);
    // The combining mark composes with the vowel (a + ◌̄ → ā, ü + ◌̌ → ǚ).
    format!("{}{mark}{}", &letters[..vowel_end], &letters[vowel_end..]).nfc().collect()
}

const INITIALS: [(&str, &str); 21] = [
    ("zh", "ㄓ"),
    ("ch", "ㄔ"),
    ("sh", "ㄕ"),
    ("b", "ㄅ"),
    ("p", "ㄆ"),
    ("m", "ㄇ"),
    ("f", "ㄈ"),
    ("d", "ㄉ"),
    ("t", "ㄊ"),
    ("n", "ㄋ"),
    ("l", "ㄌ"),
    ("g", "ㄍ"),
    ("k", "ㄎ"),
    ("h", "ㄏ"),
    ("j", "ㄐ"),
    ("q", "ㄑ"),
    ("x", "ㄒ"),
    ("r", "ㄖ"),
    ("z", "ㄗ"),
    ("c", "ㄘ"),
    ("s", "ㄙ"),
];

/// Finals as written after an initial (and after `y`/`w` are spelt out, see
/// [`zhuyin_syllable`]), abbreviated forms (`iu`, `ui`, `un`) included.
const FINALS: [(&str, &str); 38] = [
    ("a", "ㄚ"),
    ("o", "ㄛ"),
    ("e", "ㄜ"),
    ("ê", "ㄝ"),
    ("ai", "ㄞ"),
    ("ei", "ㄟ"),
    ("ao", "ㄠ"),
    ("ou", "ㄡ"),
    ("an", "ㄢ"),
    ("en", "ㄣ"),
    ("ang", "ㄤ"),
    ("eng", "ㄥ"),
    ("er", "ㄦ"),
    ("ong", "ㄨㄥ"),
    ("i", "ㄧ"),
    ("ia", "ㄧㄚ"),
    ("io", "ㄧㄛ"),
    ("ie", "ㄧㄝ"),
    ("iao", "ㄧㄠ"),
    ("iu", "ㄧㄡ"),
    ("iou", "ㄧㄡ"),
    ("ian", "ㄧㄢ"),
    ("in", "ㄧㄣ"),
    ("iang", "ㄧㄤ"),
    ("ing", "ㄧㄥ"),
    ("iong", "ㄩㄥ"),
    ("u", "ㄨ"),
    ("ua", "ㄨㄚ"),
    ("uo", "ㄨㄛ"),
    ("uai", "ㄨㄞ"),
    ("ui", "ㄨㄟ"),
    ("uei", "ㄨㄟ"),
    ("uan", "ㄨㄢ"),
    ("un", "ㄨㄣ"),
    ("uen", "ㄨㄣ"),
    ("uang", "ㄨㄤ"),
    ("ueng", "ㄨㄥ"),
    ("ü", "ㄩ"),
];

/// Finals with ü, written `u` after j, q, x and y.
const U_UMLAUT_FINALS: [(&str, &str); 4] = [("ü", "ㄩ"), ("üe", "ㄩㄝ"), ("üan", "ㄩㄢ"), ("ün", "ㄩㄣ")];

/// One syllable in zhuyin, the tone after it (ˊ ˇ ˋ; none for the first) or, for the neutral
/// tone, ˙ before it.
fn zhuyin_syllable(syllable: &str) -> Option<String> {
    let (letters, tone) = split_tone(syllable);
    let lower = letters.to_lowercase();
    let (initial, final_) = spell(&lower)?;
    let final_zhuyin = match final_.as_str() {
        // zhi, chi, shi, ri, zi, ci, si: the initial alone.
        "i" if matches!(initial, "zh" | "ch" | "sh" | "r" | "z" | "c" | "s") => "",
        "r" if initial.is_empty() => "ㄦ", // erhua, `r5`
        f => FINALS.iter().chain(&U_UMLAUT_FINALS).find(|(p, _)| *p == f)?.1,
    };
    let initial_zhuyin = INITIALS.iter().find(|(p, _)| *p == initial).map_or("", |(_, z)| z);
    let body = format!("{initial_zhuyin}{final_zhuyin}");
    Some(match tone {
        Some(2) => format!("{body}ˊ"),
        Some(3) => format!("{body}ˇ"),
        Some(4) => format!("{body}ˋ"),
        Some(5) => format!("˙{body}"),
        _ => body,
    })
}

/// A lower-case syllable as initial and final in full spelling: `y`/`w` spelt out as the
/// vowels they stand for (`you` → `iou`, `wei` → `uei`, `yu` → `ü`), and the `u` after j, q, x
/// as the `ü` it is.
fn spell(syllable: &str) -> Option<(&'static str, String)> {
    if syllable.is_empty() {
        return None;
    }
    if let Some(rest) = syllable.strip_prefix('y') {
        let final_ = match rest.strip_prefix('u') {
            Some(after_u) => format!("ü{after_u}"),
            None if rest.starts_with('i') => rest.to_owned(),
            None => format!("i{rest}"),
        };
        return Some(("", final_));
    }
    if let Some(rest) = syllable.strip_prefix('w') {
        return Some(("", if rest == "u" { "u".to_owned() } else { format!("u{rest}") }));
    }
    let initial = INITIALS.iter().map(|(p, _)| *p).find(|p| syllable.starts_with(p)).unwrap_or("");
    let rest = &syllable[initial.len()..];
    let final_ = match rest.strip_prefix('u') {
        Some(after_u) if matches!(initial, "j" | "q" | "x") => format!("ü{after_u}"),
        _ => rest.to_owned(),
    };
    if final_.is_empty() { None } else { Some((initial, final_)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_goes_on_a_or_e_then_on_the_o_of_ou_then_on_the_last_vowel() {
        assert_eq!(marked("Tai2 wan1"), "Tái wān");
        assert_eq!(marked("wai4 jiao1 bu4"), "wài jiāo bù");
        assert_eq!(marked("lei4"), "lèi");
        assert_eq!(marked("Ou1 zhou1"), "Ōu zhōu");
        assert_eq!(marked("gui4 liu2"), "guì liú");
        assert_eq!(marked("qiu2 tong2 cun2 yi4"), "qiú tóng cún yì");
    }

    #[test]
    fn u_colon_and_v_are_u_umlaut_with_their_tone() {
        assert_eq!(marked("nu:3"), "nǚ");
        assert_eq!(marked("lu:4"), "lǜ");
        assert_eq!(marked("lv4"), "lǜ");
        assert_eq!(marked("nu:e4"), "nüè");
        assert_eq!(marked("Lu:3"), "Lǚ");
        assert_eq!(marked("lu:5"), "lü");
    }

    #[test]
    fn the_neutral_tone_has_no_mark_and_what_is_not_pinyin_is_kept() {
        assert_eq!(marked("ma1 ma5"), "mā ma");
        assert_eq!(marked("r5"), "r");
        assert_eq!(marked("san1 C"), "sān C");
        assert_eq!(marked("m2"), "ḿ");
    }

    #[test]
    fn zhuyin_for_initials_finals_and_tones() {
        assert_eq!(zhuyin("Tai2 wan1"), "ㄊㄞˊ ㄨㄢ");
        assert_eq!(zhuyin("zhong1 guo2"), "ㄓㄨㄥ ㄍㄨㄛˊ");
        assert_eq!(zhuyin("nu:3"), "ㄋㄩˇ");
        assert_eq!(zhuyin("lu:4"), "ㄌㄩˋ");
        assert_eq!(zhuyin("xue2 xi2"), "ㄒㄩㄝˊ ㄒㄧˊ");
        assert_eq!(zhuyin("shi4 ri4 zi4"), "ㄕˋ ㄖˋ ㄗˋ");
        assert_eq!(zhuyin("ma1 ma5"), "ㄇㄚ ˙ㄇㄚ");
        assert_eq!(zhuyin("you3 yu2 yuan2 yong4"), "ㄧㄡˇ ㄩˊ ㄩㄢˊ ㄩㄥˋ");
        assert_eq!(zhuyin("wei4 wu3 wen2"), "ㄨㄟˋ ㄨˇ ㄨㄣˊ");
        assert_eq!(zhuyin("gui4 liu2 lun2 jiong3"), "ㄍㄨㄟˋ ㄌㄧㄡˊ ㄌㄨㄣˊ ㄐㄩㄥˇ");
        assert_eq!(zhuyin("er4 yi1"), "ㄦˋ ㄧ");
    }

    #[test]
    fn zhuyin_keeps_what_it_cannot_write() {
        assert_eq!(zhuyin("san1 C"), "ㄙㄢ C");
        assert_eq!(zhuyin("xx5"), "xx");
    }
}

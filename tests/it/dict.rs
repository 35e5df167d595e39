//! The embedded CC-CEDICT: known entries found in both scripts.

use gongbao::dict;

fn senses(word: &str) -> Vec<String> {
    dict::embedded()
        .expect("embedded dictionary")
        .lookup(word)
        .iter()
        .flat_map(|e| e.senses())
        .map(String::from)
        .collect()
}

#[test]
fn the_embedded_dictionary_unpacks_with_its_release_date() {
    let d = dict::embedded().expect("embedded dictionary");
    // The header says 122143 entries; every line of the release parses.
    assert_eq!(d.len(), 122_143);
    assert_eq!(d.release(), Some("2023-11-07"));
}

#[test]
fn the_ministry_of_foreign_affairs_is_found() {
    let d = dict::embedded().expect("embedded dictionary");
    let entries = d.lookup("外交部");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].pinyin, "Wai4 jiao1 bu4");
    assert!(senses("外交部").iter().any(|s| s == "Ministry of Foreign Affairs"));
}

#[test]
fn taiwan_is_found_in_either_script_and_its_common_reading_comes_first() {
    let d = dict::embedded().expect("embedded dictionary");
    let (traditional, simplified) = (d.lookup("臺灣"), d.lookup("台湾"));
    assert_eq!(traditional[0], simplified[0]);
    assert_eq!((traditional[0].traditional, traditional[0].simplified), ("臺灣", "台湾"));
    assert_eq!(traditional[0].senses().next(), Some("Taiwan"));
    // 台湾 is also the simplified form of the variant 台灣, listed after.
    assert!(simplified.iter().skip(1).any(|e| e.traditional == "台灣"));
}

#[test]
fn belt_and_road_is_the_same_entry_in_both_scripts() {
    let d = dict::embedded().expect("embedded dictionary");
    assert_eq!(d.lookup("一带一路"), d.lookup("一帶一路"));
    assert!(senses("一带一路")[0].starts_with("Belt and Road Initiative"));
}

#[test]
fn a_set_phrase_is_the_same_entry_in_both_scripts() {
    let d = dict::embedded().expect("embedded dictionary");
    let entries = d.lookup("求同存异");
    assert_eq!(entries, d.lookup("求同存異"));
    assert_eq!(entries[0].pinyin, "qiu2 tong2 cun2 yi4");
    assert!(senses("求同存异")[0].starts_with("to seek common ground"));
}

#[test]
fn a_word_not_in_the_dictionary_has_no_entries() {
    let d = dict::embedded().expect("embedded dictionary");
    assert!(d.lookup("轮值主席国外交").is_empty());
    assert!(!d.contains(""));
}

#[test]
fn entries_give_pinyin_with_tone_marks_including_u_umlaut() {
    let d = dict::embedded().expect("embedded dictionary");
    let marked = |word: &str| d.lookup(word).iter().map(|e| e.pinyin_marked()).collect::<Vec<_>>();
    assert!(marked("女").contains(&"nǚ".to_owned()));
    assert!(marked("绿").contains(&"lǜ".to_owned()));
    assert_eq!(marked("台湾")[0], "Tái wān");
    assert_eq!(marked("一帶一路")[0], "Yī dài Yī lù");
    // 的 in its common reading is neutral: no mark.
    assert!(marked("的").contains(&"de".to_owned()));
}

#[test]
fn the_neutral_tone_is_unmarked_in_pinyin_and_a_dot_before_the_syllable_in_zhuyin() {
    let d = dict::embedded().expect("embedded dictionary");
    let friend = d.lookup("朋友")[0];
    assert_eq!(friend.pinyin, "peng2 you5");
    assert_eq!(friend.pinyin_marked(), "péng you");
    assert_eq!(friend.zhuyin(), "ㄆㄥˊ ˙ㄧㄡ");
    // ü after l and n keeps its dots, and its tone mark goes on it.
    let green = d.lookup("綠色")[0];
    assert_eq!(
        (green.pinyin, green.pinyin_marked().as_str(), green.zhuyin().as_str()),
        ("lu:4 se4", "lǜ sè", "ㄌㄩˋ ㄙㄜˋ")
    );
}

#[test]
fn longer_entries_that_go_on_as_the_text_does_are_found() {
    let d = dict::embedded().expect("embedded dictionary");
    // CC-CEDICT has neither 一个 nor 一个中国原则; 一个中国政策 shares 一个中国 with the text.
    assert!(!d.contains("一个") && !d.contains("一个中国原则"));
    assert_eq!(d.continuing("一个中国原则", "一".len(), 3), ["一个中国政策"]);
    assert_eq!(d.continuing("一個中國原則", "一".len(), 3), ["一個中國政策"]);
}

#[test]
fn entries_give_zhuyin_for_taiwan() {
    let d = dict::embedded().expect("embedded dictionary");
    assert_eq!(d.lookup("臺灣")[0].zhuyin(), "ㄊㄞˊ ㄨㄢ");
    assert_eq!(d.lookup("外交部")[0].zhuyin(), "ㄨㄞˋ ㄐㄧㄠ ㄅㄨˋ");
    assert_eq!(d.lookup("求同存異")[0].zhuyin(), "ㄑㄧㄡˊ ㄊㄨㄥˊ ㄘㄨㄣˊ ㄧˋ");
}

fn cut(text: &str) -> Vec<&str> {
    let d = dict::embedded().expect("embedded dictionary");
    dict::cut::cut(d, text).into_iter().map(|w| &text[w.range]).collect()
}

#[test]
fn a_communique_sentence_is_cut_into_its_words_in_either_script() {
    assert_eq!(cut("各方欢迎中方担任轮值主席国。"), ["各方", "欢迎", "中方", "担任", "轮值", "主席国"]);
    assert_eq!(cut("各方歡迎中方擔任輪值主席國。"), ["各方", "歡迎", "中方", "擔任", "輪值", "主席國"]);
}

#[test]
fn set_phrases_are_cut_whole() {
    assert_eq!(cut("各国应当求同存异，共同建设一带一路"), ["各国", "应当", "求同存异", "共同", "建设", "一带一路"]);
    // The whole principle is one entry, and wins over 和平共处 at the same place.
    assert_eq!(cut("恪守和平共处五项原则"), ["恪守", "和平共处五项原则"]);
}

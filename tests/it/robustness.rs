//! Robustness of the whole pipeline (decode → sanitise → clean → segment) on hostile
//! and random input: it never panics and what it returns keeps its invariants.
//!
//! Two parts:
//! - property tests over random bytes and random "newsy" text (Han characters, Chinese
//!   punctuation, clause labels, page furniture, whitespace, control characters and
//!   bidi marks). Failing cases are shrunk and persisted by proptest under
//!   `proptest-regressions/`; commit that file with the fix.
//! - a replay of every file under `tests/corpus/` (docs/reliability.md TST-08). Any crash
//!   input found by a fuzzer, a property or a user goes into that folder as a file of
//!   its own, and this test keeps it fixed.

use std::collections::HashSet;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use encoding_rs::{BIG5, Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};
use gongbao::corpus::load::RawDoc;
use gongbao::corpus::{Corpus, ReadOptions, process};
use proptest::prelude::*;
use proptest::sample::select;

/// Frequent characters of news prose, plus a few from outside the BMP, Extension A and
/// the compatibility block, so that 3- and 4-byte UTF-8 and GB18030 four-byte
/// sequences both occur.
const HAN: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工\
    也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量\
    都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新\
    线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并\
    提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计\
    别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口\
    东导器压志世金增争济阶油思术极交受联什认六共权收证改清美再采转更单风切打白教速花带安场身车例真\
    务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研\
    界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约\
    支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易\
    置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严国務院外長會談聯合聲明關係經濟\
    㐀㐁𠀀𠀁𪚥豈更車";

const PUNCTUATION: &[&str] =
    &["，", "。", "、", "；", "：", "？", "！", "“", "”", "（", "）", "《", "》", "——", "…", "……"];

const ASCII: &[&str] = &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "#", "*", "-", "(", ")", "2025", "10.5"];

const SPACES: &[&str] = &[" ", "  ", "\u{3000}", "\u{3000}\u{3000}", "\t"];

/// C0 controls (no NUL, no CR: those are the decoder's business and have their own
/// tests), DEL, a C1 control, zero-width and bidi marks, a stray BOM.
const CONTROLS: &[&str] = &[
    "\u{1b}",
    "\u{1b}[2J",
    "\u{1b}]0;",
    "\u{7}",
    "\u{8}",
    "\u{b}",
    "\u{c}",
    "\u{7f}",
    "\u{85}",
    "\u{200b}",
    "\u{200f}",
    "\u{202e}",
    "\u{2066}",
    "\u{feff}",
    "\u{200d}",
];

/// Whole tokens the cleaner and segmenter look for: clause labels, jump markers,
/// datelines, markdown, separators, page numerals, pinyin notes, teaser endings.
const TOKENS: &[&str] = &[
    "一、",
    "二、",
    "三、",
    "十三、",
    "（一）",
    "（二）",
    "1.",
    "2．",
    "（1）",
    "(2)",
    "第一条",
    "第二条",
    "一是",
    "二是",
    "（上接第二版）",
    "(下转第七版)",
    "新华社北京4月26日电",
    "本报记者 王毅",
    "## ",
    "**",
    "* ",
    "——————————",
    "-----",
    "\n二\n",
    "\n三\n",
    "国(guó)",
    "...",
    "（完）",
    "《人民日报》",
];

/// One letter of the newsy alphabet: a character, a short Han run or a token.
fn newsy_piece() -> impl Strategy<Value = String> {
    let han: Vec<char> = HAN.chars().filter(|c| !c.is_whitespace()).collect();
    prop_oneof![
        8 => proptest::collection::vec(select(han), 1..12).prop_map(|cs| cs.into_iter().collect()),
        4 => select(PUNCTUATION).prop_map(str::to_owned),
        2 => select(ASCII).prop_map(str::to_owned),
        4 => Just("\n".to_owned()),
        1 => Just("\n\n".to_owned()),
        2 => select(SPACES).prop_map(str::to_owned),
        1 => select(CONTROLS).prop_map(str::to_owned),
        2 => select(TOKENS).prop_map(str::to_owned),
    ]
}

/// Random text made of [`newsy_piece`]s.
fn newsy_text(max_pieces: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(newsy_piece(), 0..max_pieces).prop_map(|pieces| pieces.concat())
}

fn doc(name: &str, bytes: Vec<u8>) -> RawDoc {
    RawDoc { name: name.to_owned(), path: None, bytes }
}

/// The fuzz targets' checks of a corpus (ids, sources, display-safe metadata and text, cells'
/// clusters, garbled ranges, clause paragraphs), plus: no paragraph holds a line break.
fn check_corpus(corpus: &Corpus) -> Result<(), String> {
    gongbao::fuzzing::check_corpus(corpus)?;
    for a in &corpus.articles {
        if let Some((i, p)) = a.paragraphs.iter().enumerate().find(|(_, p)| p.text.contains('\n')) {
            return Err(format!("{}: paragraph {i} holds a line break: {:?}", a.id, p.text));
        }
    }
    Ok(())
}

/// Titles and paragraph texts of each article, or the decode error.
type Reading = Result<Vec<(Option<String>, Vec<String>)>, String>;

fn reading(name: &str, bytes: Vec<u8>) -> Reading {
    process(&doc(name, bytes), None, 0, ReadOptions::default())
        .map(|(_, articles)| {
            articles.into_iter().map(|a| (a.title, a.paragraphs.into_iter().map(|p| p.text).collect())).collect()
        })
        .map_err(|e| e.to_string())
}

fn forced_encoding() -> impl Strategy<Value = Option<&'static Encoding>> {
    select(vec![None, Some(UTF_8), Some(GBK), Some(GB18030), Some(BIG5), Some(UTF_16LE), Some(UTF_16BE)])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        forced in forced_encoding(),
    ) {
        let (corpus, problems) = Corpus::from_docs(&[doc("random.txt", bytes)], forced);
        prop_assert!(corpus.sources.len() + problems.iter().filter(|p| p.fatal).count() == 1);
        if let Err(message) = check_corpus(&corpus) {
            return Err(TestCaseError::fail(message));
        }
    }

    #[test]
    fn newsy_text_in_any_encoding_with_damaged_bytes_never_panics(
        text in newsy_text(300),
        encoding in select(vec![UTF_8, GBK, BIG5, UTF_16LE, UTF_16BE]),
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
    ) {
        let mut bytes = match encoding {
            e if e == UTF_16LE => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            e if e == UTF_16BE => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            e => e.encode(&text).0.into_owned(),
        };
        if !bytes.is_empty() {
            for (at, byte) in damage {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
        }
        let (corpus, _) = Corpus::from_docs(&[doc("damaged.txt", bytes)], None);
        if let Err(message) = check_corpus(&corpus) {
            return Err(TestCaseError::fail(message));
        }
    }

    #[test]
    fn newsy_text_never_panics_and_articles_keep_their_invariants(text in newsy_text(400)) {
        let (corpus, _) = Corpus::from_docs(&[doc("newsy.txt", text.into_bytes())], None);
        if let Err(message) = check_corpus(&corpus) {
            return Err(TestCaseError::fail(message));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn newsy_text_reads_the_same_in_gb18030_utf16le_and_utf8_with_bom_and_crlf(text in newsy_text(300)) {
        let (gb18030, _, unmappable) = GB18030.encode(&text);
        prop_assume!(!unmappable);
        let gb18030 = gb18030.into_owned();
        let mut utf16le = vec![0xFF, 0xFE];
        utf16le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut utf8_bom_crlf = vec![0xEF, 0xBB, 0xBF];
        utf8_bom_crlf.extend(text.replace('\n', "\r\n").as_bytes());

        let want = reading("newsy.txt", text.clone().into_bytes());
        // Below ten non-ASCII characters a BOM-less reading is a guess (ENC-04): GBK 路 is
        // `C2 B7`, which is also UTF-8 for `·`. The reader may then read it another way,
        // but must say that it guessed.
        let short = text.chars().filter(|c| !c.is_ascii()).count() < 10;
        for (label, bytes) in [("GB18030", gb18030), ("UTF-16LE with BOM", utf16le), ("UTF-8 with BOM and CRLF", utf8_bom_crlf)] {
            let guessed = process(&doc("newsy.txt", bytes.clone()), None, 0, ReadOptions::default()).is_ok_and(|(source, _)| source.guessed);
            let got = reading("newsy.txt", bytes);
            if !(short && guessed) {
                prop_assert_eq!(&got, &want, "{} reads differently from UTF-8", label);
            }
        }
    }

    /// The guess above, pinned on the GBK encodings of single characters of the newsy
    /// alphabet that are also valid UTF-8: read as GBK where the UTF-8 reading is another
    /// alphabet and the GBK one a frequent character, and always marked as guessed.
    #[test]
    fn a_single_gbk_character_that_passes_as_utf8_is_marked_guessed(c in select(HAN.chars().filter(|c| !c.is_whitespace()).collect::<Vec<_>>())) {
        let text = c.to_string();
        let bytes = GB18030.encode(&text).0.into_owned();
        prop_assume!(std::str::from_utf8(&bytes).is_ok());
        let (source, _) = process(&doc("one.txt", bytes.clone()), None, 0, ReadOptions::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(source.guessed, "{} read as {} without the guessed mark", c, source.encoding);
        if source.encoding != "UTF-8" {
            prop_assert_eq!(reading("one.txt", bytes), reading("one.txt", text.into_bytes()));
        }
    }

    #[test]
    fn segmentation_is_deterministic_and_article_ids_are_unique_within_a_source(text in newsy_text(400)) {
        let raw = doc("newsy.txt", text.into_bytes());
        let first = process(&raw, None, 0, ReadOptions::default());
        let second = process(&raw, None, 0, ReadOptions::default());
        match (first, second) {
            (Ok((source_a, articles_a)), Ok((source_b, articles_b))) => {
                prop_assert_eq!(json(&source_a), json(&source_b));
                prop_assert_eq!(json(&articles_a), json(&articles_b));
                let indices: Vec<usize> = articles_a.iter().chain(&articles_b).map(|a| a.source_index).collect();
                prop_assert!(indices.iter().all(|&i| i == 0), "source_index {:?}", indices);
                let mut seen = HashSet::new();
                for a in &articles_a {
                    prop_assert!(seen.insert(a.id.as_str()), "duplicate article id {}", a.id);
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "one run failed, the other did not: {:?} / {:?}", a.err(), b.err()),
        }
    }
}

/// The exported form, to compare types that do not implement `PartialEq`.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("the export types serialise")
}

fn regression_corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn tst_08_every_input_in_the_regression_corpus_loads_without_panicking() {
    let files = regression_corpus();
    assert!(!files.is_empty(), "tests/corpus/ holds the committed crash inputs; it must not be empty");
    let docs: Vec<RawDoc> = files
        .iter()
        .map(|path| RawDoc {
            name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            path: Some(path.clone()),
            bytes: fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        })
        .collect();

    let mut failures = Vec::new();
    for d in &docs {
        match panic::catch_unwind(AssertUnwindSafe(|| Corpus::from_docs(std::slice::from_ref(d), None))) {
            Ok((corpus, _)) => {
                if let Err(message) = check_corpus(&corpus) {
                    failures.push(format!("{}: {message}", d.name));
                }
            }
            Err(_) => failures.push(format!("{}: panicked", d.name)),
        }
    }
    // All at once too: source indices and ids across several sources.
    match panic::catch_unwind(AssertUnwindSafe(|| Corpus::from_docs(&docs, None))) {
        Ok((corpus, problems)) => {
            let fatal = problems.iter().filter(|p| p.fatal).count();
            if corpus.sources.len() + fatal != docs.len() {
                failures.push(format!(
                    "{} sources and {fatal} skipped for {} inputs",
                    corpus.sources.len(),
                    docs.len()
                ));
            }
            if let Err(message) = check_corpus(&corpus) {
                failures.push(format!("all at once: {message}"));
            }
        }
        Err(_) => failures.push("all at once: panicked".to_owned()),
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

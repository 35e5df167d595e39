//! The encoding checks ENC-01 … ENC-13 of `docs/reliability.md` (sections 4.1 and
//! 4.2), one or more tests per check, each named after its id: `cargo test enc_05` runs
//! ENC-05 here and in `src/corpus/decode.rs`.
//!
//! Inputs are the legacy-encoded pages under `tests/fixtures/heldout*/`, the bundled
//! samples re-encoded here, and the pinned headline table `tests/fixtures/enc04_headlines.tsv`.
//! ENC-13 is the benchmark's (`cargo run --release --example bench -- --decode`): its speed
//! is measured there, and its memory bound, which does not depend on the machine, is a unit
//! test of `examples/bench/throughput.rs`, which runs the benchmark's own child.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

use encoding_rs::{BIG5, Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};
use gongbao::corpus::decode::{self, Decoded, StreamDecoder};
use gongbao::corpus::load::{self, Input, Item, LoadError, RawDoc};
use gongbao::corpus::{Corpus, decode_warning, garble, sanitize};

// ---------------------------------------------------------------------------------------
// Fixtures and helpers
// ---------------------------------------------------------------------------------------

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(relative: &str) -> Vec<u8> {
    let path = fixtures_dir().join(relative);
    fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn fixture_text(relative: &str) -> String {
    String::from_utf8(fixture(relative)).unwrap_or_else(|_| panic!("{relative} is not UTF-8"))
}

/// The bundled samples (UTF-8, Simplified).
fn samples() -> Vec<(String, String)> {
    load::bundled().into_iter().map(|doc| (doc.name, String::from_utf8(doc.bytes).expect("UTF-8 sample"))).collect()
}

/// UTF-8 fixtures in Traditional script.
const TRADITIONAL_FIXTURES: [&str; 5] = [
    "heldout/h03_pacific_trad_pinyin.txt",
    "heldout/h04_dunhuang_trad.txt",
    "heldout2/k07_culture_trad_pinyin.txt",
    "heldout2/k08_brazil_trad_jumps.txt",
    "heldout3/m10_trad_pinyin_dense.txt",
];

/// Committed fixtures in a legacy encoding, with the encoding they were written in.
const LEGACY_FIXTURES: [(&str, &str); 6] = [
    ("heldout/h02_railway_plain_gb18030_crlf.txt", "gb18030"),
    ("heldout/h05_trade_md_gb18030.txt", "gb18030"),
    ("heldout2/k02_digitrade_jumps_gb18030.txt", "gb18030"),
    ("heldout3/m05_market_tables_gbk.txt", "gbk"),
    ("heldout/h04_dunhuang_trad_big5.txt", "big5"),
    ("heldout2/k07_culture_trad_pinyin_big5hkscs.txt", "big5"),
];

fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    let (bytes, used, unmappable) = encoding.encode(text);
    assert_eq!(used, encoding, "encoding_rs fell back to another encoding");
    assert!(!unmappable, "text not representable in {}: {text}", encoding.name());
    bytes.into_owned()
}

/// `text` without the characters `encoding` cannot represent (tone-marked pinyin in
/// Big5, for instance), so any text can become a fixture in any encoding.
fn representable(encoding: &'static Encoding, text: &str) -> String {
    text.chars()
        .filter(|&c| {
            let mut buf = [0; 4];
            !encoding.encode(c.encode_utf8(&mut buf)).2
        })
        .collect()
}

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    text.encode_utf16().flat_map(|unit| if little_endian { unit.to_le_bytes() } else { unit.to_be_bytes() }).collect()
}

fn with_prefix(prefix: &[u8], body: &[u8]) -> Vec<u8> {
    let mut bytes = prefix.to_vec();
    bytes.extend_from_slice(body);
    bytes
}

fn decoded(bytes: &[u8]) -> Decoded {
    decode::decode(bytes, None).unwrap_or_else(|error| panic!("decoding failed: {error}"))
}

fn forced(bytes: &[u8], encoding: &'static Encoding) -> Decoded {
    decode::decode(bytes, Some(encoding)).unwrap_or_else(|error| panic!("decoding as {}: {error}", encoding.name()))
}

/// The text as `decode` is specified to give it: CRLF and CR as `\n`.
fn lf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn bytecount(bytes: &[u8], byte: u8) -> usize {
    memchr::memchr_iter(byte, bytes).count()
}

fn is_gbk_family(encoding: &'static Encoding) -> bool {
    encoding == GBK || encoding == GB18030
}

fn hanzi(text: &str) -> usize {
    text.chars().filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c) || ('\u{3400}'..='\u{4DBF}').contains(c)).count()
}

/// A legacy-encoded page: its bytes, the encoding it is in and its text.
struct Page {
    name: String,
    encoding: &'static Encoding,
    bytes: Vec<u8>,
    text: String,
}

/// Every GBK and Big5 page the tests have: the committed legacy fixtures, the bundled
/// samples in GBK and the Traditional fixtures in Big5.
fn legacy_pages() -> Vec<Page> {
    let mut pages = Vec::new();
    for (path, label) in LEGACY_FIXTURES {
        let encoding = decode::encoding_for_label(label).expect("known label");
        let bytes = fixture(path);
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes);
        assert!(!had_errors, "{path} is not clean {label}");
        let text = lf(&text);
        pages.push(Page { name: path.to_owned(), encoding, bytes, text });
    }
    for (name, text) in samples() {
        let bytes = encode(GBK, &text);
        pages.push(Page { name: format!("{name} as GBK"), encoding: GBK, bytes, text: lf(&text) });
    }
    for path in TRADITIONAL_FIXTURES {
        let text = representable(BIG5, &fixture_text(path));
        let bytes = encode(BIG5, &text);
        pages.push(Page { name: format!("{path} as Big5"), encoding: BIG5, bytes, text: lf(&text) });
    }
    pages
}

/// The encoding a page was written in, as detection should report it: a GB18030 page
/// without four-byte sequences is GBK, and both decode it alike.
fn same_family(detected: &'static Encoding, written: &'static Encoding) -> bool {
    detected == written || (is_gbk_family(detected) && is_gbk_family(written))
}

/// Runs `work` on a thread and fails the test if it takes longer than `limit`: a hang
/// must fail, not stall the suite.
fn within<T: Send + 'static>(limit: Duration, what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        sender.send(work()).ok();
    });
    match receiver.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: not done within {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

// ---------------------------------------------------------------------------------------
// ENC-01 — BOMs
// ---------------------------------------------------------------------------------------

#[test]
fn enc_01_utf8_utf16le_and_utf16be_with_a_bom_decode_exactly_and_drop_the_bom() {
    for (name, text) in samples() {
        let cases: [(&[u8], Vec<u8>, &'static Encoding); 3] = [
            (b"\xEF\xBB\xBF", text.as_bytes().to_vec(), UTF_8),
            (b"\xFF\xFE", utf16(&text, true), UTF_16LE),
            (b"\xFE\xFF", utf16(&text, false), UTF_16BE),
        ];
        for (bom, body, encoding) in cases {
            let result = decoded(&with_prefix(bom, &body));
            assert_eq!(result.encoding, encoding, "{name}");
            assert!(result.bom && !result.guessed, "{name} {}", encoding.name());
            assert_eq!(result.replacements, 0);
            assert!(!result.text.contains('\u{FEFF}'), "{name} {}: the BOM is in the text", encoding.name());
            assert_eq!(result.text, lf(&text), "{name} {}", encoding.name());
        }
    }
}

#[test]
fn enc_01_the_committed_utf16le_bom_fixtures_decode_to_their_utf8_originals() {
    for (utf16_path, utf8_path) in [
        ("heldout/h06_costarica_lines_utf16le.txt", "heldout/h06_costarica_lines.txt"),
        ("heldout3/m08_fullwidth_indent_utf16le_bom.txt", "heldout3/m08_fullwidth_indent.txt"),
    ] {
        let bytes = fixture(utf16_path);
        assert!(bytes.starts_with(b"\xFF\xFE"), "{utf16_path} should start with a BOM");
        let result = decoded(&bytes);
        assert_eq!((result.encoding, result.bom, result.guessed), (UTF_16LE, true, false), "{utf16_path}");
        assert_eq!(result.text, lf(&fixture_text(utf8_path)), "{utf16_path}");
    }
}

#[test]
fn enc_01_no_bom_reaches_the_articles_or_the_export() {
    let (_, text) = &samples()[1];
    let docs: Vec<RawDoc> = [(&b"\xEF\xBB\xBF"[..], text.as_bytes().to_vec()), (b"\xFE\xFF", utf16(text, false))]
        .into_iter()
        .map(|(bom, body)| RawDoc { name: "bom.txt".into(), path: None, bytes: with_prefix(bom, &body) })
        .collect();
    let (corpus, problems) = Corpus::from_docs(&docs, None);
    assert!(problems.is_empty(), "{problems:?}");
    let (plain, _) =
        Corpus::from_docs(&[RawDoc { name: "bom.txt".into(), path: None, bytes: text.clone().into_bytes() }], None);
    let paragraphs = |c: &Corpus, source: usize| -> Vec<String> {
        c.articles
            .iter()
            .filter(|a| a.source_index == source)
            .flat_map(|a| a.paragraphs.iter().map(|p| p.text.clone()))
            .collect()
    };
    for source in 0..2 {
        assert!(corpus.sources[source].encoding.starts_with("UTF-"));
        assert!(!corpus.sources[source].guessed);
        assert_eq!(paragraphs(&corpus, source), paragraphs(&plain, 0), "source {source}");
    }
    assert!(
        !gongbao::corpus::export::to_json(&corpus, gongbao::convert::Script::Original)
            .expect("json")
            .contains('\u{FEFF}')
    );
}

// ---------------------------------------------------------------------------------------
// ENC-02 — UTF-16 without a BOM
// ---------------------------------------------------------------------------------------

/// Only the Han characters of a sample, without the few whose code point ends in 00
/// (U+4E00 一): UTF-16 of this has no NUL byte at all.
fn pure_han(text: &str, chars: usize) -> String {
    text.chars()
        .filter(|&c| ('\u{4E00}'..='\u{9FFF}').contains(&c) && !(c as u32).is_multiple_of(256))
        .take(chars)
        .collect()
}

#[test]
fn enc_02_bomless_utf16_of_pure_han_without_any_nul_byte_is_detected_in_both_byte_orders() {
    let mut texts: Vec<String> = samples().iter().map(|(_, text)| pure_han(text, 300)).collect();
    texts.push("中文新闻".to_owned()); // the spec's example: 2D 4E 87 65 B0 65 FB 95
    texts.push(pure_han(&fixture_text(TRADITIONAL_FIXTURES[1]), 40));
    for text in texts {
        for (little_endian, encoding) in [(true, UTF_16LE), (false, UTF_16BE)] {
            let bytes = utf16(&text, little_endian);
            assert!(!bytes.contains(&0), "the point of the fixture is that it has no NUL");
            let result = decoded(&bytes);
            assert_eq!(result.encoding, encoding, "{text}");
            assert!(result.guessed && !result.bom);
            assert_eq!(result.text, text);
        }
    }
    assert_eq!(utf16("中文新闻", true), [0x2D, 0x4E, 0x87, 0x65, 0xB0, 0x65, 0xFB, 0x95]);
}

#[test]
fn enc_02_bomless_utf16_of_news_mixed_with_ascii_is_detected_in_both_byte_orders() {
    let mut texts: Vec<String> = samples().into_iter().map(|(_, text)| text).collect();
    texts.push(fixture_text(TRADITIONAL_FIXTURES[3]));
    for text in texts {
        assert!(text.bytes().any(|b| b.is_ascii_alphanumeric()), "the point is the mix with ASCII");
        for (little_endian, encoding) in [(true, UTF_16LE), (false, UTF_16BE)] {
            let result = decoded(&utf16(&text, little_endian));
            assert_eq!(result.encoding, encoding);
            assert_eq!(result.text, lf(&text));
            assert!(result.guessed);
        }
    }
}

#[test]
fn enc_02_the_committed_bomless_utf16le_fixture_is_detected() {
    let bytes = fixture("heldout2/k10_plants_lines_utf16le.txt");
    assert!(!bytes.starts_with(b"\xFF\xFE"));
    let result = decoded(&bytes);
    assert_eq!((result.encoding, result.bom), (UTF_16LE, false));
    assert_eq!(result.text, lf(&fixture_text("heldout2/k10_plants_lines.txt")));
}

#[test]
fn enc_02_gbk_and_big5_of_even_length_are_not_taken_for_utf16() {
    for page in legacy_pages() {
        // The whole page, and every even-length prefix up to 256 bytes (short files give
        // the heuristic the least to go on), then a spread over the first 64 KiB.
        let len = page.bytes.len();
        let ends =
            (2..=256.min(len)).chain((256..len.min(8192)).step_by(94)).chain((8192..len.min(65_536)).step_by(1022));
        for end in ends.chain([page.bytes.len()]).filter(|end| end % 2 == 0) {
            let detection = decode::detect(&page.bytes[..end]);
            assert!(
                detection.encoding != UTF_16LE && detection.encoding != UTF_16BE,
                "{} cut at {end} taken for {}",
                page.name,
                detection.encoding.name()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// ENC-03 — GB18030 BOM
// ---------------------------------------------------------------------------------------

#[test]
fn enc_03_a_gb18030_bom_is_honoured_and_dropped_and_four_byte_characters_survive() {
    // € and the Extension B, emoji and Hangul characters are four-byte sequences in GB18030.
    let text = format!("{}\n欧元符号€，生僻字𠀀𪚥，表情😀，한국어。\n", samples()[0].1);
    let body = encode(GB18030, &text);
    assert!(body.windows(4).any(|w| w[0] >= 0x81 && (0x30..=0x39).contains(&w[1])), "has four-byte sequences");
    let result = decoded(&with_prefix(&[0x84, 0x31, 0x95, 0x33], &body));
    assert_eq!(result.encoding, GB18030);
    assert!(result.bom && !result.guessed);
    assert_ne!(result.text.chars().next(), Some('\u{FEFF}'));
    assert_eq!(result.text, lf(&text));
    assert_eq!(result.replacements, 0);
}

#[test]
fn enc_03_the_gb18030_bom_on_a_committed_gb18030_fixture() {
    let body = fixture("heldout/h05_trade_md_gb18030.txt");
    let result = decoded(&with_prefix(&[0x84, 0x31, 0x95, 0x33], &body));
    assert_eq!((result.encoding, result.bom, result.guessed), (GB18030, true, false));
    assert_eq!(result.text, lf(&fixture_text("heldout/h05_trade_md.txt")));
}

// ---------------------------------------------------------------------------------------
// ENC-04 — short-sample corpus: a pinned golden table
// ---------------------------------------------------------------------------------------

const HEADLINES: &str = "enc04_headlines.tsv";
const HEADLINE_COLUMNS: &str = "text\tencoding\thanzi\tdetected\tguessed\tchardetng\tverdict";

/// One row of the table: a headline, how it was written, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Headline {
    text: String,
    /// `GBK` or `Big5`: how the text was written.
    encoding: &'static str,
    hanzi: usize,
    /// What `decode` chose (or `refused`), and whether it said it guessed.
    detected: String,
    guessed: bool,
    /// What bare chardetng (the baseline) says, so that an upgrade of it shows here too.
    chardetng: &'static str,
    /// `ok` when the decoded text is the headline, `miss` otherwise (a known miss).
    verdict: &'static str,
}

impl Headline {
    fn measure(text: &str, encoding: &'static Encoding) -> Headline {
        let bytes = encode(encoding, text);
        let (detected, guessed, verdict) = match decode::decode(&bytes, None) {
            Ok(result) => {
                (result.encoding.name().to_owned(), result.guessed, if result.text == text { "ok" } else { "miss" })
            }
            Err(_) => ("refused".to_owned(), false, "miss"),
        };
        let mut baseline = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        baseline.feed(&bytes, true);
        Headline {
            text: text.to_owned(),
            encoding: encoding.name(),
            hanzi: hanzi(text),
            detected,
            guessed,
            chardetng: baseline.guess(None, chardetng::Utf8Detection::Allow).name(),
            verdict,
        }
    }

    fn line(&self) -> String {
        let Headline { text, encoding, hanzi, detected, guessed, chardetng, verdict } = self;
        format!("{text}\t{encoding}\t{hanzi}\t{detected}\t{guessed}\t{chardetng}\t{verdict}")
    }
}

/// Candidate headlines: the titles of the UTF-8 pages and pieces of their sentences
/// (cut at punctuation, and the first 2–9 characters of longer pieces), in Simplified
/// for GBK and Traditional for Big5, 2 to 30 characters, no Latin letters, nothing
/// garbled. Only used to write a new table.
fn headline_candidates(script_of: &gongbao::convert::Converter) -> Vec<(String, &'static Encoding)> {
    use gongbao::convert::Script;
    let mut pages: Vec<RawDoc> = load::bundled();
    for dir in ["heldout", "heldout2", "heldout3"] {
        let mut paths: Vec<PathBuf> =
            fs::read_dir(fixtures_dir().join(dir)).expect("fixture folder").flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "txt")) {
            let bytes = fs::read(&path).expect("fixture");
            if std::str::from_utf8(&bytes).is_ok() {
                pages.push(RawDoc { name: path.display().to_string(), path: None, bytes });
            }
        }
    }
    let (corpus, _) = Corpus::from_docs(&pages, None);
    let mut pieces: Vec<String> = corpus.articles.iter().filter_map(|a| a.title.clone()).collect();
    for paragraph in corpus.articles.iter().flat_map(|a| &a.paragraphs) {
        for piece in paragraph.text.split(|c: char| "，。；：、！？“”‘’（）《》「」『』()[]【】—…·\n ".contains(c))
        {
            pieces.push(piece.to_owned());
            for len in 2..10 {
                pieces.push(piece.chars().take(len).collect());
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for piece in pieces {
        let piece = piece.trim().to_owned();
        let chars = piece.chars().count();
        let usable = (2..=30).contains(&chars)
            && hanzi(&piece) >= 2
            && !piece.chars().any(|c| c.is_ascii_alphabetic() || c == '?' || c == '\u{FFFD}' || c.is_whitespace())
            && garble::garbled_spans(&piece).is_empty();
        if !usable || !seen.insert(piece.clone()) {
            continue;
        }
        let unchanged = |script| script_of.convert(&piece, script).is_ok_and(|c| c == piece);
        match (unchanged(Script::Simplified), unchanged(Script::Traditional)) {
            (true, false) => out.push((piece, GBK)),
            (false, true) if representable(BIG5, &piece) == piece => out.push((piece, BIG5)),
            _ => {}
        }
    }
    out
}

/// About 200 headlines: per encoding, five of each length from 2 to 9 characters and
/// three of each from 10 to 30, picked evenly from the candidates; plus 你好 in GBK,
/// the baseline's classic miss.
fn pick_headlines() -> Vec<(String, &'static Encoding)> {
    let candidates = headline_candidates(&gongbao::convert::Converter::new());
    let mut picked = vec![("你好".to_owned(), GBK)];
    for encoding in [GBK, BIG5] {
        for len in 2..=30 {
            let bucket: Vec<&String> = candidates
                .iter()
                .filter(|(text, e)| *e == encoding && text.chars().count() == len && text != "你好")
                .map(|(text, _)| text)
                .collect();
            let want = if len < 10 { 5 } else { 3 };
            let step = (bucket.len() / want).max(1);
            picked.extend(bucket.iter().step_by(step).take(want).map(|text| ((*text).clone(), encoding)));
        }
    }
    picked
}

/// The committed rows: each line as written, and the headline and encoding it names.
fn read_headlines(path: &Path) -> Vec<(String, String, &'static Encoding)> {
    let table =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}; GONGBAO_BLESS=1 writes it", path.display()));
    let rows = table.lines().filter(|line| !line.starts_with('#') && !line.is_empty() && *line != HEADLINE_COLUMNS);
    rows.map(|line| {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 7, "bad row: {line}");
        let encoding = decode::encoding_for_label(fields[1]).unwrap_or_else(|| panic!("bad encoding in {line}"));
        (line.to_owned(), fields[0].to_owned(), encoding)
    })
    .collect()
}

fn write_headlines(path: &Path, rows: &[Headline]) {
    let mut table = String::from(
        "# ENC-04 golden table (shared/docs/reliability.md 4.4): short headlines, Simplified in GBK and\n\
         # Traditional in Big5, 2-30 characters, from the titles and sentences of assets/ and tests/fixtures/.\n\
         # detected/guessed: what gongbao's decode says; chardetng: the bare baseline; verdict: ok when the\n\
         # decoded text is the headline, miss otherwise (a known miss, allowed only under 10 hanzi).\n\
         # Pinned: `cargo test --test it encodings::enc_04` fails on any change. After a deliberate change\n\
         # (a chardetng upgrade, a new rule) rewrite it with GONGBAO_BLESS=1 and review the diff.\n",
    );
    table.push_str(HEADLINE_COLUMNS);
    table.push('\n');
    for row in rows {
        table.push_str(&row.line());
        table.push('\n');
    }
    fs::write(path, table).expect("write the table");
}

#[test]
fn enc_04_short_headlines_match_the_pinned_golden_table() {
    let path = fixtures_dir().join(HEADLINES);
    if std::env::var_os("GONGBAO_BLESS").is_some() {
        // Keep the texts of an existing table, so a rewrite only shows what changed.
        let texts: Vec<(String, &'static Encoding)> = if path.exists() {
            read_headlines(&path).into_iter().map(|(_, text, encoding)| (text, encoding)).collect()
        } else {
            pick_headlines()
        };
        let rows: Vec<Headline> = texts.iter().map(|(text, encoding)| Headline::measure(text, encoding)).collect();
        write_headlines(&path, &rows);
        eprintln!("wrote {} rows to {}", rows.len(), path.display());
    }
    let changed: Vec<String> = read_headlines(&path)
        .into_iter()
        .filter_map(|(line, text, encoding)| {
            let now = Headline::measure(&text, encoding).line();
            (now != line).then(|| format!("pinned: {line}\n   now: {now}"))
        })
        .collect();
    assert!(
        changed.is_empty(),
        "{} rows changed (GONGBAO_BLESS=1 rewrites the table):\n{}",
        changed.len(),
        changed.join("\n")
    );
}

fn measured_headlines() -> Vec<Headline> {
    let path = fixtures_dir().join(HEADLINES);
    read_headlines(&path).iter().map(|(_, text, encoding)| Headline::measure(text, encoding)).collect()
}

#[test]
fn enc_04_the_table_has_about_200_headlines_of_2_to_30_characters_in_both_encodings() {
    let rows = measured_headlines();
    assert!((190..=230).contains(&rows.len()), "{} rows", rows.len());
    for encoding in ["GBK", "Big5"] {
        let of = rows.iter().filter(|row| row.encoding == encoding);
        assert!(of.clone().count() >= 90, "{encoding}");
        assert!(of.clone().any(|row| row.hanzi < 10) && of.clone().any(|row| row.hanzi >= 10), "{encoding}");
    }
    assert!(rows.iter().all(|row| (2..=30).contains(&row.text.chars().count())));
    let nihao =
        rows.iter().find(|row| row.text == "你好" && row.encoding == "GBK").expect("你好 in GBK is in the table");
    // The baseline's classic miss; recorded, whatever gongbao makes of it.
    assert_eq!(nihao.chardetng, "EUC-KR");
}

#[test]
fn enc_04_ten_or_more_hanzi_are_always_read_right() {
    let wrong: Vec<String> =
        measured_headlines().iter().filter(|row| row.hanzi >= 10 && row.verdict != "ok").map(Headline::line).collect();
    assert!(wrong.is_empty(), "misread with ten or more hanzi:\n{}", wrong.join("\n"));
}

#[test]
fn enc_04_fewer_than_ten_hanzi_are_marked_as_guessed_and_misses_are_only_there() {
    let rows = measured_headlines();
    let sure: Vec<String> = rows.iter().filter(|row| row.hanzi < 10 && !row.guessed).map(Headline::line).collect();
    assert!(sure.is_empty(), "short headlines read without the guessed marker:\n{}", sure.join("\n"));
    for miss in rows.iter().filter(|row| row.verdict == "miss") {
        assert!(miss.hanzi < 10, "{}", miss.line());
        eprintln!("known miss: {}", miss.line());
    }
}

// ---------------------------------------------------------------------------------------
// ENC-05 — truncated tail
// ---------------------------------------------------------------------------------------

#[test]
fn enc_05_a_truncated_tail_keeps_the_encoding_and_gives_at_most_one_replacement_at_the_end() {
    for page in legacy_pages() {
        let whole = decoded(&page.bytes);
        assert!(same_family(whole.encoding, page.encoding), "{}: {}", page.name, whole.encoding.name());
        assert_eq!(whole.text, page.text, "{}", page.name);
        let marks_before = page.text.matches('\u{FFFD}').count();
        for cut in 1..=3 {
            let bytes = &page.bytes[..page.bytes.len() - cut];
            let result = decoded(bytes);
            let what = format!("{} cut by {cut}", page.name);
            assert_eq!(result.encoding, whole.encoding, "{what}");
            assert!(result.replacements <= 1, "{what}: {} replacements", result.replacements);
            assert_eq!(result.text.matches('\u{FFFD}').count(), marks_before + result.replacements, "{what}");
            let kept = if result.replacements == 1 {
                result.text.strip_suffix('\u{FFFD}').unwrap_or_else(|| panic!("{what}: the U+FFFD is not at the end"))
            } else {
                result.text.as_str()
            };
            assert!(page.text.starts_with(kept), "{what}: the text before the cut changed");
            assert!(kept.len() + 8 >= page.text.len(), "{what}: more than the last character was lost");
        }
    }
}

// ---------------------------------------------------------------------------------------
// ENC-06 — chunk boundaries
// ---------------------------------------------------------------------------------------

/// Byte offsets where a character ends in `bytes` read as `encoding` (0 included).
fn char_boundaries(encoding: &'static Encoding, bytes: &[u8]) -> Vec<usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut boundaries = vec![0];
    let mut out = String::with_capacity(16);
    for (i, byte) in bytes.iter().enumerate() {
        out.clear();
        let (_, read, _) = decoder.decode_to_string(std::slice::from_ref(byte), &mut out, false);
        assert_eq!(read, 1);
        if !out.is_empty() {
            boundaries.push(i + 1);
        }
    }
    boundaries
}

/// Small inputs with every feature a chunk boundary can cut: each kind of BOM, CRLF,
/// two-, three- and four-byte characters, malformed bytes and a cut tail.
fn boundary_cases() -> Vec<(String, Vec<u8>)> {
    let text = "新华社北京7月4日电\r\n（记者 李明）上海合作组织峰会€𠀀😀\r\r\n許功蓋\rEnd\r";
    let gbk_text = "新华社北京7月4日电\r\n（记者 李明）上海合作组织峰会\r\r\n\r";
    let big5_text = "新華社北京7月4日電\r\n許功蓋，中華民國\r\r\n\r";
    let mut corrupt = encode(GBK, gbk_text);
    corrupt.insert(11, 0xFF);
    corrupt.push(0xB0);
    let mut utf8_corrupt = text.as_bytes().to_vec();
    utf8_corrupt.insert(4, 0x80);
    utf8_corrupt.truncate(utf8_corrupt.len() - 2);
    vec![
        ("UTF-8 BOM".into(), with_prefix(b"\xEF\xBB\xBF", text.as_bytes())),
        ("UTF-8 damaged".into(), utf8_corrupt),
        ("UTF-16LE BOM".into(), with_prefix(b"\xFF\xFE", &utf16(text, true))),
        ("UTF-16BE BOM".into(), with_prefix(b"\xFE\xFF", &utf16(text, false))),
        ("UTF-16LE".into(), utf16(&text.repeat(3), true)),
        ("GB18030 BOM".into(), with_prefix(&[0x84, 0x31, 0x95, 0x33], &encode(GB18030, text))),
        ("GBK damaged".into(), corrupt),
        ("Big5".into(), encode(BIG5, &big5_text.repeat(4))),
    ]
}

/// `bytes` decoded as the loader does it, in one piece, and in two pieces split at
/// every point of `splits`; panics at the first split that differs.
fn assert_two_chunks_equal_one(name: &str, bytes: &[u8], splits: impl Iterator<Item = usize>) {
    let one = decode::decode(bytes, None);
    let detection = decode::detect(bytes);
    let Ok(one) = one else { panic!("{name}: {one:?}") };
    assert_eq!(one.encoding, detection.encoding, "{name}: detect and decode disagree");
    for split in splits {
        let mut stream = StreamDecoder::new(detection.encoding, detection.bom_len);
        stream.feed(&bytes[..split]);
        stream.feed(&bytes[split..]);
        let (text, replacements) = stream.finish();
        assert!(text == one.text && replacements == one.replacements, "{name}: split at {split} differs");
    }
}

#[test]
fn enc_06_two_chunks_decode_like_one_at_every_split_point_of_small_files() {
    for (name, bytes) in boundary_cases() {
        assert_two_chunks_equal_one(&name, &bytes, 0..=bytes.len());
    }
    let mut probe = StreamDecoder::new(GBK, 0);
    probe.feed(b"a\r");
    probe.feed(b"\nb\r");
    probe.feed(b"");
    probe.feed(b"\n\n");
    assert_eq!(probe.finish(), ("a\nb\n\n".to_owned(), 0), "a CRLF cut in two is one line break");
}

#[test]
fn enc_06_two_chunks_decode_like_one_at_every_split_point_in_the_first_64_kib_of_the_legacy_fixtures() {
    // Every split point of every legacy page under 8 KiB: the committed GBK, GB18030 and
    // Big5 fixtures and the Traditional ones in Big5.
    let pages: Vec<Page> = legacy_pages().into_iter().filter(|page| page.bytes.len() <= 8192).collect();
    assert!(pages.len() >= 10);
    std::thread::scope(|scope| {
        for half in pages.chunks(pages.len().div_ceil(2)) {
            scope.spawn(move || {
                for page in half {
                    assert_two_chunks_equal_one(&page.name, &page.bytes, 0..=page.bytes.len());
                }
            });
        }
    });
}

#[test]
fn enc_06_two_chunks_decode_like_one_across_a_64_kib_page() {
    // A page over 64 KiB with CRLF line ends: every split point in the first 512 bytes,
    // then every 257th to 64 KiB. (Every split of 64 KiB is 4 GiB of decoding, minutes in
    // a debug build; the small files above get a full sweep.)
    let mut texts: Vec<String> = samples().into_iter().map(|(_, text)| text).collect();
    texts.push(texts[0].clone());
    let text = texts.join("\r\n");
    let bytes = encode(GBK, &text);
    assert!(bytes.len() > 65_536);
    let splits: Vec<usize> = (0..512).chain((512..65_536).step_by(257)).collect();
    std::thread::scope(|scope| {
        for part in splits.chunks(splits.len().div_ceil(2)) {
            let bytes = &bytes;
            scope.spawn(move || assert_two_chunks_equal_one("samples as GBK", bytes, part.iter().copied()));
        }
    });
}

#[test]
fn enc_06_detection_on_a_prefix_cut_mid_character_equals_detection_on_the_whole_prefix() {
    for page in legacy_pages() {
        let boundaries = char_boundaries(page.encoding, &page.bytes);
        // Every multibyte character in the first 384 bytes, then characters at a spread
        // of points over the first 64 KiB. Not the first character: a prefix of one byte
        // holds no character at all, so there is nothing for it to agree with.
        let limit = page.bytes.len().min(65_536);
        let wanted: Vec<usize> = (1..40).map(|i| i * i * limit / 1600).collect();
        for pair in boundaries.windows(2).filter(|pair| pair[0] > 0 && pair[1] - pair[0] > 1) {
            let (start, end) = (pair[0], pair[1]);
            if end > 384 && !wanted.iter().any(|&w| (start..end).contains(&w)) {
                continue;
            }
            let whole = decode::detect(&page.bytes[..end]);
            let enough_evidence = hanzi(&page.encoding.decode_without_bom_handling(&page.bytes[..start]).0) >= 10;
            for cut in start + 1..end {
                let partial = decode::detect(&page.bytes[..cut]);
                let what = format!("{}: cut at {cut} inside {start}..{end}", page.name);
                if enough_evidence {
                    assert_eq!(partial, whole, "{what}");
                } else {
                    // Below ten Han characters a reading is a guess (ENC-04), and says so.
                    assert!(partial.guessed && whole.guessed, "{what}: {partial:?} / {whole:?}");
                }
            }
        }
    }
}

#[test]
fn enc_06_a_sniff_window_that_ends_mid_character_does_not_change_the_detection() {
    // Over a megabyte, so detection only looks at its first MiB: with no ASCII in front,
    // or one byte of it, that window ends inside a character in one of the two.
    const WINDOW: usize = 1 << 20;
    let simplified = samples().into_iter().map(|(_, text)| text).collect::<String>();
    let traditional =
        representable(BIG5, &TRADITIONAL_FIXTURES.iter().map(|path| fixture_text(path)).collect::<String>());
    for (encoding, base) in [(GBK, simplified), (BIG5, traditional)] {
        let mut cut_inside = 0;
        for pad in ["", "x"] {
            let unit = encode(encoding, &format!("{base}\n"));
            let repeats = (WINDOW + 4096) / unit.len() + 1;
            // Legacy encodings are stateless: the encoding of the text repeated is the
            // encoding repeated (and a debug build encodes slowly).
            let bytes = with_prefix(pad.as_bytes(), &unit.repeat(repeats));
            let text = format!("{pad}{}", lf(&format!("{base}\n")).repeat(repeats));
            let around = WINDOW - pad.len() - (WINDOW - pad.len()) % unit.len();
            let boundaries = char_boundaries(encoding, &unit);
            if !boundaries.contains(&(WINDOW - pad.len() - around)) {
                cut_inside += 1;
            }
            let detection = decode::detect(&bytes);
            assert!(same_family(detection.encoding, encoding), "{} pad {pad:?}: {detection:?}", encoding.name());
            let result = decoded(&bytes);
            assert_eq!((result.replacements, result.text == text), (0, true), "{} pad {pad:?}", encoding.name());
        }
        assert_eq!(cut_inside, 1, "{}: one of the two windows should end inside a character", encoding.name());
    }
}

// ---------------------------------------------------------------------------------------
// ENC-07 — corruption mid-file
// ---------------------------------------------------------------------------------------

/// A page with one byte damaged at a character boundary near its middle: either an
/// invalid byte (0xFF, in no encoding here) inserted, or the trail byte of a
/// two-byte character overwritten with it. Returns the bytes and the expected text.
fn damaged(page: &Page, overwrite: bool) -> (Vec<u8>, String) {
    let boundaries = char_boundaries(page.encoding, &page.bytes);
    let middle = boundaries.partition_point(|&b| b < page.bytes.len() / 2);
    let pair = boundaries[middle..].windows(2).find(|pair| pair[1] - pair[0] == 2).expect("a two-byte character");
    let (start, end) = (pair[0], pair[1]);
    let text_of = |bytes: &[u8]| lf(&page.encoding.decode_without_bom_handling(bytes).0);
    let mut bytes = page.bytes.clone();
    if overwrite {
        bytes[start + 1] = 0xFF;
        (bytes, format!("{}\u{FFFD}{}", text_of(&page.bytes[..start]), text_of(&page.bytes[end..])))
    } else {
        bytes.insert(start, 0xFF);
        (bytes, format!("{}\u{FFFD}{}", text_of(&page.bytes[..start]), text_of(&page.bytes[start..])))
    }
}

#[test]
fn enc_07_one_invalid_byte_mid_file_keeps_the_encoding_and_gives_one_replacement_at_that_spot() {
    for page in legacy_pages() {
        let whole = decoded(&page.bytes).encoding;
        for overwrite in [false, true] {
            let (bytes, expected) = damaged(&page, overwrite);
            let result = decoded(&bytes);
            let what =
                format!("{} ({})", page.name, if overwrite { "trail byte overwritten" } else { "byte inserted" });
            assert_eq!(result.encoding, whole, "{what}");
            assert_eq!(result.replacements, 1, "{what}");
            assert_eq!(result.text, expected, "{what}");
        }
    }
}

#[test]
fn enc_07_one_invalid_byte_is_reported_as_1_undecodable_byte_and_shown_once() {
    let pages = legacy_pages();
    let gbk = pages.iter().find(|page| page.encoding == GBK).expect("a GBK page");
    let (bytes, _) = damaged(gbk, false);
    let doc = RawDoc { name: "damaged.txt".into(), path: None, bytes };
    let (corpus, problems) = Corpus::from_docs(&[doc], None);
    assert_eq!(corpus.sources[0].encoding, "GBK");
    assert_eq!(corpus.sources[0].replacements, 1);
    let [problem] = problems.as_slice() else { panic!("one warning expected: {problems:?}") };
    assert!(!problem.fatal);
    assert!(problem.message.starts_with("1 undecodable byte sequence "), "{problem}");
    assert!(!problem.message.contains("sequences"), "{problem}");
    assert_eq!(decode_warning(&corpus.sources[0]).as_ref(), Some(problem));
    let marks: usize =
        corpus.articles.iter().flat_map(|a| &a.paragraphs).map(|p| p.text.matches('\u{FFFD}').count()).sum();
    assert_eq!(marks, 1, "the replacement is in the text once");
}

// ---------------------------------------------------------------------------------------
// ENC-08 — manual override (the library part; the reader's key is not tested here)
// ---------------------------------------------------------------------------------------

#[test]
fn enc_08_forcing_big5_on_a_utf8_bom_file_with_a_big5_body_gives_the_big5_text() {
    for path in TRADITIONAL_FIXTURES {
        let text = representable(BIG5, &fixture_text(path));
        let bytes = with_prefix(b"\xEF\xBB\xBF", &encode(BIG5, &text));
        // Left alone, detection sees that the body is not UTF-8 and reads it on its own,
        // without claiming certainty.
        let detected = decoded(&bytes);
        assert_eq!((detected.encoding, detected.guessed, detected.bom), (BIG5, true, true), "{path}");
        assert_eq!(detected.text, lf(&text), "{path}");
        let big5 = decode::encoding_for_label("big5").expect("big5 is a label");
        let result = forced(&bytes, big5);
        assert_eq!(result.encoding, BIG5);
        assert!(!result.guessed, "an override is not a guess");
        assert_eq!(result.replacements, 0, "{path}");
        assert_eq!(result.text, lf(&text), "{path}: the BOM must not swallow the first character");
    }
}

#[test]
fn enc_08_the_override_reaches_the_corpus_source() {
    let text = representable(BIG5, &fixture_text(TRADITIONAL_FIXTURES[1]));
    let bytes = with_prefix(b"\xEF\xBB\xBF", &encode(BIG5, &text));
    let doc = RawDoc { name: "bom_big5.txt".into(), path: None, bytes };
    let (detected, _) = Corpus::from_docs(std::slice::from_ref(&doc), None);
    assert_eq!((detected.sources[0].encoding.as_str(), detected.sources[0].guessed), ("Big5", true));
    // Forcing the other reading gives it, BOM dropped all the same.
    let (gbk, _) = Corpus::from_docs(std::slice::from_ref(&doc), Some(GBK));
    assert_eq!((gbk.sources[0].encoding.as_str(), gbk.sources[0].guessed), ("GBK", false));
    let (corpus, problems) = Corpus::from_docs(&[doc], Some(BIG5));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!((corpus.sources[0].encoding.as_str(), corpus.sources[0].guessed), ("Big5", false));
    // The same articles as the text read from UTF-8.
    let utf8 = RawDoc { name: "bom_big5.txt".into(), path: None, bytes: text.into_bytes() };
    let (expected, _) = Corpus::from_docs(&[utf8], None);
    let summary = |c: &Corpus| -> Vec<(Option<String>, Vec<String>)> {
        c.articles.iter().map(|a| (a.title.clone(), a.paragraphs.iter().map(|p| p.text.clone()).collect())).collect()
    };
    assert!(!corpus.articles.is_empty());
    assert_eq!(summary(&corpus), summary(&expected));
}

// ---------------------------------------------------------------------------------------
// ENC-09 — decode before bytes are interpreted
// ---------------------------------------------------------------------------------------

/// Lines full of 上 (U+4E0A: `0A 4E` in UTF-16LE) and 不 (U+4E0D: `0D 4E`), whose
/// bytes hold a newline or a carriage return.
fn newline_bytes_text() -> String {
    (1..=12)
        .map(|i| format!("第{i}段：上海合作组织不断壮大，上合精神不会改变，上下同心。"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[test]
fn enc_09_utf16_units_holding_newline_or_cr_bytes_do_not_add_lines() {
    let text = newline_bytes_text();
    let lines = text.lines().count();
    let le = utf16(&text, true);
    assert!(le.windows(2).any(|w| w == [0x0A, 0x4E]) && le.windows(2).any(|w| w == [0x0D, 0x4E]));
    assert!(bytecount(&le, b'\n') > 2 * lines, "the bytes hold far more 0x0A than lines");
    let cases = [
        ("UTF-16LE", le.clone()),
        ("UTF-16LE BOM", with_prefix(b"\xFF\xFE", &le)),
        ("UTF-16BE", utf16(&text, false)),
        ("UTF-16BE BOM", with_prefix(b"\xFE\xFF", &utf16(&text, false))),
    ];
    for (name, bytes) in cases {
        let result = decoded(&bytes);
        assert_eq!(result.text.lines().count(), lines, "{name}");
        assert_eq!(result.text, text, "{name}");
    }
}

#[test]
fn enc_09_paragraph_line_numbers_of_utf16_text_are_lines_of_the_decoded_text() {
    let text = newline_bytes_text();
    let original: Vec<&str> = text.lines().collect();
    let doc = RawDoc { name: "u16.txt".into(), path: None, bytes: utf16(&text, true) };
    let (corpus, problems) = Corpus::from_docs(&[doc], None);
    assert!(problems.is_empty(), "{problems:?}");
    let paragraphs: Vec<_> = corpus.articles.iter().flat_map(|a| &a.paragraphs).collect();
    assert!(paragraphs.len() >= 10, "{}", paragraphs.len());
    for p in paragraphs {
        let line = original.get(p.line as usize - 1).unwrap_or_else(|| panic!("line {} is past the end", p.line));
        let head: String = p.text.chars().take(6).collect();
        assert!(line.contains(&head), "paragraph {:?} is not on line {}: {line}", p.text, p.line);
    }
}

/// Text whose legacy bytes hold `\` (0x5C) or `|` (0x7C) as trail bytes: Big5 許 功 蓋
/// (`B3 5C`, `A5 5C`, `BB 5C`), 四 會 舉 (`.. 7C`); GBK 誠 謀 (`.. 5C`), 東 質 億 (`.. 7C`).
const BIG5_TRAILS: &str = "許功蓋三字的第二個位元組是反斜線。四、舉行會議，尚未決定。";
const GBK_TRAILS: &str = "东盟与中国签署协议，“東盟”“誠意”“謀劃”“質量”“百億”均为繁体写法。";

fn trail_byte_docs() -> Vec<(RawDoc, &'static Encoding, &'static str)> {
    let cases = [(BIG5, BIG5_TRAILS), (GBK, GBK_TRAILS)];
    cases
        .into_iter()
        .map(|(encoding, line)| {
            let text = format!("{}\n\n{line}\n\n{line}\n", if encoding == BIG5 { "標題" } else { "标题" });
            let bytes = encode(encoding, &text);
            assert!(bytes.contains(&b'\\') && bytes.contains(&b'|'), "{}: the fixture needs both", encoding.name());
            (RawDoc { name: format!("trails_{}.txt", encoding.name()), path: None, bytes }, encoding, line)
        })
        .collect()
}

#[test]
fn enc_09_trail_bytes_0x5c_and_0x7c_are_never_backslash_or_bar_in_decoding_and_sanitising() {
    for (doc, encoding, line) in trail_byte_docs() {
        let result = forced(&doc.bytes, encoding);
        assert!(!result.text.contains(['\\', '|']), "{}: {}", encoding.name(), result.text);
        assert!(result.text.contains(line));
        let (clean, removed) = sanitize::sanitize(&result.text);
        assert_eq!(clean, result.text, "sanitising changed {}", encoding.name());
        assert!(removed.is_empty());
        assert!(sanitize::is_display_safe(&clean));
    }
}

#[test]
fn enc_09_trail_bytes_0x5c_and_0x7c_are_never_backslash_or_bar_in_search_and_export() {
    use gongbao::search::{Query, SearchIndex, folder};
    for (doc, encoding, line) in trail_byte_docs() {
        let (corpus, problems) = Corpus::from_docs(&[doc], Some(encoding));
        assert!(problems.is_empty(), "{problems:?}");
        let index = SearchIndex::build(&corpus, folder());
        let count = |query: &str, exact: bool| {
            let mut n = 0;
            index.search(&corpus, &Query::new(query, exact), folder(), |_| {
                n += 1;
                true
            });
            n
        };
        for exact in [false, true] {
            assert_eq!(count("\\", exact), 0, "{}: a trail byte was searched as a backslash", encoding.name());
            assert_eq!(count("|", exact), 0, "{}: a trail byte was searched as a bar", encoding.name());
            let word: String = line.chars().skip(1).take(4).collect();
            assert_eq!(count(&word, exact), 2, "{}: {word}", encoding.name());
        }
        let json = gongbao::corpus::export::to_json(&corpus, gongbao::convert::Script::Original).expect("json");
        assert!(!json.contains("\\\\") && !json.contains('|'), "{}", encoding.name());
        assert!(json.contains(line));
    }
}

// ---------------------------------------------------------------------------------------
// ENC-10 — GBK/Big5 ambiguity
// ---------------------------------------------------------------------------------------

/// Han characters of `texts` that `encoding` can write, as often as they occur there, so
/// drawing from the pool gives characters at the frequency of news prose.
fn han_pool(texts: &[String], encoding: &'static Encoding) -> Vec<char> {
    texts
        .iter()
        .flat_map(|text| representable(encoding, text).chars().collect::<Vec<_>>())
        .filter(|c| hanzi(&c.to_string()) == 1)
        .collect()
}

fn simplified_pool() -> &'static [char] {
    static POOL: OnceLock<Vec<char>> = OnceLock::new();
    POOL.get_or_init(|| han_pool(&samples().into_iter().map(|(_, text)| text).collect::<Vec<_>>(), GBK))
}

fn traditional_pool() -> &'static [char] {
    static POOL: OnceLock<Vec<char>> = OnceLock::new();
    POOL.get_or_init(|| han_pool(&TRADITIONAL_FIXTURES.iter().map(|path| fixture_text(path)).collect::<Vec<_>>(), BIG5))
}

fn decodes_cleanly(encoding: &'static Encoding, bytes: &[u8]) -> bool {
    encoding.decode_without_bom_handling_and_without_replacement(bytes).is_some()
}

#[test]
fn enc_10_bytes_valid_in_both_gbk_and_big5_are_a_guess_and_the_override_gives_the_other_reading() {
    let cases = [
        (GBK, "双方强调加强合作"),
        (GBK, "巩固世代睦邻友好，创造新的发展机遇"),
        (BIG5, "中華人民共和國外交部發言人表示"),
        (BIG5, "期間還將舉辦敦煌學專家講座"),
    ];
    for (written, text) in cases {
        let bytes = encode(written, text);
        let other = if written == GBK { BIG5 } else { GBK };
        assert!(
            decodes_cleanly(GBK, &bytes) && decodes_cleanly(BIG5, &bytes),
            "{text}: the fixture must be valid in both"
        );
        let result = decoded(&bytes);
        assert!(result.guessed, "{text}: valid in both, yet detection claims certainty");
        assert!(same_family(result.encoding, written), "{text}: read as {}", result.encoding.name());
        // The override gives the other reading, and claims it (the user chose it).
        let overridden = forced(&bytes, other);
        let (reading, _) = other.decode_without_bom_handling(&bytes);
        assert_eq!(overridden.text, reading);
        assert_ne!(overridden.text, text);
        assert!(!overridden.guessed && overridden.replacements == 0);
        assert_eq!(forced(&bytes, written).text, text);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Error-free GBK decoding of Big5 bytes is the rule, not evidence: nearly every
    /// Big5 byte pair is a valid GBK pair. Random Traditional text in Big5 is read as
    /// Big5 once it has ten Han characters, and is a guess whatever its length.
    #[test]
    fn enc_10_big5_text_that_also_decodes_as_gbk_is_still_read_as_big5(
        picks in proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 2..40)
    ) {
        let pool = traditional_pool();
        let text: String = picks.iter().map(|i| *i.get(pool)).collect();
        let bytes = encode(BIG5, &text);
        let result = decoded(&bytes);
        proptest::prop_assert!(result.guessed);
        if text.chars().count() >= 10 {
            proptest::prop_assert_eq!(result.encoding, BIG5, "{} (clean as GBK: {})", text, decodes_cleanly(GBK, &bytes));
            proptest::prop_assert_eq!(result.text, text);
        }
    }

    /// The same for Simplified text in GBK, whose GB2312 part is mostly valid Big5.
    #[test]
    fn enc_10_gbk_text_that_also_decodes_as_big5_is_still_read_as_gbk(
        picks in proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 2..40)
    ) {
        let pool = simplified_pool();
        let text: String = picks.iter().map(|i| *i.get(pool)).collect();
        let bytes = encode(GBK, &text);
        let result = decoded(&bytes);
        proptest::prop_assert!(result.guessed);
        if text.chars().count() >= 10 {
            proptest::prop_assert!(is_gbk_family(result.encoding), "{} read as {} (clean as Big5: {})", text, result.encoding.name(), decodes_cleanly(BIG5, &bytes));
            proptest::prop_assert_eq!(result.text, text);
        }
    }
}

// ---------------------------------------------------------------------------------------
// ENC-11 — mojibake. The repair toggle of spec 4.3 item 8 is NOT built: gongbao only
// flags garbled spans (src/corpus/garble.rs) and never changes text. So the checks that
// apply are the flagging ones; the repair ones (涓枃鏂伴椈 → 中文新闻, odd-length refusal,
// no `&#`, the identity property of the repair) wait for the toggle.
// ---------------------------------------------------------------------------------------

/// UTF-8 pages with no garbled span: prose the flagger must leave alone.
fn clean_texts() -> &'static [String] {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(clean_texts_uncached)
}

fn clean_texts_uncached() -> Vec<String> {
    let mut texts: Vec<String> =
        samples().into_iter().map(|(_, text)| text).filter(|text| garble::garbled_spans(text).is_empty()).collect();
    texts.extend(
        ["heldout/h04_dunhuang_trad.txt", "heldout2/k08_brazil_trad_jumps.txt", "heldout3/m10_trad_pinyin_dense.txt"]
            .iter()
            .map(|path| fixture_text(path)),
    );
    texts
}

#[test]
fn enc_11_the_clean_texts_have_no_garbled_span() {
    let texts = clean_texts();
    assert!(texts.len() >= 5, "too few clean texts to draw from");
    for text in texts {
        assert_eq!(
            garble::garbled_spans(text),
            Vec::<std::ops::Range<usize>>::new(),
            "{}",
            text.chars().take(30).collect::<String>()
        );
    }
}

#[test]
fn enc_11_kun_jin_kao_tang_and_tun_runs_are_flagged_as_unrecoverable() {
    // 锟斤拷: U+FFFD U+FFFD in UTF-8 read as GBK; 烫 and 屯: MSVC's 0xCC and 0xCD fill
    // bytes read as GBK. The bytes they stood for are gone.
    for run in ["锟斤拷锟斤拷", "锟斤拷", "烫烫烫烫烫烫", "屯屯屯屯屯屯"] {
        let text = format!("据新华社报道，{run}双方同意加强合作。");
        let spans = garble::garbled_spans(&text);
        let start = text.find(run).expect("the run");
        assert!(
            spans.iter().any(|span| span.start <= start && start + run.len() <= span.end),
            "{run} not flagged in {text}: {spans:?}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Correct text is never flagged: any stretch of a clean page, from 2 to 400
    /// characters, starting anywhere.
    #[test]
    fn enc_11_correct_chinese_text_is_never_flagged(
        page in proptest::prelude::any::<proptest::sample::Index>(),
        start in proptest::prelude::any::<proptest::sample::Index>(),
        len in 2usize..400,
    ) {
        let texts = clean_texts();
        let chars: Vec<char> = page.get(texts).chars().collect();
        let from = start.index(chars.len());
        let piece: String = chars[from..(from + len).min(chars.len())].iter().collect();
        proptest::prop_assert!(garble::garbled_spans(&piece).is_empty(), "{}", piece);
    }

    /// Nor is random text made of the characters news prose uses, in either script.
    #[test]
    fn enc_11_random_news_characters_are_never_flagged(
        picks in proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 2..200),
        traditional in proptest::prelude::any::<bool>(),
    ) {
        let pool = if traditional { traditional_pool() } else { simplified_pool() };
        let text: String = picks.iter().map(|i| *i.get(pool)).collect();
        proptest::prop_assert!(garble::garbled_spans(&text).is_empty(), "{}", text);
    }
}

// ---------------------------------------------------------------------------------------
// ENC-12 — files that are not text
// ---------------------------------------------------------------------------------------

/// Hangs must fail the test; two seconds is the spec's limit and far more than any of
/// these inputs needs.
const WITHIN: Duration = Duration::from_secs(2);

/// What loading one path gives, read and decoded as the reader does it: the documents
/// that loaded and one line per problem.
fn load_and_decode(path: &Path) -> (usize, Vec<String>) {
    let path = path.to_path_buf();
    within(WITHIN, &format!("loading {}", path.display()), move || {
        let loaded = load::load(&[Input::Path(path)], load::DEFAULT_MAX_BYTES);
        let mut messages: Vec<String> = loaded.failures.iter().map(ToString::to_string).collect();
        let (corpus, problems) = Corpus::from_docs(&loaded.docs, None);
        messages.extend(problems.iter().map(ToString::to_string));
        (corpus.sources.len(), messages)
    })
}

/// Runs `gongbao export` on `path` (as user `as_user` when given): exit status and stderr.
fn export(path: &Path, as_user: Option<u32>) -> (Option<i32>, String) {
    let exe = env!("CARGO_BIN_EXE_gongbao");
    let mut command = match as_user {
        Some(uid) => {
            let mut command = std::process::Command::new("setpriv");
            command.args([format!("--reuid={uid}"), format!("--regid={uid}"), "--clear-groups".into(), exe.into()]);
            command
        }
        None => std::process::Command::new(exe),
    };
    let mut child = command
        .args(["export", "--format", "json"])
        .arg(path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn gongbao");
    // Start-up of a debug build on a busy machine is not what is measured: allow more.
    let deadline = Instant::now() + WITHIN * 5;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("gongbao export {} hung", path.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr).expect("stderr");
    assert!(!stderr.contains("panicked"), "{}: {stderr}", path.display());
    (status.code(), stderr)
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Files of every kind that is not text, each with what its message must say.
fn not_text(dir: &Path) -> Vec<(&'static str, PathBuf, &'static str)> {
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        fs::write(&path, bytes).expect("write fixture");
        path
    };
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let mut cases = vec![
        ("empty file", write("empty.txt", b""), "the file is empty"),
        ("one lead byte", write("one.txt", b"\xB0"), "looks like a binary file"),
        ("PNG header", write("image.txt", png), "looks like a binary file"),
        ("/dev/zero", PathBuf::from("/dev/zero"), "is a character device, not a regular file"),
        ("/dev/urandom", PathBuf::from("/dev/urandom"), "is a character device, not a regular file"),
    ];
    let fifo = dir.join("pipe.txt");
    if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
        cases.push(("FIFO", fifo, "is a FIFO, not a regular file"));
    } else {
        eprintln!("SKIPPED the FIFO case of ENC-12: mkfifo failed here");
    }
    cases
}

#[cfg(unix)]
#[test]
fn enc_12_files_that_are_not_text_each_get_a_clear_message_without_a_hang() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (what, path, message) in not_text(dir.path()) {
        if !path.exists() {
            eprintln!("SKIPPED the {what} case of ENC-12: no {} here", path.display());
            continue;
        }
        let (loaded, messages) = load_and_decode(&path);
        assert_eq!(loaded, 0, "{what} was loaded as text");
        let [line] = messages.as_slice() else { panic!("{what}: one message expected, got {messages:?}") };
        assert!(line.contains(message), "{what}: {line}");
        assert!(line.contains(&*path.file_name().expect("a name").to_string_lossy()), "{what}: names the file: {line}");
    }
}

#[test]
fn enc_12_a_one_byte_text_file_is_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.txt");
    fs::write(&path, "x").expect("write");
    assert_eq!(load_and_decode(&path), (1, vec![]));
}

#[test]
fn enc_12_a_folder_where_a_file_was_expected_is_refused_and_an_empty_folder_loads_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("looks_like_a_file.txt");
    fs::create_dir(&folder).expect("mkdir");
    // A folder named as a file, e.g. replaced between listing and reading.
    let read = load::read(&Item::File(folder.clone()), load::DEFAULT_MAX_BYTES);
    let Err(error @ LoadError::NotRegular { .. }) = &read else { panic!("{read:?}") };
    assert!(error.to_string().contains("is a folder, not a regular file"), "{error}");
    // Named on the command line, a folder is walked: empty, it gives nothing and no error,
    // and the command line says there was nothing to read.
    assert_eq!(load_and_decode(&folder), (0, vec![]));
    let (status, stderr) = export(&folder, None);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("nothing to read"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn enc_12_the_command_line_reports_each_non_text_file_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (what, path, message) in not_text(dir.path()) {
        if !path.exists() {
            continue;
        }
        let (status, stderr) = export(&path, None);
        assert_eq!(status, Some(2), "{what}: {stderr}");
        assert!(stderr.contains(message), "{what}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn enc_12_a_file_without_read_permission_is_reported_as_such() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod dir");
    let path = dir.path().join("locked.txt");
    fs::write(&path, "秘密文件").expect("write");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).expect("chmod");
    if is_root() {
        // Root reads any file, so the loader cannot be refused here; run the real binary
        // as `nobody` instead, when the binary is reachable for it.
        eprintln!("SKIPPED the in-process part of enc_12 (no permission): running as root, which can read any file");
        let (status, stderr) = export(&path, Some(65_534));
        if stderr.starts_with("setpriv") {
            eprintln!("SKIPPED the as-nobody part of enc_12 (no permission): {stderr}");
            return;
        }
        assert_eq!(status, Some(2), "{stderr}");
        assert!(stderr.contains("cannot be read: permission denied"), "{stderr}");
        return;
    }
    let (loaded, messages) = load_and_decode(&path);
    assert_eq!(loaded, 0);
    assert!(messages.len() == 1 && messages[0].contains("cannot be read: permission denied"), "{messages:?}");
}

/// The offset the open file description of `path` in this process has reached, if
/// this process has it open (Linux `/proc`).
#[cfg(target_os = "linux")]
fn read_position(path: &Path) -> Option<u64> {
    for entry in fs::read_dir("/proc/self/fd").ok()?.flatten() {
        if fs::read_link(entry.path()).is_ok_and(|target| target == path) {
            let info = fs::read_to_string(Path::new("/proc/self/fdinfo").join(entry.file_name())).ok()?;
            return info.lines().find_map(|line| line.strip_prefix("pos:")).and_then(|pos| pos.trim().parse().ok());
        }
    }
    None
}

#[cfg(target_os = "linux")]
#[test]
fn enc_12_a_file_truncated_while_being_read_is_reported_not_shown_half() {
    const ATTEMPTS: usize = 20;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("being_rewritten.txt");
    let content = "中华人民共和国外交部发言人答记者问。\n".repeat((64 << 20) / 55);
    let mut caught = 0;
    for _ in 0..ATTEMPTS {
        fs::write(&path, &content).expect("write");
        let reading = {
            let path = path.clone();
            std::thread::spawn(move || load::read(&Item::File(path), load::DEFAULT_MAX_BYTES))
        };
        // Another writer truncates the file as soon as the loader has it open.
        let started = Instant::now();
        while read_position(&path).is_none() && !reading.is_finished() && started.elapsed() < WITHIN {
            std::hint::spin_loop();
        }
        fs::OpenOptions::new().write(true).open(&path).and_then(|file| file.set_len(1000)).expect("truncate");
        while !reading.is_finished() {
            assert!(started.elapsed() < WITHIN, "reading a file being truncated hung");
            std::thread::sleep(Duration::from_millis(1));
        }
        match reading.join().expect("the loader panicked") {
            // Read before the truncation: all of it. (The loader had the file open before
            // it was truncated, so it saw the full size first.)
            Ok(doc) => assert_eq!(doc.bytes.len(), content.len(), "a half-read file was loaded as if complete"),
            Err(error @ LoadError::Shrank { .. }) => {
                let message = error.to_string();
                assert!(message.contains("being_rewritten.txt' shrank from 64 MiB to "), "{message}");
                assert!(message.contains("try again"), "{message}");
                caught += 1;
            }
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    eprintln!("enc_12 truncation: {caught} of {ATTEMPTS} truncations landed while the file was being read");
    assert!(caught > 0, "the loader never saw the file shrink: a half-read file would go unreported");
}

//! The pure-Rust `OpenCC` engine (ferrous-opencc, the one that ships) against the C++ `OpenCC`
//! it reimplements, on the bundled samples and on Traditional fixtures. Built only with
//! `--features opencc-cpp`, which needs libopencc (Debian's `libopencc-dev`); `.ci/run` installs
//! it where it can and runs these.
#![cfg(feature = "opencc-cpp")]

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use gongbao::convert::Script;
use gongbao::convert_cpp::CppConverter;
use gongbao::corpus::load;

/// The samples (Simplified) and Traditional fixtures, line by line.
fn lines() -> Vec<String> {
    let mut texts: Vec<String> =
        load::bundled().into_iter().map(|doc| String::from_utf8(doc.bytes).expect("UTF-8 sample")).collect();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["heldout/h04_dunhuang_trad.txt", "heldout2/k08_brazil_trad_jumps.txt"] {
        texts.push(std::fs::read_to_string(fixtures.join(name)).expect("Traditional fixture"));
    }
    texts.iter().flat_map(|t| t.lines()).filter(|l| !l.trim().is_empty()).map(str::to_string).collect()
}

#[test]
fn both_engines_convert_the_samples_alike() {
    let cpp = CppConverter::new().expect("libopencc's configs are installed with it");
    let lines = lines();
    let chars: usize = lines.iter().map(|l| l.chars().count()).sum();
    for (config, script) in [
        (BuiltinConfig::T2s, Script::Simplified),
        (BuiltinConfig::S2t, Script::Traditional),
        (BuiltinConfig::S2tw, Script::Taiwan),
        (BuiltinConfig::S2hk, Script::HongKong),
        (BuiltinConfig::S2twp, Script::TaiwanPhrases),
    ] {
        let rust = OpenCC::from_config(config).expect("built-in config");
        let mut differing = Vec::new();
        // Characters the conversion itself changes: agreement means little unless it does work.
        let mut converted = 0;
        for line in &lines {
            converted += rust.convert(line).chars().zip(line.chars()).filter(|(a, b)| a != b).count();
            let (ours, reference) = (rust.convert(line), cpp.convert(line, script));
            if ours != reference {
                differing.push((line.clone(), ours, reference));
            }
        }
        // Characters the C++ engine's output has that ours lacks, and the reverse. The two ship
        // different releases of OpenCC's tables (ours 1.3.0; Debian 12's libopencc 1.1.6), which
        // differ in a few entries: against 1.1.6, 0 of 37,448 characters for t2s, 6 for
        // s2t/s2tw/s2hk (托→託, 游→遊) and 39 for s2twp (哈薩克斯坦→哈薩克, 端數據→資料, …).
        // A broken engine or a missing table changes a large share of them: the Traditional
        // targets convert about one character in five of these lines, t2s one in fifteen (the
        // Traditional fixtures), far past one in five hundred.
        let changed: usize = differing
            .iter()
            .map(|(_, ours, reference)| {
                let diff = similar::TextDiff::from_chars(ours.as_str(), reference.as_str());
                diff.iter_all_changes().filter(|c| c.tag() != similar::ChangeTag::Equal).count()
            })
            .sum();
        eprintln!(
            "{config:?}: {converted} of {chars} characters converted; {} of {} lines differ, {changed} characters",
            differing.len(),
            lines.len()
        );
        assert!(converted * 20 >= chars, "{config:?} converted only {converted} of {chars} characters");
        assert!(
            changed * 500 <= chars,
            "{config:?}: {changed} of {chars} characters differ from the C++ engine; first lines:\n{:#?}",
            &differing[..differing.len().min(5)]
        );
    }
}

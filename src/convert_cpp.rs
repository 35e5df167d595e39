//! The C++ `OpenCC`, through the `opencc-rust` binding: the reference engine,
//! kept behind the off-by-default `opencc-cpp` feature because it needs the
//! system library (libopencc 1.1.x). The default engine is the pure-Rust one
//! in [`crate::convert`]; this one exists to compare against.

use opencc_rust::{DefaultConfig, OpenCC};

use crate::convert::Script;

/// One C++ engine per script offered.
pub struct CppConverter {
    engines: Vec<(Script, OpenCC)>,
}

impl CppConverter {
    /// Loads the configs from the system's `OpenCC` data.
    ///
    /// # Errors
    /// When libopencc cannot load a config (data not installed).
    pub fn new() -> Result<CppConverter, String> {
        let configs = [
            (Script::Simplified, DefaultConfig::T2S),
            (Script::Traditional, DefaultConfig::S2T),
            (Script::Taiwan, DefaultConfig::S2TW),
            (Script::HongKong, DefaultConfig::S2HK),
            (Script::TaiwanPhrases, DefaultConfig::S2TWP),
        ];
        let mut engines = Vec::new();
        for (script, config) in configs {
            let engine = OpenCC::new(config).map_err(|e| format!("OpenCC {}: {e}", config.get_file_name()))?;
            engines.push((script, engine));
        }
        Ok(CppConverter { engines })
    }

    /// `text` in `to`'s script, as the C++ engine gives it.
    pub fn convert(&self, text: &str, to: Script) -> String {
        self.engines.iter().find(|(s, _)| *s == to).map_or_else(|| text.to_string(), |(_, e)| e.convert(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::Converter;
    use crate::corpus::{Corpus, load};

    /// Characters that differ between two texts of equal length, or the
    /// length difference when they differ in length.
    fn differences(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        a.iter().zip(&b).filter(|(x, y)| x != y).count() + a.len().abs_diff(b.len())
    }

    #[test]
    fn both_engines_agree_on_the_simplified_samples() {
        let cpp = CppConverter::new().expect("libopencc data installed");
        let rust = Converter::new();
        let (corpus, _) = Corpus::from_docs(&load::bundled(), None);
        // The simplified samples, paragraph by paragraph (000, 003, 004).
        let texts: Vec<&str> = corpus
            .articles
            .iter()
            .filter(|a| ["000", "003", "004"].iter().any(|p| a.source.starts_with(p)))
            .flat_map(|a| a.paragraphs.iter().map(|p| p.text.as_str()))
            .collect();
        let total: usize = texts.iter().map(|t| t.chars().count()).sum();
        for script in [Script::Traditional, Script::Taiwan, Script::HongKong] {
            let diff: usize = texts
                .iter()
                .map(|t| differences(&cpp.convert(t, script), &rust.convert(t, script).expect("converts")))
                .sum();
            // gongbao's overlay corrects a handful of max-match errors the C++
            // engine makes; anything beyond that would be a regression.
            assert!(diff * 1000 < total, "{script:?}: {diff} of {total} characters differ");
        }
    }
}

//! STUB (replaced by helper): script conversion.
use std::borrow::Cow;
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Script {
    Original,
    Simplified,
    Traditional,
    Taiwan,
    HongKong,
    TaiwanPhrases,
}
impl Script {
    pub const CYCLE: [Script; 5] =
        [Script::Original, Script::Simplified, Script::Traditional, Script::Taiwan, Script::HongKong];
    pub fn next(self) -> Script {
        let i = Self::CYCLE.iter().position(|&s| s == self).map_or(0, |i| (i + 1) % 5);
        Self::CYCLE[i]
    }
    pub fn label(self) -> &'static str {
        match self {
            Script::Original => "原文",
            Script::Simplified => "简体",
            Script::Traditional => "繁體",
            Script::Taiwan => "臺灣",
            Script::HongKong => "香港",
            Script::TaiwanPhrases => "臺灣用語",
        }
    }
}
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("x")]
    Engine,
}
#[derive(Default)]
pub struct Converter;
impl Converter {
    pub fn new() -> Self {
        Converter
    }
    pub fn convert<'a>(&self, text: &'a str, _to: Script) -> Result<Cow<'a, str>, ConvertError> {
        Ok(Cow::Borrowed(text))
    }
    pub fn fold<'a>(&self, text: &'a str) -> Result<Cow<'a, str>, ConvertError> {
        Ok(Cow::Borrowed(text))
    }
}

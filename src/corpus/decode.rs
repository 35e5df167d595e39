//! STUB (replaced by helper)
pub struct Decoded { pub text: String, pub encoding: &'static encoding_rs::Encoding, pub guessed: bool, pub bom: bool, pub replacements: usize }
impl Decoded { pub fn encoding_name(&self) -> &'static str { self.encoding.name() } }
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError { #[error("the file is empty")] Empty, #[error("binary")] Binary }
pub fn decode(bytes: &[u8], _forced: Option<&'static encoding_rs::Encoding>) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() { return Err(DecodeError::Empty) }
    let t = String::from_utf8_lossy(bytes).replace("\r\n", "\n").replace('\r', "\n");
    let t = t.strip_prefix('\u{feff}').unwrap_or(&t).to_string();
    Ok(Decoded { text: t, encoding: encoding_rs::UTF_8, guessed: false, bom: false, replacements: 0 })
}
pub fn encoding_for_label(name: &str) -> Option<&'static encoding_rs::Encoding> { encoding_rs::Encoding::for_label(name.as_bytes()) }

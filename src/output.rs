//! Everything gongbao writes outside the TUI, made safe for a terminal.
//!
//! File names, notes, titles and error messages can hold escape sequences (a file named
//! `evil\x1b]0;PWNED\x07.txt` retitles the terminal; `\x1b]52;c;…\x07` writes the clipboard).
//! The TUI draws only sanitised text; what is printed before or after it, by the subcommands,
//! and into Markdown exports passes through [`SafeWriter`] instead, whatever produced it:
//!
//! - **text** (messages, lists, `export --format text`, Markdown): each line is made
//!   display-safe exactly as the TUI does it ([`crate::corpus::sanitize::sanitize`]): C0, DEL
//!   and C1 controls become visible characters, bidi controls and other invisible characters
//!   are removed; line breaks are kept. Bytes that are not UTF-8 become U+FFFD.
//! - **JSON**: the values must stay exact, so nothing is replaced; C0, DEL, C1 and bidi
//!   controls are written as `\uXXXX` escapes instead (`serde_json` escapes only C0 itself).
//!
//! Wrapping the sink rather than each producer means a new output path cannot forget it.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::corpus::sanitize;

/// What the bytes written are, which decides how they are made safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Lines for people: sanitised as the TUI sanitises.
    Text,
    /// JSON: controls escaped, values unchanged.
    Json,
    /// Tab-separated values: each field sanitised as text, the tabs between fields kept (text
    /// would turn them into spaces to the next tab stop).
    Tsv,
}

/// A writer that makes every line written through it display-safe before passing it on.
///
/// Lines are handled whole (tab stops and combining-mark runs are counted per line), so a
/// line is held until its `'\n'` arrives, [`Write::flush`] is called, or the writer is dropped.
pub struct SafeWriter<W: Write> {
    inner: W,
    form: Form,
    pending: Vec<u8>,
}

impl<W: Write> SafeWriter<W> {
    pub fn new(inner: W, form: Form) -> SafeWriter<W> {
        SafeWriter { inner, form, pending: Vec::new() }
    }

    /// A writer for text lines.
    pub fn text(inner: W) -> SafeWriter<W> {
        SafeWriter::new(inner, Form::Text)
    }

    /// A writer for JSON.
    pub fn json(inner: W) -> SafeWriter<W> {
        SafeWriter::new(inner, Form::Json)
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(bytes);
        let safe = safe(&text, self.form);
        self.inner.write_all(safe.as_bytes())
    }
}

impl<W: Write> Write for SafeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(end) = buf.iter().rposition(|&b| b == b'\n') else {
            self.pending.extend_from_slice(buf);
            return Ok(buf.len());
        };
        let (lines, rest) = buf.split_at(end + 1);
        if self.pending.is_empty() {
            // A whole export written at once is not copied first.
            self.emit(lines)?;
        } else {
            self.pending.extend_from_slice(lines);
            let held = std::mem::take(&mut self.pending);
            self.emit(&held)?;
        }
        self.pending.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // An incomplete UTF-8 sequence at the end waits for its continuation bytes.
        let keep = incomplete_utf8_tail(&self.pending);
        let rest = self.pending.split_off(self.pending.len() - keep);
        let head = std::mem::replace(&mut self.pending, rest);
        self.emit(&head)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for SafeWriter<W> {
    fn drop(&mut self) {
        let rest = std::mem::take(&mut self.pending);
        let _ = self.emit(&rest);
        let _ = self.inner.flush();
    }
}

/// How many bytes at the end of `bytes` start a UTF-8 sequence that is not complete yet.
fn incomplete_utf8_tail(bytes: &[u8]) -> usize {
    for back in 1..=3.min(bytes.len()) {
        let b = bytes[bytes.len() - back];
        if b & 0xC0 == 0x80 {
            continue;
        }
        let needed = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return 0,
        };
        return if needed > back { back } else { 0 };
    }
    0
}

/// `text` made safe for a terminal as `form` requires.
pub fn safe(text: &str, form: Form) -> Cow<'_, str> {
    match form {
        Form::Text => safe_text(text),
        Form::Json => safe_json(text),
        Form::Tsv => safe_tsv(text),
    }
}

/// Tab-separated lines: each field made display-safe, the tabs and line breaks kept.
pub fn safe_tsv(text: &str) -> Cow<'_, str> {
    if sanitize::is_display_safe(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        let fields: Vec<String> = body.split('\t').map(|f| sanitize::sanitize(f).0).collect();
        out.push_str(&fields.join("\t"));
        out.push_str(newline);
    }
    Cow::Owned(out)
}

/// Lines made display-safe as the TUI makes text safe; line breaks kept.
pub fn safe_text(text: &str) -> Cow<'_, str> {
    if sanitize::is_display_safe(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        out.push_str(&sanitize::sanitize(body).0);
        out.push_str(newline);
    }
    Cow::Owned(out)
}

/// One line made display-safe, for a message: as [`safe_text`], with line breaks shown as `␤`
/// (what the TUI does to file names).
pub fn safe_line(text: &str) -> String {
    sanitize::display_name(text)
}

/// Whether `c` is written as a `\u` escape in JSON output: C0 (other than the whitespace JSON
/// allows between values), DEL, C1 and the bidi controls.
fn escaped_in_json(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        | '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `text` holds a character [`escaped_in_json`], read from its UTF-8 bytes without
/// decoding it (an export is hundreds of megabytes, nearly all of it with nothing to escape):
/// C0 and DEL are single bytes; C1 is `C2 80`–`C2 9F`; U+061C is `D8 9C`; U+200E and U+200F are
/// `E2 80 8E`/`8F`, U+202A–U+202E `E2 80 AA`–`AE`, U+2066–U+2069 `E2 81 A6`–`A9`. Blocks of
/// sixteen positions are tested branch-free, so the test vectorises (a byte-by-byte `match` was
/// a tenth of an export's instructions).
fn holds_escaped_in_json(text: &str) -> bool {
    let b = text.as_bytes();
    let byte = |i: usize| b.get(i).copied().unwrap_or(0);
    let at = crate::corpus::scan::first_block(b, 0, escaped_at);
    (at..b.len()).any(|i| escaped_at(b[i], byte(i + 1), byte(i + 2)))
}

/// Whether the bytes `x0 x1 x2` start a character [`escaped_in_json`] (bytes past the end read
/// as 0, which continues no sequence).
#[expect(clippy::needless_bitwise_bool, reason = "`&` and `|` keep the block test branch-free, so it vectorises")]
fn escaped_at(x0: u8, x1: u8, x2: u8) -> bool {
    let c0 = ((x0 < 0x20) & (x0 != b'\t') & (x0 != b'\n') & (x0 != b'\r')) | (x0 == 0x7F);
    let c1 = (x0 == 0xC2) & (0x80..=0x9F).contains(&x1);
    let alm = (x0 == 0xD8) & (x1 == 0x9C);
    let marks = (x1 == 0x80) & ((x2 == 0x8E) | (x2 == 0x8F) | (0xAA..=0xAE).contains(&x2));
    let isolates = (x1 == 0x81) & (0xA6..=0xA9).contains(&x2);
    c0 | c1 | alm | ((x0 == 0xE2) & (marks | isolates))
}

/// JSON text with controls escaped. Outside strings JSON is ASCII punctuation and whitespace,
/// so every character escaped here is inside a string, where `\uXXXX` means the same value.
pub fn safe_json(json: &str) -> Cow<'_, str> {
    use std::fmt::Write as _;
    if !holds_escaped_in_json(json) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escaped_in_json(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The byte check finds exactly the characters the JSON escapes.
        #[test]
        fn the_byte_check_agrees_with_the_character_check(
            text in "[\\x00-\\x{2070}\\x{4E00}-\\x{4E10}]{0,40}",
        ) {
            proptest::prop_assert_eq!(holds_escaped_in_json(&text), text.chars().any(escaped_in_json));
        }
    }

    #[test]
    fn the_byte_check_finds_each_escaped_character_anywhere() {
        for c in (0..=0x2100u32).chain(0x4E00..0x4E10).filter_map(char::from_u32) {
            // Inside and across the sixteen-position blocks of the scan, and in the tail after
            // the last whole block.
            let at_offsets = (0..40).step_by(7).map(|n| format!("{}{c}{}", "a".repeat(n), "中".repeat(8)));
            for text in [format!("{c}"), format!("中“{c}”文"), format!("—{c}")].into_iter().chain(at_offsets) {
                assert_eq!(holds_escaped_in_json(&text), escaped_in_json(c), "U+{:04X} in {text:?}", u32::from(c));
            }
        }
    }

    #[test]
    fn tsv_keeps_the_tabs_between_fields_and_makes_each_field_safe() {
        let out = safe_tsv("各方\tgè fāng\x1b]0;x\x07\n二\t三\n");
        assert_eq!(out.matches('\t').count(), 2, "{out:?}");
        assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
        assert!(out.starts_with("各方\tgè fāng") && out.ends_with("二\t三\n"), "{out:?}");
    }

    /// What a terminal would act on: C0 other than line break and tab, DEL, C1 and the bidi
    /// controls; bytes that are not UTF-8 (a lone 0x9B is an 8-bit CSI) count too.
    fn raw_controls(bytes: &[u8]) -> Vec<String> {
        let Ok(text) = std::str::from_utf8(bytes) else { return vec!["not UTF-8".into()] };
        text.chars().filter(|&c| escaped_in_json(c) && c != '\t').map(|c| format!("U+{:04X}", u32::from(c))).collect()
    }

    const HOSTILE: &str = "evil\u{1b}]0;PWNED\u{7}.txt \u{1b}]52;c;aGk=\u{7} \u{9b}31m \u{202e}txt.exe \u{7f}";

    #[test]
    fn text_lines_lose_every_control_and_keep_their_breaks() {
        let mut out = Vec::new();
        {
            let mut w = SafeWriter::text(&mut out);
            write!(w, "{HOSTILE}\nsecond {HOSTILE}\n").unwrap();
            write!(w, "no newline at the end \u{1b}[2J").unwrap();
        }
        assert_eq!(raw_controls(&out), Vec::<String>::new(), "{:?}", String::from_utf8_lossy(&out));
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.starts_with("evil␛]0;PWNED␇.txt"), "escapes are shown, not dropped: {text}");
        assert!(text.ends_with("end ␛[2J"), "the last, unterminated line is written on drop: {text}");
    }

    #[test]
    fn a_character_split_between_writes_is_kept_whole() {
        let mut out = Vec::new();
        {
            let mut w = SafeWriter::text(&mut out);
            let bytes = "公报\n".as_bytes();
            w.write_all(&bytes[..1]).unwrap();
            w.flush().unwrap();
            w.write_all(&bytes[1..4]).unwrap();
            w.flush().unwrap();
            w.write_all(&bytes[4..]).unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "公报\n");
        assert_eq!(incomplete_utf8_tail("公".as_bytes()), 0);
        assert_eq!(incomplete_utf8_tail(&"公".as_bytes()[..2]), 2);
        assert_eq!(incomplete_utf8_tail(b"a\xff"), 0, "an invalid byte waits for nothing");
    }

    #[test]
    fn bytes_that_are_not_utf8_become_replacement_characters() {
        let mut out = Vec::new();
        {
            let mut w = SafeWriter::text(&mut out);
            w.write_all(b"8-bit CSI \x9b2J and \xc2\x9b1m\n").unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{9b}'), "{text:?}");
        assert!(text.starts_with("8-bit CSI \u{FFFD}2J"), "{text:?}");
    }

    #[test]
    fn json_escapes_controls_and_keeps_the_values() {
        let value = serde_json::json!({ "note": HOSTILE, "name": "正文\u{2066}x\u{2069}" });
        let plain = serde_json::to_string_pretty(&value).unwrap();
        assert!(plain.contains('\u{9b}'), "serde_json leaves C1 raw; this test needs it to");
        let mut out = Vec::new();
        {
            let mut w = SafeWriter::json(&mut out);
            w.write_all(plain.as_bytes()).unwrap();
        }
        assert_eq!(raw_controls(&out), Vec::<String>::new(), "{:?}", String::from_utf8_lossy(&out));
        let back: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, value, "escaping changed a value");
        assert!(String::from_utf8(out).unwrap().contains("\\u009b"));
    }
}

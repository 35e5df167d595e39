//! A paste through the terminal's real bracketed-paste path (issue 22): the reader in a
//! pseudo-terminal gets `ESC [200~ … ESC [201~` in its note prompt, and the saved note keeps
//! the pasted control characters as visible placeholders and its line breaks.
#![cfg(target_os = "linux")]

use crate::common;

use std::path::Path;

use common::PtyReader;

#[test]
fn a_bracketed_paste_into_a_note_is_saved_with_placeholders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    let file = dir.path().join("communique.txt");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/000_bdb5e1677ee91c80.txt");
    std::fs::copy(sample, &file).expect("copy");
    let mut reader = PtyReader::start(&[file.as_os_str()], &data, &dir.path().join("stderr"));
    reader.wait_for_text("loaded");
    reader.send(b"\r");
    reader.wait_until("the note prompt", |r| {
        r.send(b"m");
        std::thread::sleep(std::time::Duration::from_millis(100));
        r.screen().contains("note for the new bookmark")
    });
    // Pasted: an OSC title sequence, a bell, a line break; `q` must be typed, not obey.
    reader.send("\u{1b}[200~粘贴\u{1b}]0;x\u{7}文本\r\nq第二行\u{1b}[201~".as_bytes());
    reader.wait_for_text("第二行");
    reader.send(b"\r");
    reader.wait_for_text("bookmarked");
    reader.send(b"q");
    let status = reader.wait_exit();
    assert_eq!(status.code(), Some(0), "{}", String::from_utf8_lossy(&reader.stderr()));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("bookmarks.json")).expect("saved")).expect("JSON");
    let note = json["bookmarks"][0]["note"].as_str().expect("a note");
    assert_eq!(note, "粘贴␛]0;x␇文本\nq第二行");
}

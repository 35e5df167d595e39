//! How the reader ends (issue 22): its exit status says whether inputs were skipped or
//! bookmark changes were lost, and its last messages say so truthfully. The real binary runs
//! in a pseudo-terminal, files loading in the background as they do from the command line.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;

use common::PtyReader;

fn sample() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/000_bdb5e1677ee91c80.txt")).expect("sample")
}

/// Opens the folder `files`, waits until loading is done, quits; returns status and stderr.
fn open_and_quit(files: &Path, data: &Path) -> (Option<i32>, String) {
    let mut reader = PtyReader::start(&[files.as_os_str()], data, &data.join("stderr"));
    reader.wait_for_text("loaded");
    reader.send(b"q");
    let status = reader.wait_exit();
    (status.code(), String::from_utf8_lossy(&reader.stderr()).into_owned())
}

#[test]
fn the_reader_exits_1_after_skipping_an_input_and_0_otherwise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (files, data) = (dir.path().join("files"), dir.path().join("data"));
    std::fs::create_dir_all(&files).expect("mkdir");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(files.join("communique.txt"), sample()).expect("write");
    let (status, stderr) = open_and_quit(&files, &data);
    assert_eq!(status, Some(0), "everything loaded: {stderr}");
    std::fs::write(files.join("binary.txt"), [0u8, 1, 2, 0, 0xFF, 0].repeat(100)).expect("write");
    let (status, stderr) = open_and_quit(&files, &data);
    assert_eq!(status, Some(1), "the README promises 1 when inputs were skipped: {stderr}");
    assert!(stderr.contains("binary.txt"), "the skipped file is named: {stderr}");
}

#[test]
fn bookmarks_not_saved_at_exit_are_reported_as_lost_with_status_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    let file = dir.path().join("communique.txt");
    std::fs::write(&file, sample()).expect("write");
    let mut reader = PtyReader::start(&[file.as_os_str()], &data, &dir.path().join("stderr"));
    reader.wait_for_text("loaded");
    // Another copy, a newer gongbao, writes the file meanwhile: it is never written over, so
    // every save of this run fails from now on (the reader took bookmarks when it started).
    let newer = "{\"schema_version\": 99, \"bookmarks\": []}";
    std::fs::write(data.join("bookmarks.json"), newer).expect("write");
    // Into the reader, mark the paragraph at the top, confirm an empty note.
    reader.send(b"\r");
    reader.wait_until("a bookmark not saved", |r| {
        r.send(b"m");
        std::thread::sleep(std::time::Duration::from_millis(100));
        r.send(b"\r");
        std::thread::sleep(std::time::Duration::from_millis(100));
        r.screen().contains("schema 99")
    });
    reader.send(b"q");
    let status = reader.wait_exit();
    let stderr = String::from_utf8_lossy(&reader.stderr()).into_owned();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not be saved and are lost"), "{stderr}");
    assert!(!stderr.contains("will retry"), "nothing retries after the exit: {stderr}");
    assert_eq!(std::fs::read_to_string(data.join("bookmarks.json")).expect("read"), newer, "left as it was");
}

//! How the reader ends (issue 22): its exit status says whether inputs were skipped or
//! bookmark changes were lost, and its last messages say so truthfully. The real binary runs
//! in a pseudo-terminal, files loading in the background as they do from the command line.
#![cfg(target_os = "linux")]

use crate::common;

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

/// Files named `bookmarks.unsaved-*.json` in `data`, with the ids of the bookmarks in each.
fn kept_aside(data: &Path) -> Vec<Vec<String>> {
    std::fs::read_dir(data)
        .expect("data folder")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("bookmarks.unsaved-"))
        .map(|e| {
            let json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(e.path()).expect("read")).expect("JSON");
            json["bookmarks"].as_array().expect("bookmarks").iter().map(|b| b["id"].to_string()).collect()
        })
        .collect()
}

/// Opens `file`, marks the paragraph at the top with an empty note (Enter, `m`, Enter).
fn start_and_mark(file: &Path, data: &Path, stderr: &Path, before_marking: impl FnOnce()) -> PtyReader {
    let mut reader = PtyReader::start(&[file.as_os_str()], data, stderr);
    reader.wait_for_text("loaded");
    before_marking();
    reader.send(b"\r");
    reader.wait_until("the note prompt", |r| {
        r.send(b"m");
        std::thread::sleep(std::time::Duration::from_millis(100));
        r.screen().contains("note for the new bookmark")
    });
    reader.send(b"\r");
    reader
}

#[test]
fn bookmarks_not_saved_at_exit_are_kept_aside_said_so_and_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    let file = dir.path().join("communique.txt");
    std::fs::write(&file, sample()).expect("write");
    // Another copy, a newer gongbao, writes the file meanwhile: it is never written over, so
    // every save of this run fails from now on (the reader took bookmarks when it started).
    let newer = "{\"schema_version\": 99, \"bookmarks\": []}";
    let mut reader = start_and_mark(&file, &data, &dir.path().join("stderr"), || {
        std::fs::write(data.join("bookmarks.json"), newer).expect("write");
    });
    reader.wait_for_text("schema 99");
    reader.send(b"q");
    let status = reader.wait_exit();
    let stderr = String::from_utf8_lossy(&reader.stderr()).into_owned();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("1 bookmark change(s) could not be saved") && stderr.contains("kept in"), "{stderr}");
    assert!(!stderr.contains("will retry"), "nothing retries after the exit: {stderr}");
    assert_eq!(kept_aside(&data).iter().map(Vec::len).collect::<Vec<_>>(), [1], "the bookmark kept aside");
    assert_eq!(std::fs::read_to_string(data.join("bookmarks.json")).expect("read"), newer, "left as it was");
}

/// Issue 22: SIGTERM while a save waits for another copy's lock. The wait is given up, the
/// reader leaves the normal way within the signal's grace: positions saved, the new bookmark
/// kept beside the store, and stderr says where.
#[test]
fn sigterm_while_waiting_for_the_lock_keeps_the_bookmark_and_the_positions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    let file = dir.path().join("communique.txt");
    std::fs::write(&file, sample()).expect("write");
    let lock = std::fs::File::create(data.join("bookmarks.lock")).expect("lock file");
    // Another copy holds the lock from the moment the reader has started.
    let mut reader = start_and_mark(&file, &data, &dir.path().join("stderr"), || lock.lock().expect("lock"));
    // The save is waiting now (for up to 5 s).
    std::thread::sleep(std::time::Duration::from_millis(300));
    let signalled = std::time::Instant::now();
    reader.signal("TERM");
    let status = reader.wait_exit();
    let took = signalled.elapsed();
    let stderr = String::from_utf8_lossy(&reader.stderr()).into_owned();
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(took < std::time::Duration::from_millis(1400), "left by the watchdog, not the normal way: {took:?}");
    assert!(stderr.contains("kept in"), "{stderr}");
    assert_eq!(kept_aside(&data).iter().map(Vec::len).collect::<Vec<_>>(), [1], "the bookmark kept aside");
    assert!(data.join("positions.json").exists(), "positions saved: {stderr}");
}

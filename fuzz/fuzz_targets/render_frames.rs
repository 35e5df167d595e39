#![no_main]

// The checks live in gongbao::fuzzing::render_frames, replayed on stable by tests/fuzz_replay.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gongbao::fuzzing::render_frames(data));

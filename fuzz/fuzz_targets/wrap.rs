#![no_main]

// The checks live in gongbao::fuzzing::wrap, replayed on stable by tests/fuzz_replay.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gongbao::fuzzing::wrap(data));

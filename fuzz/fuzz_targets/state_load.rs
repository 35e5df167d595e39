#![no_main]

// The checks live in gongbao::fuzzing::state_load, replayed on stable by tests/fuzz_replay.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gongbao::fuzzing::state_load(data));

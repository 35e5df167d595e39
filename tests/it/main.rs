//! gongbao's integration tests, in one binary. Each module was a test binary of its own
//! (`tests/<module>.rs`), and each of those linked the whole library: one binary links it once,
//! which was most of what a fresh clone's `cargo test` spent. Run a module's tests with a filter
//! on its name, `cargo test --test it escape::`, or by check id as before, `cargo test esc_02`.
//!
//! `common` (`tests/common/`) holds the helpers the modules share: the real reader in a
//! pseudo-terminal, and `screen_text`, a drawn screen as text.

#[path = "../common/mod.rs"]
mod common;

mod bookmarks;
mod bookmarks_store;
mod cli;
mod dict;
mod docs;
mod e2e;
mod encodings;
mod escape;
mod export;
mod fuzz_replay;
mod large;
mod layers;
mod layout;
mod lookup_lazy;
mod opencc_cpp;
mod output_safety;
mod paste;
mod pipeline;
mod reader_encoding;
mod reader_exit;
mod robustness;
mod rules;
mod search;
mod terminal;
mod ui;
mod versions;

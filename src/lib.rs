//! gongbao (公报): a terminal reader for Chinese news articles and diplomatic communiqués.
//!
//! Pipeline, in order:
//! - [`corpus`]: files → text → fixes → articles, paragraphs, clauses (no terminal code);
//!   `corpus::export` prints the result for scripts;
//! - [`convert`]: Simplified ⇄ Traditional at display time (`OpenCC` dictionaries);
//! - [`app`]: the reader's state, its actions and key table, and `App::update`;
//! - [`search`]: script-insensitive search over a folded index built at load time;
//! - [`loader`]: the corpus read on worker threads, each file's search index built there too;
//! - [`bookmarks`]: passages with notes, found again after edits, kept safe on disk;
//! - [`dict`]: CC-CEDICT, embedded; words looked up in either script, pinyin, word cutting;
//!   [`words`] the word list kept from the reader, exported for Anki;
//! - [`wrap`]: the CJK line wrapper, text layout that both the app (row counts) and the views use;
//! - [`ui`]: views that only read the app;
//! - [`versions`]: versions of one text found while loading, and compared clause by clause;
//! - [`quote`]: a passage with its citation, and the OSC 52 sequence that copies it;
//! - [`term`]: the terminal, the event loop, signals; [`output`] everything printed outside it,
//!   made safe for a terminal;
//! - [`cli`]: the command line of the thin binary.
//!
//! The benchmarks are not part of the library: the tables of `examples/bench/` (`cargo run
//! --release --example bench -- --help`), and criterion's under `benches/` (`cargo bench`).

pub mod app;
pub mod bookmarks;
pub mod cli;
pub mod convert;
#[cfg(feature = "opencc-cpp")]
pub mod convert_cpp;
pub mod corpus;
pub mod dict;
pub(crate) mod durable;
/// The checks the fuzz targets (`fuzz/`) and `tests/it/fuzz_replay.rs` run; only with the
/// `testing` feature.
#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod loader;
pub mod output;
pub mod quote;
pub mod search;
pub mod term;
pub mod ui;
pub(crate) mod union_find;
pub mod versions;
pub mod words;
pub mod wrap;

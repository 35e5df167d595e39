//! gongbao (公报): a terminal reader for Chinese news articles and diplomatic communiqués.
//!
//! Pipeline, in order:
//! - [`corpus`]: files → text → fixes → articles, paragraphs, clauses (no terminal code);
//!   `corpus::export` prints the result for scripts;
//! - [`cli`]: the command line of the thin binary;
//! - [`bench`]: the throughput benchmark behind `gongbao bench`.

pub mod bench;
pub mod cli;
pub mod corpus;

use std::fmt::Write as _;

use corpus::{ArticleKind, Corpus};

/// A plain listing of the library: articles grouped by source. Shown when
/// gongbao runs without a command until the terminal reader lands.
pub fn library_listing(corpus: &Corpus) -> String {
    let mut out = String::new();
    for (i, source) in corpus.sources.iter().enumerate() {
        let guessed = if source.guessed { ", guessed" } else { "" };
        let _ = writeln!(out, "{} ({}{guessed})", source.name, source.encoding);
        for a in corpus.articles.iter().filter(|a| a.source_index == i) {
            let title = a.title.clone().unwrap_or_else(|| {
                let first: String = a.paragraphs.iter().flat_map(|p| p.text.chars()).take(16).collect();
                format!("({first}…)")
            });
            let mut badges = Vec::new();
            if a.kind == ArticleKind::Excerpt {
                badges.push("excerpt".to_string());
            }
            if !a.clauses.is_empty() {
                badges.push(format!("{} clauses", a.clauses.len()));
            }
            let badges = if badges.is_empty() { String::new() } else { format!("  [{}]", badges.join(", ")) };
            let _ = writeln!(out, "  {title}{badges}");
        }
    }
    out
}

//! gongbao's benchmarks, a developer tool outside the shipped binary (issue 20): they were the
//! `gongbao bench` subcommand, and measure with the same code as then, so figures stay
//! comparable with the ones in README.md and BENCHMARKS.md.
//!
//! ```sh
//! cargo run --release --example bench -- --sizes 10,100 --mix utf8   # decode + clean + segment, one core
//! cargo run --release --example bench -- --decode          # detect + decode of 16 and 64 MiB GBK files
//! cargo run --release --example bench -- --reader 50       # wrap index and frames on one 50 MB article
//! cargo run --release --example bench -- --search 100      # search beside grep and rg
//! cargo run --release --example bench -- --bookmarks 100000  # bookmark file load and save
//! cargo run --release --example bench -- --lookup          # the dictionary's first and later look-ups
//! cargo run --release --example bench -- --large           # large and hostile single files
//! cargo build --release && cargo run --release --example bench -- --suite 100,1000  # archive scale
//! ```
//!
//! `--suite` starts the reader itself in a pseudo-terminal: the `gongbao` binary of the same
//! profile, `target/release/gongbao`, which `cargo run --example` does not build.

// Benchmark tables go to standard output; nothing here draws on a terminal.
#![allow(clippy::disallowed_methods)]

mod bookmarks;
mod lookup;
mod search;
mod suite;
mod throughput;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// gongbao's benchmarks: without a measurement flag, decode + clean + segment throughput on a
/// synthetic corpus.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Cli {
    /// Corpus sizes to measure, in MB (the growth between them shows linearity).
    #[arg(long, value_delimiter = ',', default_values_t = [10u64, 100])]
    sizes: Vec<u64>,
    // `--mix`, and `--decode` for detect + decode of large GBK files (ENC-13).
    #[command(flatten)]
    mix: throughput::Throughput,
    /// Measure the reader instead: frame times on an article of this many MB, and conversion speed.
    #[arg(long, value_name = "MB", conflicts_with = "search")]
    reader: Option<u64>,
    /// Measure corpus-wide search instead, on a corpus of this many MB, beside grep and rg.
    #[arg(long, value_name = "MB", conflicts_with = "bookmarks")]
    search: Option<u64>,
    /// Measure loading and saving a bookmark file with this many bookmarks instead.
    #[arg(long, value_name = "N", conflicts_with = "reader")]
    bookmarks: Option<usize>,
    /// The whole suite at these archive sizes in MB (e.g. 100,1000): loading, first frame,
    /// memory, search beside grep/rg, frames, key-to-frame through a pseudo-terminal.
    #[arg(long, value_name = "MB", value_delimiter = ',', conflicts_with_all = ["reader", "search", "bookmarks"])]
    suite: Option<Vec<u64>>,
    /// Measure looking words up instead: the first look-up (unpacking the dictionary), later
    /// ones, and the memory the dictionary takes.
    #[arg(long, conflicts_with_all = ["reader", "search", "bookmarks", "suite", "large"])]
    lookup: bool,
    /// Measure large and hostile single files instead (64 MiB of news in UTF-8 and GBK, one
    /// 10 MiB line, a million short lines, combining floods): open time and frame times.
    #[arg(long, conflicts_with_all = ["reader", "search", "bookmarks", "suite"])]
    large: bool,
    /// (Used by --suite.) Load this folder as the reader does and print measurements.
    #[arg(long, value_name = "DIR", hide = true)]
    load_dir: Option<std::path::PathBuf>,
}

fn run(cli: &Cli, out: &mut impl Write) -> std::io::Result<()> {
    if cli.lookup {
        lookup::run(out)
    } else if cli.large {
        throughput::run_large(out)
    } else if let Some(dir) = &cli.load_dir {
        suite::load_dir(dir, out)
    } else if let Some(sizes) = &cli.suite {
        suite::run(sizes, out)
    } else {
        match (cli.reader, cli.search, cli.bookmarks) {
            (Some(mb), _, _) => throughput::run_reader(mb, out),
            (None, Some(mb), _) => search::run(mb, out),
            (None, None, Some(n)) => bookmarks::run(n, out),
            (None, None, None) => throughput::run(&cli.sizes, cli.mix, out),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    match run(&cli, &mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn decode_is_a_flag_that_conflicts_with_the_other_measurements() {
        let cli = Cli::parse_from(["bench", "--decode"]);
        assert!(cli.mix.decode);
        assert_eq!(cli.mix.mix, super::throughput::Mix::Utf8);
        assert!(Cli::try_parse_from(["bench", "--decode", "--reader", "5"]).is_err());
        assert!(Cli::try_parse_from(["bench", "--decode", "--mix", "mixed"]).is_err());
        let cli = Cli::parse_from(["bench", "--mix", "mixed"]);
        assert!(!cli.mix.decode && cli.mix.mix == super::throughput::Mix::Mixed);
    }

    #[test]
    fn the_command_line_is_consistent() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }
}

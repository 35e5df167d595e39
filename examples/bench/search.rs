//! `bench --search MB`: corpus-wide search latency beside `grep -c` and `rg -c` on the
//! same bytes, in one run. The corpus is the synthetic one of the throughput measurement (the samples
//! recombined), so the figures are reproducible.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use gongbao::corpus::Corpus;
use gongbao::search::{Query, SearchIndex, folder};

use crate::throughput::{Mix, ms, synthetic_corpus};

/// Queries measured: common, rare, in the other script from most of the text, and absent.
const QUERIES: [&str; 4] = ["各方欢迎", "一個中國原則", "丝绸之路经济带", "不存在的短语"];

/// Runs the search benchmark on about `mb` MB and prints a Markdown table to `out`.
///
/// # Errors
/// When writing to `out` or the temporary file fails.
pub fn run(mb: u64, out: &mut impl Write) -> std::io::Result<()> {
    let docs = synthetic_corpus(usize::try_from(mb).unwrap_or(usize::MAX).saturating_mul(1_000_000), Mix::Utf8);
    let bytes: usize = docs.iter().map(|d| d.bytes.len()).sum();
    let start = Instant::now();
    let (corpus, _) = Corpus::from_docs(&docs, None);
    let load = start.elapsed();
    let start = Instant::now();
    let folder = folder();
    let learn = start.elapsed();
    let start = Instant::now();
    let index = SearchIndex::build(&corpus, folder);
    let build = start.elapsed();
    let start = Instant::now();
    let links = gongbao::versions::link(&corpus, &index);
    let linking = start.elapsed();
    // grep and rg read the same bytes from one file.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("corpus.txt");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for d in &docs {
            f.write_all(&d.bytes)?;
            f.write_all(b"\n")?;
        }
        f.flush()?;
    }
    writeln!(
        out,
        "search over {:.0} MB ({} files, {} articles), release build, loaded on one thread, searched on all cores",
        bytes as f64 / 1e6,
        docs.len(),
        corpus.articles.len()
    )?;
    writeln!(
        out,
        "folding table learned in {:.0} ms; index built in {:.0} ms ({:.0} MB/s, {:.0} MB held)\n",
        ms(learn),
        ms(build),
        bytes as f64 / 1e6 / build.as_secs_f64().max(1e-9),
        index.heap_bytes() as f64 / 1e6
    )?;
    let share = |d: Duration| 100.0 * d.as_secs_f64() / load.as_secs_f64().max(1e-9);
    writeln!(
        out,
        "loading (decode + clean + segment) {:.0} ms; the search index adds {:.1}%, linking versions {:.0} ms ({} links) adds {:.1}%\n",
        ms(load),
        share(build),
        ms(linking),
        links.len(),
        share(linking)
    )?;
    writeln!(out, "| query | matches | first result | whole corpus | exact (as written) | grep -c | rg -c |")?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|")?;
    for q in QUERIES {
        let query = Query::new(q, false);
        let (first, all, n) = time_search(&index, &corpus, &query);
        let (_, exact, exact_n) = time_search(&index, &corpus, &Query::new(q, true));
        let grep = peer("grep", &["-c", "-F", q], &path);
        let rg = peer("rg", &["-c", "-F", q], &path);
        writeln!(
            out,
            "| {q} | {n} | {} | {:.1} ms | {:.1} ms ({exact_n}) | {grep} | {rg} |",
            first.map_or("–".into(), |d| format!("{:.2} ms", ms(d))),
            ms(all),
            ms(exact),
        )?;
    }
    writeln!(out, "\npeers count matching lines of the raw files, without script folding; 'absent' = not installed")?;
    Ok(())
}

/// Time to the first match, time for all, and the number of matches; the best of three runs.
pub fn time_search(index: &SearchIndex, corpus: &Corpus, query: &Query) -> (Option<Duration>, Duration, usize) {
    let mut best: Option<(Option<Duration>, Duration, usize)> = None;
    for _ in 0..3 {
        let start = Instant::now();
        let mut first = None;
        let mut n = 0;
        index.search(corpus, query, folder(), |m| {
            first.get_or_insert_with(|| start.elapsed());
            n += 1;
            std::hint::black_box(m);
            true
        });
        let all = start.elapsed();
        if best.as_ref().is_none_or(|b| all < b.1) {
            best = Some((first, all, n));
        }
    }
    best.unwrap_or((None, Duration::ZERO, 0))
}

/// `tool args… path`: wall time and output, or "absent".
pub fn peer(tool: &str, args: &[&str], path: &std::path::Path) -> String {
    let mut best: Option<(Duration, String)> = None;
    for _ in 0..3 {
        let start = Instant::now();
        let Ok(output) = Command::new(tool).args(args).arg(path).output() else { return "absent".into() };
        let elapsed = start.elapsed();
        let count = String::from_utf8_lossy(&output.stdout).trim().to_string();
        let count = if count.is_empty() { "0".to_string() } else { count };
        if best.as_ref().is_none_or(|b| elapsed < b.0) {
            best = Some((elapsed, count));
        }
    }
    best.map_or("absent".into(), |(d, c)| format!("{:.1} ms ({c} lines)", ms(d)))
}

//! The default measurement (`cargo run --release --example bench -- --sizes 10,100`, formerly
//! `gongbao bench`): decode + clean + segment throughput on a synthetic corpus
//! recombined from the bundled samples, at several sizes, so that both the
//! speed (MB/s on one core) and its growth with input size are visible. Each
//! stage is timed on its own as well, to show where the time goes.

use std::io::Write;
use std::time::{Duration, Instant};

use gongbao::corpus::{clean, decode, load, sanitize, segment};

/// A duration in milliseconds, for the benchmark tables.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Draws `app` `n` times into `terminal`: the p50 and p99 frame times in ms.
fn frame_times(
    terminal: &mut ratatui::Terminal<ratatui::backend::TestBackend>,
    app: &gongbao::app::App,
    n: usize,
) -> std::io::Result<(f64, f64)> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        terminal.draw(|f| gongbao::ui::render(app, f)).map_err(std::io::Error::other)?;
        times.push(t.elapsed());
    }
    times.sort_unstable();
    Ok((ms(percentile(&times, 0.5)), ms(percentile(&times, 0.99))))
}

/// The `p` quantile (0..=1) of durations sorted in increasing order; zero for none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Which encodings the synthetic files are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mix {
    /// UTF-8 only, like the bundled samples.
    Utf8,
    /// Half UTF-8; the rest GBK, Big5, UTF-16LE without BOM and UTF-8 with BOM and CRLF.
    Mixed,
    /// The bundled samples themselves, repeated (no recombination).
    Samples,
}

/// What the benchmark measures without a measurement flag: the pipeline over synthetic files in `mix`
/// encodings, or, with `decode`, detection and decoding of single large GBK files.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Throughput {
    /// Encodings of the synthetic files.
    #[arg(long, value_enum, default_value_t = Mix::Utf8)]
    pub mix: Mix,
    /// Measure detect + decode of one 16 MiB and one 64 MiB GBK file instead: time, peak
    /// memory against the file size, and how the time grows from one to the other.
    #[arg(long, conflicts_with_all = ["mix", "reader", "search", "bookmarks", "suite"])]
    pub decode: bool,
}

/// A small deterministic generator, so every run measures the same corpus.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

/// Builds about `bytes` of synthetic source files: the samples re-cut at
/// paragraph boundaries and recombined across files into new pages (mostly
/// in order, so articles stay coherent, with jumps that start new ones).
pub fn synthetic_corpus(bytes: usize, mix: Mix) -> Vec<load::RawDoc> {
    let samples: Vec<String> =
        load::bundled().into_iter().map(|d| String::from_utf8_lossy(&d.bytes).into_owned()).collect();
    let paragraphs: Vec<&str> = samples.iter().flat_map(|s| s.split('\n')).filter(|p| !p.trim().is_empty()).collect();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut docs = Vec::new();
    let mut total = 0;
    if mix == Mix::Samples {
        let samples = load::bundled();
        while total < bytes {
            for s in &samples {
                total += s.bytes.len();
                docs.push(load::RawDoc {
                    name: format!("{:05}_{}", docs.len(), s.name),
                    path: None,
                    bytes: s.bytes.clone(),
                });
            }
        }
        return docs;
    }
    while total < bytes && !paragraphs.is_empty() {
        let mut page = String::new();
        let len = 30 + rng.below(90);
        let mut at = rng.below(paragraphs.len());
        for _ in 0..len {
            page.push_str(paragraphs[at % paragraphs.len()]);
            page.push_str("\n\n");
            at = if rng.below(10) == 0 { rng.below(paragraphs.len()) } else { at + 1 };
        }
        let choice = if mix == Mix::Mixed { rng.below(8) } else { 0 };
        let encoded = match choice {
            4 => encoding_rs::GBK.encode(&page).0.into_owned(),
            5 => encoding_rs::BIG5.encode(&page).0.into_owned(),
            6 => page.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            7 => {
                let mut v = vec![0xEF, 0xBB, 0xBF];
                v.extend(page.replace('\n', "\r\n").into_bytes());
                v
            }
            _ => page.into_bytes(),
        };
        total += encoded.len();
        docs.push(load::RawDoc { name: format!("synthetic_{:05}.txt", docs.len()), path: None, bytes: encoded });
    }
    docs
}

/// Time spent in each stage over a whole corpus.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stages {
    pub decode: Duration,
    pub sanitize: Duration,
    pub clean: Duration,
    pub segment: Duration,
    pub articles: usize,
}

impl Stages {
    pub fn total(&self) -> Duration {
        self.decode + self.sanitize + self.clean + self.segment
    }
}

/// Runs the pipeline stage by stage (the same calls as `corpus::process`).
pub fn measure(docs: &[load::RawDoc]) -> Stages {
    let mut s = Stages::default();
    for (i, doc) in docs.iter().enumerate() {
        let t = Instant::now();
        let Ok(mut decoded) = decode::decode(&doc.bytes, None) else {
            continue;
        };
        s.decode += t.elapsed();
        let t = Instant::now();
        let (text, invisible) = sanitize::sanitize(std::mem::take(&mut decoded.text));
        let mut removed: gongbao::corpus::RemovedList = invisible.iter().collect();
        s.sanitize += t.elapsed();
        let t = Instant::now();
        let cleaned = clean::clean(&text, &mut removed);
        s.clean += t.elapsed();
        let t = Instant::now();
        let articles = segment::segment(&doc.name, i, cleaned.lines, cleaned.markdown, &mut removed);
        s.segment += t.elapsed();
        s.articles += articles.len();
    }
    s
}

/// Runs the benchmark for each size (in MB) and prints one table; with `--decode`, the
/// decode benchmark instead (its sizes are fixed).
///
/// # Errors
/// When writing to `out` fails (or, for `--decode`, a temporary file or child process).
pub fn run(sizes_mb: &[u64], throughput: Throughput, out: &mut impl Write) -> std::io::Result<()> {
    if throughput.decode {
        return match std::env::var_os(DECODE_CHILD) {
            Some(path) => decode_child(std::path::Path::new(&path), out),
            None => run_decode(out),
        };
    }
    let mix = throughput.mix;
    writeln!(out, "gongbao bench: decode + sanitise + clean + segment, one thread, {mix:?} encodings")?;
    writeln!(
        out,
        "{:>8} {:>7} {:>9} {:>8} {:>8} | {:>8} {:>8} {:>8} {:>8}",
        "MB", "files", "articles", "seconds", "MB/s", "decode", "sanitise", "clean", "segment"
    )?;
    for &mb in sizes_mb {
        let docs = synthetic_corpus(usize::try_from(mb).unwrap_or(usize::MAX).saturating_mul(1_000_000), mix);
        let bytes: usize = docs.iter().map(|d| d.bytes.len()).sum();
        let mb = bytes as f64 / 1e6;
        let s = measure(&docs);
        let rate = |d: Duration| mb / d.as_secs_f64().max(1e-9);
        writeln!(
            out,
            "{:>8.1} {:>7} {:>9} {:>8.3} {:>8.1} | {:>8.0} {:>8.0} {:>8.0} {:>8.0}",
            mb,
            docs.len(),
            s.articles,
            s.total().as_secs_f64(),
            rate(s.total()),
            rate(s.decode),
            rate(s.sanitize),
            rate(s.clean),
            rate(s.segment),
        )?;
    }
    writeln!(out, "(stage columns are MB/s of input through that stage alone)")?;
    Ok(())
}

/// Set for the child process of `--decode`: the file it is to read, detect and decode.
const DECODE_CHILD: &str = "GONGBAO_BENCH_DECODE_FILE";

/// Sizes of the `--decode` files, in MiB: the pair ENC-13 of docs/reliability.md names.
const DECODE_MIB: [usize; 2] = [16, 64];

/// Runs of each size; the table shows the fastest, the least disturbed by the machine.
const DECODE_RUNS: usize = 3;

/// One child's measurements, in the order it prints them.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct DecodeRun {
    read_ms: f64,
    detect_ms: f64,
    decode_ms: f64,
    /// Resident memory before the file was read, and the peak after it was decoded.
    base_kib: u64,
    peak_kib: u64,
}

impl DecodeRun {
    fn parse(report: &str) -> Option<DecodeRun> {
        let mut run = DecodeRun::default();
        for line in report.lines() {
            let (key, value) = line.split_once(' ')?;
            match key {
                "read_ms" => run.read_ms = value.parse().ok()?,
                "detect_ms" => run.detect_ms = value.parse().ok()?,
                "decode_ms" => run.decode_ms = value.parse().ok()?,
                "base_kib" => run.base_kib = value.parse().ok()?,
                "peak_kib" => run.peak_kib = value.parse().ok()?,
                _ => {}
            }
        }
        Some(run)
    }
}

/// A memory figure of this process from `/proc/self/status`, in KiB (0 where there is none).
pub fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with(field))?.to_owned();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// The child's side of `--decode`: reads the file as the loader does, then decodes it as
/// `corpus::process` does (`decode` detects first), and prints the times and its memory;
/// detection alone is timed too, to show its share. A fresh process per file, so the peak
/// belongs to that file alone.
fn decode_child(path: &std::path::Path, out: &mut impl Write) -> std::io::Result<()> {
    let base = status_kib("VmRSS:");
    let t = Instant::now();
    let doc = load::read(&load::Item::File(path.to_path_buf()), u64::MAX).map_err(std::io::Error::other)?;
    let read = t.elapsed();
    let t = Instant::now();
    let detection = decode::detect(&doc.bytes);
    let detect = t.elapsed();
    let t = Instant::now();
    let decoded = decode::decode(&doc.bytes, None).map_err(std::io::Error::other)?;
    let decode = t.elapsed();
    std::hint::black_box((&detection, &decoded));
    writeln!(out, "encoding {}", decoded.encoding.name())?;
    writeln!(out, "read_ms {}", ms(read))?;
    writeln!(out, "detect_ms {}", ms(detect))?;
    writeln!(out, "decode_ms {}", ms(decode))?;
    writeln!(out, "base_kib {base}")?;
    writeln!(out, "peak_kib {}", status_kib("VmHWM:"))?;
    Ok(())
}

/// GBK text of at least `bytes`, the synthetic pages (the samples recombined) one after
/// another: news prose, as a large scraped archive file would hold it.
fn gbk_file(bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + (1 << 20));
    let pages = synthetic_corpus(8 << 20, Mix::Utf8);
    while out.len() < bytes {
        for page in &pages {
            let text = String::from_utf8_lossy(&page.bytes);
            out.extend_from_slice(&encoding_rs::GBK.encode(&text).0);
            if out.len() >= bytes {
                break;
            }
        }
    }
    out.truncate(bytes);
    out
}

/// `bench --decode`: detect + decode of a 16 MiB and a 64 MiB GBK file, each in
/// child processes of its own: the fastest of a few runs, peak memory against the file
/// size, and the growth of the time from one size to the other (ENC-13: 64 MiB in 1.5 s
/// or less, at most 4× the file size in memory, at most 4.5× slower than 16 MiB).
///
/// # Errors
/// When a temporary file cannot be written, a child cannot run, or writing to `out` fails.
pub fn run_decode(out: &mut impl Write) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let dir = tempfile::tempdir()?;
    writeln!(
        out,
        "gongbao bench --decode: read and decode one GBK file, a fresh process per run, best of {DECODE_RUNS}"
    )?;
    writeln!(
        out,
        "{:>6} {:>9} {:>11} {:>18} {:>7} {:>10} {:>10} {:>9}",
        "MiB", "read ms", "(detect ms)", "detect+decode ms", "MB/s", "base RSS", "peak RSS", "peak/size"
    )?;
    let mut times = Vec::new();
    for mib in DECODE_MIB {
        let path = dir.path().join(format!("gbk_{mib}.txt"));
        std::fs::write(&path, gbk_file(mib << 20))?;
        let mut best: Option<DecodeRun> = None;
        for _ in 0..DECODE_RUNS {
            let child = std::process::Command::new(&exe).arg("--decode").env(DECODE_CHILD, &path).output()?;
            let report = String::from_utf8_lossy(&child.stdout);
            if !child.status.success() || !report.contains("encoding GBK") {
                return Err(std::io::Error::other(format!(
                    "the decode child failed on {mib} MiB: {}{}",
                    report,
                    String::from_utf8_lossy(&child.stderr)
                )));
            }
            let run =
                DecodeRun::parse(&report).ok_or_else(|| std::io::Error::other(format!("bad report: {report}")))?;
            if best.is_none_or(|b| run.decode_ms < b.decode_ms) {
                best = Some(run);
            }
        }
        let Some(run) = best else { continue };
        let size = (mib << 20) as f64;
        let kib = |k: u64| format!("{:.0} MiB", k as f64 / 1024.0);
        writeln!(
            out,
            "{:>6} {:>9.1} {:>11.1} {:>18.1} {:>7.0} {:>10} {:>10} {:>8.2}×",
            mib,
            run.read_ms,
            run.detect_ms,
            run.decode_ms,
            size / 1e6 / (run.decode_ms / 1e3).max(1e-9),
            kib(run.base_kib),
            kib(run.peak_kib),
            run.peak_kib as f64 * 1024.0 / size,
        )?;
        times.push(run.decode_ms);
    }
    if let [small, large] = times[..] {
        writeln!(
            out,
            "64 MiB / 16 MiB detect+decode time: {:.2}× (4× is linear; ENC-13 allows 4.5×)",
            large / small.max(1e-9)
        )?;
    }
    writeln!(out, "peak RSS is the whole process (VmHWM), the file's bytes and its decoded text included")?;
    Ok(())
}

/// Times frames of the reader on one very long article (`mb` MB of text) at
/// 200×60, at the top and at the very end, and script conversion throughput
/// beside the `opencc` command-line tool when it is installed.
///
/// # Errors
/// When writing to `out` fails.
pub fn run_reader(mb: u64, out: &mut impl Write) -> std::io::Result<()> {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use gongbao::app::{Action, App, Settings};
    use gongbao::convert::Script;
    use gongbao::corpus::Corpus;

    let (corpus, _) = Corpus::from_docs(&load::bundled(), None);
    let Some(template) = corpus.articles.iter().max_by_key(|a| a.paragraphs.len()).cloned() else {
        return writeln!(out, "no article to build from");
    };
    let target = usize::try_from(mb).unwrap_or(usize::MAX).saturating_mul(1_000_000);
    let mut article = template.clone();
    article.paragraphs.clear();
    let mut size = 0;
    while size < target {
        for p in &template.paragraphs {
            size += p.text.len();
            article.paragraphs.push(p.clone());
        }
    }
    article.clauses.clear();
    let big = Corpus { sources: corpus.sources.clone(), articles: vec![article] };
    writeln!(
        out,
        "gongbao bench --reader: one article of {:.1} MB, {} paragraphs",
        size as f64 / 1e6,
        big.articles[0].paragraphs.len()
    )?;
    let start = Instant::now();
    let mut app = App::new(big, Settings::default(), std::collections::HashMap::new(), (200, 60));
    app.update(Action::Resize(200, 60));
    writeln!(out, "layout (wrap index, original script): {:.2} s", start.elapsed().as_secs_f64())?;
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).map_err(std::io::Error::other)?;
    let mut frames = |app: &App| frame_times(&mut terminal, app, 200);
    let (p50, p99) = frames(&app)?;
    writeln!(out, "frame at the top, 200×60: p50 {p50:.3} ms, p99 {p99:.3} ms")?;
    app.update(Action::SwitchFocus);
    app.update(Action::Bottom);
    let (p50, p99) = frames(&app)?;
    writeln!(out, "frame at the end, 200×60: p50 {p50:.3} ms, p99 {p99:.3} ms")?;

    // Conversion throughput on the samples' text, repeated to 10 MB.
    let text: String = corpus
        .articles
        .iter()
        .flat_map(|a| a.paragraphs.iter())
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let reps = (10_000_000 / text.len().max(1)).max(1);
    let big_text = text.repeat(reps);
    let converter = gongbao::convert::Converter::new();
    let rate = gongbao::convert::throughput_mb_s(&converter, &big_text, Script::Traditional);
    writeln!(out, "s2t conversion (gongbao, pure Rust): {rate:.1} MB/s")?;
    match opencc_cli_mb_s(&big_text) {
        Some(rate) => writeln!(out, "s2t conversion (opencc command-line tool): {rate:.1} MB/s")?,
        None => writeln!(out, "s2t conversion (opencc command-line tool): absent on this machine")?,
    }
    Ok(())
}

/// Throughput of the `opencc` tool converting `text` with s2t, if installed.
fn opencc_cli_mb_s(text: &str) -> Option<f64> {
    let dir = tempfile::tempdir().ok()?;
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, text).ok()?;
    let t = Instant::now();
    let status = std::process::Command::new("opencc")
        .args(["-c", "s2t.json", "-i"])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .status()
        .ok()?;
    let secs = t.elapsed().as_secs_f64();
    status.success().then(|| text.len() as f64 / 1e6 / secs)
}

/// One input of `bench --large`: a name and the file's bytes.
struct LargeInput {
    name: &'static str,
    bytes: Vec<u8>,
}

/// The files of TST-05 and ESC-05: 64 MiB of news in UTF-8 and in GBK (the samples
/// recombined into one file), one 10 MiB line, 1,000,000 short lines, and the combining floods.
fn large_inputs() -> Vec<LargeInput> {
    const MIB: usize = 1024 * 1024;
    let news: String = synthetic_corpus(64 * MIB, Mix::Utf8)
        .iter()
        .map(|d| String::from_utf8_lossy(&d.bytes).into_owned())
        .collect::<Vec<_>>()
        .join("\n\n");
    let news = news.get(..news.floor_char_boundary(64 * MIB)).unwrap_or(&news).to_string();
    let gbk = encoding_rs::GBK.encode(&news).0.into_owned();
    let mut line = String::from("一行\n\n");
    while line.len() < 10 * MIB {
        line.push_str("各方欢迎中国中亚合作机制秘书处启动全面运营将全力支持秘书处发挥积极作用");
    }
    line.push('\n');
    let mut lines = String::from("短行\n\n");
    for i in 0..1_000_000 {
        use std::fmt::Write as _;
        let _ = writeln!(lines, "第{i}行");
    }
    let markers = "（完）\n".repeat(1_000_000);
    let flood = format!("标题\n\n开头e{}结尾。\n", "\u{301}".repeat(10_000));
    let mut zalgo = String::from("标题\n\n");
    let mut i = 0usize;
    while zalgo.len() < 100 * 1024 {
        zalgo.push(char::from(b'a' + u8::try_from(i % 26).unwrap_or(0)));
        for k in 0..i % 40 {
            zalgo.push(char::from_u32(0x300 + u32::try_from((i * 7 + k) % 0x70).unwrap_or(0)).unwrap_or('\u{301}'));
        }
        i += 1;
    }
    zalgo.push('\n');
    vec![
        LargeInput { name: "64 MiB news, UTF-8", bytes: news.into_bytes() },
        LargeInput { name: "64 MiB news, GBK", bytes: gbk },
        LargeInput { name: "one 10 MiB line", bytes: line.into_bytes() },
        LargeInput { name: "1,000,000 short lines", bytes: lines.into_bytes() },
        LargeInput { name: "1,000,000 end markers （完）", bytes: markers.into_bytes() },
        LargeInput { name: "e + 10,000 U+0301 (ESC-05)", bytes: flood.into_bytes() },
        LargeInput { name: "100 KiB Zalgo paragraph (ESC-05)", bytes: zalgo.into_bytes() },
    ]
}

/// `bench --large`: large and hostile single files (TST-05, ESC-05). For each, the
/// time to open it (decode, clean, segment, index, as the reader does for one file) and frame
/// times at 80×24 at the start, in the middle and at the very last line.
///
/// # Errors
/// When writing to `out` fails.
pub fn run_large(out: &mut impl Write) -> std::io::Result<()> {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use gongbao::app::{Action, App, Settings};
    use gongbao::corpus::Corpus;

    writeln!(
        out,
        "gongbao bench --large: single large files, release build, opened as the reader opens one file \
         (from 4 MiB the bigram counts also use the other cores), frames at 80×24"
    )?;
    writeln!(out)?;
    writeln!(out, "| file | MB | open | of which reading | articles | frame p50 / p99, start | middle | last line |")?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|")?;
    for input in large_inputs() {
        let mb = input.bytes.len() as f64 / 1e6;
        let docs = vec![load::RawDoc { name: "large.txt".into(), path: None, bytes: input.bytes }];
        let start = Instant::now();
        let (corpus, _) = Corpus::from_docs(&docs, None);
        // Decode, clean, segment; the rest of opening is the search index, versions, library.
        let reading = start.elapsed();
        drop(docs);
        let mut app = App::new(corpus, Settings::default(), std::collections::HashMap::new(), (80, 24));
        app.update(Action::Resize(80, 24));
        app.update(Action::Open);
        let open = start.elapsed();
        let articles = app.corpus.articles.len();
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).map_err(std::io::Error::other)?;
        let mut frames = |app: &App| -> std::io::Result<String> {
            let (p50, p99) = frame_times(&mut terminal, app, 100)?;
            Ok(format!("{p50:.2} / {p99:.2} ms"))
        };
        let at_start = frames(&app)?;
        // The middle and the end of the longest article (most files hold one).
        let longest = (0..articles).max_by_key(|&i| app.corpus.articles[i].paragraphs.len()).unwrap_or(0);
        app.open_article(longest);
        let lines = app.reader.layout.lines.len();
        for _ in 0..lines / 2 / 22 {
            app.update(Action::PageDown);
        }
        let middle = frames(&app)?;
        app.update(Action::Bottom);
        let last = frames(&app)?;
        writeln!(
            out,
            "| {} | {mb:.1} | {:.2} s | {:.2} s | {articles} | {at_start} | {middle} | {last} |",
            input.name,
            open.as_secs_f64(),
            reading.as_secs_f64()
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "targets: open ≤ 2 s for 64 MiB, frames ≤ 16 ms at any position (TST-05); ≤ 50 ms for the floods (ESC-05)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_synthetic_corpus_has_the_size_asked_for_and_is_deterministic() {
        let a = synthetic_corpus(300_000, Mix::Mixed);
        let b = synthetic_corpus(300_000, Mix::Mixed);
        let size: usize = a.iter().map(|d| d.bytes.len()).sum();
        assert!((300_000..400_000).contains(&size), "{size}");
        assert_eq!(a, b);
    }

    /// The child of `--decode`, when this test binary is started as one (by the ENC-13 test
    /// below, with `DECODE_CHILD` set): reports on standard output, as the benchmark's child.
    #[test]
    fn decode_child_when_asked() {
        if let Some(path) = std::env::var_os(DECODE_CHILD) {
            decode_child(std::path::Path::new(&path), &mut std::io::stdout()).expect("the decode child");
        }
    }

    /// ENC-13's memory bound (its speed is the benchmark's): reading and decoding a GBK file
    /// takes at most four times its size, measured in a process of its own, the benchmark's
    /// child (this test binary, running only the test above).
    #[cfg(target_os = "linux")]
    #[test]
    fn enc_13_decoding_a_gbk_file_costs_at_most_four_times_its_size_in_memory() {
        const SIZE: usize = 24 << 20;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big_gbk.txt");
        // Legacy encodings are stateless, so a sample encoded once and repeated is the
        // encoding of the text repeated (a debug build encodes slowly).
        let sample = String::from_utf8_lossy(&load::bundled()[0].bytes).into_owned();
        let unit = encoding_rs::GBK.encode(&format!("{sample}\n")).0.into_owned();
        let mut bytes = unit.repeat(SIZE / unit.len() + 1);
        bytes.truncate(SIZE);
        std::fs::write(&path, &bytes).expect("write");
        drop(bytes);
        let exe = std::env::current_exe().expect("this test binary");
        let child = std::process::Command::new(exe)
            .args(["--exact", "throughput::tests::decode_child_when_asked", "--nocapture", "--test-threads=1"])
            .env(DECODE_CHILD, &path)
            .output()
            .expect("run the decode child");
        let report = String::from_utf8_lossy(&child.stdout);
        assert!(child.status.success(), "{report}{}", String::from_utf8_lossy(&child.stderr));
        assert!(report.contains("encoding GBK"), "{report}");
        // Only the report's `key value` lines: the test harness prints its own around them.
        let lines: Vec<&str> = report.lines().filter(|l| l.contains("_kib ") || l.contains("_ms ")).collect();
        let run = DecodeRun::parse(&lines.join("\n")).unwrap_or_else(|| panic!("a report in {report}"));
        let used = (run.peak_kib.saturating_sub(run.base_kib) * 1024) as f64 / SIZE as f64;
        eprintln!("enc_13: decoding {} MiB of GBK peaked {used:.2}× its size above the start", SIZE >> 20);
        // The bytes (1×) and the text (1.5×: GBK grows by half in UTF-8) are needed; a
        // third copy of either would cross the line.
        assert!(used <= 4.0, "peak {used:.2}× the file size");
        assert!(used >= 2.0, "peak {used:.2}×: the measurement missed the file or the text");
    }

    #[test]
    fn the_decode_benchmark_file_is_gbk_of_the_size_asked_for() {
        let bytes = gbk_file(300_000);
        assert_eq!(bytes.len(), 300_000);
        let decoded = decode::decode(&bytes, None).expect("decodes");
        assert_eq!(decoded.encoding, encoding_rs::GBK);
        assert!(decoded.replacements <= 1, "only the cut at the end may be undecodable");
    }

    #[test]
    fn a_decode_child_report_parses_and_a_broken_one_does_not() {
        let report = "encoding GBK\nread_ms 1.5\ndetect_ms 2\ndecode_ms 30.25\nbase_kib 5000\npeak_kib 170000\n";
        let run = DecodeRun::parse(report).expect("parses");
        assert_eq!(
            run,
            DecodeRun { read_ms: 1.5, detect_ms: 2.0, decode_ms: 30.25, base_kib: 5000, peak_kib: 170_000 }
        );
        assert_eq!(DecodeRun::parse("decode_ms fast\n"), None);
    }

    #[test]
    fn every_synthetic_file_goes_through_the_pipeline() {
        let docs = synthetic_corpus(200_000, Mix::Mixed);
        let (c, problems) = gongbao::corpus::Corpus::from_docs(&docs, None);
        assert!(problems.iter().all(|p| !p.fatal), "{problems:?}");
        assert_eq!(c.sources.len(), docs.len());
        assert!(c.articles.len() >= docs.len());
    }
}

//! `bench --suite 100,1000`: the whole reader at archive scale, one table.
//!
//! For each size a synthetic archive is written to a temporary folder (the samples recombined,
//! as the throughput measurement makes them), then:
//! - a child process (this benchmark again, `--load-dir DIR`) loads it the way the reader does, on all
//!   cores in the background, and reports the time until fully loaded and searchable, its peak
//!   resident memory, search latency over everything, and frame render times at 200×60;
//! - the real binary (`gongbao` beside the `examples/` folder this runs from) is started in a pseudo-terminal on the folder: the time until its first
//!   frame, and key-to-frame latency for `j` presses while loading;
//! - `grep -r` and `rg` search the same files, and the `opencc` tool converts the same text,
//!   each reported as absent when it is not installed.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use gongbao::app::{Action, App, Settings};
use gongbao::convert::{Converter, Script};
use gongbao::corpus::{Corpus, load};
use gongbao::search::{Query, folder};

use crate::throughput::{Mix, ms, percentile, synthetic_corpus};

/// Queries timed (the corpus is built from the samples, so both are common).
const QUERIES: [&str; 2] = ["各方欢迎", "一個中國原則"];

/// What the loading child reports, one `key value` per line.
#[derive(Debug, Default)]
struct LoadReport {
    loaded_ms: f64,
    mb: f64,
    rss_mb: f64,
    search: Vec<(f64, f64, usize)>,
    frame_p50: f64,
    frame_p99: f64,
}

/// The child's side: loads `dir` like the reader does and prints what it measured.
///
/// # Errors
/// When writing to `out` fails.
pub fn load_dir(dir: &Path, out: &mut impl Write) -> std::io::Result<()> {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let start = Instant::now();
    let loading = gongbao::loader::start(
        vec![load::Input::Path(dir.to_path_buf())],
        u64::MAX,
        None,
        gongbao::corpus::ReadOptions::default(),
        0,
    );
    let mut app = App::new(Corpus::default(), Settings::default(), std::collections::HashMap::new(), (200, 60));
    app.start_loading(loading);
    while app.is_loading() {
        app.update(Action::Tick);
        std::thread::sleep(Duration::from_millis(2));
    }
    let loaded = start.elapsed();
    writeln!(out, "rss_loaded_mb {}", status_mb("VmRSS:"))?;
    let bytes: u64 = app.corpus.sources.iter().map(|s| s.bytes).sum();
    writeln!(out, "loaded_ms {}", ms(loaded))?;
    writeln!(out, "mb {}", bytes as f64 / 1e6)?;
    for q in QUERIES {
        let (first, all, n) = crate::search::time_search(&app.index, &app.corpus, &Query::new(q, false));
        writeln!(out, "search {} {} {n}", first.map_or(0.0, ms), ms(all))?;
    }
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).map_err(std::io::Error::other)?;
    app.update(Action::Resize(200, 60));
    app.update(Action::Open);
    let mut times = Vec::new();
    for i in 0..400 {
        app.update(if i % 50 < 25 { Action::Down } else { Action::PageDown });
        let t = Instant::now();
        terminal.draw(|f| gongbao::ui::render(&app, f)).map_err(std::io::Error::other)?;
        times.push(t.elapsed());
    }
    times.sort_unstable();
    writeln!(out, "frame {} {}", ms(percentile(&times, 0.5)), ms(percentile(&times, 0.99)))?;
    // Peak resident memory, as the kernel counted it.
    writeln!(out, "rss_mb {}", status_mb("VmHWM:"))?;
    std::hint::black_box(folder());
    Ok(())
}

/// A memory figure of this process from `/proc/self/status`, in MB (0 where there is none).
fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The reader the pseudo-terminal runs: `gongbao` of the same profile as this benchmark,
/// which runs from `target/<profile>/examples/`.
fn reader_binary(exe: &Path) -> std::io::Result<std::path::PathBuf> {
    let name = format!("gongbao{}", std::env::consts::EXE_SUFFIX);
    let reader = exe.parent().and_then(Path::parent).map(|dir| dir.join(&name));
    match reader {
        Some(path) if path.is_file() => Ok(path),
        _ => Err(std::io::Error::other(format!(
            "no {name} beside {}: build it first (cargo build --release)",
            exe.parent().map_or(exe, Path::new).display()
        ))),
    }
}

fn parse(report: &str) -> LoadReport {
    let mut r = LoadReport::default();
    for line in report.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
        match f.first().copied() {
            Some("loaded_ms") => r.loaded_ms = num(1),
            Some("mb") => r.mb = num(1),
            Some("rss_mb") => r.rss_mb = num(1),
            Some("search") => r.search.push((num(1), num(2), num(3) as usize)),
            Some("frame") => (r.frame_p50, r.frame_p99) = (num(1), num(2)),
            _ => {}
        }
    }
    r
}

/// Runs the suite for each size (MB) and prints the table to `out`.
///
/// # Errors
/// When the temporary folder cannot be written, or writing to `out` fails.
pub fn run(sizes_mb: &[u64], out: &mut impl Write) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let reader = reader_binary(&exe)?;
    run_with(sizes_mb, &|dir| Command::new(&exe).arg("--load-dir").arg(dir).output(), Some(&reader), out)
}

/// [`run`] with the loading child started by `load` (given the folder) and the reader that the
/// pseudo-terminal runs, if any (without one, the first frame and key-to-frame show as "–").
fn run_with(
    sizes_mb: &[u64],
    load: &dyn Fn(&Path) -> std::io::Result<std::process::Output>,
    reader: Option<&Path>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    writeln!(out, "gongbao benchmark suite: release build, {cores} cores, synthetic archives of recombined samples\n")?;
    writeln!(
        out,
        "| size | files | load MB/s | first frame | fully loaded | peak RSS | search (first / all) | grep -r | rg | frame p50 / p99 (200×60) | key→frame p50 / p99 |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    let mut sample_text = String::new();
    for &mb in sizes_mb {
        let dir = tempfile::tempdir()?;
        let files = {
            let docs = synthetic_corpus(usize::try_from(mb).unwrap_or(usize::MAX).saturating_mul(1_000_000), Mix::Utf8);
            for (i, d) in docs.iter().enumerate() {
                std::fs::write(dir.path().join(format!("{i:06}.txt")), &d.bytes)?;
                if sample_text.len() < 20_000_000 {
                    sample_text.push_str(&String::from_utf8_lossy(&d.bytes));
                }
            }
            docs.len()
        };
        let child = load(dir.path())?;
        let report = parse(&String::from_utf8_lossy(&child.stdout));
        let (first_frame, keys) = reader.map_or((None, None), |reader| pty_latency(reader, dir.path()));
        let search = report
            .search
            .first()
            .map_or("–".to_string(), |s| format!("{:.2} / {:.0} ms ({} matches)", s.0, s.1, s.2));
        let grep = crate::search::peer("grep", &["-r", "-F", "-c", QUERIES[0]], dir.path());
        let rg = crate::search::peer("rg", &["-F", "-c", QUERIES[0]], dir.path());
        let short = |s: String| s.split(" (").next().unwrap_or("").to_string();
        writeln!(
            out,
            "| {mb} MB | {files} | {:.0} | {} | {:.1} s | {:.0} MB | {search} | {} | {} | {:.2} / {:.2} ms | {} |",
            report.mb / (report.loaded_ms / 1e3).max(1e-9),
            first_frame.map_or("–".to_string(), |d| format!("{:.0} ms", ms(d))),
            report.loaded_ms / 1e3,
            report.rss_mb,
            short(grep),
            short(rg),
            report.frame_p50,
            report.frame_p99,
            keys.map_or("–".to_string(), |(p50, p99)| format!("{:.1} / {:.1} ms", ms(p50), ms(p99))),
        )?;
    }
    let converter = Converter::new();
    let gongbao = gongbao::convert::throughput_mb_s(&converter, &sample_text, Script::Traditional);
    let opencc = opencc_tool(&sample_text);
    writeln!(
        out,
        "\nSimplified → Traditional on {:.0} MB of the same text: gongbao {gongbao:.1} MB/s; `opencc` tool {}",
        sample_text.len() as f64 / 1e6,
        opencc.map_or("absent".to_string(), |v| format!("{v:.1} MB/s"))
    )?;
    writeln!(out, "grep and rg count matching lines per file and fold nothing; 'absent' = not installed.")?;
    Ok(())
}

fn opencc_tool(text: &str) -> Option<f64> {
    let dir = tempfile::tempdir().ok()?;
    let input = dir.path().join("in.txt");
    std::fs::write(&input, text).ok()?;
    let start = Instant::now();
    let status = Command::new("opencc")
        .args(["-c", "s2t.json", "-i"])
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("out.txt"))
        .status()
        .ok()?;
    status.success().then(|| text.len() as f64 / 1e6 / start.elapsed().as_secs_f64().max(1e-9))
}

/// Starts the reader on `dir` in a pseudo-terminal (100×30): the time to its first frame, and
/// the p50/p99 time from a `j` written to the terminal to the frame it causes.
#[cfg(unix)]
fn pty_latency(exe: &Path, dir: &Path) -> (Option<Duration>, Option<(Duration, Duration)>) {
    pty::measure(exe, dir).unwrap_or((None, None))
}

#[cfg(not(unix))]
fn pty_latency(_: &Path, _: &Path) -> (Option<Duration>, Option<(Duration, Duration)>) {
    (None, None)
}

#[cfg(unix)]
mod pty {
    use std::io::{Read, Write};
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};

    type Measured = (Option<Duration>, Option<(Duration, Duration)>);

    pub fn measure(exe: &Path, dir: &Path) -> std::io::Result<Measured> {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
        grantpt(&master)?;
        unlockpt(&master)?;
        let name = ptsname(&master, Vec::new())?;
        let slave = std::fs::OpenOptions::new().read(true).write(true).open(name.to_string_lossy().as_ref())?;
        rustix::termios::tcsetwinsize(
            &slave,
            rustix::termios::Winsize { ws_row: 30, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0 },
        )?;
        let data = tempfile::tempdir()?;
        let started = Instant::now();
        // setsid -c makes the terminal the reader's controlling terminal, as a shell would.
        let mut child = Command::new("setsid")
            .arg("-c")
            .arg(exe)
            .arg(dir)
            .env("GONGBAO_DATA", data.path())
            .env("TERM", "xterm-256color")
            .stdin(Stdio::from(slave.try_clone()?))
            .stdout(Stdio::from(slave.try_clone()?))
            .stderr(Stdio::null())
            .spawn()?;
        drop(slave);
        let mut reader = std::fs::File::from(master.try_clone()?);
        let mut writer = std::fs::File::from(master);
        let (tx, rx) = mpsc::channel::<Instant>();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(Instant::now()).is_err() {
                    break;
                }
            }
        });
        let first = rx.recv_timeout(Duration::from_secs(10)).ok().map(|t| t.duration_since(started));
        // Let the first frame finish, then time key presses.
        let settle = |rx: &mpsc::Receiver<Instant>| while rx.recv_timeout(Duration::from_millis(120)).is_ok() {};
        settle(&rx);
        writer.write_all(b"\t")?;
        settle(&rx);
        let mut times = Vec::new();
        for i in 0..60 {
            let sent = Instant::now();
            writer.write_all(if i % 2 == 0 { b"j" } else { b"k" })?;
            if let Ok(t) = rx.recv_timeout(Duration::from_secs(2)) {
                times.push(t.duration_since(sent));
            }
            settle(&rx);
        }
        let _ = writer.write_all(b"q");
        let deadline = Instant::now() + Duration::from_secs(5);
        while child.try_wait()?.is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        times.sort_unstable();
        let keys = (!times.is_empty())
            .then(|| (crate::throughput::percentile(&times, 0.5), crate::throughput::percentile(&times, 0.99)));
        Ok((first, keys))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    /// Set for this test binary started as the loading child of the test below.
    const LOAD_CHILD: &str = "GONGBAO_BENCH_LOAD_DIR";

    /// The loading child (`--load-dir`), when this test binary is started as one.
    #[test]
    fn load_child_when_asked() {
        if let Some(dir) = std::env::var_os(LOAD_CHILD) {
            super::load_dir(Path::new(&dir), &mut std::io::stdout()).expect("the loading child");
        }
    }

    /// The suite at 1 MB prints its table; its loading child is this test binary running only
    /// the test above, and the reader in the pseudo-terminal is the `gongbao` of this profile
    /// when it has been built (`cargo test` builds it for the integration tests).
    #[test]
    fn the_benchmark_suite_prints_its_table() {
        let exe = std::env::current_exe().expect("this test binary");
        let load = |dir: &Path| {
            Command::new(&exe)
                .args(["--exact", "suite::tests::load_child_when_asked", "--nocapture", "--test-threads=1"])
                .env(LOAD_CHILD, dir)
                .output()
        };
        let reader = super::reader_binary(&exe).ok();
        let mut out = Vec::new();
        super::run_with(&[1], &load, reader.as_deref(), &mut out).expect("the suite runs");
        let out = String::from_utf8_lossy(&out);
        assert!(out.contains("| 1 MB |") && out.contains("key→frame"), "{out}");
        assert!(out.contains("Simplified → Traditional"), "{out}");
        // The loading child reported: a rate, and the search found the query.
        assert!(!out.contains("| 1 MB | 0 |") && out.contains(" matches)"), "{out}");
    }
}

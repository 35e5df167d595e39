//! `bench --bookmarks N`: load and save times of a bookmark file with N bookmarks
//! (PST-13: 100,000 load in under 200 ms and save in under 300 ms, release build).

use std::io::Write;
use std::time::{Duration, Instant};

use gongbao::bookmarks::store::{self, Store};
use gongbao::bookmarks::{ArticleRef, Bookmark, Quote, SourceRef, StoredPath};

use crate::throughput::ms;

/// A bookmark of realistic size: a sentence quoted, context, a short note.
pub fn synthetic(k: usize) -> Bookmark {
    Bookmark {
        id: format!("{k:08x}-bench"),
        created: "2026-11-22T10:00:00Z".into(),
        updated: "2026-11-22T10:00:00Z".into(),
        source: SourceRef {
            name: format!("{:03}_people_daily.txt", k % 997),
            path: Some(StoredPath::Text(format!("/archive/2026/{:03}_people_daily.txt", k % 997))),
            fingerprint: format!("{:016x}", k.wrapping_mul(0x9e37_79b9)),
        },
        article: ArticleRef {
            id: format!("{:03}_people_daily#{k:08x}", k % 997),
            title: Some("中国—中亚外长第六次会晤新闻公报".into()),
        },
        clause: Some("十三、".into()),
        quote: Quote {
            text: "各方欢迎在中国—中亚机制成员国举办进出口展览、商务和投资活动,提升贸易规模,加强经贸合作。".into(),
            prefix: "支持加强数字贸易和绿色经济等新兴领域合作。".into(),
            suffix: "八、各方指出,在机制框架内加强投资合作".into(),
            paragraph: k % 40,
            offset: 0,
        },
        note: format!("第{k}条笔记:与去年公报的措辞相比较"),
    }
}

/// Runs the benchmark and prints a Markdown table to `out`.
///
/// # Errors
/// When the temporary folder cannot be written, or writing to `out` fails.
pub fn run(n: usize, out: &mut impl Write) -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let (mut store, _) = Store::open(Some(dir.path()));
    for k in 0..n {
        store.put(synthetic(k)).map_err(std::io::Error::other)?;
    }
    let start = Instant::now();
    store.save().map_err(std::io::Error::other)?;
    let first_save = start.elapsed();
    let size = std::fs::metadata(dir.path().join(store::FILE))?.len();
    let mut load = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let (loaded, _) = Store::open(Some(dir.path()));
        load = load.min(start.elapsed());
        std::hint::black_box(loaded.bookmarks().len());
    }
    // One more bookmark, file unchanged since: serialise and write only.
    store.put(synthetic(n)).map_err(std::io::Error::other)?;
    let start = Instant::now();
    store.save().map_err(std::io::Error::other)?;
    let save_one = start.elapsed();
    // Another copy saved in between: reload, merge, write.
    let (mut other, _) = Store::open(Some(dir.path()));
    other.put(synthetic(n + 1)).map_err(std::io::Error::other)?;
    other.save().map_err(std::io::Error::other)?;
    store.put(synthetic(n + 2)).map_err(std::io::Error::other)?;
    let start = Instant::now();
    store.save().map_err(std::io::Error::other)?;
    let save_merge = start.elapsed();
    writeln!(out, "{n} bookmarks, {:.1} MB file, release build\n", size as f64 / 1e6)?;
    writeln!(out, "| operation | time | target |")?;
    writeln!(out, "|---|---:|---:|")?;
    writeln!(out, "| load (parse, best of 3) | {:.0} ms | < 200 ms |", ms(load))?;
    writeln!(out, "| save after one change | {:.0} ms | < 300 ms |", ms(save_one))?;
    writeln!(out, "| save after another copy saved (reload + merge) | {:.0} ms | < 300 ms |", ms(save_merge))?;
    writeln!(out, "| first save of all | {:.0} ms | |", ms(first_save))?;
    let start = Instant::now();
    let bytes = serde_json::to_vec(store.bookmarks()).map_err(std::io::Error::other)?;
    writeln!(out, "| of which serialising in memory | {:.0} ms | |", ms(start.elapsed()))?;
    let path = dir.path().join("plain-write");
    let start = Instant::now();
    std::fs::write(&path, &bytes)?;
    let written = start.elapsed();
    std::fs::File::open(&path)?.sync_all()?;
    writeln!(
        out,
        "| of which writing / fsync | {:.0} / {:.0} ms | |",
        ms(written),
        ms(start.elapsed().saturating_sub(written))
    )?;
    Ok(())
}

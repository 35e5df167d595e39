//! `bench --lookup`: what looking words up costs. The first look-up unpacks and
//! indexes the dictionary (it is never done at start-up); later ones only read the index.

use std::io::Write;
use std::time::Instant;

use crate::throughput::{ms, status_kib};

/// A paragraph of the bundled communiqué, as the reader cuts it on each `w`.
const PARAGRAPH: &str = "各方欢迎在中国—中亚机制成员国举办进出口展览、商务和投资活动,提升贸易规模,加强经贸合作。\
                         各方支持加强数字贸易和绿色经济等新兴领域合作,愿共同推进高质量共建“一带一路”,坚持求同存异。";

/// Runs the benchmark and prints one measurement a line.
///
/// # Errors
/// When writing to `out` fails, or the dictionary does not unpack.
pub fn run(out: &mut impl Write) -> std::io::Result<()> {
    let before = status_kib("VmRSS:");
    let t = Instant::now();
    let dictionary = gongbao::dict::embedded().map_err(std::io::Error::other)?;
    let first = t.elapsed();
    let after = status_kib("VmRSS:");
    writeln!(out, "entries {}", dictionary.len())?;
    writeln!(out, "first_lookup_ms {} (unpack and index)", ms(first))?;
    writeln!(out, "memory_added_mib {:.1}", after.saturating_sub(before) as f64 / 1024.0)?;
    let words = gongbao::dict::cut::cut(dictionary, PARAGRAPH);
    let rounds: u32 = 2000;
    // What the pop-up needs for a word: its entries, their pinyin and zhuyin, the shorter
    // words starting at the cursor and the longer entries going on as the text does.
    let t = Instant::now();
    for _ in 0..rounds {
        for w in &words {
            let text = &PARAGRAPH[w.range.start..];
            for e in dictionary.lookup(&PARAGRAPH[w.range.clone()]) {
                std::hint::black_box((e.pinyin_marked(), e.zhuyin()));
            }
            std::hint::black_box(dictionary.words_at(text));
            std::hint::black_box(dictionary.continuing(text, w.range.len(), 3));
        }
    }
    let per_word = t.elapsed().as_secs_f64() * 1e6 / (f64::from(rounds) * words.len() as f64);
    writeln!(out, "later_lookup_us {per_word:.1} (entries, pinyin, zhuyin, shorter and longer words at the cursor)")?;
    // What each cursor move costs on top: cutting the paragraph.
    let t = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(gongbao::dict::cut::cut(dictionary, PARAGRAPH));
    }
    let per_cut = t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
    writeln!(out, "cut_paragraph_us {per_cut:.1} ({} characters)", PARAGRAPH.chars().count())?;
    Ok(())
}

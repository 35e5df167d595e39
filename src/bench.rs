//! `gongbao bench`: decode + clean + segment throughput on a synthetic corpus
//! recombined from the bundled samples, at several sizes, so that both the
//! speed (MB/s on one core) and its growth with input size are visible.

use std::io::Write;
use std::time::Instant;

use crate::corpus::{self, load};

/// Builds about `bytes` of synthetic source files: the samples re-cut at
/// paragraph boundaries, recombined across files and re-encoded, so the
/// segmenter sees new pages in every encoding it supports.
pub fn synthetic_corpus(bytes: usize) -> Vec<load::RawDoc> {
    let samples: Vec<String> = load::bundled().into_iter().map(|d| String::from_utf8_lossy(&d.bytes).into_owned()).collect();
    let paragraphs: Vec<&str> = samples.iter().flat_map(|s| s.split("\n\n")).filter(|p| !p.trim().is_empty()).collect();
    let mut docs = Vec::new();
    let mut total = 0;
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    while total < bytes && !paragraphs.is_empty() {
        let mut page = String::new();
        let len = 20 + (next() % 60) as usize;
        let mut at = (next() % paragraphs.len() as u64) as usize;
        for _ in 0..len {
            page.push_str(paragraphs[at % paragraphs.len()]);
            page.push_str("\n\n");
            // Mostly in order (articles stay coherent), sometimes a jump (a new article).
            at = if next() % 8 == 0 { (next() % paragraphs.len() as u64) as usize } else { at + 1 };
        }
        let bytes_out = match next() % 4 {
            0 => encoding_rs::GBK.encode(&page).0.into_owned(),
            1 => {
                let mut v = vec![0xFF, 0xFE];
                v.extend(page.encode_utf16().flat_map(u16::to_le_bytes));
                v
            }
            _ => page.into_bytes(),
        };
        total += bytes_out.len();
        docs.push(load::RawDoc { name: format!("synthetic_{:05}.txt", docs.len()), path: None, bytes: bytes_out });
    }
    docs
}

/// Runs the benchmark for each size (in MB) and prints one table.
pub fn run(sizes_mb: &[u64], out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "decode + clean + segment, one core, release build")?;
    writeln!(out, "{:>10} {:>8} {:>10} {:>10} {:>10}", "size MB", "files", "articles", "seconds", "MB/s")?;
    for &mb in sizes_mb {
        let docs = synthetic_corpus(usize::try_from(mb).unwrap_or(usize::MAX).saturating_mul(1_000_000));
        let bytes: usize = docs.iter().map(|d| d.bytes.len()).sum();
        let start = Instant::now();
        let (c, _) = corpus::Corpus::from_docs(&docs, None);
        let secs = start.elapsed().as_secs_f64();
        let mbs = bytes as f64 / 1e6 / secs;
        writeln!(out, "{:>10.1} {:>8} {:>10} {:>10.3} {:>10.1}", bytes as f64 / 1e6, docs.len(), c.articles.len(), secs, mbs)?;
    }
    Ok(())
}

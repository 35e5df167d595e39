//! The CJK line wrapper under criterion (issue 20): every paragraph of the bundled samples
//! wrapped at 40 and 80 columns, with East Asian ambiguous characters narrow and wide. The
//! reader wraps each paragraph of an article when it opens it or the width changes.
//! `cargo bench --bench wrap`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gongbao::corpus::{Corpus, load};
use gongbao::wrap::{AmbiguousWidth, wrap};

fn wrapping(c: &mut Criterion) {
    let (corpus, _) = Corpus::from_docs(&load::bundled(), None);
    let paragraphs: Vec<&str> =
        corpus.articles.iter().flat_map(|a| a.paragraphs.iter()).map(|p| p.text.as_str()).collect();
    let bytes: usize = paragraphs.iter().map(|p| p.len()).sum();
    let mut group = c.benchmark_group("wrap");
    group.throughput(Throughput::Bytes(bytes as u64));
    for width in [40, 80] {
        for ambiguous in [AmbiguousWidth::Narrow, AmbiguousWidth::Wide] {
            group.bench_function(format!("samples/{width}/{ambiguous:?}"), |b| {
                b.iter(|| paragraphs.iter().map(|p| wrap(p, width, ambiguous).len()).sum::<usize>());
            });
        }
    }
    group.finish();
}

criterion_group!(benches, wrapping);
criterion_main!(benches);

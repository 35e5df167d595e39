//! Decode + sanitise + clean + segment throughput under criterion (issue 20): the stages timed
//! one by one by the code `cargo run --release --example bench -- --sizes …` runs
//! (`examples/bench/throughput.rs`, included here), and the whole of `Corpus::from_docs`, on
//! 2 MB of the synthetic corpus, UTF-8 and mixed encodings.
//!
//! `cargo bench --bench throughput`. The example's table (MB/s per stage at 10 and 100 MB) is
//! still the figure README.md quotes; this is for before/after comparisons of one change,
//! which criterion's statistics make easier to read.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gongbao::corpus::Corpus;

#[allow(
    dead_code,
    unused_imports,
    reason = "the example's module, of which this uses the corpus and the stages (its unit tests are not built here)"
)]
#[path = "../examples/bench/throughput.rs"]
mod throughput;

use throughput::{Mix, measure, synthetic_corpus};

fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(20);
    for mix in [Mix::Utf8, Mix::Mixed] {
        let docs = synthetic_corpus(2_000_000, mix);
        let bytes: usize = docs.iter().map(|d| d.bytes.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(format!("stages/{mix:?}"), |b| b.iter(|| measure(&docs)));
        group.bench_function(format!("from_docs/{mix:?}"), |b| b.iter(|| Corpus::from_docs(&docs, None)));
    }
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);

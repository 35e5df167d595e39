//! Corpus-wide search under criterion (issue 20): the queries of `--example bench -- --search`
//! (common, rare, in the other script, absent) over 5 MB of the synthetic corpus, folded and
//! exact, with the time to build the index. `cargo bench --bench search`; the example compares
//! with grep and rg at 100 MB.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gongbao::corpus::Corpus;
use gongbao::search::{Query, SearchIndex, folder};

#[allow(
    dead_code,
    unused_imports,
    reason = "the example's module, of which this uses the corpus (its unit tests are not built here)"
)]
#[path = "../examples/bench/throughput.rs"]
mod throughput;

use throughput::{Mix, synthetic_corpus};

/// Queries measured: common, rare, in the other script from most of the text, and absent.
const QUERIES: [&str; 4] = ["各方欢迎", "一個中國原則", "丝绸之路经济带", "不存在的短语"];

fn search(c: &mut Criterion) {
    let docs = synthetic_corpus(5_000_000, Mix::Utf8);
    let bytes: usize = docs.iter().map(|d| d.bytes.len()).sum();
    let (corpus, _) = Corpus::from_docs(&docs, None);
    let index = SearchIndex::build(&corpus, folder());
    let mut group = c.benchmark_group("search");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("build_index", |b| b.iter(|| SearchIndex::build(&corpus, folder()).heap_bytes()));
    for (i, q) in QUERIES.into_iter().enumerate() {
        for exact in [false, true] {
            let query = Query::new(q, exact);
            let name = format!("query{i}/{}", if exact { "exact" } else { "folded" });
            group.bench_function(name, |b| {
                b.iter(|| {
                    let mut n = 0usize;
                    index.search(&corpus, &query, folder(), |m| {
                        std::hint::black_box(m);
                        n += 1;
                        true
                    });
                    n
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);

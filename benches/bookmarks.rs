//! The bookmark file under criterion (issue 20): loading and saving a store of 10,000
//! bookmarks of realistic size (the example's, `--example bench -- --bookmarks N`, which
//! also reports the first save and a save that merges another copy's changes).
//! `cargo bench --bench bookmarks`.

use criterion::{Criterion, criterion_group, criterion_main};
use gongbao::bookmarks::store::Store;

#[allow(
    dead_code,
    unused_imports,
    reason = "the example's module, of which this uses `ms` through bookmarks (its unit tests are not built here)"
)]
#[path = "../examples/bench/throughput.rs"]
mod throughput;

#[allow(dead_code, reason = "the example's module, of which this uses the synthetic bookmark")]
#[path = "../examples/bench/bookmarks.rs"]
mod bookmarks;

const N: usize = 10_000;

fn store(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (mut store, _) = Store::open(Some(dir.path()));
    for k in 0..N {
        store.put(bookmarks::synthetic(k)).expect("put");
    }
    store.save().expect("the first save");
    let mut group = c.benchmark_group("bookmarks");
    group.sample_size(20);
    group.bench_function("load/10000", |b| b.iter(|| Store::open(Some(dir.path())).0.bookmarks().len()));
    let mut k = N;
    group.bench_function("save_after_one_change/10000", |b| {
        b.iter(|| {
            // A note edited in place: the store stays at N bookmarks.
            let mut changed = bookmarks::synthetic(k % N);
            changed.note = format!("第{k}次修改");
            k += 1;
            store.put(changed).expect("put");
            store.save().expect("save");
        });
    });
    group.finish();
}

criterion_group!(benches, store);
criterion_main!(benches);

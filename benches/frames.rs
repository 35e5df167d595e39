//! Frame render times under criterion (issue 20): the reader drawn into a `TestBackend` at
//! 80×24 and 200×60, on the library and on an open article, and at the end of a long article.
//! `cargo bench --bench frames`; the example's `--reader` and `--large` measure the same at
//! archive sizes.

use std::collections::HashMap;

use criterion::{Criterion, criterion_group, criterion_main};
use gongbao::app::{Action, App, Settings};
use gongbao::corpus::{Corpus, load};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app(size: (u16, u16), actions: &[Action]) -> App {
    let (corpus, _) = Corpus::from_docs(&load::bundled(), None);
    let mut app = App::new(corpus, Settings::default(), HashMap::new(), size);
    app.update(Action::Resize(size.0, size.1));
    for &action in actions {
        app.update(action);
    }
    app
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    for size in [(80, 24), (200, 60)] {
        let views: [(&str, &[Action]); 3] = [
            ("library", &[]),
            ("article", &[Action::Open]),
            ("article_end", &[Action::Open, Action::SwitchFocus, Action::Bottom]),
        ];
        for (name, actions) in views {
            let app = app(size, actions);
            let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).expect("a test terminal");
            group.bench_function(format!("{name}/{}x{}", size.0, size.1), |b| {
                b.iter(|| terminal.draw(|f| gongbao::ui::render(&app, f)).map(|_| ()).expect("drawn"));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);

//! What the spam model adds to analysis. Run with `cargo bench -p menshen-learn --bench score`.
//! A model is trained at start on the game-chat set (in ../shared), then the benchmark corpus
//! is analyzed with and without it.

#[path = "../../detect/benches/corpus.rs"]
mod corpus;

use std::{hint::black_box, sync::Arc};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use menshen_detect::{Analyzer, Scratch, score::Model};
use menshen_learn::{data, train};

fn bench(c: &mut Criterion) {
    let texts = corpus::corpus();
    let path = std::env::var_os("MENSHEN_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        })
        .join("datasets/zh_game_chat_ads/train.txt");
    let examples = data::dedup(
        data::load(path.to_str().expect("utf-8 path"))
            .expect("training data")
            .examples,
    );
    let weights = train::train(
        &Analyzer::embedded(),
        &examples,
        &train::TrainConfig::default(),
        |_| {},
    );
    let plain = Analyzer::embedded();
    let scored = Analyzer::embedded().with_model(Arc::new(Model {
        provenance: Default::default(),
        weights,
    }));
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(texts.len() as u64));
    for (name, analyzer) in [
        ("analyze_without_model", &plain),
        ("analyze_with_model", &scored),
    ] {
        group.bench_function(name, |b| {
            let mut scratch = Scratch::default();
            b.iter(|| {
                for text in &texts {
                    black_box(analyzer.analyze_with(text, &mut scratch));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

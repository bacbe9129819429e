//! Analysis throughput on realistic mixed chat, beside a raw Aho-Corasick scan of the same
//! bytes as the practical limit. Run with `cargo bench -p menshen-detect --bench analyze`.
//!
//! The corpus is read from `../shared/datasets` (Chinese game chat, Chinese SMS, English SMS),
//! keeping messages of 30–200 characters, interleaved, plus the share-code fixtures; set
//! `MENSHEN_SHARED` to point elsewhere.

use std::{hint::black_box, path::PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use menshen_detect::{Analyzer, Scratch, lexicon::Lexicon};
use menshen_text::Normalized;

fn shared() -> PathBuf {
    std::env::var_os("MENSHEN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// Up to `limit` texts from the last column of a tab-separated file, 30–200 characters long.
fn texts(path: &str, column: usize, limit: usize) -> Vec<String> {
    let path = shared().join(path);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the benchmark corpus lives in ../shared)",
            path.display()
        )
    });
    source
        .lines()
        .filter_map(|line| line.split('\t').nth(column))
        .filter(|t| (30..=200).contains(&t.chars().count()))
        .take(limit)
        .map(str::to_owned)
        .collect()
}

/// Game chat, Chinese SMS and English SMS interleaved, then the share-code fixtures.
pub fn corpus() -> Vec<String> {
    let sets = [
        texts("datasets/zh_game_chat_ads/train.txt", 1, 4000),
        texts("datasets/zh_sms_mudou/mudou_spam.train", 1, 4000),
        texts("datasets/en_sms_uci/SMSSpamCollection", 1, 2000),
    ];
    let mut corpus = Vec::new();
    for i in 0..sets.iter().map(Vec::len).max().unwrap_or(0) {
        corpus.extend(sets.iter().filter_map(|set| set.get(i).cloned()));
    }
    corpus.extend(texts("fixtures/share_codes.tsv", 2, 100));
    corpus
}

fn bench(c: &mut Criterion) {
    let analyzer = Analyzer::embedded();
    let corpus = corpus();
    let bytes: usize = corpus.iter().map(String::len).sum();

    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("analyze", |b| {
        let mut scratch = Scratch::default();
        b.iter(|| {
            for text in &corpus {
                black_box(analyzer.analyze_with(text, &mut scratch));
            }
        })
    });
    group.bench_function("normalize", |b| {
        let mut norm = Normalized::default();
        b.iter(|| {
            for text in &corpus {
                norm.normalize(text);
                black_box(norm.key().len());
            }
        })
    });
    // The practical limit: one Aho-Corasick pass over the raw bytes with the lexicon's terms,
    // no normalization, no detectors.
    let lexicon = Lexicon::embedded();
    let raw = aho_corasick::AhoCorasick::new(lexicon.terms.iter().map(|t| t.term.as_str()))
        .expect("patterns");
    group.bench_function("aho_corasick_raw_scan", |b| {
        b.iter(|| {
            let mut hits = 0;
            for text in &corpus {
                hits += raw.find_iter(text.as_bytes()).count();
            }
            black_box(hits)
        })
    });
    group.finish();

    let mut large = c.benchmark_group("large_message");
    large.sample_size(10);
    for megabytes in [1usize, 10] {
        let mut text = String::with_capacity(megabytes << 20);
        while text.len() < megabytes << 20 {
            for message in &corpus {
                text.push_str(message);
                text.push('\n');
            }
        }
        large.throughput(Throughput::Bytes(text.len() as u64));
        large.bench_function(format!("analyze_{megabytes}MB"), |b| {
            let mut scratch = Scratch::default();
            b.iter(|| black_box(analyzer.analyze_with(&text, &mut scratch)))
        });
    }
    large.finish();
    eprintln!(
        "corpus: {} messages, {bytes} bytes, {:.1} bytes per message",
        corpus.len(),
        bytes as f64 / corpus.len() as f64
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Analysis throughput on realistic mixed chat, beside a raw Aho-Corasick scan of the same
//! bytes as the practical limit. Run with `cargo bench -p menshen-detect --bench analyze`.
//!
//! The corpus is described in `corpus.rs`.

mod corpus;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use menshen_detect::{Analyzer, Scratch, lexicon::Lexicon};
use menshen_text::Normalized;

fn bench(c: &mut Criterion) {
    let analyzer = Analyzer::embedded();
    let corpus = corpus::corpus();
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

//! What deciding adds to analysis, on the benchmark corpus with the shipped profiles. Run with
//! `cargo bench -p menshen-policy --bench decide`.

#[path = "../../detect/benches/corpus.rs"]
mod corpus;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use menshen_detect::Analyzer;
use menshen_policy::{Policy, Sanctions, Scene, Situation};

fn bench(c: &mut Criterion) {
    let analyzer = Analyzer::embedded();
    let policy = Policy::embedded("wechat");
    let texts = corpus::corpus();
    // Analysis is not measured here: facts are computed once, then decided in every scene.
    let facts: Vec<_> = texts.iter().map(|t| analyzer.analyze(t)).collect();
    let sanctions = Sanctions::default();
    let with_facts = facts
        .iter()
        .filter(|f| {
            !(f.links.is_empty()
                && f.share_codes.is_empty()
                && f.contacts.is_empty()
                && f.terms.is_empty())
        })
        .count();
    eprintln!(
        "{} messages, {with_facts} with at least one fact",
        facts.len()
    );
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(facts.len() as u64));
    for name in ["strict-2018", "open-2021"] {
        let profile = policy.profile(name).expect("shipped");
        group.bench_function(name, |b| {
            b.iter(|| {
                for (i, facts) in facts.iter().enumerate() {
                    let scene = Scene::ALL[i % 4];
                    black_box(policy.decide(profile, facts, Situation::new(scene, &sanctions)));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

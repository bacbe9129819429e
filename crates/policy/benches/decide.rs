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

    // Fan-out of one verdict to a group of 500 members, a third of whom chose plain text.
    use menshen_policy::deliver::{Deliverable, LinkChoice, Preferences, deliver};
    let profile = policy.profile("open-2021").expect("shipped");
    let facts = analyzer
        .analyze("这个不错 https://item.jd.com/100012345678.html 和 https://v.douyin.com/e3md8Sx/");
    let verdict = policy.verdict(
        profile,
        None,
        facts,
        Situation::new(Scene::Group, &sanctions),
    );
    let deliverable = Deliverable::from(&verdict);
    let members: Vec<(String, Preferences)> = (0..500)
        .map(|i| {
            let mut prefs = Preferences::default();
            if i % 3 == 0 {
                prefs
                    .categories
                    .insert("ecommerce".into(), LinkChoice::PlainText);
            }
            (format!("u{i}"), prefs)
        })
        .collect();
    let mut fan_out = c.benchmark_group("deliver");
    fan_out.throughput(Throughput::Elements(500));
    fan_out.bench_function("group_of_500", |b| {
        b.iter(|| {
            black_box(deliver(
                &deliverable,
                &profile.user_choice,
                members.iter().map(|(id, p)| (id.as_str(), p)),
            ))
        })
    });
    fan_out.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

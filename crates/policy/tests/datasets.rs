//! The shipped verdict on the labelled datasets of `../shared/datasets`, which this repository
//! may not carry (their licences do not allow it; see DESIGN and EVALUATION.md). These tests
//! are **ignored** by default, so a clean clone's `cargo test` reports them as ignored, never
//! as passed; `.ci/run`, which has `../shared`, runs them with `--ignored` and fails if the data
//! is missing. `MENSHEN_SHARED` points elsewhere.
//!
//! They guard the figures EVALUATION.md reports against regressions, with some margin: the
//! innocent messages acted on first (accidental injury), then what the verdict withholds. The
//! sets are ones the shipped model never saw, decided whole (deduplicated, texts with both
//! labels dropped), every fourth message to keep a debug build quick.

use std::{collections::HashMap, path::PathBuf};

use menshen_detect::Analyzer;
use menshen_policy::{Policy, Scene, quality};

fn shared() -> PathBuf {
    let dir = std::env::var_os("MENSHEN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        dir.join("datasets").is_dir(),
        "these tests read the labelled datasets in {}/datasets, which are not there: check out \
         the project's shared folder beside this repository, or set MENSHEN_SHARED",
        dir.display()
    );
    dir.join("datasets")
}

/// `label<TAB>text…` lines (label 1 unwanted, 0 innocent), deduplicated, every fourth kept.
fn labelled(file: &str, header: bool) -> Vec<(String, bool)> {
    let path = shared().join(file);
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut labels: HashMap<String, Option<bool>> = HashMap::new();
    let mut order = Vec::new();
    for line in source.lines().skip(usize::from(header)) {
        let mut fields = line.split('\t');
        let (Some(label), Some(text)) = (fields.next(), fields.next()) else {
            continue;
        };
        let unwanted = match label.trim() {
            "1" => true,
            "0" => false,
            _ => continue,
        };
        let text = text.trim().to_owned();
        if text.is_empty() {
            continue;
        }
        match labels.get_mut(&text) {
            None => {
                order.push(text.clone());
                labels.insert(text, Some(unwanted));
            }
            Some(seen) if *seen != Some(unwanted) => *seen = None,
            Some(_) => {}
        }
    }
    order
        .into_iter()
        .filter_map(|text| labels[&text].map(|unwanted| (text, unwanted)))
        .step_by(4)
        .collect()
}

/// The shipped default profile's verdicts on a set.
fn measured(examples: &[(String, bool)]) -> quality::Quality {
    let policy = Policy::embedded("wechat");
    let analyzer = Analyzer::embedded();
    let profile = policy.select(None, None).expect("the default profile");
    quality::measure(
        &policy,
        profile,
        &analyzer,
        examples.iter().map(|(t, u)| (t.as_str(), *u)),
    )
}

struct Floors {
    /// The most innocent messages moments may act on, as a share.
    innocent_acted: f64,
    /// The most innocent messages that may earn a strike in any scene, as a share.
    innocent_struck: f64,
    /// The least share of unwanted messages moments must withhold.
    withheld_recall: f64,
}

fn check(name: &str, examples: &[(String, bool)], floors: Floors) {
    let innocent = examples.iter().filter(|(_, u)| !u).count();
    let unwanted = examples.len() - innocent;
    assert!(
        innocent >= 200 && unwanted >= 200,
        "{name}: too few messages ({innocent} innocent, {unwanted} unwanted)"
    );
    let quality = measured(examples);
    let moments = quality.scene(Scene::Moment);
    println!("{name}: {} messages\n{quality}", examples.len());
    assert!(
        moments.innocent_acted_rate() <= floors.innocent_acted,
        "{name}: moments act on {} of {innocent} innocent messages\n{quality}",
        moments.acted_innocent
    );
    for counts in &quality.scenes {
        assert!(
            counts.innocent_struck as f64 <= floors.innocent_struck * innocent as f64,
            "{name}: {} innocent messages struck\n{quality}",
            counts.innocent_struck
        );
    }
    assert!(
        moments.withheld_recall() >= floors.withheld_recall,
        "{name}: moments withhold {} of {unwanted} unwanted messages\n{quality}",
        moments.withheld_unwanted
    );
}

#[test]
#[ignore = "reads ../shared/datasets; run by .ci/run with --ignored"]
fn game_chat_as_shipped() {
    // EVALUATION.md, dev split: 0.40% innocent acted on, 1 struck, recall 0.029. Most of what
    // is acted on is an offer the set's labels do not count (they mark game-currency ads).
    let examples = labelled("zh_game_chat_ads/train.txt", true);
    check(
        "game chat",
        &examples,
        Floors {
            innocent_acted: 0.008,
            innocent_struck: 0.001,
            withheld_recall: 0.02,
        },
    );
}

#[test]
#[ignore = "reads ../shared/datasets; run by .ci/run with --ignored"]
fn mudou_sms_as_shipped() {
    // EVALUATION.md, dev split: 6.09% innocent acted on (mostly brand promotions that the set
    // calls legitimate), none struck, recall 0.091.
    let examples = labelled("zh_sms_mudou/mudou_spam.train", false);
    check(
        "mudou SMS",
        &examples,
        Floors {
            innocent_acted: 0.08,
            innocent_struck: 0.001,
            withheld_recall: 0.06,
        },
    );
}

#[test]
#[ignore = "reads ../shared/datasets; run by .ci/run with --ignored"]
fn the_datasets_are_where_ci_expects_them() {
    let datasets = shared();
    for set in [
        "zh_game_chat_ads",
        "zh_sms_mudou",
        "en_sms_uci",
        "zh_telecom_fraud_5",
    ] {
        assert!(
            datasets.join(set).is_dir(),
            "{set} is missing from {}",
            datasets.display()
        );
    }
}

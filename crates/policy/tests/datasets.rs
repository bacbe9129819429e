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

/// What the shipped default profile does with links, by their host's spelling and the shipped
/// lists alone: no page is fetched, ever. `direct` is the scene where only sanctions and
/// phishing act, so whatever it does to a link is the phishing judgement's.
#[derive(Default)]
struct LinkVerdicts {
    links: usize,
    warned: usize,
    blocked: usize,
}

impl LinkVerdicts {
    fn acted(&self) -> usize {
        self.warned + self.blocked
    }

    fn rate(&self) -> f64 {
        self.acted() as f64 / self.links.max(1) as f64
    }
}

fn link_verdicts<'a>(urls: impl IntoIterator<Item = &'a str>) -> LinkVerdicts {
    use menshen_policy::{Action, Sanctions, Situation};
    let policy = Policy::embedded("wechat");
    let analyzer = Analyzer::embedded();
    let profile = policy.select(None, None).expect("the default profile");
    let sanctions = Sanctions::default();
    let mut scratch = menshen_detect::Scratch::default();
    let mut verdicts = LinkVerdicts::default();
    for url in urls {
        let facts = analyzer.analyze_with(url, &mut scratch);
        let decision = policy.decide(profile, &facts, Situation::new(Scene::Direct, &sanctions));
        verdicts.links += 1;
        match decision.action {
            Action::Allow => {}
            Action::Block => verdicts.blocked += 1,
            _ => verdicts.warned += 1,
        }
    }
    verdicts
}

/// PhishTank's verified URLs (deduplicated), with the brand each targets (`Other` for none).
fn phishtank() -> Vec<(String, String)> {
    let path = shared().join("urls_phishtank_iscx/phishtank_online-valid_2020-05-09.csv");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for line in source.lines().skip(1) {
        // phish_id,url,phish_detail_url,…,online,target: the URL may be quoted and hold
        // commas, the detail URL never does.
        let Some((_, rest)) = line.split_once(',') else {
            continue;
        };
        let Some(end) = rest.find(",http://www.phishtank.com/phish_detail.php") else {
            continue;
        };
        let url = rest[..end].trim_matches('"').replace("\"\"", "\"");
        let target = line
            .rsplit_once(",yes,")
            .map_or("Other", |(_, t)| t.trim_matches('"'))
            .to_owned();
        if seen.insert(url.clone()) {
            out.push((url, target));
        }
    }
    out
}

#[test]
#[ignore = "reads ../shared/datasets; run by .ci/run with --ignored"]
fn phishing_urls_as_shipped() {
    let phishing = phishtank();
    assert!(phishing.len() > 10_000, "{} phishing URLs", phishing.len());
    let branded: Vec<&str> = phishing
        .iter()
        .filter(|(_, target)| target != "Other")
        .map(|(url, _)| url.as_str())
        .collect();
    let benign_path = shared().join("urls_phishtank_iscx/iscx_url2016_benign.csv");
    let benign_source = std::fs::read_to_string(&benign_path).expect("the benign URL list");
    let benign: std::collections::BTreeSet<String> = benign_source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            if l.contains("://") {
                l.to_owned()
            } else {
                format!("http://{l}")
            }
        })
        .collect();
    let top_path = shared().join("urls_top_sites/top-sites.json");
    let top: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&top_path).expect("the top sites"))
            .expect("top-sites.json is a JSON list");
    let top: Vec<String> = top
        .iter()
        .filter_map(|site| site["rootDomain"].as_str())
        .map(|domain| format!("https://{domain}/"))
        .collect();
    assert_eq!(top.len(), 500);

    let all = link_verdicts(phishing.iter().map(|(url, _)| url.as_str()));
    let brands = link_verdicts(branded.iter().copied());
    let innocent = link_verdicts(benign.iter().map(String::as_str));
    let popular = link_verdicts(top.iter().map(String::as_str));
    println!("| set | links | warned | blocked | acted on |");
    println!("|---|---:|---:|---:|---:|");
    for (name, v) in [
        ("PhishTank, all (recall)", &all),
        ("PhishTank, a named brand targeted (recall)", &brands),
        ("ISCX-URL-2016 benign (accidental injury)", &innocent),
        ("top sites (accidental injury)", &popular),
    ] {
        println!(
            "| {name} | {} | {} | {} | {:.2}% |",
            v.links,
            v.warned,
            v.blocked,
            100.0 * v.rate()
        );
    }
    // Accidental injury first: at most one benign link in a thousand, no popular site.
    assert!(
        innocent.rate() <= 0.001,
        "{} of {} benign links acted on",
        innocent.acted(),
        innocent.links
    );
    assert_eq!(popular.acted(), 0, "popular sites acted on");
    assert!(all.rate() >= 0.03, "phishing recall {:.3}", all.rate());
    assert!(
        brands.rate() >= 0.03,
        "branded phishing recall {:.3}",
        brands.rate()
    );
}

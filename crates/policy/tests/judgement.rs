//! Content judgement at the level of the verdict, with the shipped model, lexicons and
//! profiles: innocent messages first (accidental injury), then unwanted offers.
//!
//! `fixtures/innocent/` is the project's own corpus of innocent messages (everyday chat, money
//! talk, anti-fraud warnings, product and game talk, news, English); `fixtures/unwanted/` its
//! own unwanted offers, one or more per content category.

use menshen_detect::Analyzer;
use menshen_policy::{Action, Policy, Sanctions, Scene, Situation, quality};

const INNOCENT: [(&str, &str); 6] = [
    ("everyday", include_str!("fixtures/innocent/everyday.txt")),
    ("money", include_str!("fixtures/innocent/money.txt")),
    ("warnings", include_str!("fixtures/innocent/warnings.txt")),
    (
        "products_games",
        include_str!("fixtures/innocent/products_games.txt"),
    ),
    ("news", include_str!("fixtures/innocent/news.txt")),
    ("english", include_str!("fixtures/innocent/english.txt")),
];

const UNWANTED: &str = include_str!("fixtures/unwanted/offers.tsv");

/// The most innocent messages any scene may act on: 0.5%, as DESIGN.md §8 budgets.
const INNOCENT_CEILING: f64 = 0.005;

fn lines(source: &str) -> impl Iterator<Item = &str> {
    source
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

fn innocent() -> Vec<&'static str> {
    INNOCENT
        .iter()
        .flat_map(|(_, source)| lines(source))
        .collect()
}

#[test]
fn the_innocent_corpus_is_large_enough_to_mean_something() {
    assert!(innocent().len() >= 300, "{}", innocent().len());
}

#[test]
fn innocent_messages_are_left_alone_in_every_scene_and_never_struck() {
    let policy = Policy::embedded("wechat");
    let analyzer = Analyzer::embedded();
    for profile in policy.profiles() {
        let measured = quality::measure(
            &policy,
            profile,
            &analyzer,
            innocent().into_iter().map(|t| (t, false)),
        );
        for (scene, counts) in Scene::ALL.iter().zip(&measured.scenes) {
            assert!(
                counts.innocent_acted_rate() <= INNOCENT_CEILING,
                "{} in {}: {} of {} innocent messages acted on\n{measured}",
                profile.name,
                scene.as_str(),
                counts.acted_innocent,
                counts.innocent
            );
            assert_eq!(counts.innocent_struck, 0, "{}\n{measured}", profile.name);
        }
    }
}

/// The defects this work set out to fix: money talk and warnings were blocked as fraud
/// scripts with two strikes.
#[test]
fn money_talk_and_anti_fraud_warnings_are_never_refused_or_struck() {
    let policy = Policy::embedded("wechat");
    let profile = policy.select(None, None).unwrap();
    let analyzer = Analyzer::embedded();
    let sanctions = Sanctions::default();
    for text in [
        "陌生人让你把钱转到安全账户，一律是诈骗",
        "警方提醒：公检法机关不会通过电话办案，更没有所谓的安全账户",
        "房东说押金下周退，我先垫付了水电费",
        "租房的保证金交了，押一付三",
        "我把押金转账到你微信了，你查收一下",
        "产权保证，金融机构担保",
        "这款游戏的复刻活动下周开始",
        "这个原单价是多少？我想对一下账",
        "That site selling replica watches is a scam, the reviews are fake",
    ] {
        let facts = analyzer.analyze(text);
        for scene in Scene::ALL {
            let decision = policy.decide(profile, &facts, Situation::new(scene, &sanctions));
            assert_eq!(
                decision.action,
                Action::Allow,
                "{text} in {}: {:?}",
                scene.as_str(),
                decision.reasons
            );
        }
    }
}

#[test]
fn unwanted_offers_are_withheld_in_moments_and_warned_in_chats() {
    let policy = Policy::embedded("wechat");
    let profile = policy.select(None, None).unwrap();
    let analyzer = Analyzer::embedded();
    let sanctions = Sanctions::default();
    let mut missed = Vec::new();
    let mut total = 0;
    for row in lines(UNWANTED) {
        let (category, text) = row.split_once('\t').expect("category<TAB>text");
        let facts = analyzer.analyze(text);
        total += 1;
        let moment = policy.decide(profile, &facts, Situation::new(Scene::Moment, &sanctions));
        let direct = policy.decide(profile, &facts, Situation::new(Scene::Direct, &sanctions));
        if moment.action < Action::Hide || direct.action < Action::Warn {
            missed.push(format!(
                "{category}: {text} → moment {:?}, direct {:?}, scores {:?}",
                moment.action, direct.action, facts.scores
            ));
            continue;
        }
        // A warning says why to the recipient; a withheld reason cites its evidence.
        if direct.action == Action::Warn {
            assert!(direct.notice().is_some_and(|n| !n.is_empty()), "{text}");
        }
        let reason = &moment.reasons[0];
        assert!(
            !reason.signals.is_empty() && !reason.evidence.is_empty(),
            "{text}: {reason:?}"
        );
    }
    // Precision comes first, so a few hard offers may pass; most must not.
    assert!(
        missed.len() * 5 <= total,
        "{} of {total} offers missed:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

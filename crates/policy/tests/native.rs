//! Native predicates decide as CEL does: every message, scene, sanctions snapshot and standing
//! below is decided both ways and the decisions must be equal, field for field.

use menshen_detect::Analyzer;
use menshen_policy::{Evaluation, Policy, Profile, Sanctions, Scene, Situation, Standing};

/// Messages that reach every shipped rule: their own examples and cases, the innocent
/// fixtures, and links and share codes of each kind.
fn messages(policy: &Policy) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    for profile in policy.profiles() {
        for rule in &profile.rules {
            texts.extend(rule.examples.iter().map(|e| e.text.clone()));
        }
        texts.extend(profile.cases.iter().map(|c| c.text.clone()));
    }
    let innocent = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/innocent");
    for entry in std::fs::read_dir(innocent).expect("fixtures") {
        let source = std::fs::read_to_string(entry.expect("entry").path()).expect("text");
        texts.extend(
            source
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned),
        );
    }
    texts.extend(
        [
            "看看 https://item.taobao.com/item.htm?id=1 和 https://item.jd.com/2.html",
            "点这里 https://bit.ly/3abc 领红包",
            "discord nitro free https://discord-nitro-gift.ru/claim",
            "赌场 https://888casino.com 注册送彩金",
            "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】即可查看",
            "9.99 复制打开抖音，看看【小王的作品】 https://v.douyin.com/e3md8Sx/",
            "加微信 wx12345678 低价出售高仿名表",
            "http://192.168.1.1/login 和 https://evil.top/a",
            "代开发票 代办证件 13800138000",
            "",
        ]
        .map(str::to_owned),
    );
    texts
}

/// Sanction snapshots: none, and one sanctioning every link's domain and share code's app.
fn sanctions(facts: &menshen_detect::Facts) -> [Sanctions; 2] {
    let mut all = Sanctions::default();
    for link in &facts.links {
        all.domains
            .insert(link.domain.clone().unwrap_or_else(|| link.host.clone()));
        all.apps.extend(link.platform.clone());
    }
    all.apps
        .extend(facts.share_codes.iter().map(|c| c.platform.clone()));
    [Sanctions::default(), all]
}

fn standings() -> [Option<Standing>; 3] {
    [
        None,
        Some(Standing::default()),
        Some(Standing {
            strikes: 3,
            restrictions: vec!["share_codes".into(), "links_in_moments".into()],
            account_age_days: Some(2),
            ..Standing::default()
        }),
    ]
}

/// Decide every message every way under `profile`; returns how many decisions acted.
fn agree(policy: &Policy, profile: &Profile, analyzer: &Analyzer, texts: &[String]) -> usize {
    let mut acted = 0;
    for text in texts {
        let full = analyzer.analyze(text);
        // As an analyzer with other lexicons would see it: no scores at all.
        let scoreless = menshen_detect::Facts {
            scores: Default::default(),
            ..full.clone()
        };
        for facts in [&full, &scoreless] {
            for sanctions in &sanctions(facts) {
                for standing in &standings() {
                    for scene in Scene::ALL {
                        let mut situation = Situation::new(scene, sanctions);
                        if let Some(standing) = standing {
                            situation = situation.with_standing(standing);
                        }
                        let native =
                            policy.decide_by(profile, facts, situation, Evaluation::Native);
                        let cel = policy.decide_by(profile, facts, situation, Evaluation::Cel);
                        assert_eq!(
                            native, cel,
                            "{} in {scene:?} with {sanctions:?} and {standing:?}: \"{text}\"",
                            profile.name
                        );
                        acted += usize::from(
                            !native.reasons.is_empty() || !native.link_actions.is_empty(),
                        );
                    }
                }
            }
        }
    }
    acted
}

#[test]
fn every_shipped_rule_is_native() {
    let policy = Policy::embedded("wechat");
    for profile in policy.profiles() {
        for rule in &profile.rules {
            assert!(
                rule.is_native(),
                "{} / {} runs in CEL",
                profile.name,
                rule.id
            );
        }
    }
}

#[test]
fn native_and_cel_decide_the_shipped_profiles_alike() {
    let policy = Policy::embedded("wechat");
    let analyzer = Analyzer::embedded();
    let texts = messages(&policy);
    for profile in policy.profiles() {
        let acted = agree(&policy, profile, &analyzer, &texts);
        // The comparison is only worth something if the rules fire.
        assert!(
            acted > 100,
            "{}: only {acted} decisions acted",
            profile.name
        );
    }
}

/// An operator's profile with the shapes the shipped ones do not use, and conditions the
/// predicates cannot decide on some messages (a score the facts do not carry): those fall
/// back to CEL, error and all.
#[test]
fn native_and_cel_decide_other_shapes_alike() {
    let mut files = menshen_policy::embedded_files();
    files.push((
        "shapes.toml".into(),
        r#"
name = "shapes"
effective = "2030-01-01T00:00:00Z"
fail_closed = true

[flags]
on = true

[thresholds]
low = 0.2

[[rule]]
id = "per-link-host"
description = "A per-link rule reading the link's host and platform."
target = "link"
when = 'link.host == "item.jd.com" || (link.platform == "taobao" && !link.obfuscated)'
action = "plain_text"
message = "x"

[[rule]]
id = "missing-score"
description = "A score an analyzer without that lexicon does not carry: an error where it is missing."
requires = ["links"]
when = 'scores.loan >= thresholds.low'
action = "hold"
message = "x"

[[rule]]
id = "share-code-kind"
description = "Share codes by kind and platform, beside a flag."
requires = ["share_codes"]
when = 'flags.on && share_codes.exists(c, c.kind == "password" && c.platform != "wechat")'
action = "hide"
message = "x"

[[rule]]
id = "scores-mixed"
description = "Scores against literals in both orders, and a scene set."
requires = ["scores", "terms"]
when = '0.3 < scores.spam && (scene in ["group", "moment"] || scores.fraud <= 0.99)'
action = "warn"
message = "x"

[[rule]]
id = "cel-only"
description = "A shape the predicates do not have: always CEL."
requires = ["terms"]
when = 'terms.exists(t, t.disguised) || sender.strikes > 2'
action = "warn"
message = "x"
"#
        .into(),
    ));
    let policy = Policy::load(&files, "wechat").expect("valid");
    let profile = policy.profile("shapes").expect("loaded");
    let native: Vec<bool> = profile.rules.iter().map(|r| r.is_native()).collect();
    assert_eq!(native, [true, true, true, true, false]);
    let analyzer = Analyzer::embedded();
    let acted = agree(&policy, profile, &analyzer, &messages(&policy));
    assert!(acted > 100, "only {acted} decisions acted");
}

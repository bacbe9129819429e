//! Shadow rules and profiles: evaluated and reported, never acted on.

use menshen_detect::Analyzer;
use menshen_policy::{Action, Policy, Sanctions, Scene, Situation};

fn load(extra: &str) -> Policy {
    let mut files: Vec<(String, String)> = menshen_policy::EMBEDDED
        .iter()
        .map(|(o, s)| ((*o).to_owned(), (*s).to_owned()))
        .collect();
    files.push(("candidate.toml".into(), extra.into()));
    Policy::load(&files, "wechat").expect("valid")
}

#[test]
fn a_shadow_rule_is_reported_but_does_not_act() {
    let policy = load(
        r#"
name = "candidate"
effective = "2030-01-01T00:00:00Z"
extends = "open-2021"

[[rule]]
id = "any-contact-in-moment"
description = "Trial: hold every contact in moments."
requires = ["contacts"]
when = 'scene == "moment"'
action = "hold"
message = "contacts are reviewed"
shadow = true
"#,
    );
    let facts = Analyzer::embedded().analyze("有事联系我 138 0013 8000");
    let profile = policy.profile("candidate").unwrap();
    let decision = policy.decide(
        profile,
        &facts,
        Situation {
            scene: Scene::Moment,
            sanctions: &Sanctions::default(),
        },
    );
    assert_eq!(decision.action, Action::Allow);
    assert!(decision.reasons.is_empty());
    assert_eq!(decision.shadow.len(), 1);
    assert_eq!(
        (decision.shadow[0].rule.as_str(), decision.shadow[0].action),
        ("any-contact-in-moment", Action::Hold)
    );
    assert_eq!(
        decision.shadow[0].evidence.len(),
        1,
        "shadow reasons carry evidence too"
    );
}

#[test]
fn a_shadow_profile_never_changes_an_action() {
    let policy = load(
        r#"
name = "candidate"
effective = "2030-01-01T00:00:00Z"
extends = "open-2021"
shadow = true
"#,
    );
    let profile = policy.profile("candidate").unwrap();
    let facts = Analyzer::embedded().analyze("复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】即可查看");
    let decision = policy.decide(
        profile,
        &facts,
        Situation {
            scene: Scene::Moment,
            sanctions: &Sanctions::default(),
        },
    );
    assert_eq!(decision.action, Action::Allow);
    assert!(
        decision
            .shadow
            .iter()
            .any(|r| r.rule == "share-code-in-moment" && r.action == Action::Hide)
    );
}

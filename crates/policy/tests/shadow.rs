//! Shadow rules and profiles: evaluated and reported, never acted on.

use menshen_detect::Analyzer;
use menshen_policy::{Action, Policy, Sanctions, Scene, Situation};

fn load(extra: &str) -> Policy {
    let mut files: Vec<(String, String)> = menshen_policy::embedded_files();
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
        Situation::new(Scene::Moment, &Sanctions::default()),
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
        Situation::new(Scene::Moment, &Sanctions::default()),
    );
    assert_eq!(decision.action, Action::Allow);
    assert!(
        decision
            .shadow
            .iter()
            .any(|r| r.rule == "share-code-in-moment" && r.action == Action::Hide)
    );
}

#[test]
fn rules_read_the_senders_standing_and_signals() {
    let policy = load(
        r#"
name = "candidate"
effective = "2030-01-01T00:00:00Z"
extends = "open-2021"

[[rule]]
id = "new-account-link-in-group"
description = "Links from accounts under a week old, or with strikes, wait for review in groups."
requires = ["links"]
when = 'scene == "group" && ((sender.account_age_days >= 0 && sender.account_age_days < 7) || sender.strikes >= 2 || ("campaign" in signals && signals.campaign > 0.8))'
action = "hold"
message = "links from new or flagged accounts are reviewed"
"#,
    );
    let profile = policy.profile("candidate").unwrap();
    let facts = Analyzer::embedded().analyze("看看 https://example.com/a");
    let sanctions = Sanctions::default();
    let decide = |standing: &menshen_policy::Standing| {
        policy
            .decide(
                profile,
                &facts,
                Situation::new(Scene::Group, &sanctions).with_standing(standing),
            )
            .action
    };
    let mut standing = menshen_policy::Standing::default();
    assert_eq!(decide(&standing), Action::Allow, "unknown age is not new");
    standing.account_age_days = Some(3);
    assert_eq!(decide(&standing), Action::Hold);
    standing.account_age_days = Some(300);
    standing.signals.insert("campaign".into(), 0.9);
    assert_eq!(decide(&standing), Action::Hold);
    standing.signals.clear();
    standing.strikes = 2;
    assert_eq!(decide(&standing), Action::Hold);
    assert_eq!(
        policy
            .decide(profile, &facts, Situation::new(Scene::Group, &sanctions))
            .action,
        Action::Allow,
        "no standing known"
    );
}

#[test]
fn reading_a_signal_without_testing_for_it_is_a_load_error() {
    let mut files: Vec<(String, String)> = menshen_policy::embedded_files();
    files.push((
        "c.toml".into(),
        "name = \"c\"\neffective = \"2030-01-01T00:00:00Z\"\n[[rule]]\nid = \"r\"\ndescription = \"d\"\nwhen = 'signals.campaign > 0.5'\naction = \"hold\"\nmessage = \"m\"\n".into(),
    ));
    let errors: Vec<String> = Policy::load(&files, "wechat")
        .unwrap_err()
        .0
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(errors[0].contains("campaign"), "{errors:?}");
}

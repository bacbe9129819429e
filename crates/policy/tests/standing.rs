//! The sender's standing in decisions: a restricted function is refused, and the reason says
//! until when.

use std::collections::BTreeMap;

use menshen_detect::Analyzer;
use menshen_i18n::Locale;
use menshen_policy::{Action, Policy, Sanctions, Scene, Situation, Standing};

const SHARE: &str = "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】即可查看";

fn decide(scene: Scene, standing: Option<&Standing>) -> menshen_policy::Decision {
    decide_in(scene, standing, Locale::En)
}

fn decide_in(
    scene: Scene,
    standing: Option<&Standing>,
    locale: Locale,
) -> menshen_policy::Decision {
    let policy = Policy::embedded("wechat");
    let profile = policy.profile("open-2021").unwrap();
    let facts = Analyzer::embedded().analyze(SHARE);
    let sanctions = Sanctions::default();
    let situation = Situation::new(scene, &sanctions).in_locale(locale);
    let situation = match standing {
        Some(s) => situation.with_standing(s),
        None => situation,
    };
    policy.decide(profile, &facts, situation)
}

#[test]
fn a_restricted_function_is_refused_with_its_end() {
    let standing = Standing {
        restrictions: vec!["share_codes".into()],
        until: BTreeMap::from([("share_codes".into(), "2026-11-22T08:00:00Z".into())]),
        ..Standing::default()
    };
    let decision = decide(Scene::Direct, Some(&standing));
    assert_eq!(decision.action, Action::Block);
    let reason = &decision.reasons[0];
    assert_eq!(reason.rule, "restricted-share-codes");
    assert_eq!(
        reason.message,
        "you cannot post share codes until 2026-11-22T08:00:00Z"
    );
    // The platform's own language, the default, says the same.
    let chinese = decide_in(Scene::Direct, Some(&standing), Locale::ZhCn);
    assert_eq!(chinese.reasons[0].rule, "restricted-share-codes");
    assert_eq!(
        chinese.reasons[0].message,
        "你暂时不能发布分享口令，直至2026-11-22T08:00:00Z"
    );
}

#[test]
fn a_restriction_without_an_end_reads_until_further_notice() {
    let standing = Standing {
        restrictions: vec!["share_codes".into()],
        ..Standing::default()
    };
    let decision = decide(Scene::Group, Some(&standing));
    assert_eq!(
        decision.reasons[0].message,
        "you cannot post share codes until further notice"
    );
    let chinese = decide_in(Scene::Group, Some(&standing), Locale::ZhCn);
    assert_eq!(
        chinese.reasons[0].message,
        "你暂时不能发布分享口令，直至另行通知"
    );
}

#[test]
fn without_a_restriction_share_codes_pass_in_chats() {
    assert_eq!(decide(Scene::Direct, None).action, Action::Allow);
    let unrelated = Standing {
        restrictions: vec!["add_friends".into()],
        strikes: 3,
        ..Standing::default()
    };
    assert_eq!(
        decide(Scene::Direct, Some(&unrelated)).action,
        Action::Allow
    );
}

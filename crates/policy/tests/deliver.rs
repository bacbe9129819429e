//! Per-recipient rendering of one verdict with recipients' link choices.

use std::collections::HashSet;

use menshen_detect::Analyzer;
use menshen_policy::{
    Policy, Sanctions, Scene, Situation,
    deliver::{Deliverable, LinkChoice, Preferences, deliver},
};

fn decide(profile: &str, scene: Scene, text: &str) -> (menshen_policy::Verdict, HashSet<String>) {
    let policy = Policy::embedded("wechat");
    let profile = policy.profile(profile).unwrap();
    let facts = Analyzer::embedded().analyze(text);
    let verdict = policy.verdict(
        profile,
        None,
        facts,
        Situation::new(scene, &Sanctions::default()),
    );
    (verdict, profile.user_choice.clone())
}

fn prefs(category: Option<LinkChoice>, domain: Option<(&str, LinkChoice)>) -> Preferences {
    let mut prefs = Preferences::default();
    if let Some(choice) = category {
        prefs.categories.insert("ecommerce".into(), choice);
    }
    if let Some((domain, choice)) = domain {
        prefs.domains.insert(domain.into(), choice);
    }
    prefs
}

const SHOP: &str = "这个不错 https://item.jd.com/100012345678.html";

#[test]
fn a_choice_can_always_make_delivery_stricter() {
    let (verdict, choice) = decide("open-2021", Scene::Direct, SHOP);
    let (strict, none) = (prefs(Some(LinkChoice::Hide), None), Preferences::default());
    let out = deliver(
        &Deliverable::from(&verdict),
        &choice,
        [("strict", &strict), ("none", &none)],
    );
    assert_eq!(
        (out[0].links[0].rendering, out[0].links[0].by_choice),
        (LinkChoice::Hide, true)
    );
    assert_eq!(
        (out[1].links[0].rendering, out[1].links[0].by_choice),
        (LinkChoice::Open, false)
    );
}

#[test]
fn a_choice_loosens_only_categories_the_profile_leaves_to_users() {
    let open = prefs(Some(LinkChoice::Open), None);
    // strict-2018 has no user choice: plain text stays plain text.
    let (verdict, choice) = decide("strict-2018", Scene::Group, SHOP);
    assert_eq!(
        deliver(&Deliverable::from(&verdict), &choice, [("u", &open)])[0].links[0].rendering,
        LinkChoice::PlainText
    );
    // open-2021 leaves e-commerce to users: plain text in moments becomes open for them.
    let (verdict, choice) = decide("open-2021", Scene::Moment, SHOP);
    assert_eq!(verdict.action, menshen_policy::Action::PlainText);
    let out = deliver(&Deliverable::from(&verdict), &choice, [("u", &open)]);
    assert_eq!(
        (out[0].links[0].rendering, out[0].links[0].by_choice),
        (LinkChoice::Open, true)
    );
}

#[test]
fn messages_that_are_not_delivered_stay_undelivered() {
    let open = Preferences {
        default: Some(LinkChoice::Open),
        ..Preferences::default()
    };
    let (verdict, choice) = decide(
        "open-2021",
        Scene::Moment,
        "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】 https://item.jd.com/1.html",
    );
    assert_eq!(verdict.action, menshen_policy::Action::Hide);
    let out = deliver(&Deliverable::from(&verdict), &choice, [("u", &open)]);
    assert!(!out[0].delivered && out[0].links.is_empty());
}

#[test]
fn a_domain_choice_beats_a_category_choice_and_warn_carries_a_notice() {
    let mixed = prefs(Some(LinkChoice::Ask), Some(("jd.com", LinkChoice::Hide)));
    let (verdict, choice) = decide(
        "open-2021",
        Scene::Direct,
        "高仿包包 加V❤ abc1234 https://item.jd.com/1.html https://item.taobao.com/item.htm?id=1",
    );
    assert_eq!(verdict.action, menshen_policy::Action::Warn);
    let out = deliver(&Deliverable::from(&verdict), &choice, [("u", &mixed)]);
    assert!(out[0].notice);
    let renderings: Vec<LinkChoice> = out[0].links.iter().map(|l| l.rendering).collect();
    assert_eq!(renderings, [LinkChoice::Hide, LinkChoice::Ask]);
}

#[test]
fn a_group_of_500_gets_500_renderings() {
    let (verdict, choice) = decide("open-2021", Scene::Group, SHOP);
    let members: Vec<(String, Preferences)> = (0..500)
        .map(|i| {
            (
                format!("u{i}"),
                if i % 3 == 0 {
                    prefs(Some(LinkChoice::PlainText), None)
                } else {
                    Preferences::default()
                },
            )
        })
        .collect();
    let out = deliver(
        &Deliverable::from(&verdict),
        &choice,
        members.iter().map(|(id, p)| (id.as_str(), p)),
    );
    assert_eq!(out.len(), 500);
    assert_eq!(
        out.iter()
            .filter(|d| d.links[0].rendering == LinkChoice::PlainText)
            .count(),
        167
    );
    assert_eq!(out[499].recipient, "u499");
}

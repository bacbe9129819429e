//! Rules about one link (`target = "link"`): the link gets its own action, the message keeps its.

use menshen_detect::Analyzer;
use menshen_policy::{Action, Policy, Sanctions, Scene, Situation};

#[test]
fn a_link_rule_acts_on_that_link_only() {
    let mut files: Vec<(String, String)> = menshen_policy::embedded_files();
    files.push((
        "links.toml".into(),
        r#"
name = "per-link"
effective = "2030-01-01T00:00:00Z"

[[rule]]
id = "foreign-shop-link-as-text"
description = "Another platform's shop links are plain text; the rest of the message is delivered."
target = "link"
when = 'link.category == "ecommerce" && link.foreign'
action = "plain_text"
message = "shopping links of other platforms open in a browser"

[[rule.example]]
text = "文章 https://mp.weixin.qq.com/s/abc 和 商品 https://item.jd.com/1.html"
"#
        .into(),
    ));
    let policy = Policy::load(&files, "wechat").expect("valid");
    let profile = policy.profile("per-link").unwrap();
    let text = "文章 https://mp.weixin.qq.com/s/abc 和 商品 https://item.jd.com/1.html";
    let facts = Analyzer::embedded().analyze(text);
    assert_eq!(facts.links.len(), 2);
    let decision = policy.decide(
        profile,
        &facts,
        Situation::new(Scene::Group, &Sanctions::default()),
    );
    assert_eq!(
        decision.action,
        Action::Allow,
        "the message itself is delivered"
    );
    assert_eq!(
        decision.link_actions.len(),
        1,
        "{:?}",
        decision.link_actions
    );
    let link_action = &decision.link_actions[0];
    assert_eq!(
        (
            link_action.link,
            link_action.action,
            link_action.rule.as_str()
        ),
        (1, Action::PlainText, "foreign-shop-link-as-text")
    );
    assert_eq!(
        &text[link_action.span.start..link_action.span.end],
        "https://item.jd.com/1.html"
    );
    let report = menshen_policy::testing::run(&policy, &Analyzer::embedded(), &[profile]);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
}

#[test]
fn a_link_rule_that_reads_link_in_a_message_rule_is_an_error() {
    let source = r#"
name = "broken"
effective = "2030-01-01T00:00:00Z"

[[rule]]
id = "r"
description = "d"
when = 'link.foreign'
action = "hide"
message = "m"
"#;
    let errors = Policy::load(&[("b.toml".into(), source.into())], "wechat")
        .unwrap_err()
        .0;
    assert!(
        errors[0]
            .to_string()
            .starts_with("b.toml:8:9: rule `r` cannot be evaluated")
            && errors[0].message.contains("link"),
        "{errors:?}"
    );
}

#[test]
fn a_domain_sanction_never_covers_an_ip_address() {
    // A store written before hosts were read by the WHATWG rules may hold `3.4` as a domain;
    // it must not block every address ending in .3.4.
    let policy = Policy::embedded("wechat");
    let profile = policy.profile("open-2021").unwrap();
    let analyzer = Analyzer::embedded();
    let sanctions = Sanctions {
        domains: ["3.4".to_owned(), "scam.top".to_owned()].into(),
        ..Sanctions::default()
    };
    let decide = |text: &str| {
        policy
            .decide(
                profile,
                &analyzer.analyze(text),
                Situation::new(Scene::Direct, &sanctions),
            )
            .action
    };
    assert_eq!(decide("http://1.2.3.4/"), Action::Allow);
    assert_eq!(
        decide("http://a.scam.top/x"),
        Action::Block,
        "the guard still blocks domains"
    );
}

//! The shipped profiles: their own examples and cases, and DESIGN.md §7 cell by cell in
//! several phrasings.

use menshen_detect::Analyzer;
use menshen_policy::{Action, Policy, Sanctions, Scene, Situation, testing};

fn policy() -> Policy {
    Policy::embedded("wechat")
}

#[test]
fn every_rule_example_and_profile_case_passes() {
    let report = testing::run(&policy(), &Analyzer::embedded(), &[]);
    let failures: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(
        report.passed >= 40,
        "only {} examples and cases ran",
        report.passed
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One row of DESIGN.md §7: phrasings, and the action per scene (direct, group, moment, comment).
struct Row {
    name: &'static str,
    texts: &'static [&'static str],
    sanctioned_domains: &'static [&'static str],
    strict_2018: [Action; 4],
    open_2021: [Action; 4],
}

use Action::{Allow, Block, Hide, Hold, PlainText, Warn};

const ROWS: &[Row] = &[
    Row {
        name: "third-party share code",
        texts: &[
            "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】即可查看",
            // A link-first share text also carries an e-commerce link, which the link row
            // governs (strictest wins); this row is about the codes themselves.
            "￥VBY2G6XMu8Dy7T% 复制后打开京东APP",
            "6.97 复制此鏈接，打开Dou音搜索 https://v.douyin.com/e3md8Sx/",
            "某某发布了一篇小红书笔记 😆 ky6HepJZ9zuPsUM 😆 http://xhslink.com/Q6nfHx，复制本条信息，打开【小红书】App",
        ],
        sanctioned_domains: &[],
        strict_2018: [Allow, Allow, Hide, Allow],
        open_2021: [Allow, Allow, Hide, Allow],
    },
    Row {
        name: "e-commerce link of another platform",
        texts: &[
            "这个不错 https://item.jd.com/100012345678.html",
            "看看这件 https://item.taobao.com/item.htm?id=123456",
            "拼单吗 mobile.yangkeduo.com/goods.html?goods_id=123456",
        ],
        sanctioned_domains: &[],
        strict_2018: [PlainText, PlainText, Hide, PlainText],
        open_2021: [Allow, Allow, PlainText, Allow],
    },
    Row {
        name: "link to a sanctioned domain",
        texts: &[
            "看这个 https://win.scam-prizes.top/prize",
            "领奖 scam-prizes.top/claim?id=1",
            "点这里 http://scam-prizes.top",
        ],
        sanctioned_domains: &["scam-prizes.top"],
        strict_2018: [Block; 4],
        open_2021: [Block; 4],
    },
    Row {
        name: "plain chat",
        texts: &[
            "晚上一起吃饭吗？我七点下班",
            "See you at 7, bring the book",
            "原单位的同事明天聚餐",
            "wifi密码是 Abc12345678 别告诉别人",
        ],
        sanctioned_domains: &[],
        strict_2018: [Allow; 4],
        open_2021: [Allow; 4],
    },
    Row {
        name: "counterfeit offer",
        texts: &[
            "高仿包包 原单品质 加V❤ abc1234",
            "顶级复刻手表 要的加微信 watch_8888",
            "A货名牌鞋 批发 电话 138 0013 8000",
        ],
        sanctioned_domains: &[],
        strict_2018: [Warn, Warn, Hold, Warn],
        open_2021: [Warn, Warn, Hold, Warn],
    },
    Row {
        name: "fraud script",
        texts: &[
            "您的账户涉嫌洗钱，请立即将资金转入安全账户配合调查",
            "我是公检法的，你涉嫌洗钱，需要配合调查",
        ],
        sanctioned_domains: &[],
        strict_2018: [Block; 4],
        open_2021: [Block; 4],
    },
];

#[test]
fn design_section_7_every_cell() {
    let policy = policy();
    let analyzer = Analyzer::embedded();
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in ROWS {
        let sanctions = Sanctions {
            domains: row
                .sanctioned_domains
                .iter()
                .map(|d| (*d).to_owned())
                .collect(),
            ..Sanctions::default()
        };
        for (profile_name, expected) in [
            ("strict-2018", row.strict_2018),
            ("open-2021", row.open_2021),
        ] {
            let profile = policy.profile(profile_name).expect("shipped");
            for text in row.texts {
                let facts = analyzer.analyze(text);
                for (scene, want) in Scene::ALL.into_iter().zip(expected) {
                    let got = policy.decide(profile, &facts, Situation::new(scene, &sanctions));
                    checked += 1;
                    if got.action != want {
                        failures.push(format!(
                            "{} / {profile_name} / {}: {text}\n    want {want:?}, got {:?} {:?}",
                            row.name,
                            scene.as_str(),
                            got.action,
                            got.reasons
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(
        checked,
        ROWS.iter().map(|r| r.texts.len() * 8).sum::<usize>()
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn profiles_are_chosen_by_name_or_by_date() {
    let policy = policy();
    let at = |t: &str| Some(t.parse().unwrap());
    assert_eq!(
        policy
            .select(None, at("2019-03-01T00:00:00Z"))
            .unwrap()
            .name,
        "strict-2018"
    );
    assert_eq!(
        policy
            .select(None, at("2021-09-16T15:59:59Z"))
            .unwrap()
            .name,
        "strict-2018"
    );
    assert_eq!(
        policy
            .select(None, at("2021-09-16T16:00:00Z"))
            .unwrap()
            .name,
        "open-2021",
        "midnight in UTC+8"
    );
    assert_eq!(policy.select(None, None).unwrap().name, "open-2021");
    assert_eq!(
        policy
            .select(Some("strict-2018"), at("2026-01-01T00:00:00Z"))
            .unwrap()
            .name,
        "strict-2018"
    );
    assert!(policy.select(None, at("2010-01-01T00:00:00Z")).is_err());
    let unknown = policy.select(Some("lenient"), None).unwrap_err();
    assert!(
        unknown.contains("lenient") && unknown.contains("strict-2018"),
        "{unknown}"
    );
}

#[test]
fn a_home_platform_link_is_not_foreign() {
    let policy = Policy::embedded("jd");
    let analyzer = Analyzer::embedded();
    let profile = policy.profile("strict-2018").unwrap();
    let facts = analyzer.analyze("这个不错 https://item.jd.com/100012345678.html");
    let decision = policy.decide(
        profile,
        &facts,
        Situation::new(Scene::Moment, &Sanctions::default()),
    );
    assert_eq!(
        decision.action, Allow,
        "jd is home here: {:?}",
        decision.reasons
    );
}

//! Share-code fixtures: the shared public set and menshen's own, positives and negatives.

use menshen_detect::Analyzer;

/// `(platforms, text)` rows of a fixture file: tab-separated, `#` comments; a `\t`-less row is
/// a negative (text only).
fn rows(source: &str) -> Vec<(Vec<String>, String)> {
    source
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| match line.split('\t').collect::<Vec<_>>()[..] {
            [platforms, text] => (
                platforms.split(',').map(str::to_owned).collect(),
                text.to_owned(),
            ),
            [platforms, _era, text] => (
                platforms.split(',').map(str::to_owned).collect(),
                text.to_owned(),
            ),
            _ => (Vec::new(), line.to_owned()),
        })
        .collect()
}

fn check_positives(source: &str) -> Vec<String> {
    let analyzer = Analyzer::embedded();
    let mut failures = Vec::new();
    for (platforms, text) in rows(source) {
        let facts = analyzer.analyze(&text);
        let mut found: Vec<&str> = facts
            .share_codes
            .iter()
            .map(|c| c.platform.as_str())
            .collect();
        found.sort_unstable();
        found.dedup();
        let mut want: Vec<&str> = platforms.iter().map(String::as_str).collect();
        want.sort_unstable();
        if found != want {
            failures.push(format!(
                "{text}\n    want {want:?}, found {:?}",
                facts.share_codes
            ));
        }
        for code in &facts.share_codes {
            assert!(text.is_char_boundary(code.span.start) && text.is_char_boundary(code.span.end));
            assert!((0.0..=1.0).contains(&code.confidence));
        }
    }
    failures
}

fn check_negatives(source: &str) -> Vec<String> {
    let analyzer = Analyzer::embedded();
    rows(source)
        .into_iter()
        .filter_map(|(_, text)| {
            let codes = analyzer.analyze(&text).share_codes;
            (!codes.is_empty()).then(|| format!("{text}\n    found {codes:?}"))
        })
        .collect()
}

#[test]
fn shared_positive_fixtures_are_found_with_their_platform() {
    let source = include_str!("../fixtures/shared/share_codes.tsv");
    let total = rows(source).len();
    assert!(total >= 28, "fixture file shrank to {total}");
    let failures = check_positives(source);
    assert!(
        failures.is_empty(),
        "{} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn shared_negative_fixtures_stay_silent() {
    let source = include_str!("../fixtures/shared/not_share_codes.tsv");
    let negatives: String = source.lines().map(|l| format!("{l}\n")).collect();
    let failures = check_negatives(&negatives);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn own_positive_fixtures_are_found_with_their_platform() {
    let failures = check_positives(include_str!("../fixtures/share_codes/positive.tsv"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn own_negative_fixtures_stay_silent() {
    let failures = check_negatives(include_str!("../fixtures/share_codes/negative.tsv"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kinds_follow_the_most_specific_signal() {
    let analyzer = Analyzer::embedded();
    let facts = analyzer.analyze("#小程序://某商城/0JPDrt84ecI5Gwq");
    assert_eq!(facts.share_codes.len(), 1, "{:?}", facts.share_codes);
    assert_eq!(
        facts.share_codes[0].kind,
        menshen_detect::ShareKind::MiniProgram
    );
    let facts = analyzer.analyze("7.21 复制打开抖音，看看 https://v.douyin.com/AbCdEf1/");
    let tokens: Vec<&str> = facts.share_codes.iter().map(|c| c.token.as_str()).collect();
    assert_eq!(tokens, ["AbCdEf1"], "the scheme's :/ is not a Douyin code");
}

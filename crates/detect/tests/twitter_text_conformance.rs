//! twitter-text's URL extraction conformance suite (Apache-2.0), carried in
//! `conformance/twitter-text/` with its licence and a notice of where it came from.
//! Indices in the suite are character offsets; menshen's spans are bytes, so they are converted.

use menshen_detect::Analyzer;
use yaml_rust2::{Yaml, YamlLoader};

const GROUPS: [&str; 4] = [
    "urls",
    "urls_with_indices",
    "urls_with_directional_markers",
    "tco_urls_with_params",
];

fn char_offset(text: &str, byte: usize) -> i64 {
    text[..byte].chars().count() as i64
}

#[test]
fn twitter_text_url_groups_all_pass() {
    let yaml = YamlLoader::load_from_str(include_str!("conformance/twitter-text/extract.yml"))
        .expect("valid YAML");
    let tests = &yaml[0]["tests"];
    let analyzer = Analyzer::embedded();
    let (mut passed, mut failures) = (0, Vec::new());
    for group in GROUPS {
        let cases = tests[group]
            .as_vec()
            .unwrap_or_else(|| panic!("group {group} missing"));
        assert!(!cases.is_empty());
        for case in cases {
            let text = case["text"].as_str().expect("text");
            let description = case["description"].as_str().unwrap_or_default();
            let links = analyzer.analyze(text).links;
            let ok = match &case["expected"] {
                Yaml::Array(expected) if expected.iter().all(|e| e.as_str().is_some()) => {
                    let got: Vec<&str> = links
                        .iter()
                        .map(|l| &text[l.span.start..l.span.end])
                        .collect();
                    let want: Vec<&str> = expected.iter().filter_map(Yaml::as_str).collect();
                    (got == want)
                        .then_some(())
                        .ok_or(format!("got {got:?}, want {want:?}"))
                }
                Yaml::Array(expected) => {
                    let got: Vec<(&str, i64, i64)> = links
                        .iter()
                        .map(|l| {
                            (
                                &text[l.span.start..l.span.end],
                                char_offset(text, l.span.start),
                                char_offset(text, l.span.end),
                            )
                        })
                        .collect();
                    let want: Vec<(&str, i64, i64)> = expected
                        .iter()
                        .map(|e| {
                            let i = e["indices"].as_vec().expect("indices");
                            (
                                e["url"].as_str().expect("url"),
                                i[0].as_i64().unwrap(),
                                i[1].as_i64().unwrap(),
                            )
                        })
                        .collect();
                    (got == want)
                        .then_some(())
                        .ok_or(format!("got {got:?}, want {want:?}"))
                }
                other => panic!("unexpected expectation {other:?}"),
            };
            match ok {
                Ok(()) => passed += 1,
                Err(why) => failures.push(format!("[{group}] {description}: {why}")),
            }
        }
    }
    println!(
        "twitter-text URL conformance: {passed} passed, {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        passed + failures.len(),
        failures.join("\n")
    );
}

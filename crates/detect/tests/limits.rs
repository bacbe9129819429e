//! Per-message limits: a text built to produce facts by the million yields at most
//! `max_facts` of each kind, says so, and costs time linear in its length.

use menshen_detect::{Analyzer, Scratch};

#[test]
fn facts_are_capped_per_kind_and_the_cut_is_reported() {
    let analyzer = Analyzer::embedded();
    let max = analyzer.config().max_facts;
    let mut scratch = Scratch::default();

    let links = "a.cn ".repeat(3 * max);
    let facts = analyzer.analyze_with(&links, &mut scratch);
    assert_eq!(facts.links.len(), max);
    assert!(facts.truncated);
    assert!(
        facts.warnings.iter().any(|w| w.message.contains("links")),
        "{:?}",
        facts.warnings
    );

    let terms = "高仿 ".repeat(2 * max);
    let facts = analyzer.analyze_with(&terms, &mut scratch);
    assert_eq!(facts.terms.len(), max);
    assert!(facts.truncated);
    assert!(
        facts.warnings.iter().any(|w| w.message.contains("terms")),
        "{:?}",
        facts.warnings
    );

    // An ordinary message is not marked.
    let facts = analyzer.analyze_with("看 https://a.cn/x 高仿包", &mut scratch);
    assert!(!facts.truncated && facts.warnings.is_empty());
}

//! The replay accumulator: counts, the change matrix, quality, accidental injury, reports.

use menshen_policy::{
    Action, Decision, Reason,
    replay::{Label, Replay, SAMPLES_PER_CHANGE, escape},
};

fn decision(action: Action, rule: Option<&str>) -> Decision {
    Decision {
        action,
        reasons: rule
            .map(|r| {
                vec![Reason {
                    rule: r.into(),
                    message: String::new(),
                    action,
                    evidence: Vec::new(),
                    strikes: 0,
                    restricts: None,
                    notice: None,
                    signals: Vec::new(),
                }]
            })
            .unwrap_or_default(),
        ..Decision::default()
    }
}

#[test]
fn counts_changes_quality_and_injury() {
    let mut replay = Replay::new("old", "new");
    let allow = decision(Action::Allow, None);
    let hold = decision(Action::Hold, Some("contacts-in-moments"));
    // Spam both catch; spam only the candidate catches; innocent the candidate newly hits (two
    // events from one sender, one from another); innocent both leave alone.
    replay.add("buy now", Some("s1"), Some(Label::Unwanted), &hold, &hold);
    replay.add(
        "cheap bags",
        Some("s2"),
        Some(Label::Unwanted),
        &allow,
        &hold,
    );
    replay.add(
        "call me <b>",
        Some("mom"),
        Some(Label::Innocent),
        &allow,
        &hold,
    );
    replay.add(
        "call me later",
        Some("mom"),
        Some(Label::Innocent),
        &allow,
        &hold,
    );
    replay.add(
        "my number",
        Some("dad"),
        Some(Label::Innocent),
        &allow,
        &hold,
    );
    replay.add("hello", Some("kid"), Some(Label::Innocent), &allow, &allow);
    replay.add("unlabelled", None, None, &allow, &allow);
    assert_eq!(replay.events, 7);
    assert_eq!(replay.changed(), 4);
    assert_eq!(replay.baseline.actions[0], 6);
    assert_eq!(replay.candidate.rules["contacts-in-moments"], 5);
    assert_eq!(
        (replay.baseline.precision(), replay.baseline.recall()),
        (Some(1.0), Some(0.5))
    );
    assert_eq!(replay.candidate.precision(), Some(2.0 / 5.0));
    assert_eq!(replay.candidate.recall(), Some(1.0));
    assert_eq!(replay.newly_injured_events, 3);
    assert_eq!(replay.newly_injured_senders(), (2, false));
    let samples = &replay.samples[&(0, 4)];
    assert_eq!(samples.len(), SAMPLES_PER_CHANGE, "samples are capped");
    let text = replay.text_report();
    assert!(text.contains("accidental injury: the candidate newly acts on 3 innocent events from 2 distinct senders"), "{text}");
    // Each table's rows line up with its header: right-aligned numbers end in one column.
    for header in ["  actions", "  rules", "  side"] {
        let block: Vec<&str> = text
            .lines()
            .skip_while(|line| !line.starts_with(header))
            .take_while(|line| {
                !line.is_empty() && !line.contains("(shadow)") && !line.contains(':')
            })
            .collect();
        assert!(block.len() > 1, "no {header} table in\n{text}");
        let width = block[0].chars().count();
        for line in &block {
            assert_eq!(
                line.chars().count(),
                width,
                "misaligned:\n{}",
                block.join("\n")
            );
        }
    }
    let html = replay.html_report();
    assert!(
        html.contains("call me &lt;b&gt;") && !html.contains("<b>"),
        "samples are escaped"
    );
    assert!(html.contains("<svg") && !html.contains("<script"));
}

#[test]
fn escaping_covers_markup_and_attributes() {
    assert_eq!(
        escape("<script>alert('x')</script> & \"q\""),
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
    );
}

#[test]
fn labels_are_read_in_the_usual_spellings() {
    for (s, l) in [
        ("spam", Label::Unwanted),
        ("1", Label::Unwanted),
        ("ham", Label::Innocent),
        ("0", Label::Innocent),
        ("HAM", Label::Innocent),
    ] {
        assert_eq!(Label::parse(s), Some(l), "{s}");
    }
    assert_eq!(Label::parse("maybe"), None);
}

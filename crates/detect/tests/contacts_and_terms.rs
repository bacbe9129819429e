//! Contact and term fixtures beside their detectors (`fixtures/contacts`, `fixtures/terms`).

use menshen_detect::{Analyzer, Facts};

fn rows(source: &str) -> impl Iterator<Item = Vec<&str>> {
    source
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

fn failures(source: &str, check: impl Fn(&[&str], &Facts) -> bool) -> Vec<String> {
    let analyzer = Analyzer::embedded();
    rows(source)
        .filter_map(|row| {
            let text = row.last().copied().unwrap_or_default();
            let facts = analyzer.analyze(text);
            for span in facts
                .contacts
                .iter()
                .map(|c| c.span)
                .chain(facts.terms.iter().map(|t| t.span))
            {
                assert!(
                    text.get(span.start..span.end).is_some(),
                    "span {span:?} in {text}"
                );
            }
            (!check(&row, &facts)).then(|| {
                format!(
                    "{row:?}\n    contacts {:?}\n    terms {:?}",
                    facts.contacts, facts.terms
                )
            })
        })
        .collect()
}

#[test]
fn contacts_are_found_through_disguises() {
    let failed = failures(
        include_str!("../fixtures/contacts/positive.tsv"),
        |row, facts| {
            let kind = format!("\"{}\"", row[0]);
            facts
                .contacts
                .iter()
                .any(|c| serde_json::to_string(&c.kind).unwrap() == kind && c.value == row[1])
        },
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn no_contacts_in_numbers_that_are_not_contacts() {
    let failed = failures(
        include_str!("../fixtures/contacts/negative.tsv"),
        |_, facts| facts.contacts.is_empty(),
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn terms_are_found_through_disguises() {
    let failed = failures(
        include_str!("../fixtures/terms/positive.tsv"),
        |row, facts| {
            facts
                .terms
                .iter()
                .any(|t| t.category == row[0] && t.term.eq_ignore_ascii_case(row[1]))
        },
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn exceptions_and_word_boundaries_keep_terms_quiet() {
    let failed = failures(
        include_str!("../fixtures/terms/negative.tsv"),
        |_, facts| facts.terms.is_empty(),
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn context_excuses_warned_negated_and_everyday_terms() {
    let failed = failures(
        include_str!("../fixtures/context/excused.tsv"),
        |row, facts| {
            facts
                .terms
                .iter()
                .any(|t| t.term == row[1] && t.context.as_deref() == Some(row[0]))
        },
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn context_leaves_scripts_and_offers_counted() {
    let failed = failures(
        include_str!("../fixtures/context/counted.tsv"),
        |row, facts| {
            facts
                .terms
                .iter()
                .any(|t| t.term == row[0] && t.context.is_none())
        },
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

//! Snapshot tests, ruff style: every fixture's complete facts, rendered one line per fact with
//! the original text each span covers, so a change in any detector shows up as a reviewable
//! diff. Update with `INSTA_UPDATE=always cargo test -p menshen-detect --test snapshots` and
//! read the diff before committing.

use std::fmt::Write as _;

use menshen_detect::{Analyzer, Facts};
use menshen_text::Span;

fn slice(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("<bad span>")
}

fn render(analyzer: &Analyzer, texts: impl IntoIterator<Item = String>) -> String {
    let mut out = String::new();
    for text in texts {
        let facts: Facts = analyzer.analyze(&text);
        writeln!(out, "» {text}").unwrap();
        for l in &facts.links {
            let platform = l.platform.as_deref().unwrap_or("-");
            let obfuscated = if l.obfuscated { " obfuscated" } else { "" };
            writeln!(
                out,
                "  link     {} ({platform}, {:?}{obfuscated}) «{}»",
                l.url,
                l.category,
                slice(&text, l.span)
            )
            .unwrap();
        }
        for c in &facts.share_codes {
            writeln!(
                out,
                "  share    {} {:?} {} conf {:.2} {:?} «{}»",
                c.platform,
                c.kind,
                c.token,
                c.confidence,
                c.signals,
                slice(&text, c.span)
            )
            .unwrap();
        }
        for c in &facts.contacts {
            let disguised = if c.disguised { " disguised" } else { "" };
            writeln!(
                out,
                "  contact  {:?} {}{disguised} «{}»",
                c.kind,
                c.value,
                slice(&text, c.span)
            )
            .unwrap();
        }
        for t in &facts.terms {
            let disguised = if t.disguised { " disguised" } else { "" };
            let context = t
                .context
                .as_deref()
                .map_or(String::new(), |c| format!(" excused:{c}"));
            writeln!(
                out,
                "  term     {} {}{disguised}{context} «{}»",
                t.category,
                t.term,
                slice(&text, t.span)
            )
            .unwrap();
        }
        if facts.hidden_chars > 0 {
            writeln!(out, "  hidden   {}", facts.hidden_chars).unwrap();
        }
    }
    out
}

/// The text column (the last) of a fixture file, skipping comments.
fn texts(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.rsplit('\t').next().unwrap_or(l).to_owned())
        .collect()
}

#[test]
fn shared_share_code_fixtures() {
    let analyzer = Analyzer::embedded();
    insta::assert_snapshot!(render(
        &analyzer,
        texts(include_str!("../fixtures/shared/share_codes.tsv"))
    ));
}

#[test]
fn shared_share_code_negatives() {
    let analyzer = Analyzer::embedded();
    insta::assert_snapshot!(render(
        &analyzer,
        texts(include_str!("../fixtures/shared/not_share_codes.tsv"))
    ));
}

#[test]
fn share_code_fixtures() {
    let analyzer = Analyzer::embedded();
    let mut all = texts(include_str!("../fixtures/share_codes/positive.tsv"));
    all.extend(texts(include_str!("../fixtures/share_codes/negative.tsv")));
    insta::assert_snapshot!(render(&analyzer, all));
}

#[test]
fn contact_fixtures() {
    let analyzer = Analyzer::embedded();
    let mut all = texts(include_str!("../fixtures/contacts/positive.tsv"));
    all.extend(texts(include_str!("../fixtures/contacts/negative.tsv")));
    insta::assert_snapshot!(render(&analyzer, all));
}

#[test]
fn term_fixtures() {
    let analyzer = Analyzer::embedded();
    let mut all = texts(include_str!("../fixtures/terms/positive.tsv"));
    all.extend(texts(include_str!("../fixtures/terms/negative.tsv")));
    all.extend(texts(include_str!("../fixtures/context/excused.tsv")));
    all.extend(texts(include_str!("../fixtures/context/counted.tsv")));
    insta::assert_snapshot!(render(&analyzer, all));
}

#[test]
fn link_fixtures() {
    let analyzer = Analyzer::embedded();
    insta::assert_snapshot!(render(
        &analyzer,
        texts(include_str!("../fixtures/links/cases.txt"))
    ));
}

//! How often each detector fires, per label, on a labelled file: a quick check of how noisy
//! the detectors are on innocent text.
//!
//! ```text
//! cargo run --release -p menshen-detect --example fact_rates -- FILE [--half first|second] [--show N]
//! ```
//!
//! FILE is tab-separated `label<TAB>text[<TAB>…]` (a header line without a known label is
//! skipped); labels `0`/`ham` are innocent, `1`/`spam` unwanted. `--half` keeps the first or
//! second half of the rows, so one half can be looked at while tuning and the other reported.
//! `--show N` prints up to N innocent messages that produced each kind of fact.

use std::collections::BTreeMap;

use menshen_detect::{Analyzer, Scratch};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: fact_rates FILE [--half first|second] [--show N]");
        std::process::exit(2);
    };
    let option = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let show: usize = option("--show").and_then(|n| n.parse().ok()).unwrap_or(0);
    let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut rows: Vec<(bool, &str)> = source
        .lines()
        .filter_map(|line| {
            let (label, rest) = line.split_once('\t')?;
            let text = rest.split('\t').next().unwrap_or(rest);
            match label.trim() {
                "0" | "ham" => Some((false, text)),
                "1" | "spam" => Some((true, text)),
                _ => None,
            }
        })
        .collect();
    rows.sort_by_key(|&(spam, text)| (spam, text));
    rows.dedup();
    let half = rows.len() / 2;
    // Deterministic split that does not depend on file order: by a hash of the text.
    let in_first = |text: &str| {
        text.bytes()
            .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into()))
            % 2
            == 0
    };
    match option("--half").as_deref() {
        Some("first") => rows.retain(|(_, t)| in_first(t)),
        Some("second") => rows.retain(|(_, t)| !in_first(t)),
        _ => {}
    }
    let _ = half;
    let analyzer = Analyzer::embedded();
    let mut scratch = Scratch::default();
    let mut counts: BTreeMap<(bool, &str), usize> = BTreeMap::new();
    let mut totals = [0usize; 2];
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    for &(spam, text) in &rows {
        totals[spam as usize] += 1;
        let facts = analyzer.analyze_with(text, &mut scratch);
        let kinds = [
            ("link", !facts.links.is_empty()),
            ("share_code", !facts.share_codes.is_empty()),
            ("contact", !facts.contacts.is_empty()),
            ("term", !facts.terms.is_empty()),
            (
                "any",
                !(facts.links.is_empty()
                    && facts.share_codes.is_empty()
                    && facts.contacts.is_empty()
                    && facts.terms.is_empty()),
            ),
        ];
        for (kind, fired) in kinds {
            if fired {
                *counts.entry((spam, kind)).or_default() += 1;
                let seen = shown.entry(kind).or_default();
                if !spam && kind != "any" && *seen < show {
                    *seen += 1;
                    let detail = match kind {
                        "link" => format!(
                            "{:?}",
                            facts.links.iter().map(|l| &l.url).collect::<Vec<_>>()
                        ),
                        "share_code" => format!(
                            "{:?}",
                            facts
                                .share_codes
                                .iter()
                                .map(|c| (&c.platform, &c.token))
                                .collect::<Vec<_>>()
                        ),
                        "contact" => format!(
                            "{:?}",
                            facts
                                .contacts
                                .iter()
                                .map(|c| (c.kind, &c.value))
                                .collect::<Vec<_>>()
                        ),
                        _ => format!(
                            "{:?}",
                            facts.terms.iter().map(|t| &t.term).collect::<Vec<_>>()
                        ),
                    };
                    println!("ham {kind}: {text}\n    {detail}");
                }
            }
        }
    }
    println!(
        "{path}: {} innocent, {} unwanted (deduplicated)",
        totals[0], totals[1]
    );
    println!(
        "{:<12} {:>18} {:>18}",
        "fact", "innocent fired", "unwanted fired"
    );
    for kind in ["link", "share_code", "contact", "term", "any"] {
        let rate = |spam: bool| {
            let n = counts.get(&(spam, kind)).copied().unwrap_or(0);
            let total = totals[spam as usize].max(1);
            format!("{n} ({:.2}%)", 100.0 * n as f64 / total as f64)
        };
        println!("{kind:<12} {:>18} {:>18}", rate(false), rate(true));
    }
}

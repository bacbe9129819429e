//! How often each lexicon term fires on innocent and on unwanted messages: the measurement
//! behind every weight and every dropped term in `assets/lexicons`.
//!
//! ```text
//! cargo run --release -p menshen-detect --example term_rates -- [--lexicon FILE]… DATA…
//! ```
//!
//! With `--lexicon`, only those word lists (and the shipped context rules) are matched, so a
//! candidate list can be measured alone; without, the shipped lexicons. DATA files are
//! `label<TAB>text` (`0`/`ham` innocent, `1`/`spam` unwanted; other lines skipped), each
//! deduplicated. Prints `term<TAB>category<TAB>innocent<TAB>unwanted<TAB>files-with-innocent-hits`
//! for every term that fired, most innocent hits first. Excused terms (by context) are not
//! counted.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use menshen_detect::{
    Analyzer, AnalyzerConfig, Scratch, context, lexicon::Lexicon, registry::Registry,
};

fn main() {
    let mut lexicons = Vec::new();
    let mut data = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--lexicon" {
            lexicons.push(args.next().expect("--lexicon FILE"));
        } else {
            data.push(arg);
        }
    }
    let lexicon = if lexicons.is_empty() {
        Lexicon::embedded()
    } else {
        let mut lexicon = Lexicon::default();
        for path in &lexicons {
            let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
            lexicon
                .add_file(&source, path)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let (origin, source) = menshen_detect::lexicon::EMBEDDED
            .iter()
            .find(|(o, _)| o.ends_with("context.toml"))
            .expect("shipped context rules");
        lexicon.contexts = context::parse(source, origin).expect("valid");
        lexicon
    };
    let analyzer = Analyzer::new(Registry::embedded(), lexicon, AnalyzerConfig::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut scratch = Scratch::default();
    // term -> (category, innocent, unwanted, files with innocent hits)
    let mut counts: BTreeMap<(String, String), (usize, usize, BTreeSet<String>)> = BTreeMap::new();
    for path in &data {
        let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut seen = HashSet::new();
        let name = path.rsplit('/').next().unwrap_or(path).to_owned();
        for line in source.lines() {
            let Some((label, text)) = line.split_once('\t') else {
                continue;
            };
            let unwanted = match label.trim() {
                "0" | "ham" => false,
                "1" | "spam" => true,
                _ => continue,
            };
            if !seen.insert(text) {
                continue;
            }
            let facts = analyzer.analyze_with(text, &mut scratch);
            let terms: BTreeSet<(String, String)> = facts
                .terms
                .iter()
                .filter(|t| t.context.is_none())
                .map(|t| (t.term.clone(), t.category.clone()))
                .collect();
            for term in terms {
                let entry = counts.entry(term).or_default();
                if unwanted {
                    entry.1 += 1;
                } else {
                    entry.0 += 1;
                    entry.2.insert(name.clone());
                }
            }
        }
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| (b.1.0, a.1.1).cmp(&(a.1.0, b.1.1)));
    println!("term\tcategory\tinnocent\tunwanted\tinnocent-in");
    for ((term, category), (innocent, unwanted, files)) in rows {
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        println!(
            "{term}\t{category}\t{innocent}\t{unwanted}\t{}",
            files.join(",")
        );
    }
}

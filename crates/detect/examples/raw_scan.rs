//! The floor the peers harness (`scripts/peers/`) measures menshen against: one Aho-Corasick
//! pass of the shipped lexicon's terms over each message, nothing else.
//!
//! ```text
//! cargo run --release -p menshen-detect --example raw_scan -- --lines < texts.txt
//! cargo run --release -p menshen-detect --example raw_scan -- --jsonl < events.jsonl
//! cargo run --release -p menshen-detect --example raw_scan -- --terms > terms.txt
//! ```
//!
//! `--lines` counts the hits in each line of plain text and prints the total; `--jsonl` reads
//! message events (`{"id": …, "text": …}`) and writes `{"id": …, "hits": N}` per line, the same
//! JSON in and out that `menshen check --jsonl` does; `--terms` prints the terms, one a line,
//! for the peers to load.

use std::io::{BufRead, BufWriter, Write};

use menshen_detect::lexicon::Lexicon;

#[derive(serde::Deserialize)]
struct Event<'a> {
    #[serde(borrow, default)]
    id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    text: std::borrow::Cow<'a, str>,
}

#[derive(serde::Serialize)]
struct Hits<'a> {
    id: Option<&'a str>,
    hits: usize,
}

fn main() -> std::io::Result<()> {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let lexicon = Lexicon::embedded();
    let terms: Vec<&str> = lexicon.terms.iter().map(|t| t.term.as_str()).collect();
    let out = std::io::stdout().lock();
    let mut out = BufWriter::new(out);
    if mode == "--terms" {
        for term in &terms {
            writeln!(out, "{term}")?;
        }
        return out.flush();
    }
    let scan = aho_corasick::AhoCorasick::new(&terms).map_err(std::io::Error::other)?;
    let mut input = std::io::stdin().lock();
    let mut line = String::new();
    let mut total = 0usize;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        match mode.as_str() {
            "--lines" => total += scan.find_iter(line.as_bytes()).count(),
            "--jsonl" => {
                let Ok(event) = serde_json::from_str::<Event>(line.trim_end()) else {
                    writeln!(out, r#"{{"error":"not an event"}}"#)?;
                    continue;
                };
                let hits = scan.find_iter(event.text.as_bytes()).count();
                serde_json::to_writer(
                    &mut out,
                    &Hits {
                        id: event.id.as_deref(),
                        hits,
                    },
                )?;
                out.write_all(b"\n")?;
            }
            _ => {
                eprintln!("raw_scan: give --lines, --jsonl or --terms");
                std::process::exit(2);
            }
        }
    }
    if mode == "--lines" {
        writeln!(out, "{total}")?;
    }
    out.flush()
}

//! `menshen`: the command line of the menshen policy gate.

mod verdict;

use std::{
    ffi::OsString,
    io::{self, BufRead, BufWriter, Write},
    path::PathBuf,
    process::ExitCode,
};

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use menshen_detect::{Analyzer, AnalyzerConfig, Scratch, lexicon::Lexicon, registry::Registry};
use verdict::{Event, Scene, Verdict};

#[derive(Parser)]
#[command(
    name = "menshen",
    version,
    about = "A policy gate for chat and social platforms"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze a message and print its verdict as JSON.
    Check(CheckArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The message text. Omit it with --jsonl.
    #[arg(value_parser = clap::value_parser!(OsString), required_unless_present = "jsonl")]
    text: Option<OsString>,
    /// Where the message is posted.
    #[arg(long, value_enum, default_value = "direct")]
    scene: Scene,
    /// Policy profile by name (used once policies exist).
    #[arg(long)]
    profile: Option<String>,
    /// Evaluate as of this RFC 3339 time (used once policies exist).
    #[arg(long)]
    at: Option<String>,
    /// Read message events as JSON lines on stdin; write one verdict per line.
    #[arg(long, conflicts_with = "text")]
    jsonl: bool,
    /// A platform registry file to use instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    registry: Option<PathBuf>,
    /// An extra lexicon file (term<TAB>category lines); may be given several times.
    #[arg(long = "lexicon", value_name = "FILE")]
    lexicons: Vec<PathBuf>,
    /// Lines longer than this many bytes are rejected in --jsonl mode.
    #[arg(long, default_value_t = 64 << 20)]
    max_line_bytes: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("menshen: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn build_analyzer(args: &CheckArgs) -> anyhow::Result<Analyzer> {
    let registry = match &args.registry {
        Some(path) => {
            let source = std::fs::read_to_string(path)
                .with_context(|| format!("reading registry {}", path.display()))?;
            Registry::parse(&source, &path.display().to_string())?
        }
        None => Registry::embedded(),
    };
    let mut lexicon = Lexicon::embedded();
    for path in &args.lexicons {
        let source = std::fs::read_to_string(path)
            .with_context(|| format!("reading lexicon {}", path.display()))?;
        lexicon.add(&source, &path.display().to_string())?;
    }
    Ok(Analyzer::new(registry, lexicon, AnalyzerConfig::default())?)
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    if let Some(at) = args.at.as_deref().filter(|at| !looks_like_rfc3339(at)) {
        bail!("--at `{at}` is not an RFC 3339 time; write it like 2026-11-21T08:00:00Z");
    }
    if let Some(profile) = &args.profile {
        bail!(
            "--profile {profile}: no policy profiles are loaded in this build yet; verdicts are analysis-only"
        );
    }
    let analyzer = build_analyzer(&args)?;
    let mut scratch = Scratch::default();
    if args.jsonl {
        return check_stream(
            &analyzer,
            &mut scratch,
            io::stdin().lock(),
            io::stdout().lock(),
            args.max_line_bytes,
        );
    }
    let text = args.text.unwrap_or_default();
    let Some(text) = text.to_str() else {
        bail!("TEXT is not valid UTF-8; pass UTF-8 text, or use --jsonl with JSON-escaped text");
    };
    let facts = analyzer.analyze_with(text, &mut scratch);
    let verdict = Verdict::analysis_only(None, Some(args.scene), facts);
    println!("{}", serde_json::to_string_pretty(&verdict)?);
    Ok(ExitCode::SUCCESS)
}

/// A cheap shape check; the policy layer parses times for real.
fn looks_like_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't' | b' ')
        && b[13] == b':'
        && b[16] == b':'
}

/// Read events line by line and write a verdict (or an error object) per line. Memory stays
/// bounded by the longest line; buffers are reused. Returns failure if any line was bad.
fn check_stream(
    analyzer: &Analyzer,
    scratch: &mut Scratch,
    mut input: impl BufRead,
    output: impl Write,
    max_line: usize,
) -> anyhow::Result<ExitCode> {
    let mut out = BufWriter::new(output);
    let mut line = Vec::new();
    let (mut number, mut bad) = (0usize, 0usize);
    loop {
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .context("reading standard input")?
            == 0
        {
            break;
        }
        number += 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        match parse_line(trimmed, max_line) {
            Ok(event) => {
                let facts = analyzer.analyze_message(&event.text, &event.attachments, scratch);
                serde_json::to_writer(
                    &mut out,
                    &Verdict::analysis_only(event.id, event.scene, facts),
                )?;
            }
            Err(message) => {
                bad += 1;
                serde_json::to_writer(
                    &mut out,
                    &serde_json::json!({ "line": number, "error": message }),
                )?;
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if bad > 0 {
        eprintln!(
            "menshen: {bad} of {number} lines could not be read (see the error objects in the output)"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_line(line: &[u8], max_line: usize) -> Result<Event, String> {
    if line.len() > max_line {
        return Err(format!(
            "the line is {} bytes, over the limit of {max_line}; raise --max-line-bytes",
            line.len()
        ));
    }
    let text = std::str::from_utf8(line).map_err(|e| {
        format!(
            "invalid UTF-8 at byte {} of the line; send UTF-8 JSON",
            e.valid_up_to()
        )
    })?;
    let event: Event =
        serde_json::from_str(text).map_err(|e| format!("column {}: {e}", e.column()))?;
    if event.text.len() > menshen_text::MAX_INPUT_BYTES {
        return Err("the text is longer than 4 GiB".into());
    }
    Ok(event)
}

//! `menshen`: the command line of the menshen policy gate.

/// Print a line to standard output. Failing to write (a closed pipe: `menshen … | head`)
/// ends the command through `?`; `main` treats a closed pipe as a normal end.
macro_rules! out {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stdout().lock(), format_args!("{}\n", format_args!($($arg)*)))?
    };
}

mod learn;

use std::{
    ffi::OsString,
    io::{self, BufRead, BufWriter, Read, Write},
    path::PathBuf,
    process::ExitCode,
};

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use menshen_detect::{
    Analyzer, AnalyzerConfig, Attachment, Scratch, lexicon::Lexicon, registry::Registry,
};
use menshen_policy::{Policy, Profile, Sanctions, Scene, Situation, Standing, testing};
use menshen_state::campaign::{CampaignConfig, Campaigns};
use serde::Deserialize;

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
    /// Analyze a message, decide it, and print the verdict as JSON.
    Check(CheckArgs),
    /// Render a verdict (JSON on stdin, as `check` prints it) for each recipient, with their
    /// link choices; one JSON line per recipient.
    Deliver {
        /// JSON object of recipient id to choices:
        /// {"alice": {"categories": {"ecommerce": "plain_text"}, "domains": {"jd.com": "hide"}}}
        #[arg(long, value_name = "FILE")]
        prefs: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Work with policy profiles.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Work with the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Train a spam-score model on labelled messages (TSV `label<TAB>text` or JSONL).
    Train {
        /// Labelled files; may be given several times.
        #[arg(long = "data", value_name = "FILE", required = true)]
        data: Vec<String>,
        /// Where to write the model.
        #[arg(long, value_name = "MODEL")]
        out: PathBuf,
        /// Passes over the data.
        #[arg(long, default_value_t = 6)]
        epochs: u32,
        /// Seed of the visiting order (same data and seed, same model).
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Percent of the messages held back to choose the threshold.
        #[arg(long, default_value_t = 10)]
        held: u64,
        /// The precision the threshold must reach on the held-back messages.
        #[arg(long, default_value_t = 0.97)]
        precision: f64,
    },
    /// Measure a model on labelled messages.
    Eval {
        #[arg(long, value_name = "MODEL")]
        model: PathBuf,
        #[arg(long = "data", value_name = "FILE", required = true)]
        data: Vec<String>,
        /// Use this threshold instead of the model's.
        #[arg(long)]
        threshold: Option<f64>,
        /// Write the precision-recall curve as SVG here.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
    },
    /// Run a candidate profile beside a baseline over recorded events (JSON lines with
    /// `text`, and optionally `scene`, `sender`, `label`) and report what would change.
    Replay {
        /// The profile in force now.
        #[arg(long)]
        baseline: String,
        /// The profile to try.
        #[arg(long)]
        candidate: String,
        /// Also write an HTML report with charts here.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Events, one JSON object a line.
        events: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Run every rule's examples and each profile's case table.
    Test {
        /// Profiles to test (all loaded profiles when none is named).
        profiles: Vec<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Load profile files and report every problem with file, line and column.
    Lint {
        /// Profile files to check beside the shipped ones.
        files: Vec<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit log's hash chain: any edit, gap or reordering is reported.
    Verify {
        /// The data folder of the embedded store.
        #[arg(long, default_value = "menshen-data")]
        data: PathBuf,
    },
}

/// Operator data: extra profiles, lexicons, a registry.
#[derive(clap::Args, Default)]
struct DataArgs {
    /// An extra profile file; may be given several times.
    #[arg(long = "policy", value_name = "FILE")]
    policies: Vec<PathBuf>,
    /// A platform registry file to use instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    registry: Option<PathBuf>,
    /// An extra lexicon file (term<TAB>category lines); may be given several times.
    #[arg(long = "lexicon", value_name = "FILE")]
    lexicons: Vec<PathBuf>,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The message text. Omit it with --jsonl.
    #[arg(value_parser = clap::value_parser!(OsString), required_unless_present = "jsonl")]
    text: Option<OsString>,
    /// Where the message is posted: direct, group, moment, comment.
    #[arg(long, default_value = "direct", value_parser = parse_scene)]
    scene: Scene,
    /// Decide under this profile (otherwise the one in force at --at or the event's ts).
    #[arg(long)]
    profile: Option<String>,
    /// Decide as of this RFC 3339 time: the profile in force then applies.
    #[arg(long)]
    at: Option<String>,
    /// Read message events as JSON lines on stdin; write one verdict per line.
    #[arg(long, conflicts_with = "text")]
    jsonl: bool,
    /// Treat this domain (and its subdomains) as sanctioned; may be given several times.
    #[arg(long = "sanctioned-domain", value_name = "DOMAIN")]
    sanctioned_domains: Vec<String>,
    /// Treat this share interface (platform id) as sanctioned; may be given several times.
    #[arg(long = "sanctioned-app", value_name = "PLATFORM")]
    sanctioned_apps: Vec<String>,
    /// Distinct senders of near-identical text that make a campaign (--jsonl; events need
    /// `sender` and `ts`); rules read it as `signals.campaign`.
    #[arg(long, default_value_t = 20)]
    campaign_senders: usize,
    /// The campaign window, in seconds.
    #[arg(long, default_value_t = 3600)]
    campaign_window: u64,
    /// Score with this trained model (otherwise the score comes from the evidence alone).
    #[arg(long, value_name = "MODEL")]
    model: Option<PathBuf>,
    /// Lines longer than this many bytes are rejected in --jsonl mode.
    #[arg(long, default_value_t = 64 << 20)]
    max_line_bytes: usize,
    #[command(flatten)]
    data: DataArgs,
}

fn parse_scene(s: &str) -> Result<Scene, String> {
    Scene::ALL
        .into_iter()
        .find(|scene| scene.as_str() == s)
        .ok_or_else(|| format!("`{s}` is not a scene; use direct, group, moment or comment"))
}

fn parse_time(s: &str, what: &str) -> anyhow::Result<jiff::Timestamp> {
    s.parse().with_context(|| {
        format!("{what} `{s}` is not an RFC 3339 time; write it like 2026-11-21T08:00:00Z")
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Deliver { prefs, data } => deliver(&prefs, &data),
        Command::Audit(AuditCommand::Verify { data }) => audit_verify(&data),
        Command::Train {
            data,
            out,
            epochs,
            seed,
            held,
            precision,
        } => learn::train(&data, &out, epochs, seed, held, precision),
        Command::Eval {
            model,
            data,
            threshold,
            plot,
        } => learn::eval(&model, &data, threshold, plot.as_deref()),
        Command::Replay {
            baseline,
            candidate,
            html,
            events,
            data,
        } => replay(&baseline, &candidate, html.as_deref(), &events, &data),
        Command::Policy(PolicyCommand::Test { profiles, data }) => policy_test(&profiles, &data),
        Command::Policy(PolicyCommand::Lint { files, data }) => {
            let data = DataArgs {
                policies: data.policies.into_iter().chain(files).collect(),
                ..data
            };
            policy_lint(&data)
        }
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`menshen … | head`) is how a reader says it has seen enough.
        Err(error) if is_closed_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("menshen: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &PathBuf, what: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {what} {}", path.display()))
}

fn build_analyzer(data: &DataArgs) -> anyhow::Result<Analyzer> {
    let registry = match &data.registry {
        Some(path) => Registry::parse(&read(path, "registry")?, &path.display().to_string())?,
        None => Registry::embedded(),
    };
    let mut lexicon = Lexicon::embedded();
    for path in &data.lexicons {
        lexicon.add(&read(path, "lexicon")?, &path.display().to_string())?;
    }
    Ok(Analyzer::new(registry, lexicon, AnalyzerConfig::default())?)
}

fn build_policy(data: &DataArgs, analyzer: &Analyzer) -> anyhow::Result<Policy> {
    let mut files: Vec<(String, String)> = menshen_policy::embedded_files();
    for path in &data.policies {
        files.push((path.display().to_string(), read(path, "profile")?));
    }
    Ok(Policy::load(&files, &analyzer.registry().file.home)?)
}

/// A message event (DESIGN.md §3). Only `text` is required.
#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    ts: Option<String>,
    #[serde(default)]
    scene: Option<Scene>,
    #[serde(default)]
    sender: Option<String>,
    text: String,
    #[serde(default)]
    attachments: Vec<Attachment>,
    /// The sender's standing, until the enforcement store provides it (an extension).
    #[serde(default)]
    standing: Option<Standing>,
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let at = args
        .at
        .as_deref()
        .map(|at| parse_time(at, "--at"))
        .transpose()?;
    let mut analyzer = build_analyzer(&args.data)?;
    if let Some(path) = &args.model {
        analyzer = analyzer.with_model(std::sync::Arc::new(learn::read_model(path)?));
    }
    let policy = build_policy(&args.data, &analyzer)?;
    // Fail early on an unknown profile name, before reading any input.
    policy
        .select(args.profile.as_deref(), at)
        .map_err(anyhow::Error::msg)?;
    let sanctions = Sanctions {
        domains: args
            .sanctioned_domains
            .iter()
            .map(|d| d.to_lowercase())
            .collect(),
        apps: args.sanctioned_apps.iter().cloned().collect(),
    };
    let campaign = CampaignConfig {
        senders: args.campaign_senders,
        window_secs: args.campaign_window,
        ..CampaignConfig::default()
    };
    let gate = Gate {
        campaign,
        analyzer: &analyzer,
        policy: &policy,
        sanctions: &sanctions,
        profile: args.profile.as_deref(),
        at,
    };
    let mut scratch = Scratch::default();
    if args.jsonl {
        return gate.stream(
            &mut scratch,
            io::stdin().lock(),
            io::stdout().lock(),
            args.scene,
            args.max_line_bytes,
        );
    }
    let text = args.text.unwrap_or_default();
    let Some(text) = text.to_str() else {
        bail!("TEXT is not valid UTF-8; pass UTF-8 text, or use --jsonl with JSON-escaped text");
    };
    let event = Event {
        id: None,
        ts: None,
        scene: Some(args.scene),
        sender: None,
        text: text.to_owned(),
        attachments: Vec::new(),
        standing: None,
    };
    let verdict = gate
        .verdict(event, args.scene, &mut scratch, None)
        .map_err(anyhow::Error::msg)?;
    out!("{}", serde_json::to_string_pretty(&verdict)?);
    Ok(ExitCode::SUCCESS)
}

/// Analysis and decision with everything they read.
struct Gate<'a> {
    campaign: CampaignConfig,
    analyzer: &'a Analyzer,
    policy: &'a Policy,
    sanctions: &'a Sanctions,
    profile: Option<&'a str>,
    at: Option<jiff::Timestamp>,
}

impl Gate<'_> {
    /// The profile for an event: --profile, else --at, else the event's ts, else the default.
    fn profile_for(&self, event: &Event) -> Result<&Profile, String> {
        let at = match (self.at, &event.ts) {
            (Some(at), _) => Some(at),
            (None, Some(ts)) => Some(
                ts.parse::<jiff::Timestamp>()
                    .map_err(|e| format!("ts `{ts}` is not an RFC 3339 time: {e}"))?,
            ),
            (None, None) => None,
        };
        self.policy.select(self.profile, at)
    }

    /// Analyze and decide one event. With a campaign tracker, an event with a sender and a
    /// time adds `signals.campaign` (1 or 0) and `signals.campaign_senders` to its standing.
    fn verdict(
        &self,
        event: Event,
        default_scene: Scene,
        scratch: &mut Scratch,
        campaigns: Option<&mut Campaigns>,
    ) -> Result<menshen_policy::Verdict, String> {
        let profile = self.profile_for(&event)?;
        let facts = self
            .analyzer
            .analyze_message(&event.text, &event.attachments, scratch);
        let mut standing = event.standing.clone();
        let observed = match (campaigns, &event.sender, &event.ts, &facts.fingerprint) {
            (Some(campaigns), Some(sender), Some(ts), Some(fingerprint)) => {
                let now = ts
                    .parse::<jiff::Timestamp>()
                    .map_err(|e| format!("ts `{ts}` is not an RFC 3339 time: {e}"))?;
                let fingerprint = u64::from_str_radix(fingerprint, 16).unwrap_or_default();
                Some(campaigns.observe(fingerprint, sender, now.as_second().max(0) as u64))
            }
            _ => None,
        };
        if let Some(signal) = observed {
            let signals = &mut standing.get_or_insert_with(Standing::default).signals;
            signals.insert("campaign".into(), if signal.campaign { 1.0 } else { 0.0 });
            signals.insert("campaign_senders".into(), signal.senders as f64);
        }
        let mut situation = Situation::new(event.scene.unwrap_or(default_scene), self.sanctions);
        if let Some(standing) = &standing {
            situation = situation.with_standing(standing);
        }
        Ok(self.policy.verdict(profile, event.id, facts, situation))
    }

    /// Read events line by line and write a verdict (or an error object) per line. Memory
    /// stays bounded by the longest line; buffers are reused. Fails if any line was bad.
    fn stream(
        &self,
        scratch: &mut Scratch,
        input: impl BufRead,
        output: impl Write,
        scene: Scene,
        max_line: usize,
    ) -> anyhow::Result<ExitCode> {
        let mut out = BufWriter::new(output);
        let mut bad = 0usize;
        let mut campaigns = Campaigns::new(self.campaign.clone());
        // Counters for the summary on stderr: actions, and what shadow rules would have done.
        let mut actions: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
        let mut shadow: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        let number = for_each_line(input, |number, line| {
            match parse_line(line, max_line)
                .and_then(|event| self.verdict(event, scene, scratch, Some(&mut campaigns)))
            {
                Ok(verdict) => {
                    *actions
                        .entry(menshen_policy::testing::action_name(verdict.action))
                        .or_insert(0) += 1;
                    for reason in &verdict.shadow {
                        *shadow.entry(reason.rule.clone()).or_insert(0) += 1;
                    }
                    serde_json::to_writer(&mut out, &verdict)?;
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
            Ok(())
        })?;
        out.flush()?;
        eprintln!(
            "menshen: actions: {}",
            if actions.is_empty() {
                "none".into()
            } else {
                summary(&actions)
            }
        );
        if !shadow.is_empty() {
            eprintln!("menshen: shadow rules matched: {}", summary(&shadow));
        }
        if bad > 0 {
            eprintln!(
                "menshen: {bad} of {number} lines could not be read (see the error objects in the output)"
            );
            return Ok(ExitCode::from(1));
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// Call `each` with the number (1-based) and bytes of every non-blank line of `input`, reusing
/// one buffer, so memory is bounded by the longest line. Returns how many lines were read.
fn for_each_line(
    mut input: impl BufRead,
    mut each: impl FnMut(usize, &[u8]) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let (mut line, mut number) = (Vec::new(), 0);
    loop {
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .context("reading input")?
            == 0
        {
            return Ok(number);
        }
        number += 1;
        let trimmed = line.trim_ascii();
        if !trimmed.is_empty() {
            each(number, trimmed)?;
        }
    }
}

fn audit_verify(data: &std::path::Path) -> anyhow::Result<ExitCode> {
    use menshen_state::store::{SqliteStore, Store, StoreError};
    if !data.join("menshen.db").exists() {
        bail!(
            "no store at {}; pass the data folder with --data",
            data.display()
        );
    }
    let store = SqliteStore::open(data)?;
    match store.verify() {
        Ok(count) => {
            out!("ok: {count} audit records, chain intact");
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Chain(problem)) => {
            out!("broken: {problem}");
            Ok(ExitCode::from(1))
        }
        Err(other) => Err(other.into()),
    }
}

fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// "a 3, b 1" for a counter map.
fn summary<K: std::fmt::Display>(counts: &std::collections::BTreeMap<K, u64>) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
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

fn deliver(prefs: &PathBuf, data: &DataArgs) -> anyhow::Result<ExitCode> {
    use menshen_policy::deliver::Preferences;
    let mut input = String::new();
    io::stdin()
        .read_to_string(&mut input)
        .context("reading the verdict on standard input")?;
    let verdict: menshen_policy::Verdict = serde_json::from_str(&input)
        .context("standard input is not a verdict as `menshen check` prints it")?;
    let prefs: std::collections::BTreeMap<String, Preferences> =
        serde_json::from_str(&read(prefs, "preferences")?).with_context(|| {
            format!(
                "{} is not a JSON object of recipient to choices",
                prefs.display()
            )
        })?;
    let analyzer = build_analyzer(data)?;
    let policy = build_policy(data, &analyzer)?;
    let profile = policy
        .select(Some(&verdict.policy.profile), None)
        .map_err(anyhow::Error::msg)?;
    let deliveries = menshen_policy::deliver::deliver(
        &verdict,
        &profile.user_choice,
        prefs.iter().map(|(id, p)| (id.as_str(), p)),
    );
    let mut out = BufWriter::new(io::stdout().lock());
    for delivery in deliveries {
        serde_json::to_writer(&mut out, &delivery)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A recorded event for replay.
#[derive(Deserialize)]
struct RecordedEvent {
    text: String,
    #[serde(default)]
    scene: Option<Scene>,
    #[serde(default)]
    sender: Option<String>,
    #[serde(default)]
    label: Option<serde_json::Value>,
    #[serde(default)]
    standing: Option<Standing>,
}

fn replay(
    baseline: &str,
    candidate: &str,
    html: Option<&std::path::Path>,
    events: &PathBuf,
    data: &DataArgs,
) -> anyhow::Result<ExitCode> {
    use menshen_policy::replay::{Label, Replay};
    let analyzer = build_analyzer(data)?;
    let policy = build_policy(data, &analyzer)?;
    let base = policy
        .select(Some(baseline), None)
        .map_err(anyhow::Error::msg)?;
    let cand = policy
        .select(Some(candidate), None)
        .map_err(anyhow::Error::msg)?;
    let file =
        std::fs::File::open(events).with_context(|| format!("opening {}", events.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = indicatif::ProgressBar::with_draw_target(
        Some(size),
        indicatif::ProgressDrawTarget::stderr(),
    );
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let input = io::BufReader::new(progress.wrap_read(file));
    let sanctions = Sanctions::default();
    let mut report = Replay::new(&base.name, &cand.name);
    let mut scratch = Scratch::default();
    let mut bad = Vec::new();
    for_each_line(input, |number, line| {
        let event: RecordedEvent = match std::str::from_utf8(line)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(t).map_err(|e| e.to_string()))
        {
            Ok(event) => event,
            Err(e) => {
                bad.push(format!("line {number}: {e}"));
                return Ok(());
            }
        };
        let label = event.label.as_ref().and_then(|l| match l {
            serde_json::Value::String(s) => Label::parse(s),
            other => Label::parse(&other.to_string()),
        });
        let facts = analyzer.analyze_with(&event.text, &mut scratch);
        let mut situation = Situation::new(event.scene.unwrap_or_default(), &sanctions);
        if let Some(standing) = &event.standing {
            situation = situation.with_standing(standing);
        }
        let (b, c) = (
            policy.decide(base, &facts, situation),
            policy.decide(cand, &facts, situation),
        );
        report.add(&event.text, event.sender.as_deref(), label, &b, &c);
        Ok(())
    })?;
    progress.finish_and_clear();
    std::io::Write::write_all(&mut io::stdout().lock(), report.text_report().as_bytes())?;
    if !bad.is_empty() {
        out!(
            "\n{} lines could not be read; the first: {}",
            bad.len(),
            bad.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
        );
    }
    if let Some(path) = html {
        std::fs::write(path, report.html_report())
            .with_context(|| format!("writing {}", path.display()))?;
        out!("HTML report: {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn policy_test(names: &[String], data: &DataArgs) -> anyhow::Result<ExitCode> {
    let analyzer = build_analyzer(data)?;
    let policy = build_policy(data, &analyzer)?;
    let profiles = names
        .iter()
        .map(|n| policy.select(Some(n), None).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let report = testing::run(&policy, &analyzer, &profiles);
    for failure in &report.failures {
        out!("FAIL {failure}");
    }
    out!(
        "policy: {} passed, {} failed",
        report.passed,
        report.failures.len()
    );
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn policy_lint(data: &DataArgs) -> anyhow::Result<ExitCode> {
    let analyzer = build_analyzer(data)?;
    match build_policy(data, &analyzer) {
        Ok(policy) => {
            let rules: usize = policy.profiles().iter().map(|p| p.rules.len()).sum();
            out!("ok: {} profiles, {rules} rules", policy.profiles().len());
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            out!("{error:#}");
            Ok(ExitCode::from(1))
        }
    }
}

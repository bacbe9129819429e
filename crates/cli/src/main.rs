//! `menshen`: the command line of the menshen policy gate.

/// Print a line to standard output. Failing to write (a closed pipe: `menshen … | head`)
/// ends the command through `?`; `main` treats a closed pipe as a normal end.
macro_rules! out {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stdout().lock(), format_args!("{}\n", format_args!($($arg)*)))?
    };
}

mod check;
mod learn;
mod profiles;
mod server;

use std::{ffi::OsString, io, path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use menshen_detect::AnalyzerConfig;
use menshen_policy::Scene;

#[derive(Parser)]
#[command(
    name = "menshen",
    version,
    about = "A policy gate for chat and social platforms",
    after_help = "Exit status: 0 when the command did its work; 1 when it did, and what it checked failed \
(policy tests, the audit chain, unreadable event lines, written as error objects); 2 when it could \
not (bad arguments, a file that does not load, no store). Errors go to standard error as `menshen: …`."
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
        /// The verdict, as `check` prints it (default: standard input).
        #[arg(long, value_name = "FILE")]
        verdict: Option<PathBuf>,
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
    /// Run the HTTP API with the embedded store (`./menshen-data` by default), or with the
    /// PostgreSQL database `MENSHEN_DATABASE_URL` (or `database_url`) names.
    Serve(server::ServeArgs),
    /// Create or upgrade the store's schema (the embedded file, or the PostgreSQL database)
    /// and print its version; `serve` does the same when it starts.
    Migrate {
        #[command(flatten)]
        store: server::StoreArgs,
    },
    /// Write every row of the store as JSON lines (to move it to another backend with
    /// `import`; the audit chain travels as it is).
    Export {
        /// Where to write (default: standard output).
        #[arg(long, value_name = "FILE")]
        to: Option<PathBuf>,
        #[command(flatten)]
        store: server::StoreArgs,
    },
    /// Load an export into a new, empty store (the embedded one, or PostgreSQL with
    /// MENSHEN_DATABASE_URL), then verify its audit chain. The store's folder must hold the
    /// source's `audit.key`.
    Import {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        #[command(flatten)]
        store: server::StoreArgs,
    },
    /// Manage API tokens.
    #[command(subcommand)]
    Token(server::TokenCommand),
    /// Train a spam-score model on labelled messages (TSV `label<TAB>text` or JSONL).
    Train(TrainArgs),
    /// Measure the spam score (of --model, else the shipped model) on labelled messages, and
    /// with --verdicts what the verdicts do with them in every scene.
    Eval {
        #[arg(long = "data", value_name = "FILE", required = true)]
        data: Vec<String>,
        /// Also decide every message in every scene and report, per scene, the precision and
        /// recall of withholding (hide, hold, block) and of warning or stricter, and the
        /// innocent messages that would earn strikes.
        #[arg(long)]
        verdicts: bool,
        /// With --verdicts: decide under this profile (default: the one in force now).
        #[arg(long)]
        profile: Option<String>,
        /// Use this threshold instead of the model's.
        #[arg(long)]
        threshold: Option<f64>,
        /// Write the precision-recall curve as SVG here.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
        #[command(flatten)]
        analysis: DataArgs,
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
        /// Also save the text report here, named by time and profiles; the console's policy
        /// page shows the newest (`<data dir>/replays`).
        #[arg(long, value_name = "DIR")]
        save_to: Option<PathBuf>,
        /// Events, one JSON object a line.
        events: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// `menshen train`'s arguments.
#[derive(clap::Args)]
pub struct TrainArgs {
    /// Labelled files; may be given several times.
    #[arg(
        long = "data",
        value_name = "FILE",
        required_unless_present = "from_store"
    )]
    pub data: Vec<String>,
    /// Also learn from the messages people labelled in a server's store (verified and
    /// dismissed reports, appeal outcomes): the folder `menshen serve` writes to.
    #[arg(long, value_name = "DIR")]
    pub from_store: Option<PathBuf>,
    /// Where to write the model.
    #[arg(long, value_name = "MODEL")]
    pub out: PathBuf,
    /// Passes over the data.
    #[arg(long, default_value_t = 6)]
    pub epochs: u32,
    /// Seed of the visiting order (same data and seed, same model).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Percent of the messages held back to choose the threshold.
    #[arg(long, default_value_t = 10)]
    pub held: u64,
    /// The precision the threshold must reach on the held-back messages.
    #[arg(long, default_value_t = 0.97)]
    pub precision: f64,
    /// Hold the model's signal weight at this value instead of learning it: for a model
    /// meant for other platforms than its data's (the shipped default uses 0.35).
    #[arg(long, value_name = "WEIGHT")]
    pub model_weight: Option<f64>,
    /// The share of unwanted messages in the traffic the model will judge, when it is not
    /// the data's (labelled sets are often half spam, real chat a few percent): the bias is
    /// shifted so that scores stay probabilities there.
    #[arg(long, value_name = "RATE")]
    pub base_rate: Option<f64>,
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
        #[command(flatten)]
        store: server::StoreArgs,
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
    /// A reputation list added to the shipped ones (a `# category: phishing` line, then one
    /// host per line); may be given several times.
    #[arg(long = "reputation", value_name = "FILE")]
    reputation: Vec<PathBuf>,
    /// An extra lexicon file (term<TAB>category lines); may be given several times.
    #[arg(long = "lexicon", value_name = "FILE")]
    lexicons: Vec<PathBuf>,
    /// Score with this trained model instead of the shipped one (`menshen train` makes one).
    #[arg(long, value_name = "MODEL", conflicts_with = "no_model")]
    model: Option<PathBuf>,
    /// Score without any model: from the other signals alone.
    #[arg(long)]
    no_model: bool,
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
    /// With --jsonl: read the events from this file instead of standard input.
    #[arg(long, value_name = "FILE", requires = "jsonl")]
    events: Option<PathBuf>,
    /// Treat this domain (and its subdomains) as sanctioned; may be given several times.
    #[arg(long = "sanctioned-domain", value_name = "DOMAIN")]
    sanctioned_domains: Vec<String>,
    /// Read the sanctions in force (banned domains and apps) from this embedded store.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
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
    /// The language of the verdict's texts (reasons, notices): zh-CN or en.
    #[arg(long, default_value = "zh-CN")]
    locale: menshen_i18n::Locale,
    /// With --jsonl: analyze on this many threads (0: one per core). Verdicts come out in the
    /// order the events came in.
    #[arg(long, default_value_t = 0, requires = "jsonl")]
    threads: usize,
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
    menshen_policy::time::parse_rfc3339(s).map_err(|e| anyhow::anyhow!("{what} {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::check(args),
        Command::Deliver {
            verdict,
            prefs,
            data,
        } => profiles::deliver(verdict.as_ref(), &prefs, &data),
        Command::Audit(AuditCommand::Verify { store }) => audit_verify(&store),
        Command::Serve(args) => server::serve(args),
        Command::Migrate { store } => migrate(&store),
        Command::Export { to, store } => export(to.as_deref(), &store),
        Command::Import { from, store } => import(&from, &store),
        Command::Token(command) => server::token(command),
        Command::Train(args) => learn::train(&args),
        Command::Eval {
            data,
            verdicts,
            profile,
            threshold,
            plot,
            analysis,
        } => learn::eval(
            &analysis,
            &data,
            threshold,
            plot.as_deref(),
            verdicts.then_some(profile.as_deref()),
        ),
        Command::Replay {
            baseline,
            candidate,
            html,
            save_to,
            events,
            data,
        } => profiles::replay(
            &baseline,
            &candidate,
            html.as_deref(),
            save_to.as_deref(),
            &events,
            &data,
        ),
        Command::Policy(PolicyCommand::Test { profiles, data }) => {
            profiles::policy_test(&profiles, &data)
        }
        Command::Policy(PolicyCommand::Lint { files, data }) => {
            let data = DataArgs {
                policies: data.policies.into_iter().chain(files).collect(),
                ..data
            };
            profiles::policy_lint(&data)
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

/// The engine (analyzer and policy) from the shipped data and the operator's files: the same
/// builder `menshen serve` uses.
fn build_engine(
    data: &DataArgs,
) -> Result<menshen_server::engine::Engine, menshen_server::engine::EngineError> {
    menshen_server::engine::Engine::build(
        &menshen_server::engine::EngineSources {
            policies: data.policies.clone(),
            lexicons: data.lexicons.clone(),
            registry: data.registry.clone(),
            reputation: data.reputation.clone(),
            ladders: None,
            model: data.model.clone(),
            no_model: data.no_model,
        },
        None,
        AnalyzerConfig::default(),
    )
}

fn migrate(store: &server::StoreArgs) -> anyhow::Result<ExitCode> {
    let backend = match store.database_url()? {
        Some(url) => format!(
            "PostgreSQL at {}",
            menshen_state::store::postgres::redacted(&url)
        ),
        None => format!("the embedded store in {}", store.resolve()?.display()),
    };
    let version = store.open()?.schema_version()?;
    out!("ok: {backend} is at schema version {version}");
    Ok(ExitCode::SUCCESS)
}

fn export(to: Option<&std::path::Path>, store: &server::StoreArgs) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let store = store.open_existing()?;
    let mut out: Box<dyn Write> = match to {
        Some(path) => Box::new(io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?,
        )),
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    };
    let count = store.export(&mut |row| {
        let line =
            serde_json::to_string(&row).map_err(|e| StoreErrorKind::Corrupt(e.to_string()))?;
        writeln!(out, "{line}").map_err(|e| StoreErrorKind::Refused(format!("cannot write: {e}")))
    })?;
    out.flush()?;
    eprintln!("menshen: exported {count} rows");
    Ok(ExitCode::SUCCESS)
}

fn import(from: &std::path::Path, store: &server::StoreArgs) -> anyhow::Result<ExitCode> {
    use std::io::BufRead;
    let file = std::fs::File::open(from)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", from.display()))?;
    let mut store = store.open()?;
    let mut rows = io::BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(n, line)| {
            let line = line.map_err(|e| StoreErrorKind::Refused(format!("line {}: {e}", n + 1)))?;
            serde_json::from_str(&line).map_err(|e| {
                StoreErrorKind::Refused(format!(
                    "{}:{}: not a row of `menshen export` ({e})",
                    from.display(),
                    n + 1
                ))
            })
        });
    let count = store.import(&mut rows)?;
    match store.verify() {
        Ok(records) => {
            out!("ok: imported {count} rows; {records} audit records, chain and head intact");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            out!(
                "broken: imported {count} rows, but the chain does not verify ({error}); is the store's audit.key the source's?"
            );
            Ok(ExitCode::from(1))
        }
    }
}

use menshen_state::store::StoreError as StoreErrorKind;

fn audit_verify(store: &server::StoreArgs) -> anyhow::Result<ExitCode> {
    use menshen_state::store::StoreError;
    let store = store.open_existing()?;
    match store.verify() {
        Ok(count) => {
            out!(
                "ok: {count} audit records, chain and head intact, sanctions and strikes as the log says"
            );
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

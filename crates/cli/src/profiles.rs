//! Commands about profiles and their effect: `deliver`, `replay`, `policy test`, `policy lint`.

use std::{
    io::{self, BufWriter, Read, Write},
    path::PathBuf,
    process::ExitCode,
};

use anyhow::Context as _;
use menshen_detect::Scratch;
use menshen_policy::{Sanctions, Scene, Situation, Standing, testing};
use serde::Deserialize;

use crate::{
    DataArgs, build_engine,
    check::{TooLong, for_each_line},
    read,
};

/// The longest recorded event `replay` reads; a longer line is reported and skipped.
const MAX_EVENT_LINE_BYTES: usize = 64 << 20;

pub(crate) fn deliver(
    verdict: Option<&PathBuf>,
    prefs: &PathBuf,
    data: &DataArgs,
) -> anyhow::Result<ExitCode> {
    use menshen_policy::deliver::Preferences;
    let (input, source) = match verdict {
        Some(path) => (read(path, "the verdict")?, path.display().to_string()),
        None => {
            let mut input = String::new();
            io::stdin()
                .read_to_string(&mut input)
                .context("reading the verdict on standard input")?;
            (input, "standard input".to_owned())
        }
    };
    let verdict: menshen_policy::Verdict = serde_json::from_str(&input)
        .with_context(|| format!("{source} is not a verdict as `menshen check` prints it"))?;
    let prefs: std::collections::BTreeMap<String, Preferences> =
        serde_json::from_str(&read(prefs, "preferences")?).with_context(|| {
            format!(
                "{} is not a JSON object of recipient to choices",
                prefs.display()
            )
        })?;
    let engine = build_engine(data)?;
    let policy = &engine.policy;
    let profile = policy
        .select(Some(&verdict.policy.profile), None)
        .map_err(anyhow::Error::msg)?;
    let deliveries = menshen_policy::deliver::deliver(
        &menshen_policy::deliver::Deliverable::from(&verdict),
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

pub(crate) fn replay(
    baseline: &str,
    candidate: &str,
    html: Option<&std::path::Path>,
    save_to: Option<&std::path::Path>,
    events: &PathBuf,
    data: &DataArgs,
) -> anyhow::Result<ExitCode> {
    use menshen_policy::replay::{Label, Replay};
    let engine = build_engine(data)?;
    let (analyzer, policy) = (&engine.analyzer, &engine.policy);
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
    let mut bad = Vec::new();
    // Analysis and both decisions on every core; the report adds them up in input order.
    let work = |scratch: &mut Scratch, (number, line): (usize, Result<Vec<u8>, TooLong>)| {
        let event: RecordedEvent = line
            .map_err(|TooLong(length)| {
                format!("the line is {length} bytes, over the limit of {MAX_EVENT_LINE_BYTES}")
            })
            .and_then(|line| String::from_utf8(line).map_err(|e| e.to_string()))
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
            .map_err(|e| format!("line {number}: {e}"))?;
        let label = event.label.as_ref().and_then(|l| match l {
            serde_json::Value::String(s) => Label::parse(s),
            other => Label::parse(&other.to_string()),
        });
        let facts = analyzer.analyze_with(&event.text, scratch);
        let mut situation = Situation::new(event.scene.unwrap_or_default(), &sanctions);
        if let Some(standing) = &event.standing {
            situation = situation.with_standing(standing);
        }
        let (b, c) = (
            policy.decide(base, &facts, situation),
            policy.decide(cand, &facts, situation),
        );
        Ok::<_, String>((event.text, event.sender, label, b, c))
    };
    menshen_policy::pool::ordered(
        menshen_policy::pool::Pool::new(0),
        Scratch::default,
        work,
        |(_, line)| line.as_ref().map_or(0, Vec::len),
        |push| {
            for_each_line(input, MAX_EVENT_LINE_BYTES, |number, line| {
                push((number, line.map(<[u8]>::to_vec)))
            })
        },
        |decided| {
            match decided {
                Ok((text, sender, label, b, c)) => {
                    report.add(&text, sender.as_deref(), label, &b, &c)
                }
                Err(line) => bad.push(line),
            }
            Ok(())
        },
    )?;
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
    if let Some(dir) = save_to {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let name = format!(
            "{}-{}-vs-{}.txt",
            jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ"),
            base.name,
            cand.name
        );
        let path = dir.join(name);
        std::fs::write(&path, report.text_report())
            .with_context(|| format!("writing {}", path.display()))?;
        out!("saved: {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn policy_test(names: &[String], data: &DataArgs) -> anyhow::Result<ExitCode> {
    let engine = build_engine(data)?;
    let (analyzer, policy) = (&engine.analyzer, &engine.policy);
    let profiles = names
        .iter()
        .map(|n| policy.select(Some(n), None).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let report = testing::run(policy, analyzer, &profiles);
    for failure in &report.failures {
        out!("FAIL {failure}");
    }
    for ((profile, rule), (count, message)) in &report.rule_errors {
        out!("ERROR {profile}: rule {rule} failed to evaluate {count} times: {message}");
    }
    out!(
        "policy: {} passed, {} failed, {} rules with evaluation errors",
        report.passed,
        report.failures.len(),
        report.rule_errors.len()
    );
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn policy_lint(data: &DataArgs) -> anyhow::Result<ExitCode> {
    match build_engine(data) {
        Ok(engine) => {
            let policy = &engine.policy;
            let rules: usize = policy.profiles().iter().map(|p| p.rules.len()).sum();
            out!("ok: {} profiles, {rules} rules", policy.profiles().len());
            Ok(ExitCode::SUCCESS)
        }
        // A file that does not load is an error like any other: `menshen:` and exit 2.
        Err(error) => Err(error.into()),
    }
}

//! `menshen check`: analyze and decide one text or a stream of events.

use std::{
    io::{self, BufRead, BufWriter, Write},
    process::ExitCode,
};

use anyhow::{Context as _, bail};
use menshen_detect::{Analyzer, Attachment, Scratch};
use menshen_policy::{Policy, Profile, Sanctions, Scene, Situation, Standing};
use menshen_state::campaign::{CampaignConfig, Campaigns};
use serde::Deserialize;

use crate::{CheckArgs, build_engine, parse_time};

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
    /// The language of this verdict's texts, as the server reads it; else `--locale`.
    #[serde(default)]
    locale: Option<menshen_i18n::Locale>,
}

pub(crate) fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let at = args
        .at
        .as_deref()
        .map(|at| parse_time(at, "--at"))
        .transpose()?;
    let engine = build_engine(&args.data)?;
    let (analyzer, policy) = (&engine.analyzer, &engine.policy);
    // Fail early on an unknown profile name, before reading any input.
    policy
        .select(args.profile.as_deref(), at)
        .map_err(anyhow::Error::msg)?;
    let mut sanctions = Sanctions {
        domains: args
            .sanctioned_domains
            .iter()
            .map(|d| match menshen_detect::links::host::canonical_host(d) {
                Ok(menshen_detect::links::host::CanonicalHost::Domain(domain)) => Ok(domain),
                Ok(_) => bail!("--sanctioned-domain `{d}` is an IP address, not a domain"),
                Err(error) => bail!("--sanctioned-domain: {error}"),
            })
            .collect::<anyhow::Result<_>>()?,
        apps: args.sanctioned_apps.iter().cloned().collect(),
    };
    let registry = analyzer.registry();
    if let Some(unknown) = args
        .sanctioned_apps
        .iter()
        .find(|app| registry.platform_by_name(app).is_none())
    {
        let known: Vec<&str> = registry.platforms().iter().map(|p| p.id.as_str()).collect();
        bail!(
            "--sanctioned-app `{unknown}` is not a platform of the registry; use one of: {}",
            known.join(", ")
        );
    }
    if let Some(dir) = &args.store {
        use menshen_state::audit::SubjectKind;
        let url = std::env::var("MENSHEN_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty());
        if url.is_none() && !dir.join("menshen.db").exists() {
            anyhow::bail!(
                "no store at {}; pass the data folder of `menshen serve` with --store",
                dir.display()
            );
        }
        let store = crate::server::open_store(dir, url.as_deref(), true)?;
        let when = at.unwrap_or_else(jiff::Timestamp::now).as_second();
        sanctions.domains.extend(
            store
                .sanctioned(SubjectKind::Domain, when)?
                .into_iter()
                .map(|d| d.to_lowercase()),
        );
        sanctions
            .apps
            .extend(store.sanctioned(SubjectKind::App, when)?);
    }
    let campaign = CampaignConfig {
        senders: args.campaign_senders,
        window_secs: args.campaign_window,
        ..CampaignConfig::default()
    };
    let gate = Gate {
        campaign,
        analyzer,
        policy,
        sanctions: &sanctions,
        profile: args.profile.as_deref(),
        at,
        locale: args.locale,
    };
    if args.jsonl {
        let input: Box<dyn BufRead> = match &args.events {
            Some(path) => Box::new(io::BufReader::new(
                std::fs::File::open(path)
                    .with_context(|| format!("opening the events file {}", path.display()))?,
            )),
            None => Box::new(io::stdin().lock()),
        };
        return gate.stream(
            input,
            io::stdout().lock(),
            args.scene,
            args.max_line_bytes,
            args.threads,
        );
    }
    let text = args.text.unwrap_or_default();
    let Some(text) = text.to_str() else {
        bail!("TEXT is not valid UTF-8; pass UTF-8 text, or use --jsonl with JSON-escaped text");
    };
    if text.trim().is_empty() {
        bail!(
            "TEXT is empty: there is nothing to check; give the message, or use --jsonl to read events from standard input"
        );
    }
    let event = Event {
        id: None,
        ts: None,
        scene: Some(args.scene),
        sender: None,
        text: text.to_owned(),
        attachments: Vec::new(),
        standing: None,
        locale: None,
    };
    let verdict = gate
        .verdict(event, args.scene, &mut Scratch::default())
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
    locale: menshen_i18n::Locale,
}

impl Gate<'_> {
    /// The profile for an event: --profile, else --at, else the event's ts, else the default.
    fn profile_for(&self, event: &Event) -> Result<&Profile, String> {
        let at = match (self.at, &event.ts) {
            (Some(at), _) => Some(at),
            (None, Some(ts)) => {
                Some(menshen_policy::time::parse_rfc3339(ts).map_err(|e| format!("ts {e}"))?)
            }
            (None, None) => None,
        };
        self.policy.select(self.profile, at)
    }

    /// Analyze and decide one event (no campaign tracking: one message alone).
    fn verdict(
        &self,
        event: Event,
        default_scene: Scene,
        scratch: &mut Scratch,
    ) -> Result<menshen_policy::Verdict, String> {
        let analyzed = self.analyze(event, scratch, false)?;
        self.decide(analyzed, default_scene, None)
    }

    /// Analyze one event; with `campaigns`, an event with a sender and a time gets the
    /// fingerprint a campaign is counted by.
    fn analyze(
        &self,
        event: Event,
        scratch: &mut Scratch,
        campaigns: bool,
    ) -> Result<Analyzed, String> {
        // An unknown profile or a bad time is this line's error, found before any work.
        self.profile_for(&event)?;
        let mut facts = self.analyzer.analyze_with(&event.text, scratch);
        if campaigns && event.sender.is_some() && event.ts.is_some() {
            facts.fingerprint = self
                .analyzer
                .last_fingerprint(scratch)
                .map(|f| format!("{f:016x}"));
        }
        self.analyzer
            .analyze_attachments(&event.attachments, scratch, &mut facts);
        Ok(Analyzed { event, facts })
    }

    /// Decide an analyzed event. With a campaign tracker, an event with a sender, a time and a
    /// fingerprint adds `signals.campaign` (1 or 0) and `signals.campaign_senders` to its
    /// standing.
    fn decide(
        &self,
        Analyzed { event, facts }: Analyzed,
        default_scene: Scene,
        campaigns: Option<&mut Campaigns>,
    ) -> Result<menshen_policy::Verdict, String> {
        let profile = self.profile_for(&event)?;
        let mut standing = event.standing.clone();
        let observed = match (campaigns, &event.sender, &event.ts, &facts.fingerprint) {
            (Some(campaigns), Some(sender), Some(ts), Some(fingerprint)) => {
                let now = menshen_policy::time::parse_rfc3339(ts).map_err(|e| format!("ts {e}"))?;
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
        let mut situation = Situation::new(event.scene.unwrap_or(default_scene), self.sanctions)
            .in_locale(event.locale.unwrap_or(self.locale));
        if let Some(standing) = &standing {
            situation = situation.with_standing(standing);
        }
        Ok(self.policy.verdict(profile, event.id, facts, situation))
    }

    /// What a worker makes of one line: the verdict written out, or (when rules read
    /// campaigns, which count senders in input order) the analysis, decided in order.
    fn work(
        &self,
        scratch: &mut Scratch,
        (number, line): (usize, Line),
        scene: Scene,
        max_line: usize,
        campaigns: bool,
    ) -> (usize, Checked) {
        let line = match &line {
            Line::Read(bytes) => Ok(bytes.as_slice()),
            Line::TooLong(too_long) => Err(*too_long),
        };
        let analyzed = parse_line(line, max_line).and_then(|event| {
            self.analyze(event, scratch, campaigns)
                .map_err(LineError::from)
        });
        let checked = match analyzed {
            Err(error) => Checked::Bad(error),
            Ok(analyzed) if campaigns => Checked::Analyzed(Box::new(analyzed)),
            Ok(analyzed) => match self.decide(analyzed, scene, None) {
                Ok(verdict) => Checked::Decided(Written::of(&verdict)),
                Err(error) => Checked::Bad(error.into()),
            },
        };
        (number, checked)
    }

    /// Read events line by line and write a verdict (or an error object) per line, in input
    /// order, analyzing on `threads` threads. Memory stays bounded by the longest line and the
    /// pool's window; buffers are reused. Fails if any line was bad.
    fn stream(
        &self,
        input: impl BufRead,
        output: impl Write,
        scene: Scene,
        max_line: usize,
        threads: usize,
    ) -> anyhow::Result<ExitCode> {
        let mut out = BufWriter::new(output);
        let mut bad = 0usize;
        let track = self.policy.reads_signals();
        let mut campaigns = Campaigns::new(self.campaign.clone());
        // Counters for the summary on stderr: actions, and what shadow rules would have done.
        let mut actions: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
        let mut shadow: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        let mut write = |(number, checked): (usize, Checked)| -> anyhow::Result<()> {
            let checked = match checked {
                Checked::Analyzed(analyzed) => {
                    match self.decide(*analyzed, scene, Some(&mut campaigns)) {
                        Ok(verdict) => Checked::Decided(Written::of(&verdict)),
                        Err(error) => Checked::Bad(error.into()),
                    }
                }
                other => other,
            };
            match checked {
                Checked::Decided(written) => {
                    *actions
                        .entry(menshen_policy::testing::action_name(written.action))
                        .or_insert(0) += 1;
                    for rule in written.shadow {
                        *shadow.entry(rule).or_insert(0) += 1;
                    }
                    out.write_all(&written.json)?;
                }
                Checked::Bad(error) => {
                    bad += 1;
                    serde_json::to_writer(&mut out, &error.at_line(number))?;
                }
                Checked::Analyzed(_) => unreachable!("decided above"),
            }
            out.write_all(b"\n")?;
            Ok(())
        };
        let number = menshen_policy::pool::ordered(
            menshen_policy::pool::Pool::new(threads),
            Scratch::default,
            |scratch, line| self.work(scratch, line, scene, max_line, track),
            |(_, line): &(usize, Line)| match line {
                Line::Read(bytes) => bytes.len(),
                Line::TooLong(_) => 0,
            },
            |push| {
                for_each_line(input, max_line, |number, line| {
                    let line = match line {
                        Ok(bytes) => Line::Read(bytes.to_vec()),
                        Err(too_long) => Line::TooLong(too_long),
                    };
                    push((number, line))
                })
            },
            &mut write,
        )?;
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

/// An event analyzed, not yet decided.
struct Analyzed {
    event: Event,
    facts: menshen_detect::Facts,
}

/// One input line, owned, for a worker.
enum Line {
    Read(Vec<u8>),
    TooLong(TooLong),
}

/// What became of one line.
enum Checked {
    Decided(Written),
    /// Analyzed; to be decided in input order.
    Analyzed(Box<Analyzed>),
    Bad(LineError),
}

/// A verdict as written, with what the summary counts.
struct Written {
    json: Vec<u8>,
    action: menshen_policy::Action,
    shadow: Vec<String>,
}

impl Written {
    fn of(verdict: &menshen_policy::Verdict) -> Self {
        let mut json = Vec::with_capacity(512);
        // Writing JSON into memory fails only on a serializer bug; the line says so.
        if let Err(error) = serde_json::to_writer(&mut json, verdict) {
            json = format!("{{\"error\":\"could not write the verdict: {error}\"}}").into_bytes();
        }
        Written {
            json,
            action: verdict.action,
            shadow: verdict.shadow.iter().map(|r| r.rule.clone()).collect(),
        }
    }
}

/// A line longer than the limit: how many bytes it had. Its bytes were skipped, not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TooLong(pub usize);

/// Call `each` with the number (1-based) and bytes of every non-blank line of `input`, reusing
/// one buffer. A line over `max` bytes is skipped as it is read and reported as [`TooLong`],
/// so memory stays within `max` whatever the input. Returns how many lines were read.
pub(crate) fn for_each_line(
    mut input: impl BufRead,
    max: usize,
    mut each: impl FnMut(usize, Result<&[u8], TooLong>) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let (mut line, mut number) = (Vec::new(), 0);
    loop {
        line.clear();
        let mut length = 0usize;
        let mut ended = false;
        while !ended {
            let buffer = input.fill_buf().context("reading input")?;
            if buffer.is_empty() {
                break;
            }
            let (chunk, used) = match memchr_newline(buffer) {
                Some(at) => {
                    ended = true;
                    (&buffer[..at], at + 1)
                }
                None => (buffer, buffer.len()),
            };
            length += chunk.len();
            if length <= max {
                line.extend_from_slice(chunk);
            }
            input.consume(used);
        }
        if length == 0 && !ended {
            return Ok(number);
        }
        number += 1;
        if length > max {
            each(number, Err(TooLong(length)))?;
            continue;
        }
        let trimmed = line.trim_ascii();
        if !trimmed.is_empty() {
            each(number, Ok(trimmed))?;
        }
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one long line without ever holding it: what `for_each_line`
    /// keeps is all that is in memory.
    struct Repeat {
        left: usize,
        tail: &'static [u8],
    }

    impl io::Read for Repeat {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.left > 0 {
                let n = out.len().min(self.left);
                out[..n].fill(b'a');
                self.left -= n;
                return Ok(n);
            }
            let n = out.len().min(self.tail.len());
            out[..n].copy_from_slice(&self.tail[..n]);
            self.tail = &self.tail[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_while_it_is_read() {
        let input = io::BufReader::new(Repeat {
            left: 50 << 20,
            tail: b"\n{\"text\":\"hi\"}\n",
        });
        let mut seen = Vec::new();
        let lines = for_each_line(input, 1000, |number, line| {
            seen.push((number, line.map(<[u8]>::to_vec)));
            Ok(())
        })
        .unwrap();
        assert_eq!(lines, 2);
        assert_eq!(
            seen,
            [
                (1, Err(TooLong(50 << 20))),
                (2, Ok(b"{\"text\":\"hi\"}".to_vec()))
            ]
        );
    }
}

/// "a 3, b 1" for a counter map.
fn summary<K: std::fmt::Display>(counts: &std::collections::BTreeMap<K, u64>) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What went wrong with one line of `--jsonl` input, written in its place as
/// `{"line":N,"column":C,"error":"…"}`: the position once, in fields, and the message without it.
#[derive(Debug, serde::Serialize)]
struct LineError {
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    error: String,
}

impl From<String> for LineError {
    fn from(error: String) -> Self {
        LineError {
            line: 0,
            column: None,
            error,
        }
    }
}

impl LineError {
    fn at_line(self, line: usize) -> Self {
        LineError { line, ..self }
    }
}

fn parse_line(line: Result<&[u8], TooLong>, max_line: usize) -> Result<Event, LineError> {
    let line = line.map_err(|TooLong(length)| {
        LineError::from(format!(
            "the line is {length} bytes, over the limit of {max_line}; raise --max-line-bytes"
        ))
    })?;
    let text = std::str::from_utf8(line).map_err(|e| LineError {
        column: Some(e.valid_up_to() + 1),
        ..format!("invalid UTF-8 at byte {}; send UTF-8 JSON", e.valid_up_to()).into()
    })?;
    let event: Event = serde_json::from_str(text).map_err(|e| LineError {
        column: Some(e.column()),
        ..json_message(&e).into()
    })?;
    if event.text.trim().is_empty() {
        return Err(String::from("`text` is empty: there is nothing to check").into());
    }
    if event.text.len() > menshen_text::MAX_INPUT_BYTES {
        return Err(String::from("the text is longer than 4 GiB").into());
    }
    Ok(event)
}

/// serde_json's message without the " at line L column C" it appends: the error object
/// carries the position in its own fields.
fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

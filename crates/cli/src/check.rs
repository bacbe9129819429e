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
struct Event<'a> {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    ts: Option<String>,
    #[serde(default)]
    scene: Option<Scene>,
    #[serde(default)]
    sender: Option<String>,
    /// Borrowed from the line where it has no escapes: a huge text is not copied.
    #[serde(borrow)]
    text: std::borrow::Cow<'a, str>,
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
        text: text.into(),
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
    fn profile_for(&self, event: &Event<'_>) -> Result<&Profile, String> {
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
        event: Event<'_>,
        default_scene: Scene,
        scratch: &mut Scratch,
    ) -> Result<menshen_policy::Verdict, String> {
        let analyzed = self.analyze(event, scratch, false)?;
        self.decide(analyzed, default_scene, None)
    }

    /// Analyze one event; with `campaigns`, an event with a sender and a time gets the
    /// fingerprint a campaign is counted by.
    fn analyze<'a>(
        &self,
        event: Event<'a>,
        scratch: &mut Scratch,
        campaigns: bool,
    ) -> Result<Analyzed<'a>, String> {
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
        Analyzed { event, facts }: Analyzed<'_>,
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

    /// What a worker makes of a block of lines: the verdicts written out, or (when rules read
    /// campaigns, which count senders in input order) the analyses, decided in order.
    fn work(
        &self,
        scratch: &mut Scratch,
        block: Block,
        scene: Scene,
        max_line: usize,
        campaigns: bool,
    ) -> Worked {
        let mut worked = Worked {
            out: Vec::with_capacity(block.bytes.len() * 4),
            ..Worked::default()
        };
        for (number, line) in block.lines {
            let line = line.map(|range| &block.bytes[range]);
            let analyzed = parse_line(line, max_line).and_then(|event| {
                self.analyze(event, scratch, campaigns)
                    .map_err(LineError::from)
            });
            match analyzed {
                Ok(analyzed) if campaigns => {
                    worked
                        .pending
                        .push((number, Ok(Box::new(analyzed.into_owned()))));
                }
                Err(error) if campaigns => worked.pending.push((number, Err(error))),
                analyzed => {
                    let verdict =
                        analyzed.and_then(|a| self.decide(a, scene, None).map_err(LineError::from));
                    worked.write(number, verdict);
                }
            }
        }
        worked
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
        let track = self.policy.reads_signals();
        let mut campaigns = Campaigns::new(self.campaign.clone());
        let mut total = Worked::default();
        let mut write = |mut worked: Worked| -> anyhow::Result<()> {
            for (number, analyzed) in std::mem::take(&mut worked.pending) {
                let verdict = analyzed.and_then(|a| {
                    self.decide(*a, scene, Some(&mut campaigns))
                        .map_err(LineError::from)
                });
                worked.write(number, verdict);
            }
            out.write_all(&worked.out)?;
            total.add(worked);
            Ok(())
        };
        // Lines go to the workers in blocks: one buffer each way per block, not per line.
        let pool = menshen_policy::pool::Pool {
            batch_items: 1,
            ..menshen_policy::pool::Pool::new(threads)
        };
        let number = menshen_policy::pool::ordered(
            pool,
            Scratch::default,
            |scratch, block| self.work(scratch, block, scene, max_line, track),
            |block: &Block| block.bytes.len(),
            |push| {
                let (mut lines, mut bytes) = (Vec::new(), Vec::new());
                let number = read_lines(input, max_line, &mut bytes, |bytes, number, line| {
                    lines.push((number, line));
                    if lines.len() >= 256 || bytes.len() >= 256 << 10 {
                        push(Block {
                            bytes: std::mem::take(bytes),
                            lines: std::mem::take(&mut lines),
                        })?;
                    }
                    Ok(())
                })?;
                if !lines.is_empty() {
                    push(Block { bytes, lines })?;
                }
                Ok(number)
            },
            &mut write,
        )?;
        out.flush()?;
        eprintln!(
            "menshen: actions: {}",
            if total.actions.is_empty() {
                "none".into()
            } else {
                summary(&total.actions)
            }
        );
        if !total.shadow.is_empty() {
            eprintln!("menshen: shadow rules matched: {}", summary(&total.shadow));
        }
        if total.bad > 0 {
            eprintln!(
                "menshen: {} of {number} lines could not be read (see the error objects in the output)",
                total.bad
            );
            return Ok(ExitCode::from(1));
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// An event analyzed, not yet decided.
struct Analyzed<'a> {
    event: Event<'a>,
    facts: menshen_detect::Facts,
}

impl Analyzed<'_> {
    /// The same, owning its text (to wait for the events before it).
    fn into_owned(self) -> Analyzed<'static> {
        Analyzed {
            event: Event {
                text: self.event.text.into_owned().into(),
                ..self.event
            },
            facts: self.facts,
        }
    }
}

/// Lines read, for one worker: their bytes in one buffer.
struct Block {
    bytes: Vec<u8>,
    lines: Vec<(usize, Result<std::ops::Range<usize>, TooLong>)>,
}

/// What became of a block: verdicts and errors written, what the summary counts, and the
/// events still to be decided in order.
#[derive(Default)]
struct Worked {
    out: Vec<u8>,
    actions: std::collections::BTreeMap<&'static str, u64>,
    shadow: std::collections::BTreeMap<String, u64>,
    bad: usize,
    pending: Vec<(usize, Result<Box<Analyzed<'static>>, LineError>)>,
}

impl Worked {
    /// Write one line's verdict, or its error object.
    fn write(&mut self, number: usize, verdict: Result<menshen_policy::Verdict, LineError>) {
        let written = match verdict {
            Ok(verdict) => {
                *self
                    .actions
                    .entry(menshen_policy::testing::action_name(verdict.action))
                    .or_insert(0) += 1;
                for reason in &verdict.shadow {
                    *self.shadow.entry(reason.rule.clone()).or_insert(0) += 1;
                }
                serde_json::to_writer(&mut self.out, &verdict)
            }
            Err(error) => {
                self.bad += 1;
                serde_json::to_writer(&mut self.out, &error.at_line(number))
            }
        };
        // Writing JSON into memory fails only on a serializer bug; the line says so.
        if let Err(error) = written {
            self.out.extend_from_slice(
                format!("{{\"line\":{number},\"error\":\"could not write the verdict: {error}\"}}")
                    .as_bytes(),
            );
        }
        self.out.push(b'\n');
    }

    fn add(&mut self, other: Worked) {
        for (action, n) in other.actions {
            *self.actions.entry(action).or_insert(0) += n;
        }
        for (rule, n) in other.shadow {
            *self.shadow.entry(rule).or_insert(0) += n;
        }
        self.bad += other.bad;
    }
}

/// A line longer than the limit: how many bytes it had. Its bytes were skipped, not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TooLong(pub usize);

/// Call `each` with the number (1-based) and bytes of every non-blank line of `input`, reusing
/// one buffer. A line over `max` bytes is skipped as it is read and reported as [`TooLong`],
/// so memory stays within `max` whatever the input. Returns how many lines were read.
pub(crate) fn for_each_line(
    input: impl BufRead,
    max: usize,
    mut each: impl FnMut(usize, Result<&[u8], TooLong>) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    read_lines(input, max, &mut Vec::new(), |buffer, number, line| {
        let result = each(number, line.map(|range| &buffer[range]));
        buffer.clear();
        result
    })
}

/// [`for_each_line`] into a buffer the lines are appended to, which `each` may take (a block
/// of lines handed on without copying them) or clear; a line is its range in the buffer.
pub(crate) fn read_lines(
    mut input: impl BufRead,
    max: usize,
    line: &mut Vec<u8>,
    mut each: impl FnMut(
        &mut Vec<u8>,
        usize,
        Result<std::ops::Range<usize>, TooLong>,
    ) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut number = 0;
    loop {
        let start = line.len();
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
            line.truncate(start);
            each(line, number, Err(TooLong(length)))?;
            continue;
        }
        let read = &line[start..];
        let leading = read.len() - read.trim_ascii_start().len();
        let trimmed = read.trim_ascii().len();
        if trimmed == 0 {
            line.truncate(start);
        } else {
            let from = start + leading;
            each(line, number, Ok(from..from + trimmed))?;
        }
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
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

fn parse_line(line: Result<&[u8], TooLong>, max_line: usize) -> Result<Event<'_>, LineError> {
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

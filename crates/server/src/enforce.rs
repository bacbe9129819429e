//! Checking a message and enforcing the verdict: event → analyze → decide → verdict →
//! enforce. [`assess`] reads only memory (the cache and the engine); [`commit`] writes what it
//! decided (offences, audit records) in one critical section.

use std::{cell::RefCell, sync::Arc};

use menshen_detect::{Attachment, Facts, Scratch};
use menshen_i18n::{Locale, Msg, text};
use menshen_policy::{Action, Function, PolicyRef, Reason, Scene, Situation, Verdict};
use menshen_state::{
    audit::{Actor, ActorKind, AuditEvent, Subject, SubjectKind, rfc3339},
    report::{Evidence as ReportEvidence, NewReport, Reason as ReportReason, Reporter},
    sanction::{LadderName, Offence, Sanction},
    standing::{Ban, Standing},
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::{app::App, error::ApiError};

/// A message event (DESIGN.md §3). Only `text` is required; fields this server does not know
/// are ignored, so platforms can send their events as they are.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct MessageEvent {
    #[schema(schema_with = crate::schema::optional_id)]
    pub id: Option<String>,
    /// RFC 3339; picks the profile in force then (the server's clock decides sanctions).
    #[schema(schema_with = crate::schema::optional_timestamp)]
    pub ts: Option<String>,
    /// `direct` (default), `group`, `moment` or `comment`.
    #[schema(schema_with = crate::schema::optional_scene)]
    pub scene: Option<Scene>,
    /// The sending account: without it nothing is enforced, only decided.
    #[schema(schema_with = crate::schema::optional_id)]
    pub sender: Option<String>,
    #[schema(schema_with = crate::schema::optional_id)]
    pub target: Option<String>,
    pub text: String,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub attachments: Vec<Attachment>,
    pub client: Option<Client>,
    /// The language of the verdict's texts: `zh-CN` or `en`. Default: the request's
    /// `Accept-Language`, else the server's `locale`.
    #[schema(schema_with = crate::schema::optional_locale)]
    pub locale: Option<Locale>,
}

/// The sending client.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct Client {
    #[schema(schema_with = crate::schema::optional_id)]
    pub app: Option<String>,
    #[schema(schema_with = crate::schema::optional_id)]
    pub version: Option<String>,
    #[schema(schema_with = crate::schema::optional_id)]
    pub device: Option<String>,
    /// The sender's address: bans on it and on ranges around it apply.
    #[schema(schema_with = crate::schema::optional_ip_address)]
    pub ip: Option<String>,
}

/// A verdict and what was done about it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Checked {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub verdict: Verdict,
    pub enforcement: Enforcement,
}

/// What the verdict did to the sender.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Enforcement {
    /// The sanction this message earned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub sanction: Option<Sanction>,
    /// The review case a held message waits in (strikes follow its verification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<u64>,
    /// The sender's standing after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standing: Option<StandingView>,
}

/// A standing as people read it: times in RFC 3339.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct StandingView {
    pub content_strikes: u32,
    pub automation_strikes: u32,
    pub restrictions: Vec<RestrictionView>,
    /// Set while the account cannot log in or send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned_until: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct RestrictionView {
    pub function: String,
    pub until: String,
}

/// When something ends, for people: RFC 3339, or "permanent".
pub fn until(end: Option<i64>) -> String {
    end.map_or_else(|| "permanent".into(), rfc3339)
}

/// Why a banned account is refused, in words it reads.
pub fn ban_reason(ban: &Ban, locale: Locale) -> String {
    match ban.until {
        Some(end) => text(
            locale,
            Msg::BannedUntil,
            &[("until", &rfc3339(end)), ("reason", &ban.reason)],
        ),
        None => text(locale, Msg::BannedPermanently, &[("reason", &ban.reason)]),
    }
}

/// Why a restricted function is refused: "you cannot post share codes until …".
pub fn refusal_reason(function: Function, until: &str, locale: Locale) -> String {
    let phrase = text(locale, function.phrase(), &[]);
    text(
        locale,
        Msg::Refusal,
        &[("function", &phrase), ("until", until)],
    )
}

/// Why an account arriving through a banned device or address range is refused.
pub fn evasion_reason(ban: &Sanction, locale: Locale) -> String {
    let what = match ban.target.kind {
        SubjectKind::Device => Msg::Device,
        _ => Msg::AddressRange,
    };
    text(
        locale,
        Msg::Evasion,
        &[
            ("what", &text(locale, what, &[])),
            ("target", &ban.target.id),
            ("sanction", &ban.id.to_string()),
        ],
    )
}

impl From<&Standing> for StandingView {
    fn from(standing: &Standing) -> Self {
        StandingView {
            content_strikes: standing.content_strikes,
            automation_strikes: standing.automation_strikes,
            restrictions: standing
                .restrictions
                .iter()
                .map(|r| RestrictionView {
                    function: r.function.as_str().to_owned(),
                    until: until(r.until),
                })
                .collect(),
            banned_until: standing.ban.as_ref().map(|b| until(b.until)),
        }
    }
}

/// A checked message and the writes it calls for.
pub struct Assessment {
    pub checked: Checked,
    pub offence: Option<Offence>,
    pub audit: Option<AuditEvent>,
    /// A held message, for the review queue, with the engine's view of it.
    pub hold: Option<(NewReport, f64)>,
}

/// The reporter id under which the engine files the messages it holds for review (one of
/// the store's system reporters, who are kept out of reporter feedback).
pub const HOLD_REPORTER: &str = "menshen:hold";

#[test]
fn the_hold_reporter_is_a_system_reporter() {
    assert!(HOLD_REPORTER.starts_with(menshen_state::store::SYSTEM_REPORTER_PREFIX));
}

/// The review queue's reason for a held message: its strongest content category.
fn hold_reason(facts: &Facts) -> ReportReason {
    let score = |name: &str| facts.scores.get(name).unwrap_or(0.0);
    let strongest = facts
        .scores
        .iter()
        .filter(|(name, _)| *name != "spam")
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(name, _)| name);
    match strongest {
        Some("counterfeit") if score("counterfeit") > 0.0 => ReportReason::Counterfeit,
        Some("fraud") if score("fraud") > 0.0 => ReportReason::Fraud,
        _ => ReportReason::MarketingSpam,
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

fn account(id: &str) -> Subject {
    Subject {
        kind: SubjectKind::Account,
        id: id.to_owned(),
    }
}

/// A verdict that refuses without analysis (a banned sender, an evader).
fn refusal(event: &MessageEvent, scene: Scene, rule: &str, message: String) -> Verdict {
    Verdict {
        id: event.id.clone(),
        scene: Some(scene),
        action: Action::Block,
        notice: None,
        reasons: vec![Reason {
            rule: rule.to_owned(),
            message,
            notice: None,
            action: Action::Block,
            evidence: Vec::new(),
            strikes: 0,
            restricts: None,
            signals: Vec::new(),
        }],
        facts: Facts::default(),
        policy: PolicyRef {
            profile: "enforcement".into(),
            version: String::new(),
        },
        link_actions: Vec::new(),
        rule_errors: Vec::new(),
        shadow: Vec::new(),
    }
}

/// The first 80 characters: enough for a reviewer to recognise the message, while the full
/// text is kept only with sanctions (retention: excerpts and hashes by default).
fn excerpt(text: &str) -> String {
    text.chars().take(80).collect()
}

/// The first 128 bits of the text's SHA-256, in hex.
fn text_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

/// Decide one message from memory: the sender's standing and the sanctions snapshot come from
/// the cache, nothing touches the disk.
pub fn assess(app: &App, event: MessageEvent, now: i64) -> Result<Assessment, ApiError> {
    let client = event.client.as_ref();
    for (field, id) in [
        ("id", event.id.as_deref()),
        ("sender", event.sender.as_deref()),
        ("target", event.target.as_deref()),
        ("client.device", client.and_then(|c| c.device.as_deref())),
        ("client.app", client.and_then(|c| c.app.as_deref())),
        ("client.version", client.and_then(|c| c.version.as_deref())),
    ] {
        ApiError::check_optional_id(field, id)?;
    }
    let engine = app.engine();
    let scene = event.scene.unwrap_or_default();
    let locale = event.locale.unwrap_or(app.config.locale);
    let ts = match &event.ts {
        Some(ts) => {
            Some(menshen_policy::time::parse_rfc3339(ts).map_err(|e| ApiError::field("ts", e))?)
        }
        None => None,
    };
    let ip =
        match event.client.as_ref().and_then(|c| c.ip.as_deref()) {
            Some(ip) => Some(ip.parse::<std::net::IpAddr>().map_err(|_| {
                ApiError::field("client.ip", format!("`{ip}` is not an IP address"))
            })?),
            None => None,
        };
    let device = event.client.as_ref().and_then(|c| c.device.clone());
    let standing = event
        .sender
        .as_deref()
        .and_then(|s| {
            app.cache()
                .account(s)
                .map(|record| record.standing(&engine.ladders, now))
        })
        .unwrap_or_default();
    let snapshot = app.snapshot(now);
    let snapshot_ban = snapshot.ban_covering(device.as_deref(), ip).cloned();
    let sanctions = &snapshot.sanctions;

    // A banned account sends nothing.
    if let (Some(_), Some(ban)) = (&event.sender, &standing.ban) {
        let verdict = refusal(&event, scene, "sender-banned", ban_reason(ban, locale));
        return Ok(Assessment {
            checked: Checked {
                verdict,
                enforcement: Enforcement {
                    standing: Some(StandingView::from(&standing)),
                    ..Enforcement::default()
                },
            },
            offence: None,
            audit: None,
            hold: None,
        });
    }

    // A banned device or address under an account that is not the banned one: evasion.
    if let (Some(sender), Some(ban)) = (&event.sender, &snapshot_ban)
        && ban.target != account(sender)
    {
        let reason = evasion_reason(ban, locale);
        let evidence = serde_json::json!({
            "message": event.id,
            "banned": ban.target,
            "ban": ban.id,
            "text": event.text,
        });
        let offence = Offence::evasion(account(sender), ban.ladder, reason.clone(), evidence, now);
        let verdict = refusal(&event, scene, "ban-evasion", reason);
        return Ok(Assessment {
            checked: Checked {
                verdict,
                enforcement: Enforcement::default(),
            },
            offence: Some(offence),
            audit: None,
            hold: None,
        });
    }

    // A `ts` before every profile is a device clock gone wrong (reset to 1970 or 2000), not
    // a message from before the rules: refusing it would leave the platform to deliver it
    // unjudged or drop it, so it is judged by the profile in force now, and the verdict says so.
    let (ts, clock_warning) = match (ts, engine.policy.profiles().first()) {
        (Some(at), Some(earliest)) if app.config.profile.is_none() && at < earliest.effective => (
            Some(jiff::Timestamp::from_second(now).unwrap_or(earliest.effective)),
            Some(menshen_detect::Warning {
                attachment: None,
                message: format!(
                    "ts {at} is before the first profile (`{}`, in force from {}); judged by the profile in force now",
                    earliest.name, earliest.effective
                ),
            }),
        ),
        (ts, _) => (ts, None),
    };
    let profile = engine
        .policy
        .select(app.config.profile.as_deref(), ts)
        .map_err(|e| ApiError::field("ts", e))?;
    let facts = SCRATCH.with_borrow_mut(|scratch| {
        let mut facts = engine
            .analyzer
            .analyze_message(&event.text, &event.attachments, scratch);
        facts.warnings.extend(clock_warning);
        // A huge text leaves huge buffers behind; do not keep them for the next message.
        if event.text.len() > INLINE_TEXT_BYTES {
            *scratch = Scratch::default();
        }
        facts
    });
    let policy_standing = event
        .sender
        .as_deref()
        .map(|sender| menshen_policy::Standing {
            strikes: standing.content_strikes,
            restrictions: standing
                .restrictions
                .iter()
                .map(|r| r.function.as_str().to_owned())
                .collect(),
            until: standing
                .restrictions
                .iter()
                .map(|r| (r.function.as_str().to_owned(), until(r.until)))
                .collect(),
            account_age_days: None,
            signals: app.signals_of(sender, now),
        });
    let situation = Situation::new(scene, sanctions).in_locale(locale);
    let situation = match &policy_standing {
        Some(standing) => situation.with_standing(standing),
        None => situation,
    };
    let verdict = engine
        .policy
        .verdict(profile, event.id.clone(), facts, situation);

    let mut offence = None;
    let mut audit = None;
    let mut hold = None;
    // The offence is the reason that carries the strikes: its rule, its message and the
    // function its restriction takes away (the strictest reason may be a refusal with none).
    let striking = verdict
        .reasons
        .iter()
        .filter(|r| r.strikes > 0)
        .max_by_key(|r| (r.strikes, r.action));
    let strikes = striking.map_or(0, |r| r.strikes);
    let rules: Vec<&str> = verdict.reasons.iter().map(|r| r.rule.as_str()).collect();
    let spans: Vec<_> = verdict
        .reasons
        .iter()
        .flat_map(|r| r.evidence.clone())
        .collect();
    if let (Some(sender), Action::Hold) = (&event.sender, verdict.action) {
        // Held for review: the case decides, and strikes follow its verification.
        let id = event
            .id
            .clone()
            .unwrap_or_else(|| format!("sha256:{}", text_hash(&event.text)));
        let quotes: Vec<String> = spans
            .iter()
            .filter_map(|s| event.text.get(s.start..s.end))
            .take(8)
            .map(excerpt)
            .collect();
        let statement = verdict
            .reasons
            .iter()
            .filter(|r| r.action >= Action::Hide)
            .map(|r| {
                let offence = match (r.strikes, r.restricts) {
                    (0, _) => String::new(),
                    (n, Some(function)) => format!(" ({n} strike, {function})"),
                    (n, None) => format!(" ({n} strike)"),
                };
                format!("{}: {}{offence}", r.rule, r.message)
            })
            .collect::<Vec<_>>()
            .join("; ");
        let engine = verdict
            .facts
            .scores
            .iter()
            .map(|(_, score)| score)
            .fold(0.0, f64::max);
        hold = Some((
            NewReport {
                reporter: Reporter {
                    id: HOLD_REPORTER.into(),
                    account_age_days: None,
                    device: None,
                    ip: None,
                },
                subject: Subject {
                    kind: SubjectKind::Message,
                    id,
                },
                account: Some(sender.clone()),
                content: Some(event.text.clone()),
                reason: hold_reason(&verdict.facts),
                statement,
                evidence: ReportEvidence {
                    messages: event.id.iter().cloned().collect(),
                    excerpts: quotes,
                },
                at: now,
            },
            engine,
        ));
    } else if let (Some(sender), Some(first)) = (&event.sender, striking) {
        offence = Some(Offence {
            at: now,
            actor: Actor {
                kind: ActorKind::Rule,
                id: first.rule.clone(),
            },
            target: account(sender),
            ladder: LadderName::Content,
            weight: strikes,
            function: first.restricts,
            rule: Some(first.rule.clone()),
            policy_version: Some(format!("{}@{}", profile.name, profile.version)),
            reason: first.message.clone(),
            evasion: false,
            evidence: serde_json::json!({
                "message": event.id,
                "scene": scene,
                "action": verdict.action,
                "rules": rules,
                "spans": spans,
                "text": event.text,
            }),
            step: None,
        });
    } else if verdict.action >= Action::Hide {
        // Withheld from its recipients: an effect, so it is audited (excerpt and hash only).
        let hash = text_hash(&event.text);
        let id = event.id.clone().unwrap_or_else(|| format!("sha256:{hash}"));
        audit = Some(AuditEvent {
            at: rfc3339(now),
            actor: Actor {
                kind: ActorKind::Rule,
                id: verdict
                    .reasons
                    .first()
                    .map(|r| r.rule.clone())
                    .unwrap_or_default(),
            },
            subject: Subject {
                kind: SubjectKind::Message,
                id,
            },
            action: "verdict".into(),
            reason: verdict
                .reasons
                .first()
                .map(|r| r.message.clone())
                .unwrap_or_default(),
            evidence: serde_json::json!({
                "sender": event.sender,
                "scene": scene,
                "action": verdict.action,
                "rules": rules,
                "spans": spans,
                "excerpt": excerpt(&event.text),
                "text_sha256_128": hash,
            }),
            rule: verdict.reasons.first().map(|r| r.rule.clone()),
            policy_version: Some(format!("{}@{}", profile.name, profile.version)),
        });
    }
    let standing_view = event.sender.as_ref().map(|_| StandingView::from(&standing));
    Ok(Assessment {
        checked: Checked {
            verdict,
            enforcement: Enforcement {
                standing: standing_view,
                ..Enforcement::default()
            },
        },
        offence,
        audit,
        hold,
    })
}

/// Check messages and enforce: assess from memory, then write once for all of them.
pub async fn check_all(
    app: &Arc<App>,
    events: Vec<MessageEvent>,
    now: i64,
) -> Result<Vec<Checked>, ApiError> {
    let mut assessments = assess_all(app, events, now).await?;
    let audits: Vec<AuditEvent> = assessments
        .iter_mut()
        .filter_map(|a| a.audit.take())
        .collect();
    if !audits.is_empty() {
        app.write(move |store, _| store.append_all(audits)).await?;
    }
    let holds: Vec<(usize, NewReport, f64)> = assessments
        .iter_mut()
        .enumerate()
        .filter_map(|(index, a)| {
            a.hold
                .take()
                .map(|(report, engine)| (index, report, engine))
        })
        .collect();
    if !holds.is_empty() {
        let config = app.config.reports.clone();
        let cases = app
            .write(move |store, _| {
                let mut cases = Vec::with_capacity(holds.len());
                for (index, report, engine) in holds {
                    cases.push((index, store.file_report(report, engine, &config)?.1.id));
                }
                Ok(cases)
            })
            .await?;
        for (index, case) in cases {
            assessments[index].checked.enforcement.case = Some(case);
        }
    }
    let (offenders, offences): (Vec<usize>, Vec<Offence>) = assessments
        .iter_mut()
        .enumerate()
        .filter_map(|(index, a)| a.offence.take().map(|o| (index, o)))
        .unzip();
    let sanctions = app.record_offences(offences).await?;
    for (index, sanction) in offenders.into_iter().zip(sanctions) {
        let standing = app
            .cache()
            .account(&sanction.target.id)
            .map(|record| record.standing(&app.engine().ladders, now))
            .unwrap_or_default();
        assessments[index].checked.enforcement = Enforcement {
            sanction: Some(sanction),
            standing: Some(StandingView::from(&standing)),
            case: None,
        };
    }
    let checked: Vec<Checked> = assessments.into_iter().map(|a| a.checked).collect();
    app.metrics
        .count_checks(checked.iter().map(|c| c.verdict.action));
    for error in checked.iter().flat_map(|c| &c.verdict.rule_errors) {
        app.metrics
            .rule_errors
            .get_or_create(&crate::metrics::NameLabel {
                name: error.rule.clone(),
            })
            .inc();
    }
    for reason in checked.iter().flat_map(|c| &c.verdict.shadow) {
        app.metrics
            .shadow
            .get_or_create(&crate::metrics::NameLabel {
                name: reason.rule.clone(),
            })
            .inc();
    }
    for sanction in checked
        .iter()
        .filter_map(|c| c.enforcement.sanction.as_ref())
    {
        app.metrics.sanction(sanction.kind);
    }
    Ok(checked)
}

/// Assess on the calling thread for one message, on all cores for many.
async fn assess_all(
    app: &Arc<App>,
    events: Vec<MessageEvent>,
    now: i64,
) -> Result<Vec<Assessment>, ApiError> {
    // A short text without images is cheaper to analyze than to hand to another thread.
    let light = |e: &MessageEvent| e.text.len() <= INLINE_TEXT_BYTES && e.attachments.is_empty();
    if events.len() <= 1 && events.iter().all(light) {
        return events.into_iter().map(|e| assess(app, e, now)).collect();
    }
    let worker = Arc::clone(app);
    if events.len() <= 1 {
        // One heavy message: one slot of the pool, on its own thread there.
        return app
            .analyze_heavy(1, move || {
                events
                    .into_iter()
                    .map(|e| assess(&worker, e, now))
                    .collect()
            })
            .await?;
    }
    let threads = app.analysis_slots_total() as usize;
    app.analyze_heavy(threads as u32, move || {
        let app = worker;
        // The pool `check --jsonl` and `replay` use, with batches small enough to share the
        // messages evenly among the threads.
        let pool = menshen_policy::pool::Pool {
            batch_items: events.len().div_ceil(threads * 4).max(1),
            ..menshen_policy::pool::Pool::new(threads)
        };
        let mut all = Vec::with_capacity(events.len());
        menshen_policy::pool::ordered::<_, _, _, ApiError, _>(
            pool,
            || (),
            |(), (index, event): (usize, MessageEvent)| {
                assess(&app, event, now).map_err(|mut error| {
                    if let Some(field) = &error.body.field {
                        error.body.field = Some(format!("messages[{index}].{field}"));
                    }
                    error
                })
            },
            |(_, event)| event.text.len(),
            |push| events.into_iter().enumerate().try_for_each(push),
            |assessment| {
                all.push(assessment?);
                Ok(())
            },
        )?;
        Ok(all)
    })
    .await?
}

/// Texts up to this many bytes, without attachments, are analyzed on the async worker that
/// received them; anything larger goes to the blocking pool ([`App::analyze_heavy`]).
pub const INLINE_TEXT_BYTES: usize = 8 * 1024;

/// The analysis and verdict of a text as a group message would get them, with nobody's
/// standing: what a reviewer sees of reported content, and what the engine thinks of it.
pub fn analyze_reported(app: &App, text: &str, now: i64) -> Result<Verdict, ApiError> {
    let engine = app.engine();
    let facts =
        SCRATCH.with_borrow_mut(|scratch| engine.analyzer.analyze_message(text, &[], scratch));
    let snapshot = app.snapshot(now);
    let profile = engine
        .policy
        .select(app.config.profile.as_deref(), None)
        .map_err(ApiError::internal)?;
    Ok(engine.policy.verdict(
        profile,
        None,
        facts,
        Situation::new(Scene::Group, &snapshot.sanctions).in_locale(app.config.locale),
    ))
}

/// What the engine itself makes of a reported subject, 0–1, for a case's priority: the spam
/// score of a reported text (at least 0.8 when the policy would withhold it), the answerable
/// account's strikes and live behaviour signals, a sanction in force on a domain or app.
pub fn engine_view(
    app: &App,
    subject: &Subject,
    account: Option<&str>,
    content: Option<&str>,
    now: i64,
) -> Result<f64, ApiError> {
    let engine = app.engine();
    let mut view: f64 = 0.0;
    if let Some(text) = content {
        let verdict = analyze_reported(app, text, now)?;
        view = view.max(verdict.facts.scores.get("spam").unwrap_or(0.0));
        if verdict.action >= Action::Hide {
            view = view.max(0.8);
        }
    }
    let account = account.or((subject.kind == SubjectKind::Account).then_some(subject.id.as_str()));
    if let Some(account) = account {
        if let Some(record) = app.cache().account(account) {
            let standing = record.standing(&engine.ladders, now);
            if standing.content_strikes + standing.automation_strikes > 0 {
                view = view.max(0.5);
            }
        }
        if let Some(strongest) = app
            .signals_of(account, now)
            .values()
            .copied()
            .reduce(f64::max)
        {
            view = view.max(strongest.clamp(0.0, 1.0));
        }
    }
    let snapshot = app.snapshot(now);
    let sanctioned = match subject.kind {
        SubjectKind::Domain => snapshot.sanctions.domains.contains(&subject.id),
        SubjectKind::App => snapshot.sanctions.apps.contains(&subject.id),
        _ => false,
    };
    if sanctioned {
        view = 1.0;
    }
    Ok(view)
}

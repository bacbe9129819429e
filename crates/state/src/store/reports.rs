//! Reports, cases, reporters' records and labelled examples in the embedded store. Every
//! function runs inside the caller's transaction, so a case's move, its audit record, the
//! sanction it gives and the notifications it sends commit together.

use super::sql::{Db, Optional, args};

use super::{
    StoreError, Tx, append_in, kind_name, notify_in, parse_row, record_offence_in, row_in, to_json,
};
use crate::{
    audit::{Actor, AuditEvent, Subject, rfc3339},
    core::Topic,
    ladder::Ladders,
    report::{
        Case, CaseAction, CaseState, LabelledExample, NewReport, Outcome, Reason, Report,
        ReportConfig, ReporterRecord, Resolution, Weighed, reporters_in_order, triage,
    },
    sanction::{Offence, Sanction},
};

/// Reasons whose verified reports say "unwanted commercial or fraudulent": the learning
/// layer's own question. Harassment and automation verdicts are not spam labels.
fn labels_spam(reason: Reason) -> bool {
    matches!(
        reason,
        Reason::Counterfeit | Reason::Fraud | Reason::MarketingSpam
    )
}

pub(super) fn case_in(connection: &Db<'_>, id: u64) -> Result<Option<Case>, StoreError> {
    row_in(connection, id)
}

pub(super) fn report_in(connection: &Db<'_>, id: u64) -> Result<Option<Report>, StoreError> {
    row_in(connection, id)
}

/// The most reports a case's triage reads, newest first: a flood of reports on one subject
/// (the bad-faith case) costs each report the same as a trickle does, and an hour's wave fits.
const TRIAGE_WINDOW: usize = 1000;

/// A case's latest `limit` reports, in filing order.
fn latest_reports_in(
    connection: &Db<'_>,
    id: u64,
    limit: usize,
) -> Result<Vec<Report>, StoreError> {
    let mut statement = connection
        .prepare("SELECT id, body FROM reports WHERE case_id = ?1 ORDER BY id DESC LIMIT ?2")?;
    let rows = statement.query_map(args![id as i64, limit as i64], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    let mut reports = rows
        .map(|row| parse_row(row?))
        .collect::<Result<Vec<Report>, _>>()?;
    reports.reverse();
    Ok(reports)
}

pub(super) fn case_reports_in(connection: &Db<'_>, id: u64) -> Result<Vec<Report>, StoreError> {
    let mut statement =
        connection.prepare("SELECT id, body FROM reports WHERE case_id = ?1 ORDER BY id")?;
    let rows = statement.query_map(args![id as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.map(|row| parse_row(row?)).collect()
}

pub(super) fn cases_in(
    connection: &Db<'_>,
    states: &[CaseState],
    reason: Option<Reason>,
    limit: usize,
    now: i64,
) -> Result<Vec<Case>, StoreError> {
    let states: Vec<&str> = if states.is_empty() {
        CaseState::ALL.iter().map(|s| s.as_str()).collect()
    } else {
        states.iter().map(|s| s.as_str()).collect()
    };
    // At most four states: bind them as a JSON array rather than build SQL text.
    // Ordered by `Case::aged_priority`, computed by the database over the whole queue.
    let mut statement = connection.prepare(connection.choose(
        "SELECT id, body FROM cases
         WHERE state IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR reason = ?2)
         ORDER BY priority + MIN(MAX(?4 - json_extract(body, '$.opened_at'), 0) / 3600.0 * ?5, ?6) DESC, id
         LIMIT ?3",
        "SELECT id, body FROM cases
         WHERE state IN (SELECT json_array_elements_text(?1::json))
           AND (?2::text IS NULL OR reason = ?2::text)
         ORDER BY priority + LEAST(GREATEST(?4::bigint - (body::jsonb->>'opened_at')::bigint, 0)
                  / 3600.0::float8 * ?5::float8, ?6::float8) DESC, id
         LIMIT ?3",
    ))?;
    let rows = statement.query_map(
        args![
            to_json(&states)?,
            reason.map(Reason::as_str),
            limit as i64,
            now,
            crate::report::AGEING_POINTS_PER_HOUR,
            crate::report::AGEING_CAP
        ],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    rows.map(|row| parse_row(row?)).collect()
}

pub(super) fn cases_about_in(
    connection: &Db<'_>,
    subject: &Subject,
) -> Result<Vec<Case>, StoreError> {
    let mut statement = connection.prepare(
        "SELECT id, body FROM cases WHERE subject_kind = ?1 AND subject_id = ?2 ORDER BY id DESC",
    )?;
    let rows = statement.query_map(args![kind_name(subject), subject.id], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.map(|row| parse_row(row?)).collect()
}

pub(super) fn reporter_record_in(
    connection: &Db<'_>,
    reporter: &str,
) -> Result<ReporterRecord, StoreError> {
    Ok(connection
        .query_row(
            "SELECT upheld, dismissed FROM reporters WHERE reporter = ?1",
            args![reporter],
            |r| {
                Ok(ReporterRecord {
                    upheld: r.get::<_, i64>(0)? as u32,
                    dismissed: r.get::<_, i64>(1)? as u32,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

fn save_case(transaction: &Tx<'_>, case: &Case) -> Result<(), StoreError> {
    transaction.execute(
        "UPDATE cases SET state = ?1, reason = ?2, priority = ?3, assignee = ?4, body = ?5 WHERE id = ?6",
        args![
            case.state.as_str(),
            case.reason.as_str(),
            case.priority,
            case.assignee,
            to_json(case)?,
            case.id as i64
        ],
    )?;
    Ok(())
}

/// The audit record of a case's move, about the reported subject (so the subject's history
/// tells the whole story) with the case's id in the evidence.
fn audit_case(
    transaction: &Tx<'_>,
    case: &Case,
    actor: &Actor,
    action: &str,
    reason: &str,
    extra: serde_json::Value,
    at: i64,
) -> Result<(), StoreError> {
    append_in(
        transaction,
        AuditEvent {
            at: rfc3339(at),
            actor: actor.clone(),
            subject: case.subject.clone(),
            action: action.into(),
            reason: reason.into(),
            evidence: serde_json::json!({
                "case": case.id,
                "state": case.state,
                "priority": case.priority,
                "detail": extra,
            }),
            rule: None,
            policy_version: None,
        },
    )?;
    Ok(())
}

/// Reporters under this prefix are menshen itself (held messages), not people.
pub const SYSTEM_REPORTER_PREFIX: &str = "menshen:";

pub(super) fn file_report_in(
    transaction: &Tx<'_>,
    new: NewReport,
    engine: f64,
    config: &ReportConfig,
) -> Result<(Report, Case), StoreError> {
    let open: Option<(i64, String)> = transaction
        .query_row(
            "SELECT id, body FROM cases WHERE subject_kind = ?1 AND subject_id = ?2 AND state != 'resolved' ORDER BY id DESC LIMIT 1",
            args![kind_name(&new.subject), new.subject.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let mut case: Case = match open {
        Some(row) => parse_row(row)?,
        None => {
            let case = Case {
                id: 0,
                subject: new.subject.clone(),
                account: new.account.clone(),
                content: new.content.clone(),
                state: CaseState::Open,
                reason: new.reason,
                reasons: Default::default(),
                reports: 0,
                reporters: 0,
                priority: 0.0,
                engine,
                bad_faith: None,
                assignee: None,
                escalation: None,
                opened_at: new.at,
                updated_at: new.at,
                resolution: None,
            };
            transaction.execute(
                "INSERT INTO cases (subject_kind, subject_id, state, reason, priority, body) VALUES (?1, ?2, ?3, ?4, 0, ?5)",
                args![kind_name(&case.subject), case.subject.id, case.state.as_str(), case.reason.as_str(), to_json(&case)?],
            )?;
            Case {
                id: transaction.last_insert_rowid()? as u64,
                ..case
            }
        }
    };
    let repeat: bool = transaction.query_row(
        "SELECT EXISTS (SELECT 1 FROM reports WHERE case_id = ?1 AND reporter = ?2)",
        args![case.id as i64, new.reporter.id],
        |r| r.get(0),
    )?;
    let mut report = Report {
        id: 0,
        case: case.id,
        reporter: new.reporter,
        reason: new.reason,
        statement: new.statement,
        evidence: new.evidence,
        at: new.at,
    };
    transaction.execute(
        "INSERT INTO reports (case_id, reporter, body) VALUES (?1, ?2, ?3)",
        args![case.id as i64, report.reporter.id, to_json(&report)?],
    )?;
    report.id = transaction.last_insert_rowid()? as u64;

    // Weigh the case again from its latest reports (all of them, up to TRIAGE_WINDOW).
    let reports = latest_reports_in(transaction, case.id, TRIAGE_WINDOW)?;
    let mut records = Vec::with_capacity(reports.len());
    for report in &reports {
        records.push(reporter_record_in(transaction, &report.reporter.id)?);
    }
    let weighed: Vec<Weighed<'_>> = reports
        .iter()
        .zip(&records)
        .map(|(report, record)| Weighed {
            reporter: &report.reporter,
            record: *record,
            at: report.at,
        })
        .collect();
    case.engine = case.engine.max(engine);
    let triage = triage(&weighed, case.engine, config);
    let newly_flagged = case.bad_faith.is_none() && triage.bad_faith.is_some();
    case.priority = triage.priority;
    case.bad_faith = triage.bad_faith;
    *case.reasons.entry(report.reason).or_default() += 1;
    case.reason = case
        .reasons
        .iter()
        .max_by_key(|(reason, count)| (**count, std::cmp::Reverse(**reason)))
        .map_or(report.reason, |(reason, _)| *reason);
    case.reports += 1;
    if !repeat {
        case.reporters += 1;
    }
    if case.content.is_none() {
        case.content = new.content;
    }
    if case.account.is_none() {
        case.account = new.account;
    }
    case.updated_at = report.at;
    save_case(transaction, &case)?;
    let reporter = Actor {
        kind: crate::audit::ActorKind::User,
        id: report.reporter.id.clone(),
    };
    audit_case(
        transaction,
        &case,
        &reporter,
        "report.file",
        &report.statement,
        serde_json::json!({ "report": report.id, "reason": report.reason }),
        report.at,
    )?;
    if newly_flagged {
        audit_case(
            transaction,
            &case,
            &Actor {
                kind: crate::audit::ActorKind::System,
                id: "triage".into(),
            },
            "case.bad_faith",
            case.bad_faith.as_deref().unwrap_or_default(),
            serde_json::Value::Null,
            report.at,
        )?;
    }
    Ok((report, case))
}

pub(super) fn move_case_in(
    transaction: &Tx<'_>,
    id: u64,
    actor: Actor,
    action: CaseAction,
    at: i64,
) -> Result<Case, StoreError> {
    if matches!(action, CaseAction::Resolve(_)) {
        return Err(StoreError::Refused(
            "cases are resolved with resolve_case, which pairs verification with its sanction"
                .into(),
        ));
    }
    let mut case =
        case_in(transaction, id)?.ok_or_else(|| StoreError::NotFound(format!("case {id}")))?;
    let name = action.audit_name();
    let reason = match &action {
        CaseAction::Assign {
            to,
            reason: Some(why),
        } if case.assignee.as_ref().is_some_and(|holder| holder != to) => format!(
            "taken over from {} by {to}: {why}",
            case.assignee.as_deref().unwrap_or_default()
        ),
        CaseAction::Assign { to, .. } => format!("assigned to {to}"),
        CaseAction::Escalate { reason } => reason.clone(),
        CaseAction::Resolve(_) => String::new(),
    };
    case.apply(&actor, action, at)
        .map_err(StoreError::Refused)?;
    save_case(transaction, &case)?;
    audit_case(
        transaction,
        &case,
        &actor,
        name,
        &reason,
        serde_json::Value::Null,
        at,
    )?;
    Ok(case)
}

pub(super) fn next_case_in(
    transaction: &Tx<'_>,
    reviewer: Actor,
    reason: Option<Reason>,
    at: i64,
) -> Result<Option<Case>, StoreError> {
    let Some(case) = cases_in(transaction, &[CaseState::Open], reason, 1, at)?.pop() else {
        return Ok(None);
    };
    let to = reviewer.id.clone();
    move_case_in(
        transaction,
        case.id,
        reviewer,
        CaseAction::Assign { to, reason: None },
        at,
    )
    .map(Some)
}

pub(super) fn resolve_case_in(
    transaction: &Tx<'_>,
    id: u64,
    actor: Actor,
    reason: &str,
    offence: Option<Offence>,
    ladders: &Ladders,
    at: i64,
) -> Result<(Case, Option<Sanction>), StoreError> {
    let mut case =
        case_in(transaction, id)?.ok_or_else(|| StoreError::NotFound(format!("case {id}")))?;
    let outcome = if offence.is_some() {
        Outcome::Verified
    } else {
        Outcome::Dismissed
    };
    // Check the move before anything is written.
    let mut moved = case.clone();
    moved
        .apply(
            &actor,
            CaseAction::Resolve(Resolution {
                outcome,
                by: actor.clone(),
                reason: reason.into(),
                sanction: None,
                at,
            }),
            at,
        )
        .map_err(StoreError::Refused)?;
    let sanction = match offence {
        Some(mut offence) => {
            offence.evidence = serde_json::json!({
                "case": case.id,
                "reason": case.reason,
                "text": case.content,
                "reviewer": offence.evidence,
            });
            Some(record_offence_in(transaction, offence, ladders)?)
        }
        None => None,
    };
    case = moved;
    if let Some(resolution) = case.resolution.as_mut() {
        resolution.sanction = sanction.as_ref().map(|s| s.id);
    }
    save_case(transaction, &case)?;
    audit_case(
        transaction,
        &case,
        &actor,
        &format!("case.{}", outcome.as_str()),
        reason,
        serde_json::json!({ "sanction": sanction.as_ref().map(|s| s.id) }),
        at,
    )?;

    // Reporters' records and their feedback, once per reporter.
    let reports = case_reports_in(transaction, case.id)?;
    let column = match outcome {
        Outcome::Verified => "upheld",
        Outcome::Dismissed => "dismissed",
    };
    let count = format!(
        "INSERT INTO reporters (reporter, {column}) VALUES (?1, 1)
         ON CONFLICT (reporter) DO UPDATE SET {column} = reporters.{column} + 1"
    );
    let mut theirs: std::collections::HashMap<&str, Vec<u64>> = Default::default();
    for report in &reports {
        theirs
            .entry(report.reporter.id.as_str())
            .or_default()
            .push(report.id);
    }
    for reporter in reporters_in_order(&reports) {
        transaction.execute(&count, args![reporter])?;
        // The engine's own holds keep a record (how often reviewers agree with it), but
        // nobody is there to be told.
        if reporter.starts_with(SYSTEM_REPORTER_PREFIX) {
            continue;
        }
        // What the platform shows the reporter, in both languages: it knows theirs.
        let feedback = match outcome {
            Outcome::Verified => menshen_i18n::Msg::ReportUpheld,
            Outcome::Dismissed => menshen_i18n::Msg::ReportDismissed,
        };
        notify_in(
            transaction,
            Topic::ReportOutcome,
            serde_json::json!({
                "reporter": reporter,
                "reports": theirs[reporter],
                "case": case.id,
                "outcome": outcome,
                "reason": reason,
                "message": menshen_i18n::texts(feedback, &[("case", &case.id.to_string())]),
            }),
            at,
        )?;
    }
    if let Some(sanction) = &sanction {
        notify_in(
            transaction,
            Topic::CaseVerified,
            serde_json::json!({
                "case": case.id,
                "target": sanction.target,
                "sanction": sanction.id,
                "reason": sanction.reason,
                "appeal": { "sanction": sanction.id, "how": "POST /v1/appeals" },
                "message": menshen_i18n::texts(
                    menshen_i18n::Msg::CaseVerified,
                    &[("reason", &sanction.reason), ("sanction", &sanction.id.to_string())],
                ),
            }),
            at,
        )?;
    }

    // A person's label on the reported text, for the learning layer.
    if let (Some(text), true) = (&case.content, labels_spam(case.reason)) {
        let source = match &sanction {
            Some(sanction) => format!("sanction:{}", sanction.id),
            None => format!("case:{}", case.id),
        };
        save_example(transaction, &source, outcome == Outcome::Verified, text, at)?;
    }
    Ok((case, sanction))
}

/// Record (or correct) a person's label on a text.
pub(super) fn save_example(
    connection: &Db<'_>,
    source: &str,
    spam: bool,
    text: &str,
    at: i64,
) -> Result<(), StoreError> {
    connection.execute(
        "INSERT INTO examples (source, spam, text, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source) DO UPDATE SET spam = excluded.spam, at = excluded.at",
        args![source, spam, text, at],
    )?;
    Ok(())
}

/// After an appeal on a sanction whose evidence holds the sanctioned text, the decision
/// labels that text: upheld → unwanted, reversed → fine.
pub(super) fn label_from_appeal(
    connection: &Db<'_>,
    sanction: &Sanction,
    upheld: bool,
    at: i64,
) -> Result<(), StoreError> {
    let evidence: Option<String> = connection
        .query_row(
            "SELECT event FROM audit WHERE seq = ?1",
            args![sanction.audit_seq as i64],
            |r| r.get(0),
        )
        .optional()?;
    let Some(event) = evidence.and_then(|e| serde_json::from_str::<AuditEvent>(&e).ok()) else {
        return Ok(());
    };
    let offence = &event.evidence["offence"];
    let Some(text) = offence["text"].as_str() else {
        return Ok(());
    };
    // Cases name their reason; a rule's offence is about the content itself.
    let reason = offence["reason"].as_str().and_then(Reason::parse);
    if reason.is_some_and(|r| !labels_spam(r)) {
        return Ok(());
    }
    save_example(
        connection,
        &format!("sanction:{}", sanction.id),
        upheld,
        text,
        at,
    )
}

pub(super) fn examples_in(
    connection: &Db<'_>,
    limit: usize,
) -> Result<Vec<LabelledExample>, StoreError> {
    let mut statement =
        connection.prepare("SELECT spam, text, source, at FROM examples ORDER BY id LIMIT ?1")?;
    let rows = statement.query_map(args![limit as i64], |r| {
        Ok(LabelledExample {
            spam: r.get(0)?,
            text: r.get(1)?,
            source: r.get(2)?,
            at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

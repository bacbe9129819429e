//! The console's pages: one template each (in `crates/server/templates/`), with rows built
//! here from the domain types. Every string that came from outside (reported text, ids,
//! statements, reasons) passes through [`visible`] on its way in; the templates escape HTML.

use askama::Template;
use menshen_state::{
    appeal::Appeal,
    audit::AuditRecord,
    ladder::SanctionKind,
    report::{Case, CaseState, Reason},
    sanction::Sanction,
};

use super::view::{Piece, Tr, visible, when};
use crate::{enforce::StandingView, routes::cases::ReportView};

/// The header's view of the signed-in person.
pub struct Nav {
    pub name: String,
    pub role: &'static str,
    pub csrf: String,
    pub admin: bool,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub nav: Option<Nav>,
    pub t: Tr,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub nav: Option<Nav>,
    pub t: Tr,
    pub status: u16,
    pub message: String,
}

pub struct CaseRow {
    pub id: u64,
    pub subject: String,
    pub account: String,
    pub reason: &'static str,
    pub priority: String,
    pub reporters: u32,
    pub reports: u32,
    pub state: &'static str,
    pub assignee: String,
    pub bad_faith: String,
    pub opened: String,
}

impl From<&Case> for CaseRow {
    fn from(case: &Case) -> Self {
        CaseRow {
            id: case.id,
            subject: visible(&format!(
                "{} {}",
                case.subject.kind.as_str(),
                case.subject.id
            )),
            account: case.account.as_deref().map(visible).unwrap_or_default(),
            reason: case.reason.as_str(),
            priority: format!("{:.1}", case.priority),
            reporters: case.reporters,
            reports: case.reports,
            state: case.state.as_str(),
            assignee: case.assignee.as_deref().map(visible).unwrap_or_default(),
            bad_faith: case.bad_faith.as_deref().map(visible).unwrap_or_default(),
            opened: when(case.opened_at),
        }
    }
}

/// One option of a `<select>`.
pub struct Choice {
    pub value: &'static str,
    pub selected: bool,
}

/// Options for `values`, with `current` selected.
pub fn choices(values: impl IntoIterator<Item = &'static str>, current: &str) -> Vec<Choice> {
    values
        .into_iter()
        .map(|value| Choice {
            value,
            selected: value == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "queue.html")]
pub struct QueuePage {
    pub nav: Option<Nav>,
    pub t: Tr,
    pub note: String,
    pub reason: String,
    pub states: Vec<Choice>,
    pub reasons: Vec<Choice>,
    pub rows: Vec<CaseRow>,
}

impl QueuePage {
    pub fn new(
        nav: Nav,
        t: Tr,
        note: String,
        state: Option<CaseState>,
        reason: Option<Reason>,
        cases: &[Case],
    ) -> Self {
        let reason = reason.map(Reason::as_str).unwrap_or_default();
        QueuePage {
            nav: Some(nav),
            t,
            note,
            reason: reason.to_owned(),
            states: choices(
                CaseState::ALL.iter().map(|s| s.as_str()),
                state.map(CaseState::as_str).unwrap_or_default(),
            ),
            reasons: choices(Reason::ALL.iter().map(|r| r.as_str()), reason),
            rows: cases.iter().map(CaseRow::from).collect(),
        }
    }
}

pub struct ReportRow {
    pub id: u64,
    pub reporter: String,
    pub reliability: String,
    pub age: String,
    pub origin: String,
    pub reason: String,
    pub statement: String,
    pub excerpts: Vec<String>,
    pub messages: String,
    pub at: String,
}

impl From<&ReportView> for ReportRow {
    fn from(report: &ReportView) -> Self {
        let origin: Vec<String> = [&report.reporter_device, &report.reporter_ip]
            .into_iter()
            .flatten()
            .map(|o| visible(o))
            .collect();
        ReportRow {
            id: report.id,
            reporter: visible(&report.reporter),
            reliability: format!("{:.0}%", report.reporter_reliability * 100.0),
            age: report
                .reporter_account_age_days
                .map(|d| format!("{d} days"))
                .unwrap_or_else(|| "unknown".into()),
            origin: origin.join(", "),
            reason: report.reason.clone(),
            statement: visible(&report.statement),
            excerpts: report
                .evidence
                .excerpts
                .iter()
                .map(|e| visible(e))
                .collect(),
            messages: visible(&report.evidence.messages.join(", ")),
            at: when(report.at),
        }
    }
}

pub struct StandingRow {
    pub content_strikes: u32,
    pub automation_strikes: u32,
    pub restrictions: Vec<String>,
    pub banned_until: String,
}

impl From<&StandingView> for StandingRow {
    fn from(standing: &StandingView) -> Self {
        StandingRow {
            content_strikes: standing.content_strikes,
            automation_strikes: standing.automation_strikes,
            restrictions: standing
                .restrictions
                .iter()
                .map(|r| format!("{} until {}", r.function, r.until))
                .collect(),
            banned_until: standing.banned_until.clone().unwrap_or_default(),
        }
    }
}

pub struct SanctionRow {
    pub id: u64,
    pub target: String,
    pub kind: String,
    pub ladder: &'static str,
    pub starts: String,
    pub ends: String,
    pub reason: String,
    pub state: &'static str,
    pub by: &'static str,
}

impl SanctionRow {
    pub fn new(sanction: &Sanction, now: i64) -> Self {
        let kind = serde_json::to_value(sanction.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        SanctionRow {
            id: sanction.id,
            target: visible(&format!(
                "{} {}",
                sanction.target.kind.as_str(),
                sanction.target.id
            )),
            kind: match &sanction.function {
                Some(function) => format!("{kind} ({function})"),
                None => kind,
            },
            ladder: sanction.ladder.as_str(),
            starts: when(sanction.starts),
            ends: if sanction.kind == SanctionKind::Warning {
                "—".into()
            } else {
                crate::enforce::until(sanction.ends)
            },
            reason: visible(&sanction.reason),
            state: if sanction.lifted {
                "lifted"
            } else if sanction.kind == SanctionKind::Warning {
                "on record"
            } else if sanction.in_force(now) {
                "in force"
            } else {
                "ended"
            },
            by: if sanction.overridden {
                "a person, overriding the ladder"
            } else if sanction.manual {
                "a person, by the ladder"
            } else if sanction.evasion {
                "the system (evasion)"
            } else {
                "a rule, by the ladder"
            },
        }
    }
}

pub struct HistoryRow {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub reason: String,
    pub evidence: String,
}

impl From<&AuditRecord> for HistoryRow {
    fn from(record: &AuditRecord) -> Self {
        let event = &record.event;
        let mut evidence = event.evidence.to_string();
        if evidence.len() > 400 {
            evidence.truncate(evidence.floor_char_boundary(400));
            evidence.push('…');
        }
        let actor = serde_json::to_value(event.actor.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        HistoryRow {
            seq: record.seq,
            at: event.at.clone(),
            actor: visible(&format!("{actor} {}", event.actor.id)),
            action: visible(&event.action),
            reason: visible(&event.reason),
            evidence: visible(&evidence),
        }
    }
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    pub nav: Option<Nav>,
    pub t: Tr,
    pub note: String,
    pub case: CaseRow,
    pub content: Vec<Piece>,
    /// The marked pieces of `content`, for the facts table.
    pub facts: Vec<Piece>,
    pub verdict: String,
    pub verdict_reasons: Vec<String>,
    pub spam: String,
    pub reports: Vec<ReportRow>,
    pub target: String,
    pub standing: Option<StandingRow>,
    pub sanctions: Vec<SanctionRow>,
    pub history: Vec<HistoryRow>,
    pub escalation: String,
    pub resolution: String,
    /// The viewer may move this case (not resolved; escalated ones only for admins).
    pub can_act: bool,
    pub default_ladder: &'static str,
    pub functions: Vec<&'static str>,
}

pub struct AppealRow {
    pub id: u64,
    pub sanction: SanctionRow,
    pub appellant: String,
    pub statement: String,
    pub filed: String,
    pub state: &'static str,
    pub decision: String,
}

impl AppealRow {
    pub fn new(appeal: &Appeal, sanction: &Sanction, now: i64) -> Self {
        AppealRow {
            id: appeal.id,
            sanction: SanctionRow::new(sanction, now),
            appellant: visible(&appeal.appellant.id),
            statement: visible(&appeal.statement),
            filed: when(appeal.filed_at),
            state: appeal.state.as_str(),
            decision: appeal
                .decision_reason
                .as_deref()
                .map(visible)
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "appeals.html")]
pub struct AppealsPage {
    pub nav: Option<Nav>,
    pub t: Tr,
    pub note: String,
    pub open: Vec<AppealRow>,
    pub decided: Vec<AppealRow>,
}

#[derive(Template)]
#[template(path = "subject.html")]
pub struct SubjectPage {
    pub nav: Option<Nav>,
    pub t: Tr,
    pub kinds: Vec<Choice>,
    pub id: String,
    pub searched: bool,
    pub standing: Option<StandingRow>,
    pub sanctions: Vec<SanctionRow>,
    pub cases: Vec<CaseRow>,
    pub history: Vec<HistoryRow>,
}

pub struct RuleRow {
    pub id: String,
    pub action: &'static str,
    pub strikes: u32,
    pub restricts: String,
    pub shadow: bool,
    pub message: String,
}

pub struct ProfileRow {
    pub name: String,
    pub version: String,
    pub effective: String,
    pub description: String,
    pub in_force: bool,
    pub rules: Vec<RuleRow>,
}

pub struct ReplayRow {
    pub name: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "policy.html")]
pub struct PolicyPage {
    pub nav: Option<Nav>,
    pub t: Tr,
    pub profiles: Vec<ProfileRow>,
    pub replays: Vec<ReplayRow>,
    pub replay_dir: String,
}

//! User reports and the cases they make (DESIGN.md §5): the masses report, reviewers verify,
//! and nobody is punished on the strength of reports alone.
//!
//! Reports on the same subject while a case about it is unresolved join that case. A case's
//! priority comes from how many *credible* people reported it and from what the engine itself
//! knows about the subject ([`triage`]); a wave of reports from new or correlated accounts is
//! flagged as possible bad faith and adds nothing to the priority by itself. A case moves
//! open → assigned → (escalated) → resolved ([`Case::apply`]); the store audits every move.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::{
    audit::{Actor, ActorKind, Subject},
    sanction::LadderName,
};

/// Why a report was filed: the catalogue the platform shows its users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Fake branded goods ("高仿", "原单", replica watches and bags).
    Counterfeit,
    /// Scams: fake refunds, investment and part-time-job schemes, impersonation, phishing.
    Fraud,
    /// Unwanted advertising: 微商 pushes, share codes and links fanned out to groups.
    MarketingSpam,
    /// Abuse, threats or bullying aimed at a person.
    Harassment,
    /// A plug-in client or bot: bulk friend adds, one-click group pushes, auto-replies.
    Automation,
    /// Anything else; the reporter's own words say what.
    Other,
}

impl Reason {
    pub const ALL: [Reason; 6] = [
        Reason::Counterfeit,
        Reason::Fraud,
        Reason::MarketingSpam,
        Reason::Harassment,
        Reason::Automation,
        Reason::Other,
    ];

    /// The name used in JSON, queues and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Counterfeit => "counterfeit",
            Reason::Fraud => "fraud",
            Reason::MarketingSpam => "marketing_spam",
            Reason::Harassment => "harassment",
            Reason::Automation => "automation",
            Reason::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// What the reason covers, in words a reporter and a reviewer read.
    pub fn description(self) -> &'static str {
        match self {
            Reason::Counterfeit => "selling fake branded goods",
            Reason::Fraud => "scams, phishing, impersonation, fake refunds or investments",
            Reason::MarketingSpam => "unwanted advertising, share codes or links pushed at people",
            Reason::Harassment => "abuse, threats or bullying aimed at a person",
            Reason::Automation => "a plug-in client or bot: bulk adds, group pushes, auto-replies",
            Reason::Other => "something else; the statement says what",
        }
    }

    /// The ladder a verified report of this kind climbs.
    pub fn ladder(self) -> LadderName {
        match self {
            Reason::Automation => LadderName::Automation,
            _ => LadderName::Content,
        }
    }
}

/// Who reported, with what the platform knows about them that bears on good faith.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reporter {
    pub id: String,
    /// Days since the reporter's account was registered, when the platform knows it.
    #[serde(default)]
    pub account_age_days: Option<u32>,
    #[serde(default)]
    pub device: Option<String>,
    #[serde(default)]
    pub ip: Option<String>,
}

/// What a report points at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Ids of the messages the reporter points at.
    #[serde(default)]
    pub messages: Vec<String>,
    /// Short quotes the reporter chose.
    #[serde(default)]
    pub excerpts: Vec<String>,
}

/// A report as filed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewReport {
    pub reporter: Reporter,
    /// The message, account, domain, app or group reported.
    pub subject: Subject,
    /// The account answerable for the subject: a message's author, a group's owner.
    pub account: Option<String>,
    /// A reported message's text, as the platform delivered it.
    pub content: Option<String>,
    pub reason: Reason,
    /// The reporter's own words.
    pub statement: String,
    pub evidence: Evidence,
    pub at: i64,
}

/// A report as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: u64,
    pub case: u64,
    pub reporter: Reporter,
    pub reason: Reason,
    pub statement: String,
    pub evidence: Evidence,
    pub at: i64,
}

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// In the queue, nobody on it.
    Open,
    /// A reviewer has it.
    Assigned,
    /// Handed up to an admin; only an admin acts on it now.
    Escalated,
    /// Verified or dismissed; new reports about the subject open a new case.
    Resolved,
}

impl CaseState {
    pub const ALL: [CaseState; 4] = [
        CaseState::Open,
        CaseState::Assigned,
        CaseState::Escalated,
        CaseState::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Open => "open",
            CaseState::Assigned => "assigned",
            CaseState::Escalated => "escalated",
            CaseState::Resolved => "resolved",
        }
    }

    pub fn parse(name: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// How a case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The reports were right: the subject was sanctioned through the ladder.
    Verified,
    /// The reports were not borne out.
    Dismissed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Verified => "verified",
            Outcome::Dismissed => "dismissed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub outcome: Outcome,
    pub by: Actor,
    /// Why, in words the reporters and the reported party read.
    pub reason: String,
    /// The sanction a verification gave.
    pub sanction: Option<u64>,
    pub at: i64,
}

/// Reports about one subject, and what became of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: u64,
    pub subject: Subject,
    /// The account answerable for the subject, when there is one.
    pub account: Option<String>,
    /// The reported message's text, when a message was reported.
    pub content: Option<String>,
    pub state: CaseState,
    /// The reason most reporters gave (the queue the case sits in).
    pub reason: Reason,
    /// How many reports gave each reason.
    pub reasons: BTreeMap<Reason, u32>,
    pub reports: u32,
    /// Distinct reporters.
    pub reporters: u32,
    /// 0–100: the higher, the sooner a reviewer should look.
    pub priority: f64,
    /// What the engine itself thinks of the subject, 0–1, when the first report came in.
    pub engine: f64,
    /// Why the reports look like a bad-faith wave, when they do.
    pub bad_faith: Option<String>,
    pub assignee: Option<String>,
    pub escalation: Option<String>,
    pub opened_at: i64,
    pub updated_at: i64,
    pub resolution: Option<Resolution>,
}

/// A move in a case's life, other than resolution (which the store pairs with a sanction).
#[derive(Clone, Debug, PartialEq)]
pub enum CaseAction {
    /// Give the case to a reviewer (themselves, or another by an admin). Taking a case another
    /// reviewer holds needs a reason, which the audit log keeps.
    Assign { to: String, reason: Option<String> },
    /// Hand the case to the admins, with why.
    Escalate { reason: String },
    /// Close the case.
    Resolve(Resolution),
}

impl CaseAction {
    /// The audit log's name for the move.
    pub fn audit_name(&self) -> &'static str {
        match self {
            CaseAction::Assign { .. } => "case.assign",
            CaseAction::Escalate { .. } => "case.escalate",
            CaseAction::Resolve(_) => "case.resolve",
        }
    }
}

fn is_person(actor: &Actor) -> bool {
    matches!(actor.kind, ActorKind::Reviewer | ActorKind::Admin)
}

impl Case {
    /// Apply a move, or say why it is not allowed. Only people move cases; a resolved case
    /// stays resolved; an escalated case is the admins' alone; a reviewer does not resolve a
    /// case another reviewer holds.
    pub fn apply(&mut self, actor: &Actor, action: CaseAction, at: i64) -> Result<(), String> {
        if !is_person(actor) {
            return Err("cases are moved by reviewers and admins".into());
        }
        let admin = actor.kind == ActorKind::Admin;
        if self.state == CaseState::Resolved {
            return Err(format!("case {} is already resolved", self.id));
        }
        if self.state == CaseState::Escalated && !admin {
            return Err(format!(
                "case {} is escalated: only an admin acts on it now",
                self.id
            ));
        }
        match action {
            CaseAction::Assign { to, reason } => {
                if to.trim().is_empty() {
                    return Err("name the reviewer the case goes to".into());
                }
                if !admin && to != actor.id {
                    return Err("reviewers take cases for themselves; admins assign others".into());
                }
                if let Some(holder) = &self.assignee
                    && holder != &to
                    && reason.as_deref().is_none_or(|r| r.trim().is_empty())
                {
                    return Err(format!(
                        "case {} is held by {holder}; say why it changes hands (`reason`)",
                        self.id
                    ));
                }
                if self.state == CaseState::Open {
                    self.state = CaseState::Assigned;
                }
                self.assignee = Some(to);
            }
            CaseAction::Escalate { reason } => {
                if self.state == CaseState::Escalated {
                    return Err(format!("case {} is already escalated", self.id));
                }
                if reason.trim().is_empty() {
                    return Err("say why the case needs an admin".into());
                }
                self.state = CaseState::Escalated;
                self.assignee = None;
                self.escalation = Some(reason);
            }
            CaseAction::Resolve(resolution) => {
                if resolution.reason.trim().is_empty() {
                    return Err("say why: the reporters and the reported party read it".into());
                }
                if let Some(holder) = &self.assignee
                    && holder != &actor.id
                    && !admin
                {
                    return Err(format!(
                        "case {} is assigned to {holder}; they or an admin resolve it",
                        self.id
                    ));
                }
                self.state = CaseState::Resolved;
                self.resolution = Some(resolution);
            }
        }
        self.updated_at = at;
        Ok(())
    }
}

/// Queue ageing: a case waiting in the queue gains this many points of priority an hour, up to
/// [`AGEING_CAP`], so that an old, low case rises to the top before it is forgotten.
pub const AGEING_POINTS_PER_HOUR: f64 = 1.0;
/// The most priority waiting can add.
pub const AGEING_CAP: f64 = 30.0;

impl Case {
    /// The priority the queue orders by at `now`: the case's own plus what waiting added.
    pub fn aged_priority(&self, now: i64) -> f64 {
        let hours = (now - self.opened_at).max(0) as f64 / 3600.0;
        self.priority + (hours * AGEING_POINTS_PER_HOUR).min(AGEING_CAP)
    }
}

/// Each reporter's id once, in the order of their first report.
pub fn reporters_in_order(reports: &[Report]) -> Vec<&str> {
    let mut seen = HashSet::new();
    reports
        .iter()
        .map(|r| r.reporter.id.as_str())
        .filter(|id| seen.insert(*id))
        .collect()
}

/// A reporter's past: reports of theirs upheld and dismissed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReporterRecord {
    pub upheld: u32,
    pub dismissed: u32,
}

impl ReporterRecord {
    /// The chance a new report of theirs is upheld, with one imaginary upheld and one
    /// dismissed report so that a newcomer starts at 0.5 and one outcome does not decide.
    pub fn reliability(self) -> f64 {
        (f64::from(self.upheld) + 1.0) / (f64::from(self.upheld) + f64::from(self.dismissed) + 2.0)
    }
}

/// How reports are weighed. Defaults in brackets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// Reporters whose accounts are younger than this are "new" [7 days].
    pub new_account_days: u32,
    /// A wave is this many reports or more … [5]
    pub wave_reports: usize,
    /// … inside this many seconds [3600] …
    pub wave_seconds: i64,
    /// … of which at least this share come from new or correlated reporters [0.6].
    pub wave_suspect_share: f64,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            new_account_days: 7,
            wave_reports: 5,
            wave_seconds: 3600,
            wave_suspect_share: 0.6,
        }
    }
}

/// One report as triage sees it.
#[derive(Clone, Debug)]
pub struct Weighed<'a> {
    pub reporter: &'a Reporter,
    pub record: ReporterRecord,
    pub at: i64,
}

/// A case's priority and whether its reports look like bad faith.
#[derive(Clone, Debug, PartialEq)]
pub struct Triage {
    pub priority: f64,
    pub bad_faith: Option<String>,
}

/// Where a reporter connects from, coarsely: the device, else the /24 (IPv4) or /48 (IPv6)
/// network. Reporters sharing one are correlated.
fn origins(reporter: &Reporter) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(device) = reporter.device.as_deref().filter(|d| !d.is_empty()) {
        keys.push(format!("device:{device}"));
    }
    if let Some(ip) = reporter
        .ip
        .as_deref()
        .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
    {
        let network = match ip {
            std::net::IpAddr::V4(v4) => ipnet::Ipv4Net::new(v4, 24)
                .map(|n| n.trunc().to_string())
                .unwrap_or_default(),
            std::net::IpAddr::V6(v6) => ipnet::Ipv6Net::new(v6, 48)
                .map(|n| n.trunc().to_string())
                .unwrap_or_default(),
        };
        keys.push(format!("net:{network}"));
    }
    keys
}

/// Weigh a case's reports (in filing order) and the engine's view of the subject (0–1).
///
/// Each distinct reporter counts once, by their reliability; reporters who share a device
/// or network count together as one. If at least `wave_reports` reports arrive inside
/// `wave_seconds` and most come from new or correlated accounts, the case is flagged and
/// those reporters count for nothing: the priority then rests on the credible reporters and
/// the engine alone. Priority = 60 × (1 − e^(−credible/2)) + 40 × engine.
pub fn triage(reports: &[Weighed<'_>], engine: f64, config: &ReportConfig) -> Triage {
    // First report per reporter.
    let mut seen = HashSet::new();
    let distinct: Vec<&Weighed<'_>> = reports
        .iter()
        .filter(|r| seen.insert(r.reporter.id.as_str()))
        .collect();
    let keys: Vec<Vec<String>> = distinct.iter().map(|d| origins(d.reporter)).collect();
    // How many reporters share each origin.
    let mut sharing: HashMap<&str, usize> = HashMap::new();
    for key in keys.iter().flatten() {
        *sharing.entry(key.as_str()).or_default() += 1;
    }
    let correlated: Vec<bool> = keys
        .iter()
        .map(|keys| keys.iter().any(|key| sharing[key.as_str()] > 1))
        .collect();
    let new: Vec<bool> = distinct
        .iter()
        .map(|d| {
            d.reporter
                .account_age_days
                .is_some_and(|age| age < config.new_account_days)
        })
        .collect();
    let suspect: Vec<bool> = (0..distinct.len())
        .map(|i| new[i] || correlated[i])
        .collect();

    // The busiest window of distinct reporters' first reports.
    let mut times: Vec<(i64, bool)> = distinct
        .iter()
        .zip(&suspect)
        .map(|(d, s)| (d.at, *s))
        .collect();
    times.sort_by_key(|(at, _)| *at);
    let mut bad_faith = None;
    let mut start = 0;
    for end in 0..times.len() {
        while times[end].0 - times[start].0 > config.wave_seconds {
            start += 1;
        }
        let window = &times[start..=end];
        let suspects = window.iter().filter(|(_, s)| *s).count();
        if window.len() >= config.wave_reports.max(1)
            && suspects as f64 >= config.wave_suspect_share * window.len() as f64
        {
            let new_count = (0..distinct.len()).filter(|&i| new[i]).count();
            let correlated_count = (0..distinct.len()).filter(|&i| correlated[i]).count();
            bad_faith = Some(format!(
                "{suspects} of {} reports within {} minutes came from new ({new_count}) or correlated ({correlated_count}) accounts",
                window.len(),
                config.wave_seconds / 60
            ));
        }
    }

    // Credible weight: correlated reporters count once per group (the most reliable), and
    // in a wave suspects count for nothing.
    let mut credible = 0.0;
    let mut counted_origins: HashSet<&str> = HashSet::new();
    let mut order: Vec<usize> = (0..distinct.len()).collect();
    order.sort_by(|&a, &b| {
        distinct[b]
            .record
            .reliability()
            .total_cmp(&distinct[a].record.reliability())
    });
    for index in order {
        if bad_faith.is_some() && suspect[index] {
            continue;
        }
        if correlated[index]
            && keys[index]
                .iter()
                .any(|k| counted_origins.contains(k.as_str()))
        {
            continue;
        }
        counted_origins.extend(keys[index].iter().map(String::as_str));
        credible += distinct[index].record.reliability();
    }
    let priority = 60.0 * (1.0 - (-credible / 2.0).exp()) + 40.0 * engine.clamp(0.0, 1.0);
    Triage {
        priority: (priority * 10.0).round() / 10.0,
        bad_faith,
    }
}

/// A message with a person's label, for the learning layer: verified reports and upheld
/// appeals say "unwanted", dismissed reports and reversed appeals say "fine".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelledExample {
    /// True for unwanted (spam, fraud), false for fine.
    pub spam: bool,
    pub text: String,
    /// Where the label came from: `case:7`, `sanction:12`.
    pub source: String,
    pub at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reporter(id: &str, age: Option<u32>, ip: Option<&str>) -> Reporter {
        Reporter {
            id: id.into(),
            account_age_days: age,
            device: None,
            ip: ip.map(str::to_owned),
        }
    }

    fn weigh<'a>(
        reporters: &'a [Reporter],
        records: &[ReporterRecord],
        gap: i64,
    ) -> Vec<Weighed<'a>> {
        reporters
            .iter()
            .zip(records.iter().cycle())
            .enumerate()
            .map(|(i, (reporter, record))| Weighed {
                reporter,
                record: *record,
                at: 1_000 + i as i64 * gap,
            })
            .collect()
    }

    #[test]
    fn reason_names_round_trip_through_json() {
        for reason in Reason::ALL {
            let json = serde_json::to_value(reason).unwrap();
            assert_eq!(json, reason.as_str());
            assert_eq!(Reason::parse(reason.as_str()), Some(reason));
        }
        for state in CaseState::ALL {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
    }

    #[test]
    fn reliability_starts_even_and_follows_the_record() {
        assert_eq!(ReporterRecord::default().reliability(), 0.5);
        let good = ReporterRecord {
            upheld: 8,
            dismissed: 0,
        };
        let bad = ReporterRecord {
            upheld: 0,
            dismissed: 8,
        };
        assert!(good.reliability() > 0.85);
        assert!(bad.reliability() < 0.15);
    }

    #[test]
    fn priority_rises_with_distinct_credible_reporters_and_the_engine() {
        let config = ReportConfig::default();
        let people: Vec<Reporter> = (0..4)
            .map(|i| reporter(&format!("r{i}"), Some(400), Some(&format!("198.51.{i}.9"))))
            .collect();
        let even = [ReporterRecord::default()];
        let one = triage(&weigh(&people[..1], &even, 600), 0.0, &config);
        let four = triage(&weigh(&people, &even, 600), 0.0, &config);
        assert!(four.priority > one.priority, "{four:?} vs {one:?}");
        let flagged_by_engine = triage(&weigh(&people[..1], &even, 600), 0.9, &config);
        assert!(flagged_by_engine.priority > one.priority + 30.0);
        // The same reporter four times is one reporter.
        let same = vec![people[0].clone(); 4];
        assert_eq!(
            triage(&weigh(&same, &even, 600), 0.0, &config).priority,
            one.priority
        );
        // Reliable reporters weigh more than unreliable ones.
        let trusted = triage(
            &weigh(
                &people[..1],
                &[ReporterRecord {
                    upheld: 9,
                    dismissed: 0,
                }],
                600,
            ),
            0.0,
            &config,
        );
        assert!(trusted.priority > one.priority);
    }

    #[test]
    fn a_wave_of_new_or_correlated_accounts_is_flagged_and_adds_nothing() {
        let config = ReportConfig::default();
        let even = [ReporterRecord::default()];
        // Eight accounts a day old, all from one /24, inside ten minutes.
        let wave: Vec<Reporter> = (0..8)
            .map(|i| reporter(&format!("w{i}"), Some(1), Some(&format!("203.0.113.{i}"))))
            .collect();
        let flagged = triage(&weigh(&wave, &even, 60), 0.0, &config);
        assert!(flagged.bad_faith.is_some(), "{flagged:?}");
        assert_eq!(flagged.priority, 0.0, "the wave alone raises nothing");
        // The engine's own view still counts.
        assert!(triage(&weigh(&wave, &even, 60), 0.5, &config).priority >= 20.0);
        // Eight established, unrelated reporters inside the same ten minutes are no wave.
        let crowd: Vec<Reporter> = (0..8)
            .map(|i| reporter(&format!("c{i}"), Some(900), Some(&format!("198.51.{i}.7"))))
            .collect();
        let honest = triage(&weigh(&crowd, &even, 60), 0.0, &config);
        assert!(honest.bad_faith.is_none());
        assert!(honest.priority > 50.0, "{honest:?}");
    }

    #[test]
    fn correlated_reporters_count_once_even_without_a_wave() {
        let config = ReportConfig::default();
        let even = [ReporterRecord::default()];
        let pair = vec![
            reporter("a", Some(900), Some("192.0.2.10")),
            reporter("b", Some(900), Some("192.0.2.11")),
        ];
        let alone = triage(&weigh(&pair[..1], &even, 600), 0.0, &config);
        let both = triage(&weigh(&pair, &even, 600), 0.0, &config);
        assert!(both.bad_faith.is_none());
        assert_eq!(both.priority, alone.priority);
    }

    fn case() -> Case {
        Case {
            id: 1,
            subject: Subject {
                kind: crate::audit::SubjectKind::Account,
                id: "u1".into(),
            },
            account: Some("u1".into()),
            content: None,
            state: CaseState::Open,
            reason: Reason::Fraud,
            reasons: BTreeMap::new(),
            reports: 1,
            reporters: 1,
            priority: 10.0,
            engine: 0.0,
            bad_faith: None,
            assignee: None,
            escalation: None,
            opened_at: 0,
            updated_at: 0,
            resolution: None,
        }
    }

    fn person(kind: ActorKind, id: &str) -> Actor {
        Actor {
            kind,
            id: id.into(),
        }
    }

    fn resolution(by: &Actor) -> CaseAction {
        CaseAction::Resolve(Resolution {
            outcome: Outcome::Dismissed,
            by: by.clone(),
            reason: "not borne out".into(),
            sanction: None,
            at: 5,
        })
    }

    #[test]
    fn cases_move_open_assigned_escalated_resolved_and_no_further() {
        let ana = person(ActorKind::Reviewer, "ana");
        let bo = person(ActorKind::Reviewer, "bo");
        let root = person(ActorKind::Admin, "root");
        let mut case = case();
        assert!(
            case.apply(
                &ana,
                CaseAction::Assign {
                    to: "bo".into(),
                    reason: None
                },
                1
            )
            .is_err(),
            "reviewers take cases for themselves"
        );
        case.apply(
            &ana,
            CaseAction::Assign {
                to: "ana".into(),
                reason: None,
            },
            1,
        )
        .unwrap();
        assert_eq!(case.state, CaseState::Assigned);
        assert!(case.apply(&bo, resolution(&bo), 2).is_err(), "ana holds it");
        let takeover = |reason: Option<&str>| CaseAction::Assign {
            to: "bo".into(),
            reason: reason.map(str::to_owned),
        };
        assert!(
            case.clone().apply(&bo, takeover(None), 2).is_err(),
            "taking over another's case needs a reason"
        );
        let mut taken = case.clone();
        taken
            .apply(&bo, takeover(Some("ana is on leave")), 2)
            .unwrap();
        assert_eq!(taken.assignee.as_deref(), Some("bo"));
        case.apply(
            &ana,
            CaseAction::Escalate {
                reason: "a public figure".into(),
            },
            3,
        )
        .unwrap();
        assert_eq!(case.state, CaseState::Escalated);
        assert!(
            case.apply(&ana, resolution(&ana), 4).is_err(),
            "admins only"
        );
        case.apply(&root, resolution(&root), 5).unwrap();
        assert_eq!(case.state, CaseState::Resolved);
        assert_eq!(case.updated_at, 5);
        assert!(case.apply(&root, resolution(&root), 6).is_err());
        let rule = person(ActorKind::Rule, "auto");
        assert!(
            case.clone()
                .apply(
                    &rule,
                    CaseAction::Assign {
                        to: "auto".into(),
                        reason: None
                    },
                    7
                )
                .is_err()
        );
    }
}

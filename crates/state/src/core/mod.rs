//! The enforcement core: every rule of the ladder, appeals, overrides and evasion, as pure
//! functions of (the records an intent concerns, the intent, the time) → a [`Changeset`].
//!
//! Nothing here reads a clock or touches storage. A store loads the records
//! ([`TargetRecord`], an [`Appeal`]), asks the core, and applies the change set in one
//! transaction; the audit events in it say everything that changed, so the current state can
//! be derived from the log ([`replay`]).
//!
//! The rules, in one place:
//!
//! - **Strikes climb the ladder** of the offence (`content` or `automation`): the strikes in
//!   force (not decayed, not reversed) plus the new one pick the step; a restriction takes away
//!   the function of the rule that carried the strike.
//! - **A refused attempt adds nothing.** An offence whose function is already restricted at
//!   the time earns no strike and no sanction: the restriction in force is the answer, and the
//!   refusal tells the sender until when.
//! - **A permanent ban is the top.** Nothing stacks on it: an offence against a permanently
//!   banned target changes nothing.
//! - **Evasion** goes straight to the ladder's evasion step.
//! - **People outrank rules.** Only a reviewer or admin may override the ladder's step; a rule
//!   or the system cannot lift what a person gave.
//! - **Credit.** Time served under a sanction later reversed is credited against the target's
//!   next timed sanction.
//! - **Appeals**: one per sanction, within the window, filed by the sanctioned account (or for
//!   it); reversal reverses the strike, lifts the sanction, credits time served and recomputes
//!   every later sanction on the same ladder as if the strike had never been given.

pub mod vocab;

use serde::{Deserialize, Serialize};

use crate::{
    appeal::{Appeal, AppealDecision, AppealState},
    audit::{Actor, ActorKind, AuditEvent, Subject, SubjectKind, rfc3339},
    ladder::{Ladders, SanctionKind, Strike},
    sanction::{LadderName, Offence, Sanction},
};
pub use vocab::{AuditAction, Function, Topic};

/// A strike on a target's record, with the sanction it came with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrikeRecord {
    pub sanction: u64,
    pub ladder: LadderName,
    pub at: i64,
    pub weight: u32,
    pub reversed: bool,
}

impl StrikeRecord {
    pub fn strike(&self) -> Strike {
        Strike {
            at: self.at,
            weight: self.weight,
            reversed: self.reversed,
        }
    }
}

/// Everything on one target's record.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetRecord {
    pub target: Subject,
    /// Every sanction it was given, lifted ones included, oldest first.
    pub sanctions: Vec<Sanction>,
    /// Its strikes, oldest first.
    pub strikes: Vec<StrikeRecord>,
    /// Seconds served under reversed sanctions, not yet credited.
    pub credit: i64,
}

impl TargetRecord {
    pub fn empty(target: Subject) -> Self {
        TargetRecord {
            target,
            sanctions: Vec::new(),
            strikes: Vec::new(),
            credit: 0,
        }
    }

    /// The strikes on one ladder.
    pub fn strikes_on(&self, ladder: LadderName) -> Vec<Strike> {
        self.strikes
            .iter()
            .filter(|s| s.ladder == ladder)
            .map(StrikeRecord::strike)
            .collect()
    }

    /// A permanent ban in force at `now`.
    pub fn permanent_ban(&self, now: i64) -> Option<&Sanction> {
        self.sanctions
            .iter()
            .find(|s| s.kind == SanctionKind::Permanent && s.in_force(now))
    }

    /// A restriction of `function` in force at `now`.
    pub fn restriction(&self, function: Function, now: i64) -> Option<&Sanction> {
        self.sanctions.iter().find(|s| {
            s.kind == SanctionKind::Restrict && s.function == Some(function) && s.in_force(now)
        })
    }
}

/// Why the core refuses an intent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("sanction {0} is already lifted")]
    AlreadyLifted(u64),
    #[error("sanction {0} was given by a reviewer; only a reviewer or admin can lift it")]
    PersonsSanction(u64),
    #[error(
        "sanction {sanction} already has an appeal ({appeal}); each sanction can be appealed once"
    )]
    AlreadyAppealed { sanction: u64, appeal: u64 },
    #[error("the appeal window for sanction {sanction} closed at {closed}")]
    WindowClosed { sanction: u64, closed: String },
    #[error(
        "sanction {sanction} is on {target}; only that account, or a service acting for it, may appeal it"
    )]
    NotTheSanctionedParty { sanction: u64, target: String },
    #[error("appeal {appeal} was already decided ({state})")]
    AlreadyDecided { appeal: u64, state: &'static str },
    #[error("{0} are decided by a reviewer or an admin")]
    PeopleOnly(&'static str),
}

impl Refusal {
    /// Refusals that are about who asks rather than about the state of things.
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self,
            Refusal::NotTheSanctionedParty { .. } | Refusal::PeopleOnly(_)
        )
    }
}

/// One change the store applies. Every change carries the audit event that records it; the
/// store writes both in one transaction, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A new sanction (its id is the store's to give) with its strike and the credit it used.
    /// The store adds the sanction, with its id, to the audit event's evidence as `record`,
    /// and announces it ([`Topic::SanctionIssue`]).
    Issue {
        sanction: Sanction,
        weight: u32,
        credit_used: i64,
        audit: AuditEvent,
    },
    /// An existing sanction's new state (lifted, amended), announced under `topic`.
    Update {
        sanction: Sanction,
        audit: AuditEvent,
        topic: Topic,
    },
    /// The strike that came with a sanction no longer counts.
    ReverseStrike { sanction: u64 },
    /// Seconds to add to a target's credit.
    Credit { target: Subject, seconds: i64 },
    /// A new appeal (its id is the store's to give).
    FileAppeal { appeal: Appeal, audit: AuditEvent },
    /// A decided appeal, announced with its sanction.
    DecideAppeal {
        appeal: Appeal,
        sanction: Sanction,
        audit: AuditEvent,
    },
}

/// What an intent changes, in the order the store applies it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changeset {
    pub changes: Vec<Change>,
}

impl Changeset {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The targets whose records change: what caches must reload.
    pub fn touched(&self) -> Vec<Subject> {
        let mut touched: Vec<Subject> = Vec::new();
        for change in &self.changes {
            let target = match change {
                Change::Issue { sanction, .. }
                | Change::Update { sanction, .. }
                | Change::DecideAppeal { sanction, .. } => Some(&sanction.target),
                Change::Credit { target, .. } => Some(target),
                Change::ReverseStrike { .. } | Change::FileAppeal { .. } => None,
            };
            if let Some(target) = target
                && !touched.contains(target)
            {
                touched.push(target.clone());
            }
        }
        touched
    }

    pub fn extend(&mut self, other: Changeset) {
        self.changes.extend(other.changes);
    }
}

/// What an offence comes to.
#[derive(Clone, Debug, PartialEq)]
pub enum OffenceOutcome {
    /// A new sanction: the change set's `Issue`.
    Issued(Changeset),
    /// Nothing new: the target is already under a sanction that answers the offence (a
    /// permanent ban, or a restriction of the offence's function).
    Standing(Sanction),
}

fn is_person(actor: &Actor) -> bool {
    matches!(actor.kind, ActorKind::Reviewer | ActorKind::Admin)
}

/// An audit event about the rule `rule` (if any).
fn event(
    (at, actor): (i64, &Actor),
    subject: &Subject,
    action: AuditAction,
    reason: &str,
    evidence: serde_json::Value,
    rule: Option<String>,
) -> AuditEvent {
    AuditEvent {
        at: rfc3339(at),
        actor: actor.clone(),
        subject: subject.clone(),
        action: action.as_str().to_owned(),
        reason: reason.to_owned(),
        evidence,
        rule,
        policy_version: None,
    }
}

/// Record an offence: the ladder's next step, a person's override, evasion, credit; or
/// nothing, when a permanent ban or a restriction of the same function already answers it.
pub fn offence(record: &TargetRecord, offence: Offence, ladders: &Ladders) -> OffenceOutcome {
    let now = offence.at;
    let manual = is_person(&offence.actor);
    if let Some(ban) = record.permanent_ban(now) {
        return OffenceOutcome::Standing(ban.clone());
    }
    // A refused attempt during a restriction: the restriction is the answer. People may still
    // sanction on top of it.
    if !manual
        && !offence.evasion
        && let Some(function) = offence.function
        && let Some(restriction) = record.restriction(function, now)
    {
        return OffenceOutcome::Standing(restriction.clone());
    }
    let ladder = ladders.get(offence.ladder);
    let earlier = record.strikes_on(offence.ladder);
    let mut next = ladder.next(&earlier, offence.weight, now, offence.evasion);
    let overridden = manual && offence.step.is_some();
    if let (true, Some(step)) = (manual, &offence.step) {
        next.ends = step.hours.map(|h| now + i64::from(h) * 3600);
        next.step = step.clone();
    }
    let credit_used = match next.ends {
        Some(ends) => record.credit.min(ends - now).max(0),
        None => 0,
    };
    let ends = next.ends.map(|ends| ends - credit_used);
    let function = (next.step.kind == SanctionKind::Restrict)
        .then_some(offence.function)
        .flatten();
    let evidence = serde_json::json!({
        "offence": offence.evidence,
        "ladder": offence.ladder,
        "strikes": next.strikes,
        "sanction": next.step.kind,
        "hours": next.step.hours,
        "credited_seconds": credit_used,
        "function": function,
        "evasion": offence.evasion,
        "overridden": overridden,
        "weight": offence.weight.max(1),
    });
    let audit = AuditEvent {
        policy_version: offence.policy_version.clone(),
        ..event(
            (now, &offence.actor),
            &offence.target,
            AuditAction::SanctionIssue,
            &offence.reason,
            evidence,
            offence.rule.clone(),
        )
    };
    let sanction = Sanction {
        id: 0,
        target: offence.target,
        kind: next.step.kind,
        function,
        ladder: offence.ladder,
        strikes: next.strikes,
        starts: now,
        ends,
        lifted: false,
        manual,
        reason: offence.reason,
        rule: offence.rule,
        audit_seq: 0,
        evasion: offence.evasion,
        overridden,
    };
    OffenceOutcome::Issued(Changeset {
        changes: vec![Change::Issue {
            sanction,
            weight: offence.weight.max(1),
            credit_used,
            audit,
        }],
    })
}

/// Lift a sanction.
pub fn lift(
    sanction: &Sanction,
    actor: &Actor,
    reason: &str,
    at: i64,
) -> Result<Changeset, Refusal> {
    if sanction.lifted {
        return Err(Refusal::AlreadyLifted(sanction.id));
    }
    if sanction.manual && matches!(actor.kind, ActorKind::Rule | ActorKind::System) {
        return Err(Refusal::PersonsSanction(sanction.id));
    }
    let mut lifted = sanction.clone();
    lifted.lifted = true;
    let audit = event(
        (at, actor),
        &sanction.target,
        AuditAction::SanctionLift,
        reason,
        serde_json::json!({ "sanction": sanction.id, "record": lifted }),
        None,
    );
    Ok(Changeset {
        changes: vec![Change::Update {
            sanction: lifted,
            audit,
            topic: Topic::SanctionLift,
        }],
    })
}

/// Who files an appeal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Appellant {
    /// The platform's service, for the named account.
    ServiceFor(String),
    /// A reviewer or admin, for the sanctioned party (any target kind).
    Person(Actor),
}

/// File an appeal against a sanction: one per sanction, within `window` seconds of its
/// start, by the sanctioned account. `existing` is the appeal the sanction already has.
pub fn file_appeal(
    sanction: &Sanction,
    existing: Option<u64>,
    appellant: Appellant,
    statement: &str,
    at: i64,
    window: i64,
) -> Result<Changeset, Refusal> {
    let actor = match appellant {
        Appellant::ServiceFor(account) => {
            let own = sanction.target.kind == SubjectKind::Account && sanction.target.id == account;
            if !own {
                return Err(Refusal::NotTheSanctionedParty {
                    sanction: sanction.id,
                    target: format!("{} {}", sanction.target.kind.as_str(), sanction.target.id),
                });
            }
            Actor {
                kind: ActorKind::User,
                id: account,
            }
        }
        Appellant::Person(actor) => actor,
    };
    if let Some(appeal) = existing {
        return Err(Refusal::AlreadyAppealed {
            sanction: sanction.id,
            appeal,
        });
    }
    if at > sanction.starts + window {
        return Err(Refusal::WindowClosed {
            sanction: sanction.id,
            closed: rfc3339(sanction.starts + window),
        });
    }
    if sanction.lifted {
        return Err(Refusal::AlreadyLifted(sanction.id));
    }
    let audit = event(
        (at, &actor),
        &sanction.target,
        AuditAction::AppealFile,
        statement,
        serde_json::json!({ "sanction": sanction.id }),
        sanction.rule.clone(),
    );
    let appeal = Appeal {
        id: 0,
        sanction: sanction.id,
        appellant: actor,
        statement: statement.to_owned(),
        filed_at: at,
        state: AppealState::Open,
        decided_by: None,
        decision_reason: None,
        decided_at: None,
        credited_seconds: 0,
    };
    Ok(Changeset {
        changes: vec![Change::FileAppeal { appeal, audit }],
    })
}

/// Uphold or reverse an open appeal on a sanction of `record`'s target.
pub fn decide_appeal(
    record: &TargetRecord,
    appeal: &Appeal,
    decision: &AppealDecision,
    ladders: &Ladders,
) -> Result<Changeset, Refusal> {
    if !is_person(&decision.actor) {
        return Err(Refusal::PeopleOnly("appeals"));
    }
    if appeal.state != AppealState::Open {
        return Err(Refusal::AlreadyDecided {
            appeal: appeal.id,
            state: appeal.state.as_str(),
        });
    }
    let at = decision.at;
    let Some(sanction) = record
        .sanctions
        .iter()
        .find(|s| s.id == appeal.sanction)
        .cloned()
    else {
        // The store loads the record of the appeal's sanction; a missing one is its bug.
        return Err(Refusal::AlreadyLifted(appeal.sanction));
    };
    let mut changes = Vec::new();
    let mut decided = appeal.clone();
    let mut sanction_now = sanction.clone();
    if decision.reverse {
        // Time served: from the start until now or the sanction's own end, whichever came
        // first; a warning restricts nothing, so it serves nothing.
        let served = if sanction.kind == SanctionKind::Warning || sanction.lifted {
            0
        } else {
            sanction.ends.map_or(at, |end| end.min(at)) - sanction.starts
        }
        .max(0);
        sanction_now.lifted = true;
        decided.credited_seconds = served;
        decided.state = AppealState::Reversed;
        changes.push(Change::ReverseStrike {
            sanction: sanction.id,
        });
        if served > 0 {
            changes.push(Change::Credit {
                target: sanction.target.clone(),
                seconds: served,
            });
        }
    } else {
        decided.state = AppealState::Upheld;
    }
    decided.decided_by = Some(decision.actor.clone());
    decided.decision_reason = Some(decision.reason.clone());
    decided.decided_at = Some(at);
    let action = if decision.reverse {
        AuditAction::AppealReversed
    } else {
        AuditAction::AppealUpheld
    };
    let audit = event(
        (at, &decision.actor),
        &sanction.target,
        action,
        &decision.reason,
        serde_json::json!({
            "appeal": appeal.id,
            "sanction": sanction.id,
            "credited_seconds": decided.credited_seconds,
            "record": sanction_now,
        }),
        sanction.rule.clone(),
    );
    changes.push(Change::DecideAppeal {
        appeal: decided,
        sanction: sanction_now.clone(),
        audit,
    });
    if decision.reverse {
        changes.extend(recompute_later(
            record,
            &sanction,
            ladders,
            &decision.actor,
            at,
        ));
    }
    Ok(Changeset { changes })
}

/// After a strike is reversed, every later sanction on the same ladder gets the step it would
/// have had without it. Sanctions that change are amended (audited and announced); evasion,
/// people's overrides and lifted sanctions stand as they were.
fn recompute_later(
    record: &TargetRecord,
    reversed: &Sanction,
    ladders: &Ladders,
    actor: &Actor,
    at: i64,
) -> Vec<Change> {
    let ladder = ladders.get(reversed.ladder);
    let strikes: Vec<StrikeRecord> = record
        .strikes
        .iter()
        .filter(|s| s.ladder == reversed.ladder)
        .map(|s| StrikeRecord {
            reversed: s.reversed || s.sanction == reversed.id,
            ..*s
        })
        .collect();
    let mut changes = Vec::new();
    for later in &record.sanctions {
        if later.id <= reversed.id
            || later.ladder != reversed.ladder
            || later.lifted
            || later.evasion
            || later.overridden
        {
            continue;
        }
        let earlier: Vec<Strike> = strikes
            .iter()
            .filter(|s| s.sanction < later.id)
            .map(StrikeRecord::strike)
            .collect();
        let weight = strikes
            .iter()
            .find(|s| s.sanction == later.id)
            .map_or(1, |s| s.weight);
        let next = ladder.next(&earlier, weight, later.starts, false);
        if next.step.kind == later.kind && next.ends == later.ends {
            continue;
        }
        let mut amended = later.clone();
        amended.kind = next.step.kind;
        amended.ends = next.ends;
        amended.strikes = next.strikes;
        if amended.kind != SanctionKind::Restrict {
            amended.function = None;
        }
        let audit = event(
            (at, actor),
            &later.target,
            AuditAction::SanctionAmend,
            &format!(
                "an earlier strike was reversed on appeal (sanction {}); this sanction is recomputed without it",
                reversed.id
            ),
            serde_json::json!({
                "sanction": later.id,
                "was": { "kind": later.kind, "ends": later.ends },
                "now": { "kind": amended.kind, "ends": amended.ends },
                "record": amended,
            }),
            later.rule.clone(),
        );
        changes.push(Change::Update {
            sanction: amended,
            audit,
            topic: Topic::SanctionAmend,
        });
    }
    changes
}

/// The sanctions and strikes an audit log describes, rebuilt from its records alone: what
/// `audit verify` compares with the tables, so that an edit to them is caught.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Derived {
    /// Sanctions by id.
    pub sanctions: std::collections::BTreeMap<u64, Sanction>,
    /// Strikes by the id of their sanction.
    pub strikes: std::collections::BTreeMap<u64, StrikeRecord>,
}

/// Replay audit events with their record numbers, oldest first, into the state they describe.
/// Events of other kinds are skipped; an event of a known kind without its record is a
/// corrupt log.
pub fn replay<'a>(
    events: impl IntoIterator<Item = (u64, &'a AuditEvent)>,
) -> Result<Derived, String> {
    let mut derived = Derived::default();
    for (seq, event) in events {
        let Some(action) = AuditAction::parse(&event.action) else {
            continue;
        };
        let record = || -> Result<Sanction, String> {
            serde_json::from_value(event.evidence["record"].clone()).map_err(|e| {
                format!(
                    "a `{}` record of {} has no readable sanction: {e}",
                    event.action, event.at
                )
            })
        };
        match action {
            AuditAction::SanctionIssue => {
                // The record is written before its number is known; the number is its place.
                let sanction = Sanction {
                    audit_seq: seq,
                    ..record()?
                };
                let weight = event.evidence["weight"]
                    .as_u64()
                    .or_else(|| event.evidence["offence_weight"].as_u64())
                    .unwrap_or(1) as u32;
                derived.strikes.insert(
                    sanction.id,
                    StrikeRecord {
                        sanction: sanction.id,
                        ladder: sanction.ladder,
                        at: sanction.starts,
                        weight,
                        reversed: false,
                    },
                );
                derived.sanctions.insert(sanction.id, sanction);
            }
            AuditAction::SanctionLift | AuditAction::SanctionAmend => {
                let sanction = record()?;
                derived.sanctions.insert(sanction.id, sanction);
            }
            AuditAction::AppealReversed => {
                let sanction = record()?;
                if let Some(strike) = derived.strikes.get_mut(&sanction.id) {
                    strike.reversed = true;
                }
                derived.sanctions.insert(sanction.id, sanction);
            }
            _ => {}
        }
    }
    Ok(derived)
}

#[cfg(test)]
mod tests;

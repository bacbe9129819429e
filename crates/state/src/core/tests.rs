//! The core's rules as tables, and its change sets as snapshots: no database anywhere.

use super::*;
use crate::ladder::Step;

const HOUR: i64 = 3600;
const T0: i64 = 1_795_000_000;

fn account(id: &str) -> Subject {
    Subject {
        kind: SubjectKind::Account,
        id: id.into(),
    }
}

fn rule(id: &str) -> Actor {
    Actor {
        kind: ActorKind::Rule,
        id: id.into(),
    }
}

fn reviewer() -> Actor {
    Actor {
        kind: ActorKind::Reviewer,
        id: "rita".into(),
    }
}

fn offence(target: &str, at: i64, function: Option<Function>) -> Offence {
    Offence {
        at,
        actor: rule("share-code-in-moment"),
        target: account(target),
        ladder: LadderName::Content,
        weight: 1,
        function,
        rule: Some("share-code-in-moment".into()),
        policy_version: None,
        reason: "third-party share codes are not shown in moments".into(),
        evasion: false,
        evidence: serde_json::Value::Null,
        step: None,
    }
}

/// Apply a change set to a record the way a store does, giving ids in order: enough to run
/// the core's rules over a sequence of intents without a database.
fn apply(record: &mut TargetRecord, changes: &Changeset) -> Vec<Sanction> {
    let mut out = Vec::new();
    for change in &changes.changes {
        match change {
            Change::Issue {
                sanction,
                weight,
                credit_used,
                ..
            } => {
                let mut sanction = sanction.clone();
                sanction.id = record.sanctions.len() as u64 + 1;
                record.strikes.push(StrikeRecord {
                    sanction: sanction.id,
                    ladder: sanction.ladder,
                    at: sanction.starts,
                    weight: *weight,
                    reversed: false,
                });
                record.credit -= credit_used;
                record.sanctions.push(sanction.clone());
                out.push(sanction);
            }
            Change::Update { sanction, .. } | Change::DecideAppeal { sanction, .. } => {
                let slot = record
                    .sanctions
                    .iter_mut()
                    .find(|s| s.id == sanction.id)
                    .expect("known");
                *slot = sanction.clone();
                out.push(sanction.clone());
            }
            Change::ReverseStrike { sanction } => {
                for strike in record
                    .strikes
                    .iter_mut()
                    .filter(|s| s.sanction == *sanction)
                {
                    strike.reversed = true;
                }
            }
            Change::Credit { seconds, .. } => record.credit += seconds,
            Change::FileAppeal { .. } => {}
        }
    }
    out
}

/// One line per change: what a reviewer of the core's decisions reads.
fn render(changes: &Changeset) -> String {
    let mut out = String::new();
    for change in &changes.changes {
        let line = match change {
            Change::Issue {
                sanction,
                weight,
                credit_used,
                audit,
            } => format!(
                "issue {:?} {:?} function={:?} strikes={} ends={:?} weight={weight} credit={credit_used} | audit {} by {:?}:{} «{}»",
                sanction.ladder,
                sanction.kind,
                sanction.function.map(Function::as_str),
                sanction.strikes,
                sanction.ends.map(|e| (e - sanction.starts) / HOUR),
                audit.action,
                audit.actor.kind,
                audit.actor.id,
                audit.reason
            ),
            Change::Update {
                sanction,
                audit,
                topic,
            } => format!(
                "update sanction {} {:?} lifted={} ends={:?} | audit {} | notify {topic}",
                sanction.id,
                sanction.kind,
                sanction.lifted,
                sanction.ends.map(|e| (e - sanction.starts) / HOUR),
                audit.action
            ),
            Change::ReverseStrike { sanction } => format!("reverse strike of sanction {sanction}"),
            Change::Credit { target, seconds } => {
                format!("credit {} {}: {seconds} s", target.kind.as_str(), target.id)
            }
            Change::FileAppeal { appeal, audit } => format!(
                "appeal against {} by {:?}:{} | audit {}",
                appeal.sanction, appeal.appellant.kind, appeal.appellant.id, audit.action
            ),
            Change::DecideAppeal {
                appeal,
                sanction,
                audit,
            } => format!(
                "appeal {:?} credited={} sanction {} lifted={} | audit {}",
                appeal.state, appeal.credited_seconds, sanction.id, sanction.lifted, audit.action
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn issued(outcome: OffenceOutcome) -> Changeset {
    match outcome {
        OffenceOutcome::Issued(changes) => changes,
        OffenceOutcome::Standing(s) => panic!("expected a new sanction, got standing {s:?}"),
    }
}

#[test]
fn content_ladder_restricts_the_function_of_the_strike_at_every_step() {
    let ladders = Ladders::embedded();
    let mut record = TargetRecord::empty(account("u1"));
    let mut steps = Vec::new();
    // A day apart, so each restriction has ended before the next offence.
    for i in 0..5 {
        let changes = issued(super::offence(
            &record,
            offence("u1", T0 + i * 8 * 24 * HOUR, Some(Function::ShareCodes)),
            &ladders,
        ));
        let sanction = apply(&mut record, &changes).remove(0);
        steps.push((
            sanction.kind,
            sanction.function,
            sanction.ends.map(|e| (e - sanction.starts) / HOUR),
        ));
    }
    use SanctionKind::{Restrict, Warning};
    let share = Some(Function::ShareCodes);
    assert_eq!(
        steps,
        [
            (Warning, None, None),
            (Restrict, share, Some(12)),
            (Restrict, share, Some(24)),
            (Restrict, share, Some(168)),
            (Restrict, share, Some(168)),
        ]
    );
}

#[test]
fn a_refused_attempt_during_a_restriction_adds_nothing() {
    let ladders = Ladders::embedded();
    let mut record = TargetRecord::empty(account("u1"));
    for at in [T0, T0 + HOUR] {
        let changes = issued(super::offence(
            &record,
            offence("u1", at, Some(Function::ShareCodes)),
            &ladders,
        ));
        apply(&mut record, &changes);
    }
    // Now restricted for 12 hours: three more attempts within the hour.
    for minutes in [1, 2, 3] {
        let outcome = super::offence(
            &record,
            offence("u1", T0 + HOUR + minutes * 60, Some(Function::ShareCodes)),
            &ladders,
        );
        let OffenceOutcome::Standing(restriction) = outcome else {
            panic!("a strike during the restriction: {outcome:?}")
        };
        assert_eq!(restriction.function, Some(Function::ShareCodes));
    }
    assert_eq!(record.strikes.len(), 2);
    // Another function is another matter.
    assert!(matches!(
        super::offence(
            &record,
            offence("u1", T0 + 2 * HOUR, Some(Function::LinksInMoments)),
            &ladders
        ),
        OffenceOutcome::Issued(_)
    ));
}

#[test]
fn nothing_stacks_on_a_permanent_ban() {
    let ladders = Ladders::embedded();
    let mut record = TargetRecord::empty(account("u1"));
    let mut evasion = offence("u1", T0, None);
    evasion.evasion = true;
    let changes = issued(super::offence(&record, evasion.clone(), &ladders));
    let ban = apply(&mut record, &changes).remove(0);
    assert_eq!(ban.kind, SanctionKind::Permanent);
    evasion.at += HOUR;
    assert_eq!(
        super::offence(&record, evasion, &ladders),
        OffenceOutcome::Standing(ban)
    );
}

#[test]
fn people_override_the_step_and_rules_cannot() {
    let ladders = Ladders::embedded();
    let record = TargetRecord::empty(account("u1"));
    let step = Step {
        kind: SanctionKind::LoginBan,
        hours: Some(48),
    };
    let mut by_rule = offence("u1", T0, None);
    by_rule.step = Some(step.clone());
    let changes = issued(super::offence(&record, by_rule.clone(), &ladders));
    let Change::Issue { sanction, .. } = &changes.changes[0] else {
        panic!()
    };
    assert_eq!(
        sanction.kind,
        SanctionKind::Warning,
        "a rule's override is ignored"
    );
    let mut by_person = by_rule;
    by_person.actor = reviewer();
    let changes = issued(super::offence(&record, by_person, &ladders));
    let Change::Issue { sanction, .. } = &changes.changes[0] else {
        panic!()
    };
    assert_eq!(
        (sanction.kind, sanction.overridden, sanction.manual),
        (SanctionKind::LoginBan, true, true)
    );
    let lifted = super::lift(sanction, &rule("x"), "expired", T0 + HOUR);
    assert_eq!(lifted, Err(Refusal::PersonsSanction(0)));
}

#[test]
fn only_the_sanctioned_account_appeals() {
    let ladders = Ladders::embedded();
    let mut record = TargetRecord::empty(account("u1"));
    let changes = issued(super::offence(&record, offence("u1", T0, None), &ladders));
    let sanction = apply(&mut record, &changes).remove(0);
    let refused = file_appeal(
        &sanction,
        None,
        Appellant::ServiceFor("mallory".into()),
        "not me",
        T0 + HOUR,
        30 * 24 * HOUR,
    );
    assert!(matches!(
        refused,
        Err(Refusal::NotTheSanctionedParty { .. })
    ));
    assert!(refused.unwrap_err().is_forbidden());
    let filed = file_appeal(
        &sanction,
        None,
        Appellant::ServiceFor("u1".into()),
        "that was a gift for my mother",
        T0 + HOUR,
        30 * 24 * HOUR,
    )
    .unwrap();
    assert_eq!(filed.changes.len(), 1);
    assert_eq!(
        file_appeal(
            &sanction,
            Some(7),
            Appellant::ServiceFor("u1".into()),
            "again",
            T0 + HOUR,
            30 * 24 * HOUR
        ),
        Err(Refusal::AlreadyAppealed {
            sanction: sanction.id,
            appeal: 7
        })
    );
}

#[test]
fn reversal_credits_time_served_and_recomputes_later_sanctions() {
    let ladders = Ladders::embedded();
    let mut record = TargetRecord::empty(account("u1"));
    let mut given = Vec::new();
    for (i, function) in [
        Function::ShareCodes,
        Function::ShareCodes,
        Function::LinksInMoments,
    ]
    .into_iter()
    .enumerate()
    {
        let at = T0 + i as i64 * HOUR;
        let changes = issued(super::offence(
            &record,
            offence("u1", at, Some(function)),
            &ladders,
        ));
        given.push(apply(&mut record, &changes).remove(0));
    }
    let appeal = Appeal {
        id: 1,
        sanction: given[1].id,
        appellant: Actor {
            kind: ActorKind::User,
            id: "u1".into(),
        },
        statement: "the code was my own shop's".into(),
        filed_at: T0 + 2 * HOUR,
        state: AppealState::Open,
        decided_by: None,
        decision_reason: None,
        decided_at: None,
        credited_seconds: 0,
    };
    let decision = AppealDecision {
        actor: reviewer(),
        reverse: true,
        reason: "the shop is the sender's own".into(),
        at: T0 + 4 * HOUR,
    };
    let changes = decide_appeal(&record, &appeal, &decision, &ladders).unwrap();
    insta::assert_snapshot!(render(&changes), @r"
    reverse strike of sanction 2
    credit account u1: 10800 s
    appeal Reversed credited=10800 sanction 2 lifted=true | audit appeal.reversed
    update sanction 3 Restrict lifted=false ends=Some(12) | audit sanction.amend | notify sanction.amend
    ");
    assert_eq!(
        decide_appeal(
            &record,
            &appeal,
            &AppealDecision {
                actor: rule("x"),
                ..decision
            },
            &ladders
        ),
        Err(Refusal::PeopleOnly("appeals"))
    );
}

#[test]
fn a_change_set_says_everything_the_log_needs_to_rebuild_state() {
    let ladders = Ladders::embedded();
    let mut record = TargetRecord::empty(account("u1"));
    let changes = issued(super::offence(
        &record,
        offence("u1", T0, Some(Function::ShareCodes)),
        &ladders,
    ));
    insta::assert_snapshot!(render(&changes), @"issue Content Warning function=None strikes=1 ends=None weight=1 credit=0 | audit sanction.issue by Rule:share-code-in-moment «third-party share codes are not shown in moments»");
    let sanction = apply(&mut record, &changes).remove(0);
    // The store adds the record with its id; replay reads it back.
    let Change::Issue { mut audit, .. } = changes.changes[0].clone() else {
        panic!()
    };
    audit.evidence["record"] = serde_json::to_value(&sanction).unwrap();
    let lift = super::lift(&sanction, &reviewer(), "a mistake", T0 + HOUR).unwrap();
    let Change::Update { audit: lifted, .. } = &lift.changes[0] else {
        panic!()
    };
    let derived = replay([(1, &audit), (2, lifted)]).unwrap();
    assert!(derived.sanctions[&sanction.id].lifted);
    assert_eq!(derived.strikes[&sanction.id].weight, 1);
    assert_eq!(lift.touched(), [account("u1")]);
}

//! Reports and cases in the store: grouping, triage, moves, verification through the ladder,
//! reporters' records, feedback notifications and labelled examples.

mod common;
use common::*;

use menshen_state::{
    appeal::AppealDecision,
    audit::{Actor, ActorKind, Subject, SubjectKind},
    ladder::{Ladders, SanctionKind},
    report::{CaseAction, CaseState, Evidence, NewReport, Outcome, Reason, ReportConfig, Reporter},
    sanction::{LadderName, Offence},
    store::{Store, StoreError},
};

fn person(kind: ActorKind, id: &str) -> Actor {
    Actor {
        kind,
        id: id.into(),
    }
}

fn message(id: &str) -> Subject {
    Subject {
        kind: SubjectKind::Message,
        id: id.into(),
    }
}

const SCAM: &str = "刷单兼职日结，加V: abc12345 带你赚钱";

fn report(reporter: &str, subject: Subject, reason: Reason, at: i64) -> NewReport {
    NewReport {
        reporter: Reporter {
            id: reporter.into(),
            account_age_days: Some(400),
            device: None,
            ip: None,
        },
        subject,
        account: Some("seller".into()),
        content: Some(SCAM.into()),
        reason,
        statement: "asked me to pay a deposit".into(),
        evidence: Evidence {
            messages: vec!["m1".into()],
            excerpts: vec!["加V".into()],
        },
        at,
    }
}

fn verify(reviewer: &Actor, at: i64) -> Offence {
    Offence {
        at,
        actor: reviewer.clone(),
        target: account("seller"),
        ladder: LadderName::Content,
        weight: 1,
        function: None,
        rule: None,
        policy_version: None,
        reason: "fraud: a fake part-time job asking for deposits".into(),
        evasion: false,
        evidence: serde_json::json!({}),
        step: None,
    }
}

fn file(store: &mut dyn Store, new: NewReport) -> menshen_state::report::Case {
    store
        .file_report(new, 0.2, &ReportConfig::default())
        .unwrap()
        .1
}

#[test]
fn reports_on_one_subject_join_one_case_until_it_is_resolved() {
    let (_dir, mut store) = store("reports-group");
    let first = file(&mut *store, report("a", message("m1"), Reason::Fraud, T0));
    let second = file(
        &mut *store,
        report("b", message("m1"), Reason::Fraud, T0 + 60),
    );
    let again = file(
        &mut *store,
        report("b", message("m1"), Reason::MarketingSpam, T0 + 90),
    );
    let other = file(
        &mut *store,
        report("a", message("m2"), Reason::Fraud, T0 + 120),
    );
    assert_eq!(first.id, second.id);
    assert_eq!(again.id, first.id);
    assert_ne!(other.id, first.id);
    assert_eq!(again.reports, 3);
    assert_eq!(again.reporters, 2, "b reported twice");
    assert_eq!(again.reason, Reason::Fraud, "two fraud, one marketing");
    assert!(second.priority > first.priority);
    assert_eq!(
        again.priority, second.priority,
        "the same reporter again adds nothing"
    );
    assert_eq!(store.case_reports(first.id).unwrap().len(), 3);

    let root = person(ActorKind::Admin, "root");
    store
        .resolve_case(
            first.id,
            root,
            "nothing wrong",
            None,
            &Ladders::embedded(),
            T0 + 200,
        )
        .unwrap();
    let fresh = file(
        &mut *store,
        report("c", message("m1"), Reason::Fraud, T0 + 300),
    );
    assert_ne!(fresh.id, first.id, "a resolved case takes no more reports");
    assert_eq!(store.cases_about(&message("m1")).unwrap().len(), 2);
}

#[test]
fn a_bad_faith_wave_is_flagged_and_audited() {
    let (_dir, mut store) = store("reports-wave");
    let mut case = None;
    for i in 0..6 {
        let mut new = report(
            &format!("w{i}"),
            message("m9"),
            Reason::Harassment,
            T0 + i * 30,
        );
        new.reporter.account_age_days = Some(0);
        new.reporter.device = Some("farm-phone".into());
        case = Some(
            store
                .file_report(new, 0.0, &ReportConfig::default())
                .unwrap()
                .1,
        );
    }
    let case = case.unwrap();
    assert!(case.bad_faith.is_some(), "{case:?}");
    assert_eq!(case.priority, 0.0);
    let flagged = store
        .history(&message("m9"), 100)
        .unwrap()
        .into_iter()
        .filter(|r| r.event.action == "case.bad_faith")
        .count();
    assert_eq!(flagged, 1, "flagged once, when it became a wave");
}

#[test]
fn the_queue_hands_out_the_highest_priority_open_case() {
    let (_dir, mut store) = store("reports-queue");
    let low = file(
        &mut *store,
        report("a", message("low"), Reason::MarketingSpam, T0),
    );
    let mut high = low.clone();
    for (i, who) in ["a", "b", "c"].iter().enumerate() {
        high = file(
            &mut *store,
            report(who, message("high"), Reason::Fraud, T0 + i as i64),
        );
    }
    let ana = person(ActorKind::Reviewer, "ana");
    let taken = store
        .next_case(ana.clone(), None, T0 + 10)
        .unwrap()
        .unwrap();
    assert_eq!(taken.id, high.id);
    assert_eq!(taken.state, CaseState::Assigned);
    assert_eq!(taken.assignee.as_deref(), Some("ana"));
    let marketing = store
        .next_case(ana.clone(), Some(Reason::MarketingSpam), T0 + 11)
        .unwrap()
        .unwrap();
    assert_eq!(marketing.id, low.id);
    assert!(store.next_case(ana, None, T0 + 12).unwrap().is_none());
    let open = store.cases(&[CaseState::Open], None, 10, T0).unwrap();
    assert!(open.is_empty());
    let all = store.cases(&[], None, 10, T0).unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[0].priority >= all[1].priority);
}

#[test]
fn moves_are_checked_and_audited() {
    let (_dir, mut store) = store("reports-moves");
    let case = file(&mut *store, report("a", message("m1"), Reason::Fraud, T0));
    let ana = person(ActorKind::Reviewer, "ana");
    let bo = person(ActorKind::Reviewer, "bo");
    let root = person(ActorKind::Admin, "root");
    store
        .move_case(
            case.id,
            ana.clone(),
            CaseAction::Assign {
                to: "ana".into(),
                reason: None,
            },
            T0 + 1,
        )
        .unwrap();
    let refused = store.resolve_case(case.id, bo, "no", None, &Ladders::embedded(), T0 + 2);
    assert!(
        matches!(refused, Err(StoreError::Refused(_))),
        "{refused:?}"
    );
    store
        .move_case(
            case.id,
            ana.clone(),
            CaseAction::Escalate {
                reason: "could be a bank's real number".into(),
            },
            T0 + 3,
        )
        .unwrap();
    let refused = store.resolve_case(
        case.id,
        ana,
        "yes",
        Some(verify(&root, T0)),
        &Ladders::embedded(),
        T0 + 4,
    );
    assert!(matches!(refused, Err(StoreError::Refused(_))));
    assert!(
        store.sanctions_of(&account("seller")).unwrap().is_empty(),
        "a refused verification sanctions nobody"
    );
    let actions: Vec<String> = store
        .history(&message("m1"), 100)
        .unwrap()
        .into_iter()
        .map(|r| r.event.action)
        .collect();
    assert_eq!(actions, ["report.file", "case.assign", "case.escalate"]);
}

#[test]
fn verification_sanctions_through_the_ladder_and_tells_everyone() {
    let (_dir, mut store) = store("reports-verify");
    let ladders = Ladders::embedded();
    let case = file(&mut *store, report("a", message("m1"), Reason::Fraud, T0));
    file(
        &mut *store,
        report("b", message("m1"), Reason::Fraud, T0 + 5),
    );
    let ana = person(ActorKind::Reviewer, "ana");
    let (resolved, sanction) = store
        .resolve_case(
            case.id,
            ana.clone(),
            "a fake job asking for deposits",
            Some(verify(&ana, T0 + 10)),
            &ladders,
            T0 + 10,
        )
        .unwrap();
    let sanction = sanction.unwrap();
    assert_eq!(resolved.state, CaseState::Resolved);
    let resolution = resolved.resolution.unwrap();
    assert_eq!(resolution.outcome, Outcome::Verified);
    assert_eq!(resolution.sanction, Some(sanction.id));
    assert_eq!(sanction.target, account("seller"));
    assert_eq!(
        sanction.kind,
        SanctionKind::Warning,
        "the ladder's first step"
    );
    assert_eq!(store.reporter_record("a").unwrap().upheld, 1);
    assert_eq!(store.reporter_record("b").unwrap().upheld, 1);

    let topics: Vec<(String, serde_json::Value)> = store
        .due_notifications(T0 + 10, 100)
        .unwrap()
        .into_iter()
        .map(|n| (n.topic, n.payload))
        .collect();
    let outcomes: Vec<&serde_json::Value> = topics
        .iter()
        .filter(|(t, _)| t == "report.outcome")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(outcomes.len(), 2, "one per reporter: {topics:?}");
    assert!(outcomes.iter().all(|p| p["outcome"] == "verified"));
    // The reporter is thanked in both languages; the platform shows theirs.
    let message = &outcomes[0]["message"];
    assert!(
        message["zh-CN"]
            .as_str()
            .unwrap()
            .starts_with("感谢你的举报")
            && message["en"]
                .as_str()
                .unwrap()
                .starts_with("Thank you for your report"),
        "{message}"
    );
    let verified = topics
        .iter()
        .find(|(t, _)| t == "case.verified")
        .map(|(_, p)| p)
        .unwrap();
    assert_eq!(verified["appeal"]["sanction"], sanction.id);

    let examples = store.examples(10).unwrap();
    assert_eq!(examples.len(), 1);
    assert!(examples[0].spam);
    assert_eq!(examples[0].text, SCAM);

    // The seller appeals and wins: the same example is relabelled, not duplicated.
    let appeal = store
        .file_appeal(
            sanction.id,
            menshen_state::core::Appellant::ServiceFor("seller".into()),
            "not me",
            T0 + 20,
            86_400,
        )
        .unwrap();
    store
        .decide_appeal(
            appeal.id,
            AppealDecision {
                actor: person(ActorKind::Admin, "root"),
                reverse: true,
                reason: "the account was stolen".into(),
                at: T0 + 30,
            },
            &ladders,
        )
        .unwrap();
    let examples = store.examples(10).unwrap();
    assert_eq!(examples.len(), 1);
    assert!(!examples[0].spam);
}

#[test]
fn dismissal_lowers_reporters_reliability_and_labels_only_spam_reasons() {
    let (_dir, mut store) = store("reports-dismiss");
    let ladders = Ladders::embedded();
    let ana = person(ActorKind::Reviewer, "ana");
    let spam = file(
        &mut *store,
        report("a", message("m1"), Reason::MarketingSpam, T0),
    );
    let rude = file(
        &mut *store,
        report("a", message("m2"), Reason::Harassment, T0),
    );
    for case in [spam.id, rude.id] {
        store
            .resolve_case(
                case,
                ana.clone(),
                "an ordinary message",
                None,
                &ladders,
                T0 + 9,
            )
            .unwrap();
    }
    assert_eq!(store.reporter_record("a").unwrap().dismissed, 2);
    let examples = store.examples(10).unwrap();
    assert_eq!(examples.len(), 1, "harassment is not a spam label");
    assert!(!examples[0].spam);
    assert_eq!(examples[0].source, format!("case:{}", spam.id));
    // A twice-dismissed reporter now weighs less than a newcomer.
    let theirs = file(
        &mut *store,
        report("a", message("m3"), Reason::Fraud, T0 + 20),
    );
    let newcomer = file(
        &mut *store,
        report("z", message("m4"), Reason::Fraud, T0 + 20),
    );
    assert!(theirs.priority < newcomer.priority);
}

#[test]
fn an_old_case_rises_in_the_queue_as_it_waits() {
    let (_dir, mut store) = store("reports-ageing");
    // One reporter, a day and a half ago; then three reporters on another subject now.
    let old = file(
        &mut *store,
        report("a", message("m-old"), Reason::Fraud, T0),
    );
    let now = T0 + 36 * HOUR;
    let mut fresh = file(
        &mut *store,
        report("b", message("m-new"), Reason::Fraud, now),
    );
    for reporter in ["c", "d"] {
        fresh = file(
            &mut *store,
            report(reporter, message("m-new"), Reason::Fraud, now),
        );
    }
    assert!(
        fresh.priority > old.priority,
        "more reporters, higher own priority"
    );
    assert!(old.aged_priority(now) > fresh.aged_priority(now), "{old:?}");
    let queue = store.cases(&[CaseState::Open], None, 10, now).unwrap();
    assert_eq!(queue[0].id, old.id, "the waiting case comes first");
    let back_then = store.cases(&[CaseState::Open], None, 10, T0).unwrap();
    assert_eq!(back_then[0].id, fresh.id);
}

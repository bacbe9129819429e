//! Appeals, standing, evasion, tokens and the webhook outbox in the store.

mod common;
use common::*;

use menshen_state::{
    appeal::{AppealDecision, AppealState},
    audit::{Actor, ActorKind, Subject, SubjectKind},
    core::{Appellant, Refusal},
    ladder::{Ladders, SanctionKind, Step},
    store::{Store, StoreError},
    token::Role,
};

const DAY: i64 = 86_400;
const WINDOW: i64 = 30 * DAY;

fn reviewer() -> Actor {
    Actor {
        kind: ActorKind::Reviewer,
        id: "r1".into(),
    }
}

fn appellant(id: &str) -> Appellant {
    Appellant::ServiceFor(id.into())
}

#[test]
fn one_appeal_per_sanction_within_the_window() {
    let (_dir, mut store) = store("appeal-once");
    let ladders = Ladders::embedded();
    let warning = store
        .record_offence(offence("u1", T0, ActorKind::Rule, false), &ladders)
        .unwrap();
    let appeal = store
        .file_appeal(
            warning.id,
            appellant("u1"),
            "it was my own shop",
            T0 + HOUR,
            WINDOW,
        )
        .unwrap();
    assert_eq!(appeal.state, AppealState::Open);
    let again = store.file_appeal(warning.id, appellant("u1"), "again", T0 + 2 * HOUR, WINDOW);
    assert!(matches!(
        again,
        Err(StoreError::Refusal(Refusal::AlreadyAppealed { .. }))
    ));

    let late_sanction = store
        .record_offence(offence("u2", T0, ActorKind::Rule, false), &ladders)
        .unwrap();
    let late = store.file_appeal(
        late_sanction.id,
        appellant("u2"),
        "late",
        T0 + WINDOW + 1,
        WINDOW,
    );
    assert!(matches!(
        late,
        Err(StoreError::Refusal(Refusal::WindowClosed { .. }))
    ));
    assert!(matches!(
        store.file_appeal(999, appellant("u2"), "?", T0, WINDOW),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn upholding_keeps_the_sanction_and_the_appellant_sees_why() {
    let (_dir, mut store) = store("appeal-uphold");
    let ladders = Ladders::embedded();
    store
        .record_offence(offence("u1", T0, ActorKind::Rule, false), &ladders)
        .unwrap();
    let restriction = store
        .record_offence(offence("u1", T0 + HOUR, ActorKind::Rule, false), &ladders)
        .unwrap();
    let appeal = store
        .file_appeal(
            restriction.id,
            appellant("u1"),
            "please",
            T0 + 2 * HOUR,
            WINDOW,
        )
        .unwrap();
    let decided = store
        .decide_appeal(
            appeal.id,
            AppealDecision {
                actor: reviewer(),
                reverse: false,
                reason: "the share code was posted to moments twice".into(),
                at: T0 + 3 * HOUR,
            },
            &ladders,
        )
        .unwrap();
    assert_eq!(decided.state, AppealState::Upheld);
    assert_eq!(
        store
            .appeal(appeal.id)
            .unwrap()
            .unwrap()
            .decision_reason
            .as_deref(),
        Some("the share code was posted to moments twice")
    );
    assert_eq!(
        store
            .active_sanctions(&account("u1"), T0 + 4 * HOUR)
            .unwrap()
            .len(),
        1
    );
    let twice = store.decide_appeal(
        appeal.id,
        AppealDecision {
            actor: reviewer(),
            reverse: true,
            reason: "changed my mind".into(),
            at: T0 + 5 * HOUR,
        },
        &ladders,
    );
    assert!(matches!(
        twice,
        Err(StoreError::Refusal(Refusal::AlreadyDecided { .. }))
    ));
}

#[test]
fn reversal_recomputes_the_ladder_and_credits_time_served() {
    let (_dir, mut store) = store("appeal-reverse");
    let ladders = Ladders::embedded();
    let first = store
        .record_offence(offence("u1", T0, ActorKind::Rule, false), &ladders)
        .unwrap();
    let second = store
        .record_offence(offence("u1", T0 + DAY, ActorKind::Rule, false), &ladders)
        .unwrap();
    let third = store
        .record_offence(
            offence("u1", T0 + 2 * DAY, ActorKind::Rule, false),
            &ladders,
        )
        .unwrap();
    assert_eq!(first.kind, SanctionKind::Warning);
    assert_eq!(
        (second.kind, second.ends),
        (SanctionKind::Restrict, Some(T0 + DAY + 12 * HOUR))
    );
    assert_eq!(third.ends, Some(T0 + 2 * DAY + 24 * HOUR));

    // The second was wrong: reversed six hours into the third's day.
    let appeal = store
        .file_appeal(second.id, appellant("u1"), "not mine", T0 + 2 * DAY, WINDOW)
        .unwrap();
    let at = T0 + 2 * DAY + 6 * HOUR;
    let decided = store
        .decide_appeal(
            appeal.id,
            AppealDecision {
                actor: reviewer(),
                reverse: true,
                reason: "the code was the account's own shop".into(),
                at,
            },
            &ladders,
        )
        .unwrap();
    assert_eq!(decided.state, AppealState::Reversed);
    assert_eq!(
        decided.credited_seconds,
        12 * HOUR,
        "the whole 12 h were served"
    );

    // The reversed sanction is lifted; the third, given on two strikes instead of three, is
    // now a 12-hour restriction from its start.
    assert!(store.sanction(second.id).unwrap().unwrap().lifted);
    let third_now = store.sanction(third.id).unwrap().unwrap();
    assert_eq!(
        (third_now.kind, third_now.ends, third_now.strikes),
        (SanctionKind::Restrict, Some(T0 + 2 * DAY + 12 * HOUR), 2)
    );
    let standing = store.standing(&account("u1"), &ladders, at).unwrap();
    assert_eq!(standing.content_strikes, 2);
    assert_eq!(standing.restrictions.len(), 1);
    assert_eq!(
        standing.restrictions[0].until,
        Some(T0 + 2 * DAY + 12 * HOUR)
    );

    // The next timed sanction is shortened by the credited 12 hours: the fourth offence
    // would have earned 24 h (three strikes in force); it ends after 12.
    let fourth = store
        .record_offence(
            offence("u1", T0 + 3 * DAY, ActorKind::Rule, false),
            &ladders,
        )
        .unwrap();
    assert_eq!(fourth.strikes, 3);
    assert_eq!(fourth.ends, Some(T0 + 3 * DAY + 12 * HOUR));
    let fifth = store
        .record_offence(
            offence("u1", T0 + 4 * DAY, ActorKind::Rule, false),
            &ladders,
        )
        .unwrap();
    assert_eq!(
        fifth.ends,
        Some(T0 + 4 * DAY + 168 * HOUR),
        "the credit is used up"
    );

    let actions: Vec<String> = store
        .history(&account("u1"), 100)
        .unwrap()
        .into_iter()
        .map(|r| r.event.action)
        .collect();
    assert!(actions.contains(&"appeal.file".to_string()));
    assert!(actions.contains(&"appeal.reversed".to_string()));
    assert!(actions.contains(&"sanction.amend".to_string()));
    store.verify().unwrap();
}

#[test]
fn appeals_are_decided_by_people() {
    let (_dir, mut store) = store("appeal-people");
    let ladders = Ladders::embedded();
    let s = store
        .record_offence(offence("u1", T0, ActorKind::Rule, false), &ladders)
        .unwrap();
    let appeal = store
        .file_appeal(s.id, appellant("u1"), "x", T0, WINDOW)
        .unwrap();
    let by_rule = store.decide_appeal(
        appeal.id,
        AppealDecision {
            actor: Actor {
                kind: ActorKind::Rule,
                id: "auto".into(),
            },
            reverse: true,
            reason: "auto".into(),
            at: T0,
        },
        &ladders,
    );
    assert!(matches!(
        by_rule,
        Err(StoreError::Refusal(Refusal::PeopleOnly(_)))
    ));
    assert_eq!(store.appeals(Some(AppealState::Open), 10).unwrap().len(), 1);
}

#[test]
fn a_reviewer_may_override_the_ladder_a_rule_may_not() {
    let (_dir, mut store) = store("override");
    let ladders = Ladders::embedded();
    let mut manual = offence("u1", T0, ActorKind::Reviewer, false);
    manual.step = Some(Step {
        kind: SanctionKind::LoginBan,
        hours: Some(48),
    });
    let given = store.record_offence(manual, &ladders).unwrap();
    assert_eq!(
        (given.kind, given.ends, given.overridden),
        (SanctionKind::LoginBan, Some(T0 + 48 * HOUR), true)
    );
    let mut automatic = offence("u2", T0, ActorKind::Rule, false);
    automatic.step = Some(Step {
        kind: SanctionKind::Permanent,
        hours: None,
    });
    let given = store.record_offence(automatic, &ladders).unwrap();
    assert_eq!(
        (given.kind, given.overridden),
        (SanctionKind::Warning, false)
    );
}

#[test]
fn bans_on_devices_and_ip_ranges_cover_new_accounts() {
    let (_dir, mut store) = store("evasion-cover");
    let ladders = Ladders::embedded();
    let mut device = offence("d9", T0, ActorKind::Admin, true);
    device.target = Subject {
        kind: SubjectKind::Device,
        id: "d9".into(),
    };
    store.record_offence(device, &ladders).unwrap();
    let mut range = offence("203.0.113.0/24", T0, ActorKind::Admin, true);
    range.target = Subject {
        kind: SubjectKind::Ip,
        id: "203.0.113.0/24".into(),
    };
    store.record_offence(range, &ladders).unwrap();

    let at = T0 + HOUR;
    assert!(store.ban_covering(Some("d9"), None, at).unwrap().is_some());
    assert!(store.ban_covering(Some("d1"), None, at).unwrap().is_none());
    let inside = "203.0.113.77".parse().ok();
    let outside = "198.51.100.1".parse().ok();
    assert!(store.ban_covering(None, inside, at).unwrap().is_some());
    assert!(
        store
            .ban_covering(Some("d1"), outside, at)
            .unwrap()
            .is_none()
    );
    assert!(store.ban_covering(None, None, at).unwrap().is_none());
}

#[test]
fn tokens_are_stored_hashed_and_carry_a_role() {
    let (dir, mut store) = sqlite_store("tokens");
    let secret = store.create_token("ops", Role::Reviewer, T0).unwrap();
    assert_eq!(
        store.authenticate(&secret).unwrap(),
        Some((Role::Reviewer, "ops".to_string()))
    );
    assert_eq!(store.authenticate("menshen_guess").unwrap(), None);
    drop(store);
    let bytes = std::fs::read(dir.join("menshen.db")).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(&secret), "the secret itself is never stored");
}

#[test]
fn revoked_tokens_stop_authenticating_and_the_revocation_is_audited() {
    let (_dir, mut store) = store("tokens-revoke");
    let first = store.create_token("ops", Role::Reviewer, T0).unwrap();
    let second = store.create_token("ops", Role::Reviewer, T0).unwrap();
    let other = store.create_token("platform", Role::Service, T0).unwrap();
    assert_eq!(store.revoke_tokens("ops", T0 + 1).unwrap(), 2);
    assert_eq!(
        store.revoke_tokens("ops", T0 + 2).unwrap(),
        0,
        "nothing live left"
    );
    assert_eq!(store.authenticate(&first).unwrap(), None);
    assert_eq!(store.authenticate(&second).unwrap(), None);
    assert!(store.authenticate(&other).unwrap().is_some());
    let listed: Vec<(String, bool)> = store
        .tokens()
        .unwrap()
        .into_iter()
        .map(|t| (t.name, t.revoked))
        .collect();
    assert_eq!(
        listed,
        [
            ("ops".to_string(), true),
            ("ops".to_string(), true),
            ("platform".to_string(), false)
        ]
    );
    let subject = Subject {
        kind: SubjectKind::Account,
        id: "token:ops".into(),
    };
    let actions: Vec<String> = store
        .history(&subject, 10)
        .unwrap()
        .into_iter()
        .map(|r| r.event.action)
        .collect();
    assert_eq!(actions, ["token.create", "token.create", "token.revoke"]);
}

#[test]
fn changes_queue_notifications_that_retry_with_backoff() {
    let (_dir, mut store) = store("outbox");
    let ladders = Ladders::embedded();
    let sanction = store
        .record_offence(offence("u1", T0, ActorKind::Rule, false), &ladders)
        .unwrap();
    store
        .lift(sanction.id, reviewer(), "mistake", T0 + 10)
        .unwrap();
    let due = store.due_notifications(T0 + 10, 10).unwrap();
    let topics: Vec<&str> = due.iter().map(|n| n.topic.as_str()).collect();
    assert_eq!(topics, ["sanction.issue", "sanction.lift"]);
    assert_eq!(due[0].payload["target"]["id"], "u1");

    store
        .notification_failed(due[0].id, "connection refused", T0 + 10)
        .unwrap();
    let later = store.due_notifications(T0 + 11, 10).unwrap();
    assert_eq!(later.len(), 1, "the failed one waits for its backoff");
    store.notification_delivered(later[0].id).unwrap();
    let retried = store.due_notifications(T0 + 15, 10).unwrap();
    assert_eq!((retried.len(), retried[0].attempts), (1, 1));
    store.notification_delivered(retried[0].id).unwrap();
    assert!(store.due_notifications(T0 + DAY, 10).unwrap().is_empty());
}

#[test]
fn a_claimed_notification_is_one_instances_until_its_lease_ends() {
    let (dir, url) = menshen_state::store::testing::fresh("outbox-claims");
    let mut first = menshen_state::store::open(&dir, url.as_deref()).unwrap();
    let mut second = menshen_state::store::open(&dir, url.as_deref()).unwrap();
    first
        .record_offence(
            offence("u1", T0, ActorKind::Rule, false),
            &Ladders::embedded(),
        )
        .unwrap();
    let claimed = first.claim_notifications(T0, 10, 60).unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(
        second
            .claim_notifications(T0 + 1, 10, 60)
            .unwrap()
            .is_empty(),
        "claimed by the first instance"
    );
    // The first instance died without delivering: after the lease, the second takes it.
    let retaken = second.claim_notifications(T0 + 61, 10, 60).unwrap();
    assert_eq!(
        retaken.iter().map(|n| n.id).collect::<Vec<_>>(),
        [claimed[0].id]
    );
    second.notification_delivered(retaken[0].id).unwrap();
    assert!(
        first
            .claim_notifications(T0 + 999, 10, 60)
            .unwrap()
            .is_empty()
    );
}

//! Offences climb the ladder in the store; every change is an audit record in the same
//! transaction; manual decisions outrank automatic ones.

use menshen_state::{
    audit::{Actor, ActorKind, Subject, SubjectKind},
    core::Refusal,
    ladder::{Ladders, SanctionKind},
    sanction::LadderName,
    store::{SqliteStore, Store, StoreError},
};

mod common;
use common::*;

#[test]
fn offences_climb_the_content_ladder_and_sanctions_expire() {
    let (_dir, mut store) = store("climb");
    let ladder = Ladders::embedded();
    let first = store
        .record_offence(offence("u1", T0, ActorKind::Rule, false), &ladder)
        .unwrap();
    assert_eq!(
        (
            first.kind,
            first.strikes,
            first.function.map(|f| f.as_str())
        ),
        (SanctionKind::Warning, 1, None)
    );
    assert!(
        store
            .active_sanctions(&account("u1"), T0 + HOUR)
            .unwrap()
            .is_empty(),
        "a warning restricts nothing"
    );
    let second = store
        .record_offence(
            offence("u1", T0 + 2 * HOUR, ActorKind::Rule, false),
            &ladder,
        )
        .unwrap();
    assert_eq!(
        (
            second.kind,
            second.strikes,
            second.function.map(|f| f.as_str())
        ),
        (SanctionKind::Restrict, 2, Some("share_codes"))
    );
    assert_eq!(second.ends, Some(T0 + 14 * HOUR));
    let active = store
        .active_sanctions(&account("u1"), T0 + 3 * HOUR)
        .unwrap();
    assert_eq!(active.iter().map(|s| s.id).collect::<Vec<_>>(), [second.id]);
    assert!(
        store
            .active_sanctions(&account("u1"), T0 + 14 * HOUR)
            .unwrap()
            .is_empty(),
        "expired on time"
    );
    assert!(
        store
            .active_sanctions(&account("u2"), T0 + 3 * HOUR)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.verify().unwrap(),
        2,
        "each offence is one audit record"
    );
    let history = store.history(&account("u1"), 10).unwrap();
    assert!(history.iter().all(|r| r.event.action == "sanction.issue"));
    assert_eq!(history[1].event.evidence["strikes"], 2);
}

#[test]
fn manual_decisions_outrank_automatic_ones() {
    let (_dir, mut store) = store("manual");
    let ladder = Ladders::embedded();
    store
        .record_offence(offence("u1", T0, ActorKind::Reviewer, false), &ladder)
        .unwrap();
    let manual = store
        .record_offence(
            offence("u1", T0 + HOUR, ActorKind::Reviewer, false),
            &ladder,
        )
        .unwrap();
    assert!(manual.manual);
    let by_rule = store.lift(
        manual.id,
        Actor {
            kind: ActorKind::System,
            id: "expiry".into(),
        },
        "automatic",
        T0 + 2 * HOUR,
    );
    assert!(
        matches!(
            by_rule,
            Err(StoreError::Refusal(Refusal::PersonsSanction(_)))
        ),
        "{by_rule:?}"
    );
    let lifted = store
        .lift(
            manual.id,
            Actor {
                kind: ActorKind::Admin,
                id: "a1".into(),
            },
            "mistake",
            T0 + 2 * HOUR,
        )
        .unwrap();
    assert!(lifted.lifted);
    assert!(
        store
            .active_sanctions(&account("u1"), T0 + 3 * HOUR)
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.lift(
            manual.id,
            Actor {
                kind: ActorKind::Admin,
                id: "a1".into()
            },
            "again",
            T0
        ),
        Err(StoreError::Refusal(Refusal::AlreadyLifted(_)))
    ));
    assert!(matches!(
        store.lift(
            999,
            Actor {
                kind: ActorKind::Admin,
                id: "a1".into()
            },
            "?",
            T0
        ),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.verify().unwrap(), 3, "two issues and one lift");
}

#[test]
fn evasion_goes_straight_to_permanent_and_strikes_decay() {
    let (dir, mut store) = sqlite_store("evasion");
    let ladder = Ladders::embedded();
    let ban = store
        .record_offence(offence("u9", T0, ActorKind::Rule, true), &ladder)
        .unwrap();
    assert_eq!((ban.kind, ban.ends), (SanctionKind::Permanent, None));
    assert_eq!(
        store
            .active_sanctions(&account("u9"), T0 + 10_000 * HOUR)
            .unwrap()
            .len(),
        1
    );
    store
        .record_offence(offence("u3", T0, ActorKind::Rule, false), &ladder)
        .unwrap();
    drop(store);
    let mut store = SqliteStore::open(&dir).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        menshen_state::store::SCHEMA_VERSION,
        "migrations run once"
    );
    let later = store
        .record_offence(
            offence("u3", T0 + 200 * 24 * HOUR, ActorKind::Rule, false),
            &ladder,
        )
        .unwrap();
    assert_eq!(
        (later.kind, later.strikes),
        (SanctionKind::Warning, 1),
        "the first strike decayed after 180 days"
    );
    assert_eq!(
        store
            .strikes(&account("u3"), LadderName::Content)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn sanctioned_domains_are_listed_while_in_force() {
    let (_dir, mut store) = store("listed");
    let ladder = Ladders::embedded();
    let mut ban = offence("scam-prizes.top", T0, ActorKind::Admin, true);
    ban.target = Subject {
        kind: SubjectKind::Domain,
        id: "scam-prizes.top".into(),
    };
    store.record_offence(ban, &ladder).unwrap();
    let mut warned = offence("maybe.top", T0, ActorKind::Rule, false);
    warned.target = Subject {
        kind: SubjectKind::Domain,
        id: "maybe.top".into(),
    };
    store.record_offence(warned, &ladder).unwrap();
    assert_eq!(
        store.sanctioned(SubjectKind::Domain, T0 + HOUR).unwrap(),
        ["scam-prizes.top"],
        "a warning bans nothing"
    );
    assert!(
        store
            .sanctioned(SubjectKind::App, T0 + HOUR)
            .unwrap()
            .is_empty()
    );
}

/// A store where u1 has a warning, a restriction, and an appeal that reversed the warning.
fn with_history(name: &str) -> std::path::PathBuf {
    let (dir, mut store) = sqlite_store(name);
    let ladders = menshen_state::ladder::Ladders::embedded();
    let warning = store
        .record_offence(offence("u1", T0, ActorKind::Rule, false), &ladders)
        .unwrap();
    store
        .record_offence(offence("u1", T0 + HOUR, ActorKind::Rule, false), &ladders)
        .unwrap();
    let appeal = store
        .file_appeal(
            warning.id,
            menshen_state::core::Appellant::ServiceFor("u1".into()),
            "mine",
            T0 + 2 * HOUR,
            86_400,
        )
        .unwrap();
    store
        .decide_appeal(
            appeal.id,
            menshen_state::appeal::AppealDecision {
                actor: Actor {
                    kind: ActorKind::Reviewer,
                    id: "rita".into(),
                },
                reverse: true,
                reason: "own shop".into(),
                at: T0 + 3 * HOUR,
            },
            &ladders,
        )
        .unwrap();
    assert!(store.verify().is_ok(), "{:?}", store.verify());
    dir
}

#[test]
fn audit_verify_rebuilds_sanctions_and_strikes_and_catches_edits_to_them() {
    use menshen_state::audit::ChainError;
    for (name, sql) in [
        (
            "lifted",
            "UPDATE sanctions SET lifted = 1, sanction = json_set(sanction, '$.lifted', json('true')) WHERE id = 2",
        ),
        (
            "shortened",
            "UPDATE sanctions SET ends = starts + 60, sanction = json_set(sanction, '$.ends', starts + 60) WHERE id = 2",
        ),
        (
            "column-only",
            "UPDATE sanctions SET kind = 'permanent' WHERE id = 2",
        ),
        ("deleted", "DELETE FROM sanctions WHERE id = 2"),
        (
            "strike-weight",
            "UPDATE strikes SET weight = 5 WHERE sanction_id = 2",
        ),
        (
            "strike-unreversed",
            "UPDATE strikes SET reversed = 0 WHERE sanction_id = 1",
        ),
        (
            "strike-deleted",
            "DELETE FROM strikes WHERE sanction_id = 2",
        ),
    ] {
        let dir = with_history(&format!("tamper-{name}"));
        let connection = rusqlite::Connection::open(dir.join("menshen.db")).unwrap();
        connection.execute_batch(sql).unwrap();
        drop(connection);
        let verified = SqliteStore::open(&dir).unwrap().verify();
        assert!(
            matches!(
                verified,
                Err(StoreError::Chain(ChainError::StateDiffers(_)))
            ),
            "{name}: {verified:?}"
        );
    }
}

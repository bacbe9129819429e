//! Many writers on one store, as many instances are on one database: the audit chain stays one
//! chain (no forks, no gaps) and a ladder is climbed one offence at a time. On SQLite the
//! writers are connections to one file; with `MENSHEN_TEST_BACKEND=postgres`, connections to
//! one schema.

mod common;
use common::*;

use menshen_state::{
    audit::{Actor, ActorKind, AuditEvent, Subject, SubjectKind},
    ladder::Ladders,
    store::{self, testing},
};

const WRITERS: usize = 4;
const EVENTS: usize = 30;
const OFFENCES: usize = 6;

fn event(writer: usize, n: usize) -> AuditEvent {
    AuditEvent {
        at: menshen_state::audit::rfc3339(T0 + n as i64),
        actor: Actor {
            kind: ActorKind::System,
            id: format!("instance-{writer}"),
        },
        subject: Subject {
            kind: SubjectKind::Account,
            id: format!("w{writer}-{n}"),
        },
        action: "note".into(),
        reason: format!("writer {writer}, event {n}"),
        evidence: serde_json::Value::Null,
        rule: None,
        policy_version: None,
    }
}

#[test]
fn concurrent_writers_keep_one_chain_and_one_ladder() {
    let (dir, url) = testing::fresh("writers");
    // Each writer opens the store itself, as each instance does (the store exists: opening a
    // new one together is `audit.rs`'s concurrent-open test).
    let first = store::open(&dir, url.as_deref()).expect("the store");
    let threads: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (dir, url) = (dir.clone(), url.clone());
            std::thread::spawn(move || {
                let mut store = store::open(&dir, url.as_deref()).expect("a writer's store");
                let ladders = Ladders::embedded();
                for n in 0..EVENTS {
                    store.append(event(writer, n)).expect("an append");
                    if n < OFFENCES {
                        let at = T0 + (writer * OFFENCES + n) as i64;
                        store
                            .record_offence(offence("shared", at, ActorKind::Rule, false), &ladders)
                            .expect("an offence");
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a writer finished");
    }
    // Every record is in the chain once, linked to the one before (verify checks the links,
    // the numbering and the head), and the sanctions agree with the log.
    let records = first.verify().expect("one intact chain");
    let sanctions = first.sanctions_of(&account("shared")).unwrap();
    assert_eq!(
        records as usize,
        WRITERS * EVENTS + sanctions.len(),
        "no record lost, none doubled"
    );
    // One ladder: each offence saw the strikes of those before it, whoever wrote them, so
    // the strike counts are 1, 2, 3… with none repeated. (The restriction the second strike
    // gives answers the later offences while it is in force, so the climb is short.)
    let strikes: Vec<u32> = sanctions.iter().map(|s| s.strikes).collect();
    let expected: Vec<u32> = (1..=strikes.len() as u32).collect();
    assert_eq!(strikes, expected, "{sanctions:#?}");
    assert!(strikes.len() >= 2, "the ladder was climbed: {strikes:?}");
}

/// A database restart or failover drops the connection: the store connects again between
/// transactions, and loses nothing it acknowledged.
#[test]
fn a_lost_database_connection_is_made_again() {
    if !testing::on_postgres() {
        eprintln!("writers: the reconnect test runs on PostgreSQL (scripts/test.sh)");
        return;
    }
    let (dir, url) = testing::fresh("reconnect");
    let name = format!("menshen-reconnect-{}", std::process::id());
    let url = format!("{}&application_name={name}", url.expect("a PostgreSQL URL"));
    let mut store = store::open(&dir, Some(&url)).unwrap();
    let ladders = Ladders::embedded();
    store
        .record_offence(offence("u1", T0, ActorKind::Rule, false), &ladders)
        .unwrap();
    // Cut the store's connection from outside, as a restart would.
    let base = std::env::var("MENSHEN_TEST_DATABASE_URL").unwrap();
    let cut: i64 = std::thread::spawn(move || {
        let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
        admin
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&name],
            )
            .unwrap()
            .len() as i64
    })
    .join()
    .unwrap();
    assert_eq!(cut, 1, "the store's one connection was cut");
    store
        .record_offence(offence("u1", T0 + HOUR, ActorKind::Rule, false), &ladders)
        .expect("a write after the connection was lost");
    assert_eq!(store.verify().unwrap(), 2);
}

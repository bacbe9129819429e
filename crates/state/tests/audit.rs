//! The audit log in the embedded store: appends chain, and every kind of tampering is found.

use menshen_state::{
    audit::{Actor, ActorKind, AuditEvent, ChainError, Subject, SubjectKind},
    store::{SqliteStore, Store, StoreError},
};

fn dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("menshen-audit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn event(i: u32, account: &str) -> AuditEvent {
    AuditEvent {
        at: format!("2026-11-21T08:{:02}:00Z", i % 60),
        actor: Actor {
            kind: ActorKind::Rule,
            id: "share-code-in-moment".into(),
        },
        subject: Subject {
            kind: SubjectKind::Account,
            id: account.into(),
        },
        action: "verdict".into(),
        reason: format!("third-party share code in moment #{i}"),
        evidence: serde_json::json!({ "span": [0, 11] }),
        rule: Some("share-code-in-moment".into()),
        policy_version: Some("b464672cadba".into()),
    }
}

fn filled(name: &str) -> (std::path::PathBuf, SqliteStore) {
    let dir = dir(name);
    let mut store = SqliteStore::open(&dir).unwrap();
    for i in 1..=10 {
        store
            .append(event(i, if i % 2 == 0 { "u1" } else { "u2" }))
            .unwrap();
    }
    (dir, store)
}

fn tamper(dir: &std::path::Path, sql: &str) {
    let connection = rusqlite::Connection::open(dir.join("menshen.db")).unwrap();
    connection.execute_batch(sql).unwrap();
}

fn chain_error(dir: &std::path::Path) -> ChainError {
    match SqliteStore::open(dir).unwrap().verify() {
        Err(StoreError::Chain(e)) => e,
        other => panic!("expected a chain error, got {other:?}"),
    }
}

#[test]
fn appends_chain_and_survive_reopening() {
    let (dir, store) = filled("ok");
    assert_eq!(store.verify().unwrap(), 10);
    drop(store);
    let mut store = SqliteStore::open(&dir).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        menshen_state::store::SCHEMA_VERSION,
        "migrations run once"
    );
    let record = store.append(event(11, "u1")).unwrap();
    assert_eq!(record.seq, 11);
    assert_eq!(store.verify().unwrap(), 11);
    let history = store
        .history(
            &Subject {
                kind: SubjectKind::Account,
                id: "u1".into(),
            },
            3,
        )
        .unwrap();
    assert_eq!(
        history.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [8, 10, 11]
    );
}

#[test]
fn an_edit_is_found() {
    let (dir, store) = filled("edit");
    drop(store);
    tamper(
        &dir,
        "UPDATE audit SET event = replace(event, 'moment #4', 'moment #40') WHERE seq = 4",
    );
    assert_eq!(chain_error(&dir), ChainError::Edited { seq: 4 });
}

#[test]
fn a_gap_is_found() {
    let (dir, store) = filled("gap");
    drop(store);
    tamper(&dir, "DELETE FROM audit WHERE seq = 6");
    assert_eq!(chain_error(&dir), ChainError::Gap { after: 5, found: 7 });
}

#[test]
fn reordering_is_found() {
    let (dir, store) = filled("order");
    drop(store);
    // Swap the content of records 3 and 4, keeping their numbers.
    tamper(
        &dir,
        "UPDATE audit SET seq = -3 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -3;",
    );
    assert_eq!(chain_error(&dir), ChainError::Broken { seq: 3 });
}

#[test]
fn rewriting_a_record_and_its_hash_still_breaks_the_next_link() {
    let (dir, store) = filled("rehash");
    drop(store);
    let mut forged = event(5, "u2");
    forged.reason = "nothing happened".into();
    let connection = rusqlite::Connection::open(dir.join("menshen.db")).unwrap();
    let prev: String = connection
        .query_row("SELECT prev_hash FROM audit WHERE seq = 5", [], |r| {
            r.get(0)
        })
        .unwrap();
    let hash = menshen_state::audit::chain_hash(&prev, &forged);
    connection
        .execute(
            "UPDATE audit SET event = ?1, hash = ?2 WHERE seq = 5",
            rusqlite::params![serde_json::to_string(&forged).unwrap(), hash],
        )
        .unwrap();
    drop(connection);
    assert_eq!(chain_error(&dir), ChainError::Broken { seq: 6 });
}

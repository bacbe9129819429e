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
fn rewriting_a_record_with_plain_sha256_is_found_at_that_record() {
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
    assert_eq!(chain_error(&dir), ChainError::Edited { seq: 5 });
}

#[test]
fn deleting_the_newest_record_or_the_whole_log_is_found() {
    let (dir, store) = filled("truncate");
    drop(store);
    tamper(&dir, "DELETE FROM audit WHERE seq = 10");
    assert_eq!(
        chain_error(&dir),
        ChainError::Truncated { head: 10, last: 9 }
    );
    tamper(&dir, "DELETE FROM audit");
    assert_eq!(
        chain_error(&dir),
        ChainError::Truncated { head: 10, last: 0 }
    );
    tamper(&dir, "DELETE FROM audit_head");
    assert_eq!(chain_error(&dir), ChainError::HeadMissing);
}

#[test]
fn editing_the_subject_or_the_time_columns_is_found() {
    let (dir, store) = filled("columns");
    drop(store);
    tamper(&dir, "UPDATE audit SET subject_id = 'u3' WHERE seq = 3");
    assert_eq!(chain_error(&dir), ChainError::Columns { seq: 3 });
    let (dir, store) = filled("columns-both");
    drop(store);
    // The event's JSON changed to match: the keyed hash covers it.
    tamper(
        &dir,
        "UPDATE audit SET at = '2026-11-22T08:03:00Z',
             event = replace(event, '2026-11-21T08:03:00Z', '2026-11-22T08:03:00Z') WHERE seq = 3",
    );
    assert_eq!(chain_error(&dir), ChainError::Edited { seq: 3 });
}

#[test]
fn a_whole_chain_rewritten_with_plain_sha256_is_found() {
    let (dir, store) = filled("plain");
    drop(store);
    let connection = rusqlite::Connection::open(dir.join("menshen.db")).unwrap();
    let mut previous = menshen_state::audit::GENESIS.to_owned();
    for seq in 1..=10i64 {
        let json: String = connection
            .query_row("SELECT event FROM audit WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .unwrap();
        let mut forged: AuditEvent = serde_json::from_str(&json).unwrap();
        forged.reason = "nothing to see".into();
        let hash = menshen_state::audit::chain_hash(&previous, &forged);
        connection
            .execute(
                "UPDATE audit SET event = ?1, prev_hash = ?2, hash = ?3, scheme = 1 WHERE seq = ?4",
                rusqlite::params![serde_json::to_string(&forged).unwrap(), previous, hash, seq],
            )
            .unwrap();
        previous = hash;
    }
    drop(connection);
    // The chain itself checks out as an old, unkeyed one; its head does not.
    assert_eq!(chain_error(&dir), ChainError::Rewritten { seq: 10 });
    // Nor does a head the forger made without the key.
    tamper(
        &dir,
        &format!("UPDATE audit_head SET hash = '{previous}', mac = '{previous}'"),
    );
    assert_eq!(chain_error(&dir), ChainError::HeadForged);
}

#[test]
fn the_head_is_published_as_a_checkpoint_every_thousand_records() {
    let dir = dir("checkpoint");
    let mut store = SqliteStore::open(&dir).unwrap();
    let events: Vec<AuditEvent> = (1..=menshen_state::store::CHECKPOINT_EVERY as u32)
        .map(|i| event(i, "u1"))
        .collect();
    store.append_all(events).unwrap();
    let due = store.due_notifications(i64::MAX, 10).unwrap();
    let checkpoint = due
        .iter()
        .find(|n| n.topic == "audit.checkpoint")
        .expect("a checkpoint");
    let head = store.audit_head().unwrap().unwrap();
    assert_eq!(
        checkpoint.payload["seq"],
        menshen_state::store::CHECKPOINT_EVERY
    );
    assert_eq!(checkpoint.payload["hash"], head.hash.as_str());
    assert_eq!(
        store.verify().unwrap(),
        menshen_state::store::CHECKPOINT_EVERY
    );
}

#[test]
fn several_openers_of_a_new_store_all_succeed() {
    let dir = dir("race");
    let openers: Vec<_> = (0..6)
        .map(|_| {
            let dir = dir.clone();
            std::thread::spawn(move || SqliteStore::open(&dir).map(|_| ()))
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().expect("every opener gets the store");
    }
    let store = SqliteStore::open(&dir).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        menshen_state::store::SCHEMA_VERSION
    );
    assert_eq!(store.verify().unwrap(), 0);
}

#[cfg(unix)]
#[test]
fn a_new_store_is_its_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir("private");
    let mut store = SqliteStore::open(&dir).unwrap();
    store.append(event(1, "u1")).unwrap();
    drop(store);
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    for file in ["menshen.db", "audit.key"] {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
}

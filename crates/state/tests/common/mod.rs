//! Helpers shared by the store's tests.
#![allow(dead_code)]

use menshen_state::{
    audit::{Actor, ActorKind, Subject, SubjectKind},
    sanction::{LadderName, Offence},
    store::Store,
};

pub const HOUR: i64 = 3600;
pub const T0: i64 = 1_790_000_000;

/// A fresh store on the backend the run selects (`MENSHEN_TEST_BACKEND`): the same tests
/// run on SQLite and on PostgreSQL.
/// A fresh embedded store, for tests about its file (what is on disk, reopening it).
pub fn sqlite_store(name: &str) -> (std::path::PathBuf, menshen_state::store::SqliteStore) {
    let (dir, _) = menshen_state::store::testing::fresh(name);
    let store = menshen_state::store::SqliteStore::open(&dir).unwrap();
    (dir, store)
}

pub fn store(name: &str) -> (std::path::PathBuf, Box<dyn Store + Send>) {
    menshen_state::store::testing::store(name)
}

pub fn account(id: &str) -> Subject {
    Subject {
        kind: SubjectKind::Account,
        id: id.into(),
    }
}

pub fn offence(target: &str, at: i64, actor: ActorKind, evasion: bool) -> Offence {
    Offence {
        at,
        actor: Actor {
            kind: actor,
            id: "share-code-in-moment".into(),
        },
        target: account(target),
        ladder: LadderName::Content,
        weight: 1,
        function: Some(menshen_state::core::Function::ShareCodes),
        rule: Some("share-code-in-moment".into()),
        policy_version: Some("b464672cadba".into()),
        reason: "third-party share code in moments".into(),
        evasion,
        evidence: serde_json::json!({ "message": "m1" }),
        step: None,
    }
}

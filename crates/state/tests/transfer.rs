//! Moving a store between backends: an embedded store exported and imported into the backend
//! the run selects (SQLite, or PostgreSQL with `MENSHEN_TEST_BACKEND=postgres`) holds the same
//! records, and its chain verifies with the source's key.

mod common;
use common::*;

use menshen_state::{
    audit::ActorKind,
    ladder::Ladders,
    store::{self, Store, StoreError, testing, transfer::ExportedRow},
    token::Role,
};

fn exported(store: &dyn Store) -> Vec<ExportedRow> {
    let mut rows = Vec::new();
    store
        .export(&mut |row| {
            rows.push(row);
            Ok(())
        })
        .unwrap();
    rows
}

fn rows_of(rows: &[ExportedRow]) -> impl Iterator<Item = Result<ExportedRow, StoreError>> + '_ {
    rows.iter().map(|r| {
        Ok(ExportedRow {
            table: r.table.clone(),
            row: r.row.clone(),
        })
    })
}

#[test]
fn an_exported_store_imports_whole_and_verifies() {
    let (source_dir, mut source) = sqlite_store("transfer-source");
    let ladders = Ladders::embedded();
    for n in 0..3 {
        source
            .record_offence(
                offence("u1", T0 + n * HOUR, ActorKind::Rule, false),
                &ladders,
            )
            .unwrap();
    }
    let secret = source.create_token("ops", Role::Reviewer, T0).unwrap();
    let records = source.verify().unwrap();
    let rows = exported(&source);
    assert!(rows.iter().any(|r| r.table == "audit") && rows.iter().any(|r| r.table == "tokens"));

    let (dir, url) = testing::fresh("transfer-destination");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(source_dir.join("audit.key"), dir.join("audit.key")).unwrap();
    let mut destination = store::open(&dir, url.as_deref()).unwrap();
    let count = destination.import(&mut rows_of(&rows)).unwrap();
    assert_eq!(count as usize, rows.len());
    assert_eq!(
        destination.verify().unwrap(),
        records,
        "the chain arrived whole"
    );
    assert_eq!(
        destination.sanctions_of(&account("u1")).unwrap(),
        source.sanctions_of(&account("u1")).unwrap()
    );
    assert_eq!(
        destination.authenticate(&secret).unwrap(),
        Some((Role::Reviewer, "ops".to_owned()))
    );
    // New rows follow the imported ones (PostgreSQL's sequences moved past them).
    let next = destination
        .record_offence(
            offence("u2", T0 + 9 * HOUR, ActorKind::Rule, false),
            &ladders,
        )
        .unwrap();
    let last = source
        .sanctions_of(&account("u1"))
        .unwrap()
        .last()
        .unwrap()
        .id;
    assert!(next.id > last, "{} after {last}", next.id);
    destination.verify().unwrap();

    // A second import into what is no longer empty is refused, and changes nothing.
    let again = destination.import(&mut rows_of(&rows));
    assert!(matches!(again, Err(StoreError::Refused(_))), "{again:?}");
}

#[test]
fn an_import_signed_with_another_key_does_not_verify() {
    let (_, mut source) = sqlite_store("transfer-key-source");
    source
        .record_offence(
            offence("u1", T0, ActorKind::Rule, false),
            &Ladders::embedded(),
        )
        .unwrap();
    let rows = exported(&source);
    let (_, mut destination) = store("transfer-key-destination");
    destination.import(&mut rows_of(&rows)).unwrap();
    assert!(matches!(destination.verify(), Err(StoreError::Chain(_))));
}

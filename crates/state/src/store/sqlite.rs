//! The embedded backend: one SQLite file in WAL mode with full synchronous commits.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Backend, SqlStore, StoreError, private, sql::Db, write_head};
use crate::audit::GENESIS;

/// The schema version a store has once every migration ran.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Versioned migrations, applied in order, each once, in a transaction.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        event TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
     );
     CREATE INDEX audit_subject ON audit (subject_kind, subject_id, seq);",
    "CREATE TABLE strikes (
        id INTEGER PRIMARY KEY,
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        ladder TEXT NOT NULL,
        at INTEGER NOT NULL,
        weight INTEGER NOT NULL,
        reversed INTEGER NOT NULL DEFAULT 0,
        audit_seq INTEGER NOT NULL
     );
     CREATE INDEX strikes_target ON strikes (target_kind, target_id, ladder);
     CREATE TABLE sanctions (
        id INTEGER PRIMARY KEY,
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        sanction TEXT NOT NULL,
        lifted INTEGER NOT NULL DEFAULT 0,
        audit_seq INTEGER NOT NULL
     );
     CREATE INDEX sanctions_target ON sanctions (target_kind, target_id);",
    "CREATE TABLE appeals (
        id INTEGER PRIMARY KEY,
        sanction_id INTEGER NOT NULL UNIQUE,
        state TEXT NOT NULL,
        appeal TEXT NOT NULL,
        audit_seq INTEGER NOT NULL
     );
     CREATE INDEX appeals_state ON appeals (state, id);
     CREATE TABLE credits (
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        seconds INTEGER NOT NULL,
        PRIMARY KEY (target_kind, target_id)
     );
     CREATE TABLE tokens (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
     );
     CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        last_error TEXT
     );
     CREATE INDEX outbox_due ON outbox (next_at, id);",
    "CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        priority REAL NOT NULL,
        assignee TEXT,
        body TEXT NOT NULL
     );
     CREATE INDEX cases_subject ON cases (subject_kind, subject_id, state);
     CREATE INDEX cases_queue ON cases (state, priority DESC, id);
     CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL,
        reporter TEXT NOT NULL,
        body TEXT NOT NULL
     );
     CREATE INDEX reports_case ON reports (case_id, id);
     CREATE INDEX reports_reporter ON reports (case_id, reporter);
     CREATE TABLE reporters (
        reporter TEXT PRIMARY KEY,
        upheld INTEGER NOT NULL DEFAULT 0,
        dismissed INTEGER NOT NULL DEFAULT 0
     );
     CREATE TABLE examples (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL UNIQUE,
        spam INTEGER NOT NULL,
        text TEXT NOT NULL,
        at INTEGER NOT NULL
     );",
    // What readers select by becomes real columns; each strike names its sanction.
    "ALTER TABLE sanctions ADD COLUMN kind TEXT;
     ALTER TABLE sanctions ADD COLUMN function TEXT;
     ALTER TABLE sanctions ADD COLUMN ladder TEXT;
     ALTER TABLE sanctions ADD COLUMN starts INTEGER;
     ALTER TABLE sanctions ADD COLUMN ends INTEGER;
     ALTER TABLE sanctions ADD COLUMN manual INTEGER NOT NULL DEFAULT 0;
     UPDATE sanctions SET
        kind = json_extract(sanction, '$.kind'),
        function = json_extract(sanction, '$.function'),
        ladder = json_extract(sanction, '$.ladder'),
        starts = json_extract(sanction, '$.starts'),
        ends = json_extract(sanction, '$.ends'),
        manual = COALESCE(json_extract(sanction, '$.manual'), 0);
     ALTER TABLE strikes ADD COLUMN sanction_id INTEGER;
     UPDATE strikes SET sanction_id =
        (SELECT id FROM sanctions WHERE sanctions.audit_seq = strikes.audit_seq);
     CREATE INDEX strikes_sanction ON strikes (sanction_id);
     CREATE INDEX sanctions_kind ON sanctions (target_kind, lifted, ends);",
    // Recipients' link choices ("independent selection mode").
    "CREATE TABLE preferences (
        recipient TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        updated_at INTEGER NOT NULL
     );",
    // The keyed chain: each record says how it is hashed; the head is kept with its MAC.
    "ALTER TABLE audit ADD COLUMN scheme INTEGER NOT NULL DEFAULT 1;
     CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        mac TEXT NOT NULL
     );",
];

/// The migration that introduced the chain's head: a store upgraded through it starts its head
/// at the record that was last then.
const HEAD_MIGRATION: u32 = 7;

/// The SQLite connection behind a [`super::SqliteStore`].
pub struct Sqlite {
    connection: Connection,
}

impl Backend for Sqlite {
    fn db(&self) -> Db<'_> {
        Db::Sqlite(&self.connection)
    }

    fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // IMMEDIATE: the write lock is taken at the start, so that writers on other connections
        // (a `menshen token` beside a running server) wait their turn (busy timeout) instead
        // of meeting a read lock they cannot upgrade ("database is locked").
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = f(Db::Sqlite(&transaction))?;
        transaction.commit()?;
        Ok(value)
    }

    fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self.connection.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?)
    }
}

impl SqlStore<Sqlite> {
    /// Open (creating if needed) `dir/menshen.db`, in WAL mode with full synchronous commits,
    /// and apply pending migrations.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let key = super::store_folder(dir)?;
        let mut connection = Connection::open(dir.join("menshen.db"))?;
        // Another process may be creating or migrating the same store: wait for it.
        connection.busy_timeout(std::time::Duration::from_secs(30))?;
        // Switching to WAL takes an exclusive lock, and SQLite answers "busy" at once (no busy
        // handler) while another opener holds the file: try again for as long as the timeout.
        let started = std::time::Instant::now();
        loop {
            match connection.pragma_update(None, "journal_mode", "WAL") {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && started.elapsed() < std::time::Duration::from_secs(30) =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => break other?,
            }
        }
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)",
        )?;
        loop {
            // Each migration runs alone: an immediate transaction holds the write lock while
            // the version is read again and the migration applied.
            let transaction =
                connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let applied: u32 = transaction.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )?;
            let Some(migration) = MIGRATIONS.get(applied as usize) else {
                break;
            };
            transaction.execute_batch(migration)?;
            let version = applied + 1;
            transaction.execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                params![version],
            )?;
            if version == HEAD_MIGRATION {
                let last: Option<(i64, String)> = transaction
                    .query_row(
                        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                let (seq, hash) = last.map_or((0, GENESIS.to_owned()), |(s, h)| (s as u64, h));
                write_head(&Db::Sqlite(&transaction), &key, seq, &hash)?;
            }
            transaction.commit()?;
        }
        for file in ["menshen.db", "menshen.db-wal", "menshen.db-shm"] {
            let path = dir.join(file);
            if path.exists() {
                private(&path, 0o600)?;
            }
        }
        Ok(SqlStore::with_backend(Sqlite { connection }, key))
    }
}

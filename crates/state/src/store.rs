//! Storage behind one narrow interface, with the embedded default: one SQLite file in WAL
//! mode. A PostgreSQL implementation provides the same trait; callers do not change.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::audit::{self, AuditEvent, AuditRecord, ChainError, GENESIS, Subject, chain_hash};

/// Problems with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("a stored record does not parse: {0}")]
    Corrupt(String),
    #[error("audit chain: {0}")]
    Chain(#[from] ChainError),
}

/// What every store does.
pub trait Store {
    /// Append an event to the audit log; durable when this returns.
    fn append(&mut self, event: AuditEvent) -> Result<AuditRecord, StoreError>;
    /// The most recent records about a subject, newest last.
    fn history(&self, subject: &Subject, limit: usize) -> Result<Vec<AuditRecord>, StoreError>;
    /// Check the whole chain; returns the number of records.
    fn verify(&self) -> Result<u64, StoreError>;
}

/// Versioned migrations, applied in order, each once, in a transaction.
const MIGRATIONS: &[&str] = &["CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        event TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
     );
     CREATE INDEX audit_subject ON audit (subject_kind, subject_id, seq);"];

/// The embedded store: one SQLite file.
pub struct SqliteStore {
    connection: Connection,
}

impl SqliteStore {
    /// Open (creating if needed) `dir/menshen.db`, in WAL mode with full synchronous commits,
    /// and apply pending migrations.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", dir.display())))?;
        let mut connection = Connection::open(dir.join("menshen.db"))?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)",
        )?;
        let applied: u32 = connection.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?;
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            let transaction = connection.transaction()?;
            transaction.execute_batch(migration)?;
            transaction.execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                params![index as u32 + 1],
            )?;
            transaction.commit()?;
        }
        Ok(SqliteStore { connection })
    }

    /// The schema version in force.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self.connection.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?)
    }

    fn record(row: &rusqlite::Row<'_>) -> rusqlite::Result<(u64, String, String, String)> {
        Ok((
            row.get::<_, i64>(0)? as u64,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
        ))
    }

    fn parse(
        (seq, event, prev_hash, hash): (u64, String, String, String),
    ) -> Result<AuditRecord, StoreError> {
        let event = serde_json::from_str(&event)
            .map_err(|e| StoreError::Corrupt(format!("record {seq}: {e}")))?;
        Ok(AuditRecord {
            seq,
            event,
            prev_hash,
            hash,
        })
    }
}

fn kind_name(subject: &Subject) -> String {
    serde_json::to_value(subject.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Store for SqliteStore {
    fn append(&mut self, event: AuditEvent) -> Result<AuditRecord, StoreError> {
        let transaction = self.connection.transaction()?;
        let last: Option<(i64, String)> = transaction
            .query_row(
                "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq as u64 + 1, hash),
            None => (1, GENESIS.to_owned()),
        };
        let hash = chain_hash(&prev_hash, &event);
        let json = serde_json::to_string(&event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        transaction.execute(
            "INSERT INTO audit (seq, at, subject_kind, subject_id, event, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![seq as i64, event.at, kind_name(&event.subject), event.subject.id, json, prev_hash, hash],
        )?;
        transaction.commit()?;
        Ok(AuditRecord {
            seq,
            event,
            prev_hash,
            hash,
        })
    }

    fn history(&self, subject: &Subject, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let mut statement = self.connection.prepare(
            "SELECT seq, event, prev_hash, hash FROM audit WHERE subject_kind = ?1 AND subject_id = ?2 ORDER BY seq DESC LIMIT ?3",
        )?;
        let rows = statement.query_map(
            params![kind_name(subject), subject.id, limit as i64],
            Self::record,
        )?;
        let mut records = rows
            .map(|r| r.map_err(StoreError::from).and_then(Self::parse))
            .collect::<Result<Vec<_>, _>>()?;
        records.reverse();
        Ok(records)
    }

    fn verify(&self) -> Result<u64, StoreError> {
        let mut statement = self
            .connection
            .prepare("SELECT seq, event, prev_hash, hash FROM audit ORDER BY seq")?;
        let mut verifier = audit::ChainVerifier::default();
        for row in statement.query_map([], Self::record)? {
            verifier.check(&Self::parse(row?)?)?;
        }
        Ok(verifier.count())
    }
}

//! Storage behind one narrow interface, with the embedded default: one SQLite file in WAL
//! mode. A PostgreSQL implementation provides the same trait; callers do not change.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::{
    audit::{
        self, Actor, ActorKind, AuditEvent, AuditRecord, ChainError, GENESIS, Subject, SubjectKind,
        chain_hash,
    },
    ladder::{Ladder, SanctionKind, Strike},
    sanction::{LadderName, Offence, Sanction},
};

/// Problems with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("a stored record does not parse: {0}")]
    Corrupt(String),
    #[error("audit chain: {0}")]
    Chain(#[from] ChainError),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("refused: {0}")]
    Refused(String),
}

/// What every store does.
pub trait Store {
    /// Append an event to the audit log; durable when this returns.
    fn append(&mut self, event: AuditEvent) -> Result<AuditRecord, StoreError>;
    /// The most recent records about a subject, newest last.
    fn history(&self, subject: &Subject, limit: usize) -> Result<Vec<AuditRecord>, StoreError>;
    /// Check the whole chain; returns the number of records.
    fn verify(&self) -> Result<u64, StoreError>;
    /// Record an offence: add its strike, give the ladder's next step, and audit both, in
    /// one transaction.
    fn record_offence(&mut self, offence: Offence, ladder: &Ladder)
    -> Result<Sanction, StoreError>;
    /// Lift a sanction. A rule or the system cannot lift what a reviewer or admin gave.
    fn lift(
        &mut self,
        id: u64,
        actor: Actor,
        reason: &str,
        at: i64,
    ) -> Result<Sanction, StoreError>;
    /// Sanctions in force on a target at `at`.
    fn active_sanctions(&self, target: &Subject, at: i64) -> Result<Vec<Sanction>, StoreError>;
    /// A target's strikes on a ladder, oldest first.
    fn strikes(&self, target: &Subject, ladder: LadderName) -> Result<Vec<Strike>, StoreError>;
    /// The ids of every target of `kind` under a sanction in force at `at` (for the policy's
    /// sanctions snapshot: banned domains and apps).
    fn sanctioned(&self, kind: SubjectKind, at: i64) -> Result<Vec<String>, StoreError>;
}

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
];

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

/// Append an event inside an open transaction, so that state changes and their record commit
/// together.
fn append_in(
    transaction: &rusqlite::Transaction<'_>,
    event: AuditEvent,
) -> Result<AuditRecord, StoreError> {
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
    Ok(AuditRecord {
        seq,
        event,
        prev_hash,
        hash,
    })
}

fn rfc3339(at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| at.to_string())
}

impl Store for SqliteStore {
    fn append(&mut self, event: AuditEvent) -> Result<AuditRecord, StoreError> {
        let transaction = self.connection.transaction()?;
        let record = append_in(&transaction, event)?;
        transaction.commit()?;
        Ok(record)
    }

    fn record_offence(
        &mut self,
        offence: Offence,
        ladder: &Ladder,
    ) -> Result<Sanction, StoreError> {
        let transaction = self.connection.transaction()?;
        let earlier = strikes_in(&transaction, &offence.target, offence.ladder)?;
        let next = ladder.next(&earlier, offence.weight, offence.at, offence.evasion);
        let manual = matches!(offence.actor.kind, ActorKind::Reviewer | ActorKind::Admin);
        let evidence = serde_json::json!({
            "offence": offence.evidence,
            "ladder": offence.ladder,
            "strikes": next.strikes,
            "sanction": next.step.kind,
            "hours": next.step.hours,
            "function": offence.function,
            "evasion": offence.evasion,
        });
        let record = append_in(
            &transaction,
            AuditEvent {
                at: rfc3339(offence.at),
                actor: offence.actor.clone(),
                subject: offence.target.clone(),
                action: "sanction.issue".into(),
                reason: offence.reason.clone(),
                evidence,
                rule: offence.rule.clone(),
                policy_version: offence.policy_version.clone(),
            },
        )?;
        transaction.execute(
            "INSERT INTO strikes (target_kind, target_id, ladder, at, weight, audit_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![kind_name(&offence.target), offence.target.id, offence.ladder.as_str(), offence.at, offence.weight.max(1), record.seq as i64],
        )?;
        let function = if next.step.kind == SanctionKind::Restrict {
            offence.function.clone()
        } else {
            None
        };
        let mut sanction = Sanction {
            id: 0,
            target: offence.target.clone(),
            kind: next.step.kind,
            function,
            ladder: offence.ladder,
            strikes: next.strikes,
            starts: offence.at,
            ends: next.ends,
            lifted: false,
            manual,
            reason: offence.reason,
            rule: offence.rule,
            audit_seq: record.seq,
        };
        let json =
            serde_json::to_string(&sanction).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        transaction.execute(
            "INSERT INTO sanctions (target_kind, target_id, sanction, audit_seq) VALUES (?1, ?2, ?3, ?4)",
            params![kind_name(&sanction.target), sanction.target.id, json, record.seq as i64],
        )?;
        sanction.id = transaction.last_insert_rowid() as u64;
        transaction.commit()?;
        Ok(sanction)
    }

    fn lift(
        &mut self,
        id: u64,
        actor: Actor,
        reason: &str,
        at: i64,
    ) -> Result<Sanction, StoreError> {
        let transaction = self.connection.transaction()?;
        let mut sanction = sanction_in(&transaction, id)?
            .ok_or_else(|| StoreError::NotFound(format!("sanction {id}")))?;
        if sanction.lifted {
            return Err(StoreError::Refused(format!(
                "sanction {id} is already lifted"
            )));
        }
        if sanction.manual && matches!(actor.kind, ActorKind::Rule | ActorKind::System) {
            return Err(StoreError::Refused(format!(
                "sanction {id} was given by a reviewer; only a reviewer or admin can lift it"
            )));
        }
        append_in(
            &transaction,
            AuditEvent {
                at: rfc3339(at),
                actor,
                subject: sanction.target.clone(),
                action: "sanction.lift".into(),
                reason: reason.to_owned(),
                evidence: serde_json::json!({ "sanction": id }),
                rule: None,
                policy_version: None,
            },
        )?;
        sanction.lifted = true;
        let json =
            serde_json::to_string(&sanction).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        transaction.execute(
            "UPDATE sanctions SET sanction = ?1, lifted = 1 WHERE id = ?2",
            params![json, id as i64],
        )?;
        transaction.commit()?;
        Ok(sanction)
    }

    fn active_sanctions(&self, target: &Subject, at: i64) -> Result<Vec<Sanction>, StoreError> {
        let mut statement =
            self.connection.prepare("SELECT id, sanction FROM sanctions WHERE target_kind = ?1 AND target_id = ?2 AND lifted = 0 ORDER BY id")?;
        let rows = statement.query_map(params![kind_name(target), target.id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut active = Vec::new();
        for row in rows {
            let sanction = parse_sanction(row?)?;
            if sanction.in_force(at) {
                active.push(sanction);
            }
        }
        Ok(active)
    }

    fn strikes(&self, target: &Subject, ladder: LadderName) -> Result<Vec<Strike>, StoreError> {
        strikes_in(&self.connection, target, ladder)
    }

    fn sanctioned(&self, kind: SubjectKind, at: i64) -> Result<Vec<String>, StoreError> {
        let kind = kind_name(&Subject {
            kind,
            id: String::new(),
        });
        let mut statement = self.connection.prepare(
            "SELECT id, sanction FROM sanctions WHERE target_kind = ?1 AND lifted = 0 ORDER BY id",
        )?;
        let rows = statement.query_map(params![kind], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut ids = Vec::new();
        for row in rows {
            let sanction = parse_sanction(row?)?;
            if sanction.in_force(at) && !ids.contains(&sanction.target.id) {
                ids.push(sanction.target.id);
            }
        }
        Ok(ids)
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

fn parse_sanction((id, json): (i64, String)) -> Result<Sanction, StoreError> {
    let mut sanction: Sanction = serde_json::from_str(&json)
        .map_err(|e| StoreError::Corrupt(format!("sanction {id}: {e}")))?;
    sanction.id = id as u64;
    Ok(sanction)
}

fn sanction_in(connection: &Connection, id: u64) -> Result<Option<Sanction>, StoreError> {
    let row: Option<(i64, String)> = connection
        .query_row(
            "SELECT id, sanction FROM sanctions WHERE id = ?1",
            params![id as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(parse_sanction).transpose()
}

fn strikes_in(
    connection: &Connection,
    target: &Subject,
    ladder: LadderName,
) -> Result<Vec<Strike>, StoreError> {
    let mut statement = connection
        .prepare("SELECT at, weight, reversed FROM strikes WHERE target_kind = ?1 AND target_id = ?2 AND ladder = ?3 ORDER BY at, id")?;
    let rows = statement.query_map(
        params![kind_name(target), target.id, ladder.as_str()],
        |r| {
            Ok(Strike {
                at: r.get(0)?,
                weight: r.get::<_, i64>(1)? as u32,
                reversed: r.get::<_, i64>(2)? != 0,
            })
        },
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

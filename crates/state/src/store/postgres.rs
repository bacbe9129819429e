//! The shared backend: one PostgreSQL database behind any number of instances.
//!
//! Every write transaction first takes one transaction-level advisory lock
//! ([`WRITER_LOCK`]), so writers from every instance take turns: the audit chain gets one
//! next record at a time (no forks, no gaps), and an offence reads the strikes the previous
//! offence wrote, whichever instance wrote it. Reads do not take it. A write commits before
//! its caller is answered (PostgreSQL's default `synchronous_commit`), and what it touched
//! is announced on [`TOUCHED_CHANNEL`] in the same commit, for other instances' caches.

use std::{cell::RefCell, collections::HashMap};

use super::{
    Backend, SqlStore, StoreError,
    sql::{Db, Pg, PgExec, Row, SqlError, SqlValue},
};
use crate::audit::AuditKey;

/// The `NOTIFY` channel on which each write transaction names the targets it touched (a JSON
/// array of subjects).
pub const TOUCHED_CHANNEL: &str = "menshen_touched";

/// The advisory lock every writer holds for its transaction ("menshen" in ASCII).
pub const WRITER_LOCK: i64 = 0x006d_656e_7368_656e;

/// The advisory lock a migration holds, so that instances starting together migrate once.
const MIGRATION_LOCK: i64 = WRITER_LOCK + 1;

/// Versioned migrations, applied in order, each once, in a transaction. The first is the
/// embedded store's schema as its seven migrations left it: the two backends hold the same
/// rows in the same columns (integers are 64-bit, booleans 0 and 1, as in SQLite).
const MIGRATIONS: &[&str] = &["CREATE TABLE audit (
        seq BIGINT PRIMARY KEY,
        at TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        event TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        scheme BIGINT NOT NULL DEFAULT 1
     );
     CREATE INDEX audit_subject ON audit (subject_kind, subject_id, seq);
     CREATE TABLE audit_head (
        id BIGINT PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL,
        mac TEXT NOT NULL
     );
     CREATE TABLE strikes (
        id BIGSERIAL PRIMARY KEY,
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        ladder TEXT NOT NULL,
        at BIGINT NOT NULL,
        weight BIGINT NOT NULL,
        reversed BIGINT NOT NULL DEFAULT 0,
        audit_seq BIGINT NOT NULL,
        sanction_id BIGINT
     );
     CREATE INDEX strikes_target ON strikes (target_kind, target_id, ladder);
     CREATE INDEX strikes_sanction ON strikes (sanction_id);
     CREATE TABLE sanctions (
        id BIGSERIAL PRIMARY KEY,
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        sanction TEXT NOT NULL,
        lifted BIGINT NOT NULL DEFAULT 0,
        audit_seq BIGINT NOT NULL,
        kind TEXT,
        function TEXT,
        ladder TEXT,
        starts BIGINT,
        ends BIGINT,
        manual BIGINT NOT NULL DEFAULT 0
     );
     CREATE INDEX sanctions_target ON sanctions (target_kind, target_id);
     CREATE INDEX sanctions_kind ON sanctions (target_kind, lifted, ends);
     CREATE TABLE appeals (
        id BIGSERIAL PRIMARY KEY,
        sanction_id BIGINT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        appeal TEXT NOT NULL,
        audit_seq BIGINT NOT NULL
     );
     CREATE INDEX appeals_state ON appeals (state, id);
     CREATE TABLE credits (
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        seconds BIGINT NOT NULL,
        PRIMARY KEY (target_kind, target_id)
     );
     CREATE TABLE tokens (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        revoked BIGINT NOT NULL DEFAULT 0
     );
     CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 0,
        next_at BIGINT NOT NULL,
        last_error TEXT
     );
     CREATE INDEX outbox_due ON outbox (next_at, id);
     CREATE TABLE cases (
        id BIGSERIAL PRIMARY KEY,
        subject_kind TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        priority DOUBLE PRECISION NOT NULL,
        assignee TEXT,
        body TEXT NOT NULL
     );
     CREATE INDEX cases_subject ON cases (subject_kind, subject_id, state);
     CREATE INDEX cases_queue ON cases (state, priority DESC, id);
     CREATE TABLE reports (
        id BIGSERIAL PRIMARY KEY,
        case_id BIGINT NOT NULL,
        reporter TEXT NOT NULL,
        body TEXT NOT NULL
     );
     CREATE INDEX reports_case ON reports (case_id, id);
     CREATE INDEX reports_reporter ON reports (case_id, reporter);
     CREATE TABLE reporters (
        reporter TEXT PRIMARY KEY,
        upheld BIGINT NOT NULL DEFAULT 0,
        dismissed BIGINT NOT NULL DEFAULT 0
     );
     CREATE TABLE examples (
        id BIGSERIAL PRIMARY KEY,
        source TEXT NOT NULL UNIQUE,
        spam BIGINT NOT NULL,
        text TEXT NOT NULL,
        at BIGINT NOT NULL
     );
     CREATE TABLE preferences (
        recipient TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        updated_at BIGINT NOT NULL
     );"];

/// The PostgreSQL schema version once every migration ran.
pub const POSTGRES_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// One connection and the statements prepared on it.
struct Connection {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

impl PgExec for Connection {
    fn rows(&mut self, sql: &str, args: &[SqlValue]) -> Result<Vec<Row>, SqlError> {
        Pg {
            client: &mut self.client,
            statements: &mut self.statements,
        }
        .rows(sql, args)
    }

    fn execute(&mut self, sql: &str, args: &[SqlValue]) -> Result<u64, SqlError> {
        Pg {
            client: &mut self.client,
            statements: &mut self.statements,
        }
        .execute(sql, args)
    }
}

/// The PostgreSQL connection behind a [`super::PostgresStore`].
pub struct Postgres {
    connection: RefCell<Connection>,
}

impl Backend for Postgres {
    fn db(&self) -> Db<'_> {
        Db::Postgres(&self.connection)
    }

    fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let Connection { client, statements } = self.connection.get_mut();
        let mut transaction = client.transaction().map_err(SqlError::from)?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&WRITER_LOCK])
            .map_err(SqlError::from)?;
        let value = {
            let session = RefCell::new(Pg {
                client: &mut transaction,
                statements,
            });
            f(Db::Postgres(&session))?
        };
        transaction.commit().map_err(SqlError::from)?;
        Ok(value)
    }

    fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self.db().query_row(
            "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations",
            &[],
            |r| r.get(0),
        )?)
    }
}

impl SqlStore<Postgres> {
    /// Connect to the database at `url` (`postgres://user:password@host/db`), apply pending
    /// migrations, and sign the chain with `key` (every instance of one store needs the same
    /// key). TLS is not spoken: reach the database over loopback or a private network.
    pub fn connect(url: &str, key: AuditKey) -> Result<Self, StoreError> {
        let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(|e| {
            StoreError::Refused(format!(
                "cannot connect to PostgreSQL at {}: {}",
                redacted(url),
                SqlError::from(e)
            ))
        })?;
        migrate(&mut client)?;
        Ok(SqlStore::with_backend(
            Postgres {
                connection: RefCell::new(Connection {
                    client,
                    statements: HashMap::new(),
                }),
            },
            key,
        ))
    }
}

/// Apply pending migrations, each in its own transaction, under a lock so that instances
/// starting together migrate once.
fn migrate(client: &mut postgres::Client) -> Result<(), StoreError> {
    let sql = |e: postgres::Error| StoreError::from(SqlError::from(e));
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
        .map_err(sql)?;
    loop {
        let mut transaction = client.transaction().map_err(sql)?;
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(sql)?;
        let applied: i64 = transaction
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations",
                &[],
            )
            .map_err(sql)?
            .get(0);
        let Some(migration) = MIGRATIONS.get(applied as usize) else {
            return Ok(());
        };
        transaction.batch_execute(migration).map_err(sql)?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&(applied + 1)],
            )
            .map_err(sql)?;
        transaction.commit().map_err(sql)?;
    }
}

/// A database URL without its password, for messages.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// `url` with the store's tables kept in `schema`: every connection made with the URL it
/// returns sets PostgreSQL's `search_path` to it. `schema` is letters, digits and `_`.
pub fn schema_url(url: &str, schema: &str) -> Result<String, StoreError> {
    if schema.is_empty()
        || !schema
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(StoreError::Refused(format!(
            "`{schema}` is not a schema name menshen uses; write letters, digits and `_`"
        )));
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{url}{separator}options=-c%20search_path%3D{schema}"
    ))
}

//! The shared backend: one PostgreSQL database behind any number of instances.
//!
//! Every write transaction first takes one transaction-level advisory lock
//! ([`WRITER_LOCK`]), so writers from every instance take turns: the audit chain gets one
//! next record at a time (no forks, no gaps), and an offence reads the strikes the previous
//! offence wrote, whichever instance wrote it. Reads do not take it. A write commits before
//! its caller is answered (PostgreSQL's default `synchronous_commit`), and what it touched
//! is announced on [`TOUCHED_CHANNEL`] in the same commit, for other instances' caches.

use std::collections::HashMap;

use super::{
    Backend, SqlStore, StoreError,
    sql::{Db, Row, SqlError, SqlValue, numbered_as_dollars, pg_row},
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

/// What the connection's thread holds: the client and the statements prepared on it (once
/// per SQL text; a prepared statement outlives the transaction it was prepared in).
struct Session {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
    /// Where to connect again when the connection is lost (a database restart, a failover).
    url: String,
    /// Inside `BEGIN` … `COMMIT`: a connection lost here lost the transaction, and every call
    /// fails until the caller ends it, so that nothing of it runs outside it.
    in_transaction: bool,
}

impl Session {
    /// Connect again if the connection was lost, unless that would leave a transaction.
    fn ensure_connected(&mut self) -> Result<(), SqlError> {
        if !self.client.is_closed() {
            return Ok(());
        }
        if self.in_transaction {
            return Err(SqlError::Closed);
        }
        self.client = postgres::Client::connect(&self.url, postgres::NoTls)?;
        self.statements.clear();
        Ok(())
    }

    /// `BEGIN`, `COMMIT` or `ROLLBACK`.
    fn batch(&mut self, sql: &str) -> Result<(), SqlError> {
        match sql {
            // The server rolled back what it lost with the connection.
            "ROLLBACK" if self.client.is_closed() => {
                self.in_transaction = false;
                return Ok(());
            }
            "COMMIT" | "ROLLBACK" => {
                let ended = self.client.batch_execute(sql);
                self.in_transaction = false;
                return Ok(ended?);
            }
            _ => {}
        }
        self.retrying(|session| Ok(session.client.batch_execute(sql)?))?;
        self.in_transaction = sql == "BEGIN";
        Ok(())
    }

    /// Run `f`; if it failed because the connection was lost (found only when it is used),
    /// and no transaction is open, connect again and run it once more.
    fn retrying<T>(
        &mut self,
        mut f: impl FnMut(&mut Self) -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        self.ensure_connected()?;
        match f(self) {
            Err(_) if self.client.is_closed() && !self.in_transaction => {
                self.ensure_connected()?;
                f(self)
            }
            other => other,
        }
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, SqlError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&numbered_as_dollars(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    fn rows(&mut self, sql: &str, args: &[SqlValue]) -> Result<Vec<Row>, SqlError> {
        self.retrying(|session| {
            let statement = session.statement(sql)?;
            let rows = session.client.query(&statement, &params(args))?;
            rows.iter().map(pg_row).collect()
        })
    }

    fn execute(&mut self, sql: &str, args: &[SqlValue]) -> Result<u64, SqlError> {
        self.retrying(|session| {
            let statement = session.statement(sql)?;
            Ok(session.client.execute(&statement, &params(args))?)
        })
    }
}

fn params(args: &[SqlValue]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    args.iter()
        .map(|a| a as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

type Job = Box<dyn FnOnce(&mut Session) + Send>;

/// A PostgreSQL connection owned by a thread of its own. The `postgres` client drives an
/// async runtime of its own and so cannot be called from a thread already in one (the
/// server's); every call is sent to this thread and waited for, which any thread may do.
/// Transactions are `BEGIN` … `COMMIT` on the one connection, so they span calls.
pub struct Connection {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl Connection {
    /// Connect on a new thread; fails as the connection does.
    fn open(url: &str) -> Result<Connection, StoreError> {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let (ready, connected) = std::sync::mpsc::sync_channel(1);
        let url = url.to_owned();
        std::thread::Builder::new()
            .name("menshen-postgres".into())
            .spawn(move || {
                let client = match postgres::Client::connect(&url, postgres::NoTls) {
                    Ok(client) => client,
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        return;
                    }
                };
                let mut session = Session {
                    client,
                    statements: HashMap::new(),
                    url,
                    in_transaction: false,
                };
                if let Err(error) = migrate(&mut session.client) {
                    let _ = ready.send(Err(error));
                    return;
                }
                let _ = ready.send(Ok(()));
                // Until the store is dropped (its sender with it).
                for job in queue {
                    job(&mut session);
                }
            })
            .map_err(|e| StoreError::Refused(format!("cannot start a thread: {e}")))?;
        match connected.recv() {
            Ok(Ok(())) => Ok(Connection { jobs }),
            Ok(Err(error)) => Err(StoreError::Refused(format!(
                "cannot open the store in PostgreSQL: {}",
                SqlError::from(error)
            ))),
            Err(_) => Err(SqlError::Closed.into()),
        }
    }

    /// Run `f` on the connection's thread and wait for it.
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Session) -> Result<T, SqlError> + Send + 'static,
    ) -> Result<T, SqlError> {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        self.jobs
            .send(Box::new(move |session: &mut Session| {
                let _ = reply.send(f(session));
            }))
            .map_err(|_| SqlError::Closed)?;
        answer.recv().map_err(|_| SqlError::Closed)?
    }

    pub(super) fn rows(&self, sql: &str, args: &[SqlValue]) -> Result<Vec<Row>, SqlError> {
        let (sql, args) = (sql.to_owned(), args.to_vec());
        self.run(move |session| session.rows(&sql, &args))
    }

    pub(super) fn execute(&self, sql: &str, args: &[SqlValue]) -> Result<u64, SqlError> {
        let (sql, args) = (sql.to_owned(), args.to_vec());
        self.run(move |session| session.execute(&sql, &args))
    }

    fn batch(&self, sql: &'static str) -> Result<(), SqlError> {
        self.run(move |session| session.batch(sql))
    }
}

/// The PostgreSQL connection behind a [`super::PostgresStore`].
pub struct Postgres {
    connection: Connection,
}

impl Backend for Postgres {
    fn db(&self) -> Db<'_> {
        Db::Postgres(&self.connection)
    }

    fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.connection.batch("BEGIN")?;
        let result = self
            .connection
            .execute(
                "SELECT pg_advisory_xact_lock(?1)",
                &[SqlValue::Int(WRITER_LOCK)],
            )
            .map_err(StoreError::from)
            .and_then(|_| f(Db::Postgres(&self.connection)));
        match result {
            Ok(value) => {
                self.connection.batch("COMMIT")?;
                Ok(value)
            }
            Err(error) => {
                // The transaction's own error is the one to report; a failed rollback leaves
                // the server to abort the transaction when the connection goes.
                let _ = self.connection.batch("ROLLBACK");
                Err(error)
            }
        }
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
        let connection = Connection::open(url)
            .map_err(|e| StoreError::Refused(format!("{} ({})", e, redacted(url))))?;
        Ok(SqlStore::with_backend(Postgres { connection }, key))
    }
}

/// Apply pending migrations, each in its own transaction, under a lock so that instances
/// starting together migrate once.
fn migrate(client: &mut postgres::Client) -> Result<(), postgres::Error> {
    // Under the lock from the first statement: two `CREATE TABLE IF NOT EXISTS` at once can
    // both find the table missing and one fail.
    let mut transaction = client.transaction()?;
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    transaction.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)",
    )?;
    transaction.commit()?;
    loop {
        let mut transaction = client.transaction()?;
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        let applied: i64 = transaction
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations",
                &[],
            )?
            .get(0);
        let Some(migration) = MIGRATIONS.get(applied as usize) else {
            return Ok(());
        };
        transaction.batch_execute(migration)?;
        transaction.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&(applied + 1)],
        )?;
        transaction.commit()?;
    }
}

/// What the other instances' writes announce.
#[derive(Clone, Debug, PartialEq)]
pub enum Announcement {
    /// A commit changed these targets' records.
    Touched(Vec<crate::audit::Subject>),
    /// Announcements may have been missed (the listener connected again, or a commit touched
    /// more targets than one notice carries): reload everything.
    Missed,
}

/// The payload of a notice that stands for "too many to name" ([`Announcement::Missed`]).
pub const TOO_MANY: &str = "*";

/// The largest payload a notice carries (PostgreSQL's limit is 8,000 bytes).
pub const MAX_NOTICE_BYTES: usize = 7_900;

/// Listen on [`TOUCHED_CHANNEL`] from a thread of its own while `alive()` says so (asked at
/// least every second), and give `deliver` each announcement. After every connection (the
/// first included) it delivers [`Announcement::Missed`], since writes may have gone by
/// unheard; a lost connection is tried again every second.
pub fn listen(
    url: &str,
    alive: impl Fn() -> bool + Send + 'static,
    mut deliver: impl FnMut(Announcement) + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    use postgres::fallible_iterator::FallibleIterator;
    let url = url.to_owned();
    let second = std::time::Duration::from_secs(1);
    std::thread::Builder::new()
        .name("menshen-listen".into())
        .spawn(move || {
            while alive() {
                let Ok(mut client) = postgres::Client::connect(&url, postgres::NoTls) else {
                    std::thread::sleep(second);
                    continue;
                };
                if client
                    .batch_execute(&format!("LISTEN {TOUCHED_CHANNEL}"))
                    .is_err()
                {
                    std::thread::sleep(second);
                    continue;
                }
                deliver(Announcement::Missed);
                let mut notices = client.notifications();
                let mut notices = notices.timeout_iter(second);
                loop {
                    match notices.next() {
                        Ok(Some(notice)) if notice.payload() == TOO_MANY => {
                            deliver(Announcement::Missed)
                        }
                        Ok(Some(notice)) => match serde_json::from_str(notice.payload()) {
                            Ok(targets) => deliver(Announcement::Touched(targets)),
                            // Not ours to read: reload rather than miss a change.
                            Err(_) => deliver(Announcement::Missed),
                        },
                        Ok(None) if alive() => {}
                        Ok(None) => return,
                        // The connection is lost: connect again.
                        Err(_) => break,
                    }
                }
            }
        })
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

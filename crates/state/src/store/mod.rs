//! Storage behind one narrow interface, with the embedded default: one SQLite file in WAL
//! mode. A PostgreSQL implementation provides the same trait; callers do not change.

use std::path::Path;

use menshen_policy::deliver::Preferences;
pub mod postgres;
mod reports;
mod sql;
mod sqlite;
pub mod transfer;

pub use sqlite::SCHEMA_VERSION;

pub use sql::{Db, SqlError};
use sql::{Optional, args};

pub use reports::SYSTEM_REPORTER_PREFIX;

use crate::{
    appeal::{Appeal, AppealDecision, AppealState},
    audit::{
        self, Actor, ActorKind, AuditEvent, AuditKey, AuditRecord, ChainError, GENESIS, Head,
        SCHEME, StoredRecord, Subject, SubjectKind, head_mac, keyed_hash, rfc3339,
    },
    core::{
        self, Appellant, AuditAction, Change, Changeset, OffenceOutcome, Refusal, StrikeRecord,
        TargetRecord, Topic,
    },
    ladder::{Ladders, SanctionKind, Strike},
    outbox::{Notification, backoff_seconds},
    report::{
        Case, CaseAction, CaseState, LabelledExample, NewReport, Reason, Report, ReportConfig,
        ReporterRecord,
    },
    sanction::{LadderName, Offence, Sanction, ip_target_covers},
    standing::Standing,
    token::{Role, TokenInfo, generate_secret, secret_hash},
};

/// Problems with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] SqlError),
    #[error("a stored record does not parse: {0}")]
    Corrupt(String),
    #[error("audit chain: {0}")]
    Chain(#[from] ChainError),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("{0}")]
    Refusal(#[from] Refusal),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Database(SqlError::Sqlite(error))
    }
}

/// The store a configuration names: PostgreSQL when `database_url` is given (a `postgres://`
/// URL), else the embedded SQLite store in `dir`. Either way the audit key is the one at
/// [`audit_key_path`] of `dir`: every instance of a shared store needs the same key there.
pub fn open(dir: &Path, database_url: Option<&str>) -> Result<Box<dyn Store + Send>, StoreError> {
    let Some(url) = database_url else {
        return Ok(Box::new(SqliteStore::open(dir)?));
    };
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(StoreError::Refused(format!(
            "database_url `{}` is not a PostgreSQL URL; write postgres://user:password@host:5432/database",
            postgres::redacted(url)
        )));
    }
    let key = store_folder(dir)?;
    Ok(Box::new(PostgresStore::connect(url, key)?))
}

/// Make the store's folder if need be and read (or create) its audit key. The store holds who
/// was sanctioned and why: a folder menshen creates is its owner's alone (an operator's
/// existing folder keeps the permissions they gave it).
fn store_folder(dir: &Path) -> Result<AuditKey, StoreError> {
    let created = !dir.exists();
    std::fs::create_dir_all(dir)
        .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", dir.display())))?;
    if created {
        private(dir, 0o700)?;
    }
    let path = audit_key_path(dir);
    AuditKey::load_or_create(&path)
        .map_err(|e| StoreError::Corrupt(format!("the audit key ({}): {e}", path.display())))
}

/// Stores for tests that run on both backends. `MENSHEN_TEST_BACKEND=postgres`, with
/// `MENSHEN_TEST_DATABASE_URL` (what `scripts/services.sh start` prints), selects PostgreSQL;
/// anything else, the embedded store.
pub mod testing {
    use std::path::PathBuf;

    /// Whether the tests run on PostgreSQL.
    pub fn on_postgres() -> bool {
        std::env::var("MENSHEN_TEST_BACKEND").as_deref() == Ok("postgres")
    }

    /// A fresh folder for the store of test `name`, and on PostgreSQL the URL of a fresh
    /// schema of its own (dropped and made again), so that tests running at once do not meet.
    pub fn fresh(name: &str) -> (PathBuf, Option<String>) {
        let pid = std::process::id();
        let dir = std::env::temp_dir().join(format!("menshen-test-{name}-{pid}"));
        let _ = std::fs::remove_dir_all(&dir);
        if !on_postgres() {
            return (dir, None);
        }
        let url = std::env::var("MENSHEN_TEST_DATABASE_URL").expect(
            "MENSHEN_TEST_BACKEND=postgres needs MENSHEN_TEST_DATABASE_URL: eval \"$(bash scripts/services.sh start)\"",
        );
        let mut schema: String = format!("t_{name}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        schema.push_str(&format!("_{pid}"));
        // On a thread of its own: the client cannot run inside a test's async runtime.
        let (base, fresh) = (url.clone(), schema.clone());
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&base, postgres::NoTls)
                .unwrap_or_else(|e| panic!("cannot reach the test database {base}: {e}"));
            client
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS {fresh} CASCADE; CREATE SCHEMA {fresh}"
                ))
                .expect("a fresh schema");
        })
        .join()
        .expect("the test database answered");
        let url = super::postgres::schema_url(&url, &schema).expect("a valid schema name");
        (dir, Some(url))
    }

    /// A fresh store of either backend for test `name`, with its folder.
    pub fn store(name: &str) -> (PathBuf, Box<dyn super::Store + Send>) {
        let (dir, url) = fresh(name);
        let store = super::open(&dir, url.as_deref()).expect("a fresh test store");
        (dir, store)
    }
}

/// What every store does. Times are given by the caller in seconds since the Unix epoch: the
/// store has no clock of its own.
pub trait Store {
    /// Append an event to the audit log; durable when this returns.
    fn append(&mut self, event: AuditEvent) -> Result<AuditRecord, StoreError>;
    /// The most recent records about a subject, newest last.
    fn history(&self, subject: &Subject, limit: usize) -> Result<Vec<AuditRecord>, StoreError>;
    /// Check the whole chain, its head, and the sanctions and strikes against what the log
    /// says; returns the number of records.
    fn verify(&self) -> Result<u64, StoreError>;
    /// The chain's head as stored (its last record's number and hash, with their MAC).
    fn audit_head(&self) -> Result<Option<Head>, StoreError>;

    /// Record an offence: add its strike, give the ladder's next step (or a person's
    /// override), and audit both, in one transaction.
    fn record_offence(
        &mut self,
        offence: Offence,
        ladders: &Ladders,
    ) -> Result<Sanction, StoreError>;
    /// Record several offences in one transaction (one disk sync for all: group commit), in
    /// order, each seeing the strikes of those before it.
    fn record_offences(
        &mut self,
        offences: Vec<Offence>,
        ladders: &Ladders,
    ) -> Result<Vec<Sanction>, StoreError>;
    /// Lift a sanction. A rule or the system cannot lift what a reviewer or admin gave.
    fn lift(
        &mut self,
        id: u64,
        actor: Actor,
        reason: &str,
        at: i64,
    ) -> Result<Sanction, StoreError>;
    /// One sanction, whatever its state.
    fn sanction(&self, id: u64) -> Result<Option<Sanction>, StoreError>;
    /// The sanctions not lifted that were issued as evasion of the ban `ban` (an account
    /// caught on a banned device or address), oldest first: what lifting that ban may reverse.
    fn evasions_of(&self, ban: u64) -> Result<Vec<Sanction>, StoreError>;
    /// Every sanction a target was ever given, oldest first.
    fn sanctions_of(&self, target: &Subject) -> Result<Vec<Sanction>, StoreError>;
    /// Sanctions in force on a target at `at`.
    fn active_sanctions(&self, target: &Subject, at: i64) -> Result<Vec<Sanction>, StoreError>;
    /// A target's strikes on a ladder, oldest first.
    fn strikes(&self, target: &Subject, ladder: LadderName) -> Result<Vec<Strike>, StoreError>;
    /// Everything on a target's record, as the enforcement core reads it.
    fn records(&self, target: &Subject) -> Result<TargetRecord, StoreError>;
    /// The ids of every target of `kind` under a sanction in force at `at` (for the policy's
    /// sanctions snapshot: banned domains and apps).
    fn sanctioned(&self, kind: SubjectKind, at: i64) -> Result<Vec<String>, StoreError>;

    /// Append several events in one transaction (one disk sync for a batch).
    fn append_all(&mut self, events: Vec<AuditEvent>) -> Result<Vec<AuditRecord>, StoreError>;
    /// Every target with a strike or a sanction not lifted: what an in-memory cache of
    /// standings starts from.
    fn offenders(&self) -> Result<Vec<Subject>, StoreError>;

    /// A target's standing at `at`: strikes in force, restrictions, bans.
    fn standing(
        &self,
        target: &Subject,
        ladders: &Ladders,
        at: i64,
    ) -> Result<Standing, StoreError> {
        Ok(Standing::derive(
            self.active_sanctions(target, at)?,
            &self.strikes(target, LadderName::Content)?,
            &self.strikes(target, LadderName::Automation)?,
            ladders,
            at,
        ))
    }

    /// A login ban or permanent ban in force at `at` on this device, or on an IP address or
    /// range that covers this address: an account arriving through it is evading.
    fn ban_covering(
        &self,
        device: Option<&str>,
        ip: Option<std::net::IpAddr>,
        at: i64,
    ) -> Result<Option<Sanction>, StoreError> {
        if let Some(device) = device {
            let subject = Subject {
                kind: SubjectKind::Device,
                id: device.to_owned(),
            };
            if let Some(ban) = self
                .active_sanctions(&subject, at)?
                .into_iter()
                .find(Sanction::bans)
            {
                return Ok(Some(ban));
            }
        }
        if let Some(ip) = ip {
            for range in self.sanctioned(SubjectKind::Ip, at)? {
                if !ip_target_covers(&range, ip) {
                    continue;
                }
                let subject = Subject {
                    kind: SubjectKind::Ip,
                    id: range,
                };
                if let Some(ban) = self
                    .active_sanctions(&subject, at)?
                    .into_iter()
                    .find(Sanction::bans)
                {
                    return Ok(Some(ban));
                }
            }
        }
        Ok(None)
    }

    /// File an appeal against a sanction: one per sanction, within `window` seconds of its
    /// start.
    fn file_appeal(
        &mut self,
        sanction: u64,
        appellant: Appellant,
        statement: &str,
        at: i64,
        window: i64,
    ) -> Result<Appeal, StoreError>;
    /// Uphold or reverse an open appeal. Reversal reverses the strike, lifts the sanction,
    /// credits time served and recomputes the later sanctions on the same ladder.
    fn decide_appeal(
        &mut self,
        id: u64,
        decision: AppealDecision,
        ladders: &Ladders,
    ) -> Result<Appeal, StoreError>;
    fn appeal(&self, id: u64) -> Result<Option<Appeal>, StoreError>;
    /// Appeals in a state (all when none), oldest first.
    fn appeals(&self, state: Option<AppealState>, limit: usize) -> Result<Vec<Appeal>, StoreError>;

    /// Create an API token; returns the secret, which is not stored and cannot be shown again.
    fn create_token(&mut self, name: &str, role: Role, at: i64) -> Result<String, StoreError>;
    /// The role and name of a secret, if it is a live token.
    fn authenticate(&self, secret: &str) -> Result<Option<(Role, String)>, StoreError> {
        self.authenticate_hash(&secret_hash(secret))
    }
    /// The role and name of a live token, by the SHA-256 of its secret.
    fn authenticate_hash(&self, hash: &str) -> Result<Option<(Role, String)>, StoreError>;
    /// Revoke every live token with this name (audited); returns how many.
    fn revoke_tokens(&mut self, name: &str, at: i64) -> Result<usize, StoreError>;
    /// Every token, oldest first: name, role, created, revoked (never the secret).
    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;

    /// File a report: it joins the unresolved case about its subject or opens one, and the
    /// case's priority is weighed again from all its reports. `engine` is the engine's view
    /// of the subject (0–1).
    fn file_report(
        &mut self,
        report: NewReport,
        engine: f64,
        config: &ReportConfig,
    ) -> Result<(Report, Case), StoreError>;
    fn report(&self, id: u64) -> Result<Option<Report>, StoreError>;
    fn case(&self, id: u64) -> Result<Option<Case>, StoreError>;
    /// A case's reports, in filing order.
    fn case_reports(&self, id: u64) -> Result<Vec<Report>, StoreError>;
    /// Cases in the given states (all when empty), highest priority at `at` first (waiting
    /// raises it: [`Case::aged_priority`]), optionally of one reason.
    fn cases(
        &self,
        states: &[CaseState],
        reason: Option<Reason>,
        limit: usize,
        at: i64,
    ) -> Result<Vec<Case>, StoreError>;
    /// The unresolved cases about a subject (at most one) and the resolved ones, newest first.
    fn cases_about(&self, subject: &Subject) -> Result<Vec<Case>, StoreError>;
    /// Assign or escalate a case (audited). Resolution goes through [`Store::resolve_case`].
    fn move_case(
        &mut self,
        id: u64,
        actor: Actor,
        action: CaseAction,
        at: i64,
    ) -> Result<Case, StoreError>;
    /// Give `reviewer` the open case with the highest priority (of `reason`, if given).
    fn next_case(
        &mut self,
        reviewer: Actor,
        reason: Option<Reason>,
        at: i64,
    ) -> Result<Option<Case>, StoreError>;
    /// Resolve a case: with an offence, verify it (the offence climbs the ladder in the same
    /// transaction); without, dismiss it. Reporters' records, labelled examples and the
    /// reporters' feedback notifications are written with it.
    fn resolve_case(
        &mut self,
        id: u64,
        actor: Actor,
        reason: &str,
        offence: Option<Offence>,
        ladders: &Ladders,
        at: i64,
    ) -> Result<(Case, Option<Sanction>), StoreError>;
    fn reporter_record(&self, reporter: &str) -> Result<ReporterRecord, StoreError>;
    /// Messages labelled by people (verified and dismissed reports, appeal outcomes), oldest
    /// first: training data for the learning layer.
    fn examples(&self, limit: usize) -> Result<Vec<LabelledExample>, StoreError>;

    /// Set a recipient's link choices, replacing the ones before.
    fn set_preferences(
        &mut self,
        recipient: &str,
        preferences: &Preferences,
        at: i64,
    ) -> Result<(), StoreError>;
    /// The stored choices of each recipient named (those without any are left out).
    fn preferences(&self, recipients: &[String]) -> Result<Vec<(String, Preferences)>, StoreError>;

    /// The targets whose records the change sets applied since the last call touched: what a
    /// cache in front of the store reloads.
    fn take_touched(&mut self) -> Vec<Subject>;

    /// The schema version in force (each backend counts its own migrations).
    fn schema_version(&self) -> Result<u32, StoreError>;

    /// Give `out` every row of every table ([`transfer`]): what `menshen export` writes.
    fn export(
        &self,
        out: &mut dyn FnMut(transfer::ExportedRow) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError>;
    /// Load an export into this store, which must be empty, in one transaction; returns the
    /// rows. Check it with [`Store::verify`] after.
    fn import(
        &mut self,
        rows: &mut dyn Iterator<Item = Result<transfer::ExportedRow, StoreError>>,
    ) -> Result<u64, StoreError>;

    /// Notifications due at `now`, oldest first.
    fn due_notifications(&self, now: i64, limit: usize) -> Result<Vec<Notification>, StoreError>;
    /// Take the notifications due at `now` for delivery (oldest first): they are not due again
    /// for `lease` seconds, so that of many instances one delivers each, and one that dies
    /// before it is done leaves them to another when the lease ends.
    fn claim_notifications(
        &mut self,
        now: i64,
        limit: usize,
        lease: i64,
    ) -> Result<Vec<Notification>, StoreError>;
    /// A notification reached every receiver: it leaves the outbox.
    fn notification_delivered(&mut self, id: u64) -> Result<(), StoreError>;
    /// A delivery failed: try again after a backoff.
    fn notification_failed(&mut self, id: u64, error: &str, now: i64) -> Result<(), StoreError>;
}

/// A store of either backend: the logic is one, the SQL backend is `B`.
pub struct SqlStore<B> {
    backend: B,
    key: AuditKey,
    /// Targets touched by committed change sets, until taken.
    touched: Vec<Subject>,
}

/// The embedded store: one SQLite file, and the audit key beside it.
pub type SqliteStore = SqlStore<sqlite::Sqlite>;
/// The shared store: a PostgreSQL database, for many instances.
pub type PostgresStore = SqlStore<postgres::Postgres>;

/// What a SQL backend gives the store: a connection to read with, and transactions.
pub trait Backend: Send {
    /// The connection, for reads and for writes that stand alone.
    fn db(&self) -> Db<'_>;
    /// Run `f` in a transaction that serializes with every other writer of the store (other
    /// instances included), committed if it succeeds, rolled back if not.
    fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError>;
    /// The schema version in force.
    fn schema_version(&self) -> Result<u32, StoreError>;
}

/// An open transaction with the audit key: every write runs in one, so that state changes,
/// their audit records and the chain's head commit together.
pub(crate) struct Tx<'a> {
    db: Db<'a>,
    key: AuditKey,
    /// Targets the change sets applied in this transaction touch.
    touched: std::cell::RefCell<Vec<Subject>>,
}

impl<'a> std::ops::Deref for Tx<'a> {
    type Target = Db<'a>;
    fn deref(&self) -> &Self::Target {
        &self.db
    }
}

/// Where the audit key of the store in `dir` lives: `MENSHEN_AUDIT_KEY_FILE`, else
/// `dir/audit.key`.
pub fn audit_key_path(dir: &Path) -> std::path::PathBuf {
    std::env::var_os("MENSHEN_AUDIT_KEY_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.join("audit.key"))
}

/// Restrict a path to its owner (`mode`, on Unix; a no-op elsewhere).
pub(super) fn private(path: &Path, mode: u32) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| {
            StoreError::Corrupt(format!("cannot make {} private: {e}", path.display()))
        })?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

impl<B: Backend> SqlStore<B> {
    /// A store over an opened backend, with its audit key.
    pub fn with_backend(backend: B, key: AuditKey) -> Self {
        SqlStore {
            backend,
            key,
            touched: Vec::new(),
        }
    }

    fn db(&self) -> Db<'_> {
        self.backend.db()
    }

    /// Run `f` in a transaction, committed if it succeeds (one disk sync), rolled back if not.
    /// What it touched is announced in the same commit (PostgreSQL `NOTIFY`), for the caches
    /// of other instances.
    fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&Tx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let SqlStore {
            backend,
            key,
            touched,
        } = self;
        let (value, changed) = backend.in_transaction(|db| {
            let tx = Tx {
                db,
                key: key.clone(),
                touched: Default::default(),
            };
            let value = f(&tx)?;
            let changed = tx.touched.take();
            if !changed.is_empty() && db.dialect() == sql::Dialect::Postgres {
                let mut payload = to_json(&changed)?;
                if payload.len() > postgres::MAX_NOTICE_BYTES {
                    payload = postgres::TOO_MANY.to_owned();
                }
                db.execute(
                    "SELECT pg_notify(?1, ?2)",
                    args![postgres::TOUCHED_CHANNEL, payload],
                )?;
            }
            Ok((value, changed))
        })?;
        for target in changed {
            if !touched.contains(&target) {
                touched.push(target);
            }
        }
        Ok(value)
    }

    fn record(row: &sql::Row) -> Result<(u64, String, String, String), SqlError> {
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

fn kind_name(subject: &Subject) -> &'static str {
    subject.kind.as_str()
}

/// Append an event inside an open transaction, so that state changes, their record and the
/// chain's head commit together. Every thousandth record publishes a checkpoint of the head.
fn append_in(transaction: &Tx<'_>, event: AuditEvent) -> Result<AuditRecord, StoreError> {
    let last: Option<(i64, String)> = transaction
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            args![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq as u64 + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let json = serde_json::to_string(&event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let kind = kind_name(&event.subject);
    let hash = keyed_hash(
        &transaction.key,
        seq,
        (&event.at, kind, &event.subject.id),
        &json,
        &prev_hash,
    );
    transaction.execute(
        "INSERT INTO audit (seq, at, subject_kind, subject_id, event, prev_hash, hash, scheme)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        args![
            seq as i64,
            event.at,
            kind,
            event.subject.id,
            json,
            prev_hash,
            hash,
            SCHEME
        ],
    )?;
    let head = write_head(transaction, &transaction.key, seq, &hash)?;
    if seq.is_multiple_of(CHECKPOINT_EVERY) {
        notify_in(
            transaction,
            Topic::AuditCheckpoint,
            serde_json::to_value(&head).unwrap_or_default(),
            seconds_of(&event.at),
        )?;
    }
    Ok(AuditRecord {
        seq,
        event,
        prev_hash,
        hash,
    })
}

/// How many records apart the head's checkpoints are published.
pub const CHECKPOINT_EVERY: u64 = 1000;

/// Store the chain's head with its MAC.
pub(super) fn write_head(
    connection: &Db<'_>,
    key: &AuditKey,
    seq: u64,
    hash: &str,
) -> Result<Head, StoreError> {
    let head = Head {
        seq,
        hash: hash.to_owned(),
        mac: head_mac(key, seq, hash),
    };
    connection.execute(
        "INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac",
        args![head.seq as i64, head.hash, head.mac],
    )?;
    Ok(head)
}

/// Audit a token's creation or revocation, by its name (never its secret or hash).
fn audit_token(
    transaction: &Tx<'_>,
    name: &str,
    action: AuditAction,
    reason: String,
    at: i64,
) -> Result<(), StoreError> {
    append_in(
        transaction,
        AuditEvent {
            at: rfc3339(at),
            actor: Actor {
                kind: ActorKind::Admin,
                id: "cli".into(),
            },
            subject: Subject {
                kind: SubjectKind::Account,
                id: format!("token:{name}"),
            },
            action: action.as_str().into(),
            reason,
            evidence: serde_json::Value::Null,
            rule: None,
            policy_version: None,
        },
    )?;
    Ok(())
}

/// Serialize a value the store writes; these types always serialize.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Queue a webhook notification in the transaction that makes the change it announces.
fn notify_in(
    transaction: &Tx<'_>,
    topic: Topic,
    payload: serde_json::Value,
    at: i64,
) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT INTO outbox (topic, payload, next_at) VALUES (?1, ?2, ?3)",
        args![topic.as_str(), payload.to_string(), at],
    )?;
    Ok(())
}

fn save_sanction(connection: &Db<'_>, sanction: &Sanction) -> Result<(), StoreError> {
    connection.execute(
        "UPDATE sanctions SET sanction = ?1, lifted = ?2, kind = ?3, function = ?4, ends = ?5
         WHERE id = ?6",
        args![
            to_json(sanction)?,
            sanction.lifted,
            kind_column(sanction.kind),
            sanction.function.map(|f| f.as_str()),
            sanction.ends,
            sanction.id as i64
        ],
    )?;
    Ok(())
}

/// A sanction kind as its column holds it.
fn kind_column(kind: SanctionKind) -> &'static str {
    match kind {
        SanctionKind::Warning => "warning",
        SanctionKind::Restrict => "restrict",
        SanctionKind::LoginBan => "login_ban",
        SanctionKind::Permanent => "permanent",
    }
}

/// Everything on a target's record, for the enforcement core.
fn record_in(connection: &Db<'_>, target: &Subject) -> Result<TargetRecord, StoreError> {
    let sanctions = sanctions_of_in(connection, target)?;
    let mut statement = connection.prepare_cached(
        "SELECT sanction_id, ladder, at, weight, reversed FROM strikes
         WHERE target_kind = ?1 AND target_id = ?2 ORDER BY at, id",
    )?;
    let rows = statement.query_map(args![kind_name(target), target.id], |r| {
        Ok((
            r.get::<_, Option<i64>>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, bool>(4)?,
        ))
    })?;
    let mut strikes = Vec::new();
    for row in rows {
        let (sanction, ladder, at, weight, reversed) = row?;
        strikes.push(StrikeRecord {
            sanction: sanction.unwrap_or(0) as u64,
            ladder: ladder_of(&ladder)?,
            at,
            weight: weight as u32,
            reversed,
        });
    }
    let credit: i64 = connection
        .query_row(
            "SELECT seconds FROM credits WHERE target_kind = ?1 AND target_id = ?2",
            args![kind_name(target), target.id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    Ok(TargetRecord {
        target: target.clone(),
        sanctions,
        strikes,
        credit,
    })
}

fn ladder_of(name: &str) -> Result<LadderName, StoreError> {
    match name {
        "content" => Ok(LadderName::Content),
        "automation" => Ok(LadderName::Automation),
        other => Err(StoreError::Corrupt(format!("unknown ladder `{other}`"))),
    }
}

/// What applying a change set created: its sanctions (new or changed) and appeals, in order.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    pub sanctions: Vec<Sanction>,
    pub appeals: Vec<Appeal>,
}

/// Apply a change set inside an open transaction: state changes, their audit records and the
/// notifications that announce them commit together.
fn apply_in(transaction: &Tx<'_>, changes: Changeset) -> Result<Applied, StoreError> {
    transaction.touched.borrow_mut().extend(changes.touched());
    let mut applied = Applied::default();
    for change in changes.changes {
        match change {
            Change::Issue {
                mut sanction,
                weight,
                credit_used,
                mut audit,
            } => {
                transaction.execute(
                    "INSERT INTO sanctions (target_kind, target_id, sanction, audit_seq, kind,
                        function, ladder, starts, ends, manual)
                     VALUES (?1, ?2, '{}', 0, ?3, ?4, ?5, ?6, ?7, ?8)",
                    args![
                        kind_name(&sanction.target),
                        sanction.target.id,
                        kind_column(sanction.kind),
                        sanction.function.map(|f| f.as_str()),
                        sanction.ladder.as_str(),
                        sanction.starts,
                        sanction.ends,
                        sanction.manual
                    ],
                )?;
                sanction.id = transaction.last_insert_rowid()? as u64;
                audit.evidence["record"] = serde_json::to_value(&sanction)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let record = append_in(transaction, audit)?;
                sanction.audit_seq = record.seq;
                transaction.execute(
                    "UPDATE sanctions SET sanction = ?1, audit_seq = ?2 WHERE id = ?3",
                    args![to_json(&sanction)?, record.seq as i64, sanction.id as i64],
                )?;
                transaction.execute(
                    "INSERT INTO strikes (target_kind, target_id, ladder, at, weight, audit_seq, sanction_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    args![
                        kind_name(&sanction.target),
                        sanction.target.id,
                        sanction.ladder.as_str(),
                        sanction.starts,
                        weight,
                        record.seq as i64,
                        sanction.id as i64
                    ],
                )?;
                if credit_used > 0 {
                    transaction.execute(
                        "UPDATE credits SET seconds = seconds - ?1 WHERE target_kind = ?2 AND target_id = ?3",
                        args![credit_used, kind_name(&sanction.target), sanction.target.id],
                    )?;
                }
                notify_in(
                    transaction,
                    Topic::SanctionIssue,
                    serde_json::to_value(&sanction).unwrap_or_default(),
                    sanction.starts,
                )?;
                applied.sanctions.push(sanction);
            }
            Change::Update {
                sanction,
                audit,
                topic,
            } => {
                let at = seconds_of(&audit.at);
                let reason = audit.reason.clone();
                append_in(transaction, audit)?;
                save_sanction(transaction, &sanction)?;
                let payload = match topic {
                    Topic::SanctionLift => {
                        serde_json::json!({ "sanction": sanction, "reason": reason })
                    }
                    _ => serde_json::to_value(&sanction).unwrap_or_default(),
                };
                notify_in(transaction, topic, payload, at)?;
                applied.sanctions.push(sanction);
            }
            Change::ReverseStrike { sanction } => {
                transaction.execute(
                    "UPDATE strikes SET reversed = 1 WHERE sanction_id = ?1",
                    args![sanction as i64],
                )?;
            }
            Change::Credit { target, seconds } => add_credit(transaction, &target, seconds)?,
            Change::FileAppeal { mut appeal, audit } => {
                let record = append_in(transaction, audit)?;
                transaction.execute(
                    "INSERT INTO appeals (sanction_id, state, appeal, audit_seq) VALUES (?1, ?2, ?3, ?4)",
                    args![
                        appeal.sanction as i64,
                        appeal.state.as_str(),
                        to_json(&appeal)?,
                        record.seq as i64
                    ],
                )?;
                appeal.id = transaction.last_insert_rowid()? as u64;
                applied.appeals.push(appeal);
            }
            Change::DecideAppeal {
                appeal,
                sanction,
                audit,
            } => {
                let at = seconds_of(&audit.at);
                append_in(transaction, audit)?;
                save_sanction(transaction, &sanction)?;
                reports::label_from_appeal(
                    transaction,
                    &sanction,
                    appeal.state == AppealState::Upheld,
                    at,
                )?;
                transaction.execute(
                    "UPDATE appeals SET state = ?1, appeal = ?2 WHERE id = ?3",
                    args![appeal.state.as_str(), to_json(&appeal)?, appeal.id as i64],
                )?;
                notify_in(
                    transaction,
                    Topic::AppealDecide,
                    serde_json::json!({ "appeal": appeal, "sanction": sanction }),
                    at,
                )?;
                applied.appeals.push(appeal);
            }
        }
    }
    Ok(applied)
}

/// An audit event's time back in seconds (events carry RFC 3339).
fn seconds_of(at: &str) -> i64 {
    at.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .unwrap_or(0)
}

fn add_credit(connection: &Db<'_>, target: &Subject, seconds: i64) -> Result<(), StoreError> {
    connection.execute(
        "INSERT INTO credits (target_kind, target_id, seconds) VALUES (?1, ?2, ?3)
         ON CONFLICT (target_kind, target_id) DO UPDATE SET seconds = credits.seconds + excluded.seconds",
        args![kind_name(target), target.id, seconds],
    )?;
    Ok(())
}

/// A record kept as a JSON body beside its id column.
trait Row: serde::de::DeserializeOwned {
    /// What it is, for error messages.
    const WHAT: &'static str;
    /// The query for one by id, selecting `(id, body)`.
    const BY_ID: &'static str;
    fn set_id(&mut self, id: u64);
}

macro_rules! row {
    ($type:ty, $what:literal, $table:literal, $body:literal) => {
        impl Row for $type {
            const WHAT: &'static str = $what;
            const BY_ID: &'static str =
                concat!("SELECT id, ", $body, " FROM ", $table, " WHERE id = ?1");
            fn set_id(&mut self, id: u64) {
                self.id = id;
            }
        }
    };
}
row!(Sanction, "sanction", "sanctions", "sanction");
row!(Appeal, "appeal", "appeals", "appeal");
row!(Case, "case", "cases", "body");
row!(Report, "report", "reports", "body");

/// One record by id.
fn row_in<T: Row>(connection: &Db<'_>, id: u64) -> Result<Option<T>, StoreError> {
    let row: Option<(i64, String)> = connection
        .query_row(T::BY_ID, args![id as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(parse_row).transpose()
}

/// Parse an `(id, body)` row.
fn parse_row<T: Row>((id, json): (i64, String)) -> Result<T, StoreError> {
    let mut value: T = serde_json::from_str(&json)
        .map_err(|e| StoreError::Corrupt(format!("{} {id}: {e}", T::WHAT)))?;
    value.set_id(id as u64);
    Ok(value)
}

fn appeal_in(connection: &Db<'_>, id: u64) -> Result<Option<Appeal>, StoreError> {
    row_in(connection, id)
}

fn sanctions_of_in(connection: &Db<'_>, target: &Subject) -> Result<Vec<Sanction>, StoreError> {
    let mut statement = connection.prepare(
        "SELECT id, sanction FROM sanctions WHERE target_kind = ?1 AND target_id = ?2 ORDER BY id",
    )?;
    let rows = statement.query_map(args![kind_name(target), target.id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    rows.map(|row| parse_row(row?)).collect()
}

impl<B: Backend> Store for SqlStore<B> {
    fn append(&mut self, event: AuditEvent) -> Result<AuditRecord, StoreError> {
        self.in_transaction(|transaction| append_in(transaction, event))
    }

    fn append_all(&mut self, events: Vec<AuditEvent>) -> Result<Vec<AuditRecord>, StoreError> {
        self.in_transaction(|transaction| {
            events
                .into_iter()
                .map(|event| append_in(transaction, event))
                .collect()
        })
    }

    fn offenders(&self) -> Result<Vec<Subject>, StoreError> {
        let mut statement = self.db().prepare(
            "SELECT target_kind, target_id FROM strikes
             UNION SELECT target_kind, target_id FROM sanctions WHERE lifted = 0",
        )?;
        let rows = statement.query_map(args![], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (kind, id) = row?;
            let kind = SubjectKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown target kind `{kind}`")))?;
            Ok(Subject { kind, id })
        })
        .collect()
    }

    fn record_offence(
        &mut self,
        offence: Offence,
        ladders: &Ladders,
    ) -> Result<Sanction, StoreError> {
        self.in_transaction(|transaction| record_offence_in(transaction, offence, ladders))
    }

    fn record_offences(
        &mut self,
        offences: Vec<Offence>,
        ladders: &Ladders,
    ) -> Result<Vec<Sanction>, StoreError> {
        self.in_transaction(|transaction| {
            offences
                .into_iter()
                .map(|offence| record_offence_in(transaction, offence, ladders))
                .collect()
        })
    }

    fn lift(
        &mut self,
        id: u64,
        actor: Actor,
        reason: &str,
        at: i64,
    ) -> Result<Sanction, StoreError> {
        self.in_transaction(|transaction| {
            let sanction = sanction_in(transaction, id)?
                .ok_or_else(|| StoreError::NotFound(format!("sanction {id}")))?;
            let changes = core::lift(&sanction, &actor, reason, at)?;
            let mut applied = apply_in(transaction, changes)?;
            applied
                .sanctions
                .pop()
                .ok_or_else(|| StoreError::Corrupt("a lift changed no sanction".into()))
        })
    }

    fn records(&self, target: &Subject) -> Result<TargetRecord, StoreError> {
        record_in(&self.db(), target)
    }

    fn sanction(&self, id: u64) -> Result<Option<Sanction>, StoreError> {
        sanction_in(&self.db(), id)
    }

    fn evasions_of(&self, ban: u64) -> Result<Vec<Sanction>, StoreError> {
        let ids: Vec<u64> = self
            .db()
            .prepare(self.db().choose(
                "SELECT s.id FROM sanctions s JOIN audit a ON a.seq = s.audit_seq
                 WHERE s.lifted = 0
                   AND json_extract(a.event, '$.evidence.evasion') = 1
                   AND json_extract(a.event, '$.evidence.offence.ban') = ?1
                 ORDER BY s.id",
                "SELECT s.id FROM sanctions s JOIN audit a ON a.seq = s.audit_seq
                 WHERE s.lifted = 0
                   AND (a.event::jsonb #> '{evidence,evasion}') IN ('true'::jsonb, '1'::jsonb)
                   AND (a.event::jsonb #> '{evidence,offence,ban}') = to_jsonb(?1::bigint)
                 ORDER BY s.id",
            ))?
            .query_map(args![ban as i64], |row| {
                row.get::<_, i64>(0).map(|id| id as u64)
            })?
            .collect::<Result<_, _>>()?;
        ids.into_iter()
            .filter_map(|id| sanction_in(&self.db(), id).transpose())
            .collect()
    }

    fn sanctions_of(&self, target: &Subject) -> Result<Vec<Sanction>, StoreError> {
        sanctions_of_in(&self.db(), target)
    }

    fn active_sanctions(&self, target: &Subject, at: i64) -> Result<Vec<Sanction>, StoreError> {
        let mut statement =
            self.db().prepare_cached("SELECT id, sanction FROM sanctions WHERE target_kind = ?1 AND target_id = ?2 AND lifted = 0 ORDER BY id")?;
        let rows = statement.query_map(args![kind_name(target), target.id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut active = Vec::new();
        for row in rows {
            let sanction: Sanction = parse_row(row?)?;
            if sanction.in_force(at) {
                active.push(sanction);
            }
        }
        Ok(active)
    }

    fn strikes(&self, target: &Subject, ladder: LadderName) -> Result<Vec<Strike>, StoreError> {
        strikes_in(&self.db(), target, ladder)
    }

    fn sanctioned(&self, kind: SubjectKind, at: i64) -> Result<Vec<String>, StoreError> {
        let kind = kind.as_str();
        let mut statement = self.db().prepare_cached(
            "SELECT id, sanction FROM sanctions WHERE target_kind = ?1 AND lifted = 0 ORDER BY id",
        )?;
        let rows = statement.query_map(args![kind], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut ids = Vec::new();
        for row in rows {
            let sanction: Sanction = parse_row(row?)?;
            if sanction.in_force(at) && !ids.contains(&sanction.target.id) {
                ids.push(sanction.target.id);
            }
        }
        Ok(ids)
    }

    fn file_appeal(
        &mut self,
        sanction_id: u64,
        appellant: Appellant,
        statement: &str,
        at: i64,
        window: i64,
    ) -> Result<Appeal, StoreError> {
        self.in_transaction(|transaction| {
            let sanction = sanction_in(transaction, sanction_id)?
                .ok_or_else(|| StoreError::NotFound(format!("sanction {sanction_id}")))?;
            let existing: Option<i64> = transaction
                .query_row(
                    "SELECT id FROM appeals WHERE sanction_id = ?1",
                    args![sanction_id as i64],
                    |r| r.get(0),
                )
                .optional()?;
            let changes = core::file_appeal(
                &sanction,
                existing.map(|id| id as u64),
                appellant,
                statement,
                at,
                window,
            )?;
            let mut applied = apply_in(transaction, changes)?;
            applied
                .appeals
                .pop()
                .ok_or_else(|| StoreError::Corrupt("filing made no appeal".into()))
        })
    }

    fn decide_appeal(
        &mut self,
        id: u64,
        decision: AppealDecision,
        ladders: &Ladders,
    ) -> Result<Appeal, StoreError> {
        self.in_transaction(|transaction| {
            let appeal = appeal_in(transaction, id)?
                .ok_or_else(|| StoreError::NotFound(format!("appeal {id}")))?;
            let sanction = sanction_in(transaction, appeal.sanction)?
                .ok_or_else(|| StoreError::NotFound(format!("sanction {}", appeal.sanction)))?;
            let record = record_in(transaction, &sanction.target)?;
            let changes = core::decide_appeal(&record, &appeal, &decision, ladders)?;
            let mut applied = apply_in(transaction, changes)?;
            applied
                .appeals
                .pop()
                .ok_or_else(|| StoreError::Corrupt("a decision changed no appeal".into()))
        })
    }

    fn appeal(&self, id: u64) -> Result<Option<Appeal>, StoreError> {
        appeal_in(&self.db(), id)
    }

    fn appeals(&self, state: Option<AppealState>, limit: usize) -> Result<Vec<Appeal>, StoreError> {
        let mut statement = self.db().prepare(
            "SELECT id, appeal FROM appeals WHERE CAST(?1 AS TEXT) IS NULL OR state = CAST(?1 AS TEXT)
             ORDER BY id LIMIT ?2",
        )?;
        let rows = statement
            .query_map(args![state.map(AppealState::as_str), limit as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?;
        rows.map(|row| parse_row(row?)).collect()
    }

    fn file_report(
        &mut self,
        report: NewReport,
        engine: f64,
        config: &ReportConfig,
    ) -> Result<(Report, Case), StoreError> {
        self.in_transaction(|transaction| {
            reports::file_report_in(transaction, report, engine, config)
        })
    }

    fn report(&self, id: u64) -> Result<Option<Report>, StoreError> {
        reports::report_in(&self.db(), id)
    }

    fn case(&self, id: u64) -> Result<Option<Case>, StoreError> {
        reports::case_in(&self.db(), id)
    }

    fn case_reports(&self, id: u64) -> Result<Vec<Report>, StoreError> {
        reports::case_reports_in(&self.db(), id)
    }

    fn cases(
        &self,
        states: &[CaseState],
        reason: Option<Reason>,
        limit: usize,
        at: i64,
    ) -> Result<Vec<Case>, StoreError> {
        reports::cases_in(&self.db(), states, reason, limit, at)
    }

    fn cases_about(&self, subject: &Subject) -> Result<Vec<Case>, StoreError> {
        reports::cases_about_in(&self.db(), subject)
    }

    fn move_case(
        &mut self,
        id: u64,
        actor: Actor,
        action: CaseAction,
        at: i64,
    ) -> Result<Case, StoreError> {
        self.in_transaction(|transaction| reports::move_case_in(transaction, id, actor, action, at))
    }

    fn next_case(
        &mut self,
        reviewer: Actor,
        reason: Option<Reason>,
        at: i64,
    ) -> Result<Option<Case>, StoreError> {
        self.in_transaction(|transaction| reports::next_case_in(transaction, reviewer, reason, at))
    }

    fn resolve_case(
        &mut self,
        id: u64,
        actor: Actor,
        reason: &str,
        offence: Option<Offence>,
        ladders: &Ladders,
        at: i64,
    ) -> Result<(Case, Option<Sanction>), StoreError> {
        self.in_transaction(|transaction| {
            reports::resolve_case_in(transaction, id, actor, reason, offence, ladders, at)
        })
    }

    fn reporter_record(&self, reporter: &str) -> Result<ReporterRecord, StoreError> {
        reports::reporter_record_in(&self.db(), reporter)
    }

    fn examples(&self, limit: usize) -> Result<Vec<LabelledExample>, StoreError> {
        reports::examples_in(&self.db(), limit)
    }

    fn create_token(&mut self, name: &str, role: Role, at: i64) -> Result<String, StoreError> {
        let secret = generate_secret()
            .map_err(|e| StoreError::Refused(format!("no randomness for a token: {e}")))?;
        self.in_transaction(|transaction| {
            transaction.execute(
                "INSERT INTO tokens (name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                args![name, role.as_str(), secret_hash(&secret), at],
            )?;
            // The audit names the token, never its secret or hash.
            audit_token(
                transaction,
                name,
                AuditAction::TokenCreate,
                format!("a {} token", role.as_str()),
                at,
            )
        })?;
        Ok(secret)
    }

    fn revoke_tokens(&mut self, name: &str, at: i64) -> Result<usize, StoreError> {
        self.in_transaction(|transaction| {
            let revoked = transaction.execute(
                "UPDATE tokens SET revoked = 1 WHERE name = ?1 AND revoked = 0",
                args![name],
            )?;
            if revoked > 0 {
                audit_token(
                    transaction,
                    name,
                    AuditAction::TokenRevoke,
                    format!("{revoked} token(s) revoked"),
                    at,
                )?;
            }
            Ok(revoked)
        })
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let mut statement = self
            .db()
            .prepare("SELECT name, role, created_at, revoked FROM tokens ORDER BY id")?;
        let rows = statement.query_map(args![], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (name, role, created_at, revoked) = row?;
            let role = Role::parse(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("token {name}: role `{role}`")))?;
            Ok(TokenInfo {
                name,
                role,
                created_at,
                revoked,
            })
        })
        .collect()
    }

    fn authenticate_hash(&self, hash: &str) -> Result<Option<(Role, String)>, StoreError> {
        let row: Option<(String, String)> = self
            .db()
            .prepare_cached("SELECT role, name FROM tokens WHERE hash = ?1 AND revoked = 0")?
            .query_row(args![hash], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.and_then(|(role, name)| Some((Role::parse(&role)?, name))))
    }

    fn set_preferences(
        &mut self,
        recipient: &str,
        preferences: &Preferences,
        at: i64,
    ) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO preferences (recipient, body, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (recipient) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            args![recipient, to_json(preferences)?, at],
        )?;
        Ok(())
    }

    fn preferences(&self, recipients: &[String]) -> Result<Vec<(String, Preferences)>, StoreError> {
        let mut statement = self.db().prepare_cached(self.db().choose(
            "SELECT recipient, body FROM preferences
             WHERE recipient IN (SELECT value FROM json_each(?1)) ORDER BY recipient",
            "SELECT recipient, body FROM preferences
             WHERE recipient IN (SELECT json_array_elements_text(?1::json)) ORDER BY recipient",
        ))?;
        let rows = statement.query_map(args![to_json(&recipients)?], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (recipient, body) = row?;
            let preferences = serde_json::from_str(&body)
                .map_err(|e| StoreError::Corrupt(format!("preferences of {recipient}: {e}")))?;
            Ok((recipient, preferences))
        })
        .collect()
    }

    fn take_touched(&mut self) -> Vec<Subject> {
        std::mem::take(&mut self.touched)
    }

    fn schema_version(&self) -> Result<u32, StoreError> {
        self.backend.schema_version()
    }

    fn export(
        &self,
        out: &mut dyn FnMut(transfer::ExportedRow) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        transfer::export(&self.db(), out)
    }

    fn import(
        &mut self,
        rows: &mut dyn Iterator<Item = Result<transfer::ExportedRow, StoreError>>,
    ) -> Result<u64, StoreError> {
        self.in_transaction(|transaction| transfer::import(transaction, rows))
    }

    fn due_notifications(&self, now: i64, limit: usize) -> Result<Vec<Notification>, StoreError> {
        due_in(&self.db(), now, limit)
    }

    fn claim_notifications(
        &mut self,
        now: i64,
        limit: usize,
        lease: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        // Under the writer lock: two instances never claim the same notification.
        self.in_transaction(|transaction| {
            let due = due_in(transaction, now, limit)?;
            for notification in &due {
                transaction.execute(
                    "UPDATE outbox SET next_at = ?1 WHERE id = ?2",
                    args![now + lease, notification.id as i64],
                )?;
            }
            Ok(due)
        })
    }

    fn notification_delivered(&mut self, id: u64) -> Result<(), StoreError> {
        self.db()
            .execute("DELETE FROM outbox WHERE id = ?1", args![id as i64])?;
        Ok(())
    }

    fn notification_failed(&mut self, id: u64, error: &str, now: i64) -> Result<(), StoreError> {
        let attempts: i64 = self
            .db()
            .query_row(
                "SELECT attempts FROM outbox WHERE id = ?1",
                args![id as i64],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("notification {id}")))?;
        self.db().execute(
            "UPDATE outbox SET attempts = attempts + 1, next_at = ?1, last_error = ?2 WHERE id = ?3",
            args![now + backoff_seconds(attempts as u32), error, id as i64],
        )?;
        Ok(())
    }

    fn history(&self, subject: &Subject, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let mut statement = self.db().prepare(
            "SELECT seq, event, prev_hash, hash FROM audit WHERE subject_kind = ?1 AND subject_id = ?2 ORDER BY seq DESC LIMIT ?3",
        )?;
        let rows = statement.query_map(
            args![kind_name(subject), subject.id, limit as i64],
            Self::record,
        )?;
        let mut records = rows
            .map(|r| r.map_err(StoreError::from).and_then(Self::parse))
            .collect::<Result<Vec<_>, _>>()?;
        records.reverse();
        Ok(records)
    }

    fn audit_head(&self) -> Result<Option<Head>, StoreError> {
        Ok(self
            .db()
            .query_row(
                "SELECT seq, hash, mac FROM audit_head WHERE id = 1",
                args![],
                |r| {
                    Ok(Head {
                        seq: r.get::<_, i64>(0)? as u64,
                        hash: r.get(1)?,
                        mac: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn verify(&self) -> Result<u64, StoreError> {
        // The chain, record by record, in constant memory; the events that change sanctions and
        // strikes are kept to rebuild them.
        let mut statement = self.db().prepare(
            "SELECT seq, at, subject_kind, subject_id, event, prev_hash, hash, scheme
             FROM audit ORDER BY seq",
        )?;
        let mut verifier = audit::ChainVerifier::new(self.key.clone());
        let mut changes = Vec::new();
        let mut first_keyed: Option<u64> = None;
        let rows = statement.query_map(args![], |r| {
            Ok(StoredRecord {
                seq: r.get::<_, i64>(0)? as u64,
                at: r.get(1)?,
                subject_kind: r.get(2)?,
                subject_id: r.get(3)?,
                event: r.get(4)?,
                prev_hash: r.get(5)?,
                hash: r.get(6)?,
                scheme: r.get(7)?,
            })
        })?;
        for row in rows {
            let record = row?;
            verifier.check(&record)?;
            if record.scheme >= SCHEME {
                first_keyed.get_or_insert(record.seq);
            }
            let event: AuditEvent = serde_json::from_str(&record.event)
                .map_err(|e| StoreError::Corrupt(format!("record {}: {e}", record.seq)))?;
            if core::AuditAction::parse(&event.action).is_some_and(changes_state) {
                changes.push((record.seq, event));
            }
        }
        let count = verifier.finish(self.audit_head()?.as_ref())?;
        self.compare_with_log(&changes, first_keyed)?;
        Ok(count)
    }
}

/// The notifications due at `now`, oldest first.
fn due_in(connection: &Db<'_>, now: i64, limit: usize) -> Result<Vec<Notification>, StoreError> {
    let mut statement = connection.prepare_cached(
            "SELECT id, topic, payload, attempts, next_at FROM outbox WHERE next_at <= ?1 ORDER BY next_at, id LIMIT ?2",
        )?;
    let rows = statement.query_map(args![now, limit as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    rows.map(|row| {
        let (id, topic, payload, attempts, next_at) = row?;
        Ok(Notification {
            id: id as u64,
            topic,
            payload: serde_json::from_str(&payload)
                .map_err(|e| StoreError::Corrupt(format!("notification {id}: {e}")))?,
            attempts: attempts as u32,
            next_at,
        })
    })
    .collect()
}

/// Audit actions that change sanctions or strikes: what a replay of the log needs.
fn changes_state(action: core::AuditAction) -> bool {
    use core::AuditAction::*;
    matches!(
        action,
        SanctionIssue | SanctionLift | SanctionAmend | AppealReversed
    )
}

impl<B: Backend> SqlStore<B> {
    /// Rebuild the sanctions and strikes from the log's events and compare them with the
    /// tables: an edit to a table the chain does not hash is caught here. Sanctions given
    /// before the keyed chain (`first_keyed`) carry no full record in their event and are
    /// left to the chain alone.
    fn compare_with_log(
        &self,
        events: &[(u64, AuditEvent)],
        first_keyed: Option<u64>,
    ) -> Result<(), StoreError> {
        let derived =
            core::replay(events.iter().map(|(seq, e)| (*seq, e))).map_err(StoreError::Corrupt)?;
        let mismatch = |what: String| StoreError::Chain(audit::ChainError::StateDiffers(what));
        let mut statement = self.db().prepare(
            "SELECT id, sanction, audit_seq, kind, function, ends, lifted FROM sanctions ORDER BY id",
        )?;
        let rows = statement.query_map(args![], |r| {
            Ok((
                r.get::<_, i64>(0)? as u64,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)? as u64,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, bool>(6)?,
            ))
        })?;
        let mut seen = 0;
        for row in rows {
            let (id, body, audit_seq, kind, function, ends, lifted) = row?;
            let stored: Sanction = parse_row((id as i64, body))?;
            let columns_agree = kind.as_deref() == Some(kind_column(stored.kind))
                && function.as_deref() == stored.function.map(|f| f.as_str())
                && ends == stored.ends
                && lifted == stored.lifted;
            if !columns_agree {
                return Err(mismatch(format!(
                    "sanction {id}'s columns differ from its record"
                )));
            }
            if first_keyed.is_none_or(|first| audit_seq < first) {
                continue;
            }
            seen += 1;
            match derived.sanctions.get(&id) {
                Some(logged) if *logged == stored => {}
                Some(_) => {
                    return Err(mismatch(format!(
                        "sanction {id} differs from what the log says"
                    )));
                }
                None => {
                    return Err(mismatch(format!(
                        "sanction {id} is not in the log: it was inserted"
                    )));
                }
            }
        }
        let logged = derived
            .sanctions
            .values()
            .filter(|s| first_keyed.is_some_and(|first| s.audit_seq >= first))
            .count();
        if logged != seen {
            return Err(mismatch(format!(
                "the log gives {logged} sanctions, the table holds {seen}: rows were deleted"
            )));
        }
        let mut statement = self.db().prepare(
            "SELECT sanction_id, weight, reversed, ladder, at FROM strikes WHERE sanction_id IS NOT NULL",
        )?;
        let rows = statement.query_map(args![], |r| {
            Ok((
                r.get::<_, i64>(0)? as u64,
                r.get::<_, i64>(1)? as u32,
                r.get::<_, bool>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut strikes_seen = 0;
        for row in rows {
            let (sanction, weight, reversed, ladder, at) = row?;
            let Some(logged) = derived.strikes.get(&sanction) else {
                // A strike of a sanction from before the keyed chain.
                continue;
            };
            strikes_seen += 1;
            let stored = core::StrikeRecord {
                sanction,
                ladder: ladder_of(&ladder)?,
                at,
                weight,
                reversed,
            };
            if *logged != stored {
                return Err(mismatch(format!(
                    "the strike of sanction {sanction} differs from what the log says"
                )));
            }
        }
        if strikes_seen != derived.strikes.len() {
            return Err(mismatch(format!(
                "the log gives {} strikes, the table holds {strikes_seen}: rows were deleted",
                derived.strikes.len()
            )));
        }
        Ok(())
    }
}

/// Record one offence inside an open transaction: the core decides from the target's record,
/// and its change set is applied. An offence that a sanction in force already answers (a
/// permanent ban, a restriction of the same function) returns that sanction unchanged.
fn record_offence_in(
    transaction: &Tx<'_>,
    offence: Offence,
    ladders: &Ladders,
) -> Result<Sanction, StoreError> {
    let record = record_in(transaction, &offence.target)?;
    match core::offence(&record, offence, ladders) {
        OffenceOutcome::Standing(sanction) => Ok(sanction),
        OffenceOutcome::Issued(changes) => apply_in(transaction, changes)?
            .sanctions
            .pop()
            .ok_or_else(|| StoreError::Corrupt("an offence issued no sanction".into())),
    }
}

fn sanction_in(connection: &Db<'_>, id: u64) -> Result<Option<Sanction>, StoreError> {
    row_in(connection, id)
}

fn strikes_in(
    connection: &Db<'_>,
    target: &Subject,
    ladder: LadderName,
) -> Result<Vec<Strike>, StoreError> {
    Ok(strikes_with_seq_in(connection, target, ladder)?
        .into_iter()
        .map(|(_, strike)| strike)
        .collect())
}

/// A target's strikes on a ladder with the audit record that gave each, oldest first.
fn strikes_with_seq_in(
    connection: &Db<'_>,
    target: &Subject,
    ladder: LadderName,
) -> Result<Vec<(u64, Strike)>, StoreError> {
    let mut statement = connection
        .prepare_cached("SELECT at, weight, reversed, audit_seq FROM strikes WHERE target_kind = ?1 AND target_id = ?2 AND ladder = ?3 ORDER BY at, id")?;
    let rows = statement.query_map(args![kind_name(target), target.id, ladder.as_str()], |r| {
        Ok((
            r.get::<_, i64>(3)? as u64,
            Strike {
                at: r.get(0)?,
                weight: r.get::<_, i64>(1)? as u32,
                reversed: r.get::<_, i64>(2)? != 0,
            },
        ))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

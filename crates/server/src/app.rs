//! The server's shared state: the engine (analyzer, policy, ladders), the store behind a
//! mutex, and in-memory copies of what every check reads, so that checks never wait on disk.
//!
//! The store is the source of truth. The cache holds each offender's sanctions and strikes
//! (accounts apart from the few domains, apps, devices and IP ranges) and is refreshed for a
//! target inside the same critical section that writes it, so a check never sees a sanction
//! the store does not have.

use std::{
    collections::{BTreeMap, HashMap},
    net::IpAddr,
    num::NonZeroUsize,
    sync::{Arc, Mutex, RwLock},
};

use arc_swap::ArcSwap;
use lru::LruCache;
use menshen_policy::Sanctions;
use menshen_state::{
    audit::{Subject, SubjectKind},
    behaviour::Detectors,
    ladder::{Ladders, Strike},
    sanction::{LadderName, Offence, Sanction, ip_target_covers},
    standing::Standing,
    store::{SqliteStore, Store, StoreError},
    token::{Role, secret_hash},
};

use crate::{config::ServerConfig, engine::Engine, error::ApiError, metrics::Metrics};

/// How long a behaviour signal stays in an account's standing, in seconds.
pub const SIGNAL_TTL: i64 = 86_400;

/// One target's record, as the store has it.
#[derive(Clone, Debug, Default)]
pub struct Record {
    /// Sanctions not lifted (some may have expired; [`Sanction::in_force`] decides).
    pub sanctions: Vec<Sanction>,
    pub content: Vec<Strike>,
    pub automation: Vec<Strike>,
}

impl Record {
    pub fn standing(&self, ladders: &Ladders, now: i64) -> Standing {
        let active = self
            .sanctions
            .iter()
            .filter(|s| s.in_force(now))
            .cloned()
            .collect();
        Standing::derive(active, &self.content, &self.automation, ladders, now)
    }

    fn load(store: &dyn Store, target: &Subject) -> Result<Record, StoreError> {
        Ok(Record {
            sanctions: store
                .sanctions_of(target)?
                .into_iter()
                .filter(|s| !s.lifted)
                .collect(),
            content: store.strikes(target, LadderName::Content)?,
            automation: store.strikes(target, LadderName::Automation)?,
        })
    }

    fn is_empty(&self) -> bool {
        self.sanctions.is_empty() && self.content.is_empty() && self.automation.is_empty()
    }
}

/// Offenders' records: accounts, and everything else (domains, apps, devices, IP ranges).
#[derive(Default)]
pub struct Cache {
    accounts: HashMap<String, Record>,
    others: HashMap<Subject, Record>,
}

impl Cache {
    pub fn account(&self, id: &str) -> Option<&Record> {
        self.accounts.get(id)
    }

    fn put(&mut self, target: Subject, record: Record) {
        match (target.kind, record.is_empty()) {
            (SubjectKind::Account, true) => {
                self.accounts.remove(&target.id);
            }
            (SubjectKind::Account, false) => {
                self.accounts.insert(target.id, record);
            }
            (_, true) => {
                self.others.remove(&target);
            }
            (_, false) => {
                self.others.insert(target, record);
            }
        }
    }

    /// The sanctions snapshot the policy reads, and the bans that make evasion, at `now`.
    fn snapshot(&self, now: i64) -> Snapshot {
        let mut snapshot = Snapshot {
            built_at: now,
            valid_until: i64::MAX,
            ..Snapshot::default()
        };
        for (target, record) in &self.others {
            // The snapshot changes when a sanction starts or ends.
            for sanction in &record.sanctions {
                for change in [Some(sanction.starts), sanction.ends].into_iter().flatten() {
                    if change > now {
                        snapshot.valid_until = snapshot.valid_until.min(change);
                    }
                }
            }
            for sanction in record.sanctions.iter().filter(|s| s.in_force(now)) {
                match target.kind {
                    SubjectKind::Domain => {
                        snapshot.sanctions.domains.insert(target.id.clone());
                    }
                    SubjectKind::App => {
                        snapshot.sanctions.apps.insert(target.id.clone());
                    }
                    SubjectKind::Device if sanction.bans() => {
                        snapshot
                            .device_bans
                            .insert(target.id.clone(), sanction.clone());
                    }
                    SubjectKind::Ip if sanction.bans() => {
                        snapshot.ip_bans.push(sanction.clone());
                    }
                    _ => {}
                }
            }
        }
        snapshot
    }
}

/// What every check reads about sanctions: rebuilt after each write and whenever a sanction
/// in it starts or ends, not per check.
#[derive(Default)]
pub struct Snapshot {
    built_at: i64,
    /// The first time after `built_at` at which a sanction starts or ends.
    valid_until: i64,
    pub sanctions: Sanctions,
    pub device_bans: HashMap<String, Sanction>,
    pub ip_bans: Vec<Sanction>,
}

impl Snapshot {
    /// A ban on this device or covering this address.
    pub fn ban_covering(&self, device: Option<&str>, ip: Option<IpAddr>) -> Option<&Sanction> {
        if let Some(ban) = device.and_then(|d| self.device_bans.get(d)) {
            return Some(ban);
        }
        let ip = ip?;
        self.ip_bans
            .iter()
            .find(|s| ip_target_covers(&s.target.id, ip))
    }
}

type PendingOffence = (
    Offence,
    tokio::sync::oneshot::Sender<Result<Sanction, String>>,
);

/// Behaviour signals per account, newest per name, bounded.
pub type Signals = LruCache<String, BTreeMap<String, (f64, i64)>>;

/// Where the server reads the time: the system's clock, or one a test moves by hand.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        jiff::Timestamp::now().as_second()
    }
}

/// A clock that stands still until moved: tests move time without faking the system's.
#[derive(Debug)]
pub struct ManualClock(std::sync::atomic::AtomicI64);

impl ManualClock {
    pub fn new(at: i64) -> Arc<Self> {
        Arc::new(ManualClock(std::sync::atomic::AtomicI64::new(at)))
    }

    pub fn advance(&self, seconds: i64) {
        self.0
            .fetch_add(seconds, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

pub struct App {
    pub config: ServerConfig,
    clock: Arc<dyn Clock>,
    /// Analyzer, policy and ladders, swapped whole on reload: a check sees one engine from
    /// start to end.
    engine: ArcSwap<Engine>,
    store: Mutex<Box<dyn Store + Send>>,
    /// Offences waiting for the next group commit, each with where its sanction goes.
    pending: Mutex<Vec<PendingOffence>>,
    cache: RwLock<Cache>,
    snapshot: ArcSwap<Snapshot>,
    pub detectors: Mutex<Detectors>,
    pub signals: Mutex<Signals>,
    /// Tokens seen lately, by hash, with when they were read from the store: a revoked token
    /// stops working within `token_cache_seconds`.
    tokens: RwLock<HashMap<String, (Role, String, i64)>>,
    pub metrics: Metrics,
    /// Console sign-ins.
    pub sessions: crate::console::session::Sessions,
}

impl App {
    /// Open the embedded store in the configured folder and build the engine, on the system's
    /// clock.
    pub fn open(config: ServerConfig) -> anyhow::Result<Arc<App>> {
        App::open_with_clock(config, Arc::new(SystemClock))
    }

    /// [`App::open`] on a given clock.
    pub fn open_with_clock(
        config: ServerConfig,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Arc<App>> {
        let store = SqliteStore::open(&config.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot open the store in {}: {e}",
                config.data_dir.display()
            )
        })?;
        let engine = build_engine(&config)?;
        App::with_store(config, Box::new(store), engine, clock)
    }

    pub fn with_store(
        config: ServerConfig,
        store: Box<dyn Store + Send>,
        engine: Engine,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Arc<App>> {
        let mut cache = Cache::default();
        for target in store.offenders()? {
            let record = Record::load(store.as_ref(), &target)?;
            cache.put(target, record);
        }
        let detectors = Detectors::new(&config.behaviour);
        Ok(Arc::new(App {
            engine: ArcSwap::from_pointee(engine),
            store: Mutex::new(store),
            pending: Mutex::new(Vec::new()),
            snapshot: ArcSwap::from_pointee(cache.snapshot(clock.now())),
            cache: RwLock::new(cache),
            detectors: Mutex::new(detectors),
            signals: Mutex::new(LruCache::new(
                NonZeroUsize::new(100_000).unwrap_or(NonZeroUsize::MIN),
            )),
            tokens: RwLock::new(HashMap::new()),
            metrics: Metrics::default(),
            sessions: Default::default(),
            config,
            clock,
        }))
    }

    /// The time now by the server's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The engine in force: analyzer, policy and ladders.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.load_full()
    }

    /// Build the engine again from the configured files and swap it in; checks under way
    /// finish with the engine they started with. A broken file leaves the engine in force and
    /// says what is wrong.
    pub fn reload_engine(&self) -> Result<Arc<Engine>, crate::engine::EngineError> {
        let engine =
            Arc::new(
                build_engine(&self.config).map_err(|e| crate::engine::EngineError {
                    problems: vec![e.to_string()],
                })?,
            );
        self.engine.store(Arc::clone(&engine));
        Ok(engine)
    }

    /// The sanctions snapshot in force at `now`.
    pub fn snapshot(&self, now: i64) -> Arc<Snapshot> {
        let current = self.snapshot.load_full();
        if current.built_at <= now && now < current.valid_until {
            return current;
        }
        let fresh = Arc::new(self.cache().snapshot(now));
        self.snapshot.store(Arc::clone(&fresh));
        fresh
    }

    /// Read the cache.
    pub fn cache(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.cache
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Run `f` on the store, then refresh the cache for the targets its change sets touched
    /// (the store says which: no caller has to remember), all under the store's lock, on a
    /// blocking thread (writes wait for the disk).
    pub async fn write<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Store, &Ladders) -> Result<T, StoreError> + Send + 'static,
    {
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || app.write_now(f))
            .await
            .map_err(ApiError::internal)?
    }

    /// [`App::write`] on the calling thread.
    pub fn write_now<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut dyn Store, &Ladders) -> Result<T, StoreError>,
    {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let written = f(store.as_mut(), &self.engine().ladders);
        // Refreshed whether or not `f` succeeded: a failed write may follow committed ones.
        let touched = store.take_touched();
        self.refresh(store.as_ref(), touched)?;
        Ok(written?)
    }

    /// Reload the cache's records of `touched` from the store (called under the store's lock).
    fn refresh(&self, store: &dyn Store, touched: Vec<Subject>) -> Result<(), StoreError> {
        if touched.is_empty() {
            return Ok(());
        }
        let mut refreshed = Vec::with_capacity(touched.len());
        for target in touched {
            if refreshed.iter().any(|(t, _)| t == &target) {
                continue;
            }
            let record = Record::load(store, &target)?;
            refreshed.push((target, record));
        }
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        for (target, record) in refreshed {
            cache.put(target, record);
        }
        self.snapshot.store(Arc::new(cache.snapshot(self.now())));
        Ok(())
    }

    /// Record offences through the ladder with group commit: every offence waiting when the
    /// store comes free is written in one transaction, so concurrent requests share one disk
    /// sync. Returns the sanctions in the order given, once they are durable.
    pub async fn record_offences(
        self: &Arc<Self>,
        offences: Vec<Offence>,
    ) -> Result<Vec<Sanction>, ApiError> {
        if offences.is_empty() {
            return Ok(Vec::new());
        }
        let mut receivers = Vec::with_capacity(offences.len());
        {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            for offence in offences {
                let (sender, receiver) = tokio::sync::oneshot::channel();
                pending.push((offence, sender));
                receivers.push(receiver);
            }
        }
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || app.commit_pending())
            .await
            .map_err(ApiError::internal)?;
        let mut sanctions = Vec::with_capacity(receivers.len());
        for receiver in receivers {
            let sanction = receiver
                .await
                .map_err(|_| ApiError::internal("the offence was dropped unwritten"))?
                .map_err(ApiError::internal)?;
            sanctions.push(sanction);
        }
        Ok(sanctions)
    }

    /// Write every pending offence in one transaction. A caller whose offences an earlier
    /// commit already took finds nothing to do and waits for its answer.
    fn commit_pending(&self) {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let batch = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if batch.is_empty() {
            return;
        }
        let (offences, senders): (Vec<Offence>, Vec<_>) = batch.into_iter().unzip();
        let written = store
            .record_offences(offences, &self.engine().ladders)
            .and_then(|sanctions| {
                let touched = store.take_touched();
                self.refresh(store.as_ref(), touched)?;
                Ok(sanctions)
            });
        match written {
            Ok(sanctions) => {
                for (sanction, sender) in sanctions.into_iter().zip(senders) {
                    let _ = sender.send(Ok(sanction));
                }
            }
            Err(error) => {
                let message = error.to_string();
                for sender in senders {
                    let _ = sender.send(Err(message.clone()));
                }
            }
        }
    }

    /// Read the store on a blocking thread.
    pub async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    {
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let store = app.store.lock().unwrap_or_else(|p| p.into_inner());
            f(store.as_ref()).map_err(ApiError::from)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// The role and name behind a bearer secret.
    pub async fn authenticate(
        self: &Arc<Self>,
        secret: String,
    ) -> Result<Option<(Role, String)>, ApiError> {
        self.authenticate_hash(secret_hash(&secret)).await
    }

    /// The role and name of a live token, by the hash of its secret: from memory when read
    /// within `token_cache_seconds`, else from the store.
    pub async fn authenticate_hash(
        self: &Arc<Self>,
        hash: String,
    ) -> Result<Option<(Role, String)>, ApiError> {
        let now = self.now();
        let fresh = self.config.token_cache_seconds;
        if let Some((role, name, _)) = self
            .tokens
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&hash)
            .filter(|(_, _, read)| now - read < fresh)
        {
            return Ok(Some((*role, name.clone())));
        }
        let key = hash.clone();
        let found = self
            .read(move |store| store.authenticate_hash(&key))
            .await?;
        let mut tokens = self.tokens.write().unwrap_or_else(|p| p.into_inner());
        match &found {
            Some((role, name)) => {
                tokens.insert(hash, (*role, name.clone(), now));
            }
            None => {
                tokens.remove(&hash);
            }
        }
        Ok(found)
    }

    /// Record behaviour signals for the accounts they name.
    pub fn remember_signals(&self, signals: &[menshen_state::behaviour::Signal], at: i64) {
        let mut memory = self.signals.lock().unwrap_or_else(|p| p.into_inner());
        for signal in signals {
            let entry = memory.get_or_insert_mut(signal.subject.id.clone(), BTreeMap::new);
            entry.insert(signal.name.clone(), (signal.score, at));
        }
    }

    /// An account's live signals at `now`.
    pub fn signals_of(&self, account: &str, now: i64) -> BTreeMap<String, f64> {
        let mut memory = self.signals.lock().unwrap_or_else(|p| p.into_inner());
        memory
            .get(account)
            .map(|signals| {
                signals
                    .iter()
                    .filter(|(_, (_, at))| now - at < SIGNAL_TTL)
                    .map(|(name, (score, _))| (name.clone(), *score))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The engine the configuration names; a profile fixed by name must be among its profiles.
fn build_engine(config: &ServerConfig) -> anyhow::Result<Engine> {
    let engine = Engine::build(
        &config.sources(),
        Some(&config.home),
        menshen_detect::AnalyzerConfig::default(),
    )?;
    if let Some(name) = &config.profile {
        engine
            .policy
            .select(Some(name), None)
            .map_err(anyhow::Error::msg)?;
    }
    Ok(engine)
}

#[cfg(test)]
mod tests {
    use menshen_state::{ladder::SanctionKind, sanction::LadderName};

    use super::*;

    fn sanction(kind: SubjectKind, id: &str, starts: i64, ends: Option<i64>) -> Sanction {
        Sanction {
            id: 1,
            target: Subject {
                kind,
                id: id.into(),
            },
            kind: SanctionKind::LoginBan,
            function: None,
            ladder: LadderName::Content,
            strikes: 1,
            starts,
            ends,
            lifted: false,
            manual: true,
            reason: "test".into(),
            rule: None,
            audit_seq: 1,
            evasion: false,
            overridden: true,
        }
    }

    #[test]
    fn a_snapshot_is_valid_until_a_sanction_in_it_changes() {
        let mut cache = Cache::default();
        for (kind, id, starts, ends) in [
            (SubjectKind::Domain, "scam.top", 100, Some(200)),
            (SubjectKind::Device, "d9", 150, None),
            (SubjectKind::Ip, "203.0.113.0/24", 0, Some(500)),
        ] {
            let target = Subject {
                kind,
                id: id.into(),
            };
            cache.put(
                target,
                Record {
                    sanctions: vec![sanction(kind, id, starts, ends)],
                    ..Record::default()
                },
            );
        }
        let early = cache.snapshot(120);
        assert!(early.sanctions.domains.contains("scam.top"));
        assert!(early.device_bans.is_empty(), "the device ban starts at 150");
        assert_eq!(early.valid_until, 150);
        assert!(
            early
                .ban_covering(None, "203.0.113.5".parse().ok())
                .is_some()
        );
        let later = cache.snapshot(200);
        assert!(later.sanctions.domains.is_empty(), "ended at 200");
        assert!(later.ban_covering(Some("d9"), None).is_some());
        assert_eq!(later.valid_until, 500);
    }
}

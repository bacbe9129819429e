//! The server's shared state, in four parts: the **engine** (analyzer, policy, ladders;
//! swapped whole on reload), the **ledger** (the store, its cache and group commit), **auth**
//! (tokens trusted from memory for a while, console sessions) and **behaviour** (detectors
//! and live signals); with the injected clock and the metrics.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, RwLock},
};

use arc_swap::ArcSwap;
use menshen_state::behaviour::{shared::SharedWindows, window::WindowFactory};
use menshen_state::{
    ladder::Ladders,
    sanction::{Offence, Sanction},
    store::{Store, StoreError},
    token::{Role, secret_hash},
};

pub use crate::{
    behaviour::{Behaviour, SIGNAL_TTL, Signals},
    clock::{Clock, ManualClock, SystemClock},
    ledger::{Cache, Ledger, Record, Snapshot},
};
use crate::{config::ServerConfig, engine::Engine, error::ApiError, metrics::Metrics};

pub struct App {
    pub config: ServerConfig,
    clock: Arc<dyn Clock>,
    /// Analyzer, policy and ladders, swapped whole on reload: a check sees one engine from
    /// start to end.
    engine: ArcSwap<Engine>,
    pub ledger: Arc<Ledger>,
    pub behaviour: Behaviour,
    /// Tokens seen lately, by hash, with when they were read from the store: a revoked token
    /// stops working within `token_cache_seconds`.
    tokens: RwLock<HashMap<String, (Role, String, i64)>>,
    /// Console sign-ins.
    pub sessions: crate::console::session::Sessions,
    pub metrics: Metrics,
    /// Slots for heavy analysis (long texts, images, batches) on the blocking pool: one per
    /// core, so that the async workers stay free for cheap checks and `/healthz`.
    pub analysis_slots: Arc<tokio::sync::Semaphore>,
    /// Failed tokens and sign-ins per client address.
    pub auth_failures: crate::limit::FailureLimit,
}

/// Keep the ledger's cache in step with the writes of other instances on one database: each
/// commit announces the targets it touched (PostgreSQL `NOTIFY`), and their records are read
/// again. The listener stops once the ledger is gone.
fn listen_for_other_instances(
    url: &str,
    ledger: &Arc<Ledger>,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<()> {
    use menshen_state::store::postgres::{Announcement, listen};
    let weak = Arc::downgrade(ledger);
    let alive = weak.clone();
    let clock = Arc::clone(clock);
    listen(
        url,
        move || alive.strong_count() > 0,
        move |announcement| {
            let Some(ledger) = weak.upgrade() else { return };
            let now = clock.now();
            let reloaded = match announcement {
                Announcement::Touched(targets) => ledger.reload(targets, now),
                Announcement::Missed => ledger.reload_all(now),
            };
            if let Err(error) = reloaded {
                eprintln!("menshen: could not reload what another instance changed: {error}");
            }
        },
    )?;
    Ok(())
}

impl App {
    /// Open the configured store (PostgreSQL with a `database_url`, else the embedded store in
    /// the configured folder) and build the engine, on the system's clock.
    pub fn open(config: ServerConfig) -> anyhow::Result<Arc<App>> {
        App::open_with_clock(config, Arc::new(SystemClock))
    }

    /// [`App::open`] on a given clock.
    pub fn open_with_clock(
        config: ServerConfig,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Arc<App>> {
        let store = menshen_state::store::open(&config.data_dir, config.database_url.as_deref())
            .map_err(|e| match &config.database_url {
                Some(_) => anyhow::anyhow!("cannot open the store: {e}"),
                None => anyhow::anyhow!(
                    "cannot open the store in {}: {e}",
                    config.data_dir.display()
                ),
            })?;
        let engine = build_engine(&config)?;
        App::with_store(config, store, engine, clock)
    }

    pub fn with_store(
        config: ServerConfig,
        store: Box<dyn Store + Send>,
        engine: Engine,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Arc<App>> {
        let ledger = Arc::new(Ledger::new(store, clock.now())?);
        if let Some(url) = &config.database_url {
            listen_for_other_instances(url, &ledger, &clock)?;
        }
        let windows = match &config.redis_url {
            Some(url) => WindowFactory::shared(
                Arc::new(SharedWindows::open(url).map_err(|e| anyhow::anyhow!(e))?),
                &config.redis_namespace,
            ),
            None => WindowFactory::local(),
        };
        Ok(Arc::new(App {
            engine: ArcSwap::from_pointee(engine),
            ledger,
            behaviour: Behaviour::new(&config.behaviour, &windows),
            tokens: RwLock::new(HashMap::new()),
            metrics: Metrics::default(),
            sessions: Default::default(),
            analysis_slots: Arc::new(tokio::sync::Semaphore::new(analysis_threads(&config))),
            auth_failures: crate::limit::FailureLimit::new(config.auth_failures_per_minute),
            config,
            clock,
        }))
    }

    /// Run heavy analysis on the blocking pool, in one of `slots` of the analysis slots (at
    /// most one per core): a request waits for a free slot rather than starve the async
    /// workers.
    pub async fn analyze_heavy<T: Send + 'static>(
        &self,
        slots: u32,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let slots = slots.clamp(1, self.analysis_slots_total());
        let _permit = Arc::clone(&self.analysis_slots)
            .acquire_many_owned(slots)
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(ApiError::internal)
    }

    /// How many analyses may run at once.
    pub fn analysis_slots_total(&self) -> u32 {
        analysis_threads(&self.config) as u32
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

    /// The sanctions snapshot in force now.
    pub fn snapshot(&self, now: i64) -> Arc<Snapshot> {
        self.ledger.snapshot(now)
    }

    /// Read the ledger's cache.
    pub fn cache(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.ledger.cache()
    }

    /// Write through the ledger with the engine's ladders (see [`Ledger::write`]).
    pub async fn write<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Store, &Ladders) -> Result<T, StoreError> + Send + 'static,
    {
        let ladders = self.engine().ladders.clone();
        self.ledger.write(ladders, self.now(), f).await
    }

    /// On a store with no tokens at all (a first start), create an admin token named `admin`
    /// and return its secret, so that a newcomer can sign in to the console at once. Never
    /// again once any token exists, revoked ones included.
    pub async fn bootstrap_admin(self: &Arc<Self>) -> Result<Option<String>, ApiError> {
        let now = self.now();
        self.write(move |store, _| {
            if !store.tokens()?.is_empty() {
                return Ok(None);
            }
            store
                .create_token("admin", menshen_state::token::Role::Admin, now)
                .map(Some)
        })
        .await
    }

    /// Record offences through the ledger's group commit (see [`Ledger::record_offences`]).
    pub async fn record_offences(
        self: &Arc<Self>,
        offences: Vec<Offence>,
    ) -> Result<Vec<Sanction>, ApiError> {
        let ladders = self.engine().ladders.clone();
        self.ledger
            .record_offences(ladders, self.now(), offences)
            .await
    }

    /// Read the store on a blocking thread.
    pub async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    {
        self.ledger.read(f).await
    }

    /// An account's live behaviour signals now.
    pub fn signals_of(&self, account: &str, now: i64) -> BTreeMap<String, f64> {
        self.behaviour.signals_of(account, now)
    }

    /// Record behaviour signals for the accounts they name.
    pub fn remember_signals(&self, signals: &[menshen_state::behaviour::Signal], at: i64) {
        self.behaviour.remember_signals(signals, at)
    }

    /// The role and name behind a bearer secret.
    pub async fn authenticate(
        self: &Arc<Self>,
        secret: String,
    ) -> Result<Option<(Role, String)>, ApiError> {
        self.authenticate_hash(secret_hash(&secret)).await
    }

    /// [`App::authenticate_hash`] for a caller at `address`: a token read lately passes at
    /// once; an address that has guessed wrong too often lately is refused (429) before its
    /// guess reaches the store, and each unknown token counts against it.
    pub async fn authenticate_from(
        self: &Arc<Self>,
        hash: String,
        address: std::net::IpAddr,
    ) -> Result<Option<(Role, String)>, ApiError> {
        if let Some(found) = self.cached_token(&hash) {
            return Ok(Some(found));
        }
        let now = self.now();
        self.auth_failures
            .check(address, now)
            .map_err(ApiError::too_many)?;
        let found = self.authenticate_hash(hash).await?;
        if found.is_none() {
            self.auth_failures.fail(address, now);
        }
        Ok(found)
    }

    /// A token read from the store within `token_cache_seconds`.
    fn cached_token(&self, hash: &str) -> Option<(Role, String)> {
        let now = self.now();
        let fresh = self.config.token_cache_seconds;
        self.tokens
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
            .filter(|(_, _, read)| now - read < fresh)
            .map(|(role, name, _)| (*role, name.clone()))
    }

    /// The role and name of a live token, by the hash of its secret: from memory when read
    /// within `token_cache_seconds`, else from the store.
    pub async fn authenticate_hash(
        self: &Arc<Self>,
        hash: String,
    ) -> Result<Option<(Role, String)>, ApiError> {
        let now = self.now();
        if let Some(found) = self.cached_token(&hash) {
            return Ok(Some(found));
        }
        let key = hash.clone();
        let found = self
            .ledger
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

/// The analysis threads: `batch_threads`, or one per core.
pub fn analysis_threads(config: &ServerConfig) -> usize {
    match config.batch_threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, 1024)
}

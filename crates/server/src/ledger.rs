//! The ledger: the store behind a mutex, and in-memory copies of what every check reads, so
//! that checks never wait on disk.
//!
//! The store is the source of truth. The cache holds each offender's sanctions and strikes
//! (accounts apart from the few domains, apps, devices and IP ranges) and is refreshed, from
//! what the store says its change sets touched, inside the same critical section that writes
//! them, so a check never sees a sanction the store does not have. Offences are written with
//! group commit: every offence waiting when the store comes free shares one transaction.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex, RwLock},
};

use arc_swap::ArcSwap;
use menshen_policy::Sanctions;
use menshen_state::{
    audit::{Subject, SubjectKind},
    ladder::{Ladders, Strike},
    sanction::{LadderName, Offence, Sanction, ip_target_covers},
    standing::Standing,
    store::{Store, StoreError},
};

use crate::error::ApiError;

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
    /// Every offender's record, as the store has it.
    fn load(store: &dyn Store) -> Result<Cache, StoreError> {
        let mut cache = Cache::default();
        for target in store.offenders()? {
            let record = Record::load(store, &target)?;
            cache.put(target, record);
        }
        Ok(cache)
    }

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

/// The store, its cache and the offences waiting for the next commit.
pub struct Ledger {
    store: Mutex<Box<dyn Store + Send>>,
    /// Offences waiting for the next group commit, each with where its sanction goes.
    pending: Mutex<Vec<PendingOffence>>,
    cache: RwLock<Cache>,
    snapshot: ArcSwap<Snapshot>,
}

impl Ledger {
    /// The ledger over `store`, its cache loaded with every offender's record.
    pub fn new(store: Box<dyn Store + Send>, now: i64) -> Result<Ledger, StoreError> {
        let cache = Cache::load(store.as_ref())?;
        Ok(Ledger {
            store: Mutex::new(store),
            pending: Mutex::new(Vec::new()),
            snapshot: ArcSwap::from_pointee(cache.snapshot(now)),
            cache: RwLock::new(cache),
        })
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
    pub async fn write<T, F>(
        self: &Arc<Self>,
        ladders: Ladders,
        now: i64,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Store, &Ladders) -> Result<T, StoreError> + Send + 'static,
    {
        let ledger = Arc::clone(self);
        tokio::task::spawn_blocking(move || ledger.write_now(&ladders, now, f))
            .await
            .map_err(ApiError::internal)?
    }

    /// [`Ledger::write`] on the calling thread.
    pub fn write_now<T, F>(&self, ladders: &Ladders, now: i64, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut dyn Store, &Ladders) -> Result<T, StoreError>,
    {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let written = f(store.as_mut(), ladders);
        // Refreshed whether or not `f` succeeded: a failed write may follow committed ones.
        let touched = store.take_touched();
        self.refresh(store.as_ref(), touched, now)?;
        Ok(written?)
    }

    /// Reload the records of targets another instance changed (its commit announced them).
    pub fn reload(&self, targets: Vec<Subject>, now: i64) -> Result<(), StoreError> {
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        self.refresh(store.as_ref(), targets, now)
    }

    /// Reload every offender's record, dropping the rest: announcements may have been missed.
    pub fn reload_all(&self, now: i64) -> Result<(), StoreError> {
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let cache = Cache::load(store.as_ref())?;
        let mut current = self.cache.write().unwrap_or_else(|p| p.into_inner());
        *current = cache;
        self.snapshot.store(Arc::new(current.snapshot(now)));
        Ok(())
    }

    /// Reload the cache's records of `touched` from the store (called under the store's lock).
    fn refresh(
        &self,
        store: &dyn Store,
        touched: Vec<Subject>,
        now: i64,
    ) -> Result<(), StoreError> {
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
        self.snapshot.store(Arc::new(cache.snapshot(now)));
        Ok(())
    }

    /// Record offences through the ladder with group commit: every offence waiting when the
    /// store comes free is written in one transaction, so concurrent requests share one disk
    /// sync. Returns the sanctions in the order given, once they are durable.
    pub async fn record_offences(
        self: &Arc<Self>,
        ladders: Ladders,
        now: i64,
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
        let ledger = Arc::clone(self);
        tokio::task::spawn_blocking(move || ledger.commit_pending(&ladders, now))
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
    fn commit_pending(&self, ladders: &Ladders, now: i64) {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let batch = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if batch.is_empty() {
            return;
        }
        let (offences, senders): (Vec<Offence>, Vec<_>) = batch.into_iter().unzip();
        let written = store
            .record_offences(offences, ladders)
            .and_then(|sanctions| {
                let touched = store.take_touched();
                self.refresh(store.as_ref(), touched, now)?;
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
        let ledger = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let store = ledger.store.lock().unwrap_or_else(|p| p.into_inner());
            f(store.as_ref()).map_err(ApiError::from)
        })
        .await
        .map_err(ApiError::internal)?
    }
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

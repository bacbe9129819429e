//! Behaviour state: the detectors over their windows, and each account's live signals.

use std::{collections::BTreeMap, num::NonZeroUsize, sync::Mutex};

use lru::LruCache;
use menshen_state::behaviour::{BehaviourConfig, Detectors, window::WindowFactory};

/// How long a behaviour signal stays in an account's standing, in seconds.
pub const SIGNAL_TTL: i64 = 86_400;

/// Behaviour signals per account, newest per name, bounded.
pub type Signals = LruCache<String, BTreeMap<String, (f64, i64)>>;

/// The detectors and the signals they raised.
pub struct Behaviour {
    pub detectors: Mutex<Detectors>,
    pub signals: Mutex<Signals>,
}

impl Behaviour {
    /// The detectors over `windows` (in the process, or shared through Redis).
    pub fn new(config: &BehaviourConfig, windows: &WindowFactory) -> Self {
        Behaviour {
            detectors: Mutex::new(Detectors::with_windows(config, windows)),
            signals: Mutex::new(LruCache::new(
                NonZeroUsize::new(100_000).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// Record behaviour signals for the accounts they name.
    pub fn remember_signals(&self, signals: &[menshen_state::behaviour::Signal], at: i64) {
        let mut memory = self.signals.lock().unwrap_or_else(|p| p.into_inner());
        for signal in signals {
            let entry = memory.get_or_insert_mut(signal.subject.id.clone(), BTreeMap::new);
            entry.insert(signal.name.as_str().to_owned(), (signal.score, at));
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

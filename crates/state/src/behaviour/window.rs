//! The sliding window every detector uses: recent observations per key, with bounded memory.
//!
//! At most `capacity` keys are tracked (the least recently seen is forgotten) and at most
//! `per_key` observations per key (the oldest is dropped), so memory is bounded whatever the
//! traffic. Keys are kept whole, not hashed: a hash collision would blame one account for
//! another's behaviour.

use std::{borrow::Cow, cell::Cell, collections::VecDeque, num::NonZeroUsize, sync::Arc};

use lru::LruCache;

use super::shared::SharedWindows;

/// A 64-bit hash of a name (a group, a device, a sender), for windows that count distinct
/// names without keeping them: FNV-1a, the same in every process and every build, since
/// instances sharing windows in Redis compare each other's hashes.
pub fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Makes the windows and cooldowns of a set of detectors: kept in the process only, or also
/// in Redis under `namespace`, shared with every instance. Each window gets the next number
/// in the order the detectors make them, the same in every instance with the same
/// configuration, and its keys in Redis are `namespace:w<number>:<key>`.
pub struct WindowFactory {
    shared: Option<(Arc<SharedWindows>, String)>,
    next: Cell<u32>,
}

impl WindowFactory {
    /// Windows in this process alone.
    pub fn local() -> Self {
        WindowFactory {
            shared: None,
            next: Cell::new(0),
        }
    }

    /// Windows shared through `redis`, their keys under `namespace`.
    pub fn shared(redis: Arc<SharedWindows>, namespace: &str) -> Self {
        WindowFactory {
            shared: Some((redis, namespace.to_owned())),
            next: Cell::new(0),
        }
    }

    fn prefix(&self, kind: char) -> Option<(Arc<SharedWindows>, String)> {
        let number = self.next.get();
        self.next.set(number + 1);
        self.shared
            .as_ref()
            .map(|(redis, namespace)| (Arc::clone(redis), format!("{namespace}:{kind}{number}:")))
    }

    pub fn windows(&self, capacity: usize, span_secs: u64, per_key: usize) -> Windows {
        let mut windows = Windows::new(capacity, span_secs, per_key);
        windows.shared = self.prefix('w');
        windows
    }

    pub fn cooldown(&self, capacity: usize, span_secs: u64) -> Cooldown {
        let mut cooldown = Cooldown::new(capacity, span_secs);
        cooldown.shared = self.prefix('c');
        cooldown
    }
}

/// Recent observations of one key: when, and a value the detector chooses.
pub type Recent = VecDeque<(i64, u64)>;

pub struct Windows {
    span: i64,
    per_key: usize,
    keys: LruCache<String, Recent>,
    /// Redis and this window's key prefix, when windows are shared.
    shared: Option<(Arc<SharedWindows>, String)>,
}

impl Windows {
    pub fn new(capacity: usize, span_secs: u64, per_key: usize) -> Self {
        Windows {
            span: span_secs.min(i64::MAX as u64) as i64,
            per_key: per_key.max(1),
            keys: LruCache::new(NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN)),
            shared: None,
        }
    }

    /// Record `value` for `key` at `at` and return the key's observations within the span,
    /// oldest first (the new one last): every instance's when windows are shared and Redis
    /// answers, else this process's.
    pub fn push(&mut self, key: &str, at: i64, value: u64) -> Cow<'_, Recent> {
        let shared = self.shared.as_ref().and_then(|(redis, prefix)| {
            redis.push(
                &format!("{prefix}{key}"),
                at,
                value,
                self.span,
                self.per_key,
            )
        });
        // Kept in the process too, so that detection goes on from here if Redis goes.
        let local = self.push_local(key, at, value);
        match shared {
            Some(recent) => Cow::Owned(recent),
            None => Cow::Borrowed(local),
        }
    }

    fn push_local(&mut self, key: &str, at: i64, value: u64) -> &Recent {
        if !self.keys.contains(key) {
            self.keys.put(key.to_owned(), VecDeque::new());
        }
        let span = self.span;
        let per_key = self.per_key;
        let recent = self.keys.get_mut(key).expect("the key was just inserted");
        while recent
            .front()
            .is_some_and(|(seen, _)| at.saturating_sub(*seen) >= span)
        {
            recent.pop_front();
        }
        if recent.len() == per_key {
            recent.pop_front();
        }
        recent.push_back((at, value));
        recent
    }

    /// Keys tracked now (at most the capacity).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Remembers which (key, signal) pairs fired recently, so that one burst gives one signal
/// rather than one per event. Bounded like [`Windows`].
pub struct Cooldown {
    span: i64,
    fired: LruCache<String, i64>,
    shared: Option<(Arc<SharedWindows>, String)>,
}

impl Cooldown {
    pub fn new(capacity: usize, span_secs: u64) -> Self {
        Cooldown {
            span: span_secs.min(i64::MAX as u64) as i64,
            fired: LruCache::new(NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN)),
            shared: None,
        }
    }

    /// Whether `key` may fire at `at`; if so, it is remembered as having fired. Shared, one
    /// instance fires for a burst (in Redis the span runs from when it fired, by Redis's
    /// clock).
    pub fn ready(&mut self, key: &str, at: i64) -> bool {
        if let Some((redis, prefix)) = &self.shared
            && let Some(ready) = redis.ready(&format!("{prefix}{key}"), at, self.span)
        {
            if ready {
                self.fired.put(key.to_owned(), at);
            }
            return ready;
        }
        match self.fired.get(key) {
            Some(last) if at.saturating_sub(*last) < self.span => false,
            _ => {
                self.fired.put(key.to_owned(), at);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_observations_leave_the_window() {
        let mut windows = Windows::new(10, 60, 100);
        windows.push("u1", 0, 1);
        windows.push("u1", 30, 2);
        let recent = windows.push("u1", 61, 3);
        assert_eq!(recent.iter().map(|(_, v)| *v).collect::<Vec<_>>(), [2, 3]);
    }

    #[test]
    fn memory_is_bounded_in_keys_and_per_key() {
        let mut windows = Windows::new(100, 3600, 8);
        for i in 0..10_000 {
            let recent = windows.push(&format!("u{}", i % 1000), i, 0);
            assert!(recent.len() <= 8);
        }
        assert_eq!(windows.len(), 100);
    }

    #[test]
    fn a_cooldown_fires_once_per_span() {
        let mut cooldown = Cooldown::new(10, 60);
        assert!(cooldown.ready("u1", 0));
        assert!(!cooldown.ready("u1", 59));
        assert!(cooldown.ready("u2", 59));
        assert!(cooldown.ready("u1", 60));
    }
}

#[cfg(test)]
mod shared_tests {
    use super::*;

    /// Redis gone (nothing listens on port 1): the windows go on from the process's own.
    #[test]
    fn without_redis_a_window_counts_what_this_process_saw() {
        let redis = Arc::new(SharedWindows::open("redis://127.0.0.1:1/").expect("a valid URL"));
        let factory = WindowFactory::shared(Arc::clone(&redis), "test");
        let mut windows = factory.windows(10, 60, 100);
        let mut cooldown = factory.cooldown(10, 60);
        for at in 0..5 {
            windows.push("u1", at, 0);
        }
        assert_eq!(windows.push("u1", 5, 0).len(), 6);
        assert!(cooldown.ready("u1", 5));
        assert!(!cooldown.ready("u1", 6));
        assert!(redis.failures() > 0, "the fallback is counted");
    }

    #[test]
    fn a_bad_redis_url_is_refused_with_the_form_to_write() {
        let error = SharedWindows::open("http://localhost")
            .err()
            .expect("refused");
        assert!(error.contains("redis://"), "{error}");
    }

    #[test]
    fn name_hashes_are_the_same_in_every_build() {
        // FNV-1a (published test values): instances compare each other's hashes in Redis.
        assert_eq!(key_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(key_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }
}

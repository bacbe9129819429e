//! The sliding window every detector uses: recent observations per key, with bounded memory.
//!
//! At most `capacity` keys are tracked (the least recently seen is forgotten) and at most
//! `per_key` observations per key (the oldest is dropped), so memory is bounded whatever the
//! traffic. Keys are kept whole, not hashed: a hash collision would blame one account for
//! another's behaviour.

use std::{collections::VecDeque, num::NonZeroUsize};

use lru::LruCache;

/// A 64-bit hash of a name (a group, a device, a sender), for windows that count distinct
/// names without keeping them. Stable within a process, which is as long as windows live.
pub fn key_hash(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// Recent observations of one key: when, and a value the detector chooses.
pub type Recent = VecDeque<(i64, u64)>;

pub struct Windows {
    span: i64,
    per_key: usize,
    keys: LruCache<String, Recent>,
}

impl Windows {
    pub fn new(capacity: usize, span_secs: u64, per_key: usize) -> Self {
        Windows {
            span: span_secs.min(i64::MAX as u64) as i64,
            per_key: per_key.max(1),
            keys: LruCache::new(NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN)),
        }
    }

    /// Record `value` for `key` at `at` and return the key's observations within the span,
    /// oldest first (the new one last).
    pub fn push(&mut self, key: &str, at: i64, value: u64) -> &Recent {
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
}

impl Cooldown {
    pub fn new(capacity: usize, span_secs: u64) -> Self {
        Cooldown {
            span: span_secs.min(i64::MAX as u64) as i64,
            fired: LruCache::new(NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN)),
        }
    }

    /// Whether `key` may fire at `at`; if so, it is remembered as having fired.
    pub fn ready(&mut self, key: &str, at: i64) -> bool {
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

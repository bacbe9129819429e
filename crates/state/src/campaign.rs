//! Campaigns: many distinct senders posting the same or nearly the same text.
//!
//! **What it catches:** one ad pushed from dozens of accounts, each copy with other digits or
//! a swapped emoji: the fingerprints (SimHash of the normalized text, digits folded) are equal
//! or a few bits apart.
//!
//! **How:** each fingerprint is split into four 16-bit bands; two fingerprints within Hamming
//! distance 3 share at least one band exactly, so an index of band values finds every near
//! duplicate without comparing against all of them. An observation joins the nearest tracked
//! fingerprint within [`CampaignConfig::max_distance`] (or starts its own), and counts its
//! sender. The signal is the number of distinct senders seen within the window.
//!
//! **Bounded memory:** at most [`CampaignConfig::capacity`] fingerprints are tracked (the
//! least recently seen is dropped), each with at most [`CampaignConfig::max_senders`] sender
//! hashes (the count saturates there, well past any threshold).

use std::{collections::HashMap, num::NonZeroUsize};

use lru::LruCache;

use crate::behaviour::window::key_hash;
use serde::{Deserialize, Serialize};

/// Campaign detection settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CampaignConfig {
    /// How long a sender counts towards a fingerprint, in seconds. Default 3600.
    pub window_secs: u64,
    /// Distinct senders within the window that make a campaign. Default 20.
    pub senders: usize,
    /// Largest Hamming distance between near duplicates, at most 3. Default 3.
    pub max_distance: u32,
    /// Fingerprints tracked at once. Default 100,000.
    pub capacity: usize,
    /// Senders remembered per fingerprint. Default 256.
    pub max_senders: usize,
}

impl Default for CampaignConfig {
    fn default() -> Self {
        CampaignConfig {
            window_secs: 3600,
            senders: 20,
            max_distance: 3,
            capacity: 100_000,
            max_senders: 256,
        }
    }
}

/// What one observation says about its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CampaignSignal {
    /// Distinct senders of this text or a near duplicate within the window (capped).
    pub senders: usize,
    /// At least [`CampaignConfig::senders`] of them.
    pub campaign: bool,
}

struct Tracked {
    /// Sender hash and when it was last seen.
    senders: Vec<(u64, u64)>,
}

/// The windowed tracker.
pub struct Campaigns {
    config: CampaignConfig,
    tracked: LruCache<u64, Tracked>,
    bands: [HashMap<u16, Vec<u64>>; 4],
}

fn band(fingerprint: u64, index: usize) -> u16 {
    (fingerprint >> (16 * index)) as u16
}

impl Campaigns {
    pub fn new(config: CampaignConfig) -> Self {
        let capacity = NonZeroUsize::new(config.capacity.max(1)).unwrap_or(NonZeroUsize::MIN);
        let config = CampaignConfig {
            max_distance: config.max_distance.min(3),
            ..config
        };
        Campaigns {
            config,
            tracked: LruCache::new(capacity),
            bands: Default::default(),
        }
    }

    /// Fingerprints tracked now.
    pub fn len(&self) -> usize {
        self.tracked.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracked.is_empty()
    }

    /// Record that `sender` posted a text with `fingerprint` at `now` (seconds).
    pub fn observe(&mut self, fingerprint: u64, sender: &str, now: u64) -> CampaignSignal {
        let key = self.nearest(fingerprint).unwrap_or(fingerprint);
        if !self.tracked.contains(&key) {
            // Pushing into a full cache returns the least recently seen entry.
            let evicted = self.tracked.push(
                key,
                Tracked {
                    senders: Vec::new(),
                },
            );
            if let Some((evicted, _)) = evicted.filter(|(evicted, _)| *evicted != key) {
                self.unindex(evicted);
            }
            for (i, index) in self.bands.iter_mut().enumerate() {
                index.entry(band(key, i)).or_default().push(key);
            }
        }
        let (window, max_senders) = (self.config.window_secs, self.config.max_senders);
        let tracked = self.tracked.get_mut(&key).expect("just inserted or found");
        tracked
            .senders
            .retain(|&(_, seen)| now.saturating_sub(seen) <= window);
        let hash = key_hash(sender);
        match tracked.senders.iter().position(|(h, _)| *h == hash) {
            Some(i) => tracked.senders[i].1 = now,
            None if tracked.senders.len() < max_senders => tracked.senders.push((hash, now)),
            None => {}
        }
        let senders = tracked.senders.len();
        CampaignSignal {
            senders,
            campaign: senders >= self.config.senders,
        }
    }

    /// The tracked fingerprint nearest to `fingerprint` within the distance, if any.
    fn nearest(&self, fingerprint: u64) -> Option<u64> {
        let mut best: Option<(u32, u64)> = None;
        for (i, index) in self.bands.iter().enumerate() {
            for &candidate in index.get(&band(fingerprint, i)).into_iter().flatten() {
                let distance = (candidate ^ fingerprint).count_ones();
                if distance <= self.config.max_distance && best.is_none_or(|(d, _)| distance < d) {
                    best = Some((distance, candidate));
                }
            }
        }
        best.map(|(_, candidate)| candidate)
    }

    fn unindex(&mut self, fingerprint: u64) {
        for (i, index) in self.bands.iter_mut().enumerate() {
            let value = band(fingerprint, i);
            if let Some(list) = index.get_mut(&value) {
                list.retain(|&f| f != fingerprint);
                if list.is_empty() {
                    index.remove(&value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(senders: usize) -> CampaignConfig {
        CampaignConfig {
            senders,
            window_secs: 60,
            capacity: 100,
            ..CampaignConfig::default()
        }
    }

    #[test]
    fn distinct_senders_of_near_duplicates_make_a_campaign() {
        let mut campaigns = Campaigns::new(config(3));
        let base = 0xDEAD_BEEF_0123_4567u64;
        assert_eq!(campaigns.observe(base, "a", 0).senders, 1);
        assert_eq!(
            campaigns.observe(base, "a", 1).senders,
            1,
            "the same sender counts once"
        );
        assert_eq!(
            campaigns.observe(base ^ 0b101, "b", 2).senders,
            2,
            "two bits away joins"
        );
        let signal = campaigns.observe(base ^ (1 << 40), "c", 3);
        assert!(signal.campaign && signal.senders == 3, "{signal:?}");
        assert_eq!(
            campaigns.observe(!base, "d", 4).senders,
            1,
            "a stranger starts its own"
        );
        assert_eq!(campaigns.len(), 2);
    }

    #[test]
    fn senders_leave_the_window() {
        let mut campaigns = Campaigns::new(config(2));
        campaigns.observe(7, "a", 0);
        assert!(campaigns.observe(7, "b", 30).campaign);
        assert_eq!(
            campaigns.observe(7, "c", 100).senders,
            1,
            "a and b are older than 60 s"
        );
    }

    #[test]
    fn memory_is_bounded_by_capacity_and_sender_cap() {
        let mut campaigns = Campaigns::new(CampaignConfig {
            capacity: 50,
            max_senders: 10,
            ..CampaignConfig::default()
        });
        for i in 0..10_000u64 {
            // Spread fingerprints so that none is near another.
            campaigns.observe(i.wrapping_mul(0x9E37_79B9_7F4A_7C15), "s", i);
        }
        assert_eq!(campaigns.len(), 50);
        let indexed: usize = campaigns
            .bands
            .iter()
            .map(|b| b.values().map(Vec::len).sum::<usize>())
            .sum();
        assert_eq!(
            indexed, 200,
            "the band index holds exactly the tracked fingerprints"
        );
        for sender in 0..100 {
            campaigns.observe(42, &format!("u{sender}"), 20_000);
        }
        assert_eq!(
            campaigns.observe(42, "last", 20_000).senders,
            10,
            "the count saturates"
        );
    }
}

//! Group fan-out and forwarding bursts.
//!
//! **What it catches:** "one-click group push" plug-ins that post the same advert, give or
//! take a digit or an emoji, into dozens of groups within minutes; and forwarding bursts that
//! relay messages faster than anyone reads them.
//!
//! **Why:** a person shares a message with a few groups; a pusher reaches every group it is
//! in. Near-same text is compared by SimHash fingerprint (at most 3 bits apart), so the
//! variations pushers add to dodge exact-match filters do not split the count.
//!
//! **Example:** the same text from `u1` to 10 distinct groups within 10 minutes gives
//! `group_fanout`; 30 forwards within a minute give `forward_burst`.

use super::BehaviourSignal;
use serde::{Deserialize, Serialize};

use super::{
    BehaviourEvent, Detector, Signal, WindowConfig, account_signal,
    window::{Cooldown, WindowFactory, Windows, key_hash},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupFanoutConfig {
    /// The window, in seconds. Default 600.
    pub window_secs: u64,
    /// Distinct groups receiving near-same text within the window. Default 10.
    pub groups: usize,
    /// Largest Hamming distance between near-same fingerprints. Default 3.
    pub max_distance: u32,
    pub window: WindowConfig,
}

impl Default for GroupFanoutConfig {
    fn default() -> Self {
        GroupFanoutConfig {
            window_secs: 600,
            groups: 10,
            max_distance: 3,
            window: WindowConfig::default(),
        }
    }
}

pub struct GroupFanout {
    config: GroupFanoutConfig,
    /// Per sender: (time, fingerprint) and, in a parallel window, the group's hash.
    texts: Windows,
    groups: Windows,
    cooldown: Cooldown,
}

impl GroupFanout {
    pub fn new(config: &GroupFanoutConfig, windows: &WindowFactory) -> Self {
        let w = config.window;
        GroupFanout {
            config: config.clone(),
            texts: windows.windows(w.capacity, config.window_secs, w.per_key),
            groups: windows.windows(w.capacity, config.window_secs, w.per_key),
            cooldown: windows.cooldown(w.capacity, config.window_secs),
        }
    }
}

impl Detector for GroupFanout {
    fn observe(&mut self, event: &BehaviourEvent, at: i64, signals: &mut Vec<Signal>) {
        let BehaviourEvent::GroupMessage {
            sender,
            group,
            fingerprint: Some(fingerprint),
            ..
        } = event
        else {
            return;
        };
        let texts = self.texts.push(sender, at, *fingerprint);
        let groups = self.groups.push(sender, at, key_hash(group));
        // The two windows see the same pushes, so they hold the same times in step.
        let mut reached: Vec<u64> = texts
            .iter()
            .zip(groups.iter())
            .filter(|((_, seen), _)| (seen ^ fingerprint).count_ones() <= self.config.max_distance)
            .map(|(_, (_, group))| *group)
            .collect();
        reached.sort_unstable();
        reached.dedup();
        if reached.len() >= self.config.groups && self.cooldown.ready(sender, at) {
            signals.push(account_signal(
                sender,
                BehaviourSignal::GroupFanout,
                format!(
                    "near-same text sent to {} groups within {} s",
                    reached.len(),
                    self.config.window_secs
                ),
                true,
            ));
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForwardingConfig {
    /// The window, in seconds. Default 60.
    pub window_secs: u64,
    /// Forwards within the window that make a burst. Default 30.
    pub forwards: usize,
    pub window: WindowConfig,
}

impl Default for ForwardingConfig {
    fn default() -> Self {
        ForwardingConfig {
            window_secs: 60,
            forwards: 30,
            window: WindowConfig::default(),
        }
    }
}

pub struct Forwarding {
    config: ForwardingConfig,
    forwards: Windows,
    cooldown: Cooldown,
}

impl Forwarding {
    pub fn new(config: &ForwardingConfig, windows: &WindowFactory) -> Self {
        let w = config.window;
        Forwarding {
            config: config.clone(),
            forwards: windows.windows(
                w.capacity,
                config.window_secs,
                w.per_key.max(config.forwards),
            ),
            cooldown: windows.cooldown(w.capacity, config.window_secs),
        }
    }
}

impl Detector for Forwarding {
    fn observe(&mut self, event: &BehaviourEvent, at: i64, signals: &mut Vec<Signal>) {
        let BehaviourEvent::Forward { sender } = event else {
            return;
        };
        let count = self.forwards.push(sender, at, 0).len();
        if count >= self.config.forwards && self.cooldown.ready(sender, at) {
            signals.push(account_signal(
                sender,
                BehaviourSignal::ForwardBurst,
                format!("{count} forwards within {} s", self.config.window_secs),
                true,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(sender: &str, group: usize, fingerprint: u64) -> BehaviourEvent {
        BehaviourEvent::GroupMessage {
            sender: sender.into(),
            group: format!("g{group}"),
            fingerprint: Some(fingerprint),
            text: None,
        }
    }

    #[test]
    fn near_same_text_into_many_groups_is_a_push() {
        let mut detector = GroupFanout::new(&GroupFanoutConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        let ad = 0xDEAD_BEEF_0000_FFFF_u64;
        for group in 0..10 {
            // A digit or emoji changed per copy: a bit or two of the fingerprint.
            detector.observe(
                &push("u1", group, ad ^ (1 << (group % 3))),
                group as i64 * 30,
                &mut signals,
            );
        }
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].name.as_str(), "group_fanout");
    }

    #[test]
    fn one_group_many_times_or_different_texts_is_not() {
        let mut detector = GroupFanout::new(&GroupFanoutConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for i in 0..20 {
            detector.observe(&push("u1", 0, 42), i, &mut signals);
            // Different text to each group: a chatty person, not a push.
            detector.observe(
                &push(
                    "u2",
                    i as usize,
                    (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                ),
                i,
                &mut signals,
            );
        }
        assert!(signals.is_empty(), "{signals:?}");
    }

    #[test]
    fn forwarding_bursts_fire_once_per_window() {
        let mut detector = Forwarding::new(&ForwardingConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for i in 0..100 {
            detector.observe(
                &BehaviourEvent::Forward {
                    sender: "u1".into(),
                },
                i / 2,
                &mut signals,
            );
        }
        assert_eq!(signals.len(), 1);
        let mut calm = Vec::new();
        for i in 0..100 {
            detector.observe(
                &BehaviourEvent::Forward {
                    sender: "u2".into(),
                },
                i * 10,
                &mut calm,
            );
        }
        assert!(calm.is_empty());
    }
}

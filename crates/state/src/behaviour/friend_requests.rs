//! Friend-request bursts.
//!
//! **What it catches:** plug-in clients that add hundreds of strangers an hour ("bulk add
//! friends" by phone-number lists or nearby people), and accounts being flooded with requests.
//!
//! **Why:** a person sends a handful of requests an hour; a script sends them at a rate no
//! thumb keeps up with. Sending too many is an automation offence; receiving too many only
//! informs (the receiver is a target or a lure, not necessarily an offender).
//!
//! **Example:** 31 `friend_request` events from `u1` within an hour give `bulk_friend_requests`.

use super::BehaviourSignal;
use serde::{Deserialize, Serialize};

use super::{
    BehaviourEvent, Detector, Signal, WindowConfig, account_signal,
    window::{Cooldown, WindowFactory, Windows},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FriendRequestConfig {
    /// The window, in seconds. Default 3600.
    pub window_secs: u64,
    /// Requests sent within the window that make a burst. Default 30.
    pub sent: usize,
    /// Requests received within the window that make a flood. Default 100.
    pub received: usize,
    pub window: WindowConfig,
}

impl Default for FriendRequestConfig {
    fn default() -> Self {
        FriendRequestConfig {
            window_secs: 3600,
            sent: 30,
            received: 100,
            window: WindowConfig::default(),
        }
    }
}

pub struct FriendRequests {
    config: FriendRequestConfig,
    sent: Windows,
    received: Windows,
    cooldown: Cooldown,
}

impl FriendRequests {
    pub fn new(config: &FriendRequestConfig, windows: &WindowFactory) -> Self {
        let w = config.window;
        FriendRequests {
            config: config.clone(),
            sent: windows.windows(w.capacity, config.window_secs, w.per_key.max(config.sent)),
            received: windows.windows(
                w.capacity,
                config.window_secs,
                w.per_key.max(config.received),
            ),
            cooldown: windows.cooldown(w.capacity, config.window_secs),
        }
    }
}

impl Detector for FriendRequests {
    fn observe(&mut self, event: &BehaviourEvent, at: i64, signals: &mut Vec<Signal>) {
        let BehaviourEvent::FriendRequest { from, to } = event else {
            return;
        };
        let sent = self.sent.push(from, at, 0).len();
        if sent >= self.config.sent && self.cooldown.ready(&format!("sent:{from}"), at) {
            signals.push(account_signal(
                from,
                BehaviourSignal::BulkFriendRequests,
                format!(
                    "{sent} friend requests sent within {} s",
                    self.config.window_secs
                ),
                true,
            ));
        }
        let received = self.received.push(to, at, 0).len();
        if received >= self.config.received && self.cooldown.ready(&format!("received:{to}"), at) {
            signals.push(account_signal(
                to,
                BehaviourSignal::FriendRequestFlood,
                format!(
                    "{received} friend requests received within {} s",
                    self.config.window_secs
                ),
                false,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(from: &str, to: &str) -> BehaviourEvent {
        BehaviourEvent::FriendRequest {
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn a_burst_of_requests_fires_once() {
        let mut detector =
            FriendRequests::new(&FriendRequestConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for i in 0..29 {
            detector.observe(&request("u1", &format!("p{i}")), i * 60, &mut signals);
        }
        assert!(signals.is_empty(), "29 an hour is a busy person");
        for i in 29..60 {
            detector.observe(&request("u1", &format!("p{i}")), 29 * 60 + i, &mut signals);
        }
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].name.as_str(), "bulk_friend_requests");
        assert!(signals[0].automation);
    }

    #[test]
    fn the_same_count_spread_over_a_day_is_a_person() {
        let mut detector =
            FriendRequests::new(&FriendRequestConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for i in 0..100 {
            detector.observe(&request("u1", &format!("p{i}")), i * 900, &mut signals);
        }
        assert!(signals.is_empty());
    }

    #[test]
    fn a_flood_received_informs_without_blame() {
        let mut detector =
            FriendRequests::new(&FriendRequestConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for i in 0..100 {
            detector.observe(&request(&format!("s{i}"), "star"), i, &mut signals);
        }
        assert_eq!(signals.len(), 1);
        assert_eq!(
            (signals[0].name.as_str(), signals[0].automation),
            ("friend_request_flood", false)
        );
    }
}

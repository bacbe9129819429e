//! Red-packet grabbing faster than human reaction.
//!
//! **What it catches:** "auto grab red packet" plug-ins that open lucky-money packets the
//! moment they arrive in a group.
//!
//! **Why:** to open a packet a person must see the notification, switch to the chat and tap:
//! well over a quarter of a second. One fast grab can be luck (the chat was open, the thumb
//! was there); several within the window are a machine.
//!
//! **Example:** three grabs at 80 ms within a day give `red_packet_bot`.

use super::BehaviourSignal;
use serde::{Deserialize, Serialize};

use super::{
    BehaviourEvent, Detector, Signal, WindowConfig, account_signal,
    window::{Cooldown, WindowFactory, Windows},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedPacketConfig {
    /// The window, in seconds. Default 86,400.
    pub window_secs: u64,
    /// Grabs faster than this are not human, in milliseconds. Default 300.
    pub human_ms: u64,
    /// Inhumanly fast grabs within the window that make a bot. Default 3.
    pub fast_grabs: usize,
    pub window: WindowConfig,
}

impl Default for RedPacketConfig {
    fn default() -> Self {
        RedPacketConfig {
            window_secs: 86_400,
            human_ms: 300,
            fast_grabs: 3,
            window: WindowConfig::default(),
        }
    }
}

pub struct RedPacket {
    config: RedPacketConfig,
    fast: Windows,
    cooldown: Cooldown,
}

impl RedPacket {
    pub fn new(config: &RedPacketConfig, windows: &WindowFactory) -> Self {
        let w = config.window;
        RedPacket {
            config: config.clone(),
            fast: windows.windows(
                w.capacity,
                config.window_secs,
                w.per_key.max(config.fast_grabs),
            ),
            cooldown: windows.cooldown(w.capacity, config.window_secs),
        }
    }
}

impl Detector for RedPacket {
    fn observe(&mut self, event: &BehaviourEvent, at: i64, signals: &mut Vec<Signal>) {
        let BehaviourEvent::RedPacketGrab {
            account,
            latency_ms,
        } = event
        else {
            return;
        };
        if *latency_ms >= self.config.human_ms {
            return;
        }
        let count = self.fast.push(account, at, *latency_ms).len();
        if count >= self.config.fast_grabs && self.cooldown.ready(account, at) {
            signals.push(account_signal(
                account,
                BehaviourSignal::RedPacketBot,
                format!(
                    "{count} red packets opened faster than {} ms within {} s",
                    self.config.human_ms, self.config.window_secs
                ),
                true,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grab(latency_ms: u64) -> BehaviourEvent {
        BehaviourEvent::RedPacketGrab {
            account: "u1".into(),
            latency_ms,
        }
    }

    #[test]
    fn repeated_inhuman_grabs_are_a_bot() {
        let mut detector = RedPacket::new(&RedPacketConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        detector.observe(&grab(80), 0, &mut signals);
        detector.observe(&grab(90), 600, &mut signals);
        assert!(signals.is_empty(), "two could be luck");
        detector.observe(&grab(70), 1200, &mut signals);
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].name.as_str(), "red_packet_bot");
    }

    #[test]
    fn quick_people_are_not_bots() {
        let mut detector = RedPacket::new(&RedPacketConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for i in 0..50 {
            detector.observe(&grab(350 + i), i as i64 * 60, &mut signals);
        }
        assert!(signals.is_empty());
    }
}

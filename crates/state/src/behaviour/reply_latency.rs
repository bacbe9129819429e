//! Bot replies: too fast and too regular.
//!
//! **What it catches:** auto-reply plug-ins and chat bots run from personal accounts, which
//! answer within a fraction of a second, every time, with the same delay.
//!
//! **Why:** people are sometimes fast, but never fast *and* regular: their reply delays vary
//! widely. Both conditions must hold over enough replies (the median below `fast_ms` and the
//! coefficient of variation below `max_variation`), so a quick typist is not a bot.
//!
//! **Example:** 10 replies each 400 ± 10 ms after the message give `bot_replies`.

use super::BehaviourSignal;
use serde::{Deserialize, Serialize};

use super::{
    BehaviourEvent, Detector, Signal, WindowConfig, account_signal,
    window::{Cooldown, WindowFactory, Windows},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplyLatencyConfig {
    /// The window, in seconds. Default 3600.
    pub window_secs: u64,
    /// Replies needed before judging. Default 10.
    pub min_replies: usize,
    /// A median reply delay below this is too fast, in milliseconds. Default 1500.
    pub fast_ms: u64,
    /// Standard deviation over mean below this is too regular. Default 0.15.
    pub max_variation: f64,
    pub window: WindowConfig,
}

impl Default for ReplyLatencyConfig {
    fn default() -> Self {
        ReplyLatencyConfig {
            window_secs: 3600,
            min_replies: 10,
            fast_ms: 1500,
            max_variation: 0.15,
            window: WindowConfig {
                per_key: 32,
                ..WindowConfig::default()
            },
        }
    }
}

pub struct ReplyLatency {
    config: ReplyLatencyConfig,
    replies: Windows,
    cooldown: Cooldown,
}

impl ReplyLatency {
    pub fn new(config: &ReplyLatencyConfig, windows: &WindowFactory) -> Self {
        let w = config.window;
        ReplyLatency {
            config: config.clone(),
            replies: windows.windows(
                w.capacity,
                config.window_secs,
                w.per_key.max(config.min_replies),
            ),
            cooldown: windows.cooldown(w.capacity, config.window_secs),
        }
    }
}

/// Median and coefficient of variation of the latencies.
pub(crate) fn median_and_variation(latencies: &mut [f64]) -> (f64, f64) {
    latencies.sort_by(f64::total_cmp);
    let n = latencies.len() as f64;
    let median = latencies[latencies.len() / 2];
    let mean = latencies.iter().sum::<f64>() / n;
    let variance = latencies.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / n;
    let variation = if mean > 0.0 {
        variance.sqrt() / mean
    } else {
        0.0
    };
    (median, variation)
}

impl Detector for ReplyLatency {
    fn observe(&mut self, event: &BehaviourEvent, at: i64, signals: &mut Vec<Signal>) {
        let BehaviourEvent::Reply {
            account,
            latency_ms,
        } = event
        else {
            return;
        };
        let recent = self.replies.push(account, at, *latency_ms);
        if recent.len() < self.config.min_replies {
            return;
        }
        let mut latencies: Vec<f64> = recent.iter().map(|(_, l)| *l as f64).collect();
        let (median, variation) = median_and_variation(&mut latencies);
        if median < self.config.fast_ms as f64
            && variation < self.config.max_variation
            && self.cooldown.ready(account, at)
        {
            signals.push(account_signal(
                account,
                BehaviourSignal::BotReplies,
                format!(
                    "{} replies: median {median:.0} ms, variation {variation:.2}",
                    latencies.len()
                ),
                true,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(latency_ms: u64) -> BehaviourEvent {
        BehaviourEvent::Reply {
            account: "u1".into(),
            latency_ms,
        }
    }

    #[test]
    fn fast_and_regular_is_a_bot() {
        let mut detector =
            ReplyLatency::new(&ReplyLatencyConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for i in 0..10 {
            detector.observe(&reply(400 + (i % 3) * 10), i as i64 * 30, &mut signals);
        }
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].name.as_str(), "bot_replies");
    }

    #[test]
    fn fast_but_irregular_is_a_person() {
        let mut detector =
            ReplyLatency::new(&ReplyLatencyConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for (i, latency) in [
            300, 1200, 800, 2500, 450, 900, 1400, 350, 3000, 700, 600, 1100,
        ]
        .iter()
        .enumerate()
        {
            detector.observe(&reply(*latency), i as i64 * 30, &mut signals);
        }
        assert!(signals.is_empty());
    }

    #[test]
    fn regular_but_slow_is_a_person() {
        let mut detector =
            ReplyLatency::new(&ReplyLatencyConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for i in 0..20 {
            detector.observe(&reply(5000 + i % 2 * 100), i as i64 * 30, &mut signals);
        }
        assert!(signals.is_empty());
    }
}

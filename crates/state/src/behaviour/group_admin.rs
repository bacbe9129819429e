//! Batch group invites and kicks.
//!
//! **What it catches:** plug-ins that pull hundreds of contacts into a new group to advertise
//! to them ("pull into group"), and that clear a group of its members in one go to take it
//! over or resell it.
//!
//! **Why:** group owners invite and remove people a few at a time; scripts do it by the
//! hundred. Events carry a count, so one batch invite of 200 counts as 200.
//!
//! **Example:** 50 invitations by `u1` within 10 minutes give `bulk_group_invites`.

use super::BehaviourSignal;
use serde::{Deserialize, Serialize};

use super::{
    BehaviourEvent, Detector, Signal, WindowConfig, account_signal,
    window::{Cooldown, WindowFactory, Windows},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupAdminConfig {
    /// The window, in seconds. Default 600.
    pub window_secs: u64,
    /// People invited within the window. Default 50.
    pub invites: u64,
    /// People removed within the window. Default 30.
    pub kicks: u64,
    pub window: WindowConfig,
}

impl Default for GroupAdminConfig {
    fn default() -> Self {
        GroupAdminConfig {
            window_secs: 600,
            invites: 50,
            kicks: 30,
            window: WindowConfig::default(),
        }
    }
}

pub struct GroupAdmin {
    config: GroupAdminConfig,
    invites: Windows,
    kicks: Windows,
    cooldown: Cooldown,
}

impl GroupAdmin {
    pub fn new(config: &GroupAdminConfig, windows: &WindowFactory) -> Self {
        let w = config.window;
        GroupAdmin {
            config: config.clone(),
            invites: windows.windows(w.capacity, config.window_secs, w.per_key),
            kicks: windows.windows(w.capacity, config.window_secs, w.per_key),
            cooldown: windows.cooldown(w.capacity, config.window_secs),
        }
    }
}

impl Detector for GroupAdmin {
    fn observe(&mut self, event: &BehaviourEvent, at: i64, signals: &mut Vec<Signal>) {
        let (actor, count, windows, limit, name, verb) = match event {
            BehaviourEvent::GroupInvite { actor, count, .. } => (
                actor,
                count,
                &mut self.invites,
                self.config.invites,
                BehaviourSignal::BulkGroupInvites,
                "invited",
            ),
            BehaviourEvent::GroupKick { actor, count, .. } => (
                actor,
                count,
                &mut self.kicks,
                self.config.kicks,
                BehaviourSignal::BulkGroupKicks,
                "removed",
            ),
            _ => return,
        };
        let total: u64 = windows
            .push(actor, at, u64::from(*count))
            .iter()
            .map(|(_, n)| n)
            .sum();
        if total >= limit && self.cooldown.ready(&format!("{name}:{actor}"), at) {
            signals.push(account_signal(
                actor,
                name,
                format!("{total} people {verb} within {} s", self.config.window_secs),
                true,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_batch_invite_counts_every_invitee() {
        let mut detector = GroupAdmin::new(&GroupAdminConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        let invite = |count| BehaviourEvent::GroupInvite {
            actor: "u1".into(),
            group: "g1".into(),
            count,
        };
        detector.observe(&invite(10), 0, &mut signals);
        assert!(signals.is_empty());
        detector.observe(&invite(200), 5, &mut signals);
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].name.as_str(), "bulk_group_invites");
    }

    #[test]
    fn kicks_a_few_at_a_time_are_ordinary() {
        let mut detector = GroupAdmin::new(&GroupAdminConfig::default(), &WindowFactory::local());
        let mut signals = Vec::new();
        for i in 0..40 {
            let kick = BehaviourEvent::GroupKick {
                actor: "owner".into(),
                group: "g1".into(),
                count: 1,
            };
            detector.observe(&kick, i * 3600, &mut signals);
        }
        assert!(signals.is_empty());
    }
}

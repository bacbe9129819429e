//! Behaviour detectors: automation abuse seen in what accounts do rather than what they say.
//!
//! Each detector is a small file with its own config (documented defaults), a doc comment
//! saying what it catches and why, and tests. All of them read [`BehaviourEvent`]s with a
//! time given by the caller and keep bounded sliding windows ([`window`]); each burst gives one
//! [`Signal`] (a cooldown per subject and signal), not one per event.
//!
//! Signals feed the sender's standing (the policy reads them as `signals`) and, where
//! [`Signal::automation`] is set, the automation ladder.

pub mod friend_requests;
pub mod group_admin;
pub mod group_fanout;
pub mod login;
pub mod red_packet;
pub mod reply_latency;
pub mod shared;
pub mod window;

pub use menshen_policy::BehaviourSignal;
use serde::{Deserialize, Serialize};

use crate::audit::Subject;

/// Something an account or device did. JSON objects tagged by `kind`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BehaviourEvent {
    /// `from` asked `to` to be friends.
    FriendRequest { from: String, to: String },
    /// `sender` posted to `group`; `fingerprint` is the text's SimHash (the server computes
    /// it from `text` when the event carries text).
    GroupMessage {
        sender: String,
        group: String,
        #[serde(default)]
        fingerprint: Option<u64>,
        #[serde(default)]
        text: Option<String>,
    },
    /// `sender` forwarded a message (to a chat or group).
    Forward { sender: String },
    /// `account` replied `latency_ms` after the message it answers arrived.
    Reply { account: String, latency_ms: u64 },
    /// `account` opened a red packet `latency_ms` after it was sent.
    RedPacketGrab { account: String, latency_ms: u64 },
    /// `account` logged in.
    Login {
        account: String,
        device: String,
        #[serde(default)]
        ip: Option<String>,
        /// Where, if the platform knows (latitude and longitude in degrees).
        #[serde(default)]
        location: Option<Location>,
        /// The client's own name for itself (`official` for the platform's app).
        #[serde(default)]
        client: Option<String>,
    },
    /// `actor` invited `count` people to `group`.
    GroupInvite {
        actor: String,
        group: String,
        #[serde(default = "one")]
        count: u32,
    },
    /// `actor` created `group`.
    GroupCreate { actor: String, group: String },
    /// `actor` removed `count` people from `group`.
    GroupKick {
        actor: String,
        group: String,
        #[serde(default = "one")]
        count: u32,
    },
    /// Links on domain `from` redirect to `to` (as the platform's crawler or a report found):
    /// when `to` is banned, `from` is the banned site come back under a new name.
    Redirect { from: String, to: String },
}

fn one() -> u32 {
    1
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

impl BehaviourEvent {
    /// Every id the event names, with its field: each is checked like any other id
    /// ([`crate::sanction::check_id`]), since windows and caches are keyed by them.
    pub fn ids(&self) -> Vec<(&'static str, &str)> {
        match self {
            BehaviourEvent::FriendRequest { from, to } => vec![("from", from), ("to", to)],
            BehaviourEvent::GroupMessage { sender, group, .. } => {
                vec![("sender", sender), ("group", group)]
            }
            BehaviourEvent::Forward { sender } => vec![("sender", sender)],
            BehaviourEvent::Reply { account, .. }
            | BehaviourEvent::RedPacketGrab { account, .. } => {
                vec![("account", account)]
            }
            BehaviourEvent::Login {
                account,
                device,
                client,
                ..
            } => {
                let mut ids = vec![("account", account.as_str()), ("device", device)];
                ids.extend(client.as_deref().map(|client| ("client", client)));
                ids
            }
            BehaviourEvent::GroupInvite { actor, group, .. }
            | BehaviourEvent::GroupCreate { actor, group }
            | BehaviourEvent::GroupKick { actor, group, .. } => {
                vec![("actor", actor), ("group", group)]
            }
            BehaviourEvent::Redirect { from, to } => vec![("from", from), ("to", to)],
        }
    }

    /// The account whose behaviour this is.
    pub fn actor(&self) -> &str {
        match self {
            BehaviourEvent::FriendRequest { from, .. } => from,
            BehaviourEvent::GroupMessage { sender, .. } | BehaviourEvent::Forward { sender } => {
                sender
            }
            BehaviourEvent::Reply { account, .. }
            | BehaviourEvent::RedPacketGrab { account, .. }
            | BehaviourEvent::Login { account, .. } => account,
            BehaviourEvent::GroupInvite { actor, .. }
            | BehaviourEvent::GroupKick { actor, .. }
            | BehaviourEvent::GroupCreate { actor, .. } => actor,
            BehaviourEvent::Redirect { from, .. } => from,
        }
    }

    /// The function a restriction takes away that governs this event: a restricted account's
    /// event of this kind is refused.
    pub fn governed_by(&self) -> Option<crate::core::Function> {
        use crate::core::Function;
        match self {
            BehaviourEvent::FriendRequest { .. } => Some(Function::AddFriends),
            BehaviourEvent::GroupMessage { .. } | BehaviourEvent::Forward { .. } => {
                Some(Function::GroupBroadcast)
            }
            BehaviourEvent::GroupCreate { .. } | BehaviourEvent::GroupInvite { .. } => {
                Some(Function::CreateGroups)
            }
            _ => None,
        }
    }
}

/// What a detector concluded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub subject: Subject,
    /// `bulk_friend_requests`, `group_fanout`, `bot_replies`, …
    pub name: BehaviourSignal,
    /// How sure, in [0, 1].
    pub score: f64,
    /// What was seen, for reviewers and the audit log.
    pub detail: String,
    /// Whether it is an automation offence that climbs the automation ladder (some signals
    /// only inform: an account receiving a flood of requests is a target, not an offender).
    pub automation: bool,
}

/// A detector: reads events, appends signals.
pub trait Detector {
    fn observe(&mut self, event: &BehaviourEvent, at: i64, signals: &mut Vec<Signal>);
}

/// Every detector's settings; `[behaviour]` in the server's config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BehaviourConfig {
    pub friend_requests: friend_requests::FriendRequestConfig,
    pub group_fanout: group_fanout::GroupFanoutConfig,
    pub forwarding: group_fanout::ForwardingConfig,
    pub reply_latency: reply_latency::ReplyLatencyConfig,
    pub red_packet: red_packet::RedPacketConfig,
    pub login: login::LoginConfig,
    pub group_admin: group_admin::GroupAdminConfig,
}

/// All detectors together.
pub struct Detectors {
    detectors: Vec<Box<dyn Detector + Send>>,
}

impl Detectors {
    /// The detectors, with windows in this process.
    pub fn new(config: &BehaviourConfig) -> Self {
        Detectors::with_windows(config, &window::WindowFactory::local())
    }

    /// The detectors, with the windows `windows` makes (shared through Redis, or not).
    pub fn with_windows(config: &BehaviourConfig, windows: &window::WindowFactory) -> Self {
        Detectors {
            detectors: vec![
                Box::new(friend_requests::FriendRequests::new(
                    &config.friend_requests,
                    windows,
                )),
                Box::new(group_fanout::GroupFanout::new(
                    &config.group_fanout,
                    windows,
                )),
                Box::new(group_fanout::Forwarding::new(&config.forwarding, windows)),
                Box::new(reply_latency::ReplyLatency::new(
                    &config.reply_latency,
                    windows,
                )),
                Box::new(red_packet::RedPacket::new(&config.red_packet, windows)),
                Box::new(login::Logins::new(&config.login, windows)),
                Box::new(group_admin::GroupAdmin::new(&config.group_admin, windows)),
            ],
        }
    }

    /// Signals from one event.
    pub fn observe(&mut self, event: &BehaviourEvent, at: i64) -> Vec<Signal> {
        let mut signals = Vec::new();
        for detector in &mut self.detectors {
            detector.observe(event, at, &mut signals);
        }
        signals
    }
}

/// A signal about an account.
pub(crate) fn account_signal(
    account: &str,
    name: BehaviourSignal,
    detail: String,
    automation: bool,
) -> Signal {
    Signal {
        subject: Subject {
            kind: crate::audit::SubjectKind::Account,
            id: account.to_owned(),
        },
        name,
        score: 1.0,
        detail,
        automation,
    }
}

/// Settings every windowed detector shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowConfig {
    /// Keys (accounts, devices) tracked at once; the least recently seen is forgotten.
    /// Default 100,000.
    pub capacity: usize,
    /// Observations remembered per key. Default 256.
    pub per_key: usize,
}

impl Default for WindowConfig {
    fn default() -> Self {
        WindowConfig {
            capacity: 100_000,
            per_key: 256,
        }
    }
}

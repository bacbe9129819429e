//! Sanctions: what the ladder gave, on which target, until when.

use serde::{Deserialize, Serialize};

use crate::{
    audit::{Actor, Subject},
    ladder::SanctionKind,
};

/// Which ladder an offence climbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LadderName {
    Content,
    Automation,
}

impl LadderName {
    pub fn as_str(self) -> &'static str {
        match self {
            LadderName::Content => "content",
            LadderName::Automation => "automation",
        }
    }
}

/// An offence to record: it adds a strike and earns the ladder's next step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offence {
    /// When, in seconds since the Unix epoch (the caller's clock).
    pub at: i64,
    pub actor: Actor,
    /// Who or what is sanctioned: an account, device, domain, IP range or app.
    pub target: Subject,
    pub ladder: LadderName,
    pub weight: u32,
    /// The function a restriction applies to (`share_codes`, `links_in_moments`, …).
    pub function: Option<String>,
    pub rule: Option<String>,
    pub policy_version: Option<String>,
    pub reason: String,
    /// The target came back after a ban (a banned device under a new account, a banned
    /// domain behind a new one): straight to the ladder's evasion step.
    pub evasion: bool,
    pub evidence: serde_json::Value,
}

/// A sanction as it stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sanction {
    pub id: u64,
    pub target: Subject,
    pub kind: SanctionKind,
    pub function: Option<String>,
    pub ladder: LadderName,
    /// Strikes in force when it was given, itself included.
    pub strikes: u32,
    pub starts: i64,
    /// When it ends; none for warnings (nothing to end) and permanent bans.
    pub ends: Option<i64>,
    pub lifted: bool,
    /// Given by a reviewer or admin rather than a rule.
    pub manual: bool,
    pub reason: String,
    pub rule: Option<String>,
    /// The audit record that gave it.
    pub audit_seq: u64,
}

impl Sanction {
    /// In force at `now`: not lifted, started, and not yet ended. A warning is never "in
    /// force": it restricts nothing.
    pub fn in_force(&self, now: i64) -> bool {
        !self.lifted
            && self.kind != SanctionKind::Warning
            && self.starts <= now
            && self.ends.is_none_or(|end| now < end)
    }
}

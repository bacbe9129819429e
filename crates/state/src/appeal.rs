//! Appeals: one per sanction, filed within a window, upheld or reversed by a person.
//!
//! Reversing an appeal takes the sanction's strike off the record, lifts the sanction, credits
//! the time already served against the target's next timed sanction, and recomputes every
//! later sanction on the same ladder as if the strike had never been given.

use serde::{Deserialize, Serialize};

use crate::audit::Actor;

/// Where an appeal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealState {
    /// Filed, waiting for a reviewer.
    Open,
    /// The sanction stands.
    Upheld,
    /// The sanction was wrong: lifted, its strike reversed, time served credited.
    Reversed,
}

impl AppealState {
    pub const ALL: [AppealState; 3] = [
        AppealState::Open,
        AppealState::Upheld,
        AppealState::Reversed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppealState::Open => "open",
            AppealState::Upheld => "upheld",
            AppealState::Reversed => "reversed",
        }
    }
}

/// An appeal as it stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Appeal {
    pub id: u64,
    pub sanction: u64,
    /// Who filed it (the sanctioned account, or a person acting for it).
    pub appellant: Actor,
    /// The appellant's own words.
    pub statement: String,
    pub filed_at: i64,
    pub state: AppealState,
    /// Who decided, and why, in words the appellant reads.
    pub decided_by: Option<Actor>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<i64>,
    /// Seconds of the sanction served before a reversal, credited to the target.
    pub credited_seconds: i64,
}

/// A decision on an appeal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppealDecision {
    pub actor: Actor,
    pub reverse: bool,
    pub reason: String,
    pub at: i64,
}

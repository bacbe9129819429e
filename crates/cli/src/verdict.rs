//! The event and verdict shapes of DESIGN.md §3.

use menshen_detect::{Attachment, Facts};
use serde::{Deserialize, Serialize};

/// Where a message is posted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Scene {
    #[default]
    Direct,
    Group,
    Moment,
    Comment,
}

/// A message event. Only `text` is required; other fields are kept for later stages.
#[derive(Clone, Debug, Deserialize)]
pub struct Event {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub scene: Option<Scene>,
    pub text: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// The action for a message, mildest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Allow,
    Warn,
    PlainText,
    Hide,
    Hold,
    Block,
}

#[derive(Clone, Debug, Serialize)]
pub struct Reason {
    pub rule: String,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicyRef {
    pub profile: String,
    pub version: String,
}

/// A verdict. Until policies exist (the policy issue), every action is `allow` with no
/// reasons, under the `analysis-only` profile; the facts are complete.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The scene the verdict is for (an extension of the contract, for reading logs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scene: Option<Scene>,
    pub action: Action,
    pub reasons: Vec<Reason>,
    pub facts: Facts,
    pub policy: PolicyRef,
}

impl Verdict {
    pub fn analysis_only(id: Option<String>, scene: Option<Scene>, facts: Facts) -> Self {
        Verdict {
            id,
            scene,
            action: Action::Allow,
            reasons: Vec::new(),
            facts,
            policy: PolicyRef {
                profile: "analysis-only".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
        }
    }
}

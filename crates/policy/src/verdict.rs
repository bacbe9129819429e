//! The verdict of DESIGN.md §3 and the actions it can carry.

use menshen_detect::{Facts, signals::Signal};
use menshen_text::Span;
use serde::{Deserialize, Serialize};

/// Where a message is posted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scene {
    #[default]
    Direct,
    Group,
    Moment,
    Comment,
}

impl Scene {
    pub const ALL: [Scene; 4] = [Scene::Direct, Scene::Group, Scene::Moment, Scene::Comment];

    pub fn as_str(self) -> &'static str {
        match self {
            Scene::Direct => "direct",
            Scene::Group => "group",
            Scene::Moment => "moment",
            Scene::Comment => "comment",
        }
    }
}

/// What happens to a message, mildest first; the order is the order of strictness, and the
/// strictest action of all matching rules wins.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Deliver as is.
    #[default]
    Allow,
    /// Deliver with a safety notice to the recipient.
    Warn,
    /// Deliver with links not clickable ("copy to open in a browser").
    PlainText,
    /// Visible to the sender only.
    Hide,
    /// Queued for review before delivery.
    Hold,
    /// Rejected, with the reason shown to the sender.
    Block,
}

impl Action {
    /// Every action, mildest first.
    pub const ALL: [Action; 6] = [
        Action::Allow,
        Action::Warn,
        Action::PlainText,
        Action::Hide,
        Action::Hold,
        Action::Block,
    ];

    /// The action's place in [`Action::ALL`], for tables indexed by action.
    pub fn index(self) -> usize {
        Action::ALL.iter().position(|&a| a == self).unwrap_or(0)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Warn => "warn",
            Action::PlainText => "plain_text",
            Action::Hide => "hide",
            Action::Hold => "hold",
            Action::Block => "block",
        }
    }
}

/// Why a rule matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub rule: String,
    pub message: String,
    pub action: Action,
    /// Spans of the facts the rule reads (its `requires`), as evidence for reviewers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Span>,
    /// Strike weight for the enforcement ladder.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub strikes: u32,
    /// The function a ladder restriction for these strikes takes away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricts: Option<crate::Function>,
    /// For a `warn`: the safety notice the recipients see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// The signals behind the scores the rule read, with weights and spans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<Signal>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An action for one link, from a rule with `target = "link"`: the message is delivered by its
/// own action, and this link is rendered by this one (`plain_text`: shown, not clickable;
/// `hide`: removed from the message).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkAction {
    /// Index of the link in `facts.links`.
    pub link: usize,
    pub span: Span,
    pub action: Action,
    pub rule: String,
}

/// Which policy decided.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyRef {
    pub profile: String,
    /// A hash of the profile's compiled rules: changes whenever a rule does.
    pub version: String,
}

/// A decision about one message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The scene decided for (an extension of the contract, for reading logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<Scene>,
    pub action: Action,
    /// For a `warn`: the safety notice the recipients see with the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Matching rules, strictest first.
    pub reasons: Vec<Reason>,
    pub facts: Facts,
    pub policy: PolicyRef,
    /// Per-link actions, strictest per link; the message's `action` does not include them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub link_actions: Vec<LinkAction>,
    /// Rules in shadow mode that matched: what they would have done. Never changes `action`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shadow: Vec<Reason>,
    /// Rules whose condition failed to evaluate (counted in metrics as `rule_errors`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule_errors: Vec<crate::RuleError>,
}

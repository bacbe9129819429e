//! Recipient link preferences ("independent selection mode") and per-recipient rendering.
//!
//! A verdict says what the platform allows; each recipient may choose, per link domain or
//! category, how external links reach them: `open`, `ask` (a confirmation before opening),
//! `plain_text` or `hide`. A choice can always make delivery stricter. It can make delivery
//! looser than the verdict only for a category the profile lists under `user_choice`, and
//! never for a message that is not delivered at all (hidden, held or blocked).
//!
//! ```
//! use menshen_policy::deliver::{LinkChoice, Preferences};
//! let mut prefs = Preferences::default();
//! prefs.categories.insert("ecommerce".into(), LinkChoice::PlainText);
//! prefs.domains.insert("jd.com".into(), LinkChoice::Hide);
//! assert_eq!(prefs.choice_for("item.jd.com", Some("jd.com"), "ecommerce"), Some(LinkChoice::Hide));
//! ```

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use menshen_detect::Category;

use crate::{Action, Verdict};

/// How a link reaches a recipient, least strict first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkChoice {
    Open,
    Ask,
    PlainText,
    Hide,
}

impl LinkChoice {
    pub const ALL: [LinkChoice; 4] = [
        LinkChoice::Open,
        LinkChoice::Ask,
        LinkChoice::PlainText,
        LinkChoice::Hide,
    ];

    /// The name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkChoice::Open => "open",
            LinkChoice::Ask => "ask",
            LinkChoice::PlainText => "plain_text",
            LinkChoice::Hide => "hide",
        }
    }
}

/// One recipient's choices. A domain choice (`jd.com`, matching its subdomains) beats a
/// category choice, which beats `default`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Preferences {
    pub domains: BTreeMap<String, LinkChoice>,
    pub categories: BTreeMap<String, LinkChoice>,
    pub default: Option<LinkChoice>,
}

impl Preferences {
    /// The recipient's choice for a link, if they made one.
    pub fn choice_for(
        &self,
        host: &str,
        domain: Option<&str>,
        category: &str,
    ) -> Option<LinkChoice> {
        let mut suffix = host;
        loop {
            if let Some(&choice) = self.domains.get(suffix) {
                return Some(choice);
            }
            match suffix.split_once('.') {
                Some((_, rest)) if rest.contains('.') || domain == Some(rest) => suffix = rest,
                _ => break,
            }
        }
        self.categories.get(category).copied().or(self.default)
    }
}

/// How one link is rendered for one recipient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkRendering {
    /// Index in the verdict's `facts.links`.
    pub link: usize,
    pub rendering: LinkChoice,
    /// The recipient's own choice changed the rendering.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_choice: bool,
}

/// How one message reaches one recipient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub recipient: String,
    pub delivered: bool,
    /// Shown with a safety notice (the verdict's `warn`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notice: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkRendering>,
}

/// What rendering reads of a verdict: its action, each link's host, domain and category, the
/// links' own actions and the profile. It reads from a verdict's JSON (other fields are
/// ignored), so a platform may pass on the verdict `POST /v1/check` answered, or just these.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Deliverable {
    pub action: Action,
    #[serde(default)]
    pub facts: DeliverableFacts,
    #[serde(default)]
    pub link_actions: Vec<DeliverableLinkAction>,
    /// The profile that decided, whose `user_choice` says what recipients may loosen.
    #[serde(default)]
    pub policy: Option<DeliverableProfile>,
}

/// The verdict's `facts`, as rendering reads them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliverableFacts {
    #[serde(default)]
    pub links: Vec<DeliverableLink>,
}

/// One of the verdict's `facts.links`, as rendering reads it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliverableLink {
    pub host: String,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub category: Category,
}

/// One of the verdict's `link_actions`: link `link` (an index into `facts.links`) gets `action`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliverableLinkAction {
    pub link: usize,
    pub action: Action,
}

/// The verdict's `policy`, as rendering reads it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliverableProfile {
    pub profile: String,
}

impl From<&Verdict> for Deliverable {
    fn from(verdict: &Verdict) -> Self {
        Deliverable {
            action: verdict.action,
            facts: DeliverableFacts {
                links: verdict
                    .facts
                    .links
                    .iter()
                    .map(|link| DeliverableLink {
                        host: link.host.clone(),
                        domain: link.domain.clone(),
                        category: link.category,
                    })
                    .collect(),
            },
            link_actions: verdict
                .link_actions
                .iter()
                .map(|a| DeliverableLinkAction {
                    link: a.link,
                    action: a.action,
                })
                .collect(),
            policy: Some(DeliverableProfile {
                profile: verdict.policy.profile.clone(),
            }),
        }
    }
}

/// Render a verdict for each recipient. `user_choice` lists the link categories whose
/// rendering recipients may loosen. Linear in recipients × links.
pub fn deliver<'a>(
    verdict: &Deliverable,
    user_choice: &HashSet<String>,
    recipients: impl IntoIterator<Item = (&'a str, &'a Preferences)>,
) -> Vec<Delivery> {
    let delivered = verdict.action <= Action::PlainText;
    // The platform's rendering of each link, before any recipient's choice.
    let baseline: Vec<LinkChoice> = verdict
        .facts
        .links
        .iter()
        .enumerate()
        .map(|(index, _)| {
            let link_action = verdict
                .link_actions
                .iter()
                .find(|a| a.link == index)
                .map(|a| a.action);
            match link_action.unwrap_or(verdict.action).max(verdict.action) {
                Action::Allow | Action::Warn => LinkChoice::Open,
                Action::PlainText => LinkChoice::PlainText,
                Action::Hide | Action::Hold | Action::Block => LinkChoice::Hide,
            }
        })
        .collect();
    recipients
        .into_iter()
        .map(|(recipient, prefs)| {
            if !delivered {
                return Delivery {
                    recipient: recipient.to_owned(),
                    delivered: false,
                    notice: false,
                    links: Vec::new(),
                };
            }
            let links = verdict
                .facts
                .links
                .iter()
                .zip(&baseline)
                .enumerate()
                .map(|(index, (link, &base))| {
                    let category = link.category.as_str();
                    let chosen = prefs.choice_for(&link.host, link.domain.as_deref(), category);
                    let rendering = match chosen {
                        Some(choice) if choice > base => choice,
                        Some(choice)
                            if choice < base
                                && base != LinkChoice::Hide
                                && user_choice.contains(category) =>
                        {
                            choice
                        }
                        _ => base,
                    };
                    LinkRendering {
                        link: index,
                        rendering,
                        by_choice: rendering != base,
                    }
                })
                .collect();
            Delivery {
                recipient: recipient.to_owned(),
                delivered: true,
                notice: verdict.action == Action::Warn,
                links,
            }
        })
        .collect()
}

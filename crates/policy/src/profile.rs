//! Profile files: a dated set of rules with example cases (`assets/profiles/*.toml`).
//!
//! ```toml
//! name = "open-2021"
//! effective = "2021-09-17T00:00:00+08:00"  # in force from this instant until a later profile's
//! extends = "strict-2018"                  # inherit rules; a rule with the same id replaces one
//! disable = ["foreign-ecommerce-link"]     # drop inherited rules
//!
//! [flags]                                  # named switches rules can read as flags.<name>
//! group_ecommerce_trial = true
//!
//! [thresholds]                             # named numbers rules can read as thresholds.<name>
//! hold = 0.85
//!
//! [[rule]]
//! id = "share-code-in-moment"
//! description = "Third-party share codes are not shown in moments (2018 link rules)."
//! requires = ["share_codes"]               # evaluated only when the message has one
//! when = 'scene == "moment" && share_codes.exists(c, c.foreign)'
//! action = "hide"
//! message = "third-party share codes are not shown in moments"   # or, per language:
//! # message = { zh-CN = "朋友圈不显示第三方分享口令", en = "third-party share codes are not shown in moments" }
//! strikes = 1
//! # notice = "…"                           # warn rules: what recipients see (else the message)
//!
//! # A rule with target = "link" is evaluated per link (bound as `link`) and gives that link
//! # its own action in the verdict's `link_actions`, leaving the message's action alone.
//!
//! [[rule.example]]                         # this rule must match (or not, with matches = false)
//! text = "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】"
//! scene = "moment"
//!
//! [[case]]                                 # the whole profile's verdict for a message
//! text = "复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】"
//! scene = "group"
//! expect = "allow"
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::{Action, Scene};

/// A profile file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub effective: Spanned<String>,
    #[serde(default)]
    pub extends: Option<Spanned<String>>,
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
    /// Every rule of the profile runs in shadow mode.
    #[serde(default)]
    pub shadow: bool,
    /// A rule whose condition fails to evaluate (a runtime error, not `false`) counts as
    /// matched: its action applies. Default false (an error is no match); inherited.
    #[serde(default)]
    pub fail_closed: Option<bool>,
    #[serde(default)]
    pub flags: BTreeMap<String, bool>,
    /// Named numbers rules can read as thresholds.<name> (score cut-offs), inherited and
    /// overridable, so that tuning a cut-off is a one-line change a replay can try.
    #[serde(default)]
    pub thresholds: BTreeMap<String, Spanned<f64>>,
    /// Link categories whose rendering each recipient may loosen ("independent selection
    /// mode"); inherited from the base profile when absent.
    #[serde(default)]
    pub user_choice: Option<Vec<String>>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
    #[serde(default, rename = "case")]
    pub cases: Vec<Case>,
}

/// A rule as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: Spanned<String>,
    pub description: String,
    /// Fact lists the rule reads; it is evaluated only when at least one is non-empty. Empty
    /// means the rule is evaluated for every message.
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    pub when: Spanned<String>,
    /// `message` (the default) decides the whole message; `link` is evaluated once per link,
    /// with the link bound as `link`, and gives that link its own action.
    #[serde(default)]
    pub target: Target,
    pub action: Action,
    pub message: menshen_i18n::Text,
    /// For `warn` rules: the safety notice the recipients see (the message when absent).
    #[serde(default)]
    pub notice: Option<menshen_i18n::Text>,
    #[serde(default)]
    pub strikes: u32,
    /// The function a ladder restriction for this rule's offences takes away (one of
    /// [`crate::FUNCTIONS`]).
    #[serde(default)]
    pub restricts: Option<Spanned<String>>,
    #[serde(default)]
    pub shadow: bool,
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
}

/// What a rule decides about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    #[default]
    Message,
    Link,
}

/// A message a rule must match (or must not, with `matches = false`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    #[serde(default)]
    pub scene: Scene,
    #[serde(default = "yes")]
    pub matches: bool,
    #[serde(default)]
    pub sanctioned_domains: Vec<String>,
    #[serde(default)]
    pub sanctioned_apps: Vec<String>,
    /// The sender's standing (strikes, restrictions and when they end, signals).
    #[serde(default)]
    pub sender: Option<crate::Standing>,
}

fn yes() -> bool {
    true
}

/// A message and the action the whole profile must decide for it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub text: String,
    #[serde(default)]
    pub scene: Scene,
    pub expect: Action,
    #[serde(default)]
    pub sanctioned_domains: Vec<String>,
    #[serde(default)]
    pub sanctioned_apps: Vec<String>,
    /// The sender's standing (strikes, restrictions and when they end, signals).
    #[serde(default)]
    pub sender: Option<crate::Standing>,
}

/// A place in a file: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `source`.
    pub fn of(source: &str, offset: usize) -> Self {
        let offset = offset.min(source.len());
        let before = &source[..source.floor_char_boundary(offset)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Position { line, column }
    }
}

/// Where the text of a string value starts, given the span of the value (quotes included):
/// past `"`/`'`, or past `"""`/`'''` and the line break that may follow them.
pub fn string_content_start(source: &str, span_start: usize) -> usize {
    let rest = &source[span_start..];
    for triple in ["\"\"\"", "'''"] {
        if let Some(after) = rest.strip_prefix(triple) {
            let newline = if after.starts_with("\r\n") {
                2
            } else {
                usize::from(after.starts_with('\n'))
            };
            return span_start + 3 + newline;
        }
    }
    span_start + 1
}

//! menshen's decisions: facts in, verdict out.
//!
//! A [`Policy`] is a set of dated profiles ([`profile`]), each a list of rules whose
//! conditions are CEL expressions over named facts. [`Policy::decide`] is a pure function of
//! the facts, the scene, a read-only snapshot of sanctions and the chosen profile: no I/O, no
//! clock. The strictest action of all matching rules wins (`allow` < `warn` < `plain_text` <
//! `hide` < `hold` < `block`); every matching rule is a reason, strictest first, pointing at
//! the facts it read. Rules in shadow mode are evaluated and reported under `shadow`, never
//! acted on.
//!
//! ## What a rule can read
//!
//! | variable | type | |
//! |---|---|---|
//! | `scene` | string | `direct`, `group`, `moment`, `comment` |
//! | `home` | string | the home platform (`wechat`) |
//! | `flags` | map of bool | the profile's `[flags]` |
//! | `links` | list | `url`, `host`, `domain`, `platform` (`""` if unknown), `category`, `obfuscated`, `foreign`, `sanctioned`, `signals` (list of string: the host's phishing signals), `imitates` (the brand it copies, `""` if none) |
//! | `share_codes` | list | `platform`, `kind`, `token`, `confidence`, `foreign`, `sanctioned` |
//! | `contacts` | list | `kind`, `value` |
//! | `terms` | list | `term`, `category`, `disguised` |
//! | `scores` | map of double | `spam`, one risk per content category (`fraud`, `gambling`, …) and `phishing` (the most suspect link's host), each in [0, 1] |
//! | `thresholds` | map of double | the profile's `[thresholds]` (`thresholds.hold`), so that an operator tunes numbers, not expressions |
//! | `sender` | map | `strikes` (int), `restrictions` (list of string), `account_age_days` (int, −1 if unknown) |
//! | `signals` | map of double | behaviour signals for the sender; test presence first: `"campaign" in signals && signals.campaign > 0.5` |
//!
//! `foreign` is true for a known platform other than the home platform and its own
//! sub-platforms (`wechat_miniprogram` is not foreign to `wechat`). `sanctioned` is true for a
//! link whose host or domain, or a share code whose platform, is in the sanctions snapshot.
//!
//! A rule lists the fact lists it reads in `requires` and is evaluated only when one of them
//! is non-empty, so that ordinary chat costs nothing to decide; `signals` stands for any
//! signal with a positive weight (the evidence behind the scores), and `scores` for a score
//! that reaches the lowest of the profile's `[thresholds]` (so a rule comparing scores with
//! thresholds costs nothing below them; a profile without thresholds never runs it).
//!
//! A rule that reads `scores.<name>` gives its reason the signals behind those scores, with
//! their weights and spans: the evidence that decided (all positive signals for `spam`).
//!
//! Conditions of the common shapes (a scene test, a score against a threshold, a link of some
//! category, a restricted function) are also compiled at load to native predicates over the
//! facts ([`Rule::is_native`]), which decide without copying a fact into CEL; the rest run in
//! CEL with only the variables they read. Both paths give the same decision, and
//! `menshen policy test` decides every example and case both ways to show it.

mod bind;
pub mod deliver;
mod live;
mod native;
pub mod pool;
pub mod profile;
pub mod quality;
pub mod replay;
pub mod testing;
pub mod time;
mod verdict;
pub mod vocab;

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
};

use bind::{Bindings, Vars};
use cel::{Context, Program, Value};
use menshen_detect::Facts;
use menshen_text::Span;
use profile::{Case, Example, Position, ProfileFile, string_content_start};
use sha2::{Digest, Sha256};

pub use live::LivePolicy;

pub use profile::Target;
pub use verdict::{Action, LinkAction, PolicyRef, Reason, Scene, Verdict};
pub use vocab::{BehaviourSignal, Function};

/// The profiles shipped with menshen.
pub const EMBEDDED: [(&str, &str); 2] = [
    (
        "assets/profiles/strict-2018.toml",
        include_str!("../../../assets/profiles/strict-2018.toml"),
    ),
    (
        "assets/profiles/open-2021.toml",
        include_str!("../../../assets/profiles/open-2021.toml"),
    ),
];

/// The shipped profiles as `(origin, source)` pairs, the form [`Policy::load`] takes, to which
/// an operator's files can be added.
pub fn embedded_files() -> Vec<(String, String)> {
    EMBEDDED
        .iter()
        .map(|(origin, source)| ((*origin).to_owned(), (*source).to_owned()))
        .collect()
}

/// The profile used when no name and no time are given.
pub const DEFAULT_PROFILE: &str = "open-2021";

/// One problem in a policy file: which file, where in it, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub origin: String,
    /// Where in the file, when the problem has a place.
    pub position: Option<Position>,
    pub message: String,
}

impl Diagnostic {
    /// A problem at a place in a file.
    pub fn at(origin: &str, position: Position, message: String) -> Self {
        Diagnostic {
            origin: origin.to_owned(),
            position: Some(position),
            message,
        }
    }

    /// A problem with a file as a whole.
    pub fn file(origin: &str, message: String) -> Self {
        Diagnostic {
            origin: origin.to_owned(),
            position: None,
            message,
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some(p) => write!(
                f,
                "{}:{}:{}: {}",
                self.origin, p.line, p.column, self.message
            ),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

/// Problems in policy files, every one of them.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct PolicyError(pub Vec<Diagnostic>);

/// Fact lists a rule may require.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct FactKinds(u8);

impl FactKinds {
    const NAMES: [&'static str; 6] = [
        "links",
        "share_codes",
        "contacts",
        "terms",
        "signals",
        "scores",
    ];

    fn of(facts: &Facts) -> Self {
        let present = [
            !facts.links.is_empty(),
            !facts.share_codes.is_empty(),
            !facts.contacts.is_empty(),
            !facts.terms.is_empty(),
            facts.signals.iter().any(|s| s.weight > 0.0),
            false,
        ];
        FactKinds(
            present
                .iter()
                .enumerate()
                .fold(0, |bits, (i, &p)| bits | (u8::from(p) << i)),
        )
    }

    /// `scores`: some score reaches `floor`, the lowest of the profile's thresholds.
    fn with_scores(self, facts: &Facts, floor: f64) -> Self {
        let reached = facts.scores.iter().any(|(_, score)| score >= floor);
        match Self::named("scores") {
            Some(kind) if reached => FactKinds(self.0 | kind.0),
            _ => self,
        }
    }

    fn named(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| FactKinds(1 << i))
    }

    fn contains(self, name: &str) -> bool {
        Self::named(name).is_some_and(|k| self.0 & k.0 != 0)
    }
}

/// A compiled rule.
#[derive(Clone)]
pub struct Rule {
    pub id: String,
    pub description: String,
    /// What the sender is told, per language (`{until:FUNCTION}` filled in when decided).
    pub message: menshen_i18n::Text,
    /// What the recipients of a `warn` are told (the rule's message when absent).
    pub notice: Option<menshen_i18n::Text>,
    pub action: Action,
    pub strikes: u32,
    /// The function a ladder restriction for this rule's offences takes away.
    pub restricts: Option<Function>,
    pub shadow: bool,
    pub target: Target,
    pub examples: Vec<Example>,
    requires: FactKinds,
    /// The scores the rule reads, whose signals its reasons cite.
    reads: ScoreReads,
    when: String,
    program: Arc<Program>,
    /// The variables the condition reads, bound when it runs in CEL.
    vars: Vars,
    /// The condition as a native predicate, when it has one of the common shapes (compiled
    /// with the profile's flags and thresholds, so an inherited rule is compiled again).
    native: Option<Arc<native::Predicate>>,
}

/// The behaviour signals a condition names: `signals.name`, `signals["name"]` and
/// `"name" in signals`.
fn signal_names(when: &str) -> Vec<String> {
    let mut names = Vec::new();
    let ident = |rest: &str| -> String {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in when.match_indices("signals") {
        let before = when[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let rest = &when[at + "signals".len()..];
        let name = if let Some(field) = rest.strip_prefix('.') {
            ident(field)
        } else if let Some(key) = rest.strip_prefix("[\"").or_else(|| rest.strip_prefix("['")) {
            ident(key)
        } else {
            // `"name" in signals`: the quoted word before ` in `.
            let head = when[..at].trim_end();
            match head.strip_suffix(" in").or_else(|| head.strip_suffix("in")) {
                Some(head) => {
                    let head = head.trim_end();
                    let quote = head.chars().next_back();
                    match quote {
                        Some(q @ ('"' | '\'')) => {
                            let inner = &head[..head.len() - 1];
                            inner.rsplit(q).next().unwrap_or_default().to_owned()
                        }
                        _ => String::new(),
                    }
                }
                None => String::new(),
            }
        };
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Which scores a rule's condition reads.
#[derive(Clone, Debug, Default, PartialEq)]
enum ScoreReads {
    #[default]
    None,
    /// `spam`, or `scores` as a whole: every signal counts.
    All,
    /// Named categories.
    Categories(Vec<String>),
}

impl ScoreReads {
    /// Found in the expression's text: `scores.name`, `scores["name"]`, or `scores` alone.
    fn of(when: &str) -> Self {
        let mut categories = Vec::new();
        for (at, _) in when.match_indices("scores") {
            let before = when[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let rest = &when[at + "scores".len()..];
            let name: String = if let Some(field) = rest.strip_prefix('.') {
                field
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect()
            } else if let Some(key) = rest.strip_prefix("[\"").or_else(|| rest.strip_prefix("['")) {
                key.chars()
                    .take_while(|c| *c != '"' && *c != '\'')
                    .collect()
            } else {
                return ScoreReads::All;
            };
            if name == "spam" || name.is_empty() {
                return ScoreReads::All;
            }
            if !categories.contains(&name) {
                categories.push(name);
            }
        }
        if categories.is_empty() {
            ScoreReads::None
        } else {
            ScoreReads::Categories(categories)
        }
    }

    /// The signals of `facts` a reason cites: those with a positive weight behind the scores
    /// read (general signals behind any of them).
    fn signals(&self, facts: &Facts) -> Vec<menshen_detect::signals::Signal> {
        let wanted = |s: &&menshen_detect::signals::Signal| {
            s.weight > 0.0
                && match self {
                    ScoreReads::None => false,
                    ScoreReads::All => true,
                    ScoreReads::Categories(names) => s
                        .category
                        .as_deref()
                        .is_none_or(|c| names.iter().any(|n| n == c)),
                }
        };
        facts.signals.iter().filter(wanted).cloned().collect()
    }
}

impl Rule {
    /// Whether the condition compiled to a native predicate (it still runs in CEL for a
    /// message where the predicate cannot say, such as one without a score it reads).
    pub fn is_native(&self) -> bool {
        self.native.is_some()
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("when", &self.when)
            .field("action", &self.action)
            .finish()
    }
}

/// A compiled profile.
#[derive(Debug)]
pub struct Profile {
    pub name: String,
    pub description: String,
    pub effective: jiff::Timestamp,
    pub origin: String,
    pub rules: Vec<Rule>,
    pub cases: Vec<Case>,
    pub version: String,
    /// Every rule of this profile runs in shadow mode (not inherited by profiles extending it).
    pub shadow: bool,
    /// A rule whose condition errors at run time counts as matched (inherited).
    pub fail_closed: bool,
    /// Link categories whose rendering recipients may loosen (see [`deliver`]).
    pub user_choice: HashSet<String>,
    /// The profile's flags, its base's included.
    pub flags: BTreeMap<String, bool>,
    flags_value: Value,
    /// The profile's named thresholds, its base's included.
    pub thresholds: BTreeMap<String, f64>,
    thresholds_value: Value,
    /// The lowest threshold: a rule that requires `scores` runs only when a score reaches it.
    score_floor: f64,
}

/// The sanctions in force, as the decision sees them (a read-only snapshot from the state).
#[derive(Clone, Debug, Default)]
pub struct Sanctions {
    /// Sanctioned host names or registrable domains, lower case.
    pub domains: HashSet<String>,
    /// Sanctioned share interfaces (platform ids).
    pub apps: HashSet<String>,
}

/// Everything a decision reads besides the facts.
#[derive(Clone, Copy, Debug)]
pub struct Situation<'a> {
    pub scene: Scene,
    pub sanctions: &'a Sanctions,
    /// The sender's standing, if known (read-only snapshot from the state).
    pub standing: Option<&'a Standing>,
    /// The language the verdict's texts are written in (rule ids never change with it).
    pub locale: menshen_i18n::Locale,
}

impl<'a> Situation<'a> {
    /// A situation in the default language (zh-CN).
    pub fn new(scene: Scene, sanctions: &'a Sanctions) -> Self {
        Situation {
            scene,
            sanctions,
            standing: None,
            locale: menshen_i18n::Locale::default(),
        }
    }

    pub fn in_locale(self, locale: menshen_i18n::Locale) -> Self {
        Situation { locale, ..self }
    }

    pub fn with_standing(self, standing: &'a Standing) -> Self {
        Situation {
            standing: Some(standing),
            ..self
        }
    }
}

/// What the platform knows about a sender: strikes, active restrictions, account age and
/// behaviour signals. Rules read it as `sender` and `signals`.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Standing {
    /// Strikes in force (after decay).
    pub strikes: u32,
    /// Restricted functions in force (`links_in_moments`, `share_codes`, …).
    pub restrictions: Vec<String>,
    /// When each restriction ends (RFC 3339), by function; a rule's message names it with
    /// `{until:FUNCTION}`. A restriction with no entry reads "until further notice".
    pub until: BTreeMap<String, String>,
    /// Days since the account was created, if known.
    pub account_age_days: Option<u32>,
    /// Behaviour signals by name (`bulk_friend_requests`, `campaign`, …), in [0, 1].
    pub signals: BTreeMap<String, f64>,
}

/// The outcome of evaluating one profile.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decision {
    pub action: Action,
    pub reasons: Vec<Reason>,
    pub link_actions: Vec<LinkAction>,
    pub shadow: Vec<Reason>,
    /// Rules whose condition failed to evaluate for this message.
    pub errors: Vec<RuleError>,
}

/// A rule whose condition failed at run time (a type mismatch the probe could not see, a
/// missing key): no match, unless the profile is `fail_closed`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RuleError {
    pub rule: String,
    pub message: String,
}

/// How conditions are evaluated ([`Policy::decide_by`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evaluation {
    /// Natively where a condition compiled to a predicate, else in CEL.
    Native,
    /// Always in CEL.
    Cel,
}

/// Whether a condition's result is a match, recording an error.
fn matched(
    result: Result<Value, cel::ExecutionError>,
    rule: &str,
    fail_closed: bool,
    errors: &mut Vec<RuleError>,
) -> bool {
    match result {
        Ok(value) => value == Value::Bool(true),
        Err(error) => {
            errors.push(RuleError {
                rule: rule.to_owned(),
                message: error.to_string(),
            });
            fail_closed
        }
    }
}

impl Decision {
    /// What the recipients of a `warn` verdict read: the notice of its first warning reason.
    pub fn notice(&self) -> Option<&str> {
        (self.action == Action::Warn)
            .then(|| self.reasons.iter().find_map(|r| r.notice.as_deref()))
            .flatten()
    }
}

/// All loaded profiles.
pub struct Policy {
    profiles: Vec<Profile>,
    home: String,
    root: Context<'static, 'static>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("profiles", &self.profiles)
            .field("home", &self.home)
            .finish()
    }
}

impl Policy {
    /// The shipped profiles, with `home` as the home platform.
    pub fn embedded(home: &str) -> Self {
        Self::load(
            &EMBEDDED.map(|(origin, source)| (origin.to_owned(), source.to_owned())),
            home,
        )
        .expect("the embedded profiles are valid (checked by tests)")
    }

    /// Load profile files, given as `(origin, source)`. Every problem in every file is
    /// reported; nothing is loaded if there is one.
    pub fn load(files: &[(String, String)], home: &str) -> Result<Self, PolicyError> {
        let mut problems = Vec::new();
        let mut parsed: Vec<(&str, &str, ProfileFile)> = Vec::new();
        for (origin, source) in files {
            match toml::from_str::<ProfileFile>(source) {
                Ok(file) => parsed.push((origin, source, file)),
                Err(e) => {
                    let at = e.span().map_or(Position { line: 1, column: 1 }, |s| {
                        Position::of(source, s.start)
                    });
                    problems.push(Diagnostic::at(origin, at, e.message().to_string()));
                }
            }
        }
        let mut profiles: Vec<Profile> = Vec::new();
        // Profiles may extend one another: compile a profile once its base is compiled.
        let mut pending: Vec<usize> = (0..parsed.len()).collect();
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|&i| {
                let (origin, source, file) = &parsed[i];
                let base = match &file.extends {
                    None => None,
                    Some(name) => match profiles.iter().find(|p| p.name == *name.get_ref()) {
                        Some(base) => Some(base),
                        None if parsed
                            .iter()
                            .any(|(_, _, f)| f.name.get_ref() == name.get_ref()) =>
                        {
                            return true;
                        }
                        None => {
                            let at = Position::of(source, name.span().start);
                            problems.push(Diagnostic::at(
                                origin,
                                at,
                                format!(
                                    "extends `{}`, which is not among the loaded profiles",
                                    name.get_ref()
                                ),
                            ));
                            return false;
                        }
                    },
                };
                match compile_profile(origin, source, file, base) {
                    Ok(profile) => profiles.push(profile),
                    Err(mut errors) => problems.append(&mut errors),
                }
                false
            });
            if pending.len() == before {
                for &i in &pending {
                    let (origin, _, file) = &parsed[i];
                    problems.push(Diagnostic::file(
                        origin,
                        format!(
                            "profile `{}` extends itself through a cycle",
                            file.name.get_ref()
                        ),
                    ));
                }
                break;
            }
        }
        let mut seen = HashSet::new();
        for profile in &profiles {
            if !seen.insert(profile.name.clone()) {
                problems.push(Diagnostic::file(
                    &profile.origin,
                    format!("a profile named `{}` is loaded twice", profile.name),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(PolicyError(problems));
        }
        profiles.sort_by_key(|p| p.effective);
        Ok(Policy {
            profiles,
            home: home.to_owned(),
            root: Context::default(),
        })
    }

    /// Whether some rule of some profile reads the sender's behaviour `signals` (a campaign,
    /// say): what a caller tracks behaviour for, and computes fingerprints for.
    pub fn reads_signals(&self) -> bool {
        self.profiles
            .iter()
            .flat_map(|p| &p.rules)
            .any(|r| r.vars.contains(bind::Var::Signals))
    }

    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// The profile named `name`.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The profile in force at `at`: the one with the latest effective time not after it.
    pub fn profile_at(&self, at: jiff::Timestamp) -> Option<&Profile> {
        self.profiles.iter().rev().find(|p| p.effective <= at)
    }

    /// Choose a profile: by name if given, else by time if given, else [`DEFAULT_PROFILE`]
    /// (or the latest loaded profile when that one is not loaded).
    pub fn select(
        &self,
        name: Option<&str>,
        at: Option<jiff::Timestamp>,
    ) -> Result<&Profile, String> {
        match (name, at) {
            (Some(name), _) => self.profile(name).ok_or_else(|| {
                let known: Vec<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
                format!("no profile named `{name}`; loaded: {}", known.join(", "))
            }),
            (None, Some(at)) => self
                .profile_at(at)
                .ok_or_else(|| match self.profiles.first() {
                    Some(earliest) => format!(
                        "no profile was in force at {at}: the earliest, `{}`, takes effect at {}; give a later --at, or --profile NAME",
                        earliest.name, earliest.effective
                    ),
                    None => "no profiles are loaded".into(),
                }),
            (None, None) => self
                .profile(DEFAULT_PROFILE)
                .or(self.profiles.last())
                .ok_or_else(|| "no profiles are loaded".into()),
        }
    }

    /// Decide one message under `profile`.
    pub fn decide(&self, profile: &Profile, facts: &Facts, situation: Situation<'_>) -> Decision {
        self.decide_by(profile, facts, situation, Evaluation::Native)
    }

    /// Decide one message, evaluating conditions natively where they compiled or always in
    /// CEL. Both give the same decision; `policy test` decides both ways and compares.
    pub fn decide_by(
        &self,
        profile: &Profile,
        facts: &Facts,
        situation: Situation<'_>,
        evaluation: Evaluation,
    ) -> Decision {
        let present = FactKinds::of(facts).with_scores(facts, profile.score_floor);
        let applicable = |rule: &&Rule| rule.requires.0 == 0 || rule.requires.0 & present.0 != 0;
        if !profile.rules.iter().any(|r| applicable(&r)) {
            return Decision::default();
        }
        let env = native::Env {
            facts,
            situation,
            home: &self.home,
        };
        let mut bindings = Bindings::new(
            facts,
            situation,
            &self.home,
            (&profile.flags_value, &profile.thresholds_value),
        );
        let mut context: Option<Context<'_, '_>> = None;
        let mut decision = Decision::default();
        for rule in profile.rules.iter().filter(applicable) {
            let shadow = rule.shadow || profile.shadow;
            let native = match evaluation {
                Evaluation::Native => rule.native.as_deref(),
                Evaluation::Cel => None,
            };
            // The rule's result natively when its predicate can say, else from CEL.
            let mut holds = |current: native::Current, errors: &mut Vec<RuleError>| {
                if let Some(result) = native.and_then(|p| p.eval(&env, current)) {
                    return result;
                }
                let context = context.get_or_insert_with(|| self.root.new_inner_scope());
                bindings.bind(context, rule.vars);
                let result = match current {
                    native::Current::Link(index) => {
                        let mut scope = context.new_inner_scope();
                        scope.add_variable_from_value("link", bindings.links()[index].clone());
                        rule.program.execute(&scope)
                    }
                    _ => rule.program.execute(context),
                };
                matched(result, &rule.id, profile.fail_closed, errors)
            };
            match rule.target {
                Target::Message => {
                    if !holds(native::Current::None, &mut decision.errors) {
                        continue;
                    }
                    let signals = rule.reads.signals(facts);
                    let mut evidence = evidence(facts, rule.requires);
                    if !signals.is_empty() {
                        evidence.extend(signals.iter().flat_map(|s| s.spans.iter().copied()));
                        evidence.sort_unstable();
                        evidence.dedup();
                    }
                    let reason = Reason {
                        rule: rule.id.clone(),
                        message: render_message(rule.message.get(situation.locale), situation),
                        notice: (rule.action == Action::Warn).then(|| {
                            render_message(
                                rule.notice
                                    .as_ref()
                                    .unwrap_or(&rule.message)
                                    .get(situation.locale),
                                situation,
                            )
                        }),
                        action: rule.action,
                        evidence,
                        strikes: rule.strikes,
                        restricts: rule.restricts,
                        signals,
                    };
                    if shadow {
                        decision.shadow.push(reason);
                    } else {
                        decision.action = decision.action.max(rule.action);
                        decision.reasons.push(reason);
                    }
                }
                Target::Link => {
                    for (index, link) in facts.links.iter().enumerate() {
                        if !holds(native::Current::Link(index), &mut decision.errors) {
                            continue;
                        }
                        let span = link.span;
                        if shadow {
                            decision.shadow.push(Reason {
                                rule: rule.id.clone(),
                                message: rule.message.get(situation.locale).to_owned(),
                                notice: None,
                                action: rule.action,
                                evidence: vec![span],
                                strikes: rule.strikes,
                                restricts: rule.restricts,
                                signals: Vec::new(),
                            });
                            continue;
                        }
                        match decision.link_actions.iter_mut().find(|a| a.link == index) {
                            Some(existing) if existing.action >= rule.action => {}
                            Some(existing) => {
                                *existing = LinkAction {
                                    link: index,
                                    span,
                                    action: rule.action,
                                    rule: rule.id.clone(),
                                }
                            }
                            None => decision.link_actions.push(LinkAction {
                                link: index,
                                span,
                                action: rule.action,
                                rule: rule.id.clone(),
                            }),
                        }
                    }
                }
            }
        }
        // Strictest first; among equals, the order of the profile.
        decision
            .reasons
            .sort_by_key(|r| std::cmp::Reverse(r.action));
        decision
    }

    /// A full verdict for one message.
    pub fn verdict(
        &self,
        profile: &Profile,
        id: Option<String>,
        facts: Facts,
        situation: Situation<'_>,
    ) -> Verdict {
        let decision = self.decide(profile, &facts, situation);
        Verdict {
            id,
            scene: Some(situation.scene),
            action: decision.action,
            notice: decision.notice().map(str::to_owned),
            reasons: decision.reasons,
            link_actions: decision.link_actions,
            facts,
            policy: PolicyRef {
                profile: profile.name.clone(),
                version: profile.version.clone(),
            },
            shadow: decision.shadow,
            rule_errors: decision.errors,
        }
    }
}

fn evidence(facts: &Facts, requires: FactKinds) -> Vec<Span> {
    let mut spans = Vec::new();
    if requires.contains("links") {
        spans.extend(
            facts
                .links
                .iter()
                .filter(|l| l.attachment.is_none())
                .map(|l| l.span),
        );
    }
    if requires.contains("share_codes") {
        spans.extend(
            facts
                .share_codes
                .iter()
                .filter(|c| c.attachment.is_none())
                .map(|c| c.span),
        );
    }
    if requires.contains("contacts") {
        spans.extend(facts.contacts.iter().map(|c| c.span));
    }
    if requires.contains("terms") {
        spans.extend(facts.terms.iter().map(|t| t.span));
    }
    spans.sort_unstable();
    spans.dedup();
    spans
}

/// A rule's message with each `{until:FUNCTION}` replaced by when the sender's restriction of
/// that function ends, so that a refusal says until when.
fn render_message(message: &str, situation: Situation<'_>) -> String {
    const OPEN: &str = "{until:";
    if !message.contains(OPEN) {
        return message.to_owned();
    }
    let mut rendered = String::with_capacity(message.len() + 16);
    let mut rest = message;
    while let Some(start) = rest.find(OPEN) {
        let Some(length) = rest[start..].find('}') else {
            break;
        };
        let function = &rest[start + OPEN.len()..start + length];
        rendered.push_str(&rest[..start]);
        match situation.standing.and_then(|s| s.until.get(function)) {
            Some(until) => rendered.push_str(until),
            None => rendered.push_str(&menshen_i18n::text(
                situation.locale,
                menshen_i18n::Msg::UntilFurtherNotice,
                &[],
            )),
        }
        rest = &rest[start + length + 1..];
    }
    rendered.push_str(rest);
    rendered
}

/// Evaluate a compiled rule once against [`probe_facts`] in every scene, with the file's flags
/// (a flag the file does not define is an error too).
fn probe(
    program: &Program,
    flags: &BTreeMap<String, bool>,
    thresholds: &BTreeMap<String, f64>,
    target: Target,
) -> Result<(), String> {
    let facts = probe_facts();
    let flags = flag_value(flags);
    let thresholds = threshold_value(thresholds);
    let root = Context::default();
    for scene in Scene::ALL {
        let mut context = root.new_inner_scope();
        let sanctions = Sanctions::default();
        let standing = Standing::default();
        let mut bindings = Bindings::new(
            &facts,
            Situation::new(scene, &sanctions).with_standing(&standing),
            "wechat",
            (&flags, &thresholds),
        );
        bindings.bind(&mut context, Vars::ALL);
        let mut scope = context.new_inner_scope();
        if target == Target::Link {
            scope.add_variable_from_value("link", bindings.links()[0].clone());
        }
        match program.execute(&scope) {
            Err(e) => return Err(e.to_string()),
            Ok(Value::Bool(_)) => {}
            Ok(other) => {
                return Err(format!(
                    "`when` must be true or false, and this is {} (`{other:?}`): compare it, as in `links.size() > 0`",
                    cel_type_name(&other)
                ));
            }
        }
    }
    Ok(())
}

fn cel_type_name(value: &Value) -> &'static str {
    match value {
        Value::Int(_) => "an int",
        Value::UInt(_) => "a uint",
        Value::Float(_) => "a double",
        Value::String(_) => "a string",
        Value::Bytes(_) => "bytes",
        Value::List(_) => "a list",
        Value::Map(_) => "a map",
        Value::Null => "null",
        _ => "not a bool",
    }
}

/// The templates a rule's message may hold: `{until:FUNCTION}` only. A problem for each other
/// `{…}`, so that a typo does not reach senders as braces.
fn template_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            problems.push(format!("a `{{` without its `}}` in `{text}`"));
            break;
        };
        let inside = &after[..close];
        match inside.strip_prefix("until:") {
            Some(function) if Function::parse(function).is_some() => {}
            Some(function) => problems.push(format!(
                "`{{until:{function}}}` names no function; use one of {}",
                Function::names()
            )),
            None => problems.push(format!(
                "`{{{inside}}}` is not a template; the one template is `{{until:FUNCTION}}`"
            )),
        }
        rest = &after[close + 1..];
    }
    problems
}

fn compile_profile(
    origin: &str,
    source: &str,
    file: &ProfileFile,
    base: Option<&Profile>,
) -> Result<Profile, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let at = |offset: usize| Position::of(source, offset);
    let effective = match file.effective.get_ref().parse::<jiff::Timestamp>() {
        Ok(t) => t,
        Err(e) => {
            let p = at(file.effective.span().start);
            problems.push(Diagnostic::at(origin, p, format!("effective `{}` is not an RFC 3339 time ({e}); write it like 2021-09-17T00:00:00+08:00", file.effective.get_ref())));
            jiff::Timestamp::UNIX_EPOCH
        }
    };
    // A recipient may loosen how links reach them, never past a phishing block.
    let choosable = || {
        menshen_detect::Category::ALL
            .into_iter()
            .filter(|c| *c != menshen_detect::Category::Phishing)
            .map(menshen_detect::Category::as_str)
    };
    for category in file.user_choice.iter().flatten() {
        if !choosable().any(|c| c == category) {
            problems.push(Diagnostic::file(
                origin,
                format!(
                    "user_choice category `{category}` is not one of {}",
                    choosable().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    let mut flags: BTreeMap<String, bool> = base.map(|b| b.flags.clone()).unwrap_or_default();
    flags.extend(file.flags.iter().map(|(k, v)| (k.clone(), *v)));
    let mut thresholds: BTreeMap<String, f64> =
        base.map(|b| b.thresholds.clone()).unwrap_or_default();
    for (name, value) in &file.thresholds {
        if !value.get_ref().is_finite() {
            let p = at(value.span().start);
            problems.push(Diagnostic::at(
                origin,
                p,
                format!("threshold `{name}` must be a number"),
            ));
        }
        thresholds.insert(name.clone(), *value.get_ref());
    }
    // Inherited rules first, minus disabled ones and those this file replaces.
    let mut rules: Vec<Rule> = Vec::new();
    if let Some(base) = base {
        for disabled in &file.disable {
            if !base.rules.iter().any(|r| r.id == *disabled.get_ref()) {
                let p = at(disabled.span().start);
                problems.push(Diagnostic::at(
                    origin,
                    p,
                    format!(
                        "disables `{}`, which `{}` does not have",
                        disabled.get_ref(),
                        base.name
                    ),
                ));
            }
        }
        for rule in &base.rules {
            let replaced = file.rules.iter().any(|r| r.id.get_ref() == &rule.id);
            let disabled = file.disable.iter().any(|d| d.get_ref() == &rule.id);
            if !replaced && !disabled {
                rules.push(rule.clone());
            }
        }
    }
    let mut ids: HashSet<String> = HashSet::new();
    for spec in &file.rules {
        let id_at = at(spec.id.span().start);
        if !ids.insert(spec.id.get_ref().clone()) {
            problems.push(Diagnostic::at(
                origin,
                id_at,
                format!("rule `{}` is defined twice", spec.id.get_ref()),
            ));
        }
        if spec.id.get_ref().is_empty()
            || !spec
                .id
                .get_ref()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            problems.push(Diagnostic::at(
                origin,
                id_at,
                format!(
                    "rule id `{}` must be lower-case words joined by `-`",
                    spec.id.get_ref()
                ),
            ));
        }
        let mut requires = FactKinds::default();
        for name in &spec.requires {
            match FactKinds::named(name.get_ref()) {
                Some(kind) => requires.0 |= kind.0,
                None => {
                    let p = at(name.span().start);
                    problems.push(Diagnostic::at(
                        origin,
                        p,
                        format!(
                            "unknown fact list `{}` in requires; use {}",
                            name.get_ref(),
                            FactKinds::NAMES.join(", ")
                        ),
                    ));
                }
            }
        }
        if spec.target == Target::Link {
            // A rule about each link only runs when there is a link.
            requires.0 |= FactKinds::named("links").map_or(0, |k| k.0);
        }
        for name in signal_names(spec.when.get_ref()) {
            if BehaviourSignal::parse(&name).is_none() {
                let p = at(string_content_start(source, spec.when.span().start));
                problems.push(Diagnostic::at(origin, p, format!("rule `{}` reads the signal `{name}`, which no detector raises; the signals are {}", spec.id.get_ref(), BehaviourSignal::names())));
            }
        }
        let restricts = match &spec.restricts {
            Some(function) => match Function::parse(function.get_ref()) {
                Some(function) => Some(function),
                None => {
                    let p = at(string_content_start(source, function.span().start));
                    problems.push(Diagnostic::at(
                        origin,
                        p,
                        format!(
                            "rule `{}` restricts `{}`, which is not a function; use one of {}",
                            spec.id.get_ref(),
                            function.get_ref(),
                            Function::names()
                        ),
                    ));
                    None
                }
            },
            None => None,
        };
        let texts = spec
            .message
            .all()
            .chain(spec.notice.iter().flat_map(|n| n.all()));
        // One text in both languages is one problem, not two.
        let template_problems: std::collections::BTreeSet<String> =
            texts.flat_map(template_problems).collect();
        for problem in template_problems {
            problems.push(Diagnostic::file(
                origin,
                format!("rule `{}`: {problem}", spec.id.get_ref()),
            ));
        }
        let when_start = string_content_start(source, spec.when.span().start);
        match Program::compile(spec.when.get_ref()) {
            Ok(program) => {
                if let Err(message) = probe(&program, &flags, &thresholds, spec.target) {
                    let p = at(when_start);
                    problems.push(Diagnostic::at(
                        origin,
                        p,
                        format!(
                            "rule `{}` cannot be evaluated: {message}",
                            spec.id.get_ref()
                        ),
                    ));
                }
                rules.push(Rule {
                    id: spec.id.get_ref().clone(),
                    description: spec.description.clone(),
                    message: spec.message.clone(),
                    notice: spec.notice.clone(),
                    action: spec.action,
                    strikes: spec.strikes,
                    restricts,
                    shadow: spec.shadow,
                    target: spec.target,
                    examples: spec.examples.clone(),
                    requires,
                    reads: ScoreReads::of(spec.when.get_ref()),
                    when: spec.when.get_ref().clone(),
                    vars: Vars::of(&program),
                    program: Arc::new(program),
                    native: None,
                })
            }
            Err(errors) => {
                for e in errors.errors {
                    // CEL positions are 1-based line and column inside the expression.
                    let base = at(when_start);
                    let (line, column) = (e.pos.0.max(1) as usize, e.pos.1.max(1) as usize);
                    let column = if line == 1 {
                        base.column + column - 1
                    } else {
                        column
                    };
                    problems.push(Diagnostic::at(
                        origin,
                        Position {
                            line: base.line + line - 1,
                            column,
                        },
                        format!("rule `{}`: {}", spec.id.get_ref(), e.msg),
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let constants = native::Constants {
        flags: &flags,
        thresholds: &thresholds,
    };
    for rule in &mut rules {
        rule.native = native::compile(
            rule.program.expression(),
            &constants,
            rule.target == Target::Link,
        )
        .map(Arc::new);
    }
    // Cases describe one profile's behaviour as a whole, so they are not inherited.
    let cases = file.cases.clone();
    let mut hasher = Sha256::new();
    hasher.update(file.name.get_ref().as_bytes());
    hasher.update(if file.shadow { b"shadow" } else { b"active" });
    for (name, on) in &flags {
        hasher.update(format!("{name}={on}").as_bytes());
    }
    for (name, value) in &thresholds {
        hasher.update(format!("{name}={value}").as_bytes());
    }
    for rule in &rules {
        hasher.update(
            format!(
                "{}|{}|{:?}|{}|{}|{}|{:?}",
                rule.id,
                rule.when,
                rule.action,
                rule.strikes,
                rule.shadow,
                rule.requires.0,
                rule.target
            )
            .as_bytes(),
        );
    }
    let version = hex::encode(&hasher.finalize()[..6]);
    Ok(Profile {
        name: file.name.get_ref().clone(),
        description: file.description.clone(),
        effective,
        origin: origin.to_owned(),
        rules,
        cases,
        version,
        shadow: file.shadow,
        fail_closed: file
            .fail_closed
            .or(base.map(|b| b.fail_closed))
            .unwrap_or(false),
        user_choice: match &file.user_choice {
            Some(categories) => categories.iter().cloned().collect(),
            None => base.map(|b| b.user_choice.clone()).unwrap_or_default(),
        },
        flags_value: flag_value(&flags),
        flags,
        thresholds_value: threshold_value(&thresholds),
        score_floor: thresholds.values().copied().fold(f64::INFINITY, f64::min),
        thresholds,
    })
}

fn threshold_value(thresholds: &BTreeMap<String, f64>) -> Value {
    let map: HashMap<String, Value> = thresholds
        .iter()
        .map(|(k, v)| (k.clone(), Value::Float(*v)))
        .collect();
    map.into()
}

fn flag_value(flags: &BTreeMap<String, bool>) -> Value {
    let map: HashMap<String, Value> = flags
        .iter()
        .map(|(k, v)| (k.clone(), Value::Bool(*v)))
        .collect();
    map.into()
}

/// A message with one fact of each kind, every field set: a rule that fails to evaluate on
/// it reads a variable or field that does not exist (a typo the parser cannot see, such as
/// `c.platfrom` inside `exists`).
fn probe_facts() -> Facts {
    use menshen_detect::{Category, Contact, ContactKind, Link, ShareCode, ShareKind, Term};
    Facts {
        links: vec![Link {
            url: "https://m.tb.cn/h.x".into(),
            host: "m.tb.cn".into(),
            domain: Some("tb.cn".into()),
            platform: Some("taobao".into()),
            category: Category::Ecommerce,
            span: Span::new(0, 1),
            obfuscated: false,
            attachment: None,
            signals: Vec::new(),
            imitates: None,
        }],
        share_codes: vec![ShareCode {
            platform: "taobao".into(),
            kind: ShareKind::Password,
            token: "Ab3Cd5Ef7Gh".into(),
            span: Span::new(0, 1),
            confidence: 0.9,
            signals: Vec::new(),
            attachment: None,
        }],
        contacts: vec![Contact {
            kind: ContactKind::Wechat,
            value: "abc123".into(),
            span: Span::new(0, 1),
            disguised: false,
        }],
        terms: vec![Term {
            term: "高仿".into(),
            category: "counterfeit".into(),
            span: Span::new(0, 1),
            disguised: false,
            weight: 1.0,
            context: None,
        }],
        scores: menshen_detect::signals::Scores::from(bind::SCORE_NAMES.map(|name| (name, 0.5))),
        ..Facts::default()
    }
}

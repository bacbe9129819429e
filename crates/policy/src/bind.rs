//! Facts and the situation as CEL variables, bound only as the conditions that run in CEL
//! need them: most messages are decided by native predicates ([`crate::native`]) and never
//! copy a fact into a CEL value.

use std::{collections::HashMap, sync::Arc};

use cel::{Context, Program, Value, objects::Key};
use menshen_detect::{Facts, registry::is_foreign};

use crate::{Situation, Standing, native::link_sanctioned};

/// A variable a condition can read (the table in the crate's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Var {
    Scene,
    Home,
    Flags,
    Thresholds,
    Links,
    ShareCodes,
    Contacts,
    Terms,
    Scores,
    Sender,
    Signals,
}

impl Var {
    pub(crate) const ALL: [Var; 11] = [
        Var::Scene,
        Var::Home,
        Var::Flags,
        Var::Thresholds,
        Var::Links,
        Var::ShareCodes,
        Var::Contacts,
        Var::Terms,
        Var::Scores,
        Var::Sender,
        Var::Signals,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Var::Scene => "scene",
            Var::Home => "home",
            Var::Flags => "flags",
            Var::Thresholds => "thresholds",
            Var::Links => "links",
            Var::ShareCodes => "share_codes",
            Var::Contacts => "contacts",
            Var::Terms => "terms",
            Var::Scores => "scores",
            Var::Sender => "sender",
            Var::Signals => "signals",
        }
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of variables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Vars(u16);

impl Vars {
    pub(crate) const ALL: Vars = Vars((1 << Var::ALL.len()) - 1);

    /// The variables a program reads.
    pub(crate) fn of(program: &Program) -> Self {
        let references = program.references();
        Vars(
            Var::ALL
                .iter()
                .filter(|v| references.has_variable(v.name()))
                .fold(0, |bits, v| bits | v.bit()),
        )
    }

    pub(crate) fn contains(self, var: Var) -> bool {
        self.0 & var.bit() != 0
    }
}

/// The CEL variables of one message, bound on first use.
pub(crate) struct Bindings<'a> {
    facts: &'a Facts,
    situation: Situation<'a>,
    home: &'a str,
    flags: &'a Value,
    thresholds: &'a Value,
    bound: Vars,
    links: Option<Vec<Value>>,
}

impl<'a> Bindings<'a> {
    pub(crate) fn new(
        facts: &'a Facts,
        situation: Situation<'a>,
        home: &'a str,
        (flags, thresholds): (&'a Value, &'a Value),
    ) -> Self {
        Bindings {
            facts,
            situation,
            home,
            flags,
            thresholds,
            bound: Vars::default(),
            links: None,
        }
    }

    /// Add to `context` those of `wanted` not bound yet.
    pub(crate) fn bind(&mut self, context: &mut Context<'_, '_>, wanted: Vars) {
        for var in Var::ALL {
            if wanted.contains(var) && !self.bound.contains(var) {
                let value = self.value(var);
                context.add_variable_from_value(var.name(), value);
            }
        }
        self.bound.0 |= wanted.0;
    }

    /// The links as CEL maps, for `links` and for rules evaluated per link.
    pub(crate) fn links(&mut self) -> &[Value] {
        let (facts, situation, home) = (self.facts, self.situation, self.home);
        self.links
            .get_or_insert_with(|| link_values(facts, situation, home))
    }

    fn value(&mut self, var: Var) -> Value {
        let (facts, situation) = (self.facts, self.situation);
        match var {
            Var::Scene => situation.scene.as_str().into(),
            Var::Home => self.home.to_owned().into(),
            Var::Flags => self.flags.clone(),
            Var::Thresholds => self.thresholds.clone(),
            Var::Links => self.links().to_vec().into(),
            Var::ShareCodes => share_code_values(facts, situation, self.home).into(),
            Var::Contacts => facts
                .contacts
                .iter()
                .map(|c| {
                    map([
                        ("kind", c.kind.as_str().into()),
                        ("value", c.value.clone().into()),
                    ])
                })
                .collect::<Vec<_>>()
                .into(),
            Var::Terms => facts
                .terms
                .iter()
                .map(|t| {
                    map([
                        ("term", t.term.clone().into()),
                        ("category", t.category.clone().into()),
                        ("disguised", t.disguised.into()),
                    ])
                })
                .collect::<Vec<_>>()
                .into(),
            Var::Scores => Value::Map(cel::objects::Map {
                map: Arc::new(
                    facts
                        .scores
                        .iter()
                        .map(|(name, score)| (key(name), score.into()))
                        .collect(),
                ),
            }),
            Var::Sender => standing_values(situation.standing).0,
            Var::Signals => standing_values(situation.standing).1,
        }
    }
}

fn link_values(facts: &Facts, situation: Situation<'_>, home: &str) -> Vec<Value> {
    facts
        .links
        .iter()
        .map(|l| {
            let platform = l.platform.clone().unwrap_or_default();
            map([
                ("url", l.url.clone().into()),
                ("host", l.host.clone().into()),
                ("domain", l.domain.clone().unwrap_or_default().into()),
                ("category", l.category.as_str().into()),
                ("obfuscated", l.obfuscated.into()),
                ("foreign", is_foreign(&platform, home).into()),
                (
                    "sanctioned",
                    link_sanctioned(situation.sanctions, &l.host, &platform).into(),
                ),
                ("platform", platform.into()),
                ("signals", link_signals(&l.signals)),
                ("imitates", l.imitates.clone().unwrap_or_default().into()),
            ])
        })
        .collect()
}

fn share_code_values(facts: &Facts, situation: Situation<'_>, home: &str) -> Vec<Value> {
    facts
        .share_codes
        .iter()
        .map(|c| {
            map([
                ("platform", c.platform.clone().into()),
                ("kind", c.kind.as_str().into()),
                ("token", c.token.clone().into()),
                ("confidence", c.confidence.into()),
                ("foreign", is_foreign(&c.platform, home).into()),
                (
                    "sanctioned",
                    situation.sanctions.apps.contains(&c.platform).into(),
                ),
            ])
        })
        .collect()
}

/// The field names of fact maps, interned once per process.
const FIELDS: [&str; 16] = [
    "url",
    "host",
    "domain",
    "category",
    "obfuscated",
    "foreign",
    "sanctioned",
    "platform",
    "kind",
    "token",
    "confidence",
    "value",
    "term",
    "disguised",
    "signals",
    "imitates",
];

/// The CEL key for a field or score name. Known names come from an immutable table (the
/// [`FIELDS`] of fact maps and the shipped score names), so a key costs a reference count,
/// not an allocation: binding facts is the main cost of deciding.
fn key(name: &str) -> Key {
    static KEYS: std::sync::OnceLock<HashMap<&'static str, Key>> = std::sync::OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        FIELDS
            .iter()
            .chain(SCORE_NAMES.iter())
            .map(|&f| (f, Key::String(Arc::new(f.to_owned()))))
            .collect()
    });
    keys.get(name)
        .cloned()
        .unwrap_or_else(|| Key::String(Arc::new(name.to_owned())))
}

/// The names of the shipped scores: `spam` and the shipped lexicons' categories.
pub(crate) const SCORE_NAMES: [&str; 11] = [
    "spam",
    "phishing",
    "marketing",
    "counterfeit",
    "fraud",
    "gambling",
    "adult",
    "loan",
    "fake_documents",
    "job_scam",
    "illegal_trade",
];

/// A link's host signals as a CEL list; most links have none, and share one empty list.
fn link_signals(signals: &[menshen_detect::signals::SignalName]) -> Value {
    static NONE: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    if signals.is_empty() {
        return NONE
            .get_or_init(|| Value::List(Arc::new(Vec::new())))
            .clone();
    }
    Value::List(Arc::new(
        signals.iter().map(|s| s.as_str().into()).collect(),
    ))
}

/// A CEL map from field names to values.
fn map<const N: usize>(entries: [(&'static str, Value); N]) -> Value {
    let map = entries
        .into_iter()
        .map(|(name, value)| (key(name), value))
        .collect();
    Value::Map(cel::objects::Map { map: Arc::new(map) })
}

/// The `sender` and `signals` values of a standing.
fn standing_values(standing: Option<&Standing>) -> (Value, Value) {
    match standing {
        Some(standing) => standing_value_pair(standing),
        // Without a snapshot the values never change: build them once.
        None => {
            static UNKNOWN: std::sync::OnceLock<(Value, Value)> = std::sync::OnceLock::new();
            UNKNOWN
                .get_or_init(|| standing_value_pair(&Standing::default()))
                .clone()
        }
    }
}

fn standing_value_pair(standing: &Standing) -> (Value, Value) {
    let signals: HashMap<String, Value> = standing
        .signals
        .iter()
        .map(|(k, v)| (k.clone(), (*v).into()))
        .collect();
    let restrictions: Vec<Value> = standing
        .restrictions
        .iter()
        .map(|r| r.clone().into())
        .collect();
    let mut sender: HashMap<String, Value> = HashMap::new();
    sender.insert("strikes".into(), i64::from(standing.strikes).into());
    sender.insert("restrictions".into(), restrictions.into());
    // -1 when unknown, so that `sender.account_age_days < 7` needs a known age to be true.
    sender.insert(
        "account_age_days".into(),
        standing.account_age_days.map_or(-1, i64::from).into(),
    );
    (sender.into(), signals.into())
}

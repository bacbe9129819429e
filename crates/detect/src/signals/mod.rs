//! Evidence as named signals with weights, and the risk scores they add up to.
//!
//! Rspamd's symbols are the model: every piece of evidence a message carries is a named
//! [`Signal`] with a weight in log-odds, and the scores are what the weights add up to. A
//! verdict's reasons name the signals that decided them, with their spans, so a reviewer
//! (or the sender) can see *why*.
//!
//! | signal | category | evidence |
//! |---|---|---|
//! | `term` | the term's | lexicon terms of one category not excused by context; strength = the heaviest term's weight + ½ × the others' (at most +3) |
//! | `excused` | the term's | terms excused by context (`warning`, `negated`, `everyday`): weight 0, listed so a reviewer sees what was forgiven |
//! | `contact` | — | an off-platform contact (phone, WeChat, QQ, e-mail, Telegram) |
//! | `contact_disguised` | — | a contact written in disguise (壹叁捌…, V❤, 艾特) |
//! | `link` | — | a link that leaves the home platform |
//! | `link_obfuscated` | — | a link written in disguise (`abc点com`) |
//! | `share_code` | — | another app's share code |
//! | `price` | — | a price or sum of money (`¥99`, `280元`; see [`price`]) |
//! | `hidden_chars` | — | invisible characters inside the text |
//! | `listed`, `host_confusable`, `host_mixed_script`, `host_punycode`, `brand_impersonation`, `lookalike` | `phishing` | what a link's host says: on a phishing list, or spelt to be mistaken for a brand's (see [`crate::links::phishing`]) |
//! | `model` | — | the trained model's log-odds (clamped to ±8), weighted by what training learnt beside it; for a model that must be corroborated (the shipped default), 0 unless another signal but `link` is present |
//!
//! **Scores.** For each content category `c` with term strength `T_c > 0`:
//! `risk_c = σ(bias + a_c·T_c + G)`, where `a_c` is the category's term weight and `G` the
//! sum of the general signals' weights (the contact, link, price… that turn a mention into an
//! offer). A category without terms scores 0: a phone number alone is nobody's offence.
//! `spam = σ(bias + Σ_c a_c·T_c + G)` sums every category. `phishing` is the link's own:
//! `σ(bias_p + Σ w_s)` over the host signals of the message's most suspect link, with the
//! weights of `[phishing]`; the text around a link does not make its host any more a fake. All weights live in data
//! ([`SignalWeights`], `assets/signals.toml`), and `menshen train` learns them from labelled
//! messages together with a model, which then carries them.

pub mod price;

use std::{collections::BTreeMap, sync::Arc};

use menshen_text::Span;
use serde::{Deserialize, Serialize};

use crate::{Error, Facts};

/// The names of the signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalName {
    Term,
    Excused,
    Contact,
    ContactDisguised,
    Link,
    LinkObfuscated,
    ShareCode,
    Price,
    HiddenChars,
    Model,
    Listed,
    HostConfusable,
    HostMixedScript,
    HostPunycode,
    BrandImpersonation,
    Lookalike,
}

impl SignalName {
    /// The signals whose weight comes from [`SignalWeights::signals`] (every one but the
    /// per-category `term` and the weightless `excused`).
    pub const GENERAL: [SignalName; 8] = [
        SignalName::Contact,
        SignalName::ContactDisguised,
        SignalName::Link,
        SignalName::LinkObfuscated,
        SignalName::ShareCode,
        SignalName::Price,
        SignalName::HiddenChars,
        SignalName::Model,
    ];

    /// The signals of a link's host, which add up to the `phishing` score.
    pub const PHISHING: [SignalName; 6] = [
        SignalName::Listed,
        SignalName::HostConfusable,
        SignalName::HostMixedScript,
        SignalName::HostPunycode,
        SignalName::BrandImpersonation,
        SignalName::Lookalike,
    ];

    /// Where the model's strength sits in [`Evidence::general`].
    pub const MODEL_INDEX: usize = 7;

    pub fn as_str(self) -> &'static str {
        match self {
            SignalName::Term => "term",
            SignalName::Excused => "excused",
            SignalName::Contact => "contact",
            SignalName::ContactDisguised => "contact_disguised",
            SignalName::Link => "link",
            SignalName::LinkObfuscated => "link_obfuscated",
            SignalName::ShareCode => "share_code",
            SignalName::Price => "price",
            SignalName::HiddenChars => "hidden_chars",
            SignalName::Model => "model",
            SignalName::Listed => "listed",
            SignalName::HostConfusable => "host_confusable",
            SignalName::HostMixedScript => "host_mixed_script",
            SignalName::HostPunycode => "host_punycode",
            SignalName::BrandImpersonation => "brand_impersonation",
            SignalName::Lookalike => "lookalike",
        }
    }
}

const _: () = assert!(matches!(
    SignalName::GENERAL[SignalName::MODEL_INDEX],
    SignalName::Model
));

/// One piece of evidence in one message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub name: SignalName,
    /// The content category the signal speaks for; absent for general evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Arc<str>>,
    /// Log-odds this signal adds to the scores it counts in.
    pub weight: f64,
    /// Where the evidence is in the original text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<Span>,
}

/// The weights of the signals: data, from `assets/signals.toml` or a trained model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalWeights {
    /// Where the weights come from (hand-set priors, or the data a model learnt them from).
    #[serde(default)]
    pub provenance: String,
    /// Log-odds of a message with no evidence at all.
    pub bias: f64,
    /// Weights of the general signals (see [`SignalName::GENERAL`]); a signal not listed
    /// weighs 0.
    #[serde(default)]
    pub signals: BTreeMap<SignalName, f64>,
    /// The multiplier of term strength per category; `default` for categories not listed.
    #[serde(default)]
    pub terms: BTreeMap<String, f64>,
    /// The model's judgement counts only beside another piece of evidence (a term, a
    /// contact, a price, a share code, a disguise): set for a model meant for other traffic
    /// than its data's, such as the shipped default, whose word alone is not enough to act
    /// on. A model trained on the platform's own messages may act alone.
    #[serde(default, skip_serializing_if = "is_false")]
    pub corroborate_model: bool,
    /// The weights of the phishing score. Training does not learn them (messages carry no
    /// phishing labels), so a model's weights leave them out and the shipped ones apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phishing: Option<PhishingWeights>,
}

/// The weights of a link's host signals: `phishing = σ(bias + Σ weight)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhishingWeights {
    pub bias: f64,
    #[serde(default)]
    pub signals: BTreeMap<SignalName, f64>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The shipped weights: hand-set priors, which training refines.
pub const EMBEDDED: &str = include_str!("../../../../assets/signals.toml");

impl SignalWeights {
    pub fn embedded() -> Self {
        Self::parse(EMBEDDED, "assets/signals.toml").expect("the shipped weights are valid")
    }

    /// Parse and check a weights file.
    pub fn parse(source: &str, origin: &str) -> Result<Self, Error> {
        let weights: SignalWeights = toml::from_str(source).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |s| crate::context::line_and_column(source, s.start));
            Error::Config {
                origin: format!("{origin}:{line}:{column}"),
                message: e.message().to_owned(),
            }
        })?;
        weights.check().map_err(|message| Error::Config {
            origin: origin.to_owned(),
            message,
        })?;
        Ok(weights)
    }

    /// Every weight finite, `term`/`excused` not among the general signals, and only host
    /// signals among the phishing ones.
    pub fn check(&self) -> Result<(), String> {
        if let Some(phishing) = &self.phishing {
            for name in phishing.signals.keys() {
                if !SignalName::PHISHING.contains(name) {
                    return Err(format!(
                        "`{}` is not a host signal; [phishing] weighs {}",
                        name.as_str(),
                        SignalName::PHISHING.map(SignalName::as_str).join(", ")
                    ));
                }
            }
            let all = std::iter::once(phishing.bias).chain(phishing.signals.values().copied());
            if all.into_iter().any(|w| !w.is_finite() || w.abs() > 50.0) {
                return Err(
                    "every [phishing] weight must be a finite number between -50 and 50".into(),
                );
            }
        }
        for name in self.signals.keys() {
            if !SignalName::GENERAL.contains(name) {
                return Err(format!(
                    "`{}` is not a general signal; term weights go under [terms] by category",
                    name.as_str()
                ));
            }
        }
        let all = std::iter::once(self.bias)
            .chain(self.signals.values().copied())
            .chain(self.terms.values().copied());
        if all.clone().any(|w| !w.is_finite() || w.abs() > 50.0) {
            return Err("every weight must be a finite number between -50 and 50".into());
        }
        Ok(())
    }

    /// The phishing weights: these, or the shipped ones when these leave them out.
    pub fn phishing(&self) -> &PhishingWeights {
        static SHIPPED: std::sync::OnceLock<PhishingWeights> = std::sync::OnceLock::new();
        self.phishing.as_ref().unwrap_or_else(|| {
            SHIPPED.get_or_init(|| {
                SignalWeights::embedded()
                    .phishing
                    .expect("the shipped weights have a [phishing] table (checked by tests)")
            })
        })
    }

    pub fn signal(&self, name: SignalName) -> f64 {
        self.signals.get(&name).copied().unwrap_or(0.0)
    }

    /// The term multiplier of `category`.
    pub fn term(&self, category: &str) -> f64 {
        self.terms
            .get(category)
            .or_else(|| self.terms.get("default"))
            .copied()
            .unwrap_or(1.0)
    }
}

/// How much a category's terms weigh together: the heaviest term's weight plus half of the
/// others', the extra capped at [`EXTRA_TERMS_CAP`], so that a list of synonyms does not
/// outvote everything else.
pub fn term_strength(weights: impl Iterator<Item = f64>) -> f64 {
    let (mut max, mut sum) = (0.0f64, 0.0f64);
    for w in weights {
        max = max.max(w);
        sum += w;
    }
    max + (0.5 * (sum - max)).min(EXTRA_TERMS_CAP)
}

/// The most that a category's other terms add to its heaviest one.
pub const EXTRA_TERMS_CAP: f64 = 3.0;

/// The inputs of the scores for one message: each signal's raw strength `x` (1 for a
/// present general signal, the term strength for `term`), before weighting. Training fits
/// the weights over these.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Term strength per category (index into the analyzer's categories); 0 when absent.
    pub terms: Vec<f64>,
    /// Strength of each general signal, in the order of [`SignalName::GENERAL`].
    pub general: [f64; SignalName::GENERAL.len()],
    /// Scratch: the sum of term weights per category.
    sums: Vec<f64>,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn round(score: f64) -> f64 {
    (score * 1000.0).round() / 1000.0
}

/// `ln(p / (1 − p))`, kept finite.
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// What the model contributes as evidence: its log-odds, clamped so that no model alone can
/// swamp every other signal. Its weight is learnt together with the model, which carries it.
pub fn model_strength(probability: f64) -> f64 {
    logit(probability).clamp(-8.0, 8.0)
}

/// Gather the evidence of a message's facts. `categories` are the analyzer's content
/// categories; `foreign` tells links and share codes that leave the platform from those that
/// do not; `model` computes the model's strength, if one is loaded, and is called only when
/// that strength can count.
pub(crate) fn evidence(
    facts: &Facts,
    categories: &[Arc<str>],
    prices: &[Span],
    foreign: impl Fn(Option<&str>) -> bool,
    model: Option<impl FnOnce(&Facts) -> f64>,
    corroborate_model: bool,
    out: &mut Evidence,
) {
    out.terms.clear();
    out.terms.resize(categories.len(), 0.0);
    out.sums.clear();
    out.sums.resize(categories.len(), 0.0);
    // One pass: the heaviest weight and the sum per category (categories are sorted).
    for term in facts.terms.iter().filter(|t| t.context.is_none()) {
        if let Ok(index) = categories.binary_search_by(|c| (**c).cmp(term.category.as_str())) {
            out.terms[index] = out.terms[index].max(term.weight);
            out.sums[index] += term.weight;
        }
    }
    for (strength, sum) in out.terms.iter_mut().zip(&out.sums) {
        if *strength > 0.0 {
            *strength += (0.5 * (sum - *strength)).min(EXTRA_TERMS_CAP);
        }
    }
    let present = |b: bool| f64::from(u8::from(b));
    let text_links = facts
        .links
        .iter()
        .filter(|l| foreign(l.platform.as_deref()));
    out.general = [
        present(!facts.contacts.is_empty()),
        present(facts.contacts.iter().any(|c| c.disguised)),
        present(text_links.clone().next().is_some()),
        present(text_links.clone().any(|l| l.obfuscated)),
        present(facts.share_codes.iter().any(|c| foreign(Some(&c.platform)))),
        present(!prices.is_empty()),
        present(facts.hidden_chars > 0),
        0.0,
    ];
    // A model that must be corroborated counts only beside a piece of evidence a reviewer
    // can read (a term, a contact, a price, a share code, a disguise), so that no message is
    // withheld on its word about text unlike what it learnt from. A plain link is everyday
    // chat and corroborates nothing.
    let corroborated = !corroborate_model
        || out.terms.iter().any(|&t| t > 0.0)
        || SignalName::GENERAL
            .iter()
            .zip(&out.general)
            .any(|(name, &x)| x > 0.0 && *name != SignalName::Link);
    if corroborated && let Some(model) = model {
        out.general[SignalName::MODEL_INDEX] = model(facts);
    }
}

/// The scores and the signals of one message, from its evidence.
pub(crate) fn judge(
    facts: &mut Facts,
    evidence: &Evidence,
    categories: &[Arc<str>],
    weights: &SignalWeights,
    prices: &[Span],
    model_loaded: bool,
    foreign: impl Fn(Option<&str>) -> bool,
) {
    let mut signals = Vec::new();
    let mut general = 0.0;
    for (index, name) in SignalName::GENERAL.iter().enumerate() {
        let x = evidence.general[index];
        if x == 0.0 && !(*name == SignalName::Model && model_loaded) {
            continue;
        }
        let weight = weights.signal(*name) * x;
        general += weight;
        signals.push(Signal {
            name: *name,
            category: None,
            weight: round(weight),
            spans: general_spans(facts, *name, prices, &foreign),
        });
    }
    let mut spam = weights.bias + general;
    let mut scores = Scores::default();
    let any_excused = facts.terms.iter().any(|t| t.context.is_some());
    for (index, category) in categories.iter().enumerate() {
        let strength = evidence.terms[index];
        let excused: Vec<Span> = if any_excused {
            facts
                .terms
                .iter()
                .filter(|t| t.context.is_some() && *t.category == **category)
                .map(|t| t.span)
                .collect()
        } else {
            Vec::new()
        };
        if !excused.is_empty() {
            signals.push(Signal {
                name: SignalName::Excused,
                category: Some(category.clone()),
                weight: 0.0,
                spans: excused,
            });
        }
        if strength == 0.0 {
            scores.push(category.clone(), 0.0);
            continue;
        }
        let weight = weights.term(category) * strength;
        spam += weight;
        scores.push(
            category.clone(),
            round(sigmoid(weights.bias + weight + general)),
        );
        signals.push(Signal {
            name: SignalName::Term,
            category: Some(category.clone()),
            weight: round(weight),
            spans: facts
                .terms
                .iter()
                .filter(|t| t.context.is_none() && *t.category == **category)
                .map(|t| t.span)
                .collect(),
        });
    }
    scores.push(spam_key(), round(sigmoid(spam)));
    scores.push(
        phishing_key(),
        phishing(facts, weights.phishing(), &mut signals),
    );
    // Strongest evidence first, as a reviewer reads it.
    signals.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    facts.signals = signals;
    facts.scores = scores;
}

fn general_spans(
    facts: &Facts,
    name: SignalName,
    prices: &[Span],
    foreign: &impl Fn(Option<&str>) -> bool,
) -> Vec<Span> {
    let in_text = |attachment: Option<usize>| attachment.is_none();
    match name {
        SignalName::Contact => facts.contacts.iter().map(|c| c.span).collect(),
        SignalName::ContactDisguised => facts
            .contacts
            .iter()
            .filter(|c| c.disguised)
            .map(|c| c.span)
            .collect(),
        SignalName::Link | SignalName::LinkObfuscated => facts
            .links
            .iter()
            .filter(|l| in_text(l.attachment) && foreign(l.platform.as_deref()))
            .filter(|l| name == SignalName::Link || l.obfuscated)
            .map(|l| l.span)
            .collect(),
        SignalName::ShareCode => facts
            .share_codes
            .iter()
            .filter(|c| in_text(c.attachment) && foreign(Some(&c.platform)))
            .map(|c| c.span)
            .collect(),
        SignalName::Price => prices.to_vec(),
        SignalName::Term
        | SignalName::Excused
        | SignalName::HiddenChars
        | SignalName::Model
        | SignalName::Listed
        | SignalName::HostConfusable
        | SignalName::HostMixedScript
        | SignalName::HostPunycode
        | SignalName::BrandImpersonation
        | SignalName::Lookalike => Vec::new(),
    }
}

/// The phishing score of the message's most suspect link, and its signals.
fn phishing(facts: &Facts, weights: &PhishingWeights, signals: &mut Vec<Signal>) -> f64 {
    let weight = |name: &SignalName| weights.signals.get(name).copied().unwrap_or(0.0);
    let suspect = facts
        .links
        .iter()
        .filter(|l| !l.signals.is_empty())
        .map(|l| (l, l.signals.iter().map(weight).sum::<f64>()))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let Some((link, _)) = suspect else {
        return 0.0;
    };
    let category = phishing_key();
    for name in &link.signals {
        let spans = facts
            .links
            .iter()
            .filter(|l| l.signals.contains(name))
            .map(|l| l.span)
            .collect();
        signals.push(Signal {
            name: *name,
            category: Some(category.clone()),
            weight: round(weight(name)),
            spans,
        });
    }
    let z = weights.bias + link.signals.iter().map(weight).sum::<f64>();
    round(sigmoid(z))
}

fn phishing_key() -> Arc<str> {
    static PHISHING: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
    PHISHING.get_or_init(|| Arc::from("phishing")).clone()
}

fn spam_key() -> Arc<str> {
    static SPAM: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
    SPAM.get_or_init(|| Arc::from("spam")).clone()
}

/// Scores in [0, 1] by name: `spam` and one per content category. A map in JSON
/// (`{"spam":0.93,"fraud":0.12,…}`), kept as a small list whose names are shared, so that
/// scoring a message allocates no strings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores(Vec<(Arc<str>, f64)>);

impl Scores {
    /// The score called `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| &**n == name).map(|(_, s)| *s)
    }

    /// Set a score, replacing one of the same name.
    pub fn insert(&mut self, name: &str, score: f64) {
        match self.0.iter_mut().find(|(n, _)| &**n == name) {
            Some(entry) => entry.1 = score,
            None => self.0.push((Arc::from(name), score)),
        }
    }

    fn push(&mut self, name: Arc<str>, score: f64) {
        self.0.push((name, score));
    }

    /// Every score, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        let mut sorted: Vec<(&str, f64)> = self.0.iter().map(|(n, s)| (&**n, *s)).collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        sorted.into_iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const N: usize> From<[(&str, f64); N]> for Scores {
    fn from(entries: [(&str, f64); N]) -> Self {
        let mut scores = Scores::default();
        for (name, score) in entries {
            scores.insert(name, score);
        }
        scores
    }
}

impl Serialize for Scores {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, score) in self.iter() {
            map.serialize_entry(name, &score)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Scores {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, f64>::deserialize(deserializer)?;
        Ok(Scores(
            map.into_iter().map(|(n, s)| (Arc::from(n), s)).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_grows_with_terms_but_is_capped() {
        assert_eq!(term_strength([1.0].into_iter()), 1.0);
        assert_eq!(term_strength([0.3, 1.5].into_iter()), 1.65);
        assert_eq!(term_strength([1.0; 10].into_iter()), 4.0);
    }

    #[test]
    fn shipped_weights_load_and_bad_ones_are_refused() {
        let weights = SignalWeights::embedded();
        assert!(weights.bias < 0.0, "no evidence, no risk");
        assert!(weights.signal(SignalName::Contact) > 0.0);
        let err = SignalWeights::parse("bias = -3\n[signals]\nterm = 1\n", "w.toml").unwrap_err();
        assert!(err.to_string().contains("not a general signal"), "{err}");
        let err = SignalWeights::parse("bias = \"x\"\n", "w.toml").unwrap_err();
        assert!(err.to_string().starts_with("w.toml:1:8"), "{err}");
    }

    #[test]
    fn scores_serialize_as_a_map_in_name_order() {
        let scores = Scores::from([("spam", 0.5), ("fraud", 0.25)]);
        assert_eq!(
            serde_json::to_string(&scores).unwrap(),
            r#"{"fraud":0.25,"spam":0.5}"#
        );
        let back: Scores = serde_json::from_str(r#"{"spam":0.5}"#).unwrap();
        assert_eq!(back.get("spam"), Some(0.5));
    }
}

//! menshen's analysis: a message in, facts out.
//!
//! [`Analyzer::analyze`] is a pure function of the text and the loaded configuration: no I/O,
//! no clocks, no globals. It normalizes the text once ([`menshen_text::Normalized`]), runs one
//! automaton over it for every listed word, and hands the result to small detectors, each in
//! its own module with a doc comment saying what it catches and why:
//!
//! - [`links`]: links with and without a scheme, disguised dots;
//! - [`share_codes`]: other apps' share codes (淘口令 and its cousins);
//! - [`contacts`]: phone numbers, WeChat, QQ, e-mail and Telegram behind disguises;
//! - [`terms`]: lexicon terms with exceptions;
//! - [`qr`]: QR codes in image attachments, fed back through links and share codes;
//! - [`signals`]: all of that as named signals with weights, and the risk scores per
//!   category they add up to.
//!
//! ```
//! use menshen_detect::Analyzer;
//!
//! let analyzer = Analyzer::embedded();
//! let facts = analyzer.analyze("复制这条信息€Zx9CvB8nM7k€，打开【手机淘宝】即可查看");
//! assert_eq!(facts.share_codes[0].platform, "taobao");
//! assert_eq!(facts.share_codes[0].token, "Zx9CvB8nM7k");
//! ```

pub mod contacts;
pub mod context;
pub mod facts;
pub mod fingerprint;
pub mod lexicon;
pub mod links;
pub mod matcher;
pub mod qr;
pub mod registry;
pub mod score;
pub mod share_codes;
pub mod signals;
pub mod terms;

use std::sync::Arc;

use menshen_text::{Normalized, Span};
use serde::Deserialize;

pub use facts::*;
use lexicon::Lexicon;
use links::FoundLink;
use matcher::{Hit, Matcher};
use registry::Registry;
use signals::{Evidence, SignalWeights};

/// Errors from loading configuration. Analysis itself never fails.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{origin}: {message}")]
    Config { origin: String, message: String },
    #[error("{}", .0.join("\n"))]
    Lexicon(Vec<String>),
    #[error("could not build {0}")]
    Build(String),
}

/// Analyzer settings. Every field has a default that suits chat traffic.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyzerConfig {
    /// How many separator characters a listed word may be split by between two of its
    /// characters (诚*招*代*理 needs 1). Default 3.
    pub max_gap: usize,
    /// Share-code candidates below this confidence are not reported. Default 0.6.
    pub share_code_threshold: f64,
    /// Decode QR codes in image attachments. Default true.
    pub decode_qr: bool,
    /// Attachments larger than this (after base64 decoding) are not decoded. Default 8 MiB.
    pub max_attachment_bytes: usize,
    /// Images with more pixels than this are not decoded. Default 16 million.
    pub max_image_pixels: u64,
    /// Compute near-duplicate fingerprints (`facts.fingerprint`) for campaign detection. Off
    /// by default: it costs about a tenth of analysis, and only campaign tracking reads it.
    pub fingerprints: bool,
    /// At most this many facts of each kind (links, share codes, contacts, terms) are kept
    /// per message; past it, `facts.truncated` is set and a warning says what was cut.
    /// Default 1,000: no honest message comes near it, and it bounds the verdict's size.
    pub max_facts: usize,
    /// At most this many image attachments are decoded per message; the rest get a warning.
    /// Default 4.
    pub max_attachments: usize,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        Self {
            max_gap: 3,
            share_code_threshold: 0.6,
            decode_qr: true,
            max_attachment_bytes: 8 << 20,
            max_image_pixels: 16_000_000,
            fingerprints: false,
            max_facts: 1_000,
            max_attachments: 4,
        }
    }
}

/// An image or other file attached to a message.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Attachment {
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The file's bytes, base64-encoded.
    #[serde(default)]
    pub base64: Option<String>,
}

/// The compiled analysis configuration: registry, lexicons, automaton.
#[derive(Debug)]
pub struct Analyzer {
    registry: Registry,
    lexicon: Lexicon,
    matcher: Matcher,
    config: AnalyzerConfig,
    model: Option<Arc<score::Model>>,
    /// The lexicon's content categories, sorted: each has a risk score.
    categories: Vec<Arc<str>>,
    weights: SignalWeights,
}

/// Buffers reused from one message to the next.
#[derive(Debug, Default)]
pub struct Scratch {
    norm: Normalized,
    hits: Vec<Hit>,
    links: Vec<FoundLink>,
    prices: Vec<Span>,
    evidence: Evidence,
}

/// Whether `[start, end)` lies inside one of `ranges`, which are sorted by start and do not
/// overlap (links in scan order). A binary search, so that callers stay linear overall.
pub(crate) fn inside_any(ranges: &[(usize, usize)], start: usize, end: usize) -> bool {
    let i = ranges.partition_point(|&(s, _)| s <= start);
    i > 0 && ranges[i - 1].1 >= end
}

/// What the detectors share about one message.
pub(crate) struct Context<'a> {
    pub original: &'a str,
    pub norm: &'a Normalized,
    pub hits: &'a [Hit],
    pub links: &'a [FoundLink],
    pub registry: &'a Registry,
    pub lexicon: &'a Lexicon,
    pub config: &'a AnalyzerConfig,
}

impl Analyzer {
    /// The analyzer with the shipped registry, lexicons and default model, and default
    /// settings.
    pub fn embedded() -> Self {
        Self::new(
            Registry::embedded(),
            Lexicon::embedded(),
            AnalyzerConfig::default(),
        )
        .expect("the embedded configuration is valid")
        .with_model(score::Model::embedded())
    }

    /// The shipped configuration without any model: scores from the other signals alone.
    pub fn embedded_without_model() -> Self {
        Self::embedded().without_model()
    }

    /// Build an analyzer from a registry, lexicons and settings.
    pub fn new(
        registry: Registry,
        lexicon: Lexicon,
        config: AnalyzerConfig,
    ) -> Result<Self, Error> {
        let matcher = Matcher::build(&registry, &lexicon, config.max_gap)?;
        let mut categories: Vec<Arc<str>> = Vec::new();
        for term in &lexicon.terms {
            if !categories.iter().any(|c| **c == *term.category) {
                categories.push(Arc::from(term.category.as_str()));
            }
        }
        categories.sort();
        Ok(Self {
            registry,
            lexicon,
            matcher,
            config,
            model: None,
            categories,
            weights: SignalWeights::embedded(),
        })
    }

    /// Add a trained model's evidence to the scores, in place of any model loaded before. A
    /// model carries the signal weights it was trained with (older model files do not: the
    /// shipped priors apply to them).
    pub fn with_model(mut self, model: Arc<score::Model>) -> Self {
        self.weights = model
            .provenance
            .signal_weights
            .clone()
            .unwrap_or_else(SignalWeights::embedded);
        self.model = Some(model);
        self
    }

    /// Drop the model: scores from the other signals alone, with the shipped priors.
    pub fn without_model(mut self) -> Self {
        self.model = None;
        self.weights = SignalWeights::embedded();
        self
    }

    /// Score with these signal weights (an operator's, or ones being trained).
    pub fn with_weights(mut self, weights: SignalWeights) -> Self {
        self.weights = weights;
        self
    }

    pub fn weights(&self) -> &SignalWeights {
        &self.weights
    }

    /// The content categories, each with a risk score in `facts.scores`.
    pub fn categories(&self) -> &[Arc<str>] {
        &self.categories
    }

    pub fn model(&self) -> Option<&score::Model> {
        self.model.as_deref()
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// Analyze one text.
    pub fn analyze(&self, text: &str) -> Facts {
        self.analyze_with(text, &mut Scratch::default())
    }

    /// Analyze one text, reusing `scratch`'s buffers.
    pub fn analyze_with(&self, text: &str, scratch: &mut Scratch) -> Facts {
        scratch.norm.normalize(text);
        self.matcher.find(&scratch.norm, &mut scratch.hits);
        let max = self.config.max_facts;
        let links_cut = links::find(scratch.norm.text(), &self.registry, &mut scratch.links, max);
        let cx = Context {
            original: text,
            norm: &scratch.norm,
            hits: &scratch.hits,
            links: &scratch.links,
            registry: &self.registry,
            lexicon: &self.lexicon,
            config: &self.config,
        };
        let mut contacts = contacts::find(&cx);
        let links = links::facts(&cx, &contacts);
        // The userinfo of a link (`https://item.taobao.com@evil.top/`) reads like an e-mail
        // address; inside a link it is part of the link, not a contact.
        if contacts.iter().any(|c| c.kind == ContactKind::Email) && !links.is_empty() {
            let mut spans: Vec<(usize, usize)> =
                links.iter().map(|l| (l.span.start, l.span.end)).collect();
            spans.sort_unstable();
            contacts.retain(|c| {
                c.kind != ContactKind::Email || !inside_any(&spans, c.span.start, c.span.end)
            });
        }
        let mut facts = Facts {
            links,
            share_codes: share_codes::find(&cx),
            terms: terms::find(&cx),
            contacts,
            hidden_chars: scratch.norm.hidden_chars(),
            ..Facts::default()
        };
        if links_cut {
            facts.cut_links(max);
        }
        facts.cap(max);
        signals::price::find(scratch.norm.text(), &mut scratch.prices);
        for price in &mut scratch.prices {
            *price = scratch.norm.original_span(price.start..price.end);
        }
        let home = self.registry.file.home.as_str();
        let foreign =
            |platform: Option<&str>| platform.is_none_or(|p| registry::is_foreign(p, home));
        // The model reads the text only when its judgement can count (see `signals`).
        let key = scratch.norm.key();
        let model = self.model.as_ref().map(|model| {
            move |facts: &Facts| {
                signals::model_strength(model.probability_of(key, facts, text.len()))
            }
        });
        signals::evidence(
            &facts,
            &self.categories,
            &scratch.prices,
            foreign,
            model,
            self.weights.corroborate_model,
            &mut scratch.evidence,
        );
        signals::judge(
            &mut facts,
            &scratch.evidence,
            &self.categories,
            &self.weights,
            &scratch.prices,
            self.model.is_some(),
            foreign,
        );
        if self.config.fingerprints {
            facts.fingerprint =
                fingerprint::simhash(scratch.norm.key()).map(|f| format!("{f:016x}"));
        }
        facts
    }

    /// The near-duplicate fingerprint of the text [`Analyzer::analyze_with`] last analyzed with
    /// `scratch`, for a caller that needs it for some messages only.
    pub fn last_fingerprint(&self, scratch: &Scratch) -> Option<u64> {
        fingerprint::simhash(scratch.norm.key())
    }

    /// The near-duplicate fingerprint (SimHash of the normalized text, digits folded) alone,
    /// without the rest of the analysis; `None` for a text too short to fingerprint.
    pub fn fingerprint(&self, text: &str, scratch: &mut Scratch) -> Option<u64> {
        scratch.norm.normalize(text);
        fingerprint::simhash(scratch.norm.key())
    }

    /// The features of a text for training: the same ones [`Analyzer::analyze_with`] scores.
    pub fn features(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<u32>) {
        let facts = self.analyze_with(text, scratch);
        score::features(scratch.norm.key(), &facts, text.len(), out);
    }

    /// The evidence of a text, unweighted: what training fits the signal weights over. Its
    /// `terms` follow [`Analyzer::categories`].
    pub fn evidence(&self, text: &str, scratch: &mut Scratch) -> Evidence {
        self.analyze_with(text, scratch);
        scratch.evidence.clone()
    }

    /// Analyze a text and its attachments: QR codes in images are decoded and their payloads
    /// analyzed for links and share codes, each fact marked with its attachment's index.
    pub fn analyze_message(
        &self,
        text: &str,
        attachments: &[Attachment],
        scratch: &mut Scratch,
    ) -> Facts {
        let mut facts = self.analyze_with(text, scratch);
        self.analyze_attachments(attachments, scratch, &mut facts);
        facts
    }

    /// Add what the QR codes in `attachments` carry to `facts` (the second half of
    /// [`Analyzer::analyze_message`]; `scratch` no longer holds the text afterwards).
    pub fn analyze_attachments(
        &self,
        attachments: &[Attachment],
        scratch: &mut Scratch,
        facts: &mut Facts,
    ) {
        if self.config.decode_qr && !attachments.is_empty() {
            qr::analyze_attachments(self, attachments, scratch, facts);
        }
    }
}

//! The facts that analysis finds in a message: the `facts` object of a verdict.
//!
//! Every span is a byte range `[start, end)` of the original text, or of the decoded QR
//! payload for facts that carry an `attachment` index.

use menshen_text::Span;
use serde::{Deserialize, Serialize};

use crate::signals::{Scores, Signal, SignalName};

/// Everything analysis found in one message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub links: Vec<Link>,
    pub share_codes: Vec<ShareCode>,
    pub contacts: Vec<Contact>,
    pub terms: Vec<Term>,
    /// Scores in [0, 1] by name: `spam`, and one risk score per content category
    /// (`marketing`, `counterfeit`, `fraud`, …); see [`crate::signals`].
    pub scores: Scores,
    /// The evidence behind the scores, strongest first: named signals with weights and spans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<Signal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qr_codes: Vec<QrCode>,
    /// A near-duplicate fingerprint (64-bit SimHash of the normalized text, hex), for
    /// campaign detection; absent for short texts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// How many invisible characters (zero-width, bidi controls, fillers) the text carried.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hidden_chars: usize,
    /// Problems with the input that did not stop analysis (an attachment that is not an image).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// Some kind of fact had more than the per-message limit (`AnalyzerConfig::max_facts`)
    /// and only the first ones are reported; the warnings say which.
    #[serde(default, skip_serializing_if = "is_false")]
    pub truncated: bool,
}

impl Facts {
    /// Keep at most `max` facts of each kind, saying what was cut.
    pub fn cap(&mut self, max: usize) {
        let cut = |kind: &str, len: usize, warnings: &mut Vec<Warning>| {
            if len > max {
                warnings.push(Warning {
                    attachment: None,
                    message: format!("{len} {kind} found; only the first {max} are reported"),
                });
                true
            } else {
                false
            }
        };
        let mut truncated = false;
        truncated |= cut("share codes", self.share_codes.len(), &mut self.warnings);
        self.share_codes.truncate(max);
        truncated |= cut("contacts", self.contacts.len(), &mut self.warnings);
        self.contacts.truncate(max);
        truncated |= cut("terms", self.terms.len(), &mut self.warnings);
        self.terms.truncate(max);
        truncated |= cut("links", self.links.len(), &mut self.warnings);
        self.links.truncate(max);
        self.truncated |= truncated;
    }

    /// The link scan stopped at `max` links: say so.
    pub fn cut_links(&mut self, max: usize) {
        self.truncated = true;
        self.warnings.push(Warning {
            attachment: None,
            message: format!(
                "more than {max} links; only the first {max} are reported (the rest of the text was read for other facts)"
            ),
        });
    }

    /// Every span of every text fact (links, share codes, contacts, terms), in no particular
    /// order. Facts from QR payloads carry spans into the payload, not the text.
    pub fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        let text_only = |attachment: Option<usize>| attachment.is_none();
        self.links
            .iter()
            .filter(move |l| text_only(l.attachment))
            .map(|l| l.span)
            .chain(
                self.share_codes
                    .iter()
                    .filter(move |c| text_only(c.attachment))
                    .map(|c| c.span),
            )
            .chain(self.contacts.iter().map(|c| c.span))
            .chain(self.terms.iter().map(|t| t.span))
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn default_term_weight() -> f64 {
    crate::lexicon::DEFAULT_WEIGHT
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A link: with or without a scheme, possibly obfuscated (`abc点com`, `www . x . com`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The link as it reads once de-obfuscated (`abc.com` for `abc点com`).
    pub url: String,
    /// Lower-case host name.
    pub host: String,
    /// The registrable domain (`tb.cn` for `m.tb.cn`), by the public suffix list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The platform that owns the host, from the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    pub category: Category,
    pub span: Span,
    /// The link was written in a disguised form (spelled-out or full-width dots, spaces).
    #[serde(default, skip_serializing_if = "is_false")]
    pub obfuscated: bool,
    /// Index of the attachment whose QR code carried this link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<usize>,
    /// What the host's spelling and the reputation lists say of it: `listed`,
    /// `host_confusable`, `host_mixed_script`, `host_punycode`, `brand_impersonation`,
    /// `lookalike` (see [`crate::links::phishing`]). They add up to `scores.phishing`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<SignalName>,
    /// The brand the host imitates (`icbc` for `icbc-vip.top`), when it names or copies one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imitates: Option<String>,
}

/// Link categories: the platform's, from the registry, or a reputation list's.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Ecommerce,
    ShortVideo,
    Social,
    Payment,
    Search,
    News,
    /// On a phishing list.
    Phishing,
    /// On a list of gambling sites.
    Gambling,
    /// On a list of adult sites.
    Adult,
    /// On a list of spam sites.
    Spam,
    /// A URL shortener: where it leads is hidden.
    Shortener,
    #[default]
    Other,
}

impl Category {
    /// Every category, in the order above.
    pub const ALL: [Category; 12] = [
        Category::Ecommerce,
        Category::ShortVideo,
        Category::Social,
        Category::Payment,
        Category::Search,
        Category::News,
        Category::Phishing,
        Category::Gambling,
        Category::Adult,
        Category::Spam,
        Category::Shortener,
        Category::Other,
    ];

    /// The name used in verdicts and policy rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Ecommerce => "ecommerce",
            Category::ShortVideo => "short_video",
            Category::Social => "social",
            Category::Payment => "payment",
            Category::Search => "search",
            Category::News => "news",
            Category::Phishing => "phishing",
            Category::Gambling => "gambling",
            Category::Adult => "adult",
            Category::Spam => "spam",
            Category::Shortener => "shortener",
            Category::Other => "other",
        }
    }
}

/// Share-code kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareKind {
    /// A token that reopens content in another app (淘口令 `￥Qw3rTy7UiOp￥`).
    Password,
    /// A platform's share short link (`https://v.douyin.com/e3md8Sx/`).
    ShortLink,
    /// A mini-program path (`#小程序://商城/0JPDrt84ecI5Gwq`).
    MiniProgram,
}

impl ShareKind {
    /// The name used in verdicts and policy rules.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareKind::Password => "password",
            ShareKind::ShortLink => "short_link",
            ShareKind::MiniProgram => "mini_program",
        }
    }
}

/// Another app's share code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareCode {
    pub platform: String,
    pub kind: ShareKind,
    pub token: String,
    pub span: Span,
    /// How sure the detector is, in [0, 1]; see `share_codes` for how signals combine.
    pub confidence: f64,
    /// The signals that found it, for reviewers: `token_shape`, `delimiters`, `anchor`, ….
    pub signals: Vec<ShareSignal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<usize>,
}

/// A piece of evidence behind a share code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareSignal {
    /// A known share host (`m.tb.cn`, `v.douyin.com`) or share parameter (`tk=`).
    ShareLink,
    /// An alphanumeric core of a platform's token length, mixing letters and digits.
    TokenShape,
    /// Currency signs, emoji or a matching pair around the token.
    Delimiters,
    /// A platform's prefix before the token (`Z:/` for Alipay).
    Prefix,
    /// "复制…打开…<app>" and its variants.
    Anchor,
    /// A platform tag such as 【淘宝】.
    Tag,
    /// A platform's name for its codes (淘口令, 喵口令).
    Marker,
    /// The two-letters-and-digits channel code (CZ3457) of link-first share texts.
    ChannelCode,
    /// A platform-specific layout (mini-program path, Douyin code, JD red packet).
    Template,
}

/// Contact kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Phone,
    Wechat,
    Qq,
    Email,
    Telegram,
}

impl ContactKind {
    /// The name used in verdicts and policy rules.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Phone => "phone",
            ContactKind::Wechat => "wechat",
            ContactKind::Qq => "qq",
            ContactKind::Email => "email",
            ContactKind::Telegram => "telegram",
        }
    }
}

/// A way to reach someone off-platform.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub kind: ContactKind,
    /// The contact as it reads once undisguised (digits for 壹叁捌…, `a@b.com` for `a艾特b点com`).
    pub value: String,
    pub span: Span,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disguised: bool,
}

/// A lexicon term.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// The lexicon entry that matched, as written in the lexicon.
    pub term: String,
    pub category: String,
    pub span: Span,
    /// Found only through folding: separators, traditional or look-alike characters, pinyin.
    #[serde(default, skip_serializing_if = "is_false")]
    pub disguised: bool,
    /// The term's weight in its lexicon (not serialized: the term's signal carries it).
    #[serde(skip, default = "default_term_weight")]
    pub weight: f64,
    /// The context rule that excuses the term (`warning`, `negated`, `everyday`): it is
    /// reported, and counts for nothing in the scores (see `context`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

/// A QR code decoded from an image attachment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QrCode {
    pub attachment: usize,
    pub payload: String,
}

/// A problem with one part of the input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<usize>,
    pub message: String,
}

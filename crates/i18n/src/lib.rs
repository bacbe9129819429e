//! menshen's message catalogue: every text a person reads, in Simplified Chinese (`zh-CN`, the
//! default: the home platform's users write Chinese) and English (`en`).
//!
//! - [`Msg`] names the messages that code writes: refusals, ban reasons, the words for "until
//!   further notice", report feedback. Each is one Fluent message in `locales/<tag>/*.ftl`.
//! - [`console`] looks up the console's texts by id; the templates name them, and a test
//!   checks that every id a template uses exists in both languages.
//! - [`Text`] is a text an operator writes in a profile (a rule's message, a notice): one
//!   string for every language, or a table with one per language.
//! - [`Locale::negotiate`] reads an `Accept-Language` header.
//!
//! Machine-facing words (rule ids, error codes, function names) stay English everywhere.
//!
//! ```
//! use menshen_i18n::{Locale, Msg, text};
//! let refusal = text(Locale::En, Msg::Refusal, &[("function", "post share codes"), ("until", "2026-11-22T08:00:00Z")]);
//! assert_eq!(refusal, "you cannot post share codes until 2026-11-22T08:00:00Z");
//! assert_eq!(Locale::negotiate("en-US,en;q=0.9,zh;q=0.8"), Some(Locale::En));
//! ```

use std::{fmt, str::FromStr, sync::LazyLock};

use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};
use serde::{Deserialize, Serialize};

/// A language menshen speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    /// Simplified Chinese, the default.
    #[default]
    ZhCn,
    /// English.
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag: `zh-CN` or `en`.
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// The locale for a language tag: any Chinese tag (`zh`, `zh-CN`, `zh-Hans`, `zh-TW`…)
    /// reads Chinese, any English one English, case-insensitively; others are `None`.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Locale::ZhCn),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The best locale for an `Accept-Language` header: the supported tag with the highest
    /// quality, the earlier one among equals; `None` when it names no language menshen speaks
    /// (the deployment's default then applies). `*` is ignored: it names no preference.
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut best: Option<(Locale, f32)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let Some(locale) = pieces.next().and_then(Locale::parse) else {
                continue;
            };
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
                .unwrap_or(0.0);
            if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((locale, quality));
            }
        }
        best.map(|(locale, _)| locale)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// A language tag menshen does not speak.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLocale {
    pub given: String,
}

impl fmt::Display for UnknownLocale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a language menshen speaks; use zh-CN or en",
            self.given
        )
    }
}

impl std::error::Error for UnknownLocale {}

impl FromStr for Locale {
    type Err = UnknownLocale;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Locale::parse(s).ok_or_else(|| UnknownLocale { given: s.into() })
    }
}

impl Serialize for Locale {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.tag())
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(d)?;
        tag.parse().map_err(serde::de::Error::custom)
    }
}

/// A text an operator writes: `"…"` for every language, or `{ zh-CN = "…", en = "…" }`. A
/// table may leave one language out; that one then reads the other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    by_locale: [String; 2],
}

impl Text {
    /// One text for every language.
    pub fn same(text: impl Into<String>) -> Self {
        let text = text.into();
        Text {
            by_locale: [text.clone(), text],
        }
    }

    /// A text per language.
    pub fn new(zh_cn: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            by_locale: [zh_cn.into(), en.into()],
        }
    }

    pub fn get(&self, locale: Locale) -> &str {
        &self.by_locale[locale.index()]
    }

    /// Every language's version.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.by_locale.iter().map(String::as_str)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TextSource {
    Plain(String),
    ByLocale(ByLocale),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ByLocale {
    #[serde(rename = "zh-CN")]
    zh_cn: Option<String>,
    en: Option<String>,
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match TextSource::deserialize(d) {
            Ok(TextSource::Plain(text)) => Ok(Text::same(text)),
            Ok(TextSource::ByLocale(ByLocale { zh_cn, en })) => match (zh_cn, en) {
                (Some(zh_cn), Some(en)) => Ok(Text::new(zh_cn, en)),
                (Some(one), None) | (None, Some(one)) => Ok(Text::same(one)),
                (None, None) => Err(serde::de::Error::custom(
                    "a text table needs `zh-CN`, `en` or both",
                )),
            },
            Err(_) => Err(serde::de::Error::custom(
                "expected a text: a string, or a table like { zh-CN = \"…\", en = \"…\" }",
            )),
        }
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if self.by_locale[0] == self.by_locale[1] {
            return s.serialize_str(&self.by_locale[0]);
        }
        let mut map = s.serialize_map(Some(2))?;
        for locale in Locale::ALL {
            map.serialize_entry(locale.tag(), self.get(locale))?;
        }
        map.end()
    }
}

macro_rules! messages {
    ($($(#[$doc:meta])* $variant:ident = $id:literal,)*) => {
        /// A message code writes, by its catalogue id.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* $variant,)*
        }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$variant,)*];

            /// The Fluent id.
            pub const fn id(self) -> &'static str {
                match self {
                    $(Msg::$variant => $id,)*
                }
            }
        }
    };
}

messages! {
    /// A restricted function refused: `$function` (a [`Msg::Function`] phrase), `$until`.
    Refusal = "refusal",
    /// Stands for the end of a restriction that has none.
    UntilFurtherNotice = "until-further-notice",
    /// A timed ban: `$until`, `$reason`.
    BannedUntil = "banned-until",
    /// A permanent ban: `$reason`.
    BannedPermanently = "banned-permanently",
    /// A ban evaded through a banned device or address range: `$what`, `$target`, `$sanction`.
    Evasion = "evasion",
    /// The word for a device, in [`Msg::Evasion`].
    Device = "device",
    /// The words for an address range, in [`Msg::Evasion`].
    AddressRange = "address-range",
    /// What the reporter is told when a case is verified: `$case`.
    ReportUpheld = "report-upheld",
    /// What the reporter is told when a case is dismissed: `$case`.
    ReportDismissed = "report-dismissed",
    /// What the sanctioned account is told: `$reason`, `$sanction`.
    CaseVerified = "case-verified",
    /// Posting links in moments, as a refusal names it.
    FunctionLinksInMoments = "function-links_in_moments",
    /// Posting share codes.
    FunctionShareCodes = "function-share_codes",
    /// Posting or forwarding to groups.
    FunctionGroupBroadcast = "function-group_broadcast",
    /// Adding friends.
    FunctionAddFriends = "function-add_friends",
    /// Creating groups and inviting people into them.
    FunctionCreateGroups = "function-create_groups",
}

/// The catalogue files, per locale (embedded: the binary needs no files at run time).
const SOURCES: [(Locale, &[&str]); 2] = [
    (
        Locale::ZhCn,
        &[
            include_str!("../locales/zh-CN/menshen.ftl"),
            include_str!("../locales/zh-CN/console.ftl"),
        ],
    ),
    (
        Locale::En,
        &[
            include_str!("../locales/en/menshen.ftl"),
            include_str!("../locales/en/console.ftl"),
        ],
    ),
];

struct Catalogue {
    bundles: Vec<FluentBundle<FluentResource>>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let bundles = SOURCES
        .iter()
        .map(|(locale, sources)| {
            let tag: unic_langid::LanguageIdentifier = locale.tag().parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![tag]);
            // No bidi isolation marks around arguments: the texts go into JSON and HTML
            // where invisible characters would only confuse.
            bundle.set_use_isolating(false);
            for source in *sources {
                // A broken file is caught by the tests below; what parsed is still used.
                let resource = FluentResource::try_new((*source).to_owned())
                    .unwrap_or_else(|(partial, _)| partial);
                let _ = bundle.add_resource(resource);
            }
            bundle
        })
        .collect();
    Catalogue { bundles }
});

fn format(locale: Locale, id: &str, args: &[(&str, &str)]) -> Option<String> {
    let bundle = &CATALOGUE.bundles[locale.index()];
    let pattern = bundle.get_message(id)?.value()?;
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, *value);
    }
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned(),
    )
}

/// A message in `locale`, with its arguments.
pub fn text(locale: Locale, msg: Msg, args: &[(&str, &str)]) -> String {
    format(locale, msg.id(), args).unwrap_or_else(|| msg.id().to_owned())
}

/// A message in every language, for a reader who chooses later (webhooks).
pub fn texts(msg: Msg, args: &[(&str, &str)]) -> Text {
    Text::new(text(Locale::ZhCn, msg, args), text(Locale::En, msg, args))
}

/// A console text by id (`queue-title`); the id itself if the catalogue lacks it, which the
/// tests forbid for every id the templates use.
pub fn console(locale: Locale, id: &str) -> String {
    format(locale, id, &[]).unwrap_or_else(|| id.to_owned())
}

/// A console text with arguments.
pub fn console_with(locale: Locale, id: &str, args: &[(&str, &str)]) -> String {
    format(locale, id, args).unwrap_or_else(|| id.to_owned())
}

/// Whether the catalogue of `locale` has a message `id`.
pub fn has(locale: Locale, id: &str) -> bool {
    CATALOGUE.bundles[locale.index()].has_message(id)
}

/// Every message id of a locale's files, in order (for the tests' cross-checks).
pub fn ids(locale: Locale) -> Vec<String> {
    let (_, sources) = SOURCES[locale.index()];
    sources
        .iter()
        .flat_map(|source| source.lines())
        .filter_map(|line| {
            let (id, _) = line.split_once(" =")?;
            let first = id.chars().next()?;
            (first.is_ascii_lowercase() && !id.contains(' ')).then(|| id.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses_without_error() {
        for (locale, sources) in SOURCES {
            for source in sources {
                if let Err((_, errors)) = FluentResource::try_new(source.to_string()) {
                    panic!("{locale}: {errors:?}");
                }
            }
        }
    }

    #[test]
    fn both_languages_have_the_same_messages_and_every_msg_exists() {
        let (zh, en) = (ids(Locale::ZhCn), ids(Locale::En));
        assert!(zh.len() > 50, "{}", zh.len());
        for id in &zh {
            assert!(en.contains(id), "`{id}` is in zh-CN but not in en");
        }
        for id in &en {
            assert!(zh.contains(id), "`{id}` is in en but not in zh-CN");
        }
        for msg in Msg::ALL {
            for locale in Locale::ALL {
                assert!(has(locale, msg.id()), "{locale} lacks `{}`", msg.id());
            }
        }
    }

    #[test]
    fn messages_take_their_arguments_without_isolation_marks() {
        let args = [("function", "x"), ("until", "2026-01-01T00:00:00Z")];
        let zh = text(Locale::ZhCn, Msg::Refusal, &args);
        assert!(
            zh.contains("2026-01-01T00:00:00Z") && zh.contains('x'),
            "{zh}"
        );
        assert!(!zh.contains('\u{2068}'), "{zh:?}");
        assert_ne!(zh, text(Locale::En, Msg::Refusal, &args));
    }

    #[test]
    fn accept_language_picks_the_best_supported_tag() {
        assert_eq!(
            Locale::negotiate("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Locale::ZhCn)
        );
        assert_eq!(Locale::negotiate("fr-FR, en;q=0.5"), Some(Locale::En));
        assert_eq!(
            Locale::negotiate("en;q=0.2, zh-Hans;q=0.7"),
            Some(Locale::ZhCn)
        );
        assert_eq!(Locale::negotiate("fr, de"), None);
        assert_eq!(Locale::negotiate("*"), None);
        assert_eq!(Locale::negotiate("en;q=0"), None, "q=0 means not this one");
        assert_eq!(Locale::negotiate(""), None);
        assert_eq!("EN-gb".parse::<Locale>(), Ok(Locale::En));
        assert!(
            "fr".parse::<Locale>()
                .unwrap_err()
                .to_string()
                .contains("zh-CN or en")
        );
    }

    #[test]
    fn texts_read_as_a_string_or_a_table() {
        #[derive(Deserialize)]
        struct Rule {
            message: Text,
        }
        let plain: Rule = toml::from_str("message = \"hi\"").unwrap();
        assert_eq!(plain.message.get(Locale::ZhCn), "hi");
        let both: Rule = toml::from_str("message = { zh-CN = \"你好\", en = \"hello\" }").unwrap();
        assert_eq!(
            (both.message.get(Locale::ZhCn), both.message.get(Locale::En)),
            ("你好", "hello")
        );
        let one: Rule = toml::from_str("message = { en = \"hello\" }").unwrap();
        assert_eq!(one.message.get(Locale::ZhCn), "hello");
        for bad in [
            "message = { fr = \"salut\" }",
            "message = {}",
            "message = 3",
        ] {
            assert!(toml::from_str::<Rule>(bad).is_err(), "{bad}");
        }
        assert_eq!(
            serde_json::to_string(&both.message).unwrap(),
            r#"{"zh-CN":"你好","en":"hello"}"#
        );
    }
}

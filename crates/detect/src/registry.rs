//! The platform registry (`assets/registry/platforms.toml`): hosts, share hosts, app names
//! and share-code shapes per platform. Loaded once; lookups are read-only.

use std::{collections::HashMap, sync::Arc};

use serde::Deserialize;

use crate::{
    Error,
    facts::Category,
    links::{phishing::Brands, reputation::Reputation},
};

/// The registry as written in TOML. Every field is documented in the shipped file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryFile {
    pub home: String,
    #[serde(default)]
    pub obfuscation_tlds: Vec<String>,
    #[serde(default)]
    pub filename_tlds: Vec<String>,
    /// Country-code TLDs sold as generic names, where no brand owns its name.
    #[serde(default)]
    pub abused_cctlds: Vec<String>,
    #[serde(default)]
    pub slug_rule: Vec<SlugRule>,
    pub anchors: AnchorWords,
    pub contacts: ContactWords,
    pub platform: Vec<PlatformSpec>,
    /// Brands that phishing imitates beside the platforms (banks, card networks…).
    #[serde(default)]
    pub brand: Vec<BrandSpec>,
}

/// A brand that is not a platform: the domains it owns and the words that name it in hosts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandSpec {
    pub id: String,
    pub hosts: Vec<String>,
    #[serde(default)]
    pub words: Vec<String>,
    /// The brand owns its name under country suffixes too (`dhl.de`).
    #[serde(default)]
    pub country_domains: bool,
}

/// A short-link host whose slug has a fixed shape (`t.co`: at most 40 alphanumerics).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlugRule {
    pub host: String,
    pub max_len: usize,
}

/// The verbs of share-text anchor phrases.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorWords {
    pub copy: Vec<String>,
    pub open: Vec<String>,
    pub click: Vec<String>,
}

/// Keywords that introduce a contact, by contact kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactWords {
    pub wechat: Vec<String>,
    pub qq: Vec<String>,
    pub telegram: Vec<String>,
    pub phone: Vec<String>,
}

/// One platform.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSpec {
    pub id: String,
    pub category: Category,
    /// Platforms of one family share hosts (Taobao, Tmall and Xianyu all use `m.tb.cn`);
    /// the share text's own words decide which one it is.
    #[serde(default)]
    pub family: Option<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub share_hosts: Vec<String>,
    /// Words that name the platform inside a host (`taobao`, `alipay`): on a domain the
    /// platform does not own they are brand impersonation.
    #[serde(default)]
    pub brand_words: Vec<String>,
    /// The platform owns its name under country suffixes too (`amazon.co.jp`).
    #[serde(default)]
    pub country_domains: bool,
    #[serde(default)]
    pub share_params: Vec<String>,
    #[serde(default)]
    pub app_names: Vec<String>,
    #[serde(default)]
    pub markers: Vec<String>,
    #[serde(default)]
    pub token_lengths: Vec<usize>,
    #[serde(default)]
    pub token_prefixes: Vec<String>,
    #[serde(default)]
    pub mini_program_prefix: Option<String>,
    #[serde(default)]
    pub red_packet_prefix: bool,
    #[serde(default)]
    pub code_only_form: bool,
}

/// Whether `platform` is another platform than `home`: a known platform other than the home
/// platform and its own sub-platforms (`wechat_miniprogram` is not foreign to `wechat`).
pub fn is_foreign(platform: &str, home: &str) -> bool {
    !platform.is_empty()
        && platform != home
        && !platform
            .strip_prefix(home)
            .is_some_and(|rest| rest.starts_with('_'))
}

/// Index of a platform in [`Registry::platforms`].
pub type PlatformId = u16;

/// A host entry: which platform, and whether it is a share host (with an optional path prefix).
#[derive(Clone, Debug)]
struct HostEntry {
    platform: PlatformId,
    share_path: Option<String>,
    is_share: bool,
}

/// What the registry knows about a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostInfo {
    pub platform: PlatformId,
    /// The link is a share link of the platform (host, and path prefix where one is given).
    pub is_share: bool,
}

/// The loaded registry.
#[derive(Debug)]
pub struct Registry {
    pub file: RegistryFile,
    pub home: Option<PlatformId>,
    hosts: HashMap<String, Vec<HostEntry>>,
    slug_rules: HashMap<String, usize>,
    token_lengths: Vec<usize>,
    token_prefixes: Vec<(PlatformId, String)>,
    brands: Brands,
    reputation: Arc<Reputation>,
}

impl Registry {
    /// Parse and validate a registry file. `origin` names the file in error messages.
    pub fn parse(source: &str, origin: &str) -> Result<Self, Error> {
        let file: RegistryFile = toml::from_str(source).map_err(|e| Error::Config {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        let invalid = |message: String| Error::Config {
            origin: origin.to_owned(),
            message,
        };
        let mut hosts: HashMap<String, Vec<HostEntry>> = HashMap::new();
        let mut seen = HashMap::new();
        for (index, platform) in file.platform.iter().enumerate() {
            if seen.insert(platform.id.as_str(), index).is_some() {
                return Err(invalid(format!(
                    "platform `{}` is defined twice; merge the two entries",
                    platform.id
                )));
            }
            let id = PlatformId::try_from(index)
                .map_err(|_| invalid("more than 65535 platforms".into()))?;
            for (host, is_share) in platform
                .hosts
                .iter()
                .map(|h| (h, false))
                .chain(platform.share_hosts.iter().map(|h| (h, true)))
            {
                let (name, path) = match host.split_once('/') {
                    Some((name, path)) => (name, Some(format!("/{path}"))),
                    None => (host.as_str(), None),
                };
                if name.is_empty()
                    || name != name.to_ascii_lowercase()
                    || name.contains(char::is_whitespace)
                {
                    return Err(invalid(format!(
                        "platform `{}`: host `{host}` must be a lower-case host name, optionally followed by a path prefix",
                        platform.id
                    )));
                }
                hosts.entry(name.to_owned()).or_default().push(HostEntry {
                    platform: id,
                    share_path: path,
                    is_share,
                });
            }
        }
        let home = match seen.get(file.home.as_str()) {
            Some(&index) => Some(index as PlatformId),
            None => {
                return Err(invalid(format!(
                    "home platform `{}` is not defined as a [[platform]]",
                    file.home
                )));
            }
        };
        let slug_rules = file
            .slug_rule
            .iter()
            .map(|r| (r.host.clone(), r.max_len))
            .collect();
        let mut token_lengths: Vec<usize> = file
            .platform
            .iter()
            .flat_map(|p| p.token_lengths.iter().copied())
            .collect();
        token_lengths.sort_unstable();
        token_lengths.dedup();
        let token_prefixes = file
            .platform
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                p.token_prefixes
                    .iter()
                    .map(move |prefix| (i as PlatformId, prefix.to_ascii_lowercase()))
            })
            .collect();
        let brands = Brands::build(&file).map_err(invalid)?;
        Ok(Self {
            file,
            home,
            hosts,
            slug_rules,
            token_lengths,
            token_prefixes,
            brands,
            reputation: Reputation::embedded(),
        })
    }

    /// Add an operator's reputation list (see [`Reputation::add_list`]) to the shipped ones.
    pub fn add_reputation_list(&mut self, source: &str, origin: &str) -> Result<(), Error> {
        Arc::make_mut(&mut self.reputation).add_list(source, origin)
    }

    /// The brands phishing imitates, indexed.
    pub fn brands(&self) -> &Brands {
        &self.brands
    }

    /// The reputation lists: shipped, and the operator's.
    pub fn reputation(&self) -> &Reputation {
        &self.reputation
    }

    /// The registry shipped with menshen.
    pub fn embedded() -> Self {
        Self::parse(
            include_str!("../../../assets/registry/platforms.toml"),
            "assets/registry/platforms.toml",
        )
        .expect("the embedded registry is valid (checked by tests)")
    }

    pub fn platforms(&self) -> &[PlatformSpec] {
        &self.file.platform
    }

    pub fn platform(&self, id: PlatformId) -> &PlatformSpec {
        &self.file.platform[id as usize]
    }

    pub fn platform_by_name(&self, name: &str) -> Option<PlatformId> {
        self.file
            .platform
            .iter()
            .position(|p| p.id == name)
            .map(|i| i as PlatformId)
    }

    /// Whether two platforms are the same or share a family.
    pub fn same_family(&self, a: PlatformId, b: PlatformId) -> bool {
        a == b
            || matches!((&self.platform(a).family, &self.platform(b).family), (Some(x), Some(y)) if x == y)
    }

    /// Look a lower-case host (and the link's path) up, most specific suffix first.
    pub fn lookup(&self, host: &str, path: &str) -> Option<HostInfo> {
        let mut suffix = host;
        loop {
            if let Some(entries) = self.hosts.get(suffix) {
                // A share entry whose path prefix matches makes it a share link; otherwise the
                // host still belongs to the platform.
                let share = entries.iter().find(|e| {
                    e.is_share && e.share_path.as_deref().is_none_or(|p| path.starts_with(p))
                });
                let entry = share.or(entries.first())?;
                return Some(HostInfo {
                    platform: entry.platform,
                    is_share: share.is_some(),
                });
            }
            suffix = suffix.split_once('.')?.1;
        }
    }

    /// Every platform's password token lengths, sorted and without repeats.
    pub fn token_lengths(&self) -> &[usize] {
        &self.token_lengths
    }

    /// Token prefixes (`z:/` for Alipay), lower case, with their platform.
    pub fn token_prefixes(&self) -> &[(PlatformId, String)] {
        &self.token_prefixes
    }

    /// The maximum slug length of a short-link host with a slug rule.
    pub fn slug_limit(&self, host: &str) -> Option<usize> {
        self.slug_rules.get(host).copied()
    }

    pub fn is_obfuscation_tld(&self, tld: &str) -> bool {
        self.file.obfuscation_tlds.iter().any(|t| t == tld)
    }

    pub fn is_filename_tld(&self, tld: &str) -> bool {
        self.file.filename_tlds.iter().any(|t| t == tld)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_registry_loads_and_resolves_hosts() {
        let registry = Registry::embedded();
        let name = |host: &str, path: &str| {
            registry
                .lookup(host, path)
                .map(|i| (registry.platform(i.platform).id.as_str(), i.is_share))
        };
        assert_eq!(name("m.tb.cn", "/h.x"), Some(("taobao", true)));
        assert_eq!(name("item.taobao.com", "/"), Some(("taobao", false)));
        assert_eq!(
            name("www.gifshow.com", "/s/abc"),
            Some(("kuaishou", true)),
            "subdomains inherit"
        );
        assert_eq!(name("gifshow.com", "/s/abc"), Some(("kuaishou", true)));
        assert_eq!(name("gifshow.com", "/video"), Some(("kuaishou", false)));
        assert_eq!(name("example.com", "/"), None);
        assert_eq!(registry.slug_limit("t.co"), Some(40));
    }

    #[test]
    fn bad_registry_names_file_and_problem() {
        let err = Registry::parse("home = \"nowhere\"\n[anchors]\ncopy=[]\nopen=[]\nclick=[]\n[contacts]\nwechat=[]\nqq=[]\ntelegram=[]\nphone=[]\n[[platform]]\nid=\"a\"\ncategory=\"shopping\"\n", "x.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.toml") && err.contains("shopping"), "{err}");
        let err = Registry::parse("home = \"nowhere\"\n[anchors]\ncopy=[]\nopen=[]\nclick=[]\n[contacts]\nwechat=[]\nqq=[]\ntelegram=[]\nphone=[]\n[[platform]]\nid=\"a\"\ncategory=\"social\"\n", "x.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("home platform `nowhere`"), "{err}");
    }
}

//! Phishing signals of a link's host, by its spelling alone.
//!
//! **What it catches:**
//! - `host_confusable`: a label in another script that reads as a Latin name (Cyrillic
//!   `аррӏе.com`, UTS #39 skeleton all ASCII);
//! - `host_mixed_script`: a label mixing scripts no one mixes in a name (Latin with Cyrillic
//!   or Greek: `pаypal.com` with a Cyrillic `а`; UTS #39 restriction level above "moderately
//!   restrictive"; Latin with Han, as in Chinese names, is fine);
//! - `host_punycode`: an international name (`xn--…`); weak alone, since Chinese names are
//!   ordinary here, but it adds to the others;
//! - `brand_impersonation`: a bank, payment or platform name inside a host none of the
//!   registry's entries owns (`icbc-vip.top`, `www.qq.com.oddu.info`, `taobaoonet.cn`);
//! - `lookalike`: a registrable name one edit or one look-alike character away from a
//!   registry entry's (`taoba0.com`, `a1ipay.com`, `rnicrosoft.com`).
//!
//! **Why:** phishing lives on fresh domains that no list knows yet; what gives it away is a
//! name made to be mistaken for another.
//!
//! **How:** the registry's platforms (`brand_words`) and `[[brand]]` entries (banks, card
//! networks, the services phishing kits copy) say which domains each brand owns and which
//! words name it. A host on an owned domain carries no signal. Brand words match whole words
//! of a label (split at `-`, digits and dots); words of six letters or more also match inside
//! one. Look-alikes compare the registrable label (the name before the public suffix) with
//! the owned ones: equal UTS #39 skeletons but different spellings, or, for names of six
//! letters or more, one typo apart: two neighbours swapped (`alipya`), a letter doubled
//! (`pinduoduoo`) or one of a double dropped (`facebok`). Swapping one letter for another is
//! not a typo here: `telegraf` is a newspaper, not `telegram`. Short names (`jd`, `qq`) have
//! too many honest neighbours to compare. A brand with `country_domains` owns its name under
//! country suffixes (`google.de`) except the ones sold as generic names (`abused_cctlds`).

use std::collections::{HashMap, HashSet};

use unicode_security::{
    RestrictionLevel, RestrictionLevelDetection, confusable_detection::skeleton,
};

use crate::{registry::RegistryFile, signals::SignalName};

/// Brand words this long or longer also match inside a label.
const INFIX_WORD: usize = 6;
/// Registrable names this long or longer are compared by edit distance.
const EDIT_NAME: usize = 6;
/// Registrable names shorter than this are not compared at all.
const SKELETON_NAME: usize = 4;

/// The brands of the registry, indexed for the checks above.
#[derive(Clone, Debug, Default)]
pub struct Brands {
    /// Registrable domain → owner id.
    owned: HashMap<String, String>,
    /// Registrable names owned under every country suffix (`google`).
    country_names: HashSet<String>,
    abused_cctlds: HashSet<String>,
    /// Brand word → owner id.
    words: HashMap<String, String>,
    /// Words long enough to match inside a label, with their owner.
    infix_words: Vec<(String, String)>,
    /// Owned registrable names (`taobao` of `taobao.com`) with their skeletons and owner.
    names: Vec<OwnedName>,
}

#[derive(Clone, Debug)]
struct OwnedName {
    name: String,
    skeleton: String,
    owner: String,
}

/// What a host's spelling says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostSignals {
    pub signals: Vec<SignalName>,
    /// The brand the host imitates, when one is named or copied.
    pub imitates: Option<String>,
}

/// The skeleton of a name, lower case: what a reader takes it for.
fn reads_as(name: &str) -> String {
    if name.is_ascii() {
        // The common case, without normalizing: each ASCII character's skeleton, looked up.
        let table = ascii_skeletons();
        return name.bytes().map(|b| table[b as usize].as_str()).collect();
    }
    skeleton(name).flat_map(char::to_lowercase).collect()
}

/// The lower-case skeleton of each ASCII character (`m` reads as `rn`, `0` as `o`).
fn ascii_skeletons() -> &'static [String; 128] {
    static TABLE: std::sync::OnceLock<[String; 128]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|b| {
            let c = char::from(b as u8);
            skeleton(c.encode_utf8(&mut [0; 4]))
                .flat_map(char::to_lowercase)
                .collect()
        })
    })
}

/// The registrable name: the label before the public suffix (`taobao` of `m.taobao.com`).
fn registrable_name(domain: &str) -> &str {
    domain.split('.').next().unwrap_or(domain)
}

impl Brands {
    /// Index the registry's brands. Words must be lower-case ASCII letters and digits.
    pub fn build(file: &RegistryFile) -> Result<Brands, String> {
        let mut brands = Brands {
            abused_cctlds: file.abused_cctlds.iter().cloned().collect(),
            ..Brands::default()
        };
        let entries = file
            .platform
            .iter()
            .map(|p| {
                let hosts = p.hosts.iter().chain(&p.share_hosts);
                (
                    &p.id,
                    hosts.collect::<Vec<_>>(),
                    &p.brand_words,
                    p.country_domains,
                )
            })
            .chain(
                file.brand
                    .iter()
                    .map(|b| (&b.id, b.hosts.iter().collect(), &b.words, b.country_domains)),
            );
        for (owner, hosts, words, country_domains) in entries {
            for host in hosts {
                let name = host.split('/').next().unwrap_or(host);
                let Some(domain) = psl::domain_str(name) else {
                    continue;
                };
                if country_domains {
                    brands
                        .country_names
                        .insert(registrable_name(domain).to_owned());
                }
                if brands
                    .owned
                    .insert(domain.to_owned(), owner.clone())
                    .is_none()
                {
                    let name = registrable_name(domain);
                    if name.chars().count() >= SKELETON_NAME {
                        brands.names.push(OwnedName {
                            name: name.to_owned(),
                            skeleton: reads_as(name),
                            owner: owner.clone(),
                        });
                    }
                }
            }
            for word in words {
                if word.is_empty()
                    || !word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                {
                    return Err(format!(
                        "`{owner}`: brand word `{word}` must be lower-case ASCII letters and digits"
                    ));
                }
                brands.words.insert(word.clone(), owner.clone());
                if word.len() >= INFIX_WORD {
                    brands.infix_words.push((word.clone(), owner.clone()));
                }
            }
        }
        Ok(brands)
    }

    /// Whether a registry entry owns this registrable domain.
    pub fn owns(&self, domain: &str) -> bool {
        if self.owned.contains_key(domain) {
            return true;
        }
        let Some((name, suffix)) = domain.split_once('.') else {
            return false;
        };
        let country = suffix.rsplit('.').next().unwrap_or(suffix);
        self.country_names.contains(name)
            && country.len() == 2
            && country.bytes().all(|b| b.is_ascii_lowercase())
            && !self.abused_cctlds.contains(country)
    }

    /// The signals of a canonical (ASCII) host whose registrable domain is `domain`.
    pub fn judge(&self, host: &str, domain: &str) -> HostSignals {
        let mut out = HostSignals::default();
        if self.owns(domain) {
            return out;
        }
        let punycode = host.split('.').any(|l| l.starts_with("xn--"));
        if punycode {
            let (unicode, _) = idna::domain_to_unicode(host);
            for label in unicode.split('.').filter(|l| !l.is_ascii()) {
                if reads_as(label).is_ascii() {
                    push(&mut out.signals, SignalName::HostConfusable);
                }
                if label.detect_restriction_level() > RestrictionLevel::ModeratelyRestrictive {
                    push(&mut out.signals, SignalName::HostMixedScript);
                }
            }
            push(&mut out.signals, SignalName::HostPunycode);
        }
        // Brand words, in the labels before the public suffix.
        let suffix_len = domain.len() - registrable_name(domain).len();
        let named = &host[..host.len() - suffix_len];
        if let Some(owner) = self.brand_word_in(named) {
            push(&mut out.signals, SignalName::BrandImpersonation);
            out.imitates = Some(owner.to_owned());
        }
        // Look-alikes of the owned names, read as a reader sees them.
        let unicode_domain = if punycode {
            idna::domain_to_unicode(domain).0
        } else {
            String::new()
        };
        let name = registrable_name(if punycode { &unicode_domain } else { domain });
        if let Some(owner) = self.lookalike_of(name) {
            push(&mut out.signals, SignalName::Lookalike);
            out.imitates.get_or_insert_with(|| owner.to_owned());
        }
        out
    }

    fn brand_word_in(&self, labels: &str) -> Option<&str> {
        let words = labels
            .split(|c: char| !c.is_ascii_lowercase())
            .filter(|w| !w.is_empty());
        for word in words {
            if let Some(owner) = self.words.get(word) {
                return Some(owner);
            }
        }
        self.infix_words
            .iter()
            .find(|(word, _)| labels.contains(word.as_str()))
            .map(|(_, owner)| owner.as_str())
    }

    fn lookalike_of(&self, name: &str) -> Option<&str> {
        let length = name.chars().count();
        if length < SKELETON_NAME {
            return None;
        }
        let seen_as = reads_as(name);
        self.names
            .iter()
            .find(|owned| {
                owned.name != name
                    && (owned.skeleton == seen_as
                        || (length >= EDIT_NAME
                            && owned.name.len() >= EDIT_NAME
                            && is_typo_of(owned.name.as_bytes(), name.as_bytes())))
            })
            .map(|owned| owned.owner.as_str())
    }
}

/// Whether `name` is `owned` with one typo: two neighbouring letters swapped, a letter
/// doubled, or one letter of a double dropped.
fn is_typo_of(owned: &[u8], name: &[u8]) -> bool {
    let first_difference = |a: &[u8], b: &[u8]| a.iter().zip(b).position(|(x, y)| x != y);
    match owned.len() as isize - name.len() as isize {
        0 => {
            // Two neighbours swapped, and nothing else.
            let Some(i) = first_difference(owned, name) else {
                return false;
            };
            i + 1 < owned.len()
                && owned[i] == name[i + 1]
                && owned[i + 1] == name[i]
                && owned[i + 2..] == name[i + 2..]
        }
        1 | -1 => {
            // One letter more in the longer, next to its twin.
            let (longer, shorter) = if owned.len() > name.len() {
                (owned, name)
            } else {
                (name, owned)
            };
            let i = first_difference(longer, shorter).unwrap_or(shorter.len());
            longer[i + 1..] == shorter[i..]
                && ((i > 0 && longer[i - 1] == longer[i]) || longer.get(i + 1) == Some(&longer[i]))
        }
        _ => false,
    }
}

fn push(signals: &mut Vec<SignalName>, name: SignalName) {
    if !signals.contains(&name) {
        signals.push(name);
    }
}

/// Signals as a set, for tests that compare them without order.
#[cfg(test)]
fn set(signals: &[SignalName]) -> HashSet<SignalName> {
    signals.iter().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{links::host::canonical_host, registry::Registry};

    fn judge(host: &str) -> HostSignals {
        let registry = Registry::embedded();
        let canonical = canonical_host(host).unwrap();
        let ascii = canonical.as_text();
        let domain = canonical.registrable().unwrap().to_owned();
        registry.brands().judge(&ascii, &domain)
    }

    use SignalName::*;

    #[test]
    fn confusable_and_mixed_script_hosts() {
        let cyrillic_apple = judge("аррӏе.com");
        assert_eq!(
            set(&cyrillic_apple.signals),
            set(&[HostConfusable, HostPunycode, Lookalike]),
        );
        assert_eq!(cyrillic_apple.imitates.as_deref(), Some("apple"));
        // A Cyrillic `а` inside a Latin name.
        let mixed = judge("pаypal.com");
        assert!(mixed.signals.contains(&HostMixedScript), "{mixed:?}");
        assert_eq!(mixed.imitates.as_deref(), Some("paypal"));
        // Chinese names and accented Latin ones are ordinary.
        assert_eq!(judge("例子.中国").signals, [HostPunycode]);
        assert_eq!(judge("淘宝abc.com").signals, [HostPunycode]);
        assert_eq!(judge("münchen.de").signals, [HostPunycode]);
    }

    #[test]
    fn brand_words_in_hosts_the_brand_does_not_own() {
        for (host, brand) in [
            ("icbc-vip.top", "icbc"),
            ("ccb-jf.example", "ccb"),
            ("www.qq.com.oddu.info", "qq"),
            ("0000-qq.cn", "qq"),
            ("taobaoonet.cn", "taobao"),
            ("secure.paypal-login.com", "paypal"),
        ] {
            let found = judge(host);
            assert_eq!(found.signals, [BrandImpersonation], "{host}");
            assert_eq!(found.imitates.as_deref(), Some(brand), "{host}");
        }
        for owned in [
            "item.taobao.com",
            "www.icbc.com.cn",
            "cloud.tencent.com",
            "m.tb.cn",
        ] {
            assert_eq!(judge(owned), HostSignals::default(), "{owned}");
        }
        // A brand's own name under country suffixes, not under ones sold as generic names.
        for owned in ["google.de", "amazon.co.jp", "google.com.br", "dhl.de"] {
            assert_eq!(judge(owned), HostSignals::default(), "{owned}");
        }
        assert_eq!(judge("google.tk").signals, [BrandImpersonation]);
        // Short words match only whole: `jdsports` is not `jd`, `pineapple` not `apple`.
        for honest in [
            "jdsports.com",
            "pineapple.com",
            "qqq.example",
            "steamboat.org",
        ] {
            assert!(
                !judge(honest).signals.contains(&BrandImpersonation),
                "{honest}"
            );
        }
    }

    #[test]
    fn lookalikes_of_registry_names() {
        for (host, brand) in [
            ("taoba0.com", "taobao"),
            ("a1ipay.com", "alipay"),
            ("rnicrosoft.com", "microsoft"),
            ("alipya.com", "alipay"),
            ("www.pinduoduoo.net", "pinduoduo"),
            ("facebok.com", "facebook"),
        ] {
            let found = judge(host);
            assert!(found.signals.contains(&Lookalike), "{host}: {found:?}");
            assert_eq!(found.imitates.as_deref(), Some(brand), "{host}");
        }
        // Honest neighbours of short or common names stay silent.
        for honest in [
            "small.com",
            "douyu.com",
            "meitu.com",
            "bing.net",
            "jd.hk",
            "telegraf.com.ua",
            "telegra.ph",
        ] {
            assert!(!judge(honest).signals.contains(&Lookalike), "{honest}");
        }
    }
}

//! Reputation lists: hosts known for phishing, gambling, adult content or spam, and the URL
//! shorteners, as data.
//!
//! **What:** a link whose host, or a domain above it, is on a list takes the list's category
//! (`phishing`, `gambling`, `adult`, `spam`, `shortener`), so `login.evil-nitro.xyz` is a
//! phishing link when `evil-nitro.xyz` is listed.
//!
//! **Why:** lexical signals cannot tell a phishing kit on a fresh domain from a shop; the
//! lists remember the domains that were seen doing it. They are read offline: menshen never
//! looks anything up over the network.
//!
//! **Format:** one host per line, `#` starts a comment, and one comment line names the
//! category the whole file speaks for:
//!
//! ```text
//! # category: phishing
//! # source: where the list comes from, and its licence
//! evil-nitro.xyz
//! login.paypa1-secure.top
//! ```
//!
//! Hosts are read by the WHATWG rules (IDNA to ASCII), so a list may be written in either
//! form of an international name; IP addresses are refused (sanction them as `ip`). The
//! shipped lists are in `assets/reputation/` (sources and licences in their headers);
//! operators add their own files. When two lists name one host, the stricter category wins
//! (phishing, then adult, gambling, spam, shortener).
//!
//! **Structure:** a hash set of 64-bit digests of the hosts, each pointing at its list: a few
//! bytes per entry, and a lookup costs one hash per label of the link's host.

use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    sync::{Arc, OnceLock},
};

use super::host::{CanonicalHost, canonical_host};
use crate::{Error, facts::Category};

/// The shipped lists, as (file name, contents).
const SHIPPED: [(&str, &str); 5] = [
    (
        "assets/reputation/phishing-nikolaischunk.txt",
        include_str!("../../../../assets/reputation/phishing-nikolaischunk.txt"),
    ),
    (
        "assets/reputation/adult-fwwdn.txt",
        include_str!("../../../../assets/reputation/adult-fwwdn.txt"),
    ),
    (
        "assets/reputation/gambling-fwwdn.txt",
        include_str!("../../../../assets/reputation/gambling-fwwdn.txt"),
    ),
    (
        "assets/reputation/spam-fwwdn.txt",
        include_str!("../../../../assets/reputation/spam-fwwdn.txt"),
    ),
    (
        "assets/reputation/shorteners.txt",
        include_str!("../../../../assets/reputation/shorteners.txt"),
    ),
];

/// One loaded list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListInfo {
    /// The file it came from.
    pub origin: String,
    pub category: Category,
    /// How many hosts it lists.
    pub hosts: usize,
}

/// The lists, loaded.
#[derive(Clone, Debug, Default)]
pub struct Reputation {
    lists: Vec<ListInfo>,
    /// Digest of a host → index into `lists`.
    hosts: HashMap<u64, u16>,
}

/// What a list says of a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listed<'a> {
    pub category: Category,
    pub list: &'a ListInfo,
    /// The listed host: the link's host or a domain above it.
    pub suffix_len: usize,
}

/// How strict a list category is: the stricter of two lists naming one host wins.
fn strictness(category: Category) -> u8 {
    match category {
        Category::Phishing => 5,
        Category::Adult => 4,
        Category::Gambling => 3,
        Category::Spam => 2,
        Category::Shortener => 1,
        _ => 0,
    }
}

fn digest(host: &str) -> u64 {
    // SipHash with fixed keys: the digests live only in this process, so any stable hash
    // will do, and 64 bits keep a false match below one in a billion for a million hosts.
    let mut hasher = DefaultHasher::new();
    host.hash(&mut hasher);
    hasher.finish()
}

/// The categories a list may speak for.
const LIST_CATEGORIES: [Category; 5] = [
    Category::Phishing,
    Category::Adult,
    Category::Gambling,
    Category::Spam,
    Category::Shortener,
];

impl Reputation {
    /// The shipped lists, loaded once per process.
    pub fn embedded() -> Arc<Reputation> {
        static EMBEDDED: OnceLock<Arc<Reputation>> = OnceLock::new();
        EMBEDDED
            .get_or_init(|| {
                let mut reputation = Reputation::default();
                for (origin, source) in SHIPPED {
                    reputation
                        .add_list(source, origin)
                        .expect("the shipped reputation lists are valid (checked by tests)");
                }
                Arc::new(reputation)
            })
            .clone()
    }

    /// Parse a list and add it. Nothing is added if the file has a problem; the error names
    /// the file, the line and what to change.
    pub fn add_list(&mut self, source: &str, origin: &str) -> Result<(), Error> {
        let at = |line: usize, message: String| Error::Config {
            origin: format!("{origin}:{line}"),
            message,
        };
        let mut category = None;
        let mut hosts = Vec::new();
        for (index, line) in source.lines().enumerate() {
            let line_no = index + 1;
            let line = line.trim();
            if let Some(comment) = line.strip_prefix('#') {
                if let Some(name) = comment.trim().strip_prefix("category:") {
                    let name = name.trim();
                    let found = LIST_CATEGORIES.into_iter().find(|c| c.as_str() == name);
                    match (found, category) {
                        (Some(found), None) => category = Some(found),
                        (Some(_), Some(_)) => {
                            return Err(at(
                                line_no,
                                "a list names its category once; split it into one file per category".into(),
                            ));
                        }
                        (None, _) => {
                            return Err(at(
                                line_no,
                                format!(
                                    "`{name}` is not a list category; use one of phishing, adult, gambling, spam, shortener"
                                ),
                            ));
                        }
                    }
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            hosts.push((line_no, read_host(line).map_err(|m| at(line_no, m))?));
        }
        let Some(category) = category else {
            return Err(at(
                1,
                "the list does not say what it lists; add a line `# category: phishing` (or adult, gambling, spam, shortener)".into(),
            ));
        };
        let index = u16::try_from(self.lists.len())
            .map_err(|_| at(1, "more than 65535 reputation lists".into()))?;
        self.hosts.reserve(hosts.len());
        for (_, host) in &hosts {
            let entry = self.hosts.entry(digest(host)).or_insert(index);
            let current = self.lists.get(*entry as usize).map(|l| l.category);
            if current.is_some_and(|c| strictness(c) < strictness(category)) {
                *entry = index;
            }
        }
        self.lists.push(ListInfo {
            origin: origin.to_owned(),
            category,
            hosts: hosts.len(),
        });
        Ok(())
    }

    /// The lists loaded, in the order they were added.
    pub fn lists(&self) -> &[ListInfo] {
        &self.lists
    }

    /// What the lists say of a canonical (ASCII, lower-case) host: the most specific listed
    /// host among it and the domains above it.
    pub fn lookup(&self, host: &str) -> Option<Listed<'_>> {
        if self.hosts.is_empty() {
            return None;
        }
        let mut suffix = host;
        loop {
            if let Some(&index) = self.hosts.get(&digest(suffix)) {
                let list = &self.lists[index as usize];
                return Some(Listed {
                    category: list.category,
                    list,
                    suffix_len: suffix.len(),
                });
            }
            suffix = suffix.split_once('.')?.1;
            if !suffix.contains('.') {
                // A bare TLD is never listed.
                return None;
            }
        }
    }
}

/// One entry: a host name, read as links are (lower case, IDNA to ASCII). The shipped lists
/// are written canonical already, so the common case does not run the URL parser.
fn read_host(line: &str) -> Result<String, String> {
    let plain = line
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let numeric = line.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if plain && !numeric && line.contains('.') && !line.starts_with('.') && !line.ends_with('.') {
        return Ok(line.to_owned());
    }
    match canonical_host(line) {
        Ok(CanonicalHost::Domain(domain)) if domain.contains('.') => Ok(domain),
        Ok(CanonicalHost::Domain(domain)) => Err(format!(
            "`{domain}` is a single label; list a domain such as `example.com`"
        )),
        Ok(CanonicalHost::Ip(address)) => Err(format!(
            "`{address}` is an IP address; lists hold host names (sanction addresses as `ip`)"
        )),
        Err(e) => Err(format!("{e}; write one host name per line")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists_load_and_match_subdomains() {
        let reputation = Reputation::embedded();
        assert_eq!(reputation.lists().len(), SHIPPED.len());
        assert!(reputation.lists().iter().all(|l| l.hosts > 0));
        let category = |host: &str| reputation.lookup(host).map(|l| l.category);
        assert_eq!(category("101nitro.com"), Some(Category::Phishing));
        assert_eq!(category("login.101nitro.com"), Some(Category::Phishing));
        assert_eq!(category("bit.ly"), Some(Category::Shortener));
        assert_eq!(category("example.com"), None);
        assert_eq!(category("com"), None);
    }

    #[test]
    fn no_shipped_list_condemns_a_host_the_registry_knows() {
        let registry = crate::registry::Registry::embedded();
        let reputation = Reputation::embedded();
        let hosts = registry
            .platforms()
            .iter()
            .flat_map(|p| p.hosts.iter().chain(&p.share_hosts))
            .chain(registry.file.brand.iter().flat_map(|b| &b.hosts));
        for host in hosts {
            let name = host.split('/').next().unwrap_or(host);
            // A brand's own shortener (lnkd.in) is a shortener still.
            let listed = reputation.lookup(name).map(|l| l.category);
            assert!(
                listed.is_none_or(|c| c == Category::Shortener),
                "{name} is listed as {listed:?}"
            );
        }
    }

    #[test]
    fn a_list_names_its_category_and_holds_host_names() {
        let mut reputation = Reputation::default();
        let err = reputation
            .add_list("evil.example\n", "mine.txt")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mine.txt:1") && err.contains("# category:"),
            "{err}"
        );
        let err = reputation
            .add_list("# category: casino\n", "mine.txt")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`casino` is not a list category"), "{err}");
        let err = reputation
            .add_list("# category: phishing\nevil.example\n1.2.3.4\n", "mine.txt")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mine.txt:3") && err.contains("IP address"),
            "{err}"
        );
        assert!(
            reputation.lists().is_empty(),
            "nothing added from a bad file"
        );

        reputation
            .add_list("# category: gambling\n例子.中国\nBet.Example\n", "mine.txt")
            .unwrap();
        let category = |host: &str| reputation.lookup(host).map(|l| l.category);
        assert_eq!(category("xn--fsqu00a.xn--fiqs8s"), Some(Category::Gambling));
        assert_eq!(category("www.bet.example"), Some(Category::Gambling));
    }

    #[test]
    fn the_stricter_of_two_lists_wins() {
        let mut reputation = Reputation::default();
        reputation
            .add_list("# category: phishing\nx.example\n", "a.txt")
            .unwrap();
        reputation
            .add_list("# category: shortener\nx.example\ny.example\n", "b.txt")
            .unwrap();
        assert_eq!(
            reputation.lookup("x.example").map(|l| l.category),
            Some(Category::Phishing)
        );
        assert_eq!(
            reputation.lookup("y.example").map(|l| l.category),
            Some(Category::Shortener)
        );
    }
}

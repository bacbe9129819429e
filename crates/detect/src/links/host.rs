//! Host names as chains of labels joined by dots, where a "dot" may be disguised: `。`, `点`,
//! `(.)`, `[dot]`, ` . ` with spaces on both sides. Shared by links and e-mail addresses.

use menshen_text::is_invisible;

/// Which characters a label may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelChars {
    /// ASCII letters, digits, `-`, `_`, and Latin letters with accents (`ELPAÍS.com`): a host
    /// written without a scheme.
    Latin,
    /// Anything but spaces, controls and punctuation: a host after `http://` (`http://✪df.ws`).
    Unicode,
}

/// Latin letters with diacritics that hosts and paths may hold without a scheme.
pub fn is_latin_accent(c: char) -> bool {
    matches!(c as u32, 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F | 0x253..=0x254 | 0x256..=0x257
        | 0x259 | 0x25B | 0x263 | 0x268 | 0x26F | 0x272 | 0x289 | 0x28B | 0x2BB | 0x300..=0x36F
        | 0x1E00..=0x1EFF)
}

/// Punctuation and symbol blocks that end a label even after a scheme.
fn is_non_ascii_punctuation(c: char) -> bool {
    matches!(c as u32, 0xA0..=0xBF | 0xD7 | 0xF7 | 0x2000..=0x206F | 0x2E00..=0x2E7F | 0x3000..=0x303F
        | 0xFE10..=0xFE1F | 0xFE30..=0xFE6F | 0xFF00..=0xFF65)
}

impl LabelChars {
    pub fn allows(self, c: char) -> bool {
        if c.is_ascii() {
            return c.is_ascii_alphanumeric() || c == '-' || c == '_';
        }
        match self {
            LabelChars::Latin => is_latin_accent(c),
            LabelChars::Unicode => {
                !c.is_whitespace()
                    && !c.is_control()
                    && !is_invisible(c)
                    && !is_non_ascii_punctuation(c)
            }
        }
    }
}

/// A dot between two labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dot {
    pub start: usize,
    pub end: usize,
    /// Anything but a plain `.`.
    pub disguised: bool,
}

/// Label ranges and the dots after them. `dots[i]` follows `labels[i]`; a last dot with no
/// label after it (`example.みんな` read as Latin) is kept, since a TLD may still start there.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    pub labels: Vec<(usize, usize)>,
    pub dots: Vec<Dot>,
    /// Where the chain ends: after the last label, or after a trailing dot's label-less tail.
    pub end: usize,
}

/// At most this many labels are kept; a longer chain is still read to its end so the caller
/// can skip it in one step, keeping the scan linear.
const MAX_LABELS: usize = 127;

/// The dot at `at`, if one is written there in any of its disguises.
pub fn dot_at(text: &str, at: usize) -> Option<Dot> {
    let rest = &text[at..];
    let plain = |len: usize| {
        Some(Dot {
            start: at,
            end: at + len,
            disguised: false,
        })
    };
    let disguised = |len: usize| {
        Some(Dot {
            start: at,
            end: at + len,
            disguised: true,
        })
    };
    match rest.as_bytes().first() {
        Some(b'.') => return plain(1),
        // Only the spaced spellings (" . ", " dot ") begin with a space, and a space follows
        // every word of prose: go straight to them.
        Some(b' ') => return spaced_dot(rest, at),
        // The first bytes of every other dot spelling: brackets, 。【〔 (E3), 点 (E7),
        // 點 (E9), 丶 (E4), · (C2).
        Some(b'(' | b'[' | b'{' | 0xC2 | 0xE3 | 0xE4 | 0xE7 | 0xE9) => {}
        _ => return None,
    }
    for word in ["。", "点", "點", "丶", "·"] {
        if rest.starts_with(word) {
            return disguised(word.len());
        }
    }
    for (open, close) in [
        ('(', ')'),
        ('[', ']'),
        ('{', '}'),
        ('【', '】'),
        ('〔', '〕'),
    ] {
        if let Some(inner) = rest.strip_prefix(open) {
            for dot in [".", "点", "。", "dot", "DOT", "Dot"] {
                if inner
                    .strip_prefix(dot)
                    .is_some_and(|after| after.starts_with(close))
                {
                    return disguised(open.len_utf8() + dot.len() + close.len_utf8());
                }
            }
        }
    }
    None
}

/// " . " or " dot " at the start of `rest` (which is at `at`): spaces on both sides, as many
/// on each, at most two.
fn spaced_dot(rest: &str, at: usize) -> Option<Dot> {
    let spaces = rest.bytes().take_while(|&b| b == b' ').count();
    if (1..=2).contains(&spaces) {
        let inner = &rest[spaces..];
        let word_len =
            if inner.starts_with('.') || inner.starts_with('。') || inner.starts_with('点') {
                inner.chars().next().map_or(0, char::len_utf8)
            } else if inner
                .get(..3)
                .is_some_and(|w| w.eq_ignore_ascii_case("dot"))
            {
                3
            } else {
                0
            };
        if word_len > 0 {
            let after = &inner[word_len..];
            let trailing = after.bytes().take_while(|&b| b == b' ').count();
            if trailing == spaces {
                return Some(Dot {
                    start: at,
                    end: at + spaces + word_len + trailing,
                    disguised: true,
                });
            }
        }
    }
    None
}

/// Read the chain of labels that starts at `start`.
pub fn read_chain(text: &str, start: usize, chars: LabelChars, chain: &mut Chain) {
    chain.labels.clear();
    chain.dots.clear();
    chain.end = start;
    let mut at = start;
    loop {
        let label_start = at;
        at += text[at..]
            .chars()
            .take_while(|&c| chars.allows(c))
            .map(char::len_utf8)
            .sum::<usize>();
        if at == label_start {
            break;
        }
        if chain.labels.len() < MAX_LABELS {
            chain.labels.push((label_start, at));
        }
        chain.end = at;
        let Some(dot) = dot_at(text, at) else { break };
        let next = text[dot.end..].chars().next();
        if next.is_some_and(|c| chars.allows(c)) {
            if chain.labels.len() < MAX_LABELS {
                chain.dots.push(dot);
            }
            at = dot.end;
        } else {
            if next.is_some_and(|c| c.is_alphabetic())
                && !dot.disguised
                && chain.labels.len() < MAX_LABELS
            {
                // A plain dot before a non-Latin letter: a TLD such as みんな may begin there.
                chain.dots.push(dot);
            }
            break;
        }
    }
    if chain.labels.len() >= MAX_LABELS {
        // Too many labels to be a host; report nothing, but let the caller skip it all.
        chain.labels.clear();
        chain.dots.clear();
    }
}

/// Whether `label` is a valid label: 1 to 63 characters, no `-` or `_` at either end, and a
/// punycode label (`xn--…`) only of ASCII.
pub fn valid_label(label: &str, allow_underscore: bool) -> bool {
    let count = label.chars().count();
    if count == 0 || count > 63 {
        return false;
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c == '-' || c == '_');
    if edge(label.chars().next()) || edge(label.chars().next_back()) {
        return false;
    }
    if !allow_underscore && label.contains('_') {
        return false;
    }
    if label
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
        && !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return false;
    }
    true
}

/// Whether `name` (lower case) is a top-level domain by the public suffix list (ICANN
/// section). Some ccTLDs are listed only below the top level: under a wildcard (`*.er`) or
/// with named second levels (`org.za`, not `za`); those count too.
pub fn is_tld(name: &str) -> bool {
    let icann = |candidate: &str| {
        psl::suffix(candidate.as_bytes()).is_some_and(|s| {
            s.typ() == Some(psl::Type::Icann) && s.as_bytes() == candidate.as_bytes()
        })
    };
    if name.is_empty() || name.contains('.') {
        return false;
    }
    icann(name)
        || ["x", "com", "org", "net", "co", "gov", "edu", "ac"]
            .iter()
            .any(|second| icann(&format!("{second}.{name}")))
}

/// The longest prefix of `text[at..]` that is a TLD and is followed by a character that
/// cannot continue a host name (twitter-text's rule: `example.comだよね` ends at `com`).
/// Returns its length in bytes.
pub fn tld_at(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    let mut ends = Vec::with_capacity(24);
    let mut len = 0;
    for c in rest.chars().take(24) {
        if !(c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphabetic())) {
            break;
        }
        len += c.len_utf8();
        ends.push(len);
    }
    // A TLD in its ASCII form (`xn--fiqs8s`, 中国) is read as the one it encodes.
    if rest.len() > 4 && rest.as_bytes()[..4].eq_ignore_ascii_case(b"xn--") {
        let len = rest
            .bytes()
            .take(64)
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
            .count();
        let continues = rest[len..].starts_with(['@', '_', '+']);
        let (unicode, decoded) = idna::domain_to_unicode(&rest[..len]);
        if !continues && decoded.is_ok() && is_tld(&unicode) {
            return Some(len);
        }
    }
    ends.into_iter().rev().find(|&end| {
        let continues = rest[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '-' | '_' | '+'));
        !continues && is_tld(&rest[..end].to_lowercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_disguised_dots() {
        for (text, disguised) in [
            (".", false),
            ("。", true),
            ("点", true),
            ("(.)", true),
            ("[dot]", true),
            (" . ", true),
            (" dot ", true),
            ("【点】", true),
        ] {
            let dot = dot_at(text, 0).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((dot.end, dot.disguised), (text.len(), disguised), "{text}");
        }
        for text in [" .", ". ", "   .   x", "dot", "(.", ",", " .  "] {
            let dot = dot_at(text, 0);
            assert!(dot.is_none() || dot.unwrap().end == 1, "{text}: {dot:?}");
        }
    }

    #[test]
    fn finds_tlds_at_host_boundaries() {
        assert_eq!(tld_at("com/", 0), Some(3));
        assert_eq!(tld_at("comだよね", 0), Some(3));
        assert_eq!(tld_at("comtest", 0), None);
        assert_eq!(tld_at("com-that", 0), None);
        assert_eq!(tld_at("みんなです", 0), Some("みんな".len()));
        assert_eq!(tld_at("bz2", 0), None);
        assert!(
            is_tld("cn")
                && is_tld("中国")
                && is_tld("za")
                && is_tld("er")
                && !is_tld("baz")
                && !is_tld("co.jp")
                && !is_tld("bz2")
        );
    }

    #[test]
    fn validates_labels() {
        assert!(valid_label("sub_domain-dash", true));
        assert!(!valid_label("twitter_underscore", false));
        assert!(!valid_label("-leading", true) && !valid_label("trailing_", true));
        assert!(valid_label("xn--ls8h", false) && !valid_label("xn--はじめよう", false));
        assert!(!valid_label(&"a".repeat(64), false));
    }
}

/// A TLD written with a look-alike of `o` (`c0m`, `c○m`, `cοm` with a Greek omicron or a
/// Cyrillic о): its length in the text and the TLD it stands for. Only for TLDs of three
/// letters or more that spammers use (`obfuscation_tlds`), so `v1.0` and `x.c0` stay silent.
pub fn lookalike_tld(
    text: &str,
    at: usize,
    registry: &crate::registry::Registry,
) -> Option<(usize, String)> {
    let mut tld = String::new();
    let mut len = 0;
    let mut swapped = false;
    for c in text[at..].chars().take(12) {
        let letter = match c {
            '0' | '○' | 'ο' | 'о' | 'Ο' | 'О' => {
                swapped = true;
                'o'
            }
            c if c.is_ascii_alphabetic() => c.to_ascii_lowercase(),
            _ => break,
        };
        tld.push(letter);
        len += c.len_utf8();
    }
    let continues = text[at + len..]
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '@' | '-' | '_'));
    (swapped && !continues && tld.len() >= 3 && registry.is_obfuscation_tld(&tld))
        .then_some((len, tld))
}

/// A host as the WHATWG URL standard reads it: a domain in its ASCII form (IDNA UTS #46,
/// lower case, percent-decoded, no trailing dot), or an IP address (IPv4 in any of its
/// spellings: `0x7f.1`, `2130706433`, `0177.0.0.1`; IPv6 in brackets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CanonicalHost {
    Domain(String),
    Ip(std::net::IpAddr),
}

impl CanonicalHost {
    /// The host as text: the ASCII domain, or the address (IPv6 without brackets).
    pub fn as_text(&self) -> String {
        match self {
            CanonicalHost::Domain(domain) => domain.clone(),
            CanonicalHost::Ip(address) => address.to_string(),
        }
    }

    /// The registrable domain (public suffix list); an IP address has none.
    pub fn registrable(&self) -> Option<&str> {
        match self {
            CanonicalHost::Domain(domain) => psl::domain_str(domain),
            CanonicalHost::Ip(_) => None,
        }
    }
}

/// Why a text is not a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    pub host: String,
    pub reason: String,
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is not a host: {}", self.host, self.reason)
    }
}

impl std::error::Error for HostError {}

/// Read `host` by the WHATWG host parser (the `url` crate): the one reading that links,
/// sanctions and lookups share, so `Example.COM.`, `例子.中国` and its `xn--` form, and
/// `0x7f.0.0.1` each compare equal to their canonical spelling.
pub fn canonical_host(host: &str) -> Result<CanonicalHost, HostError> {
    let error = |reason: String| HostError {
        host: host.to_owned(),
        reason,
    };
    let trimmed = host.trim();
    if trimmed.is_empty() {
        return Err(error("it is empty".into()));
    }
    match url::Host::parse(trimmed).map_err(|e| error(e.to_string()))? {
        url::Host::Domain(domain) => {
            let domain = domain.trim_end_matches('.');
            if domain.is_empty() {
                return Err(error("it has no labels".into()));
            }
            Ok(CanonicalHost::Domain(domain.to_owned()))
        }
        url::Host::Ipv4(address) => Ok(CanonicalHost::Ip(address.into())),
        url::Host::Ipv6(address) => Ok(CanonicalHost::Ip(address.into())),
    }
}

//! Links in chat text, with and without a scheme, plain or disguised.
//!
//! **What it catches:** `https://m.tb.cn/h.Ab3xYz9`, `t.co/abcde`, `foo.co.jp`, `ELPAÍS.com`,
//! `http://203.0.113.7:8080/x`, and disguised forms: full-width letters and dots
//! (`ｗｗｗ．ｘ．ｃｏｍ`, folded by the normalizer), spelled-out dots (`abc点com`, `abc(.)com`,
//! `abc[dot]com`), and spaced dots (`www . x . com`).
//!
//! **Why:** other apps' links are the main way traffic leaves the platform, and spammers
//! disguise them to get past filters.
//!
//! **How:** a single left-to-right scan of the text channel, following twitter-text's
//! extraction rules (its conformance suite runs in the tests): a link starts after a
//! character that is not a letter, digit, `@`, `$` or `#`; its host must end in a TLD on the
//! public suffix list; a schemeless host must be Latin; the path ends before trailing
//! punctuation, at CJK text and at full-width punctuation. Disguised dots are accepted only
//! for ASCII hosts ending in a TLD spammers use (`obfuscation_tlds` in the registry), so
//! prose does not turn into links. Each character is examined a bounded number of times:
//! a rejected host is skipped whole.
//!
//! After a scheme, what precedes an `@` is userinfo (`https://item.taobao.com@evil.top/`
//! goes to `evil.top`), and `localhost` and bracketed IPv6 hosts are links too. Once found,
//! a host is read by the WHATWG URL rules ([`host::canonical_host`], the `url` crate): IDNA to
//! ASCII, so `例子.中国` and `xn--fsqu00a.xn--fiqs8s` are one host; IPv4 in every spelling and
//! IPv6, which have no registrable domain. Sanction targets are read the same way. After a
//! scheme, a host in percent escapes (`https://%65vil.com/`) is decoded as a browser would.
//!
//! A CJK character ends a link, even right after a path slash (`https://x.com/中文` is
//! `https://x.com/` followed by prose): chat glues words to links without a space, and a
//! browser copies a CJK path in percent escapes, which stay part of the link. Quotes and
//! brackets around a link are not part of it; brackets balanced inside a path are.
//!
//! Each link is then judged by its host ([`judge_host`]): a reputation list's category for a
//! host no platform owns ([`reputation`]), and the phishing signals of its spelling
//! ([`phishing`]).

pub mod host;
pub mod phishing;
pub mod reputation;

use host::{Chain, LabelChars, is_latin_accent, read_chain, tld_at, valid_label};

use crate::registry::Registry;

/// A link found in the text channel, before it is mapped back to the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundLink {
    /// Byte range in the text channel.
    pub start: usize,
    pub end: usize,
    pub url: String,
    /// Lower-case host.
    pub host: String,
    /// Byte offset in the text channel where the path, query or port begins (or `end`).
    pub host_end: usize,
    pub obfuscated: bool,
}

impl FoundLink {
    /// The part after the host: port, path, query.
    pub fn rest<'t>(&self, text: &'t str) -> &'t str {
        &text[self.host_end..self.end]
    }
}

fn char_before(text: &str, at: usize) -> Option<char> {
    text[..at].chars().next_back()
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Scan the text channel for links, at most `max`; true if the scan stopped there.
pub fn find(text: &str, registry: &Registry, out: &mut Vec<FoundLink>, max: usize) -> bool {
    out.clear();
    let mut chain = Chain::default();
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if out.len() == max {
            return true;
        }
        let lead = bytes[at];
        let width = match lead {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        // Only ASCII letters and digits, and Latin letters with accents (lead bytes C3–C9 and
        // E1), can begin a link: step over anything else, CJK above all, without decoding it.
        let starts_run = match lead {
            0x00..=0x7F => lead.is_ascii_alphanumeric(),
            0xC3..=0xC9 | 0xE1 => text[at..].chars().next().is_some_and(is_latin_accent),
            _ => false,
        };
        if !starts_run || char_before(text, at).is_some_and(|p| LabelChars::Latin.allows(p)) {
            at += width;
            continue;
        }
        if bytes.get(at + 1) == Some(&b' ')
            && let Some(link) = spaced_host_at(text, at, registry)
        {
            at = link.end;
            out.push(link);
            continue;
        }
        match link_at(text, at, registry, &mut chain) {
            Ok(link) => {
                at = link.end;
                out.push(link);
            }
            Err(skip_to) => at = skip_to.max(at + width),
        }
    }
    false
}

/// A host spelled letter by letter (`e v i l . c o m`): single ASCII letters, digits and dots,
/// one space apart. Read as a link only when it has at least five letters or digits, a dot
/// between labels, nothing glued to its last letter, and a TLD spammers use
/// (`obfuscation_tlds`), so spaced initials in prose stay silent. Bounded by the longest host.
fn spaced_host_at(text: &str, start: usize, registry: &Registry) -> Option<FoundLink> {
    let bytes = text.as_bytes();
    let mut host = String::new();
    let mut at = start;
    loop {
        let b = *bytes.get(at)?;
        if !(b.is_ascii_alphanumeric() || b == b'.') || host.len() >= 253 {
            return None;
        }
        host.push(b.to_ascii_lowercase() as char);
        match bytes.get(at + 1) {
            Some(b' ')
                if bytes
                    .get(at + 2)
                    .is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'.') =>
            {
                at += 2;
            }
            Some(n) if n.is_ascii_alphanumeric() || *n == b'.' => return None,
            _ => break,
        }
    }
    let end = at + 1;
    let letters = host.bytes().filter(u8::is_ascii_alphanumeric).count();
    let (_, tld) = host.rsplit_once('.')?;
    let labels_ok = host.split('.').all(|label| !label.is_empty());
    if letters < 5 || !labels_ok || !registry.is_obfuscation_tld(tld) {
        return None;
    }
    Some(FoundLink {
        start,
        end,
        url: host.clone(),
        host,
        host_end: end,
        obfuscated: true,
    })
}

/// Try to read a link starting at `start`. On failure, returns where scanning may resume
/// without missing a link: past the whole host that was read.
fn link_at(
    text: &str,
    start: usize,
    registry: &Registry,
    chain: &mut Chain,
) -> Result<FoundLink, usize> {
    let before = char_before(text, start);
    // Defanged schemes (`hxxps://`, as threat reports write them) are schemes too; the link's
    // url then carries the real one.
    let scheme = [
        ("https://", "https://"),
        ("http://", "http://"),
        ("hxxps://", "https://"),
        ("hxxp://", "http://"),
    ]
    .into_iter()
    .find(|(written, _)| starts_with_ignore_case(&text[start..], written));
    let scheme_len = scheme.map_or(0, |(written, _)| written.len());
    let defanged = scheme.is_some_and(|(written, real)| written != real);
    let has_scheme = scheme_len > 0;
    // `https://item.taobao.com@evil.example/x` goes to evil.example: what comes before an `@`
    // after a scheme is userinfo, never the host.
    let host_start = start
        + scheme_len
        + if has_scheme {
            userinfo_len(&text[start + scheme_len..])
        } else {
            0
        };
    // After a scheme: `localhost`, `[::1]`, and hosts spelt in percent escapes
    // (`https://%65vil.com/`, which a browser opens as evil.com).
    let special = || {
        let rest = &text[host_start..];
        local_host(rest)
            .map(|len| (len, false))
            .or_else(|| percent_encoded_host(rest).map(|len| (len, true)))
    };
    if has_scheme && let Some((len, escaped)) = special() {
        let host_end = host_start + len;
        let end = after_host(text, host_end, None);
        return Ok(FoundLink {
            start,
            end,
            url: text[start..end].to_owned(),
            host: text[host_start..host_end].to_ascii_lowercase(),
            host_end,
            obfuscated: escaped || defanged,
        });
    }
    let chars = if has_scheme {
        LabelChars::Unicode
    } else {
        LabelChars::Latin
    };
    read_chain(text, host_start, chars, chain);
    // Resume past the whole chain: every position inside it follows a label character or a
    // dot, and retrying from each would read the chain again (quadratic on "a.a.a.…").
    let skip = chain.end.max(host_start);
    // "http:// example.com": the scheme leads nowhere; resume after "http".
    let skip = if has_scheme && chain.labels.is_empty() {
        start + 4
    } else {
        skip
    };

    // `//host/x` (protocol-relative) and `ftp://host` (another scheme): the link starts at the
    // slashes or at the scheme, which the scan did not stop at.
    let lead = if has_scheme {
        None
    } else {
        slashes_before(text, start)
    };
    let bad_before = |c: char| {
        matches!(c, '@' | '$' | '#' | '＠' | '＃')
            || (!has_scheme && lead.is_none() && matches!(c, '-' | '_' | '.' | '/'))
    };
    if before.is_some_and(bad_before) || chain.labels.is_empty() || chain.dots.is_empty() {
        return Err(skip);
    }

    let (host, host_end, disguised_host) = match ipv4_host(text, chain) {
        Some(host_end)
            if has_scheme || matches!(text[host_end..].chars().next(), Some(':' | '/')) =>
        {
            (text[host_start..host_end].to_owned(), host_end, false)
        }
        Some(_) => return Err(skip),
        None => named_host(text, chain, registry).ok_or(skip)?,
    };
    let tld = host.rsplit('.').next().unwrap_or_default();
    let slug_limit = registry.slug_limit(&host);
    if let Some(limit) = slug_limit {
        let slug = text[host_end..].strip_prefix('/').map_or(0, |rest| {
            rest.bytes().take_while(u8::is_ascii_alphanumeric).count()
        });
        if slug > limit {
            return Err(host_end + 1 + slug);
        }
    }
    let mut end = after_host(text, host_end, slug_limit);
    // A fragment after a scheme's link (`https://x.com/a#top`, `https://x.com#top`); without a
    // scheme a `#` is more often a hashtag, and so it is after a fixed-shape slug (t.co).
    if has_scheme && slug_limit.is_none() && text[end..].starts_with('#') {
        end = query_end(text, end);
    }
    let obfuscated = disguised_host || defanged;
    if !has_scheme && end == host_end && chain.labels.len() == 2 && registry.is_filename_tld(tld) {
        return Err(skip.max(end));
    }
    let start = lead.unwrap_or(start);
    let url = if obfuscated {
        let real_scheme = scheme.map_or("", |(_, real)| real);
        format!(
            "{real_scheme}{}{host}{}",
            &text[start + scheme_len..host_start],
            &text[host_end..end]
        )
    } else {
        text[start..end].to_owned()
    };
    Ok(FoundLink {
        start,
        end,
        url,
        host,
        host_end,
        obfuscated,
    })
}

/// Where a link begins when `//` comes right before its host at `host_start`: at a scheme of
/// 2 to 10 ASCII letters before `://` (`ftp://`, `wss://`) that starts a word, else at the
/// slashes (`//cdn.example.com/x`) when nothing word-like precedes them.
fn slashes_before(text: &str, host_start: usize) -> Option<usize> {
    let slashes = host_start.checked_sub(2)?;
    if text.as_bytes()[slashes..host_start] != *b"//" {
        return None;
    }
    let word_before =
        |at: usize| char_before(text, at).is_some_and(|c| c.is_alphanumeric() || c == '/');
    match text[..slashes].strip_suffix(':') {
        // A scheme glued to the word before it (`experiencehttp://www.example.com/x`): a word
        // does not end in `http:`, so the link starts at the scheme.
        Some(head)
            if let Some(web) = ["https", "http"]
                .iter()
                .find(|s| ends_with_ignore_case(head, s)) =>
        {
            Some(head.len() - web.len())
        }
        Some(head) => {
            let letters = head
                .bytes()
                .rev()
                .take(11)
                .take_while(u8::is_ascii_alphabetic)
                .count();
            let scheme = head.len() - letters;
            ((2..=10).contains(&letters) && !word_before(scheme)).then_some(scheme)
        }
        None => (!word_before(slashes)).then_some(slashes),
    }
}

/// Port, path and query after a host that ends at `host_end`: where the link ends. A host
/// with a slug of fixed shape (t.co) takes `slug_limit` ASCII letters and digits as its path.
fn after_host(text: &str, host_end: usize, slug_limit: Option<usize>) -> usize {
    let mut end = host_end;
    if text[end..].starts_with(':') {
        let digits = text[end + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if (1..=5).contains(&digits) {
            end += 1 + digits;
        }
    }
    if text[end..].starts_with('/') {
        end = match slug_limit {
            Some(limit) => {
                let slug = text[end + 1..]
                    .bytes()
                    .take_while(u8::is_ascii_alphanumeric)
                    .count();
                end + 1 + slug.min(limit)
            }
            None => path_end(text, end),
        };
    }
    if text[end..].starts_with('?') {
        end = query_end(text, end);
    }
    end
}

/// The length of a userinfo (`user:pass@`, `item.taobao.com@`) at the start of what follows a
/// scheme, `@` included; 0 if there is none. Userinfo is printable ASCII with no `/`, `?`, `#`
/// or space, and at most 256 bytes, so the look-ahead is bounded.
fn userinfo_len(rest: &str) -> usize {
    for (i, &b) in rest.as_bytes().iter().take(257).enumerate() {
        match b {
            b'@' if i > 0 => return i + 1,
            b'/' | b'?' | b'#' | b'@' => return 0,
            _ if !b.is_ascii_graphic() => return 0,
            _ => {}
        }
    }
    0
}

/// A host with no dot that a scheme makes a link: `localhost`, or an IPv6 address in
/// brackets (`[::1]`, `[2001:db8::7]`). Returns its length.
fn local_host(rest: &str) -> Option<usize> {
    let ends_here = |len: usize| {
        rest[len..]
            .chars()
            .next()
            .is_none_or(|c| !LabelChars::Unicode.allows(c) && c != '.')
    };
    if starts_with_ignore_case(rest, "localhost") && ends_here(9) {
        return Some(9);
    }
    let inner = rest.strip_prefix('[')?;
    let close = inner.bytes().take(46).position(|b| b == b']')?;
    inner[..close]
        .parse::<std::net::Ipv6Addr>()
        .is_ok()
        .then_some(close + 2)
}

/// The length of a host with percent escapes at the start of `rest` (`%65vil.com`): letters,
/// digits, `-`, `.` and `%XX`, at least one escape, which the WHATWG host parser decodes to
/// a domain with a registrable name. Bounded by the longest host name.
fn percent_encoded_host(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let (mut len, mut escapes) = (0, 0);
    while len < bytes.len() && len < 3 * 253 {
        match bytes[len] {
            b'%' if bytes
                .get(len + 1..len + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
            {
                escapes += 1;
                len += 3;
            }
            b if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' => len += 1,
            _ => break,
        }
    }
    let host = rest[..len].trim_end_matches('.');
    let readable = matches!(
        host::canonical_host(host),
        Ok(host::CanonicalHost::Domain(domain)) if psl::domain_str(&domain).is_some()
    );
    (escapes > 0 && readable).then_some(host.len())
}

/// The host name that starts at `start` (a Latin label chain ending in a TLD), for e-mail
/// domains: the lower-case host, where it ends, and whether a dot in it was disguised.
pub fn host_at(text: &str, start: usize, registry: &Registry) -> Option<(String, usize, bool)> {
    let mut chain = Chain::default();
    read_chain(text, start, LabelChars::Latin, &mut chain);
    if chain.dots.is_empty() {
        return None;
    }
    named_host(text, &chain, registry)
}

/// Four numeric labels, each at most 255: an IPv4 address. Returns where it ends.
fn ipv4_host(text: &str, chain: &Chain) -> Option<usize> {
    if chain.labels.len() != 4 || chain.dots.iter().any(|d| d.disguised) {
        return None;
    }
    let numeric = chain
        .labels
        .iter()
        .all(|&(s, e)| e - s <= 3 && text[s..e].parse::<u8>().is_ok());
    numeric.then(|| chain.labels[3].1)
}

/// Choose where the TLD is, twitter-text style: the rightmost dot after which a TLD starts
/// and before which every label is valid. Returns the lower-case host, where it ends, and
/// whether any dot in it was disguised.
fn named_host(text: &str, chain: &Chain, registry: &Registry) -> Option<(String, usize, bool)> {
    for (k, dot) in chain.dots.iter().enumerate().rev() {
        let (tld_len, swapped) = match tld_at(text, dot.end) {
            Some(len) => (len, None),
            None => match host::lookalike_tld(text, dot.end, registry) {
                Some((len, tld)) => (len, Some(tld)),
                None => continue,
            },
        };
        let labels = &chain.labels[..=k];
        let domain_label = k;
        let labels_ok = labels
            .iter()
            .enumerate()
            .all(|(i, &(s, e))| valid_label(&text[s..e], i != domain_label));
        if !labels_ok {
            continue;
        }
        let obfuscated = swapped.is_some() || chain.dots[..=k].iter().any(|d| d.disguised);
        let tld = swapped.unwrap_or_else(|| text[dot.end..dot.end + tld_len].to_lowercase());
        if obfuscated {
            let ascii = labels.iter().all(|&(s, e)| text[s..e].is_ascii());
            if !ascii || !registry.is_obfuscation_tld(&tld) {
                continue;
            }
        }
        let mut host = String::new();
        for &(s, e) in labels {
            host.push_str(&text[s..e].to_lowercase());
            host.push('.');
        }
        host.push_str(&tld);
        return Some((host, dot.end + tld_len, obfuscated));
    }
    None
}

fn is_cyrillic(c: char) -> bool {
    ('\u{400}'..='\u{4FF}').contains(&c)
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!*';:=+,.$/%#[]-_~&|@".contains(c)
        || c == '\u{2013}'
        || is_cyrillic(c)
        || is_latin_accent(c)
}

fn is_path_ending(c: char) -> bool {
    c.is_ascii_alphanumeric() || "=_#/+-".contains(c) || is_cyrillic(c) || is_latin_accent(c)
}

/// The end of a path starting with `/` at `start`: greedy over path characters and balanced
/// parentheses, then back to the last character a path may end with.
fn path_end(text: &str, start: usize) -> usize {
    let mut good_end = start + 1;
    let mut depth = 0usize;
    // good_end as it was before the first unclosed "(": where the path ends if it stays open.
    let mut before_open = None;
    let mut at = start;
    for c in text[start..].chars() {
        match c {
            '(' => {
                if depth == 0 {
                    before_open = Some(good_end);
                }
                depth += 1;
            }
            ')' if depth == 0 => break,
            ')' => depth -= 1,
            c if !is_path_char(c) => break,
            _ => {}
        }
        at += c.len_utf8();
        if depth == 0 && (c == ')' || is_path_ending(c)) {
            good_end = at;
        }
    }
    if depth > 0 {
        before_open.unwrap_or(good_end)
    } else {
        good_end
    }
}

/// The end of a query starting with `?` at `start`.
fn query_end(text: &str, start: usize) -> usize {
    let mut good_end = start;
    let mut at = start;
    for c in text[start..].chars() {
        if !(c.is_ascii_alphanumeric() || "!?*'();:&=+$/%#[]-_.,~|@".contains(c)) {
            break;
        }
        at += c.len_utf8();
        if c.is_ascii_alphanumeric() || "-_&=#/".contains(c) {
            good_end = at;
        }
    }
    good_end
}

/// Turn the links found in the text channel into facts: spans in the original text, the
/// registry's platform and category. A host that is the domain of an e-mail address found
/// by the contacts detector is not a link.
pub(crate) fn facts(cx: &crate::Context<'_>, contacts: &[crate::Contact]) -> Vec<crate::Link> {
    let mut emails: Vec<(usize, usize)> = contacts
        .iter()
        .filter(|c| c.kind == crate::ContactKind::Email)
        .map(|c| (c.span.start, c.span.end))
        .collect();
    emails.sort_unstable();
    cx.links
        .iter()
        .filter_map(|found| {
            let span = cx.norm.original_span(found.start..found.end);
            let inside_email = crate::inside_any(&emails, span.start, span.end);
            (!inside_email).then(|| fact(cx.registry, cx.norm.text(), found, span))
        })
        .collect()
}

/// One link fact.
pub fn fact(
    registry: &Registry,
    text: &str,
    found: &FoundLink,
    span: menshen_text::Span,
) -> crate::Link {
    // The WHATWG reading of the host: IDNA to ASCII, IPv4 in every spelling, IPv6; an IP has
    // no registrable domain. A host the parser refuses keeps the spelling it was found in.
    let canonical = host::canonical_host(&found.host).ok();
    let host = canonical
        .as_ref()
        .map_or_else(|| found.host.clone(), host::CanonicalHost::as_text);
    let domain = match &canonical {
        Some(canonical) => canonical.registrable().map(str::to_owned),
        None => psl::domain_str(&found.host).map(str::to_owned),
    };
    let info = registry.lookup(&host, found.rest(text));
    let platform = info.map(|i| registry.platform(i.platform));
    let mut link = crate::Link {
        url: found.url.clone(),
        host,
        domain,
        platform: platform.map(|p| p.id.clone()),
        category: platform.map(|p| p.category).unwrap_or_default(),
        span,
        obfuscated: found.obfuscated,
        attachment: None,
        signals: Vec::new(),
        imitates: None,
    };
    judge_host(registry, &mut link);
    link
}

/// What the reputation lists and the host's spelling say of a link (see [`reputation`] and
/// [`phishing`]). A registry platform's host keeps its platform's category: the lists are
/// old and noisy, and a platform's own host hosting abuse is a matter for sanctions.
pub fn judge_host(registry: &Registry, link: &mut crate::Link) {
    let Some(domain) = link.domain.as_deref() else {
        return;
    };
    if link.platform.is_some() {
        return;
    }
    if let Some(listed) = registry.reputation().lookup(&link.host) {
        link.category = listed.category;
        if listed.category == crate::Category::Phishing {
            link.signals.push(crate::signals::SignalName::Listed);
        }
    }
    let found = registry.brands().judge(&link.host, domain);
    link.signals.extend(found.signals);
    link.imitates = found.imitates;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<String> {
        let registry = Registry::embedded();
        let mut out = Vec::new();
        find(text, &registry, &mut out, usize::MAX);
        out.into_iter().map(|l| l.url).collect()
    }

    #[test]
    fn ends_links_at_cjk_and_full_width_punctuation() {
        assert_eq!(
            urls("加我vx看 www.example.com中文结尾"),
            ["www.example.com"]
        );
        assert_eq!(
            urls("http://xhslink.com/a/AbCdE12，复制本条信息"),
            ["http://xhslink.com/a/AbCdE12"]
        );
        assert_eq!(
            urls("看这个https://m.tb.cn/h.Ab3xYz9 点击链接"),
            ["https://m.tb.cn/h.Ab3xYz9"]
        );
        // Right after a path slash too: chat glues words to links with no space, and a
        // browser writes a CJK path in percent escapes, which stay part of the link.
        assert_eq!(urls("看 https://x.com/中文"), ["https://x.com/"]);
        assert_eq!(
            urls("看 https://x.com/%E4%B8%AD%E6%96%87 好"),
            ["https://x.com/%E4%B8%AD%E6%96%87"]
        );
    }

    #[test]
    fn quotes_and_brackets_around_a_link_are_not_part_of_it() {
        assert_eq!(urls("见\"https://x.com/a\"。"), ["https://x.com/a"]);
        assert_eq!(urls("见“https://x.com/a”"), ["https://x.com/a"]);
        assert_eq!(urls("(see https://x.com/a)"), ["https://x.com/a"]);
        assert_eq!(
            urls("https://en.wikipedia.org/wiki/Foo_(bar) 好"),
            ["https://en.wikipedia.org/wiki/Foo_(bar)"]
        );
        assert_eq!(urls("【https://x.com/a】"), ["https://x.com/a"]);
    }

    #[test]
    fn percent_escaped_hosts_after_a_scheme() {
        let registry = Registry::embedded();
        let mut out = Vec::new();
        find("看 https://%65vil.com/x", &registry, &mut out, usize::MAX);
        let link = fact(
            &registry,
            "看 https://%65vil.com/x",
            &out[0],
            menshen_text::Span::new(out[0].start, out[0].end),
        );
        assert_eq!((link.host.as_str(), link.obfuscated), ("evil.com", true));
        // Not a host: a bad escape, or one that decodes to no name.
        assert!(urls("https://%zz/").is_empty());
        assert!(urls("https://%20/").is_empty());
    }

    #[test]
    fn reads_disguised_dots_for_ascii_hosts_only() {
        assert_eq!(urls("去 abc点com 看看"), ["abc.com"]);
        assert_eq!(urls("www . example . com"), ["www.example.com"]);
        assert_eq!(urls("example(.)cn/x"), ["example.cn/x"]);
        assert_eq!(urls("hxxp example[dot]com"), ["example.com"]);
        assert!(urls("我们在万达点com").is_empty());
        assert!(
            urls("go to the store. In the morning").is_empty(),
            "one-sided space is a sentence"
        );
        assert!(
            urls("它是 example点baz").is_empty(),
            "disguised dots need a spammers' TLD"
        );
    }

    #[test]
    fn reads_ip_hosts_and_ports() {
        assert_eq!(
            urls("http://203.0.113.7:8080/x ok"),
            ["http://203.0.113.7:8080/x"]
        );
        assert_eq!(urls("203.0.113.7/login"), ["203.0.113.7/login"]);
        assert!(urls("version 1.2.3.4 released").is_empty());
    }

    fn facts_of(text: &str) -> Vec<crate::Link> {
        crate::Analyzer::embedded().analyze(text).links
    }

    #[test]
    fn userinfo_is_never_the_host() {
        let facts =
            crate::Analyzer::embedded().analyze("看 https://item.taobao.com@evil.top/x 这个");
        let links = &facts.links;
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!(links[0].host, "evil.top");
        assert_eq!(links[0].url, "https://item.taobao.com@evil.top/x");
        assert!(
            facts.contacts.is_empty(),
            "the userinfo is no e-mail: {:?}",
            facts.contacts
        );
        let links = facts_of("http://user:pass@host.example.com/path");
        assert_eq!(
            (links[0].host.as_str(), links[0].domain.as_deref()),
            ("host.example.com", Some("example.com"))
        );
        assert!(
            urls("mail me: alice@example.com").is_empty(),
            "an address's domain is no link"
        );
    }

    #[test]
    fn ip_hosts_have_no_registrable_domain() {
        for (text, host) in [
            ("http://1.2.3.4/", "1.2.3.4"),
            ("http://203.0.113.7:8080/x", "203.0.113.7"),
            ("http://[::1]:8080/admin", "::1"),
            ("https://[2001:db8::7]/x", "2001:db8::7"),
        ] {
            let links = facts_of(text);
            assert_eq!(links.len(), 1, "{text}: {links:?}");
            assert_eq!(links[0].host, host, "{text}");
            assert_eq!(links[0].domain, None, "{text}: an IP has no domain");
        }
        let local = facts_of("dev server at http://localhost:3000/login");
        assert_eq!(
            (local[0].host.as_str(), local[0].domain.as_deref()),
            ("localhost", None)
        );
        assert!(
            facts_of("localhost:3000").is_empty(),
            "without a scheme, a word"
        );
    }

    #[test]
    fn idn_hosts_are_read_in_their_ascii_form() {
        let unicode = facts_of("http://例子.中国/a");
        let ascii = facts_of("http://xn--fsqu00a.xn--fiqs8s/a");
        assert!(
            !unicode.is_empty() && !ascii.is_empty(),
            "{unicode:?} {ascii:?}"
        );
        assert_eq!(unicode[0].host, "xn--fsqu00a.xn--fiqs8s");
        assert_eq!(unicode[0].host, ascii[0].host);
        assert_eq!(unicode[0].domain, ascii[0].domain);
        assert!(unicode[0].domain.is_some());
        assert_eq!(facts_of("https://Example.COM./x")[0].host, "example.com");
    }

    #[test]
    fn canonical_hosts_follow_the_whatwg_rules() {
        use host::{CanonicalHost, canonical_host};
        let ip = |s: &str| CanonicalHost::Ip(s.parse().unwrap());
        assert_eq!(canonical_host("0x7f.1"), Ok(ip("127.0.0.1")));
        assert_eq!(canonical_host("2130706433"), Ok(ip("127.0.0.1")));
        assert_eq!(canonical_host("0177.0.0.1"), Ok(ip("127.0.0.1")));
        assert_eq!(canonical_host("[::1]"), Ok(ip("::1")));
        assert_eq!(
            canonical_host("Ｅxample.com."),
            Ok(CanonicalHost::Domain("example.com".into()))
        );
        assert_eq!(canonical_host("1.2.3.4").unwrap().registrable(), None);
        assert!(canonical_host("").is_err());
        assert!(canonical_host("a b.com").is_err());
    }

    #[test]
    fn defanged_and_lookalike_spellings_are_the_link_they_stand_for() {
        let host_of = |text: &str| {
            let links = facts_of(text);
            assert_eq!(links.len(), 1, "{text}: {links:?}");
            assert!(links[0].obfuscated, "{text}");
            (links[0].host.clone(), links[0].url.clone())
        };
        assert_eq!(
            host_of("hxxps://evil.top/login"),
            ("evil.top".into(), "https://evil.top/login".into())
        );
        assert_eq!(host_of("HXXP://evil[.]top/x").0, "evil.top");
        for text in [
            "去 evil.c0m 看",
            "去 evil.c○m 看",
            "去 evil.cοm 看",
            "去 evil.cоm/x 看",
        ] {
            assert_eq!(host_of(text).0, "evil.com", "{text}");
        }
        for silent in [
            "version v1.0 released",
            "x.c0 is fine",
            "room 3.0m wide",
            "ab.c0mic",
        ] {
            assert!(
                facts_of(silent).is_empty(),
                "{silent}: {:?}",
                facts_of(silent)
            );
        }
    }

    #[test]
    fn fragments_belong_to_links_with_a_scheme() {
        assert_eq!(
            urls("see https://example.com/a#top now"),
            ["https://example.com/a#top"]
        );
        assert_eq!(
            urls("see https://example.com#top now"),
            ["https://example.com#top"]
        );
    }

    #[test]
    fn protocol_relative_links_and_other_schemes_start_where_they_are_written() {
        assert_eq!(urls("看 //cdn.evil.top/x.js 吧"), ["//cdn.evil.top/x.js"]);
        assert_eq!(
            urls("get ftp://files.example.com/a.zip now"),
            ["ftp://files.example.com/a.zip"]
        );
        assert_eq!(
            urls("wss://chat.example.com/socket"),
            ["wss://chat.example.com/socket"]
        );
        assert_eq!(facts_of("看 //cdn.evil.top/x.js")[0].host, "cdn.evil.top");
        assert!(
            urls("a/b//c.d and 1//2.5").is_empty(),
            "{:?}",
            urls("a/b//c.d and 1//2.5")
        );
    }

    #[test]
    fn a_scheme_glued_to_a_word_still_starts_the_link() {
        assert_eq!(
            urls("experiencehttp://www.example.com/x now"),
            ["http://www.example.com/x"]
        );
        assert_eq!(urls("看看https://evil.top/a"), ["https://evil.top/a"]);
    }

    #[test]
    fn letter_spaced_hosts_are_read_whole() {
        assert_eq!(urls("加 e v i l . c o m 领奖"), ["evil.com"]);
        assert_eq!(urls("w w w . p r i z e 8 . t o p"), ["www.prize8.top"]);
        let links = facts_of("去 e v i l . c o m 看");
        assert_eq!(
            (links[0].host.as_str(), links[0].obfuscated),
            ("evil.com", true)
        );
        for silent in ["U . S . A", "a b c . d e", "e v i l . c o mx", "x . c o m"] {
            assert!(urls(silent).is_empty(), "{silent}: {:?}", urls(silent));
        }
    }

    #[test]
    fn leaves_file_names_and_prose_alone() {
        assert!(urls("run main.py then notes.md").is_empty());
        assert!(urls("升级到 v1.2.3 或 2.0.1 版").is_empty());
        assert!(urls("e.g. the U.S.A. and i.e. a.m.").is_empty());
        assert!(urls("h t t p 是协议").is_empty());
        assert!(urls("Python的list.sort()和sorted()").is_empty());
        assert!(urls("价格 12.50 元").is_empty());
    }
}

//! Other apps' share codes (淘口令 and its cousins): passwords, share links, mini-program paths.
//!
//! Share texts are recognised from independent signals, each in its own module:
//!
//! - [`password`]: an alphanumeric core of a platform's token length, its delimiters, a prefix;
//! - [`share_link`]: a platform's share host or share parameter;
//! - [`evidence`]: anchor phrases (复制…打开…淘宝), tags (【淘宝】) and markers (淘口令);
//! - [`templates`]: mini-program paths, Douyin code-only texts, JD red packets;
//! - the channel code (`CZ3457`) of link-first share texts, below.
//!
//! Each signal is a probability that the text is a share code; they combine by noisy-OR,
//! `1 − Π(1 − pᵢ)`, so that any one strong signal can carry a code, two moderate ones agree,
//! and a token's shape alone never reaches the reporting threshold
//! ([`crate::AnalyzerConfig::share_code_threshold`], 0.6 by default).
//!
//! The platform comes from the strongest specific signal: the share host (refined within its
//! family by the text's own words: m.tb.cn under 【闲鱼】 is Xianyu), then a token prefix,
//! then the text's anchors and tags, then the registry's default for the token length.
//!
//! ```
//! let facts = menshen_detect::Analyzer::embedded().analyze("₳Pq8RsT2uVwX₳");
//! assert_eq!((facts.share_codes[0].platform.as_str(), facts.share_codes[0].token.as_str()), ("taobao", "Pq8RsT2uVwX"));
//! ```

pub mod evidence;
pub mod password;
pub mod share_link;
pub mod templates;

use evidence::PlatformEvidence;

use crate::{Context, ShareCode, ShareKind, ShareSignal, registry::PlatformId};

/// Strength of a channel code (`CZ3457`) in a text that carries a link: link-first share texts
/// put one after the link. Without a link the shape is too common (flight CA0953).
pub const CHANNEL_CODE: f64 = 0.3;
/// Strength of a platform's ordinary (non-share) link, which needs the share text's own
/// evidence (a tag, marker or anchor naming the platform) to count as a share.
pub const PLATFORM_LINK: f64 = 0.3;
/// The share-text evidence a platform's ordinary link needs: a copy-and-open anchor, or a tag
/// with an anchor or marker. A tag alone is not enough: SMS senders sign with 【平台】 too.
pub const PLATFORM_LINK_EVIDENCE: f64 = 0.6;
/// Strength a share link of a platform lends to a password of the same platform in the text.
pub const SHARE_LINK_NEARBY: f64 = 0.5;

fn noisy_or(strengths: impl IntoIterator<Item = f64>) -> f64 {
    1.0 - strengths
        .into_iter()
        .fold(1.0, |miss, p| miss * (1.0 - p.clamp(0.0, 1.0)))
}

/// The token of a link taken as a share: its path and query, without the slashes around them.
fn link_token(text: &str, link: &crate::links::FoundLink) -> String {
    text[link.host_end..link.end].trim_matches('/').to_owned()
}

/// The maximal runs of ASCII letters and digits, as byte ranges.
pub fn ascii_words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !bytes[at].is_ascii_alphanumeric() {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
            at += 1;
        }
        (at > start).then_some((start, at))
    })
}

/// Two capital letters and 3–4 digits standing alone (CZ3457, MU5104).
fn has_channel_code(text: &str) -> bool {
    ascii_words(text).any(|(start, end)| {
        let word = &text.as_bytes()[start..end];
        (5..=6).contains(&word.len())
            && word[..2].iter().all(u8::is_ascii_uppercase)
            && word[2..].iter().all(u8::is_ascii_digit)
    })
}

pub(crate) fn find(cx: &Context<'_>) -> Vec<ShareCode> {
    let text = cx.norm.text();
    let registry = cx.registry;
    // The cheap detectors first: a message with no link, token or template (most chat) is
    // done before any evidence is gathered.
    let mut matches = Vec::new();
    templates::find(text, registry, &mut matches);
    // A token inside a link or a template belongs to it, not to a password of its own.
    let mut claimed: Vec<(usize, usize)> = cx
        .links
        .iter()
        .map(|l| (l.start, l.end))
        .chain(matches.iter().map(|m| (m.start, m.end)))
        .collect();
    claimed.sort_unstable();
    claimed.dedup_by(|next, kept| {
        let overlaps = next.0 <= kept.1;
        kept.1 = kept.1.max(if overlaps { next.1 } else { kept.1 });
        overlaps
    });
    let mut candidates = Vec::new();
    password::candidates(text, registry, &claimed, &mut candidates);
    if cx.links.is_empty() && candidates.is_empty() && matches.is_empty() {
        return Vec::new();
    }
    let evidence = evidence::gather(cx);
    let channel_code = !cx.links.is_empty() && has_channel_code(text);
    let mut share_link_platforms: Vec<PlatformId> = Vec::new();
    let threshold = cx.config.share_code_threshold;
    let mut codes: Vec<ShareCode> = Vec::new();
    let mut seen: std::collections::HashSet<(PlatformId, String)> =
        std::collections::HashSet::new();
    let mut push = |platform: PlatformId,
                    kind: ShareKind,
                    token: String,
                    start: usize,
                    end: usize,
                    confidence: f64,
                    signals: Vec<ShareSignal>| {
        if confidence < threshold || start >= end {
            return;
        }
        if !seen.insert((platform, token.clone())) {
            return;
        }
        let platform = registry.platform(platform).id.clone();
        let confidence = (confidence * 100.0).round() / 100.0;
        codes.push(ShareCode {
            platform,
            kind,
            token,
            span: cx.norm.original_span(start..end),
            confidence,
            signals,
            attachment: None,
        });
    };
    let context = |platform: PlatformId, signals: &mut Vec<ShareSignal>| -> f64 {
        let e: &PlatformEvidence = &evidence[platform as usize];
        e.signals(signals);
        let mut strengths = vec![e.strength()];
        if channel_code {
            signals.push(ShareSignal::ChannelCode);
            strengths.push(CHANNEL_CODE);
        }
        noisy_or(strengths)
    };

    // Share links, refined within the host's family by the strongest evidence.
    let mut other_links = Vec::new();
    for link in cx.links {
        match share_link::find(text, registry, link) {
            Some(found) => {
                share_link_platforms.push(found.platform);
                let platform = evidence::strongest(&evidence, |p| {
                    p != found.platform && registry.same_family(p, found.platform)
                })
                .filter(|&p| {
                    evidence[p as usize].strength() > evidence[found.platform as usize].strength()
                })
                .unwrap_or(found.platform);
                let mut signals = vec![ShareSignal::ShareLink];
                let confidence =
                    noisy_or([share_link::SHARE_LINK, context(platform, &mut signals)]);
                push(
                    platform,
                    found.kind,
                    found.token,
                    found.start,
                    found.end,
                    confidence,
                    signals,
                );
            }
            None => other_links.push((
                link,
                registry
                    .lookup(&link.host, link.rest(text))
                    .map(|info| info.platform),
            )),
        }
    }

    // Links that are not share links but sit inside a share text. A link of no known platform
    // takes the platform of a copy-and-open anchor ("复制整段信息，打开手机天猫 … http://…"); a
    // platform's ordinary link (【微博】 + t.cn, 【京东】 + item.jd.com) needs its own platform's
    // share-text evidence. A link alone is only a link.
    let anchored = evidence::strongest(&evidence, |p| {
        evidence[p as usize].anchor >= evidence::ANCHOR_COPY_OPEN
    });
    for (link, host_platform) in other_links {
        let (platform, base) = match host_platform {
            Some(host) => {
                let platform = evidence::strongest(&evidence, |p| registry.same_family(p, host))
                    .unwrap_or(host);
                if evidence[platform as usize].strength() < PLATFORM_LINK_EVIDENCE {
                    continue;
                }
                (platform, PLATFORM_LINK)
            }
            None => match anchored {
                Some(platform) => (platform, 0.0),
                None => continue,
            },
        };
        let mut signals = Vec::new();
        let confidence = noisy_or([base, context(platform, &mut signals)]);
        push(
            platform,
            ShareKind::ShortLink,
            link_token(text, link),
            link.start,
            link.end,
            confidence,
            signals,
        );
    }

    // Templates.
    for m in matches.drain(..) {
        let mut signals = vec![ShareSignal::Template];
        let anchor = context(m.platform, &mut signals);
        if m.needs_anchor && evidence[m.platform as usize].anchor < evidence::ANCHOR_OPEN {
            continue;
        }
        let kind = if registry.platform(m.platform).mini_program_prefix.is_some() {
            ShareKind::MiniProgram
        } else {
            ShareKind::Password
        };
        push(
            m.platform,
            kind,
            m.token,
            m.start,
            m.end,
            noisy_or([m.strength, anchor]),
            signals,
        );
    }

    // Password tokens.
    for candidate in &candidates {
        let len = candidate.end - candidate.start;
        let fits = |p: PlatformId| registry.platform(p).token_lengths.contains(&len);
        let beside_link = share_link_platforms.iter().copied().find(|&p| fits(p));
        let platform = candidate
            .prefix
            .or(beside_link)
            .or_else(|| evidence::strongest(&evidence, fits))
            .or_else(|| {
                registry
                    .platforms()
                    .iter()
                    .position(|p| p.token_lengths.contains(&len))
                    .map(|p| p as PlatformId)
            });
        let Some(platform) = platform else { continue };
        let mut signals = Vec::new();
        candidate.signals(&mut signals);
        let prefix = if candidate.prefix.is_some() {
            password::PREFIX
        } else {
            0.0
        };
        let link = if beside_link == Some(platform) {
            signals.push(ShareSignal::ShareLink);
            SHARE_LINK_NEARBY
        } else {
            0.0
        };
        let confidence = noisy_or([
            candidate.shape,
            candidate.delimiters,
            prefix,
            link,
            context(platform, &mut signals),
        ]);
        push(
            platform,
            ShareKind::Password,
            text[candidate.start..candidate.end].to_owned(),
            candidate.start,
            candidate.end,
            confidence,
            signals,
        );
    }

    codes.sort_by_key(|c| (c.span.start, c.span.end));
    codes
}

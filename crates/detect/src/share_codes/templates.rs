//! Platform-specific layouts that neither a token nor a link describes.
//!
//! - **Mini-program paths** (`#小程序://某商城/0JPDrt84ecI5Gwq`): WeChat's copyable mini-program
//!   link, a prefix from the registry, a name and a 1–40 character path token.
//! - **Douyin code-only texts** (`4.66 i@C.uf :4pm kcN:/ 复制此链接，打开抖音搜索`): a score such
//!   as `4.66` at the start and a `xxx:/` code, for platforms with `code_only_form`.
//! - **JD red packets** (`5:/鶁高明威严…电脑东，【红包】…`): `N:/` at the start followed by
//!   garbled Chinese, and the word 红包, for platforms with `red_packet_prefix`.
//!
//! The last two are weak alone ([`TEMPLATE_WEAK`]); they need an anchor or the 红包 word.

use crate::registry::{PlatformId, Registry};

pub const TEMPLATE_STRONG: f64 = 0.95;
pub const TEMPLATE_WEAK: f64 = 0.5;
pub const RED_PACKET: f64 = 0.7;

/// A template match in the text channel.
#[derive(Clone, Debug)]
pub struct TemplateMatch {
    pub platform: PlatformId,
    pub token: String,
    pub start: usize,
    pub end: usize,
    pub strength: f64,
    pub needs_anchor: bool,
}

pub fn find(text: &str, registry: &Registry, out: &mut Vec<TemplateMatch>) {
    out.clear();
    let starts_with_digit = text.trim_start().starts_with(|c: char| c.is_ascii_digit());
    for (index, spec) in registry.platforms().iter().enumerate() {
        let platform = index as PlatformId;
        if let Some(prefix) = &spec.mini_program_prefix {
            // Find the prefix's first character, then compare: cheaper than a substring search
            // for every message.
            let first = prefix.chars().next().unwrap_or('#');
            for (at, _) in text.match_indices(first) {
                if text[at..].starts_with(prefix.as_str())
                    && let Some(m) = mini_program(text, at, prefix.len(), platform)
                {
                    out.push(m);
                }
            }
        }
        if spec.code_only_form && starts_with_digit {
            out.extend(code_only(text, platform));
        }
        if spec.red_packet_prefix && starts_with_digit {
            out.extend(red_packet(text, platform));
        }
    }
}

fn mini_program(
    text: &str,
    at: usize,
    prefix_len: usize,
    platform: PlatformId,
) -> Option<TemplateMatch> {
    let rest = &text[at + prefix_len..];
    let name_len = rest.find('/')?;
    let name = &rest[..name_len];
    if name.is_empty() || name.chars().count() > 30 || name.contains(char::is_whitespace) {
        return None;
    }
    let token_start = at + prefix_len + name_len + 1;
    let token_len = text[token_start..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        .count();
    if !(1..=40).contains(&token_len) {
        return None;
    }
    let end = token_start + token_len;
    Some(TemplateMatch {
        platform,
        token: text[token_start..end].to_owned(),
        start: at,
        end,
        strength: TEMPLATE_STRONG,
        needs_anchor: false,
    })
}

/// `d.dd` at the start, then a `code:/` among the next few words.
fn code_only(text: &str, platform: PlatformId) -> Option<TemplateMatch> {
    let trimmed = text.trim_start();
    let lead = trimmed.as_bytes();
    if lead.len() < 4
        || !(lead[0].is_ascii_digit()
            && lead[1] == b'.'
            && lead[2].is_ascii_digit()
            && lead[3].is_ascii_digit())
    {
        return None;
    }
    let base = text.len() - trimmed.len();
    let window_end = trimmed
        .char_indices()
        .nth(40)
        .map_or(trimmed.len(), |(i, _)| i);
    let window = &trimmed[..window_end];
    let colon = window
        .match_indices(":/")
        .map(|(i, _)| i)
        .find(|&i| !window[i + 2..].starts_with('/'))?;
    let code_start = window[..colon]
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
        .map_or(0, |(i, c)| i + c.len_utf8());
    if colon - code_start < 2 {
        return None;
    }
    Some(TemplateMatch {
        platform,
        token: window[code_start..colon].to_owned(),
        start: base + code_start,
        end: base + colon + 2,
        strength: TEMPLATE_WEAK,
        needs_anchor: true,
    })
}

/// `N:/` at the start followed by CJK, with 红包 in the text.
fn red_packet(text: &str, platform: PlatformId) -> Option<TemplateMatch> {
    let trimmed = text.trim_start();
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&digits) || !trimmed[digits..].starts_with(":/") || !text.contains("红包")
    {
        return None;
    }
    let base = text.len() - trimmed.len();
    let code_start = digits + 2;
    let code_len: usize = trimmed[code_start..]
        .chars()
        .take_while(|&c| !matches!(c, ',' | '，' | '。' | '!' | '！' | '【' | ' ' | '\n'))
        .map(char::len_utf8)
        .sum();
    let code = &trimmed[code_start..code_start + code_len];
    if !code
        .chars()
        .next()
        .is_some_and(menshen_text::is_cjk_ideograph)
    {
        return None;
    }
    Some(TemplateMatch {
        platform,
        token: code.to_owned(),
        start: base,
        end: base + code_start + code_len,
        strength: RED_PACKET,
        needs_anchor: false,
    })
}

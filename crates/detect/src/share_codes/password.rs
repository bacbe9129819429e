//! Password tokens: the alphanumeric core of 淘口令 and its cousins.
//!
//! **What it catches:** `￥Qw3rTy7UiOp￥`, `€Zx9CvB8nM7k€`, `₳Pq8RsT2uVwX₳`, `8/Ab3CdE5fGhI//`,
//! `🎵k2Lmnb7Qx1g📲`, `啊7PqRs84wYdk啊`, `Z:/DIxHmJU82hY#`: a run of ASCII letters and digits of
//! a platform's token length (11 for Taobao and Alipay, 13 Meituan, 14 JD, 15 Xiaohongshu),
//! mixing letters with digits or cases.
//!
//! **Why:** the decoders ignore everything around the core, so delimiters rotate (currency
//! signs, emoji, CJK characters); the core's length and randomness do not.
//!
//! **How:** the shape of the core scores at most [`SHAPE_MAX`], never enough on its own: a
//! Wi-Fi password "Abc12345678" between spaces stays silent. Delimiters add evidence: a
//! matching pair or currency/emoji on both sides is strong, other symbols weaker, spaces and
//! ordinary CJK text nothing. A platform prefix (`Z:/`) is strong and names the platform.

use crate::{
    ShareSignal,
    registry::{PlatformId, Registry},
};

/// The most a token's shape alone contributes.
pub const SHAPE_MAX: f64 = 0.35;
pub const DELIMITERS_STRONG: f64 = 0.6;
pub const DELIMITERS_MEDIUM: f64 = 0.35;
pub const DELIMITERS_ONE_SIDE: f64 = 0.2;
pub const PREFIX: f64 = 0.6;
/// How many times a core must switch between digits, lower and upper case. A random
/// 11-character core has fewer than three switches about 1–2% of the time.
pub const MIN_CLASS_CHANGES: usize = 3;

/// A candidate token in the text channel.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub start: usize,
    pub end: usize,
    pub shape: f64,
    pub delimiters: f64,
    pub prefix: Option<PlatformId>,
}

impl Candidate {
    pub fn signals(&self, out: &mut Vec<ShareSignal>) {
        out.push(ShareSignal::TokenShape);
        if self.delimiters > 0.0 {
            out.push(ShareSignal::Delimiters);
        }
        if self.prefix.is_some() {
            out.push(ShareSignal::Prefix);
        }
    }
}

/// How random a core looks, in [0, SHAPE_MAX]; `None` if it cannot be a token at all (one
/// character class, or no letter).
pub fn shape(token: &str) -> Option<f64> {
    let class = |b: u8| match b {
        b'0'..=b'9' => 0,
        b'a'..=b'z' => 1,
        _ => 2,
    };
    let bytes = token.as_bytes();
    let mut seen = [false; 3];
    for &b in bytes {
        seen[class(b)] = true;
    }
    let classes = seen.iter().filter(|&&s| s).count();
    if classes < 2 || !(seen[1] || seen[2]) {
        return None;
    }
    let changes = bytes
        .windows(2)
        .filter(|w| class(w[0]) != class(w[1]))
        .count();
    // Random cores change class often; ids such as CA006217461495 or qq332580960 (letters,
    // then digits) do not. Fewer than three changes is an id, not a token.
    if changes < MIN_CLASS_CHANGES {
        return None;
    }
    let randomness = (changes as f64 / (bytes.len() - 1) as f64 / 0.5).min(1.0);
    let base = if classes == 3 { 0.15 } else { 0.08 };
    Some(base + (SHAPE_MAX - base) * randomness)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Edge,
    Space,
    Alnum,
    Cjk(char),
    Currency(char),
    Emoji(char),
    Symbol(char),
}

fn side(c: Option<char>) -> Side {
    let Some(c) = c else { return Side::Edge };
    let cp = c as u32;
    if c.is_whitespace() {
        Side::Space
    } else if c.is_alphanumeric() && !menshen_text::is_cjk_ideograph(c) {
        Side::Alnum
    } else if menshen_text::is_cjk_ideograph(c) {
        Side::Cjk(c)
    } else if matches!(c, '$' | '¢' | '£' | '¤' | '¥') || (0x20A0..=0x20CF).contains(&cp) {
        Side::Currency(c)
    } else if matches!(cp, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2300..=0x23FF)
    {
        Side::Emoji(c)
    } else {
        Side::Symbol(c)
    }
}

/// The character beside a token, looking past one space.
fn neighbour(mut chars: impl Iterator<Item = char>) -> Side {
    match chars.next() {
        Some(' ') => match side(chars.next()) {
            Side::Alnum => Side::Space,
            other => other,
        },
        other => side(other),
    }
}

/// Score the delimiters around `text[start..end]`.
pub fn delimiters(text: &str, start: usize, end: usize) -> f64 {
    let left = neighbour(text[..start].chars().rev());
    let right = neighbour(text[end..].chars());
    let after = &text[end..];
    let strong = |s: Side| matches!(s, Side::Currency(_) | Side::Emoji(_));
    let symbolic = |s: Side| matches!(s, Side::Currency(_) | Side::Emoji(_) | Side::Symbol(_));
    let paired = match (left, right) {
        // A slash pair is common in paths; only Taobao's "N/token//" trailer makes it strong.
        (Side::Symbol('/'), Side::Symbol('/')) => after.starts_with("//"),
        (Side::Symbol(a), Side::Symbol(b)) => a == b,
        _ => false,
    };
    // 啊…啊 was a 2021 delimiter, but 我…我 is ordinary prose: a matching CJK pair is medium.
    let cjk_pair = matches!((left, right), (Side::Cjk(a), Side::Cjk(b)) if a == b);
    if paired
        || (strong(left) && strong(right))
        || (symbolic(left) && (after.starts_with(")/:/") || after.starts_with("://")))
    {
        DELIMITERS_STRONG
    } else if cjk_pair || (symbolic(left) && symbolic(right)) {
        DELIMITERS_MEDIUM
    } else if strong(left) || strong(right) {
        DELIMITERS_ONE_SIDE
    } else {
        0.0
    }
}

/// Every token candidate outside the given link ranges (a link's path is not a password;
/// its share parameters are read by the share-link detector).
pub fn candidates(
    text: &str,
    registry: &Registry,
    links: &[(usize, usize)],
    out: &mut Vec<Candidate>,
) {
    out.clear();
    let lengths = registry.token_lengths();
    for (start, end) in super::ascii_words(text) {
        if !lengths.contains(&(end - start)) || crate::inside_any(links, start, end) {
            continue;
        }
        let Some(shape) = shape(&text[start..end]) else {
            continue;
        };
        let prefix = registry
            .token_prefixes()
            .iter()
            .find_map(|(platform, prefix)| {
                let before = start
                    .checked_sub(prefix.len())
                    .and_then(|from| text.get(from..start))?;
                before.eq_ignore_ascii_case(prefix).then_some(*platform)
            });
        out.push(Candidate {
            start,
            end,
            shape,
            delimiters: delimiters(text, start, end),
            prefix,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_prefers_random_mixed_cores() {
        let random = shape("hGiYWHLdG7d").unwrap();
        let plain = shape("ABCDEfgh12X").unwrap();
        assert!(random > plain, "{random} {plain}");
        assert!(random <= SHAPE_MAX);
        assert_eq!(shape("programming"), None);
        assert_eq!(shape("20231108113"), None);
        assert_eq!(
            shape("CA006217461495"),
            None,
            "letters then digits is an id"
        );
        assert_eq!(shape("qq332580960"), None);
        assert_eq!(shape("Abc12345678"), None);
    }

    #[test]
    fn delimiter_strength() {
        let score = |text: &str, token: &str| {
            let start = text.find(token).unwrap();
            delimiters(text, start, start + token.len())
        };
        assert_eq!(score("¥Qw3rTy7UiOp¥", "Qw3rTy7UiOp"), DELIMITERS_STRONG);
        assert_eq!(score("啊7PqRs84wYdk啊", "7PqRs84wYdk"), DELIMITERS_MEDIUM);
        assert_eq!(
            score("😆 ky6HepJZ9zuPsUM 😆", "ky6HepJZ9zuPsUM"),
            DELIMITERS_STRONG
        );
        assert_eq!(score("8/Ab3CdE5fGhI//", "Ab3CdE5fGhI"), DELIMITERS_STRONG);
        assert_eq!(
            score("cd /usr/Abc123DefGh/bin", "Abc123DefGh"),
            DELIMITERS_MEDIUM
        );
        assert_eq!(
            score("wifi密码是 Abc12345678 别告诉别人", "Abc12345678"),
            0.0
        );
    }
}

//! Ids introduced by a keyword: WeChat, QQ, Telegram.
//!
//! **What it catches:** `加微信 abc_123`, `威信：abc123`, `V❤ abc123`, `➕V abc123`, `vx同号`
//! (the WeChat id is the phone number), `扣扣 12345678`, `企鹅：12345`, `飞机 @handle`,
//! `tg: handle`, and Telegram links (`t.me/handle`).
//!
//! **Why:** an id alone is just a word; after a keyword it is an invitation to leave.
//!
//! **How:** keywords come from the registry and are matched on the key channel, so 薇信 and
//! ｗｅｉｘｉｎ are covered; a lone Latin letter (`V`, `Q`) must stand apart from other
//! letters. After the keyword, up to [`MAX_FILLER`] separators or filler words (号, 是, ：)
//! may come before the id, whose shape depends on the kind: WeChat 6–20 characters starting
//! with a letter, or a phone; QQ 5–11 digits; Telegram 5–32 word characters.

use crate::{
    Contact, ContactKind, Context,
    contacts::phone::{DigitRun, mobile},
    matcher::Word,
};

/// How many characters may stand between a keyword and its id.
pub const MAX_FILLER: usize = 4;

fn is_filler(c: char) -> bool {
    !c.is_alphanumeric() || matches!(c, '号' | '是' | '为' | '加' | '搜' | '索' | '码')
}

pub(crate) fn find(cx: &Context<'_>, runs: &[DigitRun], out: &mut Vec<Contact>) {
    let text = cx.norm.text();
    let first_mobile = runs.iter().find_map(|r| mobile(&r.digits));
    let link_ranges: Vec<(usize, usize)> = cx.links.iter().map(|l| (l.start, l.end)).collect();
    for hit in cx.hits {
        let Word::ContactKeyword(kind) = hit.word else {
            continue;
        };
        // A keyword inside a link (the "v" of v.douyin.com) is part of a host or a path.
        if kind == ContactKind::Phone
            || crate::inside_any(&link_ranges, hit.at.text.start, hit.at.text.end)
        {
            continue;
        }
        let mut at = hit.at.text.end;
        let mut filler = 0;
        // "同号": the id is the phone number given in the message.
        let same_as_phone = text[at..]
            .trim_start_matches([' ', ':', '：'])
            .starts_with("同号");
        if same_as_phone {
            let end = at + text[at..].find("同号").unwrap_or(0) + "同号".len();
            if let Some(phone) = first_mobile {
                let span = cx.norm.original_span(hit.at.text.start..end);
                out.push(Contact {
                    kind,
                    value: phone.to_owned(),
                    span,
                    disguised: hit.at.disguised,
                });
            }
            continue;
        }
        while let Some(c) = text[at..].chars().next() {
            if filler >= MAX_FILLER || !is_filler(c) || (c == '@' && kind == ContactKind::Telegram)
            {
                break;
            }
            at += c.len_utf8();
            filler += 1;
        }
        let id_end = match kind {
            ContactKind::Wechat => wechat_id(text, at).or_else(|| digits_at(runs, at, 6..=11)),
            ContactKind::Qq => digits_at(runs, at, 5..=11).filter(|&(_, v)| !v.starts_with('0')),
            ContactKind::Telegram => telegram_handle(text, at),
            _ => None,
        };
        if let Some((end, value)) = id_end {
            let span = cx.norm.original_span(hit.at.text.start..end);
            let disguised =
                hit.at.disguised || hit.pinyin || cx.norm.is_folded(cx.original, hit.at.text);
            out.push(Contact {
                kind,
                value: value.to_owned(),
                span,
                disguised,
            });
        }
    }
    // Telegram links.
    for link in cx.links {
        if matches!(link.host.as_str(), "t.me" | "telegram.me")
            && let Some((end, handle)) = link
                .rest(text)
                .strip_prefix('/')
                .and_then(|_| telegram_handle(text, link.host_end + 1))
        {
            let span = cx.norm.original_span(link.start..end);
            out.push(Contact {
                kind: ContactKind::Telegram,
                value: handle.to_owned(),
                span,
                disguised: link.obfuscated,
            });
        }
    }
}

fn word_at(text: &str, at: usize, extra: &[u8]) -> usize {
    text[at..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || extra.contains(b))
        .count()
}

fn wechat_id(text: &str, at: usize) -> Option<(usize, &str)> {
    let len = word_at(text, at, b"_-");
    let id = &text[at..at + len];
    (id.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) && (6..=20).contains(&len))
        .then_some((at + len, id))
}

fn telegram_handle(text: &str, at: usize) -> Option<(usize, &str)> {
    let start = if text[at..].starts_with('@') {
        at + 1
    } else {
        at
    };
    let len = word_at(text, start, b"_");
    let handle = &text[start..start + len];
    (handle
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
        && (5..=32).contains(&len))
    .then_some((start + len, handle))
}

fn digits_at(
    runs: &[DigitRun],
    at: usize,
    lengths: std::ops::RangeInclusive<usize>,
) -> Option<(usize, &str)> {
    // Runs are in text order: a binary search finds the one that starts here.
    let run = runs
        .get(runs.partition_point(|r| r.start < at))
        .filter(|r| r.start == at)?;
    lengths
        .contains(&run.digits.len())
        .then_some((run.end, run.digits.as_str()))
}

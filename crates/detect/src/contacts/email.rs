//! E-mail addresses.
//!
//! **What it catches:** `name@example.com`, and the disguised `name 艾特 qq 点 com`,
//! `name(at)example(dot)com`, `name[at]example.com`.
//!
//! **Why:** an address is a contact like any other, and the disguises exist to dodge filters.
//!
//! **How:** from each `@` or spelled-out at, read the local part leftwards (at most 64
//! characters) and the domain rightwards with the link scanner's host reader, which also
//! undoes disguised dots and requires a real TLD. Douyin's pseudo-addresses in share texts
//! (`C@u.fo`, `7@1.com`) have one-character parts and are rejected: both the local part and
//! the domain's own label need at least two characters.

use crate::{Contact, ContactKind, Context, links::host_at};

const AT_TOKENS: [(&str, bool); 6] = [
    ("@", false),
    ("艾特", true),
    ("(at)", true),
    ("[at]", true),
    ("{at}", true),
    ("(AT)", true),
];

pub(crate) fn find(cx: &Context<'_>, out: &mut Vec<Contact>) {
    let text = cx.norm.text();
    let bytes = text.as_bytes();
    // One pass: stop only at bytes that can begin a spelling of "at" (@, 艾 = E8 89 BE, brackets).
    // `@`, 艾 (E8 89 BE; E8 alone begins thousands of common characters) and a bracket
    // before "at": found with SIMD searches, most messages holding none of them.
    let mut starts: Vec<usize> = memchr::memchr_iter(b'@', bytes).collect();
    starts.extend(memchr::memmem::find_iter(bytes, "艾"));
    starts.extend(memchr::memchr3_iter(b'(', b'[', b'{', bytes).filter(|&at| {
        bytes
            .get(at + 1..at + 3)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"at"))
    }));
    starts.sort_unstable();
    for at in starts {
        let Some(&(token, disguised_at)) = AT_TOKENS
            .iter()
            .find(|(token, _)| text[at..].starts_with(token))
        else {
            continue;
        };
        {
            let mut local_end = at;
            let mut host_start = at + token.len();
            if disguised_at {
                local_end -= text[..at].len() - text[..at].trim_end_matches(' ').len();
                host_start +=
                    text[host_start..].len() - text[host_start..].trim_start_matches(' ').len();
            }
            let local_len: usize = text[..local_end]
                .chars()
                .rev()
                .take(65)
                .take_while(|&c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
                .map(char::len_utf8)
                .sum();
            let local = &text[local_end - local_len..local_end];
            if !(2..=64).contains(&local_len) || local.starts_with('.') || local.ends_with('.') {
                continue;
            }
            let Some((host, host_end, disguised_host)) = host_at(text, host_start, cx.registry)
            else {
                continue;
            };
            let own_label = psl::domain_str(&host)
                .and_then(|d| d.split('.').next())
                .unwrap_or_default();
            if own_label.len() < 2 || text[host_end..].starts_with('@') {
                continue;
            }
            let start = local_end - local_len;
            out.push(Contact {
                kind: ContactKind::Email,
                value: format!("{local}@{host}"),
                span: cx.norm.original_span(start..host_end),
                disguised: disguised_at || disguised_host,
            });
        }
    }
}

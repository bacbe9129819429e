//! Ways to reach someone off-platform: phone numbers, WeChat, QQ, e-mail, Telegram.
//!
//! - [`phone`]: mobile numbers written with spaces, dashes, full-width, circled or Chinese
//!   numerals (壹叁捌…), international numbers with `+`;
//! - [`handle`]: an id after a keyword (微信, 威信, V❤, vx, 扣扣, 企鹅, 飞机, tg, …) and 同号;
//! - [`email`]: addresses, also written with 艾特 / (at) and 点 / (dot).
//!
//! Diversion to private contacts is how marketing and fraud leave the platform's view; the
//! disguises exist to dodge exactly this detector. Order numbers, verification codes, dates
//! and amounts do not have a phone's shape and are left alone.

pub mod email;
pub mod handle;
pub mod phone;

use crate::{Contact, Context};

pub(crate) fn find(cx: &Context<'_>) -> Vec<Contact> {
    let runs = phone::digit_runs(cx.norm.text(), cx.links);
    let mut contacts = Vec::new();
    phone::find(cx, &runs, &mut contacts);
    handle::find(cx, &runs, &mut contacts);
    email::find(cx, &mut contacts);
    // Overlapping keywords (加v and v) find the same id twice: keep the widest span.
    contacts.sort_by(|a, b| {
        (a.kind, &a.value, a.span.end, a.span.start).cmp(&(
            b.kind,
            &b.value,
            b.span.end,
            b.span.start,
        ))
    });
    contacts.dedup_by(|later, first| {
        later.kind == first.kind && later.value == first.value && later.span.end == first.span.end
    });
    contacts.sort_by_key(|c| (c.span.start, c.span.end, c.kind));
    contacts
}

//! Share links: a platform's share host (`m.tb.cn`, `v.douyin.com`, `xhslink.com`, …) or a
//! share parameter (`tk=`, `jkl=`, `ps=`) on one of its hosts.
//!
//! **What it catches:** `https://m.tb.cn/h.gAbc4OStf9RoxQz?tk=hGiYWHLdG7d` (a password in
//! `tk`), `https://v.douyin.com/e3md8Sx/` (a short link), `mobile.yangkeduo.com/goods.html?ps=…`.
//!
//! **Why:** since about 2022 share texts lead with a link; the link's host says which
//! platform, and its parameter carries the same password a bare token would.
//!
//! **How:** from the registry. A parameter value becomes a `password` whose span is the
//! value; otherwise the link is a `short_link` whose token is its path.

use crate::{
    ShareKind,
    links::FoundLink,
    registry::{PlatformId, Registry},
};

/// Strength of a share host or share parameter.
pub const SHARE_LINK: f64 = 0.9;

/// A share link found among the links.
#[derive(Clone, Debug)]
pub struct ShareLink {
    pub platform: PlatformId,
    pub kind: ShareKind,
    pub token: String,
    /// Text-channel range of the token (the parameter value) or of the whole link.
    pub start: usize,
    pub end: usize,
}

pub fn find(text: &str, registry: &Registry, link: &FoundLink) -> Option<ShareLink> {
    let rest = link.rest(text);
    let info = registry.lookup(&link.host, rest)?;
    let spec = registry.platform(info.platform);
    let query_start = rest.find('?').map(|q| link.host_end + q + 1);
    if let Some(query_start) = query_start {
        let mut at = query_start;
        for pair in text[query_start..link.end].split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if spec.share_params.iter().any(|p| p == name) {
                let value_start = at + name.len() + 1;
                let trimmed = value.trim_matches(|c: char| !c.is_ascii_alphanumeric());
                if !trimmed.is_empty() {
                    let offset = value.find(trimmed).unwrap_or(0);
                    return Some(ShareLink {
                        platform: info.platform,
                        kind: ShareKind::Password,
                        token: trimmed.to_owned(),
                        start: value_start + offset,
                        end: value_start + offset + trimmed.len(),
                    });
                }
            }
            at += pair.len() + 1;
        }
    }
    if !info.is_share {
        return None;
    }
    let path_end = query_start.map_or(link.end, |q| q - 1);
    let token = text[link.host_end..path_end].trim_matches('/').to_owned();
    (!token.is_empty()).then_some(ShareLink {
        platform: info.platform,
        kind: ShareKind::ShortLink,
        token,
        start: link.start,
        end: link.end,
    })
}

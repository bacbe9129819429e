//! Message-level evidence that names a platform: anchor phrases, tags and markers.
//!
//! **What it catches:** "复制这条信息，打开【手机淘宝】" (copy, open, app: an anchor), 【淘宝】
//! (a tag), 淘口令 / 喵口令 (a marker), in simplified, traditional and disguised forms (復制,
//! 咑閞, 淘♂寳), since all of it is matched on the key channel.
//!
//! **Why:** share-code formats change every year or two but the instructions around them
//! ("copy this, open that app") do not; they also say *which* app a bare token belongs to.
//!
//! **How:** for each app name, look for an "open" verb within a few characters, then a
//! "copy" verb (strong) or a "click/search" phrase (medium) around that verb. Positions are
//! sorted, so each app name costs a binary search. Only the best evidence per platform is
//! kept, which bounds what later steps iterate over.

use crate::{Context, ShareSignal, matcher::Word, registry::PlatformId};

/// How far (in key-channel bytes, about three per CJK character) an "open" verb may be from
/// the app name, and a "copy" verb from the "open" verb.
const OPEN_REACH: u32 = 18;
const COPY_REACH: u32 = 72;

/// Strengths of each kind of evidence, as probabilities combined by noisy-OR.
pub const ANCHOR_COPY_OPEN: f64 = 0.6;
pub const ANCHOR_CLICK_OPEN: f64 = 0.45;
pub const ANCHOR_OPEN: f64 = 0.3;
pub const APP_MENTION: f64 = 0.1;
pub const TAG: f64 = 0.5;
pub const MARKER: f64 = 0.5;

/// The evidence for one platform.
#[derive(Clone, Debug, Default)]
pub struct PlatformEvidence {
    pub anchor: f64,
    pub tag: bool,
    pub marker: bool,
}

impl PlatformEvidence {
    /// The combined strength (noisy-OR).
    pub fn strength(&self) -> f64 {
        let mut miss = 1.0 - self.anchor;
        if self.tag {
            miss *= 1.0 - TAG;
        }
        if self.marker {
            miss *= 1.0 - MARKER;
        }
        1.0 - miss
    }

    pub fn signals(&self, out: &mut Vec<ShareSignal>) {
        if self.anchor >= ANCHOR_OPEN {
            out.push(ShareSignal::Anchor);
        }
        if self.tag {
            out.push(ShareSignal::Tag);
        }
        if self.marker {
            out.push(ShareSignal::Marker);
        }
    }
}

/// Evidence per platform, indexed by [`PlatformId`].
pub(crate) fn gather(cx: &Context<'_>) -> Vec<PlatformEvidence> {
    let mut evidence = vec![PlatformEvidence::default(); cx.registry.platforms().len()];
    let positions = |word: Word| -> Vec<(u32, u32)> {
        cx.hits
            .iter()
            .filter(|h| h.word == word)
            .map(|h| (h.key_start, h.key_end))
            .collect()
    };
    let (mut opens, mut copies, mut clicks) = (
        positions(Word::Open),
        positions(Word::Copy),
        positions(Word::Click),
    );
    opens.sort_unstable();
    copies.sort_unstable();
    clicks.sort_unstable();
    let text = cx.norm.text();
    for hit in cx.hits {
        match hit.word {
            Word::Marker(platform) => evidence[platform as usize].marker = true,
            Word::AppName(platform) => {
                let entry = &mut evidence[platform as usize];
                let before = text[..hit.at.text.start].chars().next_back();
                let after = text[hit.at.text.end..].chars().next();
                if matches!(before, Some('【' | '[' | '「'))
                    && matches!(after, Some('】' | ']' | '」'))
                {
                    entry.tag = true;
                }
                let strength = match nearest(
                    &opens,
                    hit.key_start.saturating_sub(OPEN_REACH),
                    hit.key_end + OPEN_REACH,
                ) {
                    None => APP_MENTION,
                    Some((open_start, open_end)) => {
                        let (from, to) =
                            (open_start.saturating_sub(COPY_REACH), open_end + COPY_REACH);
                        if nearest(&copies, from, to).is_some() {
                            ANCHOR_COPY_OPEN
                        } else if nearest(&clicks, from, to).is_some() {
                            ANCHOR_CLICK_OPEN
                        } else {
                            ANCHOR_OPEN
                        }
                    }
                };
                entry.anchor = entry.anchor.max(strength);
            }
            _ => {}
        }
    }
    evidence
}

/// The first sorted position that starts within `[from, to]`.
fn nearest(sorted: &[(u32, u32)], from: u32, to: u32) -> Option<(u32, u32)> {
    let i = sorted.partition_point(|&(start, _)| start < from);
    sorted.get(i).copied().filter(|&(start, _)| start <= to)
}

/// The platform with the strongest evidence among those `accept` allows.
pub fn strongest(
    evidence: &[PlatformEvidence],
    mut accept: impl FnMut(PlatformId) -> bool,
) -> Option<PlatformId> {
    evidence
        .iter()
        .enumerate()
        .filter(|(i, e)| e.strength() > 0.0 && accept(*i as PlatformId))
        .max_by(|a, b| a.1.strength().total_cmp(&b.1.strength()))
        .map(|(i, _)| i as PlatformId)
}

//! Near-duplicate fingerprints: a 64-bit SimHash of the message's key channel.
//!
//! **What it catches:** the same ad sent by many accounts with small changes: other digits,
//! a swapped emoji, an inserted separator, traditional characters. The key channel already
//! folds most disguises away; SimHash makes the remaining edits move only a few bits, so
//! near-duplicates are fingerprints within a small Hamming distance.
//!
//! **How:** digits all count as `0` (campaigns vary ids, prices and numbers); each character
//! 3-gram (by its stable hash) votes +1 or −1 on every bit; the
//! fingerprint keeps the bits with a positive total. Texts shorter than
//! [`MIN_KEY_CHARS`] key characters get none: "ok" sent by a million people is not a campaign.

/// Texts with fewer key characters than this have no fingerprint.
pub const MIN_KEY_CHARS: usize = 8;

/// The SimHash of a key-channel string, or `None` for a short text.
pub fn simhash(key: &str) -> Option<u64> {
    let bytes = key.as_bytes();
    let mut votes = [0i32; 64];
    let mut starts = [0usize; 3];
    let mut count = 0;
    for (seen, (start, c)) in key.char_indices().enumerate() {
        starts = [starts[1], starts[2], start];
        count = seen + 1;
        if seen < 2 {
            continue;
        }
        let gram = &bytes[starts[0]..start + c.len_utf8()];
        // Digits are what campaigns vary (ids, prices, numbers): all count as `0`. FNV-1a,
        // then a finalizer, so that similar 3-grams spread over all bits.
        let mut h = gram.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            let b = if b.is_ascii_digit() { b'0' } else { b };
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        for (bit, vote) in votes.iter_mut().enumerate() {
            *vote += if h >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    (count >= MIN_KEY_CHARS).then(|| {
        votes
            .iter()
            .enumerate()
            .fold(0u64, |f, (bit, &v)| if v > 0 { f | 1 << bit } else { f })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use menshen_text::Normalized;

    fn fingerprint(text: &str) -> u64 {
        simhash(Normalized::new(text).key()).expect("long enough")
    }

    #[test]
    fn near_duplicates_are_close_and_strangers_are_far() {
        let a = fingerprint("出售游戏金币一万元宝只要十块钱，需要的加微信abc123，秒到账");
        let b = fingerprint("出售遊戲金幣一萬元寶只要十塊錢，需要的加微信abc456，秒到賬！");
        let c = fingerprint("明天下午三点在公司楼下的咖啡店见面，记得带上合同和电脑");
        assert!((a ^ b).count_ones() <= 3, "near: {}", (a ^ b).count_ones());
        assert!((a ^ c).count_ones() >= 20, "far: {}", (a ^ c).count_ones());
    }

    #[test]
    fn short_texts_have_no_fingerprint() {
        assert_eq!(simhash(Normalized::new("好的").key()), None);
    }
}

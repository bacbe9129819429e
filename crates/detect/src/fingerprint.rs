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

/// For each byte value, its eight bits spread into the eight bytes of a `u64` (bit i → byte
/// i). Adding these counts ones per bit position for eight positions at once.
const SPREAD: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut value = 0;
    while value < 256 {
        let mut bit = 0;
        while bit < 8 {
            table[value] |= (((value >> bit) & 1) as u64) << (8 * bit);
            bit += 1;
        }
        value += 1;
    }
    table
};

/// Byte-wide counters overflow after 255 additions: move them into the wide ones first.
fn flush(packed: &mut [u64; 8], set_bits: &mut [u32; 64]) {
    for (lane, counters) in packed.iter_mut().enumerate() {
        for position in 0..8 {
            set_bits[8 * lane + position] += ((*counters >> (8 * position)) & 0xff) as u32;
        }
        *counters = 0;
    }
}

/// The SimHash of a key-channel string, or `None` for a short text.
pub fn simhash(key: &str) -> Option<u64> {
    let bytes = key.as_bytes();
    let mut set_bits = [0u32; 64];
    let mut packed = [0u64; 8];
    let (mut grams, mut pending) = (0u32, 0u32);
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
        // Count ones per bit position, eight positions per addition (see SPREAD); the vote of
        // a bit is ones − zeros = 2·ones − grams, settled at the end.
        for (lane, counters) in packed.iter_mut().enumerate() {
            *counters += SPREAD[((h >> (8 * lane)) & 0xff) as usize];
        }
        pending += 1;
        if pending == 255 {
            flush(&mut packed, &mut set_bits);
            pending = 0;
        }
        grams += 1;
    }
    flush(&mut packed, &mut set_bits);
    (count >= MIN_KEY_CHARS).then(|| {
        set_bits.iter().enumerate().fold(
            0u64,
            |f, (bit, &ones)| if 2 * ones > grams { f | 1 << bit } else { f },
        )
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
    fn long_texts_count_past_the_byte_counters() {
        // More than 255 grams, so the packed counters are flushed mid-way; a text and the same
        // text with one digit changed must still agree exactly (digits fold).
        let long = "出售游戏金币，需要的加我".repeat(40);
        assert_eq!(
            fingerprint(&format!("{long}1")),
            fingerprint(&format!("{long}9"))
        );
        let other = "明天下午三点在公司楼下的咖啡店见面".repeat(40);
        assert!((fingerprint(&long) ^ fingerprint(&other)).count_ones() >= 16);
    }

    #[test]
    fn short_texts_have_no_fingerprint() {
        assert_eq!(simhash(Normalized::new("好的").key()), None);
    }
}

//! Character tables. `t2s` is generated from OpenCC data; `disguise` is curated here.

mod t2s;

use std::sync::OnceLock;

/// Disguise characters that OpenCC does not undo, seen in share texts and spam: each is
/// written in place of a common character it resembles. Sorted by the first column.
static DISGUISE: [(char, char); 6] = [
    ('㊙', '秘'), // circled ideograph, in case NFKC was skipped
    ('単', '单'), // Japanese form, in 原単 for 原单
    ('咑', '打'), // 咑閞 for 打开 ("open")
    ('寳', '宝'), // 淘寳 for 淘宝
    ('閞', '开'), // 咑閞 for 打开
    ('𫔰', '开'), // what OpenCC turns 閞 into
];

/// The T→S table with the disguise table merged in (a disguise entry wins), sorted by the
/// first column, and one bit per code point from 0x3400 to 0xA000 saying whether it has an
/// entry, so that the common case (a simplified character) costs one load.
struct Simplifier {
    table: Vec<(char, char)>,
    dense: Vec<u64>,
}

const DENSE_START: u32 = 0x3400;
const DENSE_END: u32 = 0xA000;

fn simplifier() -> &'static Simplifier {
    static SIMPLIFIER: OnceLock<Simplifier> = OnceLock::new();
    SIMPLIFIER.get_or_init(|| {
        let mut table: Vec<(char, char)> = DISGUISE.to_vec();
        table.extend(
            t2s::T2S
                .iter()
                .filter(|(from, _)| DISGUISE.binary_search_by_key(from, |&(f, _)| f).is_err()),
        );
        table.sort_unstable();
        let mut dense = vec![0u64; ((DENSE_END - DENSE_START) as usize).div_ceil(64)];
        for &(from, _) in &table {
            let cp = from as u32;
            if (DENSE_START..DENSE_END).contains(&cp) {
                let i = (cp - DENSE_START) as usize;
                dense[i / 64] |= 1 << (i % 64);
            }
        }
        Simplifier { table, dense }
    })
}

/// The simplified (and undisguised) form of a CJK character, or the character itself.
pub(crate) fn simplify(c: char) -> char {
    let simplifier = simplifier();
    let cp = c as u32;
    if (DENSE_START..DENSE_END).contains(&cp) {
        let i = (cp - DENSE_START) as usize;
        if simplifier.dense[i / 64] & (1 << (i % 64)) == 0 {
            return c;
        }
    }
    match simplifier.table.binary_search_by_key(&c, |&(from, _)| from) {
        Ok(i) => simplifier.table[i].1,
        Err(_) => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_so_binary_search_is_valid() {
        assert!(DISGUISE.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(t2s::T2S.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn simplifies_traditional_variant_and_disguised_forms() {
        for (from, to) in [
            ('誠', '诚'),
            ('單', '单'),
            ('単', '单'),
            ('復', '复'),
            ('寳', '宝'),
            ('閞', '开'),
            ('咑', '打'),
            ('鏈', '链'),
        ] {
            assert_eq!(simplify(from), to, "{from}");
        }
        for same in ['诚', '宝', 'a', '。'] {
            assert_eq!(simplify(same), same);
        }
    }
}

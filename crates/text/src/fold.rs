//! Per-character folding rules. Each function looks at one character; the normalizer strings
//! them together and keeps the offset map.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::tables;

/// Characters that render as nothing: Unicode's Default_Ignorable_Code_Point set (zero-width
/// spaces and joiners, bidi controls, variation selectors, tag characters, Hangul fillers,
/// soft hyphen) plus the blank braille pattern, a favourite invisible filler.
pub fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x2800 | 0x3164
        | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// CJK unified ideographs (the basic block and extensions A to H).
pub fn is_cjk_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0x20000..=0x323AF)
}

/// The value of a digit written as an ASCII digit or a Chinese numeral (零一二…, 壹贰叁…, 幺).
/// Chinese numerals count as digits only where the caller has established a number context;
/// the normalizer never rewrites them, or 一键代发 would become 1键代发.
#[inline]
pub fn numeral_digit(c: char) -> Option<u8> {
    if c.is_ascii() {
        return c.is_ascii_digit().then(|| c as u8 - b'0');
    }
    // Digit runs ask this of every character; one bit test turns most CJK characters away.
    if NUMERAL_MASK & (1u128 << (c as u32 % 128)) == 0 {
        return None;
    }
    NUMERALS
        .binary_search_by_key(&c, |&(n, _)| n)
        .ok()
        .map(|i| NUMERALS[i].1)
}

/// Bit `cp % 128` is set for every numeral's code point `cp`.
const NUMERAL_MASK: u128 = {
    let mut mask = 0u128;
    let mut i = 0;
    while i < NUMERALS.len() {
        mask |= 1u128 << (NUMERALS[i].0 as u32 % 128);
        i += 1;
    }
    mask
};

/// Chinese numerals (and ○ written for zero), sorted by code point for binary search.
static NUMERALS: [(char, u8); 25] = [
    ('○', 0),
    ('〇', 0),
    ('一', 1),
    ('七', 7),
    ('三', 3),
    ('九', 9),
    ('二', 2),
    ('五', 5),
    ('伍', 5),
    ('八', 8),
    ('六', 6),
    ('叁', 3),
    ('參', 3),
    ('四', 4),
    ('壹', 1),
    ('幺', 1),
    ('捌', 8),
    ('柒', 7),
    ('玖', 9),
    ('肆', 4),
    ('貳', 2),
    ('贰', 2),
    ('陆', 6),
    ('陸', 6),
    ('零', 0),
];

/// Enclosed and styled digits and letters that NFKC leaves alone or turns into several
/// characters with brackets or a period (⑴ → "(1)"): fold each to its bare digits or letter.
fn enclosed(c: char, push: &mut impl FnMut(char)) -> bool {
    let cp = c as u32;
    let number = |n: u32, push: &mut dyn FnMut(char)| {
        if n >= 10 {
            push(char::from_digit(n / 10, 10).unwrap_or('0'));
        }
        push(char::from_digit(n % 10, 10).unwrap_or('0'));
    };
    let letter = |base: u8, offset: u32| char::from(base + offset as u8);
    match cp {
        0x2460..=0x2473 => number(cp - 0x2460 + 1, push), // ①..⑳
        0x2474..=0x2487 => number(cp - 0x2474 + 1, push), // ⑴..⒇
        0x2488..=0x249B => number(cp - 0x2488 + 1, push), // ⒈..⒛
        0x249C..=0x24B5 => push(letter(b'a', cp - 0x249C)), // ⒜..⒵
        0x24B6..=0x24CF => push(letter(b'A', cp - 0x24B6)), // Ⓐ..Ⓩ
        0x24D0..=0x24E9 => push(letter(b'a', cp - 0x24D0)), // ⓐ..ⓩ
        0x24EA | 0x24FF | 0x1F100 | 0x1F10B | 0x1F10C => push('0'), // ⓪ ⓿ 🄀 🄋 🄌
        0x24EB..=0x24F4 => number(cp - 0x24EB + 11, push), // ⓫..⓴
        0x24F5..=0x24FE => number(cp - 0x24F5 + 1, push), // ⓵..⓾
        0x2776..=0x277F => number(cp - 0x2776 + 1, push), // ❶..❿
        0x2780..=0x2789 => number(cp - 0x2780 + 1, push), // ➀..➉
        0x278A..=0x2793 => number(cp - 0x278A + 1, push), // ➊..➓
        0x3220..=0x3229 => push(
            ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'][(cp - 0x3220) as usize],
        ), // ㈠..㈩
        0x3251..=0x325F => number(cp - 0x3251 + 21, push), // ㉑..㉟
        0x32B1..=0x32BF => number(cp - 0x32B1 + 36, push), // ㊱..㊿
        0x1F101..=0x1F10A => number(cp - 0x1F101, push),  // 🄁..🄊 (0, .. 9,)
        0x1F110..=0x1F129 => push(letter(b'A', cp - 0x1F110)), // 🄐..🄩
        0x1F130..=0x1F149 => push(letter(b'A', cp - 0x1F130)), // 🄰..🅉
        0x1F150..=0x1F169 => push(letter(b'A', cp - 0x1F150)), // 🅐..🅩
        0x1F170..=0x1F189 => push(letter(b'A', cp - 0x1F170)), // 🅰..🆉
        _ => return false,
    }
    true
}

/// The text channel: compatibility folding that keeps case and meaning. Full-width forms,
/// styled and enclosed letters and digits, ligatures and compatibility ideographs become their
/// plain forms (NFKC plus the enclosed table); everything else passes through.
pub fn fold_text(c: char, mut push: impl FnMut(char)) {
    let cp = c as u32;
    if cp < 0x80 || is_cjk_ideograph(c) {
        push(c);
    } else if (0xFF01..=0xFF5E).contains(&cp) {
        // Full-width ASCII: a fixed offset from the ASCII block.
        push(char::from_u32(cp - 0xFEE0).unwrap_or(c));
    } else if cp == 0x3000 {
        push(' ');
    } else if enclosed(c, &mut push) {
    } else if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
        push(c);
    } else {
        for folded in std::iter::once(c).nfkc() {
            if !is_invisible(folded) {
                push(folded);
            }
        }
    }
}

/// Where a piece of punctuation ends a unit of meaning. Separators inside a word (诚*招,
/// 高.仿) are dropped from the key; punctuation between clauses and sentences is not, so a word
/// cannot be matched across it (保证金 is not in 产权保证，金融机构) and a repeated character
/// does not collapse across it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Break {
    /// Between clauses of one sentence: commas, enumeration commas, semicolons.
    Clause,
    /// Between sentences: full stops, exclamation and question marks, line breaks.
    Sentence,
}

impl Break {
    /// The character that stands for this break in the key channel.
    pub const fn key_char(self) -> char {
        match self {
            Break::Clause => ',',
            Break::Sentence => '。',
        }
    }

    /// The break a text-channel character makes, if any (full-width and small forms have
    /// been folded to these by then). The ASCII full stop is left to the caller: it ends a
    /// sentence only before white space (`Hi. Bye`); inside a word or a host (`高.仿`,
    /// `a.cn`) it is a separator.
    pub fn of(c: char) -> Option<Break> {
        match c {
            ',' | ';' | '、' => Some(Break::Clause),
            '。' | '!' | '?' | '\n' | '\r' => Some(Break::Sentence),
            _ => None,
        }
    }
}

/// The key channel, for matching words: lower case, simplified Chinese, disguise characters
/// undone, Latin look-alikes (Cyrillic а, accented é, …) folded to ASCII. Returns `None` for a
/// separator (anything that is not a letter or a number: punctuation, symbols, emoji, space).
pub fn fold_key(c: char) -> Option<char> {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase());
    }
    if is_cjk_ideograph(c) || (0xF900..=0xFAFF).contains(&(c as u32)) {
        return Some(tables::simplify(c));
    }
    if !c.is_alphanumeric() {
        return None;
    }
    use decancer::{Options, Translation};
    let options = Options::default()
        .retain_chinese()
        .retain_japanese()
        .retain_korean()
        .retain_arabic()
        .retain_hebrew()
        .retain_thai();
    let lower = |c: char| {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) => l,
            _ => c,
        }
    };
    // Lower case first, then the look-alike cure, then lower case again: decancer does not
    // cure every capital the way it cures its small letter, and the key must be a fixed point.
    let c = lower(c);
    let cured = match decancer::cure_char(c, options) {
        Translation::Character(cured) if cured.is_alphanumeric() => cured,
        Translation::String(s) if s.chars().count() == 1 => s.chars().next().unwrap_or(c),
        _ => c,
    };
    Some(lower(cured))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            fold_text(c, |f| out.push(f));
        }
        out
    }

    #[test]
    fn text_channel_folds_width_and_enclosed_forms() {
        assert_eq!(text_of("ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ"), "www.example.com");
        assert_eq!(text_of("①❶⓵⑴⒈𝟖🅰Ⓐ⓿"), "111118AA0");
        assert_eq!(text_of("㉑㊿"), "2150");
        assert_eq!(text_of("⼀键代发"), "一键代发");
        assert_eq!(
            text_of("誠招"),
            "誠招",
            "the text channel keeps traditional characters"
        );
        assert_eq!(text_of("ＡＢｃ"), "ABc", "the text channel keeps case");
    }

    #[test]
    fn key_channel_lowercases_simplifies_and_drops_separators() {
        let key: String = "誠*招 V❤ Ⅴх"
            .chars()
            .filter_map(|c| {
                let mut t = String::new();
                fold_text(c, |f| t.push(f));
                t.chars().filter_map(fold_key).next()
            })
            .collect();
        assert_eq!(key, "诚招vvx");
    }

    #[test]
    fn numeral_table_is_sorted() {
        assert!(NUMERALS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn numerals_map_to_digits() {
        let digits: Vec<u8> = "壹叁捌幺零9".chars().filter_map(numeral_digit).collect();
        assert_eq!(digits, [1, 3, 8, 1, 0, 9]);
        assert_eq!(numeral_digit('键'), None);
    }

    #[test]
    fn invisible_characters_are_recognised() {
        for c in [
            '\u{200B}',
            '\u{200D}',
            '\u{FEFF}',
            '\u{202E}',
            '\u{2066}',
            '\u{2800}',
            '\u{3164}',
            '\u{FE0F}',
            '\u{E0041}',
        ] {
            assert!(is_invisible(c), "{:X}", c as u32);
        }
        for c in ['a', ' ', '中', '❤'] {
            assert!(!is_invisible(c));
        }
    }
}

//! Prices and sums of money: `¥99`, `$5`, `99元`, `3.5万`, `50块`, `100rmb`.
//!
//! **What it catches:** an amount in Arabic digits with a currency sign before it or a
//! currency word after it (`元`, `块`, `圆`, `rmb`, optionally behind `万`/`千`).
//!
//! **Why:** an offer names its price. On its own a price is everyday talk (饭钱50元); beside
//! counterfeit, gambling or loan vocabulary it turns a mention into an offer.
//!
//! **How:** one walk over the text channel's ASCII digit runs. `元宝` (a game currency) is
//! not a price, and a digit run glued to letters (the `7Jx` of a share token `¥7Jx…`) is not
//! an amount.

use menshen_text::Span;

/// Text-channel byte ranges of the prices in `text`.
pub(crate) fn find(text: &str, out: &mut Vec<Span>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || is_decimal_point(bytes, i)) {
            i += 1;
        }
        let end = i;
        let glued_before = text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphabetic());
        if glued_before && !text[..start].ends_with("rmb") {
            continue;
        }
        let before = text[..start].trim_end_matches(' ');
        if (before.ends_with('¥') || before.ends_with('$'))
            && !text[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
        {
            let sign = before.len() - before.chars().next_back().map_or(0, char::len_utf8);
            out.push(Span::new(sign, end));
            continue;
        }
        if let Some(unit_end) = unit_after(text, end) {
            out.push(Span::new(start, unit_end));
            i = unit_end;
        }
    }
}

fn is_decimal_point(bytes: &[u8], i: usize) -> bool {
    bytes[i] == b'.'
        && i > 0
        && bytes[i - 1].is_ascii_digit()
        && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
}

/// The end of a currency word right after an amount (through `万`/`千` and one space).
fn unit_after(text: &str, end: usize) -> Option<usize> {
    let mut at = end;
    let rest = &text[at..];
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    at = text.len() - rest.len();
    let rest = match rest.chars().next() {
        Some(c @ ('万' | '千' | 'w' | 'k' | 'W' | 'K')) => {
            at += c.len_utf8();
            &rest[c.len_utf8()..]
        }
        _ => rest,
    };
    let unit = ["元", "块", "圆", "rmb", "RMB"]
        .into_iter()
        .find(|u| rest.starts_with(u))?;
    let after = &rest[unit.len()..];
    // 元宝 is a game currency.
    if unit == "元" && after.starts_with('宝') {
        return None;
    }
    if unit.is_ascii()
        && after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    Some(at + unit.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prices(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        find(text, &mut out);
        out.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn finds_amounts_with_a_currency() {
        assert_eq!(prices("只要¥99，原价 $ 120"), ["¥99", "$ 120"]);
        assert_eq!(prices("一双鞋280元包邮，3.5万起"), ["280元"]);
        assert_eq!(
            prices("3.5万元起，50块一个，100rmb"),
            ["3.5万元", "50块", "100rmb"]
        );
    }

    #[test]
    fn leaves_other_numbers_alone() {
        assert!(prices("买了1000元宝，在3楼，房间2302").is_empty());
        assert!(prices("复制¥7Jx9Kq2Lm¥打开").is_empty());
        assert!(prices("跑了5米，A3纸，3块5毛的事").len() == 1);
    }
}

//! Phone numbers.
//!
//! **What it catches:** `138 0013 8000`, `138-0013-8000`, `１３８００１３８０００`,
//! `①③⑧⓪⓪①③⑧⓪⓪⓪`, `壹叁捌零零壹叁捌零零零`, `+86 138 0013 8000`, `+1 415 555 2671` (but not
//! `+2127504316`: in chat a bare "+" means 加, "add", and the digits are a QQ number), and
//! landlines after a keyword (电话 010-12345678).
//!
//! **Why:** a number is the most common diversion; the disguises (numerals, circled digits)
//! exist to dodge digit filters.
//!
//! **How:** digit runs in the text channel (where full-width and circled digits are already
//! plain) may mix ASCII digits with Chinese numerals and hold single separators. A run is a
//! mobile number only with exactly 11 digits starting 13–19 (or 86 and that), so order numbers
//! (17 digits), verification codes (6) and dates (8) do not match. Runs glued to letters
//! (`Abc12345678`) or inside links are skipped.

use menshen_text::numeral_digit;

use crate::{Contact, ContactKind, Context, links::FoundLink, matcher::Word};

/// A run of digits in the text channel.
#[derive(Clone, Debug)]
pub struct DigitRun {
    pub start: usize,
    pub end: usize,
    pub digits: String,
    pub plus: bool,
    /// Written with Chinese numerals somewhere.
    pub numerals: bool,
}

const SEPARATORS: [char; 5] = [' ', '-', '\u{2013}', '\u{2014}', '·'];

/// Every digit run outside links.
pub fn digit_runs(text: &str, links: &[FoundLink]) -> Vec<DigitRun> {
    let link_ranges: Vec<(usize, usize)> = links.iter().map(|l| (l.start, l.end)).collect();
    let mut runs = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut previous: Option<char> = None;
    while let Some((start, c)) = chars.next() {
        let glued = previous.is_some_and(|p| p.is_ascii_alphanumeric() || p == '.');
        previous = Some(c);
        let Some(first) = numeral_digit(c) else {
            continue;
        };
        if glued {
            // Skip the rest of a token such as "Abc12345678" or "3.14".
            while chars
                .peek()
                .is_some_and(|&(_, c)| numeral_digit(c).is_some() && c.is_ascii_digit())
            {
                previous = chars.next().map(|(_, c)| c);
            }
            continue;
        }
        let mut run = DigitRun {
            start,
            end: start + c.len_utf8(),
            digits: String::from(char::from(b'0' + first)),
            plus: text[..start].ends_with('+'),
            numerals: !c.is_ascii_digit(),
        };
        if run.plus {
            run.start -= 1;
        }
        loop {
            let mut look = chars.clone();
            let next = match look.next() {
                Some((_, s)) if SEPARATORS.contains(&s) => look.next(),
                other => other,
            };
            let Some((at, d)) = next else { break };
            let Some(value) = numeral_digit(d) else { break };
            run.digits.push(char::from(b'0' + value));
            run.numerals |= !d.is_ascii_digit();
            run.end = at + d.len_utf8();
            previous = Some(d);
            chars = look;
            if run.digits.len() > 24 {
                break;
            }
        }
        let glued_after = text[run.end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let in_link = crate::inside_any(&link_ranges, run.start, run.end);
        // Chinese numerals count only in a number context: a run long enough to be a number.
        let numeral_context = !run.numerals || run.digits.len() >= 7;
        if !glued_after && !in_link && numeral_context {
            runs.push(run);
        }
    }
    runs
}

/// A Chinese mobile number: 11 digits starting 13–19, or the same after 86.
pub fn mobile(digits: &str) -> Option<&str> {
    let d = digits
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(digits);
    let b = d.as_bytes();
    (b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])).then_some(d)
}

pub(crate) fn find(cx: &Context<'_>, runs: &[DigitRun], out: &mut Vec<Contact>) {
    let text = cx.norm.text();
    let mut keyword_ends: Vec<usize> = cx
        .hits
        .iter()
        .filter(|h| h.word == Word::ContactKeyword(ContactKind::Phone))
        .map(|h| h.at.text.end)
        .collect();
    keyword_ends.sort_unstable();
    for run in runs {
        // "+" alone often means 加 ("add") in Chinese chat: "+2127504316" is a QQ number. An
        // international number shows its grouping (+1 415 555 2671) or is +86 and a mobile.
        let international = run.plus
            && (8..=15).contains(&run.digits.len())
            && (text[run.start..run.end].contains(SEPARATORS)
                || mobile(&run.digits).is_some_and(|_| run.digits.starts_with("86")));
        let value = if international {
            Some(format!("+{}", run.digits))
        } else if let Some(mobile) = mobile(&run.digits) {
            Some(mobile.to_owned())
        } else {
            // The nearest keyword ending before the run, at most four characters before it.
            let nearest = keyword_ends
                .partition_point(|&end| end <= run.start)
                .checked_sub(1);
            let after_keyword =
                nearest.is_some_and(|i| text[keyword_ends[i]..run.start].chars().nth(4).is_none());
            (after_keyword && (7..=12).contains(&run.digits.len())).then(|| run.digits.clone())
        };
        if let Some(value) = value {
            let span = cx.norm.original_span(run.start..run.end);
            let disguised = run.numerals
                || cx
                    .norm
                    .is_folded(cx.original, menshen_text::Span::new(run.start, run.end));
            out.push(Contact {
                kind: ContactKind::Phone,
                value,
                span,
                disguised,
            });
        }
    }
}

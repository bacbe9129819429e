//! Offset-preserving normalization for menshen.
//!
//! Disguised text (full-width letters, traditional characters, look-alikes, separators,
//! zero-width characters, circled digits) is folded into two channels, each with a map back
//! to byte offsets in the original text, so every finding can be reported as a span of what
//! the user actually typed.
//!
//! - **text**: compatibility folding that keeps case and meaning (NFKC, full-width to ASCII,
//!   enclosed and styled alphanumerics to plain ones, invisible characters removed). Links,
//!   share-code tokens and digits are read here.
//! - **key**: the text channel further lowercased, simplified (OpenCC T→S plus a disguise
//!   table), with Latin look-alikes folded to ASCII, separators removed and runs of a
//!   repeated CJK character collapsed. Punctuation between clauses and sentences is kept as
//!   one [`Break`] character (`,` or `。`), so that no word is matched across it. Word lists
//!   are matched here; [`Normalized::key_match`] checks that the separators a match skipped
//!   stay within a bounded gap.
//!
//! ```
//! use menshen_text::Normalized;
//!
//! let original = "誠*招*代*理，加ｖｘ";
//! let norm = Normalized::new(original);
//! assert_eq!(norm.key(), "诚招代理,加vx");
//! let start = norm.key().find("代理").unwrap();
//! let m = norm.key_match(start..start + "代理".len(), 3).unwrap();
//! assert_eq!(&original[m.span.start..m.span.end], "代*理");
//! assert!(m.disguised);
//! ```

mod fold;
mod offsets;
mod span;
mod tables;

use std::ops::Range;

use offsets::OffsetMap;

pub use fold::{Break, fold_key, fold_text, is_cjk_ideograph, is_invisible, numeral_digit};
pub use span::Span;

/// Offsets are stored as `u32`; inputs are limited to this many bytes.
pub const MAX_INPUT_BYTES: usize = u32::MAX as usize;

/// A text folded into the text and key channels, with offset maps back to the original.
///
/// Reuse one value with [`Normalized::normalize`] to avoid allocating per message.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    text: String,
    /// For each byte of `text`: the original bytes of the character it came from.
    text_origin: OffsetMap,
    key: String,
    /// For each byte of `key`: the bytes of `text` it came from (several characters where a
    /// repeated character was collapsed).
    key_origin: OffsetMap,
    /// The last key character, which absorbs an immediate repeat of itself.
    last_key: Option<char>,
    /// A full stop waiting for the next character: before white space it ends a sentence.
    pending_stop: Option<(u32, u32)>,
    hidden: usize,
}

/// A match in the key channel, mapped back to the original text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyMatch {
    /// Byte range in the original text.
    pub span: Span,
    /// Byte range in the text channel.
    pub text: Span,
    /// Whether the match needed folding to be found: separators skipped, characters that
    /// differ from the key (traditional, full-width, look-alike), or hidden characters.
    pub disguised: bool,
}

impl Normalized {
    /// Normalize `original` into a new value.
    pub fn new(original: &str) -> Self {
        let mut norm = Self::default();
        norm.normalize(original);
        norm
    }

    /// Normalize `original`, reusing this value's buffers.
    ///
    /// Inputs longer than [`MAX_INPUT_BYTES`] are truncated at a character boundary; callers
    /// that accept such inputs should reject them first.
    pub fn normalize(&mut self, original: &str) {
        self.text.clear();
        self.text_origin.clear();
        self.key.clear();
        self.key_origin.clear();
        self.last_key = None;
        self.pending_stop = None;
        self.hidden = 0;
        // Folding rarely lengthens a text: room for it once, not by doubling as it grows.
        self.text.reserve(original.len());
        self.key.reserve(original.len());
        for (start, c) in original.char_indices() {
            let end = start + c.len_utf8();
            if end > MAX_INPUT_BYTES {
                break;
            }
            if is_invisible(c) {
                self.hidden += 1;
                continue;
            }
            let origin = (start as u32, end as u32);
            fold_text(c, |folded| self.push_text(folded, origin));
        }
    }

    fn push_text(&mut self, c: char, origin: (u32, u32)) {
        let start = self.text.len();
        self.text.push(c);
        self.text_origin.push(c.len_utf8(), origin);
        let text_range = (start as u32, self.text.len() as u32);
        if let Some(stop) = self.pending_stop.take()
            && c.is_whitespace()
        {
            self.push_break(Break::Sentence, stop);
        }
        if c == '.' {
            self.pending_stop = Some(text_range);
            return;
        }
        if let Some(brk) = Break::of(c) {
            self.push_break(brk, text_range);
            return;
        }
        match fold_key(c) {
            // A separator is dropped from the key, so it does not stop a repeat from collapsing
            // (诚 诚 招 folds like 诚诚招); this keeps the key a fixed point of normalization.
            None => {}
            Some(k) if !k.is_ascii() && self.last_key == Some(k) => {
                // A repeated CJK character (诚诚诚招): widen the previous key character.
                self.key_origin
                    .widen_last(k.len_utf8(), text_range.1, &self.key);
            }
            Some(k) => {
                self.key.push(k);
                self.key_origin.push(k.len_utf8(), text_range);
                self.last_key = Some(k);
            }
        }
    }

    /// Put a break into the key: none at the start, and one for a run of punctuation (the
    /// strongest of the run), so that the key stays a fixed point of normalization.
    fn push_break(&mut self, brk: Break, text_range: (u32, u32)) {
        let previous = match self.last_key {
            None => return,
            Some(',') => Some(Break::Clause),
            Some('。') => Some(Break::Sentence),
            Some(_) => None,
        };
        if let Some(previous) = previous {
            if previous >= brk {
                return;
            }
            let n = previous.key_char().len_utf8();
            self.key.truncate(self.key.len() - n);
            self.key_origin.truncate(self.key.len());
        }
        let k = brk.key_char();
        self.key.push(k);
        self.key_origin.push(k.len_utf8(), text_range);
        self.last_key = Some(k);
    }

    /// The text channel: compatibility-folded, case and separators kept.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The key channel: lowercased, simplified, separators removed.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Bytes of memory the channels and their maps hold (for bounds on huge inputs).
    pub fn capacity_bytes(&self) -> usize {
        self.text.capacity()
            + self.key.capacity()
            + self.text_origin.capacity_bytes()
            + self.key_origin.capacity_bytes()
    }

    /// How many invisible characters were removed.
    pub fn hidden_chars(&self) -> usize {
        self.hidden
    }

    /// The original span of a byte range of the text channel. The range must lie on character
    /// boundaries of [`Normalized::text`] and not be empty.
    pub fn original_span(&self, text: Range<usize>) -> Span {
        debug_assert!(text.start < text.end && text.end <= self.text.len());
        Span::new(
            self.text_origin.get(text.start, &self.text).0 as usize,
            self.text_origin.get(text.end - 1, &self.text).1 as usize,
        )
    }

    /// The text-channel range of a byte range of the key channel.
    pub fn key_to_text(&self, key: Range<usize>) -> Span {
        debug_assert!(key.start < key.end && key.end <= self.key.len());
        Span::new(
            self.key_origin.get(key.start, &self.key).0 as usize,
            self.key_origin.get(key.end - 1, &self.key).1 as usize,
        )
    }

    /// Map a key-channel match back to the original text, or `None` when the separators it
    /// skipped between two of its characters are more than `max_gap` characters. (A match
    /// never runs across clauses: their punctuation stays in the key as a [`Break`].)
    pub fn key_match(&self, key: Range<usize>, max_gap: usize) -> Option<KeyMatch> {
        let text = self.key_to_text(key.clone());
        let mut disguised = false;
        let mut previous_end: Option<usize> = None;
        for (offset, _) in self.key[key.clone()].char_indices() {
            let (start, end) = self.key_origin.get(key.start + offset, &self.key);
            let (start, end) = (start as usize, end as usize);
            if let Some(previous_end) = previous_end.filter(|&p| p < start) {
                let gap = &self.text[previous_end..start];
                if gap.chars().count() > max_gap {
                    return None;
                }
                disguised = true;
            }
            previous_end = Some(end);
        }
        let span = self.original_span(text.start..text.end);
        Some(KeyMatch {
            span,
            text,
            disguised,
        })
    }

    /// Whether the original bytes behind a text-channel range differ from the text channel
    /// itself (something was folded or hidden there).
    pub fn is_folded(&self, original: &str, text: Span) -> bool {
        let span = self.original_span(text.start..text.end);
        original.get(span.start..span.end) != self.text.get(text.start..text.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_key_matches_back_through_every_fold() {
        let original = "加\u{200B}薇 V❤ 復·制这段描述，打開 淘♂寳♀";
        let norm = Normalized::new(original);
        assert_eq!(norm.hidden_chars(), 1);
        let find = |needle: &str| {
            let start = norm
                .key()
                .find(needle)
                .unwrap_or_else(|| panic!("{needle} in {}", norm.key()));
            norm.key_match(start..start + needle.len(), 3)
        };
        let m = find("复制").unwrap();
        assert_eq!(&original[m.span.start..m.span.end], "復·制");
        assert!(m.disguised);
        let m = find("淘宝").unwrap();
        assert_eq!(&original[m.span.start..m.span.end], "淘♂寳");
        let m = find("打开").unwrap();
        assert_eq!(&original[m.span.start..m.span.end], "打開");
    }

    #[test]
    fn rejects_gaps_that_are_too_wide() {
        let norm = Normalized::new("诚----招 代理");
        let key = norm.key();
        assert_eq!(key, "诚招代理");
        let dai = key.find('代').unwrap();
        assert!(norm.key_match(0..dai, 3).is_none(), "four dashes");
        assert!(norm.key_match(0..dai, 4).is_some());
    }

    #[test]
    fn clause_and_sentence_punctuation_stay_in_the_key() {
        // Separators inside a word go; punctuation between clauses stays, once per run.
        assert_eq!(
            Normalized::new("产权保证，金融机构").key(),
            "产权保证,金融机构"
        );
        assert_eq!(Normalized::new("代\n理").key(), "代。理");
        assert_eq!(
            Normalized::new("好，。！？坏").key(),
            "好。坏",
            "the strongest of a run"
        );
        assert_eq!(
            Normalized::new("，开头").key(),
            "开头",
            "no break before any word"
        );
        // The ASCII full stop ends a sentence only before white space.
        assert_eq!(Normalized::new("高.仿 a.cn").key(), "高仿acn");
        assert_eq!(Normalized::new("Beware. Pay").key(), "beware。pay");
        // A repeat does not collapse across a clause: 时时彩 and 彩金 keep their own spans.
        let original = "足球.时时彩,彩金";
        let norm = Normalized::new(original);
        assert_eq!(norm.key(), "足球时彩,彩金");
        let start = norm.key().find("彩金").unwrap();
        let m = norm.key_match(start..start + "彩金".len(), 3).unwrap();
        assert_eq!(&original[m.span.start..m.span.end], "彩金");
    }

    #[test]
    fn collapses_repeated_cjk_but_not_ascii() {
        let original = "诚诚诚招代理 www";
        let norm = Normalized::new(original);
        assert_eq!(norm.key(), "诚招代理www");
        let m = norm
            .key_match(0..norm.key().find('代').unwrap(), 3)
            .unwrap();
        assert_eq!(&original[m.span.start..m.span.end], "诚诚诚招");
    }

    #[test]
    fn text_channel_spans_point_at_the_original() {
        let original = "ｍ．ｔｂ．ｃｎ";
        let norm = Normalized::new(original);
        assert_eq!(norm.text(), "m.tb.cn");
        assert_eq!(
            norm.original_span(0..norm.text().len()),
            Span::new(0, original.len())
        );
        assert!(norm.is_folded(original, Span::new(0, 1)));
    }
}

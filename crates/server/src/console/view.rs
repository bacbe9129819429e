//! Turning hostile text into something a reviewer can read safely. The templates escape HTML;
//! this module handles what escaping does not: invisible characters and bidi controls that
//! would reorder or hide what the reviewer sees, and the facts' byte spans, cut into pieces
//! the template marks up.

use menshen_detect::Facts;

/// `text` with every invisible character (zero-width, bidi controls, fillers) replaced by a
/// visible marker such as `⟦U+202E⟧`, so that nothing in reported content can reorder or hide
/// what the reviewer reads. The result is still plain text: the template escapes it.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hidden = menshen_text::is_invisible(c) || (c.is_control() && c != '\n' && c != '\t');
        if hidden {
            out.push_str(&format!("⟦U+{:04X}⟧", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A piece of reported text: plain, or a fact the engine found there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Made visible (see [`visible`]); the template escapes it.
    pub text: String,
    /// `link`, `share-code`, `contact` or `term`; empty for plain text.
    pub kind: &'static str,
    /// What the fact is, for the reviewer (a tooltip and the screen reader's label).
    pub label: String,
}

/// Cut `text` at the facts' spans. Spans that overlap an earlier, longer one or do not fall on
/// character boundaries are left unmarked (their text still shows), so no input can make the
/// pieces lose or repeat a byte.
pub fn highlight(text: &str, facts: &Facts) -> Vec<Piece> {
    let mut marks: Vec<(usize, usize, &'static str, String)> = Vec::new();
    for link in facts.links.iter().filter(|l| l.attachment.is_none()) {
        marks.push((
            link.span.start,
            link.span.end,
            "link",
            format!("link: {}", link.host),
        ));
    }
    for code in facts.share_codes.iter().filter(|c| c.attachment.is_none()) {
        marks.push((
            code.span.start,
            code.span.end,
            "share-code",
            format!("share code: {}", code.platform),
        ));
    }
    for contact in &facts.contacts {
        marks.push((
            contact.span.start,
            contact.span.end,
            "contact",
            format!("contact: {:?}", contact.kind).to_lowercase(),
        ));
    }
    for term in &facts.terms {
        marks.push((
            term.span.start,
            term.span.end,
            "term",
            format!("term: {} ({})", term.term, term.category),
        ));
    }
    marks.retain(|(start, end, _, _)| {
        start < end
            && *end <= text.len()
            && text.is_char_boundary(*start)
            && text.is_char_boundary(*end)
    });
    // Earliest first; at the same start, the longest first.
    marks.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut pieces = Vec::new();
    let mut at = 0;
    for (start, end, kind, label) in marks {
        if start < at {
            continue;
        }
        if start > at {
            pieces.push(Piece {
                text: visible(&text[at..start]),
                kind: "",
                label: String::new(),
            });
        }
        pieces.push(Piece {
            text: visible(&text[start..end]),
            kind,
            label: visible(&label),
        });
        at = end;
    }
    if at < text.len() {
        pieces.push(Piece {
            text: visible(&text[at..]),
            kind: "",
            label: String::new(),
        });
    }
    pieces
}

/// A time for people: RFC 3339 in UTC, to the second.
pub fn when(at: i64) -> String {
    menshen_state::audit::rfc3339(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_and_zero_width_characters_become_visible_markers() {
        let shown = visible("pay\u{202E}txt.exe\u{200B}!");
        assert_eq!(shown, "pay⟦U+202E⟧txt.exe⟦U+200B⟧!");
        assert_eq!(visible("正常\n文本"), "正常\n文本");
    }

    #[test]
    fn pieces_cover_the_text_exactly_once() {
        let analyzer = menshen_detect::Analyzer::embedded();
        let text = "看看 https://scam.example.top/a 加微信 abc12345 <script>alert(1)</script>";
        let facts = analyzer.analyze(text);
        let pieces = highlight(text, &facts);
        let joined: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(joined, text, "nothing lost or repeated");
        assert!(pieces.iter().any(|p| p.kind == "link"), "{pieces:?}");
        assert!(pieces.iter().any(|p| p.kind == "contact"), "{pieces:?}");
    }

    #[test]
    fn spans_off_character_boundaries_or_overlapping_are_left_plain() {
        let mut facts = Facts::default();
        let text = "加微信abc";
        // Byte 1 is inside 加.
        facts.terms.push(menshen_detect::Term {
            term: "微信".into(),
            category: "contact".into(),
            span: menshen_text::Span { start: 1, end: 9 },
            disguised: false,
            weight: 1.0,
            context: None,
        });
        // Overlaps the next, longer mark.
        facts.terms.push(menshen_detect::Term {
            term: "信abc".into(),
            category: "contact".into(),
            span: menshen_text::Span { start: 6, end: 12 },
            disguised: false,
            weight: 1.0,
            context: None,
        });
        facts.terms.push(menshen_detect::Term {
            term: "微信abc".into(),
            category: "contact".into(),
            span: menshen_text::Span { start: 3, end: 12 },
            disguised: false,
            weight: 1.0,
            context: None,
        });
        let pieces = highlight(text, &facts);
        let kinds: Vec<(&str, &str)> = pieces.iter().map(|p| (p.text.as_str(), p.kind)).collect();
        assert_eq!(kinds, [("加", ""), ("微信abc", "term")]);
    }
}

/// The console's texts in one language, as the templates read them: `t.s("id")`, or with
/// arguments `t.a1("id", "name", value)`. Ids live in `crates/i18n/locales/*/console.ftl`.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub menshen_i18n::Locale);

impl Tr {
    /// The page's `lang` attribute.
    pub fn lang(&self) -> &'static str {
        self.0.tag()
    }

    pub fn s(&self, id: &str) -> String {
        menshen_i18n::console(self.0, id)
    }

    pub fn a1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        menshen_i18n::console_with(self.0, id, &[(name, &value.to_string())])
    }

    pub fn a2(
        &self,
        id: &str,
        first: &str,
        first_value: impl std::fmt::Display,
        second: &str,
        second_value: impl std::fmt::Display,
    ) -> String {
        menshen_i18n::console_with(
            self.0,
            id,
            &[
                (first, &first_value.to_string()),
                (second, &second_value.to_string()),
            ],
        )
    }
}

//! Context: a listed word that is warned against, negated, or used in everyday money talk is
//! not evidence of what it names.
//!
//! **What it catches:** 安全账户 in `陌生人让你把钱转到安全账户，一律是诈骗` (a warning that
//! quotes the scam), 刷单 in `不要相信刷单返利` (negated), 垫付 in `房东让我先垫付水电费`
//! (money talk between people).
//!
//! **Why:** anti-fraud notices quote the scripts they warn about, and ordinary people talk
//! about deposits and transfers every day. Counting those words punishes the very people who
//! warn others, which is the accidental injury platforms fear most.
//!
//! **How:** context rules are data (`assets/lexicons/context.toml`): each lists cue phrases,
//! the term categories it cancels, optionally the heaviest term weight it may cancel (money
//! talk may excuse 垫付 but not 安全账户), and whether it reaches the cue's sentence or the
//! whole message. Cues are words of the shared automaton. A term in reach of a cue that
//! cancels it is still reported, with the rule's name in `context`, and counts for nothing in
//! the scores. Sentences end at the key channel's sentence breaks (`。！？`, line breaks), so
//! the clauses of one sentence share their cues.
//!
//! ```toml
//! [[context]]
//! name = "warning"
//! description = "An anti-fraud warning quotes the scam it warns about."
//! cancels = ["fraud", "job_scam"]
//! scope = "sentence"
//! cues = ["是诈骗", "谨防", "警方提醒"]
//! ```

use serde::Deserialize;

use crate::Error;

/// How far a cue reaches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The sentence the cue is in.
    #[default]
    Sentence,
    /// The whole message (a headline such as 【反诈提醒】 frames everything below it).
    Message,
}

/// One context rule.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextRule {
    /// A lower-case name, reported in a cancelled term's `context`.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The term categories this context cancels.
    pub cancels: Vec<String>,
    /// Only terms of at most this weight are cancelled; absent: any weight.
    #[serde(default)]
    pub max_weight: Option<f64>,
    #[serde(default)]
    pub scope: Scope,
    pub cues: Vec<String>,
}

impl ContextRule {
    /// Whether this rule cancels a term of `category` with `weight`.
    pub fn cancels(&self, category: &str, weight: f64) -> bool {
        self.cancels.iter().any(|c| c == category)
            && self.max_weight.is_none_or(|max| weight <= max)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextFile {
    #[serde(default, rename = "context")]
    contexts: Vec<ContextRule>,
}

/// Parse a context file. Problems come back as `origin:line:column: message` lines.
pub fn parse(source: &str, origin: &str) -> Result<Vec<ContextRule>, Error> {
    let file: ContextFile = toml::from_str(source).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_and_column(source, span.start));
        Error::Lexicon(vec![format!("{origin}:{line}:{column}: {}", e.message())])
    })?;
    let mut problems = Vec::new();
    for rule in &file.contexts {
        let at = source
            .find(&format!("\"{}\"", rule.name))
            .map_or((1, 1), |offset| line_and_column(source, offset));
        let mut problem =
            |message: String| problems.push(format!("{origin}:{}:{}: {message}", at.0, at.1));
        if rule.name.is_empty()
            || !rule
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_')
        {
            problem(format!(
                "context name `{}` must be a lower-case identifier such as `warning`",
                rule.name
            ));
        }
        if rule.cancels.is_empty() {
            problem(format!(
                "context `{}` cancels no category; list at least one in `cancels`",
                rule.name
            ));
        }
        if rule.cues.iter().any(|cue| {
            menshen_text::Normalized::new(cue)
                .key()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .count()
                < 2
        }) {
            problem(format!(
                "context `{}` has a cue shorter than two letters or characters, which would match almost anywhere",
                rule.name
            ));
        }
    }
    if problems.is_empty() {
        Ok(file.contexts)
    } else {
        Err(Error::Lexicon(problems))
    }
}

/// 1-based line and column (in characters) of byte `offset`.
pub(crate) fn line_and_column(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..source.floor_char_boundary(offset.min(source.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Which cues reach which sentences, for the terms of one message. Built from the cue hits in
/// one pass; each question is a set lookup, so a message costs time linear in its hits.
pub(crate) struct Reach {
    /// Sentence starts in the key channel (byte offsets just past each sentence break).
    breaks: Vec<u32>,
    /// (sentence, rule) pairs with a cue.
    in_sentence: std::collections::HashSet<(usize, u32)>,
    /// Rules of message scope with a cue anywhere.
    in_message: Vec<u32>,
}

impl Reach {
    /// `cues` are (key offset, rule index) pairs.
    pub(crate) fn new(
        key: &str,
        rules: &[ContextRule],
        cues: impl Iterator<Item = (u32, u32)>,
    ) -> Self {
        let sentence_break = menshen_text::Break::Sentence.key_char();
        let breaks: Vec<u32> = key
            .match_indices(sentence_break)
            .map(|(i, _)| (i + sentence_break.len_utf8()) as u32)
            .collect();
        let mut reach = Reach {
            breaks,
            in_sentence: Default::default(),
            in_message: Vec::new(),
        };
        for (at, rule) in cues {
            match rules[rule as usize].scope {
                Scope::Sentence => {
                    let sentence = reach.sentence(at);
                    reach.in_sentence.insert((sentence, rule));
                }
                Scope::Message if !reach.in_message.contains(&rule) => reach.in_message.push(rule),
                Scope::Message => {}
            }
        }
        reach
    }

    fn sentence(&self, key_offset: u32) -> usize {
        self.breaks.partition_point(|&b| b <= key_offset)
    }

    /// The first rule that cancels a term of `category` and `weight` at `key_offset`.
    pub(crate) fn cancelling<'r>(
        &self,
        rules: &'r [ContextRule],
        key_offset: u32,
        category: &str,
        weight: f64,
    ) -> Option<&'r ContextRule> {
        let sentence = self.sentence(key_offset);
        rules.iter().enumerate().find_map(|(index, rule)| {
            let index = index as u32;
            let reached =
                self.in_message.contains(&index) || self.in_sentence.contains(&(sentence, index));
            (reached && rule.cancels(category, weight)).then_some(rule)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_bad_rules_with_their_place() {
        let err = parse(
            "[[context]]\nname = \"Warn\"\ncancels = []\ncues = [\"谨\"]\n",
            "ctx.toml",
        )
        .unwrap_err();
        let Error::Lexicon(problems) = err else {
            panic!()
        };
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].starts_with("ctx.toml:2:8: context name `Warn`"));
        let err = parse("[[context]]\nname = 3\n", "ctx.toml").unwrap_err();
        assert!(err.to_string().starts_with("ctx.toml:2:8:"), "{err}");
    }

    #[test]
    fn weight_ceiling_limits_what_a_rule_cancels() {
        let rule = ContextRule {
            name: "everyday".into(),
            description: String::new(),
            cancels: vec!["fraud".into()],
            max_weight: Some(0.5),
            scope: Scope::Sentence,
            cues: vec!["房东".into()],
        };
        assert!(rule.cancels("fraud", 0.3));
        assert!(!rule.cancels("fraud", 2.0));
        assert!(!rule.cancels("gambling", 0.3));
    }
}

//! One automaton over the key channel for every word menshen looks for: lexicon terms and
//! their exceptions, app names, share-code markers, anchor verbs and contact keywords.
//!
//! Each pattern is folded exactly as the text is (`Normalized::key`), so one entry covers
//! traditional, full-width, look-alike and separator-split spellings. Hits are checked for
//! a bounded separator gap and, where a pattern starts or ends with a Latin letter or digit,
//! for word boundaries ("sex" must not fire inside "Essex").

use std::collections::HashMap;

use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use menshen_text::{KeyMatch, Normalized};
use pinyin::ToPinyin;

use crate::{
    Error,
    facts::ContactKind,
    lexicon::Lexicon,
    registry::{PlatformId, Registry},
};

/// What a pattern stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    /// Index into the lexicon's terms.
    Term(u32),
    Exception,
    AppName(PlatformId),
    Marker(PlatformId),
    Copy,
    Open,
    Click,
    ContactKeyword(ContactKind),
    /// A cue of the lexicon's context rule with this index.
    Cue(u32),
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    word: Word,
    /// Found through a generated pinyin spelling.
    pinyin: bool,
    /// Matches inside a longer Latin word as well.
    infix: bool,
}

/// A word found in a message.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub word: Word,
    /// Byte range in the key channel.
    pub key_start: u32,
    pub key_end: u32,
    pub at: KeyMatch,
    pub pinyin: bool,
}

/// What one pattern (one key) means, and whether its ends need Latin word boundaries.
struct Group {
    entries: Vec<Entry>,
    starts_latin: bool,
    ends_latin: bool,
}

/// The compiled automaton and what each pattern means.
pub struct Matcher {
    automaton: CharwiseDoubleArrayAhoCorasick<u32>,
    groups: Vec<Group>,
    max_gap: usize,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("patterns", &self.groups.len())
            .finish()
    }
}

/// Collects patterns by their key, so that one key can mean several words.
#[derive(Default)]
struct Patterns {
    by_key: HashMap<String, Vec<Entry>>,
}

impl Patterns {
    fn add(&mut self, pattern: &str, word: Word, pinyin: bool) {
        self.add_entry(
            pattern,
            Entry {
                word,
                pinyin,
                infix: false,
            },
        );
    }

    fn add_entry(&mut self, pattern: &str, entry: Entry) {
        // Punctuation at a pattern's ends would demand a break in the text: drop it.
        let breaks: &[char] = &[
            menshen_text::Break::Clause.key_char(),
            menshen_text::Break::Sentence.key_char(),
        ];
        let key = Normalized::new(pattern)
            .key()
            .trim_matches(breaks)
            .to_owned();
        if !key.is_empty() {
            let entries = self.by_key.entry(key).or_default();
            if !entries.iter().any(|e| e.word == entry.word) {
                entries.push(entry);
            }
        }
    }

    /// Add the pinyin spellings of a short all-CJK word: full pinyin (`taobao`), every mix of
    /// pinyin and characters (`tao宝`, `淘bao`) and, for three characters or more, the initials
    /// (`pdd` for 拼多多, `yjdf` for 一件代发). Two-letter initials (`tb`, `jd`) collide with
    /// ordinary Latin words and are left to explicit entries. Longer words have too many mixes.
    fn add_pinyin(&mut self, word_text: &str, word: Word) {
        let chars: Vec<char> = word_text.chars().collect();
        if !(2..=4).contains(&chars.len()) {
            return;
        }
        let Some(readings) = chars
            .iter()
            .map(|c| c.to_pinyin().map(|p| p.plain()))
            .collect::<Option<Vec<_>>>()
        else {
            return;
        };
        for mask in 1u32..(1 << chars.len()) {
            let spelling: String = chars
                .iter()
                .zip(&readings)
                .enumerate()
                .map(|(i, (c, reading))| {
                    if mask & (1 << i) != 0 {
                        (*reading).to_owned()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            self.add(&spelling, word, true);
        }
        if chars.len() >= 3 {
            let initials: String = readings.iter().filter_map(|r| r.chars().next()).collect();
            self.add(&initials, word, true);
        }
    }
}

impl Matcher {
    pub fn build(registry: &Registry, lexicon: &Lexicon, max_gap: usize) -> Result<Self, Error> {
        let mut patterns = Patterns::default();
        for (index, term) in lexicon.terms.iter().enumerate() {
            let word = Word::Term(index as u32);
            patterns.add_entry(
                &term.term,
                Entry {
                    word,
                    pinyin: false,
                    infix: term.infix,
                },
            );
            if term.pinyin {
                patterns.add_pinyin(&term.term, word);
            }
        }
        for exception in &lexicon.exceptions {
            patterns.add(exception, Word::Exception, false);
        }
        for (index, rule) in lexicon.contexts.iter().enumerate() {
            for cue in &rule.cues {
                patterns.add(cue, Word::Cue(index as u32), false);
            }
        }
        for (index, platform) in registry.platforms().iter().enumerate() {
            let id = index as PlatformId;
            for name in &platform.app_names {
                patterns.add(name, Word::AppName(id), false);
                patterns.add_pinyin(name, Word::AppName(id));
            }
            for marker in &platform.markers {
                patterns.add(marker, Word::Marker(id), false);
            }
        }
        let anchors = &registry.file.anchors;
        for (words, word) in [
            (&anchors.copy, Word::Copy),
            (&anchors.open, Word::Open),
            (&anchors.click, Word::Click),
        ] {
            for w in words {
                patterns.add(w, word, false);
            }
        }
        let contacts = &registry.file.contacts;
        for (words, kind) in [
            (&contacts.wechat, ContactKind::Wechat),
            (&contacts.qq, ContactKind::Qq),
            (&contacts.telegram, ContactKind::Telegram),
            (&contacts.phone, ContactKind::Phone),
        ] {
            for w in words {
                patterns.add(w, Word::ContactKeyword(kind), false);
            }
        }
        let mut keys: Vec<(String, Vec<Entry>)> = patterns.by_key.into_iter().collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        let groups = keys
            .iter()
            .map(|(key, entries)| {
                let starts_latin = key
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric());
                let ends_latin = key
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric());
                Group {
                    entries: entries.clone(),
                    starts_latin,
                    ends_latin,
                }
            })
            .collect();
        let automaton = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build_with_values(
                keys.iter()
                    .enumerate()
                    .map(|(i, (key, _))| (key.as_str(), i as u32)),
            )
            .map_err(|e| Error::Build(format!("word automaton: {e}")))?;
        Ok(Self {
            automaton,
            groups,
            max_gap,
        })
    }

    /// Every word in the normalized message, in order of where it ends.
    pub fn find(&self, norm: &Normalized, hits: &mut Vec<Hit>) {
        hits.clear();
        let text = norm.text();
        for m in self.automaton.find_overlapping_iter(norm.key()) {
            let Group {
                entries,
                starts_latin,
                ends_latin,
            } = &self.groups[m.value() as usize];
            let Some(at) = norm.key_match(m.start()..m.end(), self.max_gap) else {
                continue;
            };
            let latin_before = *starts_latin
                && text[..at.text.start]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric());
            let latin_after = *ends_latin
                && text[at.text.end..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric());
            let whole_word = !latin_before && !latin_after;
            for entry in entries.iter().filter(|e| whole_word || e.infix) {
                hits.push(Hit {
                    word: entry.word,
                    key_start: m.start() as u32,
                    key_end: m.end() as u32,
                    at,
                    pinyin: entry.pinyin,
                });
            }
        }
    }
}

//! Lexicon files: `term<TAB>category[<TAB>flags]` lines and `!exception` lines. See
//! `assets/lexicons/README.md` for the format.

use crate::Error;

/// One lexicon term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexiconTerm {
    pub term: String,
    pub category: String,
    /// Also match pinyin and mixed pinyin/hanzi spellings.
    pub pinyin: bool,
}

/// Terms and exception phrases from one or more files.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    pub terms: Vec<LexiconTerm>,
    pub exceptions: Vec<String>,
}

/// The lexicon files shipped with menshen, by name.
pub const EMBEDDED: [(&str, &str); 6] = [
    (
        "assets/lexicons/marketing.txt",
        include_str!("../../../assets/lexicons/marketing.txt"),
    ),
    (
        "assets/lexicons/counterfeit.txt",
        include_str!("../../../assets/lexicons/counterfeit.txt"),
    ),
    (
        "assets/lexicons/fraud.txt",
        include_str!("../../../assets/lexicons/fraud.txt"),
    ),
    (
        "assets/lexicons/gambling.txt",
        include_str!("../../../assets/lexicons/gambling.txt"),
    ),
    (
        "assets/lexicons/adult.txt",
        include_str!("../../../assets/lexicons/adult.txt"),
    ),
    (
        "assets/lexicons/exceptions.txt",
        include_str!("../../../assets/lexicons/exceptions.txt"),
    ),
];

impl Lexicon {
    /// The shipped lexicons.
    pub fn embedded() -> Self {
        let mut lexicon = Self::default();
        for (origin, source) in EMBEDDED {
            lexicon
                .add(source, origin)
                .expect("the embedded lexicons are valid (checked by tests)");
        }
        lexicon
    }

    /// Add the entries of one file. Every problem is reported, each with file, line and column.
    pub fn add(&mut self, source: &str, origin: &str) -> Result<(), Error> {
        let mut problems = Vec::new();
        for (index, raw) in source.lines().enumerate() {
            let line = index + 1;
            let mut problem = |column: usize, message: String| {
                problems.push(format!("{origin}:{line}:{column}: {message}"))
            };
            let text = raw.trim_end_matches('\r');
            if text.trim().is_empty() || text.trim_start().starts_with('#') {
                continue;
            }
            if let Some(phrase) = text.strip_prefix('!') {
                if phrase.trim().is_empty() {
                    problem(2, "an exception line needs a phrase after `!`".into());
                } else {
                    self.exceptions.push(phrase.trim().to_owned());
                }
                continue;
            }
            let mut fields = text.split('\t');
            let term = fields.next().unwrap_or_default().trim();
            let Some(category) = fields.next().map(str::trim) else {
                problem(
                    text.chars().count() + 1,
                    format!("expected `term<TAB>category`, found no tab after `{term}`"),
                );
                continue;
            };
            let category_column = term.chars().count() + 2;
            if term.is_empty() {
                problem(1, "the term is empty".into());
                continue;
            }
            if category.is_empty() || !category.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            {
                problem(
                    category_column,
                    format!(
                        "category `{category}` must be a lower-case identifier such as `counterfeit`"
                    ),
                );
                continue;
            }
            let mut pinyin = false;
            if let Some(flags) = fields.next() {
                for flag in flags.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                    match flag {
                        "pinyin" => pinyin = true,
                        other => problem(
                            category_column + category.chars().count() + 1,
                            format!("unknown flag `{other}`; the flags are: pinyin"),
                        ),
                    }
                }
            }
            let key = menshen_text::Normalized::new(term);
            match key.key().chars().count() {
                0 => {
                    problem(
                        1,
                        format!("term `{term}` has no letters or digits, so it can never match"),
                    );
                    continue;
                }
                1 if term.chars().count() > 1 => {
                    problem(
                        1,
                        format!(
                            "term `{term}` folds to the single character `{}` (repeats collapse, separators drop), so it would match everywhere; list a longer phrase",
                            key.key()
                        ),
                    );
                    continue;
                }
                _ => {}
            }
            self.terms.push(LexiconTerm {
                term: term.to_owned(),
                category: category.to_owned(),
                pinyin,
            });
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Lexicon(problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lexicons_load() {
        let lexicon = Lexicon::embedded();
        assert!(lexicon.terms.len() > 150);
        assert!(lexicon.exceptions.iter().any(|e| e == "原单位"));
        for category in ["marketing", "counterfeit", "fraud", "gambling", "adult"] {
            assert!(
                lexicon.terms.iter().any(|t| t.category == category),
                "{category}"
            );
        }
    }

    #[test]
    fn reports_every_problem_with_position() {
        let mut lexicon = Lexicon::default();
        let err = lexicon.add("高仿\tcounterfeit\n# ok\nnotab\n\tfraud\n赌\tGambling\n!\n**\tfraud\n假\tfraud\tloud\n牛牛\tgambling\n", "my.txt").unwrap_err();
        let Error::Lexicon(problems) = err else {
            panic!()
        };
        assert_eq!(problems.len(), 7, "{problems:#?}");
        assert!(
            problems[0].starts_with("my.txt:3:6: expected `term<TAB>category`"),
            "{}",
            problems[0]
        );
        assert!(problems[1].starts_with("my.txt:4:1: the term is empty"));
        assert!(
            problems[2].starts_with("my.txt:5:3: category `Gambling`"),
            "{}",
            problems[2]
        );
        assert!(problems[3].starts_with("my.txt:6:2:"));
        assert!(problems[4].contains("can never match"));
        assert!(problems[5].contains("unknown flag `loud`"));
        assert!(
            problems[6].starts_with("my.txt:9:1: term `牛牛` folds to the single character `牛`"),
            "{}",
            problems[6]
        );
        assert_eq!(lexicon.terms.len(), 2, "good lines are kept");
    }
}

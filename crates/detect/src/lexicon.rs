//! Lexicon files: `term<TAB>category[<TAB>weight][<TAB>flags]` lines and `!exception`
//! lines; context rules ([`crate::context`]) in TOML. See `assets/lexicons/README.md` for the
//! format.

use crate::{Error, context::ContextRule};

/// The weight of a term whose line gives none.
pub const DEFAULT_WEIGHT: f64 = 1.0;

/// One lexicon term.
#[derive(Clone, Debug, PartialEq)]
pub struct LexiconTerm {
    pub term: String,
    pub category: String,
    /// How strongly the term alone speaks for its category, in log-odds units: 1.0 for an
    /// ordinary entry, less for words innocent text also uses, more for unambiguous ones.
    pub weight: f64,
    /// Also match pinyin and mixed pinyin/hanzi spellings.
    pub pinyin: bool,
    /// A Latin term that also matches inside a longer word (`porn` in `childporn`); by
    /// default Latin terms match whole words only (`sex` is not in `Essex`).
    pub infix: bool,
}

/// Terms, exception phrases and context rules from one or more files.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    pub terms: Vec<LexiconTerm>,
    pub exceptions: Vec<String>,
    pub contexts: Vec<ContextRule>,
}

/// The lexicon files shipped with menshen, by name.
pub const EMBEDDED: [(&str, &str); 13] = [
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
        "assets/lexicons/loan.txt",
        include_str!("../../../assets/lexicons/loan.txt"),
    ),
    (
        "assets/lexicons/fake_documents.txt",
        include_str!("../../../assets/lexicons/fake_documents.txt"),
    ),
    (
        "assets/lexicons/job_scam.txt",
        include_str!("../../../assets/lexicons/job_scam.txt"),
    ),
    (
        "assets/lexicons/illegal_trade.txt",
        include_str!("../../../assets/lexicons/illegal_trade.txt"),
    ),
    (
        "assets/lexicons/fwwdn_adult.txt",
        include_str!("../../../assets/lexicons/fwwdn_adult.txt"),
    ),
    (
        "assets/lexicons/konsheng.txt",
        include_str!("../../../assets/lexicons/konsheng.txt"),
    ),
    (
        "assets/lexicons/exceptions.txt",
        include_str!("../../../assets/lexicons/exceptions.txt"),
    ),
    (
        "assets/lexicons/context.toml",
        include_str!("../../../assets/lexicons/context.toml"),
    ),
];

impl Lexicon {
    /// The shipped lexicons.
    pub fn embedded() -> Self {
        let mut lexicon = Self::default();
        for (origin, source) in EMBEDDED {
            lexicon
                .add_file(source, origin)
                .expect("the embedded lexicons are valid (checked by tests)");
        }
        lexicon
    }

    /// Add one file: context rules if its name ends in `.toml`, else a word list.
    pub fn add_file(&mut self, source: &str, origin: &str) -> Result<(), Error> {
        if origin.ends_with(".toml") {
            self.contexts.extend(crate::context::parse(source, origin)?);
            Ok(())
        } else {
            self.add(source, origin)
        }
    }

    /// Add the entries of one word list. Every problem is reported, each with file, line and column.
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
            let mut weight = DEFAULT_WEIGHT;
            let mut flags_column = category_column + category.chars().count() + 1;
            let mut rest = fields.next();
            if let Some(field) = rest
                && let Ok(value) = field.trim().parse::<f64>()
            {
                if !(0.0..=10.0).contains(&value) {
                    problem(
                        flags_column,
                        format!("weight `{value}` must lie between 0 and 10"),
                    );
                    continue;
                }
                weight = value;
                flags_column += field.chars().count() + 1;
                rest = fields.next();
            }
            let (mut pinyin, mut infix) = (false, false);
            if let Some(flags) = rest {
                for flag in flags.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                    match flag {
                        "pinyin" => pinyin = true,
                        "infix" => infix = true,
                        other => problem(
                            flags_column,
                            format!(
                                "unknown flag `{other}`; the flags are: pinyin, infix (the column before may be a weight such as 1.5)"
                            ),
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
                weight,
                pinyin,
                infix,
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

    #[test]
    fn reads_weights_and_flags() {
        let mut lexicon = Lexicon::default();
        lexicon
            .add(
                "垫付\tfraud\t0.3\nporn\tadult\t1.5\tinfix\n高仿\tcounterfeit\tpinyin\n",
                "w.txt",
            )
            .unwrap();
        let [advance, porn, replica] = &lexicon.terms[..] else {
            panic!("{:?}", lexicon.terms)
        };
        assert_eq!((advance.weight, advance.infix), (0.3, false));
        assert_eq!((porn.weight, porn.infix), (1.5, true));
        assert_eq!((replica.weight, replica.pinyin), (DEFAULT_WEIGHT, true));
        let err = lexicon.add("赌\tgambling\t12\n", "w.txt").unwrap_err();
        assert!(err.to_string().contains("w.txt:1:12: weight `12`"), "{err}");
    }
}

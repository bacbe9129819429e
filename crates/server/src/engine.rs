//! The engine: the analyzer, the policy and the ladders, built from the shipped data and the
//! operator's files, and swapped whole on reload (`SIGHUP`, `POST /v1/policy/reload`), so that
//! a check sees one engine from start to end and a broken file leaves the engine in force.
//!
//! The CLI builds its engine here too: `check`, `replay` and `serve` read the same files the
//! same way.

use std::path::{Path, PathBuf};

use menshen_detect::{
    Analyzer, AnalyzerConfig, lexicon::Lexicon, registry::Registry, score::Model,
};
use menshen_policy::Policy;
use menshen_state::ladder::Ladders;
use serde::{Deserialize, Serialize};

/// Where the engine's data comes from, beside what menshen ships.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSources {
    /// Profile files loaded beside the shipped ones (they may `extends` them).
    pub policies: Vec<PathBuf>,
    /// Word lists (`.txt`) and context rules (`.toml`) added to the shipped lexicons.
    pub lexicons: Vec<PathBuf>,
    /// A platform registry used instead of the shipped one.
    pub registry: Option<PathBuf>,
    /// Reputation lists (`# category: phishing` and one host per line) added to the shipped
    /// ones.
    pub reputation: Vec<PathBuf>,
    /// Ladders used instead of `assets/ladders.toml`.
    pub ladders: Option<PathBuf>,
    /// A model from `menshen train` used instead of the shipped default.
    pub model: Option<PathBuf>,
    /// Score without any model (the other signals alone).
    pub no_model: bool,
}

/// One engine, immutable once built.
pub struct Engine {
    pub analyzer: Analyzer,
    pub policy: Policy,
    pub ladders: Ladders,
}

/// A file that could not be used, and why (with line and column where the file says).
#[derive(Debug, thiserror::Error)]
#[error("{}", .problems.join("\n"))]
pub struct EngineError {
    pub problems: Vec<String>,
}

fn read(path: &Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read this {what}: {e}", path.display()))
}

/// A model file.
pub fn read_model(path: &Path) -> Result<Model, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("{}: cannot open this model: {e}", path.display()))?;
    Model::read(std::io::BufReader::new(file)).map_err(|e| format!("{}: {e}", path.display()))
}

impl Engine {
    /// Build an engine: every problem in every file is reported, and nothing is built if there
    /// is one. The home platform is `home`, else the registry's.
    pub fn build(
        sources: &EngineSources,
        home: Option<&str>,
        config: AnalyzerConfig,
    ) -> Result<Engine, EngineError> {
        let mut problems = Vec::new();
        let registry = match &sources.registry {
            Some(path) => read(path, "registry").and_then(|source| {
                Registry::parse(&source, &path.display().to_string()).map_err(|e| e.to_string())
            }),
            None => Ok(Registry::embedded()),
        };
        let mut lexicon = Lexicon::embedded();
        for path in &sources.lexicons {
            if let Err(problem) = read(path, "lexicon").and_then(|source| {
                lexicon
                    .add_file(&source, &path.display().to_string())
                    .map_err(|e| e.to_string())
            }) {
                problems.push(problem);
            }
        }
        let ladders = match &sources.ladders {
            Some(path) => read(path, "ladders file").and_then(|source| {
                Ladders::parse(&source, &path.display().to_string()).map_err(|e| e.to_string())
            }),
            None => Ok(Ladders::embedded()),
        };
        let model = match (&sources.model, sources.no_model) {
            (_, true) => Ok(None),
            (Some(path), false) => read_model(path).map(|m| Some(std::sync::Arc::new(m))),
            (None, false) => Ok(Some(Model::embedded())),
        };
        let mut files = menshen_policy::embedded_files();
        for path in &sources.policies {
            match read(path, "profile") {
                Ok(source) => files.push((path.display().to_string(), source)),
                Err(problem) => problems.push(problem),
            }
        }
        let mut registry = registry.map_err(|p| problems.push(p)).ok();
        for path in &sources.reputation {
            let added = read(path, "reputation list").and_then(|source| match &mut registry {
                Some(registry) => registry
                    .add_reputation_list(&source, &path.display().to_string())
                    .map_err(|e| e.to_string()),
                None => Ok(()),
            });
            if let Err(problem) = added {
                problems.push(problem);
            }
        }
        let ladders = ladders.map_err(|p| problems.push(p)).ok();
        let model = model.map_err(|p| problems.push(p)).ok();
        let home = home
            .map(str::to_owned)
            .or_else(|| registry.as_ref().map(|r| r.file.home.clone()))
            .unwrap_or_else(|| "wechat".into());
        let analyzer = registry.and_then(|registry| {
            Analyzer::new(registry, lexicon, config)
                .map_err(|e| problems.push(e.to_string()))
                .ok()
        });

        let policy = Policy::load(&files, &home)
            .map_err(|e| problems.extend(e.0.iter().map(ToString::to_string)))
            .ok();
        match (analyzer, policy, ladders, model) {
            (Some(analyzer), Some(policy), Some(ladders), Some(model)) if problems.is_empty() => {
                let analyzer = match model {
                    Some(model) => analyzer.with_model(model),
                    None => analyzer.without_model(),
                };
                Ok(Engine {
                    analyzer,
                    policy,
                    ladders,
                })
            }
            _ => Err(EngineError { problems }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broken_file_is_named_and_nothing_is_built() {
        let dir = std::env::temp_dir().join(format!("menshen-engine-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lexicon = dir.join("words.txt");
        std::fs::write(&lexicon, "notab\n").unwrap();
        let profile = dir.join("p.toml");
        std::fs::write(&profile, "name = 3\n").unwrap();
        let list = dir.join("phishing.txt");
        std::fs::write(
            &list,
            "evil.example
",
        )
        .unwrap();
        let sources = EngineSources {
            lexicons: vec![lexicon],
            policies: vec![profile],
            ladders: Some(dir.join("missing.toml")),
            reputation: vec![list],
            ..EngineSources::default()
        };
        let error = Engine::build(&sources, None, AnalyzerConfig::default())
            .err()
            .expect("broken");
        assert_eq!(error.problems.len(), 4, "{error}");
        assert!(
            error
                .to_string()
                .contains("phishing.txt:1: the list does not say"),
            "{error}"
        );
        assert!(error.to_string().contains("words.txt:1:6"), "{error}");
        assert!(
            error.to_string().contains("missing.toml: cannot read"),
            "{error}"
        );
        assert!(Engine::build(&EngineSources::default(), None, AnalyzerConfig::default()).is_ok());
    }
}

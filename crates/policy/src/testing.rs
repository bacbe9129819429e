//! Running a policy's own tests: every rule's examples and every profile's case table.

use menshen_detect::Analyzer;

use crate::{Action, Decision, Evaluation, Policy, Profile, Sanctions, Scene, Situation, Standing};

/// One failed example or case.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub profile: String,
    /// `rule <id>` for an example, `case <n>` for a case.
    pub what: String,
    pub text: String,
    pub scene: Scene,
    pub expected: String,
    pub got: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} / {}: in {} \"{}\": expected {}, got {}",
            self.profile,
            self.what,
            self.scene.as_str(),
            self.text,
            self.expected,
            self.got
        )
    }
}

/// The outcome of a test run.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub passed: usize,
    pub failures: Vec<Failure>,
    /// Rule conditions that failed to evaluate on an example or a case, by profile and rule,
    /// with how often and the first message: a rule that errors on its own examples is
    /// broken even where the expected action came out.
    pub rule_errors: std::collections::BTreeMap<(String, String), (usize, String)>,
}

impl Report {
    fn count_errors(&mut self, profile: &Profile, errors: &[crate::RuleError]) {
        for error in errors {
            self.rule_errors
                .entry((profile.name.clone(), error.rule.clone()))
                .or_insert((0, error.message.clone()))
                .0 += 1;
        }
    }

    /// Whether everything passed and no rule errored.
    pub fn ok(&self) -> bool {
        self.failures.is_empty() && self.rule_errors.is_empty()
    }
}

fn sanctions(domains: &[String], apps: &[String]) -> Sanctions {
    Sanctions {
        domains: domains.iter().map(|d| d.to_lowercase()).collect(),
        apps: apps.iter().cloned().collect(),
    }
}

fn situation<'a>(
    scene: Scene,
    sanctions: &'a Sanctions,
    sender: Option<&'a Standing>,
) -> Situation<'a> {
    let situation = Situation::new(scene, sanctions);
    match sender {
        Some(standing) => situation.with_standing(standing),
        None => situation,
    }
}

/// Run the examples and cases of `profiles` (all when empty).
pub fn run(policy: &Policy, analyzer: &Analyzer, profiles: &[&Profile]) -> Report {
    let mut report = Report::default();
    let all: Vec<&Profile> = if profiles.is_empty() {
        policy.profiles().iter().collect()
    } else {
        profiles.to_vec()
    };
    for profile in all {
        for rule in &profile.rules {
            for example in &rule.examples {
                let facts = analyzer.analyze(&example.text);
                let sanctions = sanctions(&example.sanctioned_domains, &example.sanctioned_apps);
                let situation = situation(example.scene, &sanctions, example.sender.as_ref());
                let decision = decide(policy, profile, &facts, situation, &mut report, || {
                    (format!("rule {}", rule.id), &example.text, example.scene)
                });
                report.count_errors(profile, &decision.errors);
                let matched = decision
                    .reasons
                    .iter()
                    .chain(&decision.shadow)
                    .any(|r| r.rule == rule.id)
                    || decision.link_actions.iter().any(|a| a.rule == rule.id);
                if matched == example.matches {
                    report.passed += 1;
                } else {
                    report.failures.push(Failure {
                        profile: profile.name.clone(),
                        what: format!("rule {}", rule.id),
                        text: example.text.clone(),
                        scene: example.scene,
                        expected: if example.matches {
                            "a match".into()
                        } else {
                            "no match".into()
                        },
                        got: if matched {
                            "a match".into()
                        } else {
                            "no match".into()
                        },
                    });
                }
            }
        }
        for (index, case) in profile.cases.iter().enumerate() {
            let facts = analyzer.analyze(&case.text);
            let sanctions = sanctions(&case.sanctioned_domains, &case.sanctioned_apps);
            let situation = situation(case.scene, &sanctions, case.sender.as_ref());
            let decision = decide(policy, profile, &facts, situation, &mut report, || {
                (format!("case {}", index + 1), &case.text, case.scene)
            });
            report.count_errors(profile, &decision.errors);
            if decision.action == case.expect {
                report.passed += 1;
            } else {
                let rules: Vec<&str> = decision.reasons.iter().map(|r| r.rule.as_str()).collect();
                report.failures.push(Failure {
                    profile: profile.name.clone(),
                    what: format!("case {}", index + 1),
                    text: case.text.clone(),
                    scene: case.scene,
                    expected: action_name(case.expect).into(),
                    got: format!(
                        "{} (rules: {})",
                        action_name(decision.action),
                        if rules.is_empty() {
                            "none".into()
                        } else {
                            rules.join(", ")
                        }
                    ),
                });
            }
        }
    }
    report
}

/// Decide natively and in CEL; a difference is a failure of its own (a native predicate that
/// does not mean what its CEL says).
fn decide<'t>(
    policy: &Policy,
    profile: &Profile,
    facts: &menshen_detect::Facts,
    situation: Situation<'_>,
    report: &mut Report,
    what: impl FnOnce() -> (String, &'t String, Scene),
) -> Decision {
    let native = policy.decide_by(profile, facts, situation, Evaluation::Native);
    let cel = policy.decide_by(profile, facts, situation, Evaluation::Cel);
    if native != cel {
        let (what, text, scene) = what();
        report.failures.push(Failure {
            profile: profile.name.clone(),
            what: format!("{what}, decided natively and in CEL"),
            text: text.clone(),
            scene,
            expected: format!("in CEL: {}", summary(&cel)),
            got: format!("natively: {}", summary(&native)),
        });
    }
    native
}

/// A decision in a line: its action and the rules behind it.
fn summary(decision: &Decision) -> String {
    let rules: Vec<&str> = decision
        .reasons
        .iter()
        .chain(&decision.shadow)
        .map(|r| r.rule.as_str())
        .chain(decision.link_actions.iter().map(|a| a.rule.as_str()))
        .chain(decision.errors.iter().map(|e| e.rule.as_str()))
        .collect();
    format!("{} ({})", action_name(decision.action), rules.join(", "))
}

pub fn action_name(action: Action) -> &'static str {
    action.as_str()
}

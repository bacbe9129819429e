//! Verdict-level quality: what a profile does with labelled messages in every scene.
//!
//! A score is not what a user gets; the verdict is. For each scene this counts how many
//! unwanted and innocent messages are **withheld** (`hide`, `hold`, `block`: the recipients
//! never see them as sent) and how many are **acted on** (anything but `allow`: a warning, a
//! plain-text link, or stricter), and how many innocent messages would earn their sender a
//! strike. Precision comes first: every innocent message acted on is an innocent user
//! punished.

use menshen_detect::{Analyzer, Scratch};

use crate::{Action, Policy, Profile, Sanctions, Scene, Situation};

/// Counts for one scene.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SceneCounts {
    pub unwanted: usize,
    pub innocent: usize,
    pub withheld_unwanted: usize,
    pub withheld_innocent: usize,
    pub acted_unwanted: usize,
    pub acted_innocent: usize,
    /// Innocent messages whose verdict gives the sender at least one strike.
    pub innocent_struck: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

impl SceneCounts {
    pub fn withheld_precision(&self) -> f64 {
        ratio(
            self.withheld_unwanted,
            self.withheld_unwanted + self.withheld_innocent,
        )
    }
    pub fn withheld_recall(&self) -> f64 {
        ratio(self.withheld_unwanted, self.unwanted)
    }
    pub fn acted_precision(&self) -> f64 {
        ratio(
            self.acted_unwanted,
            self.acted_unwanted + self.acted_innocent,
        )
    }
    pub fn acted_recall(&self) -> f64 {
        ratio(self.acted_unwanted, self.unwanted)
    }
    /// The share of innocent messages acted on in any way.
    pub fn innocent_acted_rate(&self) -> f64 {
        ratio(self.acted_innocent, self.innocent)
    }
}

/// Counts for every scene, in [`Scene::ALL`] order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quality {
    pub scenes: [SceneCounts; 4],
}

impl Quality {
    pub fn scene(&self, scene: Scene) -> &SceneCounts {
        &self.scenes[Scene::ALL.iter().position(|&s| s == scene).unwrap_or(0)]
    }
}

/// Decide every `(text, unwanted)` message in every scene under `profile`, with no
/// sanctions and no standing (a first-time sender).
pub fn measure<'a>(
    policy: &Policy,
    profile: &Profile,
    analyzer: &Analyzer,
    examples: impl IntoIterator<Item = (&'a str, bool)>,
) -> Quality {
    let sanctions = Sanctions::default();
    let mut scratch = Scratch::default();
    let mut quality = Quality::default();
    for (text, unwanted) in examples {
        let facts = analyzer.analyze_with(text, &mut scratch);
        for (index, scene) in Scene::ALL.into_iter().enumerate() {
            let decision = policy.decide(profile, &facts, Situation::new(scene, &sanctions));
            let counts = &mut quality.scenes[index];
            let withheld = decision.action >= Action::Hide;
            let acted = decision.action > Action::Allow;
            let struck = decision.reasons.iter().any(|r| r.strikes > 0);
            if unwanted {
                counts.unwanted += 1;
                counts.withheld_unwanted += usize::from(withheld);
                counts.acted_unwanted += usize::from(acted);
            } else {
                counts.innocent += 1;
                counts.withheld_innocent += usize::from(withheld);
                counts.acted_innocent += usize::from(acted);
                counts.innocent_struck += usize::from(struck);
            }
        }
    }
    quality
}

impl std::fmt::Display for Quality {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{:<8} {:>10} {:>10} {:>10} {:>10} {:>15} {:>15}",
            "scene",
            "withheld P",
            "withheld R",
            "acted P",
            "acted R",
            "innocent acted",
            "innocent struck"
        )?;
        let show = |x: f64| {
            if x.is_nan() {
                "-".to_owned()
            } else {
                format!("{x:.3}")
            }
        };
        for (scene, c) in Scene::ALL.iter().zip(&self.scenes) {
            writeln!(
                f,
                "{:<8} {:>10} {:>10} {:>10} {:>10} {:>15} {:>15}",
                scene.as_str(),
                show(c.withheld_precision()),
                show(c.withheld_recall()),
                show(c.acted_precision()),
                show(c.acted_recall()),
                format!(
                    "{} ({:.2}%)",
                    c.acted_innocent,
                    100.0 * c.innocent_acted_rate().max(0.0)
                ),
                c.innocent_struck
            )?;
        }
        Ok(())
    }
}

//! The sanction ladders: how strikes climb from a warning to a permanent ban.
//!
//! Both ladders are configuration (`assets/ladders.toml`), not code. [`Ladder::next`] is pure:
//! given the strikes a subject has (with their times and whether an appeal reversed them) and
//! the time now, it picks the step for a new offence.

use serde::{Deserialize, Serialize};

/// What a sanction does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SanctionKind {
    /// Notice only: fix and appeal.
    Warning,
    /// A named function is refused (`links_in_moments`, `share_codes`, `group_broadcast`,
    /// `add_friends`, `create_groups`).
    Restrict,
    /// The account cannot log in.
    LoginBan,
    /// For good.
    Permanent,
}

impl SanctionKind {
    pub const ALL: [SanctionKind; 4] = [
        SanctionKind::Warning,
        SanctionKind::Restrict,
        SanctionKind::LoginBan,
        SanctionKind::Permanent,
    ];

    /// The name in JSON and TOML.
    pub fn as_str(self) -> &'static str {
        match self {
            SanctionKind::Warning => "warning",
            SanctionKind::Restrict => "restrict",
            SanctionKind::LoginBan => "login_ban",
            SanctionKind::Permanent => "permanent",
        }
    }

    /// Restrictions and login bans last `hours`; warnings and permanent bans have none.
    pub fn is_timed(self) -> bool {
        matches!(self, SanctionKind::Restrict | SanctionKind::LoginBan)
    }
}

/// One step of a ladder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub kind: SanctionKind,
    /// How long a timed sanction lasts; none for warnings and permanent bans.
    #[serde(default)]
    pub hours: Option<u32>,
}

/// A ladder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ladder {
    /// Strikes stop counting this many days after they were given.
    pub decay_days: u32,
    /// Step 1, 2, …; the last one repeats.
    pub steps: Vec<Step>,
    /// Where evasion goes at once.
    pub evasion: Step,
}

/// Both ladders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ladders {
    /// Content offences (share codes, links, counterfeit, fraud).
    pub content: Ladder,
    /// Automation (plug-in) offences.
    pub automation: Ladder,
}

/// A strike on a subject's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Strike {
    /// When it was given, in seconds since the Unix epoch.
    pub at: i64,
    pub weight: u32,
    /// An appeal reversed it.
    pub reversed: bool,
}

/// The sanction a new offence earns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Next {
    /// Strikes in force, the new one included.
    pub strikes: u32,
    pub step: Step,
    /// When a timed sanction ends, in seconds since the Unix epoch.
    pub ends: Option<i64>,
}

/// Problems in a ladder file.
#[derive(Debug, thiserror::Error)]
pub enum LadderError {
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl Ladders {
    /// The ladder of that name.
    pub fn get(&self, name: crate::sanction::LadderName) -> &Ladder {
        match name {
            crate::sanction::LadderName::Content => &self.content,
            crate::sanction::LadderName::Automation => &self.automation,
        }
    }

    /// The shipped ladders.
    pub fn embedded() -> Self {
        Self::parse(
            include_str!("../../../assets/ladders.toml"),
            "assets/ladders.toml",
        )
        .expect("the embedded ladders are valid")
    }

    pub fn parse(source: &str, origin: &str) -> Result<Self, LadderError> {
        let invalid = |message: String| LadderError::Invalid {
            origin: origin.to_owned(),
            message,
        };
        let ladders: Ladders = toml::from_str(source).map_err(|e| invalid(e.to_string()))?;
        for (name, ladder) in [
            ("content", &ladders.content),
            ("automation", &ladders.automation),
        ] {
            if ladder.steps.is_empty() {
                return Err(invalid(format!("[{name}] needs at least one step")));
            }
            for step in ladder.steps.iter().chain([&ladder.evasion]) {
                let timed = step.kind.is_timed();
                if timed != step.hours.is_some() {
                    return Err(invalid(format!(
                        "[{name}] step {:?}: restrictions and login bans need `hours`; warnings and permanent bans have none",
                        step.kind
                    )));
                }
            }
        }
        Ok(ladders)
    }
}

impl Ladder {
    /// The weight of the strikes that still count at `now`: not reversed, not decayed, not
    /// in the future.
    pub fn strikes_in_force(&self, strikes: &[Strike], now: i64) -> u32 {
        let horizon = now - i64::from(self.decay_days) * 86_400;
        strikes
            .iter()
            .filter(|s| !s.reversed && s.at > horizon && s.at <= now)
            .map(|s| s.weight)
            .sum()
    }

    /// The step for a new offence of `weight` at `now`, given the subject's earlier strikes.
    /// Evasion goes to the evasion step whatever the count.
    ///
    /// "Earlier" is the order strikes were recorded in, not their dates: a strike an instance
    /// with a clock a little ahead recorded first still counts (it is not yet "in force" by
    /// date, but the next offence must climb past it), unless it has decayed.
    pub fn next(&self, earlier: &[Strike], weight: u32, now: i64, evasion: bool) -> Next {
        let horizon = now - i64::from(self.decay_days) * 86_400;
        let counted: u32 = earlier
            .iter()
            .filter(|s| !s.reversed && s.at > horizon)
            .map(|s| s.weight)
            .sum();
        let strikes = counted + weight.max(1);
        let step = if evasion {
            self.evasion.clone()
        } else {
            self.steps[(strikes as usize - 1).min(self.steps.len() - 1)].clone()
        };
        let ends = step.hours.map(|h| now + i64::from(h) * 3600);
        Next {
            strikes,
            step,
            ends,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn strike(at: i64) -> Strike {
        Strike {
            at,
            weight: 1,
            reversed: false,
        }
    }

    fn climb(ladder: &Ladder, offences: usize) -> Vec<(SanctionKind, Option<u32>)> {
        let mut history = Vec::new();
        (0..offences)
            .map(|i| {
                let now = i as i64 * DAY;
                let next = ladder.next(&history, 1, now, false);
                history.push(strike(now));
                (next.step.kind, next.step.hours)
            })
            .collect()
    }

    #[test]
    fn content_offences_follow_the_2018_ladder() {
        use SanctionKind::{Restrict, Warning};
        let ladders = Ladders::embedded();
        assert_eq!(
            climb(&ladders.content, 5),
            [
                (Warning, None),
                (Restrict, Some(12)),
                (Restrict, Some(24)),
                (Restrict, Some(168)),
                (Restrict, Some(168))
            ]
        );
    }

    #[test]
    fn a_strike_recorded_first_counts_though_its_clock_ran_ahead() {
        // Two instances: the one whose clock is 3 s ahead records first.
        let ladder = &Ladders::embedded().content;
        let ahead = strike(1_000 + 3);
        let next = ladder.next(&[ahead], 1, 1_000, false);
        assert_eq!((next.strikes, next.step.kind), (2, SanctionKind::Restrict));
        // A decayed strike still does not count.
        let old = strike(1_000 - i64::from(ladder.decay_days) * DAY);
        assert_eq!(ladder.next(&[old], 1, 1_000, false).strikes, 1);
    }

    #[test]
    fn automation_offences_follow_the_login_ladder() {
        use SanctionKind::{LoginBan, Permanent, Warning};
        let ladders = Ladders::embedded();
        assert_eq!(
            climb(&ladders.automation, 5),
            [
                (Warning, None),
                (LoginBan, Some(24)),
                (LoginBan, Some(168)),
                (Permanent, None),
                (Permanent, None)
            ]
        );
    }

    #[test]
    fn strikes_decay_reversals_do_not_count_weights_add_and_evasion_jumps() {
        let ladder = Ladders::embedded().content;
        let now = 1000 * DAY;
        let old = strike(now - 200 * DAY);
        assert_eq!(
            ladder.next(&[old], 1, now, false).strikes,
            1,
            "older than 180 days"
        );
        let reversed = Strike {
            reversed: true,
            ..strike(now - DAY)
        };
        assert_eq!(
            ladder.next(&[reversed], 1, now, false).step.kind,
            SanctionKind::Warning
        );
        let heavy = ladder.next(&[], 2, now, false);
        assert_eq!(
            (heavy.strikes, heavy.step.hours, heavy.ends),
            (2, Some(12), Some(now + 12 * 3600))
        );
        assert_eq!(
            ladder.next(&[], 1, now, true).step.kind,
            SanctionKind::Permanent
        );
    }

    #[test]
    fn bad_ladders_are_explained() {
        let err = Ladders::parse("[content]\ndecay_days = 1\nevasion = { kind = \"permanent\" }\nsteps = [{ kind = \"restrict\" }]\n[automation]\ndecay_days = 1\nevasion = { kind = \"permanent\" }\nsteps = [{ kind = \"warning\" }]\n", "l.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "l.toml: [content] step Restrict: restrictions and login bans need `hours`"
            ),
            "{err}"
        );
        let err = Ladders::parse("[content]\n", "l.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("l.toml:"), "{err}");
    }
}

//! A subject's standing, derived from its strikes and the sanctions in force: what the
//! policy reads as `sender`, and what the subject and reviewers see.

use serde::{Deserialize, Serialize};

use crate::{
    ladder::{Ladders, SanctionKind, Strike},
    sanction::Sanction,
};

/// A restricted function and when it may be used again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restriction {
    pub function: crate::core::Function,
    /// Seconds since the Unix epoch; none until further notice.
    pub until: Option<i64>,
}

/// Whether and until when the subject is banned from logging in (and so from sending).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ban {
    pub sanction: u64,
    /// None for a permanent ban.
    pub until: Option<i64>,
    pub reason: String,
}

/// A subject's standing at one moment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    /// Content strikes in force (after decay and reversals).
    pub content_strikes: u32,
    /// Automation strikes in force.
    pub automation_strikes: u32,
    pub restrictions: Vec<Restriction>,
    /// The strictest login ban in force, if any.
    pub ban: Option<Ban>,
    /// Every sanction in force.
    pub sanctions: Vec<Sanction>,
}

impl Standing {
    /// Derive a standing from the sanctions in force at `now` and the strikes on each ladder.
    pub fn derive(
        active: Vec<Sanction>,
        content: &[Strike],
        automation: &[Strike],
        ladders: &Ladders,
        now: i64,
    ) -> Standing {
        let mut standing = Standing {
            content_strikes: ladders.content.strikes_in_force(content, now),
            automation_strikes: ladders.automation.strikes_in_force(automation, now),
            ..Standing::default()
        };
        for sanction in &active {
            match sanction.kind {
                SanctionKind::Warning => {}
                SanctionKind::Restrict => {
                    let Some(function) = sanction.function else {
                        continue;
                    };
                    match standing
                        .restrictions
                        .iter_mut()
                        .find(|r| r.function == function)
                    {
                        Some(existing) => existing.until = later(existing.until, sanction.ends),
                        None => standing.restrictions.push(Restriction {
                            function,
                            until: sanction.ends,
                        }),
                    }
                }
                SanctionKind::LoginBan | SanctionKind::Permanent => {
                    let stricter = match &standing.ban {
                        None => true,
                        Some(ban) => later(ban.until, sanction.ends) != ban.until,
                    };
                    if stricter {
                        standing.ban = Some(Ban {
                            sanction: sanction.id,
                            until: sanction.ends,
                            reason: sanction.reason.clone(),
                        });
                    }
                }
            }
        }
        standing.sanctions = active;
        standing
    }
}

/// The later of two ends, where none means never.
fn later(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => None,
    }
}

//! A policy that can be replaced while requests read it.

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::{Policy, PolicyError};

/// The policy in force, swapped atomically on reload. Readers take a snapshot with
/// [`LivePolicy::current`] and use it for a whole decision, so a decision never mixes two
/// policies; a reload that fails leaves the old policy in force.
pub struct LivePolicy {
    current: ArcSwap<Policy>,
}

impl LivePolicy {
    pub fn new(policy: Policy) -> Self {
        Self {
            current: ArcSwap::from_pointee(policy),
        }
    }

    /// A snapshot of the policy in force.
    pub fn current(&self) -> Arc<Policy> {
        self.current.load_full()
    }

    /// Load `files` and put them in force; on any error, keep the current policy and return
    /// every problem found.
    pub fn reload(&self, files: &[(String, String)], home: &str) -> Result<(), PolicyError> {
        let policy = Policy::load(files, home)?;
        self.current.store(Arc::new(policy));
        Ok(())
    }
}

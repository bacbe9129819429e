//! menshen's behaviour state: windows over events that turn into signals for later
//! decisions. Time is passed in (seconds), so everything here is deterministic and testable;
//! memory is bounded whatever the traffic.
//!
//! - [`campaign`]: many distinct senders posting near-duplicate text.

pub mod campaign;

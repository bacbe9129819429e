//! menshen's behaviour state: windows over events that turn into signals for later
//! decisions. Time is passed in (seconds), so everything here is deterministic and testable;
//! memory is bounded whatever the traffic.
//!
//! - [`behaviour`]: automation abuse detectors over sliding windows;
//! - [`campaign`]: many distinct senders posting near-duplicate text;
//! - [`core`]: the enforcement core: ladder, appeals, overrides and evasion as pure
//!   functions from records and an intent to a change set;
//! - [`audit`]: the append-only, hash-chained audit log;
//! - [`ladder`]: the sanction ladders, as configuration;
//! - [`sanction`]: offences and the sanctions they earn;
//! - [`appeal`]: one appeal per sanction, upheld or reversed;
//! - [`report`]: user reports grouped into cases, triage, bad-faith waves;
//! - [`standing`]: strikes, restrictions and bans in force, derived;
//! - [`token`]: API tokens, stored hashed, with roles;
//! - [`outbox`]: webhook notifications written with the changes they announce;
//! - [`store`]: storage behind one interface, with the embedded SQLite default.

pub mod appeal;
pub mod audit;
pub mod behaviour;
pub mod campaign;
pub mod core;
pub mod ladder;
pub mod outbox;
pub mod report;
pub mod sanction;
pub mod standing;
pub mod store;
pub mod token;

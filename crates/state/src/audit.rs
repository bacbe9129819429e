//! The audit log: every decision with an effect and every state change, append-only and
//! hash-chained, so an edit, a gap or a reordering is detectable.
//!
//! Each record's hash is SHA-256 over the previous record's hash and the canonical JSON of the
//! event (fields in declaration order). [`verify`] walks the chain and names the first record
//! where it breaks.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Who acted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A policy rule, automatically.
    Rule,
    /// A human reviewer.
    Reviewer,
    /// An administrator.
    Admin,
    /// menshen itself (expiry, decay).
    System,
    /// A platform user acting through the platform: a reporter, an appellant.
    User,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
}

/// What a record is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Account,
    Device,
    Domain,
    Ip,
    App,
    Message,
    /// A chat group (reported as a whole; sanctions go to its owner).
    Group,
    Report,
    Appeal,
    /// A case: the reports about one subject.
    Case,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 10] = [
        SubjectKind::Account,
        SubjectKind::Device,
        SubjectKind::Domain,
        SubjectKind::Ip,
        SubjectKind::App,
        SubjectKind::Message,
        SubjectKind::Group,
        SubjectKind::Report,
        SubjectKind::Appeal,
        SubjectKind::Case,
    ];

    /// The name used in JSON, the store and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Account => "account",
            SubjectKind::Device => "device",
            SubjectKind::Domain => "domain",
            SubjectKind::Ip => "ip",
            SubjectKind::App => "app",
            SubjectKind::Message => "message",
            SubjectKind::Group => "group",
            SubjectKind::Report => "report",
            SubjectKind::Appeal => "appeal",
            SubjectKind::Case => "case",
        }
    }

    pub fn parse(name: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: String,
}

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// When, as RFC 3339 (given by the caller: the log has no clock of its own).
    pub at: String,
    pub actor: Actor,
    pub subject: Subject,
    /// What happened: `verdict`, `sanction.issue`, `sanction.lift`, `appeal.file`, …
    pub action: String,
    /// Why, in words a reviewer or the subject can read.
    pub reason: String,
    /// Spans, excerpts, hashes of the message: whatever supports the record.
    pub evidence: serde_json::Value,
    #[serde(default)]
    pub rule: Option<String>,
    #[serde(default)]
    pub policy_version: Option<String>,
}

/// An event as stored: its place in the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: u64,
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A time in seconds since the Unix epoch as the log writes it: RFC 3339 in UTC.
pub fn rfc3339(at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// The hash of `event` following `prev_hash`.
pub fn chain_hash(prev_hash: &str, event: &AuditEvent) -> String {
    let json = serde_json::to_vec(event).unwrap_or_default();
    let digest = Sha256::new()
        .chain_update(prev_hash.as_bytes())
        .chain_update(b"\n")
        .chain_update(&json)
        .finalize();
    hex::encode(digest)
}

/// Where a chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("record {found} follows record {after}: records {} to {} are missing", after + 1, found - 1)]
    Gap { after: u64, found: u64 },
    #[error(
        "record {seq} does not follow the record before it (its previous hash differs): records were reordered, removed or inserted"
    )]
    Broken { seq: u64 },
    #[error("record {seq} was changed after it was written (its hash does not match its content)")]
    Edited { seq: u64 },
}

/// Checks a chain one record at a time, in sequence order, so a long log is verified in
/// constant memory.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    previous_seq: u64,
    previous_hash: String,
    count: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            previous_seq: 0,
            previous_hash: GENESIS.to_owned(),
            count: 0,
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, record: &AuditRecord) -> Result<(), ChainError> {
        if record.seq != self.previous_seq + 1 {
            return Err(ChainError::Gap {
                after: self.previous_seq,
                found: record.seq,
            });
        }
        if record.prev_hash != self.previous_hash {
            return Err(ChainError::Broken { seq: record.seq });
        }
        if chain_hash(&record.prev_hash, &record.event) != record.hash {
            return Err(ChainError::Edited { seq: record.seq });
        }
        self.previous_seq = record.seq;
        self.previous_hash.clone_from(&record.hash);
        self.count += 1;
        Ok(())
    }

    /// Records checked so far.
    pub fn count(&self) -> u64 {
        self.count
    }
}

/// Check a whole chain, in sequence order. Returns how many records it holds.
pub fn verify(records: impl IntoIterator<Item = AuditRecord>) -> Result<u64, ChainError> {
    let mut verifier = ChainVerifier::default();
    for record in records {
        verifier.check(&record)?;
    }
    Ok(verifier.count())
}

#[cfg(test)]
mod tests {
    use super::SubjectKind;

    #[test]
    fn kind_names_agree_with_json() {
        for kind in SubjectKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(SubjectKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(SubjectKind::parse("planet"), None);
    }
}

//! The audit log: every decision with an effect and every state change, append-only and
//! hash-chained, so an edit, a gap, a reordering or a truncation is detectable.
//!
//! Each record's hash is an HMAC-SHA256, under an [`AuditKey`] kept outside the database, over
//! a canonical encoding of every column a reader relies on: its number, time, subject, the
//! previous record's hash and the event's JSON ([`keyed_hash`]). Without the key nobody can
//! rewrite the chain, not even by recomputing every hash. The chain's head (its last number
//! and hash) is kept beside it with a MAC of its own ([`head_mac`]), so that deleting the
//! newest records, or all of them, is caught too; checkpoints of the head go to the outbox and
//! the metrics, so a truncation is visible from outside. Records written before the key
//! existed (scheme 1) carry a plain SHA-256 chain and are checked as such.

use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
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

/// A record exactly as its row holds it, for verification: the columns, and the event's JSON
/// as written.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRecord {
    pub seq: u64,
    pub at: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub event: String,
    pub prev_hash: String,
    pub hash: String,
    /// 1: plain SHA-256 of the event (before the key); 2: keyed over every column.
    pub scheme: u8,
}

/// The hashing scheme new records are written with.
pub const SCHEME: u8 = 2;

/// The secret of the chain: 32 random bytes, hex in a file outside the database (`audit.key`
/// in the data folder by default; `MENSHEN_AUDIT_KEY_FILE` names another path, which is
/// where an operator keeps it if the data folder is not trusted).
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

impl AuditKey {
    /// Read the key at `path`, or create one there (readable by its owner only).
    pub fn load_or_create(path: &Path) -> std::io::Result<AuditKey> {
        match std::fs::read_to_string(path) {
            Ok(text) => AuditKey::from_hex(text.trim()).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{} is not an audit key (64 hex digits)", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
                // Written whole under a private name, then linked into place: a link fails if
                // the key exists, so two processes creating a store agree on one key, and no
                // reader ever sees a half-written one.
                let temporary = path.with_extension(format!("key.{}", hex::encode(&bytes[..8])));
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(&temporary)?;
                std::io::Write::write_all(&mut file, hex::encode(bytes).as_bytes())?;
                file.sync_all()?;
                drop(file);
                let linked = std::fs::hard_link(&temporary, path);
                let _ = std::fs::remove_file(&temporary);
                match linked {
                    Ok(()) => Ok(AuditKey(bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        AuditKey::load_or_create(path)
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    pub fn from_hex(text: &str) -> Option<AuditKey> {
        let bytes = hex::decode(text).ok()?;
        Some(AuditKey(bytes.try_into().ok()?))
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length")
    }
}

/// The keyed hash of a record: every column, each length-prefixed so that no two records
/// encode alike.
pub fn keyed_hash(
    key: &AuditKey,
    seq: u64,
    (at, subject_kind, subject_id): (&str, &str, &str),
    event_json: &str,
    prev_hash: &str,
) -> String {
    let mut mac = key.mac();
    mac.update(b"menshen-audit-2");
    for field in [
        seq.to_string().as_str(),
        at,
        subject_kind,
        subject_id,
        prev_hash,
        event_json,
    ] {
        mac.update(&(field.len() as u64).to_le_bytes());
        mac.update(field.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

/// The MAC of the chain's head: its last record's number and hash.
pub fn head_mac(key: &AuditKey, seq: u64, hash: &str) -> String {
    let mut mac = key.mac();
    mac.update(b"menshen-audit-head");
    mac.update(&seq.to_le_bytes());
    mac.update(hash.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The head of the chain as stored beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
    pub mac: String,
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
    #[error("record {seq}'s columns (time or subject) differ from its event: the row was edited")]
    Columns { seq: u64 },
    #[error(
        "record {seq} is hashed the old, unkeyed way after keyed records: the chain was rewritten"
    )]
    Downgraded { seq: u64 },
    #[error("record {seq} is not readable: {message}")]
    Unreadable { seq: u64, message: String },
    #[error("the chain's head is missing: the log was truncated or replaced")]
    HeadMissing,
    #[error(
        "the chain's head says record {head} comes last, but the log ends at {last}: records were deleted"
    )]
    Truncated { head: u64, last: u64 },
    #[error("the chain's head was forged (its MAC does not match): the log was rewritten")]
    HeadForged,
    #[error("record {seq} is not the record the chain's head names: the log was rewritten")]
    Rewritten { seq: u64 },
    #[error("the tables differ from the log: {0}")]
    StateDiffers(String),
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
    key: AuditKey,
    previous_seq: u64,
    previous_hash: String,
    keyed_seen: bool,
    count: u64,
}

impl ChainVerifier {
    pub fn new(key: AuditKey) -> Self {
        ChainVerifier {
            key,
            previous_seq: 0,
            previous_hash: GENESIS.to_owned(),
            keyed_seen: false,
            count: 0,
        }
    }

    pub fn check(&mut self, record: &StoredRecord) -> Result<(), ChainError> {
        let seq = record.seq;
        if seq != self.previous_seq + 1 {
            return Err(ChainError::Gap {
                after: self.previous_seq,
                found: seq,
            });
        }
        if record.prev_hash != self.previous_hash {
            return Err(ChainError::Broken { seq });
        }
        let event: AuditEvent =
            serde_json::from_str(&record.event).map_err(|e| ChainError::Unreadable {
                seq,
                message: e.to_string(),
            })?;
        if event.at != record.at
            || event.subject.kind.as_str() != record.subject_kind
            || event.subject.id != record.subject_id
        {
            return Err(ChainError::Columns { seq });
        }
        let expected = match record.scheme {
            1 if self.keyed_seen => return Err(ChainError::Downgraded { seq }),
            1 => chain_hash(&record.prev_hash, &event),
            _ => {
                self.keyed_seen = true;
                keyed_hash(
                    &self.key,
                    seq,
                    (&record.at, &record.subject_kind, &record.subject_id),
                    &record.event,
                    &record.prev_hash,
                )
            }
        };
        if expected != record.hash {
            return Err(ChainError::Edited { seq });
        }
        self.previous_seq = seq;
        self.previous_hash.clone_from(&record.hash);
        self.count += 1;
        Ok(())
    }

    /// After the last record: the stored head must name it, under a valid MAC.
    pub fn finish(&self, head: Option<&Head>) -> Result<u64, ChainError> {
        let head = head.ok_or(ChainError::HeadMissing)?;
        if head_mac(&self.key, head.seq, &head.hash) != head.mac {
            return Err(ChainError::HeadForged);
        }
        if head.seq != self.previous_seq {
            return Err(ChainError::Truncated {
                head: head.seq,
                last: self.previous_seq,
            });
        }
        if head.hash != self.previous_hash {
            return Err(ChainError::Rewritten { seq: head.seq });
        }
        Ok(self.count)
    }

    /// Records checked so far.
    pub fn count(&self) -> u64 {
        self.count
    }
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

//! The webhook outbox: notifications written in the same transaction as the change they
//! announce, so that none is lost in a crash, and delivered at least once by a worker that
//! retries with backoff.

use serde::{Deserialize, Serialize};

/// A notification waiting to be delivered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: u64,
    /// `sanction.issue`, `sanction.lift`, `sanction.amend`, `appeal.decide`.
    pub topic: String,
    pub payload: serde_json::Value,
    pub attempts: u32,
    /// Not before this time (seconds since the Unix epoch).
    pub next_at: i64,
}

/// The wait before attempt `attempts + 1`: doubling from 5 seconds, at most an hour.
pub fn backoff_seconds(attempts: u32) -> i64 {
    (5_i64 << attempts.min(10)).min(3600)
}

#[cfg(test)]
mod tests {
    use super::backoff_seconds;

    #[test]
    fn backoff_doubles_then_caps() {
        assert_eq!(backoff_seconds(0), 5);
        assert_eq!(backoff_seconds(1), 10);
        assert_eq!(backoff_seconds(5), 160);
        assert_eq!(backoff_seconds(30), 3600);
    }
}

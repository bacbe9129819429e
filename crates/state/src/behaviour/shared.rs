//! Windows shared by every instance, in Redis: a burst of friend requests spread over three
//! instances is one burst.
//!
//! Each window of each key is a sorted set scored by the observation's time, trimmed on every
//! push to the window's span and to its per-key bound, and given a time to live of the span,
//! so Redis's memory is bounded like the process's. A cooldown is a key set with `NX` and an
//! expiry of its span.
//!
//! Redis may lose data, and may be gone: nothing durable lives here. Each window also keeps
//! its observations in the process, and while Redis does not answer (a call times out after
//! [`TIMEOUT`], and Redis is tried again a second later) each instance detects from its own
//! observations alone. What degrades: a burst spread over instances is seen only in the part
//! each instance saw. Checks, sanctions and the ladder never depend on Redis.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use super::window::Recent;

/// How long a call to Redis may take before the window falls back to the process's own.
pub const TIMEOUT: Duration = Duration::from_millis(200);

/// The longest a window's key lives in Redis (a window without an end, such as a login's last
/// place, is kept this long), in seconds.
const MAX_TTL: i64 = 30 * 86_400;

/// How long after a failure Redis is tried again.
const RETRY: Duration = Duration::from_secs(1);

/// A Redis server the windows share.
pub struct SharedWindows {
    client: redis::Client,
    /// The connection, or when it failed last (to try again after [`RETRY`]).
    connection: Mutex<Result<redis::Connection, Instant>>,
    /// Tells this process's observations apart from other instances' of the same instant.
    process: u64,
    sequence: AtomicU64,
    failures: AtomicU64,
}

impl SharedWindows {
    /// The Redis server at `url` (`redis://host:6379/`). Refused only when the URL is wrong:
    /// a server that does not answer yet is tried on first use.
    pub fn open(url: &str) -> Result<SharedWindows, String> {
        let client = redis::Client::open(url).map_err(|e| {
            format!("redis_url `{url}` is not a Redis URL ({e}); write redis://host:6379/")
        })?;
        let connection = connect(&client);
        let mut seed = [0u8; 8];
        getrandom::fill(&mut seed).map_err(|e| format!("no randomness: {e}"))?;
        Ok(SharedWindows {
            client,
            connection: Mutex::new(connection),
            process: u64::from_le_bytes(seed),
            sequence: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        })
    }

    /// Calls that Redis did not answer (the windows fell back to the process's own).
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Run `f` on the connection; `None` if Redis is down or the call failed.
    fn call<T>(
        &self,
        f: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Option<T> {
        let mut slot = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(failed_at) = &*slot {
            if failed_at.elapsed() < RETRY {
                self.failures.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            *slot = connect(&self.client);
        }
        let answer = match &mut *slot {
            Ok(connection) => f(connection),
            Err(_) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                return None;
            }
        };
        match answer {
            Ok(value) => Some(value),
            Err(_) => {
                *slot = Err(Instant::now());
                self.failures.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Record `value` for `key` at `at` in a window of `span` seconds keeping at most
    /// `per_key` observations; the key's observations in the window, oldest first.
    pub fn push(
        &self,
        key: &str,
        at: i64,
        value: u64,
        span: i64,
        per_key: usize,
    ) -> Option<Recent> {
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        let member = format!("{at}:{value}:{:x}:{sequence:x}", self.process);
        let expiry = span.clamp(1, MAX_TTL);
        let members: Vec<(String, f64)> = self.call(|connection| {
            let (members,): (Vec<(String, f64)>,) = redis::pipe()
                .atomic()
                .cmd("ZADD")
                .arg(key)
                .arg(at)
                .arg(&member)
                .ignore()
                .cmd("ZREMRANGEBYSCORE")
                .arg(key)
                .arg("-inf")
                .arg(at.saturating_sub(span))
                .ignore()
                .cmd("ZREMRANGEBYRANK")
                .arg(key)
                .arg(0)
                .arg(-(per_key.max(1) as i64) - 1)
                .ignore()
                .cmd("EXPIRE")
                .arg(key)
                .arg(expiry)
                .ignore()
                .cmd("ZRANGE")
                .arg(key)
                .arg(0)
                .arg(-1)
                .arg("WITHSCORES")
                .query(connection)?;
            Ok(members)
        })?;
        Some(
            members
                .iter()
                .filter_map(|(member, _)| {
                    let mut parts = member.split(':');
                    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
                })
                .collect(),
        )
    }

    /// Whether `key` may fire now; if so it is remembered for `span` seconds.
    pub fn ready(&self, key: &str, at: i64, span: i64) -> Option<bool> {
        let expiry = span.clamp(1, MAX_TTL);
        self.call(|connection| {
            let set: Option<String> = redis::cmd("SET")
                .arg(key)
                .arg(at)
                .arg("NX")
                .arg("EX")
                .arg(expiry)
                .query(connection)?;
            Ok(set.is_some())
        })
    }
}

fn connect(client: &redis::Client) -> Result<redis::Connection, Instant> {
    let connection = client
        .get_connection_with_timeout(TIMEOUT)
        .map_err(|_| Instant::now())?;
    connection
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|_| connection.set_write_timeout(Some(TIMEOUT)))
        .map_err(|_| Instant::now())?;
    Ok(connection)
}

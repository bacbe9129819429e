//! Where the server reads the time. Handlers never read the system's clock themselves: the
//! app's clock is injected, so tests move time by hand.

use std::sync::Arc;

/// Where the server reads the time: the system's clock, or one a test moves by hand.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        jiff::Timestamp::now().as_second()
    }
}

/// A clock that stands still until moved: tests move time without faking the system's.
#[derive(Debug)]
pub struct ManualClock(std::sync::atomic::AtomicI64);

impl ManualClock {
    pub fn new(at: i64) -> Arc<Self> {
        Arc::new(ManualClock(std::sync::atomic::AtomicI64::new(at)))
    }

    pub fn advance(&self, seconds: i64) {
        self.0
            .fetch_add(seconds, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

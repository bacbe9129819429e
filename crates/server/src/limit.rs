//! Guessing protection: failed bearer tokens and console sign-ins, counted per client address.
//! Past `auth_failures_per_minute` failures within a minute, an address is refused with 429
//! (`Retry-After` says when to try again) before its next guess reaches the store.
//!
//! Memory is bounded: at most [`MAX_TRACKED`] addresses are remembered; when the table is
//! full, expired windows are dropped first, then the oldest. Behind a proxy every client has
//! the proxy's address, so the limit then applies to all of them together.

use std::{collections::HashMap, net::IpAddr, sync::Mutex};

/// The most addresses remembered at once.
pub const MAX_TRACKED: usize = 100_000;

/// How long a window of failures lasts, in seconds.
const WINDOW: i64 = 60;

#[derive(Debug)]
pub struct FailureLimit {
    max_failures: u32,
    /// Address → (failures in the window, when the window started).
    windows: Mutex<HashMap<IpAddr, (u32, i64)>>,
}

impl FailureLimit {
    pub fn new(max_failures: u32) -> Self {
        FailureLimit {
            max_failures,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds)` if this address has failed too often lately: how long until it may
    /// try again. A limit of 0 turns the check off.
    pub fn check(&self, address: IpAddr, now: i64) -> Result<(), i64> {
        if self.max_failures == 0 {
            return Ok(());
        }
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        match windows.get(&address) {
            Some(&(failures, start)) if failures >= self.max_failures && now - start < WINDOW => {
                Err(WINDOW - (now - start))
            }
            _ => Ok(()),
        }
    }

    /// Count one failure of this address.
    pub fn fail(&self, address: IpAddr, now: i64) {
        if self.max_failures == 0 {
            return;
        }
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= MAX_TRACKED && !windows.contains_key(&address) {
            windows.retain(|_, (_, start)| now - *start < WINDOW);
            if windows.len() >= MAX_TRACKED
                && let Some(oldest) = windows.iter().min_by_key(|(_, (_, s))| *s).map(|(a, _)| *a)
            {
                windows.remove(&oldest);
            }
        }
        let window = windows.entry(address).or_insert((0, now));
        if now - window.1 >= WINDOW {
            *window = (0, now);
        }
        window.0 = window.0.saturating_add(1);
    }

    /// How many addresses are remembered.
    pub fn tracked(&self) -> usize {
        self.windows.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// The client's address, where the server knows it (`ConnectInfo`); the unspecified address
/// otherwise (in-process calls).
pub fn client_address(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip())
}

/// The client's address as an extractor (see [`client_address`]).
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(&parts.extensions)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_after_its_failures_until_the_window_ends() {
        let limit = FailureLimit::new(3);
        let (a, b) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..3 {
            assert_eq!(limit.check(a, 100), Ok(()));
            limit.fail(a, 100);
        }
        assert_eq!(limit.check(a, 110), Err(50));
        assert_eq!(
            limit.check(b, 110),
            Ok(()),
            "another address is not affected"
        );
        assert_eq!(limit.check(a, 160), Ok(()), "a new window");
        limit.fail(a, 160);
        assert_eq!(limit.check(a, 161), Ok(()));
    }

    #[test]
    fn memory_is_bounded_by_the_number_of_addresses() {
        let limit = FailureLimit::new(5);
        for i in 0..(MAX_TRACKED as u32 + 10) {
            limit.fail(IpAddr::from(i.to_be_bytes()), 0);
        }
        assert_eq!(limit.tracked(), MAX_TRACKED);
    }
}

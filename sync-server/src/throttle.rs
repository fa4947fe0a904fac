//! Login throttling: after a few wrong passwords in a short time, an account and the address
//! they came from are locked for a while, so that passwords cannot be guessed at speed. Kept in
//! memory per server instance (a lock expires by itself; a restart forgets it).

use crate::error::{Result, ServerError};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    /// This many failures within `window_ms`…
    pub max_failures: usize,
    pub window_ms: i64,
    /// …lock the account (and the address) for this long.
    pub lock_ms: i64,
    /// Keys remembered at most (an address spraying usernames cannot grow memory without end).
    pub max_keys: usize,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig { max_failures: 5, window_ms: 5 * 60 * 1000, lock_ms: 10 * 60 * 1000, max_keys: 100_000 }
    }
}

#[derive(Debug, Default)]
struct Record {
    failures: Vec<i64>,
    locked_until: i64,
}

pub struct LoginThrottle {
    config: ThrottleConfig,
    records: Mutex<HashMap<String, Record>>,
}

impl LoginThrottle {
    pub fn new(config: ThrottleConfig) -> LoginThrottle {
        LoginThrottle { config, records: Mutex::new(HashMap::new()) }
    }

    /// The keys a login attempt counts against: its account and its address.
    pub fn keys(username: &str, address: IpAddr) -> [String; 2] {
        [format!("user:{}", username.trim().to_lowercase()), format!("addr:{address}")]
    }

    /// Refuses the attempt while any of its keys is locked.
    pub fn check(&self, keys: &[String], now_ms: i64) -> Result<()> {
        let records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        let until = keys.iter().filter_map(|k| records.get(k)).map(|r| r.locked_until).max().unwrap_or(0);
        if until > now_ms {
            return Err(ServerError::Throttled { retry_after_s: ((until - now_ms) as u64).div_ceil(1000) });
        }
        Ok(())
    }

    pub fn failed(&self, keys: &[String], now_ms: i64) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if records.len() >= self.config.max_keys {
            let horizon = now_ms - self.config.window_ms;
            records.retain(|_, r| r.locked_until > now_ms || r.failures.iter().any(|t| *t > horizon));
        }
        for key in keys {
            let r = records.entry(key.clone()).or_default();
            r.failures.retain(|t| *t > now_ms - self.config.window_ms);
            r.failures.push(now_ms);
            if r.failures.len() >= self.config.max_failures {
                r.locked_until = now_ms + self.config.lock_ms;
                r.failures.clear();
            }
        }
    }

    /// A right password clears the account's failures (not the address's: one address may try
    /// many accounts).
    pub fn succeeded(&self, keys: &[String]) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(account) = keys.first() {
            records.remove(account);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_account_for_ten_minutes() {
        let t = LoginThrottle::new(ThrottleConfig::default());
        let keys = LoginThrottle::keys("Sri", "127.0.0.1".parse().unwrap());
        for i in 0..4 {
            t.failed(&keys, 1_000 + i);
            assert!(t.check(&keys, 1_000 + i).is_ok());
        }
        t.failed(&keys, 2_000);
        match t.check(&keys, 2_000) {
            Err(ServerError::Throttled { retry_after_s }) => assert_eq!(retry_after_s, 600),
            other => panic!("{other:?}"),
        }
        assert!(t.check(&keys, 2_000 + 10 * 60 * 1000).is_ok(), "the lock expires");
        // Failures spread over more than the window do not add up.
        let other = LoginThrottle::keys("wati", "127.0.0.2".parse().unwrap());
        for i in 0..10 {
            t.failed(&other, 1_000_000 + i * 6 * 60 * 1000);
        }
        assert!(t.check(&other, 1_000_000 + 60 * 60 * 1000).is_ok());
    }
}

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

/// `login_throttled` while any of `keys` is locked.
fn refuse_locked(records: &HashMap<String, Record>, keys: &[String], now_ms: i64) -> Result<()> {
    let until = keys.iter().filter_map(|k| records.get(k)).map(|r| r.locked_until).max().unwrap_or(0);
    if until > now_ms {
        return Err(ServerError::Throttled { retry_after_s: ((until - now_ms) as u64).div_ceil(1000) });
    }
    Ok(())
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
        refuse_locked(&self.records.lock().unwrap_or_else(|e| e.into_inner()), keys, now_ms)
    }

    /// Refuses the attempt while a key is locked; otherwise counts it as a failure right away
    /// (attempts made at once cannot all slip in before the first failure is counted), until
    /// [`LoginThrottle::succeeded`] says the password was right.
    pub fn attempt(&self, keys: &[String], now_ms: i64) -> Result<()> {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        refuse_locked(&records, keys, now_ms)?;
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
            }
        }
        Ok(())
    }

    /// The password was right: the account's failures are cleared, and the failure its attempt
    /// counted against the address is taken back (one address may try many accounts: its other
    /// failures stay), with the lock it may have caused.
    pub fn succeeded(&self, keys: &[String]) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(account) = keys.first() {
            records.remove(account);
        }
        for key in keys.iter().skip(1) {
            if let Some(r) = records.get_mut(key) {
                r.failures.pop();
                if r.failures.len() < self.config.max_failures {
                    r.locked_until = 0;
                }
            }
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
            t.attempt(&keys, 1_000 + i).unwrap();
            assert!(t.check(&keys, 1_000 + i).is_ok());
        }
        t.attempt(&keys, 2_000).unwrap();
        match t.check(&keys, 2_000) {
            Err(ServerError::Throttled { retry_after_s }) => assert_eq!(retry_after_s, 600),
            other => panic!("{other:?}"),
        }
        assert!(t.check(&keys, 2_000 + 10 * 60 * 1000).is_ok(), "the lock expires");
        // Failures spread over more than the window do not add up.
        let other = LoginThrottle::keys("wati", "127.0.0.2".parse().unwrap());
        for i in 0..10 {
            t.attempt(&other, 1_000_000 + i * 6 * 60 * 1000).unwrap();
        }
        assert!(t.check(&other, 1_000_000 + 60 * 60 * 1000).is_ok());
    }

    #[test]
    fn a_right_password_takes_back_its_own_count_but_not_the_others() {
        let t = LoginThrottle::new(ThrottleConfig::default());
        let addr: IpAddr = "127.0.0.1".parse().unwrap();
        for name in ["a", "b", "c", "d"] {
            t.attempt(&LoginThrottle::keys(name, addr), 1_000).unwrap();
        }
        // The fifth attempt from the address is right: it does not lock the address.
        let sri = LoginThrottle::keys("sri", addr);
        t.attempt(&sri, 1_001).unwrap();
        t.succeeded(&sri);
        assert!(t.check(&sri, 1_002).is_ok());
        // Five attempts at once, all wrong: the sixth is refused before any password is checked.
        let wati = LoginThrottle::keys("wati", "127.0.0.2".parse().unwrap());
        for _ in 0..5 {
            t.attempt(&wati, 2_000).unwrap();
        }
        assert!(matches!(t.attempt(&wati, 2_001), Err(ServerError::Throttled { .. })));
    }
}

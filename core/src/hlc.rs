//! Hybrid logical clock: timestamps that order every change across devices even when phone clocks
//! are wrong, and stay monotonic when the wall clock jumps backwards.
//!
//! A timestamp is (wall milliseconds, counter, node). It is encoded as a fixed-width string
//! `{ms:012x}-{counter:04x}-{node}` whose byte order *is* the clock order, so SQLite can index and
//! compare it, and the node (device id) gives a stable tie-break.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    pub millis: u64,
    pub counter: u16,
    pub node: String,
}

/// How far ahead of the server's clock an operation may be stamped (the server's default; it can
/// be configured). Phones stamp with their clock corrected by the server's time, so an honest
/// phone is never that far ahead; a phone also refuses to follow a remote clock further ahead of
/// its own (a phone set years ahead must not drag every clock with it).
pub const MAX_DRIFT_MS: u64 = 5 * 60 * 1000;

/// No operation is stamped before this (2024-01-01 UTC, before desmig existed): a phone whose
/// clock says 1970 has not learned the time yet.
pub const EPOCH_MS: u64 = 1_704_067_200_000;

impl Hlc {
    pub fn zero(node: &str) -> Hlc {
        Hlc { millis: 0, counter: 0, node: node.to_string() }
    }

    pub fn encode(&self) -> String {
        format!("{:012x}-{:04x}-{}", self.millis, self.counter, self.node)
    }

    pub fn parse(s: &str) -> Option<Hlc> {
        let (ms, rest) = s.split_at_checked(12)?;
        let rest = rest.strip_prefix('-')?;
        let (counter, rest) = rest.split_at_checked(4)?;
        let node = rest.strip_prefix('-')?;
        let hex = |t: &str| t.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
        if !hex(ms) || !hex(counter) || node.is_empty() || node.len() > 64 {
            return None;
        }
        if !node.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
            return None;
        }
        Some(Hlc { millis: u64::from_str_radix(ms, 16).ok()?, counter: u16::from_str_radix(counter, 16).ok()?, node: node.to_string() })
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.encode())
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Hlc::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a clock timestamp")))
    }
}

/// The clock of one node. Pure: the caller passes the wall time, so tests can make it jump, and
/// the store persists `last` so the clock survives restarts.
#[derive(Debug, Clone)]
pub struct Clock {
    last: Hlc,
}

impl Clock {
    pub fn new(node: &str, last: Option<Hlc>) -> Clock {
        let last = match last {
            Some(h) => Hlc { node: node.to_string(), ..h },
            None => Hlc::zero(node),
        };
        Clock { last }
    }

    pub fn last(&self) -> &Hlc {
        &self.last
    }

    /// Sets the clock back to `wall_ms` (this device's clock had run ahead; see
    /// [`crate::store`]'s healing, which restamps what was written with it).
    pub fn reset(&mut self, wall_ms: u64) {
        self.last.millis = wall_ms;
        self.last.counter = 0;
    }

    /// A new timestamp for a local event, strictly greater than every one issued or seen before.
    pub fn tick(&mut self, wall_ms: u64) -> Hlc {
        if wall_ms > self.last.millis {
            self.last.millis = wall_ms;
            self.last.counter = 0;
        } else {
            self.bump();
        }
        self.last.clone()
    }

    /// Takes a remote timestamp into account so that our next tick orders after it. Remote clocks
    /// more than [`MAX_DRIFT_MS`] ahead of our wall clock are not followed.
    pub fn observe(&mut self, remote: &Hlc, wall_ms: u64) {
        if remote.millis > wall_ms.saturating_add(MAX_DRIFT_MS) {
            return;
        }
        if (remote.millis, remote.counter) > (self.last.millis, self.last.counter) {
            self.last.millis = remote.millis;
            self.last.counter = remote.counter;
        }
    }

    fn bump(&mut self) {
        if self.last.counter == u16::MAX {
            // 65,536 events in one millisecond: borrow the next millisecond rather than wrap.
            self.last.millis += 1;
            self.last.counter = 0;
        } else {
            self.last.counter += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stays_monotonic_when_the_wall_clock_jumps_back() {
        let mut c = Clock::new("dev-a", None);
        let a = c.tick(1_700_000_000_000);
        let b = c.tick(1_600_000_000_000); // phone clock set back a few years
        let d = c.tick(1_600_000_000_001);
        assert!(a < b && b < d);
        assert_eq!(b.millis, a.millis);
    }

    #[test]
    fn encoding_orders_like_the_clock() {
        let x = Hlc { millis: 0xff, counter: 2, node: "b".into() };
        let y = Hlc { millis: 0x100, counter: 0, node: "a".into() };
        assert!(x < y);
        assert!(x.encode() < y.encode());
        assert_eq!(Hlc::parse(&x.encode()), Some(x));
        assert!(Hlc::parse("zz").is_none());
        assert!(Hlc::parse("00000000000g-0000-a").is_none());
    }

    fn hlc() -> impl Strategy<Value = Hlc> {
        (0u64..1 << 44, any::<u16>(), "[a-z0-9]{1,8}").prop_map(|(millis, counter, node)| Hlc { millis, counter, node })
    }

    proptest! {
        #[test]
        fn string_order_equals_clock_order(a in hlc(), b in hlc()) {
            prop_assert_eq!(a.cmp(&b), a.encode().cmp(&b.encode()));
            prop_assert_eq!(Hlc::parse(&a.encode()), Some(a.clone()));
        }

        #[test]
        fn ticks_are_strictly_increasing_whatever_the_wall_clock(walls in proptest::collection::vec(0u64..1 << 43, 1..200),
                                                               remotes in proptest::collection::vec(hlc(), 0..20)) {
            let mut c = Clock::new("me", None);
            let mut prev = c.last().clone();
            for (i, w) in walls.iter().enumerate() {
                if let Some(r) = remotes.get(i) { c.observe(r, *w); }
                let t = c.tick(*w);
                prop_assert!(t > prev, "{} !> {}", t, prev);
                if let Some(r) = remotes.get(i) {
                    if r.millis <= w + MAX_DRIFT_MS { prop_assert!((t.millis, t.counter) > (r.millis, r.counter)); }
                }
                prev = t;
            }
        }
    }
}

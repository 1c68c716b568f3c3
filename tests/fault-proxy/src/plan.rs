//! Fault plans: which request numbers get which fault, written by hand or drawn from a seed.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// What the proxy does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long, then forward the request as usual (added latency).
    Delay(Duration),
    /// Answer this status (502, 503, ...) without forwarding the request.
    Status(u16),
    /// Forward the request, send the response head and half its body, then reset the
    /// connection (TCP RST): the server did the work, the client lost the answer mid-body.
    ResetMidBody,
    /// Forward the request, send the response head (with the full `Content-Length`) and
    /// half the body, then close the connection normally: a truncated response.
    Truncate,
    /// Reset the connection without forwarding or answering: the server is gone.
    Refuse,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Delay(d) => write!(f, "delay {} ms", d.as_millis()),
            Self::Status(code) => write!(f, "status {code}"),
            Self::ResetMidBody => f.write_str("reset mid-body"),
            Self::Truncate => f.write_str("truncated body"),
            Self::Refuse => f.write_str("refused"),
        }
    }
}

/// Faults by request number (0 = the first request after the plan was set).
///
/// ```
/// use fault_proxy::{Fault, Plan};
/// let plan = Plan::new().with(0, Fault::Truncate).burst(3, 2, Fault::Status(503));
/// assert_eq!(plan.get(4), Some(Fault::Status(503)));
/// assert_eq!(plan.get(1), None);
/// assert_eq!(Plan::seeded(7, 20, 3), Plan::seeded(7, 20, 3));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    faults: BTreeMap<u64, Fault>,
}

/// Longest 502/503 burst of a seeded plan (a client making 4 attempts gives up on 4).
pub const MAX_BURST: u64 = 5;
/// Longest window of refused connections of a seeded plan.
pub const MAX_DOWN: u64 = 6;
/// Longest added latency of a seeded plan.
pub const MAX_DELAY: Duration = Duration::from_millis(400);

impl Plan {
    /// No faults: every request is forwarded as is.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same plan with `fault` on request `request` (replacing one already there).
    #[must_use]
    pub fn with(mut self, request: u64, fault: Fault) -> Self {
        self.faults.insert(request, fault);
        self
    }

    /// The same plan with `fault` on `count` requests in a row from `from`.
    #[must_use]
    pub fn burst(mut self, from: u64, count: u64, fault: Fault) -> Self {
        for request in from..from.saturating_add(count) {
            self.faults.insert(request, fault);
        }
        self
    }

    /// A plan drawn from `seed`: `events` faults placed among the first `requests` request
    /// numbers, each one of a latency of up to [`MAX_DELAY`], a 502 or 503 burst of up to
    /// [`MAX_BURST`] requests, a reset mid-body, a truncated body, or a window of up to
    /// [`MAX_DOWN`] refused connections. The same arguments give the same plan.
    pub fn seeded(seed: u64, requests: u64, events: usize) -> Self {
        let mut rng = Rng::new(seed);
        let mut plan = Self::new();
        if requests == 0 {
            return plan;
        }
        for _ in 0..events {
            let at = rng.below(requests);
            plan = match rng.below(5) {
                0 => plan.with(
                    at,
                    Fault::Delay(Duration::from_millis(
                        50 + rng.below(u64::try_from(MAX_DELAY.as_millis()).unwrap_or(400) - 49),
                    )),
                ),
                1 => {
                    let code = if rng.below(2) == 0 { 502 } else { 503 };
                    plan.burst(at, 1 + rng.below(MAX_BURST), Fault::Status(code))
                }
                2 => plan.with(at, Fault::ResetMidBody),
                3 => plan.with(at, Fault::Truncate),
                _ => plan.burst(at, 1 + rng.below(MAX_DOWN), Fault::Refuse),
            };
        }
        plan
    }

    /// The fault of request number `request`, if any.
    pub fn get(&self, request: u64) -> Option<Fault> {
        self.faults.get(&request).copied()
    }

    /// Whether the plan has no fault.
    pub fn is_empty(&self) -> bool {
        self.faults.is_empty()
    }

    /// The faults in request order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Fault)> + '_ {
        self.faults.iter().map(|(n, f)| (*n, *f))
    }
}

impl fmt::Display for Plan {
    /// `#3 status 503, #4 status 503, #9 truncated body` (or `no faults`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.faults.is_empty() {
            return f.write_str("no faults");
        }
        for (i, (n, fault)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "#{n} {fault}")?;
        }
        Ok(())
    }
}

/// A small deterministic random number generator (`SplitMix64`) for seeded schedules: the
/// same seed gives the same numbers on every platform. Not for cryptography.
///
/// ```
/// let mut a = fault_proxy::Rng::new(1);
/// let mut b = fault_proxy::Rng::new(1);
/// assert_eq!(a.below(100), b.below(100));
/// assert!(a.below(10) < 10);
/// ```
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_plans_are_deterministic_and_bounded() {
        let mut kinds = std::collections::HashSet::new();
        for seed in 0..200 {
            let plan = Plan::seeded(seed, 30, 4);
            assert_eq!(plan, Plan::seeded(seed, 30, 4));
            assert!(!plan.is_empty());
            for (n, fault) in plan.iter() {
                assert!(n < 30 + MAX_DOWN.max(MAX_BURST), "{n}");
                match fault {
                    Fault::Delay(d) => {
                        assert!(d >= Duration::from_millis(50) && d <= MAX_DELAY, "{d:?}");
                    }
                    Fault::Status(code) => assert!(code == 502 || code == 503),
                    _ => {}
                }
                kinds.insert(std::mem::discriminant(&fault));
            }
        }
        assert_eq!(kinds.len(), 5, "every kind of fault is drawn");
        assert_ne!(Plan::seeded(1, 30, 4), Plan::seeded(2, 30, 4));
        assert!(Plan::seeded(1, 0, 4).is_empty());
    }

    #[test]
    fn bursts_and_display() {
        let plan = Plan::new()
            .burst(2, 3, Fault::Status(503))
            .with(9, Fault::Delay(Duration::from_millis(120)));
        assert_eq!(
            plan.to_string(),
            "#2 status 503, #3 status 503, #4 status 503, #9 delay 120 ms"
        );
        assert_eq!(Plan::new().to_string(), "no faults");
    }
}

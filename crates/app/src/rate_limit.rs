//! A token bucket per caller, in memory: `per_second` tokens flow in, at most `burst` are kept,
//! and each request takes one. A process-local limit (each hrbridge process keeps its own).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct RateLimiter {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    per_second: f64,
    burst: f64,
    /// caller → (tokens, when they were counted)
    buckets: HashMap<String, (f64, Instant)>,
}

/// Buckets are forgotten once this many callers are tracked and they are full again.
const PRUNE_AT: usize = 10_000;

impl RateLimiter {
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self {
            inner: Mutex::new(Inner {
                per_second: f64::from(per_second.max(1)),
                burst: f64::from(burst.max(1)),
                buckets: HashMap::new(),
            }),
        }
    }

    /// Changes the limit (tests and configuration reloads); buckets start full again.
    pub fn set_limit(&self, per_second: u32, burst: u32) {
        let mut inner = self.inner.lock().expect("rate limiter lock");
        inner.per_second = f64::from(per_second.max(1));
        inner.burst = f64::from(burst.max(1));
        inner.buckets.clear();
    }

    /// Takes a token for `caller`, or says how long until one is there.
    pub fn check(&self, caller: &str) -> Result<(), Duration> {
        self.check_at(caller, Instant::now())
    }

    pub fn check_at(&self, caller: &str, now: Instant) -> Result<(), Duration> {
        let mut inner = self.inner.lock().expect("rate limiter lock");
        let (per_second, burst) = (inner.per_second, inner.burst);
        if inner.buckets.len() >= PRUNE_AT && !inner.buckets.contains_key(caller) {
            inner
                .buckets
                .retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * per_second < burst);
        }
        let (tokens, at) = inner.buckets.entry(caller.to_string()).or_insert((burst, now));
        let available = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * per_second).min(burst);
        *at = now;
        if available >= 1.0 {
            *tokens = available - 1.0;
            Ok(())
        } else {
            *tokens = available;
            Err(Duration::from_secs_f64((1.0 - available) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate() {
        let limiter = RateLimiter::new(2, 3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at("a", t0).is_ok());
        }
        let wait = limiter.check_at("a", t0).unwrap_err();
        assert!(wait <= Duration::from_millis(500) && wait > Duration::ZERO, "{wait:?}");
        assert!(limiter.check_at("b", t0).is_ok(), "each caller has its own bucket");
        assert!(limiter.check_at("a", t0 + Duration::from_millis(500)).is_ok());
        assert!(limiter.check_at("a", t0 + Duration::from_millis(500)).is_err());
    }
}

//! Rate limits per API token and per logged-in user: a token bucket per token name or
//! `user:NAME`, in memory. Each server process limits on its own, so behind a load balancer
//! with N servers the effective limit is up to N times the configured one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Token buckets keyed by API token name.
#[derive(Debug)]
pub struct RateLimiter {
    /// Requests a token may make at once.
    burst: f64,
    /// Requests per second the bucket refills.
    per_second: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Default for RateLimiter {
    /// 60 requests at once, 10 per second sustained.
    fn default() -> Self {
        RateLimiter::new(60, 10.0)
    }
}

impl RateLimiter {
    pub fn new(burst: u32, per_second: f64) -> RateLimiter {
        RateLimiter {
            burst: f64::from(burst.max(1)),
            per_second: per_second.max(f64::MIN_POSITIVE),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket; `Err(seconds)` to wait when it is empty.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (tokens, last) = buckets.entry(key.to_owned()).or_insert((self.burst, now));
        let refilled =
            (*tokens + now.duration_since(*last).as_secs_f64() * self.per_second).min(self.burst);
        *last = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            let wait = ((1.0 - refilled) / self.per_second).ceil();
            Err(if wait.is_finite() { (wait as u64).max(1) } else { u64::MAX })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RateLimiter;

    #[test]
    fn a_burst_is_allowed_then_refused_per_token() {
        let limiter = RateLimiter::new(3, 0.5);
        for _ in 0..3 {
            assert_eq!(limiter.check("siskop"), Ok(()));
        }
        assert_eq!(limiter.check("siskop"), Err(2));
        assert_eq!(limiter.check("other"), Ok(()), "each token has its own bucket");
    }
}

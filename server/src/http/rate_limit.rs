//! A per-account limit on sync requests: a phone syncs when something
//! changes and now and then, a few times a minute at most; a stolen token
//! or a broken client in a loop must not keep the database's writer busy
//! for everyone else. GCRA (`governor`), in the memory of each server
//! process: with several instances each allows the rate.

use std::{
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
};

use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};
use uuid::Uuid;

/// Sync requests a minute per account by default, with a quarter of it
/// (at least 10) as the burst.
pub const DEFAULT_SYNCS_PER_MINUTE: u32 = 600;

pub struct SyncRateLimit {
    limiter: DefaultKeyedRateLimiter<Uuid>,
    checks: AtomicU64,
}

impl SyncRateLimit {
    pub fn per_minute(requests: NonZeroU32) -> Self {
        let burst = NonZeroU32::new((requests.get() / 4).max(10)).unwrap_or(requests);
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(requests).allow_burst(burst)),
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(seconds to wait)` when the account is over its rate.
    pub fn check(&self, account: Uuid) -> Result<(), u64> {
        // Forget idle accounts now and then, so the map stays small.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&account).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

impl Default for SyncRateLimit {
    fn default() -> Self {
        Self::per_minute(NonZeroU32::new(DEFAULT_SYNCS_PER_MINUTE).unwrap_or(NonZeroU32::MIN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate_per_account() {
        let limit = SyncRateLimit::per_minute(NonZeroU32::new(60).unwrap());
        let (one, other) = (Uuid::now_v7(), Uuid::now_v7());
        for _ in 0..15 {
            assert!(limit.check(one).is_ok());
        }
        let wait = limit.check(one).unwrap_err();
        assert!((1..=2).contains(&wait), "{wait}");
        assert!(
            limit.check(other).is_ok(),
            "another account has its own allowance"
        );
    }
}

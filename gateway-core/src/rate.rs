//! Rate budgets by key (governor's GCRA), shared by the connection limits (new connections per
//! IP) and the throttler (messages per user, per IP...). A leaf: both layers import it.

use std::fmt;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// `n` at once, then one more every `per / n`; `None` when `n` or `per / n` is zero.
pub(crate) fn quota(n: u32, per: Duration) -> Option<Quota> {
    let burst = NonZeroU32::new(n)?;
    Some(Quota::with_period(per / n)?.allow_burst(burst))
}

/// How many checks pass between two sweeps of the idle keys.
const SWEEP_EVERY: u32 = 4096;

/// One budget per key. The keys whose budget is full again are dropped every
/// [`SWEEP_EVERY`] checks, so that many keys seen once (addresses, users) do not stay in memory.
pub(crate) struct KeyedBudgets<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    checks: AtomicU32,
}

impl<K: Hash + Eq + Clone> KeyedBudgets<K> {
    pub(crate) fn new(quota: Quota) -> Self {
        KeyedBudgets {
            limiter: RateLimiter::keyed(quota),
            checks: AtomicU32::new(0),
        }
    }

    /// Spends one unit of `key`'s budget; `false` when it is spent out.
    pub(crate) fn allows(&self, key: &K) -> bool {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter.check_key(key).is_ok()
    }

    /// How many keys are remembered.
    pub(crate) fn len(&self) -> usize {
        self.limiter.len()
    }
}

impl<K: Hash + Eq + Clone> fmt::Debug for KeyedBudgets<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedBudgets")
            .field("keys", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_keys_are_dropped() {
        let budgets = KeyedBudgets::new(quota(1, Duration::from_millis(1)).expect("a quota"));
        for i in 0..SWEEP_EVERY - 1 {
            budgets.allows(&i);
        }
        assert_eq!(budgets.len(), 4095);
        // Past 1 ms every key is back to a full budget, which the sweep forgets.
        std::thread::sleep(Duration::from_millis(5));
        budgets.allows(&u32::MAX);
        assert!(budgets.len() <= 1, "{} keys kept", budgets.len());
    }

    #[test]
    fn a_key_past_its_burst_is_refused_and_others_are_not() {
        let budgets = KeyedBudgets::new(quota(2, Duration::from_secs(60)).expect("a quota"));
        assert!(budgets.allows(&"a"));
        assert!(budgets.allows(&"a"));
        assert!(!budgets.allows(&"a"));
        assert!(budgets.allows(&"b"));
    }

    #[test]
    fn zero_is_no_quota() {
        assert!(quota(0, Duration::from_secs(1)).is_none());
        assert!(quota(1, Duration::ZERO).is_none());
    }
}

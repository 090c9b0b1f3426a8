//! The sign-in lockout rule as pure arithmetic: `max_failures` failed attempts for one key
//! within `window_ms` lock the key for `lockout_ms`. The store keeps one [`FailureCount`] per
//! key (in the database, so every instance sees it) and applies [`LockoutRule::attempt`] inside
//! its transaction; nothing here reads a clock, so every case is tested with explicit times.
//!
//! An attempt counts as a failure when it is made, before the password is checked (parallel
//! guesses cannot slip past the limit while the first ones are being verified); a success
//! clears the key.

use crate::Millis;

/// How many failures lock a key, for how long, and how many keys are tracked at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutRule {
    /// Failures within the window that lock the key (at least 1).
    pub max_failures: i64,
    /// Failures further apart than this do not add up.
    pub window_ms: Millis,
    /// How long a locked key stays locked.
    pub lockout_ms: Millis,
    /// The most keys tracked at once: past it, the oldest unlocked keys are forgotten first.
    pub max_keys: i64,
}

/// One key's failures: how many since `first_failure_at`, and until when it is locked (a time
/// in the past, or 0, means "not locked").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub failures: i64,
    pub first_failure_at: Millis,
    pub locked_until: Millis,
}

impl FailureCount {
    /// No failure yet: what a key starts from, and what an expired count is worth.
    pub fn none(now: Millis) -> Self {
        Self {
            failures: 0,
            first_failure_at: now,
            locked_until: 0,
        }
    }
}

/// What one sign-in attempt does to its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Refused before the password is checked; the count is left as it is.
    Locked { until: Millis },
    /// Counted as a failure (until a success clears it): the key's count from now on.
    Counted(FailureCount),
}

impl Default for LockoutRule {
    fn default() -> Self {
        Self::STANDARD
    }
}

impl LockoutRule {
    /// Five failures in fifteen minutes lock the key for fifteen minutes; at most 100,000 keys
    /// (a key row is about 150 bytes: some 15 MB at worst).
    pub const STANDARD: Self = Self {
        max_failures: 5,
        window_ms: 15 * 60_000,
        lockout_ms: 15 * 60_000,
        max_keys: 100_000,
    };

    /// Until when the key is locked at `now`, if it is.
    pub fn locked_until(&self, count: &FailureCount, now: Millis) -> Option<Millis> {
        (count.locked_until > now).then_some(count.locked_until)
    }

    /// An attempt at `now` on a key with this count: refused while the key is locked,
    /// otherwise counted — failures older than the window start the count again, and the
    /// attempt that reaches `max_failures` locks the key.
    pub fn attempt(&self, count: &FailureCount, now: Millis) -> Attempt {
        if let Some(until) = self.locked_until(count, now) {
            return Attempt::Locked { until };
        }
        let mut next = if now.saturating_sub(count.first_failure_at) >= self.window_ms {
            FailureCount::none(now)
        } else {
            *count
        };
        next.failures = next.failures.saturating_add(1);
        if next.failures >= self.max_failures.max(1) {
            next = FailureCount {
                locked_until: now.saturating_add(self.lockout_ms),
                ..FailureCount::none(now)
            };
        }
        Attempt::Counted(next)
    }

    /// From when this count no longer matters (not locked, its failures out of the window):
    /// forgetting it then changes no answer, so a sweep may delete it.
    pub fn expires_at(&self, count: &FailureCount) -> Millis {
        count
            .locked_until
            .max(count.first_failure_at.saturating_add(self.window_ms))
    }

    /// How many keys to forget when `tracked` are held: none up to `max_keys`; past it, down to
    /// nine tenths of the cap at once, so a spray of new keys trims the table once in a while
    /// rather than on every attempt.
    pub fn keys_to_forget(&self, tracked: i64) -> i64 {
        let cap = self.max_keys.max(1);
        if tracked <= cap {
            0
        } else {
            tracked - (cap - cap / 10)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: LockoutRule = LockoutRule {
        max_failures: 3,
        window_ms: 1_000,
        lockout_ms: 5_000,
        max_keys: 100,
    };

    /// Applies `attempt` and answers the new count (panics when the key was locked).
    fn fail(count: &FailureCount, now: Millis) -> FailureCount {
        match RULE.attempt(count, now) {
            Attempt::Counted(next) => next,
            Attempt::Locked { until } => panic!("locked until {until} at {now}"),
        }
    }

    #[test]
    fn the_attempt_that_reaches_the_limit_locks_the_key() {
        let c = fail(&FailureCount::none(0), 0);
        assert_eq!(c.failures, 1);
        let c = fail(&c, 10);
        assert_eq!(RULE.locked_until(&c, 10), None);
        let c = fail(&c, 20);
        assert_eq!(c.locked_until, 5_020);
        assert_eq!(RULE.locked_until(&c, 21), Some(5_020));
        assert_eq!(RULE.attempt(&c, 21), Attempt::Locked { until: 5_020 });
        assert_eq!(
            RULE.attempt(&c, 5_019),
            Attempt::Locked { until: 5_020 },
            "locked to the last millisecond"
        );
        // Once the lock has passed, a failure counts from one again.
        assert_eq!(RULE.locked_until(&c, 5_020), None);
        let after = fail(&c, 5_020);
        assert_eq!((after.failures, after.locked_until), (1, 0));
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up() {
        let c = fail(&FailureCount::none(0), 0);
        let c = fail(&c, 999);
        assert_eq!(c.failures, 2, "within the window");
        let c = fail(&c, 1_000);
        assert_eq!(
            (c.failures, c.first_failure_at, c.locked_until),
            (1, 1_000, 0),
            "the window is over: a new count starts"
        );
        let c = fail(&c, 1_500);
        assert_eq!(RULE.locked_until(&c, 1_500), None);
    }

    #[test]
    fn an_expired_count_is_worth_no_count() {
        let mut c = FailureCount::none(0);
        for now in [0, 1, 2] {
            c = fail(&c, now);
        }
        assert_eq!(RULE.expires_at(&c), 5_002, "the lock outlasts the window");
        let c = FailureCount {
            failures: 2,
            first_failure_at: 100,
            locked_until: 0,
        };
        assert_eq!(RULE.expires_at(&c), 1_100);
        // From its expiry on, the count answers exactly as if there were none.
        for now in [1_100, 1_101, 9_999] {
            assert_eq!(
                RULE.attempt(&c, now),
                RULE.attempt(&FailureCount::none(now), now)
            );
        }
        assert_ne!(
            RULE.attempt(&c, 1_099),
            RULE.attempt(&FailureCount::none(1_099), 1_099),
            "before its expiry it still counts"
        );
    }

    #[test]
    fn a_limit_of_one_locks_at_the_first_failure_and_times_saturate() {
        let rule = LockoutRule {
            max_failures: 0,
            ..RULE
        };
        assert!(matches!(
            rule.attempt(&FailureCount::none(0), 0),
            Attempt::Counted(FailureCount {
                locked_until: 5_000,
                ..
            })
        ));
        let late = fail(&FailureCount::none(i64::MAX), i64::MAX);
        assert_eq!(late.failures, 1);
        let c = FailureCount {
            failures: 2,
            first_failure_at: i64::MAX,
            locked_until: 0,
        };
        assert_eq!(fail(&c, i64::MAX).locked_until, i64::MAX);
    }

    #[test]
    fn the_cap_trims_to_nine_tenths_only_when_passed() {
        assert_eq!(RULE.keys_to_forget(0), 0);
        assert_eq!(RULE.keys_to_forget(100), 0);
        assert_eq!(RULE.keys_to_forget(101), 11);
        assert_eq!(RULE.keys_to_forget(150), 60);
        let tiny = LockoutRule {
            max_keys: 0,
            ..RULE
        };
        assert_eq!(tiny.keys_to_forget(2), 1, "a cap below one means one");
        assert_eq!(LockoutRule::default(), LockoutRule::STANDARD);
    }
}

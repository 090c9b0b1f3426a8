//! Sign-in throttling: after `max_failures` failures for one key within `window`, the key is
//! locked for `lockout`. Keys are e.g. the lower-cased email address. Time is passed in.

use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Throttle {
    max_failures: u32,
    window_ms: i64,
    lockout_ms: i64,
    entries: HashMap<String, Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    first_failure: i64,
    locked_until: i64,
}

impl Throttle {
    pub fn new(max_failures: u32, window_ms: i64, lockout_ms: i64) -> Self {
        Self {
            max_failures,
            window_ms,
            lockout_ms,
            entries: HashMap::new(),
        }
    }

    /// Five failures in fifteen minutes lock the key for fifteen minutes.
    pub fn standard() -> Self {
        Self::new(5, 15 * 60_000, 15 * 60_000)
    }

    /// When locked, answers until when (milliseconds since the epoch).
    pub fn locked_until(&self, key: &str, now: i64) -> Option<i64> {
        self.entries
            .get(key)
            .map(|e| e.locked_until)
            .filter(|until| *until > now)
    }

    pub fn record_failure(&mut self, key: &str, now: i64) {
        if self.entries.len() > 100_000 {
            // Bound memory under a spray of distinct keys: forget entries that no longer matter.
            let (window, lockout) = (self.window_ms, self.lockout_ms);
            self.entries
                .retain(|_, e| e.locked_until > now || now - e.first_failure < window.max(lockout));
        }
        let entry = self.entries.entry(key.to_string()).or_insert(Entry {
            failures: 0,
            first_failure: now,
            locked_until: 0,
        });
        if now - entry.first_failure >= self.window_ms {
            *entry = Entry {
                failures: 0,
                first_failure: now,
                locked_until: 0,
            };
        }
        entry.failures += 1;
        if entry.failures >= self.max_failures {
            entry.locked_until = now + self.lockout_ms;
            entry.failures = 0;
            entry.first_failure = now;
        }
    }

    pub fn record_success(&mut self, key: &str) {
        self.entries.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_repeated_failures_and_unlocks_later() {
        let mut t = Throttle::new(3, 1_000, 5_000);
        t.record_failure("a", 0);
        t.record_failure("a", 10);
        assert_eq!(t.locked_until("a", 10), None);
        t.record_failure("a", 20);
        assert_eq!(t.locked_until("a", 21), Some(5_020));
        assert_eq!(t.locked_until("b", 21), None, "other keys are unaffected");
        assert_eq!(t.locked_until("a", 5_020), None);
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up() {
        let mut t = Throttle::new(2, 1_000, 5_000);
        t.record_failure("a", 0);
        t.record_failure("a", 1_500);
        assert_eq!(t.locked_until("a", 1_600), None);
        t.record_success("a");
        t.record_failure("a", 1_700);
        assert_eq!(t.locked_until("a", 1_700), None);
    }
}

//! Sign-in throttling: after `max_failures` failures for one key within `window`, the key is
//! locked for `lockout`. Keys are e.g. the lower-cased email address. Time is passed in.
//!
//! The table is bounded: entries that no longer matter are forgotten once it is full, and when
//! every entry is still fresh (a spray of distinct keys) the oldest tenth is evicted, unlocked
//! keys before locked ones, so it never holds more than `max_keys` entries.

use std::collections::HashMap;

/// The default bound on the number of keys (about 30 MB with 254-character keys).
pub const DEFAULT_MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone)]
pub struct Throttle {
    max_failures: u32,
    window_ms: i64,
    lockout_ms: i64,
    max_keys: usize,
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
            max_keys: DEFAULT_MAX_KEYS,
            entries: HashMap::new(),
        }
    }

    /// The same throttle holding at most `max_keys` keys (at least one).
    pub fn with_max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys.max(1);
        self
    }

    /// Five failures in fifteen minutes lock the key for fifteen minutes.
    pub fn standard() -> Self {
        Self::new(5, 15 * 60_000, 15 * 60_000)
    }

    /// How many keys the table holds now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// When locked, answers until when (milliseconds since the epoch).
    pub fn locked_until(&self, key: &str, now: i64) -> Option<i64> {
        self.entries
            .get(key)
            .map(|e| e.locked_until)
            .filter(|until| *until > now)
    }

    /// Makes room for one more key: first forget entries that no longer matter, then, if every
    /// entry is fresh, evict the oldest tenth (unlocked before locked) in one pass, so a spray
    /// of distinct keys costs amortised constant time per failure.
    fn make_room(&mut self, now: i64) {
        if self.entries.len() < self.max_keys {
            return;
        }
        let (window, lockout) = (self.window_ms, self.lockout_ms);
        self.entries
            .retain(|_, e| e.locked_until > now || now - e.first_failure < window.max(lockout));
        if self.entries.len() < self.max_keys {
            return;
        }
        let mut ages: Vec<(bool, i64)> = self
            .entries
            .values()
            .map(|e| (e.locked_until > now, e.first_failure))
            .collect();
        let evict = (self.max_keys / 10).max(1).min(ages.len());
        let (_, cutoff, _) = ages.select_nth_unstable(evict - 1);
        let cutoff = *cutoff;
        let mut left = evict;
        self.entries.retain(|_, e| {
            if left > 0 && (e.locked_until > now, e.first_failure) <= cutoff {
                left -= 1;
                false
            } else {
                true
            }
        });
    }

    pub fn record_failure(&mut self, key: &str, now: i64) {
        if !self.entries.contains_key(key) {
            self.make_room(now);
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

    #[test]
    fn the_table_stays_bounded_when_every_entry_is_fresh() {
        let mut t = Throttle::new(5, 60_000, 60_000).with_max_keys(100);
        t.record_failure("victim", 0);
        for _ in 0..4 {
            t.record_failure("victim", 1);
        }
        assert!(t.locked_until("victim", 2).is_some());
        // A spray of distinct keys, all within the window: nothing expires on its own.
        for i in 0..10_000 {
            t.record_failure(&format!("spray-{i}"), 10 + i);
            assert!(t.len() <= 100, "{} keys after {i}", t.len());
        }
        assert!(t.len() >= 90, "only the oldest are evicted");
        assert!(
            t.locked_until("victim", 10_010).is_some(),
            "a locked key outlives unlocked ones"
        );
        assert!(
            t.entries.contains_key("spray-9999"),
            "the newest key is kept"
        );
        assert!(!t.entries.contains_key("spray-0"), "the oldest went first");
    }

    #[test]
    fn expired_entries_are_forgotten_first() {
        let mut t = Throttle::new(5, 1_000, 1_000).with_max_keys(10);
        for i in 0..10 {
            t.record_failure(&format!("old-{i}"), 0);
        }
        t.record_failure("new", 5_000);
        assert_eq!(t.len(), 1);
    }
}

//! Each org's profiles and modules, kept in memory between requests: every request needs them
//! (the caller's profile, the module it names) and they rarely change.
//!
//! An entry is trusted only while two things hold:
//! - **No other instance changed the org since.** Every change to profiles, modules, fields or
//!   layouts raises the org's `config_version` in its own transaction, and each request reads
//!   that version in the statement that authenticates it (with the token or session's user). An
//!   entry loaded at a lower version is reloaded before the request uses it, so a change made
//!   on another instance is seen by the very next request here.
//! - **This instance changed nothing since.** The store counts the committed transactions that
//!   changed configuration ([`portico_store::Store::config_changes`]); an entry loaded before
//!   the count moved is reloaded, so a use case reads its own change at once (a module created,
//!   then shown).
//!
//! The cache holds at most [`ConfigCache::CAP`] orgs; past that the entry used least recently
//! goes.
//!
//! The same cache, on the same terms, keeps each org's portal catalogue (modules with their
//! fields and layouts, and web tabs: [`crate::catalogue::VersionedCatalogue`]); web tab changes
//! raise the version too. What a portal user may see is never cached: their user type is read
//! with the version on every request (`portico_store::Tx::portal_scope`), so a permission
//! change takes effect on the next request, here and on every other instance.

use portico_domain::Id;
use portico_store::OrgConfig;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What the cache keeps: a copy of configuration read at a known `config_version` or later.
pub(crate) trait Versioned {
    fn version(&self) -> i64;
}

impl Versioned for OrgConfig {
    fn version(&self) -> i64 {
        self.version
    }
}

pub(crate) struct ConfigCache<T = OrgConfig> {
    inner: Mutex<Inner<T>>,
    cap: usize,
}

struct Inner<T> {
    entries: HashMap<Id, Entry<T>>,
    /// Stamps uses, for least-recently-used eviction.
    clock: u64,
}

struct Entry<T> {
    config: Arc<T>,
    /// The store's count of local configuration changes when this was loaded.
    local: u64,
    used: u64,
}

impl<T: Versioned> ConfigCache<T> {
    /// Orgs kept at most: a few kilobytes each, so a busy instance holds them all.
    pub(crate) const CAP: usize = 1024;

    pub(crate) fn new(cap: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                clock: 0,
            }),
            cap: cap.max(1),
        }
    }

    /// A panic while the lock was held leaves entries that are each whole (they are replaced,
    /// never edited), so the lock is taken over rather than failing every request after it.
    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The org's configuration if it is cached at `min_version` or later (any version when
    /// `None`) and was loaded after the `local`-th local change.
    pub(crate) fn get(&self, org: Id, min_version: Option<i64>, local: u64) -> Option<Arc<T>> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let entry = inner.entries.get_mut(&org)?;
        if entry.local != local || min_version.is_some_and(|v| entry.config.version() < v) {
            return None;
        }
        entry.used = now;
        Some(Arc::clone(&entry.config))
    }

    /// Keeps a freshly loaded configuration (loaded after the `local`-th local change) and
    /// answers it. A newer one already there — loaded concurrently and put first — is kept and
    /// answered instead, so an entry never goes back in time.
    pub(crate) fn put(&self, org: Id, config: T, local: u64) -> Arc<T> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        if let Some(entry) = inner.entries.get_mut(&org) {
            if entry.local >= local && entry.config.version() > config.version() {
                entry.used = now;
                return Arc::clone(&entry.config);
            }
        } else if inner.entries.len() >= self.cap {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(id, _)| *id);
            if let Some(oldest) = oldest {
                inner.entries.remove(&oldest);
            }
        }
        let config = Arc::new(config);
        inner.entries.insert(
            org,
            Entry {
                config: Arc::clone(&config),
                local,
                used: now,
            },
        );
        config
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn config(version: i64) -> OrgConfig {
        OrgConfig {
            version,
            profiles: Vec::new(),
            modules: Vec::new(),
        }
    }

    #[test]
    fn the_cache_holds_at_most_its_cap_and_drops_the_least_recently_used() {
        let cache = ConfigCache::new(3);
        for org in 1..=3 {
            cache.put(org, config(1), 0);
        }
        assert!(cache.get(1, None, 0).is_some(), "org 1 is used again");
        cache.put(4, config(1), 0);
        assert_eq!(cache.len(), 3);
        assert!(
            cache.get(2, None, 0).is_none(),
            "org 2 was used least recently"
        );
        for org in [1, 3, 4] {
            assert!(cache.get(org, None, 0).is_some(), "org {org} stays");
        }
        for org in 5..200 {
            cache.put(org, config(1), 0);
            assert!(cache.len() <= 3);
        }
    }

    #[test]
    fn an_entry_is_stale_past_a_newer_version_or_a_local_change() {
        let cache = ConfigCache::new(8);
        cache.put(1, config(5), 2);
        assert!(cache.get(1, Some(5), 2).is_some());
        assert!(
            cache.get(1, Some(4), 2).is_some(),
            "newer than needed is fine"
        );
        assert!(
            cache.get(1, Some(6), 2).is_none(),
            "another instance changed it"
        );
        assert!(
            cache.get(1, Some(5), 3).is_none(),
            "this instance changed it"
        );
        assert!(cache.get(1, None, 3).is_none());
    }

    #[test]
    fn a_slower_load_never_replaces_a_newer_entry() {
        let cache = ConfigCache::new(8);
        cache.put(1, config(7), 0);
        let kept = cache.put(1, config(6), 0);
        assert_eq!(kept.version, 7);
        assert_eq!(cache.get(1, None, 0).unwrap().version, 7);
    }
}

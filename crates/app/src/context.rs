//! What every use case needs: the store, the clock, the sign-in throttle and the settings.

use crate::config_cache::ConfigCache;
use portico_auth::Throttle;
use portico_domain::{Id, Millis};
use portico_store::{OrgConfig, Store};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The clock, injected so tests can move time.
pub type Clock = Arc<dyn Fn() -> Millis + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    })
}

/// Settings the use cases read from the configuration.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The DNS server asked when verifying custom domains.
    pub dns_resolver: Option<SocketAddr>,
}

impl Settings {
    /// Settings with the system's DNS resolver.
    pub fn system() -> Self {
        Self {
            dns_resolver: crate::dns::system_resolver(),
        }
    }
}

pub struct Context {
    store: Store,
    clock: Clock,
    settings: Settings,
    /// Per-instance sign-in throttle keyed by lower-cased email.
    throttle: Mutex<Throttle>,
    /// Each org's profiles and modules (see `config_cache`).
    config: ConfigCache,
}

impl Context {
    pub fn new(store: Store, settings: Settings, clock: Clock) -> Self {
        Self {
            store,
            clock,
            settings,
            throttle: Mutex::new(Throttle::standard()),
            config: ConfigCache::new(ConfigCache::CAP),
        }
    }

    /// The org's profiles and modules: from the cache when it holds them at `min_version` or
    /// later (any version when `None`, for a request whose actor already checked it) with no
    /// local change since; otherwise read from the store (three statements) and cached.
    pub(crate) async fn org_config(
        &self,
        org: Id,
        min_version: Option<i64>,
    ) -> crate::Result<Arc<OrgConfig>> {
        let local = self.store.config_changes();
        if let Some(config) = self.config.get(org, min_version, local) {
            return Ok(config);
        }
        let loaded = self.store.org_config(org).await?;
        Ok(self.config.put(org, loaded, local))
    }

    /// The store, for the use cases of this crate only: the web layer and portal-facing code
    /// reach data through use cases, never around them.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Readiness: the database answers. Answers the backend's name.
    pub async fn ready(&self) -> crate::Result<&'static str> {
        self.store.ping().await?;
        Ok(self.store.backend())
    }

    /// How many SQL statements this instance has run so far (see
    /// [`portico_store::Store::statements`]); read-only, for benchmarks and tests.
    pub fn statements(&self) -> u64 {
        self.store.statements()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn now(&self) -> Millis {
        (self.clock)()
    }

    /// The sign-in throttle. A panic while it was held leaves its counts as they were, which
    /// is still the right state: a poisoned lock must never switch throttling off.
    pub(crate) fn throttle(&self) -> MutexGuard<'_, Throttle> {
        self.throttle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many keys the sign-in throttle holds (tests check it stays bounded).
    pub fn throttle_keys(&self) -> usize {
        self.throttle().len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::AppError;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_poisoned_throttle_still_throttles() {
        let store = Store::open(&portico_testkit::sqlite_url()).unwrap();
        store.migrate(0).await.unwrap();
        let ctx = Arc::new(Context::new(store, Settings::default(), Arc::new(|| 1_000)));
        let holder = Arc::clone(&ctx);
        let poisoned = std::thread::spawn(move || {
            let _guard = holder.throttle();
            panic!("a panic while the throttle is held");
        })
        .join();
        assert!(poisoned.is_err());
        assert!(ctx.throttle.is_poisoned());
        for _ in 0..5 {
            let r = crate::sign_in::check_credentials(&ctx, "guess@example.com", "wrong").await;
            assert!(matches!(r, Err(AppError::Invalid(_))), "{r:?}");
        }
        let sixth = crate::sign_in::check_credentials(&ctx, "guess@example.com", "wrong").await;
        assert!(
            matches!(sixth, Err(AppError::TooManyAttempts)),
            "throttling stays on: {sixth:?}"
        );
    }
}

//! What every use case needs: the store, the clock, the settings and the password threads.

use crate::catalogue::VersionedCatalogue;
use crate::config_cache::ConfigCache;
use crate::passwords::PasswordWorkers;
use portico_domain::base_url::BaseUrl;
use portico_domain::lockout::LockoutRule;
use portico_domain::outbox::DeliveryRule;
use portico_domain::{Id, Millis};
use portico_store::{OrgConfig, Store};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::Notify;

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
    /// The sign-in lockout: [`LockoutRule::STANDARD`] unless a test picks another.
    pub sign_in_lockout: LockoutRule,
    /// The per-address limit of the portal's sign-in forms; `None` is
    /// [`crate::sign_in_lockout::ADDRESS_RULE`] (tests pick a smaller one).
    pub address_lockout: Option<LockoutRule>,
    /// The public URL (`--base-url`): the root of every link in an email and the host of
    /// every Message-ID. Never taken from a request.
    pub base_url: BaseUrl,
    /// Email delivery: lease, backoff, attempts ([`DeliveryRule::STANDARD`]).
    pub delivery: DeliveryRule,
}

impl Settings {
    /// Settings with the system's DNS resolver.
    pub fn system() -> Self {
        Self {
            dns_resolver: crate::dns::system_resolver(),
            sign_in_lockout: LockoutRule::STANDARD,
            address_lockout: None,
            base_url: BaseUrl::default(),
            delivery: DeliveryRule::STANDARD,
        }
    }
}

pub struct Context {
    store: Store,
    clock: Clock,
    settings: Settings,
    passwords: PasswordWorkers,
    /// Rung after a use case commits mail, so this instance's delivery worker starts at once
    /// instead of at its next poll.
    mail_waiting: Arc<Notify>,
    /// Rung after a bulk invitation is queued, so this instance's batch worker starts at once.
    batches_waiting: Arc<Notify>,
    /// Each org's profiles and modules (see `config_cache`).
    config: ConfigCache,
    /// Each org's portal catalogue, on the same terms.
    catalogues: ConfigCache<VersionedCatalogue>,
}

impl Context {
    pub fn new(store: Store, settings: Settings, clock: Clock) -> Self {
        Self {
            store,
            clock,
            settings,
            passwords: PasswordWorkers::standard(),
            mail_waiting: Arc::new(Notify::new()),
            batches_waiting: Arc::new(Notify::new()),
            config: ConfigCache::new(ConfigCache::<OrgConfig>::CAP),
            catalogues: ConfigCache::new(ConfigCache::<VersionedCatalogue>::CAP),
        }
    }

    /// The threads that hash and verify passwords.
    pub(crate) fn passwords(&self) -> &PasswordWorkers {
        &self.passwords
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

    /// The org's portal catalogue (modules with fields and layouts, web tabs): from the cache
    /// when it holds it at `min_version` or later (any version when `None`) with no local
    /// change since; otherwise read from the store (the version first, then two statements a
    /// module and one for the web tabs) and cached.
    pub(crate) async fn org_catalogue(
        &self,
        org: Id,
        min_version: Option<i64>,
    ) -> crate::Result<Arc<VersionedCatalogue>> {
        let local = self.store.config_changes();
        if let Some(catalogue) = self.catalogues.get(org, min_version, local) {
            return Ok(catalogue);
        }
        let mut reader = self.store.reader().await?;
        let version = reader.config_version(org).await?;
        let catalogue = crate::catalogue::catalogue(&mut reader, org).await?;
        drop(reader);
        let loaded = VersionedCatalogue { version, catalogue };
        Ok(self.catalogues.put(org, loaded, local))
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

    /// What the delivery worker waits on between polls.
    pub(crate) fn mail_waiting(&self) -> &Notify {
        &self.mail_waiting
    }

    /// What the invitation batch worker waits on between polls.
    pub(crate) fn batches_waiting(&self) -> &Notify {
        &self.batches_waiting
    }
}

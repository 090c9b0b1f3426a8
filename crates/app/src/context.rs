//! What every use case needs: the store, the clock, the settings and the password threads.

use crate::passwords::PasswordWorkers;
use portico_domain::Millis;
use portico_domain::lockout::LockoutRule;
use portico_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

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
}

impl Settings {
    /// Settings with the system's DNS resolver.
    pub fn system() -> Self {
        Self {
            dns_resolver: crate::dns::system_resolver(),
            sign_in_lockout: LockoutRule::STANDARD,
        }
    }
}

pub struct Context {
    store: Store,
    clock: Clock,
    settings: Settings,
    passwords: PasswordWorkers,
}

impl Context {
    pub fn new(store: Store, settings: Settings, clock: Clock) -> Self {
        Self {
            store,
            clock,
            settings,
            passwords: PasswordWorkers::standard(),
        }
    }

    /// The threads that hash and verify passwords.
    pub(crate) fn passwords(&self) -> &PasswordWorkers {
        &self.passwords
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

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn now(&self) -> Millis {
        (self.clock)()
    }
}

//! What every use case needs: the store, the clock, the settings and the password threads.

use crate::passwords::PasswordWorkers;
use portico_domain::Millis;
use portico_domain::base_url::BaseUrl;
use portico_domain::lockout::LockoutRule;
use portico_domain::outbox::DeliveryRule;
use portico_store::Store;
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
}

impl Context {
    pub fn new(store: Store, settings: Settings, clock: Clock) -> Self {
        Self {
            store,
            clock,
            settings,
            passwords: PasswordWorkers::standard(),
            mail_waiting: Arc::new(Notify::new()),
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

    /// What the delivery worker waits on between polls.
    pub(crate) fn mail_waiting(&self) -> &Notify {
        &self.mail_waiting
    }
}

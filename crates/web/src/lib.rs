//! The HTTP face of Portico: the admin UI (server-rendered with askama, htmx for partial
//! updates), the REST API under `/api/v1`, health probes, and the middleware every response
//! passes through. `app(state)` builds the whole router; the `server` crate only binds it.
//!
//! Every CRM operation goes through [`service`], the one place where a CRM user's profile and
//! record scope are enforced — the admin pages and the API call the same functions.

// The OpenAPI schemas are one large `json!` literal.
#![recursion_limit = "256"]

pub mod admin;
pub mod api;
mod assets;
pub mod dns;
pub mod error;
pub mod middleware;
pub mod openapi;
mod portal_site;
pub mod present;
pub mod service;

use axum::Router;
use portico_auth::Throttle;
use portico_domain::Millis;
use portico_store::Store;
use std::sync::{Arc, Mutex};

/// Settings the web layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The public URL every generated link starts with (never taken from the Host header).
    pub base_url: String,
    /// Mark cookies `Secure` (true when the base URL is https).
    pub secure_cookies: bool,
    /// A session ends after this long without a request.
    pub session_idle_ms: i64,
    /// A session ends this long after sign-in, however active.
    pub session_absolute_ms: i64,
    /// How long an API token from `POST /api/v1/auth/token` lives.
    pub api_token_ttl_ms: i64,
    /// Portals are also served at `{slug}.{portal_domain}` when set.
    pub portal_domain: Option<String>,
    /// The DNS server asked when verifying custom domains.
    pub dns_resolver: Option<std::net::SocketAddr>,
}

impl WebConfig {
    pub fn new(base_url: &str) -> Self {
        let base_url = base_url.trim_end_matches('/').to_string();
        Self {
            secure_cookies: base_url.starts_with("https://"),
            base_url,
            session_idle_ms: 2 * 60 * 60 * 1000,
            session_absolute_ms: 12 * 60 * 60 * 1000,
            api_token_ttl_ms: 30 * 24 * 60 * 60 * 1000,
            portal_domain: None,
            dns_resolver: dns::system_resolver(),
        }
    }
}

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

pub struct Inner {
    pub store: Store,
    pub config: WebConfig,
    pub clock: Clock,
    /// Per-instance sign-in throttle keyed by lower-cased email.
    pub throttle: Mutex<Throttle>,
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl AppState {
    pub fn new(store: Store, config: WebConfig, clock: Clock) -> Self {
        Self(Arc::new(Inner {
            store,
            config,
            clock,
            throttle: Mutex::new(Throttle::standard()),
        }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn config(&self) -> &WebConfig {
        &self.0.config
    }

    pub fn now(&self) -> Millis {
        (self.0.clock)()
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(admin::routes())
        .merge(assets::routes())
        .merge(middleware::health_routes())
        .merge(portal_site::routes())
        .fallback(middleware::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            portal_site::by_host,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .with_state(state)
}

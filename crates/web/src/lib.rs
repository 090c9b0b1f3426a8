//! The HTTP face of Portico: the admin UI (server-rendered with askama, htmx for partial
//! updates), the REST API under `/api/v1`, health probes, and the middleware every response
//! passes through. `app(state)` builds the whole router; the `server` crate only binds it.
//!
//! HTTP only: handlers extract the request, call a use case in `portico_app`, and render the
//! answer or map the error. No business rule lives here.

// The OpenAPI schemas are one large `json!` literal.
#![recursion_limit = "256"]

pub mod admin;
pub mod api;
mod assets;
pub mod error;
pub mod middleware;
pub mod openapi;
mod portal_site;
pub mod present;

use axum::Router;
use portico_app::Context;
use std::sync::Arc;

/// The largest body the sign-in routes (`POST /api/v1/auth/token`, `POST /admin/login`) read:
/// an email, a password and a form token fit many times over, and nobody without an account
/// can make the server buffer more. Other routes keep axum's default (2 MB).
pub const SIGN_IN_BODY_LIMIT: usize = 4 * 1024;

/// Method and path of every portal API route (`/p/{slug}/api/v1/…`), as its router serves them:
/// what the OpenAPI document and the portal security tests iterate over.
pub fn portal_api_routes() -> Vec<(axum::http::Method, &'static str)> {
    portal_site::api::route_table()
}

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
    /// Where email goes, for the mail log ("smtp://host:port as sender", no password); `None`
    /// when no SMTP server is configured and messages stay in the outbox.
    pub mail_delivery: Option<String>,
    /// A reverse proxy stands in front: take the client's address from the last entry of
    /// `X-Forwarded-For` (never trusted otherwise, since any client can send it).
    pub trust_forwarded_for: bool,
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
            mail_delivery: None,
            trust_forwarded_for: false,
        }
    }
}

pub struct Inner {
    pub app: Context,
    pub config: WebConfig,
}

/// Shared state of every handler: the use cases' context and the web settings. It derefs to
/// the [`Context`], so handlers pass `&state` straight to a use case.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl AppState {
    pub fn new(app: Context, config: WebConfig) -> Self {
        Self(Arc::new(Inner { app, config }))
    }

    pub fn config(&self) -> &WebConfig {
        &self.0.config
    }
}

impl std::ops::Deref for AppState {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.0.app
    }
}

/// The whole application as a service that knows each connection's peer address (what
/// [`middleware::ClientIp`] reads): what a server binds.
pub fn service(
    state: AppState,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, std::net::SocketAddr> {
    app(state).into_make_service_with_connect_info::<std::net::SocketAddr>()
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
        .layer(axum::middleware::from_fn(middleware::refuse_nul))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .with_state(state)
}

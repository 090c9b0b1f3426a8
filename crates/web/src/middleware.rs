//! What every response passes through: a request id, an access log line, security headers;
//! plus the health probes and the fallback for unknown paths.

use crate::AppState;
use crate::error::{ApiError, AppError};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tracing::Instrument;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// [`CSP`] widened for Google Analytics: its tag's script, and the endpoints it sends to.
const CSP_ANALYTICS: &str = "default-src 'self'; script-src 'self' https://www.googletagmanager.com; \
                   style-src 'self'; \
                   img-src 'self' data: https://*.google-analytics.com https://*.analytics.google.com https://*.googletagmanager.com; \
                   connect-src 'self' https://*.google-analytics.com https://*.analytics.google.com https://*.googletagmanager.com; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// A handler's request, as a response extension, that its response allow the Google Analytics
/// tag. Only the portal pages that may carry it (sign-up, sign-in, reset password, confirm
/// password) set it, and only when the portal has analytics configured; every other response
/// gets the strict policy, whatever a handler did to the header itself.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AllowAnalytics;

/// Adds security headers and a request id, and logs the request.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let request_id = portico_auth::random_token()
        .map(|t| t[..16].to_string())
        .unwrap_or_default();
    let started = std::time::Instant::now();
    let span = tracing::info_span!("request", id = %request_id, %method, %path);
    let mut response = crate::error::REQUEST_ID
        .scope(
            request_id.clone(),
            next.run(request).instrument(span.clone()),
        )
        .await;
    let status = response.status();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    if status.is_server_error() {
        tracing::error!(parent: &span, status = status.as_u16(), elapsed_ms, "request failed");
    } else {
        tracing::info!(parent: &span, status = status.as_u16(), elapsed_ms, "request");
    }
    // Room for the headers below at once, rather than growing the map insert by insert.
    response.headers_mut().reserve(8);
    let csp = if response.extensions().get::<AllowAnalytics>().is_some() {
        CSP_ANALYTICS
    } else {
        CSP
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config().secure_cookies {
        // Served over TLS (the base URL is https): browsers must keep using it.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    response
}

/// Refuses a request whose path or query holds an encoded NUL (`%00`) before any route sees
/// it: 422 naming the query parameter, or 400 for the path; JSON under `/api/`, a page elsewhere.
/// PostgreSQL cannot compare text with NUL, and no name, id or search of ours has one.
pub async fn refuse_nul(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let error = if uri.path().contains("%00") {
        Some(AppError::BadRequest(
            "The address contains a NUL character, which is not allowed".into(),
        ))
    } else {
        uri.query()
            .and_then(|q| q.split('&').find(|pair| pair.contains("%00")))
            .map(|pair| {
                let name = pair.split('=').next().unwrap_or("");
                let name = if name.is_empty() || name.contains("%00") {
                    "query"
                } else {
                    name
                };
                crate::api::nul_error(name)
            })
    };
    match error {
        Some(e) if uri.path().starts_with("/api/") => ApiError(e).into_response(),
        Some(e) => crate::admin::PageError(e).into_response(),
        None => next.run(request).await,
    }
}

pub fn health_routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// Liveness: the process answers.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness: the database answers too.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.ready().await {
        Ok(backend) => Json(json!({"status": "ready", "database": backend})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        let mut r = ApiError(AppError::NotFound).into_response();
        *r.body_mut() =
            axum::body::Body::from(r#"{"error":{"code":"not_found","message":"No such route"}}"#);
        r
    } else {
        (
            StatusCode::NOT_FOUND,
            Html(crate::admin::plain_page(
                "Page not found",
                "There is nothing at this address.",
            )),
        )
            .into_response()
    }
}

/// The address a request came from: the peer of the TCP connection (the server is started
/// with connect info), or — when [`crate::WebConfig::trust_forwarded_for`] is set because a
/// reverse proxy stands in front — the last address the proxy appended to `X-Forwarded-For`.
/// `None` when neither is known (a router called without connect info, as some tests do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl ClientIp {
    /// Of a request's parts, by the configuration's rule.
    pub fn of(parts: &axum::http::request::Parts, config: &crate::WebConfig) -> Self {
        if config.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
                .next_back();
            if forwarded.is_some() {
                return Self(forwarded);
            }
        }
        Self(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        )
    }

    /// As text for the audit log and per-address counters.
    pub fn text(&self) -> Option<String> {
        self.0.map(|ip| ip.to_string())
    }
}

impl axum::extract::FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts, state.config()))
    }
}

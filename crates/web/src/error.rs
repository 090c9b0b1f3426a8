//! The one mapping of the use cases' errors to HTTP: JSON for the API, a page for the UI.
//! A 5xx logs its detail (with every source) and shows a plain message with the request id.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
pub use portico_app::{AppError, body_error};
use portico_domain::portal_user::InviteFailure;
use serde_json::json;

tokio::task_local! {
    /// The id of the request being answered, set by the middleware for the whole request.
    pub static REQUEST_ID: String;
}

/// The current request's id, if there is one.
pub fn request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "none".to_string())
}

/// HTTP meaning of a use case's error.
pub trait HttpError {
    fn status(&self) -> StatusCode;
    /// The message a user may see; internal details stay in the log.
    fn public_message(&self) -> String;
    /// The machine-readable code of the JSON error body.
    fn code(&self) -> &'static str;
}

impl HttpError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) | Self::Duplicate { .. } | Self::Stale { .. } => StatusCode::CONFLICT,
            Self::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InviteRefused(f) => match f {
                InviteFailure::RecordNotFound => StatusCode::NOT_FOUND,
                InviteFailure::NoModulePermission | InviteFailure::NoRecordPermission => {
                    StatusCode::FORBIDDEN
                }
                InviteFailure::AlreadyInvited | InviteFailure::SeatLimit => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            Self::Store(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::NotFound => "Not found".into(),
            Self::Store(_) | Self::Internal(_) => {
                let id = request_id();
                tracing::error!(request_id = %id, detail = %self.detail(), "internal error");
                format!(
                    "Something went wrong on our side. The details are in the server log under request id {id}."
                )
            }
            other => other.to_string(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Forbidden(_) => "forbidden",
            Self::Unauthorized => "unauthorized",
            Self::Invalid(d) => d.errors().first().map_or("invalid", |f| f.code),
            Self::Conflict(_) => "conflict",
            Self::Duplicate { .. } => "duplicate",
            Self::Stale { .. } => "stale_version",
            Self::TooManyAttempts => "too_many_attempts",
            Self::Busy => "busy",
            Self::BadRequest(_) => "bad_request",
            Self::TooLarge(_) => "payload_too_large",
            Self::InviteRefused(f) => f.code(),
            Self::Store(_) | Self::Internal(_) => "internal",
        }
    }
}

/// An error answered as `{"error": {"code", "message", "field"?, "details"?}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        // In the API a stale write can only come from an `If-Match` that no longer matches.
        let status = match e {
            AppError::Stale { .. } => StatusCode::PRECONDITION_FAILED,
            _ => e.status(),
        };
        let body = match &e {
            AppError::Invalid(d) => json!({"error": {
                "code": e.code(),
                "message": e.public_message(),
                "field": d.errors().first().map(|f| f.field.clone()),
                "details": d.errors(),
            }}),
            AppError::Duplicate { field, .. } => json!({"error": {
                "code": e.code(), "message": e.public_message(), "field": field,
            }}),
            AppError::Stale { current_version } => json!({"error": {
                "code": e.code(), "message": e.public_message(), "current_version": current_version,
            }}),
            AppError::Store(_) | AppError::Internal(_) => json!({"error": {
                "code": e.code(), "message": e.public_message(), "request_id": request_id(),
            }}),
            other => json!({"error": {"code": other.code(), "message": other.public_message()}}),
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// `POST /api/v1/auth/token` without `org`, when the email and password open accounts in
/// several orgs: 409 `org_required`, listing exactly those orgs (where this password is right),
/// so the caller can ask again with one of them.
pub fn org_required(options: &[portico_app::org_choice::OrgOption]) -> Response {
    let orgs: Vec<_> = options
        .iter()
        .map(|o| json!({"id": o.org_id, "name": o.org_name}))
        .collect();
    let body = json!({"error": {
        "code": "org_required",
        "message": "This email address and password open accounts in several orgs; send the id of one as `org`",
        "orgs": orgs,
    }});
    (StatusCode::CONFLICT, Json(body)).into_response()
}

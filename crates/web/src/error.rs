//! The web layer's errors and their one mapping to HTTP: JSON for the API, a page for the UI.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_domain::{DomainError, FieldError};
use portico_store::StoreError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("{0}")]
    Invalid(DomainError),
    #[error("{0}")]
    Conflict(String),
    #[error("too many attempts; try again later")]
    TooManyAttempts,
    /// The request itself is malformed (not JSON, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// Details are logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::Invalid(d) => Self::Invalid(d),
            StoreError::Backend(m) => Self::Internal(m),
        }
    }
}

impl From<DomainError> for ServiceError {
    fn from(e: DomainError) -> Self {
        Self::Invalid(e)
    }
}

impl ServiceError {
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(DomainError::field(field, code, message))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a user may see; internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            Self::NotFound => "Not found".into(),
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "Something went wrong on our side; the details are in the server log".into()
            }
            other => other.to_string(),
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid(d) => d.errors(),
            _ => &[],
        }
    }
}

/// An error answered as `{"error": {"code", "message", "field"?, "details"?}}`.
#[derive(Debug)]
pub struct ApiError(pub ServiceError);

impl<E: Into<ServiceError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = e.status();
        let body = match &e {
            ServiceError::Invalid(d) => {
                let first = d.errors().first();
                json!({"error": {
                    "code": first.map_or("invalid", |f| f.code),
                    "message": e.public_message(),
                    "field": first.map(|f| f.field.clone()),
                    "details": d.errors(),
                }})
            }
            other => {
                let code = match other {
                    ServiceError::NotFound => "not_found",
                    ServiceError::Forbidden(_) => "forbidden",
                    ServiceError::Unauthorized => "unauthorized",
                    ServiceError::Conflict(_) => "conflict",
                    ServiceError::TooManyAttempts => "too_many_attempts",
                    ServiceError::BadRequest(_) => "bad_request",
                    _ => "internal",
                };
                json!({"error": {"code": code, "message": other.public_message()}})
            }
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

/// Turns a serde message into a 422 that names the offending field where it can.
pub fn body_error(message: &str) -> ServiceError {
    let message =
        message.trim_start_matches("Failed to deserialize the JSON body into the target type: ");
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("unknown field") || message.contains("missing field"))
        .unwrap_or("body");
    let code = if message.contains("unknown field") {
        "unknown_field"
    } else if message.contains("missing field") {
        "required"
    } else {
        "invalid_body"
    };
    ServiceError::invalid(field, code, message.to_string())
}

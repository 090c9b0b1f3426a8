//! The use cases' one error type. It says what went wrong in the user's terms; the web layer
//! alone maps it to HTTP, and the CLI to a message.

use portico_domain::portal_user::InviteFailure;
use portico_domain::{DomainError, FieldError};
use portico_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, or outside the caller's reach: the two look the same.
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("{0}")]
    Invalid(DomainError),
    /// A rule about uniqueness or state, in the user's words.
    #[error("{0}")]
    Conflict(String),
    /// A value that must be unique already exists; `field` names it.
    #[error("{message}")]
    Duplicate { field: String, message: String },
    /// The record changed since the caller read it (its version is now `current_version`).
    #[error(
        "This record was changed by someone else since you opened it (it is now at version {current_version}); reload it and apply your change again"
    )]
    Stale { current_version: i64 },
    #[error("too many attempts; try again later")]
    TooManyAttempts,
    /// More password checks are waiting than the server takes on; try again shortly.
    #[error("the server is busy; try again in a moment")]
    Busy,
    /// A record cannot be invited to a portal, for one of the reasons of PRODUCT.md.
    #[error("{}", .0.message())]
    InviteRefused(InviteFailure),
    /// The request itself is malformed (not JSON, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// The request is larger than this place accepts.
    #[error("{0}")]
    TooLarge(String),
    /// The database failed; the source is kept for the log, never shown.
    #[error("database failure")]
    Store(#[source] StoreError),
    /// Details are logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::Duplicate { field, message } => Self::Duplicate { field, message },
            StoreError::Stale { current_version } => Self::Stale { current_version },
            StoreError::Invalid(d) => Self::Invalid(d),
            other @ (StoreError::Backend(_) | StoreError::Database(_)) => Self::Store(other),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        Self::Invalid(e)
    }
}

impl AppError {
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(DomainError::field(field, code, message))
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid(d) => d.errors(),
            _ => &[],
        }
    }

    /// The error with every cause in its chain, for a log line.
    pub fn detail(&self) -> String {
        let mut out = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            out.push_str(": ");
            out.push_str(&s.to_string());
            source = s.source();
        }
        out
    }

    /// A message for the operator's terminal: every field error, or the error itself.
    pub fn describe(&self) -> String {
        let details: Vec<String> = self
            .field_errors()
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect();
        if details.is_empty() {
            self.detail()
        } else {
            details.join("; ")
        }
    }
}

/// Turns a serde message into a 422 that names the offending field where it can.
pub fn body_error(message: &str) -> AppError {
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
    AppError::invalid(field, code, message.to_string())
}

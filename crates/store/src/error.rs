//! The storage layer's one error type.

use portico_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist in this org (or is outside the caller's reach).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the message says which.
    #[error("{0}")]
    Conflict(String),
    /// Stored data refused a value (a lookup to a missing record, a profile of another org).
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The database failed or returned something unexpected.
    #[error("database error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(f, msg)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                {
                    Self::Conflict(msg.clone().unwrap_or_else(|| "already exists".into()))
                } else {
                    Self::Backend(e.to_string())
                }
            }
            rusqlite::Error::QueryReturnedNoRows => Self::NotFound,
            _ => Self::Backend(e.to_string()),
        }
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
            let detail = e
                .as_db_error()
                .map(|d| d.constraint().unwrap_or("unique").to_string())
                .unwrap_or_default();
            Self::Conflict(detail)
        } else {
            Self::Backend(e.to_string())
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Self::Backend(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Backend(format!("stored JSON is malformed: {e}"))
    }
}

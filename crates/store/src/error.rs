//! The storage layer's one error type. Driver errors keep their source; named unique
//! constraints become [`StoreError::Duplicate`] naming the field.

use portico_domain::DomainError;

type Source = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist in this org (or is outside the caller's reach).
    #[error("not found")]
    NotFound,
    /// A uniqueness or state rule was broken; the message says which.
    #[error("{0}")]
    Conflict(String),
    /// A unique constraint of the schema refused the row; `field` names the value.
    #[error("{message}")]
    Duplicate { field: String, message: String },
    /// A versioned write found the row at another version.
    #[error("the row changed meanwhile (now version {current_version})")]
    Stale { current_version: i64 },
    /// Stored data refused a value (a lookup to a missing record, a profile of another org).
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// Stored data is not what the code expects.
    #[error("unexpected stored data: {0}")]
    Backend(String),
    /// The database failed.
    #[error("database error")]
    Database(#[source] Source),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A unique constraint of the schema: how SQLite reports it (its table and columns), its name
/// on PostgreSQL, the field it is about and what the user is told.
#[derive(Debug, Clone, Copy)]
pub struct UniqueConstraint {
    pub sqlite: &'static str,
    pub postgres: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

/// Every unique constraint and unique index of the schema, primary keys aside (a test checks
/// this list against both schemas).
pub const UNIQUE_CONSTRAINTS: &[UniqueConstraint] = &[
    UniqueConstraint {
        sqlite: "users.org_id, users.email_key",
        postgres: "users_org_id_email_key_key",
        field: "email",
        message: "A user with this email address already exists in this org",
    },
    UniqueConstraint {
        sqlite: "portals.name_key",
        postgres: "portals_name_key_key",
        field: "name",
        message: "A portal with this name already exists on this instance; choose another",
    },
    UniqueConstraint {
        sqlite: "portals.slug",
        postgres: "portals_slug_key",
        field: "slug",
        message: "This portal address is already in use; choose another",
    },
    UniqueConstraint {
        sqlite: "portals.org_id, portals.custom_domain",
        postgres: "portals_org_id_custom_domain_key",
        field: "custom_domain",
        message: "Another portal of this org already uses this domain",
    },
    // A partial unique index: only verified domains are unique on the instance.
    UniqueConstraint {
        sqlite: "portals.custom_domain",
        postgres: "portals_verified_domain",
        field: "custom_domain",
        message: "This domain is already verified by another portal",
    },
    UniqueConstraint {
        sqlite: "api_tokens.token_hash",
        postgres: "api_tokens_hash",
        field: "token",
        message: "This token already exists",
    },
    UniqueConstraint {
        sqlite: "portal_user_types.portal_id, portal_user_types.name_key",
        postgres: "portal_user_types_portal_id_name_key_key",
        field: "name",
        message: "This portal already has a user type with this name",
    },
    UniqueConstraint {
        sqlite: "portal_users.portal_id, portal_users.email_key",
        postgres: "portal_users_email",
        field: "email",
        message: "This email address is already a user of this portal",
    },
    UniqueConstraint {
        sqlite: "portal_users.portal_id, portal_users.record_id",
        postgres: "portal_users_record",
        field: "record_id",
        message: "This record is already a user of this portal",
    },
    UniqueConstraint {
        sqlite: "modules.org_id, modules.api_name",
        postgres: "modules_org_id_api_name_key",
        field: "api_name",
        message: "A module with this name already exists",
    },
    UniqueConstraint {
        sqlite: "fields.module_id, fields.api_name",
        postgres: "fields_module_id_api_name_key",
        field: "api_name",
        message: "A field with this name already exists in the module",
    },
    UniqueConstraint {
        sqlite: "layouts.module_id, layouts.name",
        postgres: "layouts_module_id_name_key",
        field: "name",
        message: "A layout with this name already exists in the module",
    },
    UniqueConstraint {
        sqlite: "profiles.org_id, profiles.name",
        postgres: "profiles_org_id_name_key",
        field: "name",
        message: "A profile with this name already exists",
    },
    UniqueConstraint {
        sqlite: "web_tabs.org_id, web_tabs.name",
        postgres: "web_tabs_org_id_name_key",
        field: "name",
        message: "A web tab with this name already exists",
    },
];

fn duplicate(found: impl Fn(&UniqueConstraint) -> bool, fallback: String) -> StoreError {
    match UNIQUE_CONSTRAINTS.iter().find(|u| found(u)) {
        Some(u) => StoreError::Duplicate {
            field: u.field.to_string(),
            message: u.message.to_string(),
        },
        None => StoreError::Conflict(fallback),
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(f, msg)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                // "UNIQUE constraint failed: users.email_key"
                let msg = msg.clone().unwrap_or_default();
                let columns = msg.rsplit(": ").next().unwrap_or("").to_string();
                duplicate(
                    |u| u.sqlite == columns,
                    "This value is already in use".into(),
                )
            }
            rusqlite::Error::QueryReturnedNoRows => Self::NotFound,
            _ => Self::Database(Box::new(e)),
        }
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
            let constraint = e
                .as_db_error()
                .and_then(|d| d.constraint())
                .unwrap_or("")
                .to_string();
            duplicate(
                |u| u.postgres == constraint,
                "This value is already in use".into(),
            )
        } else {
            Self::Database(Box::new(e))
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Self::Database(Box::new(e))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Backend(format!("stored JSON is malformed: {e}"))
    }
}

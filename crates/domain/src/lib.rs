//! The CRM's vocabulary as pure types and functions: orgs, modules, fields, layouts, records,
//! CRM users and profiles, web tabs and canvas templates. Inputs become these types through
//! fallible constructors ("parse, don't validate"); nothing here does I/O, so every rule can be
//! tested without a database or a clock.

pub mod access;
pub mod base_url;
pub mod canvas;
pub mod countries;
pub mod email;
pub mod email_domains;
pub mod error;
pub mod field;
pub mod layout;
pub mod lockout;
pub mod module;
pub mod org;
pub mod outbox;
pub mod password_policy;
pub mod portal;
pub mod portal_access;
pub mod portal_user;
pub mod profile;
pub mod record;
pub mod standard;
pub mod text;
pub mod webtab;

pub use error::{DomainError, FieldError};

/// Row identifiers are database-assigned 64-bit integers.
pub type Id = i64;

/// Milliseconds since the Unix epoch (UTC); the clock lives outside the domain.
pub type Millis = i64;

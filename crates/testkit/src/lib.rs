//! Dev-only helpers for Portico's tests: fresh databases on both backends and a DNS server on
//! localhost. Nothing here ships in the binary; crates take this one as a dev-dependency only.

pub mod db;
pub mod dns;

pub use db::{postgres_required, postgres_url, sqlite_url};

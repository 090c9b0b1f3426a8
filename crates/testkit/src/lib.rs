//! Dev-only helpers for Portico's tests: fresh databases on both backends and a DNS server on
//! localhost; with the `harness` feature, the whole app on port 0 with the fixture org the tests
//! own ([`fixtures`]), an HTTP client for it ([`app`]), a real SMTP server to deliver to
//! ([`smtp`]) and a headless browser ([`webdriver`]).
//! Nothing here ships in the binary; crates take this one as a dev-dependency only.

#[cfg(feature = "harness")]
pub mod app;
pub mod db;
pub mod dns;
#[cfg(feature = "harness")]
pub mod fixtures;
#[cfg(feature = "harness")]
pub mod smtp;
#[cfg(feature = "harness")]
pub mod webdriver;

pub use db::{postgres_required, postgres_url, sqlite_url};

//! Storage for Portico: the [`Store`] with every persistent operation, written once against the
//! [`sql::Executor`] trait, and two real backends behind it — SQLite (embedded default, WAL) and
//! PostgreSQL (for many stateless instances). The backend is picked from the database URL.
//! Every operation takes the org it acts for and never reaches another org's rows.

pub mod error;
pub mod migrations;
mod portals;
mod postgres;
pub mod sql;
mod sqlite;
mod store;
pub mod testing;

pub use error::{StoreError, StoreResult};
pub use portals::*;
pub use store::*;

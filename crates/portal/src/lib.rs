//! Portal-facing use cases: what a portal user sees and does (the portal app's pages, in the user's language and time zone), and the admin's preview of it.
//! Every record read or written here goes through
//! [`portico_app::scoped_records::ScopedRecords`], the one portal enforcement point. This
//! crate does not depend on the store: an unscoped read does not compile.

pub mod api;
pub mod format;
pub mod i18n;
pub mod pages;
pub mod preview;

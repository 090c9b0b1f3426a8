//! Portal-facing use cases: what a portal user sees and does (today the landing page of a
//! signed-in portal user), and the admin's preview of it.
//! Every record read or written here goes through
//! [`portico_app::scoped_records::ScopedRecords`], the one portal enforcement point. This
//! crate does not depend on the store: an unscoped read does not compile.

pub mod api;
pub mod landing;
pub mod preview;

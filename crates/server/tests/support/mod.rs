//! The server tests' harness, kept under the names the test files use. It lives in
//! `portico_testkit` (`app`, `fixtures`, `webdriver`): the whole app on port 0 with a fresh
//! database and the fixture org; `ADMIN` and `REP` sign in as the fixture's users.
#![allow(dead_code, unused_imports)]

pub mod portal;

pub use portico_testkit::app::{Backend, Page, Reply, TestApp, spawn, spawn_configured};
pub use portico_testkit::fixtures::{ADMIN, REP};
pub use portico_testkit::webdriver;

/// Runs each named test on SQLite and on PostgreSQL; see `portico_testkit::on_both_backends!`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        ::portico_testkit::on_both_backends!($($name),*);
    };
}

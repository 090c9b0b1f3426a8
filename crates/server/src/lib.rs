//! The `portico` binary's parts that tests also use: configuration and demo data.

pub mod config;
pub mod demo;

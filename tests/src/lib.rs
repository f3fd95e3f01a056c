//! Helpers for the integration tests: a server on a random port over a fresh
//! database (a new SQLite file, or a new database in the throw-away
//! PostgreSQL cluster that `make test` starts), and the real `ediary` binary.
//!
//! Each test runs on both backends through [`on_both_backends!`].
//! `TEST_LOG=1` shows the server's logs.

pub mod bench;
mod client;
pub mod clock;
mod db;
pub mod diary;
mod fixtures;
pub mod panics;
mod process;
pub mod sinks;
mod test_app;

pub use client::{browser_session, error_code};
pub use clock::{SiteClock, seed_demo, site_timezone};
pub use db::{
    Db, PG_URL_VAR, TestDb, drop_pg_database, fresh_db, init_logs, open_store, raw_execute,
    raw_scalar_i64,
};
pub use fixtures::{demo_password, other_site_investigator, staff_token};
pub use process::{ServerProcess, ediary_bin, free_port, wait_ready};
pub use test_app::{
    TEST_SECRET, TestApp, TestSite, spawn_app, spawn_app_with, spawn_app_with_alerts,
    spawn_app_with_site,
};

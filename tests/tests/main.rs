//! Every integration test, in one binary (see `autotests` in Cargo.toml).

mod accounts;
mod alerts;
mod alerts_process;
mod auth;
mod authorization;
mod browser_session;
mod crash;
mod demo;
mod exports;
mod http;
mod mfa;
mod mutation_fuzz;
mod openapi;
mod outcomes;
mod pg_roles;
mod process;
mod proxy;
mod real_study;
mod roster;
mod security;
mod settings;
mod store;
mod sync;
mod sync_model;

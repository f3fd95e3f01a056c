//! The `ediary` server: command line, configuration, database store, HTTP
//! API and the server side of the Leptos app.

#![recursion_limit = "256"]

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod enrollment;
pub mod export;
pub mod http;
pub mod password;
pub mod policy;
pub mod schema;
pub mod serve;
pub mod service;
pub mod state;
pub mod store;
pub mod sync;
pub mod telemetry;

//! The diary's domain: pure functions and types that run the same on the
//! phone (WASM) and on the server.

pub mod account;
pub mod alerts;
pub mod classification;
pub mod entry;
pub mod glucose;
pub mod insulin;
pub mod labs;
pub mod language;
pub mod mutation;
pub mod outcomes;
pub mod roster;
pub mod study_outcomes;
#[cfg(feature = "ssr")]
pub mod time;
pub mod visits;

//! The participant and guardian phone app: offline-first. What the person
//! saves goes to an IndexedDB outbox first and is sent by the sync protocol
//! whenever the network allows; the screens show the server's entries with
//! the outbox laid over them.
//!
//! `model` and `i18n` are plain functions shared and tested natively. The
//! rest runs only in the browser: the app is mounted there rather than
//! rendered on the server, since everything it shows comes from the phone's
//! own storage (which also keeps hydration code for it out of the WASM).

pub mod i18n;
pub mod model;

#[cfg(feature = "hydrate")]
mod chart;
#[cfg(feature = "hydrate")]
pub mod local;
#[cfg(feature = "hydrate")]
pub mod screens;
#[cfg(feature = "hydrate")]
pub mod state;
#[cfg(feature = "hydrate")]
pub mod sync;

//! Logging: `RUST_LOG` picks what is shown (default `info`).

use tracing_subscriber::{EnvFilter, fmt};

pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // A second init (tests start many servers in one process) is harmless.
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

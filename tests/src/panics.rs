//! Panics of the servers under test, written where `make test` looks for
//! them afterwards (`tests/check-panics.sh`): a panic anywhere fails the
//! suite, even one the test never notices (a dropped connection, a task
//! that died).
//!
//! In-process servers run on the test's own thread, so a panic is told
//! apart from a test's failed assertion by where it happened: not in the
//! test crate (`tests/`). Spawned `ediary` processes write their stderr to
//! a file in the same directory.

use std::{
    fs::OpenOptions,
    io::Write,
    path::PathBuf,
    process::Stdio,
    sync::{Mutex, Once},
};

/// The directory the logs go to; unset, panics are only printed.
pub const LOG_DIR_VAR: &str = "EDIARY_TEST_LOG_DIR";

fn log_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os(LOG_DIR_VAR)?);
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
}

/// Installs the panic hook once per test binary.
pub fn watch() {
    static ONCE: Once = Once::new();
    static FILE: Mutex<()> = Mutex::new(());
    ONCE.call_once(|| {
        let Some(dir) = log_dir() else { return };
        let path = dir.join(format!("in-process-{}.log", std::process::id()));
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info.location();
            let in_tests = location.is_some_and(|l| l.file().starts_with("tests/"));
            if !in_tests {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let thread = std::thread::current();
                let _guard = FILE.lock();
                if let Ok(mut file) = OpenOptions::new().create(true).append(true).open(&path) {
                    let _ = writeln!(
                        file,
                        "thread '{}' panicked at {}: {message}",
                        thread.name().unwrap_or("?"),
                        location.map_or_else(|| "?".to_owned(), ToString::to_string),
                    );
                }
            }
            previous(info);
        }));
    });
}

/// Where a spawned server's stderr goes: a new file in the log directory,
/// or nowhere when there is none.
pub fn server_stderr(name: &str) -> Stdio {
    let Some(dir) = log_dir() else {
        return Stdio::null();
    };
    let path = dir.join(format!(
        "{name}-{}-{}.log",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    match std::fs::File::create(path) {
        Ok(file) => file.into(),
        Err(_) => Stdio::null(),
    }
}

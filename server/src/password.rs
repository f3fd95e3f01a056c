//! Password hashing: argon2id (m = 19456 KiB, t = 2, p = 1, the OWASP
//! minimum) as PHC strings, computed off the async runtime.

use std::sync::{Arc, OnceLock};

use argon2::{
    Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version,
    password_hash::{PasswordHash as Phc, SaltString},
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::store::PasswordHash;

pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// At most this many hashes at once: each takes 19 MiB, so a burst of
/// sign-ins waits its turn instead of exhausting memory.
fn permits() -> &'static Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Arc::new(Semaphore::new(cores.max(2)))
    })
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, PasswordError> + Send + 'static,
) -> Result<T, PasswordError> {
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    tokio::task::spawn_blocking(work).await?
}

/// Hashes on a blocking thread: argon2 takes tens of milliseconds and 19 MiB.
pub async fn hash(password: SecretString) -> Result<PasswordHash, PasswordError> {
    blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| PasswordError::Hash(e.to_string()))?;
        let phc = hasher()?
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map_err(|e| PasswordError::Hash(e.to_string()))?;
        Ok(PasswordHash(phc.to_string()))
    })
    .await
}

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Wrong,
    Right { needs_rehash: bool },
}

/// Checks `password` against `stored`. Without a stored hash (an unknown
/// username) it checks against a dummy one, so both cost the same time.
pub async fn verify(
    password: SecretString,
    stored: Option<PasswordHash>,
) -> Result<Verdict, PasswordError> {
    let known = stored.is_some();
    let stored = match stored {
        Some(hash) => hash,
        None => dummy_hash().await?,
    };
    blocking(move || {
        let phc = Phc::new(&stored.0).map_err(|e| PasswordError::Hash(e.to_string()))?;
        let right = hasher()?
            .verify_password(password.expose_secret().as_bytes(), &phc)
            .is_ok();
        Ok(match (known, right) {
            (true, true) => Verdict::Right {
                needs_rehash: weaker_than_current(&phc),
            },
            _ => Verdict::Wrong,
        })
    })
    .await
}

/// True when the stored hash is not argon2id with at least today's parameters.
fn weaker_than_current(phc: &Phc<'_>) -> bool {
    let param = |name: &str| phc.params.get_decimal(name).unwrap_or(0);
    phc.algorithm.as_str() != "argon2id"
        || param("m") < MEMORY_KIB
        || param("t") < ITERATIONS
        || param("p") < PARALLELISM
}

async fn dummy_hash() -> Result<PasswordHash, PasswordError> {
    static DUMMY: tokio::sync::OnceCell<PasswordHash> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| hash(SecretString::from(hex::encode(rand::random::<[u8; 16]>()))))
        .await
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2id_with_the_required_parameters() {
        let hashed = hash(SecretString::from("correct horse battery"))
            .await
            .unwrap();
        assert!(
            hashed.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            hashed.0
        );
        let phc = Phc::new(&hashed.0).unwrap();
        assert!(
            hasher()
                .unwrap()
                .verify_password(b"correct horse battery", &phc)
                .is_ok()
        );
        assert!(
            hasher()
                .unwrap()
                .verify_password(b"wrong horse battery", &phc)
                .is_err()
        );
    }
}

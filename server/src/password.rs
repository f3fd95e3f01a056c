//! Password hashing: argon2id (m = 19456 KiB, t = 2, p = 1, the OWASP
//! minimum) as PHC strings, computed off the async runtime.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version, password_hash::SaltString};
use secrecy::{ExposeSecret, SecretString};

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

/// Hashes on a blocking thread: argon2 takes tens of milliseconds and 19 MiB.
pub async fn hash(password: SecretString) -> Result<PasswordHash, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| PasswordError::Hash(e.to_string()))?;
        let phc = hasher()?
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map_err(|e| PasswordError::Hash(e.to_string()))?;
        Ok(PasswordHash(phc.to_string()))
    })
    .await?
}

#[cfg(test)]
mod tests {
    use argon2::{PasswordVerifier, password_hash::PasswordHash as Phc};

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

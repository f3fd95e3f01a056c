//! Password hashing: argon2id (m = 19456 KiB, t = 2, p = 1, the OWASP
//! minimum) as PHC strings, computed off the async runtime.

use std::sync::{Arc, Mutex, OnceLock, mpsc};

use std::cell::RefCell;

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordVerifier, Version,
    password_hash::{Output, ParamsString, PasswordHash as Phc, Salt, SaltString},
};
use secrecy::{ExposeSecret, SecretString};

use crate::store::PasswordHash;

pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the password hashing threads are not running")]
    Pool,
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed pool of hashing threads, one per core (at least two). Each hash
/// takes 19 MiB; on the same few threads that memory is reused, so a burst of
/// sign-ins queues up instead of growing the process (with tokio's blocking
/// pool every new thread kept its own 19 MiB allocator arena).
fn pool() -> &'static Mutex<mpsc::Sender<Job>> {
    static POOL: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let workers = std::thread::available_parallelism()
            .map_or(2, usize::from)
            .max(2);
        for i in 0..workers {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("ediary-argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = match receiver.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A panic ends the job (its caller sees an error), not the worker.
                            Ok(job) => {
                                drop(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)))
                            }
                            Err(_) => return,
                        }
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password hashing thread");
            }
        }
        Mutex::new(sender)
    })
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, PasswordError> + Send + 'static,
) -> Result<T, PasswordError> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(work());
    });
    pool()
        .lock()
        .map_err(|_| PasswordError::Pool)?
        .send(job)
        .map_err(|_| PasswordError::Pool)?;
    answer.await.map_err(|_| PasswordError::Pool)?
}

thread_local! {
    /// The argon2 working memory of this hashing thread, allocated once and
    /// reused by every hash it computes.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 in this thread's reusable memory.
fn compute(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: &Salt<'_>,
    output_len: usize,
) -> Result<Output, PasswordError> {
    let fail = |e: &dyn std::fmt::Display| PasswordError::Hash(e.to_string());
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).map_err(|e| fail(&e))?;
    BLOCKS.with_borrow_mut(|blocks| {
        let count = argon.params().block_count();
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        Output::init_with(output_len, |out| {
            argon
                .hash_password_into_with_memory(password, salt, out, &mut blocks[..count])
                .map_err(Into::into)
        })
        .map_err(|e| fail(&e))
    })
}

/// Hashes on one of the hashing threads: argon2 takes tens of milliseconds.
pub async fn hash(password: SecretString) -> Result<PasswordHash, PasswordError> {
    blocking(move || {
        let fail = |e: &dyn std::fmt::Display| PasswordError::Hash(e.to_string());
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| fail(&e))?;
        let argon = hasher()?;
        let output = compute(
            &argon,
            password.expose_secret().as_bytes(),
            &salt.as_salt(),
            Params::DEFAULT_OUTPUT_LEN,
        )?;
        let phc = Phc {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(argon.params()).map_err(|e| fail(&e))?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(PasswordHash(phc.to_string()))
    })
    .await
}

/// The rank up to which a password counts as common.
pub const COMMON_TOP: usize = 10_000;

/// True for one of the 10,000 most common passwords, in any case: the ranked
/// password list that the zxcvbn crate ships (from leaked-password
/// frequencies), matched against the whole password.
pub fn is_common(password: &str) -> bool {
    let len = password.chars().count();
    if len == 0 {
        return false;
    }
    zxcvbn::zxcvbn(password, &[]).sequence().iter().any(|m| {
        m.i == 0
            && m.j + 1 == len
            && matches!(&m.pattern, zxcvbn::matching::patterns::MatchPattern::Dictionary(d)
                if d.dictionary_name == Default::default() && d.rank <= COMMON_TOP && !d.reversed && !d.l33t)
    })
}

/// The rules for a new password: length, and not a common one. The reason
/// in the words shown to the person choosing it.
pub fn check_new(password: &str) -> Result<(), String> {
    app::domain::account::check_password_length(password).map_err(|e| e.to_string())?;
    if is_common(password) {
        return Err("this is one of the most common passwords: choose another".into());
    }
    Ok(())
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
        let right = check(&phc, password.expose_secret().as_bytes())?;
        Ok(match (known, right) {
            (true, true) => Verdict::Right {
                needs_rehash: weaker_than_current(&phc),
            },
            _ => Verdict::Wrong,
        })
    })
    .await
}

/// Recomputes an argon2id hash in reused memory and compares in constant
/// time; other algorithms take argon2's own (allocating) path.
fn check(phc: &Phc<'_>, password: &[u8]) -> Result<bool, PasswordError> {
    let (Some(expected), Some(salt), true) = (
        phc.hash,
        phc.salt,
        phc.algorithm == Algorithm::Argon2id.ident(),
    ) else {
        return Ok(Argon2::default().verify_password(password, phc).is_ok());
    };
    let fail = |e: &dyn std::fmt::Display| PasswordError::Hash(e.to_string());
    let params = Params::try_from(phc).map_err(|e| fail(&e))?;
    let version = match phc.version {
        Some(v) => Version::try_from(v).map_err(|e| fail(&e))?,
        None => Version::default(),
    };
    let argon = Argon2::new(Algorithm::Argon2id, version, params);
    Ok(compute(&argon, password, &salt, expected.len())? == expected)
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
    use argon2::PasswordHasher;

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

    #[tokio::test]
    async fn verdicts() {
        let stored = hash(SecretString::from("correct horse battery"))
            .await
            .unwrap();
        let check = |password: &str, stored: Option<PasswordHash>| {
            verify(SecretString::from(password.to_owned()), stored)
        };
        assert_eq!(
            check("correct horse battery", Some(stored.clone()))
                .await
                .unwrap(),
            Verdict::Right {
                needs_rehash: false
            }
        );
        assert_eq!(
            check("correct horse batterx", Some(stored)).await.unwrap(),
            Verdict::Wrong
        );
        assert_eq!(check("anything", None).await.unwrap(), Verdict::Wrong);

        // A hash made elsewhere with weaker parameters is right, and asks to be redone.
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        );
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let old = PasswordHash(
            weak.hash_password(b"old parameters", &salt)
                .unwrap()
                .to_string(),
        );
        assert_eq!(
            check("old parameters", Some(old.clone())).await.unwrap(),
            Verdict::Right { needs_rehash: true }
        );
        assert_eq!(
            check("old parameterz", Some(old)).await.unwrap(),
            Verdict::Wrong
        );
        // An argon2i hash goes through argon2's own path, and is upgraded too.
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::default());
        let legacy = PasswordHash(
            argon2i
                .hash_password(b"legacy words", &salt)
                .unwrap()
                .to_string(),
        );
        assert_eq!(
            check("legacy words", Some(legacy)).await.unwrap(),
            Verdict::Right { needs_rehash: true }
        );
    }

    #[test]
    fn common_passwords_are_refused() {
        // Ranks 1, 2, ~100 and ~9,000 of the list, in other cases too.
        for common in [
            "123456",
            "password",
            "Password",
            "PASSWORD1",
            "football",
            "sunshine",
            "qwertyuiop",
        ] {
            assert!(is_common(common), "{common}");
            assert!(check_new(common).is_err(), "{common}");
        }
        for fine in [
            "correct horse battery",
            "sunrise-lantern-4821",
            "mei's diary 2026",
            "糖尿病日记密码安全",
        ] {
            assert!(!is_common(fine), "{fine}");
            assert_eq!(check_new(fine), Ok(()), "{fine}");
        }
        assert!(check_new("short").unwrap_err().contains("at least 8"));
    }
}

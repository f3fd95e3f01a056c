//! Typed configuration: database URL, data directory, secrets, site files.
//! Every problem here is a [`ConfigError`], which the command line reports in
//! one line with exit status 2.

use std::{
    fmt,
    fs::{self, OpenOptions},
    io::{Read, Write},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use secrecy::{ExposeSecret, SecretString};

/// The shortest HS256 secret we accept (RFC 7518 section 3.2).
pub const MIN_SECRET_BYTES: usize = 32;
const SECRET_FILE: &str = "jwt-secret";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the database URL {0:?} is not valid: {1}")]
    BadDatabaseUrl(String, String),
    #[error("the database URL scheme {0:?} is not supported: use sqlite://PATH or postgres://...")]
    UnknownScheme(String),
    #[error("the data directory {path} is not usable: {cause}")]
    DataDir {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "EDIARY_JWT_SECRET must be set with PostgreSQL: at least {MIN_SECRET_BYTES} random bytes, the same on every server instance"
    )]
    MissingSecret,
    #[error("EDIARY_JWT_SECRET is too short: it needs at least {MIN_SECRET_BYTES} bytes")]
    WeakSecret,
    #[error("the secret file {path} is not usable: {cause}")]
    SecretFile { path: PathBuf, cause: String },
}

/// Where the data lives, picked by the URL scheme.
#[derive(Clone)]
pub enum DatabaseUrl {
    /// `sqlite://data/ediary.db`; `path` is `None` for in-memory databases.
    Sqlite { url: String, path: Option<PathBuf> },
    /// `postgres://` or `postgresql://`; the URL may hold a password.
    Postgres(SecretString),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        let Some((scheme, rest)) = raw.split_once(':') else {
            return Err(ConfigError::BadDatabaseUrl(
                raw.to_owned(),
                "it has no scheme (sqlite:// or postgres://)".into(),
            ));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => {
                let file = rest.trim_start_matches("//");
                let file = file.split_once('?').map_or(file, |(file, _)| file);
                if file.is_empty() {
                    return Err(ConfigError::BadDatabaseUrl(
                        raw.to_owned(),
                        "it names no database file".into(),
                    ));
                }
                let path = (!file.contains(":memory:") && !raw.contains("mode=memory"))
                    .then(|| PathBuf::from(file));
                Ok(Self::Sqlite {
                    url: raw.to_owned(),
                    path,
                })
            }
            "postgres" | "postgresql" => {
                let parsed = url::Url::parse(raw)
                    .map_err(|e| ConfigError::BadDatabaseUrl(redact(raw), e.to_string()))?;
                if parsed.host_str().is_none_or(str::is_empty) && !raw.contains("host=") {
                    return Err(ConfigError::BadDatabaseUrl(
                        redact(raw),
                        "it names no host".into(),
                    ));
                }
                Ok(Self::Postgres(SecretString::from(raw.to_owned())))
            }
            other => Err(ConfigError::UnknownScheme(other.to_owned())),
        }
    }

    /// The default database inside the data directory.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        let path = data_dir.join("ediary.db");
        Self::Sqlite {
            url: format!("sqlite://{}", path.display()),
            path: Some(path),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// Shown in logs: a PostgreSQL password is replaced by `***`.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite { url, .. } => f.write_str(url),
            Self::Postgres(url) => f.write_str(&redact(url.expose_secret())),
        }
    }
}

fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            // set_password only fails for URLs that cannot have one.
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) => "(unparseable URL)".into(),
    }
}

/// Makes sure `dir` exists and that we can write files in it.
pub fn prepare_dir(dir: &Path) -> Result<(), ConfigError> {
    let fail = |cause| ConfigError::DataDir {
        path: dir.to_owned(),
        cause,
    };
    fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(format!(".write-test-{}", std::process::id()));
    fs::write(&probe, b"ok").map_err(fail)?;
    fs::remove_file(&probe).map_err(fail)
}

/// Prepares the directories a database URL needs (the SQLite file's folder).
pub fn prepare_database_dir(url: &DatabaseUrl) -> Result<(), ConfigError> {
    match url {
        DatabaseUrl::Sqlite {
            path: Some(path), ..
        } => match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => prepare_dir(parent),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The token-signing secret: the one configured, or with an embedded SQLite
/// database one generated on first start and kept in the data directory
/// (mode 0600). Several PostgreSQL-backed instances must share one, so there
/// it has to be configured.
pub fn signing_secret(
    configured: Option<SecretString>,
    database: &DatabaseUrl,
    data_dir: &Path,
) -> Result<SecretString, ConfigError> {
    if let Some(secret) = configured {
        if secret.expose_secret().len() < MIN_SECRET_BYTES {
            return Err(ConfigError::WeakSecret);
        }
        return Ok(secret);
    }
    if database.is_postgres() {
        return Err(ConfigError::MissingSecret);
    }
    let path = data_dir.join(SECRET_FILE);
    let fail = |cause: String| ConfigError::SecretFile {
        path: path.clone(),
        cause,
    };
    match OpenOptions::new().read(true).open(&path) {
        Ok(mut file) => {
            let mut secret = String::new();
            file.read_to_string(&mut secret)
                .map_err(|e| fail(e.to_string()))?;
            let secret = secret.trim().to_owned();
            if secret.len() < MIN_SECRET_BYTES {
                return Err(fail(format!(
                    "it holds fewer than {MIN_SECRET_BYTES} bytes"
                )));
            }
            Ok(SecretString::from(secret))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = hex::encode(rand::random::<[u8; 32]>());
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .map_err(|e| fail(e.to_string()))?;
            file.write_all(secret.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| fail(e.to_string()))?;
            Ok(SecretString::from(secret))
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

/// Where the built web app (WASM, JS, CSS, icons) is.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub root: PathBuf,
    pub pkg_dir: String,
    pub output_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_by_scheme() {
        let ok = [
            ("sqlite://data/ediary.db", Some("data/ediary.db")),
            ("sqlite:data/x.db?mode=rwc", Some("data/x.db")),
            ("sqlite::memory:", None),
        ];
        for (raw, path) in ok {
            match DatabaseUrl::parse(raw) {
                Ok(DatabaseUrl::Sqlite { path: p, .. }) => {
                    assert_eq!(p.as_deref(), path.map(Path::new), "{raw}")
                }
                other => panic!("{raw}: {other:?}"),
            }
        }
        assert!(
            DatabaseUrl::parse("postgres://u:p@localhost:5432/db").is_ok_and(|u| u.is_postgres())
        );
        assert!(DatabaseUrl::parse("postgresql://localhost/db").is_ok_and(|u| u.is_postgres()));

        let bad = [
            ("nosuch://x", "UnknownScheme"),
            ("mysql://localhost/db", "UnknownScheme"),
            ("data/ediary.db", "BadDatabaseUrl"),
            ("sqlite://", "BadDatabaseUrl"),
            ("postgres://u:p@[::1/db", "BadDatabaseUrl"),
            ("postgres:///db", "BadDatabaseUrl"),
        ];
        for (raw, kind) in bad {
            let err = DatabaseUrl::parse(raw).expect_err(raw);
            assert!(format!("{err:?}").starts_with(kind), "{raw}: {err:?}");
        }
    }

    #[test]
    fn passwords_never_shown() {
        let url = DatabaseUrl::parse("postgres://ediary:hunter2secret@db.example/ediary").unwrap();
        assert!(!format!("{url} {url:?}").contains("hunter2secret"));
        let err = DatabaseUrl::parse("postgres://ediary:hunter2secret@[db/ediary").unwrap_err();
        assert!(!err.to_string().contains("hunter2secret"), "{err}");
    }

    #[test]
    fn secret_generated_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let db = DatabaseUrl::in_data_dir(dir.path());
        let first = signing_secret(None, &db, dir.path()).unwrap();
        let second = signing_secret(None, &db, dir.path()).unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        assert!(first.expose_secret().len() >= MIN_SECRET_BYTES);
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir.path().join(SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn secret_rules() {
        let dir = tempfile::tempdir().unwrap();
        let pg = DatabaseUrl::parse("postgres://localhost/db").unwrap();
        assert!(matches!(
            signing_secret(None, &pg, dir.path()),
            Err(ConfigError::MissingSecret)
        ));
        let short = Some(SecretString::from("too-short"));
        assert!(matches!(
            signing_secret(short, &pg, dir.path()),
            Err(ConfigError::WeakSecret)
        ));
        let long = Some(SecretString::from("x".repeat(MIN_SECRET_BYTES)));
        assert!(signing_secret(long, &pg, dir.path()).is_ok());
    }

    #[test]
    fn unusable_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        fs::write(&file, b"x").unwrap();
        assert!(matches!(
            prepare_dir(&file.join("sub")),
            Err(ConfigError::DataDir { .. })
        ));
        assert!(prepare_dir(&dir.path().join("new/nested")).is_ok());
    }
}

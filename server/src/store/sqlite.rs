//! The embedded SQLite backend: one file, WAL, synchronous=FULL. This file
//! is also SQLite's dialect for the shared queries in `sql/`: everything in
//! which SQLite differs from PostgreSQL is here.

use std::{path::Path, str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    SqliteConnection,
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};
use uuid::{Uuid, fmt::Hyphenated};

use super::{Backend, StoreError};

// On purpose: the shared queries compile once per backend.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

// The dialect the shared queries read through `super::`.
const BACKEND: Backend = Backend::Sqlite;
type Db = sqlx::Sqlite;
type Conn = SqliteConnection;
type Pool = SqlitePool;
type ThisStore = SqliteStore;
/// UUIDs are stored as hyphenated text.
type Uid = Hyphenated;
/// SQLite takes a list of ids as one JSON array.
type IdList = String;
/// No row locks: a write transaction holds the one writer turn.
const FOR_UPDATE: &str = "";
const SKIP_LOCKED: &str = "";

fn uid(id: Uuid) -> Uid {
    id.hyphenated()
}

fn uuid_of(id: Uid) -> Uuid {
    id.into_uuid()
}

fn id_list(ids: &[Uuid]) -> IdList {
    serde_json::Value::from(
        ids.iter()
            .map(|i| i.hyphenated().to_string())
            .collect::<Vec<_>>(),
    )
    .to_string()
}

/// `IN` the list of ids bound as parameter `param`.
fn in_ids(param: u8) -> String {
    format!("IN (SELECT value FROM json_each(${param}))")
}

/// Sign-in attempts for the same keys take turns; the writer turn already
/// orders them.
async fn lock_keys(_conn: &mut Conn, _keys: &[String]) -> Result<(), StoreError> {
    Ok(())
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct SqliteStore {
    pool: SqlitePool,
    /// SQLite has one writer. Writers of this process queue here, in order,
    /// instead of polling the file lock through `busy_timeout` (which sleeps
    /// in growing steps and ruins latency under load).
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction holding this process's writer turn until it ends.
pub(crate) struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        let store = Self {
            pool,
            writer: Arc::new(tokio::sync::Mutex::new(())),
        };
        store.check_settings().await?;
        MIGRATOR.run(&store.pool).await?;
        Ok(store)
    }

    /// Every writing transaction takes the write lock up front: a deferred
    /// one that reads first and writes later can fail with SQLITE_BUSY
    /// instead of waiting its turn.
    async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let turn = self.writer.clone().lock_owned().await;
        Ok(WriteTx {
            tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
            _turn: turn,
        })
    }

    /// Refuses a database whose settings would risk losing committed entries
    /// (an in-memory database, for one, cannot use WAL).
    async fn check_settings(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?;
        let busy_timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await?;
        let checks = [
            (
                "journal_mode",
                journal.eq_ignore_ascii_case("wal"),
                journal,
                "wal",
            ),
            (
                "synchronous",
                synchronous == 2,
                synchronous.to_string(),
                "2 (FULL)",
            ),
            (
                "foreign_keys",
                foreign_keys == 1,
                foreign_keys.to_string(),
                "1 (ON)",
            ),
            (
                "busy_timeout",
                busy_timeout > 0,
                busy_timeout.to_string(),
                "a positive timeout",
            ),
        ];
        match checks.into_iter().find(|(_, ok, _, _)| !ok) {
            Some((setting, _, actual, expected)) => Err(StoreError::UnsafeSetting {
                setting,
                actual,
                expected,
            }),
            None => Ok(()),
        }
    }

    async fn backup_to(&self, to: &Path) -> Result<(), StoreError> {
        if to.exists() {
            return Err(StoreError::Refused(format!(
                "{} already exists: a backup never overwrites a file",
                to.display()
            )));
        }
        let target = to
            .to_str()
            .ok_or_else(|| StoreError::Refused(format!("{} is not a UTF-8 path", to.display())))?;
        // VACUUM INTO writes a transactionally consistent copy while the
        // server keeps running.
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

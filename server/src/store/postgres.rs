//! The PostgreSQL backend, for multi-site trials and several server
//! instances. This file is also PostgreSQL's dialect for the shared queries
//! in `sql/`: everything in which PostgreSQL differs from SQLite is here.

use std::{path::Path, str::FromStr, time::Duration};

use secrecy::{ExposeSecret, SecretString};
use sqlx::{
    PgConnection,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
};
use uuid::Uuid;

use super::{Backend, StoreError};

// On purpose: the shared queries compile once per backend.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

// The dialect the shared queries read through `super::`.
const BACKEND: Backend = Backend::Postgres;
type Db = sqlx::Postgres;
type Conn = PgConnection;
type Pool = PgPool;
type ThisStore = PgStore;
/// UUIDs are PostgreSQL's own `uuid` type.
type Uid = Uuid;
/// A list of ids is a `uuid[]`.
type IdList = Vec<Uuid>;
/// Rows read to decide a write are locked until commit; a worker claiming
/// outbox rows or escalations skips those another instance holds.
const FOR_UPDATE: &str = "FOR UPDATE";
const SKIP_LOCKED: &str = "FOR UPDATE SKIP LOCKED";

fn uid(id: Uuid) -> Uid {
    id
}

fn uuid_of(id: Uid) -> Uuid {
    id
}

fn id_list(ids: &[Uuid]) -> IdList {
    ids.to_vec()
}

/// `= ANY` of the list of ids bound as parameter `param`.
fn in_ids(param: u8) -> String {
    format!("= ANY(${param})")
}

/// One sign-in attempt per key at a time, across server instances: the
/// advisory lock lasts until commit.
async fn lock_keys(conn: &mut Conn, keys: &[String]) -> Result<(), StoreError> {
    for key in keys {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn open(url: &SecretString) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url.expose_secret())?.application_name("ediary");
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        // Migrating needs the owner's rights; a server that runs as a
        // data-only role (so it cannot drop the append-only triggers) finds
        // nothing to do and goes on. Pending migrations are applied, and
        // fail plainly without those rights.
        if pending_migrations(&pool).await {
            MIGRATOR.run(&pool).await?;
        }
        Ok(Self { pool })
    }

    /// PostgreSQL's transactions run side by side; rows that must not
    /// change meanwhile are locked with `FOR UPDATE`.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    async fn backup_to(&self, _to: &Path) -> Result<(), StoreError> {
        Err(StoreError::Unsupported(
            "a PostgreSQL database is backed up with PostgreSQL's own tools: \
             pg_dump --format=custom --file=ediary.dump \"$EDIARY_DATABASE_URL\" \
             (restore with pg_restore), or continuous archiving for point-in-time recovery"
                .into(),
        ))
    }
}

/// Whether a migration of this build is not yet applied (or the ledger
/// cannot be read, which `MIGRATOR.run` then explains).
async fn pending_migrations(pool: &PgPool) -> bool {
    let applied: Vec<i64> =
        match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await
        {
            Ok(versions) => versions,
            Err(_) => return true,
        };
    MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .any(|m| !applied.contains(&m.version))
}

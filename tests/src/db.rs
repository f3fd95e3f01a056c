//! Fresh databases for each test, on both backends, and SQL behind the
//! server's back.

use std::sync::Arc;

use server::{
    config::DatabaseUrl,
    store::{self, Store},
};
use tempfile::TempDir;

/// The environment variable holding the admin URL of the test cluster.
pub const PG_URL_VAR: &str = "EDIARY_TEST_PG_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per backend for each named
/// `async fn NAME(db: Db)` in scope.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Db::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Db::Postgres).await
                }
            )*
        }
    };
}

/// A fresh, empty database that lives as long as this value.
pub struct TestDb {
    pub url: DatabaseUrl,
    /// The raw URL, for handing to the binary.
    pub raw_url: String,
    pub dir: TempDir,
}

pub fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        server::telemetry::init("debug,sqlx=warn");
    }
}

pub async fn fresh_db(db: Db) -> TestDb {
    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let raw_url = match db {
        Db::Sqlite => format!("sqlite://{}", dir.path().join("ediary.db").display()),
        Db::Postgres => create_pg_database().await,
    };
    let url = DatabaseUrl::parse(&raw_url).expect("test database URL");
    TestDb { url, raw_url, dir }
}

/// A new database in the test cluster, named uniquely for this test.
async fn create_pg_database() -> String {
    use sqlx::Connection;
    let admin = std::env::var(PG_URL_VAR).unwrap_or_else(|_| {
        panic!("{PG_URL_VAR} is not set: run the tests with `make test`, which starts a PostgreSQL cluster")
    });
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to the test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin).expect("admin URL");
    url.set_path(&name);
    url.to_string()
}

/// Drops a test database at once, cutting its connections: the database
/// "stops answering" for whoever still uses it.
pub async fn drop_pg_database(raw_url: &str) {
    use sqlx::Connection;
    let admin = std::env::var(PG_URL_VAR).expect(PG_URL_VAR);
    let name = url::Url::parse(raw_url)
        .expect("url")
        .path()
        .trim_start_matches('/')
        .to_owned();
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect");
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .expect("drop test database");
}

/// Runs one SQL statement on the test database behind the server's back
/// (to tamper with it, for one).
pub async fn raw_execute(db: &TestDb, sql: &str) -> Result<u64, sqlx::Error> {
    use sqlx::Connection;
    if db.url.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&db.raw_url).await?;
        Ok(sqlx::query(sql).execute(&mut conn).await?.rows_affected())
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.raw_url).await?;
        Ok(sqlx::query(sql).execute(&mut conn).await?.rows_affected())
    }
}

/// One number from the test database behind the server's back (a count, a
/// counter).
pub async fn raw_scalar_i64(db: &TestDb, sql: &str) -> Result<i64, sqlx::Error> {
    use sqlx::Connection;
    if db.url.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&db.raw_url).await?;
        sqlx::query_scalar(sql).fetch_one(&mut conn).await
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.raw_url).await?;
        sqlx::query_scalar(sql).fetch_one(&mut conn).await
    }
}

pub async fn open_store(db: &TestDb) -> Arc<dyn Store> {
    store::open(&db.url).await.expect("open store")
}

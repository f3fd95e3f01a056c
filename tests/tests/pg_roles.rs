//! PostgreSQL with two roles, as the README's Security section sets it up:
//! the owner runs `ediary migrate`, the server runs as a data-only role.
//! That role can read and write the data but cannot drop, disable or get
//! round the triggers that keep the audit log and the diary append-only.

use ediary_tests::{PG_URL_VAR, ServerProcess, TestSite, demo_password, ediary_bin};
use serde_json::json;
use sqlx::Connection;

async fn execute(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::raw_sql(sql).execute(&mut conn).await.map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_role_cannot_remove_the_append_only_triggers() {
    let admin = std::env::var(PG_URL_VAR).expect(PG_URL_VAR);
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let (owner, app, database) = (
        format!("owner_{suffix}"),
        format!("app_{suffix}"),
        format!("roles_{suffix}"),
    );
    execute(
        &admin,
        &format!("CREATE ROLE {owner} LOGIN; CREATE ROLE {app} LOGIN"),
    )
    .await
    .unwrap();
    // Not in a transaction block, so on its own.
    execute(&admin, &format!("CREATE DATABASE {database} OWNER {owner}"))
        .await
        .unwrap();
    let url_as = |role: &str| {
        let mut url = url::Url::parse(&admin).unwrap();
        url.set_username(role).unwrap();
        url.set_path(&database);
        url.to_string()
    };
    let (owner_url, app_url) = (url_as(&owner), url_as(&app));

    // The owner migrates and grants the server's role the data, not the schema.
    let dir = tempfile::tempdir().unwrap();
    let migrated = std::process::Command::new(ediary_bin())
        .args(["migrate", "--database-url", &owner_url])
        .env("RUST_LOG", "warn")
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(migrated.success());
    execute(
        &owner_url,
        &format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app};
             GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app};"
        ),
    )
    .await
    .unwrap();

    // The server runs as that role: the demo study, a sign-in, a sync.
    let site = TestSite::new();
    let server = ServerProcess::start(&app_url, dir.path(), &site, &[]).await;
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"username": "demo.teen", "password": demo_password("demo.teen")}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    drop(server);

    // It cannot take the protection away, nor change the log.
    for attack in [
        "DROP TRIGGER audit_log_no_change ON audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP FUNCTION audit_log_append_only() CASCADE",
        "DROP TABLE audit_log",
        "UPDATE audit_log SET reason = 'rewritten'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "CREATE TABLE side_channel (x int)",
    ] {
        assert!(
            execute(&app_url, attack).await.is_err(),
            "the server's role could: {attack}"
        );
    }
    // The owner could (which is why the server must not run as the owner).
    execute(
        &owner_url,
        "ALTER TABLE audit_log DISABLE TRIGGER ALL; ALTER TABLE audit_log ENABLE TRIGGER ALL",
    )
    .await
    .unwrap();
}

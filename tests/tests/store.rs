//! The store suite: the same tests on SQLite and on PostgreSQL.

use app::domain::account::Role;
use chrono::Utc;
use ediary_tests::{Db, fresh_db, on_both_backends, open_store, raw_execute};
use server::{
    audit::{AuditContext, ChainBreak},
    config::DatabaseUrl,
    demo,
    store::audit_chain::{self, VerifyError},
    store::{self, Backend, NewUser, PasswordHash, SeedOutcome, Site, StoreError},
};
use uuid::Uuid;

fn cli() -> AuditContext {
    AuditContext::command_line()
}

fn site(code: &str) -> Site {
    Site {
        id: Uuid::now_v7(),
        code: code.into(),
        name: format!("Site {code}"),
        timezone: "Asia/Shanghai".into(),
        emergency_phone: "+86 10 0000 0000".into(),
    }
}

fn staff(username: &str, role: Role) -> NewUser {
    NewUser {
        id: Uuid::now_v7(),
        username: username.into(),
        display_name: username.into(),
        role,
        password_hash: PasswordHash(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
        ),
    }
}

async fn opens_twice_and_migrates_once(db: Db) {
    let test_db = fresh_db(db).await;
    let first = open_store(&test_db).await;
    assert_eq!(
        first.backend(),
        match db {
            Db::Sqlite => Backend::Sqlite,
            Db::Postgres => Backend::Postgres,
        }
    );
    first.ping().await.unwrap();
    assert_eq!(first.study().await.unwrap(), None);
    first.close().await;
    // Re-opening an existing database finds its migrations applied.
    let second = open_store(&test_db).await;
    second.ping().await.unwrap();
    second.close().await;
    assert!(
        second.ping().await.is_err(),
        "a closed store must not answer"
    );
}

async fn demo_study_seeds_once(db: Db) {
    let test_db = fresh_db(db).await;
    let store = open_store(&test_db).await;
    assert_eq!(
        demo::seed_study(store.as_ref(), &AuditContext::command_line())
            .await
            .unwrap(),
        SeedOutcome::Seeded
    );
    assert_eq!(
        demo::seed_study(store.as_ref(), &AuditContext::command_line())
            .await
            .unwrap(),
        SeedOutcome::AlreadyThere
    );

    let study = store.study().await.unwrap().expect("study");
    assert!(study.is_demo);
    assert_eq!(study.name, demo::STUDY_NAME);
    let site = store
        .site_by_code(demo::SITE_CODE)
        .await
        .unwrap()
        .expect("demo site");
    assert_eq!(site.timezone, "Asia/Shanghai");
    for login in &demo::LOGINS {
        let user = store
            .user_by_username(login.username)
            .await
            .unwrap()
            .expect(login.username);
        assert_eq!(user.role, login.role);
        assert!(user.password_hash.0.starts_with("$argon2id$"));
        assert_eq!(user.disabled_at, None);
    }
}

async fn demo_refuses_a_real_study_database(db: Db) {
    let test_db = fresh_db(db).await;
    let store = open_store(&test_db).await;
    store.create_site(&site("QD"), &cli()).await.unwrap();
    let err = demo::seed_study(store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("database of its own"), "{err}");
    // Nothing of the demo was written.
    assert_eq!(store.study().await.unwrap(), None);
    assert!(
        store
            .user_by_username("demo.investigator")
            .await
            .unwrap()
            .is_none()
    );
}

async fn sites_and_users(db: Db) {
    let test_db = fresh_db(db).await;
    let store = open_store(&test_db).await;
    let qd = site("QD");
    store.create_site(&qd, &cli()).await.unwrap();
    assert_eq!(store.site_by_code("QD").await.unwrap(), Some(qd.clone()));
    assert_eq!(store.site_by_code("qd").await.unwrap(), None);
    assert!(matches!(
        store.create_site(&site("QD"), &cli()).await,
        Err(StoreError::Duplicate(_))
    ));

    let investigator = staff("dr.wang", Role::Investigator);
    let created = store
        .create_user(&investigator, &[qd.id], &cli())
        .await
        .unwrap();
    assert_eq!(created.id, investigator.id);
    assert_eq!(created.role, Role::Investigator);
    assert!(created.created_at <= Utc::now());
    let again = staff("dr.wang", Role::Admin);
    assert!(matches!(
        store.create_user(&again, &[], &cli()).await,
        Err(StoreError::Duplicate(_))
    ));

    // A link to a site that does not exist is refused by the foreign key,
    // and the account is not created half-way.
    let orphan = staff("dr.li", Role::Investigator);
    assert!(
        store
            .create_user(&orphan, &[Uuid::now_v7()], &cli())
            .await
            .is_err()
    );
    assert!(store.user_by_username("dr.li").await.unwrap().is_none());
}

async fn backup(db: Db) {
    let test_db = fresh_db(db).await;
    let store = open_store(&test_db).await;
    demo::seed_study(store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let target = test_db.dir.path().join("backup.db");
    match db {
        Db::Sqlite => {
            store.backup(&target).await.unwrap();
            // The copy is a complete database of its own.
            let copy = store::open(
                &DatabaseUrl::parse(&format!("sqlite://{}", target.display())).unwrap(),
            )
            .await
            .unwrap();
            assert!(copy.study().await.unwrap().is_some_and(|s| s.is_demo));
            assert!(
                copy.user_by_username("demo.guardian")
                    .await
                    .unwrap()
                    .is_some()
            );
            // A backup never overwrites a file.
            assert!(matches!(
                store.backup(&target).await,
                Err(StoreError::Refused(_))
            ));
        }
        Db::Postgres => {
            let err = store.backup(&target).await.unwrap_err();
            assert!(matches!(err, StoreError::Unsupported(_)));
            assert!(err.to_string().contains("pg_dump"));
            assert!(!target.exists());
        }
    }
}

async fn audit_chain_records_every_change(db: Db) {
    let test_db = fresh_db(db).await;
    let store = open_store(&test_db).await;
    assert_eq!(audit_chain::verify(store.as_ref()).await.unwrap(), 0);
    demo::seed_study(store.as_ref(), &AuditContext::system("test"))
        .await
        .unwrap();
    // The study, its site, four accounts, three participants, two guardian links.
    assert_eq!(audit_chain::verify(store.as_ref()).await.unwrap(), 11);
    let rows = store.audit_page(0, 100).await.unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "study.create",
            "site.create",
            "user.create",
            "user.create",
            "participant.create",
            "user.create",
            "participant.create",
            "participant.create",
            "user.create",
            "guardian.link",
            "guardian.link",
        ]
    );
    for row in &rows {
        assert_eq!(row.actor_role, "system");
        assert_eq!(row.user_agent.as_deref(), Some("test"));
        let text = format!("{:?} {:?}", row.before_value, row.after_value);
        assert!(
            !text.contains("argon2") && !text.contains("password"),
            "{text}"
        );
    }
    let child = rows.iter().find(|r| r.action == "guardian.link").unwrap();
    assert!(child.on_behalf_of.is_some());
    // A failed change leaves no audit row behind.
    assert!(
        store
            .create_site(&site(demo::SITE_CODE), &cli())
            .await
            .is_err()
    );
    assert_eq!(audit_chain::verify(store.as_ref()).await.unwrap(), 11);
}

async fn audit_log_is_append_only(db: Db) {
    let test_db = fresh_db(db).await;
    let store = open_store(&test_db).await;
    store.create_site(&site("QD"), &cli()).await.unwrap();
    for sql in [
        "UPDATE audit_log SET reason = 'edited' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
    ] {
        let err = raw_execute(&test_db, sql).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(audit_chain::verify(store.as_ref()).await.unwrap(), 1);
}

async fn audit_verify_names_the_tampered_row(db: Db) {
    let test_db = fresh_db(db).await;
    let store = open_store(&test_db).await;
    for code in ["S1", "S2", "S3", "S4"] {
        store.create_site(&site(code), &cli()).await.unwrap();
    }
    // Someone with database access switches the protection off and edits row 3.
    let disable = match db {
        Db::Sqlite => "DROP TRIGGER audit_log_no_update",
        Db::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
    };
    raw_execute(&test_db, disable).await.unwrap();
    raw_execute(
        &test_db,
        "UPDATE audit_log SET after_value = '{\"code\":\"FORGED\"}' WHERE seq = 3",
    )
    .await
    .unwrap();
    match audit_chain::verify(store.as_ref()).await {
        Err(VerifyError::Broken(ChainBreak::Content { seq: 3, .. })) => {}
        other => panic!("expected a break at row 3, got {other:?}"),
    }
}

async fn concurrent_changes_keep_one_chain(db: Db) {
    let test_db = fresh_db(db).await;
    let store = open_store(&test_db).await;
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.create_site(&site(&format!("C{i}")), &cli()).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(audit_chain::verify(store.as_ref()).await.unwrap(), 24);
}

on_both_backends!(
    audit_chain_records_every_change,
    audit_log_is_append_only,
    audit_verify_names_the_tampered_row,
    concurrent_changes_keep_one_chain,
    opens_twice_and_migrates_once,
    demo_study_seeds_once,
    demo_refuses_a_real_study_database,
    sites_and_users,
    backup,
);

/// SQLite only: the durability settings hold, and a database that cannot
/// have them is refused.
#[tokio::test]
async fn sqlite_durability_settings() {
    let test_db = fresh_db(Db::Sqlite).await;
    let store = open_store(&test_db).await;
    store.close().await;
    let path = test_db.dir.path().join("ediary.db");
    let mut conn = {
        use sqlx::Connection;
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap()
    };
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        journal, "wal",
        "WAL is a property of the file and must stick"
    );

    let err = store::open(&DatabaseUrl::parse("sqlite::memory:").unwrap())
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(
            &err,
            StoreError::UnsafeSetting {
                setting: "journal_mode",
                ..
            }
        ),
        "{err}"
    );
}

/// Every table and column of `(table, column)` in a freshly migrated database.
async fn schema_of(db: &ediary_tests::TestDb) -> std::collections::BTreeSet<(String, String)> {
    use sqlx::Connection;
    let rows: Vec<(String, String)> = if db.url.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&db.raw_url).await.unwrap();
        sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.raw_url).await.unwrap();
        sqlx::query_as(
            "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
              WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
    };
    rows.into_iter().collect()
}

/// The two migration folders describe one model: a table or column that
/// one backend gains and the other lacks fails here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_migrate_to_the_same_tables_and_columns() {
    let sqlite = fresh_db(Db::Sqlite).await;
    let postgres = fresh_db(Db::Postgres).await;
    open_store(&sqlite).await.close().await;
    open_store(&postgres).await.close().await;
    let (lite, pg) = (schema_of(&sqlite).await, schema_of(&postgres).await);
    assert!(
        lite.iter().any(|(t, _)| t == "entry_versions"),
        "the SQLite schema was read: {lite:?}"
    );
    let only_sqlite: Vec<_> = lite.difference(&pg).collect();
    let only_postgres: Vec<_> = pg.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the schemas differ: only in SQLite {only_sqlite:?}, only in PostgreSQL {only_postgres:?}"
    );
}

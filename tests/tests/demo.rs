//! The demo study as `ediary demo` makes it, on both backends: four weeks
//! of diary, labs and alerts that the investigator's views show, made once
//! (a second run changes no table), completed after an interrupted run, and
//! an intact audit chain.

use std::{collections::BTreeMap, path::Path, process::Output};

use chrono::{DateTime, Duration, Utc};
use ediary_tests::{
    Db, ServerProcess, SiteClock, TestDb, TestSite, demo_password, ediary_bin, fresh_db,
    on_both_backends, open_store, raw_scalar_i64,
};
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use server::{audit::AuditContext, demo};

fn run(args: &[&str], url: &str, dir: &Path) -> Output {
    let output = std::process::Command::new(ediary_bin())
        .args(args)
        .args(["--database-url", url])
        .env_remove("EDIARY_DATABASE_URL")
        .env_remove("EDIARY_DATA_DIR")
        .env("RUST_LOG", "warn")
        .current_dir(dir)
        .output()
        .expect("run ediary");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked at"), "{stderr}");
    assert!(output.status.success(), "ediary {args:?}: {stderr}");
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The number of rows of every table of the database.
async fn row_counts(db: &TestDb) -> BTreeMap<String, i64> {
    use sqlx::{Connection, Row};
    let list = if db.url.is_postgres() {
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    };
    let names: Vec<String> = if db.url.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&db.raw_url).await.unwrap();
        let rows = sqlx::query(list).fetch_all(&mut conn).await.unwrap();
        rows.iter().map(|r| r.get::<String, _>(0)).collect()
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.raw_url).await.unwrap();
        let rows = sqlx::query(list).fetch_all(&mut conn).await.unwrap();
        rows.iter().map(|r| r.get::<String, _>(0)).collect()
    };
    assert!(names.len() > 10, "{names:?}");
    let mut counts = BTreeMap::new();
    for name in names {
        let n = raw_scalar_i64(db, &format!("SELECT count(*) FROM \"{name}\""))
            .await
            .unwrap();
        counts.insert(name, n);
    }
    // Counters kept in one row change without a row count changing.
    for (name, sql) in [
        ("sync_head.seq", "SELECT seq FROM sync_head"),
        ("audit_log.max_seq", "SELECT max(seq) FROM audit_log"),
    ] {
        counts.insert(name.into(), raw_scalar_i64(db, sql).await.unwrap());
    }
    counts
}

/// The investigator's bearer token.
async fn bearer(client: &reqwest::Client, base: &str, username: &str) -> String {
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": demo_password(username)}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["access_token"].as_str().unwrap().to_owned()
}

async fn get(client: &reqwest::Client, base: &str, path: &str, token: &str) -> Value {
    let response = client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// The participant page's server function, as the web app calls it.
async fn review(client: &reqwest::Client, base: &str, username: &str, id: &str) -> Value {
    let (jar, csrf) =
        ediary_tests::browser_session(client, base, username, demo_password(username)).await;
    let response = client
        .post(format!("{base}/rpc/participant_review"))
        .header(COOKIE, jar)
        .header("x-csrf-token", csrf)
        .form(&[("id", id), ("from", ""), ("to", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn ratio(row: &Value, window: &str) -> f64 {
    row[window]["ratio"].as_f64().unwrap()
}

async fn demo_shows_the_product(db: Db) {
    let test_db = fresh_db(db).await;
    let (dir, url) = (test_db.dir.path(), test_db.raw_url.as_str());
    let first = run(&["demo"], url, dir);
    assert!(stdout(&first).contains("Seeded the demo study"));
    assert!(stdout(&first).contains("Try first"), "{}", stdout(&first));
    let counts = row_counts(&test_db).await;
    assert!(counts["entries"] > 600, "{counts:?}");
    assert!(counts["audit_log"] > counts["entry_versions"], "{counts:?}");
    assert_eq!(counts["lab_versions"], 24, "{counts:?}");
    for (sql, expected) in [
        ("SELECT count(*) FROM entry_versions WHERE op = 'amend'", 1),
        (
            "SELECT count(*) FROM entry_versions WHERE status = 'voided'",
            1,
        ),
        ("SELECT count(*) FROM entry_versions WHERE late", 1),
        (
            "SELECT count(*) FROM entry_versions WHERE entered_by_role = 'guardian'",
            -1,
        ),
    ] {
        let n = raw_scalar_i64(&test_db, sql).await.unwrap();
        if expected < 0 {
            assert!(n > 300, "{sql}: {n}");
        } else {
            assert_eq!(n, expected, "{sql}");
        }
    }

    // A second run writes nothing.
    let again = run(&["demo"], url, dir);
    assert!(!stdout(&again).contains("Seeded"), "{}", stdout(&again));
    assert!(stdout(&again).contains("demo.investigator"));
    assert_eq!(
        row_counts(&test_db).await,
        counts,
        "a second run changed a table"
    );
    let verified = run(&["audit", "verify"], url, dir);
    assert!(stdout(&verified).contains("whole"), "{}", stdout(&verified));

    // What the investigator sees (the server's own --demo finds it all there).
    let site = TestSite::new();
    let server = ServerProcess::start(url, dir, &site, &[]).await;
    let (client, base) = (reqwest::Client::new(), server.base.as_str());
    let token = bearer(&client, base, "demo.investigator").await;
    // The demo site is in Shanghai whatever zone the test run asks for.
    let clock = SiteClock {
        now: Utc::now(),
        tz: chrono_tz::Asia::Shanghai,
    };

    let roster = get(&client, base, "/api/v1/roster", &token).await;
    let rows = roster["items"].as_array().unwrap();
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["study_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["DEMO-001", "DEMO-002", "DEMO-003"]);
    for row in rows {
        for window in ["completeness_7d", "completeness_14d"] {
            let r = ratio(row, window);
            assert!(r > 0.0 && r < 1.0, "{window} of {row}");
        }
        assert!(row["hba1c"]["value_percent"].is_number(), "{row}");
        assert!(row["idaa1c"]["value"].is_number(), "{row}");
        assert_eq!(
            row["days_since_enrolment"],
            demo::diary::ENROLLED_DAYS_AGO,
            "{row}"
        );
    }
    let teen = &rows[0];
    assert_eq!(
        teen["last_entry_on"],
        json!(clock.day(demo::diary::TEEN_LAST_ENTRY_DAYS_AGO))
    );
    assert_eq!(
        teen["days_since_last_entry"],
        demo::diary::TEEN_LAST_ENTRY_DAYS_AGO
    );
    assert_eq!(teen["stands_out"], true);
    for other in &rows[1..] {
        assert!(ratio(teen, "completeness_7d") < ratio(other, "completeness_7d"));
        assert_eq!(other["stands_out"], false, "{other}");
    }

    for row in rows {
        let id = row["participant_id"].as_str().unwrap();
        let page = review(&client, base, "demo.investigator", id).await;
        let points = page["glucose"].as_array().unwrap();
        assert!(
            points.len() > 30,
            "{} has {} points",
            row["study_id"],
            points.len()
        );
        assert!(!page["daily_insulin"].as_array().unwrap().is_empty());
        let summary = get(
            &client,
            base,
            &format!("/api/v1/participants/{id}/summary"),
            &token,
        )
        .await;
        for figure in [
            &summary["glucose"]["mean_mg_dl"],
            &summary["glucose"]["cv"],
            &summary["insulin"]["mean_daily_units"],
            &summary["insulin"]["mean_units_per_kg"],
            &summary["hba1c"]["value_percent"],
            &summary["idaa1c"]["value"],
        ] {
            assert!(figure.is_number(), "{} {summary:#}", row["study_id"]);
        }
    }
    let study = get(&client, base, "/api/v1/study/outcomes", &token).await;
    let visits = study["visits"].as_array().unwrap();
    for code in ["baseline", "month_1"] {
        let visit = visits.iter().find(|v| v["visit"]["code"] == code).unwrap();
        assert_eq!(visit["participants"], 3, "{visit}");
        for figure in [
            "mean_glucose_mg_dl",
            "mean_daily_units",
            "mean_units_per_kg",
            "hba1c_percent",
            "idaa1c",
            "completeness",
        ] {
            assert_eq!(visit[figure]["n"], 3, "{code} {figure}: {visit}");
            assert!(visit[figure]["mean"].is_number(), "{code} {figure}");
        }
    }
    let severe: u64 = visits
        .iter()
        .map(|v| v["severe_events"].as_u64().unwrap())
        .sum();
    assert!(severe >= 1, "{study}");

    let alerts = get(&client, base, "/api/v1/alerts?status=all", &token).await;
    let alerts = alerts["items"].as_array().unwrap();
    let of = |rule: &str, status: &str| -> Vec<&Value> {
        alerts
            .iter()
            .filter(|a| a["rule"] == rule && a["status"] == status)
            .collect()
    };
    let acknowledged = of("severe_hypoglycemia", "acknowledged");
    assert_eq!(acknowledged.len(), 1, "{alerts:#?}");
    assert_eq!(acknowledged[0]["study_id"], "DEMO-002");
    assert!(
        acknowledged[0]["note"]
            .as_str()
            .unwrap()
            .starts_with("Demo")
    );
    let me = get(&client, base, "/api/v1/me", &token).await;
    assert_eq!(acknowledged[0]["acknowledged_by"], me["id"]);
    let serious = of("potentially_serious_event", "open");
    assert_eq!(serious.len(), 1, "{alerts:#?}");
    assert_eq!(serious[0]["study_id"], "DEMO-003");
    let due: DateTime<Utc> = serious[0]["report_due_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        due > Utc::now() && due <= Utc::now() + Duration::hours(24),
        "{due}"
    );
    let missed = of("missed_diary", "open");
    assert_eq!(missed.len(), 1, "{alerts:#?}");
    assert_eq!(missed[0]["study_id"], "DEMO-001");

    // The severe low was entered by the guardian, through the sync.
    let child = rows[1]["participant_id"].as_str().unwrap();
    let lows = get(
        &client,
        base,
        &format!("/api/v1/participants/{child}/entries?kind=hypo"),
        &token,
    )
    .await;
    let lows = lows["items"].as_array().unwrap();
    let severe = lows
        .iter()
        .find(|e| e["classification"]["ada_level"] == 3)
        .unwrap();
    assert_eq!(severe["entered_by_role"], "guardian");
    assert_eq!(severe["late"], false);
    drop(server);

    // The server started with --demo found everything there too.
    let after = row_counts(&test_db).await;
    for table in [
        "entries",
        "entry_versions",
        "lab_versions",
        "alerts",
        "sync_mutations",
    ] {
        assert_eq!(after[table], counts[table], "{table}");
    }
    let verified = run(&["audit", "verify"], url, dir);
    assert!(stdout(&verified).contains("whole"));
}

/// A run stopped after the study was made (here: the study alone, as
/// `seed_study` makes it) is completed by the next one, once.
async fn an_interrupted_demo_is_completed(db: Db) {
    let test_db = fresh_db(db).await;
    let (dir, url) = (test_db.dir.path(), test_db.raw_url.as_str());
    let store = open_store(&test_db).await;
    demo::seed_study(store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    store.close().await;
    assert_eq!(
        raw_scalar_i64(&test_db, "SELECT count(*) FROM entries")
            .await
            .unwrap(),
        0
    );
    let completed = run(&["demo"], url, dir);
    assert!(stdout(&completed).contains("Seeded the demo study"));
    let counts = row_counts(&test_db).await;
    assert!(counts["entries"] > 400, "{counts:?}");
    assert_eq!(counts["alerts"], 5, "{counts:?}");
    let again = run(&["demo"], url, dir);
    assert!(!stdout(&again).contains("Seeded"));
    assert_eq!(row_counts(&test_db).await, counts);
    run(&["audit", "verify"], url, dir);
}

on_both_backends!(demo_shows_the_product, an_interrupted_demo_is_completed);

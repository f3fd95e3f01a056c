//! Study settings an admin changes through the API (the web app's settings
//! page uses the same routes): sites listed and changed, the study renamed,
//! each audited with before and after; on both backends.

use app::domain::account::Role;
use ediary_tests::{Db, demo_password, on_both_backends, spawn_app, staff_token};
use reqwest::Method;
use serde_json::json;
use server::{audit::AuditContext, demo};

async fn settings_change_and_are_audited(db: Db) {
    let app = spawn_app(db).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let admin = staff_token(&app, "test.admin", Role::Admin, &[]).await;
    let investigator = app
        .login("demo.investigator", demo_password("demo.investigator"))
        .await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let teen = app.login("demo.teen", demo_password("demo.teen")).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Sites: the admin sees all, the investigator theirs, a participant none.
    let (_, created) = app.call(Method::POST,
        "/api/v1/sites",
        &admin,
        Some(json!({"code": "BJ-2", "name": "Beijing", "timezone": "Asia/Shanghai", "emergency_phone": "+86 10 1234 5678"})),
    )
    .await;
    let (status, all) = app.call(Method::GET, "/api/v1/sites", &admin, None).await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["BJ-2", demo::SITE_CODE]);
    let (_, mine) = app
        .call(Method::GET, "/api/v1/sites", &investigator, None)
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["code"], demo::SITE_CODE);
    assert_eq!(
        app.call(Method::GET, "/api/v1/sites", &teen, None).await.0,
        403
    );

    // A site changes its number and zone; the code stays.
    let site = format!("/api/v1/sites/{}", created["id"].as_str().unwrap());
    let change = json!({"name": "Beijing Children's", "timezone": "Asia/Urumqi", "emergency_phone": "+86 10 8765 4321"});
    assert_eq!(
        app.call(Method::PUT, &site, &investigator, Some(change.clone()))
            .await
            .0,
        403
    );
    let (status, changed) = app
        .call(Method::PUT, &site, &admin, Some(change.clone()))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (
            changed["code"].clone(),
            changed["timezone"].clone(),
            changed["emergency_phone"].clone()
        ),
        (
            json!("BJ-2"),
            json!("Asia/Urumqi"),
            json!("+86 10 8765 4321")
        )
    );
    let (status, error) = app
        .call(
            Method::PUT,
            &site,
            &admin,
            Some(json!({"name": "", "timezone": "Mars/Olympus", "emergency_phone": "call me"})),
        )
        .await;
    assert_eq!(status, 422);
    for field in ["name", "timezone", "emergency_phone"] {
        assert!(error["error"]["fields"].get(field).is_some(), "{error}");
    }
    let (status, _) = app
        .call(
            Method::PUT,
            &site,
            &admin,
            Some(json!({"code": "X", "name": "x"})),
        )
        .await;
    assert!(status == 400 || status == 422, "{status}");
    let unknown = "/api/v1/sites/0190a5d2-0000-7000-8000-000000000000";
    assert_eq!(
        app.call(Method::PUT, unknown, &admin, Some(change)).await.0,
        404
    );

    // The study's name.
    let (_, study) = app.call(Method::GET, "/api/v1/study", &teen, None).await;
    assert_eq!(study["name"], demo::STUDY_NAME);
    assert_eq!(study["default_language"], "zh-CN");
    let rename = json!({"name": "UC-MSC in new-onset T1D, phase 1"});
    assert_eq!(
        app.call(
            Method::PUT,
            "/api/v1/study",
            &investigator,
            Some(rename.clone())
        )
        .await
        .0,
        403
    );
    assert_eq!(
        app.call(Method::PUT, "/api/v1/study", &admin, Some(rename.clone()))
            .await
            .0,
        200
    );
    // Left out, the default language stays as it was.
    assert_eq!(
        app.call(Method::GET, "/api/v1/study", &teen, None).await.1,
        json!({"name": rename["name"], "default_language": "zh-CN"})
    );
    let in_english = json!({"name": rename["name"], "default_language": "en"});
    assert_eq!(
        app.call(
            Method::PUT,
            "/api/v1/study",
            &admin,
            Some(in_english.clone())
        )
        .await,
        (200, in_english.clone())
    );
    for bad in [
        json!({"name": "x", "default_language": "fr"}),
        json!({"name": "x", "default_language": "zh"}),
        json!({"name": "x", "language": "en"}),
    ] {
        let status = app
            .call(Method::PUT, "/api/v1/study", &admin, Some(bad.clone()))
            .await
            .0;
        assert!(status == 400 || status == 422, "{bad}: {status}");
    }
    assert_eq!(
        app.call(Method::GET, "/api/v1/study", &teen, None).await.1,
        in_english
    );
    assert_eq!(
        app.call(
            Method::PUT,
            "/api/v1/study",
            &admin,
            Some(json!({"name": "  "}))
        )
        .await
        .0,
        422
    );

    // The IDAA1C dose window: staff read it, admins change it within 1..=28.
    let (_, window) = app
        .call(
            Method::GET,
            "/api/v1/study/outcome-settings",
            &investigator,
            None,
        )
        .await;
    assert_eq!(window, json!({"idaa1c_dose_days": 7}));
    let three = json!({"idaa1c_dose_days": 3});
    assert_eq!(
        app.call(
            Method::PUT,
            "/api/v1/study/outcome-settings",
            &investigator,
            Some(three.clone())
        )
        .await
        .0,
        403
    );
    assert_eq!(
        app.call(
            Method::PUT,
            "/api/v1/study/outcome-settings",
            &admin,
            Some(three.clone())
        )
        .await
        .0,
        200
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/study/outcome-settings", &admin, None)
            .await
            .1,
        three
    );
    for bad in [
        json!({"idaa1c_dose_days": 0}),
        json!({"idaa1c_dose_days": 29}),
    ] {
        assert_eq!(
            app.call(
                Method::PUT,
                "/api/v1/study/outcome-settings",
                &admin,
                Some(bad)
            )
            .await
            .0,
            422
        );
    }
    assert_eq!(
        app.call(Method::GET, "/api/v1/study/outcome-settings", &teen, None)
            .await
            .0,
        403
    );

    // Both changes are in the trail with what was there before.
    let trail = app.store.audit_page(0, 1000).await.unwrap();
    let site_change = trail
        .iter()
        .find(|r| r.action == "site.update")
        .expect("site.update");
    assert!(
        site_change
            .before_value
            .as_deref()
            .unwrap()
            .contains("Asia/Shanghai")
    );
    assert!(
        site_change
            .after_value
            .as_deref()
            .unwrap()
            .contains("Asia/Urumqi")
    );
    let renamed = trail
        .iter()
        .find(|r| r.action == "study.update")
        .expect("study.update");
    assert!(
        renamed
            .before_value
            .as_deref()
            .unwrap()
            .contains(demo::STUDY_NAME)
    );
}

on_both_backends!(settings_change_and_are_audited);

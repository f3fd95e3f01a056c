//! The walk's accounts: probes, signing in, sites, participants and
//! enrolment, and at its end sessions and accounts.

use ediary_tests::demo_password;
use serde_json::{Value, json};
use uuid::Uuid;

use super::conformance::{Callers, Conformance, demo_login};

/// Probes, this document and every way to sign in; who the rest of the
/// walk calls as.
pub(super) async fn signing_in(c: &mut Conformance<'_>, admin: String, demo_site: Uuid) -> Callers {
    let token = |answer: &Value| answer["access_token"].as_str().unwrap().to_owned();
    // Probes and this document.
    c.call("get", "/healthz", &[], "", None, None).await;
    c.call("get", "/readyz", &[], "", None, None).await;
    c.call("get", "/api/openapi.json", &[], "", None, None)
        .await;

    // Accounts.
    let login = Some(demo_login("demo.investigator"));
    let (_, answer) = c
        .call("post", "/api/v1/auth/login", &[], "", None, login)
        .await;
    let investigator = token(&answer);
    let login = Some(demo_login("demo.guardian"));
    let (_, answer) = c
        .call("post", "/api/v1/auth/login", &[], "", None, login)
        .await;
    let refresh = Some(json!({"refresh_token": answer["refresh_token"]}));
    let (_, answer) = c
        .call("post", "/api/v1/auth/refresh", &[], "", None, refresh)
        .await;
    let guardian = token(&answer);
    let (_, me) = c
        .call("get", "/api/v1/me", &[], "", Some(&guardian), None)
        .await;
    let child: Uuid = me["participant_ids"][0].as_str().unwrap().parse().unwrap();
    let login = Some(demo_login("demo.teen"));
    let (_, session, set) = c
        .call_with(&[], "post", "/api/v1/auth/session", &[], "", None, login)
        .await;
    let jar = set
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let csrf = session["csrf_token"].as_str().unwrap();
    let browser = [("cookie", jar.as_str()), ("x-csrf-token", csrf)];
    let renew = "/api/v1/auth/session/refresh";
    let (status, _, _) = c
        .call_with(&browser, "post", renew, &[], "", None, None)
        .await;
    assert_eq!(status, 200);
    let login = Some(demo_login("demo.investigator"));
    let (status, _) = c
        .call("post", "/api/v1/auth/mfa/setup", &[], "", None, login)
        .await;
    assert_eq!(status, 200);
    let wrong = Some(json!({"username": "demo.teen", "password": "not it at all"}));
    let (status, _) = c
        .call("post", "/api/v1/auth/login", &[], "", None, wrong)
        .await;
    assert_eq!(status, 401);
    Callers {
        admin,
        investigator,
        guardian,
        child,
        demo_site,
    }
}

/// Sites: made, made twice, refused and invalid.
pub(super) async fn sites(c: &mut Conformance<'_>, who: &Callers) {
    let site = json!({"code": "QD2", "name": "Second site", "timezone": "Asia/Shanghai",
                      "emergency_phone": "+86 532 0000 0000"});
    let (status, _) = c
        .call(
            "post",
            "/api/v1/sites",
            &[],
            "",
            Some(&who.admin),
            Some(site.clone()),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = c
        .call(
            "post",
            "/api/v1/sites",
            &[],
            "",
            Some(&who.admin),
            Some(site.clone()),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = c
        .call(
            "post",
            "/api/v1/sites",
            &[],
            "",
            Some(&who.guardian),
            Some(site),
        )
        .await;
    assert_eq!(status, 403);
    let bad =
        json!({"code": "no", "name": "", "timezone": "Mars/Base", "emergency_phone": "call me"});
    let (status, error) = c
        .call(
            "post",
            "/api/v1/sites",
            &[],
            "",
            Some(&who.admin),
            Some(bad),
        )
        .await;
    assert_eq!(status, 422);
    assert!(error["error"]["fields"]["timezone"].is_string(), "{error}");
}

/// Participants, a guardian's invitation and enrolment.
pub(super) async fn participants(c: &mut Conformance<'_>, who: &Callers) {
    let demo_site = who.demo_site;
    // Participants and enrolment.
    let new = json!({"site_id": demo_site, "study_id": "DEMO-901", "birth_year": 2014,
                     "diagnosis_date": "2026-10-20", "weight_kg": 31.5});
    let (status, created) = c
        .call(
            "post",
            "/api/v1/participants",
            &[],
            "",
            Some(&who.investigator),
            Some(new),
        )
        .await;
    assert_eq!(status, 201);
    let participant = created["participant"]["id"].as_str().unwrap().to_owned();
    let (_, invitation) = c
        .call(
            "post",
            "/api/v1/participants/{id}/guardian-invitations",
            &[&participant],
            "",
            Some(&who.investigator),
            Some(json!({})),
        )
        .await;
    let enrol = |code: &Value| {
        Some(
            json!({"code": code, "username": "new.teen", "password": "family password 1",
                    "display_name": "New"}),
        )
    };
    let (status, _) = c
        .call(
            "post",
            "/api/v1/enroll",
            &[],
            "",
            None,
            enrol(&created["enrollment_code"]),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = c
        .call(
            "post",
            "/api/v1/enroll",
            &[],
            "",
            None,
            enrol(&invitation["enrollment_code"]),
        )
        .await;
    assert_eq!(status, 409);
    for query in ["?limit=1", "?limit=0"] {
        c.call(
            "get",
            "/api/v1/participants",
            &[],
            query,
            Some(&who.investigator),
            None,
        )
        .await;
    }
}

/// Sessions, the language and the password of an account, disabling one,
/// signing out.
pub(super) async fn sessions(c: &mut Conformance<'_>, who: &Callers) {
    let app = c.app;
    // Sessions and accounts: the investigator on a second device too.
    let login = Some(demo_login("demo.investigator"));
    c.call("post", "/api/v1/auth/login", &[], "", None, login)
        .await;
    let (_, sessions) = c
        .call(
            "get",
            "/api/v1/sessions",
            &[],
            "",
            Some(&who.investigator),
            None,
        )
        .await;
    let other = sessions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .expect("the investigator's other session")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.call(
        "delete",
        "/api/v1/sessions/{id}",
        &[&other],
        "",
        Some(&who.investigator),
        None,
    )
    .await;
    // The chosen language follows the account: it is in every later `user`.
    let (status, saved) = c
        .call(
            "put",
            "/api/v1/me/language",
            &[],
            "",
            Some(&who.investigator),
            Some(json!({"language": "zh-CN"})),
        )
        .await;
    assert_eq!((status, &saved["language"]), (200, &json!("zh-CN")));
    let (status, _) = c
        .call(
            "put",
            "/api/v1/me/language",
            &[],
            "",
            Some(&who.investigator),
            Some(json!({"language": "fr"})),
        )
        .await;
    assert_eq!(status, 422);
    let (_, me) = c
        .call("get", "/api/v1/me", &[], "", Some(&who.investigator), None)
        .await;
    assert_eq!(me["language"], "zh-CN");
    let change = json!({"current_password": demo_password("demo.investigator"),
                        "new_password": "a brand new passphrase"});
    let (status, _) = c
        .call(
            "post",
            "/api/v1/me/password",
            &[],
            "",
            Some(&who.investigator),
            Some(change),
        )
        .await;
    assert_eq!(status, 204);
    let teen = app
        .store
        .user_by_username("new.teen")
        .await
        .unwrap()
        .unwrap()
        .id;
    let why = Some(json!({"reason": "left the study"}));
    c.call(
        "post",
        "/api/v1/users/{id}/disable",
        &[&teen],
        "",
        Some(&who.admin),
        why,
    )
    .await;
    c.call(
        "post",
        "/api/v1/auth/logout",
        &[],
        "",
        Some(&who.guardian),
        Some(json!({})),
    )
    .await;
    let (status, _) = c
        .call("get", "/api/v1/me", &[], "", Some(&who.guardian), None)
        .await;
    assert_eq!(status, 401);
}

//! Accounts the tests sign in as: the demo's and staff made for a test.

use secrecy::SecretString;

use crate::TestApp;

/// The password of a demo account (`server::demo::LOGINS`).
pub fn demo_password(username: &str) -> &'static str {
    server::demo::LOGINS
        .iter()
        .find(|l| l.username == username)
        .unwrap_or_else(|| panic!("no demo account {username}"))
        .password
}

/// An investigator of a second site ("QD2"), for what another site must
/// not see; their access token.
pub async fn other_site_investigator(app: &TestApp) -> String {
    let site = server::store::Site {
        id: uuid::Uuid::now_v7(),
        code: "QD2".into(),
        name: "Another site".into(),
        timezone: "Asia/Shanghai".into(),
        emergency_phone: "+86 532 0000 0000".into(),
    };
    app.store
        .create_site(&site, &server::audit::AuditContext::command_line())
        .await
        .expect("create site");
    staff_token(
        app,
        "other.investigator",
        app::domain::account::Role::Investigator,
        &[site.id],
    )
    .await
}

/// A staff account made as `ediary user create` makes it, linked to
/// `sites`; its access token.
pub async fn staff_token(
    app: &TestApp,
    username: &str,
    role: app::domain::account::Role,
    sites: &[uuid::Uuid],
) -> String {
    let password = "a long staff password";
    let user = server::store::NewUser {
        id: uuid::Uuid::now_v7(),
        username: username.into(),
        display_name: username.into(),
        role,
        password_hash: server::password::hash(SecretString::from(password))
            .await
            .expect("hash"),
    };
    app.store
        .create_user(&user, sites, &server::audit::AuditContext::command_line())
        .await
        .expect("create staff");
    app.login(username, password).await["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

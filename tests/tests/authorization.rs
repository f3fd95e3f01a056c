//! The authorization matrix: every route of the JSON API (`/api/v1`, with
//! the probes and the OpenAPI document) and every server function of the web
//! app (`/rpc/*`), called as each of eight actors, on both backends.
//!
//! The expected answers come from `server/src/policy.rs` and the handlers:
//! admins manage sites, accounts and study settings and see no health data;
//! investigators see their sites' participants; participants and guardians
//! their own and their children's data; what the caller may not see is often
//! "not found" rather than "forbidden". (Written against the policy, this
//! test found admins reading and acting on alerts: fixed in policy.rs.)
//!
//! Besides the status, every 2xx answer is searched for the ids and study ids
//! of the participants (and sites) the actor may not see: a 200 that leaks
//! someone else's data fails too.
//!
//! The actors: anonymous, an admin, the demo site's investigator, the
//! investigator of a second site, the participant demo.teen (DEMO-001), a
//! participant of the second site, the guardian demo.guardian (of DEMO-002,
//! demo.child, and DEMO-003), and the guardian of another child (teen.parent,
//! the teen's). Rows about one participant's data run twice where it
//! matters: on the child (the guardian's) and on the teen (the participant's
//! and the other guardian's), so each actor meets both its own and someone
//! else's records. Server functions are called as the web app calls them:
//! with the session cookies and the CSRF token (anonymous: with the app's
//! own `Origin`, as a browser on its page sends it).
//!
//! Every call runs; the failures are reported together at the end.
//!
//! A table names each route's OpenAPI template; the test fails when the
//! document has a route the table lacks, and when `app/src` has a server
//! function the table lacks.

use std::collections::{BTreeSet, HashMap};

use app::domain::account::Role;
use ediary_tests::{
    Db, SiteClock, TestApp, demo_password, on_both_backends, seed_demo, spawn_app, staff_token,
};
use reqwest::{
    Method,
    header::{CONTENT_TYPE, COOKIE, ORIGIN},
};
use secrecy::SecretString;
use serde_json::{Value, json};
use server::{
    audit::AuditContext,
    demo,
    store::{NewUser, Site},
};
use uuid::Uuid;

// The actors, in the order of every row's expected answers.
const ANONYMOUS: usize = 0;
const ADMIN: usize = 1;
const INVESTIGATOR: usize = 2;
const OTHER_INVESTIGATOR: usize = 3;
/// demo.teen, DEMO-001.
const PARTICIPANT: usize = 4;
/// qd2.teen, QD2-001 at the second site.
const OTHER_PARTICIPANT: usize = 5;
/// demo.guardian, of DEMO-002 (demo.child) and DEMO-003.
const GUARDIAN: usize = 6;
/// teen.parent: a guardian of another child, DEMO-001 (the teen).
const OTHER_GUARDIAN: usize = 7;

const ACTORS: [&str; 8] = [
    "anonymous",
    "admin",
    "investigator",
    "investigator of another site",
    "participant",
    "participant of another site",
    "guardian",
    "guardian of another child",
];

/// The password of the accounts that `staff_token` makes.
const STAFF_PASSWORD: &str = "a long staff password";
/// The password of the accounts enrolled here.
const FAMILY_PASSWORD: &str = "family password 1";
/// What `POST /me/password` sets (the last row of the API table).
const NEW_PASSWORD: &str = "a brand new long password";

struct Actor {
    username: String,
    password: String,
    /// The access token the matrix calls with (none for anonymous).
    token: Option<String>,
}

/// The demo study plus an admin, a second site ("QD2") with its own
/// investigator and enrolled participant, and a guardian of the teen; and
/// what the rows act on.
struct World {
    app: TestApp,
    actors: Vec<Actor>,
    /// `{name}` in a path, body or form: fixed values (ids, days).
    vars: HashMap<&'static str, String>,
    /// `{own:name}`: one value per actor, in actor order (a session of
    /// theirs, an alert of its own so that acknowledging repeats, ...).
    pools: HashMap<&'static str, Vec<String>>,
    /// Ids and study ids of the seeded participants and of the sites, each
    /// with the actors who may see it.
    secrets: Vec<(String, [bool; 8])>,
    /// The current study settings as the admin reads them (`PUT` sends them back).
    settings: HashMap<&'static str, Value>,
    demo_site: Site,
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let (status, answer) = app.call(method.clone(), path, token, body).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {answer}"
    );
    answer
}

async fn token(app: &TestApp, username: &str, password: &str) -> String {
    app.login(username, password).await["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

async fn enroll(app: &TestApp, code: &Value, username: &str) -> Value {
    let response = app
        .post_json(
            "/api/v1/enroll",
            &json!({"code": code, "username": username, "password": FAMILY_PASSWORD, "display_name": username}),
        )
        .await;
    assert_eq!(response.status(), 201, "enrol {username}");
    response.json().await.expect("token response")
}

/// The id of the session a token belongs to.
async fn session_of(app: &TestApp, token: &str) -> String {
    let sessions = call(app, Method::GET, "/api/v1/sessions", token, None).await;
    sessions["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["current"] == true))
        .and_then(|s| s["id"].as_str())
        .expect("the current session")
        .to_owned()
}

/// A browser session: its cookies and CSRF token, as "cookies\ntoken".
async fn browser_session(app: &TestApp, username: &str, password: &str) -> String {
    let (cookies, csrf) =
        ediary_tests::browser_session(&app.client, &app.url(""), username, password).await;
    format!("{cookies}\n{csrf}")
}

/// A diary mutation creating an in-range glucose reading of `participant`
/// with the id `id` (its times are the placeholders `{recorded_at}` and
/// `{measured_at}`).
fn reading(participant: &str, id: &str) -> Value {
    json!({"id": id, "participant_id": participant, "entry_id": id, "op": "create",
           "kind": "glucose", "recorded_at": "{recorded_at}",
           "data": {"measured_at": "{measured_at}", "value": 6.1, "unit": "mmol/L",
                    "context": "before_meal", "source": "meter"}})
}

/// A severe low with loss of consciousness: a severe-hypoglycaemia and a
/// potentially-serious-event alert.
fn severe_low(participant: Uuid, clock: &SiteClock) -> Value {
    let id = Uuid::now_v7();
    json!({"id": id, "participant_id": participant, "entry_id": id, "op": "create",
           "kind": "hypo", "recorded_at": clock.rfc3339(clock.now),
           "data": {"occurred_at": clock.earlier_today(20), "symptoms": ["confused"],
                    "needed_assistance": true, "lost_consciousness": true, "seizure": false,
                    "treatments": ["glucagon"]}})
}

async fn sync(app: &TestApp, token: &str, mutations: Vec<Value>) {
    let answer = call(
        app,
        Method::POST,
        "/api/v1/sync",
        token,
        Some(json!({"device_id": Uuid::new_v4(), "since": null, "mutations": mutations})),
    )
    .await;
    for result in answer["results"].as_array().expect("results") {
        assert_eq!(result["status"], "applied", "{answer}");
    }
}

async fn world(db: Db) -> World {
    let app = spawn_app(db).await;
    seed_demo(app.store.as_ref()).await;
    let clock = SiteClock::new();
    let demo_site = app
        .store
        .site_by_code(demo::SITE_CODE)
        .await
        .unwrap()
        .expect("the demo site");
    let other_site = Site {
        id: Uuid::now_v7(),
        code: "QD2".into(),
        name: "Second site".into(),
        timezone: "Asia/Shanghai".into(),
        emergency_phone: "+86 532 0000 0000".into(),
    };
    app.store
        .create_site(&other_site, &AuditContext::command_line())
        .await
        .unwrap();
    let admin = staff_token(&app, "admin.one", Role::Admin, &[]).await;
    let other_investigator =
        staff_token(&app, "dr.other", Role::Investigator, &[other_site.id]).await;
    let demo_login = |name: &'static str| (name.to_owned(), demo_password(name).to_owned());
    let (investigator_name, investigator_password) = demo_login("demo.investigator");
    let investigator = token(&app, &investigator_name, &investigator_password).await;

    let created = call(
        &app,
        Method::POST,
        "/api/v1/participants",
        &other_investigator,
        Some(
            json!({"site_id": other_site.id, "study_id": "QD2-001", "birth_year": 2012,
                    "diagnosis_date": clock.day(40).to_string()}),
        ),
    )
    .await;
    let other_child = created["participant"]["id"].as_str().unwrap().to_owned();
    let other_participant = enroll(&app, &created["enrollment_code"], "qd2.teen").await;

    let (teen_name, teen_password) = demo_login("demo.teen");
    let teen_token = token(&app, &teen_name, &teen_password).await;
    let teen_me = call(&app, Method::GET, "/api/v1/me", &teen_token, None).await;
    let teen = teen_me["participant_ids"][0].as_str().unwrap().to_owned();
    let (child_name, child_password) = demo_login("demo.child");
    let child_token = token(&app, &child_name, &child_password).await;
    let child_me = call(&app, Method::GET, "/api/v1/me", &child_token, None).await;
    let child = child_me["participant_ids"][0].as_str().unwrap().to_owned();
    let (guardian_name, guardian_password) = demo_login("demo.guardian");
    let guardian = token(&app, &guardian_name, &guardian_password).await;
    let guardian_me = call(&app, Method::GET, "/api/v1/me", &guardian, None).await;
    let sibling = guardian_me["participant_ids"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|id| *id != child)
        .expect("the guardian's second child")
        .to_owned();
    let invitation = call(
        &app,
        Method::POST,
        &format!("/api/v1/participants/{teen}/guardian-invitations"),
        &investigator,
        Some(json!({})),
    )
    .await;
    let other_guardian = enroll(&app, &invitation["enrollment_code"], "teen.parent").await;

    let enrolled_token = |answer: &Value| answer["access_token"].as_str().unwrap().to_owned();
    let actor = |username: &str, password: &str, token: String| Actor {
        username: username.to_owned(),
        password: password.to_owned(),
        token: Some(token),
    };
    let actors = vec![
        Actor {
            username: "nobody.here".into(),
            password: "not anyone's password".into(),
            token: None,
        },
        actor("admin.one", STAFF_PASSWORD, admin.clone()),
        actor(
            &investigator_name,
            &investigator_password,
            investigator.clone(),
        ),
        actor("dr.other", STAFF_PASSWORD, other_investigator),
        actor(&teen_name, &teen_password, teen_token.clone()),
        actor(
            "qd2.teen",
            FAMILY_PASSWORD,
            enrolled_token(&other_participant),
        ),
        actor(&guardian_name, &guardian_password, guardian.clone()),
        actor(
            "teen.parent",
            FAMILY_PASSWORD,
            enrolled_token(&other_guardian),
        ),
    ];

    assert!(actors[ANONYMOUS].token.is_none());

    // Who may see whom: the four seeded participants and the two sites.
    let sees = |actors: &[usize]| {
        let mut seen = [false; 8];
        for &a in actors {
            seen[a] = true;
        }
        seen
    };
    let teen_seen = sees(&[INVESTIGATOR, PARTICIPANT, OTHER_GUARDIAN]);
    let child_seen = sees(&[INVESTIGATOR, GUARDIAN]);
    let other_seen = sees(&[OTHER_INVESTIGATOR, OTHER_PARTICIPANT]);
    let demo_site_seen = sees(&[ADMIN, INVESTIGATOR, PARTICIPANT, GUARDIAN, OTHER_GUARDIAN]);
    let other_site_seen = sees(&[ADMIN, OTHER_INVESTIGATOR, OTHER_PARTICIPANT]);
    let secrets = vec![
        (teen.clone(), teen_seen),
        ("DEMO-001".to_owned(), teen_seen),
        (child.clone(), child_seen),
        ("DEMO-002".to_owned(), child_seen),
        (sibling.clone(), child_seen),
        ("DEMO-003".to_owned(), child_seen),
        (other_child.clone(), other_seen),
        ("QD2-001".to_owned(), other_seen),
        (demo_site.id.to_string(), demo_site_seen),
        (other_site.id.to_string(), other_site_seen),
    ];

    // Entries: one of the child (by the guardian) and one of the teen; and
    // nine severe lows of the teen, each raising a severe-hypoglycaemia and
    // a potentially-serious-event alert.
    let recorded_at = clock.rfc3339(clock.now);
    let measured_at = clock.earlier_today(5);
    let with_times = |mutation: Value| {
        let text = mutation
            .to_string()
            .replace("{recorded_at}", &recorded_at)
            .replace("{measured_at}", &measured_at);
        serde_json::from_str::<Value>(&text).unwrap()
    };
    let child_entry = Uuid::now_v7().to_string();
    sync(
        &app,
        &guardian,
        vec![with_times(reading(&child, &child_entry))],
    )
    .await;
    let teen_entry = Uuid::now_v7().to_string();
    sync(
        &app,
        &teen_token,
        vec![with_times(reading(&teen, &teen_entry))],
    )
    .await;
    let teen_id: Uuid = teen.parse().unwrap();
    sync(
        &app,
        &teen_token,
        (0..9).map(|_| severe_low(teen_id, &clock)).collect(),
    )
    .await;
    let open = call(
        &app,
        Method::GET,
        "/api/v1/alerts?status=open&limit=1000",
        &investigator,
        None,
    )
    .await;
    let alerts_of = |rule: &str| -> Vec<String> {
        open["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["rule"] == rule)
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut severe = alerts_of("severe_hypoglycemia");
    let serious = alerts_of("potentially_serious_event");
    assert_eq!((severe.len(), serious.len()), (9, 9), "{open}");
    let alert = severe.pop().unwrap();

    // Labs of the child: one per actor to correct, one per actor to remove,
    // and one whose history is read.
    let yesterday = clock.day(1).to_string();
    let mut labs = Vec::new();
    for _ in 0..17 {
        let lab = call(
            &app,
            Method::POST,
            &format!("/api/v1/participants/{child}/labs"),
            &investigator,
            Some(
                json!({"visit": "unscheduled", "taken_at": yesterday, "kind": "weight",
                        "value": 30, "unit": "kg"}),
            ),
        )
        .await;
        labs.push(lab["id"].as_str().unwrap().to_owned());
    }
    let lab = labs.pop().unwrap();

    // An enrolment code per actor, of new participants of the demo site.
    let mut codes = Vec::new();
    for i in 0..8 {
        let created = call(
            &app,
            Method::POST,
            "/api/v1/participants",
            &investigator,
            Some(
                json!({"site_id": demo_site.id, "study_id": format!("ENROL-{i}"),
                        "birth_year": 2014, "diagnosis_date": clock.day(30).to_string()}),
            ),
        )
        .await;
        codes.push(created["enrollment_code"].as_str().unwrap().to_owned());
    }

    // An account per actor to disable (no one the matrix signs in as).
    let hash = server::password::hash(SecretString::from("victim password 1"))
        .await
        .unwrap();
    let mut victims = Vec::new();
    for i in 0..8 {
        let user = NewUser {
            id: Uuid::now_v7(),
            username: format!("victim.{i}"),
            display_name: format!("Victim {i}"),
            role: Role::Guardian,
            password_hash: hash.clone(),
        };
        app.store
            .create_user(&user, &[], &AuditContext::command_line())
            .await
            .unwrap();
        victims.push(user.id.to_string());
    }

    // Someone else's session: demo.child's (the child is no actor here).
    let bystander_session = session_of(&app, &child_token).await;

    let mut settings = HashMap::new();
    for path in [
        "/api/v1/study",
        "/api/v1/study/emergency-advice",
        "/api/v1/study/alert-settings",
        "/api/v1/study/visits",
        "/api/v1/study/outcome-settings",
    ] {
        settings.insert(path, call(&app, Method::GET, path, &admin, None).await);
    }

    let vars = HashMap::from([
        ("child", child),
        ("teen", teen),
        ("demo_site", demo_site.id.to_string()),
        ("child_entry", child_entry),
        ("teen_entry", teen_entry),
        ("alert", alert),
        ("lab", lab),
        ("bystander_session", bystander_session),
        ("yesterday", yesterday),
        ("diagnosed", clock.day(30).to_string()),
        ("recorded_at", recorded_at),
        ("measured_at", measured_at),
    ]);
    let pools = HashMap::from([
        (
            "username",
            actors.iter().map(|a| a.username.clone()).collect(),
        ),
        (
            "password",
            actors.iter().map(|a| a.password.clone()).collect(),
        ),
        ("ack", severe),
        ("report", serious),
        ("amend", labs[..8].to_vec()),
        ("void", labs[8..].to_vec()),
        ("code", codes),
        ("victim", victims),
    ]);
    World {
        app,
        actors,
        vars,
        pools,
        secrets,
        settings,
        demo_site,
    }
}

/// What a pool of spare sessions holds: one more sign-in of each actor.
#[derive(Clone, Copy)]
enum Spare {
    /// The session's id.
    Session,
    /// Its access token.
    Access,
    /// Its refresh token.
    Refresh,
    /// A browser session instead: "cookies\ncsrf token".
    Browser,
}

impl World {
    /// Adds a pool of spare sessions, one per actor (for anonymous one
    /// that works for no one).
    async fn add_pool(&mut self, name: &'static str, kind: Spare) {
        let mut pool = vec![match kind {
            Spare::Session => Uuid::now_v7().to_string(),
            Spare::Refresh => "not a refresh token".to_owned(),
            Spare::Access | Spare::Browser => String::new(),
        }];
        let app = &self.app;
        for actor in &self.actors[1..] {
            let (u, p) = (actor.username.as_str(), actor.password.as_str());
            pool.push(match kind {
                Spare::Session => session_of(app, &token(app, u, p).await).await,
                Spare::Access => token(app, u, p).await,
                Spare::Refresh => app.login(u, p).await["refresh_token"]
                    .as_str()
                    .expect("refresh token")
                    .to_owned(),
                Spare::Browser => browser_session(app, u, p).await,
            });
        }
        self.pools.insert(name, pool);
    }

    /// `text` with each `{name}` replaced: `{own:pool}` by the actor's item,
    /// `{new}` and `{new_...}` by fresh values of this call, others by `vars`.
    fn fill(&self, text: &str, actor: usize, new: Uuid) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let end = start + rest[start..].find('}').expect("a closing brace");
            let key = &rest[start + 1..end];
            let short = new.simple().to_string()[..10].to_uppercase();
            let value = match key {
                "new" => new.to_string(),
                "new_site_code" => format!("S{short}"),
                "new_study_id" => format!("N-{short}"),
                "new_username" => format!("user.{}", short.to_lowercase()),
                _ => match key.strip_prefix("own:") {
                    Some(pool) => self
                        .pools
                        .get(pool)
                        .unwrap_or_else(|| panic!("no pool {pool}"))[actor]
                        .clone(),
                    None => self
                        .vars
                        .get(key)
                        .unwrap_or_else(|| panic!("no placeholder {{{key}}}"))
                        .clone(),
                },
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn fill_json(&self, value: &Value, actor: usize, new: Uuid) -> Value {
        match value {
            Value::String(s) => Value::String(self.fill(s, actor, new)),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.fill_json(v, actor, new))
                    .collect(),
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.fill_json(v, actor, new)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// What of the seeded participants and sites a 2xx answer to `actor`
    /// shows but should not.
    fn leaks(&self, actor: usize, body: &str) -> Vec<&str> {
        self.secrets
            .iter()
            .filter(|(secret, seen)| !seen[actor] && body.contains(secret.as_str()))
            .map(|(secret, _)| secret.as_str())
            .collect()
    }
}

/// How a row authenticates.
enum Who {
    /// The actor's bearer token (none for anonymous).
    Token,
    /// A bearer token from a pool of spare sessions (for signing out).
    Spare(&'static str),
    /// A browser session (cookies and CSRF token) from a pool.
    Browser(&'static str),
}

/// How a row's answer is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Status,
    /// `POST /sync` answers 200 whenever it reads the batch; whether the
    /// mutation was let in is its result. The matrix shows 200 for
    /// `applied` and 404 for `rejected` with `not_found` (not one of the
    /// caller's participants), the HTTP status otherwise.
    SyncResult,
    /// The alert stream never ends: the status and content type only.
    Stream,
}

/// One `/api` route, called the same way as each actor.
struct Route {
    method: Method,
    /// The path as the OpenAPI document names it.
    template: &'static str,
    /// The path called, with placeholders (see [`World::fill`]).
    path: String,
    who: Who,
    body: Option<Value>,
    expect: [u16; 8],
    answer: Answer,
    leak_check: bool,
}

fn route(method: Method, template: &'static str, expect: [u16; 8]) -> Route {
    Route {
        method,
        template,
        path: template.to_owned(),
        who: Who::Token,
        body: None,
        expect,
        answer: Answer::Status,
        leak_check: true,
    }
}

impl Route {
    fn at(mut self, path: &str) -> Self {
        self.path = path.to_owned();
        self
    }

    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn who(mut self, who: Who) -> Self {
        self.who = who;
        self
    }

    fn answer(mut self, answer: Answer) -> Self {
        self.answer = answer;
        self
    }

    /// The answer rightly names records the actor cannot otherwise see.
    fn no_leak_check(mut self) -> Self {
        self.leak_check = false;
        self
    }
}

/// Every route of the API, as each actor. The order matters only at the
/// end: changing a password ends the caller's other sessions.
fn api_table(w: &World) -> Vec<Route> {
    use Method as M;
    let site = &w.demo_site;
    let setting = |path: &str| w.settings[path].clone();
    let lab = json!({"visit": "unscheduled", "taken_at": "{yesterday}", "kind": "weight",
                     "value": 31, "unit": "kg"});
    let mut correction = lab.clone();
    correction["base_version"] = json!(1);
    correction["reason"] = json!("the scale was not zeroed");
    let sync_for = |participant: &str| {
        json!({"device_id": "{new}", "since": null,
               "mutations": [reading(&format!("{{{participant}}}"), "{new}")]})
    };
    let credentials = json!({"username": "{own:username}", "password": "{own:password}"});
    // Expected: [anonymous, admin, investigator, investigator of another
    // site, participant, participant of another site, guardian, guardian of
    // another child].
    vec![
        // The probes and the document: anyone.
        route(M::GET, "/healthz", [200; 8]),
        route(M::GET, "/readyz", [200; 8]),
        route(M::GET, "/api/openapi.json", [200; 8]),
        // Signing in: each actor with their own credentials (anonymous with
        // none that work).
        route(
            M::POST,
            "/api/v1/auth/login",
            [401, 200, 200, 200, 200, 200, 200, 200],
        )
        .body(credentials.clone()),
        route(
            M::POST,
            "/api/v1/auth/refresh",
            [401, 200, 200, 200, 200, 200, 200, 200],
        )
        .body(json!({"refresh_token": "{own:refresh}"})),
        route(
            M::POST,
            "/api/v1/auth/logout",
            [401, 204, 204, 204, 204, 204, 204, 204],
        )
        .who(Who::Spare("logout")),
        // Staff only: participants and guardians have no authenticator.
        route(
            M::POST,
            "/api/v1/auth/mfa/setup",
            [401, 200, 200, 200, 403, 403, 403, 403],
        )
        .body(credentials.clone()),
        route(
            M::POST,
            "/api/v1/auth/session",
            [401, 200, 200, 200, 200, 200, 200, 200],
        )
        .body(credentials),
        // Anonymous: no CSRF cookie to match, refused before the refresh cookie is read.
        route(
            M::POST,
            "/api/v1/auth/session/refresh",
            [403, 200, 200, 200, 200, 200, 200, 200],
        )
        .who(Who::Browser("browser")),
        route(
            M::GET,
            "/api/v1/me",
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // Sites: the admin's; investigators list their own.
        route(
            M::POST,
            "/api/v1/sites",
            [401, 201, 403, 403, 403, 403, 403, 403],
        )
        .body(
            json!({"code": "{new_site_code}", "name": "New site", "timezone": "Asia/Shanghai",
                     "emergency_phone": "+86 1"}),
        ),
        route(
            M::GET,
            "/api/v1/sites",
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        route(
            M::PUT,
            "/api/v1/sites/{id}",
            [401, 200, 403, 403, 403, 403, 403, 403],
        )
        .at("/api/v1/sites/{demo_site}")
        .body(json!({"name": site.name, "timezone": site.timezone,
                     "emergency_phone": site.emergency_phone})),
        route(
            M::GET,
            "/api/v1/sites/{id}/contacts",
            [401, 200, 403, 403, 403, 403, 403, 403],
        )
        .at("/api/v1/sites/{demo_site}/contacts"),
        route(
            M::PUT,
            "/api/v1/sites/{id}/contacts",
            [401, 200, 403, 403, 403, 403, 403, 403],
        )
        .at("/api/v1/sites/{demo_site}/contacts")
        .body(
            json!({"contacts": [{"level": 0, "channel": "email", "target": "nurse@example.org"}]}),
        ),
        // Alerts: the investigators of the alert's site (the alerts are the
        // teen's, at the demo site).
        route(
            M::GET,
            "/api/v1/alerts",
            [401, 403, 200, 200, 403, 403, 403, 403],
        )
        .at("/api/v1/alerts?status=all"),
        route(
            M::GET,
            "/api/v1/alerts/stream",
            [401, 403, 200, 200, 403, 403, 403, 403],
        )
        .answer(Answer::Stream),
        route(
            M::GET,
            "/api/v1/alerts/{id}",
            [401, 404, 200, 404, 404, 404, 404, 404],
        )
        .at("/api/v1/alerts/{alert}"),
        route(
            M::POST,
            "/api/v1/alerts/{id}/acknowledge",
            [401, 404, 200, 404, 404, 404, 404, 404],
        )
        .at("/api/v1/alerts/{own:ack}/acknowledge")
        .body(json!({"note": "called the family"})),
        route(
            M::POST,
            "/api/v1/alerts/{id}/reported",
            [401, 404, 200, 404, 404, 404, 404, 404],
        )
        .at("/api/v1/alerts/{own:report}/reported")
        .body(json!({"note": "SAE form sent"})),
        // The audit trail of the child: the site's investigators and the
        // admins (redacted), so the admin's answer names the child.
        route(
            M::GET,
            "/api/v1/audit",
            [401, 200, 200, 404, 404, 404, 404, 404],
        )
        .at("/api/v1/audit?entity_id={child}")
        .no_leak_check(),
        // Participants and enrolment.
        route(
            M::POST,
            "/api/v1/participants",
            [401, 403, 201, 403, 403, 403, 403, 403],
        )
        .body(
            json!({"site_id": "{demo_site}", "study_id": "{new_study_id}", "birth_year": 2015,
                     "diagnosis_date": "{diagnosed}"}),
        ),
        route(
            M::GET,
            "/api/v1/participants",
            [401, 403, 200, 200, 403, 403, 200, 200],
        ),
        route(
            M::POST,
            "/api/v1/participants/{id}/guardian-invitations",
            [401, 404, 201, 404, 404, 404, 403, 404],
        )
        .at("/api/v1/participants/{child}/guardian-invitations")
        .body(json!({})),
        // Whoever holds a code enrols, signed in or not.
        route(M::POST, "/api/v1/enroll", [201; 8]).body(json!({
            "code": "{own:code}", "username": "{new_username}", "password": FAMILY_PASSWORD,
            "display_name": "New family"})),
        // The diary: its own participant and their guardians write and read it.
        route(
            M::POST,
            "/api/v1/sync",
            [401, 403, 403, 403, 404, 404, 200, 404],
        )
        .body(sync_for("child"))
        .answer(Answer::SyncResult),
        route(
            M::POST,
            "/api/v1/sync",
            [401, 403, 403, 403, 200, 404, 404, 200],
        )
        .body(sync_for("teen"))
        .answer(Answer::SyncResult),
        route(
            M::GET,
            "/api/v1/participants/{id}/entries",
            [401, 404, 200, 404, 404, 404, 200, 404],
        )
        .at("/api/v1/participants/{child}/entries"),
        route(
            M::GET,
            "/api/v1/participants/{id}/entries",
            [401, 404, 200, 404, 200, 404, 404, 200],
        )
        .at("/api/v1/participants/{teen}/entries"),
        route(
            M::GET,
            "/api/v1/entries/{id}/history",
            [401, 404, 200, 404, 404, 404, 200, 404],
        )
        .at("/api/v1/entries/{child_entry}/history"),
        route(
            M::GET,
            "/api/v1/entries/{id}/history",
            [401, 404, 200, 404, 200, 404, 404, 200],
        )
        .at("/api/v1/entries/{teen_entry}/history"),
        // Labs: entered and corrected by the site's investigators, read by
        // whoever sees the participant.
        route(
            M::POST,
            "/api/v1/participants/{id}/labs",
            [401, 404, 201, 404, 404, 404, 403, 404],
        )
        .at("/api/v1/participants/{child}/labs")
        .body(lab.clone()),
        route(
            M::GET,
            "/api/v1/participants/{id}/labs",
            [401, 404, 200, 404, 404, 404, 200, 404],
        )
        .at("/api/v1/participants/{child}/labs"),
        route(
            M::GET,
            "/api/v1/participants/{id}/labs",
            [401, 404, 200, 404, 200, 404, 404, 200],
        )
        .at("/api/v1/participants/{teen}/labs"),
        route(
            M::PUT,
            "/api/v1/labs/{id}",
            [401, 404, 200, 404, 404, 404, 403, 404],
        )
        .at("/api/v1/labs/{own:amend}")
        .body(correction),
        route(
            M::POST,
            "/api/v1/labs/{id}/void",
            [401, 404, 200, 404, 404, 404, 403, 404],
        )
        .at("/api/v1/labs/{own:void}/void")
        .body(json!({"base_version": 1, "reason": "entered for the wrong child"})),
        route(
            M::GET,
            "/api/v1/labs/{id}/history",
            [401, 404, 200, 404, 404, 404, 200, 404],
        )
        .at("/api/v1/labs/{lab}/history"),
        // Outcome figures, the roster and exports: investigators.
        route(
            M::GET,
            "/api/v1/participants/{id}/summary",
            [401, 404, 200, 404, 404, 404, 403, 404],
        )
        .at("/api/v1/participants/{child}/summary"),
        route(
            M::GET,
            "/api/v1/participants/{id}/summary",
            [401, 404, 200, 404, 403, 404, 404, 403],
        )
        .at("/api/v1/participants/{teen}/summary"),
        route(
            M::GET,
            "/api/v1/study/outcomes",
            [401, 403, 200, 200, 403, 403, 403, 403],
        ),
        route(
            M::GET,
            "/api/v1/roster",
            [401, 403, 200, 200, 403, 403, 403, 403],
        ),
        route(
            M::GET,
            "/api/v1/export",
            [401, 403, 200, 200, 403, 403, 403, 403],
        )
        .at("/api/v1/export?format=fhir"),
        route(
            M::GET,
            "/api/v1/export",
            [401, 404, 200, 404, 404, 404, 403, 404],
        )
        .at("/api/v1/export?format=fhir&participant_id={child}"),
        // Study settings: everyone signed in reads the study and the
        // advice, staff the rest; admins change them (sent back unchanged).
        route(
            M::GET,
            "/api/v1/study",
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        route(
            M::PUT,
            "/api/v1/study",
            [401, 200, 403, 403, 403, 403, 403, 403],
        )
        .body(setting("/api/v1/study")),
        route(
            M::GET,
            "/api/v1/study/emergency-advice",
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        route(
            M::PUT,
            "/api/v1/study/emergency-advice",
            [401, 200, 403, 403, 403, 403, 403, 403],
        )
        .body(setting("/api/v1/study/emergency-advice")),
        route(
            M::GET,
            "/api/v1/study/alert-settings",
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        route(
            M::PUT,
            "/api/v1/study/alert-settings",
            [401, 200, 403, 403, 403, 403, 403, 403],
        )
        .body(setting("/api/v1/study/alert-settings")),
        route(
            M::GET,
            "/api/v1/study/visits",
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        route(
            M::PUT,
            "/api/v1/study/visits",
            [401, 200, 403, 403, 403, 403, 403, 403],
        )
        .body(setting("/api/v1/study/visits")),
        route(
            M::GET,
            "/api/v1/study/outcome-settings",
            [401, 200, 200, 200, 403, 403, 403, 403],
        ),
        route(
            M::PUT,
            "/api/v1/study/outcome-settings",
            [401, 200, 403, 403, 403, 403, 403, 403],
        )
        .body(setting("/api/v1/study/outcome-settings")),
        // Sessions: one's own only.
        route(
            M::GET,
            "/api/v1/sessions",
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        route(
            M::DELETE,
            "/api/v1/sessions/{id}",
            [401, 204, 204, 204, 204, 204, 204, 204],
        )
        .at("/api/v1/sessions/{own:session}"),
        route(
            M::DELETE,
            "/api/v1/sessions/{id}",
            [401, 404, 404, 404, 404, 404, 404, 404],
        )
        .at("/api/v1/sessions/{bystander_session}"),
        // Accounts: the admin's.
        route(
            M::POST,
            "/api/v1/users/{id}/disable",
            [401, 204, 403, 403, 403, 403, 403, 403],
        )
        .at("/api/v1/users/{own:victim}/disable")
        .body(json!({"reason": "left the study team"})),
        // The caller's own language.
        route(
            M::PUT,
            "/api/v1/me/language",
            [401, 200, 200, 200, 200, 200, 200, 200],
        )
        .body(json!({"language": "en"})),
        // Last: a new password ends the caller's other sessions.
        route(
            M::POST,
            "/api/v1/me/password",
            [401, 204, 204, 204, 204, 204, 204, 204],
        )
        .body(json!({"current_password": "{own:password}", "new_password": NEW_PASSWORD})),
    ]
}

/// Calls `row` as `actor`: the status as the matrix counts it (see
/// [`Answer`]) and the body, or a reason the answer is wrong in itself.
async fn api_call(w: &World, row: &Route, actor: usize) -> Result<(u16, String), String> {
    let new = Uuid::new_v4();
    let path = w.fill(&row.path, actor, new);
    let mut request = w.app.client.request(row.method.clone(), w.app.url(&path));
    match row.who {
        Who::Token => {
            if let Some(token) = &w.actors[actor].token {
                request = request.bearer_auth(token);
            }
        }
        Who::Spare(pool) => {
            let token = &w.pools[pool][actor];
            if !token.is_empty() {
                request = request.bearer_auth(token);
            }
        }
        Who::Browser(pool) => {
            if let Some((cookies, csrf)) = w.pools[pool][actor].split_once('\n') {
                request = request.header(COOKIE, cookies).header("x-csrf-token", csrf);
            }
        }
    }
    if let Some(body) = &row.body {
        request = request.json(&w.fill_json(body, actor, new));
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if row.answer == Answer::Stream && status == 200 {
        // Dropping the response ends the stream.
        return if content_type.starts_with("text/event-stream") {
            Ok((status, String::new()))
        } else {
            Err(format!("a stream of {content_type:?}"))
        };
    }
    let text = response.text().await.map_err(|e| format!("no body: {e}"))?;
    if status >= 400 && path.starts_with("/api") {
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !content_type.starts_with("application/json") || !body["error"]["code"].is_string() {
            return Err(format!("{status} not in the error shape: {text:.200}"));
        }
    }
    if row.answer == Answer::SyncResult && status == 200 {
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let result = &body["results"][0];
        let counted = match (result["status"].as_str(), result["error"]["code"].as_str()) {
            (Some("applied"), _) => 200,
            (Some("rejected"), Some("not_found")) => 404,
            _ => return Err(format!("an unexpected sync result: {result}")),
        };
        return Ok((counted, text));
    }
    Ok((status, text))
}

/// One line per call that answered otherwise than its row says.
fn mismatch(method: &str, path: &str, actor: usize, what: String) -> String {
    format!("{method} {path} as {}: {what}", ACTORS[actor])
}

/// The (method, path) pairs of the OpenAPI document that the table lacks,
/// and those of the table that the document lacks.
async fn api_coverage(w: &World, table: &[Route]) -> Vec<String> {
    let doc: Value = w
        .app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("the OpenAPI document");
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            if item.get(method).is_some() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert!(
        documented.contains(&("GET".to_owned(), "/api/v1/me".to_owned())),
        "the document names paths as served: {documented:?}"
    );
    let tabled: BTreeSet<(String, String)> = table
        .iter()
        .map(|r| (r.method.to_string(), r.template.to_owned()))
        .collect();
    let mut problems: Vec<String> = documented
        .difference(&tabled)
        .map(|(m, p)| format!("{m} {p} is in the OpenAPI document but has no row"))
        .collect();
    problems.extend(
        tabled
            .difference(&documented)
            .map(|(m, p)| format!("{m} {p} has a row but is not in the OpenAPI document")),
    );
    problems
}

/// Every `/api` route against every actor.
async fn api_matrix(db: Db) {
    let mut w = world(db).await;
    w.add_pool("session", Spare::Session).await;
    w.add_pool("logout", Spare::Access).await;
    w.add_pool("refresh", Spare::Refresh).await;
    w.add_pool("browser", Spare::Browser).await;

    let table = api_table(&w);
    let mut failures = api_coverage(&w, &table).await;
    let mut calls = 0;
    for row in &table {
        let method = row.method.to_string();
        for actor in 0..8 {
            calls += 1;
            let fail = |what| mismatch(&method, &row.path, actor, what);
            let (status, body) = match api_call(&w, row, actor).await {
                Ok(answer) => answer,
                Err(why) => {
                    failures.push(fail(why));
                    continue;
                }
            };
            let expected = row.expect[actor];
            if status != expected {
                failures.push(fail(format!(
                    "got {status}, expected {expected}: {body:.300}"
                )));
            } else if (200..300).contains(&status) && row.leak_check {
                let leaks = w.leaks(actor, &body);
                if !leaks.is_empty() {
                    failures.push(fail(format!("{status} shows {leaks:?}")));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls ({} rows) answered otherwise:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

/// One server function, called as each actor.
struct Rpc {
    name: &'static str,
    /// Field names and values, with placeholders (see [`World::fill`]).
    form: Vec<(&'static str, &'static str)>,
    /// A browser session pool ("cookies": the actor's own).
    who: &'static str,
    expect: [u16; 8],
    /// In `rpc_guard::READ_ONLY`: needs no CSRF token.
    read_only: bool,
}

fn rpc(name: &'static str, expect: [u16; 8]) -> Rpc {
    Rpc {
        name,
        form: Vec::new(),
        who: "cookies",
        expect,
        read_only: false,
    }
}

impl Rpc {
    fn form(mut self, form: &[(&'static str, &'static str)]) -> Self {
        self.form = form.to_vec();
        self
    }

    fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    fn who(mut self, pool: &'static str) -> Self {
        self.who = pool;
        self
    }
}

/// Every server function of the web app. Errors: 401 sign in first, 403
/// not allowed (also for what the caller may not see), 422 invalid.
fn rpc_table() -> Vec<Rpc> {
    let lab = [
        ("lab[participant_id]", "{child}"),
        ("lab[visit]", "unscheduled"),
        ("lab[taken_at]", "{yesterday}"),
        ("lab[kind]", "weight"),
        ("lab[value]", "30,5"),
        ("lab[unit]", "kg"),
    ];
    let credentials = [
        ("username", "{own:username}"),
        ("password", "{own:password}"),
    ];
    // Expected: in the actor order of the API table.
    vec![
        // Signing in and out.
        rpc("sign_in", [401, 200, 200, 200, 200, 200, 200, 200]).form(&credentials),
        rpc("enroll", [200; 8]).form(&[
            ("code", "{own:code}"),
            ("display_name", "New family"),
            ("username", "{new_username}"),
            ("password", FAMILY_PASSWORD),
        ]),
        rpc("set_up_mfa", [401, 200, 200, 200, 403, 403, 403, 403]).form(&credentials),
        rpc("my_sessions", [401, 200, 200, 200, 200, 200, 200, 200]).read_only(),
        rpc("end_session", [401, 200, 200, 200, 200, 200, 200, 200])
            .form(&[("id", "{own:session}")]),
        rpc("end_session", [401, 403, 403, 403, 403, 403, 403, 403])
            .form(&[("id", "{bystander_session}")]),
        // Without a session there is nothing to end: fine.
        rpc("sign_out", [200; 8]).who("signout"),
        rpc("who_am_i", [200; 8]).read_only(),
        // The pages' language: anyone (a cookie), on the account when signed in.
        rpc("set_language", [200; 8]).form(&[("language", "en")]),
        rpc("set_language", [422; 8]).form(&[("language", "tlh")]),
        // The staff navigation bar: nothing (`None`) for whoever is signed out.
        rpc("nav_info", [200; 8]).read_only(),
        rpc("study_info", [200; 8]).read_only(),
        rpc("diary_profile", [401, 200, 200, 200, 200, 200, 200, 200]).read_only(),
        // The investigator's workspace. Participants, guardians and admins
        // have no sites: an empty list.
        rpc("my_sites", [401, 200, 200, 200, 200, 200, 200, 200]).read_only(),
        rpc("add_participant", [401, 403, 200, 403, 403, 403, 403, 403]).form(&[
            ("site_id", "{demo_site}"),
            ("study_id", "{new_study_id}"),
            ("birth_year", "2015"),
            ("diagnosis_date", "{diagnosed}"),
        ]),
        // 403 where the participant is not visible, as the other functions.
        rpc("invite_guardian", [401, 403, 200, 403, 403, 403, 403, 403])
            .form(&[("participant_id", "{child}")]),
        // The inbox: investigators of the alert's site.
        rpc("inbox", [401, 403, 200, 200, 403, 403, 403, 403]).read_only(),
        rpc("acknowledge", [401, 403, 200, 403, 403, 403, 403, 403])
            .form(&[("id", "{own:ack}"), ("note", "called the family")]),
        rpc("mark_reported", [401, 403, 200, 403, 403, 403, 403, 403])
            .form(&[("id", "{own:report}"), ("note", "SAE form sent")]),
        // Review: investigators (of the participant's site).
        rpc("study_outcomes", [401, 403, 200, 200, 403, 403, 403, 403]).read_only(),
        rpc("roster", [401, 403, 200, 200, 403, 403, 403, 403]).read_only(),
        rpc(
            "participant_review",
            [401, 403, 200, 403, 403, 403, 403, 403],
        )
        .read_only()
        .form(&[("id", "{child}"), ("from", ""), ("to", "")]),
        rpc("save_lab", [401, 403, 200, 403, 403, 403, 403, 403]).form(&lab),
        rpc("void_lab", [401, 403, 200, 403, 403, 403, 403, 403]).form(&[
            ("lab_id", "{own:void}"),
            ("base_version", "1"),
            ("reason", "entered for the wrong child"),
        ]),
    ]
}

/// Calls a server function as the web app does: the session's cookies and
/// CSRF token, or for anonymous the app's own `Origin`, as a browser on its
/// page sends it. `csrf: false` leaves both the token and the origin out.
async fn rpc_call(w: &World, call: &Rpc, actor: usize, csrf: bool) -> (u16, String) {
    let new = Uuid::new_v4();
    let form: Vec<(&str, String)> = call
        .form
        .iter()
        .map(|(k, v)| (*k, w.fill(v, actor, new)))
        .collect();
    let mut request = w
        .app
        .client
        .post(w.app.url(&format!("/rpc/{}", call.name)))
        .form(&form);
    match w.pools[call.who][actor].split_once('\n') {
        Some((cookies, token)) => {
            request = request.header(COOKIE, cookies);
            if csrf {
                request = request.header("x-csrf-token", token);
            }
        }
        None if csrf => request = request.header(ORIGIN, &w.app.address),
        None => {}
    }
    let response = request.send().await.expect("a server function's answer");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The server functions of `app/src` (`#[server(..., endpoint = "name")]`).
fn server_functions() -> BTreeSet<String> {
    fn walk(dir: &std::path::Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("app/src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                for attribute in text.split("#[server(").skip(1) {
                    let attribute = attribute.split(")]").next().unwrap_or_default();
                    let name = attribute
                        .split("endpoint")
                        .nth(1)
                        .and_then(|rest| rest.split('"').nth(1))
                        .unwrap_or_else(|| {
                            panic!(
                                "a server function without an endpoint in {}",
                                path.display()
                            )
                        });
                    out.insert(name.to_owned());
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src"),
        &mut out,
    );
    out
}

/// Every `/rpc` server function against every actor, then each
/// state-changing one without its CSRF token.
async fn rpc_matrix(db: Db) {
    let mut w = world(db).await;
    w.add_pool("cookies", Spare::Browser).await;
    w.add_pool("signout", Spare::Browser).await;
    w.add_pool("session", Spare::Session).await;

    let table = rpc_table();
    let mut failures = Vec::new();
    let defined = server_functions();
    let tabled: BTreeSet<String> = table.iter().map(|c| c.name.to_owned()).collect();
    failures.extend(
        defined
            .difference(&tabled)
            .map(|name| format!("/rpc/{name} is a server function but has no row")),
    );
    failures.extend(
        tabled
            .difference(&defined)
            .map(|name| format!("/rpc/{name} has a row but no server function")),
    );
    let mut calls = 0;
    for call in &table {
        let path = format!("/rpc/{}", call.name);
        for actor in 0..8 {
            calls += 1;
            let (status, body) = rpc_call(&w, call, actor, true).await;
            let expected = call.expect[actor];
            let fail = |what| mismatch("POST", &path, actor, what);
            if status != expected {
                failures.push(fail(format!(
                    "got {status}, expected {expected}: {body:.300}"
                )));
            } else if (200..300).contains(&status) {
                let leaks = w.leaks(actor, &body);
                if !leaks.is_empty() {
                    failures.push(fail(format!("{status} shows {leaks:?}")));
                }
            }
        }
    }
    // The session cookies alone, as any page could send them: refused for
    // whatever changes something, answered as usual for reads.
    for call in &table {
        let path = format!("/rpc/{}", call.name);
        let expected = if call.read_only {
            call.expect[INVESTIGATOR]
        } else {
            403
        };
        calls += 1;
        let (status, body) = rpc_call(&w, call, INVESTIGATOR, false).await;
        if status != expected {
            failures.push(format!(
                "POST {path} with the investigator's cookies but no CSRF token or Origin: got {status}, expected {expected}: {body:.300}"
            ));
        } else if !call.read_only && !body.contains("csrf_failed") {
            failures.push(format!(
                "POST {path} without a CSRF token: 403 but not csrf_failed: {body:.300}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls ({} rows) answered otherwise:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

on_both_backends!(api_matrix, rpc_matrix);

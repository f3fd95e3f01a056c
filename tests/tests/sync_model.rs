//! The sync against a model, state-machine style: two devices of one
//! participant (the child's own phone and a guardian's) create, amend and
//! void entries offline and deliver their outboxes in random subsets, out of
//! order, duplicated, and with answers lost on the way back. Every answer
//! must be what a simple sequential model of the server says; at the end
//! the server's histories equal the model's, every acknowledged mutation is
//! there exactly once, and both phones hold the model's current entries.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, SecondsFormat, Utc};
use ediary_tests::{Db, TestApp, demo_password, spawn_app};
use proptest::{
    prelude::*,
    test_runner::{Config, TestCaseError, TestRunner},
};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Debug, Clone)]
enum Action {
    Create {
        device: usize,
        value: u16,
    },
    Amend {
        device: usize,
        pick: usize,
        value: u16,
    },
    Void {
        device: usize,
        pick: usize,
    },
    Deliver {
        device: usize,
        mask: u32,
        order: u64,
        duplicate: bool,
        lose_answer: bool,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let device = 0..2usize;
    prop_oneof![
        3 => (device.clone(), 40..400u16).prop_map(|(device, value)| Action::Create { device, value }),
        2 => (device.clone(), any::<usize>(), 40..400u16)
            .prop_map(|(device, pick, value)| Action::Amend { device, pick, value }),
        1 => (device.clone(), any::<usize>()).prop_map(|(device, pick)| Action::Void { device, pick }),
        3 => (device, any::<u32>(), any::<u64>(), any::<bool>(), prop::bool::weighted(0.25))
            .prop_map(|(device, mask, order, duplicate, lose_answer)| Action::Deliver {
                device, mask, order, duplicate, lose_answer,
            }),
    ]
}

/// A version as the model and the phones see it.
#[derive(Debug, Clone, PartialEq)]
struct Version {
    version: i64,
    voided: bool,
    value: i64,
    mutation_id: Uuid,
}

#[derive(Default)]
struct Model {
    /// First outcome of each mutation id: (status, version).
    seen: HashMap<Uuid, (&'static str, Option<i64>)>,
    entries: HashMap<Uuid, Vec<Version>>,
}

impl Model {
    /// The result the server must give, and the model's new state.
    fn apply(&mut self, m: &Value) -> (&'static str, Option<i64>) {
        let id: Uuid = m["id"].as_str().unwrap().parse().unwrap();
        if let Some((_, version)) = self.seen.get(&id) {
            return ("duplicate", *version);
        }
        let entry: Uuid = m["entry_id"].as_str().unwrap().parse().unwrap();
        let op = m["op"].as_str().unwrap();
        let outcome = match (op, self.entries.get_mut(&entry)) {
            ("create", Some(versions)) => ("conflict", versions.last().map(|v| v.version)),
            ("create", None) => {
                self.entries.insert(
                    entry,
                    vec![Version {
                        version: 1,
                        voided: false,
                        value: m["data"]["value"].as_i64().unwrap(),
                        mutation_id: id,
                    }],
                );
                ("applied", Some(1))
            }
            (_, None) => ("rejected", None),
            (_, Some(versions)) => {
                let current = versions.last().unwrap().clone();
                if m["base_version"].as_i64() != Some(current.version) {
                    ("conflict", Some(current.version))
                } else if current.voided {
                    ("rejected", None)
                } else {
                    let next = Version {
                        version: current.version + 1,
                        voided: op == "void",
                        value: if op == "void" {
                            current.value
                        } else {
                            m["data"]["value"].as_i64().unwrap()
                        },
                        mutation_id: id,
                    };
                    versions.push(next);
                    ("applied", Some(current.version + 1))
                }
            }
        };
        self.seen.insert(id, outcome);
        outcome
    }
}

struct Device {
    token: String,
    id: Uuid,
    cursor: Value,
    outbox: Vec<Value>,
    /// The phone's view: server versions, then its own edits on top.
    known: HashMap<Uuid, Version>,
    order: Vec<Uuid>,
}

fn now_plus8() -> String {
    Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn version_of(entry: &Value) -> Version {
    Version {
        version: entry["version"].as_i64().unwrap(),
        voided: entry["status"] == "voided",
        value: entry["data"]["value"].as_i64().unwrap(),
        mutation_id: entry["mutation_id"].as_str().unwrap().parse().unwrap(),
    }
}

struct Case<'a> {
    app: &'a TestApp,
    participant: Uuid,
    measured_at: String,
    devices: Vec<Device>,
    model: Model,
    acknowledged: HashSet<Uuid>,
}

impl Case<'_> {
    fn mutation(&self, op: &str, entry: Option<(Uuid, i64)>, value: Option<u16>) -> Value {
        let id = Uuid::now_v7();
        let (entry_id, base) = entry.map_or((id, None), |(e, b)| (e, Some(b)));
        let mut m = json!({
            "id": id, "participant_id": self.participant, "entry_id": entry_id, "op": op,
            "kind": "glucose", "recorded_at": now_plus8(),
        });
        if let Some(base) = base {
            m["base_version"] = json!(base);
            m["reason"] = json!(format!("{op} on this phone"));
        }
        if let Some(value) = value {
            m["data"] = json!({"measured_at": self.measured_at, "value": value, "unit": "mg/dL",
                               "context": "other", "source": "meter"});
        }
        m
    }

    fn edit(&mut self, device: usize, pick: usize, value: Option<u16>) {
        let d = &self.devices[device];
        let candidates: Vec<Uuid> = d
            .order
            .iter()
            .filter(|e| d.known.get(e).is_some_and(|v| !v.voided))
            .copied()
            .collect();
        if candidates.is_empty() {
            return;
        }
        let entry = candidates[pick % candidates.len()];
        let local = d.known[&entry].clone();
        let (op, new_value) = match value {
            Some(v) => ("amend", Some(v)),
            None => ("void", None),
        };
        let m = self.mutation(op, Some((entry, local.version)), new_value);
        let d = &mut self.devices[device];
        d.known.insert(
            entry,
            Version {
                version: local.version + 1,
                voided: value.is_none(),
                value: new_value.map_or(local.value, i64::from),
                mutation_id: m["id"].as_str().unwrap().parse().unwrap(),
            },
        );
        d.outbox.push(m);
    }

    async fn deliver(
        &mut self,
        device: usize,
        batch: Vec<Value>,
        lose_answer: bool,
    ) -> Result<bool, TestCaseError> {
        let d = &self.devices[device];
        let response = self
            .app
            .client
            .post(self.app.url("/api/v1/sync"))
            .bearer_auth(&d.token)
            .json(&json!({"device_id": d.id, "since": d.cursor, "mutations": batch}))
            .send()
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(response.status().as_u16(), 200);
        let answer: Value = response.json().await.unwrap();
        let results = answer["results"].as_array().unwrap();
        prop_assert_eq!(results.len(), batch.len());
        for (m, r) in batch.iter().zip(results) {
            let (status, version) = self.model.apply(m);
            prop_assert_eq!(r["status"].as_str(), Some(status), "{} -> {}", m, r);
            if status != "rejected" {
                prop_assert_eq!(r["version"].as_i64(), version, "{} -> {}", m, r);
            }
            let original = if status == "duplicate" {
                r["original_status"].as_str()
            } else {
                r["status"].as_str()
            };
            if !lose_answer && original == Some("applied") {
                self.acknowledged
                    .insert(m["id"].as_str().unwrap().parse().unwrap());
            }
        }
        if lose_answer {
            return Ok(true);
        }
        let d = &mut self.devices[device];
        let answered: HashSet<&str> = batch.iter().filter_map(|m| m["id"].as_str()).collect();
        d.outbox
            .retain(|m| !answered.contains(m["id"].as_str().unwrap()));
        d.cursor = answer["cursor"].clone();
        for change in answer["changes"].as_array().unwrap() {
            let entry: Uuid = change["id"].as_str().unwrap().parse().unwrap();
            if !d.order.contains(&entry) {
                d.order.push(entry);
            }
            // Edits still in the outbox stay on top of what the server says.
            let pending = d.outbox.iter().any(|m| m["entry_id"] == change["id"]);
            if !pending {
                d.known.insert(entry, version_of(change));
            }
        }
        Ok(answer["more"].as_bool().unwrap_or(false))
    }

    async fn run(&mut self, actions: &[Action]) -> Result<(), TestCaseError> {
        for action in actions {
            match *action {
                Action::Create { device, value } => {
                    let m = self.mutation("create", None, Some(value));
                    let id: Uuid = m["id"].as_str().unwrap().parse().unwrap();
                    let d = &mut self.devices[device];
                    d.known.insert(
                        id,
                        Version {
                            version: 1,
                            voided: false,
                            value: value.into(),
                            mutation_id: id,
                        },
                    );
                    d.order.push(id);
                    d.outbox.push(m);
                }
                Action::Amend {
                    device,
                    pick,
                    value,
                } => self.edit(device, pick, Some(value)),
                Action::Void { device, pick } => self.edit(device, pick, None),
                Action::Deliver {
                    device,
                    mask,
                    order,
                    duplicate,
                    lose_answer,
                } => {
                    let outbox = &self.devices[device].outbox;
                    // Loss: a random subset goes out this time.
                    let mut batch: Vec<Value> = outbox
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << (i % 32)) != 0)
                        .map(|(_, m)| m.clone())
                        .collect();
                    // Reordering: a rotation and a swap picked by `order`.
                    if batch.len() > 1 {
                        let n = batch.len();
                        batch.rotate_left((order as usize) % n);
                        batch.swap(((order >> 16) as usize) % n, ((order >> 32) as usize) % n);
                    }
                    if duplicate && let Some(first) = batch.first().cloned() {
                        batch.push(first);
                    }
                    self.deliver(device, batch, lose_answer).await?;
                }
            }
        }
        // The network comes back for good: every outbox drains, then both
        // phones pull everything afresh (a phone whose edit was refused
        // would otherwise keep its own guess until the entry changes again).
        for device in 0..self.devices.len() {
            while !self.devices[device].outbox.is_empty() {
                let batch = self.devices[device].outbox.clone();
                self.deliver(device, batch, false).await?;
            }
        }
        for device in 0..self.devices.len() {
            self.devices[device].cursor = Value::Null;
            self.devices[device].known.clear();
            while self.deliver(device, Vec::new(), false).await? {}
        }
        self.check().await
    }

    async fn check(&self) -> Result<(), TestCaseError> {
        let token = &self.devices[0].token;
        let mut stored_mutations = HashSet::new();
        for (entry, expected) in &self.model.entries {
            let history: Value = self
                .app
                .get_with(&format!("/api/v1/entries/{entry}/history"), token)
                .await
                .json()
                .await
                .unwrap();
            let versions: Vec<Version> = history["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(version_of)
                .collect();
            prop_assert_eq!(&versions, expected, "history of {}", entry);
            for v in &versions {
                prop_assert!(
                    stored_mutations.insert(v.mutation_id),
                    "{} twice",
                    v.mutation_id
                );
            }
            for d in &self.devices {
                prop_assert_eq!(
                    d.known.get(entry),
                    expected.last(),
                    "a phone's view of {}",
                    entry
                );
            }
        }
        for id in &self.acknowledged {
            prop_assert!(stored_mutations.contains(id), "acknowledged {} missing", id);
        }
        Ok(())
    }
}

fn sync_matches_the_model(db: Db) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (app, tokens, participant) = runtime.block_on(async {
        let app = spawn_app(db).await;
        ediary_tests::seed_demo(app.store.as_ref()).await;
        let mut tokens = Vec::new();
        for user in ["demo.child", "demo.guardian"] {
            let login = app.login(user, demo_password(user)).await;
            tokens.push(login["access_token"].as_str().unwrap().to_owned());
        }
        let me: Value = app
            .get_with("/api/v1/me", &tokens[0])
            .await
            .json()
            .await
            .unwrap();
        let participant: Uuid = me["participant_ids"][0].as_str().unwrap().parse().unwrap();
        (app, tokens, participant)
    });
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(action(), 1..40), |actions| {
        runtime.block_on(async {
            let mut case = Case {
                app: &app,
                participant,
                measured_at: (Utc::now() - Duration::minutes(30))
                    .to_rfc3339_opts(SecondsFormat::Secs, true),
                devices: tokens
                    .iter()
                    .map(|token| Device {
                        token: token.clone(),
                        id: Uuid::new_v4(),
                        cursor: Value::Null,
                        outbox: Vec::new(),
                        known: HashMap::new(),
                        order: Vec::new(),
                    })
                    .collect(),
                model: Model::default(),
                acknowledged: HashSet::new(),
            };
            // Phones start from the present: entries of earlier cases are
            // not this case's business.
            for device in 0..2 {
                case.deliver(device, Vec::new(), false).await?;
                case.devices[device].known.clear();
                case.devices[device].order.clear();
            }
            case.run(&actions).await
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    runtime.block_on(async move { drop(app) });
}

#[test]
fn sqlite_sync_matches_the_model() {
    sync_matches_the_model(Db::Sqlite);
}

#[test]
fn postgres_sync_matches_the_model() {
    sync_matches_the_model(Db::Postgres);
}

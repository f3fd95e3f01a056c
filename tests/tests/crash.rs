//! SIGKILL in the middle of sync traffic: the real binary, several phones
//! sending batches, the server killed without warning and restarted on the
//! same database. Every mutation that was answered 200 must be there exactly
//! once, and batches sent again (answered or not) must converge.

use std::{
    collections::{HashMap, HashSet},
    process::Command,
    sync::{Arc, Mutex},
    time::Duration,
};

use ediary_tests::{Db, ServerProcess, TestSite, demo_password, diary, fresh_db, on_both_backends};
use serde_json::{Value, json};
use uuid::Uuid;

async fn start(db_url: &str, dir: &std::path::Path, site: &TestSite) -> ServerProcess {
    ServerProcess::start(db_url, dir, site, &[]).await
}

#[derive(Clone)]
struct Phone {
    token: String,
    device: Uuid,
    participant: Uuid,
}

async fn phone(client: &reqwest::Client, base: &str, user: &str) -> Phone {
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": demo_password(user)}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    let me: Value = client
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Phone {
        token,
        device: Uuid::new_v4(),
        // Staff keep no diary: nil.
        participant: me["participant_ids"][0]
            .as_str()
            .map_or(Uuid::nil(), |p| p.parse().unwrap()),
    }
}

async fn send(
    client: &reqwest::Client,
    base: &str,
    phone: &Phone,
    batch: &[Value],
) -> Result<Value, String> {
    let response = client
        .post(format!("{base}/api/v1/sync"))
        .bearer_auth(&phone.token)
        .json(&json!({"device_id": phone.device, "since": null, "mutations": batch}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != 200 {
        return Err(format!("status {}", response.status()));
    }
    response.json().await.map_err(|e| e.to_string())
}

/// What the phones saw: batches answered 200 and batches without an answer.
#[derive(Default)]
struct Log {
    answered: Vec<(usize, Vec<Value>)>,
    unanswered: Vec<(usize, Vec<Value>)>,
}

async fn sigkill_mid_stream(db: Db) {
    let test_db = fresh_db(db).await;
    let site = TestSite::new();
    let server = start(&test_db.raw_url, test_db.dir.path(), &site).await;
    let client = reqwest::Client::new();
    let mut phones = Vec::new();
    for user in ["demo.teen", "demo.child", "demo.guardian", "demo.teen"] {
        phones.push(phone(&client, &server.base, user).await);
    }
    // The demo's own diary is there before the traffic.
    let before: HashSet<String> = {
        let investigator = phone(&client, &server.base, "demo.investigator").await;
        let participants = phones.iter().map(|p| p.participant).collect();
        stored_mutations(&client, &server.base, &investigator.token, &participants)
            .await
            .into_iter()
            .collect()
    };
    let log = Arc::new(Mutex::new(Log::default()));
    let mut tasks = Vec::new();
    for (index, p) in phones.iter().cloned().enumerate() {
        let (client, base, log) = (client.clone(), server.base.clone(), log.clone());
        tasks.push(tokio::spawn(async move {
            let mut acknowledged: Vec<(Value, i64)> = Vec::new();
            for round in 0.. {
                let mut batch: Vec<Value> = (0..15)
                    .map(|i| {
                        diary::glucose(p.participant, json!(60 + (round * 15 + i) % 300), "mg/dL")
                    })
                    .collect();
                // Amend an entry this phone saw applied earlier.
                if let Some((entry, version)) = acknowledged.pop() {
                    let mut data = entry["data"].clone();
                    data["value"] = json!(99);
                    batch.push(diary::amend(&entry, version, data, "corrected"));
                }
                match send(&client, &base, &p, &batch).await {
                    Ok(answer) => {
                        for (m, r) in batch.iter().zip(answer["results"].as_array().unwrap()) {
                            assert_eq!(r["status"], "applied", "{r}");
                            if m["op"] == "create" && round % 2 == 0 {
                                acknowledged.push((m.clone(), 1));
                            }
                        }
                        log.lock().unwrap().answered.push((index, batch));
                    }
                    Err(_) => {
                        log.lock().unwrap().unanswered.push((index, batch));
                        return;
                    }
                }
            }
        }));
    }
    // Let traffic build up, then kill without warning.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("phones give up once the server is gone")
            .unwrap();
    }
    drop(server);
    let log = Arc::try_unwrap(log).ok().unwrap().into_inner().unwrap();
    assert!(
        log.answered.len() >= 4,
        "too little traffic before the kill: {} batches",
        log.answered.len()
    );
    assert!(!log.unanswered.is_empty());

    // Restart on the same database; phones sign in again and retry.
    let server = start(&test_db.raw_url, test_db.dir.path(), &site).await;
    let users = ["demo.teen", "demo.child", "demo.guardian", "demo.teen"];
    for (index, user) in users.iter().enumerate() {
        let fresh = phone(&client, &server.base, user).await;
        phones[index].token = fresh.token;
    }
    let mut first_outcome: HashMap<String, (Value, Value)> = HashMap::new();
    for attempt in 0..2 {
        // The unanswered batches, and the last answered ones, twice over.
        let mut retries: Vec<&(usize, Vec<Value>)> = log.unanswered.iter().collect();
        retries.extend(log.answered.iter().rev().take(3));
        for (index, batch) in retries {
            let answer = send(&client, &server.base, &phones[*index], batch)
                .await
                .expect("a retry is answered");
            for (m, r) in batch.iter().zip(answer["results"].as_array().unwrap()) {
                let status = r["status"].as_str().unwrap();
                assert!(status == "applied" || status == "duplicate", "{m} -> {r}");
                let id = m["id"].as_str().unwrap().to_owned();
                let outcome = (r["entry_id"].clone(), r["version"].clone());
                match first_outcome.get(&id) {
                    Some(first) if attempt > 0 => {
                        assert_eq!(status, "duplicate", "{r}");
                        assert_eq!(first, &outcome, "a retry converges");
                    }
                    _ => {
                        first_outcome.insert(id, outcome);
                    }
                }
            }
        }
    }

    // Every mutation sent, answered or retried, is stored exactly once.
    let sent: HashSet<String> = log
        .answered
        .iter()
        .chain(log.unanswered.iter())
        .flat_map(|(_, b)| b.iter().map(|m| m["id"].as_str().unwrap().to_owned()))
        .collect();
    let investigator = phone(&client, &server.base, "demo.investigator").await;
    let participants: HashSet<Uuid> = phones.iter().map(|p| p.participant).collect();
    let stored: Vec<String> =
        stored_mutations(&client, &server.base, &investigator.token, &participants)
            .await
            .into_iter()
            .filter(|m| !before.contains(m))
            .collect();
    let unique: HashSet<String> = stored.iter().cloned().collect();
    assert_eq!(unique.len(), stored.len(), "a mutation stored twice");
    assert_eq!(unique, sent, "stored mutations are exactly those sent");
}

on_both_backends!(sigkill_mid_stream);

/// The mutation ids of every stored version of the participants' entries.
async fn stored_mutations(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    participants: &HashSet<Uuid>,
) -> Vec<String> {
    let mut stored: Vec<String> = Vec::new();
    for &participant in participants {
        let mut path = format!("/api/v1/participants/{participant}/entries?limit=1000");
        loop {
            let page: Value = client
                .get(format!("{}{path}", base))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for item in page["items"].as_array().unwrap() {
                let history: Value = client
                    .get(format!(
                        "{}/api/v1/entries/{}/history",
                        base,
                        item["id"].as_str().unwrap()
                    ))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                for v in history["versions"].as_array().unwrap() {
                    stored.push(v["mutation_id"].as_str().unwrap().to_owned());
                }
            }
            match page["next_cursor"].as_str() {
                Some(c) => {
                    path =
                        format!("/api/v1/participants/{participant}/entries?limit=1000&cursor={c}")
                }
                None => break,
            }
        }
    }
    stored
}

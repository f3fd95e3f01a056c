//! Exports parsed back by real parsers, on both backends: the CSV zip
//! re-imports to the rows stored (current versions, removals marked); the
//! ODM XML is well-formed and carries every version of every entry and lab
//! with its audit record; the FHIR Bundle has the R4 structure, LOINC codes
//! and UCUM units; and nobody exports another site's participants.

use std::io::{Cursor, Read};

use app::domain::account::Role;
use chrono::{Duration, Utc};
use ediary_tests::{
    Db, TestApp, demo_password, on_both_backends, other_site_investigator, spawn_app, staff_token,
};
use quick_xml::events::Event;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn download(app: &TestApp, path: &str, token: &str) -> (u16, String, Vec<u8>) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.expect("body").to_vec(),
    )
}

async fn token(app: &TestApp, username: &str) -> String {
    app.login(username, demo_password(username)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn minutes_ago(m: i64) -> String {
    (Utc::now() - Duration::minutes(m)).to_rfc3339()
}

fn create(participant: &str, kind: &str, data: Value) -> Value {
    let id = Uuid::now_v7();
    json!({"id": id, "participant_id": participant, "entry_id": id, "op": "create", "kind": kind,
           "recorded_at": Utc::now().to_rfc3339(), "data": data})
}

/// The teen's diary: 3 readings (one corrected, one removed), a dose, a low;
/// a lab corrected once: 7 entry versions and 2 lab versions in all.
async fn fixture(app: &TestApp) -> (String, String, String) {
    ediary_tests::seed_demo(app.store.as_ref()).await;
    let investigator = token(app, "demo.investigator").await;
    let teen = token(app, "demo.teen").await;
    let (_, me) = app.call(Method::GET, "/api/v1/me", &teen, None).await;
    let p = me["participant_ids"][0].as_str().unwrap().to_owned();
    let reading = |value: Value, unit: &str, m: i64| {
        create(
            &p,
            "glucose",
            json!({"measured_at": minutes_ago(m), "value": value, "unit": unit,
                                      "context": "before_meal", "source": "meter", "note": "after \"football\", tired"}),
        )
    };
    let corrected = reading(json!(250), "mg/dL", 50);
    let removed = reading(json!(7.5), "mmol/L", 40);
    let batch = vec![
        reading(json!("LO"), "mmol/L", 60),
        corrected.clone(),
        removed.clone(),
        create(
            &p,
            "insulin",
            json!({"administered_at": minutes_ago(30), "units": 4.5,
                                      "insulin_type": "rapid", "purpose": "meal", "product": "insulin aspart"}),
        ),
        create(
            &p,
            "hypo",
            json!({"occurred_at": minutes_ago(20), "glucose_value": 3.1, "glucose_unit": "mmol/L",
            "symptoms": ["shaky", "sweating"], "needed_assistance": false, "lost_consciousness": false,
            "seizure": false, "treatments": ["oral_carbohydrate"]}),
        ),
    ];
    let mut fixed = corrected["data"].clone();
    fixed["value"] = json!(205);
    let changes = vec![
        json!({"id": Uuid::now_v7(), "participant_id": p, "entry_id": corrected["entry_id"], "op": "amend",
               "kind": "glucose", "base_version": 1, "reason": "misread", "recorded_at": Utc::now().to_rfc3339(),
               "data": fixed}),
        json!({"id": Uuid::now_v7(), "participant_id": p, "entry_id": removed["entry_id"], "op": "void",
               "kind": "glucose", "base_version": 1, "reason": "duplicate", "recorded_at": Utc::now().to_rfc3339()}),
    ];
    for mutations in [batch, changes] {
        let (status, answer) = app
            .call(
                Method::POST,
                "/api/v1/sync",
                &teen,
                Some(json!({"device_id": Uuid::new_v4(), "since": null, "mutations": mutations})),
            )
            .await;
        assert_eq!(status, 200);
        assert!(
            answer["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["status"] == "applied"),
            "{answer:#}"
        );
    }
    let (status, lab) = app.call(Method::POST, &format!("/api/v1/participants/{p}/labs"), &investigator,
        Some(json!({"visit": "baseline", "taken_at": "2026-11-14", "kind": "c_peptide_stimulated", "value": 0.9, "unit": "ng/mL"}))).await;
    assert_eq!(status, 201);
    let correction = json!({"base_version": 1, "reason": "wrong unit", "visit": "baseline", "taken_at": "2026-11-14",
                            "kind": "c_peptide_stimulated", "value": 298, "unit": "pmol/L"});
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/labs/{}", lab["id"].as_str().unwrap()),
            &investigator,
            Some(correction),
        )
        .await;
    assert_eq!(status, 200);
    (investigator, teen, p)
}

fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<csv::StringRecord>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut files = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut rows = vec![reader.headers().unwrap().clone()];
        rows.extend(reader.records().map(Result::unwrap));
        files.insert(file.name().to_owned(), rows);
    }
    files
}

fn column<'a>(rows: &'a [csv::StringRecord], row: &'a csv::StringRecord, name: &str) -> &'a str {
    let at = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    &row[at]
}

async fn csv_reimports_to_the_stored_rows(db: Db) {
    let app = spawn_app(db).await;
    let (investigator, teen, p) = fixture(&app).await;
    let (status, content_type, bytes) = download(
        &app,
        &format!("/api/v1/export?format=csv&participant_id={p}"),
        &investigator,
    )
    .await;
    assert_eq!((status, content_type.as_str()), (200, "application/zip"));
    let files = unzip(&bytes);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "data_dictionary.csv",
            "glucose.csv",
            "hypo.csv",
            "insulin.csv",
            "labs.csv"
        ]
    );

    // The API's own list, row for row.
    let (_, stored) = app
        .call(
            Method::GET,
            &format!("/api/v1/participants/{p}/entries?kind=glucose"),
            &teen,
            None,
        )
        .await;
    let glucose = &files["glucose.csv"];
    assert_eq!(glucose.len() - 1, stored["items"].as_array().unwrap().len());
    for item in stored["items"].as_array().unwrap() {
        let row = glucose[1..]
            .iter()
            .find(|r| column(glucose, r, "entry_id") == item["id"].as_str().unwrap())
            .expect("every stored entry is exported");
        assert_eq!(column(glucose, row, "version"), item["version"].to_string());
        assert_eq!(
            column(glucose, row, "status"),
            item["status"].as_str().unwrap()
        );
        assert_eq!(column(glucose, row, "study_id"), "DEMO-001");
        assert_eq!(
            column(glucose, row, "note"),
            "after \"football\", tired",
            "quotes and commas survive"
        );
        match &item["data"]["value"] {
            Value::String(flag) => assert_eq!(column(glucose, row, "meter_flag"), flag),
            value => assert_eq!(
                column(glucose, row, "value").parse::<f64>().unwrap(),
                value.as_f64().unwrap()
            ),
        }
    }
    let amended = glucose[1..]
        .iter()
        .find(|r| column(glucose, r, "reason") == "misread")
        .unwrap();
    assert_eq!(
        (
            column(glucose, amended, "value"),
            column(glucose, amended, "version")
        ),
        ("205", "2")
    );
    let voided = glucose[1..]
        .iter()
        .find(|r| column(glucose, r, "status") == "voided")
        .unwrap();
    assert_eq!(column(glucose, voided, "reason"), "duplicate");
    let hypo = &files["hypo.csv"];
    assert_eq!(column(hypo, &hypo[1], "symptoms"), "shaky;sweating");
    assert_eq!(
        column(hypo, &hypo[1], "ada2005_class"),
        "documented_symptomatic"
    );
    let insulin = &files["insulin.csv"];
    assert_eq!(column(insulin, &insulin[1], "product"), "insulin aspart");
    let labs = &files["labs.csv"];
    assert_eq!(labs.len(), 2);
    assert_eq!(
        (
            column(labs, &labs[1], "value"),
            column(labs, &labs[1], "unit")
        ),
        ("298", "pmol/L")
    );
    assert!(files["data_dictionary.csv"].len() > 20);
}

async fn odm_carries_every_version_and_its_audit_record(db: Db) {
    let app = spawn_app(db).await;
    let (investigator, _, _) = fixture(&app).await;
    let (status, content_type, bytes) =
        download(&app, "/api/v1/export?format=odm", &investigator).await;
    assert_eq!((status, content_type.as_str()), (200, "application/xml"));

    // A real XML parser reads it to the end.
    let mut reader = quick_xml::Reader::from_reader(bytes.as_slice());
    let mut buffer = Vec::new();
    let (mut groups, mut audits, mut reasons) = (0, 0, Vec::new());
    let mut subjects = Vec::new();
    let mut transactions = std::collections::BTreeMap::<String, usize>::new();
    let mut in_reason = false;
    loop {
        match reader
            .read_event_into(&mut buffer)
            .expect("well-formed XML")
        {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &[u8]| {
                    e.attributes()
                        .map(Result::unwrap)
                        .find(|a| a.key.as_ref() == name)
                        .map(|a| String::from_utf8(a.value.to_vec()).unwrap())
                };
                match e.name().as_ref() {
                    b"ODM" => assert_eq!(attr(b"ODMVersion").as_deref(), Some("1.3.2")),
                    b"SubjectData" => subjects.push(attr(b"SubjectKey").unwrap()),
                    b"ItemGroupData" => {
                        groups += 1;
                        *transactions
                            .entry(attr(b"TransactionType").unwrap())
                            .or_default() += 1;
                    }
                    b"AuditRecord" => audits += 1,
                    b"ReasonForChange" => in_reason = true,
                    _ => {}
                }
            }
            Event::Text(t) if in_reason => {
                reasons.push(t.decode().unwrap().into_owned());
                in_reason = false;
            }
            _ => {}
        }
        buffer.clear();
    }
    subjects.sort();
    assert_eq!(subjects, ["DEMO-001", "DEMO-002", "DEMO-003"]);
    // 7 entry versions (5 created, 1 amended, 1 voided) and 2 lab versions.
    assert_eq!((groups, audits), (9, 9));
    assert_eq!(transactions["Insert"], 6);
    assert_eq!(transactions["Update"], 2);
    assert_eq!(transactions["Remove"], 1);
    reasons.sort();
    assert_eq!(reasons, ["duplicate", "misread", "wrong unit"]);
}

async fn sdtm_datasets_hold_what_stands(db: Db) {
    let app = spawn_app(db).await;
    let (investigator, _, p) = fixture(&app).await;
    let (status, content_type, bytes) = download(
        &app,
        &format!("/api/v1/export?format=sdtm&participant_id={p}"),
        &investigator,
    )
    .await;
    assert_eq!((status, content_type.as_str()), (200, "application/zip"));
    let files = unzip(&bytes);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(names, ["ce.csv", "cm.csv", "lb.csv"]);
    // LB: the LO reading and the corrected one (the removed one is not
    // tabulated), and the corrected C-peptide.
    let lb = &files["lb.csv"];
    let tests: Vec<&str> = lb[1..].iter().map(|r| column(lb, r, "LBTESTCD")).collect();
    assert_eq!(tests, ["GLUC", "GLUC", "CPEPTIDE"]);
    let corrected = lb[1..]
        .iter()
        .find(|r| column(lb, r, "LBORRES") == "205")
        .unwrap();
    assert_eq!(
        (
            column(lb, corrected, "LBORRESU"),
            column(lb, corrected, "LBSTRESN"),
            column(lb, corrected, "LBTPT")
        ),
        ("mg/dL", "205", "BEFORE MEAL")
    );
    let lo = lb[1..]
        .iter()
        .find(|r| column(lb, r, "LBORRES") == "LO")
        .unwrap();
    assert_eq!(
        (column(lb, lo, "LBORRESU"), column(lb, lo, "LBSTRESN")),
        ("mmol/L", "")
    );
    let c_peptide = lb.last().unwrap();
    assert_eq!(
        (
            column(lb, c_peptide, "LBSTRESN"),
            column(lb, c_peptide, "LBSTRESU")
        ),
        ("298", "pmol/L")
    );
    let seq: Vec<&str> = lb[1..].iter().map(|r| column(lb, r, "LBSEQ")).collect();
    assert_eq!(seq, ["1", "2", "3"]);
    let ce = &files["ce.csv"];
    assert_eq!(ce.len(), 2);
    assert_eq!(
        (
            column(ce, &ce[1], "CECAT"),
            column(ce, &ce[1], "CESEV"),
            column(ce, &ce[1], "CESCAT")
        ),
        ("HYPOGLYCEMIC EVENTS", "LEVEL 1", "DOCUMENTED SYMPTOMATIC")
    );
    let cm = &files["cm.csv"];
    assert_eq!(
        (column(cm, &cm[1], "CMTRT"), column(cm, &cm[1], "CMDOSE")),
        ("INSULIN ASPART", "4.5")
    );
    for (rows, domain) in [(lb, "LB"), (ce, "CE"), (cm, "CM")] {
        assert!(rows[1..].iter().all(
            |r| column(rows, r, "DOMAIN") == domain && column(rows, r, "USUBJID") == "DEMO-001"
        ));
    }
}

/// Checks a resource against the parts of the R4 structure it must have.
fn check_resource(resource: &Value, patients: &std::collections::BTreeSet<String>) {
    let kind = resource["resourceType"].as_str().expect("resourceType");
    let id = resource["id"].as_str().expect("id");
    assert!(Uuid::parse_str(id).is_ok(), "{id}");
    let subject = || {
        let reference = resource["subject"]["reference"].as_str().expect("subject");
        assert!(
            patients.contains(reference),
            "{reference} is a Patient of the bundle"
        );
    };
    match kind {
        "Patient" => assert!(
            resource["identifier"][0]["value"]
                .as_str()
                .unwrap()
                .starts_with("DEMO-")
        ),
        "Observation" => {
            let status = resource["status"].as_str().unwrap();
            assert!(
                ["final", "amended", "entered-in-error"].contains(&status),
                "{status}"
            );
            let coding = &resource["code"]["coding"][0];
            assert!(
                coding["system"].is_string() && coding["code"].is_string(),
                "{resource}"
            );
            assert!(resource["effectiveDateTime"].is_string());
            subject();
            if let Some(q) = resource.get("valueQuantity") {
                assert!(q["value"].is_number(), "{resource}");
                assert_eq!(q["system"], "http://unitsofmeasure.org");
                assert!(q["code"].is_string());
            } else {
                assert!(
                    ["LO", "HI"].contains(&resource["valueString"].as_str().unwrap()),
                    "{resource}"
                );
            }
        }
        "MedicationAdministration" => {
            let status = resource["status"].as_str().unwrap();
            assert!(
                ["completed", "entered-in-error"].contains(&status),
                "{status}"
            );
            assert!(resource["medicationCodeableConcept"]["text"].is_string());
            assert!(resource["effectiveDateTime"].is_string());
            assert_eq!(resource["dosage"]["dose"]["code"], "[IU]");
            subject();
        }
        other => panic!("unexpected resource {other}"),
    }
}

async fn fhir_bundle_has_the_r4_structure(db: Db) {
    let app = spawn_app(db).await;
    let (investigator, _, p) = fixture(&app).await;
    let (status, content_type, bytes) = download(
        &app,
        &format!("/api/v1/export?format=fhir&participant_id={p}"),
        &investigator,
    )
    .await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/fhir+json")
    );
    let bundle: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(
        (bundle["resourceType"].as_str(), bundle["type"].as_str()),
        (Some("Bundle"), Some("collection"))
    );
    let entries = bundle["entry"].as_array().unwrap();
    let patients: std::collections::BTreeSet<String> = entries
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "Patient")
        .map(|e| e["fullUrl"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(patients.len(), 1);
    for entry in entries {
        assert_eq!(
            entry["fullUrl"],
            format!("urn:uuid:{}", entry["resource"]["id"].as_str().unwrap())
        );
        check_resource(&entry["resource"], &patients);
    }
    let of = |kind: &str| {
        entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == kind)
            .count()
    };
    // 3 readings (one removed, kept as entered-in-error), 1 lab; 1 dose.
    assert_eq!((of("Observation"), of("MedicationAdministration")), (4, 1));
    let codes: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["resource"]["code"]["coding"][0]["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"15074-8") && codes.contains(&"41653-7"),
        "{codes:?}"
    );
    let statuses: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["resource"]["status"].as_str())
        .collect();
    assert!(
        statuses.contains(&"amended") && statuses.contains(&"entered-in-error"),
        "{statuses:?}"
    );
}

async fn exports_stay_within_the_callers_sites(db: Db) {
    let app = spawn_app(db).await;
    let (investigator, teen, p) = fixture(&app).await;
    let elsewhere = other_site_investigator(&app).await;
    let admin = staff_token(&app, "admin.one", Role::Admin, &[]).await;

    let one = format!("/api/v1/export?format=csv&participant_id={p}");
    assert_eq!(download(&app, &one, &elsewhere).await.0, 404);
    assert_eq!(download(&app, &one, &teen).await.0, 403);
    assert_eq!(
        download(&app, "/api/v1/export?format=odm", &teen).await.0,
        403
    );
    assert_eq!(
        download(&app, "/api/v1/export?format=odm", &admin).await.0,
        403
    );
    // The other site's bulk export holds no one from the demo site.
    let (status, _, bytes) = download(&app, "/api/v1/export?format=odm", &elsewhere).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        !text.contains("SubjectData") && !text.contains("DEMO-"),
        "{text}"
    );
    let (status, _, bytes) = download(&app, "/api/v1/export?format=csv", &elsewhere).await;
    assert_eq!(status, 200);
    assert!(unzip(&bytes)["glucose.csv"].len() == 1, "a header only");

    for bad in [
        "?format=xls",
        "",
        "?format=SDTM",
        "?format=csv&participant_id=not-a-uuid",
    ] {
        let (status, _, body) =
            download(&app, &format!("/api/v1/export{bad}"), &investigator).await;
        assert!(status == 422 || status == 400, "{bad}: {status}");
        let error: Value = serde_json::from_slice(&body).unwrap();
        assert!(error["error"]["code"].is_string(), "{bad}: {error}");
    }
    // Every export is on the audit trail.
    let trail = app.store.audit_page(0, 10_000).await.unwrap();
    let exports = trail.iter().filter(|r| r.action == "export.create").count();
    assert_eq!(exports, 2, "the two that were served");
}

/// What a browser sends, a client that only knows gzip, and none at all.
const ENCODINGS: [Option<&str>; 3] = [Some("gzip, deflate, br"), Some("gzip"), None];

/// Every export as browsers fetch it: the body arrives whole (a zip as it
/// is, since it is compressed already; ODM and FHIR compressed when asked),
/// is decoded here by a decoder of its own, and parses.
async fn every_export_arrives_whole_with_or_without_compression(db: Db) {
    let app = spawn_app(db).await;
    let (investigator, _, p) = fixture(&app).await;
    // A client that decodes nothing itself: the bytes as sent.
    let raw = reqwest::Client::new();
    for format in ["csv", "odm", "fhir", "sdtm"] {
        let mut shapes = Vec::new();
        for encoding in ENCODINGS {
            let mut request = raw
                .get(app.url(&format!(
                    "/api/v1/export?format={format}&participant_id={p}"
                )))
                .bearer_auth(&investigator);
            if let Some(encoding) = encoding {
                request = request.header("accept-encoding", encoding);
            }
            let response = request.send().await.expect("GET");
            assert_eq!(response.status(), 200, "{format} {encoding:?}");
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
            };
            let content_type = header("content-type").unwrap_or_default();
            let content_encoding = header("content-encoding");
            let sent = response
                .bytes()
                .await
                .unwrap_or_else(|e| panic!("{format} {encoding:?}: the body broke off: {e}"));
            let zipped = content_type == "application/zip";
            let expected = match (zipped, encoding) {
                (true, _) | (false, None) => None,
                (false, Some("gzip")) => Some("gzip"),
                (false, Some(_)) => Some("br"),
            };
            assert_eq!(
                content_encoding.as_deref(),
                expected,
                "{format} {encoding:?}"
            );
            let body = decode(content_encoding.as_deref(), &sent);
            if content_encoding.is_some() {
                assert!(body.len() > sent.len(), "{format}: compressed");
            }
            match format {
                "csv" | "sdtm" => {
                    let files = unzip(&body);
                    assert!(!files.is_empty(), "{format}: files");
                    let rows: Vec<_> = files
                        .iter()
                        .map(|(n, r)| format!("{n}:{}", r.len()))
                        .collect();
                    shapes.push(rows.join(" "));
                }
                "odm" => {
                    let mut reader = quick_xml::Reader::from_reader(body.as_slice());
                    let mut buffer = Vec::new();
                    let (mut closed, mut elements) = (false, 0);
                    loop {
                        match reader
                            .read_event_into(&mut buffer)
                            .expect("well-formed XML")
                        {
                            Event::Eof => break,
                            Event::Start(_) | Event::Empty(_) => elements += 1,
                            Event::End(e) if e.name().as_ref() == b"ODM" => closed = true,
                            _ => {}
                        }
                        buffer.clear();
                    }
                    assert!(closed, "the ODM document ends with </ODM>");
                    shapes.push(format!("{elements} elements"));
                }
                _ => {
                    let bundle: Value = serde_json::from_slice(&body).expect("JSON");
                    assert_eq!(bundle["resourceType"], "Bundle");
                    let entries = bundle["entry"].as_array().map_or(0, Vec::len);
                    assert!(entries > 0, "FHIR entries");
                    shapes.push(format!("{entries} entries"));
                }
            }
        }
        // The same export each time, however it travelled.
        assert!(
            shapes.windows(2).all(|w| w[0] == w[1]),
            "{format}: {shapes:?}"
        );
    }
}

/// `body` decoded as `Content-Encoding` says, by decoders of the tests' own.
fn decode(encoding: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        None => out.extend_from_slice(body),
        Some("gzip") => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .expect("a whole gzip stream");
        }
        Some("br") => {
            brotli_decompressor::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .expect("a whole brotli stream");
        }
        Some(other) => panic!("unexpected content-encoding {other}"),
    }
    out
}

on_both_backends!(
    every_export_arrives_whole_with_or_without_compression,
    csv_reimports_to_the_stored_rows,
    fhir_bundle_has_the_r4_structure,
    sdtm_datasets_hold_what_stands,
    odm_carries_every_version_and_its_audit_record,
    exports_stay_within_the_callers_sites
);

//! Fuzzing the mutation decoder and validator with arbitrary JSON, and with
//! good mutations that have one field replaced by arbitrary JSON. Bounded so
//! it runs in `make test`; raise `EDIARY_FUZZ_CASES` for a longer run.

use std::collections::HashMap;

use chrono::{Duration, TimeZone, Utc};
use proptest::{
    prelude::*,
    test_runner::{Config, TestRunner},
};
use serde_json::{Map, Value, json};
use server::{
    store::{Participant, Site},
    sync::{Logbook, prepare},
};
use uuid::Uuid;

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop_oneof![
            ".*",
            "[0-9a-f-]{36}",
            "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](Z|[+-][01][0-9]:[0-5][0-9])",
            Just("LO".to_owned()),
            Just("mg/dL".to_owned()),
            Just("create".to_owned()),
            Just("amend".to_owned()),
            Just("hypo".to_owned()),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-z_]{1,12}",
                    Just("data".to_owned()),
                    Just("value".to_owned()),
                    Just("op".to_owned()),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn participant() -> (Uuid, HashMap<Uuid, Logbook>) {
    let id = Uuid::now_v7();
    let p = Participant {
        id,
        site_id: Uuid::now_v7(),
        study_id: "FZ-001".into(),
        birth_year: 2014,
        diagnosis_date: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
        weight_kg: None,
        user_id: None,
        enrolled_at: Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap(),
    };
    let site = Site {
        id: p.site_id,
        code: "FZ".into(),
        name: "Fuzz".into(),
        timezone: "Asia/Shanghai".into(),
        emergency_phone: "+86".into(),
    };
    (id, HashMap::from([(id, Logbook::new(p, &site))]))
}

fn good(participant: Uuid) -> Vec<Value> {
    let id = Uuid::now_v7();
    let base = |kind: &str, op: &str, data: Value| {
        json!({"id": id, "participant_id": participant, "entry_id": id, "op": op, "kind": kind,
               "base_version": if op == "create" { Value::Null } else { json!(1) },
               "reason": if op == "create" { Value::Null } else { json!("fix") },
               "recorded_at": "2026-11-24T08:00:00+08:00", "data": data})
    };
    vec![
        base(
            "glucose",
            "create",
            json!({"measured_at": "2026-11-24T07:30:00+08:00", "value": 5.4, "unit": "mmol/L", "context": "fasting", "source": "meter"}),
        ),
        base(
            "insulin",
            "amend",
            json!({"administered_at": "2026-11-24T07:35:00+08:00", "units": 4.5, "insulin_type": "rapid", "purpose": "meal"}),
        ),
        base(
            "hypo",
            "create",
            json!({"occurred_at": "2026-11-24T03:00:00+08:00", "glucose_value": 2.9, "glucose_unit": "mmol/L",
                   "symptoms": ["shaky"], "needed_assistance": true, "lost_consciousness": false, "seizure": false,
                   "treatments": ["glucagon"]}),
        ),
        base("glucose", "void", Value::Null),
    ]
}

fn cases() -> u32 {
    std::env::var("EDIARY_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(3000)
}

/// What must hold for any input: no panic, a deterministic answer, and a
/// rejection that says why (with field paths when fields are at fault).
fn holds(value: &Value, books: &HashMap<Uuid, Logbook>) -> Result<(), TestCaseError> {
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
    let first = prepare(value, books, now);
    let second = prepare(value, books, now);
    prop_assert_eq!(&first.content_hash, &second.content_hash);
    match (&first.checked, &second.checked) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(a.id, b.id);
            prop_assert_eq!(first.id, Some(a.id));
            match a.op {
                app::domain::mutation::Op::Void => prop_assert!(a.content.is_none()),
                _ => {
                    let content = a.content.as_ref().unwrap();
                    prop_assert!(content.event_at <= now + Duration::minutes(10));
                    let data: Value = serde_json::from_str(&content.data).unwrap();
                    prop_assert_eq!(Some(&data), value.get("data"));
                }
            }
        }
        (Err(a), Err(b)) => {
            prop_assert_eq!(a, b);
            prop_assert!(!a.code.is_empty() && !a.message.is_empty());
            if a.code == "validation_failed" {
                prop_assert!(!a.fields.is_empty(), "{:?}", a);
            }
        }
        _ => prop_assert!(false, "two answers for one input"),
    }
    Ok(())
}

#[test]
fn arbitrary_json_never_breaks_the_decoder() {
    let (_, books) = participant();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&arbitrary_json(), |value| holds(&value, &books))
        .unwrap();
}

#[test]
fn good_mutations_with_one_field_replaced() {
    let (participant, books) = participant();
    let templates = good(participant);
    for t in &templates {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
        assert!(prepare(t, &books, now).checked.is_ok(), "{t}");
    }
    let strategy = (
        0..templates.len(),
        any::<prop::sample::Index>(),
        any::<bool>(),
        arbitrary_json(),
    );
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(which, field, in_data, replacement)| {
            let mut m = templates[which].clone();
            let target = if in_data && m["data"].is_object() {
                m["data"].as_object_mut().unwrap()
            } else {
                m.as_object_mut().unwrap()
            };
            let keys: Vec<String> = target.keys().cloned().collect();
            let key = field.get(&keys).clone();
            target.insert(key, replacement);
            holds(&m, &books)
        })
        .unwrap();
}

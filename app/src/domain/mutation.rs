//! Sync mutations (`POST /api/v1/sync`): decoding one mutation from JSON with
//! a field path for every problem, and the rules that need no database: what
//! each op requires, the time window an entry may fall in, and when an entry
//! counts as late. The phone checks its outbox with the same code.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::entry::{Checked, EntryData, FieldErrors, Kind};

/// How far past the server's clock an event may lie (phone clocks drift).
pub const FUTURE_TOLERANCE: Duration = Duration::minutes(10);
/// An entry saved more than this after the event is flagged late.
pub const LATE_AFTER: Duration = Duration::hours(24);
/// At most this many mutations a request.
pub const MAX_BATCH: usize = 500;
const REASON_MAX_CHARS: usize = 1000;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Create,
    Amend,
    Void,
}

impl Op {
    pub const ALL: [Op; 3] = [Op::Create, Op::Amend, Op::Void];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Amend => "amend",
            Op::Void => "void",
        }
    }
}

/// A decoded mutation whose fields are each well-formed. `data` is `None`
/// for a void.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutation {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub entry_id: Uuid,
    pub op: Op,
    pub kind: Kind,
    pub base_version: Option<i64>,
    pub reason: Option<String>,
    pub recorded_at: DateTime<FixedOffset>,
    pub data: Option<EntryData>,
}

/// Why a mutation was not applied: the contract's error object.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "FieldErrors::is_empty")]
    #[cfg_attr(feature = "ssr", schema(value_type = std::collections::BTreeMap<String, String>))]
    pub fields: FieldErrors,
}

impl Rejection {
    pub fn new(code: &str, message: &str) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            fields: FieldErrors::new(),
        }
    }

    pub fn invalid(fields: FieldErrors) -> Self {
        Self {
            code: "validation_failed".into(),
            message: "Some fields are not valid.".into(),
            fields,
        }
    }
}

const FIELDS: [&str; 9] = [
    "id",
    "participant_id",
    "entry_id",
    "op",
    "kind",
    "base_version",
    "reason",
    "recorded_at",
    "data",
];

/// Reads one mutation. The id comes back whenever it is a UUID, even if the
/// rest is bad, so a rejection can be recorded against it.
pub fn decode(value: &Value) -> (Option<Uuid>, Result<Mutation, Rejection>) {
    let Some(object) = value.as_object() else {
        return (
            None,
            Err(Rejection::new(
                "malformed_mutation",
                "A mutation must be a JSON object.",
            )),
        );
    };
    let mut errors = FieldErrors::new();
    let mut uuid = |name: &str| match object.get(name).and_then(Value::as_str) {
        Some(s) => Uuid::parse_str(s)
            .map_err(|_| errors.insert(name.into(), "must be a UUID".into()))
            .ok(),
        None => {
            errors.insert(name.into(), "required, a UUID".into());
            None
        }
    };
    let id = uuid("id");
    let participant_id = uuid("participant_id");
    let entry_id = uuid("entry_id");
    let op = enum_field::<Op>(object.get("op"), "op", "create, amend or void", &mut errors);
    let kind = enum_field::<Kind>(
        object.get("kind"),
        "kind",
        "glucose, insulin or hypo",
        &mut errors,
    );
    let base_version = match object.get("base_version") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64().filter(|n| *n >= 1) {
            Some(n) => Some(n),
            None => {
                errors.insert("base_version".into(), "a version number from 1".into());
                None
            }
        },
    };
    let reason = match object.get("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.insert("reason".into(), "must be text".into());
            None
        }
    };
    let recorded_at = match object.get("recorded_at").and_then(Value::as_str) {
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map_err(|_| {
                errors.insert(
                    "recorded_at".into(),
                    "a time with its offset, such as 2026-11-24T07:30:00+08:00".into(),
                )
            })
            .ok(),
        None => {
            errors.insert(
                "recorded_at".into(),
                "required, the device time of saving with its offset".into(),
            );
            None
        }
    };
    for key in object.keys() {
        if !FIELDS.contains(&key.as_str()) {
            errors.insert(key.clone(), "unknown field".into());
        }
    }
    let data = match (op, kind, object.get("data")) {
        (Some(Op::Void), _, None | Some(Value::Null)) => None,
        (Some(Op::Void), _, Some(Value::Object(o))) if o.is_empty() => None,
        (Some(Op::Void), _, Some(_)) => {
            errors.insert("data".into(), "a void carries no data".into());
            None
        }
        (Some(_), Some(kind), Some(data)) => match EntryData::parse(kind, data) {
            Ok(d) => Some(d),
            Err(fields) => {
                errors.extend(fields);
                None
            }
        },
        (Some(_), Some(_), None) => {
            errors.insert("data".into(), "required".into());
            None
        }
        _ => None,
    };
    let result = match (
        errors.is_empty(),
        participant_id,
        entry_id,
        op,
        kind,
        recorded_at,
    ) {
        (true, Some(participant_id), Some(entry_id), Some(op), Some(kind), Some(recorded_at)) => {
            let m = Mutation {
                id: id.unwrap_or(entry_id),
                participant_id,
                entry_id,
                op,
                kind,
                base_version,
                reason,
                recorded_at,
                data,
            };
            check_rules(&m).map(|()| m)
        }
        _ => Err(Rejection::invalid(errors)),
    };
    (id, result)
}

fn enum_field<T: for<'de> Deserialize<'de>>(
    value: Option<&Value>,
    name: &str,
    expected: &str,
    errors: &mut FieldErrors,
) -> Option<T> {
    match value.map(|v| T::deserialize(v)) {
        Some(Ok(v)) => Some(v),
        _ => {
            errors.insert(name.into(), format!("one of {expected}"));
            None
        }
    }
}

/// What each op needs, beyond well-formed fields.
fn check_rules(m: &Mutation) -> Result<(), Rejection> {
    let mut errors = FieldErrors::new();
    match m.op {
        Op::Create => {
            if m.entry_id != m.id {
                errors.insert(
                    "entry_id".into(),
                    "a create names its entry by the mutation id".into(),
                );
            }
            if m.base_version.is_some() {
                errors.insert("base_version".into(), "a create has no base version".into());
            }
        }
        Op::Amend => {
            if m.base_version.is_none() {
                errors.insert(
                    "base_version".into(),
                    "required: the version being amended".into(),
                );
            }
        }
        Op::Void => {}
    }
    match m.reason.as_deref().map(str::trim) {
        None | Some("") if m.op != Op::Create => {
            errors.insert(
                "reason".into(),
                "required: say why the entry changes".into(),
            );
        }
        // Bounded on every op: a create's reason is stored too.
        Some(r) if r.chars().count() > REASON_MAX_CHARS => {
            errors.insert(
                "reason".into(),
                format!("at most {REASON_MAX_CHARS} characters"),
            );
        }
        _ => {}
    }
    if let Some(data) = &m.data
        && data.kind() != m.kind
    {
        errors.insert("kind".into(), "does not match the data".into());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Rejection::invalid(errors))
    }
}

/// The entry's data checked: classification and warnings, or field errors.
pub fn check_data(data: &EntryData) -> Result<Checked, Rejection> {
    data.check().map_err(Rejection::invalid)
}

/// An event may not lie more than [`FUTURE_TOLERANCE`] past `now`, nor before
/// `earliest` (the start of the participant's enrolment day in the site's
/// time zone).
pub fn check_event_time(
    data: &EntryData,
    now: DateTime<Utc>,
    earliest: DateTime<Utc>,
) -> Result<(), Rejection> {
    let at = data.event_time();
    let problem = if at > now + FUTURE_TOLERANCE {
        Some("lies in the future; check the phone's date and time")
    } else if at < earliest {
        Some("lies before the day of enrolment")
    } else {
        None
    };
    match problem {
        Some(why) => Err(Rejection::invalid(FieldErrors::from([(
            format!("data.{}", data.kind().event_field()),
            why.to_owned(),
        )]))),
        None => Ok(()),
    }
}

/// Saved on the device more than [`LATE_AFTER`] after the event.
pub fn is_late(event_at: DateTime<FixedOffset>, recorded_at: DateTime<FixedOffset>) -> bool {
    recorded_at.signed_duration_since(event_at) > LATE_AFTER
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn glucose_create() -> Value {
        json!({
            "id": "0193a0c4-7a1e-7c3b-9f00-000000000001",
            "participant_id": "0193a0c4-7a1e-7c3b-9f00-0000000000aa",
            "entry_id": "0193a0c4-7a1e-7c3b-9f00-000000000001",
            "op": "create",
            "kind": "glucose",
            "recorded_at": "2026-11-24T07:31:00+08:00",
            "data": {"measured_at": "2026-11-24T07:30:00+08:00", "value": 5.4, "unit": "mmol/L",
                     "context": "fasting", "source": "meter"}
        })
    }

    fn with(mut m: Value, key: &str, value: Value) -> Value {
        m[key] = value;
        m
    }

    fn fields_of(m: &Value) -> Vec<String> {
        match decode(m).1 {
            Ok(_) => Vec::new(),
            Err(r) => r.fields.into_keys().collect(),
        }
    }

    #[test]
    fn a_good_create_decodes() {
        let (id, m) = decode(&glucose_create());
        let m = m.unwrap();
        assert_eq!(id, Some(m.id));
        assert_eq!((m.op, m.kind), (Op::Create, Kind::Glucose));
        assert_eq!(m.recorded_at.offset().local_minus_utc(), 8 * 3600);
    }

    #[test]
    fn each_bad_field_is_named() {
        let base = glucose_create();
        let cases: Vec<(Value, &str)> = vec![
            (with(base.clone(), "id", json!(42)), "id"),
            (
                with(base.clone(), "participant_id", json!("x")),
                "participant_id",
            ),
            (with(base.clone(), "op", json!("delete")), "op"),
            (with(base.clone(), "kind", json!("ketone")), "kind"),
            (with(base.clone(), "base_version", json!(0)), "base_version"),
            (
                with(base.clone(), "base_version", json!("1")),
                "base_version",
            ),
            (with(base.clone(), "reason", json!(7)), "reason"),
            (
                with(base.clone(), "recorded_at", json!("2026-11-24 07:31")),
                "recorded_at",
            ),
            (with(base.clone(), "surprise", json!(true)), "surprise"),
            (with(base.clone(), "data", json!(null)), "data"),
            (
                with(
                    base.clone(),
                    "entry_id",
                    json!("0193a0c4-7a1e-7c3b-9f00-000000000002"),
                ),
                "entry_id",
            ),
            (with(base.clone(), "kind", json!("insulin")), "data.context"),
        ];
        for (m, field) in cases {
            assert!(
                fields_of(&m).contains(&field.to_owned()),
                "{field}: {:?}",
                decode(&m).1
            );
        }
        let (id, result) = decode(&json!([1, 2]));
        assert_eq!(id, None);
        assert_eq!(result.unwrap_err().code, "malformed_mutation");
    }

    #[test]
    fn amend_and_void_need_their_fields() {
        let amend = with(
            with(glucose_create(), "op", json!("amend")),
            "entry_id",
            json!("0193a0c4-7a1e-7c3b-9f00-0000000000ee"),
        );
        assert_eq!(fields_of(&amend), vec!["base_version", "reason"]);
        let amend = with(
            with(amend, "base_version", json!(1)),
            "reason",
            json!("typo"),
        );
        assert!(decode(&amend).1.is_ok());
        let void = with(
            with(glucose_create(), "op", json!("void")),
            "data",
            json!({}),
        );
        assert_eq!(fields_of(&void), vec!["reason"]);
        let void = with(void, "reason", json!("  "));
        assert_eq!(fields_of(&void), vec!["reason"]);
        let void = with(void, "reason", json!("entered twice"));
        assert_eq!(decode(&void).1.unwrap().data, None);
        // Free text is bounded on every op, a create's optional reason too.
        let long = "x".repeat(1001);
        for m in [glucose_create(), void] {
            assert_eq!(fields_of(&with(m, "reason", json!(long))), vec!["reason"]);
        }
    }

    #[test]
    fn the_time_window() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap();
        let earliest = Utc.with_ymd_and_hms(2026, 11, 1, 16, 0, 0).unwrap();
        let at = |t: &str| {
            let mut m = glucose_create();
            m["data"]["measured_at"] = json!(t);
            decode(&m).1.unwrap().data.unwrap()
        };
        let cases = [
            ("2026-11-25T08:09:59+08:00", true),
            ("2026-11-25T08:10:00+08:00", true),
            ("2026-11-25T08:10:01+08:00", false),
            ("2026-11-02T00:00:00+08:00", true),
            ("2026-11-01T23:59:59+08:00", false),
        ];
        for (t, ok) in cases {
            let r = check_event_time(&at(t), now, earliest);
            assert_eq!(r.is_ok(), ok, "{t}");
            if let Err(r) = r {
                assert!(r.fields.contains_key("data.measured_at"));
            }
        }
    }

    #[test]
    fn lateness() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let event = t("2026-11-24T07:30:00+08:00");
        assert!(!is_late(event, t("2026-11-25T07:30:00+08:00")));
        assert!(is_late(event, t("2026-11-25T07:30:01+08:00")));
        // The same instant in another offset is no later.
        assert!(!is_late(event, t("2026-11-24T23:30:00Z")));
    }
}

//! What the phone app shows, worked out from what it holds: the entries the
//! server sent, with the outbox (saved on the phone, not yet accepted by the
//! server) laid over them. Pure functions, so they are tested natively.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::{
    classification::Classification,
    entry::{EntryData, GlucoseContext, InsulinPurpose, InsulinType, Kind},
    glucose::{GlucoseUnit, GlucoseValue, MeterFlag, to_mg_dl},
    language::Language,
    mutation::Op,
};

/// The person's choices, kept on the phone (localStorage, as JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// None: the page's language, which the server chose.
    #[serde(default, deserialize_with = "stored_language")]
    pub lang: Option<Language>,
    #[serde(default)]
    pub unit: Option<GlucoseUnit>,
    /// "HH:MM", local time.
    #[serde(default)]
    pub reminder: Option<String>,
}

/// A stored language, read leniently: phones stored "zh" before the
/// languages were one type, and a tag this version does not speak must not
/// lose the other settings (it reads as no choice).
fn stored_language<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Language>, D::Error> {
    let tag = Option::<Value>::deserialize(deserializer)?;
    Ok(tag
        .as_ref()
        .and_then(Value::as_str)
        .and_then(Language::from_browser_tag))
}

/// An entry as the contract's `entry` (sync `changes`, entry history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerEntry {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub kind: Kind,
    pub version: i64,
    pub status: String,
    pub data: Value,
    pub classification: Option<Classification>,
    pub entered_by: Uuid,
    pub entered_by_role: String,
    pub recorded_at: String,
    pub late: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A mutation as the sync protocol sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutMutation {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub entry_id: Uuid,
    pub op: Op,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub recorded_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// Why the server did not take a mutation, as it said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// One outbox record: kept on the phone until the server has the mutation.
/// `key` orders the outbox (the order the person saved things in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub key: String,
    /// Whose session saved it: only that user's session sends it.
    pub user_id: Uuid,
    pub mutation: OutMutation,
    /// Set when the server refused it; it then waits for a fix.
    #[serde(default)]
    pub refused: Option<Refusal>,
}

/// Whether the server holds a row as shown, or the phone still does.
#[derive(Debug, Clone, PartialEq)]
pub enum RowState {
    Synced,
    Pending,
    Refused(Refusal),
}

/// An entry as the app lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub entry_id: Uuid,
    pub participant_id: Uuid,
    pub kind: Kind,
    /// The version the next change must name as its base.
    pub version: i64,
    pub voided: bool,
    pub data: Value,
    pub parsed: Option<EntryData>,
    pub classification: Option<Classification>,
    /// "participant", "guardian", "investigator", ... or "you" when the
    /// signed-in user saved this version.
    pub entered_by: String,
    pub reason: Option<String>,
    pub late: bool,
    pub state: RowState,
    /// The outbox key of the refused mutation, to fix or drop it.
    pub refused_key: Option<String>,
}

impl Row {
    /// A version as the server holds it; "you" when `me` saved it.
    pub fn from_server(e: &ServerEntry, me: Uuid) -> Self {
        let parsed = parse(e.kind, &e.data);
        Row {
            entry_id: e.id,
            participant_id: e.participant_id,
            kind: e.kind,
            version: e.version,
            voided: e.status == "voided",
            classification: e.classification.or_else(|| classify(&parsed)),
            parsed,
            data: e.data.clone(),
            entered_by: if e.entered_by == me {
                "you".to_owned()
            } else {
                e.entered_by_role.clone()
            },
            reason: e.reason.clone(),
            late: e.late,
            state: RowState::Synced,
            refused_key: None,
        }
    }

    pub fn event_at(&self) -> Option<DateTime<FixedOffset>> {
        self.parsed.as_ref().map(EntryData::event_time)
    }
}

fn parse(kind: Kind, data: &Value) -> Option<EntryData> {
    EntryData::parse(kind, data).ok()
}

fn classify(data: &Option<EntryData>) -> Option<Classification> {
    data.as_ref()
        .and_then(|d| d.check().ok())
        .and_then(|c| c.classification)
}

/// The server's entries of one participant with that participant's outbox
/// laid over them in order, newest event first.
pub fn overlay(
    entries: &[ServerEntry],
    outbox: &[Pending],
    participant: Uuid,
    me: Uuid,
) -> Vec<Row> {
    let mut rows: BTreeMap<Uuid, Row> = entries
        .iter()
        .filter(|e| e.participant_id == participant)
        .map(|e| (e.id, Row::from_server(e, me)))
        .collect();
    for p in outbox
        .iter()
        .filter(|p| p.mutation.participant_id == participant)
    {
        let m = &p.mutation;
        if let Some(refusal) = &p.refused {
            // A refused create still shows, marked, so the person can fix it.
            let row = rows.entry(m.entry_id).or_insert_with(|| {
                let data = m.data.clone().unwrap_or(Value::Null);
                let parsed = parse(m.kind, &data);
                Row {
                    entry_id: m.entry_id,
                    participant_id: m.participant_id,
                    kind: m.kind,
                    version: 0,
                    voided: false,
                    classification: classify(&parsed),
                    parsed,
                    data,
                    entered_by: "you".to_owned(),
                    reason: None,
                    late: false,
                    state: RowState::Pending,
                    refused_key: None,
                }
            });
            row.state = RowState::Refused(refusal.clone());
            row.refused_key = Some(p.key.clone());
            continue;
        }
        match m.op {
            Op::Create => {
                let data = m.data.clone().unwrap_or(Value::Null);
                let parsed = parse(m.kind, &data);
                rows.insert(
                    m.entry_id,
                    Row {
                        entry_id: m.entry_id,
                        participant_id: m.participant_id,
                        kind: m.kind,
                        version: 1,
                        voided: false,
                        classification: classify(&parsed),
                        parsed,
                        data,
                        entered_by: "you".to_owned(),
                        reason: None,
                        late: false,
                        state: RowState::Pending,
                        refused_key: None,
                    },
                );
            }
            Op::Amend | Op::Void => {
                let Some(row) = rows.get_mut(&m.entry_id) else {
                    continue;
                };
                // Already applied on the server (the answer got lost, then
                // the change came back through a pull).
                if m.base_version.is_some_and(|b| b < row.version) && row.state == RowState::Synced
                {
                    continue;
                }
                row.version += 1;
                row.reason = m.reason.clone();
                row.entered_by = "you".to_owned();
                row.state = RowState::Pending;
                if m.op == Op::Void {
                    row.voided = true;
                } else if let Some(data) = &m.data {
                    row.data = data.clone();
                    row.parsed = parse(m.kind, data);
                    row.classification = classify(&row.parsed);
                }
            }
        }
    }
    let mut list: Vec<Row> = rows.into_values().collect();
    list.sort_by_key(|r| std::cmp::Reverse(r.event_at()));
    list
}

/// Mutations the phone still has to send for this user, in order.
pub fn to_send(outbox: &[Pending], me: Uuid) -> Vec<&Pending> {
    let mut list: Vec<&Pending> = outbox
        .iter()
        .filter(|p| p.user_id == me && p.refused.is_none())
        .collect();
    list.sort_by(|a, b| a.key.cmp(&b.key));
    list
}

/// A glucose reading in mg/dL for charts and summaries ("LO"/"HI" at the
/// meter's limits).
pub fn reading_mg_dl(value: GlucoseValue, unit: GlucoseUnit) -> f64 {
    match value {
        GlucoseValue::Number(n) => to_mg_dl(n, unit),
        GlucoseValue::Flag(MeterFlag::Lo) => 20.0,
        GlucoseValue::Flag(MeterFlag::Hi) => 600.0,
    }
}

/// The Today screen's figures, for one local day.
#[derive(Debug, Clone, PartialEq)]
pub struct Today {
    /// The latest reading (any day): value, unit and when.
    pub last_glucose: Option<(GlucoseValue, GlucoseUnit, DateTime<FixedOffset>)>,
    pub insulin_units: f64,
    pub doses: usize,
    pub readings: usize,
    pub lows: Vec<Row>,
}

pub fn local_date(at: DateTime<FixedOffset>, offset: FixedOffset) -> NaiveDate {
    at.with_timezone(&offset).date_naive()
}

pub fn today(rows: &[Row], day: NaiveDate, offset: FixedOffset) -> Today {
    let live = || rows.iter().filter(|r| !r.voided);
    let last_glucose = live()
        .filter_map(|r| match &r.parsed {
            Some(EntryData::Glucose(g)) => Some((g.value, g.unit, g.measured_at)),
            _ => None,
        })
        .max_by_key(|(_, _, at)| *at);
    let on_day = |r: &&Row| r.event_at().is_some_and(|at| local_date(at, offset) == day);
    let doses: Vec<f64> = live()
        .filter(on_day)
        .filter_map(|r| match &r.parsed {
            Some(EntryData::Insulin(i)) => Some(i.units),
            _ => None,
        })
        .collect();
    Today {
        last_glucose,
        // From +0.0: `Sum` for floats starts at -0.0 (so that a sum of -0.0
        // stays -0.0), which made a day without insulin read "-0".
        insulin_units: doses.iter().fold(0.0, |total, units| total + units),
        doses: doses.len(),
        readings: live()
            .filter(on_day)
            .filter(|r| r.kind == Kind::Glucose)
            .count(),
        lows: live()
            .filter(on_day)
            .filter(|r| r.kind == Kind::Hypo)
            .cloned()
            .collect(),
    }
}

/// Rows grouped by local day, newest day first (rows keep their order).
pub fn by_day(rows: &[Row], offset: FixedOffset) -> Vec<(NaiveDate, Vec<Row>)> {
    let mut days: Vec<(NaiveDate, Vec<Row>)> = Vec::new();
    for row in rows {
        let Some(day) = row.event_at().map(|at| local_date(at, offset)) else {
            continue;
        };
        match days.last_mut() {
            Some((d, list)) if *d == day => list.push(row.clone()),
            _ => days.push((day, vec![row.clone()])),
        }
    }
    days
}

/// The context a reading most likely has at this hour of the day; one tap
/// changes it.
pub fn context_at(at: DateTime<FixedOffset>) -> GlucoseContext {
    match at.hour() {
        5..=8 => GlucoseContext::Fasting,
        9 | 13 | 14 | 19 | 20 => GlucoseContext::AfterMeal,
        10..=12 | 15..=18 => GlucoseContext::BeforeMeal,
        21 | 22 => GlucoseContext::Bedtime,
        _ => GlucoseContext::Overnight,
    }
}

/// The insulin type of the last dose given for this purpose.
pub fn last_insulin_type(rows: &[Row], purpose: InsulinPurpose) -> Option<InsulinType> {
    rows.iter()
        .filter(|r| !r.voided)
        .filter_map(|r| match &r.parsed {
            Some(EntryData::Insulin(i)) if i.purpose == purpose => {
                Some((i.administered_at, i.insulin_type))
            }
            _ => None,
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, t)| t)
}

/// The purpose a dose most likely has: the last purpose logged at about
/// this time of day, else a meal dose.
pub fn likely_purpose(rows: &[Row], at: DateTime<FixedOffset>) -> InsulinPurpose {
    rows.iter()
        .filter(|r| !r.voided)
        .filter_map(|r| match &r.parsed {
            Some(EntryData::Insulin(i))
                if (i64::from(i.administered_at.hour()) - i64::from(at.hour())).abs() <= 1 =>
            {
                Some((i.administered_at, i.purpose))
            }
            _ => None,
        })
        .max_by_key(|(at, _)| *at)
        .map_or(InsulinPurpose::Meal, |(_, p)| p)
}

/// Target range of the chart: 70 to 180 mg/dL (3.9 to 10.0 mmol/L).
pub const TARGET_MG_DL: (f64, f64) = (70.0, 180.0);
/// The chart's vertical scale in mg/dL.
pub const CHART_MG_DL: (f64, f64) = (20.0, 400.0);

/// A reading placed on the chart: x and y from 0 to 1 (y upwards).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPoint {
    pub x: f64,
    pub y: f64,
    pub mg_dl: f64,
    pub low: bool,
}

/// Readings of the last `days` days up to `now`, on a 0..1 square.
pub fn chart_points(rows: &[Row], now: DateTime<FixedOffset>, days: i64) -> Vec<ChartPoint> {
    let span = chrono::Duration::days(days);
    let start = now - span;
    let (lo, hi) = CHART_MG_DL;
    let mut points: Vec<ChartPoint> = rows
        .iter()
        .filter(|r| !r.voided)
        .filter_map(|r| match &r.parsed {
            Some(EntryData::Glucose(g)) if g.measured_at > start && g.measured_at <= now => {
                let mg_dl = reading_mg_dl(g.value, g.unit);
                let x = (g.measured_at - start).num_seconds() as f64 / span.num_seconds() as f64;
                let y = ((mg_dl.clamp(lo, hi) - lo) / (hi - lo)).clamp(0.0, 1.0);
                Some(ChartPoint {
                    x,
                    y,
                    mg_dl,
                    low: mg_dl < TARGET_MG_DL.0,
                })
            }
            _ => None,
        })
        .collect();
    points.sort_by(|a, b| a.x.total_cmp(&b.x));
    points
}

/// The text of a `datetime-local` field for a time, in the phone's zone:
/// "2026-11-25T14:05".
pub fn local_input(at: DateTime<FixedOffset>, offset: FixedOffset) -> String {
    let at = at.with_timezone(&offset);
    format!("{}T{:02}:{:02}", at.date_naive(), at.hour(), at.minute())
}

/// A `datetime-local` field's text as a time in the phone's zone (read by
/// hand: chrono's format parser is large in the WASM).
pub fn read_local_input(text: &str, offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let (date, time) = text.split_once('T')?;
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (year, month, day) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let (hour, minute) = time.get(..5)?.split_once(':')?;
    let naive = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?.and_hms_opt(
        hour.parse().ok()?,
        minute.parse().ok()?,
        0,
    )?;
    naive.and_local_timezone(offset).single()
}

/// Reads a number as people type it: "5.6", "5,6", " 110 ".
pub fn read_number(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ME: Uuid = Uuid::from_u128(1);
    const OTHER: Uuid = Uuid::from_u128(2);
    const CHILD: Uuid = Uuid::from_u128(10);
    const SIBLING: Uuid = Uuid::from_u128(11);

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn glucose(value: Value, unit: &str, when: &str) -> Value {
        json!({"measured_at": when, "value": value, "unit": unit, "context": "other", "source": "meter"})
    }

    fn insulin(units: f64, purpose: &str, kind: &str, when: &str) -> Value {
        json!({"administered_at": when, "units": units, "insulin_type": kind, "purpose": purpose})
    }

    fn server(id: u128, kind: Kind, version: i64, data: Value, by: Uuid) -> ServerEntry {
        ServerEntry {
            id: Uuid::from_u128(id),
            participant_id: CHILD,
            kind,
            version,
            status: "active".into(),
            data,
            classification: None,
            entered_by: by,
            entered_by_role: "guardian".into(),
            recorded_at: "2026-11-24T08:00:00+08:00".into(),
            late: false,
            reason: None,
        }
    }

    fn pending(key: &str, op: Op, entry: u128, base: Option<i64>, data: Option<Value>) -> Pending {
        Pending {
            key: key.into(),
            user_id: ME,
            mutation: OutMutation {
                id: Uuid::new_v4(),
                participant_id: CHILD,
                entry_id: Uuid::from_u128(entry),
                op,
                kind: Kind::Glucose,
                base_version: base,
                reason: (op != Op::Create).then(|| "typo".to_owned()),
                recorded_at: "2026-11-24T09:00:00+08:00".into(),
                data,
            },
            refused: None,
        }
    }

    #[test]
    fn the_outbox_lies_over_the_server_entries_in_order() {
        let entries = [
            server(
                100,
                Kind::Glucose,
                1,
                glucose(json!(5.5), "mmol/L", "2026-11-24T07:00:00+08:00"),
                OTHER,
            ),
            server(
                101,
                Kind::Glucose,
                2,
                glucose(json!(6.0), "mmol/L", "2026-11-24T06:00:00+08:00"),
                ME,
            ),
        ];
        let outbox = [
            pending(
                "2",
                Op::Amend,
                100,
                Some(1),
                Some(glucose(json!(3.5), "mmol/L", "2026-11-24T07:00:00+08:00")),
            ),
            pending(
                "1",
                Op::Create,
                200,
                None,
                Some(glucose(json!("LO"), "mmol/L", "2026-11-24T08:00:00+08:00")),
            ),
            pending("3", Op::Void, 200, Some(1), None),
        ];
        let mut sorted = outbox.clone();
        sorted.sort_by(|a, b| a.key.cmp(&b.key));
        let rows = overlay(&entries, &sorted, CHILD, ME);
        let ids: Vec<u128> = rows.iter().map(|r| r.entry_id.as_u128()).collect();
        assert_eq!(ids, [200, 100, 101], "newest event first");
        assert_eq!(
            (rows[0].version, rows[0].voided, &rows[0].state),
            (2, true, &RowState::Pending)
        );
        assert_eq!(rows[1].version, 2);
        assert_eq!(
            rows[1].classification.map(|c| c.ada_level),
            Some(1),
            "3.5 mmol/L"
        );
        assert_eq!(rows[1].entered_by, "you");
        assert_eq!(rows[1].reason.as_deref(), Some("typo"));
        assert_eq!(
            (rows[2].entered_by.as_str(), &rows[2].state),
            ("you", &RowState::Synced)
        );
        assert!(
            overlay(&entries, &sorted, SIBLING, ME).is_empty(),
            "another child's diary"
        );
    }

    #[test]
    fn a_change_the_server_already_has_is_not_counted_twice() {
        let entries = [server(
            100,
            Kind::Glucose,
            2,
            glucose(json!(3.5), "mmol/L", "2026-11-24T07:00:00+08:00"),
            ME,
        )];
        let outbox = [pending(
            "1",
            Op::Amend,
            100,
            Some(1),
            Some(glucose(json!(3.5), "mmol/L", "2026-11-24T07:00:00+08:00")),
        )];
        let rows = overlay(&entries, &outbox, CHILD, ME);
        assert_eq!((rows[0].version, &rows[0].state), (2, &RowState::Synced));
    }

    #[test]
    fn a_refused_create_shows_with_its_reason_and_is_not_sent() {
        let mut p = pending(
            "1",
            Op::Create,
            300,
            None,
            Some(glucose(json!(5.0), "mmol/L", "2026-11-20T07:00:00+08:00")),
        );
        p.refused = Some(Refusal {
            code: "validation_failed".into(),
            message: "too early".into(),
            fields: BTreeMap::new(),
        });
        let rows = overlay(&[], std::slice::from_ref(&p), CHILD, ME);
        assert!(matches!(rows[0].state, RowState::Refused(_)));
        assert_eq!(rows[0].refused_key.as_deref(), Some("1"));
        assert!(to_send(&[p], ME).is_empty());
    }

    #[test]
    fn only_the_signed_in_users_outbox_is_sent_in_order() {
        let mut theirs = pending("0", Op::Create, 1, None, None);
        theirs.user_id = OTHER;
        let list = [
            pending("b", Op::Create, 2, None, None),
            theirs,
            pending("a", Op::Create, 3, None, None),
        ];
        let keys: Vec<&str> = to_send(&list, ME).iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
    }

    #[test]
    fn today_counts_the_local_day_and_skips_removed_entries() {
        let offset = FixedOffset::east_opt(8 * 3600).unwrap();
        let mut removed = server(
            4,
            Kind::Insulin,
            2,
            insulin(9.0, "meal", "rapid", "2026-11-24T12:00:00+08:00"),
            ME,
        );
        removed.status = "voided".into();
        let entries = [
            server(
                1,
                Kind::Insulin,
                1,
                insulin(4.5, "meal", "rapid", "2026-11-24T07:30:00+08:00"),
                ME,
            ),
            server(
                2,
                Kind::Insulin,
                1,
                insulin(10.0, "basal", "long", "2026-11-24T21:00:00+08:00"),
                ME,
            ),
            // 23:30 UTC on the 23rd is 07:30 on the 24th in the site's zone.
            server(
                3,
                Kind::Insulin,
                1,
                insulin(2.0, "correction", "rapid", "2026-11-23T23:30:00Z"),
                ME,
            ),
            removed,
            server(
                5,
                Kind::Insulin,
                1,
                insulin(3.0, "meal", "rapid", "2026-11-23T12:00:00+08:00"),
                ME,
            ),
            server(
                6,
                Kind::Glucose,
                1,
                glucose(json!(110), "mg/dL", "2026-11-23T22:00:00+08:00"),
                ME,
            ),
        ];
        let rows = overlay(&entries, &[], CHILD, ME);
        let t = today(
            &rows,
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            offset,
        );
        assert_eq!((t.insulin_units, t.doses, t.readings), (16.5, 3, 0));
        let (value, unit, _) = t.last_glucose.unwrap();
        assert_eq!(
            (value, unit),
            (GlucoseValue::Number(110.0), GlucoseUnit::MgDl)
        );
        let days: Vec<usize> = by_day(&rows, offset).iter().map(|(_, r)| r.len()).collect();
        assert_eq!(days, [4, 2]);
    }

    #[test]
    fn a_day_without_insulin_totals_zero_not_minus_zero() {
        use crate::{domain::language::Language, phone::i18n};
        let offset = FixedOffset::east_opt(8 * 3600).unwrap();
        let rows = overlay(
            &[server(
                1,
                Kind::Insulin,
                1,
                insulin(4.0, "meal", "rapid", "2026-11-23T07:30:00+08:00"),
                ME,
            )],
            &[],
            CHILD,
            ME,
        );
        for rows in [&rows[..], &[]] {
            let t = today(rows, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), offset);
            assert_eq!(t.doses, 0);
            assert!(
                t.insulin_units == 0.0 && t.insulin_units.is_sign_positive(),
                "{:?}",
                t.insulin_units
            );
            let zh = i18n::tr(Language::ZhCn);
            assert_eq!(
                i18n::insulin_total(zh, t.insulin_units, t.doses),
                "共 0 次，0 单位"
            );
            assert_eq!(crate::i18n::format::number(t.insulin_units, 2), "0");
        }
    }

    #[test]
    fn settings_saved_by_earlier_versions_still_read() {
        let read = |text: &str| serde_json::from_str::<Settings>(text).unwrap();
        let old = read(r#"{"lang":"zh","unit":"mmol/L","reminder":"20:00"}"#);
        assert_eq!(old.lang, Some(Language::ZhCn));
        assert_eq!(old.unit, Some(GlucoseUnit::MmolL));
        assert_eq!(old.reminder.as_deref(), Some("20:00"));
        assert_eq!(
            read(r#"{"lang":"en","unit":null}"#).lang,
            Some(Language::En)
        );
        let unknown = read(r#"{"lang":"fr","unit":"mg/dL"}"#);
        assert_eq!(
            (unknown.lang, unknown.unit),
            (None, Some(GlucoseUnit::MgDl))
        );
        assert_eq!(read(r#"{"lang":7}"#).lang, None);
        assert_eq!(read("{}"), Settings::default());
        let now = Settings {
            lang: Some(Language::ZhCn),
            unit: Some(GlucoseUnit::MmolL),
            reminder: None,
        };
        let text = serde_json::to_string(&now).unwrap();
        assert!(text.contains(r#""lang":"zh-CN""#), "{text}");
        assert_eq!(read(&text), now);
    }

    #[test]
    fn context_follows_the_time_of_day() {
        let cases = [
            ("06:30", GlucoseContext::Fasting),
            ("09:15", GlucoseContext::AfterMeal),
            ("11:40", GlucoseContext::BeforeMeal),
            ("13:30", GlucoseContext::AfterMeal),
            ("17:50", GlucoseContext::BeforeMeal),
            ("21:30", GlucoseContext::Bedtime),
            ("02:00", GlucoseContext::Overnight),
        ];
        for (time, expected) in cases {
            assert_eq!(
                context_at(at(&format!("2026-11-24T{time}:00+08:00"))),
                expected,
                "{time}"
            );
        }
    }

    #[test]
    fn insulin_type_and_purpose_are_remembered() {
        let entries = [
            server(
                1,
                Kind::Insulin,
                1,
                insulin(4.0, "meal", "rapid", "2026-11-23T07:30:00+08:00"),
                ME,
            ),
            server(
                2,
                Kind::Insulin,
                1,
                insulin(4.0, "meal", "short", "2026-11-24T12:00:00+08:00"),
                ME,
            ),
            server(
                3,
                Kind::Insulin,
                1,
                insulin(10.0, "basal", "long", "2026-11-24T21:00:00+08:00"),
                ME,
            ),
        ];
        let rows = overlay(&entries, &[], CHILD, ME);
        assert_eq!(
            last_insulin_type(&rows, InsulinPurpose::Meal),
            Some(InsulinType::Short)
        );
        assert_eq!(last_insulin_type(&rows, InsulinPurpose::Correction), None);
        assert_eq!(
            likely_purpose(&rows, at("2026-11-25T21:40:00+08:00")),
            InsulinPurpose::Basal
        );
        assert_eq!(
            likely_purpose(&rows, at("2026-11-25T16:00:00+08:00")),
            InsulinPurpose::Meal
        );
    }

    #[test]
    fn chart_places_readings_in_both_units_and_the_meter_flags() {
        let entries = [
            server(
                1,
                Kind::Glucose,
                1,
                glucose(json!(3.0), "mmol/L", "2026-11-24T12:00:00+08:00"),
                ME,
            ),
            server(
                2,
                Kind::Glucose,
                1,
                glucose(json!(210), "mg/dL", "2026-11-20T12:00:00+08:00"),
                ME,
            ),
            server(
                3,
                Kind::Glucose,
                1,
                glucose(json!("HI"), "mg/dL", "2026-11-22T12:00:00+08:00"),
                ME,
            ),
            server(
                4,
                Kind::Glucose,
                1,
                glucose(json!(5.0), "mmol/L", "2026-11-12T12:00:00+08:00"),
                ME,
            ),
        ];
        let rows = overlay(&entries, &[], CHILD, ME);
        let now = at("2026-11-25T12:00:00+08:00");
        let week = chart_points(&rows, now, 7);
        assert_eq!(week.len(), 3, "the reading of the 12th is outside 7 days");
        assert!((week[0].x - 2.0 / 7.0).abs() < 1e-9);
        assert!((week[0].mg_dl - 210.0).abs() < 1e-9);
        assert_eq!(week[1].y, 1.0, "HI sits at the top");
        assert!(week[2].low && (week[2].mg_dl - 54.048).abs() < 1e-9);
        assert_eq!(chart_points(&rows, now, 14).len(), 4);
    }

    #[test]
    fn event_time_fields_round_trip_in_the_phones_zone() {
        let shanghai = FixedOffset::east_opt(8 * 3600).unwrap();
        let at = at("2026-11-24T23:30:00Z");
        assert_eq!(local_input(at, shanghai), "2026-11-25T07:30");
        assert_eq!(read_local_input("2026-11-25T07:30", shanghai), Some(at));
        // Browsers may add seconds.
        assert_eq!(read_local_input("2026-11-25T07:30:00", shanghai), Some(at));
        for bad in [
            "",
            "2026-11-25",
            "2026-13-01T07:30",
            "2026-11-25T25:00",
            "x-y-zT07:30",
        ] {
            assert_eq!(read_local_input(bad, shanghai), None, "{bad}");
        }
    }

    #[test]
    fn numbers_as_people_type_them() {
        assert_eq!(read_number(" 5,6 "), Some(5.6));
        assert_eq!(read_number("110"), Some(110.0));
        assert_eq!(read_number("abc"), None);
        assert_eq!(read_number("inf"), None);
    }
}

//! The trial's outcome figures for one participant over a window of local
//! days (clinical.md, "Outcome figures"; the shape is the contract's
//! `summary`): insulin per day and per kg, glucose statistics and ranges,
//! hypoglycemia counts, HbA1c and IDAA1C, diary completeness. Figures with no
//! data are `None` (null), never a made-up 0.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{
    classification::{Ada2005Class, classify_reading},
    entry::EntryData,
    glucose::{GlucoseValue, MeterFlag, to_mg_dl},
};

/// IDAA1C at or below this is partial remission (Mortensen 2009).
pub const REMISSION_IDAA1C: f64 = 9.0;

/// Local calendar days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Window {
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
}

/// Visit labs the figures use, already in these units.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Labs {
    /// (day taken, kg)
    pub weights: Vec<(NaiveDate, f64)>,
    /// (day taken, %)
    pub hba1c_percent: Vec<(NaiveDate, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub window: WindowView,
    pub insulin: Insulin,
    pub glucose: Glucose,
    pub hypoglycemia: Hypoglycemia,
    pub hba1c: Option<Hba1c>,
    pub idaa1c: Option<Idaa1c>,
    pub completeness: Completeness,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insulin {
    pub days_with_data: usize,
    pub mean_daily_units: Option<f64>,
    pub mean_units_per_kg: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glucose {
    pub count: usize,
    pub mean_mg_dl: Option<f64>,
    pub sd_mg_dl: Option<f64>,
    pub cv: Option<f64>,
    pub ranges: Option<Ranges>,
}

/// Shares of readings, adding up to 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranges {
    pub below_54: f64,
    #[serde(rename = "54_69")]
    pub from_54_to_69: f64,
    #[serde(rename = "70_180")]
    pub from_70_to_180: f64,
    #[serde(rename = "181_250")]
    pub from_181_to_250: f64,
    pub above_250: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hypoglycemia {
    /// Glucose readings by ADA level ("1", "2").
    pub readings_by_level: BTreeMap<String, usize>,
    /// Event forms by ADA level ("1", "2", "3").
    pub events_by_level: BTreeMap<String, usize>,
    pub events_by_ada2005_class: BTreeMap<String, usize>,
    pub severe_events: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hba1c {
    pub value_percent: f64,
    pub taken_at: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Idaa1c {
    pub value: f64,
    pub partial_remission: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completeness {
    pub days_with_entries: usize,
    pub ratio: f64,
}

/// HbA1c in mmol/mol (IFCC) as % (NGSP): % = mmol/mol / 10.929 + 2.15.
pub fn hba1c_percent_of_mmol_mol(mmol_mol: f64) -> f64 {
    mmol_mol / 10.929 + 2.15
}

/// The most recent weight taken on or before `day`.
fn weight_on(weights: &[(NaiveDate, f64)], day: NaiveDate) -> Option<f64> {
    weights
        .iter()
        .filter(|(on, _)| *on <= day)
        .max_by_key(|(on, _)| *on)
        .map(|(_, kg)| *kg)
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10_f64.powi(decimals);
    (value * factor).round() / factor
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The figures of one participant. `entries` are the current versions of
/// the entries that are not voided; `local_date` puts an event on the
/// site's calendar.
pub fn figures(
    window: Window,
    entries: &[EntryData],
    labs: &Labs,
    local_date: &dyn Fn(DateTime<FixedOffset>) -> NaiveDate,
) -> Figures {
    let in_window: Vec<(&EntryData, NaiveDate)> = entries
        .iter()
        .map(|e| (e, local_date(e.event_time())))
        .filter(|(_, day)| window.contains(*day))
        .collect();

    // Insulin: the total of each day with at least one dose.
    let mut daily: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for (entry, day) in &in_window {
        if let EntryData::Insulin(dose) = entry {
            *daily.entry(*day).or_default() += dose.units;
        }
    }
    let totals: Vec<f64> = daily.values().copied().collect();
    let per_kg: Vec<f64> = daily
        .iter()
        .filter_map(|(day, units)| weight_on(&labs.weights, *day).map(|kg| units / kg))
        .collect();
    let mean_units_per_kg = mean(&per_kg);

    // Glucose readings (not values typed into event forms).
    let readings: Vec<(GlucoseValue, f64)> = in_window
        .iter()
        .filter_map(|(entry, _)| match entry {
            EntryData::Glucose(g) => Some((
                g.value,
                match g.value {
                    GlucoseValue::Number(n) => to_mg_dl(n, g.unit),
                    GlucoseValue::Flag(MeterFlag::Lo) => f64::NEG_INFINITY,
                    GlucoseValue::Flag(MeterFlag::Hi) => f64::INFINITY,
                },
            )),
            _ => None,
        })
        .collect();
    let numbers: Vec<f64> = readings
        .iter()
        .filter(|(value, _)| matches!(value, GlucoseValue::Number(_)))
        .map(|(_, mg)| *mg)
        .collect();
    let mean_mg_dl = mean(&numbers);
    let sd_mg_dl = match (mean_mg_dl, numbers.len()) {
        (Some(m), n) if n >= 2 => {
            let variance = numbers.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1) as f64;
            Some(variance.sqrt())
        }
        _ => None,
    };
    let ranges = (!readings.is_empty()).then(|| {
        let share = |keep: &dyn Fn(f64) -> bool| {
            let n = readings.iter().filter(|(_, mg)| keep(*mg)).count();
            round(n as f64 / readings.len() as f64, 3)
        };
        Ranges {
            below_54: share(&|mg| mg < 54.0),
            from_54_to_69: share(&|mg| (54.0..70.0).contains(&mg)),
            from_70_to_180: share(&|mg| (70.0..=180.0).contains(&mg)),
            from_181_to_250: share(&|mg| mg > 180.0 && mg <= 250.0),
            above_250: share(&|mg| mg > 250.0),
        }
    });

    // Hypoglycemia.
    let mut readings_by_level: BTreeMap<String, usize> = [("1".into(), 0), ("2".into(), 0)].into();
    for (entry, _) in &in_window {
        if let EntryData::Glucose(g) = entry {
            let level = classify_reading(g.value, g.unit).ada_level;
            if level > 0 {
                *readings_by_level.entry(level.to_string()).or_default() += 1;
            }
        }
    }
    let mut events_by_level: BTreeMap<String, usize> =
        [("1".into(), 0), ("2".into(), 0), ("3".into(), 0)].into();
    let mut events_by_ada2005_class: BTreeMap<String, usize> = [
        Ada2005Class::Severe,
        Ada2005Class::DocumentedSymptomatic,
        Ada2005Class::Asymptomatic,
        Ada2005Class::ProbableSymptomatic,
        Ada2005Class::Relative,
    ]
    .into_iter()
    .map(|c| (class_name(c).to_owned(), 0))
    .collect();
    let mut severe_events = 0;
    for (entry, _) in &in_window {
        if !matches!(entry, EntryData::Hypo(_)) {
            continue;
        }
        let Some(c) = entry.check().ok().and_then(|c| c.classification) else {
            continue;
        };
        if c.ada_level > 0 {
            *events_by_level.entry(c.ada_level.to_string()).or_default() += 1;
        }
        if let Some(class) = c.ada2005_class {
            *events_by_ada2005_class
                .entry(class_name(class).to_owned())
                .or_default() += 1;
        }
        if c.ada_level >= 3 {
            severe_events += 1;
        }
    }

    // HbA1c: the latest taken in the window; IDAA1C from it and the
    // window's insulin per kg.
    let hba1c = labs
        .hba1c_percent
        .iter()
        .filter(|(on, _)| window.contains(*on))
        .max_by_key(|(on, _)| *on)
        .map(|(on, percent)| Hba1c {
            value_percent: round(*percent, 2),
            taken_at: *on,
        });
    let latest_percent = labs
        .hba1c_percent
        .iter()
        .filter(|(on, _)| window.contains(*on))
        .max_by_key(|(on, _)| *on)
        .map(|(_, percent)| *percent);
    let idaa1c = match (latest_percent, mean_units_per_kg) {
        (Some(percent), Some(per_kg)) => {
            let value = percent + 4.0 * per_kg;
            Some(Idaa1c {
                value: round(value, 2),
                partial_remission: value <= REMISSION_IDAA1C,
            })
        }
        _ => None,
    };

    let days_with_entries = in_window
        .iter()
        .map(|(_, day)| *day)
        .collect::<BTreeSet<_>>()
        .len();
    Figures {
        window: WindowView {
            from: window.from,
            to: window.to,
            days: window.days(),
        },
        insulin: Insulin {
            days_with_data: totals.len(),
            mean_daily_units: mean(&totals).map(|m| round(m, 2)),
            mean_units_per_kg: mean_units_per_kg.map(|m| round(m, 3)),
        },
        glucose: Glucose {
            count: readings.len(),
            mean_mg_dl: mean_mg_dl.map(|m| round(m, 1)),
            sd_mg_dl: sd_mg_dl.map(|s| round(s, 1)),
            cv: match (sd_mg_dl, mean_mg_dl) {
                (Some(sd), Some(m)) if m > 0.0 => Some(round(sd / m, 3)),
                _ => None,
            },
            ranges,
        },
        hypoglycemia: Hypoglycemia {
            readings_by_level,
            events_by_level,
            events_by_ada2005_class,
            severe_events,
        },
        hba1c,
        idaa1c,
        completeness: Completeness {
            days_with_entries,
            ratio: round(days_with_entries as f64 / window.days().max(1) as f64, 3),
        },
    }
}

/// Each day's insulin total, for the days with at least one dose in the
/// window (the same totals `mean_daily_units` averages).
pub fn daily_insulin(
    window: Window,
    entries: &[EntryData],
    local_date: &dyn Fn(DateTime<FixedOffset>) -> NaiveDate,
) -> BTreeMap<NaiveDate, f64> {
    let mut daily: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for entry in entries {
        if let EntryData::Insulin(dose) = entry {
            let day = local_date(dose.administered_at);
            if window.contains(day) {
                *daily.entry(day).or_default() += dose.units;
            }
        }
    }
    daily
}

/// What each figure rests on, in words, so that nobody reads a mean of two
/// readings as a fortnight's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Basis {
    pub glucose: String,
    pub insulin: String,
    pub hypoglycemia: String,
    pub idaa1c: String,
    pub completeness: String,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn basis(figures: &Figures) -> Basis {
    let days = plural(figures.window.days as usize, "day", "days");
    let span = format!("{} to {}", figures.window.from, figures.window.to);
    let insulin_days = plural(figures.insulin.days_with_data, "day", "days");
    let events: usize = figures.hypoglycemia.events_by_level.values().sum();
    Basis {
        glucose: format!(
            "From {} over {days} ({span}); LO/HI counted in the ranges, not in mean and SD.",
            plural(figures.glucose.count, "reading", "readings")
        ),
        insulin: format!(
            "From {insulin_days} with doses logged of {days}; per kg with the latest weight on or before each day."
        ),
        hypoglycemia: format!(
            "From {} and the glucose readings over {days}.",
            plural(events, "event form", "event forms")
        ),
        idaa1c: match (&figures.hba1c, &figures.idaa1c) {
            (Some(h), Some(_)) => format!(
                "HbA1c of {} plus 4 x the window's mean U/kg/day ({insulin_days} with doses).",
                h.taken_at
            ),
            (Some(h), None) => format!(
                "HbA1c of {}; no IDAA1C without insulin doses and a weight in the window.",
                h.taken_at
            ),
            (None, _) => "No HbA1c taken in the window.".to_owned(),
        },
        completeness: format!(
            "{} with at least one entry of {days}.",
            plural(figures.completeness.days_with_entries, "day", "days")
        ),
    }
}

fn class_name(class: Ada2005Class) -> &'static str {
    match class {
        Ada2005Class::Severe => "severe",
        Ada2005Class::DocumentedSymptomatic => "documented_symptomatic",
        Ada2005Class::Asymptomatic => "asymptomatic",
        Ada2005Class::ProbableSymptomatic => "probable_symptomatic",
        Ada2005Class::Relative => "relative",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::entry::Kind;

    const SITE: i32 = 8 * 3600;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn on_site_calendar(at: DateTime<FixedOffset>) -> NaiveDate {
        at.with_timezone(&FixedOffset::east_opt(SITE).unwrap())
            .date_naive()
    }

    fn entry(kind: Kind, data: serde_json::Value) -> EntryData {
        EntryData::parse(kind, &data).unwrap()
    }

    fn glucose(at: &str, value: serde_json::Value, unit: &str) -> EntryData {
        entry(
            Kind::Glucose,
            json!({"measured_at": at, "value": value, "unit": unit, "context": "other", "source": "meter"}),
        )
    }

    fn dose(at: &str, units: f64) -> EntryData {
        entry(
            Kind::Insulin,
            json!({"administered_at": at, "units": units, "insulin_type": "rapid", "purpose": "meal"}),
        )
    }

    fn low(at: &str, glucose_mmol: Option<f64>, symptoms: bool, assisted: bool) -> EntryData {
        let mut data = json!({
            "occurred_at": at, "symptoms": if symptoms { json!(["shaky"]) } else { json!([]) },
            "needed_assistance": assisted, "lost_consciousness": false, "seizure": false,
            "treatments": ["oral_carbohydrate"],
        });
        if let Some(v) = glucose_mmol {
            data["glucose_value"] = json!(v);
            data["glucose_unit"] = json!("mmol/L");
        }
        entry(Kind::Hypo, data)
    }

    fn close(actual: Option<f64>, expected: f64) {
        let actual = actual.expect("a figure");
        assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
    }

    /// One week worked out by hand (site time +08:00, 1 to 7 November).
    #[test]
    fn a_week_worked_out_by_hand() {
        let window = Window {
            from: day(1),
            to: day(7),
        };
        let entries = [
            // 1 Nov: 10 + 6 U; two readings, one in mmol/L.
            dose("2026-11-01T07:30:00+08:00", 10.0),
            dose("2026-11-01T18:00:00+08:00", 6.0),
            glucose("2026-11-01T07:00:00+08:00", json!(100), "mg/dL"),
            glucose("2026-11-01T12:00:00+08:00", json!(5.0), "mmol/L"),
            // 2 Nov: nothing (a day with no insulin is missing data).
            // 3 Nov: 20 U; the meter's LO and HI; a documented low.
            dose("2026-11-03T08:00:00+08:00", 20.0),
            glucose("2026-11-03T03:00:00+08:00", json!("LO"), "mmol/L"),
            glucose("2026-11-03T21:00:00+08:00", json!("HI"), "mg/dL"),
            low("2026-11-03T10:00:00+08:00", Some(3.2), true, false),
            // 4 Nov: 21 U on the new weight; a level-1 reading.
            dose("2026-11-04T08:00:00+08:00", 21.0),
            glucose("2026-11-04T16:00:00+08:00", json!(3.5), "mmol/L"),
            // 16:30 UTC on the 4th is 00:30 on the 5th at the site: 12 U.
            dose("2026-11-04T16:30:00Z", 12.0),
            // 6 Nov: a reading, a severe low, a probable one.
            glucose("2026-11-06T09:00:00+08:00", json!(200), "mg/dL"),
            low("2026-11-06T02:00:00+08:00", None, true, true),
            low("2026-11-06T15:00:00+08:00", None, true, false),
            // Outside the window.
            glucose("2026-10-31T23:59:00+08:00", json!(300), "mg/dL"),
            dose("2026-11-08T00:00:00+08:00", 50.0),
        ];
        let labs = Labs {
            // 40 kg until the visit of 4 Nov, 42 kg from then on.
            weights: vec![
                (NaiveDate::from_ymd_opt(2026, 10, 20).unwrap(), 40.0),
                (day(4), 42.0),
            ],
            // 53 mmol/mol on 6 Nov; an older 7.5 % outside the window.
            hba1c_percent: vec![
                (NaiveDate::from_ymd_opt(2026, 10, 15).unwrap(), 7.5),
                (day(6), hba1c_percent_of_mmol_mol(53.0)),
            ],
        };
        let f = figures(window, &entries, &labs, &on_site_calendar);

        assert_eq!(f.window.days, 7);
        // Insulin: days 1, 3, 4, 5 = 16, 20, 21, 12 U.
        assert_eq!(f.insulin.days_with_data, 4);
        close(f.insulin.mean_daily_units, 17.25); // 69 / 4
        // 16/40 = 0.4, 20/40 = 0.5, 21/42 = 0.5, 12/42 = 0.285714...
        let per_kg = (0.4 + 0.5 + 0.5 + 12.0 / 42.0) / 4.0;
        close(
            f.insulin.mean_units_per_kg,
            (per_kg * 1000.0_f64).round() / 1000.0,
        );
        assert_eq!(f.insulin.mean_units_per_kg, Some(0.421));

        // Glucose: 6 readings; LO and HI left out of mean and SD.
        assert_eq!(f.glucose.count, 6);
        let numbers = [100.0, 5.0 * 18.016, 3.5 * 18.016, 200.0];
        let m = numbers.iter().sum::<f64>() / 4.0; // 113.284
        let sd = (numbers.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / 3.0).sqrt(); // 59.88
        assert_eq!(f.glucose.mean_mg_dl, Some(113.3));
        assert_eq!(f.glucose.sd_mg_dl, Some((sd * 10.0).round() / 10.0));
        assert_eq!(f.glucose.sd_mg_dl, Some(59.9));
        assert_eq!(f.glucose.cv, Some(0.529)); // 59.88 / 113.28
        let r = f.glucose.ranges.unwrap();
        // LO | 63.1 | 100, 90.1 | 200 | HI, out of 6.
        assert_eq!(
            (
                r.below_54,
                r.from_54_to_69,
                r.from_70_to_180,
                r.from_181_to_250,
                r.above_250
            ),
            (0.167, 0.167, 0.333, 0.167, 0.167)
        );

        // Hypoglycemia: readings 63.1 mg/dL (level 1) and LO (level 2);
        // events: 3.2 mmol/L with symptoms (level 1, documented), assisted
        // (level 3, severe), symptoms only (probable, no level).
        let h = &f.hypoglycemia;
        assert_eq!(
            h.readings_by_level,
            BTreeMap::from([("1".into(), 1), ("2".into(), 1)])
        );
        assert_eq!(
            h.events_by_level,
            BTreeMap::from([("1".into(), 1), ("2".into(), 0), ("3".into(), 1)])
        );
        assert_eq!(h.events_by_ada2005_class["severe"], 1);
        assert_eq!(h.events_by_ada2005_class["documented_symptomatic"], 1);
        assert_eq!(h.events_by_ada2005_class["probable_symptomatic"], 1);
        assert_eq!(h.events_by_ada2005_class["asymptomatic"], 0);
        assert_eq!(h.severe_events, 1);

        // HbA1c 53 mmol/mol = 53 / 10.929 + 2.15 = 6.9995 %; IDAA1C adds
        // 4 x 0.42143 = 8.6852: partial remission.
        let a1c = f.hba1c.unwrap();
        assert_eq!((a1c.value_percent, a1c.taken_at), (7.0, day(6)));
        let idaa1c = f.idaa1c.unwrap();
        assert_eq!(idaa1c.value, 8.69);
        assert!(idaa1c.partial_remission);

        // Entries on 1, 3, 4, 5 and 6 Nov: 5 of 7 days.
        assert_eq!(f.completeness.days_with_entries, 5);
        assert_eq!(f.completeness.ratio, 0.714);
    }

    #[test]
    fn no_data_is_null_not_zero() {
        let window = Window {
            from: day(1),
            to: day(14),
        };
        let f = figures(window, &[], &Labs::default(), &on_site_calendar);
        assert_eq!(f.insulin.days_with_data, 0);
        assert_eq!(f.insulin.mean_daily_units, None);
        assert_eq!(f.insulin.mean_units_per_kg, None);
        assert_eq!((f.glucose.count, f.glucose.mean_mg_dl), (0, None));
        assert!(f.glucose.ranges.is_none());
        assert_eq!((&f.hba1c, &f.idaa1c), (&None, &None));
        assert_eq!(f.completeness.ratio, 0.0);
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["idaa1c"], serde_json::Value::Null);
        assert_eq!(
            json["window"],
            json!({"from": "2026-11-01", "to": "2026-11-14", "days": 14})
        );
    }

    #[test]
    fn one_reading_has_no_spread_and_insulin_without_weight_has_no_per_kg() {
        let window = Window {
            from: day(1),
            to: day(1),
        };
        let entries = [
            glucose("2026-11-01T07:00:00+08:00", json!(120), "mg/dL"),
            dose("2026-11-01T07:30:00+08:00", 8.0),
        ];
        let labs = Labs {
            weights: vec![],
            hba1c_percent: vec![(day(1), 6.5)],
        };
        let f = figures(window, &entries, &labs, &on_site_calendar);
        assert_eq!(
            (f.glucose.mean_mg_dl, f.glucose.sd_mg_dl, f.glucose.cv),
            (Some(120.0), None, None)
        );
        assert_eq!(f.insulin.mean_daily_units, Some(8.0));
        assert_eq!(f.insulin.mean_units_per_kg, None);
        assert!(f.hba1c.is_some());
        assert_eq!(f.idaa1c, None, "no weight, no IDAA1C");
        let json = serde_json::to_value(&f).unwrap();
        assert!(json["glucose"]["ranges"]["70_180"] == json!(1.0));
    }

    #[test]
    fn hba1c_units() {
        // clinical.md: mmol/mol = (% - 2.15) x 10.929.
        for percent in [5.0, 6.5, 7.0, 9.0, 12.3] {
            let mmol = (percent - 2.15) * 10.929;
            assert!((hba1c_percent_of_mmol_mol(mmol) - percent).abs() < 1e-9);
        }
    }

    #[test]
    fn daily_totals_and_what_the_figures_rest_on() {
        let window = Window {
            from: day(1),
            to: day(2),
        };
        let entries = [
            glucose("2026-11-01T07:00:00+08:00", json!(120), "mg/dL"),
            dose("2026-11-01T07:30:00+08:00", 8.0),
            dose("2026-11-01T23:30:00+08:00", 10.5),
            // 00:30 on the 3rd at the site: outside the window.
            dose("2026-11-02T16:30:00Z", 4.0),
        ];
        let totals = daily_insulin(window, &entries, &on_site_calendar);
        assert_eq!(totals.into_iter().collect::<Vec<_>>(), [(day(1), 18.5)]);
        let labs = Labs {
            weights: vec![(day(1), 40.0)],
            hba1c_percent: vec![(day(2), 7.1)],
        };
        let b = basis(&figures(window, &entries, &labs, &on_site_calendar));
        assert_eq!(
            b.glucose,
            "From 1 reading over 2 days (2026-11-01 to 2026-11-02); LO/HI counted in the ranges, not in mean and SD."
        );
        assert!(
            b.insulin
                .starts_with("From 1 day with doses logged of 2 days"),
            "{}",
            b.insulin
        );
        assert!(
            b.idaa1c.starts_with("HbA1c of 2026-11-02 plus 4 x"),
            "{}",
            b.idaa1c
        );
        assert_eq!(b.completeness, "1 day with at least one entry of 2 days.");
        let none = basis(&figures(window, &[], &Labs::default(), &on_site_calendar));
        assert_eq!(none.idaa1c, "No HbA1c taken in the window.");
        assert!(none.glucose.starts_with("From 0 readings"));
    }
}

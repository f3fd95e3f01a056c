//! The study's outcome figures per visit window: each participant's figures
//! over their own window of a visit (`outcomes::figures`), summarised across
//! participants as trials report them (n, mean and SD of the participants'
//! values; counts added up). Pure functions.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    outcomes::{Figures, Window},
    visits::Visit,
};

/// A participant's window of a visit, cut at `today`; `None` before it
/// opens.
pub fn visit_window(visit: &Visit, enrolled_on: NaiveDate, today: NaiveDate) -> Option<Window> {
    let (from, to) = visit.window(enrolled_on);
    (from <= today).then(|| Window {
        from,
        to: to.min(today),
    })
}

/// A figure across participants: how many have it, their mean and SD.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Across {
    pub n: usize,
    pub mean: Option<f64>,
    /// Sample SD (n - 1); null below two participants.
    pub sd: Option<f64>,
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10_f64.powi(decimals);
    (value * factor).round() / factor
}

pub fn across(values: &[f64], decimals: i32) -> Across {
    let n = values.len();
    let mean = (n > 0).then(|| values.iter().sum::<f64>() / n as f64);
    let sd = match (mean, n) {
        (Some(m), n) if n >= 2 => {
            Some((values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt())
        }
        _ => None,
    };
    Across {
        n,
        mean: mean.map(|m| round(m, decimals)),
        sd: sd.map(|s| round(s, decimals)),
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitOutcome {
    pub visit: Visit,
    /// Participants whose window of this visit has opened.
    pub participants: usize,
    pub mean_daily_units: Across,
    pub mean_units_per_kg: Across,
    pub hba1c_percent: Across,
    pub idaa1c: Across,
    /// Participants with IDAA1C <= 9.
    pub partial_remission: usize,
    pub mean_glucose_mg_dl: Across,
    pub glucose_cv: Across,
    /// Each participant's share of readings in 70–180 mg/dL.
    pub readings_in_range: Across,
    /// Glucose readings of all participants in their windows.
    pub readings: usize,
    pub events_by_level: BTreeMap<String, usize>,
    pub events_by_ada2005_class: BTreeMap<String, usize>,
    pub severe_events: usize,
    pub completeness: Across,
}

/// The summary of one visit from each participant's figures over their
/// window of it.
pub fn summarise(visit: &Visit, figures: &[Figures]) -> VisitOutcome {
    let values = |pick: &dyn Fn(&Figures) -> Option<f64>| -> Vec<f64> {
        figures.iter().filter_map(pick).collect()
    };
    let mut events_by_level = BTreeMap::new();
    let mut events_by_ada2005_class = BTreeMap::new();
    for f in figures {
        for (k, v) in &f.hypoglycemia.events_by_level {
            *events_by_level.entry(k.clone()).or_insert(0) += v;
        }
        for (k, v) in &f.hypoglycemia.events_by_ada2005_class {
            *events_by_ada2005_class.entry(k.clone()).or_insert(0) += v;
        }
    }
    VisitOutcome {
        visit: visit.clone(),
        participants: figures.len(),
        mean_daily_units: across(&values(&|f| f.insulin.mean_daily_units), 2),
        mean_units_per_kg: across(&values(&|f| f.insulin.mean_units_per_kg), 3),
        hba1c_percent: across(&values(&|f| f.hba1c.as_ref().map(|h| h.value_percent)), 2),
        idaa1c: across(&values(&|f| f.idaa1c.as_ref().map(|i| i.value)), 2),
        partial_remission: figures
            .iter()
            .filter(|f| f.idaa1c.as_ref().is_some_and(|i| i.partial_remission))
            .count(),
        mean_glucose_mg_dl: across(&values(&|f| f.glucose.mean_mg_dl), 1),
        glucose_cv: across(&values(&|f| f.glucose.cv), 3),
        readings_in_range: across(
            &values(&|f| f.glucose.ranges.as_ref().map(|r| r.from_70_to_180)),
            3,
        ),
        readings: figures.iter().map(|f| f.glucose.count).sum(),
        events_by_level,
        events_by_ada2005_class,
        severe_events: figures.iter().map(|f| f.hypoglycemia.severe_events).sum(),
        completeness: across(&values(&|f| Some(f.completeness.ratio)), 3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::outcomes::{Labs, figures};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn visit(day: i64, before: i64, after: i64) -> Visit {
        Visit {
            code: "month_1".into(),
            name: "Month 1".into(),
            day,
            before,
            after,
        }
    }

    #[test]
    fn windows_open_and_are_cut_at_today() {
        let enrolled = day("2026-11-01");
        let v = visit(30, 7, 7);
        // Window 2026-11-24 .. 2026-12-08.
        for (today, expected) in [
            ("2026-11-23", None),
            ("2026-11-24", Some(("2026-11-24", "2026-11-24"))),
            ("2026-12-02", Some(("2026-11-24", "2026-12-02"))),
            ("2027-01-01", Some(("2026-11-24", "2026-12-08"))),
        ] {
            let w = visit_window(&v, enrolled, day(today));
            assert_eq!(
                w.map(|w| (w.from, w.to)),
                expected.map(|(a, b)| (day(a), day(b))),
                "{today}"
            );
        }
    }

    #[test]
    fn across_participants() {
        assert_eq!(
            across(&[], 2),
            Across {
                n: 0,
                mean: None,
                sd: None
            }
        );
        assert_eq!(
            across(&[7.0], 2),
            Across {
                n: 1,
                mean: Some(7.0),
                sd: None
            }
        );
        // 6, 8, 10: mean 8, SD 2.
        assert_eq!(
            across(&[6.0, 8.0, 10.0], 2),
            Across {
                n: 3,
                mean: Some(8.0),
                sd: Some(2.0)
            }
        );
        assert_eq!(across(&[1.0, 2.0], 3).sd, Some(0.707));
    }

    #[test]
    fn a_visit_summarised() {
        let w = Window {
            from: day("2026-11-01"),
            to: day("2026-11-02"),
        };
        let none = figures(w, &[], &Labs::default(), &|at| at.date_naive());
        let with_hba1c = figures(
            w,
            &[],
            &Labs {
                weights: vec![],
                hba1c_percent: vec![(day("2026-11-02"), 6.8)],
            },
            &|at| at.date_naive(),
        );
        let s = summarise(&visit(30, 7, 7), &[none.clone(), with_hba1c, none]);
        assert_eq!(s.participants, 3);
        assert_eq!(
            s.hba1c_percent,
            Across {
                n: 1,
                mean: Some(6.8),
                sd: None
            }
        );
        // No insulin and no readings: no participant has those figures.
        assert_eq!(s.mean_daily_units.n, 0);
        assert_eq!(s.mean_glucose_mg_dl.n, 0);
        assert_eq!(s.idaa1c.n, 0);
        assert_eq!(s.partial_remission, 0);
        // Completeness is known for everyone: 0 days of 2.
        assert_eq!(
            s.completeness,
            Across {
                n: 3,
                mean: Some(0.0),
                sd: Some(0.0)
            }
        );
        assert_eq!(s.events_by_level.values().sum::<usize>(), 0);
        assert_eq!(s.events_by_level.len(), 3);
    }
}

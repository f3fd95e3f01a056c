//! The demo's visit labs: baseline on the day of enrolment and month 1 on
//! day 24, each with weight, HbA1c and C-peptide fasting and stimulated
//! (MMTT), in the units a lab reports them. Pure; `super::apply` stores
//! them as the investigator would enter them.

use app::domain::labs::{LabInput, LabKind};
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;

/// The month-1 visit, in days after enrolment (its window opens on day 23).
pub const MONTH_1_DAY: i64 = 24;

/// One lab result of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedLab {
    /// Unique and stable across runs: names the lab.
    pub key: String,
    pub study_id: &'static str,
    pub input: LabInput,
}

/// (study id, visit, weight kg, HbA1c, C-peptide fasting, stimulated):
/// new-onset values falling with a month of insulin, C-peptide still there
/// (the honeymoon). DEMO-002's lab reports HbA1c in mmol/mol and DEMO-003's
/// C-peptide in ng/mL.
type Row = (
    &'static str,
    &'static str,
    f64,
    (f64, &'static str),
    (f64, &'static str),
    (f64, &'static str),
);

const RESULTS: [Row; 6] = [
    (
        "DEMO-001",
        "baseline",
        52.4,
        (10.8, "%"),
        (180.0, "pmol/L"),
        (420.0, "pmol/L"),
    ),
    (
        "DEMO-001",
        "month_1",
        53.1,
        (7.6, "%"),
        (165.0, "pmol/L"),
        (390.0, "pmol/L"),
    ),
    (
        "DEMO-002",
        "baseline",
        29.2,
        (103.0, "mmol/mol"),
        (240.0, "pmol/L"),
        (610.0, "pmol/L"),
    ),
    (
        "DEMO-002",
        "month_1",
        29.6,
        (54.0, "mmol/mol"),
        (230.0, "pmol/L"),
        (585.0, "pmol/L"),
    ),
    (
        "DEMO-003",
        "baseline",
        21.0,
        (9.9, "%"),
        (0.62, "ng/mL"),
        (1.55, "ng/mL"),
    ),
    (
        "DEMO-003",
        "month_1",
        21.3,
        (6.9, "%"),
        (0.58, "ng/mL"),
        (1.48, "ng/mL"),
    ),
];

/// The labs of participants enrolled on `enrolled_on` (a site day) taken
/// by `now`: the morning of each visit, after the overnight fast.
pub fn plan(now: DateTime<Utc>, tz: Tz, enrolled_on: NaiveDate) -> Vec<PlannedLab> {
    let mut out = Vec::new();
    for (study_id, visit, weight, hba1c, fasting, stimulated) in RESULTS {
        let day = match visit {
            "baseline" => enrolled_on,
            _ => enrolled_on + Duration::days(MONTH_1_DAY),
        };
        let Some(taken) = day
            .and_hms_opt(8, 30, 0)
            .and_then(|wall| tz.from_local_datetime(&wall).earliest())
        else {
            continue;
        };
        if taken.with_timezone(&Utc) > now {
            continue;
        }
        let taken_at = taken
            .fixed_offset()
            .to_rfc3339_opts(SecondsFormat::Secs, true);
        let results = [
            (LabKind::Weight, (weight, "kg")),
            (LabKind::Hba1c, hba1c),
            (LabKind::CPeptideFasting, fasting),
            (LabKind::CPeptideStimulated, stimulated),
        ];
        for (kind, (value, unit)) in results {
            out.push(PlannedLab {
                key: format!("{study_id}/{visit}/{}", kind.as_str()),
                study_id,
                input: LabInput {
                    visit: visit.to_owned(),
                    taken_at: taken_at.clone(),
                    kind,
                    name: None,
                    value,
                    unit: unit.to_owned(),
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use app::domain::visits::{default_schedule, is_known};

    use super::*;

    #[test]
    fn every_lab_is_valid_and_in_its_visit_window() {
        let tz = chrono_tz::Asia::Shanghai;
        let now: DateTime<Utc> = "2026-11-25T04:00:00Z".parse().unwrap();
        let today = now.with_timezone(&tz).date_naive();
        let enrolled = today - Duration::days(super::super::diary::ENROLLED_DAYS_AGO);
        let labs = plan(now, tz, enrolled);
        assert_eq!(labs.len(), 3 * 2 * 4);
        let schedule = default_schedule();
        let mut keys = HashSet::new();
        for lab in &labs {
            assert!(keys.insert(lab.key.clone()));
            let checked = lab
                .input
                .check()
                .unwrap_or_else(|e| panic!("{lab:?}: {e:?}"));
            assert!(is_known(&schedule, &lab.input.visit));
            let visit = schedule.iter().find(|v| v.code == lab.input.visit).unwrap();
            let (from, to) = visit.window(enrolled);
            assert!(
                from <= checked.taken_on && checked.taken_on <= to,
                "{lab:?}"
            );
            assert!(checked.taken_on < today);
        }
    }

    #[test]
    fn labs_still_ahead_are_left_out() {
        let tz = chrono_tz::Asia::Shanghai;
        let now: DateTime<Utc> = "2026-11-25T04:00:00Z".parse().unwrap();
        let today = now.with_timezone(&tz).date_naive();
        // Enrolled 10 days ago: only the baseline has happened.
        let labs = plan(now, tz, today - Duration::days(10));
        assert_eq!(labs.len(), 3 * 4);
        assert!(labs.iter().all(|l| l.input.visit == "baseline"));
    }
}

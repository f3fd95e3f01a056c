//! The study's visit schedule: each visit a number of days after enrolment
//! with a window either side (for example month 3 = day 90, ± 14 days).
//! Labs name the visit they belong to; "unscheduled" is always allowed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// The visit code a lab may always name.
pub const UNSCHEDULED: &str = "unscheduled";
const MAX_VISITS: usize = 50;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Visit {
    /// Short, stable: "baseline", "month_3" (1 to 40 of a-z, 0-9 and _,
    /// not "unscheduled").
    #[cfg_attr(feature = "ssr", schema(pattern = "^[a-z0-9_]{1,40}$"))]
    pub code: String,
    #[cfg_attr(
        feature = "ssr",
        schema(min_length = 1, max_length = 100, pattern = r"[^\s\u0085]")
    )]
    pub name: String,
    /// Days after enrolment, later than the visit before.
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 3650))]
    pub day: i64,
    /// Days the visit may come early and late; windows do not overlap.
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 365))]
    pub before: i64,
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 365))]
    pub after: i64,
}

impl Visit {
    /// The days the visit may fall on, for a participant enrolled on `enrolled`.
    pub fn window(&self, enrolled: NaiveDate) -> (NaiveDate, NaiveDate) {
        let on = enrolled + Duration::days(self.day);
        (
            on - Duration::days(self.before),
            on + Duration::days(self.after),
        )
    }
}

/// The schedule a new study starts with (the trial's usual visits).
pub fn default_schedule() -> Vec<Visit> {
    [
        ("baseline", "Baseline", 0, 0, 14),
        ("month_1", "Month 1", 30, 7, 7),
        ("month_3", "Month 3", 90, 14, 14),
        ("month_6", "Month 6", 180, 14, 14),
        ("month_9", "Month 9", 270, 14, 14),
        ("month_12", "Month 12", 365, 30, 30),
    ]
    .into_iter()
    .map(|(code, name, day, before, after)| Visit {
        code: code.into(),
        name: name.into(),
        day,
        before,
        after,
    })
    .collect()
}

/// Checks a schedule: codes unique and well-formed, days in order,
/// windows that do not overlap.
pub fn check(schedule: &[Visit]) -> Result<(), BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    if schedule.is_empty() || schedule.len() > MAX_VISITS {
        errors.insert("visits".into(), format!("1 to {MAX_VISITS} visits"));
    }
    let mut codes = BTreeSet::new();
    for (i, v) in schedule.iter().enumerate() {
        let at = |field: &str| format!("visits[{i}].{field}");
        let code_ok = !v.code.is_empty()
            && v.code.len() <= 40
            && v.code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !code_ok || v.code == UNSCHEDULED {
            errors.insert(
                at("code"),
                "1 to 40 of a-z, 0-9 and _, not \"unscheduled\"".into(),
            );
        } else if !codes.insert(v.code.as_str()) {
            errors.insert(at("code"), "used twice".into());
        }
        if v.name.trim().is_empty() || v.name.chars().count() > 100 {
            errors.insert(at("name"), "1 to 100 characters".into());
        }
        if !(0..=3650).contains(&v.day) {
            errors.insert(at("day"), "0 to 3650 days after enrolment".into());
        }
        for (field, days) in [("before", v.before), ("after", v.after)] {
            if !(0..=365).contains(&days) {
                errors.insert(at(field), "0 to 365 days".into());
            }
        }
        if let Some(prev) = i.checked_sub(1).map(|j| &schedule[j]) {
            if v.day <= prev.day {
                errors.insert(at("day"), "after the visit before it".into());
            } else if v.day - v.before <= prev.day + prev.after {
                errors.insert(at("before"), "the window overlaps the visit before".into());
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Whether a lab may name this visit.
pub fn is_known(schedule: &[Visit], code: &str) -> bool {
    code == UNSCHEDULED || schedule.iter().any(|v| v.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_is_valid_and_windows_follow_enrolment() {
        let schedule = default_schedule();
        assert_eq!(check(&schedule), Ok(()));
        let enrolled = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let month_3 = schedule.iter().find(|v| v.code == "month_3").unwrap();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(month_3.window(enrolled), (day(3, 27), day(4, 24)));
        assert!(is_known(&schedule, "month_3") && is_known(&schedule, UNSCHEDULED));
        assert!(!is_known(&schedule, "month_2"));
    }

    #[test]
    fn bad_schedules_name_the_field() {
        let visit = |code: &str, day, before, after| Visit {
            code: code.into(),
            name: "A visit".into(),
            day,
            before,
            after,
        };
        let cases: Vec<(Vec<Visit>, &str)> = vec![
            (vec![], "visits"),
            (vec![visit("Month 1", 30, 0, 0)], "visits[0].code"),
            (vec![visit("unscheduled", 30, 0, 0)], "visits[0].code"),
            (
                vec![visit("a", 0, 0, 0), visit("a", 10, 0, 0)],
                "visits[1].code",
            ),
            (
                vec![visit("a", 30, 0, 0), visit("b", 20, 0, 0)],
                "visits[1].day",
            ),
            (
                vec![visit("a", 30, 0, 10), visit("b", 45, 5, 0)],
                "visits[1].before",
            ),
            (vec![visit("a", -1, 0, 0)], "visits[0].day"),
            (vec![visit("a", 10, 400, 0)], "visits[0].before"),
        ];
        for (schedule, field) in cases {
            let errors = check(&schedule).unwrap_err();
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }
}

//! The investigator's roster: one row per participant with what needs a look
//! (last entry, diary completeness, open alerts, the latest HbA1c and
//! IDAA1C), and the sorting and filtering of the page. Pure functions; the
//! server gathers the data, the page sorts and filters without a round trip.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Days without an entry after which a participant stands out.
pub const SILENT_DAYS: i64 = 3;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    /// Under 12.
    Child,
    /// 12 to 17.
    Adolescent,
    /// 18 and over.
    Adult,
}

impl AgeGroup {
    pub fn label(self) -> &'static str {
        match self {
            AgeGroup::Child => "child",
            AgeGroup::Adolescent => "adolescent",
            AgeGroup::Adult => "adult",
        }
    }
}

/// The age group from the birth year (the only date of birth the study
/// keeps): the age the participant reaches this calendar year.
pub fn age_group(birth_year: i32, today: NaiveDate) -> AgeGroup {
    use chrono::Datelike;
    match today.year() - birth_year {
        ..12 => AgeGroup::Child,
        12..18 => AgeGroup::Adolescent,
        _ => AgeGroup::Adult,
    }
}

/// Days with at least one entry over the last `days` days up to `today`,
/// counting only days since enrolment (a participant enrolled yesterday is
/// not missing five days of diary).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Completeness {
    pub days_with_entries: i64,
    /// The days counted.
    pub days: i64,
    /// `days_with_entries / days`, null when no day is counted yet.
    pub ratio: Option<f64>,
}

pub fn completeness(
    entry_days: &BTreeSet<NaiveDate>,
    enrolled_on: NaiveDate,
    today: NaiveDate,
    days: i64,
) -> Completeness {
    let first = (today - Duration::days(days - 1)).max(enrolled_on);
    let counted = ((today - first).num_days() + 1).max(0);
    // An enrolment after today (clock skew) counts no day, and must not
    // make an inverted range.
    let with = if first <= today {
        entry_days.range(first..=today).count() as i64
    } else {
        0
    };
    Completeness {
        days_with_entries: with,
        days: counted,
        ratio: (counted > 0).then(|| (with as f64 / counted as f64 * 1000.0).round() / 1000.0),
    }
}

/// Whole days since the last entry's day (0 = an entry today); `None` with
/// no entry at all.
pub fn days_silent(last_entry_on: Option<NaiveDate>, today: NaiveDate) -> Option<i64> {
    last_entry_on.map(|d| (today - d).num_days().max(0))
}

/// A participant stands out after [`SILENT_DAYS`] days without an entry,
/// or with none at all that many days after enrolment.
pub fn stands_out(
    last_entry_on: Option<NaiveDate>,
    enrolled_on: NaiveDate,
    today: NaiveDate,
) -> bool {
    let since = last_entry_on.unwrap_or(enrolled_on);
    (today - since).num_days() >= SILENT_DAYS
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatestHba1c {
    pub value_percent: f64,
    pub taken_on: NaiveDate,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterIdaa1c {
    pub value: f64,
    pub partial_remission: bool,
    /// Days with insulin logged in the study's dose window up to the draw
    /// (`outcome_settings.idaa1c_dose_days`, 7 unless changed).
    pub dose_days: usize,
}

/// One participant on the roster.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterRow {
    pub participant_id: uuid::Uuid,
    pub study_id: String,
    pub site_code: String,
    pub age_group: AgeGroup,
    pub enrolled_on: NaiveDate,
    pub days_since_enrolment: i64,
    /// The local day of the latest entry's event.
    pub last_entry_on: Option<NaiveDate>,
    pub days_since_last_entry: Option<i64>,
    pub completeness_7d: Completeness,
    pub completeness_14d: Completeness,
    pub open_alerts: usize,
    pub hba1c: Option<LatestHba1c>,
    pub idaa1c: Option<RosterIdaa1c>,
    /// No entry for [`SILENT_DAYS`] days.
    pub stands_out: bool,
}

/// The columns the roster sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    StudyId,
    AgeGroup,
    Enrolled,
    LastEntry,
    Completeness7,
    Completeness14,
    OpenAlerts,
    Hba1c,
    Idaa1c,
}

impl SortKey {
    pub const ALL: [SortKey; 9] = [
        SortKey::StudyId,
        SortKey::AgeGroup,
        SortKey::Enrolled,
        SortKey::LastEntry,
        SortKey::Completeness7,
        SortKey::Completeness14,
        SortKey::OpenAlerts,
        SortKey::Hba1c,
        SortKey::Idaa1c,
    ];
}

/// Sorts rows by a column; rows without a value go last either way, ties
/// by study id.
pub fn sort_rows(rows: &mut [RosterRow], key: SortKey, descending: bool) {
    use std::cmp::Ordering;
    fn by<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => {
                let o = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
                if descending { o.reverse() } else { o }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    rows.sort_by(|a, b| {
        let o = match key {
            SortKey::StudyId => by(Some(&a.study_id), Some(&b.study_id), descending),
            SortKey::AgeGroup => by(Some(a.age_group), Some(b.age_group), descending),
            SortKey::Enrolled => by(Some(a.enrolled_on), Some(b.enrolled_on), descending),
            // Longest silence first reads "who needs a call".
            SortKey::LastEntry => by(a.last_entry_on, b.last_entry_on, descending),
            SortKey::Completeness7 => {
                by(a.completeness_7d.ratio, b.completeness_7d.ratio, descending)
            }
            SortKey::Completeness14 => by(
                a.completeness_14d.ratio,
                b.completeness_14d.ratio,
                descending,
            ),
            SortKey::OpenAlerts => by(Some(a.open_alerts), Some(b.open_alerts), descending),
            SortKey::Hba1c => by(
                a.hba1c.as_ref().map(|h| h.value_percent),
                b.hba1c.as_ref().map(|h| h.value_percent),
                descending,
            ),
            SortKey::Idaa1c => by(
                a.idaa1c.as_ref().map(|i| i.value),
                b.idaa1c.as_ref().map(|i| i.value),
                descending,
            ),
        };
        o.then_with(|| a.study_id.cmp(&b.study_id))
    });
}

/// What the roster's filter keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Part of the study id or site code, any case.
    pub text: String,
    pub age_group: Option<AgeGroup>,
    /// Only those who stand out or have open alerts.
    pub needs_attention: bool,
    /// Only those in partial remission (IDAA1C <= 9).
    pub in_remission: bool,
}

pub fn keep(row: &RosterRow, filter: &Filter) -> bool {
    let text = filter.text.trim().to_lowercase();
    (text.is_empty()
        || row.study_id.to_lowercase().contains(&text)
        || row.site_code.to_lowercase().contains(&text))
        && filter.age_group.is_none_or(|g| g == row.age_group)
        && (!filter.needs_attention || row.stands_out || row.open_alerts > 0)
        && (!filter.in_remission || row.idaa1c.as_ref().is_some_and(|i| i.partial_remission))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn age_groups() {
        let today = day("2026-12-02");
        for (year, group) in [
            (2020, AgeGroup::Child),
            (2015, AgeGroup::Child),
            (2014, AgeGroup::Adolescent),
            (2009, AgeGroup::Adolescent),
            (2008, AgeGroup::Adult),
            (1970, AgeGroup::Adult),
        ] {
            assert_eq!(age_group(year, today), group, "{year}");
        }
    }

    #[test]
    fn completeness_counts_days_since_enrolment_only() {
        let today = day("2026-12-14");
        let days: BTreeSet<NaiveDate> = [
            "2026-12-14",
            "2026-12-13",
            "2026-12-10",
            "2026-12-01",
            "2026-11-20",
        ]
        .into_iter()
        .map(day)
        .collect();
        // (enrolled, window, with, counted, ratio)
        for (enrolled, window, with, counted, ratio) in [
            ("2026-01-01", 7, 3, 7, Some(0.429)),
            ("2026-01-01", 14, 4, 14, Some(0.286)),
            ("2026-12-12", 7, 2, 3, Some(0.667)),
            ("2026-12-14", 14, 1, 1, Some(1.0)),
            // Enrolled tomorrow (a clock skew): nothing counted.
            ("2026-12-15", 7, 0, 0, None),
        ] {
            let c = completeness(&days, day(enrolled), today, window);
            assert_eq!(
                (c.days_with_entries, c.days, c.ratio),
                (with, counted, ratio),
                "{enrolled} {window}"
            );
        }
    }

    #[test]
    fn silence() {
        let today = day("2026-12-14");
        let enrolled = day("2026-11-01");
        for (last, silent, out) in [
            (Some("2026-12-14"), Some(0), false),
            (Some("2026-12-12"), Some(2), false),
            (Some("2026-12-11"), Some(3), true),
            (None, None, true),
        ] {
            let last = last.map(day);
            assert_eq!(days_silent(last, today), silent);
            assert_eq!(stands_out(last, enrolled, today), out, "{last:?}");
        }
        // Enrolled two days ago, nothing yet: not yet.
        assert!(!stands_out(None, day("2026-12-12"), today));
        assert!(stands_out(None, day("2026-12-11"), today));
    }

    fn row(id: &str, last: Option<&str>, alerts: usize, idaa1c: Option<f64>) -> RosterRow {
        let today = day("2026-12-14");
        let last = last.map(day);
        RosterRow {
            participant_id: uuid::Uuid::nil(),
            study_id: id.into(),
            site_code: "SH01".into(),
            age_group: AgeGroup::Child,
            enrolled_on: day("2026-11-01"),
            days_since_enrolment: 43,
            last_entry_on: last,
            days_since_last_entry: days_silent(last, today),
            completeness_7d: completeness(&BTreeSet::new(), day("2026-11-01"), today, 7),
            completeness_14d: completeness(&BTreeSet::new(), day("2026-11-01"), today, 14),
            open_alerts: alerts,
            hba1c: None,
            idaa1c: idaa1c.map(|value| RosterIdaa1c {
                value,
                partial_remission: value <= 9.0,
                dose_days: 7,
            }),
            stands_out: stands_out(last, day("2026-11-01"), today),
        }
    }

    #[test]
    fn sorting_puts_missing_values_last() {
        let mut rows = vec![
            row("P-3", Some("2026-12-01"), 0, Some(9.5)),
            row("P-1", None, 2, None),
            row("P-2", Some("2026-12-14"), 1, Some(8.1)),
        ];
        let ids = |rows: &[RosterRow]| rows.iter().map(|r| r.study_id.clone()).collect::<Vec<_>>();
        sort_rows(&mut rows, SortKey::LastEntry, false);
        assert_eq!(ids(&rows), ["P-3", "P-2", "P-1"]);
        sort_rows(&mut rows, SortKey::LastEntry, true);
        assert_eq!(ids(&rows), ["P-2", "P-3", "P-1"]);
        sort_rows(&mut rows, SortKey::Idaa1c, false);
        assert_eq!(ids(&rows), ["P-2", "P-3", "P-1"]);
        sort_rows(&mut rows, SortKey::OpenAlerts, true);
        assert_eq!(ids(&rows), ["P-1", "P-2", "P-3"]);
        sort_rows(&mut rows, SortKey::StudyId, false);
        assert_eq!(ids(&rows), ["P-1", "P-2", "P-3"]);
    }

    #[test]
    fn filters() {
        let silent = row("SH-001", Some("2026-12-01"), 0, Some(9.5));
        let alerted = row("SH-002", Some("2026-12-14"), 1, Some(8.1));
        let fine = row("BJ-003", Some("2026-12-14"), 0, None);
        let attention = Filter {
            needs_attention: true,
            ..Filter::default()
        };
        let remission = Filter {
            in_remission: true,
            ..Filter::default()
        };
        let text = Filter {
            text: " sh-00 ".into(),
            ..Filter::default()
        };
        let adults = Filter {
            age_group: Some(AgeGroup::Adult),
            ..Filter::default()
        };
        for (r, attention_kept, remission_kept, text_kept) in [
            (&silent, true, false, true),
            (&alerted, true, true, true),
            (&fine, false, false, false),
        ] {
            assert_eq!(keep(r, &attention), attention_kept, "{}", r.study_id);
            assert_eq!(keep(r, &remission), remission_kept, "{}", r.study_id);
            assert_eq!(keep(r, &text), text_kept, "{}", r.study_id);
            assert!(!keep(r, &adults));
            assert!(keep(r, &Filter::default()));
        }
    }
}

//! Visit labs entered by site staff (api.md, "Visits, labs"): weight, HbA1c,
//! C-peptide fasting and stimulated, and named results of other panels. Each
//! is kept with the unit it was entered in and converted only to compute.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::entry::FieldErrors;

/// 1 ng/mL of C-peptide = 331 pmol/L (molar mass 3,020 g/mol).
pub const PMOL_L_PER_NG_ML: f64 = 331.0;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabKind {
    Weight,
    Hba1c,
    CPeptideFasting,
    CPeptideStimulated,
    Other,
}

impl LabKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LabKind::Weight => "weight",
            LabKind::Hba1c => "hba1c",
            LabKind::CPeptideFasting => "c_peptide_fasting",
            LabKind::CPeptideStimulated => "c_peptide_stimulated",
            LabKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            LabKind::Weight,
            LabKind::Hba1c,
            LabKind::CPeptideFasting,
            LabKind::CPeptideStimulated,
            LabKind::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Units accepted, each with the plausible range of a value in it.
    pub fn units(self) -> &'static [(&'static str, f64, f64)] {
        match self {
            LabKind::Weight => &[("kg", 2.0, 300.0)],
            LabKind::Hba1c => &[("%", 3.0, 20.0), ("mmol/mol", 9.0, 195.0)],
            LabKind::CPeptideFasting | LabKind::CPeptideStimulated => {
                &[("pmol/L", 0.0, 10_000.0), ("ng/mL", 0.0, 30.0)]
            }
            LabKind::Other => &[],
        }
    }
}

/// A lab result as entered (the body of `POST .../labs`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabInput {
    /// The visit it belongs to, such as "baseline" or "month_3".
    pub visit: String,
    /// When the sample was taken: a date ("2026-11-14") or a time with its
    /// offset.
    pub taken_at: String,
    pub kind: LabKind,
    /// Required for `other` (the result's name, such as "GAD65 antibodies").
    #[serde(default)]
    pub name: Option<String>,
    pub value: f64,
    pub unit: String,
}

/// A valid lab result: the day it was taken (in the time it was given in).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckedLab {
    pub taken_on: NaiveDate,
}

const TEXT_MAX: usize = 100;

impl LabInput {
    /// Checks every field; problems by field name.
    pub fn check(&self) -> Result<CheckedLab, FieldErrors> {
        let mut errors = FieldErrors::new();
        let visit = self.visit.trim();
        if visit.is_empty() || visit.chars().count() > TEXT_MAX {
            errors.insert("visit".into(), format!("1 to {TEXT_MAX} characters"));
        }
        let taken_on = taken_on(&self.taken_at);
        if taken_on.is_none() {
            errors.insert(
                "taken_at".into(),
                "a date (2026-11-14) or a time with its offset (2026-11-14T08:30:00+08:00)".into(),
            );
        }
        let name = self.name.as_deref().map(str::trim).unwrap_or_default();
        match self.kind {
            LabKind::Other if name.is_empty() || name.chars().count() > TEXT_MAX => {
                errors.insert(
                    "name".into(),
                    format!("the result's name, 1 to {TEXT_MAX} characters"),
                );
            }
            LabKind::Other => {}
            _ if self.name.is_some() => {
                errors.insert("name".into(), "only for kind other".into());
            }
            _ => {}
        }
        if !self.value.is_finite() {
            errors.insert("value".into(), "a number".into());
        }
        let units = self.kind.units();
        if units.is_empty() {
            let unit = self.unit.trim();
            if unit.is_empty() || unit.chars().count() > 20 {
                errors.insert("unit".into(), "1 to 20 characters".into());
            }
        } else {
            match units.iter().find(|(u, _, _)| *u == self.unit) {
                None => {
                    let names: Vec<&str> = units.iter().map(|(u, _, _)| *u).collect();
                    errors.insert("unit".into(), format!("one of {}", names.join(", ")));
                }
                Some((unit, lo, hi))
                    if self.value.is_finite() && !(*lo..=*hi).contains(&self.value) =>
                {
                    errors.insert("value".into(), format!("from {lo} to {hi} {unit}"));
                }
                Some(_) => {}
            }
        }
        match (errors.is_empty(), taken_on) {
            (true, Some(taken_on)) => Ok(CheckedLab { taken_on }),
            _ => Err(errors),
        }
    }

    /// HbA1c in %, whatever unit it was entered in.
    pub fn hba1c_percent(&self) -> Option<f64> {
        match (self.kind, self.unit.as_str()) {
            (LabKind::Hba1c, "%") => Some(self.value),
            (LabKind::Hba1c, "mmol/mol") => {
                Some(super::outcomes::hba1c_percent_of_mmol_mol(self.value))
            }
            _ => None,
        }
    }

    /// C-peptide in pmol/L, whatever unit it was entered in.
    pub fn c_peptide_pmol_l(&self) -> Option<f64> {
        match (self.kind, self.unit.as_str()) {
            (LabKind::CPeptideFasting | LabKind::CPeptideStimulated, "pmol/L") => Some(self.value),
            (LabKind::CPeptideFasting | LabKind::CPeptideStimulated, "ng/mL") => {
                Some(self.value * PMOL_L_PER_NG_ML)
            }
            _ => None,
        }
    }
}

/// The day of a `taken_at`: a plain date, or the date of a time in its own
/// offset (the site's, as the staff entered it).
pub fn taken_on(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            DateTime::<FixedOffset>::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.date_naive())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(kind: LabKind, value: f64, unit: &str) -> LabInput {
        LabInput {
            visit: "baseline".into(),
            taken_at: "2026-11-14".into(),
            kind,
            name: None,
            value,
            unit: unit.into(),
        }
    }

    #[test]
    fn units_and_ranges_by_kind() {
        use LabKind::*;
        let ok = [
            (Weight, 42.5, "kg"),
            (Hba1c, 6.9, "%"),
            (Hba1c, 52.0, "mmol/mol"),
            (CPeptideFasting, 120.0, "pmol/L"),
            (CPeptideStimulated, 0.9, "ng/mL"),
            (CPeptideFasting, 0.0, "pmol/L"),
        ];
        for (kind, value, unit) in ok {
            assert!(
                lab(kind, value, unit).check().is_ok(),
                "{kind:?} {value} {unit}"
            );
        }
        let bad = [
            (Weight, 42.5, "lb", "unit"),
            (Weight, 420.0, "kg", "value"),
            (Hba1c, 52.0, "%", "value"),
            (Hba1c, 6.9, "mmol/L", "unit"),
            (CPeptideFasting, -1.0, "pmol/L", "value"),
            (CPeptideStimulated, 40.0, "ng/mL", "value"),
            (Weight, f64::NAN, "kg", "value"),
        ];
        for (kind, value, unit, field) in bad {
            let errors = lab(kind, value, unit).check().unwrap_err();
            assert!(
                errors.contains_key(field),
                "{kind:?} {value} {unit}: {errors:?}"
            );
        }
    }

    #[test]
    fn other_results_need_a_name_and_any_unit() {
        let mut other = lab(LabKind::Other, 12.0, "IU/mL");
        assert!(other.check().unwrap_err().contains_key("name"));
        other.name = Some("GAD65 antibodies".into());
        assert!(other.check().is_ok());
        let mut weight = lab(LabKind::Weight, 40.0, "kg");
        weight.name = Some("weight".into());
        assert!(weight.check().unwrap_err().contains_key("name"));
    }

    #[test]
    fn taken_at_is_a_date_or_a_time_with_offset() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 14).unwrap();
        assert_eq!(taken_on("2026-11-14"), Some(day));
        assert_eq!(taken_on("2026-11-14T23:30:00+08:00"), Some(day));
        for bad in ["14/11/2026", "2026-11-14T23:30:00", "", "yesterday"] {
            assert_eq!(taken_on(bad), None, "{bad}");
        }
        let mut visitless = lab(LabKind::Weight, 40.0, "kg");
        visitless.visit = "  ".into();
        visitless.taken_at = "soon".into();
        let errors = visitless.check().unwrap_err();
        assert!(errors.contains_key("visit") && errors.contains_key("taken_at"));
    }

    #[test]
    fn conversions() {
        // clinical.md: 1 ng/mL = 331 pmol/L; mmol/mol = (% - 2.15) x 10.929.
        assert_eq!(
            lab(LabKind::CPeptideStimulated, 0.9, "ng/mL").c_peptide_pmol_l(),
            Some(0.9 * 331.0)
        );
        assert_eq!(
            lab(LabKind::CPeptideFasting, 120.0, "pmol/L").c_peptide_pmol_l(),
            Some(120.0)
        );
        let percent = lab(LabKind::Hba1c, 52.0, "mmol/mol")
            .hba1c_percent()
            .unwrap();
        assert!((percent - (52.0 / 10.929 + 2.15)).abs() < 1e-12);
        assert_eq!(lab(LabKind::Weight, 40.0, "kg").hba1c_percent(), None);
    }
}

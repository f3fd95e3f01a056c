//! Glucose values and units (clinical.md, "Glucose units"): values are kept
//! as entered with their unit and converted only to display, classify and
//! compute.

use serde::{Deserialize, Serialize};

/// 1 mmol/L of glucose = 18.016 mg/dL (molar mass 180.16 g/mol).
pub const MG_DL_PER_MMOL_L: f64 = 18.016;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GlucoseUnit {
    #[serde(rename = "mg/dL")]
    MgDl,
    #[serde(rename = "mmol/L")]
    MmolL,
}

/// What a meter shows outside its range (about 20 to 600 mg/dL).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MeterFlag {
    #[serde(rename = "LO")]
    Lo,
    #[serde(rename = "HI")]
    Hi,
}

/// A reading: a number, or the meter's "LO"/"HI".
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GlucoseValue {
    Number(f64),
    Flag(MeterFlag),
}

impl GlucoseUnit {
    /// (accepted, meter) ranges in this unit, inclusive.
    fn ranges(self) -> ((f64, f64), (f64, f64)) {
        match self {
            GlucoseUnit::MgDl => ((10.0, 1000.0), (20.0, 600.0)),
            GlucoseUnit::MmolL => ((0.6, 55.5), (1.1, 33.3)),
        }
    }

    fn other(self) -> Self {
        match self {
            GlucoseUnit::MgDl => GlucoseUnit::MmolL,
            GlucoseUnit::MmolL => GlucoseUnit::MgDl,
        }
    }
}

pub fn to_mg_dl(value: f64, unit: GlucoseUnit) -> f64 {
    match unit {
        GlucoseUnit::MgDl => value,
        GlucoseUnit::MmolL => value * MG_DL_PER_MMOL_L,
    }
}

pub fn from_mg_dl(mg_dl: f64, unit: GlucoseUnit) -> f64 {
    match unit {
        GlucoseUnit::MgDl => mg_dl,
        GlucoseUnit::MmolL => mg_dl / MG_DL_PER_MMOL_L,
    }
}

/// mg/dL as an integer, mmol/L with one decimal.
pub fn display(mg_dl: f64, unit: GlucoseUnit) -> String {
    match unit {
        GlucoseUnit::MgDl => format!("{:.0}", mg_dl),
        GlucoseUnit::MmolL => format!("{:.1}", mg_dl / MG_DL_PER_MMOL_L),
    }
}

/// A reading accepted with a doubt the person should look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GlucoseWarning {
    /// The number fits the other unit far better (5.6 as mg/dL, 110 as mmol/L).
    UnitMixup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GlucoseError {
    #[error("a glucose value must be from 10 to 1000 mg/dL (0.6 to 55.5 mmol/L), or LO or HI")]
    OutOfRange,
}

/// Checks a number in its unit: accepted, accepted with a unit mix-up
/// warning, or refused as implausible in either unit.
pub fn assess(value: f64, unit: GlucoseUnit) -> Result<Option<GlucoseWarning>, GlucoseError> {
    let within = |(lo, hi): (f64, f64)| value.is_finite() && lo <= value && value <= hi;
    let ((own, own_meter), (other, _)) = (unit.ranges(), unit.other().ranges());
    match (within(own), within(own_meter), within(other)) {
        (true, true, _) | (true, false, false) => Ok(None),
        // Implausible for a meter in this unit, plausible in the other: a
        // doubt, not a refusal (the person may have picked the wrong unit).
        (true, false, true) | (false, _, true) => Ok(Some(GlucoseWarning::UnitMixup)),
        (false, _, false) => Err(GlucoseError::OutOfRange),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use GlucoseUnit::*;

    #[test]
    fn assessment_table() {
        let warn = Ok(Some(GlucoseWarning::UnitMixup));
        let cases = [
            (110.0, MgDl, Ok(None)),
            (5.6, MmolL, Ok(None)),
            (700.0, MgDl, Ok(None)),
            (5.6, MgDl, warn),
            (110.0, MmolL, warn),
            (15.0, MgDl, warn),
            (45.0, MmolL, warn),
            (10.0, MgDl, warn),
            (20.0, MgDl, Ok(None)),
            (1000.0, MgDl, Ok(None)),
            (0.6, MmolL, Ok(None)),
            (55.5, MmolL, warn),
            (0.5, MmolL, Err(GlucoseError::OutOfRange)),
            (0.3, MgDl, Err(GlucoseError::OutOfRange)),
            (1001.0, MgDl, Err(GlucoseError::OutOfRange)),
            (1200.0, MmolL, Err(GlucoseError::OutOfRange)),
            (f64::NAN, MgDl, Err(GlucoseError::OutOfRange)),
            (-5.0, MmolL, Err(GlucoseError::OutOfRange)),
        ];
        for (value, unit, expected) in cases {
            assert_eq!(assess(value, unit), expected, "{value} {unit:?}");
        }
    }

    #[test]
    fn conversion_and_display() {
        assert!((to_mg_dl(1.0, MmolL) - 18.016).abs() < 1e-9);
        assert!((from_mg_dl(to_mg_dl(7.3, MmolL), MmolL) - 7.3).abs() < 1e-9);
        assert_eq!(display(100.0, MgDl), "100");
        assert_eq!(display(100.0, MmolL), "5.6");
        assert_eq!(display(to_mg_dl(3.9, MmolL), MmolL), "3.9");
        assert_eq!(display(70.26, MgDl), "70");
    }

    #[test]
    fn wire_spellings() {
        assert_eq!(serde_json::to_string(&MgDl).unwrap(), "\"mg/dL\"");
        assert_eq!(serde_json::to_string(&MmolL).unwrap(), "\"mmol/L\"");
        let lo: GlucoseValue = serde_json::from_str("\"LO\"").unwrap();
        assert_eq!(lo, GlucoseValue::Flag(MeterFlag::Lo));
        let number: GlucoseValue = serde_json::from_str("5.6").unwrap();
        assert_eq!(number, GlucoseValue::Number(5.6));
        assert!(serde_json::from_str::<GlucoseValue>("\"low\"").is_err());
    }
}
